#!/usr/bin/env python3
"""check-format.py: every C line changed since the format base is formatted.

The tree's older code predates .clang-format; rather than reformat it in
one sweep, every line added or changed since FORMAT_BASE (the commit the
rule starts from) must be what clang-format makes of it.  Renames are
followed (git diff -M), so a moved file is checked only where it changed.

Usage: check-format.py [--fix] [BASE]
  --fix   rewrite the changed lines in place instead of failing
Exit 1 with the diff clang-format wants when a changed line is not
formatted.
"""
import os
import re
import subprocess
import sys

# The last commit before the rule: main as the layer renovation found it.
FORMAT_BASE = "198c48adb83e66cba81e6289c9510ee9e24d8b44"
SOURCES = ("tunneld/", "lib/", "providers/", "tui/", "cli/", "tests/",
           "bench/")
HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def git(*args):
    return subprocess.run(("git",) + args, check=True, capture_output=True,
                          text=True).stdout


def has_commit(rev):
    return subprocess.run(["git", "cat-file", "-e", rev + "^{commit}"],
                          capture_output=True).returncode == 0


def changed_lines(base):
    """{path: [(first, last), ...]} of lines added since base."""
    out = git("diff", "-M", "-U0", "--no-color", base, "--", "*.c", "*.h")
    ranges, path = {}, None
    for line in out.splitlines():
        if line.startswith("+++ "):
            path = line[6:] if line.startswith("+++ b/") else None
            if path is not None and not path.startswith(SOURCES):
                path = None
        elif path is not None and (m := HUNK.match(line)):
            first, count = int(m.group(1)), int(m.group(2) or 1)
            if count > 0:
                ranges.setdefault(path, []).append((first, first + count - 1))
    return ranges


def formatted(path, ranges):
    args = ["clang-format", "--style=file", f"--assume-filename={path}"]
    args += [f"--lines={a}:{b}" for a, b in ranges]
    with open(path, encoding="utf-8") as f:
        return subprocess.run(args, stdin=f, check=True, capture_output=True,
                              text=True).stdout


def main():
    argv = sys.argv[1:]
    fix = "--fix" in argv
    argv = [a for a in argv if a != "--fix"]
    base = argv[0] if argv else FORMAT_BASE
    os.chdir(git("rev-parse", "--show-toplevel").strip())
    if not has_commit(base):
        # A shallow clone: try to fetch the history, else check what the
        # clone has, the last commit, and say so.
        subprocess.run(["git", "fetch", "-q", "--unshallow"],
                       capture_output=True)
    if not has_commit(base):
        base = "HEAD~1" if has_commit("HEAD~1") else None
        print(f"check-format: {FORMAT_BASE[:12]} is not in this clone "
              f"(shallow); checking {'the last commit' if base else 'nothing'}"
              " instead", file=sys.stderr)
        if base is None:
            return 0
    bad = 0
    for path, ranges in sorted(changed_lines(base).items()):
        if not os.path.exists(path):
            continue
        want = formatted(path, ranges)
        with open(path, encoding="utf-8") as f:
            have = f.read()
        if want == have:
            continue
        if fix:
            with open(path, "w", encoding="utf-8") as f:
                f.write(want)
            print(f"check-format: formatted {path}")
            continue
        bad += 1
        diff = subprocess.run(["diff", "-u", path, "-"], input=want,
                              capture_output=True, text=True).stdout
        print(diff.replace("+++ -", "+++ " + path + " (clang-format)", 1))
    if bad:
        print(f"check-format: {bad} file(s) have changed lines clang-format "
              "would change (scripts/check-format.py --fix)", file=sys.stderr)
        return 1
    print("check-format: every changed line is formatted")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""check-layers.py: the include rule of README's "Layout", enforced.

Every quoted #include is resolved the way the compiler resolves it (the
including file's folder first, then the -I folders of Makefile.am in their
order), and the folder of the header it lands on must be one the including
folder may use.  System headers of the libraries above the data path
(libcurl, libxml2, jansson, iniparser, ncurses) are refused below ctl/.

Usage: check-layers.py [TOP]   (exit 1 and one line per violation)
"""
import os
import re
import sys

# Folder -> the folders its files may include (itself always).
ALLOWED = {
    "tunneld/net": set(),
    "tunneld/crypto": {"tunneld/net"},
    "tunneld/dp": {"tunneld/net", "tunneld/crypto", "lib"},
    "tunneld/ctl": {"tunneld/net", "tunneld/crypto", "tunneld/dp", "lib",
                    "providers"},
    "lib": set(),
    "providers": {"lib"},
    "tui": {"lib"},
    "cli": {"lib"},
}
# The -I folders, in Makefile.am's order.
SEARCH = ["lib", "tunneld", "providers", "tui"]
# Libraries only the control plane and the clients may use.
HIGH_LIBS = re.compile(r"^(curl/|libxml/|jansson|iniparser|n?curses)")
LOW = {"tunneld/net", "tunneld/crypto", "tunneld/dp"}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def resolve(top, folder, name):
    """The folder (relative to top) of the header name, or None."""
    for base in [folder] + SEARCH:
        path = os.path.normpath(os.path.join(top, base, name))
        if os.path.isfile(path):
            return os.path.relpath(os.path.dirname(path), top)
    return None


def check_file(top, folder, path):
    errors = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for lineno, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m is None:
                continue
            kind, name = m.groups()
            where = f"{os.path.relpath(path, top)}:{lineno}"
            if kind == "<":
                if folder in LOW and HIGH_LIBS.match(name):
                    errors.append(f"{where}: {folder}/ may not use <{name}>")
                continue
            target = resolve(top, folder, name)
            if target is None:
                errors.append(f'{where}: "{name}" not found')
            elif target != folder and target not in ALLOWED[folder]:
                errors.append(f'{where}: {folder}/ may not include '
                              f'"{name}" ({target}/)')
    return errors


def main():
    top = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                          os.path.join(os.path.dirname(__file__), ".."))
    errors = []
    for folder in ALLOWED:
        d = os.path.join(top, folder)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith((".c", ".h")):
                errors += check_file(top, folder, os.path.join(d, name))
    stray = [n for n in os.listdir(os.path.join(top, "tunneld"))
             if n.endswith((".c", ".h"))]
    errors += [f"tunneld/{n}: belongs in one of the layer folders"
               for n in stray]
    for e in errors:
        print(e)
    if errors:
        print(f"check-layers: {len(errors)} include(s) break the layer rule",
              file=sys.stderr)
        return 1
    print("check-layers: every include points down")
    return 0


if __name__ == "__main__":
    sys.exit(main())

/*
 * ini_lines.h: where each section and key of an INI file stands.
 *
 * iniparser gives values but not line numbers; this scan records the line of
 * every "[section]" and "key =" (lower-cased, as iniparser stores them) so
 * that config errors can say FILE:LINE, and it reports a section or key that
 * is written twice, which iniparser would merge silently.  It does not read
 * values.  Bounded: lines longer than the buffer are an error.
 */
#ifndef INI_LINES_H
#define INI_LINES_H

struct ini_lines;

/* Scan path; NULL with *cause set on a duplicate or an unreadable file. */
struct ini_lines *ini_lines_scan(const char *path, char **cause);
void ini_lines_free(struct ini_lines *);
/* Line of key in section (key NULL: the section header), 0 if absent. */
int ini_lines_find(const struct ini_lines *, const char *section,
    const char *key);

#endif

/* ini.h - an INI file read whole into a list of (section, key, value, line)
 * entries, on top of inih.
 *
 * inih does the syntax; this layer adds what the model reader needs and
 * Debian's inih build lacks: the line of every entry (counted in our own
 * line reader), a clear error for lines longer than inih's buffer, and
 * indented continuation lines joined to the value above. Duplicate keys in
 * one section are an error. Interpretation is left to the caller. */
#ifndef MKBA_INI_H
#define MKBA_INI_H

#include <stddef.h>

#include "mkba/error.h"
#include "mkba/strmap.h"

typedef struct mkba_ini_entry {
    char *section;   /* "" for keys before any section header */
    char *key;
    char *value;     /* trimmed; continuation lines joined with one space */
    long line;       /* line of the key */
    int used;        /* set by the caller when it consumed the entry */
} mkba_ini_entry;

typedef struct mkba_ini {
    char *path;              /* as given */
    size_t n;
    mkba_ini_entry *entries; /* in file order */
    size_t n_sections;
    char **sections;         /* every [section] header, in order (also empty ones) */
    long *section_lines;     /* line of each header */
    char sha256[65];         /* hex SHA-256 of exactly the bytes parsed */
    size_t *section_first;   /* a section's entries are contiguous: its first */
    size_t *section_n;       /* and their count */
    mkba_strmap *entry_index;   /* "section\nkey" -> entry */
    mkba_strmap *section_index; /* section -> index in sections */
} mkba_ini;

/* Read 'path', once (mkba_input_read: what is not a regular file, such
 * as a directory, a FIFO or a device, is refused before any read). Returns
 * NULL and fills *err (file, line) on a syntax error, an over-long line, a
 * duplicate key or section, or an I/O error; also for a file that is not
 * text (a NUL byte; UTF-16 is named) or not valid UTF-8 (utf8.h: where =
 * "column N" of the first bad byte, counted in bytes). These are checked on
 * the whole file before it is parsed, so they come before any other error.
 * A UTF-8 byte order mark at the start is allowed. */
mkba_ini *mkba_ini_read(const char *path, mkba_error *err);
void mkba_ini_free(mkba_ini *ini); /* NULL is a no-op */

/* The entry for (section, key), or NULL. Lookups by name are hashed, so
 * a file of 100,000 sections reads in linear time. */
mkba_ini_entry *mkba_ini_get(const mkba_ini *ini, const char *section, const char *key);
/* Line of [section], or 0 if the file has no such section. */
long mkba_ini_section_line(const mkba_ini *ini, const char *section);
/* The entries of [section] (contiguous, in file order): their count, and
 * the first in *first (NULL when there are none). */
size_t mkba_ini_section_entries(const mkba_ini *ini, const char *section,
                                mkba_ini_entry **first);

#endif

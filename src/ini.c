/* ini.c - INI files as entry lists with line numbers, on top of inih.
 *
 * The file is read into memory once (mkba_input_read: a FIFO or device is
 * refused before any read) and everything works on those bytes: the
 * SHA-256 that names the file in the provenance describes exactly what was
 * parsed, even when the file changes on disk meanwhile. Those bytes are
 * checked as text once (NUL, UTF-16, UTF-8), then inih reads them line by
 * line through read_line. */
#include "mkba/ini.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/digest.h"
#include "mkba/fsutil.h"
#include "mkba/mem.h"
#include "mkba/utf8.h"

struct build;

typedef struct reader {
    struct build *b;    /* where a section header is recorded */
    const char *p;      /* the bytes not yet handed to inih */
    size_t left;        /* and their count */
    long line;          /* lines handed to inih so far */
    int continuation;   /* the last line began with blanks (a continuation) */
    long header_line;   /* line of the latest '[section]' header */
    int too_long;       /* line number of an over-long line, 0 if none */
} reader;

typedef struct build {
    mkba_ini *ini;
    reader *rd;
    size_t cap, sec_cap;
    mkba_error *err;
    int failed;
} build;

/* inih's line reader: the next line of the bytes in memory, as fgets
 * would give it. Counts lines, spots over-long ones: Debian's inih has a
 * fixed 200-byte line buffer and would silently split a longer line into
 * two. */
static void add_section(struct build *b, const char *section, int header);
static void header_seen(reader *rd, const char *line);

static char *read_line(char *buf, int size, void *stream)
{
    reader *rd = stream;
    if (rd->left == 0)
        return NULL;
    const char *nl = memchr(rd->p, '\n', rd->left);
    size_t text = nl ? (size_t)(nl - rd->p) : rd->left; /* without the newline */
    size_t take = nl ? text + 1 : text;
    rd->line++;
    if (text >= (size_t)size - 1) { /* no room for it and the NUL (as fgets) */
        if (!rd->too_long)
            rd->too_long = (int)rd->line;
        buf[0] = '\0'; /* skip the whole line, so counting stays right */
    } else {
        memcpy(buf, rd->p, take);
        buf[take] = '\0';
        rd->continuation = buf[0] == ' ' || buf[0] == '\t';
        const char *p = buf;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '[') {
            rd->header_line = rd->line;
            if (p == buf) /* indented, it may be a continuation (inih's rule) */
                header_seen(rd, buf);
        }
    }
    rd->p += take;
    rd->left -= take;
    return buf;
}

/* Record a section: from its header line (header = 1), or from an entry
 * of it (0: the section of the entry before is the same section). */
static void add_section(build *b, const char *section, int header)
{
    mkba_ini *ini = b->ini;
    if (!header && ini->n_sections && strcmp(ini->sections[ini->n_sections - 1], section) == 0)
        return;
    long i = mkba_strmap_get(ini->section_index, section, strlen(section));
    if (i >= 0) {
        mkba_error_set(b->err, MKBA_EPARSE, ini->path, b->rd->header_line, NULL,
                       "section [%s] appears twice (first on line %ld)", section,
                       ini->section_lines[i]);
        b->failed = 1;
        return;
    }
    if (ini->n_sections == b->sec_cap) {
        b->sec_cap = b->sec_cap ? 2 * b->sec_cap : 16;
        ini->sections = mkba_xreallocarray(ini->sections, b->sec_cap, sizeof *ini->sections);
        ini->section_lines = mkba_xreallocarray(ini->section_lines, b->sec_cap,
                                                sizeof *ini->section_lines);
        ini->section_first = mkba_xreallocarray(ini->section_first, b->sec_cap,
                                                sizeof *ini->section_first);
        ini->section_n = mkba_xreallocarray(ini->section_n, b->sec_cap,
                                            sizeof *ini->section_n);
    }
    ini->sections[ini->n_sections] = mkba_xstrdup(section);
    ini->section_lines[ini->n_sections] = b->rd->header_line ? b->rd->header_line : b->rd->line;
    ini->section_first[ini->n_sections] = ini->n;
    ini->section_n[ini->n_sections] = 0;
    mkba_strmap_put(ini->section_index, section, strlen(section), (long)ini->n_sections);
    ini->n_sections++;
}

/* A '[name]' line: the section exists even when no key follows (inih
 * reports sections only through their keys, so "[covariate.age]" alone
 * would be missing). inih takes the name as written between the
 * brackets; a line without ']' is its syntax error. */
static void header_seen(reader *rd, const char *line)
{
    const char *end = strchr(line + 1, ']');
    if (!end || rd->b->failed)
        return;
    char *name = mkba_xstrndup(line + 1, (size_t)(end - line - 1));
    add_section(rd->b, name, 1);
    free(name);
}

/* The key of (section, key) in entry_index: a line of an INI file holds
 * no newline, so "section\nkey" names one pair. Returns 'buf' or a fresh
 * string the caller frees (*owned). */
static char *pair_key(const char *section, const char *key, char *buf, size_t size,
                      size_t *len, char **owned)
{
    size_t ls = strlen(section), lk = strlen(key);
    *len = ls + 1 + lk;
    *owned = NULL;
    char *k = buf;
    if (*len + 1 > size)
        k = *owned = mkba_xmalloc(*len + 1);
    memcpy(k, section, ls);
    k[ls] = '\n';
    memcpy(k + ls + 1, key, lk + 1);
    return k;
}

static void append_value(mkba_ini_entry *e, const char *more)
{
    size_t a = strlen(e->value), m = strlen(more);
    e->value = mkba_xrealloc(e->value, a + m + 2);
    e->value[a] = ' ';
    memcpy(e->value + a + 1, more, m + 1);
}

static int on_entry(void *user, const char *section, const char *key, const char *value)
{
    build *b = user;
    mkba_ini *ini = b->ini;
    if (b->failed)
        return 0;
    if (!key) /* new-section callback, when inih is built with it */
        return 1;
    add_section(b, section, 0);
    if (b->failed)
        return 0;
    if (b->rd->continuation && ini->n) {
        mkba_ini_entry *last = &ini->entries[ini->n - 1];
        if (strcmp(last->section, section) == 0 && strcmp(last->key, key) == 0) {
            append_value(last, value);
            return 1;
        }
    }
    mkba_ini_entry *first = mkba_ini_get(ini, section, key);
    if (first) {
        mkba_error_set(b->err, MKBA_EPARSE, ini->path, b->rd->line, NULL,
                       "key '%s' appears twice in [%s] (first on line %ld)", key, section,
                       first->line);
        b->failed = 1;
        return 0;
    }
    if (ini->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 64;
        ini->entries = mkba_xreallocarray(ini->entries, b->cap, sizeof *ini->entries);
    }
    mkba_ini_entry *e = &ini->entries[ini->n++];
    e->section = mkba_xstrdup(section);
    e->key = mkba_xstrdup(key);
    e->value = mkba_xstrdup(value);
    e->line = b->rd->line;
    e->used = 0;
    char buf[512], *owned;
    size_t len;
    const char *k = pair_key(section, key, buf, sizeof buf, &len, &owned);
    mkba_strmap_put(ini->entry_index, k, len, (long)(ini->n - 1));
    free(owned);
    ini->section_n[ini->n_sections - 1]++;
    return 1;
}

/* Are bytes[0..len) text? A UTF-16 file or binary data (a NUL byte)
 * would otherwise give a baffling syntax error, or none; bytes that are not
 * UTF-8 (Latin-1, Windows-1252) would reach labels, reports and
 * results.json, which is then not valid JSON. The line of a bad byte is one
 * more than the newlines before it, its column its offset from the line's
 * start plus one (in bytes; a byte order mark counts on line 1). */
static mkba_status check_text(const char *bytes, size_t len, const char *path,
                              mkba_error *err)
{
    const unsigned char *u = (const unsigned char *)bytes;
    const char *nul = memchr(bytes, '\0', len);
    size_t bad = nul ? (size_t)(nul - bytes) : mkba_utf8_check(bytes, len);
    if (bad == len)
        return MKBA_OK;
    long line = 1;
    size_t line_start = 0;
    for (const char *p = bytes; (p = memchr(p, '\n', bad - (size_t)(p - bytes))) != NULL; p++)
        line++, line_start = (size_t)(p - bytes) + 1;
    if (nul && len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)))
        return mkba_error_set(err, MKBA_EPARSE, path, 0, NULL,
                              "the file is UTF-16 encoded; save it as UTF-8");
    if (nul)
        return mkba_error_set(err, MKBA_EPARSE, path, line, NULL,
                              "a NUL byte: this is not a text file");
    char where[32];
    snprintf(where, sizeof where, "column %zu", bad - line_start + 1);
    return mkba_error_set(err, MKBA_EPARSE, path, line, where,
                          "byte 0x%02X is not UTF-8 text; save the file as UTF-8 (it may be "
                          "Latin-1 or Windows-1252)",
                          u[bad]);
}

/* Old Mac line ends: where CR alone ends more lines than LF does (a file
 * saved with CR line ends, perhaps with a final LF an editor added), each
 * lone CR becomes a LF. In a file of LF or CRLF lines, a CR inside a line
 * (in a label) stays a character, escaped where it is shown. */
static void cr_line_ends(char *bytes, size_t len)
{
    size_t lone = 0, lf = 0;
    for (size_t i = 0; i < len; i++) {
        lone += bytes[i] == '\r' && (i + 1 == len || bytes[i + 1] != '\n');
        lf += bytes[i] == '\n';
    }
    if (lone <= lf)
        return;
    for (size_t i = 0; i < len; i++)
        if (bytes[i] == '\r' && (i + 1 == len || bytes[i + 1] != '\n'))
            bytes[i] = '\n';
}

mkba_ini *mkba_ini_read(const char *path, mkba_error *err)
{
    size_t len;
    char *bytes = mkba_input_read(path, "a model or scenario file", &len, err);
    if (!bytes)
        return NULL;
    if (check_text(bytes, len, path, err) != MKBA_OK) {
        free(bytes);
        return NULL;
    }
    mkba_ini *ini = mkba_xcalloc(1, sizeof *ini);
    ini->path = mkba_xstrdup(path);
    mkba_sha256_buf(bytes, len, ini->sha256);
    cr_line_ends(bytes, len);
    ini->entry_index = mkba_strmap_alloc();
    ini->section_index = mkba_strmap_alloc();
    reader rd = {.p = bytes, .left = len};
    build b = {.ini = ini, .rd = &rd, .err = err};
    rd.b = &b;
    int rc = ini_parse_stream(read_line, &rd, on_entry, &b);
    free(bytes);
    if (b.failed) {
        /* on_entry has said why */
    } else if (rd.too_long) {
        mkba_error_set(err, MKBA_EPARSE, path, rd.too_long, NULL,
                       "line longer than %d characters; continue a long value on the "
                       "next line, indented",
                       INI_MAX_LINE - 2);
    } else if (rc > 0) {
        mkba_error_set(err, MKBA_EPARSE, path, rc, NULL,
                       "syntax error: expected '[section]', 'key = value' or a comment");
    } else if (rc < 0) {
        mkba_error_set(err, MKBA_EIO, path, 0, NULL, "cannot read");
    }
    if (b.failed || rd.too_long || rc != 0) {
        mkba_ini_free(ini);
        return NULL;
    }
    return ini;
}

void mkba_ini_free(mkba_ini *ini)
{
    if (!ini)
        return;
    for (size_t i = 0; i < ini->n; i++) {
        free(ini->entries[i].section);
        free(ini->entries[i].key);
        free(ini->entries[i].value);
    }
    for (size_t i = 0; i < ini->n_sections; i++)
        free(ini->sections[i]);
    free(ini->sections);
    free(ini->section_lines);
    free(ini->section_first);
    free(ini->section_n);
    mkba_strmap_free(ini->entry_index);
    mkba_strmap_free(ini->section_index);
    free(ini->entries);
    free(ini->path);
    free(ini);
}

mkba_ini_entry *mkba_ini_get(const mkba_ini *ini, const char *section, const char *key)
{
    char buf[512], *owned;
    size_t len;
    const char *k = pair_key(section, key, buf, sizeof buf, &len, &owned);
    long i = mkba_strmap_get(ini->entry_index, k, len);
    free(owned);
    return i >= 0 ? &ini->entries[i] : NULL;
}

long mkba_ini_section_line(const mkba_ini *ini, const char *section)
{
    long i = mkba_strmap_get(ini->section_index, section, strlen(section));
    return i >= 0 ? ini->section_lines[i] : 0;
}

size_t mkba_ini_section_entries(const mkba_ini *ini, const char *section,
                                mkba_ini_entry **first)
{
    long i = mkba_strmap_get(ini->section_index, section, strlen(section));
    *first = i >= 0 && ini->section_n[i] ? &ini->entries[ini->section_first[i]] : NULL;
    return i >= 0 ? ini->section_n[i] : 0;
}

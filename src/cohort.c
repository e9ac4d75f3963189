/* cohort.c - the pilot and control persons, read from cohort CSV files and
 * stored by column.
 *
 * Reading goes through mkba_csv_read: the first record maps the header
 * names to field positions, every later record is one person. Each mapped
 * variable becomes a double array (NaN = missing), the group a uint8_t
 * array; they grow by doubling while reading and are shrunk to fit at the
 * end. Identifiers are only hashed into a temporary set to catch
 * duplicates; that set is freed when reading ends and no id is ever put in
 * a message.
 *
 * What a message may quote. Errors must help find the mistake without
 * putting a person's record on a screen or in a log, so two rules decide
 * every quote, each in one function:
 * - Header names (header_is_data): the names of the first line are listed
 *   ("header has: ...") only when that line looks like a header. It looks
 *   like data when any of its cells looks like a value (cell_is_value): a
 *   number, a missing-value marker (NA, N/A, "."), a group label of the
 *   model, a BSN-like number, or text that starts with a digit (a date, a
 *   postcode) or holds an '@' (an e-mail address). A real header has none
 *   of these; a record nearly always has one (its outcomes are numbers,
 *   its group is a label). Then only the model's own column names are
 *   listed, with a hint that the header row may be missing.
 * - Cells of a record (cell_describe): a message never quotes a cell of
 *   the cohort. It says what the cell looks like instead ("got text, not a
 *   number", "got a date, not a number", "got a number with a decimal
 *   comma ...", "got a number below the minimum 0", "got a BSN-like
 *   number", "got an empty cell", "got a value that is none of the group
 *   labels 'pilot', 'control'"); only the model's own words (group labels,
 *   a column's min or max) are quoted. A line whose cells seem shifted
 *   (line_shifted: two or more cells that do not fit their column's type,
 *   counting a group cell that is no group label and an id cell that is
 *   one) is named as such, without describing a cell. A line with the
 *   wrong number of fields is refused by the csv module, which quotes no
 *   cell. */
#include "mkba/cohort.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/mem.h"
#include "mkba/strmap.h"

#define HEADER_LIST_MAX 600  /* bytes of header names listed in a message */

typedef struct cvar {
    char *name;              /* model's name */
    char *column;            /* CSV header name */
    mkba_var_type type;
    int optional;            /* a missing column is allowed */
    double *values;          /* [n], NaN = missing */
    size_t missing[2];       /* missing values by group (control, pilot) */
    char **levels;           /* category level names, by code */
    size_t n_levels, levels_cap;
} cvar;

struct mkba_cohort {
    size_t n;                /* persons */
    size_t cap;              /* allocated length of group and values */
    uint8_t *group;          /* [n] MKBA_PILOT or MKBA_CONTROL */
    size_t count[2];         /* persons by group (control, pilot) */
    size_t n_vars;
    cvar *vars;              /* [n_vars] */
    mkba_csv_dialect dialect; /* as read (the first file's) */
    char sha256[2][MKBA_SHA256_HEX]; /* of each file's bytes as read; "" when none */
};

/* ============================ ids seen ============================ */

/* The ids read so far (all files), as 64-bit hashes only: 16 bytes or
 * less per person, where the ids themselves, with where each was seen,
 * would take several times that (a million ids would outweigh the cohort's
 * numbers). A hash seen before is only a candidate duplicate: the files
 * are then read again up to the current line (find_first) for an earlier
 * record with the same id, which also tells where it was first seen. The
 * chance that two of a million different ids share a hash is about 3 in
 * 10^8, and then the re-read finds no equal id and reading goes on. */
typedef struct idset {
    uint64_t *slots;         /* open addressing, linear probing; 0 = empty */
    size_t cap, n;           /* cap a power of two, or 0 */
} idset;

static void idset_free(idset *s)
{
    free(s->slots);
    memset(s, 0, sizeof *s);
}

/* A 64-bit hash of key[0..len), never 0: eight bytes at a time, each
 * mixed in by a multiply, then MurmurHash3's fmix64. */
static uint64_t id_hash(const char *key, size_t len)
{
    const uint64_t k = 0xff51afd7ed558ccdULL;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t w = 0;
        memcpy(&w, key + i, len - i < 8 ? len - i : 8);
        h = (h ^ w) * k;
        h ^= h >> 32;
    }
    h ^= h >> 33;
    h *= k;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h ? h : 1;
}

/* Put h in s->slots (there is room); 1 when it was new, 0 when there. */
static int idset_insert(idset *s, uint64_t h)
{
    size_t mask = s->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        if (s->slots[i] == h)
            return 0;
        if (s->slots[i] == 0) {
            s->slots[i] = h;
            s->n++;
            return 1;
        }
    }
}

/* Add hash h; returns 1 when it is new, 0 when it was seen before. The
 * table doubles at half full. */
static int idset_add(idset *s, uint64_t h)
{
    if (2 * (s->n + 1) > s->cap) {
        idset old = *s;
        s->cap = old.cap ? 2 * old.cap : 1024;
        s->slots = mkba_xcalloc(s->cap, sizeof *s->slots);
        s->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.slots[i])
                idset_insert(s, old.slots[i]);
        free(old.slots);
    }
    return idset_insert(s, h);
}

/* ================================ helpers =============================== */

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trim surrounding blanks: returns the start, sets *len. */
static const char *trim(const char *s, size_t *len)
{
    while (is_blank(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && is_blank(s[n - 1]))
        n--;
    *len = n;
    return s;
}

static int lower(char c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* s[0..n) equals w (exactly, or ignoring ASCII case). */
static int same(const char *s, size_t n, const char *w, int ignore_case)
{
    size_t i = 0;
    for (; i < n && w[i]; i++)
        if (ignore_case ? lower(s[i]) != lower(w[i]) : s[i] != w[i])
            return 0;
    return i == n && w[i] == '\0';
}

static int bsn_like(const char *s, size_t len);

/* NULL or "". */
static int blank_str(const char *s)
{
    return !s || !*s;
}

static int is_missing_text(const char *s)
{
    double unused;
    return mkba_csv_number(s, 0, &unused) == 0;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Does s[0..len) (already trimmed) look like a Dutch citizen service number
 * (BSN)? Nine digits d1..d9 with 9*d1 + 8*d2 + ... + 2*d8 - d9 a non-zero
 * multiple of 11 (the "11-test"). Eight digits count as a BSN whose leading
 * 0 a spreadsheet dropped. '.', '-' or ' ' between two digits are skipped
 * (the official notation is 1234.56.782). */
static int bsn_like(const char *s, size_t len)
{
    int d[9], n = 0;
    for (size_t i = 0; i < len; i++) {
        if (is_digit(s[i])) {
            if (n == 9)
                return 0;
            d[n++] = s[i] - '0';
        } else if (!((s[i] == '.' || s[i] == '-' || s[i] == ' ') && i > 0 && i + 1 < len &&
                     is_digit(s[i - 1]) && is_digit(s[i + 1]))) {
            return 0;
        }
    }
    if (n < 8)
        return 0;
    int sum = 0, weight = n; /* 9 digits: weights 9..2; 8 digits: 8..2 (the 0 has 9) */
    for (int i = 0; i < n - 1; i++)
        sum += weight-- * d[i];
    sum -= d[n - 1];
    return sum != 0 && sum % 11 == 0;
}

int mkba_cohort_bsn_like(const char *s)
{
    size_t len;
    if (!s)
        return 0;
    s = trim(s, &len);
    return bsn_like(s, len);
}

/* ============================= the cohort ============================== */

void mkba_cohort_free(mkba_cohort *c)
{
    if (!c)
        return;
    for (size_t v = 0; v < c->n_vars; v++) {
        cvar *cv = &c->vars[v];
        free(cv->name);
        free(cv->column);
        free(cv->values);
        for (size_t l = 0; l < cv->n_levels; l++)
            free(cv->levels[l]);
        free(cv->levels);
    }
    free(c->vars);
    free(c->group);
    free(c);
}

static mkba_cohort *cohort_new(size_t n_vars, const mkba_cohort_var *vars)
{
    mkba_cohort *c = mkba_xcalloc(1, sizeof *c);
    c->n_vars = n_vars;
    c->vars = mkba_xcalloc(n_vars ? n_vars : 1, sizeof *c->vars);
    for (size_t v = 0; v < n_vars; v++) {
        c->vars[v].name = mkba_xstrdup(vars[v].name);
        c->vars[v].column = mkba_xstrdup(vars[v].column ? vars[v].column : vars[v].name);
        c->vars[v].type = vars[v].type;
        c->vars[v].optional = vars[v].optional;
    }
    c->dialect = (mkba_csv_dialect){.delimiter = ',', .decimal_comma = 0};
    return c;
}

/* Room for one more person (amortised doubling). */
static void cohort_reserve(mkba_cohort *c)
{
    if (c->n < c->cap)
        return;
    c->cap = c->cap ? 2 * c->cap : 256;
    c->group = mkba_xrealloc(c->group, c->cap);
    for (size_t v = 0; v < c->n_vars; v++)
        c->vars[v].values = mkba_xreallocarray(c->vars[v].values, c->cap, sizeof(double));
}

/* Give back the unused tail of every array. */
static void cohort_shrink(mkba_cohort *c)
{
    size_t n = c->n ? c->n : 1;
    c->group = mkba_xrealloc(c->group, n);
    for (size_t v = 0; v < c->n_vars; v++) {
        cvar *cv = &c->vars[v];
        cv->values = mkba_xreallocarray(cv->values, n, sizeof(double));
        if (cv->levels)
            cv->levels = mkba_xreallocarray(cv->levels, cv->n_levels ? cv->n_levels : 1,
                                            sizeof *cv->levels);
    }
    c->cap = n;
}

static void add_level(cvar *cv, const char *name, size_t len)
{
    if (cv->n_levels == cv->levels_cap) {
        cv->levels_cap = cv->levels_cap ? 2 * cv->levels_cap : 8;
        cv->levels = mkba_xreallocarray(cv->levels, cv->levels_cap, sizeof *cv->levels);
    }
    cv->levels[cv->n_levels++] = mkba_xstrndup(name, len);
}

/* =============================== reading =============================== */

typedef struct loader {
    const mkba_cohort_spec *spec;
    mkba_cohort *c;
    const char *path;        /* file being read */
    const mkba_csv_dialect *dialect; /* its dialect, resolved by mkba_csv_read */
    int file_index;          /* 0 first file, 1 second */
    int fixed_group;         /* -1 one-file form, else every row's group */
    int header_done;
    long *col;               /* [n_vars] field of each variable, -1 absent */
    long group_col, id_col;  /* -1 when absent / not used */
    size_t rows;             /* persons in this file */
    idset ids;               /* ids seen so far (all files) */
    long id_cols[2], group_cols[2]; /* id_col and group_col of each file read */
    mkba_csv_dialect dialects[2];   /* each file's dialect, resolved */
    mkba_strmap **levels;    /* [n_vars] category level -> code (NULL until one) */
    const char *paths[2];    /* files by index, for duplicate-id messages */
    size_t n_cols;           /* header fields of the file being read */
    struct bsncol *bsn;      /* [n_cols] BSN-like values per column (bsn_scan) */
} loader;

/* ========================= refusing BSN columns ========================= */

/* Every column of a file, mapped or not, is scanned for Dutch citizen
 * service numbers: personal data mkba must not read. A column is refused
 * when at least BSN_MIN_VALUES of its values and at least 90% of them look
 * like BSNs (bsn_like): a random 9-digit number passes the 11-test with
 * chance 1/11, so amounts or client numbers are not caught, while a few
 * typos or placeholders do not let a BSN column through. Missing values
 * ("", NA, N/A, ".") are not counted. The id column is exempt: ids are only
 * checked for duplicates and never stored or shown. */
#define BSN_MIN_VALUES 3

typedef struct bsncol {
    char *name;              /* trimmed header name */
    size_t yes, no;          /* values that look like a BSN, and other values */
} bsncol;

static void bsn_free(loader *ld)
{
    for (size_t i = 0; i < ld->n_cols; i++)
        free(ld->bsn[i].name);
    free(ld->bsn);
    ld->bsn = NULL;
    ld->n_cols = 0;
}

/* Start counting for a file with header 'fields'. */
static void bsn_begin(loader *ld, size_t n, char **fields)
{
    bsn_free(ld);
    ld->bsn = mkba_xcalloc(n ? n : 1, sizeof *ld->bsn);
    ld->n_cols = n;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *f = trim(fields[i], &len);
        ld->bsn[i].name = mkba_xstrndup(f, len);
    }
}

/* Count one record's fields. It runs on every field of a file, so most are
 * decided on their first bytes: one that does not start with a digit, or
 * is shorter than 8 bytes, is no BSN; at most BSN_SCAN_MAX bytes are read. */
#define BSN_SCAN_MAX 24
static void bsn_scan(loader *ld, char **fields)
{
    for (size_t i = 0; i < ld->n_cols; i++) {
        const char *f = fields[i];
        while (is_blank(*f))
            f++;
        if (*f == '\0' || (long)i == ld->id_col)
            continue;
        bsncol *b = &ld->bsn[i];
        if (!is_digit(*f)) {
            int maybe_na = *f == '.' || *f == 'N' || *f == 'n';
            b->no += !(maybe_na && is_missing_text(f));
            continue;
        }
        size_t len = strnlen(f, BSN_SCAN_MAX);
        while (len > 0 && len < BSN_SCAN_MAX && is_blank(f[len - 1]))
            len--;
        if (len >= 8 && len < BSN_SCAN_MAX && bsn_like(f, len))
            b->yes++;
        else
            b->no++;
    }
}

static int cell_is_value(const loader *ld, const char *s, size_t len);

/* After a file: refuse it when a column holds BSNs. */
static mkba_status bsn_verdict(const loader *ld, mkba_error *err)
{
    for (size_t i = 0; i < ld->n_cols; i++) {
        const bsncol *b = &ld->bsn[i];
        if (b->yes < BSN_MIN_VALUES || b->yes < 9 * b->no)
            continue;
        /* a header cell that looks like a value is not quoted (the
         * header rule of the file comment): the column goes by number */
        int unnamed = cell_is_value(ld, b->name, strlen(b->name));
        char where[300];
        if (unnamed)
            snprintf(where, sizeof where, "column %zu", i + 1);
        else
            snprintf(where, sizeof where, "column '%.200s'", b->name);
        return mkba_error_set(err, MKBA_EINVAL, ld->path, 0, where,
                              "looks like Dutch citizen service numbers (BSN: 9 digits "
                              "passing the 11-test); mkba refuses to read it. Remove the "
                              "column, or map it as the person id in the model ([cohort] "
                              "id_column = %.200s) if it is the id",
                              unnamed ? "NAME" : b->name);
    }
    return MKBA_OK;
}

/* Locate 'name' among the header fields: exact match first, then a unique
 * case-insensitive one. Returns the index, -1 when absent, -2 on an error
 * (ambiguous or repeated name; *err filled). */
static long find_column(const loader *ld, size_t n, char **fields, const char *name,
                        long line, mkba_error *err)
{
    for (int ignore_case = 0; ignore_case <= 1; ignore_case++) {
        long found = -1;
        size_t hits = 0;
        for (size_t i = 0; i < n; i++) {
            size_t len;
            const char *f = trim(fields[i], &len);
            if (same(f, len, name, ignore_case)) {
                if (hits++ == 0)
                    found = (long)i;
            }
        }
        if (hits == 1)
            return found;
        if (hits > 1) {
            mkba_error_set(err, MKBA_EINVAL, ld->path, line, NULL,
                           ignore_case ? "column '%s' is ambiguous: %zu header names match it "
                                         "when case is ignored"
                                       : "column '%s' appears %zu times in the header",
                           name, hits);
            return -2;
        }
    }
    return -1;
}

/* Is s[0..len) (trimmed) one of the model's group labels? */
static int is_group_label(const mkba_cohort_spec *spec, const char *s, size_t len)
{
    return (!blank_str(spec->pilot_value) && same(s, len, spec->pilot_value, 1)) ||
           (!blank_str(spec->control_value) && same(s, len, spec->control_value, 1));
}

/* Does header cell s[0..len) (trimmed) look like a value rather than a
 * column name? See the file comment. */
static int cell_is_value(const loader *ld, const char *s, size_t len)
{
    if (len == 0)
        return 0; /* an unnamed column: in headers too */
    char *copy = mkba_xstrndup(s, len);
    int number = mkba_csv_number(copy, ld->dialect->decimal_comma, NULL) >= 0;
    free(copy);
    return number || is_digit(*s) || ((*s == '-' || *s == '+') && len > 1 && is_digit(s[1])) ||
           memchr(s, '@', len) || bsn_like(s, len) || is_group_label(ld->spec, s, len);
}

/* Does the first line look like a record rather than a header? */
static int header_is_data(const loader *ld, size_t n, char **fields)
{
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *f = trim(fields[i], &len);
        if (cell_is_value(ld, f, len))
            return 1;
    }
    return 0;
}

/* Append ", name" (or "name" first) to list[0..*used), "..." when full. */
static void list_add(char *list, size_t size, size_t *used, const char *name, size_t len)
{
    if (*used >= HEADER_LIST_MAX)
        return;
    const char *sep = *used ? ", " : "";
    if (*used + len + 2 > HEADER_LIST_MAX) {
        snprintf(list + *used, size - *used, "%s...", sep);
        *used = HEADER_LIST_MAX;
        return;
    }
    *used += (size_t)snprintf(list + *used, size - *used, "%s%.*s", sep, (int)len, name);
}

/* The i-th column name the model expects (0: the group, 1: the id, then
 * each variable's), NULL when not used. */
static const char *expected_name(const loader *ld, size_t i)
{
    const char *name = i == 0   ? ld->spec->group_column
                       : i == 1 ? ld->spec->id_column
                                : ld->c->vars[i - 2].column;
    return blank_str(name) ? NULL : name;
}

/* The columns the model expects, once each, in that order. */
static void expected_columns(const loader *ld, char *list, size_t size)
{
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < ld->c->n_vars + 2; i++) {
        const char *name = expected_name(ld, i);
        size_t seen = 0;
        while (name && seen < i && !(expected_name(ld, seen) &&
                                     strcmp(expected_name(ld, seen), name) == 0))
            seen++;
        if (name && seen == i)
            list_add(list, size, &used, name, strlen(name));
    }
}

static mkba_status missing_column(const loader *ld, size_t n, char **fields, const char *name,
                                  long line, mkba_error *err)
{
    char list[HEADER_LIST_MAX + 8];
    if (header_is_data(ld, n, fields)) { /* never list a record's cells */
        expected_columns(ld, list, sizeof list);
        return mkba_error_set(err, MKBA_EINVAL, ld->path, line, NULL,
                              "the first line looks like data, not a header (is the header "
                              "row missing?); the model expects the columns %s",
                              list);
    }
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *f = trim(fields[i], &len);
        list_add(list, sizeof list, &used, f, len);
    }
    return mkba_error_set(err, MKBA_EINVAL, ld->path, line, NULL,
                          "missing column '%s' (header has: %s)", name, list);
}

/* Find a column that must be there; returns its index or -1 (err filled). */
static long require_column(const loader *ld, size_t n, char **fields, const char *name,
                           long line, mkba_error *err)
{
    long i = find_column(ld, n, fields, name, line, err);
    if (i == -1)
        missing_column(ld, n, fields, name, line, err);
    return i < 0 ? -1 : i;
}

static mkba_status map_header(loader *ld, size_t n, char **fields, long line, mkba_error *err)
{
    const mkba_cohort_spec *spec = ld->spec;
    ld->group_col = ld->id_col = -1;
    if (!blank_str(spec->group_column)) {
        ld->group_col = require_column(ld, n, fields, spec->group_column, line, err);
        if (ld->group_col < 0)
            return MKBA_EINVAL;
    }
    if (!blank_str(spec->id_column)) {
        ld->id_col = require_column(ld, n, fields, spec->id_column, line, err);
        if (ld->id_col < 0)
            return MKBA_EINVAL;
    }
    for (size_t v = 0; v < ld->c->n_vars; v++) {
        const cvar *cv = &ld->c->vars[v];
        long i = find_column(ld, n, fields, cv->column, line, err);
        if (i == -2)
            return MKBA_EINVAL;
        if (i == -1 && !cv->optional)
            return missing_column(ld, n, fields, cv->column, line, err);
        ld->col[v] = i;
    }
    bsn_begin(ld, n, fields);
    ld->id_cols[ld->file_index] = ld->id_col;
    ld->group_cols[ld->file_index] = ld->group_col;
    ld->dialects[ld->file_index] = *ld->dialect;
    ld->header_done = 1;
    return MKBA_OK;
}

/* Record "FILE:LINE: column 'x': <message>". */
static mkba_status value_error_v(mkba_error *err, const loader *ld, long line,
                                 const char *column, const char *msg)
{
    char where[300];
    snprintf(where, sizeof where, "column '%s'", column);
    return mkba_error_set(err, MKBA_EINVAL, ld->path, line, where, "%s", msg);
}

/* ============================ a cell's kind ============================ */

/* What a cell of a variable is, by its column's type and declared range.
 * classify is the one place these rules are written: parse_value keeps a
 * cell of kind CELL_OK, line_shifted counts the misfits (misfit_kind) and
 * cell_describe turns a kind into words. The kinds from CELL_NOT_NUMBER
 * to CELL_DECIMAL_POINT are a cell of a number column that is no number,
 * told apart by its characters (non_number). */
typedef enum cell_kind {
    CELL_OK = 0,        /* a value of the column */
    CELL_MISSING,       /* "", NA, N/A or "." */
    CELL_NOT_NUMBER,    /* text */
    CELL_NAN_INF,       /* nan, inf, infinity, with or without a sign */
    CELL_DATE,          /* digits with a '-' or '/' between them */
    CELL_OUT_OF_RANGE,  /* 1e999: no finite double */
    CELL_THOUSANDS,     /* 1.234.567, 1 234 */
    CELL_DECIMAL_COMMA, /* 1,5 in a file with decimal points */
    CELL_DECIMAL_POINT, /* 1.5 in a file with decimal commas */
    CELL_NEGATIVE,      /* below 0 in a nonneg column */
    CELL_NOT_BINARY,    /* a number other than 0 or 1 in a binary column */
    CELL_BELOW_MIN,     /* below the declared min */
    CELL_ABOVE_MAX,     /* above the declared max */
    CELL_WRONG_GROUP,   /* a group cell that is not the label expected (row_group) */
    CELL_KINDS
} cell_kind;

/* Does a cell of this kind not fit its column's type (text in a numeric
 * column, a negative count, a 0/1 column holding something else)? A
 * value outside the declared range is still a value. */
static int misfit_kind(cell_kind k)
{
    return k != CELL_OK && k != CELL_MISSING && k != CELL_BELOW_MIN && k != CELL_ABOVE_MAX;
}

/* Is s[0..len) "nan", "inf" or "infinity", with or without a sign? */
static int nan_or_inf(const char *s, size_t len)
{
    if (len > 0 && (s[0] == '+' || s[0] == '-'))
        s++, len--;
    return same(s, len, "nan", 1) || same(s, len, "inf", 1) || same(s, len, "infinity", 1);
}

/* The kind of a cell of a number column that is no number
 * (mkba_csv_number < 0), judged by its characters: a date, a number
 * written with a decimal comma, a '.' or thousands separators, one out of
 * range, or text. */
static cell_kind non_number(const char *s, size_t len, int decimal_comma)
{
    size_t digits = 0, dots = 0, commas = 0, spaces = 0, dashes = 0, exps = 0, other = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (is_digit(c))
            digits++;
        else if (c == '.')
            dots++;
        else if (c == ',')
            commas++;
        else if (c == ' ')
            spaces++;
        else if (c == '-' || c == '/')
            dashes += i > 0 && s[i - 1] != 'e' && s[i - 1] != 'E';
        else if ((c == 'e' || c == 'E') && i > 0)
            exps++;
        else if (!(c == '+' && (i == 0 || s[i - 1] == 'e' || s[i - 1] == 'E')))
            other++;
    }
    if (nan_or_inf(s, len))
        return CELL_NAN_INF;
    if (digits == 0 || other > 0)
        return CELL_NOT_NUMBER;
    if (dashes > 0)
        return CELL_DATE;
    if (exps > 0)
        return exps == 1 && dots + commas + spaces == 0 ? CELL_OUT_OF_RANGE : CELL_NOT_NUMBER;
    if (spaces > 0 || dots + commas >= 2)
        return CELL_THOUSANDS;
    if (commas == 1)
        return CELL_DECIMAL_COMMA;
    if (dots == 1 && decimal_comma)
        return CELL_DECIMAL_POINT;
    return CELL_NOT_NUMBER;
}

/* The kind of the cell s (s[0..len) trimmed; s is a field, so mkba_csv_number
 * may read it to its end) of variable cv with declared range rg (NULL:
 * none), in a file of dialect d. A number is stored in *value. A category
 * cell is CELL_OK or CELL_MISSING (any text is a level). */
static cell_kind classify(const cvar *cv, const mkba_cohort_range *rg, const char *s,
                          size_t len, const mkba_csv_dialect *d, double *value)
{
    if (cv->type == MKBA_VAR_CATEGORY)
        return is_missing_text(s) ? CELL_MISSING : CELL_OK;
    double x = 0; /* not set by mkba_csv_number on an error */
    int r = mkba_csv_number(s, d->decimal_comma, &x);
    *value = x;
    if (r == 0)
        return CELL_MISSING;
    if (r < 0)
        return non_number(s, len, d->decimal_comma);
    if (cv->type == MKBA_VAR_NONNEG && x < 0)
        return CELL_NEGATIVE;
    if (cv->type == MKBA_VAR_BINARY && x != 0 && x != 1)
        return CELL_NOT_BINARY;
    /* written !(x >= bound) so that a NaN bound admits no value */
    if (rg && rg->has_min && !(x >= rg->min))
        return CELL_BELOW_MIN;
    if (rg && rg->has_max && !(x <= rg->max))
        return CELL_ABOVE_MAX;
    return CELL_OK;
}

/* The declared range of variable v, or NULL. */
static const mkba_cohort_range *range_of(const loader *ld, size_t v)
{
    return ld->spec->ranges ? &ld->spec->ranges[v] : NULL;
}

/* Does the cell of variable v not fit its column's type (misfit_kind)? */
static int misfit(const loader *ld, size_t v, const char *field)
{
    size_t len;
    double unused;
    const char *s = trim(field, &len);
    cell_kind k = classify(&ld->c->vars[v], range_of(ld, v), s, len, ld->dialect, &unused);
    return misfit_kind(k);
}

/* Do the cells of this record seem shifted: two or more of them do not
 * fit their column (a group cell that is no group label, an id cell that
 * is one, a misfit in a variable's column)? */
static int line_shifted(const loader *ld, char **fields)
{
    size_t bad = 0, len;
    const char *s;
    if (ld->group_col >= 0) {
        s = trim(fields[ld->group_col], &len);
        bad += !is_group_label(ld->spec, s, len);
    }
    if (ld->id_col >= 0) {
        s = trim(fields[ld->id_col], &len);
        bad += is_group_label(ld->spec, s, len);
    }
    for (size_t v = 0; v < ld->c->n_vars && bad < 2; v++)
        if (ld->col[v] >= 0 && ld->col[v] != ld->id_col)
            bad += (size_t)misfit(ld, v, fields[ld->col[v]]);
    return bad >= 2;
}

/* Words for the kinds that need no more than their name (cell_describe). */
static const char *const CELL_WORDS[CELL_KINDS] = {
    [CELL_NOT_NUMBER] = "text, not a number",
    [CELL_NAN_INF] = "NaN or infinity, not a finite number",
    [CELL_DATE] = "a date, not a number",
    [CELL_OUT_OF_RANGE] = "a number out of range",
    [CELL_THOUSANDS] = "a number with thousands separators",
    [CELL_DECIMAL_COMMA] = "a number with a decimal comma (use a ';'-separated file or a '.')",
    [CELL_DECIMAL_POINT] = "a number with a '.' in a file with decimal commas (use a ',', and "
                           "no thousands separators)",
    [CELL_NEGATIVE] = "a negative number",
    [CELL_NOT_BINARY] = "a number other than 0 or 1",
};

/* The one rule for a bad cell in a message (see the file comment): what
 * the cell s (s[0..len) trimmed) of kind 'kind' looks like, in words, into
 * out; never its text. rg is its column's declared range (for
 * CELL_BELOW_MIN and CELL_ABOVE_MAX). Only the model's own words (group
 * labels, the column's range) are quoted. */
static void cell_describe(const loader *ld, cell_kind kind, const mkba_cohort_range *rg,
                          const char *s, size_t len, char *out, size_t size)
{
    const mkba_cohort_spec *spec = ld->spec;
    int group = kind == CELL_WRONG_GROUP;
    if (len == 0)
        snprintf(out, size, "an empty cell");
    else if (bsn_like(s, len)) /* a person's number: say so, it may be in the wrong column */
        snprintf(out, size, "a BSN-like number");
    else if (group && same(s, len, spec->pilot_value, 1))
        snprintf(out, size, "the pilot group's label '%.90s'", spec->pilot_value);
    else if (group && same(s, len, spec->control_value, 1))
        snprintf(out, size, "the control group's label '%.90s'", spec->control_value);
    else if (group)
        snprintf(out, size, "a value that is none of the group labels '%.90s', '%.90s'",
                 spec->pilot_value, spec->control_value);
    else if (kind == CELL_BELOW_MIN)
        snprintf(out, size, "a number below the minimum %g", rg->min);
    else if (kind == CELL_ABOVE_MAX)
        snprintf(out, size, "a number above the maximum %g", rg->max);
    else if (CELL_WORDS[kind])
        snprintf(out, size, "%s", CELL_WORDS[kind]);
    else
        snprintf(out, size, "a value that does not fit the column");
}

/* Record the error about the cell s[0..len) of kind 'kind' in 'column'
 * (rg: its declared range): "column 'x': <expected>, got <what it looks
 * like>" (cell_describe). On a line whose cells seem shifted the message
 * names the line only and says so. */
static mkba_status cell_error(const loader *ld, char **fields, long line, cell_kind kind,
                              const mkba_cohort_range *rg, const char *column,
                              const char *expected, const char *s, size_t len, mkba_error *err)
{
    if (line_shifted(ld, fields))
        return mkba_error_set(err, MKBA_EINVAL, ld->path, line, NULL,
                              "the cells of this line seem shifted: several do not fit their "
                              "columns (a delimiter missing or extra, or columns swapped?); no "
                              "cell is shown, as one may be an identifier");
    char got[300], msg[500];
    cell_describe(ld, kind, rg, s, len, got, sizeof got);
    snprintf(msg, sizeof msg, "%s, got %s", expected, got);
    return value_error_v(err, ld, line, column, msg);
}

/* The group of a record, or -1 with *err filled. */
static int row_group(const loader *ld, char **fields, long line, mkba_error *err)
{
    const mkba_cohort_spec *spec = ld->spec;
    if (ld->group_col < 0)
        return ld->fixed_group;
    size_t len;
    const char *g = trim(fields[ld->group_col], &len);
    int is_pilot = same(g, len, spec->pilot_value, 1);
    int is_control = same(g, len, spec->control_value, 1);
    int group = is_pilot ? MKBA_PILOT : is_control ? MKBA_CONTROL : -1;
    if (group >= 0 && (ld->fixed_group < 0 || group == ld->fixed_group))
        return group;
    char expected[200];
    if (ld->fixed_group >= 0)
        snprintf(expected, sizeof expected, "expected '%.90s'",
                 ld->fixed_group == MKBA_PILOT ? spec->pilot_value : spec->control_value);
    else
        snprintf(expected, sizeof expected, "expected '%.90s' or '%.90s'", spec->pilot_value,
                 spec->control_value);
    cell_error(ld, fields, line, CELL_WRONG_GROUP, NULL, spec->group_column, expected, g, len,
               err);
    return -1;
}

static const char *group_name(int group)
{
    return group == MKBA_PILOT ? "pilot" : "control";
}

/* The search for an id's first record (find_first), in one file. */
typedef struct id_search {
    const char *id;          /* the id looked for, trimmed: id[0..len) */
    size_t len;
    const mkba_cohort_spec *spec;
    long id_col, group_col;  /* in the file searched */
    int fixed_group;         /* -1: the group is in group_col */
    long stop_line;          /* records from this line on are not searched; 0: none */
    int header_done, stopped;
    long line;               /* where it was found; 0: not found */
    int group;               /* the group of that record */
} id_search;

static mkba_status search_row(void *vq, size_t n, char **fields, long line, mkba_error *err)
{
    id_search *q = vq;
    (void)n, (void)err;
    if (!q->header_done) {
        q->header_done = 1;
        return MKBA_OK;
    }
    size_t len;
    const char *f = trim(fields[q->id_col], &len);
    int found = len == q->len && memcmp(f, q->id, len) == 0;
    if (!found && !(q->stop_line && line >= q->stop_line))
        return MKBA_OK;
    if (found && !(q->stop_line && line >= q->stop_line)) {
        q->line = line;
        q->group = q->fixed_group;
        if (q->group < 0) { /* the one-file form: every record read had a group label */
            const char *g = trim(fields[q->group_col], &len);
            q->group = same(g, len, q->spec->pilot_value, 1) ? MKBA_PILOT : MKBA_CONTROL;
        }
    }
    q->stopped = 1;
    return MKBA_EINVAL; /* stop reading */
}

/* Read the files again, up to 'line' of the file being read, for the
 * first record whose id is id[0..len); fills *q (q->line 0: none, when
 * its hash was another id's). *file is the file it is in. */
static mkba_status find_first(const loader *ld, const char *id, size_t len, long line,
                              id_search *q, int *file, mkba_error *err)
{
    for (int f = 0; f <= ld->file_index; f++) {
        *q = (id_search){.id = id, .len = len, .spec = ld->spec, .id_col = ld->id_cols[f],
                         .group_col = ld->group_cols[f],
                         .fixed_group = ld->fixed_group < 0 ? -1 : f == 0 ? MKBA_PILOT
                                                                          : MKBA_CONTROL,
                         .stop_line = f == ld->file_index ? line : 0};
        *file = f;
        mkba_csv_dialect d = ld->dialects[f];
        mkba_error e;
        mkba_error_clear(&e);
        mkba_status st = mkba_csv_read(ld->paths[f], &d, search_row, q, &e);
        if (st != MKBA_OK && !q->stopped) { /* the file changed or went away */
            *err = e;
            return st;
        }
        if (q->line)
            return MKBA_OK;
    }
    return MKBA_OK;
}

/* Remember the record's id (of a person in 'group'); a duplicate is an
 * error, and one in the other group says so (the id is not shown). */
static mkba_status check_id(loader *ld, char **fields, int group, long line, mkba_error *err)
{
    size_t len;
    const char *id = trim(fields[ld->id_col], &len);
    if (len == 0)
        return mkba_error_set(err, MKBA_EINVAL, ld->path, line, NULL,
                              "empty id in column '%s'", ld->spec->id_column);
    if (idset_add(&ld->ids, id_hash(id, len)))
        return MKBA_OK;
    id_search first;
    int file;
    mkba_status st = find_first(ld, id, len, line, &first, &file, err);
    if (st != MKBA_OK || first.line == 0)
        return st;
    /* Where it was first seen: "on line 3", or "in other.csv line 3". */
    int same_file = file == ld->file_index;
    const char *on_in = same_file ? "on" : "in ";
    const char *path = same_file ? "" : ld->paths[file];
    if (first.group != group)
        return mkba_error_set(err, MKBA_EINVAL, ld->path, line, NULL,
                              "the same id (column '%s') is in both groups: %s %s%s line %ld, "
                              "%s on line %ld",
                              ld->spec->id_column, group_name(first.group), on_in, path,
                              first.line, group_name(group), line);
    return mkba_error_set(err, MKBA_EINVAL, ld->path, line, NULL,
                          "duplicate id in column '%s' (first seen %s%s line %ld)",
                          ld->spec->id_column, on_in, path, first.line);
}

/* "expected a number from MIN to MAX" (or ">= MIN", "<= MAX") for a
 * declared range, into out. */
static void range_words(const mkba_cohort_range *rg, char *out, size_t size)
{
    if (rg->has_min && rg->has_max)
        snprintf(out, size, "expected a number from %g to %g", rg->min, rg->max);
    else
        snprintf(out, size, "expected a number %s %g", rg->has_min ? ">=" : "<=",
                 rg->has_min ? rg->min : rg->max);
}

/* Parse the field of variable v in record 'fields' into *out (NaN when
 * missing); returns 1 when missing, 0 when a value, -1 on an error (*err
 * filled). */
static int parse_value(loader *ld, size_t v, char **fields, long line, double *out,
                       mkba_error *err)
{
    cvar *cv = &ld->c->vars[v];
    const mkba_cohort_range *rg = range_of(ld, v);
    size_t len;
    const char *s = trim(fields[ld->col[v]], &len);
    double x = 0;
    cell_kind kind = classify(cv, rg, s, len, ld->dialect, &x);
    *out = NAN;
    if (kind == CELL_MISSING)
        return 1;
    if (kind == CELL_OK && cv->type == MKBA_VAR_CATEGORY) {
        if (!ld->levels[v])
            ld->levels[v] = mkba_strmap_alloc();
        long code = mkba_strmap_put(ld->levels[v], s, len, (long)cv->n_levels);
        if ((size_t)code == cv->n_levels)
            add_level(cv, s, len);
        *out = (double)code;
        return 0;
    }
    if (kind == CELL_OK) {
        *out = x == 0 ? 0.0 : x; /* no -0 */
        return 0;
    }
    char expected[120];
    if (kind == CELL_NEGATIVE)
        snprintf(expected, sizeof expected, "expected a number >= 0");
    else if (kind == CELL_BELOW_MIN || kind == CELL_ABOVE_MAX)
        range_words(rg, expected, sizeof expected);
    else /* no number, or not 0 or 1 */
        snprintf(expected, sizeof expected,
                 cv->type == MKBA_VAR_BINARY ? "expected 0 or 1" : "expected a number");
    cell_error(ld, fields, line, kind, rg, cv->column, expected, s, len, err);
    return -1;
}

static mkba_status add_person(loader *ld, char **fields, long line, mkba_error *err)
{
    mkba_cohort *c = ld->c;
    int g = row_group(ld, fields, line, err);
    if (g < 0)
        return MKBA_EINVAL;
    if (ld->id_col >= 0) {
        mkba_status st = check_id(ld, fields, g, line, err);
        if (st != MKBA_OK)
            return st;
    }
    cohort_reserve(c);
    for (size_t v = 0; v < c->n_vars; v++) {
        double x = NAN;
        int missing = 1;
        if (ld->col[v] >= 0) {
            missing = parse_value(ld, v, fields, line, &x, err);
            if (missing < 0)
                return MKBA_EINVAL;
            if (missing && ld->spec->missing == MKBA_MISSING_ERROR)
                return value_error_v(err, ld, line, c->vars[v].column,
                                     "missing value (policy 'error')");
        }
        c->vars[v].values[c->n] = x;
        c->vars[v].missing[g] += (size_t)missing;
    }
    c->group[c->n++] = (uint8_t)g;
    c->count[g]++;
    ld->rows++;
    return MKBA_OK;
}

static mkba_status on_row(void *vld, size_t n_fields, char **fields, long line, mkba_error *err)
{
    loader *ld = vld;
    if (!ld->header_done)
        return map_header(ld, n_fields, fields, line, err);
    /* mkba_csv_read has checked n_fields against the header: the mapped
     * field indices are valid for every record. */
    bsn_scan(ld, fields);
    return add_person(ld, fields, line, err);
}

/* Read one file into the cohort; 'group' is -1 for the one-file form. */
static mkba_status read_file(loader *ld, const char *path, int file_index, int group,
                             mkba_error *err)
{
    mkba_csv_dialect d = ld->spec->dialect;
    ld->path = path;
    ld->dialect = &d;
    ld->file_index = file_index;
    ld->paths[file_index] = path;
    ld->fixed_group = group;
    ld->header_done = 0;
    ld->rows = 0;
    mkba_status st = mkba_csv_read_sha256(path, &d, on_row, ld, ld->c->sha256[file_index], err);
    if (st == MKBA_OK)
        st = bsn_verdict(ld, err);
    if (st != MKBA_OK)
        return st;
    if (ld->rows == 0)
        return mkba_error_set(err, MKBA_EINVAL, path, 0, NULL, "no persons in file");
    if (file_index == 0)
        ld->c->dialect = d;
    return MKBA_OK;
}

static mkba_status check_spec(const mkba_cohort_spec *spec, mkba_error *err)
{
#define SPEC_ERROR(...) mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL, "cohort spec: " __VA_ARGS__)
    int one = !blank_str(spec->file);
    int two = !blank_str(spec->pilot_file) && !blank_str(spec->control_file);
    if (one == two)
        return SPEC_ERROR("give either one file or both a pilot and a control file");
    if (one && blank_str(spec->group_column))
        return SPEC_ERROR("one file needs a group column");
    if (!blank_str(spec->group_column)) {
        if (blank_str(spec->pilot_value) || blank_str(spec->control_value))
            return SPEC_ERROR("the group column needs a pilot and a control value");
        size_t len;
        const char *p = trim(spec->pilot_value, &len);
        if (same(p, len, spec->control_value, 1))
            return SPEC_ERROR("pilot and control values are the same ('%s')",
                              spec->pilot_value);
    }
    if (spec->n_vars && !spec->vars)
        return SPEC_ERROR("no variables given");
    for (size_t v = 0; v < spec->n_vars; v++) {
        if (blank_str(spec->vars[v].name))
            return SPEC_ERROR("variable %zu has no name", v + 1);
        if ((unsigned)spec->vars[v].type > MKBA_VAR_CATEGORY)
            return SPEC_ERROR("variable '%s' has an unknown type", spec->vars[v].name);
        for (size_t w = 0; w < v; w++)
            if (strcmp(spec->vars[w].name, spec->vars[v].name) == 0)
                return SPEC_ERROR("variable '%s' appears twice", spec->vars[v].name);
    }
    return MKBA_OK;
#undef SPEC_ERROR
}

mkba_cohort *mkba_cohort_read(const mkba_cohort_spec *spec, mkba_error *err)
{
    if (!spec) {
        mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL, "cohort spec: none given");
        return NULL;
    }
    if (check_spec(spec, err) != MKBA_OK)
        return NULL;
    mkba_cohort *c = cohort_new(spec->n_vars, spec->vars);
    loader ld = {.spec = spec, .c = c};
    ld.col = mkba_xcalloc(c->n_vars ? c->n_vars : 1, sizeof *ld.col);
    ld.levels = mkba_xcalloc(c->n_vars ? c->n_vars : 1, sizeof *ld.levels);
    mkba_status st;
    if (!blank_str(spec->file)) {
        st = read_file(&ld, spec->file, 0, -1, err);
    } else {
        st = read_file(&ld, spec->pilot_file, 0, MKBA_PILOT, err);
        if (st == MKBA_OK)
            st = read_file(&ld, spec->control_file, 1, MKBA_CONTROL, err);
    }
    idset_free(&ld.ids);
    bsn_free(&ld);
    for (size_t v = 0; v < c->n_vars; v++)
        mkba_strmap_free(ld.levels[v]);
    free(ld.levels);
    free(ld.col);
    if (st != MKBA_OK) {
        mkba_cohort_free(c);
        return NULL;
    }
    cohort_shrink(c);
    return c;
}

/* ============================== from arrays ============================= */

/* Is x acceptable for a variable of type t (NaN always is)? */
static int valid_value(mkba_var_type t, double x)
{
    if (isnan(x))
        return 1;
    if (!isfinite(x))
        return 0;
    switch (t) {
    case MKBA_VAR_NUMBER:
        return 1;
    case MKBA_VAR_NONNEG:
        return x >= 0;
    case MKBA_VAR_BINARY:
        return x == 0 || x == 1;
    case MKBA_VAR_CATEGORY:
        return x >= 0 && x <= 1e6 && x == floor(x);
    }
    return 0;
}

mkba_cohort *mkba_cohort_from_arrays(size_t n, const uint8_t *group,
                                     size_t n_vars, const mkba_cohort_var *vars,
                                     const double *const *columns)
{
    if ((n && !group) || (n_vars && (!vars || (n && !columns))))
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (group[i] != MKBA_PILOT && group[i] != MKBA_CONTROL)
            return NULL;
    for (size_t v = 0; v < n_vars; v++) {
        if (!vars[v].name || (unsigned)vars[v].type > MKBA_VAR_CATEGORY || (n && !columns[v]))
            return NULL;
        for (size_t i = 0; i < n; i++)
            if (!valid_value(vars[v].type, columns[v][i]))
                return NULL;
    }
    mkba_cohort *c = cohort_new(n_vars, vars);
    c->n = c->cap = n;
    c->group = mkba_xmalloc(n ? n : 1);
    if (n)
        memcpy(c->group, group, n);
    for (size_t i = 0; i < n; i++)
        c->count[group[i]]++;
    for (size_t v = 0; v < n_vars; v++) {
        cvar *cv = &c->vars[v];
        cv->values = mkba_xreallocarray(NULL, n ? n : 1, sizeof(double));
        double max_code = -1;
        for (size_t i = 0; i < n; i++) {
            double x = columns[v][i];
            cv->values[i] = x;
            cv->missing[group[i]] += isnan(x) != 0;
            if (!isnan(x) && x > max_code)
                max_code = x;
        }
        if (cv->type == MKBA_VAR_CATEGORY) {
            for (double l = 0; l <= max_code; l++) {
                char name[32];
                snprintf(name, sizeof name, "%.0f", l);
                add_level(cv, name, strlen(name));
            }
        }
    }
    return c;
}

/* ============================ subgroups ============================ */

long mkba_cohort_add_masked(mkba_cohort *c, size_t var, size_t by, double code, const char *name)
{
    if (!c || !name || var >= c->n_vars || by >= c->n_vars)
        return -1;
    mkba_var_type bt = c->vars[by].type;
    if (bt != MKBA_VAR_CATEGORY && bt != MKBA_VAR_BINARY)
        return -1;
    c->vars = mkba_xreallocarray(c->vars, c->n_vars + 1, sizeof *c->vars);
    const cvar *src = &c->vars[var], *key = &c->vars[by];
    cvar *cv = &c->vars[c->n_vars];
    memset(cv, 0, sizeof *cv);
    cv->name = mkba_xstrdup(name);
    cv->column = mkba_xstrdup(src->column);
    cv->type = src->type;
    cv->optional = src->optional;
    cv->values = mkba_xreallocarray(NULL, c->n ? c->n : 1, sizeof(double));
    for (size_t i = 0; i < c->n; i++) {
        double x = key->values[i] == code ? src->values[i] : NAN;
        cv->values[i] = x;
        cv->missing[c->group[i]] += isnan(x) != 0;
    }
    for (size_t l = 0; l < src->n_levels; l++)
        add_level(cv, src->levels[l], strlen(src->levels[l]));
    return (long)c->n_vars++;
}

/* =============================== accessors ============================== */

size_t mkba_cohort_size(const mkba_cohort *c)
{
    return c ? c->n : 0;
}

size_t mkba_cohort_count(const mkba_cohort *c, int group)
{
    if (!c || (group != MKBA_PILOT && group != MKBA_CONTROL))
        return 0;
    return c->count[group];
}

size_t mkba_cohort_nvars(const mkba_cohort *c)
{
    return c ? c->n_vars : 0;
}

const char *mkba_cohort_var_name(const mkba_cohort *c, size_t v)
{
    return c && v < c->n_vars ? c->vars[v].name : NULL;
}

mkba_var_type mkba_cohort_var_type(const mkba_cohort *c, size_t v)
{
    return c && v < c->n_vars ? c->vars[v].type : MKBA_VAR_NUMBER;
}

long mkba_cohort_find(const mkba_cohort *c, const char *name)
{
    if (!c || !name)
        return -1;
    for (size_t v = 0; v < c->n_vars; v++)
        if (strcmp(c->vars[v].name, name) == 0)
            return (long)v;
    return -1;
}

const uint8_t *mkba_cohort_group(const mkba_cohort *c)
{
    return c ? c->group : NULL;
}

const double *mkba_cohort_column(const mkba_cohort *c, size_t v)
{
    return c && v < c->n_vars ? c->vars[v].values : NULL;
}

size_t mkba_cohort_missing(const mkba_cohort *c, size_t v, int group)
{
    if (!c || v >= c->n_vars || (group != MKBA_PILOT && group != MKBA_CONTROL))
        return 0;
    return c->vars[v].missing[group];
}

size_t mkba_cohort_levels(const mkba_cohort *c, size_t v, const char *const **names)
{
    if (!c || v >= c->n_vars || c->vars[v].type != MKBA_VAR_CATEGORY) {
        if (names)
            *names = NULL;
        return 0;
    }
    if (names)
        *names = (const char *const *)c->vars[v].levels;
    return c->vars[v].n_levels;
}

const mkba_csv_dialect *mkba_cohort_dialect(const mkba_cohort *c)
{
    return c ? &c->dialect : NULL;
}

const char *mkba_cohort_sha256(const mkba_cohort *c, size_t file)
{
    return c && file < 2 ? c->sha256[file] : "";
}

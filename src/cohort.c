/* cohort.c - the pilot and control persons, read from cohort CSV files and
 * stored by column.
 *
 * Reading goes through mkba_csv_read: the first record maps the header
 * names to field positions, every later record is one person. Each mapped
 * variable becomes a double array (NaN = missing), the group a uint8_t
 * array; they grow by doubling while reading and are shrunk to fit at the
 * end. Identifiers are only hashed (with a key drawn for the read) into a
 * temporary log to catch duplicates; the log is freed when reading ends
 * and no id is ever put in a message.
 *
 * Speed. A cohort of a million persons is some 17 million cells, so the
 * common cells (a plain number that fits its column, an empty cell, a
 * category level) take a short path (plain_cell) that gives what the full
 * rules (classify, parse_value) give, and every other cell goes through
 * those rules; the id log looks for duplicates only once reading ends.
 *
 * What a message may quote. Errors must help find the mistake without
 * putting a person's record on a screen or in a log, so two rules decide
 * every quote, each in one function:
 * - Header names (missing_column): when a column is missing, a cell of the
 *   first line is quoted only when it names one of the model's columns
 *   (case aside) or nearly does (near_column: within 2 edits of a name of
 *   5 or more bytes, 1 of a shorter one). That line may be a record (a file
 *   without its header row), and no look at a cell tells a record from a
 *   header for sure (an empty index column, "1e_meting", a record cell that
 *   happens to be a column name), so the rule does not try: the message
 *   names the model's columns the line has, the near spellings of the
 *   missing one and how many other cells it leaves out; when the line names
 *   none of the model's columns it says the header row may be missing and
 *   lists the model's columns only. The BSN refusal names a header cell
 *   only when it does not look like a value (cell_is_value), else the
 *   column's number.
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
#include <time.h>

#include "mkba/mem.h"
#include "mkba/spell.h"
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

/* The ids read so far (all files), as keyed 64-bit hashes: 8 bytes a
 * person, appended as each record is read to one of 256 lists by their top
 * bits. Nothing is looked up while reading (a table of a million ids
 * misses the cache at every record); duplicates are looked for list by
 * list (a table of a few thousand stays in the cache) once reading stops, at the end
 * or at an error (ids_settle): a duplicate among the ids recorded by then
 * is the error, in place of any other, as if each id had been checked at
 * once (a record's id is recorded after its group is checked and before
 * its values are read). Equal hashes are only candidates: the files are
 * then read again (ids_verify) for the first record whose id equals an
 * earlier one's, which also tells where that was; when there is none (two
 * of a million ids share a hash with chance about 3 in 10^8), reading is
 * fine. The key is drawn for each read and forgotten with the hashes, so
 * they say nothing about the ids, and no file can make them collide on
 * purpose. */
#define ID_LIST_BITS 8
#define ID_LISTS (1 << ID_LIST_BITS)
#define ID_CHUNK 1023 /* hashes in a chunk of a list (8 KB with its header) */

typedef struct idchunk {
    struct idchunk *next;
    uint64_t h[ID_CHUNK];
} idchunk;

typedef struct idlog {
    idchunk *first[ID_LISTS], *last[ID_LISTS]; /* the chunks of each list */
    size_t fill[ID_LISTS];   /* hashes in the last chunk of each list */
    size_t count[ID_LISTS];  /* hashes in each list */
    size_t n;                /* hashes in all */
    uint64_t key[2];
} idlog;

static int id_hash_bits = 64; /* mkba_cohort_id_hash_bits */

void mkba_cohort_id_hash_bits(int bits)
{
    id_hash_bits = bits >= 1 && bits <= 64 ? bits : 64;
}

/* A key that differs from read to read: /dev/urandom where there is one,
 * else the clock and an address. */
static void idlog_init(idlog *log)
{
    memset(log, 0, sizeof *log);
    struct timespec ts = {0, 0};
    clock_gettime(CLOCK_REALTIME, &ts);
    log->key[0] = 0x243f6a8885a308d3ULL ^ ((uint64_t)ts.tv_nsec << 32) ^ (uint64_t)ts.tv_sec;
    log->key[1] = 0x13198a2e03707344ULL ^ (uint64_t)(uintptr_t)&ts;
    FILE *fp = fopen("/dev/urandom", "rb");
    if (fp) {
        uint64_t k[2];
        if (fread(k, sizeof k, 1, fp) == 1)
            log->key[0] ^= k[0], log->key[1] ^= k[1];
        fclose(fp);
    }
}

static void idlog_free(idlog *log)
{
    for (size_t b = 0; b < ID_LISTS; b++) {
        for (idchunk *c = log->first[b], *next; c; c = next) {
            next = c->next;
            free(c);
        }
        log->first[b] = log->last[b] = NULL;
        log->fill[b] = log->count[b] = 0;
    }
    log->n = 0;
}

static uint64_t load64(const char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

static uint64_t load32(const char *p)
{
    uint32_t w;
    memcpy(&w, p, sizeof w);
    return w;
}

/* One step of the hash: a bijection of h for each word w. */
static uint64_t hash_step(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0xff51afd7ed558ccdULL;
    return h ^ (h >> 32);
}

/* The keyed hash of id[0..len), never 0: the length and the key start it,
 * words of 8 bytes (the last one overlapping its predecessor; shorter ids
 * in one word made of all their bytes) are mixed in, MurmurHash3's fmix64
 * ends it. */
static uint64_t id_hash(const idlog *log, const char *id, size_t len)
{
    uint64_t h = log->key[0] ^ (len * 0x9e3779b97f4a7c15ULL);
    if (len >= 8) {
        for (size_t i = 0; i + 8 < len; i += 8)
            h = hash_step(h, load64(id + i));
        h = hash_step(h, load64(id + len - 8));
    } else if (len >= 4) {
        h = hash_step(h, load32(id) | load32(id + len - 4) << 32);
    } else if (len > 0) {
        const unsigned char *u = (const unsigned char *)id;
        h = hash_step(h, u[0] | (uint64_t)u[len / 2] << 8 | (uint64_t)u[len - 1] << 16);
    }
    h ^= log->key[1];
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    if (id_hash_bits < 64)
        h &= (UINT64_C(1) << id_hash_bits) - 1;
    return h ? h : 1;
}

static void idlog_add(idlog *log, uint64_t h)
{
    size_t b = (size_t)(h >> (64 - ID_LIST_BITS));
    if (log->fill[b] == ID_CHUNK || !log->last[b]) {
        idchunk *c = mkba_xmalloc(sizeof *c);
        c->next = NULL;
        if (log->last[b])
            log->last[b]->next = c;
        else
            log->first[b] = c;
        log->last[b] = c;
        log->fill[b] = 0;
    }
    log->last[b]->h[log->fill[b]++] = h;
    log->count[b]++;
    log->n++;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The hashes that occur more than once in the log, each once, sorted,
 * into *dups (caller frees; NULL when none); returns their count. List by
 * list, in an open-addressing table that stays in the cache (by the low
 * bits: the top ones are the list's). */
static size_t idlog_repeats(const idlog *log, uint64_t **dups)
{
    size_t most = 0, n_dups = 0, dups_cap = 0;
    *dups = NULL;
    for (size_t b = 0; b < ID_LISTS; b++)
        most = log->count[b] > most ? log->count[b] : most;
    size_t size = 16;
    while (size < 2 * most)
        size *= 2;
    uint64_t *table = mkba_xcalloc(size, sizeof *table);
    for (size_t b = 0; b < ID_LISTS; b++) {
        for (const idchunk *c = log->first[b]; c; c = c->next) {
            size_t k = c == log->last[b] ? log->fill[b] : ID_CHUNK;
            for (size_t i = 0; i < k; i++) {
                uint64_t h = c->h[i];
                size_t j = (size_t)h & (size - 1);
                while (table[j] && table[j] != h)
                    j = (j + 1) & (size - 1);
                if (table[j] == 0) {
                    table[j] = h;
                    continue;
                }
                if (n_dups == dups_cap) {
                    dups_cap = dups_cap ? 2 * dups_cap : 16;
                    *dups = mkba_xreallocarray(*dups, dups_cap, sizeof **dups);
                }
                (*dups)[n_dups++] = h;
            }
        }
        if (log->count[b]) /* empty the table for the next list */
            memset(table, 0, size * sizeof *table);
    }
    free(table);
    if (n_dups == 0)
        return 0;
    qsort(*dups, n_dups, sizeof **dups, cmp_u64);
    size_t k = 0; /* a hash seen three times was added twice */
    for (size_t i = 0; i < n_dups; i++)
        if (k == 0 || (*dups)[k - 1] != (*dups)[i])
            (*dups)[k++] = (*dups)[i];
    return k;
}

/* ================================ helpers =============================== */

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trim s[0..n) of surrounding blanks: returns the start, sets *len. */
static const char *trim_n(const char *s, size_t n, size_t *len)
{
    while (n > 0 && is_blank(*s))
        s++, n--;
    while (n > 0 && is_blank(s[n - 1]))
        n--;
    *len = n;
    return s;
}

/* trim_n of a NUL-terminated string. */
static const char *trim(const char *s, size_t *len)
{
    return trim_n(s, strlen(s), len);
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

#define LEVEL_SCAN 8 /* category levels compared one by one before the map is asked */

typedef struct loader {
    const mkba_cohort_spec *spec;
    mkba_cohort *c;
    const char *path;        /* file being read */
    const mkba_csv_dialect *dialect; /* its dialect, resolved by mkba_csv_read */
    int file_index;          /* 0 first file, 1 second */
    int fast;                /* mkba_csv_fast_path_on(): plain_cell is used */
    int fixed_group;         /* -1 one-file form, else every row's group */
    int header_done;
    long *col;               /* [n_vars] field of each variable, -1 absent */
    long group_col, id_col;  /* -1 when absent / not used */
    size_t rows;             /* persons in this file */
    idlog ids;               /* ids recorded so far (all files) */
    long id_cols[2], group_cols[2]; /* id_col and group_col of each file read */
    mkba_csv_dialect dialects[2];   /* each file's dialect, resolved */
    mkba_strmap **levels;    /* [n_vars] category level -> code (NULL until one) */
    size_t (*level_lens)[LEVEL_SCAN]; /* [n_vars] lengths of the first levels (level_code) */
    const char *paths[2];    /* files by index, for duplicate-id messages */
    size_t n_cols;           /* header fields of the file being read */
    struct bsncol *bsn;      /* [n_cols] BSN-like values per column (bsn_scan) */
    unsigned char bsn_first[256]; /* bsn_scan's test of a field's first byte */
    size_t pilot_len, control_len; /* strlen of the group labels */
    struct thoucol *thou;    /* [n_vars] the look of each number column (thou_count) */
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
    size_t yes, missing;     /* values that look like a BSN, missing values; the
                              * other records' values do not (bsn_scan) */
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

/* Count field f[0..len) of column i: missing, BSN-like, or neither. */
#define BSN_SCAN_MAX 24 /* no BSN has this many bytes (blanks after it included) */
static void bsn_count(loader *ld, size_t i, const char *f, size_t len)
{
    while (len > 0 && is_blank(*f))
        f++, len--;
    bsncol *b = &ld->bsn[i];
    if ((long)i == ld->id_col)
        return;
    if (len == 0) {
        b->missing++;
        return;
    }
    if (!is_digit(*f)) {
        int maybe_na = *f == '.' || *f == 'N' || *f == 'n';
        b->missing += maybe_na && mkba_csv_missing_n(f, len);
        return;
    }
    if (len >= BSN_SCAN_MAX)
        return;
    while (len > 0 && is_blank(f[len - 1]))
        len--;
    b->yes += len >= 8 && bsn_like(f, len);
}

/* Count one record's fields. It runs on every field of a file, so the
 * common ones are settled on their first byte and length, without a
 * count: a field that starts with a byte other than a blank (or another
 * byte <= ' '), '.', 'N' or 'n' is no missing value, and no BSN when it
 * also starts with no digit or is shorter than 8 bytes. So bsn_first[c]
 * is 3 for the first kind of byte (always counted), 1 for a digit
 * (counted from 8 bytes on), else 0. The values that are no BSN are the
 * records less the others (bsn_verdict). */
static void bsn_scan(loader *ld, char **fields, const size_t *lens)
{
    for (size_t i = 0; i < ld->n_cols; i++) {
        unsigned char c = (unsigned char)fields[i][0]; /* NUL when empty */
        if ((ld->bsn_first[c] >> (lens[i] < 8)) & 1)
            bsn_count(ld, i, fields[i], lens[i]);
    }
}

static void bsn_first_bytes(loader *ld)
{
    for (int c = 0; c < 256; c++)
        ld->bsn_first[c] = c <= ' ' || c == '.' || c == 'N' || c == 'n' ? 3
                           : is_digit((char)c)                          ? 1
                                                                        : 0;
}

static int cell_is_value(const loader *ld, const char *s, size_t len);

/* After a file: refuse it when a column holds BSNs. */
static mkba_status bsn_verdict(const loader *ld, mkba_error *err)
{
    for (size_t i = 0; i < ld->n_cols; i++) {
        const bsncol *b = &ld->bsn[i];
        size_t no = ld->rows - b->missing - b->yes;
        if (b->yes < BSN_MIN_VALUES || b->yes < 9 * no)
            continue;
        /* a header cell that looks like a value is not quoted (the
         * header rule of the file comment): the column goes by number.
         * The line named every column of the model, so it is a header. */
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

/* ===================== refusing thousands separators ===================== */

/* A Dutch export may write 1822 as "1.822" beside "569" and "810": read
 * with '.' as the decimal point, 1.822 is a different number and nothing
 * looks wrong, so a number column is refused when its values look like
 * thousands groups: whole numbers (569) beside numbers with exactly three
 * digits after the decimal mark and a non-zero whole part of 1 to 3 digits
 * (1.822, -12.500), and no other value with a decimal mark (the sign
 * aside). One value with other decimals (2.5, 0.125, 1.2345, 1e3) says the
 * mark is a decimal mark and clears the column; so does a column without
 * whole numbers (every value written with three decimals, 2.000 among
 * them). A column of three-decimal measurements beside whole numbers is
 * refused too: written with a fourth decimal (1.8220) it is read. The
 * counts run over both files of the two-file form (the pilot's may hold
 * only small numbers); binary and category columns are not scanned, nor
 * a file with the decimal comma (a Dutch export: its ',' is the decimal
 * mark, and its thousands '.' is refused as it is read). */
typedef struct thoucol {
    size_t ints, groups;     /* whole numbers; numbers like a thousands group */
    int other;               /* a value with other decimals: the column is clear */
    int file;                /* where the first thousands-like value was */
    long line;
} thoucol;

/* Whether the field s[0..len) (a number, read) of up to 8 bytes holds
 * neither the decimal mark nor an exponent: a whole number, told without a
 * look at each byte (the read's cost of the rule, for the common cells of
 * an integer column). Fields may be read past their end
 * (MKBA_CSV_READ_AHEAD); 0 (thou_count decides) where that does not help. */
static inline int thou_whole(const char *s, size_t len, char mark)
{
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && MKBA_CSV_READ_AHEAD >= 8
    if (len - 1 >= 8)
        return 0;
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t w;
    memcpy(&w, s, sizeof w);
    w &= ~(uint64_t)0 >> (64 - 8 * len); /* the field's bytes; the rest 0 */
    uint64_t found = 0;
    const char no[3] = {mark, 'e', 'E'};
    for (int k = 0; k < 3; k++) { /* a byte equal to no[k]: a zero byte of x */
        uint64_t x = w ^ (ones * (unsigned char)no[k]);
        found |= (x - ones) & ~x & highs;
    }
    return found == 0;
#else
    (void)s, (void)len, (void)mark;
    return 0;
#endif
}

/* Count the value s[0..len) (a number, read) of variable v on 'line'. */
static inline void thou_count(loader *ld, size_t v, const char *s, size_t len, long line)
{
    thoucol *t = &ld->thou[v];
    char mark = ld->dialect->decimal_comma ? ',' : '.';
    if (thou_whole(s, len, mark)) {
        t->ints++;
        return;
    }
    s = trim_n(s, len, &len);
    if (len > 0 && (*s == '-' || *s == '+'))
        s++, len--;
    size_t i = 0;
    while (i < len && is_digit(s[i]))
        i++;
    if (i == len) {
        t->ints++;
        return;
    }
    if (s[i] == mark && i >= 1 && i <= 3 && s[0] != '0' && len == i + 4 &&
        is_digit(s[i + 1]) && is_digit(s[i + 2]) && is_digit(s[i + 3])) {
        if (t->groups++ == 0)
            t->file = ld->file_index, t->line = line;
        return;
    }
    t->other = 1;
}

/* After the files: refuse a column whose values look like thousands
 * groups (the line named is that of the first such value; no value is
 * quoted). */
static mkba_status thou_verdict(const loader *ld, mkba_error *err)
{
    for (size_t v = 0; v < ld->c->n_vars; v++) {
        const thoucol *t = &ld->thou[v];
        if (t->other || t->ints == 0 || t->groups == 0)
            continue;
        char mark = ld->dialects[t->file].decimal_comma ? ',' : '.';
        char where[300];
        snprintf(where, sizeof where, "column '%s'", ld->c->vars[v].column);
        return mkba_error_set(err, MKBA_EINVAL, ld->paths[t->file], t->line, where,
                              "whole numbers beside numbers with exactly three digits after "
                              "the '%c' (the first on this line): that looks like '%c' between "
                              "thousands, and mkba refuses to guess. Write the numbers without "
                              "thousands separators (1350, not 1%c350), or, if '%c' is the "
                              "decimal mark, with a fourth decimal (1%c3500)",
                              mark, mark, mark, mark, mark);
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

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A run of 5 or more digits (an account, phone or client number): a column
 * name numbers a year (uren_2019) at most. */
static int long_digit_run(const char *s, size_t len)
{
    for (size_t i = 0, run = 0; i < len; i++)
        if ((run = is_digit(s[i]) ? run + 1 : 0) >= 5)
            return 1;
    return 0;
}

/* An IBAN, whole or in groups of 4: two letters, two check digits, then 10
 * to 30 letters and digits. */
static int iban_like(const char *s, size_t len)
{
    char c[40];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ' ')
            continue;
        if (n == sizeof c || !(is_alpha(s[i]) || is_digit(s[i])))
            return 0;
        c[n++] = s[i];
    }
    return n >= 14 && n <= 34 && is_alpha(c[0]) && is_alpha(c[1]) && is_digit(c[2]) &&
           is_digit(c[3]);
}

/* A person's name with a particle ("Jan de Vries", "Piet van der Berg"):
 * capitalised words of letters around lower-case particles. */
static int name_like(const char *s, size_t len)
{
    static const char *const particle[] = {"de",  "van", "der", "den", "het", "ter", "ten",
                                           "te",  "op",  "in",  "von", "du",  "la",  "le",
                                           "da",  "di",  "el",  "al",  "bin", "ben", NULL};
    size_t words = 0, particles = 0, i = 0;
    int last_capital = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && s[j] != ' ')
            j++;
        int capital = s[i] >= 'A' && s[i] <= 'Z', known = 0;
        for (size_t k = i; k < j; k++)
            if (!is_alpha(s[k]) && s[k] != '-' && s[k] != '\'')
                return 0;
        for (int p = 0; particle[p] && !capital; p++)
            known |= same(s + i, j - i, particle[p], 0);
        if (!capital && !known)
            return 0;
        if (words++ == 0 && !capital)
            return 0;
        particles += (size_t)known;
        last_capital = capital;
        i = j + 1;
    }
    return words >= 3 && particles > 0 && last_capital;
}

/* Does header cell s[0..len) (trimmed) look like a value rather than a
 * column name: an empty cell, a number, a missing-value marker, a group
 * label, a BSN-like number, an IBAN, a run of 5 or more digits, a person's
 * name with a particle ("Jan de Vries"), text that starts with a digit or
 * holds an '@'? */
static int cell_is_value(const loader *ld, const char *s, size_t len)
{
    if (len == 0)
        return 1; /* a missing value; a header names its columns */
    if (long_digit_run(s, len) || iban_like(s, len) || name_like(s, len))
        return 1;
    char *copy = mkba_xstrndup(s, len);
    int number = mkba_csv_number(copy, ld->dialect->decimal_comma, NULL) >= 0;
    free(copy);
    return number || is_digit(*s) || ((*s == '-' || *s == '+') && len > 1 && is_digit(s[1])) ||
           memchr(s, '@', len) || bsn_like(s, len) || is_group_label(ld->spec, s, len);
}

static const char *expected_name(const loader *ld, size_t i);

/* Append ", name" (or "name" first; quoted when 'quote') to
 * list[0..*used), "..." when full. */
static void list_add(char *list, size_t size, size_t *used, const char *name, size_t len,
                     int quote)
{
    if (*used >= HEADER_LIST_MAX)
        return;
    const char *sep = *used ? ", " : "", *q = quote ? "'" : "";
    if (*used + len + 4 > HEADER_LIST_MAX) {
        snprintf(list + *used, size - *used, "%s...", sep);
        *used = HEADER_LIST_MAX;
        return;
    }
    *used += (size_t)snprintf(list + *used, size - *used, "%s%s%.*s%s", sep, q, (int)len, name, q);
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

/* Does the first line name the model's column 'name' (case aside)? */
static int line_names(size_t n, char **fields, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *f = trim(fields[i], &len);
        if (same(f, len, name, 1))
            return 1;
    }
    return 0;
}

/* The columns the model expects, once each, in that order; with 'fields'
 * only those the first line names. */
static void expected_columns(const loader *ld, size_t n, char **fields, char *list, size_t size)
{
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < ld->c->n_vars + 2; i++) {
        const char *name = expected_name(ld, i);
        size_t seen = 0;
        while (name && seen < i && !(expected_name(ld, seen) &&
                                     strcmp(expected_name(ld, seen), name) == 0))
            seen++;
        if (name && seen == i && (!fields || line_names(n, fields, name)))
            list_add(list, size, &used, name, strlen(name), 0);
    }
}

/* Does cell s[0..len) name one of the model's columns (case aside)? */
static int names_column(const loader *ld, const char *s, size_t len)
{
    for (size_t k = 0; k < ld->c->n_vars + 2; k++) {
        const char *name = expected_name(ld, k);
        if (name && same(s, len, name, 1))
            return 1;
    }
    return 0;
}

/* Is cell s[0..len) a near spelling of the column 'name' (the header rule
 * of the file comment)? Within 2 edits of a name of 5 or more bytes, 1 of
 * a shorter one, none of a one-byte name; case aside. */
static int near_column(const char *s, size_t len, const char *name)
{
    size_t nlen = strlen(name), d = mkba_spell_distance(s, len, name, nlen, 1);
    return d <= (nlen >= 5 ? 2u : nlen >= 2 ? 1u : 0u);
}

/* "missing column 'x' (...)": what the first line holds of the model's
 * columns, never another of its cells (the header rule of the file
 * comment). */
static mkba_status missing_column(const loader *ld, size_t n, char **fields, const char *name,
                                  long line, mkba_error *err)
{
    char near[HEADER_LIST_MAX + 8], named[HEADER_LIST_MAX + 8], other[64] = "";
    size_t used = 0, n_named = 0, n_near = 0;
    near[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t len;
        const char *f = trim(fields[i], &len);
        if (names_column(ld, f, len))
            n_named++;
        else if (near_column(f, len, name))
            n_near++, list_add(near, sizeof near, &used, f, len, 1);
    }
    if (n_named == 0 && n_near == 0) {
        expected_columns(ld, 0, NULL, named, sizeof named);
        return mkba_error_set(err, MKBA_EINVAL, ld->path, line, NULL,
                              "missing column '%s' (the first line names none of the model's "
                              "columns: the header row may be missing, or the file is another "
                              "one; the model expects the columns %s)",
                              name, named);
    }
    expected_columns(ld, n, fields, named, sizeof named);
    size_t rest = n - n_named - n_near;
    if (rest)
        snprintf(other, sizeof other, "; %zu other column%s not shown", rest, rest == 1 ? "" : "s");
    if (n_near == 0)
        return mkba_error_set(err, MKBA_EINVAL, ld->path, line, NULL,
                              "missing column '%s' (the first line names %s%s)", name, named,
                              other);
    return mkba_error_set(err, MKBA_EINVAL, ld->path, line, NULL,
                          "missing column '%s' (the first line has %s, close to it; %s%s%s)",
                          name, near, n_named ? "it names " : "it names none of the model's columns",
                          named, other);
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
 * classify (with number_kind) is the one place these rules are written:
 * plain_cell takes the common cells of kind CELL_OK or CELL_MISSING,
 * parse_value keeps a cell of kind CELL_OK, line_shifted counts the
 * misfits (misfit_kind) and cell_describe turns a kind into words. The kinds from CELL_NOT_NUMBER
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

static cell_kind number_kind(const cvar *cv, const mkba_cohort_range *rg, double x);

/* The kind of the cell s[0..len) (trimmed) of variable cv with declared
 * range rg (NULL: none), in a file of dialect d. A number is stored in *value. A category
 * cell is CELL_OK or CELL_MISSING (any text is a level). */
static cell_kind classify(const cvar *cv, const mkba_cohort_range *rg, const char *s,
                          size_t len, const mkba_csv_dialect *d, double *value)
{
    if (cv->type == MKBA_VAR_CATEGORY)
        return mkba_csv_missing_n(s, len) ? CELL_MISSING : CELL_OK;
    double x = 0; /* not set by mkba_csv_number on an error */
    int r = mkba_csv_number_n(s, len, d->decimal_comma, &x);
    *value = x;
    if (r == 0)
        return CELL_MISSING;
    if (r < 0)
        return non_number(s, len, d->decimal_comma);
    return number_kind(cv, rg, x);
}

/* The kind of number x in a cell of variable cv with declared range rg
 * (NULL: none). */
static cell_kind number_kind(const cvar *cv, const mkba_cohort_range *rg, double x)
{
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

/* same(s, len, label, 1) for a label of label_len bytes; the length
 * first, and a label written as in the model needs no case folding. */
static int label_is(const char *s, size_t len, const char *label, size_t label_len)
{
    return len == label_len && (memcmp(s, label, len) == 0 || same(s, len, label, 1));
}

/* The group of a record, or -1 with *err filled. */
static int row_group(const loader *ld, char **fields, const size_t *lens, long line,
                     mkba_error *err)
{
    const mkba_cohort_spec *spec = ld->spec;
    if (ld->group_col < 0)
        return ld->fixed_group;
    size_t len;
    const char *g = trim_n(fields[ld->group_col], lens[ld->group_col], &len);
    int is_pilot = label_is(g, len, spec->pilot_value, ld->pilot_len);
    int is_control = !is_pilot && label_is(g, len, spec->control_value, ld->control_len);
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

/* Where a record was read: its file, line and group. */
typedef struct id_place {
    int file;
    long line;
    int group;
} id_place;

/* The second read of ids_verify: the records whose id has a repeated hash,
 * in reading order, up to the last id recorded. */
typedef struct id_search {
    const loader *ld;
    const uint64_t *dups;    /* [n_dups] the repeated hashes, sorted */
    size_t n_dups;
    size_t left;             /* records still to look at (all files) */
    int file;                /* the file being read */
    int header_done, stopped;
    mkba_strmap *seen;       /* id -> index in places */
    id_place *places;
    size_t n_places, places_cap;
    id_place first, again;   /* the duplicate found (again.line > 0) */
} id_search;

/* The group of a record that was read before (row_group accepted it). */
static int known_group(const loader *ld, int file, char **fields, const size_t *lens)
{
    if (ld->fixed_group >= 0)
        return file == 0 ? MKBA_PILOT : MKBA_CONTROL;
    size_t len;
    const char *g = trim_n(fields[ld->group_cols[file]], lens[ld->group_cols[file]], &len);
    return same(g, len, ld->spec->pilot_value, 1) ? MKBA_PILOT : MKBA_CONTROL;
}

static mkba_status search_row(void *vq, size_t n, char **fields, const size_t *lens, long line,
                              mkba_error *err)
{
    id_search *q = vq;
    (void)n, (void)err;
    if (!q->header_done) {
        q->header_done = 1;
        return MKBA_OK;
    }
    size_t len;
    const char *id = trim_n(fields[q->ld->id_cols[q->file]], lens[q->ld->id_cols[q->file]], &len);
    uint64_t h = id_hash(&q->ld->ids, id, len);
    if (bsearch(&h, q->dups, q->n_dups, sizeof h, cmp_u64)) {
        id_place here = {q->file, line, known_group(q->ld, q->file, fields, lens)};
        long seen = mkba_strmap_put(q->seen, id, len, (long)q->n_places);
        if (seen < (long)q->n_places) {
            q->first = q->places[seen];
            q->again = here;
            q->stopped = 1;
            return MKBA_EINVAL; /* stop reading */
        }
        if (q->n_places == q->places_cap) {
            q->places_cap = q->places_cap ? 2 * q->places_cap : 16;
            q->places = mkba_xreallocarray(q->places, q->places_cap, sizeof *q->places);
        }
        q->places[q->n_places++] = here;
    }
    if (--q->left == 0) {
        q->stopped = 1;
        return MKBA_EINVAL; /* the last record whose id was recorded */
    }
    return MKBA_OK;
}

/* Read the files again, up to the last record whose id was recorded, for
 * the first record whose id equals an earlier one's (only the ids with a
 * repeated hash are compared). Returns MKBA_OK when there is none, else
 * the error that names both places (never the id), or the error of a
 * file that changed or went away. */
static mkba_status ids_verify(const loader *ld, const uint64_t *dups, size_t n_dups,
                              size_t records, mkba_error *err)
{
    id_search q = {.ld = ld, .dups = dups, .n_dups = n_dups, .left = records,
                   .seen = mkba_strmap_alloc()};
    mkba_status st = MKBA_OK;
    for (int f = 0; f <= ld->file_index && !q.stopped && st == MKBA_OK; f++) {
        q.file = f;
        q.header_done = 0;
        mkba_csv_dialect d = ld->dialects[f];
        mkba_error e;
        mkba_error_clear(&e);
        st = mkba_csv_read(ld->paths[f], &d, search_row, &q, &e);
        if (q.stopped)
            st = MKBA_OK;
        else if (st != MKBA_OK)
            *err = e;
    }
    mkba_strmap_free(q.seen);
    free(q.places);
    if (st != MKBA_OK || q.again.line == 0)
        return st;
    /* Where it was first seen: "on line 3", or "in other.csv line 3". */
    int same_file = q.first.file == q.again.file;
    const char *on_in = same_file ? "on" : "in ";
    const char *path = same_file ? "" : ld->paths[q.first.file];
    const char *at = ld->paths[q.again.file];
    if (q.first.group != q.again.group)
        return mkba_error_set(err, MKBA_EINVAL, at, q.again.line, NULL,
                              "the same id (column '%s') is in both groups: %s %s%s line %ld, "
                              "%s on line %ld",
                              ld->spec->id_column, group_name(q.first.group), on_in, path,
                              q.first.line, group_name(q.again.group), q.again.line);
    return mkba_error_set(err, MKBA_EINVAL, at, q.again.line, NULL,
                          "duplicate id in column '%s' (first seen %s%s line %ld)",
                          ld->spec->id_column, on_in, path, q.first.line);
}

/* Reading has stopped with status st (MKBA_OK at the end of the files; *err
 * holds the error otherwise): a duplicate among the ids recorded came
 * before it, so it is the error then. Returns the status to report. The
 * hashes are freed. */
static mkba_status ids_settle(loader *ld, mkba_status st, mkba_error *err)
{
    size_t records = ld->ids.n;
    uint64_t *dups;
    size_t n_dups = idlog_repeats(&ld->ids, &dups);
    idlog_free(&ld->ids);
    if (n_dups == 0)
        return st;
    mkba_error e;
    mkba_error_clear(&e);
    mkba_status dup = ids_verify(ld, dups, n_dups, records, &e);
    free(dups);
    if (dup == MKBA_OK)
        return st;
    *err = e;
    return dup;
}

/* Record the id of a record, after its group was checked; an empty one is
 * an error at once. */
static mkba_status record_id(loader *ld, char **fields, const size_t *lens, long line,
                             mkba_error *err)
{
    size_t len;
    const char *id = trim_n(fields[ld->id_col], lens[ld->id_col], &len);
    if (len == 0)
        return mkba_error_set(err, MKBA_EINVAL, ld->path, line, NULL,
                              "empty id in column '%s'", ld->spec->id_column);
    idlog_add(&ld->ids, id_hash(&ld->ids, id, len));
    return MKBA_OK;
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
/* The code of category level s[0..len) (len > 0) of variable v; the next
 * code when it is new. A district or a household type has a few levels:
 * the first LEVEL_SCAN are compared directly, the map knows them all. */
static long level_code(loader *ld, size_t v, const char *s, size_t len)
{
    cvar *cv = &ld->c->vars[v];
    size_t scan = cv->n_levels < LEVEL_SCAN ? cv->n_levels : LEVEL_SCAN;
    for (size_t l = 0; l < scan; l++)
        if (ld->level_lens[v][l] == len && memcmp(cv->levels[l], s, len) == 0)
            return (long)l;
    if (!ld->levels[v])
        ld->levels[v] = mkba_strmap_alloc();
    long code = mkba_strmap_put(ld->levels[v], s, len, (long)cv->n_levels);
    if ((size_t)code == cv->n_levels) {
        if (code < LEVEL_SCAN)
            ld->level_lens[v][code] = len;
        add_level(cv, s, len);
    }
    return code;
}

static int parse_value(loader *ld, size_t v, char **fields, const size_t *lens, long line,
                       double *out, mkba_error *err)
{
    cvar *cv = &ld->c->vars[v];
    const mkba_cohort_range *rg = range_of(ld, v);
    size_t len;
    const char *s = trim_n(fields[ld->col[v]], lens[ld->col[v]], &len);
    double x = 0;
    cell_kind kind = classify(cv, rg, s, len, ld->dialect, &x);
    *out = NAN;
    if (kind == CELL_MISSING)
        return 1;
    if (kind == CELL_OK && cv->type == MKBA_VAR_CATEGORY) {
        *out = (double)level_code(ld, v, s, len);
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

/* The common cells, which parse_value would take as they are, without
 * classify: an empty cell where missing values are allowed, a plain
 * number (mkba_csv_number_field) that fits its column, a category level
 * with nothing to trim that cannot be a missing-value word (it starts with
 * neither '.' nor 'N' nor 'n'). Returns 1 with *x (NaN when missing) and
 * *missing set; 0 for any other cell (parse_value decides it). */
static int plain_cell(loader *ld, const cvar *cv, size_t v, const char *s, size_t len, double *x,
                      int *missing)
{
    if (len == 0) {
        *missing = 1;
        return ld->spec->missing != MKBA_MISSING_ERROR;
    }
    *missing = 0;
    if (cv->type == MKBA_VAR_CATEGORY) {
        unsigned char first = (unsigned char)s[0], last = (unsigned char)s[len - 1];
        if (first <= ' ' || last <= ' ' || first == '.' || first == 'N' || first == 'n')
            return 0;
        *x = (double)level_code(ld, v, s, len);
        return 1;
    }
    double y;
    if (!mkba_csv_number_field(s, len, ld->dialect->decimal_comma, &y) ||
        number_kind(cv, range_of(ld, v), y) != CELL_OK)
        return 0;
    *x = y + 0.0; /* no -0 (-0 + 0 = +0), as parse_value */
    return 1;
}

static mkba_status add_person(loader *ld, char **fields, const size_t *lens, long line,
                              mkba_error *err)
{
    mkba_cohort *c = ld->c;
    int g = row_group(ld, fields, lens, line, err);
    if (g < 0)
        return MKBA_EINVAL;
    if (ld->id_col >= 0) {
        mkba_status st = record_id(ld, fields, lens, line, err);
        if (st != MKBA_OK)
            return st;
    }
    cohort_reserve(c);
    for (size_t v = 0; v < c->n_vars; v++) {
        cvar *cv = &c->vars[v];
        double x = NAN;
        int missing = 1;
        long col = ld->col[v];
        if (col >= 0 && !(ld->fast && plain_cell(ld, cv, v, fields[col], lens[col], &x, &missing))) {
            missing = parse_value(ld, v, fields, lens, line, &x, err);
            if (missing < 0)
                return MKBA_EINVAL;
            if (missing && ld->spec->missing == MKBA_MISSING_ERROR)
                return value_error_v(err, ld, line, c->vars[v].column,
                                     "missing value (policy 'error')");
        }
        if (!missing && !ld->thou[v].other && !ld->dialect->decimal_comma &&
            (cv->type == MKBA_VAR_NUMBER || cv->type == MKBA_VAR_NONNEG))
            thou_count(ld, v, fields[col], lens[col], line);
        cv->values[c->n] = x;
        cv->missing[g] += (size_t)missing;
    }
    c->group[c->n++] = (uint8_t)g;
    c->count[g]++;
    ld->rows++;
    return MKBA_OK;
}

static mkba_status on_row(void *vld, size_t n_fields, char **fields, const size_t *lens,
                          long line, mkba_error *err)
{
    loader *ld = vld;
    if (!ld->header_done)
        return map_header(ld, n_fields, fields, line, err);
    /* mkba_csv_read has checked n_fields against the header: the mapped
     * field indices are valid for every record. */
    bsn_scan(ld, fields, lens);
    return add_person(ld, fields, lens, line, err);
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
    loader ld = {.spec = spec, .c = c, .fast = mkba_csv_fast_path_on()};
    ld.col = mkba_xcalloc(c->n_vars ? c->n_vars : 1, sizeof *ld.col);
    ld.levels = mkba_xcalloc(c->n_vars ? c->n_vars : 1, sizeof *ld.levels);
    ld.level_lens = mkba_xcalloc(c->n_vars ? c->n_vars : 1, sizeof *ld.level_lens);
    ld.thou = mkba_xcalloc(c->n_vars ? c->n_vars : 1, sizeof *ld.thou);
    idlog_init(&ld.ids);
    bsn_first_bytes(&ld);
    ld.pilot_len = blank_str(spec->pilot_value) ? 0 : strlen(spec->pilot_value);
    ld.control_len = blank_str(spec->control_value) ? 0 : strlen(spec->control_value);
    mkba_status st;
    if (!blank_str(spec->file)) {
        st = read_file(&ld, spec->file, 0, -1, err);
    } else {
        st = read_file(&ld, spec->pilot_file, 0, MKBA_PILOT, err);
        if (st == MKBA_OK)
            st = read_file(&ld, spec->control_file, 1, MKBA_CONTROL, err);
    }
    if (st == MKBA_OK)
        st = thou_verdict(&ld, err);
    st = ids_settle(&ld, st, err);
    bsn_free(&ld);
    for (size_t v = 0; v < c->n_vars; v++)
        mkba_strmap_free(ld.levels[v]);
    free(ld.levels);
    free(ld.level_lens);
    free(ld.thou);
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

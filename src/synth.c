/* synth.c - the synthetic cohort generator: reads a spec (INI, via ini.h)
 * and draws a cohort CSV from it.
 *
 * Loading: mkba_ini_read does the INI part (syntax, line numbers, lines
 * too long for inih, repeated keys and sections, indented continuation
 * lines). Here the spec is interpreted: section names are checked (inih
 * cuts them silently), then [synth] and the groups, then the columns in
 * file order; every setting is checked, and messages name the section, the
 * key and the key's line (the section's line when the key is missing).
 *
 * Writing draws row by row (groups in spec order, then persons), column by
 * column in spec order, from one gsl_rng_mt19937 seeded with the seed, and
 * prints every number with a fixed count of decimals. Hence the file is a
 * function of the spec and the seed alone. The file is written atomically
 * (fsutil.h). */
#include "mkba/synth.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "mkba/fsutil.h"
#include "mkba/ini.h"
#include "mkba/mem.h"

#define MAX_SECTION_NAME 48     /* inih's MAX_SECTION 50 less the NUL, less 1: a name
                                   of 49 bytes may have been cut from a longer one */
#define MAX_GROUP_N 10000000L   /* persons per group */
#define MAX_POISSON 1e7         /* gsl_ran_poisson returns an unsigned int */
#define MAX_MONTHS 1000000.0    /* bound for months_if min/max */
#define MAX_ROUND 6             /* decimals */
#define MAX_ID_DIGITS 8         /* ids never have 9 digits (a BSN has 9) */
#define MAX_SEED 4294967295UL   /* mt19937 takes 32 bits of the seed */

/* ========================= Sections of the INI ========================= */

typedef mkba_ini_entry entry;   /* key, value (trimmed), line */

/* A view of one [section]: its entries are those of 'ini' with this name. */
typedef struct section {
    const mkba_ini *ini;
    const char *name;           /* e.g. "column.leeftijd"; borrowed from ini */
    long line;                  /* line of the header */
} section;

static const entry *find_entry(const section *sec, const char *key)
{
    return mkba_ini_get(sec->ini, sec->name, key);
}

/* ========================= The spec ========================= */

typedef enum { /* same order as TYPES below */
    GEN_ID, GEN_GROUP, GEN_CATEGORY, GEN_BERNOULLI, GEN_NORMAL,
    GEN_LOGNORMAL, GEN_GAMMA, GEN_POISSON, GEN_MONTHS_IF
} gen_type;

/* Parameters that may differ per group ("mean.pilot = 24"). */
enum { P_MEAN, P_SD, P_P, P_ZERO, P_MIN, P_MAX, P_MISSING, N_PAR };

#define LINK_KEYS "depends, slope, center, shift_by, shift"
#define NUMERIC_KEYS "mean, sd, zero, " LINK_KEYS ", min, max, round, missing"
#define PER_GROUP_KEYS "p, mean, sd, zero, min, max, missing, weights, slope, shift"

static const struct type_def {
    const char *name;
    gen_type type;
    const char *keys;           /* allowed besides "type", ", "-separated */
} TYPES[] = {
    {"id", GEN_ID, "prefix, digits"},
    {"group", GEN_GROUP, ""},
    {"category", GEN_CATEGORY, "levels, weights, missing"},
    {"bernoulli", GEN_BERNOULLI, "p, " LINK_KEYS ", missing"},
    {"normal", GEN_NORMAL, NUMERIC_KEYS},
    {"lognormal", GEN_LOGNORMAL, NUMERIC_KEYS},
    {"gamma", GEN_GAMMA, NUMERIC_KEYS},
    {"poisson", GEN_POISSON, "mean, zero, " LINK_KEYS ", min, max, round, missing"},
    {"months_if", GEN_MONTHS_IF, "if, min, max, missing"},
};
#define N_TYPES (sizeof TYPES / sizeof TYPES[0])
#define TYPE_NAMES "id, group, category, bernoulli, normal, lognormal, gamma, poisson, months_if"

typedef struct column {
    char *name;                 /* header name */
    gen_type type;
    double *par[N_PAR];         /* [n_groups] each; NULL where the type has none */
    char **levels;              /* category: level texts */
    size_t n_levels;
    double *cum;                /* category: cumulative weights [n_groups][n_levels] */
    size_t *deps;               /* 'depends': indices of earlier columns */
    size_t n_deps;
    double *slope;              /* [n_groups][n_deps] */
    double *center;             /* [n_deps]: subtracted from each column in depends */
    size_t shift_by;            /* 'shift_by': index of an earlier category column */
    double *shift;              /* [n_groups][n_shift]; NULL without shift_by */
    size_t n_shift;             /* levels of the shift_by column */
    size_t cond;                /* months_if: index of the 'if' column */
    int round;                  /* decimals written (numbers are rounded to them) */
    char *prefix;               /* id: text before the number */
    int digits;                 /* id: width of the zero-padded number */
} column;

typedef struct group {
    char *name;                 /* value written in a 'group' column */
    size_t n;                   /* persons */
} group;

struct mkba_synth {
    char *path;                 /* spec file, for messages at write time */
    char *title;                /* [synth] title, "" if none */
    double follow_up;           /* [synth] follow_up_months, 0 if not given */
    group *groups;
    size_t n_groups;
    column *cols;               /* in file order = output order = draw order */
    size_t n_cols;
    size_t rows;                /* sum of the groups' n */
};

static void column_fini(column *c)
{
    free(c->name);
    for (int k = 0; k < N_PAR; k++)
        free(c->par[k]);
    for (size_t i = 0; i < c->n_levels; i++)
        free(c->levels[i]);
    free(c->levels);
    free(c->cum);
    free(c->deps);
    free(c->slope);
    free(c->center);
    free(c->shift);
    free(c->prefix);
}

void mkba_synth_free(mkba_synth *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_cols; i++)
        column_fini(&s->cols[i]);
    free(s->cols);
    for (size_t g = 0; g < s->n_groups; g++)
        free(s->groups[g].name);
    free(s->groups);
    free(s->title);
    free(s->path);
    free(s);
}

size_t mkba_synth_rows(const mkba_synth *s) { return s ? s->rows : 0; }
size_t mkba_synth_columns(const mkba_synth *s) { return s ? s->n_cols : 0; }
const char *mkba_synth_title(const mkba_synth *s) { return s ? s->title : ""; }

/* ========================= Pass two: checked values ========================= */

typedef struct loader {
    const char *path;           /* spec file, for messages */
    mkba_synth *s;              /* being built */
    const mkba_ini *ini;
    mkba_error *err;
} loader;

/* Line for a message about [sec] key: the key's own line if it is given,
 * else the line of the section header (0 without a section). */
static long line_of(const section *sec, const char *key)
{
    const entry *e = sec && key ? find_entry(sec, key) : NULL;
    return e ? e->line : sec ? sec->line : 0;
}

/* Record an error about [sec] key (either may be NULL) on 'line' and
 * return 'code'. */
static mkba_status vbad(const loader *ld, mkba_status code, const section *sec,
                        const char *key, long line, const char *fmt, va_list ap)
{
    char where[256], msg[1024];
    if (sec && key)
        snprintf(where, sizeof where, "[%s] %s", sec->name, key);
    else if (sec)
        snprintf(where, sizeof where, "[%s]", sec->name);
    else
        snprintf(where, sizeof where, "%s", key ? key : "");
    vsnprintf(msg, sizeof msg, fmt, ap);
    return mkba_error_set(ld->err, code, ld->path, line, where, "%s", msg);
}

/* vbad on an explicit line. */
#if defined(__GNUC__)
__attribute__((format(printf, 6, 7)))
#endif
static mkba_status bad_at(const loader *ld, mkba_status code, const section *sec,
                          const char *key, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mkba_status st = vbad(ld, code, sec, key, line, fmt, ap);
    va_end(ap);
    return st;
}

/* vbad on the line of 'key' (see line_of). */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static mkba_status bad(const loader *ld, mkba_status code, const section *sec,
                       const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mkba_status st = vbad(ld, code, sec, key, line_of(sec, key), fmt, ap);
    va_end(ap);
    return st;
}

typedef enum {
    CK_ANY,      /* any finite number */
    CK_POS,      /* > 0 */
    CK_NONNEG,   /* >= 0 */
    CK_PROB,     /* 0 .. 1 */
    CK_FRAC,     /* 0 .. below 1: a share that must leave something */
    CK_RATE,     /* > 0 and <= MAX_POISSON */
    CK_COUNT     /* whole number 0 .. MAX_MONTHS */
} check;

static const char *check_text(check ck)
{
    switch (ck) {
    case CK_POS: return "a number > 0";
    case CK_NONNEG: return "a number >= 0";
    case CK_PROB: return "a probability from 0 to 1";
    case CK_FRAC: return "a number >= 0 and < 1";
    case CK_RATE: return "a number > 0 and <= 10000000";
    case CK_COUNT: return "a whole number from 0 to 1000000";
    case CK_ANY: break;
    }
    return "a number";
}

static int check_ok(check ck, double v)
{
    switch (ck) {
    case CK_POS: return v > 0;
    case CK_NONNEG: return v >= 0;
    case CK_PROB: return v >= 0 && v <= 1;
    case CK_FRAC: return v >= 0 && v < 1;
    case CK_RATE: return v > 0 && v <= MAX_POISSON;
    case CK_COUNT: return v >= 0 && v <= MAX_MONTHS && v == floor(v);
    case CK_ANY: break;
    }
    return 1;
}

/* Strict decimal number: digits, sign, '.', exponent; nothing else (no
 * "inf", "nan", hex, decimal comma or trailing text). */
static int parse_number(const char *s, double *out)
{
    if (!s[0] || strspn(s, "0123456789+-.eE") != strlen(s))
        return 0;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno == ERANGE || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    if (!s[0] || strspn(s, "0123456789+-") != strlen(s))
        return 0;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end || errno == ERANGE || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

static mkba_status get_long(const loader *ld, const section *sec, const char *key,
                            long lo, long hi, long def, int required, long *out)
{
    const entry *e = find_entry(sec, key);
    if (!e) {
        if (required)
            return bad(ld, MKBA_EINVAL, sec, key, "missing");
        *out = def;
        return MKBA_OK;
    }
    if (!parse_long(e->value, lo, hi, out))
        return bad(ld, MKBA_EINVAL, sec, key, "expected a whole number from %ld to %ld, got '%s'",
                   lo, hi, e->value);
    return MKBA_OK;
}

/* ---- lists ---- */

static void trim_span(const char **b, const char **e)
{
    while (*b < *e && (**b == ' ' || **b == '\t'))
        (*b)++;
    while (*e > *b && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
        (*e)--;
}

/* Split at ',' and trim; empty items are kept (so they can be reported).
 * Returns a new array of new strings; free with free_list. */
static char **split_list(const char *s, size_t *n)
{
    size_t count = 1;
    for (const char *p = s; *p; p++)
        count += *p == ',';
    char **items = mkba_xcalloc(count, sizeof *items);
    const char *b = s;
    for (size_t i = 0; i < count; i++) {
        const char *e = strchr(b, ',');
        if (!e)
            e = b + strlen(b);
        const char *next = *e ? e + 1 : e;
        trim_span(&b, &e);
        items[i] = mkba_xstrndup(b, (size_t)(e - b));
        b = next;
    }
    *n = count;
    return items;
}

static void free_list(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(items);
}

/* Parse entry 'e' as 'n' numbers (n == 1: one number) into dst. */
static mkba_status parse_numbers(const loader *ld, const section *sec, const entry *e,
                                 check ck, size_t n, const char *what, double *dst)
{
    if (n == 1) { /* whole value: "0,3" is a decimal comma, not a list */
        if (!parse_number(e->value, &dst[0]) || !check_ok(ck, dst[0]))
            return bad(ld, MKBA_EINVAL, sec, e->key, "expected %s, got '%s'",
                       check_text(ck), e->value);
        return MKBA_OK;
    }
    size_t got;
    char **items = split_list(e->value, &got);
    mkba_status st = MKBA_OK;
    if (got != n) {
        st = bad(ld, MKBA_EINVAL, sec, e->key, "expected %zu numbers (%s), got %zu",
                 n, what, got);
    } else {
        for (size_t i = 0; i < n && st == MKBA_OK; i++)
            if (!parse_number(items[i], &dst[i]) || !check_ok(ck, dst[i]))
                st = bad(ld, MKBA_EINVAL, sec, e->key, "expected %s, got '%s' in '%s'",
                         check_text(ck), items[i], e->value);
    }
    free_list(items, got);
    return st;
}

/* Is 'word' one of the ", "-separated words of 'list'? */
static int in_list(const char *list, const char *word, size_t len)
{
    const char *p = list;
    while (*p) {
        size_t w = strcspn(p, ",");
        if (w == len && strncmp(p, word, len) == 0)
            return 1;
        p += w;
        while (*p == ',' || *p == ' ')
            p++;
    }
    return 0;
}

static long find_group(const mkba_synth *s, const char *name)
{
    for (size_t g = 0; g < s->n_groups; g++)
        if (strcmp(s->groups[g].name, name) == 0)
            return (long)g;
    return -1;
}

/* "pilot, regulier" */
static void group_names(const mkba_synth *s, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t g = 0; g < s->n_groups && used < size; g++) {
        int w = snprintf(buf + used, size - used, "%s%s", g ? ", " : "", s->groups[g].name);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* Every key of 'sec' must be "type", one of 'known', or a per-group form
 * "KEY.GROUP" of one of them when allow_group is set. */
static mkba_status check_keys(const loader *ld, const section *sec, const char *known,
                              const char *type_name, int allow_group)
{
    for (size_t k = 0; k < sec->ini->n; k++) {
        const entry *e = &sec->ini->entries[k];
        if (strcmp(e->section, sec->name) != 0)
            continue;
        const char *key = e->key;
        const char *dot = allow_group ? strchr(key, '.') : NULL;
        size_t len = dot ? (size_t)(dot - key) : strlen(key);
        int ok = in_list(known, key, len) || (type_name && len == 4 && !strncmp(key, "type", 4));
        if (!ok && type_name)
            return bad(ld, MKBA_EINVAL, sec, key, "unknown key for type '%s' (known: type%s%s)",
                       type_name, known[0] ? ", " : "", known);
        if (!ok)
            return bad(ld, MKBA_EINVAL, sec, key, "unknown key (known: %s)", known);
        if (!dot)
            continue;
        if (!in_list(PER_GROUP_KEYS, key, len))
            return bad(ld, MKBA_EINVAL, sec, key, "'%.*s' cannot be set per group",
                       (int)len, key);
        if (find_group(ld->s, dot + 1) < 0) {
            char names[512];
            group_names(ld->s, names, sizeof names);
            return bad(ld, MKBA_EINVAL, sec, key, "unknown group '%s' (groups: %s)",
                       dot + 1, names);
        }
    }
    return MKBA_OK;
}

static const entry *find_group_entry(const section *sec, const char *key, const char *grp)
{
    char full[256];
    snprintf(full, sizeof full, "%s.%s", key, grp);
    return find_entry(sec, full);
}

/* "KEY" if given, else the first "KEY.GROUP" given, else NULL. */
static const entry *any_entry(const loader *ld, const section *sec, const char *key)
{
    const entry *e = find_entry(sec, key);
    for (size_t g = 0; g < ld->s->n_groups && !e; g++)
        e = find_group_entry(sec, key, ld->s->groups[g].name);
    return e;
}

/* Line of the setting that group 'grp' uses: "KEY.GROUP", else "KEY". */
static long group_line(const section *sec, const char *key, const char *grp)
{
    const entry *e = find_group_entry(sec, key, grp);
    return e ? e->line : line_of(sec, key);
}

/* Fill out[g * n .. g * n + n - 1] for every group g from "KEY.GROUP" or
 * else "KEY". When neither is given: copy 'def' (n values) if it is not
 * NULL, else report the key as missing. */
static mkba_status get_par_n(const loader *ld, const section *sec, const char *key,
                             check ck, size_t n, const char *what, const double *def,
                             double *out)
{
    const mkba_synth *s = ld->s;
    const entry *be = find_entry(sec, key);
    double *base = mkba_xcalloc(n, sizeof *base);
    mkba_status st = MKBA_OK;
    if (be)
        st = parse_numbers(ld, sec, be, ck, n, what, base);
    else if (def)
        memcpy(base, def, n * sizeof *base);
    for (size_t g = 0; g < s->n_groups && st == MKBA_OK; g++) {
        const entry *ge = find_group_entry(sec, key, s->groups[g].name);
        if (ge)
            st = parse_numbers(ld, sec, ge, ck, n, what, out + g * n);
        else if (be || def)
            memcpy(out + g * n, base, n * sizeof *base);
        else
            st = bad(ld, MKBA_EINVAL, sec, key, "missing for group '%s' (give %s or %s.%s)",
                     s->groups[g].name, key, key, s->groups[g].name);
    }
    free(base);
    return st;
}

/* One number per group; 'required' keys have no default. */
static mkba_status get_par(const loader *ld, const section *sec, const char *key,
                           check ck, int required, double def, double **out)
{
    *out = mkba_xcalloc(ld->s->n_groups, sizeof **out);
    if (required && !any_entry(ld, sec, key))
        return bad(ld, MKBA_EINVAL, sec, key, "missing");
    return get_par_n(ld, sec, key, ck, 1, "", required ? NULL : &def, *out);
}

/* Letters, digits and the characters in 'extra'; non-empty. */
static int valid_name(const char *s, const char *extra)
{
    if (!s[0])
        return 0;
    for (const char *p = s; *p; p++) {
        int c = (unsigned char)*p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr(extra, c)))
            return 0;
    }
    return 1;
}

/* ---- [synth] and [group.NAME] ---- */

static mkba_status load_synth(const loader *ld, const section *sec)
{
    mkba_status st = check_keys(ld, sec, "title, follow_up_months", NULL, 0);
    if (st)
        return st;
    const entry *t = find_entry(sec, "title");
    if (t) {
        free(ld->s->title);
        ld->s->title = mkba_xstrdup(t->value);
    }
    long months;
    st = get_long(ld, sec, "follow_up_months", 1, 600, 0, 0, &months);
    ld->s->follow_up = (double)months;
    return st;
}

static mkba_status load_group(const loader *ld, const section *sec, const char *name)
{
    mkba_synth *s = ld->s;
    if (!valid_name(name, "_-"))
        return bad(ld, MKBA_EINVAL, sec, NULL,
                   "a group name is letters, digits, '_' or '-', got '%s'", name);
    mkba_status st = check_keys(ld, sec, "n", NULL, 0);
    long n = 0;
    if (!st)
        st = get_long(ld, sec, "n", 1, MAX_GROUP_N, 0, 1, &n);
    if (st)
        return st;
    s->groups = mkba_xreallocarray(s->groups, s->n_groups + 1, sizeof *s->groups);
    s->groups[s->n_groups++] = (group){mkba_xstrdup(name), (size_t)n};
    s->rows += (size_t)n;
    return MKBA_OK;
}

/* ---- [column.NAME] ---- */

static int is_numeric(gen_type t)
{
    return t != GEN_ID && t != GEN_GROUP && t != GEN_CATEGORY;
}

/* Index of the column 'name' defined above column 'self' (for 'depends',
 * 'shift_by' and 'if'); the callers check its type. */
static mkba_status earlier_any(const loader *ld, const section *sec, const char *key,
                               const char *name, size_t self, size_t *out)
{
    const mkba_synth *s = ld->s;
    if (strcmp(name, s->cols[self].name) == 0)
        return bad(ld, MKBA_EINVAL, sec, key, "a column cannot depend on itself");
    for (size_t i = 0; i < self; i++) {
        if (strcmp(s->cols[i].name, name) == 0) {
            *out = i;
            return MKBA_OK;
        }
    }
    char later[128];
    snprintf(later, sizeof later, "column.%s", name);
    if (mkba_ini_section_line(ld->ini, later) > 0)
        return bad(ld, MKBA_EINVAL, sec, key,
                   "column '%s' must be defined above this one (columns are drawn in order)",
                   name);
    return bad(ld, MKBA_EINVAL, sec, key, "unknown column '%s'", name);
}

/* Index of the earlier numeric column 'name' (for 'depends' and 'if'). */
static mkba_status earlier_column(const loader *ld, const section *sec, const char *key,
                                  const char *name, size_t self, size_t *out)
{
    mkba_status st = earlier_any(ld, sec, key, name, self, out);
    if (!st && !is_numeric(ld->s->cols[*out].type))
        return bad(ld, MKBA_EINVAL, sec, key, "column '%s' is not numeric (type %s)",
                   name, TYPES[ld->s->cols[*out].type].name);
    return st;
}

static mkba_status load_id(const loader *ld, const section *sec, column *c)
{
    const entry *e = find_entry(sec, "prefix");
    const char *prefix = e ? e->value : "SYN";
    int has_letter = 0;
    for (const char *p = prefix; *p; p++)
        has_letter |= (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z');
    if (!valid_name(prefix, "_-") || !has_letter || strlen(prefix) > 16)
        return bad(ld, MKBA_EINVAL, sec, "prefix",
                   "expected 1 to 16 letters, digits, '_' or '-' with at least one letter"
                   " (an id must not look like a citizen service number), got '%s'", prefix);
    c->prefix = mkba_xstrdup(prefix);
    long digits;
    mkba_status st = get_long(ld, sec, "digits", 1, MAX_ID_DIGITS, 5, 0, &digits);
    if (st)
        return st;
    c->digits = (int)digits;
    double limit = pow(10.0, (double)digits) - 1;
    if ((double)ld->s->rows > limit)
        return bad(ld, MKBA_EINVAL, sec, "digits", "%ld digits cannot number %zu rows",
                   digits, ld->s->rows);
    return MKBA_OK;
}

static mkba_status load_levels(const loader *ld, const section *sec, column *c)
{
    const entry *e = find_entry(sec, "levels");
    if (!e)
        return bad(ld, MKBA_EINVAL, sec, "levels", "missing");
    c->levels = split_list(e->value, &c->n_levels);
    for (size_t i = 0; i < c->n_levels; i++) {
        const char *lv = c->levels[i];
        if (!lv[0])
            return bad(ld, MKBA_EINVAL, sec, "levels", "empty level in '%s'", e->value);
        for (const char *p = lv; *p; p++)
            if (*p == '"' || (unsigned char)*p < 0x20 || *p == 0x7f)
                return bad(ld, MKBA_EINVAL, sec, "levels",
                           "level '%s' contains a '\"' or a control character", lv);
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->levels[j], lv) == 0)
                return bad(ld, MKBA_EINVAL, sec, "levels", "level '%s' given twice", lv);
    }
    return MKBA_OK;
}

static mkba_status load_category(const loader *ld, const section *sec, column *c)
{
    mkba_status st = load_levels(ld, sec, c);
    if (st)
        return st;
    size_t L = c->n_levels, G = ld->s->n_groups;
    double *equal = mkba_xcalloc(L, sizeof *equal);
    for (size_t k = 0; k < L; k++)
        equal[k] = 1;
    c->cum = mkba_xcalloc(G * L, sizeof *c->cum);
    st = get_par_n(ld, sec, "weights", CK_NONNEG, L, "one per level", equal, c->cum);
    free(equal);
    for (size_t g = 0; g < G && st == MKBA_OK; g++) {
        double *w = c->cum + g * L, sum = 0;
        for (size_t k = 0; k < L; k++)
            sum += w[k];
        const char *grp = ld->s->groups[g].name;
        if (!(sum > 0))
            return bad_at(ld, MKBA_EINVAL, sec, "weights", group_line(sec, "weights", grp),
                          "weights add up to 0 for group '%s'", grp);
        double acc = 0; /* normalise and accumulate: draw = first k with u < cum[k] */
        for (size_t k = 0; k < L; k++) {
            acc += w[k];
            w[k] = acc / sum;
        }
        w[L - 1] = 1.0;
    }
    return st;
}

static mkba_status check_bounds(const loader *ld, const section *sec, const column *c)
{
    for (size_t g = 0; g < ld->s->n_groups; g++) {
        const char *grp = ld->s->groups[g].name;
        if (c->par[P_MAX][g] < c->par[P_MIN][g])
            return bad_at(ld, MKBA_EINVAL, sec, "max", group_line(sec, "max", grp),
                          "max (%g) is below min (%g) for group '%s'", c->par[P_MAX][g],
                          c->par[P_MIN][g], grp);
    }
    return MKBA_OK;
}

/* depends, slope and center. */
static mkba_status load_depends(const loader *ld, const section *sec, column *c, size_t self)
{
    const entry *e = find_entry(sec, "depends");
    const entry *slope = any_entry(ld, sec, "slope"), *center = find_entry(sec, "center");
    if (!e && (slope || center))
        return bad_at(ld, MKBA_EINVAL, sec, slope ? "slope" : "center",
                      slope ? slope->line : center->line, "given without depends");
    if (!e)
        return MKBA_OK;
    size_t n;
    char **names = split_list(e->value, &n);
    c->deps = mkba_xcalloc(n, sizeof *c->deps);
    c->n_deps = n;
    mkba_status st = MKBA_OK;
    for (size_t j = 0; j < n && st == MKBA_OK; j++)
        st = earlier_column(ld, sec, "depends", names[j], self, &c->deps[j]);
    free_list(names, n);
    if (st)
        return st;
    if (!slope)
        return bad(ld, MKBA_EINVAL, sec, "slope", "missing (one number per column in depends)");
    c->slope = mkba_xcalloc(ld->s->n_groups * n, sizeof *c->slope);
    st = get_par_n(ld, sec, "slope", CK_ANY, n, "one per column in depends", NULL, c->slope);
    c->center = mkba_xcalloc(n, sizeof *c->center); /* default 0: the column as it is */
    if (!st && center)
        st = parse_numbers(ld, sec, center, CK_ANY, n, "one per column in depends", c->center);
    return st;
}

/* shift_by (an earlier category column) and shift (one number per level). */
static mkba_status load_shift(const loader *ld, const section *sec, column *c, size_t self)
{
    const entry *e = find_entry(sec, "shift_by");
    const entry *shift = any_entry(ld, sec, "shift");
    if (!e)
        return shift ? bad_at(ld, MKBA_EINVAL, sec, "shift", shift->line,
                              "given without shift_by")
                     : MKBA_OK;
    mkba_status st = earlier_any(ld, sec, "shift_by", e->value, self, &c->shift_by);
    if (st)
        return st;
    const column *by = &ld->s->cols[c->shift_by];
    if (by->type != GEN_CATEGORY)
        return bad(ld, MKBA_EINVAL, sec, "shift_by", "column '%s' is not a category (type %s)",
                   e->value, TYPES[by->type].name);
    char what[128];
    snprintf(what, sizeof what, "one per level of %s", by->name);
    if (!shift)
        return bad(ld, MKBA_EINVAL, sec, "shift", "missing (%s)", what);
    c->n_shift = by->n_levels;
    c->shift = mkba_xcalloc(ld->s->n_groups * by->n_levels, sizeof *c->shift);
    return get_par_n(ld, sec, "shift", CK_ANY, by->n_levels, what, NULL, c->shift);
}

/* With depends or shift_by, p is the probability at the centers and the
 * shift 0; the links act on its logit, which needs 0 < p < 1. */
static mkba_status load_bernoulli(const loader *ld, const section *sec, column *c, size_t self)
{
    mkba_status st = get_par(ld, sec, "p", CK_PROB, 1, 0, &c->par[P_P]);
    if (!st)
        st = load_depends(ld, sec, c, self);
    if (!st)
        st = load_shift(ld, sec, c, self);
    for (size_t g = 0; g < ld->s->n_groups && !st && (c->n_deps || c->shift); g++) {
        double p = c->par[P_P][g];
        const char *grp = ld->s->groups[g].name;
        if (!(p > 0 && p < 1))
            st = bad_at(ld, MKBA_EINVAL, sec, "p", group_line(sec, "p", grp),
                        "expected a probability above 0 and below 1 with depends or shift_by"
                        " (they act on its logit), got %g for group '%s'", p, grp);
    }
    return st;
}

/* normal, lognormal, gamma, poisson */
static mkba_status load_numeric(const loader *ld, const section *sec, column *c, size_t self)
{
    check mean_ck = c->type == GEN_NORMAL ? CK_ANY : c->type == GEN_POISSON ? CK_RATE : CK_POS;
    mkba_status st = get_par(ld, sec, "mean", mean_ck, 1, 0, &c->par[P_MEAN]);
    if (!st && c->type != GEN_POISSON)
        st = get_par(ld, sec, "sd", CK_POS, 1, 0, &c->par[P_SD]);
    if (!st)
        st = get_par(ld, sec, "zero", CK_FRAC, 0, 0, &c->par[P_ZERO]);
    if (!st)
        st = load_depends(ld, sec, c, self);
    if (!st)
        st = load_shift(ld, sec, c, self);
    if (!st)
        st = get_par(ld, sec, "min", CK_ANY, 0, -HUGE_VAL, &c->par[P_MIN]);
    if (!st)
        st = get_par(ld, sec, "max", CK_ANY, 0, HUGE_VAL, &c->par[P_MAX]);
    if (!st)
        st = check_bounds(ld, sec, c);
    long round = c->type == GEN_POISSON ? 0 : 2;
    if (!st)
        st = get_long(ld, sec, "round", 0, MAX_ROUND, round, 0, &round);
    c->round = (int)round;
    return st;
}

static mkba_status load_months_if(const loader *ld, const section *sec, column *c, size_t self)
{
    const entry *e = find_entry(sec, "if");
    if (!e)
        return bad(ld, MKBA_EINVAL, sec, "if", "missing (the column whose 0 means 0 months)");
    mkba_status st = earlier_column(ld, sec, "if", e->value, self, &c->cond);
    if (!st)
        st = get_par(ld, sec, "min", CK_COUNT, 0, 1, &c->par[P_MIN]);
    if (st)
        return st;
    double hi = ld->s->follow_up;
    if (!any_entry(ld, sec, "max") && hi == 0)
        return bad(ld, MKBA_EINVAL, sec, "max", "missing (give max, or follow_up_months in [synth])");
    st = get_par(ld, sec, "max", CK_COUNT, hi == 0, hi, &c->par[P_MAX]);
    if (!st)
        st = check_bounds(ld, sec, c);
    c->round = 0;
    return st;
}

static mkba_status load_column(const loader *ld, const section *sec, const char *name,
                               size_t self)
{
    column *c = &ld->s->cols[self];
    c->name = mkba_xstrdup(name);
    if (!valid_name(name, "_") || (name[0] >= '0' && name[0] <= '9'))
        return bad(ld, MKBA_EINVAL, sec, NULL,
                   "a column name is letters, digits and '_', not starting with a digit,"
                   " got '%s'", name);
    const entry *te = find_entry(sec, "type");
    if (!te)
        return bad(ld, MKBA_EINVAL, sec, "type", "missing (one of " TYPE_NAMES ")");
    size_t t = 0;
    while (t < N_TYPES && strcmp(TYPES[t].name, te->value) != 0)
        t++;
    if (t == N_TYPES)
        return bad(ld, MKBA_EINVAL, sec, "type", "unknown type '%s' (known: " TYPE_NAMES ")",
                   te->value);
    c->type = TYPES[t].type;
    mkba_status st = check_keys(ld, sec, TYPES[t].keys, TYPES[t].name, 1);
    if (st)
        return st;
    switch (c->type) {
    case GEN_ID: return load_id(ld, sec, c);
    case GEN_GROUP: return MKBA_OK;
    case GEN_CATEGORY: st = load_category(ld, sec, c); break;
    case GEN_BERNOULLI: st = load_bernoulli(ld, sec, c, self); break;
    case GEN_MONTHS_IF: st = load_months_if(ld, sec, c, self); break;
    default: st = load_numeric(ld, sec, c, self); break;
    }
    if (!st)
        st = get_par(ld, sec, "missing", CK_FRAC, 0, 0, &c->par[P_MISSING]);
    return st;
}

/* Section i of the INI. */
static section section_at(const mkba_ini *ini, size_t i)
{
    return (section){ini, ini->sections[i], ini->section_lines[i]};
}

/* What the INI reader lets through: keys above the first [section] (their
 * section is ""), and section names that inih may have cut (it keeps 49
 * bytes and drops the rest without a word). */
static mkba_status check_sections(const loader *ld)
{
    const mkba_ini *ini = ld->ini;
    for (size_t i = 0; i < ini->n_sections; i++) {
        const char *name = ini->sections[i];
        if (!name[0]) {
            size_t k = 0;
            while (ini->entries[k].section[0]) /* present: the section has an entry */
                k++;
            return bad_at(ld, MKBA_EINVAL, NULL, ini->entries[k].key, ini->entries[k].line,
                          "key is outside any [section]");
        }
        if (strlen(name) > MAX_SECTION_NAME)
            return mkba_error_set(ld->err, MKBA_EPARSE, ld->path, ini->section_lines[i], "",
                                  "section name too long (at most %d bytes)", MAX_SECTION_NAME);
    }
    return MKBA_OK;
}

/* [synth] and the groups first (columns refer to groups), then columns. */
static mkba_status load_sections(const loader *ld)
{
    const mkba_ini *ini = ld->ini;
    size_t n_cols = 0;
    mkba_status st = check_sections(ld);
    for (size_t i = 0; i < ini->n_sections && !st; i++) {
        section sec = section_at(ini, i);
        if (strcmp(sec.name, "synth") == 0)
            st = load_synth(ld, &sec);
        else if (strncmp(sec.name, "group.", 6) == 0)
            st = load_group(ld, &sec, sec.name + 6);
        else if (strncmp(sec.name, "column.", 7) == 0)
            n_cols++;
        else
            st = bad(ld, MKBA_EINVAL, &sec, NULL,
                     "unknown section (expected [synth], [group.NAME] or [column.NAME])");
    }
    if (st)
        return st;
    if (ld->s->n_groups == 0)
        return bad(ld, MKBA_EINVAL, NULL, NULL, "no [group.NAME] section: give at least one group");
    if (n_cols == 0)
        return bad(ld, MKBA_EINVAL, NULL, NULL, "no [column.NAME] section: give at least one column");
    ld->s->cols = mkba_xcalloc(n_cols, sizeof *ld->s->cols);
    for (size_t i = 0; i < ini->n_sections && !st; i++) {
        section sec = section_at(ini, i);
        if (strncmp(sec.name, "column.", 7) != 0)
            continue;
        size_t self = ld->s->n_cols++; /* counted first: a half-built column is freed too */
        st = load_column(ld, &sec, sec.name + 7, self);
    }
    return st;
}

mkba_synth *mkba_synth_load(const char *spec_path, mkba_error *err)
{
    if (!spec_path) {
        mkba_error_set(err, MKBA_EINVAL, "", 0, "", "no spec file given");
        return NULL;
    }
    mkba_ini *ini = mkba_ini_read(spec_path, err);
    if (!ini)
        return NULL;
    mkba_synth *s = mkba_xcalloc(1, sizeof *s);
    s->path = mkba_xstrdup(spec_path);
    s->title = mkba_xstrdup("");
    loader ld = {spec_path, s, ini, err};
    if (load_sections(&ld) != MKBA_OK) {
        mkba_synth_free(s);
        s = NULL;
    }
    mkba_ini_free(ini);
    return s;
}

/* ========================= Drawing ========================= */

static double round_to(double x, int digits)
{
    static const double scale[MAX_ROUND + 1] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
    double r = round(x * scale[digits]) / scale[digits];
    return r == 0 ? 0.0 : r; /* no "-0.00" */
}

/* The draw of the distribution itself, before 'depends' and bounds.
 * lognormal: mean m and sd s of the variable give sigma^2 = ln(1 + s^2/m^2)
 *   and zeta = ln(m) - sigma^2/2 (moments of the lognormal).
 * gamma: shape k = m^2/s^2 and scale theta = s^2/m (mean k*theta, var k*theta^2). */
static double draw_base(const column *c, size_t g, gsl_rng *r)
{
    double m = c->par[P_MEAN][g];
    switch (c->type) {
    case GEN_NORMAL:
        return m + gsl_ran_gaussian(r, c->par[P_SD][g]);
    case GEN_LOGNORMAL: {
        double cv = c->par[P_SD][g] / m, s2 = log1p(cv * cv);
        return gsl_ran_lognormal(r, log(m) - s2 / 2, sqrt(s2));
    }
    case GEN_GAMMA: {
        double sd = c->par[P_SD][g];
        return gsl_ran_gamma(r, (m / sd) * (m / sd), sd * sd / m);
    }
    default:
        return (double)gsl_ran_poisson(r, m);
    }
}

/* x plus the links of column c for a person of group g: slope_j * (A_j -
 * center_j) for each column A_j in depends, then the shift of the person's
 * level of shift_by. Added one by one, in that order (a spec without
 * center draws the same bytes as before center existed). */
static double add_links(const column *c, size_t g, const double *row, double x)
{
    for (size_t j = 0; j < c->n_deps; j++)
        x += c->slope[g * c->n_deps + j] * (row[c->deps[j]] - c->center[j]);
    if (c->shift)
        x += c->shift[g * c->n_shift + (size_t)row[c->shift_by]];
    return x;
}

/* Bernoulli probability of group g: p, or with links
 * plogis(logit(p) + links) = 1 / (1 + exp(-(log(p / (1 - p)) + links))). */
static double bernoulli_p(const column *c, size_t g, const double *row)
{
    double p = c->par[P_P][g];
    if (!c->n_deps && !c->shift)
        return p;
    return 1 / (1 + exp(-add_links(c, g, row, log(p / (1 - p)))));
}

/* Value of column c for a person of group g; 'row' holds the values of the
 * earlier columns (before 'missing' hid any of them). Draw order inside a
 * column: zero-inflation uniform (only if zero > 0), the distribution. */
static double draw_value(const column *c, size_t g, const double *row, gsl_rng *r)
{
    switch (c->type) {
    case GEN_ID:
    case GEN_GROUP:
        return 0;
    case GEN_CATEGORY: {
        const double *cum = c->cum + g * c->n_levels;
        double u = gsl_rng_uniform(r);
        size_t k = 0;
        while (k + 1 < c->n_levels && u >= cum[k])
            k++;
        return (double)k;
    }
    case GEN_BERNOULLI: {
        double p = bernoulli_p(c, g, row);
        if (isnan(p)) /* links of inf and -inf: reported as a value that is not finite */
            return p;
        return gsl_rng_uniform(r) < p ? 1 : 0;
    }
    case GEN_MONTHS_IF: {
        if (row[c->cond] == 0)
            return 0;
        double lo = c->par[P_MIN][g], hi = c->par[P_MAX][g];
        return lo + (double)gsl_rng_uniform_int(r, (unsigned long)(hi - lo) + 1);
    }
    default:
        break;
    }
    double zero = c->par[P_ZERO][g];
    if (zero > 0 && gsl_rng_uniform(r) < zero)
        return 0;
    double x = add_links(c, g, row, draw_base(c, g, r));
    if (x < c->par[P_MIN][g]) /* comparisons, not fmin/fmax: a NaN must stay visible */
        x = c->par[P_MIN][g];
    if (x > c->par[P_MAX][g])
        x = c->par[P_MAX][g];
    return round_to(x, c->round);
}

static void put_cell(FILE *f, const mkba_synth *s, const column *c, size_t g,
                     size_t row_no, double v)
{
    switch (c->type) {
    case GEN_ID:
        fprintf(f, "%s%0*zu", c->prefix, c->digits, row_no);
        break;
    case GEN_GROUP:
        fputs(s->groups[g].name, f);
        break;
    case GEN_CATEGORY:
        fputs(c->levels[(size_t)v], f);
        break;
    default:
        fprintf(f, "%.*f", c->round, v);
        break;
    }
}

/* Header and rows to 'f'. Stops early at a write error, which
 * mkba_afile_commit reports. */
static mkba_status write_rows(const mkba_synth *s, gsl_rng *r, FILE *f, mkba_error *err)
{
    for (size_t i = 0; i < s->n_cols; i++)
        fprintf(f, "%s%s", i ? "," : "", s->cols[i].name);
    fputc('\n', f);
    double *row = mkba_xcalloc(s->n_cols, sizeof *row);
    mkba_status st = MKBA_OK;
    size_t row_no = 0;
    for (size_t g = 0; g < s->n_groups && !st && !ferror(f); g++) {
        for (size_t i = 0; i < s->groups[g].n && !st && !ferror(f); i++) {
            row_no++;
            for (size_t k = 0; k < s->n_cols && !st; k++) {
                const column *c = &s->cols[k];
                row[k] = draw_value(c, g, row, r);
                if (!isfinite(row[k])) {
                    char where[128];
                    snprintf(where, sizeof where, "[column.%s]", c->name);
                    st = mkba_error_set(err, MKBA_ENUM, s->path, 0, where,
                                        "drew a value that is not finite for group '%s':"
                                        " the parameters are too extreme", s->groups[g].name);
                    break;
                }
                const double *miss = c->par[P_MISSING];
                int hide = miss && miss[g] > 0 && gsl_rng_uniform(r) < miss[g];
                if (k)
                    fputc(',', f);
                if (!hide)
                    put_cell(f, s, c, g, row_no, row[k]);
            }
            fputc('\n', f);
        }
    }
    free(row);
    return st;
}

mkba_status mkba_synth_write(const mkba_synth *s, unsigned long seed, const char *out_path,
                             mkba_error *err)
{
    if (!s || !out_path || !out_path[0])
        return mkba_error_set(err, MKBA_EINVAL, "", 0, "", "no spec or no output file given");
    if (seed > MAX_SEED)
        return mkba_error_set(err, MKBA_EINVAL, "", 0, "seed",
                              "must be at most %lu, got %lu", MAX_SEED, seed);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r)
        return mkba_error_set(err, MKBA_ENOMEM, "", 0, "", "cannot allocate the random generator");
    mkba_afile *af = mkba_afile_open(out_path, err);
    if (!af) {
        gsl_rng_free(r);
        return MKBA_EIO; /* the only failure of mkba_afile_open */
    }
    gsl_rng_set(r, seed);
    mkba_status st = write_rows(s, r, mkba_afile_fp(af), err);
    gsl_rng_free(r);
    if (st) {
        mkba_afile_abort(af);
        return st;
    }
    return mkba_afile_commit(af, err);
}

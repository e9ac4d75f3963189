/* model.c - reading, checking and compiling a model and its scenarios.
 *
 * Three passes, so that every error is found before anything runs:
 *   1. read the base model and each scenario file into raw definitions
 *      (text, file, line, section, key) with overrides applied;
 *   2. lay out the slot vector: cohort counts, effects, then the union of
 *      all scenarios' parameters;
 *   3. per scenario, compile parameter and item expressions against that
 *      scenario's names and order parameters so each is computed after
 *      the ones it reads (a cycle is an error).
 * Evaluation (mkba_model_appraise) then runs over compiled programs only. */
#include "mkba/model.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "mkba/bootstrap.h"
#include "mkba/build.h"
#include "mkba/expr.h"
#include "mkba/fsutil.h"
#include "mkba/ini.h"
#include "mkba/mem.h"
#include "mkba/prices.h"
#include "mkba/spell.h"
#include "mkba/strmap.h"

#define MAX_HORIZON 200
#define MAX_CURRENCY 24 /* a unit beside amounts in tables and charts, not a sentence */

/* ======================= Raw definitions ======================= */

/* A value as written: text plus where it was written. */
typedef struct rawval {
    const char *text;     /* borrowed from an mkba_ini entry; NULL = not set */
    const mkba_ini *ini;  /* the file it came from */
    const char *section;
    const char *key;
    long line;
} rawval;

typedef struct param_raw {
    char *name;
    rawval value;
    rawval dist;                           /* base model only: its distribution */
    const char *label, *label_nl, *unit, *source;
    rawval price_year;                     /* base model only: the year of its prices */
    double price_factor;                   /* index[model's price_year] / index[price_year];
                                              0 when it has none (not rebased) */
} param_raw;

typedef struct item_raw {
    char *name;
    const char *label, *label_nl, *domain, *source; /* identity: fixed by the first
                                                       definition */
    mkba_item_kind kind;
    long stakeholder, loser;
    rawval quantity, price, years, dropoff;
    int enabled;
    int added;                             /* added by a scenario, not in the base model */
    rawval where;                          /* the section header, for messages */
    rawval price_year;                     /* the year of its amounts' prices (identity) */
    double price_factor;                   /* as for parameters; 0: not rebased */
} item_raw;

/* ======================= Compiled model ======================= */

typedef struct param_c {
    long slot;
    mkba_expr *expr;
    rawval src;
    int drawn;                        /* uncertain and not overridden here */
} param_c;

typedef struct item_c {
    int enabled;
    mkba_expr *quantity, *price, *dropoff;
    int first, last;                  /* model years, 1-based inclusive */
    rawval qsrc, psrc, dsrc;
} item_c;

typedef struct scenario {
    char *name, *label, *label_nl, *file; /* label_nl: NULL when none */
    mkba_ini *ini;                    /* the scenario's own file (NULL = base) */
    size_t n_params;                  /* parameters defined in this scenario */
    param_raw *params;
    size_t params_cap;
    mkba_strmap *param_index;         /* name -> index in params */
    item_raw *items;                  /* [n_items] of the model's union list */
    param_c *pc;                      /* [n_params] in evaluation order */
    item_c *ic;                       /* [n_items] */
    double *rate;                     /* [horizon] */
    double *discount;                 /* [horizon] */
    rawval rate_src;
    mkba_plan_param *plan_params;     /* [n_params] view for evaluators */
    mkba_plan_item *plan_items;       /* [n_items] */
} scenario;

typedef struct effect_def {
    char *name, *label, *label_nl, *unit, *source;
    int from_cohort;                  /* 1: [outcome.X]; 0: [effect.X] given */
    mkba_effect e;
    size_t missing_pilot, missing_control;
    int set;                          /* estimate supplied */
    mkba_dist dist;                   /* given effects: its uncertainty */
    /* subgroups */
    long by;                          /* [outcome.X] by: its cohort variable, or -1 */
    char *by_name;                    /* ... and the covariate's name */
    rawval by_ref;                    /* ... and its 'by' key */
    long parent;                      /* X.by.V: the outcome index of X, else -1 */
    char *level;                      /* X.by.V: V, as written in the expressions */
    rawval ref;                       /* X.by.V: its first use in an expression */
    int resolved;                     /* X.by.V: V found among the cohort's levels */
    size_t outside[2];                /* X.by.V: persons outside the subgroup, per group */
    size_t level_size[2];             /* X.by.V: persons of the level, per group */
} effect_def;

/* A warning found while the files are read (a rate of 0.03%, a
 * --reference that is not a scenario's own), given to every appraisal
 * (mkba_model_appraise). */
typedef struct model_note {
    mkba_warning_kind kind;
    char *name;
    mkba_error at;                    /* file, line, "[section] key" and the text */
} model_note;

struct mkba_model {
    mkba_ini *base;                   /* the base model file */
    model_note *notes;                /* [n_notes] */
    size_t n_notes;
    char *name, *name_nl;             /* name_nl: [model] label_nl, NULL when none */
    char *data_note;                  /* [model] data_note; NULL when none */
    char *data_note_nl;               /* [model] data_note_nl; NULL when none */
    char *currency, *timing;
    int price_year, first_year;
    size_t horizon;
    mkba_price_index *prices;         /* [prices] index, or NULL */
    char *prices_file;                /* its path, resolved against the model's directory */

    size_t n_stakeholders;
    char **stakeholders, **stakeholder_labels;
    char **stakeholder_labels_nl;     /* [n_stakeholders] Dutch labels, NULL when none */

    /* cohort */
    int has_cohort_file;
    mkba_cohort_spec cspec;
    mkba_cohort_var *cvars;
    mkba_cohort_range *cranges;       /* [n_cvars] min / max of each variable */
    size_t n_cvars;
    double given_n_pilot, given_n_control;   /* NaN when not given */
    size_t group_pilot, group_control; /* the cohort's groups (mkba_model_set_cohort_counts) */
    size_t min_group;                 /* [privacy] min_group (disclosure control) */

    size_t n_effects;                 /* outcomes first, then given effects */
    effect_def *effects;
    size_t n_outcomes;
    mkba_est_spec *est;
    size_t *cov_index;                /* storage for est[].cov */
    mkba_ap_subgroups *subgroups;     /* the subgroup tables (mkba_model_subgroups) */
    int has_ps;                       /* a [propensity] section: ps is set */
    mkba_ps_spec ps;                  /* the propensity model of ipw and dr outcomes */
    mkba_est_term *ps_terms;          /* storage for ps.terms */

    /* slot layout */
    size_t n_slots;
    char **slot_names;
    double *base_slots;               /* counts and effects; parameters NaN */
    size_t slot_params;               /* first parameter slot */
    size_t slots_cap;
    mkba_strmap *slot_index;          /* slot name -> slot */

    /* uncertainty */
    size_t n_unc;                     /* entries of 'unc' */
    size_t n_unc_params;              /* distributions in unc_dists */
    mkba_plan_uncertain *unc;
    mkba_dist *unc_dists;             /* [n_unc] parameters' distributions */
    mkba_copula *copula;
    char **owned;                     /* strings made here (base values) */
    size_t n_owned;
    mkba_sim_settings sim;
    mkba_plan plan;
    mkba_plan_scenario *plan_scen;
    long *outcome_slots;
    mkba_item_kind *plan_kinds;
    size_t *plan_who, *plan_loser;

    size_t n_items;                   /* union over scenarios */
    mkba_strmap *item_index;          /* item name -> index in the union list */
    scenario base_def;                /* the base model's definitions, copied by each scenario */
    size_t n_scen;
    scenario *scen;                   /* [0] = reference */
    int study;                        /* projects against the reference (run, check); 0: the
                                         model alone, for its effects (mkba estimate) */
};

/* ======================= Small helpers ======================= */

static mkba_status raw_error(mkba_error *err, const rawval *v, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static mkba_status raw_error(mkba_error *err, const rawval *v, const char *fmt, ...)
{
    char msg[900], where[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (v->key)
        snprintf(where, sizeof where, "[%s] %s", v->section, v->key);
    else if (v->section)
        snprintf(where, sizeof where, "[%s]", v->section);
    else
        where[0] = '\0';
    return mkba_error_set(err, MKBA_EINVAL, v->ini ? v->ini->path : "", v->line, where, "%s",
                          msg);
}

static rawval raw_of(const mkba_ini *ini, mkba_ini_entry *e)
{
    rawval v = {NULL, ini, NULL, NULL, 0};
    if (e) {
        e->used = 1;
        v.text = e->value;
        v.section = e->section;
        v.key = e->key;
        v.line = e->line;
    }
    return v;
}

static rawval raw_section(const mkba_ini *ini, const char *section)
{
    rawval v = {NULL, ini, section, NULL, mkba_ini_section_line(ini, section)};
    return v;
}

static void model_note_add(mkba_model *m, mkba_warning_kind kind, const char *name,
                           const rawval *v, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* Keep a warning about v (its file, line, section and key) for every
 * appraisal of the model. */
static void model_note_add(mkba_model *m, mkba_warning_kind kind, const char *name,
                           const rawval *v, const char *fmt, ...)
{
    char msg[900], where[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(where, sizeof where, "[%s] %s", v->section ? v->section : "", v->key ? v->key : "");
    m->notes = mkba_xreallocarray(m->notes, m->n_notes + 1, sizeof *m->notes);
    model_note *n = &m->notes[m->n_notes++];
    n->kind = kind;
    n->name = mkba_xstrdup(name);
    mkba_error_clear(&n->at);
    mkba_error_set(&n->at, MKBA_EINVAL, v->ini ? v->ini->path : "", v->line, where, "%s", msg);
}

static const char *get_text(const mkba_ini *ini, const char *section, const char *key)
{
    mkba_ini_entry *e = mkba_ini_get(ini, section, key);
    if (!e)
        return NULL;
    e->used = 1;
    return e->value;
}

static int is_name(const char *s)
{
    if (!(isalpha((unsigned char)*s) || *s == '_'))
        return 0;
    for (s++; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return 0;
    return 1;
}

/* Parse a whole string as a finite double (C locale, '.' decimal). A
 * free-form amount goes through parse_amount instead. */
static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (end == s || *end || errno == ERANGE || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (end == s || *end || errno == ERANGE || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

static int parse_bool(const char *s, int *out)
{
    const char *yes[] = {"yes", "true", "on", "1", "ja"}, *no[] = {"no", "false", "off", "0", "nee"};
    for (size_t i = 0; i < 5; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return *out = 1, 1;
        if (strcasecmp(s, no[i]) == 0)
            return *out = 0, 1;
    }
    return 0;
}

/* Split a comma-separated list into trimmed, newly allocated strings. */
static size_t split_list(const char *s, char ***out)
{
    size_t n = 0, cap = 4;
    char **v = mkba_xcalloc(cap, sizeof *v);
    const char *p = s;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *a = p, *b = p + len;
        while (a < b && isspace((unsigned char)*a))
            a++;
        while (b > a && isspace((unsigned char)b[-1]))
            b--;
        if (b > a) {
            if (n == cap)
                v = mkba_xreallocarray(v, cap *= 2, sizeof *v);
            v[n++] = mkba_xstrndup(a, (size_t)(b - a));
        }
        p = comma ? comma + 1 : p + len;
    }
    *out = v;
    return n;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Resolve 'rel' against the directory of 'from' (unless absolute). */
static char *path_relative(const char *from, const char *rel)
{
    if (rel[0] == '/')
        return mkba_xstrdup(rel);
    const char *slash = strrchr(from, '/');
    if (!slash)
        return mkba_xstrdup(rel);
    size_t dl = (size_t)(slash - from) + 1, rl = strlen(rel);
    char *p = mkba_xmalloc(dl + rl + 1);
    memcpy(p, from, dl);
    memcpy(p + dl, rel, rl + 1);
    return p;
}

static long find_name(char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (long)i;
    return -1;
}

/* The slot named 'name', or -1. */
static long slot_of(const mkba_model *m, const char *name)
{
    return mkba_strmap_get(m->slot_index, name, strlen(name));
}

/* The known keys of a section; an unknown key is an error listing them. */
static mkba_status check_keys(const mkba_ini *ini, mkba_error *err)
{
    for (size_t i = 0; i < ini->n; i++) {
        const mkba_ini_entry *e = &ini->entries[i];
        if (e->used)
            continue;
        rawval v = raw_of(ini, NULL);
        v.section = e->section;
        v.key = e->key;
        v.line = e->line;
        return raw_error(err, &v, "unknown key '%s' in [%s]", e->key, e->section);
    }
    return MKBA_OK;
}

/* The search for the candidate closest to a word, near enough to be a
 * typo of it (at most 2 edits of mkba_spell_distance, and fewer than the
 * word's length); the first of equally close ones. Fed one candidate at a
 * time, so a list of names in any structure needs no copy. */
typedef struct nearest {
    const char *word, *best; /* best: NULL while none is near enough */
    size_t len, best_d;
} nearest;

static nearest nearest_start(const char *word)
{
    return (nearest){.word = word, .len = strlen(word), .best_d = 3};
}

static void nearest_try(nearest *n, const char *cand)
{
    size_t d = mkba_spell_distance(n->word, n->len, cand, strlen(cand), 0);
    if (d < n->best_d && d < n->len)
        n->best = cand, n->best_d = d;
}

/* The candidate in the NULL-terminated 'cands' closest to 'word' when it
 * is near enough to be a typo (see nearest), else NULL. */
static const char *closest(const char *word, const char *const *cands)
{
    nearest n = nearest_start(word);
    for (size_t k = 0; cands[k]; k++)
        nearest_try(&n, cands[k]);
    return n.best;
}

/* A free-form amount (a column's min or max, a given effect's estimate
 * or se) into *out: a number that looks grouped in thousands ("1.350")
 * is an error with the hint of mkba_number_grouping, other text "expected
 * <expected>, got '...'". Values with a known small range (a rate, a
 * correlation) are no amounts: "1.000" is a plain 1 there. */
static mkba_status parse_amount(const rawval *v, const char *expected, double *out,
                                mkba_error *err)
{
    mkba_error e2;
    mkba_error_clear(&e2);
    if (mkba_number_grouping(v->text, &e2) != MKBA_OK)
        return raw_error(err, v, "%s", e2.msg);
    if (!parse_double(v->text, out))
        return raw_error(err, v, "expected %s, got '%s'", expected, v->text);
    return MKBA_OK;
}

/* An error for a key that comes before any [section] header. */
static mkba_status outside_section(const mkba_ini *ini, mkba_error *err)
{
    for (size_t i = 0; i < ini->n; i++)
        if (ini->entries[i].section[0] == '\0') {
            rawval v = {NULL, ini, NULL, NULL, ini->entries[i].line};
            return raw_error(err, &v, "key '%s' is outside any section; put it under its "
                                      "[section] header",
                             ini->entries[i].key);
        }
    rawval v = {NULL, ini, NULL, NULL, mkba_ini_section_line(ini, "")};
    return raw_error(err, &v, "a section needs a name, as in [item.NAME]");
}

/* Mark known keys of a section as used; returns an error naming the keys
 * that are allowed when an unknown one is present. */
static mkba_status known_keys(const mkba_ini *ini, const char *section, const char *const *keys,
                              mkba_error *err)
{
    mkba_ini_entry *first;
    size_t n = mkba_ini_section_entries(ini, section, &first);
    for (size_t i = 0; i < n; i++) {
        mkba_ini_entry *e = &first[i];
        int ok = 0;
        for (size_t k = 0; keys[k]; k++)
            if (strcmp(e->key, keys[k]) == 0)
                ok = 1;
        if (!ok) {
            char list[512] = "";
            for (size_t k = 0; keys[k]; k++) {
                size_t used = strlen(list);
                snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "", keys[k]);
            }
            rawval v = raw_of(ini, NULL);
            v.section = e->section;
            v.key = e->key;
            v.line = e->line;
            const char *near = closest(e->key, keys);
            return raw_error(err, &v, "unknown key '%s' (known: %s)%s%s%s", e->key, list,
                             near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
        }
    }
    return MKBA_OK;
}

static int has_prefix(const char *s, const char *prefix, const char **rest)
{
    size_t n = strlen(prefix);
    if (strncmp(s, prefix, n) != 0)
        return 0;
    *rest = s + n;
    return 1;
}

/* ======================= [model] ======================= */

static const char *const MODEL_KEYS[] = {"name", "description", "horizon", "first_year",
                                         "price_year", "currency", "discount_rate",
                                         "discount_timing", "stakeholders", "source",
                                         "data_note", "data_note_nl", "label_nl", NULL};

/* Discount rate: "0.03", "3%", or a stepped schedule "1-30: 3%, 31-: 2.5%". */
static int parse_rate_value(const char *s, double *r)
{
    char buf[64];
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0 || n >= sizeof buf)
        return 0;
    int pct = s[n - 1] == '%';
    memcpy(buf, s, n - (size_t)pct);
    buf[n - (size_t)pct] = '\0';
    if (!parse_double(buf, r))
        return 0;
    if (pct)
        *r /= 100.0;
    return 1;
}

/* A Dutch model may write a percentage with a decimal comma ("2,25%"):
 * unambiguous, since the digits after the comma end in '%'. Returns a copy
 * of 's' with such commas made points (caller frees); every other comma
 * still separates the steps of a schedule ("1-30: 2,25%, 31-: 1,75%").
 * A bare "0,0225" is not read this way: it could be a list or a thousands
 * group, so parse_discount refuses it with a hint rather than guess. */
static char *decimal_comma_percent(const char *s)
{
    char *c = mkba_xstrdup(s);
    for (char *p = c; *p; p++) {
        if (*p != ',' || p == c || !isdigit((unsigned char)p[-1]) ||
            !isdigit((unsigned char)p[1]))
            continue;
        const char *q = p + 1;
        while (isdigit((unsigned char)*q))
            q++;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q == '%')
            *p = '.';
    }
    return c;
}

/* "0,0225" or "2,25": a number with a decimal comma and no '%'. */
static int bare_decimal_comma(const char *s)
{
    s += strspn(s, " \t");
    s += *s == '-';
    size_t a = strspn(s, "0123456789");
    if (!a || s[a] != ',')
        return 0;
    size_t b = strspn(s + a + 1, "0123456789");
    return b && s[a + 1 + b + strspn(s + a + 1 + b, " \t")] == '\0';
}

/* A rate written as a percentage below this in size (0.1%) is taken as
 * written but warned about: "0.03%" is more likely 3% or 0.03 than a rate
 * of 0.0003 (the Dutch rates are 1.6% to 5.5%). */
#define RATE_PERCENT_FLOOR 0.001

/* Warn about the rate r read from 'text' (one rate of v) when it is a
 * percentage below RATE_PERCENT_FLOOR. */
static void warn_small_percent(mkba_model *m, const rawval *v, const char *text, double r)
{
    text += strspn(text, " \t");
    size_t len = strcspn(text, "%");
    /* 0.1% / 100 may round below 0.001: the floor itself is no warning */
    if (text[len] != '%' || r == 0 || fabs(r) >= RATE_PERCENT_FLOOR * (1 - 1e-9))
        return;
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        len--;
    model_note_add(m, MKBA_WARN_SMALL_PERCENT, v->key ? v->key : "", v,
                   "'%.*s%%' reads as %g percent, a rate of %g; did you mean %g%% (%g)?",
                   (int)len, text, 100 * r, r, 10000 * r, 100 * r);
}

static mkba_status parse_discount(mkba_model *m, const rawval *v, size_t horizon, double *rate,
                                  mkba_error *err)
{
    const char *expect = "expected a rate such as 0.0225 or 2.25%%, or a schedule by year such "
                         "as '1-30: 2.25%%, 31-: 1.75%%'";
    for (size_t t = 0; t < horizon; t++)
        rate[t] = NAN;
    if (bare_decimal_comma(v->text))
        return raw_error(err, v,
                         "'%s' has a decimal comma without '%%': a comma is read as a decimal "
                         "comma only in a percentage (2,25%%); write the rate as a percentage "
                         "(2,25%%) or with a point (0.0225)",
                         v->text);
    char **parts;
    char *text = decimal_comma_percent(v->text);
    size_t n = split_list(text, &parts);
    free(text);
    mkba_status st = MKBA_OK;
    if (n == 0)
        st = raw_error(err, v, expect);
    for (size_t i = 0; i < n && !st; i++) {
        char *colon = strchr(parts[i], ':');
        long lo = 1, hi = (long)horizon;
        double r;
        if (colon) {
            *colon = '\0';
            char *dash = strchr(parts[i], '-');
            if (dash) {
                *dash = '\0';
                int open = dash[1] == '\0' || strspn(dash + 1, " \t") == strlen(dash + 1);
                if (!parse_long(parts[i], 1, MAX_HORIZON, &lo) ||
                    (!open && !parse_long(dash + 1, lo, 100000, &hi))) {
                    st = raw_error(err, v, expect);
                    break;
                }
            } else if (!parse_long(parts[i], 1, MAX_HORIZON, &lo)) {
                st = raw_error(err, v, expect);
                break;
            } else {
                hi = lo;
            }
        } else if (n > 1) {
            st = raw_error(err, v, expect);
            break;
        }
        if (!parse_rate_value(colon ? colon + 1 : parts[i], &r)) {
            st = raw_error(err, v, expect);
            break;
        }
        warn_small_percent(m, v, colon ? colon + 1 : parts[i], r);
        if (r <= -0.05 || r > 0.2) {
            st = raw_error(err, v,
                           "must be between -5%% and 20%%, got %g%s", r,
                           r > 0.2 && r < 100 ? " (a percentage? write 0.03 or 3%)" : "");
            break;
        }
        for (long t = lo; t <= hi && t <= (long)horizon; t++) {
            if (!isnan(rate[t - 1])) {
                st = raw_error(err, v, "year %ld has two rates in the schedule", t);
                break;
            }
            rate[t - 1] = r;
        }
    }
    for (size_t t = 0; t < horizon && !st; t++)
        if (isnan(rate[t]))
            st = raw_error(err, v, "the schedule gives no rate for year %zu", t + 1);
    free_list(parts, n);
    return st;
}

/* Discount factor of each year. Timing "start": flows at the start of
 * each year, year 1 undiscounted: DF_t = prod_{s<t} 1/(1+r_s). "end":
 * DF_t = prod_{s<=t} 1/(1+r_s). "mid": DF_t(start) / sqrt(1+r_t). */
static void discount_factors(const double *rate, size_t horizon, const char *timing, double *df)
{
    double acc = 1.0;
    for (size_t t = 0; t < horizon; t++) {
        if (strcmp(timing, "start") == 0)
            df[t] = acc;
        else if (strcmp(timing, "end") == 0)
            df[t] = acc / (1.0 + rate[t]);
        else
            df[t] = acc / sqrt(1.0 + rate[t]);
        acc /= 1.0 + rate[t];
    }
}

/* [model] data_note: free text that every output shows prominently (that
 * the cohort is synthetic, that figures are provisional). Blank is refused
 * (a key left half-written), and so is a note too long for the report's
 * box. */
#define MAX_DATA_NOTE 1000
static mkba_status read_note(const mkba_ini *ini, const char *key, char **out, mkba_error *err)
{
    rawval v = raw_of(ini, mkba_ini_get(ini, "model", key));
    if (!v.text)
        return MKBA_OK;
    size_t n = strlen(v.text);
    if (n == 0)
        return raw_error(err, &v, "expected a note on the data (free text, e.g. 'The cohort is "
                                  "synthetic'), got nothing; remove the key if there is none");
    if (n > MAX_DATA_NOTE)
        return raw_error(err, &v, "the note is %zu bytes long; at most %d fit the report's box",
                         n, MAX_DATA_NOTE);
    *out = mkba_xstrdup(v.text);
    return MKBA_OK;
}

/* data_note, and its Dutch (data_note_nl, shown with --lang nl). */
static mkba_status read_data_note(const mkba_ini *ini, mkba_model *m, mkba_error *err)
{
    mkba_status st = read_note(ini, "data_note", &m->data_note, err);
    return st ? st : read_note(ini, "data_note_nl", &m->data_note_nl, err);
}

static mkba_status read_model_section(mkba_model *m, mkba_error *err)
{
    const mkba_ini *ini = m->base;
    if (!mkba_ini_section_line(ini, "model")) {
        rawval v = raw_of(ini, NULL);
        v.line = 1;
        return raw_error(err, &v, "no [model] section: is this a model file?");
    }
    mkba_status st = known_keys(ini, "model", MODEL_KEYS, err);
    if (st)
        return st;
    const char *name = get_text(ini, "model", "name");
    m->name = mkba_xstrdup(name ? name : "model");
    const char *name_nl = get_text(ini, "model", "label_nl");
    m->name_nl = name_nl ? mkba_xstrdup(name_nl) : NULL;
    get_text(ini, "model", "description");
    get_text(ini, "model", "source");
    st = read_data_note(ini, m, err);
    if (st)
        return st;
    rawval h = raw_of(ini, mkba_ini_get(ini, "model", "horizon"));
    long lv;
    if (!h.text) {
        rawval s = raw_section(ini, "model");
        return raw_error(err, &s, "missing key 'horizon' (years, 1 to %d)", MAX_HORIZON);
    }
    if (!parse_long(h.text, 1, MAX_HORIZON, &lv))
        return raw_error(err, &h, "expected a whole number of years from 1 to %d, got '%s'",
                         MAX_HORIZON, h.text);
    m->horizon = (size_t)lv;
    const char *keys[] = {"first_year", "price_year"};
    int *dst[] = {&m->first_year, &m->price_year};
    for (int i = 0; i < 2; i++) {
        rawval y = raw_of(ini, mkba_ini_get(ini, "model", keys[i]));
        if (!y.text) {
            rawval s = raw_section(ini, "model");
            return raw_error(err, &s, "missing key '%s' (a calendar year, e.g. 2018)", keys[i]);
        }
        if (!parse_long(y.text, 1900, 2200, &lv))
            return raw_error(err, &y, "expected a calendar year from 1900 to 2200, got '%s'",
                             y.text);
        *dst[i] = (int)lv;
    }
    rawval cu = raw_of(ini, mkba_ini_get(ini, "model", "currency"));
    if (cu.text && (!*cu.text || strlen(cu.text) > MAX_CURRENCY))
        return raw_error(err, &cu,
                         "expected a currency unit of 1 to %d characters (such as EUR or "
                         "'EUR mln'), got %zu",
                         MAX_CURRENCY, strlen(cu.text));
    m->currency = mkba_xstrdup(cu.text ? cu.text : "EUR");
    rawval tm = raw_of(ini, mkba_ini_get(ini, "model", "discount_timing"));
    const char *timing = tm.text ? tm.text : "start";
    if (strcmp(timing, "start") && strcmp(timing, "mid") && strcmp(timing, "end"))
        return raw_error(err, &tm, "expected 'start', 'mid' or 'end', got '%s'", timing);
    m->timing = mkba_xstrdup(timing);
    rawval sh = raw_of(ini, mkba_ini_get(ini, "model", "stakeholders"));
    if (!sh.text) {
        rawval s = raw_section(ini, "model");
        return raw_error(err, &s,
                         "missing key 'stakeholders' (e.g. municipality, residents, ...)");
    }
    m->n_stakeholders = split_list(sh.text, &m->stakeholders);
    if (m->n_stakeholders == 0)
        return raw_error(err, &sh, "expected a comma-separated list of stakeholder names");
    m->stakeholder_labels = mkba_xcalloc(m->n_stakeholders, sizeof *m->stakeholder_labels);
    m->stakeholder_labels_nl =
        mkba_xcalloc(m->n_stakeholders, sizeof *m->stakeholder_labels_nl);
    for (size_t k = 0; k < m->n_stakeholders; k++) {
        if (!is_name(m->stakeholders[k]))
            return raw_error(err, &sh,
                             "stakeholder '%s' is not a name (letters, digits, '_')",
                             m->stakeholders[k]);
        if (find_name(m->stakeholders, k, m->stakeholders[k]) >= 0)
            return raw_error(err, &sh, "stakeholder '%s' is listed twice", m->stakeholders[k]);
        if (strcmp(m->stakeholders[k], "society") == 0)
            return raw_error(err, &sh, "'society' is reserved for the total of all stakeholders");
        m->stakeholder_labels[k] = mkba_xstrdup(m->stakeholders[k]);
    }
    return MKBA_OK;
}

static mkba_status read_stakeholder_sections(mkba_model *m, mkba_error *err)
{
    const mkba_ini *ini = m->base;
    static const char *const keys[] = {"label", "description", "label_nl", NULL};
    for (size_t i = 0; i < ini->n_sections; i++) {
        const char *name;
        if (!has_prefix(ini->sections[i], "stakeholder.", &name))
            continue;
        long k = find_name(m->stakeholders, m->n_stakeholders, name);
        if (k < 0) {
            rawval s = raw_section(ini, ini->sections[i]);
            return raw_error(err, &s, "'%s' is not in [model] stakeholders", name);
        }
        mkba_status st = known_keys(ini, ini->sections[i], keys, err);
        if (st)
            return st;
        const char *label = get_text(ini, ini->sections[i], "label");
        const char *label_nl = get_text(ini, ini->sections[i], "label_nl");
        get_text(ini, ini->sections[i], "description");
        if (label_nl) {
            free(m->stakeholder_labels_nl[k]);
            m->stakeholder_labels_nl[k] = mkba_xstrdup(label_nl);
        }
        if (label) {
            free(m->stakeholder_labels[k]);
            m->stakeholder_labels[k] = mkba_xstrdup(label);
        }
    }
    return MKBA_OK;
}

/* ======================= [cohort], outcomes, covariates, effects ======================= */

static size_t add_cvar(mkba_model *m, const char *name, const char *column, mkba_var_type type,
                       const mkba_cohort_range *range)
{
    for (size_t i = 0; i < m->n_cvars; i++)
        if (strcmp(m->cvars[i].column, column) == 0 && strcmp(m->cvars[i].name, name) == 0)
            return i;
    m->cranges = mkba_xreallocarray(m->cranges, m->n_cvars + 1, sizeof *m->cranges);
    m->cranges[m->n_cvars] = *range;
    m->cvars = mkba_xreallocarray(m->cvars, m->n_cvars + 1, sizeof *m->cvars);
    m->cvars[m->n_cvars].name = mkba_xstrdup(name);
    m->cvars[m->n_cvars].column = mkba_xstrdup(column);
    m->cvars[m->n_cvars].type = type;
    m->cvars[m->n_cvars].optional = 0;
    return m->n_cvars++;
}

static const char *const COHORT_KEYS[] = {
    "file", "pilot_file", "control_file", "group_column", "pilot_value", "control_value",
    "id_column", "delimiter", "decimal", "missing", "n_pilot", "n_control", NULL};

static mkba_status read_cohort_counts(mkba_model *m, mkba_error *err)
{
    const mkba_ini *ini = m->base;
    const char *keys[] = {"n_pilot", "n_control"};
    double *dst[] = {&m->given_n_pilot, &m->given_n_control};
    for (int i = 0; i < 2; i++) {
        rawval v = raw_of(ini, mkba_ini_get(ini, "cohort", keys[i]));
        *dst[i] = NAN;
        if (!v.text)
            continue;
        if (m->has_cohort_file)
            return raw_error(err, &v, "'%s' is counted from the cohort file; remove it",
                             keys[i]);
        long n;
        if (!parse_long(v.text, 0, LONG_MAX, &n))
            return raw_error(err, &v, "expected a whole number >= 0, got '%s'", v.text);
        *dst[i] = (double)n;
    }
    return MKBA_OK;
}

static mkba_status read_dialect(mkba_model *m, mkba_error *err)
{
    const mkba_ini *ini = m->base;
    rawval d = raw_of(ini, mkba_ini_get(ini, "cohort", "delimiter"));
    m->cspec.dialect.delimiter = 0;
    if (d.text) {
        const char *names[] = {"auto", "comma", "semicolon", "tab"};
        const char vals[] = {0, ',', ';', '\t'};
        int found = 0;
        for (int i = 0; i < 4; i++)
            if (strcasecmp(d.text, names[i]) == 0)
                m->cspec.dialect.delimiter = vals[i], found = 1;
        if (!found)
            return raw_error(err, &d, "expected auto, comma, semicolon or tab, got '%s'",
                             d.text);
    }
    rawval dc = raw_of(ini, mkba_ini_get(ini, "cohort", "decimal"));
    m->cspec.dialect.decimal_comma = -1;
    if (dc.text) {
        if (strcasecmp(dc.text, "auto") == 0)
            m->cspec.dialect.decimal_comma = -1;
        else if (strcasecmp(dc.text, "point") == 0)
            m->cspec.dialect.decimal_comma = 0;
        else if (strcasecmp(dc.text, "comma") == 0)
            m->cspec.dialect.decimal_comma = 1;
        else
            return raw_error(err, &dc, "expected auto, point or comma, got '%s'", dc.text);
    }
    rawval mi = raw_of(ini, mkba_ini_get(ini, "cohort", "missing"));
    m->cspec.missing = MKBA_MISSING_EXCLUDE;
    if (mi.text) {
        if (strcasecmp(mi.text, "exclude") == 0)
            m->cspec.missing = MKBA_MISSING_EXCLUDE;
        else if (strcasecmp(mi.text, "error") == 0)
            m->cspec.missing = MKBA_MISSING_ERROR;
        else
            return raw_error(err, &mi, "expected exclude or error, got '%s'", mi.text);
    }
    return MKBA_OK;
}

static char *rel_or_null(const mkba_ini *ini, const char *key)
{
    const char *v = get_text(ini, "cohort", key);
    return v ? path_relative(ini->path, v) : NULL;
}

/* [privacy] min_group: the smallest count of persons an output may show
 * (smaller ones and their groups' statistics are suppressed). Model only:
 * a scenario cannot loosen it. */
static const char *const PRIVACY_KEYS[] = {"min_group", NULL};

static mkba_status read_privacy_section(mkba_model *m, mkba_error *err)
{
    const mkba_ini *ini = m->base;
    m->min_group = MKBA_MIN_GROUP;
    mkba_status st = known_keys(ini, "privacy", PRIVACY_KEYS, err);
    if (st)
        return st;
    rawval v = raw_of(ini, mkba_ini_get(ini, "privacy", "min_group"));
    long n;
    if (!v.text)
        return MKBA_OK;
    if (!parse_long(v.text, 1, LONG_MAX, &n))
        return raw_error(err, &v,
                         "expected a whole number >= 1 (the smallest count of persons shown; "
                         "default %d, 1 shows every count), got '%s'",
                         MKBA_MIN_GROUP, v.text);
    m->min_group = (size_t)n;
    return MKBA_OK;
}

static mkba_status read_cohort_section(mkba_model *m, mkba_error *err)
{
    const mkba_ini *ini = m->base;
    m->given_n_pilot = m->given_n_control = NAN;
    if (!mkba_ini_section_line(ini, "cohort"))
        return MKBA_OK;
    mkba_status st = known_keys(ini, "cohort", COHORT_KEYS, err);
    if (st)
        return st;
    m->cspec.file = rel_or_null(ini, "file");
    m->cspec.pilot_file = rel_or_null(ini, "pilot_file");
    m->cspec.control_file = rel_or_null(ini, "control_file");
    rawval sec = raw_section(ini, "cohort");
    if (m->cspec.file && (m->cspec.pilot_file || m->cspec.control_file))
        return raw_error(err, &sec, "give either 'file' or 'pilot_file' and 'control_file'");
    if (!m->cspec.file && (!m->cspec.pilot_file != !m->cspec.control_file))
        return raw_error(err, &sec, "'pilot_file' and 'control_file' go together");
    m->has_cohort_file = m->cspec.file || m->cspec.pilot_file;
    const char *gk[] = {"group_column", "pilot_value", "control_value", "id_column"};
    const char **gd[] = {&m->cspec.group_column, &m->cspec.pilot_value,
                         &m->cspec.control_value, &m->cspec.id_column};
    for (int i = 0; i < 4; i++) {
        const char *v = get_text(ini, "cohort", gk[i]);
        *gd[i] = v ? mkba_xstrdup(v) : NULL;
    }
    if (m->cspec.file && !m->cspec.group_column)
        return raw_error(err, &sec, "missing key 'group_column' (the column that says pilot "
                                    "or control; or give pilot_file and control_file)");
    if (m->cspec.group_column && !m->cspec.pilot_value)
        m->cspec.pilot_value = mkba_xstrdup("pilot");
    if (m->cspec.group_column && !m->cspec.control_value)
        m->cspec.control_value = mkba_xstrdup("control");
    if (m->cspec.group_column && strcasecmp(m->cspec.pilot_value, m->cspec.control_value) == 0) {
        rawval v = raw_of(ini, mkba_ini_get(ini, "cohort", "control_value"));
        if (!v.text)
            v = raw_of(ini, mkba_ini_get(ini, "cohort", "pilot_value"));
        return raw_error(err, &v, "the pilot and the control group need different values of "
                                  "'%s', both are '%s'",
                         m->cspec.group_column, m->cspec.pilot_value);
    }
    if ((st = read_dialect(m, err)))
        return st;
    return read_cohort_counts(m, err);
}

static int parse_var_type(const char *s, mkba_var_type *t, int allow_category)
{
    const char *names[] = {"number", "nonneg", "binary", "category"};
    for (int i = 0; i < (allow_category ? 4 : 3); i++)
        if (strcasecmp(s, names[i]) == 0)
            return *t = (mkba_var_type)i, 1;
    return 0;
}

static effect_def *add_effect(mkba_model *m, const char *name)
{
    m->effects = mkba_xreallocarray(m->effects, m->n_effects + 1, sizeof *m->effects);
    effect_def *e = &m->effects[m->n_effects++];
    memset(e, 0, sizeof *e);
    e->name = mkba_xstrdup(name);
    e->by = e->parent = -1;
    return e;
}

static void set_effect_text(const mkba_ini *ini, const char *sec, effect_def *e)
{
    const char *keys[] = {"label", "unit", "source"};
    char **dst[] = {&e->label, &e->unit, &e->source};
    for (int i = 0; i < 3; i++) {
        const char *v = get_text(ini, sec, keys[i]);
        *dst[i] = mkba_xstrdup(v ? v : "");
    }
    const char *nl = get_text(ini, sec, "label_nl");
    e->label_nl = nl ? mkba_xstrdup(nl) : NULL;
}

static const char *const OUTCOME_KEYS[] = {"column", "pre_column", "type", "method",
                                           "covariates", "min", "max", "label", "unit",
                                           "source", "by", "label_nl", NULL};
/* Keys of [propensity], which an [outcome.*] may not set (all ipw and dr
 * outcomes share the one propensity model). */
static const char *const PROPENSITY_KEYS[] = {"covariates", "estimand", "trim", NULL};
static const char *const COVARIATE_KEYS[] = {"column", "type", "min", "max", "label",
                                             "label_nl", NULL};

/* The optional 'min' and 'max' of a cohort column (a share: min = 0,
 * max = 1); values outside are errors when the cohort is read. */
static mkba_status read_range(const mkba_ini *ini, const char *sec, mkba_var_type t,
                              mkba_cohort_range *rg, mkba_error *err)
{
    const char *keys[] = {"min", "max"};
    int *has[] = {&rg->has_min, &rg->has_max};
    double *val[] = {&rg->min, &rg->max};
    memset(rg, 0, sizeof *rg);
    for (int i = 0; i < 2; i++) {
        rawval v = raw_of(ini, mkba_ini_get(ini, sec, keys[i]));
        if (!v.text)
            continue;
        if (t == MKBA_VAR_BINARY || t == MKBA_VAR_CATEGORY)
            return raw_error(err, &v, "'%s' applies to number and nonneg columns only",
                             keys[i]);
        mkba_status st = parse_amount(&v, "a number", val[i], err);
        if (st)
            return st;
        *has[i] = 1;
    }
    if (rg->has_min && rg->has_max && rg->min > rg->max) {
        rawval v = raw_of(ini, mkba_ini_get(ini, sec, "max"));
        return raw_error(err, &v, "max (%g) is below min (%g)", rg->max, rg->min);
    }
    return MKBA_OK;
}
static const char *const EFFECT_KEYS[] = {"estimate", "se", "distribution", "label", "unit",
                                          "source", "label_nl", NULL};

static mkba_status read_covariate(mkba_model *m, const char *sec, const char *name,
                                  size_t *index, mkba_error *err)
{
    const mkba_ini *ini = m->base;
    mkba_status st = known_keys(ini, sec, COVARIATE_KEYS, err);
    if (st)
        return st;
    get_text(ini, sec, "label");
    get_text(ini, sec, "label_nl");
    rawval col = raw_of(ini, mkba_ini_get(ini, sec, "column"));
    rawval ty = raw_of(ini, mkba_ini_get(ini, sec, "type"));
    mkba_var_type t = MKBA_VAR_NUMBER;
    if (ty.text && !parse_var_type(ty.text, &t, 1))
        return raw_error(err, &ty, "expected number, nonneg, binary or category, got '%s'",
                         ty.text);
    mkba_cohort_range rg;
    if ((st = read_range(ini, sec, t, &rg, err)))
        return st;
    const char *column = col.text ? col.text : name;
    /* The cohort maps a column ignoring case when no exact match is found:
     * the same test here. */
    if (m->cspec.id_column && strcasecmp(column, m->cspec.id_column) == 0) {
        rawval s = col.text ? col : raw_section(ini, sec);
        return raw_error(err, &s,
                         "column '%s' is the person id ([cohort] id_column): mkba reads the ids "
                         "only to refuse duplicates, and a covariate on them would describe "
                         "persons one by one (as 'by', its levels would name them). Use "
                         "another column",
                         column);
    }
    *index = add_cvar(m, name, column, t, &rg);
    return MKBA_OK;
}

static mkba_status parse_method(const rawval *v, mkba_est_method *meth, mkba_error *err)
{
    const mkba_est_method methods[] = {MKBA_EST_AUTO, MKBA_EST_DIFF, MKBA_EST_DID,
                                       MKBA_EST_OLS,  MKBA_EST_IPW,  MKBA_EST_DR};
    *meth = MKBA_EST_AUTO;
    if (!v->text)
        return MKBA_OK;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcasecmp(v->text, mkba_est_method_name(methods[i])) == 0)
            return *meth = methods[i], MKBA_OK;
    return raw_error(err, v, "expected auto, diff, did, ols, ipw or dr, got '%s'", v->text);
}

/* What ipw and dr need beyond the other methods: the model's propensity
 * model, and (ipw) no outcome covariates, which it would not use. */
static mkba_status check_ps_outcome(mkba_model *m, mkba_est_spec *es, const rawval *me,
                                    const rawval *cv, mkba_error *err)
{
    const char *meth = mkba_est_method_name(es->method);
    if (!mkba_ini_section_line(m->base, "propensity"))
        return raw_error(err, me,
                         "outcome '%s': method '%s' needs a propensity model: add a "
                         "[propensity] section with covariates (e.g. covariates = age, "
                         "household)",
                         es->name, meth);
    if (es->method == MKBA_EST_IPW && cv->text)
        return raw_error(err, cv,
                         "method 'ipw' uses no outcome covariates (the covariates of "
                         "[propensity] adjust); remove them, or use method 'dr' for an outcome "
                         "model with covariates");
    es->ps = &m->ps;
    return MKBA_OK;
}

/* An outcome's 'by': a [covariate.NAME] of type category or binary, whose
 * levels split the outcome into subgroups. */
static mkba_status read_by(mkba_model *m, const char *sec, effect_def *e, mkba_error *err)
{
    const mkba_ini *ini = m->base;
    rawval by = raw_of(ini, mkba_ini_get(ini, sec, "by"));
    if (!by.text)
        return MKBA_OK;
    char csec[300];
    snprintf(csec, sizeof csec, "covariate.%s", by.text);
    if (!is_name(by.text) || !mkba_ini_section_line(ini, csec))
        return raw_error(err, &by,
                         "no section [covariate.%s]: 'by' names the covariate (of type "
                         "category or binary) whose levels are the subgroups",
                         by.text);
    size_t idx;
    mkba_status st = read_covariate(m, csec, by.text, &idx, err);
    if (st)
        return st;
    mkba_var_type t = m->cvars[idx].type;
    if (t != MKBA_VAR_CATEGORY && t != MKBA_VAR_BINARY)
        return raw_error(err, &by,
                         "'by' needs a covariate of type category or binary (its levels are "
                         "the subgroups); [covariate.%s] is of type %s",
                         by.text, t == MKBA_VAR_NONNEG ? "nonneg" : "number");
    e->by = (long)idx;
    e->by_name = mkba_xstrdup(by.text);
    e->by_ref = by;
    return MKBA_OK;
}

static mkba_status read_outcome(mkba_model *m, const char *sec, const char *name,
                                mkba_error *err)
{
    const mkba_ini *ini = m->base;
    for (size_t k = 1; PROPENSITY_KEYS[k]; k++) { /* estimand, trim */
        rawval v = raw_of(ini, mkba_ini_get(ini, sec, PROPENSITY_KEYS[k]));
        if (v.text)
            return raw_error(err, &v,
                             "'%s' is set once for all ipw and dr outcomes, in [propensity]; "
                             "move it there",
                             PROPENSITY_KEYS[k]);
    }
    mkba_status st = known_keys(ini, sec, OUTCOME_KEYS, err);
    if (st)
        return st;
    rawval s = raw_section(ini, sec);
    if (!m->has_cohort_file)
        return raw_error(err, &s, "an [outcome.*] needs a cohort file in [cohort]; for an "
                                  "effect without microdata use [effect.%s] with estimate "
                                  "and se",
                         name);
    effect_def *e = add_effect(m, name);
    e->from_cohort = 1;
    set_effect_text(ini, sec, e);
    rawval col = raw_of(ini, mkba_ini_get(ini, sec, "column"));
    rawval pre = raw_of(ini, mkba_ini_get(ini, sec, "pre_column"));
    rawval ty = raw_of(ini, mkba_ini_get(ini, sec, "type"));
    rawval me = raw_of(ini, mkba_ini_get(ini, sec, "method"));
    rawval cv = raw_of(ini, mkba_ini_get(ini, sec, "covariates"));
    mkba_var_type t = MKBA_VAR_NUMBER;
    if (ty.text && !parse_var_type(ty.text, &t, 0))
        return raw_error(err, &ty, "expected number, nonneg or binary, got '%s'", ty.text);
    mkba_cohort_range rg;
    if ((st = read_range(ini, sec, t, &rg, err)))
        return st;
    mkba_est_spec *es = &m->est[m->n_outcomes++];
    memset(es, 0, sizeof *es);
    es->name = e->name;
    if ((st = parse_method(&me, &es->method, err)))
        return st;
    es->outcome = add_cvar(m, name, col.text ? col.text : name, t, &rg);
    es->pre = -1;
    if (pre.text) {
        char prename[300];
        snprintf(prename, sizeof prename, "%s.pre", name);
        es->pre = (long)add_cvar(m, prename, pre.text, t, &rg);
    }
    if (es->method == MKBA_EST_DID && es->pre < 0)
        return raw_error(err, &me, "method 'did' needs a 'pre_column'");
    if (cv.text) {
        char **names;
        size_t n = split_list(cv.text, &names);
        size_t *idx = mkba_xcalloc(n ? n : 1, sizeof *idx);
        for (size_t i = 0; i < n && !st; i++) {
            char csec[300];
            snprintf(csec, sizeof csec, "covariate.%s", names[i]);
            if (!mkba_ini_section_line(ini, csec))
                st = raw_error(err, &cv, "no section [%s] for covariate '%s'", csec, names[i]);
            else
                st = read_covariate(m, csec, names[i], &idx[i], err);
        }
        free_list(names, n);
        es->n_cov = n;
        es->cov = idx;
        if (st)
            return st;
        if (n == 0)
            return raw_error(err, &cv, "expected a comma-separated list of covariate names");
    }
    if (es->method == MKBA_EST_OLS && es->n_cov == 0)
        return raw_error(err, &me, "method 'ols' needs 'covariates'");
    if ((st = read_by(m, sec, e, err)))
        return st;
    if (es->method == MKBA_EST_IPW || es->method == MKBA_EST_DR)
        return check_ps_outcome(m, es, &me, &cv, err);
    return MKBA_OK;
}

static mkba_status read_given_effect(mkba_model *m, const char *sec, const char *name,
                                     mkba_error *err)
{
    const mkba_ini *ini = m->base;
    mkba_status st = known_keys(ini, sec, EFFECT_KEYS, err);
    if (st)
        return st;
    effect_def *e = add_effect(m, name);
    set_effect_text(ini, sec, e);
    rawval est = raw_of(ini, mkba_ini_get(ini, sec, "estimate"));
    rawval se = raw_of(ini, mkba_ini_get(ini, sec, "se"));
    rawval s = raw_section(ini, sec);
    double ev = 0, sv = 0;
    if (!est.text)
        return raw_error(err, &s, "missing key 'estimate'");
    const char *se_expected = "a standard error >= 0";
    if ((st = parse_amount(&est, "a number", &ev, err)) ||
        (se.text && (st = parse_amount(&se, se_expected, &sv, err))))
        return st;
    if (sv < 0)
        return raw_error(err, &se, "expected %s, got '%s'", se_expected, se.text);
    mkba_effect_given(ev, sv, &e->e);
    e->set = 1;
    rawval dist = raw_of(ini, mkba_ini_get(ini, sec, "distribution"));
    if (dist.text) {
        mkba_error e2;
        mkba_error_clear(&e2);
        if (mkba_dist_parse(dist.text, &e->dist, &e2))
            return raw_error(err, &dist, "%s", e2.msg);
    } else if (sv > 0) {
        e->dist.kind = MKBA_DIST_NORMAL; /* estimate +/- SE: normal by default */
        e->dist.p[0] = ev;
        e->dist.p[1] = sv;
    } else {
        mkba_dist_fixed(&e->dist, ev);
    }
    return MKBA_OK;
}

/* ======================= [propensity] ======================= */

/* The text between a and b, without surrounding blanks (newly allocated). */
static char *trim_dup(const char *a, const char *b)
{
    while (a < b && isspace((unsigned char)*a))
        a++;
    while (b > a && isspace((unsigned char)b[-1]))
        b--;
    return mkba_xstrndup(a, (size_t)(b - a));
}

/* Split a list at its commas, keeping empty pieces: in a list of terms an
 * empty one is a mistake to report, not a stray comma to skip. */
static size_t split_terms(const char *s, char ***out)
{
    size_t n = 1;
    for (const char *p = s; *p; p++)
        n += *p == ',';
    char **v = mkba_xcalloc(n, sizeof *v);
    const char *p = s;
    for (size_t i = 0; i < n; i++) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        v[i] = trim_dup(p, end);
        p = comma ? comma + 1 : end;
    }
    *out = v;
    return n;
}

static const char *const TERM_FORMS = "expected a covariate, NAME^2 or A*B (e.g. age, age^2, "
                                      "age*female)";

/* The cohort variable of covariate 'name' in a term (its [covariate.NAME]
 * section read like an outcome's covariate). */
static mkba_status term_covariate(mkba_model *m, const rawval *cv, const char *term,
                                  const char *name, size_t *index, mkba_error *err)
{
    const mkba_ini *ini = m->base;
    char csec[300];
    snprintf(csec, sizeof csec, "covariate.%s", name);
    if (mkba_ini_section_line(ini, csec))
        return read_covariate(m, csec, name, index, err);
    if (!is_name(name))
        return raw_error(err, cv, "term '%s': %s", term, TERM_FORMS);
    nearest near = nearest_start(name);
    for (size_t i = 0; i < ini->n_sections; i++) {
        const char *other;
        if (has_prefix(ini->sections[i], "covariate.", &other))
            nearest_try(&near, other);
    }
    return raw_error(err, cv, "term '%s': no section [covariate.%s] for covariate '%s'%s%s%s",
                     term, name, name, near.best ? "; did you mean '" : "",
                     near.best ? near.best : "", near.best ? "'?" : "");
}

/* The form of a term, before its names are looked up: into *a and *b
 * (NULL for a covariate alone), *square set for NAME^2. */
static mkba_status term_form(const rawval *cv, const char *term, char **a, char **b,
                             int *square, mkba_error *err)
{
    const char *caret = strchr(term, '^'), *star = strchr(term, '*');
    const char *op = caret ? caret : star;
    *a = *b = NULL;
    *square = 0;
    if (strstr(term, "**"))
        return raw_error(err, cv, "term '%s': write a square as NAME^2 (e.g. age^2)", term);
    if (caret && star)
        return raw_error(err, cv, "term '%s': %s", term, TERM_FORMS);
    if (star && strchr(star + 1, '*'))
        return raw_error(err, cv, "term '%s': a product of more than two covariates is not "
                                  "supported; write products of two, as A*B",
                         term);
    if (!op) {
        *a = mkba_xstrdup(term);
        return MKBA_OK;
    }
    *a = trim_dup(term, op);
    *b = trim_dup(op + 1, term + strlen(term));
    double power;
    if (caret && strcmp(*b, "2") != 0 && parse_double(*b, &power))
        return raw_error(err, cv, "term '%s': only squares (NAME^2) are supported; for another "
                                  "power add a column to the cohort file",
                         term);
    if (caret && strcmp(*b, "2") != 0)
        return raw_error(err, cv, "term '%s': %s", term, TERM_FORMS);
    if (!**a || !**b)
        return raw_error(err, cv, "term '%s': %s", term, TERM_FORMS);
    if (caret) {
        free(*b);
        *b = NULL;
        *square = 1;
    } else if (strcmp(*a, *b) == 0) {
        return raw_error(err, cv, "term '%s': a covariate times itself is its square: write "
                                  "%s^2",
                         term, *a);
    }
    return MKBA_OK;
}

/* Squares need a number covariate; products number or 0/1 ones. */
static mkba_status term_types(const mkba_model *m, const rawval *cv, const char *term,
                              const mkba_est_term *t, mkba_error *err)
{
    if (t->b < 0)
        return MKBA_OK;
    size_t vars[2] = {t->a, (size_t)t->b};
    for (int k = 0; k < (t->b == (long)t->a ? 1 : 2); k++) {
        const mkba_cohort_var *v = &m->cvars[vars[k]];
        if (v->type == MKBA_VAR_CATEGORY)
            return raw_error(err, cv,
                             "term '%s': '%s' is a category covariate; %s", term, v->name,
                             t->b == (long)t->a
                                 ? "a square needs a number covariate"
                                 : "a product takes number and 0/1 covariates (for an "
                                   "interaction with a category, make a 0/1 column per level)");
        if (v->type == MKBA_VAR_BINARY && t->b == (long)t->a)
            return raw_error(err, cv,
                             "term '%s': '%s' is a 0/1 covariate, so its square equals "
                             "itself; list '%s' alone",
                             term, v->name, v->name);
    }
    return MKBA_OK;
}

/* One term of [propensity] covariates, written 'text', into *t. */
static mkba_status read_term(mkba_model *m, const rawval *cv, const char *text, size_t pos,
                             mkba_est_term *t, mkba_error *err)
{
    if (!*text)
        return raw_error(err, cv, "term %zu is empty (a comma too many?): expected a "
                                  "comma-separated list of covariates, squares (age^2) and "
                                  "products (age*female)",
                         pos + 1);
    char *a, *b;
    int square;
    size_t ia = 0, ib = 0;
    mkba_status st = term_form(cv, text, &a, &b, &square, err);
    if (!st)
        st = term_covariate(m, cv, text, a, &ia, err);
    if (!st && b)
        st = term_covariate(m, cv, text, b, &ib, err);
    free(a);
    free(b);
    if (st)
        return st;
    t->a = ia;
    t->b = square ? (long)ia : b ? (long)ib : -1;
    return term_types(m, cv, text, t, err);
}

static int same_term(const mkba_est_term *x, const mkba_est_term *y)
{
    if (x->b < 0 || y->b < 0 || x->b == (long)x->a || y->b == (long)y->a)
        return x->a == y->a && x->b == y->b;
    return (x->a == y->a && x->b == y->b) || ((long)x->a == y->b && x->b == (long)y->a);
}

static int has_main_term(const mkba_ps_spec *ps, size_t var)
{
    for (size_t i = 0; i < ps->n_terms; i++)
        if (ps->terms[i].a == var && ps->terms[i].b < 0)
            return 1;
    return 0;
}

/* [propensity] covariates: the terms, each checked, none twice, and each
 * product's covariates also listed alone. */
static mkba_status read_ps_terms(mkba_model *m, const rawval *cv, mkba_error *err)
{
    char **texts;
    size_t n = split_terms(cv->text, &texts);
    mkba_status st = MKBA_OK;
    m->ps_terms = mkba_xcalloc(n, sizeof *m->ps_terms);
    m->ps.terms = m->ps_terms;
    for (size_t i = 0; i < n && !st; i++) {
        st = read_term(m, cv, texts[i], i, &m->ps_terms[i], err);
        for (size_t k = 0; k < i && !st; k++)
            if (same_term(&m->ps_terms[k], &m->ps_terms[i]))
                st = raw_error(err, cv, "term '%s' is listed twice%s%s%s", texts[i],
                               strcmp(texts[k], texts[i]) ? " (also as '" : "",
                               strcmp(texts[k], texts[i]) ? texts[k] : "",
                               strcmp(texts[k], texts[i]) ? "')" : "");
        m->ps.n_terms = i + 1;
    }
    for (size_t i = 0; i < n && !st; i++) {
        const mkba_est_term *t = &m->ps_terms[i];
        if (t->b < 0 || t->b == (long)t->a)
            continue;
        size_t vars[2] = {t->a, (size_t)t->b};
        for (int k = 0; k < 2 && !st; k++)
            if (!has_main_term(&m->ps, vars[k]))
                st = raw_error(err, cv,
                               "term '%s': list '%s' on its own too (A*B adds only the "
                               "product column, like A:B in R)",
                               texts[i], m->cvars[vars[k]].name);
    }
    free_list(texts, n);
    return st;
}

/* A share of persons for trim: 0.01 or 1%; 0 (the default) trims none. */
static mkba_status read_trim(mkba_model *m, mkba_error *err)
{
    rawval v = raw_of(m->base, mkba_ini_get(m->base, "propensity", "trim"));
    double t;
    if (!v.text)
        return MKBA_OK;
    if (!parse_rate_value(v.text, &t))
        return raw_error(err, &v, "expected a share of persons such as 0.01 or 1%% (0: no "
                                  "trimming), got '%s'",
                         v.text);
    if (t < 0 || t >= 0.5)
        return raw_error(err, &v,
                         "expected a share from 0 to below 0.5 (persons with a propensity "
                         "below it or above 1 minus it are left out), got %g%s",
                         t, t >= 1 && t < 50 ? " (a percentage? write 0.01 or 1%)" : "");
    m->ps.trim = t;
    return MKBA_OK;
}

/* [propensity]: the propensity model shared by the ipw and dr outcomes. */
static mkba_status read_propensity(mkba_model *m, mkba_error *err)
{
    const mkba_ini *ini = m->base;
    if (!mkba_ini_section_line(ini, "propensity"))
        return MKBA_OK;
    mkba_status st = known_keys(ini, "propensity", PROPENSITY_KEYS, err);
    if (st)
        return st;
    rawval s = raw_section(ini, "propensity");
    if (!m->has_cohort_file)
        return raw_error(err, &s, "a propensity model needs a cohort file in [cohort]");
    rawval cv = raw_of(ini, mkba_ini_get(ini, "propensity", "covariates"));
    if (!cv.text)
        return raw_error(err, &s, "missing key 'covariates' (the terms of the propensity "
                                  "model, e.g. covariates = age, age^2, household)");
    if ((st = read_ps_terms(m, &cv, err)))
        return st;
    rawval es = raw_of(ini, mkba_ini_get(ini, "propensity", "estimand"));
    m->ps.estimand = MKBA_ESTIMAND_ATT;
    if (es.text && strcasecmp(es.text, "ate") == 0)
        m->ps.estimand = MKBA_ESTIMAND_ATE;
    else if (es.text && strcasecmp(es.text, "att") != 0)
        return raw_error(err, &es,
                         "expected att (the effect on the pilot's participants, the default) "
                         "or ate (the effect on everyone in the cohort), got '%s'",
                         es.text);
    if ((st = read_trim(m, err)))
        return st;
    m->has_ps = 1;
    return MKBA_OK;
}

static mkba_status read_effects(mkba_model *m, mkba_error *err)
{
    const mkba_ini *ini = m->base;
    m->est = mkba_xcalloc(ini->n_sections + 1, sizeof *m->est);
    mkba_status st = MKBA_OK;
    /* Outcomes first (their index = outcome index), then given effects. */
    for (int pass = 0; pass < 2 && !st; pass++)
        for (size_t i = 0; i < ini->n_sections && !st; i++) {
            const char *name, *sec = ini->sections[i];
            int is_out = has_prefix(sec, "outcome.", &name);
            int is_eff = !is_out && has_prefix(sec, "effect.", &name);
            if (!(pass == 0 ? is_out : is_eff))
                continue;
            rawval s = raw_section(ini, sec);
            if (!is_name(name))
                st = raw_error(err, &s, "'%s' is not a name (letters, digits, '_')", name);
            else {
                for (size_t k = 0; k < m->n_effects; k++)
                    if (strcmp(m->effects[k].name, name) == 0)
                        st = raw_error(err, &s, "effect '%s' is defined twice", name);
            }
            if (!st)
                st = pass == 0 ? read_outcome(m, sec, name, err)
                               : read_given_effect(m, sec, name, err);
        }
    if (st || (st = read_propensity(m, err)))
        return st;
    /* Covariate sections not named by any outcome are still checked. */
    for (size_t i = 0; i < ini->n_sections && !st; i++) {
        const char *name;
        size_t idx;
        if (has_prefix(ini->sections[i], "covariate.", &name))
            st = read_covariate(m, ini->sections[i], name, &idx, err);
    }
    m->cspec.vars = m->cvars;
    m->cspec.ranges = m->cranges;
    m->cspec.n_vars = m->n_cvars;
    return st;
}

/* ======================= Prices ======================= */

/* [prices]: the price index that rebases amounts written in another year's
 * prices to the model's price_year (prices.h). Model only: a scenario
 * cannot change it. */
static const char *const PRICES_KEYS[] = {"index", "index_column", NULL};

static mkba_status read_prices_section(mkba_model *m, mkba_error *err)
{
    const mkba_ini *ini = m->base;
    if (!mkba_ini_section_line(ini, "prices"))
        return MKBA_OK;
    mkba_status st = known_keys(ini, "prices", PRICES_KEYS, err);
    if (st)
        return st;
    rawval ix = raw_of(ini, mkba_ini_get(ini, "prices", "index"));
    if (!ix.text) {
        rawval sec = raw_section(ini, "prices");
        return raw_error(err, &sec, "missing key 'index' (the price index file, e.g. "
                                    "../data/cpi_cbs.csv)");
    }
    const char *col = get_text(ini, "prices", "index_column");
    m->prices_file = path_relative(ini->path, ix.text);
    m->prices = mkba_price_index_read(m->prices_file, col, err);
    if (!m->prices)
        return err->code;
    if (mkba_price_index_of(m->prices, m->price_year) == 0)
        return raw_error(err, &ix, "the price index has no year %d, the model's price_year "
                                   "(it covers %d to %d)",
                         m->price_year, mkba_price_index_first(m->prices),
                         mkba_price_index_last(m->prices));
    return MKBA_OK;
}

/* 'price_year' of section 'sec' (a parameter or an item): its factor to
 * the model's price year into *factor, where it was written into *at. */
static mkba_status read_price_year(const mkba_model *m, const mkba_ini *ini, const char *sec,
                                   rawval *at, double *factor, mkba_error *err)
{
    rawval v = raw_of(ini, mkba_ini_get(ini, sec, "price_year"));
    long y;
    if (!v.text)
        return MKBA_OK;
    if (!parse_long(v.text, 1900, 2200, &y))
        return raw_error(err, &v, "expected a calendar year from 1900 to 2200, got '%s'",
                         v.text);
    if (!m->prices)
        return raw_error(err, &v, "price_year needs a price index: add a [prices] section "
                                  "with index = FILE (e.g. ../data/cpi_cbs.csv)");
    double f = mkba_price_factor(m->prices, (int)y, m->price_year);
    if (f == 0)
        return raw_error(err, &v, "the price index has no year %ld (it covers %d to %d)", y,
                         mkba_price_index_first(m->prices), mkba_price_index_last(m->prices));
    *at = v;
    *factor = f;
    return MKBA_OK;
}

/* 'hay' contains 'needle', ignoring case. */
static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return n == 0;
}

/* A parameter's price_year marks it as an amount of money: its unit, when
 * it has one, must name the model's currency, so that a count or a share
 * is never rebased by mistake. */
static mkba_status check_priced_param(const mkba_model *m, const param_raw *p, mkba_error *err)
{
    if (!p->price_year.text || !p->unit || contains_nocase(p->unit, m->currency))
        return MKBA_OK;
    return raw_error(err, &p->price_year, "price_year rebases amounts of money, and '%s' is "
                                          "in '%s', not in %s; leave price_year out for a "
                                          "count or a share (or put %s in its unit)",
                     p->name, p->unit, m->currency, m->currency);
}

/* ======================= Parameters and items (raw) ======================= */

static const char *const PARAM_KEYS[] = {"value", "distribution", "label", "unit", "source",
                                         "price_year", "label_nl", NULL};
static const char *const ITEM_KEYS[] = {"label", "kind", "domain", "stakeholder", "gainer",
                                        "loser", "quantity", "price", "years", "dropoff",
                                        "source", "enabled", "price_year", "label_nl", NULL};
static const char *const ITEM_OVERRIDE_KEYS[] = {"quantity", "price", "years", "dropoff",
                                                 "enabled", "source", NULL};
static const char *const DOMAINS[] = {"work", "care", "staff", "implementation", "other", NULL};

static param_raw *find_param(const scenario *s, const char *name)
{
    long i = mkba_strmap_get(s->param_index, name, strlen(name));
    return i >= 0 ? &s->params[i] : NULL;
}

static param_raw *add_param(scenario *s, const char *name)
{
    if (s->n_params == s->params_cap) {
        s->params_cap = s->params_cap ? 2 * s->params_cap : 16;
        s->params = mkba_xreallocarray(s->params, s->params_cap, sizeof *s->params);
    }
    if (!s->param_index)
        s->param_index = mkba_strmap_alloc();
    mkba_strmap_put(s->param_index, name, strlen(name), (long)s->n_params);
    param_raw *p = &s->params[s->n_params++];
    memset(p, 0, sizeof *p);
    p->name = mkba_xstrdup(name);
    return p;
}

static int reserved_name(const char *name)
{
    return strcmp(name, "n_pilot") == 0 || strcmp(name, "n_control") == 0 ||
           strcmp(name, "n_total") == 0;
}

/* [parameters] and [param.X] of one file into scenario 's'. In a scenario
 * file ('is_override'), a parameter may be new or override the base. */
static mkba_status read_params(const mkba_model *m, const mkba_ini *ini, scenario *s,
                               int is_override, mkba_error *err)
{
    mkba_ini_entry *entries;
    size_t n = mkba_ini_section_entries(ini, "parameters", &entries);
    for (size_t i = 0; i < n; i++) {
        mkba_ini_entry *e = &entries[i];
        rawval v = raw_of(ini, e);
        if (!is_name(e->key) || reserved_name(e->key))
            return raw_error(err, &v, "'%s' cannot be a parameter name%s", e->key,
                             reserved_name(e->key) ? " (reserved)" : "");
        param_raw *p = find_param(s, e->key);
        if (!p)
            p = add_param(s, e->key);
        else if (!is_override)
            return raw_error(err, &v, "parameter '%s' is defined twice", e->key);
        p->value = v;
    }
    for (size_t i = 0; i < ini->n_sections; i++) {
        const char *name, *sec = ini->sections[i];
        if (!has_prefix(sec, "param.", &name))
            continue;
        rawval hs = raw_section(ini, sec);
        mkba_status st = known_keys(ini, sec, PARAM_KEYS, err);
        if (st)
            return st;
        if (!is_name(name) || reserved_name(name))
            return raw_error(err, &hs, "'%s' cannot be a parameter name", name);
        param_raw *p = find_param(s, name);
        int defined_here = p && p->value.ini == ini;
        if (defined_here)
            return raw_error(err, &hs, "parameter '%s' is defined twice", name);
        if (!p)
            p = add_param(s, name);
        rawval v = raw_of(ini, mkba_ini_get(ini, sec, "value"));
        rawval d = raw_of(ini, mkba_ini_get(ini, sec, "distribution"));
        if (d.text && is_override)
            return raw_error(err, &d, "distributions are set in the base model; a scenario "
                                      "can only fix the parameter (value = ...)");
        rawval py = raw_of(ini, mkba_ini_get(ini, sec, "price_year"));
        if (py.text && is_override)
            return raw_error(err, &py, "a parameter's price year is set in the base model; a "
                                       "scenario's value is read in the same year's prices");
        if ((st = read_price_year(m, ini, sec, &p->price_year, &p->price_factor, err)))
            return st;
        if (d.text)
            p->dist = d;
        if (v.text)
            p->value = v;
        else if (!p->value.text && !d.text)
            return raw_error(err, &hs, "missing key 'value' (or 'distribution')");
        const char *lab = get_text(ini, sec, "label"), *unit = get_text(ini, sec, "unit");
        const char *src = get_text(ini, sec, "source");
        const char *lab_nl = get_text(ini, sec, "label_nl");
        if (lab)
            p->label = lab;
        if (lab_nl)
            p->label_nl = lab_nl;
        if (unit)
            p->unit = unit;
        if (src)
            p->source = src;
        if ((st = check_priced_param(m, p, err)))
            return st;
    }
    return MKBA_OK;
}

static int in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

static mkba_status read_item_identity(mkba_model *m, const mkba_ini *ini, const char *sec,
                                      item_raw *it, mkba_error *err)
{
    rawval hs = raw_section(ini, sec);
    const char *label = get_text(ini, sec, "label");
    it->label = label ? label : "";
    it->label_nl = get_text(ini, sec, "label_nl");
    rawval kind = raw_of(ini, mkba_ini_get(ini, sec, "kind"));
    if (!kind.text)
        return raw_error(err, &hs, "missing key 'kind' (benefit, cost or transfer)");
    if (strcmp(kind.text, "benefit") == 0)
        it->kind = MKBA_ITEM_BENEFIT;
    else if (strcmp(kind.text, "cost") == 0)
        it->kind = MKBA_ITEM_COST;
    else if (strcmp(kind.text, "transfer") == 0)
        it->kind = MKBA_ITEM_TRANSFER;
    else
        return raw_error(err, &kind, "expected benefit, cost or transfer, got '%s'", kind.text);
    rawval dom = raw_of(ini, mkba_ini_get(ini, sec, "domain"));
    it->domain = dom.text ? dom.text : "other";
    if (!in_list(DOMAINS, it->domain))
        return raw_error(err, &dom, "expected work, care, staff, implementation or other, "
                                    "got '%s'",
                         it->domain);
    const char *who_keys[2] = {"stakeholder", NULL};
    if (it->kind == MKBA_ITEM_TRANSFER)
        who_keys[0] = "gainer", who_keys[1] = "loser";
    const char *other = it->kind == MKBA_ITEM_TRANSFER ? "stakeholder" : "gainer";
    rawval wrong = raw_of(ini, mkba_ini_get(ini, sec, other));
    if (wrong.text)
        return raw_error(err, &wrong, "a %s item has %s", kind.text,
                         it->kind == MKBA_ITEM_TRANSFER ? "'gainer' and 'loser'"
                                                        : "a 'stakeholder'");
    long *dst[2] = {&it->stakeholder, &it->loser};
    it->loser = -1;
    for (int i = 0; i < 2 && who_keys[i]; i++) {
        rawval w = raw_of(ini, mkba_ini_get(ini, sec, who_keys[i]));
        if (!w.text)
            return raw_error(err, &hs, "missing key '%s'", who_keys[i]);
        *dst[i] = find_name(m->stakeholders, m->n_stakeholders, w.text);
        if (*dst[i] < 0)
            return raw_error(err, &w, "unknown stakeholder '%s' (not in [model] stakeholders)",
                             w.text);
    }
    if (it->kind == MKBA_ITEM_TRANSFER && it->stakeholder == it->loser)
        return raw_error(err, &hs, "a transfer needs two different stakeholders");
    return MKBA_OK;
}

static void read_item_values(const mkba_ini *ini, const char *sec, item_raw *it)
{
    rawval *dst[] = {&it->quantity, &it->price, &it->years, &it->dropoff};
    const char *keys[] = {"quantity", "price", "years", "dropoff"};
    for (int i = 0; i < 4; i++) {
        rawval v = raw_of(ini, mkba_ini_get(ini, sec, keys[i]));
        if (v.text)
            *dst[i] = v;
    }
    const char *src = get_text(ini, sec, "source");
    if (src)
        it->source = src;
}

static mkba_status read_enabled(const mkba_ini *ini, const char *sec, item_raw *it,
                                mkba_error *err)
{
    rawval en = raw_of(ini, mkba_ini_get(ini, sec, "enabled"));
    if (en.text && !parse_bool(en.text, &it->enabled))
        return raw_error(err, &en, "expected yes or no, got '%s'", en.text);
    return MKBA_OK;
}

/* Items of the base model: the union list starts with them. */
static mkba_status read_base_items(mkba_model *m, scenario *s, mkba_error *err)
{
    const mkba_ini *ini = m->base;
    for (size_t i = 0; i < ini->n_sections; i++) {
        const char *name, *sec = ini->sections[i];
        if (!has_prefix(sec, "item.", &name))
            continue;
        rawval hs = raw_section(ini, sec);
        if (!is_name(name))
            return raw_error(err, &hs, "'%s' is not a name (letters, digits, '_')", name);
        mkba_status st = known_keys(ini, sec, ITEM_KEYS, err);
        if (st)
            return st;
        s->items = mkba_xreallocarray(s->items, m->n_items + 1, sizeof *s->items);
        mkba_strmap_put(m->item_index, name, strlen(name), (long)m->n_items);
        item_raw *it = &s->items[m->n_items++];
        memset(it, 0, sizeof *it);
        it->name = mkba_xstrdup(name);
        it->enabled = 1;
        it->where = hs;
        it->source = "";
        if ((st = read_item_identity(m, ini, sec, it, err)))
            return st;
        read_item_values(ini, sec, it);
        if ((st = read_enabled(ini, sec, it, err)) ||
            (st = read_price_year(m, ini, sec, &it->price_year, &it->price_factor, err)))
            return st;
        if (!it->quantity.text)
            return raw_error(err, &hs, "missing key 'quantity'");
    }
    return MKBA_OK;
}

static void copy_scenario_items(const mkba_model *m, const scenario *from, scenario *to)
{
    to->items = mkba_xcalloc(m->n_items ? m->n_items : 1, sizeof *to->items);
    for (size_t i = 0; i < m->n_items; i++) {
        to->items[i] = from->items[i];
        to->items[i].name = mkba_xstrdup(from->items[i].name);
    }
    for (size_t i = 0; i < from->n_params; i++) {
        param_raw *p = add_param(to, from->params[i].name);
        char *name = p->name;
        *p = from->params[i];
        p->name = name;
    }
}

/* A scenario's [item.NAME] that is not in the base model and has no
 * 'kind': most likely a misspelt item it meant to change. */
static mkba_status unknown_item(const mkba_model *m, const scenario *s, const rawval *hs,
                                const char *name, mkba_error *err)
{
    nearest nr = nearest_start(name);
    for (size_t k = 0; k < m->n_items; k++)
        nearest_try(&nr, s->items[k].name);
    const char *near = nr.best;
    return raw_error(err, hs, "the base model has no item '%s'%s%s%s; a new item needs "
                              "'kind' (benefit, cost or transfer)",
                     name, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

/* A scenario's [item.X]: override of a base item, or a new item. New items
 * are appended to the union list of every scenario (disabled elsewhere). */
static mkba_status read_scenario_items(mkba_model *m, scenario *s, mkba_error *err)
{
    const mkba_ini *ini = s->ini;
    for (size_t i = 0; i < ini->n_sections; i++) {
        const char *name, *sec = ini->sections[i];
        if (!has_prefix(sec, "item.", &name))
            continue;
        rawval hs = raw_section(ini, sec);
        long at = mkba_strmap_get(m->item_index, name, strlen(name));
        item_raw *it = at >= 0 ? &s->items[at] : NULL;
        mkba_status st;
        if (it && it->added) {
            /* Another scenario added this item too: this is a definition of
             * its own, with the same identity. */
            item_raw def = {0};
            def.where = hs;
            def.enabled = 1;
            def.source = "";
            if ((st = known_keys(ini, sec, ITEM_KEYS, err)) ||
                (st = read_item_identity(m, ini, sec, &def, err)))
                return st;
            if (def.kind != it->kind || def.stakeholder != it->stakeholder ||
                def.loser != it->loser || strcmp(def.domain, it->domain) != 0)
                return raw_error(err, &hs, "item '%s' is also added by another scenario (%s:%ld) "
                                           "with another kind, domain or stakeholder; give it "
                                           "another name",
                                 name, it->where.ini->path, it->where.line);
            read_item_values(ini, sec, &def);
            if ((st = read_enabled(ini, sec, &def, err)) ||
                (st = read_price_year(m, ini, sec, &def.price_year, &def.price_factor, err)))
                return st;
            if (!def.quantity.text)
                return raw_error(err, &hs, "missing key 'quantity'");
            char *keep = it->name;
            *it = def;
            it->name = keep;
            it->added = 1;
            continue;
        }
        if (it) {
            for (const char *const *k = ITEM_KEYS; *k; k++) {
                rawval v = raw_of(ini, mkba_ini_get(ini, sec, *k));
                if (v.text && !in_list(ITEM_OVERRIDE_KEYS, *k))
                    return raw_error(err, &v, "a scenario cannot change '%s' of item '%s'; "
                                              "disable it (enabled = no) and add a new item",
                                     *k, name);
            }
            if ((st = known_keys(ini, sec, ITEM_OVERRIDE_KEYS, err)))
                return st;
            read_item_values(ini, sec, it);
            if ((st = read_enabled(ini, sec, it, err)))
                return st;
            continue;
        }
        if (!is_name(name))
            return raw_error(err, &hs, "'%s' is not a name (letters, digits, '_')", name);
        if ((st = known_keys(ini, sec, ITEM_KEYS, err)))
            return st;
        if (!mkba_ini_get(ini, sec, "kind"))
            return unknown_item(m, s, &hs, name, err);
        /* New item: grow every scenario's list (and the base definitions,
         * which later scenarios copy), disabled where not defined. */
        for (size_t k = 0; k <= m->n_scen; k++) {
            scenario *o = k < m->n_scen ? &m->scen[k] : &m->base_def;
            o->items = mkba_xreallocarray(o->items, m->n_items + 1, sizeof *o->items);
            memset(&o->items[m->n_items], 0, sizeof *o->items);
        }
        mkba_strmap_put(m->item_index, name, strlen(name), (long)m->n_items);
        m->n_items++;
        item_raw fresh = {0};
        fresh.where = hs;
        fresh.enabled = 1;
        fresh.added = 1;
        fresh.source = "";
        if ((st = read_item_identity(m, ini, sec, &fresh, err)))
            goto fill;
        read_item_values(ini, sec, &fresh);
        if ((st = read_enabled(ini, sec, &fresh, err)) ||
            (st = read_price_year(m, ini, sec, &fresh.price_year, &fresh.price_factor, err)))
            goto fill;
        if (!fresh.quantity.text)
            st = raw_error(err, &hs, "missing key 'quantity'");
    fill:
        for (size_t k = 0; k <= m->n_scen; k++) {
            scenario *o = k < m->n_scen ? &m->scen[k] : &m->base_def;
            item_raw *oi = &o->items[m->n_items - 1];
            *oi = fresh;
            oi->name = mkba_xstrdup(name);
            oi->enabled = o == s ? fresh.enabled : 0;
        }
        if (st)
            return st;
    }
    return MKBA_OK;
}

/* ======================= Uncertainty and simulation settings ======================= */

/* An item's identity (kind, stakeholders, label). Items a scenario adds are
 * copied into every scenario and the base definitions, so the base list
 * has them all. */
static const item_raw *item_identity(const mkba_model *m, size_t i)
{
    return &m->base_def.items[i];
}

static const char *own(mkba_model *m, const char *text)
{
    m->owned = mkba_xreallocarray(m->owned, m->n_owned + 1, sizeof *m->owned);
    return m->owned[m->n_owned++] = mkba_xstrdup(text);
}

/* Parameters with a distribution: parse it. One without a value gets the
 * distribution's mean as its value in the deterministic (base) run. */
static mkba_status read_uncertain_params(mkba_model *m, mkba_error *err)
{
    scenario *b = &m->base_def;
    m->unc_dists = mkba_xcalloc(b->n_params + 1, sizeof *m->unc_dists);
    for (size_t i = 0; i < b->n_params; i++) {
        param_raw *p = &b->params[i];
        if (!p->dist.text)
            continue;
        mkba_dist *d = &m->unc_dists[m->n_unc_params++];
        mkba_error e2;
        mkba_error_clear(&e2);
        if (mkba_dist_parse(p->dist.text, d, &e2))
            return raw_error(err, &p->dist, "%s", e2.msg);
        /* A base value the distribution cannot take (a share of 2 with a
         * beta) makes the base case and the Monte Carlo disagree. */
        double v, lo = mkba_dist_quantile(d, 0), hi = mkba_dist_quantile(d, 1);
        /* (the value is an expression: one that looks grouped in thousands
         * is refused with its hint when it is compiled) */
        if (p->value.text && mkba_number_grouping(p->value.text, NULL) == MKBA_OK &&
            parse_double(p->value.text, &v) && (v < lo || v > hi))
            return raw_error(err, &p->value, "%g is outside the range of its distribution "
                                             "'%s' (%g to %g)",
                             v, p->dist.text, lo, hi);
        if (!p->value.text) {
            char buf[64];
            if (!isfinite(mkba_dist_mean(d))) /* its mean is the base run's value */
                return raw_error(err, &p->dist, "'%s' has amounts too near the largest number "
                                                "(about 1.8e308) for its mean, the value of the "
                                                "deterministic run: give the parameter a 'value', "
                                                "or amounts in thousands or millions",
                                 p->dist.text);
            snprintf(buf, sizeof buf, "%.17g", mkba_dist_mean(d));
            p->value = p->dist;
            p->value.text = own(m, buf);
        }
        /* The distribution is in the same year's prices as the value: both
         * are rebased (the value when it is compiled). */
        if (p->price_factor > 0 && !mkba_dist_scale(d, p->price_factor))
            return raw_error(err, &p->price_year, "price_year rebases amounts of money, and "
                                                  "'%s' has a beta distribution, which is for "
                                                  "a share from 0 to 1; leave price_year out",
                             p->name);
    }
    return MKBA_OK;
}

static const char *const SIM_KEYS[] = {"draws", "seed", "bootstrap", NULL};

static mkba_status read_simulation(mkba_model *m, mkba_error *err)
{
    const mkba_ini *ini = m->base;
    /* [correlations] keys are pairs of names, checked in build_uncertain. */
    mkba_ini_entry *corr;
    size_t n_corr = mkba_ini_section_entries(ini, "correlations", &corr);
    for (size_t i = 0; i < n_corr; i++)
        corr[i].used = 1;
    mkba_status st = known_keys(ini, "simulation", SIM_KEYS, err);
    if (st)
        return st;
    const char *keys[] = {"draws", "bootstrap"};
    size_t *dst[] = {&m->sim.draws, &m->sim.bootstrap};
    long lo[] = {1, MKBA_BOOTSTRAP_MIN}, hi[] = {1000000000L, MKBA_BOOTSTRAP_MAX};
    /* why fewer replicates are refused: bootstrap.h, MKBA_BOOTSTRAP_MIN */
    const char *why[] = {"", ": fewer bootstrap replicates cannot describe the effects' "
                             "uncertainty (the bootstrap CI would rest on the most extreme ones)"};
    for (int i = 0; i < 2; i++) {
        rawval v = raw_of(ini, mkba_ini_get(ini, "simulation", keys[i]));
        long n;
        if (!v.text)
            continue;
        /* bootstrap = 0 fixes the effects at their estimates, as --bootstrap 0 */
        if (!(i == 1 && parse_long(v.text, 0, 0, &n)) && !parse_long(v.text, lo[i], hi[i], &n))
            return raw_error(err, &v, "expected %sa whole number from %ld to %ld, got '%s'%s",
                             i == 1 ? "0 (the effects fixed at their estimates) or " : "",
                             lo[i], hi[i], v.text, why[i]);
        *dst[i] = (size_t)n;
        m->sim.has_bootstrap |= i == 1;
    }
    rawval sd = raw_of(ini, mkba_ini_get(ini, "simulation", "seed"));
    if (sd.text) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(sd.text, &end, 10);
        if (end == sd.text || *end || errno || sd.text[0] == '-')
            return raw_error(err, &sd, "expected a whole number >= 0, got '%s'", sd.text);
        m->sim.seed = (uint64_t)v;
        m->sim.has_seed = 1;
    }
    return MKBA_OK;
}

/* The list of uncertain quantities, in a fixed order (parameters in file
 * order, then given effects), and the copula of [correlations]. */
static mkba_status build_uncertain(mkba_model *m, mkba_error *err)
{
    scenario *b = &m->base_def;
    size_t n_given = 0;
    for (size_t i = 0; i < m->n_effects; i++)
        n_given += !m->effects[i].from_cohort && m->effects[i].dist.kind != MKBA_DIST_FIXED;
    m->unc = mkba_xcalloc(m->n_unc_params + n_given + 1, sizeof *m->unc);
    size_t k = 0;
    for (size_t i = 0; i < b->n_params; i++) {
        if (!b->params[i].dist.text)
            continue;
        mkba_plan_uncertain *u = &m->unc[k];
        u->name = b->params[i].name;
        u->slot = slot_of(m, u->name);
        u->dist = &m->unc_dists[k];
        u->copula_index = -1;
        u->effect = -1;
        k++;
    }
    for (size_t i = 0; i < m->n_effects; i++) {
        effect_def *e = &m->effects[i];
        if (e->from_cohort || e->dist.kind == MKBA_DIST_FIXED)
            continue;
        char buf[320];
        snprintf(buf, sizeof buf, "effect.%s", e->name);
        mkba_plan_uncertain *u = &m->unc[k++];
        u->slot = slot_of(m, buf);
        u->name = m->slot_names[u->slot];
        u->dist = &e->dist;
        u->copula_index = -1;
        u->effect = (long)i;
    }
    size_t n_unc = k;
    /* [correlations]: "a, b = rank correlation" */
    const mkba_ini *ini = m->base;
    mkba_ini_entry *pairs;
    size_t n_pairs = mkba_ini_section_entries(ini, "correlations", &pairs);
    if (n_pairs) {
        long *unc_of = mkba_xmalloc(m->n_slots * sizeof *unc_of); /* slot -> uncertain, or -1 */
        for (size_t j = 0; j < m->n_slots; j++)
            unc_of[j] = -1;
        for (size_t q = 0; q < n_unc; q++)
            unc_of[m->unc[q].slot] = (long)q;
        long *idx = mkba_xcalloc(2 * n_pairs, sizeof *idx);
        double *rho = mkba_xcalloc(n_pairs, sizeof *rho);
        size_t p = 0, dim = 0;
        mkba_status st = MKBA_OK;
        for (size_t i = 0; i < n_pairs && !st; i++) {
            mkba_ini_entry *e = &pairs[i];
            rawval v = raw_of(ini, e);
            char **names;
            size_t nn = split_list(e->key, &names);
            if (nn != 2)
                st = raw_error(err, &v, "expected 'name1, name2 = rank correlation'");
            for (size_t j = 0; j < nn && j < 2 && !st; j++) {
                long slot = slot_of(m, names[j]), u = slot >= 0 ? unc_of[slot] : -1;
                if (u < 0)
                    st = strncmp(names[j], "effect.", 7) == 0
                             ? raw_error(err, &v, "'%s' is not uncertain (give the effect an "
                                                  "'se' or a 'distribution')",
                                         names[j])
                             : raw_error(err, &v, "'%s' is not an uncertain parameter (give it a "
                                                  "distribution in [param.%s])",
                                         names[j], names[j]);
                else {
                    if (m->unc[u].copula_index < 0)
                        m->unc[u].copula_index = (long)dim++;
                    idx[2 * p + j] = m->unc[u].copula_index;
                }
            }
            if (!st && idx[2 * p] == idx[2 * p + 1])
                st = raw_error(err, &v, "a parameter cannot be correlated with itself");
            for (size_t q = 0; q < p && !st; q++)
                if ((idx[2 * q] == idx[2 * p] && idx[2 * q + 1] == idx[2 * p + 1]) ||
                    (idx[2 * q] == idx[2 * p + 1] && idx[2 * q + 1] == idx[2 * p]))
                    st = raw_error(err, &v, "this pair already has a correlation");
            if (!st && (!parse_double(v.text, &rho[p]) || rho[p] < -1 || rho[p] > 1))
                st = raw_error(err, &v, "expected a correlation between -1 and 1, got '%s'",
                               v.text);
            free_list(names, nn);
            p++;
        }
        if (!st) {
            double *c = mkba_xcalloc(dim * dim, sizeof *c);
            for (size_t i = 0; i < dim; i++)
                c[i * dim + i] = 1;
            for (size_t q = 0; q < p; q++) {
                c[idx[2 * q] * (long)dim + idx[2 * q + 1]] = rho[q];
                c[idx[2 * q + 1] * (long)dim + idx[2 * q]] = rho[q];
            }
            mkba_error e2;
            mkba_error_clear(&e2);
            m->copula = mkba_copula_alloc(dim, c, &e2);
            if (!m->copula) {
                rawval s = raw_section(ini, "correlations");
                st = raw_error(err, &s, "%s", e2.msg);
            }
            free(c);
        }
        free(unc_of);
        free(idx);
        free(rho);
        if (st)
            return st;
    }
    m->n_unc = n_unc;
    return MKBA_OK;
}

/* Mark the parameters each scenario takes from the draws: uncertain in the
 * base model and not given another value by the scenario. */
static void mark_drawn(mkba_model *m, scenario *s)
{
    char *uncertain = mkba_xcalloc(m->n_slots, 1); /* per slot: a drawn parameter */
    for (size_t k = 0; k < m->n_unc; k++)
        if (m->unc[k].effect < 0)
            uncertain[m->unc[k].slot] = 1;
    for (size_t i = 0; i < s->n_params; i++) {
        param_c *c = &s->pc[i];
        c->drawn = 0;
        if (uncertain[c->slot]) {
            const param_raw *bp = find_param(&m->base_def, m->slot_names[c->slot]);
            c->drawn = bp && c->src.ini == bp->value.ini && c->src.line == bp->value.line;
        }
    }
    free(uncertain);
}

static void build_plan(mkba_model *m)
{
    mkba_plan *p = &m->plan;
    p->n_slots = m->n_slots;
    p->base_slots = m->base_slots;
    p->slot_names = m->slot_names;
    p->horizon = m->horizon;
    p->n_items = m->n_items;
    p->n_scenarios = m->n_scen;
    p->n_stakeholders = m->n_stakeholders;
    m->plan_kinds = mkba_xcalloc(m->n_items + 1, sizeof *m->plan_kinds);
    m->plan_who = mkba_xcalloc(m->n_items + 1, sizeof *m->plan_who);
    m->plan_loser = mkba_xcalloc(m->n_items + 1, sizeof *m->plan_loser);
    for (size_t i = 0; i < m->n_items; i++) {
        const item_raw *r = item_identity(m, i);
        m->plan_kinds[i] = r->kind;
        m->plan_who[i] = (size_t)r->stakeholder;
        m->plan_loser[i] = r->loser < 0 ? 0 : (size_t)r->loser;
    }
    p->kinds = m->plan_kinds;
    p->stakeholder = m->plan_who;
    p->loser = m->plan_loser;
    m->plan_scen = mkba_xcalloc(m->n_scen, sizeof *m->plan_scen);
    for (size_t k = 0; k < m->n_scen; k++) {
        scenario *s = &m->scen[k];
        mark_drawn(m, s);
        s->plan_params = mkba_xcalloc(s->n_params + 1, sizeof *s->plan_params);
        for (size_t i = 0; i < s->n_params; i++)
            s->plan_params[i] = (mkba_plan_param){s->pc[i].slot, s->pc[i].expr, s->pc[i].drawn};
        s->plan_items = mkba_xcalloc(m->n_items + 1, sizeof *s->plan_items);
        for (size_t i = 0; i < m->n_items; i++) {
            const item_c *c = &s->ic[i];
            s->plan_items[i] = (mkba_plan_item){c->enabled, c->quantity, c->price,
                                                c->dropoff,  c->first,    c->last};
        }
        m->plan_scen[k] = (mkba_plan_scenario){s->n_params, s->plan_params, s->plan_items,
                                               s->discount};
    }
    p->scenarios = m->plan_scen;
    p->n_uncertain = m->n_unc;
    p->uncertain = m->unc;
    p->copula = m->copula;
    p->n_outcomes = m->n_outcomes;
    m->outcome_slots = mkba_xcalloc(m->n_outcomes + 1, sizeof *m->outcome_slots);
    for (size_t i = 0; i < m->n_outcomes; i++) {
        char buf[320];
        snprintf(buf, sizeof buf, "effect.%s", m->effects[i].name);
        m->outcome_slots[i] = slot_of(m, buf);
    }
    p->outcome_slots = m->outcome_slots;
}

const mkba_plan *mkba_model_plan(const mkba_model *m)
{
    return &m->plan;
}

const mkba_sim_settings *mkba_model_sim_settings(const mkba_model *m)
{
    return &m->sim;
}

/* ======================= Opening a study ======================= */

static void scenario_free(scenario *s)
{
    free(s->name);
    free(s->label);
    free(s->label_nl);
    free(s->file);
    for (size_t i = 0; i < s->n_params; i++)
        free(s->params[i].name);
    free(s->params);
    mkba_strmap_free(s->param_index);
    if (s->pc)
        for (size_t i = 0; i < s->n_params; i++)
            mkba_expr_free(s->pc[i].expr);
    free(s->pc);
    free(s->rate);
    free(s->discount);
    free(s->plan_params);
    free(s->plan_items);
    mkba_ini_free(s->ini);
}

void mkba_model_free(mkba_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_notes; i++)
        free(m->notes[i].name);
    free(m->notes);
    for (size_t k = 0; k <= m->n_scen; k++) {
        scenario *s = k < m->n_scen ? &m->scen[k] : &m->base_def;
        for (size_t i = 0; i < m->n_items; i++) {
            if (s->items)
                free(s->items[i].name);
            if (s->ic) {
                mkba_expr_free(s->ic[i].quantity);
                mkba_expr_free(s->ic[i].price);
                mkba_expr_free(s->ic[i].dropoff);
            }
        }
        free(s->items);
        free(s->ic);
        scenario_free(s);
    }
    free(m->scen);
    for (size_t i = 0; i < m->n_unc_params; i++)
        mkba_dist_free(&m->unc_dists[i]);
    free(m->unc);
    free(m->unc_dists);
    mkba_copula_free(m->copula);
    free_list(m->owned, m->n_owned);
    free(m->plan_scen);
    free(m->outcome_slots);
    free(m->plan_kinds);
    free(m->plan_who);
    free(m->plan_loser);
    free_list(m->stakeholders, m->n_stakeholders);
    free_list(m->stakeholder_labels, m->n_stakeholders);
    free_list(m->stakeholder_labels_nl, m->n_stakeholders);
    for (size_t i = 0; i < m->n_cvars; i++) {
        free((char *)m->cvars[i].name);
        free((char *)m->cvars[i].column);
    }
    free(m->cvars);
    free(m->cranges);
    free((char *)m->cspec.file);
    free((char *)m->cspec.pilot_file);
    free((char *)m->cspec.control_file);
    free((char *)m->cspec.group_column);
    free((char *)m->cspec.pilot_value);
    free((char *)m->cspec.control_value);
    free((char *)m->cspec.id_column);
    for (size_t i = 0; i < m->n_effects; i++) {
        mkba_dist_free(&m->effects[i].dist);
        free(m->effects[i].name);
        free(m->effects[i].label);
        free(m->effects[i].label_nl);
        free(m->effects[i].unit);
        free(m->effects[i].source);
        free(m->effects[i].by_name);
        free(m->effects[i].level);
    }
    free(m->effects);
    mkba_ap_subgroups_free(m->subgroups);
    for (size_t i = 0; i < m->n_outcomes; i++)
        free((size_t *)m->est[i].cov);
    free(m->est);
    free(m->ps_terms);
    free_list(m->slot_names, m->n_slots);
    mkba_strmap_free(m->slot_index);
    mkba_strmap_free(m->item_index);
    free(m->base_slots);
    free(m->name);
    free(m->data_note);
    free(m->data_note_nl);
    free(m->name_nl);
    free(m->currency);
    mkba_price_index_free(m->prices);
    free(m->prices_file);
    free(m->timing);
    mkba_ini_free(m->base);
    free(m);
}

static const char *const SCENARIO_KEYS[] = {"name", "label", "base", "reference",
                                            "description", "label_nl", NULL};
static const char *const SCENARIO_MODEL_KEYS[] = {"discount_rate", NULL};

/* A scenario file's base model path, or NULL for a model file. */
static mkba_status scenario_base(const mkba_ini *ini, char **base, mkba_error *err)
{
    *base = NULL;
    if (!mkba_ini_section_line(ini, "scenario"))
        return MKBA_OK;
    mkba_status st = known_keys(ini, "scenario", SCENARIO_KEYS, err);
    if (st)
        return st;
    const char *b = get_text(ini, "scenario", "base");
    if (!b) {
        rawval s = raw_section(ini, "scenario");
        return raw_error(err, &s, "missing key 'base' (the model file this scenario varies)");
    }
    *base = path_relative(ini->path, b);
    if (access(*base, R_OK) != 0) {
        int e = errno;
        rawval v = raw_of(ini, mkba_ini_get(ini, "scenario", "base"));
        st = raw_error(err, &v, "cannot open the base model '%s': %s", *base, strerror(e));
        free(*base);
        *base = NULL;
    }
    return st;
}

static int same_file(const char *a, const char *b)
{
    char *ra = realpath(a, NULL), *rb = realpath(b, NULL);
    int same = ra && rb && strcmp(ra, rb) == 0;
    free(ra);
    free(rb);
    return same;
}

/* Sections a scenario file may hold. */
static mkba_status check_scenario_sections(const mkba_ini *ini, mkba_error *err)
{
    for (size_t i = 0; i < ini->n_sections; i++) {
        const char *sec = ini->sections[i], *rest;
        if (strcmp(sec, "scenario") == 0 || strcmp(sec, "parameters") == 0 ||
            strcmp(sec, "model") == 0 || has_prefix(sec, "param.", &rest) ||
            has_prefix(sec, "item.", &rest))
            continue;
        if (!sec[0])
            return outside_section(ini, err);
        rawval s = raw_section(ini, sec);
        if (strcmp(sec, "propensity") == 0)
            return raw_error(err, &s, "a scenario cannot change the propensity model: "
                                      "[propensity] is set once, in the base model (for "
                                      "another propensity model, write another model file)");
        return raw_error(err, &s, "a scenario file cannot have this section (allowed: "
                                  "[scenario], [model] discount_rate, [parameters], "
                                  "[param.NAME], [item.NAME])");
    }
    return known_keys(ini, "model", SCENARIO_MODEL_KEYS, err);
}

/* "; did you mean [x]?" for an unknown section name close to a known one
 * (the part before the '.' compared for NAME sections), else "". */
static void section_hint(const char *sec, const char *const *plain,
                         const char *const *prefixed, char *buf, size_t size)
{
    const char *near = closest(sec, plain), *dot = strchr(sec, '.');
    buf[0] = '\0';
    if (near) {
        snprintf(buf, size, "; did you mean [%s]?", near);
        return;
    }
    if (!dot)
        return;
    char head[64];
    snprintf(head, sizeof head, "%.*s", (int)(dot + 1 - sec), sec);
    near = closest(head, prefixed);
    if (near)
        snprintf(buf, size, "; did you mean [%s%.200s]?", near, dot + 1);
}

static mkba_status check_model_sections(const mkba_ini *ini, mkba_error *err)
{
    static const char *const plain[] = {"model",      "cohort",  "parameters", "correlations",
                                        "simulation", "privacy", "propensity", "prices", NULL};
    static const char *const prefixed[] = {"stakeholder.", "outcome.", "covariate.",
                                           "effect.", "param.", "item.", NULL};
    for (size_t i = 0; i < ini->n_sections; i++) {
        const char *sec = ini->sections[i], *rest;
        int ok = in_list(plain, sec);
        for (size_t k = 0; prefixed[k] && !ok; k++)
            ok = has_prefix(sec, prefixed[k], &rest) && *rest;
        if (ok)
            continue;
        if (!sec[0])
            return outside_section(ini, err);
        rawval s = raw_section(ini, sec);
        char hint[300];
        section_hint(sec, plain, prefixed, hint, sizeof hint);
        return raw_error(err, &s, "unknown section [%s] (known: [model], [cohort], "
                                  "[parameters], [correlations], [simulation], [privacy], "
                                  "[propensity], [prices], "
                                  "[stakeholder.NAME], [outcome.NAME], [covariate.NAME], "
                                  "[effect.NAME], [param.NAME], [item.NAME])%s",
                         sec, hint);
    }
    return MKBA_OK;
}

static mkba_status add_scenario_file(mkba_model *m, const char *path, mkba_ini *ini,
                                     mkba_error *err)
{
    scenario *s = &m->scen[m->n_scen++];
    memset(s, 0, sizeof *s);
    s->file = mkba_xstrdup(path);
    mkba_status st;
    copy_scenario_items(m, &m->base_def, s);
    s->rate = mkba_xcalloc(m->horizon, sizeof *s->rate);
    s->discount = mkba_xcalloc(m->horizon, sizeof *s->discount);
    memcpy(s->rate, m->base_def.rate, m->horizon * sizeof *s->rate);
    s->rate_src = m->base_def.rate_src;
    if (!ini) { /* the base model itself */
        s->name = mkba_xstrdup("base");
        s->label = mkba_xstrdup(m->name);
        s->label_nl = m->name_nl ? mkba_xstrdup(m->name_nl) : NULL;
        return MKBA_OK;
    }
    s->ini = ini;
    if ((st = check_scenario_sections(ini, err)))
        return st;
    const char *name = get_text(ini, "scenario", "name");
    const char *label = get_text(ini, "scenario", "label");
    const char *label_nl = get_text(ini, "scenario", "label_nl");
    get_text(ini, "scenario", "description");
    get_text(ini, "scenario", "reference");
    get_text(ini, "scenario", "base");
    if (!name) {
        const char *slash = strrchr(path, '/');
        name = slash ? slash + 1 : path;
    }
    s->name = mkba_xstrdup(name);
    s->label = mkba_xstrdup(label ? label : name);
    s->label_nl = label_nl ? mkba_xstrdup(label_nl) : NULL;
    rawval r = raw_of(ini, mkba_ini_get(ini, "model", "discount_rate"));
    if (r.text) {
        if ((st = parse_discount(m, &r, m->horizon, s->rate, err)))
            return st;
        s->rate_src = r;
    }
    if ((st = read_params(m, ini, s, 1, err)))
        return st;
    if ((st = read_scenario_items(m, s, err)))
        return st;
    return check_keys(ini, err);
}

/* Read the base model: everything but compilation. 'ini' is the file
 * already read (taken over), or NULL to read 'path'. */
static mkba_status read_base(mkba_model *m, const char *path, mkba_ini *ini, mkba_error *err)
{
    m->base = ini ? ini : mkba_ini_read(path, err);
    if (!m->base)
        return err->code;
    long scenario_line = mkba_ini_section_line(m->base, "scenario");
    if (scenario_line)
        return mkba_error_set(err, MKBA_EINVAL, path, scenario_line, NULL,
                              "this is a scenario file; a scenario's 'base' must name "
                              "a model file");
    mkba_status st;
    if ((st = check_model_sections(m->base, err)) ||
        (st = read_model_section(m, err)) || (st = read_prices_section(m, err)) ||
        (st = read_stakeholder_sections(m, err)) ||
        (st = read_cohort_section(m, err)) || (st = read_privacy_section(m, err)) ||
        (st = read_effects(m, err)))
        return st;
    scenario *b = &m->base_def;
    b->rate = mkba_xcalloc(m->horizon, sizeof *b->rate);
    rawval r = raw_of(m->base, mkba_ini_get(m->base, "model", "discount_rate"));
    if (!r.text) {
        rawval s = raw_section(m->base, "model");
        return raw_error(err, &s, "missing key 'discount_rate' (e.g. 2.25%%, the Dutch "
                                  "standard rate since 2021)");
    }
    if ((st = parse_discount(m, &r, m->horizon, b->rate, err)))
        return st;
    b->rate_src = r;
    if ((st = read_params(m, m->base, b, 0, err)) || (st = read_uncertain_params(m, err)) ||
        (st = read_simulation(m, err)) || (st = read_base_items(m, b, err)))
        return st;
    return check_keys(m->base, err);
}

/* ======================= Subgroups ======================= */

static int is_seg_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
}

/* A level as a name segment, V of effect.X.by.V: every character other
 * than an ASCII letter, digit or '_' (a UTF-8 sequence counting as one)
 * written '_'. */
static void level_segment(const char *level, char *buf, size_t size)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)level; *p && n + 1 < size; p++) {
        if ((*p & 0xC0) == 0x80) /* a continuation byte: part of the character before */
            continue;
        buf[n++] = is_seg_char((char)*p) ? (char)*p : '_';
    }
    buf[n] = '\0';
}

/* The outcome index of effect 'name' (len bytes), or -1 for none; *given
 * set when it names a given effect. */
static long outcome_named(const mkba_model *m, const char *name, size_t len, int *given)
{
    *given = 0;
    for (size_t i = 0; i < m->n_effects; i++)
        if (strlen(m->effects[i].name) == len && strncmp(m->effects[i].name, name, len) == 0) {
            if (i < m->n_outcomes && m->effects[i].parent < 0)
                return (long)i;
            *given = m->effects[i].parent < 0;
        }
    return -1;
}

/* Declare subgroup outcome X.by.V (once) for a use at 'ref'. */
static void declare_subgroup(mkba_model *m, size_t x, const char *v, size_t vlen,
                             const rawval *ref)
{
    char name[320];
    snprintf(name, sizeof name, "%s.by.%.*s", m->effects[x].name, (int)vlen, v);
    for (size_t i = m->n_outcomes; i-- > 0;)
        if (strcmp(m->effects[i].name, name) == 0)
            return;
    /* Outcomes come first (index = outcome index): insert before the given effects. */
    size_t at = m->n_outcomes;
    add_effect(m, name);
    effect_def e = m->effects[m->n_effects - 1];
    memmove(&m->effects[at + 1], &m->effects[at], (m->n_effects - 1 - at) * sizeof e);
    const effect_def *px = &m->effects[x];
    e.from_cohort = 1;
    e.label = mkba_xstrdup(px->label);
    e.label_nl = px->label_nl ? mkba_xstrdup(px->label_nl) : NULL;
    e.unit = mkba_xstrdup(px->unit);
    e.source = mkba_xstrdup(px->source);
    e.parent = (long)x;
    e.level = mkba_xstrndup(v, vlen);
    e.ref = *ref;
    m->effects[at] = e;
    m->est = mkba_xreallocarray(m->est, m->n_outcomes + 1, sizeof *m->est);
    mkba_est_spec *es = &m->est[m->n_outcomes++];
    *es = m->est[x];
    es->name = m->effects[at].name;
    size_t *cov = mkba_xcalloc(es->n_cov ? es->n_cov : 1, sizeof *cov);
    if (es->n_cov)
        memcpy(cov, es->cov, es->n_cov * sizeof *cov);
    es->cov = cov; /* placeholder outcome (X's own) until mkba_model_subgroups */
}

/* The names effect.X.by.V (also se., mean_pilot., mean_control.) in the
 * expression at v: each declares outcome X.by.V. X must be an outcome
 * with 'by'; a name of another form is left to the compiler. */
static mkba_status scan_subgroups(mkba_model *m, const rawval *v, mkba_error *err)
{
    static const char *const prefix[] = {"effect.", "se.", "mean_pilot.", "mean_control.", NULL};
    const char *t = v->text;
    for (size_t i = 0; t && t[i];) {
        if (!is_seg_char(t[i]) && t[i] != '.') {
            i++;
            continue;
        }
        size_t start = i;
        while (is_seg_char(t[i]) || t[i] == '.')
            i++;
        const char *tok = t + start, *rest = NULL;
        size_t len = i - start;
        for (size_t k = 0; prefix[k] && !rest; k++)
            if (len > strlen(prefix[k]) && strncmp(tok, prefix[k], strlen(prefix[k])) == 0)
                rest = tok + strlen(prefix[k]);
        if (!rest)
            continue;
        const char *end = tok + len, *dot = memchr(rest, '.', (size_t)(end - rest));
        if (!dot || (size_t)(end - dot) < 5 || strncmp(dot, ".by.", 4) != 0)
            continue;
        const char *lv = dot + 4;
        if (memchr(lv, '.', (size_t)(end - lv)))
            continue;
        int given;
        long x = outcome_named(m, rest, (size_t)(dot - rest), &given);
        if (x < 0 && !given)
            continue; /* not an effect: the compiler names it */
        if (x < 0 || m->effects[x].by < 0)
            return raw_error(err, v,
                             "'%.*s': effect '%.*s' has no subgroups; add 'by = COVARIATE' "
                             "to its [outcome.%.*s] to estimate it per level of a category "
                             "or binary covariate",
                             (int)len, tok, (int)(dot - rest), rest, (int)(dot - rest), rest);
        declare_subgroup(m, (size_t)x, lv, (size_t)(end - lv), v);
    }
    return MKBA_OK;
}

/* Before the slots are laid out: an outcome X.by.V for every subgroup an
 * expression of any scenario uses (the levels are known only once the
 * cohort is read: mkba_model_subgroups resolves them). */
static mkba_status declare_subgroups(mkba_model *m, mkba_error *err)
{
    mkba_status st = MKBA_OK;
    for (size_t k = 0; k < m->n_scen && !st; k++) {
        const scenario *s = &m->scen[k];
        for (size_t i = 0; i < s->n_params && !st; i++)
            st = scan_subgroups(m, &s->params[i].value, err);
        for (size_t i = 0; i < m->n_items && !st; i++) {
            const rawval *v[] = {&s->items[i].quantity, &s->items[i].price,
                                 &s->items[i].dropoff};
            for (int j = 0; j < 3 && !st; j++)
                st = scan_subgroups(m, v[j], err);
        }
    }
    return st;
}

/* ======================= Slots and compilation ======================= */

static void add_slot(mkba_model *m, const char *name, double value)
{
    if (m->n_slots == m->slots_cap) {
        m->slots_cap = m->slots_cap ? 2 * m->slots_cap : 64;
        m->slot_names = mkba_xreallocarray(m->slot_names, m->slots_cap, sizeof *m->slot_names);
        m->base_slots = mkba_xreallocarray(m->base_slots, m->slots_cap, sizeof *m->base_slots);
    }
    mkba_strmap_put(m->slot_index, name, strlen(name), (long)m->n_slots);
    m->slot_names[m->n_slots] = mkba_xstrdup(name);
    m->base_slots[m->n_slots] = value;
    m->n_slots++;
}

static void layout_slots(mkba_model *m)
{
    m->slot_index = mkba_strmap_alloc();
    add_slot(m, "n_pilot", m->given_n_pilot);
    add_slot(m, "n_control", m->given_n_control);
    add_slot(m, "n_total", m->given_n_pilot + m->given_n_control);
    char buf[320];
    for (size_t i = 0; i < m->n_effects; i++) {
        effect_def *e = &m->effects[i];
        snprintf(buf, sizeof buf, "effect.%s", e->name);
        add_slot(m, buf, e->set ? e->e.estimate : NAN);
        snprintf(buf, sizeof buf, "se.%s", e->name);
        add_slot(m, buf, e->set ? e->e.se : NAN);
        if (e->from_cohort) {
            snprintf(buf, sizeof buf, "mean_pilot.%s", e->name);
            add_slot(m, buf, NAN);
            snprintf(buf, sizeof buf, "mean_control.%s", e->name);
            add_slot(m, buf, NAN);
        }
    }
    m->slot_params = m->n_slots;
    for (size_t k = 0; k < m->n_scen; k++)
        for (size_t i = 0; i < m->scen[k].n_params; i++)
            if (slot_of(m, m->scen[k].params[i].name) < 0) /* not a count's or effect's name */
                add_slot(m, m->scen[k].params[i].name, NAN);
}

typedef struct resolve_ctx {
    const mkba_model *m;
    const scenario *s;
    int no_cohort;   /* cohort counts unknown: n_* are not names */
} resolve_ctx;

static long resolve(const char *name, size_t len, void *ctx)
{
    const resolve_ctx *rc = ctx;
    char buf[320];
    if (len >= sizeof buf)
        return -1;
    memcpy(buf, name, len);
    buf[len] = '\0';
    long slot = slot_of(rc->m, buf);
    if (slot < 0)
        return -1;
    if ((size_t)slot >= rc->m->slot_params)
        return find_param(rc->s, buf) ? slot : -1;
    if (slot < 3 && rc->no_cohort)
        return -1;
    return slot;
}

static mkba_status compile(const mkba_model *m, const scenario *s, const rawval *v,
                           mkba_expr **out, mkba_error *err)
{
    resolve_ctx rc = {m, s, isnan(m->base_slots[0]) && !m->has_cohort_file};
    mkba_error e2;
    mkba_error_clear(&e2);
    *out = mkba_expr_compile(v->text, resolve, &rc, &e2);
    if (*out)
        return MKBA_OK;
    if (rc.no_cohort && (strstr(v->text, "n_pilot") || strstr(v->text, "n_control") ||
                         strstr(v->text, "n_total")))
        return raw_error(err, v, "%s%s (n_pilot, n_control and n_total need a cohort file or "
                                 "[cohort] n_pilot and n_control)",
                         e2.where[0] ? "" : "", e2.msg);
    return raw_error(err, v, "%s%s%s", e2.msg, e2.where[0] ? ", at " : "", e2.where);
}

/* The cycle error: the parameters left over by the topological sort (on a
 * cycle, or reading one), in file order, named up to the message's room. */
static mkba_status cycle_error(const mkba_model *m, const scenario *s, const size_t *indeg,
                               mkba_error *err)
{
    char names[600] = "";
    size_t n = s->n_params, first = n, left = 0, listed = 0;
    for (size_t i = 0; i < n; i++)
        left += indeg[i] > 0;
    for (size_t i = 0; i < n; i++) {
        if (!indeg[i])
            continue;
        if (first == n)
            first = i;
        size_t used = strlen(names);
        const char *name = m->slot_names[s->pc[i].slot];
        /* room for this name and, if more follow, ", and N more"; the
         * first is always named, cut to the room there is */
        if (listed && used + strlen(name) + 2 + 32 >= sizeof names)
            break;
        const size_t room = sizeof names - 40; /* bites on the first name only */
        snprintf(names + used, sizeof names - used, "%s%.*s%s", used ? ", " : "", (int)room,
                 name, strlen(name) > room ? "..." : "");
        listed++;
    }
    if (listed < left) {
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, ", and %zu more", left - listed);
    }
    return raw_error(err, &s->pc[first].src,
                     "parameters depend on each other in a cycle (involving: %s)", names);
}

/* Order parameters so each is computed after those it reads; a cycle is
 * an error naming the parameters in it. Kahn's algorithm over the edges
 * "read by", in time linear in parameters and references (a model of
 * 100,000 parameters, or a chain of them, orders at once).
 *
 * The order is the one a sweep in file order would give, taking each
 * parameter once all it reads is done, sweep after sweep: parameter i goes
 * in sweep r(i) = max over what it reads (d) of r(d), plus 1 where d comes
 * after i in the file (0 when it reads no parameter), and the order is by
 * (sweep, file position). This keeps the order of a model whose
 * parameters read only earlier ones (the file order), and so the first
 * error of an evaluation. */
static mkba_status order_params(const mkba_model *m, scenario *s, mkba_error *err)
{
    size_t n = s->n_params, n1 = n ? n : 1;
    long *index = mkba_xmalloc(m->n_slots * sizeof *index); /* slot -> parameter, or -1 */
    for (size_t j = 0; j < m->n_slots; j++)
        index[j] = -1;
    for (size_t i = 0; i < n; i++)
        index[s->pc[i].slot] = (long)i;
    /* Readers of each parameter, as lists in one array (CSR). */
    size_t *indeg = mkba_xcalloc(n1, sizeof *indeg), *start = mkba_xcalloc(n + 1, sizeof *start);
    for (size_t i = 0; i < n; i++) {
        const long *deps;
        size_t nd = mkba_expr_deps(s->pc[i].expr, &deps);
        for (size_t d = 0; d < nd; d++)
            if (index[deps[d]] >= 0) {
                indeg[i]++;
                start[index[deps[d]] + 1]++;
            }
    }
    for (size_t i = 0; i < n; i++)
        start[i + 1] += start[i];
    size_t *readers = mkba_xmalloc((start[n] ? start[n] : 1) * sizeof *readers);
    size_t *fill = mkba_xmalloc(n1 * sizeof *fill);
    memcpy(fill, start, n * sizeof *fill);
    for (size_t i = 0; i < n; i++) {
        const long *deps;
        size_t nd = mkba_expr_deps(s->pc[i].expr, &deps);
        for (size_t d = 0; d < nd; d++)
            if (index[deps[d]] >= 0)
                readers[fill[index[deps[d]]]++] = i;
    }
    /* Kahn: a queue of parameters whose inputs are all computed. */
    size_t *queue = fill, head = 0, tail = 0, *sweep = mkba_xcalloc(n1, sizeof *sweep);
    for (size_t i = 0; i < n; i++)
        if (!indeg[i])
            queue[tail++] = i;
    while (head < tail) {
        size_t d = queue[head++];
        for (size_t r = start[d]; r < start[d + 1]; r++) {
            size_t i = readers[r], need = sweep[d] + (d > i);
            if (need > sweep[i])
                sweep[i] = need;
            if (--indeg[i] == 0)
                queue[tail++] = i;
        }
    }
    mkba_status st = MKBA_OK;
    param_c *ordered = mkba_xcalloc(n1, sizeof *ordered);
    if (tail < n) {
        st = cycle_error(m, s, indeg, err);
        memcpy(ordered, s->pc, n * sizeof *ordered);
    } else {
        /* Counting sort by sweep; file order within a sweep. */
        size_t *at = mkba_xcalloc(n + 1, sizeof *at);
        for (size_t i = 0; i < n; i++)
            at[sweep[i] + 1]++;
        for (size_t r = 0; r < n; r++)
            at[r + 1] += at[r];
        for (size_t i = 0; i < n; i++)
            ordered[at[sweep[i]]++] = s->pc[i];
        free(at);
    }
    free(index);
    free(indeg);
    free(start);
    free(readers);
    free(fill);
    free(sweep);
    free(s->pc);
    s->pc = ordered;
    return st;
}

static mkba_status parse_years(const mkba_model *m, const rawval *v, int *first, int *last,
                               mkba_error *err)
{
    *first = 1;
    *last = (int)m->horizon;
    if (!v->text || strcmp(v->text, "all") == 0)
        return MKBA_OK;
    char buf[64];
    snprintf(buf, sizeof buf, "%s", v->text);
    char *dash = strchr(buf, '-');
    long a, b;
    if (dash) {
        *dash = '\0';
        int open = strspn(dash + 1, " \t") == strlen(dash + 1);
        if (!parse_long(buf, 1, 100000, &a) || (!open && !parse_long(dash + 1, 1, 100000, &b)))
            goto bad;
        if (open)
            b = (long)m->horizon;
    } else {
        if (!parse_long(buf, 1, 100000, &a))
            goto bad;
        b = a;
    }
    if (b < a)
        return raw_error(err, v, "the last year (%ld) is before the first (%ld)", b, a);
    if (b > (long)m->horizon)
        return raw_error(err, v, "year %ld is beyond the horizon of %zu years", b, m->horizon);
    *first = (int)a;
    *last = (int)b;
    return MKBA_OK;
bad:
    return raw_error(err, v, "expected years such as '1', '1-3', '2-' or 'all', got '%s'",
                     v->text);
}

/* An amount in another year's prices: compiled as written (so that an
 * error points into the text the user wrote), then again times its
 * rebasing factor, which every evaluator (the base run, the Monte Carlo,
 * the sensitivity analysis) then computes alike. 'v' NULL or without text:
 * the factor alone (an item without a price). */
static mkba_status compile_priced(mkba_model *m, const scenario *s, const rawval *v,
                                  const rawval *py, double factor, mkba_expr **out,
                                  mkba_error *err)
{
    int has_text = v && v->text;
    mkba_status st = has_text ? compile(m, s, v, out, err) : MKBA_OK;
    if (st || factor <= 0)
        return st;
    mkba_expr_free(*out);
    *out = NULL;
    rawval w = has_text ? *v : *py;
    char *text = has_text ? mkba_xasprintf("(%s) * %.17g", v->text, factor)
                          : mkba_xasprintf("%.17g", factor);
    w.text = own(m, text);
    free(text);
    return compile(m, s, &w, out, err);
}

static mkba_status compile_scenario(mkba_model *m, scenario *s, mkba_error *err)
{
    mkba_status st = MKBA_OK;
    s->pc = mkba_xcalloc(s->n_params ? s->n_params : 1, sizeof *s->pc);
    for (size_t i = 0; i < s->n_params && !st; i++) {
        s->pc[i].slot = slot_of(m, s->params[i].name);
        s->pc[i].src = s->params[i].value;
        st = compile_priced(m, s, &s->params[i].value, &s->params[i].price_year,
                            s->params[i].price_factor, &s->pc[i].expr, err);
    }
    if (!st)
        st = order_params(m, s, err);
    s->ic = mkba_xcalloc(m->n_items ? m->n_items : 1, sizeof *s->ic);
    for (size_t i = 0; i < m->n_items && !st; i++) {
        item_raw *r = &s->items[i];
        item_c *c = &s->ic[i];
        c->enabled = r->enabled;
        if (!r->enabled)
            continue;
        c->qsrc = r->quantity;
        c->psrc = r->price;
        c->dsrc = r->dropoff;
        st = compile(m, s, &r->quantity, &c->quantity, err);
        if (!st && (r->price.text || r->price_factor > 0))
            st = compile_priced(m, s, &r->price, &r->price_year, r->price_factor, &c->price,
                                err);
        if (!st && r->dropoff.text)
            st = compile(m, s, &r->dropoff, &c->dropoff, err);
        if (!st)
            st = parse_years(m, &r->years, &c->first, &c->last, err);
    }
    if (!st)
        discount_factors(s->rate, m->horizon, m->timing, s->discount);
    return st;
}

/* Mark in 'read' (one flag per slot) every slot that expression e (NULL:
 * none) reads. */
static void mark_reads(const mkba_expr *e, char *read)
{
    const long *deps;
    size_t nd = mkba_expr_deps(e, &deps);
    for (size_t d = 0; d < nd; d++)
        read[deps[d]] = 1;
}

/* A parameter that a scenario adds (it is not in the base model) and that
 * nothing in the scenario reads (its parameters, its enabled items) has no
 * effect: almost surely a typo of one it meant to override ('onn = 1' for
 * 'on'), which must not pass silently. */
static mkba_status check_new_params(const mkba_model *m, const scenario *s, mkba_error *err)
{
    const scenario *b = &m->base_def;
    char *read = mkba_xcalloc(m->n_slots, 1);
    for (size_t i = 0; i < s->n_params; i++)
        mark_reads(s->pc[i].expr, read);
    for (size_t i = 0; i < m->n_items; i++) {
        const item_c *c = &s->ic[i];
        if (c->enabled) {
            mark_reads(c->quantity, read);
            mark_reads(c->price, read);
            mark_reads(c->dropoff, read);
        }
    }
    mkba_status st = MKBA_OK;
    for (size_t i = 0; i < s->n_params && !st; i++) {
        const char *name = m->slot_names[s->pc[i].slot];
        if (find_param(b, name) || read[s->pc[i].slot])
            continue;
        nearest nr = nearest_start(name);
        for (size_t k = 0; k < b->n_params; k++)
            nearest_try(&nr, b->params[k].name);
        const char *near = nr.best;
        st = raw_error(err, &s->pc[i].src, "'%s' is not a parameter of the base model and "
                                           "nothing in this scenario uses it%s%s%s",
                       name, near ? "; did you mean '" : "", near ? near : "",
                       near ? "'?" : "");
    }
    free(read);
    return st;
}

/* --reference overrides each scenario's own reference key. A scenario
 * whose key names another file (a run of B against project A instead of
 * the reference, or a typo on the command line) is warned about. */
/* A scenario file's own reference key, *v, and the file it names (caller
 * frees; NULL when it has none). */
static char *own_reference(const mkba_ini *ini, rawval *v)
{
    *v = raw_of(ini, mkba_ini_get(ini, "scenario", "reference"));
    return v->text ? path_relative(ini->path, v->text) : NULL;
}

static void warn_other_reference(mkba_model *m, const mkba_ini *project, const char *reference)
{
    rawval v;
    char *own = own_reference(project, &v);
    if (own && !same_file(own, reference))
        model_note_add(m, MKBA_WARN_REFERENCE, project->path, &v,
                       "this scenario names '%s' as its reference, but --reference gives '%s', "
                       "which the run compares it with instead (leave --reference out to use "
                       "the scenario's own)",
                       v.text, reference);
    free(own);
}

/* The file given as the reference names one of the run's projects as
 * its own reference: it is a project alternative itself, and the two were
 * most likely swapped on the command line (mkba run ref.ini --reference
 * proj.ini). */
static void warn_reference_is_project(mkba_model *m, const mkba_ini *ref, size_t n_projects,
                                      const char *const *projects)
{
    rawval v;
    char *own = own_reference(ref, &v);
    for (size_t i = 0; own && i < n_projects; i++) {
        if (same_file(own, projects[i])) {
            model_note_add(m, MKBA_WARN_REFERENCE, ref->path, &v,
                           "the file given as the reference (--reference) names '%s', a project "
                           "scenario of this run, as its own reference: are the reference and "
                           "the project swapped on the command line? (mkba run PROJECT.ini "
                           "--reference REFERENCE.ini)",
                           v.text);
            break;
        }
    }
    free(own);
}

mkba_model *mkba_model_open(const char *reference, size_t n_projects,
                            const char *const *projects, mkba_error *err)
{
    size_t n_files = 1 + n_projects;
    mkba_ini **inis = mkba_xcalloc(n_files, sizeof *inis);
    char *ref_path = reference ? mkba_xstrdup(reference) : NULL, *base_path = NULL;
    mkba_model *m = mkba_xcalloc(1, sizeof *m);
    m->item_index = mkba_strmap_alloc();
    m->scen = mkba_xcalloc(n_files, sizeof *m->scen);
    m->study = n_projects > 0;
    mkba_status st = MKBA_OK;
    /* Read the project files first: the reference may come from them. */
    for (size_t i = 0; i < n_projects && !st; i++) {
        inis[1 + i] = mkba_ini_read(projects[i], err);
        if (!inis[1 + i]) {
            st = err->code;
            break;
        }
        char *b;
        if ((st = scenario_base(inis[1 + i], &b, err)))
            break;
        if (!b)
            b = mkba_xstrdup(projects[i]);
        if (!base_path)
            base_path = b;
        else if (!same_file(base_path, b)) {
            rawval v = raw_of(inis[1 + i], mkba_ini_get(inis[1 + i], "scenario", "base"));
            st = raw_error(err, &v, "all scenarios of one run need the same base model; "
                                    "this one has '%s', the first had '%s'",
                           b, base_path);
            free(b);
        } else
            free(b);
        const char *r = get_text(inis[1 + i], "scenario", "reference");
        if (!st && reference && r)
            warn_other_reference(m, inis[1 + i], reference);
        if (!st && !ref_path && r)
            ref_path = path_relative(projects[i], r);
    }
    if (!st && !ref_path) {
        st = mkba_error_set(err, MKBA_EINVAL, n_projects ? projects[0] : "", 0, NULL,
                            "no reference alternative: add 'reference = FILE' to [scenario] "
                            "or pass --reference FILE");
    }
    if (!st) {
        inis[0] = mkba_ini_read(ref_path, err);
        if (!inis[0])
            st = err->code;
        else if (reference)
            warn_reference_is_project(m, inis[0], n_projects, projects);
    }
    if (!st) {
        char *b;
        if (!(st = scenario_base(inis[0], &b, err))) {
            if (!b)
                b = mkba_xstrdup(ref_path);
            if (!base_path)
                base_path = b;
            else if (!same_file(base_path, b)) {
                st = mkba_error_set(err, MKBA_EINVAL, ref_path, 0, NULL,
                                    "the reference has base model '%s', the scenarios '%s'",
                                    b, base_path);
                free(b);
            } else
                free(b);
        }
    }
    if (!st) {
        /* A model file given as a scenario is the base itself (same_file
         * above): its bytes were read already, and are parsed once. */
        mkba_ini *base = NULL;
        for (size_t i = 0; i < n_files && !base; i++) {
            if (inis[i] && !mkba_ini_section_line(inis[i], "scenario")) {
                base = inis[i];
                inis[i] = NULL;
            }
        }
        st = read_base(m, base_path, base, err);
    }
    for (size_t i = 0; i < n_files && !st; i++) {
        const char *path = i == 0 ? ref_path : projects[i - 1];
        mkba_ini *own = inis[i];
        inis[i] = NULL;
        if (own && !mkba_ini_section_line(own, "scenario")) { /* a model file: the base itself */
            mkba_ini_free(own);
            own = NULL;
        }
        st = add_scenario_file(m, path, own, err);
    }
    for (size_t i = 0; i < m->n_scen && !st; i++)
        for (size_t j = 0; j < i && !st; j++)
            if (same_file(m->scen[i].file, m->scen[j].file))
                st = mkba_error_set(err, MKBA_EINVAL, m->scen[i].file, 0, NULL,
                                    j == 0 ? "is the reference of this run, and is given as a "
                                             "project too; give only the project scenarios "
                                             "(their reference = key names it)"
                                           : "is given twice as a project scenario");
            else if (strcmp(m->scen[i].name, m->scen[j].name) == 0)
                st = mkba_error_set(err, MKBA_EINVAL, m->scen[i].file, 0, NULL,
                                    "two scenarios of this run are named '%s' (%s and %s); "
                                    "give each its own [scenario] name",
                                    m->scen[i].name, m->scen[j].file, m->scen[i].file);
    if (!st)
        st = declare_subgroups(m, err);
    if (!st) {
        layout_slots(m);
        for (size_t i = 0; i < m->n_scen && !st; i++)
            if (!(st = compile_scenario(m, &m->scen[i], err)))
                st = check_new_params(m, &m->scen[i], err);
        if (!st)
            st = build_uncertain(m, err);
        if (!st)
            build_plan(m);
    }
    for (size_t i = 0; i < n_files; i++)
        mkba_ini_free(inis[i]);
    free(inis);
    free(ref_path);
    free(base_path);
    if (st) {
        mkba_model_free(m);
        return NULL;
    }
    return m;
}

/* ======================= Accessors ======================= */

const char *mkba_model_name(const mkba_model *m)
{
    return m->name;
}

const char *mkba_model_file(const mkba_model *m)
{
    return m->base->path;
}

const mkba_cohort_spec *mkba_model_cohort_spec(const mkba_model *m)
{
    return m->has_cohort_file ? &m->cspec : NULL;
}

size_t mkba_model_n_outcomes(const mkba_model *m)
{
    return m->n_outcomes;
}

const mkba_est_spec *mkba_model_est_spec(const mkba_model *m, size_t i)
{
    return &m->est[i];
}

const mkba_ps_spec *mkba_model_ps_spec(const mkba_model *m)
{
    return m->has_ps ? &m->ps : NULL;
}

void mkba_model_set_cohort_counts(mkba_model *m, size_t n_pilot, size_t n_control)
{
    m->group_pilot = n_pilot;
    m->group_control = n_control;
    m->base_slots[0] = (double)n_pilot;
    m->base_slots[1] = (double)n_control;
    m->base_slots[2] = (double)(n_pilot + n_control);
}

/* n - k, or 0 when k > n. */
static size_t sub_sat(size_t n, size_t k)
{
    return n > k ? n - k : 0;
}

/* The levels of 'by' as cohort codes and names: a category's levels, or
 * "0" and "1" of a binary covariate. */
static size_t by_levels(const mkba_cohort *c, size_t by, const char *const **names)
{
    static const char *const binary[] = {"0", "1"};
    if (mkba_cohort_var_type(c, by) == MKBA_VAR_BINARY) {
        *names = binary;
        return 2;
    }
    return mkba_cohort_levels(c, by, names);
}

/* Persons of level 'code' of 'by' per group (index: group code). */
static void level_sizes(const mkba_cohort *c, size_t by, double code, size_t size[2])
{
    const double *x = mkba_cohort_column(c, by);
    const uint8_t *g = mkba_cohort_group(c);
    size[0] = size[1] = 0;
    for (size_t i = 0; i < mkba_cohort_size(c); i++)
        size[g[i]] += x[i] == code;
}

/* Whether a level of category 'by' with size[g] persons per group is rare
 * (disclose.h): its name is never shown, in an output or a message. The
 * levels 0 and 1 of a binary covariate name no one (and with one of them
 * hidden, the other would say which it is). */
static int level_rare(const mkba_model *m, const mkba_cohort *c, size_t by,
                      const size_t size[2])
{
    mkba_appraisal rule = {.min_group = m->min_group}; /* the rule needs only this */
    return mkba_cohort_var_type(c, by) == MKBA_VAR_CATEGORY &&
           mkba_ap_level_rare(&rule, size[MKBA_PILOT], size[MKBA_CONTROL]);
}

/* Effect e of a masked subgroup column: the persons outside the subgroup
 * (outside[g]) are not missing. */
static void unmask_counts(mkba_effect *e, size_t *missing_pilot, size_t *missing_control,
                          const size_t outside[2])
{
    e->n_missing = sub_sat(e->n_missing, outside[0] + outside[1]);
    *missing_pilot = sub_sat(*missing_pilot, outside[MKBA_PILOT]);
    *missing_control = sub_sat(*missing_control, outside[MKBA_CONTROL]);
}

/* One level of outcome i's table: estimated on cohort variable v (the
 * outcome masked to the level). A level that cannot be estimated gets the
 * reason, and its persons with a value as counts. */
static void estimate_level(const mkba_model *m, const mkba_cohort *c, size_t i, size_t v,
                           const size_t size[2], mkba_ap_effect *x, char **reason)
{
    mkba_est_spec spec = m->est[i];
    spec.outcome = v;
    mkba_error e2;
    mkba_error_clear(&e2);
    size_t outside[2] = {mkba_cohort_count(c, 0) - size[0], mkba_cohort_count(c, 1) - size[1]};
    x->subgroup = 1;
    x->group_pilot = size[MKBA_PILOT];
    x->group_control = size[MKBA_CONTROL];
    x->missing_pilot = mkba_cohort_missing(c, v, MKBA_PILOT);
    x->missing_control = mkba_cohort_missing(c, v, MKBA_CONTROL);
    if (mkba_estimate(c, &spec, &x->e, &e2) == MKBA_OK) {
        unmask_counts(&x->e, &x->missing_pilot, &x->missing_control, outside);
        *reason = mkba_xstrdup("");
        return;
    }
    size_t skip = 0, n = strlen(spec.name);
    if (strncmp(e2.msg, "effect '", 8) == 0 && strncmp(e2.msg + 8, spec.name, n) == 0 &&
        strncmp(e2.msg + 8 + n, "': ", 3) == 0)
        skip = 8 + n + 3;
    *reason = mkba_xstrdup(e2.msg + skip);
    mkba_effect nan_e = {.method = spec.method, .estimate = NAN, .se = NAN, .df = NAN,
                         .ci_lo = NAN, .ci_hi = NAN, .mean_pilot = NAN, .mean_control = NAN};
    x->e = nan_e;
    x->missing_pilot = sub_sat(x->missing_pilot, outside[MKBA_PILOT]);
    x->missing_control = sub_sat(x->missing_control, outside[MKBA_CONTROL]);
    x->e.n_pilot = size[MKBA_PILOT] - x->missing_pilot;
    x->e.n_control = size[MKBA_CONTROL] - x->missing_control;
}

/* The heterogeneity test of table g over its levels with an estimate and
 * an SE above 0. */
static void table_het(mkba_ap_subgroup *g)
{
    double *tau = mkba_xcalloc(g->n_levels + 1, sizeof *tau);
    double *se = mkba_xcalloc(g->n_levels + 1, sizeof *se);
    size_t k = 0;
    for (size_t l = 0; l < g->n_levels; l++) {
        const mkba_effect *e = &g->levels[l].e;
        if (isfinite(e->estimate) && isfinite(e->se) && e->se > 0) {
            tau[k] = e->estimate;
            se[k++] = e->se;
        }
    }
    mkba_error e2;
    mkba_error_clear(&e2);
    g->het = (mkba_het){NAN, NAN, NAN, NAN};
    if (k < 2)
        g->het_reason = mkba_xstrdup("fewer than 2 subgroups with an estimate and a standard "
                                     "error above 0");
    else if (mkba_est_heterogeneity(k, tau, se, &g->het, &e2))
        g->het_reason = mkba_xstrdup(e2.msg);
    else
        g->het_reason = mkba_xstrdup("");
    free(tau);
    free(se);
}

/* A subgroup X.by.V that the outputs withhold (x its row), used at 'ref':
 * refused, its amounts would give it back. */
static mkba_status refuse_subgroup(const rawval *ref, const char *name, const mkba_appraisal *a,
                                   const mkba_ap_effect *x, mkba_error *err)
{
    char why[300];
    mkba_ap_hidden_why(a, x, why, sizeof why);
    return raw_error(err, ref,
                     "uses subgroup '%s', which the outputs withhold: it %s ([privacy] "
                     "min_group = %zu), and the model's amounts would give its effect away. "
                     "Leave it out, or lower [privacy] min_group",
                     name, why, a->min_group);
}

/* A subgroup X.by.V whose level l of table g is withheld or could not be
 * estimated: an error at its use, before it is estimated (whose message
 * could quote a small count). */
static mkba_status check_priced_level(const mkba_model *m, const effect_def *d,
                                      const mkba_ap_subgroup *g, size_t l, mkba_error *err)
{
    mkba_appraisal rule = {.min_group = m->min_group}; /* mkba_ap_hidden needs only this */
    const mkba_ap_effect *x = &g->levels[l];
    if (mkba_ap_hidden(&rule, x) & MKBA_HIDE_ESTIMATE)
        return refuse_subgroup(&d->ref, d->name, &rule, x, err);
    if (g->reason[l][0])
        return raw_error(err, &d->ref, "subgroup '%s' cannot be estimated: %s", d->name,
                         g->reason[l]);
    return MKBA_OK;
}

/* The tail of the unknown-level error when rare levels were left out. */
#define RARE_LEVELS_NOTE                                                                  \
    ", and rare levels, which are not named (held by fewer than [privacy] min_group "  \
    "persons in a group, they are withheld and cannot be used)"

/* Point the subgroup outcomes X.by.V of outcome i at the masked columns
 * of their levels (var[l], level l named names[l], size[l] its persons).
 * An unknown V, or one that two levels are written as, is an error at the
 * expression that uses it. */
static mkba_status resolve_level(mkba_model *m, const mkba_cohort *c, size_t i, size_t L,
                                 const char *const *names, const long *var,
                                 const size_t (*size)[2], const mkba_ap_subgroup *g,
                                 mkba_error *err)
{
    const effect_def *px = &m->effects[i];
    for (size_t j = 0; j < m->n_outcomes; j++) {
        effect_def *d = &m->effects[j];
        if (d->parent != (long)i)
            continue;
        long hit = -1;
        int rare = 0;
        char seg[256], list[600] = "";
        for (size_t l = 0; l < L; l++) {
            if (var[l] < 0)
                continue;
            if (level_rare(m, c, (size_t)px->by, size[l])) { /* neither listed nor found */
                rare = 1;
                continue;
            }
            level_segment(names[l], seg, sizeof seg);
            size_t used = strlen(list);
            if (used + strlen(seg) + 8 < sizeof list)
                snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", seg);
            if (strcmp(seg, d->level) != 0)
                continue;
            if (hit >= 0)
                return raw_error(err, &d->ref,
                                 "subgroup '%s': levels '%s' and '%s' of covariate '%s' are "
                                 "both written '%s' in names; give them distinct names in "
                                 "the cohort",
                                 d->name, names[hit], names[l], px->by_name, d->level);
            hit = (long)l;
        }
        if (hit < 0)
            return raw_error(err, &d->ref,
                             "subgroup '%s': covariate '%s' has no level written '%s' in the "
                             "cohort; its levels are written: %s%s",
                             d->name, px->by_name, d->level, list[0] ? list : "(none)",
                             rare ? RARE_LEVELS_NOTE : "");
        size_t row = 0; /* the table's row of level hit: levels present before it */
        for (long l = 0; l < hit; l++)
            row += var[l] >= 0;
        mkba_status st = check_priced_level(m, d, g, row, err);
        if (st)
            return st;
        m->est[j].outcome = (size_t)var[hit];
        for (int k = 0; k < 2; k++) {
            d->level_size[k] = size[hit][k];
            d->outside[k] = mkba_cohort_count(c, k) - size[hit][k];
        }
        d->resolved = 1;
    }
    return MKBA_OK;
}

/* A 'by' category whose levels hold fewer than min_group persons on
 * average (more levels than persons / min_group), most of them rare, is
 * refused: nearly every level would be a small group, withheld, and its
 * name (a date of birth, a postcode, an id) would point at persons. A 0/1
 * covariate names no one (its levels are 0 and 1). */
static mkba_status check_identifying(const mkba_model *m, const mkba_cohort *c,
                                     const effect_def *px, size_t L, const size_t (*size)[2],
                                     mkba_error *err)
{
    size_t present = 0, rare = 0;
    for (size_t l = 0; l < L; l++) {
        present += size[l][0] + size[l][1] > 0;
        rare += (size_t)level_rare(m, c, (size_t)px->by, size[l]);
    }
    if (present * m->min_group <= mkba_cohort_size(c) || 2 * rare <= present)
        return MKBA_OK;
    return raw_error(err, &px->by_ref,
                     "covariate '%s' identifies persons rather than groups: it has more levels "
                     "than the cohort's persons over [privacy] min_group (%zu), most of them "
                     "held by fewer persons in a group, so nearly every subgroup would be too "
                     "small to show and its level would point at persons. Use a covariate "
                     "with fewer, larger levels (group them in the cohort)",
                     px->by_name, m->min_group);
}

/* The subgroup table of outcome i into g, and its X.by.V outcomes resolved. */
static mkba_status subgroup_table(mkba_model *m, mkba_cohort *c, size_t i, mkba_ap_subgroup *g,
                                  mkba_error *err)
{
    const effect_def *px = &m->effects[i];
    size_t by = (size_t)px->by;
    const char *const *names;
    size_t L = by_levels(c, by, &names);
    long *var = mkba_xcalloc(L + 1, sizeof *var);
    size_t(*size)[2] = mkba_xcalloc(L + 1, sizeof *size);
    g->outcome = mkba_xstrdup(px->name);
    g->by = mkba_xstrdup(px->by_name);
    g->levels = mkba_xcalloc(L + 1, sizeof *g->levels);
    g->reason = mkba_xcalloc(L + 1, sizeof *g->reason);
    for (size_t l = 0; l < L; l++)
        level_sizes(c, by, (double)l, size[l]);
    mkba_status st = check_identifying(m, c, px, L, (const size_t(*)[2])size, err);
    for (size_t l = 0; l < L && !st; l++) {
        var[l] = -1;
        if (size[l][0] + size[l][1] == 0)
            continue; /* a level no one has: no subgroup */
        char name[320], seg[256];
        level_segment(names[l], seg, sizeof seg);
        snprintf(name, sizeof name, "%s.by.%s", px->name, seg);
        var[l] = mkba_cohort_add_masked(c, m->est[i].outcome, by, (double)l, name);
        mkba_ap_effect *x = &g->levels[g->n_levels];
        x->name = mkba_xstrdup(level_rare(m, c, by, size[l]) ? MKBA_RARE_LEVEL : names[l]);
        x->label = mkba_xstrdup("");
        x->unit = mkba_xstrdup(px->unit ? px->unit : "");
        x->source = mkba_xstrdup("");
        estimate_level(m, c, i, (size_t)var[l], size[l], x, &g->reason[g->n_levels]);
        g->n_levels++;
    }
    if (!st) {
        table_het(g);
        st = resolve_level(m, c, i, L, names, var, (const size_t(*)[2])size, g, err);
    }
    free(var);
    free(size);
    return st;
}

mkba_status mkba_model_subgroups(mkba_model *m, mkba_cohort *c, mkba_error *err)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n_outcomes; i++)
        n += m->effects[i].by >= 0;
    mkba_ap_subgroups_free(m->subgroups);
    m->subgroups = NULL;
    if (n == 0 || !c)
        return MKBA_OK;
    mkba_ap_subgroups *t = mkba_xcalloc(1, sizeof *t);
    t->v = mkba_xcalloc(n, sizeof *t->v);
    mkba_status st = MKBA_OK;
    for (size_t i = 0; i < m->n_outcomes && !st; i++)
        if (m->effects[i].by >= 0)
            st = subgroup_table(m, c, i, &t->v[t->n++], err);
    if (st) {
        mkba_ap_subgroups_free(t);
        return st;
    }
    m->subgroups = t;
    return MKBA_OK;
}

void mkba_model_set_effect(mkba_model *m, size_t outcome, const mkba_effect *e,
                           size_t missing_pilot, size_t missing_control)
{
    effect_def *d = &m->effects[outcome];
    if (d->parent >= 0 && !d->resolved)
        return; /* a subgroup mkba_model_subgroups has not found: not estimated */
    d->e = *e;
    if (d->parent >= 0)
        unmask_counts(&d->e, &missing_pilot, &missing_control, d->outside);
    d->missing_pilot = missing_pilot;
    d->missing_control = missing_control;
    d->set = 1;
    char buf[320];
    const char *fmt[] = {"effect.%s", "se.%s", "mean_pilot.%s", "mean_control.%s"};
    double val[] = {e->estimate, e->se, e->mean_pilot, e->mean_control};
    for (int k = 0; k < 4; k++) {
        snprintf(buf, sizeof buf, fmt[k], d->name);
        long slot = slot_of(m, buf);
        if (slot >= 0)
            m->base_slots[slot] = val[k];
    }
}

/* ======================= Disclosure control ======================= */

/* Tags carried through a scenario's parameters: per slot, the base slot
 * that its value rests on (a withheld count or mean, an effect), or -1.
 * A base slot is tagged by a seed; a parameter takes the tag of the first
 * slot it reads that has one. One mechanism serves disclosure control
 * (what rests on a withheld value) and the pilot switch warning (what
 * rests on an effect). */

/* The tag of the first slot that e (NULL: none) reads and that has one,
 * or -1; that slot itself in *read (NULL: not wanted). */
static long tag_read(const mkba_expr *e, const long *tag, long *read)
{
    const long *deps;
    size_t nd = mkba_expr_deps(e, &deps);
    for (size_t d = 0; d < nd; d++)
        if (tag[deps[d]] >= 0) {
            if (read)
                *read = deps[d];
            return tag[deps[d]];
        }
    return -1;
}

/* tag: the seed (per slot; parameters -1), then carried through scenario
 * s's parameters in evaluation order. */
static void tag_params(const mkba_model *m, const scenario *s, const long *seed, long *tag)
{
    memcpy(tag, seed, m->n_slots * sizeof *tag);
    for (size_t i = 0; i < s->n_params; i++)
        tag[s->pc[i].slot] = tag_read(s->pc[i].expr, tag, NULL);
}

/* What the outputs withhold (appraisal.h, disclosure control), as tags:
 * the base slots that hold such a value, and per scenario what rests on
 * them. */
typedef struct withheld {
    long *seed;   /* [n_slots] a withheld base slot: itself; else -1 */
    long *effect; /* [n_slots] a withheld group mean or effect: its effect's index */
    long *origin; /* [n_slots] the scenario at hand: tag_params of seed */
} withheld;

/* The withheld base slots: the cohort counts when a group of the cohort
 * is small, a group mean or an effect (its effect.X and se.X) that the
 * effects table withholds. They do not depend on the scenario. */
static void withheld_alloc(const mkba_model *m, const mkba_appraisal *a, withheld *w)
{
    w->seed = mkba_xmalloc(m->n_slots * sizeof *w->seed);
    w->effect = mkba_xmalloc(m->n_slots * sizeof *w->effect);
    w->origin = mkba_xmalloc(m->n_slots * sizeof *w->origin);
    for (size_t i = 0; i < m->n_slots; i++)
        w->seed[i] = w->effect[i] = -1;
    if (mkba_ap_groups_hidden(a))
        for (long k = 0; k < 3; k++) /* n_pilot, n_control, n_total */
            w->seed[k] = k;
    /* a withheld effect (a small group) goes with its SE: SE and estimate
     * together describe the few persons */
    static const char *const fmt[] = {"mean_pilot.%s", "mean_control.%s", "effect.%s", "se.%s"};
    static const unsigned bit[] = {MKBA_HIDE_MEAN_PILOT, MKBA_HIDE_MEAN_CONTROL,
                                   MKBA_HIDE_ESTIMATE, MKBA_HIDE_ESTIMATE};
    for (size_t i = 0; i < m->n_effects; i++) {
        unsigned hide = mkba_ap_effect_hidden(a, i);
        for (size_t g = 0; g < sizeof fmt / sizeof *fmt; g++) {
            char buf[320];
            snprintf(buf, sizeof buf, fmt[g], m->effects[i].name);
            long slot = (hide & bit[g]) ? slot_of(m, buf) : -1;
            if (slot >= 0) {
                w->seed[slot] = slot;
                w->effect[slot] = (long)i;
            }
        }
    }
}

static void withheld_free(withheld *w)
{
    free(w->seed);
    free(w->effect);
    free(w->origin);
}

/* An item that reads a withheld value ('slot', resting on 'origin') would
 * give it back: its flows, and the totals less the other items, divided
 * by the published effect or count, are that value. */
static mkba_status withheld_item(const mkba_model *m, const mkba_appraisal *a,
                                 const withheld *w, const rawval *src, long slot, long origin,
                                 mkba_error *err)
{
    const char *name = m->slot_names[origin];
    char via[400] = "", why[400];
    if (slot != origin)
        snprintf(via, sizeof via, " (through parameter '%s')", m->slot_names[slot]);
    if (origin < 3) {
        snprintf(why, sizeof why, "the %s group of the cohort has fewer than %zu persons",
                 mkba_ap_suppressed(a, a->group_pilot) ? "pilot" : "control", a->min_group);
    } else {
        const mkba_ap_effect *x = &a->effects[w->effect[origin]];
        char what[300];
        mkba_ap_hidden_why(a, x, what, sizeof what);
        snprintf(why, sizeof why, "effect '%s' %s", x->name, what);
    }
    return raw_error(err, src,
                     "uses %s%s, which the outputs withhold: %s ([privacy] min_group = %zu), "
                     "and the item's amounts would give it away. Leave it out of the item, or "
                     "lower [privacy] min_group (the outputs then show it, and the counts, too)",
                     name, via, why, a->min_group);
}

/* Refuse an enabled item of scenario s that reads a withheld value. */
static mkba_status withheld_items(const mkba_model *m, const mkba_appraisal *a,
                                  const withheld *w, const scenario *s, mkba_error *err)
{
    for (size_t i = 0; i < m->n_items; i++) {
        const item_c *c = &s->ic[i];
        if (!c->enabled)
            continue;
        const mkba_expr *e[] = {c->quantity, c->price, c->dropoff};
        const rawval *src[] = {&c->qsrc, &c->psrc, &c->dsrc};
        for (int k = 0; k < 3; k++) {
            long read, origin = tag_read(e[k], w->origin, &read);
            if (origin >= 0)
                return withheld_item(m, a, w, src[k], read, origin, err);
        }
    }
    return MKBA_OK;
}

/* Disclosure control of scenario k: what rests on a withheld value into
 * w->origin, its withheld parameters marked in a->params, and an item
 * that reads one refused (only in a study: `mkba estimate` opens the base
 * model alone and publishes its effects only). */
static mkba_status withhold_scenario(const mkba_model *m, mkba_appraisal *a, size_t k,
                                     withheld *w, mkba_error *err)
{
    tag_params(m, &m->scen[k], w->seed, w->origin);
    for (size_t i = 0; i < a->n_params; i++) {
        if (w->origin[m->slot_params + i] < 0)
            continue;
        mkba_ap_param *p = &a->params[i];
        if (!p->withheld)
            p->withheld = mkba_xcalloc(a->n_scenarios, sizeof *p->withheld);
        p->withheld[k] = 1;
    }
    return m->study ? withheld_items(m, a, w, &m->scen[k], err) : MKBA_OK;
}

/* ======================= Evaluation ======================= */

/* e's value into *out, an error unless it is finite. A value that rests
 * on a withheld one (origin: tags, see withhold_scenario) is not named in
 * the message, nor whether it is NaN or infinite (x / (n_pilot - 5) is
 * infinite exactly when n_pilot is 5). */
static mkba_status eval_checked(const mkba_model *m, const mkba_expr *e, const double *slots,
                                const long *origin, const rawval *src, const char *scen,
                                double *out, mkba_error *err)
{
    *out = mkba_expr_eval(e, slots);
    if (isfinite(*out))
        return MKBA_OK;
    long hidden = tag_read(e, origin, NULL);
    if (hidden >= 0)
        return raw_error(err, src, "'%s' is not a finite number in scenario '%s' (a division by "
                                   "zero, 0/0, or log of a negative number?); it rests on %s, "
                                   "which the outputs withhold, so its value is not shown",
                         src->text, scen, m->slot_names[hidden]);
    return raw_error(err, src, "'%s' evaluates to %s in scenario '%s'%s", src->text,
                     isnan(*out) ? "NaN" : "infinity", scen,
                     isnan(*out) ? " (0/0, log of a negative number, or a missing value?)"
                                 : " (a division by zero?)");
}

/* Parameters of scenario s into 'slots', then each item's yearly flow;
 * origin: what rests on a withheld value (withhold_scenario). */
static mkba_status eval_scenario(const mkba_model *m, const scenario *s, const long *origin,
                                 double *slots, double *flow, mkba_error *err)
{
    mkba_status st;
    for (size_t i = 0; i < s->n_params; i++)
        if ((st = eval_checked(m, s->pc[i].expr, slots, origin, &s->pc[i].src, s->name,
                               &slots[s->pc[i].slot], err)))
            return st;
    for (size_t i = 0; i < m->n_items; i++) {
        const item_c *c = &s->ic[i];
        double q, p = 1.0, d = 0.0;
        if (!c->enabled)
            continue;
        if ((st = eval_checked(m, c->quantity, slots, origin, &c->qsrc, s->name, &q, err)) ||
            (c->price &&
             (st = eval_checked(m, c->price, slots, origin, &c->psrc, s->name, &p, err))) ||
            (c->dropoff &&
             (st = eval_checked(m, c->dropoff, slots, origin, &c->dsrc, s->name, &d, err))))
            return st;
        long hidden = d < 0 || d > 1 ? tag_read(c->dropoff, origin, NULL) : -1;
        if (hidden >= 0)
            return raw_error(err, &c->dsrc, "drop-off must be between 0 and 1 (a fraction per "
                                            "year), and is not in scenario '%s'; it rests on "
                                            "%s, which the outputs withhold, so its value is "
                                            "not shown",
                             s->name, m->slot_names[hidden]);
        if (d < 0 || d > 1)
            return raw_error(err, &c->dsrc, "drop-off must be between 0 and 1 (a fraction per "
                                            "year), got %g in scenario '%s'",
                             d, s->name);
        /* value in year t = quantity * price * (1 - dropoff)^(t - first) */
        double v = q * p;
        for (int t = c->first; t <= c->last; t++) {
            flow[i * m->horizon + (size_t)(t - 1)] = v;
            v *= 1.0 - d;
        }
    }
    return MKBA_OK;
}

static char *dup_or_empty(const char *s)
{
    return mkba_xstrdup(s ? s : "");
}

static void fill_metadata(const mkba_model *m, mkba_appraisal *a)
{
    a->version = mkba_xstrdup(mkba_build_version());
    a->commit = mkba_xstrdup(mkba_build_commit());
    a->model_name = mkba_xstrdup(m->name);
    a->model_name_nl = m->name_nl ? mkba_xstrdup(m->name_nl) : NULL;
    a->model_file = mkba_xstrdup(m->base->path);
    a->model_path = mkba_path_canonical(m->base->path);
    memcpy(a->model_sha256, m->base->sha256, sizeof a->model_sha256);
    a->data_note = dup_or_empty(m->data_note);
    a->data_note_nl = dup_or_empty(m->data_note_nl);
    const char *files[] = {m->cspec.file, m->cspec.pilot_file, m->cspec.control_file};
    a->cohort_files = mkba_xcalloc(3, sizeof *a->cohort_files);
    a->cohort_paths = mkba_xcalloc(3, sizeof *a->cohort_paths);
    a->cohort_sha256 = mkba_xcalloc(3, sizeof *a->cohort_sha256); /* "" until read */
    for (int f = 0; f < 3; f++)
        if (files[f]) {
            a->cohort_paths[a->n_cohort_files] = mkba_path_canonical(files[f]);
            a->cohort_files[a->n_cohort_files++] = mkba_xstrdup(files[f]);
        }
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    strftime(a->run_date, sizeof a->run_date, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    a->currency = mkba_xstrdup(m->currency);
    a->price_year = m->price_year;
    if (m->prices) {
        a->price_index = mkba_xstrdup(m->prices_file);
        a->price_index_at = mkba_price_index_of(m->prices, m->price_year);
    }
    a->first_year = m->first_year;
    a->discount_timing = mkba_xstrdup(m->timing);
    a->horizon = m->horizon;
    a->n_stakeholders = m->n_stakeholders;
    a->stakeholders = mkba_xcalloc(m->n_stakeholders, sizeof *a->stakeholders);
    a->stakeholder_labels = mkba_xcalloc(m->n_stakeholders, sizeof *a->stakeholder_labels);
    a->stakeholder_labels_nl =
        mkba_xcalloc(m->n_stakeholders, sizeof *a->stakeholder_labels_nl);
    for (size_t k = 0; k < m->n_stakeholders; k++) {
        a->stakeholders[k] = mkba_xstrdup(m->stakeholders[k]);
        a->stakeholder_labels[k] = mkba_xstrdup(m->stakeholder_labels[k]);
        a->stakeholder_labels_nl[k] = dup_or_empty(m->stakeholder_labels_nl[k]);
    }
    a->n_items = m->n_items;
    a->items = mkba_xcalloc(m->n_items ? m->n_items : 1, sizeof *a->items);
    for (size_t i = 0; i < m->n_items; i++) {
        const item_raw *r = item_identity(m, i);
        a->items[i].name = mkba_xstrdup(r->name);
        a->items[i].label = dup_or_empty(r->label);
        a->items[i].label_nl = dup_or_empty(r->label_nl);
        a->items[i].domain = dup_or_empty(r->domain);
        a->items[i].source = dup_or_empty(r->source);
        a->items[i].kind = r->kind;
        a->items[i].stakeholder = (size_t)r->stakeholder;
        a->items[i].loser = r->loser < 0 ? 0 : (size_t)r->loser;
        if (r->price_factor > 0) {
            a->items[i].price_year = atoi(r->price_year.text);
            a->items[i].price_factor = r->price_factor;
        }
    }
    a->n_scenarios = m->n_scen;
    a->scenarios = mkba_xcalloc(m->n_scen, sizeof *a->scenarios);
    a->rate = mkba_xcalloc(m->n_scen * m->horizon, sizeof *a->rate);
    a->discount = mkba_xcalloc(m->n_scen * m->horizon, sizeof *a->discount);
    for (size_t k = 0; k < m->n_scen; k++) {
        a->scenarios[k].name = mkba_xstrdup(m->scen[k].name);
        a->scenarios[k].label = mkba_xstrdup(m->scen[k].label);
        a->scenarios[k].label_nl = dup_or_empty(m->scen[k].label_nl);
        a->scenarios[k].file = mkba_xstrdup(m->scen[k].file);
        a->scenarios[k].path = mkba_path_canonical(m->scen[k].file);
        /* the hash of the bytes parsed: the scenario's own, or the base's */
        const mkba_ini *ini = m->scen[k].ini ? m->scen[k].ini : m->base;
        memcpy(a->scenarios[k].sha256, ini->sha256, sizeof a->scenarios[k].sha256);
        memcpy(a->rate + k * m->horizon, m->scen[k].rate, m->horizon * sizeof *a->rate);
        memcpy(a->discount + k * m->horizon, m->scen[k].discount,
               m->horizon * sizeof *a->discount);
    }
    a->n_effects = m->n_effects;
    a->effects = mkba_xcalloc(m->n_effects ? m->n_effects : 1, sizeof *a->effects);
    for (size_t i = 0; i < m->n_effects; i++) {
        a->effects[i].name = mkba_xstrdup(m->effects[i].name);
        a->effects[i].label = dup_or_empty(m->effects[i].label);
        a->effects[i].label_nl = dup_or_empty(m->effects[i].label_nl);
        a->effects[i].e = m->effects[i].e;
        a->effects[i].missing_pilot = m->effects[i].missing_pilot;
        a->effects[i].missing_control = m->effects[i].missing_control;
        a->effects[i].unit = dup_or_empty(m->effects[i].unit);
        a->effects[i].source = dup_or_empty(m->effects[i].source);
    }
}

/* Whether p's value was written in a file (not the mean that
 * read_uncertain_params made for a parameter with only a distribution). */
static int value_written(const param_raw *p)
{
    return p && p->value.text &&
           !(p->dist.text && p->value.key == p->dist.key && p->value.line == p->dist.line);
}

/* The parameters for the report's assumptions: one per parameter slot (the
 * union over the scenarios, base model first), described by the base
 * model's definition or else by the first scenario that defines it. The
 * base values are filled in by mkba_model_appraise. */
static void fill_params(const mkba_model *m, mkba_appraisal *a)
{
    size_t n = m->n_slots - m->slot_params;
    a->n_params = n;
    a->params = mkba_xcalloc(n ? n : 1, sizeof *a->params);
    for (size_t i = 0; i < n; i++) {
        const char *name = m->slot_names[m->slot_params + i];
        mkba_ap_param *p = &a->params[i];
        const param_raw *base = find_param(&m->base_def, name), *def = base;
        for (size_t k = 0; !def && k < m->n_scen; k++)
            def = find_param(&m->scen[k], name);
        p->name = mkba_xstrdup(name);
        p->label = dup_or_empty(def ? def->label : NULL);
        p->label_nl = dup_or_empty(def ? def->label_nl : NULL);
        p->unit = dup_or_empty(def ? def->unit : NULL);
        p->value = dup_or_empty(value_written(base) ? base->value.text : NULL);
        p->distribution = dup_or_empty(def ? def->dist.text : NULL);
        p->source = dup_or_empty(def ? def->source : NULL);
        if (base && base->price_factor > 0) {
            p->price_year = atoi(base->price_year.text);
            p->price_factor = base->price_factor;
        }
        p->scen_value = mkba_xcalloc(m->n_scen, sizeof *p->scen_value);
        p->base = mkba_xcalloc(m->n_scen, sizeof *p->base);
        for (size_t k = 0; k < m->n_scen; k++) {
            const param_raw *sp = find_param(&m->scen[k], name);
            p->scen_value[k] = dup_or_empty(value_written(sp) ? sp->value.text : NULL);
            p->base[k] = NAN;
        }
    }
}

/* ======================= Warnings ======================= */

/* x rounded to 'sig' significant digits, as plain decimals (no exponent
 * between 1e-6 and 1e15) into buf; returns the rounded value. */
static double round_sig(char *buf, size_t size, double x, int sig)
{
    if (x == 0 || !isfinite(x) || fabs(x) < 1e-6 || fabs(x) >= 1e15) {
        snprintf(buf, size, "%.*g", sig, x);
        return strtod(buf, NULL);
    }
    int e = (int)floor(log10(fabs(x)));
    double scale = pow(10, e - sig + 1), r = round(x / scale) * scale;
    int decimals = sig - 1 - e > 0 ? sig - 1 - e : 0;
    snprintf(buf, size, "%.*f", decimals, r);
    if (decimals > 0) { /* 0.500000 -> 0.5 */
        char *end = buf + strlen(buf);
        while (end[-1] == '0')
            *--end = '\0';
        if (end[-1] == '.')
            end[-1] = '\0';
    }
    return r;
}

/* A parameter whose value is written in the base model and that has a
 * distribution: its base value (in the first scenario that draws it and
 * where it is outside) against its distribution's P1-P99. The interval is
 * shown to 3 significant digits, more when 3 would put the value inside. */
static void warn_outside_dist(const mkba_model *m, mkba_appraisal *a)
{
    /* drawn[k * n_slots + slot]: scenario k draws that slot's parameter
     * (filled once, not searched per uncertain parameter and scenario) */
    char *drawn = mkba_xcalloc(m->n_scen * m->n_slots + 1, 1);
    for (size_t k = 0; k < m->n_scen; k++)
        for (size_t j = 0; j < m->scen[k].n_params; j++)
            drawn[k * m->n_slots + (size_t)m->scen[k].pc[j].slot] = (char)m->scen[k].pc[j].drawn;
    for (size_t u = 0; u < m->n_unc; u++) {
        const mkba_plan_uncertain *un = &m->unc[u];
        const param_raw *bp = un->effect < 0 ? find_param(&m->base_def, un->name) : NULL;
        if (!value_written(bp))
            continue;
        double p1, p99;
        mkba_dist_p1_p99(un->dist, &p1, &p99);
        for (size_t k = 0; k < m->n_scen; k++) {
            double v = a->params[un->slot - (long)m->slot_params].base[k];
            /* A value derived from a withheld count or mean is not checked:
             * whether the warning fires would tell on which side of the
             * interval it lies. */
            if (!drawn[k * m->n_slots + (size_t)un->slot] || (v >= p1 && v <= p99) ||
                mkba_ap_param_withheld(&a->params[un->slot - (long)m->slot_params], k))
                continue;
            char vs[64], lo[64], hi[64];
            round_sig(vs, sizeof vs, v, 6);
            for (int sig = 3; sig <= 17; sig++) {
                double l = round_sig(lo, sizeof lo, p1, sig), h = round_sig(hi, sizeof hi, p99, sig);
                if (v < p1 ? v < l : v > h)
                    break;
            }
            const rawval *at = &bp->value;
            char where[256];
            snprintf(where, sizeof where, "[%s] %s", at->section, at->key);
            mkba_warning *w = mkba_appraisal_warn(
                a, MKBA_WARN_OUTSIDE_DIST, un->name, at->ini->path, at->line, where,
                "%s is outside the P1-P99 interval of its distribution %s (%s to %s): the base "
                "case and the Monte Carlo tell different stories; check the value or the "
                "distribution",
                vs, bp->dist.text, lo, hi);
            free(w->dist);
            w->dist = mkba_xstrdup(bp->dist.text);
            w->value = v;
            w->p1 = p1;
            w->p99 = p99;
            break;
        }
    }
    free(drawn);
}

/* Items of a project scenario that use an effect but whose flow is that
 * of the reference in every year (and not all zero): a project differs
 * from the reference only where an expression says so, and an effect
 * without the pilot switch is counted in both and cancels. */
static void warn_pilot_switch(const mkba_model *m, mkba_appraisal *a)
{
    /* tags (tag_params): per slot, the effect slot its value rests on */
    long *seed = mkba_xmalloc((m->n_slots + 1) * sizeof *seed);
    long *via = mkba_xmalloc((m->n_slots + 1) * sizeof *via);
    for (size_t i = 0; i < m->n_slots; i++)
        seed[i] = -1;
    for (size_t i = 0; i < m->n_effects; i++) {
        char buf[320];
        snprintf(buf, sizeof buf, "effect.%s", m->effects[i].name);
        long slot = slot_of(m, buf);
        if (slot >= 0)
            seed[slot] = slot;
    }
    for (size_t k = 1; k < m->n_scen; k++) {
        const scenario *s = &m->scen[k];
        tag_params(m, s, seed, via);
        for (size_t i = 0; i < m->n_items; i++) {
            const item_c *c = &s->ic[i];
            if (!c->enabled)
                continue;
            const rawval *src = &c->qsrc;
            long eff = tag_read(c->quantity, via, NULL);
            if (eff < 0 && c->price && (eff = tag_read(c->price, via, NULL)) >= 0)
                src = &c->psrc;
            if (eff < 0 && c->dropoff && (eff = tag_read(c->dropoff, via, NULL)) >= 0)
                src = &c->dsrc;
            if (eff < 0)
                continue;
            int same = 1, zero = 1;
            for (size_t t = 0; t < m->horizon; t++) {
                double f = a->flow[mkba_ap_fidx(a, k, i, t)];
                same &= f == a->flow[mkba_ap_fidx(a, 0, i, t)];
                zero &= f == 0;
            }
            if (!same || zero)
                continue;
            const char *ename = m->slot_names[eff];
            char where[256];
            snprintf(where, sizeof where, "[%s] %s", src->section, src->key);
            mkba_warning *w = mkba_appraisal_warn(
                a, MKBA_WARN_PILOT_SWITCH, a->items[i].name, src->ini->path, src->line, where,
                "uses %s but gives the same flow in scenario '%s' as in the reference '%s' in "
                "every year, so the item drops out of the appraisal (a missing pilot switch? "
                "e.g. 'pilot * %s * ...', with pilot = 0 in the reference and 1 in the project)",
                ename, s->name, m->scen[0].name, ename);
            free(w->effect);
            w->effect = mkba_xstrdup(ename + 7);
            w->scenario = k;
        }
    }
    free(seed);
    free(via);
}

/* The subgroup tables into 'a', the subgroup effects marked, disclosure
 * control applied (appraisal.h): a subgroup effect X.by.V that the outputs
 * withhold (a group of the subgroup is small) is refused: the model uses
 * it, and its amounts would give it back. */
static mkba_status fill_subgroups(const mkba_model *m, mkba_appraisal *a, mkba_error *err)
{
    a->subgroups = mkba_ap_subgroups_copy(m->subgroups);
    for (size_t i = 0; i < m->n_effects; i++) {
        const effect_def *d = &m->effects[i];
        if (d->parent < 0)
            continue;
        a->effects[i].subgroup = 1;
        a->effects[i].group_pilot = d->level_size[MKBA_PILOT];
        a->effects[i].group_control = d->level_size[MKBA_CONTROL];
    }
    mkba_ap_subgroups_disclose(a);
    for (size_t i = 0; i < m->n_effects; i++) {
        const effect_def *d = &m->effects[i];
        if (d->parent < 0 || !(mkba_ap_effect_hidden(a, i) & MKBA_HIDE_ESTIMATE))
            continue;
        return refuse_subgroup(&d->ref, d->name, a, &a->effects[i], err);
    }
    return MKBA_OK;
}

mkba_appraisal *mkba_model_appraise(const mkba_model *m, mkba_error *err)
{
    for (size_t i = 0; i < m->n_effects; i++)
        if (!m->effects[i].set) {
            mkba_error_set(err, MKBA_EINVAL, m->base->path, 0, NULL,
                           "effect '%s' has not been estimated", m->effects[i].name);
            return NULL;
        }
    mkba_appraisal *a = mkba_xcalloc(1, sizeof *a);
    a->min_group = m->min_group;
    if (m->has_cohort_file) {
        a->group_pilot = m->group_pilot;
        a->group_control = m->group_control;
    }
    fill_metadata(m, a);
    fill_params(m, a);
    if (fill_subgroups(m, a, err)) {
        mkba_appraisal_free(a);
        return NULL;
    }
    size_t per = m->n_items * m->horizon;
    a->flow = mkba_xcalloc(m->n_scen * per + 1, sizeof *a->flow);
    double *slots = mkba_xmalloc(m->n_slots * sizeof *slots);
    withheld w;
    withheld_alloc(m, a, &w);
    mkba_status st = MKBA_OK;
    for (size_t k = 0; k < m->n_scen && !st; k++) {
        memcpy(slots, m->base_slots, m->n_slots * sizeof *slots);
        st = withhold_scenario(m, a, k, &w, err);
        if (!st)
            st = eval_scenario(m, &m->scen[k], w.origin, slots, a->flow + k * per, err);
        for (size_t i = 0; i < a->n_params && !st; i++) /* parameters not defined stay NaN */
            a->params[i].base[k] = slots[m->slot_params + i];
    }
    free(slots);
    withheld_free(&w);
    if (st) {
        mkba_appraisal_free(a);
        return NULL;
    }
    mkba_appraisal_totals(a);
    for (size_t i = 0; i < m->n_notes; i++) {
        const model_note *n = &m->notes[i];
        mkba_appraisal_warn(a, n->kind, n->name, n->at.file, n->at.line, n->at.where, "%s",
                            n->at.msg);
    }
    warn_outside_dist(m, a);
    warn_pilot_switch(m, a);
    return a;
}

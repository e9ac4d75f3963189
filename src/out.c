/* out.c - the results of an appraisal as a terminal report, CSV tables and
 * results.json (file formats: see out.h).
 *
 * Two audiences. The terminal report is for policy analysts: rounded
 * amounts with thousands separators, labels rather than keys, tables that
 * fit 100 columns (long labels wrap inside their column; tables with many
 * numeric columns are split into blocks that repeat the first column), and
 * a plain-language conclusion. The files are for other programs and for
 * checking the numbers: full precision, every table in one long format,
 * written atomically as one set (fsutil.h).
 *
 * results.json holds every CSV table:
 *   mkba         {version, commit (null when not built from a git checkout),
 *                 run_date}
 *   model        {name, data_note (null when none), file, path, sha256,
 *                 currency, price_year, first_year, horizon, discount_timing,
 *                 discount_rates, discount_factors}
 *                (rates and factors of the reference; each scenario below
 *                lists its own, which its comparison uses)
 *   cohort       {files: [as opened], paths: [canonical], sha256: [hex]}
 *   scenarios    [{name, label, file, path, sha256, role: "reference"|"project",
 *                  discount_rates: [per year], discount_factors: [per year]}]
 *   stakeholders [{name, label}]
 *   privacy      {min_group, suppressed_cells} (disclosure control, out.h)
 *   effects      [{name, label, method, estimate, se, ci_lo, ci_hi, df,
 *                  mean_pilot, mean_control, n_pilot, n_control, n_missing,
 *                  missing_pilot, missing_control, suppressed: bool,
 *                  suppressed_fields: [names]}] (a withheld value is null)
 *   propensity   only when the model has a propensity model: see out.h
 *   items        [{name, label, kind, domain, source, stakeholder, loser}]
 *                (loser: null unless a transfer)
 *   results      [one per scenario, the reference first (its balances are
 *                 against itself, so zero):
 *                 {scenario, role, society: BALANCE,
 *                  stakeholders: {name: BALANCE},
 *                  items: [{item, pv, undiscounted}],
 *                  cash_flows: {years, calendar_years, discount_factors,
 *                    items: [{item, flow: [], delta: [], pv_delta: []}],
 *                    stakeholders: {name: {net: [], net_discounted: []}},
 *                    society: {net: [], net_discounted: []}}}]
 *   BALANCE      {pv_benefits, pv_costs, npv, bcr, benefits_undiscounted,
 *                 costs_undiscounted, net_undiscounted}
 * Numbers are printed by cJSON (%1.15g, or %1.17g when needed to read
 * back the same double); NaN and infinity become null. */
#include "mkba/out.h"
#include "mkba/sens.h"
#include "out_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mkba/appraisal.h"
#include "mkba/chart.h"
#include "mkba/escape.h"
#include "mkba/estimate.h"
#include "mkba/fsutil.h"
#include "mkba/mem.h"

#define MAX_WIDTH 100 /* terminal report: widest line */
#define COL_SEP 2     /* blanks between table columns */
#define MIN_WRAP 16   /* a wrapping column is not made narrower than this */
#define INDENT 2      /* tables and paragraphs are indented this much */

/* ================================ names ================================= */

/* Stakeholder k's key; k == n_stakeholders is society. */
static const char *holder_name(const mkba_appraisal *a, size_t k)
{
    return k < a->n_stakeholders ? a->stakeholders[k] : "society";
}

/* Stakeholder k's label for people (its key when it has none). */
static const char *holder_label(const mkba_appraisal *a, size_t k)
{
    if (k >= a->n_stakeholders)
        return "Society";
    const char *l = a->stakeholder_labels ? a->stakeholder_labels[k] : NULL;
    return l && *l ? l : a->stakeholders[k];
}

static const char *text_or(const char *label, const char *name)
{
    return label && *label ? label : (name ? name : "");
}

static const char *scen_label(const mkba_appraisal *a, size_t s)
{
    return text_or(a->scenarios[s].label, a->scenarios[s].name);
}

static const char *role_name(size_t s)
{
    return s == 0 ? "reference" : "project";
}

/* Sum over the years of item i's incremental flow in scenario s. */
static double item_undiscounted(const mkba_appraisal *a, size_t s, size_t i)
{
    double sum = 0;
    for (size_t t = 0; t < a->horizon; t++)
        sum += a->delta[mkba_ap_fidx(a, s, i, t)];
    return sum;
}

/* ========================== disclosure control ========================== */

static const char *const HIDDEN_NAMES[MKBA_HIDE_FIELDS] = {
    "ci_lo", "ci_hi", "df", "mean_pilot", "mean_control", "n_pilot", "n_control", "n_missing", "missing_pilot",
    "missing_control"};

const char *mkba_out_hidden_name(unsigned bit)
{
    for (int k = 0; k < MKBA_HIDE_FIELDS; k++)
        if (bit == 1u << k)
            return HIDDEN_NAMES[k];
    return "";
}

static size_t bit_count(unsigned mask)
{
    size_t c = 0;
    for (; mask; mask &= mask - 1)
        c++;
    return c;
}

size_t mkba_out_suppressed_cells(const mkba_appraisal *a)
{
    size_t cells = 0;
    for (size_t i = 0; a && i < a->n_effects; i++)
        cells += bit_count(mkba_ap_effect_hidden(a, i) & ~(unsigned)MKBA_HIDE_GROUP_SIZES);
    return cells;
}

/* x, or NaN (an empty CSV field, null in JSON) when 'bit' is withheld. */
static double shown(double x, unsigned mask, unsigned bit)
{
    return mask & bit ? NAN : x;
}

/* ================================= CSV ================================== */


/* Full precision ("%.17g" reads back to the same double), with 'dec' as
 * the decimal point whatever the C locale says. NaN is "" (missing). */
static void fmt_full(char *buf, size_t size, double x, char dec)
{
    if (isnan(x)) {
        buf[0] = '\0';
        return;
    }
    if (isinf(x)) {
        snprintf(buf, size, "%s", x < 0 ? "-inf" : "inf");
        return;
    }
    snprintf(buf, size, "%.17g", x);
    for (char *p = buf; *p; p++)
        if (*p == '.' || *p == ',')
            *p = dec;
}

void out_cw_sep(out_csvw *w)
{
    if (w->col++)
        fputc(w->sep, w->fp);
}

/* A text field, quoted per RFC 4180 when it must be; also when it has
 * blanks at either end, which readers (ours too) would otherwise trim. A
 * text a spreadsheet would run as a formula (escape.h) is neutralised as
 * OWASP recommends: quoted, with a single quote before it. */
void out_cw_text(out_csvw *w, const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    int formula = mkba_escape_is_formula(s);
    int quote = formula || strpbrk(s, "\"\r\n") || strchr(s, w->sep) ||
                (n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'));
    out_cw_sep(w);
    if (!quote) {
        fputs(s, w->fp);
        return;
    }
    fputc('"', w->fp);
    if (formula)
        fputc('\'', w->fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', w->fp);
        fputc(*s, w->fp);
    }
    fputc('"', w->fp);
}

void out_cw_num(out_csvw *w, double x)
{
    char buf[48];
    fmt_full(buf, sizeof buf, x, w->dec);
    out_cw_sep(w);
    fputs(buf, w->fp);
}

void out_cw_int(out_csvw *w, long long n)
{
    out_cw_sep(w);
    fprintf(w->fp, "%lld", n);
}

void out_cw_end(out_csvw *w)
{
    fputc('\n', w->fp);
    w->col = 0;
}

void out_cw_header(out_csvw *w, const char *const *names)
{
    for (; *names; names++)
        out_cw_text(w, *names);
    out_cw_end(w);
}

/* A count for CSV: the number, or an empty field when withheld. */
static void cw_count(out_csvw *w, size_t n, unsigned mask, unsigned bit)
{
    if (mask & bit)
        out_cw_text(w, "");
    else
        out_cw_int(w, (long long)n);
}

/* The names of the withheld fields in 'mask', space-separated ("" when
 * none). */
static void hidden_list(char *buf, size_t size, unsigned mask)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < MKBA_HIDE_FIELDS; k++)
        if (mask & (1u << k) && used < size)
            used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? " " : "",
                                     HIDDEN_NAMES[k]);
}

static void table_effects(out_csvw *w, const mkba_appraisal *a)
{
    static const char *const head[] = {
        "effect", "label", "method", "estimate", "se", "ci_lo", "ci_hi", "df", "mean_pilot",
        "mean_control", "n_pilot", "n_control", "n_missing", "suppressed", "suppressed_fields",
        NULL};
    out_cw_header(w, head);
    for (size_t i = 0; i < a->n_effects; i++) {
        const mkba_ap_effect *x = &a->effects[i];
        const mkba_effect *e = &x->e;
        unsigned mask = mkba_ap_effect_hidden(a, i);
        char fields[128];
        /* the fields this table has (missing_pilot/_control are in results.json) */
        hidden_list(fields, sizeof fields,
                    mask & ~(unsigned)(MKBA_HIDE_MISSING_PILOT | MKBA_HIDE_MISSING_CONTROL));
        out_cw_text(w, x->name);
        out_cw_text(w, x->label);
        out_cw_text(w, mkba_est_method_name(e->method));
        out_cw_num(w, e->estimate);
        out_cw_num(w, e->se);
        out_cw_num(w, shown(e->ci_lo, mask, MKBA_HIDE_CI_LO));
        out_cw_num(w, shown(e->ci_hi, mask, MKBA_HIDE_CI_HI));
        out_cw_num(w, shown(e->df, mask, MKBA_HIDE_DF));
        out_cw_num(w, shown(e->mean_pilot, mask, MKBA_HIDE_MEAN_PILOT));
        out_cw_num(w, shown(e->mean_control, mask, MKBA_HIDE_MEAN_CONTROL));
        size_t n[5];
        mkba_ap_effect_counts(a, i, n);
        cw_count(w, n[0], mask, MKBA_HIDE_N_PILOT);
        cw_count(w, n[1], mask, MKBA_HIDE_N_CONTROL);
        cw_count(w, n[2], mask, MKBA_HIDE_N_MISSING);
        out_cw_int(w, mask != 0);
        out_cw_text(w, fields);
        out_cw_end(w);
    }
}

static void table_summary(out_csvw *w, const mkba_appraisal *a)
{
    static const char *const head[] = {
        "scenario", "stakeholder", "pv_benefits", "pv_costs", "npv", "bcr",
        "benefits_undiscounted", "costs_undiscounted", "net_undiscounted", NULL};
    out_cw_header(w, head);
    for (size_t s = 1; s < a->n_scenarios; s++) {
        for (size_t k = 0; k <= a->n_stakeholders; k++) {
            const mkba_balance *b = &a->balance[mkba_ap_bidx(a, s, k)];
            out_cw_text(w, a->scenarios[s].name);
            out_cw_text(w, holder_name(a, k));
            out_cw_num(w, b->pv_benefits);
            out_cw_num(w, b->pv_costs);
            out_cw_num(w, b->npv);
            out_cw_num(w, b->bcr);
            out_cw_num(w, b->benefits);
            out_cw_num(w, b->costs);
            out_cw_num(w, b->net);
            out_cw_end(w);
        }
    }
}

static void table_items(out_csvw *w, const mkba_appraisal *a)
{
    static const char *const head[] = {"scenario", "item", "label", "kind", "domain",
                                       "stakeholder", "loser", "pv", "undiscounted", NULL};
    out_cw_header(w, head);
    for (size_t s = 1; s < a->n_scenarios; s++) {
        for (size_t i = 0; i < a->n_items; i++) {
            const mkba_ap_item *it = &a->items[i];
            out_cw_text(w, a->scenarios[s].name);
            out_cw_text(w, it->name);
            out_cw_text(w, it->label);
            out_cw_text(w, mkba_item_kind_name(it->kind));
            out_cw_text(w, it->domain);
            out_cw_text(w, holder_name(a, it->stakeholder));
            out_cw_text(w, it->kind == MKBA_ITEM_TRANSFER ? holder_name(a, it->loser) : "");
            out_cw_num(w, a->item_pv[s * a->n_items + i]);
            out_cw_num(w, item_undiscounted(a, s, i));
            out_cw_end(w);
        }
    }
}

static void table_cashflows(out_csvw *w, const mkba_appraisal *a)
{
    static const char *const head[] = {"scenario", "item", "kind", "stakeholder", "year",
                                       "calendar_year", "flow", "delta", "discount_factor",
                                       "pv_delta", NULL};
    out_cw_header(w, head);
    for (size_t s = 0; s < a->n_scenarios; s++) {
        for (size_t i = 0; i < a->n_items; i++) {
            const mkba_ap_item *it = &a->items[i];
            for (size_t t = 0; t < a->horizon; t++) {
                double delta = a->delta[mkba_ap_fidx(a, s, i, t)];
                double df = a->discount[mkba_ap_tidx(a, s, t)];
                out_cw_text(w, a->scenarios[s].name);
                out_cw_text(w, it->name);
                out_cw_text(w, mkba_item_kind_name(it->kind));
                out_cw_text(w, holder_name(a, it->stakeholder));
                out_cw_int(w, (long long)t + 1);
                out_cw_int(w, (long long)a->first_year + (long long)t);
                out_cw_num(w, a->flow[mkba_ap_fidx(a, s, i, t)]);
                out_cw_num(w, delta);
                out_cw_num(w, df);
                out_cw_num(w, delta * df);
                out_cw_end(w);
            }
        }
    }
}

static void table_stakeholder_flows(out_csvw *w, const mkba_appraisal *a)
{
    static const char *const head[] = {"scenario", "stakeholder", "year", "calendar_year",
                                       "net", "discount_factor", "net_discounted", NULL};
    size_t K = a->n_stakeholders;
    out_cw_header(w, head);
    for (size_t s = 1; s < a->n_scenarios; s++) {
        for (size_t k = 0; k <= K; k++) {
            for (size_t t = 0; t < a->horizon; t++) {
                double net = a->net_flow[(s * (K + 1) + k) * a->horizon + t];
                double df = a->discount[mkba_ap_tidx(a, s, t)];
                out_cw_text(w, a->scenarios[s].name);
                out_cw_text(w, holder_name(a, k));
                out_cw_int(w, (long long)t + 1);
                out_cw_int(w, (long long)a->first_year + (long long)t);
                out_cw_num(w, net);
                out_cw_num(w, df);
                out_cw_num(w, net * df);
                out_cw_end(w);
            }
        }
    }
}

typedef struct table_def {
    const char *name;                              /* file name without ".csv" */
    void (*write)(out_csvw *w, const mkba_appraisal *a);
} table_def;

static const table_def tables[] = {
    {"effects", table_effects},     {"summary", table_summary},
    {"items", table_items},         {"cashflows", table_cashflows},
    {"stakeholder_flows", table_stakeholder_flows},
};
#define N_TABLES (sizeof tables / sizeof tables[0])

/* Every table a run may write into --out, of this file, out_mc.c and
 * out_sens.c (check_out's owns_every_output keeps the list complete). */
static const char *const OWNED_STEMS[] = {
    "effects",    "summary",     "items",        "cashflows",  "stakeholder_flows",
    "mc_voi",     "mc_summary",  "mc_items",     "mc_uncertain", "mc_effects",
    "sens_sobol", "sens_tornado", "sens_switching", "sens_twoway",
    "balance",    "propensity",  "overlap",    "subgroups"};

int mkba_out_owns(const char *rel)
{
    for (;;) { /* "/x", "./x" and "x" are the same file */
        if (rel[0] == '/')
            rel++;
        else if (rel[0] == '.' && rel[1] == '/')
            rel += 2;
        else
            break;
    }
    if (strcmp(rel, "results.json") == 0 || strcmp(rel, "charts") == 0 ||
        (strncmp(rel, "charts/", 7) == 0 && mkba_chart_owns(rel + 7)))
        return 1;
    for (size_t i = 0; i < sizeof OWNED_STEMS / sizeof OWNED_STEMS[0]; i++) {
        size_t n = strlen(OWNED_STEMS[i]);
        if (strncmp(rel, OWNED_STEMS[i], n) == 0 &&
            (strcmp(rel + n, ".csv") == 0 || strcmp(rel + n, "_nl.csv") == 0))
            return 1;
    }
    return 0;
}

static void write_table(FILE *fp, const table_def *t, const mkba_appraisal *a, int dutch)
{
    out_csvw w = {fp, dutch ? ';' : ',', dutch ? ',' : '.', 0};
    t->write(&w, a);
}

/* ================================= JSON ================================= */

/* Builds the tree while remembering whether any cJSON allocation failed,
 * so the code reads straight and the failure is checked once at the end. */
typedef struct jctx {
    int oom; /* 1 after a failed allocation */
} jctx;

/* Attach 'item' to 'parent' (under 'key', or appended to an array when
 * 'key' is NULL). Returns 'item', or NULL (and frees it) on failure. */
static cJSON *jadd(jctx *j, cJSON *parent, const char *key, cJSON *item)
{
    if (!item) {
        j->oom = 1;
        return NULL;
    }
    int ok = parent && (key ? cJSON_AddItemToObject(parent, key, item)
                            : cJSON_AddItemToArray(parent, item));
    if (!ok) {
        cJSON_Delete(item);
        j->oom = 1;
        return NULL;
    }
    return item;
}

/* JSON has no NaN or infinity: those are null. */
static cJSON *jnumber(double x)
{
    return isfinite(x) ? cJSON_CreateNumber(x) : cJSON_CreateNull();
}

static void jnum(jctx *j, cJSON *o, const char *key, double x)
{
    jadd(j, o, key, jnumber(x));
}

static void jstr(jctx *j, cJSON *o, const char *key, const char *s)
{
    jadd(j, o, key, cJSON_CreateString(s ? s : ""));
}

static cJSON *jobj(jctx *j, cJSON *parent, const char *key)
{
    return jadd(j, parent, key, cJSON_CreateObject());
}

static cJSON *jarr(jctx *j, cJSON *parent, const char *key)
{
    return jadd(j, parent, key, cJSON_CreateArray());
}

/* Array of x[t] * y[t] for t < n ('y' NULL: x[t] alone). */
static void jseries(jctx *j, cJSON *o, const char *key, const double *x, const double *y,
                    size_t n)
{
    cJSON *arr = jarr(j, o, key);
    for (size_t t = 0; t < n && arr; t++)
        jadd(j, arr, NULL, jnumber(y ? x[t] * y[t] : x[t]));
}

static void json_balance(jctx *j, cJSON *parent, const char *key, const mkba_balance *b)
{
    cJSON *o = jobj(j, parent, key);
    jnum(j, o, "pv_benefits", b->pv_benefits);
    jnum(j, o, "pv_costs", b->pv_costs);
    jnum(j, o, "npv", b->npv);
    jnum(j, o, "bcr", b->bcr);
    jnum(j, o, "benefits_undiscounted", b->benefits);
    jnum(j, o, "costs_undiscounted", b->costs);
    jnum(j, o, "net_undiscounted", b->net);
}

/* A string, or null when s is NULL or "" (unknown, none). */
static void jstr_or_null(jctx *j, cJSON *o, const char *key, const char *s)
{
    if (s && *s)
        jstr(j, o, key, s);
    else
        jadd(j, o, key, cJSON_CreateNull());
}

/* The cohort's files as mkba opened them, their canonical paths and their
 * SHA-256 (parallel arrays; null where unknown). */
static void json_cohort(jctx *j, cJSON *root, const mkba_appraisal *a)
{
    cJSON *c = jobj(j, root, "cohort");
    cJSON *files = jarr(j, c, "files"), *paths = jarr(j, c, "paths"),
          *sha = jarr(j, c, "sha256");
    for (size_t i = 0; files && i < a->n_cohort_files; i++) {
        jstr(j, files, NULL, a->cohort_files[i]);
        jstr_or_null(j, paths, NULL, a->cohort_paths ? a->cohort_paths[i] : NULL);
        jstr_or_null(j, sha, NULL, a->cohort_sha256 ? a->cohort_sha256[i] : NULL);
    }
}

void mkba_out_inputs(mkba_pub *pub, const mkba_appraisal *a)
{
    mkba_pub_input(pub, a->model_file, "the model file");
    for (size_t s = 0; s < a->n_scenarios; s++)
        mkba_pub_input(pub, a->scenarios[s].file, "a scenario file");
    for (size_t i = 0; i < a->n_cohort_files; i++)
        mkba_pub_input(pub, a->cohort_files[i], "a cohort file");
}

static void json_model(jctx *j, cJSON *root, const mkba_appraisal *a)
{
    cJSON *m = jobj(j, root, "mkba");
    jstr(j, m, "version", a->version);
    jstr_or_null(j, m, "commit", a->commit);
    jstr(j, m, "run_date", a->run_date);
    m = jobj(j, root, "model");
    jstr(j, m, "name", a->model_name);
    jstr_or_null(j, m, "data_note", a->data_note);
    jstr(j, m, "file", a->model_file);
    jstr_or_null(j, m, "path", a->model_path);
    jstr(j, m, "sha256", a->model_sha256);
    jstr(j, m, "currency", a->currency);
    jnum(j, m, "price_year", a->price_year);
    jnum(j, m, "first_year", a->first_year);
    jnum(j, m, "horizon", (double)a->horizon);
    jstr(j, m, "discount_timing", a->discount_timing);
    if (a->n_scenarios > 0) {
        jseries(j, m, "discount_rates", a->rate, NULL, a->horizon);
        jseries(j, m, "discount_factors", a->discount, NULL, a->horizon);
    }
    json_cohort(j, root, a);
}

/* The effects, with withheld values null (see out.h, disclosure control). */
static void json_effects(jctx *j, cJSON *root, const mkba_appraisal *a)
{
    cJSON *arr = jarr(j, root, "effects");
    for (size_t i = 0; i < a->n_effects; i++) {
        const mkba_ap_effect *x = &a->effects[i];
        unsigned mask = mkba_ap_effect_hidden(a, i);
        cJSON *o = jobj(j, arr, NULL);
        jstr(j, o, "name", x->name);
        jstr(j, o, "label", x->label);
        jstr(j, o, "method", mkba_est_method_name(x->e.method));
        jnum(j, o, "estimate", x->e.estimate);
        jnum(j, o, "se", x->e.se);
        jnum(j, o, "ci_lo", shown(x->e.ci_lo, mask, MKBA_HIDE_CI_LO));
        jnum(j, o, "ci_hi", shown(x->e.ci_hi, mask, MKBA_HIDE_CI_HI));
        jnum(j, o, "df", shown(x->e.df, mask, MKBA_HIDE_DF));
        jnum(j, o, "mean_pilot", shown(x->e.mean_pilot, mask, MKBA_HIDE_MEAN_PILOT));
        jnum(j, o, "mean_control", shown(x->e.mean_control, mask, MKBA_HIDE_MEAN_CONTROL));
        size_t n[5];
        mkba_ap_effect_counts(a, i, n);
        for (int k = 0; k < 5; k++)
            jnum(j, o, mkba_out_hidden_name((unsigned)MKBA_HIDE_N_PILOT << k),
                 shown((double)n[k], mask, (unsigned)MKBA_HIDE_N_PILOT << k));
        jadd(j, o, "suppressed", cJSON_CreateBool(mask != 0));
        cJSON *names = jarr(j, o, "suppressed_fields");
        for (int k = 0; k < MKBA_HIDE_FIELDS; k++)
            if (mask & (1u << k))
                jstr(j, names, NULL, HIDDEN_NAMES[k]);
    }
}

/* The warnings (see out.h): left out when there are none. */
static void json_warnings(jctx *j, cJSON *root, const mkba_appraisal *a)
{
    if (a->n_warnings == 0)
        return;
    cJSON *arr = jarr(j, root, "warnings");
    for (size_t i = 0; i < a->n_warnings; i++) {
        const mkba_warning *w = &a->warnings[i];
        char text[2048];
        cJSON *o = jobj(j, arr, NULL);
        jstr(j, o, "kind", mkba_warning_kind_name(w->kind));
        jstr(j, o, "file", w->at.file);
        if (w->at.line > 0)
            jnum(j, o, "line", (double)w->at.line);
        else
            jadd(j, o, "line", cJSON_CreateNull());
        jstr(j, o, "where", w->at.where);
        jstr(j, o, "message", w->at.msg);
        jstr(j, o, "text", mkba_error_format(&w->at, text, sizeof text));
    }
}

/* Disclosure control: the threshold and how many values it withheld. */
static void json_privacy(jctx *j, cJSON *root, const mkba_appraisal *a)
{
    cJSON *o = jobj(j, root, "privacy");
    jnum(j, o, "min_group", (double)a->min_group);
    jnum(j, o, "suppressed_cells", (double)mkba_out_suppressed_cells(a));
}

static void json_definitions(jctx *j, cJSON *root, const mkba_appraisal *a)
{
    cJSON *arr = jarr(j, root, "scenarios");
    for (size_t s = 0; s < a->n_scenarios; s++) {
        const mkba_ap_scenario *sc = &a->scenarios[s];
        cJSON *o = jobj(j, arr, NULL);
        jstr(j, o, "name", sc->name);
        jstr(j, o, "label", sc->label);
        jstr(j, o, "file", sc->file);
        jstr_or_null(j, o, "path", sc->path);
        jstr(j, o, "sha256", sc->sha256);
        jstr(j, o, "role", role_name(s));
        jseries(j, o, "discount_rates", a->rate + mkba_ap_tidx(a, s, 0), NULL, a->horizon);
        jseries(j, o, "discount_factors", a->discount + mkba_ap_tidx(a, s, 0), NULL,
                a->horizon);
    }
    arr = jarr(j, root, "stakeholders");
    for (size_t k = 0; k < a->n_stakeholders; k++) {
        cJSON *o = jobj(j, arr, NULL);
        jstr(j, o, "name", a->stakeholders[k]);
        jstr(j, o, "label", a->stakeholder_labels ? a->stakeholder_labels[k] : "");
    }
    json_effects(j, root, a);
    if (a->ps && !mkba_out_ps_json(root, a))
        j->oom = 1;
    arr = jarr(j, root, "items");
    for (size_t i = 0; i < a->n_items; i++) {
        const mkba_ap_item *it = &a->items[i];
        cJSON *o = jobj(j, arr, NULL);
        jstr(j, o, "name", it->name);
        jstr(j, o, "label", it->label);
        jstr(j, o, "kind", mkba_item_kind_name(it->kind));
        jstr(j, o, "domain", it->domain);
        jstr(j, o, "source", it->source);
        jstr(j, o, "stakeholder", holder_name(a, it->stakeholder));
        if (it->kind == MKBA_ITEM_TRANSFER)
            jstr(j, o, "loser", holder_name(a, it->loser));
        else
            jadd(j, o, "loser", cJSON_CreateNull());
    }
}

static void json_cash_flows(jctx *j, cJSON *r, const mkba_appraisal *a, size_t s)
{
    size_t T = a->horizon, K = a->n_stakeholders;
    const double *df = a->discount + mkba_ap_tidx(a, s, 0);
    cJSON *cf = jobj(j, r, "cash_flows");
    cJSON *years = jarr(j, cf, "years"), *cal = jarr(j, cf, "calendar_years");
    for (size_t t = 0; t < T; t++) {
        jadd(j, years, NULL, cJSON_CreateNumber((double)t + 1));
        jadd(j, cal, NULL, cJSON_CreateNumber((double)a->first_year + (double)t));
    }
    jseries(j, cf, "discount_factors", df, NULL, T);
    cJSON *arr = jarr(j, cf, "items");
    for (size_t i = 0; i < a->n_items; i++) {
        cJSON *o = jobj(j, arr, NULL);
        jstr(j, o, "item", a->items[i].name);
        jseries(j, o, "flow", a->flow + mkba_ap_fidx(a, s, i, 0), NULL, T);
        jseries(j, o, "delta", a->delta + mkba_ap_fidx(a, s, i, 0), NULL, T);
        jseries(j, o, "pv_delta", a->delta + mkba_ap_fidx(a, s, i, 0), df, T);
    }
    cJSON *holders = jobj(j, cf, "stakeholders");
    for (size_t k = 0; k <= K; k++) {
        const double *net = a->net_flow + (s * (K + 1) + k) * T;
        cJSON *o = k < K ? jobj(j, holders, a->stakeholders[k]) : jobj(j, cf, "society");
        jseries(j, o, "net", net, NULL, T);
        jseries(j, o, "net_discounted", net, df, T);
    }
}

static void json_results(jctx *j, cJSON *root, const mkba_appraisal *a)
{
    size_t K = a->n_stakeholders;
    cJSON *arr = jarr(j, root, "results");
    for (size_t s = 0; s < a->n_scenarios; s++) {
        cJSON *r = jobj(j, arr, NULL);
        jstr(j, r, "scenario", a->scenarios[s].name);
        jstr(j, r, "role", role_name(s));
        json_balance(j, r, "society", &a->balance[mkba_ap_bidx(a, s, K)]);
        cJSON *holders = jobj(j, r, "stakeholders");
        for (size_t k = 0; k < K; k++)
            json_balance(j, holders, a->stakeholders[k], &a->balance[mkba_ap_bidx(a, s, k)]);
        cJSON *items = jarr(j, r, "items");
        for (size_t i = 0; i < a->n_items; i++) {
            cJSON *o = jobj(j, items, NULL);
            jstr(j, o, "item", a->items[i].name);
            jnum(j, o, "pv", a->item_pv[s * a->n_items + i]);
            jnum(j, o, "undiscounted", item_undiscounted(a, s, i));
        }
        json_cash_flows(j, r, a, s);
    }
}

/* The text of results.json (free with cJSON_free), or NULL when out of
 * memory. */
static char *json_text(const mkba_appraisal *a)
{
    jctx j = {0};
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    json_model(&j, root, a);
    json_warnings(&j, root, a);
    json_privacy(&j, root, a);
    json_definitions(&j, root, a);
    json_results(&j, root, a);
    if (a->mc && !mkba_out_mc_json(root, a))
        j.oom = 1;
    if (a->sens && !mkba_out_sens_json(root, a))
        j.oom = 1;
    if (a->subgroups && !mkba_out_sub_json(root, a))
        j.oom = 1;
    char *text = j.oom ? NULL : cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}

/* ============================ writing files ============================= */

/* "dir/name" + "suffix" (caller frees). */
static char *join_path(const char *dir, const char *name, const char *suffix)
{
    size_t nd = strlen(dir);
    const char *slash = nd && dir[nd - 1] == '/' ? "" : "/";
    size_t n = nd + strlen(slash) + strlen(name) + strlen(suffix) + 1;
    char *p = mkba_xmalloc(n);
    snprintf(p, n, "%s%s%s%s", dir, slash, name, suffix);
    return p;
}

/* Open dir/name+suffix as an output of the run's --out directory. */
static FILE *open_member(mkba_pub *pub, const char *dir, const char *name, const char *suffix,
                         mkba_error *err)
{
    char *path = join_path(dir, name, suffix);
    FILE *fp = mkba_pub_open(pub, path, MKBA_PUB_OUT_DIR, err);
    free(path);
    return fp;
}

int out_write_pair(mkba_pub *pub, const char *dir, const char *name, out_table_fn write,
                   const mkba_appraisal *a, mkba_error *err)
{
    for (int dutch = 0; dutch <= 1; dutch++) {
        FILE *fp = open_member(pub, dir, name, dutch ? "_nl.csv" : ".csv", err);
        if (!fp)
            return err->code ? err->code : MKBA_EIO;
        out_csvw w = {fp, dutch ? ';' : ',', dutch ? ',' : '.', 0};
        write(&w, a);
    }
    return MKBA_OK;
}

/* The tables of an earlier run that this run does not write (its Monte
 * Carlo or sensitivity tables, say): the regular files under 'dir' with an
 * owned name that no table of this run took (pub claims each name once),
 * staged for removal once the new files are in place, so that the
 * directory never holds tables that disagree with its results.json. */
static mkba_status stale_tables(mkba_pub *pub, const char *dir, mkba_error *err)
{
    mkba_status st = MKBA_OK;
    for (size_t i = 0; i < sizeof OWNED_STEMS / sizeof OWNED_STEMS[0] && !st; i++)
        for (int dutch = 0; dutch <= 1 && !st; dutch++) {
            char *p = join_path(dir, OWNED_STEMS[i], dutch ? "_nl.csv" : ".csv");
            struct stat sb;
            if (!mkba_pub_claimed(pub, p) && lstat(p, &sb) == 0 &&
                S_ISREG(sb.st_mode))
                st = mkba_pub_unlink(pub, p, err);
            free(p);
        }
    return st;
}

mkba_status mkba_out_stage_dir(mkba_pub *pub, const char *dir, const mkba_appraisal *a,
                               mkba_error *err)
{
    mkba_status st = mkba_pub_mkdir(pub, dir, 0, err);
    if (st != MKBA_OK)
        return st;
    char *json = json_text(a);
    if (!json)
        return mkba_error_set(err, MKBA_ENOMEM, NULL, 0, NULL,
                              "out of memory while building results.json");
    for (size_t t = 0; t < N_TABLES && !st; t++)
        st = out_write_pair(pub, dir, tables[t].name, tables[t].write, a, err);
    if (!st && a->ps)
        st = mkba_out_ps_write(pub, dir, a, err);
    if (!st && a->mc)
        st = mkba_out_mc_write(pub, dir, a, err);
    if (!st && a->sens)
        st = mkba_out_sens_write(pub, dir, a, err);
    if (!st && a->subgroups)
        st = mkba_out_sub_write(pub, dir, a, err);
    FILE *fp = st ? NULL : open_member(pub, dir, "results", ".json", err);
    if (fp) {
        fputs(json, fp);
        fputc('\n', fp);
        st = stale_tables(pub, dir, err);
    } else if (!st) {
        st = err->code ? err->code : MKBA_EIO;
    }
    cJSON_free(json);
    return st;
}

mkba_status mkba_out_write_dir(const char *dir, const mkba_appraisal *a, mkba_error *err)
{
    mkba_pub *pub = mkba_pub_new();
    mkba_out_inputs(pub, a);
    mkba_status st = mkba_out_stage_dir(pub, dir, a, err);
    if (st) {
        mkba_pub_abort(pub);
        return st;
    }
    return mkba_pub_commit(pub, err);
}

mkba_status mkba_out_stage_effects_csv(mkba_pub *pub, const char *path, const mkba_appraisal *a,
                                       int dutch, mkba_error *err)
{
    FILE *fp = mkba_pub_open(pub, path, "--out", err);
    if (!fp)
        return err->code ? err->code : MKBA_EIO;
    write_table(fp, &tables[0], a, dutch);
    return MKBA_OK;
}

mkba_status mkba_out_write_effects_csv(const char *path, const mkba_appraisal *a, int dutch,
                                       mkba_error *err)
{
    mkba_pub *pub = mkba_pub_new();
    mkba_out_inputs(pub, a);
    if (mkba_out_stage_effects_csv(pub, path, a, dutch, err)) {
        mkba_pub_abort(pub);
        return err->code;
    }
    return mkba_pub_commit(pub, err);
}

/* ========================= text: numbers, lines ========================= */

/* printf's %f and %g follow the C locale; the report always uses '.' for
 * the decimal point (',' is the thousands separator). */
static void c_point(char *s)
{
    for (; *s; s++)
        if (*s == ',')
            *s = '.';
}

/* Rounded to whole units with thousands separators: "1,234,567",
 * "-123,456"; "0" for anything that rounds to zero (no "-0"). Amounts
 * beyond 1e15 (not exact as whole numbers) fall back to "%.3g". */
void out_fmt_amount(char *buf, size_t size, double x)
{
    if (!isfinite(x)) {
        snprintf(buf, size, "n/a");
        return;
    }
    double r = round(x);
    if (fabs(r) >= 1e15) {
        snprintf(buf, size, "%.3g", r);
        c_point(buf);
        return;
    }
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", fabs(r));
    size_t nd = strlen(digits), o = 0;
    if (r < 0 && o + 1 < size)
        buf[o++] = '-';
    for (size_t i = 0; i < nd && o + 1 < size; i++) {
        if (i > 0 && (nd - i) % 3 == 0 && o + 2 < size)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
}

/* "EUR 1,234": the currency as the terminal shows it (escaped). */
static void fmt_money(char *buf, size_t size, const char *currency, double x)
{
    char amount[64];
    out_fmt_amount(amount, sizeof amount, x);
    mkba_escape_term(buf, size, currency);
    size_t used = strlen(buf);
    snprintf(buf + used, size - used, " %s", amount);
}

/* Ratios to 2 decimals; undefined (NaN) or overflowed (infinite) is
 * "n/a". */
void out_fmt_ratio(char *buf, size_t size, double x)
{
    if (!isfinite(x))
        snprintf(buf, size, "n/a");
    else if (fabs(x) < 0.005)
        snprintf(buf, size, "0.00"); /* no "-0.00" */
    else
        snprintf(buf, size, "%.2f", x);
    c_point(buf);
}

void out_fmt_share(char *buf, size_t size, double p)
{
    if (!isfinite(p))
        snprintf(buf, size, "n/a");
    else
        snprintf(buf, size, "%.1f%%", 100 * p);
    c_point(buf);
}

const char *out_term_text(out_term *t, const char *s)
{
    if (!mkba_escape_term_needed(s))
        return s ? s : "";
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 8;
        t->s = mkba_xreallocarray(t->s, t->cap, sizeof *t->s);
    }
    return t->s[t->n++] = mkba_escape_term_dup(s);
}

void out_term_free(out_term *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->s[i]);
    free(t->s);
    t->s = NULL;
    t->n = t->cap = 0;
}

/* Effects: 4 significant digits ("0.01235", "-2.5", "1.2e-05"), but whole
 * numbers from 10,000 on ("12346") rather than an exponent. */
static void fmt_sig(char *buf, size_t size, double x)
{
    if (!isfinite(x))
        snprintf(buf, size, "n/a");
    else if (x == 0)
        snprintf(buf, size, "0");
    else if (fabs(x) >= 1e4 && fabs(x) < 1e12)
        snprintf(buf, size, "%.0f", x);
    else
        snprintf(buf, size, "%.4g", x);
    c_point(buf);
}

/* A rate as a percentage: 0.03 -> "3%", 0.0225 -> "2.25%". */
static void fmt_pct(char *buf, size_t size, double rate)
{
    snprintf(buf, size, "%.4g%%", rate * 100);
    c_point(buf);
}

/* Columns taken on a terminal by the first n bytes of UTF-8 text: one per
 * character (bytes that do not continue a character). */
static size_t text_width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            w++;
    return w;
}

/* The next line of 's' at most 'width' columns wide: sets *len to its
 * length in bytes and returns where the rest starts, or NULL when 's' fits.
 * Breaks at the last blank that fits; a word longer than the width is cut. */
static const char *wrap_next(const char *s, size_t width, size_t *len)
{
    size_t i = 0, cols = 0, blank = 0;
    if (width < 1)
        width = 1;
    while (s[i]) {
        if (cols == width)
            break;
        if (s[i] == ' ' && i > 0)
            blank = i;
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        cols++;
    }
    if (!s[i]) {
        *len = i;
        return NULL;
    }
    size_t cut = s[i] == ' ' ? i : (blank ? blank : i);
    *len = cut;
    while (s[cut] == ' ')
        cut++;
    return s[cut] ? s + cut : NULL;
}

/* A growing line, printed without trailing blanks. */
typedef struct line {
    char *s;
    size_t len, cap;
} line;

static void ln_addn(line *l, const char *s, size_t n)
{
    if (l->len + n + 1 > l->cap) {
        while (l->len + n + 1 > l->cap)
            l->cap = l->cap ? 2 * l->cap : 128;
        l->s = mkba_xrealloc(l->s, l->cap);
    }
    memcpy(l->s + l->len, s, n);
    l->len += n;
    l->s[l->len] = '\0';
}

static void ln_pad(line *l, size_t n, char c)
{
    for (size_t i = 0; i < n; i++)
        ln_addn(l, &c, 1);
}

/* Text of n bytes in 'width' columns, left or right aligned. */
static void ln_cell(line *l, const char *s, size_t n, size_t width, int right)
{
    size_t w = text_width(s, n), pad = w < width ? width - w : 0;
    if (right)
        ln_pad(l, pad, ' ');
    ln_addn(l, s, n);
    if (!right)
        ln_pad(l, pad, ' ');
}

static void ln_flush(line *l, FILE *f)
{
    while (l->len && l->s[l->len - 1] == ' ')
        l->len--;
    fwrite(l->s ? l->s : "", 1, l->len, f);
    fputc('\n', f);
    l->len = 0;
}

/* A paragraph wrapped to MAX_WIDTH: the first line indented 'first', the
 * next ones 'rest'; escaped for the terminal (escape.h), as it may quote
 * labels. */
static void print_para(FILE *f, size_t first, size_t rest, const char *raw)
{
    line l = {0};
    char *text = mkba_escape_term_dup(raw);
    const char *p = text;
    size_t indent = first;
    while (p) {
        size_t n;
        const char *next = wrap_next(p, MAX_WIDTH - indent, &n);
        ln_pad(&l, indent, ' ');
        ln_addn(&l, p, n);
        ln_flush(&l, f);
        p = next;
        indent = rest;
    }
    free(l.s);
    free(text);
}

/* ============================= text tables ============================== */

typedef struct tcol {
    const char *head; /* column title */
    int right;        /* 1: right-aligned (numbers) */
    int wrap;         /* 1: may wrap to fit MAX_WIDTH (labels) */
} tcol;

typedef struct table {
    const tcol *col;     /* [ncols] borrowed */
    size_t ncols;
    size_t nrows, cap;
    char **cell;         /* [nrows][ncols] owned copies */
    unsigned char *rule; /* [nrows] 1: a rule line above the row */
} table;

static void tab_add(table *t, const char *const *cells, int rule)
{
    if (t->nrows == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 8;
        t->cell = mkba_xreallocarray(t->cell, t->cap * t->ncols, sizeof *t->cell);
        t->rule = mkba_xrealloc(t->rule, t->cap);
    }
    for (size_t c = 0; c < t->ncols; c++) /* labels are in cells: escape.h */
        t->cell[t->nrows * t->ncols + c] = mkba_escape_term_dup(cells[c]);
    t->rule[t->nrows++] = (unsigned char)rule;
}

static void tab_free(table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cell[i]);
    free(t->cell);
    free(t->rule);
}

/* One table row (header or body) over the columns cols[0..m-1]; wrapped
 * cells continue on further lines. cur[] is scratch of m pointers. */
static void print_row(FILE *f, line *l, const tcol *col, const char *const *cells,
                      const size_t *cols, size_t m, const size_t *w, const char **cur)
{
    for (size_t j = 0; j < m; j++)
        cur[j] = cells[cols[j]];
    int more = 1;
    while (more) {
        more = 0;
        ln_pad(l, INDENT, ' ');
        for (size_t j = 0; j < m; j++) {
            size_t c = cols[j], n = 0;
            const char *seg = cur[j] ? cur[j] : "";
            cur[j] = cur[j] ? wrap_next(cur[j], w[c], &n) : NULL;
            more |= cur[j] != NULL;
            if (j)
                ln_pad(l, COL_SEP, ' ');
            ln_cell(l, seg, n, w[c], col[c].right);
        }
        ln_flush(l, f);
    }
}

static void print_rule(FILE *f, line *l, const size_t *cols, size_t m, const size_t *w)
{
    size_t width = COL_SEP * (m - 1);
    for (size_t j = 0; j < m; j++)
        width += w[cols[j]];
    ln_pad(l, INDENT, ' ');
    ln_pad(l, width, '-');
    ln_flush(l, f);
}

/* Column widths: the widest cell, then wrapping columns narrowed (widest
 * first, down to MIN_WRAP) until the table fits MAX_WIDTH if it can. */
static void tab_widths(const table *t, size_t *w)
{
    size_t total = INDENT + COL_SEP * (t->ncols - 1);
    for (size_t c = 0; c < t->ncols; c++) {
        w[c] = text_width(t->col[c].head, strlen(t->col[c].head));
        for (size_t r = 0; r < t->nrows; r++) {
            const char *s = t->cell[r * t->ncols + c];
            size_t cw = text_width(s, strlen(s));
            if (cw > w[c])
                w[c] = cw;
        }
        total += w[c];
    }
    while (total > MAX_WIDTH) {
        size_t widest = t->ncols;
        for (size_t c = 0; c < t->ncols; c++)
            if (t->col[c].wrap && w[c] > MIN_WRAP && (widest == t->ncols || w[c] > w[widest]))
                widest = c;
        if (widest == t->ncols)
            break;
        w[widest]--;
        total--;
    }
}

/* Print the table; when its columns still do not fit, in blocks that each
 * repeat the first column. */
static void tab_print(FILE *f, const table *t)
{
    size_t *w = mkba_xcalloc(t->ncols, sizeof *w);
    size_t *cols = mkba_xcalloc(t->ncols, sizeof *cols);
    const char **cur = mkba_xcalloc(t->ncols, sizeof *cur);
    const char **head = mkba_xcalloc(t->ncols, sizeof *head);
    line l = {0};
    tab_widths(t, w);
    for (size_t c = 0; c < t->ncols; c++)
        head[c] = t->col[c].head;
    size_t start = 1;
    do {
        size_t m = 0, width = INDENT + w[0];
        if (start > 1)
            fputc('\n', f); /* a blank line between blocks */
        cols[m++] = 0;
        while (start < t->ncols && (m == 1 || width + COL_SEP + w[start] <= MAX_WIDTH)) {
            width += COL_SEP + w[start];
            cols[m++] = start++;
        }
        print_row(f, &l, t->col, head, cols, m, w, cur);
        print_rule(f, &l, cols, m, w);
        for (size_t r = 0; r < t->nrows; r++) {
            if (t->rule[r])
                print_rule(f, &l, cols, m, w);
            print_row(f, &l, t->col, (const char *const *)&t->cell[r * t->ncols], cols, m, w,
                      cur);
        }
    } while (start < t->ncols);
    free(l.s);
    free(head);
    free(cur);
    free(cols);
    free(w);
}

/* ============================ report sections =========================== */

/* The rates of scenario s in words: "3%", or "3% to 2.5% (by year)". */
static void rate_text(char *buf, size_t size, const mkba_appraisal *a, size_t s)
{
    if (a->horizon == 0) {
        snprintf(buf, size, "n/a");
        return;
    }
    const double *r = a->rate + mkba_ap_tidx(a, s, 0);
    char first[32], last[32];
    fmt_pct(first, sizeof first, r[0]);
    fmt_pct(last, sizeof last, r[a->horizon - 1]);
    int constant = 1;
    for (size_t t = 1; t < a->horizon; t++)
        constant &= r[t] == r[0];
    if (constant)
        snprintf(buf, size, "%s", first);
    else
        snprintf(buf, size, "%s to %s (by year)", first, last);
}

static const char *timing_text(const char *timing)
{
    if (!timing)
        return "";
    if (strcmp(timing, "start") == 0)
        return ", discounting at the start of each year";
    if (strcmp(timing, "mid") == 0)
        return ", discounting in the middle of each year";
    if (strcmp(timing, "end") == 0)
        return ", discounting at the end of each year";
    return "";
}

/* "Discount rate 3%" when every project scenario uses the same rates, else
 * "Discount rates 3% (label), 2.25% (label)". Caller frees. */
static char *rates_text(const mkba_appraisal *a)
{
    size_t from = a->n_scenarios > 1 ? 1 : 0;
    char r0[96], r[96];
    rate_text(r0, sizeof r0, a, from);
    int same = 1;
    for (size_t s = from + 1; s < a->n_scenarios; s++) {
        rate_text(r, sizeof r, a, s);
        same &= strcmp(r, r0) == 0;
    }
    if (same)
        return mkba_xasprintf("Discount rate %s", r0);
    char *text = mkba_xstrdup("Discount rates");
    for (size_t s = from; s < a->n_scenarios; s++) {
        rate_text(r, sizeof r, a, s);
        char *next = mkba_xasprintf("%s%s %s (%s)", text, s > from ? "," : "", r, scen_label(a, s));
        free(text);
        text = next;
    }
    return text;
}

/* The model's note on its data ([model] data_note), where the reader
 * looks: under the title and under the conclusion's heading. */
static void print_data_note(FILE *f, const mkba_appraisal *a, size_t indent)
{
    if (!a->data_note || !*a->data_note)
        return;
    char *text = mkba_xasprintf("About the data: %s", a->data_note);
    print_para(f, indent, indent + INDENT, text);
    free(text);
}

static void print_header(FILE *f, const mkba_appraisal *a)
{
    char *title = mkba_xasprintf("MKBA: %s", text_or(a->model_name, "(unnamed model)"));
    print_para(f, 0, INDENT, title);
    free(title);
    char *years = a->horizon > 1
                      ? mkba_xasprintf("%zu years (%d-%lld)", a->horizon, a->first_year,
                                       (long long)a->first_year + (long long)a->horizon - 1)
                      : mkba_xasprintf("%zu year (%d)", a->horizon, a->first_year);
    char *text = mkba_xasprintf("Amounts in %s at %d prices; horizon %s.",
                                text_or(a->currency, "?"), a->price_year, years);
    print_para(f, INDENT, INDENT, text);
    free(text);
    char *rates = rates_text(a);
    text = mkba_xasprintf("%s%s.", rates, timing_text(a->discount_timing));
    print_para(f, INDENT, INDENT, text);
    free(text);
    free(rates);
    free(years);
    print_data_note(f, a, INDENT);
}

/* A count for the terminal: the number ("N*" for a group's size shown in
 * place of its persons with a value: 'group_size'), "<N" when it is small
 * and withheld, "x" when withheld with a small one (see out.h). Returns 1
 * for "x". */
static int fmt_count(char *buf, size_t size, const mkba_appraisal *a, size_t n, unsigned hidden,
                     int group_size)
{
    int x = hidden && !mkba_ap_suppressed(a, n);
    if (!hidden)
        snprintf(buf, size, group_size ? "%zu*" : "%zu", n);
    else if (!x)
        snprintf(buf, size, "<%zu", a->min_group);
    else
        snprintf(buf, size, "x");
    return x;
}

/* What the effects table held, for the lines under it. */
typedef struct effects_seen {
    int given;          /* a "given" effect */
    int weighted;       /* an ipw or dr effect */
    int x_shown;        /* a count shown as "x" */
    int missing_hidden; /* a withheld n_missing */
    int group_sizes;    /* group sizes shown as "N*" */
    int hidden;         /* any withheld value */
    size_t missing;     /* n_missing over all effects */
} effects_seen;

/* The lines under the effects table about missing values and withheld
 * counts. */
static void effects_notes(FILE *f, const mkba_appraisal *a, const effects_seen *seen)
{
    if (seen->given)
        print_para(f, INDENT, INDENT,
                   "given: taken from the model (estimate and SE), not estimated from the "
                   "cohort.");
    if (seen->weighted) {
        const char *who = a->ps && a->ps->estimand == MKBA_ESTIMAND_ATE
                              ? "everyone in the cohort (ATE)"
                              : "the pilot's participants (ATT)";
        char *text = mkba_xasprintf("ipw, dr: weighted by the propensity model, the effect on "
                                    "%s; SE by the M-estimation sandwich, which counts the "
                                    "uncertainty of the estimated propensities; 95%% CI normal.",
                                    who);
        print_para(f, INDENT, INDENT, text);
        free(text);
    }
    if (seen->missing_hidden) {
        print_para(f, INDENT, INDENT,
                   "Persons left out of an effect for a missing value: not shown (disclosure "
                   "control).");
    } else if (seen->missing) {
        char *text = mkba_xasprintf("Persons left out of an effect for a missing value: %zu in "
                                    "all effects together.",
                                    seen->missing);
        print_para(f, INDENT, INDENT, text);
        free(text);
    }
    if (seen->group_sizes) {
        char *text = mkba_xasprintf("*: the size of the group in the cohort; fewer than %zu of "
                                    "its persons lack a value and are left out of the effect, "
                                    "their number withheld.",
                                    a->min_group);
        print_para(f, INDENT, INDENT, text);
        free(text);
    }
    if (seen->hidden) {
        char *text = mkba_xasprintf("Counts of fewer than %zu persons are suppressed (disclosure "
                                    "control; [privacy] min_group).%s",
                                    a->min_group,
                                    seen->x_shown ? " x: withheld too, so that a suppressed count "
                                                    "cannot be worked out from it."
                                                  : "");
        print_para(f, INDENT, INDENT, text);
        free(text);
    }
}

static void effects_table(FILE *f, const mkba_appraisal *a)
{
    static const tcol col[] = {{"Effect", 0, 1},   {"Method", 0, 0}, {"Estimate", 1, 0},
                               {"95% CI", 0, 0},   {"SE", 1, 0},     {"n pilot", 1, 0},
                               {"n control", 1, 0}};
    table t = {col, sizeof col / sizeof col[0], 0, 0, NULL, NULL};
    effects_seen seen = {0};
    for (size_t i = 0; i < a->n_effects; i++) {
        const mkba_ap_effect *x = &a->effects[i];
        const mkba_effect *e = &x->e;
        unsigned mask = mkba_ap_effect_hidden(a, i);
        char est[32], lo[32], hi[32], ci[80], se[32], np[32], nc[32];
        fmt_sig(est, sizeof est, e->estimate);
        fmt_sig(lo, sizeof lo, e->ci_lo);
        fmt_sig(hi, sizeof hi, e->ci_hi);
        snprintf(ci, sizeof ci, "[%s, %s]", lo, hi);
        if (mask & MKBA_HIDE_CI) {
            snprintf(ci, sizeof ci, "x");
            seen.x_shown = 1;
        }
        fmt_sig(se, sizeof se, e->se);
        int counted = e->method != MKBA_EST_GIVEN;
        size_t n[5];
        mkba_ap_effect_counts(a, i, n);
        int groups = (mask & MKBA_HIDE_GROUP_SIZES) != 0;
        seen.x_shown |= fmt_count(np, sizeof np, a, n[0], mask & MKBA_HIDE_N_PILOT, groups);
        seen.x_shown |= fmt_count(nc, sizeof nc, a, n[1], mask & MKBA_HIDE_N_CONTROL, groups);
        const char *row[] = {text_or(x->label, x->name), mkba_est_method_name(e->method),
                             est, ci, se, counted ? np : "-", counted ? nc : "-"};
        tab_add(&t, row, 0);
        seen.given |= !counted;
        seen.weighted |= e->method == MKBA_EST_IPW || e->method == MKBA_EST_DR;
        seen.missing += e->n_missing;
        seen.missing_hidden |= (mask & MKBA_HIDE_N_MISSING) != 0;
        seen.hidden |= mask != 0;
        seen.group_sizes |= groups;
    }
    tab_print(f, &t);
    tab_free(&t);
    effects_notes(f, a, &seen);
}

void mkba_out_print_effects(FILE *f, const mkba_appraisal *a)
{
    fputs("Effects of the pilot (pilot minus regular practice)\n", f);
    if (a->n_effects == 0)
        print_para(f, INDENT, INDENT, "The model has no effects.");
    else
        effects_table(f, a);
    mkba_out_print_subgroups(f, a);
    mkba_out_print_ps(f, a);
}

/* Society's balance as a short list of labelled amounts. */
static void society_list(FILE *f, const mkba_appraisal *a, const mkba_balance *b)
{
    char v[5][96];
    fmt_money(v[0], sizeof v[0], a->currency, b->pv_benefits);
    fmt_money(v[1], sizeof v[1], a->currency, b->pv_costs);
    fmt_money(v[2], sizeof v[2], a->currency, b->npv);
    out_fmt_ratio(v[3], sizeof v[3], b->bcr);
    fmt_money(v[4], sizeof v[4], a->currency, b->net);
    static const char *const name[] = {"PV benefits", "PV costs", "NPV (saldo)", "B/C ratio",
                                       "Net, undiscounted"};
    size_t vw = 0;
    for (size_t i = 0; i < 5; i++)
        if (text_width(v[i], strlen(v[i])) > vw)
            vw = text_width(v[i], strlen(v[i]));
    line l = {0};
    fputs("  Society\n", f);
    for (size_t i = 0; i < 5; i++) {
        ln_pad(&l, 2 * INDENT, ' ');
        ln_cell(&l, name[i], strlen(name[i]), 20, 0);
        ln_cell(&l, v[i], strlen(v[i]), vw, 1);
        ln_flush(&l, f);
    }
    free(l.s);
}

static void stakeholder_table(FILE *f, const mkba_appraisal *a, size_t s)
{
    static const tcol col[] = {{"Stakeholder", 0, 1}, {"PV benefits", 1, 0},
                               {"PV costs", 1, 0},    {"NPV (saldo)", 1, 0},
                               {"B/C", 1, 0},         {"Net (undiscounted)", 1, 0}};
    table t = {col, sizeof col / sizeof col[0], 0, 0, NULL, NULL};
    for (size_t k = 0; k <= a->n_stakeholders; k++) {
        const mkba_balance *b = &a->balance[mkba_ap_bidx(a, s, k)];
        char v[5][64];
        out_fmt_amount(v[0], sizeof v[0], b->pv_benefits);
        out_fmt_amount(v[1], sizeof v[1], b->pv_costs);
        out_fmt_amount(v[2], sizeof v[2], b->npv);
        out_fmt_ratio(v[3], sizeof v[3], b->bcr);
        out_fmt_amount(v[4], sizeof v[4], b->net);
        const char *row[] = {holder_label(a, k), v[0], v[1], v[2], v[3], v[4]};
        tab_add(&t, row, k == a->n_stakeholders);
    }
    char *title = mkba_xasprintf("Per stakeholder (%s)", text_or(a->currency, "?"));
    print_para(f, INDENT, INDENT, title);
    free(title);
    tab_print(f, &t);
    tab_free(&t);
    for (size_t i = 0; i < a->n_items; i++) {
        if (a->items[i].kind == MKBA_ITEM_TRANSFER) {
            print_para(f, INDENT, INDENT,
                       "Transfers count as a benefit for the receiver and a cost for the "
                       "payer; they cancel out for society.");
            break;
        }
    }
}

static void item_table(FILE *f, const mkba_appraisal *a, size_t s)
{
    static const tcol col[] = {{"Item", 0, 1},        {"Kind", 0, 0}, {"Stakeholder", 0, 1},
                               {"PV", 1, 0},          {"Undiscounted", 1, 0}};
    table t = {col, sizeof col / sizeof col[0], 0, 0, NULL, NULL};
    for (size_t i = 0; i < a->n_items; i++) {
        const mkba_ap_item *it = &a->items[i];
        char pv[64], und[64];
        out_fmt_amount(pv, sizeof pv, a->item_pv[s * a->n_items + i]);
        out_fmt_amount(und, sizeof und, item_undiscounted(a, s, i));
        char *who = it->kind == MKBA_ITEM_TRANSFER
                        ? mkba_xasprintf("%s to %s", holder_name(a, it->loser),
                                         holder_name(a, it->stakeholder))
                        : mkba_xstrdup(holder_name(a, it->stakeholder));
        const char *row[] = {text_or(it->label, it->name), mkba_item_kind_name(it->kind), who,
                             pv, und};
        tab_add(&t, row, 0);
        free(who);
    }
    char *title = mkba_xasprintf("Per item: change in the amount against the reference (%s)",
                                 text_or(a->currency, "?"));
    print_para(f, INDENT, INDENT, title);
    free(title);
    tab_print(f, &t);
    tab_free(&t);
}

/* Net flows per year (rows) and stakeholder (columns), then the totals. */
static void yearly_table(FILE *f, const mkba_appraisal *a, size_t s)
{
    size_t K = a->n_stakeholders, T = a->horizon;
    tcol *col = mkba_xcalloc(K + 2, sizeof *col);
    col[0] = (tcol){"Year", 0, 0};
    for (size_t k = 0; k <= K; k++)
        col[k + 1] = (tcol){holder_name(a, k), 1, 0};
    table t = {col, K + 2, 0, 0, NULL, NULL};
    const char **row = mkba_xcalloc(K + 2, sizeof *row);
    char (*v)[64] = mkba_xcalloc(K + 2, sizeof *v);
    const double *df = a->discount + mkba_ap_tidx(a, s, 0);
    /* rows 0..T-1: years; T: total undiscounted; T+1: present value */
    for (size_t r = 0; r < T + 2; r++) {
        if (r < T)
            snprintf(v[0], sizeof v[0], "%lld", (long long)a->first_year + (long long)r);
        else
            snprintf(v[0], sizeof v[0], "%s", r == T ? "Total" : "Present value");
        for (size_t k = 0; k <= K; k++) {
            const double *net = a->net_flow + (s * (K + 1) + k) * T;
            double x = 0;
            for (size_t y = 0; y < T; y++)
                if (r == y || r == T)
                    x += net[y];
                else if (r == T + 1)
                    x += net[y] * df[y];
            out_fmt_amount(v[k + 1], sizeof v[k + 1], x);
        }
        for (size_t c = 0; c < K + 2; c++)
            row[c] = v[c];
        tab_add(&t, row, r == T);
    }
    char *title = mkba_xasprintf("Net flows per year against the reference, undiscounted (%s)",
                                 text_or(a->currency, "?"));
    print_para(f, INDENT, INDENT, title);
    free(title);
    tab_print(f, &t);
    tab_free(&t);
    free(v);
    free(row);
    free(col);
}

static void print_scenario(FILE *f, const mkba_appraisal *a, size_t s, int detail)
{
    char *raw = mkba_xasprintf("%s vs %s", scen_label(a, s), scen_label(a, 0));
    char *title = mkba_escape_term_dup(raw); /* measured for the underline */
    free(raw);
    print_para(f, 0, INDENT, title);
    size_t tw = text_width(title, strlen(title));
    line l = {0};
    ln_pad(&l, tw < MAX_WIDTH ? tw : MAX_WIDTH, '=');
    ln_flush(&l, f);
    free(l.s);
    free(title);
    society_list(f, a, &a->balance[mkba_ap_bidx(a, s, a->n_stakeholders)]);
    fputc('\n', f);
    stakeholder_table(f, a, s);
    if (detail) {
        fputc('\n', f);
        item_table(f, a, s);
        fputc('\n', f);
        yearly_table(f, a, s);
    }
}

/* "Costs exceed benefits for society: NPV EUR -1,234,567 (B/C 0.42)." The
 * sign is that of the rounded NPV, so the sentence agrees with the amount. */
static void conclusion(FILE *f, const mkba_appraisal *a, size_t s)
{
    const mkba_balance *b = &a->balance[mkba_ap_bidx(a, s, a->n_stakeholders)];
    char npv[96], bcr[32];
    fmt_money(npv, sizeof npv, a->currency, b->npv);
    out_fmt_ratio(bcr, sizeof bcr, b->bcr);
    double r = round(b->npv);
    const char *verdict = !isfinite(r) ? "The balance for society is undefined"
                          : r > 0      ? "Benefits exceed costs for society"
                          : r < 0      ? "Costs exceed benefits for society"
                                       : "Benefits and costs for society are equal";
    char *head = mkba_xasprintf("%s vs %s:", scen_label(a, s), scen_label(a, 0));
    char *text = mkba_xasprintf("%s: NPV %s (B/C %s).", verdict, npv, bcr);
    print_para(f, INDENT, 2 * INDENT, head);
    print_para(f, 2 * INDENT, 2 * INDENT, text);
    free(text);
    free(head);
}

void mkba_out_print(FILE *f, const mkba_appraisal *a, const mkba_out_opts *o)
{
    int detail = o && o->detail;
    if (a->n_scenarios == 0)
        return; /* not an appraisal: even the reference is missing */
    print_header(f, a);
    if (a->n_effects) {
        fputc('\n', f);
        mkba_out_print_effects(f, a);
    }
    for (size_t s = 1; s < a->n_scenarios; s++) {
        fputc('\n', f);
        print_scenario(f, a, s, detail);
    }
    if (a->n_scenarios > 1) {
        fputs("\nConclusion\n", f);
        print_data_note(f, a, INDENT);
        for (size_t s = 1; s < a->n_scenarios; s++)
            conclusion(f, a, s);
    }
}

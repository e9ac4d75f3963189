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
 *   prices       only when the model has a [prices] index: {index (the file),
 *                 price_year, index_at_price_year, rebased: [{kind: "parameter"|
 *                 "item", name, price_year, factor, original, rebased}]}
 *                (original and rebased: a parameter's value in the reference, or
 *                the first scenario that has it, before and after rebasing; null
 *                for an item, whose every flow is rebased, and when withheld)
 *   BALANCE      {pv_benefits, pv_costs, npv, bcr, benefits_undiscounted,
 *                 costs_undiscounted, net_undiscounted}
 * Numbers are printed by cJSON (%1.15g, or %1.17g when needed to read
 * back the same double); NaN and infinity become null. */
#include "mkba/out.h"
#include "mkba/sens.h"
#include "out_internal.h"
#include "sink_term.h"

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
#include "mkba/fmt.h"
#include "mkba/fsutil.h"
#include "mkba/mem.h"
#include "mkba/sink_csv.h"
#include "mkba/tables.h"

#define MAX_WIDTH TERM_MAX_WIDTH
#define INDENT TERM_INDENT

/* ================================ names ================================= */

static const char *role_name(size_t s)
{
    return s == 0 ? "reference" : "project";
}

/* Sum over the years of item i's incremental flow in scenario s. */
double out_item_undiscounted(const mkba_appraisal *a, size_t s, size_t i)
{
    double sum = 0;
    for (size_t t = 0; t < a->horizon; t++)
        sum += a->delta[mkba_ap_fidx(a, s, i, t)];
    return sum;
}

/* ========================== disclosure control ========================== */

/* x, or NaN (an empty CSV field, null in JSON) when 'bit' is withheld. */
static double shown(double x, unsigned mask, unsigned bit)
{
    return mask & bit ? NAN : x;
}

/* ============================ file names ============================== */

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
    for (size_t i = 0; i < mkba_tables_count(); i++) { /* every table a run may write */
        const char *stem = mkba_tables_name(i);
        size_t n = strlen(stem);
        if (strncmp(rel, stem, n) == 0 &&
            (strcmp(rel + n, ".csv") == 0 || strcmp(rel + n, "_nl.csv") == 0))
            return 1;
    }
    return 0;
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
    if (a->price_index)
        mkba_pub_input(pub, a->price_index, "the price index file");
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
    jstr_or_null(j, m, "data_note_nl", a->data_note_nl);
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
        jnum(j, o, "estimate", shown(x->e.estimate, mask, MKBA_HIDE_ESTIMATE));
        jnum(j, o, "se", shown(x->e.se, mask, MKBA_HIDE_ESTIMATE));
        jnum(j, o, "ci_lo", shown(x->e.ci_lo, mask, MKBA_HIDE_CI_LO));
        jnum(j, o, "ci_hi", shown(x->e.ci_hi, mask, MKBA_HIDE_CI_HI));
        jnum(j, o, "df", shown(x->e.df, mask, MKBA_HIDE_DF));
        jnum(j, o, "mean_pilot", shown(x->e.mean_pilot, mask, MKBA_HIDE_MEAN_PILOT));
        jnum(j, o, "mean_control", shown(x->e.mean_control, mask, MKBA_HIDE_MEAN_CONTROL));
        size_t n[5];
        mkba_ap_effect_counts(a, i, n);
        for (int k = 0; k < 5; k++)
            jnum(j, o, mkba_disclose_field_name((unsigned)MKBA_HIDE_N_PILOT << k),
                 shown((double)n[k], mask, (unsigned)MKBA_HIDE_N_PILOT << k));
        jadd(j, o, "suppressed", cJSON_CreateBool(mask != 0));
        cJSON *names = jarr(j, o, "suppressed_fields");
        if (mask & MKBA_HIDE_ESTIMATE) {
            jstr(j, names, NULL, "estimate");
            jstr(j, names, NULL, "se");
        }
        for (int k = 0; k < MKBA_HIDE_FIELDS; k++)
            if (mask & (1u << k))
                jstr(j, names, NULL, mkba_disclose_field_name(1u << k));
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
    jnum(j, o, "suppressed_cells", (double)mkba_disclose_cells(a));
}

/* One rebased amount of the "prices" object; p NULL for an item. */
static void json_rebased(jctx *j, cJSON *arr, const mkba_appraisal *a, const char *kind,
                         const char *name, int year, double factor, const mkba_ap_param *p)
{
    cJSON *o = jobj(j, arr, NULL);
    jstr(j, o, "kind", kind);
    jstr(j, o, "name", name);
    jnum(j, o, "price_year", year);
    jnum(j, o, "factor", factor);
    size_t s = 0;
    while (p && s < a->n_scenarios && isnan(p->base[s]))
        s++;
    int shown = p && s < a->n_scenarios && !mkba_ap_param_withheld(p, s);
    jnum(j, o, "original", shown ? mkba_ap_param_original(p, s) : NAN);
    jnum(j, o, "rebased", shown ? p->base[s] : NAN);
}

/* [prices]: the index and every amount rebased with it (left out when the
 * model has no index, so that other models' results.json stay as they were). */
static void json_prices(jctx *j, cJSON *root, const mkba_appraisal *a)
{
    if (!a->price_index)
        return;
    cJSON *o = jobj(j, root, "prices");
    jstr(j, o, "index", a->price_index);
    jnum(j, o, "price_year", a->price_year);
    jnum(j, o, "index_at_price_year", a->price_index_at);
    cJSON *arr = jarr(j, o, "rebased");
    for (size_t i = 0; arr && i < a->n_params; i++)
        if (a->params[i].price_year)
            json_rebased(j, arr, a, "parameter", a->params[i].name, a->params[i].price_year,
                         a->params[i].price_factor, &a->params[i]);
    for (size_t i = 0; arr && i < a->n_items; i++)
        if (a->items[i].price_year)
            json_rebased(j, arr, a, "item", a->items[i].name, a->items[i].price_year,
                         a->items[i].price_factor, NULL);
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
        jstr(j, o, "stakeholder", mkba_fmt_holder_key(a, it->stakeholder));
        if (it->kind == MKBA_ITEM_TRANSFER)
            jstr(j, o, "loser", mkba_fmt_holder_key(a, it->loser));
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
            jnum(j, o, "undiscounted", out_item_undiscounted(a, s, i));
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
    json_prices(&j, root, a);
    json_results(&j, root, a);
    if (a->mc && !mkba_out_mc_json(root, a))
        j.oom = 1;
    if (a->sens && !mkba_out_sens_json(root, a))
        j.oom = 1;
    if (a->subgroups && !mkba_out_sub_json(root, a))
        j.oom = 1;
    if (!mkba_out_fin_json(root, a)) /* into results and monte_carlo, made above */
        j.oom = 1;
    if (!out_decision_json(root, a))
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

/* Table 't' as dir/NAME.csv and dir/NAME_nl.csv (sink_csv.h), outputs of
 * the publication 'pub'. */
static mkba_status write_pair(mkba_pub *pub, const char *dir, const mkba_table *t,
                              mkba_error *err)
{
    for (int dutch = 0; dutch <= 1; dutch++) {
        FILE *fp = open_member(pub, dir, mkba_table_name(t), dutch ? "_nl.csv" : ".csv", err);
        if (!fp)
            return err->code ? err->code : MKBA_EIO;
        mkba_sink_csv(fp, t, dutch ? MKBA_SINK_CSV_NL : MKBA_SINK_CSV_EN);
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
    for (size_t i = 0; i < mkba_tables_count() && !st; i++)
        for (int dutch = 0; dutch <= 1 && !st; dutch++) {
            char *p = join_path(dir, mkba_tables_name(i), dutch ? "_nl.csv" : ".csv");
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
    for (size_t i = 0; i < mkba_tables_count() && !st; i++) {
        mkba_table *t = mkba_tables_build(a, i); /* NULL: not in this run */
        if (t)
            st = write_pair(pub, dir, t, err);
        mkba_table_free(t);
    }
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
    mkba_table *t = mkba_tables_build_named(a, "effects");
    mkba_sink_csv(fp, t, dutch ? MKBA_SINK_CSV_NL : MKBA_SINK_CSV_EN);
    mkba_table_free(t);
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

/* "EUR 1,234": the currency as the terminal shows it (escaped). */
static void fmt_money(char *buf, size_t size, const char *currency, double x, int nl)
{
    char amount[64];
    mkba_fmt_term_amount(amount, sizeof amount, x, nl);
    mkba_escape_term(buf, size, currency);
    size_t used = strlen(buf);
    snprintf(buf + used, size - used, " %s", amount);
}

/* ============================ report sections =========================== */

/* The rates of scenario s in words: "3%", or "3% to 2.5% (by year)". */
static void rate_text(char *buf, size_t size, const mkba_appraisal *a, size_t s, int nl)
{
    if (a->horizon == 0) {
        snprintf(buf, size, "%s", mkba_fmt_na(nl));
        return;
    }
    const double *r = a->rate + mkba_ap_tidx(a, s, 0);
    char first[32], last[32];
    mkba_fmt_term_rate(first, sizeof first, r[0], nl);
    mkba_fmt_term_rate(last, sizeof last, r[a->horizon - 1], nl);
    int constant = 1;
    for (size_t t = 1; t < a->horizon; t++)
        constant &= r[t] == r[0];
    if (constant)
        snprintf(buf, size, "%s", first);
    else
        snprintf(buf, size, TR("%s to %s (by year)"), first, last);
}

static const char *timing_text(const char *timing, int nl)
{
    if (!timing)
        return "";
    if (strcmp(timing, "start") == 0)
        return TR(", discounting at the start of each year");
    if (strcmp(timing, "mid") == 0)
        return TR(", discounting in the middle of each year");
    if (strcmp(timing, "end") == 0)
        return TR(", discounting at the end of each year");
    return "";
}

/* "Discount rate 3%" when every project scenario uses the same rates, else
 * "Discount rates 3% (label), 2.25% (label)". Caller frees. */
static char *rates_text(const mkba_appraisal *a, int nl)
{
    size_t from = a->n_scenarios > 1 ? 1 : 0;
    char r0[96], r[96];
    rate_text(r0, sizeof r0, a, from, nl);
    int same = 1;
    for (size_t s = from + 1; s < a->n_scenarios; s++) {
        rate_text(r, sizeof r, a, s, nl);
        same &= strcmp(r, r0) == 0;
    }
    if (same)
        return mkba_xasprintf(TR("Discount rate %s"), r0);
    char *text = mkba_xstrdup(TR("Discount rates"));
    for (size_t s = from; s < a->n_scenarios; s++) {
        rate_text(r, sizeof r, a, s, nl);
        char *next = mkba_xasprintf("%s%s %s (%s)", text, s > from ? "," : "", r, mkba_fmt_scen_label(a, s, nl));
        free(text);
        text = next;
    }
    return text;
}

/* The model's note on its data ([model] data_note), where the reader
 * looks: under the title and under the conclusion's heading. */
static void print_data_note(FILE *f, const mkba_appraisal *a, size_t indent, int nl)
{
    const char *note = mkba_fmt_data_note(a, nl);
    if (!note)
        return;
    char *text = mkba_xasprintf(TR("About the data: %s"), note);
    term_para(f, indent, indent + INDENT, text);
    free(text);
}

static void print_header(FILE *f, const mkba_appraisal *a, int nl)
{
    char *title = mkba_xasprintf("MKBA: %s", mkba_fmt_label_or(mkba_fmt_model_name(a, nl),
                                                                TR("(unnamed model)")));
    term_para(f, 0, INDENT, title);
    free(title);
    char *years = a->horizon > 1
                      ? mkba_xasprintf(TR("%zu years (%d-%lld)"), a->horizon, a->first_year,
                                       (long long)a->first_year + (long long)a->horizon - 1)
                      : mkba_xasprintf(TR("%zu year (%d)"), a->horizon, a->first_year);
    char *text = mkba_xasprintf(TR("Amounts in %s at %d prices; horizon %s."),
                                mkba_fmt_label_or(a->currency, "?"), a->price_year, years);
    term_para(f, INDENT, INDENT, text);
    free(text);
    char *rates = rates_text(a, nl);
    text = mkba_xasprintf("%s%s.", rates, timing_text(a->discount_timing, nl));
    term_para(f, INDENT, INDENT, text);
    free(text);
    free(rates);
    free(years);
    print_data_note(f, a, INDENT, nl);
}

/* What the effects table held, for the lines under it. */
typedef struct effects_seen {
    int given;          /* a "given" effect */
    int weighted;       /* an ipw or dr effect */
    int x_shown;        /* a count shown as "x" */
    int missing_hidden; /* a withheld n_missing */
    int group_sizes;    /* group sizes shown as "N*" */
    int hidden;         /* any withheld value */
    int effect_hidden;  /* an effect's estimate and SE withheld */
    size_t missing;     /* n_missing over all effects */
} effects_seen;

/* The lines under the effects table about missing values and withheld
 * counts. */
static void effects_notes(FILE *f, const mkba_appraisal *a, const effects_seen *seen, int nl)
{
    if (seen->given)
        term_para(f, INDENT, INDENT,
                   TR("given: taken from the model (estimate and SE), not estimated from the "
                      "cohort."));
    if (seen->weighted) {
        const char *who = a->ps && a->ps->estimand == MKBA_ESTIMAND_ATE
                              ? TR("everyone in the cohort (ATE)")
                              : TR("the pilot's participants (ATT)");
        char *text = mkba_xasprintf(TR("ipw, dr: weighted by the propensity model, the effect on "
                                       "%s; SE by the M-estimation sandwich, which counts the "
                                       "uncertainty of the estimated propensities; 95%% CI "
                                       "normal."),
                                    who);
        term_para(f, INDENT, INDENT, text);
        free(text);
    }
    if (seen->missing_hidden) {
        term_para(f, INDENT, INDENT,
                   TR("Persons left out of an effect for a missing value: not shown (disclosure "
                      "control)."));
    } else if (seen->missing) {
        char *text = mkba_xasprintf(TR("Persons left out of an effect for a missing value: %zu "
                                       "in all effects together."),
                                    seen->missing);
        term_para(f, INDENT, INDENT, text);
        free(text);
    }
    if (seen->group_sizes) {
        char *text = mkba_xasprintf(TR("*: the size of the group in the cohort; fewer than %zu "
                                       "of its persons lack a value and are left out of the "
                                       "effect, their number withheld."),
                                    a->min_group);
        term_para(f, INDENT, INDENT, text);
        free(text);
    }
    if (seen->hidden) {
        char *text = mkba_xasprintf(TR("Counts of fewer than %zu persons are suppressed "
                                       "(disclosure control; [privacy] min_group).%s"),
                                    a->min_group,
                                    seen->x_shown ? TR(" x: withheld too, so that a suppressed "
                                                       "count cannot be worked out from it.")
                                                  : "");
        term_para(f, INDENT, INDENT, text);
        free(text);
    }
    if (seen->effect_hidden) {
        char *text = mkba_xasprintf(TR("An effect with fewer than %zu persons with a value in a "
                                       "group is withheld (x: its estimate, SE and CI), as the "
                                       "effect of so few persons comes near their own values."),
                                    a->min_group);
        term_para(f, INDENT, INDENT, text);
        free(text);
    }
}

static void effects_table(FILE *f, const mkba_appraisal *a, int nl)
{
    const term_col col[] = {{TR("Effect"), 0, 1},   {TR("Method"), 0, 0}, {TR("Estimate"), 1, 0},
                            {TR("95% CI"), 0, 0},   {TR("SE"), 1, 0},     {TR("n pilot"), 1, 0},
                            {TR("n control"), 1, 0}};
    term_table t = {col, sizeof col / sizeof col[0], 0, 0, NULL, NULL};
    effects_seen seen = {0};
    for (size_t i = 0; i < a->n_effects; i++) {
        const mkba_ap_effect *x = &a->effects[i];
        const mkba_effect *e = &x->e;
        unsigned mask = mkba_ap_effect_hidden(a, i);
        char est[32], lo[32], hi[32], ci[80], se[32], np[32], nc[32];
        mkba_fmt_term_sig(est, sizeof est, e->estimate, nl);
        mkba_fmt_term_sig(lo, sizeof lo, e->ci_lo, nl);
        mkba_fmt_term_sig(hi, sizeof hi, e->ci_hi, nl);
        snprintf(ci, sizeof ci, TR("[%s, %s]"), lo, hi);
        if (mask & MKBA_HIDE_CI) {
            snprintf(ci, sizeof ci, "x");
            seen.x_shown = 1;
        }
        mkba_fmt_term_sig(se, sizeof se, e->se, nl);
        if (mask & MKBA_HIDE_ESTIMATE) {
            snprintf(est, sizeof est, "x");
            snprintf(se, sizeof se, "x");
            seen.effect_hidden = 1;
        }
        int counted = e->method != MKBA_EST_GIVEN;
        size_t n[5];
        mkba_ap_effect_counts(a, i, n);
        int groups = (mask & MKBA_HIDE_GROUP_SIZES) != 0;
        seen.x_shown |=
            mkba_disclose_count(np, sizeof np, a, n[0], (mask & MKBA_HIDE_N_PILOT) != 0, groups);
        seen.x_shown |=
            mkba_disclose_count(nc, sizeof nc, a, n[1], (mask & MKBA_HIDE_N_CONTROL) != 0, groups);
        const char *row[] = {mkba_fmt_effect_label(x, nl), mkba_est_method_name(e->method),
                             est, ci, se, counted ? np : "-", counted ? nc : "-"};
        term_tab_add(&t, row, 0);
        seen.given |= !counted;
        seen.weighted |= e->method == MKBA_EST_IPW || e->method == MKBA_EST_DR;
        seen.missing += e->n_missing;
        seen.missing_hidden |= (mask & MKBA_HIDE_N_MISSING) != 0;
        seen.hidden |= mask != 0;
        seen.group_sizes |= groups;
    }
    term_tab_print(f, &t);
    term_tab_free(&t);
    effects_notes(f, a, &seen, nl);
}

void mkba_out_print_effects(FILE *f, const mkba_appraisal *a, int nl)
{
    fputs(TR("Effects of the pilot (pilot minus regular practice)\n"), f);
    if (a->n_effects == 0)
        term_para(f, INDENT, INDENT, TR("The model has no effects."));
    else
        effects_table(f, a, nl);
    mkba_out_print_subgroups(f, a, nl);
    mkba_out_print_ps(f, a, nl);
}

/* Society's balance as a short list of labelled amounts. */
static void society_list(FILE *f, const mkba_appraisal *a, const mkba_balance *b, int nl)
{
    char v[5][96];
    fmt_money(v[0], sizeof v[0], a->currency, b->pv_benefits, nl);
    fmt_money(v[1], sizeof v[1], a->currency, b->pv_costs, nl);
    fmt_money(v[2], sizeof v[2], a->currency, b->npv, nl);
    mkba_fmt_term_ratio(v[3], sizeof v[3], b->bcr, nl);
    fmt_money(v[4], sizeof v[4], a->currency, b->net, nl);
    if (isnan(b->bcr)) /* why not (appraisal.h, mkba_bcr) */
        mkba_fmt_join(v[3], sizeof v[3], mkba_fmt_na(nl), " (",
                      mkba_fmt_bcr_reason(mkba_bcr_why_of(b->pv_benefits, b->pv_costs), nl), ")",
                      NULL);
    const char *const name[] = {TR("PV benefits"), TR("PV costs"), TR("NPV (saldo)"),
                                TR("B/C ratio"), TR("Net, undiscounted")};
    size_t vw = 0;
    for (size_t i = 0; i < 5; i++)
        if (term_width(v[i], strlen(v[i])) > vw)
            vw = term_width(v[i], strlen(v[i]));
    term_line l = {0};
    fprintf(f, "  %s\n", mkba_fmt_holder_label(a, a->n_stakeholders, nl));
    for (size_t i = 0; i < 5; i++) {
        term_ln_pad(&l, 2 * INDENT, ' ');
        term_ln_cell(&l, name[i], strlen(name[i]), 20, 0);
        term_ln_cell(&l, v[i], strlen(v[i]), vw, 1);
        term_ln_flush(&l, f);
    }
    free(l.s);
}

static void stakeholder_table(FILE *f, const mkba_appraisal *a, size_t s, int nl)
{
    const term_col col[] = {{TR("Stakeholder"), 0, 1}, {TR("PV benefits"), 1, 0},
                            {TR("PV costs"), 1, 0},    {TR("NPV (saldo)"), 1, 0},
                            {TR("B/C"), 1, 0},         {TR("Net (undiscounted)"), 1, 0}};
    term_table t = {col, sizeof col / sizeof col[0], 0, 0, NULL, NULL};
    int bcr_na = 0;
    for (size_t k = 0; k <= a->n_stakeholders; k++) {
        const mkba_balance *b = &a->balance[mkba_ap_bidx(a, s, k)];
        bcr_na |= isnan(b->bcr);
        char v[5][64];
        mkba_fmt_term_amount(v[0], sizeof v[0], b->pv_benefits, nl);
        mkba_fmt_term_amount(v[1], sizeof v[1], b->pv_costs, nl);
        mkba_fmt_term_amount(v[2], sizeof v[2], b->npv, nl);
        mkba_fmt_term_ratio(v[3], sizeof v[3], b->bcr, nl);
        mkba_fmt_term_amount(v[4], sizeof v[4], b->net, nl);
        const char *row[] = {mkba_fmt_holder_label(a, k, nl), v[0], v[1], v[2], v[3], v[4]};
        term_tab_add(&t, row, k == a->n_stakeholders);
    }
    char *title = mkba_xasprintf(TR("Per stakeholder (%s)"), mkba_fmt_label_or(a->currency, "?"));
    term_para(f, INDENT, INDENT, title);
    free(title);
    term_tab_print(f, &t);
    term_tab_free(&t);
    if (bcr_na)
        term_para(f, INDENT, INDENT, mkba_fmt_bcr_note(nl));
    for (size_t i = 0; i < a->n_items; i++) {
        if (a->items[i].kind == MKBA_ITEM_TRANSFER) {
            term_para(f, INDENT, INDENT, mkba_fmt_transfer_note(nl));
            break;
        }
    }
}

static void item_table(FILE *f, const mkba_appraisal *a, size_t s, int nl)
{
    const term_col col[] = {{TR("Item"), 0, 1}, {TR("Kind"), 0, 0}, {TR("Stakeholder"), 0, 1},
                            {TR("PV"), 1, 0},   {TR("Undiscounted"), 1, 0}};
    term_table t = {col, sizeof col / sizeof col[0], 0, 0, NULL, NULL};
    for (size_t i = 0; i < a->n_items; i++) {
        const mkba_ap_item *it = &a->items[i];
        char pv[64], und[64];
        mkba_fmt_term_amount(pv, sizeof pv, a->item_pv[s * a->n_items + i], nl);
        mkba_fmt_term_amount(und, sizeof und, out_item_undiscounted(a, s, i), nl);
        char *who = it->kind == MKBA_ITEM_TRANSFER
                        ? mkba_xasprintf(TR("%s to %s"), mkba_fmt_holder_key(a, it->loser),
                                         mkba_fmt_holder_key(a, it->stakeholder))
                        : mkba_xstrdup(mkba_fmt_holder_key(a, it->stakeholder));
        const char *row[] = {mkba_fmt_item_label(a, i, nl), mkba_fmt_kind(it->kind, nl), who,
                             pv, und};
        term_tab_add(&t, row, 0);
        free(who);
    }
    char *title = mkba_xasprintf(TR("Per item: change in the amount against the reference (%s)"),
                                 mkba_fmt_label_or(a->currency, "?"));
    term_para(f, INDENT, INDENT, title);
    free(title);
    term_tab_print(f, &t);
    term_tab_free(&t);
}

/* Net flows per year (rows) and stakeholder (columns), then the totals. */
static void yearly_table(FILE *f, const mkba_appraisal *a, size_t s, int nl)
{
    size_t K = a->n_stakeholders, T = a->horizon;
    term_col *col = mkba_xcalloc(K + 2, sizeof *col);
    col[0] = (term_col){TR("Year"), 0, 0};
    for (size_t k = 0; k <= K; k++)
        col[k + 1] = (term_col){mkba_fmt_holder_key(a, k), 1, 0};
    term_table t = {col, K + 2, 0, 0, NULL, NULL};
    const char **row = mkba_xcalloc(K + 2, sizeof *row);
    char (*v)[64] = mkba_xcalloc(K + 2, sizeof *v);
    const double *df = a->discount + mkba_ap_tidx(a, s, 0);
    /* rows 0..T-1: years; T: total undiscounted; T+1: present value */
    for (size_t r = 0; r < T + 2; r++) {
        if (r < T)
            snprintf(v[0], sizeof v[0], "%lld", (long long)a->first_year + (long long)r);
        else
            snprintf(v[0], sizeof v[0], "%s", r == T ? TR("Total") : TR("Present value"));
        for (size_t k = 0; k <= K; k++) {
            const double *net = a->net_flow + (s * (K + 1) + k) * T;
            double x = 0;
            for (size_t y = 0; y < T; y++)
                if (r == y || r == T)
                    x += net[y];
                else if (r == T + 1)
                    x += net[y] * df[y];
            mkba_fmt_term_amount(v[k + 1], sizeof v[k + 1], x, nl);
        }
        for (size_t c = 0; c < K + 2; c++)
            row[c] = v[c];
        term_tab_add(&t, row, r == T);
    }
    char *title = mkba_xasprintf(TR("Net flows per year against the reference, undiscounted (%s)"),
                                 mkba_fmt_label_or(a->currency, "?"));
    term_para(f, INDENT, INDENT, title);
    free(title);
    term_tab_print(f, &t);
    term_tab_free(&t);
    free(v);
    free(row);
    free(col);
}

static void print_scenario(FILE *f, const mkba_appraisal *a, size_t s, int detail, int nl)
{
    char *raw = mkba_xasprintf(TR("%s vs %s"), mkba_fmt_scen_label(a, s, nl), mkba_fmt_scen_label(a, 0, nl));
    char *title = mkba_escape_term_dup(raw); /* measured for the underline */
    free(raw);
    term_para(f, 0, INDENT, title);
    size_t tw = term_width(title, strlen(title));
    term_line l = {0};
    term_ln_pad(&l, tw < MAX_WIDTH ? tw : MAX_WIDTH, '=');
    term_ln_flush(&l, f);
    free(l.s);
    free(title);
    society_list(f, a, &a->balance[mkba_ap_bidx(a, s, a->n_stakeholders)], nl);
    fputc('\n', f);
    stakeholder_table(f, a, s, nl);
    if (detail) {
        fputc('\n', f);
        item_table(f, a, s, nl);
        fputc('\n', f);
        yearly_table(f, a, s, nl);
    }
}

/* "Costs exceed benefits for society: NPV EUR -1,234,567 (B/C 0.42)." The
 * sign is that of the rounded NPV, so the sentence agrees with the amount. */
static void conclusion(FILE *f, const mkba_appraisal *a, size_t s, int nl)
{
    const mkba_balance *b = &a->balance[mkba_ap_bidx(a, s, a->n_stakeholders)];
    char npv[96], bcr[96];
    fmt_money(npv, sizeof npv, a->currency, b->npv, nl);
    mkba_fmt_term_ratio(bcr, sizeof bcr, b->bcr, nl);
    if (isnan(b->bcr)) /* why not (appraisal.h, mkba_bcr) */
        mkba_fmt_join(bcr, sizeof bcr, mkba_fmt_na(nl), ": ",
                      mkba_fmt_bcr_reason(mkba_bcr_why_of(b->pv_benefits, b->pv_costs), nl), NULL);
    double r = round(b->npv);
    const char *verdict = !isfinite(r) ? TR("The balance for society is undefined")
                          : r > 0      ? TR("Benefits exceed costs for society")
                          : r < 0      ? TR("Costs exceed benefits for society")
                                       : TR("Benefits and costs for society are equal");
    char *head = mkba_xasprintf(TR("%s vs %s:"), mkba_fmt_scen_label(a, s, nl), mkba_fmt_scen_label(a, 0, nl));
    char *text = mkba_xasprintf(TR("%s: NPV %s (B/C %s)."), verdict, npv, bcr);
    term_para(f, INDENT, 2 * INDENT, head);
    term_para(f, 2 * INDENT, 2 * INDENT, text);
    char *fin = mkba_out_fin_sentence(a, s, nl); /* payback and IRR: out_fin.c */
    if (fin)
        term_para(f, 2 * INDENT, 2 * INDENT, fin);
    free(fin);
    free(text);
    free(head);
}

void mkba_out_print(FILE *f, const mkba_appraisal *a, const mkba_out_opts *o)
{
    int detail = o && o->detail, nl = o && o->lang_nl;
    if (a->n_scenarios == 0)
        return; /* not an appraisal: even the reference is missing */
    print_header(f, a, nl);
    if (a->n_effects) {
        fputc('\n', f);
        mkba_out_print_effects(f, a, nl);
    }
    for (size_t s = 1; s < a->n_scenarios; s++) {
        fputc('\n', f);
        print_scenario(f, a, s, detail, nl);
    }
    if (a->n_scenarios > 1) {
        fprintf(f, "\n%s\n", TR("Conclusion"));
        print_data_note(f, a, INDENT, nl);
        out_print_decision(f, a, nl); /* the decision first: out_decision.c */
        for (size_t s = 1; s < a->n_scenarios; s++)
            conclusion(f, a, s, nl);
    }
}

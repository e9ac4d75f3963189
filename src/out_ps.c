/* out_ps.c - the propensity model's outputs: its block in the terminal
 * report (after the effects), balance.csv, propensity.csv and overlap.csv
 * (and their Dutch _nl variants), and the "propensity" object of
 * results.json. Everything shown passes the disclosure rule of
 * appraisal.h (mkba_ap_ps_*): one rule for every output. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/mem.h"
#include "mkba/fmt.h"
#include "mkba/out.h"
#include "out_internal.h"

#define NAME_MAX_COLS 40 /* terminal: the widest term column */

const char *const OUT_PS_GROUP_NAME[2] = {"control", "pilot"}; /* by group code */

/* Why a value is withheld, as the tables and results.json name it. */
const char *out_ps_reason_key(const mkba_appraisal *a, size_t j)
{
    if (mkba_ap_ps_withheld(a))
        return "small_group";
    return mkba_ap_ps_column_withheld(a, j) ? "rare_value" : "";
}

const char *out_ps_coef_reason_key(const mkba_appraisal *a, size_t j)
{
    const char *k = out_ps_reason_key(a, j);
    if (*k || !mkba_ap_ps_fit_withheld(a))
        return k;
    return mkba_ap_ps_counts_withheld(a) ? "small_count" : "rare_value_in_model";
}

/* ============================== terminal ================================ */

/* Columns taken by UTF-8 text (one per character). */
static size_t cols(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

/* 's' padded to 'width' columns (left or right aligned). */
static void put_cell(FILE *f, const char *s, size_t width, int right)
{
    size_t w = cols(s), pad = w < width ? width - w : 0;
    if (right)
        fprintf(f, "%*s", (int)pad, "");
    fputs(s, f);
    if (!right)
        fprintf(f, "%*s", (int)pad, "");
}

/* An SMD to 3 decimals ("n/a" when not finite, never "-0.000"). */
static void fmt_smd(char *buf, size_t size, double x, int nl)
{
    if (!isfinite(x))
        snprintf(buf, size, "%s", mkba_fmt_na(nl));
    else
        snprintf(buf, size, "%.3f", fabs(x) < 0.0005 ? 0.0 : x);
    for (char *p = buf; *p; p++)
        if (*p == ',' || *p == '.')
            *p = nl ? ',' : '.';
}

static const char *estimand_text(mkba_estimand e, int nl)
{
    return e == MKBA_ESTIMAND_ATE ? TR("ATE: the effect on everyone in the cohort")
                                  : TR("ATT: the effect on the pilot's participants");
}

/* Persons, left out, effective sample sizes and iterations. */
static void print_counts(FILE *f, const mkba_appraisal *a, int nl)
{
    const mkba_ps_diag *d = a->ps;
    int h = mkba_ap_ps_counts_withheld(a), e = mkba_ap_ps_fit_withheld(a); /* e: h too */
    char np[32], nc[32], miss[32], tp[32], tc[32], ep[32], ec[32];
    mkba_disclose_count(np, sizeof np, a, d->n[1], h && d->n[1] > 0, 0);
    mkba_disclose_count(nc, sizeof nc, a, d->n[0], h && d->n[0] > 0, 0);
    mkba_disclose_count(miss, sizeof miss, a, d->n_missing, h && d->n_missing > 0, 0);
    mkba_disclose_count(tp, sizeof tp, a, d->n_trimmed[1], h && d->n_trimmed[1] > 0, 0);
    mkba_disclose_count(tc, sizeof tc, a, d->n_trimmed[0], h && d->n_trimmed[0] > 0, 0);
    snprintf(ep, sizeof ep, e ? "x" : isfinite(d->ess[1]) ? "%.1f" : "n/a", d->ess[1]);
    snprintf(ec, sizeof ec, e ? "x" : isfinite(d->ess[0]) ? "%.1f" : "n/a", d->ess[0]);
    for (char *p = ep; *p; p++)
        *p = *p == ',' || *p == '.' ? (nl ? ',' : '.') : *p;
    for (char *p = ec; *p; p++)
        *p = *p == ',' || *p == '.' ? (nl ? ',' : '.') : *p;
    if (strcmp(ep, "n/a") == 0)
        snprintf(ep, sizeof ep, "%s", mkba_fmt_na(nl));
    if (strcmp(ec, "n/a") == 0)
        snprintf(ec, sizeof ec, "%s", mkba_fmt_na(nl));
    fprintf(f, TR("  Persons used: %s pilot, %s control.\n"), np, nc);
    if (d->n_trimmed[0] || d->n_trimmed[1])
        fprintf(f, TR("  Left out: %s for a missing covariate; by trimming %s pilot, %s control.\n"),
                miss, tp, tc);
    else
        fprintf(f, TR("  Left out for a missing covariate: %s.\n"), miss);
    fprintf(f, TR("  Effective sample size after weighting: %s pilot, %s control; %d IRLS "
               "iterations.\n"),
            ep, ec, d->iterations);
    if (h)
        fprintf(f, TR("  Counts of fewer than %zu persons are suppressed (disclosure control; "
                   "[privacy] min_group).\n  x: withheld too, so that a suppressed count cannot "
                   "be worked out from it.\n"),
                a->min_group);
}

/* The balance table and its verdict. */
static void print_balance(FILE *f, const mkba_appraisal *a, out_term *T, int nl)
{
    const mkba_ps_diag *d = a->ps;
    size_t wn = cols(TR("Covariate"));
    for (size_t j = 1; j < d->n_coef; j++) {
        size_t w = cols(out_term_text(T, d->name[j]));
        wn = w > wn ? w : wn;
    }
    wn = wn > NAME_MAX_COLS ? NAME_MAX_COLS : wn;
    fputs("  ", f);
    put_cell(f, TR("Covariate"), wn, 0);
    fputs(TR("  SMD before  SMD after\n  "), f);
    for (size_t i = 0; i < wn + 23; i++)
        fputc('-', f);
    fputc('\n', f);
    size_t n_bad = 0, n_hidden = 0;
    for (size_t j = 1; j < d->n_coef; j++) {
        char before[32], after[32];
        int hidden = mkba_ap_ps_column_withheld(a, j), bad = mkba_ap_ps_imbalanced(a, j);
        fmt_smd(before, sizeof before, d->smd_before[j], nl);
        fmt_smd(after, sizeof after, d->smd_after[j], nl);
        fputs("  ", f);
        put_cell(f, out_term_text(T, d->name[j]), wn, 0);
        fputs("  ", f);
        put_cell(f, hidden ? "x" : before, 10, 1);
        fputs("  ", f);
        put_cell(f, hidden ? "x" : after, 9, 1);
        fputs(bad ? TR("  imbalanced\n") : "\n", f);
        n_bad += (size_t)bad;
        n_hidden += (size_t)hidden;
    }
    if (n_bad == 0) {
        fprintf(f, TR("  All %scovariates balanced after weighting (|SMD| < %g).\n"),
                n_hidden ? TR("shown ") : "", MKBA_PS_SMD_LIMIT);
    } else {
        fprintf(f, TR("  %zu covariate%s imbalanced after weighting (|SMD| > %g):"), n_bad,
                n_bad == 1 ? TR(" remains") : TR("s remain"), MKBA_PS_SMD_LIMIT);
        for (size_t j = 1, k = 0; j < d->n_coef; j++)
            if (mkba_ap_ps_imbalanced(a, j))
                fprintf(f, "%s %s", k++ ? "," : "", out_term_text(T, d->name[j]));
        fputs(".\n", f);
    }
    if (n_hidden)
        fprintf(f, TR("  x: withheld (disclosure control): a 0/1 column with fewer than %zu persons "
                   "on one side,\n     and the effective sample sizes, which would give its "
                   "count back.\n"),
                a->min_group);
}

void mkba_out_print_ps(FILE *f, const mkba_appraisal *a, int nl)
{
    const mkba_ps_diag *d = a->ps;
    if (!d)
        return;
    fprintf(f, TR("\nPropensity model (%s)\n"), estimand_text(d->estimand, nl));
    if (mkba_ap_ps_withheld(a)) {
        fprintf(f, TR("  Withheld (disclosure control): a group of the fitted sample has fewer "
                   "than %zu persons.\n"),
                a->min_group);
        return;
    }
    out_term T = {0};
    print_counts(f, a, nl);
    print_balance(f, a, &T, nl);
    out_term_free(&T);
}

/* ================================= CSV ================================== */

/* x, or NaN (an empty field, null in JSON) when column j is withheld. */
double out_ps_col_value(const mkba_appraisal *a, const double *x, size_t j)
{
    return !x || mkba_ap_ps_column_withheld(a, j) ? NAN : x[j];
}

double out_ps_coef_value(const mkba_appraisal *a, const double *x, size_t j)
{
    return !x || mkba_ap_ps_coef_withheld(a, j) ? NAN : x[j];
}


/* ================================= JSON ================================= */

/* Adds while remembering a failed allocation (checked once at the end). */
typedef struct jps {
    int oom;
} jps;

static cJSON *add(jps *j, cJSON *parent, const char *key, cJSON *item)
{
    int ok = item && parent &&
             (key ? cJSON_AddItemToObject(parent, key, item) : cJSON_AddItemToArray(parent, item));
    if (!ok) {
        cJSON_Delete(item);
        j->oom = 1;
        return NULL;
    }
    return item;
}

static void num(jps *j, cJSON *o, const char *key, double x)
{
    add(j, o, key, isfinite(x) ? cJSON_CreateNumber(x) : cJSON_CreateNull());
}

/* A count, null when withheld. */
static void count(jps *j, cJSON *o, const char *key, size_t n, int hidden)
{
    num(j, o, key, hidden && n > 0 ? NAN : (double)n);
}

/* {"pilot": x[1], "control": x[0]}, null where withheld ('hidden'; a
 * zero is shown, as it discloses no one). */
static void per_group(jps *j, cJSON *o, const char *key, const double x[2], int hidden)
{
    cJSON *g = add(j, o, key, cJSON_CreateObject());
    num(j, g, "pilot", hidden && x[1] != 0 ? NAN : x[1]);
    num(j, g, "control", hidden && x[0] != 0 ? NAN : x[0]);
}

static void json_columns(jps *j, cJSON *o, const mkba_appraisal *a)
{
    const mkba_ps_diag *d = a->ps;
    cJSON *coefs = add(j, o, "coefficients", cJSON_CreateArray());
    cJSON *bal = add(j, o, "balance", cJSON_CreateArray());
    for (size_t k = 0; k < d->n_coef; k++) {
        int hidden = mkba_ap_ps_column_withheld(a, k);
        cJSON *c = add(j, coefs, NULL, cJSON_CreateObject());
        add(j, c, "term", cJSON_CreateString(d->name[k]));
        num(j, c, "coef", out_ps_coef_value(a, d->coef, k));
        num(j, c, "se", out_ps_coef_value(a, d->se, k));
        add(j, c, "suppressed", cJSON_CreateBool(mkba_ap_ps_coef_withheld(a, k)));
        add(j, c, "suppressed_reason", cJSON_CreateString(out_ps_coef_reason_key(a, k)));
        if (k == 0)
            continue; /* the intercept has no balance */
        cJSON *b = add(j, bal, NULL, cJSON_CreateObject());
        add(j, b, "term", cJSON_CreateString(d->name[k]));
        num(j, b, "smd_before", out_ps_col_value(a, d->smd_before, k));
        num(j, b, "smd_after", out_ps_col_value(a, d->smd_after, k));
        add(j, b, "imbalanced",
            hidden ? cJSON_CreateNull() : cJSON_CreateBool(mkba_ap_ps_imbalanced(a, k)));
        add(j, b, "suppressed", cJSON_CreateBool(hidden));
        add(j, b, "suppressed_reason", cJSON_CreateString(out_ps_reason_key(a, k)));
    }
}

static void json_overlap(jps *j, cJSON *o, const mkba_appraisal *a)
{
    cJSON *ov = add(j, o, "overlap", cJSON_CreateObject());
    for (int g = 1; g >= 0; g--) {
        cJSON *arr = add(j, ov, OUT_PS_GROUP_NAME[g], cJSON_CreateArray());
        mkba_ps_bin bins[MKBA_PS_BINS];
        size_t n = mkba_ap_ps_bins(a, g, bins);
        for (size_t i = 0; i < n; i++) {
            cJSON *b = add(j, arr, NULL, cJSON_CreateObject());
            num(j, b, "from", bins[i].from);
            num(j, b, "to", bins[i].to);
            num(j, b, "share", bins[i].share);
        }
    }
}

int mkba_out_ps_json(cJSON *root, const mkba_appraisal *a)
{
    const mkba_ps_diag *d = a->ps;
    jps j = {0};
    int all = mkba_ap_ps_withheld(a), h = mkba_ap_ps_counts_withheld(a);
    cJSON *o = add(&j, root, "propensity", cJSON_CreateObject());
    add(&j, o, "estimand", cJSON_CreateString(mkba_estimand_name(d->estimand)));
    add(&j, o, "suppressed", cJSON_CreateBool(all));
    add(&j, o, "suppressed_reason", cJSON_CreateString(all ? "small_group" : ""));
    add(&j, o, "counts_suppressed", cJSON_CreateBool(h));
    num(&j, o, "smd_limit", MKBA_PS_SMD_LIMIT);
    double n[2] = {(double)d->n[0], (double)d->n[1]};
    double t[2] = {(double)d->n_trimmed[0], (double)d->n_trimmed[1]};
    per_group(&j, o, "n", n, h);
    count(&j, o, "missing", d->n_missing, h);
    per_group(&j, o, "trimmed", t, h);
    int fit = mkba_ap_ps_fit_withheld(a); /* with the counts too */
    per_group(&j, o, "ess", d->ess, fit);
    num(&j, o, "iterations", all ? NAN : d->iterations);
    num(&j, o, "deviance", fit ? NAN : d->deviance);
    json_columns(&j, o, a);
    json_overlap(&j, o, a);
    return !j.oom;
}

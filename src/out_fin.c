/* out_fin.c - the payback year and the internal rate of return in the
 * outputs: a sentence per project for the terminal's conclusion, a block
 * in the terminal's uncertainty section, and "payback" / "irr" objects in
 * results.json (the definitions: finance.h; the figures: appraisal.h fin,
 * summary.h mkba_mc_fin).
 *
 * DISPLAY CODE, kept apart on purpose: it only reads the appraisal and
 * writes text or JSON, so the output layer can take these functions over
 * as they are (out.c and out_mc.c call them at one line each). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "mkba/mem.h"
#include "mkba/fmt.h"
#include "mkba/out.h"
#include "out_internal.h"

/* ================================ words ================================= */

/* "in 2019 (year 3)", "none within 5 years (...)": the payback of 'x'. */
static char *payback_words(const mkba_appraisal *a, const mkba_fin *x, int nl)
{
    switch (x->payback) {
    case MKBA_FIN_PAID:
        if (x->year == 1)
            return mkba_xasprintf(TR("from the first year (%d): the cumulative discounted balance is "
                                  "never negative"),
                                  a->first_year);
        return mkba_xasprintf(TR("in %d (year %d)"), a->first_year + x->year - 1, x->year);
    case MKBA_FIN_NEVER:
        return mkba_xasprintf(TR("none within %zu years (the cumulative discounted balance stays "
                              "negative)"),
                              a->horizon);
    case MKBA_FIN_FALLS_BACK:
        return mkba_xasprintf(TR("none within %zu years (the cumulative discounted balance turns "
                              "positive, then ends negative)"),
                              a->horizon);
    case MKBA_FIN_NO_FLOWS:
        return mkba_xstrdup(TR("n/a (no difference with the reference)"));
    default:
        return mkba_xstrdup(TR("n/a (the flows are not finite)"));
    }
}

/* "13.1%", "none (the net flows never turn positive)": the IRR of 'x';
 * 'net' the undiscounted net flow, whose sign says which way the flows
 * never turn. */
static char *irr_words(const mkba_fin *x, double net, int nl)
{
    char r[32];
    switch (x->irr_status) {
    case MKBA_FIN_IRR_UNIQUE:
        mkba_fmt_term_share(r, sizeof r, x->irr, nl);
        return mkba_xstrdup(r);
    case MKBA_FIN_IRR_NONE:
        return mkba_xstrdup(net > 0   ? TR("none (the net flows are never negative)")
                            : net < 0 ? TR("none (the net flows never turn positive)")
                                      : TR("none (no flows)"));
    case MKBA_FIN_IRR_MULTIPLE:
        return mkba_xstrdup(TR("not unique (the net flows change sign more than once: several "
                            "rates, or none, give an NPV of 0)"));
    case MKBA_FIN_IRR_OUTSIDE:
        return mkba_xstrdup(TR("outside -99% to +1000%"));
    default:
        return mkba_xstrdup(TR("n/a (the flows are not finite)"));
    }
}

char *mkba_out_fin_sentence(const mkba_appraisal *a, size_t s, int nl)
{
    if (!a->fin || s >= a->n_scenarios)
        return NULL;
    size_t c = mkba_ap_bidx(a, s, a->n_stakeholders);
    char *p = payback_words(a, &a->fin[c], nl),
         *r = irr_words(&a->fin[c], a->balance[c].net, nl);
    char *text = mkba_xasprintf(TR("Payback: %s; IRR: %s."), p, r);
    free(p);
    free(r);
    return text;
}

void mkba_out_fin_print_mc(FILE *f, const mkba_appraisal *a, int nl)
{
    const mkba_mc *mc = a->mc;
    if (!mc || !mc->fin || a->n_scenarios < 2)
        return;
    out_term T = {0};
    fprintf(f, TR("\n  Payback and internal rate of return for society over the draws:\n"));
    for (size_t s = 1; s < a->n_scenarios; s++) {
        const mkba_mc_fin *x = &mc->fin[mkba_mc_idx(mc, s, a->n_stakeholders)];
        char pp[32], share[32], lo[32], mid[32], hi[32], none[32], multi[32];
        mkba_fmt_term_share(pp, sizeof pp, x->p_payback, nl);
        mkba_fmt_term_share(share, sizeof share, x->irr_share, nl);
        double D = (double)mc->draws;
        mkba_fmt_term_share(none, sizeof none, (double)x->irr_status[MKBA_FIN_IRR_NONE] / D, nl);
        mkba_fmt_term_share(multi, sizeof multi,
                      (double)(x->irr_status[MKBA_FIN_IRR_MULTIPLE] +
                               x->irr_status[MKBA_FIN_IRR_OUTSIDE]) / D, nl);
        fprintf(f, TR("    %s:\n      payback within %zu years: %s of the draws\n"),
                out_term_text(&T, mkba_fmt_scen_label(a, s, nl)), a->horizon, pp);
        if (x->irr.n == 0) {
            fprintf(f, TR("      IRR: in no draw (the flows never change sign: %s; not unique or out "
                       "of range: %s)\n"),
                    none, multi);
            continue;
        }
        mkba_fmt_term_share(lo, sizeof lo, x->irr.p5, nl);
        mkba_fmt_term_share(mid, sizeof mid, x->irr.p50, nl);
        mkba_fmt_term_share(hi, sizeof hi, x->irr.p95, nl);
        fprintf(f, TR("      IRR: P5 %s, P50 %s, P95 %s over the %s of draws where it is unique\n"
                   "      (none, the flows never change sign: %s; not unique or out of range: "
                   "%s)\n"),
                lo, mid, hi, share, none, multi);
    }
    out_term_free(&T);
}

/* ============================= results.json ============================= */

static cJSON *num_or_null(double x)
{
    return isfinite(x) ? cJSON_CreateNumber(x) : cJSON_CreateNull();
}

/* Add item 'x' (NULL: out of memory) under 'key'; 0 when out of memory. */
static int add(cJSON *o, const char *key, cJSON *x)
{
    if (!x || !cJSON_AddItemToObject(o, key, x))
        return cJSON_Delete(x), 0;
    return 1;
}

/* "payback": {status, year, calendar_year}, "irr": {status, rate} */
static int json_base(cJSON *o, const mkba_appraisal *a, const mkba_fin *x)
{
    cJSON *p = cJSON_AddObjectToObject(o, "payback");
    int paid = x->payback == MKBA_FIN_PAID;
    if (!p || !cJSON_AddStringToObject(p, "status", mkba_fin_payback_name(x->payback)) ||
        !add(p, "year", paid ? cJSON_CreateNumber(x->year) : cJSON_CreateNull()) ||
        !add(p, "calendar_year",
             paid ? cJSON_CreateNumber(a->first_year + x->year - 1) : cJSON_CreateNull()))
        return 0;
    cJSON *r = cJSON_AddObjectToObject(o, "irr");
    return r && cJSON_AddStringToObject(r, "status", mkba_fin_irr_name(x->irr_status)) &&
           add(r, "rate", num_or_null(x->irr));
}

/* "payback": {p_within_horizon, draws: {status: n}}, "irr": {share_unique,
 * mean, p5, p50, p95, n, draws: {status: n}} */
static int json_mc(cJSON *o, const mkba_mc_fin *x)
{
    cJSON *p = cJSON_AddObjectToObject(o, "payback");
    if (!p || !add(p, "p_within_horizon", num_or_null(x->p_payback)))
        return 0;
    cJSON *d = cJSON_AddObjectToObject(p, "draws");
    for (int k = 0; d && k < MKBA_FIN_PAYBACK_N; k++)
        if (!cJSON_AddNumberToObject(d, mkba_fin_payback_name(k), (double)x->payback[k]))
            return 0;
    cJSON *r = cJSON_AddObjectToObject(o, "irr");
    if (!d || !r || !add(r, "share_unique", num_or_null(x->irr_share)) ||
        !add(r, "mean", num_or_null(x->irr.mean)) || !add(r, "p5", num_or_null(x->irr.p5)) ||
        !add(r, "p50", num_or_null(x->irr.p50)) || !add(r, "p95", num_or_null(x->irr.p95)) ||
        !cJSON_AddNumberToObject(r, "n", (double)x->irr.n))
        return 0;
    d = cJSON_AddObjectToObject(r, "draws");
    for (int k = 0; d && k < MKBA_FIN_IRR_N; k++)
        if (!cJSON_AddNumberToObject(d, mkba_fin_irr_name(k), (double)x->irr_status[k]))
            return 0;
    return d != NULL;
}

/* The object of stakeholder k (society: k == n_stakeholders) in a result
 * object of results.json: "society", or "stakeholders"."name". */
static cJSON *holder(cJSON *result, const mkba_appraisal *a, size_t k)
{
    if (k == a->n_stakeholders)
        return cJSON_GetObjectItemCaseSensitive(result, "society");
    return cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(result, "stakeholders"), a->stakeholders[k]);
}

int mkba_out_fin_json(cJSON *root, const mkba_appraisal *a)
{
    cJSON *res = cJSON_GetObjectItemCaseSensitive(root, "results");
    for (size_t s = 0; a->fin && s < a->n_scenarios; s++) {
        cJSON *r = cJSON_GetArrayItem(res, (int)s);
        for (size_t k = 0; r && k <= a->n_stakeholders; k++) {
            cJSON *o = holder(r, a, k);
            if (o && !json_base(o, a, &a->fin[mkba_ap_bidx(a, s, k)]))
                return 0;
        }
    }
    const mkba_mc *mc = a->mc;
    if (!mc || !mc->fin)
        return 1;
    res = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "monte_carlo"),
                                           "scenarios");
    for (size_t s = 1; s < a->n_scenarios; s++) {
        cJSON *r = cJSON_GetArrayItem(res, (int)s - 1);
        for (size_t k = 0; r && k <= a->n_stakeholders; k++) {
            cJSON *o = holder(r, a, k);
            if (o && !json_mc(o, &mc->fin[mkba_mc_idx(mc, s, k)]))
                return 0;
        }
    }
    return 1;
}

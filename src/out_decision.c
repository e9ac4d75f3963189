/* out_decision.c - the decision among the alternatives (decision.h) in the
 * terminal report, first in its conclusion, and in results.json. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "mkba/decision.h"
#include "mkba/fmt.h"
#include "mkba/mem.h"
#include "mkba/tables.h"
#include "out_internal.h"
#include "sink_term.h"

/* The alternatives side by side (the table "alternatives", tables.h): the
 * label, society's NPV, PV benefits, PV costs and B/C, each stakeholder's
 * NPV, and with a Monte Carlo P(best). */
static void alternatives(FILE *f, const mkba_appraisal *a, int nl)
{
    size_t K = a->n_stakeholders, n = 6 + K + (a->mc ? 1 : 0);
    mkba_table *src = mkba_tables_build_named(a, "alternatives");
    out_term T = {0}; /* the headers from the model, escaped (term_tab_add escapes cells) */
    term_col *col = mkba_xcalloc(n, sizeof *col);
    size_t *pick = mkba_xcalloc(n, sizeof *pick);
    const term_col fixed[] = {{TR("Rank"), 1, 0},        {TR("Alternative"), 0, 1},
                              {TR("NPV society"), 1, 0}, {TR("PV benefits"), 1, 0},
                              {TR("PV costs"), 1, 0},    {TR("B/C"), 1, 0}};
    /* rank, label (the Dutch one is the last column), npv, pv_*, bcr */
    const size_t fixed_col[] = {0, nl ? mkba_table_cols(src) - 1 : 2, 3, 4, 5, 6};
    for (size_t c = 0; c < 6; c++)
        col[c] = fixed[c], pick[c] = fixed_col[c];
    for (size_t k = 0; k < K; k++) /* full labels: a header is never cut */
        col[6 + k] = (term_col){out_term_text(&T, mkba_fmt_holder_label(a, k, nl)), 1, 0},
        pick[6 + k] = 8 + k;
    if (a->mc)
        col[6 + K] = (term_col){TR("P(best)"), 1, 0}, pick[6 + K] = 8 + K;
    term_table t = {col, n, 0, 0, NULL, NULL};
    term_tab_from(&t, src, pick, nl);
    char *title = mkba_xasprintf(TR("Alternatives side by side, best for society first (%s "
                                    "against %s; per stakeholder its NPV%s)"),
                                 mkba_fmt_label_or(a->currency, "?"), mkba_fmt_scen_label(a, 0, nl),
                                 a->mc ? TR("; P(best): share of the draws in which it is best "
                                            "for society")
                                       : "");
    fputc('\n', f);
    term_para(f, TERM_INDENT, TERM_INDENT, title);
    free(title);
    term_tab_print(f, &t);
    int na = 0;
    for (size_t s = 1; s < a->n_scenarios; s++)
        na |= isnan(a->balance[mkba_ap_bidx(a, s, K)].bcr);
    if (na)
        term_para(f, TERM_INDENT, TERM_INDENT, mkba_fmt_bcr_note(nl));
    term_tab_free(&t);
    out_term_free(&T);
    free(pick);
    free(col);
    mkba_table_free(src);
}

/* Project x minus project y, per stakeholder and for society. */
static void pairwise(FILE *f, const mkba_appraisal *a, size_t x, size_t y, int nl)
{
    const term_col col[] = {{TR("Stakeholder"), 0, 1}, {"A", 1, 0}, {"B", 1, 0},
                            {TR("A minus B"), 1, 0}};
    term_table t = {col, 4, 0, 0, NULL, NULL};
    for (size_t k = 0; k <= a->n_stakeholders; k++) {
        double vx = mkba_decision_npv(a, x, k), vy = mkba_decision_npv(a, y, k);
        char v[3][64];
        mkba_fmt_term_amount(v[0], sizeof v[0], vx, nl);
        mkba_fmt_term_amount(v[1], sizeof v[1], vy, nl);
        mkba_fmt_term_amount(v[2], sizeof v[2], vx - vy, nl);
        const char *row[] = {mkba_fmt_holder_label(a, k, nl), v[0], v[1], v[2]};
        term_tab_add(&t, row, k == a->n_stakeholders);
    }
    char *title = mkba_xasprintf(TR("A minus B, without a rerun (NPV against %s, %s): A = %s; "
                                    "B = %s"),
                                 mkba_fmt_scen_label(a, 0, nl), mkba_fmt_label_or(a->currency, "?"),
                                 mkba_fmt_scen_label(a, x, nl), mkba_fmt_scen_label(a, y, nl));
    fputc('\n', f);
    term_para(f, TERM_INDENT, TERM_INDENT, title);
    free(title);
    term_tab_print(f, &t);
    term_tab_free(&t);
}

void out_print_decision(FILE *f, const mkba_appraisal *a, int nl)
{
    size_t S = a->n_scenarios;
    char *sentence = mkba_decision_sentence(a, nl);
    if (!sentence)
        return;
    term_para(f, TERM_INDENT, TERM_INDENT, sentence);
    free(sentence);
    alternatives(f, a, nl);
    size_t *order = mkba_xcalloc(S, sizeof *order);
    mkba_decision_rank(a, order);
    for (size_t i = 0; i < S; i++)
        for (size_t j = i + 1; j < S; j++)
            if (order[i] && order[j])
                pairwise(f, a, order[i], order[j], nl);
    free(order);
    if (S > 2 && !mkba_decision_same_rates(a))
        term_para(f, TERM_INDENT, TERM_INDENT,
                  TR("The projects discount at different rates: each NPV is at its own "
                     "project's rate, so a difference mixes the two."));
    fputc('\n', f);
}

/* ---- results.json ---- */

static cJSON *num_or_null(double x)
{
    return isfinite(x) ? cJSON_CreateNumber(x) : cJSON_CreateNull();
}

static int add_num(cJSON *o, const char *key, double x)
{
    cJSON *v = num_or_null(x);
    return v && cJSON_AddItemToObject(o, key, v) ? 1 : (cJSON_Delete(v), 0);
}

/* {a, b, society, stakeholders: {NAME: difference}}: project x minus y. */
static int json_pair(cJSON *arr, const mkba_appraisal *a, size_t x, size_t y)
{
    size_t K = a->n_stakeholders;
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddItemToArray(arr, o))
        return cJSON_Delete(o), 0;
    if (!cJSON_AddStringToObject(o, "a", a->scenarios[x].name) ||
        !cJSON_AddStringToObject(o, "b", a->scenarios[y].name) ||
        !add_num(o, "society", mkba_decision_npv(a, x, K) - mkba_decision_npv(a, y, K)))
        return 0;
    cJSON *h = cJSON_AddObjectToObject(o, "stakeholders");
    if (!h)
        return 0;
    for (size_t k = 0; k < K; k++)
        if (!add_num(h, a->stakeholders[k], mkba_decision_npv(a, x, k) - mkba_decision_npv(a, y, k)))
            return 0;
    return 1;
}

int out_decision_json(cJSON *root, const mkba_appraisal *a)
{
    size_t S = a->n_scenarios, K = a->n_stakeholders;
    char *sentence = mkba_decision_sentence(a, 0);
    if (!sentence)
        return 1; /* no project: nothing to decide */
    cJSON *d = cJSON_AddObjectToObject(root, "decision");
    int ok = d && cJSON_AddStringToObject(d, "sentence", sentence) &&
             cJSON_AddBoolToObject(d, "same_rates", mkba_decision_same_rates(a));
    free(sentence);
    cJSON *rank = ok ? cJSON_AddArrayToObject(d, "ranking") : NULL;
    cJSON *pairs = rank ? cJSON_AddArrayToObject(d, "pairwise") : NULL;
    ok = pairs != NULL;
    size_t *order = mkba_xcalloc(S, sizeof *order);
    mkba_decision_rank(a, order);
    for (size_t i = 0; ok && i < S; i++) {
        size_t s = order[i];
        cJSON *o = cJSON_CreateObject();
        ok = o && cJSON_AddItemToArray(rank, o);
        if (!ok) {
            cJSON_Delete(o);
            break;
        }
        const mkba_balance *b = s ? &a->balance[mkba_ap_bidx(a, s, K)] : NULL;
        mkba_bcr_why why = b ? mkba_bcr_why_of(b->pv_benefits, b->pv_costs) : MKBA_BCR_NEITHER;
        ok = cJSON_AddNumberToObject(o, "rank", (double)(i + 1)) &&
             cJSON_AddStringToObject(o, "scenario", a->scenarios[s].name) &&
             cJSON_AddBoolToObject(o, "reference", s == 0) &&
             add_num(o, "npv", mkba_decision_npv(a, s, K)) &&
             add_num(o, "bcr", b ? b->bcr : NAN) &&
             (b && why != MKBA_BCR_OK
                  ? cJSON_AddStringToObject(o, "bcr_note", mkba_fmt_bcr_reason(why, 0)) != NULL
                  : cJSON_AddNullToObject(o, "bcr_note") != NULL);
        if (ok && a->mc)
            ok = add_num(o, "p_best", a->mc->p_best ? a->mc->p_best[s] : NAN);
    }
    for (size_t i = 0; ok && i < S; i++)
        for (size_t j = i + 1; ok && j < S; j++)
            if (order[i] && order[j])
                ok = json_pair(pairs, a, order[i], order[j]);
    free(order);
    return ok;
}

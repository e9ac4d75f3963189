/* tables_decision.c - the builders of the decision's tables (tables.h,
 * decision.h): every alternative side by side, and the projects pairwise.
 *
 *   alternatives  per alternative, best for society first (the reference
 *                 included, at 0): rank, alternative, label, npv,
 *                 pv_benefits, pv_costs, bcr (empty unless both present
 *                 values are positive), bcr_note (why not, or
 *                 "reference"), npv_STAKEHOLDER per stakeholder; with a
 *                 Monte Carlo p_best (share of the draws in which it is
 *                 best for society) and p_positive (of society's NPV);
 *                 last, label_nl (the Dutch label, else the label)
 *   pairwise      per pair of projects (a ranked before b) and per
 *                 stakeholder and "society": a, b, stakeholder, npv_a,
 *                 npv_b, difference (npv_a - npv_b) */
#include <math.h>
#include <stdlib.h>

#include "mkba/decision.h"
#include "mkba/fmt.h"
#include "mkba/mem.h"
#include "mkba/tables.h"

void mkba_tables_alternatives(mkba_table *t, const mkba_appraisal *a)
{
    static const char *const head[][2] = {
        {"rank", "rang"}, {"alternative", "alternatief"}, {"label", "label"},
        {"npv", "ncw"}, {"pv_benefits", "cw_baten"}, {"pv_costs", "cw_kosten"},
        {"bcr", "bk"}, {"bcr_note", "bk_toelichting"}, {NULL, NULL}};
    size_t S = a->n_scenarios, K = a->n_stakeholders;
    mkba_table_add_cols_nl(t, head);
    for (size_t k = 0; k < K; k++) {
        char *name = mkba_xasprintf("npv_%s", a->stakeholders[k]);
        char *nl = mkba_xasprintf("ncw_%s", a->stakeholders[k]);
        mkba_table_add_col_nl(t, name, nl);
        free(name);
        free(nl);
    }
    if (a->mc) {
        mkba_table_add_col_nl(t, "p_best", "p_beste");
        mkba_table_add_col_nl(t, "p_positive", "p_positief");
    }
    mkba_table_add_col_nl(t, "label_nl", "label_nl"); /* the last column: the Dutch label */
    size_t *order = mkba_xcalloc(S + 1, sizeof *order);
    mkba_decision_rank(a, order);
    for (size_t i = 0; i < S; i++) {
        size_t s = order[i];
        const mkba_balance *b = s ? &a->balance[mkba_ap_bidx(a, s, K)] : NULL;
        mkba_table_int(t, (long long)i + 1);
        mkba_table_text(t, a->scenarios[s].name);
        mkba_table_text(t, mkba_fmt_scen_label(a, s, 0));
        mkba_table_amount(t, mkba_decision_npv(a, s, K));
        mkba_table_amount(t, b ? b->pv_benefits : 0);
        mkba_table_amount(t, b ? b->pv_costs : 0);
        mkba_table_number(t, b ? b->bcr : NAN);
        mkba_table_text(t, b ? mkba_fmt_bcr_reason(mkba_bcr_why_of(b->pv_benefits, b->pv_costs), 0)
                             : "reference");
        for (size_t k = 0; k < K; k++)
            mkba_table_amount(t, mkba_decision_npv(a, s, k));
        if (a->mc) {
            mkba_table_share(t, a->mc->p_best ? a->mc->p_best[s] : NAN);
            mkba_table_share(t, s ? a->mc->npv[mkba_mc_idx(a->mc, s, K)].p_positive : NAN);
        }
        mkba_table_text(t, mkba_fmt_scen_label(a, s, 1));
        mkba_table_end_row(t);
    }
    free(order);
}

void mkba_tables_pairwise(mkba_table *t, const mkba_appraisal *a)
{
    static const char *const head[][2] = {
        {"a", "a"}, {"b", "b"}, {"stakeholder", "actor"}, {"npv_a", "ncw_a"},
        {"npv_b", "ncw_b"}, {"difference", "verschil"}, {NULL, NULL}};
    size_t S = a->n_scenarios, K = a->n_stakeholders;
    mkba_table_add_cols_nl(t, head);
    size_t *order = mkba_xcalloc(S + 1, sizeof *order);
    mkba_decision_rank(a, order);
    for (size_t i = 0; i < S; i++)
        for (size_t j = i + 1; j < S; j++) {
            size_t x = order[i], y = order[j];
            if (x == 0 || y == 0)
                continue; /* against the reference: the summary table */
            for (size_t k = 0; k <= K; k++) {
                double vx = mkba_decision_npv(a, x, k), vy = mkba_decision_npv(a, y, k);
                mkba_table_text(t, a->scenarios[x].name);
                mkba_table_text(t, a->scenarios[y].name);
                mkba_table_text(t, mkba_fmt_holder_key(a, k));
                mkba_table_amount(t, vx);
                mkba_table_amount(t, vy);
                mkba_table_amount(t, vx - vy);
                mkba_table_end_row(t);
            }
        }
    free(order);
}

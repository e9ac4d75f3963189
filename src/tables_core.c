/* tables_core.c - builders of the tables every run writes (tables.h):
 * effects, summary, items, cashflows, stakeholder_flows. What each holds
 * is listed in out.h; withheld values follow disclose.h. */
#include "mkba/tables.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mkba/disclose.h"
#include "mkba/fmt.h"
#include "mkba/estimate.h"
#include "out_internal.h"

void mkba_tables_effects(mkba_table *t, const mkba_appraisal *a)
{
    static const char *const head[][2] = {
        {"effect", "effect"},
        {"label", "label"},
        {"method", "methode"},
        {"estimate", "schatting"},
        {"se", "se"},
        {"ci_lo", "bi_onder"},
        {"ci_hi", "bi_boven"},
        {"df", "df"},
        {"mean_pilot", "gemiddelde_pilot"},
        {"mean_control", "gemiddelde_controle"},
        {"n_pilot", "n_pilot"},
        {"n_control", "n_controle"},
        {"n_missing", "n_ontbrekend"},
        {"suppressed", "weggelaten"},
        {"suppressed_fields", "weggelaten_velden"},
        {NULL, NULL}};
    mkba_table_add_cols_nl(t, head);
    for (size_t i = 0; i < a->n_effects; i++) {
        const mkba_ap_effect *x = &a->effects[i];
        const mkba_effect *e = &x->e;
        unsigned mask = mkba_ap_effect_hidden(a, i);
        char fields[128];
        /* the fields this table has (missing_pilot/_control are in results.json) */
        mkba_disclose_field_list(fields, sizeof fields,
                    mask & ~(unsigned)(MKBA_HIDE_MISSING_PILOT | MKBA_HIDE_MISSING_CONTROL));
        mkba_table_text(t, x->name);
        mkba_table_text(t, x->label);
        mkba_table_text(t, mkba_est_method_name(e->method));
        mkba_table_number_or_withheld(t, e->estimate, (mask & MKBA_HIDE_ESTIMATE) != 0);
        mkba_table_number_or_withheld(t, e->se, (mask & MKBA_HIDE_ESTIMATE) != 0);
        mkba_table_number_or_withheld(t, e->ci_lo, (mask & (MKBA_HIDE_CI_LO)) != 0);
        mkba_table_number_or_withheld(t, e->ci_hi, (mask & (MKBA_HIDE_CI_HI)) != 0);
        mkba_table_number_or_withheld(t, e->df, (mask & (MKBA_HIDE_DF)) != 0);
        mkba_table_number_or_withheld(t, e->mean_pilot, (mask & (MKBA_HIDE_MEAN_PILOT)) != 0);
        mkba_table_number_or_withheld(t, e->mean_control, (mask & (MKBA_HIDE_MEAN_CONTROL)) != 0);
        size_t n[5];
        mkba_ap_effect_counts(a, i, n);
        mkba_table_count_or_withheld(t, n[0], (mask & MKBA_HIDE_N_PILOT) != 0);
        mkba_table_count_or_withheld(t, n[1], (mask & MKBA_HIDE_N_CONTROL) != 0);
        mkba_table_count_or_withheld(t, n[2], (mask & MKBA_HIDE_N_MISSING) != 0);
        mkba_table_int(t, mask != 0);
        mkba_table_text(t, fields);
        mkba_table_end_row(t);
    }
}

void mkba_tables_summary(mkba_table *t, const mkba_appraisal *a)
{
    static const char *const head[][2] = {
        {"scenario", "scenario"},
        {"stakeholder", "actor"},
        {"pv_benefits", "cw_baten"},
        {"pv_costs", "cw_kosten"},
        {"npv", "ncw"},
        {"bcr", "bk"},
        {"benefits_undiscounted", "baten_niet_contant"},
        {"costs_undiscounted", "kosten_niet_contant"},
        {"net_undiscounted", "saldo_niet_contant"},
        {NULL, NULL}};
    mkba_table_add_cols_nl(t, head);
    for (size_t s = 1; s < a->n_scenarios; s++) {
        for (size_t k = 0; k <= a->n_stakeholders; k++) {
            const mkba_balance *b = &a->balance[mkba_ap_bidx(a, s, k)];
            mkba_table_text(t, a->scenarios[s].name);
            mkba_table_text(t, mkba_fmt_holder_key(a, k));
            mkba_table_amount(t, b->pv_benefits);
            mkba_table_amount(t, b->pv_costs);
            mkba_table_amount(t, b->npv);
            mkba_table_number(t, b->bcr);
            mkba_table_amount(t, b->benefits);
            mkba_table_amount(t, b->costs);
            mkba_table_amount(t, b->net);
            mkba_table_end_row(t);
        }
    }
}

void mkba_tables_items(mkba_table *t, const mkba_appraisal *a)
{
    static const char *const head[][2] = {
        {"scenario", "scenario"},
        {"item", "post"},
        {"label", "label"},
        {"kind", "soort"},
        {"domain", "domein"},
        {"stakeholder", "actor"},
        {"loser", "afstaande_actor"},
        {"pv", "cw"},
        {"undiscounted", "niet_contant"},
        {NULL, NULL}};
    mkba_table_add_cols_nl(t, head);
    for (size_t s = 1; s < a->n_scenarios; s++) {
        for (size_t i = 0; i < a->n_items; i++) {
            const mkba_ap_item *it = &a->items[i];
            mkba_table_text(t, a->scenarios[s].name);
            mkba_table_text(t, it->name);
            mkba_table_text(t, it->label);
            mkba_table_text(t, mkba_item_kind_name(it->kind));
            mkba_table_text(t, it->domain);
            mkba_table_text(t, mkba_fmt_holder_key(a, it->stakeholder));
            mkba_table_text(t, it->kind == MKBA_ITEM_TRANSFER ? mkba_fmt_holder_key(a, it->loser) : "");
            mkba_table_amount(t, a->item_pv[s * a->n_items + i]);
            mkba_table_amount(t, out_item_undiscounted(a, s, i));
            mkba_table_end_row(t);
        }
    }
}

void mkba_tables_cashflows(mkba_table *t, const mkba_appraisal *a)
{
    static const char *const head[][2] = {
        {"scenario", "scenario"},
        {"item", "post"},
        {"kind", "soort"},
        {"stakeholder", "actor"},
        {"year", "jaar"},
        {"calendar_year", "kalenderjaar"},
        {"flow", "stroom"},
        {"delta", "verschil"},
        {"discount_factor", "disconteringsfactor"},
        {"pv_delta", "cw_verschil"},
        {NULL, NULL}};
    mkba_table_add_cols_nl(t, head);
    for (size_t s = 0; s < a->n_scenarios; s++) {
        for (size_t i = 0; i < a->n_items; i++) {
            const mkba_ap_item *it = &a->items[i];
            for (size_t y = 0; y < a->horizon; y++) {
                double delta = a->delta[mkba_ap_fidx(a, s, i, y)];
                double df = a->discount[mkba_ap_tidx(a, s, y)];
                mkba_table_text(t, a->scenarios[s].name);
                mkba_table_text(t, it->name);
                mkba_table_text(t, mkba_item_kind_name(it->kind));
                mkba_table_text(t, mkba_fmt_holder_key(a, it->stakeholder));
                mkba_table_int(t, (long long)y + 1);
                mkba_table_int(t, (long long)a->first_year + (long long)y);
                mkba_table_amount(t, a->flow[mkba_ap_fidx(a, s, i, y)]);
                mkba_table_amount(t, delta);
                mkba_table_number(t, df);
                mkba_table_amount(t, delta * df);
                mkba_table_end_row(t);
            }
        }
    }
}

void mkba_tables_stakeholder_flows(mkba_table *t, const mkba_appraisal *a)
{
    static const char *const head[][2] = {
        {"scenario", "scenario"},
        {"stakeholder", "actor"},
        {"year", "jaar"},
        {"calendar_year", "kalenderjaar"},
        {"net", "saldo"},
        {"discount_factor", "disconteringsfactor"},
        {"net_discounted", "saldo_contant"},
        {NULL, NULL}};
    size_t K = a->n_stakeholders;
    mkba_table_add_cols_nl(t, head);
    for (size_t s = 1; s < a->n_scenarios; s++) {
        for (size_t k = 0; k <= K; k++) {
            for (size_t y = 0; y < a->horizon; y++) {
                double net = a->net_flow[(s * (K + 1) + k) * a->horizon + y];
                double df = a->discount[mkba_ap_tidx(a, s, y)];
                mkba_table_text(t, a->scenarios[s].name);
                mkba_table_text(t, mkba_fmt_holder_key(a, k));
                mkba_table_int(t, (long long)y + 1);
                mkba_table_int(t, (long long)a->first_year + (long long)y);
                mkba_table_amount(t, net);
                mkba_table_number(t, df);
                mkba_table_amount(t, net * df);
                mkba_table_end_row(t);
            }
        }
    }
}

/* tables_sens.c - builders of the sensitivity tables (tables.h):
 * sens_sobol, sens_tornado, sens_switching, sens_twoway. */
#include "mkba/tables.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mkba/disclose.h"
#include "mkba/fmt.h"
#include "mkba/sens.h"
#include "mkba/sobol.h"
#include "out_internal.h"

void mkba_tables_tornado(mkba_table *t, const mkba_appraisal *a)
{
    const mkba_sens *s = a->sens;
    static const char *const head[][2] = {
        {"scenario", "scenario"},
        {"input", "invoer"},
        {"rank", "rang"},
        {"stakeholder", "actor"},
        {"base", "basis"},
        {"p10", "p10"},
        {"p90", "p90"},
        {"npv_base", "ncw_basis"},
        {"npv_at_p10", "ncw_bij_p10"},
        {"npv_at_p90", "ncw_bij_p90"},
        {"swing", "uitslag"},
        {NULL, NULL}};
    mkba_table_add_cols_nl(t, head);
    size_t K = s->n_stakeholders;
    for (size_t sc = 1; sc < s->n_scenarios; sc++)
        for (size_t r = 0; r < s->n_inputs; r++) {
            size_t i = s->order[sc * s->n_inputs + r];
            for (size_t k = 0; k <= K; k++) {
                double nl = s->npv_lo[mkba_sens_idx(s, i, sc, k)];
                double nh = s->npv_hi[mkba_sens_idx(s, i, sc, k)];
                mkba_table_text(t, a->scenarios[sc].name);
                mkba_table_text(t, s->inputs[i].name);
                mkba_table_int(t, (long long)r + 1);
                mkba_table_text(t, k == K ? "society" : a->stakeholders[k]);
                mkba_table_number(t, out_sens_input_base(a, i));
                mkba_table_number(t, s->inputs[i].lo);
                mkba_table_number(t, s->inputs[i].hi);
                mkba_table_number(t, s->npv_base[sc * (K + 1) + k]);
                mkba_table_number(t, nl);
                mkba_table_number(t, nh);
                mkba_table_number(t, fabs(nh - nl));
                mkba_table_end_row(t);
            }
        }
}


void mkba_tables_switching(mkba_table *t, const mkba_appraisal *a)
{
    const mkba_sens *s = a->sens;
    static const char *const head[][2] = {
        {"scenario", "scenario"},
        {"input", "invoer"},
        {"base", "basis"},
        {"switching_value", "omslagwaarde"},
        {"status", "status"},
        {"range_lo", "bereik_onder"},
        {"range_hi", "bereik_boven"},
        {"stakeholder", "actor"},
        {NULL, NULL}};
    mkba_table_add_cols_nl(t, head);
    size_t K = s->n_stakeholders, S = s->n_scenarios;
    for (size_t sc = 1; sc < S; sc++)
        for (size_t i = 0; i < s->n_inputs; i++)
            for (size_t r = 0; r <= K; r++) { /* society first, then each stakeholder */
                size_t k = r == 0 ? K : r - 1, at = (i * S + sc) * K + k;
                mkba_table_text(t, a->scenarios[sc].name);
                mkba_table_text(t, s->inputs[i].name);
                mkba_table_number(t, out_sens_input_base(a, i));
                mkba_table_number(t, k == K ? s->switching[i * S + sc] : s->switching_by[at]);
                mkba_table_text(t, out_sens_status_name(k == K ? s->switch_status[i * S + sc]
                                                  : s->switch_status_by[at]));
                mkba_table_number(t, s->inputs[i].range_lo);
                mkba_table_number(t, s->inputs[i].range_hi);
                mkba_table_text(t, k == K ? "society" : a->stakeholders[k]);
                mkba_table_end_row(t);
            }
}

void mkba_tables_twoway(mkba_table *t, const mkba_appraisal *a)
{
    const mkba_sens *s = a->sens;
    static const char *const head[][2] = {
        {"scenario", "scenario"},
        {"input_a", "invoer_a"},
        {"value_a", "waarde_a"},
        {"input_b", "invoer_b"},
        {"value_b", "waarde_b"},
        {"npv", "ncw"},
        {NULL, NULL}};
    mkba_table_add_cols_nl(t, head);
    size_t n = s->grid_steps;
    for (size_t sc = 1; sc < s->n_scenarios; sc++)
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) {
                mkba_table_text(t, a->scenarios[sc].name);
                mkba_table_text(t, s->inputs[s->grid_a].name);
                mkba_table_number(t, s->grid_a_values[i]);
                mkba_table_text(t, s->inputs[s->grid_b].name);
                mkba_table_number(t, s->grid_b_values[j]);
                mkba_table_number(t, s->grid[(sc * n + i) * n + j]);
                mkba_table_end_row(t);
            }
}

void mkba_tables_sobol(mkba_table *t, const mkba_appraisal *a)
{
    const mkba_sens *s = a->sens;
    const mkba_sobol *so = s->sobol;
    static const char *const head[][2] = {
        {"scenario", "scenario"},
        {"stakeholder", "actor"},
        {"input", "invoer"},
        {"first", "eerste_orde"},
        {"first_lo", "eerste_orde_onder"},
        {"first_hi", "eerste_orde_boven"},
        {"total", "totaal"},
        {"total_lo", "totaal_onder"},
        {"total_hi", "totaal_boven"},
        {"variance", "variantie"},
        {"correlations_ignored", "correlaties_genegeerd"},
        {NULL, NULL}};
    mkba_table_add_cols_nl(t, head);
    size_t K = s->n_stakeholders, d = so->d;
    for (size_t sc = 1; sc < s->n_scenarios; sc++)
        for (size_t k = 0; k <= K; k++) {
            size_t out = (sc - 1) * (K + 1) + k;
            for (size_t i = 0; i < d; i++) {
                mkba_table_text(t, a->scenarios[sc].name);
                mkba_table_text(t, k == K ? "society" : a->stakeholders[k]);
                mkba_table_text(t, s->inputs[i].name);
                mkba_table_number(t, so->first[out * d + i]);
                mkba_table_number(t, so->first_lo[out * d + i]);
                mkba_table_number(t, so->first_hi[out * d + i]);
                mkba_table_number(t, so->total[out * d + i]);
                mkba_table_number(t, so->total_lo[out * d + i]);
                mkba_table_number(t, so->total_hi[out * d + i]);
                mkba_table_number(t, so->variance[out]);
                mkba_table_text(t, s->sobol_correlated ? "yes" : "no");
                mkba_table_end_row(t);
            }
        }
}

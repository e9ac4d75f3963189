/* tables_ps.c - builders of the propensity model's tables (tables.h):
 * balance, propensity, overlap (its bins merged: disclose.h). */
#include "mkba/tables.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mkba/disclose.h"
#include "mkba/fmt.h"
#include "out_internal.h"

void mkba_tables_balance(mkba_table *t, const mkba_appraisal *a)
{
    static const char *const head[][2] = {
        {"term", "term"},
        {"smd_before", "smd_voor"},
        {"smd_after", "smd_na"},
        {"imbalanced", "onevenwichtig"},
        {"suppressed", "weggelaten"},
        {"suppressed_reason", "reden_weggelaten"},
        {NULL, NULL}};
    const mkba_ps_diag *d = a->ps;
    mkba_table_add_cols_nl(t, head);
    for (size_t j = 1; j < d->n_coef; j++) {
        int hidden = mkba_ap_ps_column_withheld(a, j);
        mkba_table_text(t, d->name[j]);
        mkba_table_number(t, out_ps_col_value(a, d->smd_before, j));
        mkba_table_number(t, out_ps_col_value(a, d->smd_after, j));
        if (hidden)
            mkba_table_withheld(t, out_ps_reason_key(a, j));
        else
            mkba_table_int(t, mkba_ap_ps_imbalanced(a, j));
        mkba_table_int(t, hidden);
        mkba_table_text(t, out_ps_reason_key(a, j));
        mkba_table_end_row(t);
    }
}

void mkba_tables_propensity(mkba_table *t, const mkba_appraisal *a)
{
    static const char *const head[][2] = {
        {"term", "term"},
        {"coef", "coef"},
        {"se", "se"},
        {"suppressed", "weggelaten"},
        {"suppressed_reason", "reden_weggelaten"},
        {NULL, NULL}};
    const mkba_ps_diag *d = a->ps;
    mkba_table_add_cols_nl(t, head);
    for (size_t j = 0; j < d->n_coef; j++) {
        mkba_table_text(t, d->name[j]);
        mkba_table_number(t, out_ps_coef_value(a, d->coef, j));
        mkba_table_number(t, out_ps_coef_value(a, d->se, j));
        mkba_table_int(t, mkba_ap_ps_coef_withheld(a, j));
        mkba_table_text(t, out_ps_coef_reason_key(a, j));
        mkba_table_end_row(t);
    }
}

/* The merged bins (mkba_ap_ps_bins), pilot first; only a header when the
 * block is withheld. */
void mkba_tables_overlap(mkba_table *t, const mkba_appraisal *a)
{
    static const char *const head[][2] = {
        {"group", "groep"}, {"from", "van"}, {"to", "tot"}, {"share", "aandeel"}, {NULL, NULL}};
    mkba_table_add_cols_nl(t, head);
    for (int g = 1; g >= 0; g--) {
        mkba_ps_bin bins[MKBA_PS_BINS];
        size_t n = mkba_ap_ps_bins(a, g, bins);
        for (size_t i = 0; i < n; i++) {
            mkba_table_text(t, OUT_PS_GROUP_NAME[g]);
            mkba_table_number(t, bins[i].from);
            mkba_table_number(t, bins[i].to);
            mkba_table_share(t, bins[i].share);
            mkba_table_end_row(t);
        }
    }
}

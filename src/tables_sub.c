/* tables_sub.c - the builder of subgroups.csv (tables.h): a row per level
 * of an outcome's `by`, the heterogeneity test repeated on each row. */
#include "mkba/tables.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mkba/disclose.h"
#include "mkba/fmt.h"
#include "out_internal.h"

void mkba_tables_subgroups(mkba_table *t, const mkba_appraisal *a)
{
    static const char *const head[][2] = {
        {"outcome", "uitkomst"},
        {"by", "naar"},
        {"level", "niveau"},
        {"method", "methode"},
        {"estimate", "schatting"},
        {"se", "se"},
        {"ci_lo", "bi_onder"},
        {"ci_hi", "bi_boven"},
        {"df", "df"},
        {"n_pilot", "n_pilot"},
        {"n_control", "n_controle"},
        {"suppressed", "weggelaten"},
        {"note", "toelichting"},
        {"het_q", "het_q"},
        {"het_df", "het_df"},
        {"het_p", "het_p"},
        {NULL, NULL}};
    mkba_table_add_cols_nl(t, head);
    for (size_t i = 0; a->subgroups && i < a->subgroups->n; i++) {
        const mkba_ap_subgroup *g = &a->subgroups->v[i];
        char buf[160];
        int het = mkba_ap_het_withheld(a, g, buf, sizeof buf) == NULL;
        for (size_t l = 0; l < g->n_levels; l++) {
            const mkba_ap_effect *x = &g->levels[l];
            unsigned mask = mkba_ap_hidden(a, x);
            unsigned est = MKBA_HIDE_ESTIMATE;
            size_t n[5];
            mkba_ap_counts(a, x, n);
            mkba_table_text(t, g->outcome);
            mkba_table_text(t, g->by);
            mkba_table_text(t, x->name);
            mkba_table_text(t, g->reason[l][0] ? "" : mkba_est_method_name(x->e.method));
            mkba_table_number_or_withheld(t, x->e.estimate, (mask & (est)) != 0);
            mkba_table_number_or_withheld(t, x->e.se, (mask & (est)) != 0);
            mkba_table_number_or_withheld(t, x->e.ci_lo, (mask & (est | MKBA_HIDE_CI_LO)) != 0);
            mkba_table_number_or_withheld(t, x->e.ci_hi, (mask & (est | MKBA_HIDE_CI_HI)) != 0);
            mkba_table_number_or_withheld(t, x->e.df, (mask & (est | MKBA_HIDE_DF)) != 0);
            mkba_table_count_or_withheld(t, n[0], (mask & MKBA_HIDE_N_PILOT) != 0);
            mkba_table_count_or_withheld(t, n[1], (mask & MKBA_HIDE_N_CONTROL) != 0);
            mkba_table_int(t, mask != 0);
            mkba_table_text(t, out_sub_level_note(a, g, l));
            mkba_table_number(t, het ? g->het.q : NAN);
            mkba_table_number(t, het ? g->het.df : NAN);
            mkba_table_number(t, het ? g->het.p : NAN);
            mkba_table_end_row(t);
        }
    }
}

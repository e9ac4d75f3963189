/* tables_mc.c - builders of the Monte Carlo tables (tables.h): mc_voi,
 * mc_summary, mc_items, mc_uncertain, mc_effects. */
#include "mkba/tables.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mkba/disclose.h"
#include "mkba/fmt.h"
#include "mkba/sim.h"
#include "out_internal.h"

/* Every row carries the run's draws and seed, so a table copied out of its
 * folder still says how it was made. */
static void w_run(mkba_table *t, const mkba_mc *mc)
{
    char seed[32];
    mkba_table_number(t, (double)mc->draws);
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)mc->seed);
    mkba_table_text(t, seed);
}

static void w_stats(mkba_table *t, const mkba_stats *st)
{
    mkba_table_number(t, st->mean);
    mkba_table_number(t, st->sd);
    mkba_table_number(t, st->p5);
    mkba_table_number(t, st->p50);
    mkba_table_number(t, st->p95);
    mkba_table_share(t, st->p_positive);
    mkba_table_number(t, (double)st->n);
}

static const char *const STATS_COLS[][2] = {
    {"mean", "gemiddelde"}, {"sd", "sd"}, {"p5", "p5"}, {"p50", "p50"}, {"p95", "p95"},
    {"p_positive", "p_positief"}, {"n", "n"}, {"draws", "trekkingen"}, {"seed", "seed"},
    {NULL, NULL}};

/* The lead columns ({English, Dutch}, ending in {NULL, NULL}), then the
 * statistics and the run. */
static void header_with_stats(mkba_table *t, const char *const (*lead)[2])
{
    mkba_table_add_cols_nl(t, lead);
    mkba_table_add_cols_nl(t, STATS_COLS);
}

void mkba_tables_mc_summary(mkba_table *t, const mkba_appraisal *a)
{
    const mkba_mc *mc = a->mc;
    static const char *const lead[][2] = {
        {"scenario", "scenario"}, {"stakeholder", "actor"}, {"measure", "maatstaf"}, {NULL, NULL}};
    header_with_stats(t, lead);
    for (size_t s = 1; s < a->n_scenarios; s++)
        for (size_t k = 0; k <= a->n_stakeholders; k++) {
            const char *who = k == a->n_stakeholders ? "society" : a->stakeholders[k];
            const mkba_stats *st[] = {&mc->npv[mkba_mc_idx(mc, s, k)],
                                      &mc->pv_benefits[mkba_mc_idx(mc, s, k)],
                                      &mc->pv_costs[mkba_mc_idx(mc, s, k)],
                                      &mc->bcr[mkba_mc_idx(mc, s, k)]};
            const char *what[] = {"npv", "pv_benefits", "pv_costs", "bcr"};
            for (int m = 0; m < 4; m++) {
                mkba_table_text(t, a->scenarios[s].name);
                mkba_table_text(t, who);
                mkba_table_text(t, what[m]);
                w_stats(t, st[m]);
                w_run(t, mc);
                mkba_table_end_row(t);
            }
        }
}

void mkba_tables_mc_items(mkba_table *t, const mkba_appraisal *a)
{
    const mkba_mc *mc = a->mc;
    static const char *const lead[][2] = {{"scenario", "scenario"}, {"item", "post"}, {NULL, NULL}};
    header_with_stats(t, lead);
    for (size_t s = 1; s < a->n_scenarios; s++)
        for (size_t i = 0; i < a->n_items; i++) {
            mkba_table_text(t, a->scenarios[s].name);
            mkba_table_text(t, a->items[i].name);
            w_stats(t, &mc->items[s * a->n_items + i]);
            w_run(t, mc);
            mkba_table_end_row(t);
        }
}

void mkba_tables_mc_uncertain(mkba_table *t, const mkba_appraisal *a)
{
    const mkba_mc *mc = a->mc;
    static const char *const lead[][2] = {{"quantity", "grootheid"}, {NULL, NULL}};
    header_with_stats(t, lead);
    for (size_t k = 0; k < mc->n_uncertain; k++) {
        mkba_table_text(t, mc->uncertain_names[k]);
        w_stats(t, &mc->uncertain[k]);
        w_run(t, mc);
        mkba_table_end_row(t);
    }
}

void mkba_tables_mc_effects(mkba_table *t, const mkba_appraisal *a)
{
    const mkba_mc *mc = a->mc;
    static const char *const names[][2] = {
        {"effect", "effect"},
        {"estimate", "schatting"},
        {"ci_lo", "bi_onder"},
        {"ci_hi", "bi_boven"},
        {"bootstrap_ci_lo", "bootstrap_bi_onder"},
        {"bootstrap_ci_hi", "bootstrap_bi_boven"},
        {"bootstrap_replicates", "bootstrap_herhalingen"},
        {"draws_mean", "gemiddelde_trekkingen"},
        {"draws_sd", "sd_trekkingen"},
        {"draws", "trekkingen"},
        {"seed", "seed"},
        {NULL, NULL}};
    mkba_table_add_cols_nl(t, names);
    for (size_t j = 0; j < mc->n_outcomes && j < a->n_effects; j++) {
        const mkba_effect *e = &a->effects[j].e;
        mkba_table_text(t, a->effects[j].name);
        unsigned mask = mkba_ap_effect_hidden(a, j); /* no CI that gives a df away */
        int est = (mask & MKBA_HIDE_ESTIMATE) != 0;  /* nor what rests on a small group */
        mkba_table_number_or_withheld(t, e->estimate, est);
        mkba_table_number_or_withheld(t, e->ci_lo, (mask & MKBA_HIDE_CI_LO) != 0);
        mkba_table_number_or_withheld(t, e->ci_hi, (mask & MKBA_HIDE_CI_HI) != 0);
        mkba_table_number_or_withheld(t, mc->boot_lo[j], est);
        mkba_table_number_or_withheld(t, mc->boot_hi[j], est);
        mkba_table_number(t, (double)mc->n_boot);
        mkba_table_number_or_withheld(t, mc->effects[j].mean, est);
        mkba_table_number_or_withheld(t, mc->effects[j].sd, est);
        w_run(t, mc);
        mkba_table_end_row(t);
    }
}

void mkba_tables_mc_voi(mkba_table *t, const mkba_appraisal *a)
{
    const mkba_mc *mc = a->mc;
    static const char *const names[][2] = {{"quantity", "grootheid"},
                                           {"value", "waarde"},
                                           {"best_choice", "beste_keuze"},
                                           {"draws", "trekkingen"},
                                           {"seed", "seed"},
                                           {NULL, NULL}};
    mkba_table_add_cols_nl(t, names);
    mkba_table_text(t, "evpi");
    mkba_table_number(t, mc->evpi);
    mkba_table_text(t, a->scenarios[mc->best].name);
    w_run(t, mc);
    mkba_table_end_row(t);
    for (size_t k = 0; k < mc->n_uncertain + mc->n_outcomes; k++) {
        char q[320];
        snprintf(q, sizeof q, "evppi:%s",
                 k < mc->n_uncertain ? mc->uncertain_names[k]
                                     : a->effects[k - mc->n_uncertain].name);
        mkba_table_text(t, q);
        mkba_table_number_or_withheld(t, mc->evppi[k], mkba_ap_mc_input_withheld(a, k));
        mkba_table_text(t, a->scenarios[mc->best].name);
        w_run(t, mc);
        mkba_table_end_row(t);
    }
}

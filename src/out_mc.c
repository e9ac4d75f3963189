/* out_mc.c - Monte Carlo outputs: the uncertainty section of the terminal
 * report, and every draw as CSV (--draws-out) for users' own analysis.
 * Aggregates only: a draw holds parameters, effects and present values,
 * never a person's data. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "mkba/fsutil.h"
#include "mkba/mem.h"
#include "mkba/fmt.h"
#include "mkba/out.h"
#include "mkba/sim.h"
#include "sink_term.h"
#include "mkba/sink_csv.h"
#include "out_internal.h"
#include "sink_term.h"

/* Labels, names and the currency reach the terminal through out_term_text
 * (T): escaped, see escape.h. Every statistic goes through a formatter
 * that prints "n/a" when it is not finite. */
static void print_npv_table(FILE *f, const mkba_appraisal *a, size_t s, out_term *T, int nl)
{
    const mkba_mc *mc = a->mc;
    const term_col col[] = {{TR("NPV (saldo)"), 0, 1}, {TR("Mean"), 1, 0}, {TR("SD"), 1, 0},
                            {"P5", 1, 0},              {"P50", 1, 0},      {"P95", 1, 0},
                            {"P(>0)", 1, 0}};
    term_table t = {col, sizeof col / sizeof col[0], 0, 0, NULL, NULL};
    int all_zero = 0;
    for (size_t k = 0; k <= a->n_stakeholders; k++) {
        const mkba_stats *st = &mc->npv[mkba_mc_idx(mc, s, k)];
        char v[6][32];
        mkba_fmt_term_amount(v[0], sizeof v[0], st->mean, nl);
        mkba_fmt_term_amount(v[1], sizeof v[1], st->sd, nl);
        mkba_fmt_term_amount(v[2], sizeof v[2], st->p5, nl);
        mkba_fmt_term_amount(v[3], sizeof v[3], st->p50, nl);
        mkba_fmt_term_amount(v[4], sizeof v[4], st->p95, nl);
        mkba_fmt_term_share(v[5], sizeof v[5], st->p_positive, nl);
        all_zero |= mkba_stats_all_zero(st);
        /* the full label (term_tab_add escapes it; a long one wraps, never cut) */
        const char *row[] = {mkba_fmt_holder_label(a, k, nl), v[0], v[1], v[2], v[3], v[4], v[5]};
        term_tab_add(&t, row, 0);
    }
    term_tab_print(f, &t);
    term_tab_free(&t);
    if (all_zero)
        fputs(TR("  P(>0) n/a: the NPV is 0 in every draw.\n"), f);
    const mkba_stats *soc = &mc->pv_benefits[mkba_mc_idx(mc, s, a->n_stakeholders)];
    const mkba_stats *soc_c = &mc->pv_costs[mkba_mc_idx(mc, s, a->n_stakeholders)];
    const mkba_stats *bcr = &mc->bcr[mkba_mc_idx(mc, s, a->n_stakeholders)];
    char b[32], c[32], r5[16], r50[16], r95[16], ratios[128];
    mkba_fmt_term_amount(b, sizeof b, soc->mean, nl);
    mkba_fmt_term_amount(c, sizeof c, soc_c->mean, nl);
    mkba_fmt_term_ratio(r5, sizeof r5, bcr->p5, nl);
    mkba_fmt_term_ratio(r50, sizeof r50, bcr->p50, nl);
    mkba_fmt_term_ratio(r95, sizeof r95, bcr->p95, nl);
    if (bcr->n == 0) /* some draw has no ratio (summary.c, bcr_stats) */
        mkba_fmt_join(ratios, sizeof ratios, TR("B/C "), mkba_fmt_bcr_mc_na(nl), NULL);
    else
        mkba_fmt_join(ratios, sizeof ratios, TR("B/C P5 "), r5, ", P50 ", r50, ", P95 ", r95, NULL);
    const char *cur = out_term_text(T, a->currency);
    char *line = mkba_xasprintf(TR("Society: PV benefits %s %s, PV costs %s %s on average; %s."), cur,
                                b, cur, c, ratios);
    term_para(f, TERM_INDENT, 2 * TERM_INDENT, line);
    free(line);
}

/* Scenarios side by side (common random numbers: the columns are
 * comparable draw by draw): society's P5, P50, P95 and P(>0), and each
 * stakeholder's mean, under its full label (a table too wide is split
 * into blocks, sink_term.h; no name is cut). */
static void side_by_side(FILE *f, const mkba_appraisal *a, int nl)
{
    const mkba_mc *mc = a->mc;
    size_t K = a->n_stakeholders, n = 5 + K;
    out_term T = {0};
    term_col *col = mkba_xcalloc(n, sizeof *col);
    const term_col fixed[] = {{TR("Scenario"), 0, 1}, {"P5", 1, 0}, {"P50", 1, 0},
                              {"P95", 1, 0},          {"P(>0)", 1, 0}};
    for (size_t c = 0; c < 5; c++)
        col[c] = fixed[c];
    for (size_t k = 0; k < K; k++)
        col[5 + k] = (term_col){out_term_text(&T, mkba_fmt_holder_label(a, k, nl)), 1, 0};
    term_table t = {col, n, 0, 0, NULL, NULL};
    const char **row = mkba_xcalloc(n, sizeof *row);
    char (*v)[32] = mkba_xcalloc(n, sizeof *v);
    for (size_t s = 1; s < a->n_scenarios; s++) {
        const mkba_stats *st = &mc->npv[mkba_mc_idx(mc, s, K)];
        mkba_fmt_term_amount(v[1], sizeof v[1], st->p5, nl);
        mkba_fmt_term_amount(v[2], sizeof v[2], st->p50, nl);
        mkba_fmt_term_amount(v[3], sizeof v[3], st->p95, nl);
        mkba_fmt_term_share(v[4], sizeof v[4], st->p_positive, nl);
        for (size_t k = 0; k < K; k++)
            mkba_fmt_term_amount(v[5 + k], sizeof v[5 + k], mc->npv[mkba_mc_idx(mc, s, k)].mean, nl);
        row[0] = mkba_fmt_scen_label(a, s, nl);
        for (size_t c = 1; c < n; c++)
            row[c] = v[c];
        term_tab_add(&t, row, 0);
    }
    fputs(TR("\n  Scenarios side by side: society's NPV\n"), f);
    term_tab_print(f, &t);
    fputs(TR("  (P5, P50, P95 and P(>0) of society's NPV; per stakeholder its mean)\n"), f);
    term_tab_free(&t);
    out_term_free(&T);
    free(v);
    free(row);
    free(col);
}

void mkba_out_print_mc(FILE *f, const mkba_appraisal *a, int nl)
{
    const mkba_mc *mc = a->mc;
    if (!mc)
        return;
    out_term T = {0};
    const char *cur = out_term_text(&T, a->currency);
    char draws[32];
    mkba_fmt_term_amount(draws, sizeof draws, (double)mc->draws, nl);
    fprintf(f, TR("\nUncertainty (Monte Carlo: %s draws, seed %llu, %d %s"), draws,
            (unsigned long long)mc->seed, mc->threads, mc->threads == 1 ? TR("thread") : TR("threads"));
    if (mc->ranks > 1)
        fprintf(f, TR(" in each of %d MPI processes"), mc->ranks);
    if (mc->n_boot)
        fprintf(f, TR(", effects from %zu bootstrap replicates"), mc->n_boot);
    fprintf(f, TR("; %.2f s)\n"), mc->seconds);
    fprintf(f, TR("  Amounts in %s; every scenario sees the same draws (common random numbers).\n"),
            cur);
    if (mc->n_outcomes && mc->n_boot) {
        fprintf(f, TR("\n  Effects: analytic and bootstrap 95%% confidence intervals\n"));
        fprintf(f, "  %-24s %11s %27s %27s\n", TR("Effect"), TR("Estimate"),
                TR("Analytic 95% CI"), TR("Bootstrap 95% CI"));
        for (size_t j = 0; j < mc->n_outcomes && j < a->n_effects; j++) {
            const mkba_effect *e = &a->effects[j].e;
            char est[32], lo[32], hi[32], an[72], bs[72];
            mkba_fmt_term_g4(lo, sizeof lo, e->ci_lo, nl);
            mkba_fmt_term_g4(hi, sizeof hi, e->ci_hi, nl);
            snprintf(an, sizeof an, TR("[%s, %s]"), lo, hi);
            if (mkba_ap_effect_hidden(a, j) & MKBA_HIDE_CI) /* disclosure control */
                snprintf(an, sizeof an, "x");
            mkba_fmt_term_g4(lo, sizeof lo, mc->boot_lo[j], nl);
            mkba_fmt_term_g4(hi, sizeof hi, mc->boot_hi[j], nl);
            snprintf(bs, sizeof bs, TR("[%s, %s]"), lo, hi);
            mkba_fmt_term_g4(est, sizeof est, e->estimate, nl);
            if (mkba_ap_effect_withheld(a, j)) { /* a small group: as in the effects table */
                snprintf(est, sizeof est, "x");
                snprintf(an, sizeof an, "x");
                snprintf(bs, sizeof bs, "x");
            }
            fprintf(f, "  %-24.24s %11s %27s %27s\n", out_term_text(&T, a->effects[j].name),
                    est, an, bs);
        }
        if (mc->n_boot_failed && mkba_ap_boot_failed_withheld(a))
            term_para(f, 2, 2,
                      TR("Some bootstrap estimates could not be made (their number is withheld: "
                         "disclosure control); the draws use the replicates in which every "
                         "effect could be estimated."));
        else if (mc->n_boot_failed) {
            char *text = mkba_xasprintf(
                TR("%zu bootstrap estimates could not be made (a covariate without variation, or "
                   "for ipw and dr a propensity model that separates the groups, in the "
                   "replicate); the draws use the replicates in which every effect could be "
                   "estimated."),
                mc->n_boot_failed);
            term_para(f, 2, 2, text);
            free(text);
        }
    }
    for (size_t s = 1; s < a->n_scenarios; s++) {
        fprintf(f, TR("\n  %s vs %s\n"), out_term_text(&T, mkba_fmt_scen_label(a, s, nl)),
                out_term_text(&T, mkba_fmt_scen_label(a, 0, nl)));
        print_npv_table(f, a, s, &T, nl);
    }
    if (a->n_scenarios > 2)
        side_by_side(f, a, nl);
    if (mc->n_nonfinite)
        fprintf(f, TR("  Warning: %zu draws gave a non-finite result (e.g. a division by zero) "
                   "and are left out of the statistics.\n"),
                mc->n_nonfinite);
    if (isfinite(mc->evpi)) {
        char ev[32];
        mkba_fmt_term_amount(ev, sizeof ev, mc->evpi, nl);
        fprintf(f, TR("\n  Value of information (society, choosing among %s and the projects):\n"
                   "    best choice on average: %s; EVPI %s %s (what resolving all\n"
                   "    uncertainty would be worth). EVPPI per input (what studying it would be worth):\n"),
                out_term_text(&T, mkba_fmt_scen_label(a, 0, nl)),
                out_term_text(&T, mkba_fmt_scen_label(a, mc->best, nl)), cur, ev);
        const term_col col[] = {{TR("Input"), 0, 1}, {"EVPPI", 1, 0}};
        term_table t = {col, 2, 0, 0, NULL, NULL};
        for (size_t k = 0; k < mc->n_uncertain + mc->n_outcomes; k++) {
            if (!(mc->evppi[k] > 0.5) || mkba_ap_mc_input_withheld(a, k))
                continue; /* only inputs worth at least 1 currency unit, and shown */
            char amt[32], e[96];
            mkba_fmt_term_amount(amt, sizeof amt, mc->evppi[k], nl);
            mkba_fmt_join(e, sizeof e, a->currency ? a->currency : "", " ", amt, NULL);
            /* the input's label, never its key; long ones wrap (term_tab_add escapes) */
            const char *row[] = {k < mc->n_uncertain
                                     ? mkba_fmt_input_label(a, mc->uncertain_names[k], nl)
                                     : mkba_fmt_effect_label(&a->effects[k - mc->n_uncertain],
                                                             nl),
                                 e};
            term_tab_add(&t, row, 0);
        }
        if (t.nrows)
            term_tab_print(f, &t);
        term_tab_free(&t);
    } else if (a->n_scenarios > 1 && mc->voi_draws > 0) { /* the VOI sums overflowed */
        fprintf(f, TR("\n  Value of information: n/a (society's net benefits are too large to "
                   "add up).\n"));
    }
    fprintf(f, TR("\n  Chance that benefits exceed costs for society:\n"));
    for (size_t s = 1; s < a->n_scenarios; s++) {
        char pp[32];
        mkba_fmt_term_share(pp, sizeof pp, mc->npv[mkba_mc_idx(mc, s, a->n_stakeholders)].p_positive, nl);
        fprintf(f, "    %s: %s\n", out_term_text(&T, mkba_fmt_scen_label(a, s, nl)), pp);
    }
    out_term_free(&T);
    mkba_out_fin_print_mc(f, a, nl); /* payback and IRR: out_fin.c */
}

/* ---- every draw as CSV ---- */

/* A column name of the draws file, built from model names ("a:b:c"), as
 * a CSV text cell (quoted, and neutralised when a spreadsheet would run it:
 * sink_csv.h). */
static void csv_name(FILE *fp, const char *a, const char *b, const char *c)
{
    char *name = mkba_xasprintf("%s%s%s%s%s", a, b ? ":" : "", b ? b : "", c ? ":" : "",
                                c ? c : "");
    mkba_sink_csv_text(fp, name, ',', 0);
    free(name);
}

mkba_status mkba_out_write_draws(mkba_pub *pub, const char *path, const mkba_sim *sim,
                                 const mkba_plan *plan, const mkba_appraisal *a, mkba_error *err)
{
    if (!sim->uncertain)
        return mkba_error_set(err, MKBA_EINVAL, path, 0, NULL,
                              "the run kept no draws to write (keep_uncertain was off)");
    FILE *fp = mkba_pub_open(pub, path, "--draws-out", err);
    if (!fp)
        return err->code ? err->code : MKBA_EIO;
    size_t D = sim->draws, K = sim->n_stakeholders;
    mkba_sink_csv_text(fp, "draw", ',', 1);
    for (size_t k = 0; k < sim->n_uncertain; k++)
        csv_name(fp, plan->uncertain[k].name, NULL, NULL);
    for (size_t j = 0; j < sim->n_outcomes; j++)
        csv_name(fp, plan->slot_names[plan->outcome_slots[j]], NULL, NULL);
    for (size_t s = 1; s < sim->n_scenarios; s++)
        for (size_t k = 0; k <= K; k++) {
            const char *who = k == K ? "society" : a->stakeholders[k];
            const char *what[] = {"npv", "pv_benefits", "pv_costs"};
            for (int m = 0; m < 3; m++)
                csv_name(fp, a->scenarios[s].name, who, what[m]);
        }
    fputc('\n', fp);
    for (size_t d = 0; d < D; d++) {
        fprintf(fp, "%zu", d + 1);
        for (size_t k = 0; k < sim->n_uncertain; k++)
            fprintf(fp, ",%.17g", sim->uncertain[k * D + d]);
        for (size_t j = 0; j < sim->n_outcomes; j++) /* a withheld effect: empty */
            if (mkba_ap_effect_withheld(a, j))
                fputc(',', fp);
            else
                fprintf(fp, ",%.17g", sim->effects[j * D + d]);
        for (size_t s = 1; s < sim->n_scenarios; s++)
            for (size_t k = 0; k <= K; k++) {
                size_t c = mkba_sim_col(sim, s, k);
                double b = sim->pv_benefits[c * D + d], co = sim->pv_costs[c * D + d];
                fprintf(fp, ",%.17g,%.17g,%.17g", mkba_npv(b, co), b, co);
            }
        fputc('\n', fp);
    }
    return MKBA_OK; /* a write error is reported when the run is published */
}

/* ---- results.json ---- */

static int jstats(cJSON *parent, const char *key, const mkba_stats *st)
{
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddItemToObject(parent, key, o))
        return cJSON_Delete(o), 0;
    const char *names[] = {"mean", "sd", "p5", "p50", "p95", "p_positive"};
    double v[] = {st->mean, st->sd, st->p5, st->p50, st->p95, st->p_positive};
    for (int i = 0; i < 6; i++) {
        cJSON *x = isfinite(v[i]) ? cJSON_CreateNumber(v[i]) : cJSON_CreateNull();
        if (!x || !cJSON_AddItemToObject(o, names[i], x))
            return cJSON_Delete(x), 0;
    }
    return cJSON_AddNumberToObject(o, "n", (double)st->n) != NULL;
}

int mkba_out_mc_json(cJSON *root, const mkba_appraisal *a)
{
    const mkba_mc *mc = a->mc;
    cJSON *m = cJSON_AddObjectToObject(root, "monte_carlo");
    if (!m)
        return 0;
    /* The seed is a 64-bit integer: as text it survives any JSON reader. */
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)mc->seed);
    int ok = cJSON_AddNumberToObject(m, "draws", (double)mc->draws) &&
             cJSON_AddStringToObject(m, "seed", seed) &&
             cJSON_AddNumberToObject(m, "bootstrap_replicates", (double)mc->n_boot) &&
             (mkba_ap_boot_failed_withheld(a)
                  ? cJSON_AddNullToObject(m, "bootstrap_failed") != NULL
                  : cJSON_AddNumberToObject(m, "bootstrap_failed", (double)mc->n_boot_failed) != NULL) &&
             cJSON_AddNumberToObject(m, "nonfinite_draws", (double)mc->n_nonfinite) &&
             cJSON_AddNumberToObject(m, "block_size", MKBA_SIM_BLOCK) &&
             cJSON_AddStringToObject(m, "generator", "xoshiro256** streams keyed by (seed, block)") &&
             cJSON_AddBoolToObject(m, "correlated_inputs", mc->has_copula);
    if (!ok)
        return 0;
    cJSON *res = cJSON_AddArrayToObject(m, "scenarios");
    if (!res)
        return 0;
    for (size_t s = 1; s < a->n_scenarios; s++) {
        cJSON *o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(res, o))
            return cJSON_Delete(o), 0;
        if (!cJSON_AddStringToObject(o, "scenario", a->scenarios[s].name))
            return 0;
        cJSON *holders = cJSON_AddObjectToObject(o, "stakeholders");
        if (!holders)
            return 0;
        for (size_t k = 0; k <= a->n_stakeholders; k++) {
            cJSON *h = cJSON_CreateObject();
            const char *who = k == a->n_stakeholders ? "society" : a->stakeholders[k];
            if (!h || !cJSON_AddItemToObject(k == a->n_stakeholders ? o : holders, who, h))
                return cJSON_Delete(h), 0;
            size_t c = mkba_mc_idx(mc, s, k);
            if (!jstats(h, "npv", &mc->npv[c]) || !jstats(h, "pv_benefits", &mc->pv_benefits[c]) ||
                !jstats(h, "pv_costs", &mc->pv_costs[c]) || !jstats(h, "bcr", &mc->bcr[c]))
                return 0;
        }
        cJSON *items = cJSON_AddObjectToObject(o, "items");
        if (!items)
            return 0;
        for (size_t i = 0; i < a->n_items; i++)
            if (!jstats(items, a->items[i].name, &mc->items[s * a->n_items + i]))
                return 0;
    }
    cJSON *unc = cJSON_AddObjectToObject(m, "uncertain");
    if (!unc)
        return 0;
    for (size_t k = 0; k < mc->n_uncertain; k++)
        if (!jstats(unc, mc->uncertain_names[k], &mc->uncertain[k]))
            return 0;
    cJSON *voi = cJSON_AddObjectToObject(m, "value_of_information");
    if (!voi || !cJSON_AddItemToObject(voi, "evpi", isfinite(mc->evpi) ? cJSON_CreateNumber(mc->evpi)
                                                                       : cJSON_CreateNull()) ||
        !cJSON_AddStringToObject(voi, "best_choice", a->scenarios[mc->best].name))
        return 0;
    cJSON *evppi = cJSON_AddObjectToObject(voi, "evppi");
    if (!evppi)
        return 0;
    for (size_t k = 0; k < mc->n_uncertain + mc->n_outcomes; k++) {
        const char *name = k < mc->n_uncertain ? mc->uncertain_names[k]
                                               : a->effects[k - mc->n_uncertain].name;
        int show = isfinite(mc->evppi[k]) && !mkba_ap_mc_input_withheld(a, k);
        cJSON *v = show ? cJSON_CreateNumber(mc->evppi[k]) : cJSON_CreateNull();
        if (!v || !cJSON_AddItemToObject(evppi, name, v))
            return cJSON_Delete(v), 0;
    }
    cJSON *eff = cJSON_AddObjectToObject(m, "effects");
    if (!eff)
        return 0;
    for (size_t j = 0; j < mc->n_outcomes && j < a->n_effects; j++) {
        cJSON *e = cJSON_CreateObject();
        if (!e || !cJSON_AddItemToObject(eff, a->effects[j].name, e))
            return cJSON_Delete(e), 0;
        /* a withheld effect (a small group): its draws and bootstrap CI null */
        int show = !mkba_ap_effect_withheld(a, j);
        mkba_stats none = {.mean = NAN, .sd = NAN, .p5 = NAN, .p50 = NAN, .p95 = NAN,
                           .p_positive = NAN};
        if (!jstats(e, "draws", show ? &mc->effects[j] : &none))
            return 0;
        cJSON *lo = show && isfinite(mc->boot_lo[j]) ? cJSON_CreateNumber(mc->boot_lo[j])
                                                     : cJSON_CreateNull();
        cJSON *hi = show && isfinite(mc->boot_hi[j]) ? cJSON_CreateNumber(mc->boot_hi[j])
                                                     : cJSON_CreateNull();
        if (!lo || !cJSON_AddItemToObject(e, "bootstrap_ci_lo", lo))
            return cJSON_Delete(lo), cJSON_Delete(hi), 0;
        if (!hi || !cJSON_AddItemToObject(e, "bootstrap_ci_hi", hi))
            return cJSON_Delete(hi), 0;
    }
    return 1;
}

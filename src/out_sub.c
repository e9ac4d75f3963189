/* out_sub.c - subgroup outputs (an outcome's `by`): the effect per level
 * of the covariate with its CI and the test of heterogeneity, in the
 * terminal report, subgroups.csv (and subgroups_nl.csv) and results.json
 * ("subgroups"). Disclosure control is appraisal.c's rule (mkba_ap_hidden,
 * mkba_ap_het_withheld): a level with a small group shows its counts as
 * "<N" and no numbers, and then the heterogeneity test is withheld too.
 * The HTML report's section is report.c's subgroups_section. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "mkba/fmt.h"
#include "mkba/out.h"
#include "out_internal.h"

/* The note of level l: why it has no numbers, or "". */
const char *out_sub_level_note(const mkba_appraisal *a, const mkba_ap_subgroup *g, size_t l)
{
    if (mkba_ap_hidden(a, &g->levels[l]) & MKBA_HIDE_ESTIMATE)
        return "withheld: fewer persons than [privacy] min_group in a group";
    return g->reason[l];
}

/* ============================== terminal =============================== */

static void print_table(FILE *f, const mkba_appraisal *a, const mkba_ap_subgroup *g, out_term *T,
                        int nl)
{
    fprintf(f, TR("\nEffect of %s per subgroup of %s\n"), out_term_text(T, g->outcome),
            out_term_text(T, g->by));
    fprintf(f, "  %-24s %10s %24s %10s %8s %9s\n", TR("Level"), TR("Estimate"), TR("95% CI"),
            TR("SE"), TR("n pilot"), TR("n control"));
    for (size_t l = 0; l < g->n_levels; l++) {
        const mkba_ap_effect *x = &g->levels[l];
        unsigned mask = mkba_ap_hidden(a, x);
        char est[32], lo[32], hi[32], ci[72], se[32], np[32], nc[32];
        size_t n[5];
        mkba_ap_counts(a, x, n);
        mkba_fmt_term_g4(est, sizeof est, x->e.estimate, nl);
        mkba_fmt_term_g4(se, sizeof se, x->e.se, nl);
        mkba_fmt_term_g4(lo, sizeof lo, x->e.ci_lo, nl);
        mkba_fmt_term_g4(hi, sizeof hi, x->e.ci_hi, nl);
        snprintf(ci, sizeof ci, TR("[%s, %s]"), lo, hi);
        if (mask & MKBA_HIDE_ESTIMATE || g->reason[l][0]) {
            snprintf(est, sizeof est, "-");
            snprintf(se, sizeof se, "-");
            snprintf(ci, sizeof ci, "-");
        } else if (mask & MKBA_HIDE_CI) {
            snprintf(ci, sizeof ci, "x");
        }
        int groups = (mask & MKBA_HIDE_GROUP_SIZES) != 0;
        mkba_disclose_count(np, sizeof np, a, n[0], (mask & MKBA_HIDE_N_PILOT) != 0, groups);
        mkba_disclose_count(nc, sizeof nc, a, n[1], (mask & MKBA_HIDE_N_CONTROL) != 0, groups);
        fprintf(f, "  %-24.24s %10s %24s %10s %8s %9s\n", out_term_text(T, x->name), est, ci,
                se, np, nc);
    }
    for (size_t l = 0; l < g->n_levels; l++) {
        const char *note = out_sub_level_note(a, g, l);
        if (note[0])
            fprintf(f, "  %s: %s\n", out_term_text(T, g->levels[l].name), out_term_text(T, TR(note)));
    }
    char buf[160];
    const char *why = mkba_ap_het_withheld(a, g, buf, sizeof buf);
    if (why) {
        fprintf(f, TR("  heterogeneity: not shown (%s)\n"), out_term_text(T, TR(why)));
        return;
    }
    char q[32], p[32];
    mkba_fmt_term_g4(q, sizeof q, g->het.q, nl);
    mkba_fmt_term_g4(p, sizeof p, g->het.p, nl);
    fprintf(f, TR("  heterogeneity: Q = %s, df = %.0f, p = %s\n"), q, g->het.df, p);
}

void mkba_out_print_subgroups(FILE *f, const mkba_appraisal *a, int nl)
{
    if (!a->subgroups)
        return;
    out_term T = {0};
    for (size_t i = 0; i < a->subgroups->n; i++)
        print_table(f, a, &a->subgroups->v[i], &T, nl);
    fprintf(f, TR("  Heterogeneity: Cochran's Q test that the effect is the same in every "
               "subgroup (a small p: it differs). *, <%zu and x as in the effects table.\n"),
            a->min_group);
    out_term_free(&T);
}

/* ================================ CSV ================================== */

/* x, or NaN (an empty field) when 'bit' of mask is set. */
static double shown(double x, unsigned mask, unsigned bit)
{
    return mask & bit ? NAN : x;
}


/* =============================== JSON ================================== */

/* A number, or null when not finite or withheld. */
static int jnum(cJSON *o, const char *key, double x)
{
    cJSON *v = isfinite(x) ? cJSON_CreateNumber(x) : cJSON_CreateNull();
    return v && cJSON_AddItemToObject(o, key, v) ? 1 : (cJSON_Delete(v), 0);
}

static int jlevel(cJSON *arr, const mkba_appraisal *a, const mkba_ap_subgroup *g, size_t l)
{
    const mkba_ap_effect *x = &g->levels[l];
    unsigned mask = mkba_ap_hidden(a, x), est = MKBA_HIDE_ESTIMATE;
    size_t n[5];
    mkba_ap_counts(a, x, n);
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddItemToArray(arr, o))
        return cJSON_Delete(o), 0;
    int ok = cJSON_AddStringToObject(o, "level", x->name) != NULL &&
             cJSON_AddStringToObject(
                 o, "method", g->reason[l][0] ? "" : mkba_est_method_name(x->e.method)) != NULL;
    ok = ok && jnum(o, "estimate", shown(x->e.estimate, mask, est)) &&
         jnum(o, "se", shown(x->e.se, mask, est)) &&
         jnum(o, "ci_lo", shown(x->e.ci_lo, mask, est | MKBA_HIDE_CI_LO)) &&
         jnum(o, "ci_hi", shown(x->e.ci_hi, mask, est | MKBA_HIDE_CI_HI)) &&
         jnum(o, "df", shown(x->e.df, mask, est | MKBA_HIDE_DF)) &&
         jnum(o, "n_pilot", shown((double)n[0], mask, MKBA_HIDE_N_PILOT)) &&
         jnum(o, "n_control", shown((double)n[1], mask, MKBA_HIDE_N_CONTROL));
    ok = ok && cJSON_AddBoolToObject(o, "suppressed", mask != 0) != NULL &&
         cJSON_AddStringToObject(o, "note", out_sub_level_note(a, g, l)) != NULL;
    return ok;
}

int mkba_out_sub_json(cJSON *root, const mkba_appraisal *a)
{
    if (!a->subgroups)
        return 1;
    cJSON *arr = cJSON_AddArrayToObject(root, "subgroups");
    int ok = arr != NULL;
    for (size_t i = 0; ok && i < a->subgroups->n; i++) {
        const mkba_ap_subgroup *g = &a->subgroups->v[i];
        cJSON *o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            return 0;
        }
        ok = cJSON_AddStringToObject(o, "outcome", g->outcome) &&
             cJSON_AddStringToObject(o, "by", g->by);
        cJSON *lv = ok ? cJSON_AddArrayToObject(o, "levels") : NULL;
        ok = lv != NULL;
        for (size_t l = 0; ok && l < g->n_levels; l++)
            ok = jlevel(lv, a, g, l);
        char buf[160];
        const char *why = mkba_ap_het_withheld(a, g, buf, sizeof buf);
        cJSON *h = ok ? cJSON_AddObjectToObject(o, "heterogeneity") : NULL;
        ok = h && jnum(h, "q", why ? NAN : g->het.q) && jnum(h, "df", why ? NAN : g->het.df) &&
             jnum(h, "p", why ? NAN : g->het.p) &&
             cJSON_AddStringToObject(h, "note", why ? why : "");
    }
    return ok;
}

/* disclose.c - disclosure control: the rules of disclose.h, in one place
 * for every output (the effects, subgroups, the propensity model and its
 * overlap histogram), and the names and texts the outputs give a withheld
 * value. */
#include "mkba/disclose.h"
#include "mkba/sens.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ================================ effects ================================ */

int mkba_ap_groups_hidden(const mkba_appraisal *a)
{
    return mkba_ap_suppressed(a, a->group_pilot) || mkba_ap_suppressed(a, a->group_control);
}

/* The group sizes of x's row: the level's for a subgroup, else the
 * cohort's. */
static void group_sizes(const mkba_appraisal *a, const mkba_ap_effect *x, size_t g[2])
{
    g[0] = x->subgroup ? x->group_pilot : a->group_pilot;
    g[1] = x->subgroup ? x->group_control : a->group_control;
}

/* Whether the group sizes of x's row are known and hold its groups (an
 * appraisal built without a cohort has 0 and 0). */
static int group_sizes_known(const mkba_appraisal *a, const mkba_ap_effect *x)
{
    size_t g[2];
    group_sizes(a, x, g);
    return g[0] > 0 && g[1] > 0 && g[0] >= x->e.n_pilot && g[1] >= x->e.n_control;
}

void mkba_ap_counts(const mkba_appraisal *a, const mkba_ap_effect *x, size_t n[5])
{
    size_t g[2];
    group_sizes(a, x, g);
    int groups = (mkba_ap_hidden(a, x) & MKBA_HIDE_GROUP_SIZES) != 0;
    n[0] = groups ? g[0] : x->e.n_pilot;
    n[1] = groups ? g[1] : x->e.n_control;
    n[2] = x->e.n_missing;
    n[3] = x->missing_pilot;
    n[4] = x->missing_control;
}

void mkba_ap_effect_counts(const mkba_appraisal *a, size_t i, size_t n[5])
{
    mkba_ap_counts(a, &a->effects[i], n);
}

/* The rule is written out in disclose.h. */
unsigned mkba_ap_effect_hidden(const mkba_appraisal *a, size_t i)
{
    if (!a || i >= a->n_effects)
        return 0;
    return mkba_ap_hidden(a, &a->effects[i]);
}

int mkba_ap_effect_withheld(const mkba_appraisal *a, size_t i)
{
    return (mkba_ap_effect_hidden(a, i) & MKBA_HIDE_ESTIMATE) != 0;
}

int mkba_ap_mc_input_withheld(const mkba_appraisal *a, size_t k)
{
    return a && a->mc && k >= a->mc->n_uncertain &&
           mkba_ap_effect_withheld(a, k - a->mc->n_uncertain);
}

/* Whether a column of the propensity model is withheld (all of them when
 * the block is). */
static int ps_any_column_withheld(const mkba_appraisal *a)
{
    for (size_t j = 0; a->ps && j < a->ps->n_coef; j++)
        if (mkba_ap_ps_column_withheld(a, j))
            return 1;
    return 0;
}

/* The share of replicates in which an effect cannot be estimated follows
 * the persons it rests on: with k pilot persons with a value, a replicate
 * draws none or one of them with a chance set by k (k = 3 of 40: some 19%),
 * and a rare level of a propensity covariate drops out of a replicate
 * likewise. So where that count is withheld, the share is too. */
int mkba_ap_boot_failures_withheld(const mkba_appraisal *a, size_t i)
{
    if (!a || i >= a->n_effects)
        return 0;
    if (mkba_ap_effect_withheld(a, i))
        return 1;
    const mkba_ap_effect *x = &a->effects[i];
    if ((x->e.method != MKBA_EST_IPW && x->e.method != MKBA_EST_DR) || !a->ps)
        return 0;
    return mkba_ap_ps_withheld(a) || ps_any_column_withheld(a);
}

int mkba_ap_boot_failed_withheld(const mkba_appraisal *a)
{
    size_t n = a && a->mc ? a->mc->n_outcomes : a ? a->n_effects : 0;
    for (size_t i = 0; i < n; i++)
        if (mkba_ap_boot_failures_withheld(a, i))
            return 1;
    return 0;
}

int mkba_ap_sens_input_withheld(const mkba_appraisal *a, size_t i)
{
    if (!a || !a->sens || i >= a->sens->n_inputs)
        return 0;
    const char *name = a->sens->inputs[i].name;
    if (strncmp(name, "effect.", 7) != 0)
        return 0;
    for (size_t k = 0; k < a->n_effects; k++)
        if (strcmp(a->effects[k].name, name + 7) == 0)
            return mkba_ap_effect_withheld(a, k);
    return 0;
}

void mkba_ap_sens_disclose(mkba_appraisal *a)
{
    mkba_sens *s = a ? a->sens : NULL;
    for (size_t i = 0; s && i < s->n_inputs; i++) {
        if (!mkba_ap_sens_input_withheld(a, i))
            continue;
        mkba_sens_input *in = &s->inputs[i];
        in->base = in->lo = in->hi = in->range_lo = in->range_hi = NAN;
        for (size_t sc = 0; s->switching && sc < s->n_scenarios; sc++)
            s->switching[i * s->n_scenarios + sc] = NAN;
        size_t per = s->n_scenarios * s->n_stakeholders;
        for (size_t k = 0; s->switching_by && k < per; k++)
            s->switching_by[i * per + k] = NAN;
    }
}

unsigned mkba_ap_hidden(const mkba_appraisal *a, const mkba_ap_effect *x)
{
    if (!a || !x)
        return 0;
    size_t n[5] = {x->e.n_pilot, x->e.n_control, x->e.n_missing, x->missing_pilot,
                   x->missing_control};
    int small_group = mkba_ap_suppressed(a, n[0]) || mkba_ap_suppressed(a, n[1]), small = 0;
    for (int k = 2; k < 5; k++)
        small |= mkba_ap_suppressed(a, n[k]);
    int sibling = x->subgroup && x->sibling_small;
    /* An ipw or dr row beside the published propensity block: the block's
     * persons per group less the row's give the fitted persons without
     * the outcome, a count like a missing one. */
    if ((x->e.method == MKBA_EST_IPW || x->e.method == MKBA_EST_DR) && a->ps &&
        !mkba_ap_ps_withheld(a) && !mkba_ap_ps_counts_withheld(a)) {
        size_t used[2] = {x->e.n_control, x->e.n_pilot};
        for (int g = 0; g < 2; g++)
            small |= a->ps->n[g] > used[g] && mkba_ap_suppressed(a, a->ps->n[g] - used[g]);
    }
    if (!small_group && !small && !sibling)
        return 0;
    /* Only a missing count is small: it and its complements go, the
     * groups show their size (when it is known; else as a small group). */
    int first = !small_group && !sibling && group_sizes_known(a, x) ? 2 : 0;
    unsigned mask = first ? MKBA_HIDE_GROUP_SIZES | MKBA_HIDE_DF : 0;
    for (int k = first; k < 5; k++) /* the counts, zeros excepted */
        if (n[k] > 0)
            mask |= (unsigned)MKBA_HIDE_N_PILOT << k;
    if (mask & (MKBA_HIDE_N_PILOT | MKBA_HIDE_N_CONTROL))
        mask |= MKBA_HIDE_DF;
    /* The means too: with the persons used withheld, a mean of a 0/1
     * outcome (73/413) would give its denominator back. */
    if (small_group || sibling || (mask & MKBA_HIDE_GROUP_SIZES))
        mask |= MKBA_HIDE_MEAN_PILOT | MKBA_HIDE_MEAN_CONTROL;
    /* A handful of persons' effect comes near their own values: with two
     * in the pilot, a bootstrap CI is each one's value less the control
     * mean, and the SE their gap. */
    if (small_group)
        mask |= MKBA_HIDE_ESTIMATE | MKBA_HIDE_CI | MKBA_HIDE_DF;
    /* A t interval's half-width over the SE is the t quantile of the df,
     * which gives a withheld count back; a normal interval (df infinite:
     * ipw, dr, given) is the SE times 1.96 and tells nothing more. */
    if ((mask & MKBA_HIDE_DF) && isfinite(x->e.df))
        mask |= MKBA_HIDE_CI;
    return mask;
}

/* Whether the persons of the published propensity block in group g (0
 * pilot, 1 control) less x's persons used are a small count. */
static int ps_gap_small(const mkba_appraisal *a, const mkba_ap_effect *x, int g)
{
    size_t fitted = a->ps ? a->ps->n[g == 0 ? 1 : 0] : 0;
    size_t used = g == 0 ? x->e.n_pilot : x->e.n_control;
    return fitted > used && mkba_ap_suppressed(a, fitted - used);
}

void mkba_ap_hidden_why(const mkba_appraisal *a, const mkba_ap_effect *x, char *buf,
                        size_t size)
{
    static const char *const group[2] = {"pilot", "control"};
    const size_t with[2] = {x->e.n_pilot, x->e.n_control};
    const size_t lack[2] = {x->missing_pilot, x->missing_control};
    size_t k = a->min_group;
    for (int g = 0; g < 2; g++)
        if (mkba_ap_suppressed(a, with[g])) {
            snprintf(buf, size, "has fewer than %zu persons with a value in the %s group", k,
                     group[g]);
            return;
        }
    for (int g = 0; g < 2; g++)
        if (mkba_ap_suppressed(a, lack[g])) {
            snprintf(buf, size, "has fewer than %zu persons without a value in the %s group", k,
                     group[g]);
            return;
        }
    if (mkba_ap_suppressed(a, x->e.n_missing))
        snprintf(buf, size, "has fewer than %zu persons without a value", k);
    else if (x->subgroup && x->sibling_small)
        snprintf(buf, size, "is a subgroup whose counts, with the other levels' and the "
                            "published totals, would give a count of fewer than %zu persons "
                            "back", k);
    else /* ipw, dr: the propensity model's persons less the effect's */
        snprintf(buf, size, "has fewer than %zu persons without a value among the %s group of "
                            "the propensity model", k, group[ps_gap_small(a, x, 0) ? 0 : 1]);
}

/* =============================== subgroups ============================== */

/* Whether effect name 'name' is "OUTCOME.by.V". */
static int is_subgroup_of(const char *name, const char *outcome)
{
    size_t n = strlen(outcome);
    return strncmp(name, outcome, n) == 0 && strncmp(name + n, ".by.", 4) == 0;
}

/* Whether total less part is a small count (0 when part exceeds it). */
static int gap_small(const mkba_appraisal *a, size_t total, size_t part)
{
    return total > part && mkba_ap_suppressed(a, total - part);
}

/* Whether the persons of table g's outcome without its `by` covariate are
 * a small count in a group, one that a published total less the sum of
 * the levels' counts gives back: the outcome's persons with a value, the
 * group's size in the cohort (which a row marked 30* shows, and other rows
 * too), the persons the published propensity block fitted (for ipw and
 * dr). The levels' persons with a value and their group sizes are each
 * such a sum. */
static int missing_by_small(const mkba_appraisal *a, const mkba_ap_subgroup *g)
{
    const mkba_ap_effect *parent = NULL;
    for (size_t k = 0; k < a->n_effects && !parent; k++)
        if (!a->effects[k].subgroup && strcmp(a->effects[k].name, g->outcome) == 0)
            parent = &a->effects[k];
    size_t with[2] = {0, 0}, size[2] = {0, 0};
    for (size_t l = 0; l < g->n_levels; l++) {
        with[0] += g->levels[l].e.n_pilot;
        with[1] += g->levels[l].e.n_control;
        size[0] += g->levels[l].group_pilot;
        size[1] += g->levels[l].group_control;
    }
    size_t cohort[2] = {a->group_pilot, a->group_control};
    int ps = a->ps && !mkba_ap_ps_withheld(a) && !mkba_ap_ps_counts_withheld(a);
    int small = 0;
    for (int s = 0; s < 2; s++) {
        size_t used = parent ? (s == 0 ? parent->e.n_pilot : parent->e.n_control) : 0;
        small |= gap_small(a, used, with[s]) || gap_small(a, cohort[s], with[s]) ||
                 gap_small(a, cohort[s], size[s]) ||
                 (ps && gap_small(a, a->ps->n[s == 0 ? 1 : 0], with[s]));
    }
    return small;
}

void mkba_ap_subgroups_disclose(mkba_appraisal *a)
{
    for (size_t i = 0; a && a->subgroups && i < a->subgroups->n; i++) {
        mkba_ap_subgroup *g = &a->subgroups->v[i];
        /* The levels' counts go whenever a small count follows from them
         * as a difference, of each other (a withheld level) or of a total
         * (few persons without the covariate). The total is not withheld
         * instead, nor shown as a group size (30*): the group sizes of the
         * cohort are published in every output and give the same
         * difference back. */
        int any = missing_by_small(a, g);
        for (size_t l = 0; l < g->n_levels; l++) {
            g->levels[l].sibling_small = 0;
            any |= (mkba_ap_hidden(a, &g->levels[l]) &
                    (MKBA_HIDE_N_PILOT | MKBA_HIDE_N_CONTROL)) != 0;
        }
        for (size_t l = 0; l < g->n_levels; l++)
            g->levels[l].sibling_small = any;
        for (size_t k = 0; k < a->n_effects; k++)
            if (a->effects[k].subgroup && is_subgroup_of(a->effects[k].name, g->outcome))
                a->effects[k].sibling_small = any;
    }
}

const char *mkba_ap_het_withheld(const mkba_appraisal *a, const mkba_ap_subgroup *s, char *buf,
                                 size_t size)
{
    if (s->het_reason && s->het_reason[0])
        return s->het_reason;
    for (size_t l = 0; l < s->n_levels; l++)
        if (mkba_ap_hidden(a, &s->levels[l]) & MKBA_HIDE_ESTIMATE) {
            snprintf(buf, size, "withheld: a subgroup has fewer than %zu persons in a group",
                     a->min_group);
            return buf;
        }
    return NULL;
}

/* ================= disclosure control: propensity model ================= */

int mkba_ap_ps_withheld(const mkba_appraisal *a)
{
    return a->ps && (mkba_ap_suppressed(a, a->ps->n[0]) || mkba_ap_suppressed(a, a->ps->n[1]));
}

int mkba_ap_ps_column_withheld(const mkba_appraisal *a, size_t j)
{
    const mkba_ps_diag *d = a->ps;
    return !d || j >= d->n_coef || mkba_ap_ps_withheld(a) ||
           (d->n_rare && d->n_rare[j] != SIZE_MAX && d->n_rare[j] < a->min_group);
}

int mkba_ap_ps_fit_withheld(const mkba_appraisal *a)
{
    return mkba_ap_ps_counts_withheld(a) || ps_any_column_withheld(a);
}

int mkba_ap_ps_coef_withheld(const mkba_appraisal *a, size_t j)
{
    return mkba_ap_ps_column_withheld(a, j) || mkba_ap_ps_fit_withheld(a);
}

int mkba_ap_ps_counts_withheld(const mkba_appraisal *a)
{
    const mkba_ps_diag *d = a->ps;
    if (!d)
        return 0;
    if (mkba_ap_ps_withheld(a) || mkba_ap_suppressed(a, d->n_missing) ||
        mkba_ap_suppressed(a, d->n_trimmed[0]) || mkba_ap_suppressed(a, d->n_trimmed[1]))
        return 1;
    /* each group's persons without a covariate: its size in the cohort
     * (published) less those fitted and trimmed */
    size_t size[2] = {a->group_control, a->group_pilot};
    for (int g = 0; g < 2; g++) {
        size_t used = d->n[g] + d->n_trimmed[g];
        if (size[g] > used && mkba_ap_suppressed(a, size[g] - used))
            return 1;
    }
    return 0;
}

size_t mkba_ps_merge_bins(const size_t *counts, size_t n_bins, size_t min_group,
                          mkba_ps_bin *out)
{
    size_t total = 0, m = 0, last_full = SIZE_MAX, acc = 0, start = 0;
    for (size_t k = 0; k < n_bins; k++)
        total += counts[k];
    if (n_bins == 0 || (total > 0 && total < min_group))
        return 0;
    for (size_t k = 0; k < n_bins; k++) {
        acc += counts[k];
        if (acc > 0 && acc < min_group)
            continue; /* small so far: take in the next bin */
        out[m] = (mkba_ps_bin){(double)start / (double)n_bins, (double)(k + 1) / (double)n_bins,
                               acc, 0};
        if (acc > 0)
            last_full = m;
        m++;
        acc = 0;
        start = k + 1;
    }
    if (acc > 0) { /* a small tail: into the last bin with persons, through the empty ones */
        m = last_full + 1; /* total >= min_group, so some bin was full */
        out[last_full].to = 1;
        out[last_full].n += acc;
    }
    for (size_t i = 0; i < m; i++)
        out[i].share = total ? (double)out[i].n / (double)total : 0;
    return m;
}

size_t mkba_ap_ps_bins(const mkba_appraisal *a, int g, mkba_ps_bin *out)
{
    /* With the persons per group withheld, no histogram either: its shares
     * are counts over those persons and give the denominator back. */
    if (!a->ps || mkba_ap_ps_withheld(a) || mkba_ap_ps_counts_withheld(a) || g < 0 || g > 1)
        return 0;
    return mkba_ps_merge_bins(a->ps->bins[g], MKBA_PS_BINS, a->min_group, out);
}

/* ============================== for outputs ============================= */

static const char *const HIDDEN_NAMES[MKBA_HIDE_FIELDS] = {
    "ci_lo", "ci_hi", "df", "mean_pilot", "mean_control", "n_pilot", "n_control", "n_missing", "missing_pilot",
    "missing_control"};

const char *mkba_disclose_field_name(unsigned bit)
{
    for (int k = 0; k < MKBA_HIDE_FIELDS; k++)
        if (bit == 1u << k)
            return HIDDEN_NAMES[k];
    return "";
}

void mkba_disclose_field_list(char *buf, size_t size, unsigned mask)
{
    size_t used = 0;
    buf[0] = '\0';
    if (mask & MKBA_HIDE_ESTIMATE) /* the first fields of a row, before ci_lo */
        used = (size_t)snprintf(buf, size, "estimate se");
    for (int k = 0; k < MKBA_HIDE_FIELDS; k++)
        if (mask & (1u << k) && used < size)
            used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? " " : "",
                                     HIDDEN_NAMES[k]);
}

static size_t bit_count(unsigned mask)
{
    size_t c = 0;
    for (; mask; mask &= mask - 1)
        c++;
    return c;
}

size_t mkba_disclose_cells(const mkba_appraisal *a)
{
    size_t cells = 0;
    for (size_t i = 0; a && i < a->n_effects; i++) {
        unsigned mask = mkba_ap_effect_hidden(a, i);
        /* the estimate bit stands for two fields: estimate and se */
        cells += bit_count(mask & ~(unsigned)(MKBA_HIDE_GROUP_SIZES | MKBA_HIDE_ESTIMATE)) +
                 (mask & MKBA_HIDE_ESTIMATE ? 2 : 0);
    }
    return cells;
}

int mkba_disclose_count(char *buf, size_t size, const mkba_appraisal *a, size_t n, int hidden,
                        int group_size)
{
    int x = hidden && !mkba_ap_suppressed(a, n);
    if (!hidden)
        snprintf(buf, size, group_size ? "%zu*" : "%zu", n);
    else if (!x)
        snprintf(buf, size, "<%zu", a->min_group);
    else
        snprintf(buf, size, "x");
    return x;
}

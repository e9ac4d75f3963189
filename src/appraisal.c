/* appraisal.c - totals of an MKBA from its item flows: incremental flows
 * against the reference, present values, and the balance per stakeholder
 * and for society. */
#include "mkba/appraisal.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/mem.h"
#include "mkba/sens.h"

const char *mkba_item_kind_name(mkba_item_kind k)
{
    switch (k) {
    case MKBA_ITEM_BENEFIT:
        return "benefit";
    case MKBA_ITEM_COST:
        return "cost";
    case MKBA_ITEM_TRANSFER:
        return "transfer";
    }
    return "?";
}

const char *mkba_warning_kind_name(mkba_warning_kind k)
{
    switch (k) {
    case MKBA_WARN_PILOT_SWITCH:
        return "pilot_switch";
    case MKBA_WARN_OUTSIDE_DIST:
        return "outside_distribution";
    case MKBA_WARN_IMBALANCED:
        return "imbalanced";
    case MKBA_WARN_EXTREME_WEIGHTS:
        return "extreme_weights";
    }
    return "?";
}

mkba_warning *mkba_appraisal_warn(mkba_appraisal *a, mkba_warning_kind kind, const char *name,
                                  const char *file, long line, const char *where,
                                  const char *fmt, ...)
{
    a->warnings = mkba_xreallocarray(a->warnings, a->n_warnings + 1, sizeof *a->warnings);
    mkba_warning *w = &a->warnings[a->n_warnings++];
    *w = (mkba_warning){.kind = kind, .p1 = NAN, .p99 = NAN, .value = NAN};
    char msg[sizeof w->at.msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    mkba_error_clear(&w->at);
    mkba_error_set(&w->at, MKBA_EINVAL, file, line, where, "%s", msg);
    w->name = mkba_xstrdup(name ? name : "");
    w->effect = mkba_xstrdup("");
    w->dist = mkba_xstrdup("");
    return w;
}

/* ========================== disclosure control ========================== */

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

/* The rule is written out in appraisal.h (disclosure control). */
unsigned mkba_ap_effect_hidden(const mkba_appraisal *a, size_t i)
{
    if (!a || i >= a->n_effects)
        return 0;
    return mkba_ap_hidden(a, &a->effects[i]);
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
    if (small_group)
        mask |= MKBA_HIDE_MEAN_PILOT | MKBA_HIDE_MEAN_CONTROL;
    if (small_group && x->subgroup)
        mask |= MKBA_HIDE_ESTIMATE | MKBA_HIDE_CI | MKBA_HIDE_DF;
    /* A t interval's half-width over the SE is the t quantile of the df,
     * which gives a withheld count back; a normal interval (df infinite:
     * ipw, dr, given) is the SE times 1.96 and tells nothing more. */
    if ((mask & MKBA_HIDE_DF) && isfinite(x->e.df))
        mask |= MKBA_HIDE_CI;
    return mask;
}

/* ============================== subgroups ============================== */

static void effect_strings_free(mkba_ap_effect *x)
{
    free(x->name);
    free(x->label);
    free(x->unit);
    free(x->source);
}

void mkba_ap_subgroups_free(mkba_ap_subgroups *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        mkba_ap_subgroup *g = &s->v[i];
        for (size_t l = 0; l < g->n_levels; l++) {
            effect_strings_free(&g->levels[l]);
            free(g->reason[l]);
        }
        free(g->levels);
        free(g->reason);
        free(g->outcome);
        free(g->by);
        free(g->het_reason);
    }
    free(s->v);
    free(s);
}

static char *dup_or_null(const char *t)
{
    return t ? mkba_xstrdup(t) : NULL;
}

mkba_ap_subgroups *mkba_ap_subgroups_copy(const mkba_ap_subgroups *s)
{
    if (!s)
        return NULL;
    mkba_ap_subgroups *c = mkba_xcalloc(1, sizeof *c);
    c->n = s->n;
    c->v = mkba_xcalloc(s->n ? s->n : 1, sizeof *c->v);
    for (size_t i = 0; i < s->n; i++) {
        const mkba_ap_subgroup *g = &s->v[i];
        mkba_ap_subgroup *d = &c->v[i];
        *d = *g;
        d->outcome = mkba_xstrdup(g->outcome);
        d->by = mkba_xstrdup(g->by);
        d->het_reason = mkba_xstrdup(g->het_reason);
        d->levels = mkba_xcalloc(g->n_levels ? g->n_levels : 1, sizeof *d->levels);
        d->reason = mkba_xcalloc(g->n_levels ? g->n_levels : 1, sizeof *d->reason);
        for (size_t l = 0; l < g->n_levels; l++) {
            d->levels[l] = g->levels[l];
            d->levels[l].name = dup_or_null(g->levels[l].name);
            d->levels[l].label = dup_or_null(g->levels[l].label);
            d->levels[l].unit = dup_or_null(g->levels[l].unit);
            d->levels[l].source = dup_or_null(g->levels[l].source);
            d->reason[l] = mkba_xstrdup(g->reason[l]);
        }
    }
    return c;
}

/* Whether effect name 'name' is "OUTCOME.by.V". */
static int is_subgroup_of(const char *name, const char *outcome)
{
    size_t n = strlen(outcome);
    return strncmp(name, outcome, n) == 0 && strncmp(name + n, ".by.", 4) == 0;
}

void mkba_ap_subgroups_disclose(mkba_appraisal *a)
{
    for (size_t i = 0; a && a->subgroups && i < a->subgroups->n; i++) {
        mkba_ap_subgroup *g = &a->subgroups->v[i];
        int any = 0;
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

/* Add 'pv' and 'undiscounted' of one item line to a balance: benefits
 * (sign +1) or costs (sign -1). */
static void book(mkba_balance *b, int sign, double pv, double undiscounted)
{
    if (sign > 0) {
        b->pv_benefits += pv;
        b->benefits += undiscounted;
    } else {
        b->pv_costs += pv;
        b->costs += undiscounted;
    }
}

static void finish(mkba_balance *b)
{
    b->npv = b->pv_benefits - b->pv_costs;
    b->net = b->benefits - b->costs;
    b->bcr = b->pv_costs > 0 ? b->pv_benefits / b->pv_costs : NAN;
}

void mkba_appraisal_totals(mkba_appraisal *a)
{
    size_t S = a->n_scenarios, I = a->n_items, T = a->horizon, K = a->n_stakeholders;
    free(a->delta);
    free(a->item_pv);
    free(a->net_flow);
    free(a->balance);
    a->delta = mkba_xcalloc(S * I * T + 1, sizeof *a->delta);
    a->item_pv = mkba_xcalloc(S * I + 1, sizeof *a->item_pv);
    a->net_flow = mkba_xcalloc(S * (K + 1) * T + 1, sizeof *a->net_flow);
    a->balance = mkba_xcalloc(S * (K + 1), sizeof *a->balance);
    for (size_t s = 0; s < S; s++) {
        const double *df = a->discount + mkba_ap_tidx(a, s, 0);
        for (size_t i = 0; i < I; i++) {
            const mkba_ap_item *it = &a->items[i];
            double pv = 0, sum = 0;
            for (size_t t = 0; t < T; t++) {
                double d = a->flow[mkba_ap_fidx(a, s, i, t)] - a->flow[mkba_ap_fidx(a, 0, i, t)];
                a->delta[mkba_ap_fidx(a, s, i, t)] = d;
                pv += d * df[t];
                sum += d;
                int sign = it->kind == MKBA_ITEM_COST ? -1 : 1;
                a->net_flow[(s * (K + 1) + it->stakeholder) * T + t] += sign * d;
                if (it->kind == MKBA_ITEM_TRANSFER)
                    a->net_flow[(s * (K + 1) + it->loser) * T + t] -= d;
                else
                    a->net_flow[(s * (K + 1) + K) * T + t] += sign * d;
            }
            a->item_pv[s * I + i] = pv;
            mkba_balance *who = &a->balance[mkba_ap_bidx(a, s, it->stakeholder)];
            switch (it->kind) {
            case MKBA_ITEM_BENEFIT:
                book(who, +1, pv, sum);
                book(&a->balance[mkba_ap_bidx(a, s, K)], +1, pv, sum);
                break;
            case MKBA_ITEM_COST:
                book(who, -1, pv, sum);
                book(&a->balance[mkba_ap_bidx(a, s, K)], -1, pv, sum);
                break;
            case MKBA_ITEM_TRANSFER: /* gainer's benefit, loser's cost; cancels for society */
                book(who, +1, pv, sum);
                book(&a->balance[mkba_ap_bidx(a, s, it->loser)], -1, pv, sum);
                break;
            }
        }
        for (size_t k = 0; k <= K; k++)
            finish(&a->balance[mkba_ap_bidx(a, s, k)]);
    }
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
    if (!a->ps || mkba_ap_ps_withheld(a) || g < 0 || g > 1)
        return 0;
    return mkba_ps_merge_bins(a->ps->bins[g], MKBA_PS_BINS, a->min_group, out);
}

void mkba_appraisal_free(mkba_appraisal *a)
{
    if (!a)
        return;
    free(a->version);
    free(a->commit);
    free(a->model_name);
    free(a->model_file);
    free(a->model_path);
    free(a->data_note);
    for (size_t i = 0; i < a->n_cohort_files; i++) {
        free(a->cohort_files[i]);
        if (a->cohort_paths)
            free(a->cohort_paths[i]);
    }
    free(a->cohort_files);
    free(a->cohort_paths);
    free(a->cohort_sha256);
    free(a->currency);
    free(a->discount_timing);
    free(a->rate);
    free(a->discount);
    for (size_t k = 0; k < a->n_stakeholders; k++) {
        free(a->stakeholders[k]);
        if (a->stakeholder_labels)
            free(a->stakeholder_labels[k]);
    }
    free(a->stakeholders);
    free(a->stakeholder_labels);
    for (size_t i = 0; i < a->n_items; i++) {
        free(a->items[i].name);
        free(a->items[i].label);
        free(a->items[i].domain);
        free(a->items[i].source);
    }
    free(a->items);
    for (size_t s = 0; s < a->n_scenarios; s++) {
        free(a->scenarios[s].name);
        free(a->scenarios[s].label);
        free(a->scenarios[s].file);
        free(a->scenarios[s].path);
    }
    free(a->scenarios);
    for (size_t i = 0; i < a->n_effects; i++) {
        free(a->effects[i].name);
        free(a->effects[i].label);
        free(a->effects[i].unit);
        free(a->effects[i].source);
    }
    free(a->effects);
    mkba_ap_subgroups_free(a->subgroups);
    for (size_t i = 0; i < a->n_params; i++) {
        mkba_ap_param *p = &a->params[i];
        free(p->name);
        free(p->label);
        free(p->unit);
        free(p->value);
        free(p->distribution);
        free(p->source);
        for (size_t s = 0; p->scen_value && s < a->n_scenarios; s++)
            free(p->scen_value[s]);
        free(p->scen_value);
        free(p->base);
        free(p->withheld);
    }
    free(a->params);
    free(a->flow);
    free(a->delta);
    free(a->item_pv);
    free(a->net_flow);
    free(a->balance);
    for (size_t i = 0; i < a->n_warnings; i++) {
        free(a->warnings[i].name);
        free(a->warnings[i].effect);
        free(a->warnings[i].dist);
    }
    free(a->warnings);
    mkba_mc_free(a->mc);
    mkba_sens_free(a->sens);
    mkba_ps_diag_free(a->ps);
    free(a);
}

void mkba_ap_ps_warn(mkba_appraisal *a, const char *file)
{
    const mkba_ps_diag *d = a->ps;
    if (!d || mkba_ap_ps_withheld(a))
        return;
    char terms[600] = "";
    size_t len = 0, k = 0;
    for (size_t j = 1; j < d->n_coef; j++)
        if (mkba_ap_ps_imbalanced(a, j) && len + strlen(d->name[j]) + 8 < sizeof terms)
            len += (size_t)snprintf(terms + len, sizeof terms - len, "%s%s", k++ ? ", " : "",
                                    d->name[j]);
    int ipw = 0; /* dr's outcome model adjusts for what the weights leave */
    for (size_t i = 0; i < a->n_effects; i++)
        ipw |= a->effects[i].e.method == MKBA_EST_IPW;
    if (k && ipw)
        mkba_appraisal_warn(a, MKBA_WARN_IMBALANCED, terms, file, 0, "[propensity]",
                            "%s remain%s imbalanced after weighting (|SMD| above %g): %s; ipw "
                            "keeps part of the bias there. Add a square or a product to "
                            "covariates, or use method dr, whose outcome model adjusts for "
                            "what the weights leave",
                            k == 1 ? "a covariate" : "covariates", k == 1 ? "s" : "",
                            MKBA_PS_SMD_LIMIT, terms);
    static const char *const group[2] = {"control", "pilot"};
    for (int g = 1; g >= 0; g--)
        if (d->n[g] > 0 && d->ess[g] < MKBA_PS_ESS_SHARE * (double)d->n[g])
            mkba_appraisal_warn(a, MKBA_WARN_EXTREME_WEIGHTS, group[g], file, 0, "[propensity]",
                                "the weights are extreme: the %s group's effective sample size "
                                "is below a quarter of its persons, so a few of them carry the "
                                "weighted estimates; set trim (e.g. trim = 0.01) or improve the "
                                "propensity model",
                                group[g]);
}

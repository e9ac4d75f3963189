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
    case MKBA_WARN_BOOTSTRAP_FAILED:
        return "bootstrap_failed";
    case MKBA_WARN_BOOTSTRAP_OFF:
        return "bootstrap_off";
    case MKBA_WARN_SMALL_PERCENT:
        return "small_percent";
    case MKBA_WARN_REFERENCE:
        return "reference";
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

/* ============================== subgroups ============================== */

static void effect_strings_free(mkba_ap_effect *x)
{
    free(x->name);
    free(x->label);
    free(x->label_nl);
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
            d->levels[l].label_nl = dup_or_null(g->levels[l].label_nl);
            d->levels[l].unit = dup_or_null(g->levels[l].unit);
            d->levels[l].source = dup_or_null(g->levels[l].source);
            d->reason[l] = mkba_xstrdup(g->reason[l]);
        }
    }
    return c;
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
    b->npv = mkba_npv(b->pv_benefits, b->pv_costs);
    b->net = b->benefits - b->costs;
    b->bcr = mkba_bcr(b->pv_benefits, b->pv_costs);
}

mkba_bcr_why mkba_bcr_why_of(double pv_benefits, double pv_costs)
{
    if (!isfinite(pv_benefits) || !isfinite(pv_costs))
        return MKBA_BCR_UNDEFINED;
    if (pv_benefits > 0 && pv_costs > 0)
        return MKBA_BCR_OK;
    if (pv_costs > 0)
        return MKBA_BCR_NO_BENEFITS;
    return pv_benefits > 0 ? MKBA_BCR_NO_COSTS : MKBA_BCR_NEITHER;
}

double mkba_bcr(double pv_benefits, double pv_costs)
{
    return mkba_bcr_why_of(pv_benefits, pv_costs) == MKBA_BCR_OK ? pv_benefits / pv_costs : NAN;
}

/* a->fin from a->delta: per scenario, each stakeholder's and society's
 * yearly inflows ('in': benefits, transfers received) and outflows ('out':
 * costs, transfers paid), netted by mkba_fin_net, then their payback year
 * and IRR. */
static void finance_totals(mkba_appraisal *a)
{
    size_t S = a->n_scenarios, I = a->n_items, T = a->horizon, K = a->n_stakeholders;
    free(a->fin);
    a->fin = mkba_xcalloc(S * (K + 1) + 1, sizeof *a->fin);
    double *in = mkba_xcalloc(2 * (K + 1) * T + 1, sizeof *in), *out = in + (K + 1) * T;
    double *net = mkba_xcalloc(T + 1, sizeof *net);
    mkba_fin_ws *ws = mkba_fin_ws_alloc();
    for (size_t s = 0; s < S; s++) {
        memset(in, 0, 2 * (K + 1) * T * sizeof *in);
        for (size_t i = 0; i < I; i++) {
            const mkba_ap_item *it = &a->items[i];
            for (size_t t = 0; t < T; t++) {
                double d = a->delta[mkba_ap_fidx(a, s, i, t)];
                if (it->kind == MKBA_ITEM_COST) {
                    out[it->stakeholder * T + t] += d;
                    out[K * T + t] += d;
                } else {
                    in[it->stakeholder * T + t] += d;
                    if (it->kind == MKBA_ITEM_TRANSFER)
                        out[it->loser * T + t] += d; /* cancels for society */
                    else
                        in[K * T + t] += d;
                }
            }
        }
        for (size_t k = 0; k <= K; k++) {
            for (size_t t = 0; t < T; t++)
                net[t] = mkba_fin_net(in[k * T + t], out[k * T + t]);
            mkba_fin_of(net, a->discount + mkba_ap_tidx(a, s, 0), T, ws,
                        &a->fin[mkba_ap_bidx(a, s, k)]);
        }
    }
    mkba_fin_ws_free(ws);
    free(net);
    free(in);
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
    finance_totals(a);
}

void mkba_appraisal_free(mkba_appraisal *a)
{
    if (!a)
        return;
    free(a->version);
    free(a->commit);
    free(a->model_name);
    free(a->model_name_nl);
    free(a->model_file);
    free(a->model_path);
    free(a->data_note);
    free(a->data_note_nl);
    for (size_t i = 0; i < a->n_cohort_files; i++) {
        free(a->cohort_files[i]);
        if (a->cohort_paths)
            free(a->cohort_paths[i]);
    }
    free(a->cohort_files);
    free(a->cohort_paths);
    free(a->cohort_sha256);
    free(a->currency);
    free(a->price_index);
    free(a->discount_timing);
    free(a->rate);
    free(a->discount);
    for (size_t k = 0; k < a->n_stakeholders; k++) {
        free(a->stakeholders[k]);
        if (a->stakeholder_labels)
            free(a->stakeholder_labels[k]);
        if (a->stakeholder_labels_nl)
            free(a->stakeholder_labels_nl[k]);
    }
    free(a->stakeholders);
    free(a->stakeholder_labels);
    free(a->stakeholder_labels_nl);
    for (size_t i = 0; i < a->n_items; i++) {
        free(a->items[i].name);
        free(a->items[i].label);
        free(a->items[i].label_nl);
        free(a->items[i].domain);
        free(a->items[i].source);
    }
    free(a->items);
    for (size_t s = 0; s < a->n_scenarios; s++) {
        free(a->scenarios[s].name);
        free(a->scenarios[s].label);
        free(a->scenarios[s].label_nl);
        free(a->scenarios[s].file);
        free(a->scenarios[s].path);
    }
    free(a->scenarios);
    for (size_t i = 0; i < a->n_effects; i++) {
        free(a->effects[i].name);
        free(a->effects[i].label);
        free(a->effects[i].label_nl);
        free(a->effects[i].unit);
        free(a->effects[i].source);
    }
    free(a->effects);
    mkba_ap_subgroups_free(a->subgroups);
    for (size_t i = 0; i < a->n_params; i++) {
        mkba_ap_param *p = &a->params[i];
        free(p->name);
        free(p->label);
        free(p->label_nl);
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
    free(a->fin);
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
    mkba_ps_diag *d = a->ps;
    if (!d || mkba_ap_ps_withheld(a))
        return;
    /* A withheld dummy keeps its covariate but not its level's text: a level
     * held by a few persons should not show that it exists. */
    for (size_t j = 1; j < d->n_coef; j++) {
        char *colon = strstr(d->name[j], ": ");
        if (colon && mkba_ap_ps_column_withheld(a, j)) {
            char *masked = mkba_xasprintf("%.*s: " MKBA_RARE_LEVEL, (int)(colon - d->name[j]),
                                          d->name[j]);
            free(d->name[j]);
            d->name[j] = masked;
        }
    }
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

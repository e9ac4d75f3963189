/* appraisal.h - the MKBA of one or more project scenarios against the
 * reference alternative: cash flows per item per year, present values,
 * net present value (saldo) and benefit-cost ratio, overall and per
 * stakeholder, discounted and undiscounted.
 *
 * This is the result every output (terminal, CSV, JSON, later charts and
 * report) reads. It is plain data: all arrays and strings are owned by the
 * appraisal and freed by mkba_appraisal_free().
 *
 * Sign conventions. Item flows are amounts >= 0 in the normal case: a
 * benefit's value, a cost's value, a transfer's amount. Incremental flows
 * (delta) are scenario minus reference and may have either sign. For a
 * stakeholder, benefits add, costs subtract; a transfer adds to its gainer
 * and subtracts from its loser, and is left out of society's totals (it
 * cancels there). */
#ifndef MKBA_APPRAISAL_H
#define MKBA_APPRAISAL_H

#include <math.h>
#include <stddef.h>

#include "mkba/error.h"
#include "mkba/estimate.h"
#include "mkba/finance.h"
#include "mkba/pscore.h"
#include "mkba/summary.h"

typedef enum {
    MKBA_ITEM_BENEFIT = 0,
    MKBA_ITEM_COST,
    MKBA_ITEM_TRANSFER
} mkba_item_kind;

const char *mkba_item_kind_name(mkba_item_kind k); /* "benefit" "cost" "transfer" */

typedef struct mkba_ap_item {
    char *name;          /* key in the model, e.g. "staff_wijkteam" */
    char *label;         /* human label ("" when none) */
    char *domain;        /* work, care, staff, implementation, other */
    char *source;        /* source or "assumption: ..." text ("" when none) */
    mkba_item_kind kind;
    size_t stakeholder;  /* benefit/cost: who; transfer: the gainer */
    size_t loser;        /* transfer only: who pays */
    int price_year;      /* its amounts are written in this year's prices and rebased
                            to the model's (model.h, [prices]); 0: not rebased */
    double price_factor; /* the rebasing factor index[price_year of the model] /
                            index[price_year]; unused when price_year is 0 */
    char *label_nl;      /* its Dutch label, [item.X] label_nl ("" or NULL when none:
                            the Dutch outputs fall back to label, then name) */
} mkba_ap_item;

typedef struct mkba_ap_scenario {
    char *name;          /* e.g. "pilot" */
    char *label;         /* e.g. "Pilot as run (2017-2018)" */
    char *file;          /* scenario (or model) file path as given */
    char sha256[65];     /* hex SHA-256 of the file's bytes */
    char *path;          /* its absolute canonical path; "" when unknown
                            (mkba_path_canonical); may be NULL */
    char *label_nl;      /* [scenario] label_nl ("" or NULL when none) */
} mkba_ap_scenario;

typedef struct mkba_ap_effect {
    char *name;          /* "outflow_work" -> effect.outflow_work */
    char *label;
    char *label_nl;      /* "" (or NULL) when none */
    mkba_effect e;
    size_t missing_pilot, missing_control; /* persons of each group left out of the
                                              effect (a missing value, trimming) */
    char *unit;          /* "" (or NULL) when none */
    char *source;        /* source text of a given effect; "" (or NULL) when none */
    /* Subgroups (an outcome's `by`; 0 for other effects): */
    int subgroup;        /* 1: the effect of one level's persons (X.by.V, a level of
                            a subgroup table) */
    size_t group_pilot, group_control; /* subgroup: the level's persons per group */
    int sibling_small;   /* subgroup: another level of the same outcome is withheld,
                            so this one's counts are too (mkba_ap_subgroups_disclose) */
} mkba_ap_effect;

/* The effect of one outcome per level of its `by` covariate, and the test
 * of heterogeneity across the levels (estimate.h, mkba_est_heterogeneity). */
typedef struct mkba_ap_subgroup {
    char *outcome;          /* the outcome's effect name */
    char *by;               /* its covariate's name */
    size_t n_levels;        /* the levels present in the cohort, in code order */
    mkba_ap_effect *levels; /* [n_levels] name: the level as in the cohort; subgroup 1 */
    char **reason;          /* [n_levels] why a level has no estimate (its estimate is
                               NaN, n_pilot / n_control its persons with a value); ""
                               when it has one */
    mkba_het het;           /* over the levels with an estimate and an SE > 0; q NaN
                               when not computed */
    char *het_reason;       /* why not computed; "" when computed */
} mkba_ap_subgroup;

typedef struct mkba_ap_subgroups {
    size_t n;
    mkba_ap_subgroup *v;    /* [n] one per outcome with `by`, in the outcomes' order */
} mkba_ap_subgroups;

void mkba_ap_subgroups_free(mkba_ap_subgroups *s); /* NULL is a no-op */
mkba_ap_subgroups *mkba_ap_subgroups_copy(const mkba_ap_subgroups *s); /* NULL: NULL */

/* A named parameter of the model (the union over the scenarios: the base
 * model's in file order, then those a scenario adds), for the report's
 * assumptions and sources. */
typedef struct mkba_ap_param {
    char *name;          /* key in the model, e.g. "wmo_per_hour" */
    char *label;         /* "" when none */
    char *label_nl;      /* "" when none */
    char *unit;          /* "" when none */
    char *value;         /* expression as written in the base model; "" when the
                            parameter has only a distribution (its base value is
                            then the distribution's mean) or is new in a scenario */
    char *distribution;  /* as written, e.g. "pert(1600, 2200, 2800)"; "" when certain */
    char *source;        /* source or "ASSUMPTION: ..." text; "" when none */
    char **scen_value;   /* [n_scenarios] expression in each scenario ("" where the
                            scenario does not define the parameter) */
    double *base;        /* [n_scenarios] value in the base run; NaN where not defined */
    unsigned char *withheld; /* [n_scenarios] 1 where the value is derived from a count
                            or mean that the outputs withhold (see mkba_ap_effect_hidden):
                            every output shows it as withheld; NULL: none is */
    int price_year;      /* an amount written in this year's prices: 'base' is rebased
                            to the model's price year (mkba_ap_param_original gives the
                            amount as written); 0: not rebased */
    double price_factor; /* index[price_year of the model] / index[price_year]; unused
                            when price_year is 0 */
} mkba_ap_param;

/* A parameter's base value in scenario s before rebasing, in the prices of
 * its own price_year (base[s] itself when it is not rebased). */
static inline double mkba_ap_param_original(const mkba_ap_param *p, size_t s)
{
    return p->price_year ? p->base[s] / p->price_factor : p->base[s];
}

/* Warnings: the run goes on, but its answer may be wrong because of a
 * plausible mistake in the model (README, "Common errors"). Every output
 * shows them: the terminal and `mkba check` on stderr, results.json, the
 * report near its top. */
typedef enum {
    /* An item's quantity, price or drop-off uses an effect (effect.X, or a
     * parameter that depends on one) in a project scenario, yet its flow
     * is the same as in the reference in every year and not all zero, at
     * the base values: it drops out of the appraisal (a forgotten pilot
     * switch). */
    MKBA_WARN_PILOT_SWITCH = 1,
    /* A parameter's base value, as written, is outside its distribution's
     * P1-P99: the base case and the Monte Carlo tell different stories. */
    MKBA_WARN_OUTSIDE_DIST,
    /* Covariates remain imbalanced after weighting (|SMD| above
     * MKBA_PS_SMD_LIMIT) and an effect uses ipw, which keeps part of the
     * bias there (name: the terms). */
    MKBA_WARN_IMBALANCED,
    /* The weights are extreme: a group's effective sample size is below
     * MKBA_PS_ESS_SHARE of its persons, so a few persons carry the
     * weighted estimates (name: the group). */
    MKBA_WARN_EXTREME_WEIGHTS,
    /* An effect could not be estimated in more than 5% of the bootstrap
     * replicates: its bootstrap CI and draws rest on the others (name: the
     * effect). */
    MKBA_WARN_BOOTSTRAP_FAILED,
    /* --bootstrap 0 with effects estimated from the cohort: every draw
     * takes them at their estimates, so the Monte Carlo leaves out their
     * uncertainty (name: ""). */
    MKBA_WARN_BOOTSTRAP_OFF,
    /* A percentage below MKBA_RATE_PERCENT_FLOOR (discount_rate = 0.03%):
     * read as that many percent, perhaps meant as a fraction (3%) (name:
     * the key). */
    MKBA_WARN_SMALL_PERCENT,
    /* --reference names another file than a scenario's own reference key,
     * or a reference that names a reference of its own (files swapped?)
     * (name: the scenario's file). */
    MKBA_WARN_REFERENCE
} mkba_warning_kind;

/* "pilot_switch" "outside_distribution" "imbalanced" "extreme_weights"
 * "bootstrap_failed" "bootstrap_off" "small_percent" "reference" */
const char *mkba_warning_kind_name(mkba_warning_kind k);

typedef struct mkba_warning {
    mkba_warning_kind kind;
    mkba_error at;       /* where (file, line, "[section] key") and what, in English:
                            printed with mkba_error_format like an error */
    char *name;          /* the item or the parameter */
    char *effect;        /* PILOT_SWITCH: the effect used ("months_work"); else "" */
    char *dist;          /* OUTSIDE_DIST: the distribution as written; else "" */
    size_t scenario;     /* PILOT_SWITCH: the project scenario; else 0 */
    double value;        /* OUTSIDE_DIST: the base value, its P1 and P99 */
    double p1, p99;
} mkba_warning;

/* The benefit-cost ratio, one rule for every output (terminal, CSV, JSON,
 * report, charts, the Monte Carlo's draws): pv_benefits / pv_costs only
 * where both present values are positive. A ratio of a negative benefit
 * (-0.51) or over no costs says nothing a reader can compare with 1, so it
 * is NaN, shown as "n/a" with the reason (mkba_bcr_why; fmt.h,
 * mkba_fmt_bcr_reason). */
typedef enum mkba_bcr_why {
    MKBA_BCR_OK = 0,       /* both positive: the ratio is shown */
    MKBA_BCR_NO_BENEFITS,  /* PV benefits zero or negative, PV costs positive */
    MKBA_BCR_NO_COSTS,     /* PV costs zero or negative, PV benefits positive */
    MKBA_BCR_NEITHER,      /* neither is positive */
    MKBA_BCR_UNDEFINED     /* a present value is not finite */
} mkba_bcr_why;

mkba_bcr_why mkba_bcr_why_of(double pv_benefits, double pv_costs);
/* pv_benefits / pv_costs, or NaN unless mkba_bcr_why_of gives MKBA_BCR_OK. */
double mkba_bcr(double pv_benefits, double pv_costs);

/* The NPV, one rule for every output (the tables, the Monte Carlo's
 * statistics and its draws file): pv_benefits - pv_costs, but 0 where they
 * cancel to rounding noise, |NPV| <= 1e-12 (|pv_benefits| + |pv_costs|): a
 * stakeholder who pays out what it gains (an employer's production paid as
 * wages and taxes) has NPV 0, not noise that counts as "positive" in half
 * of the draws. An NPV that overflowed stays infinite; NaN stays NaN. */
static inline double mkba_npv(double pv_benefits, double pv_costs)
{
    double npv = pv_benefits - pv_costs, size = fabs(pv_benefits) + fabs(pv_costs);
    double noise = isfinite(size) ? 1e-12 * size /* near 1.8e308 the sum overflows: */
                                  : 1e-12 * fabs(pv_benefits) + 1e-12 * fabs(pv_costs);
    return isfinite(npv) && fabs(npv) <= noise ? 0 : npv;
}

/* Totals of one stakeholder (or society) in one scenario, vs the reference. */
typedef struct mkba_balance {
    double pv_benefits;  /* present value of benefits (incremental) */
    double pv_costs;     /* present value of costs, as a positive amount */
    double npv;          /* pv_benefits - pv_costs: the saldo */
    double bcr;          /* pv_benefits / pv_costs; NaN unless both are positive
                            (mkba_bcr: the one rule) */
    double benefits;     /* undiscounted */
    double costs;
    double net;
} mkba_balance;

typedef struct mkba_appraisal {
    /* provenance */
    char *version;           /* mkba version */
    char *commit;            /* git commit of the build; "" (or NULL) when none (build.h) */
    char *model_name;        /* [model] name */
    char *model_file;        /* as given on the command line */
    char *model_path;        /* absolute canonical path; "" when unknown; may be NULL */
    char *model_name_nl;     /* [model] label_nl, NULL when none */
    char model_sha256[65];
    /* A note on the data, shown prominently by every output ([model]
     * data_note, e.g. that the cohort is synthetic); "" or NULL when none. */
    char *data_note;
    char *data_note_nl;      /* its Dutch ([model] data_note_nl); "" or NULL when none */
    size_t n_cohort_files;   /* the cohort's files (0 when it has none): */
    char **cohort_files;     /* [n_cohort_files] paths as mkba opened them (as written
                                in the model, relative to the model file's directory) */
    char **cohort_paths;     /* [n_cohort_files] absolute canonical paths; "" when
                                unknown; NULL in a built appraisal */
    char (*cohort_sha256)[65]; /* [n_cohort_files] hex SHA-256 of each file's bytes as
                                the cohort reader read them (mkba_cohort_sha256); ""
                                when not read; NULL in a built appraisal */
    char run_date[32];       /* ISO 8601 UTC */
    char *currency;          /* e.g. "EUR" */
    int price_year;
    char *price_index;       /* [prices] index: the price index file that rebases amounts
                                to price_year (as resolved from the model); NULL when the
                                model has none */
    double price_index_at;   /* its index at price_year (0 when there is none) */
    int first_year;          /* calendar year of model year 1 */
    char *discount_timing;   /* "start", "mid" or "end" of year */
    size_t horizon;          /* years */
    /* Discounting is per scenario: a project scenario may set its own rate
     * (e.g. 2.25% vs 3%); its flows and the reference's are then both
     * discounted at the project scenario's rate. */
    double *rate;            /* [n_scenarios][horizon] rate in each year, unrounded */
    double *discount;        /* [n_scenarios][horizon] discount factor of each year */

    size_t n_stakeholders;
    char **stakeholders;     /* [n_stakeholders] names */
    char **stakeholder_labels;
    char **stakeholder_labels_nl; /* [n_stakeholders] "" when none (NULL: none at all) */

    size_t n_items;
    mkba_ap_item *items;

    size_t n_scenarios;      /* [0] is the reference alternative */
    mkba_ap_scenario *scenarios;

    size_t n_effects;
    mkba_ap_effect *effects;
    /* The subgroup tables (owned; NULL when no outcome has `by`). */
    mkba_ap_subgroups *subgroups;

    /* The parameters (filled by mkba_model_appraise; 0 and NULL when a
     * builder leaves them out). Every string and both arrays of each are
     * set (not NULL). */
    size_t n_params;
    mkba_ap_param *params;

    /* [n_scenarios][n_items][horizon]: the item's undiscounted flow in the
     * scenario itself (0 where the scenario lacks the item). */
    double *flow;
    /* [n_scenarios][n_items][horizon]: flow minus the reference's flow
     * (all 0 for the reference itself). */
    double *delta;
    /* [n_scenarios][n_items]: present value of delta (scenario's rates). */
    double *item_pv;
    /* [n_scenarios][n_stakeholders + 1][horizon]: net incremental flow per
     * stakeholder per year; index n_stakeholders is society (no transfers). */
    double *net_flow;
    /* [n_scenarios][n_stakeholders + 1]: the balance vs the reference. */
    mkba_balance *balance;
    /* [n_scenarios][n_stakeholders + 1] (mkba_ap_bidx): the payback year of
     * net_flow discounted by the scenario's factors, and the IRR of net_flow
     * (finance.h), each year's flow taken as mkba_fin_net of its inflows and
     * outflows (benefits and transfers received; costs and transfers paid).
     * The reference's are those of no flows. NULL where a builder of the
     * appraisal leaves them out (the outputs then show none). */
    mkba_fin *fin;

    /* Disclosure control: a count of persons from 1 to min_group - 1 (and
     * a statistic of such a group, like its mean) is never shown in any
     * table, chart or report; it is printed as "<min_group" or left empty,
     * and the output says so. Set from the model's [privacy] min_group
     * (default MKBA_MIN_GROUP). */
    size_t min_group;
    /* Persons in the pilot and the control group of the cohort file (0 and
     * 0 when the model reads none), for disclosure control. */
    size_t group_pilot, group_control;

    /* Warnings, in the order found (none: 0 and NULL). */
    size_t n_warnings;
    mkba_warning *warnings;

    /* The Monte Carlo summary, when one was run (owned; NULL otherwise). */
    mkba_mc *mc;
    /* The sensitivity analysis, when one was run (owned; NULL otherwise). */
    struct mkba_sens *sens;
    /* The propensity model's fit and diagnostics (balance, overlap,
     * effective sample sizes), when the model has a [propensity] section
     * (owned, freed with mkba_ps_diag_free; NULL otherwise). What the
     * outputs show of it: mkba_ap_ps_* below. */
    mkba_ps_diag *ps;
} mkba_appraisal;

#define MKBA_MIN_GROUP 10
/* A group whose effective sample size is below this share of its persons
 * gets MKBA_WARN_EXTREME_WEIGHTS. */
#define MKBA_PS_ESS_SHARE 0.25

/* Finish a->ps for the outputs: a withheld dummy's name loses its level's
 * text ("household: (a rare level)"), and the warnings of the block
 * (MKBA_WARN_IMBALANCED, MKBA_WARN_EXTREME_WEIGHTS) are added, about the
 * [propensity] section of 'file': they say which, never a count, and
 * nothing when the block is withheld. */
void mkba_ap_ps_warn(mkba_appraisal *a, const char *file);

/* Index helpers for the arrays above. */
static inline size_t mkba_ap_fidx(const mkba_appraisal *a, size_t s, size_t i, size_t t)
{
    return (s * a->n_items + i) * a->horizon + t;
}
static inline size_t mkba_ap_tidx(const mkba_appraisal *a, size_t s, size_t t)
{
    return s * a->horizon + t;
}
static inline size_t mkba_ap_bidx(const mkba_appraisal *a, size_t s, size_t k)
{
    return s * (a->n_stakeholders + 1) + k;
}

/* Fill delta, item_pv, net_flow, balance and fin from flow and discount
 * (allocating them). Call once flow is filled. */
void mkba_appraisal_totals(mkba_appraisal *a);

/* Append a warning of 'kind' about 'name' (file, line and where as in
 * mkba_error_set; a printf-style message). Returns it, for the caller to
 * fill the fields of its kind (the strings are "" and owned by 'a'). */
mkba_warning *mkba_appraisal_warn(mkba_appraisal *a, mkba_warning_kind kind, const char *name,
                                  const char *file, long line, const char *where,
                                  const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 7, 8)))
#endif
    ;

void mkba_appraisal_free(mkba_appraisal *a); /* NULL is a no-op */

/* The disclosure rules (mkba_ap_suppressed, mkba_ap_effect_hidden, the
 * MKBA_HIDE_* bits, mkba_ap_ps_*) live in their own module. */
#include "mkba/disclose.h"

#endif

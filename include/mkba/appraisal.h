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

#include <stddef.h>

#include "mkba/error.h"
#include "mkba/estimate.h"
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
} mkba_ap_item;

typedef struct mkba_ap_scenario {
    char *name;          /* e.g. "pilot" */
    char *label;         /* e.g. "Pilot as run (2017-2018)" */
    char *file;          /* scenario (or model) file path as given */
    char sha256[65];     /* hex SHA-256 of the file's bytes */
} mkba_ap_scenario;

typedef struct mkba_ap_effect {
    char *name;          /* "outflow_work" -> effect.outflow_work */
    char *label;
    mkba_effect e;
    size_t missing_pilot, missing_control; /* missing values of the outcome */
    char *unit;          /* "" (or NULL) when none */
    char *source;        /* source text of a given effect; "" (or NULL) when none */
} mkba_ap_effect;

/* A named parameter of the model (the union over the scenarios: the base
 * model's in file order, then those a scenario adds), for the report's
 * assumptions and sources. */
typedef struct mkba_ap_param {
    char *name;          /* key in the model, e.g. "wmo_per_hour" */
    char *label;         /* "" when none */
    char *unit;          /* "" when none */
    char *value;         /* expression as written in the base model; "" when the
                            parameter has only a distribution (its base value is
                            then the distribution's mean) or is new in a scenario */
    char *distribution;  /* as written, e.g. "pert(1600, 2200, 2800)"; "" when certain */
    char *source;        /* source or "ASSUMPTION: ..." text; "" when none */
    char **scen_value;   /* [n_scenarios] expression in each scenario ("" where the
                            scenario does not define the parameter) */
    double *base;        /* [n_scenarios] value in the base run; NaN where not defined */
} mkba_ap_param;

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
    MKBA_WARN_OUTSIDE_DIST
} mkba_warning_kind;

const char *mkba_warning_kind_name(mkba_warning_kind k); /* "pilot_switch" "outside_distribution" */

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

/* Totals of one stakeholder (or society) in one scenario, vs the reference. */
typedef struct mkba_balance {
    double pv_benefits;  /* present value of benefits (incremental) */
    double pv_costs;     /* present value of costs, as a positive amount */
    double npv;          /* pv_benefits - pv_costs: the saldo */
    double bcr;          /* pv_benefits / pv_costs; NaN when pv_costs <= 0 */
    double benefits;     /* undiscounted */
    double costs;
    double net;
} mkba_balance;

typedef struct mkba_appraisal {
    /* provenance */
    char *version;           /* mkba version */
    char *model_name;        /* [model] name */
    char *model_file;
    char model_sha256[65];
    char *cohort_files;      /* comma-separated paths, "" when no cohort */
    char run_date[32];       /* ISO 8601 UTC */
    char *currency;          /* e.g. "EUR" */
    int price_year;
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

    size_t n_items;
    mkba_ap_item *items;

    size_t n_scenarios;      /* [0] is the reference alternative */
    mkba_ap_scenario *scenarios;

    size_t n_effects;
    mkba_ap_effect *effects;

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

    /* Disclosure control: a count of persons from 1 to min_group - 1 (and
     * a statistic of such a group, like its mean) is never shown in any
     * table, chart or report; it is printed as "<min_group" or left empty,
     * and the output says so. Set from the model's [privacy] min_group
     * (default MKBA_MIN_GROUP). */
    size_t min_group;

    /* Warnings, in the order found (none: 0 and NULL). */
    size_t n_warnings;
    mkba_warning *warnings;

    /* The Monte Carlo summary, when one was run (owned; NULL otherwise). */
    mkba_mc *mc;
    /* The sensitivity analysis, when one was run (owned; NULL otherwise). */
    struct mkba_sens *sens;
} mkba_appraisal;

#define MKBA_MIN_GROUP 10

/* Whether a group of n persons is too small to show (see min_group). */
static inline int mkba_ap_suppressed(const mkba_appraisal *a, size_t n)
{
    return n > 0 && n < a->min_group;
}

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

/* Fill delta, item_pv, net_flow and balance from flow and discount
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

#endif

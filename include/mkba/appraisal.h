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
} mkba_ap_item;

typedef struct mkba_ap_scenario {
    char *name;          /* e.g. "pilot" */
    char *label;         /* e.g. "Pilot as run (2017-2018)" */
    char *file;          /* scenario (or model) file path as given */
    char sha256[65];     /* hex SHA-256 of the file's bytes */
    char *path;          /* its absolute canonical path; "" when unknown
                            (mkba_path_canonical); may be NULL */
} mkba_ap_scenario;

typedef struct mkba_ap_effect {
    char *name;          /* "outflow_work" -> effect.outflow_work */
    char *label;
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
    MKBA_WARN_OUTSIDE_DIST,
    /* Covariates remain imbalanced after weighting (|SMD| above
     * MKBA_PS_SMD_LIMIT) and an effect uses ipw, which keeps part of the
     * bias there (name: the terms). */
    MKBA_WARN_IMBALANCED,
    /* The weights are extreme: a group's effective sample size is below
     * MKBA_PS_ESS_SHARE of its persons, so a few persons carry the
     * weighted estimates (name: the group). */
    MKBA_WARN_EXTREME_WEIGHTS
} mkba_warning_kind;

/* "pilot_switch" "outside_distribution" "imbalanced" "extreme_weights" */
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
    char *commit;            /* git commit of the build; "" (or NULL) when none (build.h) */
    char *model_name;        /* [model] name */
    char *model_file;        /* as given on the command line */
    char *model_path;        /* absolute canonical path; "" when unknown; may be NULL */
    char model_sha256[65];
    /* A note on the data, shown prominently by every output ([model]
     * data_note, e.g. that the cohort is synthetic); "" or NULL when none. */
    char *data_note;
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

/* Whether a group of n persons is too small to show (see min_group). */
static inline int mkba_ap_suppressed(const mkba_appraisal *a, size_t n)
{
    return n > 0 && n < a->min_group;
}

/* ---- Disclosure control: one rule for every output and for the model ----
 * Which values of an effect's row (effects.csv, results.json, terminal,
 * report, charts) are withheld, and so which values a model may not carry
 * into an output (mkba_model_appraise):
 *   - when a group's count of persons with a value, n_pilot or n_control,
 *     is small (1 to min_group - 1): every non-zero count of the row
 *     (n_pilot, n_control, n_missing, missing_pilot, missing_control), so
 *     that none can be worked out from the others (n_pilot + n_control +
 *     n_missing is the whole cohort in every row); both means (for a
 *     difference in means the estimate and one mean give the other); and
 *     the degrees of freedom (an OLS fit has df = n_pilot + n_control -
 *     parameters);
 *   - when only a count of missing values is small (n_missing,
 *     missing_pilot or missing_control; the groups themselves are not):
 *     the small cell is the missing count, not the group. The row's
 *     non-zero missing counts and the df are withheld, and n_pilot and
 *     n_control show the size of the group in the cohort (persons with a
 *     value plus those without: MKBA_HIDE_GROUP_SIZES) instead of the
 *     persons with a value. The group sizes are published anyway (every
 *     row without missing values shows them), so the persons with a value
 *     would give the missing count back as a difference; the group size
 *     gives nothing away. The means rest on at least min_group persons and
 *     are shown.
 * With the df goes the analytic t CI (ci_lo, ci_hi): half its width over
 * the SE is the t quantile of the df, and so gives the df back. A normal CI
 * (df infinite: ipw, dr, a given effect) is 1.96 SE and is kept, as is the
 * Monte Carlo's bootstrap CI, which rests on no df.
 * Zero is never withheld (it discloses no one). The estimate and its SE
 * are kept: they compare the two groups, and the appraisal rests on them. The model's cohort counts (n_pilot, n_control, n_total in
 * expressions: the group sizes) are withheld when a group of the cohort
 * is small (mkba_ap_groups_hidden). The bits are in the order of the
 * fields in effects.csv and results.json. */
enum {
    MKBA_HIDE_CI_LO = 1u << 0,
    MKBA_HIDE_CI_HI = 1u << 1,
    MKBA_HIDE_DF = 1u << 2,
    MKBA_HIDE_MEAN_PILOT = 1u << 3,
    MKBA_HIDE_MEAN_CONTROL = 1u << 4,
    MKBA_HIDE_N_PILOT = 1u << 5,
    MKBA_HIDE_N_CONTROL = 1u << 6,
    MKBA_HIDE_N_MISSING = 1u << 7,
    MKBA_HIDE_MISSING_PILOT = 1u << 8,  /* results.json only */
    MKBA_HIDE_MISSING_CONTROL = 1u << 9, /* results.json only */
    /* not a field: n_pilot and n_control are the group sizes in the cohort */
    MKBA_HIDE_GROUP_SIZES = 1u << 10,
    /* not a field of effects.csv: a subgroup's estimate and SE (with its CI,
     * df and means), withheld when a group of the subgroup is small */
    MKBA_HIDE_ESTIMATE = 1u << 11
};
#define MKBA_HIDE_FIELDS 10 /* bits 0..9 above: the fields */
/* The CI, when the df is withheld: (ci_hi - estimate) / se is the t
 * quantile of the df, which gives the df back. */
#define MKBA_HIDE_CI (MKBA_HIDE_CI_LO | MKBA_HIDE_CI_HI)

/* The MKBA_HIDE_* bits of effect i's withheld values (0: none, or i out of
 * range). */
unsigned mkba_ap_effect_hidden(const mkba_appraisal *a, size_t i);

/* The same rule for any effect row, a subgroup table's level too
 * (mkba_ap_effect_hidden is this on a->effects[i]). For a subgroup
 * (x->subgroup) the rule differs in three ways:
 *   - a small group (n_pilot or n_control from 1 to min_group - 1) withholds
 *     the estimate and its SE too (MKBA_HIDE_ESTIMATE, with every other
 *     value of the row): a handful of persons' effect comes near their own
 *     outcomes;
 *   - the group sizes shown under MKBA_HIDE_GROUP_SIZES are the level's
 *     (x->group_pilot, x->group_control);
 *   - when another level of the same outcome is withheld
 *     (x->sibling_small), this level's non-zero counts and df (and a t CI)
 *     are withheld as well: the levels' counts add up to the outcome's,
 *     so one withheld count would be the difference of the others. */
unsigned mkba_ap_hidden(const mkba_appraisal *a, const mkba_ap_effect *x);

/* Secondary suppression of subgroups: marks sibling_small on every level of
 * a subgroup table with a withheld level (MKBA_HIDE_N_PILOT or _N_CONTROL by
 * the rule), and on the effects X.by.V of its outcome. Call once the
 * subgroups and effects are in 'a'. */
void mkba_ap_subgroups_disclose(mkba_appraisal *a);

/* Why the heterogeneity test of subgroup table s is not shown, or NULL
 * when it is: not computed (s->het_reason), or a level's estimate is
 * withheld (Q would give it back from the others):
 * "withheld: a subgroup has fewer than 10 persons in a group". 'buf' holds
 * the text when made here. */
const char *mkba_ap_het_withheld(const mkba_appraisal *a, const mkba_ap_subgroup *s, char *buf,
                                 size_t size);

/* Whether the cohort's group sizes (group_pilot, group_control) are
 * withheld: one of them is small. */
int mkba_ap_groups_hidden(const mkba_appraisal *a);

/* The counts of effect i's row as the outputs show them (n[0] n_pilot,
 * n[1] n_control: the group sizes under MKBA_HIDE_GROUP_SIZES; n[2]
 * n_missing, n[3] missing_pilot, n[4] missing_control), in the
 * MKBA_HIDE_N_PILOT.. bit order. Withheld ones are still filled in: the
 * caller applies the mask. */
void mkba_ap_effect_counts(const mkba_appraisal *a, size_t i, size_t n[5]);
/* The same for any effect row (a subgroup table's level too). */
void mkba_ap_counts(const mkba_appraisal *a, const mkba_ap_effect *x, size_t n[5]);

/* ---- Disclosure control of the propensity model (a->ps) ----
 * One rule for every output (terminal, tables, results.json, charts,
 * report):
 *   - the whole block (coefficients, balance, counts, sample sizes,
 *     overlap) is withheld when a group of the fitted sample, ps->n[0] or
 *     ps->n[1], is small (1 to min_group - 1): its covariate means and its
 *     propensity histogram would describe a handful of persons
 *     (mkba_ap_ps_withheld);
 *   - a design column resting on a small group, a 0/1 column with fewer
 *     than min_group persons on its rarer side (ps->n_rare), has its
 *     coefficient, SE and both SMDs withheld: the SMD of a 0/1 column is a
 *     difference of shares, which with the group sizes gives the count
 *     back (mkba_ap_ps_column_withheld);
 *   - when a count of persons left out (for a missing covariate, in each
 *     group: its size in the cohort minus those fitted and trimmed; or by
 *     trimming) is small, the persons fitted per group, every non-zero
 *     left-out count and the effective sample sizes (for the ATT the
 *     pilot's is its count) are withheld, so that none follows from the
 *     group sizes the other outputs publish (mkba_ap_ps_counts_withheld);
 *   - the overlap histogram is published with its bins merged so that
 *     every bin holds 0 or at least min_group persons of its group
 *     (mkba_ap_ps_bins).
 * A withheld value is "<N" (small) or "x" in the terminal and the report,
 * an empty CSV field and null in results.json, as for the effects. */
int mkba_ap_ps_withheld(const mkba_appraisal *a);
/* The warnings of a->ps (MKBA_WARN_IMBALANCED, MKBA_WARN_EXTREME_WEIGHTS),
 * about the [propensity] section of 'file': they say which, never a count,
 * and nothing when the block is withheld. */
void mkba_ap_ps_warn(mkba_appraisal *a, const char *file);
int mkba_ap_ps_column_withheld(const mkba_appraisal *a, size_t j);
int mkba_ap_ps_counts_withheld(const mkba_appraisal *a);

/* Whether column j shows as imbalanced after weighting: shown, and its
 * |SMD after| above MKBA_PS_SMD_LIMIT (pscore.h). */
static inline int mkba_ap_ps_imbalanced(const mkba_appraisal *a, size_t j)
{
    return !mkba_ap_ps_column_withheld(a, j) && a->ps->smd_after &&
           fabs(a->ps->smd_after[j]) > MKBA_PS_SMD_LIMIT;
}

/* A bin of the published overlap histogram: propensities in [from, to)
 * (the last bin includes 1), n persons of the group, 'share' of them. */
typedef struct mkba_ps_bin {
    double from, to;
    size_t n;
    double share;        /* n over the group's persons in the histogram */
} mkba_ps_bin;

/* Merge the histogram counts[0..n_bins-1] (equal bins over [0, 1]) for
 * publication: from left to right, a bin whose count (with the counts of
 * the small bins before it) is 1 to min_group - 1 is merged with the bins
 * to its right until the sum is at least min_group; empty bins stay
 * empty. A small tail left at the end is merged into the last published
 * bin that holds persons (with the empty bins between them), so that no
 * published bin holds 1 to min_group - 1 persons and no small count
 * follows as a difference. Writes the published bins to out (room for
 * n_bins) and returns how many, or 0 when the whole histogram holds 1 to
 * min_group - 1 persons (nothing may be shown) or n_bins is 0. */
size_t mkba_ps_merge_bins(const size_t *counts, size_t n_bins, size_t min_group,
                          mkba_ps_bin *out);
/* The published bins of group g (1 pilot, 0 control) of a->ps (0 when
 * a->ps is NULL or withheld). out has room for MKBA_PS_BINS. */
size_t mkba_ap_ps_bins(const mkba_appraisal *a, int g, mkba_ps_bin *out);

/* Whether parameter p's value in scenario s is withheld. */
static inline int mkba_ap_param_withheld(const mkba_ap_param *p, size_t s)
{
    return p->withheld && p->withheld[s];
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

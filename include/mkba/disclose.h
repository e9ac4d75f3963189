/* disclose.h - disclosure control: which values of an appraisal no output
 * may show, one rule for every output (terminal, CSV, results.json, the
 * report, the charts) and for the model (mkba_model_appraise refuses an
 * item that would carry a withheld value into an output).
 *
 * The rules decide; they do not write. How a withheld value looks is the
 * sink's business, in one form per output: "<N" (the small value) or "x"
 * (withheld with it) in the terminal and the report (mkba_disclose_count),
 * an empty field in CSV, null in results.json (table.h: a withheld cell).
 *
 * The functions keep their mkba_ap_ names (they are asked of an appraisal,
 * and every caller of appraisal.h sees them: appraisal.h includes this
 * header); what is new here is mkba_disclose_*. */
#ifndef MKBA_DISCLOSE_H
#define MKBA_DISCLOSE_H

#include <math.h>
#include <stddef.h>

#include "mkba/appraisal.h"

/* Whether a group of n persons is too small to show (see min_group). */
static inline int mkba_ap_suppressed(const mkba_appraisal *a, size_t n)
{
    return n > 0 && n < a->min_group;
}

/* A level of a category held by few persons: a cell (pilot or control
 * persons of the level) of 1 to min_group - 1. Its name, wherever it would
 * show (the balance table's dummies, a subgroup table's rows, a message),
 * is MKBA_RARE_LEVEL instead: a level held by a few persons should not
 * show that it exists (a country of birth, a postcode, an id). */
#define MKBA_RARE_LEVEL "(a rare level)"
static inline int mkba_ap_level_rare(const mkba_appraisal *a, size_t pilot, size_t control)
{
    return mkba_ap_suppressed(a, pilot) || mkba_ap_suppressed(a, control);
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
 *     gives nothing away. The means are withheld too: a mean of a 0/1 or
 *     whole-number outcome is a fraction over the persons with a value
 *     (73/413) and gives that count back. For an ipw or dr row, the
 *     persons the published propensity block fitted in a group less the
 *     row's persons used count as such a missing count.
 * With the df goes the analytic t CI (ci_lo, ci_hi): half its width over
 * the SE is the t quantile of the df, and so gives the df back. A normal CI
 * (df infinite: ipw, dr, a given effect) is 1.96 SE and is kept, as is the
 * Monte Carlo's bootstrap CI, which rests on no df.
 *   - when a group is small, the effect itself as well (MKBA_HIDE_ESTIMATE:
 *     its estimate, SE, every CI, the df, the Monte Carlo's bootstrap CI,
 *     draws and EVPPI): a handful of persons' effect comes near their own
 *     values (with two in the pilot, the bootstrap CI is each one's value
 *     less the control mean, the SE their gap). A model whose items use it
 *     is refused (mkba_model_appraise), as for a withheld mean.
 * Zero is never withheld (it discloses no one). The model's cohort counts (n_pilot, n_control, n_total in
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
    /* not one field: the estimate and SE of an effect or a subgroup level
     * (with its CIs, df and means; "estimate se" in suppressed_fields),
     * withheld when a group is small */
    MKBA_HIDE_ESTIMATE = 1u << 11
};
#define MKBA_HIDE_FIELDS 10 /* bits 0..9 above: the fields */
/* The CI, when the df is withheld: (ci_hi - estimate) / se is the t
 * quantile of the df, which gives the df back. */
#define MKBA_HIDE_CI (MKBA_HIDE_CI_LO | MKBA_HIDE_CI_HI)

/* The MKBA_HIDE_* bits of effect i's withheld values (0: none, or i out of
 * range). */
unsigned mkba_ap_effect_hidden(const mkba_appraisal *a, size_t i);

/* Whether effect i itself is withheld (MKBA_HIDE_ESTIMATE): its estimate,
 * SE and CIs, and everything the Monte Carlo derives from it alone (its
 * bootstrap CI, draws and EVPPI). */
int mkba_ap_effect_withheld(const mkba_appraisal *a, size_t i);

/* Whether the Monte Carlo's input k (a->mc: its uncertain parameters
 * 0..n_uncertain-1, then its effects) is a withheld effect, whose EVPPI
 * no output shows: it is derived from that effect's draws alone. */
int mkba_ap_mc_input_withheld(const mkba_appraisal *a, size_t k);

/* Whether the share of bootstrap replicates in which effect i could not
 * be estimated is withheld: the effect is (a small group), or it is an ipw
 * or dr effect whose propensity block or one of its columns (a rare level)
 * is. That share follows a binomial curve in the small count (k pilot
 * persons with a value: the chance a replicate draws fewer than 2) and
 * would give it back. The warning then says "some" replicates. */
int mkba_ap_boot_failures_withheld(const mkba_appraisal *a, size_t i);
/* Whether the Monte Carlo's count of failed bootstrap estimates (a->mc:
 * n_boot_failed, a sum over its effects) is withheld: one of its effects'
 * failures is (mkba_ap_boot_failures_withheld), whether it failed or not
 * (0 failures says something too). */
int mkba_ap_boot_failed_withheld(const mkba_appraisal *a);

/* Whether sensitivity input i of a->sens is a withheld effect
 * ("effect.X"): its P10 and P90 are the estimate -/+ 1.28 SE and give it
 * back. */
int mkba_ap_sens_input_withheld(const mkba_appraisal *a, size_t i);
/* Blank (NaN: shown as n/a, an empty field, null) the base value, P10,
 * P90, search range and break-even values of every withheld effect among
 * the sensitivity inputs. Call once the sensitivity analysis (Sobol
 * indices included, which draw from the base and SE) is done. Such an
 * effect is used by no item (mkba_model_appraise refuses one that is), so
 * its swings and indices are 0 and tell nothing. */
void mkba_ap_sens_disclose(mkba_appraisal *a);

/* The same rule for any effect row, a subgroup table's level too
 * (mkba_ap_effect_hidden is this on a->effects[i]). For a subgroup
 * (x->subgroup) the rule differs in two ways:
 *   - the group sizes shown under MKBA_HIDE_GROUP_SIZES are the level's
 *     (x->group_pilot, x->group_control);
 *   - when another level of the same outcome is withheld, or the
 *     outcome's persons without the `by` covariate are a small count in a
 *     group (x->sibling_small), this level's non-zero counts, df (and a t
 *     CI) and means are withheld as well: the levels' counts add up to the
 *     outcome's less those without the covariate, so one withheld count
 *     would be the difference of the others and a published total; and a
 *     mean of a 0/1 outcome (73/258) names its denominator. */
unsigned mkba_ap_hidden(const mkba_appraisal *a, const mkba_ap_effect *x);

/* Why mkba_ap_hidden withholds values of x's row (it does: the mask is
 * not 0), in words for a message after the row's name, naming the group
 * and never a count: "has fewer than 10 persons with a value in the pilot
 * group", "has fewer than 10 persons without a value in the pilot group",
 * ... Into buf. */
void mkba_ap_hidden_why(const mkba_appraisal *a, const mkba_ap_effect *x, char *buf,
                        size_t size);

/* Secondary suppression of subgroups: marks sibling_small on every level of
 * a subgroup table with a withheld level (MKBA_HIDE_N_PILOT or _N_CONTROL by
 * the rule), or whose outcome has 1 to min_group - 1 persons without the
 * `by` covariate in a group (a published total less the sum of the levels'
 * counts: the outcome's persons with a value, the group's size in the
 * cohort, the propensity block's persons), and on the effects X.by.V of its
 * outcome. Call once the subgroups and effects are in 'a', and again once
 * a->ps is. */
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
 *   - a design column resting on a small group, a column of two values
 *     (0/1, or 1/2) with fewer than min_group persons of a group on one
 *     side, or another with fewer than min_group persons of a group with
 *     a value other than 0 (a product with such a column) (ps->n_rare), has its
 *     coefficient, SE and both SMDs withheld: the SMD of a 0/1 column is a
 *     difference of shares, which with the group sizes gives the count
 *     back (mkba_ap_ps_column_withheld);
 *   - when a count of persons left out (for a missing covariate, in each
 *     group: its size in the cohort minus those fitted and trimmed; or by
 *     trimming) is small, the persons fitted per group, every non-zero
 *     left-out count and the effective sample sizes (for the ATT the
 *     pilot's is its count) are withheld, so that none follows from the
 *     group sizes the other outputs publish (mkba_ap_ps_counts_withheld);
 *   - when a column or the counts are withheld, so are the fit's own
 *     figures: every coefficient and SE (the intercept's too), the
 *     deviance and the effective sample sizes (mkba_ap_ps_fit_withheld).
 *     Each depends on every person; in a model of one 0/1 column, the
 *     intercept's and the column's coefficient and SE give its four cells
 *     back (so the persons used, a withheld count), and with a rare
 *     column the deviance or the control group's effective size give its
 *     small count back. The balance of the other columns stays;
 *   - the overlap histogram is published with its bins merged so that
 *     every bin holds 0 or at least min_group persons of its group
 *     (mkba_ap_ps_bins), and not at all when the counts are withheld (its
 *     shares are counts over the persons fitted and would give them back).
 * A withheld value is "<N" (small) or "x" in the terminal and the report,
 * an empty CSV field and null in results.json, as for the effects. */
int mkba_ap_ps_withheld(const mkba_appraisal *a);
int mkba_ap_ps_column_withheld(const mkba_appraisal *a, size_t j);
int mkba_ap_ps_counts_withheld(const mkba_appraisal *a);
int mkba_ap_ps_fit_withheld(const mkba_appraisal *a);
/* Column j's coefficient and SE: withheld with the column or the fit. */
int mkba_ap_ps_coef_withheld(const mkba_appraisal *a, size_t j);

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

/* ---- For the outputs ---- */

/* The field name of one MKBA_HIDE_* bit ("df", "mean_pilot", ...; "" if
 * none): the names effects.csv and results.json give the fields. */
const char *mkba_disclose_field_name(unsigned bit);
/* The names of the withheld fields in 'mask', space-separated ("" when
 * none), as effects.csv lists them. */
void mkba_disclose_field_list(char *buf, size_t size, unsigned mask);
/* Withheld values over all effects (results.json privacy.suppressed_cells);
 * 0 means the outputs show everything. */
size_t mkba_disclose_cells(const mkba_appraisal *a);
/* A count as the terminal shows it: the number ("N*" for a group's size
 * shown in place of its persons with a value: 'group_size'), "<N" when it
 * is small and withheld ('hidden'), "x" when withheld with a small one.
 * Returns 1 for "x" (the caller then says what "x" means). */
int mkba_disclose_count(char *buf, size_t size, const mkba_appraisal *a, size_t n, int hidden,
                        int group_size);

#endif

/* model.h - a cost-benefit model and its scenarios, read from INI files,
 * checked whole and compiled before anything runs.
 *
 * A model file (models/) states the horizon, discounting, price year,
 * currency, stakeholders, the cohort mapping, effects, named parameters and
 * cost, benefit and transfer items. A scenario file (scenarios/) names its
 * base model and overrides parameters or items. A study is one reference
 * alternative (regular practice) and one or more project alternatives,
 * all scenarios of the same base model; a model file given as a scenario
 * is the base model unchanged. The file format is documented in README.md.
 *
 * Names in expressions: parameters by name; n_pilot, n_control, n_total
 * (cohort counts); for each effect X: effect.X and se.X; for an effect
 * estimated from the cohort also mean_pilot.X and mean_control.X.
 *
 * Life cycle: mkba_model_open() -> read the cohort of
 * mkba_model_cohort_spec() and estimate each mkba_model_est_spec() ->
 * mkba_model_set_cohort_counts() + mkba_model_set_effect() ->
 * mkba_model_appraise() -> mkba_model_free(). */
#ifndef MKBA_MODEL_H
#define MKBA_MODEL_H

#include <stddef.h>

#include <stdint.h>

#include "mkba/appraisal.h"
#include "mkba/cohort.h"
#include "mkba/dist.h"
#include "mkba/error.h"
#include "mkba/estimate.h"
#include "mkba/expr.h"
#include "mkba/plan.h"
#include "mkba/pscore.h"

typedef struct mkba_model mkba_model;

/* Open a study. 'reference' may be NULL: it is then taken from the
 * 'reference' key of the first project scenario. All files must share one
 * base model. With n_projects == 0, only the base model of 'reference' is
 * read (for `mkba estimate`). Errors name file, line, section and key. */
mkba_model *mkba_model_open(const char *reference, size_t n_projects,
                            const char *const *projects, mkba_error *err);
void mkba_model_free(mkba_model *m); /* NULL is a no-op */

const char *mkba_model_name(const mkba_model *m);
const char *mkba_model_file(const mkba_model *m);

/* The cohort to read, or NULL when the model has no cohort file. The
 * variables are in the order the estimation specs index them. */
const mkba_cohort_spec *mkba_model_cohort_spec(const mkba_model *m);

/* Effects to estimate from the cohort (one per [outcome.X] section). The
 * specs of ipw and dr outcomes point (ps) at the model's propensity model. */
size_t mkba_model_n_outcomes(const mkba_model *m);
const mkba_est_spec *mkba_model_est_spec(const mkba_model *m, size_t i);

/* The propensity model of the [propensity] section (terms indexing the
 * cohort variables of mkba_model_cohort_spec()), or NULL when the model
 * has none. Only the base model sets it: a scenario cannot change it. */
const mkba_ps_spec *mkba_model_ps_spec(const mkba_model *m);

/* Subgroups (an outcome's `by`), once the cohort is read: adds to 'c' the
 * outcome masked to each level (mkba_cohort_add_masked), estimates every
 * level (a level that fails gets its reason, not an error), tests
 * heterogeneity, and points the outcomes X.by.V (declared at open for the
 * names effect.X.by.V, se.X.by.V, mean_pilot.X.by.V, mean_control.X.by.V
 * that the expressions use) at their level's column, so mkba_estimate and
 * mkba_bootstrap estimate them like any outcome. Call before estimating
 * the outcomes. Fails, at the expression that uses it, for a V that is no
 * level of the covariate as written in names (every character other than
 * a letter, digit or '_' written '_'), listing the levels so written, or
 * that two levels are written as. The tables go into the appraisal
 * (mkba_appraisal.subgroups). A subgroup outcome not resolved here is
 * never set (mkba_model_set_effect ignores it) and the appraisal fails. */
mkba_status mkba_model_subgroups(mkba_model *m, mkba_cohort *c, mkba_error *err);

/* Supply what was read and estimated. Counts come from the cohort (or the
 * model's [cohort] n_pilot / n_control when it has no file). */
void mkba_model_set_cohort_counts(mkba_model *m, size_t n_pilot, size_t n_control);
void mkba_model_set_effect(mkba_model *m, size_t outcome, const mkba_effect *e,
                           size_t missing_pilot, size_t missing_control);
/* For a subgroup outcome X.by.V (estimated on the masked column) the
 * persons outside the subgroup are taken out of e->n_missing and the
 * missing counts: they are not missing. */

/* Evaluate every scenario at the base values and build the appraisal.
 * Fails with the file, line and key of an expression that is not finite
 * (e.g. a division by zero) or out of range (a drop-off outside 0..1).
 * Disclosure control (appraisal.h): a parameter computed, in a scenario,
 * from a withheld count or group mean is marked withheld there
 * (mkba_ap_param.withheld), and in a study with project scenarios an item
 * that uses one (directly or through parameters) is refused, naming the
 * value, the group and [privacy] min_group: its flows would give it back.
 * Fills the appraisal's warnings (appraisal.h): an item of a project that
 * uses an effect yet equals the reference in every year (not all zero),
 * and a base value written in the model outside its distribution's
 * P1-P99 in a scenario that draws it (once per parameter). */
mkba_appraisal *mkba_model_appraise(const mkba_model *m, mkba_error *err);

/* The plan of an opened model. Its base slots follow
 * mkba_model_set_cohort_counts() and mkba_model_set_effect(). */
const mkba_plan *mkba_model_plan(const mkba_model *m);

/* [simulation] settings of the model (0 when not given). */
typedef struct mkba_sim_settings {
    size_t draws;        /* number of Monte Carlo draws */
    uint64_t seed;       /* run seed */
    int has_seed;
    size_t bootstrap;    /* bootstrap replicates of the cohort effects: 0 (the effects
                            fixed at their estimates) or at least MKBA_BOOTSTRAP_MIN */
    int has_bootstrap;   /* the model sets it */
} mkba_sim_settings;
const mkba_sim_settings *mkba_model_sim_settings(const mkba_model *m);

#endif

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

#include "mkba/appraisal.h"
#include "mkba/cohort.h"
#include "mkba/error.h"
#include "mkba/estimate.h"

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

/* Effects to estimate from the cohort (one per [outcome.X] section). */
size_t mkba_model_n_outcomes(const mkba_model *m);
const mkba_est_spec *mkba_model_est_spec(const mkba_model *m, size_t i);

/* Supply what was read and estimated. Counts come from the cohort (or the
 * model's [cohort] n_pilot / n_control when it has no file). */
void mkba_model_set_cohort_counts(mkba_model *m, size_t n_pilot, size_t n_control);
void mkba_model_set_effect(mkba_model *m, size_t outcome, const mkba_effect *e,
                           size_t missing_pilot, size_t missing_control);

/* Evaluate every scenario at the base values and build the appraisal.
 * Fails with the file, line and key of an expression that is not finite
 * (e.g. a division by zero) or out of range (a drop-off outside 0..1). */
mkba_appraisal *mkba_model_appraise(const mkba_model *m, mkba_error *err);

#endif

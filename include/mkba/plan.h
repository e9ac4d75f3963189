/* plan.h - the compiled plan: a flat, read-only view of a compiled model
 * for the evaluators (the Monte Carlo, the sensitivity analysis, the
 * summaries): slots, programs, items, discounting, and what is uncertain.
 *
 * Why its own header: the evaluators depend on this view only, never on
 * the model reader (model.h), so the data flow is reader -> plan ->
 * evaluators -> summaries -> outputs. model.h makes a plan
 * (mkba_model_plan); everything in it is borrowed from the model and
 * valid until mkba_model_free(). */
#ifndef MKBA_PLAN_H
#define MKBA_PLAN_H

#include <stddef.h>

#include "mkba/appraisal.h"
#include "mkba/dist.h"
#include "mkba/expr.h"

typedef struct mkba_plan_param {
    long slot;               /* slot the parameter is written to */
    const mkba_expr *expr;   /* its expression in this scenario */
    int drawn;               /* 1: uncertain and not overridden: the Monte Carlo
                                writes the draw into the slot instead */
} mkba_plan_param;

typedef struct mkba_plan_item {
    int enabled;
    const mkba_expr *quantity;
    const mkba_expr *price;   /* NULL = 1 */
    const mkba_expr *dropoff; /* NULL = 0 */
    int first, last;          /* model years, 1-based inclusive */
} mkba_plan_item;

typedef struct mkba_plan_scenario {
    size_t n_params;                /* in evaluation order */
    const mkba_plan_param *params;
    const mkba_plan_item *items;    /* [n_items] */
    const double *discount;         /* [horizon] discount factors */
} mkba_plan_scenario;

typedef struct mkba_plan_uncertain {
    const char *name;        /* parameter name, or "effect.X" */
    long slot;
    const mkba_dist *dist;
    long copula_index;       /* index in the copula, or -1 when independent */
    long effect;             /* >= 0: a given effect (index into effects) */
} mkba_plan_uncertain;

typedef struct mkba_plan {
    size_t n_slots;
    const double *base_slots;       /* counts, effects, NaN for parameters */
    char *const *slot_names;
    size_t horizon, n_items, n_scenarios, n_stakeholders;
    const mkba_item_kind *kinds;    /* [n_items] */
    const size_t *stakeholder;      /* [n_items] who (the gainer of a transfer) */
    const size_t *loser;            /* [n_items] who pays a transfer */
    const mkba_plan_scenario *scenarios; /* [0] = reference */
    size_t n_uncertain;             /* parameters and given effects with a distribution */
    const mkba_plan_uncertain *uncertain;
    const mkba_copula *copula;      /* over the correlated ones, or NULL */
    size_t n_outcomes;              /* effects estimated from the cohort: */
    const long *outcome_slots;      /* [n_outcomes] slot of effect.X */
} mkba_plan;

#endif

/* sim.h - the Monte Carlo: draws of every uncertain parameter and effect,
 * each scenario evaluated on the same draws (common random numbers), the
 * present values of each project scenario against the reference kept per
 * draw for the summaries.
 *
 * Reproducibility: draws are cut into blocks of MKBA_SIM_BLOCK; block b
 * draws from random stream (seed, MKBA_STREAM_DRAWS, b) and writes draws
 * [b * MKBA_SIM_BLOCK, ...) of every output column. Which thread runs a
 * block does not matter, so results are bit-identical for any number of
 * threads, and a split of the blocks over processes gives the same draws.
 *
 * Within a block the random numbers are used in a fixed order: each
 * independent uncertain quantity for all draws of the block (plan order),
 * then the copula's normals draw by draw.
 * Effects estimated from the cohort take bootstrap replicate
 * (draw index mod number of replicates), so the effects of one replicate
 * stay together. */
#ifndef MKBA_SIM_H
#define MKBA_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "mkba/error.h"
#include "mkba/finance.h"
#include "mkba/plan.h"

#define MKBA_SIM_BLOCK 256

/* mkba_sim_opts.keep_items: */
enum {
    MKBA_SIM_ITEMS_NONE = 0,  /* no item PVs */
    MKBA_SIM_ITEMS_KEEP = 1,  /* each item's PV per draw, in item_pv */
    MKBA_SIM_ITEMS_REGEN = 2, /* none kept: mkba_mc_summarize regenerates them, a chunk of
                                 blocks at a time (the same draws), for their statistics */
    MKBA_SIM_ITEMS_AUTO = 3   /* KEEP while they take at most MKBA_SIM_KEEP_BYTES, else REGEN */
};
#define MKBA_SIM_KEEP_BYTES ((size_t)32 << 20)

/* mkba_sim_opts.keep_uncertain: */
enum {
    MKBA_SIM_INPUTS_NONE = 0,  /* no statistics of the inputs, no EVPPI */
    MKBA_SIM_INPUTS_KEEP = 1,  /* each input's value per draw, in uncertain and effects */
    MKBA_SIM_INPUTS_REGEN = 2  /* none kept (200 bytes a draw for 25 inputs): the summary
                                  makes the inputs again with mkba_sim_inputs, a chunk of
                                  draws at a time, for their statistics and EVPPI */
};

/* Called from the thread that called mkba_sim_run, about ten times a
 * second, with the number of draws done so far. */
typedef void (*mkba_sim_progress_fn)(void *ctx, size_t done, size_t total);

/* The shape of society's NPV (summary.h: npv_cdf, hist) in mkba_mc_stream:
 * by a second pass over the draws, made again (the default); from its NPV
 * kept per draw (8 bytes a draw and project), in the one pass; or not at
 * all (NaN, no counts: a run without charts). */
enum { MKBA_SIM_SHAPE_PASS, MKBA_SIM_SHAPE_KEEP, MKBA_SIM_SHAPE_NONE };

typedef struct mkba_sim_opts {
    size_t draws;               /* number of draws (>= 1) */
    uint64_t seed;
    int threads;                /* <= 0: all cores */
    const double *bootstrap;    /* [n_boot][plan->n_outcomes] replicate effects, or NULL:
                                   cohort effects are then fixed at their estimates */
    size_t n_boot;
    const double *inputs;       /* or NULL. Not NULL: no random draws; "draw" i evaluates
                                   the point inputs[i * (n_uncertain + n_outcomes) ...]:
                                   each uncertain quantity, then each cohort effect
                                   (for one-way analysis, switching values, ...) */
    size_t first_block;         /* the run's draw i is draw first_block * MKBA_SIM_BLOCK + i
                                   of the whole run (its random stream, its bootstrap
                                   replicate, its row of 'inputs'): a part of a run */
    int keep_items;             /* MKBA_SIM_ITEMS_*: each item's PV per draw */
    int keep_uncertain;         /* MKBA_SIM_INPUTS_*: the drawn values and effects per draw */
    int keep_finance;           /* also the payback and the IRR of each draw's yearly net
                                   flows (finance.h): irr, payback_count, irr_count */
    int shape;                  /* mkba_mc_stream (summary.h): how society's NPV curve and
                                   histogram are made: MKBA_SIM_SHAPE_* */
    mkba_sim_progress_fn progress; /* may be NULL */
    void *progress_ctx;
} mkba_sim_opts;

typedef struct mkba_sim {
    size_t draws;
    size_t n_scenarios, n_items, n_stakeholders, n_uncertain, n_outcomes;
    /* Column-major: column c holds draws [c * draws, (c + 1) * draws).
     * Balances of project scenario s >= 1 (vs the reference) for
     * stakeholder k, with k == n_stakeholders for society: column
     * mkba_sim_col(sim, s, k). The reference (s = 0) has no columns: its
     * balance against itself is zero. */
    double *pv_benefits;
    double *pv_costs;
    double *item_pv;            /* column (s - 1) * n_items + i, s >= 1 (NULL unless kept) */
    int items_regen;            /* item PVs left to regeneration (MKBA_SIM_ITEMS_REGEN) */
    int inputs_regen;           /* inputs left to regeneration (MKBA_SIM_INPUTS_REGEN) */
    mkba_sim_opts opts;         /* the options of the run, for its regeneration (pointers
                                   borrowed as in the caller's; no progress) */
    double *uncertain;          /* column k: the drawn value of uncertain quantity k
                                   (NULL unless MKBA_SIM_INPUTS_KEEP) */
    double *effects;            /* column j: effect j (from the cohort) in each draw
                                   (NULL unless MKBA_SIM_INPUTS_KEEP) */
    /* With keep_finance, per column mkba_sim_col(s, k) as above: each draw's
     * yearly net flows (per year mkba_fin_net of the inflows and outflows,
     * as the appraisal's fin), their payback year at the scenario's discount
     * factors and their IRR (NULL otherwise). Kept small (a float per draw,
     * counts per column), since the yearly flows themselves are not kept. */
    float *irr;                 /* column c: the IRR of each draw; NaN where it is not
                                   MKBA_FIN_IRR_UNIQUE (irr_count says why) */
    size_t *payback_count;      /* [c * MKBA_FIN_PAYBACK_N + status]: draws per payback
                                   status (MKBA_FIN_PAID: paid back within the horizon) */
    size_t *irr_count;          /* [c * MKBA_FIN_IRR_N + status]: draws per IRR status */
    size_t n_nonfinite;         /* draws with a non-finite NPV for some stakeholder */
    int threads;                /* threads used */
    double seconds;             /* wall time of the draws */
    struct mkba_sim_work *work; /* private: the draw loop's set-up and threads' scratch,
                                   kept for a run in this memory (mkba_sim_run_reuse) */
} mkba_sim;

/* Run the Monte Carlo over 'plan'. Fails only on invalid options (running
 * out of memory for the result ends the program through mkba_xcalloc). */
mkba_sim *mkba_sim_run(const mkba_plan *plan, const mkba_sim_opts *opts, mkba_error *err);
/* mkba_sim_run in the memory of 'old' (a result of an earlier run of the
 * same plan, or NULL), which it consumes: reused when it holds the same
 * columns (a run of the same draws and kept columns: the chunks of a
 * summary), else freed. Saves clearing and mapping fresh memory for each
 * of many runs: the columns, and the threads' scratch and the plan's
 * set-up, which a reused result keeps. */
mkba_sim *mkba_sim_run_reuse(const mkba_plan *plan, const mkba_sim_opts *opts, mkba_sim *old,
                             mkba_error *err);
void mkba_sim_free(mkba_sim *s); /* NULL is a no-op */

/* What a run with options 'o' does with the items' PVs: MKBA_SIM_ITEMS_KEEP,
 * _REGEN or _NONE (MKBA_SIM_ITEMS_AUTO resolved for o->draws). */
int mkba_sim_items_mode(const mkba_plan *p, const mkba_sim_opts *o);

/* The result of a run with options 'o', its columns allocated but not
 * computed (seconds, threads and counts zero): for a run whose parts
 * ran elsewhere (mpi.h), which fills in every column. Freed with
 * mkba_sim_free. */
mkba_sim *mkba_sim_alloc(const mkba_plan *p, const mkba_sim_opts *o);

static inline size_t mkba_sim_col(const mkba_sim *s, size_t scenario, size_t k)
{
    return (scenario - 1) * (s->n_stakeholders + 1) + k; /* scenario >= 1 */
}

/* The inputs of a run made again, a column at a time, bit for bit the
 * columns MKBA_SIM_INPUTS_KEEP would keep, without the model's evaluation:
 * only the draws of the uncertain quantities. Each block's random stream
 * is replayed from cursors (the generator's state where each independent
 * quantity starts in the block: 32 bytes a block and quantity), set the
 * first time a column at or beyond the quantity is made. So a column,
 * in any order, costs the draws of its own quantity once the cursors up to
 * it are set; the first of a copula's quantities sets them all (a pass
 * over the independent quantities), and each replays the block's copula
 * normals. 'o' is the run's options (mkba_sim.opts), 'p' its plan; both
 * borrowed. Use one per thread. */
typedef struct mkba_sim_inputs mkba_sim_inputs;
mkba_sim_inputs *mkba_sim_inputs_alloc(const mkba_plan *p, const mkba_sim_opts *o);
/* Input k (k < n_uncertain: uncertain quantity k, else effect k -
 * n_uncertain) of each of the run's o->draws draws, into out[0..draws). */
void mkba_sim_inputs_column(mkba_sim_inputs *g, size_t k, double *out);
/* Every input at once, input k into out + k * stride (k < n_uncertain +
 * n_outcomes): the columns of mkba_sim_inputs_column, with each quantity
 * drawn once, in the stream's order. Half the draws of a pass over the
 * columns one by one when a copula's quantity comes before independent
 * ones (it needs the cursors past them all). */
void mkba_sim_inputs_all(mkba_sim_inputs *g, double *out, size_t stride);
void mkba_sim_inputs_free(mkba_sim_inputs *g); /* NULL is a no-op */

/* Number of cores available. */
int mkba_sim_cores(void);

#endif

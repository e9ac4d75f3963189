/* summary.h - what a Monte Carlo run means, in numbers: mean, SD, P5, P50,
 * P95 and the chance of a positive value, for the NPV, the present values
 * of benefits and costs and the benefit-cost ratio of each project
 * scenario (overall and per stakeholder), for each item, each uncertain
 * parameter and each effect (with its bootstrap percentile CI). */
#ifndef MKBA_SUMMARY_H
#define MKBA_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "mkba/error.h"
#include "mkba/finance.h"

struct mkba_sim;
struct mkba_plan;

typedef struct mkba_stats {
    double mean, sd;            /* sd with n - 1 */
    double p5, p50, p95;        /* interpolated quantiles, as gsl_stats_quantile_from_sorted_data */
    double p_positive;          /* share of values > 0 (an NPV: NaN when it is 0 in every
                                   draw, mkba_stats_all_zero) */
    size_t n;                   /* finite values used */
} mkba_stats;

/* Statistics of the finite values of x[0..n-1]; 'scratch' holds n doubles. */
void mkba_stats_of(const double *x, size_t n, double *scratch, mkba_stats *out);
/* Whether every value was 0 (n > 0, mean and SD 0): a stakeholder whose
 * benefits and costs cancel in every draw. Its p_positive is NaN (shown as
 * n/a: there is no chance of a gain or a loss), not 0. */
static inline int mkba_stats_all_zero(const mkba_stats *st)
{
    return st->n > 0 && st->mean == 0 && st->sd == 0;
}

/* The same statistics of x[0..m-1], all finite and in draw order (the
 * order fixes the sums' bits), n_positive of them > 0; x is reordered. */
void mkba_stats_of_finite(double *x, size_t m, size_t n_positive, mkba_stats *out);

/* A quantile as the statistics give it: -0 as +0. Among equal values
 * which of -0 and +0 is found depends on the algorithm, and the outputs
 * would show "-0" for one of them. */
static inline double mkba_stats_zero(double q)
{
    return q + 0.0; /* -0 + 0 is +0; every other value is itself */
}

/* x[0..n-1] (no NaN) in increasing order, -0 before +0 (a radix sort). */
void mkba_stats_sort(double *x, size_t n);

/* Some order statistics of x[0..n-1] (no NaN): out[j] = x[pos[j]] once
 * x is sorted by mkba_stats_sort (the same bits, -0 before +0), for npos
 * positions in increasing order (repeats allowed), each below n; x is not
 * changed. Faster than a sort when few are wanted (an MSD radix select). */
void mkba_stats_order(const double *x, size_t n, const size_t *pos, size_t npos, double *out);

/* The k-th smallest of x[0..n-1] (0-based), by quickselect; x is left
 * partitioned around position k. */
double mkba_stats_select(double *x, size_t n, size_t k);
/* The order statistics of ranks ks[0..nk) (0-based, increasing, each
 * below n) of x[0..n-1] (no NaN) in their places: x[k] the k-th smallest,
 * none greater before it, none smaller after it. Partitions without a
 * branch on the values (quickselect by 3-way partitions): a few times
 * quicker than mkba_stats_sort for a few ranks. */
void mkba_stats_select_ranks(double *x, size_t n, const size_t *ks, size_t nk);

/* The payback and the IRR of one column over the draws (sim.h,
 * keep_finance; finance.h for the definitions). */
typedef struct mkba_mc_fin {
    size_t payback[MKBA_FIN_PAYBACK_N]; /* draws per payback status */
    size_t irr_status[MKBA_FIN_IRR_N];  /* draws per IRR status */
    double p_payback;       /* share of the draws with flows (neither MKBA_FIN_NO_FLOWS nor
                               MKBA_FIN_UNDEFINED) that pay back within the horizon; NaN
                               when no draw has flows */
    mkba_stats irr;         /* over the draws with a unique IRR (irr.n of them); mean, sd
                               and quantiles to 6 significant digits (the draws' IRRs are
                               kept as floats) */
    double irr_share;       /* irr.n / draws: the share of draws with a unique IRR */
} mkba_mc_fin;

typedef struct mkba_mc {
    size_t draws;
    uint64_t seed;
    int threads;
    int ranks;                  /* MPI processes of the run (mpi.h; 0 or 1: one) */
    double seconds;
    size_t n_boot;              /* bootstrap replicates (0 = effects fixed) */
    size_t n_boot_failed;
    size_t n_nonfinite;
    size_t n_scenarios, n_stakeholders, n_items, n_uncertain, n_outcomes;
    /* [n_scenarios][n_stakeholders + 1], society last; scenario 0 unused */
    mkba_stats *npv, *pv_benefits, *pv_costs, *bcr;
    mkba_stats *items;          /* [n_scenarios][n_items] incremental PV */
    char **uncertain_names;     /* [n_uncertain] */
    mkba_stats *uncertain;      /* [n_uncertain] the drawn values */
    mkba_stats *effects;        /* [n_outcomes] effects used in the draws */
    double *boot_lo, *boot_hi;  /* [n_outcomes] bootstrap 95% percentile CI (NaN if none) */
    int has_copula;
    /* Value of information for the decision among the reference and the
     * project scenarios, on society's NPV (draws with any non-finite NPV
     * left out). */
    double evpi;                /* expected value of perfect information */
    size_t best;                /* best option on average: scenario index (0 = reference) */
    double *evppi;              /* [n_uncertain + n_outcomes] per uncertain input */
    size_t voi_draws;           /* draws used */
    double *p_best;             /* [n_scenarios] share of those draws in which the
                                   alternative (0: the reference, NPV 0) has society's
                                   highest NPV; NaN when none was used */
    /* The shape of society's NPV per project scenario, for charts (scenario
     * 0 unused; finite draws only): its quantile at p = i / (MKBA_MC_CDF - 1)
     * (GSL's interpolation, NaN when no finite draw), and a histogram of
     * MKBA_MC_BINS equal bins from hist_lo to hist_lo + MKBA_MC_BINS *
     * hist_width (the last bin closed), counts summing to npv[].n. */
    double *npv_cdf;            /* [n_scenarios][MKBA_MC_CDF] */
    double *hist_lo, *hist_width; /* [n_scenarios] */
    size_t *hist;               /* [n_scenarios][MKBA_MC_BINS] */
    /* [n_scenarios][n_stakeholders + 1] (mkba_mc_idx; scenario 0 unused): the
     * payback and IRR over the draws; NULL when the run kept none. */
    mkba_mc_fin *fin;
} mkba_mc;

#define MKBA_MC_CDF 201
#define MKBA_MC_BINS 40

/* Summarise a run. 'boot' ([n_boot][plan->n_outcomes]) may be NULL. */
mkba_mc *mkba_mc_summarize(const struct mkba_sim *sim, const struct mkba_plan *plan,
                           uint64_t seed, const double *boot, size_t n_boot,
                           size_t n_boot_failed);
/* The same summary, bit for bit, of the run that mkba_sim_run(plan, o)
 * would make, without keeping its draws: each pass over the draws makes
 * them again, a chunk at a time (memory does not grow with the draws;
 * the time is about that of the run per pass, two passes as a rule).
 * Fails as mkba_sim_run on invalid options. */
struct mkba_sim_opts;
mkba_mc *mkba_mc_stream(const struct mkba_plan *plan, const struct mkba_sim_opts *o,
                        const double *boot, size_t n_boot, size_t n_boot_failed,
                        mkba_error *err);

/* mkba_mc_stream shared out over several processes (mpi.h), the same
 * summary bit for bit: the draws come in chunks of MKBA_MC_CHUNK (the
 * last shorter); each process makes some of them and runs the statistics
 * of some of the columns, and the processes trade the columns and reduce
 * the results through 'ranks'. Every process calls it with the same plan
 * and options; each gets an mkba_mc, whose statistics are whole on
 * process 0 only (the others' hold their own columns').
 * A chunk is whole blocks of draws (sim.h, MKBA_SIM_BLOCK): 64 KiB a
 * column, large enough that a message is not mostly overhead. It is also
 * the most draws of a unit of one process's threads (summary.c, the wave).
 * The results do not depend on it. */
#define MKBA_MC_CHUNK ((size_t)8192)
typedef struct mkba_mc_msg {
    void *p;                    /* the bytes sent, or room for those received */
    size_t bytes;               /* sent; received: the room, then how many came */
    int peer;                   /* the process sent to or received from */
} mkba_mc_msg;
enum { MKBA_MC_OR, MKBA_MC_SUM };
typedef struct mkba_mc_ranks {
    int rank, size;             /* this process, of 'size' */
    /* Send every message of 'send' and receive every one of 'recv', and
     * return when all are done; between two processes the messages match
     * in the order of the lists. Every process calls it at the same point. */
    void (*exchange)(void *ctx, mkba_mc_msg *send, size_t n_send, mkba_mc_msg *recv,
                     size_t n_recv);
    /* x[0..n) combined over the processes, on every process: MKBA_MC_OR
     * the bitwise or of n bytes, MKBA_MC_SUM the sums of n uint64_t. */
    void (*reduce)(void *ctx, void *x, size_t n, int op);
    void *ctx;
} mkba_mc_ranks;
mkba_mc *mkba_mc_stream_ranks(const struct mkba_plan *plan, const struct mkba_sim_opts *o,
                              const double *boot, size_t n_boot, size_t n_boot_failed,
                              const mkba_mc_ranks *ranks, mkba_error *err);
void mkba_mc_free(mkba_mc *mc); /* NULL is a no-op */

static inline size_t mkba_mc_idx(const mkba_mc *mc, size_t scenario, size_t k)
{
    return scenario * (mc->n_stakeholders + 1) + k;
}

#endif

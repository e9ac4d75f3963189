/* stream.h - statistics of columns of draws that are never held whole, and
 * the thread runner the summaries share.
 *
 * A column is fed in draw order, a chunk at a time, in one pass as a rule;
 * a stream that needs another asks for it, and the caller feeds the same
 * values again (sim.h's draws are reproducible block by block). The
 * results are the bits mkba_stats_of (summary.h) gives for the whole
 * column held in memory:
 *   - mean and SD by the same sums in the same order (four running sums
 *     over the finite values, the last n % 4 into the first; the SD from
 *     the deviations from the mean of the first MKBA_STREAM_SAMPLE values),
 *     carried from chunk to chunk, so the bits do not depend on how the
 *     column was cut;
 *   - P5, P50 and P95 as exact order statistics: the first
 *     MKBA_STREAM_SAMPLE finite values (independent draws: a fair sample)
 *     give a value range around each quantile; the values below it are
 *     counted, those inside kept, and when they fill their buffer the range
 *     is narrowed around the quantile's rank among the values so far (8
 *     binomial SDs either side), so some 20 sqrt(n) values are kept, at most
 *     65,536 per quantile (512 KiB). Past that the quantile counts its range
 *     in MKBA_STREAM_BINS bins instead, and a second pass keeps only the
 *     values of the bins that hold its order statistics.
 * Memory per column: the kept values and, until it is complete, the
 * sample (128 KiB, made at the first value); the many columns of a run
 * (items, inputs) are fed one after another, so at most one sample a
 * thread is alive at a time.
 * Where that cannot work (sums that overflow, a range that missed the
 * quantile, a bin crowded by many distinct values, at most
 * MKBA_STREAM_SAMPLE values) mkba_stream_end asks for the whole column
 * instead: another pass collects its finite values and mkba_stats_of's way
 * is used, so a result is never approximate. */
#ifndef MKBA_STREAM_H
#define MKBA_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "mkba/summary.h"

#define MKBA_STREAM_SAMPLE 16384
#define MKBA_STREAM_BINS 2048

typedef struct mkba_stream mkba_stream;

mkba_stream *mkba_stream_alloc(void);
/* A stream that keeps at most keep_max values per quantile in pass 1
 * (mkba_stream_alloc: 65,536); past that a quantile takes a second pass. */
mkba_stream *mkba_stream_alloc_keep(size_t keep_max);
void mkba_stream_free(mkba_stream *s); /* NULL is a no-op */

/* Feed x[0..n-1], the next values of the column in draw order, to the
 * current pass (the first after mkba_stream_alloc). */
void mkba_stream_add(mkba_stream *s, const double *x, size_t n);

/* End the current pass. Returns 1 when another pass over the same values
 * is needed (then feed them again, in the same order), 0 when *out holds
 * the statistics. */
int mkba_stream_end(mkba_stream *s, mkba_stats *out);

/* A double's bits mixed for an open-addressing table of distinct values
 * (MurmurHash3's 64-bit finaliser, its first half): round values, whose
 * low bits are all 0 (a discrete input's 1, 2, 3), spread over the table
 * rather than queue in one place. */
static inline uint64_t mkba_stream_hash(uint64_t bits)
{
    uint64_t x = bits ^ (bits >> 33);
    x *= UINT64_C(0xff51afd7ed558ccd);
    return x ^ (x >> 33);
}

/* How many of n sorted values (no NaN) lie below v, in about constant
 * time: a table of equal cells over the values' range gives the values of
 * the cells before v's (the cell map is monotone in v), and a binary
 * search among the few in v's cell finishes. The values are borrowed. */
typedef struct mkba_cuts {
    const double *t;
    size_t n, cells;
    double t0, inv;           /* v's cell: (v - t0) * inv, clamped to [0, cells) */
    uint32_t *start;          /* [cells + 1] the values in the cells before each */
} mkba_cuts;
void mkba_cuts_init(mkba_cuts *c, const double *sorted, size_t n, size_t cells);
void mkba_cuts_free(mkba_cuts *c);
static inline size_t mkba_cuts_cell(const mkba_cuts *c, double v)
{
    double x = (v - c->t0) * c->inv;
    return x >= 0 ? (x < (double)c->cells ? (size_t)x : c->cells - 1) : 0;
}
static inline size_t mkba_cuts_below(const mkba_cuts *c, double v)
{
    size_t cell = mkba_cuts_cell(c, v), lo = c->start[cell], hi = c->start[cell + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->t[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Many values at a time, without a branch on them: the cells of
 * v[0..n-1] as mkba_cuts_cell gives them (cells must be below 2^31), then
 * mkba_cuts_below_in for each. The clamps are written as the max and min
 * they are (NaN to 0 as well; x in [cells - 1, cells) truncates to the
 * same cell as cells - 1), so the loop vectorises. */
static inline void mkba_cuts_cells(const mkba_cuts *c, const double *v, size_t n, uint32_t *cell)
{
    double t0 = c->t0, inv = c->inv, last = (double)c->cells - 1;
    for (size_t i = 0; i < n; i++) {
        double x = (v[i] - t0) * inv;
        x = x > 0 ? x : 0;
        x = x < last ? x : last;
        cell[i] = (uint32_t)(int32_t)x;
    }
}
/* The most values one cell holds. */
static inline size_t mkba_cuts_crowd(const mkba_cuts *c)
{
    size_t most = 0;
    for (size_t cell = 0; cell < c->cells; cell++)
        if (c->start[cell + 1] - c->start[cell] > most)
            most = c->start[cell + 1] - c->start[cell];
    return most;
}
/* mkba_cuts_below(c, v) for v in 'cell': a search of a fixed number of
 * halvings, 'steps', over the 2^steps - 1 values from the cell's first
 * (its own, then values of later cells, which are above v), so the only
 * branch is the loop's. It takes 2^steps > mkba_cuts_crowd(c), and
 * t[n .. n + 2^steps - 2] readable and not below v (+inf). */
static inline size_t mkba_cuts_below_in(const mkba_cuts *c, size_t cell, double v, unsigned steps)
{
    size_t lo = c->start[cell];
    for (size_t step = ((size_t)1 << steps) >> 1; step > 0; step >>= 1)
        lo += c->t[lo + step - 1] < v ? step : 0;
    return lo;
}

/* The shape of a column: nq quantiles on an even grid (quantile i at
 * p = i / (nq - 1), interpolated as gsl_stats_quantile_from_sorted_data)
 * and a histogram of 'bins' equal bins from the smallest to the largest
 * finite value (the last bin closed), fed as mkba_stream is, the same bits
 * as sorting the whole column. Pass 1 counts the values in fine bins cut at
 * a sorted sample of the first MKBA_STREAM_SAMPLE values (16 equal parts
 * between neighbours), pass 2 keeps the values of the bins that hold the
 * wanted order statistics; a crowded bin that is not all ties asks for a
 * third pass over the whole column. Memory: some 2.3 MiB, whatever n. */
typedef struct mkba_shape mkba_shape;
mkba_shape *mkba_shape_alloc(size_t nq, size_t bins);
void mkba_shape_free(mkba_shape *s); /* NULL is a no-op */
void mkba_shape_add(mkba_shape *s, const double *x, size_t n);
/* End the current pass: 1 when another is needed; 0 when q[0..nq), *lo,
 * *width and hist[0..bins) hold the shape (q NaN, lo and width NaN, hist 0
 * when no value was finite). */
int mkba_shape_end(mkba_shape *s, double *q, double *lo, double *width, size_t *hist);
/* The same shape, the same bits, of x[0..n) held whole (a fresh shape, not
 * fed): its finite values sorted, which is quicker than two passes; x is
 * reordered. */
void mkba_shape_whole(mkba_shape *s, double *x, size_t n, double *q, double *lo, double *width,
                      size_t *hist);

/* Run fn(ctx, task, thread) for task = 0..n_tasks-1 on up to 'threads'
 * threads (the caller's thread is thread 0): each thread takes the next
 * task, so results are the same on any number of threads as long as each
 * task writes only its own results (per-thread scratch indexed by
 * 'thread', which is < threads). Signals stay with the caller's thread.
 * The other threads are kept from call to call (made at the first that
 * needs them, joined at exit); a task may itself call this (its region
 * then starts threads of its own). */
void mkba_stream_parallel(size_t n_tasks, int threads,
                          void (*fn)(void *ctx, size_t task, size_t thread), void *ctx);

/* Seconds on a monotonic clock: for progress reports and waits. */
double mkba_stream_seconds(void);

/* A wait of one thread of a region on another, in rounds: the caller
 * checks what it waits for, and calls this between checks with the same
 * 'spin' (zeroed when the wait begins). For about 100 microseconds it only
 * pauses (the other thread is about done: a sleep and a wake-up would cost
 * more), and returns 1; after that it returns 0 at every call, and the
 * caller should sleep (the machine may be shared, or have fewer cores
 * than threads). */
typedef struct mkba_stream_spin {
    double since;
    unsigned rounds;
} mkba_stream_spin;
int mkba_stream_spin_round(mkba_stream_spin *spin);

#endif

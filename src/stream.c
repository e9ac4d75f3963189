/* stream.c - statistics of columns fed in chunks (stream.h), and the
 * summaries' thread runner. */
#include "mkba/stream.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort_double.h>

#include "mkba/fsutil.h"
#include "mkba/mem.h"

enum { NQ = 3 };
static const double Q[NQ] = {0.05, 0.50, 0.95};

/* Bins whose values pass 2 keeps: at most this many values per quantile
 * (512 KiB), else only whether they are all equal (ties) is tracked. */
#define GATHER_CAP ((size_t)4 * MKBA_STREAM_SAMPLE)

enum { PASS1 = 1, PASS2, WHOLE, DONE };

/* Four running sums in the order of summary.c's centred_sums: values
 * grouped by four into lanes 0..3, the last n % 4 into lane 0 at the end. */
typedef struct lanes {
    double s[4], pend[4];
    int np;
} lanes;

static void lane_add(lanes *l, double v)
{
    l->pend[l->np++] = v;
    if (l->np == 4) {
        for (int j = 0; j < 4; j++)
            l->s[j] += l->pend[j];
        l->np = 0;
    }
}

static double lane_total(lanes *l)
{
    for (int j = 0; j < l->np; j++)
        l->s[0] += l->pend[j];
    l->np = 0;
    return (l->s[0] + l->s[1]) + (l->s[2] + l->s[3]);
}

struct mkba_stream {
    int pass;
    size_t m, pos;             /* finite values, of which > 0 */
    lanes sum, d1, d2;         /* pass 1: the values; pass 2: deviations and their squares */
    double mean;
    double *smp;               /* the first MKBA_STREAM_SAMPLE finite values, in order */
    int ranged;                /* the sample is full and the ranges are set */
    double lo[NQ], hi[NQ], scale[NQ];
    size_t below[NQ];          /* values < lo */
    size_t *bins;              /* [NQ][MKBA_STREAM_BINS] values per bin of [lo, hi] */
    /* pass 2, per quantile: the bins [b0, b1] that hold the wanted order
     * statistics, the values below b0 (base), and the values in them */
    size_t b0[NQ], b1[NQ], base[NQ], k[NQ], want[NQ], got[NQ];
    int crowded[NQ];           /* want > GATHER_CAP: only min and max kept */
    double *keep[NQ], kmin[NQ], kmax[NQ];
    double *whole;             /* WHOLE: every finite value */
};

mkba_stream *mkba_stream_alloc(void)
{
    mkba_stream *s = mkba_xcalloc(1, sizeof *s);
    s->pass = PASS1;
    s->smp = mkba_xmalloc(MKBA_STREAM_SAMPLE * sizeof *s->smp);
    s->bins = mkba_xcalloc((size_t)NQ * MKBA_STREAM_BINS, sizeof *s->bins);
    return s;
}

void mkba_stream_free(mkba_stream *s)
{
    if (!s)
        return;
    free(s->smp);
    free(s->bins);
    for (int j = 0; j < NQ; j++)
        free(s->keep[j]);
    free(s->whole);
    free(s);
}

/* The bin of v in [lo, hi] of quantile j: monotone in v, and computed the
 * same way in both passes. */
static size_t bin_of(const mkba_stream *s, int j, double v)
{
    double b = (v - s->lo[j]) * s->scale[j];
    return b < MKBA_STREAM_BINS ? (size_t)b : MKBA_STREAM_BINS - 1;
}

static void count(mkba_stream *s, double v)
{
    for (int j = 0; j < NQ; j++) {
        if (v < s->lo[j])
            s->below[j]++;
        else if (v <= s->hi[j])
            s->bins[(size_t)j * MKBA_STREAM_BINS + bin_of(s, j, v)]++;
    }
}

/* Ranges around each quantile from the sample: its order statistics 5
 * binomial SDs (and 8) either side of the quantile's rank. */
static void set_ranges(mkba_stream *s)
{
    const size_t S = MKBA_STREAM_SAMPLE;
    double *sorted = mkba_xmalloc(S * sizeof *sorted);
    memcpy(sorted, s->smp, S * sizeof *sorted);
    gsl_sort(sorted, 1, S);
    for (int j = 0; j < NQ; j++) {
        double r = Q[j] * (double)(S - 1), margin = 5 * sqrt((double)S * Q[j] * (1 - Q[j])) + 8;
        s->lo[j] = r - margin <= 0 ? sorted[0] : sorted[(size_t)(r - margin)];
        s->hi[j] = r + 1 + margin >= (double)(S - 1) ? sorted[S - 1] : sorted[(size_t)(r + 1 + margin)];
        double w = s->hi[j] - s->lo[j];
        s->scale[j] = w > 0 && isfinite(MKBA_STREAM_BINS / w) ? MKBA_STREAM_BINS / w : 0;
    }
    free(sorted);
    s->ranged = 1;
    for (size_t i = 0; i < S; i++)
        count(s, s->smp[i]);
}

static void gather(mkba_stream *s, double v)
{
    for (int j = 0; j < NQ; j++) {
        if (!(v >= s->lo[j] && v <= s->hi[j]))
            continue;
        size_t b = bin_of(s, j, v);
        if (b < s->b0[j] || b > s->b1[j])
            continue;
        if (s->crowded[j]) {
            s->kmin[j] = fmin(s->kmin[j], v);
            s->kmax[j] = fmax(s->kmax[j], v);
        } else if (s->got[j] < s->want[j]) {
            s->keep[j][s->got[j]++] = v;
        }
    }
}

void mkba_stream_add(mkba_stream *s, const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        if (!isfinite(v))
            continue;
        switch (s->pass) {
        case PASS1:
            if (s->m < MKBA_STREAM_SAMPLE)
                s->smp[s->m] = v;
            s->m++;
            s->pos += v > 0;
            lane_add(&s->sum, v);
            if (s->ranged)
                count(s, v);
            else if (s->m == MKBA_STREAM_SAMPLE)
                set_ranges(s);
            break;
        case PASS2: {
            double d = v - s->mean;
            lane_add(&s->d1, d);
            lane_add(&s->d2, d * d);
            gather(s, v);
            break;
        }
        case WHOLE:
            s->whole[s->m++] = v;
            break;
        }
    }
}

/* Ask for the whole column (a third pass). */
static int want_whole(mkba_stream *s)
{
    s->whole = mkba_xreallocarray(s->whole, s->m + 1, sizeof *s->whole);
    s->m = 0;
    s->pass = WHOLE;
    return 1;
}

/* After pass 1: the bins of each quantile's order statistics k and (when
 * interpolated) k + 1; 0 when the range missed them. */
static int plan_gather(mkba_stream *s)
{
    for (int j = 0; j < NQ; j++) {
        double pos = Q[j] * (double)(s->m - 1);
        size_t k = (size_t)floor(pos), last = pos - (double)k != 0 && k + 1 < s->m ? k + 1 : k;
        const size_t *c = s->bins + (size_t)j * MKBA_STREAM_BINS;
        size_t cum = s->below[j], b = 0;
        if (k < cum)
            return 0;
        while (b < MKBA_STREAM_BINS && cum + c[b] <= k)
            cum += c[b++];
        if (b == MKBA_STREAM_BINS)
            return 0;
        s->b0[j] = b;
        s->base[j] = cum;
        size_t want = 0;
        while (b < MKBA_STREAM_BINS && cum + want + c[b] <= last)
            want += c[b++];
        if (b == MKBA_STREAM_BINS)
            return 0;
        s->b1[j] = b;
        s->want[j] = want + c[b];
        s->k[j] = k;
        s->crowded[j] = s->want[j] > GATHER_CAP;
        s->kmin[j] = INFINITY;
        s->kmax[j] = -INFINITY;
        if (!s->crowded[j])
            s->keep[j] = mkba_xmalloc(s->want[j] * sizeof *s->keep[j]);
    }
    return 1;
}

/* Quantile j from the values kept in pass 2, as summary.c interpolates. */
static double quantile(mkba_stream *s, int j)
{
    double pos = Q[j] * (double)(s->m - 1), delta = pos - (double)s->k[j];
    int next_too = delta != 0 && s->k[j] + 1 < s->m;
    if (s->crowded[j]) /* all equal (checked) */
        return next_too ? (1 - delta) * s->kmin[j] + delta * s->kmin[j] : s->kmin[j];
    double *b = s->keep[j];
    size_t kk = s->k[j] - s->base[j];
    double v = mkba_stats_select(b, s->got[j], kk);
    if (!next_too)
        return v;
    double next = INFINITY; /* after selection: the smallest right of kk */
    for (size_t i = kk + 1; i < s->got[j]; i++)
        if (b[i] < next)
            next = b[i];
    return (1 - delta) * v + delta * next;
}

int mkba_stream_end(mkba_stream *s, mkba_stats *out)
{
    switch (s->pass) {
    case PASS1:
        if (s->m <= MKBA_STREAM_SAMPLE) { /* the sample is the column */
            mkba_stats_of_finite(s->smp, s->m, s->pos, out);
            s->pass = DONE;
            return 0;
        }
        s->mean = lane_total(&s->sum) / (double)s->m;
        if (!isfinite(s->mean) || !plan_gather(s))
            return want_whole(s);
        s->pass = PASS2;
        return 1;
    case PASS2: {
        double sum1 = lane_total(&s->d1), sum2 = lane_total(&s->d2), n = (double)s->m;
        double v = (sum2 - sum1 * sum1 / n) / (n - 1);
        v = isnan(v) ? v : fmax(0, v);
        for (int j = 0; j < NQ; j++)
            if (s->crowded[j] ? s->kmin[j] != s->kmax[j] : s->got[j] != s->want[j])
                return want_whole(s);
        if (!isfinite(v))
            return want_whole(s);
        out->n = s->m;
        out->mean = s->mean;
        out->sd = sqrt(v);
        out->p5 = quantile(s, 0);
        out->p50 = quantile(s, 1);
        out->p95 = quantile(s, 2);
        out->p_positive = (double)s->pos / n;
        s->pass = DONE;
        return 0;
    }
    case WHOLE:
        mkba_stats_of_finite(s->whole, s->m, s->pos, out);
        s->pass = DONE;
        return 0;
    }
    return 0;
}

/* ------------------------------------------------------------ threads */

typedef struct par {
    size_t n;
    void (*fn)(void *ctx, size_t task, size_t thread);
    void *ctx;
    atomic_size_t next;
} par;

typedef struct par_thread {
    par *p;
    size_t id;
    pthread_t tid;
} par_thread;

static void *par_work(void *arg)
{
    par_thread *t = arg;
    for (size_t i; (i = atomic_fetch_add(&t->p->next, 1)) < t->p->n;)
        t->p->fn(t->p->ctx, i, t->id);
    return NULL;
}

void mkba_stream_parallel(size_t n_tasks, int threads,
                          void (*fn)(void *ctx, size_t task, size_t thread), void *ctx)
{
    par p = {.n = n_tasks, .fn = fn, .ctx = ctx};
    atomic_init(&p.next, 0);
    size_t T = threads > 1 ? (size_t)threads : 1;
    if (T > n_tasks)
        T = n_tasks ? n_tasks : 1;
    par_thread *t = mkba_xcalloc(T, sizeof *t);
    int *started = mkba_xcalloc(T, sizeof *started);
    sigset_t mask;
    mkba_signals_block(&mask); /* workers inherit it: Ctrl-C goes to this thread */
    for (size_t i = 0; i < T; i++) {
        t[i] = (par_thread){.p = &p, .id = i};
        if (i > 0)
            started[i] = pthread_create(&t[i].tid, NULL, par_work, &t[i]) == 0;
    }
    mkba_signals_restore(&mask);
    par_work(&t[0]);
    for (size_t i = 1; i < T; i++)
        if (started[i])
            pthread_join(t[i].tid, NULL);
    free(started);
    free(t);
}

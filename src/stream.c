/* stream.c - statistics of columns fed in chunks (stream.h), and the
 * summaries' thread runner. */
#include "mkba/stream.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "mkba/fsutil.h"
#include "mkba/mem.h"

enum { NQ = 3 }; /* count_block and gather_block spell out the three */
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

/* lane_add of v[0..n), the same sums, four at a time. */
static void lanes_add(lanes *l, const double *v, size_t n)
{
    size_t i = 0;
    while (l->np != 0 && i < n)
        lane_add(l, v[i++]);
    double s0 = l->s[0], s1 = l->s[1], s2 = l->s[2], s3 = l->s[3];
    for (; i + 4 <= n; i += 4) {
        s0 += v[i];
        s1 += v[i + 1];
        s2 += v[i + 2];
        s3 += v[i + 3];
    }
    l->s[0] = s0, l->s[1] = s1, l->s[2] = s2, l->s[3] = s3;
    for (; i < n; i++)
        lane_add(l, v[i]);
}

static double lane_total(lanes *l)
{
    for (int j = 0; j < l->np; j++)
        l->s[0] += l->pend[j];
    l->np = 0;
    return (l->s[0] + l->s[1]) + (l->s[2] + l->s[3]);
}

/* A crowded bin's values as distinct values with their counts (a point
 * mass is one entry), up to 'cap' distinct values: exact order statistics
 * in memory that does not grow with the draws. */
typedef struct tally {
    size_t cap, mask, used;
    int full;                  /* more distinct values than cap came */
    uint64_t *key;             /* a value's bits */
    size_t *cnt;               /* its count; 0: an empty slot */
    double *val;               /* sorted distinct values (tally_sort) */
    size_t *cum;               /* values before each (tally_sort) */
} tally;

static void tally_init(tally *t, size_t cap)
{
    size_t slots = 1;
    while (slots < 2 * cap)
        slots *= 2;
    *t = (tally){.cap = cap, .mask = slots - 1};
    t->key = mkba_xcalloc(slots, sizeof *t->key);
    t->cnt = mkba_xcalloc(slots, sizeof *t->cnt);
}

static void tally_free(tally *t)
{
    free(t->key);
    free(t->cnt);
    free(t->val);
    free(t->cum);
    *t = (tally){0};
}

static void tally_add(tally *t, double v)
{
    if (t->full)
        return;
    uint64_t k;
    memcpy(&k, &v, sizeof k);
    size_t h = (size_t)((k * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & t->mask;
    while (t->cnt[h] && t->key[h] != k)
        h = (h + 1) & t->mask;
    if (!t->cnt[h]) {
        if (t->used == t->cap) {
            t->full = 1;
            return;
        }
        t->key[h] = k;
        t->used++;
    }
    t->cnt[h]++;
}

typedef struct tally_entry {
    double v;
    size_t n;
} tally_entry;

static int cmp_entry(const void *a, const void *b)
{
    double x = ((const tally_entry *)a)->v, y = ((const tally_entry *)b)->v;
    return (x > y) - (x < y);
}

/* The distinct values in order, with the count of values before each. */
static void tally_sort(tally *t)
{
    tally_entry *e = mkba_xcalloc(t->used + 1, sizeof *e);
    size_t m = 0;
    for (size_t h = 0; h <= t->mask; h++)
        if (t->cnt[h]) {
            memcpy(&e[m].v, &t->key[h], sizeof e[m].v);
            e[m++].n = t->cnt[h];
        }
    qsort(e, m, sizeof *e, cmp_entry);
    t->val = mkba_xcalloc(m + 1, sizeof *t->val);
    t->cum = mkba_xcalloc(m + 1, sizeof *t->cum);
    for (size_t i = 0, c = 0; i < m; c += e[i].n, i++)
        t->val[i] = e[i].v, t->cum[i] = c;
    t->cum[m] = m ? t->cum[m - 1] + e[m - 1].n : 0;
    free(e);
}

/* The values counted. */
static size_t tally_count(const tally *t)
{
    size_t n = 0;
    for (size_t h = 0; h <= t->mask; h++)
        n += t->cnt[h];
    return n;
}

/* The r-th smallest value (0-based) of a sorted tally. */
static double tally_order(const tally *t, size_t r)
{
    size_t lo = 0, hi = t->used; /* the last distinct value with cum <= r */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (t->cum[mid] <= r)
            lo = mid;
        else
            hi = mid;
    }
    return t->val[lo];
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
    int crowded[NQ];           /* want > GATHER_CAP: distinct values counted */
    double *keep[NQ];
    tally tal[NQ];
    double glo[NQ], ghi[NQ];    /* values outside [glo, ghi] are in none of the bins */
    double *whole;             /* WHOLE: every finite value */
};

mkba_stream *mkba_stream_alloc(void)
{
    mkba_stream *s = mkba_xcalloc(1, sizeof *s);
    s->pass = PASS1;
    s->bins = mkba_xcalloc((size_t)NQ * MKBA_STREAM_BINS, sizeof *s->bins);
    return s;
}

void mkba_stream_free(mkba_stream *s)
{
    if (!s)
        return;
    free(s->smp);
    free(s->bins);
    for (int j = 0; j < NQ; j++) {
        free(s->keep[j]);
        tally_free(&s->tal[j]);
    }
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

/* Count v below or in the bins of each quantile's range. */
static void count(mkba_stream *s, double v)
{
    for (int j = 0; j < NQ; j++) {
        s->below[j] += v < s->lo[j];
        if ((v >= s->lo[j]) & (v <= s->hi[j])) /* a few percent of the values */
            s->bins[(size_t)j * MKBA_STREAM_BINS + bin_of(s, j, v)]++;
    }
}

/* Ranges around each quantile from the sample: its order statistics 5
 * binomial SDs (and 8) either side of the quantile's rank. */
static void set_ranges(mkba_stream *s)
{
    const size_t S = MKBA_STREAM_SAMPLE;
    double *sorted = s->smp; /* the sample is done with: sorted in place, counted, freed */
    mkba_stats_sort(sorted, S);
    for (int j = 0; j < NQ; j++) {
        double r = Q[j] * (double)(S - 1), margin = 5 * sqrt((double)S * Q[j] * (1 - Q[j])) + 8;
        s->lo[j] = r - margin <= 0 ? sorted[0] : sorted[(size_t)(r - margin)];
        s->hi[j] = r + 1 + margin >= (double)(S - 1) ? sorted[S - 1] : sorted[(size_t)(r + 1 + margin)];
        double w = s->hi[j] - s->lo[j];
        s->scale[j] = w > 0 && isfinite(MKBA_STREAM_BINS / w) ? MKBA_STREAM_BINS / w : 0;
    }
    s->ranged = 1;
    for (size_t i = 0; i < S; i++)
        count(s, sorted[i]);
    free(s->smp);
    s->smp = NULL;
}

static void gather(mkba_stream *s, double v)
{
    for (int j = 0; j < NQ; j++) {
        /* the few values near the gathered bins, then the bins exactly */
        if (!((v >= s->glo[j]) & (v <= s->ghi[j])) || !(v >= s->lo[j] && v <= s->hi[j]))
            continue;
        size_t b = bin_of(s, j, v);
        if (b < s->b0[j] || b > s->b1[j])
            continue;
        if (s->crowded[j]) {
            tally_add(&s->tal[j], v);
        } else if (s->got[j] < s->want[j]) {
            s->keep[j][s->got[j]++] = v;
        }
    }
}

/* count and gather over v[0..n), with the ranges' ends in registers: the
 * values far from every range only compare. */
#define PIECE 512 /* values at a time (count_block, gather_block: n <= PIECE) */

static void count_block(mkba_stream *s, const double *v, size_t n)
{
    double lo0 = s->lo[0], lo1 = s->lo[1], lo2 = s->lo[2];
    double hi0 = s->hi[0], hi1 = s->hi[1], hi2 = s->hi[2];
    size_t b0 = 0, b1 = 0, b2 = 0;
    for (size_t i = 0; i < n; i++) { /* no branch: the values fall either side at random */
        double x = v[i];
        b0 += x < lo0;
        b1 += x < lo1;
        b2 += x < lo2;
    }
    s->below[0] += b0, s->below[1] += b1, s->below[2] += b2;
    unsigned char hit[PIECE];
    for (size_t i = 0; i < n; i++) { /* no branch; the few hits after */
        double x = v[i];
        hit[i] = ((x >= lo0) & (x <= hi0)) | ((x >= lo1) & (x <= hi1)) | ((x >= lo2) & (x <= hi2));
    }
    for (size_t i = 0; i < n; i++)
        if (hit[i])
            for (int j = 0; j < NQ; j++)
                if (v[i] >= s->lo[j] && v[i] <= s->hi[j])
                    s->bins[(size_t)j * MKBA_STREAM_BINS + bin_of(s, j, v[i])]++;
}

static void gather_block(mkba_stream *s, const double *v, size_t n)
{
    double g0 = s->glo[0], g1 = s->glo[1], g2 = s->glo[2];
    double h0 = s->ghi[0], h1 = s->ghi[1], h2 = s->ghi[2];
    unsigned char hit[PIECE];
    for (size_t i = 0; i < n; i++) { /* no branch; the few hits after */
        double x = v[i];
        hit[i] = ((x >= g0) & (x <= h0)) | ((x >= g1) & (x <= h1)) | ((x >= g2) & (x <= h2));
    }
    for (size_t i = 0; i < n; i++)
        if (hit[i])
            gather(s, v[i]);
}

/* The finite values of a piece of a column, then each pass's work on them
 * as whole arrays. */

static void add_finite(mkba_stream *s, const double *v, size_t n)
{
    switch (s->pass) {
    case PASS1: {
        size_t i = 0;
        /* the sample first; the ranges once a value more comes (so a
         * column no longer than the sample keeps it whole) */
        if (!s->ranged && !s->smp)
            s->smp = mkba_xmalloc(MKBA_STREAM_SAMPLE * sizeof *s->smp);
        for (; i < n && !s->ranged; i++) {
            if (s->m == MKBA_STREAM_SAMPLE) {
                set_ranges(s);
                break;
            }
            s->smp[s->m++] = v[i];
        }
        s->m += n - i;
        if (i < n)
            count_block(s, v + i, n - i);
        size_t pos = 0;
        for (size_t k = 0; k < n; k++)
            pos += v[k] > 0;
        s->pos += pos;
        lanes_add(&s->sum, v, n);
        break;
    }
    case PASS2: {
        /* the deviations and their squares, as lanes_add of each would
         * sum them, without storing them */
        size_t i = 0;
        double m = s->mean;
        for (; i < n && s->d1.np != 0; i++) {
            double d = v[i] - m;
            lane_add(&s->d1, d);
            lane_add(&s->d2, d * d);
        }
        double a[4], q[4];
        memcpy(a, s->d1.s, sizeof a);
        memcpy(q, s->d2.s, sizeof q);
        for (; i + 4 <= n; i += 4)
            for (int j = 0; j < 4; j++) {
                double d = v[i + j] - m;
                a[j] += d;
                q[j] += d * d;
            }
        memcpy(s->d1.s, a, sizeof a);
        memcpy(s->d2.s, q, sizeof q);
        for (; i < n; i++) {
            double d = v[i] - m;
            lane_add(&s->d1, d);
            lane_add(&s->d2, d * d);
        }
        gather_block(s, v, n);
        break;
    }
    case WHOLE:
        memcpy(s->whole + s->m, v, n * sizeof *v);
        s->m += n;
        break;
    }
}

void mkba_stream_add(mkba_stream *s, const double *x, size_t n)
{
    double v[PIECE];
    for (size_t at = 0; at < n; at += PIECE) {
        size_t len = n - at < PIECE ? n - at : PIECE, m = 0;
        uint64_t special = 0; /* an exponent of all ones: infinite or NaN */
        for (size_t i = 0; i < len; i++) { /* the common case: all finite, no copy */
            uint64_t u;
            memcpy(&u, &x[at + i], sizeof u);
            special |= ((u >> 52) & 0x7ff) == 0x7ff;
        }
        int all = !special;
        if (all) {
            add_finite(s, x + at, len);
            continue;
        }
        for (size_t i = 0; i < len; i++) { /* branch-free compaction */
            v[m] = x[at + i];
            m += isfinite(x[at + i]) != 0;
        }
        add_finite(s, v, m);
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
        /* A bin or more to spare either side of the gathered bins' values
         * (bin_of rounds): a cheap test that passes over the rest. */
        double sc = s->scale[j];
        s->glo[j] = sc > 0 ? fmax(s->lo[j], s->lo[j] + ((double)s->b0[j] - 2) / sc) : s->lo[j];
        s->ghi[j] = sc > 0 ? fmin(s->hi[j], s->lo[j] + ((double)s->b1[j] + 3) / sc) : s->hi[j];
        if (!(s->glo[j] <= s->ghi[j])) /* a range too wide for its bins' bounds */
            s->glo[j] = s->lo[j], s->ghi[j] = s->hi[j];
        if (s->crowded[j])
            tally_init(&s->tal[j], GATHER_CAP);
        else
            s->keep[j] = mkba_xmalloc(s->want[j] * sizeof *s->keep[j]);
    }
    return 1;
}

/* Quantile j from the values kept in pass 2, as summary.c interpolates. */
static double quantile(mkba_stream *s, int j)
{
    double pos = Q[j] * (double)(s->m - 1), delta = pos - (double)s->k[j];
    int next_too = delta != 0 && s->k[j] + 1 < s->m;
    if (s->crowded[j]) { /* complete (checked) */
        size_t kk = s->k[j] - s->base[j];
        double v = tally_order(&s->tal[j], kk);
        return next_too ? (1 - delta) * v + delta * tally_order(&s->tal[j], kk + 1) : v;
    }
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
        if (!s->ranged) { /* the sample is the column (or no value at all) */
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
            if (s->crowded[j] ? s->tal[j].full || tally_count(&s->tal[j]) != s->want[j]
                              : s->got[j] != s->want[j])
                return want_whole(s);
            else if (s->crowded[j])
                tally_sort(&s->tal[j]);
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

/* --------------------------------------------------------------- cuts */

void mkba_cuts_init(mkba_cuts *c, const double *sorted, size_t n, size_t cells)
{
    double w = n ? sorted[n - 1] - sorted[0] : 0, inv = w > 0 ? (double)cells / w : 0;
    *c = (mkba_cuts){.t = sorted, .n = n, .cells = cells ? cells : 1,
                     .t0 = n ? sorted[0] : 0, .inv = isfinite(inv) ? inv : 0};
    c->start = mkba_xcalloc(c->cells + 1, sizeof *c->start);
    for (size_t cell = 0, i = 0; cell <= c->cells; cell++) {
        /* the values whose cell comes before this one (all, at the end) */
        while (i < n && (cell == c->cells || mkba_cuts_cell(c, sorted[i]) < cell))
            i++;
        c->start[cell] = (uint32_t)i;
    }
}

void mkba_cuts_free(mkba_cuts *c)
{
    free(c->start);
    c->start = NULL;
}

/* -------------------------------------------------------------- shape */

#define SUB 16 /* fine bins between sample neighbours, and one for the neighbour itself */
#define FINE ((size_t)MKBA_STREAM_SAMPLE * (SUB + 1) + 2) /* fine bins in all */
#define SHAPE_CELLS 16384
#define SHAPE_CAP ((size_t)1 << 20)               /* values kept of one fine bin */

typedef struct shape_bin {   /* a fine bin holding wanted order statistics */
    size_t base, want, got;  /* values below it; in it; kept */
    int crowded;             /* want > SHAPE_CAP: distinct values counted */
    double *v;
    tally tal;
} shape_bin;

struct mkba_shape {
    int pass;
    size_t nq, nbins, m;
    double vmin, vmax;
    double *smp;             /* the sample, sorted once complete: the fine bins' edges */
    int ranged;
    mkba_cuts cuts;          /* the edges below a value */
    size_t *fine;            /* [FINE] pass 1: values per fine bin */
    int *slot;               /* [FINE] pass 2: index into 'keep', or -1 */
    shape_bin *keep;
    size_t n_keep;
    double lo, width;
    size_t *hist;            /* [nbins] pass 2 */
    double *whole;           /* WHOLE: every finite value */
};

mkba_shape *mkba_shape_alloc(size_t nq, size_t bins)
{
    mkba_shape *s = mkba_xcalloc(1, sizeof *s);
    s->pass = PASS1;
    s->nq = nq;
    s->nbins = bins;
    s->vmin = INFINITY;
    s->vmax = -INFINITY;
    s->hist = mkba_xcalloc(bins + 1, sizeof *s->hist);
    return s;
}

static void shape_release(mkba_shape *s)
{
    for (size_t i = 0; i < s->n_keep; i++) {
        free(s->keep[i].v);
        tally_free(&s->keep[i].tal);
    }
    free(s->keep);
    free(s->slot);
    free(s->fine);
    s->keep = NULL;
    s->slot = NULL;
    s->fine = NULL;
    s->n_keep = 0;
}

void mkba_shape_free(mkba_shape *s)
{
    if (!s)
        return;
    shape_release(s);
    free(s->smp);
    mkba_cuts_free(&s->cuts);
    free(s->hist);
    free(s->whole);
    free(s);
}

/* The fine bin of v: monotone in v. The sample's sorted values e cut the
 * line into (-inf, e0), [e0], (e0, e1), [e1], ..., (e_last, inf); each
 * open inner part is cut into SUB equal parts. */
static size_t fine_of(const mkba_shape *s, double v)
{
    size_t seg = mkba_cuts_below(&s->cuts, v);
    if (seg == MKBA_STREAM_SAMPLE)
        return FINE - 1;
    if (v == s->smp[seg]) /* a sample value: its own bin, so a value that many draws share
                             (a point mass) is never crowded by its neighbours */
        return 1 + seg * (SUB + 1) + SUB;
    if (seg == 0)
        return 0;
    double a = s->smp[seg - 1], r = (v - a) / (s->smp[seg] - a) * SUB;
    size_t sub = r >= 0 && r < SUB ? (size_t)r : r >= 0 || isnan(r) ? SUB - 1 : 0;
    return 1 + seg * (SUB + 1) + sub;
}

static void shape_range(mkba_shape *s)
{
    mkba_stats_sort(s->smp, MKBA_STREAM_SAMPLE);
    mkba_cuts_init(&s->cuts, s->smp, MKBA_STREAM_SAMPLE, SHAPE_CELLS);
    s->fine = mkba_xcalloc(FINE, sizeof *s->fine);
    for (size_t i = 0; i < MKBA_STREAM_SAMPLE; i++)
        s->fine[fine_of(s, s->smp[i])]++;
    s->ranged = 1;
}

static void hist_add(mkba_shape *s, double v)
{
    /* v - lo may overflow to infinity: the last bin, never a cast of it */
    double b = (v - s->lo) / s->width;
    s->hist[b < (double)s->nbins ? (size_t)b : s->nbins - 1]++;
}

void mkba_shape_add(mkba_shape *s, const double *x, size_t n)
{
    if (!s->smp) /* made at the first value: a shape unused costs nothing */
        s->smp = mkba_xmalloc(MKBA_STREAM_SAMPLE * sizeof *s->smp);
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        if (!isfinite(v))
            continue;
        switch (s->pass) {
        case PASS1:
            if (s->ranged)
                s->fine[fine_of(s, v)]++;
            else
                s->smp[s->m] = v;
            s->m++;
            s->vmin = fmin(s->vmin, v);
            s->vmax = fmax(s->vmax, v);
            if (!s->ranged && s->m == MKBA_STREAM_SAMPLE)
                shape_range(s);
            break;
        case PASS2: {
            hist_add(s, v);
            int k = s->slot[fine_of(s, v)];
            if (k < 0)
                break;
            shape_bin *b = &s->keep[k];
            if (b->crowded)
                tally_add(&b->tal, v);
            else if (b->got < b->want)
                b->v[b->got++] = v;
            break;
        }
        case WHOLE:
            s->whole[s->m++] = v;
            break;
        }
    }
}

/* The histogram's first bin and width from the extremes. */
static void shape_width(mkba_shape *s)
{
    double lo = s->vmin, hi = s->vmax;
    double w = hi > lo ? (hi - lo) / (double)s->nbins : 1; /* one value: a single bin */
    if (!isfinite(w)) /* hi - lo overflowed (values near -1e308 and 1e308) */
        w = hi / (double)s->nbins - lo / (double)s->nbins;
    s->lo = lo;
    s->width = w;
}

/* The shape of sorted x[0..m): the quantiles and the histogram. */
static void shape_sorted(mkba_shape *s, const double *x, size_t m, double *q, double *lo,
                         double *width, size_t *hist)
{
    for (size_t i = 0; i < s->nq; i++)
        q[i] = gsl_stats_quantile_from_sorted_data(x, 1, m, (double)i / (double)(s->nq - 1));
    memset(s->hist, 0, s->nbins * sizeof *s->hist);
    shape_width(s);
    for (size_t i = 0; i < m; i++)
        hist_add(s, x[i]);
    *lo = s->lo;
    *width = s->width;
    memcpy(hist, s->hist, s->nbins * sizeof *hist);
}

/* Order statistic r (0-based) of the values, from the bins kept in pass 2. */
static double shape_order(mkba_shape *s, size_t r)
{
    size_t lo = 0, hi = s->n_keep; /* the last kept bin with base <= r */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (s->keep[mid].base <= r)
            lo = mid;
        else
            hi = mid;
    }
    shape_bin *b = &s->keep[lo];
    return b->crowded ? tally_order(&b->tal, r - b->base) : b->v[r - b->base];
}

/* After pass 1: keep the fine bins of the order statistics each quantile
 * interpolates between (lhs and lhs + 1, as GSL reads them). */
static void shape_plan(mkba_shape *s)
{
    size_t m = s->m, cum = 0, f = 0;
    s->keep = mkba_xcalloc(2 * s->nq + 1, sizeof *s->keep);
    s->slot = mkba_xmalloc(FINE * sizeof *s->slot);
    for (size_t i = 0; i < FINE; i++)
        s->slot[i] = -1;
    for (size_t i = 0; i < s->nq; i++) {
        size_t lhs = (size_t)((double)i / (double)(s->nq - 1) * (double)(m - 1));
        for (size_t r = lhs; r <= lhs + 1 && r < m; r++) {
            while (cum + s->fine[f] <= r)
                cum += s->fine[f++];
            if (s->slot[f] >= 0)
                continue;
            shape_bin *b = &s->keep[s->n_keep];
            *b = (shape_bin){.base = cum, .want = s->fine[f]};
            b->crowded = b->want > SHAPE_CAP;
            if (b->crowded)
                tally_init(&b->tal, (size_t)1 << 16); /* distinct values: a few at most */
            else
                b->v = mkba_xmalloc(b->want * sizeof *b->v);
            s->slot[f] = (int)s->n_keep++;
        }
    }
    free(s->fine);
    s->fine = NULL;
    shape_width(s);
}

int mkba_shape_end(mkba_shape *s, double *q, double *lo, double *width, size_t *hist)
{
    switch (s->pass) {
    case PASS1:
        if (s->m == 0) {
            for (size_t i = 0; i < s->nq; i++)
                q[i] = NAN;
            *lo = *width = NAN;
            memset(hist, 0, s->nbins * sizeof *hist);
            s->pass = DONE;
            return 0;
        }
        if (!s->ranged) { /* the sample is the column */
            mkba_stats_sort(s->smp, s->m);
            shape_sorted(s, s->smp, s->m, q, lo, width, hist);
            s->pass = DONE;
            return 0;
        }
        shape_plan(s);
        s->pass = PASS2;
        return 1;
    case PASS2:
        for (size_t i = 0; i < s->n_keep; i++) {
            shape_bin *b = &s->keep[i];
            if (b->crowded ? b->tal.full || tally_count(&b->tal) != b->want
                           : b->got != b->want) {
                shape_release(s);
                s->whole = mkba_xreallocarray(NULL, s->m + 1, sizeof *s->whole);
                s->m = 0;
                s->pass = WHOLE;
                return 1;
            }
            if (b->crowded)
                tally_sort(&b->tal);
            else
                mkba_stats_sort(b->v, b->got);
        }
        for (size_t i = 0; i < s->nq; i++) {
            size_t m = s->m;
            double index = (double)i / (double)(s->nq - 1) * (double)(m - 1);
            size_t lhs = (size_t)index;
            double delta = index - (double)lhs;
            q[i] = lhs == m - 1 ? shape_order(s, lhs)
                                : (1 - delta) * shape_order(s, lhs) + delta * shape_order(s, lhs + 1);
        }
        *lo = s->lo;
        *width = s->width;
        memcpy(hist, s->hist, s->nbins * sizeof *hist);
        shape_release(s);
        s->pass = DONE;
        return 0;
    case WHOLE:
        mkba_stats_sort(s->whole, s->m);
        shape_sorted(s, s->whole, s->m, q, lo, width, hist);
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

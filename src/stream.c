/* stream.c - statistics of columns fed in chunks (stream.h), and the
 * summaries' thread runner. */
#include "mkba/stream.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_statistics_double.h>

#include "mkba/cpu.h"
#include "mkba/fsutil.h"
#include "mkba/mem.h"

enum { NQ = 3 }; /* ranged_piece and gather_piece spell out the three */
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
    t->key = mkba_xcalloc_own(slots, sizeof *t->key);
    t->cnt = mkba_xcalloc_own(slots, sizeof *t->cnt);
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
    size_t h = (size_t)mkba_stream_hash(k) & t->mask;
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

/* ------------------------------------------------------------ columns
 *
 * Each quantile has a value range [lo, hi] that holds its order
 * statistics with near certainty, set from the sample and narrowed as the
 * values come. In pass 1 the values below lo are counted, those equal to
 * lo or hi counted, those strictly inside kept (KEEP). When the kept values
 * fill their buffer, the range is narrowed around the quantile's rank
 * among the values so far (8 binomial SDs either side), so the buffer
 * holds some 20 sqrt(m) values however many m come. Past KEEP_MAX values
 * the quantile counts its range in bins instead (BINS), and pass 2 keeps
 * only the values of the bins that hold its order statistics. */

/* At most this many values kept per quantile (512 KiB), and at first. */
#define KEEP_MAX ((size_t)65536)
#define KEEP_MIN ((size_t)1024)
#define PIECE 512 /* values a column is fed at a time */

enum { Q_KEEP, Q_BINS, Q_DONE };

typedef struct quant {
    int mode;
    double lo, hi;             /* the range (lo == hi: one value) */
    size_t below;              /* values < lo */
    size_t eq_lo, eq_hi;       /* KEEP: values == lo, == hi (lo < hi) */
    double *keep;              /* KEEP: the values strictly inside, room for cap + PIECE */
    size_t nkeep, cap;
    /* BINS: pass 1 counts [lo, hi] in MKBA_STREAM_BINS equal bins; pass 2
     * keeps the values of bins [b0, b1], which hold order statistics k
     * (and k + 1), after 'base' values below them */
    double scale;
    size_t *bins;
    size_t b0, b1, base, k, want, got;
    int crowded;               /* want > GATHER_CAP: distinct values counted */
    double *gathered;
    tally tal;
    double glo, ghi;           /* values outside [glo, ghi] are in none of the bins */
    double value;              /* the quantile, once known (Q_DONE) */
} quant;

struct mkba_stream {
    int pass;
    size_t m, pos;             /* finite values, of which > 0 */
    lanes d1, d2;              /* the deviations from 'shift' and their squares */
    double shift;              /* the sample's mean (summary.c's mean_sd) */
    double mean, sd;           /* after pass 1 */
    size_t keep_max;           /* values kept per quantile at most (KEEP_MAX) */
    double *smp;               /* the first MKBA_STREAM_SAMPLE finite values, in order */
    int ranged;                /* the sample is full and the ranges are set */
    quant q[NQ];
    double *whole;             /* WHOLE: every finite value */
};

mkba_stream *mkba_stream_alloc_keep(size_t keep_max)
{
    mkba_stream *s = mkba_xcalloc_own(1, sizeof *s);
    s->pass = PASS1;
    s->keep_max = keep_max < KEEP_MIN ? KEEP_MIN : keep_max;
    return s;
}

mkba_stream *mkba_stream_alloc(void)
{
    return mkba_stream_alloc_keep(KEEP_MAX);
}

static void quant_release(quant *q)
{
    free(q->keep);
    free(q->bins);
    free(q->gathered);
    tally_free(&q->tal);
    q->keep = q->gathered = NULL;
    q->bins = NULL;
}

void mkba_stream_free(mkba_stream *s)
{
    if (!s)
        return;
    free(s->smp);
    for (int j = 0; j < NQ; j++)
        quant_release(&s->q[j]);
    free(s->whole);
    free(s);
}

/* The deviations of v[0..n) from the shift and their squares, summed as
 * lane_add of each would sum them, without storing them. */
static void deviations_add(mkba_stream *s, const double *v, size_t n)
{
    size_t i = 0;
    double k = s->shift;
    for (; i < n && s->d1.np != 0; i++) {
        double d = v[i] - k;
        lane_add(&s->d1, d);
        lane_add(&s->d2, d * d);
    }
    double a[4], q[4];
    memcpy(a, s->d1.s, sizeof a);
    memcpy(q, s->d2.s, sizeof q);
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; j++) {
            double d = v[i + j] - k;
            a[j] += d;
            q[j] += d * d;
        }
    memcpy(s->d1.s, a, sizeof a);
    memcpy(s->d2.s, q, sizeof q);
    for (; i < n; i++) {
        double d = v[i] - k;
        lane_add(&s->d1, d);
        lane_add(&s->d2, d * d);
    }
}

/* The bin of v in [lo, hi]: monotone in v, and computed the same way in
 * both passes. */
static size_t bin_of(const quant *q, double v)
{
    double b = q->scale > 0 ? (v - q->lo) * q->scale : 0;
    return b < MKBA_STREAM_BINS ? (size_t)b : MKBA_STREAM_BINS - 1;
}

/* A value in [lo, hi] of quantile q (pass 1). */
static void classify(quant *q, double v)
{
    if (q->mode == Q_BINS) {
        q->bins[bin_of(q, v)]++;
    } else if (v == q->lo) {
        q->eq_lo++;
    } else if (v == q->hi) {
        q->eq_hi++;
    } else {
        q->keep[q->nkeep++] = v; /* room: make_room runs after each piece */
    }
}

/* The i-th smallest of the values in [lo, hi] of a KEEP quantile: eq_lo
 * times lo, the kept values k, eq_hi times hi, where kept value i - eq_lo
 * is in its place (selected at that rank, keep_ranks). */
static double view_in(const quant *q, const double *k, size_t i)
{
    return i < q->eq_lo ? q->lo : i < q->eq_lo + q->nkeep ? k[i - q->eq_lo] : q->hi;
}

static double view_at(const quant *q, size_t i)
{
    return view_in(q, q->keep, i);
}

/* From KEEP to BINS: the values in [lo, hi] so far into their bins. */
static void to_bins(quant *q)
{
    double w = q->hi - q->lo;
    q->scale = w > 0 && isfinite(MKBA_STREAM_BINS / w) ? MKBA_STREAM_BINS / w : 0;
    q->bins = mkba_xcalloc_own(MKBA_STREAM_BINS, sizeof *q->bins);
    q->bins[bin_of(q, q->lo)] += q->eq_lo;
    if (q->hi != q->lo)
        q->bins[bin_of(q, q->hi)] += q->eq_hi;
    for (size_t i = 0; i < q->nkeep; i++)
        q->bins[bin_of(q, q->keep[i])]++;
    free(q->keep);
    q->keep = NULL;
    q->nkeep = 0;
    q->mode = Q_BINS;
}

/* Where the range of quantile q is narrowed to around its rank among the m
 * values so far (8 binomial SDs either side): at[0] and at[1], the
 * positions of its new ends in the values in [lo, hi] in order (eq_lo
 * times lo, the kept values, eq_hi times hi), SIZE_MAX where the range
 * keeps its end. */
static void narrow_at(const quant *q, double quantile, size_t m, size_t at[2])
{
    double r = quantile * (double)(m - 1), margin = 8 * sqrt((double)m * quantile * (1 - quantile)) + 16;
    size_t n = q->eq_lo + q->nkeep + q->eq_hi;
    double a = r - margin - (double)q->below, b = r + 1 + margin - (double)q->below;
    at[0] = a > 0 && a < (double)n ? (size_t)a : SIZE_MAX;
    at[1] = b > 0 && b < (double)n ? (size_t)b : SIZE_MAX;
}

/* The ranks among the kept values of the positions at[0..n) (increasing,
 * SIZE_MAX: none) that fall on a kept value, into ks; how many. */
static size_t keep_ranks(const quant *q, const size_t *at, size_t n, size_t *ks)
{
    size_t nk = 0;
    for (size_t e = 0; e < n; e++)
        if (at[e] != SIZE_MAX && at[e] >= q->eq_lo && at[e] - q->eq_lo < q->nkeep &&
            (nk == 0 || ks[nk - 1] != at[e] - q->eq_lo))
            ks[nk++] = at[e] - q->eq_lo;
    return nk;
}

/* Of k[0..n): how many are below lo, equal to lo, equal to hi and not to
 * lo, into c[0..3), without a branch, two at a time (GCC's vector
 * extensions). */
static void count_ends(const double *k, size_t n, double lo, double hi, size_t c[3])
{
    typedef double d2 __attribute__((vector_size(2 * sizeof(double))));
    typedef int64_t i2 __attribute__((vector_size(2 * sizeof(int64_t))));
    d2 l = {lo, lo}, h = {hi, hi}, x;
    i2 below = {0, 0}, eq_lo = {0, 0}, eq_hi = {0, 0}; /* a comparison is -1 where true */
    size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        memcpy(&x, k + i, sizeof x);
        below -= x < l;
        eq_lo -= x == l;
        eq_hi -= x == h;
    }
    c[0] = (size_t)(below[0] + below[1]);
    c[1] = (size_t)(eq_lo[0] + eq_lo[1]);
    c[2] = (size_t)(eq_hi[0] + eq_hi[1]);
    for (; i < n; i++) {
        c[0] += k[i] < lo;
        c[1] += k[i] == lo;
        c[2] += k[i] == hi;
    }
    if (hi == lo) /* those are counted equal to lo */
        c[2] = 0;
}

/* The range narrowed to the values at positions at[0] and at[1], its kept
 * values read from k (q->keep, or the sample before the first range)
 * selected at their ranks (keep_ranks): below lo now counted, above hi
 * passed over, ties at the new ends counted, the values strictly inside
 * into q->keep (in place when it is k), in any order. */
static void narrow_to(quant *q, const size_t at[2], const double *k)
{
    double lo = at[0] != SIZE_MAX ? view_in(q, k, at[0]) : q->lo;
    double hi = at[1] != SIZE_MAX ? view_in(q, k, at[1]) : q->hi;
    size_t below = q->below, eq_lo = 0, eq_hi = 0, kept = 0, n = q->nkeep;
    /* the old ends' ties: the old lo is at most lo (the least of the values
       or lo itself), the old hi at least hi; the kept values lie between */
    if (q->lo < lo)
        below += q->eq_lo;
    else
        eq_lo += q->eq_lo;
    if (q->hi == lo)
        eq_lo += q->eq_hi;
    else if (q->hi == hi)
        eq_hi += q->eq_hi;
    size_t c[3];
    count_ends(k, n, lo, hi, c);
    below += c[0], eq_lo += c[1], eq_hi += c[2];
    /* the kept values left of a selected end are at most lo, those right of
       one at least hi: only those between can lie strictly inside */
    size_t from = 0, to = n;
    if (at[0] != SIZE_MAX && at[0] >= q->eq_lo && at[0] - q->eq_lo < n)
        from = at[0] - q->eq_lo + 1;
    if (at[1] != SIZE_MAX && at[1] >= q->eq_lo && at[1] - q->eq_lo < n)
        to = at[1] - q->eq_lo;
    for (size_t i = from; i < to; i++) {
        double v = k[i];
        q->keep[kept] = v; /* never ahead of i */
        kept += (v > lo) & (v < hi);
    }
    *q = (quant){.mode = Q_KEEP, .lo = lo, .hi = hi, .below = below, .eq_lo = eq_lo,
                 .eq_hi = eq_hi, .keep = q->keep, .nkeep = kept, .cap = q->cap};
}

/* A full buffer of kept values: narrow the range; when that frees too
 * little, a larger buffer, or past keep_max values the bins. */
static void make_room(quant *q, double quantile, size_t m, size_t keep_max)
{
    size_t at[2], ks[2];
    narrow_at(q, quantile, m, at);
    mkba_stats_select_ranks(q->keep, q->nkeep, ks, keep_ranks(q, at, 2, ks));
    narrow_to(q, at, q->keep);
    if (q->nkeep <= q->cap / 2)
        return;
    if (2 * q->cap <= keep_max) {
        q->cap *= 2;
        q->keep = mkba_xreallocarray(q->keep, q->cap + PIECE, sizeof *q->keep);
    } else {
        to_bins(q);
    }
}

/* The sample is full: its mean is the shift of the deviations, which are
 * summed over it in order; its order statistics set each quantile's first
 * range (the sample's values all kept, then narrowed: the ranks of the
 * ends of all three selected at once). */
static void set_ranges(mkba_stream *s)
{
    const size_t S = MKBA_STREAM_SAMPLE;
    double a[4] = {0, 0, 0, 0}; /* the lanes of lane_add (S is a multiple of 4) */
    for (size_t i = 0; i < S; i += 4)
        for (int j = 0; j < 4; j++)
            a[j] += s->smp[i + j];
    s->shift = ((a[0] + a[1]) + (a[2] + a[3])) / (double)S;
    deviations_add(s, s->smp, S);
    size_t at[NQ][2], all[2 * NQ], ks[2 * NQ];
    for (int j = 0; j < NQ; j++) {
        s->q[j] = (quant){.mode = Q_KEEP, .lo = -INFINITY, .hi = INFINITY, .nkeep = S};
        narrow_at(&s->q[j], Q[j], S, at[j]);
        for (int e = 0; e < 2; e++) { /* in order (insertion) */
            size_t i = (size_t)(2 * j + e), v = at[j][e];
            for (; i > 0 && all[i - 1] > v; i--)
                all[i] = all[i - 1];
            all[i] = v;
        }
    }
    /* the sample is done with: partitioned in place, counted, freed */
    mkba_stats_select_ranks(s->smp, S, ks, keep_ranks(&s->q[0], all, 2 * NQ, ks));
    for (int j = 0; j < NQ; j++) {
        quant *q = &s->q[j];
        q->keep = mkba_xreallocarray(NULL, S, sizeof *q->keep);
        narrow_to(q, at[j], s->smp);
        size_t cap = KEEP_MIN;
        while (cap < 2 * q->nkeep && 2 * cap <= s->keep_max)
            cap *= 2;
        q->cap = cap;
        q->keep = mkba_xreallocarray(q->keep, q->cap + PIECE, sizeof *q->keep);
        if (q->nkeep > cap / 2)
            to_bins(q);
    }
    s->ranged = 1;
    free(s->smp);
    s->smp = NULL;
}

/* Pass 1 of one value once the ranges are set. */
static void ranged_one(mkba_stream *s, double x)
{
    double d = x - s->shift;
    lane_add(&s->d1, d);
    lane_add(&s->d2, d * d);
    s->pos += x > 0;
    for (int j = 0; j < NQ; j++) {
        s->q[j].below += x < s->q[j].lo;
        if (x >= s->q[j].lo && x <= s->q[j].hi)
            classify(&s->q[j], x);
    }
}

/* The sweep of ranged_piece: lane j of each sum takes value j of each four,
 * as lane_add does; the values > 0 and those at or above each range's low
 * end are counted; and the positions of the values inside any range (the
 * hits, a few percent) are listed without a branch on the values, for
 * hits_classify to take one quantile at a time after the sweep (a branch
 * per hit mispredicts about as often as not). Portable code on pairs of
 * SSE2 vectors (GCC's vector extensions); on x86-64 processors with AVX2
 * the same on one 4-wide vector, which holds a sum in a register; with
 * AVX-512, eight values at a time, compared in one register, the sums
 * taking them four by four. The same operations in the same order: the
 * same bits. */
typedef double v2d __attribute__((vector_size(2 * sizeof(double))));
typedef int64_t v2i __attribute__((vector_size(2 * sizeof(int64_t))));

#if defined(__GNUC__) && defined(__x86_64__)
#define STREAM_X86 1
#include <immintrin.h>
typedef double v4d __attribute__((vector_size(4 * sizeof(double))));
typedef int64_t v4i __attribute__((vector_size(4 * sizeof(int64_t))));
#else
#define STREAM_X86 0
#endif

/* What the sweep adds up: four lanes of each sum, counts per quantile. */
typedef struct sweep_sums {
    double d1[4], d2[4];
    int64_t pos, ge[NQ]; /* values > 0; values >= the range's low end */
} sweep_sums;

/* The positions of the set bits of a 4-bit mask (the fields after the
 * last unused), and how many. */
static const uint16_t HIT_AT[16][4] = {
    {0}, {0}, {1}, {0, 1}, {2}, {0, 2}, {1, 2}, {0, 1, 2},
    {3}, {0, 3}, {1, 3}, {0, 1, 3}, {2, 3}, {0, 2, 3}, {1, 2, 3}, {0, 1, 2, 3}};
static const unsigned char HIT_N[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};
#define HIT_STEP UINT64_C(0x0004000400040004) /* four more in each 16-bit field */

/* The values i + e of four in a row at i whose bit e of m is set, appended
 * to hit[*nh] (four written): the four positions added to i in one 64-bit
 * sum (at: i in each 16-bit field, which no sum carries out of). */
static inline void hits_put(uint16_t *hit, size_t *nh, unsigned m, uint64_t at)
{
    uint64_t h;
    memcpy(&h, HIT_AT[m], sizeof h);
    h += at;
    memcpy(hit + *nh, &h, sizeof h);
    *nh += HIT_N[m];
}

/* PIECE positions and room for the four written past the last. */
#define HITS_MAX (PIECE + 4)

/* The sweeps take v[0..n), n a multiple of their unit (at most PIECE), into
 * w; the hits' positions into hit, their number returned. A comparison of
 * vectors is -1 where true. */
typedef size_t sweep_f(const mkba_stream *, const double *, size_t, sweep_sums *, uint16_t *);

static size_t sweep_portable(const mkba_stream *s, const double *v, size_t n, sweep_sums *w,
                             uint16_t *hit)
{
    double sh = s->shift;
    v2d d1[2], d2[2], x, k = {sh, sh}, lo[NQ], hi[NQ];
    v2i pos = {0, 0}, ge[NQ] = {{0, 0}, {0, 0}, {0, 0}};
    memcpy(d1, w->d1, sizeof d1);
    memcpy(d2, w->d2, sizeof d2);
    for (int j = 0; j < NQ; j++) {
        lo[j] = (v2d){s->q[j].lo, s->q[j].lo};
        hi[j] = (v2d){s->q[j].hi, s->q[j].hi};
    }
    size_t nh = 0;
    uint64_t at = 0;
    for (size_t i = 0; i < n; i += 4, at += HIT_STEP) {
        unsigned m = 0;
        for (int h = 0; h < 2; h++) {
            memcpy(&x, v + i + 2 * h, sizeof x);
            v2d d = x - k;
            d1[h] += d;
            d2[h] += d * d;
            pos -= x > 0;
            v2i in = {0, 0};
            for (int j = 0; j < NQ; j++) {
                v2i g = x >= lo[j];
                ge[j] -= g;
                in |= g & (x <= hi[j]);
            }
            m |= (unsigned)((in[0] & 1) | (in[1] & 2)) << 2 * h;
        }
        hits_put(hit, &nh, m, at);
    }
    memcpy(w->d1, d1, sizeof d1);
    memcpy(w->d2, d2, sizeof d2);
    w->pos = pos[0] + pos[1];
    for (int j = 0; j < NQ; j++)
        w->ge[j] = ge[j][0] + ge[j][1];
    return nh;
}

#if STREAM_X86
__attribute__((target("avx2"))) static size_t sweep_avx2(const mkba_stream *s, const double *v,
                                                         size_t n, sweep_sums *w, uint16_t *hit)
{
    double sh = s->shift;
    v4d d1, d2, x, k = {sh, sh, sh, sh}, lo[NQ], hi[NQ];
    v4i pos = {0, 0, 0, 0}, ge[NQ] = {{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}};
    memcpy(&d1, w->d1, sizeof d1);
    memcpy(&d2, w->d2, sizeof d2);
    for (int j = 0; j < NQ; j++) {
        lo[j] = (v4d){s->q[j].lo, s->q[j].lo, s->q[j].lo, s->q[j].lo};
        hi[j] = (v4d){s->q[j].hi, s->q[j].hi, s->q[j].hi, s->q[j].hi};
    }
    size_t nh = 0;
    uint64_t at = 0;
    for (size_t i = 0; i < n; i += 4, at += HIT_STEP) {
        memcpy(&x, v + i, sizeof x);
        v4d d = x - k;
        d1 += d;
        d2 += d * d;
        pos -= x > 0;
        v4i in = {0, 0, 0, 0};
        for (int j = 0; j < NQ; j++) {
            v4i g = x >= lo[j];
            ge[j] -= g;
            in |= g & (x <= hi[j]);
        }
        hits_put(hit, &nh, (unsigned)__builtin_ia32_movmskpd256((v4d)in), at);
    }
    memcpy(w->d1, &d1, sizeof d1);
    memcpy(w->d2, &d2, sizeof d2);
    w->pos = pos[0] + pos[1] + pos[2] + pos[3];
    for (int j = 0; j < NQ; j++)
        w->ge[j] = ge[j][0] + ge[j][1] + ge[j][2] + ge[j][3];
    return nh;
}

/* Eight at a time (n a multiple of 8): the comparisons on one 8-wide
 * register into masks, the sums on two 4-wide halves (so the heavier
 * 8-wide arithmetic, which slows some processors' clocks, is not used). */
__attribute__((target("avx512f"))) static size_t sweep_avx512(const mkba_stream *s,
                                                              const double *v, size_t n,
                                                              sweep_sums *w, uint16_t *hit)
{
    __m256d d1 = _mm256_loadu_pd(w->d1), d2 = _mm256_loadu_pd(w->d2);
    __m256d k = _mm256_set1_pd(s->shift);
    __m512d zero = _mm512_setzero_pd(), lo[NQ], hi[NQ];
    __m512i one = _mm512_set1_epi64(1), pos = _mm512_setzero_si512(), ge[NQ];
    for (int j = 0; j < NQ; j++) {
        lo[j] = _mm512_set1_pd(s->q[j].lo);
        hi[j] = _mm512_set1_pd(s->q[j].hi);
        ge[j] = _mm512_setzero_si512();
    }
    size_t nh = 0;
    uint64_t at = 0;
    for (size_t i = 0; i < n; i += 8, at += 2 * HIT_STEP) {
        __m256d da = _mm256_sub_pd(_mm256_loadu_pd(v + i), k);
        __m256d db = _mm256_sub_pd(_mm256_loadu_pd(v + i + 4), k);
        d1 = _mm256_add_pd(_mm256_add_pd(d1, da), db);
        d2 = _mm256_add_pd(_mm256_add_pd(d2, _mm256_mul_pd(da, da)), _mm256_mul_pd(db, db));
        __m512d x = _mm512_loadu_pd(v + i);
        pos = _mm512_mask_add_epi64(pos, _mm512_cmp_pd_mask(x, zero, _CMP_GT_OQ), pos, one);
        unsigned in = 0;
        for (int j = 0; j < NQ; j++) {
            __mmask8 g = _mm512_cmp_pd_mask(x, lo[j], _CMP_GE_OQ);
            ge[j] = _mm512_mask_add_epi64(ge[j], g, ge[j], one);
            in |= _mm512_mask_cmp_pd_mask(g, x, hi[j], _CMP_LE_OQ);
        }
        hits_put(hit, &nh, in & 15, at);
        hits_put(hit, &nh, in >> 4, at + HIT_STEP);
    }
    _mm256_storeu_pd(w->d1, d1);
    _mm256_storeu_pd(w->d2, d2);
    w->pos = _mm512_reduce_add_epi64(pos);
    for (int j = 0; j < NQ; j++)
        w->ge[j] = _mm512_reduce_add_epi64(ge[j]);
    return nh;
}
#endif

/* The sweep this processor runs, and its unit. */
static sweep_f *sweep_pick(size_t *unit)
{
    *unit = 4;
#if STREAM_X86
    int widest = mkba_cpu_level();
    if (widest >= MKBA_VEC_AVX512) {
        *unit = 8;
        return sweep_avx512;
    }
    if (widest >= MKBA_VEC_AVX2)
        return sweep_avx2;
#endif
    return sweep_portable;
}

/* The hits v[hit[0..nh)] that lie in quantile q's range, classified as
 * classify would take them, in the same order, without a branch on the
 * values (a hit may be another quantile's). */
static void hits_classify(quant *q, const double *v, const uint16_t *hit, size_t nh)
{
    double lo = q->lo, hi = q->hi;
    if (q->mode == Q_BINS) {
        for (size_t h = 0; h < nh; h++) {
            double x = v[hit[h]];
            /* below the range: bin_of's first bin, counted 0 times */
            q->bins[bin_of(q, x < lo ? lo : x)] += (x >= lo) & (x <= hi);
        }
        return;
    }
    size_t eq_lo = q->eq_lo, eq_hi = q->eq_hi, nkeep = q->nkeep;
    if (lo == hi) { /* one value: a point mass, as a constant column's */
        for (size_t h = 0; h < nh; h++)
            eq_lo += v[hit[h]] == lo;
        q->eq_lo = eq_lo;
        return;
    }
    double *keep = q->keep; /* room: make_room runs after each piece */
    for (size_t h = 0; h < nh; h++) {
        double x = v[hit[h]];
        eq_lo += x == lo;
        eq_hi += x == hi; /* lo < hi */
        keep[nkeep] = x;
        nkeep += (x > lo) & (x < hi);
    }
    q->eq_lo = eq_lo, q->eq_hi = eq_hi, q->nkeep = nkeep;
}

/* Pass 1 over v[0..n) (n <= PIECE) once the ranges are set: the sums, the
 * deviations, the values below each range, the few inside it; in one
 * sweep, since a column is read once. */
static void ranged_piece(mkba_stream *s, const double *v, size_t n)
{
    size_t i = 0;
    while (i < n && s->d1.np != 0) /* the lanes' pending values first */
        ranged_one(s, v[i++]);
    sweep_sums w;
    uint16_t hit[HITS_MAX];
    size_t unit;
    sweep_f *sweep = sweep_pick(&unit);
    size_t swept = (n - i) / unit * unit; /* the rest, at the end of a column, one by one */
    memcpy(w.d1, s->d1.s, sizeof w.d1);
    memcpy(w.d2, s->d2.s, sizeof w.d2);
    size_t nh = sweep(s, v + i, swept, &w, hit);
    memcpy(s->d1.s, w.d1, sizeof w.d1);
    memcpy(s->d2.s, w.d2, sizeof w.d2);
    s->pos += (size_t)w.pos;
    /* every range the same one value (a constant column): every hit is it */
    int one = 1;
    for (int j = 0; j < NQ; j++)
        one &= s->q[j].mode == Q_KEEP && s->q[j].lo == s->q[j].hi && s->q[j].lo == s->q[0].lo;
    for (int j = 0; j < NQ; j++) {
        s->q[j].below += swept - (size_t)w.ge[j];
        if (one)
            s->q[j].eq_lo += nh;
        else
            hits_classify(&s->q[j], v + i, hit, nh);
    }
    for (i += swept; i < n; i++)
        ranged_one(s, v[i]);
    for (int j = 0; j < NQ; j++)
        if (s->q[j].mode == Q_KEEP && s->q[j].nkeep >= s->q[j].cap)
            make_room(&s->q[j], Q[j], s->m, s->keep_max);
}

/* Pass 2: the values of the wanted bins of each BINS quantile. */
static void gather(quant *q, double v)
{
    if (q->mode != Q_BINS || !(v >= q->glo && v <= q->ghi) || !(v >= q->lo && v <= q->hi))
        return;
    size_t b = bin_of(q, v);
    if (b < q->b0 || b > q->b1)
        return;
    if (q->crowded)
        tally_add(&q->tal, v);
    else if (q->got < q->want)
        q->gathered[q->got++] = v;
}

static void gather_piece(mkba_stream *s, const double *v, size_t n)
{
    double g0 = s->q[0].glo, g1 = s->q[1].glo, g2 = s->q[2].glo;
    double h0 = s->q[0].ghi, h1 = s->q[1].ghi, h2 = s->q[2].ghi;
    unsigned char hit[PIECE];
    for (size_t i = 0; i < n; i++) { /* no branch; the few hits after */
        double x = v[i];
        hit[i] = ((x >= g0) & (x <= h0)) | ((x >= g1) & (x <= h1)) | ((x >= g2) & (x <= h2));
    }
    for (size_t i = 0; i < n; i++)
        if (hit[i])
            for (int j = 0; j < NQ; j++)
                gather(&s->q[j], v[i]);
}

/* The finite values of a piece of a column (n <= PIECE), then each pass's
 * work on them. */
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
        size_t pos = 0;
        for (size_t k = 0; k < i; k++)
            pos += v[k] > 0;
        s->pos += pos;
        s->m += n - i;
        if (i < n)
            ranged_piece(s, v + i, n - i);
        break;
    }
    case PASS2:
        gather_piece(s, v, n);
        break;
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
        size_t len = n - at < PIECE ? n - at : PIECE, m = 0, i = 0;
        /* the common case: all finite, no copy. A value times 0 is NaN
         * when it is infinite or NaN, else 0: the sum of them is 0 when
         * all are finite. */
        v2d z[4] = {{0, 0}, {0, 0}, {0, 0}, {0, 0}}, y; /* four chains in flight */
        for (; i + 8 <= len; i += 8)
            for (int k = 0; k < 4; k++) {
                memcpy(&y, x + at + i + 2 * k, sizeof y);
                z[k] += y * 0.0;
            }
        z[0] += z[1] + z[2] + z[3];
        double zero = z[0][0] + z[0][1];
        for (; i < len; i++)
            zero += x[at + i] * 0.0;
        if (zero == 0) {
            add_finite(s, x + at, len);
            continue;
        }
        for (i = 0; i < len; i++) { /* branch-free compaction */
            v[m] = x[at + i];
            m += isfinite(x[at + i]) != 0;
        }
        add_finite(s, v, m);
    }
}

/* Ask for the whole column (another pass). */
static int want_whole(mkba_stream *s)
{
    s->whole = mkba_xreallocarray(s->whole, s->m + 1, sizeof *s->whole);
    s->m = 0;
    s->pass = WHOLE;
    return 1;
}

/* Order statistics k and (when interpolated) k + 1 of m values. */
static size_t order_k(double quantile, size_t m, size_t *last, double *delta)
{
    double pos = quantile * (double)(m - 1);
    size_t k = (size_t)floor(pos);
    *delta = pos - (double)k;
    *last = *delta != 0 && k + 1 < m ? k + 1 : k;
    return k;
}

/* After pass 1, a KEEP quantile: exact when its order statistics lie in
 * [lo, hi] (then Q_DONE); 0 when the range missed them. */
static int keep_end(quant *q, double quantile, size_t m)
{
    double delta;
    size_t last, k = order_k(quantile, m, &last, &delta);
    size_t n = q->eq_lo + q->nkeep + q->eq_hi;
    if (k < q->below || last >= q->below + n)
        return 0;
    size_t at[2] = {k - q->below, last - q->below}, ks[2];
    mkba_stats_select_ranks(q->keep, q->nkeep, ks, keep_ranks(q, at, 2, ks));
    double v = view_at(q, k - q->below);
    if (last != k)
        v = (1 - delta) * v + delta * view_at(q, last - q->below);
    q->value = v;
    q->mode = Q_DONE;
    free(q->keep);
    q->keep = NULL;
    return 1;
}

/* After pass 1, a BINS quantile: the bins of its order statistics k and
 * (when interpolated) k + 1, kept in pass 2; 0 when the range missed them. */
static int plan_gather(quant *q, double quantile, size_t m)
{
    double delta;
    size_t last, k = order_k(quantile, m, &last, &delta);
    const size_t *c = q->bins;
    size_t cum = q->below, b = 0;
    if (k < cum)
        return 0;
    while (b < MKBA_STREAM_BINS && cum + c[b] <= k)
        cum += c[b++];
    if (b == MKBA_STREAM_BINS)
        return 0;
    q->b0 = b;
    q->base = cum;
    size_t want = 0;
    while (b < MKBA_STREAM_BINS && cum + want + c[b] <= last)
        want += c[b++];
    if (b == MKBA_STREAM_BINS)
        return 0;
    q->b1 = b;
    q->want = want + c[b];
    q->k = k;
    q->crowded = q->want > GATHER_CAP;
    /* A bin or more to spare either side of the gathered bins' values
     * (bin_of rounds): a cheap test that passes over the rest. */
    double sc = q->scale;
    q->glo = sc > 0 ? fmax(q->lo, q->lo + ((double)q->b0 - 2) / sc) : q->lo;
    q->ghi = sc > 0 ? fmin(q->hi, q->lo + ((double)q->b1 + 3) / sc) : q->hi;
    if (!(q->glo <= q->ghi)) /* a range too wide for its bins' bounds */
        q->glo = q->lo, q->ghi = q->hi;
    if (q->crowded)
        tally_init(&q->tal, GATHER_CAP);
    else
        q->gathered = mkba_xmalloc(q->want * sizeof *q->gathered);
    return 1;
}

/* After pass 2, a BINS quantile from the values it kept; 0 when they were
 * not all there (a crowded bin of more distinct values than counted). */
static int gather_end(quant *q, double quantile, size_t m)
{
    if (q->crowded ? q->tal.full || tally_count(&q->tal) != q->want : q->got != q->want)
        return 0;
    double delta;
    size_t last, k = order_k(quantile, m, &last, &delta), kk = k - q->base;
    double v, next = 0;
    if (q->crowded) {
        tally_sort(&q->tal);
        v = tally_order(&q->tal, kk);
        if (last != k)
            next = tally_order(&q->tal, kk + 1);
    } else {
        double *b = q->gathered;
        v = mkba_stats_select(b, q->got, kk);
        next = INFINITY; /* after selection: the smallest right of kk */
        for (size_t i = kk + 1; i < q->got && last != k; i++)
            if (b[i] < next)
                next = b[i];
    }
    q->value = last != k ? (1 - delta) * v + delta * next : v;
    q->mode = Q_DONE;
    return 1;
}

/* Every statistic, once each quantile is done. */
static void stream_result(mkba_stream *s, mkba_stats *out)
{
    out->n = s->m;
    out->mean = s->mean;
    out->sd = s->sd;
    out->p5 = mkba_stats_zero(s->q[0].value);
    out->p50 = mkba_stats_zero(s->q[1].value);
    out->p95 = mkba_stats_zero(s->q[2].value);
    out->p_positive = (double)s->pos / (double)s->m;
    s->pass = DONE;
}

int mkba_stream_end(mkba_stream *s, mkba_stats *out)
{
    switch (s->pass) {
    case PASS1: {
        if (!s->ranged) { /* the sample is the column (or no value at all) */
            mkba_stats_of_finite(s->smp, s->m, s->pos, out);
            s->pass = DONE;
            return 0;
        }
        double n = (double)s->m, sum1 = lane_total(&s->d1), sum2 = lane_total(&s->d2);
        /* summary.c's centred_sums */
        double mean = s->shift + sum1 / n, v = (sum2 - sum1 * (sum1 / n)) / (n - 1);
        v = isfinite(v) ? fmax(0, v) : v;
        if (!isfinite(mean) || !isfinite(v)) /* sums that overflowed: summary.c rescales */
            return want_whole(s);
        s->mean = mean;
        s->sd = sqrt(v);
        int more = 0;
        for (int j = 0; j < NQ; j++) {
            quant *q = &s->q[j];
            if (q->mode == Q_KEEP ? !keep_end(q, Q[j], s->m) : !plan_gather(q, Q[j], s->m))
                return want_whole(s);
            more |= q->mode == Q_BINS;
            if (q->mode != Q_BINS) /* pass 2's test lets no value near it */
                q->glo = INFINITY, q->ghi = -INFINITY;
        }
        if (more) {
            s->pass = PASS2;
            return 1;
        }
        stream_result(s, out);
        return 0;
    }
    case PASS2:
        for (int j = 0; j < NQ; j++)
            if (s->q[j].mode == Q_BINS && !gather_end(&s->q[j], Q[j], s->m))
                return want_whole(s);
        stream_result(s, out);
        return 0;
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
    mkba_shape *s = mkba_xcalloc_own(1, sizeof *s);
    s->pass = PASS1;
    s->nq = nq;
    s->nbins = bins;
    s->vmin = INFINITY;
    s->vmax = -INFINITY;
    s->hist = mkba_xcalloc_own(bins + 1, sizeof *s->hist);
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
    s->fine = mkba_xcalloc_own(FINE, sizeof *s->fine);
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

void mkba_shape_whole(mkba_shape *s, double *x, size_t n, double *q, double *lo, double *width,
                      size_t *hist)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) /* the finite values to the front */
        if (isfinite(x[i])) {
            s->vmin = fmin(s->vmin, x[i]);
            s->vmax = fmax(s->vmax, x[i]);
            x[m++] = x[i];
        }
    s->m = m;
    s->pass = PASS1;
    if (m == 0) { /* as mkba_shape_end says it */
        mkba_shape_end(s, q, lo, width, hist);
        return;
    }
    mkba_stats_sort(x, m);
    shape_sorted(s, x, m, q, lo, width, hist);
    s->pass = DONE;
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

/* ------------------------------------------------------------ threads
 * A region runs its tasks on the caller's thread (thread 0) and on
 * workers 1..T-1 of one pool per process, made at the first region that
 * needs them and grown to the most threads asked: a bootstrap or a
 * sensitivity analysis runs a region or more per replicate or point, and
 * starting threads for each would cost more than many of them take.
 * Between regions a worker spins briefly, then sleeps (pool_region), with
 * the guarded signals blocked, as it was made. A region asked for while
 * the pool is busy (a task that runs regions of its own,
 * or another thread) starts threads of its own, as every region once did,
 * so nesting cannot deadlock. A child of fork() has none of the workers:
 * it forgets them and makes its own. At exit the workers are joined. */

#define SPIN_SECONDS 100e-6

typedef struct par {
    size_t n;
    void (*fn)(void *ctx, size_t task, size_t thread);
    void *ctx;
    atomic_size_t next;
} par;

static void par_run(par *p, size_t thread)
{
    for (size_t i; (i = atomic_fetch_add(&p->next, 1)) < p->n;)
        p->fn(p->ctx, i, thread);
}

typedef struct par_thread {
    par *p;
    size_t id;
    pthread_t tid;
} par_thread;

static void *par_work(void *arg)
{
    par_thread *t = arg;
    par_run(t->p, t->id);
    return NULL;
}

/* A region on threads of its own: T - 1 started and joined. */
static void par_spawn(par *p, size_t T)
{
    par_thread *t = mkba_xcalloc(T, sizeof *t);
    int *started = mkba_xcalloc(T, sizeof *started);
    sigset_t mask;
    mkba_signals_block(&mask); /* workers inherit it: Ctrl-C goes to this thread */
    for (size_t i = 1; i < T; i++) {
        t[i] = (par_thread){.p = p, .id = i};
        started[i] = pthread_create(&t[i].tid, NULL, par_work, &t[i]) == 0;
    }
    mkba_signals_restore(&mask);
    par_run(p, 0);
    for (size_t i = 1; i < T; i++)
        if (started[i])
            pthread_join(t[i].tid, NULL);
    free(started);
    free(t);
}

typedef struct pool_worker {
    pthread_t tid;
    size_t id;                  /* its thread number, 1.. */
    atomic_int go;              /* the region asks for it: set by the caller, cleared by
                                   the worker as it joins or by the caller that withdraws it */
    atomic_int asleep;          /* it waits on pool.wake (or is about to) */
} pool_worker;

static struct {
    pthread_mutex_t mu;         /* guards the sleeping and the worker list */
    pthread_cond_t wake;        /* a worker asked to a region, or quit */
    pthread_cond_t done;        /* busy fell to 0 */
    pool_worker **w;            /* [n] worker i + 1 */
    size_t n, cap;
    atomic_size_t busy;         /* workers asked to the region (go) or in it, not finished */
    atomic_int caller_asleep;   /* the caller waits on done (or is about to) */
    par *job;
    atomic_int quit;
    atomic_int in_use;          /* a region (or the teardown) holds the pool */
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER,
          .done = PTHREAD_COND_INITIALIZER};

double mkba_stream_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int mkba_stream_spin_round(mkba_stream_spin *spin)
{
    if (spin->rounds == UINT_MAX) /* the spin is over */
        return 0;
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    __builtin_ia32_pause(); /* the other hyperthread and the memory bus get the time */
#endif
    if (spin->rounds++ % 64 != 0) /* the clock every 64 rounds */
        return 1;
    double t = mkba_stream_seconds();
    if (spin->rounds == 1)
        spin->since = t;
    if (t - spin->since <= SPIN_SECONDS)
        return 1;
    spin->rounds = UINT_MAX;
    return 0;
}

/* Whether *x became nonzero within SPIN_SECONDS (checked without sleeping). */
static int spin_until(atomic_int *x)
{
    mkba_stream_spin spin = {0, 0};
    while (!atomic_load(x))
        if (!mkba_stream_spin_round(&spin))
            return 0;
    return 1;
}

/* The sleeps below are Dekker's handshake: the sleeper sets its flag, then
 * looks at the condition; the waker sets the condition, then looks at the
 * flag (all sequentially consistent), so one of them sees the other's
 * store. A waker that sees the flag signals under the lock, which the
 * sleeper holds from its flag until it waits: no wake-up is lost. */

/* Wait until w is asked to a region or the pool quits. */
static void worker_wait(pool_worker *w)
{
    if (spin_until(&w->go))
        return;
    pthread_mutex_lock(&pool.mu);
    atomic_store(&w->asleep, 1);
    while (!atomic_load(&w->go) && !atomic_load(&pool.quit))
        pthread_cond_wait(&pool.wake, &pool.mu);
    atomic_store(&w->asleep, 0);
    pthread_mutex_unlock(&pool.mu);
}

static void *pool_work(void *arg)
{
    pool_worker *w = arg;
    for (;;) {
        worker_wait(w);
        if (atomic_load(&pool.quit))
            break;
        int asked = 1;
        if (!atomic_compare_exchange_strong(&w->go, &asked, 0))
            continue; /* withdrawn before it joined */
        par_run(pool.job, w->id);
        if (atomic_fetch_sub(&pool.busy, 1) == 1 && atomic_load(&pool.caller_asleep)) {
            pthread_mutex_lock(&pool.mu);
            pthread_cond_signal(&pool.done);
            pthread_mutex_unlock(&pool.mu);
        }
    }
    return NULL;
}

/* At exit, unless a region is running (exit from a task): the workers
 * told to quit and joined. The pool stays held, so that a region after
 * this starts threads of its own. */
static void pool_close(void)
{
    if (atomic_exchange(&pool.in_use, 1))
        return;
    pthread_mutex_lock(&pool.mu);
    atomic_store(&pool.quit, 1);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.mu);
    for (size_t i = 0; i < pool.n; i++) {
        pthread_join(pool.w[i]->tid, NULL);
        free(pool.w[i]);
    }
    free(pool.w);
    pool.w = NULL;
    pool.n = pool.cap = 0;
}

/* In the child of a fork(): only the forking thread lives on. Its pool's
 * lock may have been held by a worker when it forked: made anew. A pool
 * held by a region in the parent is left as it is, held (the child's
 * regions start threads of their own). */
static void pool_forget(void)
{
    pthread_mutex_init(&pool.mu, NULL);
    pthread_cond_init(&pool.wake, NULL);
    pthread_cond_init(&pool.done, NULL);
    if (atomic_load(&pool.in_use))
        return;
    for (size_t i = 0; i < pool.n; i++)
        free(pool.w[i]);
    free(pool.w);
    pool.w = NULL;
    pool.n = pool.cap = 0;
    atomic_store(&pool.busy, 0);
}

static void pool_hooks(void)
{
    atexit(pool_close);
    pthread_atfork(NULL, NULL, pool_forget);
}

/* Up to 'want' workers: as many as there are, once made. */
static size_t pool_grow(size_t want)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    if (want <= pool.n)
        return want;
    pthread_once(&once, pool_hooks);
    if (want > pool.cap) {
        pool.cap = want;
        pool.w = mkba_xreallocarray(pool.w, pool.cap, sizeof *pool.w);
    }
    sigset_t mask;
    mkba_signals_block(&mask); /* workers inherit it: Ctrl-C goes to the caller's thread */
    while (pool.n < want) {
        pool_worker *w = mkba_xcalloc_own(1, sizeof *w);
        w->id = pool.n + 1;
        if (pthread_create(&w->tid, NULL, pool_work, w) != 0) {
            free(w);
            break; /* fewer threads: the caller takes the rest */
        }
        pool.w[pool.n++] = w;
    }
    mkba_signals_restore(&mask);
    return pool.n;
}

/* A region on the pool (held): workers 1..T-1 asked, and woken where they
 * sleep; those that have not joined when the caller has taken the last
 * task are withdrawn, so a short region does not wait for them. Between
 * regions a worker spins for SPIN_SECONDS before it sleeps, as the
 * caller does for the workers at a region's end: a bootstrap starts
 * regions every few hundred microseconds, and a sleep and a wake-up each
 * time cost the threads more than a spin as short as that. */
static void pool_region(par *p, size_t T)
{
    size_t m = pool_grow(T - 1);
    pool.job = p;
    atomic_store(&pool.busy, m);
    for (size_t i = 0; i < m; i++)
        atomic_store(&pool.w[i]->go, 1);
    int sleepers = 0;
    for (size_t i = 0; i < m; i++)
        sleepers |= atomic_load(&pool.w[i]->asleep);
    if (sleepers) {
        pthread_mutex_lock(&pool.mu);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.mu);
    }
    par_run(p, 0);
    for (size_t i = 0; i < m; i++) {
        int asked = 1;
        if (atomic_compare_exchange_strong(&pool.w[i]->go, &asked, 0))
            atomic_fetch_sub(&pool.busy, 1);
    }
    mkba_stream_spin spin = {0, 0};
    while (atomic_load(&pool.busy) > 0)
        if (!mkba_stream_spin_round(&spin)) {
            pthread_mutex_lock(&pool.mu);
            atomic_store(&pool.caller_asleep, 1);
            while (atomic_load(&pool.busy) > 0)
                pthread_cond_wait(&pool.done, &pool.mu);
            atomic_store(&pool.caller_asleep, 0);
            pthread_mutex_unlock(&pool.mu);
            break;
        }
    pool.job = NULL;
}

void mkba_stream_parallel(size_t n_tasks, int threads,
                          void (*fn)(void *ctx, size_t task, size_t thread), void *ctx)
{
    size_t T = threads > 1 ? (size_t)threads : 1;
    if (T > n_tasks)
        T = n_tasks;
    if (T <= 1) {
        for (size_t i = 0; i < n_tasks; i++)
            fn(ctx, i, 0);
        return;
    }
    par p = {.n = n_tasks, .fn = fn, .ctx = ctx};
    atomic_init(&p.next, 0);
    if (atomic_exchange(&pool.in_use, 1)) {
        par_spawn(&p, T);
        return;
    }
    pool_region(&p, T);
    atomic_store(&pool.in_use, 0);
}

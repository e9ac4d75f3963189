/* bootstrap.c - the stratified non-parametric bootstrap of the estimated
 * effects, run on threads.
 *
 * Why it is built this way: a replicate of a 1,000,000-person cohort must
 * cost milliseconds, so nothing is copied or allocated per replicate. Once
 * per call the persons get "positions": pilot persons first, control
 * persons after them, each group in cohort order. A replicate is a vector
 * of resampling counts by position (n_g uniform draws within each group),
 * one byte per person plus a list of carries for counts of 256 and more
 * (possible in theory only, but kept exact), so the random increments hit
 * a small array. The draws step the generator inline and do not look at
 * the counts; a count that wrapped past 255 shows in their sum, and the
 * replicate is then drawn again recording its carries (draw_counts).
 * Where the processor has AVX2, a group's stream is cut into four
 * stretches, the generator jumped ahead to each (rng.h), and the four are
 * drawn side by side in one vector register (draw_group): the same values
 * give the same counts in any order, so the counts are those of the
 * one-at-a-time draws, bit for bit (the tests compare both with draws made
 * from the definition).
 *
 * DIFF and DID effects need only the weighted sums sum(w) and sum(w v) per
 * group (the estimate only: replicates need no SE). One sequential sweep
 * over the counts and a position-ordered copy of the values takes them for
 * up to BLK effects at once (one vector), and for the up to LANES
 * replicates a thread holds at once, so the values are read once for all
 * of them (reading them, not summing, bounded the speed); sum(w) is the
 * group's total less the counts of the persons with a missing value. The
 * sums run in cohort order within each group, as in mkba_est_diff, so
 * all-one counts reproduce mkba_estimate exactly, and the vector code adds
 * the same numbers in the same order as the portable code.
 *
 * OLS effects need only the pilot coefficient too: a replicate is one pass
 * over a row-major copy of the persons with every value (covariates
 * dummy-coded as mkba_estimate codes them, then the outcome; 8 bytes per
 * person per design covariate plus 12: 76 bytes for 8 covariates) that
 * accumulates the count-weighted cross-products per group, and a solve of
 * the small within-group normal equations (Frisch-Waugh) by Cholesky on
 * the equilibrated matrix. mkba_estimate solves the same least squares by
 * QR: the two agree to rounding (the columns are centred first, which
 * changes no coefficient but the intercept), and a replicate is singular
 * where the QR calls it singular (MKBA_EST_COLLINEAR_TOL, and a covariate constant among
 * the persons drawn, tested exactly). IPW and DR effects share one
 * propensity model, fitted once on the full data for all of them
 * (pscore.h: mkba_ps_plan_new): each replicate refits it with the counts
 * as weights (IRLS from the full-data fit, which also accumulates
 * cross-products: one pass per iteration) and then weights every IPW / DR
 * effect with it (mkba_ps_replicate), so the draws carry the uncertainty
 * of the estimated propensity.
 *
 * Replicate r always draws from stream (seed, MKBA_STREAM_BOOTSTRAP, r),
 * so which thread runs it, and beside which other replicates, does not
 * matter: the threads of the one thread runner (stream.h) take replicates
 * up to LANES at a time, and the output is the same for any number of
 * threads. What one thread would do alone, before or after them, bounds
 * the speed-up of more threads (Amdahl), so the setup runs on the threads
 * too: the effects' checks on the full cohort and the copies of their
 * values are tasks of their own (see struct setup), and the replicates are
 * cut into a whole number of nearly equal tasks per thread (task_count),
 * so that the threads end together. */
#include "mkba/bootstrap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "mkba/cpu.h"
#include "mkba/fsutil.h"
#include "mkba/mem.h"
#include "mkba/pscore.h"
#include "mkba/rng.h"
#include "mkba/stream.h"

#define BLK 4           /* DIFF/DID effects summed in one sweep */
#define LANES 8         /* replicates drawn and summed side by side by a thread */
#define MAX_THREADS 256 /* more threads than this are not started */
#define DRAW_LANES 4    /* stretches of a stream drawn at once (draw_group) */
#define DRAW_MIN 4096   /* a smaller group is drawn one value at a time */
#define SWEEP_AHEAD 256 /* positions a sweep prefetches its values ahead */

/* The x86-64 processors with AVX2 (checked when a bootstrap starts) run
 * the draws and the sums with AVX2 code; every other processor runs the
 * portable code. The counts and the sums are the same bits either way. */
#if defined(__GNUC__) && defined(__x86_64__)
#define BOOT_AVX2 1
#include <immintrin.h>
#else
#define BOOT_AVX2 0
#endif

/* ============================ strata and draws =========================== */

/* How a group's draws are split over the vector lanes (see draw_group). */
typedef struct group_draw {
    uint32_t m;            /* persons in the group: draws, and their range */
    uint32_t per_lane;     /* draws each lane makes: m / DRAW_LANES */
    uint32_t reject;       /* 2^32 mod m: a 32-bit value below it is drawn again */
    uint64_t jump[4];      /* jump polynomial of per_lane generator steps */
} group_draw;

/* Where each group lies among the positions. */
typedef struct strata {
    size_t n;              /* persons */
    size_t start[2];       /* first position of group g (index: group code) */
    size_t len[2];         /* persons in group g */
    uint32_t *row;         /* [n] cohort row of each position */
    group_draw draw[2];    /* the draws of group g */
    int vector;            /* 1: draw and sum with the processor's AVX2 code */
} strata;

/* Whether this processor runs the AVX2 code (cpu.h). */
static int have_vector(void)
{
    return BOOT_AVX2 && mkba_cpu_avx2();
}

/* Pilot persons at positions 0..n_pilot-1, control persons after them,
 * each group in cohort order. */
static mkba_status strata_init(const mkba_cohort *c, strata *s, mkba_error *err)
{
    memset(s, 0, sizeof *s);
    s->n = mkba_cohort_size(c);
    if (s->n > UINT32_MAX)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "the bootstrap handles at most %lu persons (the cohort has %zu)",
                              (unsigned long)UINT32_MAX, s->n);
    const uint8_t *g = mkba_cohort_group(c);
    s->len[MKBA_PILOT] = mkba_cohort_count(c, MKBA_PILOT);
    s->len[MKBA_CONTROL] = mkba_cohort_count(c, MKBA_CONTROL);
    s->start[MKBA_PILOT] = 0;
    s->start[MKBA_CONTROL] = s->len[MKBA_PILOT];
    s->row = mkba_xreallocarray(NULL, s->n ? s->n : 1, sizeof *s->row);
    size_t next[2] = {s->start[0], s->start[1]};
    for (size_t i = 0; i < s->n; i++)
        s->row[next[g[i]]++] = (uint32_t)i;
    s->vector = have_vector();
    for (int gr = 0; gr < 2; gr++) {
        group_draw *d = &s->draw[gr];
        d->m = (uint32_t)s->len[gr];
        d->per_lane = d->m / DRAW_LANES;
        d->reject = d->m ? (uint32_t)(0u - d->m) % d->m : 0;
        if (s->vector && d->m >= DRAW_MIN)
            mkba_xoshiro_jump_poly(d->per_lane, d->jump);
    }
    return MKBA_OK;
}

/* A uniform integer in [0, m), m >= 1: Lemire's multiply-shift with his
 * rejection step (ACM TOMACS 2019), so no value is favoured. The 32-bit
 * values are gsl_rng_get's (the top half of xoshiro256**'s 64 bits), the
 * generator stepped inline on a local copy of its state (see
 * draw_counts) instead of through GSL's function pointer. A 64-bit value
 * is used (its draw accepted) exactly when the low half of the product is
 * at least 2^32 mod m: whether it is does not depend on the values before
 * it, which is what lets draw_group split a stream over lanes. */
static inline uint32_t draw_below(mkba_xoshiro_state *st, uint32_t m)
{
    uint64_t x = (mkba_xoshiro_next(st) >> 32) * m;
    uint32_t low = (uint32_t)x;
    if (low < m) {
        uint32_t reject = (uint32_t)(0u - m) % m; /* 2^32 mod m */
        while (low < reject) {
            x = (mkba_xoshiro_next(st) >> 32) * m;
            low = (uint32_t)x;
        }
    }
    return (uint32_t)(x >> 32);
}

/* Resampling counts by position: the count at position q is lo[q] plus
 * 256 * hi for every carry entry of q. Draws wrap lo[q] from 255 to 0 and
 * record a carry of 1; n draws make at most n / 256 carries. */
typedef struct carry {
    uint32_t pos;          /* position */
    uint32_t hi;           /* multiples of 256 to add */
} carry;

typedef struct rcounts {
    uint8_t *lo;           /* [n] count mod 256 */
    carry *carry;          /* [cap] */
    size_t n_carry, cap;
    double total[2];       /* sum of the counts of each group (index: group code) */
} rcounts;

/* Counts in lo (the caller's: n bytes) with room for 'cap' carries. */
static void counts_init(rcounts *k, uint8_t *lo, size_t cap)
{
    k->lo = lo;
    k->carry = mkba_xcalloc_own(cap ? cap : 1, sizeof *k->carry);
    k->n_carry = 0;
    k->cap = cap ? cap : 1;
    k->total[0] = k->total[1] = 0;
}

static void counts_free(rcounts *k)
{
    free(k->carry);
}

/* 'count' draws in [0, m) from generator *stp into seg, counts kept mod
 * 256. The state is copied to a local: the byte stores of the counts
 * could alias the generator's own, which would then go through memory at
 * every step. */
static void draw_fast(mkba_xoshiro_state *stp, uint8_t *seg, uint32_t m, uint32_t count)
{
    mkba_xoshiro_state st = *stp;
    for (uint32_t d = 0; d < count; d++)
        seg[draw_below(&st, m)]++;
    *stp = st;
}

#if BOOT_AVX2
/* The draws of DRAW_LANES stretches of one stream at once, lane l from
 * state st[l], each 'per_lane' 64-bit values long: the xoshiro256** steps
 * and Lemire's products of the four lanes in one AVX2 register each, the
 * counts incremented one by one. A value whose draw is rejected (see
 * draw_below) is skipped; returns how many were. st[l] ends where lane l
 * stopped. */
__attribute__((target("avx2"))) static uint32_t draw_lanes(mkba_xoshiro_state st[DRAW_LANES],
                                                           uint8_t *seg, uint32_t m,
                                                           uint32_t per_lane, uint32_t reject)
{
    uint64_t in[4][DRAW_LANES];
    for (int l = 0; l < DRAW_LANES; l++)
        for (int k = 0; k < 4; k++)
            in[k][l] = st[l].s[k];
    __m256i s0 = _mm256_loadu_si256((const __m256i *)in[0]);
    __m256i s1 = _mm256_loadu_si256((const __m256i *)in[1]);
    __m256i s2 = _mm256_loadu_si256((const __m256i *)in[2]);
    __m256i s3 = _mm256_loadu_si256((const __m256i *)in[3]);
    const __m256i mv = _mm256_set1_epi64x(m), sign = _mm256_set1_epi32(INT32_MIN);
    const __m256i m_signed = _mm256_set1_epi32((int32_t)(m ^ 0x80000000u));
    uint32_t skipped = 0, out[2 * DRAW_LANES];
    for (uint32_t d = 0; d < per_lane; d++) {
        /* mkba_xoshiro_next, lane by lane: x * 5 and x * 9 as shifts and adds */
        __m256i x = _mm256_add_epi64(s1, _mm256_slli_epi64(s1, 2));
        x = _mm256_or_si256(_mm256_slli_epi64(x, 7), _mm256_srli_epi64(x, 57));
        x = _mm256_add_epi64(x, _mm256_slli_epi64(x, 3));
        __m256i t = _mm256_slli_epi64(s1, 17);
        s2 = _mm256_xor_si256(s2, s0);
        s3 = _mm256_xor_si256(s3, s1);
        s1 = _mm256_xor_si256(s1, s2);
        s0 = _mm256_xor_si256(s0, s3);
        s2 = _mm256_xor_si256(s2, t);
        s3 = _mm256_or_si256(_mm256_slli_epi64(s3, 45), _mm256_srli_epi64(s3, 19));
        /* (x >> 32) * m: the draw in the high half, the low half below m
         * (unsigned: compared with the sign bits flipped) means a value
         * that may be rejected */
        __m256i prod = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), mv);
        __m256i low_lt = _mm256_cmpgt_epi32(m_signed, _mm256_xor_si256(prod, sign));
        int maybe = _mm256_movemask_ps(_mm256_castsi256_ps(low_lt)) & 0x55;
        _mm256_storeu_si256((__m256i *)out, prod);
        if (__builtin_expect(maybe != 0, 0)) {
            for (int l = 0; l < DRAW_LANES; l++) {
                if (out[2 * l] < reject)
                    skipped++;
                else
                    seg[out[2 * l + 1]]++;
            }
        } else {
            for (int l = 0; l < DRAW_LANES; l++)
                seg[out[2 * l + 1]]++;
        }
    }
    _mm256_storeu_si256((__m256i *)in[0], s0);
    _mm256_storeu_si256((__m256i *)in[1], s1);
    _mm256_storeu_si256((__m256i *)in[2], s2);
    _mm256_storeu_si256((__m256i *)in[3], s3);
    for (int l = 0; l < DRAW_LANES; l++)
        for (int k = 0; k < 4; k++)
            st[l].s[k] = in[k][l];
    return skipped;
}
#endif

/* The m draws of one group from generator *st into seg (mod 256), the
 * counts of draw_fast exactly. With AVX2 the stream is cut in stretches:
 * lane l takes values l * per_lane .. (l + 1) * per_lane - 1 (its state
 * jumped to there), and the draws of all lanes are the draws of those
 * values whatever their order; the last lane's state then draws the rest
 * one by one: the m - DRAW_LANES * per_lane draws left, and one more for
 * every value skipped. Those are the values draw_fast would use after,
 * since skipping depends on the value alone (draw_below). */
static void draw_group(const strata *s, int gr, mkba_xoshiro_state *st, uint8_t *seg)
{
    const group_draw *d = &s->draw[gr];
    uint32_t left = d->m;
#if BOOT_AVX2
    if (s->vector && d->m >= DRAW_MIN) {
        mkba_xoshiro_state lane[DRAW_LANES];
        lane[0] = *st;
        for (int l = 1; l < DRAW_LANES; l++) {
            lane[l] = lane[l - 1];
            mkba_xoshiro_jump(&lane[l], d->jump);
        }
        uint32_t skipped = draw_lanes(lane, seg, d->m, d->per_lane, d->reject);
        *st = lane[DRAW_LANES - 1];
        left = d->m - DRAW_LANES * d->per_lane + skipped;
    }
#endif
    draw_fast(st, seg, d->m, left);
}

/* draw_fast that records a carry whenever a count wraps from 255 to 0. */
static void draw_carry(mkba_xoshiro_state *stp, rcounts *k, size_t start, uint32_t m)
{
    mkba_xoshiro_state st = *stp;
    uint8_t *seg = k->lo + start;
    for (uint32_t d = 0; d < m; d++) {
        uint32_t j = draw_below(&st, m);
        if (!++seg[j] && k->n_carry < k->cap) /* room: see struct rcounts */
            k->carry[k->n_carry++] = (carry){(uint32_t)(start + j), 1};
    }
    *stp = st;
}

/* Sum of n bytes (on x86-64, SSE2's sums of absolute differences from 0:
 * every x86-64 processor has SSE2). */
static uint64_t byte_sum(const uint8_t *b, size_t n)
{
    uint64_t sum = 0;
    size_t q = 0;
#if BOOT_AVX2
    __m128i acc = _mm_setzero_si128(), zero = _mm_setzero_si128();
    for (; q + 16 <= n; q += 16)
        acc = _mm_add_epi64(acc, _mm_sad_epu8(_mm_loadu_si128((const __m128i *)(b + q)), zero));
    sum = (uint64_t)_mm_cvtsi128_si64(acc) +
          (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(acc, acc));
#endif
    for (; q < n; q++)
        sum += b[q];
    return sum;
}

/* The counts of replicates r .. r + nl - 1 into k[0 .. nl - 1]:
 * replicate r + l takes n_pilot draws in the pilot range, then n_control
 * draws in the control range, from its own stream. The draws keep the
 * counts mod 256 without looking at them (a test per draw costs a third
 * of its time); a count that wrapped shows as a sum below the draws made,
 * and then (in theory only: a person drawn 256 times) the replicate is
 * drawn again from the start of its stream, recording the carries. */
static void draw_counts(const strata *s, gsl_rng *rng, uint64_t seed, size_t r, size_t nl,
                        rcounts *k)
{
    static const int order[2] = {MKBA_PILOT, MKBA_CONTROL};
    mkba_xoshiro_state *st = (mkba_xoshiro_state *)rng->state;
    for (size_t l = 0; l < nl; l++) {
        memset(k[l].lo, 0, s->n);
        k[l].n_carry = 0;
        mkba_rng_stream(rng, seed, MKBA_STREAM_BOOTSTRAP, (uint64_t)(r + l));
        for (int o = 0; o < 2; o++) {
            draw_group(s, order[o], st, k[l].lo + s->start[order[o]]);
            k[l].total[order[o]] = (double)s->len[order[o]];
        }
        if (byte_sum(k[l].lo, s->n) == s->n)
            continue;
        memset(k[l].lo, 0, s->n);
        mkba_rng_stream(rng, seed, MKBA_STREAM_BOOTSTRAP, (uint64_t)(r + l));
        for (int o = 0; o < 2; o++)
            draw_carry(st, &k[l], s->start[order[o]], (uint32_t)s->len[order[o]]);
    }
}

/* Counts given by cohort row (mkba_bootstrap_replicate); k->cap >= n. */
static void counts_from_rows(const strata *s, const uint32_t *by_row, rcounts *k)
{
    k->n_carry = 0;
    k->total[0] = k->total[1] = 0;
    for (size_t q = 0; q < s->n; q++) {
        uint32_t c = by_row[s->row[q]];
        k->lo[q] = (uint8_t)(c & 255);
        if (c >> 8)
            k->carry[k->n_carry++] = (carry){(uint32_t)q, c >> 8};
        k->total[q >= s->start[MKBA_CONTROL] ? MKBA_CONTROL : MKBA_PILOT] += c;
    }
}

/* The counts as weights by cohort row. */
static void counts_to_weights(const strata *s, const rcounts *k, double *w)
{
    for (size_t q = 0; q < s->n; q++)
        w[s->row[q]] = k->lo[q];
    for (size_t e = 0; e < k->n_carry; e++)
        w[s->row[k->carry[e].pos]] += 256.0 * k->carry[e].hi;
}

/* ========================= OLS by cross-products ========================= */

/* An OLS effect prepared for replicates: the rows of the persons with every
 * value, row-major, in position order (pilot rows first). A replicate
 * needs only the pilot coefficient, so it is one pass that accumulates the
 * count-weighted cross-products of the covariates and the outcome per group,
 * and a k x k solve (see ols_solve). The columns are stored less their mean
 * over the rows (mu), which changes no coefficient but the intercept and
 * keeps the cross-products free of the cancellation that large means bring. */
typedef struct ols_eff {
    size_t spec;           /* index in specs */
    size_t k;              /* design covariate columns */
    size_t m;              /* rows: persons with every value */
    size_t split;          /* rows [0, split) are pilot persons, the rest control */
    uint32_t *pos;         /* [m] position of each row, increasing */
    double *z;             /* [m * (k + 1)] covariates, then y (or y - pre), less mu */
    double *mu;            /* [k + 1] the column means over the rows */
} ols_eff;

static void ols_eff_free(ols_eff *o)
{
    free(o->pos);
    free(o->z);
    free(o->mu);
}

/* The design covariates of one effect as mkba_estimate codes them: numeric
 * covariates as they are; a categorical one as 0/1 dummies (NaN where
 * missing) of the levels present among the persons with every value, the
 * first present level (lowest code) being the base. x[j] is a cohort
 * column or an owned dummy (owned[j], to free); ok[i] = 1 where person i
 * has every value. Returns k. */
static size_t ols_columns(const mkba_cohort *c, const mkba_est_spec *spec, const uint8_t *ok,
                          const double **x, double **owned)
{
    size_t n = mkba_cohort_size(c), k = 0;
    for (size_t v = 0; v < spec->n_cov; v++) {
        size_t col = spec->cov[v];
        const double *xv = mkba_cohort_column(c, col);
        if (mkba_cohort_var_type(c, col) != MKBA_VAR_CATEGORY) {
            x[k++] = xv;
            continue;
        }
        size_t L = mkba_cohort_levels(c, col, NULL), n_present = 0;
        uint8_t *present = mkba_xcalloc(L ? L : 1, 1);
        for (size_t i = 0; i < n; i++)
            if (ok[i] && xv[i] >= 0 && xv[i] < (double)L)
                present[(size_t)xv[i]] = 1;
        for (size_t l = 0; l < L; l++) {
            if (!present[l] || n_present++ == 0) /* the first present level is the base */
                continue;
            double *dummy = mkba_xreallocarray(NULL, n ? n : 1, sizeof *dummy);
            for (size_t i = 0; i < n; i++)
                dummy[i] = isnan(xv[i]) ? NAN : (double)(xv[i] == (double)l);
            x[k] = dummy;
            owned[k++] = dummy;
        }
        free(present);
    }
    return k;
}

/* Prepare OLS effect 'spec' (the rows, their centred values). */
static void plan_ols(const mkba_cohort *c, const strata *s, const mkba_est_spec *spec,
                     ols_eff *o)
{
    size_t n = s->n, cap = 0;
    const double *y = mkba_cohort_column(c, spec->outcome);
    const double *pre = spec->pre >= 0 ? mkba_cohort_column(c, (size_t)spec->pre) : NULL;
    for (size_t v = 0; v < spec->n_cov; v++)
        cap += mkba_cohort_var_type(c, spec->cov[v]) == MKBA_VAR_CATEGORY
                   ? mkba_cohort_levels(c, spec->cov[v], NULL)
                   : 1;
    const double **x = mkba_xcalloc(cap ? cap : 1, sizeof *x);
    double **owned = mkba_xcalloc(cap ? cap : 1, sizeof *owned);
    uint8_t *ok = mkba_xmalloc(n ? n : 1); /* 1: the person has every value */
    for (size_t i = 0; i < n; i++)
        ok[i] = !isnan(y[i]) && !(pre && isnan(pre[i]));
    for (size_t v = 0; v < spec->n_cov; v++) {
        const double *xv = mkba_cohort_column(c, spec->cov[v]);
        for (size_t i = 0; i < n; i++)
            ok[i] &= !isnan(xv[i]);
    }
    size_t k = ols_columns(c, spec, ok, x, owned), w = k + 1;
    o->k = k;
    o->m = 0;
    for (size_t i = 0; i < n; i++)
        o->m += ok[i];
    o->pos = mkba_xreallocarray(NULL, o->m ? o->m : 1, sizeof *o->pos);
    o->z = mkba_xreallocarray(NULL, o->m ? o->m : 1, w * sizeof *o->z);
    o->mu = mkba_xcalloc(w, sizeof *o->mu);
    size_t r = 0;
    for (size_t q = 0; q < n; q++) {
        size_t i = s->row[q];
        if (!ok[i])
            continue;
        o->split += q < s->start[MKBA_CONTROL];
        o->pos[r] = (uint32_t)q;
        double *zr = o->z + r++ * w;
        for (size_t j = 0; j < k; j++)
            zr[j] = x[j][i];
        zr[k] = pre ? y[i] - pre[i] : y[i];
        for (size_t j = 0; j < w; j++)
            o->mu[j] += zr[j];
    }
    for (size_t j = 0; j < w && o->m; j++)
        o->mu[j] /= (double)o->m;
    for (size_t q = 0; q < o->m; q++)
        for (size_t j = 0; j < w; j++)
            o->z[q * w + j] -= o->mu[j];
    for (size_t j = 0; j < k; j++)
        free(owned[j]);
    free(owned);
    free(x);
    free(ok);
}

/* A design column whose distance from the span of the intercept, the pilot
 * dummy and the covariates before it is at most this fraction of its norm
 * counts as collinear: estimate.c's test on the QR's R_jj (R's lm() uses
 * the same 1e-7). Here R_jj^2 is the Cholesky pivot of the within-group
 * cross-products (Frisch-Waugh), compared with tol^2 times the column's
 * weighted sum of squares, so a replicate is singular exactly where
 * mkba_est_ols calls it singular, to rounding. */
#define OLS_CHUNK 1024 /* rows summed apart before joining the group's sums */
#define OLS_WMAX 16    /* widths (covariates + 1) with code of their own, see ols_rows */

/* One thread's sums of one replicate of one OLS effect, for width
 * w = k + 1 columns (k covariates, then the outcome). */
typedef struct ols_ws {
    size_t cap_w;          /* the widest effect's w */
    double *tot[2];        /* [len] per group code: sum c, sum c z [w], sum c z z' [w * w]
                              (lower triangle) */
    double *chunk;         /* [len] the same over one chunk of rows */
    double *lo, *hi;       /* [w] the least and largest covariate values drawn */
    double *C;             /* [w * w] the within-group cross-products, then their factor */
    double *rhs;           /* [w] */
    uint32_t *idx;         /* [OLS_CHUNK + 3] the rows of a chunk with a count */
    double *cnt;           /* [OLS_CHUNK + 3] their counts */
} ols_ws;

static size_t ols_len(size_t w)
{
    return 1 + w + w * w;
}

static void ols_ws_init(ols_ws *ws, size_t cap_w)
{
    ws->cap_w = cap_w;
    size_t len = ols_len(cap_w);
    ws->tot[0] = mkba_xcalloc_own(len, sizeof(double));
    ws->tot[1] = mkba_xcalloc_own(len, sizeof(double));
    ws->chunk = mkba_xcalloc_own(len, sizeof(double));
    ws->lo = mkba_xcalloc_own(cap_w, sizeof(double));
    ws->hi = mkba_xcalloc_own(cap_w, sizeof(double));
    ws->C = mkba_xcalloc_own(cap_w * cap_w, sizeof(double));
    ws->rhs = mkba_xcalloc_own(cap_w, sizeof(double));
    ws->idx = mkba_xcalloc_own(OLS_CHUNK + 3, sizeof *ws->idx);
    ws->cnt = mkba_xcalloc_own(OLS_CHUNK + 3, sizeof *ws->cnt);
}

static void ols_ws_free(ols_ws *ws)
{
    free(ws->tot[0]);
    free(ws->tot[1]);
    free(ws->chunk);
    free(ws->lo);
    free(ws->hi);
    free(ws->C);
    free(ws->rhs);
    free(ws->idx);
    free(ws->cnt);
}

/* Add count c times row x (w values) to the sums s. */
static inline void ols_add(double *s, const double *x, size_t w, double c)
{
    s[0] += c;
    for (size_t i = 0; i < w; i++) {
        double cx = c * x[i];
        s[1 + i] += cx;
        for (size_t j = 0; j <= i; j++)
            s[1 + w + i * w + j] += cx * x[j];
    }
}

/* Add rows x[0..3] with counts c[0..3] to the sums s: the four rows'
 * products are added together first, so the sums are read and written
 * once per four rows (those loads and stores, not the products, bound
 * the speed of ols_add). */
static inline __attribute__((always_inline)) void ols_add4(double *s, const double *const x[4], const double c[4], size_t w)
{
    s[0] += (c[0] + c[1]) + (c[2] + c[3]);
    for (size_t i = 0; i < w; i++) {
        double u0 = c[0] * x[0][i], u1 = c[1] * x[1][i], u2 = c[2] * x[2][i],
               u3 = c[3] * x[3][i];
        s[1 + i] += (u0 + u1) + (u2 + u3);
        for (size_t j = 0; j <= i; j++)
            s[1 + w + i * w + j] += (u0 * x[0][j] + u1 * x[1][j]) + (u2 * x[2][j] + u3 * x[3][j]);
    }
}

/* The rows [from, to) with a count added to tot, a chunk at a time (the
 * sums of a chunk are short, and so are the sums of the chunks: rounding
 * grows with the length of a chain of additions). The rows of a chunk
 * with a count are listed first (ws->idx, ws->cnt), padded to a multiple
 * of 4 with count 0, and added four at a time. *nz counts the rows with a
 * count; lo and hi take their covariates' extremes. Inlined with a
 * constant w (see ols_rows), so the loops unroll. */
static inline __attribute__((always_inline)) void ols_rows_w(const ols_eff *o, const uint8_t *cnt, size_t from, size_t to,
                              size_t w, double *tot, ols_ws *ws, size_t *nz)
{
    size_t len = ols_len(w), n_nz = *nz;
    double *ch = ws->chunk, *cw = ws->cnt, lo[OLS_WMAX], hi[OLS_WMAX];
    uint32_t *idx = ws->idx;
    memcpy(lo, ws->lo, (w - 1) * sizeof *lo); /* locals: registers, not memory */
    memcpy(hi, ws->hi, (w - 1) * sizeof *hi);
    for (size_t a = from; a < to; a += OLS_CHUNK) {
        size_t b = to - a < OLS_CHUNK ? to : a + OLS_CHUNK, nr = 0;
        for (size_t r = a; r < b; r++) { /* no branch: a third of the counts are 0 */
            unsigned c = cnt[o->pos[r]];
            idx[nr] = (uint32_t)(r - a);
            cw[nr] = c;
            nr += c != 0;
        }
        n_nz += nr;
        for (; nr % 4; nr++) { /* the last row again with count 0: adds (signed) zeros */
            idx[nr] = idx[nr - 1];
            cw[nr] = 0;
        }
        memset(ch, 0, len * sizeof *ch);
        const double *base = o->z + a * w;
        for (size_t t = 0; t < nr; t += 4) {
            const double *x[4] = {base + idx[t] * w, base + idx[t + 1] * w,
                                  base + idx[t + 2] * w, base + idx[t + 3] * w};
            ols_add4(ch, x, cw + t, w);
            for (int u = 0; u < 4; u++)
                for (size_t j = 0; j + 1 < w; j++) {
                    lo[j] = x[u][j] < lo[j] ? x[u][j] : lo[j];
                    hi[j] = x[u][j] > hi[j] ? x[u][j] : hi[j];
                }
        }
        for (size_t e = 0; e < len; e++)
            tot[e] += ch[e];
    }
    memcpy(ws->lo, lo, (w - 1) * sizeof *lo);
    memcpy(ws->hi, hi, (w - 1) * sizeof *hi);
    *nz = n_nz;
}

/* ols_rows_w for any width (more than OLS_WMAX columns): row by row. */
static void ols_rows_any(const ols_eff *o, const uint8_t *cnt, size_t from, size_t to,
                         double *tot, ols_ws *ws, size_t *nz)
{
    size_t w = o->k + 1, len = ols_len(w);
    for (size_t a = from; a < to; a += OLS_CHUNK) {
        size_t b = to - a < OLS_CHUNK ? to : a + OLS_CHUNK;
        memset(ws->chunk, 0, len * sizeof *ws->chunk);
        for (size_t r = a; r < b; r++) {
            unsigned c = cnt[o->pos[r]];
            if (!c)
                continue;
            const double *x = o->z + r * w;
            ++*nz;
            ols_add(ws->chunk, x, w, c);
            for (size_t j = 0; j + 1 < w; j++) {
                ws->lo[j] = x[j] < ws->lo[j] ? x[j] : ws->lo[j];
                ws->hi[j] = x[j] > ws->hi[j] ? x[j] : ws->hi[j];
            }
        }
        for (size_t e = 0; e < len; e++)
            tot[e] += ws->chunk[e];
    }
}

/* ols_rows_w for the width of effect o. */
static void ols_rows(const ols_eff *o, const uint8_t *cnt, size_t from, size_t to,
                     double *tot, ols_ws *ws, size_t *nz)
{
    switch (o->k + 1) {
#define OLS_W(W)                                                                                 \
    case W:                                                                                      \
        ols_rows_w(o, cnt, from, to, W, tot, ws, nz);                                            \
        break;
        OLS_W(2) OLS_W(3) OLS_W(4) OLS_W(5) OLS_W(6) OLS_W(7) OLS_W(8) OLS_W(9) OLS_W(10)
        OLS_W(11) OLS_W(12) OLS_W(13) OLS_W(14) OLS_W(15) OLS_W(16)
#undef OLS_W
    default: /* wider: the same code, the width not known to the compiler */
        ols_rows_any(o, cnt, from, to, tot, ws, nz);
        break;
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The multiples of 256 of the counts (see struct rcounts). */
static void ols_carries(const ols_eff *o, const rcounts *k, ols_ws *ws, size_t *nz)
{
    size_t w = o->k + 1;
    for (size_t e = 0; e < k->n_carry; e++) {
        const uint32_t *at = bsearch(&k->carry[e].pos, o->pos, o->m, sizeof *o->pos, cmp_u32);
        if (!at)
            continue; /* a person without every value */
        size_t r = (size_t)(at - o->pos);
        const double *x = o->z + r * w;
        if (!k->lo[k->carry[e].pos]) { /* not yet seen by ols_rows */
            ++*nz;
            for (size_t j = 0; j + 1 < w; j++) {
                ws->lo[j] = x[j] < ws->lo[j] ? x[j] : ws->lo[j];
                ws->hi[j] = x[j] > ws->hi[j] ? x[j] : ws->hi[j];
            }
        }
        ols_add(ws->tot[r < o->split ? MKBA_PILOT : MKBA_CONTROL], x, w, 256.0 * k->carry[e].hi);
    }
}

/* Solve L L' x = b in place (L: the lower triangle of the k x k row-major A). */
static void chol_solve(const double *A, size_t k, double *b)
{
    for (size_t i = 0; i < k; i++) {
        for (size_t j = 0; j < i; j++)
            b[i] -= A[i * k + j] * b[j];
        b[i] /= A[i * k + i];
    }
    for (size_t i = k; i-- > 0;) {
        for (size_t j = i + 1; j < k; j++)
            b[i] -= A[j * k + i] * b[j];
        b[i] /= A[i * k + i];
    }
}

/* The pilot coefficient from the group sums in ws (Frisch-Waugh: the
 * covariates' coefficients gamma from the within-group cross-products,
 * then the difference of the group means of y less that of the
 * covariates times gamma). NaN where mkba_est_ols fails: a group with a
 * weight below 2, fewer rows drawn than parameters, a covariate constant
 * among them or collinear, a result that is not finite. */
static double ols_solve(const ols_eff *o, ols_ws *ws, size_t nz)
{
    size_t k = o->k, w = k + 1, p = k + 2;
    const double *t[2] = {ws->tot[0], ws->tot[1]};
    double W[2] = {t[0][0], t[1][0]};
    if (!(W[0] >= 2 && W[1] >= 2) || nz < p || !(W[0] + W[1] > (double)p))
        return NAN;
    for (size_t j = 0; j < k; j++)
        if (!(ws->lo[j] < ws->hi[j])) /* exactly: no rounding decides this one */
            return NAN;
    double *C = ws->C, *rhs = ws->rhs, *norm = ws->lo, *s = ws->hi; /* lo, hi are done */
    for (size_t i = 0; i < w; i++) {
        double *row = i < k ? C + i * k : rhs; /* row k: the outcome's */
        for (size_t j = 0; j <= i && j < k; j++) {
            row[j] = 0;
            for (int g = 0; g < 2; g++)
                row[j] += t[g][1 + w + i * w + j] - t[g][1 + i] * t[g][1 + j] / W[g];
        }
    }
    for (size_t j = 0; j < k; j++) {
        norm[j] = C[j * k + j];
        for (int g = 0; g < 2; g++) {
            double mean = t[g][1 + j] / W[g] + o->mu[j];
            norm[j] += W[g] * mean * mean;
        }
    }
    if (mkba_est_collinear(C, k, 0, norm, s) < k) /* the within-group cross-products */
        return NAN;
    for (size_t j = 0; j < k; j++)
        rhs[j] *= s[j];
    chol_solve(C, k, rhs);
    double est = t[1][1 + k] / W[1] - t[0][1 + k] / W[0];
    for (size_t j = 0; j < k; j++)
        est -= (t[1][1 + j] / W[1] - t[0][1 + j] / W[0]) * rhs[j] * s[j];
    return isfinite(est) ? est : NAN;
}

/* The estimate of OLS effect o on counts k: one pass over its rows. */
static double ols_replicate(const ols_eff *o, const rcounts *k, ols_ws *ws)
{
    size_t w = o->k + 1, nz = 0;
    memset(ws->tot[0], 0, ols_len(w) * sizeof(double));
    memset(ws->tot[1], 0, ols_len(w) * sizeof(double));
    for (size_t j = 0; j < o->k; j++) {
        ws->lo[j] = INFINITY;
        ws->hi[j] = -INFINITY;
    }
    ols_rows(o, k->lo, 0, o->split, ws->tot[MKBA_PILOT], ws, &nz);
    ols_rows(o, k->lo, o->split, o->m, ws->tot[MKBA_CONTROL], ws, &nz);
    ols_carries(o, k, ws, &nz);
    return ols_solve(o, ws, nz);
}

/* ============================ the prepared plan ========================== */

/* Everything a replicate reads; shared read-only by the threads. */
typedef struct plan {
    strata s;              /* positions of the groups */
    const uint8_t *g;      /* cohort groups (borrowed) */
    size_t n_specs;
    size_t n_fast;         /* DIFF and DID effects */
    size_t *fast;          /* [n_fast] their spec index */
    double *val;           /* [n_blk][n * BLK]: block b holds [n][width] values (y or
                              y - pre) by position, 0 where missing, then zeros */
    double as_double[256]; /* [c] = c: a count byte's value (a load, not a conversion) */
    uint32_t **miss;       /* [n_fast * 2] positions of missing values, per group code */
    size_t *n_miss;        /* [n_fast * 2] how many */
    size_t n_ols;
    ols_eff *ols;          /* [n_ols] */
    mkba_ps_plan *ps;      /* the IPW and DR effects, or NULL */
} plan;

/* Effects in block b: BLK, fewer in the last one. */
static size_t block_width(const plan *p, size_t b)
{
    size_t left = p->n_fast - b * BLK;
    return left < BLK ? left : BLK;
}

static void plan_free(plan *p)
{
    free(p->s.row);
    free(p->fast);
    free(p->val);
    for (size_t e = 0; e < 2 * p->n_fast && p->miss; e++)
        free(p->miss[e]);
    free(p->miss);
    free(p->n_miss);
    for (size_t e = 0; e < p->n_ols; e++)
        ols_eff_free(&p->ols[e]);
    free(p->ols);
    mkba_ps_plan_free(p->ps);
    memset(p, 0, sizeof *p);
}

/* The setup of a call, run as tasks of the thread runner (stream.h)
 * before the replicates, so that it takes the threads' time, not one
 * thread's: first the check of every DIFF, DID and OLS effect on the full
 * cohort (mkba_estimate: the longest tasks first, so the short ones even
 * out the threads at the end), then the rows of each OLS effect
 * (plan_ols), then the DIFF/DID values, FAST_CHUNK persons of one effect
 * a task (fast_chunk). No task reads what another writes, so the plan is
 * the same on any number of threads. */
#define FAST_CHUNK 8192
typedef struct setup {
    const mkba_cohort *c;
    const mkba_est_spec *specs;
    plan *p;
    long *pre;             /* [n_specs] each fast effect's pre column (-1: DIFF) */
    size_t n_check;        /* tasks [0, n_check): the checks */
    size_t *check;         /* [n_specs] their spec indices */
    mkba_status *st;       /* [n_specs] each effect's status (a failed check) */
    mkba_error *errs;      /* [n_specs] and its error */
    size_t n_chunk;        /* chunks of persons (cohort rows) */
    size_t *at;            /* [n_chunk * 2] position of chunk k's first person of
                              group g (index k * 2 + g) */
    uint32_t *missing;     /* [n_fast * n] fast effect e's missing positions of chunk k
                              and group g from missing[e * n + at[k * 2 + g]] on */
    size_t *n_missing;     /* [(e * n_chunk + k) * 2 + g] how many */
} setup;

/* The first positions of each chunk's persons of each group: the pilot
 * persons before a chunk count those before its own positions (the group
 * codes are 0 and 1: their sum counts the pilot). */
static void chunk_positions(setup *su)
{
    const plan *p = su->p;
    size_t n = p->s.n, pilot = 0;
    su->at = mkba_xcalloc(2 * (su->n_chunk ? su->n_chunk : 1), sizeof *su->at);
    for (size_t k = 0; k < su->n_chunk; k++) {
        size_t a = k * FAST_CHUNK, len = n - a < FAST_CHUNK ? n - a : FAST_CHUNK;
        su->at[2 * k + MKBA_PILOT] = p->s.start[MKBA_PILOT] + pilot;
        su->at[2 * k + MKBA_CONTROL] = p->s.start[MKBA_CONTROL] + (a - pilot);
        pilot += byte_sum(p->g + a, len);
    }
}

/* The values of fast effect e for the persons of chunk k (cohort rows
 * k * FAST_CHUNK .., fewer in the last): y or y - pre by position, 0 where
 * missing, and the positions of the missing ones listed; the values and
 * the lists of a pass over the whole cohort. */
static void fast_chunk(setup *su, size_t e, size_t k)
{
    plan *p = su->p;
    size_t n = p->s.n, a = k * FAST_CHUNK, b = n - a < FAST_CHUNK ? n : a + FAST_CHUNK;
    const double *y = mkba_cohort_column(su->c, su->specs[p->fast[e]].outcome);
    const double *x0 = su->pre[e] >= 0 ? mkba_cohort_column(su->c, (size_t)su->pre[e]) : NULL;
    size_t width = block_width(p, e / BLK);
    double *v = p->val + (e / BLK) * n * BLK + e % BLK;
    uint32_t *missing = su->missing + e * n;
    /* the next position and the next list entry of each group, kept in
     * variables (an array indexed by the group would chain every step to
     * the one before through memory); no branch on the group or on a
     * missing value: both are scattered */
    size_t q0 = su->at[2 * k], q1 = su->at[2 * k + 1], m0 = q0, m1 = q1;
    for (size_t i = a; i < b; i++) {
        size_t g = p->g[i], q = g ? q1 : q0;
        q0 += !g;
        q1 += g;
        /* NaN when y or pre is missing (the values are finite or NaN);
         * a missing value stays 0 here and is listed */
        double d = x0 ? y[i] - x0[i] : y[i];
        size_t nan = isnan(d) != 0;
        v[q * width] = nan ? 0 : d;
        missing[g ? m1 : m0] = (uint32_t)q;
        m0 += nan & !g;
        m1 += nan & g;
    }
    size_t *nm = su->n_missing + (e * su->n_chunk + k) * 2;
    nm[0] = m0 - su->at[2 * k];
    nm[1] = m1 - su->at[2 * k + 1];
}

static void setup_task(void *ctx, size_t task, size_t thread)
{
    (void)thread;
    setup *su = ctx;
    plan *p = su->p;
    if (task < su->n_check) {
        size_t j = su->check[task];
        mkba_effect e;
        su->st[j] = mkba_estimate(su->c, &su->specs[j], &e, &su->errs[j]);
    } else if ((task -= su->n_check) < p->n_ols) {
        plan_ols(su->c, &p->s, &su->specs[p->ols[task].spec], &p->ols[task]);
    } else {
        task -= p->n_ols;
        fast_chunk(su, task / su->n_chunk, task % su->n_chunk);
    }
}

/* The missing-value lists of the fast effects from their chunks', and the
 * values the sweep reads past the last position of a block that is not
 * full (see sweep_nl) set to 0. */
static void fast_lists(setup *su)
{
    plan *p = su->p;
    size_t n = p->s.n;
    p->miss = mkba_xcalloc(2 * p->n_fast, sizeof *p->miss);
    p->n_miss = mkba_xcalloc(2 * p->n_fast, sizeof *p->n_miss);
    for (size_t e = 0; e < p->n_fast; e++)
        for (int g = 0; g < 2; g++) {
            const size_t *nm = su->n_missing + e * su->n_chunk * 2;
            size_t total = 0;
            for (size_t k = 0; k < su->n_chunk; k++)
                total += nm[2 * k + g];
            uint32_t *list = mkba_xcalloc(total + 1, sizeof *list);
            p->miss[2 * e + g] = list;
            p->n_miss[2 * e + g] = total;
            for (size_t k = 0; k < su->n_chunk; k++) {
                memcpy(list, su->missing + e * n + su->at[2 * k + g],
                       nm[2 * k + g] * sizeof *list);
                list += nm[2 * k + g];
            }
        }
    if (p->n_fast && n) {
        size_t last = (p->n_fast - 1) / BLK, width = block_width(p, last);
        memset(p->val + last * n * BLK + n * width, 0, (BLK - width) * sizeof *p->val);
    }
}

static mkba_status check_args(const mkba_cohort *c, const mkba_est_spec *specs,
                              size_t n_specs, mkba_error *err)
{
    if (!c)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL, "the bootstrap needs a cohort");
    if (n_specs == 0)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "the bootstrap needs at least one effect (n_specs is 0)");
    if (!specs)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "the bootstrap needs the effects (specs is NULL)");
    return MKBA_OK;
}

/* Whether spec is estimated by IPW or DR (on the propensity model). */
static int is_ps(const mkba_est_spec *spec)
{
    return spec->method == MKBA_EST_IPW || spec->method == MKBA_EST_DR;
}

/* Sort the effects into DIFF/DID (fast) and OLS ones by their method
 * (mkba_est_resolve: the method mkba_estimate uses; an effect it rejects
 * gets its error in su->st, su->errs, which is mkba_estimate's). Returns
 * the index of the first such effect, n_specs when none. */
static size_t plan_sort(setup *su, size_t n_specs)
{
    plan *p = su->p;
    size_t first_bad = n_specs;
    for (size_t j = 0; j < n_specs; j++) {
        mkba_est_method m;
        if (is_ps(&su->specs[j]))
            continue;
        if ((su->st[j] = mkba_est_resolve(su->c, &su->specs[j], &m, &su->errs[j]))) {
            first_bad = first_bad < j ? first_bad : j;
            continue;
        }
        su->check[su->n_check++] = j;
        if (m == MKBA_EST_OLS) {
            p->ols[p->n_ols++].spec = j;
        } else {
            su->pre[p->n_fast] = m == MKBA_EST_DID ? su->specs[j].pre : -1;
            p->fast[p->n_fast++] = j;
        }
    }
    return first_bad;
}

/* Run the setup's tasks on up to nt threads. */
static void setup_run(setup *su, size_t nt)
{
    plan *p = su->p;
    size_t n = p->s.n, n_blk = (p->n_fast + BLK - 1) / BLK;
    su->n_chunk = (n + FAST_CHUNK - 1) / FAST_CHUNK;
    chunk_positions(su);
    p->val = mkba_xmalloc_large(n_blk * (n ? n : 1), BLK * sizeof *p->val);
    su->missing = mkba_xmalloc_large(p->n_fast * (n ? n : 1), sizeof *su->missing);
    su->n_missing = mkba_xcalloc(2 * p->n_fast * (su->n_chunk ? su->n_chunk : 1),
                                 sizeof *su->n_missing);
    size_t n_tasks = su->n_check + p->n_ols + p->n_fast * su->n_chunk;
    mkba_stream_parallel(n_tasks, (int)nt, setup_task, su);
    fast_lists(su);
    free(su->at);
    free(su->missing);
    free(su->n_missing);
}

/* Check every effect on the full cohort (its error is the caller's error:
 * the first effect, in order, that mkba_estimate fails) and prepare the
 * plan, on up to nt threads. The IPW and DR effects are checked together
 * (mkba_ps_plan_new: one fit of their propensity model for all, no
 * standard errors), at the first of them; the others in the setup's
 * tasks, all of them (only the first failure in order is reported). */
static mkba_status plan_init(const mkba_cohort *c, const mkba_est_spec *specs,
                             size_t n_specs, size_t nt, plan *p, mkba_error *err)
{
    memset(p, 0, sizeof *p);
    mkba_status st = check_args(c, specs, n_specs, err);
    if (st || (st = strata_init(c, &p->s, err)))
        return st;
    p->g = mkba_cohort_group(c);
    p->n_specs = n_specs;
    for (int k = 0; k < 256; k++)
        p->as_double[k] = k;
    p->fast = mkba_xcalloc(n_specs, sizeof *p->fast);
    p->ols = mkba_xcalloc(n_specs, sizeof *p->ols);
    setup su = {.c = c, .specs = specs, .p = p,
                .pre = mkba_xcalloc(n_specs, sizeof *su.pre),
                .check = mkba_xcalloc(n_specs, sizeof *su.check),
                .st = mkba_xcalloc(n_specs, sizeof *su.st),
                .errs = mkba_xcalloc(n_specs, sizeof *su.errs)};
    size_t first_bad = plan_sort(&su, n_specs), ps_failed = SIZE_MAX;
    mkba_error ps_err;
    mkba_error_clear(&ps_err);
    for (size_t j = 0; j < first_bad; j++)
        if (is_ps(&specs[j])) { /* none when an effect before them is wrong */
            p->ps = mkba_ps_plan_new(c, specs, n_specs, (int)nt, &ps_failed, &ps_err);
            break;
        }
    setup_run(&su, nt);
    for (size_t j = 0; j < n_specs && !st; j++) {
        const mkba_error *e = NULL;
        if (j == ps_failed) {
            st = ps_err.code ? ps_err.code : MKBA_EINVAL;
            e = &ps_err;
        } else if ((st = su.st[j])) {
            e = &su.errs[j];
        }
        if (e && err)
            *err = *e;
    }
    free(su.pre);
    free(su.check);
    free(su.st);
    free(su.errs);
    if (st)
        plan_free(p);
    return st;
}

/* ============================== a replicate ============================== */

/* One thread's scratch space, allocated before its replicate loop. */
typedef struct scratch {
    gsl_rng *rng;          /* the thread's generator, set per replicate */
    size_t nk;             /* replicates a task holds (k[0 .. nk - 1] are made) */
    uint8_t *lo;           /* [nk][n, rounded up to a cache line] k[l].lo */
    rcounts k[LANES];      /* the counts of the replicates in hand */
    double *w;             /* [n] counts by cohort row, as weights (IPW, DR only) */
    ols_ws ols;            /* OLS sums (OLS only) */
    mkba_ps_ws *psws;      /* IPW / DR workspace (those only) */
} scratch;

/* Counts for nk <= LANES replicates, with room for 'cap' carries each
 * (n / 256 + 1 suffices for drawn counts); their bytes in one array (huge
 * pages: a page fault per 2 MiB when first drawn, and the random
 * increments of a replicate's draws stay within a page or two). */
static void scratch_init(const plan *p, size_t nk, size_t cap, scratch *sc)
{
    size_t stride = (p->s.n + 63) / 64 * 64;
    sc->rng = mkba_rng_alloc();
    sc->nk = nk;
    sc->lo = mkba_xmalloc_large(nk, stride ? stride : 1);
    for (size_t l = 0; l < nk; l++)
        counts_init(&sc->k[l], sc->lo + l * stride, cap);
    sc->w = p->ps ? mkba_xmalloc_large(p->s.n ? p->s.n : 1, sizeof *sc->w) : NULL;
    size_t cap_w = 1;
    for (size_t e = 0; e < p->n_ols; e++)
        cap_w = p->ols[e].k + 1 > cap_w ? p->ols[e].k + 1 : cap_w;
    ols_ws_init(&sc->ols, cap_w);
    sc->psws = p->ps ? mkba_ps_ws_alloc(p->ps) : NULL;
}

static void scratch_free(scratch *sc)
{
    gsl_rng_free(sc->rng);
    for (size_t l = 0; l < sc->nk; l++)
        counts_free(&sc->k[l]);
    free(sc->lo);
    free(sc->w);
    ols_ws_free(&sc->ols);
    mkba_ps_ws_free(sc->psws);
}

/* The values of a block as a vector: BLK values from a position on. */
typedef double blk_vec __attribute__((vector_size(BLK * sizeof(double))));

/* S[l][e] = the sum over positions from .. to - 1 of count[l][q] *
 * v[q * width + e], for nl (a constant where inlined) replicates and e <
 * width: each sum in position order, as mkba_est_diff sums (a count of 0
 * adds a zero, which changes no sum), the effects of a replicate side by
 * side in one vector. The vector holds BLK values whatever the width:
 * past it, the next positions' values, summed and never used (the block
 * has room for them). The values are read once for all nl replicates. */
static inline __attribute__((always_inline)) void sweep_nl(const double *v, size_t width,
                                                           const uint8_t *const *count,
                                                           const double *as_double, size_t from,
                                                           size_t to, size_t nl,
                                                           double (*S)[BLK])
{
    blk_vec acc[LANES];
    for (size_t l = 0; l < nl; l++)
        acc[l] = (blk_vec){0};
    for (size_t q = from; q < to; q++) {
        blk_vec x;
        memcpy(&x, v + q * width, sizeof x);
        /* the values stream from memory: asked for 8 KiB ahead, the loop
         * no longer waits for them (it ran at half the speed) */
        __builtin_prefetch(v + (q + SWEEP_AHEAD) * width);
        for (size_t l = 0; l < nl; l++)
            acc[l] += as_double[count[l][q]] * x;
    }
    for (size_t l = 0; l < nl; l++)
        memcpy(S[l], &acc[l], sizeof acc[l]);
}

/* sweep_nl for any nl from 1 to LANES (8), the number of replicates a
 * constant, compiled with attributes ATTR: the values are read once for
 * the replicates of a task, however many it holds. */
#define SWEEP_CASE(NL)                                                                           \
    case NL:                                                                                     \
        sweep_nl(v, width, count, as_double, from, to, NL, S);                                   \
        break;
#define SWEEP_FN(NAME, ATTR)                                                                     \
    ATTR static void NAME(const double *v, size_t width, const uint8_t *const *count,           \
                          const double *as_double, size_t from, size_t to, size_t nl,            \
                          double (*S)[BLK])                                                      \
    {                                                                                            \
        switch (nl) {                                                                            \
            SWEEP_CASE(8) SWEEP_CASE(7) SWEEP_CASE(6) SWEEP_CASE(5) SWEEP_CASE(4)                \
            SWEEP_CASE(3) SWEEP_CASE(2)                                                          \
        default:                                                                                 \
            sweep_nl(v, width, count, as_double, from, to, 1, S);                                \
            break;                                                                               \
        }                                                                                        \
    }
SWEEP_FN(sweep_portable, )
#if BOOT_AVX2
SWEEP_FN(sweep_avx2, __attribute__((target("avx2"))))
#endif

/* The sums S[l][g][e] of block b for the nl replicates in k: one pass over
 * the values per group. */
static void sweep(const plan *p, size_t b, const rcounts *k, size_t nl,
                  double S[LANES][2][BLK])
{
    const double *v = p->val + b * p->s.n * BLK;
    size_t width = block_width(p, b);
    const uint8_t *count[LANES];
    double sums[LANES][BLK];
    for (size_t l = 0; l < nl; l++)
        count[l] = k[l].lo;
    for (int g = 0; g < 2; g++) {
        size_t from = p->s.start[g], to = from + p->s.len[g];
#if BOOT_AVX2
        if (p->s.vector)
            sweep_avx2(v, width, count, p->as_double, from, to, nl, sums);
        else
#endif
            sweep_portable(v, width, count, p->as_double, from, to, nl, sums);
        for (size_t l = 0; l < nl; l++)
            memcpy(S[l][g], sums[l], sizeof sums[l]);
    }
}

/* Weight with a value of fast effect e in group g: the group's total less
 * the counts of the persons without one (all exact integers). */
static double weight_with_value(const plan *p, const rcounts *k, size_t e, int g)
{
    const uint32_t *miss = p->miss[2 * e + g];
    size_t n_miss = p->n_miss[2 * e + g];
    double W = k->total[g];
    for (size_t m = 0; m < n_miss; m++)
        W -= k->lo[miss[m]];
    for (size_t c = 0; c < k->n_carry; c++) /* the list is sorted */
        if (bsearch(&k->carry[c].pos, miss, n_miss, sizeof *miss, cmp_u32))
            W -= 256.0 * k->carry[c].hi;
    return W;
}

/* The DIFF/DID estimates of block b from the sums S of counts k into
 * est; returns how many failed (NaN). */
static size_t fast_block(const plan *p, size_t b, const rcounts *k, double S[2][BLK],
                         double *est)
{
    size_t width = block_width(p, b), failed = 0;
    const double *v = p->val + b * p->s.n * BLK;
    for (size_t c = 0; c < k->n_carry; c++) { /* the multiples of 256 */
        size_t q = k->carry[c].pos;
        int g = q >= p->s.start[MKBA_CONTROL] ? MKBA_CONTROL : MKBA_PILOT;
        for (size_t slot = 0; slot < width; slot++)
            S[g][slot] += 256.0 * k->carry[c].hi * v[q * width + slot];
    }
    for (size_t e = b * BLK; e < p->n_fast && e < (b + 1) * BLK; e++) {
        double mean[2];
        int ok = 1;
        for (int g = 0; g < 2; g++) {
            double W = weight_with_value(p, k, e, g);
            ok &= W >= 2;
            mean[g] = S[g][e % BLK] / W;
        }
        double d = mean[MKBA_PILOT] - mean[MKBA_CONTROL];
        ok &= isfinite(d) != 0;
        est[p->fast[e]] = ok ? d : NAN;
        failed += !ok;
    }
    return failed;
}

/* Estimates of the DIFF/DID effects of the nl replicates in k (replicate
 * l's in est + l * n_specs); returns how many failed (NaN). */
static size_t replicate_fast(const plan *p, const rcounts *k, size_t nl, double *est)
{
    size_t failed = 0;
    for (size_t b = 0; b * BLK < p->n_fast; b++) {
        double S[LANES][2][BLK];
        sweep(p, b, k, nl, S);
        for (size_t l = 0; l < nl; l++)
            failed += fast_block(p, b, &k[l], S[l], est + l * p->n_specs);
    }
    return failed;
}

/* Estimates of the OLS effects on counts k; returns how many failed
 * (NaN). */
static size_t replicate_ols(const plan *p, const rcounts *k, scratch *sc, double *est)
{
    size_t failed = 0;
    for (size_t e = 0; e < p->n_ols; e++) {
        double b = ols_replicate(&p->ols[e], k, &sc->ols);
        est[p->ols[e].spec] = b;
        failed += isnan(b) != 0;
    }
    return failed;
}

/* All effects on the counts of the nl replicates in sc->k (replicate l's
 * estimates in est + l * n_specs); returns how many failed. */
static size_t replicate(const plan *p, scratch *sc, size_t nl, double *est)
{
    size_t failed = replicate_fast(p, sc->k, nl, est);
    for (size_t l = 0; l < nl; l++) {
        double *el = est + l * p->n_specs;
        if (p->n_ols)
            failed += replicate_ols(p, &sc->k[l], sc, el);
        if (p->ps) { /* the propensity model refitted, then every IPW / DR effect */
            counts_to_weights(&p->s, &sc->k[l], sc->w);
            failed += mkba_ps_replicate(p->ps, sc->psws, sc->w, el);
        }
    }
    return failed;
}

/* ================================ threads ================================ */

/* One thread's part of a run. The pad keeps the next thread's part off
 * the cache lines this thread writes (its counts, its failures). */
typedef struct boot_thread {
    scratch sc;
    int made;              /* 1 once sc is made */
    size_t failed;         /* NaN entries the thread wrote */
    char pad[MKBA_LINE_PAD];
} boot_thread;

/* The replicates of a call as tasks of the thread runner (stream.h,
 * mkba_stream_parallel): n_tasks tasks of nearly equal size (see
 * task_range), whose counts and estimates depend on the replicates'
 * numbers only, so which thread runs a task, and how many replicates it
 * holds, does not matter. Each thread's scratch is made at its first
 * task. */
typedef struct boot_run {
    const plan *p;
    uint64_t seed;
    size_t first, end;     /* the replicates of the call: first .. end - 1 */
    size_t n_tasks;        /* see task_count */
    double *out;           /* [(end - first) * n_specs] shared; rows are disjoint */
    boot_thread *th;       /* [threads] */
} boot_run;

/* Task t's replicates, *r .. *r + *nl - 1: the B replicates cut into
 * n_tasks runs whose sizes differ by 1 at most, the larger first. */
static void task_range(const boot_run *b, size_t t, size_t *r, size_t *nl)
{
    size_t B = b->end - b->first, base = B / b->n_tasks, extra = B % b->n_tasks;
    *r = b->first + t * base + (t < extra ? t : extra);
    *nl = base + (t < extra);
}

static void boot_task(void *ctx, size_t task, size_t thread)
{
    boot_run *b = ctx;
    const plan *p = b->p;
    boot_thread *th = &b->th[thread];
    size_t r, nl;
    if (!th->made) {
        task_range(b, 0, &r, &nl); /* the first task is one of the largest */
        scratch_init(p, nl, p->s.n / 256 + 1, &th->sc);
        th->made = 1;
    }
    task_range(b, task, &r, &nl);
    draw_counts(&p->s, th->sc.rng, b->seed, r, nl, th->sc.k);
    th->failed += replicate(p, &th->sc, nl, b->out + (r - b->first) * p->n_specs);
}

/* Threads asked for, bounded by the replicates (or other tasks) and
 * MAX_THREADS. */
static size_t thread_count(int threads, size_t B)
{
    long t = threads > 0 ? threads : sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = t > 0 ? (size_t)t : 1;
    if (n > MAX_THREADS)
        n = MAX_THREADS;
    return n < B ? n : B;
}

/* Tasks for B replicates on nt threads: as few as hold up to LANES
 * replicates each, so the DIFF/DID values are read once for that many
 * (sweep), but at least 8 per thread, so that a thread slowed down (by
 * another program) leaves the others only small tasks to wait for; and a
 * whole number of tasks per thread, so the threads end together when they
 * run at one speed. One replicate a task where IPW/DR effects are refitted
 * (a replicate then costs far more than its sums). */
static size_t task_count(const plan *p, size_t B, size_t nt)
{
    if (p->ps)
        return B;
    size_t per_thread = (B + nt * LANES - 1) / (nt * LANES);
    size_t n = nt * (per_thread > 8 ? per_thread : 8);
    return n < B ? n : B;
}

/* Run replicates first .. end - 1 on up to 'nt' threads, the calling one
 * included (a thread that cannot be started leaves its tasks to the
 * others). Returns the NaN entries written. */
static size_t run_threads(const plan *p, uint64_t seed, size_t first, size_t end, size_t nt,
                          double *out)
{
    boot_run b = {.p = p, .seed = seed, .first = first, .end = end, .out = out,
                  .n_tasks = task_count(p, end - first, nt),
                  .th = mkba_xcalloc(nt, sizeof *b.th)};
    mkba_stream_parallel(b.n_tasks, (int)nt, boot_task, &b);
    size_t failed = 0;
    for (size_t t = 0; t < nt; t++) {
        if (b.th[t].made)
            scratch_free(&b.th[t].sc);
        failed += b.th[t].failed;
    }
    free(b.th);
    return failed;
}

/* =============================== public API ============================== */

mkba_status mkba_bootstrap(const mkba_cohort *c, const mkba_est_spec *specs, size_t n_specs,
                           size_t B, uint64_t seed, int threads, double *out,
                           size_t *n_failed, mkba_error *err)
{
    return mkba_bootstrap_part(c, specs, n_specs, 0, B, seed, threads, out, n_failed, err);
}

mkba_status mkba_bootstrap_part(const mkba_cohort *c, const mkba_est_spec *specs,
                                size_t n_specs, size_t first, size_t B, uint64_t seed,
                                int threads, double *out, size_t *n_failed, mkba_error *err)
{
    if (B == 0)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "the bootstrap needs at least 1 replicate (B is 0)");
    mkba_status st = check_args(c, specs, n_specs, err);
    if (st)
        return st;
    if (!out || B > SIZE_MAX / n_specs / sizeof *out || first > SIZE_MAX - B)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "the bootstrap needs an output array of B x n_specs values");
    plan p;
    /* the setup's tasks are the cohort's, not the replicates': all threads */
    if ((st = plan_init(c, specs, n_specs, thread_count(threads, SIZE_MAX), &p, err)))
        return st;
    size_t failed = run_threads(&p, seed, first, first + B, thread_count(threads, B), out);
    plan_free(&p);
    if (n_failed)
        *n_failed = failed;
    return MKBA_OK;
}

mkba_status mkba_bootstrap_counts(const mkba_cohort *c, uint64_t seed, size_t r,
                                  uint32_t *counts, mkba_error *err)
{
    if (!c || !counts)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "bootstrap counts need a cohort and an array for the counts");
    strata s;
    mkba_status st = strata_init(c, &s, err);
    if (st)
        return st;
    rcounts k;
    uint8_t *lo = mkba_xmalloc(s.n);
    counts_init(&k, lo, s.n / 256 + 1);
    gsl_rng *rng = mkba_rng_alloc();
    draw_counts(&s, rng, seed, r, 1, &k);
    for (size_t q = 0; q < s.n; q++)
        counts[s.row[q]] = k.lo[q];
    for (size_t e = 0; e < k.n_carry; e++)
        counts[s.row[k.carry[e].pos]] += 256 * k.carry[e].hi;
    gsl_rng_free(rng);
    counts_free(&k);
    free(lo);
    free(s.row);
    return MKBA_OK;
}

mkba_status mkba_bootstrap_replicate(const mkba_cohort *c, const mkba_est_spec *specs,
                                     size_t n_specs, const uint32_t *counts, double *est,
                                     size_t *n_failed, mkba_error *err)
{
    if (!counts || !est)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "a bootstrap replicate needs counts and an array for the "
                              "estimates");
    plan p;
    mkba_status st = plan_init(c, specs, n_specs, 1, &p, err);
    if (st)
        return st;
    scratch sc;
    scratch_init(&p, 1, p.s.n, &sc);
    counts_from_rows(&p.s, counts, &sc.k[0]);
    size_t failed = replicate(&p, &sc, 1, est);
    scratch_free(&sc);
    plan_free(&p);
    if (n_failed)
        *n_failed = failed;
    return MKBA_OK;
}

void mkba_bootstrap_ci(const double *rep, size_t B, size_t stride, size_t j, double level,
                       double *lo, double *hi)
{
    double l = NAN, h = NAN;
    if (rep && B && j < stride && level >= 0 && level <= 1) {
        double *v = mkba_xreallocarray(NULL, B, sizeof *v);
        size_t m = 0;
        for (size_t r = 0; r < B; r++) {
            double x = rep[r * stride + j];
            if (!isnan(x))
                v[m++] = x;
        }
        if (m) {
            gsl_sort(v, 1, m);
            l = gsl_stats_quantile_from_sorted_data(v, 1, m, (1 - level) / 2);
            h = gsl_stats_quantile_from_sorted_data(v, 1, m, (1 + level) / 2);
        }
        free(v);
    }
    if (lo)
        *lo = l;
    if (hi)
        *hi = h;
}

size_t mkba_bootstrap_complete(const double *rep, size_t B, size_t stride, double *out)
{
    size_t k = 0;
    for (size_t r = 0; r < B; r++) {
        const double *row = rep + r * stride;
        int ok = 1;
        for (size_t j = 0; j < stride && ok; j++)
            ok = !isnan(row[j]);
        if (ok)
            memmove(out + k++ * stride, row, stride * sizeof *row);
    }
    return k;
}

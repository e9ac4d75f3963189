/* voi.c - expected value of perfect (EVPI) and partial perfect (EVPPI)
 * information from Monte Carlo draws of the options' net benefits.
 *
 * Both are means of a regret that is >= 0 draw by draw (or group by group)
 * rather than a difference of two large means, so they stay >= 0 and lose
 * no digits to cancellation when the value of information is small. */
#include "mkba/voi.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/mem.h"

/* A draw's parameter value with its index, sorted by value then index. */
typedef struct draw_key {
    double theta;   /* the parameter's value in this draw */
    size_t i;       /* the draw */
} draw_key;

/* An unsigned key whose order is the order of the finite double x, with
 * -0 equal to 0 (as ==, which also decides the groups' ties). */
static uint64_t order_key(double x)
{
    uint64_t u;
    x = x == 0 ? 0.0 : x;
    memcpy(&u, &x, sizeof u);
    return (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
}

/* Sort key[0..n) by theta, then by index, into key (tmp: n scratch; cnt:
 * RADIX_PASSES * RADIX counters, any contents).
 * An LSD radix sort of order_key in 11-bit digits: each pass is stable
 * and the keys start in index order, so ties stay in index order, as a
 * comparison sort on (theta, i) would leave them. For a million draws
 * this is several times faster than qsort, and EVPPI sorts once per
 * uncertain input. Passes whose digit is the same for all keys are
 * skipped. */
#define RADIX_BITS 11
#define RADIX (1u << RADIX_BITS)
#define RADIX_PASSES 6 /* 6 * 11 >= 64 */
static void sort_keys(draw_key *key, draw_key *tmp, size_t *cnt, size_t n)
{
    memset(cnt, 0, (size_t)RADIX_PASSES * RADIX * sizeof *cnt);
    for (size_t j = 0; j < n; j++) {
        uint64_t u = order_key(key[j].theta);
        for (int p = 0; p < RADIX_PASSES; p++)
            cnt[(size_t)p * RADIX + ((u >> (p * RADIX_BITS)) & (RADIX - 1))]++;
    }
    draw_key *src = key, *dst = tmp;
    for (int p = 0; p < RADIX_PASSES; p++) {
        size_t *c = cnt + (size_t)p * RADIX, sum = 0;
        int trivial = 0;
        for (size_t d = 0; d < RADIX; d++) {
            size_t k = c[d];
            trivial |= k == n;
            c[d] = sum;
            sum += k;
        }
        if (trivial)
            continue;
        for (size_t j = 0; j < n; j++) {
            uint64_t u = order_key(src[j].theta);
            dst[c[(u >> (p * RADIX_BITS)) & (RADIX - 1)]++] = src[j];
        }
        draw_key *t = src;
        src = dst;
        dst = t;
    }
    if (src != key)
        memcpy(key, src, n * sizeof *key);
}

/* The checks both functions share; 'what' names the caller in messages. */
static mkba_status check_nb(const double *nb, size_t K, size_t n, const char *what,
                            mkba_error *err)
{
    if (nb == NULL)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "%s: net benefits missing (NULL)", what);
    if (K == 0)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "%s: no decision options (K = 0)", what);
    if (n == 0)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL, "%s: no draws (n = 0)", what);
    if (K > SIZE_MAX / n)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "%s: %zu options x %zu draws is too many", what, K, n);
    for (size_t k = 0; k < K; k++)
        for (size_t i = 0; i < n; i++)
            if (!isfinite(nb[k * n + i]))
                return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                                      "%s: net benefit of option %zu in draw %zu is not finite",
                                      what, k, i);
    return MKBA_OK;
}

/* The option with the highest mean net benefit (lowest index on ties; K =
 * the reference, mean 0, when include_zero and every mean is below 0).
 * Streams over the options so no per-option array is needed. */
static size_t best_option(const double *nb, size_t K, size_t n, int include_zero,
                          double *best_mean)
{
    size_t best = K;
    double top = 0;
    for (size_t k = 0; k < K; k++) {
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += nb[k * n + i];
        double m = s / (double)n;
        if (best == K ? (!include_zero || m >= 0) : m > top) {
            best = k;
            top = m;
        }
    }
    *best_mean = top;
    return best;
}

/* The regret of choosing 'best' in draw i: max_k nb_ki - nb_best,i >= 0. */
static double regret(const double *nb, size_t K, size_t n, int include_zero, size_t best,
                     size_t i)
{
    double top = include_zero ? 0 : nb[i];
    for (size_t k = 0; k < K; k++)
        if (nb[k * n + i] > top)
            top = nb[k * n + i];
    return top - (best == K ? 0 : nb[best * n + i]);
}

/* EVPI of draws already checked, with the best option already chosen. */
static double evpi_of(const double *nb, size_t K, size_t n, int include_zero, size_t best)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += regret(nb, K, n, include_zero, best, i);
    return s / (double)n;
}

mkba_status mkba_voi_evpi(const double *nb, size_t K, size_t n, int include_zero,
                          mkba_voi *out, mkba_error *err)
{
    mkba_status st = check_nb(nb, K, n, "EVPI", err);
    if (st != MKBA_OK)
        return st;
    if (out == NULL)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "EVPI: no place for the result (NULL)");
    double mean;
    size_t best = best_option(nb, K, n, include_zero, &mean);
    double evpi = evpi_of(nb, K, n, include_zero, best);
    if (!isfinite(mean) || !isfinite(evpi))
        return mkba_error_set(err, MKBA_ENUM, NULL, 0, NULL,
                              "EVPI: the sums overflow (net benefits too large)");
    out->evpi = evpi;
    out->best = best;
    out->expected_best = mean;
    return MKBA_OK;
}

size_t mkba_voi_default_bins(size_t n)
{
    size_t b = n / 50;
    b = b > 200 ? 200 : b;
    b = b < 10 ? 10 : b;
    return b > n ? n : b;
}

/* Start of group b of 'bins' equal-count groups of n sorted draws: the
 * first n % bins groups hold one draw more. No product, so no overflow. */
static size_t group_start(size_t b, size_t n, size_t bins)
{
    size_t q = n / bins, r = n % bins;
    return b * q + (b < r ? b : r);
}

/* The sum over the draws of group [from, to) of max_k g_k - g_best, g_k
 * the group mean of option k: the group's count times its regret. */
static double group_regret(const double *nb, size_t K, size_t n, int include_zero,
                           size_t best, const draw_key *key, size_t from, size_t to)
{
    double top = 0, chosen = 0;
    int have = include_zero; /* the reference's mean is 0 */
    for (size_t k = 0; k < K; k++) {
        double s = 0;
        for (size_t j = from; j < to; j++)
            s += nb[k * n + key[j].i];
        double g = s / (double)(to - from);
        if (!have || g > top)
            top = g;
        have = 1;
        if (k == best)
            chosen = g;
    }
    double r = top - chosen; /* best == K: chosen = 0, the reference */
    return (double)(to - from) * (r > 0 ? r : 0);
}

/* The net benefits an EVPPI is taken over, with what does not depend on
 * the input (the checks, the best option, the EVPI) done once, and the
 * sort's scratch. */
struct mkba_voi_work {
    const double *nb;      /* [K][n], borrowed */
    size_t K, n;
    int include_zero;
    size_t best;           /* best_option */
    double mean, evpi;     /* its mean, and evpi_of; checked for overflow per input */
    draw_key *key, *tmp;   /* the sorted draws and the radix sort's scratch */
    size_t *cnt;           /* the radix sort's counters */
};

/* Check nb and fill 'w' (zeroed) for it; on an error nothing is allocated. */
static mkba_status work_init(mkba_voi_work *w, const double *nb, size_t K, size_t n,
                             int include_zero, mkba_error *err)
{
    mkba_status st = check_nb(nb, K, n, "EVPPI", err);
    if (st != MKBA_OK)
        return st;
    *w = (mkba_voi_work){.nb = nb, .K = K, .n = n, .include_zero = include_zero};
    w->best = best_option(nb, K, n, include_zero, &w->mean);
    w->evpi = evpi_of(nb, K, n, include_zero, w->best);
    w->key = mkba_xreallocarray(NULL, n, sizeof *w->key);
    w->tmp = mkba_xreallocarray(NULL, n, sizeof *w->tmp);
    w->cnt = mkba_xreallocarray(NULL, (size_t)RADIX_PASSES * RADIX, sizeof *w->cnt);
    return MKBA_OK;
}

static void work_release(mkba_voi_work *w)
{
    free(w->key);
    free(w->tmp);
    free(w->cnt);
}

mkba_voi_work *mkba_voi_work_alloc(const double *nb, size_t K, size_t n, int include_zero,
                                   mkba_error *err)
{
    mkba_voi_work *w = mkba_xcalloc(1, sizeof *w);
    if (work_init(w, nb, K, n, include_zero, err) != MKBA_OK) {
        free(w);
        return NULL;
    }
    return w;
}

void mkba_voi_work_free(mkba_voi_work *w)
{
    if (!w)
        return;
    work_release(w);
    free(w);
}

mkba_status mkba_voi_evppi(const double *nb, size_t K, size_t n, int include_zero,
                           const double *theta, size_t bins, double *evppi,
                           mkba_error *err)
{
    mkba_voi_work w;
    mkba_status st = work_init(&w, nb, K, n, include_zero, err);
    if (st != MKBA_OK)
        return st;
    st = mkba_voi_evppi_w(&w, theta, bins, evppi, err);
    work_release(&w);
    return st;
}

mkba_status mkba_voi_evppi_w(mkba_voi_work *w, const double *theta, size_t bins,
                             double *evppi, mkba_error *err)
{
    const double *nb = w->nb;
    size_t K = w->K, n = w->n, best = w->best;
    int include_zero = w->include_zero;
    if (theta == NULL)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "EVPPI: parameter draws missing (NULL)");
    if (evppi == NULL)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "EVPPI: no place for the result (NULL)");
    if (bins < 1 || bins > n)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "EVPPI: bins must be between 1 and the number of draws (%zu), got %zu",
                              n, bins);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(theta[i]))
            return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                                  "EVPPI: parameter value in draw %zu is not finite", i);

    draw_key *key = w->key;
    for (size_t i = 0; i < n; i++)
        key[i] = (draw_key){theta[i], i};
    sort_keys(key, w->tmp, w->cnt, n);

    double s = 0;
    size_t from = 0;
    for (size_t b = 0; b < bins && from < n; b++) {
        size_t to = group_start(b + 1, n, bins);
        if (to <= from)
            continue; /* swallowed by the previous group's run of ties */
        while (to < n && key[to].theta == key[to - 1].theta)
            to++; /* keep equal theta in one group: g must be a function of theta */
        s += group_regret(nb, K, n, include_zero, best, key, from, to);
        from = to;
    }

    double v = s / (double)n, evpi = w->evpi;
    if (!isfinite(w->mean) || !isfinite(evpi) || !isfinite(v))
        return mkba_error_set(err, MKBA_ENUM, NULL, 0, NULL,
                              "EVPPI: the sums overflow (net benefits too large)");
    /* 0 <= v <= evpi holds exactly in real arithmetic (Jensen per group);
     * the clamp only removes rounding. */
    *evppi = v < 0 ? 0 : (v > evpi ? evpi : v);
    return MKBA_OK;
}

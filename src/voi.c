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
#include "mkba/stream.h"
#include "mkba/summary.h"

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

/* ------------------------------------------------------------- EVPI */

struct mkba_voi_sums {
    size_t K, n;
    int include_zero;
    double *sum;      /* [K] net benefit of each option, in draw order */
    double *regret;   /* [K + 1] regret of choosing option j (K: the reference) */
    size_t *top;      /* [K + 1] draws in which option j is best */
};

mkba_voi_sums *mkba_voi_sums_alloc(size_t K, int include_zero)
{
    mkba_voi_sums *s = mkba_xcalloc(1, sizeof *s);
    s->K = K;
    s->include_zero = include_zero;
    s->sum = mkba_xcalloc(K + 1, sizeof *s->sum);
    s->regret = mkba_xcalloc(K + 1, sizeof *s->regret);
    s->top = mkba_xcalloc(K + 1, sizeof *s->top);
    return s;
}

void mkba_voi_sums_free(mkba_voi_sums *s)
{
    if (!s)
        return;
    free(s->sum);
    free(s->regret);
    free(s->top);
    free(s);
}

size_t mkba_voi_sums_count(const mkba_voi_sums *s)
{
    return s->n;
}

/* Per draw: each option's sum, and the regret of every option that could
 * turn out best (max_k nb_ki - nb_ji >= 0), so the best option need not be
 * known before the draws are: one running sum each, in draw order. */
void mkba_voi_sums_add(mkba_voi_sums *s, const double *nb, size_t stride, size_t n)
{
    size_t K = s->K;
    for (size_t i = 0; i < n; i++) {
        double top = s->include_zero ? 0 : nb[i];
        size_t arg = K; /* the reference wins ties; then the lowest index */
        for (size_t k = 0; k < K; k++) {
            double v = nb[k * stride + i];
            s->sum[k] += v;
            if (v > top || (!s->include_zero && k == 0))
                top = v, arg = k;
        }
        for (size_t k = 0; k < K; k++)
            s->regret[k] += top - nb[k * stride + i];
        s->regret[K] += top; /* the reference: 0 */
        s->top[arg]++;
    }
    s->n += n;
}

mkba_status mkba_voi_sums_end(const mkba_voi_sums *s, mkba_voi *out, double *p_top,
                              mkba_error *err)
{
    size_t K = s->K, n = s->n;
    if (n == 0)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL, "EVPI: no draws (n = 0)");
    /* The option with the highest mean (lowest index on ties; K = the
     * reference, mean 0, when include_zero and every mean is below 0). */
    size_t best = K;
    double top = 0;
    for (size_t k = 0; k < K; k++) {
        double m = s->sum[k] / (double)n;
        if (best == K ? (!s->include_zero || m >= 0) : m > top) {
            best = k;
            top = m;
        }
    }
    if (p_top) /* counts: never overflow */
        for (size_t k = 0; k <= K; k++)
            p_top[k] = (double)s->top[k] / (double)n;
    double evpi = s->regret[best] / (double)n;
    if (!isfinite(top) || !isfinite(evpi))
        return mkba_error_set(err, MKBA_ENUM, NULL, 0, NULL,
                              "EVPI: the sums overflow (net benefits too large)");
    out->evpi = evpi;
    out->best = best;
    out->expected_best = top;
    return MKBA_OK;
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
    mkba_voi_sums *s = mkba_voi_sums_alloc(K, include_zero);
    mkba_voi_sums_add(s, nb, n, n);
    st = mkba_voi_sums_end(s, out, NULL, err);
    mkba_voi_sums_free(s);
    return st;
}

size_t mkba_voi_default_bins(size_t n)
{
    size_t b = n / 50;
    b = b > 200 ? 200 : b;
    b = b < 10 ? 10 : b;
    return b > n ? n : b;
}

/* ------------------------------------------------------------ EVPPI */

/* Start of group b of 'bins' equal-count groups of n sorted draws: the
 * first n % bins groups hold one draw more. No product, so no overflow. */
static size_t group_start(size_t b, size_t n, size_t bins)
{
    size_t q = n / bins, r = n % bins;
    return b * q + (b < r ? b : r);
}

/* A draw's group is the number of thresholds below its value (mkba_cuts,
 * over CELLS cells). */
#define CELLS 4096

struct mkba_voi_groups {
    size_t K, bins, sample, n;
    int include_zero;
    int cut;             /* the thresholds are set */
    size_t bad;          /* first draw with a non-finite theta + 1 (0: none) */
    double *buf;         /* until cut: [sample] theta, then [K][sample] nb */
    size_t nbuf;
    double *t;           /* t[g] < t[g + 1]; group g: (t[g - 1], t[g]]; +inf after the last */
    size_t groups;       /* thresholds + 1 */
    mkba_cuts cuts;      /* the thresholds below a value: its group */
    double *sum;         /* [groups][K] */
    size_t *count;       /* [groups] */
    /* Each distinct value's count and sums, while there are no more than
     * 'values' of them (a discrete input, bootstrap replicates): then the
     * groups are cut at the quantiles of all the draws, as mkba_voi_evppi
     * cuts them. */
    size_t values;       /* the most distinct values kept */
    int many;            /* more distinct values came: the cut groups count */
    size_t vslots, vused;
    uint64_t *vkey;      /* [vslots] a value's bits */
    size_t *vcount;      /* [vslots] its draws; 0: an empty slot */
    double *vsum;        /* [vslots][K] */
};

mkba_voi_groups *mkba_voi_groups_alloc(size_t K, int include_zero, size_t bins, size_t sample,
                                       size_t values)
{
    mkba_voi_groups *g = mkba_xcalloc(1, sizeof *g);
    g->K = K;
    g->include_zero = include_zero;
    g->bins = bins;
    g->sample = sample ? sample : 1;
    g->values = values;
    return g;
}

void mkba_voi_groups_free(mkba_voi_groups *g)
{
    if (!g)
        return;
    free(g->buf);
    free(g->t);
    mkba_cuts_free(&g->cuts);
    free(g->vkey);
    free(g->vcount);
    free(g->vsum);
    free(g->sum);
    free(g->count);
    free(g);
}

static void add_draws(mkba_voi_groups *g, const double *theta, const double *nb, size_t stride,
                      size_t n)
{
    size_t K = g->K;
    for (size_t i = 0; i < n; i++) {
        size_t b = mkba_cuts_below(&g->cuts, theta[i]);
        double *s = g->sum + b * K;
        for (size_t k = 0; k < K; k++)
            s[k] += nb[k * stride + i];
        g->count[b]++;
    }
}

/* The thresholds from the sorted values of the sample's m draws (its
 * groups' last values, each run of ties kept in one group), then the
 * sample's draws into their groups. */
static void cut_groups(mkba_voi_groups *g)
{
    size_t m = g->nbuf, bins = g->bins ? g->bins : mkba_voi_default_bins(m);
    bins = bins > UINT32_MAX ? UINT32_MAX : bins;
    g->t = mkba_xreallocarray(NULL, bins + 1, sizeof *g->t);
    double *sorted = mkba_xreallocarray(NULL, m + 1, sizeof *sorted);
    if (m > 0)
        memcpy(sorted, g->buf, m * sizeof *sorted);
    mkba_stats_sort(sorted, m);
    size_t c = 0;
    for (size_t b = 0; b + 1 < bins && m > 0; b++) {
        double v = sorted[group_start(b + 1, m, bins) - 1];
        if (c == 0 || v > g->t[c - 1])
            g->t[c++] = v;
    }
    free(sorted);
    g->groups = c + 1;
    g->t[c] = INFINITY;
    mkba_cuts_init(&g->cuts, g->t, c, CELLS);
    g->sum = mkba_xcalloc(g->groups * g->K, sizeof *g->sum);
    g->count = mkba_xcalloc(g->groups, sizeof *g->count);
    g->cut = 1;
    if (m > 0)
        add_draws(g, g->buf, g->buf + g->sample, g->sample, m);
    free(g->buf);
    g->buf = NULL;
}

static size_t value_slot(const mkba_voi_groups *g, uint64_t k)
{
    size_t mask = g->vslots - 1, h = (size_t)((k * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & mask;
    while (g->vcount[h] && g->vkey[h] != k)
        h = (h + 1) & mask;
    return h;
}

static void values_free(mkba_voi_groups *g)
{
    free(g->vkey);
    free(g->vcount);
    free(g->vsum);
    g->vkey = NULL;
    g->vcount = NULL;
    g->vsum = NULL;
}

/* The table at twice its slots (kept at most half full). */
static void values_grow(mkba_voi_groups *g)
{
    size_t old = g->vslots, K = g->K;
    uint64_t *key = g->vkey;
    size_t *count = g->vcount;
    double *sum = g->vsum;
    g->vslots = old ? 2 * old : 256;
    g->vkey = mkba_xcalloc(g->vslots, sizeof *g->vkey);
    g->vcount = mkba_xcalloc(g->vslots, sizeof *g->vcount);
    g->vsum = mkba_xcalloc(g->vslots * K + 1, sizeof *g->vsum);
    for (size_t i = 0; i < old; i++)
        if (count[i]) {
            size_t h = value_slot(g, key[i]);
            g->vkey[h] = key[i];
            g->vcount[h] = count[i];
            memcpy(g->vsum + h * K, sum + i * K, K * sizeof *sum);
        }
    free(key);
    free(count);
    free(sum);
}

/* Each draw into its value's count and sums, until there are too many
 * distinct values. -0 is counted as 0 (equal, as the groups compare). */
static void add_values(mkba_voi_groups *g, const double *theta, const double *nb, size_t stride,
                       size_t n)
{
    size_t K = g->K;
    for (size_t i = 0; i < n && !g->many; i++) {
        double v = theta[i] == 0 ? 0.0 : theta[i];
        uint64_t k;
        memcpy(&k, &v, sizeof k);
        size_t h = value_slot(g, k);
        if (!g->vcount[h]) {
            if (g->vused == g->values) {
                g->many = 1;
                values_free(g);
                return;
            }
            if (2 * (g->vused + 1) > g->vslots) {
                values_grow(g);
                h = value_slot(g, k);
            }
            g->vkey[h] = k;
            g->vused++;
        }
        g->vcount[h]++;
        for (size_t j = 0; j < K; j++)
            g->vsum[h * K + j] += nb[j * stride + i];
    }
}

void mkba_voi_groups_add(mkba_voi_groups *g, const double *theta, const double *nb,
                         size_t stride, size_t n)
{
    for (size_t i = 0; i < n && !g->bad; i++)
        if (!isfinite(theta[i]))
            g->bad = g->n + i + 1;
    if (g->bad) {
        g->n += n;
        return;
    }
    if (!g->vslots && !g->many)
        values_grow(g);
    add_values(g, theta, nb, stride, n);
    size_t i = 0;
    if (!g->cut && !g->buf && n > 0) /* made at the first draw, freed once the groups are cut */
        g->buf = mkba_xreallocarray(NULL, (1 + g->K) * g->sample, sizeof *g->buf);
    for (; i < n && !g->cut; i++) {
        g->buf[g->nbuf] = theta[i];
        for (size_t k = 0; k < g->K; k++)
            g->buf[(1 + k) * g->sample + g->nbuf] = nb[k * stride + i];
        if (++g->nbuf == g->sample)
            cut_groups(g);
    }
    if (i < n)
        add_draws(g, theta + i, nb + i, stride, n - i);
    g->n += n;
}

/* A group of 'count' draws with sums[K]: its count times the regret of
 * the best option on average against the group's best (0 <= EVPPI <= EVPI:
 * Jensen per group). */
static double group_regret(const mkba_voi_groups *g, size_t count, const double *sums,
                           const mkba_voi *v)
{
    if (count == 0)
        return 0;
    double top = 0, chosen = 0;
    int have = g->include_zero; /* the reference's mean is 0 */
    for (size_t k = 0; k < g->K; k++) {
        double m = sums[k] / (double)count;
        if (!have || m > top)
            top = m;
        have = 1;
        if (k == v->best)
            chosen = m;
    }
    double r = top - chosen; /* best == K: chosen = 0, the reference */
    return (double)count * (r > 0 ? r : 0);
}

typedef struct value_entry {
    double v;
    size_t slot;
} value_entry;

static int cmp_value(const void *a, const void *b)
{
    double x = ((const value_entry *)a)->v, y = ((const value_entry *)b)->v;
    return (x > y) - (x < y);
}

/* The summed regrets of the equal-count groups of all the draws from their
 * distinct values in order (a run of ties never split: a group ends at the
 * end of the value that holds its last draw), as mkba_voi_evppi groups. */
static double value_groups(const mkba_voi_groups *g, const mkba_voi *v)
{
    size_t K = g->K, n = g->n, m = 0;
    size_t bins = g->bins ? g->bins : mkba_voi_default_bins(n);
    value_entry *e = mkba_xcalloc(g->vused + 1, sizeof *e);
    for (size_t h = 0; h < g->vslots; h++)
        if (g->vcount[h]) {
            memcpy(&e[m].v, &g->vkey[h], sizeof e[m].v);
            e[m++].slot = h;
        }
    qsort(e, m, sizeof *e, cmp_value);
    double *sums = mkba_xcalloc(K + 1, sizeof *sums), s = 0;
    size_t from = 0, i = 0;
    for (size_t b = 0; b < bins && i < m; b++) {
        size_t to = group_start(b + 1, n, bins), count = 0;
        if (to <= from)
            continue; /* swallowed by the previous group's run of ties */
        memset(sums, 0, K * sizeof *sums);
        for (; i < m && from + count < to; i++) {
            count += g->vcount[e[i].slot];
            for (size_t k = 0; k < K; k++)
                sums[k] += g->vsum[e[i].slot * K + k];
        }
        s += group_regret(g, count, sums, v);
        from += count;
    }
    free(sums);
    free(e);
    return s;
}

mkba_status mkba_voi_groups_end(mkba_voi_groups *g, const mkba_voi *v, double *evppi,
                                mkba_error *err)
{
    size_t K = g->K, n = g->n;
    if (g->bad)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "EVPPI: parameter value in draw %zu is not finite", g->bad - 1);
    if (g->bins > n)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "EVPPI: bins must be between 1 and the number of draws (%zu), got %zu",
                              n, g->bins);
    double s = 0;
    if (!g->many && n > 0) {
        s = value_groups(g, v);
    } else {
        if (!g->cut)
            cut_groups(g);
        for (size_t b = 0; b < g->groups; b++)
            s += group_regret(g, g->count[b], g->sum + b * K, v);
    }
    double e = s / (double)n;
    if (!isfinite(v->expected_best) || !isfinite(v->evpi) || !isfinite(e))
        return mkba_error_set(err, MKBA_ENUM, NULL, 0, NULL,
                              "EVPPI: the sums overflow (net benefits too large)");
    /* The clamp only removes rounding. */
    *evppi = e < 0 ? 0 : (e > v->evpi ? v->evpi : e);
    return MKBA_OK;
}

mkba_status mkba_voi_evppi(const double *nb, size_t K, size_t n, int include_zero,
                           const double *theta, size_t bins, double *evppi,
                           mkba_error *err)
{
    mkba_status st = check_nb(nb, K, n, "EVPPI", err);
    if (st != MKBA_OK)
        return st;
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
    mkba_voi v;
    mkba_voi_sums *s = mkba_voi_sums_alloc(K, include_zero);
    mkba_voi_sums_add(s, nb, n, n);
    st = mkba_voi_sums_end(s, &v, NULL, err);
    mkba_voi_sums_free(s);
    if (st == MKBA_OK && !isfinite(v.evpi))
        st = MKBA_ENUM;
    if (st != MKBA_OK) {
        if (st == MKBA_ENUM)
            mkba_error_set(err, MKBA_ENUM, NULL, 0, NULL,
                           "EVPPI: the sums overflow (net benefits too large)");
        return st;
    }
    mkba_voi_groups *g = mkba_voi_groups_alloc(K, include_zero, bins, n, n);
    mkba_voi_groups_add(g, theta, nb, n, n);
    st = mkba_voi_groups_end(g, &v, evppi, err);
    mkba_voi_groups_free(g);
    return st;
}

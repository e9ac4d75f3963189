/* voi.h - value of information from Monte Carlo draws: the expected value
 * of perfect information (EVPI) about everything uncertain, and of one
 * parameter (EVPPI), for a council choosing among project scenarios and
 * regular practice.
 *
 * Net benefits come as one array, option-major: nb[k * n + i] is the net
 * benefit (NPV against the reference) of option k in draw i. The reference
 * (regular practice) has net benefit 0 in every draw; with include_zero = 1
 * it takes part in the choice as option K without being stored. The inputs
 * are borrowed; nothing is kept after a call. */
#ifndef MKBA_VOI_H
#define MKBA_VOI_H

#include <stddef.h>

#include "mkba/error.h"

typedef struct mkba_voi {
    double evpi;            /* E[max_k NB_k] - max_k E[NB_k], >= 0 */
    size_t best;            /* option with the highest expected NB (K = the implicit reference) */
    double expected_best;   /* max_k E[NB_k] */
} mkba_voi;

/* EVPI of the choice among the K options (and the reference when
 * include_zero is nonzero), estimated from n draws as the mean regret of
 * the option that is best on average: mean_i (max_k nb_ki - nb_best,i),
 * which equals mean max - max mean and is >= 0 draw by draw. Ties in the
 * expected NB go to the lowest index, so the reference (index K) is best
 * only when every option's mean is strictly below 0.
 * Fails with MKBA_EINVAL on NULL nb or out, K == 0, n == 0 or a non-finite
 * net benefit, and with MKBA_ENUM when the sums overflow; *out is then
 * left unchanged. Allocates nothing. */
mkba_status mkba_voi_evpi(const double *nb, size_t K, size_t n, int include_zero,
                          mkba_voi *out, mkba_error *err);

/* The default number of bins for mkba_voi_evppi with n draws:
 * max(10, min(200, n / 50)), but never more than n (n = 0 gives 0). */
size_t mkba_voi_default_bins(size_t n);

/* EVPPI of one parameter, whose drawn values theta[0..n-1] belong to the
 * same draws as nb, by the regression method (Strong, Oakley & Brennan
 * 2014): EVPPI = mean_i max_k g_k(theta_i) - max_k mean_i g_k(theta_i),
 * g_k(theta) ~ E[NB_k | theta].
 *
 * Smoother: the draws, in the order of theta, are cut into 'bins' groups
 * of equal count (sizes differ by at most one); a boundary that would
 * split draws with the same theta moves up to the end of that run, so a
 * discrete parameter gets one group per value (and possibly fewer groups
 * than 'bins'). A group is thus an interval of theta. g_k is the mean of
 * NB_k within the group (piecewise constant), summed in draw order.
 *
 * Bias: the group means carry noise (NB variation not explained by theta),
 * and the max over noisy means over-states the EVPPI: for a parameter that
 * does not matter, by about phi(0) sd(NB_A - NB_B) sqrt(bins / n) when the
 * two best options are close in expectation (0.4 sd sqrt(bins / n) against
 * the reference). Averaging theta within a group biases the other way,
 * only in the group(s) where the best option changes: at most a quarter
 * of that group's theta range times its share of draws. Because each
 * group's max of means is at most its mean of maxima (Jensen), the
 * estimate lies between 0 and the EVPI of the same draws; the result is
 * clamped to [0, EVPI] only to remove rounding. Use mkba_voi_default_bins(n)
 * for 'bins' unless there is a reason not to.
 *
 * Fails with MKBA_EINVAL on NULL nb, theta or evppi, K == 0, n == 0, bins
 * outside 1..n or a non-finite value, and MKBA_ENUM when the sums
 * overflow; *evppi is then left unchanged. Allocates (2 + K) n words,
 * freed before it returns. */
mkba_status mkba_voi_evppi(const double *nb, size_t K, size_t n, int include_zero,
                           const double *theta, size_t bins, double *evppi,
                           mkba_error *err);

/* ------------------------------------------------------------ streaming
 * The same quantities over draws fed in chunks, in draw order, never held
 * whole (summary.c feeds a run's draws through these). nb holds the K
 * options' net benefits of n draws as nb[k * stride + i]; every value fed
 * must be finite. */

/* EVPI, the best option and the share of draws in which each option is
 * best: mkba_voi_evpi's values, bit for bit, for the draws fed. */
typedef struct mkba_voi_sums mkba_voi_sums;
mkba_voi_sums *mkba_voi_sums_alloc(size_t K, int include_zero);
void mkba_voi_sums_free(mkba_voi_sums *s); /* NULL is a no-op */
void mkba_voi_sums_add(mkba_voi_sums *s, const double *nb, size_t stride, size_t n);
/* The draws fed so far. */
size_t mkba_voi_sums_count(const mkba_voi_sums *s);
/* *out as mkba_voi_evpi (the same errors for no draws and overflow); with
 * p_top not NULL, p_top[k] = the share of draws in which option k has the
 * highest net benefit, k = K for the reference (include_zero), which wins
 * ties, then the lowest index (set also when the sums overflow). */
mkba_status mkba_voi_sums_end(const mkba_voi_sums *s, mkba_voi *out, double *p_top,
                              mkba_error *err);

/* The EVPPI of one input whose values come with the draws. While the input
 * has at most 'values' distinct values (a discrete parameter, bootstrap
 * replicates), each value's count and sums are kept and the groups are
 * cut at the quantiles of all the draws, as mkba_voi_evppi cuts them. With
 * more, the groups are cut at the quantiles of the first 'sample' draws'
 * values, so each holds about n / bins draws; a draw joins its group by its
 * value alone, the sums in draw order. With sample >= n this is
 * mkba_voi_evppi. bins 0: mkba_voi_default_bins(n). Memory: (1 + K) *
 * sample words until the sample is complete (none when the first chunk
 * holds it), the distinct values' table from then while there are at most
 * 'values' of them, and the groups. */
#define MKBA_VOI_SAMPLE 65536
#define MKBA_VOI_VALUES 16384
typedef struct mkba_voi_groups mkba_voi_groups;
mkba_voi_groups *mkba_voi_groups_alloc(size_t K, int include_zero, size_t bins, size_t sample,
                                       size_t values);
void mkba_voi_groups_free(mkba_voi_groups *g); /* NULL is a no-op */
void mkba_voi_groups_add(mkba_voi_groups *g, const double *theta, const double *nb,
                         size_t stride, size_t n);
/* The EVPPI over the draws fed, given their mkba_voi (from mkba_voi_sums
 * over the same draws). Fails as mkba_voi_evppi on a non-finite theta
 * (naming the draw), bins above the draws, and overflow. */
mkba_status mkba_voi_groups_end(mkba_voi_groups *g, const mkba_voi *v, double *evppi,
                                mkba_error *err);

#endif

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
 * Smoother: the draws are sorted by theta (ties by draw index, so the
 * result does not depend on the sort) and cut into 'bins' groups of equal
 * count (sizes differ by at most one); a boundary that would split draws
 * with the same theta moves up to the end of that run, so a discrete
 * parameter gets one group per value (and possibly fewer groups than
 * 'bins'). g_k is the mean of NB_k within the group (piecewise constant).
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
 * overflow; *evppi is then left unchanged. Allocates 4 n words and a
 * sort's counters, freed before it returns. */
mkba_status mkba_voi_evppi(const double *nb, size_t K, size_t n, int include_zero,
                           const double *theta, size_t bins, double *evppi,
                           mkba_error *err);

/* The EVPPI of many inputs over the same net benefits: 'w' checks nb and
 * finds the best option and the EVPI once, and holds the scratch (4 n
 * words and a sort's counters), so each input costs only its sort and its
 * groups. nb is borrowed: keep it, unchanged, until w is freed. Returns
 * NULL and fills *err where mkba_voi_evppi would fail on nb, K or n. */
typedef struct mkba_voi_work mkba_voi_work;
mkba_voi_work *mkba_voi_work_alloc(const double *nb, size_t K, size_t n, int include_zero,
                                   mkba_error *err);
void mkba_voi_work_free(mkba_voi_work *w); /* NULL is a no-op */

/* mkba_voi_evppi of 'theta' over the net benefits of 'w': the same value,
 * and the same errors for theta, bins and evppi. Allocates nothing. */
mkba_status mkba_voi_evppi_w(mkba_voi_work *w, const double *theta, size_t bins,
                             double *evppi, mkba_error *err);

#endif

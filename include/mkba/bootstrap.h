/* bootstrap.h - the non-parametric bootstrap of estimated effects.
 *
 * Persons are resampled with replacement within the pilot group and within
 * the control group (stratified), and every effect is re-estimated on each
 * replicate, so effects that move together stay together when the
 * replicates feed the Monte Carlo. A replicate is one pass over the cohort
 * columns with integer resampling counts as weights (no copy of the data).
 * Replicate r draws from random stream (seed, MKBA_STREAM_BOOTSTRAP, r):
 * results are identical for any number of threads. */
#ifndef MKBA_BOOTSTRAP_H
#define MKBA_BOOTSTRAP_H

#include <stddef.h>
#include <stdint.h>

#include "mkba/cohort.h"
#include "mkba/error.h"
#include "mkba/estimate.h"

/* The fewest replicates a run accepts for the Monte Carlo (--bootstrap,
 * [simulation] bootstrap; 0 on the command line fixes the effects at their
 * estimates, with a warning). The bootstrap CI is the 2.5% and 97.5%
 * quantile of the replicates (GSL's interpolated quantile, (B - 1) x 0.025
 * from each end): with 100 it lies between the third and the fourth most
 * extreme replicate, with fewer than 41 next to the most extreme one, and
 * with 1 there is no spread at all (every draw takes the one replicate,
 * the effects add no uncertainty and the mean is that replicate's, not
 * the estimate). */
#define MKBA_BOOTSTRAP_MIN 100
/* The most (--bootstrap, [simulation] bootstrap): a replicate's estimates
 * are kept, 8 bytes per effect. */
#define MKBA_BOOTSTRAP_MAX 1000000

/* Fill out[r * n_specs + j] with effect j's estimate on replicate r, for
 * r < B. A replicate on which an effect cannot be estimated (e.g. an OLS
 * design that became singular) gets NaN there and is counted in
 * *n_failed (may be NULL). threads <= 0 means all cores. Fails only on
 * invalid arguments (B == 0, an effect that fails on the full cohort).
 *
 * Details: *n_failed is the number of NaN entries of 'out' (replicate x
 * effect pairs). A DIFF/DID replicate fails when a group has a weight sum
 * below 2 with a value, an OLS one where mkba_est_ols would fail (a group
 * with a weight below 2, fewer persons drawn than parameters, a covariate
 * constant among the persons drawn or collinear within 1e-7 as
 * estimate.h says, a result that is not finite), an IPW or DR one when the
 * refitted propensity model separates the groups or a group has no
 * weight (mkba_ps_replicate). An OLS replicate estimate is the normal
 * equations' solution: it equals mkba_est_ols's QR estimate on the same
 * counts to rounding (the tests: 1e-9 relative on ill-scaled data). No
 * more threads than replicates (nor than 256) run replicates; each thread
 * allocates its scratch space once (up to eight bytes per person: it
 * draws and sums up to eight replicates at once; with an IPW/DR effect,
 * whose replicates it takes one at a time, one byte, a weight per person
 * and the propensity workspace). The call itself holds a copy of the
 * DIFF/DID values (8 bytes per person and effect, blocks of 4 effects:
 * 32 bytes per person for 1 to 4 of them; 4 bytes more per person and
 * effect while it makes them) and of each OLS effect's rows (8 bytes per
 * person per design covariate plus 12), and fits the propensity model of
 * its IPW/DR effects once on the full data (the check of those effects:
 * mkba_estimate's, but for their standard errors, which the replicates do
 * not need). That setup runs on the threads too (all those asked for,
 * however few the replicates): every effect's check on
 * the full cohort, the copies in chunks of persons, the propensity
 * model's design, its checks and its effects' coding beside its fit (one
 * thread's: the fit is a chain of passes), and the replicates are split
 * in a whole number of equal tasks per thread.
 * Messages: "the bootstrap needs at least 1 replicate (B is 0)", "the
 * bootstrap needs at least one effect (n_specs is 0)"; an effect that fails
 * on the full cohort gives mkba_estimate's error ("effect 'NAME': ..."). */
mkba_status mkba_bootstrap(const mkba_cohort *c, const mkba_est_spec *specs, size_t n_specs,
                           size_t B, uint64_t seed, int threads, double *out,
                           size_t *n_failed, mkba_error *err);

/* Replicates first .. first + B - 1 of a bootstrap (of any size): row
 * r - first of 'out' gets exactly what mkba_bootstrap writes in row r, on
 * any number of threads; *n_failed counts this part's NaN entries. A part
 * of a run for one process of several (mpi.h). Errors as mkba_bootstrap. */
mkba_status mkba_bootstrap_part(const mkba_cohort *c, const mkba_est_spec *specs,
                                size_t n_specs, size_t first, size_t B, uint64_t seed,
                                int threads, double *out, size_t *n_failed, mkba_error *err);

/* The resampling counts of replicate r as mkba_bootstrap draws them:
 * counts[i] (mkba_cohort_size(c) entries, cohort order) is how often person
 * i is drawn. Stream (seed, MKBA_STREAM_BOOTSTRAP, r) first gives n_pilot
 * draws among the pilot persons, then n_control among the control persons
 * (each uniform over the group, in cohort order), so every replicate keeps
 * both group sizes. Fails (MKBA_EINVAL) without cohort or counts, or with
 * more than UINT32_MAX persons in the cohort. */
mkba_status mkba_bootstrap_counts(const mkba_cohort *c, uint64_t seed, size_t r,
                                  uint32_t *counts, mkba_error *err);

/* One replicate with given counts (cohort order) as frequency weights:
 * est[j] for spec j, computed by the code mkba_bootstrap runs per replicate
 * (NaN where an effect cannot be estimated, counted in *n_failed, may be
 * NULL). With every count 1 it gives mkba_estimate's estimates: exactly
 * for DIFF, DID, IPW and DR, to rounding for OLS (normal equations there,
 * a QR in mkba_estimate).
 * It prepares the cohort on every call (like one mkba_bootstrap setup):
 * meant for tests and for checking single replicates. Errors as for
 * mkba_bootstrap, and MKBA_EINVAL without counts or est. */
mkba_status mkba_bootstrap_replicate(const mkba_cohort *c, const mkba_est_spec *specs,
                                     size_t n_specs, const uint32_t *counts, double *est,
                                     size_t *n_failed, mkba_error *err);

/* Percentile interval of column j of 'rep' (B rows of 'stride' values),
 * NaNs skipped: the (1-level)/2 and (1+level)/2 quantiles (GSL's
 * interpolated quantile of the sorted values). NaN when no value (also
 * for rep NULL, B 0, j >= stride or level outside [0, 1]); lo or hi may be
 * NULL. */
void mkba_bootstrap_ci(const double *rep, size_t B, size_t stride, size_t j, double level,
                       double *lo, double *hi);

/* The replicates (rows of 'stride' values) in which every effect could be
 * estimated, copied in order into 'out' (room for B rows); returns how
 * many. The Monte Carlo draws its effects from these, so a replicate that
 * failed for one effect does not drop the other effects' draws with it
 * (nor a draw's NPV as not finite). */
size_t mkba_bootstrap_complete(const double *rep, size_t B, size_t stride, double *out);

#endif

/* bench_bootstrap.c - wall time of mkba_bootstrap on a synthetic cohort,
 * on all cores and on one thread.
 *
 * Usage: bench_bootstrap [N [B [ols]]]   (defaults: N 1000000, B 1000)
 * The cohort has N persons, about half in the pilot group, and three
 * outcomes: a 0/1 outflow to work (method diff), hours of work with a
 * pre-period value (method did) and costs with 5% missing (method diff).
 * With "ols" a fourth effect is added: the outflow adjusted (method ols)
 * for age and a 5-level district category.
 * It prints the command line, the setting, the two wall times
 * (clock_gettime CLOCK_MONOTONIC; the CPU time of the process beside them,
 * which tells a busy machine from a slow run) and whether both runs gave identical
 * replicates (they must). Exit status 1 on any failure. */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mkba/bootstrap.h"
#include "mkba/mem.h"
#include "mkba/rng.h"

enum { V_WORK, V_HOURS_PRE, V_HOURS, V_COSTS, V_AGE, V_DISTRICT, N_VARS };

/* The synthetic cohort: effects of +0.05 (work), +2 hours, -300 costs. */
static mkba_cohort *make_cohort(size_t n)
{
    static const mkba_cohort_var vars[N_VARS] = {
        {"work", NULL, MKBA_VAR_BINARY, 0},     {"hours_pre", NULL, MKBA_VAR_NONNEG, 0},
        {"hours", NULL, MKBA_VAR_NONNEG, 0},    {"costs", NULL, MKBA_VAR_NONNEG, 0},
        {"age", NULL, MKBA_VAR_NUMBER, 0},      {"district", NULL, MKBA_VAR_CATEGORY, 0}};
    uint8_t *g = mkba_xmalloc(n);
    double *col[N_VARS];
    for (int v = 0; v < N_VARS; v++)
        col[v] = mkba_xreallocarray(NULL, n, sizeof(double));
    gsl_rng *r = mkba_rng_alloc();
    gsl_rng_set(r, 20240601);
    for (size_t i = 0; i < n; i++) {
        int pilot = gsl_rng_uniform(r) < 0.5;
        g[i] = pilot ? MKBA_PILOT : MKBA_CONTROL;
        double age = 18 + 49 * gsl_rng_uniform(r);
        col[V_AGE][i] = age;
        col[V_DISTRICT][i] = (double)gsl_rng_uniform_int(r, 5);
        col[V_WORK][i] = gsl_rng_uniform(r) < 0.20 + 0.05 * pilot - 0.002 * (age - 40);
        double pre = fmax(0, 8 + gsl_ran_gaussian(r, 6));
        col[V_HOURS_PRE][i] = pre;
        col[V_HOURS][i] = fmax(0, pre + 2 * pilot + gsl_ran_gaussian(r, 4));
        col[V_COSTS][i] = gsl_rng_uniform(r) < 0.05
                              ? NAN
                              : fmax(0, gsl_ran_lognormal(r, 8, 0.7) - 300 * pilot);
    }
    gsl_rng_free(r);
    mkba_cohort *c = mkba_cohort_from_arrays(n, g, N_VARS, vars, (const double *const *)col);
    free(g);
    for (int v = 0; v < N_VARS; v++)
        free(col[v]);
    return c;
}

/* Seconds on 'clock' (CLOCK_MONOTONIC: wall time). */
static double now(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One timed run; returns the seconds, or -1 on failure. */
static double timed(const mkba_cohort *c, const mkba_est_spec *specs, size_t k, size_t B,
                    int threads, double *out)
{
    mkba_error err;
    mkba_error_clear(&err);
    size_t failed = 0;
    double t0 = now(CLOCK_MONOTONIC), cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);
    mkba_status st = mkba_bootstrap(c, specs, k, B, 42, threads, out, &failed, &err);
    double t = now(CLOCK_MONOTONIC) - t0, cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    if (st) {
        fprintf(stderr, "bench_bootstrap: %s\n", err.msg);
        return -1;
    }
    printf("  threads %-4s wall %8.3f s  (%.2f ms per replicate, cpu %.3f s, %zu failed)\n",
           threads > 0 ? "1" : "all", t, 1e3 * t / (double)B, cpu, failed);
    return t;
}

/* A positive whole number from argv, or 0 when it is not one. */
static size_t arg_size(const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    return end != s && *end == '\0' && s[0] != '-' ? (size_t)v : 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    size_t n = argc > 1 ? arg_size(argv[1]) : 1000000;
    size_t B = argc > 2 ? arg_size(argv[2]) : 1000;
    int with_ols = argc > 3 && strcmp(argv[3], "ols") == 0;
    if (n < 4 || B == 0 || argc > 4 || (argc > 3 && !with_ols)) {
        fprintf(stderr, "usage: bench_bootstrap [N >= 4 [B >= 1 [ols]]]\n");
        return 1;
    }
    printf("command:");
    for (int a = 0; a < argc; a++)
        printf(" %s", argv[a]);
    printf("\n");
    mkba_cohort *c = make_cohort(n);
    if (!c) {
        fprintf(stderr, "bench_bootstrap: could not build the cohort\n");
        return 1;
    }
    static const size_t cov[2] = {V_AGE, V_DISTRICT};
    const mkba_est_spec specs[4] = {
        {"work", V_WORK, -1, 0, NULL, MKBA_EST_DIFF},
        {"hours", V_HOURS, V_HOURS_PRE, 0, NULL, MKBA_EST_DID},
        {"costs", V_COSTS, -1, 0, NULL, MKBA_EST_DIFF},
        {"work_adj", V_WORK, -1, 2, cov, MKBA_EST_OLS}};
    size_t k = with_ols ? 4 : 3;
    printf("persons %zu, replicates %zu, cores online %ld, effects: work (diff), hours (did), "
           "costs (diff, 5%% missing)%s\n",
           n, B, sysconf(_SC_NPROCESSORS_ONLN),
           with_ols ? ", work_adj (ols: age + 5-level district)" : "");
    double *all = mkba_xreallocarray(NULL, B * k, sizeof *all);
    double *one = mkba_xreallocarray(NULL, B * k, sizeof *one);
    int bad = timed(c, specs, k, B, 0, all) < 0 || timed(c, specs, k, B, 1, one) < 0;
    if (!bad) {
        int same = memcmp(all, one, B * k * sizeof *all) == 0;
        printf("  replicates identical for all cores and 1 thread: %s\n", same ? "yes" : "NO");
        bad = !same;
    }
    free(all);
    free(one);
    mkba_cohort_free(c);
    return bad;
}

/* bench_bootstrap.c - wall and CPU time of mkba_bootstrap on a synthetic
 * cohort: the difference-in-means path, OLS effects on 8 covariates and
 * propensity-score (IPW, DR) replicates, each on 2 threads and on 1.
 *
 * Usage: bench_bootstrap [N [B [diff|ols|ps]]]   (defaults: N 1000000, B 1000,
 * every section)
 * The cohort has N persons and 11 variables; the pilot group depends
 * mildly on the covariates (so a propensity model has something to fit).
 * Every figure is printed with its target, "met" or "NOT met", and the
 * command that reproduces it (this program with the same N and B):
 *  - diff: 3 effects (work and costs by difference in means, costs 5%
 *    missing; hours by DID). The B replicates run in 3 rounds of B/3
 *    (mkba_bootstrap_part), each round running the same replicates with
 *    today's code on 1 thread and on 2 threads and with a copy of the
 *    algorithm of main before the speed-ups (commit 531cddc: the generator
 *    called through GSL's function pointer, one draw at a time, two
 *    replicates summed at once), the order of the three turned each round,
 *    so that a busy machine disturbs them alike. Figures: today's against
 *    main's on 1 thread (target: 2x as fast), today's 1 -> 2 threads
 *    (target 1.9x), both in wall time and in CPU time; and whether every
 *    replicate is bit-identical on 1 and 2 threads and to main's algorithm
 *    (they must be).
 *  - ols: 1 effect (work adjusted for 8 design columns: 6 numeric
 *    covariates and a 3-level district), B replicates on 2 threads (target
 *    under 10 s at N 1e6, B 1000) and 1 thread, the 1 -> 2 thread speed-up;
 *    3 replicates recomputed with the QR estimator (mkba_est_ols on the
 *    replicate's counts, what every replicate cost before): its time and
 *    the largest relative difference; and the bootstrap SE against the
 *    HC1 SE of the full-cohort fit (the reference: they estimate the same
 *    standard error, so their ratio is 1 within about 2/sqrt(2B)).
 *  - ps: an IPW and a DR effect on a propensity model of the same 7
 *    variables (9 design columns), 200 replicates (fewer when B is
 *    smaller) in 2 rounds, each running its 100 replicates on 1 thread
 *    and on 2 (the order turned each round, so that a machine that slows
 *    down for a while slows both): the time per replicate, and the 1 -> 2
 *    thread speed-up of the whole calls (target 1.9x), each of which
 *    includes the one full-data fit of the propensity model (its time is
 *    printed: the setup of mkba_ps_plan_new, about 5% of a 100-replicate
 *    call on 1 thread; a run's default 1,000 replicates make it 0.5%).
 * Times are clock_gettime CLOCK_MONOTONIC (wall) and
 * CLOCK_PROCESS_CPUTIME_ID (CPU, of all threads): a wall time well above
 * the CPU time of one thread tells a busy machine. Exit status 1 on any
 * failure or a replicate that differs between thread counts or from
 * main's algorithm (a target not met does not fail the run). */
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
#include "mkba/pscore.h"
#include "mkba/rng.h"

enum {
    V_WORK, V_HOURS_PRE, V_HOURS, V_COSTS, V_AGE, V_INCOME, V_FEMALE, V_CHILDREN, V_TENURE,
    V_HEALTH, V_DISTRICT, N_VARS
};

static char cmd[256]; /* the command line, printed on every figure */

/* The synthetic cohort: effects of +0.05 (work), +2 hours, -300 costs. */
static mkba_cohort *make_cohort(size_t n)
{
    static const mkba_cohort_var vars[N_VARS] = {
        {"work", NULL, MKBA_VAR_BINARY, 0},       {"hours_pre", NULL, MKBA_VAR_NONNEG, 0},
        {"hours", NULL, MKBA_VAR_NONNEG, 0},      {"costs", NULL, MKBA_VAR_NONNEG, 0},
        {"age", NULL, MKBA_VAR_NUMBER, 0},        {"income", NULL, MKBA_VAR_NONNEG, 0},
        {"female", NULL, MKBA_VAR_BINARY, 0},     {"children", NULL, MKBA_VAR_NONNEG, 0},
        {"tenure", NULL, MKBA_VAR_NONNEG, 0},     {"health", NULL, MKBA_VAR_NUMBER, 0},
        {"district", NULL, MKBA_VAR_CATEGORY, 0}};
    uint8_t *g = mkba_xmalloc(n);
    double *col[N_VARS];
    for (int v = 0; v < N_VARS; v++)
        col[v] = mkba_xreallocarray(NULL, n, sizeof(double));
    gsl_rng *r = mkba_rng_alloc();
    gsl_rng_set(r, 20240601);
    for (size_t i = 0; i < n; i++) {
        double age = 18 + 49 * gsl_rng_uniform(r);
        double income = gsl_ran_lognormal(r, 10, 0.5);
        int female = gsl_rng_uniform(r) < 0.5;
        double children = (double)gsl_rng_uniform_int(r, 4);
        double tenure = 10 * gsl_rng_uniform(r);
        double health = gsl_ran_gaussian(r, 1);
        double district = (double)gsl_rng_uniform_int(r, 3);
        double lp = -0.1 + 0.01 * (age - 40) + 0.2 * female - 0.1 * children + 0.1 * health;
        int pilot = gsl_rng_uniform(r) < 1 / (1 + exp(-lp));
        g[i] = pilot ? MKBA_PILOT : MKBA_CONTROL;
        col[V_AGE][i] = age;
        col[V_INCOME][i] = income;
        col[V_FEMALE][i] = female;
        col[V_CHILDREN][i] = children;
        col[V_TENURE][i] = tenure;
        col[V_HEALTH][i] = health;
        col[V_DISTRICT][i] = district;
        col[V_WORK][i] = gsl_rng_uniform(r) < 0.20 + 0.05 * pilot - 0.002 * (age - 40) +
                                                  0.02 * health - 0.01 * children;
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

static double last_cpu; /* CPU seconds of the last timed run */

/* "met" or "NOT met": value >= target (at_least) or value < target. */
static const char *verdict(double value, double target, int at_least)
{
    return (at_least ? value >= target : value < target) ? "met" : "NOT met";
}

/* One timed mkba_bootstrap run; returns the wall seconds, or -1 on failure. */
static double timed(const char *what, const mkba_cohort *c, const mkba_est_spec *specs,
                    size_t k, size_t B, int threads, double *out)
{
    mkba_error err;
    mkba_error_clear(&err);
    size_t failed = 0;
    double t0 = now(CLOCK_MONOTONIC), cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);
    mkba_status st = mkba_bootstrap(c, specs, k, B, 42, threads, out, &failed, &err);
    double t = now(CLOCK_MONOTONIC) - t0, cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    last_cpu = cpu;
    if (st) {
        fprintf(stderr, "bench_bootstrap: %s\n", err.msg);
        return -1;
    }
    printf("  %-4s %zu replicates, %d thread%s: wall %7.3f s (%.3f ms per replicate, cpu "
           "%.2f s, %zu failed)   [%s]\n",
           what, B, threads, threads > 1 ? "s" : "", t, 1e3 * t / (double)B, cpu, failed, cmd);
    return t;
}

/* ------------- the DIFF path of main before the speed-up (531cddc) ------------- */

/* Draws of main: 32 bits through GSL's function pointer, Lemire's rule. */
static inline uint32_t old_draw_below(const gsl_rng *rng, uint32_t m)
{
    uint64_t x = (uint64_t)(uint32_t)rng->type->get(rng->state) * m;
    uint32_t low = (uint32_t)x;
    if (low < m) {
        uint32_t reject = (uint32_t)(0u - m) % m;
        while (low < reject) {
            x = (uint64_t)(uint32_t)rng->type->get(rng->state) * m;
            low = (uint32_t)x;
        }
    }
    return (uint32_t)(x >> 32);
}

/* Main's replicates first .. first + B - 1 of the 3 DIFF/DID effects
 * (width 3, one block): the counts (a byte per position, no carries at
 * this size: checked), one sweep of both groups, the weights less the
 * counts of missing values. */
static int old_diff(const mkba_cohort *c, const mkba_est_spec *specs, size_t first, size_t B,
                    double *out)
{
    size_t n = mkba_cohort_size(c), start[2], len[2];
    const uint8_t *g = mkba_cohort_group(c);
    len[MKBA_PILOT] = mkba_cohort_count(c, MKBA_PILOT);
    len[MKBA_CONTROL] = mkba_cohort_count(c, MKBA_CONTROL);
    start[MKBA_PILOT] = 0;
    start[MKBA_CONTROL] = len[MKBA_PILOT];
    double *v = mkba_xcalloc(n * 3, sizeof *v);
    uint8_t *miss = mkba_xcalloc(n * 3, 1), *cnt = mkba_xmalloc(n);
    size_t next[2] = {start[0], start[1]};
    for (size_t i = 0; i < n; i++) {
        size_t q = next[g[i]]++;
        for (int e = 0; e < 3; e++) {
            const double *y = mkba_cohort_column(c, specs[e].outcome);
            double d = specs[e].pre >= 0 ? y[i] - mkba_cohort_column(c, (size_t)specs[e].pre)[i]
                                         : y[i];
            if (isnan(d))
                miss[3 * q + e] = 1;
            else
                v[3 * q + e] = d;
        }
    }
    uint32_t *list[6]; /* positions of the missing values per effect and group, as main */
    size_t n_miss[6];
    for (int e = 0; e < 3; e++)
        for (int gr = 0; gr < 2; gr++) {
            list[2 * e + gr] = mkba_xcalloc(len[gr] + 1, sizeof **list);
            n_miss[2 * e + gr] = 0;
            for (size_t q = start[gr]; q < start[gr] + len[gr]; q++)
                if (miss[3 * q + e])
                    list[2 * e + gr][n_miss[2 * e + gr]++] = (uint32_t)q;
        }
    gsl_rng *rng = mkba_rng_alloc();
    int carried = 0;
    for (size_t r = 0; r < B; r++) {
        static const int order[2] = {MKBA_PILOT, MKBA_CONTROL};
        memset(cnt, 0, n);
        mkba_rng_stream(rng, 42, MKBA_STREAM_BOOTSTRAP, (uint64_t)(first + r));
        for (int o = 0; o < 2; o++) {
            uint8_t *seg = cnt + start[order[o]];
            uint32_t m = (uint32_t)len[order[o]];
            for (uint32_t d = 0; d < m; d++)
                carried |= !++seg[old_draw_below(rng, m)];
        }
        double a[3] = {0, 0, 0}, b[3] = {0, 0, 0}, S[2][3];
        size_t pa = start[MKBA_PILOT], na = len[MKBA_PILOT];
        size_t pb = start[MKBA_CONTROL], nb = len[MKBA_CONTROL], mm = na < nb ? na : nb;
        for (size_t i = 0; i < mm; i++) {
            double wa = cnt[pa + i], wb = cnt[pb + i];
            for (size_t e = 0; e < 3; e++) {
                a[e] += wa * v[(pa + i) * 3 + e];
                b[e] += wb * v[(pb + i) * 3 + e];
            }
        }
        for (size_t i = mm; i < na; i++)
            for (size_t e = 0; e < 3; e++)
                a[e] += cnt[pa + i] * v[(pa + i) * 3 + e];
        for (size_t i = mm; i < nb; i++)
            for (size_t e = 0; e < 3; e++)
                b[e] += cnt[pb + i] * v[(pb + i) * 3 + e];
        memcpy(S[MKBA_PILOT], a, sizeof a);
        memcpy(S[MKBA_CONTROL], b, sizeof b);
        for (size_t e = 0; e < 3; e++) {
            double mean[2];
            int ok = 1;
            for (int gr = 0; gr < 2; gr++) {
                double W = (double)len[gr];
                for (size_t m = 0; m < n_miss[2 * e + gr]; m++)
                    W -= cnt[list[2 * e + gr][m]];
                ok &= W >= 2;
                mean[gr] = S[gr][e] / W;
            }
            double d = mean[MKBA_PILOT] - mean[MKBA_CONTROL];
            out[r * 3 + e] = ok && isfinite(d) ? d : NAN;
        }
    }
    gsl_rng_free(rng);
    for (int e = 0; e < 6; e++)
        free(list[e]);
    free(v);
    free(miss);
    free(cnt);
    return carried;
}

/* Wall and CPU seconds of one run. */
typedef struct run_time {
    double wall, cpu;
} run_time;

/* Today's replicates first .. first + B - 1 on 'threads' threads into out;
 * returns 0, or 1 on failure. */
static int today_part(const mkba_cohort *c, const mkba_est_spec *specs, size_t k, size_t first,
                      size_t B, int threads, double *out, run_time *t)
{
    mkba_error err;
    mkba_error_clear(&err);
    double t0 = now(CLOCK_MONOTONIC), cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);
    mkba_status st = mkba_bootstrap_part(c, specs, k, first, B, 42, threads, out, NULL, &err);
    t->wall += now(CLOCK_MONOTONIC) - t0;
    t->cpu += now(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    if (st)
        fprintf(stderr, "bench_bootstrap: %s\n", err.msg);
    return st != MKBA_OK;
}

static int bench_diff(const mkba_cohort *c, size_t B)
{
    const mkba_est_spec specs[3] = {{"work", V_WORK, -1, 0, NULL, MKBA_EST_DIFF, NULL},
                                    {"hours", V_HOURS, V_HOURS_PRE, 0, NULL, MKBA_EST_DID, NULL},
                                    {"costs", V_COSTS, -1, 0, NULL, MKBA_EST_DIFF, NULL}};
    enum { ROUNDS = 3 };
    double *rep[3]; /* today's on 1 thread, on 2 threads, main's */
    for (int a = 0; a < 3; a++)
        rep[a] = mkba_xreallocarray(NULL, B * 3, sizeof **rep);
    run_time t[3] = {{0, 0}, {0, 0}, {0, 0}};
    int bad = 0, carried = 0;
    printf("diff: work (diff), hours (did), costs (diff, 5%% missing): %zu replicates in %d "
           "rounds, each round today's code on 1 and 2 threads and main's algorithm (531cddc) "
           "on 1 thread over the same replicates, their order turned each round\n",
           B, ROUNDS);
    for (size_t round = 0; round < ROUNDS && !bad; round++) {
        size_t lo = B * round / ROUNDS, hi = B * (round + 1) / ROUNDS;
        if (hi == lo)
            continue;
        for (size_t step = 0; step < 3 && !bad; step++) {
            int a = (int)((round + step) % 3);
            if (a == 2) {
                double t0 = now(CLOCK_MONOTONIC), cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);
                carried |= old_diff(c, specs, lo, hi - lo, rep[2] + lo * 3);
                t[2].wall += now(CLOCK_MONOTONIC) - t0;
                t[2].cpu += now(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
            } else {
                bad |= today_part(c, specs, 3, lo, hi - lo, a + 1, rep[a] + lo * 3, &t[a]);
            }
        }
    }
    bad |= carried;
    if (!bad) {
        static const char *const what[3] = {"today's, 1 thread ", "today's, 2 threads",
                                            "main's, 1 thread  "};
        for (int a = 0; a < 3; a++)
            printf("  diff %s: %.3f ms per replicate (CPU %.3f ms; wall %.3f s in all)   [%s]\n",
                   what[a], 1e3 * t[a].wall / (double)B, 1e3 * t[a].cpu / (double)B, t[a].wall,
                   cmd);
        double speed = t[2].wall / t[0].wall, speed_cpu = t[2].cpu / t[0].cpu;
        double scale = t[0].wall / t[1].wall;
        printf("  diff today's against main's algorithm on 1 thread: %.2fx as fast (CPU time "
               "%.2fx); target >= 2x: %s   [%s]\n",
               speed, speed_cpu, verdict(speed, 2, 1), cmd);
        printf("  diff today's 1 -> 2 threads: %.2fx (CPU time %.2f -> %.2f s); target >= 1.9x: "
               "%s   [%s]\n",
               scale, t[0].cpu, t[1].cpu, verdict(scale, 1.9, 1), cmd);
        int same = memcmp(rep[0], rep[1], B * 3 * sizeof **rep) == 0;
        int same_old = memcmp(rep[0], rep[2], B * 3 * sizeof **rep) == 0;
        printf("  diff replicates identical on 1 and 2 threads: %s, to main's algorithm: %s "
               "(target: both yes): %s   [%s]\n",
               same ? "yes" : "NO", same_old ? "yes" : "NO", same && same_old ? "met" : "NOT met",
               cmd);
        bad = !same || !same_old;
    }
    for (int a = 0; a < 3; a++)
        free(rep[a]);
    return bad;
}

/* SD of column j of B x stride replicates (NaNs skipped). */
static double sd_col(const double *rep, size_t B, size_t stride, size_t j)
{
    double s = 0, ss = 0, m = 0;
    for (size_t r = 0; r < B; r++)
        if (!isnan(rep[r * stride + j])) {
            s += rep[r * stride + j];
            m++;
        }
    for (size_t r = 0; r < B; r++)
        if (!isnan(rep[r * stride + j]))
            ss += (rep[r * stride + j] - s / m) * (rep[r * stride + j] - s / m);
    return sqrt(ss / (m - 1));
}

/* Replicates 0..2 with the QR estimator (mkba_est_ols on the counts, the
 * design dummy-coded here: district levels 1 and 2, level 0 the base).
 * Returns the largest relative difference, or -1 on failure. */
static double ols_qr_check(const mkba_cohort *c, const double *rep, double *sec)
{
    size_t n = mkba_cohort_size(c);
    uint32_t *cnt = mkba_xreallocarray(NULL, n, sizeof *cnt);
    double *w = mkba_xreallocarray(NULL, n, sizeof *w), *d1 = mkba_xreallocarray(NULL, n, 8),
           *d2 = mkba_xreallocarray(NULL, n, 8);
    const double *dist = mkba_cohort_column(c, V_DISTRICT);
    for (size_t i = 0; i < n; i++) {
        d1[i] = dist[i] == 1;
        d2[i] = dist[i] == 2;
    }
    const double *xs[8] = {mkba_cohort_column(c, V_AGE),      mkba_cohort_column(c, V_INCOME),
                           mkba_cohort_column(c, V_FEMALE),   mkba_cohort_column(c, V_CHILDREN),
                           mkba_cohort_column(c, V_TENURE),   mkba_cohort_column(c, V_HEALTH),
                           d1, d2};
    double worst = 0, t = 0;
    mkba_est_ws *ws = mkba_est_ws_alloc();
    for (size_t r = 0; r < 3 && worst >= 0; r++) {
        mkba_effect e;
        if (mkba_bootstrap_counts(c, 42, r, cnt, NULL)) {
            worst = -1;
            break;
        }
        for (size_t i = 0; i < n; i++)
            w[i] = cnt[i];
        double t0 = now(CLOCK_MONOTONIC);
        if (mkba_est_ols_ws(ws, mkba_cohort_column(c, V_WORK), NULL, mkba_cohort_group(c), 8, xs,
                            w, n, &e, NULL)) {
            worst = -1;
            break;
        }
        t += now(CLOCK_MONOTONIC) - t0;
        double rel = fabs(rep[r] - e.estimate) / fabs(e.estimate);
        worst = rel > worst ? rel : worst;
    }
    mkba_est_ws_free(ws);
    *sec = t / 3;
    free(cnt);
    free(w);
    free(d1);
    free(d2);
    return worst;
}

static int bench_ols(const mkba_cohort *c, size_t B)
{
    static const size_t cov[7] = {V_AGE,    V_INCOME, V_FEMALE,  V_CHILDREN,
                                  V_TENURE, V_HEALTH, V_DISTRICT};
    const mkba_est_spec spec = {"work_adj", V_WORK, -1, 7, cov, MKBA_EST_OLS, NULL};
    double *two = mkba_xreallocarray(NULL, B, sizeof *two);
    double *one = mkba_xreallocarray(NULL, B, sizeof *one);
    printf("ols: work adjusted for age, income, female, children, tenure, health and a "
           "3-level district (8 design columns)\n");
    double t2 = timed("ols", c, &spec, 1, B, 2, two), t1 = timed("ols", c, &spec, 1, B, 1, one);
    int bad = t2 < 0 || t1 < 0;
    if (!bad) {
        int same = memcmp(two, one, B * sizeof *one) == 0;
        int at_target = mkba_cohort_size(c) == 1000000 && B == 1000;
        printf("  ols  1 -> 2 threads: %.2fx; target >= 1.9x: %s   [%s]\n", t1 / t2,
               verdict(t1 / t2, 1.9, 1), cmd);
        printf("  ols  %zu replicates on 2 threads in %.2f s; target < 10 s at N 1000000, B 1000: "
               "%s   [%s]\n",
               B, t2, at_target ? verdict(t2, 10, 0) : "not judged at this N and B", cmd);
        printf("  ols  replicates identical on 1 and 2 threads: %s (target yes): %s   [%s]\n",
               same ? "yes" : "NO", same ? "met" : "NOT met", cmd);
        bad = !same;
        double qr_sec, worst = B >= 3 ? ols_qr_check(c, two, &qr_sec) : 0;
        if (B >= 3 && worst >= 0)
            printf("  ols  QR estimator (mkba_est_ols, before the speed-up): %.1f ms per "
                   "replicate, %.0fx today's; largest relative difference over 3 replicates "
                   "%.1e   [%s]\n",
                   1e3 * qr_sec, qr_sec / (t1 / (double)B), worst, cmd);
        mkba_effect e;
        if (worst < 0 || mkba_estimate(c, &spec, &e, NULL)) {
            fprintf(stderr, "bench_bootstrap: the QR check failed\n");
            bad = 1;
        } else {
            double se = sd_col(two, B, 1, 0), within = 2 / sqrt(2.0 * (double)B);
            printf("  ols  bootstrap SE %.6g, HC1 SE of the full fit %.6g: ratio %.3f; target 1 "
                   "within %.3f (2 / sqrt(2B)): %s   [%s]\n",
                   se, e.se, se / e.se, within, verdict(fabs(se / e.se - 1), within, 0), cmd);
        }
    }
    free(two);
    free(one);
    return bad;
}

static int bench_ps(const mkba_cohort *c, size_t B_all)
{
    static const mkba_est_term terms[7] = {{V_AGE, -1},    {V_INCOME, -1}, {V_FEMALE, -1},
                                           {V_CHILDREN, -1}, {V_TENURE, -1}, {V_HEALTH, -1},
                                           {V_DISTRICT, -1}};
    const mkba_ps_spec ps = {7, terms, MKBA_ESTIMAND_ATT, 0};
    const mkba_est_spec specs[2] = {{"work_ipw", V_WORK, -1, 0, NULL, MKBA_EST_IPW, &ps},
                                    {"hours_dr", V_HOURS, V_HOURS_PRE, 0, NULL, MKBA_EST_DR, &ps}};
    size_t B = B_all < 200 ? B_all : 200;
    enum { ROUNDS = 2 }; /* 50 replicates a thread on 2; each call fits the model once */
    double *rep[2]; /* on 1 thread, on 2 */
    for (int a = 0; a < 2; a++)
        rep[a] = mkba_xreallocarray(NULL, 2 * B, sizeof **rep);
    run_time t[2] = {{0, 0}, {0, 0}};
    printf("ps: work (ipw) and hours (dr, did) on a propensity model of 7 variables (9 design "
           "columns), %zu replicates in %d rounds, each round on 1 and on 2 threads over the same "
           "replicates, their order turned each round\n",
           B, ROUNDS);
    double t0 = now(CLOCK_MONOTONIC), cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);
    mkba_ps_plan *plan = mkba_ps_plan_new(c, specs, 2, 1, NULL, NULL);
    double setup = now(CLOCK_MONOTONIC) - t0, setup_cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    int bad = plan == NULL;
    mkba_ps_plan_free(plan);
    for (size_t round = 0; round < ROUNDS && !bad; round++) {
        size_t lo = B * round / ROUNDS, hi = B * (round + 1) / ROUNDS;
        for (size_t step = 0; step < 2 && hi > lo && !bad; step++) {
            int a = (int)((round + step) % 2);
            bad |= today_part(c, specs, 2, lo, hi - lo, a + 1, rep[a] + lo * 2, &t[a]);
        }
    }
    if (!bad) {
        for (int a = 0; a < 2; a++)
            printf("  ps   %zu replicates, %d thread%s: wall %7.3f s (%.3f ms per replicate, cpu "
                   "%.2f s)   [%s]\n",
                   B, a + 1, a ? "s" : "", t[a].wall, 1e3 * t[a].wall / (double)B, t[a].cpu, cmd);
        int same = memcmp(rep[0], rep[1], 2 * B * sizeof **rep) == 0;
        printf("  ps   setup (the effects coded and checked, the propensity model fitted once "
               "on the full data: mkba_ps_plan_new; each round's calls include it): %.3f s (CPU "
               "%.3f s)   [%s]\n",
               setup, setup_cpu, cmd);
        printf("  ps   1 -> 2 threads, the whole calls: %.2fx (CPU %.2f -> %.2f s); target >= "
               "1.9x: %s   [%s]\n",
               t[0].wall / t[1].wall, t[0].cpu, t[1].cpu, verdict(t[0].wall / t[1].wall, 1.9, 1),
               cmd);
        printf("  ps   replicates identical on 1 and 2 threads: %s (target yes): %s   [%s]\n",
               same ? "yes" : "NO", same ? "met" : "NOT met", cmd);
        bad = !same;
    }
    for (int a = 0; a < 2; a++)
        free(rep[a]);
    return bad;
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
    const char *only = argc > 3 ? argv[3] : "";
    if (n < 100 || B == 0 || argc > 4 ||
        (argc > 3 && strcmp(only, "diff") && strcmp(only, "ols") && strcmp(only, "ps"))) {
        fprintf(stderr, "usage: bench_bootstrap [N >= 100 [B >= 1 [diff|ols|ps]]]\n");
        return 1;
    }
    snprintf(cmd, sizeof cmd, "%s %zu %zu%s%s", argv[0], n, B, *only ? " " : "", only);
    mkba_cohort *c = make_cohort(n);
    if (!c) {
        fprintf(stderr, "bench_bootstrap: could not build the cohort\n");
        return 1;
    }
    printf("command: %s\npersons %zu, replicates %zu, cores online %ld\n", cmd, n, B,
           sysconf(_SC_NPROCESSORS_ONLN));
    int bad = 0;
    if (!*only || !strcmp(only, "diff"))
        bad |= bench_diff(c, B);
    if (!*only || !strcmp(only, "ols"))
        bad |= bench_ols(c, B);
    if (!*only || !strcmp(only, "ps"))
        bad |= bench_ps(c, B);
    mkba_cohort_free(c);
    return bad;
}

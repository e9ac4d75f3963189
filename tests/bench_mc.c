/* bench.c - the speed and memory figures of `make bench`.
 *
 *   1. Monte Carlo draws per second of the benchmark reference model
 *      (tests/bench/: 25 uncertain parameters of mixed distributions, 10
 *      items, 10 years, 4 stakeholders, a reference and a project scenario
 *      with common random numbers), with every column's statistics and
 *      the value of information as a run makes them, and of the draw loop
 *      alone, on 1 thread and on all threads;
 *   2. the whole run (`mkba run` with every output but charts) of the
 *      reference model: time and peak RSS at 1e6 and 1e7 draws, bytes per
 *      draw, 1 -> all threads;
 *   3. the draws per second of the Almere example (bootstrap replicates
 *      made first);
 *   4. CSV parse speed (MB/s) and peak memory of reading a large generated
 *      cohort, against the size of its numeric data;
 *   5. the Sobol indices of the benchmark reference model (sample, model
 *      evaluations, bootstrap) on 1 thread and on all threads.
 * Every figure is a ratio measured in this run; the command line to
 * reproduce it is printed with it. */
/* wait4, for the peak memory of a child, is BSD's and Linux's. */
#define _DEFAULT_SOURCE
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mkba/bootstrap.h"
#include "mkba/cohort.h"
#include "mkba/model.h"
#include "mkba/sens.h"
#include "mkba/sim.h"
#include "mkba/summary.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static mkba_model *open_or_die(const char *ref, const char *project)
{
    mkba_error err;
    mkba_error_clear(&err);
    const char *proj[] = {project};
    mkba_model *m = mkba_model_open(ref, 1, proj, &err);
    if (!m) {
        fprintf(stderr, "bench: %s:%ld: %s\n", err.file, err.line, err.msg);
        exit(1);
    }
    return m;
}

/* Draws per second of the Monte Carlo as mkba run makes it (mkba_mc_stream:
 * the draws, every column's statistics and the value of information, on
 * 'threads' threads), and of the draw loop alone (mkba_sim_run, the
 * stakeholder columns kept: *sim_rate). Best of 3 runs each. *npv_mean:
 * society's NPV mean of the project. */
static double draws_per_second(const mkba_plan *p, size_t draws, int threads,
                               const double *boot, size_t n_boot, double *npv_mean,
                               double *sim_rate)
{
    double best = 0;
    *sim_rate = 0;
    for (int rep = 0; rep < 3; rep++) {
        mkba_sim_opts o = {.draws = draws, .seed = 42, .threads = threads, .bootstrap = boot,
                           .n_boot = n_boot, .keep_items = MKBA_SIM_ITEMS_AUTO,
                           .keep_uncertain = MKBA_SIM_INPUTS_REGEN, .keep_finance = 1,
                           .shape = MKBA_SIM_SHAPE_KEEP}; /* as a run with charts */
        mkba_error err;
        mkba_error_clear(&err);
        double t0 = now();
        mkba_mc *mc = mkba_mc_stream(p, &o, boot, n_boot, 0, &err);
        double rate = (double)draws / (now() - t0);
        mkba_sim_opts so = {.draws = draws, .seed = 42, .threads = threads, .bootstrap = boot,
                            .n_boot = n_boot};
        mkba_sim *s = mc ? mkba_sim_run(p, &so, &err) : NULL;
        if (!s) {
            fprintf(stderr, "bench: %s\n", err.msg);
            exit(1);
        }
        best = rate > best ? rate : best;
        if ((double)draws / s->seconds > *sim_rate)
            *sim_rate = (double)draws / s->seconds;
        *npv_mean = mc->npv[1 * (p->n_stakeholders + 1) + p->n_stakeholders].mean;
        mkba_sim_free(s);
        mkba_mc_free(mc);
    }
    return best;
}

static void bench_model(const char *title, const char *ref, const char *project, size_t draws,
                        int with_bootstrap)
{
    mkba_model *m = open_or_die(ref, project);
    const mkba_plan *p = mkba_model_plan(m);
    double *boot = NULL;
    size_t n_boot = 0;
    mkba_cohort *c = NULL;
    if (with_bootstrap && mkba_model_cohort_spec(m)) {
        mkba_error err;
        mkba_error_clear(&err);
        c = mkba_cohort_read(mkba_model_cohort_spec(m), &err);
        if (!c) {
            fprintf(stderr, "bench: %s\n", err.msg);
            exit(1);
        }
        mkba_model_set_cohort_counts(m, mkba_cohort_count(c, MKBA_PILOT),
                                     mkba_cohort_count(c, MKBA_CONTROL));
        for (size_t i = 0; i < mkba_model_n_outcomes(m); i++) {
            mkba_effect e;
            if (mkba_estimate(c, mkba_model_est_spec(m, i), &e, &err)) {
                fprintf(stderr, "bench: %s\n", err.msg);
                exit(1);
            }
            mkba_model_set_effect(m, i, &e, 0, 0);
        }
        n_boot = 1000;
        boot = calloc(n_boot * p->n_outcomes + 1, sizeof *boot);
        mkba_bootstrap(c, mkba_model_est_spec(m, 0), p->n_outcomes, n_boot, 42, 0, boot, NULL,
                       &err);
    }
    int cores = mkba_sim_cores();
    double mean1, meanN, s1, sN;
    double r1 = draws_per_second(p, draws, 1, boot, n_boot, &mean1, &s1);
    double rN = draws_per_second(p, draws, cores, boot, n_boot, &meanN, &sN);
    printf("%s (%zu uncertain quantities, %zu items, %zu years, %zu stakeholders)\n", title,
           p->n_uncertain, p->n_items, p->horizon, p->n_stakeholders);
    printf("  draws/s of the Monte Carlo (draws, every column's statistics, value of information), "
           "1 thread:   %12.0f\n", r1);
    printf("  draws/s of the Monte Carlo (draws, every column's statistics, value of information), "
           "%2d threads: %12.0f   (scaling %.2fx)\n", cores, rN, rN / r1);
    printf("  draws/s of the draw loop alone: %.0f on 1 thread, %.0f on %d (scaling %.2fx)\n", s1,
           sN, cores, sN / s1);
    printf("  same results on 1 and %d threads: %s (mean NPV %.6f)\n", cores,
           mean1 == meanN ? "yes" : "NO", mean1);
    printf("  reproduce (with the model's reading and the tables): build-bench/mkba run %s --draws %zu "
           "--threads 1 -q --no-charts --out /tmp/r\n", project, draws);
    free(boot);
    mkba_cohort_free(c);
    mkba_model_free(m);
}

/* ---- the whole run: mkba run with every output but charts ---- */

/* Run argv in a child with its stdout into 'out_file' (or /dev/null): wall
 * time, and peak RSS (bytes) in *rss; -1 when it failed. */
static double timed_child(char *const argv[], const char *out_file, double *rss)
{
    double t0 = now();
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen(out_file ? out_file : "/dev/null", "w", stdout))
            _exit(127);
        setenv("OMP_NUM_THREADS", "1", 1); /* numpy: one thread, as mkba's --threads 1 */
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        execv(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
        return -1;
    double wall = now() - t0;
    *rss = (double)ru.ru_maxrss * 1024.0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? wall : -1;
}

/* Wall time and peak RSS (bytes) of `build-bench/mkba run` of the bench
 * reference model in a child process; -1 when it failed. With 'sd' not
 * NULL, society's NPV mean and its standard error (SD / sqrt(draws)) from
 * mc_summary.csv. 'budget' not NULL: --memory-budget budget. 'keep' not
 * NULL: the output directory, kept (else a temporary one, removed). */
static double whole_run_in(size_t draws, int threads, const char *budget, const char *keep,
                           double *rss, double *mean, double *se)
{
    char d[32], t[16], tmp[] = "/tmp/mkba-bench-run-XXXXXX";
    const char *out = keep ? keep : mkdtemp(tmp);
    if (!out)
        return -1;
    snprintf(d, sizeof d, "%zu", draws);
    snprintf(t, sizeof t, "%d", threads);
    char *argv[] = {"build-bench/mkba", "run", "tests/bench/project.ini", "--draws", d,
                    "--threads", t, "--seed", "7", "-q", "--no-charts", "--out", (char *)out,
                    budget ? "--memory-budget" : NULL, (char *)budget, NULL};
    double wall = timed_child(argv, NULL, rss);
    if (mean) {
        char path[96], line[512];
        snprintf(path, sizeof path, "%s/mc_summary.csv", out);
        FILE *fp = fopen(path, "r");
        *mean = *se = NAN;
        while (fp && fgets(line, sizeof line, fp)) {
            double m, sd;
            if (sscanf(line, "project,society,npv,%lf,%lf", &m, &sd) == 2)
                *mean = m, *se = sd / sqrt((double)draws);
        }
        if (fp)
            fclose(fp);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", out);
    if (!keep && system(cmd) != 0)
        return -1;
    return wall;
}

static double whole_run_npv(size_t draws, int threads, double *rss, double *mean, double *se)
{
    return whole_run_in(draws, threads, NULL, NULL, rss, mean, se);
}

static double whole_run(size_t draws, int threads, double *rss)
{
    return whole_run_npv(draws, threads, rss, NULL, NULL);
}

/* tests/bench/numpy_reference.py at 'draws' (seed 7): wall time (python's
 * start and numpy's import included, as mkba's whole process is), peak RSS,
 * society's NPV mean and standard error; -1 when it failed. */
static double numpy_run(size_t draws, double *rss, double *mean, double *se)
{
    char d[32], out[] = "/tmp/mkba-bench-np-XXXXXX", line[512];
    int fd = mkstemp(out);
    if (fd < 0)
        return -1;
    close(fd);
    snprintf(d, sizeof d, "%zu", draws);
    char *argv[] = {"/usr/bin/python3", "tests/bench/numpy_reference.py", d, "7", NULL};
    double wall = timed_child(argv, out, rss);
    FILE *fp = fopen(out, "r");
    *mean = *se = NAN;
    while (fp && fgets(line, sizeof line, fp))
        sscanf(line, "society_npv_mean %lf %lf", mean, se);
    if (fp)
        fclose(fp);
    unlink(out);
    return isnan(*mean) ? -1 : wall;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of t[0..n) (n odd), t reordered. */
static double median_of(double *t, size_t n)
{
    qsort(t, n, sizeof *t, cmp_double);
    return t[n / 2];
}

/* mkba's whole run against numpy's (1 thread each) at 'draws': 'runs'
 * (odd) runs of each, interleaved so that both see the same machine, and
 * the medians compared (numpy's time varies by tens of percent from run to
 * run with the kernel's time to give it fresh pages). */
static void bench_numpy(size_t draws, size_t runs)
{
    double rm, rn, mm, sm, mn, sn, tm[5], tn[5];
    for (size_t r = 0; r < runs; r++) {
        tm[r] = whole_run_npv(draws, 1, &rm, &mm, &sm);
        tn[r] = numpy_run(draws, &rn, &mn, &sn);
        if (tm[r] < 0 || tn[r] < 0) {
            printf("  %zu draws: FAILED (mkba %s, numpy %s)\n", draws,
                   tm[r] < 0 ? "failed" : "ran", tn[r] < 0 ? "failed" : "ran");
            return;
        }
    }
    printf("  %9zu draws, seconds of %zu interleaved runs: mkba", draws, runs);
    for (size_t r = 0; r < runs; r++)
        printf(" %.2f", tm[r]);
    printf(", numpy");
    for (size_t r = 0; r < runs; r++)
        printf(" %.2f", tn[r]);
    printf("\n");
    double m = median_of(tm, runs), n = median_of(tn, runs);
    double z = fabs(mm - mn) / sqrt(sm * sm + sn * sn);
    printf("  %9zu draws: mkba %6.2f s (%6.0f MiB), numpy %6.2f s (%6.0f MiB), medians: mkba "
           "%.2fx faster [target >= 2x: %s]\n",
           draws, m, rm / 1048576, n, rn / 1048576, n / m, n / m >= 2 ? "met" : "NOT met");
    printf("             society NPV mean: mkba %.6g, numpy %.6g, |diff| = %.2f combined SE "
           "[< 4: %s]\n", mm, mn, z, z < 4 ? "agree" : "DISAGREE");
}

static void bench_vs_numpy(void)
{
    printf("Whole run against a vectorised numpy implementation of the same model "
           "(tests/bench/numpy_reference.py), 1 thread each\n");
    if (access("/usr/bin/python3", X_OK) != 0 ||
        system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0) {
        printf("  skipped: /usr/bin/python3 with numpy not found (sudo apt-get install "
               "python3-numpy)\n");
        return;
    }
    bench_numpy(1000000, 5);
    bench_numpy(10000000, 1); /* some 25 s a pair: one */
    printf("  reproduce: /usr/bin/time -v /usr/bin/python3 tests/bench/numpy_reference.py 1e7 7; "
           "/usr/bin/time -v build-bench/mkba run tests/bench/project.ini --draws 10000000 "
           "--threads 1 --seed 7 -q --no-charts --out /tmp/r\n");
}

/* Whether every table and results.json (but its run date) of two
 * output directories are the same bytes. */
static int same_tables(const char *a, const char *b)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "cd %s && for f in *.csv; do cmp -s $f %s/$f || exit 1; done && "
             "grep -v run_date results.json > /tmp/mkba-bench-a.json && "
             "grep -v run_date %s/results.json > /tmp/mkba-bench-b.json && "
             "cmp -s /tmp/mkba-bench-a.json /tmp/mkba-bench-b.json",
             a, b, b);
    return system(cmd) == 0;
}

static void bench_whole_run(size_t draws)
{
    int cores = mkba_sim_cores();
    double rss1, rssN, rss10;
    /* ROUNDS interleaved runs on 1 and on all threads, the medians compared:
     * this machine's speed drifts by some 5% between runs */
    enum { ROUNDS = 9 };
    double r1[ROUNDS], rN[ROUNDS];
    printf("Whole run of the benchmark reference model (tables, results.json, value of "
           "information; no charts)\n");
    for (int r = 0; r < ROUNDS; r++) {
        r1[r] = whole_run(draws, 1, &rss1);
        rN[r] = whole_run(draws, cores, &rssN);
        if (r1[r] < 0 || rN[r] < 0) {
            printf("  FAILED to run build-bench/mkba\n");
            return;
        }
    }
    printf("  %zu draws, seconds of %d interleaved runs: 1 thread", draws, (int)ROUNDS);
    for (int r = 0; r < ROUNDS; r++)
        printf(" %.3f", r1[r]);
    printf(", %d threads", cores);
    for (int r = 0; r < ROUNDS; r++)
        printf(" %.3f", rN[r]);
    printf("\n");
    double t1 = median_of(r1, ROUNDS), tN = median_of(rN, ROUNDS);
    printf("  %zu draws, 1 thread:   %7.2f s, peak RSS %7.1f MiB\n", draws, t1, rss1 / 1048576);
    printf("  %zu draws, %2d threads: %7.2f s, peak RSS %7.1f MiB   (1 -> %d threads: %.2fx "
           "[target >= 1.9x: %s])\n", draws, cores, tN, rssN / 1048576, cores, t1 / tN,
           t1 / tN >= 1.9 ? "met" : "NOT met");
    printf("  reproduce: /usr/bin/time -v build-bench/mkba run tests/bench/project.ini --draws %zu "
           "--threads 1 --seed 7 -q --no-charts --out /tmp/r\n", draws);
    char mem[] = "/tmp/mkba-bench-mem-XXXXXX", str[] = "/tmp/mkba-bench-str-XXXXXX";
    if (!mkdtemp(mem) || !mkdtemp(str))
        return;
    double t10 = whole_run_in(10 * draws, cores, NULL, mem, &rss10, NULL, NULL);
    if (t10 < 0) {
        printf("  %zu draws: FAILED\n", 10 * draws);
        return;
    }
    printf("  %zu draws, %2d threads: %7.2f s (%.1fx the time of %zu draws [target 10x: time "
           "linear in draws]), peak RSS %.1f MiB: %.0f bytes per draw more than at %zu draws "
           "[target at most about 100]\n",
           10 * draws, cores, t10, t10 / tN, draws, rss10 / 1048576,
           (rss10 - rssN) / (9.0 * (double)draws), draws);
    printf("  reproduce: /usr/bin/time -v build-bench/mkba run tests/bench/project.ini --draws %zu "
           "--threads %d --seed 7 -q --no-charts --out /tmp/r\n", 10 * draws, cores);
    /* nothing per draw kept: the NPV curve's pass makes the draws again */
    double rs10, ts10 = whole_run_in(10 * draws, cores, "0", str, &rs10, NULL, NULL);
    printf("  %zu draws streamed (--memory-budget 0: nothing kept per draw), %d threads: %7.2f s "
           "(%.2fx the time of the run above), peak RSS %.1f MiB; tables byte-identical to it: "
           "%s\n",
           10 * draws, cores, ts10, ts10 / t10, rs10 / 1048576,
           ts10 >= 0 && same_tables(mem, str) ? "yes" : "NO");
    printf("  reproduce: /usr/bin/time -v build-bench/mkba run tests/bench/project.ini --draws %zu "
           "--threads %d --seed 7 -q --no-charts --out /tmp/r --memory-budget 0\n",
           10 * draws, cores);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s %s", mem, str);
    if (system(cmd) != 0)
        return;
    /* A billion draws, streamed: memory must not grow with the draws.
     * Long (about twice the time of one pass over 1e9 draws); skipped
     * unless MKBA_BENCH_BILLION is set. */
    size_t big = 1000000000;
    if (!getenv("MKBA_BENCH_BILLION")) {
        printf("  %zu draws streamed: skipped (MKBA_BENCH_BILLION=1 make bench runs it: some %.0f "
               "minutes here, two passes)\n", big, 2 * ts10 * (double)big / (10.0 * (double)draws) / 60);
        return;
    }
    double rb, tb = whole_run_in(big, cores, "0", NULL, &rb, NULL, NULL);
    printf("  %zu draws streamed, %d threads: %s %.0f s, peak RSS %.1f MiB [target < 1024 MiB: "
           "%s]\n", big, cores, tb < 0 ? "FAILED after" : "", tb, rb / 1048576,
           tb >= 0 && rb < 1024.0 * 1048576 ? "met" : "NOT met");
    printf("  reproduce: /usr/bin/time -v build-bench/mkba run tests/bench/project.ini --draws %zu "
           "--threads %d --seed 7 -q --no-charts --out /tmp/r --memory-budget 0\n", big, cores);
}

/* ---- CSV parse speed and peak memory ---- */

static void write_cohort(const char *path, size_t n, int cols)
{
    FILE *fp = fopen(path, "w");
    if (!fp) {
        perror(path);
        exit(1);
    }
    fprintf(fp, "id,groep");
    for (int c = 0; c < cols; c++)
        fprintf(fp, ",v%d", c);
    fputc('\n', fp);
    unsigned long long x = 88172645463325252ULL; /* xorshift64: a fixed, cheap stream */
    for (size_t i = 0; i < n; i++) {
        fprintf(fp, "P%zu,%s", i, i % 2 ? "pilot" : "regulier");
        for (int c = 0; c < cols; c++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            fprintf(fp, ",%.2f", (double)(x % 100000) / 100.0);
        }
        fputc('\n', fp);
    }
    fclose(fp);
}

static void bench_csv(size_t n)
{
    const int cols = 10;
    char path[] = "/tmp/mkba-bench-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        return;
    }
    close(fd);
    write_cohort(path, n, cols);
    struct stat sb;
    stat(path, &sb);
    int pipefd[2];
    if (pipe(pipefd) != 0)
        return;
    pid_t pid = fork();
    if (pid == 0) { /* a child, so that its peak memory is the read's alone */
        mkba_cohort_var vars[10];
        char names[10][8];
        for (int c = 0; c < cols; c++) {
            snprintf(names[c], sizeof names[c], "v%d", c);
            vars[c] = (mkba_cohort_var){names[c], names[c], MKBA_VAR_NONNEG, 0};
        }
        mkba_cohort_spec spec = {.file = path, .group_column = "groep", .pilot_value = "pilot",
                                 .control_value = "regulier", .id_column = NULL,
                                 .dialect = {0, -1}, .n_vars = (size_t)cols, .vars = vars};
        struct rusage ru0;
        getrusage(RUSAGE_SELF, &ru0);
        mkba_error err;
        mkba_error_clear(&err);
        double t0 = now();
        mkba_cohort *c = mkba_cohort_read(&spec, &err);
        double t = now() - t0;
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        double res[3] = {t, (double)ru0.ru_maxrss * 1024.0, (double)ru.ru_maxrss * 1024.0};
        if (!c)
            res[0] = -1;
        if (write(pipefd[1], res, sizeof res) != (ssize_t)sizeof res)
            _exit(1);
        mkba_cohort_free(c);
        _exit(0);
    }
    double res[3] = {-1, 0, 0};
    if (read(pipefd[0], res, sizeof res) != (ssize_t)sizeof res)
        res[0] = -1;
    waitpid(pid, NULL, 0);
    close(pipefd[0]);
    close(pipefd[1]);
    double numeric = (double)n * (cols * 8.0 + 1.0); /* doubles + the group byte */
    printf("CSV cohort read (%zu persons, %d numeric columns, %.1f MB file)\n", n, cols,
           (double)sb.st_size / 1e6);
    if (res[0] < 0)
        printf("  FAILED to read\n");
    else
        printf("  parse speed:              %12.1f MB/s\n"
               "  peak memory of the read:  %12.1f MB = %.2fx the numeric data (%.1f MB)\n",
               (double)sb.st_size / 1e6 / res[0], (res[2] - res[1]) / 1e6,
               (res[2] - res[1]) / numeric, numeric / 1e6);
    unlink(path);
}

/* ---- Sobol indices on 1 and all threads ---- */

/* Seconds of mkba_sens_sobol of the bench model with base sample n on
 * 'threads' threads, into *out (the caller frees it). */
static double sobol_seconds(const mkba_plan *p, size_t n, int threads, mkba_sens **out)
{
    mkba_error err;
    mkba_error_clear(&err);
    mkba_sens *s = mkba_sens_run(p, &err);
    double t0 = now();
    if (!s || mkba_sens_sobol(s, p, n, 42, threads, &err) != MKBA_OK) {
        fprintf(stderr, "bench: %s\n", err.msg);
        exit(1);
    }
    *out = s;
    return now() - t0;
}

static void bench_sobol(size_t n)
{
    mkba_model *m = open_or_die("tests/bench/reference.ini", "tests/bench/project.ini");
    const mkba_plan *p = mkba_model_plan(m);
    int cores = mkba_sim_cores();
    double t1 = INFINITY, tN = INFINITY;
    int same = 1;
    for (int rep = 0; rep < 3; rep++) { /* interleaved, best of 3 */
        mkba_sens *a, *b;
        double x = sobol_seconds(p, n, 1, &a), y = sobol_seconds(p, n, cores, &b);
        t1 = x < t1 ? x : t1;
        tN = y < tN ? y : tN;
        size_t md = a->sobol->m * a->sobol->d * sizeof(double);
        same &= memcmp(a->sobol->first, b->sobol->first, md) == 0 &&
                memcmp(a->sobol->total, b->sobol->total, md) == 0 &&
                memcmp(a->sobol->first_lo, b->sobol->first_lo, md) == 0 &&
                memcmp(a->sobol->total_hi, b->sobol->total_hi, md) == 0;
        mkba_sens_free(a);
        mkba_sens_free(b);
    }
    printf("Sobol indices of the benchmark reference model (N = %zu: %zu model evaluations, "
           "200 bootstrap replicates)\n", n, n * (p->n_uncertain + p->n_outcomes + 2));
    printf("  1 thread: %.2f s, %d threads: %.2f s (scaling %.2fx) [target >= 1.9x: %s]\n", t1,
           cores, tN, t1 / tN, t1 / tN >= 1.9 ? "met" : "NOT met");
    printf("  same indices on 1 and %d threads: %s\n", cores, same ? "yes" : "NO");
    printf("  reproduce: build-bench/mkba run tests/bench/project.ini --draws 1000 --sensitivity "
           "--sobol %zu --threads 1 -q --no-charts --out /tmp/r (and --threads %d)\n", n, cores);
    mkba_model_free(m);
}

int main(int argc, char **argv)
{
    /* line by line: a child started later must not inherit (and print
     * again) what is still in the buffer */
    setvbuf(stdout, NULL, _IOLBF, 0);
    gsl_set_error_handler_off();
    size_t draws = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    size_t persons = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
    printf("mkba benchmark (%d cores)\n\n", mkba_sim_cores());
    /* The runs in child processes first, while this process is small: a
     * child's peak memory (wait4) counts what it inherits from the fork
     * until its exec, and the Monte Carlo in this process below grows it
     * past a whole run's peak (it read 50 MiB for a 39 MiB run). */
    bench_whole_run(draws);
    bench_vs_numpy();
    printf("\n");
    bench_model("Benchmark reference model", "tests/bench/reference.ini", "tests/bench/project.ini",
                draws, 0);
    printf("\n");
    bench_model("Almere example", "scenarios/almere-regular.ini", "scenarios/almere-pilot.ini",
                draws / 4, 1);
    printf("\n");
    bench_csv(persons);
    printf("\n");
    bench_sobol(20000);
    return 0;
}

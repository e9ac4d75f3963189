/* check_interrupt.c - a run stopped by a signal leaves the old results or
 * the new ones, whole, with no temporary files beside them.
 *
 * The Almere example is run twice to completion into two directories
 * (seed 1: the "old" results; seed 2 with the sensitivity analysis and
 * the report: the "new" ones). Then the seed-2 run is started again over
 * a copy of the old results and stopped by SIGTERM or SIGINT at moments
 * spread over its duration (estimation, Monte Carlo, tables, charts,
 * report). After each stop every file must equal its old or its new
 * version (time stamps of the run blanked), every old
 * file must still be there, and no "*.tmp.*" file or ".mkba-charts.*"
 * directory may be left. A run into a directory that did not exist leaves
 * none, or one with all of the new files. Which phase a stop hits depends on the machine;
 * the assertions hold for any. */
#define _DEFAULT_SOURCE /* usleep */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define MAX_FILES 256

/* A snapshot of a results directory (and its charts/): paths relative to
 * it, with contents. */
typedef struct snap {
    size_t n;
    char *name[MAX_FILES];
    char *text[MAX_FILES];
    size_t len[MAX_FILES];
} snap;

/* results.json and the report hold the moment of the run, as
 * "2026-11-23T06:43:22Z": blank every such time stamp. */
static void mask_run_date(char *text, size_t len)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    size_t n = sizeof shape - 1;
    for (size_t i = 0; i + n <= len; i++) {
        size_t k = 0;
        while (k < n && (shape[k] == 'd' ? text[i + k] >= '0' && text[i + k] <= '9'
                                         : text[i + k] == shape[k]))
            k++;
        if (k == n)
            memset(text + i, '_', n);
    }
}

/* Add a file to s (a tu_walk_fn); a temporary name fails the test. */
static int snap_entry(const char *rel, const char *full, const struct stat *st, void *ctx)
{
    snap *s = ctx;
    ck_assert_msg(!strstr(rel, ".tmp.") && !strstr(rel, ".mkba-charts"),
                  "a temporary file was left behind: %s", full);
    if (S_ISDIR(st->st_mode))
        return 0;
    ck_assert_uint_lt(s->n, MAX_FILES);
    s->name[s->n] = strdup(rel);
    s->text[s->n] = tu_read_len(full, &s->len[s->n]);
    ck_assert_msg(s->text[s->n] != NULL, "cannot read %s", full);
    mask_run_date(s->text[s->n], s->len[s->n]);
    s->n++;
    return 0;
}

/* Every file below 'root' into s. */
static void snap_dir(snap *s, const char *root)
{
    tu_walk(root, snap_entry, s);
}

static void snap_free(snap *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->name[i]), free(s->text[i]);
    s->n = 0;
}

static long find(const snap *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->name[i], name) == 0)
            return (long)i;
    return -1;
}

static int same(const snap *a, size_t i, const snap *b, long j)
{
    return j >= 0 && a->len[i] == b->len[j] && memcmp(a->text[i], b->text[j], a->len[i]) == 0;
}

/* Run mkba with 'args' (NULL-ended); stop it with 'sig' after 'delay_us'
 * microseconds (0: let it finish). Returns the wait status. */
static int run_stopped(const char *const *args, int sig, long delay_us)
{
    const char *bin = getenv("MKBA_BIN");
    ck_assert_msg(bin && *bin, "MKBA_BIN is not set (run the tests with make check)");
    const char *argv[32];
    size_t k = 0;
    argv[k++] = bin;
    for (size_t i = 0; args[i]; i++)
        argv[k++] = args[i];
    argv[k] = NULL;
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        if (chdir(tu_srcdir()) != 0)
            _exit(127);
        signal(SIGINT, SIG_DFL); /* a background job may inherit it ignored */
        signal(SIGTERM, SIG_DFL);
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0)
            dup2(devnull, 0), dup2(devnull, 1);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    if (delay_us > 0) {
        usleep((useconds_t)delay_us);
        kill(pid, sig);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void copy_tree(const char *from, const char *to)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -a '%s' '%s'", to, from, to);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(stopped_run_leaves_old_or_new)
{
    char *tmp = tu_tmpdir();
    char *old_dir = tu_path(tmp, "old"), *new_dir = tu_path(tmp, "new");
    char *work = tu_path(tmp, "work"), *old_rep = tu_path(old_dir, "report.html");
    char *new_rep = tu_path(new_dir, "report.html"), *work_rep = tu_path(work, "report.html");
#define RUN_ARGS(dir, rep, seed, extra)                                                        \
    {"run",  "scenarios/almere-pilot.ini", "scenarios/almere-liaison.ini", "--draws", "60000", \
     "--seed", seed, "--out", dir, "--report", rep, "-q", extra, NULL}
    const char *a_old[] = RUN_ARGS(old_dir, old_rep, "1", NULL);
    const char *a_new[] = RUN_ARGS(new_dir, new_rep, "2", "--sensitivity");
    const char *a_work[] = RUN_ARGS(work, work_rep, "2", "--sensitivity");
    int st = run_stopped(a_old, 0, 0);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the first run failed");
    double t0 = now();
    st = run_stopped(a_new, 0, 0);
    double took = now() - t0;
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the second run failed");
    snap olds = {0}, news = {0};
    snap_dir(&olds, old_dir);
    snap_dir(&news, new_dir);
    ck_assert_uint_gt(olds.n, 20); /* tables, charts, report */
    /* Stops at 5%, 15%, ..., 95% of the run's duration; SIGINT and SIGTERM
     * in turn. */
    int stopped = 0;
    for (int k = 0; k < 10; k++) {
        /* Every third stop is of a run into a directory that does not
         * exist yet: it must not exist after the stop, or hold all of the
         * new results (the stop came after they were published). */
        int fresh = k % 3 == 2;
        if (fresh) {
            char cmd[4200];
            snprintf(cmd, sizeof cmd, "rm -rf '%s'", work);
            ck_assert_int_eq(system(cmd), 0);
        } else {
            copy_tree(old_dir, work);
        }
        int sig = k % 2 ? SIGINT : SIGTERM;
        st = run_stopped(a_work, sig, (long)(1e6 * took * (0.05 + 0.1 * k)));
        if (WIFSIGNALED(st)) {
            ck_assert_int_eq(WTERMSIG(st), sig);
            stopped++;
        } else {
            ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "run %d failed", k);
        }
        struct stat sb;
        if (fresh && stat(work, &sb) != 0)
            continue; /* nothing was created: as it was */
        snap now_s = {0};
        snap_dir(&now_s, work); /* fails on a temporary file */
        if (fresh) {
            ck_assert_msg(now_s.n == news.n, "stop %d in a new directory: %zu of %zu files", k,
                          now_s.n, news.n);
            for (size_t i = 0; i < now_s.n; i++)
                ck_assert_msg(same(&now_s, i, &news, find(&news, now_s.name[i])),
                              "stop %d: %s is not the new file", k, now_s.name[i]);
            snap_free(&now_s);
            continue;
        }
        for (size_t i = 0; i < now_s.n; i++) {
            const char *nm = now_s.name[i];
            ck_assert_msg(same(&now_s, i, &olds, find(&olds, nm)) ||
                              same(&now_s, i, &news, find(&news, nm)),
                          "stop %d (signal %d at %.0f%%): %s is neither the old nor the new file",
                          k, sig, 5 + 10.0 * k, nm);
        }
        for (size_t i = 0; i < olds.n; i++)
            ck_assert_msg(find(&now_s, olds.name[i]) >= 0, "stop %d: %s is gone", k,
                          olds.name[i]);
        snap_free(&now_s);
    }
    ck_assert_msg(stopped > 0, "no run was stopped: the runs took %.2f s", took);
    snap_free(&olds);
    snap_free(&news);
    tu_rmtree(tmp);
    free(tmp), free(old_dir), free(new_dir), free(work), free(old_rep), free(new_rep);
    free(work_rep);
}
END_TEST

static Suite *interrupt_suite(void)
{
    Suite *s = suite_create("interrupt");
    TCase *tc = tcase_create("signals");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, stopped_run_leaves_old_or_new);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(interrupt_suite());
}

/* check_pool.c - the thread runner (stream.h, mkba_stream_parallel): every
 * task once, on a thread below the count asked, whatever the counts of
 * successive calls; its other threads kept from call to call; a task that
 * runs a region of its own; a child of fork() and exit() with the threads
 * made. A hang fails by the test's timeout or a bounded wait. */
#define _DEFAULT_SOURCE /* usleep */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mkba/stream.h"
#include "testutil.h"

/* --------------------------------------------------- every task once */

enum { N_TASKS = 1000, MAX_T = 8 };

typedef struct once_job {
    atomic_int runs[N_TASKS];
    atomic_int bad_thread;      /* a task on a thread >= threads */
    atomic_int unblocked;       /* a task off thread 0 with SIGINT not blocked */
    size_t threads;
} once_job;

static void once_task(void *ctx, size_t task, size_t thread)
{
    once_job *j = ctx;
    atomic_fetch_add(&j->runs[task], 1);
    if (thread >= j->threads)
        atomic_store(&j->bad_thread, 1);
    sigset_t set;
    if (thread > 0 && pthread_sigmask(SIG_BLOCK, NULL, &set) == 0 && !sigismember(&set, SIGINT))
        atomic_store(&j->unblocked, 1);
}

static void check_once(size_t n, int threads)
{
    static once_job j; /* atomics zeroed below */
    for (size_t i = 0; i < N_TASKS; i++)
        atomic_init(&j.runs[i], 0);
    atomic_init(&j.bad_thread, 0);
    atomic_init(&j.unblocked, 0);
    j.threads = threads > 1 ? (size_t)threads : 1;
    mkba_stream_parallel(n, threads, once_task, &j);
    for (size_t i = 0; i < N_TASKS; i++)
        ck_assert_int_eq(atomic_load(&j.runs[i]), i < n ? 1 : 0);
    ck_assert_int_eq(atomic_load(&j.bad_thread), 0);
    ck_assert_int_eq(atomic_load(&j.unblocked), 0); /* Ctrl-C is the caller's */
}

/* Thread counts up and down from call to call, more threads than tasks,
 * none and one task. */
START_TEST(test_every_task_once)
{
    static const int counts[] = {2, 1, 5, 3, MAX_T, 2, 0, -1, 4, 2};
    static const size_t sizes[] = {N_TASKS, 3, 1, 0, 7, N_TASKS};
    for (size_t c = 0; c < sizeof counts / sizeof *counts; c++)
        for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
            check_once(sizes[s], counts[c]);
}
END_TEST

/* ------------------------------------------------ threads kept, nesting */

/* Two tasks that each wait (at most 10 s) until the other has started: so
 * they run on two threads at once, the caller's and another. Each counts
 * its thread's regions in a thread-local counter: a thread kept from an
 * earlier region has counted it too. */
typedef struct meet_job {
    atomic_int started;
    int met[2];
    int regions[2];             /* the thread's count of such regions, this one included */
} meet_job;

static _Thread_local int regions_seen;

static int meet(atomic_int *started, int want)
{
    atomic_fetch_add(started, 1);
    for (int i = 0; i < 100000 && atomic_load(started) < want; i++)
        usleep(100);
    return atomic_load(started) >= want;
}

static void meet_task(void *ctx, size_t task, size_t thread)
{
    meet_job *j = ctx;
    (void)thread;
    j->met[task] = meet(&j->started, 2);
    j->regions[task] = ++regions_seen;
}

static void run_meet(meet_job *j, int threads)
{
    *j = (meet_job){.met = {0, 0}};
    atomic_init(&j->started, 0);
    mkba_stream_parallel(2, threads, meet_task, j);
    ck_assert(j->met[0] && j->met[1]);
}

START_TEST(test_threads_kept)
{
    meet_job a, b;
    run_meet(&a, 2);
    run_meet(&b, 3); /* more asked: the kept thread takes part again */
    /* the caller runs one task of each; the other task ran on a thread
     * that, kept, counts both regions */
    ck_assert_int_eq(b.regions[0] + b.regions[1], a.regions[0] + a.regions[1] + 2);
}
END_TEST

/* Between regions the threads spin a while, then sleep: regions after
 * gaps shorter and longer than the spin (a wake-up lost in the hand-over
 * leaves a task alone, and the meeting fails), and regions whose other
 * task ends after the caller's has (the caller sleeps at the end too). */
static void linger_task(void *ctx, size_t task, size_t thread)
{
    meet_task(ctx, task, thread);
    if (thread > 0)
        usleep(1000);
}

START_TEST(test_sleep_and_wake)
{
    static const useconds_t gaps[] = {0, 20, 2000, 0, 5000, 50, 1000};
    for (int round = 0; round < 30; round++) {
        meet_job j = {.met = {0, 0}};
        atomic_init(&j.started, 0);
        usleep(gaps[round % 7]);
        mkba_stream_parallel(2, 2, round % 2 ? linger_task : meet_task, &j);
        ck_assert_msg(j.met[0] && j.met[1], "round %d: the tasks did not meet", round);
    }
}
END_TEST

/* A wait in rounds: it spins at first, and then says to sleep, at every
 * round after that. */
START_TEST(test_spin_rounds)
{
    mkba_stream_spin spin = {0, 0};
    ck_assert_int_eq(mkba_stream_spin_round(&spin), 1);
    unsigned long rounds = 1;
    while (mkba_stream_spin_round(&spin))
        ck_assert_uint_lt(++rounds, 1000000000UL); /* it ends */
    ck_assert_uint_gt(rounds, 1);
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(mkba_stream_spin_round(&spin), 0);
}
END_TEST

/* Each outer task runs a region of its own (as a sensitivity analysis or
 * a bootstrap replicate runs a simulation), which must meet across two
 * threads too: the inner regions cannot wait for the outer's threads. */
typedef struct nest_job {
    atomic_int inner_runs;
    atomic_int met;
} nest_job;

typedef struct inner_job {
    nest_job *outer;
    atomic_int started;
} inner_job;

static void inner_task(void *ctx, size_t task, size_t thread)
{
    inner_job *in = ctx;
    (void)task, (void)thread;
    atomic_fetch_add(&in->outer->inner_runs, 1);
    atomic_fetch_add(&in->outer->met, meet(&in->started, 2));
}

static void outer_task(void *ctx, size_t task, size_t thread)
{
    (void)task, (void)thread;
    inner_job in = {.outer = ctx};
    atomic_init(&in.started, 0);
    mkba_stream_parallel(2, 2, inner_task, &in);
}

START_TEST(test_nested)
{
    for (int threads = 1; threads <= 3; threads++) {
        nest_job j;
        atomic_init(&j.inner_runs, 0);
        atomic_init(&j.met, 0);
        mkba_stream_parallel(6, threads, outer_task, &j);
        ck_assert_int_eq(atomic_load(&j.inner_runs), 12);
        ck_assert_int_eq(atomic_load(&j.met), 12);
    }
}
END_TEST

/* ------------------------------------------------------- fork and exit */

/* The exit status of child 'pid', or -1 if it has not ended in 20 s
 * (then killed). */
static int child_status(pid_t pid)
{
    int st;
    for (int i = 0; i < 2000; i++) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : -2;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

/* A child made after the threads were: its regions run on threads of its
 * own (the parent's are not in it), and it exits. */
START_TEST(test_fork)
{
    meet_job j;
    run_meet(&j, 2);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        run_meet(&j, 2); /* a failed assertion exits non-zero */
        run_meet(&j, 3);
        exit(j.met[0] && j.met[1] ? 7 : 1);
    }
    ck_assert_int_eq(child_status(pid), 7);
    run_meet(&j, 2); /* the parent's threads still serve */
}
END_TEST

/* exit() from a task on another thread, the region still running: the
 * process ends with its status (the threads are not waited for). */
static void exit_task(void *ctx, size_t task, size_t thread)
{
    (void)ctx, (void)task;
    if (thread > 0)
        exit(5);
    for (;;)
        pause(); /* the caller's thread never finishes its task */
}

START_TEST(test_exit)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        meet_job j;
        run_meet(&j, 2);
        mkba_stream_parallel(2, 2, exit_task, NULL);
        exit(1);
    }
    ck_assert_int_eq(child_status(pid), 5);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) { /* exit() from the caller between regions joins the threads */
        meet_job j;
        run_meet(&j, 3);
        exit(6);
    }
    ck_assert_int_eq(child_status(pid), 6);
}
END_TEST

static Suite *pool_suite(void)
{
    Suite *s = suite_create("pool");
    TCase *tc = tcase_create("runner");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_every_task_once);
    tcase_add_test(tc, test_threads_kept);
    tcase_add_test(tc, test_sleep_and_wake);
    tcase_add_test(tc, test_spin_rounds);
    tcase_add_test(tc, test_nested);
    tcase_add_test(tc, test_fork);
    tcase_add_test(tc, test_exit);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(pool_suite());
}

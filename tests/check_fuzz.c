/* check_fuzz.c - replays the fuzz corpora and the kept crash inputs.
 *
 * Every file under tests/fuzz/corpus/<target>/ (the seeds) and
 * tests/fuzz/regress/<target>/ (inputs that once crashed, hung or broke a
 * contract, minimised) runs once through the very function its libFuzzer
 * harness calls (tests/fuzz/targets.c, included below), so the fuzzers'
 * findings stay fixed in every `make check`, `make check-asan` and
 * `make valgrind`, with gcc and without clang. A target aborts on a broken
 * contract, so a failing file shows as a test that received signal 6; its
 * name is printed first (in the test's log).
 *
 * Some regression inputs are also checked for the exact error they must
 * give now (test case "Errors"). */
#include <check.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/targets.c"
#include "mkba/error.h"
#include "mkba/model.h"
#include "testutil.h"

typedef int (*target_fn)(const uint8_t *data, size_t size);

static const struct target {
    const char *name;       /* directory name under corpus/ and regress/ */
    target_fn fn;
} targets[] = {
    {"csv", mkba_fuzz_csv},
    {"model", mkba_fuzz_model},
    {"expr", mkba_fuzz_expr},
};
#define N_TARGETS (sizeof targets / sizeof targets[0])

/* ============================ File lists ============================== */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Allocation for the file lists, which main() also makes (outside any
 * test, where ck_assert cannot report). */
static void *xrealloc(void *p, size_t size)
{
    p = realloc(p, size);
    if (!p) {
        fputs("check_fuzz: out of memory\n", stderr);
        exit(EXIT_FAILURE);
    }
    return p;
}

/* The files of tests/fuzz/<kind>/<target>/, sorted by name (caller frees
 * each and the array). A missing directory has none. */
static size_t list_inputs(const char *kind, const char *target, char ***out)
{
    /* (Not tu_src: its ck_assert cannot run outside a test.) */
    size_t dlen = strlen(tu_srcdir()) + strlen(kind) + strlen(target) + 16;
    char *dir = xrealloc(NULL, dlen);
    snprintf(dir, dlen, "%s/tests/fuzz/%s/%s", tu_srcdir(), kind, target);
    size_t n = 0, cap = 16;
    char **v = xrealloc(NULL, cap * sizeof *v);
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap *= 2;
            v = xrealloc(v, cap * sizeof *v);
        }
        size_t len = strlen(dir) + strlen(de->d_name) + 2;
        v[n] = xrealloc(NULL, len);
        snprintf(v[n], len, "%s/%s", dir, de->d_name);
        n++;
    }
    if (d)
        closedir(d);
    free(dir);
    qsort(v, n, sizeof *v, cmp_str);
    *out = v;
    return n;
}

static void free_inputs(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* The whole of 'path' (caller frees), its length in *size. */
static uint8_t *read_bytes(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    size_t cap = 4096, n = 0, got;
    uint8_t *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    while ((got = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
    }
    ck_assert_msg(!ferror(fp), "cannot read %s", path);
    fclose(fp);
    *size = n;
    return buf;
}

/* Replay input number i of tests/fuzz/<kind>/<target t>/. */
static void replay(const char *kind, size_t t, int i)
{
    char **files;
    size_t n = list_inputs(kind, targets[t].name, &files);
    ck_assert_uint_lt((size_t)i, n);
    size_t size;
    uint8_t *data = read_bytes(files[i], &size);
    /* Named before the run: an abort leaves this as the last line. */
    fprintf(stderr, "replaying %s\n", files[i]);
    int rc = targets[t].fn(data, size);
    /* 0: run; -1: an input the harness does not run (a path that leaves
     * its sandbox). Seeds and regressions must all run. */
    ck_assert_msg(rc == 0, "%s: the target refused the input (%d)", files[i], rc);
    free(data);
    free_inputs(files, n);
}

#define REPLAY_TEST(kind, t)             \
    START_TEST(test_##kind##_##t)        \
    {                                    \
        replay(#kind, t, _i);            \
    }                                    \
    END_TEST

REPLAY_TEST(corpus, 0)
REPLAY_TEST(corpus, 1)
REPLAY_TEST(corpus, 2)
REPLAY_TEST(regress, 0)
REPLAY_TEST(regress, 1)
REPLAY_TEST(regress, 2)

/* Every target has seeds: an empty corpus would make the replay vacuous. */
START_TEST(test_corpora_present)
{
    for (size_t t = 0; t < N_TARGETS; t++) {
        char **files;
        size_t n = list_inputs("corpus", targets[t].name, &files);
        ck_assert_msg(n >= 5, "tests/fuzz/corpus/%s has %zu files", targets[t].name, n);
        free_inputs(files, n);
    }
}
END_TEST

/* The split of a model input into files: the marker line separates, and
 * only a line that is exactly the marker does. */
START_TEST(test_model_split)
{
    const char *in = "[model]\n--8<--\nP\n--8<-- no\n--8<--\n--8<--\nC";
    const uint8_t *part[FUZZ_MAX_FILES];
    size_t len[FUZZ_MAX_FILES];
    size_t n = model_split((const uint8_t *)in, strlen(in), part, len);
    /* parts: "[model]\n", "P\n--8<-- no\n", "", "C" (worked out by hand) */
    ck_assert_uint_eq(n, 4);
    ck_assert_uint_eq(len[0], 8);
    ck_assert_int_eq(memcmp(part[0], "[model]\n", 8), 0);
    ck_assert_uint_eq(len[1], 12);
    ck_assert_int_eq(memcmp(part[1], "P\n--8<-- no\n", 12), 0);
    ck_assert_uint_eq(len[2], 0);
    ck_assert_uint_eq(len[3], 1);
    ck_assert_int_eq(part[3][0], 'C');
    /* Paths that leave the sandbox are refused (-1), before any file is made. */
    const char *out = "[cohort]\nfile = ../../dev/zero\n";
    ck_assert_int_eq(mkba_fuzz_model((const uint8_t *)out, strlen(out)), -1);
}
END_TEST

static size_t count_inputs(const char *kind, size_t t)
{
    char **files;
    size_t n = list_inputs(kind, targets[t].name, &files);
    free_inputs(files, n);
    return n;
}

static Suite *fuzz_suite(void)
{
    Suite *s = suite_create("fuzz");
    TCase *tc = tcase_create("Harness");
    tcase_add_test(tc, test_corpora_present);
    tcase_add_test(tc, test_model_split);
    suite_add_tcase(s, tc);
    const TTest *corpus[N_TARGETS] = {test_corpus_0, test_corpus_1, test_corpus_2};
    const TTest *regress[N_TARGETS] = {test_regress_0, test_regress_1, test_regress_2};
    /* (Check keeps the name pointers: literals.) */
    static const char *const corpus_names[N_TARGETS] = {"Corpus csv", "Corpus model",
                                                        "Corpus expr"};
    static const char *const regress_names[N_TARGETS] = {"Regress csv", "Regress model",
                                                         "Regress expr"};
    for (size_t t = 0; t < N_TARGETS; t++) {
        tc = tcase_create(corpus_names[t]);
        /* Model inputs run a Monte Carlo and a sensitivity analysis: slow
         * under valgrind. */
        tcase_set_timeout(tc, 120);
        tcase_add_loop_test(tc, corpus[t], 0, (int)count_inputs("corpus", t));
        suite_add_tcase(s, tc);
        tc = tcase_create(regress_names[t]);
        tcase_set_timeout(tc, 120);
        tcase_add_loop_test(tc, regress[t], 0, (int)count_inputs("regress", t));
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    return tu_run_suite(fuzz_suite());
}

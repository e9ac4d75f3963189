/* testutil.c - helpers shared by the Check test programs. */
#include "testutil.h"

#include "mkba/mem.h"
#include "mkba/pscore.h"

#include <check.h>
#include <gsl/gsl_errno.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char *tu_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char buf[4096];
    snprintf(buf, sizeof buf, "%s/mkba-test-XXXXXX", base && *base ? base : "/tmp");
    char *d = mkdtemp(buf);
    ck_assert_msg(d != NULL, "mkdtemp failed: %s", strerror(errno));
    return strdup(d);
}

void tu_rmtree(const char *dir)
{
    if (!dir || strncmp(dir, "/tmp/", 5) != 0 || strstr(dir, ".."))
        return;
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", dir);
}

char *tu_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    ck_assert_ptr_nonnull(path);
    snprintf(path, n, "%s/%s", dir, name);
    return path;
}

char *tu_write(const char *dir, const char *name, const char *text)
{
    char *path = tu_path(dir, name);
    FILE *fp = fopen(path, "wb");
    ck_assert_msg(fp != NULL, "cannot write %s", path);
    fputs(text, fp);
    ck_assert_int_eq(fclose(fp), 0);
    return path;
}

char *tu_read_len(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, fp)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    fclose(fp);
    if (buf)
        buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

char *tu_read(const char *path)
{
    return tu_read_len(path, NULL);
}

/* One directory of tu_walk(): 'rel' is its path below 'root' ("" for root). */
static void walk_dir(const char *root, const char *rel, tu_walk_fn fn, void *ctx)
{
    char *dir = *rel ? tu_path(root, rel) : strdup(root);
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot list %s", dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *sub = *rel ? tu_path(rel, e->d_name) : strdup(e->d_name);
        char *full = tu_path(root, sub);
        struct stat st;
        ck_assert_msg(lstat(full, &st) == 0, "cannot stat %s", full);
        if (fn(sub, full, &st, ctx) == 0 && S_ISDIR(st.st_mode))
            walk_dir(root, sub, fn, ctx);
        free(sub);
        free(full);
    }
    closedir(d);
    free(dir);
}

void tu_walk(const char *root, tu_walk_fn fn, void *ctx)
{
    walk_dir(root, "", fn, ctx);
}

struct tu_dir {
    char *root;     /* from tu_tmpdir */
    char **paths;   /* handed out by tu_dir_path / tu_dir_write */
    size_t n, cap;
};

tu_dir *tu_dir_new(void)
{
    tu_dir *d = calloc(1, sizeof *d);
    ck_assert_ptr_nonnull(d);
    d->root = tu_tmpdir();
    return d;
}

const char *tu_dir_root(const tu_dir *d)
{
    return d->root;
}

/* Keep 'path' (malloc'ed) until tu_dir_free; returns it. */
static const char *keep(tu_dir *d, char *path)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 16;
        d->paths = realloc(d->paths, d->cap * sizeof *d->paths);
        ck_assert_ptr_nonnull(d->paths);
    }
    return d->paths[d->n++] = path;
}

const char *tu_dir_path(tu_dir *d, const char *name)
{
    size_t n = strlen(d->root) + strlen(name) + 2;
    char *path = malloc(n);
    ck_assert_ptr_nonnull(path);
    snprintf(path, n, "%s/%s", d->root, name);
    return keep(d, path);
}

const char *tu_dir_write(tu_dir *d, const char *name, const char *text)
{
    return keep(d, tu_write(d->root, name, text));
}

void tu_dir_free(tu_dir *d)
{
    if (!d)
        return;
    tu_rmtree(d->root);
    free(d->root);
    for (size_t i = 0; i < d->n; i++)
        free(d->paths[i]);
    free(d->paths);
    free(d);
}

const char *tu_srcdir(void)
{
    const char *s = getenv("MKBA_SRCDIR");
    return s && *s ? s : ".";
}

char *tu_src(const char *rel)
{
    size_t n = strlen(tu_srcdir()) + strlen(rel) + 2;
    char *p = malloc(n);
    ck_assert_ptr_nonnull(p);
    snprintf(p, n, "%s/%s", tu_srcdir(), rel);
    return p;
}

int tu_contains(const char *hay, const char *needle)
{
    return hay && needle && strstr(hay, needle) != NULL;
}

int tu_run(const char *cwd, const char *const *args, char **out, char **err)
{
    const char *bin = getenv("MKBA_BIN");
    ck_assert_msg(bin && *bin, "MKBA_BIN is not set (run the tests with make check)");
    char outp[] = "/tmp/mkba-out-XXXXXX", errp[] = "/tmp/mkba-err-XXXXXX";
    int fo = mkstemp(outp), fe = mkstemp(errp);
    ck_assert(fo >= 0 && fe >= 0);
    int vg = getenv("MKBA_VALGRIND") && strcmp(getenv("MKBA_VALGRIND"), "1") == 0;
    size_t n = 0;
    while (args[n])
        n++;
    const char **argv = calloc(n + 8, sizeof *argv);
    ck_assert_ptr_nonnull(argv);
    size_t k = 0;
    if (vg) {
        argv[k++] = "valgrind";
        argv[k++] = "-q";
        argv[k++] = "--error-exitcode=99";
        argv[k++] = "--leak-check=full";
        argv[k++] = "--errors-for-leak-kinds=definite,indirect";
    }
    argv[k++] = bin;
    for (size_t i = 0; i < n; i++)
        argv[k++] = args[i];
    argv[k] = NULL;
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        if (cwd && chdir(cwd) != 0)
            _exit(127);
        dup2(fo, 1);
        dup2(fe, 2);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    close(fo);
    close(fe);
    free(argv);
    *out = tu_read(outp);
    *err = tu_read(errp);
    unlink(outp);
    unlink(errp);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

char *tu_tmp;

void tu_tmp_setup(void)
{
    tu_tmp = tu_tmpdir();
}

void tu_tmp_teardown(void)
{
    tu_rmtree(tu_tmp);
    free(tu_tmp);
    tu_tmp = NULL;
}

int tu_run_suite(Suite *s)
{
    gsl_set_error_handler_off(); /* as mkba's main: every GSL status is checked */
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

struct mkba_ps_diag *tu_ps_diag(void)
{
    static const char *const names[] = {"(intercept)", "age", "household: single parent",
                                        "age^2", "female"};
    static const double coef[] = {-1.5, 0.04, 0.8, -0.0003, 0.25};
    static const double se[] = {0.4, 0.01, 0.5, 0.0001, 0.2};
    static const size_t rare[] = {SIZE_MAX, SIZE_MAX, 4, SIZE_MAX, 120};
    static const double before[] = {NAN, 0.512, 0.3, 0.4, -0.25};
    static const double after[] = {NAN, 0.013, 0.2, 0.15, -0.05};
    /* pilot (50): a tail of 2 in the last bin behind empty ones; control
     * (200): 9 then 1, merged into one bin of 10 */
    static const size_t pilot[MKBA_PS_BINS] = {0, 0, 3, 0, 12, 5, 5, 0, 10, 0,
                                               0, 0, 0, 0, 0,  0, 13, 0, 0, 2};
    static const size_t control[MKBA_PS_BINS] = {150, 40, 9, 1};
    size_t k = sizeof names / sizeof names[0];
    mkba_ps_diag *d = mkba_ps_diag_alloc(k);
    d->estimand = MKBA_ESTIMAND_ATT;
    for (size_t j = 0; j < k; j++) {
        d->name[j] = mkba_xstrdup(names[j]);
        d->coef[j] = coef[j];
        d->se[j] = se[j];
        d->n_rare[j] = rare[j];
        d->smd_before[j] = before[j];
        d->smd_after[j] = after[j];
    }
    d->iterations = 6;
    d->deviance = 251.5;
    d->n[0] = 200;
    d->n[1] = 50;
    d->n_missing = 12;
    d->ess[0] = 80.25;
    d->ess[1] = 50;
    memcpy(d->bins[1], pilot, sizeof pilot);
    memcpy(d->bins[0], control, sizeof control);
    return d;
}

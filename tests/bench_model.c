/* bench_model.c - how long a large model takes to read, check and
 * evaluate (part of `make bench`).
 *
 * Two generated models, each with a project scenario that changes one
 * parameter:
 *   wide:  100,000 parameters in [param.X] sections (value, label, unit;
 *          every 100th with a distribution), 1,000 items that each price
 *          five of them: a unit-cost database turned into a model;
 *   chain: 100,000 parameters p_i = p_{i-1} + 1 in [parameters], written
 *          last first, so each reads one that comes after it in the file.
 * For each: the library's mkba_model_open + mkba_model_appraise (best of
 * 3), and the whole `mkba check` and `mkba run -q` through the binary.
 *
 *   build-bench/tests/bench_model [DIR]
 * writes the models into DIR and keeps them there (default: a temporary
 * directory, removed), so the printed command lines can be run again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mkba/model.h"

#define N_PARAMS 100000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static FILE *open_or_die(const char *dir, const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    if (!fp) {
        perror(path);
        exit(1);
    }
    return fp;
}

static void close_or_die(FILE *fp, const char *path)
{
    if (ferror(fp) | fclose(fp)) {
        perror(path);
        exit(1);
    }
}

static const char *HEAD = "[model]\nname = %s\nhorizon = 10\nfirst_year = 2025\n"
                          "price_year = 2025\ndiscount_rate = 2.25%%\n"
                          "stakeholders = municipality, residents\n";

/* Writes DIR/NAME.ini and DIR/NAME-project.ini; the project's path goes
 * to 'project'. */
static void write_model(const char *dir, const char *name, int chain, char *project,
                        size_t size)
{
    char path[4096], file[300];
    snprintf(file, sizeof file, "%s.ini", name);
    FILE *fp = open_or_die(dir, file, path, sizeof path);
    fprintf(fp, HEAD, name);
    if (chain) {
        fprintf(fp, "[parameters]\n");
        for (long i = N_PARAMS - 1; i > 0; i--)
            fprintf(fp, "p%ld = p%ld + 1\n", i, i - 1);
        fprintf(fp, "p0 = 1\n[item.end]\nkind = benefit\nstakeholder = residents\n"
                    "quantity = p%d\nyears = 1-10\n",
                N_PARAMS - 1);
    } else {
        for (long i = 0; i < N_PARAMS; i++) {
            fprintf(fp, "[param.p%ld]\nvalue = %ld\nlabel = unit cost %ld\nunit = EUR\n", i,
                    10 + i % 990, i);
            if (i % 100 == 0)
                fprintf(fp, "distribution = normal(%ld, 1)\n", 10 + i % 990);
        }
        for (long j = 0; j < N_PARAMS / 100; j++)
            fprintf(fp, "[item.i%ld]\nkind = cost\nstakeholder = municipality\nquantity = 3\n"
                        "price = p%ld + p%ld + p%ld + p%ld + p%ld\nyears = 1-10\n",
                    j, 100 * j, 100 * j + 1, 100 * j + 2, 100 * j + 3, 100 * j + 4);
    }
    close_or_die(fp, path);
    char pfile[300];
    snprintf(pfile, sizeof pfile, "%s-project.ini", name);
    fp = open_or_die(dir, pfile, project, size);
    fprintf(fp, "[scenario]\nname = project\nbase = %s\nreference = %s\n[parameters]\np0 = 2\n",
            file, file);
    close_or_die(fp, project);
}

/* Seconds of mkba_model_open + mkba_model_appraise, best of 3. */
static double library_seconds(const char *project)
{
    double best = 1e300;
    for (int rep = 0; rep < 3; rep++) {
        mkba_error err;
        mkba_error_clear(&err);
        const char *proj[] = {project};
        double t0 = now();
        mkba_model *m = mkba_model_open(NULL, 1, proj, &err);
        mkba_appraisal *a = m ? mkba_model_appraise(m, &err) : NULL;
        double t = now() - t0;
        if (!a) {
            fprintf(stderr, "bench: %s:%ld: %s\n", err.file, err.line, err.msg);
            exit(1);
        }
        mkba_appraisal_free(a);
        mkba_model_free(m);
        if (t < best)
            best = t;
    }
    return best;
}

/* Seconds of the binary 'mkba' with 'args', its output thrown away. */
static double binary_seconds(const char *const *args)
{
    fflush(stdout); /* not written again by the child */
    double t0 = now();
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout))
            _exit(126);
        execv(args[0], (char *const *)args);
        _exit(127);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench: %s %s failed\n", args[0], args[1]);
        exit(1);
    }
    return now() - t0;
}

static void bench(const char *dir, const char *name, int chain, const char *title)
{
    char project[4096];
    write_model(dir, name, chain, project, sizeof project);
    double lib = library_seconds(project);
    const char *check[] = {"build-bench/mkba", "check", project, NULL};
    const char *run[] = {"build-bench/mkba", "run", "-q", project, NULL};
    double tc = binary_seconds(check), tr = binary_seconds(run);
    printf("%s\n", title);
    printf("  open + evaluate (library, best of 3): %8.3f s\n", lib);
    printf("  mkba check:                           %8.3f s\n"
           "    reproduce: build-bench/mkba check %s\n",
           tc, project);
    printf("  mkba run -q:                          %8.3f s\n"
           "    reproduce: build-bench/mkba run -q %s\n",
           tr, project);
}

int main(int argc, char **argv)
{
    char tmpl[] = "/tmp/mkba-bench-model-XXXXXX";
    const char *dir = argc > 1 ? argv[1] : mkdtemp(tmpl);
    if (!dir) {
        perror("mkdtemp");
        return 1;
    }
    printf("mkba model scale (models in %s%s)\n", dir,
           argc > 1 ? "" : ", removed afterwards; give a directory to keep them");
    bench(dir, "wide", 0, "100,000 parameters in [param.X] sections, 1,000 of them "
                          "uncertain, 1,000 items");
    bench(dir, "chain", 1, "a chain of 100,000 parameters, each reading the next one "
                           "in the file");
    if (argc <= 1) {
        const char *names[] = {"wide.ini", "wide-project.ini", "chain.ini",
                               "chain-project.ini"};
        char path[4096];
        for (int i = 0; i < 4; i++) {
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            remove(path);
        }
        rmdir(dir);
    }
    return 0;
}

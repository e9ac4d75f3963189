/* bench_csv.c - the CSV figures of `make bench`: reading a large cohort.
 *
 * Writes a cohort shaped like the Almere one (data/almere-synth.ini: a
 * text id, two category columns, the group, whole numbers, amounts with
 * one decimal, 0/1 outcomes, empty cells) with N persons (default
 * 1,000,000) to /tmp, reads it with mkba_cohort_read as `mkba estimate`
 * does (every column mapped, the id checked for duplicates, the file's
 * SHA-256 taken), and prints, each with its target, whether it is met and
 * the command that reproduces it:
 *   - the read speed in MB/s on 1 thread (target >= 200 MB/s);
 *   - R data.table's fread on one thread, when R and data.table are
 *     installed, and mkba's speed over it (target >= 2x). The two run in
 *     turns, 3 rounds, each read in a fresh process (mkba in a child, fread
 *     in a new Rscript), and the medians are compared: the load of the
 *     machine changes both alike. fread's best of 3 in one R session is
 *     shown too; it is faster than its first read there because R keeps
 *     the strings of the earlier reads (a million ids) in its cache;
 *   - `wc -l` on the same file: the I/O floor (best of 3);
 *   - the peak memory of the read (its growth of the child's maximum
 *     resident set, the largest of the rounds) over the numeric data it
 *     keeps (8 bytes per mapped value and 1 per person for the group),
 *     with the id column (target <= 1.2x: its duplicate check keeps a hash
 *     of each id while reading) and without.
 * The file is removed at the end.
 *
 *   build-bench/tests/bench_csv [persons] [--keep]   (--keep: leave the file) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mkba/cohort.h"

#define N_VARS 14

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* xorshift64: a fixed, cheap stream. */
static unsigned long long next(unsigned long long *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static const char *const WIJK[] = {"Stedenwijk", "Waterwijk-Verzetswijk", "Almere Stad overig",
                                   "Almere Haven", "Almere Buiten", "Almere Poort"};
static const char *const HUISHOUDEN[] = {"alleenstaand", "alleenstaande ouder", "paar"};

static void write_cohort(const char *path, size_t n)
{
    FILE *fp = fopen(path, "w");
    if (!fp) {
        perror(path);
        exit(1);
    }
    fputs("clientnummer,wijk,groep,leeftijd,huishouden,mnd_bijstand_voor,mnd_bijstand_pre,"
          "uitstroom_werk,mnd_werk,mnd_bijstand,wmo_uren_pre,wmo_uren,jeugdhulp_pre,jeugdhulp,"
          "uren_wijkteam,uren_wi,dagen_besluit\n",
          fp);
    unsigned long long x = 88172645463325252ULL;
    for (size_t i = 0; i < n; i++) {
        int pilot = i < n * 12 / 25;
        unsigned long long r = next(&x);
        int work = r % 5 == 0;
        fprintf(fp, "SYN%07zu,%s,%s,%d,%s,%d,%d,%d,%d,%d,", i + 1,
                WIJK[pilot ? r % 2 : 2 + (r >> 8) % 4], pilot ? "pilot" : "regulier",
                18 + (int)((r >> 12) % 49), HUISHOUDEN[(r >> 20) % 3], (int)((r >> 24) % 120),
                (int)((r >> 32) % 15), work, work ? (int)((r >> 36) % 14) : 0,
                (int)((r >> 40) % 15));
        r = next(&x);
        if (r % 3)
            fprintf(fp, "0,0,");
        else
            fprintf(fp, "%.1f,%.1f,", (double)(r >> 8 & 1023) / 10, (double)(r >> 18 & 1023) / 10);
        fprintf(fp, "%d,%d,%.1f,%.1f,", r % 4 ? 0 : (int)((r >> 28) % 40000),
                r % 4 ? 0 : (int)((r >> 44) % 40000), (double)((r >> 20) % 600) / 10,
                (double)((r >> 30) % 300) / 10);
        if ((r >> 50) % 10)
            fprintf(fp, "%d", 1 + (int)((r >> 54) % 60));
        fputc('\n', fp);
    }
    if (fclose(fp) != 0) {
        perror(path);
        exit(1);
    }
}

typedef struct read_result {
    double seconds;   /* < 0: the read failed */
    double peak;      /* growth of the maximum resident set, bytes */
    size_t persons;
} read_result;

/* Read the cohort in a fresh child, so that the peak memory is the read's. */
static read_result read_in_child(const char *path, int with_id)
{
    static const mkba_cohort_var vars[N_VARS] = {
        {"age", "leeftijd", MKBA_VAR_NONNEG, 0},
        {"district", "wijk", MKBA_VAR_CATEGORY, 0},
        {"household", "huishouden", MKBA_VAR_CATEGORY, 0},
        {"months_before", "mnd_bijstand_voor", MKBA_VAR_NONNEG, 0},
        {"months_pre", "mnd_bijstand_pre", MKBA_VAR_NONNEG, 0},
        {"outflow_work", "uitstroom_werk", MKBA_VAR_BINARY, 0},
        {"months_work", "mnd_werk", MKBA_VAR_NONNEG, 0},
        {"months_assistance", "mnd_bijstand", MKBA_VAR_NONNEG, 0},
        {"wmo_pre", "wmo_uren_pre", MKBA_VAR_NONNEG, 0},
        {"wmo", "wmo_uren", MKBA_VAR_NONNEG, 0},
        {"youth_pre", "jeugdhulp_pre", MKBA_VAR_NONNEG, 0},
        {"youth", "jeugdhulp", MKBA_VAR_NONNEG, 0},
        {"hours_team", "uren_wijkteam", MKBA_VAR_NONNEG, 0},
        {"days", "dagen_besluit", MKBA_VAR_NONNEG, 0},
    };
    read_result out = {-1, 0, 0};
    int pipefd[2];
    if (pipe(pipefd) != 0)
        return out;
    pid_t pid = fork();
    if (pid == 0) {
        mkba_cohort_spec spec = {.file = path, .group_column = "groep", .pilot_value = "pilot",
                                 .control_value = "regulier",
                                 .id_column = with_id ? "clientnummer" : NULL,
                                 .dialect = {0, -1}, .n_vars = N_VARS, .vars = vars};
        struct rusage ru0, ru;
        getrusage(RUSAGE_SELF, &ru0);
        mkba_error err;
        mkba_error_clear(&err);
        double t0 = now();
        mkba_cohort *c = mkba_cohort_read(&spec, &err);
        double t = now() - t0;
        getrusage(RUSAGE_SELF, &ru);
        read_result res = {c ? t : -1, (double)(ru.ru_maxrss - ru0.ru_maxrss) * 1024.0,
                           mkba_cohort_size(c)};
        if (!c)
            fprintf(stderr, "bench_csv: %s:%ld: %s\n", err.file, err.line, err.msg);
        if (write(pipefd[1], &res, sizeof res) != (ssize_t)sizeof res)
            _exit(1);
        mkba_cohort_free(c);
        _exit(0);
    }
    if (pid < 0 || read(pipefd[0], &out, sizeof out) != (ssize_t)sizeof out)
        out.seconds = -1;
    if (pid > 0)
        waitpid(pid, NULL, 0);
    close(pipefd[0]);
    close(pipefd[1]);
    return out;
}

/* Best of 3 wall-clock seconds of a shell command; -1 when it fails. */
static double time_command(const char *cmd)
{
    double best = -1;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now();
        if (system(cmd) != 0)
            return -1;
        double t = now() - t0;
        if (best < 0 || t < best)
            best = t;
    }
    return best;
}

static int have_fread(void)
{
    return system("Rscript -e 'library(data.table)' >/dev/null 2>&1") == 0;
}

/* The seconds of 'reads' freads of path on one thread in one R session,
 * timed inside R (R's start-up left out): the first, or the best; -1 when
 * it fails. */
static double time_fread(const char *path, int reads)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "Rscript -e 'library(data.table); setDTthreads(1); "
             "t <- sapply(1:%d, function(i) system.time(fread(\"%s\"))[[\"elapsed\"]]); "
             "cat(min(t))' 2>/dev/null",
             reads, path);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    double t = -1;
    if (fscanf(p, "%lf", &t) != 1)
        t = -1;
    if (pclose(p) != 0)
        t = -1;
    return t;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median3(double v[3])
{
    double s[3] = {v[0], v[1], v[2]};
    qsort(s, 3, sizeof *s, cmp_double);
    return s[1];
}

static const char *verdict(int met)
{
    return met ? "met" : "NOT met";
}

#define ROUNDS 3

int main(int argc, char **argv)
{
    size_t n = 1000000;
    int keep = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--keep") == 0)
            keep = 1;
        else
            n = strtoul(argv[i], NULL, 10);
    }
    char path[] = "/tmp/mkba-bench-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        return 1;
    }
    close(fd);
    write_cohort(path, n);
    struct stat sb;
    if (stat(path, &sb) != 0) {
        perror(path);
        return 1;
    }
    double mb = (double)sb.st_size / 1e6;
    /* 8 bytes per mapped value, 1 per person for the group */
    double numeric = (double)n * (N_VARS * 8.0 + 1.0);

    /* mkba and fread in turns, each read in a fresh process */
    int fread_ok = have_fread(), failed = 0;
    double t_mkba[ROUNDS], t_fread[ROUNDS], peak = 0;
    for (int r = 0; r < ROUNDS && !failed; r++) {
        read_result res = read_in_child(path, 1);
        failed = res.seconds < 0 || res.persons != n;
        t_mkba[r] = res.seconds;
        peak = res.peak > peak ? res.peak : peak;
        t_fread[r] = fread_ok ? time_fread(path, 1) : -1;
        fread_ok = fread_ok && t_fread[r] > 0;
    }
    read_result no_id = read_in_child(path, 0);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "wc -l < %s > /dev/null", path);
    double wc = time_command(cmd);
    double fread_warm = fread_ok ? time_fread(path, 3) : -1;

    printf("CSV cohort read (%zu persons, 17 columns: an id, the group, %d mapped; %.1f MB "
           "file %s)\n",
           n, N_VARS, mb, path);
    if (failed || no_id.seconds < 0) {
        printf("  FAILED to read\n");
    } else {
        double m = median3(t_mkba);
        printf("  mkba_cohort_read, 1 thread:  %8.1f MB/s  (median of %d fresh processes %.3f s)"
               "  [target >= 200 MB/s: %s]\n",
               mb / m, ROUNDS, m, verdict(mb / m >= 200));
        printf("      reproduce: build-bench/tests/bench_csv %zu --keep (FILE: the path above), "
               "then /usr/bin/time -v build-bench/mkba estimate with a model whose [cohort] file "
               "is FILE\n",
               n);
        if (fread_ok) {
            double f = median3(t_fread);
            printf("  fread, 1 thread:             %8.1f MB/s  (median of %d fresh R sessions "
                   "%.3f s, in turns with mkba): mkba is %.2fx fread  [target >= 2x: %s]\n",
                   mb / f, ROUNDS, f, f / m, verdict(f / m >= 2));
            if (fread_warm > 0)
                printf("      fread's best of 3 in one R session (R keeps the strings of the "
                       "earlier reads): %.1f MB/s (%.3f s), %.2fx mkba's median\n",
                       mb / fread_warm, fread_warm, fread_warm / m);
            printf("      reproduce: Rscript -e 'library(data.table); setDTthreads(1); "
                   "system.time(fread(\"FILE\"))'\n");
        } else {
            printf("  fread: not installed (Debian: apt-get install r-cran-data.table)  "
                   "[target >= 2x: not measured]\n");
        }
        if (wc > 0)
            printf("  wc -l (the I/O floor):       %8.1f MB/s  (%.3f s)   reproduce: time wc -l "
                   "FILE\n",
                   mb / wc, wc);
        printf("  peak memory of the read:     %8.1f MB = %.2fx the numeric data (%.1f MB)  "
               "[target <= 1.2x: %s]; without the id column %.1f MB = %.2fx\n",
               peak / 1e6, peak / numeric, numeric / 1e6, verdict(peak / numeric <= 1.2),
               no_id.peak / 1e6, no_id.peak / numeric);
        printf("      reproduce: /usr/bin/time -v build-bench/mkba estimate as above (its maximum "
               "resident set less the program's before the read)\n");
    }
    if (!keep)
        unlink(path);
    return 0;
}

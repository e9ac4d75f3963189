/* check_synth.c - tests of the synthetic cohort generator (src/synth.c).
 *
 * Test cases: "determinism" (same seed, same bytes; row counts), "draws"
 * (each generator type against its closed-form mean, share or slope, with a
 * 4-sigma bound derived next to it), "links" (center, shift_by and shift,
 * and the logistic bernoulli, against shares computed by hand), "errors" (a table of bad specs with
 * their exact messages), "io" (unwritable targets leave no file behind) and
 * "almere" (the shipped spec loads, data/almere_cohort.csv is what it
 * generates with seed 2019, and its groups differ as the spec intends).
 *
 * Why 4 sigma: for one check, P(|Z| > 4) = 6.3e-5, so a correct generator
 * fails a bound about once in 16,000 seeds; the seed is fixed anyway, so a
 * failure means the code changed. Work files go to a fresh temporary
 * directory (tu_dir_new); the source tree is found through MKBA_SRCDIR
 * (default ".", tu_src). */
#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mkba/error.h"
#include "mkba/synth.h"
#include "testutil.h"

/* ------------------------------------------------------------------ helpers */

static tu_dir *tmp; /* fixture: fresh directory per test; owns the paths in it */

static void tmp_setup(void)
{
    tmp = tu_dir_new();
}

static void tmp_teardown(void)
{
    tu_dir_free(tmp);
    tmp = NULL;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Count the entries of 'dir' whose name starts with 'prefix'. */
static int count_entries(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

/* Write 'text' as spec.ini in the temporary directory and load it; *path
 * (unless 'path' is NULL) gets the file's path. */
static mkba_synth *load_text(const char *text, const char **path, mkba_error *err)
{
    const char *spec = tu_dir_write(tmp, "spec.ini", text);
    if (path)
        *path = spec;
    mkba_error_clear(err);
    return mkba_synth_load(spec, err);
}

/* A CSV as written by mkba_synth_write: no quoting (values never hold ',').
 * cell[r][c]: r = 0 is the header. */
typedef struct table {
    char *text;          /* the file; cells point into it */
    char ***cell;
    size_t n_rows;       /* data rows, header not counted */
    size_t n_cols;
} table;

static table *table_read(const char *path)
{
    table *t = calloc(1, sizeof *t);
    ck_assert_ptr_nonnull(t);
    t->text = tu_read(path);
    ck_assert_ptr_nonnull(t->text);
    size_t len = strlen(t->text);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += t->text[i] == '\n';
    t->cell = calloc(lines, sizeof *t->cell);
    ck_assert_ptr_nonnull(t->cell);
    char *p = t->text;
    for (size_t r = 0; r < lines; r++) {
        char *nl = strchr(p, '\n');
        *nl = '\0';
        size_t fields = 1;
        for (char *q = p; *q; q++)
            fields += *q == ',';
        if (r == 0)
            t->n_cols = fields;
        ck_assert_uint_eq(fields, t->n_cols);
        t->cell[r] = calloc(fields, sizeof **t->cell);
        ck_assert_ptr_nonnull(t->cell[r]);
        for (size_t c = 0; c < fields; c++) {
            t->cell[r][c] = p;
            p += strcspn(p, ",");
            if (*p == ',')
                *p++ = '\0';
        }
        p = nl + 1;
    }
    t->n_rows = lines - 1;
    return t;
}

static void table_free(table *t)
{
    if (!t)
        return;
    for (size_t r = 0; r <= t->n_rows; r++)
        free(t->cell[r]);
    free(t->cell);
    free(t->text);
    free(t);
}

static size_t col(const table *t, const char *name)
{
    for (size_t c = 0; c < t->n_cols; c++)
        if (!strcmp(t->cell[0][c], name))
            return c;
    ck_abort_msg("no column %s", name);
    return 0;
}

/* Value of data row r (1-based) in column c; NAN when empty. */
static double num(const table *t, size_t r, size_t c)
{
    const char *s = t->cell[r][c];
    if (!s[0])
        return NAN;
    char *end;
    double v = strtod(s, &end);
    ck_assert_msg(*end == '\0', "not a number: '%s'", s);
    return v;
}

/* ------------------------------------------------------------ determinism */

static const char SMALL_SPEC[] =
    "[synth]\n"
    "title = small test\n"
    "[group.pilot]\n"
    "n = 30\n"
    "[group.regulier]\n"
    "n = 45\n"
    "[column.nr]\n"
    "type = id\n"
    "[column.groep]\n"
    "type = group\n"
    "[column.x]\n"
    "type = normal ; inline comment\n"
    "mean = 10\n"
    "sd = 3\n"
    "[column.w]\n"
    "type = bernoulli\n"
    "p = 0.4\n";

static mkba_synth *small;

static void small_setup(void)
{
    tmp_setup();
    mkba_error err;
    small = load_text(SMALL_SPEC, NULL, &err);
    ck_assert_msg(small != NULL, "%s", err.msg);
}

static void small_teardown(void)
{
    mkba_synth_free(small);
    small = NULL;
    tmp_teardown();
}

/* The file written with 'seed' (text: the CSV holds no NUL byte). */
static char *generate(const mkba_synth *s, unsigned long seed, const char *name)
{
    const char *out = tu_dir_path(tmp, name);
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_synth_write(s, seed, out, &err), MKBA_OK);
    char *bytes = tu_read(out);
    ck_assert_ptr_nonnull(bytes);
    return bytes;
}

START_TEST(test_same_seed_same_bytes)
{
    char *a = generate(small, 7, "a.csv");
    char *b = generate(small, 7, "b.csv");
    ck_assert(strcmp(a, b) == 0);
    free(a);
    free(b);
}
END_TEST

START_TEST(test_other_seed_other_bytes)
{
    char *a = generate(small, 7, "a.csv");
    char *b = generate(small, 8, "b.csv");
    ck_assert(strcmp(a, b) != 0);
    free(a);
    free(b);
}
END_TEST

START_TEST(test_rows_and_header)
{
    /* 30 + 45 persons in SMALL_SPEC; 4 [column.*] sections */
    ck_assert_uint_eq(mkba_synth_rows(small), 75);
    ck_assert_uint_eq(mkba_synth_columns(small), 4);
    ck_assert_str_eq(mkba_synth_title(small), "small test");
    const char *out = tu_dir_path(tmp, "s.csv");
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_synth_write(small, 1, out, &err), MKBA_OK);
    table *t = table_read(out);
    ck_assert_uint_eq(t->n_rows, 75);
    ck_assert_str_eq(t->cell[0][0], "nr");
    ck_assert_str_eq(t->cell[0][3], "w");
    /* ids: default prefix SYN, 5 digits, numbered from 1 across groups;
     * groups in spec order */
    ck_assert_str_eq(t->cell[1][0], "SYN00001");
    ck_assert_str_eq(t->cell[75][0], "SYN00075");
    ck_assert_str_eq(t->cell[30][1], "pilot");
    ck_assert_str_eq(t->cell[31][1], "regulier");
    /* normal without 'round' is written with 2 decimals */
    const char *x = t->cell[1][2];
    ck_assert_msg(strlen(strchr(x, '.')) == 3, "'%s' has not 2 decimals", x);
    table_free(t);
}
END_TEST

START_TEST(test_overwrite_and_mode)
{
    /* The documented mode is 0666 less the umask: 0644 under umask 022,
     * 0640 under umask 027. */
    static const mode_t mask[2] = {022, 027}, want[2] = {0644, 0640};
    const char *out = tu_dir_write(tmp, "o.csv", "old content\n");
    for (int k = 0; k < 2; k++) {
        mode_t old = umask(mask[k]);
        mkba_error err;
        mkba_error_clear(&err);
        mkba_status st = mkba_synth_write(small, 3, out, &err);
        umask(old);
        ck_assert_int_eq(st, MKBA_OK);
        char *b = tu_read(out);
        ck_assert_int_eq(strncmp(b, "nr,groep,x,w\n", 13), 0);
        free(b);
        struct stat sb;
        ck_assert_int_eq(stat(out, &sb), 0);
        ck_assert_int_eq(sb.st_mode & 0777, want[k]);
        ck_assert_int_eq(count_entries(tu_dir_root(tmp), "o.csv."), 0); /* no temp file left */
    }
}
END_TEST

/* ------------------------------------------------------------------ draws */

/* 10,000 persons: a 6,000, b 4,000. */
static const char DRAW_SPEC[] =
    "[synth]\n"
    "follow_up_months = 14\n"
    "[group.a]\n"
    "n = 6000\n"
    "[group.b]\n"
    "n = 4000\n"
    "[column.id]\n"
    "type = id\n"
    "[column.grp]\n"
    "type = group\n"
    "[column.flag]\n"
    "type = bernoulli\n"
    "p = 0.3\n"
    "[column.cat]\n"
    "type = category\n"
    "levels = x, y, z\n"
    "weights = 2, 3, 5\n"
    "weights.b = 1, 0, 0\n"
    "[column.age]\n"
    "type = normal\n"
    "mean = 40\n"
    "sd = 15\n"
    "min = 18\n"
    "max = 66\n"
    "round = 0\n"
    "[column.shift]\n"
    "type = normal\n"
    "mean.a = 10\n"
    "mean.b = 20\n"
    "sd = 2\n"
    "[column.x]\n"
    "type = normal\n"
    "mean = 50\n"
    "sd = 10\n"
    "[column.y]\n"
    "type = normal\n"
    "depends = x\n"
    "slope = 0.8\n"
    "mean = 5\n"
    "sd = 3\n"
    "round = 4\n"
    "[column.holes]\n"
    "type = normal\n"
    "mean = 0\n"
    "sd = 1\n"
    "missing = 0.1\n"
    "[column.months]\n"
    "type = months_if\n"
    "if = flag\n"
    "[column.care]\n"
    "type = gamma\n"
    "zero = 0.6\n"
    "mean = 10\n"
    "sd = 5\n"
    "[column.ln]\n"
    "type = lognormal\n"
    "mean = 30\n"
    "sd = 15\n"
    "[column.cnt]\n"
    "type = poisson\n"
    "mean = 3.5\n";

#define N_DRAW 10000.0
static table *draws;

static void draws_setup(void)
{
    tmp_setup();
    mkba_error err;
    mkba_synth *s = load_text(DRAW_SPEC, NULL, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    const char *out = tu_dir_path(tmp, "draws.csv");
    ck_assert_int_eq(mkba_synth_write(s, 20240601UL, out, &err), MKBA_OK);
    mkba_synth_free(s);
    draws = table_read(out);
}

static void draws_teardown(void)
{
    table_free(draws);
    draws = NULL;
    tmp_teardown();
}

/* mean and sd of column c over rows whose group is 'grp' (NULL: all) and
 * whose value passes 'nonzero_only'; *n gets the count. */
static void moments(const char *name, const char *grp, int nonzero_only, double *mean,
                    double *sd, double *n)
{
    size_t c = col(draws, name), g = col(draws, "grp");
    double s = 0, ss = 0, k = 0;
    for (size_t r = 1; r <= draws->n_rows; r++) {
        double v = num(draws, r, c);
        if ((grp && strcmp(draws->cell[r][g], grp)) || isnan(v) || (nonzero_only && v == 0))
            continue;
        s += v;
        ss += v * v;
        k++;
    }
    *mean = s / k;
    *sd = sqrt((ss - s * s / k) / (k - 1));
    *n = k;
}

START_TEST(test_group_counts_exact)
{
    size_t g = col(draws, "grp");
    size_t na = 0, nb = 0;
    for (size_t r = 1; r <= draws->n_rows; r++) {
        na += !strcmp(draws->cell[r][g], "a");
        nb += !strcmp(draws->cell[r][g], "b");
    }
    ck_assert_uint_eq(draws->n_rows, 10000); /* 6000 + 4000 */
    ck_assert_uint_eq(na, 6000);
    ck_assert_uint_eq(nb, 4000);
    ck_assert_str_eq(draws->cell[10000][col(draws, "id")], "SYN10000");
}
END_TEST

START_TEST(test_bernoulli_share)
{
    /* Share of ones ~ Binomial(n, p)/n: sd = sqrt(p(1-p)/n)
     * = sqrt(0.3*0.7/10000) = 0.004583; 4 sd = 0.01833. */
    double m, sd, n;
    moments("flag", NULL, 0, &m, &sd, &n);
    ck_assert_double_eq_tol(m, 0.3, 0.01833);
    size_t c = col(draws, "flag");
    for (size_t r = 1; r <= draws->n_rows; r++)
        ck_assert(!strcmp(draws->cell[r][c], "0") || !strcmp(draws->cell[r][c], "1"));
}
END_TEST

START_TEST(test_category_weights)
{
    /* Group a: weights 2:3:5 -> shares 0.2, 0.3, 0.5 of 6000 persons;
     * 4 sd = 4*sqrt(w(1-w)/6000) = 0.02066, 0.02366, 0.02582 (python3).
     * Group b: weights.b = 1, 0, 0 -> every person 'x', exactly. */
    size_t c = col(draws, "cat"), g = col(draws, "grp");
    double count[3] = {0, 0, 0}, na = 0;
    const char *lv[3] = {"x", "y", "z"};
    for (size_t r = 1; r <= draws->n_rows; r++) {
        const char *v = draws->cell[r][c];
        if (!strcmp(draws->cell[r][g], "b")) {
            ck_assert_str_eq(v, "x");
            continue;
        }
        na++;
        int k = 0;
        while (k < 3 && strcmp(v, lv[k]))
            k++;
        ck_assert_int_lt(k, 3);
        count[k]++;
    }
    ck_assert_double_eq_tol(count[0] / na, 0.2, 0.02066);
    ck_assert_double_eq_tol(count[1] / na, 0.3, 0.02366);
    ck_assert_double_eq_tol(count[2] / na, 0.5, 0.02582);
}
END_TEST

START_TEST(test_clamp_and_round)
{
    /* normal(40, 15) clamped to 18..66, then rounded to 0 decimals: every
     * value is a whole number in [18, 66]. The share written as 18 is
     * P(X < 18.5) = Phi((18.5-40)/15) = Phi(-1.4333) = 0.07588, the share at
     * 66 is P(X >= 65.5) = 1 - Phi(1.7) = 0.04457 (python3, math.erfc);
     * 4 sd of a share q: 4*sqrt(q(1-q)/10000) = 0.01059 and 0.00825. */
    size_t c = col(draws, "age");
    double lo = 0, hi = 0;
    for (size_t r = 1; r <= draws->n_rows; r++) {
        double v = num(draws, r, c);
        ck_assert(v >= 18 && v <= 66);
        ck_assert(v == floor(v));
        ck_assert(strchr(draws->cell[r][c], '.') == NULL);
        lo += v == 18;
        hi += v == 66;
    }
    ck_assert_double_eq_tol(lo / N_DRAW, 0.07588, 0.01059);
    ck_assert_double_eq_tol(hi / N_DRAW, 0.04457, 0.00825);
}
END_TEST

START_TEST(test_per_group_mean)
{
    /* mean.a = 10, mean.b = 20, sd = 2: 4 sd of a mean = 4*2/sqrt(n)
     * = 0.1033 (n 6000) and 0.1265 (n 4000). */
    double m, sd, n;
    moments("shift", "a", 0, &m, &sd, &n);
    ck_assert_double_eq_tol(m, 10, 0.1033);
    moments("shift", "b", 0, &m, &sd, &n);
    ck_assert_double_eq_tol(m, 20, 0.1265);
}
END_TEST

START_TEST(test_depends_slope)
{
    /* y = 0.8 x + e, x ~ N(50, 10), e ~ N(5, 3). Least squares:
     *   b = Sxy / Sxx, a = ybar - b xbar.
     * se(b) = sd(e) / (sd(x) sqrt(n)) = 3 / (10 * 100) = 0.003 -> 4 se = 0.012;
     * se(a) = sd(e) sqrt(1/n + xbar^2/Sxx) = 3 sqrt(1e-4 + 2500/1e6) = 0.153
     *   -> 4 se = 0.61;
     * residual sd ~ 3, se(s) = sd/sqrt(2n) = 0.0212 -> 4 se = 0.085.
     * (y is rounded to 4 decimals, x to 2: y depends on x as written.) */
    size_t cx = col(draws, "x"), cy = col(draws, "y");
    double sx = 0, sy = 0, n = N_DRAW;
    for (size_t r = 1; r <= draws->n_rows; r++) {
        sx += num(draws, r, cx);
        sy += num(draws, r, cy);
    }
    double xb = sx / n, yb = sy / n, sxx = 0, sxy = 0;
    for (size_t r = 1; r <= draws->n_rows; r++) {
        double dx = num(draws, r, cx) - xb;
        sxx += dx * dx;
        sxy += dx * (num(draws, r, cy) - yb);
    }
    double b = sxy / sxx, a = yb - b * xb, rss = 0;
    for (size_t r = 1; r <= draws->n_rows; r++) {
        double e = num(draws, r, cy) - a - b * num(draws, r, cx);
        rss += e * e;
    }
    ck_assert_double_eq_tol(b, 0.8, 0.012);
    ck_assert_double_eq_tol(a, 5, 0.61);
    ck_assert_double_eq_tol(sqrt(rss / (n - 2)), 3, 0.085);
}
END_TEST

START_TEST(test_missing_fraction)
{
    /* missing = 0.1: empty share ~ Binomial; 4 sd = 4*sqrt(0.09/10000) = 0.012.
     * Columns without 'missing' have no empty field. */
    size_t c = col(draws, "holes"), cx = col(draws, "x");
    double empty = 0;
    for (size_t r = 1; r <= draws->n_rows; r++) {
        empty += draws->cell[r][c][0] == '\0';
        ck_assert(draws->cell[r][cx][0] != '\0');
    }
    ck_assert_double_eq_tol(empty / N_DRAW, 0.1, 0.012);
}
END_TEST

START_TEST(test_months_if)
{
    /* months = 0 where flag = 0; else uniform on 1..14 (follow_up_months):
     * mean 7.5, sd sqrt((14^2-1)/12) = 4.031, 4 se = 4*4.031/sqrt(#flags). */
    size_t c = col(draws, "months"), f = col(draws, "flag");
    double s = 0, k = 0, lo = 99, hi = 0;
    for (size_t r = 1; r <= draws->n_rows; r++) {
        double v = num(draws, r, c);
        if (num(draws, r, f) == 0) {
            ck_assert(v == 0);
            continue;
        }
        ck_assert(v >= 1 && v <= 14 && v == floor(v));
        lo = fmin(lo, v);
        hi = fmax(hi, v);
        s += v;
        k++;
    }
    ck_assert_double_eq_tol(s / k, 7.5, 4 * 4.031 / sqrt(k));
    ck_assert(lo == 1 && hi == 14); /* ~3000 draws reach both ends */
}
END_TEST

START_TEST(test_zero_inflated_gamma)
{
    /* zero = 0.6: share of exact zeros 0.6, 4 sd = 4*sqrt(0.24/10000) = 0.0196
     * (a gamma(shape 4) draw below 0.005 has probability ~1e-12).
     * Non-zero part: gamma with mean 10, sd 5 (shape 4, scale 2.5), about
     * 4000 values: 4 se(mean) = 4*5/sqrt(4000) = 0.316; excess kurtosis
     * 6/shape = 1.5 gives se(sd) = sd*sqrt((kurtosis-1)/n)/2 = 5*sqrt(3.5/4000)/2,
     * 4 se = 0.296. */
    double m, sd, n;
    moments("care", NULL, 1, &m, &sd, &n);
    ck_assert_double_eq_tol(1 - n / N_DRAW, 0.6, 0.0196);
    ck_assert_double_eq_tol(m, 10, 0.316);
    ck_assert_double_eq_tol(sd, 5, 0.296);
}
END_TEST

START_TEST(test_lognormal_moments)
{
    /* mean 30, sd 15 are of the variable itself. 4 se(mean) = 4*15/100 = 0.6.
     * sigma^2 = ln(1.25); kurtosis = e^{4s} + 2e^{3s} + 3e^{2s} - 3 = 8.035
     * (python3); se(sd) = 15*sqrt((8.035-1)/10000)/2 = 0.199 -> 4 se = 0.796.
     * A mix-up with the log scale (sd 15 as sigma) would be off by orders. */
    double m, sd, n;
    moments("ln", NULL, 0, &m, &sd, &n);
    ck_assert_double_eq_tol(m, 30, 0.6);
    ck_assert_double_eq_tol(sd, 15, 0.796);
}
END_TEST

START_TEST(test_poisson_moments)
{
    /* Poisson(3.5): mean 3.5, 4 se = 4*sqrt(3.5/10000) = 0.0748; variance 3.5,
     * var(s^2) ~ (mu4 - sigma^4)/n with mu4 = l(1+3l) = 40.25: se = 0.0529,
     * 4 se = 0.212. Whole numbers >= 0 (round defaults to 0). */
    double m, sd, n;
    moments("cnt", NULL, 0, &m, &sd, &n);
    ck_assert_double_eq_tol(m, 3.5, 0.0748);
    ck_assert_double_eq_tol(sd * sd, 3.5, 0.212);
    size_t c = col(draws, "cnt");
    for (size_t r = 1; r <= draws->n_rows; r++)
        ck_assert(strspn(draws->cell[r][c], "0123456789") == strlen(draws->cell[r][c]));
}
END_TEST

/* ------------------------------------------------------------------ links */

/* 30,000 persons: a 20,000, b 10,000. 'hit' is a logistic bernoulli on
 * flag (centered at 1) and a shift per level of cat; 'y' a normal on x
 * (centered at 50) with a shift per level of cat. */
static const char LINK_SPEC[] =
    "[group.a]\n"
    "n = 20000\n"
    "[group.b]\n"
    "n = 10000\n"
    "[column.grp]\n"
    "type = group\n"
    "[column.cat]\n"
    "type = category\n"
    "levels = x, y, z\n"
    "weights = 1, 1, 2\n"
    "[column.flag]\n"
    "type = bernoulli\n"
    "p = 0.5\n"
    "[column.hit]\n"
    "type = bernoulli\n"
    "p = 0.2\n"
    "p.b = 0.6\n"
    "depends = flag\n"
    "slope = 1.5\n"
    "slope.b = -1\n"
    "center = 1\n"
    "shift_by = cat\n"
    "shift = 0, -1, 0.5\n"
    "shift.b = 1, 1, 1\n"
    "[column.x]\n"
    "type = normal\n"
    "mean = 50\n"
    "sd = 10\n"
    "[column.y]\n"
    "type = normal\n"
    "mean = 5\n"
    "sd = 1\n"
    "depends = x\n"
    "slope = 2\n"
    "center = 50\n"
    "shift_by = cat\n"
    "shift = 0, -3, 4\n"
    "round = 4\n";

/* Level index of cat in data row r. */
static int cat_level(const table *t, size_t r, size_t c)
{
    static const char *const lv[3] = {"x", "y", "z"};
    for (int k = 0; k < 3; k++)
        if (!strcmp(t->cell[r][c], lv[k]))
            return k;
    ck_abort_msg("unknown level '%s'", t->cell[r][c]);
    return 0;
}

/* Is the share hits/n within 4 sd (sqrt(q (1 - q) / n)) of q? */
static int share_near(double hits, double n, double q)
{
    return fabs(hits / n - q) < 4 * sqrt(q * (1 - q) / n);
}

START_TEST(test_links)
{
    mkba_error err;
    mkba_synth *s = load_text(LINK_SPEC, NULL, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    const char *out = tu_dir_path(tmp, "links.csv");
    ck_assert_int_eq(mkba_synth_write(s, 20240602UL, out, &err), MKBA_OK);
    mkba_synth_free(s);
    table *t = table_read(out);
    size_t cg = col(t, "grp"), cc = col(t, "cat"), cf = col(t, "flag"), ch = col(t, "hit");
    size_t cx = col(t, "x"), cy = col(t, "y");
    /* hit: P(1) = plogis(logit(p) + slope * (flag - 1) + shift[cat]),
     * plogis(u) = 1 / (1 + exp(-u)), logit(0.2) = ln(0.25), logit(0.6) = ln(1.5);
     * by hand (python3, math.exp), group a [flag][level]:
     *   flag 1: 0.2 (the center), plogis(ln 0.25 - 1) = 0.084224,
     *           plogis(ln 0.25 + 0.5) = 0.291875;
     *   flag 0: plogis(ln 0.25 - 1.5) = 0.052835, plogis(ln 0.25 - 2.5) = 0.020109,
     *           plogis(ln 0.25 - 1) = 0.084224;
     * group b (slope -1, shift 1 at every level): flag 1 plogis(ln 1.5 + 1)
     *   = 0.803050, flag 0 plogis(ln 1.5 + 2) = 0.917243.
     * A plain bernoulli(p) would give 0.2 and 0.6 in every cell.
     * 4 sd of a share: 4 sqrt(q (1 - q) / n) with n the cell's count.
     * y - 2 (x - 50) = normal(5, 1) + shift[cat]: mean 5, 2, 9 by level (group
     * a and b alike); 4 se = 4 / sqrt(n). Without center it would be 105 + shift. */
    static const double want_a[2][3] = {{0.052835, 0.020109, 0.084224},
                                        {0.2, 0.084224, 0.291875}};
    static const double want_b[2] = {0.917243, 0.803050}, want_y[3] = {5, 2, 9};
    double hits[2][2][3] = {{{0}}}, n[2][2][3] = {{{0}}}, ys[3] = {0}, ny[3] = {0};
    for (size_t r = 1; r <= t->n_rows; r++) {
        int g = strcmp(t->cell[r][cg], "a") != 0, k = cat_level(t, r, cc);
        int f = (int)num(t, r, cf);
        int kk = g ? 0 : k; /* group b: one cell per flag */
        hits[g][f][kk] += num(t, r, ch);
        n[g][f][kk]++;
        ys[k] += num(t, r, cy) - 2 * (num(t, r, cx) - 50);
        ny[k]++;
    }
    for (int f = 0; f < 2; f++) {
        for (int k = 0; k < 3; k++)
            ck_assert_msg(share_near(hits[0][f][k], n[0][f][k], want_a[f][k]),
                          "group a flag %d level %d: %g, want %g", f, k,
                          hits[0][f][k] / n[0][f][k], want_a[f][k]);
        ck_assert_msg(share_near(hits[1][f][0], n[1][f][0], want_b[f]),
                      "group b flag %d: %g, want %g", f, hits[1][f][0] / n[1][f][0], want_b[f]);
    }
    for (int k = 0; k < 3; k++)
        ck_assert_double_eq_tol(ys[k] / ny[k], want_y[k], 4 / sqrt(ny[k]));
    table_free(t);
}
END_TEST

/* ----------------------------------------------------------------- errors */

#define GROUPS "[group.pilot]\nn = 5\n[group.regulier]\nn = 5\n"
#define NORMAL "type = normal\nmean = 0\nsd = 1\n"

/* line: the line of the key named in 'where', counted in the text (GROUPS
 * is lines 1-4, NORMAL three more); the section's header line when that
 * key is not given (only a KEY.GROUP form or nothing) or no key is named;
 * 0 for what is missing from the whole file. INI-level errors (syntax,
 * repeats) come from ini.c, with its wording and where "". */
static const struct bad_spec {
    const char *text;
    mkba_status code;
    long line;
    const char *where;
    const char *msg;
} BAD[] = {
    {"[synth]\ntitle = x\nnot a key\n" GROUPS "[column.a]\ntype = id\n", MKBA_EPARSE, 3, "",
     "syntax error: expected '[section]', 'key = value' or a comment"},
    {GROUPS "[column.a\ntype = id\n", MKBA_EPARSE, 5, "",
     "syntax error: expected '[section]', 'key = value' or a comment"},
    {GROUPS "[column.leeftijd]\ntype = normal\nmean = 41\nsd = -1\n", MKBA_EINVAL, 8,
     "[column.leeftijd] sd", "expected a number > 0, got '-1'"},
    {GROUPS "[column.x]\ntype = normaal\n", MKBA_EINVAL, 6, "[column.x] type",
     "unknown type 'normaal' (known: id, group, category, bernoulli, normal, lognormal, gamma,"
     " poisson, months_if)"},
    {GROUPS "[column.x]\n" NORMAL "mena = 3\n", MKBA_EINVAL, 9, "[column.x] mena",
     "unknown key for type 'normal' (known: type, mean, sd, zero, depends, slope, center,"
     " shift_by, shift, min, max, round, missing)"},
    {GROUPS "[column.x]\n" NORMAL "mean.pilto = 3\n", MKBA_EINVAL, 9, "[column.x] mean.pilto",
     "unknown group 'pilto' (groups: pilot, regulier)"},
    {GROUPS "[column.x]\n" NORMAL "round.pilot = 1\n", MKBA_EINVAL, 9, "[column.x] round.pilot",
     "'round' cannot be set per group"},
    {GROUPS "[column.y]\n" NORMAL "depends = z\nslope = 1\n[column.z]\n" NORMAL, MKBA_EINVAL, 9,
     "[column.y] depends", "column 'z' must be defined above this one (columns are drawn in order)"},
    {GROUPS "[column.y]\n" NORMAL "depends = q\nslope = 1\n", MKBA_EINVAL, 9, "[column.y] depends",
     "unknown column 'q'"},
    {GROUPS "[column.wijk]\ntype = category\nlevels = a, b\n[column.y]\n" NORMAL
     "depends = wijk\nslope = 1\n", MKBA_EINVAL, 12, "[column.y] depends",
     "column 'wijk' is not numeric (type category)"},
    {GROUPS "[column.y]\n" NORMAL "depends = y\nslope = 1\n", MKBA_EINVAL, 9, "[column.y] depends",
     "a column cannot depend on itself"},
    {GROUPS "[column.c]\ntype = category\nlevels = a, b, c\nweights = 1, 2\n", MKBA_EINVAL, 8,
     "[column.c] weights", "expected 3 numbers (one per level), got 2"},
    {GROUPS "[column.c]\ntype = category\nlevels = a, b\nweights = 1, x\n", MKBA_EINVAL, 8,
     "[column.c] weights", "expected a number >= 0, got 'x' in '1, x'"},
    {GROUPS "[column.c]\ntype = category\nlevels = a, b\nweights.pilot = 0, 0\n", MKBA_EINVAL, 8,
     "[column.c] weights", "weights add up to 0 for group 'pilot'"},
    {GROUPS "[column.c]\ntype = category\nlevels = a, b, a\n", MKBA_EINVAL, 7,
     "[column.c] levels", "level 'a' given twice"},
    {GROUPS "[column.c]\ntype = category\nlevels.pilot = a\n", MKBA_EINVAL, 7,
     "[column.c] levels.pilot", "'levels' cannot be set per group"},
    {"[column.x]\ntype = id\n", MKBA_EINVAL, 0, "",
     "no [group.NAME] section: give at least one group"},
    {GROUPS, MKBA_EINVAL, 0, "", "no [column.NAME] section: give at least one column"},
    {GROUPS "[column.x]\n" NORMAL "mean = 2\n", MKBA_EPARSE, 9, "",
     "key 'mean' appears twice in [column.x] (first on line 7)"},
    /* an indented line continues the value above it: mean is "0 sd = 1" */
    {GROUPS "[column.x]\ntype = normal\nmean = 0\n  sd = 1\n", MKBA_EINVAL, 7, "[column.x] mean",
     "expected a number, got '0 sd = 1'"},
    {GROUPS "[column.x]\n" NORMAL "min = 20\nmax = 10\n", MKBA_EINVAL, 10, "[column.x] max",
     "max (10) is below min (20) for group 'pilot'"},
    {GROUPS "[column.f]\ntype = bernoulli\np = 0.5\n[column.m]\ntype = months_if\nif = f\n",
     MKBA_EINVAL, 8, "[column.m] max", "missing (give max, or follow_up_months in [synth])"},
    {GROUPS "[column.f]\ntype = bernoulli\np = 0.5\n[column.m]\ntype = months_if\nif = f\n"
     "max.pilot = 10\n", MKBA_EINVAL, 8, "[column.m] max",
     "missing for group 'regulier' (give max or max.regulier)"},
    /* 7 + 50 bytes: inih cuts the name to 49, so 49 may be a cut name */
    {GROUPS "[column.aaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaa]\ntype = id\n", MKBA_EPARSE, 5, "",
     "section name too long (at most 48 bytes)"},
    {"[group.pilot]\nn = 150\n[column.id]\ntype = id\ndigits = 2\n", MKBA_EINVAL, 5,
     "[column.id] digits", "2 digits cannot number 150 rows"},
    {GROUPS "[column.id]\ntype = id\nprefix = 123\n", MKBA_EINVAL, 7, "[column.id] prefix",
     "expected 1 to 16 letters, digits, '_' or '-' with at least one letter (an id must not look"
     " like a citizen service number), got '123'"},
    {GROUPS "[column.x]\ntype = normal\nsd = 1\n", MKBA_EINVAL, 5, "[column.x] mean", "missing"},
    {GROUPS "[column.x]\ntype = normal\nmean.pilot = 1\nsd = 1\n", MKBA_EINVAL, 5,
     "[column.x] mean", "missing for group 'regulier' (give mean or mean.regulier)"},
    {GROUPS "[column.x]\nmean = 1\n", MKBA_EINVAL, 5, "[column.x] type",
     "missing (one of id, group, category, bernoulli, normal, lognormal, gamma, poisson,"
     " months_if)"},
    {GROUPS "[colum.x]\ntype = id\n", MKBA_EINVAL, 5, "[colum.x]",
     "unknown section (expected [synth], [group.NAME] or [column.NAME])"},
    {"[group.pilot]\nn = 0\n[column.a]\ntype = id\n", MKBA_EINVAL, 2, "[group.pilot] n",
     "expected a whole number from 1 to 10000000, got '0'"},
    {GROUPS "[column.x]\ntype = id\n[column.y]\ntype = group\n[column.x]\nprefix = B\n",
     MKBA_EPARSE, 9, "", "section [column.x] appears twice (first on line 5)"},
    {GROUPS "[column.f]\ntype = bernoulli\np = 0,3\n", MKBA_EINVAL, 7, "[column.f] p",
     "expected a probability from 0 to 1, got '0,3'"},
    {"n = 5\n" GROUPS "[column.a]\ntype = id\n", MKBA_EINVAL, 1, "n",
     "key is outside any [section]"},
    {GROUPS "[column.a]\n" NORMAL "[column.b]\n" NORMAL "[column.y]\n" NORMAL
     "depends = a, b\nslope = 1\n", MKBA_EINVAL, 18, "[column.y] slope",
     "expected 2 numbers (one per column in depends), got 1"},
    {GROUPS "[column.y]\n" NORMAL "slope.pilot = 1\n", MKBA_EINVAL, 9, "[column.y] slope",
     "given without depends"},
    {GROUPS "[column.1x]\ntype = id\n", MKBA_EINVAL, 5, "[column.1x]",
     "a column name is letters, digits and '_', not starting with a digit, got '1x'"},
    {GROUPS "[column.x]\n" NORMAL "missing = 1\n", MKBA_EINVAL, 9, "[column.x] missing",
     "expected a number >= 0 and < 1, got '1'"},
    {GROUPS "[column.x]\ntype = normal\nmean = inf\nsd = 1\n", MKBA_EINVAL, 7, "[column.x] mean",
     "expected a number, got 'inf'"},
    {GROUPS "[column.x]\ntype = poisson\nmean = 2e7\n", MKBA_EINVAL, 7, "[column.x] mean",
     "expected a number > 0 and <= 10000000, got '2e7'"},
    {"[synth]\nseed = 3\n" GROUPS "[column.a]\ntype = id\n", MKBA_EINVAL, 2, "[synth] seed",
     "unknown key (known: title, follow_up_months)"},
    {GROUPS "[column.g]\ntype = group\nmissing = 0.1\n", MKBA_EINVAL, 7, "[column.g] missing",
     "unknown key for type 'group' (known: type)"},
    /* center, shift_by and shift */
    {GROUPS "[column.y]\n" NORMAL "center = 1\n", MKBA_EINVAL, 9, "[column.y] center",
     "given without depends"},
    {GROUPS "[column.a]\n" NORMAL "[column.b]\n" NORMAL "[column.y]\n" NORMAL
     "depends = a, b\nslope = 1, 2\ncenter = 3\n", MKBA_EINVAL, 19, "[column.y] center",
     "expected 2 numbers (one per column in depends), got 1"},
    {GROUPS "[column.a]\n" NORMAL "[column.y]\n" NORMAL "depends = a\nslope = 1\n"
     "center.pilot = 3\n", MKBA_EINVAL, 15, "[column.y] center.pilot",
     "'center' cannot be set per group"},
    {GROUPS "[column.y]\n" NORMAL "shift.pilot = 1\n", MKBA_EINVAL, 9, "[column.y] shift",
     "given without shift_by"},
    {GROUPS "[column.a]\n" NORMAL "[column.y]\n" NORMAL "shift_by = a\nshift = 1\n",
     MKBA_EINVAL, 13, "[column.y] shift_by", "column 'a' is not a category (type normal)"},
    {GROUPS "[column.y]\n" NORMAL "shift_by = c\nshift = 1\n", MKBA_EINVAL, 9,
     "[column.y] shift_by", "unknown column 'c'"},
    {GROUPS "[column.c]\ntype = category\nlevels = a, b, c\n[column.y]\n" NORMAL
     "shift_by = c\nshift = 1, 2\n", MKBA_EINVAL, 13, "[column.y] shift",
     "expected 3 numbers (one per level of c), got 2"},
    {GROUPS "[column.c]\ntype = category\nlevels = a, b\n[column.y]\n" NORMAL
     "shift_by = c\n", MKBA_EINVAL, 8, "[column.y] shift", "missing (one per level of c)"},
    {GROUPS "[column.c]\ntype = category\nlevels = a, b\n[column.f]\ntype = bernoulli\n"
     "p = 1\nshift_by = c\nshift = 0, 1\n", MKBA_EINVAL, 10, "[column.f] p",
     "expected a probability above 0 and below 1 with depends or shift_by (they act on its"
     " logit), got 1 for group 'pilot'"},
    {GROUPS "[column.a]\n" NORMAL "[column.f]\ntype = bernoulli\np = 0.3\np.regulier = 0\n"
     "depends = a\nslope = 1\n", MKBA_EINVAL, 12, "[column.f] p",
     "expected a probability above 0 and below 1 with depends or shift_by (they act on its"
     " logit), got 0 for group 'regulier'"},
};
#define N_BAD ((int)(sizeof BAD / sizeof BAD[0]))

START_TEST(test_bad_spec)
{
    const struct bad_spec *b = &BAD[_i];
    const char *path;
    mkba_error err;
    mkba_synth *s = load_text(b->text, &path, &err);
    ck_assert_msg(s == NULL, "case %d loaded", _i);
    ck_assert_int_eq(err.code, b->code);
    ck_assert_str_eq(err.file, path);
    ck_assert_int_eq(err.line, b->line);
    ck_assert_str_eq(err.where, b->where);
    ck_assert_str_eq(err.msg, b->msg);
}
END_TEST

START_TEST(test_error_format)
{
    /* The full line as the CLI prints it (after "mkba: "). */
    const char *path;
    char buf[2048], want[2048];
    mkba_error err;
    ck_assert_ptr_null(load_text(BAD[2].text, &path, &err));
    /* "sd = -1" is line 8: GROUPS takes lines 1-4, then the section, type, mean */
    snprintf(want, sizeof want, "%s:8: [column.leeftijd] sd: expected a number > 0, got '-1'",
             path);
    ck_assert_str_eq(mkba_error_format(&err, buf, sizeof buf), want);
    ck_assert_ptr_null(load_text(BAD[0].text, &path, &err));
    snprintf(want, sizeof want,
             "%s:3: syntax error: expected '[section]', 'key = value' or a comment", path);
    ck_assert_str_eq(mkba_error_format(&err, buf, sizeof buf), want);
}
END_TEST

START_TEST(test_line_too_long)
{
    /* Debian's inih reads lines through a 200-byte buffer: 198 bytes and the
     * '\n' is the longest accepted line, a 199-byte comment on line 2 is
     * refused (ini.c counts a '\r' as a byte of the line, so the limit is
     * tested with '\n' line ends; the "\r\n" of line 1 is read as a line end). */
    char text[1024];
    char long_line[200];
    memset(long_line, 'x', sizeof long_line);
    long_line[0] = '#';
    long_line[199] = '\0';
    snprintf(text, sizeof text, "[synth]\n%s\n" GROUPS "[column.a]\ntype = id\n", long_line);
    mkba_error err;
    ck_assert_ptr_null(load_text(text, NULL, &err));
    ck_assert_int_eq(err.code, MKBA_EPARSE);
    ck_assert_int_eq(err.line, 2);
    ck_assert_str_eq(err.msg, "line longer than 198 characters; continue a long value on the"
                              " next line, indented");
    long_line[198] = '\0'; /* 198 bytes: accepted */
    snprintf(text, sizeof text, "[synth]\r\n%s\n" GROUPS "[column.a]\ntype = id\n", long_line);
    mkba_synth *s = load_text(text, NULL, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    mkba_synth_free(s);
}
END_TEST

START_TEST(test_section_name_limit)
{
    /* "column." + 41 letters = 48 bytes, the longest name inih is known to
     * keep whole: accepted, and the column is named by the 41 letters. */
    mkba_error err;
    mkba_synth *s = load_text(GROUPS "[column.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\n"
                              "type = id\n", NULL, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    ck_assert_uint_eq(mkba_synth_columns(s), 1);
    mkba_synth_free(s);
}
END_TEST

START_TEST(test_continuation_line)
{
    /* An indented line continues the value above it (ini.h): levels are
     * "a, b, c" and weights "0, 0, 1", so every person is 'c'. */
    mkba_error err;
    mkba_synth *s = load_text("[group.g]\nn = 20\n[column.c]\ntype = category\n"
                              "levels = a,\n    b, c\nweights = 0, 0,\n\t1\n", NULL, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    const char *out = tu_dir_path(tmp, "c.csv");
    ck_assert_int_eq(mkba_synth_write(s, 5, out, &err), MKBA_OK);
    mkba_synth_free(s);
    table *t = table_read(out);
    ck_assert_uint_eq(t->n_rows, 20);
    for (size_t r = 1; r <= t->n_rows; r++)
        ck_assert_str_eq(t->cell[r][0], "c");
    table_free(t);
}
END_TEST

START_TEST(test_missing_spec_file)
{
    const char *path = tu_dir_path(tmp, "nope.ini");
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_synth_load(path, &err));
    ck_assert_int_eq(err.code, MKBA_EIO);
    ck_assert_str_eq(err.file, path);
    ck_assert_str_eq(err.msg, "cannot open: No such file or directory");
}
END_TEST

/* --------------------------------------------------------------------- io */

START_TEST(test_unwritable_directory)
{
    const char *dir = tu_dir_path(tmp, "nodir"), *out = tu_dir_path(tmp, "nodir/out.csv");
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_synth_write(small, 1, out, &err), MKBA_EIO);
    ck_assert_str_eq(err.file, out);
    ck_assert_str_eq(err.msg, "cannot write: No such file or directory");
    ck_assert(!exists(dir) && !exists(out));
}
END_TEST

START_TEST(test_target_is_directory)
{
    /* The temporary file is written, then found unable to replace a
     * directory: the temporary file must be gone and the directory untouched. */
    const char *out = tu_dir_path(tmp, "outdir");
    ck_assert_int_eq(mkdir(out, 0700), 0);
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_synth_write(small, 1, out, &err), MKBA_EIO);
    ck_assert_str_eq(err.file, out);
    ck_assert_str_eq(err.msg, "cannot write: Is a directory");
    ck_assert_int_eq(count_entries(tu_dir_root(tmp), "outdir"), 1); /* only the directory */
    ck_assert_int_eq(count_entries(out, "."), 2);         /* still empty: . and .. */
}
END_TEST

START_TEST(test_read_only_directory)
{
    if (geteuid() == 0)
        return; /* root writes anyway: nothing to test */
    const char *dir = tu_dir_path(tmp, "ro"), *out = tu_dir_path(tmp, "ro/out.csv");
    ck_assert_int_eq(mkdir(dir, 0500), 0);
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_synth_write(small, 1, out, &err), MKBA_EIO);
    ck_assert_str_eq(err.msg, "cannot write: Permission denied");
    ck_assert_int_eq(count_entries(dir, "out"), 0);
}
END_TEST

START_TEST(test_seed_range)
{
    const char *out = tu_dir_path(tmp, "seed.csv");
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_synth_write(small, 4294967295UL, out, &err), MKBA_OK); /* 2^32 - 1 */
#if ULONG_MAX > 4294967295UL
    unlink(out);
    ck_assert_int_eq(mkba_synth_write(small, 4294967296UL, out, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.where, "seed");
    ck_assert_str_eq(err.msg, "must be at most 4294967295, got 4294967296");
    ck_assert(!exists(out));
#endif
}
END_TEST

START_TEST(test_non_finite_draw)
{
    /* mean 1.7e308 + 1e308 * z overflows to inf whenever z > 0.14 (DBL_MAX
     * is 1.797e308): P = 0.44 per person, so among 50 persons certainly. */
    mkba_error err;
    mkba_synth *s = load_text("[group.g]\nn = 50\n[column.big]\ntype = normal\n"
                              "mean = 1.7e308\nsd = 1e308\n", NULL, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    const char *out = tu_dir_path(tmp, "big.csv");
    ck_assert_int_eq(mkba_synth_write(s, 1, out, &err), MKBA_ENUM);
    ck_assert_str_eq(err.where, "[column.big]");
    ck_assert_str_eq(err.msg, "drew a value that is not finite for group 'g':"
                              " the parameters are too extreme");
    ck_assert(!exists(out));
    ck_assert_int_eq(count_entries(tu_dir_root(tmp), "big.csv"), 0);
    mkba_synth_free(s);
}
END_TEST

START_TEST(test_non_finite_logit)
{
    /* Log-odds logit(0.5) + 1e308 (a - 0) + -1e308 (b - 0) with a = b = 10:
     * 1e309 overflows to inf, so inf + -inf = NaN, which has no probability:
     * reported like a value that is not finite, not written as 0. */
    mkba_error err;
    mkba_synth *s = load_text("[group.g]\nn = 3\n[column.a]\ntype = normal\nmean = 10\n"
                              "sd = 1\nmin = 10\nmax = 10\n[column.b]\ntype = normal\n"
                              "mean = 10\nsd = 1\nmin = 10\nmax = 10\n[column.f]\n"
                              "type = bernoulli\np = 0.5\ndepends = a, b\n"
                              "slope = 1e308, -1e308\n", NULL, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    const char *out = tu_dir_path(tmp, "nan.csv");
    ck_assert_int_eq(mkba_synth_write(s, 1, out, &err), MKBA_ENUM);
    ck_assert_str_eq(err.where, "[column.f]");
    ck_assert(!exists(out));
    mkba_synth_free(s);
}
END_TEST

START_TEST(test_free_null)
{
    mkba_synth_free(NULL);
    ck_assert_uint_eq(mkba_synth_rows(NULL), 0);
}
END_TEST

/* ----------------------------------------------------------------- almere */

START_TEST(test_almere_spec)
{
    char *spec = tu_src("data/almere-synth.ini"), *csv = tu_src("data/almere_cohort.csv");
    mkba_error err;
    mkba_error_clear(&err);
    mkba_synth *s = mkba_synth_load(spec, &err);
    ck_assert_msg(s != NULL, "%s: %s %s", spec, err.where, err.msg);
    ck_assert_uint_eq(mkba_synth_rows(s), 880);     /* [group.pilot] n 420 + [group.regulier] n 460 */
    ck_assert_uint_eq(mkba_synth_columns(s), 17);   /* the 17 columns of data/README.md */
    const char *out = tu_dir_path(tmp, "almere.csv");
    ck_assert_int_eq(mkba_synth_write(s, 2019, out, &err), MKBA_OK);
    mkba_synth_free(s);
    /* The shipped file is exactly what the shipped spec gives with seed 2019
     * (`mkba synth data/almere-synth.ini --seed 2019 --out data/almere_cohort.csv`). */
    char *a = tu_read(out), *b = tu_read(csv);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(strlen(a), strlen(b));
    ck_assert(strcmp(a, b) == 0);
    const char *header = "clientnummer,wijk,groep,leeftijd,huishouden,mnd_bijstand_voor,"
                         "mnd_bijstand_pre,uitstroom_werk,mnd_werk,mnd_bijstand,wmo_uren_pre,"
                         "wmo_uren,jeugdhulp_pre,jeugdhulp,uren_wijkteam,uren_wi,dagen_besluit\n";
    ck_assert_int_eq(strncmp(a, header, strlen(header)), 0);
    free(a);
    free(b);
    /* The file shows what the spec builds in: the district marks the group,
     * and the pilot's better start gives it more outflow to work that the
     * pilot did not cause. Counted in the file with python3's csv module:
     * outflow 73 of 420 vs 48 of 460, a naive +6.9 points (the spec expects
     * about +6.5, data/README.md); mean age 37.2 vs 43.5. */
    table *t = table_read(csv);
    size_t cg = col(t, "groep"), cw = col(t, "wijk"), co = col(t, "uitstroom_werk");
    size_t ca = col(t, "leeftijd");
    double work[2] = {0, 0}, age[2] = {0, 0}, n[2] = {0, 0};
    for (size_t r = 1; r <= t->n_rows; r++) {
        int g = strcmp(t->cell[r][cg], "pilot") != 0;
        const char *w = t->cell[r][cw];
        int pilot_district = !strcmp(w, "Stedenwijk") || !strcmp(w, "Waterwijk-Verzetswijk");
        ck_assert_msg(pilot_district == !g, "row %zu: group %s in district %s", r,
                      t->cell[r][cg], w);
        work[g] += num(t, r, co);
        age[g] += num(t, r, ca);
        n[g]++;
    }
    ck_assert(work[0] == 73 && n[0] == 420 && work[1] == 48 && n[1] == 460);
    ck_assert_double_eq_tol(age[0] / n[0], 37.2476, 1e-4);   /* 15644 / 420 */
    ck_assert_double_eq_tol(age[1] / n[1], 43.4848, 1e-4);   /* 20003 / 460 */
    table_free(t);
    free(spec);
    free(csv);
}
END_TEST

/* ------------------------------------------------------------------- main */

static Suite *synth_suite(void)
{
    Suite *s = suite_create("synth");

    TCase *tc = tcase_create("determinism");
    tcase_add_checked_fixture(tc, small_setup, small_teardown);
    tcase_add_test(tc, test_same_seed_same_bytes);
    tcase_add_test(tc, test_other_seed_other_bytes);
    tcase_add_test(tc, test_rows_and_header);
    tcase_add_test(tc, test_overwrite_and_mode);
    suite_add_tcase(s, tc);

    tc = tcase_create("draws");
    tcase_add_checked_fixture(tc, draws_setup, draws_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_group_counts_exact);
    tcase_add_test(tc, test_bernoulli_share);
    tcase_add_test(tc, test_category_weights);
    tcase_add_test(tc, test_clamp_and_round);
    tcase_add_test(tc, test_per_group_mean);
    tcase_add_test(tc, test_depends_slope);
    tcase_add_test(tc, test_missing_fraction);
    tcase_add_test(tc, test_months_if);
    tcase_add_test(tc, test_zero_inflated_gamma);
    tcase_add_test(tc, test_lognormal_moments);
    tcase_add_test(tc, test_poisson_moments);
    suite_add_tcase(s, tc);

    tc = tcase_create("links");
    tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_links);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
    tcase_add_loop_test(tc, test_bad_spec, 0, N_BAD);
    tcase_add_test(tc, test_error_format);
    tcase_add_test(tc, test_line_too_long);
    tcase_add_test(tc, test_section_name_limit);
    tcase_add_test(tc, test_continuation_line);
    tcase_add_test(tc, test_missing_spec_file);
    suite_add_tcase(s, tc);

    tc = tcase_create("io");
    tcase_add_checked_fixture(tc, small_setup, small_teardown);
    tcase_add_test(tc, test_unwritable_directory);
    tcase_add_test(tc, test_target_is_directory);
    tcase_add_test(tc, test_read_only_directory);
    tcase_add_test(tc, test_seed_range);
    tcase_add_test(tc, test_non_finite_draw);
    tcase_add_test(tc, test_non_finite_logit);
    tcase_add_test(tc, test_free_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("almere");
    tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_almere_spec);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(synth_suite());
}

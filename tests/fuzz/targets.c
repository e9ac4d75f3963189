/* targets.c - the three fuzz targets of mkba, as plain functions: the CSV
 * reader with the cohort reader and estimators on top, the model and
 * scenario reader with everything that runs on an opened model, and the
 * expression compiler and evaluator.
 *
 * The same code runs in two places: the libFuzzer harnesses
 * (tests/fuzz/fuzz_{csv,model,expr}.c, built by `make fuzz` with clang and
 * ASan + UBSan), and tests/check_fuzz.c, which #includes this file and
 * replays every seed-corpus file and every kept regression input through
 * it in the ordinary test suite (gcc, ASan, valgrind). So a crash the
 * fuzzer found stays found.
 *
 * Besides "no crash, no leak, no hang", each target checks contracts the
 * library states (an oracle): a failure comes with a status and a message
 * (and, for a file, its name), a number parsed is finite, a cohort holds
 * what its types allow, block evaluation gives exactly the scalar values.
 * A broken contract aborts with a message (a crash, for libFuzzer).
 *
 * The library reads real files only, so each input is written into a
 * fresh temporary directory ($TMPDIR or /tmp) that is removed after the
 * call: inputs never see each other's files, so a crash replays from its
 * input alone. There is no state kept between calls. */
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mkba/appraisal.h"
#include "mkba/bootstrap.h"
#include "mkba/cohort.h"
#include "mkba/csv.h"
#include "mkba/error.h"
#include "mkba/estimate.h"
#include "mkba/expr.h"
#include "mkba/model.h"
#include "mkba/sens.h"
#include "mkba/sim.h"
#include "mkba/summary.h"

int mkba_fuzz_csv(const uint8_t *data, size_t size);
int mkba_fuzz_model(const uint8_t *data, size_t size);
int mkba_fuzz_expr(const uint8_t *data, size_t size);

#define FUZZ_MAX_FILES 6     /* files one model input may hold */
#define FUZZ_MC_DRAWS 16     /* Monte Carlo draws per opened model */
#define FUZZ_BOOT 4          /* bootstrap replicates */
#define FUZZ_SOBOL_N 8       /* Saltelli base sample (small models only) */
#define FUZZ_SOBOL_MAX_IN 16 /* inputs up to which Sobol indices are run */

/* ============================ Oracle helpers ============================ */

/* A broken contract: say which and abort (libFuzzer records the input). */
static void fuzz_fail(const char *file, int line, const char *cond, const char *what)
{
    fprintf(stderr, "mkba fuzz: contract broken at %s:%d: %s (%s)\n", file, line, what, cond);
    abort();
}

#define FUZZ_ASSERT(cond, what)                                  \
    do {                                                         \
        if (!(cond))                                             \
            fuzz_fail(__FILE__, __LINE__, #cond, (what));        \
    } while (0)

/* With MKBA_FUZZ_VERBOSE set, say how far an input got (to see whether
 * seeds reach deep: `MKBA_FUZZ_VERBOSE=1 build-fuzz/fuzz_model FILE`). */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static void fuzz_note(const char *fmt, ...)
{
    va_list ap;
    if (!getenv("MKBA_FUZZ_VERBOSE"))
        return;
    va_start(ap, fmt);
    fputs("mkba fuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* A call failed: it must say so, and say what (and in which file, when
 * the failure is about a file). Also formats the message, as the CLI does. */
static void check_error(const mkba_error *err, int need_file, const char *what)
{
    char buf[2048];
    FUZZ_ASSERT(err->code != MKBA_OK, what);
    FUZZ_ASSERT(err->msg[0] != '\0', what);
    FUZZ_ASSERT(!need_file || err->file[0] != '\0', what);
    FUZZ_ASSERT(err->line >= 0, what);
    mkba_error_format(err, buf, sizeof buf);
    FUZZ_ASSERT(buf[0] != '\0', what);
    fuzz_note("error: %s", buf);
}

/* As in the CLI's main: the library checks every GSL status itself. */
static void fuzz_init(void)
{
    gsl_set_error_handler_off();
}

/* Same value: equal, or both NaN. */
static int same_value(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

/* ========================= Temporary directory ========================= */

typedef struct fuzz_dir {
    char root[400];                        /* the directory */
    char paths[FUZZ_MAX_FILES][480];       /* files written in it */
    size_t n;
} fuzz_dir;

/* Make a fresh directory. Returns 0, or -1 (after a message) on failure. */
static int fuzz_dir_open(fuzz_dir *fd)
{
    const char *tmp = getenv("TMPDIR");
    fd->n = 0;
    snprintf(fd->root, sizeof fd->root, "%s/mkba-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fd->root)) {
        fprintf(stderr, "mkba fuzz: cannot make a directory %s: %s\n", fd->root, strerror(errno));
        return -1;
    }
    return 0;
}

/* Write data[0..size) to root/name; returns the path (owned by fd). A
 * failure to write is the harness's problem, not the library's: abort. */
static const char *fuzz_dir_write(fuzz_dir *fd, const char *name, const uint8_t *data,
                                  size_t size)
{
    FUZZ_ASSERT(fd->n < FUZZ_MAX_FILES, "too many files");
    char *path = fd->paths[fd->n];
    size_t rl = strlen(fd->root), nl = strlen(name);
    FUZZ_ASSERT(rl + nl + 2 <= sizeof fd->paths[0], "a temporary path too long");
    memcpy(path, fd->root, rl); /* (not snprintf: root and path share fd) */
    path[rl] = '/';
    memcpy(path + rl + 1, name, nl + 1);
    FILE *fp = fopen(path, "wb");
    FUZZ_ASSERT(fp != NULL, "cannot write a temporary file");
    fd->n++;
    int ok = (size == 0 || fwrite(data, 1, size, fp) == size);
    ok = (fclose(fp) == 0) && ok;
    FUZZ_ASSERT(ok, "cannot write a temporary file");
    return path;
}

/* Remove the files and the directory. */
static void fuzz_dir_close(fuzz_dir *fd)
{
    for (size_t i = 0; i < fd->n; i++)
        unlink(fd->paths[i]);
    if (rmdir(fd->root) != 0)
        fprintf(stderr, "mkba fuzz: cannot remove %s: %s\n", fd->root, strerror(errno));
}

/* ============================== CSV target ============================== */

/* What a record callback checks and counts. */
typedef struct csv_seen {
    const mkba_csv_dialect *dialect;
    size_t header_fields;   /* fields of the first record */
    size_t records;
    long last_line;
} csv_seen;

/* Every record: the field count is the header's, lines go forward, every
 * field parses as a number, a missing value or "not a number", and a
 * number is finite. */
static mkba_status csv_row(void *ctx, size_t n_fields, char **fields, const size_t *lens,
                           long line, mkba_error *err)
{
    csv_seen *s = ctx;
    (void)err;
    FUZZ_ASSERT(n_fields >= 1, "a record has no fields");
    FUZZ_ASSERT(s->dialect->delimiter != 0 && s->dialect->decimal_comma >= 0,
                "the dialect was not resolved before the first record");
    if (s->records == 0)
        s->header_fields = n_fields;
    FUZZ_ASSERT(n_fields == s->header_fields, "a record's field count differs from the header");
    FUZZ_ASSERT(line >= 1 && line > s->last_line, "record lines do not go forward");
    s->last_line = line;
    s->records++;
    for (size_t i = 0; i < n_fields; i++) {
        FUZZ_ASSERT(fields[i] != NULL, "a NULL field");
        FUZZ_ASSERT(lens[i] == strlen(fields[i]), "a field's length is not its strlen");
        for (int dc = 0; dc <= 1; dc++) {
            double x = NAN, y = NAN;
            int r = mkba_csv_number(fields[i], dc, &x);
            FUZZ_ASSERT(r >= -1 && r <= 1, "mkba_csv_number returned something else");
            FUZZ_ASSERT(r != 1 || isfinite(x), "mkba_csv_number accepted a non-finite number");
            mkba_csv_fast_path(0); /* the general rules alone */
            int r0 = mkba_csv_number(fields[i], dc, &y);
            mkba_csv_fast_path(1);
            FUZZ_ASSERT(r0 == r && (r != 1 || memcmp(&x, &y, sizeof x) == 0),
                        "the fast number path differs from the general rules");
        }
    }
    return MKBA_OK;
}

/* A cohort that was read: the counts add up and each value fits its type. */
static void check_cohort(const mkba_cohort *c)
{
    size_t n = mkba_cohort_size(c);
    const uint8_t *g = mkba_cohort_group(c);
    size_t count[2] = {0, 0};
    FUZZ_ASSERT(n >= 1, "a cohort read without persons");
    for (size_t i = 0; i < n; i++) {
        FUZZ_ASSERT(g[i] == MKBA_PILOT || g[i] == MKBA_CONTROL, "a group other than 0/1");
        count[g[i]]++;
    }
    FUZZ_ASSERT(count[MKBA_PILOT] == mkba_cohort_count(c, MKBA_PILOT) &&
                    count[MKBA_CONTROL] == mkba_cohort_count(c, MKBA_CONTROL),
                "group counts do not add up");
    for (size_t v = 0; v < mkba_cohort_nvars(c); v++) {
        const double *x = mkba_cohort_column(c, v);
        mkba_var_type t = mkba_cohort_var_type(c, v);
        const char *const *levels;
        size_t n_levels = mkba_cohort_levels(c, v, &levels);
        size_t missing[2] = {0, 0};
        for (size_t i = 0; i < n; i++) {
            if (isnan(x[i])) {
                missing[g[i]]++;
                continue;
            }
            FUZZ_ASSERT(isfinite(x[i]), "an infinite value in a cohort");
            FUZZ_ASSERT(t != MKBA_VAR_NONNEG || x[i] >= 0, "a negative value in a nonneg column");
            FUZZ_ASSERT(t != MKBA_VAR_BINARY || x[i] == 0 || x[i] == 1,
                        "a binary value other than 0/1");
            FUZZ_ASSERT(t != MKBA_VAR_CATEGORY || (x[i] >= 0 && x[i] < (double)n_levels &&
                                                   x[i] == floor(x[i])),
                        "a category code without a level");
        }
        for (size_t l = 0; l < n_levels; l++)
            FUZZ_ASSERT(levels[l] != NULL, "a NULL level name");
        FUZZ_ASSERT(missing[0] == mkba_cohort_missing(c, v, 0) &&
                        missing[1] == mkba_cohort_missing(c, v, 1),
                    "missing counts do not add up");
    }
}

/* Estimate each spec; on success the numbers must make sense. */
static void estimate_all(const mkba_cohort *c, const mkba_est_spec *specs, size_t n_specs)
{
    int all_ok = 1;
    for (size_t i = 0; i < n_specs; i++) {
        mkba_error err;
        mkba_effect e;
        mkba_error_clear(&err);
        if (mkba_estimate(c, &specs[i], &e, &err) != MKBA_OK) {
            check_error(&err, 0, "mkba_estimate failed without saying why");
            all_ok = 0;
            continue;
        }
        FUZZ_ASSERT(e.method != MKBA_EST_AUTO, "the method used is 'auto'");
        FUZZ_ASSERT(e.n_pilot >= 2 && e.n_control >= 2, "an estimate from fewer than 2 persons");
        FUZZ_ASSERT(!(e.se < 0), "a negative standard error");
        FUZZ_ASSERT(!(e.ci_lo > e.ci_hi), "a confidence interval upside down");
    }
    if (!all_ok)
        return;
    double out[FUZZ_BOOT * 3];
    size_t n_failed = 0;
    mkba_error err;
    mkba_error_clear(&err);
    if (n_specs <= 3 &&
        mkba_bootstrap(c, specs, n_specs, FUZZ_BOOT, 7, 1, out, &n_failed, &err) != MKBA_OK)
        check_error(&err, 0, "mkba_bootstrap failed without saying why");
}

/* A cohort layout the CSV inputs may follow: column names and types. */
typedef struct cohort_layout {
    const char *id, *group, *pilot, *control;
    size_t n_vars;
    mkba_cohort_var vars[6];
    mkba_est_spec specs[3];
    size_t n_specs;
    size_t cov[2];          /* covariates of the OLS spec */
} cohort_layout;

/* The layouts of the cohort files in tests/data: e2e (id, groep, werk,
 * uren, pre, post) and the Almere ones (clientnummer, groep,
 * uitstroom_werk, mnd_werk, leeftijd, wijk). */
static void csv_layouts(cohort_layout *lay)
{
    memset(lay, 0, 2 * sizeof *lay);
    lay[0] = (cohort_layout){
        .id = "id", .group = "groep", .pilot = "pilot", .control = "control", .n_vars = 5,
        .vars = {{"werk", NULL, MKBA_VAR_BINARY, 0},
                 {"uren", NULL, MKBA_VAR_NONNEG, 0},
                 {"post", NULL, MKBA_VAR_NUMBER, 0},
                 {"pre", NULL, MKBA_VAR_NUMBER, 1},
                 {"wijk", NULL, MKBA_VAR_CATEGORY, 1}},
        .n_specs = 3, .cov = {1, 4}};
    lay[0].specs[0] = (mkba_est_spec){"werk", 0, -1, 0, NULL, MKBA_EST_DIFF, NULL};
    lay[0].specs[1] = (mkba_est_spec){"post", 2, 3, 0, NULL, MKBA_EST_DID, NULL};
    lay[0].specs[2] = (mkba_est_spec){"post", 2, -1, 2, lay[0].cov, MKBA_EST_OLS, NULL};
    lay[1] = (cohort_layout){
        .id = "clientnummer", .group = "groep", .pilot = "pilot", .control = "regulier",
        .n_vars = 5,
        .vars = {{"outflow", "uitstroom_werk", MKBA_VAR_BINARY, 0},
                 {"months", "mnd_werk", MKBA_VAR_NONNEG, 0},
                 {"age", "leeftijd", MKBA_VAR_NUMBER, 1},
                 {"district", "wijk", MKBA_VAR_CATEGORY, 1},
                 {"hours", "uren", MKBA_VAR_NONNEG, 1}},
        .n_specs = 2, .cov = {2, 3}};
    lay[1].specs[0] = (mkba_est_spec){"outflow", 0, -1, 2, lay[1].cov, MKBA_EST_AUTO, NULL};
    lay[1].specs[1] = (mkba_est_spec){"months", 1, -1, 0, NULL, MKBA_EST_DIFF, NULL};
}

/* Read 'path' as a cohort of layout 'lay': one file with a group column,
 * and the two-file form (the same file as pilot and as control, without
 * group or id column, missing values an error). */
static void csv_cohorts(const char *path, const cohort_layout *lay)
{
    mkba_cohort_spec spec = {.file = path, .group_column = lay->group,
                             .pilot_value = lay->pilot, .control_value = lay->control,
                             .id_column = lay->id, .dialect = {0, -1},
                             .missing = MKBA_MISSING_EXCLUDE, .n_vars = lay->n_vars,
                             .vars = lay->vars};
    for (int form = 0; form < 2; form++) {
        if (form == 1) {
            spec.file = spec.group_column = spec.id_column = NULL;
            spec.pilot_file = spec.control_file = path;
            spec.missing = MKBA_MISSING_ERROR;
        }
        mkba_error err;
        mkba_error_clear(&err);
        mkba_cohort *c = mkba_cohort_read(&spec, &err);
        if (!c) {
            check_error(&err, 1, "mkba_cohort_read failed without saying why");
            continue;
        }
        FUZZ_ASSERT(err.code == MKBA_OK, "an error recorded by a read that succeeded");
        check_cohort(c);
        fuzz_note("cohort of %zu persons", mkba_cohort_size(c));
        estimate_all(c, lay->specs, lay->n_specs);
        mkba_cohort_free(c);
    }
}

int mkba_fuzz_csv(const uint8_t *data, size_t size)
{
    static const mkba_csv_dialect dialects[] = {{0, -1}, {',', 0}, {';', 1}, {'\t', -1}};
    fuzz_dir fd;
    fuzz_init();
    if (fuzz_dir_open(&fd) != 0)
        return 0;
    const char *path = fuzz_dir_write(&fd, "in.csv", data, size);
    for (size_t k = 0; k < sizeof dialects / sizeof dialects[0]; k++) {
        mkba_csv_dialect d = dialects[k];
        csv_seen seen = {.dialect = &d};
        mkba_error err;
        mkba_error_clear(&err);
        mkba_status st = mkba_csv_read(path, &d, csv_row, &seen, &err);
        if (st != MKBA_OK) {
            /* (The dialect may be unresolved when the read fails before
             * the header: csv_row checks it for every record.) */
            check_error(&err, 1, "mkba_csv_read failed without saying why");
            continue;
        }
        FUZZ_ASSERT(d.delimiter == ',' || d.delimiter == ';' || d.delimiter == '\t',
                    "the delimiter was not resolved");
        FUZZ_ASSERT(d.decimal_comma == 0 || d.decimal_comma == 1,
                    "decimal_comma was not resolved");
        FUZZ_ASSERT(seen.records >= 1, "a read that succeeded without a header record");
    }
    cohort_layout lay[2];
    csv_layouts(lay);
    for (int i = 0; i < 2; i++)
        csv_cohorts(path, &lay[i]);
    fuzz_dir_close(&fd);
    return 0;
}

/* ============================= Model target ============================= */

/* A model input is up to six files, one after the other, each ending at a
 * line that is exactly FUZZ_SPLIT:
 *   model.ini, project.ini, project2.ini, ref.ini, cohort.csv, control.csv
 * (an empty part writes no file). The study opened is the project files
 * that were given, with their 'reference' key; without a project file,
 * model.ini alone (as `mkba estimate` opens it). */
#define FUZZ_SPLIT "--8<--"

static const char *const model_files[FUZZ_MAX_FILES] = {
    "model.ini", "project.ini", "project2.ini", "ref.ini", "cohort.csv", "control.csv"};

/* Does data[0..size) contain the string s? */
static int contains(const uint8_t *data, size_t size, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i + n <= size; i++)
        if (memcmp(data + i, s, n) == 0)
            return 1;
    return 0;
}

/* Paths in a model name other files; those outside the temporary
 * directory are real files of this machine. Inputs that could reach a
 * device (/dev/zero never ends, a FIFO blocks) or climb out are skipped:
 * that is the harness's sandbox, not a rule of the library. */
static int model_input_allowed(const uint8_t *data, size_t size)
{
    static const char *const bad[] = {"../", "/dev", "/proc", "/sys", "/run"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (contains(data, size, bad[i]))
            return 0;
    return 1;
}

/* Split the input at FUZZ_SPLIT lines into the files of model_files. */
static size_t model_split(const uint8_t *data, size_t size, const uint8_t **part,
                          size_t *len)
{
    size_t n = 0, start = 0, mlen = strlen(FUZZ_SPLIT);
    for (size_t i = 0; i <= size && n < FUZZ_MAX_FILES; i++) {
        int at_line = i == 0 || data[i - 1] == '\n';
        int split = at_line && i + mlen <= size && memcmp(data + i, FUZZ_SPLIT, mlen) == 0 &&
                    (i + mlen == size || data[i + mlen] == '\n');
        if (i == size || (split && n < FUZZ_MAX_FILES - 1)) {
            part[n] = data + start;
            len[n] = i - start;
            n++;
            if (i == size)
                break;
            start = i + mlen + (i + mlen < size); /* past the marker and its '\n' */
            i = start - 1;
        }
    }
    return n;
}

/* The plan of an opened model hangs together. */
static void check_plan(const mkba_plan *p)
{
    FUZZ_ASSERT(p->horizon >= 1 && p->horizon <= 200, "a horizon outside 1..200");
    FUZZ_ASSERT(p->n_scenarios >= 1, "a plan without scenarios");
    FUZZ_ASSERT(p->n_stakeholders >= 1, "a plan without stakeholders");
    for (size_t i = 0; i < p->n_items; i++)
        FUZZ_ASSERT(p->stakeholder[i] < p->n_stakeholders && p->loser[i] < p->n_stakeholders,
                    "an item's stakeholder out of range");
    for (size_t s = 0; s < p->n_scenarios; s++) {
        const mkba_plan_scenario *sc = &p->scenarios[s];
        for (size_t i = 0; i < sc->n_params; i++)
            FUZZ_ASSERT(sc->params[i].slot >= 0 && (size_t)sc->params[i].slot < p->n_slots,
                        "a parameter slot out of range");
        for (size_t i = 0; i < p->n_items; i++) {
            const mkba_plan_item *it = &sc->items[i];
            FUZZ_ASSERT(!it->enabled || (it->first >= 1 && it->first <= it->last &&
                                         (size_t)it->last <= p->horizon),
                        "an item's years outside the horizon");
        }
        for (size_t t = 0; t < p->horizon; t++)
            FUZZ_ASSERT(isfinite(sc->discount[t]) && sc->discount[t] > 0,
                        "a discount factor that is not a positive number");
    }
    for (size_t k = 0; k < p->n_uncertain; k++)
        FUZZ_ASSERT(p->uncertain[k].slot >= 0 && (size_t)p->uncertain[k].slot < p->n_slots,
                    "an uncertain quantity's slot out of range");
}

/* Read the cohort and estimate the outcomes, as `mkba run` does. Returns
 * 0 and the cohort (or NULL without one), or -1 when reading failed. */
static int model_estimate(mkba_model *m, mkba_cohort **cohort)
{
    const mkba_cohort_spec *spec = mkba_model_cohort_spec(m);
    mkba_error err;
    mkba_error_clear(&err);
    *cohort = NULL;
    if (!spec)
        return 0;
    mkba_cohort *c = mkba_cohort_read(spec, &err);
    if (!c) {
        check_error(&err, 0, "mkba_cohort_read failed without saying why");
        return -1;
    }
    check_cohort(c);
    mkba_model_set_cohort_counts(m, mkba_cohort_count(c, MKBA_PILOT),
                                 mkba_cohort_count(c, MKBA_CONTROL));
    if (mkba_model_subgroups(m, c, &err) != MKBA_OK) {
        check_error(&err, 0, "mkba_model_subgroups failed without saying why");
        mkba_cohort_free(c);
        return -1;
    }
    for (size_t i = 0; i < mkba_model_n_outcomes(m); i++) {
        mkba_effect e;
        const mkba_est_spec *es = mkba_model_est_spec(m, i);
        if (mkba_estimate(c, es, &e, &err) != MKBA_OK) {
            check_error(&err, 0, "mkba_estimate failed without saying why");
            mkba_cohort_free(c);
            return -1;
        }
        mkba_model_set_effect(m, i, &e, mkba_cohort_missing(c, es->outcome, MKBA_PILOT),
                              mkba_cohort_missing(c, es->outcome, MKBA_CONTROL));
    }
    *cohort = c;
    return 0;
}

/* The appraisal's totals are what its parts say. */
static void check_appraisal(const mkba_appraisal *a, const mkba_plan *p)
{
    FUZZ_ASSERT(a->n_scenarios == p->n_scenarios && a->n_items == p->n_items &&
                    a->horizon == p->horizon,
                "the appraisal does not match the plan");
    size_t per = a->n_items * a->horizon;
    for (size_t i = 0; i < a->n_scenarios * per; i++)
        FUZZ_ASSERT(isfinite(a->flow[i]), "a non-finite flow in an appraisal");
}

/* A small Monte Carlo and the sensitivity analysis on the opened model. */
static void model_uncertainty(const mkba_model *m, const mkba_cohort *c, mkba_appraisal *a)
{
    const mkba_plan *plan = mkba_model_plan(m);
    double boot[FUZZ_BOOT * 64];
    double *bp = NULL;
    size_t n_failed = 0;
    mkba_error err;
    mkba_error_clear(&err);
    if (c && plan->n_outcomes > 0 && plan->n_outcomes <= 64) {
        if (mkba_bootstrap(c, mkba_model_est_spec(m, 0), plan->n_outcomes, FUZZ_BOOT, 3, 1,
                           boot, &n_failed, &err) != MKBA_OK) {
            check_error(&err, 0, "mkba_bootstrap failed without saying why");
            return;
        }
        bp = boot;
    }
    mkba_sim_opts so = {.draws = FUZZ_MC_DRAWS, .seed = 5, .threads = 1, .bootstrap = bp,
                        .n_boot = bp ? FUZZ_BOOT : 0, .keep_items = 1, .keep_uncertain = 1};
    mkba_sim *sim = mkba_sim_run(plan, &so, &err);
    if (!sim) {
        check_error(&err, 0, "mkba_sim_run failed without saying why");
        return;
    }
    a->mc = mkba_mc_summarize(sim, plan, 5, bp, bp ? FUZZ_BOOT : 0, n_failed);
    FUZZ_ASSERT(a->mc != NULL, "no Monte Carlo summary");
    mkba_sim_free(sim);
    a->sens = mkba_sens_run(plan, &err);
    if (!a->sens) {
        check_error(&err, 0, "mkba_sens_run failed without saying why");
        return;
    }
    fuzz_note("Monte Carlo and one-way analysis done: %zu inputs", a->sens->n_inputs);
    if (a->sens->n_inputs > 0 && a->sens->n_inputs <= FUZZ_SOBOL_MAX_IN &&
        mkba_sens_sobol(a->sens, plan, FUZZ_SOBOL_N, 9, 1, &err) != MKBA_OK)
        check_error(&err, 0, "mkba_sens_sobol failed without saying why");
}

/* Open the study (the project files, or the model alone) and run
 * everything on it. */
static void model_run(const char *const *projects, size_t n_projects, const char *model_path)
{
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = n_projects ? mkba_model_open(NULL, n_projects, projects, &err)
                               : mkba_model_open(model_path, 0, NULL, &err);
    if (!m) {
        check_error(&err, 1, "mkba_model_open failed without naming a file");
        return;
    }
    check_plan(mkba_model_plan(m));
    fuzz_note("opened: %zu scenarios, %zu items", mkba_model_plan(m)->n_scenarios,
              mkba_model_plan(m)->n_items);
    mkba_cohort *c = NULL;
    if (model_estimate(m, &c) == 0) {
        mkba_appraisal *a = mkba_model_appraise(m, &err);
        if (!a) {
            check_error(&err, 1, "mkba_model_appraise failed without naming a file");
        } else {
            check_appraisal(a, mkba_model_plan(m));
            fuzz_note("appraised");
            model_uncertainty(m, c, a);
            mkba_appraisal_free(a);
        }
    }
    mkba_cohort_free(c);
    mkba_model_free(m);
}

int mkba_fuzz_model(const uint8_t *data, size_t size)
{
    const uint8_t *part[FUZZ_MAX_FILES];
    size_t len[FUZZ_MAX_FILES];
    if (!model_input_allowed(data, size))
        return -1;
    size_t n = model_split(data, size, part, len);
    fuzz_dir fd;
    fuzz_init();
    if (fuzz_dir_open(&fd) != 0)
        return 0;
    const char *paths[FUZZ_MAX_FILES] = {NULL};
    const char *projects[2];
    size_t n_projects = 0;
    for (size_t i = 0; i < n; i++) {
        if (len[i] == 0 && i > 0)
            continue;
        paths[i] = fuzz_dir_write(&fd, model_files[i], part[i], len[i]);
        if (i == 1 || i == 2)
            projects[n_projects++] = paths[i];
    }
    model_run(projects, n_projects, paths[0]);
    fuzz_dir_close(&fd);
    return 0;
}

/* ========================== Expression target ========================== */

/* The expression target knows every name but those starting with "no_"
 * (so the models' own expressions compile): a name's slot is the sum of
 * its bytes modulo EXPR_SLOTS. */
#define EXPR_SLOTS 8
#define EXPR_DRAWS 5 /* draws per block */

static long expr_resolve(const char *name, size_t len, void *ctx)
{
    size_t sum = 0;
    (void)ctx;
    if (len >= 3 && memcmp(name, "no_", 3) == 0)
        return -1;
    for (size_t i = 0; i < len; i++)
        sum += (unsigned char)name[i];
    return (long)(sum % EXPR_SLOTS);
}

/* Slot values of draw j: ordinary numbers, zero, a negative one, and in
 * the last draws inf and NaN, so every operator meets the odd cases. */
static double expr_slot_value(size_t slot, size_t draw)
{
    static const double v[EXPR_DRAWS] = {1.5, 0.0, -2.25, INFINITY, NAN};
    return slot % 2 ? v[draw] * (double)(slot + 1) : v[(draw + slot) % EXPR_DRAWS];
}

/* Evaluate a compiled expression draw by draw and as one block: the
 * contract is exactly the same values. */
static void expr_check_eval(const mkba_expr *e)
{
    double slots[EXPR_SLOTS * EXPR_DRAWS], one[EXPR_SLOTS], block[EXPR_DRAWS];
    size_t depth = mkba_expr_depth(e);
    FUZZ_ASSERT(depth >= 1 && depth <= 64, "a stack depth outside 1..64");
    double *scratch = calloc(depth * EXPR_DRAWS, sizeof *scratch);
    FUZZ_ASSERT(scratch != NULL, "out of memory");
    for (size_t s = 0; s < EXPR_SLOTS; s++)
        for (size_t j = 0; j < EXPR_DRAWS; j++)
            slots[s * EXPR_DRAWS + j] = expr_slot_value(s, j);
    mkba_expr_eval_block(e, slots, EXPR_DRAWS, EXPR_DRAWS, block, scratch);
    for (size_t j = 0; j < EXPR_DRAWS; j++) {
        for (size_t s = 0; s < EXPR_SLOTS; s++)
            one[s] = slots[s * EXPR_DRAWS + j];
        FUZZ_ASSERT(same_value(mkba_expr_eval(e, one), block[j]),
                    "block evaluation differs from evaluation draw by draw");
    }
    double k;
    if (mkba_expr_is_const(e, &k))
        FUZZ_ASSERT(same_value(k, block[0]), "a constant that evaluates to another value");
    free(scratch);
}

int mkba_fuzz_expr(const uint8_t *data, size_t size)
{
    char *src = malloc(size + 1);
    FUZZ_ASSERT(src != NULL, "out of memory");
    fuzz_init();
    if (size)
        memcpy(src, data, size);
    src[size] = '\0';
    mkba_error err;
    mkba_error_clear(&err);
    /* With the names, and without any (names are then errors). */
    for (int with_names = 1; with_names >= 0; with_names--) {
        mkba_expr *e = mkba_expr_compile(src, with_names ? expr_resolve : NULL, NULL, &err);
        if (!e) {
            check_error(&err, 0, "mkba_expr_compile failed without saying why");
            FUZZ_ASSERT(err.where[0] != '\0', "a compile error without a column");
            mkba_error_clear(&err);
            continue;
        }
        FUZZ_ASSERT(strcmp(mkba_expr_source(e), src) == 0, "the source is not kept");
        FUZZ_ASSERT(mkba_expr_size(e) >= 1, "an empty program");
        const long *deps;
        size_t nd = mkba_expr_deps(e, &deps);
        for (size_t i = 0; i < nd; i++)
            FUZZ_ASSERT(deps[i] >= 0 && (size_t)deps[i] < EXPR_SLOTS &&
                            (i == 0 || deps[i] > deps[i - 1]),
                        "dependencies not unique, ascending and known");
        FUZZ_ASSERT(with_names || nd == 0, "a dependency without names");
        FUZZ_ASSERT(mkba_expr_is_const(e, NULL) == (nd == 0),
                    "constant exactly when it reads no slot");
        expr_check_eval(e);
        mkba_expr_free(e);
    }
    free(src);
    return 0;
}

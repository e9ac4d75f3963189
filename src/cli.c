/* cli.c - the mkba command line: the only file that prints to the terminal,
 * parses arguments and chooses exit codes. Everything else is the library.
 *
 * Exit codes: 0 success, 1 a failed run (bad input, I/O), 2 a usage error. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <gsl/gsl_errno.h>
#include <limits.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

#include "mkba/appraisal.h"
#include "mkba/bootstrap.h"
#include "mkba/build.h"
#include "mkba/chart.h"
#include "mkba/cohort.h"
#include "mkba/error.h"
#include "mkba/escape.h"
#include "mkba/estimate.h"
#include "mkba/fmt.h"
#include "mkba/fsutil.h"
#include "mkba/mem.h"
#include "mkba/model.h"
#include "mkba/mpi.h"
#include "mkba/out.h"
#include "mkba/pub.h"
#include "mkba/pscore.h"
#include "mkba/report.h"
#include "mkba/sens.h"
#include "mkba/sim.h"
#include "mkba/summary.h"
#include "mkba/synth.h"
#include "mkba/workbook.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static const char *const USAGE =
    "Usage: mkba COMMAND [OPTION]... FILE...\n"
    "Social cost-benefit analysis (MKBA) of a pilot against regular practice.\n"
    "\n"
    "Commands:\n"
    "  run       estimate effects, evaluate scenarios against the reference, report\n"
    "  sensitivity  one-way analysis (tornado) and switching values\n"
    "  estimate  estimate the pilot's effects from the cohort and print them\n"
    "  check     read and check a model and its scenarios without reporting\n"
    "  synth     generate a synthetic cohort CSV from a spec\n"
    "  help      show help for a command\n"
    "\n"
    "Options:\n"
    "  -h, --help     show this help (or 'mkba COMMAND --help')\n"
    "  -V, --version  show the version\n"
    "\n"
    "Example:\n"
    "  mkba run scenarios/almere-pilot.ini scenarios/almere-liaison.ini --out results\n"
    "\n"
    "Exit status:\n"
    "  0  success\n"
    "  1  a failed run: bad input, a file that cannot be read or written\n"
    "  2  a usage error\n";

static const char *const RUN_HELP =
    "Usage: mkba run [OPTION]... SCENARIO...\n"
    "Estimate the pilot's effects from the model's cohort, evaluate each SCENARIO\n"
    "and the reference alternative over the model's horizon, and report costs and\n"
    "benefits per stakeholder, discounted, with the net present value (saldo).\n"
    "A SCENARIO is a scenario file (scenarios/) or a model file (models/).\n"
    "\n"
    "Options:\n"
    "  --reference FILE  the reference alternative (regular practice); default:\n"
    "                    the 'reference' key in the first scenario's [scenario]\n"
    "  --out DIR         write CSV tables (also ;-separated *_nl.csv) and\n"
    "                    results.json into DIR (created if missing), and the\n"
    "                    charts (PNG, SVG, data, gnuplot scripts) into DIR/charts\n"
    "  --no-charts       with --out: write no charts\n"
    "  --detail          also print the items and the yearly cash flows\n"
    "  -q, --quiet       print no report (with --out: write files only)\n"
    "\n"
    "Monte Carlo (uncertainty; also set in the model's [simulation]):\n"
    "  --draws N         number of draws (0 = none, the default)\n"
    "  --seed S          random seed (default: the model's, else 1); the same seed\n"
    "                    gives bit-identical results on any number of threads\n"
    "  --threads T       threads to use (default: all cores)\n"
    "  --bootstrap B     bootstrap replicates of the cohort effects (default 1000,\n"
    "                    at least 100; 0 keeps the effects at their estimates,\n"
    "                    with a warning)\n"
    "  --draws-out FILE  write every draw (parameters, effects, NPVs) as CSV\n"
    "  --memory-budget M keep society's NPV of each draw (8 bytes a draw and\n"
    "                    project, for the NPV curve) up to M MiB (default: a\n"
    "                    quarter of the machine's memory, at most half of a\n"
    "                    process or container limit); past it, or with 0, the\n"
    "                    curve takes a second pass that makes the draws again:\n"
    "                    the same results, in memory that does not grow with\n"
    "                    the draws\n"
    "  --sensitivity     also run the one-way analysis and switching values\n"
    "\n"
    "Report:\n"
    "  --report FILE     write the report as one self-contained HTML file: the\n"
    "                    conclusion, key figures, tables, charts, assumptions with\n"
    "                    their sources, and provenance (open it in any browser)\n"
    "  --xlsx FILE       write an Excel workbook: the conclusion, every table on its\n"
    "                    own sheet, and the assumptions with their sources\n"
    "  --lang nl|en      language of the printed results, the report, the charts\n"
    "                    and the workbook: Dutch or English (default en)\n"
    "  -h, --help        show this help\n";

static const char *const SENS_HELP =
    "Usage: mkba sensitivity [OPTION]... SCENARIO...\n"
    "One-way sensitivity analysis: each uncertain input (parameters with a\n"
    "distribution, given effects, and the effects estimated from the cohort) at\n"
    "its P10 and at its P90 with the others at base, the NPV overall and per\n"
    "stakeholder, sorted by swing (a tornado); and each input's switching value,\n"
    "where society's NPV is zero.\n"
    "\n"
    "Options:\n"
    "  --reference FILE  the reference alternative (as for mkba run)\n"
    "  --out DIR         write the tables (sens_*.csv) and results.json into DIR,\n"
    "                    and the charts into DIR/charts\n"
    "  --no-charts       with --out: write no charts\n"
    "  --two-way A,B     also a grid of society's NPV over inputs A and B, each\n"
    "                    from its P10 to its P90\n"
    "  --steps N         grid points per input for --two-way (default 5)\n"
    "  --sobol N         Sobol indices from a Saltelli sample of base size N\n"
    "                    (default 4096; 0 = none)\n"
    "  --seed S          random seed of the Sobol sample (default: the model's)\n"
    "  --threads T       threads to use (default: all cores)\n"
    "  -q, --quiet       print nothing (with --out: write files only)\n"
    "  --report FILE     also write the HTML report (see 'mkba run --help')\n"
    "  --xlsx FILE       also write the Excel workbook (see 'mkba run --help')\n"
    "  --lang nl|en      language of the printed results, the report, the charts\n"
    "                    and the workbook: Dutch or English (default en)\n"
    "  -h, --help        show this help\n";

static const char *const ESTIMATE_HELP =
    "Usage: mkba estimate [OPTION]... MODEL\n"
    "Read the cohort of MODEL (a model or scenario file) and print the estimated\n"
    "effects of the pilot: estimate, standard error, 95% CI, persons per group.\n"
    "\n"
    "Options:\n"
    "  --out FILE    also write the effects table as CSV to FILE\n"
    "  --lang nl|en  Dutch or English (default en): in Dutch the table is printed\n"
    "                in Dutch and the CSV is written with ';', decimal commas and\n"
    "                Dutch column names (Excel, NL)\n"
    "  --dutch       the same as --lang nl\n"
    "  -h, --help    show this help\n";

static const char *const CHECK_HELP =
    "Usage: mkba check [--reference FILE] [--lang nl|en] SCENARIO...\n"
    "Read the model, its scenarios and cohort, estimate and evaluate everything,\n"
    "and report the first problem found (or 'ok', and any warnings on stderr).\n"
    "Writes nothing.\n"
    "\n"
    "Options:\n"
    "  --reference FILE  the reference alternative (as for mkba run)\n"
    "  -h, --help        show this help\n";

static const char *const SYNTH_HELP =
    "Usage: mkba synth SPEC --seed N --out FILE\n"
    "Generate a synthetic cohort CSV from SPEC (see data/almere-synth.ini).\n"
    "The same SPEC and seed give a byte-identical file.\n"
    "\n"
    "Options:\n"
    "  --seed N      random seed (a whole number; default 1)\n"
    "  --out FILE    the CSV file to write (required)\n"
    "  -h, --help    show this help\n";

typedef struct opts {
    const char *reference, *out, *draws_out, *two_way;
    int detail, quiet;
    unsigned long seed;
    int has_seed, threads, has_draws, has_boot, sensitivity;
    size_t draws, boot, steps, sobol;
    int has_sobol;
    const char *report;   /* --report FILE.html */
    const char *xlsx;     /* --xlsx FILE.xlsx */
    int lang_nl;          /* --lang nl */
    int no_charts;        /* --no-charts */
    size_t mem_budget;    /* --memory-budget MiB */
    int has_mem_budget;
    int out_is_file;      /* mkba estimate: --out names a file, not a directory */
    size_t n_files;
    const char **files;
} opts;

/* Under MPI (mpi.h) another rank prints only a failure of its own, which
 * names it. */
static void print_error(const mkba_error *err)
{
    char buf[2048];
    if (!mkba_mpi_prints())
        return;
    if (mkba_mpi_rank() > 0)
        fprintf(stderr, "mkba: MPI rank %d: %s\n", mkba_mpi_rank(),
                mkba_error_format(err, buf, sizeof buf));
    else
        fprintf(stderr, "mkba: %s\n", mkba_error_format(err, buf, sizeof buf));
}

/* The appraisal's warnings, one line each on stderr (also with -q: a
 * warning may mean the answer is wrong). */
static void print_warnings(const mkba_appraisal *a, int nl)
{
    char buf[2048];
    for (size_t i = 0; i < a->n_warnings && mkba_mpi_rank() == 0; i++)
        fprintf(stderr, mkba_fmt_tr("mkba: warning: %s\n", nl),
                mkba_error_format(&a->warnings[i].at, buf, sizeof buf));
}

/* printf of 'fmt', whose one conversion is a %s, with 'text' escaped for
 * the terminal (escape.h): file names and arguments echoed to the user may
 * hold ESC or CR. */
static void print_text(FILE *f, const char *fmt, const char *text)
{
    char *t = mkba_escape_term_dup(text);
    fprintf(f, fmt, t);
    free(t);
}

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    if (!mkba_mpi_prints()) /* every MPI rank has the same arguments: rank 0 says it */
        return EXIT_USAGE;
    fprintf(stderr, "mkba: ");
    print_text(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'mkba %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
    return EXIT_USAGE;
}

static int parse_count(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || s[0] == '-' || errno || v > max)
        return 0;
    *out = v;
    return 1;
}

/* Parse the options of one command. Recognised: see 'allowed' (a string
 * of option letters: r reference, o out, d detail, q quiet, n dutch, s seed). */
static int parse_opts(const char *cmd, const char *allowed, const char *help, int argc,
                      char **argv, opts *o, int *done)
{
    *done = 0;
    o->files = mkba_xcalloc((size_t)argc + 1, sizeof *o->files);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(help, stdout);
            *done = 1;
            return EXIT_OK;
        }
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            if (!a[0])
                return usage_error(cmd, "%s", "an empty file name was given");
            o->files[o->n_files++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            while (++i < argc)
                o->files[o->n_files++] = argv[i];
            break;
        }
        char name[64];
        const char *eq = strchr(a, '=');
        snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
        struct {
            const char *name;
            char letter;
            int takes;
        } table[] = {{"--reference", 'r', 1}, {"--out", 'o', 1},   {"--detail", 'd', 0},
                     {"--quiet", 'q', 0},     {"-q", 'q', 0},      {"--dutch", 'n', 0},
                     {"--seed", 's', 1},      {"--draws", 'D', 1}, {"--threads", 'T', 1},
                     {"--bootstrap", 'B', 1}, {"--draws-out", 'W', 1},
                     {"--sensitivity", 'S', 0}, {"--two-way", 'X', 1},
                     {"--steps", 'N', 1},     {"--sobol", 'O', 1},
                     {"--report", 'H', 1},    {"--lang", 'L', 1},
                     {"--no-charts", 'C', 0}, {"--xlsx", 'x', 1},
                     {"--memory-budget", 'M', 1}};
        int found = -1;
        for (int k = 0; k < (int)(sizeof table / sizeof table[0]); k++)
            if (strcmp(name, table[k].name) == 0 && strchr(allowed, table[k].letter))
                found = k;
        if (found < 0)
            return usage_error(cmd, "unknown option '%s'", a);
        if (table[found].takes) {
            if (eq)
                val = eq + 1;
            else if (i + 1 < argc)
                val = argv[++i];
            else
                return usage_error(cmd, "option '%s' needs a value", name);
            if (!*val) /* --out= or --out '': never a useful file name */
                return usage_error(cmd, "option '%s' needs a value", name);
        } else if (eq) {
            return usage_error(cmd, "option '%s' takes no value", name);
        }
        switch (table[found].letter) {
        case 'r':
            o->reference = val;
            break;
        case 'o':
            o->out = val;
            break;
        case 'd':
            o->detail = 1;
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 'n': /* --dutch: the old name of --lang nl (mkba estimate) */
            o->lang_nl = 1;
            break;
        case 's':
            if (!parse_count(val, ULONG_MAX, &o->seed))
                return usage_error(cmd, "--seed expects a whole number >= 0, got '%s'", val);
            o->has_seed = 1;
            break;
        case 'D':
        case 'B':
        case 'T': {
            unsigned long v;
            unsigned long max = table[found].letter == 'T'   ? 4096
                                : table[found].letter == 'B' ? MKBA_BOOTSTRAP_MAX
                                                             : 1000000000UL;
            if (!parse_count(val, max, &v)) {
                char msg[200];
                snprintf(msg, sizeof msg, "%s expects a whole number from 0 to %lu, got '%%s'",
                         name, max);
                return usage_error(cmd, msg, val);
            }
            if (table[found].letter == 'B' && v > 0 && v < MKBA_BOOTSTRAP_MIN) {
                char msg[300];
                snprintf(msg, sizeof msg, "--bootstrap expects 0 (the effects fixed at their "
                         "estimates) or a whole number from %d to %lu, got '%%s': fewer "
                         "replicates cannot describe the effects' uncertainty (the bootstrap "
                         "CI would rest on the most extreme ones)", MKBA_BOOTSTRAP_MIN, max);
                return usage_error(cmd, msg, val);
            }
            if (table[found].letter == 'D')
                o->draws = v, o->has_draws = 1;
            else if (table[found].letter == 'B')
                o->boot = v, o->has_boot = 1;
            else
                o->threads = (int)v;
            break;
        }
        case 'W':
            o->draws_out = val;
            break;
        case 'S':
            o->sensitivity = 1;
            break;
        case 'X': {
            const char *comma = strchr(val, ',');
            if (!comma || comma == val || !comma[1] || strchr(comma + 1, ','))
                return usage_error(cmd, "--two-way expects two inputs as NAME1,NAME2, got '%s'",
                                   val);
            o->two_way = val;
            break;
        }
        case 'O': {
            unsigned long v;
            if (!parse_count(val, 10000000UL, &v) || v == 1)
                return usage_error(cmd, "--sobol expects 0 or a whole number from 2 to 10000000, "
                                        "got '%s'",
                                   val);
            o->sobol = v;
            o->has_sobol = 1;
            break;
        }
        case 'N': {
            unsigned long v;
            if (!parse_count(val, 101, &v) || v < 2)
                return usage_error(cmd, "--steps expects a whole number from 2 to 101, got '%s'",
                                   val);
            o->steps = v;
            break;
        }
        case 'H':
            o->report = val;
            break;
        case 'L':
            if (strcmp(val, "nl") != 0 && strcmp(val, "en") != 0)
                return usage_error(cmd, "--lang expects 'nl' (Dutch) or 'en' (English), got '%s'",
                                   val);
            o->lang_nl = strcmp(val, "nl") == 0;
            break;
        case 'C':
            o->no_charts = 1;
            break;
        case 'M': {
            unsigned long v;
            if (!parse_count(val, 1UL << 30, &v))
                return usage_error(cmd, "--memory-budget expects a whole number of MiB, got '%s'",
                                   val);
            o->mem_budget = v, o->has_mem_budget = 1;
            break;
        }
        case 'x':
            o->xlsx = val;
            break;
        }
    }
    return EXIT_OK;
}

/* Options that mean something only beside another are refused rather than
 * silently ignored. Returns EXIT_OK or the usage error's exit code. */
static int check_combinations(const char *cmd, const opts *o)
{
    if (strcmp(cmd, "run") == 0 && !o->sensitivity && (o->two_way || o->steps || o->has_sobol))
        return usage_error(cmd, "%s", "--two-way, --steps and --sobol need --sensitivity");
    if (o->steps && !o->two_way)
        return usage_error(cmd, "%s", "--steps needs --two-way");
    if (o->draws_out && o->has_draws && o->draws == 0)
        return usage_error(cmd, "%s", "--draws-out needs a Monte Carlo: give --draws N with N > 0");
    if (o->draws_out && o->has_mem_budget)
        return usage_error(cmd, "%s", "--draws-out keeps every draw in memory: it cannot be "
                                      "combined with --memory-budget");
    return EXIT_OK;
}

/* ======================= The pipeline ======================= */

/* Read the cohort, estimate every outcome and hand the results to the
 * model. The cohort is kept (in *cohort) for the bootstrap. */
static mkba_status estimate_effects(mkba_model *m, mkba_cohort **cohort, mkba_error *err)
{
    const mkba_cohort_spec *spec = mkba_model_cohort_spec(m);
    *cohort = NULL;
    if (!spec)
        return MKBA_OK;
    mkba_cohort *c = mkba_cohort_read(spec, err);
    if (!c)
        return err->code ? err->code : MKBA_EINVAL;
    mkba_model_set_cohort_counts(m, mkba_cohort_count(c, MKBA_PILOT),
                                 mkba_cohort_count(c, MKBA_CONTROL));
    mkba_status st = mkba_model_subgroups(m, c, err);
    for (size_t i = 0; i < mkba_model_n_outcomes(m) && !st; i++) {
        const mkba_est_spec *es = mkba_model_est_spec(m, i);
        mkba_effect e;
        st = mkba_estimate(c, es, &e, err);
        if (st) {
            /* Estimation errors are about the model's outcome, not a line. */
            if (!err->file[0])
                snprintf(err->file, sizeof err->file, "%s", mkba_model_file(m));
            break;
        }
        /* Left out of the effect, whatever the reason (a missing outcome,
         * pre-period value or covariate, trimming): the group's size less
         * the persons used, so that disclosure control sees every small
         * difference a reader could work out from the published counts. */
        size_t np = mkba_cohort_count(c, MKBA_PILOT), nc = mkba_cohort_count(c, MKBA_CONTROL);
        mkba_model_set_effect(m, i, &e, np > e.n_pilot ? np - e.n_pilot : 0,
                              nc > e.n_control ? nc - e.n_control : 0);
    }
    if (st)
        mkba_cohort_free(c);
    else
        *cohort = c;
    return st;
}

/* Provenance: the SHA-256 of each cohort file, from the bytes the cohort
 * was read from (its files are in the appraisal's order: the one file, or
 * the pilot's then the control's). */
static void record_cohort_sha256(mkba_appraisal *a, const mkba_cohort *c)
{
    for (size_t i = 0; c && a->cohort_sha256 && i < a->n_cohort_files && i < 2; i++)
        snprintf(a->cohort_sha256[i], sizeof a->cohort_sha256[i], "%s", mkba_cohort_sha256(c, i));
}

/* A progress bar on stderr, shown only on a terminal and only once a run
 * has taken more than half a second. */
typedef struct progress {
    struct timespec start;
    int shown;
} progress;

static void show_progress(void *ctx, size_t done, size_t total)
{
    progress *p = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double t = (double)(now.tv_sec - p->start.tv_sec) + 1e-9 * (double)(now.tv_nsec - p->start.tv_nsec);
    if (!p->shown && (t < 0.5 || done >= total))
        return;
    int width = 40, fill = (int)((double)width * (double)done / (double)total);
    fprintf(stderr, "\rmkba: Monte Carlo [%.*s%*s] %3d%%", fill,
            "########################################", width - fill, "",
            (int)(100.0 * (double)done / (double)total));
    if (done >= total)
        fputc('\n', stderr);
    fflush(stderr);
    p->shown = 1;
}

typedef struct mc_settings {
    size_t draws, boot, steps, sobol;
    int has_sobol;
    uint64_t seed;
    int threads;
} mc_settings;

#define DEFAULT_BOOT 1000 /* replicates when neither --bootstrap nor [simulation] sets them */

static mc_settings resolve_mc(const opts *o, const mkba_model *m)
{
    const mkba_sim_settings *ms = mkba_model_sim_settings(m);
    mc_settings r;
    r.draws = o->has_draws ? o->draws : ms->draws;
    r.boot = o->has_boot ? o->boot : ms->has_bootstrap ? ms->bootstrap : DEFAULT_BOOT;
    r.seed = o->has_seed ? (uint64_t)o->seed : ms->has_seed ? ms->seed : 1;
    r.threads = o->threads ? o->threads : mkba_mpi_threads();
    return r;
}

static mkba_status make_parent(const opts *o, mkba_pub *pub, const char *path, mkba_error *err);

/* A warning per effect whose bootstrap failed in more than 5% of the
 * replicates: its bootstrap CI and draws rest on the others, which may
 * make them too narrow. */
static void warn_failed_replicates(mkba_appraisal *a, const mkba_model *m, const double *boot,
                                   size_t B, size_t n_out)
{
    for (size_t j = 0; j < n_out && j < a->n_effects; j++) {
        size_t failed = 0;
        for (size_t r = 0; r < B; r++)
            failed += isnan(boot[r * n_out + j]) != 0;
        if (failed * 20 <= B)
            continue;
        /* how often and why; the share is withheld where it would give a
         * withheld count back (mkba_ap_boot_failures_withheld) */
        char how[256];
        const char *narrow = "; its bootstrap CI and Monte Carlo draws rest on the other "
                             "replicates and may be too narrow";
        if (mkba_ap_effect_withheld(a, j)) {
            snprintf(how, sizeof how, "in some bootstrap replicates; its figures are withheld "
                                      "(disclosure control: the share would give a withheld "
                                      "count back)");
            narrow = "";
        } else if (mkba_ap_boot_failures_withheld(a, j)) {
            snprintf(how, sizeof how, "in some bootstrap replicates (their share is withheld: "
                                      "disclosure control, it would give the count of a rare "
                                      "level of the propensity model back)");
        } else {
            snprintf(how, sizeof how, "in %.0f%% of the bootstrap replicates (a covariate "
                                      "without variation, or for ipw and dr a propensity model "
                                      "that separates the groups, in the resampled persons)",
                     100.0 * (double)failed / (double)B);
        }
        mkba_appraisal_warn(a, MKBA_WARN_BOOTSTRAP_FAILED, a->effects[j].name,
                            mkba_model_file(m), 0, "", "effect '%s' could not be estimated %s%s",
                            a->effects[j].name, how, narrow);
    }
}

/* The memory budget by default: a quarter of the machine's memory, at most
 * half of a process's or a container's limit. */
static double default_budget(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    double budget = pages > 0 && size > 0 ? (double)pages * (double)size / 4 : 1073741824.0;
    struct rlimit rl; /* a limit on this process (ulimit -v): half of it */
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        budget = fmin(budget, (double)rl.rlim_cur / 2);
    FILE *fp = fopen("/sys/fs/cgroup/memory.max", "r"); /* a container's: half of it */
    double cg;
    if (fp && fscanf(fp, "%lf", &cg) == 1 && cg > 0)
        budget = fmin(budget, cg / 2);
    if (fp)
        fclose(fp);
    return budget;
}

/* Whether the run holds every draw: with --draws-out (mkba_sim_run, then
 * the summary). Else it summarises them as they are made (mkba_mc_stream:
 * the same results), and so->shape says how society's NPV curve is made:
 * none without charts; from its NPV of each draw kept (8 bytes a draw and
 * project) while that fits the memory budget (--memory-budget MiB, or
 * default_budget); past it, by a second pass over the draws, made again. */
static int hold_draws(const opts *o, const mkba_plan *plan, mkba_sim_opts *so)
{
    if (o->draws_out)
        return 1;
    double budget = o->has_mem_budget ? (double)o->mem_budget * 1048576.0 : default_budget();
    double bytes = (double)(plan->n_scenarios - 1) * (double)so->draws * sizeof(double);
    /* every MPI process must take the same way: rank 0's (its machine
     * holds the summary) */
    so->shape = o->no_charts ? MKBA_SIM_SHAPE_NONE
                : mkba_mpi_bcast_int(bytes <= budget) ? MKBA_SIM_SHAPE_KEEP : MKBA_SIM_SHAPE_PASS;
    return 0;
}

/* The Monte Carlo: bootstrap the cohort effects, draw, summarise into a->mc;
 * the draws file (--draws-out) is written as an output of 'pub'. */
static mkba_status monte_carlo(const opts *o, const mkba_model *m, const mkba_cohort *c,
                               mkba_appraisal *a, mkba_pub *pub, mkba_error *err)
{
    mc_settings ms = resolve_mc(o, m);
    const mkba_plan *plan = mkba_model_plan(m);
    double *boot = NULL;
    size_t n_failed = 0, n_boot = 0;
    mkba_status st = MKBA_OK;
    if (c && plan->n_outcomes > 0 && ms.boot == 0)
        mkba_appraisal_warn(a, MKBA_WARN_BOOTSTRAP_OFF, "", NULL, 0,
                            o->has_boot ? "--bootstrap 0" : "[simulation] bootstrap = 0",
                            "the effects estimated from the cohort (%zu) stay at their estimates "
                            "in every draw, so the Monte Carlo leaves out their uncertainty and "
                            "its spread and P(NPV > 0) are too narrow; %s%d%s to include it",
                            plan->n_outcomes,
                            o->has_boot ? "leave --bootstrap out (" : "give --bootstrap ",
                            DEFAULT_BOOT, o->has_boot ? " replicates)" : "");
    if (c && plan->n_outcomes > 0 && ms.boot > 0) {
        n_boot = ms.boot;
        boot = mkba_xcalloc(n_boot * plan->n_outcomes, sizeof *boot);
        const mkba_est_spec *specs = mkba_model_est_spec(m, 0);
        st = mkba_mpi_bootstrap(c, specs, plan->n_outcomes, n_boot, ms.seed, ms.threads, boot,
                                &n_failed, err);
    }
    double *sim_boot = boot;
    size_t sim_n_boot = n_boot;
    if (!st && n_failed) {
        sim_boot = mkba_xcalloc(n_boot * plan->n_outcomes, sizeof *sim_boot);
        sim_n_boot = mkba_bootstrap_complete(boot, n_boot, plan->n_outcomes, sim_boot);
        warn_failed_replicates(a, m, boot, n_boot, plan->n_outcomes);
        if (sim_n_boot == 0)
            st = mkba_error_set(err, MKBA_ENUM, mkba_model_file(m), 0, NULL,
                                "no bootstrap replicate could estimate every effect (a "
                                "covariate without variation, or a propensity model that "
                                "separates the groups, in every replicate); use fewer "
                                "covariates or method diff");
    }
    progress pr = {.shown = 0};
    clock_gettime(CLOCK_MONOTONIC, &pr.start);
    mkba_sim_opts so = {.draws = ms.draws, .seed = ms.seed, .threads = ms.threads,
                        .bootstrap = sim_boot, .n_boot = sim_n_boot, .keep_items = MKBA_SIM_ITEMS_AUTO,
                        /* the inputs are made again for their summaries; --draws-out
                           writes each draw's, kept for it */
                        .keep_uncertain = o->draws_out ? MKBA_SIM_INPUTS_KEEP : MKBA_SIM_INPUTS_REGEN,
                        .keep_finance = 1, .progress = !o->quiet && isatty(2) ? show_progress : NULL,
                        .progress_ctx = &pr};
    if (!st && !hold_draws(o, plan, &so)) { /* summarised as they are made */
        a->mc = mkba_mpi_mc_stream(plan, &so, boot, n_boot, n_failed, err);
        st = a->mc || (mkba_mpi_rank() > 0 && !err->code) ? MKBA_OK
                                                         : err->code ? err->code : MKBA_EINVAL;
        if (sim_boot != boot)
            free(sim_boot);
        free(boot);
        return st;
    }
    mkba_sim *sim = st ? NULL : mkba_mpi_sim_run(plan, &so, err);
    if (sim) {
        a->mc = mkba_mc_summarize(sim, plan, ms.seed, boot, n_boot, n_failed);
        a->mc->ranks = mkba_mpi_size();
        if (o->draws_out && !(st = make_parent(o, pub, o->draws_out, err)))
            st = mkba_out_write_draws(pub, o->draws_out, sim, plan, a, err);
    } else if (!st) { /* another MPI rank than 0 has sent its part */
        st = err->code ? err->code : mkba_mpi_rank() > 0 ? MKBA_OK : MKBA_EINVAL;
    }
    mkba_sim_free(sim);
    if (sim_boot != boot)
        free(sim_boot);
    free(boot);
    return st;
}

/* --two-way A,B (its form checked by parse_opts) */
static mkba_status two_way(const opts *o, const mkba_model *m, mkba_appraisal *a, mkba_error *err)
{
    const char *comma = strchr(o->two_way, ',');
    char *first = mkba_xstrndup(o->two_way, (size_t)(comma - o->two_way));
    mkba_status st = mkba_sens_twoway(a->sens, mkba_model_plan(m), first, comma + 1,
                                      o->steps ? o->steps : 5, err);
    free(first);
    /* A withheld effect's grid (its values around the estimate) would give it back. */
    size_t ab[2] = {a->sens->grid_a, a->sens->grid_b};
    for (int k = 0; k < 2 && !st; k++)
        if (mkba_ap_sens_input_withheld(a, ab[k]))
            st = mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                                "--two-way: %s is withheld by the outputs: it has fewer than "
                                "%zu persons with a value in a group ([privacy] min_group = "
                                "%zu), and the grid's values would give it away. Choose "
                                "another input, or lower [privacy] min_group",
                                a->sens->inputs[ab[k]].name, a->min_group, a->min_group);
    return st;
}

/* When 'path' lies inside the --out directory (as written: "res/x.html"
 * with --out res or res/), the rest of it after "res/"; else NULL. Such a
 * file's missing directories are made before it is written. */
static const char *out_rel(const opts *o, const char *path)
{
    if (!o->out || o->out_is_file)
        return NULL;
    size_t n = strlen(o->out);
    while (n > 1 && o->out[n - 1] == '/')
        n--;
    if (strncmp(path, o->out, n) != 0 || path[n] != '/' || strstr(path + n, "/../"))
        return NULL;
    return path + n + 1;
}

/* An output file inside --out: make its directories first. */
static mkba_status make_parent(const opts *o, mkba_pub *pub, const char *path, mkba_error *err)
{
    if (!out_rel(o, path))
        return MKBA_OK;
    char *dir = mkba_path_dir(path);
    mkba_status st = mkba_pub_mkdir(pub, dir, 0, err);
    free(dir);
    return st;
}

/* An output file named by 'option' must not be an input, another output,
 * a directory or something that cannot be created: found before anything
 * is computed or written (the claim in 'pub' holds it for the option). A
 * file inside --out whose directory does not exist yet is tried when it is
 * written (the directory is made then). */
static mkba_status check_output_file(const opts *o, mkba_pub *pub, const char *path,
                                     const char *option, mkba_error *err)
{
    mkba_status st = mkba_pub_claim(pub, path, option, err);
    if (st)
        return st;
    const char *rel = out_rel(o, path);
    if (rel && mkba_out_owns(rel))
        return mkba_error_set(err, MKBA_EINVAL, path, 0, NULL,
                              "is one of the files --out writes; %s would overwrite it (give "
                              "%s another file name)",
                              option, option);
    struct stat st_dir;
    if (rel) {
        char *dir = mkba_path_dir(path);
        int missing = stat(dir, &st_dir) != 0 && errno == ENOENT;
        free(dir);
        if (missing)
            return MKBA_OK;
    }
    mkba_afile *f = mkba_afile_open(path, err); /* a trial: removed at once */
    if (!f)
        return err->code;
    mkba_afile_abort(f);
    return MKBA_OK;
}

/* The outputs of this run against its inputs and each other (see
 * check_output_file, mkba_pub_guard_dir); --out DIR must not be an
 * existing file. */
static mkba_status check_outputs(const opts *o, const mkba_model *m, mkba_pub *pub,
                                 mkba_error *err)
{
    mkba_status st = MKBA_OK;
    struct stat sb;
    if (o->draws_out && resolve_mc(o, m).draws == 0)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "--draws-out needs a Monte Carlo: give --draws N (the model's "
                              "[simulation] sets no draws)");
    if (o->draws_out && (st = check_output_file(o, pub, o->draws_out, "--draws-out", err)))
        return st;
    if (o->report && (st = check_output_file(o, pub, o->report, "--report", err)))
        return st;
    if (o->xlsx && (st = check_output_file(o, pub, o->xlsx, "--xlsx", err)))
        return st;
    if (o->out && o->out_is_file)
        return check_output_file(o, pub, o->out, "--out", err);
    if (o->out && stat(o->out, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
        const char *kind = mkba_pub_input_kind(pub, o->out);
        return mkba_error_set(err, MKBA_EINVAL, o->out, 0, NULL,
                              "is %s, not a directory (--out names the directory for the "
                              "results)",
                              kind ? kind : "a file");
    }
    if (o->out)
        return mkba_pub_guard_dir(pub, o->out, mkba_out_owns, err);
    return MKBA_OK;
}

/* Under MPI: whether every rank read the same model, scenario and cohort
 * files (their SHA-256s). */
static mkba_status same_inputs(const mkba_appraisal *a, mkba_error *err)
{
    size_t n = 1 + a->n_scenarios + a->n_cohort_files, len = 0;
    char *digest = mkba_xcalloc(n * 65 + 1, 1);
    len += (size_t)snprintf(digest + len, 66, "%s ", a->model_sha256);
    for (size_t s = 0; s < a->n_scenarios; s++)
        len += (size_t)snprintf(digest + len, 66, "%s ", a->scenarios[s].sha256);
    for (size_t i = 0; a->cohort_sha256 && i < a->n_cohort_files; i++)
        len += (size_t)snprintf(digest + len, 66, "%s ", a->cohort_sha256[i]);
    mkba_status st = mkba_mpi_same_inputs(digest, err);
    free(digest);
    return st;
}

/* Read, estimate, appraise, and run what the options ask for. The outputs
 * of the run are claimed in *pub (a new publication, with the inputs
 * registered) before anything is computed; the draws file is written into
 * it. On failure NULL, with *pub aborted and NULL. */
static mkba_appraisal *pipeline(const opts *o, mkba_pub **pub, mkba_error *err)
{
    *pub = NULL;
    mkba_model *m = mkba_model_open(o->reference, o->n_files, o->files, err);
    if (!m) {
        mkba_mpi_agree(err->code ? err->code : MKBA_EINVAL, err);
        return NULL;
    }
    mkba_appraisal *a = NULL;
    mkba_cohort *c = NULL;
    mkba_pub *p = mkba_pub_new();
    if (!estimate_effects(m, &c, err))
        a = mkba_model_appraise(m, err);
    if (a)
        record_cohort_sha256(a, c);
    if (a && c && mkba_model_ps_spec(m) &&
        !(a->ps = mkba_ps_diagnose(c, mkba_model_ps_spec(m), err))) {
        if (!err->file[0]) /* about the model's [propensity], not a line */
            snprintf(err->file, sizeof err->file, "%s", mkba_model_file(m));
        mkba_appraisal_free(a);
        a = NULL;
    }
    if (a) /* again with the propensity block: its persons are a total too */
        mkba_ap_subgroups_disclose(a);
    if (a)
        mkba_ap_ps_warn(a, mkba_model_file(m));
    if (a)
        mkba_out_inputs(p, a);
    mkba_status st = !a ? (err->code ? err->code : MKBA_EINVAL)
                     : mkba_mpi_rank() == 0 ? check_outputs(o, m, p, err) /* it writes them */
                                            : MKBA_OK;
    if (!(st = mkba_mpi_agree(st, err)))
        st = same_inputs(a, err);
    if (!st && resolve_mc(o, m).draws > 0)
        st = monte_carlo(o, m, c, a, p, err);
    if (!st && mkba_mpi_rank() > 0) /* its part is done: the rest is rank 0's */
        goto done;
    if (!st && o->sensitivity &&
        !(a->sens = mkba_sens_run_threads(mkba_model_plan(m), o->threads, err)))
        st = err->code ? err->code : MKBA_EINVAL;
    if (!st && a->sens && o->two_way)
        st = two_way(o, m, a, err);
    size_t sobol_n = o->has_sobol ? o->sobol : 4096;
    if (!st && a->sens && sobol_n > 0 && a->sens->n_inputs > 0)
        st = mkba_sens_sobol(a->sens, mkba_model_plan(m), sobol_n, resolve_mc(o, m).seed,
                             o->threads, err);
    if (!st)
        mkba_ap_sens_disclose(a);
    if (st) {
        mkba_appraisal_free(a);
        mkba_pub_abort(p);
        a = NULL;
        p = NULL;
    }
done:
    *pub = p;
    mkba_cohort_free(c);
    mkba_model_free(m);
    return a;
}

/* The charts of 'a' into OUT/charts (with --out, unless --no-charts),
 * staged in 'pub'; NULL with *err clear when none are asked for. A missing
 * gnuplot is no failure: it is said once on stderr (also with -q). */
static mkba_chart_set *stage_charts(const opts *o, mkba_pub *pub, const mkba_appraisal *a,
                                    mkba_error *err)
{
    if (!o->out || o->no_charts)
        return NULL;
    char *dir = mkba_xasprintf("%s/charts", o->out);
    mkba_chart_opts co = {.lang_nl = o->lang_nl, .gnuplot = NULL, .render = 1};
    mkba_chart_set *set = mkba_chart_stage_all(pub, dir, a, &co, err);
    if (set && set->gnuplot_missing)
        print_text(stderr,
                   "mkba: gnuplot not found: charts' data and scripts are in %s; install it "
                   "with: sudo apt-get install gnuplot-nox\n",
                   dir);
    free(dir);
    return set;
}

/* --report: the HTML report of 'a', with the charts of 'charts' (those
 * staged for OUT/charts). Without them (no --out) the charts are made in
 * a temporary directory that is removed with the publication; with
 * --no-charts the report has none and says so. */
static mkba_status stage_report(const opts *o, mkba_pub *pub, const mkba_appraisal *a,
                                const mkba_chart_set *charts, mkba_error *err)
{
    mkba_report_opts ro = {.lang_nl = o->lang_nl, .charts = charts,
                           .charts_skipped = o->no_charts};
    if (make_parent(o, pub, o->report, err))
        return err->code;
    if (charts || o->no_charts)
        return mkba_report_stage(pub, o->report, a, &ro, err);
    const char *base = getenv("TMPDIR");
    char *dir = mkba_xasprintf("%s/mkba-charts-XXXXXX", base && *base ? base : "/tmp");
    if (!mkba_tmp_mkdtemp(dir)) {
        mkba_status st = mkba_error_set(err, MKBA_EIO, dir, 0, NULL,
                                        "cannot create a directory for the report's charts: %s",
                                        strerror(errno));
        free(dir);
        return st;
    }
    mkba_pub_private(pub, dir);
    /* The pictures are only read into the report: a scratch publication
     * that is never committed. */
    mkba_pub *scratch = mkba_pub_new();
    mkba_chart_opts co = {.lang_nl = o->lang_nl, .gnuplot = NULL, .render = 1};
    mkba_chart_set *set = mkba_chart_stage_all(scratch, dir, a, &co, err);
    mkba_status st = set ? MKBA_OK : err->code ? err->code : MKBA_EIO;
    if (set && set->gnuplot_missing)
        fprintf(stderr, "mkba: gnuplot not found: the report has no charts; install it with: "
                        "sudo apt-get install gnuplot-nox\n");
    if (!st) {
        ro.charts = set;
        st = mkba_report_stage(pub, o->report, a, &ro, err);
    }
    mkba_chart_set_free(set);
    mkba_pub_abort(scratch);
    free(dir);
    return st;
}

/* The files of a run: the --out directory, its charts, the --report, the
 * --xlsx workbook, staged in 'pub' with the draws file, then published together; nothing
 * is published when any of them fails. *charts: the charts (caller
 * frees). Releases 'pub'. */
static mkba_status write_outputs(const opts *o, mkba_pub *pub, const mkba_appraisal *a,
                                 mkba_chart_set **charts, mkba_error *err)
{
    mkba_status st = o->out ? mkba_out_stage_dir(pub, o->out, a, err) : MKBA_OK;
    if (!st && !(*charts = stage_charts(o, pub, a, err)))
        st = err->code;
    if (!st && o->report)
        st = stage_report(o, pub, a, *charts, err);
    if (!st && o->xlsx && !(st = make_parent(o, pub, o->xlsx, err)))
        st = mkba_workbook_stage(pub, o->xlsx, a, o->lang_nl, err);
    if (st) {
        mkba_pub_abort(pub);
        return st;
    }
    return mkba_pub_commit(pub, err);
}

/* After the printed results: where the files went. */
static void print_written(const opts *o, const mkba_chart_set *charts)
{
    if (o->out)
        print_text(stdout, mkba_fmt_tr("\nTables and results.json written to %s/\n", o->lang_nl),
                   o->out);
    if (charts)
        print_text(stdout, mkba_fmt_tr("Charts written to %s/\n", o->lang_nl), charts->dir);
    if (o->report)
        print_text(stdout,
                   o->out ? mkba_fmt_tr("Report written to %s\n", o->lang_nl)
                          : mkba_fmt_tr("\nReport written to %s\n", o->lang_nl),
                   o->report);
    if (o->xlsx)
        print_text(stdout, o->out || o->report ? "Workbook written to %s\n"
                                               : "\nWorkbook written to %s\n",
                   o->xlsx);
}

/* ======================= Commands ======================= */

static int cmd_run(int argc, char **argv, int check_only)
{
    opts o = {0};
    int done;
    int rc = parse_opts(check_only ? "check" : "run", check_only ? "rL" : "rodqsDTBWSXNOHLCxM",
                        check_only ? CHECK_HELP : RUN_HELP, argc, argv, &o, &done);
    if (rc || done)
        goto out;
    if (o.n_files == 0) {
        rc = usage_error(check_only ? "check" : "run", "%s", "no scenario file given");
        goto out;
    }
    if ((rc = check_combinations(check_only ? "check" : "run", &o)))
        goto out;
    if (check_only) { /* check reads and evaluates; it runs no Monte Carlo */
        o.has_draws = 1;
        o.draws = 0;
    }
    mkba_error err;
    mkba_error_clear(&err);
    mkba_pub *pub;
    mkba_appraisal *a = pipeline(&o, &pub, &err);
    if (!a) {
        print_error(&err);
        rc = EXIT_FAIL;
        goto out;
    }
    if (mkba_mpi_rank() > 0) { /* rank 0 writes and prints */
        mkba_pub_abort(pub);
        mkba_appraisal_free(a);
        goto out;
    }
    print_warnings(a, o.lang_nl);
    if (check_only) {
        mkba_pub_abort(pub);
        char *ref = mkba_escape_term_dup(a->scenarios[0].name);
        printf(mkba_fmt_tr("ok: %zu scenario(s) against '%s', %zu items, %zu effects\n",
                           o.lang_nl),
               a->n_scenarios - 1, ref, a->n_items, a->n_effects);
        free(ref);
    } else {
        mkba_chart_set *charts = NULL;
        if (write_outputs(&o, pub, a, &charts, &err)) {
            print_error(&err);
            rc = EXIT_FAIL;
        } else if (!o.quiet) {
            mkba_out_opts po = {.lang_nl = o.lang_nl, .detail = o.detail};
            mkba_out_print(stdout, a, &po);
            mkba_out_print_mc(stdout, a, o.lang_nl);
            mkba_out_print_sens(stdout, a, o.lang_nl);
            print_written(&o, charts);
        }
        mkba_chart_set_free(charts);
    }
    mkba_appraisal_free(a);
out:
    free(o.files);
    return rc;
}

static int cmd_estimate(int argc, char **argv)
{
    opts o = {0};
    int done;
    int rc = parse_opts("estimate", "onL", ESTIMATE_HELP, argc, argv, &o, &done);
    if (rc || done)
        goto out;
    if (o.n_files != 1) {
        rc = usage_error("estimate", "%s", o.n_files ? "give one model file" : "no model file given");
        goto out;
    }
    mkba_error err;
    mkba_error_clear(&err);
    o.reference = o.files[0];
    o.n_files = 0;
    o.out_is_file = 1;
    o.has_draws = 1; /* effects only: no Monte Carlo, whatever [simulation] says */
    o.draws = 0;
    mkba_pub *pub;
    mkba_appraisal *a = pipeline(&o, &pub, &err);
    if (!a) {
        print_error(&err);
        rc = EXIT_FAIL;
        goto out;
    }
    if (mkba_mpi_rank() > 0) { /* rank 0 writes and prints */
        mkba_pub_abort(pub);
        mkba_appraisal_free(a);
        goto out;
    }
    mkba_status st = o.out ? mkba_out_stage_effects_csv(pub, o.out, a, o.lang_nl, &err) : MKBA_OK;
    if (st)
        mkba_pub_abort(pub);
    else
        st = mkba_pub_commit(pub, &err);
    if (st) {
        print_error(&err);
        rc = EXIT_FAIL;
    } else {
        mkba_out_print_effects(stdout, a, o.lang_nl);
        print_warnings(a, o.lang_nl);
    }
    mkba_appraisal_free(a);
out:
    free(o.files);
    return rc;
}

static int cmd_sensitivity(int argc, char **argv)
{
    opts o = {0};
    int done;
    int rc = parse_opts("sensitivity", "roqXNOsTHLCx", SENS_HELP, argc, argv, &o, &done);
    if (rc || done)
        goto out;
    if (o.n_files == 0) {
        rc = usage_error("sensitivity", "%s", "no scenario file given");
        goto out;
    }
    if ((rc = check_combinations("sensitivity", &o)))
        goto out;
    o.sensitivity = 1;
    o.has_draws = 1; /* deterministic: no Monte Carlo */
    o.draws = 0;
    mkba_error err;
    mkba_error_clear(&err);
    mkba_pub *pub;
    mkba_appraisal *a = pipeline(&o, &pub, &err);
    if (!a) {
        print_error(&err);
        rc = EXIT_FAIL;
        goto out;
    }
    if (mkba_mpi_rank() > 0) { /* rank 0 writes and prints */
        mkba_pub_abort(pub);
        mkba_appraisal_free(a);
        goto out;
    }
    print_warnings(a, o.lang_nl);
    mkba_chart_set *charts = NULL;
    if (write_outputs(&o, pub, a, &charts, &err)) {
        print_error(&err);
        rc = EXIT_FAIL;
    } else if (!o.quiet) {
        print_text(stdout, "MKBA: %s\n", mkba_fmt_model_name(a, o.lang_nl));
        mkba_out_print_sens(stdout, a, o.lang_nl);
        print_written(&o, charts);
    }
    mkba_chart_set_free(charts);
    mkba_appraisal_free(a);
out:
    free(o.files);
    return rc;
}

static int cmd_synth(int argc, char **argv)
{
    opts o = {.seed = 1};
    int done;
    int rc = parse_opts("synth", "os", SYNTH_HELP, argc, argv, &o, &done);
    if (rc || done)
        goto out;
    if (o.n_files != 1 || !o.out) {
        rc = usage_error("synth", "%s",
                         o.n_files != 1 ? "give one spec file" : "--out FILE is required");
        goto out;
    }
    mkba_error err;
    mkba_error_clear(&err);
    mkba_pub *guard = mkba_pub_new();
    mkba_pub_input(guard, o.files[0], "the spec file");
    mkba_status claimed = mkba_pub_claim(guard, o.out, "--out", &err);
    mkba_pub_abort(guard);
    if (claimed) {
        print_error(&err);
        rc = EXIT_FAIL;
        goto out;
    }
    mkba_synth *s = mkba_synth_load(o.files[0], &err);
    if (!s || mkba_synth_write(s, o.seed, o.out, &err)) {
        print_error(&err);
        rc = EXIT_FAIL;
    } else {
        char *path = mkba_escape_term_dup(o.out);
        fprintf(stderr, "mkba: wrote %zu synthetic persons to %s (seed %lu)\n",
                mkba_synth_rows(s), path, o.seed);
        free(path);
    }
    mkba_synth_free(s);
out:
    free(o.files);
    return rc;
}

static int command(int argc, char **argv)
{
    if (argc < 2)
        return usage_error(NULL, "%s", "no command given");
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        fputs(USAGE, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        char build[128];
        printf("mkba %s\n", mkba_build_format(mkba_build_version(), mkba_build_commit(), build,
                                              sizeof build));
        return EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0) {
        const char *topic = argc > 2 ? argv[2] : "";
        const char *text = strcmp(topic, "run") == 0        ? RUN_HELP
                           : strcmp(topic, "estimate") == 0 ? ESTIMATE_HELP
                           : strcmp(topic, "check") == 0    ? CHECK_HELP
                           : strcmp(topic, "synth") == 0    ? SYNTH_HELP
                           : strcmp(topic, "sensitivity") == 0 ? SENS_HELP
                                                            : USAGE;
        if (text == USAGE && topic[0])
            return usage_error(NULL, "unknown command '%s'", topic);
        fputs(text, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 2, argv + 2, 0);
    if (strcmp(cmd, "check") == 0)
        return cmd_run(argc - 2, argv + 2, 1);
    if (strcmp(cmd, "estimate") == 0)
        return cmd_estimate(argc - 2, argv + 2);
    if (strcmp(cmd, "synth") == 0) /* one process's work: rank 0's under MPI */
        return mkba_mpi_rank() > 0 ? EXIT_OK : cmd_synth(argc - 2, argv + 2);
    if (strcmp(cmd, "sensitivity") == 0)
        return cmd_sensitivity(argc - 2, argv + 2);
    return usage_error(NULL, "unknown command '%s'", cmd);
}

/* What a command printed must have reached standard output: a full disk
 * under `mkba run > report.txt` is a failed run, not exit 0 with the
 * report cut off (and for `estimate` without --out the only output). */
static int stdout_written(int rc)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return rc;
    fprintf(stderr, "mkba: cannot write the standard output: %s\n",
            strerror(errno ? errno : EIO));
    return rc == EXIT_OK ? EXIT_FAIL : rc;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off(); /* every GSL status is checked where it is called */
    mkba_tmp_guard_signals();    /* Ctrl-C removes what was being written */
    /* A file-size limit (ulimit -f) makes a write fail (EFBIG), which the
     * run reports and cleans up after, instead of a kill that says nothing
     * and leaves the temporary files. */
    signal(SIGXFSZ, SIG_IGN);
    mkba_mpi_init(&argc, &argv);
    /* Under MPI only rank 0 prints results (mpi.h): the others' standard
     * output goes nowhere, whatever a command prints. */
    int null = mkba_mpi_rank() > 0 ? open("/dev/null", O_WRONLY) : -1;
    if (null >= 0) {
        dup2(null, STDOUT_FILENO);
        close(null);
    }
    return mkba_mpi_finish(stdout_written(command(argc, argv)));
}

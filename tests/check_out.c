/* check_out.c - tests of the out module (terminal report, CSV tables,
 * results.json) and of fsutil (mkdir -p, atomic writes).
 *
 * The appraisal is built by hand (not by mkba_appraisal_totals): 2
 * scenarios (reference and "pilot"), 2 stakeholders, 3 items (a cost, a
 * benefit, a transfer), horizon 3. Every derived number (delta, present
 * values, balances, net flows) is worked out by hand in fixture() below;
 * the tests compare the files and the report against those hand values.
 * Its strings and arrays are malloc'ed (mkba_x*), so mkba_appraisal_free
 * releases it. */
#include <check.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mkba/cohort.h"
#include "mkba/decision.h"
#include "mkba/estimate.h"
#include "mkba/fmt.h"
#include "mkba/fsutil.h"
#include "mkba/mem.h"
#include "mkba/fmt.h"
#include "mkba/out.h"
#include "mkba/pscore.h"
#include "mkba/pub.h"
#include "mkba/sens.h"
#include "mkba/sim.h"
#include "mkba/sink_csv.h"
#include "mkba/summary.h"
#include "mkba/tables.h"
#include "testutil.h"

/* ============================== the fixture ============================= */

/* Hand calculation (amounts in EUR; project rate 25%, timing "end", so the
 * project's discount factors are 1/1.25^t = 0.8, 0.64, 0.512):
 *
 *   item (kind, who)                 reference flow    pilot flow         delta
 *   staff (cost, municipality)       1e6, 1e6, 1e6     2e6, 1.5e6, 1e6    1e6, 5e5, 0
 *   work (benefit, residents)        0, 0, 0           0, 4e5, 8e5        0, 4e5, 8e5
 *   allowance (transfer, municipality 1e5 x3           1.5e5 x3           5e4 x3
 *              -> residents)
 *
 *   item_pv: staff 1e6*0.8 + 5e5*0.64 = 1,120,000
 *            work 4e5*0.64 + 8e5*0.512 = 256,000 + 409,600 = 665,600
 *            allowance 5e4*(0.8+0.64+0.512) = 5e4*1.952 = 97,600
 *   undiscounted: staff 1,500,000; work 1,200,000; allowance 150,000
 *
 *   balances of the pilot:
 *     municipality: benefits 0; costs 1,120,000 + 97,600 = 1,217,600;
 *                   npv -1,217,600; bcr 0/1,217,600 = 0;
 *                   undiscounted 0 / 1,650,000 / -1,650,000
 *     residents:    benefits 665,600 + 97,600 = 763,200; costs 0; npv 763,200;
 *                   bcr NaN (no costs); undiscounted 1,350,000 / 0 / 1,350,000
 *     society:      benefits 665,600; costs 1,120,000; npv -454,400;
 *                   bcr 665,600 / 1,120,000 = 0.5942857...; undiscounted
 *                   1,200,000 / 1,500,000 / -300,000 (the transfer cancels)
 *   net flows of the pilot per year:
 *     municipality -1e6-5e4 = -1,050,000; -5e5-5e4 = -550,000; -50,000
 *     residents    0+5e4 = 50,000; 4e5+5e4 = 450,000; 8e5+5e4 = 850,000
 *     society      -1,000,000; -5e5+4e5 = -100,000; 800,000
 *     society PV   -800,000 - 64,000 + 409,600 = -454,400 (= npv)
 * The reference's own rate is 3% (factors 1/1.03^t): its rows in
 * cashflows.csv must carry those, not the pilot's. */

#define T_ 3
#define K_ 2
#define I_ 3
#define S_ 2

static const double REF_FLOW[I_][T_] = {{1e6, 1e6, 1e6}, {0, 0, 0}, {1e5, 1e5, 1e5}};
static const double PILOT_FLOW[I_][T_] = {{2e6, 1.5e6, 1e6}, {0, 4e5, 8e5}, {1.5e5, 1.5e5, 1.5e5}};
static const double PILOT_DF[T_] = {0.8, 0.64, 0.512};

static void set_balance(mkba_balance *b, double pvb, double pvc, double bcr, double ben,
                        double cost)
{
    b->pv_benefits = pvb;
    b->pv_costs = pvc;
    b->npv = pvb - pvc;
    b->bcr = bcr;
    b->benefits = ben;
    b->costs = cost;
    b->net = ben - cost;
}

static void set_item(mkba_ap_item *it, const char *name, const char *label, const char *domain,
                     mkba_item_kind kind, size_t who, size_t loser)
{
    it->name = mkba_xstrdup(name);
    it->label = mkba_xstrdup(label);
    it->domain = mkba_xstrdup(domain);
    it->source = mkba_xstrdup("assumption: test");
    it->kind = kind;
    it->stakeholder = who;
    it->loser = loser;
}

static void set_effect(mkba_ap_effect *x, const char *name, const char *label,
                       mkba_est_method m, double est, double se, double lo, double hi,
                       double mp, double mc, size_t np, size_t nc, size_t miss_p,
                       size_t miss_c)
{
    x->name = mkba_xstrdup(name);
    x->label = mkba_xstrdup(label);
    x->e = (mkba_effect){.method = m, .estimate = est, .se = se, .df = INFINITY, .ci_lo = lo,
                         .ci_hi = hi, .mean_pilot = mp, .mean_control = mc, .n_pilot = np,
                         .n_control = nc, .n_missing = miss_p + miss_c};
    x->missing_pilot = miss_p;
    x->missing_control = miss_c;
}

static mkba_appraisal *fixture(void)
{
    mkba_appraisal *a = mkba_xcalloc(1, sizeof *a);
    a->version = mkba_xstrdup("0.1.0");
    a->model_name = mkba_xstrdup("Test model");
    a->model_file = mkba_xstrdup("models/test.ini");
    snprintf(a->model_sha256, sizeof a->model_sha256, "%064d", 7);
    a->n_cohort_files = 2;
    a->cohort_files = mkba_xcalloc(2, sizeof *a->cohort_files);
    a->cohort_files[0] = mkba_xstrdup("data/a.csv");
    a->cohort_files[1] = mkba_xstrdup("data/b.csv");
    snprintf(a->run_date, sizeof a->run_date, "2024-01-02T03:04:05Z");
    a->currency = mkba_xstrdup("EUR");
    a->price_year = 2018;
    a->first_year = 2017;
    a->discount_timing = mkba_xstrdup("end");
    a->horizon = T_;
    a->rate = mkba_xcalloc(S_ * T_, sizeof *a->rate);
    a->discount = mkba_xcalloc(S_ * T_, sizeof *a->discount);
    for (size_t t = 0; t < T_; t++) {
        a->rate[t] = 0.03;
        a->discount[t] = 1 / pow(1.03, (double)t + 1);
        a->rate[T_ + t] = 0.25;
        a->discount[T_ + t] = PILOT_DF[t];
    }
    a->n_stakeholders = K_;
    a->stakeholders = mkba_xcalloc(K_, sizeof *a->stakeholders);
    a->stakeholder_labels = mkba_xcalloc(K_, sizeof *a->stakeholder_labels);
    a->stakeholders[0] = mkba_xstrdup("municipality");
    a->stakeholders[1] = mkba_xstrdup("residents");
    a->stakeholder_labels[0] = mkba_xstrdup("Municipality of Almere");
    a->stakeholder_labels[1] = mkba_xstrdup("Residents, on assistance");
    a->n_items = I_;
    a->items = mkba_xcalloc(I_, sizeof *a->items);
    set_item(&a->items[0], "staff", "Staff time \"wijkteam\", extra", "staff", MKBA_ITEM_COST,
             0, 0);
    set_item(&a->items[1], "work", "Income from work; net", "work", MKBA_ITEM_BENEFIT, 1, 0);
    set_item(&a->items[2], "allowance", "Allowance", "other", MKBA_ITEM_TRANSFER, 1, 0);
    a->n_scenarios = S_;
    a->scenarios = mkba_xcalloc(S_, sizeof *a->scenarios);
    a->scenarios[0] = (mkba_ap_scenario){mkba_xstrdup("regular"), mkba_xstrdup("Regular practice"),
                                         mkba_xstrdup("scenarios/regular.ini"), "", NULL, NULL};
    a->scenarios[1] = (mkba_ap_scenario){mkba_xstrdup("pilot"), mkba_xstrdup("Pilot"),
                                         mkba_xstrdup("scenarios/pilot.ini"), "", NULL, NULL};
    snprintf(a->scenarios[0].sha256, 65, "%064d", 1);
    snprintf(a->scenarios[1].sha256, 65, "%064d", 2);
    a->n_effects = 2;
    a->effects = mkba_xcalloc(2, sizeof *a->effects);
    set_effect(&a->effects[0], "outflow_work", "Outflow to work (share)", MKBA_EST_OLS, 0.1, 0.05,
               0.002, 0.198, 1.0 / 3, 0.2, 120, 118, 1, 2);
    set_effect(&a->effects[1], "wait_weeks", "Weeks to decision", MKBA_EST_GIVEN, -2.5, 0.5,
               -3.48, -1.52, NAN, NAN, 0, 0, 0, 0);

    a->flow = mkba_xcalloc(S_ * I_ * T_, sizeof *a->flow);
    a->delta = mkba_xcalloc(S_ * I_ * T_, sizeof *a->delta);
    for (size_t i = 0; i < I_; i++)
        for (size_t t = 0; t < T_; t++) {
            a->flow[mkba_ap_fidx(a, 0, i, t)] = REF_FLOW[i][t];
            a->flow[mkba_ap_fidx(a, 1, i, t)] = PILOT_FLOW[i][t];
            a->delta[mkba_ap_fidx(a, 1, i, t)] = PILOT_FLOW[i][t] - REF_FLOW[i][t];
        }
    a->item_pv = mkba_xcalloc(S_ * I_, sizeof *a->item_pv);
    a->item_pv[I_ + 0] = 1120000; /* hand values: see the comment above */
    a->item_pv[I_ + 1] = 665600;
    a->item_pv[I_ + 2] = 97600;
    static const double net[K_ + 1][T_] = {
        {-1050000, -550000, -50000}, {50000, 450000, 850000}, {-1000000, -100000, 800000}};
    a->net_flow = mkba_xcalloc(S_ * (K_ + 1) * T_, sizeof *a->net_flow);
    for (size_t k = 0; k <= K_; k++)
        for (size_t t = 0; t < T_; t++)
            a->net_flow[((K_ + 1) + k) * T_ + t] = net[k][t];
    a->balance = mkba_xcalloc(S_ * (K_ + 1), sizeof *a->balance);
    for (size_t k = 0; k <= K_; k++) /* the reference against itself */
        set_balance(&a->balance[mkba_ap_bidx(a, 0, k)], 0, 0, NAN, 0, 0);
    set_balance(&a->balance[mkba_ap_bidx(a, 1, 0)], 0, 1217600, 0, 0, 1650000);
    set_balance(&a->balance[mkba_ap_bidx(a, 1, 1)], 763200, 0, NAN, 1350000, 0);
    set_balance(&a->balance[mkba_ap_bidx(a, 1, 2)], 665600, 1120000, 665600.0 / 1120000.0,
                1200000, 1500000);
    return a;
}

/* Add a second project, "pilot2025": a copy of the pilot's flows and
 * results, discounted at 3% instead of 25% (only its rates and its
 * society NPV, set to +12,345.4, matter to the tests). */
static void add_project(mkba_appraisal *a)
{
    size_t S = 3, I = I_, T = T_, K = K_;
    a->scenarios = mkba_xreallocarray(a->scenarios, S, sizeof *a->scenarios);
    a->scenarios[2] = (mkba_ap_scenario){mkba_xstrdup("pilot2025"), mkba_xstrdup("Pilot 2025"),
                                         mkba_xstrdup("scenarios/pilot-2025.ini"), "", NULL, NULL};
    a->rate = mkba_xreallocarray(a->rate, S * T, sizeof *a->rate);
    a->discount = mkba_xreallocarray(a->discount, S * T, sizeof *a->discount);
    for (size_t t = 0; t < T; t++) {
        a->rate[2 * T + t] = 0.03;
        a->discount[2 * T + t] = 1 / pow(1.03, (double)t + 1);
    }
    a->flow = mkba_xreallocarray(a->flow, S * I * T, sizeof *a->flow);
    a->delta = mkba_xreallocarray(a->delta, S * I * T, sizeof *a->delta);
    memcpy(a->flow + 2 * I * T, a->flow + I * T, I * T * sizeof *a->flow);
    memcpy(a->delta + 2 * I * T, a->delta + I * T, I * T * sizeof *a->delta);
    a->item_pv = mkba_xreallocarray(a->item_pv, S * I, sizeof *a->item_pv);
    memcpy(a->item_pv + 2 * I, a->item_pv + I, I * sizeof *a->item_pv);
    a->net_flow = mkba_xreallocarray(a->net_flow, S * (K + 1) * T, sizeof *a->net_flow);
    memcpy(a->net_flow + 2 * (K + 1) * T, a->net_flow + (K + 1) * T,
           (K + 1) * T * sizeof *a->net_flow);
    a->balance = mkba_xreallocarray(a->balance, S * (K + 1), sizeof *a->balance);
    memcpy(a->balance + 2 * (K + 1), a->balance + (K + 1), (K + 1) * sizeof *a->balance);
    a->balance[2 * (K + 1) + K].npv = 12345.4;
    a->balance[2 * (K + 1) + K].bcr = 1.5;
    a->n_scenarios = S;
}

/* ============================ test helpers ============================== */

static mkba_appraisal *ap;   /* per-test fixture */

static void setup(void)
{
    tu_tmp_setup();
    ap = fixture();
}

static void teardown(void)
{
    mkba_appraisal_free(ap);
    tu_tmp_teardown();
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Entries of 'dir' (without . and ..); *tmp_left counts ".tmp." names. */
static size_t count_entries(const char *dir, size_t *tmp_left)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    size_t n = 0, t = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n++;
        t += strstr(e->d_name, ".tmp.") != NULL;
    }
    closedir(d);
    if (tmp_left)
        *tmp_left = t;
    return n;
}

/* A parsed CSV text: rows of fields (RFC 4180 quotes), all malloc'ed. */
typedef struct csvt {
    size_t nrows;
    size_t nf[64];      /* fields per row */
    char *f[64][16];    /* [row][field] */
} csvt;

static csvt *csv_parse(const char *text, char sep)
{
    csvt *c = calloc(1, sizeof *c);
    ck_assert_ptr_nonnull(c);
    const char *p = text;
    while (*p) {
        ck_assert_uint_lt(c->nrows, 64);
        size_t r = c->nrows++;
        for (;;) {
            ck_assert_uint_lt(c->nf[r], 16);
            char *buf = calloc(strlen(p) + 1, 1), *o = buf;
            ck_assert_ptr_nonnull(buf);
            if (*p == '"') {
                for (p++; *p && !(p[0] == '"' && p[1] != '"'); p++) {
                    if (*p == '"')
                        p++; /* "" -> " */
                    *o++ = *p;
                }
                ck_assert_int_eq(*p, '"');
                p++;
            } else {
                while (*p && *p != sep && *p != '\n')
                    *o++ = *p++;
            }
            c->f[r][c->nf[r]++] = buf;
            if (*p == sep) {
                p++;
                continue;
            }
            ck_assert_int_eq(*p, '\n'); /* every line ends in "\n" */
            p++;
            break;
        }
    }
    return c;
}

static void csv_free(csvt *c)
{
    for (size_t r = 0; r < c->nrows; r++)
        for (size_t i = 0; i < c->nf[r]; i++)
            free(c->f[r][i]);
    free(c);
}

/* Read dir/name and parse it. */
static csvt *read_csv(const char *dir, const char *name, char sep)
{
    char *p = tu_path(dir, name);
    char *text = tu_read(p);
    ck_assert_msg(text != NULL, "cannot read %s", p);
    csvt *c = csv_parse(text, sep);
    free(text);
    free(p);
    return c;
}

/* A number field, strictly: the whole field must be one number. The Dutch
 * form has a decimal comma. */
static double num(const char *s, int dutch)
{
    char buf[64];
    ck_assert_uint_lt(strlen(s), sizeof buf);
    snprintf(buf, sizeof buf, "%s", s);
    if (dutch) {
        ck_assert_ptr_null(strchr(buf, '.'));
        char *c = strchr(buf, ',');
        if (c)
            *c = '.';
    }
    char *end;
    errno = 0;
    double x = strtod(buf, &end);
    ck_assert_msg(*buf && *end == '\0' && errno == 0, "not a number: '%s'", s);
    return x;
}

/* The header row joined with 'sep', to compare as one string. */
static void header_is(const csvt *c, char sep, const char *expected)
{
    char buf[512] = "";
    for (size_t i = 0; i < c->nf[0]; i++) {
        size_t n = strlen(buf);
        snprintf(buf + n, sizeof buf - n, "%s%s", i ? (char[]){sep, 0} : "", c->f[0][i]);
    }
    ck_assert_str_eq(buf, expected);
}

/* The report printed into a string (caller frees). */
static char *report(const mkba_appraisal *a, int detail, int effects_only)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    mkba_out_opts o = {.lang_nl = 0, .detail = detail};
    if (effects_only)
        mkba_out_print_effects(f, a, 0);
    else
        mkba_out_print(f, a, &o);
    ck_assert_int_eq(fclose(f), 0);
    return buf;
}

/* Every line at most 100 characters (UTF-8 aware) and none with trailing
 * blanks. */
static void lines_fit(const char *text)
{
    size_t w = 0, lineno = 1;
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            ck_assert_msg(p == text || p[-1] != ' ', "trailing blank on line %zu", lineno);
            w = 0;
            lineno++;
            continue;
        }
        if (((unsigned char)*p & 0xC0) != 0x80)
            w++;
        ck_assert_msg(w <= 100, "line %zu is wider than 100 columns:\n%s", lineno, text);
    }
}

/* The line of 'text' that contains 'needle', copied (caller frees). */
static char *line_with(const char *text, const char *needle)
{
    const char *p = strstr(text, needle);
    ck_assert_msg(p != NULL, "'%s' not in:\n%s", needle, text);
    const char *b = p, *e = p;
    while (b > text && b[-1] != '\n')
        b--;
    while (*e && *e != '\n')
        e++;
    char *l = mkba_xstrndup(b, (size_t)(e - b));
    return l;
}

/* 'line' contains the words in order, separated by blanks only. */
static void row_is(const char *text, const char *first, const char *const *cells, size_t n)
{
    char *l = line_with(text, first);
    const char *p = strstr(l, first) + strlen(first);
    for (size_t i = 0; i < n; i++) {
        while (*p == ' ')
            p++;
        ck_assert_msg(strncmp(p, cells[i], strlen(cells[i])) == 0 &&
                          (p[strlen(cells[i])] == ' ' || p[strlen(cells[i])] == '\0'),
                      "in line '%s': expected '%s' at '%s'", l, cells[i], p);
        p += strlen(cells[i]);
    }
    free(l);
}

/* =============================== fsutil ================================= */

START_TEST(test_mkdir_p_nested)
{
    char *d = tu_path(tu_tmp, "a/b/c");
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_mkdir_p(d, &err), MKBA_OK);
    struct stat st;
    ck_assert_int_eq(stat(d, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    ck_assert_int_eq(mkba_mkdir_p(d, &err), MKBA_OK); /* existing: fine */
    char *d2 = tu_path(tu_tmp, "a//b/c/d/");              /* doubled and trailing '/' */
    ck_assert_int_eq(mkba_mkdir_p(d2, &err), MKBA_OK);
    char *d3 = tu_path(tu_tmp, "a/b/c/d");
    ck_assert(exists(d3));
    ck_assert_int_eq(mkba_mkdir_p("/", &err), MKBA_OK);
    ck_assert_int_eq(err.code, MKBA_OK);
    free(d);
    free(d2);
    free(d3);
}
END_TEST

START_TEST(test_mkdir_p_errors)
{
    char *file = tu_write(tu_tmp, "plain", "x\n");
    char *d = tu_path(file, "x/y");
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_mkdir_p(d, &err), MKBA_EIO);
    ck_assert_str_eq(err.file, d);
    ck_assert_str_eq(err.msg, "cannot create directory: Not a directory");
    ck_assert(!exists(d));
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_mkdir_p(file, &err), MKBA_EIO); /* the path itself is a file */
    ck_assert_str_eq(err.msg, "cannot create directory: Not a directory");
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_mkdir_p("", &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "empty directory name");
    free(d);
    free(file);
}
END_TEST

START_TEST(test_afile_commit)
{
    umask(022); /* mode expected below: 0666 & ~022 = 0644 */
    char *p = tu_path(tu_tmp, "x.txt");
    mkba_error err;
    mkba_error_clear(&err);
    mkba_afile *f = mkba_afile_open(p, &err);
    ck_assert_ptr_nonnull(f);
    fputs("hello\n", mkba_afile_fp(f));
    size_t tmps;
    ck_assert_uint_eq(count_entries(tu_tmp, &tmps), 1); /* only the temporary file */
    ck_assert_uint_eq(tmps, 1);
    ck_assert(!exists(p));
    ck_assert_int_eq(mkba_afile_commit(f, &err), MKBA_OK);
    char *text = tu_read(p);
    ck_assert_str_eq(text, "hello\n");
    ck_assert_uint_eq(count_entries(tu_tmp, &tmps), 1);
    ck_assert_uint_eq(tmps, 0);
    struct stat st;
    ck_assert_int_eq(stat(p, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0644);
    free(text);
    free(p);
}
END_TEST

START_TEST(test_afile_replace_and_abort)
{
    char *p = tu_write(tu_tmp, "x.txt", "old\n");
    mkba_error err;
    mkba_error_clear(&err);
    mkba_afile *f = mkba_afile_open(p, &err);
    ck_assert_ptr_nonnull(f);
    fputs("new\n", mkba_afile_fp(f));
    fflush(mkba_afile_fp(f));
    char *text = tu_read(p);
    ck_assert_str_eq(text, "old\n"); /* untouched until the commit */
    free(text);
    mkba_afile_abort(f);
    text = tu_read(p);
    ck_assert_str_eq(text, "old\n"); /* and after an abort */
    free(text);
    size_t tmps;
    ck_assert_uint_eq(count_entries(tu_tmp, &tmps), 1);
    ck_assert_uint_eq(tmps, 0);
    f = mkba_afile_open(p, &err);
    ck_assert_ptr_nonnull(f);
    fputs("new\n", mkba_afile_fp(f));
    ck_assert_int_eq(mkba_afile_commit(f, &err), MKBA_OK);
    text = tu_read(p);
    ck_assert_str_eq(text, "new\n");
    free(text);
    /* abort of a new file leaves nothing at all */
    char *q = tu_path(tu_tmp, "never.txt");
    f = mkba_afile_open(q, &err);
    ck_assert_ptr_nonnull(f);
    fputs("x", mkba_afile_fp(f));
    mkba_afile_abort(f);
    ck_assert(!exists(q));
    ck_assert_uint_eq(count_entries(tu_tmp, &tmps), 1);
    ck_assert_uint_eq(tmps, 0);
    mkba_afile_abort(NULL); /* no-op */
    ck_assert_int_eq(err.code, MKBA_OK);
    free(q);
    free(p);
}
END_TEST

START_TEST(test_afile_bad_parent)
{
    char *file = tu_write(tu_tmp, "plain", "x\n");
    char *p = tu_path(file, "x.csv"); /* under a regular file: fails even as root */
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_afile_open(p, &err));
    ck_assert_int_eq(err.code, MKBA_EIO);
    char buf[2048], expected[2048];
    snprintf(expected, sizeof expected, "%s: cannot write: Not a directory", p);
    ck_assert_str_eq(mkba_error_format(&err, buf, sizeof buf), expected);
    ck_assert_uint_eq(count_entries(tu_tmp, NULL), 1); /* only 'plain' */
    /* a missing directory */
    char *q = tu_path(tu_tmp, "nodir/x.csv");
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_afile_open(q, &err));
    snprintf(expected, sizeof expected, "%s: cannot write: No such file or directory", q);
    ck_assert_str_eq(mkba_error_format(&err, buf, sizeof buf), expected);
    free(q);
    free(p);
    free(file);
}
END_TEST

START_TEST(test_afile_onto_directory)
{
    char *p = tu_path(tu_tmp, "d.csv");
    ck_assert_int_eq(mkdir(p, 0777), 0);
    mkba_error err;
    mkba_error_clear(&err);
    mkba_afile *f = mkba_afile_open(p, &err);
    ck_assert_ptr_nonnull(f);
    fputs("x\n", mkba_afile_fp(f));
    ck_assert_int_eq(mkba_afile_commit(f, &err), MKBA_EIO);
    ck_assert_str_eq(err.file, p);
    ck_assert_str_eq(err.msg, "cannot write: Is a directory");
    size_t tmps;
    ck_assert_uint_eq(count_entries(tu_tmp, &tmps), 1); /* the directory, no temp left */
    ck_assert_uint_eq(tmps, 0);
    free(p);
}
END_TEST

START_TEST(test_pub_commit_all)
{
    char *p[3] = {tu_path(tu_tmp, "a"), tu_write(tu_tmp, "b", "old b\n"), tu_path(tu_tmp, "c")};
    mkba_error err;
    mkba_error_clear(&err);
    /* the third target is a directory: refused when it is claimed */
    ck_assert_int_eq(mkdir(p[2], 0777), 0);
    mkba_pub *pub = mkba_pub_new();
    for (int i = 0; i < 2; i++)
        fprintf(mkba_pub_open(pub, p[i], "--out DIR", &err), "new %d\n", i);
    ck_assert_ptr_null(mkba_pub_open(pub, p[2], "--out DIR", &err));
    ck_assert_str_eq(err.file, p[2]);
    ck_assert_str_eq(err.msg, "cannot write: Is a directory");
    mkba_pub_abort(pub);
    ck_assert(!exists(p[0]));
    char *text = tu_read(p[1]);
    ck_assert_str_eq(text, "old b\n");
    free(text);
    size_t tmps;
    ck_assert_uint_eq(count_entries(tu_tmp, &tmps), 2); /* b and the directory c */
    ck_assert_uint_eq(tmps, 0);
    /* the target becomes a directory after the claim: found in the first
     * phase of the commit, before any rename */
    ck_assert_int_eq(rmdir(p[2]), 0);
    mkba_error_clear(&err);
    pub = mkba_pub_new();
    for (int i = 0; i < 3; i++)
        fprintf(mkba_pub_open(pub, p[i], "--out DIR", &err), "new %d\n", i);
    ck_assert_int_eq(mkdir(p[2], 0777), 0);
    ck_assert_int_eq(mkba_pub_commit(pub, &err), MKBA_EIO);
    ck_assert_str_eq(err.file, p[2]);
    ck_assert(!exists(p[0]));
    text = tu_read(p[1]);
    ck_assert_str_eq(text, "old b\n");
    free(text);
    ck_assert_uint_eq(count_entries(tu_tmp, &tmps), 2);
    ck_assert_uint_eq(tmps, 0);
    /* all good: all renamed */
    ck_assert_int_eq(rmdir(p[2]), 0);
    mkba_error_clear(&err);
    pub = mkba_pub_new();
    for (int i = 0; i < 3; i++)
        fprintf(mkba_pub_open(pub, p[i], "--out DIR", &err), "new %d\n", i);
    ck_assert_int_eq(mkba_pub_commit(pub, &err), MKBA_OK);
    text = tu_read(p[1]);
    ck_assert_str_eq(text, "new 1\n");
    free(text);
    ck_assert_uint_eq(count_entries(tu_tmp, &tmps), 3);
    ck_assert_uint_eq(tmps, 0);
    for (int i = 0; i < 3; i++)
        free(p[i]);
}
END_TEST

/* A write that fails when the commit flushes it (here a file-size limit,
 * as a full disk would): the commit names that file and the system's
 * reason, leaves the old file as it was and removes every temporary file.
 * The flush happens where all files' disk writes are started together,
 * before the first fsync; the reason must survive until the files are
 * finished one by one. */
START_TEST(test_pub_commit_flush_error)
{
    char *p[3] = {tu_path(tu_tmp, "a"), tu_write(tu_tmp, "b", "old b\n"), tu_path(tu_tmp, "c")};
    mkba_error err;
    mkba_error_clear(&err);
    mkba_pub *pub = mkba_pub_new();
    for (int i = 0; i < 3; i++) /* b's 200 bytes wait in the stream's buffer */
        fprintf(mkba_pub_open(pub, p[i], "--out DIR", &err), "%s\n",
                i == 1 ? "b234567890123456789012345678901234567890123456789012345678901234567890"
                         "12345678901234567890123456789012345678901234567890123456789012345678"
                         "901234567890123456789012345678901234567890123456789012345678"
                       : "new");
    struct rlimit old, small;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = old;
    small.rlim_cur = 64;
    signal(SIGXFSZ, SIG_IGN); /* the write fails with EFBIG instead of a signal */
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    mkba_status st = mkba_pub_commit(pub, &err);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_DFL);
    ck_assert_int_eq(st, MKBA_EIO);
    ck_assert_str_eq(err.file, p[1]);
    char want[128];
    snprintf(want, sizeof want, "cannot write: %s", strerror(EFBIG));
    ck_assert_str_eq(err.msg, want);
    ck_assert(!exists(p[0]));
    ck_assert(!exists(p[2]));
    char *text = tu_read(p[1]);
    ck_assert_str_eq(text, "old b\n");
    free(text);
    size_t tmps;
    ck_assert_uint_eq(count_entries(tu_tmp, &tmps), 1); /* b alone */
    ck_assert_uint_eq(tmps, 0);
    for (int i = 0; i < 3; i++)
        free(p[i]);
}
END_TEST

/* ================================ CSV =================================== */

static char *write_out(void)
{
    char *dir = tu_path(tu_tmp, "out/run1"); /* parents created */
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_out_write_dir(dir, ap, &err), MKBA_OK);
    ck_assert_int_eq(err.code, MKBA_OK);
    return dir;
}

START_TEST(test_dir_files)
{
    char *dir = write_out();
    static const char *const names[] = {
        "effects.csv", "effects_nl.csv", "summary.csv", "summary_nl.csv", "items.csv",
        "items_nl.csv", "cashflows.csv", "cashflows_nl.csv", "stakeholder_flows.csv",
        "stakeholder_flows_nl.csv", "alternatives.csv", "alternatives_nl.csv", "results.json"};
    size_t tmps;
    /* one project: the alternatives side by side, no pairwise table */
    ck_assert_uint_eq(count_entries(dir, &tmps), 13);
    ck_assert_uint_eq(tmps, 0);
    for (size_t i = 0; i < 13; i++) {
        char *p = tu_path(dir, names[i]);
        ck_assert_msg(exists(p), "missing %s", names[i]);
        free(p);
    }
    /* a second run replaces the set and leaves nothing else */
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_out_write_dir(dir, ap, &err), MKBA_OK);
    ck_assert_uint_eq(count_entries(dir, &tmps), 13);
    ck_assert_uint_eq(tmps, 0);
    free(dir);
}
END_TEST

START_TEST(test_effects_csv)
{
    char *dir = write_out();
    csvt *c = read_csv(dir, "effects.csv", ',');
    header_is(c, ',',
              "effect,label,method,estimate,se,ci_lo,ci_hi,df,mean_pilot,mean_control,n_pilot,"
              "n_control,n_missing,suppressed,suppressed_fields");
    ck_assert_uint_eq(c->nrows, 3); /* header + 2 effects */
    ck_assert_str_eq(c->f[1][0], "outflow_work");
    ck_assert_str_eq(c->f[1][1], "Outflow to work (share)");
    ck_assert_str_eq(c->f[1][2], "ols");
    /* %.17g round-trips: the exact doubles come back */
    ck_assert(num(c->f[1][3], 0) == 0.1);
    ck_assert_str_eq(c->f[1][3], "0.10000000000000001"); /* 0.1 to 17 digits (python: '%.17g' % 0.1) */
    ck_assert(num(c->f[1][8], 0) == 1.0 / 3);
    ck_assert(num(c->f[1][5], 0) == 0.002);
    ck_assert_str_eq(c->f[1][7], "inf");  /* df = infinity (normal) */
    ck_assert_str_eq(c->f[1][10], "120");
    ck_assert_str_eq(c->f[1][11], "118");
    ck_assert_str_eq(c->f[1][12], "3");   /* 1 + 2 missing */
    /* The fixture leaves min_group 0: nothing is withheld (check_privacy.c
     * tests disclosure control). */
    ck_assert_str_eq(c->f[1][13], "0");
    ck_assert_str_eq(c->f[1][14], "");
    ck_assert_str_eq(c->f[2][2], "given");
    ck_assert(num(c->f[2][3], 0) == -2.5);
    ck_assert_str_eq(c->f[2][8], "");     /* NaN mean: empty field */
    ck_assert_str_eq(c->f[2][9], "");
    csv_free(c);
    free(dir);
}
END_TEST

START_TEST(test_summary_csv)
{
    char *dir = write_out();
    csvt *c = read_csv(dir, "summary.csv", ',');
    header_is(c, ',',
              "scenario,stakeholder,pv_benefits,pv_costs,npv,bcr,benefits_undiscounted,"
              "costs_undiscounted,net_undiscounted");
    ck_assert_uint_eq(c->nrows, 1 + 1 * (K_ + 1)); /* one project x (2 stakeholders + society) */
    ck_assert_str_eq(c->f[1][0], "pilot");
    ck_assert_str_eq(c->f[1][1], "municipality");
    ck_assert(num(c->f[1][4], 0) == -1217600);      /* hand value, see fixture() */
    ck_assert(num(c->f[1][5], 0) == 0);
    ck_assert(num(c->f[1][8], 0) == -1650000);
    ck_assert_str_eq(c->f[2][1], "residents");
    ck_assert_str_eq(c->f[2][5], "");               /* bcr NaN (no costs) */
    ck_assert_str_eq(c->f[3][1], "society");
    ck_assert(num(c->f[3][2], 0) == 665600);
    ck_assert(num(c->f[3][3], 0) == 1120000);
    ck_assert(num(c->f[3][4], 0) == -454400);
    ck_assert(num(c->f[3][5], 0) == 665600.0 / 1120000.0); /* exact double back */
    ck_assert(num(c->f[3][8], 0) == -300000);
    csv_free(c);
    free(dir);
}
END_TEST

START_TEST(test_items_csv)
{
    char *dir = write_out();
    csvt *c = read_csv(dir, "items.csv", ',');
    header_is(c, ',', "scenario,item,label,kind,domain,stakeholder,loser,pv,undiscounted");
    ck_assert_uint_eq(c->nrows, 1 + I_);
    ck_assert_str_eq(c->f[1][2], "Staff time \"wijkteam\", extra"); /* quoted, parsed back */
    ck_assert_str_eq(c->f[1][3], "cost");
    ck_assert_str_eq(c->f[1][6], "");                                /* not a transfer */
    ck_assert(num(c->f[1][7], 0) == 1120000);
    ck_assert(num(c->f[1][8], 0) == 1500000);  /* 1e6 + 5e5 + 0 */
    ck_assert(num(c->f[2][8], 0) == 1200000);  /* 0 + 4e5 + 8e5 */
    ck_assert_str_eq(c->f[3][3], "transfer");
    ck_assert_str_eq(c->f[3][5], "residents");
    ck_assert_str_eq(c->f[3][6], "municipality");
    ck_assert(num(c->f[3][8], 0) == 150000);   /* 3 x 5e4 */
    csv_free(c);
    /* the raw text: RFC 4180 quoting of the label with ',' and '"' */
    char *p = tu_path(dir, "items.csv");
    char *text = tu_read(p);
    ck_assert(tu_contains(text, ",\"Staff time \"\"wijkteam\"\", extra\",cost,"));
    ck_assert(tu_contains(text, ",Income from work; net,benefit,")); /* ';' needs no quotes here */
    free(text);
    free(p);
    free(dir);
}
END_TEST

START_TEST(test_cashflows_csv)
{
    char *dir = write_out();
    csvt *c = read_csv(dir, "cashflows.csv", ',');
    header_is(c, ',',
              "scenario,item,kind,stakeholder,year,calendar_year,flow,delta,discount_factor,"
              "pv_delta");
    ck_assert_uint_eq(c->nrows, 1 + S_ * I_ * T_); /* the reference too: 2 x 3 x 3 = 18 */
    /* row 1: reference, staff, year 1: discounted at the reference's 3% */
    ck_assert_str_eq(c->f[1][0], "regular");
    ck_assert_str_eq(c->f[1][4], "1");
    ck_assert_str_eq(c->f[1][5], "2017");
    ck_assert(num(c->f[1][6], 0) == 1e6);
    ck_assert(num(c->f[1][7], 0) == 0);
    ck_assert_double_eq_tol(num(c->f[1][8], 0), 1 / 1.03, 1e-15);
    /* pilot, staff, year 2 (row 1 + 9 reference rows + 1): flow 1.5e6, delta 5e5,
     * factor 0.64, pv 5e5 * 0.64 = 320,000 */
    size_t r = 1 + 9 + 1;
    ck_assert_str_eq(c->f[r][0], "pilot");
    ck_assert_str_eq(c->f[r][1], "staff");
    ck_assert_str_eq(c->f[r][2], "cost");
    ck_assert_str_eq(c->f[r][3], "municipality");
    ck_assert_str_eq(c->f[r][4], "2");
    ck_assert_str_eq(c->f[r][5], "2018");
    ck_assert(num(c->f[r][6], 0) == 1.5e6);
    ck_assert(num(c->f[r][7], 0) == 5e5);
    ck_assert(num(c->f[r][8], 0) == 0.64);
    ck_assert_double_eq_tol(num(c->f[r][9], 0), 320000, 1e-9);
    /* pilot, work, year 3: 8e5 * 0.512 = 409,600 */
    ck_assert_str_eq(c->f[r + 4][1], "work");
    ck_assert_str_eq(c->f[r + 4][5], "2019");
    ck_assert_double_eq_tol(num(c->f[r + 4][9], 0), 409600, 1e-9);
    csv_free(c);
    free(dir);
}
END_TEST

START_TEST(test_stakeholder_flows_csv)
{
    char *dir = write_out();
    csvt *c = read_csv(dir, "stakeholder_flows.csv", ',');
    header_is(c, ',', "scenario,stakeholder,year,calendar_year,net,discount_factor,net_discounted");
    ck_assert_uint_eq(c->nrows, 1 + 1 * (K_ + 1) * T_); /* 9 rows */
    ck_assert_str_eq(c->f[1][1], "municipality");
    ck_assert(num(c->f[1][4], 0) == -1050000);
    ck_assert_double_eq_tol(num(c->f[1][6], 0), -840000, 1e-9); /* -1,050,000 x 0.8 */
    ck_assert_str_eq(c->f[9][1], "society");
    ck_assert_str_eq(c->f[9][3], "2019");
    ck_assert(num(c->f[9][4], 0) == 800000);
    ck_assert_double_eq_tol(num(c->f[9][6], 0), 409600, 1e-9); /* 800,000 x 0.512 */
    csv_free(c);
    free(dir);
}
END_TEST

START_TEST(test_dutch_csv)
{
    char *dir = write_out();
    static const char *const pairs[][2] = {
        {"effects.csv", "effects_nl.csv"}, {"summary.csv", "summary_nl.csv"},
        {"items.csv", "items_nl.csv"}, {"cashflows.csv", "cashflows_nl.csv"},
        {"stakeholder_flows.csv", "stakeholder_flows_nl.csv"}};
    /* same content below the header (Dutch column names: below): every
     * field equal, numbers equal after ',' -> '.' */
    for (size_t k = 0; k < 5; k++) {
        csvt *en = read_csv(dir, pairs[k][0], ',');
        csvt *nl = read_csv(dir, pairs[k][1], ';');
        ck_assert_uint_eq(en->nrows, nl->nrows);
        ck_assert_uint_eq(en->nf[0], nl->nf[0]);
        for (size_t r = 1; r < en->nrows; r++) {
            ck_assert_uint_eq(en->nf[r], nl->nf[r]);
            for (size_t i = 0; i < en->nf[r]; i++) {
                char buf[256], *end;
                snprintf(buf, sizeof buf, "%s", nl->f[r][i]);
                (void)strtod(en->f[r][i], &end);
                int number = en->f[r][i][0] && *end == '\0';
                char *comma = strchr(buf, ',');
                if (number && comma)
                    *comma = '.'; /* the decimal comma */
                ck_assert_str_eq(buf, en->f[r][i]);
            }
        }
        csv_free(en);
        csv_free(nl);
    }
    /* Dutch column names in the *_nl.csv files (tables_core.c) */
    csvt *c = read_csv(dir, "effects_nl.csv", ';');
    header_is(c, ';',
              "effect;label;methode;schatting;se;bi_onder;bi_boven;df;gemiddelde_pilot;"
              "gemiddelde_controle;n_pilot;n_controle;n_ontbrekend;weggelaten;weggelaten_velden");
    ck_assert_str_eq(c->f[1][3], "0,10000000000000001"); /* decimal comma */
    ck_assert(num(c->f[1][3], 1) == 0.1);
    ck_assert(num(c->f[1][8], 1) == 1.0 / 3);
    csv_free(c);
    c = read_csv(dir, "summary_nl.csv", ';');
    header_is(c, ';', "scenario;actor;cw_baten;cw_kosten;ncw;bk;baten_niet_contant;"
                      "kosten_niet_contant;saldo_niet_contant");
    csv_free(c);
    c = read_csv(dir, "cashflows_nl.csv", ';');
    header_is(c, ';', "scenario;post;soort;actor;jaar;kalenderjaar;stroom;verschil;"
                      "disconteringsfactor;cw_verschil");
    csv_free(c);
    /* the English files keep the English names */
    c = read_csv(dir, "summary.csv", ',');
    header_is(c, ',', "scenario,stakeholder,pv_benefits,pv_costs,npv,bcr,benefits_undiscounted,"
                      "costs_undiscounted,net_undiscounted");
    csv_free(c);
    char *p = tu_path(dir, "items_nl.csv");
    char *text = tu_read(p);
    ck_assert(tu_contains(text, "pilot;staff;\"Staff time \"\"wijkteam\"\", extra\";cost;"));
    ck_assert(tu_contains(text, ";\"Income from work; net\";benefit;")); /* ';' quoted */
    ck_assert(tu_contains(text, ";1120000;1500000\n"));
    ck_assert(tu_contains(text, ";665600;1200000\n"));
    free(text);
    free(p);
    free(dir);
}
END_TEST

START_TEST(test_write_effects_csv)
{
    char *p = tu_path(tu_tmp, "eff.csv");
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_out_write_effects_csv(p, ap, 1, &err), MKBA_OK);
    csvt *c = read_csv(tu_tmp, "eff.csv", ';');
    ck_assert_uint_eq(c->nrows, 3);
    ck_assert_uint_eq(c->nf[0], 15);
    ck_assert(num(c->f[2][3], 1) == -2.5);
    ck_assert(num(c->f[2][5], 1) == -3.48);
    csv_free(c);
    ck_assert_int_eq(mkba_out_write_effects_csv(p, ap, 0, &err), MKBA_OK);
    c = read_csv(tu_tmp, "eff.csv", ',');
    ck_assert_uint_eq(c->nf[0], 15);
    ck_assert(num(c->f[2][6], 0) == -1.52);
    csv_free(c);
    size_t tmps;
    ck_assert_uint_eq(count_entries(tu_tmp, &tmps), 1);
    ck_assert_uint_eq(tmps, 0);
    /* a path under a regular file */
    char *bad = tu_path(p, "x.csv");
    ck_assert_int_eq(mkba_out_write_effects_csv(bad, ap, 0, &err), MKBA_EIO);
    char buf[2048], expected[2048];
    snprintf(expected, sizeof expected, "%s: cannot write: Not a directory", bad);
    ck_assert_str_eq(mkba_error_format(&err, buf, sizeof buf), expected);
    ck_assert_uint_eq(count_entries(tu_tmp, NULL), 1);
    free(bad);
    free(p);
}
END_TEST

START_TEST(test_write_dir_errors)
{
    char *file = tu_write(tu_tmp, "plain", "x\n");
    char *dir = tu_path(file, "out");
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_out_write_dir(dir, ap, &err), MKBA_EIO);
    char buf[2048], expected[2048];
    snprintf(expected, sizeof expected, "%s: cannot create directory: Not a directory", dir);
    ck_assert_str_eq(mkba_error_format(&err, buf, sizeof buf), expected);
    ck_assert_uint_eq(count_entries(tu_tmp, NULL), 1);
    free(dir);
    free(file);

    /* whole or not at all: one target blocked by a directory, so none of the
     * eleven files appears and no temporary file is left */
    dir = tu_path(tu_tmp, "res");
    char *blocker = tu_path(dir, "summary_nl.csv");
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    ck_assert_int_eq(mkdir(blocker, 0777), 0);
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_out_write_dir(dir, ap, &err), MKBA_EIO);
    snprintf(expected, sizeof expected, "%s: cannot write: Is a directory", blocker);
    ck_assert_str_eq(mkba_error_format(&err, buf, sizeof buf), expected);
    size_t tmps;
    ck_assert_uint_eq(count_entries(dir, &tmps), 1);
    ck_assert_uint_eq(tmps, 0);
    free(blocker);
    free(dir);
}
END_TEST

/* ================================ JSON ================================== */

static cJSON *get(const cJSON *o, const char *path)
{
    /* "a.b.2.c": keys and array indices separated by '.' */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *cur = o;
    for (char *tok = strtok(buf, "."); tok && cur; tok = strtok(NULL, "."))
        cur = cJSON_IsArray(cur) ? cJSON_GetArrayItem(cur, atoi(tok))
                                 : cJSON_GetObjectItemCaseSensitive(cur, tok);
    ck_assert_msg(cur != NULL, "no %s in results.json", path);
    return (cJSON *)cur;
}

static double jnum_at(const cJSON *o, const char *path)
{
    cJSON *x = get(o, path);
    ck_assert_msg(cJSON_IsNumber(x), "%s is not a number", path);
    return x->valuedouble;
}

static const char *jstr_at(const cJSON *o, const char *path)
{
    cJSON *x = get(o, path);
    ck_assert_msg(cJSON_IsString(x), "%s is not a string", path);
    return x->valuestring;
}

static cJSON *read_json(const char *dir)
{
    char *p = tu_path(dir, "results.json");
    char *text = tu_read(p);
    ck_assert_ptr_nonnull(text);
    cJSON *root = cJSON_Parse(text);
    ck_assert_msg(root != NULL, "results.json does not parse");
    ck_assert(!tu_contains(text, "nan") && !tu_contains(text, "inf"));
    free(text);
    free(p);
    return root;
}

START_TEST(test_json_provenance)
{
    char *dir = write_out();
    cJSON *j = read_json(dir);
    ck_assert_str_eq(jstr_at(j, "mkba.version"), "0.1.0");
    ck_assert_str_eq(jstr_at(j, "mkba.run_date"), "2024-01-02T03:04:05Z");
    ck_assert_str_eq(jstr_at(j, "model.name"), "Test model");
    ck_assert_str_eq(jstr_at(j, "model.file"), "models/test.ini");
    ck_assert_uint_eq(strlen(jstr_at(j, "model.sha256")), 64);
    ck_assert_str_eq(jstr_at(j, "model.currency"), "EUR");
    ck_assert(jnum_at(j, "model.price_year") == 2018);
    ck_assert(jnum_at(j, "model.first_year") == 2017);
    ck_assert(jnum_at(j, "model.horizon") == 3);
    ck_assert_str_eq(jstr_at(j, "model.discount_timing"), "end");
    ck_assert_int_eq(cJSON_GetArraySize(get(j, "model.discount_rates")), 3);
    ck_assert(jnum_at(j, "model.discount_rates.0") == 0.03);  /* the reference's */
    ck_assert(jnum_at(j, "model.discount_factors.2") == 1 / pow(1.03, 3));
    ck_assert_int_eq(cJSON_GetArraySize(get(j, "cohort.files")), 2);
    ck_assert_str_eq(jstr_at(j, "cohort.files.0"), "data/a.csv");
    ck_assert_str_eq(jstr_at(j, "cohort.files.1"), "data/b.csv");
    ck_assert_int_eq(cJSON_GetArraySize(get(j, "scenarios")), 2);
    ck_assert_str_eq(jstr_at(j, "scenarios.0.role"), "reference");
    ck_assert_str_eq(jstr_at(j, "scenarios.1.role"), "project");
    ck_assert_str_eq(jstr_at(j, "scenarios.1.name"), "pilot");
    ck_assert_str_eq(jstr_at(j, "scenarios.1.label"), "Pilot");
    ck_assert_str_eq(jstr_at(j, "scenarios.1.file"), "scenarios/pilot.ini");
    ck_assert_str_eq(jstr_at(j, "scenarios.1.sha256"),
                     "0000000000000000000000000000000000000000000000000000000000000002");
    ck_assert(jnum_at(j, "scenarios.1.discount_rates.1") == 0.25);
    ck_assert(jnum_at(j, "scenarios.1.discount_factors.1") == 0.64);
    ck_assert_str_eq(jstr_at(j, "stakeholders.1.name"), "residents");
    ck_assert_str_eq(jstr_at(j, "stakeholders.1.label"), "Residents, on assistance");
    cJSON_Delete(j);
    free(dir);
}
END_TEST

/* What a built appraisal leaves unknown (no commit, no data note, no
 * canonical paths or cohort hashes) is null, never "" or missing. */
START_TEST(test_json_provenance_unknown)
{
    char *dir = write_out();
    cJSON *j = read_json(dir);
    ck_assert(cJSON_IsNull(get(j, "mkba.commit")));
    ck_assert(cJSON_IsNull(get(j, "model.data_note")));
    ck_assert(cJSON_IsNull(get(j, "model.path")));
    ck_assert(cJSON_IsNull(get(j, "scenarios.1.path")));
    ck_assert_int_eq(cJSON_GetArraySize(get(j, "cohort.paths")), 2);
    ck_assert_int_eq(cJSON_GetArraySize(get(j, "cohort.sha256")), 2);
    ck_assert(cJSON_IsNull(get(j, "cohort.sha256.1")));
    cJSON_Delete(j);
    free(dir);
}
END_TEST

/* The build's commit, the data note, canonical paths and the cohort files'
 * hashes, where the appraisal has them (a run fills them: check_cli.c). */
START_TEST(test_json_provenance_known)
{
    ap->commit = mkba_xstrdup("0123456789ab-dirty");
    ap->data_note = mkba_xstrdup("Synthetic \"cohort\" \xc3\xa9");
    ap->model_path = mkba_xstrdup("/srv/m/models/test.ini");
    ap->scenarios[1].path = mkba_xstrdup("/srv/m/scenarios/pilot.ini");
    ap->cohort_paths = mkba_xcalloc(2, sizeof *ap->cohort_paths);
    ap->cohort_paths[0] = mkba_xstrdup("/srv/m/data/a.csv");
    ap->cohort_paths[1] = mkba_xstrdup("");
    ap->cohort_sha256 = mkba_xcalloc(2, sizeof *ap->cohort_sha256);
    snprintf(ap->cohort_sha256[0], sizeof ap->cohort_sha256[0], "%064d", 3);
    char *dir = write_out();
    cJSON *j = read_json(dir);
    ck_assert_str_eq(jstr_at(j, "mkba.commit"), "0123456789ab-dirty");
    ck_assert_str_eq(jstr_at(j, "model.data_note"), "Synthetic \"cohort\" \xc3\xa9");
    ck_assert_str_eq(jstr_at(j, "model.path"), "/srv/m/models/test.ini");
    ck_assert_str_eq(jstr_at(j, "scenarios.1.path"), "/srv/m/scenarios/pilot.ini");
    ck_assert(cJSON_IsNull(get(j, "scenarios.0.path")));
    ck_assert_str_eq(jstr_at(j, "cohort.files.0"), "data/a.csv");
    ck_assert_str_eq(jstr_at(j, "cohort.paths.0"), "/srv/m/data/a.csv");
    ck_assert(cJSON_IsNull(get(j, "cohort.paths.1")));
    ck_assert_str_eq(jstr_at(j, "cohort.sha256.0"),
                     "0000000000000000000000000000000000000000000000000000000000000003");
    ck_assert(cJSON_IsNull(get(j, "cohort.sha256.1"))); /* not read: "" */
    cJSON_Delete(j);
    free(dir);
}
END_TEST

/* The data note under the title and under the conclusion's heading,
 * wrapped and escaped for the terminal; nothing without one. */
START_TEST(test_report_data_note)
{
    char *text = report(ap, 0, 0);
    ck_assert(!tu_contains(text, "About the data"));
    free(text);
    ap->data_note = mkba_xstrdup("The cohort is SYNTHETIC: it describes no real persons.\x1b[2J");
    text = report(ap, 0, 0);
    lines_fit(text);
    const char *want = "  About the data: The cohort is SYNTHETIC: it describes no real persons."
                       "\\x1b[2J\n";
    const char *first = strstr(text, want);
    ck_assert_msg(first != NULL, "%s", text);
    ck_assert_ptr_eq(strstr(text, "MKBA: Test model\n"), text); /* the title comes first */
    ck_assert(first < strstr(text, "Effects of the pilot"));
    const char *concl = strstr(text, "\nConclusion\n");
    ck_assert_ptr_nonnull(concl);
    ck_assert_ptr_eq(strstr(concl, want), concl + strlen("\nConclusion\n"));
    free(text);
}
END_TEST

START_TEST(test_json_effects_items)
{
    char *dir = write_out();
    cJSON *j = read_json(dir);
    ck_assert_int_eq(cJSON_GetArraySize(get(j, "effects")), 2);
    ck_assert_str_eq(jstr_at(j, "effects.0.name"), "outflow_work");
    ck_assert_str_eq(jstr_at(j, "effects.0.method"), "ols");
    ck_assert(jnum_at(j, "effects.0.estimate") == 0.1);       /* full precision */
    ck_assert(jnum_at(j, "effects.0.mean_pilot") == 1.0 / 3);
    ck_assert(cJSON_IsNull(get(j, "effects.0.df")));           /* infinity -> null */
    ck_assert(jnum_at(j, "effects.0.n_pilot") == 120);
    ck_assert(jnum_at(j, "effects.0.missing_control") == 2);
    ck_assert(cJSON_IsNull(get(j, "effects.1.mean_pilot")));   /* NaN -> null */
    ck_assert_str_eq(jstr_at(j, "effects.1.method"), "given");
    ck_assert_int_eq(cJSON_GetArraySize(get(j, "items")), 3);
    ck_assert_str_eq(jstr_at(j, "items.0.label"), "Staff time \"wijkteam\", extra");
    ck_assert_str_eq(jstr_at(j, "items.0.kind"), "cost");
    ck_assert(cJSON_IsNull(get(j, "items.0.loser")));
    ck_assert_str_eq(jstr_at(j, "items.2.kind"), "transfer");
    ck_assert_str_eq(jstr_at(j, "items.2.stakeholder"), "residents");
    ck_assert_str_eq(jstr_at(j, "items.2.loser"), "municipality");
    ck_assert_str_eq(jstr_at(j, "items.2.source"), "assumption: test");
    cJSON_Delete(j);
    free(dir);
}
END_TEST

START_TEST(test_json_results)
{
    char *dir = write_out();
    cJSON *j = read_json(dir);
    ck_assert_int_eq(cJSON_GetArraySize(get(j, "results")), 2); /* reference + pilot */
    ck_assert_str_eq(jstr_at(j, "results.0.role"), "reference");
    ck_assert(jnum_at(j, "results.0.society.npv") == 0);
    ck_assert(cJSON_IsNull(get(j, "results.0.society.bcr")));
    ck_assert_str_eq(jstr_at(j, "results.1.scenario"), "pilot");
    /* hand values, see fixture() */
    ck_assert(jnum_at(j, "results.1.society.pv_benefits") == 665600);
    ck_assert(jnum_at(j, "results.1.society.pv_costs") == 1120000);
    ck_assert(jnum_at(j, "results.1.society.npv") == -454400);
    ck_assert(jnum_at(j, "results.1.society.bcr") == 665600.0 / 1120000.0);
    ck_assert(jnum_at(j, "results.1.society.net_undiscounted") == -300000);
    ck_assert(jnum_at(j, "results.1.stakeholders.municipality.npv") == -1217600);
    ck_assert(jnum_at(j, "results.1.stakeholders.municipality.costs_undiscounted") == 1650000);
    ck_assert(cJSON_IsNull(get(j, "results.1.stakeholders.residents.bcr")));
    ck_assert(jnum_at(j, "results.1.stakeholders.residents.benefits_undiscounted") == 1350000);
    ck_assert_str_eq(jstr_at(j, "results.1.items.1.item"), "work");
    ck_assert(jnum_at(j, "results.1.items.1.pv") == 665600);
    ck_assert(jnum_at(j, "results.1.items.1.undiscounted") == 1200000);
    /* cash flows: every table of the CSVs is in the JSON */
    ck_assert(jnum_at(j, "results.1.cash_flows.years.2") == 3);
    ck_assert(jnum_at(j, "results.1.cash_flows.calendar_years.0") == 2017);
    ck_assert(jnum_at(j, "results.1.cash_flows.discount_factors.2") == 0.512);
    ck_assert_str_eq(jstr_at(j, "results.1.cash_flows.items.0.item"), "staff");
    ck_assert(jnum_at(j, "results.1.cash_flows.items.0.flow.0") == 2e6);
    ck_assert(jnum_at(j, "results.1.cash_flows.items.0.delta.1") == 5e5);
    ck_assert_double_eq_tol(jnum_at(j, "results.1.cash_flows.items.0.pv_delta.1"), 320000, 1e-9);
    ck_assert(jnum_at(j, "results.0.cash_flows.items.2.flow.0") == 1e5); /* reference's own */
    ck_assert(jnum_at(j, "results.1.cash_flows.society.net.0") == -1e6);
    ck_assert(jnum_at(j, "results.1.cash_flows.society.net.1") == -1e5);
    ck_assert(jnum_at(j, "results.1.cash_flows.society.net.2") == 8e5);
    ck_assert_double_eq_tol(jnum_at(j, "results.1.cash_flows.society.net_discounted.2"), 409600,
                            1e-9);
    ck_assert(jnum_at(j, "results.1.cash_flows.stakeholders.residents.net.2") == 850000);
    cJSON_Delete(j);
    free(dir);
}
END_TEST

/* =============================== report ================================= */

START_TEST(test_report_summary)
{
    char *text = report(ap, 0, 0);
    lines_fit(text);
    ck_assert(tu_contains(text, "MKBA: Test model\n"));
    ck_assert(tu_contains(text, "  Amounts in EUR at 2018 prices; horizon 3 years (2017-2019).\n"));
    /* only the project's rate counts (the reference is discounted with it) */
    ck_assert(tu_contains(text, "  Discount rate 25%, discounting at the end of each year.\n"));
    ck_assert(tu_contains(text, "Effects of the pilot (pilot minus regular practice)\n"));
    static const char *const eff0[] = {"ols", "0.1", "[0.002, 0.198]", "0.05", "120", "118"};
    row_is(text, "Outflow to work (share)", eff0, 6);
    static const char *const eff1[] = {"given", "-2.5", "[-3.48, -1.52]", "0.5", "-", "-"};
    row_is(text, "Weeks to decision", eff1, 6);
    ck_assert(tu_contains(text, "Pilot vs Regular practice\n=========================\n"));
    /* society: amounts rounded, thousands separators, the ratio to 2 decimals:
     * 665,600 / 1,120,000 = 0.594... -> 0.59 */
    static const char *const npv[] = {"EUR -454,400"};
    row_is(text, "NPV (saldo)  ", npv, 1);
    static const char *const bcr[] = {"0.59"};
    row_is(text, "B/C ratio", bcr, 1);
    static const char *const net[] = {"EUR -300,000"};
    row_is(text, "Net, undiscounted", net, 1);
    static const char *const mun[] = {"0", "1,217,600", "-1,217,600", "0.00", "-1,650,000"};
    row_is(text, "Municipality of Almere", mun, 5);
    static const char *const res[] = {"763,200", "0", "763,200", "n/a", "1,350,000"};
    row_is(text, "Residents, on assistance", res, 5);
    static const char *const soc[] = {"665,600", "1,120,000", "-454,400", "0.59", "-300,000"};
    row_is(text, "  Society   ", soc, 5);
    /* a transfer is a gain and a loss, never "who pays" */
    ck_assert(tu_contains(text, "A transfer moves money from one stakeholder to another"));
    ck_assert(!tu_contains(text, "payer"));
    /* The decision first: with one project at NPV -454,400 the reference
     * (0) ranks first; then the verdict per project as before. */
    ck_assert(tu_contains(text, "Conclusion\n  Regular practice is best for society: no project "
                                "has a positive NPV (Pilot: EUR -454,400).\n"));
    ck_assert(tu_contains(text, "\n  Pilot vs Regular practice:\n"
                                "    Costs exceed benefits for society: NPV EUR -454,400 "
                                "(B/C 0.59).\n"));
    ck_assert(!tu_contains(text, "Per item")); /* no detail */
    ck_assert(!tu_contains(text, "Net flows per year"));
    free(text);
}
END_TEST

START_TEST(test_report_detail)
{
    char *text = report(ap, 1, 0);
    lines_fit(text);
    static const char *const staff[] = {"cost", "municipality", "1,120,000", "1,500,000"};
    row_is(text, "Staff time \"wijkteam\", extra", staff, 4);
    static const char *const allow[] = {"transfer", "municipality to residents", "97,600",
                                        "150,000"};
    row_is(text, "Allowance", allow, 4);
    ck_assert(tu_contains(text, "Net flows per year against the reference, undiscounted (EUR)"));
    static const char *const y2017[] = {"-1,050,000", "50,000", "-1,000,000"};
    row_is(text, "  2017", y2017, 3);
    static const char *const total[] = {"-1,650,000", "1,350,000", "-300,000"};
    row_is(text, "  Total", total, 3);
    /* present values: -1,217,600 (municipality), residents
     * 50,000*0.8 + 450,000*0.64 + 850,000*0.512 = 40,000 + 288,000 + 435,200 = 763,200 */
    static const char *const pv[] = {"-1,217,600", "763,200", "-454,400"};
    row_is(text, "  Present value", pv, 3);
    free(text);
}
END_TEST

START_TEST(test_report_amounts)
{
    mkba_balance *b = &ap->balance[mkba_ap_bidx(ap, 1, K_)];
    b->pv_benefits = 1234567.4; /* -> 1,234,567 */
    b->pv_costs = -0.4;         /* rounds to zero: "0", not "-0" */
    b->npv = 999.5;             /* round half away from zero: 1,000 */
    b->bcr = NAN;
    b->net = -1234567.5;        /* -> -1,234,568 */
    char *text = report(ap, 0, 0);
    static const char *const v1[] = {"EUR 1,234,567"};
    row_is(text, "PV benefits  ", v1, 1);
    static const char *const v2[] = {"EUR 0"};
    row_is(text, "PV costs  ", v2, 1);
    static const char *const v3[] = {"EUR 1,000"};
    row_is(text, "NPV (saldo)  ", v3, 1);
    /* no positive costs: n/a with the reason (appraisal.h, mkba_bcr) */
    static const char *const v4[] = {"n/a (no costs)"};
    row_is(text, "B/C ratio", v4, 1);
    static const char *const v5[] = {"EUR -1,234,568"};
    row_is(text, "Net, undiscounted", v5, 1);
    ck_assert(!tu_contains(text, "-0 ") && !tu_contains(text, "-0\n"));
    ck_assert(tu_contains(text, "    Benefits exceed costs for society: NPV EUR 1,000 (B/C n/a: no "
                                "costs).\n"));
    free(text);
    b->npv = -0.3; /* rounds to zero */
    b->bcr = 1;
    text = report(ap, 0, 0);
    ck_assert(tu_contains(text, "Benefits and costs for society are equal: NPV EUR 0 (B/C 1.00)."));
    free(text);
}
END_TEST

START_TEST(test_report_effects_only)
{
    char *text = report(ap, 0, 1);
    lines_fit(text);
    ck_assert(tu_contains(text, "Effects of the pilot (pilot minus regular practice)\n"));
    ck_assert(tu_contains(text, "given: taken from the model"));
    ck_assert(tu_contains(text, "left out of an effect for a missing value: 3 "));
    ck_assert(!tu_contains(text, "Conclusion"));
    ck_assert(!tu_contains(text, "MKBA:"));
    free(text);
    ap->n_effects = 0; /* hide them; restored below so teardown frees them */
    text = report(ap, 0, 1);
    ck_assert(tu_contains(text, "The model has no effects."));
    free(text);
    ap->n_effects = 2;
}
END_TEST

START_TEST(test_report_wraps)
{
    /* a label of 150 characters wraps inside its column; no word is lost */
    free(ap->items[1].label);
    ap->items[1].label = mkba_xstrdup(
        "Income from work of residents who left social assistance during the pilot, "
        "valued at the net minimum wage and counted for the months in work after exit");
    free(ap->model_name);
    ap->model_name = mkba_xstrdup(
        "A very long model name that goes on and on, for a pilot of the neighbourhood "
        "teams and Work & Income in the municipality of Almere");
    char *text = report(ap, 1, 0);
    lines_fit(text);
    const char *label = ap->items[1].label;
    while (*label) { /* every word is there */
        size_t n = strcspn(label, " ");
        char *word = mkba_xstrndup(label, n);
        ck_assert_msg(tu_contains(text, word), "lost '%s'", word);
        free(word);
        label += n + (label[n] == ' ');
    }
    ck_assert(tu_contains(text, "  Income from work of residents who "));
    ck_assert(tu_contains(text, "\n  work after exit\n"));
    ck_assert(tu_contains(text, "Almere\n"));
    free(text);
}
END_TEST

START_TEST(test_report_many_stakeholders)
{
    /* 8 stakeholders with long names: the yearly table does not fit 100
     * columns and is split into blocks that repeat the Year column. */
    size_t K = 8;
    mkba_appraisal *a = ap;
    for (size_t k = 0; k < a->n_stakeholders; k++) {
        free(a->stakeholders[k]);
        free(a->stakeholder_labels[k]);
    }
    free(a->stakeholders);
    free(a->stakeholder_labels);
    a->n_stakeholders = K;
    a->stakeholders = mkba_xcalloc(K, sizeof *a->stakeholders);
    a->stakeholder_labels = mkba_xcalloc(K, sizeof *a->stakeholder_labels);
    for (size_t k = 0; k < K; k++) {
        char name[64];
        snprintf(name, sizeof name, "stakeholder_with_long_name_%zu", k);
        a->stakeholders[k] = mkba_xstrdup(name);
        a->stakeholder_labels[k] = mkba_xstrdup(name);
    }
    free(a->net_flow);
    free(a->balance);
    a->net_flow = mkba_xcalloc(S_ * (K + 1) * T_, sizeof *a->net_flow);
    a->balance = mkba_xcalloc(S_ * (K + 1), sizeof *a->balance);
    a->net_flow[((K + 1) + K) * T_ + 2] = 1234567; /* society, pilot, year 3 */
    char *text = report(a, 1, 0);
    lines_fit(text);
    const char *p = strstr(text, "Net flows per year");
    ck_assert_ptr_nonnull(p);
    size_t blocks = 0;
    for (const char *q = p; (q = strstr(q, "\n  Year ")) != NULL; q++)
        blocks++;
    ck_assert_uint_ge(blocks, 2);
    ck_assert(tu_contains(p, "stakeholder_with_long_name_7"));
    ck_assert(tu_contains(p, "1,234,567"));
    free(text);
}
END_TEST

START_TEST(test_two_projects)
{
    add_project(ap);
    char *text = report(ap, 0, 0);
    lines_fit(text);
    ck_assert(tu_contains(text, "  Discount rates 25% (Pilot), 3% (Pilot 2025), discounting at "
                                "the end of each year.\n"));
    ck_assert(tu_contains(text, "\nPilot vs Regular practice\n====="));
    ck_assert(tu_contains(text, "\nPilot 2025 vs Regular practice\n====="));
    ck_assert(tu_contains(text, "  Pilot vs Regular practice:\n"
                                "    Costs exceed benefits for society: NPV EUR -454,400 "
                                "(B/C 0.59).\n"
                                "  Pilot 2025 vs Regular practice:\n"
                                "    Benefits exceed costs for society: NPV EUR 12,345 "
                                "(B/C 1.50).\n"));
    free(text);
    char *dir = write_out();
    csvt *c = read_csv(dir, "summary.csv", ',');
    ck_assert_uint_eq(c->nrows, 1 + 2 * (K_ + 1)); /* 2 projects x 3 */
    ck_assert_str_eq(c->f[6][0], "pilot2025");
    ck_assert_str_eq(c->f[6][1], "society");
    ck_assert(num(c->f[6][4], 0) == 12345.4);
    csv_free(c);
    c = read_csv(dir, "cashflows.csv", ',');
    ck_assert_uint_eq(c->nrows, 1 + 3 * I_ * T_);
    ck_assert_double_eq_tol(num(c->f[1 + 18][8], 0), 1 / 1.03, 1e-15); /* pilot2025, year 1 */
    csv_free(c);
    c = read_csv(dir, "items.csv", ',');
    ck_assert_uint_eq(c->nrows, 1 + 2 * I_);
    csv_free(c);
    c = read_csv(dir, "stakeholder_flows.csv", ',');
    ck_assert_uint_eq(c->nrows, 1 + 2 * (K_ + 1) * T_);
    csv_free(c);
    cJSON *j = read_json(dir);
    ck_assert_int_eq(cJSON_GetArraySize(get(j, "results")), 3);
    ck_assert(jnum_at(j, "results.2.society.npv") == 12345.4);
    ck_assert(jnum_at(j, "scenarios.2.discount_rates.0") == 0.03);
    cJSON_Delete(j);
    free(dir);
}
END_TEST

START_TEST(test_report_rates_by_year)
{
    ap->rate[T_ + 2] = 0.2; /* the pilot's year 3 */
    char *text = report(ap, 0, 0);
    ck_assert(tu_contains(text, "  Discount rate 25% to 20% (by year), discounting at the end of "
                                "each year.\n"));
    free(text);
    free(ap->discount_timing);
    ap->discount_timing = mkba_xstrdup("mid");
    ap->rate[T_ + 2] = 0.0225;
    ap->rate[T_ + 0] = ap->rate[T_ + 1] = 0.0225;
    text = report(ap, 0, 0);
    ck_assert(tu_contains(text, "  Discount rate 2.25%, discounting in the middle of each year.\n"));
    free(text);
}
END_TEST

/* mkba_out_owns names every file a run writes into --out: a run with
 * every output (Monte Carlo, sensitivity with Sobol indices and a two-way
 * grid, charts) is listed and each file checked; and it names nothing
 * else. */
static int owned_entry(const char *rel, const char *full, const struct stat *st, void *ctx)
{
    (void)full, (void)st;
    const char *base = strrchr(rel, '/');
    if ((base ? base + 1 : rel)[0] == '.')
        return 1;
    ck_assert_msg(mkba_out_owns(rel), "a run wrote %s, which mkba_out_owns does not name", rel);
    (*(size_t *)ctx)++;
    return 0;
}

START_TEST(owns_every_output)
{
    char *dir = tu_tmpdir(), *res = tu_path(dir, "res"), *out, *err;
    const char *args[] = {"run", "scenarios/almere-pilot.ini", "--draws", "200",
                          "--bootstrap", "100", "--sensitivity", "--sobol", "64", "--two-way",
                          "work_persistence,training_cost", "--out", res, "-q", NULL};
    int rc = tu_run(tu_srcdir(), args, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    size_t n = 0;
    tu_walk(res, owned_entry, &n);
    /* 5 tables + 5 Monte Carlo + 4 sensitivity tables, each twice, and
     * results.json and charts/: at least 30 names */
    ck_assert_uint_ge(n, 30);
    ck_assert(mkba_out_owns("./summary_nl.csv") && mkba_out_owns("/charts/tornado.png") &&
              mkba_out_owns("charts"));
    /* a file of the user's in charts/ is not the run's */
    ck_assert(!mkba_out_owns("charts/notes.txt") && !mkba_out_owns("charts/x.png"));
    ck_assert(!mkba_out_owns("report.html") && !mkba_out_owns("draws.csv") &&
              !mkba_out_owns("sub/summary.csv") && !mkba_out_owns("summary.csv.bak") &&
              !mkba_out_owns("chartsx/a.png"));
    free(out), free(err);

    /* A run without Monte Carlo or sensitivity into the same directory
     * leaves none of the first run's mc_*, sens_* tables or their charts
     * (they would disagree with the new results.json), and keeps the
     * user's own files. */
    char *charts = tu_path(res, "charts");
    free(tu_write(res, "notes.txt", "mine\n"));
    free(tu_write(charts, "mine.png", "mine\n"));
    const char *again[] = {"run", "scenarios/almere-pilot.ini", "--draws", "0", "--out", res,
                           "-q", NULL};
    rc = tu_run(tu_srcdir(), again, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    static const char *const gone[] = {"mc_summary.csv", "mc_voi_nl.csv", "sens_tornado.csv",
                                       "sens_twoway_nl.csv", "charts/tornado.dat",
                                       "charts/npv_histogram_1.dat", "charts/sobol.gp",
                                       "charts/twoway.dat", "charts/npv_scurve.dat"};
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
        char *p = tu_path(res, gone[i]);
        ck_assert_msg(access(p, F_OK) != 0, "%s of the first run was left", gone[i]);
        free(p);
    }
    static const char *const kept[] = {"notes.txt", "charts/mine.png", "summary.csv",
                                       "results.json", "charts/waterfall_items_1.dat"};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        char *p = tu_path(res, kept[i]);
        ck_assert_msg(access(p, F_OK) == 0, "%s is missing", kept[i]);
        free(p);
    }
    tu_rmtree(dir);
    free(dir), free(res), free(charts), free(out), free(err);
}
END_TEST


/* ========================= Dutch column names =========================== */

/* A study with every table of a run (tables.h), computed as `mkba run
 * --draws --sensitivity --sobol --two-way` computes it (cli.c pipeline):
 * the confounded cohort of tests/data/ps with a propensity model (balance,
 * propensity, overlap), an outcome per household (subgroups), two
 * parameters with distributions (Monte Carlo and sensitivity) and two
 * projects (pairwise). */
static mkba_appraisal *rich_appraisal(void)
{
    char *rel = tu_src("tests/data/ps/confounded.csv"), *cohort = realpath(rel, NULL);
    free(rel);
    ck_assert_ptr_nonnull(cohort);
    char *model = mkba_xasprintf(
        "[model]\nname = rich\nhorizon = 2\nfirst_year = 2020\nprice_year = 2020\n"
        "discount_rate = 0.03\nstakeholders = city, people\n"
        "[cohort]\nfile = %s\ngroup_column = group\n"
        "[privacy]\nmin_group = 1\n"
        "[covariate.age]\n[covariate.household]\ntype = category\n"
        "[outcome.y]\nmethod = diff\nby = household\n"
        "[outcome.w]\ncolumn = y\nmethod = ipw\n"
        "[propensity]\ncovariates = age, household\n"
        "[parameters]\non = 0\n"
        "[param.price]\nvalue = 100\ndistribution = normal(100, 10)\n"
        "[param.cost]\nvalue = 50\ndistribution = uniform(40, 60)\n"
        "[item.gain]\nkind = benefit\nstakeholder = people\nquantity = on * effect.w\n"
        "price = price\nyears = 1-2\n"
        "[item.spend]\nkind = cost\nstakeholder = city\nquantity = on\nprice = cost\n",
        cohort);
    free(cohort);
    free(tu_write(tu_tmp, "model.ini", model));
    free(model);
    free(tu_write(tu_tmp, "ref.ini", "[scenario]\nname = ref\nbase = model.ini\n"));
    free(tu_write(tu_tmp, "p1.ini", "[scenario]\nname = p1\nbase = model.ini\n"
                                    "[parameters]\non = 1\n"));
    free(tu_write(tu_tmp, "p2.ini", "[scenario]\nname = p2\nbase = model.ini\n"
                                    "[parameters]\non = 2\n"));
    char *ref = tu_path(tu_tmp, "ref.ini"), *p1 = tu_path(tu_tmp, "p1.ini"),
         *p2 = tu_path(tu_tmp, "p2.ini");
    const char *projects[] = {p1, p2};
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = mkba_model_open(ref, 2, projects, &err);
    ck_assert_msg(m != NULL, "%s", err.msg);
    mkba_cohort *c = mkba_cohort_read(mkba_model_cohort_spec(m), &err);
    ck_assert_msg(c != NULL, "%s", err.msg);
    size_t np = mkba_cohort_count(c, MKBA_PILOT), nc = mkba_cohort_count(c, MKBA_CONTROL);
    mkba_model_set_cohort_counts(m, np, nc);
    ck_assert_msg(mkba_model_subgroups(m, c, &err) == MKBA_OK, "%s", err.msg);
    for (size_t i = 0; i < mkba_model_n_outcomes(m); i++) {
        mkba_effect e;
        ck_assert_msg(mkba_estimate(c, mkba_model_est_spec(m, i), &e, &err) == MKBA_OK, "%s",
                      err.msg);
        mkba_model_set_effect(m, i, &e, np - e.n_pilot, nc - e.n_control);
    }
    mkba_appraisal *a = mkba_model_appraise(m, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    a->ps = mkba_ps_diagnose(c, mkba_model_ps_spec(m), &err);
    ck_assert_msg(a->ps != NULL, "%s", err.msg);
    const mkba_plan *plan = mkba_model_plan(m);
    mkba_sim_opts so = {.draws = 256, .seed = 1, .threads = 1,
                        .keep_items = MKBA_SIM_ITEMS_KEEP, .keep_uncertain = 1,
                        .keep_finance = 1};
    mkba_sim *sim = mkba_sim_run(plan, &so, &err);
    ck_assert_msg(sim != NULL, "%s", err.msg);
    a->mc = mkba_mc_summarize(sim, plan, 1, NULL, 0, 0);
    mkba_sim_free(sim);
    a->sens = mkba_sens_run(plan, &err);
    ck_assert_msg(a->sens != NULL, "%s", err.msg);
    ck_assert_msg(mkba_sens_twoway(a->sens, plan, "price", "cost", 3, &err) == MKBA_OK, "%s",
                  err.msg);
    ck_assert_msg(mkba_sens_sobol(a->sens, plan, 16, 1, 1, &err) == MKBA_OK, "%s", err.msg);
    mkba_cohort_free(c);
    mkba_model_free(m);
    free(ref), free(p1), free(p2);
    return a;
}

/* Every column of every table has a Dutch name: the header of its
 * *_nl.csv (sink_csv.h) and of the Dutch workbook (workbook.h). */
START_TEST(every_column_has_a_dutch_name)
{
    mkba_appraisal *a = rich_appraisal();
    for (size_t i = 0; i < mkba_tables_count(); i++) {
        mkba_table *t = mkba_tables_build(a, i);
        ck_assert_msg(t != NULL, "the rich run has no table %s", mkba_tables_name(i));
        ck_assert_uint_gt(mkba_table_cols(t), 0);
        for (size_t c = 0; c < mkba_table_cols(t); c++)
            ck_assert_msg(mkba_table_col_has_nl(t, c), "%s: column %s has no Dutch name",
                          mkba_tables_name(i), mkba_table_col(t, c));
        mkba_table_free(t);
    }
    /* a column built from data keeps the data: npv_city -> ncw_city */
    mkba_table *t = mkba_tables_build_named(a, "alternatives");
    ck_assert_str_eq(mkba_table_col(t, 8), "npv_city");
    ck_assert_str_eq(mkba_table_col_name(t, 8, 1), "ncw_city");
    mkba_table_free(t);
    /* the CSV sink: Dutch names in the ';' dialect only */
    t = mkba_tables_build_named(a, "subgroups");
    static const char *const want[] = {
        "uitkomst;naar;niveau;methode;schatting;se;bi_onder;bi_boven;df;n_pilot;n_controle;"
        "weggelaten;toelichting;het_q;het_df;het_p\n",
        "outcome,by,level,method,estimate,se,ci_lo,ci_hi,df,n_pilot,n_control,suppressed,note,"
        "het_q,het_df,het_p\n"};
    for (int en = 0; en <= 1; en++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *fp = open_memstream(&buf, &len);
        mkba_sink_csv(fp, t, en ? MKBA_SINK_CSV_EN : MKBA_SINK_CSV_NL);
        fclose(fp);
        ck_assert_msg(strncmp(buf, want[en], strlen(want[en])) == 0, "%s", buf);
        free(buf);
    }
    mkba_table_free(t);
    mkba_appraisal_free(a);
}
END_TEST

/* ========================== propensity model ============================ */

/* The fixture with the hand-built diagnostics of testutil.c: min_group 10,
 * groups of 50 (pilot) and 212 (control), 12 control persons left out for
 * a missing covariate. */
static void add_ps(void)
{
    ap->ps = tu_ps_diag();
    ap->min_group = 10;
    ap->group_pilot = 50;
    ap->group_control = 212;
}

START_TEST(test_ps_tables)
{
    add_ps();
    char *dir = write_out();
    csvt *c = read_csv(dir, "balance.csv", ',');
    header_is(c, ',', "term,smd_before,smd_after,imbalanced,suppressed,suppressed_reason");
    ck_assert_uint_eq(c->nrows, 5); /* header + 4 columns (not the intercept) */
    ck_assert_str_eq(c->f[1][0], "age");
    ck_assert(num(c->f[1][1], 0) == 0.512 && num(c->f[1][2], 0) == 0.013);
    ck_assert_str_eq(c->f[1][3], "0");
    ck_assert_str_eq(c->f[2][0], "household: single parent"); /* 4 on one side: withheld */
    ck_assert_str_eq(c->f[2][1], "");
    ck_assert_str_eq(c->f[2][2], "");
    ck_assert_str_eq(c->f[2][3], "");
    ck_assert_str_eq(c->f[2][4], "1");
    ck_assert_str_eq(c->f[2][5], "rare_value");
    ck_assert_str_eq(c->f[3][0], "age^2");
    ck_assert_str_eq(c->f[3][3], "1"); /* 0.15 > 0.1 */
    ck_assert(num(c->f[4][2], 0) == -0.05);
    ck_assert_str_eq(c->f[4][3], "0"); /* |-0.05| */
    csv_free(c);
    c = read_csv(dir, "balance_nl.csv", ';');
    header_is(c, ';', "term;smd_voor;smd_na;onevenwichtig;weggelaten;reden_weggelaten");
    ck_assert_str_eq(c->f[1][1], "0,51200000000000001"); /* '%.17g' % 0.512, decimal comma */
    csv_free(c);
    c = read_csv(dir, "propensity.csv", ',');
    header_is(c, ',', "term,coef,se,suppressed,suppressed_reason");
    ck_assert_uint_eq(c->nrows, 6);
    ck_assert_str_eq(c->f[1][0], "(intercept)");
    /* a column withheld (household: single parent): every coefficient
     * and SE with it, the intercept's too (disclose.h) */
    ck_assert_str_eq(c->f[1][1], "");
    ck_assert_str_eq(c->f[1][2], "");
    ck_assert_str_eq(c->f[1][3], "1");
    ck_assert_str_eq(c->f[1][4], "rare_value_in_model");
    ck_assert_str_eq(c->f[3][4], "rare_value");
    ck_assert_str_eq(c->f[3][1], "");
    ck_assert_str_eq(c->f[3][2], "");
    ck_assert_str_eq(c->f[3][3], "1");
    csv_free(c);
    { /* no column withheld: the coefficients shown */
        mkba_error e;
        mkba_error_clear(&e);
        ap->ps->n_rare[2] = 10;
        ck_assert_int_eq(mkba_out_write_dir(dir, ap, &e), MKBA_OK);
        c = read_csv(dir, "propensity.csv", ',');
        ck_assert(num(c->f[1][1], 0) == -1.5 && num(c->f[1][2], 0) == 0.4);
        ck_assert_str_eq(c->f[1][3], "0");
        csv_free(c);
        ap->ps->n_rare[2] = 4;
        ck_assert_int_eq(mkba_out_write_dir(dir, ap, &e), MKBA_OK);
    }
    /* overlap: 14 pilot bins, 19 control bins (check_privacy works them
     * out); every share times the group's size is 0 or >= 10 persons */
    c = read_csv(dir, "overlap.csv", ',');
    header_is(c, ',', "group,from,to,share");
    ck_assert_uint_eq(c->nrows, 1 + 14 + 19);
    ck_assert_str_eq(c->f[1][0], "pilot");
    ck_assert_str_eq(c->f[14][0], "pilot");
    ck_assert(num(c->f[14][1], 0) == 0.8 && num(c->f[14][2], 0) == 1);
    ck_assert(num(c->f[14][3], 0) == 0.3); /* 13 + 2 of 50 */
    ck_assert_str_eq(c->f[15][0], "control");
    for (size_t r = 1; r < c->nrows; r++) {
        double n = num(c->f[r][3], 0) * (strcmp(c->f[r][0], "pilot") == 0 ? 50 : 200);
        ck_assert_msg(n < 1e-9 || n > 10 - 1e-9, "row %zu shows %g persons", r, n);
    }
    csv_free(c);
    /* without the propensity model the next run removes the three tables */
    mkba_ps_diag_free(ap->ps);
    ap->ps = NULL;
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_out_write_dir(dir, ap, &err), MKBA_OK);
    char *p = tu_path(dir, "overlap_nl.csv");
    ck_assert(!exists(p));
    free(p);
    free(dir);
}
END_TEST

START_TEST(test_ps_json)
{
    add_ps();
    char *dir = write_out();
    cJSON *j = read_json(dir);
    ck_assert_str_eq(jstr_at(j, "propensity.estimand"), "att");
    ck_assert(cJSON_IsFalse(get(j, "propensity.suppressed")));
    ck_assert(cJSON_IsFalse(get(j, "propensity.counts_suppressed")));
    ck_assert(jnum_at(j, "propensity.n.pilot") == 50);
    ck_assert(jnum_at(j, "propensity.n.control") == 200);
    ck_assert(jnum_at(j, "propensity.missing") == 12);
    ck_assert(jnum_at(j, "propensity.trimmed.pilot") == 0);
    /* a column withheld: the fit's own figures with it (disclose.h) */
    ck_assert(cJSON_IsNull(get(j, "propensity.ess.control")));
    ck_assert(jnum_at(j, "propensity.iterations") == 6);
    ck_assert(cJSON_IsNull(get(j, "propensity.deviance")));
    ck_assert_int_eq(cJSON_GetArraySize(get(j, "propensity.coefficients")), 5);
    ck_assert(cJSON_IsNull(get(j, "propensity.coefficients.3.se")));
    ck_assert(cJSON_IsNull(get(j, "propensity.coefficients.0.coef")));
    ck_assert_str_eq(jstr_at(j, "propensity.coefficients.0.suppressed_reason"),
                     "rare_value_in_model");
    ck_assert(cJSON_IsNull(get(j, "propensity.coefficients.2.coef")));
    ck_assert_str_eq(jstr_at(j, "propensity.coefficients.2.suppressed_reason"), "rare_value");
    ck_assert_int_eq(cJSON_GetArraySize(get(j, "propensity.balance")), 4);
    ck_assert_str_eq(jstr_at(j, "propensity.balance.0.term"), "age");
    ck_assert(cJSON_IsNull(get(j, "propensity.balance.1.smd_before")));
    ck_assert(cJSON_IsNull(get(j, "propensity.balance.1.imbalanced")));
    ck_assert(cJSON_IsTrue(get(j, "propensity.balance.2.imbalanced")));
    ck_assert(cJSON_IsFalse(get(j, "propensity.balance.3.imbalanced")));
    ck_assert_int_eq(cJSON_GetArraySize(get(j, "propensity.overlap.pilot")), 14);
    ck_assert_int_eq(cJSON_GetArraySize(get(j, "propensity.overlap.control")), 19);
    ck_assert(jnum_at(j, "propensity.overlap.pilot.2.share") == 15.0 / 50);
    ck_assert(jnum_at(j, "propensity.overlap.control.2.to") == 0.2);
    /* the key comes after "effects" */
    ck_assert_ptr_eq(get(j, "effects")->next, get(j, "propensity"));
    cJSON_Delete(j);
    /* no column withheld (10 persons: at the threshold): the fit shown */
    ap->ps->n_rare[2] = 10;
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_out_write_dir(dir, ap, &err), MKBA_OK);
    j = read_json(dir);
    ck_assert(jnum_at(j, "propensity.ess.control") == 80.25);
    ck_assert(jnum_at(j, "propensity.deviance") == 251.5);
    ck_assert(jnum_at(j, "propensity.coefficients.0.coef") == -1.5);
    ck_assert(jnum_at(j, "propensity.coefficients.3.se") == 0.0001);
    ck_assert(cJSON_IsFalse(get(j, "propensity.coefficients.0.suppressed")));
    ck_assert_str_eq(jstr_at(j, "propensity.coefficients.0.suppressed_reason"), "");
    cJSON_Delete(j);
    /* 5 pilot persons without a covariate (55 - 50): the counts withheld,
     * and the fit's figures with them */
    ap->group_pilot = 55;
    ck_assert_int_eq(mkba_out_write_dir(dir, ap, &err), MKBA_OK);
    j = read_json(dir);
    ck_assert(cJSON_IsTrue(get(j, "propensity.counts_suppressed")));
    ck_assert(cJSON_IsNull(get(j, "propensity.coefficients.4.coef")));
    ck_assert_str_eq(jstr_at(j, "propensity.coefficients.4.suppressed_reason"), "small_count");
    ck_assert(cJSON_IsNull(get(j, "propensity.deviance")));
    cJSON_Delete(j);
    ap->group_pilot = 50;
    ap->ps->n_rare[2] = 4;
    /* a small pilot group in the fit: every number withheld (null) */
    ap->ps->n[1] = 9;
    ck_assert_int_eq(mkba_out_write_dir(dir, ap, &err), MKBA_OK);
    j = read_json(dir);
    ck_assert(cJSON_IsTrue(get(j, "propensity.suppressed")));
    ck_assert_str_eq(jstr_at(j, "propensity.suppressed_reason"), "small_group");
    ck_assert(cJSON_IsNull(get(j, "propensity.n.pilot")));
    ck_assert(cJSON_IsNull(get(j, "propensity.balance.0.smd_after")));
    ck_assert(cJSON_IsNull(get(j, "propensity.coefficients.0.coef")));
    ck_assert(cJSON_IsNull(get(j, "propensity.deviance")));
    ck_assert_int_eq(cJSON_GetArraySize(get(j, "propensity.overlap.pilot")), 0);
    cJSON_Delete(j);
    free(dir);
}
END_TEST

/* The propensity model's warnings: with an ipw effect, the one imbalanced column shown (age^2,
 * SMD after 0.15; the withheld "household: single parent" at 0.2 is not
 * named), extreme weights once an effective sample size falls below a
 * quarter of its group (40 < 200 / 4), none when the block is withheld. */
/* fmt_nl.c: each Dutch text keeps its English text's printf conversions in
 * the same order (a mismatch would print garbage or crash), and the table
 * is sorted by the English (mkba_fmt_tr finds a text by binary search). */
static void conversions(const char *s, char *out, size_t size)
{
    size_t o = 0;
    for (const char *p = s; *p && o + 8 < size; p++) {
        if (*p != '%')
            continue;
        p++;
        while (*p && strchr("-+ #0123456789.*", *p))
            p++;
        const char *len = p;
        while (*p && strchr("hlzjt", *p))
            p++;
        if (!*p)
            break;
        if (!strchr("diouxXfeEgGcsp%", *p)) /* "95% CI": a text, not a conversion */
            continue;
        while (len <= p)
            out[o++] = *len++;
        out[o++] = ' ';
    }
    out[o] = '\0';
}

START_TEST(test_nl_pairs)
{
    size_t n = mkba_fmt_tr_count();
    ck_assert_uint_gt(n, 100);
    for (size_t i = 0; i < n; i++) {
        const char *en = mkba_fmt_tr_en(i), *nl = mkba_fmt_tr(en, 1);
        char ce[128], cn[128];
        conversions(en, ce, sizeof ce);
        conversions(nl, cn, sizeof cn);
        ck_assert_msg(strcmp(ce, cn) == 0, "'%s' -> '%s': conversions '%s' vs '%s'", en, nl, ce,
                      cn);
        ck_assert_msg(mkba_fmt_tr_has(en), "'%s' not found", en);
        if (i > 0)
            ck_assert_msg(strcmp(mkba_fmt_tr_en(i - 1), en) < 0, "not sorted at '%s'", en);
        ck_assert_ptr_eq(mkba_fmt_tr(en, 0), en); /* English is the text itself */
    }
    ck_assert_str_eq(mkba_fmt_tr("Conclusion", 1), "Conclusie");
    ck_assert_str_eq(mkba_fmt_tr("no such text", 1), "no such text");
    /* Dutch terminal numbers: the English digits, separators swapped. */
    char b[64];
    mkba_fmt_term_amount(b, sizeof b, -1234567.4, 1);
    ck_assert_str_eq(b, "-1.234.567");
    mkba_fmt_term_rate(b, sizeof b, 0.0225, 1);
    ck_assert_str_eq(b, "2,25%");
    mkba_fmt_term_ratio(b, sizeof b, NAN, 1);
    ck_assert_str_eq(b, "n.v.t.");
    mkba_fmt_term_amount(b, sizeof b, -1234567.4, 0);
    ck_assert_str_eq(b, "-1,234,567");
}
END_TEST

/* label_nl, then label, then the name (fmt.h mkba_fmt_label_lang). */
START_TEST(test_label_lang)
{
    ck_assert_str_eq(mkba_fmt_label_lang("City", "Stad", "city", 1), "Stad");
    ck_assert_str_eq(mkba_fmt_label_lang("City", "Stad", "city", 0), "City");
    ck_assert_str_eq(mkba_fmt_label_lang("City", "", "city", 1), "City");
    ck_assert_str_eq(mkba_fmt_label_lang("City", NULL, "city", 1), "City");
    ck_assert_str_eq(mkba_fmt_label_lang("", NULL, "city", 1), "city");
}
END_TEST

START_TEST(test_ps_warnings)
{
    add_ps();
    mkba_ap_ps_warn(ap, "m.ini"); /* no effect uses ipw: balance is the tables' business */
    ck_assert_uint_eq(ap->n_warnings, 0);
    ap->effects[0].e.method = MKBA_EST_IPW;
    mkba_ap_ps_warn(ap, "m.ini");
    ck_assert_uint_eq(ap->n_warnings, 1);
    ck_assert_int_eq(ap->warnings[0].kind, MKBA_WARN_IMBALANCED);
    ck_assert_str_eq(ap->warnings[0].name, "age^2");
    ck_assert_str_eq(ap->warnings[0].at.file, "m.ini");
    ck_assert_str_eq(ap->warnings[0].at.where, "[propensity]");
    ck_assert_msg(tu_contains(ap->warnings[0].at.msg, "a covariate remains imbalanced after "
                                                      "weighting (|SMD| above 0.1): age^2;"),
                  "%s", ap->warnings[0].at.msg);
    ck_assert(!tu_contains(ap->warnings[0].at.msg, "single parent"));
    /* the withheld dummy's level text is gone from every output */
    ck_assert_str_eq(ap->ps->name[2], "household: (a rare level)");
    ck_assert_str_eq(ap->ps->name[3], "age^2");
    ap->ps->ess[0] = 40;
    mkba_ap_ps_warn(ap, "m.ini");
    ck_assert_uint_eq(ap->n_warnings, 3);
    ck_assert_int_eq(ap->warnings[2].kind, MKBA_WARN_EXTREME_WEIGHTS);
    ck_assert_str_eq(ap->warnings[2].name, "control");
    ck_assert_str_eq(mkba_warning_kind_name(MKBA_WARN_EXTREME_WEIGHTS), "extreme_weights");
    ap->min_group = 60; /* the pilot's 50 is now a small group: nothing to warn about */
    mkba_ap_ps_warn(ap, "m.ini");
    ck_assert_uint_eq(ap->n_warnings, 3);
}
END_TEST

START_TEST(test_ps_terminal)
{
    add_ps();
    mkba_ps_diag *ps = ap->ps;
    ap->ps = NULL;
    char *plain = report(ap, 0, 1);
    ck_assert(!tu_contains(plain, "Propensity"));
    ap->ps = ps;
    char *text = report(ap, 0, 1);
    /* without a propensity model the effects part is unchanged: the block
     * only follows it */
    ck_assert(strncmp(text, plain, strlen(plain)) == 0);
    ck_assert(tu_contains(text, "\nPropensity model (ATT: the effect on the pilot's "
                                "participants)\n"));
    /* no one trimmed: trimming is not mentioned */
    ck_assert(tu_contains(text, "\n  Persons used: 50 pilot, 200 control.\n"
                                "  Left out for a missing covariate: 12.\n"));
    free(text);
    ps->n_trimmed[0] = 15;
    text = report(ap, 0, 1);
    ck_assert(tu_contains(text, "  Left out: 12 for a missing covariate; by trimming 0 pilot, "
                                "15 control.\n"));
    ps->n_trimmed[0] = 0;
    free(text);
    text = report(ap, 0, 1);
    /* a column withheld: the effective sample sizes with it (disclose.h) */
    ck_assert(tu_contains(text, "Effective sample size after weighting: x pilot, x "
                                "control; 6 IRLS iterations."));
    row_is(text, "  age ", (const char *const[]){"0.512", "0.013"}, 2);
    row_is(text, "household: single parent", (const char *const[]){"x", "x"}, 2);
    row_is(text, "age^2", (const char *const[]){"0.400", "0.150", "imbalanced"}, 3);
    row_is(text, "female", (const char *const[]){"-0.250", "-0.050"}, 2);
    ck_assert(tu_contains(text, "1 covariate remains imbalanced after weighting (|SMD| > "
                                "0.1): age^2.\n"));
    ck_assert(tu_contains(text, "x: withheld (disclosure control): a 0/1 column with fewer "
                                "than 10 persons on one side,\n     and the effective sample "
                                "sizes"));
    lines_fit(text);
    free(text);
    /* balanced, nothing withheld */
    ap->ps->smd_after[3] = 0.05;
    ap->ps->n_rare[2] = 40;
    ap->ps->smd_after[2] = 0.02;
    text = report(ap, 0, 1);
    ck_assert(tu_contains(text, "Effective sample size after weighting: 50.0 pilot, 80.2 "
                                "control; 6 IRLS iterations.")); /* 80.25 to 1 decimal (binary 80.25 rounds to even) */
    ck_assert(tu_contains(text, "All covariates balanced after weighting (|SMD| < 0.1).\n"));
    ck_assert(!tu_contains(text, "x: withheld"));
    free(text);
    /* 5 pilot persons without a covariate: the counts go */
    ap->group_pilot = 55;
    text = report(ap, 0, 1);
    ck_assert(tu_contains(text, "Persons used: x pilot, x control.\n  Left out for a "
                                "missing covariate: x.\n"));
    ck_assert(tu_contains(text, "Counts of fewer than 10 persons are suppressed"));
    lines_fit(text);
    ck_assert(tu_contains(text, "Effective sample size after weighting: x pilot, x control"));
    free(text);
    /* a small group in the fit: the whole block */
    ap->ps->n[0] = 3;
    text = report(ap, 0, 0);
    ck_assert(tu_contains(text, "  Withheld (disclosure control): a group of the fitted sample "
                                "has fewer than 10 persons.\n"));
    ck_assert(!tu_contains(text, "SMD"));
    free(text);
    free(plain);
}
END_TEST

START_TEST(test_ps_owned)
{
    static const char *const names[] = {"balance.csv", "balance_nl.csv", "propensity.csv",
                                        "propensity_nl.csv", "overlap.csv", "overlap_nl.csv",
                                        "charts/balance.svg", "charts/overlap.png",
                                        "charts/overlap.gp", "charts/balance.dat"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        ck_assert_msg(mkba_out_owns(names[i]), "%s", names[i]);
    ck_assert(!mkba_out_owns("balances.csv"));
}
END_TEST


/* The B/C rule (appraisal.h, mkba_bcr): a ratio only where both present
 * values are positive; otherwise NaN with its reason. 900 / 220 = 4.0909. */
START_TEST(test_bcr_rule)
{
    ck_assert_double_eq_tol(mkba_bcr(900, 220), 900.0 / 220, 1e-15);
    ck_assert(isnan(mkba_bcr(-379872, 483470))); /* negative benefits: not -0.79 */
    ck_assert_int_eq(mkba_bcr_why_of(-379872, 483470), MKBA_BCR_NO_BENEFITS);
    ck_assert(isnan(mkba_bcr(1000, 0))); /* zero costs */
    ck_assert_int_eq(mkba_bcr_why_of(1000, 0), MKBA_BCR_NO_COSTS);
    ck_assert(isnan(mkba_bcr(-340058, -340058))); /* both negative: not 1.00 */
    ck_assert_int_eq(mkba_bcr_why_of(-340058, -340058), MKBA_BCR_NEITHER);
    ck_assert(isnan(mkba_bcr(0, 0)));
    ck_assert(isnan(mkba_bcr(NAN, 1)));
    ck_assert_int_eq(mkba_bcr_why_of(INFINITY, 1), MKBA_BCR_UNDEFINED);
    ck_assert_str_eq(mkba_fmt_bcr_reason(MKBA_BCR_NO_BENEFITS, 0), "PV benefits not positive");
    ck_assert_str_eq(mkba_fmt_bcr_reason(MKBA_BCR_NO_COSTS, 0), "no costs");
    ck_assert_str_eq(mkba_fmt_bcr_reason(MKBA_BCR_NEITHER, 0),
                     "PV benefits and costs not positive");
    ck_assert_str_eq(mkba_fmt_bcr_reason(MKBA_BCR_OK, 0), "");
}
END_TEST

/* Two negative NPVs: the better one is "less unfavourable", not "better"
 * (the Almere pilot -863,342 against the liaison variant -973,119). */
START_TEST(test_decision_comparative)
{
    ck_assert_str_eq(mkba_decision_comparative(-863342, -973119, 0), "less unfavourable");
    ck_assert_str_eq(mkba_decision_comparative(-863342, -973119, 1), "minder ongunstig");
    ck_assert_str_eq(mkba_decision_comparative(680, 340, 0), "better");
    ck_assert_str_eq(mkba_decision_comparative(0, -454400, 0), "better");
}
END_TEST

/* A unit is added to a label only when the label does not name it. */
START_TEST(test_unit_not_twice)
{
    ck_assert_ptr_null(mkba_fmt_unit_for("Youth care cost during the follow-up (EUR)", "EUR"));
    ck_assert_str_eq(mkba_fmt_unit_for("Youth care cost", "EUR"), "EUR");
    ck_assert_str_eq(mkba_fmt_unit_for("EUROPE trips", "EUR"), "EUR"); /* not a word of it */
    ck_assert_ptr_null(mkba_fmt_unit_for("Hours", ""));
    ck_assert_ptr_null(mkba_fmt_unit_for("Hours", NULL));
}
END_TEST

/* Inputs by their labels: effect.X is effect X's label. */
START_TEST(test_input_label)
{
    ck_assert_ptr_nonnull(ap->effects);
    const char *name = ap->effects[0].name;
    char *key = mkba_xasprintf("effect.%s", name);
    ck_assert_str_eq(mkba_fmt_input_label(ap, key, 0),
                     mkba_fmt_label_or(ap->effects[0].label, name));
    ck_assert_str_eq(mkba_fmt_input_label(ap, "effect.nosuch", 0), "nosuch");
    ck_assert_str_eq(mkba_fmt_input_label(ap, "nosuch_param", 0), "nosuch_param");
    free(key);
}
END_TEST

static Suite *out_suite(void)
{
    Suite *s = suite_create("out");
    TCase *tc = tcase_create("fsutil");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_mkdir_p_nested);
    tcase_add_test(tc, test_mkdir_p_errors);
    tcase_add_test(tc, test_afile_commit);
    tcase_add_test(tc, test_afile_replace_and_abort);
    tcase_add_test(tc, test_afile_bad_parent);
    tcase_add_test(tc, test_afile_onto_directory);
    tcase_add_test(tc, test_pub_commit_all);
    tcase_add_test(tc, test_pub_commit_flush_error);
    suite_add_tcase(s, tc);

    tc = tcase_create("csv");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_dir_files);
    tcase_add_test(tc, test_effects_csv);
    tcase_add_test(tc, test_summary_csv);
    tcase_add_test(tc, test_items_csv);
    tcase_add_test(tc, test_cashflows_csv);
    tcase_add_test(tc, test_stakeholder_flows_csv);
    tcase_add_test(tc, test_dutch_csv);
    tcase_add_test(tc, every_column_has_a_dutch_name);
    tcase_add_test(tc, test_write_effects_csv);
    tcase_add_test(tc, test_write_dir_errors);
    suite_add_tcase(s, tc);

    tc = tcase_create("json");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_json_provenance);
    tcase_add_test(tc, test_json_provenance_unknown);
    tcase_add_test(tc, test_json_provenance_known);
    tcase_add_test(tc, test_json_effects_items);
    tcase_add_test(tc, test_json_results);
    suite_add_tcase(s, tc);

    tc = tcase_create("report");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_report_summary);
    tcase_add_test(tc, test_report_data_note);
    tcase_add_test(tc, test_report_detail);
    tcase_add_test(tc, test_report_amounts);
    tcase_add_test(tc, test_bcr_rule);
    tcase_add_test(tc, test_unit_not_twice);
    tcase_add_test(tc, test_decision_comparative);
    tcase_add_test(tc, test_input_label);
    tcase_add_test(tc, test_report_effects_only);
    tcase_add_test(tc, test_report_wraps);
    tcase_add_test(tc, test_report_many_stakeholders);
    tcase_add_test(tc, test_two_projects);
    tcase_add_test(tc, test_report_rates_by_year);
    tcase_add_test(tc, owns_every_output);
    suite_add_tcase(s, tc);

    tc = tcase_create("propensity");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_ps_tables);
    tcase_add_test(tc, test_ps_json);
    tcase_add_test(tc, test_ps_terminal);
    tcase_add_test(tc, test_ps_warnings);
    tcase_add_test(tc, test_nl_pairs);
    tcase_add_test(tc, test_label_lang);
    tcase_add_test(tc, test_ps_owned);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(out_suite());
}

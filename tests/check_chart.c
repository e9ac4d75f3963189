/* check_chart.c - tests of the chart module: every chart is made (data,
 * script, PNG, SVG) from an appraisal with Monte Carlo and sensitivity,
 * the data files hold the numbers they should, hostile labels neither run
 * a command nor break a script, a missing or failing gnuplot and an
 * unwritable directory are handled, and `mkba run --out` draws the charts.
 *
 * The appraisal is built by hand (fixture() below). Its numbers are those
 * of the hand-worked e2e model (tests/check_cli.c): rate 0, horizon 2,
 *   work   benefit to people            900 in year 1
 *   staff  cost to city                 220 in year 1
 *   assist transfer people -> city      500 in years 1 and 2
 * so for project scenario 1 ("project"):
 *   item PVs 900, 220, 1000; society NPV 900 - 220 = 680;
 *   city 1000 - 220 = 780; people 900 - 1000 = -100;
 *   net flows per year: city -220 + 500 = 280, 500; people 900 - 500 = 400,
 *   -500; society 680, 0.
 * Scenario 2 ("double") has every flow doubled: society 1360, city 1560,
 * people -200.
 * Monte Carlo (2000 draws): scenario 1's histogram has 40 bins of 50
 * draws from -1000 in steps of 100; its quantile grid is uniform from
 * -1000 to 3000 (q_i = -1000 + 20 i); scenario 2's bins 20..39 hold 100
 * draws each.
 * Sensitivity: inputs "price" (swing 400 in scenario 1), "effect.werk"
 * (swing 100) and "flat" (no swing); the two-way grid of "price" and
 * "effect.werk" over {0, 1, 2} x {0, 1, 2} is NPV = 100 a + 100 b - 150, so
 * the NPV is 0 on the line a + b = 1.5. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mkba/chart.h"
#include "mkba/mem.h"
#include "mkba/sens.h"
#include "mkba/sobol.h"
#include "testutil.h"

extern char **environ;

#define S_ 3 /* scenarios: the reference and two projects */
#define K_ 2 /* stakeholders */
#define I_ 3 /* items */
#define T_ 2 /* years */
#define D_ 3 /* sensitivity inputs */
#define DRAWS 2000

/* ============================== the fixture ============================= */

static void set_balance(mkba_balance *b, double pvb, double pvc)
{
    b->pv_benefits = b->benefits = pvb;
    b->pv_costs = b->costs = pvc;
    b->npv = b->net = pvb - pvc;
    b->bcr = pvc > 0 ? pvb / pvc : NAN;
}

static void set_effect(mkba_ap_effect *x, const char *name, const char *label,
                       mkba_est_method m, double est, double lo, double hi, double mp, double mc,
                       size_t np, size_t nc)
{
    x->name = mkba_xstrdup(name);
    x->label = mkba_xstrdup(label);
    x->e = (mkba_effect){.method = m, .estimate = est, .se = (hi - lo) / 3.92, .df = INFINITY,
                         .ci_lo = lo, .ci_hi = hi, .mean_pilot = mp, .mean_control = mc,
                         .n_pilot = np, .n_control = nc};
}

/* The Monte Carlo summary described at the top. */
static mkba_mc *fixture_mc(void)
{
    mkba_mc *mc = mkba_xcalloc(1, sizeof *mc);
    mc->draws = DRAWS;
    mc->n_scenarios = S_;
    mc->n_stakeholders = K_;
    mc->npv = mkba_xcalloc(S_ * (K_ + 1), sizeof *mc->npv);
    mc->npv_cdf = mkba_xcalloc(S_ * MKBA_MC_CDF, sizeof *mc->npv_cdf);
    mc->hist_lo = mkba_xcalloc(S_, sizeof *mc->hist_lo);
    mc->hist_width = mkba_xcalloc(S_, sizeof *mc->hist_width);
    mc->hist = mkba_xcalloc(S_ * MKBA_MC_BINS, sizeof *mc->hist);
    mc->npv[0 * (K_ + 1) + K_] = (mkba_stats){0};
    mc->npv[1 * (K_ + 1) + K_] = (mkba_stats){.mean = 1000, .sd = 1150, .p5 = -800, .p50 = 1000,
                                               .p95 = 2800, .p_positive = 0.75, .n = DRAWS};
    mc->npv[2 * (K_ + 1) + K_] = (mkba_stats){.mean = 1500, .sd = 300, .p5 = 1050, .p50 = 1500,
                                               .p95 = 1950, .p_positive = 1.0, .n = DRAWS};
    mc->hist_lo[0] = mc->hist_width[0] = NAN;
    mc->hist_lo[1] = -1000;
    mc->hist_width[1] = 100;
    mc->hist_lo[2] = 0;
    mc->hist_width[2] = 50;
    for (size_t b = 0; b < MKBA_MC_BINS; b++) {
        mc->hist[1 * MKBA_MC_BINS + b] = 50;
        mc->hist[2 * MKBA_MC_BINS + b] = b >= 20 ? 100 : 0;
    }
    for (size_t i = 0; i < MKBA_MC_CDF; i++) {
        mc->npv_cdf[i] = NAN;
        mc->npv_cdf[MKBA_MC_CDF + i] = -1000 + 20.0 * (double)i;
        mc->npv_cdf[2 * MKBA_MC_CDF + i] = 1000 + 5.0 * (double)i;
    }
    return mc;
}

/* The sensitivity analysis described at the top (names[] for the inputs). */
static mkba_sens *fixture_sens(const char *const names[D_])
{
    mkba_sens *s = mkba_xcalloc(1, sizeof *s);
    s->n_inputs = D_;
    s->n_scenarios = S_;
    s->n_stakeholders = K_;
    s->inputs = mkba_xcalloc(D_, sizeof *s->inputs);
    const double base[D_] = {10, 1.0 / 3, 5}, lo[D_] = {8, 0.1, 4}, hi[D_] = {12, 0.6, 6};
    for (size_t i = 0; i < D_; i++)
        s->inputs[i] = (mkba_sens_input){mkba_xstrdup(names[i]), base[i], lo[i], hi[i],
                                         lo[i] - 1, hi[i] + 1};
    s->npv_base = mkba_xcalloc(S_ * (K_ + 1), sizeof *s->npv_base);
    s->npv_lo = mkba_xcalloc(D_ * S_ * (K_ + 1), sizeof *s->npv_lo);
    s->npv_hi = mkba_xcalloc(D_ * S_ * (K_ + 1), sizeof *s->npv_hi);
    s->order = mkba_xcalloc(S_ * D_, sizeof *s->order);
    for (size_t sc = 1; sc < S_; sc++) {
        double npv = 680.0 * (double)sc; /* society's NPV: 680, 1360 */
        s->npv_base[sc * (K_ + 1) + K_] = npv;
        /* price: swing 400 * sc; effect.werk: 100 * sc; flat: none */
        s->npv_lo[mkba_sens_idx(s, 0, sc, K_)] = npv - 200.0 * (double)sc;
        s->npv_hi[mkba_sens_idx(s, 0, sc, K_)] = npv + 200.0 * (double)sc;
        s->npv_lo[mkba_sens_idx(s, 1, sc, K_)] = npv + 50.0 * (double)sc;
        s->npv_hi[mkba_sens_idx(s, 1, sc, K_)] = npv - 50.0 * (double)sc;
        s->npv_lo[mkba_sens_idx(s, 2, sc, K_)] = npv;
        s->npv_hi[mkba_sens_idx(s, 2, sc, K_)] = npv;
        for (size_t r = 0; r < D_; r++)
            s->order[sc * D_ + r] = r;
    }
    /* two-way grid: NPV = 100 a + 100 b - 150 (scenario 2: twice that) */
    s->grid_a = 0;
    s->grid_b = 1;
    s->grid_steps = 3;
    s->grid_a_values = mkba_xcalloc(3, sizeof *s->grid_a_values);
    s->grid_b_values = mkba_xcalloc(3, sizeof *s->grid_b_values);
    s->grid = mkba_xcalloc(S_ * 9, sizeof *s->grid);
    for (size_t i = 0; i < 3; i++) {
        s->grid_a_values[i] = s->grid_b_values[i] = (double)i;
        for (size_t j = 0; j < 3; j++)
            for (size_t sc = 1; sc < S_; sc++)
                s->grid[sc * 9 + i * 3 + j] = (double)sc * (100.0 * (double)i + 100.0 * (double)j - 150);
    }
    /* Sobol: outputs (sc - 1) * (K + 1) + k; inputs 0..2 with totals 0.2,
     * 0.7, 0.05 (so the chart orders them effect.werk, price, flat). */
    mkba_sobol *so = mkba_xcalloc(1, sizeof *so);
    size_t m = (S_ - 1) * (K_ + 1);
    so->d = D_;
    so->m = m;
    so->first = mkba_xcalloc(m * D_, sizeof *so->first);
    so->total = mkba_xcalloc(m * D_, sizeof *so->total);
    so->first_lo = mkba_xcalloc(m * D_, sizeof *so->first_lo);
    so->first_hi = mkba_xcalloc(m * D_, sizeof *so->first_hi);
    so->total_lo = mkba_xcalloc(m * D_, sizeof *so->total_lo);
    so->total_hi = mkba_xcalloc(m * D_, sizeof *so->total_hi);
    so->variance = mkba_xcalloc(m, sizeof *so->variance);
    const double tot[D_] = {0.2, 0.7, 0.05}, fst[D_] = {0.15, 0.6, -0.01};
    for (size_t o = 0; o < m; o++) {
        so->variance[o] = 1e4;
        for (size_t j = 0; j < D_; j++) {
            so->first[o * D_ + j] = fst[j];
            so->first_lo[o * D_ + j] = fst[j] - 0.05;
            so->first_hi[o * D_ + j] = fst[j] + 0.05;
            so->total[o * D_ + j] = tot[j];
            so->total_lo[o * D_ + j] = tot[j] - 0.03;
            so->total_hi[o * D_ + j] = tot[j] + 0.03;
        }
    }
    so->evaluations = 256 * (D_ + 2);
    s->sobol = so;
    return s;
}

/* Labels of the fixture: 'hostile' NULL gives plain ones; else every
 * label is hostile[k % n] (see hostile_labels()). */
typedef struct labels {
    const char *const *hostile;
    size_t n;
} labels;

static const char *pick(const labels *l, size_t k, const char *plain)
{
    return l && l->hostile ? l->hostile[k % l->n] : plain;
}

static mkba_appraisal *fixture(const labels *l)
{
    mkba_appraisal *a = mkba_xcalloc(1, sizeof *a);
    a->version = mkba_xstrdup("0.1.0");
    a->model_name = mkba_xstrdup(pick(l, 0, "e2e"));
    a->model_file = mkba_xstrdup("tests/data/e2e/model.ini");
    a->currency = mkba_xstrdup(pick(l, 1, "EUR"));
    a->first_year = 2020;
    a->price_year = 2020;
    a->discount_timing = mkba_xstrdup("end");
    a->horizon = T_;
    a->min_group = MKBA_MIN_GROUP;
    a->rate = mkba_xcalloc(S_ * T_, sizeof *a->rate);
    a->discount = mkba_xcalloc(S_ * T_, sizeof *a->discount);
    for (size_t q = 0; q < S_ * T_; q++)
        a->discount[q] = 1; /* rate 0 */
    a->n_stakeholders = K_;
    a->stakeholders = mkba_xcalloc(K_, sizeof *a->stakeholders);
    a->stakeholder_labels = mkba_xcalloc(K_, sizeof *a->stakeholder_labels);
    a->stakeholders[0] = mkba_xstrdup("city");
    a->stakeholders[1] = mkba_xstrdup("people");
    a->stakeholder_labels[0] = mkba_xstrdup(pick(l, 2, "City of Almere"));
    a->stakeholder_labels[1] = mkba_xstrdup(pick(l, 3, "People on assistance"));
    a->n_items = I_;
    a->items = mkba_xcalloc(I_, sizeof *a->items);
    const char *names[I_] = {"work", "staff", "assist"};
    const char *plain[I_] = {"Income from work", "Staff time", "Assistance"};
    const mkba_item_kind kinds[I_] = {MKBA_ITEM_BENEFIT, MKBA_ITEM_COST, MKBA_ITEM_TRANSFER};
    const size_t who[I_] = {1, 0, 0}, loser[I_] = {0, 0, 1};
    for (size_t i = 0; i < I_; i++)
        a->items[i] = (mkba_ap_item){mkba_xstrdup(names[i]), mkba_xstrdup(pick(l, 4 + i, plain[i])),
                                     mkba_xstrdup("work"), mkba_xstrdup(""), kinds[i], who[i],
                                     loser[i], 0, 0, NULL};
    a->n_scenarios = S_;
    a->scenarios = mkba_xcalloc(S_, sizeof *a->scenarios);
    const char *sn[S_] = {"ref", "project", "double"};
    const char *sl[S_] = {"Regular practice", "The project", "The project, twice as big"};
    for (size_t s = 0; s < S_; s++)
        a->scenarios[s] = (mkba_ap_scenario){mkba_xstrdup(sn[s]), mkba_xstrdup(pick(l, 7 + s, sl[s])),
                                             mkba_xstrdup("x.ini"), "", NULL, NULL};
    a->n_effects = 3;
    a->effects = mkba_xcalloc(3, sizeof *a->effects);
    /* werk: 3 persons per group (suppressed means); uren: 50 and 60 persons */
    set_effect(&a->effects[0], "werk", pick(l, 10, "Work (share)"), MKBA_EST_DIFF, 1.0 / 3, -0.4,
               1.06, 2.0 / 3, 1.0 / 3, 3, 3);
    set_effect(&a->effects[1], "uren", pick(l, 11, "Staff hours"), MKBA_EST_DIFF, 11.0 / 6, 0.9,
               2.8, 3.5, 5.0 / 3, 50, 60);
    set_effect(&a->effects[2], "wait", pick(l, 12, "Weeks to decision"), MKBA_EST_GIVEN, -2.5,
               -3.48, -1.52, NAN, NAN, 0, 0);
    /* flows, deltas and totals by hand (see the top of the file) */
    const double flow1[I_][T_] = {{900, 0}, {220, 0}, {500, 500}};
    a->flow = mkba_xcalloc(S_ * I_ * T_, sizeof *a->flow);
    a->delta = mkba_xcalloc(S_ * I_ * T_, sizeof *a->delta);
    a->item_pv = mkba_xcalloc(S_ * I_, sizeof *a->item_pv);
    for (size_t s = 1; s < S_; s++)
        for (size_t i = 0; i < I_; i++) {
            for (size_t t = 0; t < T_; t++)
                a->flow[mkba_ap_fidx(a, s, i, t)] = a->delta[mkba_ap_fidx(a, s, i, t)] =
                    (double)s * flow1[i][t];
            a->item_pv[s * I_ + i] = (double)s * (flow1[i][0] + flow1[i][1]);
        }
    const double net1[K_ + 1][T_] = {{280, 500}, {400, -500}, {680, 0}};
    a->net_flow = mkba_xcalloc(S_ * (K_ + 1) * T_, sizeof *a->net_flow);
    a->balance = mkba_xcalloc(S_ * (K_ + 1), sizeof *a->balance);
    for (size_t s = 1; s < S_; s++) {
        double f = (double)s;
        for (size_t k = 0; k <= K_; k++)
            for (size_t t = 0; t < T_; t++)
                a->net_flow[(s * (K_ + 1) + k) * T_ + t] = f * net1[k][t];
        set_balance(&a->balance[mkba_ap_bidx(a, s, 0)], f * 1000, f * 220);
        set_balance(&a->balance[mkba_ap_bidx(a, s, 1)], f * 900, f * 1000);
        set_balance(&a->balance[mkba_ap_bidx(a, s, 2)], f * 900, f * 220);
    }
    for (size_t k = 0; k <= K_; k++)
        set_balance(&a->balance[mkba_ap_bidx(a, 0, k)], 0, 0);
    a->mc = fixture_mc();
    const char *in_plain[D_] = {"price", "effect.werk", "flat"};
    const char *in_names[D_] = {pick(l, 13, in_plain[0]), pick(l, 14, in_plain[1]),
                                pick(l, 15, in_plain[2])};
    a->sens = fixture_sens(in_names);
    return a;
}

/* The charts the fixture must give, in the order of chart.h. */
static const char *const EXPECTED[] = {
    "npv_histogram_1",          "npv_histogram_2",          "npv_scurve", "scenarios",
    "tornado",                  "sobol",                    "twoway",     "waterfall_items_1",
    "waterfall_items_2",        "waterfall_stakeholders_1", "waterfall_stakeholders_2",
    "cashflows_1",              "cashflows_2",              "effects"};
#define N_EXPECTED (sizeof EXPECTED / sizeof EXPECTED[0])

/* ============================== helpers ================================ */

static char *chart_file(const char *dir, const char *name, const char *ext)
{
    return mkba_xasprintf("%s/%s%s", dir, name, ext);
}

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* The whole file (abort the test if it cannot be read), and its size. */
static char *slurp(const char *p, size_t *size)
{
    char *buf = tu_read_len(p, size);
    ck_assert_msg(buf != NULL, "cannot read %s", p);
    return buf;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A PNG: the 8-byte signature, then the IHDR chunk (length 13) with the
 * width and height we asked for. */
static void check_png(const char *p, int w, int h)
{
    size_t n;
    unsigned char *b = (unsigned char *)slurp(p, &n);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    ck_assert_msg(n > 33 && memcmp(b, sig, 8) == 0, "%s: not a PNG", p);
    ck_assert_msg(be32(b + 8) == 13 && memcmp(b + 12, "IHDR", 4) == 0, "%s: no IHDR first", p);
    ck_assert_msg(be32(b + 16) == (uint32_t)w && be32(b + 20) == (uint32_t)h,
                  "%s: %ux%u, expected %dx%d", p, be32(b + 16), be32(b + 20), w, h);
    free(b);
}

/* Run argv (PATH searched) in 'cwd' with output to /dev/null; the exit
 * status, or -1 when it could not run. */
static int run_in(const char *cwd, const char *const *argv)
{
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        if (cwd && chdir(cwd) != 0)
            _exit(126);
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
            _exit(126);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        ck_assert(errno == EINTR);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Whether python3 with xml.dom.minidom is there (to parse the SVGs). */
static int have_python_xml(void)
{
    const char *argv[] = {"python3", "-c", "import xml.dom.minidom", NULL};
    return run_in(NULL, argv) == 0;
}

/* An SVG: starts with <?xml or <svg, ends with </svg>, more than 2 kB,
 * and well-formed XML when python3 can tell. */
static void check_svg(const char *p, int parse)
{
    size_t n;
    char *b = slurp(p, &n);
    ck_assert_msg(n > 2048, "%s: only %zu bytes", p, n);
    ck_assert_msg(strncmp(b, "<?xml", 5) == 0 || strncmp(b, "<svg", 4) == 0, "%s: no XML start", p);
    while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == ' ' || b[n - 1] == '\r'))
        b[--n] = '\0';
    ck_assert_msg(n >= 6 && strcmp(b + n - 6, "</svg>") == 0, "%s: does not end in </svg>", p);
    free(b);
    if (parse) {
        const char *argv[] = {"python3", "-c",
                              "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])", p,
                              NULL};
        ck_assert_msg(run_in(NULL, argv) == 0, "%s: not well-formed XML", p);
    }
}

static const mkba_chart *find_chart(const mkba_chart_set *set, const char *name)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->charts[i].name, name) == 0)
            return &set->charts[i];
    return NULL;
}

/* Data lines of a .dat file (no comments, no blank lines) of block
 * 'index' (blocks separated by two blank lines; -1: all), each split at
 * tabs into at most 16 fields (pointers into 'text', which is modified). */
typedef struct row {
    size_t n;
    char *f[16];
} row;

static size_t dat_rows(char *text, int index, row *rows, size_t max)
{
    size_t n = 0;
    int block = 0, blanks = 0;
    for (char *line = text; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (*line == '\0') {
            if (++blanks == 2)
                block++;
        } else {
            blanks = 0;
            if (*line != '#' && (index < 0 || block == index) && n < max) {
                row *r = &rows[n++];
                r->n = 0;
                for (char *f = line; f && r->n < 16;) {
                    r->f[r->n++] = f;
                    f = strchr(f, '\t');
                    if (f)
                        *f++ = '\0';
                }
            }
        }
        line = next;
    }
    return n;
}

static double num(const row *r, size_t k)
{
    ck_assert_msg(k < r->n, "row has %zu fields, wanted field %zu", r->n, k + 1);
    return strtod(r->f[k], NULL);
}

/* What only_files() looks for. */
typedef struct only {
    const char *dir;
    const char *const *keep;
} only;

static int only_entry(const char *rel, const char *full, const struct stat *st, void *ctx)
{
    (void)full, (void)st;
    const only *o = ctx;
    int ok = 0;
    for (size_t i = 0; o->keep[i]; i++)
        ok |= strcmp(rel, o->keep[i]) == 0;
    ck_assert_msg(ok, "unexpected %s in %s", rel, o->dir);
    return 1; /* not into subdirectories: the entry itself is what counts */
}

/* No file or directory of the chart machinery is left in 'dir' but those
 * named in keep[] (NULL-terminated). */
static void only_files(const char *dir, const char *const *keep)
{
    only o = {dir, keep};
    tu_walk(dir, only_entry, &o);
}

/* Render the fixture into tu_tmp/charts with the real gnuplot. */
static mkba_chart_set *render(mkba_appraisal *a, const char *dir, int nl, mkba_error *err)
{
    mkba_chart_opts o = {.lang_nl = nl, .gnuplot = NULL, .render = 1};
    mkba_error_clear(err);
    return mkba_chart_write_all(dir, a, &o, err);
}

/* ============================== rendering ============================== */

START_TEST(every_chart_renders)
{
    mkba_appraisal *a = fixture(NULL);
    char *dir = tu_path(tu_tmp, "out/charts"); /* parents are created */
    mkba_error err;
    mkba_chart_set *set = render(a, dir, 0, &err);
    char buf[2048];
    ck_assert_msg(set != NULL, "%s", mkba_error_format(&err, buf, sizeof buf));
    ck_assert_str_eq(set->dir, dir);
    ck_assert_int_eq(set->gnuplot_missing, 0);
    ck_assert_uint_eq(set->n, N_EXPECTED);
    int parse = have_python_xml();
    for (size_t i = 0; i < N_EXPECTED; i++) {
        const mkba_chart *ch = &set->charts[i];
        ck_assert_str_eq(ch->name, EXPECTED[i]);
        ck_assert_msg(ch->rendered, "%s not rendered", ch->name);
        ck_assert_msg(ch->title && *ch->title, "%s has no title", ch->name);
        ck_assert_int_eq(ch->width, 900);
        char *png = chart_file(dir, ch->name, ".png"), *svg = chart_file(dir, ch->name, ".svg");
        char *dat = chart_file(dir, ch->name, ".dat"), *gp = chart_file(dir, ch->name, ".gp");
        ck_assert_msg(exists(dat) && exists(gp), "%s: no .dat or .gp", ch->name);
        check_png(png, ch->width, ch->height);
        check_svg(svg, parse);
        free(png), free(svg), free(dat), free(gp);
    }
    /* The single-panel charts have the standard size asked for: 900 x 560. */
    const char *std[] = {"npv_histogram_1", "npv_scurve", "cashflows_1"};
    for (size_t i = 0; i < 3; i++) {
        char *png = chart_file(dir, std[i], ".png");
        check_png(png, 900, 560);
        free(png);
    }
    /* Nothing else is left in the directory: no temporary files. */
    const char *keep[4 * N_EXPECTED + 1];
    char *names[4 * N_EXPECTED];
    static const char *const ext[] = {".dat", ".gp", ".png", ".svg"};
    for (size_t i = 0; i < 4 * N_EXPECTED; i++) {
        size_t n = strlen(EXPECTED[i / 4]) + 5;
        names[i] = mkba_xmalloc(n);
        snprintf(names[i], n, "%s%s", EXPECTED[i / 4], ext[i % 4]);
        keep[i] = names[i];
    }
    keep[4 * N_EXPECTED] = NULL;
    only_files(dir, keep);
    for (size_t i = 0; i < 4 * N_EXPECTED; i++)
        free(names[i]);
    mkba_chart_set_free(set);
    mkba_appraisal_free(a);
    free(dir);
}
END_TEST

/* ============================== data files ============================= */

/* Write the fixture's data and scripts only (no gnuplot) into tu_tmp/charts. */
static char *write_only(mkba_appraisal *a, int nl, mkba_chart_set **set)
{
    char *dir = tu_path(tu_tmp, "charts");
    mkba_chart_opts o = {.lang_nl = nl, .gnuplot = NULL, .render = 0};
    mkba_error err;
    mkba_error_clear(&err);
    *set = mkba_chart_write_all(dir, a, &o, &err);
    char buf[2048];
    ck_assert_msg(*set != NULL, "%s", mkba_error_format(&err, buf, sizeof buf));
    return dir;
}

static char *read_chart(const char *dir, const char *name, const char *ext)
{
    char *p = chart_file(dir, name, ext);
    char *t = slurp(p, NULL);
    free(p);
    return t;
}

START_TEST(histogram_counts_sum_to_draws)
{
    mkba_appraisal *a = fixture(NULL);
    mkba_chart_set *set;
    char *dir = write_only(a, 0, &set);
    row r[64];
    char *t = read_chart(dir, "npv_histogram_1", ".dat");
    ck_assert_uint_eq(dat_rows(t, -1, r, 64), MKBA_MC_BINS);
    double sum = 0;
    for (size_t i = 0; i < MKBA_MC_BINS; i++)
        sum += num(&r[i], 4);
    ck_assert_double_eq(sum, DRAWS);                     /* 40 bins of 50 draws */
    ck_assert_double_eq(num(&r[0], 1), -1000);            /* hist_lo */
    ck_assert_double_eq(num(&r[MKBA_MC_BINS - 1], 2), 3000); /* -1000 + 40 * 100 */
    ck_assert_double_eq(num(&r[0], 5), 2.5);              /* 50 of 2000 draws, in % */
    free(t);
    t = read_chart(dir, "npv_histogram_2", ".dat");
    ck_assert_uint_eq(dat_rows(t, -1, r, 64), MKBA_MC_BINS);
    sum = 0;
    for (size_t i = 0; i < MKBA_MC_BINS; i++)
        sum += num(&r[i], 4);
    ck_assert_double_eq(sum, DRAWS); /* 20 bins of 100 draws */
    free(t);
    /* P(NPV > 0) = 0.75 is in the title and in the script's label. */
    t = read_chart(dir, "npv_histogram_1", ".gp");
    ck_assert_msg(tu_contains(t, "'P(NPV > 0) = 75.0%'"), "%s", t);
    ck_assert(tu_contains(set->charts[0].title, "P(NPV > 0) = 75.0%"));
    ck_assert(tu_contains(set->charts[0].title, "The project"));
    /* The zero line: 0 lies within [-1000, 3000]. */
    ck_assert(tu_contains(t, "set arrow 1 from 0, graph 0 to 0, graph 1"));
    free(t);
    mkba_chart_set_free(set);
    mkba_appraisal_free(a);
    free(dir);
}
END_TEST

START_TEST(waterfalls_add_up_to_society)
{
    mkba_appraisal *a = fixture(NULL);
    mkba_chart_set *set;
    char *dir = write_only(a, 0, &set);
    row r[16];
    /* Items of scenario 1: work +900, staff -220 (largest first), the
     * transfer left out, then the total 680 (hand-worked e2e model). */
    char *t = read_chart(dir, "waterfall_items_1", ".dat");
    ck_assert_uint_eq(dat_rows(t, -1, r, 16), 3);
    ck_assert_double_eq(num(&r[0], 3), 900);
    ck_assert_str_eq(r[0].f[6], "Income from work");
    ck_assert_double_eq(num(&r[1], 3), -220);
    ck_assert_double_eq(num(&r[0], 3) + num(&r[1], 3), 680);
    ck_assert_double_eq(num(&r[1], 2), 680); /* where the bars end */
    ck_assert_double_eq(num(&r[2], 3), 680); /* the total bar */
    ck_assert_str_eq(r[2].f[6], "NPV for society");
    free(t);
    t = read_chart(dir, "waterfall_items_1", ".gp");
    ck_assert(tu_contains(t, "Transfers cancel out for society"));
    free(t);
    t = read_chart(dir, "waterfall_items_2", ".dat");
    ck_assert_uint_eq(dat_rows(t, -1, r, 16), 3);
    ck_assert_double_eq(num(&r[2], 3), 1360); /* every flow doubled */
    free(t);
    /* Stakeholders: city 780, people -100, adding up to 680. */
    t = read_chart(dir, "waterfall_stakeholders_1", ".dat");
    ck_assert_uint_eq(dat_rows(t, -1, r, 16), 3);
    ck_assert_double_eq(num(&r[0], 3), 780);
    ck_assert_str_eq(r[0].f[6], "City of Almere");
    ck_assert_double_eq(num(&r[1], 3), -100);
    ck_assert_double_eq(num(&r[1], 2), 680);
    ck_assert_double_eq(num(&r[2], 3), 680);
    free(t);
    mkba_chart_set_free(set);
    mkba_appraisal_free(a);
    free(dir);
}
END_TEST

START_TEST(cashflows_per_year)
{
    mkba_appraisal *a = fixture(NULL);
    mkba_chart_set *set;
    char *dir = write_only(a, 0, &set);
    row r[16];
    char *t = read_chart(dir, "cashflows_1", ".dat");
    ck_assert_uint_eq(dat_rows(t, -1, r, 16), 3); /* the header and two years */
    ck_assert_uint_eq(r[0].n, 5);
    ck_assert_str_eq(r[0].f[2], "City of Almere"); /* columnheader: labels from the data */
    ck_assert_str_eq(r[0].f[3], "People on assistance");
    /* year 1 (2020): city -220 + 500, people 900 - 500, society 900 - 220 */
    ck_assert_double_eq(num(&r[1], 1), 2020);
    ck_assert_double_eq(num(&r[1], 2), 280);
    ck_assert_double_eq(num(&r[1], 3), 400);
    ck_assert_double_eq(num(&r[1], 4), 680);
    /* year 2 (2021): city +500, people -500, society 0 */
    ck_assert_double_eq(num(&r[2], 1), 2021);
    ck_assert_double_eq(num(&r[2], 2), 500);
    ck_assert_double_eq(num(&r[2], 3), -500);
    ck_assert_double_eq(num(&r[2], 4), 0);
    free(t);
    mkba_chart_set_free(set);
    mkba_appraisal_free(a);
    free(dir);
}
END_TEST

START_TEST(scenarios_and_scurve)
{
    mkba_appraisal *a = fixture(NULL);
    mkba_chart_set *set;
    char *dir = write_only(a, 0, &set);
    row r[256];
    char *t = read_chart(dir, "scenarios", ".dat");
    ck_assert_uint_eq(dat_rows(t, -1, r, 256), 2);
    /* row, scenario, mean, p5, p50, p95 of the fixture */
    ck_assert_double_eq(num(&r[0], 1), 1);
    ck_assert_double_eq(num(&r[0], 2), 1000);
    ck_assert_double_eq(num(&r[0], 3), -800);
    ck_assert_double_eq(num(&r[0], 4), 1000);
    ck_assert_double_eq(num(&r[0], 5), 2800);
    ck_assert_str_eq(r[0].f[8], "P(NPV > 0) = 75.0%");
    ck_assert_str_eq(r[1].f[9], "The project, twice as big");
    free(t);
    t = read_chart(dir, "npv_scurve", ".dat");
    ck_assert_uint_eq(dat_rows(t, -1, r, 256), 1 + MKBA_MC_CDF);
    ck_assert_str_eq(r[0].f[1], "The project (P(NPV > 0) = 75.0%)");
    /* p = 0.5 (grid point 100): -1000 + 20 * 100 and 1000 + 5 * 100 */
    ck_assert_double_eq(num(&r[101], 0), 0.5);
    ck_assert_double_eq(num(&r[101], 1), 1000);
    ck_assert_double_eq(num(&r[101], 2), 1500);
    free(t);
    mkba_chart_set_free(set);
    mkba_appraisal_free(a);
    free(dir);
}
END_TEST

START_TEST(sensitivity_charts)
{
    mkba_appraisal *a = fixture(NULL);
    mkba_chart_set *set;
    char *dir = write_only(a, 0, &set);
    row r[64];
    /* tornado, scenario 1: price (680 -/+ 200, swing 400), then effect.werk
     * (680 + 50 at P10, 680 - 50 at P90, swing 100); 'flat' left out. */
    char *t = read_chart(dir, "tornado", ".dat");
    ck_assert_uint_eq(dat_rows(t, 0, r, 64), 2);
    ck_assert_double_eq(num(&r[0], 1), 480);
    ck_assert_double_eq(num(&r[0], 2), 880);
    ck_assert_double_eq(num(&r[0], 3), 680);
    ck_assert_double_eq(num(&r[0], 4), 400);
    ck_assert_str_eq(r[0].f[5], "price (8 to 12)");
    ck_assert_double_eq(num(&r[1], 4), 100);
    ck_assert_msg(strncmp(r[1].f[5], "Work (share) (", 14) == 0, "%s", r[1].f[5]);
    ck_assert(!tu_contains(t, "effect.werk"));
    free(t);
    t = read_chart(dir, "tornado", ".dat");
    ck_assert_uint_eq(dat_rows(t, 1, r, 64), 2); /* scenario 2: swings doubled */
    ck_assert_double_eq(num(&r[0], 4), 800);
    free(t);
    t = read_chart(dir, "tornado", ".gp");
    ck_assert(tu_contains(t, "not shown: 1 without effect on the NPV"));
    free(t);
    /* Sobol: by total index, largest first: effect.werk 0.7, price 0.2, flat 0.05. */
    t = read_chart(dir, "sobol", ".dat");
    ck_assert_uint_eq(dat_rows(t, 0, r, 64), 3);
    /* the effect's label, never its key effect.werk (fmt.h, mkba_fmt_input_label) */
    ck_assert_str_eq(r[0].f[7], "Work (share)");
    ck_assert_double_eq(num(&r[0], 4), 0.7);
    ck_assert_str_eq(r[1].f[7], "price");
    ck_assert_str_eq(r[2].f[7], "flat");
    ck_assert_double_eq(num(&r[2], 1), -0.01);
    free(t);
    /* Two-way: the grid, then where NPV = 100 a + 100 b - 150 is 0: the line
     * a + b = 1.5 crosses the cells (0,0), (0,1) and (1,0): 3 segments. */
    t = read_chart(dir, "twoway", ".dat");
    ck_assert_uint_eq(dat_rows(t, 0, r, 64), 9);
    ck_assert_double_eq(num(&r[0], 2), -150); /* a = 0, b = 0 */
    ck_assert_double_eq(num(&r[8], 2), 250);  /* a = 2, b = 2 */
    free(t);
    t = read_chart(dir, "twoway", ".dat");
    ck_assert_uint_eq(dat_rows(t, 1, r, 64), 6);
    for (size_t i = 0; i < 6; i++)
        ck_assert_double_eq_tol(num(&r[i], 0) + num(&r[i], 1), 1.5, 1e-12);
    free(t);
    t = read_chart(dir, "twoway", ".dat");
    ck_assert_uint_eq(dat_rows(t, 3, r, 64), 6); /* scenario 2: the same line */
    free(t);
    mkba_chart_set_free(set);
    mkba_appraisal_free(a);
    free(dir);
}
END_TEST

/* werk with 50 and 60 persons, 3 of the pilot's without a value: only a
 * missing count is small, so its means are withheld and the effect shown. */
static void few_missing(mkba_appraisal *a)
{
    mkba_effect *e = &a->effects[0].e;
    e->n_pilot = 50;
    e->n_control = 60;
    e->n_missing = 3;
    a->effects[0].missing_pilot = 3;
    a->group_pilot = 53; /* the groups' sizes in the cohort, shown instead */
    a->group_control = 60;
}

START_TEST(effects_respect_disclosure_control)
{
    mkba_appraisal *a = fixture(NULL);
    mkba_chart_set *set;
    char *dir = write_only(a, 0, &set);
    row r[16];
    char *t = read_chart(dir, "effects", ".dat");
    /* werk: 3 persons per group (< 10): the effect is withheld, not drawn */
    ck_assert_uint_eq(dat_rows(t, -1, r, 16), 2);
    ck_assert(!tu_contains(t, "Work (share)"));
    /* uren: 50 and 60 persons: means 3.5 and 5/3 */
    ck_assert_double_eq(num(&r[0], 4), 3.5);
    ck_assert_double_eq_tol(num(&r[0], 5), 5.0 / 3, 1e-15);
    ck_assert_double_eq(num(&r[0], 2), 0.9);
    ck_assert_double_eq(num(&r[0], 3), 2.8);
    free(t);
    t = read_chart(dir, "effects", ".dat");
    /* werk's estimate 1/3, its CI bound 1.06 and pilot mean 2/3 */
    ck_assert(!tu_contains(t, "0.333") && !tu_contains(t, "1.06") && !tu_contains(t, "0.666"));
    free(t);
    t = read_chart(dir, "effects", ".gp");
    ck_assert(tu_contains(t, "'mean pilot 3.5, control 1.667'"));
    ck_assert(tu_contains(t, "'not estimated from the cohort'"));
    ck_assert(!tu_contains(t, "0.6667") && !tu_contains(t, "Work (share)"));
    free(t);
    mkba_chart_set_free(set);
    free(dir);
    /* Only a missing count small: the effect drawn, its means not. */
    few_missing(a);
    dir = write_only(a, 0, &set);
    t = read_chart(dir, "effects", ".dat");
    ck_assert_uint_eq(dat_rows(t, -1, r, 16), 3);
    ck_assert_double_eq_tol(num(&r[0], 1), 1.0 / 3, 1e-15);
    ck_assert(!isfinite(num(&r[0], 4)) && !isfinite(num(&r[0], 5)));
    free(t);
    t = read_chart(dir, "effects", ".gp");
    ck_assert(tu_contains(t, "'group means suppressed (fewer than 10 persons)'"));
    ck_assert(!tu_contains(t, "0.6667"));
    free(t);
    mkba_chart_set_free(set);
    mkba_appraisal_free(a);
    free(dir);
}
END_TEST

START_TEST(dutch_texts)
{
    mkba_appraisal *a = fixture(NULL);
    few_missing(a); /* werk drawn, its means withheld */
    mkba_chart_set *set;
    char *dir = write_only(a, 1, &set);
    char *t = read_chart(dir, "npv_histogram_1", ".gp");
    ck_assert(tu_contains(t, "set decimalsign ','"));
    ck_assert(tu_contains(t, "'P(NCW > 0) = 75,0%'"));
    ck_assert(tu_contains(t, "'NCW voor de maatschappij (EUR)'"));
    free(t);
    t = read_chart(dir, "effects", ".gp");
    ck_assert(tu_contains(t, "'groepsgemiddelden onderdrukt (minder dan 10 personen)'"));
    ck_assert(tu_contains(t, "'gemiddelde pilot 3,5, controle 1,667'"));
    free(t);
    ck_assert(tu_contains(set->charts[0].title, "NCW voor de maatschappij"));
    mkba_chart_set_free(set);
    mkba_appraisal_free(a);
    free(dir);
}
END_TEST

/* The fixture without its Monte Carlo and sensitivity results. */
static mkba_appraisal *fixture_deterministic(void)
{
    mkba_appraisal *a = fixture(NULL);
    mkba_mc_free(a->mc);
    mkba_sens_free(a->sens);
    a->mc = NULL;
    a->sens = NULL;
    return a;
}

START_TEST(only_charts_with_data)
{
    /* Without Monte Carlo and sensitivity: the deterministic charts only. */
    mkba_appraisal *a = fixture_deterministic();
    mkba_chart_set *set;
    char *dir = write_only(a, 0, &set);
    static const char *const want[] = {"waterfall_items_1", "waterfall_items_2",
                                       "waterfall_stakeholders_1", "waterfall_stakeholders_2",
                                       "cashflows_1", "cashflows_2", "effects"};
    ck_assert_uint_eq(set->n, 7);
    for (size_t i = 0; i < 7; i++) {
        ck_assert_str_eq(set->charts[i].name, want[i]);
        ck_assert_int_eq(set->charts[i].rendered, 0); /* render = 0 */
    }
    ck_assert_int_eq(set->gnuplot_missing, 0);
    char *png = chart_file(dir, "effects", ".png");
    ck_assert(!exists(png));
    free(png);
    mkba_chart_set_free(set);
    free(dir);
    /* Sensitivity without grid or Sobol: a tornado but no twoway or sobol. */
    const char *names[D_] = {"price", "effect.werk", "flat"};
    a->sens = fixture_sens(names);
    mkba_sobol_free(a->sens->sobol);
    a->sens->sobol = NULL;
    a->sens->grid_steps = 0;
    dir = write_only(a, 0, &set);
    ck_assert_ptr_nonnull(find_chart(set, "tornado"));
    ck_assert_ptr_null(find_chart(set, "sobol"));
    ck_assert_ptr_null(find_chart(set, "twoway"));
    ck_assert_ptr_null(find_chart(set, "npv_histogram_1"));
    mkba_chart_set_free(set);
    mkba_appraisal_free(a);
    free(dir);
}
END_TEST

/* A run without Monte Carlo or sensitivity into the directory of a run with
 * them: the earlier run's charts that this one does not make are removed
 * (all four files of each, here with a PNG and an SVG put in by hand, as
 * gnuplot would have rendered them), this run's charts are there, and files
 * whose names mkba does not write stay. */
static void touch(const char *dir, const char *name)
{
    free(tu_write(dir, name, "x\n"));
}

START_TEST(stale_charts_removed)
{
    mkba_appraisal *full = fixture(NULL);
    mkba_chart_set *before;
    char *dir = write_only(full, 0, &before);
    ck_assert_uint_gt(before->n, 7);
    static const char *const mine[] = {"mine.png", "npv_histogram_x.svg", "tornado.txt",
                                       "notes", "cashflows_.dat", "sobol_1.png"};
    for (size_t i = 0; i < sizeof mine / sizeof mine[0]; i++)
        touch(dir, mine[i]);
    touch(dir, "tornado.png");
    touch(dir, "npv_histogram_7.svg");
    mkba_appraisal *small = fixture_deterministic();
    mkba_chart_set *after;
    free(write_only(small, 0, &after));
    static const char *const exts[] = {".dat", ".gp", ".png", ".svg"};
    for (size_t i = 0; i < before->n; i++) {
        const char *name = before->charts[i].name;
        int kept = find_chart(after, name) != NULL;
        for (size_t e = 0; e < 4; e++) {
            char *p = chart_file(dir, name, exts[e]);
            /* this run's charts have their data and script (not rendered) */
            int want = kept && e < 2;
            ck_assert_msg(exists(p) == want, "%s: %s", p, want ? "missing" : "left behind");
            free(p);
        }
    }
    char *p = chart_file(dir, "npv_histogram_7", ".svg");
    ck_assert_msg(!exists(p), "a third scenario's stale histogram was left");
    free(p);
    for (size_t i = 0; i < sizeof mine / sizeof mine[0]; i++) {
        p = tu_path(dir, mine[i]);
        ck_assert_msg(exists(p), "%s (not a chart name) was removed", mine[i]);
        free(p);
    }
    mkba_chart_set_free(before);
    mkba_chart_set_free(after);
    mkba_appraisal_free(full);
    mkba_appraisal_free(small);
    free(dir);
}
END_TEST

/* ============================ hostile labels =========================== */

/* Labels that try to run a command (touching a sentinel file in the test's
 * directory, by absolute path) or to break the script. */
static char **hostile_labels(const char *dir, size_t *n)
{
    const char *fmt[] = {
        "`touch %s/SENTINEL_bq`",
        "system(\"touch %s/SENTINEL_sys\")",
        "'; system('touch %s/SENTINEL_sq'); '",
        "\"; system(\"touch %s/SENTINEL_dq\"); \"",
        "@SENTINEL_macro %s",
        "$(touch %s/SENTINEL_shell)",
        "\\\\ \" { } ^ _ & ~ %s",
        "x\nsystem('touch %s/SENTINEL_nl')\n# y",
        "a\tb\rc %s\n`touch %s/SENTINEL_tab`",
        "\xff\xfe bad UTF-8 \xc3 %s",
        "<b>&amp; </svg> %s",
        "Work & Income: 100%% (%s)",
    };
    size_t k = sizeof fmt / sizeof fmt[0];
    char **out = mkba_xcalloc(k, sizeof *out);
    for (size_t i = 0; i < k; i++)
        out[i] = mkba_xasprintf(fmt[i], dir, dir);
    *n = k;
    return out;
}

/* Why script text 'gp' is unsafe, or NULL: outside single-quoted strings
 * and comments only our own commands may stand (no backquote, '@', double
 * quote, "system", or '$' but as a column number like $4); inside a
 * single-quoted string and in a comment no character that gnuplot or its
 * enhanced text would treat specially, and no control character. */
static const char *script_unsafe(const char *gp)
{
    int in_str = 0, in_comment = 0;
    for (const char *p = gp; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (*p == '\n') {
            if (in_str)
                return "a line break in a string";
            in_comment = 0;
            continue;
        }
        if (in_str || in_comment) {
            if (*p == '\'' && in_str) {
                if (p[1] == '\'')
                    return "a quote inside a string";
                in_str = 0;
                continue;
            }
            if (ch < 0x20 || strchr("`@$\"\\{}^~&", ch))
                return "a special character in a string or comment";
            continue;
        }
        if (*p == '#')
            in_comment = 1;
        else if (*p == '\'')
            in_str = 1;
        else if (strchr("`@\"", ch))
            return "a backquote, '@' or '\"' in a command";
        else if (*p == '$' && !(p[1] >= '0' && p[1] <= '9'))
            return "a '$' that is not a column";
        else if (strncmp(p, "system", 6) == 0)
            return "system in a command";
    }
    return in_str ? "an unterminated string" : NULL;
}

static int no_sentinel_entry(const char *rel, const char *full, const struct stat *st, void *ctx)
{
    (void)st, (void)ctx;
    ck_assert_msg(strncmp(rel, "SENTINEL", 8) != 0, "%s was created", full);
    return 1; /* 'dir' itself only */
}

/* No file named SENTINEL* exists in 'dir'. */
static void no_sentinel(const char *dir)
{
    tu_walk(dir, no_sentinel_entry, NULL);
}

START_TEST(hostile_labels_run_nothing)
{
    size_t n;
    char **bad = hostile_labels(tu_tmp, &n);
    /* Every label of the fixture in turn, shifted so that each kind of
     * label (scenario, item, stakeholder, effect, input, currency) meets
     * several payloads across the two runs. */
    for (size_t shift = 0; shift < 2; shift++) {
        const char **l = mkba_xcalloc(n, sizeof *l);
        for (size_t i = 0; i < n; i++)
            l[i] = bad[(i + shift * 5) % n];
        labels lb = {l, n};
        mkba_appraisal *a = fixture(&lb);
        char *dir = tu_path(tu_tmp, shift ? "charts2" : "charts1");
        mkba_error err;
        mkba_chart_set *set = render(a, dir, (int)shift, &err);
        char buf[2048];
        ck_assert_msg(set != NULL, "%s", mkba_error_format(&err, buf, sizeof buf));
        ck_assert_uint_eq(set->n, N_EXPECTED);
        int parse = have_python_xml();
        for (size_t i = 0; i < set->n; i++) {
            const mkba_chart *ch = &set->charts[i];
            ck_assert_msg(ch->rendered, "%s not rendered", ch->name);
            char *png = chart_file(dir, ch->name, ".png"), *svg = chart_file(dir, ch->name, ".svg");
            check_png(png, ch->width, ch->height);
            check_svg(svg, parse);
            free(png), free(svg);
            /* The script holds nothing gnuplot would expand or run. */
            char *gp = read_chart(dir, ch->name, ".gp");
            const char *why = script_unsafe(gp);
            ck_assert_msg(why == NULL, "%s.gp: %s:\n%s", ch->name, why, gp);
            free(gp);
            /* The data's text fields hold no double quote (gnuplot would
             * take it as the start of a quoted field). */
            char *dat = read_chart(dir, ch->name, ".dat");
            ck_assert_msg(!strchr(dat, '"'), "%s.dat has a '\"'", ch->name);
            free(dat);
        }
        no_sentinel(tu_tmp);
        no_sentinel(dir);
        mkba_chart_set_free(set);
        mkba_appraisal_free(a);
        free(dir);
        free(l);
    }
    for (size_t i = 0; i < n; i++)
        free(bad[i]);
    free(bad);
}
END_TEST

/* ======================= gnuplot missing or failing ===================== */

START_TEST(gnuplot_missing_is_no_error)
{
    mkba_appraisal *a = fixture(NULL);
    char *dir = tu_path(tu_tmp, "charts");
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    /* A picture from an earlier run would no longer match the new data. */
    free(tu_write(dir, "effects.png", "old picture"));
    mkba_chart_opts o = {.lang_nl = 0, .gnuplot = "/nonexistent/bin/gnuplot", .render = 1};
    mkba_error err;
    mkba_error_clear(&err);
    mkba_chart_set *set = mkba_chart_write_all(dir, a, &o, &err);
    ck_assert_ptr_nonnull(set);
    ck_assert_int_eq(err.code, MKBA_OK);
    ck_assert_int_eq(set->gnuplot_missing, 1);
    ck_assert_uint_eq(set->n, N_EXPECTED);
    for (size_t i = 0; i < set->n; i++) {
        ck_assert_int_eq(set->charts[i].rendered, 0);
        char *dat = chart_file(dir, set->charts[i].name, ".dat");
        char *gp = chart_file(dir, set->charts[i].name, ".gp");
        char *png = chart_file(dir, set->charts[i].name, ".png");
        ck_assert(exists(dat) && exists(gp) && !exists(png));
        free(dat), free(gp), free(png);
    }
    mkba_chart_set_free(set);
    /* The same through $MKBA_GNUPLOT when the options name no program. */
    ck_assert_int_eq(setenv("MKBA_GNUPLOT", "/nonexistent/gnuplot", 1), 0);
    o.gnuplot = NULL;
    set = mkba_chart_write_all(dir, a, &o, &err);
    unsetenv("MKBA_GNUPLOT");
    ck_assert_ptr_nonnull(set);
    ck_assert_int_eq(set->gnuplot_missing, 1);
    mkba_chart_set_free(set);
    /* A program name searched in $PATH that is nowhere there. */
    o.gnuplot = "mkba-no-such-gnuplot";
    set = mkba_chart_write_all(dir, a, &o, &err);
    ck_assert_ptr_nonnull(set);
    ck_assert_int_eq(set->gnuplot_missing, 1);
    mkba_chart_set_free(set);
    mkba_appraisal_free(a);
    free(dir);
}
END_TEST

/* A stand-in for gnuplot: a shell script with 'body'. */
static char *fake_gnuplot(const char *body)
{
    char *p = tu_write(tu_tmp, "fake-gnuplot", body);
    ck_assert_int_eq(chmod(p, 0755), 0);
    return p;
}

START_TEST(gnuplot_failure_names_script_and_first_error)
{
    mkba_appraisal *a = fixture(NULL);
    char *dir = tu_path(tu_tmp, "charts");
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    free(tu_write(dir, "effects.png", "old picture"));
    char *fake = fake_gnuplot("#!/bin/sh\n"
                              "echo 'warning: only a warning' >&2\n"
                              "echo \"plot x\" >&2\n"
                              "echo \"\\\"$1\\\" line 7: invalid command\" >&2\n"
                              "echo \"\\\"$1\\\" line 9: a later error\" >&2\n"
                              "exit 1\n");
    mkba_chart_opts o = {.lang_nl = 0, .gnuplot = fake, .render = 1};
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_chart_write_all(dir, a, &o, &err));
    ck_assert_int_eq(err.code, MKBA_EIO);
    char buf[2048], want[2048];
    snprintf(want, sizeof want,
             "%s/npv_histogram_1.gp: gnuplot failed: \"npv_histogram_1.gp\" line 7: invalid command",
             dir);
    ck_assert_str_eq(mkba_error_format(&err, buf, sizeof buf), want);
    /* Nothing of the failed run is left; the old file is as it was. */
    const char *keep[] = {"effects.png", NULL};
    only_files(dir, keep);
    char *old_path = tu_path(dir, "effects.png");
    char *old = slurp(old_path, NULL);
    ck_assert_str_eq(old, "old picture");
    free(old), free(old_path);
    /* A gnuplot that succeeds but writes no picture. */
    free(fake);
    fake = fake_gnuplot("#!/bin/sh\nexit 0\n");
    o.gnuplot = fake;
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_chart_write_all(dir, a, &o, &err));
    snprintf(want, sizeof want,
             "%s/npv_histogram_1.gp: gnuplot failed: it wrote no complete npv_histogram_1.png",
             dir);
    ck_assert_str_eq(mkba_error_format(&err, buf, sizeof buf), want);
    only_files(dir, keep);
    mkba_appraisal_free(a);
    free(dir);
    free(fake);
}
END_TEST

/* ========================= unwritable directories ======================= */

START_TEST(unwritable_directory)
{
    mkba_appraisal *a = fixture(NULL);
    mkba_chart_opts o = {.lang_nl = 0, .gnuplot = NULL, .render = 0};
    mkba_error err;
    char buf[2048], want[2048];
    /* A directory under a regular file cannot be made. */
    free(tu_write(tu_tmp, "file", "x"));
    char *dir = tu_path(tu_tmp, "file/charts");
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_chart_write_all(dir, a, &o, &err));
    ck_assert_int_eq(err.code, MKBA_EIO);
    snprintf(want, sizeof want, "%s: cannot create directory: Not a directory", dir);
    ck_assert_str_eq(mkba_error_format(&err, buf, sizeof buf), want);
    free(dir);
    /* A target file name taken by a directory: nothing is published. */
    dir = tu_path(tu_tmp, "charts");
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    char *blocker = tu_path(dir, "effects.gp");
    ck_assert_int_eq(mkdir(blocker, 0777), 0);
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_chart_write_all(dir, a, &o, &err));
    snprintf(want, sizeof want, "%s/effects.gp: cannot write: Is a directory", dir);
    ck_assert_str_eq(mkba_error_format(&err, buf, sizeof buf), want);
    const char *keep[] = {"effects.gp", NULL};
    only_files(dir, keep);
    free(blocker);
    /* A directory we may not write (not testable as root, who may). */
    if (geteuid() != 0) {
        char *ro = tu_path(tu_tmp, "ro");
        ck_assert_int_eq(mkdir(ro, 0555), 0);
        mkba_error_clear(&err);
        ck_assert_ptr_null(mkba_chart_write_all(ro, a, &o, &err));
        snprintf(want, sizeof want, "%s: cannot write: Permission denied", ro);
        ck_assert_str_eq(mkba_error_format(&err, buf, sizeof buf), want);
        free(ro);
    }
    /* No directory or no appraisal. */
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_chart_write_all(NULL, a, &o, &err));
    ck_assert_int_eq(err.code, MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "charts: no directory or no appraisal");
    mkba_chart_set_free(NULL); /* a no-op */
    mkba_appraisal_free(a);
    free(dir);
}
END_TEST

/* ======================== scripts run by hand =========================== */

START_TEST(scripts_run_by_hand)
{
    mkba_appraisal *a = fixture(NULL);
    mkba_chart_set *set;
    char *dir = write_only(a, 0, &set);
    /* `cd DIR && gnuplot NAME.gp` makes NAME.png and NAME.svg there. */
    static const char *const names[] = {"twoway", "effects"};
    for (size_t i = 0; i < 2; i++) {
        char script[64];
        snprintf(script, sizeof script, "%s.gp", names[i]);
        const char *argv[] = {"gnuplot", script, NULL};
        ck_assert_int_eq(run_in(dir, argv), 0);
        const mkba_chart *ch = find_chart(set, names[i]);
        ck_assert_ptr_nonnull(ch);
        char *png = chart_file(dir, names[i], ".png"), *svg = chart_file(dir, names[i], ".svg");
        check_png(png, ch->width, ch->height);
        check_svg(svg, 0);
        free(png), free(svg);
    }
    mkba_chart_set_free(set);
    mkba_appraisal_free(a);
    free(dir);
}
END_TEST

/* ============================ review fixes ============================== */

/* Every chart of 'set' was rendered. */
static void all_rendered(const mkba_chart_set *set)
{
    ck_assert_int_eq(set->gnuplot_missing, 0);
    for (size_t i = 0; i < set->n; i++)
        ck_assert_msg(set->charts[i].rendered, "%s not rendered", set->charts[i].name);
}

/* x moved by 'ulps' representable doubles (negative: down). */
static double ulps(double x, int k)
{
    for (; k > 0; k--)
        x = nextafter(x, INFINITY);
    for (; k < 0; k++)
        x = nextafter(x, -INFINITY);
    return x;
}

/* The bounds of the first "set AXISrange [lo:hi]" in script 'gp'. */
static void script_range(const char *gp, const char *axis, double *lo, double *hi)
{
    char key[32];
    snprintf(key, sizeof key, "set %srange [", axis);
    const char *p = strstr(gp, key);
    ck_assert_msg(p != NULL, "no %s in the script", key);
    char *end;
    *lo = strtod(p + strlen(key), &end);
    ck_assert_msg(*end == ':', "no ':' in the %s", key);
    *hi = strtod(end + 1, &end);
    ck_assert_msg(*end == ']', "no ']' in the %s", key);
}

START_TEST(noise_wide_ranges_render)
{
    /* Society's NPV constant up to rounding, as when the only uncertain
     * input is a transfer (it cancels for society, leaving noise in the
     * last bits): scenario 1's draws lie within 2 ulps of 680, scenario 2's
     * are all exactly 680 (summary.c then makes one bin of width 1). Every
     * range spans far less than 1e-9 of its size, so the axis must be
     * widened, or gnuplot stops with "Can't plot with an empty x range!". */
    mkba_appraisal *a = fixture(NULL);
    mkba_mc *mc = a->mc;
    double lo = ulps(680, -2), hi = ulps(680, 2);
    mc->npv[1 * (K_ + 1) + K_] = (mkba_stats){.mean = 680, .sd = 0, .p5 = lo, .p50 = 680,
                                               .p95 = hi, .p_positive = 1, .n = DRAWS};
    mc->npv[2 * (K_ + 1) + K_] = (mkba_stats){.mean = 680, .sd = 0, .p5 = 680, .p50 = 680,
                                               .p95 = 680, .p_positive = 1, .n = DRAWS};
    mc->hist_lo[1] = lo;
    mc->hist_width[1] = (hi - lo) / MKBA_MC_BINS;
    mc->hist_lo[2] = 680;
    mc->hist_width[2] = 1;
    for (size_t b = 0; b < MKBA_MC_BINS; b++) {
        mc->hist[1 * MKBA_MC_BINS + b] = DRAWS / MKBA_MC_BINS;
        mc->hist[2 * MKBA_MC_BINS + b] = b == 0 ? DRAWS : 0;
    }
    for (size_t i = 0; i < MKBA_MC_CDF; i++) {
        mc->npv_cdf[MKBA_MC_CDF + i] = lo + (hi - lo) * (double)i / (MKBA_MC_CDF - 1);
        mc->npv_cdf[2 * MKBA_MC_CDF + i] = 680;
    }
    /* Tornado: an effect of 1e6 with se 1e-7 moves the NPV by 1e-10 (about
     * 1.5e-13 of it); two-way: that effect's P10 to P90 is 1e6 -/+ 1.28e-7. */
    mkba_sens *s = a->sens;
    for (size_t sc = 1; sc < S_; sc++) {
        double npv = s->npv_base[sc * (K_ + 1) + K_];
        s->npv_lo[mkba_sens_idx(s, 0, sc, K_)] = npv - 1e-10;
        s->npv_hi[mkba_sens_idx(s, 0, sc, K_)] = npv + 1e-10;
        s->npv_lo[mkba_sens_idx(s, 1, sc, K_)] = npv + 5e-11;
        s->npv_hi[mkba_sens_idx(s, 1, sc, K_)] = npv - 5e-11;
    }
    for (size_t i = 0; i < 3; i++)
        s->grid_a_values[i] = 1e6 + 1.28e-7 * ((double)i - 1);
    char *dir = tu_path(tu_tmp, "charts");
    mkba_error err;
    mkba_chart_set *set = render(a, dir, 0, &err);
    char buf[2048];
    ck_assert_msg(set != NULL, "%s", mkba_error_format(&err, buf, sizeof buf));
    ck_assert_uint_eq(set->n, N_EXPECTED);
    all_rendered(set);
    /* The axes hold the data and are wider than noise. */
    static const char *const names[] = {"npv_histogram_1", "npv_histogram_2", "npv_scurve",
                                        "scenarios", "tornado"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *gp = read_chart(dir, names[i], ".gp");
        double xlo, xhi;
        script_range(gp, "x", &xlo, &xhi); /* S = 1: amounts below 1e4 */
        ck_assert_msg(xlo < 680 && xhi > 680 && xhi - xlo > 1e-9 * 680, "%s: [%.17g:%.17g]",
                      names[i], xlo, xhi);
        free(gp);
    }
    char *gp = read_chart(dir, "twoway", ".gp");
    double xlo, xhi;
    script_range(gp, "x", &xlo, &xhi);
    ck_assert_msg(xlo < 1e6 && xhi > 1e6 && xhi - xlo > 1e-9 * 1e6, "twoway: [%.17g:%.17g]", xlo,
                  xhi);
    free(gp);
    mkba_chart_set_free(set);
    mkba_appraisal_free(a);
    free(dir);
}
END_TEST

START_TEST(relative_gnuplot_path)
{
    /* gnuplot runs in a private directory; a program named by a relative
     * path (the option, $MKBA_GNUPLOT or a relative $PATH entry) must still
     * be found there. The stand-in passes its arguments to the real one. */
    mkba_appraisal *a = fixture(NULL);
    mkba_mc_free(a->mc); /* the deterministic charts suffice: fewer to draw */
    mkba_sens_free(a->sens);
    a->mc = NULL;
    a->sens = NULL;
    char *bin = tu_path(tu_tmp, "bin");
    ck_assert_int_eq(mkdir(bin, 0777), 0);
    char *wrapper = tu_write(bin, "mkba-test-gp", "#!/bin/sh\nexec gnuplot \"$@\"\n");
    ck_assert_int_eq(chmod(wrapper, 0755), 0);
    char *cwd = getcwd(NULL, 0);
    ck_assert_ptr_nonnull(cwd);
    ck_assert_int_eq(chdir(tu_tmp), 0);
    const char *old_path = getenv("PATH");
    char *saved_path = mkba_xstrdup(old_path ? old_path : "/usr/bin:/bin");
    mkba_chart_opts o = {.lang_nl = 0, .gnuplot = "./bin/mkba-test-gp", .render = 1};
    mkba_error err;
    char buf[2048];
    /* 1. the option, 2. $MKBA_GNUPLOT, 3. a relative $PATH entry. */
    for (int how = 0; how < 3; how++) {
        if (how == 1) {
            o.gnuplot = NULL;
            ck_assert_int_eq(setenv("MKBA_GNUPLOT", "bin/mkba-test-gp", 1), 0);
        } else if (how == 2) {
            unsetenv("MKBA_GNUPLOT");
            o.gnuplot = "mkba-test-gp";
            char *p = mkba_xasprintf("bin:%s", saved_path);
            ck_assert_int_eq(setenv("PATH", p, 1), 0);
            free(p);
        }
        mkba_error_clear(&err);
        mkba_chart_set *set = mkba_chart_write_all("charts", a, &o, &err);
        ck_assert_msg(set != NULL, "%s", mkba_error_format(&err, buf, sizeof buf));
        ck_assert_uint_eq(set->n, 7);
        all_rendered(set);
        mkba_chart_set_free(set);
    }
    unsetenv("MKBA_GNUPLOT");
    ck_assert_int_eq(setenv("PATH", saved_path, 1), 0);
    ck_assert_int_eq(chdir(cwd), 0); /* CK_FORK=no runs the next test here */
    free(saved_path);
    free(cwd);
    free(wrapper);
    free(bin);
    mkba_appraisal_free(a);
}
END_TEST

START_TEST(xml_noncharacters_replaced)
{
    /* U+FFFF (EF BF BF) and U+FFFE (EF BF BE) are valid UTF-8 but not XML
     * characters (XML 1.0, production [2] Char): an SVG holding them is not
     * well-formed. Like invalid UTF-8 they are replaced by '?'. */
    static const char *const bad[] = {"Pilot \xef\xbf\xbf Almere \xef\xbf\xbe end"};
    labels lb = {bad, 1};
    mkba_appraisal *a = fixture(&lb);
    mkba_mc_free(a->mc); /* the deterministic charts carry every kind of label */
    mkba_sens_free(a->sens);
    a->mc = NULL;
    a->sens = NULL;
    char *dir = tu_path(tu_tmp, "charts");
    mkba_error err;
    mkba_chart_set *set = render(a, dir, 0, &err);
    char buf[2048];
    ck_assert_msg(set != NULL, "%s", mkba_error_format(&err, buf, sizeof buf));
    all_rendered(set);
    int parse = have_python_xml();
    static const char *const ext[] = {".svg", ".gp", ".dat"};
    for (size_t i = 0; i < set->n; i++) {
        for (size_t e = 0; e < 3; e++) {
            char *t = read_chart(dir, set->charts[i].name, ext[e]);
            ck_assert_msg(!strstr(t, "\xef\xbf\xbf") && !strstr(t, "\xef\xbf\xbe"),
                          "%s%s holds U+FFFF or U+FFFE", set->charts[i].name, ext[e]);
            free(t);
        }
        char *svg = chart_file(dir, set->charts[i].name, ".svg");
        check_svg(svg, parse);
        free(svg);
    }
    /* The rest of the label is kept. As with a surrogate, every byte that
     * does not start an accepted sequence becomes '?': the lead byte EF,
     * then the two continuation bytes standing alone, so "???" each. */
    char *t = read_chart(dir, "waterfall_items_1", ".dat");
    ck_assert_msg(tu_contains(t, "Pilot ??? Almere ??? end"), "%s", t);
    free(t);
    t = read_chart(dir, "waterfall_items_1", ".gp");
    ck_assert_msg(tu_contains(t, "'Pilot ??? Almere ??? end'"), "%s", t);
    free(t);
    mkba_chart_set_free(set);
    mkba_appraisal_free(a);
    free(dir);
}
END_TEST

START_TEST(percent_rounds_like_report)
{
    /* 23 of 2,000 draws positive: exactly 1.15%, which the report rounds
     * half away from zero to 1.2% (report.h); the charts must agree, not
     * say 1.1% from printf's rounding of the binary value 0.01149999... */
    mkba_appraisal *a = fixture(NULL);
    a->mc->npv[1 * (K_ + 1) + K_].p_positive = 23.0 / 2000;
    for (int nl = 0; nl < 2; nl++) {
        mkba_chart_set *set;
        char *dir = write_only(a, nl, &set);
        const mkba_chart *h = find_chart(set, "npv_histogram_1");
        ck_assert_ptr_nonnull(h);
        const char *want = nl ? "P(NCW > 0) = 1,2%" : "P(NPV > 0) = 1.2%";
        ck_assert_msg(tu_contains(h->title, want), "%s", h->title);
        char *t = read_chart(dir, "npv_histogram_1", ".gp");
        ck_assert(tu_contains(t, want));
        free(t);
        t = read_chart(dir, "scenarios", ".dat");
        ck_assert(tu_contains(t, want));
        free(t);
        mkba_chart_set_free(set);
        free(dir);
    }
    mkba_appraisal_free(a);
}
END_TEST

/* The tornado's file 'ext' of 'a', in English or Dutch, holds 'want'. */
static void tornado_has(mkba_appraisal *a, int nl, const char *ext, const char *want)
{
    mkba_chart_set *set;
    char *dir = write_only(a, nl, &set);
    char *t = read_chart(dir, "tornado", ext);
    ck_assert_msg(tu_contains(t, want), "no %s in %s", want, t);
    free(t);
    mkba_chart_set_free(set);
    free(dir);
}

START_TEST(huge_numbers_dutch_comma)
{
    /* From 1e15 on an amount prints in 3 significant digits (printf's
     * "%.3g" of 1.5e15 is "1.5e+15" by the C standard); in Dutch the
     * decimal sign is a comma there too. The tornado's panel title names
     * the NPV at base. */
    mkba_appraisal *a = fixture(NULL);
    a->sens->npv_base[1 * (K_ + 1) + K_] = 1.5e15;
    tornado_has(a, 0, ".gp", "NPV at base EUR 1.5e+15'");
    tornado_has(a, 1, ".gp", "NCW in de basis EUR 1,5e+15'");
    mkba_appraisal_free(a);
}
END_TEST

START_TEST(numbers_as_in_report)
{
    /* Below 1e15 amounts print as the report prints them
     * (mkba_report_fmt_number): a half rounds away from zero (2.5 -> 3,
     * where printf's "%.0f" rounds it to even, 2), thousands grouped, and
     * a value that is not a number is "n/a", in Dutch "n.v.t.". The
     * tornado's panel title names the NPV at base with 0 decimals. */
    static const struct {
        double base;
        const char *en, *nl;
    } cases[] = {{2.5, "EUR 3'", "EUR 3'"},
                 {-2.5, "EUR -3'", "EUR -3'"},
                 {1234567.5, "EUR 1,234,568'", "EUR 1.234.568'"},
                 {NAN, "EUR n/a'", "EUR n.v.t.'"}};
    mkba_appraisal *a = fixture(NULL);
    /* An input's P10 and P90 in the tornado's labels as the report writes
     * values (mkba_report_fmt_value): 4 significant digits, at most 6
     * decimals, grouped from 1000 on: 1234.5 -> "1,235" (a half rounded
     * up), 0.00012345 -> "0.000123". */
    a->sens->inputs[0].lo = 1234.5;
    a->sens->inputs[0].hi = 0.00012345;
    tornado_has(a, 0, ".dat", "price (1,235 to 0.000123)");
    tornado_has(a, 1, ".dat", "price (1.235 tot 0,000123)");
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char want[96];
        a->sens->npv_base[1 * (K_ + 1) + K_] = cases[k].base;
        snprintf(want, sizeof want, "NPV at base %s", cases[k].en);
        tornado_has(a, 0, ".gp", want);
        snprintf(want, sizeof want, "NCW in de basis %s", cases[k].nl);
        tornado_has(a, 1, ".gp", want);
    }
    mkba_appraisal_free(a);
}
END_TEST

/* ============================== the CLI ================================= */

static int cli(const char *const *args, char **out, char **err)
{
    return tu_run(tu_srcdir(), args, out, err);
}

START_TEST(cli_run_writes_charts)
{
    char *res = tu_path(tu_tmp, "res"), *out, *err;
    const char *args[] = {"run",   "tests/data/e2e/project.ini", "--draws", "2000", "--sensitivity",
                          "--two-way", "effect.werk,effect.uren", "--sobol", "64", "--out", res,
                          "-q",    NULL};
    ck_assert_msg(cli(args, &out, &err) == 0, "%s", err);
    ck_assert_str_eq(out, "");
    ck_assert_msg(!tu_contains(err, "gnuplot"), "%s", err);
    char *charts = tu_path(res, "charts");
    static const char *const want[] = {"npv_histogram_1", "npv_scurve", "scenarios", "tornado",
                                       "sobol", "twoway", "waterfall_items_1",
                                       "waterfall_stakeholders_1", "cashflows_1", "effects"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char *png = chart_file(charts, want[i], ".png");
        ck_assert_msg(exists(png), "%s missing", png);
        free(png);
    }
    /* The hand-worked model: society's NPV 680 from work 900 and staff -220. */
    row r[16];
    char *t = read_chart(charts, "waterfall_items_1", ".dat");
    ck_assert_uint_eq(dat_rows(t, -1, r, 16), 3);
    ck_assert_double_eq_tol(num(&r[0], 3), 900, 1e-9);
    ck_assert_double_eq_tol(num(&r[1], 3), -220, 1e-9);
    ck_assert_double_eq_tol(num(&r[2], 3), 680, 1e-9);
    free(t);
    t = read_chart(charts, "waterfall_stakeholders_1", ".dat");
    ck_assert_uint_eq(dat_rows(t, -1, r, 16), 3);
    ck_assert_double_eq_tol(num(&r[0], 3), 780, 1e-9);  /* city */
    ck_assert_double_eq_tol(num(&r[1], 3), -100, 1e-9); /* people */
    free(t);
    /* Every one of the 2000 draws is in the histogram (the NPV is finite). */
    row hr[64];
    t = read_chart(charts, "npv_histogram_1", ".dat");
    ck_assert_uint_eq(dat_rows(t, -1, hr, 64), MKBA_MC_BINS);
    double sum = 0;
    for (size_t i = 0; i < MKBA_MC_BINS; i++)
        sum += num(&hr[i], 4);
    ck_assert_double_eq(sum, 2000);
    free(t);
    /* 3 persons per group in the e2e cohort, shown (its min_group = 1). */
    t = read_chart(charts, "effects", ".gp");
    ck_assert(!tu_contains(t, "suppressed"));
    ck_assert(tu_contains(t, "mean pilot 3.5, control 1.667"));
    free(t);
    free(out), free(err), free(charts), free(res);
}
END_TEST

START_TEST(cli_no_charts_and_sensitivity)
{
    char *res = tu_path(tu_tmp, "res"), *out, *err;
    const char *a1[] = {"run", "tests/data/e2e/project.ini", "--out", res, "--no-charts", "-q", NULL};
    ck_assert_msg(cli(a1, &out, &err) == 0, "%s", err);
    char *charts = tu_path(res, "charts"), *summary = tu_path(res, "summary.csv");
    ck_assert(exists(summary) && !exists(charts));
    free(out), free(err);
    /* mkba sensitivity draws its charts too (no Monte Carlo: no histogram). */
    const char *a2[] = {"sensitivity", "tests/data/e2e/project.ini", "--sobol", "0", "--out", res,
                        "-q", NULL};
    ck_assert_msg(cli(a2, &out, &err) == 0, "%s", err);
    char *tornado = tu_path(res, "charts/tornado.png"), *hist = tu_path(res, "charts/npv_histogram_1.png");
    ck_assert(exists(tornado) && !exists(hist));
    free(out), free(err);
    /* Both commands document the option. */
    const char *a3[] = {"run", "--help", NULL};
    ck_assert_int_eq(cli(a3, &out, &err), 0);
    ck_assert(tu_contains(out, "--no-charts"));
    free(out), free(err);
    const char *a4[] = {"sensitivity", "--help", NULL};
    ck_assert_int_eq(cli(a4, &out, &err), 0);
    ck_assert(tu_contains(out, "--no-charts"));
    free(out), free(err);
    free(res), free(charts), free(summary), free(tornado), free(hist);
}
END_TEST

START_TEST(cli_gnuplot_missing_said_once)
{
    char *res = tu_path(tu_tmp, "res"), *out, *err;
    ck_assert_int_eq(setenv("MKBA_GNUPLOT", "/nonexistent/gnuplot", 1), 0);
    const char *args[] = {"run", "tests/data/e2e/project.ini", "--draws", "200", "--out", res,
                          "-q", NULL};
    int rc = cli(args, &out, &err);
    unsetenv("MKBA_GNUPLOT");
    ck_assert_msg(rc == 0, "%s", err);
    char want[4096];
    snprintf(want, sizeof want,
             "mkba: gnuplot not found: charts' data and scripts are in %s/charts; install it "
             "with: sudo apt-get install gnuplot-nox\n",
             res);
    ck_assert_str_eq(err, want); /* said once, also with -q */
    ck_assert_str_eq(out, "");
    char *gp = tu_path(res, "charts/effects.gp"), *png = tu_path(res, "charts/effects.png");
    char *summary = tu_path(res, "summary.csv");
    ck_assert(exists(gp) && !exists(png) && exists(summary));
    free(out), free(err), free(res), free(gp), free(png), free(summary);
}
END_TEST

START_TEST(cli_charts_directory_blocked)
{
    /* OUT/charts is a regular file: the run fails with a clear message. */
    char *res = tu_path(tu_tmp, "res"), *out, *err;
    ck_assert_int_eq(mkdir(res, 0777), 0);
    free(tu_write(res, "charts", "not a directory"));
    const char *args[] = {"run", "tests/data/e2e/project.ini", "--out", res, "-q", NULL};
    ck_assert_int_eq(cli(args, &out, &err), 1);
    char want[4096];
    snprintf(want, sizeof want, "mkba: %s/charts: cannot create directory: Not a directory\n", res);
    ck_assert_str_eq(err, want);
    free(out), free(err), free(res);
}
END_TEST


/* ========================== propensity model ============================ */

/* The fixture with the hand-built diagnostics of testutil.c (groups of 50
 * and 212 in the cohort, min_group 10). */
static mkba_appraisal *fixture_ps(void)
{
    mkba_appraisal *a = fixture_deterministic();
    a->ps = tu_ps_diag();
    a->min_group = 10;
    a->group_pilot = 50;
    a->group_control = 212;
    return a;
}

START_TEST(ps_charts_render)
{
    mkba_appraisal *a = fixture_ps();
    char *dir = tu_path(tu_tmp, "charts");
    mkba_error err;
    mkba_chart_set *set = render(a, dir, 0, &err);
    char buf[2048];
    ck_assert_msg(set != NULL, "%s", mkba_error_format(&err, buf, sizeof buf));
    int parse = have_python_xml();
    const char *names[] = {"balance", "overlap"};
    for (size_t i = 0; i < 2; i++) {
        const mkba_chart *ch = find_chart(set, names[i]);
        ck_assert_msg(ch && ch->rendered, "%s not rendered", names[i]);
        char *png = chart_file(dir, names[i], ".png"), *svg = chart_file(dir, names[i], ".svg");
        check_png(png, ch->width, ch->height);
        check_svg(svg, parse);
        free(png), free(svg);
    }
    ck_assert_str_eq(find_chart(set, "balance")->title,
                     "Covariate balance before and after weighting");
    ck_assert_str_eq(find_chart(set, "overlap")->title, "Overlap of the propensity scores");
    mkba_chart_set_free(set);
    mkba_appraisal_free(a);
    free(dir);
}
END_TEST

START_TEST(ps_charts_data)
{
    mkba_appraisal *a = fixture_ps();
    mkba_chart_set *set;
    char *dir = write_only(a, 0, &set);
    row r[32];
    /* love plot: the 3 shown covariates, top to bottom; the withheld
     * "household: single parent" (4 persons on one side) is left out */
    char *t = read_chart(dir, "balance", ".dat");
    ck_assert_uint_eq(dat_rows(t, -1, r, 32), 3);
    ck_assert_str_eq(r[0].f[3], "age");
    ck_assert(num(&r[0], 0) == 3 && num(&r[0], 1) == 0.512 && num(&r[0], 2) == 0.013);
    ck_assert_str_eq(r[1].f[3], "age^2");
    ck_assert_str_eq(r[2].f[3], "female");
    free(t);
    t = read_chart(dir, "balance", ".dat");
    ck_assert(!tu_contains(t, "household"));
    free(t);
    t = read_chart(dir, "balance", ".gp");
    ck_assert(tu_contains(t, "set arrow 2 from -0.1, graph 0 to -0.1, graph 1 nohead"));
    ck_assert(tu_contains(t, "set arrow 3 from 0.1, graph 0 to 0.1, graph 1 nohead"));
    ck_assert(tu_contains(t, "'after weighting'"));
    free(t);
    /* overlap: the merged bins (check_privacy works them out), as shares;
     * no bin holds 1 to 9 persons */
    t = read_chart(dir, "overlap", ".dat");
    ck_assert_uint_eq(dat_rows(t, 0, r, 32), 14);
    ck_assert(num(&r[13], 0) == 0.8 && num(&r[13], 1) == 1 && num(&r[13], 2) == 0.3);
    for (size_t i = 0; i < 14; i++) {
        double n = 50 * num(&r[i], 2);
        ck_assert_msg(n < 1e-9 || n > 10 - 1e-9, "pilot bin %zu: %g persons", i, n);
    }
    free(t);
    t = read_chart(dir, "overlap", ".dat");
    ck_assert_uint_eq(dat_rows(t, 1, r, 32), 19);
    ck_assert(num(&r[2], 0) == 0.1 && num(&r[2], 1) == 0.2 && num(&r[2], 2) == 0.05);
    free(t);
    mkba_chart_set_free(set);
    /* Dutch */
    tu_rmtree(dir);
    free(dir);
    dir = write_only(a, 1, &set);
    ck_assert_str_eq(find_chart(set, "balance")->title,
                     "Balans van de covariaten voor en na weging");
    t = read_chart(dir, "overlap", ".gp");
    ck_assert(tu_contains(t, "set decimalsign ','"));
    ck_assert(tu_contains(t, "'Aandeel van de groep per 0,05 van de score'"));
    ck_assert(tu_contains(t, "'pilotgroep'"));
    free(t);
    mkba_chart_set_free(set);
    /* a small group in the fit: neither chart */
    a->ps->n[1] = 9;
    tu_rmtree(dir);
    free(dir);
    dir = write_only(a, 0, &set);
    ck_assert_ptr_null(find_chart(set, "balance"));
    ck_assert_ptr_null(find_chart(set, "overlap"));
    mkba_chart_set_free(set);
    mkba_appraisal_free(a);
    free(dir);
}
END_TEST

static Suite *chart_suite(void)
{
    Suite *s = suite_create("chart");
    TCase *tc = tcase_create("render");
    tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_chart_renders);
    tcase_add_test(tc, scripts_run_by_hand);
    tcase_add_test(tc, ps_charts_render);
    suite_add_tcase(s, tc);

    tc = tcase_create("data");
    tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
    tcase_add_test(tc, histogram_counts_sum_to_draws);
    tcase_add_test(tc, waterfalls_add_up_to_society);
    tcase_add_test(tc, cashflows_per_year);
    tcase_add_test(tc, scenarios_and_scurve);
    tcase_add_test(tc, sensitivity_charts);
    tcase_add_test(tc, effects_respect_disclosure_control);
    tcase_add_test(tc, dutch_texts);
    tcase_add_test(tc, only_charts_with_data);
    tcase_add_test(tc, stale_charts_removed);
    tcase_add_test(tc, ps_charts_data);
    suite_add_tcase(s, tc);

    tc = tcase_create("safety");
    tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, hostile_labels_run_nothing);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
    tcase_add_test(tc, gnuplot_missing_is_no_error);
    tcase_add_test(tc, gnuplot_failure_names_script_and_first_error);
    tcase_add_test(tc, unwritable_directory);
    suite_add_tcase(s, tc);

    tc = tcase_create("review");
    tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, noise_wide_ranges_render);
    tcase_add_test(tc, relative_gnuplot_path);
    tcase_add_test(tc, xml_noncharacters_replaced);
    tcase_add_test(tc, percent_rounds_like_report);
    tcase_add_test(tc, huge_numbers_dutch_comma);
    tcase_add_test(tc, numbers_as_in_report);
    suite_add_tcase(s, tc);

    tc = tcase_create("cli");
    tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, cli_run_writes_charts);
    tcase_add_test(tc, cli_no_charts_and_sensitivity);
    tcase_add_test(tc, cli_gnuplot_missing_said_once);
    tcase_add_test(tc, cli_charts_directory_blocked);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(chart_suite());
}

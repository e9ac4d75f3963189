/* check_cli.c - end-to-end tests: the mkba binary on small cohort, model and
 * scenario files (tests/data/e2e/) and on the Almere example, checking exit
 * codes, messages and output files.
 *
 * The e2e cohort (tests/data/e2e/cohort.csv), worked by hand:
 *   werk (0/1):  pilot {1,0,1} mean 2/3, control {0,0,1} mean 1/3 -> effect 1/3
 *   uren:        pilot {2.5,3.5,4.5} mean 3.5, control {1.5,2.5,1.0} mean 5/3
 *                -> effect 11/6
 *   post - pre:  pilot {-2,-1,-3} mean -2, control {0,0,-1} mean -1/3
 *                -> difference-in-differences -5/3
 * The model (rate 0; the 3 pilot persons written as 3, since n_pilot of a
 * group below [privacy] min_group cannot be used in an item):
 *   work   benefit to people  = 1/3 * 3 * 900        = 900 in year 1
 *   staff  cost to city       = 11/6 * 3 * 40        = 220 in year 1
 *   assist transfer people->city = 5/3 * 3 * 100     = 500 in years 1 and 2
 *   society NPV = 900 - 220 = 680; city = 1000 - 220 = 780; people = 900 - 1000 = -100.
 * Payback and IRR (finance.h), from the yearly net flows:
 *   society 680, 0: never negative: payback from year 1 (2020); one sign: no IRR
 *   city    500 - 220 = 280, 500: the same
 *   people  900 - 500 = 400, -500: cumulative 400, -100: above 0, then below at
 *           the end: falls back; IRR: 400 u - 500 = 0, u = 1.25, r = 25% */
#include <check.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "mkba/build.h"
#include "mkba/mem.h"
#include "testutil.h"

static int run(const char *const *args, char **out, char **err)
{
    return tu_run(tu_srcdir(), args, out, err);
}

/* The content of tu_tmp/rel (caller frees); fails the test when absent. */
static char *read_rel(const char *rel)
{
    char *path = tu_path(tu_tmp, rel), *text = tu_read(path);
    ck_assert_msg(text != NULL, "cannot read %s", path);
    free(path);
    return text;
}

/* Field 'col' (0-based) of the first line of CSV text 'csv' that starts
 * with 'prefix', parsed as a double; aborts the test when absent. */
static double csv_field(const char *csv, const char *prefix, int col, char sep)
{
    const char *p = csv;
    size_t pl = strlen(prefix);
    while (p && *p) {
        if (strncmp(p, prefix, pl) == 0) {
            for (int c = 0; c < col; c++) {
                p = strchr(p, sep);
                ck_assert_ptr_nonnull(p);
                p++;
            }
            char buf[64];
            size_t n = strcspn(p, ";,\r\n");
            if (sep == ';')
                n = strcspn(p, ";\r\n");
            snprintf(buf, sizeof buf, "%.*s", (int)n, p);
            for (char *q = buf; sep == ';' && *q; q++)
                if (*q == ',')
                    *q = '.';
            return strtod(buf, NULL);
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    ck_abort_msg("no line starting with '%s' in:\n%s", prefix, csv);
    return 0;
}

/* ------------------------------------------------------------ usage */

START_TEST(help_and_version)
{
    char *out, *err;
    const char *a1[] = {"--help", NULL};
    ck_assert_int_eq(run(a1, &out, &err), 0);
    ck_assert(tu_contains(out, "Usage: mkba COMMAND"));
    free(out), free(err);
    const char *a2[] = {"--version", NULL};
    ck_assert_int_eq(run(a2, &out, &err), 0);
    ck_assert(strncmp(out, "mkba ", 5) == 0);
    free(out), free(err);
    const char *a3[] = {"run", "--help", NULL};
    ck_assert_int_eq(run(a3, &out, &err), 0);
    ck_assert(tu_contains(out, "Usage: mkba run"));
    free(out), free(err);
}
END_TEST

/* The build as one line: the commit only when there is one. */
START_TEST(build_format)
{
    char buf[64];
    ck_assert_str_eq(mkba_build_format("0.1.0", "", buf, sizeof buf), "0.1.0");
    ck_assert_str_eq(mkba_build_format("0.1.0", NULL, buf, sizeof buf), "0.1.0");
    ck_assert_str_eq(mkba_build_format("0.1.0", "0123456789ab-dirty", buf, sizeof buf),
                     "0.1.0 (commit 0123456789ab-dirty)");
}
END_TEST

/* `mkba --version` names the build's commit. Built in a git checkout (the
 * source tree is one, and git runs), that is HEAD's first 12 hex digits,
 * and "-dirty" exactly when tracked files differ from HEAD; without git
 * it is the version alone. */
START_TEST(version_names_commit)
{
    char *out, *err, want[160], buf[128];
    const char *args[] = {"--version", NULL};
    ck_assert_int_eq(run(args, &out, &err), 0);
    snprintf(want, sizeof want, "mkba %s\n",
             mkba_build_format(mkba_build_version(), mkba_build_commit(), buf, sizeof buf));
    ck_assert_str_eq(out, want);
    char cmd[1024], head[64] = "";
    snprintf(cmd, sizeof cmd, "cd '%s' && git rev-parse --short=12 HEAD 2>/dev/null",
             tu_srcdir());
    FILE *p = popen(cmd, "r");
    int from_git = p && fscanf(p, "%63s", head) == 1;
    if (p)
        pclose(p);
    if (from_git) {
        snprintf(cmd, sizeof cmd, "cd '%s' && git diff --quiet HEAD --", tu_srcdir());
        int dirty = system(cmd) != 0;
        snprintf(want, sizeof want, "mkba %s (commit %s%s)\n", mkba_build_version(), head,
                 dirty ? "-dirty" : "");
        ck_assert_str_eq(out, want);
    }
    free(out), free(err);
}
END_TEST

START_TEST(usage_errors_exit_2)
{
    char *out, *err;
    const char *a1[] = {NULL};
    ck_assert_int_eq(run(a1, &out, &err), 2);
    ck_assert(tu_contains(err, "no command given"));
    free(out), free(err);
    const char *a2[] = {"frobnicate", NULL};
    ck_assert_int_eq(run(a2, &out, &err), 2);
    ck_assert(tu_contains(err, "mkba: unknown command 'frobnicate'\nTry 'mkba --help'."));
    free(out), free(err);
    const char *a3[] = {"run", "--outt", "x", "s.ini", NULL};
    ck_assert_int_eq(run(a3, &out, &err), 2);
    ck_assert(tu_contains(err, "mkba: unknown option '--outt'\nTry 'mkba run --help'."));
    free(out), free(err);
    const char *a4[] = {"run", NULL};
    ck_assert_int_eq(run(a4, &out, &err), 2);
    ck_assert(tu_contains(err, "no scenario file given"));
    free(out), free(err);
    const char *a5[] = {"run", "tests/data/e2e/project.ini", "--out", NULL};
    ck_assert_int_eq(run(a5, &out, &err), 2);
    ck_assert(tu_contains(err, "option '--out' needs a value"));
    free(out), free(err);
}
END_TEST

/* ------------------------------------------------------------ results */

START_TEST(run_e2e_hand_worked)
{
    char *out, *err, *res = tu_path(tu_tmp, "res");
    const char *args[] = {"run", "tests/data/e2e/project.ini", "--out", res, NULL};
    ck_assert_int_eq(run(args, &out, &err), 0);
    ck_assert_msg(tu_contains(out, "Benefits exceed costs for society"), "%s", out);
    /* 3 persons per group, shown: the fixture sets min_group = 1, as its
     * items use its effects, which the default of 10 would withhold and
     * refuse (check_privacy.c). */
    ck_assert_msg(!tu_contains(out, "<10") && !tu_contains(out, "suppressed"), "%s", out);
    char *sum_path = tu_path(res, "summary.csv");
    char *sum = tu_read(sum_path);
    ck_assert_ptr_nonnull(sum);
    /* columns: scenario, stakeholder, pv_benefits, pv_costs, npv, ... */
    ck_assert_double_eq_tol(csv_field(sum, "project,society,", 4, ','), 680, 1e-9);
    ck_assert_double_eq_tol(csv_field(sum, "project,society,", 2, ','), 900, 1e-9);
    ck_assert_double_eq_tol(csv_field(sum, "project,society,", 3, ','), 220, 1e-9);
    ck_assert_double_eq_tol(csv_field(sum, "project,city,", 4, ','), 780, 1e-9);
    ck_assert_double_eq_tol(csv_field(sum, "project,people,", 4, ','), -100, 1e-9);
    /* The Dutch variant: same numbers with ';' and decimal commas. */
    char *nl_path = tu_path(res, "summary_nl.csv");
    char *nl = tu_read(nl_path);
    ck_assert_ptr_nonnull(nl);
    ck_assert_double_eq_tol(csv_field(nl, "project;society;", 4, ';'), 680, 1e-9);
    char *eff_path = tu_path(res, "effects.csv");
    char *eff = tu_read(eff_path);
    ck_assert_double_eq_tol(csv_field(eff, "werk,", 3, ','), 1.0 / 3, 1e-12);
    ck_assert_double_eq_tol(csv_field(eff, "uren,", 3, ','), 11.0 / 6, 1e-12);
    ck_assert_double_eq_tol(csv_field(eff, "assist,", 3, ','), -5.0 / 3, 1e-12);
    char *json_path = tu_path(res, "results.json");
    char *json = tu_read(json_path);
    ck_assert_ptr_nonnull(json);
    ck_assert(tu_contains(json, "\"sha256\""));
    /* The model's hash equals coreutils' sha256sum of the same file. */
    char cmd[512], hash[80] = "";
    snprintf(cmd, sizeof cmd, "sha256sum '%s/tests/data/e2e/model.ini'", tu_srcdir());
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert(fscanf(p, "%64s", hash) == 1);
    pclose(p);
    ck_assert_msg(tu_contains(json, hash), "results.json lacks the model hash %s", hash);
    /* Payback and IRR: the conclusion's sentence and results.json */
    ck_assert_msg(tu_contains(out, "    Payback: from the first year (2020): the cumulative "
                                   "discounted balance is never negative; IRR:\n    none (the net "
                                   "flows are never negative).\n"),
                  "%s", out);
    cJSON *root = cJSON_Parse(json);
    ck_assert_ptr_nonnull(root);
    cJSON *proj = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "results"), 1);
    cJSON *soc = cJSON_GetObjectItem(proj, "society");
    cJSON *people = cJSON_GetObjectItem(cJSON_GetObjectItem(proj, "stakeholders"), "people");
    cJSON *pb = cJSON_GetObjectItem(soc, "payback");
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(pb, "status")), "paid");
    ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(pb, "year")), 1);
    ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(pb, "calendar_year")), 2020);
    ck_assert_str_eq(cJSON_GetStringValue(
                         cJSON_GetObjectItem(cJSON_GetObjectItem(soc, "irr"), "status")),
                     "none");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(soc, "irr"), "rate")));
    pb = cJSON_GetObjectItem(people, "payback");
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(pb, "status")), "falls_back");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(pb, "year")));
    cJSON *irr = cJSON_GetObjectItem(people, "irr");
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(irr, "status")), "unique");
    ck_assert_double_eq_tol(cJSON_GetNumberValue(cJSON_GetObjectItem(irr, "rate")), 0.25, 1e-12);
    cJSON_Delete(root);
    /* No identifier from the cohort appears in any output. */
    ck_assert(!tu_contains(json, "P1") && !tu_contains(out, "P1") && !tu_contains(sum, "C3"));
    free(out), free(err), free(sum), free(nl), free(eff), free(json);
    free(sum_path), free(nl_path), free(eff_path), free(json_path), free(res);
}
END_TEST

/* results.json: the payback and IRR over the draws. Within the horizon a
 * series pays back exactly when its cumulative discounted flow ends >= 0,
 * i.e. its NPV is >= 0; no draw of the e2e model has an NPV of exactly 0,
 * so P(payback within the horizon) is P(NPV > 0) of the same draws, for
 * society and each stakeholder; and each draw has one status. */
static void check_mc_holder(cJSON *h, const char *who)
{
    cJSON *pb = cJSON_GetObjectItem(h, "payback"), *irr = cJSON_GetObjectItem(h, "irr");
    double p = cJSON_GetNumberValue(cJSON_GetObjectItem(pb, "p_within_horizon"));
    double pos = cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(h, "npv"), "p_positive"));
    ck_assert_msg(p == pos, "%s: P(payback) %g, P(NPV > 0) %g", who, p, pos);
    for (int k = 0; k < 2; k++) {
        cJSON *d = cJSON_GetObjectItem(k ? irr : pb, "draws"), *x;
        double n = 0;
        cJSON_ArrayForEach(x, d) n += cJSON_GetNumberValue(x);
        ck_assert_msg(n == 300, "%s: %g draws", who, n);
    }
    double unique = cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(irr, "draws"), "unique"));
    ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(irr, "n")), unique);
    ck_assert_double_eq_tol(cJSON_GetNumberValue(cJSON_GetObjectItem(irr, "share_unique")),
                            unique / 300, 1e-15);
}

START_TEST(run_mc_payback_and_irr)
{
    char *out, *err, *res = tu_path(tu_tmp, "mc");
    const char *args[] = {"run", "tests/data/e2e/project.ini", "--draws", "300", "--out", res, NULL};
    ck_assert_int_eq(run(args, &out, &err), 0);
    ck_assert_msg(tu_contains(out, "Payback and internal rate of return for society over the "
                                   "draws:\n    The project:\n      payback within 2 years: "),
                  "%s", out);
    char *json_path = tu_path(res, "results.json"), *json = tu_read(json_path);
    cJSON *root = cJSON_Parse(json);
    ck_assert_ptr_nonnull(root);
    cJSON *sc = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "monte_carlo"),
                                                       "scenarios"),
                                   0);
    check_mc_holder(cJSON_GetObjectItem(sc, "society"), "society");
    cJSON *h;
    int n = 0;
    cJSON_ArrayForEach(h, cJSON_GetObjectItem(sc, "stakeholders"))
    {
        check_mc_holder(h, h->string);
        n++;
    }
    ck_assert_int_eq(n, 2);
    cJSON_Delete(root);
    free(out), free(err), free(json), free(json_path), free(res);
}
END_TEST

/* The report's conclusion gives the payback year and IRR (as the terminal
 * does) and, with a Monte Carlo, the chance of paying back within the
 * horizon (2 years in the e2e model). */
START_TEST(report_payback_and_irr)
{
    char *out, *err, *res = tu_path(tu_tmp, "rep");
    char *html_path = tu_path(res, "report.html");
    const char *args[] = {"run", "tests/data/e2e/project.ini", "--draws", "200", "--out", res,
                          "--report", html_path, "--no-charts", "-q", NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    char *html = tu_read(html_path);
    ck_assert_ptr_nonnull(html);
    ck_assert_msg(tu_contains(html, "<p>Payback: ") && tu_contains(html, "; IRR: "), "%s", html);
    ck_assert(tu_contains(html, "Chance that it pays back within the 2 years: <strong>"));
    free(html), free(html_path), free(out), free(err), free(res);
}
END_TEST

/* The files' provenance in results.json: each file as opened and as an
 * absolute canonical path (realpath, here resolved independently), the
 * cohort file's SHA-256 from the bytes read (coreutils' sha256sum agrees),
 * the build's commit (null outside a checkout); and the Sobol analysis's
 * base sample and seed. */
START_TEST(provenance_in_results_json)
{
    char *out, *err, *res = tu_path(tu_tmp, "prov");
    const char *args[] = {"sensitivity", "tests/data/e2e/project.ini", "--sobol", "16",
                          "--seed",      "5", "--out", res, "-q", NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    char *json_path = tu_path(res, "results.json"), *text = tu_read(json_path);
    ck_assert_ptr_nonnull(text);
    cJSON *j = cJSON_Parse(text);
    ck_assert_ptr_nonnull(j);
    const cJSON *c = cJSON_GetObjectItem(j, "cohort");
    const char *file = cJSON_GetArrayItem(cJSON_GetObjectItem(c, "files"), 0)->valuestring;
    ck_assert_str_eq(file, "tests/data/e2e/cohort.csv"); /* as the model names it */
    char *src = tu_src("tests/data/e2e/cohort.csv"), real[PATH_MAX];
    ck_assert_ptr_nonnull(realpath(src, real));
    ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(c, "paths"), 0)->valuestring, real);
    char cmd[PATH_MAX + 32], hash[80] = "";
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", real);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(fscanf(p, "%64s", hash), 1);
    pclose(p);
    ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(c, "sha256"), 0)->valuestring, hash);
    const cJSON *model = cJSON_GetObjectItem(j, "model");
    ck_assert_str_eq(cJSON_GetObjectItem(model, "file")->valuestring,
                     "tests/data/e2e/model.ini");
    ck_assert(cJSON_GetObjectItem(model, "path")->valuestring[0] == '/');
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(model, "data_note")));
    const cJSON *scen = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "scenarios"), 1);
    ck_assert(tu_contains(cJSON_GetObjectItem(scen, "path")->valuestring,
                          "/tests/data/e2e/project.ini"));
    const cJSON *commit = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "mkba"), "commit");
    if (*mkba_build_commit())
        ck_assert_str_eq(commit->valuestring, mkba_build_commit());
    else
        ck_assert(cJSON_IsNull(commit));
    /* Sobol: N 16, seed 5 as given; N (d + 2) evaluations, d = 3 effects */
    const cJSON *so = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "sensitivity"), "sobol");
    ck_assert_ptr_nonnull(so);
    ck_assert(cJSON_GetObjectItem(so, "base_sample")->valuedouble == 16);
    ck_assert_str_eq(cJSON_GetObjectItem(so, "seed")->valuestring, "5");
    ck_assert(cJSON_GetObjectItem(so, "evaluations")->valuedouble == 16 * (3 + 2));
    cJSON_Delete(j);
    free(text), free(json_path), free(src), free(res), free(out), free(err);
}
END_TEST

/* The Almere example's data note: in the terminal under the title and the
 * conclusion, and in results.json. */
START_TEST(almere_data_note)
{
    char *out, *err, *res = tu_path(tu_tmp, "almere");
    const char *args[] = {"run", "scenarios/almere-pilot.ini", "--draws", "0", "--out", res,
                          "--no-charts", NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    const char *note = "  About the data: The cohort is SYNTHETIC";
    const char *first = strstr(out, note);
    ck_assert_msg(first != NULL && first < strstr(out, "Effects of the pilot"), "%s", out);
    ck_assert(tu_contains(out, "\nConclusion\n  About the data: The cohort is SYNTHETIC"));
    char *json_path = tu_path(res, "results.json"), *text = tu_read(json_path);
    cJSON *j = cJSON_Parse(text);
    ck_assert_ptr_nonnull(j);
    const char *dn =
        cJSON_GetObjectItem(cJSON_GetObjectItem(j, "model"), "data_note")->valuestring;
    const char *want = "The cohort is SYNTHETIC (data/almere_cohort.csv";
    ck_assert_msg(strncmp(dn, want, strlen(want)) == 0, "%s", dn);
    cJSON_Delete(j);
    free(text), free(json_path), free(res), free(out), free(err);
}
END_TEST

START_TEST(run_dutch_csv_same_result)
{
    /* cohort_nl.csv: the same persons with ';', decimal commas, a BOM and
     * CRLF line ends: the NPV must be the same 680. */
    char *out, *err, *res = tu_path(tu_tmp, "nl");
    const char *args[] = {"run", "tests/data/e2e/project_nl.ini", "--out", res, "-q", NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    ck_assert_str_eq(out, "");
    char *sum_path = tu_path(res, "summary.csv");
    char *sum = tu_read(sum_path);
    ck_assert_double_eq_tol(csv_field(sum, "project,society,", 4, ','), 680, 1e-9);
    free(out), free(err), free(sum), free(sum_path), free(res);
}
END_TEST

START_TEST(estimate_command)
{
    char *out, *err, *csv = tu_path(tu_tmp, "effects.csv");
    const char *args[] = {"estimate", "tests/data/e2e/model.ini", "--out", csv, NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    ck_assert(tu_contains(out, "werk"));
    /* 3 per group, shown: the fixture sets min_group = 1 (check_privacy.c
     * withholds them at the default) */
    ck_assert(!tu_contains(out, "<10"));
    char *text = tu_read(csv);
    ck_assert_ptr_nonnull(text);
    ck_assert_double_eq_tol(csv_field(text, "werk,", 3, ','), 1.0 / 3, 1e-12);
    ck_assert(tu_contains(text, ",n_missing,suppressed,suppressed_fields\n"));
    free(out), free(err), free(text), free(csv);
}
END_TEST

START_TEST(check_command)
{
    char *out, *err;
    const char *args[] = {"check", "tests/data/e2e/project.ini", NULL};
    ck_assert_int_eq(run(args, &out, &err), 0);
    ck_assert(tu_contains(out, "ok: 1 scenario(s) against 'ref'"));
    free(out), free(err);
}
END_TEST

/* The reference and the project swapped on the command line: the run
 * goes on (the comparison it was asked for), and says so on stderr, in
 * results.json and in the report; with the files in their places, and with
 * --reference naming the scenario's own reference, nothing is said. */
START_TEST(reference_swapped_warns)
{
    char *out, *err, *res = tu_path(tu_tmp, "res"), *rep = tu_path(tu_tmp, "r.html");
    const char *want = "mkba: warning: tests/data/e2e/project.ini:5: [scenario] reference: the "
                       "file given as the reference (--reference) names 'ref.ini', a project "
                       "scenario of this run, as its own reference: are the reference and the "
                       "project swapped on the command line? (mkba run PROJECT.ini --reference "
                       "REFERENCE.ini)\n";
    const char *swapped[] = {"run", "tests/data/e2e/ref.ini", "--reference",
                             "tests/data/e2e/project.ini", "-q", "--no-charts", "--out", res,
                             "--report", rep, NULL};
    ck_assert_int_eq(run(swapped, &out, &err), 0);
    ck_assert_str_eq(err, want);
    free(out), free(err);
    char *json = read_rel("res/results.json"), *html = read_rel("r.html");
    ck_assert_msg(tu_contains(json, "\"reference\"") && tu_contains(json, "are the reference "
                  "and the project swapped"), "%s", json);
    ck_assert(tu_contains(html, "are the reference and the project swapped"));
    free(json), free(html);
    const char *right[] = {"check", "tests/data/e2e/project.ini", "--reference",
                           "tests/data/e2e/ref.ini", NULL};
    ck_assert_int_eq(run(right, &out, &err), 0);
    ck_assert_str_eq(err, "");
    free(out), free(err), free(res), free(rep);
}
END_TEST

/* --reference naming another file than the scenario's own reference key
 * (here the model itself, standing for the model unchanged): the
 * scenario's key line is named. */
START_TEST(reference_override_warns)
{
    char *out, *err;
    const char *args[] = {"check", "tests/data/e2e/project.ini", "--reference",
                          "tests/data/e2e/model.ini", NULL};
    ck_assert_int_eq(run(args, &out, &err), 0);
    ck_assert_str_eq(err, "mkba: warning: tests/data/e2e/project.ini:5: [scenario] reference: "
                          "this scenario names 'ref.ini' as its reference, but --reference gives "
                          "'tests/data/e2e/model.ini', which the run compares it with instead "
                          "(leave --reference out to use the scenario's own)\n");
    free(out), free(err);
}
END_TEST

/* ------------------------------------------------------------ bad input */

/* Copy the e2e files into tu_tmp, replacing the cohort with 'cohort'. */
static void e2e_copy(const char *cohort)
{
    const char *names[] = {"model.ini", "ref.ini", "project.ini"};
    for (int i = 0; i < 3; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "tests/data/e2e/%s", names[i]);
        char *src = tu_src(rel);
        char *text = tu_read(src);
        ck_assert_ptr_nonnull(text);
        free(tu_write(tu_tmp, names[i], text));
        free(text), free(src);
    }
    free(tu_write(tu_tmp, "cohort.csv", cohort));
}

static void expect_fail(const char *cohort, const char *message)
{
    e2e_copy(cohort);
    char *out, *err, *proj = tu_path(tu_tmp, "project.ini"), *res = tu_path(tu_tmp, "res");
    const char *args[] = {"run", proj, "--out", res, NULL};
    ck_assert_int_eq(run(args, &out, &err), 1);
    ck_assert_msg(tu_contains(err, message), "stderr '%s' lacks '%s'", err, message);
    struct stat st;
    ck_assert_msg(stat(res, &st) != 0, "output directory was created on failure");
    free(out), free(err), free(proj), free(res);
}

START_TEST(bad_number_names_line_and_column)
{
    expect_fail("id,groep,werk,uren,pre,post\nP1,pilot,1,2.5,4,2\nP2,pilot,0,drie,5,4\n"
                "P3,pilot,1,4.5,6,3\nC1,control,0,1.5,4,4\nC2,control,0,2.5,5,5\n",
                "cohort.csv:3: column 'uren': expected a number, got text, not a number");
}
END_TEST

START_TEST(ragged_row)
{
    expect_fail("id,groep,werk,uren,pre,post\nP1,pilot,1,2.5,4\n",
                "cohort.csv:2: expected 6 fields as in the header, found 5");
}
END_TEST

START_TEST(binary_out_of_range)
{
    expect_fail("id,groep,werk,uren,pre,post\nP1,pilot,2,2.5,4,2\n",
                "cohort.csv:2: column 'werk': expected 0 or 1, got a number other than 0 or 1");
}
END_TEST

START_TEST(duplicate_id_not_echoed)
{
    e2e_copy("id,groep,werk,uren,pre,post\nSECRET7,pilot,1,2.5,4,2\nSECRET7,pilot,0,3,5,4\n");
    char *out, *err, *proj = tu_path(tu_tmp, "project.ini");
    const char *args[] = {"run", proj, NULL};
    ck_assert_int_eq(run(args, &out, &err), 1);
    ck_assert_msg(tu_contains(err, "duplicate id in column 'id' (first seen on line 2)"), "%s",
                  err);
    ck_assert(!tu_contains(err, "SECRET7"));
    free(out), free(err), free(proj);
}
END_TEST

START_TEST(missing_cohort_file)
{
    char *out, *err;
    free(tu_write(tu_tmp, "m.ini",
                  "[model]\nname = x\nhorizon = 1\nfirst_year = 2020\nprice_year = 2020\n"
                  "discount_rate = 0\nstakeholders = a\n[cohort]\nfile = nowhere.csv\n"
                  "group_column = g\n[outcome.y]\n"));
    char *m = tu_path(tu_tmp, "m.ini");
    const char *args[] = {"estimate", m, NULL};
    ck_assert_int_eq(run(args, &out, &err), 1);
    ck_assert_msg(tu_contains(err, "nowhere.csv: cannot open"), "%s", err);
    free(out), free(err), free(m);
}
END_TEST

START_TEST(unwritable_output)
{
    /* A path below a regular file cannot be created, even by root. */
    char *out, *err, *file = tu_write(tu_tmp, "plain", "x");
    char *res = tu_path(file, "res");
    const char *args[] = {"run", "tests/data/e2e/project.ini", "--out", res, NULL};
    ck_assert_int_eq(run(args, &out, &err), 1);
    ck_assert_msg(tu_contains(err, res), "%s", err);
    free(out), free(err), free(file), free(res);
}
END_TEST

START_TEST(model_error_names_file_line_key)
{
    char *out, *err;
    e2e_copy("id,groep,werk,uren,pre,post\nP1,pilot,1,2.5,4,2\n");
    char *proj = tu_write(tu_tmp, "project.ini",
                          "[scenario]\nbase = model.ini\nreference = ref.ini\n[parameters]\n"
                          "on = 1 +\n");
    const char *args[] = {"run", proj, NULL};
    ck_assert_int_eq(run(args, &out, &err), 1);
    ck_assert_msg(tu_contains(err, "project.ini:5: [parameters] on: "), "%s", err);
    free(out), free(err), free(proj);
}
END_TEST

/* ------------------------------------------------------------ Monte Carlo */

/* Run the Almere pilot with 'threads' and 'seed'; return mc_summary.csv. */
static char *mc_summary(const char *threads, const char *seed, const char *sub)
{
    char *out, *err, *res = tu_path(tu_tmp, sub), *draws = tu_path(tu_tmp, "draws.csv");
    const char *args[] = {"run",     "scenarios/almere-pilot.ini", "--draws", "3000",
                          "--seed",  seed,      "--threads", threads, "--bootstrap", "200",
                          "--out",   res,       "--draws-out", draws, "-q", NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    char *sum_path = tu_path(res, "mc_summary.csv");
    char *sum = tu_read(sum_path);
    ck_assert_ptr_nonnull(sum);
    /* EVPI is an expected regret: never negative. */
    char *voi_path = tu_path(res, "mc_voi.csv");
    char *voi = tu_read(voi_path);
    ck_assert_ptr_nonnull(voi);
    ck_assert(csv_field(voi, "evpi,", 1, ',') >= 0);
    free(voi_path), free(voi);
    /* --draws-out: a header and one line per draw. */
    char *d = tu_read(draws);
    ck_assert_ptr_nonnull(d);
    size_t lines = 0;
    for (const char *p = d; *p; p++)
        lines += *p == '\n';
    ck_assert_uint_eq(lines, 3001);
    ck_assert(strncmp(d, "draw,production_per_month,", 26) == 0);
    free(out), free(err), free(res), free(draws), free(sum_path), free(d);
    return sum;
}

START_TEST(mc_same_seed_same_results_any_threads)
{
    /* The whole chain (bootstrap, draws, summaries) is bit-identical for 1,
     * 2 and 3 threads; another seed gives other numbers. */
    char *a = mc_summary("1", "5", "t1"), *b = mc_summary("2", "5", "t2");
    char *c = mc_summary("3", "5", "t3"), *d = mc_summary("2", "6", "t4");
    ck_assert_str_eq(a, b);
    ck_assert_str_eq(a, c);
    ck_assert_str_ne(a, d);
    ck_assert(tu_contains(a, "pilot,society,npv,"));
    free(a), free(b), free(c), free(d);
}
END_TEST

/* A streamed run (--memory-budget 0: no draw kept, each pass makes them
 * again) writes every table of the same run kept in memory, byte for byte,
 * and the same results.json but for its date; --draws-out, which keeps
 * every draw, refuses a budget. */
START_TEST(mc_streamed_same_tables)
{
    char *ra = tu_path(tu_tmp, "mem"), *rb = tu_path(tu_tmp, "streamed"), *out, *err;
    for (int k = 0; k < 2; k++) {
        const char *args[] = {"run", "scenarios/almere-pilot.ini", "scenarios/almere-liaison.ini",
                              "--draws", "3000", "--seed", "5", "--bootstrap", "200",
                              "--no-charts", "-q", "--out", k ? rb : ra,
                              k ? "--memory-budget" : NULL, "0", NULL};
        ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
        free(out), free(err);
    }
    DIR *d = opendir(ra);
    ck_assert_ptr_nonnull(d);
    int files = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char *pa = tu_path(ra, e->d_name), *pb = tu_path(rb, e->d_name);
        char *a = tu_read(pa), *b = tu_read(pb);
        ck_assert_msg(a && b, "%s", e->d_name);
        if (strcmp(e->d_name, "results.json") == 0) { /* but its run date */
            char *t = strstr(a, "\"run_date\""), *u = strstr(b, "\"run_date\"");
            ck_assert(t && u);
            memset(t, ' ', (size_t)(strchr(t, '\n') - t));
            memset(u, ' ', (size_t)(strchr(u, '\n') - u));
        }
        ck_assert_msg(strcmp(a, b) == 0, "%s differs", e->d_name);
        files++;
        free(pa), free(pb), free(a), free(b);
    }
    closedir(d);
    ck_assert_int_ge(files, 20);
    const char *bad[] = {"run", "scenarios/almere-pilot.ini", "--draws", "100", "--draws-out",
                         "x.csv", "--memory-budget", "10", NULL};
    ck_assert_int_eq(run(bad, &out, &err), 2);
    ck_assert_msg(tu_contains(err, "--draws-out keeps every draw in memory"), "%s", err);
    free(out), free(err);
    const char *bad2[] = {"run", "scenarios/almere-pilot.ini", "--draws", "100", "--memory-budget",
                          "-3", NULL};
    ck_assert_int_eq(run(bad2, &out, &err), 2);
    ck_assert_msg(tu_contains(err, "--memory-budget expects a whole number of MiB, got '-3'"),
                  "%s", err);
    free(out), free(err), free(ra), free(rb);
}
END_TEST

START_TEST(mc_bad_options)
{
    char *out, *err;
    const char *a1[] = {"run", "scenarios/almere-pilot.ini", "--draws", "-5", NULL};
    ck_assert_int_eq(run(a1, &out, &err), 2);
    ck_assert_msg(tu_contains(err, "--draws expects a whole number from 0 to 1000000000, got '-5'"),
                  "%s", err);
    free(out), free(err);
    const char *a2[] = {"run", "scenarios/almere-pilot.ini", "--threads", "x", NULL};
    ck_assert_int_eq(run(a2, &out, &err), 2);
    free(out), free(err);
}
END_TEST

START_TEST(sensitivity_command)
{
    /* The e2e model has no uncertain parameters; its three cohort effects are
     * the inputs. The work effect enters the NPV as 3 * 900 * effect (rate
     * 0; see the top of this file): society's NPV 680 falls to zero when
     * the work effect is 1/3 - 680 / 2700 = 0.0814814... */
    char *out, *err, *res = tu_path(tu_tmp, "sens");
    const char *args[] = {"sensitivity", "tests/data/e2e/project.ini", "--out", res, NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    ck_assert(tu_contains(out, "Break-even value"));
    char *p = tu_path(res, "sens_switching.csv");
    char *csv = tu_read(p);
    ck_assert_ptr_nonnull(csv);
    ck_assert_double_eq_tol(csv_field(csv, "project,effect.werk,", 3, ','),
                            1.0 / 3 - 680.0 / 2700, 1e-9);
    /* Sobol indices of society's NPV: the NPV is linear in the three
     * effects (900*3 per unit of werk, -40*3 per unit of uren; assist is a
     * transfer, cancelling for society), with independent normal inputs of
     * SE 0.4714 (werk) and 0.7265 (uren) as printed by mkba estimate: first
     * order of werk = 2700^2 0.4714^2 / (2700^2 0.4714^2 + 120^2 0.7265^2)
     * = 0.9948; within 0.03 (Saltelli's estimator at N = 4096). */
    char *sp = tu_path(res, "sens_sobol.csv");
    char *sobol = tu_read(sp);
    ck_assert_ptr_nonnull(sobol);
    double w = 2700 * 0.4714045207910317, u = 120 * 0.7264831572567789;
    ck_assert_double_eq_tol(csv_field(sobol, "project,society,effect.werk,", 3, ','),
                            w * w / (w * w + u * u), 0.03);
    free(out), free(err), free(res), free(p), free(csv), free(sp), free(sobol);
}
END_TEST

/* ------------------------------------------------------------ Almere */

START_TEST(almere_costs_exceed_benefits)
{
    /* The published conclusion of the Almere MKBA (AEPB 2019): social costs
     * are not compensated by social benefits. */
    char *out, *err;
    const char *args[] = {"run", "scenarios/almere-pilot.ini", "scenarios/almere-liaison.ini",
                          "scenarios/almere-pilot-2025.ini", NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    ck_assert_msg(tu_contains(out, "Costs exceed benefits for society"), "%s", out);
    ck_assert(!tu_contains(out, "Benefits exceed costs for society"));
    /* Every item that uses an effect has the pilot switch, and every value
     * lies inside its distribution's P1-P99: no warning. */
    ck_assert_msg(!tu_contains(err, "warning"), "%s", err);
    /* The model's [simulation] runs the Monte Carlo too. */
    ck_assert(tu_contains(out, "Uncertainty (Monte Carlo: 10,000 draws, seed 2019"));
    /* Three projects: the side-by-side comparison and the value of information. */
    ck_assert(tu_contains(out, "Scenarios side by side: society's NPV"));
    ck_assert(tu_contains(out, "best choice on average: Regular practice"));
    free(out), free(err);
}
END_TEST

/* ---------------------------------------------------------------- Dutch */

START_TEST(almere_dutch_terminal)
{
    /* --lang nl: the fixed texts (fmt_nl.c), the model's label_nl and Dutch
     * numbers. The NPV is the English run's EUR -863,342 (the published
     * conclusion: almere_costs_exceed_benefits) with the Dutch separators. */
    char *out, *err;
    const char *args[] = {"run", "scenarios/almere-pilot.ini", "--draws", "0", "--lang", "nl",
                          NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    const char *want[] = {
        "MKBA: Pilot Almere: sociale wijkteams x Werk & Inkomen (2017-2018)",
        "Bedragen in EUR, prijspeil 2018; looptijd 5 jaar (2017-2021).",
        "Discontovoet 3%, verdisconteerd aan het begin van elk jaar.",
        "Effecten van de pilot (pilot min reguliere werkwijze)",
        "Pilot zoals uitgevoerd (2017-2018) tegenover Reguliere werkwijze",
        "Gemeente Almere", "Samenleving", "Per actor (EUR)", "\nConclusie\n",
        /* B/K n.v.t.: the present value of the benefits is negative (the B/C
         * rule: a ratio only where both present values are positive) */
        "De kosten overtreffen de baten voor de samenleving: NCW EUR -863.342 (B/K n.v.t.:",
        "Propensitymodel (ATT: het effect op de deelnemers aan de pilot)",
        "[-0,1095; 0,07464]", "Terugverdientijd: ",
        /* the model's data_note_nl */
        "Over de gegevens: Het cohort is SYNTHETISCH"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(tu_contains(out, want[i]), "the Dutch report lacks '%s':\n%s", want[i],
                      out);
    /* No English left: the headings and sentences of the English report,
     * and the model's English labels where it has Dutch ones. */
    const char *english[] = {"Costs exceed", "Conclusion", "Society", "Stakeholder", "SYNTHETIC",
                             "PV benefits", "Effects of the pilot", "Municipality of Almere",
                             "Regular practice", "Discount rate", " vs ", "Payback",
                             "Amounts in", "n/a", "Propensity model", "Per item"};
    for (size_t i = 0; i < sizeof english / sizeof english[0]; i++)
        ck_assert_msg(!tu_contains(out, english[i]), "English '%s' in the Dutch report:\n%s",
                      english[i], out);
    free(out), free(err);
}
END_TEST

START_TEST(almere_dutch_report_labels)
{
    /* The Dutch report and charts show the model's label_nl, never its
     * English label (text checks; the headless browser checks of the
     * report's Dutch headings are check_report's). */
    char *out, *err, *dir = tu_path(tu_tmp, "nl"), *html = tu_path(tu_tmp, "nl.html");
    const char *args[] = {"run", "scenarios/almere-pilot.ini", "--draws", "0", "--lang", "nl",
                          "-q", "--out", dir, "--report", html, NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    char *text = tu_read(html);
    ck_assert_ptr_nonnull(text);
    ck_assert(tu_contains(text, "Gemeente Almere"));
    ck_assert(tu_contains(text, "Inzet sociaal wijkteam"));
    ck_assert(tu_contains(text, "Pilot zoals uitgevoerd (2017-2018)"));
    const char *english[] = {"Municipality of Almere", "Regular practice",
                             "Neighbourhood-team staff time", "Outflow from social assistance",
                             "Social-assistance benefit (bijstandsuitkering)"};
    char *dat_path = tu_path(dir, "charts/cashflows_1.dat");
    char *dat = tu_read(dat_path);
    for (size_t i = 0; i < sizeof english / sizeof english[0]; i++) {
        ck_assert_msg(!tu_contains(text, english[i]), "'%s' in the Dutch report", english[i]);
        ck_assert_msg(!dat || !tu_contains(dat, english[i]), "'%s' in a Dutch chart", english[i]);
    }
    free(dat), free(dat_path), free(text), free(out), free(err), free(dir), free(html);
}
END_TEST

START_TEST(dutch_label_falls_back)
{
    /* The e2e model has labels but no label_nl: a Dutch run shows the
     * label ("The project"), and a stakeholder without a label its name. */
    char *out, *err;
    const char *args[] = {"run", "tests/data/e2e/project.ini", "--lang", "nl", NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    ck_assert_msg(tu_contains(out, "The project tegenover "), "%s", out);
    ck_assert_msg(tu_contains(out, "\n  Samenleving\n"), "%s", out);
    free(out), free(err);
}
END_TEST

START_TEST(estimate_lang_nl)
{
    /* mkba estimate --lang nl: the Dutch table, and the CSV in the Dutch
     * dialect (';'); --dutch means the same, byte for byte. */
    char *out, *err, *out2, *err2;
    char *csv = tu_path(tu_tmp, "e.csv"), *csv2 = tu_path(tu_tmp, "e2.csv");
    const char *args[] = {"estimate", "tests/data/e2e/model.ini", "--lang", "nl", "--out", csv,
                          NULL};
    const char *alias[] = {"estimate", "tests/data/e2e/model.ini", "--dutch", "--out", csv2,
                           NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    ck_assert_msg(run(alias, &out2, &err2) == 0, "%s", err2);
    ck_assert_msg(tu_contains(out, "Effecten van de pilot (pilot min reguliere werkwijze)"), "%s",
                  out);
    ck_assert_msg(tu_contains(out, "Schatting"), "%s", out);
    ck_assert_str_eq(out, out2);
    char *a = tu_read(csv), *b = tu_read(csv2);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_str_eq(a, b);
    /* werk's estimate 1/3 (check_cli estimate_command) with a decimal comma */
    ck_assert_double_eq_tol(csv_field(a, "werk;", 3, ';'), 1.0 / 3, 1e-12);
    free(out), free(err), free(out2), free(err2), free(a), free(b), free(csv), free(csv2);
}
END_TEST

START_TEST(rate_with_decimal_comma)
{
    /* [model] discount_rate = 2,25% in a scenario: read as 2.25%, shown
     * as "2,25%" in Dutch and "2.25%" in English. */
    char *cohort_src = tu_src("tests/data/e2e/cohort.csv"), *cohort = tu_read(cohort_src);
    ck_assert_ptr_nonnull(cohort);
    e2e_copy(cohort);
    free(cohort), free(cohort_src);
    char *proj = tu_path(tu_tmp, "project.ini");
    char *text = tu_read(proj);
    ck_assert_ptr_nonnull(text);
    const char *more = "[model]\ndiscount_rate = 2,25%\n";
    char *with = calloc(strlen(text) + strlen(more) + 1, 1);
    ck_assert_ptr_nonnull(with);
    strcat(strcat(with, text), more);
    free(tu_write(tu_tmp, "project.ini", with));
    char *out, *err;
    const char *nl[] = {"run", proj, "--lang", "nl", NULL};
    ck_assert_msg(run(nl, &out, &err) == 0, "%s", err);
    ck_assert_msg(tu_contains(out, "Discontovoet 2,25%"), "%s", out);
    free(out), free(err);
    const char *en[] = {"run", proj, NULL};
    ck_assert_msg(run(en, &out, &err) == 0, "%s", err);
    ck_assert_msg(tu_contains(out, "Discount rate 2.25%"), "%s", out);
    free(out), free(err), free(with), free(text), free(proj);
}
END_TEST

START_TEST(almere_synth_reproduces_data)
{
    /* The committed synthetic cohort is exactly what `mkba synth` makes. */
    char *out, *err, *csv = tu_path(tu_tmp, "cohort.csv");
    const char *args[] = {"synth", "data/almere-synth.ini", "--seed", "2019", "--out", csv,
                          NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    char *made = tu_read(csv), *committed_path = tu_src("data/almere_cohort.csv");
    char *committed = tu_read(committed_path);
    ck_assert_ptr_nonnull(made);
    ck_assert_ptr_nonnull(committed);
    ck_assert_msg(strcmp(made, committed) == 0, "data/almere_cohort.csv differs from synth");
    free(out), free(err), free(csv), free(made), free(committed), free(committed_path);
}
END_TEST

/* ------------------------------------------------------------ hostile text */

/* Write tu_tmp/name. */
static void put(const char *name, const char *text)
{
    free(tu_write(tu_tmp, name, text));
}

/* 1 if 's' holds a control character that a terminal would act on: a C0
 * control other than the line end, DEL, or a C1 control in UTF-8. */
static int raw_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\n') || *p == 0x7F || (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F))
            return 1;
    return 0;
}

/* 1 if 'w' occurs in 's' as a word (no letter either side): "nan", "inf"
 * but not "information". */
static int has_word(const char *s, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = strstr(s, w); p; p = strstr(p + 1, w)) {
        int before = p > s && ((p[-1] | 32) >= 'a' && (p[-1] | 32) <= 'z');
        int after = (p[n] | 32) >= 'a' && (p[n] | 32) <= 'z';
        if (!before && !after)
            return 1;
    }
    return 0;
}

/* The first line of 'text' that contains 'needle' (caller frees), or NULL. */
static char *line_with(const char *text, const char *needle)
{
    const char *at = strstr(text, needle);
    if (!at)
        return NULL;
    const char *b = at, *e = strchr(at, '\n');
    while (b > text && b[-1] != '\n')
        b--;
    size_t n = e ? (size_t)(e - b) : strlen(b);
    char *l = malloc(n + 1);
    ck_assert_ptr_nonnull(l);
    memcpy(l, b, n);
    l[n] = '\0';
    return l;
}

/* A model whose every kind of text holds terminal controls (ESC sequences
 * that retitle the window, clear the screen, colour; BEL; CR; the C1 CSI)
 * and whose item labels and scenario name a spreadsheet would run as
 * formulas. */
static const char HOSTILE_MODEL[] =
    "[model]\nname = Evil\x1b]0;pwned\x07 model\nhorizon = 1\nfirst_year = 2020\n"
    "price_year = 2020\ndiscount_rate = 0\ncurrency = E\x1b[2JUR\nstakeholders = city, people\n"
    "[stakeholder.city]\nlabel = Ci\x1b[31mty\n"
    "[cohort]\nn_pilot = 10\nn_control = 10\n"
    "[effect.eff]\nestimate = 1\nse = 0.1\nlabel = Eff\rect\n"
    "[param.p]\ndistribution = normal(100, 10)\n"
    "[parameters]\non = 0\n"
    "[item.a]\nkind = benefit\nstakeholder = people\nquantity = on * effect.eff\nprice = p\n"
    "label = =HYPERLINK(\"http://evil\",\"click\")\n"
    "[item.b]\nkind = cost\nstakeholder = city\nquantity = on\nprice = 20\nlabel = +1\n"
    "[item.c]\nkind = cost\nstakeholder = city\nquantity = on\nprice = 5\nlabel = -1+2\n"
    "[item.d]\nkind = cost\nstakeholder = city\nquantity = on\nprice = 5\n"
    "label = @SUM(A1)\xc2\x9b\n";

START_TEST(terminal_gets_controls_escaped)
{
    put("model.ini", HOSTILE_MODEL);
    put("ref.ini", "[scenario]\nname = ref\nlabel = Ref\x1b[H\nbase = model.ini\n");
    put("project.ini", "[scenario]\nname = =proj\nlabel = Pro\x1b" "c\n"
                                    "base = model.ini\nreference = ref.ini\n[parameters]\non = 1\n");
    char *out, *err;
    const char *args[] = {"run", "project.ini", "--detail", "--draws", "200", "--sensitivity",
                          "--sobol", "0", "--out", "res", "--draws-out", "res/draws.csv", NULL};
    ck_assert_msg(tu_run(tu_tmp, args, &out, &err) == 0, "%s", err);
    ck_assert_msg(!raw_control(out), "a raw control character on stdout:\n%s", out);
    ck_assert_msg(!raw_control(err), "a raw control character on stderr:\n%s", err);
    /* every kind of text, escaped visibly (escape.h) */
    const char *shown[] = {"MKBA: Evil\\x1b]0;pwned\\x07 model", "Amounts in E\\x1b[2JUR",
                           "Ci\\x1b[31mty", "Eff\\rect", "@SUM(A1)\\x9b",
                           "Pro\\x1bc vs Ref\\x1b[H", "Pro\\x1bc: 100.0%"};
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
        ck_assert_msg(tu_contains(out, shown[i]), "'%s' not in:\n%s", shown[i], out);
    /* Columns stay aligned: the escape is measured as printed (\x1b is 4
     * columns), so the row of the escaped label is as long as the header
     * of the right-aligned stakeholder table. */
    char *head = line_with(out, "  Stakeholder  "), *row = line_with(out, "  Ci\\x1b[31mty ");
    ck_assert_ptr_nonnull(head);
    ck_assert_ptr_nonnull(row);
    ck_assert_msg(strlen(row) == strlen(head), "misaligned:\n%s\n%s", head, row);
    /* the scenario title is underlined to its printed width */
    char *title = line_with(out, "Pro\\x1bc vs Ref\\x1b[H"), *under = line_with(out, "=====");
    ck_assert_uint_eq(strlen(under), strlen(title));
    free(head), free(row), free(title), free(under);
    free(out), free(err);
}
END_TEST

/* The decision first, on the e2e model with a second project "half" (on =
 * 0.5: every flow halved) and a third stakeholder "nobody" without items.
 * By hand (see the top of this file): the project 680 (city 780, people
 * -100), half 340 (city 500 - 110 = 390, people 450 - 500 = -50), the
 * reference 0: the project first, 680 - 340 = 340 better than half. The
 * project minus half: city 390, people -50, nobody 0, society 340. Over the
 * draws half's NPV is half the project's in every draw, so the project is
 * best exactly where its NPV is > 0 and half never: P(best) of the project
 * is its P(NPV > 0), of half 0, of the reference the rest. "nobody" has
 * NPV 0 in every draw: P(>0) n/a, not 0.0%. */
START_TEST(run_e2e_decision)
{
    char *src = tu_src("tests/data/e2e/cohort.csv"), *cohort = tu_read(src);
    e2e_copy(cohort);
    free(cohort), free(src);
    char *model = read_rel("model.ini");
    const char *at = strstr(model, "stakeholders = city, people\n");
    ck_assert_ptr_nonnull(at);
    char *m2 = mkba_xasprintf("%.*sstakeholders = city, people, nobody\n%s", (int)(at - model),
                              model, at + strlen("stakeholders = city, people\n"));
    put("model.ini", m2);
    free(model), free(m2);
    put("half.ini", "[scenario]\nname = half\nlabel = Half the project\nbase = model.ini\n"
                    "reference = ref.ini\n[parameters]\non = 0.5\n");
    char *out, *err;
    const char *args[] = {"run", "project.ini", "half.ini", "--draws", "300", "--out", "res", NULL};
    ck_assert_msg(tu_run(tu_tmp, args, &out, &err) == 0, "%s", err);
    ck_assert_msg(tu_contains(out, "Conclusion\n  The project is best for society: NPV EUR 680 "
                                   "against Regular practice. Of the projects, The\n  project is "
                                   "EUR 340 better than Half the project.\n"),
                  "%s", out);
    /* side by side, ranked: the project, half, the reference */
    char *l = line_with(out, "     1  The project  ");
    ck_assert_msg(l && tu_contains(l, " 680 ") && tu_contains(l, " 4.09 "), "%s", out);
    free(l);
    l = line_with(out, "     3  Regular practice  ");
    ck_assert_msg(l && tu_contains(l, " n/a "), "%s", out);
    free(l);
    /* pairwise, without a rerun */
    ck_assert(tu_contains(out, "A = The project; B = Half the"));
    static const char *const rows[] = {"  city          780  390        390\n",
                                       "  people       -100  -50        -50\n",
                                       "  nobody          0    0          0\n",
                                       "  Society       680  340        340\n"};
    for (size_t i = 0; i < 4; i++)
        ck_assert_msg(tu_contains(out, rows[i]), "'%s' not in:\n%s", rows[i], out);
    /* a stakeholder at 0 in every draw: n/a, never 0.0% */
    l = line_with(out, "  nobody          0      0       0     0      0");
    ck_assert_msg(l && tu_contains(l, "n/a") && !tu_contains(l, "0.0%"), "%s", out);
    free(l);
    ck_assert(tu_contains(out, "P(>0) n/a: the NPV is 0 in every draw."));
    char *alt = read_rel("res/alternatives.csv"), *pw = read_rel("res/pairwise.csv");
    ck_assert(tu_contains(alt, "rank,alternative,label,npv,pv_benefits,pv_costs,bcr,bcr_note,"
                               "npv_city,npv_people,npv_nobody,p_best,p_positive,label_nl\n"));
    ck_assert_double_eq_tol(csv_field(alt, "1,project,", 3, ','), 680, 1e-9);
    ck_assert_double_eq_tol(csv_field(alt, "2,half,", 3, ','), 340, 1e-9);
    ck_assert_double_eq(csv_field(alt, "3,ref,", 3, ','), 0); /* the reference: 0 */
    ck_assert(tu_contains(pw, "project,half,city,780,390,390\n"));
    ck_assert(tu_contains(pw, "project,half,society,680,340,340\n"));
    char *json = read_rel("res/results.json");
    cJSON *root = cJSON_Parse(json), *d = cJSON_GetObjectItem(root, "decision");
    ck_assert_ptr_nonnull(d);
    cJSON *r0 = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "ranking"), 0);
    cJSON *r1 = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "ranking"), 1);
    cJSON *r2 = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "ranking"), 2);
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(r0, "scenario")), "project");
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(r2, "scenario")), "ref");
    double pb0 = cJSON_GetNumberValue(cJSON_GetObjectItem(r0, "p_best"));
    double pb1 = cJSON_GetNumberValue(cJSON_GetObjectItem(r1, "p_best"));
    double pb2 = cJSON_GetNumberValue(cJSON_GetObjectItem(r2, "p_best"));
    cJSON *sc = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "monte_carlo"),
                                                       "scenarios"),
                                   0);
    double pos = cJSON_GetNumberValue(cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(sc, "society"), "npv"), "p_positive"));
    ck_assert_double_eq(pb0, pos);
    ck_assert_double_eq(pb1, 0);
    ck_assert_double_eq_tol(pb2, 1 - pos, 1e-15);
    cJSON *nb = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(sc, "stakeholders"),
                                                        "nobody"),
                                    "npv");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(nb, "p_positive")));
    cJSON *pair = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "pairwise"), 0);
    ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(pair, "society")), 340);
    ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(
                            cJSON_GetObjectItem(pair, "stakeholders"), "people")),
                        -50);
    cJSON_Delete(root);
    free(json), free(alt), free(pw), free(out), free(err);
}
END_TEST

START_TEST(csv_formulas_neutralised)
{
    put("model.ini", HOSTILE_MODEL);
    put("ref.ini", "[scenario]\nname = ref\nbase = model.ini\n");
    put("project.ini", "[scenario]\nname = =proj\nbase = model.ini\n"
                                    "reference = ref.ini\n[parameters]\non = 1\n");
    char *out, *err;
    const char *args[] = {"run", "project.ini", "--draws", "50", "--out", "res", "--draws-out",
                          "res/draws.csv", NULL};
    ck_assert_msg(tu_run(tu_tmp, args, &out, &err) == 0, "%s", err);
    char *items = read_rel("res/items.csv"), *items_nl = read_rel("res/items_nl.csv");
    char *summary = read_rel("res/summary.csv"), *draws = read_rel("res/draws.csv");
    char *effects = read_rel("res/effects.csv");
    /* OWASP: a quote before the text, the cell quoted (inner quotes
     * doubled); the scenario name "=proj" too; both dialects */
    const char *want[] = {
        "\"'=proj\",a,\"'=HYPERLINK(\"\"http://evil\"\",\"\"click\"\")\",benefit,",
        "\"'=proj\",b,\"'+1\",cost,", "\"'=proj\",c,\"'-1+2\",cost,",
        "\"'=proj\",d,\"'@SUM(A1)\xc2\x9b\",cost,"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(tu_contains(items, want[i]), "'%s' not in:\n%s", want[i], items);
    ck_assert_msg(tu_contains(items_nl, "\"'=proj\";b;\"'+1\";cost;") &&
                      tu_contains(items_nl, "\"'=proj\";c;\"'-1+2\";cost;") &&
                      tu_contains(items_nl, "\"'=HYPERLINK(\"\"http://evil\"\",\"\"click\"\")\";"),
                  "%s", items_nl);
    /* numbers are not text: city's NPV 0 - 30 stays -30 (20 + 5 + 5 of costs) */
    ck_assert_msg(tu_contains(summary, "\"'=proj\",city,0,30,-30,"), "%s", summary);
    ck_assert_msg(tu_contains(draws, ",\"'=proj:society:npv\","), "%.300s", draws);
    /* files keep other text as it is (their quoting is theirs): the CR */
    ck_assert_msg(tu_contains(effects, "\"Eff\rect\""), "%s", effects);
    free(items), free(items_nl), free(summary), free(draws), free(effects);
    free(out), free(err);
}
END_TEST

/* An employer whose production (0.1 p + 0.2 p) is paid out as wages (0.3 p)
 * has NPV 0 in every draw: in doubles 0.1 p + 0.2 p - 0.3 p is a few ulps
 * off 0 for most p (0.1 + 0.2 != 0.3), and that noise must reach no output,
 * the draws file included (mkba_npv, the one rule): every draw's NPV there
 * is 0, as the summary's P(>0) is n/a. */
START_TEST(cancelling_npv_is_zero_everywhere)
{
    put("model.ini", "[model]\nname = cancel\nhorizon = 1\nfirst_year = 2020\n"
                     "price_year = 2020\ndiscount_rate = 0\nstakeholders = employer, staff\n"
                     "[param.p]\ndistribution = uniform(1, 1000)\n[parameters]\non = 0\n"
                     "[item.prod]\nkind = benefit\nstakeholder = employer\nquantity = on\n"
                     "price = 0.1 * p\n[item.prod2]\nkind = benefit\nstakeholder = employer\n"
                     "quantity = on\nprice = 0.2 * p\n[item.wages]\nkind = transfer\n"
                     "loser = employer\ngainer = staff\nquantity = on\nprice = 0.3 * p\n");
    put("ref.ini", "[scenario]\nname = ref\nbase = model.ini\n");
    put("project.ini", "[scenario]\nname = proj\nbase = model.ini\nreference = ref.ini\n"
                       "[parameters]\non = 1\n");
    char *out, *err;
    const char *args[] = {"run", "project.ini", "--draws", "500", "--out", "res", "--draws-out",
                          "res/draws.csv", "-q", NULL};
    ck_assert_msg(tu_run(tu_tmp, args, &out, &err) == 0, "%s", err);
    char *draws = read_rel("res/draws.csv"), *mc = read_rel("res/mc_summary.csv");
    ck_assert_ptr_nonnull(draws);
    size_t lines = 0, noise = 0;
    for (const char *l = strchr(draws, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
        double p, npv, b, c;
        ck_assert(sscanf(l + 1, "%*d,%lf,%lf,%lf,%lf", &p, &npv, &b, &c) == 4);
        ck_assert_msg(npv == 0, "%.*s", 80, l + 1);
        noise += b - c != 0; /* the raw difference the rule sets to 0 */
        lines++;
    }
    ck_assert_uint_eq(lines, 500);
    ck_assert_uint_gt(noise, 0); /* the case the test is about did occur */
    ck_assert_msg(tu_contains(mc, "proj,employer,npv,0,0,0,0,0,,"), "%s", mc);
    free(draws), free(mc), free(out), free(err);
}
END_TEST

/* p ~ uniform(LO, HI) is the benefit of 'people' in the project. */
static void write_big_model(const char *lo_hi, const char *more_items)
{
    char *model = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&model, &n);
    ck_assert_ptr_nonnull(f);
    fprintf(f, "[model]\nname = big\nhorizon = 1\nfirst_year = 2020\nprice_year = 2020\n"
               "discount_rate = 0\nstakeholders = city, people\n[param.p]\n"
               "distribution = uniform(%s)\n[parameters]\non = 0\n[item.a]\nkind = benefit\n"
               "stakeholder = people\nquantity = on\nprice = p\n%s",
            lo_hi, more_items);
    fclose(f);
    put("model.ini", model);
    free(model);
    put("ref.ini", "[scenario]\nname = ref\nbase = model.ini\n");
    put("project.ini", "[scenario]\nname = proj\nbase = model.ini\n"
                                    "reference = ref.ini\n[parameters]\non = 1\n");
}

START_TEST(overflowing_draws_never_sd_zero)
{
    /* NPV draws ~ uniform(1e307, 1.5e308), all finite, their sum far above
     * 1.8e308. Mean (1e307 + 1.5e308) / 2 = 8e307, SD 1.4e308 / sqrt(12)
     * = 4.04e307; with 1000 draws within 5 SE: the mean's SE is 1.28e306,
     * the SD's 1.4% (uniform kurtosis 1.8: sqrt(0.8 / 4000)). Before: mean
     * "n/a" and SD "0", Sobol indices "-nan". */
    write_big_model("1e307, 1.5e308", "");
    char *out, *err;
    const char *args[] = {"run", "project.ini", "--draws", "1000", "--sensitivity", NULL};
    ck_assert_msg(tu_run(tu_tmp, args, &out, &err) == 0, "%s", err);
    char *soc = line_with(strstr(out, "P(>0)"), "  Society  ");
    ck_assert_ptr_nonnull(soc);
    char mean[32], sd[32];
    ck_assert_int_eq(sscanf(soc, " Society %31s %31s", mean, sd), 2);
    ck_assert_msg(strtod(mean, NULL) > 7.36e307 && strtod(mean, NULL) < 8.64e307, "%s", soc);
    ck_assert_msg(strtod(sd, NULL) > 3.76e307 && strtod(sd, NULL) < 4.33e307, "%s", soc);
    /* what cannot be computed says n/a: the Sobol indices (V overflows) and
     * the value of information (its sums overflow) */
    ck_assert_msg(tu_contains(out, "Value of information: n/a"), "%s", out);
    ck_assert_msg(!has_word(out, "nan") && !has_word(out, "inf"), "%s", out);
    free(soc), free(out), free(err);
}
END_TEST

/* Amounts near the largest double: uniform(1e308, 1.5e308) has the finite
 * mean 1.25e308 (its base value; (lo + hi) / 2 overflowed before and the
 * model was refused with "unknown name 'inf'"), and the NPV histogram's
 * bin middles are finite (gnuplot failed on "inf" before). */
START_TEST(amounts_near_the_largest_double_chart)
{
    write_big_model("1e308, 1.5e308", "");
    char *out, *err;
    const char *args[] = {"run", "project.ini", "--draws", "300", "--out", "res", NULL};
    ck_assert_msg(tu_run(tu_tmp, args, &out, &err) == 0, "%s", err);
    char *dat = read_rel("res/charts/npv_histogram_1.dat");
    ck_assert_ptr_nonnull(dat);
    ck_assert_msg(!has_word(dat, "inf") && !has_word(dat, "nan"), "%s", dat);
    char *svg = read_rel("res/charts/npv_histogram_1.svg");
    ck_assert_ptr_nonnull(svg);
    char *csv = read_rel("res/summary.csv");
    /* the base run's NPV is the mean 1.25e308, to the digit shown */
    ck_assert_msg(tu_contains(csv, "proj,people,1.25e+308,0,1.25e+308,"), "%s", csv);
    free(dat), free(svg), free(csv), free(out), free(err);
}
END_TEST

/* Society's NPV either +1e308 or -1e308 (a 50/50 switch between a benefit
 * and a cost of 1e308): its range, 2e308, is wider than the largest double.
 * The charts' axes are still finite numbers (gnuplot failed on
 * "set xrange [-inf:inf]" and the run wrote nothing). */
START_TEST(npv_range_wider_than_the_largest_double_chart)
{
    put("model.ini", "[model]\nname = wide\nhorizon = 1\nfirst_year = 2025\n"
                     "price_year = 2025\ndiscount_rate = 0%\nstakeholders = a\n"
                     "[parameters]\non = 0\n[param.e]\nvalue = 1\n"
                     "distribution = discrete(0: 1, 1: 1)\n[item.b]\nkind = benefit\n"
                     "stakeholder = a\nquantity = on * e\nprice = 1e308\n[item.c]\n"
                     "kind = cost\nstakeholder = a\nquantity = on * (1 - e)\nprice = 1e308\n");
    put("ref.ini", "[scenario]\nname = ref\nbase = model.ini\n");
    put("project.ini", "[scenario]\nname = proj\nbase = model.ini\nreference = ref.ini\n"
                       "[parameters]\non = 1\n");
    char *out, *err;
    const char *args[] = {"run", "project.ini", "--draws", "100", "-q", "--out", "res", NULL};
    ck_assert_msg(tu_run(tu_tmp, args, &out, &err) == 0, "%s", err);
    char *gp = read_rel("res/charts/npv_scurve.gp");
    ck_assert_ptr_nonnull(gp);
    ck_assert_msg(!has_word(gp, "inf") && !has_word(gp, "nan"), "%s", gp);
    free(gp), free(out), free(err);
}
END_TEST

START_TEST(overflowed_npv_prints_na)
{
    /* Three items of p ~ uniform(7e307, 1e308): society's benefits (3 p,
     * at least 2.1e308) overflow in every draw, city's (2 p) in some.
     * Society's NPV has no finite draw: every statistic n/a, never 0 (an
     * infinite NPV was taken for 0 before, as benefits and costs "cancel")
     * nor "nan%". */
    write_big_model("7e307, 1e308", "[item.b]\nkind = benefit\nstakeholder = city\nquantity = on\n"
                                    "price = p\n[item.c]\nkind = benefit\nstakeholder = city\n"
                                    "quantity = on\nprice = p\n");
    char *out, *err;
    const char *args[] = {"run", "project.ini", "--draws", "200", NULL};
    ck_assert_msg(tu_run(tu_tmp, args, &out, &err) == 0, "%s", err);
    char *soc = line_with(strstr(out, "P(>0)"), "  Society  ");
    ck_assert_ptr_nonnull(soc);
    char v[6][32];
    ck_assert_int_eq(sscanf(soc, " Society %31s %31s %31s %31s %31s %31s", v[0], v[1], v[2], v[3],
                            v[4], v[5]),
                     6);
    for (int i = 0; i < 6; i++)
        ck_assert_msg(strcmp(v[i], "n/a") == 0, "%s", soc);
    ck_assert_msg(tu_contains(out, "    proj: n/a\n"), "%s", out);
    ck_assert_msg(!has_word(out, "nan") && !has_word(out, "inf"), "%s", out);
    free(soc), free(out), free(err);
}
END_TEST

/* Subgroups end to end on tests/data/ps/confounded.csv (household: 3
 * levels), every count shown ([privacy] min_group = 1). The expected
 * numbers are independent computations over the CSV (Welch: unbiased
 * variances; Q and its 2-df p = exp(-Q/2) by hand), made with
 *   python3 -c 'import csv,math
 *   R=list(csv.DictReader(open("tests/data/ps/confounded.csv")))
 *   for lv in ["single_parent","couple","single"]:
 *     s={g:[float(r["y"]) for r in R if r["household"]==lv and r["group"]==g and r["y"]]
 *        for g in ["pilot","control"]}
 *     m={g:sum(v)/len(v) for g,v in s.items()}
 *     V={g:sum((x-m[g])**2 for x in v)/(len(v)-1)/len(v) for g,v in s.items()}
 *     print(lv,m["pilot"]-m["control"],math.sqrt(V["pilot"]+V["control"]),
 *           len(s["pilot"]),len(s["control"]))'
 * (the awk alternative: awk -F, 'NR>1 && $6!="" {n[$4" "$1]++; ...}'). */
START_TEST(subgroups_per_level)
{
    char *rel = tu_src("tests/data/ps/confounded.csv"), *cohort = realpath(rel, NULL);
    free(rel);
    ck_assert_ptr_nonnull(cohort);
    static char model[2048];
    if (snprintf(model, sizeof model,
                 "[model]\nname = sub\nhorizon = 1\nfirst_year = 2020\nprice_year = 2020\n"
                 "discount_rate = 0\nstakeholders = city\n"
                 "[cohort]\nfile = %s\ngroup_column = group\n"
                 "[privacy]\nmin_group = 1\n"
                 "[covariate.household]\ntype = category\n"
                 "[outcome.y]\nmethod = diff\nby = household\n"
                 "[parameters]\non = 0\n"
                 "[item.a]\nkind = benefit\nstakeholder = city\n"
                 "quantity = on * effect.y.by.single_parent\n",
                 cohort) >= (int)sizeof model)
        ck_abort();
    put("model.ini", model);
    put("project.ini", "[scenario]\nname = proj\nbase = model.ini\nreference = model.ini\n"
                       "[parameters]\non = 1\n");
    char *out, *err;
    const char *args[] = {"run", "project.ini", "--out", "res", "--no-charts",
                          "--report", "res/report.html", NULL};
    ck_assert_msg(tu_run(tu_tmp, args, &out, &err) == 0, "%s", err);
    static const struct {
        const char *level;
        double tau, se;
        size_t np, nc;
    } want[] = {{"single_parent", 2.915178648922325, 0.5979978496053014, 124, 223},
                {"couple", 1.2285247747747832, 0.6601625613925143, 74, 384},
                {"single", 2.3951063982746064, 0.4852292845218151, 130, 535}};
    /* Q = 3.719017417825154 over these, p = exp(-Q/2) = 0.15574912973404245 */
    char *path = tu_path(tu_tmp, "res/subgroups.csv");
    char *csv = tu_read(path);
    free(path);
    ck_assert_ptr_nonnull(csv);
    const char *line = strchr(csv, '\n') + 1;
    for (size_t l = 0; l < 3; l++) {
        char lev[64], meth[16];
        double tau, se, lo, hi, df, q, qdf, p;
        size_t np, nc;
        ck_assert_int_eq(sscanf(line, "y,household,%63[^,],%15[^,],%lf,%lf,%lf,%lf,%lf,%zu,%zu,0,,"
                                      "%lf,%lf,%lf",
                                lev, meth, &tau, &se, &lo, &hi, &df, &np, &nc, &q, &qdf, &p),
                         12);
        ck_assert_str_eq(lev, want[l].level);
        ck_assert_str_eq(meth, "diff");
        ck_assert_double_eq_tol(tau, want[l].tau, 1e-12);
        ck_assert_double_eq_tol(se, want[l].se, 1e-12);
        ck_assert_uint_eq(np, want[l].np);
        ck_assert_uint_eq(nc, want[l].nc);
        ck_assert(lo < tau && tau < hi && df > 1);
        ck_assert_double_eq_tol(q, 3.719017417825154, 1e-10);
        ck_assert_double_eq_tol(qdf, 2, 0.5);
        ck_assert_double_eq_tol(p, 0.15574912973404245, 1e-10);
        line = strchr(line, '\n') + 1;
    }
    ck_assert_str_eq(line, "");
    /* the priced subgroup is an effect like any other, its missing counts
     * only those of the subgroup: single_parent has 128 pilot and 227
     * control persons, 4 + 4 without y */
    path = tu_path(tu_tmp, "res/effects.csv");
    char *eff = tu_read(path);
    free(path);
    ck_assert_msg(tu_contains(eff, "y.by.single_parent,,diff,2.91517864892232"), "%s", eff);
    ck_assert_msg(tu_contains(eff, ",124,223,8,0,\n"), "%s", eff);
    ck_assert_msg(tu_contains(out, "Effect of y per subgroup of household"), "%s", out);
    ck_assert_msg(tu_contains(out, "heterogeneity: Q = 3.719, df = 2, p = 0.1557"), "%s", out);
    path = tu_path(tu_tmp, "res/results.json");
    char *json = tu_read(path);
    free(path);
    ck_assert_msg(tu_contains(json, "\"subgroups\"") && tu_contains(json, "\"q\":\t3.71901741782"),
                  "%s", json);
    /* the report: a section per outcome with the test */
    path = tu_path(tu_tmp, "res/report.html");
    char *html = tu_read(path);
    free(path);
    ck_assert(tu_contains(html, "<section id=\"subgroups\">"));
    ck_assert(tu_contains(html, "<a href=\"#subgroups\">"));
    ck_assert_msg(tu_contains(html, "Q = 3.719, df = 2, p = 0.1557"), "%s", html);
    ck_assert(tu_contains(html, "No evidence that the effect differs between the subgroups."));
    free(html);
    free(json), free(eff), free(csv), free(out), free(err), free(cohort);
}
END_TEST

static Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("usage");
    tcase_add_test(tc, help_and_version);
    tcase_add_test(tc, build_format);
    tcase_add_test(tc, version_names_commit);
    tcase_add_test(tc, usage_errors_exit_2);
    suite_add_tcase(s, tc);
    tc = tcase_create("results");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
    tcase_add_test(tc, run_e2e_hand_worked);
    tcase_add_test(tc, run_e2e_decision);
    tcase_add_test(tc, run_mc_payback_and_irr);
    tcase_add_test(tc, report_payback_and_irr);
    tcase_add_test(tc, provenance_in_results_json);
    tcase_add_test(tc, almere_data_note);
    tcase_add_test(tc, run_dutch_csv_same_result);
    tcase_add_test(tc, estimate_command);
    tcase_add_test(tc, check_command);
    tcase_add_test(tc, reference_swapped_warns);
    tcase_add_test(tc, reference_override_warns);
    tcase_add_test(tc, subgroups_per_level);
    suite_add_tcase(s, tc);
    tc = tcase_create("bad input");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
    tcase_add_test(tc, bad_number_names_line_and_column);
    tcase_add_test(tc, ragged_row);
    tcase_add_test(tc, binary_out_of_range);
    tcase_add_test(tc, duplicate_id_not_echoed);
    tcase_add_test(tc, missing_cohort_file);
    tcase_add_test(tc, unwritable_output);
    tcase_add_test(tc, model_error_names_file_line_key);
    suite_add_tcase(s, tc);
    tc = tcase_create("monte carlo");
    tcase_set_timeout(tc, 300);
    tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
    tcase_add_test(tc, mc_same_seed_same_results_any_threads);
    tcase_add_test(tc, mc_streamed_same_tables);
    tcase_add_test(tc, mc_bad_options);
    tcase_add_test(tc, sensitivity_command);
    suite_add_tcase(s, tc);
    tc = tcase_create("hostile text and overflow");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
    tcase_add_test(tc, terminal_gets_controls_escaped);
    tcase_add_test(tc, csv_formulas_neutralised);
    tcase_add_test(tc, cancelling_npv_is_zero_everywhere);
    tcase_add_test(tc, overflowing_draws_never_sd_zero);
    tcase_add_test(tc, overflowed_npv_prints_na);
    tcase_add_test(tc, amounts_near_the_largest_double_chart);
    tcase_add_test(tc, npv_range_wider_than_the_largest_double_chart);
    suite_add_tcase(s, tc);
    tc = tcase_create("almere");
    tcase_set_timeout(tc, 300);
    tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
    tcase_add_test(tc, almere_costs_exceed_benefits);
    tcase_add_test(tc, almere_synth_reproduces_data);
    tcase_add_test(tc, almere_dutch_terminal);
    tcase_add_test(tc, almere_dutch_report_labels);
    tcase_add_test(tc, dutch_label_falls_back);
    tcase_add_test(tc, estimate_lang_nl);
    tcase_add_test(tc, rate_with_decimal_comma);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(cli_suite());
}

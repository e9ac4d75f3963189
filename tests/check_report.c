/* check_report.c - tests of the HTML report (src/report.c): number
 * formatting per language, the content of reports of a hand-built
 * appraisal and of the hand-worked e2e model (through the CLI), HTML
 * escaping of hostile labels, disclosure control, embedded SVG charts,
 * refusing to overwrite an input file, well-formedness, and the report
 * opening in headless Chromium.
 *
 * Every expected number below is worked out by hand in the comment next
 * to it. Set MKBA_SKIP_BROWSER=1 to skip the browser test, MKBA_CHROMIUM
 * to the browser's path to use another one. */
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mkba/appraisal.h"
#include "mkba/chart.h"
#include "mkba/error.h"
#include "mkba/mem.h"
#include "mkba/model.h"
#include "mkba/report.h"
#include "testutil.h"

#define HOST1 "<script>alert(1)</script>"
#define HOST1_ESC "&lt;script&gt;alert(1)&lt;/script&gt;"
#define HOST2 "x\"&<>'\\y"
#define HOST2_ESC "x&quot;&amp;&lt;&gt;&#39;\\y"

/* Case-insensitive search (the report must not hold "<script" in any case). */
static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* ============================ formatting =============================== */

static void check_num(double x, int dec, int nl, const char *want)
{
    char buf[64];
    mkba_report_fmt_number(buf, sizeof buf, x, dec, nl);
    ck_assert_msg(strcmp(buf, want) == 0, "fmt_number(%.17g, %d, %s) = '%s', want '%s'", x, dec,
                  nl ? "nl" : "en", buf, want);
}

START_TEST(fmt_number_dutch_and_english)
{
    /* thousands separators: '.' in Dutch, ',' in English */
    check_num(1234567, 0, 1, "1.234.567");
    check_num(1234567, 0, 0, "1,234,567");
    check_num(-1234.5, 1, 1, "-1.234,5");
    check_num(-1234.5, 1, 0, "-1,234.5");
    check_num(0.51, 2, 1, "0,51");
    check_num(0.51, 2, 0, "0.51");
    check_num(999, 0, 1, "999");
    check_num(1000, 0, 1, "1.000");
    check_num(100000, 0, 0, "100,000");
    check_num(-100000, 0, 1, "-100.000");
    check_num(12, 3, 1, "12,000");
    check_num(0.05, 2, 0, "0.05"); /* 5 hundredths: padded with a leading 0 */
    /* large: 1.2 trillion, exact in a double */
    check_num(1234567890123.0, 0, 1, "1.234.567.890.123");
    check_num(1234567890123.0, 0, 0, "1,234,567,890,123");
}
END_TEST

START_TEST(fmt_number_rounding_and_zero)
{
    /* half away from zero: 2.5 and 0.125 are exact in binary */
    check_num(2.5, 0, 0, "3");
    check_num(-2.5, 0, 0, "-3");
    check_num(0.125, 2, 1, "0,13");
    /* 999.96 to 1 decimal carries into a new thousands group */
    check_num(999.96, 1, 1, "1.000,0");
    check_num(999.96, 1, 0, "1,000.0");
    check_num(1234.56, 1, 1, "1.234,6");
    /* never "-0" */
    check_num(-0.4, 0, 1, "0");
    check_num(-0.04, 1, 1, "0,0");
    check_num(-0.0, 2, 0, "0.00");
    check_num(0, 0, 1, "0");
    /* not a number */
    check_num(NAN, 2, 1, "n.v.t.");
    check_num(NAN, 2, 0, "n/a");
    check_num(INFINITY, 0, 0, "n/a");
    /* decimals are clamped to 0..6 */
    check_num(1.5, 9, 0, "1.500000");
    check_num(1.5, -1, 0, "2");
    /* 1e18 and beyond: an exponent (4 significant digits) */
    check_num(1e20, 0, 1, "1,000e+20");
    check_num(-2.5e18, 0, 0, "-2.500e+18");
    /* 23 of 2,000 draws: 1.15% is a half, rounded up as a person would */
    check_num(100.0 * 23 / 2000, 1, 1, "1,2");
}
END_TEST

START_TEST(fmt_money_percent_value)
{
    char b[64];
    mkba_report_fmt_money(b, sizeof b, "EUR", 1234567, 0, 1);
    ck_assert_str_eq(b, "EUR 1.234.567");
    mkba_report_fmt_money(b, sizeof b, "EUR", 1234567, 0, 0);
    ck_assert_str_eq(b, "EUR 1,234,567");
    mkba_report_fmt_money(b, sizeof b, "EUR", -1234.5, 1, 1);
    ck_assert_str_eq(b, "EUR -1.234,5");
    mkba_report_fmt_money(b, sizeof b, "EUR", -0.3, 0, 1);
    ck_assert_str_eq(b, "EUR 0"); /* rounds to zero: no sign */
    mkba_report_fmt_money(b, sizeof b, NULL, 42, 0, 1);
    ck_assert_str_eq(b, "42");
    mkba_report_fmt_money(b, sizeof b, "EUR", NAN, 0, 1);
    ck_assert_str_eq(b, "n.v.t.");
    /* a small buffer cuts the text, never overflows */
    mkba_report_fmt_money(b, 6, "EUR", 1234567, 0, 1);
    ck_assert_str_eq(b, "EUR 1");

    mkba_report_fmt_percent(b, sizeof b, 0.123, 1, 1); /* 12.3 */
    ck_assert_str_eq(b, "12,3%");
    mkba_report_fmt_percent(b, sizeof b, 0.123, 1, 0);
    ck_assert_str_eq(b, "12.3%");
    mkba_report_fmt_percent(b, sizeof b, 0.9996, 1, 1); /* 99.96 -> 100.0 */
    ck_assert_str_eq(b, "100,0%");
    mkba_report_fmt_percent(b, sizeof b, -0.0004, 1, 1); /* -0.04% -> 0.0 */
    ck_assert_str_eq(b, "0,0%");
    mkba_report_fmt_percent(b, sizeof b, NAN, 1, 0);
    ck_assert_str_eq(b, "n/a");

    /* about 4 significant digits, trailing zeros dropped */
    mkba_report_fmt_value(b, sizeof b, 1.0 / 3, 1); /* 0.33333 -> 4 decimals */
    ck_assert_str_eq(b, "0,3333");
    mkba_report_fmt_value(b, sizeof b, -5.0 / 3, 0); /* -1.6667 -> 3 decimals */
    ck_assert_str_eq(b, "-1.667");
    mkba_report_fmt_value(b, sizeof b, 62, 1); /* 62.00 -> "62" */
    ck_assert_str_eq(b, "62");
    mkba_report_fmt_value(b, sizeof b, 0.5, 1); /* 0.5000 -> "0,5" */
    ck_assert_str_eq(b, "0,5");
    mkba_report_fmt_value(b, sizeof b, 120160, 1); /* >= 1000: whole, grouped */
    ck_assert_str_eq(b, "120.160");
    mkba_report_fmt_value(b, sizeof b, 0.0814814, 0); /* 5 decimals: 0.08148 */
    ck_assert_str_eq(b, "0.08148");
    mkba_report_fmt_value(b, sizeof b, 999.96, 1); /* 1 decimal: 1000.0 -> "1.000" */
    ck_assert_str_eq(b, "1.000");
    mkba_report_fmt_value(b, sizeof b, 0, 1);
    ck_assert_str_eq(b, "0");
    mkba_report_fmt_value(b, sizeof b, -1e-9, 1); /* 6 decimals at most: 0 */
    ck_assert_str_eq(b, "0");
}
END_TEST

/* ============================ a hand-built appraisal =================== */

/* Two stakeholders (city, people), the reference and one project, one
 * year, no discounting. In the project, item 'work' is a benefit of
 * 1,234,567.4 to people and item 'staff' a cost of 2,000 to the city, so:
 *   society NPV = 1,234,567.4 - 2,000 = 1,232,567.4 -> "1,232,567"
 *   city NPV = -2,000; people NPV = 1,234,567.4 -> "1,234,567"
 *   society B/C = 1,234,567.4 / 2,000 = 617.2837 -> "617.28"
 * Labels are hostile. The effect 'jobs' has n_pilot persons in the pilot
 * group (25 in the control group) and a pilot mean of 7.654321. */
static mkba_appraisal *build(size_t n_pilot, const char *model_file, const char *cohort1,
                             const char *cohort2)
{
    mkba_appraisal *a = mkba_xcalloc(1, sizeof *a);
    a->version = mkba_xstrdup("0.1.0");
    a->model_name = mkba_xstrdup("Model " HOST1);
    a->model_file = mkba_xstrdup(model_file);
    memset(a->model_sha256, 'a', 64);
    a->cohort_files = mkba_xcalloc(2, sizeof *a->cohort_files);
    if (cohort1)
        a->cohort_files[a->n_cohort_files++] = mkba_xstrdup(cohort1);
    if (cohort2)
        a->cohort_files[a->n_cohort_files++] = mkba_xstrdup(cohort2);
    snprintf(a->run_date, sizeof a->run_date, "2024-01-02T03:04:05Z");
    a->currency = mkba_xstrdup("EUR");
    a->price_year = 2020;
    a->first_year = 2020;
    a->discount_timing = mkba_xstrdup("start");
    a->horizon = 1;
    a->n_scenarios = 2;
    a->rate = mkba_xcalloc(2, sizeof *a->rate);
    a->discount = mkba_xcalloc(2, sizeof *a->discount);
    a->discount[0] = a->discount[1] = 1;
    a->n_stakeholders = 2;
    a->stakeholders = mkba_xcalloc(2, sizeof *a->stakeholders);
    a->stakeholder_labels = mkba_xcalloc(2, sizeof *a->stakeholder_labels);
    a->stakeholders[0] = mkba_xstrdup("city");
    a->stakeholders[1] = mkba_xstrdup("people");
    a->stakeholder_labels[0] = mkba_xstrdup("City " HOST2);
    a->stakeholder_labels[1] = mkba_xstrdup("People " HOST1);
    a->n_items = 2;
    a->items = mkba_xcalloc(2, sizeof *a->items);
    a->items[0] = (mkba_ap_item){mkba_xstrdup("work"), mkba_xstrdup("Work <b>bold</b>"),
                                 mkba_xstrdup("work"), mkba_xstrdup("Source " HOST1),
                                 MKBA_ITEM_BENEFIT, 1, 0, 0, 0, NULL};
    a->items[1] = (mkba_ap_item){mkba_xstrdup("staff"), mkba_xstrdup("Staff " HOST2),
                                 mkba_xstrdup("staff"), mkba_xstrdup(""), MKBA_ITEM_COST, 0, 0,
                                 0, 0, NULL};
    a->scenarios = mkba_xcalloc(2, sizeof *a->scenarios);
    a->scenarios[0].name = mkba_xstrdup("ref");
    /* valid UTF-8, a lone continuation byte, a control character, and an
     * overlong encoding of '/' (0xC0 0xAF): each bad byte becomes U+FFFD */
    a->scenarios[0].label = mkba_xstrdup("Ol\xc3\xa9 \x80 caf\xc3\xa9 \xc0\xaf\x01");
    a->scenarios[0].file = mkba_xstrdup("ref.ini");
    a->scenarios[1].name = mkba_xstrdup("proj");
    a->scenarios[1].label = mkba_xstrdup("Project " HOST1);
    a->scenarios[1].file = mkba_xstrdup("proj.ini");
    memset(a->scenarios[0].sha256, 'b', 64);
    memset(a->scenarios[1].sha256, 'c', 64);
    a->n_effects = 1;
    a->effects = mkba_xcalloc(1, sizeof *a->effects);
    mkba_ap_effect *x = &a->effects[0];
    x->name = mkba_xstrdup("jobs");
    x->label = mkba_xstrdup("Jobs " HOST1);
    x->unit = mkba_xstrdup("share " HOST2);
    x->source = mkba_xstrdup("");
    x->e = (mkba_effect){.method = MKBA_EST_DIFF, .estimate = 0.123, .se = 0.05, .df = 20,
                         .ci_lo = -0.01, .ci_hi = 0.25, .mean_pilot = 7.654321,
                         .mean_control = 2.5, .n_pilot = n_pilot, .n_control = 25};
    a->n_params = 1;
    a->params = mkba_xcalloc(1, sizeof *a->params);
    mkba_ap_param *p = &a->params[0];
    p->name = mkba_xstrdup("wage");
    p->label = mkba_xstrdup("Wage " HOST1);
    p->unit = mkba_xstrdup("EUR <per> year");
    p->value = mkba_xstrdup("12000 + 345.6");
    p->distribution = mkba_xstrdup("normal(12345.6, 1000) " HOST2);
    p->source = mkba_xstrdup("CBS " HOST2);
    p->scen_value = mkba_xcalloc(2, sizeof *p->scen_value);
    p->scen_value[0] = mkba_xstrdup("12000 + 345.6");
    p->scen_value[1] = mkba_xstrdup("12000 + 345.6");
    p->base = mkba_xcalloc(2, sizeof *p->base);
    p->base[0] = p->base[1] = 12345.6;
    a->flow = mkba_xcalloc(2 * 2 * 1, sizeof *a->flow);
    a->flow[mkba_ap_fidx(a, 1, 0, 0)] = 1234567.4;
    a->flow[mkba_ap_fidx(a, 1, 1, 0)] = 2000;
    a->min_group = 10;
    mkba_appraisal_totals(a);
    return a;
}

/* Write the report of 'a' into tu_tmp/name and return its text (caller
 * frees); the write must succeed. */
static char *report_of(const mkba_appraisal *a, const mkba_report_opts *o, const char *name)
{
    char *path = tu_path(tu_tmp, name);
    mkba_error err;
    mkba_error_clear(&err);
    mkba_status st = mkba_report_write(path, a, o, &err);
    char msg[2048];
    ck_assert_msg(st == MKBA_OK, "report failed: %s", mkba_error_format(&err, msg, sizeof msg));
    char *html = tu_read(path);
    ck_assert_ptr_nonnull(html);
    free(path);
    return html;
}

START_TEST(report_figures_both_languages)
{
    mkba_appraisal *a = build(30, "model.ini", NULL, NULL);
    mkba_report_opts en = {.lang_nl = 0}, nl = {.lang_nl = 1};
    char *he = report_of(a, &en, "en.html"), *hn = report_of(a, &nl, "nl.html");
    /* society, city, people NPV and B/C (see build) */
    ck_assert(tu_contains(he, "EUR 1,232,567"));
    ck_assert(tu_contains(he, "EUR -2,000"));
    ck_assert(tu_contains(he, "EUR 1,234,567"));
    ck_assert(tu_contains(he, "617.28"));
    ck_assert(tu_contains(hn, "EUR 1.232.567"));
    ck_assert(tu_contains(hn, "EUR -2.000"));
    ck_assert(tu_contains(hn, "EUR 1.234.567"));
    ck_assert(tu_contains(hn, "617,28"));
    ck_assert(!tu_contains(hn, "617.28") && !tu_contains(hn, "1,232,567"));
    /* negative amounts are marked */
    ck_assert(tu_contains(he, "<td class=\"n neg\">EUR -2,000</td>"));
    /* language of the document and its labels */
    ck_assert(tu_contains(he, "<html lang=\"en\">"));
    ck_assert(tu_contains(hn, "<html lang=\"nl\">"));
    const char *dutch[] = {"Maatschappelijke kosten-batenanalyse", "Netto contante waarde",
                           "Baten", "Kosten", "Saldo", "Belanghebbende", "Aannames en bronnen",
                           "Herkomst", "Conclusie", "De baten zijn groter dan de kosten"};
    for (size_t i = 0; i < sizeof dutch / sizeof dutch[0]; i++) {
        ck_assert_msg(tu_contains(hn, dutch[i]), "Dutch report lacks '%s'", dutch[i]);
        ck_assert_msg(!tu_contains(he, dutch[i]), "English report has '%s'", dutch[i]);
    }
    ck_assert(tu_contains(he, "Social cost-benefit analysis"));
    ck_assert(tu_contains(he, "Benefits exceed costs for society."));
    /* who is worse off and who is better off: never "who pays" (a transfer
     * received less is a loss, not a payment) */
    ck_assert(!tu_contains(he, "Who pays") && !tu_contains(hn, "Wie betaalt"));
    ck_assert(tu_contains(he, "Worse off (negative balance, transfers included): City " HOST2_ESC
                              " (<span class=\"n neg\">EUR -2,000</span>)"));
    ck_assert(tu_contains(hn, "Gaat erop vooruit (positief saldo, overdrachten meegerekend): People " HOST1_ESC
                              " (<span class=\"n\">EUR 1.234.567</span>)"));
    /* assumptions: the parameter's value (12345.6 whole: 12,346), its
     * formula, distribution and source; provenance */
    ck_assert(tu_contains(he, "<strong>12,346</strong>"));
    ck_assert(tu_contains(he, "<code>12000 + 345.6</code>"));
    ck_assert(tu_contains(he, "normal(12345.6, 1000) " HOST2_ESC));
    ck_assert(tu_contains(he, "CBS " HOST2_ESC));
    ck_assert(tu_contains(he, "no source given"));
    ck_assert(tu_contains(hn, "geen bron opgegeven"));
    ck_assert(tu_contains(he, "<code>model.ini</code>"));
    ck_assert(tu_contains(he, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    ck_assert(tu_contains(he, "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"));
    ck_assert(tu_contains(he, "2024-01-02T03:04:05Z"));
    /* no Monte Carlo, no sensitivity: those sections are left out */
    ck_assert(!tu_contains(he, "id=\"uncertainty\"") && !tu_contains(he, "id=\"sensitivity\""));
    free(he);
    free(hn);
    mkba_appraisal_free(a);
}
END_TEST

static void check_well_formed(const char *path, const char *html);

/* The model's data note: a box right under the title, before the
 * contents and the conclusion (the first screen), escaped; nothing (not
 * even its style) without one. */
START_TEST(report_data_note_first_screen)
{
    mkba_appraisal *a = build(30, "model.ini", NULL, NULL);
    char *h = report_of(a, NULL, "plain.html");
    ck_assert(!tu_contains(h, "datanote"));
    free(h);
    a->data_note = mkba_xstrdup("Synthetic " HOST1);
    mkba_report_opts nl = {.lang_nl = 1};
    char *he = report_of(a, NULL, "note.html"), *hn = report_of(a, &nl, "note_nl.html");
    const char *box = "</header>\n<p class=\"datanote\" role=\"note\"><strong>About the "
                      "data:</strong> Synthetic " HOST1_ESC "</p>\n<nav>";
    ck_assert_msg(tu_contains(he, box), "%s", he);
    ck_assert(tu_contains(he, ".datanote{"));
    ck_assert(tu_contains(hn, "<strong>Over de gegevens:</strong> Synthetic " HOST1_ESC));
    ck_assert(!contains_nocase(he, "<script"));
    char *path = tu_path(tu_tmp, "note.html");
    check_well_formed(path, he);
    free(he), free(hn), free(path);
    mkba_appraisal_free(a);
}
END_TEST

/* Provenance: the build with its commit, each cohort file with its
 * canonical path and SHA-256. */
START_TEST(report_provenance_build_and_cohort)
{
    mkba_appraisal *a = build(30, "m/../model.ini", "data/a.csv", "data/b.csv");
    a->commit = mkba_xstrdup("0123456789ab-dirty");
    a->model_path = mkba_xstrdup("/srv/model.ini");
    a->cohort_paths = mkba_xcalloc(2, sizeof *a->cohort_paths);
    a->cohort_paths[0] = mkba_xstrdup("/srv/data/a.csv");
    a->cohort_paths[1] = mkba_xstrdup("");
    a->cohort_sha256 = mkba_xcalloc(2, sizeof *a->cohort_sha256);
    memset(a->cohort_sha256[0], 'e', 64);
    char *h = report_of(a, NULL, "prov.html");
    ck_assert(tu_contains(h, "<tr><th>Program</th><td>mkba 0.1.0 (commit 0123456789ab-dirty)"
                             "</td></tr>"));
    ck_assert(tu_contains(h, "<tr><th>Model file</th><td><code>m/../model.ini</code><br><span "
                             "class=\"small\">Path <code>/srv/model.ini</code></span>"));
    ck_assert(tu_contains(h, "<tr><th>Cohort file</th><td><code>data/a.csv</code><br><span "
                             "class=\"small\">Path <code>/srv/data/a.csv</code></span><br><span "
                             "class=\"small\">SHA-256 <code>eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
                             "eeeeeeeeeeeeeeeeeeeeeeeeee</code></span></td></tr>"));
    /* the second file: not read, no path: its name only */
    ck_assert(tu_contains(h, "<tr><th>Cohort file</th><td><code>data/b.csv</code></td></tr>"));
    free(h);
    mkba_appraisal_free(a);
}
END_TEST

START_TEST(report_escapes_hostile_labels)
{
    mkba_appraisal *a = build(30, "model.ini", NULL, NULL);
    char *h = report_of(a, NULL, "r.html");
    ck_assert_msg(!contains_nocase(h, "<script"), "a raw <script> tag reached the report");
    ck_assert(!tu_contains(h, "<b>bold</b>"));
    ck_assert(!tu_contains(h, "\"&<>'"));
    ck_assert(!tu_contains(h, "<per>"));
    ck_assert(tu_contains(h, "Model " HOST1_ESC));   /* model name, in <title> and <h1> */
    ck_assert(tu_contains(h, "Project " HOST1_ESC)); /* scenario label */
    ck_assert(tu_contains(h, "City " HOST2_ESC));    /* stakeholder label */
    ck_assert(tu_contains(h, "Work &lt;b&gt;bold&lt;/b&gt;")); /* item label */
    ck_assert(tu_contains(h, "Source " HOST1_ESC));  /* item source */
    ck_assert(tu_contains(h, "Jobs " HOST1_ESC));    /* effect label */
    ck_assert(tu_contains(h, "share " HOST2_ESC));   /* effect unit */
    ck_assert(tu_contains(h, "EUR &lt;per&gt; year")); /* parameter unit */
    ck_assert(!tu_contains(h, "\x01"));                 /* a control character: a blank */
    /* bytes that are not UTF-8: U+FFFD */
    ck_assert(tu_contains(h, "Ol\xc3\xa9 \xef\xbf\xbd caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd"));
    free(h);
    mkba_appraisal_free(a);
}
END_TEST

START_TEST(report_suppresses_small_counts)
{
    /* 3 persons in the pilot group: shown as "<10"; the control group's 25
     * withheld too ("x"), as in the tables, so that it cannot be worked
     * out from a total; both means (7.654321 and 2.5) left out, since the
     * pilot mean follows from the control mean and the estimate; the
     * notes added */
    mkba_appraisal *a = build(3, "model.ini", NULL, NULL);
    mkba_report_opts nl = {.lang_nl = 1};
    char *h = report_of(a, NULL, "small.html"), *hn = report_of(a, &nl, "small_nl.html");
    ck_assert(tu_contains(h, "<td class=\"n\">&lt;10 / x</td>"));
    ck_assert(tu_contains(h, "Counts below 10 are suppressed (shown as &lt;10)"));
    ck_assert(tu_contains(h, "x: withheld too"));
    ck_assert(tu_contains(hn, "Aantallen kleiner dan 10 zijn onderdrukt"));
    ck_assert(tu_contains(hn, "x: ook weggelaten"));
    ck_assert(!tu_contains(h, "7.654") && !tu_contains(hn, "7,654"));
    ck_assert(tu_contains(h, "suppressed / suppressed"));
    ck_assert(!tu_contains(h, "2.5</td>"));
    free(h);
    free(hn);
    /* the threshold is the appraisal's min_group */
    a->min_group = 5;
    h = report_of(a, NULL, "small5.html");
    ck_assert(tu_contains(h, "&lt;5 / x"));
    ck_assert(tu_contains(h, "Counts below 5 are suppressed"));
    free(h);
    mkba_appraisal_free(a);
    /* 30 persons: shown, no note, the mean shown */
    a = build(30, "model.ini", NULL, NULL);
    h = report_of(a, NULL, "big.html");
    ck_assert(tu_contains(h, "<td class=\"n\">30 / 25</td>"));
    ck_assert(tu_contains(h, "7.654 / 2.5"));
    ck_assert(!tu_contains(h, "suppressed"));
    free(h);
    /* 30 and 25 persons, but 3 of the pilot's values missing (and 20 of the
     * control's, so that the total 23 is not small): the row's counts are
     * withheld as in the tables (mkba_ap_effect_hidden: a small count
     * hides the row's other counts), and the note says why */
    a->effects[0].missing_pilot = 3;
    a->effects[0].missing_control = 20;
    a->effects[0].e.n_missing = 23;
    h = report_of(a, NULL, "missing.html");
    ck_assert(tu_contains(h, "<td class=\"n\">x / x</td>"));
    ck_assert(tu_contains(h, "Counts below 10 are suppressed"));
    ck_assert(tu_contains(h, "x: withheld too"));
    free(h);
    mkba_appraisal_free(a);
}
END_TEST

/* ============================ charts =================================== */

static int b64_value(char c)
{
    const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = c ? strchr(alpha, c) : NULL;
    return p ? (int)(p - alpha) : -1;
}

/* Decode base64 text up to the first character outside the alphabet
 * (the closing quote); '=' padding ends it. Returns the bytes (caller
 * frees) and their number in *n. */
static unsigned char *b64_decode(const char *s, size_t *n)
{
    size_t len = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");
    ck_assert_msg(len % 4 == 0, "base64 length %zu is not a multiple of 4", len);
    unsigned char *out = mkba_xmalloc(len / 4 * 3 + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        for (int k = 0; k < 4; k++)
            v[k] = s[i + k] == '=' ? 0 : b64_value(s[i + k]);
        ck_assert(v[0] >= 0 && v[1] >= 0 && v[2] >= 0 && v[3] >= 0);
        unsigned long w = ((unsigned long)v[0] << 18) | ((unsigned long)v[1] << 12) |
                          ((unsigned long)v[2] << 6) | (unsigned long)v[3];
        out[o++] = (unsigned char)(w >> 16);
        if (s[i + 2] != '=')
            out[o++] = (unsigned char)(w >> 8);
        if (s[i + 3] != '=')
            out[o++] = (unsigned char)w;
    }
    *n = o;
    return out;
}

/* Three small SVGs whose lengths are 0, 1 and 2 modulo 3 (all padding
 * cases), one with a script in it. */
static const char *const SVG[] = {
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"120\"><script>alert(1)"
    "</script><rect x=\"10\" y=\"10\" width=\"300\" height=\"100\" fill=\"#0b4f8a\"/></svg>\n",
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"120\"><circle cx=\"60\" "
    "cy=\"60\" r=\"5\" fill=\"#b00020\"/></svg>\n",
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"120\"><text x=\"10\" "
    "y=\"60\">Gr\xc3\xa4" "fik &amp; m\xc3\xa9\xc3\xa9" "r!</text></svg>\n"};

START_TEST(report_embeds_svg_charts)
{
    size_t lens[3];
    for (int i = 0; i < 3; i++)
        lens[i] = strlen(SVG[i]);
    ck_assert(lens[0] % 3 != lens[1] % 3 && lens[1] % 3 != lens[2] % 3 &&
              lens[0] % 3 != lens[2] % 3);
    free(tu_write(tu_tmp, "c0.svg", SVG[0]));
    free(tu_write(tu_tmp, "c1.svg", SVG[1]));
    free(tu_write(tu_tmp, "c2.svg", SVG[2]));
    char n0[] = "c0", n1[] = "c1", n2[] = "c2", n3[] = "gone";
    char t0[] = "Chart <A> & \"B\"", t1[] = "Second", t2[] = "Third", t3[] = "Not rendered";
    mkba_chart charts[4] = {{.name = n0, .title = t0, .rendered = 1},
                            {.name = n3, .title = t3, .rendered = 0},
                            {.name = n1, .title = t1, .rendered = 1},
                            {.name = n2, .title = t2, .rendered = 1}};
    mkba_chart_set set = {.dir = tu_tmp, .src = tu_tmp, .n = 4, .charts = charts, .gnuplot_missing = 0};
    mkba_appraisal *a = build(30, "model.ini", NULL, NULL);
    mkba_report_opts o = {.lang_nl = 0, .charts = &set};
    char *h = report_of(a, &o, "charts.html");
    const char *uri = "<img alt=\"";
    ck_assert_uint_eq(count_of(h, "src=\"data:image/svg+xml;base64,"), 3);
    ck_assert(tu_contains(h, "alt=\"Chart &lt;A&gt; &amp; &quot;B&quot;\""));
    ck_assert(!tu_contains(h, "Not rendered"));
    ck_assert(!contains_nocase(h, "<script"));
    /* each data URI decodes to the bytes of its file, in order */
    const char *p = h;
    for (int i = 0; i < 3; i++) {
        p = strstr(p, uri);
        ck_assert_ptr_nonnull(p);
        p = strstr(p, "base64,");
        ck_assert_ptr_nonnull(p);
        p += strlen("base64,");
        size_t n;
        unsigned char *bytes = b64_decode(p, &n);
        ck_assert_uint_eq(n, lens[i]);
        ck_assert(memcmp(bytes, SVG[i], n) == 0);
        free(bytes);
    }
    ck_assert(!tu_contains(h, "No charts"));
    free(h);
    mkba_appraisal_free(a);
}
END_TEST

START_TEST(report_without_charts_says_why)
{
    mkba_appraisal *a = build(30, "model.ini", NULL, NULL);
    mkba_chart_set missing = {.dir = tu_tmp, .src = tu_tmp, .n = 0, .charts = NULL, .gnuplot_missing = 1};
    mkba_report_opts o1 = {.charts = NULL}, o2 = {.charts = &missing};
    mkba_report_opts o3 = {.charts = NULL, .charts_skipped = 1};
    mkba_report_opts o4 = {.lang_nl = 1, .charts = &missing};
    char *h1 = report_of(a, &o1, "c1.html"), *h2 = report_of(a, &o2, "c2.html");
    char *h3 = report_of(a, &o3, "c3.html"), *h4 = report_of(a, &o4, "c4.html");
    ck_assert(tu_contains(h1, "<p class=\"note\">No charts were made for this report.</p>"));
    ck_assert(tu_contains(h2, "No charts: gnuplot is not installed"));
    ck_assert(tu_contains(h3, "No charts: they were switched off (--no-charts)."));
    ck_assert(tu_contains(h4, "Geen grafieken: gnuplot is niet ge\xc3\xafnstalleerd"));
    ck_assert(!tu_contains(h1, "data:image"));
    free(h1), free(h2), free(h3), free(h4);
    mkba_appraisal_free(a);
}
END_TEST

START_TEST(report_chart_unreadable_is_an_error)
{
    char name[] = "nothere", title[] = "Missing";
    mkba_chart c = {.name = name, .title = title, .rendered = 1};
    mkba_chart_set set = {.dir = tu_tmp, .src = tu_tmp, .n = 1, .charts = &c};
    mkba_appraisal *a = build(30, "model.ini", NULL, NULL);
    mkba_report_opts o = {.charts = &set};
    char *path = tu_path(tu_tmp, "r.html"), *svg = tu_path(tu_tmp, "nothere.svg");
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_report_write(path, a, &o, &err), MKBA_EIO);
    ck_assert_str_eq(err.file, svg);
    ck_assert_str_eq(err.msg, "cannot read: No such file or directory");
    struct stat st;
    ck_assert_int_ne(stat(path, &st), 0); /* nothing written */
    free(path), free(svg);
    mkba_appraisal_free(a);
}
END_TEST

/* ============================ paths ==================================== */

START_TEST(report_refuses_input_paths)
{
    char *model = tu_write(tu_tmp, "model.ini", "[model]\n");
    char *c1 = tu_write(tu_tmp, "pilot.csv", "id\n"), *c2 = tu_write(tu_tmp, "control.csv", "id\n");
    mkba_appraisal *a = build(30, model, c1, c2);
    free(a->scenarios[1].file);
    a->scenarios[1].file = tu_write(tu_tmp, "proj.ini", "[scenario]\n");
    char *link = tu_path(tu_tmp, "link.html");
    ck_assert_int_eq(symlink(a->scenarios[1].file, link), 0);
    mkba_error err;
    char msg[2048], want[2048];

    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_report_write(model, a, NULL, &err), MKBA_EINVAL);
    snprintf(want, sizeof want, "%s: is the model file; --report would overwrite it (give "
                                "--report another file name)", model);
    ck_assert_str_eq(mkba_error_format(&err, msg, sizeof msg), want);
    char *text = tu_read(model);
    ck_assert_str_eq(text, "[model]\n"); /* untouched */
    free(text);

    mkba_error_clear(&err); /* through a symbolic link: the same file */
    ck_assert_int_eq(mkba_report_write(link, a, NULL, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "is a scenario file; --report would overwrite it (give --report "
                              "another file name)");
    mkba_error_clear(&err); /* the second of two cohort files */
    ck_assert_int_eq(mkba_report_write(c2, a, NULL, &err), MKBA_EINVAL);
    ck_assert(tu_contains(err.msg, "is a cohort file"));

    char *fresh = tu_path(tu_tmp, "fresh.html");
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_report_write(fresh, a, NULL, &err), MKBA_OK);
    /* an existing report may be replaced */
    ck_assert_int_eq(mkba_report_write(fresh, a, NULL, &err), MKBA_OK);

    char *nodir = tu_path(tu_tmp, "no/such/dir/r.html");
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_report_write(nodir, a, NULL, &err), MKBA_EIO);
    ck_assert_str_eq(err.file, nodir);
    ck_assert_str_eq(err.msg, "cannot write: No such file or directory");

    free(model), free(c1), free(c2), free(link), free(fresh), free(nodir);
    mkba_appraisal_free(a);
}
END_TEST

/* ============================ well-formed ============================== */

/* A python3 html.parser check: every element closed in order (void
 * elements excepted), no <script> element, the text valid UTF-8. */
static const char PY_CHECK[] =
    "import sys\n"
    "from html.parser import HTMLParser\n"
    "VOID = {'meta','br','img','hr','link','input','col','area','base','wbr','source'}\n"
    "class P(HTMLParser):\n"
    "    def __init__(s):\n"
    "        super().__init__(convert_charrefs=True); s.stack = []; s.err = []\n"
    "    def handle_starttag(s, t, a):\n"
    "        if t == 'script': s.err.append('script element')\n"
    "        if t not in VOID: s.stack.append(t)\n"
    "    def handle_endtag(s, t):\n"
    "        if not s.stack or s.stack[-1] != t:\n"
    "            s.err.append('unexpected </%s> in %s' % (t, '/'.join(s.stack[-4:])))\n"
    "        else: s.stack.pop()\n"
    "p = P(); p.feed(open(sys.argv[1], encoding='utf-8').read()); p.close()\n"
    "if p.stack: p.err.append('unclosed: ' + '/'.join(p.stack))\n"
    "print('\\n'.join(p.err[:5]) if p.err else 'OK')\n";

static void check_well_formed(const char *path, const char *html)
{
    const char *tags[] = {"html", "head", "body", "table", "tr", "section", "figure", "p"};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        char open1[32], open2[32], close[32];
        snprintf(open1, sizeof open1, "<%s>", tags[i]);
        snprintf(open2, sizeof open2, "<%s ", tags[i]);
        snprintf(close, sizeof close, "</%s>", tags[i]);
        size_t o = count_of(html, open1) + count_of(html, open2), c = count_of(html, close);
        ck_assert_msg(o == c, "%s: %zu <%s> but %zu </%s>", path, o, tags[i], c, tags[i]);
    }
    ck_assert_uint_eq(count_of(html, "<html"), 1);
    if (system("command -v python3 >/dev/null 2>&1") != 0)
        return; /* the stricter check is optional */
    char *py = tu_write(tu_tmp, "check_html.py", PY_CHECK);
    char cmd[4096], out[4096] = "";
    snprintf(cmd, sizeof cmd, "python3 '%s' '%s' 2>&1", py, path);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    pclose(p);
    ck_assert_msg(strcmp(out, "OK\n") == 0, "%s: %s", path, out);
    free(py);
}

START_TEST(report_is_well_formed)
{
    free(tu_write(tu_tmp, "c0.svg", SVG[0]));
    char n0[] = "c0", t0[] = "Chart";
    mkba_chart c = {.name = n0, .title = t0, .rendered = 1};
    mkba_chart_set set = {.dir = tu_tmp, .src = tu_tmp, .n = 1, .charts = &c};
    mkba_appraisal *a = build(3, "model.ini", NULL, NULL);
    free(a->effects[0].label); /* the other branches: no label, only a name (and unit) */
    a->effects[0].label = mkba_xstrdup("");
    free(a->items[1].label);
    a->items[1].label = mkba_xstrdup("");
    for (int nl = 0; nl < 2; nl++) {
        mkba_report_opts o = {.lang_nl = nl, .charts = &set};
        char *html = report_of(a, &o, "wf.html"), *path = tu_path(tu_tmp, "wf.html");
        check_well_formed(path, html);
        free(html), free(path);
    }
    mkba_appraisal_free(a);
}
END_TEST


/* ========================== propensity model ============================ */

/* The section "Balance and overlap" from the hand-built diagnostics of
 * testutil.c (min_group 10, groups of 50 and 212 in the cohort). */
START_TEST(report_balance_and_overlap)
{
    free(tu_write(tu_tmp, "balance.svg", SVG[0]));
    free(tu_write(tu_tmp, "overlap.svg", SVG[1]));
    free(tu_write(tu_tmp, "c2.svg", SVG[2]));
    char n0[] = "balance", n1[] = "overlap", n2[] = "c2";
    char t0[] = "Love", t1[] = "Overlap", t2[] = "Other";
    mkba_chart charts[3] = {{.name = n2, .title = t2, .rendered = 1},
                            {.name = n0, .title = t0, .rendered = 1},
                            {.name = n1, .title = t1, .rendered = 1}};
    mkba_chart_set set = {.dir = tu_tmp, .src = tu_tmp, .n = 3, .charts = charts};
    mkba_appraisal *a = build(30, "model.ini", NULL, NULL);
    mkba_report_opts en = {.lang_nl = 0, .charts = &set}, nl = {.lang_nl = 1, .charts = &set};
    char *plain = report_of(a, &en, "plain.html");
    ck_assert(!tu_contains(plain, "Balance and overlap"));
    a->ps = tu_ps_diag();
    a->min_group = 10;
    a->group_pilot = 50;
    a->group_control = 212;
    char *h = report_of(a, &en, "ps.html");
    char *path = tu_path(tu_tmp, "ps.html");
    check_well_formed(path, h);
    free(path);
    const char *sec = strstr(h, "<section id=\"ps\">\n<h2>Balance and overlap</h2>");
    ck_assert_ptr_nonnull(sec);
    ck_assert(strstr(h, "<section id=\"effects\">") < sec);      /* after the effects */
    ck_assert(sec < strstr(h, "<section id=\"balance\">"));     /* before the balances */
    ck_assert(tu_contains(h, "<a href=\"#ps\">Balance and overlap</a>"));
    const char *end = strstr(sec, "</section>");
    char *part = mkba_xstrndup(sec, (size_t)(end - sec));
    ck_assert(tu_contains(part, "<strong>1 covariate remains imbalanced after weighting "
                                "(|SMD| &gt; 0.1):</strong> <code>age^2</code>."));
    ck_assert(tu_contains(part, "the average effect on the pilot&#39;s participants (ATT)"));
    ck_assert(tu_contains(part, "<td class=\"n\">50</td><td class=\"n\">200</td>"));
    /* a column withheld: the effective sizes and every coefficient with it */
    ck_assert(tu_contains(part, "Effective sample size after weighting</td><td class=\"n\">x</td>"
                                "<td class=\"n\">x</td>"));
    ck_assert(tu_contains(part, "<tr><td><code>age^2</code></td><td class=\"n\">0.400</td>"
                                "<td class=\"n\">0.150</td><td class=\"neg\">imbalanced</td>"));
    ck_assert(tu_contains(part, "<tr><td><code>household: single parent</code></td><td "
                                "class=\"n\">x</td><td class=\"n\">x</td><td class=\"neg\"></td>"));
    ck_assert(tu_contains(part, "<tr><td><code>(intercept)</code></td><td class=\"n\">x</td>"
                                "<td class=\"n\">x</td></tr>"));
    ck_assert(tu_contains(part, "x: withheld to protect privacy: a 0/1 covariate with fewer "
                                "than 10 persons on one side, and with it every coefficient"));
    ck_assert(!tu_contains(part, "0.8</td>")); /* the withheld coefficient */
    /* both charts in this section, the other one under "Charts" only */
    ck_assert_uint_eq(count_of(part, "base64,"), 2);
    ck_assert_uint_eq(count_of(h, "base64,"), 3);
    ck_assert(tu_contains(part, "<figcaption>Love</figcaption>"));
    free(part);
    free(h);
    h = report_of(a, &nl, "ps_nl.html");
    ck_assert(tu_contains(h, "<h2>Balans en overlap</h2>"));
    ck_assert(tu_contains(h, "SMD na weging"));
    ck_assert(tu_contains(h, "covariaat blijft uit balans na weging (|SMD| &gt; 0,1):"));
    ck_assert(tu_contains(h, "<td class=\"n\">0,150</td><td class=\"neg\">uit balans</td>"));
    free(h);
    /* no column withheld (10 persons: at the threshold): the fit's figures shown */
    a->ps->n_rare[2] = 10;
    h = report_of(a, &nl, "ps_shown_nl.html");
    ck_assert(tu_contains(h, "Effectieve steekproefomvang na weging</td><td class=\"n\">50,0</td>"
                             "<td class=\"n\">80,3</td>")); /* 80.25, half up */
    ck_assert(tu_contains(h, "<tr><td><code>(intercept)</code></td><td class=\"n\">-1,5</td>"
                             "<td class=\"n\">0,4</td></tr>"));
    free(h);
    a->ps->n_rare[2] = 4;
    /* a small group in the fit: the section says why and shows nothing */
    a->ps->n[1] = 9;
    h = report_of(a, &en, "ps_small.html");
    ck_assert(tu_contains(h, "Withheld to protect privacy: a group of the propensity model has "
                             "fewer than 10 persons."));
    ck_assert(!tu_contains(h, "SMD"));
    ck_assert(!tu_contains(h, "<figcaption>Love</figcaption>"));
    free(h);
    free(plain);
    mkba_appraisal_free(a);
}
END_TEST

/* ============================ the CLI ================================== */

static int run(const char *const *args, char **out, char **err)
{
    return tu_run(tu_srcdir(), args, out, err);
}

static char *sha256_of(const char *rel)
{
    char cmd[1024], hash[80] = "";
    snprintf(cmd, sizeof cmd, "sha256sum '%s/%s'", tu_srcdir(), rel);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert(fscanf(p, "%64s", hash) == 1);
    pclose(p);
    return mkba_xstrdup(hash);
}

/* The e2e model of tests/check_cli.c, worked by hand there: society's
 * NPV 900 - 220 = 680, city 1000 - 220 = 780, people 900 - 1000 = -100,
 * society's B/C 900 / 220 = 4.0909 -> "4.09". Its cohort has 3 persons
 * per group, so every count is suppressed. */
START_TEST(cli_e2e_report_english)
{
    char *rep = tu_path(tu_tmp, "e2e.html"), *out, *err;
    const char *args[] = {"run", "tests/data/e2e/project.ini", "--report", rep, NULL};
    ck_assert_int_eq(run(args, &out, &err), 0);
    ck_assert_msg(tu_contains(out, "Report written to"), "%s", out);
    char *h = tu_read(rep);
    ck_assert_ptr_nonnull(h);
    ck_assert(tu_contains(h, "<div class=\"card\"><span class=\"v\">EUR 680</span>"));
    ck_assert(tu_contains(h, "<td class=\"n\">EUR 780</td>"));
    ck_assert(tu_contains(h, "<td class=\"n neg\">EUR -100</td>"));
    ck_assert(tu_contains(h, "benefit-cost ratio: 4.09"));
    ck_assert(tu_contains(h, "Worse off (negative balance, transfers included): people (<span "
                             "class=\"n neg\">EUR -100</span>)"));
    ck_assert(tu_contains(h, "Better off (positive balance, transfers included): city (<span "
                             "class=\"n\">EUR 780</span>)"));
    /* the decision first: the project (680) before the reference (0) */
    ck_assert(tu_contains(h, "<strong>The project is best for society: NPV EUR 680 against "
                             "Regular practice.</strong>"));
    /* 3 persons per group, shown: the fixture sets min_group = 1 (its items
     * use its effects; check_privacy.c withholds them at the default) */
    ck_assert(!tu_contains(h, "Counts below 10 are suppressed"));
    ck_assert(tu_contains(h, "<td class=\"n\">3 / 3</td>"));
    ck_assert(!tu_contains(h, "P1") && !tu_contains(h, "C3")); /* no person ids */
    char *hash = sha256_of("tests/data/e2e/model.ini");
    ck_assert_msg(tu_contains(h, hash), "the report lacks the model's SHA-256 %s", hash);
    ck_assert(tu_contains(h, "tests/data/e2e/cohort.csv"));
    char *path = tu_path(tu_tmp, "e2e.html");
    check_well_formed(path, h);
    free(h), free(hash), free(path), free(rep), free(out), free(err);
}
END_TEST

/* The Almere example says on the report's first screen that its cohort is
 * synthetic, and names the cohort file by its SHA-256 (coreutils'). */
START_TEST(cli_almere_report_says_synthetic)
{
    char *rep = tu_path(tu_tmp, "almere.html"), *out, *err;
    const char *args[] = {"run", "scenarios/almere-pilot.ini", "--draws", "0", "--report", rep,
                          "-q", NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    char *h = tu_read(rep);
    ck_assert_ptr_nonnull(h);
    const char *note = strstr(h, "<p class=\"datanote\" role=\"note\"><strong>About the data:"
                                 "</strong> The cohort is SYNTHETIC");
    ck_assert_msg(note != NULL, "no data note in the Almere report");
    ck_assert(note < strstr(h, "<nav>") && note < strstr(h, "id=\"conclusion\""));
    char *hash = sha256_of("data/almere_cohort.csv");
    ck_assert_msg(tu_contains(h, hash), "the report lacks the cohort's SHA-256 %s", hash);
    free(h), free(hash), free(rep), free(out), free(err);
}
END_TEST

START_TEST(cli_e2e_report_dutch)
{
    char *rep = tu_path(tu_tmp, "e2e_nl.html"), *res = tu_path(tu_tmp, "res"), *out, *err;
    const char *args[] = {"run",  "tests/data/e2e/project.ini", "--report", rep, "--lang", "nl",
                          "--out", res, "-q", NULL};
    ck_assert_int_eq(run(args, &out, &err), 0);
    char *h = tu_read(rep);
    ck_assert_ptr_nonnull(h);
    ck_assert(tu_contains(h, "<html lang=\"nl\">"));
    ck_assert(tu_contains(h, "<span class=\"v\">EUR 680</span>"));
    ck_assert(tu_contains(h, "<td class=\"n\">EUR 780</td>"));
    ck_assert(tu_contains(h, "<td class=\"n neg\">EUR -100</td>"));
    ck_assert(tu_contains(h, "baten-kostenverhouding: 4,09"));
    ck_assert(!tu_contains(h, "4.09"));
    ck_assert(tu_contains(h, "Netto contante waarde"));
    ck_assert(!tu_contains(h, "Aantallen kleiner dan 10 zijn onderdrukt")); /* min_group 1 */
    ck_assert(tu_contains(h, "Gaat erop achteruit (negatief saldo, overdrachten meegerekend): "
                             "people"));
    ck_assert(tu_contains(h, "<strong>The project is het beste voor de samenleving: netto "
                             "contante waarde EUR 680 ten opzichte van Regular practice."
                             "</strong>"));
    free(h), free(rep), free(res), free(out), free(err);
}
END_TEST

/* A model without a cohort, its effect given: in the project,
 *   work:  benefit to people = 0.1 * 100 * 12345.6 = 123,456
 *   staff: cost to the city  = 50,000
 *   society NPV = 73,456; city -50,000; people 123,456; B/C 2.46912 -> 2.47
 * Society's NPV is zero where the effect is 50,000 / (100 * 12345.6)
 * = 0.0405006..., shown as 0.0405 (4 significant digits). */
static const char GIVEN_MODEL[] =
    "[model]\n"
    "name = Report test " HOST1 "\n"
    "horizon = 2\nfirst_year = 2020\nprice_year = 2020\ndiscount_rate = 0\n"
    "currency = EUR\n"
    "stakeholders = city, people\n"
    "[stakeholder.city]\nlabel = City " HOST2 "\n"
    "[stakeholder.people]\nlabel = People\n"
    "[cohort]\nn_pilot = 100\nn_control = 100\n"
    "[effect.jobs]\nestimate = 0.1\nse = 0.02\nlabel = Jobs <b>found</b>\n"
    "source = Study <i>X</i> 2019\n"
    "[parameters]\non = 0\n"
    "[param.wage]\nvalue = 12000 + 345.6\ndistribution = normal(12345.6, 1000)\n"
    "label = Annual wage\nunit = EUR per year\nsource = CBS 2020 " HOST1 "\n"
    "[param.extra]\ndistribution = uniform(0, 2)\nlabel = Extra\n"
    "[item.work]\nlabel = Work\nkind = benefit\nstakeholder = people\n"
    "quantity = on * effect.jobs * n_pilot\nprice = wage\nyears = 1\nsource = Payroll\n"
    "[item.staff]\nlabel = Staff " HOST1 "\nkind = cost\nstakeholder = city\n"
    "quantity = on\nprice = 50000\nyears = 1\n";

static void write_given(void)
{
    free(tu_write(tu_tmp, "model.ini", GIVEN_MODEL));
    free(tu_write(tu_tmp, "ref.ini", "[scenario]\nname = ref\nlabel = Regular practice\n"
                                  "base = model.ini\n"));
    free(tu_write(tu_tmp, "proj.ini", "[scenario]\nname = proj\nlabel = The project " HOST2 "\n"
                                   "base = model.ini\nreference = ref.ini\n"
                                   "[parameters]\non = 1\nbonus = 5\n"
                                   "[item.staff]\nprice = 50000 + 0 * bonus\n"));
}

START_TEST(cli_report_monte_carlo_and_sensitivity)
{
    write_given();
    char *proj = tu_path(tu_tmp, "proj.ini"), *rep = tu_path(tu_tmp, "mc_nl.html"), *out, *err;
    const char *args[] = {"run",    proj,  "--draws", "200", "--seed", "7", "--sensitivity",
                          "--sobol", "0", "--report", rep,   "--lang", "nl", "-q", NULL};
    ck_assert_int_eq(run(args, &out, &err), 0);
    char *h = tu_read(rep);
    ck_assert_ptr_nonnull(h);
    ck_assert(tu_contains(h, "<span class=\"v\">EUR 73.456</span>"));
    ck_assert(tu_contains(h, "<td class=\"n neg\">EUR -50.000</td>"));
    ck_assert(tu_contains(h, "<td class=\"n\">EUR 123.456</td>"));
    ck_assert(tu_contains(h, "baten-kostenverhouding: 2,47"));
    ck_assert(tu_contains(h, "Kans dat de baten de kosten overtreffen"));
    ck_assert(tu_contains(h, "200 trekkingen"));
    ck_assert(tu_contains(h, "Gevoeligheidsanalyse"));
    ck_assert(tu_contains(h, "<td class=\"n\">0,0405</td>")); /* switching value of the effect */
    ck_assert(tu_contains(h, "Waarde van informatie"));
    ck_assert(tu_contains(h, "<strong>12.346</strong> EUR per year"));
    ck_assert(tu_contains(h, "<code>12000 + 345.6</code>"));
    ck_assert(tu_contains(h, "<code>normal(12345.6, 1000)</code>"));
    ck_assert(tu_contains(h, "Study &lt;i&gt;X&lt;/i&gt; 2019")); /* the given effect's source */
    ck_assert(tu_contains(h, "CBS 2020 " HOST1_ESC));
    ck_assert(tu_contains(h, "<span class=\"small\">The project " HOST2_ESC ": 1</span>"));
    ck_assert(tu_contains(h, "Report test " HOST1_ESC));
    ck_assert(tu_contains(h, "The project " HOST2_ESC));
    ck_assert(!contains_nocase(h, "<script"));
    ck_assert(!tu_contains(h, "<b>found</b>") && !tu_contains(h, "<i>X</i>"));
    ck_assert(!tu_contains(h, "onderdrukt")); /* nothing to suppress */
    char *path = tu_path(tu_tmp, "mc_nl.html");
    check_well_formed(path, h);
    free(h), free(path);
    free(out), free(err);
    /* English */
    char *rep_en = tu_path(tu_tmp, "mc_en.html");
    const char *args_en[] = {"sensitivity", proj, "--sobol", "0", "--report", rep_en, NULL};
    ck_assert_int_eq(run(args_en, &out, &err), 0);
    h = tu_read(rep_en);
    ck_assert_ptr_nonnull(h);
    ck_assert(tu_contains(h, "EUR 73,456"));
    ck_assert(tu_contains(h, "EUR -50,000"));
    ck_assert(tu_contains(h, "benefit-cost ratio: 2.47"));
    ck_assert(tu_contains(h, "<td class=\"n\">0.0405</td>"));
    ck_assert(!tu_contains(h, "id=\"uncertainty\"")); /* no Monte Carlo in sensitivity */
    free(h), free(rep_en), free(rep), free(proj), free(out), free(err);
}
END_TEST

START_TEST(cli_report_errors)
{
    write_given();
    char *proj = tu_path(tu_tmp, "proj.ini"), *model = tu_path(tu_tmp, "model.ini");
    char *res = tu_path(tu_tmp, "res"), *out, *err;
    /* the report would overwrite the model: refused before anything is written */
    const char *a1[] = {"run", proj, "--report", model, "--out", res, NULL};
    ck_assert_int_eq(run(a1, &out, &err), 1);
    char want[2048];
    snprintf(want, sizeof want, "mkba: %s: is the model file; --report would overwrite it "
                                "(give --report another file name)\n", model);
    ck_assert_str_eq(err, want);
    char *text = tu_read(model);
    ck_assert_str_eq(text, GIVEN_MODEL);
    struct stat st;
    ck_assert_int_ne(stat(res, &st), 0);
    free(text), free(out), free(err);
    /* a scenario file, named differently */
    char other[2048];
    snprintf(other, sizeof other, "%s/./proj.ini", tu_tmp);
    const char *a2[] = {"sensitivity", proj, "--report", other, NULL};
    ck_assert_int_eq(run(a2, &out, &err), 1);
    ck_assert_msg(tu_contains(err, "is a scenario file; --report would overwrite it"), "%s",
                  err);
    free(out), free(err);
    /* usage errors */
    const char *a3[] = {"run", proj, "--report", "x.html", "--lang", "de", NULL};
    ck_assert_int_eq(run(a3, &out, &err), 2);
    ck_assert_str_eq(err, "mkba: --lang expects 'nl' (Dutch) or 'en' (English), got 'de'\n"
                          "Try 'mkba run --help'.\n");
    free(out), free(err);
    const char *a4[] = {"run", proj, "--report", NULL};
    ck_assert_int_eq(run(a4, &out, &err), 2);
    ck_assert(tu_contains(err, "option '--report' needs a value"));
    free(out), free(err);
    const char *a5[] = {"run", "--help", NULL};
    ck_assert_int_eq(run(a5, &out, &err), 0);
    ck_assert(tu_contains(out, "--report FILE") && tu_contains(out, "--lang nl|en"));
    free(out), free(err);
    free(proj), free(model), free(res);
}
END_TEST

/* --report (and --draws-out) inside the --out directory, which does not
 * exist yet: its directories are made, as for the tables. The same file
 * outside --out, in a directory that does not exist, stays an error. */
START_TEST(cli_report_inside_new_out)
{
    char *res = tu_path(tu_tmp, "newres"), *rep = tu_path(tu_tmp, "newres/sub/r.html");
    char *draws = tu_path(tu_tmp, "newres/d/draws.csv"), *out, *err;
    const char *a1[] = {"run",   "tests/data/e2e/project.ini", "--out", res, "--report", rep,
                        "--draws", "20", "--bootstrap", "0", "--draws-out", draws, "-q", NULL};
    ck_assert_int_eq(run(a1, &out, &err), 0);
    struct stat st;
    ck_assert_int_eq(stat(rep, &st), 0);
    ck_assert_int_eq(stat(draws, &st), 0);
    free(out), free(err);
    char *lost = tu_path(tu_tmp, "nodir/r.html"), *res2 = tu_path(tu_tmp, "newres2");
    const char *a2[] = {"run", "tests/data/e2e/project.ini", "--out", res2, "--report", lost,
                        NULL};
    ck_assert_int_eq(run(a2, &out, &err), 1);
    ck_assert_msg(tu_contains(err, "r.html: cannot write: No such file or directory"), "%s", err);
    ck_assert_int_ne(stat(res2, &st), 0); /* refused before anything was written */
    free(out), free(err), free(lost), free(res2);
    free(res), free(rep), free(draws);
}
END_TEST

typedef struct suffix_count {
    const char *suffix;
    size_t n;
} suffix_count;

static int count_suffix(const char *rel, const char *full, const struct stat *st, void *ctx)
{
    (void)full, (void)st;
    suffix_count *c = ctx;
    size_t n = strlen(rel), k = strlen(c->suffix);
    c->n += n >= k && strcmp(rel + n - k, c->suffix) == 0;
    return 1; /* 'dir' itself only, not what its subdirectories hold */
}

/* Entries of 'dir' whose name ends in 'suffix' ("": all of them). */
static size_t entries_in(const char *dir, const char *suffix)
{
    suffix_count c = {suffix, 0};
    tu_walk(dir, count_suffix, &c);
    return c.n;
}

/* Charts: without --out they are made in a temporary directory (under
 * $TMPDIR) that is removed afterwards; with --out those of OUT/charts are
 * embedded; with --no-charts the report says so. */
START_TEST(cli_report_charts)
{
    int gnuplot = system("command -v gnuplot >/dev/null 2>&1") == 0;
    char *tdir = tu_path(tu_tmp, "tmpdir"), *r1 = tu_path(tu_tmp, "r1.html");
    char *r2 = tu_path(tu_tmp, "r2.html"), *r3 = tu_path(tu_tmp, "r3.html");
    char *res = tu_path(tu_tmp, "res"), *res3 = tu_path(tu_tmp, "res3"), *out, *err;
    ck_assert_int_eq(mkdir(tdir, 0777), 0);
    const char *old = getenv("TMPDIR");
    char *saved = old ? mkba_xstrdup(old) : NULL;
    setenv("TMPDIR", tdir, 1);
    const char *a1[] = {"run", "tests/data/e2e/project.ini", "--report", r1, "-q", NULL};
    int rc = run(a1, &out, &err);
    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_uint_eq(entries_in(tdir, ""), 0); /* the temporary charts are gone */
    char *h = tu_read(r1);
    ck_assert_ptr_nonnull(h);
    if (gnuplot)
        ck_assert_msg(count_of(h, "data:image/svg+xml;base64,") >= 1, "no chart embedded");
    else
        ck_assert(tu_contains(h, "gnuplot is not installed"));
    free(h), free(out), free(err);

    const char *a2[] = {"run", "tests/data/e2e/project.ini", "--out", res, "--report", r2, "-q",
                        NULL};
    ck_assert_int_eq(run(a2, &out, &err), 0);
    h = tu_read(r2);
    ck_assert_ptr_nonnull(h);
    char *charts = tu_path(res, "charts");
    if (gnuplot) /* each SVG of OUT/charts is in the report */
        ck_assert_uint_eq(count_of(h, "data:image/svg+xml;base64,"), entries_in(charts, ".svg"));
    free(h), free(out), free(err), free(charts);

    const char *a3[] = {"run", "tests/data/e2e/project.ini", "--out", res3, "--no-charts",
                        "--report", r3, "--lang", "nl", "-q", NULL};
    ck_assert_int_eq(run(a3, &out, &err), 0);
    h = tu_read(r3);
    ck_assert_ptr_nonnull(h);
    ck_assert(tu_contains(h, "Geen grafieken: ze zijn uitgezet (--no-charts)."));
    ck_assert(!tu_contains(h, "data:image"));
    free(h), free(out), free(err);
    free(tdir), free(r1), free(r2), free(r3), free(res), free(res3);
}
END_TEST

/* The parameters the model puts into the appraisal for the report (see
 * GIVEN_MODEL): 'on' (0 in the reference, 1 in the project), 'wage' (a
 * formula with a distribution), 'extra' (only a distribution: its base
 * value is the mean of uniform(0, 2), 1), and 'bonus', new in the project
 * scenario. */
START_TEST(appraisal_carries_parameters)
{
    write_given();
    char *ref = tu_path(tu_tmp, "ref.ini"), *proj = tu_path(tu_tmp, "proj.ini");
    const char *projects[] = {proj};
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = mkba_model_open(ref, 1, projects, &err);
    ck_assert_msg(m != NULL, "%s", err.msg);
    mkba_appraisal *a = mkba_model_appraise(m, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    ck_assert_uint_eq(a->n_params, 4);
    const mkba_ap_param *on = &a->params[0], *wage = &a->params[1], *extra = &a->params[2],
                        *bonus = &a->params[3];
    ck_assert_str_eq(on->name, "on");
    ck_assert_str_eq(on->label, "");
    ck_assert_str_eq(on->value, "0");
    ck_assert_str_eq(on->distribution, "");
    ck_assert_str_eq(on->scen_value[0], "0");
    ck_assert_str_eq(on->scen_value[1], "1");
    ck_assert_double_eq(on->base[0], 0);
    ck_assert_double_eq(on->base[1], 1);
    ck_assert_str_eq(wage->name, "wage");
    ck_assert_str_eq(wage->label, "Annual wage");
    ck_assert_str_eq(wage->unit, "EUR per year");
    ck_assert_str_eq(wage->value, "12000 + 345.6");
    ck_assert_str_eq(wage->distribution, "normal(12345.6, 1000)");
    ck_assert_str_eq(wage->source, "CBS 2020 " HOST1);
    ck_assert_double_eq_tol(wage->base[1], 12345.6, 1e-9);
    ck_assert_str_eq(extra->name, "extra");
    ck_assert_str_eq(extra->value, "");
    ck_assert_str_eq(extra->scen_value[1], "");
    ck_assert_str_eq(extra->distribution, "uniform(0, 2)");
    ck_assert_double_eq_tol(extra->base[0], 1, 1e-12);
    ck_assert_str_eq(bonus->name, "bonus");
    ck_assert_str_eq(bonus->value, "");
    ck_assert_str_eq(bonus->scen_value[0], "");
    ck_assert_str_eq(bonus->scen_value[1], "5");
    ck_assert(isnan(bonus->base[0]));
    ck_assert_double_eq(bonus->base[1], 5);
    /* the given effect's source and unit */
    ck_assert_uint_eq(a->n_effects, 1);
    ck_assert_str_eq(a->effects[0].source, "Study <i>X</i> 2019");
    ck_assert_str_eq(a->effects[0].unit, "");
    mkba_appraisal_free(a);
    mkba_model_free(m);
    free(ref), free(proj);
}
END_TEST

/* ============================ the browser ============================== */

/* The browser to use: $MKBA_CHROMIUM, else chromium (or chromium-browser)
 * on the PATH or in /usr/bin. NULL when there is none. Caller frees. */
static char *find_chromium(void)
{
    const char *env = getenv("MKBA_CHROMIUM");
    if (env && *env)
        return mkba_xstrdup(env);
    const char *names[] = {"chromium", "chromium-browser"};
    const char *path = getenv("PATH");
    char *dirs = mkba_xstrdup(path && *path ? path : "/usr/bin:/bin");
    char *found = NULL;
    for (size_t i = 0; i < 2 && !found; i++) {
        char *save = NULL, *copy = mkba_xstrdup(dirs);
        for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
            char *p = tu_path(d, names[i]);
            if (access(p, X_OK) == 0)
                found = p;
            else
                free(p);
        }
        free(copy);
    }
    free(dirs);
    if (!found && access("/usr/bin/chromium", X_OK) == 0)
        found = mkba_xstrdup("/usr/bin/chromium");
    return found;
}

/* Run 'argv' with HOME, TMPDIR and the XDG directories in 'home', output to
 * 'log'; kill its process group after 'limit' seconds. Returns the exit
 * status, or -1 when it was killed or did not exit normally. */
static int run_bounded(char *const *argv, const char *home, const char *log, int limit)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        setpgid(0, 0);
        char *cfg = tu_path(home, ".config"), *cache = tu_path(home, ".cache");
        setenv("HOME", home, 1);
        setenv("XDG_CONFIG_HOME", cfg, 1);
        setenv("XDG_CACHE_HOME", cache, 1);
        setenv("TMPDIR", home, 1);
        if (!freopen(log, "w", stdout) || !freopen(log, "a", stderr))
            _exit(126);
        execv(argv[0], argv);
        _exit(127);
    }
    setpgid(pid, pid);
    struct timespec nap = {0, 100 * 1000 * 1000};
    for (int i = 0; i < limit * 10; i++) {
        int status;
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        nanosleep(&nap, NULL);
    }
    kill(-pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

static unsigned long be32(const unsigned char *p)
{
    return ((unsigned long)p[0] << 24) | ((unsigned long)p[1] << 16) |
           ((unsigned long)p[2] << 8) | (unsigned long)p[3];
}

START_TEST(report_opens_in_chromium)
{
    const char *skip = getenv("MKBA_SKIP_BROWSER");
    if (skip && strcmp(skip, "1") == 0)
        return; /* asked to skip (MKBA_SKIP_BROWSER=1) */
    char *bin = find_chromium();
    ck_assert_msg(bin != NULL && access(bin, X_OK) == 0,
                  "chromium not found%s%s: install the package 'chromium' (apt-get install "
                  "chromium; 'make check' does), set MKBA_CHROMIUM to the browser, or set "
                  "MKBA_SKIP_BROWSER=1 to skip this test",
                  bin ? " at " : "", bin ? bin : "");
    /* a report with a chart, in Dutch */
    free(tu_write(tu_tmp, "c0.svg", SVG[0]));
    free(tu_write(tu_tmp, "c2.svg", SVG[2]));
    char n0[] = "c0", n2[] = "c2", t0[] = "Staafje", t2[] = "Tekst";
    mkba_chart charts[2] = {{.name = n0, .title = t0, .rendered = 1},
                            {.name = n2, .title = t2, .rendered = 1}};
    mkba_chart_set set = {.dir = tu_tmp, .src = tu_tmp, .n = 2, .charts = charts};
    mkba_appraisal *a = build(3, "model.ini", NULL, NULL);
    mkba_report_opts o = {.lang_nl = 1, .charts = &set};
    free(report_of(a, &o, "browser.html"));
    mkba_appraisal_free(a);
    /* an absolute file:// URL */
    char cwd[4096];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    char *html = tu_path(tu_tmp, "browser.html");
    char url[8192], shot_arg[4096], profile_arg[4096];
    snprintf(url, sizeof url, "file://%s%s%s", html[0] == '/' ? "" : cwd,
             html[0] == '/' ? "" : "/", html);
    char *shot = tu_path(tu_tmp, "shot.png"), *profile = tu_path(tu_tmp, "profile");
    char *log = tu_path(tu_tmp, "chromium.log");
    snprintf(shot_arg, sizeof shot_arg, "--screenshot=%s", shot);
    snprintf(profile_arg, sizeof profile_arg, "--user-data-dir=%s", profile);
    char *argv[] = {bin, "--headless", "--no-sandbox", "--disable-gpu", profile_arg,
                    shot_arg, "--window-size=1280,2000", url, NULL};
    int rc = run_bounded(argv, tu_tmp, log, 60);
    char *text = tu_read(log);
    ck_assert_msg(rc == 0, "chromium exited with %d (-1: killed after 60 s or crashed): %s", rc,
                  text ? text : "");
    free(text);
    /* a PNG (signature, then the IHDR chunk) of the window's size */
    FILE *f = fopen(shot, "rb");
    ck_assert_msg(f != NULL, "no screenshot: %s", strerror(errno));
    unsigned char head[24];
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    ck_assert_uint_eq(n, sizeof head);
    ck_assert(memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0);
    ck_assert(memcmp(head + 12, "IHDR", 4) == 0);
    ck_assert_uint_eq(be32(head + 16), 1280);
    ck_assert_uint_eq(be32(head + 20), 2000);
    free(bin), free(html), free(shot), free(profile), free(log);
}
END_TEST

/* The Dutch Almere report as the browser reads it: headless Chromium loads
 * the file and dumps its DOM (--dump-dom), in which the Dutch headings, the
 * decision and the Dutch data note stand, and the English headings do not. */
START_TEST(almere_dutch_report_in_chromium)
{
    const char *skip = getenv("MKBA_SKIP_BROWSER");
    if (skip && strcmp(skip, "1") == 0)
        return; /* asked to skip (MKBA_SKIP_BROWSER=1) */
    char *bin = find_chromium();
    ck_assert_msg(bin != NULL && access(bin, X_OK) == 0, "chromium not found (see "
                                                          "report_opens_in_chromium)");
    char *rep = tu_path(tu_tmp, "almere_nl.html"), *out, *err;
    const char *args[] = {"run", "scenarios/almere-pilot.ini", "scenarios/almere-liaison.ini",
                          "--draws", "500", "--lang", "nl", "--report", rep, "-q", NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    char cwd[4096], url[8192], profile_arg[4096];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    snprintf(url, sizeof url, "file://%s%s%s", rep[0] == '/' ? "" : cwd, rep[0] == '/' ? "" : "/",
             rep);
    char *profile = tu_path(tu_tmp, "profile"), *log = tu_path(tu_tmp, "dom.html");
    snprintf(profile_arg, sizeof profile_arg, "--user-data-dir=%s", profile);
    char *argv[] = {bin, "--headless", "--no-sandbox", "--disable-gpu", profile_arg,
                    "--dump-dom", url, NULL};
    int rc = run_bounded(argv, tu_tmp, log, 60);
    char *dom = tu_read(log);
    ck_assert_msg(rc == 0 && dom, "chromium exited with %d: %s", rc, dom ? dom : "");
    const char *dutch[] = {"<h2>Conclusie</h2>", "<h2>Balans en overlap</h2>",
                           "Reguliere werkwijze is het beste voor de samenleving",
                           "Over de gegevens:", "Het cohort is SYNTHETISCH",
                           "Terugverdientijd: "};
    for (size_t i = 0; i < sizeof dutch / sizeof dutch[0]; i++)
        ck_assert_msg(tu_contains(dom, dutch[i]), "'%s' not in the DOM", dutch[i]);
    const char *english[] = {"<h2>Conclusion</h2>", "<h2>Balance and overlap</h2>",
                             "is best for society", "About the data:", "Payback: "};
    for (size_t i = 0; i < sizeof english / sizeof english[0]; i++)
        ck_assert_msg(!tu_contains(dom, english[i]), "'%s' in the Dutch DOM", english[i]);
    free(dom), free(log), free(profile), free(rep), free(out), free(err), free(bin);
}
END_TEST

static Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, fmt_number_dutch_and_english);
    tcase_add_test(tc, fmt_number_rounding_and_zero);
    tcase_add_test(tc, fmt_money_percent_value);
    suite_add_tcase(s, tc);

    tc = tcase_create("content");
    tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
    tcase_add_test(tc, report_figures_both_languages);
    tcase_add_test(tc, report_escapes_hostile_labels);
    tcase_add_test(tc, report_data_note_first_screen);
    tcase_add_test(tc, report_provenance_build_and_cohort);
    tcase_add_test(tc, report_suppresses_small_counts);
    tcase_add_test(tc, report_is_well_formed);
    suite_add_tcase(s, tc);

    tc = tcase_create("charts");
    tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
    tcase_add_test(tc, report_embeds_svg_charts);
    tcase_add_test(tc, report_without_charts_says_why);
    tcase_add_test(tc, report_chart_unreadable_is_an_error);
    tcase_add_test(tc, report_balance_and_overlap);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
    tcase_add_test(tc, report_refuses_input_paths);
    suite_add_tcase(s, tc);

    tc = tcase_create("params");
    tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
    tcase_add_test(tc, appraisal_carries_parameters);
    suite_add_tcase(s, tc);

    tc = tcase_create("cli");
    tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
    tcase_set_timeout(tc, 300); /* the binary may run under valgrind */
    tcase_add_test(tc, cli_e2e_report_english);
    tcase_add_test(tc, cli_almere_report_says_synthetic);
    tcase_add_test(tc, cli_e2e_report_dutch);
    tcase_add_test(tc, cli_report_monte_carlo_and_sensitivity);
    tcase_add_test(tc, cli_report_errors);
    tcase_add_test(tc, cli_report_inside_new_out);
    tcase_add_test(tc, cli_report_charts);
    suite_add_tcase(s, tc);

    tc = tcase_create("browser");
    tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, report_opens_in_chromium);
    tcase_add_test(tc, almere_dutch_report_in_chromium);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(report_suite());
}

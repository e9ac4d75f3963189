/* report.h - the appraisal as one self-contained HTML file for council
 * members and policy analysts (mkba run --report FILE.html).
 *
 * The report holds, in Dutch or English: a title (model, scenarios), the
 * run's warnings (appraisal.h) in a red box before anything is concluded
 * (only when there are any: a report without warnings is unchanged), a
 * short conclusion per project scenario (society's net present value, the
 * benefit-cost ratio, the chance of a positive NPV when a Monte Carlo was
 * run, who pays and who gains), key figures, the tables (effects with
 * their confidence intervals; with a propensity model (a->ps) the section
 * "Balance and overlap": the verdict, the balance table, the coefficients,
 * the persons and effective sample sizes, the charts balance and overlap,
 * shown there and not again under the charts; the balance per
 * stakeholder, the items, the Monte Carlo summary, the sensitivity analysis, the value of
 * information), the charts, every assumption with its source, and the
 * provenance of the run (version and commit, each file read with its
 * canonical path and SHA-256, the cohort's files too, the Monte Carlo's
 * seed and draws, the Sobol sample size and seed). The model's data note
 * (a->data_note) is a box right under the title, on the first screen.
 *
 * Self-contained: CSS inline, no scripts, no external fetches; each chart
 * is embedded as <img src="data:image/svg+xml;base64,...">, so a script in
 * an SVG never runs. Every text that comes from a model, scenario or
 * cohort file is HTML-escaped. Disclosure control: every count of persons
 * and every statistic of a group (a group mean) passes mkba_ap_suppressed;
 * a suppressed count shows as "<N" (N = a->min_group) and the report then
 * says that counts below N are suppressed.
 *
 * Numbers follow the language: Dutch "EUR 1.234.567", "EUR -1.234,5",
 * "0,51", "12,3%"; English "EUR 1,234,567", "EUR -1,234.5", "0.51",
 * "12.3%". Rounding is half away from zero; anything that rounds to zero
 * prints without a sign (never "-0"); a value that is not finite prints
 * as "n/a" (English) or "n.v.t." (Dutch). None of this depends on the C
 * locale. */
#ifndef MKBA_REPORT_H
#define MKBA_REPORT_H

#include <stddef.h>

#include "mkba/appraisal.h"
#include "mkba/chart.h"
#include "mkba/error.h"
#include "mkba/fmt.h"

typedef struct mkba_report_opts {
    int lang_nl;                   /* Dutch (1) or English (0) */
    const mkba_chart_set *charts;  /* charts to embed (borrowed); NULL: none */
    int charts_skipped;            /* the user asked for no charts (--no-charts) */
} mkba_report_opts;

/* Write the report of 'a' to 'path', atomically (the old file, if any, is
 * replaced only by a complete new one). 'o' may be NULL (English, no
 * charts). Of the charts only those marked rendered are embedded, from
 * DIR/NAME.svg; when none is (no set, gnuplot missing, --no-charts) the
 * report says so in one line.
 * Fails, writing nothing, with MKBA_EINVAL when 'path' is one of the input
 * files (by inode or real path, as every output: pub.h mkba_pub_claim;
 * "path: is the model file; --report would overwrite it (give --report
 * another file name)"), MKBA_EIO when a chart cannot be read
 * ("DIR/NAME.svg: cannot read: <reason>") or the file cannot be written
 * ("path: cannot write: <reason>"). */
mkba_status mkba_report_write(const char *path, const mkba_appraisal *a,
                              const mkba_report_opts *o, mkba_error *err);
/* The same as the output "--report" of the caller's publication (pub.h),
 * published with the rest of a run; the charts are read from set->src. */
struct mkba_pub;
mkba_status mkba_report_stage(struct mkba_pub *pub, const char *path, const mkba_appraisal *a,
                              const mkba_report_opts *o, mkba_error *err);

/* ---- Number formatting in the report's style (also for tests) ---- */

/* The number formats of the report, kept under their old names for callers
 * of this header: the rules are in fmt.h (mkba_fmt_number and the rest). */
static inline void mkba_report_fmt_number(char *buf, size_t size, double x, int decimals,
                                          int lang_nl)
{
    mkba_fmt_number(buf, size, x, decimals, lang_nl);
}
static inline void mkba_report_fmt_money(char *buf, size_t size, const char *currency, double x,
                                         int decimals, int lang_nl)
{
    mkba_fmt_money(buf, size, currency, x, decimals, lang_nl);
}
static inline void mkba_report_fmt_percent(char *buf, size_t size, double share, int decimals,
                                           int lang_nl)
{
    mkba_fmt_percent(buf, size, share, decimals, lang_nl);
}
static inline void mkba_report_fmt_value(char *buf, size_t size, double x, int lang_nl)
{
    mkba_fmt_value(buf, size, x, lang_nl);
}

#endif

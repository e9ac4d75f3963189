/* out.h - the results of an appraisal for people and for other programs:
 * a plain-text report for the terminal, CSV tables and results.json.
 *
 * Terminal. Aligned tables at most 100 columns wide, amounts rounded to
 * whole currency units with thousands separators ("1,234,567",
 * "-123,456"; anything that rounds to zero prints as "0", never "-0"),
 * ratios with 2 decimals, a B/C ratio that is not shown (appraisal.h,
 * mkba_bcr: unless both present values are positive) as "n/a" with why; every statistic that is not finite (no finite draw, a sum beyond
 * 1.8e308) as "n/a", never "nan", "inf" or 0. Every text from the model
 * (labels, names, units, the currency) is escaped for the terminal
 * (escape.h: ESC prints as \x1b, taking 4 columns in the tables). No
 * person-level data is ever printed (the appraisal holds none).
 *
 * Files. Every number is written at full precision ("%.17g", which reads
 * back to the same double). Each CSV table comes in two dialects: English
 * (',' separator, decimal point) and Dutch (*_nl.csv: ';' separator,
 * decimal comma), same content. A header row comes first; text fields are
 * quoted per RFC 4180 when they contain the separator, a quote, a line
 * break or leading/trailing blanks; lines end in "\n". A text field that a
 * spreadsheet would run as a formula (it starts with '=', '+', '-', '@',
 * TAB or CR: mkba_escape_is_formula) is neutralised as OWASP recommends: a
 * single quote before it, and quoted ("'=HYPERLINK(...)"); numbers are not
 * text (-12.5 stays -12.5). The same holds for the draws file
 * (mkba_out_write_draws). Other text is written as it is. A NaN is an empty
 * field (spreadsheets read it as missing), +/-infinity is "inf"/"-inf".
 * In results.json NaN and infinity are null. The Dutch files have Dutch
 * column names (sink_csv.h: "schatting" for "estimate"). The tables:
 *
 *   effects.csv       effect, label, method, estimate, se, ci_lo, ci_hi, df,
 *                     mean_pilot, mean_control, n_pilot, n_control, n_missing,
 *                     suppressed (1 when a value of the row is withheld, else
 *                     0), suppressed_fields (names of the withheld fields,
 *                     space-separated; see "Disclosure control" below)
 *   summary.csv       per project scenario, per stakeholder and "society":
 *                     scenario, stakeholder, pv_benefits, pv_costs, npv, bcr,
 *                     benefits_undiscounted, costs_undiscounted, net_undiscounted
 *   items.csv         per project scenario, per item: scenario, item, label,
 *                     kind, domain, stakeholder, loser (transfers only), pv,
 *                     undiscounted
 *   cashflows.csv     per scenario (the reference too), item and year:
 *                     scenario, item, kind, stakeholder, year, calendar_year,
 *                     flow, delta, discount_factor, pv_delta
 *   stakeholder_flows.csv  per project scenario, stakeholder/"society" and
 *                     year: scenario, stakeholder, year, calendar_year, net,
 *                     discount_factor, net_discounted
 *   alternatives.csv  every alternative ranked for society, side by side;
 *   pairwise.csv      with two projects or more, project A minus project B
 *                     (decision.h; the columns: tables_decision.c)
 *   balance.csv       only with a propensity model (appraisal.h a->ps): per
 *                     design column but the intercept: term, smd_before,
 *                     smd_after, imbalanced (1 when |smd_after| > 0.1),
 *                     suppressed (1 when the row's values are withheld),
 *                     suppressed_reason ("rare_value": a 0/1 column with
 *                     fewer than min_group persons on one side;
 *                     "small_group": a group of the fitted sample is small)
 *   propensity.csv    the same: per design column, the intercept first:
 *                     term, coef, se, suppressed, suppressed_reason (also
 *                     "rare_value_in_model": withheld with another column;
 *                     "small_count": with the counts; mkba_ap_ps_fit_withheld)
 *   overlap.csv       the same: the propensity histogram per group, its bins
 *                     merged for disclosure control (mkba_ap_ps_bins): group
 *                     ("pilot", "control"), from, to, share (of the group)
 *   results.json      all of the above plus provenance; see out.c. When the
 *                     appraisal has warnings (appraisal.h), a "warnings"
 *                     array after "cohort": per warning its kind
 *                     ("pilot_switch", "outside_distribution"), file, line
 *                     (null when none), where ("[section] key"), message,
 *                     and text (the line as printed after "mkba: warning: ").
 *                     Without warnings the key is left out, so a run without
 *                     warnings writes the same results.json as before. */
#ifndef MKBA_OUT_H
#define MKBA_OUT_H

#include <stdio.h>

#include "mkba/appraisal.h"
#include "mkba/error.h"
#include "mkba/model.h"
#include "mkba/pub.h"
#include "mkba/sim.h"

typedef struct mkba_out_opts {
    int lang_nl; /* 1: Dutch (mkba --lang nl): every fixed text (fmt_nl.c),
                    the model's label_nl and Dutch numbers ("1.234.567",
                    "2,25%", "n.v.t."); 0: English */
    int detail;  /* 0 summary, 1 also items and yearly flows */
} mkba_out_opts;

/* Print the human report to 'f' (the CLI passes stdout): a header with the
 * model's settings, the effects, per project scenario the balance for
 * society and per stakeholder (with o->detail also per item and per year),
 * and a one-sentence conclusion per scenario. 'o' may be NULL (summary).
 * Write errors are left in ferror(f) for the caller to check. */
void mkba_out_print(FILE *f, const mkba_appraisal *a, const mkba_out_opts *o);

/* Print only the effects table (for `mkba estimate`); in Dutch when 'nl'
 * (as every print function below). */
void mkba_out_print_effects(FILE *f, const mkba_appraisal *a, int nl);

/* Write all result files into directory 'dir' (created if missing, parents
 * too): the five tables in both dialects and results.json, with the Monte
 * Carlo and sensitivity tables when the appraisal has them. The tables of
 * an earlier run with names this run does not write are removed. Whole or
 * not at all: see pub.h (mkba_out_write_dir is one publication of its
 * own; mkba_out_stage_dir adds the files to the caller's publication, to
 * be committed with the rest of a run). Fails with MKBA_EIO naming the
 * directory or file ("dir: cannot create directory: ...",
 * "dir/summary.csv: cannot write: ..."), MKBA_EINVAL when an output or a
 * stale table is an input (see mkba_out_inputs), or MKBA_ENOMEM when the
 * JSON tree cannot be built. */
mkba_status mkba_out_write_dir(const char *dir, const mkba_appraisal *a, mkba_error *err);
mkba_status mkba_out_stage_dir(mkba_pub *pub, const char *dir, const mkba_appraisal *a,
                               mkba_error *err);

/* Register the inputs named in 'a' (model file, scenario files, cohort
 * files) with the publication, so that no output takes their place. */
void mkba_out_inputs(mkba_pub *pub, const mkba_appraisal *a);

/* Whether 'rel', a path relative to an --out directory, names a file that
 * a run may write or remove there (a table NAME.csv or NAME_nl.csv,
 * results.json, the directory charts/ and the chart files in it, see
 * mkba_chart_owns), so that no other output and no input may take its
 * name. */
int mkba_out_owns(const char *rel);

/* ---- Disclosure control (see appraisal.h: min_group) ----
 * Which values of an effect's row of the effects table are withheld in
 * every output (terminal, CSV, JSON; charts and the report use the same)
 * is decided by one rule, mkba_ap_effect_hidden in disclose.h, where it
 * is written out and argued (the MKBA_HIDE_* bits are defined there):
 *   - a group with a small count of persons with a value: the effect
 *     itself (estimate, SE, CIs; its Monte Carlo draws, bootstrap CI and
 *     EVPPI: mkba_ap_effect_withheld), every non-zero count of the row,
 *     both means and the df;
 *   - only a small count of missing values: that row's non-zero missing
 *     counts and the df; n_pilot and n_control then show the groups' sizes
 *     in the cohort (MKBA_HIDE_GROUP_SIZES): the persons with a value
 *     would give the missing count back against the group sizes that other
 *     rows publish. In effects.csv and results.json such a row is the one
 *     whose suppressed_fields name n_missing (or missing_*) but not n_pilot;
 *     the terminal and the report mark the sizes "N*" with a note.
 * A withheld value is "<N" (small) or "x" (withheld with it) in the
 * terminal, an empty field in CSV and null in results.json. A parameter
 * derived from a withheld count or mean (mkba_ap_param.withheld) is
 * withheld alike wherever it is written (the report's parameters, the
 * sensitivity tables' base value); an item that uses one, or a withheld
 * effect, is refused by mkba_model_appraise, since its flows would give
 * the value back. */

/* The old names of mkba_disclose_field_name and mkba_disclose_cells
 * (disclose.h), kept for their callers. */
static inline const char *mkba_out_hidden_name(unsigned bit)
{
    return mkba_disclose_field_name(bit);
}
static inline size_t mkba_out_suppressed_cells(const mkba_appraisal *a)
{
    return mkba_disclose_cells(a);
}

/* Write the effects table as CSV to 'path' (atomic), in the Dutch dialect
 * when 'dutch' is non-zero. Fails with MKBA_EIO ("path: cannot write: ..."),
 * leaving no file. */
mkba_status mkba_out_write_effects_csv(const char *path, const mkba_appraisal *a, int dutch,
                                       mkba_error *err);
/* The same as the output "--out" of the caller's publication (pub.h). */
mkba_status mkba_out_stage_effects_csv(mkba_pub *pub, const char *path, const mkba_appraisal *a,
                                       int dutch, mkba_error *err);

/* ---- Monte Carlo (src/out_mc.c) ---- */

/* The uncertainty section of the report (nothing when a->mc is NULL). */
void mkba_out_print_mc(FILE *f, const mkba_appraisal *a, int nl);

/* Every draw as CSV: draw number, each uncertain quantity, each cohort
 * effect, and per project scenario and stakeholder (and society) the NPV,
 * PV benefits and PV costs against the reference. Written as the output
 * "--draws-out" of the publication 'pub' (see pub.h). */
mkba_status mkba_out_write_draws(mkba_pub *pub, const char *path, const mkba_sim *sim,
                                 const mkba_plan *plan, const mkba_appraisal *a, mkba_error *err);

/* For results.json (internal to the out module): the "monte_carlo" object
 * added to the JSON root (returns 0 when out of memory). The tables
 * mc_voi, mc_summary, mc_items, mc_uncertain, mc_effects: tables.h. */
struct cJSON;
int mkba_out_mc_json(struct cJSON *root, const mkba_appraisal *a);

/* ---- Propensity model (src/out_ps.c) ---- */

/* After the effects (mkba_out_print_effects calls it; nothing when a->ps
 * is NULL): the estimand, the persons used and left out per group, the
 * effective sample sizes, the IRLS iterations, the balance table (SMD
 * before and after weighting, "imbalanced" where |SMD after| > 0.1) and a
 * one-line verdict; withheld values as "x" / "<N" with a note (appraisal.h,
 * mkba_ap_ps_*). */
void mkba_out_print_ps(FILE *f, const mkba_appraisal *a, int nl);
/* For results.json (internal; the tables balance, propensity and overlap:
 * tables.h): the "propensity" object of
 * results.json (0 when out of memory): {estimand, suppressed (the whole
 * block withheld), suppressed_reason, counts_suppressed, smd_limit,
 * n: {pilot, control}, missing, trimmed: {pilot, control},
 * ess: {pilot, control}, iterations, coefficients: [{term, coef, se,
 * suppressed, suppressed_reason}], balance: [{term, smd_before, smd_after,
 * imbalanced, suppressed, suppressed_reason}], overlap: {pilot: [{from,
 * to, share}], control: [...]}}, withheld values null. */
int mkba_out_ps_json(struct cJSON *root, const mkba_appraisal *a);

/* ---- Sensitivity (src/out_sens.c) ---- */

/* The tornado and switching values (nothing when a->sens is NULL). */
void mkba_out_print_sens(FILE *f, const mkba_appraisal *a, int nl);
/* For results.json (internal; the tables sens_sobol (with Sobol indices),
 * sens_tornado, sens_switching and, with a two-way grid, sens_twoway:
 * tables.h): the "sensitivity" object (0 when out of memory). */
int mkba_out_sens_json(struct cJSON *root, const mkba_appraisal *a);

/* ---- Subgroups (src/out_sub.c) ---- */

/* The subgroup tables (an outcome's `by`) under the effects table: per
 * level the estimate, 95% CI, SE and counts, then the heterogeneity test
 * (nothing when a->subgroups is NULL). */
void mkba_out_print_subgroups(FILE *f, const mkba_appraisal *a, int nl);
/* subgroups.csv and subgroups_nl.csv (tables.h, tables_sub.c):
 * (outcome, by, level, method, estimate, se, ci_lo, ci_hi, df, n_pilot,
 * n_control, suppressed, note, het_q, het_df, het_p: a row per level,
 * the test repeated on each row of its outcome; withheld values empty), and
 * the "subgroups" array of results.json ({outcome, by, levels: [{level,
 * method, estimate, se, ci_lo, ci_hi, df, n_pilot, n_control, suppressed,
 * note}], heterogeneity: {q, df, p, note}}; withheld values null); 0 when
 * out of memory. Neither is written when a->subgroups is NULL. */
int mkba_out_sub_json(struct cJSON *root, const mkba_appraisal *a);

/* ---- Payback and IRR (src/out_fin.c; display code kept apart for the
 * output layer) ---- */

/* The conclusion's sentence on society's payback and IRR in project
 * scenario s, e.g. "Payback: none within 5 years (the cumulative discounted
 * balance stays negative); IRR: none (the net flows never turn positive)."
 * (caller frees); NULL when a->fin is NULL. */
char *mkba_out_fin_sentence(const mkba_appraisal *a, size_t s, int nl);
/* In the uncertainty section: per project, society's P(payback within the
 * horizon) and the IRR's P5, P50, P95 over the draws where it is unique,
 * with the shares of draws without one (nothing without a->mc->fin). */
void mkba_out_fin_print_mc(FILE *f, const mkba_appraisal *a, int nl);
/* For results.json (internal): "payback" {status, year, calendar_year}
 * and "irr" {status, rate} added to each results[].society and
 * results[].stakeholders.NAME; with a Monte Carlo, "payback"
 * {p_within_horizon, draws: {STATUS: n}} and "irr" {share_unique, mean,
 * p5, p50, p95, n, draws: {STATUS: n}} added to each
 * monte_carlo.scenarios[].society and .stakeholders.NAME (finance.h names
 * the statuses). 0 when out of memory. */
int mkba_out_fin_json(struct cJSON *root, const mkba_appraisal *a);

#endif

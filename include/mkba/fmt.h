/* fmt.h - every number and word that an output shows, in one place: the
 * numbers of the terminal, the report, the charts and the files, and the
 * English and Dutch words for what the appraisal holds (methods, kinds of
 * item, domains, society, labels).
 *
 * The output layer, as the file list reads (the data flows down):
 *
 *   appraisal (results)  ──> disclose   which values are withheld (disclose.h)
 *                            fmt        how a number or a word is written (here)
 *                            table      a table as data: typed cells (table.h)
 *   tables_*.c (builders) ──> sink_csv   ',' and ';' files, full precision
 *                          (sink_xlsx: one more sink, typed cells: see table.h)
 *   out*.c   terminal report and results.json, report.c HTML, chart.c charts:
 *            all of them take their numbers and words from here and their
 *            withheld values from disclose.h.
 *
 * Two families of number formats, kept apart on purpose (each output has
 * been published in its own form and stays byte-identical):
 *   - mkba_fmt_term_*: the terminal report: "1,234,567", "0.51", "12.3%",
 *     "n/a"; printf rounding except for amounts. With 'nl' non-zero (mkba
 *     --lang nl) the same digits in Dutch: "1.234.567", "0,51", "12,3%",
 *     "n.v.t.".
 *   - mkba_fmt_number and what builds on it: the report and the charts,
 *     English or Dutch ('nl' non-zero: "1.234.567", "0,51", "12,3%",
 *     "n.v.t."), rounded half away from zero as people round.
 * Files use mkba_fmt_full (full precision, reads back the same double).
 *
 * Every function writes at most 'size' bytes (size > 0) including the
 * terminating NUL, whatever the C locale says about the decimal point. */
#ifndef MKBA_FMT_H
#define MKBA_FMT_H

#include <stddef.h>

#include "mkba/appraisal.h"
#include "mkba/estimate.h"

/* ============================== files =================================== */

/* Full precision ("%.17g", which reads back to the same double) with 'dec'
 * as the decimal point; NaN is "" (a missing field), +/-infinity
 * "inf"/"-inf". */
void mkba_fmt_full(char *buf, size_t size, double x, char dec);

/* ============================ terminal ================================== */

/* 1234567.4 -> "1,234,567" (whole units, half away from zero, never "-0";
 * "n/a" when not finite; beyond 1e15 "%.3g"). */
void mkba_fmt_term_amount(char *buf, size_t size, double x, int nl);
/* A ratio with 2 decimals ("0.00", never "-0.00"), "n/a" when not finite. */
void mkba_fmt_term_ratio(char *buf, size_t size, double x, int nl);
/* A share 0..1 as a percentage with 1 decimal ("12.3%"), "n/a" when not
 * finite. */
void mkba_fmt_term_share(char *buf, size_t size, double p, int nl);
/* An effect: 4 significant digits ("0.01235", "-2.5", "1.2e-05"), whole
 * numbers from 10,000 on ("12346") rather than an exponent; "0"; "n/a". */
void mkba_fmt_term_sig(char *buf, size_t size, double x, int nl);
/* Plain "%.4g" ("n/a" when not finite): the Monte Carlo and subgroup
 * tables' statistics. */
void mkba_fmt_term_g4(char *buf, size_t size, double x, int nl);
/* A value of any kind: an amount from 1000 on ("1,234"), else "%.4g". */
void mkba_fmt_term_value(char *buf, size_t size, double x, int nl);
/* A rate as a percentage: 0.03 -> "3%", 0.0225 -> "2.25%". */
void mkba_fmt_term_rate(char *buf, size_t size, double rate, int nl);

/* ========================= report and charts ============================ */

/* x rounded to 'decimals' (0..6) decimals with thousands separators:
 * Dutch "-1.234,5", English "-1,234.5"; "n/a" / "n.v.t." when not finite;
 * beyond 1e18 "%.3e". */
void mkba_fmt_number(char *buf, size_t size, double x, int decimals, int nl);
/* An amount: "EUR 1.234.567" ('currency' NULL or "": the number alone). */
void mkba_fmt_money(char *buf, size_t size, const char *currency, double x, int decimals,
                    int nl);
/* A share as a percentage: 0.123 -> "12,3%" (decimals 1, Dutch). */
void mkba_fmt_percent(char *buf, size_t size, double share, int decimals, int nl);
/* A value of any size to about 4 significant digits, trailing zeros
 * dropped: 1/3 -> "0,3333", 62 -> "62", 120160 -> "120.160", 0.5 -> "0,5". */
void mkba_fmt_value(char *buf, size_t size, double x, int nl);
/* A chart label: mkba_fmt_number below 1e15, "%.3g" from there on
 * ("1.5e+15", Dutch "1,5e+15"), which a label has room for. */
void mkba_fmt_label_number(char *buf, size_t size, double x, int decimals, int nl);

/* buf = the strings after 'size' (up to a NULL) one after another, cut off
 * to fit. (Not snprintf("%s%s"): GCC's -Wformat-truncation cannot see that
 * the parts fit, and -Werror turns that into a build failure.) */
void mkba_fmt_join(char *buf, size_t size, ...);

/* =============================== words ================================== */

/* What a value that is not known shows as: "n/a" / "n.v.t.". */
const char *mkba_fmt_na(int nl);
/* 'label' when set, else 'name' ("" when neither is). */
const char *mkba_fmt_label_or(const char *label, const char *name);
/* The label a reader sees: in Dutch ('nl') the model's label_nl when set,
 * else 'label', else 'name' (label_nl may be NULL). Every label from the
 * model goes through this in every output, so that a Dutch output falls
 * back the same way everywhere. */
const char *mkba_fmt_label_lang(const char *label, const char *label_nl, const char *name,
                                int nl);
/* The model's name ([model] name, in Dutch its label_nl). */
const char *mkba_fmt_model_name(const mkba_appraisal *a, int nl);
/* The label of scenario s (its name when it has none). */
const char *mkba_fmt_scen_label(const mkba_appraisal *a, size_t s, int nl);
/* The data note in the language: data_note_nl with nl when set, else
 * data_note; NULL when there is none. */
const char *mkba_fmt_data_note(const mkba_appraisal *a, int nl);
/* The label of item i, effect i, parameter i (their names when they have
 * none). */
const char *mkba_fmt_item_label(const mkba_appraisal *a, size_t i, int nl);
const char *mkba_fmt_effect_label(const mkba_ap_effect *x, int nl);
const char *mkba_fmt_param_label(const mkba_ap_param *p, int nl);
/* Stakeholder k's key; k == a->n_stakeholders is "society". */
const char *mkba_fmt_holder_key(const mkba_appraisal *a, size_t k);
/* Stakeholder k's label (its key when it has none); k == n_stakeholders is
 * society: "Society" / "Samenleving". */
const char *mkba_fmt_holder_label(const mkba_appraisal *a, size_t k, int nl);
/* An item's kind: "benefit"/"baat", "cost"/"kosten", "transfer"/"overdracht". */
const char *mkba_fmt_kind(mkba_item_kind k, int nl);
/* A domain's word ("work"/"werk", ...); another domain as it is. */
const char *mkba_fmt_domain(const char *d, int nl);
/* How an effect was estimated, in words: "difference in means" /
 * "verschil in gemiddelden", ... The charts use the short form of the one
 * method where it has one ('chart' non-zero: "regression (OLS)" instead of
 * the report's "regression with covariates"). */
const char *mkba_fmt_method(mkba_est_method m, int nl, int chart);

/* The Dutch of a fixed English text of the terminal report (a word, a
 * column heading, a sentence or a printf format with the same conversions
 * in the same order): 'en' itself when 'nl' is zero or the text has no
 * Dutch yet. The pairs are one table, in fmt_nl.c: the texts stay readable
 * where they are printed and each is translated once. (format_arg: GCC
 * checks a format passed through it against the printf's arguments.) */
#if defined(__GNUC__)
__attribute__((format_arg(1)))
#endif
const char *mkba_fmt_tr(const char *en, int nl);
/* For the tests: whether 'en' has a Dutch text, and the table's pairs. */
int mkba_fmt_tr_has(const char *en);
size_t mkba_fmt_tr_count(void);
const char *mkba_fmt_tr_en(size_t i); /* the English of pair i (NULL past the end) */
/* Why a benefit-cost ratio is not shown (appraisal.h, mkba_bcr_why_of), to
 * follow "n/a": "PV benefits not positive" / "contante waarde baten niet
 * positief", "no costs" / "geen kosten", "PV benefits and costs not
 * positive", "not finite"; "" for MKBA_BCR_OK. */
const char *mkba_fmt_bcr_reason(mkba_bcr_why why, int nl);
/* The note under a table with an "n/a" B/C: "B/C n/a: a benefit-cost ratio
 * is shown only where PV benefits and PV costs are both positive." */
const char *mkba_fmt_bcr_note(int nl);
/* The Monte Carlo's B/C over the draws, when some draw has none: "n/a (PV
 * benefits or costs not positive in some draws)". */
const char *mkba_fmt_bcr_mc_na(int nl);

/* The label of a model input as the outputs name it: "effect.X" is effect
 * X's label, a parameter its label; the name itself when it has none (or
 * is neither). Never the internal key where a label exists. */
const char *mkba_fmt_input_label(const mkba_appraisal *a, const char *name, int nl);
/* 'unit' when a text after 'label' should add it, NULL when it is empty or
 * 'label' already names it ("Youth care cost (EUR)" with unit "EUR"), so no
 * title doubles a unit. */
const char *mkba_fmt_unit_for(const char *label, const char *unit);

/* Transfers in words, for every output that says who gains or loses
 * (transfers are not "who pays": a resident who receives less assistance
 * does not pay for the project): "A transfer moves money from one
 * stakeholder to another (less assistance received, less paid out): it is
 * a gain for one and a loss for the other, and cancels out for society." */
const char *mkba_fmt_transfer_note(int nl);

#endif

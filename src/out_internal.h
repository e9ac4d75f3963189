/* out_internal.h - what the files of the out module (out*.c, tables_*.c)
 * share. Not part of the
 * public API; nothing outside src/out*.c includes it. */
#ifndef MKBA_OUT_INTERNAL_H
#define MKBA_OUT_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

/* What the terminal, results.json and the table builders (tables_*.c)
 * share: */
struct mkba_appraisal;
/* Sum over the years of item i's incremental flow in scenario s. */
double out_item_undiscounted(const struct mkba_appraisal *a, size_t s, size_t i);
/* Sensitivity input i's base value, or NaN when it is withheld (out_sens.c). */
double out_sens_input_base(const struct mkba_appraisal *a, size_t i);
/* "found", "no effect", "none in range" (out_sens.c). */
const char *out_sens_status_name(int st);
/* x[j], or NaN when design column j of the propensity model is withheld,
 * and the key of why ("", "rare_value", "small_group") (out_ps.c). */
double out_ps_col_value(const struct mkba_appraisal *a, const double *x, size_t j);
const char *out_ps_reason_key(const struct mkba_appraisal *a, size_t j);
/* The same for column j's coefficient and SE (mkba_ap_ps_coef_withheld). */
double out_ps_coef_value(const struct mkba_appraisal *a, const double *x, size_t j);
const char *out_ps_coef_reason_key(const struct mkba_appraisal *a, size_t j);
extern const char *const OUT_PS_GROUP_NAME[2]; /* by group code: "control", "pilot" */
/* The note of subgroup level l: why it has no numbers, or "" (out_sub.c). */
struct mkba_ap_subgroup;
const char *out_sub_level_note(const struct mkba_appraisal *a, const struct mkba_ap_subgroup *g,
                               size_t l);

/* A fixed text of the terminal report in the language of the printing
 * function's 'nl' (fmt.h, mkba_fmt_tr: the English-Dutch pairs are one
 * table in fmt_nl.c). */
#define TR(en) mkba_fmt_tr(en, nl)
/* The decision among the alternatives (out_decision.c, decision.h): the
 * ranking sentence, the alternatives side by side and the projects
 * pairwise, first in the terminal's conclusion; and the "decision" object
 * of results.json ({sentence, same_rates, ranking: [{rank, scenario,
 * reference, npv, bcr, bcr_note, p_best (with a Monte Carlo)}], pairwise:
 * [{a, b, society, stakeholders: {NAME: npv_a - npv_b}}]}; 0 when out of
 * memory; nothing without a project). */
struct cJSON;
void out_print_decision(FILE *f, const struct mkba_appraisal *a, int nl);
int out_decision_json(struct cJSON *root, const struct mkba_appraisal *a);

/* Texts for the terminal report, escaped (escape.h) and kept until
 * out_term_free: printf calls of the report pass every text from the model
 * (labels, names, the currency) through out_term_text. */
typedef struct out_term {
    char **s;        /* escaped copies, owned */
    size_t n, cap;
} out_term;
/* 's' as the terminal may show it ("" for NULL): 's' itself when nothing
 * needs escaping, else a copy owned by 't'. */
const char *out_term_text(out_term *t, const char *s);
void out_term_free(out_term *t);

#endif

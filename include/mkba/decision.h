/* decision.h - the decision among the alternatives, read from an appraisal
 * without a rerun: every alternative ranked by society's NPV (the
 * reference included, at 0 against itself), the sentence a council reads
 * first ("Regular practice is best for society: no project has a positive
 * NPV (the best, the pilot: EUR -863,342). Of the projects, the pilot is
 * EUR 109,777 less unfavourable than the liaison variant."), and the
 * difference between two projects per stakeholder.
 *
 * Why no rerun: every project is appraised against the same reference, so
 * project A minus project B is NPV(A) - NPV(B), per stakeholder and for
 * society. When the projects use different discount rates (a scenario may
 * set its own) each NPV is at its own rate; mkba_decision_same_rates says
 * so, and the outputs add a note.
 *
 * The outputs: the terminal's conclusion (out.c), the report's first
 * screen (report.c), results.json ("decision"), and the tables
 * "alternatives" and "pairwise" (tables.h, tables_decision.c). */
#ifndef MKBA_DECISION_H
#define MKBA_DECISION_H

#include <stddef.h>

#include "mkba/appraisal.h"

/* Alternative s's NPV for stakeholder k (k == n_stakeholders: society)
 * against the reference; 0 for the reference itself (s == 0). */
double mkba_decision_npv(const mkba_appraisal *a, size_t s, size_t k);

/* The alternatives 0..n_scenarios-1 in order of society's NPV, best
 * first, into order[0..n_scenarios-1]. A tie keeps the scenarios' order
 * (the reference first: a project must do better to be preferred); an NPV
 * that is not finite ranks last. */
void mkba_decision_rank(const mkba_appraisal *a, size_t *order);

/* Whether every project scenario discounts at the same rates, so that the
 * differences between projects compare like with like. */
int mkba_decision_same_rates(const mkba_appraisal *a);

/* The ranking in words (English, or Dutch when 'nl'), amounts as
 * mkba_fmt_money writes them; the caller frees it. NULL when there is no
 * project. */
char *mkba_decision_sentence(const mkba_appraisal *a, int nl);

/* How alternative 'better' compares with 'worse' ranked after it, as the
 * sentence says it: "better" / "beter", or "less unfavourable" / "minder
 * ongunstig" when both NPVs are negative. */
const char *mkba_decision_comparative(double npv_better, double npv_worse, int nl);

#endif

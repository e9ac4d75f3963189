/* workbook.h - the Excel workbook of a run (--xlsx FILE): the same tables
 * as the CSV files (tables.h), each on its own sheet, written by the XLSX
 * sink (sink_xlsx.h), with two sheets of their own around them:
 *
 *   Conclusion / Conclusie    first: per project alternative the verdict
 *                             for society, its NPV, present values of
 *                             benefits and costs, the benefit-cost ratio
 *                             (only where both present values are
 *                             positive), P(NPV > 0) and its P5-P95 when a
 *                             Monte Carlo ran, the payback year and IRR
 *                             (finance.h) where the appraisal has them;
 *                             notes under it: the model, the run, the
 *                             price level, the warnings
 *   effects, summary, ...     one sheet per table of the run, in the order
 *                             the CSV files are written; Dutch sheet and
 *                             column names with 'nl' (Effecten, ...)
 *   Assumptions / Aannames    last: every parameter with its value in each
 *                             scenario, the expression as written, its
 *                             distribution, price year and source; then
 *                             the effects and the items with their sources;
 *                             notes: price level, horizon, discount rates
 *
 * Withheld values (disclose.h) are withheld cells on every sheet: empty,
 * with a comment. The numbers are the appraisal's own (full precision), so
 * a sheet's cells equal the CSV file's fields. */
#ifndef MKBA_WORKBOOK_H
#define MKBA_WORKBOOK_H

#include "mkba/appraisal.h"
#include "mkba/error.h"
#include "mkba/pub.h"
#include "mkba/table.h"

/* Write the workbook of 'a' to 'path' ('nl': in Dutch) as an output of
 * the publication 'pub' (pub.h, claimed as "--xlsx"): made in a private
 * directory beside 'path' and renamed onto it when the run's outputs are
 * published. Errors name 'path'. */
mkba_status mkba_workbook_stage(mkba_pub *pub, const char *path, const mkba_appraisal *a, int nl,
                                mkba_error *err);

/* The same, published at once (for tests and other callers). */
mkba_status mkba_workbook_write(const char *path, const mkba_appraisal *a, int nl,
                                mkba_error *err);

/* The two sheets of the workbook's own as tables (caller frees); the
 * column names are English, with Dutch names (mkba_table_col_nl). */
mkba_table *mkba_workbook_conclusion(const mkba_appraisal *a, int nl);
mkba_table *mkba_workbook_assumptions(const mkba_appraisal *a, int nl);

/* The sheet name of the run's table 'stem' ("effects"): the stem itself,
 * or its Dutch name ("Effecten") with 'nl'. */
const char *mkba_workbook_sheet(const char *stem, int nl);

#endif

/* tables.h - the tables of a run as data (table.h), one builder each, and
 * the list of them in the order a run writes them. Every file sink (CSV
 * now, XLSX later) walks this list, so a table is built in one place and
 * written in every format:
 *
 *   for (size_t i = 0; i < mkba_tables_count(); i++) {
 *       mkba_table *t = mkba_tables_build(a, i);   // NULL: not in this run
 *       if (t) { mkba_sink_csv(fp, t, MKBA_SINK_CSV_EN); mkba_table_free(t); }
 *   }
 *
 * The builders live beside the part of the appraisal they read:
 * tables_core.c (effects, summary, items, cashflows, stakeholder_flows),
 * tables_decision.c (alternatives, pairwise),
 * tables_ps.c (balance, propensity, overlap), tables_mc.c (mc_*),
 * tables_sens.c (sens_*), tables_sub.c (subgroups). What each table holds
 * is listed in out.h. A builder adds its columns, each with its Dutch
 * name (mkba_table_add_cols_nl: the *_nl.csv header), then its rows;
 * values that disclosure control withholds (disclose.h) are WITHHELD
 * cells. */
#ifndef MKBA_TABLES_H
#define MKBA_TABLES_H

#include <stddef.h>

#include "mkba/appraisal.h"
#include "mkba/table.h"

/* How many tables a run may write, and the file stem of table i. */
size_t mkba_tables_count(void);
const char *mkba_tables_name(size_t i);
/* Table i of appraisal 'a', or NULL when this run has none of it (no Monte
 * Carlo, no propensity model, ...). The caller frees it. */
mkba_table *mkba_tables_build(const mkba_appraisal *a, size_t i);
/* The same by file stem ("effects"); NULL when unknown or not in this run. */
mkba_table *mkba_tables_build_named(const mkba_appraisal *a, const char *name);

/* The builders (each adds the columns and rows of its table to an empty
 * table 't'); the caller knows the part of 'a' they read is there. */
void mkba_tables_effects(mkba_table *t, const mkba_appraisal *a);
void mkba_tables_summary(mkba_table *t, const mkba_appraisal *a);
void mkba_tables_items(mkba_table *t, const mkba_appraisal *a);
void mkba_tables_cashflows(mkba_table *t, const mkba_appraisal *a);
void mkba_tables_stakeholder_flows(mkba_table *t, const mkba_appraisal *a);
void mkba_tables_alternatives(mkba_table *t, const mkba_appraisal *a); /* decision.h */
void mkba_tables_pairwise(mkba_table *t, const mkba_appraisal *a);  /* two projects or more */
void mkba_tables_balance(mkba_table *t, const mkba_appraisal *a);     /* a->ps */
void mkba_tables_propensity(mkba_table *t, const mkba_appraisal *a);  /* a->ps */
void mkba_tables_overlap(mkba_table *t, const mkba_appraisal *a);     /* a->ps */
void mkba_tables_mc_voi(mkba_table *t, const mkba_appraisal *a);      /* a->mc */
void mkba_tables_mc_summary(mkba_table *t, const mkba_appraisal *a);
void mkba_tables_mc_items(mkba_table *t, const mkba_appraisal *a);
void mkba_tables_mc_uncertain(mkba_table *t, const mkba_appraisal *a);
void mkba_tables_mc_effects(mkba_table *t, const mkba_appraisal *a);
void mkba_tables_sobol(mkba_table *t, const mkba_appraisal *a);       /* a->sens->sobol */
void mkba_tables_tornado(mkba_table *t, const mkba_appraisal *a);     /* a->sens */
void mkba_tables_switching(mkba_table *t, const mkba_appraisal *a);   /* a->sens */
void mkba_tables_twoway(mkba_table *t, const mkba_appraisal *a);      /* a->sens grid */
void mkba_tables_subgroups(mkba_table *t, const mkba_appraisal *a);   /* a->subgroups */

#endif

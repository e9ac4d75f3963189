/* out.h - the results of an appraisal for people and for other programs:
 * a plain-text report for the terminal, CSV tables and results.json.
 *
 * Terminal. Aligned tables at most 100 columns wide, amounts rounded to
 * whole currency units with thousands separators ("1,234,567",
 * "-123,456"; anything that rounds to zero prints as "0", never "-0"),
 * ratios with 2 decimals, a B/C ratio that is undefined (no costs) as
 * "n/a". No person-level data is ever printed (the appraisal holds none).
 *
 * Files. Every number is written at full precision ("%.17g", which reads
 * back to the same double). Each CSV table comes in two dialects: English
 * (',' separator, decimal point) and Dutch (*_nl.csv: ';' separator,
 * decimal comma), same content. A header row comes first; text fields are
 * quoted per RFC 4180 when they contain the separator, a quote, a line
 * break or leading/trailing blanks; lines end in "\n". A NaN is an empty
 * field (spreadsheets read it as missing), +/-infinity is "inf"/"-inf".
 * In results.json NaN and infinity are null. The tables:
 *
 *   effects.csv       effect, label, method, estimate, se, ci_lo, ci_hi, df,
 *                     mean_pilot, mean_control, n_pilot, n_control, n_missing
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
 *   results.json      all of the above plus provenance; see out.c. */
#ifndef MKBA_OUT_H
#define MKBA_OUT_H

#include <stdio.h>

#include "mkba/appraisal.h"
#include "mkba/error.h"

typedef struct mkba_out_opts {
    int lang_nl; /* reserved: 0 = English (the only language so far) */
    int detail;  /* 0 summary, 1 also items and yearly flows */
} mkba_out_opts;

/* Print the human report to 'f' (the CLI passes stdout): a header with the
 * model's settings, the effects, per project scenario the balance for
 * society and per stakeholder (with o->detail also per item and per year),
 * and a one-sentence conclusion per scenario. 'o' may be NULL (summary).
 * Write errors are left in ferror(f) for the caller to check. */
void mkba_out_print(FILE *f, const mkba_appraisal *a, const mkba_out_opts *o);

/* Print only the effects table (for `mkba estimate`). */
void mkba_out_print_effects(FILE *f, const mkba_appraisal *a);

/* Write all result files into directory 'dir' (created if missing, parents
 * too): the five tables in both dialects and results.json. Whole or not at
 * all: every file is written to a temporary name first and renamed only
 * when all were written (see mkba_afile_commit_all for the limits).
 * Fails with MKBA_EIO naming the directory or file ("dir: cannot create
 * directory: ...", "dir/summary.csv: cannot write: ..."), or MKBA_ENOMEM
 * when the JSON tree cannot be built. */
mkba_status mkba_out_write_dir(const char *dir, const mkba_appraisal *a, mkba_error *err);

/* Write the effects table as CSV to 'path' (atomic), in the Dutch dialect
 * when 'dutch' is non-zero. Fails with MKBA_EIO ("path: cannot write: ..."),
 * leaving no file. */
mkba_status mkba_out_write_effects_csv(const char *path, const mkba_appraisal *a, int dutch,
                                       mkba_error *err);

#endif

/* chart.h - the appraisal as pictures, drawn by gnuplot.
 *
 * For every chart mkba writes, into a directory, the data file (NAME.dat,
 * plain whitespace-separated columns) and a gnuplot script (NAME.gp) that
 * reads it and renders NAME.png (pngcairo) and NAME.svg; then it runs
 * gnuplot on each script. Analysts may restyle a chart by editing NAME.gp
 * and running `gnuplot NAME.gp` in that directory.
 *
 * File names never contain labels: they are fixed names, with a scenario's
 * index where a chart is per project scenario (npv_histogram_1, ...).
 * Labels from models, scenarios and cohorts reach gnuplot only through
 * the data files or as sanitised string literals in the script, so that
 * no label can run a command (gnuplot expands backquotes and system()) or
 * break the script.
 *
 * Charts (each only when its data exist):
 *   npv_histogram_S     society's NPV over the Monte Carlo draws of project
 *                       scenario S, P(NPV > 0) marked            (needs mc)
 *   npv_scurve          cumulative distribution of society's NPV, every
 *                       project scenario                          (needs mc)
 *   scenarios           P5-P50-P95 interval and mean of society's NPV per
 *                       project scenario                          (needs mc)
 *   tornado             one-way sensitivity, society              (needs sens)
 *   sobol               first and total Sobol indices    (needs sens with sobol)
 *   twoway              two-way grid as a heat map      (needs sens with grid)
 *   waterfall_items_S   NPV built up item by item, project scenario S
 *   waterfall_stakeholders_S  NPV per stakeholder adding up to society
 *   cashflows_S         net incremental flow per year per stakeholder
 *   effects             each effect's estimate with its 95% CI
 *   balance             love plot: each covariate's standardised mean
 *                       difference before and after weighting, dashed
 *                       lines at +/-0.1            (needs ps, not withheld)
 *   overlap             the propensity score's distribution per group, as
 *                       shares, from the bins merged for disclosure
 *                       control (mkba_ap_ps_bins)  (needs ps, not withheld)
 */
#ifndef MKBA_CHART_H
#define MKBA_CHART_H

#include <stddef.h>

#include "mkba/appraisal.h"
#include "mkba/error.h"

typedef struct mkba_chart_opts {
    int lang_nl;          /* axis titles and legends in Dutch (1) or English (0) */
    const char *gnuplot;  /* program to run; NULL: $MKBA_GNUPLOT, else "gnuplot" */
    int render;           /* 0: write .dat and .gp only, do not run gnuplot */
} mkba_chart_opts;

typedef struct mkba_chart {
    char *name;           /* file stem, e.g. "npv_histogram_1" */
    char *title;          /* human title, in the chosen language */
    int rendered;         /* NAME.png and NAME.svg were made */
    int width, height;    /* pixel size of NAME.png (and of NAME.svg) */
} mkba_chart;

typedef struct mkba_chart_set {
    char *dir;            /* the directory the files are published in */
    char *src;            /* the directory the files are in now: a private one
                             until the publication is committed, then 'dir' */
    size_t n;
    mkba_chart *charts;
    int gnuplot_missing;  /* the program could not be started: nothing rendered */
} mkba_chart_set;

/* Write every chart of 'a' into 'dir' (created if missing) and render
 * them unless o->render is 0. A missing gnuplot is not an error: the data
 * and scripts are written, set->gnuplot_missing is set, and the caller
 * says once how to install it. Every picture gnuplot made is checked to be
 * whole (a PNG up to its IEND chunk, an SVG up to </svg>): gnuplot can
 * exit 0 after a failed write. Fails with MKBA_EIO when a file cannot be
 * written ("dir/NAME.gp: cannot write: ...", "dir/NAME.png: cannot write:
 * No space left on device" when the disk is full) or gnuplot fails on a
 * script ("dir/NAME.gp: gnuplot failed: <its first error line>", "...:
 * gnuplot failed: it wrote no complete NAME.svg"), and with MKBA_EINVAL
 * when 'dir' is a symbolic link (never written through) or a file to
 * write or remove is an input of 'a'. Returns the set (owned by the
 * caller, free with mkba_chart_set_free) or NULL.
 *
 * mkba_chart_write_all publishes the charts at once (its own publication,
 * see pub.h); mkba_chart_stage_all makes them in a private directory
 * inside 'dir' (set->src) and adds them to the caller's publication, to be
 * published with the rest of a run: until then set->src holds them. */
mkba_chart_set *mkba_chart_write_all(const char *dir, const mkba_appraisal *a,
                                     const mkba_chart_opts *o, mkba_error *err);
struct mkba_pub;
mkba_chart_set *mkba_chart_stage_all(struct mkba_pub *pub, const char *dir,
                                     const mkba_appraisal *a, const mkba_chart_opts *o,
                                     mkba_error *err);

/* Whether 'name' (a file name without directory) is one this module writes
 * into a charts directory ("tornado.svg", "npv_histogram_2.dat"). */
int mkba_chart_owns(const char *name);

void mkba_chart_set_free(mkba_chart_set *set); /* NULL is a no-op */

#endif

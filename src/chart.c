/* chart.c - the appraisal as pictures: for every chart a data file, a
 * gnuplot script, and the PNG and SVG that gnuplot renders from them.
 *
 * How a run goes. Everything is made in a fresh private directory beside
 * the target files (DIR/.mkba-charts.XXXXXX): first each chart's NAME.dat
 * and NAME.gp, then gnuplot runs once per script with that directory as
 * its working directory (the scripts name their files relatively, so they
 * also work when run by hand in DIR). Only when every chart was made are
 * the files renamed into DIR; on any failure the private directory is
 * removed and DIR is left as it was. A reader thus sees the old charts or
 * the new ones (each file whole; the set as whole as POSIX renames allow).
 *
 * gnuplot runs as a child process (fork and execv, no shell), with stdin
 * from /dev/null and stdout and stderr captured through a pipe, so that a
 * failure can be reported as "DIR/NAME.gp: gnuplot failed: <its first
 * error line>". A program that cannot be found or started is not an
 * error: the data and scripts are still published, without pictures.
 *
 * Safety of labels. gnuplot expands `command` (backquotes) anywhere on a
 * command line except inside single-quoted strings, @name macros, escapes
 * in double-quoted strings, and system(); enhanced text interprets
 * ^ _ @ & { } ~. Text from models, scenarios and cohorts (labels of items,
 * stakeholders, scenarios, effects and names of inputs) therefore reaches
 * gnuplot in one of two ways only:
 *   - as a field of a .dat file (tab-separated, tabs, line breaks and
 *     double quotes replaced), read by xticlabels(), yticlabels(),
 *     columnheader() or 'with labels': gnuplot never evaluates text it
 *     reads from a data file;
 *   - as a single-quoted literal in a script (titles), after replacing
 *     every character outside a small whitelist (letters, digits, UTF-8,
 *     space and . , : ; ( ) - + / % = < > _) by a space ('&' by '+'), see
 *     lit_ok() and clean().
 * Both terminals run with 'noenhanced', so no markup is interpreted either.
 * Invalid UTF-8 (and U+FFFE, U+FFFF) is replaced by '?', so the SVG stays
 * well-formed XML.
 * Scripts hold no backquote, '@', '$' (except datablocks we name) or
 * double-quoted string with user text, not even in comments. */
#include "mkba/chart.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mkba/fmt.h"
#include "mkba/fsutil.h"
#include "mkba/mem.h"
#include "mkba/out.h"
#include "mkba/pub.h"
#include "mkba/report.h"
#include "mkba/sens.h"
#include "mkba/sobol.h"
#include "mkba/utf8.h"

#ifndef MKBA_VERSION
#define MKBA_VERSION "unknown"
#endif

#define W_STD 900           /* pixel width of every chart */
#define H_STD 560           /* pixel height of the single-panel charts */
#define MAX_ROWS 15         /* inputs shown in a tornado or Sobol panel */
#define LABEL_MAX 40        /* characters of a label on an axis */
#define TITLE_MAX 70        /* characters of a user label in a title */
#define OUTPUT_MAX 65536    /* bytes of gnuplot's output kept for messages */

/* Colours: costs and what lowers the NPV red-ish, benefits and what raises
 * it green-ish, totals dark blue; scenarios and stakeholders each have a
 * palette of their own (without red and green), the same in every chart. */
#define C_UP "#2e8b57"
#define C_DOWN "#c0392b"
#define C_TOTAL "#1f4e79"
#define C_ZERO "#444444"
static const unsigned SCEN_RGB[] = {0x1f77b4, 0xff7f0e, 0x9467bd, 0x8c564b,
                                    0xe377c2, 0x17becf, 0x7f7f7f, 0xbcbd22};
static const char *const STAKE_COLS = "#4e79a7 #f28e2b #76b7b2 #b07aa1 #edc948 #9c755f "
                                      "#ff9da7 #bab0ac";
#define N_STAKE_COLS 8

/* ============================== text ==================================== */

/* Length of the valid UTF-8 character at s (1 to 4; mkba_utf8_len), or 0
 * when s does not start one or it is U+FFFE or U+FFFF (EF BF BE, EF BF BF),
 * which XML does not allow in a document (the SVG would not be
 * well-formed). */
static size_t utf8_len(const unsigned char *s)
{
    size_t n = mkba_utf8_len((const char *)s, strnlen((const char *)s, 4));
    if (n == 3 && s[0] == 0xef && s[1] == 0xbf && (s[2] == 0xbe || s[2] == 0xbf))
        return 0;
    return n;
}

/* Whether ASCII byte c may stand in a single-quoted gnuplot literal. The
 * list is short on purpose: none of these is special to gnuplot's lexer,
 * its macros, its backquote substitution or its enhanced-text markup. */
static int lit_ok(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr(" .,:;()-+/%=<>_", c));
}

/* A cleaned copy of 's' (NULL reads as ""), at most 'max' characters (then
 * ending in an ellipsis): for a data file (literal 0) every control
 * character becomes a space and '"' becomes '\''; for a script literal
 * (literal 1) every ASCII character outside lit_ok() becomes a space. In
 * both, invalid UTF-8 becomes '?', runs of spaces shrink to one and the
 * ends are trimmed. The caller frees the result. */
static char *clean(const char *s, size_t max, int literal)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t cap = strlen((const char *)p) + 4;
    char *out = mkba_xmalloc(cap), *o = out;
    size_t chars = 0;
    while (*p) {
        size_t n = utf8_len(p);
        if (chars == max) {
            /* cut at the last blank in the second half, not in a word */
            char *blank = o;
            while (blank > out && blank[-1] != ' ')
                blank--;
            if (blank > out && (size_t)(blank - out) * 2 >= (size_t)(o - out))
                o = blank;
            while (o > out && o[-1] == ' ')
                o--;
            memcpy(o, "\xe2\x80\xa6", 3); /* U+2026, the ellipsis */
            o += 3;
            break;
        }
        if (n == 0) {
            *o++ = '?';
            p++;
        } else if (n > 1) {
            memcpy(o, p, n);
            o += n;
            p += n;
        } else {
            unsigned char c = *p++;
            if (literal && c == '&')
                c = '+'; /* "Work & Income" reads on as "Work + Income" */
            else if (literal ? !lit_ok(c) : (c < 0x20 || c == 0x7f))
                c = ' ';
            else if (!literal && c == '"')
                c = '\'';
            if (c == ' ' && (o == out || o[-1] == ' '))
                continue;
            *o++ = (char)c;
        }
        chars++;
    }
    while (o > out && o[-1] == ' ')
        o--;
    *o = '\0';
    return out;
}

/* Write 's' as a safe single-quoted gnuplot literal. */
static void put_lit(FILE *f, const char *s, size_t max)
{
    char *t = clean(s, max, 1);
    fprintf(f, "'%s'", t);
    free(t);
}

static size_t max_z(size_t x, size_t y)
{
    return x > y ? x : y;
}

/* Write 's' as a data-file field. Returns its length in bytes (a little
 * more than its width for UTF-8, which is fine for sizing a margin). */
static size_t put_field(FILE *f, const char *s, size_t max)
{
    char *t = clean(s, max, 0);
    fputs(t, f);
    size_t n = strlen(t);
    free(t);
    return n;
}

/* ============================== the run ================================= */

typedef struct ctx {
    const mkba_appraisal *a;
    int nl;               /* Dutch texts */
    const char *dir;      /* the target directory, for messages */
    char *tmp;            /* the private directory the files are made in */
    mkba_chart_set *set;  /* charts made so far */
    mkba_error *err;
} ctx;

/* English or Dutch. */
static const char *tr(const ctx *c, const char *en, const char *nl)
{
    return c->nl ? nl : en;
}

/* A scale for amounts up to 'maxabs' in size: units, thousands or
 * millions, with its unit text ("million EUR"). */
typedef struct scale {
    double div;
    char unit[96];
} scale;

/* The model's currency as a script literal's text (the caller frees). */
static char *currency(const ctx *c)
{
    return clean(c->a->currency && *c->a->currency ? c->a->currency : "EUR", 12, 1);
}

static scale pick_scale(const ctx *c, double maxabs)
{
    scale s;
    char *cur = currency(c);
    if (maxabs >= 1e6) {
        s.div = 1e6;
        snprintf(s.unit, sizeof s.unit, c->nl ? "%s mln" : "million %s", cur);
    } else if (maxabs >= 1e4) {
        s.div = 1e3;
        snprintf(s.unit, sizeof s.unit, c->nl ? "%s x 1.000" : "thousand %s", cur);
    } else {
        s.div = 1;
        snprintf(s.unit, sizeof s.unit, "%s", cur);
    }
    free(cur);
    return s;
}

/* An amount scaled for a value label: "-1.23" (millions), "-735" (thousands). */
static void fmt_scaled(char *buf, size_t size, double x, const scale *s, int nl)
{
    double v = x / s->div;
    int dec = s->div >= 1e6 ? (fabs(v) < 10 ? 2 : 1) : 0;
    mkba_fmt_label_number(buf, size, v, dec, nl);
}

static const char *item_label(const mkba_ap_item *it, int nl)
{
    return mkba_fmt_label_lang(it->label, it->label_nl, it->name, nl);
}

/* One chart's two files, being written in the private directory. */
typedef struct cfiles {
    char name[64];
    FILE *dat, *gp;
} cfiles;

static mkba_status write_err(ctx *c, const char *name, const char *ext, int e)
{
    char *path = mkba_xasprintf("%s/%s%s", c->dir, name, ext);
    mkba_error_set(c->err, MKBA_EIO, path, 0, NULL, "cannot write: %s", strerror(e));
    free(path);
    return MKBA_EIO;
}

static FILE *open_tmp(ctx *c, const char *name, const char *ext)
{
    char *path = mkba_xasprintf("%s/%s%s", c->tmp, name, ext);
    FILE *f = fopen(path, "w");
    if (!f)
        write_err(c, name, ext, errno);
    free(path);
    return f;
}

/* Flush, sync and close; reports a write error under the target's name. */
static mkba_status close_tmp(ctx *c, FILE *f, const char *name, const char *ext)
{
    int e = 0;
    errno = 0;
    if (fflush(f) != 0 || ferror(f))
        e = errno ? errno : EIO;
    else if (fsync(fileno(f)) != 0)
        e = errno;
    if (fclose(f) != 0 && !e)
        e = errno ? errno : EIO;
    return e ? write_err(c, name, ext, e) : MKBA_OK;
}

/* Open NAME.dat and NAME.gp for a chart named by 'fmt'. */
static mkba_status cf_open(ctx *c, cfiles *f, const char *fmt, size_t s)
{
    snprintf(f->name, sizeof f->name, fmt, s);
    f->gp = NULL;
    if (!(f->dat = open_tmp(c, f->name, ".dat")))
        return MKBA_EIO;
    if (!(f->gp = open_tmp(c, f->name, ".gp"))) {
        fclose(f->dat);
        return MKBA_EIO;
    }
    return MKBA_OK;
}

/* Close both files and add the chart (title taken over) to the set. */
static mkba_status cf_close(ctx *c, cfiles *f, char *title, int w, int h)
{
    mkba_status st = close_tmp(c, f->dat, f->name, ".dat");
    mkba_status st2 = close_tmp(c, f->gp, f->name, ".gp");
    if (st || st2) {
        free(title);
        return MKBA_EIO;
    }
    mkba_chart_set *set = c->set;
    set->charts = mkba_xreallocarray(set->charts, set->n + 1, sizeof *set->charts);
    mkba_chart *ch = &set->charts[set->n++];
    ch->name = mkba_xstrdup(f->name);
    ch->title = title;
    ch->rendered = 0;
    ch->width = w;
    ch->height = h;
    return MKBA_OK;
}

/* ============================ script parts ============================== */

/* Layout. Every chart places its title, key and plot area in screen
 * coordinates computed here from pixel sizes, so that nothing overlaps
 * whatever the length of the labels. */
#define CHAR_PX 7.0 /* average width of a tick-label character, in pixels */

/* The screen coordinate 'px' pixels below the top of a chart 'h' high. */
static double from_top(int px, int h)
{
    return 1.0 - (double)px / (double)h;
}

/* A left margin (screen fraction) that fits tick labels of 'chars'. */
static double left_for(size_t chars)
{
    double l = (24.0 + CHAR_PX * (double)chars) / W_STD;
    return l < 0.08 ? 0.08 : l > 0.46 ? 0.46 : l;
}

/* The plot area: left and right as screen fractions, top and bottom in
 * pixels from the top. */
static void gp_frame(FILE *g, double left, double right, int top, int bottom, int h)
{
    fprintf(g,
            "set lmargin at screen %.4f\nset rmargin at screen %.4f\n"
            "set tmargin at screen %.4f\nset bmargin at screen %.4f\n",
            left, right, from_top(top, h), from_top(bottom, h));
}

/* The top of every script: what it is, how to use it, common settings. */
static void gp_head(const ctx *c, FILE *f, const char *name, const char *title)
{
    fprintf(f, "# %s.gp - ", name);
    char *t = clean(title, 200, 1);
    fprintf(f, "%s\n", t);
    free(t);
    fprintf(f, "# Written by mkba %s. Data: %s.dat (tab-separated; its first lines say\n"
               "# what each column holds). To restyle the chart, edit this file and run\n"
               "#   gnuplot %s.gp\n"
               "# in this directory; it writes %s.png and %s.svg.\n",
            MKBA_VERSION, name, name, name, name);
    fputs("reset\n"
          "set encoding utf8\n"
          "set datafile separator tab\n"
          "set tics nomirror out scale 0.5\n"
          "set border 3 lw 1 lc rgb '#555555'\n"
          "set style fill solid 0.9 noborder\n"
          "set key noautotitle\n",
          f);
    if (c->nl)
        fputs("set decimalsign ','\n", f);
}

/* One entry of a legend that mkba lays out itself: gnuplot's own key
 * gets no more columns than fit over the plot area, so a legend above a
 * narrow plot would stack up. */
typedef enum { LG_BOX, LG_LINE, LG_POINT, LG_RANGE } lg_kind;
typedef struct lg {
    lg_kind kind;      /* the sample: a filled box, a line, a point, a bar with a point */
    const char *rgb;   /* its colour, "#rrggbb" */
    int pt;            /* point type (LG_POINT, LG_RANGE) */
    const char *text;  /* a fixed text of ours (English or Dutch) */
} lg;

#define LG_TAG 200 /* entry i: sample tag LG_TAG + 2i, text label LG_TAG + 2i + 1 */
#define LG_SAMPLE 26 /* pixels */
#define LG_GAP 28

static int lg_width(const lg *e)
{
    return LG_SAMPLE + 6 + (int)(CHAR_PX * (double)strlen(e->text));
}

/* Draw legend entries e[0..n-1] in rows centred across the chart, the
 * first row's middle 'y' pixels from the top. Returns the rows used. */
static int gp_legend(FILE *g, const lg *e, size_t n, int y, int h)
{
    int rows = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        int width = 0;
        while (j < n && (j == i || width + LG_GAP + lg_width(&e[j]) <= W_STD - 40))
            width += (j > i ? LG_GAP : 0) + lg_width(&e[j]), j++;
        int x = (W_STD - width) / 2;
        double sy = from_top(y + 18 * rows, h);
        for (size_t k = i; k < j; k++) {
            int t = LG_TAG + 2 * (int)k;
            double x0 = (double)x / W_STD, x1 = (double)(x + LG_SAMPLE) / W_STD;
            double xm = (x0 + x1) / 2;
            if (e[k].kind == LG_BOX)
                fprintf(g,
                        "set object %d rectangle from screen %.4f, screen %.4f to screen %.4f, "
                        "screen %.4f fc rgb '%s' fs solid 0.9 noborder front\n",
                        t, x0, sy - 5.0 / h, x1, sy + 5.0 / h, e[k].rgb);
            if (e[k].kind == LG_LINE || e[k].kind == LG_RANGE)
                fprintf(g,
                        "set arrow %d from screen %.4f, screen %.4f to screen %.4f, screen %.4f "
                        "%s lw 2.5 lc rgb '%s' front\n",
                        t, x0, sy, x1, sy,
                        e[k].kind == LG_RANGE ? "heads size screen 0.006,90" : "nohead", e[k].rgb);
            if (e[k].kind == LG_POINT || e[k].kind == LG_RANGE) /* a range: its middle point */
                fprintf(g,
                        "set label %d '' at screen %.4f, screen %.4f point pt %d ps 1.5 "
                        "lc rgb '%s' front\n",
                        t, xm, sy, e[k].pt, e[k].rgb);
            fprintf(g, "set label %d ", t + 1);
            put_lit(g, e[k].text, 60);
            fprintf(g, " at screen %.4f, screen %.4f left font ',10' front\n",
                    (double)(x + LG_SAMPLE + 6) / W_STD, sy);
            x += lg_width(&e[k]) + LG_GAP;
        }
        rows++;
        i = j;
    }
    return rows;
}

/* Remove the legend (after the first panel of a multi-panel chart). */
static void gp_unlegend(FILE *g, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int t = LG_TAG + 2 * (int)i;
        fprintf(g, "  unset object %d\n  unset arrow %d\n  unset label %d\n  unset label %d\n",
                t, t, t, t + 1);
    }
}

/* The chart's title (label 100), a subtitle (label 101; NULL: none), the
 * legend e[0..n_lg-1], and room for a gnuplot key of 'key_rows' rows
 * under them, placed there. Returns the pixel row where the plot area may
 * start. */
static int gp_heading(FILE *g, const char *title, const char *sub, const lg *e, size_t n_lg,
                      int key_rows, int h)
{
    int y = 24;
    fputs("set label 100 ", g);
    put_lit(g, title, 110);
    fprintf(g, " at screen 0.5, screen %.4f center font ',14'\n", from_top(y, h));
    if (sub) {
        y += 22;
        fputs("set label 101 ", g);
        put_lit(g, sub, 120);
        fprintf(g, " at screen 0.5, screen %.4f center font ',12'\n", from_top(y, h));
    }
    y += 12;
    if (n_lg > 0) {
        int rows = gp_legend(g, e, n_lg, y + 10, h);
        y += 18 * rows + 4;
    }
    if (key_rows > 0) {
        fprintf(g, "set key at screen 0.5, screen %.4f center top horizontal samplen 2.5\n",
                from_top(y, h));
        y += 18 * key_rows;
    }
    return y + 14;
}

/* Rows a key of 'n' entries of up to 'chars' characters needs across the
 * chart's width, with the number of columns (for maxcols). */
static int key_rows(size_t n, size_t chars, int *cols)
{
    int per = (int)((W_STD - 40) / (CHAR_PX * (double)(chars + 8)));
    if (per < 1)
        per = 1;
    *cols = per;
    return (int)((n + (size_t)per - 1) / (size_t)per);
}

/* Start the loop that renders the chart as PNG and as SVG. */
static void gp_render_begin(FILE *f, const char *name, int w, int h)
{
    fprintf(f,
            "W = %d; H = %d\n"
            "do for [ext in 'png svg'] {\n"
            "  if (ext eq 'png') {\n"
            "    set terminal pngcairo size W,H noenhanced font 'Sans,10' background rgb 'white'\n"
            "  } else {\n"
            "    set terminal svg size W,H noenhanced font 'Arial,12' background rgb 'white'\n"
            "  }\n"
            "  set output '%s.'.ext\n",
            w, h, name);
}

static void gp_render_end(FILE *f)
{
    fputs("  set output\n}\n", f);
}

/* A vertical dashed line at x = 0 (arrow 1). */
static void gp_zero_x(FILE *f)
{
    fputs("set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb '" C_ZERO "' lw 1.2 dt 2 front\n",
          f);
}

/* Widen [*lo, *hi] when it is empty or no wider than floating-point noise
 * (at most 1e-9 of the larger bound's size), symmetrically around its
 * centre: by a tenth of that size each way, or by 1 when it is 0. A Monte
 * Carlo whose society's NPV is constant up to rounding (the only
 * uncertainty a transfer) gives such a range; gnuplot refuses a range
 * whose bounds print alike ("Can't plot with an empty x range!"). */
static void widen_range(double *lo, double *hi)
{
    double mag = fmax(fabs(*lo), fabs(*hi));
    if (*hi - *lo > 1e-9 * mag)
        return;
    double mid = *lo / 2 + *hi / 2, m = 0.1 * mag;
    *lo = mid - m;
    *hi = mid + m;
    if (!(*hi > *lo)) { /* 0, or too small to widen by a tenth */
        *lo = mid - 1;
        *hi = mid + 1;
    }
}

/* "set xrange [lo:hi]" (or y) from data bounds, widened when empty (see
 * widen_range), padded by 'pad' of the span on the low side and 'pad_hi'
 * on the high side, divided by 'div'. The bounds are printed in full
 * (%.17g) so that two different bounds never print alike. Bounds that are
 * not finite leave the axis to gnuplot's autoscaling. */
static void gp_range(FILE *f, const char *axis, double lo, double hi, double pad, double pad_hi,
                     double div)
{
    if (!isfinite(lo) || !isfinite(hi)) {
        fprintf(f, "set %srange [*:*]\n", axis);
        return;
    }
    widen_range(&lo, &hi);
    double span = hi - lo, a = lo - span * pad, b = hi + span * pad_hi;
    if (!isfinite(a) || !isfinite(b)) { /* near 1.8e308: in halves, clamped */
        double half = hi / 2 - lo / 2;
        a = fmax(lo - half * (2 * pad), -DBL_MAX);
        b = fmin(hi + half * (2 * pad_hi), DBL_MAX);
    }
    fprintf(f, "set %srange [%.17g:%.17g]\n", axis, a / div, b / div);
}

/* Widen [lo, hi] to take in 0 when 0 is nearer than the range is wide. */
static void near_zero(double *lo, double *hi)
{
    if (*lo > 0 && *lo < *hi - *lo)
        *lo = 0;
    if (*hi < 0 && -*hi < *hi - *lo)
        *hi = 0;
}

/* "set WHAT 'text'" (no line end): an axis title. */
static void gp_set_lit(FILE *g, const char *what, const char *text, size_t max)
{
    fprintf(g, "set %s ", what);
    put_lit(g, text, max);
}

/* "set WHAT 'NPV for society (million EUR)'" (no line end). */
static void gp_npv_axis(const ctx *c, FILE *g, const char *what, const scale *s)
{
    char *t = mkba_xasprintf("%s (%s)", tr(c, "NPV for society", "NCW voor de maatschappij"),
                             s->unit);
    gp_set_lit(g, what, t, 100);
    free(t);
}

/* ======================= Monte Carlo charts ============================= */

static size_t soc(const mkba_appraisal *a)
{
    return a->n_stakeholders;
}

/* Society's NPV over the draws of project scenario s. */
static const mkba_stats *soc_npv(const mkba_appraisal *a, size_t s)
{
    return &a->mc->npv[mkba_mc_idx(a->mc, s, soc(a))];
}

static int mc_has(const mkba_appraisal *a, size_t s)
{
    const mkba_mc *mc = a->mc;
    return mc && mc->hist && mc->npv && s < mc->n_scenarios && isfinite(mc->hist_lo[s]) &&
           isfinite(mc->hist_width[s]) && soc_npv(a, s)->n > 0;
}

/* npv_histogram_S: society's NPV over the draws, P(NPV > 0) marked. */
static mkba_status chart_histogram(ctx *c, size_t s)
{
    const mkba_appraisal *a = c->a;
    const mkba_mc *mc = a->mc;
    if (!mc_has(a, s))
        return MKBA_OK;
    const mkba_stats *st = soc_npv(a, s);
    const size_t *h = mc->hist + s * MKBA_MC_BINS;
    double lo = mc->hist_lo[s], w = mc->hist_width[s], hi = lo + MKBA_MC_BINS * w;
    size_t total = 0;
    for (size_t b = 0; b < MKBA_MC_BINS; b++)
        total += h[b];
    cfiles f;
    if (cf_open(c, &f, "npv_histogram_%zu", s))
        return MKBA_EIO;
    char pp[32];
    mkba_fmt_percent(pp, sizeof pp, st->p_positive, 1, c->nl);
    char *head = mkba_xasprintf(c->nl ? "NCW voor de maatschappij over %zu trekkingen: P(NCW > 0) = %s"
                               : "NPV for society over %zu draws: P(NPV > 0) = %s",
                         st->n, pp);
    char *title = mkba_xasprintf("%s (%s)", head, mkba_fmt_scen_label(a, s, c->nl));
    fprintf(f.dat, "# %s, project scenario %zu: society's NPV over %zu finite draws\n", f.name,
            s, total);
    fputs("# bin\tfrom\tto\tmiddle\tdraws\tshare_pct\tcolour (NPV above 0 green, else red)\n",
          f.dat);
    for (size_t b = 0; b < MKBA_MC_BINS; b++) {
        double from = lo + (double)b * w, to = lo + (double)(b + 1) * w;
        double mid = from + (to - from) / 2; /* (from + to) / 2 overflows near 1.8e308 */
        fprintf(f.dat, "%zu\t%.17g\t%.17g\t%.17g\t%zu\t%.17g\t%u\n", b + 1, from, to, mid, h[b],
                total ? 100.0 * (double)h[b] / (double)total : 0.0, mid > 0 ? 0x2e8b57u : 0xc0392bu);
    }
    scale sc = pick_scale(c, fmax(fabs(lo), fabs(hi)));
    FILE *g = f.gp;
    gp_head(c, g, f.name, title);
    lg e[] = {{LG_BOX, C_DOWN, 0, tr(c, "NPV below 0", "NCW onder 0")},
              {LG_BOX, C_UP, 0, tr(c, "NPV above 0", "NCW boven 0")},
              {LG_LINE, C_TOTAL, 0, tr(c, "mean", "gemiddelde")}};
    int top = gp_heading(g, head, mkba_fmt_scen_label(a, s, c->nl), e, 3, 0, H_STD);
    gp_frame(g, 0.08, 0.97, top, H_STD - 58, H_STD);
    gp_npv_axis(c, g, "xlabel", &sc);
    fputs("\nset ylabel ", g);
    put_lit(g, tr(c, "Share of draws (%)", "Aandeel van de trekkingen (%)"), 100);
    fprintf(g, "\nS = %.10g\n", sc.div);
    double xlo = lo, xhi = hi;
    near_zero(&xlo, &xhi);
    gp_range(g, "x", xlo, xhi, 0.03, 0.03, sc.div);
    fputs("set yrange [0:*]\nset grid ytics lc rgb '#e3e3e3'\n", g);
    if (xlo <= 0 && xhi >= 0)
        gp_zero_x(g);
    if (isfinite(st->mean))
        fprintf(g,
                "set arrow 2 from %.17g, graph 0 to %.17g, graph 1 nohead lc rgb '" C_TOTAL
                "' lw 2 front\n",
                st->mean / sc.div, st->mean / sc.div);
    fputs("set label 1 ", g);
    char *pl = mkba_xasprintf("P(%s > 0) = %s", tr(c, "NPV", "NCW"), pp);
    put_lit(g, pl, 60);
    free(pl);
    fputs(" at graph 0.02, graph 0.93 left font ',13' front\n", g);
    gp_render_begin(g, f.name, W_STD, H_STD);
    fprintf(g, "  plot '%s.dat' using ($4/S):6:(($3-$2)/S):7 with boxes lc rgb variable\n",
            f.name);
    gp_render_end(g);
    free(head);
    return cf_close(c, &f, title, W_STD, H_STD);
}

/* npv_scurve: the cumulative distribution of society's NPV per scenario. */
static mkba_status chart_scurve(ctx *c)
{
    const mkba_appraisal *a = c->a;
    const mkba_mc *mc = a->mc;
    size_t *cols = mkba_xcalloc(a->n_scenarios + 1, sizeof *cols), n = 0;
    double lo = 0, hi = 0;
    for (size_t s = 1; s < a->n_scenarios; s++)
        if (mc_has(a, s)) {
            cols[n++] = s;
            const double *q = mc->npv_cdf + s * MKBA_MC_CDF;
            lo = n == 1 ? q[0] : fmin(lo, q[0]);
            hi = n == 1 ? q[MKBA_MC_CDF - 1] : fmax(hi, q[MKBA_MC_CDF - 1]);
        }
    if (n == 0) {
        free(cols);
        return MKBA_OK;
    }
    cfiles f;
    if (cf_open(c, &f, "npv_scurve", 0)) {
        free(cols);
        return MKBA_EIO;
    }
    char *title = mkba_xstrdup(tr(c, "Cumulative distribution of the NPV for society",
                                  "Cumulatieve verdeling van de NCW voor de maatschappij"));
    fputs("# npv_scurve: society's NPV of each project scenario at quantile p\n"
          "# (p from 0 to 1; the next line names the columns)\n",
          f.dat);
    fputs("p", f.dat);
    for (size_t j = 0; j < n; j++) {
        char pp[32];
        mkba_fmt_percent(pp, sizeof pp, soc_npv(a, cols[j])->p_positive, 1, c->nl);
        fputc('\t', f.dat);
        put_field(f.dat, mkba_fmt_scen_label(a, cols[j], c->nl), LABEL_MAX);
        fprintf(f.dat, " (P(%s > 0) = %s)", tr(c, "NPV", "NCW"), pp);
    }
    fputc('\n', f.dat);
    for (size_t i = 0; i < MKBA_MC_CDF; i++) {
        fprintf(f.dat, "%.17g", (double)i / (MKBA_MC_CDF - 1));
        for (size_t j = 0; j < n; j++)
            fprintf(f.dat, "\t%.17g", mc->npv_cdf[cols[j] * MKBA_MC_CDF + i]);
        fputc('\n', f.dat);
    }
    scale sc = pick_scale(c, fmax(fabs(lo), fabs(hi)));
    near_zero(&lo, &hi);
    FILE *g = f.gp;
    gp_head(c, g, f.name, title);
    int top = gp_heading(g, title, NULL, NULL, 0, 0, H_STD);
    gp_frame(g, 0.09, 0.97, top, H_STD - 58, H_STD);
    gp_npv_axis(c, g, "xlabel", &sc);
    fputs("\nset ylabel ", g);
    put_lit(g, tr(c, "Chance that the NPV is at most this value (%)",
                  "Kans dat de NCW hoogstens deze waarde is (%)"),
            100);
    fprintf(g, "\nS = %.10g\nN = %zu\nCOL = '", sc.div, n);
    for (size_t j = 0; j < n; j++)
        fprintf(g, "%s#%06x", j ? " " : "", SCEN_RGB[(cols[j] - 1) % 8]);
    fputs("'\nset yrange [0:100]\nset ytics 0, 10\nset grid xtics ytics lc rgb '#e3e3e3'\n"
          "set key bottom right Left reverse samplen 2.5 spacing 1.2\n",
          g);
    gp_range(g, "x", lo, hi, 0.02, 0.02, sc.div);
    if (lo <= 0 && hi >= 0)
        gp_zero_x(g);
    gp_render_begin(g, f.name, W_STD, H_STD);
    fprintf(g,
            "  plot for [j=1:N] '%s.dat' using (column(j+1)/S):($1*100) with lines lw 2.5 "
            "lc rgb word(COL, j) title columnheader(j+1)\n",
            f.name);
    gp_render_end(g);
    free(cols);
    return cf_close(c, &f, title, W_STD, H_STD);
}

/* scenarios: P5 to P95, median and mean of society's NPV per scenario. */
static mkba_status chart_scenarios(ctx *c)
{
    const mkba_appraisal *a = c->a;
    size_t n = 0, maxlen = 0;
    double lo = 0, hi = 0;
    for (size_t s = 1; s < a->n_scenarios; s++)
        if (mc_has(a, s)) {
            const mkba_stats *st = soc_npv(a, s);
            lo = n == 0 ? fmin(st->p5, st->mean) : fmin(lo, fmin(st->p5, st->mean));
            hi = n == 0 ? fmax(st->p95, st->mean) : fmax(hi, fmax(st->p95, st->mean));
            n++;
        }
    if (n == 0)
        return MKBA_OK;
    cfiles f;
    if (cf_open(c, &f, "scenarios", 0))
        return MKBA_EIO;
    char *title = mkba_xstrdup(tr(c, "NPV for society per scenario: P5 to P95, median and mean",
                                  "NCW voor de maatschappij per scenario: P5 tot P95, mediaan en "
                                  "gemiddelde"));
    fputs("# scenarios: society's NPV over the Monte Carlo draws, per project scenario\n"
          "# row\tscenario\tmean\tp5\tp50\tp95\tp_positive\tcolour\tP(NPV>0) text\tlabel\n",
          f.dat);
    size_t row = 0;
    for (size_t s = 1; s < a->n_scenarios; s++) {
        if (!mc_has(a, s))
            continue;
        const mkba_stats *st = soc_npv(a, s);
        char pp[32];
        mkba_fmt_percent(pp, sizeof pp, st->p_positive, 1, c->nl);
        fprintf(f.dat, "%zu\t%zu\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%u\tP(%s > 0) = %s\t", ++row,
                s, st->mean, st->p5, st->p50, st->p95, st->p_positive, SCEN_RGB[(s - 1) % 8],
                tr(c, "NPV", "NCW"), pp);
        maxlen = max_z(maxlen, put_field(f.dat, mkba_fmt_scen_label(a, s, c->nl), LABEL_MAX));
        fputc('\n', f.dat);
    }
    int h = 150 + 70 * (int)n;
    if (h < 330)
        h = 330;
    scale sc = pick_scale(c, fmax(fabs(lo), fabs(hi)));
    near_zero(&lo, &hi);
    FILE *g = f.gp;
    gp_head(c, g, f.name, title);
    lg e[] = {{LG_RANGE, "#555555", 7, tr(c, "P5 to P95, dot: median (P50)",
                                           "P5 tot P95, stip: mediaan (P50)")},
              {LG_POINT, "#222222", 13, tr(c, "mean", "gemiddelde")}};
    int top = gp_heading(g, title, NULL, e, 2, 0, h);
    gp_frame(g, left_for(maxlen), 0.96, top, h - 58, h);
    gp_npv_axis(c, g, "xlabel", &sc);
    fprintf(g, "\nS = %.10g\nset yrange [%zu.6:0.4]\nset ytics scale 0\n", sc.div, n);
    gp_range(g, "x", lo, hi, 0.06, 0.06, sc.div);
    fputs("set grid xtics lc rgb '#e3e3e3'\nset bars 2\n", g);
    if (lo <= 0 && hi >= 0)
        gp_zero_x(g);
    gp_render_begin(g, f.name, W_STD, h);
    fprintf(g,
            "  plot '%s.dat' using ($5/S):1:($4/S):($6/S):8:yticlabels(10) with xerrorbars "
            "lw 3 pt 7 ps 1.6 lc rgb variable, \\\n"
            "    '' using ($3/S):1 with points pt 13 ps 2.2 lc rgb '#222222', \\\n"
            "    '' using ($5/S):($1-0.3):9 with labels center font ',10'\n",
            f.name);
    gp_render_end(g);
    return cf_close(c, &f, title, W_STD, h);
}

/* ========================= sensitivity charts =========================== */

/* The inputs of the tornado panel of scenario 'sc': indices into
 * s->inputs, largest swing first, those without a swing left out (their
 * number in *n_flat); at most MAX_ROWS. */
static size_t tornado_rows(const mkba_sens *s, size_t sc, size_t *rows, size_t *n_flat)
{
    size_t n = 0, K = s->n_stakeholders;
    *n_flat = 0;
    for (size_t r = 0; r < s->n_inputs; r++) {
        size_t i = s->order[sc * s->n_inputs + r];
        double lo = s->npv_lo[mkba_sens_idx(s, i, sc, K)], hi = s->npv_hi[mkba_sens_idx(s, i, sc, K)];
        if (!(fabs(hi - lo) > 0) || !isfinite(lo) || !isfinite(hi))
            (*n_flat)++;
        else if (n < MAX_ROWS)
            rows[n++] = i;
    }
    return n;
}

/* The y tick label of an input: its label (fmt.h, mkba_fmt_input_label:
 * never the key effect.months_work) and its one-way range, e.g. "Months in
 * work (-0.3839 to 0.1242)". Returns its length in bytes. */
static size_t put_input_label(FILE *f, const mkba_appraisal *a, const mkba_sens_input *in,
                              int nl)
{
    char lo[40], hi[40];
    mkba_fmt_value(lo, sizeof lo, in->lo, nl);
    mkba_fmt_value(hi, sizeof hi, in->hi, nl);
    char *name = clean(mkba_fmt_input_label(a, in->name, nl), LABEL_MAX, 0); /* a label, not a key */
    char *t = mkba_xasprintf("%s (%s %s %s)", name, lo, nl ? "tot" : "to", hi);
    fputs(t, f);
    size_t n = strlen(t);
    free(name);
    free(t);
    return n;
}

/* The panels of a multi-panel chart, stacked: each with a title line
 * (label 110, centred), 'row_px' pixels per row, and room for the x axis
 * below. */
#define PANEL_TITLE 28
#define PANEL_AXIS 52
#define PANEL_GAP 14

static void gp_panel(FILE *g, const char *title, double left, double right, int top, int rows,
                     int row_px, int h)
{
    fputs("  set label 110 ", g);
    put_lit(g, title, 120);
    fprintf(g, " at screen 0.5, screen %.4f center font ',12'\n", from_top(top + 16, h));
    fputs("  ", g);
    gp_frame(g, left, right, top + PANEL_TITLE, top + PANEL_TITLE + rows * row_px, h);
}

/* After the first panel of a multi-panel chart: the chart's title and key
 * are drawn once. */
static void gp_after_first(FILE *g, size_t n_legend)
{
    fputs("  unset label 100\n  unset label 101\n  unset key\n", g);
    gp_unlegend(g, n_legend);
}

/* The panels of a tornado or Sobol chart: which inputs each project
 * scenario's panel shows, in its order. */
typedef struct panels {
    size_t *rows;  /* rows[sc * MAX_ROWS + r]: the input on row r of scenario sc */
    size_t *nrows; /* rows of scenario sc; 0: it has no panel */
    size_t *flat;  /* tornado: inputs of scenario sc without a swing, not shown */
    size_t n;      /* scenarios with a panel */
} panels;

static panels panels_new(size_t n_scenarios)
{
    panels p = {mkba_xcalloc(n_scenarios * MAX_ROWS, sizeof *p.rows),
                mkba_xcalloc(n_scenarios, sizeof *p.nrows),
                mkba_xcalloc(n_scenarios, sizeof *p.flat), 0};
    return p;
}

static void panels_free(panels *p)
{
    free(p->rows), free(p->nrows), free(p->flat);
}

/* Pixels of scenario sc's panel, with its axis and the gap under it; in
 * a tornado a note under the axis counts the inputs left out. */
static int panel_px(const panels *p, size_t sc, int row_px)
{
    return PANEL_TITLE + row_px * (int)p->nrows[sc] + PANEL_AXIS + PANEL_GAP +
           (p->flat[sc] ? 16 : 0);
}

/* The NPV range of scenario sc's tornado panel: its base and every bar. */
static void tornado_span(const mkba_sens *s, const panels *p, size_t sc, double *lo, double *hi)
{
    size_t K = s->n_stakeholders;
    *lo = *hi = s->npv_base[sc * (K + 1) + K];
    for (size_t r = 0; r < p->nrows[sc]; r++) {
        size_t i = p->rows[sc * MAX_ROWS + r];
        double v1 = s->npv_lo[mkba_sens_idx(s, i, sc, K)], v2 = s->npv_hi[mkba_sens_idx(s, i, sc, K)];
        *lo = fmin(*lo, fmin(v1, v2));
        *hi = fmax(*hi, fmax(v1, v2));
    }
}

/* The tornado chart of the panels p (see chart_tornado). */
static mkba_status tornado_write(ctx *c, const panels *p)
{
    const mkba_appraisal *a = c->a;
    const mkba_sens *s = a->sens;
    size_t S = s->n_scenarios, K = s->n_stakeholders;
    const size_t *rows = p->rows, *nrows = p->nrows, *flat = p->flat;
    cfiles f;
    if (cf_open(c, &f, "tornado", 0))
        return MKBA_EIO;
    char *title = mkba_xstrdup(tr(c, "One-way sensitivity of the NPV for society",
                                  "Eenwegs-gevoeligheid van de NCW voor de maatschappij"));
    fputs("# tornado: society's NPV with one input at its P10 and at its P90, the others at\n"
          "# base; one block (gnuplot index) per project scenario, largest swing first.\n"
          "# rank\tnpv_at_p10\tnpv_at_p90\tnpv_base\tswing\tinput (P10 to P90)\n",
          f.dat);
    double maxabs = 0;
    size_t maxlen = 0;
    int row_px = 28, h = 84;
    for (size_t sc = 1; sc < S; sc++) {
        if (!nrows[sc])
            continue;
        double base = s->npv_base[sc * (K + 1) + K];
        for (size_t r = 0; r < nrows[sc]; r++) {
            size_t i = rows[sc * MAX_ROWS + r];
            double lo = s->npv_lo[mkba_sens_idx(s, i, sc, K)];
            double hi = s->npv_hi[mkba_sens_idx(s, i, sc, K)];
            maxabs = fmax(maxabs, fmax(fabs(lo), fabs(hi)));
            fprintf(f.dat, "%zu\t%.17g\t%.17g\t%.17g\t%.17g\t", r + 1, lo, hi, base, fabs(hi - lo));
            maxlen = max_z(maxlen, put_input_label(f.dat, c->a, &s->inputs[i], c->nl));
            fputc('\n', f.dat);
        }
        fputs("\n\n", f.dat);
        h += panel_px(p, sc, row_px);
    }
    scale sc_ = pick_scale(c, maxabs);
    double left = left_for(maxlen);
    FILE *g = f.gp;
    gp_head(c, g, f.name, title);
    lg e[] = {{LG_BOX, "#5b8db8", 0, tr(c, "input at its P10", "invoer op P10")},
              {LG_BOX, "#e69f00", 0, tr(c, "input at its P90", "invoer op P90")},
              {LG_LINE, "#222222", 0, tr(c, "NPV at base", "NCW in de basis")}};
    int top = gp_heading(g, title, NULL, e, 3, 0, h);
    fprintf(g, "S = %.10g\nset ytics scale 0 font ',10'\nset grid xtics lc rgb '#e3e3e3'\n",
            sc_.div);
    gp_npv_axis(c, g, "xlabel", &sc_);
    fputs("\n", g);
    gp_render_begin(g, f.name, W_STD, h);
    fputs("  set multiplot\n", g);
    size_t block = 0;
    for (size_t sc = 1; sc < S; sc++) {
        if (!nrows[sc])
            continue;
        double base = s->npv_base[sc * (K + 1) + K], lo, hi;
        tornado_span(s, p, sc, &lo, &hi);
        near_zero(&lo, &hi);
        char amount[48];
        mkba_fmt_label_number(amount, sizeof amount, base, 0, c->nl);
        char *cur = currency(c);
        char *pt = mkba_xasprintf("%s: %s %s %s", mkba_fmt_scen_label(a, sc, c->nl),
                           tr(c, "NPV at base", "NCW in de basis"), cur, amount);
        free(cur);
        gp_panel(g, pt, left, 0.96, top, (int)nrows[sc], row_px, h);
        free(pt);
        fprintf(g, "  set yrange [%zu.6:0.4]\n  ", nrows[sc]);
        gp_range(g, "x", lo, hi, 0.04, 0.04, sc_.div);
        fprintf(g,
                "  set arrow 1 from %.17g, graph 0 to %.17g, graph 1 nohead lc rgb '#222222' "
                "lw 1.5 front\n",
                base / sc_.div, base / sc_.div);
        if (lo <= 0 && hi >= 0)
            fputs("  set arrow 2 from 0, graph 0 to 0, graph 1 nohead lc rgb '" C_ZERO
                  "' dt 2 front\n",
                  g);
        else
            fputs("  unset arrow 2\n", g);
        if (flat[sc]) {
            char *note = mkba_xasprintf(c->nl ? "niet getoond: %zu zonder invloed op de NCW"
                                       : "not shown: %zu without effect on the NPV",
                                 flat[sc]);
            fputs("  set label 1 ", g);
            put_lit(g, note, 100);
            fprintf(g, " at screen 0.96, screen %.4f right font ',9' tc rgb '#666666'\n",
                    from_top(top + PANEL_TITLE + (int)nrows[sc] * row_px + PANEL_AXIS + 4, h));
            free(note);
        } else {
            fputs("  unset label 1\n", g);
        }
        fprintf(g,
                "  plot '%s.dat' index %zu using ($4/S):1:($4/S):($2/S):($1-0.36):($1+0.36):"
                "yticlabels(6) with boxxyerror lc rgb '#5b8db8', \\\n"
                "    '' index %zu using ($4/S):1:($4/S):($3/S):($1-0.36):($1+0.36) with "
                "boxxyerror lc rgb '#e69f00'\n",
                f.name, block, block);
        if (block == 0)
            gp_after_first(g, 3);
        top += panel_px(p, sc, row_px);
        block++;
    }
    fputs("  unset multiplot\n", g);
    gp_render_end(g);
    return cf_close(c, &f, title, W_STD, h);
}

/* A chart of panels (tornado, sobol): 'pick' chooses each scenario's
 * rows, 'draw' writes the chart when any scenario has a panel. */
typedef size_t (*panel_rows_fn)(const mkba_sens *s, size_t sc, size_t *rows, size_t *n_flat);
typedef mkba_status (*panel_draw_fn)(ctx *c, const panels *p);

static mkba_status chart_panels(ctx *c, panel_rows_fn pick, panel_draw_fn draw)
{
    const mkba_sens *s = c->a->sens;
    panels p = panels_new(s->n_scenarios);
    for (size_t sc = 1; sc < s->n_scenarios; sc++)
        p.n += (p.nrows[sc] = pick(s, sc, p.rows + sc * MAX_ROWS, &p.flat[sc])) > 0;
    mkba_status st = p.n ? draw(c, &p) : MKBA_OK;
    panels_free(&p);
    return st;
}

/* tornado: one-way sensitivity of society's NPV, a panel per scenario. */
static mkba_status chart_tornado(ctx *c)
{
    const mkba_sens *s = c->a->sens;
    if (!s || s->n_inputs == 0 || s->n_scenarios < 2 || !s->order)
        return MKBA_OK;
    return chart_panels(c, tornado_rows, tornado_write);
}

/* The inputs of the Sobol panel of scenario sc, largest total index first
 * (at most MAX_ROWS); 0 when society's NPV has no variance to split. None
 * is left out for want of a swing (*n_flat 0: no note under the panel). */
static size_t sobol_rows(const mkba_sens *s, size_t sc, size_t *rows, size_t *n_flat)
{
    const mkba_sobol *so = s->sobol;
    size_t K = s->n_stakeholders, out = (sc - 1) * (K + 1) + K, d = so->d, n = 0;
    *n_flat = 0;
    if (out >= so->m || !isfinite(so->variance[out]) || !(so->variance[out] > 0))
        return 0;
    size_t *idx = mkba_xcalloc(d + 1, sizeof *idx); /* insertion sort: d is small */
    for (size_t j = 0; j < d; j++) {
        size_t k = j;
        double t = so->total[out * d + j];
        while (k > 0 && !(so->total[out * d + idx[k - 1]] >= t)) {
            idx[k] = idx[k - 1];
            k--;
        }
        idx[k] = j;
    }
    for (size_t j = 0; j < d && n < MAX_ROWS; j++)
        if (isfinite(so->total[out * d + idx[j]]) && isfinite(so->first[out * d + idx[j]]))
            rows[n++] = idx[j];
    free(idx);
    return n;
}

/* The Sobol chart of the panels p (see chart_sobol). */
static mkba_status sobol_write(ctx *c, const panels *p)
{
    const mkba_appraisal *a = c->a;
    const mkba_sens *s = a->sens;
    const mkba_sobol *so = s->sobol;
    size_t S = s->n_scenarios, K = s->n_stakeholders, d = so->d;
    const size_t *rows = p->rows, *nrows = p->nrows;
    cfiles f;
    if (cf_open(c, &f, "sobol", 0))
        return MKBA_EIO;
    char *title = mkba_xstrdup(tr(c, "Sobol indices of the NPV for society",
                                  "Sobol-indices van de NCW voor de maatschappij"));
    fputs("# sobol: first- and total-order Sobol indices of society's NPV with 95% bootstrap\n"
          "# CIs; one block (gnuplot index) per project scenario, largest total first.\n"
          "# rank\tfirst\tfirst_lo\tfirst_hi\ttotal\ttotal_lo\ttotal_hi\tinput\n",
          f.dat);
    double lo = 0, hi = 1;
    size_t maxlen = 0;
    int row_px = 32, h = 84;
    for (size_t sc = 1; sc < S; sc++) {
        if (!nrows[sc])
            continue;
        size_t out = (sc - 1) * (K + 1) + K;
        for (size_t r = 0; r < nrows[sc]; r++) {
            size_t j = rows[sc * MAX_ROWS + r], q = out * d + j;
            fprintf(f.dat, "%zu\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t", r + 1, so->first[q],
                    so->first_lo[q], so->first_hi[q], so->total[q], so->total_lo[q],
                    so->total_hi[q]);
            maxlen = max_z(maxlen, put_field(f.dat, mkba_fmt_input_label(c->a, s->inputs[j].name, c->nl),
                                              LABEL_MAX));
            fputc('\n', f.dat);
            double v[] = {so->first[q], so->first_lo[q], so->first_hi[q], so->total[q],
                          so->total_lo[q], so->total_hi[q]};
            for (size_t k = 0; k < 6; k++)
                if (isfinite(v[k]))
                    lo = fmin(lo, v[k]), hi = fmax(hi, v[k]);
        }
        fputs("\n\n", f.dat);
        h += panel_px(p, sc, row_px);
    }
    if (s->sobol_correlated)
        h += 18;
    double left = left_for(maxlen);
    FILE *g = f.gp;
    gp_head(c, g, f.name, title);
    lg e[] = {{LG_BOX, C_TOTAL, 0, tr(c, "total order", "totale orde")},
              {LG_BOX, "#8fb3d9", 0, tr(c, "first order", "eerste orde")},
              {LG_RANGE, "#222222", -1, tr(c, "95% CI", "95%-BI")}};
    int top = gp_heading(g, title, NULL, e, 3, 0, h);
    fputs("set ytics scale 0 font ',10'\nset grid xtics lc rgb '#e3e3e3'\nset bars 0.6\n", g);
    gp_range(g, "x", lo, hi, 0.02, 0.02, 1);
    fputs("set xlabel ", g);
    put_lit(g, tr(c, "Share of the variance of the NPV", "Aandeel in de variantie van de NCW"), 80);
    fputs("\n", g);
    gp_zero_x(g);
    if (s->sobol_correlated) {
        fputs("set label 102 ", g);
        put_lit(g, tr(c, "The indices take the inputs as independent: the correlations of the "
                         "model are not used",
                      "De indices nemen de invoer onafhankelijk: de correlaties van het model "
                      "zijn niet gebruikt"),
                120);
        fprintf(g, " at screen 0.5, screen %.4f center font ',9' tc rgb '#666666'\n",
                from_top(top, h));
        top += 18;
    }
    gp_render_begin(g, f.name, W_STD, h);
    fputs("  set multiplot\n", g);
    size_t block = 0;
    for (size_t sc = 1; sc < S; sc++) {
        if (!nrows[sc])
            continue;
        gp_panel(g, mkba_fmt_scen_label(a, sc, c->nl), left, 0.96, top, (int)nrows[sc], row_px, h);
        fprintf(g, "  set yrange [%zu.6:0.4]\n", nrows[sc]);
        fprintf(g,
                "  plot '%s.dat' index %zu using ($5/2):($1-0.19):(0):5:($1-0.36):($1-0.02):"
                "yticlabels(8) with boxxyerror lc rgb '" C_TOTAL "', \\\n"
                "    '' index %zu using ($2/2):($1+0.19):(0):2:($1+0.02):($1+0.36) with "
                "boxxyerror lc rgb '#8fb3d9', \\\n"
                "    '' index %zu using 5:($1-0.19):6:7 with xerrorbars pt -1 lc rgb '#222222', \\\n"
                "    '' index %zu using 2:($1+0.19):3:4 with xerrorbars pt -1 lc rgb '#222222'\n",
                f.name, block, block, block, block);
        if (block == 0)
            gp_after_first(g, 3);
        top += panel_px(p, sc, row_px);
        block++;
    }
    fputs("  unset multiplot\n", g);
    gp_render_end(g);
    return cf_close(c, &f, title, W_STD, h);
}

/* sobol: first- and total-order indices, a panel per scenario. */
static mkba_status chart_sobol(ctx *c)
{
    const mkba_sens *s = c->a->sens;
    if (!s || !s->sobol || s->sobol->d != s->n_inputs || s->n_scenarios < 2)
        return MKBA_OK;
    return chart_panels(c, sobol_rows, sobol_write);
}

/* Where NPV = 0 on the two-way grid z[i * n + j] (a along i, b along j), as
 * line segments (marching squares, linear interpolation along each cell
 * edge): two lines per segment, then a blank line. Returns the number of
 * segments. */
static size_t zero_segments(FILE *f, const double *ax, const double *bx, const double *z,
                            size_t n)
{
    size_t segs = 0;
    for (size_t i = 0; i + 1 < n; i++)
        for (size_t j = 0; j + 1 < n; j++) {
            /* the cell's corners, in order around it */
            double x[4] = {ax[i], ax[i + 1], ax[i + 1], ax[i]};
            double y[4] = {bx[j], bx[j], bx[j + 1], bx[j + 1]};
            double v[4] = {z[i * n + j], z[(i + 1) * n + j], z[(i + 1) * n + j + 1],
                           z[i * n + j + 1]};
            double px[4], py[4];
            size_t m = 0;
            for (size_t e = 0; e < 4; e++) {
                double v0 = v[e], v1 = v[(e + 1) % 4];
                if (!isfinite(v0) || !isfinite(v1) || (v0 < 0) == (v1 < 0))
                    continue;
                double t = v0 / (v0 - v1);
                px[m] = x[e] + t * (x[(e + 1) % 4] - x[e]);
                py[m] = y[e] + t * (y[(e + 1) % 4] - y[e]);
                m++;
            }
            /* two crossings: one segment; four (a saddle): two, in edge order */
            for (size_t k = 0; k + 1 < m; k += 2) {
                fprintf(f, "%.17g\t%.17g\n%.17g\t%.17g\n\n", px[k], py[k], px[k + 1], py[k + 1]);
                segs++;
            }
        }
    return segs;
}

/* "set WHAT 'input (P10 to P90)'" (no line end): an axis of the grid. */
static void gp_input_axis(const ctx *c, FILE *g, const char *what, const char *input)
{
    char *t = mkba_xasprintf("%s (P10 %s P90)", input, tr(c, "to", "tot"));
    gp_set_lit(g, what, t, 80);
    free(t);
}

/* twoway: society's NPV over the two-way grid as a heat map per scenario,
 * with the line where it is 0. */
static mkba_status chart_twoway(ctx *c)
{
    const mkba_appraisal *a = c->a;
    const mkba_sens *s = a->sens;
    if (!s || s->grid_steps < 2 || !s->grid || s->n_scenarios < 2 || s->grid_a >= s->n_inputs ||
        s->grid_b >= s->n_inputs)
        return MKBA_OK;
    size_t n = s->grid_steps, S = s->n_scenarios;
    cfiles f;
    if (cf_open(c, &f, "twoway", 0))
        return MKBA_EIO;
    const char *na = mkba_fmt_input_label(a, s->inputs[s->grid_a].name, c->nl);
    const char *nb = mkba_fmt_input_label(a, s->inputs[s->grid_b].name, c->nl);
    char *title = mkba_xstrdup(tr(c, "Two-way sensitivity of the NPV for society",
                                  "Tweewegs-gevoeligheid van de NCW voor de maatschappij"));
    fputs("# twoway: society's NPV with two inputs moved together, the others at base.\n"
          "# Per project scenario two blocks (gnuplot index 2k and 2k+1): the grid\n"
          "#   input_a\tinput_b\tnpv\tnpv as shown in the cell\n"
          "# and where the NPV is 0 (line segments: input_a, input_b).\n# input_a: ",
          f.dat);
    put_field(f.dat, na, 80);
    fputs("\n# input_b: ", f.dat);
    put_field(f.dat, nb, 80);
    fputc('\n', f.dat);
    double maxabs = 0;
    for (size_t q = 0; q < (S - 1) * n * n; q++)
        if (isfinite(s->grid[n * n + q]))
            maxabs = fmax(maxabs, fabs(s->grid[n * n + q]));
    scale sc_ = pick_scale(c, maxabs);
    size_t any = 0; /* zero crossings in any scenario: the legend shows the line */
    for (size_t sc = 1; sc < S; sc++) {
        const double *z = s->grid + sc * n * n;
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < n; j++) {
                char cell[48];
                fmt_scaled(cell, sizeof cell, z[i * n + j], &sc_, c->nl);
                fprintf(f.dat, "%.17g\t%.17g\t%.17g\t%s\n", s->grid_a_values[i],
                        s->grid_b_values[j], z[i * n + j], cell);
            }
            fputc('\n', f.dat);
        }
        fputs("\n", f.dat);
        size_t segs = zero_segments(f.dat, s->grid_a_values, s->grid_b_values, z, n);
        any += segs;
        if (!segs)
            fputs("# no zero crossing\nNaN\tNaN\n", f.dat);
        fputs("\n\n", f.dat);
    }
    int plot_px = 360, h = 84 + (int)(S - 1) * (PANEL_TITLE + plot_px + PANEL_AXIS + PANEL_GAP);
    FILE *g = f.gp;
    gp_head(c, g, f.name, title);
    lg e[] = {{LG_LINE, "#000000", 0, tr(c, "NPV = 0", "NCW = 0")}};
    int top = gp_heading(g, title, NULL, e, any ? 1 : 0, 0, h);
    fprintf(g, "S = %.10g\n", sc_.div);
    gp_input_axis(c, g, "xlabel", na);
    fputs("\n", g);
    gp_input_axis(c, g, "ylabel", nb);
    fputs("\n", g);
    gp_npv_axis(c, g, "cblabel", &sc_);
    double m = maxabs > 0 ? maxabs / sc_.div : 1;
    fprintf(g,
            "\nset palette defined (0 '" C_DOWN "', 0.5 '#f7f7f7', 1 '" C_UP "')\n"
            "set cbrange [%.17g:%.17g]\nset colorbox user origin screen 0.87, screen 0 size "
            "screen 0.025, screen 0\n",
            -m, m);
    /* Each axis half a grid step wider than the grid on both sides. */
    double pad = 1 / (double)(2 * (n - 1));
    gp_range(g, "x", fmin(s->grid_a_values[0], s->grid_a_values[n - 1]),
             fmax(s->grid_a_values[0], s->grid_a_values[n - 1]), pad, pad, 1);
    gp_range(g, "y", fmin(s->grid_b_values[0], s->grid_b_values[n - 1]),
             fmax(s->grid_b_values[0], s->grid_b_values[n - 1]), pad, pad, 1);
    gp_render_begin(g, f.name, W_STD, h);
    fputs("  set multiplot\n", g);
    for (size_t sc = 1; sc < S; sc++) {
        gp_panel(g, mkba_fmt_scen_label(a, sc, c->nl), 0.12, 0.84, top, 1, plot_px, h);
        fprintf(g, "  set colorbox user origin screen 0.86, screen %.4f size screen 0.025, "
                   "screen %.4f\n",
                from_top(top + PANEL_TITLE + plot_px, h), (double)plot_px / h);
        fprintf(g, "  plot '%s.dat' index %zu using 1:2:($3/S) with image", f.name, 2 * (sc - 1));
        if (n <= 11)
            fprintf(g, ", \\\n    '' index %zu using 1:2:4 with labels font ',9' tc rgb '#222222'",
                    2 * (sc - 1));
        fprintf(g, ", \\\n    '' index %zu using 1:2 with lines lw 2.5 lc rgb '#000000'",
                2 * (sc - 1) + 1);
        fputs("\n", g);
        if (sc == 1)
            gp_after_first(g, any ? 1 : 0);
        top += PANEL_TITLE + plot_px + PANEL_AXIS + PANEL_GAP;
    }
    fputs("  unset multiplot\n", g);
    gp_render_end(g);
    return cf_close(c, &f, title, W_STD, h);
}

/* ======================= deterministic charts =========================== */

/* One bar of a waterfall. */
typedef struct wbar {
    const char *label;
    double value;
} wbar;

/* Larger contributions first (by absolute value). */
static int by_size(const void *x, const void *y)
{
    double a = fabs(((const wbar *)x)->value), b = fabs(((const wbar *)y)->value);
    return (a < b) - (a > b);
}

/* A horizontal waterfall of project scenario s: the bars add up from the
 * top, then society's NPV. 'title' is the chart's heading, under it the
 * scenario; the chart's title in the set joins them. */
static mkba_status waterfall(ctx *c, const char *fmt, size_t s, const wbar *bars, size_t n,
                             const char *title, const char *note)
{
    const char *total_label = tr(c, "NPV for society", "NCW maatschappij");
    double total = c->a->balance[mkba_ap_bidx(c->a, s, soc(c->a))].npv;
    const char *sub = mkba_fmt_scen_label(c->a, s, c->nl);
    cfiles f;
    if (cf_open(c, &f, fmt, s))
        return MKBA_EIO;
    fprintf(f.dat, "# %s: contributions to the NPV (present values) from the top, then\n"
                   "# the total.\n", f.name);
    fputs("# bar\tstart\tend\tcontribution\tcolour\tvalue shown\tlabel\n", f.dat);
    double run = 0, lo = fmin(0, total), hi = fmax(0, total);
    for (size_t i = 0; i < n; i++) {
        run += bars[i].value;
        lo = fmin(lo, run), hi = fmax(hi, run);
    }
    scale sc = pick_scale(c, fmax(fabs(lo), fabs(hi)));
    run = 0;
    size_t maxlen = 0;
    for (size_t i = 0; i <= n; i++) {
        int last = i == n;
        double v = last ? total : bars[i].value, start = last ? 0 : run, end = last ? total : run + v;
        char shown[48];
        fmt_scaled(shown, sizeof shown, v, &sc, c->nl);
        unsigned col = last ? 0x1f4e79u : v >= 0 ? 0x2e8b57u : 0xc0392bu;
        fprintf(f.dat, "%zu\t%.17g\t%.17g\t%.17g\t%u\t%s%s\t", i + 1, start, end, v, col,
                !last && v > 0 ? "+" : "", shown);
        maxlen = max_z(maxlen, put_field(f.dat, last ? total_label : bars[i].label, LABEL_MAX));
        fputc('\n', f.dat);
        if (!last)
            run = end;
    }
    char *full = mkba_xasprintf("%s: %s", title, sub);
    int row_px = 30, h = 84 + 22 + row_px * (int)(n + 1) + 60 + (note ? 18 : 0);
    if (h < 300)
        h = 300;
    FILE *g = f.gp;
    gp_head(c, g, f.name, full);
    lg e[] = {{LG_BOX, C_UP, 0, tr(c, "raises the NPV", "verhoogt de NCW")},
              {LG_BOX, C_DOWN, 0, tr(c, "lowers the NPV", "verlaagt de NCW")},
              {LG_BOX, C_TOTAL, 0, tr(c, "total", "totaal")}};
    int top = gp_heading(g, title, sub, e, 3, 0, h);
    gp_frame(g, left_for(maxlen), 0.95, top, top + row_px * (int)(n + 1), h);
    char *xl = mkba_xasprintf("%s (%s)", tr(c, "Present value", "Contante waarde"), sc.unit);
    gp_set_lit(g, "xlabel", xl, 100);
    free(xl);
    fprintf(g, "\nS = %.10g\nset yrange [%zu.6:0.4]\nset ytics scale 0 font ',10'\n", sc.div, n + 1);
    gp_range(g, "x", lo, hi, 0.04, 0.12, sc.div);
    fputs("set grid xtics lc rgb '#e3e3e3'\n", g);
    gp_zero_x(g);
    if (note) {
        fputs("set label 1 ", g);
        put_lit(g, note, 120);
        fprintf(g, " at screen 0.02, screen %.4f left font ',9' tc rgb '#666666'\n",
                from_top(h - 12, h));
    }
    gp_render_begin(g, f.name, W_STD, h);
    fprintf(g,
            "  plot '%s.dat' using ($2/2/S+$3/2/S):1:($2/S):($3/S):($1-0.36):($1+0.36):5:"
            "yticlabels(7) with boxxyerror lc rgb variable, \\\n"
            "    '' every ::0::%zu using ($3/S):($1+0.36):(0):(0.28) with vectors nohead "
            "lc rgb '#888888' dt 3, \\\n"
            "    '' using (($3>$2?$3:$2)/S):1:6 with labels left offset 0.7,0 font ',9'\n",
            f.name, n > 0 ? n - 1 : 0);
    gp_render_end(g);
    return cf_close(c, &f, full, W_STD, h);
}

/* waterfall_items_S: society's NPV item by item (transfers cancel). */
static mkba_status chart_waterfall_items(ctx *c, size_t s)
{
    const mkba_appraisal *a = c->a;
    wbar *bars = mkba_xcalloc(a->n_items + 1, sizeof *bars);
    size_t n = 0, transfers = 0;
    for (size_t i = 0; i < a->n_items; i++) {
        const mkba_ap_item *it = &a->items[i];
        double pv = a->item_pv[s * a->n_items + i];
        if (it->kind == MKBA_ITEM_TRANSFER) {
            transfers += pv != 0;
            continue;
        }
        if (pv == 0 || !isfinite(pv))
            continue;
        bars[n].label = item_label(it, c->nl);
        bars[n++].value = it->kind == MKBA_ITEM_COST ? -pv : pv;
    }
    qsort(bars, n, sizeof *bars, by_size);
    const char *note = transfers ? tr(c, "Transfers cancel out for society and are not shown.",
                                      "Overdrachten vallen voor de maatschappij weg en zijn niet "
                                      "getoond.")
                                 : NULL;
    mkba_status st = waterfall(c, "waterfall_items_%zu", s, bars, n,
                               tr(c, "NPV for society, item by item",
                                  "NCW voor de maatschappij, per post"),
                               note);
    free(bars);
    return st;
}

/* waterfall_stakeholders_S: each stakeholder's NPV, adding up to society's. */
static mkba_status chart_waterfall_stakeholders(ctx *c, size_t s)
{
    const mkba_appraisal *a = c->a;
    wbar *bars = mkba_xcalloc(a->n_stakeholders + 1, sizeof *bars);
    for (size_t k = 0; k < a->n_stakeholders; k++) {
        bars[k].label = mkba_fmt_holder_label(a, k, c->nl);
        bars[k].value = a->balance[mkba_ap_bidx(a, s, k)].npv;
    }
    mkba_status st = waterfall(c, "waterfall_stakeholders_%zu", s, bars, a->n_stakeholders,
                               tr(c, "NPV per stakeholder, adding up to society",
                                  "NCW per actor, samen die van de maatschappij"),
                               NULL);
    free(bars);
    return st;
}

/* cashflows_S: net incremental flow per year per stakeholder and society. */
static mkba_status chart_cashflows(ctx *c, size_t s)
{
    const mkba_appraisal *a = c->a;
    size_t K = a->n_stakeholders, T = a->horizon;
    if (T == 0)
        return MKBA_OK;
    cfiles f;
    if (cf_open(c, &f, "cashflows_%zu", s))
        return MKBA_EIO;
    const char *head = tr(c, "Net cash flow per year per stakeholder",
                          "Netto kasstroom per jaar per actor");
    char *title = mkba_xasprintf("%s: %s", head, mkba_fmt_scen_label(a, s, c->nl));
    const char *society = tr(c, "Society (transfers cancel)", "Maatschappij (zonder overdrachten)");
    fprintf(f.dat,
            "# %s: net incremental flow (scenario minus reference, not discounted) per\n"
            "# year; a column per stakeholder, then society (transfers cancel there).\n",
            f.name);
    fputs("year\tcalendar_year", f.dat);
    size_t maxlen = strlen(society);
    for (size_t k = 0; k < K; k++) {
        fputc('\t', f.dat);
        maxlen = max_z(maxlen, put_field(f.dat, mkba_fmt_holder_label(a, k, c->nl), LABEL_MAX));
    }
    fprintf(f.dat, "\t%s\n", society);
    double maxabs = 0;
    for (size_t t = 0; t < T; t++) {
        fprintf(f.dat, "%zu\t%ld", t + 1, (long)a->first_year + (long)t);
        for (size_t k = 0; k <= K; k++) {
            double v = a->net_flow[(s * (K + 1) + k) * T + t];
            fprintf(f.dat, "\t%.17g", v);
            maxabs = fmax(maxabs, fabs(v));
        }
        fputc('\n', f.dat);
    }
    scale sc = pick_scale(c, maxabs);
    int cols, rows = key_rows(K + 1, maxlen, &cols), h = H_STD + 18 * (rows - 1);
    FILE *g = f.gp;
    gp_head(c, g, f.name, title);
    int top = gp_heading(g, head, mkba_fmt_scen_label(a, s, c->nl), NULL, 0, rows, h);
    fprintf(g, "set key maxcols %d\n", cols);
    gp_frame(g, 0.09, 0.97, top, h - 58, h);
    char *yl = mkba_xasprintf("%s (%s)",
                              tr(c, "Net flow, not discounted", "Netto stroom, niet verdisconteerd"),
                              sc.unit);
    gp_set_lit(g, "ylabel", yl, 100);
    free(yl);
    fputs("\nset xlabel ", g);
    put_lit(g, tr(c, "Year", "Jaar"), 20);
    fprintf(g,
            "\nS = %.10g\nK = %zu\nCOL = '%s'\n"
            "set style data histograms\nset style histogram clustered gap 1\n"
            "set grid ytics lc rgb '#e3e3e3'\nset xzeroaxis lt 1 lc rgb '" C_ZERO "' lw 1\n"
            "set xtics scale 0\nset offsets 0, 0, graph 0.05, graph 0.05\n",
            sc.div, K, STAKE_COLS);
    gp_render_begin(g, f.name, W_STD, h);
    fprintf(g,
            "  plot for [k=1:K] '%s.dat' using (column(k+2)/S):xticlabels(2) "
            "lc rgb word(COL, (k-1)%%%d+1) title columnheader(k+2), \\\n"
            "    '' using 0:(column(K+3)/S) with linespoints lw 2.5 pt 7 ps 1.2 "
            "lc rgb '#222222' title columnheader(K+3)\n",
            f.name, N_STAKE_COLS);
    gp_render_end(g);
    return cf_close(c, &f, title, W_STD, h);
}

/* Whether effect x's group means may be shown: by the tables' rule
 * (mkba_ap_effect_hidden: both go when either group is too small, as one
 * group's mean and the difference would give the other's). */
static int means_shown(const mkba_appraisal *a, const mkba_ap_effect *x)
{
    unsigned hide = mkba_ap_effect_hidden(a, (size_t)(x - a->effects));
    return !(hide & (MKBA_HIDE_MEAN_PILOT | MKBA_HIDE_MEAN_CONTROL));
}

/* The line beside an effect's title: the group means, or why not. */
static char *means_text(const ctx *c, const mkba_ap_effect *x)
{
    if (x->e.method == MKBA_EST_GIVEN)
        return mkba_xstrdup(tr(c, "not estimated from the cohort", "niet geschat uit het cohort"));
    if (!means_shown(c->a, x))
        return mkba_xasprintf(c->nl ? "groepsgemiddelden onderdrukt (minder dan %zu personen)"
                             : "group means suppressed (fewer than %zu persons)",
                       c->a->min_group);
    if (!isfinite(x->e.mean_pilot) || !isfinite(x->e.mean_control))
        return mkba_xstrdup("");
    char p[40], k[40];
    mkba_fmt_value(p, sizeof p, x->e.mean_pilot, c->nl);
    mkba_fmt_value(k, sizeof k, x->e.mean_control, c->nl);
    return mkba_xasprintf(c->nl ? "gemiddelde pilot %s, controle %s" : "mean pilot %s, control %s", p,
                   k);
}

/* effects: each effect's estimate with its 95% CI, a panel per effect in
 * the outcome's own unit. */
static mkba_status chart_effects(ctx *c)
{
    const mkba_appraisal *a = c->a;
    size_t n = 0; /* the effects shown: a withheld one (a small group) is left out */
    for (size_t i = 0; i < a->n_effects; i++)
        n += !mkba_ap_effect_withheld(a, i);
    if (n == 0)
        return MKBA_OK;
    cfiles f;
    if (cf_open(c, &f, "effects", 0))
        return MKBA_EIO;
    char *title = mkba_xstrdup(tr(c, "Effects of the pilot with 95% confidence intervals",
                                  "Effecten van de pilot met 95%-betrouwbaarheidsintervallen"));
    fputs("# effects: each effect (pilot minus control) with its 95% CI, and the groups'\n"
          "# mean outcomes (NaN where not shown: given effects, and groups too small to\n"
          "# show under disclosure control; a CI withheld under disclosure control is the\n"
          "# estimate itself; an effect withheld under disclosure control is left out).\n"
          "# row\testimate\tci_lo\tci_hi\tmean_pilot\tmean_control\tmethod\tlabel\n",
          f.dat);
    int block = 24 + 30 + 24 + 14, h = 84 + 22 + block * (int)n;
    FILE *g = f.gp;
    gp_head(c, g, f.name, title);
    int top = gp_heading(g, title,
                         tr(c, "Each effect in its own unit; dashed line: no effect",
                            "Elk effect in zijn eigen eenheid; stippellijn: geen effect"),
                         NULL, 0, 0, h);
    fputs("unset ytics\nset yrange [0.5:1.5]\nset grid xtics lc rgb '#e3e3e3'\nset bars 2\n", g);
    gp_render_begin(g, f.name, W_STD, h);
    fputs("  set multiplot\n", g);
    for (size_t j = 0, i = 0; j < a->n_effects; j++) {
        if (mkba_ap_effect_withheld(a, j))
            continue;
        const mkba_ap_effect *x = &a->effects[j];
        int shown = x->e.method != MKBA_EST_GIVEN && means_shown(a, x);
        double mp = shown ? x->e.mean_pilot : NAN, mc = shown ? x->e.mean_control : NAN;
        /* A withheld CI (it would give the df away) is drawn as no interval. */
        int ci = !(mkba_ap_effect_hidden(a, j) & MKBA_HIDE_CI);
        double ci_lo = ci ? x->e.ci_lo : x->e.estimate, ci_hi = ci ? x->e.ci_hi : x->e.estimate;
        fprintf(f.dat, "%zu\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%s\t", i + 1, x->e.estimate,
                ci_lo, ci_hi, mp, mc, mkba_est_method_name(x->e.method));
        const char *label = mkba_fmt_effect_label(x, c->nl);
        put_field(f.dat, label, LABEL_MAX);
        fputc('\n', f.dat);
        double v[] = {x->e.estimate, ci_lo, ci_hi};
        double lo = 0, hi = 0;
        for (size_t k = 0; k < 3; k++)
            if (isfinite(v[k]))
                lo = fmin(lo, v[k]), hi = fmax(hi, v[k]);
        const char *unit = mkba_fmt_unit_for(label, x->unit); /* not twice */
        char *pt = unit ? mkba_xasprintf("%s [%s], %s", label, unit, mkba_fmt_method(x->e.method, c->nl, 1))
                        : mkba_xasprintf("%s, %s", label, mkba_fmt_method(x->e.method, c->nl, 1));
        /* The title and the means share a line: the title gives way. */
        char *why = means_text(c, x);
        double room = (W_STD * 0.9 - 30 - CHAR_PX * (double)strlen(why)) / (CHAR_PX * 1.1);
        fputs("  set label 110 ", g);
        put_lit(g, pt, room > 30 ? (size_t)room : 30);
        fprintf(g, " at screen 0.06, screen %.4f left font ',11'\n", from_top(top + 16, h));
        free(pt);
        fputs("  set label 111 ", g);
        put_lit(g, why, 80);
        fprintf(g, " at screen 0.96, screen %.4f right font ',10' tc rgb '#555555'\n",
                from_top(top + 16, h));
        free(why);
        fputs("  ", g);
        gp_frame(g, 0.06, 0.96, top + 24, top + 54, h);
        fputs("  ", g);
        gp_range(g, "x", lo, hi, 0.05, 0.05, 1);
        fputs("  set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb '" C_ZERO "' dt 2 front\n",
              g);
        fprintf(g,
                "  plot '%s.dat' every ::%zu::%zu using 2:(1):3:4 with xerrorbars lw 2.5 pt 7 "
                "ps 1.4 lc rgb '" C_TOTAL "'\n",
                f.name, i, i);
        if (i == 0)
            gp_after_first(g, 0);
        top += block;
        i++; /* the row of the next effect shown */
    }
    fputs("  unset multiplot\n", g);
    gp_render_end(g);
    return cf_close(c, &f, title, W_STD, h);
}

/* ====================== propensity model charts ========================= */

/* balance: a love plot, the standardised mean difference of each design
 * column before and after weighting, dashed lines at +/-0.1. Withheld
 * columns (appraisal.h, mkba_ap_ps_column_withheld) are left out, and the
 * chart is not made when the whole block is withheld or none is left. */
static mkba_status chart_balance(ctx *c)
{
    const mkba_appraisal *a = c->a;
    const mkba_ps_diag *d = a->ps;
    size_t n = 0, hidden = 0, maxlen = 8;
    if (!d || mkba_ap_ps_withheld(a))
        return MKBA_OK;
    for (size_t j = 1; j < d->n_coef; j++)
        mkba_ap_ps_column_withheld(a, j) ? hidden++ : n++;
    if (n == 0)
        return MKBA_OK;
    cfiles f;
    if (cf_open(c, &f, "balance", 0))
        return MKBA_EIO;
    char *title = mkba_xstrdup(tr(c, "Covariate balance before and after weighting",
                                  "Balans van de covariaten voor en na weging"));
    fprintf(f.dat, "# balance: standardised mean difference (pilot minus control, over the\n"
                   "# same standard deviation) of each covariate before and after weighting;\n"
                   "# covariates withheld under disclosure control are left out (%zu).\n"
                   "# row\tsmd_before\tsmd_after\tlabel\n",
            hidden);
    double lo = -MKBA_PS_SMD_LIMIT, hi = MKBA_PS_SMD_LIMIT;
    for (size_t j = 1, row = n; j < d->n_coef; j++) {
        if (mkba_ap_ps_column_withheld(a, j))
            continue;
        double b = d->smd_before[j], w = d->smd_after[j];
        fprintf(f.dat, "%zu\t%.17g\t%.17g\t", row--, b, w);
        maxlen = max_z(maxlen, put_field(f.dat, d->name[j], LABEL_MAX));
        fputc('\n', f.dat);
        if (isfinite(b))
            lo = fmin(lo, b), hi = fmax(hi, b);
        if (isfinite(w))
            lo = fmin(lo, w), hi = fmax(hi, w);
    }
    lg e[] = {{LG_POINT, "#888888", 6, tr(c, "before weighting", "voor weging")},
              {LG_POINT, C_TOTAL, 7, tr(c, "after weighting", "na weging")}};
    int h = 120 + 26 * (int)n + 60;
    h = h < 300 ? 300 : h;
    FILE *g = f.gp;
    gp_head(c, g, f.name, title);
    char *sub = mkba_xasprintf(c->nl ? "Gestandaardiseerd verschil in gemiddelden; "
                                       "stippellijnen: %s en %s"
                                     : "Standardised mean difference; dashed lines: %s and %s",
                               c->nl ? "-0,1" : "-0.1", c->nl ? "0,1" : "0.1");
    int top = gp_heading(g, title, sub, e, 2, 0, h);
    free(sub);
    gp_frame(g, left_for(maxlen), 0.96, top, h - 50, h);
    fputs("set xlabel ", g);
    put_lit(g, tr(c, "Standardised mean difference (pilot minus control)",
                  "Gestandaardiseerd verschil (pilot min controle)"),
            80);
    fputc('\n', g);
    gp_range(g, "x", lo, hi, 0.08, 0.08, 1);
    fprintf(g, "set yrange [0.5:%zu.5]\nset grid xtics lc rgb '#e3e3e3'\n", n);
    gp_zero_x(g);
    fprintf(g,
            "set arrow 2 from -%g, graph 0 to -%g, graph 1 nohead lc rgb '" C_DOWN "' dt 2 front\n"
            "set arrow 3 from %g, graph 0 to %g, graph 1 nohead lc rgb '" C_DOWN "' dt 2 front\n",
            MKBA_PS_SMD_LIMIT, MKBA_PS_SMD_LIMIT, MKBA_PS_SMD_LIMIT, MKBA_PS_SMD_LIMIT);
    gp_render_begin(g, f.name, W_STD, h);
    fprintf(g,
            "  plot '%s.dat' using 2:1:ytic(4) with points pt 6 ps 1.4 lw 1.5 lc rgb '#888888', \\\n"
            "    '' using 3:1 with points pt 7 ps 1.4 lc rgb '" C_TOTAL "'\n",
            f.name);
    gp_render_end(g);
    return cf_close(c, &f, title, W_STD, h);
}

/* overlap: the propensity score's distribution in each group, as shares of
 * the group, from the bins merged for disclosure control (mkba_ap_ps_bins:
 * no bin of 1 to min_group - 1 persons). A merged bin is wider than 0.05;
 * its height is its share per 0.05, so that areas compare as shares. */
static mkba_status chart_overlap(ctx *c)
{
    const mkba_appraisal *a = c->a;
    mkba_ps_bin bins[2][MKBA_PS_BINS];
    size_t nb[2] = {mkba_ap_ps_bins(a, 0, bins[0]), mkba_ap_ps_bins(a, 1, bins[1])};
    if (nb[0] == 0 || nb[1] == 0)
        return MKBA_OK;
    cfiles f;
    if (cf_open(c, &f, "overlap", 0))
        return MKBA_EIO;
    char *title = mkba_xstrdup(tr(c, "Overlap of the propensity scores",
                                  "Overlap van de propensityscores"));
    fputs("# overlap: share of each group per bin of the propensity score (the\n"
          "# estimated chance of being in the pilot); bins with fewer persons than\n"
          "# the disclosure threshold are merged with their neighbours. Block 0 the\n"
          "# pilot group, block 1 the control group.\n",
          f.dat);
    double top_share = 0;
    for (int k = 0; k < 2; k++) {
        int g = 1 - k; /* the pilot first */
        fprintf(f.dat, "%s# from\tto\tshare\n", k ? "\n\n" : "");
        for (size_t i = 0; i < nb[g]; i++) {
            fprintf(f.dat, "%.17g\t%.17g\t%.17g\n", bins[g][i].from, bins[g][i].to,
                    bins[g][i].share);
            top_share = fmax(top_share, bins[g][i].share / (bins[g][i].to - bins[g][i].from) /
                                            MKBA_PS_BINS);
        }
    }
    lg e[] = {{LG_BOX, C_UP, 0, tr(c, "pilot group", "pilotgroep")},
              {LG_BOX, C_TOTAL, 0, tr(c, "control group", "controlegroep")}};
    int h = H_STD;
    FILE *g = f.gp;
    gp_head(c, g, f.name, title);
    int top = gp_heading(g, title,
                         tr(c, "Share of each group per range of the propensity score",
                            "Aandeel van elke groep per klasse van de propensityscore"),
                         e, 2, 0, h);
    gp_frame(g, 0.09, 0.97, top, h - 58, h);
    fputs("set xlabel ", g);
    put_lit(g, tr(c, "Propensity score (estimated chance of being in the pilot)",
                  "Propensityscore (geschatte kans om in de pilot te zitten)"),
            80);
    fputs("\nset ylabel ", g);
    put_lit(g, tr(c, "Share of the group per 0.05 of the score",
                  "Aandeel van de groep per 0,05 van de score"),
            60);
    fprintf(g,
            "\nset xrange [0:1]\nset yrange [0:%.17g]\nset format y '%%.0f%%%%'\n"
            "set grid ytics lc rgb '#e3e3e3'\nset style fill transparent solid 0.45 noborder\n",
            100 * top_share * 1.08 + 1e-9);
    gp_render_begin(g, f.name, W_STD, h);
    fprintf(g,
            "  plot '%s.dat' index 0 using ($1/2+$2/2):(100*$3/(%d*($2-$1))):($2-$1) with boxes "
            "lc rgb '" C_UP "', \\\n"
            "    '' index 1 using ($1/2+$2/2):(100*$3/(%d*($2-$1))):($2-$1) with boxes "
            "lc rgb '" C_TOTAL "'\n",
            f.name, MKBA_PS_BINS, MKBA_PS_BINS);
    gp_render_end(g);
    return cf_close(c, &f, title, W_STD, h);
}

/* Every chart whose data exist, in the order of chart.h. */
static mkba_status write_charts(ctx *c)
{
    const mkba_appraisal *a = c->a;
    mkba_status st = MKBA_OK;
    if (a->mc)
        for (size_t s = 1; s < a->n_scenarios && !st; s++)
            st = chart_histogram(c, s);
    if (!st && a->mc)
        st = chart_scurve(c);
    if (!st && a->mc)
        st = chart_scenarios(c);
    if (!st)
        st = chart_tornado(c);
    if (!st)
        st = chart_sobol(c);
    if (!st)
        st = chart_twoway(c);
    for (size_t s = 1; s < a->n_scenarios && !st; s++)
        if (a->item_pv && a->balance)
            st = chart_waterfall_items(c, s);
    for (size_t s = 1; s < a->n_scenarios && !st; s++)
        if (a->balance)
            st = chart_waterfall_stakeholders(c, s);
    for (size_t s = 1; s < a->n_scenarios && !st; s++)
        if (a->net_flow)
            st = chart_cashflows(c, s);
    if (!st)
        st = chart_effects(c);
    if (!st)
        st = chart_balance(c);
    if (!st)
        st = chart_overlap(c);
    return st;
}

/* ============================ running gnuplot =========================== */

/* The program to run: o->gnuplot, else $MKBA_GNUPLOT, else "gnuplot". */
static const char *gnuplot_name(const mkba_chart_opts *o)
{
    if (o && o->gnuplot && *o->gnuplot)
        return o->gnuplot;
    const char *e = getenv("MKBA_GNUPLOT");
    return e && *e ? e : "gnuplot";
}

/* 'cand' as an absolute path when it is an executable regular file, else
 * NULL; the caller frees. A relative path (./gp, or from a relative $PATH
 * entry) is resolved now, against the current directory: gnuplot runs in
 * the private directory, where it would name nothing. */
static char *executable(const char *cand)
{
    struct stat st;
    if (stat(cand, &st) != 0 || !S_ISREG(st.st_mode) || access(cand, X_OK) != 0)
        return NULL;
    return cand[0] == '/' ? mkba_xstrdup(cand) : realpath(cand, NULL);
}

/* The absolute path of 'prog' (searched in $PATH when it has no '/'), or
 * NULL when no executable regular file is found. The caller frees. */
static char *find_program(const char *prog)
{
    if (strchr(prog, '/'))
        return executable(prog);
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        char *cand = n ? mkba_xasprintf("%.*s/%s", (int)n, path, prog) : mkba_xasprintf("./%s", prog);
        char *found = executable(cand);
        free(cand);
        if (found)
            return found;
        path += n;
        if (*path == ':')
            path++;
    }
    return NULL;
}

/* Read all of fd into a buffer (the first OUTPUT_MAX bytes kept). */
static char *read_all(int fd)
{
    size_t cap = 4096, len = 0;
    char *buf = mkba_xmalloc(cap), chunk[4096];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        size_t take = (size_t)r;
        if (len + take > OUTPUT_MAX)
            take = OUTPUT_MAX - len;
        if (len + take + 1 > cap) {
            cap = len + take + 1 > 2 * cap ? len + take + 1 : 2 * cap;
            buf = mkba_xrealloc(buf, cap);
        }
        memcpy(buf + len, chunk, take);
        len += take;
    }
    buf[len] = '\0';
    return buf;
}

/* The result of one gnuplot run. */
typedef enum { RUN_OK, RUN_MISSING, RUN_FAILED } run_result;

/* Run 'path' on 'script' with 'cwd' as working directory. RUN_FAILED
 * leaves gnuplot's output (or why it could not run) in *out. Children are
 * made with fork and execv (no shell); the child calls only
 * async-signal-safe functions. */
static run_result run_gnuplot(const char *path, const char *cwd, const char *script, char **out)
{
    int io[2], ep[2];
    *out = NULL;
    if (pipe(io) != 0) {
        *out = mkba_xasprintf("cannot make a pipe: %s", strerror(errno));
        return RUN_FAILED;
    }
    if (pipe(ep) != 0) {
        *out = mkba_xasprintf("cannot make a pipe: %s", strerror(errno));
        close(io[0]), close(io[1]);
        return RUN_FAILED;
    }
    (void)fcntl(ep[1], F_SETFD, FD_CLOEXEC);
    (void)fcntl(io[0], F_SETFD, FD_CLOEXEC);
    (void)fcntl(ep[0], F_SETFD, FD_CLOEXEC);
    char *const argv[] = {(char *)"gnuplot", (char *)script, NULL};
    sigset_t old; /* no interrupt between the fork and the child's registration */
    mkba_signals_block(&old);
    pid_t pid = fork();
    if (pid > 0)
        mkba_tmp_child(pid);
    int fork_errno = errno;
    if (pid != 0)
        mkba_signals_restore(&old);
    if (pid < 0) {
        *out = mkba_xasprintf("cannot start gnuplot: %s", strerror(fork_errno));
        close(io[0]), close(io[1]), close(ep[0]), close(ep[1]);
        return RUN_FAILED;
    }
    if (pid == 0) { /* the child: wire up, then become gnuplot */
        mkba_signals_restore(&old);
        int e, null = open("/dev/null", O_RDONLY);
        if (null < 0 || dup2(null, 0) < 0 || dup2(io[1], 1) < 0 || dup2(io[1], 2) < 0 ||
            chdir(cwd) != 0) {
            e = errno;
        } else {
            execv(path, argv);
            e = errno;
        }
        ssize_t w = write(ep[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    close(io[1]);
    close(ep[1]);
    int e = 0;
    ssize_t r;
    while ((r = read(ep[0], &e, sizeof e)) < 0 && errno == EINTR)
        ;
    close(ep[0]);
    char *text = read_all(io[0]);
    close(io[0]);
    /* Wait without reaping, then forget the child before it is reaped, so
     * that an interrupt never kills a process that reused its pid. */
    siginfo_t info;
    while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR)
        ;
    mkba_signals_block(&old);
    mkba_tmp_child(0);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    mkba_signals_restore(&old);
    if (r == (ssize_t)sizeof e) { /* the child could not exec */
        free(text);
        if (e == ENOENT || e == EACCES || e == ENOTDIR || e == ENOEXEC)
            return RUN_MISSING;
        *out = mkba_xasprintf("cannot start gnuplot: %s", strerror(e));
        return RUN_FAILED;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        free(text);
        return RUN_OK;
    }
    if (WIFSIGNALED(status)) {
        free(text);
        *out = mkba_xasprintf("gnuplot was stopped by signal %d", WTERMSIG(status));
        return RUN_FAILED;
    }
    *out = text;
    return RUN_FAILED;
}

/* gnuplot's first error line in 'out': the first line that names a line
 * of a script ("name.gp" line 12: ...) and is not a warning, else the
 * first line with text; control characters replaced, at most 300 bytes. */
static char *first_error(const char *out)
{
    const char *pick = NULL, *any = NULL;
    for (const char *p = out; *p && !pick;) {
        size_t n = strcspn(p, "\n");
        if (!any && strspn(p, " ^\t\r") < n) /* a line with text ('^' marks a column) */
            any = p;
        char *line = mkba_xstrndup(p, n);
        if (strstr(line, " line ") && !strstr(line, "warning:"))
            pick = p;
        free(line);
        p += n;
        if (*p)
            p++;
    }
    const char *l = pick ? pick : any;
    if (!l)
        return mkba_xstrdup("no message");
    size_t n = strcspn(l, "\n");
    if (n > 300)
        n = 300;
    char *r = mkba_xstrndup(l, n);
    for (char *q = r; *q; q++)
        if ((unsigned char)*q < 0x20 || *q == 0x7f)
            *q = ' ';
    return r;
}

/* Whether the private directory's NAME.png and NAME.svg are whole: gnuplot
 * can exit with status 0 after a write failed (a full disk), leaving a
 * truncated picture. A PNG ends with its IEND chunk (length 0, "IEND",
 * CRC AE 42 60 82), an SVG with its closing tag (and blanks). Returns the
 * extension of the first picture that is missing or cut short, or NULL. */
static const char *unfinished(const ctx *c, const char *name)
{
    static const unsigned char iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    const char *exts[] = {".png", ".svg"};
    for (int k = 0; k < 2; k++) {
        char *p = mkba_xasprintf("%s/%s%s", c->tmp, name, exts[k]);
        FILE *f = fopen(p, "rb");
        free(p);
        unsigned char head[8], tail[64];
        size_t nh = 0, nt = 0;
        long size = -1;
        if (f && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0) {
            long from = size > (long)sizeof tail ? size - (long)sizeof tail : 0;
            rewind(f);
            nh = fread(head, 1, sizeof head, f);
            if (fseek(f, from, SEEK_SET) == 0)
                nt = fread(tail, 1, sizeof tail, f);
        }
        if (f)
            fclose(f);
        int ok;
        if (k == 0) {
            ok = nh == 8 && memcmp(head, png_sig, 8) == 0 && nt >= 12 &&
                 memcmp(tail + nt - 12, iend, 12) == 0;
        } else {
            while (nt > 0 && (tail[nt - 1] == '\n' || tail[nt - 1] == ' ' ||
                              tail[nt - 1] == '\r' || tail[nt - 1] == '\t'))
                nt--;
            ok = nt >= 6 && memcmp(tail + nt - 6, "</svg>", 6) == 0;
        }
        if (!ok)
            return exts[k];
    }
    return NULL;
}

/* Whether the file system of the private directory is full: the likely
 * reason a picture is missing or cut short, and the one to tell. */
static int disk_full(const ctx *c)
{
    struct statvfs v;
    return statvfs(c->tmp, &v) == 0 && (v.f_bavail == 0 || (v.f_files > 0 && v.f_favail == 0));
}

/* Whether a file-size limit (ulimit -f) stopped gnuplot on chart 'name':
 * a picture of it as large as the limit (a write stops there, and gnuplot
 * only says its output failed). Sets *ext to that picture's. */
static int size_limited(const ctx *c, const char *name, const char **ext)
{
    static const char *const exts[] = {".png", ".svg"};
    struct rlimit rl;
    if (getrlimit(RLIMIT_FSIZE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return 0;
    int hit = 0;
    for (size_t k = 0; k < 2 && !hit; k++) {
        char *path = mkba_xasprintf("%s/%s%s", c->tmp, name, exts[k]);
        struct stat st;
        hit = stat(path, &st) == 0 && (rlim_t)st.st_size >= rl.rlim_cur;
        if (hit)
            *ext = exts[k];
        free(path);
    }
    return hit;
}

/* Render every chart; a missing program marks the set and is no error. */
static mkba_status render_all(ctx *c, const char *prog)
{
    char *path = find_program(prog);
    if (!path) {
        c->set->gnuplot_missing = 1;
        return MKBA_OK;
    }
    mkba_status st = MKBA_OK;
    for (size_t i = 0; i < c->set->n && !st; i++) {
        mkba_chart *ch = &c->set->charts[i];
        char *script = mkba_xasprintf("%s.gp", ch->name), *out = NULL;
        run_result r = run_gnuplot(path, c->tmp, script, &out);
        if (r == RUN_MISSING) {
            c->set->gnuplot_missing = 1;
            free(script);
            break;
        }
        const char *cut = r == RUN_FAILED ? NULL : unfinished(c, ch->name);
        if (r == RUN_FAILED || cut) {
            const char *big = NULL;
            if (disk_full(c)) {
                write_err(c, ch->name, cut ? cut : ".png", ENOSPC);
                st = MKBA_EIO;
            } else if (size_limited(c, ch->name, &big)) {
                st = write_err(c, ch->name, big, EFBIG);
            } else {
                char *why = cut ? mkba_xasprintf("it wrote no complete %s%s", ch->name, cut)
                                : first_error(out);
                char *where = mkba_xasprintf("%s/%s", c->dir, script);
                st = mkba_error_set(c->err, MKBA_EIO, where, 0, NULL, "gnuplot failed: %s", why);
                free(where);
                free(why);
            }
        } else {
            ch->rendered = 1;
        }
        free(out);
        free(script);
    }
    if (c->set->gnuplot_missing)
        for (size_t i = 0; i < c->set->n; i++)
            c->set->charts[i].rendered = 0;
    free(path);
    return st;
}

/* ============================ publishing ================================ */

static const char *const EXTS[] = {".dat", ".gp", ".png", ".svg"};

/* Chart names: these stems alone, or followed by "_<scenario number>". */
static const char *const FIXED_STEMS[] = {"npv_scurve", "scenarios", "tornado", "sobol",
                                          "twoway",     "effects",   "balance", "overlap"};
static const char *const NUMBERED_STEMS[] = {"npv_histogram_", "waterfall_items_",
                                             "waterfall_stakeholders_", "cashflows_"};

/* 'base' (a file name less its extension) is a name this module writes. */
static int owned_base(const char *base, size_t len)
{
    for (size_t i = 0; i < sizeof FIXED_STEMS / sizeof FIXED_STEMS[0]; i++)
        if (strlen(FIXED_STEMS[i]) == len && memcmp(base, FIXED_STEMS[i], len) == 0)
            return 1;
    for (size_t i = 0; i < sizeof NUMBERED_STEMS / sizeof NUMBERED_STEMS[0]; i++) {
        size_t n = strlen(NUMBERED_STEMS[i]);
        if (len <= n || memcmp(base, NUMBERED_STEMS[i], n) != 0)
            continue;
        size_t d = n;
        while (d < len && base[d] >= '0' && base[d] <= '9')
            d++;
        if (d == len)
            return 1;
    }
    return 0;
}

int mkba_chart_owns(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name || strchr(name, '/'))
        return 0;
    for (size_t x = 0; x < sizeof EXTS / sizeof EXTS[0]; x++)
        if (strcmp(dot, EXTS[x]) == 0)
            return owned_base(name, (size_t)(dot - name));
    return 0;
}

/* Stage the charts' files for a rename from the private directory into
 * place (the pictures only of charts that were rendered: those of an
 * earlier run go with the stale files, stage_stale). */
static mkba_status stage(ctx *c, mkba_pub *pub)
{
    mkba_chart_set *set = c->set;
    mkba_status st = MKBA_OK;
    for (size_t i = 0; i < set->n && !st; i++) {
        size_t n_ext = set->charts[i].rendered ? 4 : 2;
        for (size_t e = 0; e < n_ext && !st; e++) {
            char *src = mkba_xasprintf("%s/%s%s", c->tmp, set->charts[i].name, EXTS[e]);
            char *dst = mkba_xasprintf("%s/%s%s", c->dir, set->charts[i].name, EXTS[e]);
            st = mkba_pub_stage(pub, src, dst, MKBA_PUB_OUT_DIR, c->err);
            free(src);
            free(dst);
        }
    }
    return st;
}

/* Stage for removal the chart files of an earlier run that this run did
 * not make (a tornado when this run had no sensitivity analysis, the third
 * scenario's histogram when there are two now, a picture of a chart that
 * was not rendered this time), so that every chart in the directory
 * belongs to this run. Files with other names are the user's:
 * left alone. */
static mkba_status stage_stale(const ctx *c, mkba_pub *pub)
{
    DIR *d = opendir(c->dir);
    if (!d)
        return MKBA_OK;
    mkba_status st = MKBA_OK;
    struct dirent *e;
    while (!st && (e = readdir(d)) != NULL) {
        if (!mkba_chart_owns(e->d_name))
            continue;
        char *p = mkba_xasprintf("%s/%s", c->dir, e->d_name);
        struct stat sb;
        if (!mkba_pub_claimed(pub, p) && lstat(p, &sb) == 0 && S_ISREG(sb.st_mode))
            st = mkba_pub_unlink(pub, p, c->err);
        free(p);
    }
    closedir(d);
    return st;
}

mkba_chart_set *mkba_chart_stage_all(mkba_pub *pub, const char *dir, const mkba_appraisal *a,
                                     const mkba_chart_opts *o, mkba_error *err)
{
    if (!dir || !*dir || !a) {
        mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL, "charts: no directory or no appraisal");
        return NULL;
    }
    if (mkba_pub_mkdir(pub, dir, 1, err) != MKBA_OK)
        return NULL;
    ctx c = {.a = a, .nl = o && o->lang_nl, .dir = dir, .err = err};
    c.tmp = mkba_xasprintf("%s/.mkba-charts.XXXXXX", dir);
    if (!mkba_tmp_mkdtemp(c.tmp)) {
        mkba_error_set(err, MKBA_EIO, dir, 0, NULL, "cannot write: %s", strerror(errno));
        free(c.tmp);
        return NULL;
    }
    mkba_pub_private(pub, c.tmp); /* removed, with what is left in it, at the end */
    c.set = mkba_xcalloc(1, sizeof *c.set);
    c.set->dir = mkba_xstrdup(dir);
    c.set->src = c.tmp;
    mkba_status st = write_charts(&c);
    if (!st && (!o || o->render))
        st = render_all(&c, gnuplot_name(o));
    if (!st)
        st = stage(&c, pub);
    if (!st)
        st = stage_stale(&c, pub);
    if (st) {
        mkba_chart_set_free(c.set);
        return NULL;
    }
    return c.set;
}

mkba_chart_set *mkba_chart_write_all(const char *dir, const mkba_appraisal *a,
                                     const mkba_chart_opts *o, mkba_error *err)
{
    mkba_pub *pub = mkba_pub_new();
    mkba_out_inputs(pub, a);
    mkba_chart_set *set = mkba_chart_stage_all(pub, dir, a, o, err);
    if (!set) {
        mkba_pub_abort(pub);
        return NULL;
    }
    if (mkba_pub_commit(pub, err) != MKBA_OK) {
        mkba_chart_set_free(set);
        return NULL;
    }
    free(set->src);
    set->src = mkba_xstrdup(set->dir);
    return set;
}

void mkba_chart_set_free(mkba_chart_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++) {
        free(set->charts[i].name);
        free(set->charts[i].title);
    }
    free(set->charts);
    free(set->dir);
    free(set->src);
    free(set);
}

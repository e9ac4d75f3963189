/* report.c - the HTML report: one self-contained file with the conclusion,
 * key figures, tables, charts, assumptions and provenance of an appraisal,
 * in Dutch or English (see report.h for what it holds and why).
 *
 * Safety. The file is built from templates of our own text with holes:
 * "{}" takes a plain text that is HTML-escaped on the way out, "{h}" a
 * piece of markup made here. Every string from a model, scenario or cohort
 * file, and every formatted number (it may carry the model's currency
 * text), goes through a "{}" hole or esc(). Charts are embedded as base64
 * data URIs of <img> elements, in which SVG scripts never run.
 *
 * Privacy. Counts of persons and group means are withheld as in the
 * tables (mkba_ap_effect_hidden); the effects table is the only place
 * the report shows them. */
#include "mkba/report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mkba/build.h"
#include "mkba/decision.h"
#include "mkba/estimate.h"
#include "mkba/fmt.h"
#include "mkba/fsutil.h"
#include "mkba/mem.h"
#include "mkba/out.h"
#include "mkba/pub.h"
#include "mkba/sens.h"
#include "mkba/summary.h"
#include "mkba/tables.h"
#include "mkba/utf8.h"

#define MAX_SVG_BYTES (64L << 20) /* a chart larger than this is not a gnuplot chart */

/* ============================ output =================================== */

typedef struct rep {
    FILE *f;                  /* the report being written */
    const mkba_appraisal *a;
    int nl;                   /* Dutch */
    const mkba_report_opts *o;
} rep;

/* The text in the report's language. */
static const char *L(const rep *r, const char *en, const char *nl)
{
    return r->nl ? nl : en;
}

/* Write 's' as HTML text (also safe inside a quoted attribute). Control
 * characters are not allowed in HTML text: they become blanks (tab and
 * line breaks stay); bytes that are not UTF-8 become U+FFFD, so the file
 * is valid UTF-8 whatever the input files hold. */
static void esc(const rep *r, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x80) {
            size_t n = mkba_utf8_len(s, strnlen(s, 4));
            if (n)
                fwrite(s, 1, n, r->f), s += n - 1;
            else
                fputs("\xEF\xBF\xBD", r->f); /* U+FFFD REPLACEMENT CHARACTER */
            continue;
        }
        switch (c) {
        case '&':
            fputs("&amp;", r->f);
            break;
        case '<':
            fputs("&lt;", r->f);
            break;
        case '>':
            fputs("&gt;", r->f);
            break;
        case '"':
            fputs("&quot;", r->f);
            break;
        case '\'':
            fputs("&#39;", r->f);
            break;
        default:
            fputc((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F ? ' ' : c, r->f);
        }
    }
}

static void put(const rep *r, const char *html)
{
    fputs(html, r->f);
}

/* Write template 't': "{}" is replaced by the next argument, escaped;
 * "{h}" by the next argument as markup. Arguments are const char *. */
static void tpl(const rep *r, const char *t, ...)
{
    va_list ap;
    va_start(ap, t);
    while (*t) {
        if (t[0] == '{' && t[1] == '}') {
            esc(r, va_arg(ap, const char *));
            t += 2;
        } else if (strncmp(t, "{h}", 3) == 0) {
            fputs(va_arg(ap, const char *), r->f);
            t += 3;
        } else {
            fputc(*t++, r->f);
        }
    }
    va_end(ap);
}

/* Open the section that nav() links to as '#id', under heading 'title'. */
static void section(const rep *r, const char *id, const char *title)
{
    tpl(r, "<section id=\"{h}\">\n<h2>{}</h2>\n", id, title);
}

/* ============================ words ==================================== */

typedef char numbuf[256]; /* a number with the currency (at most 24 bytes) */

static void money(const rep *r, numbuf b, double x)
{
    mkba_fmt_money(b, sizeof(numbuf), r->a->currency, x, 0, r->nl);
}

static void ratio(const rep *r, numbuf b, double x)
{
    mkba_fmt_number(b, sizeof(numbuf), x, 2, r->nl);
}

static void pct(const rep *r, numbuf b, double share)
{
    mkba_fmt_percent(b, sizeof(numbuf), share, 1, r->nl);
}

static void value(const rep *r, numbuf b, double x)
{
    mkba_fmt_value(b, sizeof(numbuf), x, r->nl);
}

static void count(const rep *r, numbuf b, size_t n)
{
    mkba_fmt_number(b, sizeof(numbuf), (double)n, 0, r->nl);
}

/* A count of persons that the tables may withhold ('hidden'): "<N" when
 * it is small, "x" when it is withheld with a small one. Returns 1 when it
 * wrote "x" (the report then says what "x" means). */
static int withheld_count(const rep *r, numbuf b, size_t n, unsigned hidden)
{
    if (hidden)
        return mkba_disclose_count(b, sizeof(numbuf), r->a, n, 1, 0);
    count(r, b, n);
    return 0;
}

/* A group mean, or "suppressed" when the tables withhold it ('hidden'). */
static void withheld_mean(const rep *r, numbuf b, double mean, unsigned hidden)
{
    if (hidden)
        snprintf(b, sizeof(numbuf), "%s", L(r, "suppressed", "onderdrukt"));
    else
        value(r, b, mean);
}

static const char *text_or(const char *label, const char *name)
{
    return mkba_fmt_label_or(label, name);
}

static const char *holder_label(const rep *r, size_t k)
{
    return mkba_fmt_holder_label(r->a, k, r->nl);
}

static const char *scen_label(const rep *r, size_t s)
{
    return mkba_fmt_scen_label(r->a, s, r->nl);
}

static const char *kind_text(const rep *r, mkba_item_kind k)
{
    return mkba_fmt_kind(k, r->nl);
}

static const char *domain_text(const rep *r, const char *d)
{
    return mkba_fmt_domain(d, r->nl);
}

static const char *method_text(const rep *r, mkba_est_method m)
{
    return mkba_fmt_method(m, r->nl, 0);
}

/* The label of a Monte Carlo or sensitivity input: a parameter's label, an
 * effect's label ("effect.X"), else the name itself. */
static const char *input_label(const rep *r, const char *name)
{
    const mkba_appraisal *a = r->a;
    if (strncmp(name, "effect.", 7) == 0) {
        for (size_t i = 0; i < a->n_effects; i++)
            if (strcmp(a->effects[i].name, name + 7) == 0)
                return mkba_fmt_label_lang(a->effects[i].label, a->effects[i].label_nl, name, r->nl);
        return name;
    }
    for (size_t i = 0; i < a->n_params; i++)
        if (strcmp(a->params[i].name, name) == 0)
            return mkba_fmt_label_lang(a->params[i].label, a->params[i].label_nl, name, r->nl);
    return name;
}

/* A rate as a percentage with up to 4 significant digits: "3%", "2,25%". */
static void rate_pct(const rep *r, numbuf b, double rate)
{
    char v[96];
    mkba_fmt_value(v, sizeof v, rate * 100, r->nl);
    mkba_fmt_join(b, sizeof(numbuf), v, "%", (const char *)NULL);
}

/* Scenario s's discount rate in words: "3%", or "3% to 2.5%" when it
 * changes over the years. */
static void rate_text(const rep *r, char *buf, size_t size, size_t s)
{
    const mkba_appraisal *a = r->a;
    if (a->horizon == 0 || !a->rate) {
        snprintf(buf, size, "%s", mkba_fmt_na(r->nl));
        return;
    }
    const double *x = a->rate + mkba_ap_tidx(a, s, 0);
    int constant = 1;
    for (size_t t = 1; t < a->horizon; t++)
        constant &= x[t] == x[0];
    numbuf first, last;
    rate_pct(r, first, x[0]);
    rate_pct(r, last, x[a->horizon - 1]);
    if (constant)
        mkba_fmt_join(buf, size, first, (const char *)NULL);
    else
        mkba_fmt_join(buf, size, first, " ", L(r, "to", "tot"), " ", last, (const char *)NULL);
}

static const char *timing_text(const rep *r)
{
    const char *t = r->a->discount_timing ? r->a->discount_timing : "";
    if (strcmp(t, "start") == 0)
        return L(r, "at the start of each year", "aan het begin van elk jaar");
    if (strcmp(t, "mid") == 0)
        return L(r, "in the middle of each year", "halverwege elk jaar");
    if (strcmp(t, "end") == 0)
        return L(r, "at the end of each year", "aan het eind van elk jaar");
    return "";
}

/* Whether the effects table withholds anything: by the tables' own rule
 * (a small count of missing values in one group hides the row's counts
 * too), so that every "x" or "<10" the table shows has its note. */
static int any_suppressed(const mkba_appraisal *a)
{
    for (size_t i = 0; i < a->n_effects; i++)
        if (mkba_ap_effect_hidden(a, i))
            return 1;
    return 0;
}

/* ============================ table cells ============================== */

static void th(const rep *r, const char *text, int numeric)
{
    tpl(r, numeric ? "<th class=\"n\">{}</th>" : "<th>{}</th>", text);
}

static void td(const rep *r, const char *text)
{
    tpl(r, "<td>{}</td>", text);
}

/* Whether amount x shows with a minus sign: it rounds to a whole amount
 * below zero (what rounds to zero shows as "0", what is not finite as
 * "n/a"). Asked of the number, not of its text, which may start with the
 * currency. */
static int negative_amount(double x)
{
    return isfinite(x) && round(x) < 0;
}

/* A number cell, marked when it is 'negative'. */
static void td_num(const rep *r, const char *shown, int negative)
{
    tpl(r, negative ? "<td class=\"n neg\">{}</td>" : "<td class=\"n\">{}</td>", shown);
}

static void td_money(const rep *r, double x)
{
    numbuf m;
    money(r, m, x);
    td_num(r, m, negative_amount(x));
}

/* A value that is not an amount: a negative one is not bad news, so it is
 * not marked. */
static void td_value(const rep *r, double x)
{
    numbuf v;
    value(r, v, x);
    td_num(r, v, 0);
}

/* A cell with a label and, under it, the name used in the model file
 * (only the name when there is no label). */
static void td_named(const rep *r, const char *label, const char *name)
{
    if (label && *label)
        tpl(r, "<td>{}<br><span class=\"small\"><code>{}</code></span></td>", label, name);
    else
        tpl(r, "<td>{}</td>", name ? name : "");
}

static void td_ratio(const rep *r, double x)
{
    numbuf v;
    ratio(r, v, x);
    td_num(r, v, v[0] == '-');
}

static void td_pct(const rep *r, double share)
{
    numbuf v;
    pct(r, v, share);
    td_num(r, v, v[0] == '-');
}

/* "[lo; hi]" in Dutch (the comma is the decimal sign), "[lo, hi]" in English. */
static void interval(const rep *r, char *buf, size_t size, double lo, double hi)
{
    if (!isfinite(lo) || !isfinite(hi)) {
        snprintf(buf, size, "%s", mkba_fmt_na(r->nl));
        return;
    }
    numbuf a, b;
    value(r, a, lo);
    value(r, b, hi);
    mkba_fmt_join(buf, size, "[", a, r->nl ? "; " : ", ", b, "]", (const char *)NULL);
}

/* ============================ head ===================================== */

static const char CSS[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,"
    "sans-serif;color:#1a1a1a;background:#fff;max-width:1100px;margin:0 auto;padding:24px;"
    "line-height:1.45}\n"
    "header{border-bottom:3px solid #0b4f8a;margin-bottom:1em}\n"
    ".kicker{color:#0b4f8a;font-weight:600;text-transform:uppercase;letter-spacing:.04em;"
    "margin:0}\n"
    "h1{font-size:1.9em;margin:.1em 0 .3em}\n"
    "h2{color:#0b4f8a;border-bottom:1px solid #c9d6e3;padding-bottom:.15em;margin-top:1.8em}\n"
    "h3{margin:1.2em 0 .4em}\n"
    ".lead{font-size:1.1em}\n"
    ".meta,.note{color:#555;font-size:.9em}\n"
    "nav{font-size:.9em;margin:1em 0}nav a{color:#0b4f8a;margin-right:.9em;white-space:nowrap}\n"
    ".verdict{font-weight:600}\n"
    ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:12px;"
    "margin:.5em 0 1em}\n"
    ".card{border:1px solid #c9d6e3;border-radius:8px;padding:10px 14px;background:#f6f9fc}\n"
    ".card .v{display:block;font-size:1.45em;font-weight:700;white-space:nowrap}\n"
    ".card .k{display:block;color:#444;font-size:.88em}\n"
    "table{border-collapse:collapse;margin:.4em 0 1em;font-size:.9em}\n"
    "th,td{border-bottom:1px solid #dde3ea;padding:4px 9px;text-align:left;vertical-align:top}\n"
    "th{background:#eef3f8}\n"
    "td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\n"
    "th.n{text-align:right}\n"
    "td:first-child{min-width:12em}\n"
    ".wide{overflow-x:auto}table.alt td:first-child{min-width:0}\n"
    "span.n{white-space:nowrap}\n"
    ".neg{color:#b00020}\n"
    "tr.total td{font-weight:700;border-top:2px solid #888}\n"
    ".small{color:#555;font-size:.85em}\n"
    "code{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:.88em;"
    "overflow-wrap:anywhere}\n"
    "figure{margin:1em 0 1.5em;break-inside:avoid;page-break-inside:avoid}\n"
    "figure img{max-width:100%;height:auto;border:1px solid #eee}\n"
    "figcaption{color:#444;font-size:.9em}\n"
    "@media print{body{max-width:none;padding:0;font-size:10pt}nav{display:none}"
    "h2,h3{break-after:avoid;page-break-after:avoid}"
    "table,figure,.card{break-inside:avoid;page-break-inside:avoid}"
    ".card{background:none}th{background:none}}\n";

/* Only in a report with warnings, so that one without is unchanged. */
static const char CSS_WARN[] =
    "#warnings{border:2px solid #b00020;border-radius:8px;background:#fff5f5;"
    "padding:.2em 1em .6em;margin:1em 0}\n"
    "#warnings h2{color:#b00020;border:none;margin-top:.4em}\n"
    "#warnings li{margin:.3em 0}\n";

/* Only in a report with a data note ([model] data_note). */
static const char CSS_NOTE[] =
    ".datanote{border:2px solid #b36b00;border-radius:8px;background:#fff8e6;"
    "padding:.5em 1em;margin:1em 0;font-size:1.05em}\n";

static int has_data_note(const mkba_appraisal *a)
{
    return a->data_note && *a->data_note;
}

/* "X, Y" from the project scenarios' labels (caller frees). */
static char *project_list(const rep *r)
{
    size_t n = 1;
    for (size_t s = 1; s < r->a->n_scenarios; s++)
        n += strlen(scen_label(r, s)) + 2;
    char *list = mkba_xcalloc(n, 1);
    for (size_t s = 1; s < r->a->n_scenarios; s++) {
        if (s > 1)
            strcat(list, ", ");
        strcat(list, scen_label(r, s));
    }
    return list;
}

static void head(const rep *r)
{
    const mkba_appraisal *a = r->a;
    char *projects = project_list(r);
    tpl(r, "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<meta name=\"generator\" content=\"mkba {}\">\n",
        r->nl ? "nl" : "en", a->version ? a->version : "");
    tpl(r, "<title>{}: {}{}{}</title>\n", L(r, "SCBA", "MKBA"), mkba_fmt_model_name(a, r->nl),
        *projects ? " - " : "", projects);
    tpl(r, "<style>\n{h}{h}{h}</style>\n</head>\n<body>\n", CSS, a->n_warnings ? CSS_WARN : "",
        has_data_note(a) ? CSS_NOTE : "");
    free(projects);
}

static void title(const rep *r)
{
    const mkba_appraisal *a = r->a;
    tpl(r, "<header>\n<p class=\"kicker\">{}</p>\n<h1>{}</h1>\n",
        L(r, "Social cost-benefit analysis", "Maatschappelijke kosten-batenanalyse"),
        text_or(mkba_fmt_model_name(a, r->nl), a->model_file));
    size_t np = a->n_scenarios ? a->n_scenarios - 1 : 0;
    put(r, "<p class=\"lead\">");
    tpl(r, "{}: ", np == 1 ? L(r, "Project alternative", "Projectalternatief")
                           : L(r, "Project alternatives", "Projectalternatieven"));
    for (size_t s = 1; s < a->n_scenarios; s++)
        tpl(r, "{h}<strong>{}</strong>", s > 1 ? ", " : "", scen_label(r, s));
    if (a->n_scenarios > 0)
        tpl(r, L(r, ", compared with the reference alternative (regular practice): "
                    "<strong>{}</strong>.",
                 ", vergeleken met het nulalternatief (de gewone praktijk): <strong>{}</strong>."),
            scen_label(r, 0));
    put(r, "</p>\n");
    char rate[160], y0[32], y1[32], years[32], py[32], day[11];
    snprintf(day, sizeof day, "%.10s", a->run_date); /* the date of "2024-01-02T03:04:05Z" */
    rate_text(r, rate, sizeof rate, a->n_scenarios > 1 ? 1 : 0);
    snprintf(y0, sizeof y0, "%d", a->first_year);
    snprintf(y1, sizeof y1, "%d", a->first_year + (int)a->horizon - 1);
    snprintf(years, sizeof years, "%zu", a->horizon);
    snprintf(py, sizeof py, "%d", a->price_year);
    tpl(r, L(r, "<p class=\"meta\">Amounts in {} at {} prices; {} years ({} to {}), discounted "
                "at {} per year {}{}. Calculated on {}.</p>\n</header>\n",
             "<p class=\"meta\">Bedragen in {}, prijspeil {}; {} jaar ({} tot en met {}), "
             "contant gemaakt tegen {} per jaar {}{}. Berekend op {}.</p>\n</header>\n"),
        text_or(a->currency, ""), py, years, y0, y1, rate, timing_text(r),
        a->n_scenarios > 2 ? L(r, " (see the assumptions for each scenario's rate)",
                               " (zie de aannames voor de discontovoet per scenario)")
                           : "",
        day);
}

/* Whether the report has the sections that not every run has: nav()
 * links to a section only when it is there. */
static int has_key_figures(const mkba_appraisal *a)
{
    return a->n_scenarios >= 2;
}

static int has_voi(const mkba_appraisal *a)
{
    return a->mc && isfinite(a->mc->evpi);
}

static void nav_link(const rep *r, const char *id, const char *text)
{
    tpl(r, "<a href=\"#{h}\">{}</a>\n", id, text);
}

static void nav(const rep *r)
{
    const mkba_appraisal *a = r->a;
    tpl(r, "<nav>{}: ", L(r, "Contents", "Inhoud"));
    if (a->n_warnings)
        nav_link(r, "warnings", L(r, "Warnings", "Waarschuwingen"));
    nav_link(r, "conclusion", L(r, "Conclusion", "Conclusie"));
    if (has_key_figures(a))
        nav_link(r, "key", L(r, "Key figures", "Kerncijfers"));
    nav_link(r, "effects", L(r, "Effects", "Effecten"));
    if (a->subgroups && a->subgroups->n)
        nav_link(r, "subgroups", L(r, "Subgroups", "Subgroepen"));
    if (a->ps)
        nav_link(r, "ps", L(r, "Balance and overlap", "Balans en overlap"));
    nav_link(r, "balance", L(r, "Balance per stakeholder", "Saldo per belanghebbende"));
    nav_link(r, "items", L(r, "Items", "Posten"));
    if (a->mc)
        nav_link(r, "uncertainty", L(r, "Uncertainty", "Onzekerheid"));
    if (a->sens)
        nav_link(r, "sensitivity", L(r, "Sensitivity", "Gevoeligheid"));
    if (has_voi(a))
        nav_link(r, "voi", L(r, "Value of information", "Waarde van informatie"));
    nav_link(r, "charts", L(r, "Charts", "Grafieken"));
    nav_link(r, "assumptions", L(r, "Assumptions and sources", "Aannames en bronnen"));
    tpl(r, "<a href=\"#provenance\">{}</a></nav>\n", L(r, "Provenance", "Herkomst"));
}

/* ============================ warnings ================================= */

/* Where a warning points: "file:line: [section] key". */
static void warning_place(char *buf, size_t size, const mkba_error *at)
{
    char line[32] = "";
    if (at->line > 0)
        snprintf(line, sizeof line, ":%ld", at->line);
    mkba_fmt_join(buf, size, at->file, line, at->file[0] && at->where[0] ? ": " : "", at->where,
         (const char *)NULL);
}

static const char *item_label(const rep *r, const char *name)
{
    for (size_t i = 0; i < r->a->n_items; i++)
        if (strcmp(r->a->items[i].name, name) == 0)
            return mkba_fmt_item_label(r->a, i, r->nl);
    return name;
}

static void warning_text(const rep *r, const mkba_warning *w)
{
    numbuf v, lo, hi;
    char effect[300];
    switch (w->kind) {
    case MKBA_WARN_PILOT_SWITCH:
        mkba_fmt_join(effect, sizeof effect, "effect.", w->effect, (const char *)NULL);
        tpl(r, L(r, "The item <strong>{}</strong> uses <code>{}</code>, but its flow in "
                    "<strong>{}</strong> is the same as in the reference alternative "
                    "<strong>{}</strong> in every year, so it drops out of the analysis. Is the "
                    "pilot switch missing (for example <code>pilot * {} * ...</code>, with pilot "
                    "0 in the reference and 1 in the project)?",
                 "De post <strong>{}</strong> gebruikt <code>{}</code>, maar geeft in "
                 "<strong>{}</strong> in elk jaar dezelfde stroom als in het nulalternatief "
                 "<strong>{}</strong>, en valt zo weg uit de analyse. Ontbreekt de "
                 "pilotschakelaar (bijvoorbeeld <code>pilot * {} * ...</code>, met pilot 0 in het "
                 "nulalternatief en 1 in het project)?"),
            item_label(r, w->name), effect, scen_label(r, w->scenario), scen_label(r, 0), effect);
        return;
    case MKBA_WARN_OUTSIDE_DIST:
        value(r, v, w->value);
        value(r, lo, w->p1);
        value(r, hi, w->p99);
        tpl(r, L(r, "The base value of parameter <strong>{}</strong> ({}) lies outside the "
                    "P1-P99 interval ({} to {}) of its distribution <code>{}</code>: the base "
                    "case and the Monte Carlo simulation tell different stories.",
                 "De basiswaarde van parameter <strong>{}</strong> ({}) ligt buiten het interval "
                 "P1-P99 ({} tot {}) van zijn verdeling <code>{}</code>: de basisberekening en de "
                 "Monte Carlo-simulatie vertellen een ander verhaal."),
            w->name, v, lo, hi, w->dist);
        return;
    case MKBA_WARN_IMBALANCED:
        tpl(r, L(r, "Covariates remain imbalanced after weighting (|SMD| above 0.1): "
                    "<strong>{}</strong>. Inverse probability weighting keeps part of the bias "
                    "there; add a square or a product to the propensity model, or use the "
                    "doubly robust method.",
                 "Na weging blijven covariaten uit balans (|SMD| boven 0,1): "
                 "<strong>{}</strong>. Inverse kansweging houdt daar een deel van de "
                 "vertekening; voeg een kwadraat of een product toe aan het propensitymodel, of "
                 "gebruik de dubbel robuuste methode."),
            w->name);
        return;
    case MKBA_WARN_EXTREME_WEIGHTS:
        tpl(r, L(r, "The weights are extreme: the effective sample size of the {} group is "
                    "below a quarter of its persons, so a few of them carry the weighted "
                    "estimates. Set trim (e.g. trim = 0.01) or improve the propensity model.",
                 "De gewichten zijn extreem: de effectieve steekproefomvang van de {} is "
                 "minder dan een kwart van haar personen, zodat enkelen de gewogen schattingen "
                 "dragen. Stel trim in (bijv. trim = 0.01) of verbeter het propensitymodel."),
            strcmp(w->name, "pilot") == 0 ? L(r, "pilot", "pilotgroep")
                                          : L(r, "control", "controlegroep"));
        return;
    case MKBA_WARN_BOOTSTRAP_FAILED:
        if (!r->nl)
            break; /* the English message says it */
        tpl(r, "Het effect <strong>{}</strong> kon in meer dan 5% van de bootstrapreplicaties "
               "niet worden geschat (een covariaat zonder variatie, of bij ipw en dr een "
               "propensitymodel dat de groepen scheidt); het bootstrap-BI en de Monte "
               "Carlo-trekkingen steunen op de andere replicaties en kunnen te smal zijn.",
            w->name);
        return;
    case MKBA_WARN_BOOTSTRAP_OFF:
        if (!r->nl)
            break;
        tpl(r, "Met 0 bootstrapreplicaties (--bootstrap 0, of bootstrap = 0 in [simulation]) "
               "houdt elke trekking de effecten uit het cohort op hun schatting: de Monte "
               "Carlo-simulatie laat hun onzekerheid weg, zodat de spreiding en P(NCW &gt; 0) te "
               "smal zijn. Neem 1000 replicaties (de standaard) om die mee te nemen.");
        return;
    case MKBA_WARN_SMALL_PERCENT:
    case MKBA_WARN_REFERENCE:
        break; /* the English message says it, with the file and line */
    }
    esc(r, w->at.msg);
}

/* Near the top, before anything is concluded: the warnings of the run. */
/* The model's note on its data (that the cohort is synthetic, say), in a
 * box on the first screen, right under the title. */
static void data_note(const rep *r)
{
    if (!has_data_note(r->a))
        return;
    tpl(r, "<p class=\"datanote\" role=\"note\"><strong>{}</strong> {}</p>\n",
        L(r, "About the data:", "Over de gegevens:"), mkba_fmt_data_note(r->a, r->nl));
}

static void warnings(const rep *r)
{
    const mkba_appraisal *a = r->a;
    if (!a->n_warnings)
        return;
    section(r, "warnings", L(r, "Warnings", "Waarschuwingen"));
    tpl(r, "<p>{}</p>\n<ul>\n",
        L(r, "mkba found what looks like a mistake in the model. The results below may be "
             "wrong until it is checked:",
          "mkba vond iets dat op een fout in het model lijkt. De resultaten hieronder kunnen "
          "onjuist zijn zolang dat niet is nagekeken:"));
    for (size_t i = 0; i < a->n_warnings; i++) {
        char place[1024];
        warning_place(place, sizeof place, &a->warnings[i].at);
        put(r, "<li>");
        warning_text(r, &a->warnings[i]);
        tpl(r, " <span class=\"small\">(<code>{}</code>)</span></li>\n", place);
    }
    put(r, "</ul>\n</section>\n");
}

/* ============================ conclusion =============================== */

/* Society's balance in scenario s. */
static const mkba_balance *society(const mkba_appraisal *a, size_t s)
{
    return &a->balance[mkba_ap_bidx(a, s, a->n_stakeholders)];
}

/* The Monte Carlo statistics of society's NPV in scenario s; NULL when
 * there was no Monte Carlo run of it. */
static const mkba_stats *society_mc(const mkba_appraisal *a, size_t s)
{
    if (!a->mc || s >= a->mc->n_scenarios)
        return NULL;
    return &a->mc->npv[mkba_mc_idx(a->mc, s, a->n_stakeholders)];
}

/* Stakeholders whose NPV rounds below zero (sign -1) or above it (+1),
 * largest amounts first, as "A (EUR -1.234), B (EUR -56)". Returns the
 * number listed. */
static size_t who_list(const rep *r, size_t s, int sign)
{
    const mkba_appraisal *a = r->a;
    size_t K = a->n_stakeholders, n = 0;
    size_t *idx = mkba_xcalloc(K + 1, sizeof *idx);
    for (size_t k = 0; k < K; k++) {
        double v = round(a->balance[mkba_ap_bidx(a, s, k)].npv);
        if (isfinite(v) && v * sign > 0)
            idx[n++] = k;
    }
    for (size_t i = 1; i < n; i++) /* insertion sort by |NPV|, largest first */
        for (size_t j = i; j > 0; j--) {
            double x = fabs(a->balance[mkba_ap_bidx(a, s, idx[j])].npv);
            double y = fabs(a->balance[mkba_ap_bidx(a, s, idx[j - 1])].npv);
            if (x <= y)
                break;
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    for (size_t i = 0; i < n; i++) {
        numbuf m;
        money(r, m, a->balance[mkba_ap_bidx(a, s, idx[i])].npv);
        tpl(r, "{h}{} (<span class=\"n{h}\">{}</span>)", i ? ", " : "", holder_label(r, idx[i]),
            sign < 0 ? " neg" : "", m);
    }
    free(idx);
    return n;
}

static void conclusion_of(const rep *r, size_t s)
{
    const mkba_appraisal *a = r->a;
    const mkba_balance *b = society(a, s);
    const mkba_stats *st = society_mc(a, s);
    double v = round(b->npv);
    const char *verdict =
        !isfinite(v) ? L(r, "The balance for society is undefined.",
                         "Het saldo voor de samenleving is niet bepaald.")
        : v > 0 ? L(r, "Benefits exceed costs for society.",
                    "De baten zijn groter dan de kosten voor de samenleving.")
        : v < 0 ? L(r, "Costs exceed benefits for society.",
                    "De kosten zijn groter dan de baten voor de samenleving.")
                : L(r, "Benefits and costs balance for society.",
                    "Baten en kosten houden elkaar voor de samenleving in evenwicht.");
    numbuf npv, bcr;
    money(r, npv, b->npv);
    ratio(r, bcr, b->bcr);
    char why[128] = ""; /* why there is no ratio (appraisal.h, mkba_bcr) */
    if (isnan(b->bcr))
        mkba_fmt_join(why, sizeof why, " (",
                      mkba_fmt_bcr_reason(mkba_bcr_why_of(b->pv_benefits, b->pv_costs), r->nl), ")",
                      NULL);
    tpl(r, "<h3>{}</h3>\n<p><span class=\"verdict\">{}</span> ", scen_label(r, s), verdict);
    tpl(r, L(r, "Net present value (NPV, the balance of benefits and costs): {}; "
                "benefit-cost ratio: {}{}.",
             "Netto contante waarde (saldo van baten en kosten): {}; "
             "baten-kostenverhouding: {}{}."),
        npv, bcr, why);
    put(r, "</p>\n");
    char *fin = mkba_out_fin_sentence(a, s, r->nl); /* payback and IRR (finance.h) */
    if (fin) {
        tpl(r, "<p>{}</p>\n", fin);
        free(fin);
    }
    if (st && a->mc->fin) {
        numbuf pp;
        pct(r, pp, a->mc->fin[mkba_mc_idx(a->mc, s, a->n_stakeholders)].p_payback);
        char years[32];
        snprintf(years, sizeof years, "%zu", a->horizon);
        tpl(r, L(r, "<p>Chance that it pays back within the {} years: <strong>{}</strong>.</p>\n",
                 "<p>Kans dat het zich binnen de {} jaar terugverdient: <strong>{}</strong>.</p>\n"),
            years, pp);
    }
    if (st) {
        numbuf p, draws, lo, hi;
        pct(r, p, st->p_positive);
        count(r, draws, a->mc->draws);
        money(r, lo, st->p5);
        money(r, hi, st->p95);
        tpl(r, L(r, "<p>Chance that benefits exceed costs: <strong>{}</strong> (Monte Carlo, {} "
                    "draws; 90% of the outcomes lie between {} and {}).</p>\n",
                 "<p>Kans dat de baten de kosten overtreffen: <strong>{}</strong> (Monte Carlo, "
                 "{} trekkingen; 90% van de uitkomsten ligt tussen {} en {}).</p>\n"),
            p, draws, lo, hi);
    }
    /* worse off, not "who pays": a transfer received less is a loss, not a payment */
    tpl(r, "<p>{}: ", L(r, "Worse off (negative balance, transfers included)",
                        "Gaat erop achteruit (negatief saldo, overdrachten meegerekend)"));
    if (!who_list(r, s, -1))
        tpl(r, "{}", L(r, "no stakeholder", "geen enkele belanghebbende"));
    tpl(r, ".<br>{}: ", L(r, "Better off (positive balance, transfers included)",
                          "Gaat erop vooruit (positief saldo, overdrachten meegerekend)"));
    if (!who_list(r, s, +1))
        tpl(r, "{}", L(r, "no stakeholder", "geen enkele belanghebbende"));
    put(r, ".</p>\n");
}

/* The alternatives side by side, from the table "alternatives" (tables.h,
 * built once for CSV and here): rank, label, society's NPV, PV benefits,
 * PV costs, B/C, each stakeholder's NPV, and with a Monte Carlo P(best). */
static void alternatives_table(const rep *r)
{
    const mkba_appraisal *a = r->a;
    size_t K = a->n_stakeholders;
    mkba_table *t = mkba_tables_build_named(a, "alternatives");
    put(r, "<div class=\"wide\"><table class=\"alt\">\n<tr>"); /* wide: it scrolls */
    th(r, L(r, "Rank", "Rang"), 1);
    th(r, L(r, "Alternative", "Alternatief"), 0);
    th(r, L(r, "NPV for society", "NCW voor de samenleving"), 1);
    th(r, L(r, "Benefits (PV)", "Baten (CW)"), 1);
    th(r, L(r, "Costs (PV)", "Kosten (CW)"), 1);
    th(r, L(r, "Benefit-cost ratio", "Baten/kosten"), 1);
    for (size_t k = 0; k < K; k++)
        th(r, holder_label(r, k), 1);
    if (a->mc)
        th(r, L(r, "Chance best", "Kans het beste"), 1);
    put(r, "</tr>\n");
    size_t n = 8 + K + (a->mc ? 1 : 0);
    for (size_t row = 0; row < mkba_table_rows(t); row++) {
        put(r, row == 0 ? "<tr class=\"total\">" : "<tr>");
        for (size_t c = 0; c < n; c++) {
            /* the label in the report's language: the Dutch one is the last column */
            const mkba_cell *x =
                mkba_table_cell(t, row, c == 2 && r->nl ? mkba_table_cols(t) - 1 : c);
            if (c == 1 || c == 7) /* the key and the B/C's note: shown as label and "n/a" */
                continue;
            numbuf v;
            switch (x->type) {
            case MKBA_CELL_INT:
                snprintf(v, sizeof v, "%lld", x->n);
                td_num(r, v, 0);
                break;
            case MKBA_CELL_AMOUNT:
                td_money(r, x->x);
                break;
            case MKBA_CELL_NUMBER:
                td_ratio(r, x->x);
                break;
            case MKBA_CELL_SHARE:
                td_pct(r, x->x);
                break;
            default:
                td(r, x->text ? x->text : "");
                break;
            }
        }
        put(r, "</tr>\n");
    }
    put(r, "</table></div>\n");
    mkba_table_free(t);
}

/* Project x minus project y per stakeholder and for society. */
static void pairwise_table(const rep *r, size_t x, size_t y)
{
    const mkba_appraisal *a = r->a;
    tpl(r, L(r, "<h3>{} minus {}</h3>\n", "<h3>{} min {}</h3>\n"), scen_label(r, x),
        scen_label(r, y));
    put(r, "<table>\n<tr>");
    th(r, L(r, "Stakeholder", "Belanghebbende"), 0);
    th(r, scen_label(r, x), 1);
    th(r, scen_label(r, y), 1);
    th(r, L(r, "Difference", "Verschil"), 1);
    put(r, "</tr>\n");
    for (size_t k = 0; k <= a->n_stakeholders; k++) {
        double vx = mkba_decision_npv(a, x, k), vy = mkba_decision_npv(a, y, k);
        put(r, k == a->n_stakeholders ? "<tr class=\"total\">" : "<tr>");
        td(r, holder_label(r, k));
        td_money(r, vx);
        td_money(r, vy);
        td_money(r, vx - vy);
        put(r, "</tr>\n");
    }
    put(r, "</table>\n");
}

/* The decision first (decision.h): the ranking in a sentence, the
 * alternatives side by side, and the projects pairwise. */
static void decision(const rep *r)
{
    const mkba_appraisal *a = r->a;
    char *sentence = mkba_decision_sentence(a, r->nl);
    if (!sentence)
        return;
    tpl(r, "<p class=\"decision\"><strong>{}</strong></p>\n", sentence);
    free(sentence);
    alternatives_table(r);
    tpl(r, "<p class=\"note\">{}{}{}</p>\n",
        L(r, "Every amount against the reference alternative, which is 0 against itself; the "
             "best for society first.",
          "Elk bedrag ten opzichte van het nulalternatief, dat tegenover zichzelf 0 is; het "
          "beste voor de samenleving eerst."),
        a->mc ? L(r, " Chance best: the share of the Monte Carlo draws in which the alternative "
                     "has the highest NPV for society.",
                  " Kans het beste: het deel van de Monte Carlo-trekkingen waarin het alternatief "
                  "de hoogste NCW voor de samenleving heeft.")
              : "",
        L(r, " A benefit-cost ratio is shown only where benefits and costs are both positive.",
          " Een baten-kostenverhouding staat er alleen waar baten en kosten allebei positief "
          "zijn."));
    size_t S = a->n_scenarios, *order = mkba_xcalloc(S, sizeof *order);
    mkba_decision_rank(a, order);
    for (size_t i = 0; i < S; i++)
        for (size_t j = i + 1; j < S; j++)
            if (order[i] && order[j])
                pairwise_table(r, order[i], order[j]);
    free(order);
    if (S > 2 && !mkba_decision_same_rates(a))
        tpl(r, "<p class=\"note\">{}</p>\n",
            L(r, "The projects discount at different rates: each NPV is at its own project's "
                 "rate, so a difference mixes the two.",
              "De projecten disconteren tegen verschillende voeten: elke NCW staat tegen de "
              "voet van het eigen project, dus een verschil mengt de twee."));
}

static void conclusion(const rep *r)
{
    section(r, "conclusion", L(r, "Conclusion", "Conclusie"));
    decision(r);
    if (r->a->n_scenarios < 2)
        tpl(r, "<p>{}</p>\n", L(r, "There is no project alternative to compare.",
                                "Er is geen projectalternatief om te vergelijken."));
    for (size_t s = 1; s < r->a->n_scenarios; s++)
        conclusion_of(r, s);
    tpl(r, "<p class=\"note\">{}</p>\n</section>\n",
        L(r, "How to read this report: every amount is the difference between a project "
             "alternative and the reference alternative (regular practice), added up over the "
             "years and discounted, so that an amount in a later year counts for less. The "
             "balance (net present value) is benefits minus costs: a positive balance means "
             "that the benefits are larger than the costs. Transfers, such as benefit "
             "payments and taxes, move money between stakeholders: they count in those "
             "stakeholders' balances but cancel out for society as a whole.",
          "Zo leest u dit rapport: elk bedrag is het verschil tussen een projectalternatief en "
          "het nulalternatief (de gewone praktijk), opgeteld over de jaren en contant gemaakt, "
          "zodat een bedrag in een later jaar minder zwaar telt. Het saldo (de netto contante "
          "waarde) is baten min kosten: een positief saldo betekent dat de baten groter zijn "
          "dan de kosten. Overdrachten, zoals uitkeringen en belastingen, verplaatsen geld "
          "tussen belanghebbenden: ze tellen mee in het saldo van die belanghebbenden, maar "
          "vallen voor de samenleving als geheel tegen elkaar weg."));
}

static void card(const rep *r, const char *label, const char *v, int negative)
{
    tpl(r, "<div class=\"card\"><span class=\"v{h}\">{}</span><span class=\"k\">{}</span></div>\n",
        negative ? " neg" : "", v, label);
}

static void key_figures(const rep *r)
{
    const mkba_appraisal *a = r->a;
    if (!has_key_figures(a))
        return;
    section(r, "key", L(r, "Key figures", "Kerncijfers"));
    for (size_t s = 1; s < a->n_scenarios; s++) {
        const mkba_balance *b = society(a, s);
        const mkba_stats *st = society_mc(a, s);
        numbuf v;
        tpl(r, "<h3>{}</h3>\n<div class=\"cards\">\n", scen_label(r, s));
        money(r, v, b->npv);
        card(r, L(r, "Net present value for society", "Netto contante waarde voor de samenleving"),
             v, negative_amount(b->npv));
        ratio(r, v, b->bcr);
        card(r, L(r, "Benefit-cost ratio", "Baten-kostenverhouding"), v, 0);
        money(r, v, b->pv_benefits);
        card(r, L(r, "Benefits (present value)", "Baten (contante waarde)"), v, 0);
        money(r, v, b->pv_costs);
        card(r, L(r, "Costs (present value)", "Kosten (contante waarde)"), v, 0);
        if (st) {
            pct(r, v, st->p_positive);
            card(r, L(r, "Chance that benefits exceed costs",
                      "Kans dat de baten de kosten overtreffen"),
                 v, 0);
        }
        put(r, "</div>\n");
    }
    put(r, "</section>\n");
}

/* ============================ tables =================================== */

/* An effect's first cell: its label and, under it, the name used in the
 * model file and the unit (either may be missing). */
static void effect_name_cell(const rep *r, const mkba_ap_effect *x)
{
    int unit = x->unit && *x->unit;
    if (x->label && *x->label)
        tpl(r, "<td>{}<br><span class=\"small\"><code>{}</code>{h}{}</span></td>",
            mkba_fmt_effect_label(x, r->nl),
            x->name, unit ? " &middot; " : "", unit ? x->unit : "");
    else if (unit)
        tpl(r, "<td>{}<br><span class=\"small\">{}</span></td>", x->name, x->unit);
    else
        td(r, x->name);
}

/* Effect i's cells of persons, means and missing values. They show what
 * the tables and results.json show (mkba_ap_effect_hidden): a small
 * count is withheld, and the row's other counts with it, so that no
 * withheld count follows from the others; both means when a group is
 * small, as the pilot mean and the estimate give the control mean; the
 * groups' sizes (marked "*") when only a count of missing values is small.
 * Returns 1 when a count shows as "x", or'ed with 2 when a size is marked. */
static int effect_group_cells(const rep *r, size_t i)
{
    const mkba_effect *e = &r->a->effects[i].e;
    if (e->method == MKBA_EST_GIVEN) { /* no persons behind it */
        put(r, "<td class=\"n\">-</td><td class=\"n\">-</td><td class=\"n\">-</td>");
        return 0;
    }
    unsigned hide = mkba_ap_effect_hidden(r->a, i);
    numbuf np, nc, mp, mc, nm;
    size_t n[5];
    mkba_ap_effect_counts(r->a, i, n);
    int x_shown = withheld_count(r, np, n[0], hide & MKBA_HIDE_N_PILOT);
    x_shown |= withheld_count(r, nc, n[1], hide & MKBA_HIDE_N_CONTROL);
    if (hide & MKBA_HIDE_GROUP_SIZES) { /* the groups' sizes: marked, see the note */
        strcat(np, "*");
        strcat(nc, "*");
        x_shown |= 2;
    }
    tpl(r, "<td class=\"n\">{} / {}</td>", np, nc);
    withheld_mean(r, mp, e->mean_pilot, hide & MKBA_HIDE_MEAN_PILOT);
    withheld_mean(r, mc, e->mean_control, hide & MKBA_HIDE_MEAN_CONTROL);
    tpl(r, "<td class=\"n\">{} / {}</td>", mp, mc);
    x_shown |= withheld_count(r, nm, e->n_missing, hide & MKBA_HIDE_N_MISSING);
    tpl(r, "<td class=\"n\">{}</td>", nm);
    return x_shown;
}

/* Under the effects table, when a count is suppressed: what "<N" (and
 * "x", when x_shown & 1, and "*", when x_shown & 2) mean. */
static void suppression_note(const rep *r, int x_shown)
{
    const mkba_appraisal *a = r->a;
    if (!any_suppressed(a))
        return;
    char n[32];
    snprintf(n, sizeof n, "%zu", a->min_group);
    tpl(r, L(r, "<p class=\"note\">Counts below {} are suppressed (shown as &lt;{}), and so "
                "are the means of such small groups, to protect the privacy of the persons "
                "in the cohort.{}</p>\n",
             "<p class=\"note\">Aantallen kleiner dan {} zijn onderdrukt (weergegeven als "
             "&lt;{}), net als de gemiddelden van zulke kleine groepen, om de privacy van de "
             "personen in het cohort te beschermen.{}</p>\n"),
        n, n,
        x_shown & 1 ? L(r, " x: withheld too, so that a suppressed count cannot be worked out "
                           "from the others.",
                        " x: ook weggelaten, zodat een onderdrukt aantal niet uit de andere "
                        "volgt.")
                    : "");
    if (x_shown & 2)
        tpl(r, L(r, "<p class=\"note\">*: the size of the group in the cohort; fewer than {} "
                    "of its persons lack a value and are left out of the effect, their number "
                    "withheld.</p>\n",
                 "<p class=\"note\">*: de omvang van de groep in het cohort; minder dan {} "
                 "van haar personen hebben geen waarde en tellen niet mee in het effect, hun "
                 "aantal is weggelaten.</p>\n"),
            n);
}

static void effects_table(const rep *r)
{
    const mkba_appraisal *a = r->a;
    section(r, "effects", L(r, "Effects of the project", "Effecten van het project"));
    if (a->n_effects == 0) {
        tpl(r, "<p>{}</p>\n</section>\n", L(r, "The model has no effects.",
                                            "Het model heeft geen effecten."));
        return;
    }
    int boot = a->mc && a->mc->n_boot > 0;
    tpl(r, "<p class=\"note\">{}</p>\n",
        L(r, "Difference between the pilot group and the control group (pilot minus regular "
             "practice), in the outcome's unit, with its 95% confidence interval (CI).",
          "Verschil tussen de pilotgroep en de controlegroep (pilot min gewone praktijk), in de "
          "eenheid van de uitkomst, met het 95%-betrouwbaarheidsinterval (BI)."));
    put(r, "<table>\n<tr>");
    th(r, L(r, "Effect", "Effect"), 0);
    th(r, L(r, "Method", "Methode"), 0);
    th(r, L(r, "Estimate", "Schatting"), 1);
    th(r, L(r, "95% CI", "95%-BI"), 1);
    if (boot)
        th(r, L(r, "Bootstrap 95% CI", "Bootstrap 95%-BI"), 1);
    th(r, L(r, "Persons (pilot / control)", "Personen (pilot / controle)"), 1);
    th(r, L(r, "Mean (pilot / control)", "Gemiddelde (pilot / controle)"), 1);
    th(r, L(r, "Missing", "Ontbrekend"), 1);
    put(r, "</tr>\n");
    int x_shown = 0; /* a count shown as "x" (1), a group's size (2) */
    int est_hidden = 0; /* an effect withheld */
    for (size_t i = 0; i < a->n_effects; i++) {
        const mkba_effect *e = &a->effects[i].e;
        char ci[160];
        put(r, "<tr>");
        effect_name_cell(r, &a->effects[i]);
        td(r, method_text(r, e->method));
        int withheld = mkba_ap_effect_withheld(a, i); /* a small group: see the note */
        if (withheld) {
            td(r, "x");
            est_hidden = 1;
        } else {
            td_value(r, e->estimate);
        }
        if (mkba_ap_effect_hidden(a, i) & MKBA_HIDE_CI) { /* it would give the df away */
            snprintf(ci, sizeof ci, "x");
            x_shown |= 1;
        } else {
            interval(r, ci, sizeof ci, e->ci_lo, e->ci_hi);
        }
        tpl(r, "<td class=\"n\">{}</td>", ci);
        if (boot) {
            int has = i < a->mc->n_outcomes;
            interval(r, ci, sizeof ci, has ? a->mc->boot_lo[i] : NAN,
                     has ? a->mc->boot_hi[i] : NAN);
            if (withheld)
                snprintf(ci, sizeof ci, "x");
            tpl(r, "<td class=\"n\">{}</td>", ci);
        }
        x_shown |= effect_group_cells(r, i);
        put(r, "</tr>\n");
    }
    put(r, "</table>\n");
    int weighted = 0;
    for (size_t i = 0; i < a->n_effects; i++)
        weighted |= a->effects[i].e.method == MKBA_EST_IPW || a->effects[i].e.method == MKBA_EST_DR;
    if (weighted)
        tpl(r, "<p class=\"note\">{}</p>\n",
            L(r, "Inverse probability weighting and doubly robust: the standard error comes "
                 "from the M-estimation sandwich, which counts the uncertainty of the estimated "
                 "propensities; the 95% CI is normal. See Balance and overlap.",
              "Inverse kansweging en dubbel robuust: de standaardfout komt uit de "
              "M-schatting-sandwich, die de onzekerheid van de geschatte kansen meetelt; het "
              "95%-BI is normaal. Zie Balans en overlap."));
    suppression_note(r, x_shown);
    if (est_hidden) {
        char n[32];
        snprintf(n, sizeof n, "%zu", a->min_group);
        tpl(r, L(r, "<p class=\"note\">An effect with fewer than {} persons with a value in a "
                    "group is withheld (x: its estimate and confidence intervals), as the "
                    "effect of so few persons comes near their own values.</p>\n",
                 "<p class=\"note\">Een effect met minder dan {} personen met een waarde in "
                 "een groep is weggelaten (x: de schatting en de betrouwbaarheidsintervallen), "
                 "omdat het effect van zo weinig personen dicht bij hun eigen waarden "
                 "ligt.</p>\n"),
            n);
    }
    put(r, "</section>\n");
}

/* The label of the effect named 'name', else the name. */
static const char *effect_label(const rep *r, const char *name)
{
    for (size_t i = 0; i < r->a->n_effects; i++)
        if (strcmp(r->a->effects[i].name, name) == 0)
            return mkba_fmt_effect_label(&r->a->effects[i], r->nl);
    return name;
}

/* One outcome's effect per level of its `by` covariate, and the test of
 * heterogeneity; withheld as in the other outputs (mkba_ap_hidden,
 * mkba_ap_het_withheld). */
static void subgroup_table(const rep *r, const mkba_ap_subgroup *g)
{
    const mkba_appraisal *a = r->a;
    tpl(r, L(r, "<h3>{} <span class=\"small\">per level of <code>{}</code></span></h3>\n",
             "<h3>{} <span class=\"small\">per niveau van <code>{}</code></span></h3>\n"),
        effect_label(r, g->outcome), g->by);
    put(r, "<table>\n<tr>");
    th(r, L(r, "Subgroup", "Subgroep"), 0);
    th(r, L(r, "Estimate", "Schatting"), 1);
    th(r, L(r, "95% CI", "95%-BI"), 1);
    th(r, L(r, "Persons (pilot / control)", "Personen (pilot / controle)"), 1);
    th(r, L(r, "Note", "Opmerking"), 0);
    put(r, "</tr>\n");
    for (size_t l = 0; l < g->n_levels; l++) {
        const mkba_ap_effect *x = &g->levels[l];
        unsigned mask = mkba_ap_hidden(a, x);
        int none = (mask & MKBA_HIDE_ESTIMATE) || g->reason[l][0];
        char ci[160];
        numbuf np, nc;
        size_t n[5];
        mkba_ap_counts(a, x, n);
        put(r, "<tr>");
        td(r, x->name);
        if (none) {
            td_num(r, "-", 0);
            td_num(r, "-", 0);
        } else {
            td_value(r, x->e.estimate);
            if (mask & MKBA_HIDE_CI)
                snprintf(ci, sizeof ci, "x");
            else
                interval(r, ci, sizeof ci, x->e.ci_lo, x->e.ci_hi);
            tpl(r, "<td class=\"n\">{}</td>", ci);
        }
        withheld_count(r, np, n[0], mask & MKBA_HIDE_N_PILOT);
        withheld_count(r, nc, n[1], mask & MKBA_HIDE_N_CONTROL);
        if (mask & MKBA_HIDE_GROUP_SIZES) {
            strcat(np, "*");
            strcat(nc, "*");
        }
        tpl(r, "<td class=\"n\">{} / {}</td>", np, nc);
        td(r, mask & MKBA_HIDE_ESTIMATE
                  ? L(r, "withheld: fewer persons than the privacy threshold in a group",
                      "weggelaten: minder personen dan de privacydrempel in een groep")
                  : g->reason[l]);
        put(r, "</tr>\n");
    }
    put(r, "</table>\n");
    char buf[160];
    const char *why = mkba_ap_het_withheld(a, g, buf, sizeof buf);
    if (why) {
        tpl(r, L(r, "<p class=\"note\">Test of heterogeneity: not shown ({}).</p>\n",
                 "<p class=\"note\">Toets op heterogeniteit: niet getoond ({}).</p>\n"),
            why);
        return;
    }
    numbuf q, p, df;
    value(r, q, g->het.q);
    value(r, p, g->het.p);
    count(r, df, (size_t)g->het.df);
    tpl(r, L(r, "<p>Test of heterogeneity (Cochran's Q: is the effect the same in every "
                "subgroup?): Q = {}, df = {}, p = {}. {}</p>\n",
             "<p>Toets op heterogeniteit (Cochrans Q: is het effect in elke subgroep gelijk?): "
             "Q = {}, df = {}, p = {}. {}</p>\n"),
        q, df, p,
        g->het.p < 0.05 ? L(r, "The effect differs between the subgroups (p below 0.05).",
                            "Het effect verschilt tussen de subgroepen (p onder 0,05).")
                        : L(r, "No evidence that the effect differs between the subgroups.",
                            "Geen aanwijzing dat het effect tussen de subgroepen verschilt."));
}

static void subgroups_section(const rep *r)
{
    const mkba_ap_subgroups *s = r->a->subgroups;
    if (!s || s->n == 0)
        return;
    section(r, "subgroups", L(r, "Effects per subgroup", "Effecten per subgroep"));
    tpl(r, "<p class=\"note\">{}</p>\n",
        L(r, "The same effect estimated within each subgroup (the outcome's method on the "
             "persons of that level only), with its 95% confidence interval.",
          "Hetzelfde effect geschat binnen elke subgroep (de methode van de uitkomst op alleen "
          "de personen van dat niveau), met het 95%-betrouwbaarheidsinterval."));
    for (size_t i = 0; i < s->n; i++)
        subgroup_table(r, &s->v[i]);
    put(r, "</section>\n");
}

static void balance_tables(const rep *r)
{
    const mkba_appraisal *a = r->a;
    section(r, "balance", L(r, "Balance per stakeholder", "Saldo per belanghebbende"));
    tpl(r, "<p class=\"note\">{}</p>\n",
        L(r, "Present values against the reference alternative. Benefit-cost ratio: present "
             "value of the benefits divided by that of the costs (n/a without costs).",
          "Contante waarden ten opzichte van het nulalternatief. Baten-kostenverhouding: de "
          "contante waarde van de baten gedeeld door die van de kosten (n.v.t. zonder "
          "kosten)."));
    for (size_t s = 1; s < a->n_scenarios; s++) {
        tpl(r, "<h3>{}</h3>\n<table>\n<tr>", scen_label(r, s));
        th(r, L(r, "Stakeholder", "Belanghebbende"), 0);
        th(r, L(r, "Benefits", "Baten"), 1);
        th(r, L(r, "Costs", "Kosten"), 1);
        th(r, L(r, "Balance (NPV)", "Saldo (NCW)"), 1);
        th(r, L(r, "Benefit-cost ratio", "Baten/kosten"), 1);
        put(r, "</tr>\n");
        for (size_t k = 0; k <= a->n_stakeholders; k++) {
            const mkba_balance *b = &a->balance[mkba_ap_bidx(a, s, k)];
            put(r, k == a->n_stakeholders ? "<tr class=\"total\">" : "<tr>");
            td(r, holder_label(r, k));
            td_money(r, b->pv_benefits);
            td_money(r, b->pv_costs);
            td_money(r, b->npv);
            td_ratio(r, b->bcr);
            put(r, "</tr>\n");
        }
        put(r, "</table>\n");
    }
    put(r, "</section>\n");
}

static void items_table(const rep *r)
{
    const mkba_appraisal *a = r->a;
    section(r, "items",
            L(r, "Items: costs, benefits and transfers", "Posten: kosten, baten en overdrachten"));
    if (a->n_items == 0) {
        tpl(r, "<p>{}</p>\n</section>\n", L(r, "The model has no items.",
                                            "Het model heeft geen posten."));
        return;
    }
    tpl(r, "<p class=\"note\">{}</p>\n",
        L(r, "Present value of each item against the reference alternative, per project "
             "alternative. A transfer moves money from the second stakeholder to the first: a "
             "gain for one, a loss for the other.",
          "Contante waarde van elke post ten opzichte van het nulalternatief, per "
          "projectalternatief. Een overdracht verplaatst geld van de tweede belanghebbende "
          "naar de eerste: winst voor de een, verlies voor de ander."));
    put(r, "<table>\n<tr>");
    th(r, L(r, "Item", "Post"), 0);
    th(r, L(r, "Kind", "Soort"), 0);
    th(r, L(r, "Stakeholder", "Belanghebbende"), 0);
    th(r, L(r, "Domain", "Domein"), 0);
    for (size_t s = 1; s < a->n_scenarios; s++)
        th(r, scen_label(r, s), 1);
    put(r, "</tr>\n");
    for (size_t i = 0; i < a->n_items; i++) {
        const mkba_ap_item *it = &a->items[i];
        put(r, "<tr>");
        td(r, mkba_fmt_item_label(a, i, r->nl));
        td(r, kind_text(r, it->kind));
        if (it->kind == MKBA_ITEM_TRANSFER)
            tpl(r, L(r, "<td>{} (a transfer from {})</td>", "<td>{} (overdracht van {})</td>"),
                holder_label(r, it->stakeholder), holder_label(r, it->loser));
        else
            td(r, holder_label(r, it->stakeholder));
        td(r, domain_text(r, it->domain));
        for (size_t s = 1; s < a->n_scenarios; s++)
            td_money(r, a->item_pv[s * a->n_items + i]);
        put(r, "</tr>\n");
    }
    put(r, "</table>\n</section>\n");
}

/* ============================ Monte Carlo ============================== */

static void mc_scenario(const rep *r, size_t s)
{
    const mkba_appraisal *a = r->a;
    const mkba_mc *mc = a->mc;
    tpl(r, "<h3>{}</h3>\n<table>\n<tr>", scen_label(r, s));
    th(r, L(r, "Balance (NPV) of", "Saldo (NCW) van"), 0);
    th(r, L(r, "Mean", "Gemiddelde"), 1);
    th(r, "P5", 1);
    th(r, L(r, "Median (P50)", "Mediaan (P50)"), 1);
    th(r, "P95", 1);
    th(r, L(r, "Chance > 0", "Kans > 0"), 1);
    put(r, "</tr>\n");
    for (size_t k = 0; k <= a->n_stakeholders; k++) {
        const mkba_stats *st = &mc->npv[mkba_mc_idx(mc, s, k)];
        put(r, k == a->n_stakeholders ? "<tr class=\"total\">" : "<tr>");
        td(r, holder_label(r, k));
        td_money(r, st->mean);
        td_money(r, st->p5);
        td_money(r, st->p50);
        td_money(r, st->p95);
        td_pct(r, st->p_positive);
        put(r, "</tr>\n");
    }
    put(r, "</table>\n");
    const mkba_stats *bcr = &mc->bcr[mkba_mc_idx(mc, s, a->n_stakeholders)];
    numbuf p5, p50, p95;
    ratio(r, p5, bcr->p5);
    ratio(r, p50, bcr->p50);
    ratio(r, p95, bcr->p95);
    if (bcr->n == 0) /* some draw has no ratio (summary.c): none over the draws */
        tpl(r, L(r, "<p>Benefit-cost ratio for society: {}.</p>\n",
                 "<p>Baten-kostenverhouding voor de samenleving: {}.</p>\n"),
            mkba_fmt_bcr_mc_na(r->nl));
    else
        tpl(r, L(r, "<p>Benefit-cost ratio for society: P5 {}, median {}, P95 {}.</p>\n",
                 "<p>Baten-kostenverhouding voor de samenleving: P5 {}, mediaan {}, P95 {}.</p>\n"),
            p5, p50, p95);
}

static void mc_inputs(const rep *r)
{
    const mkba_mc *mc = r->a->mc;
    if (mc->n_uncertain == 0)
        return;
    tpl(r, "<h3>{}</h3>\n<table>\n<tr>", L(r, "Uncertain inputs as drawn",
                                         "Onzekere invoer zoals getrokken"));
    th(r, L(r, "Input", "Invoer"), 0);
    th(r, L(r, "Mean", "Gemiddelde"), 1);
    th(r, "P5", 1);
    th(r, "P95", 1);
    put(r, "</tr>\n");
    for (size_t i = 0; i < mc->n_uncertain; i++) {
        const mkba_stats *st = &mc->uncertain[i];
        put(r, "<tr>");
        td(r, input_label(r, mc->uncertain_names[i]));
        td_value(r, st->mean);
        td_value(r, st->p5);
        td_value(r, st->p95);
        put(r, "</tr>\n");
    }
    put(r, "</table>\n");
}

static void monte_carlo(const rep *r)
{
    const mkba_appraisal *a = r->a;
    const mkba_mc *mc = a->mc;
    if (!mc)
        return;
    numbuf draws, boot;
    char seed[32];
    count(r, draws, mc->draws);
    count(r, boot, mc->n_boot);
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)mc->seed);
    section(r, "uncertainty", L(r, "Uncertainty (Monte Carlo)", "Onzekerheid (Monte Carlo)"));
    tpl(r, L(r, "<p class=\"note\">{} draws of every uncertain input (seed {}); ",
             "<p class=\"note\">{} trekkingen van alle onzekere invoer (seed {}); "),
        draws, seed);
    if (mc->n_boot)
        tpl(r, L(r, "the effects from {} bootstrap samples of the cohort; ",
                 "de effecten uit {} bootstrapsteekproeven van het cohort; "),
            boot);
    tpl(r, "{}</p>\n",
        L(r, "every scenario sees the same draws. P5 and P95: 5% of the outcomes are lower, "
             "5% higher.",
          "elk scenario krijgt dezelfde trekkingen. P5 en P95: 5% van de uitkomsten is lager, "
          "5% hoger."));
    for (size_t s = 1; s < a->n_scenarios && s < mc->n_scenarios; s++)
        mc_scenario(r, s);
    mc_inputs(r);
    if (mc->n_nonfinite) {
        numbuf n;
        count(r, n, mc->n_nonfinite);
        tpl(r, L(r, "<p class=\"note\">{} draws gave a result that is not a number (e.g. a "
                    "division by zero) and are left out.</p>\n",
                 "<p class=\"note\">{} trekkingen gaven een uitkomst die geen getal is (bijv. "
                 "een deling door nul) en zijn weggelaten.</p>\n"),
            n);
    }
    put(r, "</section>\n");
}

/* ============================ sensitivity ============================== */

static void switching_cell(const rep *r, const mkba_sens *s, size_t i, size_t sc)
{
    switch (s->switch_status[i * s->n_scenarios + sc]) {
    case MKBA_SWITCH_FOUND:
        td_value(r, s->switching[i * s->n_scenarios + sc]);
        return;
    case MKBA_SWITCH_FLAT:
        td(r, L(r, "no effect on the balance", "geen invloed op het saldo"));
        return;
    case MKBA_SWITCH_NONE:
        break;
    }
    numbuf lo, hi;
    value(r, lo, s->inputs[i].range_lo);
    value(r, hi, s->inputs[i].range_hi);
    tpl(r, L(r, "<td>none between {} and {}</td>", "<td>niet tussen {} en {}</td>"), lo, hi);
}

static void tornado(const rep *r, size_t sc)
{
    const mkba_appraisal *a = r->a;
    const mkba_sens *s = a->sens;
    size_t K = s->n_stakeholders;
    numbuf base;
    money(r, base, s->npv_base[sc * (K + 1) + K]);
    tpl(r, L(r, "<h3>{}</h3>\n<p>Balance for society in the base case: {}.</p>\n",
             "<h3>{}</h3>\n<p>Saldo voor de samenleving in het basisgeval: {}.</p>\n"),
        scen_label(r, sc), base);
    put(r, "<table>\n<tr>");
    th(r, L(r, "Input (largest swing first)", "Invoer (grootste uitslag eerst)"), 0);
    th(r, "P10", 1);
    th(r, "P90", 1);
    th(r, L(r, "Balance at P10", "Saldo bij P10"), 1);
    th(r, L(r, "Balance at P90", "Saldo bij P90"), 1);
    th(r, L(r, "Swing", "Uitslag"), 1);
    th(r, L(r, "Switching value (balance 0)", "Omslagpunt (saldo 0)"), 1);
    put(r, "</tr>\n");
    for (size_t k = 0; k < s->n_inputs; k++) {
        size_t i = s->order[sc * s->n_inputs + k];
        double lo = s->npv_lo[mkba_sens_idx(s, i, sc, K)];
        double hi = s->npv_hi[mkba_sens_idx(s, i, sc, K)];
        put(r, "<tr>");
        const char *label = input_label(r, s->inputs[i].name);
        td_named(r, label == s->inputs[i].name ? NULL : label, s->inputs[i].name);
        td_value(r, s->inputs[i].lo);
        td_value(r, s->inputs[i].hi);
        td_money(r, lo);
        td_money(r, hi);
        td_money(r, fabs(hi - lo));
        switching_cell(r, s, i, sc);
        put(r, "</tr>\n");
    }
    put(r, "</table>\n");
}

static void twoway(const rep *r)
{
    const mkba_appraisal *a = r->a;
    const mkba_sens *s = a->sens;
    size_t n = s->grid_steps;
    if (!n)
        return;
    const char *na = input_label(r, s->inputs[s->grid_a].name);
    const char *nb = input_label(r, s->inputs[s->grid_b].name);
    for (size_t sc = 1; sc < s->n_scenarios && sc < a->n_scenarios; sc++) {
        tpl(r, L(r, "<h3>Two inputs together: {}</h3>\n<p class=\"note\">Balance for society; "
                    "rows: {}, columns: {}.</p>\n",
                 "<h3>Twee invoeren samen: {}</h3>\n<p class=\"note\">Saldo voor de "
                 "samenleving; rijen: {}, kolommen: {}.</p>\n"),
            scen_label(r, sc), na, nb);
        put(r, "<table>\n<tr><th></th>");
        for (size_t j = 0; j < n; j++) {
            numbuf v;
            value(r, v, s->grid_b_values[j]);
            th(r, v, 1);
        }
        put(r, "</tr>\n");
        for (size_t i = 0; i < n; i++) {
            numbuf v;
            value(r, v, s->grid_a_values[i]);
            tpl(r, "<tr><th class=\"n\">{}</th>", v);
            for (size_t j = 0; j < n; j++)
                td_money(r, s->grid[(sc * n + i) * n + j]);
            put(r, "</tr>\n");
        }
        put(r, "</table>\n");
    }
}

static void sobol(const rep *r)
{
    const mkba_appraisal *a = r->a;
    const mkba_sens *s = a->sens;
    const mkba_sobol *so = s->sobol;
    if (!so)
        return;
    size_t K = s->n_stakeholders, d = so->d;
    for (size_t sc = 1; sc < s->n_scenarios && sc < a->n_scenarios; sc++) {
        size_t out = (sc - 1) * (K + 1) + K;
        tpl(r, L(r, "<h3>Share of the uncertainty per input: {}</h3>\n",
                 "<h3>Aandeel in de onzekerheid per invoer: {}</h3>\n"),
            scen_label(r, sc));
        put(r, "<table>\n<tr>");
        th(r, L(r, "Input", "Invoer"), 0);
        th(r, L(r, "First order", "Eerste orde"), 1);
        th(r, L(r, "95% CI", "95%-BI"), 1);
        th(r, L(r, "Total", "Totaal"), 1);
        th(r, L(r, "95% CI", "95%-BI"), 1);
        put(r, "</tr>\n");
        for (size_t k = 0; k < d && k < s->n_inputs; k++) {
            size_t i = s->order[sc * s->n_inputs + k];
            char ci[160];
            put(r, "<tr>");
            td(r, input_label(r, s->inputs[i].name));
            td_ratio(r, so->first[out * d + i]);
            interval(r, ci, sizeof ci, so->first_lo[out * d + i], so->first_hi[out * d + i]);
            tpl(r, "<td class=\"n\">{}</td>", ci);
            td_ratio(r, so->total[out * d + i]);
            interval(r, ci, sizeof ci, so->total_lo[out * d + i], so->total_hi[out * d + i]);
            tpl(r, "<td class=\"n\">{}</td>", ci);
            put(r, "</tr>\n");
        }
        put(r, "</table>\n");
    }
    tpl(r, "<p class=\"note\">{}{}</p>\n",
        L(r, "Sobol indices. First order: the share of the variance of society's balance due "
             "to the input alone; total: including its interactions with other inputs.",
          "Sobol-indices. Eerste orde: het deel van de variantie van het saldo voor de "
          "samenleving dat door de invoer alleen komt; totaal: inclusief de wisselwerking met "
          "andere invoer."),
        s->sobol_correlated ? L(r, " The indices treat the inputs as independent; the "
                                   "model's correlations are not used for them.",
                                " De indices behandelen de invoer als onafhankelijk; de "
                                "correlaties van het model worden hiervoor niet gebruikt.")
                            : "");
}

static void sensitivity(const rep *r)
{
    const mkba_appraisal *a = r->a;
    const mkba_sens *s = a->sens;
    if (!s)
        return;
    section(r, "sensitivity", L(r, "Sensitivity analysis", "Gevoeligheidsanalyse"));
    tpl(r, "<p class=\"note\">{}</p>\n",
        L(r, "Each uncertain input on its own at its P10 and its P90 (10% of its likely values "
             "are lower, 10% higher), the others at their base values (a tornado). Switching "
             "value: the value of the input at which society's balance is zero.",
          "Elke onzekere invoer afzonderlijk op zijn P10 en zijn P90 (10% van de "
          "waarschijnlijke waarden is lager, 10% hoger), de overige op hun basiswaarde (een "
          "tornado). Omslagpunt: de waarde van de invoer waarbij het saldo voor de samenleving "
          "nul is."));
    if (s->n_inputs == 0)
        tpl(r, "<p>{}</p>\n", L(r, "The model has no uncertain inputs.",
                                "Het model heeft geen onzekere invoer."));
    for (size_t sc = 1; s->n_inputs && sc < s->n_scenarios && sc < a->n_scenarios; sc++)
        tornado(r, sc);
    twoway(r);
    sobol(r);
    put(r, "</section>\n");
}

static void value_of_information(const rep *r)
{
    const mkba_appraisal *a = r->a;
    const mkba_mc *mc = a->mc;
    if (!has_voi(a))
        return;
    numbuf ev;
    money(r, ev, mc->evpi);
    section(r, "voi", L(r, "Value of information", "Waarde van informatie"));
    tpl(r, L(r, "<p>Best choice on average: <strong>{}</strong>. Expected value of perfect "
                "information (EVPI): <strong>{}</strong>, what it would be worth to society to "
                "remove all uncertainty before choosing.</p>\n",
             "<p>Gemiddeld beste keuze: <strong>{}</strong>. Verwachte waarde van perfecte "
             "informatie (EVPI): <strong>{}</strong>, wat het de samenleving waard zou zijn om "
             "alle onzekerheid weg te nemen voordat er gekozen wordt.</p>\n"),
        mc->best < a->n_scenarios ? scen_label(r, mc->best) : "", ev);
    size_t shown = 0, n = mc->n_uncertain + mc->n_outcomes;
    for (size_t k = 0; mc->evppi && k < n; k++) {
        if (!(mc->evppi[k] > 0.5) || mkba_ap_mc_input_withheld(a, k))
            continue; /* worth at least one currency unit, and shown */
        if (!shown++) {
            put(r, "<table>\n<tr>");
            th(r, L(r, "Input", "Invoer"), 0);
            th(r, L(r, "Value of studying it (EVPPI)", "Waarde van nader onderzoek (EVPPI)"),
               1);
            put(r, "</tr>\n");
        }
        const char *name = k < mc->n_uncertain ? input_label(r, mc->uncertain_names[k])
                           : k - mc->n_uncertain < a->n_effects
                               ? mkba_fmt_effect_label(&a->effects[k - mc->n_uncertain], r->nl)
                               : "";
        put(r, "<tr>");
        td(r, name);
        td_money(r, mc->evppi[k]);
        put(r, "</tr>\n");
    }
    if (shown)
        put(r, "</table>\n");
    else
        tpl(r, "<p>{}</p>\n", L(r, "No single input is worth studying further (each EVPPI is "
                                   "below one currency unit).",
                                "Geen enkele invoer afzonderlijk is nader onderzoek waard (elke "
                                "EVPPI is minder dan een munteenheid)."));
    put(r, "</section>\n");
}

/* ============================ charts =================================== */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Write n bytes as base64 (RFC 4648, with padding, no line breaks). */
static void base64(FILE *f, const unsigned char *p, size_t n)
{
    char out[4];
    for (size_t i = 0; i < n; i += 3) {
        unsigned long v = (unsigned long)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned long)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        out[0] = B64[(v >> 18) & 63];
        out[1] = B64[(v >> 12) & 63];
        out[2] = i + 1 < n ? B64[(v >> 6) & 63] : '=';
        out[3] = i + 2 < n ? B64[v & 63] : '=';
        fwrite(out, 1, 4, f);
    }
}

/* The whole content of 'path' (caller frees), or NULL with *err set. */
static unsigned char *slurp(const char *path, size_t *len, mkba_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        mkba_error_set(err, MKBA_EIO, path, 0, NULL, "cannot read: %s", strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = mkba_xmalloc(cap);
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        if ((long)cap >= MAX_SVG_BYTES) {
            fclose(f);
            free(buf);
            mkba_error_set(err, MKBA_EIO, path, 0, NULL, "cannot read: larger than %ld MiB",
                           MAX_SVG_BYTES >> 20);
            return NULL;
        }
        cap *= 2;
        buf = mkba_xrealloc(buf, cap);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        mkba_error_set(err, MKBA_EIO, path, 0, NULL, "cannot read: %s", strerror(EIO));
        return NULL;
    }
    *len = n;
    return buf;
}

static mkba_status embed_chart(const rep *r, const mkba_chart *c, const char *dir,
                               mkba_error *err);
static int ps_chart(const mkba_chart *c);

static mkba_status charts(const rep *r, mkba_error *err)
{
    const mkba_chart_set *set = r->o ? r->o->charts : NULL;
    size_t shown = 0;
    section(r, "charts", L(r, "Charts", "Grafieken"));
    for (size_t i = 0; set && set->src && !set->gnuplot_missing && i < set->n; i++) {
        const mkba_chart *c = &set->charts[i];
        if (!c->rendered || (r->a->ps && ps_chart(c))) /* those: under "Balance and overlap" */
            continue;
        mkba_status st = embed_chart(r, c, set->src, err);
        if (st)
            return st;
        shown++;
    }
    if (!shown) {
        const char *why =
            r->o && r->o->charts_skipped
                ? L(r, "No charts: they were switched off (--no-charts).",
                    "Geen grafieken: ze zijn uitgezet (--no-charts).")
            : set && set->gnuplot_missing
                ? L(r, "No charts: gnuplot is not installed (Debian: apt-get install gnuplot-nox).",
                    "Geen grafieken: gnuplot is niet geïnstalleerd (Debian: apt-get install "
                    "gnuplot-nox).")
                : L(r, "No charts were made for this report.",
                    "Voor dit rapport zijn geen grafieken gemaakt.");
        tpl(r, "<p class=\"note\">{}</p>\n", why);
    }
    put(r, "</section>\n");
    return MKBA_OK;
}

/* ======================= balance and overlap =========================== */

/* A chart of the set, embedded as an <img> with its caption (nothing when
 * it was not rendered). */
static mkba_status embed_chart(const rep *r, const mkba_chart *c, const char *dir,
                               mkba_error *err)
{
    size_t len = 0;
    char *path = mkba_xasprintf("%s/%s.svg", dir, c->name);
    unsigned char *svg = slurp(path, &len, err);
    free(path);
    if (!svg)
        return err ? err->code : MKBA_EIO;
    const char *t = text_or(c->title, c->name);
    tpl(r, "<figure>\n<img alt=\"{}\" src=\"data:image/svg+xml;base64,", t);
    base64(r->f, svg, len);
    tpl(r, "\">\n<figcaption>{}</figcaption>\n</figure>\n", t);
    free(svg);
    return MKBA_OK;
}

/* Charts shown in the section "Balance and overlap", not again under
 * "Charts". */
static int ps_chart(const mkba_chart *c)
{
    return strcmp(c->name, "balance") == 0 || strcmp(c->name, "overlap") == 0;
}

/* A count of the propensity block: withheld by mkba_ap_ps_counts_withheld. */
static void ps_count(const rep *r, numbuf b, size_t n)
{
    withheld_count(r, b, n, n > 0 && mkba_ap_ps_counts_withheld(r->a));
}

static void ps_ess(const rep *r, numbuf b, double ess)
{
    if (mkba_ap_ps_fit_withheld(r->a)) /* with the counts too */
        snprintf(b, sizeof(numbuf), "x");
    else
        mkba_fmt_number(b, sizeof(numbuf), ess, 1, r->nl);
}

/* The sample: estimand, persons used and left out, effective sizes. */
static void ps_sample(const rep *r)
{
    const mkba_ps_diag *d = r->a->ps;
    numbuf np, nc, nm, tp, tc, ep, ec, it;
    ps_count(r, np, d->n[1]);
    ps_count(r, nc, d->n[0]);
    ps_count(r, nm, d->n_missing);
    ps_count(r, tp, d->n_trimmed[1]);
    ps_count(r, tc, d->n_trimmed[0]);
    ps_ess(r, ep, d->ess[1]);
    ps_ess(r, ec, d->ess[0]);
    snprintf(it, sizeof it, "%d", d->iterations);
    tpl(r, "<p>{}</p>\n",
        d->estimand == MKBA_ESTIMAND_ATE
            ? L(r, "Estimand: the average effect on everyone in the cohort (ATE).",
                "Schattingsdoel: het gemiddelde effect op iedereen in het cohort (ATE).")
            : L(r, "Estimand: the average effect on the pilot's participants (ATT).",
                "Schattingsdoel: het gemiddelde effect op de deelnemers aan de pilot (ATT)."));
    put(r, "<table>\n<tr>");
    th(r, "", 0);
    th(r, L(r, "Pilot", "Pilot"), 1);
    th(r, L(r, "Control", "Controle"), 1);
    put(r, "</tr>\n");
    tpl(r, "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
        L(r, "Persons in the propensity model", "Personen in het propensitymodel"), np, nc);
    tpl(r, "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
        L(r, "Left out by trimming", "Weggelaten door afkappen"), tp, tc);
    tpl(r, "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
        L(r, "Effective sample size after weighting", "Effectieve steekproefomvang na weging"),
        ep, ec);
    put(r, "</table>\n");
    tpl(r, L(r, "<p class=\"note\">Left out for a missing covariate: {}. Iterations of the fit "
                "(IRLS): {}.</p>\n",
             "<p class=\"note\">Weggelaten wegens een ontbrekende covariaat: {}. Iteraties van "
             "de schatting (IRLS): {}.</p>\n"),
        nm, it);
    if (mkba_ap_ps_counts_withheld(r->a)) {
        char n[32];
        snprintf(n, sizeof n, "%zu", r->a->min_group);
        tpl(r, L(r, "<p class=\"note\">Counts below {} are suppressed (shown as &lt;{}); x: "
                    "withheld too, so that a suppressed count cannot be worked out from the "
                    "others.</p>\n",
                 "<p class=\"note\">Aantallen kleiner dan {} zijn onderdrukt (weergegeven als "
                 "&lt;{}); x: ook weggelaten, zodat een onderdrukt aantal niet uit de andere "
                 "volgt.</p>\n"),
            n, n);
    }
}

/* The verdict: all balanced, or which covariates are not. */
static void ps_verdict(const rep *r)
{
    const mkba_ps_diag *d = r->a->ps;
    size_t bad = 0, hidden = 0;
    for (size_t j = 1; j < d->n_coef; j++) {
        bad += (size_t)mkba_ap_ps_imbalanced(r->a, j);
        hidden += (size_t)mkba_ap_ps_column_withheld(r->a, j);
    }
    if (bad == 0) {
        tpl(r, "<p><strong>{}</strong></p>\n",
            hidden ? L(r, "All shown covariates are balanced after weighting (|SMD| < 0.1).",
                       "Alle getoonde covariaten zijn in balans na weging (|SMD| < 0,1).")
                   : L(r, "All covariates are balanced after weighting (|SMD| < 0.1).",
                       "Alle covariaten zijn in balans na weging (|SMD| < 0,1)."));
        return;
    }
    numbuf n;
    count(r, n, bad);
    tpl(r, "<p class=\"neg\"><strong>{} {}</strong> ", n,
        bad == 1 ? L(r, "covariate remains imbalanced after weighting (|SMD| > 0.1):",
                     "covariaat blijft uit balans na weging (|SMD| > 0,1):")
                 : L(r, "covariates remain imbalanced after weighting (|SMD| > 0.1):",
                     "covariaten blijven uit balans na weging (|SMD| > 0,1):"));
    for (size_t j = 1, k = 0; j < d->n_coef; j++)
        if (mkba_ap_ps_imbalanced(r->a, j))
            tpl(r, "{h}<code>{}</code>", k++ ? ", " : "", d->name[j]);
    put(r, ".</p>\n");
}

/* A cell of column j: 'x' formatted with 'dec' decimals (dec < 0: about 4
 * significant digits), or "x" when the column is withheld. */
static void td_col(const rep *r, const double *x, size_t j, int dec)
{
    numbuf b;
    if (mkba_ap_ps_column_withheld(r->a, j))
        snprintf(b, sizeof b, "x");
    else if (dec < 0)
        value(r, b, x[j]);
    else
        mkba_fmt_number(b, sizeof b, x[j], dec, r->nl);
    td_num(r, b, 0);
}

/* A coefficient or SE: "x" where withheld with its column or the fit. */
static void td_coef(const rep *r, const double *x, size_t j)
{
    numbuf b;
    if (mkba_ap_ps_coef_withheld(r->a, j))
        snprintf(b, sizeof b, "x");
    else
        value(r, b, x[j]);
    td_num(r, b, 0);
}

static void ps_tables(const rep *r)
{
    const mkba_ps_diag *d = r->a->ps;
    int hidden = 0;
    tpl(r, "<h3>{}</h3>\n<table>\n<tr>", L(r, "Balance", "Balans"));
    th(r, L(r, "Covariate", "Covariaat"), 0);
    th(r, L(r, "SMD before weighting", "SMD voor weging"), 1);
    th(r, L(r, "SMD after weighting", "SMD na weging"), 1);
    th(r, "", 0);
    put(r, "</tr>\n");
    for (size_t j = 1; j < d->n_coef; j++) {
        tpl(r, "<tr><td><code>{}</code></td>", d->name[j]);
        td_col(r, d->smd_before, j, 3);
        td_col(r, d->smd_after, j, 3);
        tpl(r, "<td class=\"neg\">{}</td></tr>\n",
            mkba_ap_ps_imbalanced(r->a, j) ? L(r, "imbalanced", "uit balans") : "");
        hidden |= mkba_ap_ps_column_withheld(r->a, j);
    }
    put(r, "</table>\n");
    tpl(r, "<p class=\"note\">{}</p>\n",
        L(r, "SMD: the standardised mean difference, pilot minus control, over the standard "
             "deviation before weighting; above 0.1 in size counts as imbalanced.",
          "SMD: het gestandaardiseerde verschil in gemiddelden, pilot min controle, gedeeld "
          "door de standaardafwijking voor weging; groter dan 0,1 geldt als uit balans."));
    tpl(r, "<h3>{}</h3>\n<table>\n<tr>",
        L(r, "Propensity model (logistic regression)", "Propensitymodel (logistische regressie)"));
    th(r, L(r, "Term", "Term"), 0);
    th(r, L(r, "Coefficient (log-odds)", "Coëfficiënt (log-odds)"), 1);
    th(r, L(r, "Standard error", "Standaardfout"), 1);
    put(r, "</tr>\n");
    for (size_t j = 0; j < d->n_coef; j++) {
        tpl(r, "<tr><td><code>{}</code></td>", d->name[j]);
        td_coef(r, d->coef, j);
        td_coef(r, d->se, j);
        put(r, "</tr>\n");
    }
    put(r, "</table>\n");
    if (hidden) {
        char n[32];
        snprintf(n, sizeof n, "%zu", r->a->min_group);
        tpl(r, L(r, "<p class=\"note\">x: withheld to protect privacy: a 0/1 covariate with "
                    "fewer than {} persons on one side, and with it every coefficient and the "
                    "effective sample sizes, which would give its count back.</p>\n",
                 "<p class=\"note\">x: weggelaten om de privacy te beschermen: een 0/1-covariaat "
                 "met minder dan {} personen aan één kant, en daarmee alle coëfficiënten en de "
                 "effectieve steekproefomvang, waaruit dat aantal terug te rekenen is.</p>\n"),
            n);
    }
}

/* "Balance and overlap": how well the propensity weighting makes the groups
 * comparable (only with a propensity model). */
static mkba_status balance_overlap(const rep *r, mkba_error *err)
{
    const mkba_appraisal *a = r->a;
    if (!a->ps)
        return MKBA_OK;
    section(r, "ps", L(r, "Balance and overlap", "Balans en overlap"));
    if (mkba_ap_ps_withheld(a)) {
        char n[32];
        snprintf(n, sizeof n, "%zu", a->min_group);
        tpl(r, L(r, "<p class=\"note\">Withheld to protect privacy: a group of the propensity "
                    "model has fewer than {} persons.</p>\n</section>\n",
                 "<p class=\"note\">Weggelaten om de privacy te beschermen: een groep in het "
                 "propensitymodel telt minder dan {} personen.</p>\n</section>\n"),
            n);
        return MKBA_OK;
    }
    ps_verdict(r);
    ps_sample(r);
    ps_tables(r);
    const mkba_chart_set *set = r->o ? r->o->charts : NULL;
    for (size_t i = 0; set && set->src && !set->gnuplot_missing && i < set->n; i++) {
        if (!set->charts[i].rendered || !ps_chart(&set->charts[i]))
            continue;
        mkba_status st = embed_chart(r, &set->charts[i], set->src, err);
        if (st)
            return st;
    }
    put(r, "</section>\n");
    return MKBA_OK;
}

/* ============================ assumptions ============================== */

/* Whether 'text' is a plain number (then there is no formula to show). */
static int plain_number(const char *text)
{
    char *end;
    if (!text || !*text)
        return 0;
    (void)strtod(text, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    return end != text && *end == '\0';
}

static void source_cell(const rep *r, const char *source)
{
    if (source && *source)
        td(r, source);
    else
        tpl(r, "<td class=\"small\">{}</td>", L(r, "no source given", "geen bron opgegeven"));
}

/* Parameter p's value in scenario s, or "x" when it is derived from a
 * withheld count or mean (appraisal.h, disclosure control). */
static void param_value(const rep *r, numbuf b, const mkba_ap_param *p, size_t s)
{
    if (mkba_ap_param_withheld(p, s))
        snprintf(b, sizeof(numbuf), "x");
    else
        value(r, b, p->base[s]);
}

/* One parameter's value: the value in the reference (or first scenario
 * that has it), its formula when it is not a plain number, the unit, and
 * the scenarios where it differs. */
static void param_value_cell(const rep *r, const mkba_ap_param *p)
{
    const mkba_appraisal *a = r->a;
    size_t first = 0;
    while (first < a->n_scenarios && isnan(p->base[first]))
        first++;
    put(r, "<td>");
    if (first == a->n_scenarios) {
        tpl(r, "{}", mkba_fmt_na(r->nl));
    } else {
        numbuf v;
        param_value(r, v, p, first);
        tpl(r, "<strong>{}</strong>", v);
        if (p->unit && *p->unit)
            tpl(r, " {}", p->unit);
        const char *f = p->scen_value[first];
        if (f && *f && !plain_number(f))
            tpl(r, "<br><span class=\"small\">= <code>{}</code></span>", f);
        if (first > 0)
            tpl(r, "<br><span class=\"small\">({})</span>", scen_label(r, first));
        for (size_t s = first + 1; s < a->n_scenarios; s++) {
            const char *g = p->scen_value[s] ? p->scen_value[s] : "";
            int same_value = p->base[s] == p->base[first] ||
                             (isnan(p->base[s]) && isnan(p->base[first]));
            if (same_value && strcmp(g, f ? f : "") == 0 &&
                mkba_ap_param_withheld(p, s) == mkba_ap_param_withheld(p, first))
                continue;
            param_value(r, v, p, s);
            tpl(r, "<br><span class=\"small\">{}: {}", scen_label(r, s), v);
            if (*g && !plain_number(g))
                tpl(r, " = <code>{}</code>", g);
            put(r, "</span>");
        }
    }
    put(r, "</td>");
}

static void params_table(const rep *r)
{
    const mkba_appraisal *a = r->a;
    if (a->n_params == 0)
        return;
    tpl(r, "<h3>{}</h3>\n<table>\n<tr>", L(r, "Parameters", "Parameters"));
    th(r, L(r, "Parameter", "Parameter"), 0);
    th(r, L(r, "Value (reference alternative)", "Waarde (nulalternatief)"), 0);
    th(r, L(r, "Uncertainty (distribution)", "Onzekerheid (verdeling)"), 0);
    th(r, L(r, "Source", "Bron"), 0);
    put(r, "</tr>\n");
    int withheld = 0; /* a value shown as "x" */
    for (size_t i = 0; i < a->n_params; i++) {
        const mkba_ap_param *p = &a->params[i];
        put(r, "<tr>");
        td_named(r, mkba_fmt_label_lang(p->label, p->label_nl, "", r->nl), p->name);
        param_value_cell(r, p);
        if (p->distribution && *p->distribution)
            tpl(r, "<td><code>{}</code></td>", p->distribution);
        else
            tpl(r, "<td class=\"small\">{}</td>", L(r, "fixed", "vast"));
        source_cell(r, p->source);
        put(r, "</tr>\n");
        for (size_t k = 0; k < a->n_scenarios; k++)
            withheld |= mkba_ap_param_withheld(p, k);
    }
    put(r, "</table>\n");
    if (withheld)
        tpl(r, "<p class=\"note\">{}</p>\n",
            L(r, "x: computed from a suppressed count or group mean, and so withheld too, to "
                 "protect the privacy of the persons in the cohort.",
              "x: berekend uit een onderdrukt aantal of groepsgemiddelde, en daarom ook "
              "weggelaten, om de privacy van de personen in het cohort te beschermen."));
}

/* Whether any parameter or item is rebased from another year's prices. */
static int any_rebased(const mkba_appraisal *a)
{
    for (size_t i = 0; i < a->n_params; i++)
        if (a->params[i].price_year)
            return 1;
    for (size_t i = 0; i < a->n_items; i++)
        if (a->items[i].price_year)
            return 1;
    return 0;
}

/* One rebased amount: what it is, its price year, the factor, and (for a
 * parameter) the value as written and as rebased, in the reference or the
 * first scenario that has it. */
static void price_row(const rep *r, const char *label, const char *name, int year,
                      double factor, const mkba_ap_param *p)
{
    char y[16];
    numbuf f, was, now;
    snprintf(y, sizeof y, "%d", year);
    mkba_report_fmt_number(f, sizeof(numbuf), factor, 4, r->nl);
    put(r, "<tr>");
    td_named(r, label, name);
    tpl(r, "<td class=\"n\">{}</td><td class=\"n\">{}</td>", y, f);
    size_t s = 0;
    while (p && s < r->a->n_scenarios && isnan(p->base[s]))
        s++;
    if (!p || s == r->a->n_scenarios) {
        tpl(r, "<td colspan=\"2\" class=\"small\">{}</td></tr>\n",
            L(r, "each year's flow (quantity x price)",
              "de stroom van elk jaar (hoeveelheid x prijs)"));
        return;
    }
    param_value(r, now, p, s);
    if (mkba_ap_param_withheld(p, s))
        snprintf(was, sizeof(numbuf), "x");
    else
        value(r, was, mkba_ap_param_original(p, s));
    tpl(r, "<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n", was, now);
}

/* The amounts written in another year's prices ([prices], price_year) and
 * how they were rebased to the model's price year. */
static void prices_table(const rep *r)
{
    const mkba_appraisal *a = r->a;
    if (!a->price_index || !any_rebased(a))
        return;
    char py[16];
    numbuf ix;
    snprintf(py, sizeof py, "%d", a->price_year);
    mkba_report_fmt_number(ix, sizeof(numbuf), a->price_index_at, 2, r->nl);
    tpl(r, "<h3>{}</h3>\n", L(r, "Price indexing", "Prijsindexering"));
    tpl(r, L(r, "<p class=\"small\">Amounts written in another year's prices are rebased to "
                "{} prices: times index[{}] / index[price year], with the index in <code>{}"
                "</code> ({} in {}).</p>\n",
             "<p class=\"small\">Bedragen in het prijspeil van een ander jaar zijn omgerekend "
             "naar prijspeil {}: maal index[{}] / index[prijsjaar], met de index in <code>{}"
             "</code> ({} in {}).</p>\n"),
        py, py, a->price_index, ix, py);
    put(r, "<table>\n<tr>");
    th(r, L(r, "Amount", "Bedrag"), 0);
    th(r, L(r, "Price year", "Prijsjaar"), 1);
    th(r, L(r, "Factor", "Factor"), 1);
    th(r, L(r, "As written", "Zoals opgegeven"), 1);
    char head[64];
    snprintf(head, sizeof head, L(r, "In %d prices", "Prijspeil %d"), a->price_year);
    th(r, head, 1);
    put(r, "</tr>\n");
    for (size_t i = 0; i < a->n_params; i++)
        if (a->params[i].price_year)
            price_row(r, mkba_fmt_label_lang(a->params[i].label, a->params[i].label_nl, "", r->nl),
                      a->params[i].name, a->params[i].price_year,
                      a->params[i].price_factor, &a->params[i]);
    for (size_t i = 0; i < a->n_items; i++)
        if (a->items[i].price_year)
            price_row(r, mkba_fmt_label_lang(a->items[i].label, a->items[i].label_nl, "", r->nl),
                      a->items[i].name, a->items[i].price_year,
                      a->items[i].price_factor, NULL);
    put(r, "</table>\n");
}

static void effect_sources(const rep *r)
{
    const mkba_appraisal *a = r->a;
    if (a->n_effects == 0)
        return;
    tpl(r, "<h3>{}</h3>\n<table>\n<tr>", L(r, "Effects", "Effecten"));
    th(r, L(r, "Effect", "Effect"), 0);
    th(r, L(r, "Source", "Bron"), 0);
    put(r, "</tr>\n");
    for (size_t i = 0; i < a->n_effects; i++) {
        const mkba_ap_effect *x = &a->effects[i];
        tpl(r, "<tr><td>{}</td>", mkba_fmt_effect_label(x, r->nl));
        if (x->e.method != MKBA_EST_GIVEN && !(x->source && *x->source))
            tpl(r, L(r, "<td>estimated from the cohort ({})</td>",
                     "<td>geschat uit het cohort ({})</td>"),
                method_text(r, x->e.method));
        else
            source_cell(r, x->source);
        put(r, "</tr>\n");
    }
    put(r, "</table>\n");
}

static void item_sources(const rep *r)
{
    const mkba_appraisal *a = r->a;
    if (a->n_items == 0)
        return;
    tpl(r, "<h3>{}</h3>\n<table>\n<tr>", L(r, "Items", "Posten"));
    th(r, L(r, "Item", "Post"), 0);
    th(r, L(r, "Kind", "Soort"), 0);
    th(r, L(r, "Source", "Bron"), 0);
    put(r, "</tr>\n");
    for (size_t i = 0; i < a->n_items; i++) {
        const mkba_ap_item *it = &a->items[i];
        put(r, "<tr>");
        td_named(r, mkba_fmt_label_lang(it->label, it->label_nl, "", r->nl), it->name);
        td(r, kind_text(r, it->kind));
        source_cell(r, it->source);
        put(r, "</tr>\n");
    }
    put(r, "</table>\n");
}

static void assumptions(const rep *r)
{
    const mkba_appraisal *a = r->a;
    section(r, "assumptions", L(r, "Assumptions and sources", "Aannames en bronnen"));
    char py[32], fy[32], hz[32];
    snprintf(py, sizeof py, "%d", a->price_year);
    snprintf(fy, sizeof fy, "%d", a->first_year);
    snprintf(hz, sizeof hz, "%zu", a->horizon);
    tpl(r, L(r, "<p>Prices of {}; year 1 is {}; a horizon of {} years; discounting {}.</p>\n",
             "<p>Prijspeil {}; jaar 1 is {}; een horizon van {} jaar; contant maken {}.</p>\n"),
        py, fy, hz, timing_text(r));
    put(r, "<table>\n<tr>");
    th(r, L(r, "Scenario", "Scenario"), 0);
    th(r, L(r, "Role", "Rol"), 0);
    th(r, L(r, "Discount rate", "Discontovoet"), 1);
    put(r, "</tr>\n");
    for (size_t s = 0; s < a->n_scenarios; s++) {
        char rate[160];
        rate_text(r, rate, sizeof rate, s);
        put(r, "<tr>");
        td(r, scen_label(r, s));
        td(r, s == 0 ? L(r, "reference alternative", "nulalternatief")
                     : L(r, "project alternative", "projectalternatief"));
        tpl(r, "<td class=\"n\">{}</td></tr>\n", rate);
    }
    put(r, "</table>\n");
    params_table(r);
    prices_table(r);
    effect_sources(r);
    item_sources(r);
    put(r, "</section>\n");
}

/* ============================ provenance =============================== */

/* A file read: as given, its canonical path (when known and different),
 * and the SHA-256 of its bytes as read (when known). */
static void prov_file(const rep *r, const char *key, const char *file, const char *path,
                      const char *sha)
{
    tpl(r, "<tr><th>{}</th><td><code>{}</code>", key, file ? file : "");
    if (path && *path && (!file || strcmp(path, file) != 0))
        tpl(r, "<br><span class=\"small\">{} <code>{}</code></span>",
            L(r, "Path", "Pad"), path);
    if (sha && *sha)
        tpl(r, "<br><span class=\"small\">SHA-256 <code>{}</code></span>", sha);
    put(r, "</td></tr>\n");
}

/* The cohort's files, each with its path and SHA-256. */
static void prov_cohort(const rep *r)
{
    const mkba_appraisal *a = r->a;
    if (a->n_cohort_files == 0) {
        tpl(r, "<tr><th>{}</th><td><code>{}</code></td></tr>\n",
            L(r, "Cohort files", "Cohortbestanden"), L(r, "none", "geen"));
        return;
    }
    for (size_t i = 0; i < a->n_cohort_files; i++)
        prov_file(r, L(r, "Cohort file", "Cohortbestand"), a->cohort_files[i],
                  a->cohort_paths ? a->cohort_paths[i] : NULL,
                  a->cohort_sha256 ? a->cohort_sha256[i] : NULL);
}

/* The Sobol analysis: its base sample size and seed reproduce it. */
static void prov_sobol(const rep *r)
{
    const mkba_sobol *so = r->a->sens ? r->a->sens->sobol : NULL;
    if (!so)
        return;
    numbuf e, n;
    char seed[32];
    count(r, e, so->evaluations);
    count(r, n, so->n);
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)so->seed);
    tpl(r, L(r, "<tr><th>Sobol indices</th><td>{} model evaluations (base sample {}, "
                "seed {})</td></tr>\n",
             "<tr><th>Sobol-indices</th><td>{} modelberekeningen (basissteekproef {}, "
             "seed {})</td></tr>\n"),
        e, n, seed);
}

static void provenance(const rep *r)
{
    const mkba_appraisal *a = r->a;
    section(r, "provenance", L(r, "Provenance", "Herkomst"));
    put(r, "<table>\n");
    char build[160];
    tpl(r, "<tr><th>{}</th><td>mkba {}</td></tr>\n", L(r, "Program", "Programma"),
        mkba_build_format(a->version, a->commit, build, sizeof build));
    tpl(r, "<tr><th>{}</th><td>{}</td></tr>\n", L(r, "Run date (UTC)", "Datum berekening (UTC)"),
        a->run_date);
    tpl(r, "<tr><th>{}</th><td>{}</td></tr>\n", L(r, "Model", "Model"),
        mkba_fmt_model_name(a, r->nl));
    prov_file(r, L(r, "Model file", "Modelbestand"), a->model_file, a->model_path,
              a->model_sha256);
    for (size_t s = 0; s < a->n_scenarios; s++) {
        char key[512];
        snprintf(key, sizeof key, "%s: %s",
                 s == 0 ? L(r, "Reference alternative", "Nulalternatief")
                        : L(r, "Project alternative", "Projectalternatief"),
                 scen_label(r, s));
        prov_file(r, key, a->scenarios[s].file, a->scenarios[s].path, a->scenarios[s].sha256);
    }
    prov_cohort(r);
    if (a->mc) {
        numbuf d, b;
        char seed[32];
        count(r, d, a->mc->draws);
        count(r, b, a->mc->n_boot);
        snprintf(seed, sizeof seed, "%llu", (unsigned long long)a->mc->seed);
        tpl(r, L(r, "<tr><th>Monte Carlo</th><td>{} draws, seed {}, {} bootstrap samples"
                    "</td></tr>\n",
                 "<tr><th>Monte Carlo</th><td>{} trekkingen, seed {}, {} bootstrapsteekproeven"
                 "</td></tr>\n"),
            d, seed, b);
    }
    prov_sobol(r);
    char mg[32];
    snprintf(mg, sizeof mg, "%zu", a->min_group);
    tpl(r, L(r, "<tr><th>Disclosure control</th><td>counts of persons below {} are not shown"
                "</td></tr>\n",
             "<tr><th>Statistische beveiliging</th><td>aantallen personen kleiner dan {} worden "
             "niet getoond</td></tr>\n"),
        mg);
    put(r, "</table>\n</section>\n");
}

/* ============================ the file ================================= */

static mkba_status write_html(const rep *r, mkba_error *err)
{
    head(r);
    title(r);
    data_note(r);
    nav(r);
    warnings(r);
    conclusion(r);
    key_figures(r);
    effects_table(r);
    subgroups_section(r);
    mkba_status st = balance_overlap(r, err);
    if (st)
        return st;
    balance_tables(r);
    items_table(r);
    monte_carlo(r);
    sensitivity(r);
    value_of_information(r);
    st = charts(r, err);
    if (st)
        return st;
    assumptions(r);
    provenance(r);
    tpl(r, "<footer class=\"note\"><p>{} mkba {}.</p></footer>\n</body>\n</html>\n",
        L(r, "Made with", "Gemaakt met"), r->a->version ? r->a->version : "");
    return MKBA_OK;
}

mkba_status mkba_report_stage(mkba_pub *pub, const char *path, const mkba_appraisal *a,
                              const mkba_report_opts *o, mkba_error *err)
{
    if (!path || !*path)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL, "empty report file name");
    FILE *f = mkba_pub_open(pub, path, "--report", err);
    if (!f)
        return err->code ? err->code : MKBA_EIO;
    rep r = {f, a, o && o->lang_nl, o};
    return write_html(&r, err);
}

mkba_status mkba_report_write(const char *path, const mkba_appraisal *a,
                              const mkba_report_opts *o, mkba_error *err)
{
    mkba_pub *pub = mkba_pub_new();
    mkba_out_inputs(pub, a);
    mkba_status st = mkba_report_stage(pub, path, a, o, err);
    if (st) {
        mkba_pub_abort(pub);
        return st;
    }
    return mkba_pub_commit(pub, err);
}

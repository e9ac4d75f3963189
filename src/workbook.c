/* workbook.c - the --xlsx workbook of a run (see workbook.h): which sheets,
 * in which order, with which names; the conclusion and assumptions sheets
 * as tables. How each cell looks is the XLSX sink's business (sink_xlsx.c). */
#include "mkba/workbook.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/fmt.h"
#include "mkba/fsutil.h"
#include "mkba/mem.h"
#include "mkba/out.h"
#include "mkba/sink_xlsx.h"
#include "mkba/tables.h"

#define L(nl, en, du) ((nl) ? (du) : (en))

/* ============================== names =================================== */

/* The Dutch names of the run's tables (sheets); their columns carry their
 * own Dutch names (tables.h), shown by the XLSX sink with --lang nl. */
static const char *const SHEET_NL[][2] = {
    {"effects", "Effecten"},
    {"summary", "Samenvatting"},
    {"items", "Posten"},
    {"cashflows", "Kasstromen"},
    {"stakeholder_flows", "Stromen per belanghebbende"},
    {"alternatives", "Alternatieven"},
    {"pairwise", "Paarsgewijs"},
    {"balance", "Balans covariaten"},
    {"propensity", "Propensitymodel"},
    {"overlap", "Overlap"},
    {"mc_voi", "MC waarde van informatie"},
    {"mc_summary", "MC samenvatting"},
    {"mc_items", "MC posten"},
    {"mc_uncertain", "MC onzekere invoer"},
    {"mc_effects", "MC effecten"},
    {"sens_sobol", "Sobol-indices"},
    {"sens_tornado", "Tornado"},
    {"sens_switching", "Omslagwaarden"},
    {"sens_twoway", "Tweewegsgevoeligheid"},
    {"subgroups", "Subgroepen"},
};

static const char *lookup(const char *const (*map)[2], size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(map[i][0], key) == 0)
            return map[i][1];
    return NULL;
}

const char *mkba_workbook_sheet(const char *stem, int nl)
{
    const char *du = nl ? lookup(SHEET_NL, sizeof SHEET_NL / sizeof SHEET_NL[0], stem) : NULL;
    return du ? du : stem;
}

/* ============================ conclusion ================================ */

static const char *verdict(double npv, int nl)
{
    double v = round(npv);
    return !isfinite(v) ? L(nl, "The balance for society is undefined.",
                            "Het saldo voor de samenleving is niet bepaald.")
           : v > 0 ? L(nl, "Benefits exceed costs for society.",
                       "De baten zijn groter dan de kosten voor de samenleving.")
           : v < 0 ? L(nl, "Costs exceed benefits for society.",
                       "De kosten zijn groter dan de baten voor de samenleving.")
                   : L(nl, "Benefits and costs balance for society.",
                       "Baten en kosten houden elkaar voor de samenleving in evenwicht.");
}

/* The payback of society in scenario s: the calendar year, or why none. */
static void payback_cell(mkba_table *t, const mkba_appraisal *a, const mkba_fin *f, int nl)
{
    char buf[96];
    switch (f->payback) {
    case MKBA_FIN_PAID:
        mkba_table_int(t, (long long)a->first_year + f->year - 1);
        return;
    case MKBA_FIN_NEVER:
    case MKBA_FIN_FALLS_BACK:
        snprintf(buf, sizeof buf, L(nl, "none within %zu years", "niet binnen %zu jaar"),
                 a->horizon);
        mkba_table_text(t, buf);
        return;
    case MKBA_FIN_NO_FLOWS:
        mkba_table_text(t, L(nl, "none: no difference with the reference",
                             "geen: geen verschil met het nulalternatief"));
        return;
    default:
        mkba_table_text(t, mkba_fmt_na(nl));
    }
}

static void irr_cell(mkba_table *t, const mkba_fin *f, int nl)
{
    switch (f->irr_status) {
    case MKBA_FIN_IRR_UNIQUE:
        mkba_table_share(t, f->irr);
        return;
    case MKBA_FIN_IRR_NONE:
        mkba_table_text(t, L(nl, "none: the flows never change sign",
                             "geen: de stromen wisselen niet van teken"));
        return;
    case MKBA_FIN_IRR_MULTIPLE:
        mkba_table_text(t, L(nl, "not unique: the flows change sign more than once",
                             "niet eenduidig: de stromen wisselen meer dan eens van teken"));
        return;
    case MKBA_FIN_IRR_OUTSIDE:
        mkba_table_text(t, L(nl, "outside -99% to 1000%", "buiten -99% tot 1000%"));
        return;
    default:
        mkba_table_text(t, mkba_fmt_na(nl));
    }
}

mkba_table *mkba_workbook_conclusion(const mkba_appraisal *a, int nl)
{
    mkba_table *t = mkba_table_new("conclusion", NULL);
    size_t K = a->n_stakeholders;
    const mkba_mc *mc = a->mc;
    mkba_table_add_col_nl(t, "Alternative", "Alternatief");
    mkba_table_add_col_nl(t, "Conclusion", "Conclusie");
    mkba_table_add_col_nl(t, "Net present value for society",
                          "Netto contante waarde voor de samenleving");
    mkba_table_add_col_nl(t, "Benefits (present value)", "Baten (contante waarde)");
    mkba_table_add_col_nl(t, "Costs (present value)", "Kosten (contante waarde)");
    mkba_table_add_col_nl(t, "Benefit-cost ratio", "Baten-kostenverhouding");
    if (mc) {
        mkba_table_add_col_nl(t, "Chance that benefits exceed costs",
                              "Kans dat de baten de kosten overtreffen");
        mkba_table_add_col_nl(t, "NPV, 5th percentile", "Saldo, 5e percentiel");
        mkba_table_add_col_nl(t, "NPV, 95th percentile", "Saldo, 95e percentiel");
    }
    if (a->fin) {
        mkba_table_add_col_nl(t, "Payback year", "Terugverdienjaar");
        mkba_table_add_col_nl(t, "Internal rate of return", "Interne rentevoet");
    }
    if (mc && mc->fin) {
        char en[96], du[96];
        snprintf(en, sizeof en, "Chance of payback within %zu years", a->horizon);
        snprintf(du, sizeof du, "Kans op terugverdienen binnen %zu jaar", a->horizon);
        mkba_table_add_col_nl(t, en, du);
    }
    for (size_t s = 1; s < a->n_scenarios; s++) {
        const mkba_balance *b = &a->balance[mkba_ap_bidx(a, s, K)];
        mkba_table_text(t, mkba_fmt_scen_label(a, s, nl));
        mkba_table_text(t, verdict(b->npv, nl));
        mkba_table_amount(t, b->npv);
        mkba_table_amount(t, b->pv_benefits);
        mkba_table_amount(t, b->pv_costs);
        /* a ratio of a negative present value reads as nonsense (-0.51) */
        if (b->pv_benefits > 0 && b->pv_costs > 0)
            mkba_table_number(t, b->bcr);
        else
            mkba_table_text(t, mkba_fmt_na(nl));
        if (mc) {
            const mkba_stats *st = &mc->npv[mkba_mc_idx(mc, s, K)];
            mkba_table_share(t, st->p_positive);
            mkba_table_amount(t, st->p5);
            mkba_table_amount(t, st->p95);
        }
        if (a->fin) {
            payback_cell(t, a, &a->fin[mkba_ap_bidx(a, s, K)], nl);
            irr_cell(t, &a->fin[mkba_ap_bidx(a, s, K)], nl);
        }
        if (mc && mc->fin)
            mkba_table_share(t, mc->fin[mkba_mc_idx(mc, s, K)].p_payback);
        mkba_table_end_row(t);
    }
    return t;
}

/* The notes under the conclusion: what the figures are, and the warnings. */
static void conclusion_notes(mkba_xlsx *x, const mkba_appraisal *a, int nl)
{
    char buf[2048];
    snprintf(buf, sizeof buf,
             L(nl, "Model: %s. Computed by mkba %s on %s (UTC).",
               "Model: %s. Berekend met mkba %s op %s (UTC)."),
             a->model_name ? a->model_name : "", a->version ? a->version : "", a->run_date);
    mkba_sink_xlsx_note(x, buf);
    snprintf(buf, sizeof buf,
             L(nl,
               "Amounts in %s at %d prices: each project alternative minus the reference "
               "alternative (%s), over %zu years, discounted.",
               "Bedragen in %s, prijspeil %d: elk projectalternatief min het nulalternatief "
               "(%s), over %zu jaar, contant gemaakt."),
             a->currency ? a->currency : "", a->price_year, mkba_fmt_scen_label(a, 0, nl),
             a->horizon);
    mkba_sink_xlsx_note(x, buf);
    if (a->mc) {
        snprintf(buf, sizeof buf,
                 L(nl, "Monte Carlo: %zu draws, seed %llu.",
                   "Monte Carlo: %zu trekkingen, seed %llu."),
                 a->mc->draws, (unsigned long long)a->mc->seed);
        mkba_sink_xlsx_note(x, buf);
    }
    if (mkba_disclose_cells(a) > 0) {
        snprintf(buf, sizeof buf,
                 L(nl,
                   "Grey empty cells are withheld to protect the privacy of the persons in the "
                   "cohort (groups of fewer than %zu persons); the comment on each says why.",
                   "Grijze lege cellen zijn weggelaten om de privacy van de personen in het "
                   "cohort te beschermen (groepen van minder dan %zu personen); de opmerking "
                   "bij elke cel zegt waarom."),
                 a->min_group);
        mkba_sink_xlsx_note(x, buf);
    }
    for (size_t i = 0; i < a->n_warnings; i++) {
        char msg[1536];
        mkba_error_format(&a->warnings[i].at, msg, sizeof msg);
        mkba_fmt_join(buf, sizeof buf, L(nl, "Warning: ", "Waarschuwing: "), msg,
                      (const char *)NULL);
        mkba_sink_xlsx_note(x, buf);
    }
}

/* ============================ assumptions =============================== */

static void text_or_none(mkba_table *t, const char *s, int nl)
{
    mkba_table_text(t, s && *s ? s : L(nl, "no source given", "geen bron opgegeven"));
}

mkba_table *mkba_workbook_assumptions(const mkba_appraisal *a, int nl)
{
    mkba_table *t = mkba_table_new("assumptions", NULL);
    mkba_table_add_col_nl(t, "What", "Soort");
    mkba_table_add_col_nl(t, "Name", "Naam");
    mkba_table_add_col_nl(t, "Label", "Omschrijving");
    mkba_table_add_col_nl(t, "Unit", "Eenheid");
    for (size_t s = 0; s < a->n_scenarios; s++) {
        char en[512], du[512];
        mkba_fmt_join(en, sizeof en, "Value: ", mkba_fmt_scen_label(a, s, nl), (const char *)NULL);
        mkba_fmt_join(du, sizeof du, "Waarde: ", mkba_fmt_scen_label(a, s, nl), (const char *)NULL);
        mkba_table_add_col_nl(t, en, du);
    }
    mkba_table_add_col_nl(t, "As written", "Zoals opgegeven");
    mkba_table_add_col_nl(t, "Distribution", "Verdeling");
    mkba_table_add_col_nl(t, "Price year", "Prijsjaar");
    mkba_table_add_col_nl(t, "Source", "Bron");
    for (size_t i = 0; i < a->n_params; i++) {
        const mkba_ap_param *p = &a->params[i];
        mkba_table_text(t, "parameter");
        mkba_table_text(t, p->name);
        mkba_table_text(t, p->label);
        mkba_table_text(t, p->unit);
        for (size_t s = 0; s < a->n_scenarios; s++) {
            if (mkba_ap_param_withheld(p, s))
                mkba_table_withheld(t, "");
            else
                mkba_table_number(t, p->base[s]);
        }
        mkba_table_text(t, p->value);
        mkba_table_text(t, p->distribution && *p->distribution ? p->distribution
                                                                : L(nl, "fixed", "vast"));
        if (p->price_year)
            mkba_table_int(t, p->price_year);
        else
            mkba_table_text(t, "");
        text_or_none(t, p->source, nl);
        mkba_table_end_row(t);
    }
    for (size_t i = 0; i < a->n_effects; i++) {
        const mkba_ap_effect *x = &a->effects[i];
        mkba_table_text(t, "effect");
        mkba_table_text(t, x->name);
        mkba_table_text(t, x->label);
        mkba_table_text(t, x->unit);
        for (size_t s = 0; s < a->n_scenarios; s++) /* one estimate for every scenario */
            mkba_table_number_or_withheld(t, x->e.estimate, mkba_ap_effect_withheld(a, i));
        mkba_table_text(t, "");
        mkba_table_text(t, "");
        mkba_table_text(t, "");
        if (x->e.method != MKBA_EST_GIVEN && !(x->source && *x->source)) {
            char buf[256];
            mkba_fmt_join(buf, sizeof buf,
                          L(nl, "estimated from the cohort (", "geschat uit het cohort ("),
                          mkba_fmt_method(x->e.method, nl, 0), ")", (const char *)NULL);
            mkba_table_text(t, buf);
        } else {
            text_or_none(t, x->source, nl);
        }
        mkba_table_end_row(t);
    }
    for (size_t i = 0; i < a->n_items; i++) {
        const mkba_ap_item *it = &a->items[i];
        char what[64];
        mkba_fmt_join(what, sizeof what, L(nl, "item (", "post ("), mkba_fmt_kind(it->kind, nl),
                      ")", (const char *)NULL);
        mkba_table_text(t, what);
        mkba_table_text(t, it->name);
        mkba_table_text(t, it->label);
        mkba_table_text(t, "");
        for (size_t s = 0; s < a->n_scenarios; s++)
            mkba_table_text(t, "");
        mkba_table_text(t, "");
        mkba_table_text(t, "");
        if (it->price_year)
            mkba_table_int(t, it->price_year);
        else
            mkba_table_text(t, "");
        text_or_none(t, it->source, nl);
        mkba_table_end_row(t);
    }
    return t;
}

/* The rate of scenario s in words: "3%", or "3% to 2%" when it changes. */
static void rate_note(mkba_xlsx *x, const mkba_appraisal *a, size_t s, int nl)
{
    if (a->horizon == 0)
        return;
    const double *r = &a->rate[mkba_ap_tidx(a, s, 0)];
    char lo[32], hi[32], buf[640];
    mkba_fmt_term_rate(lo, sizeof lo, r[0], nl);
    mkba_fmt_term_rate(hi, sizeof hi, r[a->horizon - 1], nl);
    int same = 1;
    for (size_t y = 1; y < a->horizon; y++)
        same &= r[y] == r[0];
    snprintf(buf, sizeof buf, L(nl, "Discount rate, %s: %s%s%s", "Discontovoet, %s: %s%s%s"),
             mkba_fmt_scen_label(a, s, nl), lo, same ? "" : L(nl, " in year 1 to ", " in jaar 1 tot "),
             same ? "" : hi);
    mkba_sink_xlsx_note(x, buf);
}

static void assumption_notes(mkba_xlsx *x, const mkba_appraisal *a, int nl)
{
    char buf[512];
    const char *tm = a->discount_timing ? a->discount_timing : "";
    snprintf(buf, sizeof buf,
             L(nl, "Prices of %d; year 1 is %d; a horizon of %zu years; discounting at the %s of "
                   "each year.",
               "Prijspeil %d; jaar 1 is %d; een horizon van %zu jaar; contant maken %s van elk "
               "jaar."),
             a->price_year, a->first_year, a->horizon,
             nl ? (strcmp(tm, "start") == 0 ? "aan het begin"
                   : strcmp(tm, "mid") == 0 ? "halverwege"
                                            : "aan het eind")
                : (strcmp(tm, "mid") == 0 ? "middle" : tm));
    mkba_sink_xlsx_note(x, buf);
    for (size_t s = 0; s < a->n_scenarios; s++)
        rate_note(x, a, s, nl);
}

/* =============================== book =================================== */

/* The whole workbook into 'file' (written there; messages name 'shown'). */
static mkba_status write_book(const char *file, const char *shown, const mkba_appraisal *a,
                              int nl, mkba_error *err)
{
    mkba_xlsx *x = mkba_xlsx_new(file, a->model_name, nl, err);
    if (!x)
        return err->code ? err->code : MKBA_EIO;
    mkba_table *t = mkba_workbook_conclusion(a, nl);
    mkba_sink_xlsx(x, t, L(nl, "Conclusion", "Conclusie"));
    conclusion_notes(x, a, nl);
    mkba_table_free(t);
    for (size_t i = 0; i < mkba_tables_count(); i++) {
        if (!(t = mkba_tables_build(a, i)))
            continue;
        mkba_sink_xlsx(x, t, mkba_workbook_sheet(mkba_tables_name(i), nl));
        mkba_table_free(t);
    }
    t = mkba_workbook_assumptions(a, nl);
    mkba_sink_xlsx(x, t, L(nl, "Assumptions", "Aannames"));
    assumption_notes(x, a, nl);
    mkba_table_free(t);
    mkba_status st = mkba_xlsx_close(x, err);
    if (st)
        snprintf(err->file, sizeof err->file, "%s", shown);
    return st;
}

mkba_status mkba_workbook_stage(mkba_pub *pub, const char *path, const mkba_appraisal *a, int nl,
                                mkba_error *err)
{
    if (!path || !*path)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL, "empty workbook file name");
    mkba_status st = mkba_pub_claim(pub, path, "--xlsx", err);
    if (st)
        return st;
    /* libxlsxwriter writes to a path: a private directory beside the
     * target, so that the finished file is renamed into place */
    char *dir = mkba_path_dir(path);
    char *tmp = mkba_xasprintf("%s/.mkba-xlsx.XXXXXX", dir);
    free(dir);
    if (!mkba_tmp_mkdtemp(tmp)) {
        st = mkba_error_set(err, MKBA_EIO, path, 0, NULL, "cannot write: %s", strerror(errno));
        free(tmp);
        return st;
    }
    mkba_pub_private(pub, tmp);
    char *file = mkba_xasprintf("%s/book.xlsx", tmp);
    st = write_book(file, path, a, nl, err);
    if (!st)
        st = mkba_pub_stage(pub, file, path, "--xlsx", err);
    free(file);
    free(tmp);
    return st;
}

mkba_status mkba_workbook_write(const char *path, const mkba_appraisal *a, int nl,
                                mkba_error *err)
{
    mkba_pub *pub = mkba_pub_new();
    mkba_out_inputs(pub, a);
    mkba_status st = mkba_workbook_stage(pub, path, a, nl, err);
    if (st) {
        mkba_pub_abort(pub);
        return st;
    }
    return mkba_pub_commit(pub, err);
}

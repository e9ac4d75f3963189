/* fmt.c - numbers and words for every output (see fmt.h for the two
 * families of number formats and why they stay apart). Nothing here
 * prints; every function fills a caller's buffer or returns a constant. */
#include "mkba/fmt.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ============================== files =================================== */

void mkba_fmt_full(char *buf, size_t size, double x, char dec)
{
    if (isnan(x)) {
        buf[0] = '\0';
        return;
    }
    if (isinf(x)) {
        snprintf(buf, size, "%s", x < 0 ? "-inf" : "inf");
        return;
    }
    snprintf(buf, size, "%.17g", x);
    for (char *p = buf; *p; p++)
        if (*p == '.' || *p == ',')
            *p = dec;
}

/* ============================ terminal ================================== */

/* printf's %f and %g follow the C locale; the terminal always uses '.' for
 * the decimal point (',' is the thousands separator). */
static void c_point(char *s)
{
    for (; *s; s++)
        if (*s == ',')
            *s = '.';
}

/* An English terminal number in Dutch ('nl'): the separators swap
 * ("1,234.5" -> "1.234,5") and "n/a" is "n.v.t.". */
static void term_lang(char *buf, size_t size, int nl)
{
    if (!nl)
        return;
    if (strcmp(buf, "n/a") == 0) {
        snprintf(buf, size, "%s", mkba_fmt_na(1));
        return;
    }
    for (char *p = buf; *p; p++)
        if (*p == '.' || *p == ',')
            *p = *p == '.' ? ',' : '.';
}

static void term_amount(char *buf, size_t size, double x)
{
    if (!isfinite(x)) {
        snprintf(buf, size, "n/a");
        return;
    }
    double r = round(x);
    if (fabs(r) >= 1e15) { /* beyond 1e15 whole numbers are not exact */
        snprintf(buf, size, "%.3g", r);
        c_point(buf);
        return;
    }
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", fabs(r));
    size_t nd = strlen(digits), o = 0;
    if (r < 0 && o + 1 < size)
        buf[o++] = '-';
    for (size_t i = 0; i < nd && o + 1 < size; i++) {
        if (i > 0 && (nd - i) % 3 == 0 && o + 2 < size)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
}

static void term_ratio(char *buf, size_t size, double x)
{
    if (!isfinite(x))
        snprintf(buf, size, "n/a");
    else if (fabs(x) < 0.005)
        snprintf(buf, size, "0.00"); /* no "-0.00" */
    else
        snprintf(buf, size, "%.2f", x);
    c_point(buf);
}

static void term_share(char *buf, size_t size, double p)
{
    if (!isfinite(p))
        snprintf(buf, size, "n/a");
    else
        snprintf(buf, size, "%.1f%%", 100 * p);
    c_point(buf);
}

static void term_sig(char *buf, size_t size, double x)
{
    if (!isfinite(x))
        snprintf(buf, size, "n/a");
    else if (x == 0)
        snprintf(buf, size, "0");
    else if (fabs(x) >= 1e4 && fabs(x) < 1e12)
        snprintf(buf, size, "%.0f", x);
    else
        snprintf(buf, size, "%.4g", x);
    c_point(buf);
}

static void term_g4(char *buf, size_t size, double x)
{
    if (isfinite(x))
        snprintf(buf, size, "%.4g", x);
    else
        snprintf(buf, size, "n/a");
    c_point(buf);
}

static void term_value(char *buf, size_t size, double x)
{
    if (isfinite(x) && fabs(x) >= 1000)
        term_amount(buf, size, x);
    else
        term_g4(buf, size, x);
}

static void term_rate(char *buf, size_t size, double rate)
{
    snprintf(buf, size, "%.4g%%", rate * 100);
    c_point(buf);
}

/* The terminal's numbers in the language asked for (English above). */
#define TERM_LANG(fn, arg)                                                                 \
    void mkba_fmt_term_##fn(char *buf, size_t size, double arg, int nl)                    \
    {                                                                                      \
        term_##fn(buf, size, arg);                                                         \
        term_lang(buf, size, nl);                                                          \
    }
TERM_LANG(amount, x)
TERM_LANG(ratio, x)
TERM_LANG(share, p)
TERM_LANG(sig, x)
TERM_LANG(g4, x)
TERM_LANG(value, x)
TERM_LANG(rate, rate)
#undef TERM_LANG

/* ========================= report and charts ============================ */

void mkba_fmt_join(char *buf, size_t size, ...)
{
    va_list ap;
    size_t o = 0;
    if (size == 0)
        return;
    va_start(ap, size);
    for (const char *p; (p = va_arg(ap, const char *)) != NULL;)
        for (; *p && o + 1 < size; p++)
            buf[o++] = *p;
    va_end(ap);
    buf[o] = '\0';
}

/* Digits of |x| * 10^decimals rounded half away from zero, as a whole
 * number in 'digits'. Returns 0 when that is 1e18 or more (the caller
 * then writes an exponent).
 *
 * Why not printf("%.*f")? It rounds the binary value exactly, so 1.15%
 * (23 of 2,000 draws, stored as 0.01149999...) would print as 1.1%, and
 * an exact half to even. Scaling first rounds the way people do (1.2%) and
 * as the terminal report rounds amounts (half away from zero). */
static int rounded_digits(char *digits, size_t size, double x, int decimals)
{
    double r = round(fabs(x) * pow(10, decimals));
    if (!(r < 1e18))
        return 0;
    snprintf(digits, size, "%.0f", r);
    return 1;
}

const char *mkba_fmt_na(int nl)
{
    return nl ? "n.v.t." : "n/a";
}

void mkba_fmt_number(char *buf, size_t size, double x, int decimals, int nl)
{
    if (size == 0)
        return;
    if (!isfinite(x)) {
        snprintf(buf, size, "%s", mkba_fmt_na(nl));
        return;
    }
    if (decimals < 0)
        decimals = 0;
    if (decimals > 6)
        decimals = 6;
    char group = nl ? '.' : ',', point = nl ? ',' : '.';
    char digits[64];
    if (!rounded_digits(digits, sizeof digits, x, decimals)) {
        snprintf(buf, size, "%.3e", x); /* beyond 1e18: no one reads the last digits */
        for (char *p = buf; *p; p++)
            if (*p == '.')
                *p = point;
        return;
    }
    /* left-pad to at least decimals + 1 digits: 5 with 2 decimals is "0.05" */
    size_t nd = strlen(digits), want = (size_t)decimals + 1, pad = nd < want ? want - nd : 0;
    char padded[96];
    memset(padded, '0', pad);
    memcpy(padded + pad, digits, nd + 1);
    nd += pad;
    size_t nint = nd - (size_t)decimals;
    int is_zero = strspn(padded, "0") == nd;
    char out[128];
    size_t o = 0;
    if (x < 0 && !is_zero)
        out[o++] = '-';
    for (size_t i = 0; i < nint; i++) {
        if (i > 0 && (nint - i) % 3 == 0)
            out[o++] = group;
        out[o++] = padded[i];
    }
    if (decimals > 0) {
        out[o++] = point;
        memcpy(out + o, padded + nint, (size_t)decimals);
        o += (size_t)decimals;
    }
    out[o] = '\0';
    snprintf(buf, size, "%s", out);
}

void mkba_fmt_money(char *buf, size_t size, const char *currency, double x, int decimals,
                    int nl)
{
    char num[128];
    mkba_fmt_number(num, sizeof num, x, decimals, nl);
    if (currency && *currency && isfinite(x))
        mkba_fmt_join(buf, size, currency, " ", num, (const char *)NULL);
    else
        mkba_fmt_join(buf, size, num, (const char *)NULL);
}

void mkba_fmt_percent(char *buf, size_t size, double share, int decimals, int nl)
{
    char num[128];
    mkba_fmt_number(num, sizeof num, share * 100, decimals, nl);
    mkba_fmt_join(buf, size, num, isfinite(share) ? "%" : "", (const char *)NULL);
}

void mkba_fmt_value(char *buf, size_t size, double x, int nl)
{
    int d = 0;
    if (isfinite(x) && x != 0 && fabs(x) < 1000)
        d = 3 - (int)floor(log10(fabs(x))); /* 4 significant digits */
    if (d > 6)
        d = 6;
    mkba_fmt_number(buf, size, x, d, nl);
    char point = nl ? ',' : '.';
    char *p = strchr(buf, point);
    if (d > 0 && p && isfinite(x)) { /* drop trailing zeros, and a bare point */
        char *end = buf + strlen(buf);
        while (end > p + 1 && end[-1] == '0')
            *--end = '\0';
        if (end == p + 1)
            *p = '\0';
    }
}

void mkba_fmt_label_number(char *buf, size_t size, double x, int decimals, int nl)
{
    if (!isfinite(x) || fabs(x) < 1e15) {
        mkba_fmt_number(buf, size, x, decimals, nl);
        return;
    }
    snprintf(buf, size, "%.3g", x);
    for (char *p = buf; nl && *p; p++)
        if (*p == '.')
            *p = ',';
}

/* =============================== words ================================== */

const char *mkba_fmt_label_or(const char *label, const char *name)
{
    return label && *label ? label : (name ? name : "");
}

const char *mkba_fmt_label_lang(const char *label, const char *label_nl, const char *name,
                                int nl)
{
    if (nl && label_nl && *label_nl)
        return label_nl;
    return mkba_fmt_label_or(label, name);
}

const char *mkba_fmt_model_name(const mkba_appraisal *a, int nl)
{
    return mkba_fmt_label_lang(a->model_name, a->model_name_nl, "", nl);
}

const char *mkba_fmt_scen_label(const mkba_appraisal *a, size_t s, int nl)
{
    return mkba_fmt_label_lang(a->scenarios[s].label, a->scenarios[s].label_nl,
                               a->scenarios[s].name, nl);
}

const char *mkba_fmt_item_label(const mkba_appraisal *a, size_t i, int nl)
{
    return mkba_fmt_label_lang(a->items[i].label, a->items[i].label_nl, a->items[i].name, nl);
}

const char *mkba_fmt_effect_label(const mkba_ap_effect *x, int nl)
{
    return mkba_fmt_label_lang(x->label, x->label_nl, x->name, nl);
}

const char *mkba_fmt_param_label(const mkba_ap_param *p, int nl)
{
    return mkba_fmt_label_lang(p->label, p->label_nl, p->name, nl);
}

const char *mkba_fmt_holder_key(const mkba_appraisal *a, size_t k)
{
    return k < a->n_stakeholders ? a->stakeholders[k] : "society";
}

const char *mkba_fmt_holder_label(const mkba_appraisal *a, size_t k, int nl)
{
    if (k >= a->n_stakeholders)
        return nl ? "Samenleving" : "Society";
    return mkba_fmt_label_lang(a->stakeholder_labels ? a->stakeholder_labels[k] : NULL,
                               a->stakeholder_labels_nl ? a->stakeholder_labels_nl[k] : NULL,
                               a->stakeholders[k], nl);
}

const char *mkba_fmt_kind(mkba_item_kind k, int nl)
{
    switch (k) {
    case MKBA_ITEM_BENEFIT:
        return nl ? "baat" : "benefit";
    case MKBA_ITEM_COST:
        return nl ? "kosten" : "cost";
    case MKBA_ITEM_TRANSFER:
        return nl ? "overdracht" : "transfer";
    }
    return "";
}

const char *mkba_fmt_domain(const char *d, int nl)
{
    static const char *const names[][3] = {{"work", "work", "werk"},
                                           {"care", "care", "zorg"},
                                           {"staff", "staff", "personeel"},
                                           {"implementation", "implementation", "invoering"},
                                           {"other", "other", "overig"}};
    for (size_t i = 0; d && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(d, names[i][0]) == 0)
            return names[i][nl ? 2 : 1];
    return d ? d : "";
}

/* One row per method: English, Dutch, and the charts' English where it is
 * shorter (NULL: the same). */
static const struct {
    mkba_est_method m;
    const char *en, *nl, *en_chart, *nl_chart;
} METHODS[] = {
    {MKBA_EST_DIFF, "difference in means", "verschil in gemiddelden", NULL, NULL},
    {MKBA_EST_DID, "difference in differences", "verschil in verschillen", NULL, NULL},
    {MKBA_EST_OLS, "regression with covariates", "regressie met covariaten", "regression (OLS)",
     "regressie (OLS)"},
    {MKBA_EST_GIVEN, "given in the model", "gegeven in het model", NULL, NULL},
    {MKBA_EST_IPW, "inverse probability weighting", "inverse kansweging", NULL, NULL},
    {MKBA_EST_DR, "doubly robust (weighting and regression)",
     "dubbel robuust (weging en regressie)", NULL, NULL},
};

const char *mkba_fmt_method(mkba_est_method m, int nl, int chart)
{
    for (size_t i = 0; i < sizeof METHODS / sizeof METHODS[0]; i++) {
        if (METHODS[i].m != m)
            continue;
        const char *c = nl ? METHODS[i].nl_chart : METHODS[i].en_chart;
        if (chart && c)
            return c;
        return nl ? METHODS[i].nl : METHODS[i].en;
    }
    return "";
}

const char *mkba_fmt_bcr_reason(mkba_bcr_why why, int nl)
{
    switch (why) {
    case MKBA_BCR_OK:
        return "";
    case MKBA_BCR_NO_BENEFITS:
        return nl ? "contante waarde baten niet positief" : "PV benefits not positive";
    case MKBA_BCR_NO_COSTS:
        return nl ? "geen kosten" : "no costs";
    case MKBA_BCR_NEITHER:
        return nl ? "baten en kosten niet positief" : "PV benefits and costs not positive";
    case MKBA_BCR_UNDEFINED:
        break;
    }
    return nl ? "niet bepaald" : "not finite";
}

const char *mkba_fmt_bcr_note(int nl)
{
    return nl ? "B/K n.v.t.: een baten-kostenverhouding wordt alleen getoond waar de contante "
                "waarden van baten en kosten allebei positief zijn."
              : "B/C n/a: a benefit-cost ratio is shown only where PV benefits and PV costs are "
                "both positive.";
}

const char *mkba_fmt_bcr_mc_na(int nl)
{
    return nl ? "n.v.t. (baten of kosten niet positief in een deel van de trekkingen)"
              : "n/a (PV benefits or costs not positive in some draws)";
}

const char *mkba_fmt_input_label(const mkba_appraisal *a, const char *name, int nl)
{
    if (!name)
        return "";
    const char *key = strncmp(name, "effect.", 7) == 0 ? name + 7 : name;
    if (key == name)
        for (size_t i = 0; i < a->n_params; i++)
            if (strcmp(a->params[i].name, name) == 0)
                return mkba_fmt_param_label(&a->params[i], nl);
    for (size_t i = 0; i < a->n_effects; i++) /* effect.X, or an effect drawn by its name */
        if (strcmp(a->effects[i].name, key) == 0)
            return mkba_fmt_effect_label(&a->effects[i], nl);
    return key;
}

const char *mkba_fmt_unit_for(const char *label, const char *unit)
{
    if (!unit || !*unit)
        return NULL;
    size_t n = strlen(unit);
    for (const char *p = label ? strstr(label, unit) : NULL; p; p = strstr(p + 1, unit)) {
        int before = p == label || !isalnum((unsigned char)p[-1]);
        int after = !isalnum((unsigned char)p[n]);
        if (before && after)
            return NULL; /* the label names it already */
    }
    return unit;
}

const char *mkba_fmt_transfer_note(int nl)
{
    return nl ? "Een overdracht verplaatst geld van de ene belanghebbende naar de andere (minder "
                "uitkering ontvangen, minder uitbetaald): winst voor de een, verlies voor de "
                "ander, en voor de samenleving valt ze weg."
              : "A transfer moves money from one stakeholder to another (less assistance "
                "received, less paid out): a gain for one and a loss for the other, and it "
                "cancels out for society.";
}

const char *mkba_fmt_data_note(const mkba_appraisal *a, int nl)
{
    if (nl && a->data_note_nl && *a->data_note_nl)
        return a->data_note_nl;
    return a->data_note && *a->data_note ? a->data_note : NULL;
}

/* decision.c - the ranking of the alternatives and its sentence
 * (decision.h). */
#include "mkba/decision.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/fmt.h"
#include "mkba/mem.h"

double mkba_decision_npv(const mkba_appraisal *a, size_t s, size_t k)
{
    return s == 0 ? 0 : a->balance[mkba_ap_bidx(a, s, k)].npv;
}

/* Whether alternative x ranks before y: a higher finite NPV, or the same
 * and earlier in the scenarios' order. */
static int before(const mkba_appraisal *a, size_t x, size_t y)
{
    double vx = mkba_decision_npv(a, x, a->n_stakeholders);
    double vy = mkba_decision_npv(a, y, a->n_stakeholders);
    if (isfinite(vx) != isfinite(vy))
        return isfinite(vx);
    if (isfinite(vx) && vx != vy)
        return vx > vy;
    return x < y;
}

void mkba_decision_rank(const mkba_appraisal *a, size_t *order)
{
    size_t n = a->n_scenarios;
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = 1; i < n; i++) /* insertion sort: a handful of alternatives */
        for (size_t j = i; j > 0 && before(a, order[j], order[j - 1]); j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
}

int mkba_decision_same_rates(const mkba_appraisal *a)
{
    for (size_t s = 2; s < a->n_scenarios; s++)
        for (size_t t = 0; t < a->horizon; t++)
            if (a->rate[mkba_ap_tidx(a, s, t)] != a->rate[mkba_ap_tidx(a, 1, t)])
                return 0;
    return 1;
}

const char *mkba_decision_comparative(double npv_better, double npv_worse, int nl)
{
    if (npv_better < 0 && npv_worse < 0)
        return nl ? "minder ongunstig" : "less unfavourable";
    return nl ? "beter" : "better";
}

/* A growing text. */
typedef struct text {
    char *s;
    size_t len;
} text;

static void add(text *t, const char *s)
{
    size_t n = strlen(s);
    t->s = mkba_xrealloc(t->s, t->len + n + 1);
    memcpy(t->s + t->len, s, n + 1);
    t->len += n;
}

/* The lead: which alternative is best, and by how much. */
static void lead(text *t, const mkba_appraisal *a, const size_t *order, int nl)
{
    size_t K = a->n_stakeholders, best = order[0];
    char m[96];
    if (best == 0) {
        size_t next = order[1]; /* the best project */
        mkba_fmt_money(m, sizeof m, a->currency, mkba_decision_npv(a, next, K), 0, nl);
        add(t, mkba_fmt_scen_label(a, 0, nl));
        add(t, nl ? " is het beste voor de samenleving: geen project heeft een positieve netto "
                    "contante waarde ("
                  : " is best for society: no project has a positive NPV (");
        if (a->n_scenarios > 2)
            add(t, nl ? "het beste, " : "the best, ");
        add(t, mkba_fmt_scen_label(a, next, nl));
        add(t, ": ");
        add(t, m);
        add(t, ").");
        return;
    }
    mkba_fmt_money(m, sizeof m, a->currency, mkba_decision_npv(a, best, K), 0, nl);
    add(t, mkba_fmt_scen_label(a, best, nl));
    add(t, nl ? " is het beste voor de samenleving: netto contante waarde " : " is best for society: NPV ");
    add(t, m);
    add(t, nl ? " ten opzichte van " : " against ");
    add(t, mkba_fmt_scen_label(a, 0, nl));
    add(t, ".");
}

char *mkba_decision_sentence(const mkba_appraisal *a, int nl)
{
    size_t S = a->n_scenarios, K = a->n_stakeholders;
    if (S < 2)
        return NULL;
    size_t *order = mkba_xcalloc(S, sizeof *order), *proj = mkba_xcalloc(S, sizeof *proj), P = 0;
    mkba_decision_rank(a, order);
    for (size_t i = 0; i < S; i++)
        if (order[i] != 0)
            proj[P++] = order[i];
    text t = {mkba_xstrdup(""), 0};
    lead(&t, a, order, nl);
    for (size_t i = 0; i + 1 < P; i++) {
        double x = mkba_decision_npv(a, proj[i], K), y = mkba_decision_npv(a, proj[i + 1], K);
        if (!isfinite(x) || !isfinite(y) || !isfinite(x - y))
            break; /* the NPVs that follow are not known: nothing to compare */
        add(&t, i == 0 ? (nl ? " Van de projecten " : " Of the projects, ") : "; ");
        char m[96];
        mkba_fmt_money(m, sizeof m, a->currency, x - y, 0, nl);
        if (round(x - y) == 0) {
            add(&t, nl && i == 0 ? "zijn " : "");
            add(&t, mkba_fmt_scen_label(a, proj[i], nl));
            add(&t, nl ? " en " : " and ");
            add(&t, mkba_fmt_scen_label(a, proj[i + 1], nl));
            add(&t, nl ? (i == 0 ? " gelijk voor de samenleving" : " zijn gelijk voor de samenleving")
                       : " are equal for society");
            continue;
        }
        add(&t, nl && i == 0 ? "is " : "");
        add(&t, mkba_fmt_scen_label(a, proj[i], nl));
        add(&t, nl ? (i == 0 ? " " : " is ") : " is ");
        add(&t, m);
        add(&t, " ");
        add(&t, mkba_decision_comparative(x, y, nl));
        add(&t, nl ? " dan " : " than ");
        add(&t, mkba_fmt_scen_label(a, proj[i + 1], nl));
        if (i + 2 == P)
            add(&t, ".");
    }
    if (P > 1 && t.s[t.len - 1] != '.')
        add(&t, ".");
    free(order);
    free(proj);
    return t.s;
}

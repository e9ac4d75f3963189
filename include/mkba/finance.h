/* finance.h - the payback year and the internal rate of return (IRR) of a
 * yearly series of net flows: pure functions, no state.
 *
 * The series is the incremental net flow of one stakeholder (or society)
 * in model years 1..n (appraisal.h, net_flow): flow[t] belongs to model
 * year t + 1. Both measures answer "when" and "at what rate" where the
 * NPV answers "how much"; neither replaces it.
 *
 * Payback year: the first model year y from which the cumulative
 * discounted net flow C(t) = sum_{u <= t} flow[u] * df[u] stays >= 0 to
 * the end of the horizon (t = y .. n). So
 *   - costs first, benefits later (C < 0, then >= 0 for good): y is the
 *     year in which C reaches 0 or above and stays there;
 *   - C >= 0 from the first year on (benefits from the start, or a
 *     series that starts at 0): y = 1, never in deficit;
 *   - C turns back (>= 0 for a while, then below 0 again, and back above
 *     0 later): y is the year after the last year with C < 0: a payback
 *     that is lost again does not count;
 *   - C < 0 at the end of the horizon: no payback within the horizon
 *     (MKBA_FIN_NEVER when C is never above 0, MKBA_FIN_FALLS_BACK when it
 *     is above 0 in some year but ends below);
 *   - every flow 0: MKBA_FIN_NO_FLOWS (no difference with the reference:
 *     nothing to pay back);
 *   - a flow or factor that is not finite: MKBA_FIN_UNDEFINED.
 * Rounding: a cumulative value within MKBA_FIN_TOL * sum |flow * df| of 0
 * counts as 0 (so -100 then +100, summed in floating point, pays back).
 *
 * IRR: the rate r > -1 at which NPV(r) = sum_t flow[t] / (1 + r)^t = 0
 * (the timing of discounting within the year, start, mid or end, shifts
 * every term by the same factor and does not move the root). A polynomial
 * in x = 1 / (1 + r) can have several positive roots, so an IRR is given
 * only where it is provably unique:
 *   - Descartes' rule of signs: the number of roots with x > 0 (r > -1) is
 *     at most the number of sign changes of flow[0..n-1];
 *   - Norstrom's criterion: the roots with 0 < x < 1 (r > 0) are at most
 *     the sign changes of the cumulative flows A_k = flow[0] + .. +
 *     flow[k]; applied to the reversed series, the roots with x > 1
 *     (-1 < r < 0) are at most the sign changes of the cumulative flows
 *     from the end, B_k = flow[n-1] + .. + flow[n-1-k]; r = 0 is a root
 *     when the flows sum to 0.
 * With no sign change in the flows there is no IRR (MKBA_FIN_IRR_NONE).
 * When the smaller of the two bounds is 1 the root is unique (the
 * sequence's ends have opposite signs, so there is one); it is found by
 * Brent's method (GSL) on [MKBA_FIN_IRR_MIN, 0] or [0, MKBA_FIN_IRR_MAX]
 * to 1e-12, or reported as MKBA_FIN_IRR_OUTSIDE when it lies beyond the
 * range. Otherwise the flows change sign more than once in a way neither
 * rule can settle: MKBA_FIN_IRR_MULTIPLE, and no rate is chosen (there may
 * be two or more rates with NPV 0, or none).
 * Rounding: flows and cumulative sums within MKBA_FIN_TOL * sum |flow| of 0
 * count as 0 for the sign counts. */
#ifndef MKBA_FINANCE_H
#define MKBA_FINANCE_H

#include <float.h>
#include <math.h>
#include <stddef.h>

#define MKBA_FIN_TOL 1e-12      /* relative: see the rounding notes above */
#define MKBA_FIN_IRR_MIN (-0.99) /* the range an IRR is reported in: -99% */
#define MKBA_FIN_IRR_MAX 10.0   /* to +1000% */

typedef enum {
    MKBA_FIN_PAID = 0,   /* pays back in the year returned (1..n) */
    MKBA_FIN_NEVER,      /* cumulative never above 0, below 0 at the end */
    MKBA_FIN_FALLS_BACK, /* cumulative above 0 in some year, below 0 at the end */
    MKBA_FIN_NO_FLOWS,   /* every flow is 0 */
    MKBA_FIN_UNDEFINED,  /* a flow or discount factor is not finite */
    MKBA_FIN_PAYBACK_N
} mkba_fin_payback_status;

typedef enum {
    MKBA_FIN_IRR_UNIQUE = 0, /* one root, in the range: the rate is set */
    MKBA_FIN_IRR_NONE,       /* the flows never change sign (or are all 0) */
    MKBA_FIN_IRR_MULTIPLE,   /* more than one sign change; uniqueness not proven */
    MKBA_FIN_IRR_OUTSIDE,    /* one root, outside MKBA_FIN_IRR_MIN..MAX */
    MKBA_FIN_IRR_UNDEFINED,  /* a flow is not finite */
    MKBA_FIN_IRR_N
} mkba_fin_irr_status;

/* Payback and IRR of one series. */
typedef struct mkba_fin {
    mkba_fin_payback_status payback;
    int year;                /* model year of payback (1..n) when PAID; else 0 */
    mkba_fin_irr_status irr_status;
    double irr;              /* the rate (0.1 = 10%) when UNIQUE; else NaN */
} mkba_fin;

/* The root finder's state, reused across calls (one per thread). */
typedef struct mkba_fin_ws mkba_fin_ws;
mkba_fin_ws *mkba_fin_ws_alloc(void); /* ends the program when out of memory */
void mkba_fin_ws_free(mkba_fin_ws *w); /* NULL is a no-op */

/* The payback year (1..n) of flow[0..n-1] discounted by df[0..n-1] (df
 * NULL: undiscounted), 0 when there is none; *status says which case. */
int mkba_fin_payback(const double *flow, const double *df, size_t n,
                     mkba_fin_payback_status *status);

/* The IRR of flow[0..n-1] into *rate (NaN unless UNIQUE). 'w' may be NULL
 * (one is then made for the call). */
mkba_fin_irr_status mkba_fin_irr(const double *flow, size_t n, mkba_fin_ws *w, double *rate);

/* Both at once. */
void mkba_fin_of(const double *flow, const double *df, size_t n, mkba_fin_ws *w, mkba_fin *out);

/* Both for m series at once (a block of Monte Carlo draws): series j's
 * flow in year t is flow[t * stride + j] (t < n, j < m), and out[j] is
 * what mkba_fin_of gives for it, bit for bit. Much cheaper than m calls:
 * the series are worked side by side, and only those whose flows change
 * sign go on to the root finder. 'w' must not be NULL. */
void mkba_fin_of_n(const double *flow, size_t stride, size_t m, const double *df, size_t n,
                   mkba_fin_ws *w, mkba_fin *out);
/* mkba_fin_of_n of the series netted from inflows and outflows: series
 * j's flow in year t is mkba_fin_net(plus[t * stride + j],
 * minus[t * stride + j]), netted as the series are read (no pass that
 * writes the net flows first). plus or minus may be NULL: +0 each. */
void mkba_fin_of_net_n(const double *plus, const double *minus, size_t stride, size_t m,
                       const double *df, size_t n, mkba_fin_ws *w, mkba_fin *out);

/* Names for files: "paid" "never" "falls_back" "no_flows" "undefined";
 * "unique" "none" "multiple" "outside" "undefined". */
const char *mkba_fin_payback_name(mkba_fin_payback_status s);
const char *mkba_fin_irr_name(mkba_fin_irr_status s);

/* One year's net flow from its inflows and outflows (each >= 0 or not):
 * plus - minus, or 0 where the two cancel up to rounding (|plus - minus|
 * <= MKBA_FIN_TOL * (|plus| + |minus|)), so that a stakeholder whose
 * benefits and costs are equal (an employer paying out the production as
 * wages) has no flows rather than rounding noise with sign changes. */
static inline double mkba_fin_net(double plus, double minus)
{
    /* |d| <= DBL_MAX is isfinite(d); the two tests as a select, without
     * branches, so that a loop of these is vectorised */
    double d = plus - minus, a = fabs(d);
    int cancel = (a <= DBL_MAX) & (a <= MKBA_FIN_TOL * (fabs(plus) + fabs(minus)));
    return cancel ? 0 : d;
}

#endif

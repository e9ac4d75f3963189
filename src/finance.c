/* finance.c - the payback year and the internal rate of return of a
 * yearly series of net flows (the definitions are in finance.h). */
#include "mkba/finance.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdlib.h>

#include "mkba/mem.h"

struct mkba_fin_ws {
    gsl_root_fsolver *s; /* Brent's method */
    double *series;      /* [cap] one series of a block, gathered (mkba_fin_of_n) */
    size_t cap;
};

mkba_fin_ws *mkba_fin_ws_alloc(void)
{
    mkba_fin_ws *w = mkba_xcalloc(1, sizeof *w);
    w->s = mkba_xcheck(gsl_root_fsolver_alloc(gsl_root_fsolver_brent), 64);
    return w;
}

void mkba_fin_ws_free(mkba_fin_ws *w)
{
    if (!w)
        return;
    gsl_root_fsolver_free(w->s);
    free(w->series);
    free(w);
}

const char *mkba_fin_payback_name(mkba_fin_payback_status s)
{
    static const char *const names[] = {"paid", "never", "falls_back", "no_flows", "undefined"};
    return (unsigned)s < MKBA_FIN_PAYBACK_N ? names[s] : "?";
}

const char *mkba_fin_irr_name(mkba_fin_irr_status s)
{
    static const char *const names[] = {"unique", "none", "multiple", "outside", "undefined"};
    return (unsigned)s < MKBA_FIN_IRR_N ? names[s] : "?";
}

/* ================================== IRR ================================== */

typedef struct series {
    const double *f;
    size_t n;
} series;

/* A function of r with the sign and the roots of NPV(r) on r > -1, finite
 * for finite flows: for r >= 0 the polynomial sum f[t] x^t in x = 1/(1+r)
 * <= 1; for r < 0 the same times (1+r)^(n-1), sum f[t] y^(n-1-t) in
 * y = 1 + r < 1. Both are bounded by sum |f|; at r = 0 both are the sum. */
static double npv_sign(double r, void *p)
{
    const series *s = p;
    double v = 0;
    if (r >= 0) {
        double x = 1.0 / (1.0 + r);
        for (size_t t = s->n; t-- > 0;)
            v = v * x + s->f[t];
    } else {
        double y = 1.0 + r;
        for (size_t t = 0; t < s->n; t++)
            v = v * y + s->f[t];
    }
    return v;
}

static int sign_of(double x, double tol)
{
    return x > tol ? 1 : x < -tol ? -1 : 0;
}

/* Sign changes of x (zeros skipped) as the values come in. */
typedef struct changes {
    int last, n;
} changes;

static void see(changes *c, int sign)
{
    if (sign == 0)
        return;
    c->n += c->last != 0 && sign != c->last;
    c->last = sign;
}

/* The root of s in [lo, hi], where npv_sign changes sign strictly. */
static double brent(mkba_fin_ws *w, series *s, double lo, double hi)
{
    gsl_function F = {npv_sign, s};
    gsl_root_fsolver_set(w->s, &F, lo, hi); /* straddles: checked by the caller */
    double r = 0.5 * (lo + hi);
    for (int i = 0; i < 200; i++) {
        if (gsl_root_fsolver_iterate(w->s) != GSL_SUCCESS)
            break;
        r = gsl_root_fsolver_root(w->s);
        lo = gsl_root_fsolver_x_lower(w->s);
        hi = gsl_root_fsolver_x_upper(w->s);
        if (gsl_root_test_interval(lo, hi, 1e-12, 0) == GSL_SUCCESS)
            break;
    }
    return r;
}

/* The unique root, known to lie between 0 and 'end' (MIN or MAX), where
 * npv_sign has the sign 'at0' at 0. */
static mkba_fin_irr_status solve(mkba_fin_ws *w, series *s, double end, int at0, double *rate)
{
    double v = npv_sign(end, s);
    if (v == 0)
        return *rate = end, MKBA_FIN_IRR_UNIQUE;
    if ((v > 0) == (at0 > 0)) /* no change of sign up to the end: the root is beyond */
        return MKBA_FIN_IRR_OUTSIDE;
    *rate = end > 0 ? brent(w, s, 0, end) : brent(w, s, end, 0);
    return MKBA_FIN_IRR_UNIQUE;
}

/* The IRR of a series whose flows change sign (lanes_of), with their
 * tolerance: Norstrom's bounds, then the root. */
static mkba_fin_irr_status irr_bounded(const double *flow, size_t n, double tol, mkba_fin_ws *w,
                                       double *rate)
{
    double fwd = 0, bwd = 0;
    changes v = {0, 0}, vf = {0, 0}, vb = {0, 0}; /* flows, cumulative, cumulative from the end */
    for (size_t t = 0; t < n; t++) {
        see(&v, sign_of(flow[t], tol));
        see(&vf, sign_of(fwd += flow[t], tol));
        see(&vb, sign_of(bwd += flow[n - 1 - t], tol));
    }
    int at0 = sign_of(fwd, tol); /* NPV(0): the flows' sum */
    int bound = vf.n + vb.n + (at0 == 0);
    if (v.n < bound)
        bound = v.n;
    if (bound != 1)
        return MKBA_FIN_IRR_MULTIPLE;
    if (at0 == 0)
        return *rate = 0, MKBA_FIN_IRR_UNIQUE;
    mkba_fin_ws *own = w ? NULL : mkba_fin_ws_alloc();
    series s = {flow, n};
    /* The one root is at r > 0 when the cumulative flows change sign (its
     * bound is the one left), else at -1 < r < 0. */
    mkba_fin_irr_status st = solve(w ? w : own, &s, vf.n == 1 ? MKBA_FIN_IRR_MAX : MKBA_FIN_IRR_MIN,
                                   at0, rate);
    mkba_fin_ws_free(own);
    return st;
}

/* ======================== series side by side ======================== */

/* The rules of finance.h for up to LANES series at once (a block of Monte
 * Carlo draws, or one series): series j's flow in year t is
 * flow[t * stride + j]. One pass over the years gathers what settles both
 * measures for nearly every series; the loop over the lanes is a plain
 * array loop, without branches, that the compiler vectorises. Each series
 * takes the same operations in the same order as it would alone, so its
 * results do not depend on its company. */
#define LANES 32

typedef struct lanes {
    double scale[LANES];     /* sum |flow * df|: not finite when a flow or a factor is not
                                (its terms are >= 0, so inf or NaN stays) */
    double scale_irr[LANES]; /* sum |flow|: the same for the IRR */
    double c[LANES];         /* C(t), the cumulative discounted flow, at the end */
    double c_max[LANES];     /* the largest C(t), or 0 */
    double c_min[LANES];     /* the smallest C(t), or 0 */
    double hi[LANES];        /* the largest flow, or 0 */
    double lo[LANES];        /* the smallest flow, or 0 */
} lanes;

static void lanes_pass(const double *flow, size_t stride, size_t m, const double *df, size_t n,
                       lanes *a)
{
    for (size_t j = 0; j < m; j++)
        a->scale[j] = a->scale_irr[j] = a->c[j] = a->c_max[j] = a->c_min[j] = a->hi[j] =
            a->lo[j] = 0;
    for (size_t t = 0; t < n; t++) {
        const double *f = flow + t * stride, d = df ? df[t] : 1.0;
        for (size_t j = 0; j < m; j++) {
            double g = f[j] * d, c = a->c[j] + g;
            a->scale[j] += fabs(g);
            a->c[j] = c;
            a->c_max[j] = c > a->c_max[j] ? c : a->c_max[j];
            a->c_min[j] = c < a->c_min[j] ? c : a->c_min[j];
            a->scale_irr[j] += fabs(f[j]);
            a->hi[j] = f[j] > a->hi[j] ? f[j] : a->hi[j];
            a->lo[j] = f[j] < a->lo[j] ? f[j] : a->lo[j];
        }
    }
}

/* The year after the last one with C(t) < -tol (0-based): the payback
 * year's index when C ends >= -tol, for the series that dipped below. */
static size_t after_deficit(const double *flow, size_t stride, const double *df, size_t n,
                            double tol)
{
    double c = 0;
    size_t after = 0;
    for (size_t t = 0; t < n; t++) {
        c += flow[t * stride] * (df ? df[t] : 1.0); /* as lanes_pass */
        if (c < -tol)
            after = t + 1;
    }
    return after;
}

/* The payback of series 0..m-1 (m <= LANES) into out[j].payback and .year,
 * and the first test of their IRR into out[j].irr_status: UNDEFINED (a
 * flow not finite), NONE (no sign change in the flows: Descartes' bound is
 * 0), or MKBA_FIN_IRR_N: more to do (irr_bounded, with the series'
 * tolerance irr_tol[j]); out[j].irr NaN. With tol >= 0: C ends below
 * -tol exactly when the last year is in deficit; C is above tol in some
 * year when its largest value is; no year is in deficit when its smallest
 * is not (year 1); only a series in deficit that ends out of it needs its
 * years again (after_deficit). The flows change sign when the largest is
 * above the tolerance and the smallest below minus it. */
static void lanes_of(const double *flow, size_t stride, size_t m, const double *df, size_t n,
                     mkba_fin *out, double *irr_tol)
{
    lanes a;
    lanes_pass(flow, stride, m, df, n, &a);
    for (size_t j = 0; j < m; j++) {
        mkba_fin *x = &out[j];
        double tol = MKBA_FIN_TOL * a.scale[j];
        x->year = 0;
        if (!isfinite(a.scale[j]))
            x->payback = MKBA_FIN_UNDEFINED;
        else if (a.scale[j] == 0)
            x->payback = MKBA_FIN_NO_FLOWS;
        else if (a.c[j] < -tol) /* below 0 at the end */
            x->payback = a.c_max[j] > tol ? MKBA_FIN_FALLS_BACK : MKBA_FIN_NEVER;
        else
            x->payback = MKBA_FIN_PAID,
            x->year = 1 + (int)(a.c_min[j] < -tol ? after_deficit(flow + j, stride, df, n, tol) : 0);
        irr_tol[j] = MKBA_FIN_TOL * a.scale_irr[j];
        x->irr = NAN;
        x->irr_status = !isfinite(a.scale_irr[j])                       ? MKBA_FIN_IRR_UNDEFINED
                        : a.hi[j] > irr_tol[j] && a.lo[j] < -irr_tol[j] ? MKBA_FIN_IRR_N
                                                                        : MKBA_FIN_IRR_NONE;
    }
}

int mkba_fin_payback(const double *flow, const double *df, size_t n,
                     mkba_fin_payback_status *status)
{
    mkba_fin x;
    double tol;
    lanes_of(flow, 1, 1, df, n, &x, &tol);
    *status = x.payback;
    return x.year;
}

mkba_fin_irr_status mkba_fin_irr(const double *flow, size_t n, mkba_fin_ws *w, double *rate)
{
    mkba_fin x;
    double tol;
    lanes_of(flow, 1, 1, NULL, n, &x, &tol);
    *rate = NAN;
    return x.irr_status == MKBA_FIN_IRR_N ? irr_bounded(flow, n, tol, w, rate) : x.irr_status;
}

void mkba_fin_of(const double *flow, const double *df, size_t n, mkba_fin_ws *w, mkba_fin *out)
{
    double tol;
    lanes_of(flow, 1, 1, df, n, out, &tol);
    if (out->irr_status == MKBA_FIN_IRR_N)
        out->irr_status = irr_bounded(flow, n, tol, w, &out->irr);
}

/* Series j of a block, gathered into w->series. */
static const double *gather(mkba_fin_ws *w, const double *flow, size_t stride, size_t n)
{
    if (w->cap < n) {
        w->series = mkba_xreallocarray(w->series, n, sizeof *w->series);
        w->cap = n;
    }
    for (size_t t = 0; t < n; t++)
        w->series[t] = flow[t * stride];
    return w->series;
}

void mkba_fin_of_n(const double *flow, size_t stride, size_t m, const double *df, size_t n,
                   mkba_fin_ws *w, mkba_fin *out)
{
    for (size_t j0 = 0; j0 < m; j0 += LANES) {
        size_t l = m - j0 < LANES ? m - j0 : LANES;
        double tol[LANES];
        lanes_of(flow + j0, stride, l, df, n, out + j0, tol);
        for (size_t j = 0; j < l; j++) {
            mkba_fin *x = &out[j0 + j];
            if (x->irr_status == MKBA_FIN_IRR_N)
                x->irr_status =
                    irr_bounded(gather(w, flow + j0 + j, stride, n), n, tol[j], w, &x->irr);
        }
    }
}

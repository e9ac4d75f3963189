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

/* ================================ payback ================================ */

int mkba_fin_payback(const double *flow, const double *df, size_t n,
                     mkba_fin_payback_status *status)
{
    double scale = 0;
    for (size_t t = 0; t < n; t++) {
        double g = flow[t] * (df ? df[t] : 1.0);
        if (!isfinite(g))
            return *status = MKBA_FIN_UNDEFINED, 0;
        scale += fabs(g);
    }
    if (!isfinite(scale))
        return *status = MKBA_FIN_UNDEFINED, 0;
    if (scale == 0)
        return *status = MKBA_FIN_NO_FLOWS, 0;
    double tol = MKBA_FIN_TOL * scale, c = 0;
    size_t after_deficit = 0; /* the year after the last one with C < 0 (0-based index) */
    int above = 0;
    for (size_t t = 0; t < n; t++) {
        c += flow[t] * (df ? df[t] : 1.0);
        if (c < -tol)
            after_deficit = t + 1;
        else if (c > tol)
            above = 1;
    }
    if (after_deficit == n) /* below 0 at the end */
        return *status = above ? MKBA_FIN_FALLS_BACK : MKBA_FIN_NEVER, 0;
    *status = MKBA_FIN_PAID;
    return (int)after_deficit + 1;
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

mkba_fin_irr_status mkba_fin_irr(const double *flow, size_t n, mkba_fin_ws *w, double *rate)
{
    *rate = NAN;
    double scale = 0;
    for (size_t t = 0; t < n; t++) {
        if (!isfinite(flow[t]))
            return MKBA_FIN_IRR_UNDEFINED;
        scale += fabs(flow[t]);
    }
    if (!isfinite(scale))
        return MKBA_FIN_IRR_UNDEFINED;
    double tol = MKBA_FIN_TOL * scale, fwd = 0, bwd = 0;
    changes v = {0, 0}, vf = {0, 0}, vb = {0, 0}; /* flows, cumulative, cumulative from the end */
    for (size_t t = 0; t < n; t++) {
        see(&v, sign_of(flow[t], tol));
        see(&vf, sign_of(fwd += flow[t], tol));
        see(&vb, sign_of(bwd += flow[n - 1 - t], tol));
    }
    if (v.n == 0)
        return MKBA_FIN_IRR_NONE; /* Descartes: no root with r > -1 */
    int at0 = sign_of(fwd, tol);  /* NPV(0): the flows' sum */
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

void mkba_fin_of(const double *flow, const double *df, size_t n, mkba_fin_ws *w, mkba_fin *out)
{
    out->year = mkba_fin_payback(flow, df, n, &out->payback);
    out->irr_status = mkba_fin_irr(flow, n, w, &out->irr);
}

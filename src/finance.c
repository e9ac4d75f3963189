/* finance.c - the payback year and the internal rate of return of a
 * yearly series of net flows (the definitions are in finance.h). */
#include "mkba/finance.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/cpu.h"
#include "mkba/mem.h"

#if defined(__SSE2__) || MKBA_CPU_AVX2
#include <immintrin.h>
#endif

struct mkba_fin_ws {
    gsl_root_fsolver *s; /* Brent's method */
    double *series;      /* [cap] one series of a block, gathered (mkba_fin_of_n) */
    size_t cap;
};

mkba_fin_ws *mkba_fin_ws_alloc(void)
{
    mkba_fin_ws *w = mkba_xcalloc_own(1, sizeof *w);
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
 * flow[t * stride + j], or, with the inflows and outflows apart,
 * mkba_fin_net(plus[t * stride + j], minus[t * stride + j]). One pass over
 * the years gathers what settles both measures for nearly every series.
 * Each series takes the same operations in the same order as it would
 * alone, so its results do not depend on its company. */
#define LANES 32

typedef struct block {
    const double *plus;      /* the flows, or the inflows (NULL: +0 each, when net) */
    const double *minus;     /* the outflows (NULL: +0 each), when net */
    int net;                 /* 1: the flows are plus and minus netted */
    size_t stride;
} block;

/* What one pass over the years settles for up to LANES series (lanes_of
 * says how). */
typedef struct lanes {
    int64_t payback[LANES];  /* the status */
    int64_t deficit[LANES];  /* -1: PAID, after a year in deficit (after_deficit finds the
                                year); else 0: PAID in year 1, or not paid */
    int64_t irr[LANES];      /* UNDEFINED, NONE, or MKBA_FIN_IRR_N: more to do */
    double tol[LANES];       /* MKBA_FIN_TOL * sum |flow * df|, payback's tolerance */
    double irr_tol[LANES];   /* MKBA_FIN_TOL * sum |flow|, the IRR's */
} lanes;

/* Series j's flow in year t. */
static double flow_at(const block *b, size_t t, size_t j)
{
    size_t i = t * b->stride + j;
    if (!b->net)
        return b->plus[i];
    return mkba_fin_net(b->plus ? b->plus[i] : 0.0, b->minus ? b->minus[i] : 0.0);
}

/* The pass over the years for series j alone: the sums (scale: sum
 * |flow * df|, not finite when a flow or a factor is not, since its terms
 * are >= 0; scale_irr: sum |flow|, the same for the IRR), C(t) the
 * cumulative discounted flow at the end and its largest and smallest
 * value (or 0), the largest and smallest flow (or 0); then what they
 * settle. */
static void pass_one(const block *b, size_t j, const double *df, size_t n, lanes *a)
{
    double scale = 0, scale_irr = 0, c = 0, c_max = 0, c_min = 0, hi = 0, lo = 0;
    for (size_t t = 0; t < n; t++) {
        double f = flow_at(b, t, j), g = f * (df ? df[t] : 1.0);
        c = c + g;
        scale += fabs(g);
        c_max = c > c_max ? c : c_max;
        c_min = c < c_min ? c : c_min;
        scale_irr += fabs(f);
        hi = f > hi ? f : hi;
        lo = f < lo ? f : lo;
    }
    double tol = MKBA_FIN_TOL * scale, irr_tol = MKBA_FIN_TOL * scale_irr;
    a->payback[j] = !isfinite(scale) ? MKBA_FIN_UNDEFINED
                    : scale == 0     ? MKBA_FIN_NO_FLOWS
                    : c < -tol       ? (c_max > tol ? MKBA_FIN_FALLS_BACK : MKBA_FIN_NEVER)
                                     : MKBA_FIN_PAID;
    a->deficit[j] = a->payback[j] == MKBA_FIN_PAID && c_min < -tol ? -1 : 0;
    a->irr[j] = !isfinite(scale_irr)            ? MKBA_FIN_IRR_UNDEFINED
                : hi > irr_tol && lo < -irr_tol ? MKBA_FIN_IRR_N
                                                : MKBA_FIN_IRR_NONE;
    a->tol[j] = tol;
    a->irr_tol[j] = irr_tol;
}

/* The pass of W series side by side, pass_one on vectors of W doubles
 * (VD; VI the same width of int64_t), every sum in a register across the
 * years: the same bits. Two copies: the portable code, W = 2 (SSE2 on
 * x86-64), and on x86-64 processors with AVX2, W = 4 (cpu.h). Each copy
 * names its operations: LT(x, y), LE, EQ the masks of x < y, x <= y,
 * x == y; MIN(x, y) x < y ? x : y and MAX(x, y) x > y ? x : y (SSE2's and
 * AVX2's min and max are those: y where either is NaN); ZERO(m, x) the
 * bits of x where m is not set, else +0. The processor's own comparisons
 * and selects: on SSE2, GCC's generic forms of these (a comparison's
 * result and'ed, a ?: of vectors) go lane by lane. fabs is the sign bit
 * cleared; isfinite(x) for x >= 0 or NaN is x <= DBL_MAX; mkba_fin_net's
 * two tests, |d| <= DBL_MAX and |d| <= tol, are |d| <= MIN(tol, DBL_MAX)
 * (tol NaN or inf: |d| is too). Netted with a side that is +0 (NULL),
 * mkba_fin_net(f, +0) is f + 0 and mkba_fin_net(+0, m) is 0 - m, bit for
 * bit (each cancels only where both are 0, and gives +0 there, as the
 * sums do). */
typedef double v2d __attribute__((vector_size(2 * sizeof(double))));
typedef int64_t v2i __attribute__((vector_size(2 * sizeof(int64_t))));
typedef double v4d __attribute__((vector_size(4 * sizeof(double))));
typedef int64_t v4i __attribute__((vector_size(4 * sizeof(int64_t))));
#define V_SEL(mask, x, y) (((mask) & (x)) | (~(mask) & (y)))
#define V_ABS(x) ((VD)((VI)(x) & absmask))

/* The flow f of W series in year t from index i = t * stride + j: as it
 * is, or netted (both sides, or one with the other +0). */
#define FLOW_RAW memcpy(&f, b->plus + i, sizeof f)
#define FLOW_NET                                                                                 \
    do { /* mkba_fin_net */                                                                      \
        memcpy(&f, b->plus + i, sizeof f);                                                       \
        memcpy(&minus, b->minus + i, sizeof minus);                                              \
        VD d = f - minus;                                                                        \
        f = ZERO(LE(V_ABS(d), MIN(ftol * (V_ABS(f) + V_ABS(minus)), big)), d);                   \
    } while (0)
#define FLOW_PLUS (memcpy(&f, b->plus + i, sizeof f), f = f + zero)
#define FLOW_MINUS (memcpy(&minus, b->minus + i, sizeof minus), f = zero - minus)
#define FLOW_ZERO (f = zero)

/* The years of series j .. j + W - 1, their flows by FLOW. */
#define YEARS(FLOW)                                                                              \
    for (size_t t = 0, i = j; t < n; t++, i += b->stride) {                                      \
        FLOW;                                                                                    \
        VD g = f * (df ? df[t] : 1.0);                                                           \
        c = c + g;                                                                               \
        scale += V_ABS(g);                                                                       \
        c_max = MAX(c, c_max);                                                                   \
        c_min = MIN(c, c_min);                                                                   \
        scale_irr += V_ABS(f);                                                                   \
        hi = MAX(f, hi);                                                                         \
        lo = MIN(f, lo);                                                                         \
    }

/* The function NAME, compiled with ATTR, that runs the pass of series
 * 0 .. m - m % W - 1, W at a time. */
#define PASS_VECTORS(NAME, ATTR)                                                                 \
    ATTR static void NAME(const block *b, size_t m, const double *df, size_t n, lanes *a)        \
    {                                                                                            \
        const VD zero = {0}, ftol = zero + MKBA_FIN_TOL, big = zero + DBL_MAX;                   \
        const VI none = {0}, absmask = none + INT64_MAX;                                         \
        for (size_t j = 0; j + W <= m; j += W) {                                                 \
            VD scale = zero, scale_irr = zero, c = zero, c_max = zero, c_min = zero,             \
               hi = zero, lo = zero, f = zero, minus;                                            \
            if (!b->net)                                                                         \
                YEARS(FLOW_RAW)                                                                  \
            else if (b->plus && b->minus)                                                        \
                YEARS(FLOW_NET)                                                                  \
            else if (b->plus)                                                                    \
                YEARS(FLOW_PLUS)                                                                 \
            else if (b->minus)                                                                   \
                YEARS(FLOW_MINUS)                                                                \
            else                                                                                 \
                YEARS(FLOW_ZERO)                                                                 \
            VD tol = ftol * scale, irr_tol = ftol * scale_irr;                                   \
            VI finite = LE(scale, big), flat = EQ(scale, zero), below = LT(c, -tol);             \
            VI st = V_SEL(below,                                                                 \
                          V_SEL(LT(tol, c_max), none + MKBA_FIN_FALLS_BACK,                      \
                                none + MKBA_FIN_NEVER),                                          \
                          none + MKBA_FIN_PAID);                                                 \
            st = V_SEL(flat, none + MKBA_FIN_NO_FLOWS, st);                                      \
            st = V_SEL(finite, st, none + MKBA_FIN_UNDEFINED);                                   \
            VI deficit = finite & ~flat & ~below & LT(c_min, -tol);                              \
            VI irr = V_SEL(LT(irr_tol, hi) & LT(lo, -irr_tol), none + MKBA_FIN_IRR_N,            \
                           none + MKBA_FIN_IRR_NONE);                                            \
            irr = V_SEL(LE(scale_irr, big), irr, none + MKBA_FIN_IRR_UNDEFINED);                 \
            memcpy(a->payback + j, &st, sizeof st);                                              \
            memcpy(a->deficit + j, &deficit, sizeof deficit);                                    \
            memcpy(a->irr + j, &irr, sizeof irr);                                                \
            memcpy(a->tol + j, &tol, sizeof tol);                                                \
            memcpy(a->irr_tol + j, &irr_tol, sizeof irr_tol);                                    \
        }                                                                                        \
    }

#define VD v2d
#define VI v2i
#define W 2
#if defined(__SSE2__)
#define LT(x, y) ((v2i)_mm_cmplt_pd(x, y))
#define LE(x, y) ((v2i)_mm_cmple_pd(x, y))
#define EQ(x, y) ((v2i)_mm_cmpeq_pd(x, y))
#define MIN(x, y) ((v2d)_mm_min_pd(x, y))
#define MAX(x, y) ((v2d)_mm_max_pd(x, y))
#define ZERO(m, x) ((v2d)_mm_andnot_pd((__m128d)(m), x))
#else /* GCC's generic forms */
#define LT(x, y) ((VI)((x) < (y)))
#define LE(x, y) ((VI)((x) <= (y)))
#define EQ(x, y) ((VI)((x) == (y)))
#define MIN(x, y) ((VD)V_SEL(LT(x, y), (VI)(x), (VI)(y)))
#define MAX(x, y) ((VD)V_SEL(LT(y, x), (VI)(x), (VI)(y)))
#define ZERO(m, x) ((VD)((VI)(x) & ~(m)))
#endif
PASS_VECTORS(pass_portable, )
#undef VD
#undef VI
#undef W
#undef LT
#undef LE
#undef EQ
#undef MIN
#undef MAX
#undef ZERO

#if MKBA_CPU_AVX2
#define VD v4d
#define VI v4i
#define W 4
#define LT(x, y) ((v4i)_mm256_cmp_pd(x, y, _CMP_LT_OQ))
#define LE(x, y) ((v4i)_mm256_cmp_pd(x, y, _CMP_LE_OQ))
#define EQ(x, y) ((v4i)_mm256_cmp_pd(x, y, _CMP_EQ_OQ))
#define MIN(x, y) ((v4d)_mm256_min_pd(x, y))
#define MAX(x, y) ((v4d)_mm256_max_pd(x, y))
#define ZERO(m, x) ((v4d)_mm256_andnot_pd((__m256d)(m), x))
PASS_VECTORS(pass_avx2, MKBA_AVX2)
#undef VD
#undef VI
#undef W
#undef LT
#undef LE
#undef EQ
#undef MIN
#undef MAX
#undef ZERO
#endif

static void lanes_pass(const block *b, size_t m, const double *df, size_t n, lanes *a)
{
    size_t done = m - m % 2; /* the series the vectors take */
#if MKBA_CPU_AVX2
    if (mkba_cpu_avx2()) {
        done = m - m % 4;
        pass_avx2(b, m, df, n, a);
    } else
#endif
        pass_portable(b, m, df, n, a);
    for (size_t j = done; j < m; j++)
        pass_one(b, j, df, n, a);
}

/* Series j of a block into w->series, one year after the other. */
static const double *gather(mkba_fin_ws *w, const block *b, size_t j, size_t n)
{
    if (w->cap < n) {
        w->series = mkba_xreallocarray(w->series, n, sizeof *w->series);
        w->cap = n;
    }
    for (size_t t = 0; t < n; t++)
        w->series[t] = flow_at(b, t, j);
    return w->series;
}

/* The year after the last one with C(t) < -tol (0-based): the payback
 * year's index when C ends >= -tol, for the series that dipped below.
 * Its flows are flow[t * stride]. */
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
 * above the tolerance and the smallest below minus it. 'w' may be NULL
 * when the block is not netted. */
static void lanes_of(const block *b, size_t m, const double *df, size_t n, mkba_fin_ws *w,
                     mkba_fin *out, double *irr_tol)
{
    lanes a;
    lanes_pass(b, m, df, n, &a);
    for (size_t j = 0; j < m; j++) {
        mkba_fin *x = &out[j];
        x->payback = (mkba_fin_payback_status)a.payback[j];
        x->year = x->payback != MKBA_FIN_PAID ? 0
                  : !a.deficit[j]             ? 1
                  : b->net ? 1 + (int)after_deficit(gather(w, b, j, n), 1, df, n, a.tol[j])
                             : 1 + (int)after_deficit(b->plus + j, b->stride, df, n, a.tol[j]);
        irr_tol[j] = a.irr_tol[j];
        x->irr = NAN;
        x->irr_status = (mkba_fin_irr_status)a.irr[j];
    }
}

int mkba_fin_payback(const double *flow, const double *df, size_t n,
                     mkba_fin_payback_status *status)
{
    mkba_fin x;
    double tol;
    block b = {flow, NULL, 0, 1};
    lanes_of(&b, 1, df, n, NULL, &x, &tol);
    *status = x.payback;
    return x.year;
}

mkba_fin_irr_status mkba_fin_irr(const double *flow, size_t n, mkba_fin_ws *w, double *rate)
{
    mkba_fin x;
    double tol;
    block b = {flow, NULL, 0, 1};
    lanes_of(&b, 1, NULL, n, NULL, &x, &tol);
    *rate = NAN;
    return x.irr_status == MKBA_FIN_IRR_N ? irr_bounded(flow, n, tol, w, rate) : x.irr_status;
}

void mkba_fin_of(const double *flow, const double *df, size_t n, mkba_fin_ws *w, mkba_fin *out)
{
    double tol;
    block b = {flow, NULL, 0, 1};
    lanes_of(&b, 1, df, n, NULL, out, &tol);
    if (out->irr_status == MKBA_FIN_IRR_N)
        out->irr_status = irr_bounded(flow, n, tol, w, &out->irr);
}

static void of_block(const block *b, size_t m, const double *df, size_t n, mkba_fin_ws *w,
                     mkba_fin *out)
{
    for (size_t j0 = 0; j0 < m; j0 += LANES) {
        size_t l = m - j0 < LANES ? m - j0 : LANES;
        double tol[LANES];
        block part = {b->plus ? b->plus + j0 : NULL, b->minus ? b->minus + j0 : NULL, b->net,
                      b->stride};
        lanes_of(&part, l, df, n, w, out + j0, tol);
        for (size_t j = 0; j < l; j++) {
            mkba_fin *x = &out[j0 + j];
            if (x->irr_status == MKBA_FIN_IRR_N)
                x->irr_status = irr_bounded(gather(w, &part, j, n), n, tol[j], w, &x->irr);
        }
    }
}

void mkba_fin_of_n(const double *flow, size_t stride, size_t m, const double *df, size_t n,
                   mkba_fin_ws *w, mkba_fin *out)
{
    block b = {flow, NULL, 0, stride};
    of_block(&b, m, df, n, w, out);
}

void mkba_fin_of_net_n(const double *plus, const double *minus, size_t stride, size_t m,
                       const double *df, size_t n, mkba_fin_ws *w, mkba_fin *out)
{
    block b = {plus, minus, 1, stride};
    of_block(&b, m, df, n, w, out);
}

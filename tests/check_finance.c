/* check_finance.c - unit tests of finance.h: the payback year and the
 * internal rate of return of a series of yearly net flows. Every expected
 * value is worked out by hand in the comment beside it: cumulative sums
 * for the payback year, and for the IRR the root of NPV(r) = sum_t f_t /
 * (1 + r)^t = 0, which for u = 1 + r is a polynomial in u (multiply by
 * u^(n-1)): f_0 u^(n-1) + f_1 u^(n-2) + ... + f_(n-1) = 0. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "mkba/cpu.h"
#include "mkba/finance.h"
#include "testutil.h"

#define N(a) (sizeof(a) / sizeof *(a))

/* The IRR of the literal array f, asserting its status. */
static double irr_of(const double *f, size_t n, mkba_fin_irr_status want)
{
    double r = -123;
    mkba_fin_irr_status st = mkba_fin_irr(f, n, NULL, &r);
    ck_assert_msg(st == want, "status %s, expected %s", mkba_fin_irr_name(st),
                  mkba_fin_irr_name(want));
    if (st != MKBA_FIN_IRR_UNIQUE)
        ck_assert_msg(isnan(r), "no rate expected, got %g", r);
    return r;
}

/* ================================== IRR ================================== */

START_TEST(irr_one_period)
{
    /* -100 then 110: -100 u + 110 = 0, u = 1.1, r = 10% */
    const double f[] = {-100, 110};
    ck_assert_double_eq_tol(irr_of(f, N(f), MKBA_FIN_IRR_UNIQUE), 0.1, 1e-10);
    /* -100 then 200: u = 2, r = 100% */
    const double g[] = {-100, 200};
    ck_assert_double_eq_tol(irr_of(g, N(g), MKBA_FIN_IRR_UNIQUE), 1.0, 1e-10);
    /* -100 then 100: the flows sum to 0, r = 0 exactly */
    const double h[] = {-100, 100};
    ck_assert_double_eq(irr_of(h, N(h), MKBA_FIN_IRR_UNIQUE), 0.0);
}
END_TEST

START_TEST(irr_quadratic)
{
    /* -100, 60, 60: -100 u^2 + 60 u + 60 = 0, u = (60 + sqrt(60^2 + 4 * 100 * 60)) / 200
     * = (3 + sqrt(69)) / 10 (the other root is negative), r = (sqrt(69) - 7) / 10
     * = 0.1306624... */
    const double f[] = {-100, 60, 60};
    ck_assert_double_eq_tol(irr_of(f, N(f), MKBA_FIN_IRR_UNIQUE), (sqrt(69.0) - 7) / 10, 1e-10);
    /* a loss: -100, 50, 40: -100 u^2 + 50 u + 40 = 0, u = (50 + sqrt(2500 + 16000)) / 200,
     * r = u - 1 = -0.0699263... (between -1 and 0: the other side of the bracket) */
    const double g[] = {-100, 50, 40};
    ck_assert_double_eq_tol(irr_of(g, N(g), MKBA_FIN_IRR_UNIQUE),
                            (50 + sqrt(18500.0)) / 200 - 1, 1e-10);
    /* benefits first, costs later (a loan taken): 100, -110: 100 u - 110 = 0, r = 10% */
    const double h[] = {100, -110};
    ck_assert_double_eq_tol(irr_of(h, N(h), MKBA_FIN_IRR_UNIQUE), 0.1, 1e-10);
    /* zeros: {0, -100, 0, 0} has one sign (no root); leading and trailing zeros (a
     * later start) do not move the root of -100, 110: u = 1.1 again */
    const double z[] = {0, -100, 0, 0};
    const double zz[] = {0, 0, -100, 110, 0};
    irr_of(z, N(z), MKBA_FIN_IRR_NONE);
    ck_assert_double_eq_tol(irr_of(zz, N(zz), MKBA_FIN_IRR_UNIQUE), 0.1, 1e-10);
}
END_TEST

START_TEST(irr_two_roots_is_multiple)
{
    /* 100, -230, 132: 100 u^2 - 230 u + 132 = 0, discriminant 230^2 - 4 * 100 * 132 = 100,
     * u = (230 -+ 10) / 200 = 1.1 and 1.2: NPV 0 at 10% and at 20%. No rate is chosen. */
    const double f[] = {100, -230, 132};
    irr_of(f, N(f), MKBA_FIN_IRR_MULTIPLE);
    /* -100, 200, -50: u^2 - 2u + 0.5 = 0, u = 1 -+ sqrt(0.5): r = -70.7% and +70.7%; the
     * cumulative flows (-100, 100, 50) and those from the end (-50, 150, 50) each change
     * sign once, so Norstrom's criterion bounds the roots by 1 + 1 = 2 */
    const double g[] = {-100, 200, -50};
    irr_of(g, N(g), MKBA_FIN_IRR_MULTIPLE);
    /* -100, 50, -10: 100 u^2 - 50 u + 10 has discriminant 2500 - 4000 < 0: no root at
     * all, yet two sign changes: not provably unique, said as MULTIPLE, never a rate */
    const double h[] = {-100, 50, -10};
    irr_of(h, N(h), MKBA_FIN_IRR_MULTIPLE);
}
END_TEST

START_TEST(irr_unique_by_norstrom)
{
    /* -100, 50, -10, 83.6: three sign changes, so Descartes allows 3 or 1 roots; but the
     * cumulative flows -100, -50, -60, 23.6 change sign once (one root with r > 0) and
     * those from the end 83.6, 73.6, 123.6, 23.6 never (no root with r < 0), and the sum
     * 23.6 is not 0: one root. Built to have it at u = 1.1:
     * -100 * 1.331 + 50 * 1.21 - 10 * 1.1 + 83.6 = -133.1 + 60.5 - 11 + 83.6 = 0. */
    const double f[] = {-100, 50, -10, 83.6};
    ck_assert_double_eq_tol(irr_of(f, N(f), MKBA_FIN_IRR_UNIQUE), 0.1, 1e-10);
}
END_TEST

START_TEST(irr_none_and_outside)
{
    /* one sign throughout: NPV > 0 (or < 0) at every rate, no root */
    const double pos[] = {10, 20, 30};
    const double neg[] = {-10, 0, -30};
    const double zero[] = {0, 0, 0};
    irr_of(pos, N(pos), MKBA_FIN_IRR_NONE);
    irr_of(neg, N(neg), MKBA_FIN_IRR_NONE);
    irr_of(zero, N(zero), MKBA_FIN_IRR_NONE);
    irr_of(pos, 0, MKBA_FIN_IRR_NONE); /* no years */
    /* -1 then 100: u = 100, r = 9900%: unique but above +1000% */
    const double hi[] = {-1, 100};
    irr_of(hi, N(hi), MKBA_FIN_IRR_OUTSIDE);
    /* -100 then 0.5: u = 0.005, r = -99.5%: below -99% */
    const double lo[] = {-100, 0.5};
    irr_of(lo, N(lo), MKBA_FIN_IRR_OUTSIDE);
    /* -100 then 1100: u = 11, r = 1000% exactly, the edge of the range: in it */
    const double edge[] = {-100, 1100};
    ck_assert_double_eq_tol(irr_of(edge, N(edge), MKBA_FIN_IRR_UNIQUE), 10.0, 1e-9);
    /* not finite */
    const double bad[] = {-100, NAN};
    irr_of(bad, N(bad), MKBA_FIN_IRR_UNDEFINED);
    const double inf[] = {-100, INFINITY};
    irr_of(inf, N(inf), MKBA_FIN_IRR_UNDEFINED);
}
END_TEST

START_TEST(irr_rounding_noise_is_no_sign_change)
{
    /* -100, 110 with noise of 1e-14 of the other sign in between: the noise is below
     * MKBA_FIN_TOL * 210 and is no sign change, so the root is still unique (10%) */
    const double f[] = {-100, 1e-14, -1e-14, 110};
    /* -100 u^3 + 110 = 0 (the noise aside): u = 1.1^(1/3) */
    ck_assert_double_eq_tol(irr_of(f, N(f), MKBA_FIN_IRR_UNIQUE), cbrt(1.1) - 1, 1e-10);
}
END_TEST

START_TEST(irr_reuses_a_workspace)
{
    mkba_fin_ws *w = mkba_fin_ws_alloc();
    const double f[] = {-100, 110}, g[] = {-100, 60, 60};
    double r;
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(mkba_fin_irr(f, 2, w, &r), MKBA_FIN_IRR_UNIQUE);
        ck_assert_double_eq_tol(r, 0.1, 1e-10);
        ck_assert_int_eq(mkba_fin_irr(g, 3, w, &r), MKBA_FIN_IRR_UNIQUE);
        ck_assert_double_eq_tol(r, (sqrt(69.0) - 7) / 10, 1e-10);
    }
    mkba_fin_ws_free(w);
    mkba_fin_ws_free(NULL);
}
END_TEST

/* ================================ payback ================================ */

/* The payback year of f discounted by df, asserting the status. */
static int payback(const double *f, const double *df, size_t n, mkba_fin_payback_status want)
{
    mkba_fin_payback_status st = MKBA_FIN_PAYBACK_N;
    int y = mkba_fin_payback(f, df, n, &st);
    ck_assert_msg(st == want, "status %s, expected %s", mkba_fin_payback_name(st),
                  mkba_fin_payback_name(want));
    if (st != MKBA_FIN_PAID)
        ck_assert_int_eq(y, 0);
    return y;
}

START_TEST(payback_discounted)
{
    /* 10% discounted at the start of each year: df = 1, 1/1.1, 1/1.21, 1/1.331.
     * Flows -100, 55, 60.5, 13.31 discount to -100, 50, 50, 10: cumulative -100, -50,
     * 0, 10: >= 0 from year 3 on (reaching exactly 0 counts, up to rounding). */
    const double df[] = {1, 1 / 1.1, 1 / 1.21, 1 / 1.331};
    const double f[] = {-100, 55, 60.5, 13.31};
    ck_assert_int_eq(payback(f, df, 4, MKBA_FIN_PAID), 3);
    /* the same flows undiscounted: cumulative -100, -45, 15.5, 28.81: year 3 too;
     * -100, 100, 240, 80 at df 1, .5, .25, .125 (a 100% rate): discounted -100, 50, 60,
     * 10, cumulative -100, -50, 10, 20: year 3; undiscounted -100, 0, ...: year 2 */
    ck_assert_int_eq(payback(f, NULL, 4, MKBA_FIN_PAID), 3);
    const double g[] = {-100, 100, 240, 80}, half[] = {1, .5, .25, .125};
    ck_assert_int_eq(payback(g, half, 4, MKBA_FIN_PAID), 3);
    ck_assert_int_eq(payback(g, NULL, 4, MKBA_FIN_PAID), 2);
}
END_TEST

START_TEST(payback_never_and_turning_back)
{
    /* -100, 80, 160, 40 at a 100% rate: -100, 40, 40, 5, cumulative -100, -60, -20, -15:
     * never >= 0 */
    const double half[] = {1, .5, .25, .125};
    const double f[] = {-100, 80, 160, 40};
    payback(f, half, 4, MKBA_FIN_NEVER);
    /* costs only */
    const double c[] = {-1, -2, -3};
    payback(c, NULL, 3, MKBA_FIN_NEVER);
    /* -100, 150, -100, 0 (undiscounted): cumulative -100, 50, -50, -50: above 0 in year 2,
     * below at the end: falls back */
    const double b[] = {-100, 150, -100, 0};
    payback(b, NULL, 4, MKBA_FIN_FALLS_BACK);
    /* -100, 150, -100, 100: cumulative -100, 50, -50, 50: the payback of year 2 is lost
     * in year 3; from year 4 on it holds: year 4 */
    const double r[] = {-100, 150, -100, 100};
    ck_assert_int_eq(payback(r, NULL, 4, MKBA_FIN_PAID), 4);
}
END_TEST

START_TEST(payback_from_the_start)
{
    /* 10, -5, 0: cumulative 10, 5, 5: never in deficit, year 1 */
    const double f[] = {10, -5, 0};
    ck_assert_int_eq(payback(f, NULL, 3, MKBA_FIN_PAID), 1);
    /* 0, 0, 100: cumulative 0, 0, 100: never below 0, year 1 */
    const double g[] = {0, 0, 100};
    ck_assert_int_eq(payback(g, NULL, 3, MKBA_FIN_PAID), 1);
    /* 0, -100, 100 (undiscounted): cumulative 0, -100, 0: year 3 */
    const double h[] = {0, -100, 100};
    ck_assert_int_eq(payback(h, NULL, 3, MKBA_FIN_PAID), 3);
}
END_TEST

START_TEST(payback_no_flows_and_undefined)
{
    const double z[] = {0, 0, 0};
    payback(z, NULL, 3, MKBA_FIN_NO_FLOWS);
    payback(z, NULL, 0, MKBA_FIN_NO_FLOWS);
    const double n[] = {-1, NAN, 5};
    payback(n, NULL, 3, MKBA_FIN_UNDEFINED);
    const double f[] = {-1, 2}, df[] = {1, INFINITY};
    payback(f, df, 2, MKBA_FIN_UNDEFINED);
}
END_TEST

START_TEST(both_at_once_and_names)
{
    /* -100, 110 undiscounted: cumulative -100, 10: year 2; IRR 10% */
    const double f[] = {-100, 110};
    mkba_fin x;
    mkba_fin_of(f, NULL, 2, NULL, &x);
    ck_assert_int_eq(x.payback, MKBA_FIN_PAID);
    ck_assert_int_eq(x.year, 2);
    ck_assert_int_eq(x.irr_status, MKBA_FIN_IRR_UNIQUE);
    ck_assert_double_eq_tol(x.irr, 0.1, 1e-10);
    ck_assert_str_eq(mkba_fin_payback_name(MKBA_FIN_FALLS_BACK), "falls_back");
    ck_assert_str_eq(mkba_fin_irr_name(MKBA_FIN_IRR_MULTIPLE), "multiple");
    /* the rounding rule for a year's net flow: equal in- and outflows are 0 */
    ck_assert_double_eq(mkba_fin_net(0.1 + 0.2, 0.3), 0.0);
    ck_assert_double_eq(mkba_fin_net(5, 3), 2.0);
    ck_assert(isnan(mkba_fin_net(NAN, 1)));
}
END_TEST

/* ============================= many at once ============================== */

/* The payback rule of finance.h, written out year by year: C(t) summed,
 * the year after the last C(t) < -tol, C(t) > tol seen (tol = 1e-12 *
 * sum |flow * df|). */
static mkba_fin_payback_status payback_rule(const double *f, const double *df, size_t n, int *year)
{
    double scale = 0, c = 0;
    *year = 0;
    for (size_t t = 0; t < n; t++) {
        if (!isfinite(f[t] * df[t]))
            return MKBA_FIN_UNDEFINED;
        scale += fabs(f[t] * df[t]);
    }
    if (!isfinite(scale))
        return MKBA_FIN_UNDEFINED;
    if (scale == 0)
        return MKBA_FIN_NO_FLOWS;
    size_t after = 0;
    int above = 0;
    for (size_t t = 0; t < n; t++) {
        c += f[t] * df[t];
        if (c < -1e-12 * scale)
            after = t + 1;
        if (c > 1e-12 * scale)
            above = 1;
    }
    if (after == n)
        return above ? MKBA_FIN_FALLS_BACK : MKBA_FIN_NEVER;
    *year = (int)after + 1;
    return MKBA_FIN_PAID;
}

/* The IRR's first rule: undefined with a flow not finite, none when no
 * two flows beyond +-1e-12 * sum |flow| have opposite signs; else -1 (the
 * bounds and the root decide). */
static int irr_first_rule(const double *f, size_t n)
{
    double scale = 0;
    int pos = 0, neg = 0;
    for (size_t t = 0; t < n; t++) {
        if (!isfinite(f[t]))
            return MKBA_FIN_IRR_UNDEFINED;
        scale += fabs(f[t]);
    }
    for (size_t t = 0; t < n; t++) {
        pos |= f[t] > 1e-12 * scale;
        neg |= f[t] < -1e-12 * scale;
    }
    return pos && neg ? -1 : MKBA_FIN_IRR_NONE;
}

/* mkba_fin_of_n over a block of series side by side (stride 80, 70 of them:
 * more than one group of lanes and a part one) gives each series what the
 * rules above and mkba_fin_of give it alone, bit for bit: costs first and
 * benefits later, the other way round, flows that cancel exactly (-100, 100:
 * pays back with C = 0), noise at the tolerance, zeros, NaN and infinity.
 * The portable code gives the AVX2 code's bits (cpu.h). */
START_TEST(block_equals_one_by_one)
{
    enum { T = 8, M = 70, STRIDE = 80, ROUNDS = 40 };
    double df[T], flow[T * STRIDE], one[T];
    mkba_fin out[M], portable[M], x;
    mkba_fin_ws *w = mkba_fin_ws_alloc();
    for (size_t t = 0; t < T; t++)
        df[t] = pow(1.0225, -(double)t);
    unsigned long long seed = 12345;
    for (int round = 0; round < ROUNDS; round++) {
        for (size_t j = 0; j < M; j++) {
            int kind = (int)((j + (size_t)round) % 7);
            for (size_t t = 0; t < T; t++) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                double u = (double)(seed >> 11) * 0x1.0p-53; /* uniform in [0, 1) */
                double v = kind == 0   ? (t < 2 ? -100 * u : 60 * u)       /* invest, then earn */
                           : kind == 1 ? (t < 3 ? 50 * u : -40 * u)        /* earn, then pay */
                           : kind == 2 ? (t == 0 ? -100 : t == 1 ? 100 : 0) /* cancel exactly */
                           : kind == 3 ? (t == 0 ? 1000 : (u - 0.5) * 1e-9) /* noise at tol */
                           : kind == 4 ? 0
                           : kind == 5 ? (u - 0.5) * 100                    /* any signs */
                                       : (t == 3 ? (round % 2 ? NAN : INFINITY) : u);
                flow[t * STRIDE + j] = v;
            }
        }
        mkba_cpu_limit(MKBA_VEC_PORTABLE);
        mkba_fin_of_n(flow, STRIDE, M, df, T, w, portable);
        mkba_cpu_limit(MKBA_VEC_AVX512);
        mkba_fin_of_n(flow, STRIDE, M, df, T, w, out);
        for (size_t j = 0; j < M; j++) {
            ck_assert(portable[j].payback == out[j].payback && portable[j].year == out[j].year &&
                      portable[j].irr_status == out[j].irr_status);
            ck_assert(memcmp(&portable[j].irr, &out[j].irr, sizeof x.irr) == 0);
            for (size_t t = 0; t < T; t++)
                one[t] = flow[t * STRIDE + j];
            int year;
            ck_assert_int_eq(out[j].payback, payback_rule(one, df, T, &year));
            ck_assert_int_eq(out[j].year, year);
            int first = irr_first_rule(one, T);
            if (first >= 0)
                ck_assert_int_eq(out[j].irr_status, first);
            mkba_fin_of(one, df, T, w, &x);
            ck_assert(x.payback == out[j].payback && x.year == out[j].year &&
                      x.irr_status == out[j].irr_status);
            ck_assert(memcmp(&x.irr, &out[j].irr, sizeof x.irr) == 0);
            if (out[j].irr_status == MKBA_FIN_IRR_UNIQUE) {
                /* a root: NPV(r) (1 + r)^(T-1) = sum f_t (1 + r)^(T-1-t) ~ 0, in the form
                 * that stays bounded by sum |f| as r nears -1 (for r < 0) */
                double r = out[j].irr, npv = 0, scale = 0;
                for (size_t t = 0; t < T; t++) {
                    npv += one[t] * (r < 0 ? pow(1 + r, (double)(T - 1 - t)) : pow(1 + r, -(double)t));
                    scale += fabs(one[t]);
                }
                ck_assert_msg(fabs(npv) < 1e-9 * scale, "NPV %g at the IRR %g", npv, r);
            }
        }
    }
    mkba_fin_ws_free(w);
}
END_TEST

/* Whether two results are the same, the rate bit for bit. */
static int same_fin(const mkba_fin *a, const mkba_fin *b)
{
    return a->payback == b->payback && a->year == b->year && a->irr_status == b->irr_status &&
           memcmp(&a->irr, &b->irr, sizeof a->irr) == 0;
}

/* mkba_fin_of_net_n nets the inflows and outflows as it reads them: each
 * series gets what mkba_fin_of_n gives the flows netted first by
 * mkba_fin_net, bit for bit, in the portable and the AVX2 code, with both
 * sides, with one side missing (NULL: +0 each) and with neither. The
 * sides: sums that cancel up to rounding (0.1 + 0.2 against 0.3: net 0),
 * equal sides, signed zeros, the smallest subnormal, NaN and infinity
 * on either side, and plain amounts. A hand case: plus {100, 0.1 + 0.2,
 * 50}, minus {200, 0.3, 0}: net {-100, 0, 50}, cumulative (discounted at
 * 3%) -100, -100, -52.9: never paid back; one sign change, the flows sum
 * to -50 < 0: the one root at r < 0, -100 + 50 / (1 + r)^2 = 0, so
 * r = sqrt(0.5) - 1. */
START_TEST(netted_equals_netted_first)
{
    enum { T = 6, M = 70, STRIDE = 72 };
    double df[T], plus[T * STRIDE], minus[T * STRIDE], net[T * STRIDE];
    mkba_fin got[M], want[M];
    mkba_fin_ws *w = mkba_fin_ws_alloc();
    const double odd[] = {0.1 + 0.2, 0.3, 0.0, -0.0, 0x1p-1074, NAN, INFINITY, -INFINITY, 1e300};
    for (size_t t = 0; t < T; t++)
        df[t] = pow(1.03, -(double)t);
    unsigned long long seed = 99;
    for (size_t i = 0; i < T * STRIDE; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned r = (unsigned)(seed >> 33);
        double u = (double)(seed >> 11) * 0x1.0p-53;
        /* series j: mostly plain amounts, odd values now and then */
        plus[i] = r % 7 == 0 ? odd[r / 7 % N(odd)] : 100 * u;
        minus[i] = r % 5 == 0 ? odd[r / 5 % N(odd)] : r % 3 == 0 ? plus[i] : 80 * (1 - u);
    }
    /* the hand case in series 0 */
    const double hp[] = {100, 0.1 + 0.2, 50, 0, 0, 0}, hm[] = {200, 0.3, 0, 0, 0, 0};
    for (size_t t = 0; t < T; t++)
        plus[t * STRIDE] = hp[t], minus[t * STRIDE] = hm[t];
    for (int sides = 0; sides < 4; sides++) { /* both, no outflows, no inflows, neither */
        const double *p = sides == 0 || sides == 1 ? plus : NULL;
        const double *m = sides == 0 || sides == 2 ? minus : NULL;
        for (size_t i = 0; i < T * STRIDE; i++)
            net[i] = mkba_fin_net(p ? p[i] : 0.0, m ? m[i] : 0.0);
        mkba_fin_of_n(net, STRIDE, M, df, T, w, want);
        for (int vec = 0; vec < 2; vec++) {
            mkba_cpu_limit(vec ? MKBA_VEC_AVX512 : MKBA_VEC_PORTABLE);
            mkba_fin_of_net_n(p, m, STRIDE, M, df, T, w, got);
            for (size_t j = 0; j < M; j++)
                ck_assert_msg(same_fin(&got[j], &want[j]), "sides %d, vector %d, series %zu",
                              sides, vec, j);
        }
        mkba_cpu_limit(MKBA_VEC_AVX512);
        if (sides == 0) {
            ck_assert_int_eq(want[0].payback, MKBA_FIN_NEVER);
            ck_assert_int_eq(want[0].irr_status, MKBA_FIN_IRR_UNIQUE);
            ck_assert_double_eq_tol(want[0].irr, sqrt(0.5) - 1, 1e-9);
        }
        if (sides == 3)
            for (size_t j = 0; j < M; j++)
                ck_assert(want[j].payback == MKBA_FIN_NO_FLOWS &&
                          want[j].irr_status == MKBA_FIN_IRR_NONE);
    }
    /* netted with +0: -0 becomes +0, as mkba_fin_net says */
    ck_assert(!signbit(mkba_fin_net(-0.0, 0.0)) && !signbit(mkba_fin_net(0.0, -0.0)));
    mkba_fin_ws_free(w);
}
END_TEST

static Suite *finance_suite(void)
{
    Suite *s = suite_create("finance");
    TCase *tc = tcase_create("irr");
    tcase_add_test(tc, irr_one_period);
    tcase_add_test(tc, irr_quadratic);
    tcase_add_test(tc, irr_two_roots_is_multiple);
    tcase_add_test(tc, irr_unique_by_norstrom);
    tcase_add_test(tc, irr_none_and_outside);
    tcase_add_test(tc, irr_rounding_noise_is_no_sign_change);
    tcase_add_test(tc, irr_reuses_a_workspace);
    suite_add_tcase(s, tc);
    tc = tcase_create("payback");
    tcase_add_test(tc, payback_discounted);
    tcase_add_test(tc, payback_never_and_turning_back);
    tcase_add_test(tc, payback_from_the_start);
    tcase_add_test(tc, payback_no_flows_and_undefined);
    tcase_add_test(tc, both_at_once_and_names);
    tcase_add_test(tc, block_equals_one_by_one);
    tcase_add_test(tc, netted_equals_netted_first);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(finance_suite());
}

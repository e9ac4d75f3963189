/* check_expr.c - tests of the expr module: precedence and associativity,
 * the functions, names and dependencies, constant folding, IEEE results,
 * every error message, pathological input, and a realistic model
 * expression against the same formula written in C.
 *
 * Most value tests come in pairs: the expression with constants (folded
 * at compile time) and the same one with names (run by the evaluator), so
 * both paths are checked against the same hand-worked value. */
#include <check.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/error.h"
#include "mkba/expr.h"
#include "testutil.h"

/* ======================= a small table of names ========================= */

enum {
    V_ZERO, V_ONE, V_TWO, V_THREE, V_FOUR, V_FIVE, V_TEN, V_HALF,
    V_X, V_NAN, V_EFFECT, V_N_PILOT, V_N_CONTROL, V_BENEFIT, V_EXEC_COST,
    V_DEADWEIGHT, V_CARE_SAVING, V_DISCOUNT, N_NAMES
};

static const char *const names[N_NAMES] = {
    "zero", "one", "two", "three", "four", "five", "ten", "half",
    "x", "nan", "effect.outflow_work", "n_pilot", "n_control", "benefit_per_year",
    "execution_cost", "deadweight", "care_saving", "discount",
};

/* What the resolver saw, to check it gets exactly the name's bytes. */
typedef struct seen {
    int calls;
    char last[128];
} seen;

static long resolve(const char *name, size_t len, void *ctx)
{
    seen *s = ctx;
    if (s) {
        s->calls++;
        snprintf(s->last, sizeof s->last, "%.*s", (int)len, name);
    }
    for (long i = 0; i < N_NAMES; i++)
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
            return i;
    return -1;
}

/* Slot values for the tests: each name's value (x = 0.5 unless set). */
static void fill_slots(double *v)
{
    static const double small[] = {0, 1, 2, 3, 4, 5, 10, 0.5};
    for (int i = 0; i < N_NAMES; i++)
        v[i] = i < 8 ? small[i] : 0.0;
    v[V_X] = 0.5;
    v[V_NAN] = NAN;
}

static mkba_expr *compile_ok(const char *src)
{
    mkba_error err;
    mkba_error_clear(&err);
    mkba_expr *e = mkba_expr_compile(src, resolve, NULL, &err);
    ck_assert_msg(e != NULL, "'%.200s' failed: %s: %s", src, err.where, err.msg);
    ck_assert_int_eq(err.code, MKBA_OK);
    return e;
}

/* Compile and evaluate with the default slots (x = 0.5). */
static double value_of(const char *src)
{
    double v[N_NAMES];
    fill_slots(v);
    mkba_expr *e = compile_ok(src);
    double r = mkba_expr_eval(e, v);
    mkba_expr_free(e);
    return r;
}

/* A pair: 'konst' must fold to a constant 'want', 'named' must evaluate
 * to the same 'want' and not be constant. */
typedef struct pair {
    const char *konst, *named;
    double want;
} pair;

static void check_pairs(const pair *t, size_t n, double tol)
{
    double v[N_NAMES];
    fill_slots(v);
    for (size_t i = 0; i < n; i++) {
        double c = NAN;
        mkba_expr *e = compile_ok(t[i].konst);
        ck_assert_msg(mkba_expr_is_const(e, &c), "'%s' not folded", t[i].konst);
        ck_assert_msg(fabs(c - t[i].want) <= tol, "'%s' = %.17g, want %.17g", t[i].konst, c,
                      t[i].want);
        ck_assert_msg(mkba_expr_eval(e, NULL) == c, "'%s' eval differs", t[i].konst);
        mkba_expr_free(e);
        e = compile_ok(t[i].named);
        ck_assert_msg(!mkba_expr_is_const(e, &c), "'%s' is const", t[i].named);
        double r = mkba_expr_eval(e, v);
        ck_assert_msg(fabs(r - t[i].want) <= tol, "'%s' = %.17g, want %.17g", t[i].named, r,
                      t[i].want);
        mkba_expr_free(e);
    }
}

/* ============================ precedence ================================ */

START_TEST(test_precedence)
{
    /* Named: zero=0 one=1 two=2 three=3 four=4 five=5 ten=10 half=0.5. */
    static const pair t[] = {
        {"2+3*4", "two+three*four", 14},           /* 2 + 12 */
        {"(2+3)*4", "(two+three)*four", 20},       /* 5 * 4 */
        {"2*3+4", "two*three+four", 10},           /* 6 + 4 */
        {"-2^2", "-two^2", -4},                    /* -(2^2): ^ above unary minus */
        {"-2^2", "-two^two", -4},                  /* same through pow, not x*x */
        {"(-2)^2", "(-two)^two", 4},               /* (-2)*(-2) */
        {"2^3^2", "two^three^two", 512},           /* 2^(3^2) = 2^9, right-assoc */
        {"(2^3)^2", "(two^three)^two", 64},        /* 8^2 */
        {"10/4/5", "ten/four/five", 0.5},          /* (10/4)/5 = 2.5/5, left-assoc */
        {"10/(4/5)", "ten/(four/five)", 12.5},     /* 10/0.8 */
        {"10-4-3", "ten-four-three", 3},           /* (10-4)-3 */
        {"10-(4-3)", "ten-(four-three)", 9},       /* 10-1 */
        {"1-2+3", "one-two+three", 2},             /* (1-2)+3 */
        {"8/2*4", "(ten-two)/two*four", 16},       /* (8/2)*4, left-assoc */
        {"--2", "--two", 2},                       /* -(-2) */
        {"---2", "---two", -2},                    /* -(-(-2)) */
        {"-+-2", "-+-two", 2},                     /* unary plus changes nothing */
        {"+2", "+two", 2},
        {"2*-3", "two*-three", -6},                /* unary minus after '*' */
        {"2- -3", "two- -three", 5},               /* 2 - (-3) */
        {"2^-1", "two^-one", 0.5},                 /* exponent is a unary: 2^(-1) */
        {"-2^-2", "-two^-two", -0.25},             /* -(2^(-2)) */
        {"2^-3^2", "two^-three^two", 1.0 / 512},   /* 2^(-(3^2)) = 2^-9 */
        {"2^2*3", "two^two*three", 12},            /* (2^2)*3 */
        {"3*2^2", "three*two^two", 12},            /* 3*(2^2) */
        {"-3^2*2", "-three^two*two", -18},         /* (-(3^2))*2 */
        {"1e-3*1000", "one*1e-3*1000", 1},         /* 0.001 * 1000 */
        {".5+0.25", "half+0.25", 0.75},
        {"1.5e3", "one*1.5e3", 1500},
        {"2E2", "one*2E+2", 200},
        {"5.", "five*1.", 5},                      /* strtod reads "5." as 5 */
        {"14000", "ten*1400", 14000},
        {" 2 *\t( 3\n+ 4 ) ", "two*(three+four)", 14}, /* white space anywhere */
    };
    check_pairs(t, sizeof t / sizeof t[0], 0.0);
}
END_TEST

/* Every operator in every shape the compiler has: an operand taken from a
 * slot or a constant on either side, both sides computed in either order.
 * l = 10 and r = 4 in all shapes ('*one' keeps a value but makes it a
 * computed operand). */
START_TEST(test_operator_forms)
{
    static const struct {
        const char *fmt;
        double want;
    } ops[] = {
        {"%s + %s", 14},        /* 10 + 4 */
        {"%s - %s", 6},         /* 10 - 4 */
        {"%s * %s", 40},        /* 10 * 4 */
        {"%s / %s", 2.5},       /* 10 / 4 */
        {"%s ^ %s", 10000},     /* 10^4 */
        {"pow(%s, %s)", 10000}, /* 10^4 */
        {"min(%s, %s)", 4},
        {"max(%s, %s)", 10},
    };
    static const char *const shapes[][2] = {
        {"ten", "four"},                                    /* slot, slot */
        {"ten", "4"},                                       /* slot, constant */
        {"10", "four"},                                     /* constant, slot */
        {"ten", "(four*one)"},                              /* slot, computed */
        {"10", "(four*one)"},                               /* constant, computed */
        {"(ten*one)", "four"},                              /* computed, slot */
        {"(ten*one)", "4"},                                 /* computed, constant */
        {"(ten*one)", "(four*one)"},                        /* computed both, l first */
        {"(ten*one)", "((four*one)*(one*one))"},            /* r deeper: r first */
        {"((ten*one)*(one*one))", "(four*one)"},            /* l deeper */
        {"((ten*one)*(one*one))", "((four*one)*(one*one))"} /* equal, deeper */
    };
    double v[N_NAMES];
    fill_slots(v);
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        for (size_t j = 0; j < sizeof shapes / sizeof shapes[0]; j++) {
            char src[160];
            snprintf(src, sizeof src, ops[i].fmt, shapes[j][0], shapes[j][1]);
            mkba_expr *e = compile_ok(src);
            double r = mkba_expr_eval(e, v);
            ck_assert_msg(r == ops[i].want, "'%s' = %.17g, want %.17g", src, r, ops[i].want);
            mkba_expr_free(e);
        }
}
END_TEST

/* A balanced tree that needs a deeper stack: with x = 3,
 * x*x = 9, 9+9 = 18, 18*18 = 324; x+x = 6, 6*6 = 36; 324/36 = 9. */
START_TEST(test_nested_stack)
{
    double v[N_NAMES];
    fill_slots(v);
    v[V_X] = 3;
    mkba_expr *e = compile_ok("((x*x+x*x)*(x*x+x*x))/((x+x)*(x+x))");
    ck_assert_double_eq(mkba_expr_eval(e, v), 9.0);
    mkba_expr_free(e);
    /* Right-nested differences: x-(x-(x-(x-1))) = 1 for any x; then
     * (1 + x*x) - ((x - 2)*(x*x - (x + (x*x - 7)))) with x = 3:
     * 10 - (1 * (9 - (3 + 2))) = 10 - 4 = 6. */
    e = compile_ok("x-(x-(x-(x-1)))");
    ck_assert_double_eq(mkba_expr_eval(e, v), 1.0);
    mkba_expr_free(e);
    e = compile_ok("(1 + x*x) - ((x - 2)*(x*x - (x + (x*x - 7))))");
    ck_assert_double_eq(mkba_expr_eval(e, v), 6.0);
    mkba_expr_free(e);
}
END_TEST

/* ============================== functions =============================== */

START_TEST(test_functions)
{
    static const pair exact[] = {
        {"min(3, 1, 2)", "min(three, one, two)", 1},
        {"max(3, 1, 2)", "max(three, one, two)", 3},
        {"min(5)", "min(five)", 5},                 /* one argument is itself */
        {"max(-1, -7)", "max(-one, -7)", -1},
        {"min(max(1, 5), 3)", "min(max(one, five), three)", 3}, /* min(5, 3) */
        {"max(2, 3)^2", "max(two, three)^2", 9},
        {"abs(-2.5)", "abs(-two - half)", 2.5},
        {"abs(3)", "abs(three)", 3},
        {"sqrt(16)", "sqrt(four*four)", 4},
        {"sqrt(0.25)", "sqrt(half*half)", 0.5},
        {"exp(0)", "exp(zero)", 1},                 /* e^0 */
        {"log(1)", "log(one)", 0},                  /* ln 1 */
        {"pow(2, 10)", "pow(two, ten)", 1024},      /* 2^10 */
        {"pow(9, 0.5)", "pow(three*three, half)", 3},
        {"pow(2, -2)", "pow(two, -two)", 0.25},     /* 1/4 */
        {"3^2", "three^2", 9},                      /* squared as x*x */
        {"-3^2", "-three^2", -9},
        {"(0-3)^2", "(zero-three)^2", 9},
        {"2 * max(0, 1 - 3)", "two * max(zero, one - three)", 0}, /* max(0, -2) */
    };
    check_pairs(exact, sizeof exact / sizeof exact[0], 0.0);
    static const pair approx[] = {
        {"exp(1)", "exp(one)", 2.718281828459045235},      /* e to 19 digits */
        {"log(exp(2))", "log(exp(two))", 2},
        {"log(100)/log(10)", "log(ten*ten)/log(ten)", 2},  /* log10(100) */
        {"sqrt(2)^2", "sqrt(two)^2", 2},
        {"exp(log(5) * 2)", "exp(log(five) * two)", 25},   /* 5^2 */
    };
    check_pairs(approx, sizeof approx / sizeof approx[0], 1e-14);
}
END_TEST

/* Results outside the reals follow IEEE, and min/max pass NaN on. */
START_TEST(test_ieee)
{
    ck_assert(isnan(value_of("sqrt(-1)")));
    ck_assert(isnan(value_of("sqrt(-one)")));
    ck_assert(isnan(value_of("log(-1)")));
    double r = value_of("log(0)");
    ck_assert(isinf(r) && r < 0); /* ln 0 = -inf */
    r = value_of("log(zero)");
    ck_assert(isinf(r) && r < 0);
    ck_assert(isnan(value_of("min(0/0, 1)")));
    ck_assert(isnan(value_of("max(1, 0/0)")));
    ck_assert(isnan(value_of("min(nan, 1)")));
    ck_assert(isnan(value_of("min(1, nan)")));
    ck_assert(isnan(value_of("max(nan, 1)")));
    ck_assert(isnan(value_of("max(1, nan)")));
    ck_assert(isnan(value_of("max(zero, 1 - nan)")));
    ck_assert(isnan(value_of("nan * 0")));
}
END_TEST

START_TEST(test_division_by_zero)
{
    double c = 0;
    mkba_expr *e = compile_ok("1/0");
    ck_assert(mkba_expr_is_const(e, &c));
    ck_assert(isinf(c) && c > 0); /* IEEE: 1/+0 = +inf */
    mkba_expr_free(e);
    double r = value_of("-1/0");
    ck_assert(isinf(r) && r < 0);
    ck_assert(isnan(value_of("0/0")));
    r = value_of("one/zero");
    ck_assert(isinf(r) && r > 0);
    r = value_of("one/-zero"); /* 1/(-0) = -inf */
    ck_assert(isinf(r) && r < 0);
    ck_assert(isnan(value_of("zero/zero")));
    ck_assert(isnan(value_of("(one/zero) - (one/zero)"))); /* inf - inf */
}
END_TEST

/* ================================ names ================================= */

START_TEST(test_names)
{
    double v[N_NAMES];
    fill_slots(v);
    v[V_EFFECT] = 0.085;
    seen s = {0, ""};
    mkba_error err;
    mkba_error_clear(&err);
    mkba_expr *e = mkba_expr_compile("effect.outflow_work * 2", resolve, &s, &err);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(s.calls, 1);
    ck_assert_str_eq(s.last, "effect.outflow_work"); /* one token, exact bytes */
    ck_assert_double_eq(mkba_expr_eval(e, v), 0.17);  /* 0.085 * 2 */
    mkba_expr_free(e);

    /* A longer dotted name is another name. */
    s.calls = 0;
    e = mkba_expr_compile("1 + effect.outflow_work.x", resolve, &s, &err);
    ck_assert_ptr_null(e);
    ck_assert_str_eq(s.last, "effect.outflow_work.x");
    ck_assert_str_eq(err.msg, "unknown name 'effect.outflow_work.x' in '1 + effect.outflow_work.x'");
    ck_assert_str_eq(err.where, "column 5");
    ck_assert_int_eq(err.code, MKBA_EINVAL);

    /* Names with digits and underscores; a function name without '(' is a
     * plain name (the resolver decides). */
    mkba_error_clear(&err);
    s.calls = 0;
    e = mkba_expr_compile("n_pilot + max", resolve, &s, &err);
    ck_assert_ptr_null(e);
    ck_assert_int_eq(s.calls, 2);
    ck_assert_str_eq(err.msg, "unknown name 'max' in 'n_pilot + max'");

    /* Without a resolver no name is known. */
    mkba_error_clear(&err);
    e = mkba_expr_compile("2 * x", NULL, NULL, &err);
    ck_assert_ptr_null(e);
    ck_assert_str_eq(err.msg, "unknown name 'x' in '2 * x'");
    ck_assert_str_eq(err.where, "column 5");

    /* The source is kept as a copy. */
    char src[] = "x + 1";
    e = compile_ok(src);
    ck_assert_ptr_ne(mkba_expr_source(e), src);
    src[0] = 'y';
    ck_assert_str_eq(mkba_expr_source(e), "x + 1");
    mkba_expr_free(e);
}
END_TEST

START_TEST(test_deps)
{
    const long *d = NULL;
    mkba_expr *e = compile_ok("n_pilot * x + x * deadweight - n_pilot");
    /* Slots by the enum above: x = 8, n_pilot = 11, deadweight = 15. */
    ck_assert_uint_eq(mkba_expr_deps(e, &d), 3);
    ck_assert_int_eq(d[0], V_X);
    ck_assert_int_eq(d[1], V_N_PILOT);
    ck_assert_int_eq(d[2], V_DEADWEIGHT);
    mkba_expr_free(e);

    e = compile_ok("max(0, discount) + sqrt(n_control) * min(2, discount, 3)");
    ck_assert_uint_eq(mkba_expr_deps(e, &d), 2);
    ck_assert_int_eq(d[0], V_N_CONTROL); /* 12 < 17 */
    ck_assert_int_eq(d[1], V_DISCOUNT);
    mkba_expr_free(e);

    e = compile_ok("2 * (3 + 4)");
    ck_assert_uint_eq(mkba_expr_deps(e, &d), 0);
    mkba_expr_free(e);

    e = compile_ok("x * 0"); /* still reads x: not simplified away */
    ck_assert_uint_eq(mkba_expr_deps(e, &d), 1);
    ck_assert_int_eq(d[0], V_X);
    mkba_expr_free(e);
}
END_TEST

/* ============================ constant folding ========================== */

START_TEST(test_folding)
{
    double c = 0, v[N_NAMES];
    fill_slots(v);
    mkba_expr *e = compile_ok("2*(3+4)");
    ck_assert(mkba_expr_is_const(e, &c));
    ck_assert_double_eq(c, 14); /* 2 * 7 */
    ck_assert_uint_eq(mkba_expr_size(e), 1);
    mkba_expr_free(e);

    /* 2*3+x is 6+x: push 6, add x. With x = 1: 7. */
    v[V_X] = 1;
    e = compile_ok("2*3+x");
    ck_assert(!mkba_expr_is_const(e, &c));
    ck_assert_uint_eq(mkba_expr_size(e), 2);
    ck_assert_double_eq(mkba_expr_eval(e, v), 7);
    mkba_expr_free(e);

    /* (x+2)+3 is not reassociated (rounding could change): 3 instructions;
     * x+(2+3) folds the parenthesis: 2. */
    e = compile_ok("x+2+3");
    ck_assert_uint_eq(mkba_expr_size(e), 3);
    ck_assert_double_eq(mkba_expr_eval(e, v), 6);
    mkba_expr_free(e);
    e = compile_ok("x+(2+3)");
    ck_assert_uint_eq(mkba_expr_size(e), 2);
    mkba_expr_free(e);

    /* Functions fold too: min(1, 2, x) = min(min(1, 2), x) = min(1, x);
     * sqrt(16) + exp(0) * x = 4 + 1 * x (1 * x is not simplified). */
    e = compile_ok("min(1, 2, x)");
    ck_assert_uint_eq(mkba_expr_size(e), 2);
    mkba_expr_free(e);
    e = compile_ok("sqrt(16) + exp(0) * x");
    ck_assert_uint_eq(mkba_expr_size(e), 3);
    ck_assert_double_eq(mkba_expr_eval(e, v), 5); /* 4 + 1*1 */
    mkba_expr_free(e);

    e = compile_ok("-(2)");
    ck_assert(mkba_expr_is_const(e, &c));
    ck_assert_double_eq(c, -2);
    mkba_expr_free(e);
    e = compile_ok("pow(2, 3) - abs(-1)");
    ck_assert(mkba_expr_is_const(e, &c));
    ck_assert_double_eq(c, 7); /* 8 - 1 */
    mkba_expr_free(e);

    /* A name keeps it from being constant, even times zero: x*0 with
     * x = inf is NaN, which folding to 0 would hide. */
    e = compile_ok("2*x");
    ck_assert(!mkba_expr_is_const(e, NULL));
    mkba_expr_free(e);
    v[V_X] = INFINITY;
    e = compile_ok("x*0");
    ck_assert(!mkba_expr_is_const(e, &c));
    ck_assert(isnan(mkba_expr_eval(e, v)));
    mkba_expr_free(e);
    e = compile_ok("0*x");
    ck_assert(isnan(mkba_expr_eval(e, v)));
    mkba_expr_free(e);
}
END_TEST

START_TEST(test_null_handles)
{
    const long *d = (const long *)1;
    mkba_expr_free(NULL); /* no-op */
    ck_assert(isnan(mkba_expr_eval(NULL, NULL)));
    ck_assert_uint_eq(mkba_expr_deps(NULL, &d), 0);
    ck_assert_ptr_null(d);
    ck_assert_int_eq(mkba_expr_is_const(NULL, NULL), 0);
    ck_assert_ptr_null(mkba_expr_source(NULL));
    ck_assert_uint_eq(mkba_expr_size(NULL), 0);
    /* A failing compile with no error record does not crash. */
    ck_assert_ptr_null(mkba_expr_compile("2 +", resolve, NULL, NULL));
    ck_assert_ptr_null(mkba_expr_compile(NULL, resolve, NULL, NULL));
}
END_TEST

/* Numbers do not depend on the C locale: under a locale with a decimal
 * comma (when one is installed) "0.5" still reads as one half. */
START_TEST(test_locale)
{
    static const char *const commas[] = {"nl_NL.UTF-8", "de_DE.UTF-8", "fr_FR.UTF-8"};
    for (size_t i = 0; i < sizeof commas / sizeof commas[0]; i++)
        if (setlocale(LC_NUMERIC, commas[i]))
            break;
    ck_assert_double_eq(value_of("0.5 + 1.25e1"), 13.0); /* 0.5 + 12.5 */
    ck_assert_double_eq(value_of(".5"), 0.5);
    ck_assert_ptr_nonnull(setlocale(LC_NUMERIC, "C"));
}
END_TEST

/* ================================ errors ================================ */

typedef struct bad {
    const char *src;
    const char *msg;
    const char *where;
    mkba_status code;
} bad;

static void check_bad(const bad *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        mkba_error err;
        mkba_error_clear(&err);
        mkba_expr *e = mkba_expr_compile(t[i].src, resolve, NULL, &err);
        ck_assert_msg(e == NULL, "'%s' compiled", t[i].src);
        ck_assert_msg(strcmp(err.msg, t[i].msg) == 0, "'%s': msg '%s', want '%s'", t[i].src,
                      err.msg, t[i].msg);
        ck_assert_msg(strcmp(err.where, t[i].where) == 0, "'%s': where '%s', want '%s'",
                      t[i].src, err.where, t[i].where);
        ck_assert_msg(err.code == t[i].code, "'%s': code %d", t[i].src, (int)err.code);
        ck_assert_str_eq(err.file, "");
    }
}

START_TEST(test_errors)
{
    /* Columns are 1-based byte positions, counted by hand; the end of the
     * expression is one past its last byte. */
    static const bad t[] = {
        {"", "empty expression", "column 1", MKBA_EPARSE},
        {"   ", "empty expression", "column 1", MKBA_EPARSE},
        {"(two + three * 2", "expected ')' but found end of expression", "column 17",
         MKBA_EPARSE},                                         /* 16 bytes */
        {"(2 3)", "expected ')' but found '3'", "column 4", MKBA_EPARSE},
        {"2 +", "expected a number or a name but found end of expression", "column 4",
         MKBA_EPARSE},
        {"2 * * 3", "expected a number or a name but found '*'", "column 5", MKBA_EPARSE},
        {"()", "expected a number or a name but found ')'", "column 2", MKBA_EPARSE},
        {"2^", "expected a number or a name but found end of expression", "column 3",
         MKBA_EPARSE},
        {"2 $ 3", "unexpected '$'", "column 3", MKBA_EPARSE},
        {"x = 2", "unexpected '='", "column 3", MKBA_EPARSE},
        {"2 + .", "unexpected '.'", "column 5", MKBA_EPARSE},
        {"3 \xE2\x88\x92 2", "unexpected '\xE2\x88\x92'", "column 3",
         MKBA_EPARSE},                                          /* U+2212 minus sign */
        {"2 \x01", "unexpected character 0x01", "column 3", MKBA_EPARSE},
        {"2 \xFF", "unexpected character 0xFF", "column 3", MKBA_EPARSE},
        {"effect . outflow_work", "unexpected '.'", "column 8", MKBA_EPARSE},
        {"2 3", "unexpected '3' after a complete expression", "column 3", MKBA_EPARSE},
        {"x two", "unexpected 'two' after a complete expression", "column 3", MKBA_EPARSE},
        {"(2) (3)", "unexpected '(' after a complete expression", "column 5", MKBA_EPARSE},
        {"2 )", "unexpected ')' after a complete expression", "column 3", MKBA_EPARSE},
        {"1,5", "unexpected ',' after a complete expression (use '.' as the decimal point)",
         "column 2", MKBA_EPARSE},
        {"1, 5", "unexpected ',' after a complete expression", "column 2", MKBA_EPARSE},
        {"mean(2, 3)", "unknown function 'mean' (known: min, max, abs, sqrt, exp, log, pow)",
         "column 1", MKBA_EINVAL},
        {"1 + Min(2)", "unknown function 'Min' (known: min, max, abs, sqrt, exp, log, pow)",
         "column 5", MKBA_EINVAL},
        {"min()", "min() needs at least 1 argument", "column 1", MKBA_EPARSE},
        {"2 * max( )", "max() needs at least 1 argument", "column 5", MKBA_EPARSE},
        {"pow(1, 2, 3)", "pow() takes 2 arguments, got 3", "column 1", MKBA_EPARSE},
        {"pow(1)", "pow() takes 2 arguments, got 1", "column 1", MKBA_EPARSE},
        {"sqrt(1, 2)", "sqrt() takes 1 argument, got 2", "column 1", MKBA_EPARSE},
        {"abs()", "abs() takes 1 argument, got 0", "column 1", MKBA_EPARSE},
        {"max(1 2)", "expected ',' or ')' but found '2'", "column 7", MKBA_EPARSE},
        {"max(1,", "expected a number or a name but found end of expression", "column 7",
         MKBA_EPARSE},
        {"max(1, 2", "expected ',' or ')' but found end of expression", "column 9",
         MKBA_EPARSE},
        {"max(1,,2)", "expected a number or a name but found ','", "column 7", MKBA_EPARSE},
        {"1e", "invalid number '1e'", "column 1", MKBA_EPARSE},
        {"1e+", "invalid number '1e+'", "column 1", MKBA_EPARSE},
        {"2 * 1E-x", "invalid number '1E-x'", "column 5", MKBA_EPARSE},
        {"2 * 3x", "invalid number '3x'", "column 5", MKBA_EPARSE},
        {"1.2.3", "invalid number '1.2.3'", "column 1", MKBA_EPARSE},
        {"0x10", "invalid number '0x10'", "column 1", MKBA_EPARSE},
        {"1e5e-3", "invalid number '1e5e-3'", "column 1", MKBA_EPARSE},
        {"1e999", "invalid number '1e999' (too large)", "column 1", MKBA_EPARSE},
        {"effect.", "invalid name 'effect.'", "column 1", MKBA_EPARSE},
        /* a later segment may start with a digit (a subgroup's level: effect.x.by.2019) */
        {"1 + effect.1x", "unknown name 'effect.1x' in '1 + effect.1x'", "column 5", MKBA_EINVAL},
        {"1 + effect.x.", "invalid name 'effect.x.'", "column 5", MKBA_EPARSE},
        {"benfit * 2", "unknown name 'benfit' in 'benfit * 2'", "column 1", MKBA_EINVAL},
        {"x +  benfit", "unknown name 'benfit' in 'x +  benfit'", "column 6", MKBA_EINVAL},
        {"nan_", "unknown name 'nan_' in 'nan_'", "column 1", MKBA_EINVAL},
        {"inf", "unknown name 'inf' in 'inf'", "column 1", MKBA_EINVAL},
    };
    check_bad(t, sizeof t / sizeof t[0]);

    /* NULL source reads as empty. */
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_expr_compile(NULL, resolve, NULL, &err));
    ck_assert_str_eq(err.msg, "empty expression");

    /* The first error is kept (mkba_error_set): here the '$'. */
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_expr_compile("benfit $", resolve, NULL, &err));
    ck_assert_str_eq(err.msg, "unexpected '$'");
}
END_TEST

/* ========================== pathological input ========================== */

#define BIG 100000

/* 'n' copies of 'unit', then 'tail' (caller frees). */
static char *repeat(const char *unit, size_t n, const char *tail)
{
    size_t u = strlen(unit), t = strlen(tail);
    char *s = malloc(u * n + t + 1);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * u, unit, u);
    memcpy(s + u * n, tail, t + 1);
    return s;
}

static void check_nested(const char *src, const char *where)
{
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_expr_compile(src, resolve, NULL, &err));
    ck_assert_str_eq(err.msg, "expression too deeply nested");
    ck_assert_str_eq(err.where, where);
}

START_TEST(test_long_chains)
{
    double c = 0, v[N_NAMES];
    fill_slots(v);
    /* "1+1+...+1": 50,000 ones in 99,999 bytes, folded to 50000. */
    char *s = repeat("1+", BIG / 2 - 1, "1");
    ck_assert_uint_eq(strlen(s), BIG - 1);
    mkba_expr *e = compile_ok(s);
    ck_assert(mkba_expr_is_const(e, &c));
    ck_assert_double_eq(c, 50000);
    mkba_expr_free(e);
    free(s);

    /* "x+x+...+x": 50,000 x; x = 0.5 sums exactly to 25000. One push and
     * 49,999 adds of the slot; x listed once. */
    s = repeat("x+", BIG / 2 - 1, "x");
    e = compile_ok(s);
    ck_assert_uint_eq(mkba_expr_size(e), BIG / 2);
    ck_assert_double_eq(mkba_expr_eval(e, v), 25000);
    const long *d;
    ck_assert_uint_eq(mkba_expr_deps(e, &d), 1);
    ck_assert_int_eq(d[0], V_X);
    mkba_expr_free(e);
    free(s);

    /* Only white space: still empty. */
    s = repeat(" ", BIG, "");
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_expr_compile(s, resolve, NULL, &err));
    ck_assert_str_eq(err.msg, "empty expression");
    free(s);
}
END_TEST

START_TEST(test_deep_nesting)
{
    /* Each '(' or sign is one level, at byte k at level k+1; 200 levels
     * are allowed, so 199 '(' around a name pass (the name is level 200)
     * and with 200 the name at byte 200 (column 201) is one too many. */
    char *s = repeat("(", 199, "x");
    char *close = repeat(")", 199, "");
    char *src = malloc(strlen(s) + strlen(close) + 1);
    ck_assert_ptr_nonnull(src);
    strcpy(src, s);
    strcat(src, close);
    ck_assert_double_eq(value_of(src), 0.5);
    free(s);
    free(close);
    free(src);

    s = repeat("(", 200, "x");
    check_nested(s, "column 201");
    free(s);

    s = repeat("(", 10000, "1");
    check_nested(s, "column 201");
    free(s);

    s = repeat("-", BIG, "1"); /* 100,000 unary minus */
    check_nested(s, "column 201");
    free(s);

    /* "2^2^...": the exponent of each '^' is a level, at bytes 2, 4, ...;
     * level 201 is at byte 400. */
    s = repeat("2^", 10000, "2");
    check_nested(s, "column 401");
    free(s);

    /* "min(min(...": each call's argument at bytes 4, 8, ...; byte 800. */
    s = repeat("min(", 10000, "1");
    check_nested(s, "column 801");
    free(s);
}
END_TEST

START_TEST(test_long_tokens)
{
    mkba_error err;
    char want[400];

    /* A 100,000-digit number overflows; the message quotes 60 digits. */
    char *s = repeat("1", BIG, "");
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_expr_compile(s, resolve, NULL, &err));
    snprintf(want, sizeof want, "invalid number '%.60s...' (too large)", s);
    ck_assert_str_eq(err.msg, want);
    ck_assert_str_eq(err.where, "column 1");
    free(s);

    /* 0.000...01 with 100,000 zeros underflows to 0, as strtod does. */
    s = repeat("0", BIG, "1");
    s[1] = '.';
    ck_assert_double_eq(value_of(s), 0.0);
    free(s);

    /* 1000 digits that are still an ordinary number: 0.333... */
    s = repeat("3", 1000, "");
    s[0] = '.';
    ck_assert_double_eq_tol(value_of(s), 1.0 / 3, 1e-16);
    free(s);

    /* A 100,000-letter unknown name: 60 bytes of it, 200 of the source. */
    s = repeat("a", BIG, "");
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_expr_compile(s, resolve, NULL, &err));
    snprintf(want, sizeof want, "unknown name '%.60s...' in '%.200s...'", s, s);
    ck_assert_str_eq(err.msg, want);
    free(s);
}
END_TEST

/* Random strings over the grammar's characters must compile or fail
 * cleanly, never crash (the sanitizers and valgrind watch). */
START_TEST(test_fuzz)
{
    static const char *const bits[] = {
        "1", "0.5", "x", "two", "+", "-", "*", "/", "^", "(", ")", ",", " ",
        "min(", "max(", "pow(", "sqrt(", "log(", "e", ".", "1e", "$", "n_pilot",
    };
    const size_t nbits = sizeof bits / sizeof bits[0];
    unsigned long long state = 12345; /* fixed seed: the same strings each run */
    double v[N_NAMES];
    fill_slots(v);
    int compiled = 0;
    for (int i = 0; i < 3000; i++) {
        char src[256] = "";
        size_t len = 0, parts;
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        parts = 1 + (size_t)(state >> 59); /* 1..32 */
        for (size_t k = 0; k < parts; k++) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            const char *b = bits[(state >> 33) % nbits];
            size_t bl = strlen(b);
            if (len + bl >= sizeof src)
                break;
            memcpy(src + len, b, bl + 1);
            len += bl;
        }
        mkba_error err;
        mkba_error_clear(&err);
        mkba_expr *e = mkba_expr_compile(src, resolve, NULL, &err);
        if (e) {
            compiled++;
            ck_assert_int_eq(err.code, MKBA_OK);
            (void)mkba_expr_eval(e, v);
            mkba_expr_free(e);
        } else {
            ck_assert_int_ne(err.code, MKBA_OK);
            ck_assert(strncmp(err.where, "column ", 7) == 0);
            ck_assert(err.msg[0] != '\0');
        }
    }
    ck_assert_int_gt(compiled, 0); /* some strings were valid */
}
END_TEST

/* ============================ a real model ============================== */

/* The formulas below in C, the reference for the compiled ones. */
static double outflow_benefit(const double *v)
{
    return v[V_EFFECT] * v[V_N_PILOT] * (v[V_BENEFIT] + v[V_EXEC_COST]) *
           fmax(0, 1 - v[V_DEADWEIGHT]);
}

static double care_value(const double *v)
{
    double m = fmin(v[V_EFFECT], 0.1);
    return v[V_N_PILOT] * (v[V_CARE_SAVING] * 12 - 450) / pow(1 + v[V_DISCOUNT], 3) +
           sqrt(v[V_N_CONTROL]) - log(1 + v[V_DEADWEIGHT]) + m * m -
           fabs(v[V_N_PILOT] - v[V_N_CONTROL]) / 2;
}

START_TEST(test_model_expression)
{
    double v[N_NAMES];
    fill_slots(v);
    mkba_expr *e1 = compile_ok("effect.outflow_work * n_pilot * (benefit_per_year + "
                               "execution_cost) * max(0, 1 - deadweight)");
    mkba_expr *e2 = compile_ok("n_pilot * (care_saving * 12 - 450) / (1 + discount)^3"
                               " + sqrt(n_control) - log(1 + deadweight)"
                               " + min(effect.outflow_work, 0.1)^2"
                               " - abs(n_pilot - n_control) / 2");

    /* One case by hand: 0.085 * 212 * (14000 + 1850.5) * max(0, 1 - 0.3)
     * = 18.02 * 15850.5 * 0.7 = 199,938.207 (python3). */
    v[V_EFFECT] = 0.085;
    v[V_N_PILOT] = 212;
    v[V_BENEFIT] = 14000;
    v[V_EXEC_COST] = 1850.5;
    v[V_DEADWEIGHT] = 0.3;
    ck_assert_double_eq_tol(mkba_expr_eval(e1, v), 199938.207, 1e-6);

    /* Draws over wide ranges, deadweight above 1 included (max picks 0). */
    unsigned long long state = 42;
    for (int i = 0; i < 2000; i++) {
        double u[7];
        for (int k = 0; k < 7; k++) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            u[k] = (double)(state >> 11) / 9007199254740992.0; /* [0, 1) */
        }
        v[V_EFFECT] = 0.2 * u[0] - 0.05;
        v[V_N_PILOT] = floor(50 + 400 * u[1]);
        v[V_N_CONTROL] = floor(50 + 400 * u[2]);
        v[V_BENEFIT] = 20000 * u[3];
        v[V_EXEC_COST] = -5000 * u[4];
        v[V_DEADWEIGHT] = 1.5 * u[5];
        v[V_CARE_SAVING] = 100 * u[6];
        v[V_DISCOUNT] = 0.04 * u[0];
        double want1 = outflow_benefit(v), want2 = care_value(v);
        ck_assert_double_eq_tol(mkba_expr_eval(e1, v), want1, 1e-12 * (1 + fabs(want1)));
        ck_assert_double_eq_tol(mkba_expr_eval(e2, v), want2, 1e-12 * (1 + fabs(want2)));
    }
    mkba_expr_free(e1);
    mkba_expr_free(e2);
}
END_TEST

/* ================================ suite ================================= */

/* The rule of mkba_number_grouping: 1-3 digits (not starting with 0), then
 * groups of '.' and exactly three digits, no exponent, not inside a name. */
START_TEST(test_thousands_grouping)
{
    const char *grouped[] = {"1.350", "12.500", "100.000", "1.350.000", "-1.350",
                             "2 * 1.000", "min(1.350, 2)", "x + 999.999"};
    const char *fine[] = {"0.125", "1.35", "1.3500", "1.350e3", "1350", "1234.567",
                          ".350", "1.", "0.000", "effect.x1", "3.14159", "1e3"};
    for (size_t i = 0; i < sizeof grouped / sizeof *grouped; i++) {
        mkba_error err;
        mkba_error_clear(&err);
        ck_assert_msg(mkba_number_grouping(grouped[i], &err) == MKBA_EPARSE, "%s passed",
                      grouped[i]);
        ck_assert(tu_contains(err.msg, "looks like a number with '.' between thousands"));
        /* and the compiler refuses it with the same message */
        mkba_error e2;
        mkba_error_clear(&e2);
        mkba_expr *e = mkba_expr_compile(grouped[i], resolve, NULL, &e2);
        ck_assert_msg(e == NULL, "'%s' compiled", grouped[i]);
        ck_assert_str_eq(e2.msg, err.msg);
    }
    for (size_t i = 0; i < sizeof fine / sizeof *fine; i++)
        ck_assert_msg(mkba_number_grouping(fine[i], NULL) == MKBA_OK, "%s refused", fine[i]);
    mkba_error err;
    mkba_error_clear(&err);
    mkba_number_grouping("2 * 12.500", &err);
    ck_assert_str_eq(err.msg, "'12.500' looks like a number with '.' between thousands: write "
                              "12500 if '.' separates thousands, or 12.5000 if it is the "
                              "decimal point");
    ck_assert_str_eq(err.where, "column 5");
}
END_TEST

static Suite *expr_suite(void)
{
    Suite *s = suite_create("expr");
    TCase *tc = tcase_create("precedence");
    tcase_add_test(tc, test_precedence);
    tcase_add_test(tc, test_operator_forms);
    tcase_add_test(tc, test_nested_stack);
    suite_add_tcase(s, tc);

    tc = tcase_create("functions");
    tcase_add_test(tc, test_functions);
    tcase_add_test(tc, test_ieee);
    tcase_add_test(tc, test_division_by_zero);
    suite_add_tcase(s, tc);

    tc = tcase_create("names");
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_deps);
    tcase_add_test(tc, test_null_handles);
    tcase_add_test(tc, test_locale);
    suite_add_tcase(s, tc);

    tc = tcase_create("folding");
    tcase_add_test(tc, test_folding);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_thousands_grouping);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_long_chains);
    tcase_add_test(tc, test_deep_nesting);
    tcase_add_test(tc, test_long_tokens);
    tcase_add_test(tc, test_fuzz);
    suite_add_tcase(s, tc);

    tc = tcase_create("model");
    tcase_add_test(tc, test_model_expression);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(expr_suite());
}

/* dist.c - the distributions of uncertain model parameters: parsing the
 * model-file form ("lognormal(mean = 10, sd = 2)"), fast sampling (inline
 * samplers on mkba's generator, GSL's on any other), quantiles, closed-form moments, and the Gaussian copula
 * that gives sets of parameters the rank correlations an analyst asked for.
 *
 * Sampling and quantiles sit in the Monte Carlo's inner loop (about 25
 * parameters per draw, millions of draws per second), so they allocate
 * nothing and use the cheapest exact method per kind. Parsing is not hot:
 * it favours clear messages over speed. */
#include "mkba/dist.h"
#include "mkba/exp.h"
#include "mkba/rng.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/expr.h"
#include "mkba/mem.h"

/* z of the normal's 95th percentile: a 90% interval 'a to b' spans
 * 2 * Z95 standard deviations. */
#define Z95 1.6448536269514722

/* A truncnormal whose [lo, hi] lies further than this many sd from the
 * mean is refused: the tail probabilities that its quantile needs come
 * near the end of the double range (Q(37) ~ 6e-300). */
#define TRUNC_MAX_SD 30.0

/* Copula uniforms are kept this far inside (0, 1) so that every
 * quantile function returns a finite value. */
#define U_EPS 1e-16

/* ============================ names ==================================== */

static const char *const kind_names[] = {
    "fixed", "normal", "truncnormal", "lognormal", "gamma",
    "beta", "uniform", "triangular", "pert", "discrete",
};

const char *mkba_dist_name(mkba_dist_kind k)
{
    if ((unsigned)k < sizeof kind_names / sizeof kind_names[0])
        return kind_names[k];
    return "unknown";
}

/* ===================== construction and ownership ====================== */

void mkba_dist_fixed(mkba_dist *d, double value)
{
    memset(d, 0, sizeof *d);
    d->kind = MKBA_DIST_FIXED;
    d->p[0] = value;
}

void mkba_dist_free(mkba_dist *d)
{
    if (!d)
        return;
    free(d->values);
    free(d->cum);
    d->values = NULL;
    d->cum = NULL;
    d->n = 0;
}

mkba_status mkba_dist_copy(mkba_dist *dst, const mkba_dist *src)
{
    *dst = *src;
    dst->values = NULL;
    dst->cum = NULL;
    if (src->kind == MKBA_DIST_DISCRETE && src->n > 0) {
        dst->values = mkba_xreallocarray(NULL, src->n, sizeof *dst->values);
        dst->cum = mkba_xreallocarray(NULL, src->n, sizeof *dst->cum);
        memcpy(dst->values, src->values, src->n * sizeof *dst->values);
        memcpy(dst->cum, src->cum, src->n * sizeof *dst->cum);
    }
    return MKBA_OK;
}

int mkba_dist_scale(mkba_dist *d, double f)
{
    if (!(f > 0) || !isfinite(f) || d->kind == MKBA_DIST_BETA)
        return 0;
    switch (d->kind) {
    case MKBA_DIST_LOGNORMAL: /* X f = exp(log X + log f) */
        d->p[0] += log(f);
        break;
    case MKBA_DIST_GAMMA: /* the scale carries the unit, the shape none */
        d->p[1] *= f;
        break;
    case MKBA_DIST_DISCRETE:
        for (size_t i = 0; i < d->n; i++)
            d->values[i] *= f;
        break;
    default: /* every parameter is a location or a spread in the variable's unit */
        for (int i = 0; i < 4; i++)
            d->p[i] *= f;
        break;
    }
    return 1;
}

/* ============================== lexer ================================== */

typedef enum { T_END, T_NAME, T_NUM, T_LPAR, T_RPAR, T_COMMA, T_EQ, T_COLON, T_BAD } tok_kind;

typedef struct lexer {
    const char *s;     /* the whole text */
    size_t pos;        /* start of the current token */
    size_t len;        /* length of the current token */
    tok_kind tok;      /* kind of the current token */
    double num;        /* T_NUM: its value (may be non-finite: checked by the parser) */
    locale_t c_loc;    /* the C locale for strtod, or (locale_t)0 */
} lexer;

/* Character classes of our own: the C ones follow the locale. */
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

/* Length of a plain decimal at s: [+-]? d* ('.' d*)? ([eE] [+-]? d+)?
 * with one mantissa digit at least; 0 if there is none. This keeps out
 * what strtod would also take: hex, "inf", "nan". */
static size_t scan_number(const char *s)
{
    size_t i = 0, digits = 0;
    if (s[i] == '+' || s[i] == '-')
        i++;
    for (; is_digit(s[i]); i++)
        digits++;
    if (s[i] == '.')
        for (i++; is_digit(s[i]); i++)
            digits++;
    if (digits == 0)
        return 0;
    if (s[i] == 'e' || s[i] == 'E') {
        size_t j = i + 1;
        if (s[j] == '+' || s[j] == '-')
            j++;
        if (is_digit(s[j])) {
            while (is_digit(s[j]))
                j++;
            i = j;
        }
    }
    return i;
}

/* strtod of s[0..n) in the C locale, whatever this thread's locale is
 * (a Dutch LC_NUMERIC would make strtod stop at the '.'). */
static double number_value(const lexer *lx, const char *s, size_t n)
{
    char small[64];
    char *buf = n < sizeof small ? small : mkba_xmalloc(n + 1);
    memcpy(buf, s, n);
    buf[n] = '\0';
    locale_t old = (locale_t)0;
    if (lx->c_loc != (locale_t)0)
        old = uselocale(lx->c_loc);
    char *end;
    double v = strtod(buf, &end);
    if (lx->c_loc != (locale_t)0)
        uselocale(old);
    if (end != buf + n)
        v = NAN; /* cannot happen after scan_number, but stay safe */
    if (buf != small)
        free(buf);
    return v;
}

/* Move to the next token. */
static void next_token(lexer *lx)
{
    const char *s = lx->s;
    size_t i = lx->pos + lx->len;
    while (is_blank(s[i]))
        i++;
    lx->pos = i;
    lx->len = 1;
    char c = s[i];
    size_t n;
    switch (c) {
    case '\0': lx->tok = T_END; lx->len = 0; return;
    case '(': lx->tok = T_LPAR; return;
    case ')': lx->tok = T_RPAR; return;
    case ',': lx->tok = T_COMMA; return;
    case '=': lx->tok = T_EQ; return;
    case ':': lx->tok = T_COLON; return;
    default: break;
    }
    if (is_alpha(c) || c == '_') {
        for (n = 1; is_alpha(s[i + n]) || is_digit(s[i + n]) || s[i + n] == '_'; n++)
            ;
        lx->tok = T_NAME;
        lx->len = n;
    } else if ((n = scan_number(s + i)) > 0) {
        lx->tok = T_NUM;
        lx->len = n;
        lx->num = number_value(lx, s + i, n);
    } else {
        lx->tok = T_BAD;
    }
}

/* The token as the user wrote it, for messages: the run of characters up
 * to the next blank or delimiter (so "3,5x" shows "5x"), at most 40. */
static int echo_len(const lexer *lx)
{
    if (lx->tok != T_BAD && lx->tok != T_NAME && lx->tok != T_NUM)
        return (int)lx->len;
    size_t n = lx->len;
    const char *s = lx->s + lx->pos;
    while (s[n] && !is_blank(s[n]) && !strchr("(),=:", s[n]))
        n++;
    return n > 40 ? 40 : (int)n;
}

/* s[0..n) equals the lower-case word w, ignoring case. */
static int word_is(const char *s, size_t n, const char *w)
{
    size_t i = 0;
    for (; i < n && w[i]; i++)
        if (lower(s[i]) != w[i])
            return 0;
    return i == n && w[i] == '\0';
}

/* ============================ arguments ================================ */

typedef enum { A_NUM, A_NAMED, A_TO, A_PAIR } arg_kind;

typedef struct arg {
    arg_kind kind;     /* which of the four forms it was written in */
    const char *name;  /* A_NAMED: the name (not NUL-terminated) */
    size_t name_len;   /* A_NAMED: its length */
    double x;          /* the number; A_TO: a; A_PAIR: the value */
    double y;          /* A_TO: b; A_PAIR: the weight */
} arg;

typedef struct parser {
    lexer lx;          /* tokens of the text */
    const char *dname; /* the distribution's name as known ("normal") */
    arg *args;         /* the arguments read so far */
    size_t nargs;      /* how many */
    size_t cap;        /* room in args */
    mkba_error *err;   /* where the first error goes */
} parser;

static mkba_status syntax(parser *p, const char *what)
{
    lexer *lx = &p->lx;
    if (lx->tok == T_END)
        return mkba_error_set(p->err, MKBA_EPARSE, NULL, 0, NULL,
                              "%s(): %s, got the end of the text", p->dname, what);
    return mkba_error_set(p->err, MKBA_EPARSE, NULL, 0, NULL, "%s(): %s, got '%.*s'",
                          p->dname, what, echo_len(lx), lx->s + lx->pos);
}

/* The current token must be a finite number: store it in *out and move on. */
static mkba_status take_number(parser *p, double *out)
{
    lexer *lx = &p->lx;
    if (lx->tok != T_NUM)
        return syntax(p, "expected a number");
    if (!isfinite(lx->num))
        return mkba_error_set(p->err, MKBA_EINVAL, NULL, 0, NULL,
                              "%s(): number '%.*s' is out of range", p->dname,
                              (int)lx->len, lx->s + lx->pos);
    *out = lx->num;
    next_token(lx);
    return MKBA_OK;
}

/* One argument: name = number | number | number to number | number : number. */
static mkba_status read_arg(parser *p, arg *a)
{
    lexer *lx = &p->lx;
    memset(a, 0, sizeof *a);
    if (lx->tok == T_NAME) {
        lexer at_name = *lx;
        a->kind = A_NAMED;
        a->name = lx->s + lx->pos;
        a->name_len = lx->len;
        next_token(lx);
        if (lx->tok != T_EQ) {
            *lx = at_name; /* "normal(10, abc)": a word where a number belongs */
            return syntax(p, "expected a number");
        }
        next_token(lx);
        return take_number(p, &a->x);
    }
    mkba_status st = take_number(p, &a->x);
    if (st != MKBA_OK)
        return st;
    if (lx->tok == T_NAME && word_is(lx->s + lx->pos, lx->len, "to")) {
        a->kind = A_TO;
        next_token(lx);
        return take_number(p, &a->y);
    }
    if (lx->tok == T_COLON) {
        a->kind = A_PAIR;
        next_token(lx);
        return take_number(p, &a->y);
    }
    a->kind = A_NUM;
    return MKBA_OK;
}

/* The argument list after '(' up to and including ')'. */
static mkba_status read_args(parser *p)
{
    lexer *lx = &p->lx;
    if (lx->tok == T_RPAR) {
        next_token(lx);
        return MKBA_OK;
    }
    for (;;) {
        if (p->nargs == p->cap) {
            p->cap = p->cap ? 2 * p->cap : 8;
            p->args = mkba_xreallocarray(p->args, p->cap, sizeof *p->args);
        }
        mkba_status st = read_arg(p, &p->args[p->nargs]);
        if (st != MKBA_OK)
            return st;
        p->nargs++;
        if (lx->tok == T_RPAR) {
            next_token(lx);
            return MKBA_OK;
        }
        if (lx->tok == T_END)
            return mkba_error_set(p->err, MKBA_EPARSE, NULL, 0, NULL, "%s(): missing ')'",
                                  p->dname);
        if (lx->tok != T_COMMA)
            return syntax(p, "expected ',' or ')' after an argument");
        next_token(lx);
    }
}

/* ======================= the kinds and their forms ===================== */

/* A way to give a kind's parameters: names in positional order. */
typedef struct arg_form {
    int n;                  /* number of parameters */
    const char *names[4];   /* their names, lower case */
} arg_form;

typedef struct kind_info {
    const char *name;       /* as written, lower case */
    mkba_dist_kind kind;    /* the kind it makes */
    const char *usage;      /* "2 arguments (mean, sd) or 'a to b'" */
    int interval;           /* 1 if 'a to b' (a 90% interval) is allowed */
    int nforms;             /* forms[0] is positional; forms[1] is mean/sd */
    arg_form forms[2];      /* the named forms */
} kind_info;

static const kind_info kinds[] = {
    {"normal", MKBA_DIST_NORMAL, "2 arguments (mean, sd) or 'a to b'", 1, 1,
     {{2, {"mean", "sd"}}}},
    {"truncnormal", MKBA_DIST_TRUNCNORMAL, "4 arguments (mean, sd, lo, hi)", 0, 1,
     {{4, {"mean", "sd", "lo", "hi"}}}},
    {"lognormal", MKBA_DIST_LOGNORMAL,
     "2 arguments (mu, sigma) or (mean = m, sd = s), or 'a to b'", 1, 2,
     {{2, {"mu", "sigma"}}, {2, {"mean", "sd"}}}},
    {"gamma", MKBA_DIST_GAMMA, "2 arguments (shape, scale) or (mean = m, sd = s)", 0, 2,
     {{2, {"shape", "scale"}}, {2, {"mean", "sd"}}}},
    {"beta", MKBA_DIST_BETA, "2 arguments (a, b) or (mean = m, sd = s)", 0, 2,
     {{2, {"a", "b"}}, {2, {"mean", "sd"}}}},
    {"uniform", MKBA_DIST_UNIFORM, "2 arguments (lo, hi)", 0, 1, {{2, {"lo", "hi"}}}},
    {"triangular", MKBA_DIST_TRIANGULAR, "3 arguments (min, mode, max)", 0, 1,
     {{3, {"min", "mode", "max"}}}},
    {"pert", MKBA_DIST_PERT, "3 arguments (min, mode, max)", 0, 1,
     {{3, {"min", "mode", "max"}}}},
    {"discrete", MKBA_DIST_DISCRETE, "'value: weight' pairs", 0, 0, {{0, {NULL}}}},
    {"fixed", MKBA_DIST_FIXED, "1 argument (value)", 0, 1, {{1, {"value"}}}},
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

static const kind_info *find_kind(const char *s, size_t n)
{
    for (size_t i = 0; i < N_KINDS; i++)
        if (word_is(s, n, kinds[i].name))
            return &kinds[i];
    return NULL;
}

static int form_index(const arg_form *f, const char *s, size_t n)
{
    for (int i = 0; i < f->n; i++)
        if (word_is(s, n, f->names[i]))
            return i;
    return -1;
}

/* "shape, scale or mean, sd": the named forms, for messages. */
static void forms_text(const kind_info *k, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int f = 0; f < k->nforms; f++)
        for (int i = 0; i < k->forms[f].n; i++) {
            const char *sep = i > 0 ? ", " : f > 0 ? " or " : "";
            int w = snprintf(buf + used, size - used, "%s%s", sep, k->forms[f].names[i]);
            if (w < 0 || (size_t)w >= size - used)
                return;
            used += (size_t)w;
        }
}

/* Named arguments: find the form the first name belongs to, check that
 * every name is in it once and that none is missing; v[] gets the values
 * in the form's positional order. */
static mkba_status match_named(parser *p, const kind_info *k, int *form_out, double *v)
{
    char names[128];
    forms_text(k, names, sizeof names);
    int fi = -1, seen[4] = {0, 0, 0, 0};
    for (size_t a = 0; a < p->nargs; a++) {
        const arg *g = &p->args[a];
        int idx = -1, in_form = -1;
        for (int f = 0; f < k->nforms && in_form < 0; f++)
            if ((idx = form_index(&k->forms[f], g->name, g->name_len)) >= 0)
                in_form = f;
        if (in_form < 0)
            return mkba_error_set(p->err, MKBA_EINVAL, NULL, 0, NULL,
                                  "%s(): unknown argument '%.*s' (expected %s)", k->name,
                                  (int)(g->name_len > 40 ? 40 : g->name_len), g->name, names);
        if (fi < 0)
            fi = in_form;
        if (in_form != fi)
            return mkba_error_set(p->err, MKBA_EINVAL, NULL, 0, NULL,
                                  "%s(): '%s' does not go with '%s' (expected %s)", k->name,
                                  k->forms[in_form].names[idx], k->forms[fi].names[0], names);
        if (seen[idx]++)
            return mkba_error_set(p->err, MKBA_EINVAL, NULL, 0, NULL,
                                  "%s(): argument '%s' given twice", k->name,
                                  k->forms[fi].names[idx]);
        v[idx] = g->x;
    }
    for (int i = 0; i < k->forms[fi].n; i++)
        if (!seen[i])
            return mkba_error_set(p->err, MKBA_EINVAL, NULL, 0, NULL,
                                  "%s(): missing argument '%s'", k->name, k->forms[fi].names[i]);
    *form_out = fi;
    return MKBA_OK;
}

/* ==================== parameters of the continuous kinds =============== */

static mkba_status bad(parser *p, const char *fmt, double a, double b, double c)
{
    return mkba_error_set(p->err, MKBA_EINVAL, NULL, 0, NULL, fmt, a, b, c);
}

/* normal: (mean, sd) or the interval a to b. */
static mkba_status build_normal(parser *p, int interval, const double *v, mkba_dist *d)
{
    if (interval) {
        if (!(v[0] < v[1]))
            return bad(p, "normal() needs a < b in 'a to b', got %g and %g", v[0], v[1], 0);
        d->p[0] = v[0] / 2 + v[1] / 2; /* halves: no overflow near DBL_MAX */
        d->p[1] = (v[1] / 2 - v[0] / 2) / Z95;
        return MKBA_OK;
    }
    if (!(v[1] > 0))
        return bad(p, "normal() sd must be > 0, got %g", v[1], 0, 0);
    d->p[0] = v[0];
    d->p[1] = v[1];
    return MKBA_OK;
}

/* lognormal: (mu, sigma) of log X, (mean, sd) of X, or a to b. */
static mkba_status build_lognormal(parser *p, int interval, int form, const double *v,
                                   mkba_dist *d)
{
    if (interval) {
        if (!(v[0] > 0 && v[0] < v[1]))
            return bad(p, "lognormal() needs 0 < a < b in 'a to b', got %g and %g", v[0], v[1],
                       0);
        double la = log(v[0]), lb = log(v[1]);
        d->p[0] = (la + lb) / 2;
        d->p[1] = (lb - la) / (2 * Z95);
        return MKBA_OK;
    }
    if (form == 1) {
        if (!(v[0] > 0))
            return bad(p, "lognormal() mean must be > 0, got %g", v[0], 0, 0);
        if (!(v[1] > 0))
            return bad(p, "lognormal() sd must be > 0, got %g", v[1], 0, 0);
        /* sigma^2 = ln(1 + sd^2/mean^2), mu = ln(mean) - sigma^2/2 */
        double cv = v[1] / v[0];
        double s2 = log1p(cv * cv);
        d->p[0] = log(v[0]) - s2 / 2;
        d->p[1] = sqrt(s2);
        return MKBA_OK;
    }
    if (!(v[1] > 0))
        return bad(p, "lognormal() sigma must be > 0, got %g", v[1], 0, 0);
    d->p[0] = v[0];
    d->p[1] = v[1];
    return MKBA_OK;
}

/* gamma: (shape k, scale theta) or (mean, sd): k = m^2/s^2, theta = s^2/m. */
static mkba_status build_gamma(parser *p, int form, const double *v, mkba_dist *d)
{
    if (form == 1) {
        if (!(v[0] > 0))
            return bad(p, "gamma() mean must be > 0, got %g", v[0], 0, 0);
        if (!(v[1] > 0))
            return bad(p, "gamma() sd must be > 0, got %g", v[1], 0, 0);
        double cv = v[1] / v[0];
        d->p[0] = 1 / (cv * cv);
        d->p[1] = v[1] * cv;
        return MKBA_OK;
    }
    if (!(v[0] > 0))
        return bad(p, "gamma() shape must be > 0, got %g", v[0], 0, 0);
    if (!(v[1] > 0))
        return bad(p, "gamma() scale must be > 0, got %g", v[1], 0, 0);
    d->p[0] = v[0];
    d->p[1] = v[1];
    return MKBA_OK;
}

/* beta: (a, b) or (mean m, sd s): nu = m(1-m)/s^2 - 1, a = m nu,
 * b = (1-m) nu; nu > 0 needs s^2 < m(1-m). */
static mkba_status build_beta(parser *p, int form, const double *v, mkba_dist *d)
{
    if (form == 1) {
        double m = v[0], s = v[1];
        if (!(m > 0 && m < 1))
            return bad(p, "beta mean must be between 0 and 1, got %g", m, 0, 0);
        if (!(s > 0))
            return bad(p, "beta sd must be > 0, got %g", s, 0, 0);
        double limit = sqrt(m * (1 - m));
        if (!(s < limit))
            return bad(p, "beta sd too large for mean %g: sd must be < %.3g", m, limit, 0);
        double nu = m * (1 - m) / (s * s) - 1;
        d->p[0] = m * nu;
        d->p[1] = (1 - m) * nu;
        return MKBA_OK;
    }
    if (!(v[0] > 0))
        return bad(p, "beta() a must be > 0, got %g", v[0], 0, 0);
    if (!(v[1] > 0))
        return bad(p, "beta() b must be > 0, got %g", v[1], 0, 0);
    d->p[0] = v[0];
    d->p[1] = v[1];
    return MKBA_OK;
}

static mkba_status build_truncnormal(parser *p, const double *v, mkba_dist *d)
{
    if (!(v[1] > 0))
        return bad(p, "truncnormal() sd must be > 0, got %g", v[1], 0, 0);
    if (!(v[2] < v[3]))
        return bad(p, "truncnormal() needs lo < hi, got %g and %g", v[2], v[3], 0);
    double a = (v[2] - v[0]) / v[1], b = (v[3] - v[0]) / v[1];
    if (a > TRUNC_MAX_SD || b < -TRUNC_MAX_SD)
        return bad(p, "truncnormal() [lo, hi] lies more than %g sd from the mean", TRUNC_MAX_SD,
                   0, 0);
    memcpy(d->p, v, 4 * sizeof *v);
    return MKBA_OK;
}

/* uniform, triangular, pert, fixed: the values as given, checked. */
static mkba_status build_plain(parser *p, const kind_info *k, const double *v, mkba_dist *d)
{
    if (k->kind == MKBA_DIST_UNIFORM && !(v[0] < v[1]))
        return bad(p, "uniform() needs lo < hi, got %g and %g", v[0], v[1], 0);
    if ((k->kind == MKBA_DIST_TRIANGULAR || k->kind == MKBA_DIST_PERT) &&
        !(v[0] <= v[1] && v[1] <= v[2] && v[0] < v[2])) {
        const char *fmt = k->kind == MKBA_DIST_PERT
                              ? "pert() needs min <= mode <= max and min < max, got %g, %g, %g"
                              : "triangular() needs min <= mode <= max and min < max, got %g, "
                                "%g, %g";
        return bad(p, fmt, v[0], v[1], v[2]);
    }
    /* the samplers and quantiles take min + (max - min) u */
    size_t last = k->kind == MKBA_DIST_UNIFORM ? 1 : 2;
    if (k->kind != MKBA_DIST_FIXED && !isfinite(v[last] - v[0]))
        return mkba_error_set(p->err, MKBA_EINVAL, NULL, 0, NULL,
                              "%s() from %g to %g spans more than the largest number (about "
                              "1.8e308): give the amounts in thousands or millions",
                              k->name, v[0], v[last]);
    memcpy(d->p, v, (size_t)k->forms[0].n * sizeof *v);
    return MKBA_OK;
}

/* Every kind but discrete: check the argument forms, then build. */
static mkba_status build_continuous(parser *p, const kind_info *k, mkba_dist *d)
{
    double v[4] = {0, 0, 0, 0};
    int form = 0, interval = 0, named = 0;
    for (size_t a = 0; a < p->nargs; a++) {
        const arg *g = &p->args[a];
        if (g->kind == A_PAIR)
            return mkba_error_set(p->err, MKBA_EINVAL, NULL, 0, NULL,
                                  "%s(): 'value: weight' is for discrete() only", k->name);
        if (g->kind == A_TO && !k->interval)
            return mkba_error_set(p->err, MKBA_EINVAL, NULL, 0, NULL,
                                  "%s() does not take 'a to b' (only normal() and lognormal() do)",
                                  k->name);
        if (g->kind == A_TO && p->nargs != 1)
            return mkba_error_set(p->err, MKBA_EINVAL, NULL, 0, NULL,
                                  "%s(): 'a to b' must be the only argument", k->name);
        named += g->kind == A_NAMED;
    }
    if (named && named != (int)p->nargs)
        return mkba_error_set(p->err, MKBA_EINVAL, NULL, 0, NULL,
                              "%s(): do not mix named and positional arguments", k->name);
    if (p->nargs == 1 && p->args[0].kind == A_TO) {
        interval = 1;
        v[0] = p->args[0].x;
        v[1] = p->args[0].y;
    } else if (named) {
        mkba_status st = match_named(p, k, &form, v);
        if (st != MKBA_OK)
            return st;
    } else {
        if (p->nargs != (size_t)k->forms[0].n)
            return mkba_error_set(p->err, MKBA_EINVAL, NULL, 0, NULL, "%s() takes %s, got %zu",
                                  k->name, k->usage, p->nargs);
        for (size_t a = 0; a < p->nargs; a++)
            v[a] = p->args[a].x;
    }

    mkba_status st;
    d->kind = k->kind;
    switch (k->kind) {
    case MKBA_DIST_NORMAL: st = build_normal(p, interval, v, d); break;
    case MKBA_DIST_LOGNORMAL: st = build_lognormal(p, interval, form, v, d); break;
    case MKBA_DIST_GAMMA: st = build_gamma(p, form, v, d); break;
    case MKBA_DIST_BETA: st = build_beta(p, form, v, d); break;
    case MKBA_DIST_TRUNCNORMAL: st = build_truncnormal(p, v, d); break;
    default: st = build_plain(p, k, v, d); break;
    }
    if (st != MKBA_OK)
        return st;
    /* Conversions of extreme inputs can overflow or underflow (gamma with
     * sd/mean = 1e-200 has shape 1e400): refuse rather than sample junk. */
    int ok = 1;
    for (int i = 0; i < 4; i++)
        ok &= isfinite(d->p[i]) != 0;
    if (k->kind == MKBA_DIST_NORMAL || k->kind == MKBA_DIST_LOGNORMAL)
        ok &= d->p[1] > 0;
    if (k->kind == MKBA_DIST_GAMMA || k->kind == MKBA_DIST_BETA)
        ok &= d->p[0] > 0 && d->p[1] > 0;
    if (!ok)
        return mkba_error_set(p->err, MKBA_EINVAL, NULL, 0, NULL,
                              "%s(): the parameters are out of range", k->name);
    return MKBA_OK;
}

/* ============================== discrete =============================== */

typedef struct vw {
    double v;          /* value */
    double w;          /* weight */
} vw;

static int cmp_vw(const void *a, const void *b)
{
    double x = ((const vw *)a)->v, y = ((const vw *)b)->v;
    return (x > y) - (x < y);
}

/* discrete(v1: w1, ...): sorted by value; a value listed twice is an
 * error (most likely a typing slip, so it is not silently merged). */
static mkba_status build_discrete(parser *p, mkba_dist *d)
{
    if (p->nargs == 0)
        return mkba_error_set(p->err, MKBA_EINVAL, NULL, 0, NULL,
                              "discrete() needs at least one 'value: weight'");
    for (size_t a = 0; a < p->nargs; a++) {
        const arg *g = &p->args[a];
        if (g->kind != A_PAIR)
            return mkba_error_set(p->err, MKBA_EINVAL, NULL, 0, NULL,
                                  "discrete() argument %zu is not 'value: weight'", a + 1);
        if (!(g->y > 0))
            return mkba_error_set(p->err, MKBA_EINVAL, NULL, 0, NULL,
                                  "discrete() weight must be > 0, got %g (value %g)", g->y, g->x);
    }
    size_t n = p->nargs;
    vw *pairs = mkba_xreallocarray(NULL, n, sizeof *pairs);
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        pairs[i].v = p->args[i].x;
        pairs[i].w = p->args[i].y;
        total += pairs[i].w;
    }
    qsort(pairs, n, sizeof *pairs, cmp_vw);
    mkba_status st = MKBA_OK;
    for (size_t i = 1; i < n && st == MKBA_OK; i++)
        if (pairs[i].v == pairs[i - 1].v)
            st = mkba_error_set(p->err, MKBA_EINVAL, NULL, 0, NULL,
                                "discrete() value %g is listed twice", pairs[i].v);
    if (st == MKBA_OK && !isfinite(total))
        st = mkba_error_set(p->err, MKBA_EINVAL, NULL, 0, NULL,
                            "discrete() weights are too large (their sum overflows)");
    if (st == MKBA_OK) {
        d->kind = MKBA_DIST_DISCRETE;
        d->n = n;
        d->values = mkba_xreallocarray(NULL, n, sizeof *d->values);
        d->cum = mkba_xreallocarray(NULL, n, sizeof *d->cum);
        double run = 0;
        for (size_t i = 0; i < n; i++) {
            run += pairs[i].w;
            d->values[i] = pairs[i].v;
            d->cum[i] = run / total;
        }
        d->cum[n - 1] = 1.0; /* exactly, so every search ends inside */
    }
    free(pairs);
    return st;
}

/* ================================ parse ================================ */

/* name ( args ) | number, with nothing after. */
static mkba_status parse_text(parser *p, mkba_dist *d)
{
    lexer *lx = &p->lx;
    next_token(lx);
    if (lx->tok == T_END)
        return mkba_error_set(p->err, MKBA_EPARSE, NULL, 0, NULL,
                              "empty distribution: expected e.g. 'normal(10, 2)' or a number");
    if (lx->tok == T_NUM) {
        p->dname = "fixed";
        double v;
        mkba_status st = take_number(p, &v);
        if (st != MKBA_OK)
            return st;
        if (lx->tok != T_END)
            return mkba_error_set(p->err, MKBA_EPARSE, NULL, 0, NULL,
                                  "unexpected text after the number: '%.*s'", echo_len(lx),
                                  lx->s + lx->pos);
        mkba_dist_fixed(d, v);
        return MKBA_OK;
    }
    if (lx->tok != T_NAME)
        return mkba_error_set(p->err, MKBA_EPARSE, NULL, 0, NULL,
                              "expected a distribution such as 'normal(10, 2)', got '%.*s'",
                              echo_len(lx), lx->s + lx->pos);
    const kind_info *k = find_kind(lx->s + lx->pos, lx->len);
    if (!k)
        return mkba_error_set(p->err, MKBA_EINVAL, NULL, 0, NULL,
                              "unknown distribution '%.*s' (known: normal, truncnormal, "
                              "lognormal, gamma, beta, uniform, triangular, pert, discrete, fixed)",
                              echo_len(lx), lx->s + lx->pos);
    p->dname = k->name;
    next_token(lx);
    if (lx->tok != T_LPAR)
        return syntax(p, "expected '(' after the name");
    next_token(lx);
    mkba_status st = read_args(p);
    if (st != MKBA_OK)
        return st;
    if (lx->tok != T_END)
        return mkba_error_set(p->err, MKBA_EPARSE, NULL, 0, NULL,
                              "unexpected text after ')': '%.*s'", echo_len(lx),
                              lx->s + lx->pos);
    return k->kind == MKBA_DIST_DISCRETE ? build_discrete(p, d) : build_continuous(p, k, d);
}

mkba_status mkba_dist_parse(const char *text, mkba_dist *d, mkba_error *err)
{
    mkba_dist_fixed(d, 0.0);
    if (mkba_number_grouping(text, err) != MKBA_OK) /* "normal(1.350, 100)" */
        return MKBA_EPARSE;
    parser p;
    memset(&p, 0, sizeof p);
    p.lx.s = text ? text : "";
    p.lx.c_loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    p.dname = "distribution";
    p.err = err;
    mkba_status st = parse_text(&p, d);
    if (p.lx.c_loc != (locale_t)0)
        freelocale(p.lx.c_loc);
    free(p.args);
    if (st != MKBA_OK) {
        mkba_dist_free(d);
        mkba_dist_fixed(d, 0.0);
    }
    return st;
}

/* =========================== truncated normal ========================== */

/* The standardized bounds alpha = (lo - mean)/sd and beta = (hi - mean)/sd,
 * and the mass Z of [alpha, beta], computed on the side of zero where it
 * does not cancel: with upper tails Q when alpha >= 0 (Phi(6) is 1 - 1e-9,
 * so Phi(b) - Phi(a) would lose every digit there), else with Phi. */
typedef struct trunc_std {
    double a, b;       /* standardized bounds */
    int upper;         /* 1: ca, cb are Q(a), Q(b); 0: they are Phi(a), Phi(b) */
    double ca, cb;     /* the tail probabilities of the bounds */
    double z;          /* the mass of [a, b] under N(0, 1), > 0 */
} trunc_std;

static trunc_std trunc_prep(const mkba_dist *d)
{
    trunc_std t;
    t.a = (d->p[2] - d->p[0]) / d->p[1];
    t.b = (d->p[3] - d->p[0]) / d->p[1];
    t.upper = t.a >= 0;
    if (t.upper) {
        t.ca = gsl_cdf_ugaussian_Q(t.a);
        t.cb = gsl_cdf_ugaussian_Q(t.b);
        t.z = t.ca - t.cb;
    } else {
        t.ca = gsl_cdf_ugaussian_P(t.a);
        t.cb = gsl_cdf_ugaussian_P(t.b);
        t.z = t.cb - t.ca;
    }
    return t;
}

/* Inverse CDF of the truncated normal at u in [0, 1]: Phi^-1 of a point
 * between Phi(a) and Phi(b) (or Q^-1 between Q(b) and Q(a)), kept inside
 * [lo, hi] against rounding. */
static double trunc_quantile(const mkba_dist *d, const trunc_std *t, double u)
{
    double x = t->upper ? gsl_cdf_ugaussian_Qinv(t->ca - u * t->z)
                        : gsl_cdf_ugaussian_Pinv(t->ca + u * t->z);
    x = d->p[0] + d->p[1] * x;
    return x < d->p[2] ? d->p[2] : x > d->p[3] ? d->p[3] : x;
}

/* Method: when [lo, hi] holds more than half of the normal's mass, draw
 * ziggurat normals until one falls inside (under two tries on average,
 * and much cheaper than Phi^-1); otherwise invert the CDF at one
 * uniform, which costs the same however small the mass is. */
static double trunc_draw(const mkba_dist *d, const trunc_std *t, gsl_rng *r)
{
    if (t->z > 0.5) {
        for (;;) {
            double z = gsl_ran_gaussian_ziggurat(r, 1.0);
            if (z >= t->a && z <= t->b)
                return d->p[0] + d->p[1] * z;
        }
    }
    return trunc_quantile(d, t, gsl_rng_uniform_pos(r));
}

static double trunc_sample(const mkba_dist *d, gsl_rng *r)
{
    trunc_std t = trunc_prep(d);
    return trunc_draw(d, &t, r);
}

/* ============================== sampling =============================== */

/* Index of the first cum[i] > u (u < 1 = cum[n-1]), or >= u when 'ge'. */
static size_t discrete_find(const mkba_dist *d, double u, int ge)
{
    size_t lo = 0, hi = d->n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ge ? d->cum[mid] >= u : d->cum[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* PERT's beta shape: a = 1 + 4 (mode - min)/(max - min), b = 1 + 4 (max - mode)/(max - min). */
static void pert_shape(const mkba_dist *d, double *a, double *b)
{
    double range = d->p[2] - d->p[0];
    *a = 1 + 4 * (d->p[1] - d->p[0]) / range;
    *b = 1 + 4 * (d->p[2] - d->p[1]) / range;
}

/* a when c, else b, bit for bit, by masking their bits: a select that
 * stays one (the compiler turns ?: on doubles into a branch, which a
 * sampler's random input mispredicts). */
static inline double pick(int c, double a, double b)
{
    uint64_t x, y, m = -(uint64_t)(c != 0);
    memcpy(&x, &a, sizeof x);
    memcpy(&y, &b, sizeof y);
    x = (x & m) | (y & ~m);
    memcpy(&a, &x, sizeof a);
    return a;
}

/* Triangular inverse CDF: F(mode) = (mode - min)/(max - min) splits the two
 * quadratic pieces of the CDF. */
static double triangular_inv(const mkba_dist *d, double u)
{
    double lo = d->p[0], c = d->p[1], hi = d->p[2], range = hi - lo;
    /* One square root of the side's argument: selects, not branches. */
    int left = u * range < c - lo;
    double r = sqrt(pick(left, u * range * (c - lo), (1 - u) * range * (hi - c)));
    return pick(left, lo + r, hi - r);
}

/* ============================ fast samplers ============================= */

/* With our own generator the common samplers run without GSL's function
 * pointers: a standard normal by the 128-layer ziggurat (Marsaglia & Tsang
 * 2000), gamma by Marsaglia & Tsang's squeeze method (2000, ACM TOMS 26(3)),
 * beta as a ratio of gammas. The layer index and the value come from
 * separate bits of one 64-bit draw. Any other generator takes GSL's
 * samplers. Both are exact methods; they give different streams.
 *
 * The samplers step a bare xoshiro state, a local copy for a batch
 * (fast_sample_n) that stays in registers: its address goes to no
 * function that is not inlined (the ziggurat's rare part gets a copy of
 * its own), so the compiler neither stores it at each step nor reloads it
 * after a call of log or exp. */
#include "zig_tables.h"

typedef mkba_xoshiro_state xo;

static double zig_tail(xo *st, int negative)
{
    const double rr = 3.442619855899; /* start of the tail */
    double x, y;
    do {
        x = -log(1.0 - mkba_xoshiro_u01(st)) / rr;
        y = -log(1.0 - mkba_xoshiro_u01(st));
    } while (y + y < x * x);
    return negative ? -(rr + x) : rr + x;
}

/* The rare part of the ziggurat (about 1% of draws): the wedge test, the
 * tail, and the retries; kept out of line so the fast path stays small. */
static double zig_slow(xo *st, int32_t hz, uint32_t iz)
{
    for (;;) {
        double x = hz * zig_wn[iz];
        if (iz == 0)
            return zig_tail(st, hz < 0);
        if (zig_fn[iz] + mkba_xoshiro_u01(st) * (zig_fn[iz - 1] - zig_fn[iz]) < exp(-0.5 * x * x))
            return x;
        uint64_t u = mkba_xoshiro_next(st);
        hz = (int32_t)(uint32_t)(u >> 32);
        iz = (uint32_t)u & 127;
        uint32_t ahz = hz < 0 ? (uint32_t)(-(int64_t)hz) : (uint32_t)hz;
        if (ahz < zig_kn[iz])
            return hz * zig_wn[iz];
    }
}

static inline double fast_normal(xo *st)
{
    uint64_t u = mkba_xoshiro_next(st);
    int32_t hz = (int32_t)(uint32_t)(u >> 32);
    uint32_t iz = (uint32_t)u & 127;
    uint32_t ahz = hz < 0 ? (uint32_t)(-(int64_t)hz) : (uint32_t)hz;
    if (ahz < zig_kn[iz])
        return hz * zig_wn[iz]; /* inside the layer's rectangle: about 99% of draws */
    xo away = *st; /* the copy whose address leaves: st stays in registers */
    double x = zig_slow(&away, hz, iz);
    *st = away;
    return x;
}

/* Marsaglia & Tsang's constants for Gamma(k, 1), made once per
 * distribution, not per draw (a square root and two divisions). */
typedef struct gamma_c {
    double d, c;   /* d = k' - 1/3, c = 1 / sqrt(9 d), with k' = k, or k + 1 when k < 1 */
    double q, m;   /* the tight squeeze's x^4 coefficient and margin (gamma_squeeze) */
    int boost;     /* k < 1: Gamma(k) = Gamma(k + 1) * U^(1/k) */
    double inv_k;  /* 1/k, the boost's power */
} gamma_c;

static gamma_c gamma_prep(double k)
{
    gamma_c g = {0, 0, 0, 0, k < 1, 0};
    if (g.boost) {
        g.inv_k = 1.0 / k;
        k = k + 1.0;
    }
    g.d = k - 1.0 / 3.0;
    g.c = 1.0 / sqrt(9.0 * g.d);
    double c2 = g.c * g.c;
    g.q = 0.75 * g.d * c2 * c2 * (1 + 0x1p-30);
    g.m = 0x1p-40 * (1 + sqrt(g.d) + 1 / g.d);
    return g;
}

/* Marsaglia & Tsang's method for Gamma(k', 1): with w = 1 + c x (x a
 * standard normal, w > 0) and v = w^3, accept d v when
 *   log u < x^2/2 + d (1 - v + log v) =: h,
 * first trying their squeeze u < 1 - 0.0331 x^4, which spares the two
 * logarithms in all but about 10% of the draws.
 *
 * A tighter squeeze, tried before theirs, takes that to about 1/(36 d)
 * (1.4% at PERT's usual shapes, 0.2% at k = 16) and accepts only where
 * the test above, as computed, accepts too, so the draws stay the same
 * bit for bit. With t = c x (9 c^2 d = 1), h = d g(t),
 *   g(t) = 9 t^2 / 2 + 1 - (1 + t)^3 + 3 log(1 + t),  g(0) = 0,
 *   g'(t) = -3 t^3 / (1 + t),
 * so -g(t) <= 3 t^4 / (4 min(1, 1 + t)) and, as log u <= u - 1,
 *   (1 - u) min(1, w) > q x^4 + m,   q = 3 d c^4 / 4,
 * gives log u < -q x^4 / min(1, w) - m <= h - m. The margin m covers the
 * rounding of h (the cancelling terms of size sqrt(d) |x| and x^2, in
 * all below 700 (1 + sqrt(d) + 1/d) units of 2^-52 for |x| <= 8 and
 * w >= 1/4, the region where it is tried), of log u (at most 1 ulp) and
 * of 9 c^2 d, with a factor over 5 to spare (at the squeeze's edge, for
 * 1.7 million (d, x) from d = 2/3 to 1e20, a margin 10 times smaller
 * still held and one 1000 times smaller did not); q has 2^-30 to spare
 * for the rounding of w. */
static inline double gamma_squeeze(xo *st, const gamma_c *g)
{
    const double d = g->d, c = g->c;
    for (;;) {
        double x, v;
        do {
            x = fast_normal(st);
            v = 1.0 + c * x;
        } while (v <= 0);
        double w = v, wmin = w < 1.0 ? w : 1.0;
        v = v * v * v;
        double u = mkba_xoshiro_u01(st), x2 = x * x;
        if ((x2 <= 64) & (w >= 0.25) && (1.0 - u) * wmin > g->q * x2 * x2 + g->m)
            return d * v;
        if (u < 1.0 - 0.0331 * x2 * x2 || log(u) < 0.5 * x2 + d * (1.0 - v + log(v)))
            return d * v;
    }
}

/* Gamma(k, scale 1) for the k of 'g'. The boost's uniform comes before
 * the squeeze's draws. */
static inline double fast_gamma(xo *st, const gamma_c *g)
{
    if (!g->boost)
        return gamma_squeeze(st, g);
    double ub = mkba_xoshiro_u01(st);
    return gamma_squeeze(st, g) * pow(1.0 - ub, g->inv_k);
}

static inline double fast_beta(xo *st, const gamma_c *ga, const gamma_c *gb)
{
    double x = fast_gamma(st, ga), y = fast_gamma(st, gb);
    return x / (x + y);
}

/* The kinds with an inline sampler, on our generator. */
static int fast_kind(const mkba_dist *d, const gsl_rng *r)
{
    return mkba_rng_is_xoshiro(r) && d->kind != MKBA_DIST_FIXED &&
           d->kind != MKBA_DIST_TRUNCNORMAL && d->kind != MKBA_DIST_DISCRETE;
}

/* n draws of a fast kind into x[0..n-1] from the generator state *state,
 * each kind's constants made once. A lognormal's exp waits until its
 * normals are drawn: the generator's loop then has no call in it, and
 * mkba_exp_n (not the C library's exp, which is not the same function on
 * every processor) takes them four at a time. */
static void fast_sample_n(const mkba_dist *d, xo *state, double *restrict x, size_t n)
{
    const mkba_dist dl = *d; /* a copy: the stores to x[] cannot change it */
    const double p0 = dl.p[0], p1 = dl.p[1], p2 = dl.p[2];
    xo st = *state;
    gamma_c ga, gb;
    double a, b;
    switch (dl.kind) {
    case MKBA_DIST_NORMAL:
        for (size_t i = 0; i < n; i++)
            x[i] = p0 + p1 * fast_normal(&st);
        break;
    case MKBA_DIST_LOGNORMAL:
        for (size_t i = 0; i < n; i++)
            x[i] = p0 + p1 * fast_normal(&st);
        mkba_exp_n(x, x, n);
        break;
    case MKBA_DIST_GAMMA:
        ga = gamma_prep(p0);
        for (size_t i = 0; i < n; i++)
            x[i] = p1 * fast_gamma(&st, &ga);
        break;
    case MKBA_DIST_BETA:
        ga = gamma_prep(p0), gb = gamma_prep(p1);
        for (size_t i = 0; i < n; i++)
            x[i] = fast_beta(&st, &ga, &gb);
        break;
    case MKBA_DIST_UNIFORM:
        for (size_t i = 0; i < n; i++)
            x[i] = p0 + (p1 - p0) * mkba_xoshiro_u01(&st);
        break;
    case MKBA_DIST_TRIANGULAR:
        for (size_t i = 0; i < n; i++)
            x[i] = triangular_inv(&dl, mkba_xoshiro_u01(&st));
        break;
    case MKBA_DIST_PERT:
        pert_shape(&dl, &a, &b);
        ga = gamma_prep(a), gb = gamma_prep(b);
        for (size_t i = 0; i < n; i++)
            x[i] = p0 + (p2 - p0) * fast_beta(&st, &ga, &gb);
        break;
    default: /* not reached: the other kinds take GSL's path */
        for (size_t i = 0; i < n; i++)
            x[i] = NAN;
        break;
    }
    *state = st;
}

double mkba_dist_sample(const mkba_dist *d, gsl_rng *r)
{
    double a, b, x;
    if (fast_kind(d, r)) {
        fast_sample_n(d, (xo *)r->state, &x, 1);
        return x;
    }
    switch (d->kind) {
    case MKBA_DIST_FIXED: return d->p[0];
    case MKBA_DIST_NORMAL: return d->p[0] + gsl_ran_gaussian_ziggurat(r, d->p[1]);
    case MKBA_DIST_TRUNCNORMAL: return trunc_sample(d, r);
    case MKBA_DIST_LOGNORMAL: return exp(d->p[0] + gsl_ran_gaussian_ziggurat(r, d->p[1]));
    case MKBA_DIST_GAMMA: return gsl_ran_gamma(r, d->p[0], d->p[1]);
    case MKBA_DIST_BETA: return gsl_ran_beta(r, d->p[0], d->p[1]);
    case MKBA_DIST_UNIFORM: return d->p[0] + (d->p[1] - d->p[0]) * gsl_rng_uniform(r);
    case MKBA_DIST_TRIANGULAR: return triangular_inv(d, gsl_rng_uniform(r));
    case MKBA_DIST_PERT:
        pert_shape(d, &a, &b);
        return d->p[0] + (d->p[2] - d->p[0]) * gsl_ran_beta(r, a, b);
    case MKBA_DIST_DISCRETE:
        return d->n ? d->values[discrete_find(d, gsl_rng_uniform(r), 0)] : NAN;
    }
    return NAN;
}

void mkba_dist_sample_n(const mkba_dist *d, gsl_rng *r, double *x, size_t n)
{
    if (fast_kind(d, r)) {
        fast_sample_n(d, (xo *)r->state, x, n);
        return;
    }
    if (d->kind == MKBA_DIST_TRUNCNORMAL) {
        trunc_std t = trunc_prep(d);
        for (size_t i = 0; i < n; i++)
            x[i] = trunc_draw(d, &t, r);
        return;
    }
    for (size_t i = 0; i < n; i++)
        x[i] = mkba_dist_sample(d, r);
}

double mkba_dist_quantile(const mkba_dist *d, double u)
{
    if (isnan(u))
        return NAN;
    u = u < 0 ? 0 : u > 1 ? 1 : u;
    double a, b;
    trunc_std t;
    switch (d->kind) {
    case MKBA_DIST_FIXED: return d->p[0];
    case MKBA_DIST_NORMAL: return d->p[0] + gsl_cdf_gaussian_Pinv(u, d->p[1]);
    case MKBA_DIST_TRUNCNORMAL:
        t = trunc_prep(d);
        return trunc_quantile(d, &t, u);
    case MKBA_DIST_LOGNORMAL: return gsl_cdf_lognormal_Pinv(u, d->p[0], d->p[1]);
    case MKBA_DIST_GAMMA: return gsl_cdf_gamma_Pinv(u, d->p[0], d->p[1]);
    case MKBA_DIST_BETA: return gsl_cdf_beta_Pinv(u, d->p[0], d->p[1]);
    case MKBA_DIST_UNIFORM: return d->p[0] + (d->p[1] - d->p[0]) * u;
    case MKBA_DIST_TRIANGULAR: return triangular_inv(d, u);
    case MKBA_DIST_PERT:
        pert_shape(d, &a, &b);
        return d->p[0] + (d->p[2] - d->p[0]) * gsl_cdf_beta_Pinv(u, a, b);
    case MKBA_DIST_DISCRETE: return d->n ? d->values[discrete_find(d, u, 1)] : NAN;
    }
    return NAN;
}

void mkba_dist_p1_p99(const mkba_dist *d, double *p1, double *p99)
{
    *p1 = mkba_dist_quantile(d, 0.01);
    *p99 = mkba_dist_quantile(d, 0.99);
}

/* ============================== moments ================================ */

/* Truncated normal (Johnson, Kotz & Balakrishnan 1994, 10.1):
 * lambda = (phi(a) - phi(b))/Z, mean = mu + sd lambda,
 * var = sd^2 [1 + (a phi(a) - b phi(b))/Z - lambda^2]. */
static void trunc_moments(const mkba_dist *d, double *mean, double *var)
{
    trunc_std t = trunc_prep(d);
    double pa = gsl_ran_ugaussian_pdf(t.a), pb = gsl_ran_ugaussian_pdf(t.b);
    double lambda = (pa - pb) / t.z;
    *mean = d->p[0] + d->p[1] * lambda;
    *var = d->p[1] * d->p[1] * (1 + (t.a * pa - t.b * pb) / t.z - lambda * lambda);
}

static void moments(const mkba_dist *d, double *mean, double *var)
{
    const double *p = d->p;
    double a, b, s;
    switch (d->kind) {
    case MKBA_DIST_FIXED: *mean = p[0]; *var = 0; return;
    case MKBA_DIST_NORMAL: *mean = p[0]; *var = p[1] * p[1]; return;
    case MKBA_DIST_TRUNCNORMAL: trunc_moments(d, mean, var); return;
    case MKBA_DIST_LOGNORMAL: /* exp(mu + s^2/2), (exp(s^2) - 1) exp(2 mu + s^2) */
        s = p[1] * p[1];
        *mean = exp(p[0] + s / 2);
        *var = expm1(s) * exp(2 * p[0] + s);
        return;
    case MKBA_DIST_GAMMA: *mean = p[0] * p[1]; *var = p[0] * p[1] * p[1]; return;
    case MKBA_DIST_BETA: /* a/(a+b), ab/((a+b)^2 (a+b+1)) */
        s = p[0] + p[1];
        *mean = p[0] / s;
        *var = p[0] * p[1] / (s * s * (s + 1));
        return;
    case MKBA_DIST_UNIFORM:
        *mean = p[0] / 2 + p[1] / 2; /* (p0 + p1) / 2 to the bit, without overflow */
        *var = (p[1] - p[0]) * (p[1] - p[0]) / 12;
        return;
    case MKBA_DIST_TRIANGULAR: /* (a+b+c)/3, (a^2+b^2+c^2-ab-ac-bc)/18 */
        *mean = (p[0] + p[1] + p[2]) / 3;
        if (!isfinite(*mean)) /* amounts near 1.8e308: their sum overflows */
            *mean = p[0] / 3 + p[1] / 3 + p[2] / 3;
        *var = (p[0] * p[0] + p[1] * p[1] + p[2] * p[2] - p[0] * p[1] - p[0] * p[2] -
                p[1] * p[2]) / 18;
        return;
    case MKBA_DIST_PERT: /* the beta(a, b) moments, scaled to [min, max] */
        pert_shape(d, &a, &b);
        s = a + b;
        *mean = p[0] + (p[2] - p[0]) * a / s;
        *var = (p[2] - p[0]) * (p[2] - p[0]) * a * b / (s * s * (s + 1));
        return;
    case MKBA_DIST_DISCRETE: {
        double m = 0, v = 0, prev = 0;
        for (size_t i = 0; i < d->n; i++) {
            m += (d->cum[i] - prev) * d->values[i];
            prev = d->cum[i];
        }
        prev = 0;
        for (size_t i = 0; i < d->n; i++) {
            double dev = d->values[i] - m;
            v += (d->cum[i] - prev) * dev * dev;
            prev = d->cum[i];
        }
        *mean = d->n ? m : NAN;
        *var = d->n ? v : NAN;
        return;
    }
    }
    *mean = *var = NAN;
}

double mkba_dist_mean(const mkba_dist *d)
{
    double m, v;
    moments(d, &m, &v);
    return m;
}

double mkba_dist_var(const mkba_dist *d)
{
    double m, v;
    moments(d, &m, &v);
    return v;
}

/* =========================== Gaussian copula =========================== */

struct mkba_copula {
    size_t n;          /* number of correlated parameters */
    double *L;         /* [n*n] row-major lower Cholesky factor of the Pearson matrix */
};

/* Check the Spearman matrix: entries in [-1, 1], symmetric, unit diagonal. */
static mkba_status check_rank_corr(size_t n, const double *rc, mkba_error *err)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double x = rc[i * n + j];
            if (!(x >= -1 && x <= 1))
                return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                                      "the correlation matrix entry (%zu, %zu) is %g, outside "
                                      "[-1, 1]",
                                      i + 1, j + 1, x);
        }
    for (size_t i = 0; i < n; i++) {
        if (rc[i * n + i] != 1)
            return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                                  "the correlation matrix must have 1 on the diagonal, entry "
                                  "(%zu, %zu) is %g",
                                  i + 1, i + 1, rc[i * n + i]);
        for (size_t j = i + 1; j < n; j++)
            if (fabs(rc[i * n + j] - rc[j * n + i]) > 1e-12)
                return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                                      "the correlation matrix is not symmetric: entry (%zu, %zu) "
                                      "is %g but entry (%zu, %zu) is %g",
                                      i + 1, j + 1, rc[i * n + j], j + 1, i + 1, rc[j * n + i]);
    }
    return MKBA_OK;
}

mkba_copula *mkba_copula_alloc(size_t n, const double *rank_corr, mkba_error *err)
{
    if (n == 0 || !rank_corr) {
        mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL, "the correlation matrix is empty");
        return NULL;
    }
    if (check_rank_corr(n, rank_corr, err) != MKBA_OK)
        return NULL;
    gsl_matrix *m = mkba_xcheck(gsl_matrix_alloc(n, n), n * n * sizeof(double));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) {
            /* Spearman to Pearson for the normal copula: 2 sin(pi rho_s / 6);
             * +-1 stay exact (the formula gives 0.9999999999999999, which
             * would pass a perfectly dependent pair as positive definite). */
            double rs = rank_corr[i * n + j];
            double r = i == j ? 1.0 : fabs(rs) == 1 ? rs : 2 * sin(M_PI * rs / 6);
            gsl_matrix_set(m, i, j, r);
            gsl_matrix_set(m, j, i, r);
        }
    /* GSL_EDOM when not positive definite; the program has turned GSL's
     * aborting error handler off (changing it here would race with other
     * threads: the handler is global). */
    int status = gsl_linalg_cholesky_decomp1(m);
    if (status != GSL_SUCCESS) {
        gsl_matrix_free(m);
        mkba_error_set(err, MKBA_ENUM, NULL, 0, NULL,
                       "the correlation matrix is not positive definite");
        return NULL;
    }
    mkba_copula *c = mkba_xmalloc(sizeof *c);
    c->n = n;
    c->L = mkba_xcalloc(n * n, sizeof *c->L);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++)
            c->L[i * n + j] = gsl_matrix_get(m, i, j);
    gsl_matrix_free(m);
    return c;
}

void mkba_copula_free(mkba_copula *c)
{
    if (!c)
        return;
    free(c->L);
    free(c);
}

size_t mkba_copula_dim(const mkba_copula *c)
{
    return c->n;
}

/* y = L z in place: row i needs z[0..i] only, so going from the last row
 * up never reads an entry already overwritten. */
static void lower_times(const mkba_copula *c, double *z)
{
    size_t n = c->n;
    for (size_t i = n; i-- > 0;) {
        const double *row = c->L + i * n;
        double y = 0;
        for (size_t j = 0; j <= i; j++)
            y += row[j] * z[j];
        z[i] = y;
    }
}

void mkba_copula_sample_z(const mkba_copula *c, gsl_rng *r, double *z)
{
    mkba_copula_sample_zn(c, r, z, 1);
}

/* The normals of all the draws first, then L z draw by draw: L z read
 * z[i] just after its scalar store, with a wider load that the store
 * could not forward to, a stall of some 15 cycles each time. */
void mkba_copula_sample_zn(const mkba_copula *c, gsl_rng *r, double *y, size_t draws)
{
    size_t n = c->n;
    if (!mkba_rng_is_xoshiro(r)) {
        for (size_t k = 0; k < draws; k++, y += n) {
            for (size_t i = 0; i < n; i++)
                y[i] = gsl_ran_gaussian_ziggurat(r, 1.0);
            lower_times(c, y);
        }
        return;
    }
    xo st = *(xo *)r->state; /* a local copy, as fast_sample_n */
    for (size_t i = 0; i < draws * n; i++)
        y[i] = fast_normal(&st);
    *(xo *)r->state = st;
    for (size_t k = 0; k < draws; k++)
        lower_times(c, y + k * n);
}

double mkba_copula_uniform(double z)
{
    double p = gsl_cdf_ugaussian_P(z);
    return p < U_EPS ? U_EPS : p > 1 - U_EPS ? 1 - U_EPS : p;
}

double mkba_dist_from_normal(const mkba_dist *d, double z)
{
    double x;
    mkba_dist_from_normal_n(d, &z, 1, &x, 1);
    return x;
}

void mkba_dist_from_normal_n(const mkba_dist *d, const double *y, size_t stride, double *x,
                             size_t n)
{
    /* A normal or lognormal marginal needs no round trip through Phi and
     * its inverse: its quantile at Phi(z) is mean + sd z (or its
     * mkba_exp, as the lognormal's sampler). */
    const double p0 = d->p[0], p1 = d->p[1];
    if (d->kind == MKBA_DIST_NORMAL || d->kind == MKBA_DIST_LOGNORMAL) {
        for (size_t i = 0; i < n; i++)
            x[i] = p0 + p1 * y[i * stride];
        if (d->kind == MKBA_DIST_LOGNORMAL)
            mkba_exp_n(x, x, n);
    } else
        for (size_t i = 0; i < n; i++)
            x[i] = mkba_dist_quantile(d, mkba_copula_uniform(y[i * stride]));
}

void mkba_copula_sample(const mkba_copula *c, gsl_rng *r, double *u)
{
    mkba_copula_sample_z(c, r, u);
    for (size_t i = 0; i < c->n; i++)
        u[i] = mkba_copula_uniform(u[i]);
}

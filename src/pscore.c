/* pscore.c - the propensity model, the IPW and doubly robust estimators
 * built on it, their sandwich standard errors and the diagnostics.
 *
 * Why it is built this way: a bootstrap replicate refits the propensity
 * model and every weighted effect, so the data are coded once into a
 * "plan" (the design rows of the persons with every covariate, row-major,
 * their outcomes and the outcome models' designs), and a fit is a few
 * passes that accumulate the small cross-product matrices (X'WX, X'Wz) and
 * solve them. No per-person matrix is ever factorised, so a replicate costs
 * a few passes over the rows whatever the cohort size. The plan of a
 * bootstrap fits the model once on the full data for all its effects; a
 * replicate's IRLS starts from that fit (its MLE lies close by: fewer
 * passes to the same convergence). IRLS stops at the coefficients whose
 * Newton step is below the tolerance, so from the full-data fit with all
 * counts 1 it stops at once: such a replicate is the estimate exactly. No
 * result depends on the thread that runs it.
 *
 * The rules the outputs rest on (definitions, sample, weights) are in
 * pscore.h; the tests compare every number with R. */
#include "mkba/pscore.h"

#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "mkba/mem.h"
#include "mkba/stream.h"

#define Z975 1.959963984540054 /* standard normal 0.975 quantile */
#define IRLS_MAXIT 60          /* Newton converges in under 15 where the MLE exists */
#define IRLS_TOL 1e-11         /* stop when every step is below TOL * (1 + |b_j|) */
#define PASS_AHEAD 64          /* rows a pass prefetches ahead */
/* Weights come from the linear predictor eta, not from e: exp(eta) is the
 * odds e / (1 - e) without the cancellation of 1 - e near 1. A weight
 * above this (eta beyond about 690) is no number to weigh with. */
#define WEIGHT_MAX 1e300

const char *mkba_estimand_name(mkba_estimand e)
{
    return e == MKBA_ESTIMAND_ATE ? "ate" : "att";
}

/* ================================ designs ================================ */

/* Columns of a model coded for a list of persons ("rows"): the intercept,
 * then each term's columns in the order the terms are listed. */
typedef struct design {
    size_t m;        /* rows */
    size_t p;        /* columns, the intercept first */
    size_t *row;     /* [m] cohort row of each design row */
    double *X;       /* [m * p] row-major; NaN where a variable is missing */
    char **name;     /* [p] column names for messages and tables */
    size_t *term;    /* [p] term of the column (SIZE_MAX: the intercept) */
    size_t *level;   /* [p] level of a dummy (SIZE_MAX: not a dummy) */
    size_t *var;     /* [p] cohort variable of the column's first factor */
} design;

static void design_free(design *d)
{
    for (size_t j = 0; j < d->p && d->name; j++)
        free(d->name[j]);
    free(d->row);
    free(d->X);
    free(d->name);
    free(d->term);
    free(d->level);
    free(d->var);
    memset(d, 0, sizeof *d);
}

/* One factor of a term: a numeric variable (one column) or a category
 * (a dummy per present level but the first). */
typedef struct factor {
    size_t var;
    int cat;
    size_t n_col;    /* 1, or the present levels less the base */
    size_t *lev;     /* [n_col] level codes of the dummies (category) */
} factor;

/* Levels of category variable v present among the rows with use[r]. */
static void factor_init(const mkba_cohort *c, size_t v, const size_t *row, const uint8_t *use,
                        size_t m, factor *f)
{
    memset(f, 0, sizeof *f);
    f->var = v;
    f->n_col = 1;
    if (mkba_cohort_var_type(c, v) != MKBA_VAR_CATEGORY)
        return;
    f->cat = 1;
    size_t L = mkba_cohort_levels(c, v, NULL);
    const double *x = mkba_cohort_column(c, v);
    uint8_t *present = mkba_xcalloc(L ? L : 1, 1);
    for (size_t r = 0; r < m; r++)
        if (use[r] && x[row[r]] >= 0 && x[row[r]] < (double)L)
            present[(size_t)x[row[r]]] = 1;
    f->lev = mkba_xcalloc(L ? L : 1, sizeof *f->lev);
    f->n_col = 0;
    int base = 1;
    for (size_t l = 0; l < L; l++)
        if (present[l] && !(base && (base = 0, 1))) /* the first present level is the base */
            f->lev[f->n_col++] = l;
    free(present);
}

static char *factor_name(const mkba_cohort *c, const factor *f, size_t k)
{
    const char *var = mkba_cohort_var_name(c, f->var);
    if (!f->cat)
        return mkba_xstrdup(var);
    const char *const *levels = NULL;
    mkba_cohort_levels(c, f->var, &levels);
    return mkba_xasprintf("%s: %s", var, levels[f->lev[k]]);
}

/* The factors of a term: a alone, a squared (b = a) or a times b. */
typedef struct term_factors {
    factor a, b;
    int two;         /* 1: a product (or square) */
} term_factors;

static size_t term_cols(const term_factors *t)
{
    return t->a.n_col * (t->two ? t->b.n_col : 1);
}

/* Column k of term t: its name and its value for cohort row i. */
static char *term_col_name(const mkba_cohort *c, const term_factors *t, size_t k)
{
    size_t nb = t->two ? t->b.n_col : 1;
    char *na = factor_name(c, &t->a, k / nb);
    if (!t->two)
        return na;
    char *out;
    if (t->b.var == t->a.var && !t->a.cat)
        out = mkba_xasprintf("%s^2", na);
    else {
        char *nb_ = factor_name(c, &t->b, k % nb);
        out = mkba_xasprintf("%s*%s", na, nb_);
        free(nb_);
    }
    free(na);
    return out;
}

/* Where column k of term t takes its values from: each factor's cohort
 * column and, for a category, the level of its dummy. */
typedef struct col_source {
    const double *x[2];  /* factor a's column, factor b's (NULL: one factor) */
    int cat[2];          /* 1: a category, the value is (x == lev) */
    double lev[2];
} col_source;

static col_source term_col_source(const mkba_cohort *c, const term_factors *t, size_t k)
{
    size_t nb = t->two ? t->b.n_col : 1;
    const factor *f[2] = {&t->a, t->two ? &t->b : NULL};
    size_t kk[2] = {k / nb, k % nb};
    col_source s = {{NULL, NULL}, {0, 0}, {0, 0}};
    for (int h = 0; h < 2 && f[h]; h++) {
        s.x[h] = mkba_cohort_column(c, f[h]->var);
        s.cat[h] = f[h]->cat;
        s.lev[h] = f[h]->cat ? (double)f[h]->lev[kk[h]] : 0;
    }
    return s;
}

/* The value of factor h of a column for cohort row i: the variable's
 * value, or for a category 1 at the dummy's level and 0 at the others
 * (NaN when missing). */
static inline double source_factor(const col_source *s, int h, size_t i)
{
    double x = s->x[h][i];
    return !s->cat[h] || isnan(x) ? x : x == s->lev[h];
}

/* The value of a column for cohort row i: its factor, or the product of
 * its two. */
static inline double source_value(const col_source *s, size_t i)
{
    double v = source_factor(s, 0, i);
    return s->x[1] ? v * source_factor(s, 1, i) : v;
}

/* The layout of a design of terms for the m persons row[] (taken: the
 * design frees it): levels present among those with use[r] (NULL: all)
 * define the dummies. Returns where each column takes its values from
 * (free it), for design_fill; d->X is allocated, not filled. */
static col_source *design_layout(const mkba_cohort *c, const mkba_est_term *terms,
                                 size_t n_terms, size_t *row, const uint8_t *use, size_t m,
                                 design *d)
{
    uint8_t *all = NULL;
    if (!use) {
        all = mkba_xmalloc(m ? m : 1);
        memset(all, 1, m ? m : 1);
        use = all;
    }
    term_factors *tf = mkba_xcalloc(n_terms ? n_terms : 1, sizeof *tf);
    size_t p = 1;
    for (size_t t = 0; t < n_terms; t++) {
        factor_init(c, terms[t].a, row, use, m, &tf[t].a);
        tf[t].two = terms[t].b >= 0;
        if (tf[t].two)
            factor_init(c, (size_t)terms[t].b, row, use, m, &tf[t].b);
        p += term_cols(&tf[t]);
    }
    memset(d, 0, sizeof *d);
    d->m = m;
    d->p = p;
    d->row = row;
    d->X = mkba_xmalloc_large((m ? m : 1) * p, sizeof *d->X); /* design_fill writes it all */
    d->name = mkba_xcalloc(p, sizeof *d->name);
    d->term = mkba_xcalloc(p, sizeof *d->term);
    d->level = mkba_xcalloc(p, sizeof *d->level);
    d->var = mkba_xcalloc(p, sizeof *d->var);
    d->name[0] = mkba_xstrdup("(intercept)");
    d->term[0] = d->level[0] = d->var[0] = SIZE_MAX;
    col_source *src = mkba_xcalloc(p, sizeof *src);
    size_t j = 1;
    for (size_t t = 0; t < n_terms; t++)
        for (size_t k = 0; k < term_cols(&tf[t]); k++, j++) {
            d->name[j] = term_col_name(c, &tf[t], k);
            d->term[j] = t;
            d->var[j] = tf[t].a.var;
            d->level[j] = tf[t].a.cat && !tf[t].two ? tf[t].a.lev[k] : SIZE_MAX;
            src[j] = term_col_source(c, &tf[t], k);
        }
    for (size_t t = 0; t < n_terms; t++) {
        free(tf[t].a.lev);
        free(tf[t].b.lev);
    }
    free(tf);
    free(all);
    return src;
}

/* Rows r0 .. r1 - 1 of d's values, from their sources (design_layout).
 * Values are NaN where a variable is missing. */
static void design_fill(design *d, const col_source *src, size_t r0, size_t r1)
{
    size_t p = d->p;
    for (size_t r = r0; r < r1; r++) { /* row by row: the rows are written in order */
        double *x = d->X + r * p;
        x[0] = 1;
        for (size_t j = 1; j < p; j++)
            x[j] = source_value(&src[j], d->row[r]);
    }
}

/* Code terms for the m persons row[] (design_layout, then every row). */
static void design_build(const mkba_cohort *c, const mkba_est_term *terms, size_t n_terms,
                         const size_t *row, const uint8_t *use, size_t m, design *d)
{
    size_t *own = mkba_xreallocarray(NULL, m ? m : 1, sizeof *own);
    memcpy(own, row, m * sizeof *own);
    col_source *src = design_layout(c, terms, n_terms, own, use, m, d);
    design_fill(d, src, 0, m);
    free(src);
}

/* ============================ small linear algebra ======================= */

/* Solve the symmetric positive definite system A x = b (p x p, A
 * overwritten, x returned in b), scaled to a unit diagonal first so the
 * Cholesky factor sees the correlation structure only (columns of very
 * different size, like an income and a 0/1 dummy, cost no accuracy).
 * Returns 0 on success, 1 when A is not positive definite. If inv is not
 * NULL it receives the diagonal of A^-1. */
static int solve_spd(double *A, double *b, size_t p, double *inv_diag)
{
    double *s = mkba_xreallocarray(NULL, p, sizeof *s);
    int bad = 0;
    for (size_t j = 0; j < p; j++) {
        bad |= !(A[j * p + j] > 0);
        s[j] = bad ? 1 : 1 / sqrt(A[j * p + j]);
    }
    for (size_t i = 0; i < p && !bad; i++)
        for (size_t j = 0; j < p; j++)
            A[i * p + j] *= s[i] * s[j];
    /* a failure is a status here: GSL's aborting handler is off in the
     * program (pscore.h; setting it here would race with other threads) */
    gsl_matrix_view M = gsl_matrix_view_array(A, p, p);
    if (!bad)
        bad = gsl_linalg_cholesky_decomp1(&M.matrix) != 0;
    if (!bad && b) {
        for (size_t j = 0; j < p; j++)
            b[j] *= s[j];
        gsl_vector_view v = gsl_vector_view_array(b, p);
        bad = gsl_linalg_cholesky_svx(&M.matrix, &v.vector) != 0;
        for (size_t j = 0; j < p; j++)
            b[j] *= s[j];
    }
    if (!bad && inv_diag) {
        bad = gsl_linalg_cholesky_invert(&M.matrix) != 0;
        for (size_t j = 0; j < p && !bad; j++)
            inv_diag[j] = A[j * p + j] * s[j] * s[j];
    }
    free(s);
    for (size_t j = 0; j < p && b && !bad; j++)
        bad = !isfinite(b[j]);
    return bad;
}

/* Add wt * x x' to A (p x p, lower triangle only) and wt * z * x to g. */
static inline void accumulate(double *A, double *g, const double *x, size_t p, double wt,
                              double z)
{
    for (size_t i = 0; i < p; i++) {
        double wx = wt * x[i];
        for (size_t j = 0; j <= i; j++)
            A[i * p + j] += wx * x[j];
        if (g)
            g[i] += wx * z;
    }
}

static void symmetrize(double *A, size_t p)
{
    for (size_t i = 0; i < p; i++)
        for (size_t j = i + 1; j < p; j++)
            A[i * p + j] = A[j * p + i];
}

/* ============================ the logistic fit =========================== */

/* The fit needs, stably for any eta, plogis(eta) = 1 / (1 + exp(-eta))
 * = eta >= 0 ? 1 / (1 + exp(-eta)) : exp(eta) / (1 + exp(eta)) and
 * log_plogis(eta) = log plogis(eta) = eta > 0 ? -log1p(exp(-eta))
 * : eta - log1p(exp(eta)); both from t = exp(-|eta|) (see irls_pass_p). */

/* Scratch space of one fit (one per thread). */
typedef struct ps_ws {
    size_t m, p, q;
    double *e;       /* [m] fitted propensity */
    double *eta;     /* [m] its linear predictor (log-odds) */
    double *f;       /* [m] frequency weight of each row (0: left out) */
    double *H;       /* [p * p] */
    double *g;       /* [p] */
    double *beta;    /* [p] */
    double *step;    /* [p] */
    double *trial;   /* [p] beta + a step */
    double *gam;     /* [2 * pz] outcome model coefficients */
    double *Q;       /* [pz * pz] */
    double ll;       /* the log-likelihood of the fit (logit_fit, once converged) */
    atomic_int *stop;/* NULL, or a flag that stops the fit when set (see plan_build) */
} ps_ws;

static void ws_init(ps_ws *w, size_t m, size_t p, size_t pz)
{
    memset(w, 0, sizeof *w);
    w->m = m;
    w->p = p;
    size_t mm = m ? m : 1, zz = pz ? pz : 1;
    /* written before they are read (e and eta where f > 0, the only
     * rows read) */
    w->e = mkba_xmalloc_large(mm, sizeof *w->e);
    w->eta = mkba_xmalloc_large(mm, sizeof *w->eta);
    w->f = mkba_xmalloc_large(mm, sizeof *w->f);
    /* the small arrays in lines of their own: a pass writes H and g (Q
     * and gam) every few rows, beside another thread's pass */
    w->H = mkba_xcalloc_own(p * p + 4 * p, sizeof *w->H);
    w->g = w->H + p * p;
    w->beta = w->g + p;
    w->step = w->beta + p;
    w->trial = w->step + p;
    w->gam = mkba_xcalloc_own(2 * zz, sizeof *w->gam);
    w->Q = mkba_xcalloc_own(zz * zz, sizeof *w->Q);
}

static void ws_free(ps_ws *w)
{
    free(w->e);
    free(w->eta);
    free(w->f);
    free(w->H); /* and g, beta, step, trial */
    free(w->gam);
    free(w->Q);
}

typedef enum { FIT_OK = 0, FIT_SEPARATED } fit_status;

/* One pass over the rows with f > 0 at beta: fills e and eta, returns
 * the deviance / -2, and leaves in w->H (lower triangle) and w->g the
 * Newton system at beta, X'WX with W = f e (1 - e) and X'f(T - e). One
 * exp and one log1p per row: exp(-|eta|) serves plogis and both
 * log_plogis branches (the same values as computing each on its own). Where a trial
 * step is rejected its system is thrown away; where it is taken (nearly
 * always) the next iteration needs no pass of its own. */
/* Add the rows x[0..3] with weights u[0..3] to H (lower triangle) and
 * with weights v[0..3] to g: the four rows' products are added together
 * first, so that H is read and written once per four rows (those loads
 * and stores, not the products, bound the pass). */
static inline __attribute__((always_inline)) void add4(double *H, double *g,
                                                       const double *const x[4],
                                                       const double u[4], const double v[4],
                                                       size_t p)
{
    for (size_t i = 0; i < p; i++) {
        double a0 = u[0] * x[0][i], a1 = u[1] * x[1][i], a2 = u[2] * x[2][i],
               a3 = u[3] * x[3][i];
        for (size_t j = 0; j <= i; j++)
            H[i * p + j] += (a0 * x[0][j] + a1 * x[1][j]) + (a2 * x[2][j] + a3 * x[3][j]);
        g[i] += (v[0] * x[0][i] + v[1] * x[1][i]) + (v[2] * x[2][i] + v[3] * x[3][i]);
    }
}

static inline __attribute__((always_inline)) double irls_pass_p(const design *d,
                                                                const uint8_t *T,
                                                                const double *beta, ps_ws *w,
                                                                size_t p)
{
    double *H = w->H, *g = w->g, u[4] = {0, 0, 0, 0}, v[4] = {0, 0, 0, 0};
    const double *x4[4] = {d->X, d->X, d->X, d->X};
    size_t k = 0; /* rows in x4 */
    /* ll = lin - sum f log1p(t): log_plogis(eta) if T, else
     * log_plogis(-eta), is min(+-eta, 0) - log1p(t). The log1p terms of
     * rows with f = 1, 2 or 3 (every row of the full data, all but a few
     * of a bootstrap replicate's) are summed as the log of the product
     * prod * 2^ex of (1 + t)^f: one log a pass instead of a log1p a row
     * (a quarter of a bootstrap's processor time). Rounding 1 + t costs
     * 2^-53 of t in absolute terms, so rows with t below 2^-13 (|eta|
     * above 9) keep their log1p: every term then stays within 2^-40 of
     * its value, below the 1e-12 * |ll| by which logit_fit judges a step
     * however close to 0 or 1 the rows' propensities are. */
    double lin = 0, rest = 0, prod = 1;
    long ex = 0;
    memset(H, 0, p * p * sizeof *H);
    memset(g, 0, p * sizeof *g);
    for (size_t r = 0; r < d->m; r++) {
        /* the rows stream from memory: asked for ahead, they are there
         * when needed (a third of the pass was waiting for them) */
        __builtin_prefetch(d->X + (r + PASS_AHEAD) * p);
        if ((r & 63) == 0) { /* (1 + t)^3 <= 8: 64 rows grow prod by 2^192 at most */
            int e2;
            prod = frexp(prod, &e2);
            ex += e2;
        }
        double f = w->f[r];
        if (!(f > 0))
            continue;
        const double *x = d->X + r * p;
        double eta = 0;
        for (size_t j = 0; j < p; j++)
            eta += x[j] * beta[j];
        double t = exp(-fabs(eta)), s = 1 + t, s2 = s * s;
        double e = eta >= 0 ? 1 / s : t / s; /* plogis(eta) */
        w->e[r] = e;
        w->eta[r] = eta;
        lin += f * (T[r] ? (eta > 0 ? 0 : eta) : (eta < 0 ? 0 : -eta));
        int in_prod = (f == 1 || f == 2 || f == 3) && t >= 0x1p-13;
        prod *= !in_prod ? 1 : f == 1 ? s : f == 2 ? s2 : s2 * s;
        if (!in_prod)
            rest += f * log1p(t);
        x4[k] = x;
        u[k] = f * e * (1 - e);
        v[k] = f * (T[r] - e);
        if (++k == 4) {
            add4(H, g, x4, u, v, p);
            k = 0;
        }
    }
    for (size_t q = k; q < 4; q++) { /* the last rows: the others with weight 0 */
        x4[q] = x4[0];
        u[q] = v[q] = 0;
    }
    if (k)
        add4(H, g, x4, u, v, p);
    return lin - (log(prod) + (double)ex * M_LN2) - rest;
}

/* irls_pass_p with a constant p where one is common (the loops unroll). */
static double irls_pass(const design *d, const uint8_t *T, const double *beta, ps_ws *w)
{
    switch (d->p) {
#define IRLS_P(P)                                                                                \
    case P:                                                                                      \
        return irls_pass_p(d, T, beta, w, P);
        IRLS_P(2) IRLS_P(3) IRLS_P(4) IRLS_P(5) IRLS_P(6) IRLS_P(7) IRLS_P(8) IRLS_P(9)
        IRLS_P(10) IRLS_P(11) IRLS_P(12)
#undef IRLS_P
    default:
        return irls_pass_p(d, T, beta, w, d->p);
    }
}

/* Newton-Raphson (= IRLS) for the logistic MLE from w->beta, with step
 * halving when the likelihood falls. Converged when the Newton step at
 * the current coefficients is below IRLS_TOL: they are the fit (the step,
 * a correction below the tolerance, is not taken, which saves a pass over
 * the rows). On success w->beta holds the fit, w->e the fitted
 * propensities and *iter the steps taken. */
static fit_status logit_fit(const design *d, const uint8_t *T, ps_ws *w, int *iter)
{
    size_t p = d->p;
    double ll = irls_pass(d, T, w->beta, w);
    *iter = 0;
    for (int it = 1; it <= IRLS_MAXIT; it++) {
        if (w->stop && atomic_load(w->stop))
            return FIT_SEPARATED; /* no matter: an error found beside it is reported */
        symmetrize(w->H, p);
        memcpy(w->step, w->g, p * sizeof *w->step);
        /* The design has full rank (checked before fitting), so X'WX can
         * only fail when the weights e(1 - e) vanish: fitted
         * propensities of 0 and 1, groups separated. */
        if (solve_spd(w->H, w->step, p, NULL))
            return FIT_SEPARATED;
        double big = 0;
        for (size_t j = 0; j < p; j++) {
            double rel = fabs(w->step[j]) / (1 + fabs(w->beta[j]));
            big = rel > big ? rel : big;
        }
        if (big < IRLS_TOL) { /* e and eta are at beta: the last pass was */
            for (size_t r = 0; r < d->m; r++)
                if (w->f[r] > 0 && !(fabs(w->eta[r]) < log(WEIGHT_MAX)))
                    return FIT_SEPARATED;
            w->ll = ll;
            return FIT_OK;
        }
        double t = 1, ll_new = ll;
        for (int half = 0; half < 30; half++, t /= 2) {
            for (size_t j = 0; j < p; j++)
                w->trial[j] = w->beta[j] + t * w->step[j];
            ll_new = irls_pass(d, T, w->trial, w);
            if (ll_new >= ll - 1e-12 * fabs(ll))
                break;
        }
        memcpy(w->beta, w->trial, p * sizeof *w->beta);
        ll = ll_new;
        *iter = it;
    }
    /* Where the groups are separated the likelihood has no maximum: the
     * coefficients grow by about the same step in every iteration and
     * never settle. A fit whose MLE exists converges in a few. */
    return FIT_SEPARATED;
}

/* ================================ the plan =============================== */

/* An IPW or DR effect coded for fitting. */
typedef struct ps_eff {
    size_t spec;     /* index in the caller's specs */
    const char *name;
    mkba_est_method method;
    double *v;       /* [m] outcome (or change) of each design row; NaN: not used */
    const design *z; /* DR: the outcome model's design over the same rows: z_own, or
                        the propensity model's when it is the same (no covariates of
                        its own, and every row has the outcome) */
    design z_own;
    size_t n_used;   /* rows with a value (before trimming) */
} ps_eff;

struct mkba_ps_plan {
    const mkba_cohort *c;
    const mkba_ps_spec *ps;
    design d;        /* the propensity model's design: persons with every covariate */
    uint8_t *T;      /* [m] 1 pilot, 0 control */
    size_t n_missing;/* cohort persons without every covariate */
    size_t pz_max;   /* widest outcome design */
    size_t n_eff;
    ps_eff *eff;
    double *beta0;   /* [p] the full-data fit before trimming, where a replicate's
                        IRLS starts (see mkba_ps_replicate) */
};

static const char *const GROUP[2] = {"control", "pilot"};

static mkba_status ps_error(mkba_error *err, mkba_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static mkba_status ps_error(mkba_error *err, mkba_status st, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return mkba_error_set(err, st, NULL, 0, NULL, "propensity model: %s", msg);
}

/* Each variable of the model needs a value in both groups. */
static mkba_status check_present(const mkba_cohort *c, const mkba_ps_spec *ps, mkba_error *err)
{
    const uint8_t *g = mkba_cohort_group(c);
    size_t n = mkba_cohort_size(c);
    for (size_t t = 0; t < ps->n_terms; t++)
        for (int k = 0; k < 2; k++) {
            size_t v = k ? (size_t)ps->terms[t].b : ps->terms[t].a;
            if (k && ps->terms[t].b < 0)
                continue;
            const double *x = mkba_cohort_column(c, v);
            size_t have[2] = {0, 0};
            for (size_t i = 0; i < n; i++)
                have[g[i]] += !isnan(x[i]);
            for (int gr = 1; gr >= 0; gr--)
                if (have[gr] == 0 && mkba_cohort_count(c, gr) > 0)
                    return ps_error(err, MKBA_EINVAL,
                                    "covariate '%s' has no value for any person of the %s "
                                    "group; the groups cannot be compared on it (leave it "
                                    "out of [propensity] covariates, or fill it in)",
                                    mkba_cohort_var_name(c, v), GROUP[gr]);
        }
    return MKBA_OK;
}

/* Whether design row r is in the sample: f NULL (all rows) or f[r] > 0. */
static int in_sample(const double *f, size_t r)
{
    return !f || f[r] > 0;
}

/* Column j of d as a message names it: a dummy by its covariate and the
 * level's position in the file, never the level's text (a cell of the
 * cohort: error messages quote none). */
static void col_label(const mkba_cohort *c, const design *d, size_t j, char *buf, size_t size)
{
    if (d->level[j] == SIZE_MAX)
        snprintf(buf, size, "'%s'", d->name[j]);
    else
        snprintf(buf, size, "'%s' (its level number %zu in order of first appearance)",
                 mkba_cohort_var_name(c, d->var[j]), d->level[j] + 1);
}

/* A category level seen in one group only (among the rows of f): its
 * persons have a propensity of exactly 0 or 1 and the maximum likelihood
 * does not exist. */
static mkba_status check_levels(const mkba_ps_plan *pl, const double *f, mkba_error *err)
{
    const mkba_cohort *c = pl->c;
    for (size_t t = 0; t < pl->ps->n_terms; t++) {
        size_t v = pl->ps->terms[t].a;
        if (pl->ps->terms[t].b >= 0 || mkba_cohort_var_type(c, v) != MKBA_VAR_CATEGORY)
            continue;
        size_t L = mkba_cohort_levels(c, v, NULL);
        size_t *cnt = mkba_xcalloc(2 * (L ? L : 1), sizeof *cnt);
        const double *x = mkba_cohort_column(c, v);
        for (size_t r = 0; r < pl->d.m; r++)
            if (in_sample(f, r))
                cnt[2 * (size_t)x[pl->d.row[r]] + pl->T[r]]++;
        mkba_status st = MKBA_OK;
        for (size_t l = 0; l < L && !st; l++)
            for (int gr = 0; gr < 2 && !st; gr++)
                if (cnt[2 * l + gr] > 0 && cnt[2 * l + !gr] == 0)
                    st = ps_error(err, MKBA_EINVAL,
                                  "covariate '%s': its level number %zu (in order of first "
                                  "appearance in the cohort file) occurs in the %s group only, "
                                  "so the groups do not overlap there (its persons would get a "
                                  "propensity of exactly %d); merge the level with another, "
                                  "leave its persons out of the cohort, or leave '%s' out of "
                                  "[propensity] covariates",
                                  mkba_cohort_var_name(c, v), l + 1, GROUP[gr], gr,
                                  mkba_cohort_var_name(c, v));
        free(cnt);
        if (st)
            return st;
    }
    return MKBA_OK;
}

/* Constant columns and columns that alone separate the groups (among the
 * rows of f), the first such column named. */
static mkba_status check_columns(const mkba_ps_plan *pl, const double *f, mkba_error *err)
{
    const design *d = &pl->d;
    size_t p = d->p;
    double *lo = mkba_xreallocarray(NULL, 2 * p, sizeof *lo); /* [group * p + column] */
    double *hi = mkba_xreallocarray(NULL, 2 * p, sizeof *hi);
    for (size_t j = 0; j < 2 * p; j++) {
        lo[j] = INFINITY;
        hi[j] = -INFINITY;
    }
    for (size_t r = 0; r < d->m; r++) { /* one pass, row by row */
        if (!in_sample(f, r))
            continue;
        const double *x = d->X + r * p;
        double *l = lo + pl->T[r] * p, *h = hi + pl->T[r] * p;
        for (size_t j = 1; j < p; j++) {
            l[j] = x[j] < l[j] ? x[j] : l[j];
            h[j] = x[j] > h[j] ? x[j] : h[j];
        }
    }
    char lab[400];
    mkba_status st = MKBA_OK;
    for (size_t j = 1; j < p && !st; j++) {
        double l[2] = {lo[j], lo[p + j]}, h[2] = {hi[j], hi[p + j]};
        col_label(pl->c, d, j, lab, sizeof lab);
        if (fmin(l[0], l[1]) == fmax(h[0], h[1])) {
            st = ps_error(err, MKBA_ENUM,
                          "%s is constant among the persons used; leave it out of "
                          "[propensity] covariates",
                          lab);
            break;
        }
        for (int gr = 0; gr < 2 && !st; gr++)
            if (h[gr] <= l[!gr])
                st = ps_error(err, MKBA_EINVAL,
                              "%s separates the groups: every %s person's value is at or "
                              "below every %s person's, so the groups do not overlap on it "
                              "and the pilot cannot be compared with regular practice "
                              "there; leave out the persons outside the range both groups "
                              "share, or leave it out of [propensity] covariates",
                              lab, GROUP[gr], GROUP[!gr]);
    }
    free(lo);
    free(hi);
    return st;
}

static mkba_status check_collinear(const mkba_cohort *c, const design *d, const uint8_t *keep,
                                   const char *what, const char *fix, mkba_error *err)
{
    size_t p = d->p, m = 0, first = 0;
    for (size_t r = d->m; r-- > 0;)
        if (!keep || keep[r])
            m++, first = r;
    if (m < p)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "%s has %zu parameters but fewer persons have every value",
                              what, p);
    double *mean = mkba_xcalloc(p, sizeof *mean), *norm = mkba_xcalloc(p, sizeof *norm);
    double *C = mkba_xcalloc(p * p, sizeof *C), *dx = mkba_xcalloc(4 * p, sizeof *dx);
    uint8_t *varies = mkba_xcalloc(p, 1);
    const double *x0 = d->X + first * p;
    for (size_t r = 0; r < d->m; r++) {
        if (keep && !keep[r])
            continue;
        const double *x = d->X + r * p;
        for (size_t j = 1; j < p; j++) {
            mean[j] += x[j];
            varies[j] |= x[j] != x0[j];
        }
    }
    size_t col = 0;
    int constant = 0;
    for (size_t j = 1; j < p && !constant; j++)
        if (!varies[j])
            constant = 1, col = j;
    if (!constant) {
        for (size_t j = 1; j < p; j++)
            mean[j] /= (double)m;
        /* the centred rows four at a time (add4; column 0 stays 0) */
        const double *x4[4] = {dx, dx + p, dx + 2 * p, dx + 3 * p};
        double one[4] = {1, 1, 1, 1}, zero[4] = {0, 0, 0, 0};
        size_t k = 0;
        for (size_t r = 0; r < d->m; r++) {
            if (keep && !keep[r])
                continue;
            const double *x = d->X + r * p;
            for (size_t j = 1; j < p; j++)
                dx[k * p + j] = x[j] - mean[j];
            if (++k == 4) {
                add4(C, norm, x4, one, zero, p);
                k = 0;
            }
        }
        for (size_t q = k; q < 4; q++) /* the last rows: the others with weight 0 */
            one[q] = 0;
        if (k)
            add4(C, norm, x4, one, zero, p);
        for (size_t j = 1; j < p; j++) /* sum of x_j^2 = the centred sum + m mean^2 */
            norm[j] = C[j * p + j] + (double)m * mean[j] * mean[j];
        double *sc = mkba_xcalloc(p, sizeof *sc);
        col = mkba_est_collinear(C, p, 1, norm, sc); /* after the intercept */
        col = col < p ? col : 0;
        free(sc);
    }
    free(mean);
    free(norm);
    free(C);
    free(dx);
    free(varies);
    if (!col)
        return MKBA_OK;
    char lab[400];
    col_label(c, d, col, lab, sizeof lab);
    if (constant)
        return mkba_error_set(err, MKBA_ENUM, NULL, 0, NULL,
                              "%s: %s is constant among the persons used; leave it out of %s",
                              what, lab, fix);
    return mkba_error_set(err, MKBA_ENUM, NULL, 0, NULL,
                          "%s: the design is singular: %s is a linear combination of %s; leave "
                          "it out of %s",
                          what, lab,
                          col > 1 ? "the intercept and the terms listed before it"
                                  : "the intercept",
                          fix);
}

/* plan_sample on threads: the persons in chunks of SAMPLE_CHUNK, each
 * chunk a task of the thread runner (stream.h) in three rounds: which
 * persons have every covariate (round 1); their design rows, in cohort
 * order after those of the chunks before (round 2); the rows' values and
 * group codes (round 3, after the design's layout, whose dummies are the
 * levels present among all the rows). The design is the one a pass over
 * the cohort makes, on any number of threads. */
#define SAMPLE_CHUNK 16384
typedef struct sample_run {
    mkba_ps_plan *pl;
    size_t n, n_chunk;
    uint8_t *ok;           /* [n] 1: the person has every covariate */
    size_t *before;        /* [n_chunk + 1] persons with every covariate before chunk k */
    size_t *row;           /* [m] the design rows' persons */
    const col_source *src; /* the design's columns (round 3) */
    size_t (*cnt)[2];      /* [n_chunk] each chunk's rows per group code */
    int round;
} sample_run;

static void sample_task(void *ctx, size_t k, size_t thread)
{
    (void)thread;
    sample_run *sr = ctx;
    mkba_ps_plan *pl = sr->pl;
    const mkba_ps_spec *ps = pl->ps;
    size_t a = k * SAMPLE_CHUNK, b = sr->n - a < SAMPLE_CHUNK ? sr->n : a + SAMPLE_CHUNK;
    if (sr->round == 1) {
        memset(sr->ok + a, 1, b - a);
        for (size_t t = 0; t < ps->n_terms; t++)
            for (int h = 0; h < 2; h++) {
                long v = h ? ps->terms[t].b : (long)ps->terms[t].a;
                const double *x = v >= 0 ? mkba_cohort_column(pl->c, (size_t)v) : NULL;
                for (size_t i = a; i < b && x; i++)
                    sr->ok[i] &= !isnan(x[i]);
            }
        size_t m = 0;
        for (size_t i = a; i < b; i++)
            m += sr->ok[i];
        sr->before[k + 1] = m;
    } else if (sr->round == 2) {
        size_t r = sr->before[k];
        for (size_t i = a; i < b; i++)
            if (sr->ok[i])
                sr->row[r++] = i;
    } else {
        size_t r0 = sr->before[k], r1 = sr->before[k + 1];
        const uint8_t *g = mkba_cohort_group(pl->c);
        design_fill(&pl->d, sr->src, r0, r1);
        for (size_t r = r0; r < r1; r++)
            sr->cnt[k][pl->T[r] = g[pl->d.row[r]]]++;
    }
}

/* The propensity model's sample and design: the persons with every
 * covariate, in cohort order, and their group codes, on up to 'threads'
 * threads. Fails where a group keeps fewer than 2 of them, with
 * check_present's error where it applies (a covariate missing for a whole
 * group is why; it can fail only then). The design's own checks are
 * design_check's. */
static mkba_status plan_sample(mkba_ps_plan *pl, int threads, mkba_error *err)
{
    const mkba_ps_spec *ps = pl->ps;
    sample_run sr = {.pl = pl, .n = mkba_cohort_size(pl->c)};
    sr.n_chunk = (sr.n + SAMPLE_CHUNK - 1) / SAMPLE_CHUNK;
    sr.ok = mkba_xmalloc(sr.n);
    sr.before = mkba_xcalloc(sr.n_chunk + 1, sizeof *sr.before);
    sr.cnt = mkba_xcalloc(sr.n_chunk ? sr.n_chunk : 1, sizeof *sr.cnt);
    for (sr.round = 1; sr.round <= 3; sr.round++) {
        mkba_stream_parallel(sr.n_chunk, threads, sample_task, &sr);
        if (sr.round == 1) { /* the rows before each chunk */
            for (size_t k = 0; k < sr.n_chunk; k++)
                sr.before[k + 1] += sr.before[k];
            sr.row = mkba_xreallocarray(NULL, sr.before[sr.n_chunk] ? sr.before[sr.n_chunk] : 1,
                                        sizeof *sr.row);
        } else if (sr.round == 2) {
            size_t m = sr.before[sr.n_chunk];
            pl->n_missing = sr.n - m;
            sr.src = design_layout(pl->c, ps->terms, ps->n_terms, sr.row, NULL, m, &pl->d);
            pl->T = mkba_xreallocarray(NULL, m ? m : 1, 1);
        }
    }
    size_t cnt[2] = {0, 0};
    for (size_t k = 0; k < sr.n_chunk; k++)
        for (int gr = 0; gr < 2; gr++)
            cnt[gr] += sr.cnt[k][gr];
    free((void *)sr.src);
    free(sr.ok);
    free(sr.before);
    free(sr.cnt);
    mkba_status st = MKBA_OK;
    for (int gr = 1; gr >= 0 && !st; gr--)
        if (cnt[gr] < 2 && !(st = check_present(pl->c, ps, err)))
            st = ps_error(err, MKBA_EINVAL,
                          "too few persons with every covariate: the %s group has %s, at "
                          "least 2 needed",
                          GROUP[gr], cnt[gr] ? "fewer than 2" : "none");
    return st;
}

/* The checks of the design after its sample, in the order they are made:
 * a level in one group only, a constant or separating column, a column
 * collinear with those before it. */
enum { CHECK_LEVELS, CHECK_COLUMNS, CHECK_COLLINEAR, N_DESIGN_CHECKS };

static mkba_status design_check(const mkba_ps_plan *pl, int which, mkba_error *err)
{
    if (which == CHECK_LEVELS)
        return check_levels(pl, NULL, err);
    if (which == CHECK_COLUMNS)
        return check_columns(pl, NULL, err);
    return check_collinear(pl->c, &pl->d, NULL, "propensity model", "[propensity] covariates",
                           err);
}

/* The propensity model's design, checked. */
static mkba_status plan_design(mkba_ps_plan *pl, mkba_error *err)
{
    mkba_status st = plan_sample(pl, 1, err);
    for (int k = 0; k < N_DESIGN_CHECKS && !st; k++)
        st = design_check(pl, k, err);
    return st;
}

/* Fit the propensity model with frequency weights f (w->f, by design
 * row; 0 leaves a row out) from w->beta; then trim and refit once. Counts
 * the trimmed persons of each group in trimmed (may be NULL); 'first'
 * (may be NULL) receives the fit before trimming. */
static fit_status ps_fit(const mkba_ps_plan *pl, ps_ws *w, int *iter, double trimmed[2],
                         double *first)
{
    fit_status fs = logit_fit(&pl->d, pl->T, w, iter);
    if (first)
        memcpy(first, w->beta, pl->d.p * sizeof *first);
    double t = pl->ps->trim;
    if (fs || !(t > 0))
        return fs;
    int any = 0;
    for (size_t r = 0; r < pl->d.m; r++)
        if (w->f[r] > 0 && !(w->e[r] >= t && w->e[r] <= 1 - t)) {
            if (trimmed)
                trimmed[pl->T[r]] += w->f[r];
            w->f[r] = 0;
            any = 1;
        }
    return any ? logit_fit(&pl->d, pl->T, w, iter) : FIT_OK;
}

/* The normalised weight of a person with log-odds eta, and d w / d eta
 * (d w / d beta is that times x): ATT 1 and e / (1 - e) = exp(eta); ATE
 * 1 / e = 1 + exp(-eta) and 1 / (1 - e) = 1 + exp(eta). */
static inline double ps_weight(mkba_estimand est, int T, double eta, double *dw)
{
    if (est == MKBA_ESTIMAND_ATT) {
        *dw = T ? 0 : exp(eta);
        return T ? 1 : *dw;
    }
    *dw = T ? -exp(-eta) : exp(eta);
    return 1 + (T ? -*dw : *dw);
}

/* The point estimate of effect x, and what its sandwich needs. */
typedef struct eff_fit {
    double tau;
    double a, b, c;  /* IPW: a = mu1, b = mu0; DR: the pieces of tau (pscore.h) */
    double *gam1;    /* [pz] DR ATE: outcome model of the pilot group (in ws) */
    double *gam0;    /* [pz] DR: outcome model of the control group (in ws) */
    double W[2];     /* frequency-weighted persons used per group */
} eff_fit;

static int row_used(const ps_eff *x, const ps_ws *w, size_t r)
{
    return w->f[r] > 0 && !isnan(x->v[r]);
}

/* OLS of v on the outcome design among the used rows of group gr. */
static int outcome_ols(const mkba_ps_plan *pl, const ps_eff *x, ps_ws *w, int gr, double *gam)
{
    size_t pz = x->z->p, k = 0; /* rows in x4 */
    const double *x4[4] = {x->z->X, x->z->X, x->z->X, x->z->X};
    double u[4], v[4];
    memset(w->Q, 0, pz * pz * sizeof *w->Q);
    memset(gam, 0, pz * sizeof *gam);
    for (size_t r = 0; r < pl->d.m; r++) {
        __builtin_prefetch(x->z->X + (r + PASS_AHEAD) * pz);
        if (pl->T[r] != gr || !row_used(x, w, r))
            continue;
        x4[k] = x->z->X + r * pz;
        u[k] = w->f[r];
        v[k] = w->f[r] * x->v[r];
        if (++k == 4) {
            add4(w->Q, gam, x4, u, v, pz);
            k = 0;
        }
    }
    for (size_t q = k; q < 4; q++) /* the last rows: the others with weight 0 */
        u[q] = v[q] = 0;
    if (k)
        add4(w->Q, gam, x4, u, v, pz);
    symmetrize(w->Q, pz);
    return solve_spd(w->Q, gam, pz, NULL);
}

static double dot(const double *a, const double *b, size_t k)
{
    double s = 0;
    for (size_t j = 0; j < k; j++)
        s += a[j] * b[j];
    return s;
}

/* tau of effect x on the fit in w (w->e, w->f). Returns 0, or 1 when it
 * cannot be estimated (a group without persons, a singular outcome model,
 * a result that is not finite). */
static int effect_point(const mkba_ps_plan *pl, const ps_eff *x, ps_ws *w, eff_fit *ef)
{
    mkba_estimand est = pl->ps->estimand;
    size_t pz = x->z->p;
    int dr = x->method == MKBA_EST_DR, ate = est == MKBA_ESTIMAND_ATE;
    ef->gam1 = w->gam;
    ef->gam0 = w->gam + (pz ? pz : 1);
    if (dr && (outcome_ols(pl, x, w, 0, ef->gam0) || (ate && outcome_ols(pl, x, w, 1, ef->gam1))))
        return 1;
    double sw[2] = {0, 0}, swv[2] = {0, 0}, n_all = 0, sc = 0;
    ef->W[0] = ef->W[1] = 0;
    for (size_t r = 0; r < pl->d.m; r++) {
        if (!row_used(x, w, r))
            continue;
        int T = pl->T[r];
        double f = w->f[r], dw, wt = ps_weight(est, T, w->eta[r], &dw), v = x->v[r];
        ef->W[T] += f;
        if (dr) {
            const double *z = x->z->X + r * pz;
            double m0 = dot(z, ef->gam0, pz);
            if (ate) {
                double m1 = dot(z, ef->gam1, pz);
                n_all += f;
                sc += f * (m1 - m0);
                v -= T ? m1 : m0;
            } else {
                v -= m0;
                if (T)
                    wt = 1;
            }
        }
        sw[T] += f * wt;
        swv[T] += f * wt * v;
    }
    if (!(ef->W[0] >= 2 && ef->W[1] >= 2))
        return 1;
    ef->a = swv[1] / sw[1];
    ef->b = swv[0] / sw[0];
    ef->c = dr && ate ? sc / n_all : 0;
    ef->tau = ef->c + ef->a - ef->b;
    return !isfinite(ef->tau);
}

/* Sandwich variance of tau: theta = (beta, [gamma1], [gamma0], [c], a, b)
 * stacked; A = sum d psi / d theta', B = sum psi psi'; Var = u' B u with
 * A' u = the contrast. Returns NaN when A is singular. */
static double effect_var(const mkba_ps_plan *pl, const ps_eff *x, const ps_ws *w,
                         const eff_fit *ef)
{
    mkba_estimand est = pl->ps->estimand;
    const design *d = &pl->d;
    size_t p = d->p, pz = x->z->p;
    int dr = x->method == MKBA_EST_DR, ate = est == MKBA_ESTIMAND_ATE;
    size_t g1 = p, g0 = p + (dr && ate ? pz : 0), ic = g0 + (dr ? pz : 0);
    size_t ia = ic + (dr && ate), ib = ia + 1, q = ib + 1;
    double *A = mkba_xcalloc(q * q, sizeof *A), *B = mkba_xcalloc(q * q, sizeof *B);
    double *psi = mkba_xcalloc(q, sizeof *psi);
    for (size_t r = 0; r < d->m; r++) {
        double f = w->f[r];
        if (!(f > 0))
            continue;
        const double *xr = d->X + r * p;
        double e = w->e[r];
        int T = pl->T[r];
        memset(psi, 0, q * sizeof *psi);
        for (size_t i = 0; i < p; i++) {
            psi[i] = xr[i] * (T - e);
            for (size_t j = 0; j < p; j++)
                A[i * q + j] -= f * e * (1 - e) * xr[i] * xr[j];
        }
        if (!isnan(x->v[r])) {
            double dw, wt = ps_weight(est, T, w->eta[r], &dw), v = x->v[r];
            size_t k = T ? ia : ib;
            double mu = T ? ef->a : ef->b;
            if (!dr) {
                psi[k] = wt * (v - mu);
                A[k * q + k] -= f * wt;
                for (size_t j = 0; j < p; j++)
                    A[k * q + j] += f * dw * xr[j] * (v - mu);
            } else {
                const double *z = x->z->X + r * pz;
                const double *gam = T && ate ? ef->gam1 : ef->gam0;
                size_t gk = T && ate ? g1 : g0;
                double res = v - dot(z, gam, pz);
                if (ate) {
                    double m1 = dot(z, ef->gam1, pz), m0 = dot(z, ef->gam0, pz);
                    psi[ic] = m1 - m0 - ef->c;
                    A[ic * q + ic] -= f;
                    for (size_t j = 0; j < pz; j++) {
                        A[ic * q + g1 + j] += f * z[j];
                        A[ic * q + g0 + j] -= f * z[j];
                    }
                }
                if (T == 0 || ate) { /* this group's outcome model */
                    for (size_t i = 0; i < pz; i++) {
                        psi[gk + i] = z[i] * res;
                        for (size_t j = 0; j < pz; j++)
                            A[(gk + i) * q + gk + j] -= f * z[i] * z[j];
                    }
                }
                if (T && !ate) { /* ATT: the pilot's mean residual, unweighted */
                    psi[k] = res - mu;
                    A[k * q + k] -= f;
                    for (size_t j = 0; j < pz; j++)
                        A[k * q + g0 + j] -= f * z[j];
                } else {
                    psi[k] = wt * (res - mu);
                    A[k * q + k] -= f * wt;
                    for (size_t j = 0; j < p; j++)
                        A[k * q + j] += f * dw * xr[j] * (res - mu);
                    for (size_t j = 0; j < pz; j++)
                        A[k * q + gk + j] -= f * wt * z[j];
                }
            }
        }
        for (size_t i = 0; i < q; i++)
            if (psi[i] != 0)
                for (size_t j = 0; j < q; j++)
                    B[i * q + j] += f * psi[i] * psi[j];
    }
    /* u = A^-T c */
    double *u = psi;
    memset(u, 0, q * sizeof *u);
    u[ia] = 1;
    u[ib] = -1;
    if (dr && ate)
        u[ic] = 1;
    for (size_t i = 0; i < q; i++) /* A' in place: u solves A' u = c */
        for (size_t j = i + 1; j < q; j++) {
            double t = A[i * q + j];
            A[i * q + j] = A[j * q + i];
            A[j * q + i] = t;
        }
    gsl_matrix_view Am = gsl_matrix_view_array(A, q, q);
    gsl_permutation *perm = gsl_permutation_alloc(q);
    int sgn;
    double var = NAN;
    gsl_vector_view uv = gsl_vector_view_array(u, q); /* singular: a status (see solve_spd) */
    if (!gsl_linalg_LU_decomp(&Am.matrix, perm, &sgn) &&
        !gsl_linalg_LU_svx(&Am.matrix, perm, &uv.vector)) {
        var = 0;
        for (size_t i = 0; i < q; i++)
            for (size_t j = 0; j < q; j++)
                var += u[i] * B[i * q + j] * u[j];
    }
    gsl_permutation_free(perm);
    free(A);
    free(B);
    free(psi);
    return var;
}

/* Code effect spec (IPW or DR) over the plan's rows (into x only: the
 * effects are coded side by side). */
static mkba_status plan_effect(const mkba_ps_plan *pl, const mkba_est_spec *spec, size_t index,
                               ps_eff *x, mkba_error *err)
{
    const mkba_cohort *c = pl->c;
    size_t m = pl->d.m;
    memset(x, 0, sizeof *x);
    x->z = &x->z_own; /* IPW: empty */
    x->spec = index;
    x->name = spec->name ? spec->name : "?";
    x->method = spec->method;
    x->v = mkba_xreallocarray(NULL, m ? m : 1, sizeof *x->v);
    const double *y = mkba_cohort_column(c, spec->outcome);
    const double *pre = spec->pre >= 0 ? mkba_cohort_column(c, (size_t)spec->pre) : NULL;
    uint8_t *use = mkba_xmalloc(m ? m : 1);
    for (size_t r = 0; r < m; r++) {
        size_t i = pl->d.row[r];
        x->v[r] = pre ? y[i] - pre[i] : y[i];
        use[r] = !isnan(x->v[r]);
    }
    mkba_status st = MKBA_OK;
    if (x->method == MKBA_EST_DR) {
        mkba_est_term *own = NULL;
        const mkba_est_term *terms = pl->ps->terms;
        size_t n_terms = pl->ps->n_terms;
        if (spec->n_cov) { /* the outcome's own covariates */
            own = mkba_xcalloc(spec->n_cov, sizeof *own);
            for (size_t k = 0; k < spec->n_cov; k++)
                own[k] = (mkba_est_term){spec->cov[k], -1};
            terms = own;
            n_terms = spec->n_cov;
        }
        for (size_t r = 0; r < m; r++)
            for (size_t t = 0; t < n_terms && use[r]; t++) {
                size_t i = pl->d.row[r];
                use[r] = !isnan(mkba_cohort_column(c, terms[t].a)[i]) &&
                         !(terms[t].b >= 0 &&
                           isnan(mkba_cohort_column(c, (size_t)terms[t].b)[i]));
            }
        size_t n_use = 0;
        for (size_t r = 0; r < m; r++)
            n_use += use[r];
        if (own || n_use < m)
            design_build(c, terms, n_terms, pl->d.row, use, m, &x->z_own);
        x->z = own || n_use < m ? &x->z_own : &pl->d; /* the same terms, rows and levels */
        free(own);
        for (size_t r = 0; r < m; r++)
            if (!use[r])
                x->v[r] = NAN;
    }
    size_t cnt[2] = {0, 0};
    for (size_t r = 0; r < m; r++)
        cnt[pl->T[r]] += use[r];
    x->n_used = cnt[0] + cnt[1];
    free(use);
    for (int gr = 1; gr >= 0 && !st; gr--)
        if (cnt[gr] < 2)
            st = mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                                "effect '%s': too few persons to estimate: the %s group has "
                                "%zu with the outcome and every covariate, at least 2 needed",
                                x->name, GROUP[gr], cnt[gr]);
    return st;
}

static void plan_free_parts(mkba_ps_plan *pl)
{
    design_free(&pl->d);
    free(pl->T);
    for (size_t k = 0; k < pl->n_eff; k++) {
        free(pl->eff[k].v);
        design_free(&pl->eff[k].z_own);
    }
    free(pl->eff);
    free(pl->beta0);
}

void mkba_ps_plan_free(mkba_ps_plan *pl)
{
    if (!pl)
        return;
    plan_free_parts(pl);
    free(pl);
}

/* The full-data fit into w (all weights 1), as every entry point does it. */
static mkba_status fit_full(const mkba_ps_plan *pl, ps_ws *w, int *iter, double trimmed[2],
                            double *first, mkba_error *err)
{
    for (size_t r = 0; r < pl->d.m; r++)
        w->f[r] = 1;
    memset(w->beta, 0, pl->d.p * sizeof *w->beta);
    double cut[2] = {0, 0};
    fit_status fs = ps_fit(pl, w, iter, cut, first);
    if (trimmed)
        trimmed[0] = cut[0], trimmed[1] = cut[1];
    if (pl->ps->trim > 0 && cut[0] + cut[1] > 0) {
        /* What trimming left may lack overlap the whole cohort had. */
        size_t cnt[2] = {0, 0};
        for (size_t r = 0; r < pl->d.m; r++)
            cnt[pl->T[r]] += w->f[r] > 0;
        mkba_error why;
        mkba_error_clear(&why);
        for (int gr = 1; gr >= 0; gr--)
            if (cnt[gr] < 2)
                return ps_error(err, MKBA_EINVAL,
                                "trimming at %g leaves %s in the %s group, at least 2 "
                                "needed; lower trim",
                                pl->ps->trim, cnt[gr] ? "fewer than 2 persons" : "no one",
                                GROUP[gr]);
        if (check_levels(pl, w->f, &why) || check_columns(pl, w->f, &why)) {
            const char *m = why.msg, *pre = "propensity model: ";
            if (strncmp(m, pre, strlen(pre)) == 0)
                m += strlen(pre);
            return ps_error(err, why.code, "after trimming at %g, %s; or lower trim",
                            pl->ps->trim, m);
        }
    }
    if (fs == FIT_SEPARATED)
        return ps_error(err, MKBA_ENUM,
                        "the fit does not converge: a combination of covariates separates "
                        "the pilot from the control group (some persons get a propensity of "
                        "0 or 1: the groups do not overlap); leave out a covariate, an "
                        "interaction or a square, or the persons outside the range both "
                        "groups share%s",
                        cut[0] + cut[1] > 0 ? " (or lower trim)" : "");
    return MKBA_OK;
}

/* The outcome models of a DR effect must be estimable in their groups
 * (the control group; for the ATE the pilot group too) among the rows of
 * f (NULL: all, as before trimming): a covariate constant there, or
 * collinear, is named. */
static mkba_status check_outcome_models(const mkba_ps_plan *pl, const ps_eff *x,
                                        const double *f, mkba_error *err)
{
    static const char *const what[2] = {"outcome model among the control persons",
                                        "outcome model among the pilot persons"};
    uint8_t *keep = mkba_xmalloc(pl->d.m ? pl->d.m : 1);
    mkba_status st = MKBA_OK;
    for (int gr = 0; gr < 2 && !st; gr++) {
        if (gr == 1 && pl->ps->estimand != MKBA_ESTIMAND_ATE)
            break;
        for (size_t r = 0; r < pl->d.m; r++)
            keep[r] = pl->T[r] == gr && in_sample(f, r) && !isnan(x->v[r]);
        st = check_collinear(pl->c, x->z, keep, what[gr],
                             "the outcome's covariates (or use method ipw)", err);
    }
    free(keep);
    return st;
}

/* ============================== entry points ============================= */

/* Set w's outcome-model space for outcome designs of up to pz columns. */
static void ws_outcome_room(ps_ws *w, size_t pz)
{
    size_t zz = pz ? pz : 1;
    free(w->gam); /* written before read (outcome_ols) */
    free(w->Q);
    w->gam = mkba_xcalloc_own(2 * zz, sizeof *w->gam);
    w->Q = mkba_xcalloc_own(zz * zz, sizeof *w->Q);
}

/* The error of effect 'name' from 'local': mkba_estimate's messages start
 * with "effect 'NAME': " (some of local's do already). */
static mkba_status effect_error(mkba_error *err, const char *name, const mkba_error *local)
{
    if (strncmp(local->msg, "effect '", 8) == 0)
        return mkba_error_set(err, local->code, NULL, 0, NULL, "%s", local->msg);
    return mkba_error_set(err, local->code, NULL, 0, NULL, "effect '%s': %s", name, local->msg);
}

/* The point estimate of effect x on the full-data fit in w, checked as
 * mkba_ps_estimate checks it (w's outcome-model space holds x's). */
static mkba_status point_check(const mkba_ps_plan *pl, const ps_eff *x, ps_ws *w, eff_fit *ef,
                               mkba_error *err)
{
    if (!effect_point(pl, x, w, ef))
        return MKBA_OK;
    return mkba_error_set(err, MKBA_ENUM, NULL, 0, NULL,
                          "the %s cannot be computed (an outcome model is singular among "
                          "the persons of one group, or a group has no weight)",
                          x->method == MKBA_EST_DR ? "doubly robust estimate"
                                                   : "weighted estimate");
}

/* The steps of plan_build after the sample, as tasks of the thread runner
 * (stream.h), in two rounds. Round 1: the one fit; the design's checks;
 * each effect's coding (plan_effect) and, without trimming (the rows are
 * all the sample's then), its outcome models' check. Round 2, on the fit:
 * each effect's point estimate, and with trimming its outcome models'
 * check. Every step keeps its result, and plan_build reports the first
 * failure in the order in which mkba_estimate meets them (first_failure):
 * so the plan and the error are the same on any number of threads. The
 * fit, the longest step by far, is round 1's first task where there are
 * other threads to take the rest, its last on one thread (so that a
 * check that fails first stops it; see ps_ws.stop). */
typedef struct ps_step {
    mkba_status st;
    mkba_error err;
} ps_step;

typedef struct ps_build {
    mkba_ps_plan *pl;
    const mkba_est_spec *specs;
    size_t *spec_of;       /* [n_eff] each effect's index in specs */
    ps_ws *w;              /* the fit's workspace */
    int *iter;
    double *trimmed;
    int fit_first;         /* 1: the fit is task 0 of round 1, else its last */
    atomic_int stop;       /* a step before the fit failed: the fit may stop */
    ps_step fit, design[N_DESIGN_CHECKS];
    ps_step *code, *models, *point; /* [n_eff] */
    eff_fit *ef;           /* [n_eff] */
    double **gam, **Q;     /* [n_eff] each effect's outcome-model space in round 2 */
} ps_build;

static void build_round1(void *ctx, size_t task, size_t thread)
{
    (void)thread;
    ps_build *b = ctx;
    mkba_ps_plan *pl = b->pl;
    size_t n_other = N_DESIGN_CHECKS + pl->n_eff;
    if (b->fit_first ? task == 0 : task == n_other) {
        int it = 0;
        b->fit.st = fit_full(pl, b->w, b->iter ? b->iter : &it, b->trimmed, pl->beta0,
                             &b->fit.err);
        return;
    }
    task -= b->fit_first;
    if (task < N_DESIGN_CHECKS) {
        ps_step *s = &b->design[task];
        if ((s->st = design_check(pl, (int)task, &s->err)))
            atomic_store(&b->stop, 1);
        return;
    }
    size_t e = task - N_DESIGN_CHECKS;
    ps_eff *x = &pl->eff[e];
    ps_step *s = &b->code[e];
    if ((s->st = plan_effect(pl, &b->specs[b->spec_of[e]], b->spec_of[e], x, &s->err))) {
        if (e == 0)
            atomic_store(&b->stop, 1);
    } else if (x->method == MKBA_EST_DR && !(pl->ps->trim > 0)) {
        b->models[e].st = check_outcome_models(pl, x, NULL, &b->models[e].err);
    }
}

static void build_round2(void *ctx, size_t e, size_t thread)
{
    (void)thread;
    ps_build *b = ctx;
    const mkba_ps_plan *pl = b->pl;
    const ps_eff *x = &pl->eff[e];
    if (x->method == MKBA_EST_DR && pl->ps->trim > 0 &&
        (b->models[e].st = check_outcome_models(pl, x, b->w->f, &b->models[e].err)))
        return;
    ps_ws view = *b->w; /* the fit, read only, and outcome-model space of its own */
    view.gam = view.Q = NULL;
    ws_outcome_room(&view, x->z->p);
    b->gam[e] = view.gam;
    b->Q[e] = view.Q;
    b->point[e].st = point_check(pl, x, &view, &b->ef[e], &b->point[e].err);
}

/* The first failed step of the first n_eff effects in the order in which
 * mkba_estimate meets them (the sample and the effects' methods come
 * before): the design's checks, then for each effect its coding, the fit
 * (at the first), its outcome models, its point estimate. Returns the
 * effect's index, and the step in *step; n_eff when none failed. */
static size_t first_failure(const ps_build *b, size_t n_eff, const ps_step **step)
{
    for (size_t e = 0; e < n_eff; e++) {
        const ps_step *order[N_DESIGN_CHECKS + 4];
        size_t k = 0;
        for (int d = 0; e == 0 && d < N_DESIGN_CHECKS; d++)
            order[k++] = &b->design[d];
        order[k++] = &b->code[e];
        if (e == 0)
            order[k++] = &b->fit;
        order[k++] = &b->models[e];
        order[k++] = &b->point[e];
        for (size_t j = 0; j < k; j++)
            if (order[j]->st) {
                *step = order[j];
                return e;
            }
    }
    return n_eff;
}

/* Rounds 1 and 2 of the build of the pl->n_eff effects (see struct
 * ps_build) on up to 'threads' threads. Returns the effect whose step
 * failed first (*step its result), pl->n_eff when none did. */
static size_t build_steps(ps_build *b, int threads, const ps_step **step)
{
    mkba_ps_plan *pl = b->pl;
    size_t n = pl->n_eff;
    b->code = mkba_xcalloc(n, sizeof *b->code);
    b->models = mkba_xcalloc(n, sizeof *b->models);
    b->point = mkba_xcalloc(n, sizeof *b->point);
    b->ef = mkba_xcalloc(n, sizeof *b->ef);
    b->gam = mkba_xcalloc(n, sizeof *b->gam);
    b->Q = mkba_xcalloc(n, sizeof *b->Q);
    atomic_init(&b->stop, 0);
    b->fit_first = threads > 1;
    b->w->stop = &b->stop;
    mkba_stream_parallel(1 + N_DESIGN_CHECKS + n, threads, build_round1, b);
    b->w->stop = NULL;
    for (size_t e = 0; e < n; e++)
        if (!b->code[e].st && pl->eff[e].z->p > pl->pz_max)
            pl->pz_max = pl->eff[e].z->p;
    /* the point estimates of the effects before the first failure */
    mkba_stream_parallel(first_failure(b, n, step), threads, build_round2, b);
    return first_failure(b, n, step);
}

static void build_free(ps_build *b)
{
    for (size_t e = 0; e < b->pl->n_eff; e++) {
        free(b->gam[e]);
        free(b->Q[e]);
    }
    free(b->code);
    free(b->models);
    free(b->point);
    free(b->ef);
    free(b->gam);
    free(b->Q);
}

/* The plan of the IPW and DR effects among specs, with one full-data fit
 * for all of them (they share the model and its sample: the persons with
 * every covariate), left in w (initialised here; the caller frees it with
 * ws_free, also on failure), built on up to 'threads' threads (see struct
 * ps_build). Each effect is checked where mkba_estimate would check it:
 * the first that mkba_estimate fails gives exactly its error, and its
 * index in *failed. ef receives the last effect's point estimate (its
 * outcome models in w); iter and trimmed (may be NULL) the fit's. */
static mkba_status plan_build(mkba_ps_plan *pl, const mkba_cohort *c, const mkba_est_spec *specs,
                              size_t n_specs, int threads, ps_ws *w, eff_fit *ef, int *iter,
                              double trimmed[2], size_t *failed, mkba_error *err)
{
    memset(pl, 0, sizeof *pl);
    pl->c = c;
    pl->eff = mkba_xcalloc(n_specs ? n_specs : 1, sizeof *pl->eff);
    ws_init(w, 0, 1, 0);
    *failed = SIZE_MAX;
    mkba_error local;
    mkba_error_clear(&local);
    mkba_status st = MKBA_OK;
    /* the effects up to the first whose method is wrong (*failed then) */
    size_t *spec_of = mkba_xcalloc(n_specs ? n_specs : 1, sizeof *spec_of), n_eff = 0;
    for (size_t k = 0; k < n_specs && !st; k++) {
        const mkba_est_spec *spec = &specs[k];
        mkba_est_method m;
        if (spec->method != MKBA_EST_IPW && spec->method != MKBA_EST_DR)
            continue;
        *failed = k;
        if ((st = mkba_est_resolve(c, spec, &m, &local)))
            break;
        if (pl->ps && spec->ps != pl->ps) {
            st = mkba_error_set(&local, MKBA_EINVAL, NULL, 0, NULL,
                                "method %s needs the model's one propensity model",
                                mkba_est_method_name(spec->method));
            break;
        }
        pl->ps = spec->ps;
        spec_of[n_eff++] = k;
    }
    if (n_eff) { /* the sample, then the steps; a failure of theirs comes first */
        mkba_status bad = st;
        size_t bad_k = *failed;
        *failed = spec_of[0];
        if (!(st = plan_sample(pl, threads, &local))) {
            pl->beta0 = mkba_xcalloc(pl->d.p, sizeof *pl->beta0);
            pl->n_eff = n_eff;
            ws_free(w);
            ws_init(w, pl->d.m, pl->d.p, 0);
            ps_build b = {.pl = pl, .specs = specs, .spec_of = spec_of, .w = w, .iter = iter,
                          .trimmed = trimmed};
            const ps_step *step = NULL;
            size_t e = build_steps(&b, threads, &step);
            if (e < n_eff) {
                st = step->st;
                local = step->err;
                *failed = spec_of[e];
            } else if ((st = bad)) {
                *failed = bad_k;
            } else if (ef) { /* the last effect's outcome models move to w */
                free(w->gam);
                free(w->Q);
                w->gam = b.gam[n_eff - 1];
                w->Q = b.Q[n_eff - 1];
                b.gam[n_eff - 1] = b.Q[n_eff - 1] = NULL;
                *ef = b.ef[n_eff - 1];
            }
            build_free(&b);
        }
    }
    free(spec_of);
    if (st)
        return effect_error(err, specs[*failed].name ? specs[*failed].name : "?", &local);
    *failed = SIZE_MAX;
    if (!pl->ps)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "no cohort, or no effect estimated with ipw or dr");
    return MKBA_OK;
}

mkba_ps_plan *mkba_ps_plan_new(const mkba_cohort *c, const mkba_est_spec *specs,
                               size_t n_specs, int threads, size_t *failed, mkba_error *err)
{
    if (failed)
        *failed = SIZE_MAX;
    if (!c || !specs) {
        mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                       "no cohort, or no effect estimated with ipw or dr");
        return NULL;
    }
    mkba_ps_plan *pl = mkba_xcalloc(1, sizeof *pl);
    ps_ws w;
    size_t k;
    mkba_status st = plan_build(pl, c, specs, n_specs, threads, &w, NULL, NULL, NULL, &k, err);
    ws_free(&w);
    if (st) {
        if (failed)
            *failed = k;
        mkba_ps_plan_free(pl);
        return NULL;
    }
    return pl;
}

struct mkba_ps_ws {
    ps_ws w;
};

mkba_ps_ws *mkba_ps_ws_alloc(const mkba_ps_plan *pl)
{
    mkba_ps_ws *ws = mkba_xcalloc_own(1, sizeof *ws);
    ws_init(&ws->w, pl->d.m, pl->d.p, pl->pz_max);
    return ws;
}

void mkba_ps_ws_free(mkba_ps_ws *ws)
{
    if (!ws)
        return;
    ws_free(&ws->w);
    free(ws);
}

size_t mkba_ps_replicate(const mkba_ps_plan *pl, mkba_ps_ws *ws, const double *w, double *est)
{
    ps_ws *s = &ws->w;
    for (size_t r = 0; r < pl->d.m; r++)
        s->f[r] = w ? w[pl->d.row[r]] : 1;
    /* From the full-data fit: a replicate's MLE lies close to it, so
     * Newton needs fewer steps than from 0 to the same converged fit
     * (IRLS_TOL) */
    memcpy(s->beta, pl->beta0, pl->d.p * sizeof *s->beta);
    int iter = 0;
    int failed_fit = ps_fit(pl, s, &iter, NULL, NULL) != FIT_OK;
    size_t failed = 0;
    for (size_t k = 0; k < pl->n_eff; k++) {
        eff_fit ef;
        int bad = failed_fit || effect_point(pl, &pl->eff[k], s, &ef);
        est[pl->eff[k].spec] = bad ? NAN : ef.tau;
        failed += bad;
    }
    return failed;
}

mkba_status mkba_ps_estimate(const mkba_cohort *c, const mkba_est_spec *spec,
                             mkba_effect *out, mkba_error *err)
{
    const char *name = spec && spec->name ? spec->name : "?";
    mkba_ps_plan pl;
    ps_ws w;
    eff_fit ef;
    int iter = 0;
    double trimmed[2] = {0, 0};
    size_t k;
    if (!c || !spec || !out)
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              "no cohort or no effect to estimate");
    mkba_status st = plan_build(&pl, c, spec, 1, 1, &w, &ef, &iter, trimmed, &k, err);
    const ps_eff *x = &pl.eff[0];
    double var = st ? NAN : effect_var(&pl, x, &w, &ef);
    if (!st && !(var >= 0 && isfinite(var)))
        st = mkba_error_set(err, MKBA_ENUM, NULL, 0, NULL,
                            "effect '%s': its standard error cannot be computed (the sandwich "
                            "is singular)",
                            name);
    if (!st) {
        const double *y = mkba_cohort_column(c, spec->outcome);
        double sy[2] = {0, 0};
        for (size_t r = 0; r < pl.d.m; r++)
            if (row_used(x, &w, r))
                sy[pl.T[r]] += y[pl.d.row[r]];
        mkba_effect e = {.method = spec->method,
                         .estimate = ef.tau,
                         .se = sqrt(var),
                         .df = INFINITY,
                         .mean_pilot = sy[1] / ef.W[1],
                         .mean_control = sy[0] / ef.W[0],
                         .n_pilot = (size_t)ef.W[1],
                         .n_control = (size_t)ef.W[0]};
        e.ci_lo = e.estimate - Z975 * e.se;
        e.ci_hi = e.estimate + Z975 * e.se;
        /* every person of the cohort not used: a missing value or trimmed
         * (n_pilot + n_control + n_missing is the cohort, as for every
         * method) */
        e.n_missing = mkba_cohort_size(c) - e.n_pilot - e.n_control;
        *out = e;
    }
    ws_free(&w);
    plan_free_parts(&pl);
    return st;
}

/* Balance of column j over the rows with w->f > 0: SMD before and after
 * weighting over one standard deviation (pscore.h). */
static void balance(const mkba_ps_plan *pl, const ps_ws *w, size_t j, double *before,
                    double *after)
{
    const design *d = &pl->d;
    double n[2] = {0, 0}, s[2] = {0, 0}, sw[2] = {0, 0}, swx[2] = {0, 0}, ss[2] = {0, 0};
    for (size_t r = 0; r < d->m; r++)
        if (w->f[r] > 0) {
            int T = pl->T[r];
            double x = d->X[r * d->p + j], dw, wt = ps_weight(pl->ps->estimand, T, w->eta[r], &dw);
            n[T] += 1;
            s[T] += x;
            sw[T] += wt;
            swx[T] += wt * x;
        }
    double mean[2] = {s[0] / n[0], s[1] / n[1]};
    for (size_t r = 0; r < d->m; r++)
        if (w->f[r] > 0) {
            double dx = d->X[r * d->p + j] - mean[pl->T[r]];
            ss[pl->T[r]] += dx * dx;
        }
    double var1 = ss[1] / (n[1] - 1), var0 = ss[0] / (n[0] - 1);
    /* ATT: the pilot's SD; where the pilot has no spread in it, the pooled
     * one (a covariate constant in the pilot can still be imbalanced) */
    double pooled = sqrt((var1 + var0) / 2);
    double sd = pl->ps->estimand == MKBA_ESTIMAND_ATT && var1 > 0 ? sqrt(var1) : pooled;
    *before = sd > 0 ? (mean[1] - mean[0]) / sd : NAN;
    *after = sd > 0 ? (swx[1] / sw[1] - swx[0] / sw[0]) / sd : NAN;
}

/* The smallest of the four cells (group x value) of a column with two
 * values among the fitted persons (0/1, or a yes/no coded 1/2), empty
 * cells aside (they disclose no one): its SMD gives each group's share of
 * either value back, and with the group sizes each cell's count. For a
 * column with more values, the fewest persons of a group with a value
 * other than 0 (a product with a rare 0/1 column is 0 for everyone else,
 * and its SMD describes those few); SIZE_MAX when none are few. */
static size_t rare_cells(const mkba_ps_plan *pl, const ps_ws *w, size_t j);

/* rare_cells of column j, and for a category's dummy also its base level's
 * cells: each dummy's SMD with the group sizes gives its count in each
 * group, and the base level's count is the group less those. */
static size_t rare_cell(const mkba_ps_plan *pl, const ps_ws *w, size_t j)
{
    const design *d = &pl->d;
    size_t least = rare_cells(pl, w, j);
    if (j == 0 || d->level[j] == SIZE_MAX)
        return least;
    size_t base[2] = {0, 0};
    for (size_t r = 0; r < d->m; r++) {
        if (!(w->f[r] > 0))
            continue;
        int any = 0;
        for (size_t k = 1; k < d->p; k++)
            any |= d->term[k] == d->term[j] && d->X[r * d->p + k] == 1;
        base[pl->T[r]] += !any;
    }
    for (int g = 0; g < 2; g++)
        if (base[g] > 0 && base[g] < least)
            least = base[g];
    return least;
}

static size_t rare_cells(const mkba_ps_plan *pl, const ps_ws *w, size_t j)
{
    const design *d = &pl->d;
    size_t cell[2][2] = {{0, 0}, {0, 0}}, nonzero[2] = {0, 0};
    double val[2];
    int n_val = 0;
    if (j == 0) /* the intercept: the group sizes, shown elsewhere */
        return SIZE_MAX;
    for (size_t r = 0; r < d->m; r++)
        if (w->f[r] > 0) {
            double x = d->X[r * d->p + j];
            nonzero[pl->T[r]] += x != 0;
            int v = n_val > 0 && x == val[0] ? 0 : n_val > 1 && x == val[1] ? 1 : -1;
            if (v < 0 && n_val < 2)
                val[v = n_val++] = x;
            if (v >= 0)
                cell[pl->T[r]][v]++;
            else
                n_val = 3; /* a third value: counted no more */
        }
    size_t least = SIZE_MAX;
    for (int g = 0; g < 2; g++)
        for (int v = 0; v < 2; v++) {
            size_t k = n_val <= 2 ? cell[g][v] : v ? 0 : nonzero[g];
            if (k > 0 && k < least)
                least = k;
        }
    return least;
}

static void diag_fill(const mkba_ps_plan *pl, const ps_ws *w, mkba_ps_diag *dg)
{
    const design *d = &pl->d;
    size_t p = d->p;
    dg->estimand = pl->ps->estimand;
    /* glm's standard errors: sqrt of the diagonal of (X'WX)^-1 at the fit */
    double *H = mkba_xcalloc(p * p, sizeof *H);
    double sw[2] = {0, 0}, sw2[2] = {0, 0};
    for (size_t r = 0; r < d->m; r++)
        if (w->f[r] > 0) {
            double e = w->e[r], dw, wt = ps_weight(pl->ps->estimand, pl->T[r], w->eta[r], &dw);
            accumulate(H, NULL, d->X + r * p, p, e * (1 - e), 0);
            dg->n[pl->T[r]]++;
            sw[pl->T[r]] += wt;
            sw2[pl->T[r]] += wt * wt;
            size_t bin = (size_t)(e * MKBA_PS_BINS);
            dg->bins[pl->T[r]][bin < MKBA_PS_BINS ? bin : MKBA_PS_BINS - 1]++;
        }
    symmetrize(H, p);
    if (solve_spd(H, NULL, p, dg->se))
        for (size_t j = 0; j < p; j++)
            dg->se[j] = NAN;
    free(H);
    for (size_t j = 0; j < p; j++) {
        dg->name[j] = mkba_xstrdup(d->name[j]);
        dg->coef[j] = w->beta[j];
        dg->se[j] = sqrt(dg->se[j]);
        dg->n_rare[j] = rare_cell(pl, w, j);
        if (j == 0)
            dg->smd_before[j] = dg->smd_after[j] = NAN;
        else
            balance(pl, w, j, &dg->smd_before[j], &dg->smd_after[j]);
    }
    for (int gr = 0; gr < 2; gr++)
        dg->ess[gr] = sw[gr] * sw[gr] / sw2[gr];
    dg->n_missing = pl->n_missing;
}

mkba_ps_diag *mkba_ps_diagnose(const mkba_cohort *c, const mkba_ps_spec *ps, mkba_error *err)
{
    if (!c || !ps) {
        mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL, "no cohort or no propensity model");
        return NULL;
    }
    mkba_ps_plan pl;
    memset(&pl, 0, sizeof pl);
    pl.c = c;
    pl.ps = ps;
    mkba_status st = plan_design(&pl, err);
    mkba_ps_diag *dg = NULL;
    if (!st) {
        ps_ws w;
        int iter = 0;
        double trimmed[2] = {0, 0};
        ws_init(&w, pl.d.m, pl.d.p, 0);
        if (!fit_full(&pl, &w, &iter, trimmed, NULL, err)) {
            dg = mkba_ps_diag_alloc(pl.d.p);
            diag_fill(&pl, &w, dg);
            dg->iterations = iter;
            dg->deviance = -2 * w.ll;
            dg->n_trimmed[0] = (size_t)trimmed[0];
            dg->n_trimmed[1] = (size_t)trimmed[1];
        }
        ws_free(&w);
    }
    plan_free_parts(&pl);
    return dg;
}

mkba_ps_diag *mkba_ps_diag_alloc(size_t n_coef)
{
    size_t p = n_coef ? n_coef : 1;
    mkba_ps_diag *d = mkba_xcalloc(1, sizeof *d);
    d->n_coef = n_coef;
    d->name = mkba_xcalloc(p, sizeof *d->name);
    d->coef = mkba_xcalloc(p, sizeof *d->coef);
    d->se = mkba_xcalloc(p, sizeof *d->se);
    d->n_rare = mkba_xcalloc(p, sizeof *d->n_rare);
    d->smd_before = mkba_xcalloc(p, sizeof *d->smd_before);
    d->smd_after = mkba_xcalloc(p, sizeof *d->smd_after);
    return d;
}

void mkba_ps_diag_free(mkba_ps_diag *d)
{
    if (!d)
        return;
    for (size_t j = 0; j < d->n_coef && d->name; j++)
        free(d->name[j]);
    free(d->name);
    free(d->coef);
    free(d->se);
    free(d->n_rare);
    free(d->smd_before);
    free(d->smd_after);
    free(d);
}

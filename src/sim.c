/* sim.c - the Monte Carlo draw loop.
 *
 * Work is cut into blocks of MKBA_SIM_BLOCK draws, each a task of the one
 * thread runner (stream.h). A task draws the block's uncertain values from
 * the block's own random stream, evaluates every scenario on them with
 * block-wise expression evaluation (one pass of the interpreter per block,
 * plain array loops inside), and writes the block's slice of each output
 * column. A thread's scratch is made at its first task and reused for the
 * rest; nothing is allocated per block. */
#include "mkba/sim.h"

#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mkba/cpu.h"
#include "mkba/dist.h"
#include "mkba/expr.h"
#include "mkba/mem.h"
#include "mkba/rng.h"
#include "mkba/stream.h"

#define B MKBA_SIM_BLOCK
#define FIN_TILE 32 /* draws whose yearly flows finance_block works on at once */
#define COUNT_SETS 4 /* sets of a worker's counts of payback and IRR statuses */

typedef struct worker worker;

typedef struct mkba_sim_work { /* kept in the result between runs (work_get) */
    const mkba_plan *p;
    const mkba_sim_opts *o;
    mkba_sim *out;
    size_t n_blocks;
    size_t depth;             /* deepest expression stack */
    double *ann_self;         /* [S][I] annuity of the scenario's item at its rates; NaN = per draw */
    double *ann_ref;          /* [S][I] annuity of the reference's item at scenario s's rates */
    unsigned char *writes;    /* [S][n_slots] 1: scenario s's parameters write the slot */
    unsigned char *aside;     /* [n_uncertain] 1: some scenario fixes the quantity (writes
                                 its slot), so its draws are kept aside and put in the
                                 slot before each scenario that needs them; else they
                                 are drawn straight into the slot (or, kept, into their
                                 column of the result: worker.col) */
    worker **ws;              /* [n_ws] each thread's scratch, on cache lines of its own
                                 (mkba_xcalloc_own); sh NULL until its first block */
    size_t n_ws;
    int avx2;                 /* 1: evaluate_avx2 runs the blocks */
    atomic_size_t done;       /* draws finished */
    atomic_size_t nonfinite;
    double last_report;       /* when progress was last reported (the caller's thread only) */
} shared;

struct worker {
    shared *sh;
    gsl_rng *r;
    double *slots;            /* [n_slots][B] */
    double *drawn;            /* [n_uncertain][B] the draws kept aside (shared.aside) */
    double **col;             /* [n_uncertain] where quantity k's draws of the block are:
                                 its slot's column, or drawn's when kept aside; when the
                                 run keeps the inputs, the block's part of its column
                                 in out->uncertain (run_block copies them to the slot) */
    double *qp;               /* [S][I][B] quantity * price */
    double *dd;               /* [S][I][B] drop-off */
    unsigned char *qp_zero;   /* [S][I] the QP_ kind of each qp (zero_kind) */
    double *tmp, *tmp2;       /* [B] each */
    double *ann;              /* [B] the annuity of drawn drop-offs (drawn_annuity) */
    const double *ann_dd;     /* the drop-offs (an item's dd) it is of; NULL: none yet in
                                 the block */
    size_t ann_s;             /* the scenario whose rates it is at */
    int ann_first, ann_last;  /* and its years */
    double **acc;             /* [2][K + 1] the block's slices of the benefit and cost
                                 columns of each stakeholder (book_block) */
    double *bad;              /* [B] 0, or NaN where a draw has a non-finite balance */
    double *scratch;          /* [depth][B] */
    double *u;                /* [B][copula dim] the block's copula normals */
    /* keep_finance only (else NULL): */
    double *fin_io;           /* [2][K + 1][horizon][FIN_TILE] a tile's yearly inflows,
                                 then outflows (finance_block) */
    unsigned char *fin_skip;  /* [I][2] 1: the item of the scenario, then of the reference,
                                 has no flows in the block (no_flows) */
    unsigned char *fin_used;  /* [2][K + 1] 1: some item's flows go to the row of fin_io */
    mkba_fin *fin;            /* [FIN_TILE] the payback and IRR of a stakeholder's draws */
    mkba_fin_ws *fin_ws;
    size_t fin_cols;          /* the columns of finance: (S - 1) * (K + 1) */
    size_t *payback_count, *irr_count; /* [COUNT_SETS] of mkba_sim's, this worker's draws
                                 (count_fin) */
};

/* sum_{t=first..last} (1 - d)^(t - first) * DF_t */
static double annuity(double d, int first, int last, const double *df)
{
    double a = 0, f = 1;
    for (int t = first; t <= last; t++) {
        a += f * df[t - 1];
        f *= 1.0 - d;
    }
    return a;
}

static int const_dropoff(const mkba_plan_item *it, double *d)
{
    *d = 0;
    return !it->dropoff || mkba_expr_is_const(it->dropoff, d);
}

static void precompute_annuities(shared *sh)
{
    const mkba_plan *p = sh->p;
    size_t S = p->n_scenarios, I = p->n_items;
    sh->ann_self = mkba_xcalloc(S * I + 1, sizeof *sh->ann_self);
    sh->ann_ref = mkba_xcalloc(S * I + 1, sizeof *sh->ann_ref);
    for (size_t s = 0; s < S; s++) {
        const double *df = p->scenarios[s].discount;
        for (size_t i = 0; i < I; i++) {
            const mkba_plan_item *it = &p->scenarios[s].items[i];
            const mkba_plan_item *ref = &p->scenarios[0].items[i];
            double d;
            sh->ann_self[s * I + i] =
                !it->enabled ? 0 : const_dropoff(it, &d) ? annuity(d, it->first, it->last, df) : NAN;
            sh->ann_ref[s * I + i] = !ref->enabled                ? 0
                                     : const_dropoff(ref, &d) ? annuity(d, ref->first, ref->last, df)
                                                              : NAN;
        }
    }
}

static void precompute_writes(shared *sh)
{
    const mkba_plan *p = sh->p;
    sh->writes = mkba_xcalloc(p->n_scenarios * p->n_slots + 1, 1);
    for (size_t s = 0; s < p->n_scenarios; s++)
        for (size_t i = 0; i < p->scenarios[s].n_params; i++) {
            const mkba_plan_param *pp = &p->scenarios[s].params[i];
            if (!pp->drawn)
                sh->writes[s * p->n_slots + (size_t)pp->slot] = 1;
        }
    sh->aside = mkba_xcalloc(p->n_uncertain + 1, 1);
    for (size_t k = 0; k < p->n_uncertain; k++)
        for (size_t s = 0; s < p->n_scenarios; s++)
            sh->aside[k] |= sh->writes[s * p->n_slots + (size_t)p->uncertain[k].slot];
}

static size_t max_depth(const mkba_plan *p)
{
    size_t depth = 1;
    for (size_t s = 0; s < p->n_scenarios; s++) {
        const mkba_plan_scenario *sc = &p->scenarios[s];
        for (size_t i = 0; i < sc->n_params; i++)
            if (mkba_expr_depth(sc->params[i].expr) > depth)
                depth = mkba_expr_depth(sc->params[i].expr);
        for (size_t i = 0; i < p->n_items; i++) {
            const mkba_expr *e[] = {sc->items[i].quantity, sc->items[i].price, sc->items[i].dropoff};
            for (int k = 0; k < 3; k++)
                if (e[k] && mkba_expr_depth(e[k]) > depth)
                    depth = mkba_expr_depth(e[k]);
        }
    }
    return depth;
}

/* ------------------------------------------------------------ one block */

/* Uncertain values of the block's n draws, in a fixed order: each
 * independent quantity for all n draws in turn (plan order), then the
 * copula's normals draw by draw for the correlated ones. Parameter by
 * parameter keeps the sampler's branches and code hot across the block,
 * and its constants are worked out once a block. */
static void draw_block(worker *w, size_t n)
{
    const mkba_plan *p = w->sh->p;
    for (size_t k = 0; k < p->n_uncertain; k++) {
        const mkba_plan_uncertain *un = &p->uncertain[k];
        if (un->copula_index < 0)
            mkba_dist_sample_n(un->dist, w->r, w->col[k], n);
    }
    if (!p->copula)
        return;
    size_t dim = mkba_copula_dim(p->copula);
    mkba_copula_sample_zn(p->copula, w->r, w->u, n);
    for (size_t k = 0; k < p->n_uncertain; k++) {
        const mkba_plan_uncertain *un = &p->uncertain[k];
        if (un->copula_index >= 0)
            mkba_dist_from_normal_n(un->dist, w->u + un->copula_index, dim, w->col[k], n);
    }
}

/* Given points instead of draws (mkba_sim_opts.inputs). */
static void load_block(worker *w, size_t first, size_t n)
{
    const mkba_plan *p = w->sh->p;
    size_t U = p->n_uncertain, stride = U + p->n_outcomes;
    const double *x = w->sh->o->inputs;
    for (size_t k = 0; k < U; k++)
        for (size_t i = 0; i < n; i++)
            w->col[k][i] = x[(first + i) * stride + k];
}

/* Put the draws kept aside (shared.aside) and the effects of the points or
 * bootstrap replicates into the slots before scenario s is evaluated: all
 * of them for the first, after that only those the previous scenario's
 * parameters overwrote; the others still hold them. */
static void set_drawn_slots(worker *w, size_t s, size_t first, size_t n)
{
    const mkba_plan *p = w->sh->p;
    const mkba_sim_opts *o = w->sh->o;
    const unsigned char *keep = s > 0 ? w->sh->writes + (s - 1) * p->n_slots : NULL;
    for (size_t k = 0; k < p->n_uncertain; k++)
        if (w->sh->aside[k] && (!keep || keep[p->uncertain[k].slot]))
            memcpy(w->slots + (size_t)p->uncertain[k].slot * B, w->col[k], n * sizeof(double));
    size_t stride = p->n_uncertain + p->n_outcomes;
    for (size_t j = 0; j < p->n_outcomes; j++) {
        double *dst = w->slots + (size_t)p->outcome_slots[j] * B;
        if (keep && !keep[p->outcome_slots[j]])
            continue;
        if (o->inputs)
            for (size_t i = 0; i < n; i++)
                dst[i] = o->inputs[(first + i) * stride + p->n_uncertain + j];
        else if (o->bootstrap)
            for (size_t i = 0; i < n; i++)
                dst[i] = o->bootstrap[((first + i) % o->n_boot) * p->n_outcomes + j];
    }
}

/* The block's evaluation, once its uncertain values are in the slots
 * (evaluate, below), is plain array loops and GCC's vectors, inlined into
 * two copies of it: the portable code, and on x86-64 processors with AVX2
 * the same compiled for AVX2, which runs them four doubles wide. The same
 * operations in the same order: the same bits. */
#define HOT static inline __attribute__((always_inline))

typedef double v4d __attribute__((vector_size(4 * sizeof(double))));

/* w->qp_zero: whether an item's quantity * price is 0 in each of the
 * block's draws, and which 0. */
enum { QP_SOME = 0, QP_ZERO = 1 /* 0 or -0 */, QP_PLUS_ZERO = 2 /* +0, each */ };

/* The QP_ kind of x[0..n): from the OR of their bits (NaN is not 0). */
HOT unsigned char zero_kind(const double *x, size_t n)
{
    uint64_t bits = 0, u;
    for (size_t j = 0; j < n; j++) {
        memcpy(&u, x + j, sizeof u);
        bits |= u;
    }
    return bits == 0 ? QP_PLUS_ZERO : (bits << 1) == 0 ? QP_ZERO : QP_SOME;
}

HOT void eval_scenario(worker *w, size_t s, size_t n)
{
    const mkba_plan *p = w->sh->p;
    const mkba_plan_scenario *sc = &p->scenarios[s];
    size_t I = p->n_items;
    for (size_t k = 0; k < sc->n_params; k++) {
        const mkba_plan_param *pp = &sc->params[k];
        if (!pp->drawn)
            mkba_expr_eval_block(pp->expr, w->slots, B, n, w->slots + (size_t)pp->slot * B,
                                 w->scratch);
    }
    for (size_t i = 0; i < I; i++) {
        const mkba_plan_item *it = &sc->items[i];
        double *qp = w->qp + (s * I + i) * B;
        if (!it->enabled)
            continue;
        mkba_expr_eval_block(it->quantity, w->slots, B, n, qp, w->scratch);
        if (it->price) {
            mkba_expr_eval_block(it->price, w->slots, B, n, w->tmp, w->scratch);
            for (size_t j = 0; j < n; j++)
                qp[j] *= w->tmp[j];
        }
        w->qp_zero[s * I + i] = zero_kind(qp, n);
        double d;
        if (it->dropoff && !mkba_expr_is_const(it->dropoff, &d))
            mkba_expr_eval_block(it->dropoff, w->slots, B, n, w->dd + (s * I + i) * B,
                                 w->scratch);
    }
}

/* Whether item i of scenario src has a quantity * price of zero in all the
 * block's draws (an item the reference scenario switches off, say) and the
 * discount factors of its years are finite, >= 0 and far from overflow:
 * then every annuity of a drop-off in [0, 1] is finite and >= 0, and
 * qp * annuity is qp itself, signed zero included, without working it
 * out. */
HOT int zero_flows(const worker *w, size_t src, size_t i, const double *df, int first, int last)
{
    if (w->qp_zero[src * w->sh->p->n_items + i] == QP_SOME)
        return 0;
    for (int t = first; t <= last; t++)
        if (!(df[t - 1] >= 0 && df[t - 1] <= 1e300))
            return 0;
    return 1;
}

/* The annuity sum_t (1 - d)^(t - first) DF_t of each of the block's
 * drawn drop-offs dd[] over years first..last at scenario s's rates, into
 * w->ann, summed year by year, four draws at a time (the last four may
 * take lanes past n: they go nowhere). Worked out again only when the
 * drop-offs (bit for bit), the years or the scenario differ from the last
 * ones': items often share a drop-off parameter. */
HOT const double *drawn_annuity(worker *w, size_t s, const double *dd, int first, int last,
                                size_t n)
{
    if (w->ann_dd && w->ann_s == s && w->ann_first == first && w->ann_last == last &&
        memcmp(w->ann_dd, dd, n * sizeof *dd) == 0)
        return w->ann;
    const double *df = w->sh->p->scenarios[s].discount;
    for (size_t j = 0; j < n; j += 4) {
        v4d a = {0, 0, 0, 0}, f = {1, 1, 1, 1}, keep; /* f: (1 - d)^(t - first) */
        memcpy(&keep, dd + j, sizeof keep);
        keep = 1.0 - keep;
        for (int t = first; t <= last; t++) {
            a += f * df[t - 1];
            f *= keep;
        }
        memcpy(w->ann + j, &a, sizeof a);
    }
    w->ann_dd = dd;
    w->ann_s = s;
    w->ann_first = first;
    w->ann_last = last;
    return w->ann;
}

/* x where ok (0 or 1), else NaN: a select of the bits. The loops that
 * use it are vectorised, where GCC leaves a ?: between doubles on the
 * outcome of comparisons a branch (they may trap: -ftrapping-math). The
 * tests of a drop-off's range are a & of two comparisons, not &&, for the
 * same reason. */
HOT double or_nan(int ok, double x)
{
    const double nan = NAN;
    int64_t u, v, mask = -(int64_t)ok;
    memcpy(&u, &x, sizeof u);
    memcpy(&v, &nan, sizeof v);
    u = (u & mask) | (v & ~mask);
    memcpy(&x, &u, sizeof x);
    return x;
}

/* PV of item i of scenario 'src' at the rates of scenario 's', for the
 * block's n draws: x[j] * *a, with x the array returned. Mostly x is
 * quantity * price and *a the item's annuity factor, a constant; with an
 * uncertain drop-off, x is the PV itself, worked out in buf, and *a = 1
 * (x * 1 is x, bit for bit). */
HOT const double *item_pv_block(worker *w, size_t s, size_t src, size_t i, size_t n,
                                double *restrict buf, double *a)
{
    const mkba_plan *p = w->sh->p;
    size_t I = p->n_items;
    const mkba_plan_item *it = &p->scenarios[src].items[i];
    const double *qp = w->qp + (src * I + i) * B;
    *a = src == s ? w->sh->ann_self[s * I + i] : w->sh->ann_ref[s * I + i];
    if (it->enabled && !isnan(*a))
        return qp;
    *a = 1;
    if (!it->enabled)
        return memset(buf, 0, n * sizeof *buf);
    const double *restrict dd = w->dd + (src * I + i) * B;
    const double *df = p->scenarios[s].discount;
    if (zero_flows(w, src, i, df, it->first, it->last)) {
        for (size_t j = 0; j < n; j++)
            buf[j] = or_nan((dd[j] >= 0) & (dd[j] <= 1), qp[j]);
        return buf;
    }
    const double *ann = drawn_annuity(w, s, dd, it->first, it->last, n);
    for (size_t j = 0; j < n; j++)
        buf[j] = or_nan((dd[j] >= 0) & (dd[j] <= 1), qp[j] * ann[j]);
    return buf;
}

/* Book the difference x * ax - y * ay of an item's present values (in the
 * scenario and in the reference, item_pv_block) to two columns, a0 and a1
 * (+= in place), and keep it in keep[] (NULL: not kept): one loop over
 * the block's draws for all. y NULL: y * ay is +0 in every draw (x * ax
 * - +0 is x * ax, -0 included). */
HOT void book_item(const double *restrict x, double ax, const double *restrict y, double ay,
                   double *restrict a0, double *restrict a1, double *restrict keep, size_t n)
{
    if (keep && y) {
        for (size_t j = 0; j < n; j++) {
            double d = x[j] * ax - y[j] * ay;
            keep[j] = d;
            a0[j] += d;
            a1[j] += d;
        }
    } else if (keep) {
        for (size_t j = 0; j < n; j++) {
            double d = x[j] * ax;
            keep[j] = d;
            a0[j] += d;
            a1[j] += d;
        }
    } else {
        for (size_t j = 0; j < n; j++) {
            double d = y ? x[j] * ax - y[j] * ay : x[j] * ax;
            a0[j] += d;
            a1[j] += d;
        }
    }
}

/* Whether an item's PV y[j] * ay (item_pv_block) is +0 in each of the
 * block's draws: y is its quantity * price, +0 in each, and ay a finite
 * factor >= 0, not -0. */
HOT int plus_zero(const worker *w, size_t i, const double *y, double ay)
{
    return y == w->qp + i * B && w->qp_zero[i] == QP_PLUS_ZERO && ay >= 0 && ay <= DBL_MAX &&
           !signbit(ay);
}

/* Balances of each project scenario against the reference, block-wise:
 * per item the difference of present values, booked to its stakeholders,
 * summed in place in the block's slice of the result columns. */
HOT void book_block(worker *w, size_t first, size_t n)
{
    const mkba_plan *p = w->sh->p;
    mkba_sim *out = w->sh->out;
    size_t S = p->n_scenarios, I = p->n_items, K = p->n_stakeholders, D = out->draws;
    size_t bad = 0;
    double **b = w->acc, **c = w->acc + K + 1, *pv = w->tmp, *ref = w->tmp2;
    w->ann_dd = NULL; /* the drop-offs are the block's own */
    for (size_t s = 1; s < S; s++) {
        for (size_t k = 0; k <= K; k++) {
            size_t col = mkba_sim_col(out, s, k);
            b[k] = memset(out->pv_benefits + col * D + first, 0, n * sizeof *pv);
            c[k] = memset(out->pv_costs + col * D + first, 0, n * sizeof *pv);
        }
        for (size_t i = 0; i < I; i++) {
            double ax, ay;
            const double *x = item_pv_block(w, s, s, i, n, pv, &ax);
            const double *y = item_pv_block(w, s, 0, i, n, ref, &ay);
            double *keep = out->item_pv ? out->item_pv + ((s - 1) * I + i) * D + first : NULL;
            size_t who = p->stakeholder[i];
            if (plus_zero(w, i, y, ay))
                y = NULL;
            switch (p->kinds[i]) {
            case MKBA_ITEM_BENEFIT:
                book_item(x, ax, y, ay, b[who], b[K], keep, n);
                break;
            case MKBA_ITEM_COST:
                book_item(x, ax, y, ay, c[who], c[K], keep, n);
                break;
            case MKBA_ITEM_TRANSFER: /* cancels for society */
                book_item(x, ax, y, ay, b[who], c[p->loser[i]], keep, n);
                break;
            }
        }
        for (size_t k = 0; k <= K; k++)
            for (size_t j = 0; j < n; j++) { /* x - x: 0 when x is finite, else NaN */
                double x = b[k][j] - c[k][j];
                w->bad[j] += x - x;
            }
    }
    for (size_t j = 0; j < n; j++) {
        bad += w->bad[j] != 0;
        w->bad[j] = 0;
    }
    atomic_fetch_add(&w->sh->nonfinite, bad);
}

/* ------------------------------------------------ payback and IRR */

/* Whether adding the yearly flows of an item to the rows would add only
 * zeros: its quantity * price is 0 in each of the block's n draws, and its
 * drop-off keeps a zero zero (a finite constant, or drawn in 0..1). Such
 * zeros change nothing but the sign of a zero in the rows, which
 * mkba_fin_net does not see. */
HOT int no_flows(const worker *w, size_t src, size_t i, size_t n)
{
    size_t I = w->sh->p->n_items;
    const mkba_plan_item *it = &w->sh->p->scenarios[src].items[i];
    const double *dd = w->dd + (src * I + i) * B;
    double d;
    int fixed = const_dropoff(it, &d);
    if (!it->enabled)
        return 1;
    if (w->qp_zero[src * I + i] == QP_SOME || (fixed && !isfinite(1.0 - d)))
        return 0;
    int outside = 0;
    if (!fixed)
        for (size_t j = 0; j < n; j++)
            outside |= !((dd[j] >= 0) & (dd[j] <= 1));
    return !outside;
}

/* Add sign times the yearly flow of item i of scenario 'src' to rows[0]
 * and rows[1] ([horizon][FIN_TILE] each) for the tile of draws from the
 * block's draw j0 on: quantity * price * (1 - drop-off)^(t - first) in
 * years first..last, as in the model's base run; NaN where a drawn
 * drop-off is outside 0..1. Year by year, half a tile at a time (four
 * vectors of four draws, in registers). Always the whole tile: in the
 * block's last, lanes past its draws hold values left from earlier blocks
 * (or 0), which go nowhere, and the loops keep their fixed length. */
HOT void item_flows(const worker *w, size_t src, size_t i, size_t j0, double sign,
                    double *const rows[2])
{
    size_t I = w->sh->p->n_items;
    const mkba_plan_item *it = &w->sh->p->scenarios[src].items[i];
    const double *qp = w->qp + (src * I + i) * B + j0, *dd = w->dd + (src * I + i) * B + j0;
    double d, v0[FIN_TILE], keep0[FIN_TILE];
    int fixed = const_dropoff(it, &d), first = it->first, last = it->last;
    for (size_t j = 0; j < FIN_TILE; j++) {
        v0[j] = or_nan(fixed | ((dd[j] >= 0) & (dd[j] <= 1)), sign * qp[j]);
        keep0[j] = 1.0 - (fixed ? d : dd[j]);
    }
    int steady = fixed && d == 0; /* v * 1 is v: the same flow every year */
    for (size_t h = 0; h < FIN_TILE; h += FIN_TILE / 2) {
        v4d v[FIN_TILE / 8], keep[FIN_TILE / 8], r;
        memcpy(v, v0 + h, sizeof v);
        memcpy(keep, keep0 + h, sizeof keep);
        for (int t = first; t <= last; t++) {
            for (int k = 0; k < 2; k++) {
                double *row = rows[k] + (size_t)(t - 1) * FIN_TILE + h;
                for (size_t q = 0; q < FIN_TILE / 8; q++) {
                    memcpy(&r, row + 4 * q, sizeof r);
                    r += v[q];
                    memcpy(row + 4 * q, &r, sizeof r);
                }
            }
            if (!steady)
                for (size_t q = 0; q < FIN_TILE / 8; q++)
                    v[q] *= keep[q];
        }
    }
}

/* The rows item i's flows go to in a tile's flows (fin_io): inflows of
 * stakeholder k are row k, outflows row K + 1 + k (k = K: society);
 * booked as book_block does. */
HOT void item_rows(const mkba_plan *p, size_t i, size_t rows[2])
{
    size_t who = p->stakeholder[i], K = p->n_stakeholders;
    switch (p->kinds[i]) {
    case MKBA_ITEM_BENEFIT:
        rows[0] = who, rows[1] = K;
        break;
    case MKBA_ITEM_COST:
        rows[0] = K + 1 + who, rows[1] = K + 1 + K;
        break;
    default: /* MKBA_ITEM_TRANSFER: cancels for society */
        rows[0] = who, rows[1] = K + 1 + p->loser[i];
        break;
    }
}

/* Count each draw's payback and IRR status for column col, and keep its
 * IRR. Draw j counts in set j % COUNT_SETS: one count's increments follow
 * each other less closely, and do not wait for each other. */
HOT void count_fin(worker *w, size_t col, const mkba_fin *fin, size_t m, float *irr)
{
    size_t set_p = w->fin_cols * MKBA_FIN_PAYBACK_N, set_i = w->fin_cols * MKBA_FIN_IRR_N;
    size_t *pc = w->payback_count + col * MKBA_FIN_PAYBACK_N;
    size_t *ic = w->irr_count + col * MKBA_FIN_IRR_N;
    for (size_t j = 0; j < m; j++)
        irr[j] = fin[j].irr_status == MKBA_FIN_IRR_UNIQUE ? (float)fin[j].irr : NAN;
    size_t j = 0;
    for (; j + COUNT_SETS <= m; j += COUNT_SETS)
        for (size_t q = 0; q < COUNT_SETS; q++) {
            pc[q * set_p + fin[j + q].payback]++;
            ic[q * set_i + fin[j + q].irr_status]++;
        }
    for (; j < m; j++) {
        pc[fin[j].payback]++;
        ic[fin[j].irr_status]++;
    }
}

/* The payback and IRR of project scenario s in the block's draws: the
 * yearly inflows and outflows of each stakeholder and society, netted per
 * draw and year by mkba_fin_of_net_n; a tile of FIN_TILE draws at a
 * time, whose flows stay in the first-level cache. A row no item's flows
 * go to in the block (the outflows of a stakeholder with benefits only,
 * say) is +0 throughout: it is neither cleared nor read (NULL). */
HOT void finance_block(worker *w, size_t s, size_t first, size_t n)
{
    const mkba_plan *p = w->sh->p;
    mkba_sim *out = w->sh->out;
    size_t I = p->n_items, K = p->n_stakeholders, T = p->horizon, D = out->draws;
    size_t TB = T * FIN_TILE, r[2];
    unsigned char *used = w->fin_used;
    memset(used, 0, 2 * (K + 1));
    for (size_t i = 0; i < I; i++) {
        w->fin_skip[2 * i] = (unsigned char)no_flows(w, s, i, n);
        w->fin_skip[2 * i + 1] = (unsigned char)no_flows(w, 0, i, n);
        item_rows(p, i, r);
        if (!w->fin_skip[2 * i] || !w->fin_skip[2 * i + 1])
            used[r[0]] = used[r[1]] = 1;
    }
    for (size_t j0 = 0; j0 < n; j0 += FIN_TILE) {
        size_t m = n - j0 < FIN_TILE ? n - j0 : FIN_TILE;
        for (size_t k = 0; k < 2 * (K + 1); k++)
            if (used[k])
                memset(w->fin_io + k * TB, 0, TB * sizeof *w->fin_io);
        for (size_t i = 0; i < I; i++) {
            item_rows(p, i, r);
            double *rows[2] = {w->fin_io + r[0] * TB, w->fin_io + r[1] * TB};
            if (!w->fin_skip[2 * i])
                item_flows(w, s, i, j0, 1.0, rows);
            if (!w->fin_skip[2 * i + 1])
                item_flows(w, 0, i, j0, -1.0, rows);
        }
        for (size_t k = 0; k <= K; k++) {
            size_t col = mkba_sim_col(out, s, k);
            const double *plus = used[k] ? w->fin_io + k * TB : NULL;
            const double *minus = used[K + 1 + k] ? w->fin_io + (K + 1 + k) * TB : NULL;
            mkba_fin_of_net_n(plus, minus, FIN_TILE, m, p->scenarios[s].discount, T, w->fin_ws,
                              w->fin);
            count_fin(w, col, w->fin, m, out->irr + col * D + first + j0);
        }
    }
}

/* Every scenario on the block's values in the slots, the balances, and
 * the payback and IRR. */
HOT void evaluate(worker *w, size_t first, size_t whole, size_t n)
{
    const mkba_plan *p = w->sh->p;
    for (size_t s = 0; s < p->n_scenarios; s++) {
        set_drawn_slots(w, s, whole, n);
        eval_scenario(w, s, n);
    }
    book_block(w, first, n);
    if (w->sh->out->irr)
        for (size_t s = 1; s < p->n_scenarios; s++)
            finance_block(w, s, first, n);
}

static void evaluate_portable(worker *w, size_t first, size_t whole, size_t n)
{
    evaluate(w, first, whole, n);
}

#if MKBA_CPU_AVX2
MKBA_AVX2 static void evaluate_avx2(worker *w, size_t first, size_t whole, size_t n)
{
    evaluate(w, first, whole, n);
}
#endif

static void run_block(worker *w, size_t blk)
{
    shared *sh = w->sh;
    const mkba_plan *p = sh->p;
    mkba_sim *out = sh->out;
    size_t first = blk * B, n = out->draws - first < B ? out->draws - first : B;
    size_t whole = first + sh->o->first_block * B; /* the draw in the whole run */
    if (out->uncertain) /* kept: drawn straight into the run's columns */
        for (size_t k = 0; k < p->n_uncertain; k++)
            w->col[k] = out->uncertain + k * out->draws + first;
    if (sh->o->inputs) {
        load_block(w, whole, n);
    } else {
        mkba_rng_stream(w->r, sh->o->seed, MKBA_STREAM_DRAWS, sh->o->first_block + blk);
        draw_block(w, n);
    }
    if (out->uncertain) /* then into the slots, from the cache */
        for (size_t k = 0; k < p->n_uncertain; k++)
            if (!sh->aside[k])
                memcpy(w->slots + (size_t)p->uncertain[k].slot * B, w->col[k],
                       n * sizeof(double));
#if MKBA_CPU_AVX2
    if (sh->avx2)
        evaluate_avx2(w, first, whole, n);
    else
#endif
        evaluate_portable(w, first, whole, n);
    if (out->uncertain)
        for (size_t j = 0; j < p->n_outcomes; j++)
            memcpy(out->effects + j * out->draws + first,
                   w->slots + (size_t)p->outcome_slots[j] * B, n * sizeof(double));
    atomic_fetch_add(&sh->done, n);
}

/* ------------------------------------------------------------ set-up */

static void worker_init(worker *w, shared *sh)
{
    const mkba_plan *p = sh->p;
    size_t S = p->n_scenarios, I = p->n_items;
    w->sh = sh;
    w->r = mkba_rng_alloc();
    w->slots = mkba_xcalloc_own(p->n_slots * B + 1, sizeof *w->slots);
    for (size_t j = 0; j < p->n_slots; j++)
        for (size_t i = 0; i < B; i++)
            w->slots[j * B + i] = p->base_slots[j];
    w->drawn = mkba_xcalloc_own(p->n_uncertain * B + 1, sizeof *w->drawn);
    w->col = mkba_xcalloc_own(p->n_uncertain + 1, sizeof *w->col);
    for (size_t k = 0; k < p->n_uncertain; k++)
        w->col[k] = sh->aside[k] ? w->drawn + k * B : w->slots + (size_t)p->uncertain[k].slot * B;
    w->qp = mkba_xcalloc_own(S * I * B + 1, sizeof *w->qp);
    w->dd = mkba_xcalloc_own(S * I * B + 1, sizeof *w->dd);
    w->qp_zero = mkba_xcalloc_own(S * I + 1, 1);
    w->tmp = mkba_xcalloc_own(B, sizeof *w->tmp);
    w->tmp2 = mkba_xcalloc_own(B, sizeof *w->tmp2);
    w->ann = mkba_xcalloc_own(B, sizeof *w->ann);
    w->acc = mkba_xcalloc_own(2 * (p->n_stakeholders + 1), sizeof *w->acc);
    w->bad = mkba_xcalloc_own(B, sizeof *w->bad);
    w->scratch = mkba_xcalloc_own(sh->depth * B, sizeof *w->scratch);
    w->u = mkba_xcalloc_own((p->copula ? mkba_copula_dim(p->copula) : 0) * B + 1, sizeof *w->u);
    if (sh->out->irr) {
        size_t K1 = p->n_stakeholders + 1, cols = (S - 1) * K1;
        w->fin_io = mkba_xcalloc_own(2 * K1 * p->horizon * FIN_TILE, sizeof *w->fin_io);
        w->fin_skip = mkba_xcalloc_own(2 * I + 1, 1);
        w->fin_used = mkba_xcalloc_own(2 * K1, 1);
        w->fin = mkba_xcalloc_own(FIN_TILE, sizeof *w->fin);
        w->fin_ws = mkba_fin_ws_alloc();
        w->fin_cols = cols;
        w->payback_count =
            mkba_xcalloc_own(COUNT_SETS * cols * MKBA_FIN_PAYBACK_N + 1, sizeof *w->payback_count);
        w->irr_count = mkba_xcalloc_own(COUNT_SETS * cols * MKBA_FIN_IRR_N + 1, sizeof *w->irr_count);
    }
}

static void worker_fini(worker *w)
{
    if (!w->sh) /* its thread took no block */
        return;
    gsl_rng_free(w->r);
    free(w->slots);
    free(w->drawn);
    free(w->col);
    free(w->qp);
    free(w->dd);
    free(w->qp_zero);
    free(w->tmp);
    free(w->tmp2);
    free(w->ann);
    free(w->acc);
    free(w->bad);
    free(w->scratch);
    free(w->u);
    free(w->fin_io);
    free(w->fin_skip);
    free(w->fin_used);
    free(w->fin);
    mkba_fin_ws_free(w->fin_ws);
    free(w->payback_count);
    free(w->irr_count);
}

/* A worker's counts of payback and IRR statuses set to 0 for a run. */
static void counts_clear(worker *w)
{
    if (!w->sh)
        return;
    memset(w->payback_count, 0, COUNT_SETS * w->fin_cols * MKBA_FIN_PAYBACK_N * sizeof(size_t));
    memset(w->irr_count, 0, COUNT_SETS * w->fin_cols * MKBA_FIN_IRR_N * sizeof(size_t));
}

/* The set-up and scratch kept in out (work_get), freed. */
static void work_free(mkba_sim *out)
{
    shared *sh = out->work;
    if (!sh)
        return;
    for (size_t t = 0; t < sh->n_ws; t++) {
        worker_fini(sh->ws[t]);
        free(sh->ws[t]);
    }
    free(sh->ws);
    free(sh->ann_self);
    free(sh->ann_ref);
    free(sh->writes);
    free(sh->aside);
    free(sh);
    out->work = NULL;
}

/* The workers' counts of payback and IRR statuses, summed (integers: the
 * same for any split of the blocks). */
static void sum_finance_counts(mkba_sim *out, worker *const *ws, size_t threads)
{
    size_t cols = (out->n_scenarios - 1) * (out->n_stakeholders + 1);
    for (size_t t = 0; t < threads; t++) {
        if (!ws[t]->sh)
            continue;
        for (size_t c = 0; c < COUNT_SETS * cols * MKBA_FIN_PAYBACK_N; c++)
            out->payback_count[c % (cols * MKBA_FIN_PAYBACK_N)] += ws[t]->payback_count[c];
        for (size_t c = 0; c < COUNT_SETS * cols * MKBA_FIN_IRR_N; c++)
            out->irr_count[c % (cols * MKBA_FIN_IRR_N)] += ws[t]->irr_count[c];
    }
}

int mkba_sim_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}


/* A result column array of n doubles, every element of which the workers
 * write (small arrays are zeroed all the same). Large ones ask for huge
 * pages: the workers touch every page once, and with 4 KiB pages a run of
 * a million draws takes some 25,000 page faults, about a tenth of its CPU
 * time, which the threads also contend for. Freed with free(). */
static double *alloc_columns(size_t n)
{
    return mkba_xmalloc_large(n, sizeof(double)); /* not cleared: the run writes every value */
}

static mkba_sim *alloc_result(const mkba_plan *p, const mkba_sim_opts *o)
{
    mkba_sim *s = mkba_xcalloc(1, sizeof *s);
    s->draws = o->draws;
    s->n_scenarios = p->n_scenarios;
    s->n_items = p->n_items;
    s->n_stakeholders = p->n_stakeholders;
    s->n_uncertain = p->n_uncertain;
    s->n_outcomes = p->n_outcomes;
    /* Project scenarios only: the reference against itself is zero. */
    size_t cols = (p->n_scenarios - 1) * (p->n_stakeholders + 1);
    s->pv_benefits = alloc_columns(cols * o->draws + 1);
    s->pv_costs = alloc_columns(cols * o->draws + 1);
    size_t item_cols = (p->n_scenarios - 1) * p->n_items;
    int keep = mkba_sim_items_mode(p, o);
    if (keep == MKBA_SIM_ITEMS_KEEP)
        s->item_pv = alloc_columns(item_cols * o->draws + 1);
    s->items_regen = keep == MKBA_SIM_ITEMS_REGEN && !o->inputs;
    s->opts = *o;
    s->opts.progress = NULL;
    s->opts.progress_ctx = NULL;
    if (o->keep_finance) {
        s->irr = mkba_xcalloc(cols * o->draws + 1, sizeof *s->irr);
        s->payback_count = mkba_xcalloc(cols * MKBA_FIN_PAYBACK_N + 1, sizeof *s->payback_count);
        s->irr_count = mkba_xcalloc(cols * MKBA_FIN_IRR_N + 1, sizeof *s->irr_count);
    }
    s->inputs_regen = o->keep_uncertain == MKBA_SIM_INPUTS_REGEN;
    if (o->keep_uncertain == MKBA_SIM_INPUTS_KEEP) {
        s->uncertain = alloc_columns(p->n_uncertain * o->draws + 1);
        s->effects = alloc_columns(p->n_outcomes * o->draws + 1);
    }
    return s;
}

/* 'old' made ready for a run of p with options o when it holds the same
 * columns (a run writes every value of them, so they need no clearing);
 * else it is freed and a new result made. */
static mkba_sim *reuse_result(const mkba_plan *p, const mkba_sim_opts *o, mkba_sim *old)
{
    int same = old && old->draws == o->draws && old->n_scenarios == p->n_scenarios &&
               old->n_items == p->n_items && old->n_stakeholders == p->n_stakeholders &&
               old->n_uncertain == p->n_uncertain && old->n_outcomes == p->n_outcomes &&
               (old->item_pv != NULL) == (mkba_sim_items_mode(p, o) == MKBA_SIM_ITEMS_KEEP) &&
               (old->irr != NULL) == (o->keep_finance != 0) &&
               (old->uncertain != NULL) == (o->keep_uncertain == MKBA_SIM_INPUTS_KEEP);
    if (!same) {
        mkba_sim_free(old);
        return alloc_result(p, o);
    }
    size_t cols = (p->n_scenarios - 1) * (p->n_stakeholders + 1);
    old->items_regen = mkba_sim_items_mode(p, o) == MKBA_SIM_ITEMS_REGEN && !o->inputs;
    old->inputs_regen = o->keep_uncertain == MKBA_SIM_INPUTS_REGEN;
    old->opts = *o;
    old->opts.progress = NULL;
    old->opts.progress_ctx = NULL;
    if (old->irr) {
        memset(old->payback_count, 0, cols * MKBA_FIN_PAYBACK_N * sizeof *old->payback_count);
        memset(old->irr_count, 0, cols * MKBA_FIN_IRR_N * sizeof *old->irr_count);
    }
    old->n_nonfinite = 0;
    old->threads = 0;
    old->seconds = 0;
    return old;
}

int mkba_sim_items_mode(const mkba_plan *p, const mkba_sim_opts *o)
{
    size_t item_cols = (p->n_scenarios - 1) * p->n_items;
    if (o->keep_items != MKBA_SIM_ITEMS_AUTO)
        return o->keep_items;
    return o->draws <= MKBA_SIM_KEEP_BYTES / sizeof(double) / (item_cols + 1)
               ? MKBA_SIM_ITEMS_KEEP
               : MKBA_SIM_ITEMS_REGEN;
}

mkba_sim *mkba_sim_alloc(const mkba_plan *p, const mkba_sim_opts *o)
{
    return alloc_result(p, o);
}

/* The set-up of runs of p in out's memory, with scratch for 'threads':
 * kept from its last run (a result is reused for runs of one plan only),
 * else made. */
static shared *work_get(mkba_sim *out, const mkba_plan *p, size_t threads)
{
    shared *sh = out->work;
    if (!sh || sh->p != p) {
        work_free(out);
        sh = mkba_xcalloc(1, sizeof *sh);
        sh->p = p;
        sh->depth = max_depth(p);
        precompute_annuities(sh);
        precompute_writes(sh);
        out->work = sh;
    }
    sh->out = out;
    sh->avx2 = mkba_cpu_avx2(); /* per run: the tests lower the limit between runs */
    if (threads > sh->n_ws) { /* the new ones made at their first block */
        sh->ws = mkba_xreallocarray(sh->ws, threads, sizeof *sh->ws);
        for (size_t t = sh->n_ws; t < threads; t++)
            sh->ws[t] = mkba_xcalloc_own(1, sizeof **sh->ws);
        sh->n_ws = threads;
    }
    return sh;
}

/* Block 'blk' on thread 'thread' (a task of mkba_stream_parallel). The
 * calling thread, thread 0, also reports progress between its blocks
 * (a block takes well under a millisecond), about ten times a second. */
static void block_task(void *ctx, size_t blk, size_t thread)
{
    shared *sh = ctx;
    worker *w = sh->ws[thread];
    if (!w->sh)
        worker_init(w, sh);
    run_block(w, blk);
    size_t done;
    if (thread == 0 && sh->o->progress && mkba_stream_seconds() - sh->last_report >= 0.1 &&
        (done = atomic_load(&sh->done)) < sh->o->draws) { /* the end is reported once, after */
        sh->o->progress(sh->o->progress_ctx, done, sh->o->draws);
        sh->last_report = mkba_stream_seconds();
    }
}

mkba_sim *mkba_sim_run(const mkba_plan *p, const mkba_sim_opts *o, mkba_error *err)
{
    mkba_sim *s = mkba_sim_run_reuse(p, o, NULL, err);
    if (s) /* not to be reused: its scratch is not kept */
        work_free(s);
    return s;
}

mkba_sim *mkba_sim_run_reuse(const mkba_plan *p, const mkba_sim_opts *o, mkba_sim *old,
                             mkba_error *err)
{
    if (o->draws == 0 || (o->bootstrap && o->n_boot == 0)) {
        mkba_sim_free(old);
        return mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                              o->draws == 0 ? "the number of draws must be at least 1"
                                            : "no bootstrap replicates"),
               NULL;
    }
    mkba_sim *out = reuse_result(p, o, old);
    int threads = o->threads > 0 ? o->threads : mkba_sim_cores();
    size_t n_blocks = (o->draws + B - 1) / B;
    if ((size_t)threads > n_blocks)
        threads = (int)n_blocks;
    shared *sh = work_get(out, p, (size_t)threads);
    sh->o = o;
    sh->n_blocks = n_blocks;
    atomic_init(&sh->done, 0);
    atomic_init(&sh->nonfinite, 0);
    if (out->irr)
        for (size_t t = 0; t < sh->n_ws; t++)
            counts_clear(sh->ws[t]);
    double t0 = mkba_stream_seconds();
    sh->last_report = t0;
    mkba_stream_parallel(n_blocks, threads, block_task, sh);
    if (o->progress)
        o->progress(o->progress_ctx, o->draws, o->draws);
    out->seconds = mkba_stream_seconds() - t0;
    out->threads = threads;
    out->n_nonfinite = atomic_load(&sh->nonfinite);
    if (out->irr)
        sum_finance_counts(out, sh->ws, sh->n_ws);
    sh->o = NULL; /* the caller's */
    return out;
}

/* ------------------------------------------------ inputs made again */

struct mkba_sim_inputs {
    const mkba_plan *p;
    mkba_sim_opts o;
    size_t n_blocks, state_size;
    size_t known;             /* the cursors of quantities 0..known are set */
    unsigned char *cursor;    /* [n_blocks][n_uncertain + 1][state_size]: where the first
                                 independent quantity >= k starts drawing in each block
                                 (plan order, as draw_block; k = n_uncertain: the copula) */
    gsl_rng *r;
    double *u;                /* [B][copula dim] a block's copula normals */
    double *skip;             /* [B] draws passed over */
};

static size_t block_draws(const mkba_sim_inputs *g, size_t blk)
{
    size_t first = blk * B;
    return g->o.draws - first < B ? g->o.draws - first : B;
}

static unsigned char *cursor(const mkba_sim_inputs *g, size_t blk, size_t k)
{
    return g->cursor + (blk * (g->p->n_uncertain + 1) + k) * g->state_size;
}

mkba_sim_inputs *mkba_sim_inputs_alloc(const mkba_plan *p, const mkba_sim_opts *o)
{
    mkba_sim_inputs *g = mkba_xcalloc(1, sizeof *g);
    g->p = p;
    g->o = *o;
    g->n_blocks = (o->draws + B - 1) / B;
    g->r = mkba_rng_alloc();
    g->state_size = g->r->type->size;
    g->u = mkba_xcalloc((p->copula ? mkba_copula_dim(p->copula) : 0) * B + 1, sizeof *g->u);
    g->skip = mkba_xcalloc(B, sizeof *g->skip);
    if (!o->inputs) { /* the cursors of quantity 0: the start of each block's stream */
        g->cursor = mkba_xcalloc(g->n_blocks * (p->n_uncertain + 1) * g->state_size + 1, 1);
        for (size_t b = 0; b < g->n_blocks; b++) {
            mkba_rng_stream(g->r, o->seed, MKBA_STREAM_DRAWS, o->first_block + b);
            memcpy(cursor(g, b, 0), g->r->state, g->state_size);
        }
    }
    return g;
}

void mkba_sim_inputs_free(mkba_sim_inputs *g)
{
    if (!g)
        return;
    gsl_rng_free(g->r);
    free(g->cursor);
    free(g->u);
    free(g->skip);
    free(g);
}

/* Quantity k's draws in every block from its cursor (the block's n values
 * into out + first, when out is not NULL; none for a copula's quantity),
 * setting the cursors of k + 1 the first time. */
static void inputs_draw(mkba_sim_inputs *g, size_t k, double *out)
{
    const mkba_plan_uncertain *un = &g->p->uncertain[k];
    int next = g->known == k;
    for (size_t b = 0; b < g->n_blocks; b++) {
        memcpy(g->r->state, cursor(g, b, k), g->state_size);
        if (un->copula_index < 0)
            mkba_dist_sample_n(un->dist, g->r, out ? out + b * B : g->skip, block_draws(g, b));
        if (next)
            memcpy(cursor(g, b, k + 1), g->r->state, g->state_size);
    }
    g->known += next;
}

/* Set the cursors up to quantity k (k = n_uncertain: the copula's). */
static void inputs_advance(mkba_sim_inputs *g, size_t k)
{
    while (g->known < k)
        inputs_draw(g, g->known, NULL);
}

/* The copula's quantity 'only' in every block into out; with only =
 * n_uncertain each of its quantities k into out + k * stride. Its
 * normals follow every independent quantity in the stream. */
static void inputs_copula(mkba_sim_inputs *g, size_t only, double *out, size_t stride)
{
    const mkba_plan *p = g->p;
    size_t U = p->n_uncertain, dim = mkba_copula_dim(p->copula);
    inputs_advance(g, U);
    for (size_t b = 0; b < g->n_blocks; b++) {
        size_t n = block_draws(g, b);
        memcpy(g->r->state, cursor(g, b, U), g->state_size);
        mkba_copula_sample_zn(p->copula, g->r, g->u, n);
        for (size_t k = 0; k < U; k++) {
            const mkba_plan_uncertain *un = &p->uncertain[k];
            if (un->copula_index >= 0 && (only == U || k == only))
                mkba_dist_from_normal_n(un->dist, g->u + un->copula_index, dim,
                                        (only == U ? out + k * stride : out) + b * B, n);
        }
    }
}

void mkba_sim_inputs_column(mkba_sim_inputs *g, size_t k, double *out)
{
    const mkba_plan *p = g->p;
    const mkba_sim_opts *o = &g->o;
    size_t U = p->n_uncertain, D = o->draws, whole = o->first_block * B;
    size_t stride = U + p->n_outcomes;
    if (k >= U) { /* an effect: as set_drawn_slots puts it in the slots */
        size_t j = k - U;
        for (size_t i = 0; i < D; i++)
            out[i] = o->inputs      ? o->inputs[(whole + i) * stride + k]
                     : o->bootstrap ? o->bootstrap[((whole + i) % o->n_boot) * p->n_outcomes + j]
                                    : p->base_slots[p->outcome_slots[j]];
        return;
    }
    if (o->inputs) {
        for (size_t i = 0; i < D; i++)
            out[i] = o->inputs[(whole + i) * stride + k];
        return;
    }
    if (p->uncertain[k].copula_index < 0) {
        inputs_advance(g, k);
        inputs_draw(g, k, out);
    } else {
        inputs_copula(g, k, out, 0);
    }
}

void mkba_sim_inputs_all(mkba_sim_inputs *g, double *out, size_t stride)
{
    const mkba_plan *p = g->p;
    size_t U = p->n_uncertain;
    for (size_t k = 0; k < U + p->n_outcomes; k++) /* the stream's order: k increasing */
        if (k >= U || g->o.inputs || p->uncertain[k].copula_index < 0)
            mkba_sim_inputs_column(g, k, out + k * stride);
    if (p->copula && !g->o.inputs)
        inputs_copula(g, U, out, stride);
}

void mkba_sim_free(mkba_sim *s)
{
    if (!s)
        return;
    work_free(s);
    free(s->pv_benefits);
    free(s->pv_costs);
    free(s->item_pv);
    free(s->uncertain);
    free(s->effects);
    free(s->irr);
    free(s->payback_count);
    free(s->irr_count);
    free(s);
}


/* mpi.c - one run over several MPI processes (see mpi.h). The normal build
 * compiles only the single-process half at the end of the file. */
#ifdef MKBA_MPI
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#endif
#include "mkba/mpi.h"

#include "mkba/bootstrap.h"
#include "mkba/sim.h"
#include "mkba/summary.h"

#ifdef MKBA_MPI

#include <limits.h>
#include <mpi.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mkba/mem.h"
#include "mkba/stream.h"

static int rank_, size_ = 1, local_size = 1, speaks = 1;

void mkba_mpi_init(int *argc, char ***argv)
{
    int provided; /* only the main thread calls MPI: the worker threads never do */
    MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    MPI_Comm_size(node, &local_size);
    MPI_Comm_free(&node);
    speaks = rank_ == 0;
}

static void nap(void)
{
    struct timespec ts = {0, 1000000L}; /* 1 ms */
    nanosleep(&ts, NULL);
}

int mkba_mpi_finish(int rc)
{
    /* Rank 0 may summarise and write for a long time after the others are
     * done: they wait by polling with naps, leaving the cores to it (a
     * blocking collective spins). */
    int all = rc;
    MPI_Request req;
    MPI_Iallreduce(&rc, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD, &req);
    for (int done = 0; MPI_Test(&req, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && !done;)
        nap();
    MPI_Finalize();
    return all;
}

int mkba_mpi_rank(void)
{
    return rank_;
}

int mkba_mpi_size(void)
{
    return size_;
}

int mkba_mpi_threads(void)
{
    if (size_ == 1)
        return 0;
    int cores = mkba_sim_cores();
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) < cores)
        return CPU_COUNT(&set); /* mpirun or Slurm bound this process to these cores */
    return cores / local_size > 0 ? cores / local_size : 1;
}

int mkba_mpi_prints(void)
{
    return speaks;
}

mkba_status mkba_mpi_agree(mkba_status st, mkba_error *err)
{
    /* [the highest status, rank 0's status, size - the lowest failed rank] */
    int mine[3] = {(int)st, rank_ == 0 ? (int)st : 0, st ? size_ - rank_ : 0}, all[3];
    MPI_Allreduce(mine, all, 3, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (!all[0])
        return MKBA_OK;
    if (st) {
        speaks = rank_ == 0 || !all[1]; /* rank 0 says it when it failed too */
        return st;
    }
    return mkba_error_set(err, (mkba_status)all[0], NULL, 0, NULL,
                          "MPI rank %d failed (its message is above); every rank stops",
                          size_ - all[2]);
}

mkba_status mkba_mpi_same_inputs(const char *digest, mkba_error *err)
{
    int n = rank_ == 0 ? (int)strlen(digest) : 0;
    MPI_Bcast(&n, 1, MPI_INT, 0, MPI_COMM_WORLD);
    char *root = mkba_xcalloc((size_t)n + 1, 1);
    if (rank_ == 0)
        memcpy(root, digest, (size_t)n);
    MPI_Bcast(root, n, MPI_CHAR, 0, MPI_COMM_WORLD);
    mkba_status st = MKBA_OK;
    if (strcmp(root, digest) != 0)
        st = mkba_error_set(err, MKBA_EINVAL, NULL, 0, NULL,
                            "read other input files than rank 0 (the model, scenario or "
                            "cohort files differ: give every node the same files)");
    free(root);
    return mkba_mpi_agree(st, err);
}

int mkba_mpi_bcast_int(int v)
{
    MPI_Bcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return v;
}

static void share_of(size_t n, int r, size_t *lo, size_t *hi)
{
    *lo = n / (size_t)size_ * (size_t)r + n % (size_t)size_ * (size_t)r / (size_t)size_;
    *hi = n / (size_t)size_ * (size_t)(r + 1) + n % (size_t)size_ * (size_t)(r + 1) / (size_t)size_;
}

void mkba_mpi_share(size_t n, size_t *lo, size_t *hi)
{
    share_of(n, rank_, lo, hi);
}

/* Counts and offsets (in units of 'unit' things) of every rank's share of
 * n, for the v-collectives; units per rank fit an int (the callers' counts
 * are at most 1e9). */
static void shares(size_t n, int *count, int *offset)
{
    for (int r = 0; r < size_; r++) {
        size_t lo, hi;
        share_of(n, r, &lo, &hi);
        count[r] = (int)(hi - lo);
        offset[r] = (int)lo;
    }
}

mkba_status mkba_mpi_bootstrap(const mkba_cohort *c, const mkba_est_spec *specs, size_t n_specs,
                               size_t B, uint64_t seed, int threads, double *out,
                               size_t *n_failed, mkba_error *err)
{
    if (size_ == 1 || B == 0 || n_specs == 0 || B > INT_MAX)
        return mkba_bootstrap(c, specs, n_specs, B, seed, threads, out, n_failed, err);
    size_t lo, hi, failed = 0;
    mkba_mpi_share(B, &lo, &hi);
    mkba_status st = hi > lo ? mkba_bootstrap_part(c, specs, n_specs, lo, hi - lo, seed, threads,
                                                   out + lo * n_specs, &failed, err)
                             : MKBA_OK;
    if ((st = mkba_mpi_agree(st, err)))
        return st;
    int *count = mkba_xcalloc((size_t)size_, sizeof *count);
    int *offset = mkba_xcalloc((size_t)size_, sizeof *offset);
    shares(B, count, offset);
    MPI_Datatype row; /* a replicate: n_specs doubles */
    MPI_Type_contiguous((int)n_specs, MPI_DOUBLE, &row);
    MPI_Type_commit(&row);
    MPI_Allgatherv(MPI_IN_PLACE, 0, row, out, count, offset, row, MPI_COMM_WORLD);
    MPI_Type_free(&row);
    uint64_t f = failed, all;
    MPI_Allreduce(&f, &all, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
    if (n_failed)
        *n_failed = (size_t)all;
    free(count);
    free(offset);
    return MKBA_OK;
}


/* n columns of 'part' (draws of this rank) into the columns of 'whole'
 * (D draws) on rank 0, the parts in rank order (block order). */
typedef struct gather {
    int *count, *offset; /* draws per rank, first draw per rank */
    size_t d, D;         /* this rank's draws, the run's */
} gather;

static void gather_cols(const gather *g, const void *part, void *whole, size_t n,
                        MPI_Datatype type, size_t size)
{
    static const double none;
    for (size_t c = 0; c < n; c++) {
        const void *src = part ? (const char *)part + c * g->d * size : (const void *)&none;
        void *dst = whole ? (char *)whole + c * g->D * size : NULL;
        MPI_Gatherv(src, (int)g->d, type, dst, g->count, g->offset, type, 0, MPI_COMM_WORLD);
    }
}

/* The run's integer counts (the payback and IRR ones with 'fin'): this
 * rank's, summed onto rank 0's 'whole'. */
static void sum_counts(const mkba_sim *part, mkba_sim *whole, size_t cols, int fin)
{
    size_t np = fin ? cols * MKBA_FIN_PAYBACK_N : 0, ni = fin ? cols * MKBA_FIN_IRR_N : 0;
    uint64_t *v = mkba_xcalloc(1 + np + ni, sizeof *v), *sum = mkba_xcalloc(1 + np + ni, sizeof *sum);
    v[0] = part ? part->n_nonfinite : 0;
    for (size_t i = 0; part && i < np; i++)
        v[1 + i] = part->payback_count[i];
    for (size_t i = 0; part && i < ni; i++)
        v[1 + np + i] = part->irr_count[i];
    MPI_Reduce(v, sum, (int)(1 + np + ni), MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    if (whole) {
        whole->n_nonfinite = (size_t)sum[0];
        for (size_t i = 0; i < np; i++)
            whole->payback_count[i] = (size_t)sum[1 + i];
        for (size_t i = 0; i < ni; i++)
            whole->irr_count[i] = (size_t)sum[1 + np + i];
    }
    free(v);
    free(sum);
}

mkba_sim *mkba_mpi_sim_run(const mkba_plan *plan, const mkba_sim_opts *opts, mkba_error *err)
{
    if (size_ == 1 || opts->draws == 0 || opts->draws > INT_MAX ||
        (opts->bootstrap && opts->n_boot == 0))
        return mkba_sim_run(plan, opts, err); /* one process, or the options' error */
    double t0 = mkba_stream_seconds();
    size_t BL = MKBA_SIM_BLOCK, D = opts->draws, b0, b1;
    mkba_mpi_share((D + BL - 1) / BL, &b0, &b1);
    int items = mkba_sim_items_mode(plan, opts);
    mkba_sim_opts po = *opts;
    po.first_block += b0;
    po.draws = (b1 * BL < D ? b1 * BL : D) - (b0 * BL < D ? b0 * BL : D);
    po.keep_items = items == MKBA_SIM_ITEMS_KEEP ? MKBA_SIM_ITEMS_KEEP : MKBA_SIM_ITEMS_NONE;
    if (rank_ != 0)
        po.progress = NULL;
    mkba_sim *part = po.draws ? mkba_sim_run(plan, &po, err) : NULL; /* valid options */
    mkba_sim *whole = rank_ == 0 ? mkba_sim_alloc(plan, opts) : NULL;
    gather g = {.d = po.draws, .D = D};
    g.count = mkba_xcalloc((size_t)size_, sizeof *g.count);
    g.offset = mkba_xcalloc((size_t)size_, sizeof *g.offset);
    for (int r = 0; r < size_; r++) {
        size_t lo, hi;
        share_of((D + BL - 1) / BL, r, &lo, &hi);
        lo = lo * BL < D ? lo * BL : D;
        hi = hi * BL < D ? hi * BL : D;
        g.count[r] = (int)(hi - lo);
        g.offset[r] = (int)lo;
    }
    size_t cols = (plan->n_scenarios - 1) * (plan->n_stakeholders + 1);
#define COLS(field) part ? (void *)part->field : NULL, whole ? (void *)whole->field : NULL
    gather_cols(&g, COLS(pv_benefits), cols, MPI_DOUBLE, sizeof(double));
    gather_cols(&g, COLS(pv_costs), cols, MPI_DOUBLE, sizeof(double));
    if (items == MKBA_SIM_ITEMS_KEEP)
        gather_cols(&g, COLS(item_pv), (plan->n_scenarios - 1) * plan->n_items, MPI_DOUBLE,
                    sizeof(double));
    if (opts->keep_finance)
        gather_cols(&g, COLS(irr), cols, MPI_FLOAT, sizeof(float));
    if (opts->keep_uncertain == MKBA_SIM_INPUTS_KEEP) { /* REGEN: rank 0 draws them again */
        gather_cols(&g, COLS(uncertain), plan->n_uncertain, MPI_DOUBLE, sizeof(double));
        gather_cols(&g, COLS(effects), plan->n_outcomes, MPI_DOUBLE, sizeof(double));
    }
#undef COLS
    sum_counts(part, whole, cols, opts->keep_finance);
    if (whole) {
        whole->threads = part ? part->threads : 1;
        whole->seconds = mkba_stream_seconds() - t0;
    }
    mkba_sim_free(part);
    free(g.count);
    free(g.offset);
    return whole;
}

/* ------------------------------------------- a streamed run, shared out */

/* The summary's trade of columns (summary.h, mkba_mc_ranks): every
 * receive and send posted at once and waited for, so no order of the
 * processes can deadlock; between two processes the messages match in
 * the order they are posted (MPI's messages do not overtake). */
static void exchange(void *ctx, mkba_mc_msg *send, size_t n_send, mkba_mc_msg *recv,
                     size_t n_recv)
{
    MPI_Comm comm = *(MPI_Comm *)ctx;
    MPI_Request *req = mkba_xcalloc(n_recv + n_send + 1, sizeof *req);
    MPI_Status *st = mkba_xcalloc(n_recv + 1, sizeof *st);
    for (size_t i = 0; i < n_recv; i++)
        MPI_Irecv(recv[i].p, (int)recv[i].bytes, MPI_BYTE, recv[i].peer, 0, comm, &req[i]);
    for (size_t i = 0; i < n_send; i++)
        MPI_Isend(send[i].p, (int)send[i].bytes, MPI_BYTE, send[i].peer, 0, comm,
                  &req[n_recv + i]);
    MPI_Waitall((int)n_recv, req, st);
    MPI_Waitall((int)n_send, req + n_recv, MPI_STATUSES_IGNORE);
    for (size_t i = 0; i < n_recv; i++) {
        int got;
        MPI_Get_count(&st[i], MPI_BYTE, &got);
        recv[i].bytes = (size_t)got;
    }
    free(req);
    free(st);
}

/* The summary's reductions, in parts whose counts fit an int. */
static void reduce(void *ctx, void *x, size_t n, int op)
{
    MPI_Comm comm = *(MPI_Comm *)ctx;
    size_t size = op == MKBA_MC_OR ? 1 : sizeof(uint64_t), part = ((size_t)1 << 30) / size;
    for (size_t at = 0; at < n; at += part)
        MPI_Allreduce(MPI_IN_PLACE, (char *)x + at * size, (int)(n - at < part ? n - at : part),
                      op == MKBA_MC_OR ? MPI_BYTE : MPI_UINT64_T,
                      op == MKBA_MC_OR ? MPI_BOR : MPI_SUM, comm);
}

struct mkba_mc *mkba_mpi_mc_stream(const mkba_plan *plan, const mkba_sim_opts *opts,
                                   const double *boot, size_t n_boot, size_t n_failed,
                                   mkba_error *err)
{
    if (size_ == 1 || opts->draws == 0 || (opts->bootstrap && opts->n_boot == 0))
        return mkba_mc_stream(plan, opts, boot, n_boot, n_failed, err); /* or its error */
    /* The statistics each process runs follow from the options: rank 0's
     * on every process, as for the choices they made alike (cli.c). */
    mkba_sim_opts o = *opts;
    int mine[4] = {o.shape, o.keep_items, o.keep_uncertain, o.keep_finance};
    MPI_Bcast(mine, 4, MPI_INT, 0, MPI_COMM_WORLD);
    o.shape = mine[0], o.keep_items = mine[1], o.keep_uncertain = mine[2], o.keep_finance = mine[3];
    if (rank_ != 0)
        o.progress = NULL;
    MPI_Comm comm; /* its own: no message of the summary meets another */
    MPI_Comm_dup(MPI_COMM_WORLD, &comm);
    mkba_mc_ranks ranks = {.rank = rank_, .size = size_, .exchange = exchange, .reduce = reduce,
                           .ctx = &comm};
    struct mkba_mc *mc = mkba_mc_stream_ranks(plan, &o, boot, n_boot, n_failed, &ranks, err);
    MPI_Comm_free(&comm);
    if (rank_ != 0) { /* the whole summary is rank 0's */
        mkba_mc_free(mc);
        return NULL;
    }
    if (mc)
        mc->ranks = size_;
    return mc;
}

#else /* one process */

void mkba_mpi_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}

int mkba_mpi_finish(int rc)
{
    return rc;
}

int mkba_mpi_rank(void)
{
    return 0;
}

int mkba_mpi_size(void)
{
    return 1;
}

int mkba_mpi_threads(void)
{
    return 0;
}

int mkba_mpi_prints(void)
{
    return 1;
}

mkba_status mkba_mpi_agree(mkba_status st, mkba_error *err)
{
    (void)err;
    return st;
}

mkba_status mkba_mpi_same_inputs(const char *digest, mkba_error *err)
{
    (void)digest;
    (void)err;
    return MKBA_OK;
}

int mkba_mpi_bcast_int(int v)
{
    return v;
}

void mkba_mpi_share(size_t n, size_t *lo, size_t *hi)
{
    *lo = 0;
    *hi = n;
}

mkba_status mkba_mpi_bootstrap(const mkba_cohort *c, const mkba_est_spec *specs, size_t n_specs,
                               size_t B, uint64_t seed, int threads, double *out,
                               size_t *n_failed, mkba_error *err)
{
    return mkba_bootstrap(c, specs, n_specs, B, seed, threads, out, n_failed, err);
}

mkba_sim *mkba_mpi_sim_run(const mkba_plan *plan, const mkba_sim_opts *opts, mkba_error *err)
{
    return mkba_sim_run(plan, opts, err);
}

struct mkba_mc *mkba_mpi_mc_stream(const mkba_plan *plan, const mkba_sim_opts *opts,
                                   const double *boot, size_t n_boot, size_t n_failed,
                                   mkba_error *err)
{
    return mkba_mc_stream(plan, opts, boot, n_boot, n_failed, err);
}

#endif

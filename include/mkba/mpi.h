/* mpi.h - one run over several processes (MPI ranks): `mpirun -np K mkba run`.
 *
 * Built with `make MPI=1` (mpicc, -DMKBA_MPI); in the normal build these
 * functions are those of a single process (rank 0 of 1) and cost nothing,
 * so the rest of the program has no #ifdef.
 *
 * Every process reads the model and the cohort itself (the inputs are read
 * only) and does the same checks. The bootstrap replicates and the blocks
 * of Monte Carlo draws are split into K contiguous ranges, rank r taking
 * range r; each replicate and each block draws from its own random stream
 * (bootstrap.h, sim.h), so a part computes exactly what one process
 * computes there. The replicates are gathered to every process in
 * replicate order (the draws use them); the drawn columns are gathered to
 * rank 0 in block order, which then summarises and writes every output as
 * one process does: the results are bit-identical for any K. Integer counts
 * are summed. A streamed run (summary.h, mkba_mc_stream) is shared out
 * instead (mkba_mpi_mc_stream): every rank makes some of the chunks of
 * draws and runs the statistics of some of the columns. Only rank 0 prints
 * results and writes files; the others stop after the Monte Carlo and exit
 * quietly.
 *
 * Failures: the processes agree on every failure before the first
 * collective step (mkba_mpi_agree) and on the exit status at the end
 * (mkba_mpi_finish), so a failure on any process makes every process exit
 * with an error, never a hang. A process that runs out of memory exits,
 * and mpirun then ends the others. */
#ifndef MKBA_MPI_H
#define MKBA_MPI_H

#include <stddef.h>
#include <stdint.h>

#include "mkba/cohort.h"
#include "mkba/error.h"
#include "mkba/estimate.h"
#include "mkba/sim.h"

/* Start MPI (in an MPI build); call first in main. */
void mkba_mpi_init(int *argc, char ***argv);

/* The exit status every process returns: the highest of the processes'
 * 'rc'. Waits for the others without spinning on a core, then ends MPI. */
int mkba_mpi_finish(int rc);

int mkba_mpi_rank(void); /* 0 .. mkba_mpi_size() - 1; 0 in a normal build */
int mkba_mpi_size(void); /* 1 in a normal build */

/* Threads per process when none are asked for: 0 (all cores) for one
 * process per machine, else the machine's cores shared out over the
 * processes that mpirun placed on it (at least 1). */
int mkba_mpi_threads(void);

/* Whether this process prints (results, warnings, errors): rank 0, and
 * another rank only for a failure of its own that rank 0 did not have
 * (mkba_mpi_agree). */
int mkba_mpi_prints(void);

/* Every process passes its status and learns whether any failed: returns
 * the highest status. A process that did not fail itself gets, in *err, "MPI
 * rank N failed (its message is above); every rank stops". Call on every
 * process at the same point. */
mkba_status mkba_mpi_agree(mkba_status st, mkba_error *err);

/* Whether every process read the same inputs: 'digest' is a text that
 * identifies them (their SHA-256s); a process whose text differs from rank
 * 0's fails with "MPI rank N read other input files than rank 0 ...". */
mkba_status mkba_mpi_same_inputs(const char *digest, mkba_error *err);

/* Rank 0's v, on every process (call on every process at the same point):
 * a choice every process must make alike. */
int mkba_mpi_bcast_int(int v);

/* This process's share [*lo, *hi) of n things split into contiguous
 * ranges in rank order. */
void mkba_mpi_share(size_t n, size_t *lo, size_t *hi);

/* mkba_bootstrap over the processes: each computes its share of the B
 * replicates (mkba_bootstrap_part), and every process gets them all in
 * 'out' and *n_failed summed, as one process computes them. */
mkba_status mkba_mpi_bootstrap(const mkba_cohort *c, const mkba_est_spec *specs, size_t n_specs,
                               size_t B, uint64_t seed, int threads, double *out,
                               size_t *n_failed, mkba_error *err);

/* mkba_sim_run over the processes: each runs its share of the blocks of
 * draws (mkba_sim_opts.first_block), and rank 0 gets the whole run, as one
 * process computes it (its seconds: rank 0's wall time of draws and
 * gathering; its threads: rank 0's). The other ranks get NULL with *err
 * clear (their part sent), or NULL and *err on invalid options (the same
 * on every process). No progress callback on the other ranks. */
mkba_sim *mkba_mpi_sim_run(const mkba_plan *plan, const mkba_sim_opts *opts, mkba_error *err);

/* mkba_mc_stream (summary.h: no draw kept, each pass makes them again)
 * over the processes (mkba_mc_stream_ranks): each rank runs the statistics
 * of a fixed share of the columns (stakeholders', IRRs, items, inputs:
 * contiguous ranges of about equal cost) on its threads, and in each round
 * of K chunks of draws rank r makes chunk r of the round and sends every
 * rank the columns of its share (nonblocking sends and receives, all
 * waited for together), with society's NPV per project to the ranks of the
 * value of information (its sums are rank 0's). Each rank feeds its
 * statistics the round's chunks in draw order, so they are those of one
 * process, bit for bit. Whether another pass is needed, and for which
 * columns, every rank learns from a reduction of what each rank's
 * statistics ask for; at the end the finished statistics are gathered to
 * rank 0 and the counts summed. Memory per rank: its chunk, its columns of
 * a round's chunks (and, with inputs and a project to choose, society's NPV
 * per project of each), its statistics. Rank 0 gets the summary (its 'ranks'
 * set); the others NULL with *err clear, or NULL and *err on invalid
 * options (the same on every process). */
struct mkba_mc;
struct mkba_mc *mkba_mpi_mc_stream(const mkba_plan *plan, const mkba_sim_opts *opts,
                                   const double *boot, size_t n_boot, size_t n_failed,
                                   mkba_error *err);

#endif

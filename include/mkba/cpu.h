/* cpu.h - which of the vector copies of mkba's loops run: the one choice,
 * made here for every module (the evaluation of draws in sim.c, finance.c
 * and expr.c, exp.c, the streams, the value of information, the bootstrap).
 *
 * The loops are compiled more than once: as they are (portable C and GCC's
 * vector extensions, SSE2 on x86-64), for AVX2 (four doubles to an
 * operation) and, in the streams' sweep, for AVX-512; the processor runs
 * the widest it has. Every copy does the same IEEE operations in the same
 * order (no fused multiply-add: -std=c11 keeps contractions off), so the
 * results are the same bits on any processor; the tests check that by
 * lowering the limit (mkba_cpu_limit). */
#ifndef MKBA_CPU_H
#define MKBA_CPU_H

#if defined(__GNUC__) && defined(__x86_64__)
#define MKBA_CPU_AVX2 1  /* the AVX2 copies are compiled */
#define MKBA_AVX2 __attribute__((target("avx2")))
#else
#define MKBA_CPU_AVX2 0
#endif

/* The vector levels, each with the ones below it. */
enum { MKBA_VEC_PORTABLE = 0, MKBA_VEC_AVX2 = 1, MKBA_VEC_AVX512 = 2 };

/* The widest level to run: the processor's (AVX-512 meaning its AVX512F),
 * at most the limit. */
int mkba_cpu_level(void);

/* 1 when the AVX2 copies are to run. */
static inline int mkba_cpu_avx2(void)
{
    return MKBA_CPU_AVX2 && mkba_cpu_level() >= MKBA_VEC_AVX2;
}

/* For tests: run no code wider than 'widest' (MKBA_VEC_AVX512, the
 * default, lets the processor choose); returns the previous limit. Not
 * for use while a computation runs: a module may take the level once per
 * call. */
int mkba_cpu_limit(int widest);

#endif

/* cpu.h - whether the evaluation of draws (sim.c, finance.c, expr.c) runs
 * the processor's AVX2 code or the portable code.
 *
 * Their loops are compiled twice, once as they are (portable C and GCC's
 * vector extensions, SSE2 on x86-64) and once for AVX2 (four doubles to
 * an operation); the x86-64 processors that have AVX2 run the second.
 * Both do the same IEEE operations in the same order (no fused
 * multiply-add: -std=c11 keeps contractions off), so the results are the
 * same bits on any processor. */
#ifndef MKBA_CPU_H
#define MKBA_CPU_H

#if defined(__GNUC__) && defined(__x86_64__)
#define MKBA_CPU_AVX2 1  /* the AVX2 copies are compiled */
#define MKBA_AVX2 __attribute__((target("avx2")))
#else
#define MKBA_CPU_AVX2 0
#endif

/* 1 when the AVX2 copies are to run: compiled, the processor has AVX2,
 * and mkba_cpu_vector(0) did not turn them off. */
int mkba_cpu_avx2(void);

/* mkba_cpu_vector(0): the portable code only, also where the processor
 * has AVX2 (for the tests: the same bits); mkba_cpu_vector(1), the
 * default: AVX2 where there is. */
void mkba_cpu_vector(int on);

#endif

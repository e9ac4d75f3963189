/* exp.h - e^x of mkba's own, for the samplers: the same bits on every
 * machine, and a loop over an array that runs four values at a time.
 *
 * The C library's exp need not be the same function everywhere: glibc
 * picks one by the processor, and its version for processors with FMA
 * differs from the one for those without in the last bit for about 1
 * argument in 1,500, so a lognormal draw was not the same number on every
 * machine. This is the algorithm of glibc's and musl's exp (Szabolcs
 * Nagy's for ARM's optimized-routines: 2^(k/128) from a table, a degree-5
 * polynomial on |r| <= ln 2 / 256), evaluated as written with no fused
 * multiply-add, so its numbers are those of glibc's exp on a processor
 * without FMA: within 0.511 ulp of e^x (the authors' bound), subnormal
 * results rounded once, exp(-inf) = 0, exp(+inf) = +inf, NaN gives NaN,
 * overflow +inf and underflow 0 (errno is not set). */
#ifndef MKBA_EXP_H
#define MKBA_EXP_H

#include <stddef.h>

double mkba_exp(double x);

/* y[i] = mkba_exp(x[i]) for i < n; y may be x. */
void mkba_exp_n(const double *x, double *y, size_t n);

#endif

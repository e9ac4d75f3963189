/* cpu.c - the choice between the AVX2 and the portable code (cpu.h). */
#include "mkba/cpu.h"

#include <stdatomic.h>

static atomic_int vector_off; /* mkba_cpu_vector(0) */

int mkba_cpu_avx2(void)
{
#if MKBA_CPU_AVX2
    return !atomic_load_explicit(&vector_off, memory_order_relaxed) &&
           __builtin_cpu_supports("avx2");
#else
    return 0;
#endif
}

void mkba_cpu_vector(int on)
{
    atomic_store(&vector_off, !on);
}

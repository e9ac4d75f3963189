/* cpu.c - the choice of the vector copies (cpu.h). */
#include "mkba/cpu.h"

#include <stdatomic.h>

static atomic_int limit = MKBA_VEC_AVX512; /* mkba_cpu_limit */

/* What the processor has (asked once: __builtin_cpu_supports reads a
 * table that the C runtime fills at start). */
static int processor_level(void)
{
#if defined(__GNUC__) && defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f"))
        return MKBA_VEC_AVX512;
    if (__builtin_cpu_supports("avx2"))
        return MKBA_VEC_AVX2;
#endif
    return MKBA_VEC_PORTABLE;
}

int mkba_cpu_level(void)
{
    int most = atomic_load_explicit(&limit, memory_order_relaxed), have = processor_level();
    return have < most ? have : most;
}

int mkba_cpu_limit(int widest)
{
    return atomic_exchange(&limit, widest);
}

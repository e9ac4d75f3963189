/* check_mem.c - unit tests of mem.h's large arrays (mkba_xmalloc_large):
 * small ones are plain allocations, large ones (8 MiB and more) start on a
 * 2 MiB boundary (2^21: what lets the kernel back them with huge pages),
 * and every byte asked for is there to write and read back (the
 * sanitizer and valgrind runs check the bounds). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/mem.h"
#include "testutil.h"

/* Fill n bytes with a pattern of their index and check it. */
static void write_all(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 31 + 7);
    for (size_t i = 0; i < n; i += 4093)
        ck_assert_uint_eq(p[i], (unsigned char)(i * 31 + 7));
    ck_assert_uint_eq(p[n - 1], (unsigned char)((n - 1) * 31 + 7));
}

START_TEST(small_and_large_arrays)
{
    const size_t huge = (size_t)2 << 20;
    /* below 4 x 2 MiB: any alignment malloc gives; 0 elements still a pointer */
    unsigned char *small = mkba_xmalloc_large(1000, 3);
    write_all(small, 3000);
    free(small);
    void *none = mkba_xmalloc_large(0, 8);
    ck_assert_ptr_nonnull(none);
    free(none);
    /* 8 MiB and 9 MiB + 5 bytes (not a multiple of 2 MiB) as doubles and bytes */
    double *large = mkba_xmalloc_large(4 * huge / sizeof(double), sizeof(double));
    ck_assert_uint_eq((uintptr_t)large % huge, 0);
    write_all((unsigned char *)large, 4 * huge);
    free(large);
    unsigned char *odd = mkba_xmalloc_large(9 * (huge / 2) + 5, 1);
    ck_assert_uint_eq((uintptr_t)odd % huge, 0);
    write_all(odd, 9 * (huge / 2) + 5);
    free(odd);
}
END_TEST

static Suite *mem_suite(void)
{
    Suite *s = suite_create("mem");
    TCase *tc = tcase_create("large");
    tcase_add_test(tc, small_and_large_arrays);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(mem_suite());
}

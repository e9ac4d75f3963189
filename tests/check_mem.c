/* check_mem.c - unit tests of mem.h's large arrays (mkba_xmalloc_large):
 * small ones have cache lines of their own, large ones (8 MiB and more)
 * start on a 2 MiB boundary (2^21: what lets the kernel back them with
 * huge pages), and every byte asked for is there to write and read back
 * (the sanitizer and valgrind runs check the bounds); and of the room a
 * thread writes (mkba_xcalloc_own): zeroed, and no line shared with any
 * other allocation. */
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
    /* below 4 x 2 MiB: on a MKBA_LINE_PAD boundary; 0 elements still a pointer */
    unsigned char *small = mkba_xmalloc_large(1000, 3);
    ck_assert_uint_eq((uintptr_t)small % MKBA_LINE_PAD, 0);
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

/* The MKBA_LINE_PAD-byte lines that bytes [p, p + n) touch. */
static uintptr_t first_line(const void *p)
{
    return (uintptr_t)p / MKBA_LINE_PAD;
}

static uintptr_t last_line(const void *p, size_t n)
{
    return ((uintptr_t)p + n - 1) / MKBA_LINE_PAD;
}

/* Two threads' small buffers, allocated one after another as a run makes
 * them, interleaved with plain allocations that another thread would
 * own: each buffer zeroed, starting a line, and sharing none of its
 * lines with the neighbours (false sharing). 1 element of 1 byte and 3
 * doubles fit in a line; 17 doubles (136 bytes) cross one. */
START_TEST(own_lines)
{
    static const size_t len[4] = {1, 3, 17, 0};
    for (int k = 0; k < 4; k++) {
        size_t size = k ? sizeof(double) : 1, n = len[k];
        void *plain[3];
        unsigned char *own[2];
        for (int i = 0; i < 2; i++) {
            plain[i] = mkba_xmalloc(24);
            own[i] = mkba_xcalloc_own(n, size);
        }
        plain[2] = mkba_xmalloc(24);
        for (int i = 0; i < 2; i++) {
            size_t bytes = n * size > 0 ? n * size : 1;
            ck_assert_uint_eq((uintptr_t)own[i] % MKBA_LINE_PAD, 0);
            for (size_t b = 0; b < n * size; b++)
                ck_assert_uint_eq(own[i][b], 0);
            const void *other[4] = {plain[0], plain[1], plain[2], own[1 - i]};
            size_t other_n[4] = {24, 24, 24, bytes};
            for (int o = 0; o < 4; o++)
                ck_assert_msg(last_line(other[o], other_n[o]) < first_line(own[i]) ||
                                  first_line(other[o]) > last_line(own[i], bytes),
                              "buffer %d of %zu x %zu bytes shares a line with allocation %d",
                              i, n, size, o);
            memset(own[i], 0xab, bytes);
        }
        for (int i = 0; i < 3; i++)
            free(plain[i]);
        free(own[0]);
        free(own[1]);
    }
    /* from 64 KiB on, calloc's room: zeroed all the same */
    unsigned char *big = mkba_xcalloc_own(100000, 1);
    for (size_t b = 0; b < 100000; b++)
        ck_assert_uint_eq(big[b], 0);
    free(big);
}
END_TEST

static Suite *mem_suite(void)
{
    Suite *s = suite_create("mem");
    TCase *tc = tcase_create("large");
    tcase_add_test(tc, small_and_large_arrays);
    tcase_add_test(tc, own_lines);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(mem_suite());
}

/* check_utf8.c - unit tests of utf8.h, the one rule for valid UTF-8 that
 * the readers (model, scenario, cohort), the terminal escaping, the report
 * and the charts share. Each expected length is the encoding by hand
 * (RFC 3629, section 3): U+0000..U+007F take 1 byte, ..U+07FF 2,
 * ..U+FFFF 3, ..U+10FFFF 4. */
#include <check.h>
#include <string.h>

#include "mkba/utf8.h"
#include "testutil.h"

/* mkba_utf8_len over the whole literal (its NUL not counted). */
#define LEN(lit) mkba_utf8_len(lit, sizeof lit - 1)

START_TEST(valid_lengths_at_the_edges)
{
    /* 1 byte: U+0000, U+007F (the last) */
    ck_assert_uint_eq(mkba_utf8_len("\0", 1), 1);
    ck_assert_uint_eq(LEN("\x7F"), 1);
    /* 2 bytes: U+0080 (the first, C2 80), U+07FF (the last, DF BF) */
    ck_assert_uint_eq(LEN("\xC2\x80"), 2);
    ck_assert_uint_eq(LEN("\xDF\xBF"), 2);
    /* 3 bytes: U+0800 (E0 A0 80), U+D7FF and U+E000 around the surrogates
     * (ED 9F BF, EE 80 80), U+FFFF (EF BF BF, valid UTF-8; only the charts
     * refuse it) */
    ck_assert_uint_eq(LEN("\xE0\xA0\x80"), 3);
    ck_assert_uint_eq(LEN("\xED\x9F\xBF"), 3);
    ck_assert_uint_eq(LEN("\xEE\x80\x80"), 3);
    ck_assert_uint_eq(LEN("\xEF\xBF\xBF"), 3);
    /* 4 bytes: U+10000 (F0 90 80 80), U+10FFFF (the last, F4 8F BF BF) */
    ck_assert_uint_eq(LEN("\xF0\x90\x80\x80"), 4);
    ck_assert_uint_eq(LEN("\xF4\x8F\xBF\xBF"), 4);
    /* only the first character counts: e-acute then 'x' */
    ck_assert_uint_eq(LEN("\xC3\xA9x"), 2);
}
END_TEST

START_TEST(invalid_forms_are_0)
{
    const char *bad[] = {
        "\x80",             /* a stray continuation byte */
        "\xBF",             /* the last continuation byte */
        "\xC0\x80",         /* overlong U+0000 */
        "\xC1\xBF",         /* overlong U+007F (one below U+0080) */
        "\xE0\x9F\xBF",     /* overlong U+07FF (one below U+0800) */
        "\xF0\x8F\xBF\xBF", /* overlong U+FFFF (one below U+10000) */
        "\xED\xA0\x80",     /* surrogate U+D800 */
        "\xED\xBF\xBF",     /* surrogate U+DFFF */
        "\xF4\x90\x80\x80", /* U+110000, one above U+10FFFF */
        "\xF5\x80\x80\x80", /* F5 never starts a sequence */
        "\xFF",
        "\xC3" "A",         /* a lead byte, then ASCII */
        "\xE2\x28\xAC",     /* the second byte not a continuation */
        "\xE2\x82\x28",     /* the third byte not a continuation */
        "\xF0\x9F\x98\x28", /* the fourth byte not a continuation */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(mkba_utf8_len(bad[i], strlen(bad[i])) == 0, "case %zu", i);
}
END_TEST

START_TEST(cut_short_is_0)
{
    /* The euro sign E2 82 AC and U+1F600 F0 9F 98 80 with bytes missing:
     * n ends the text even when more bytes follow in memory. */
    const char euro[] = "\xE2\x82\xAC", smile[] = "\xF0\x9F\x98\x80";
    ck_assert_uint_eq(mkba_utf8_len(euro, 3), 3);
    ck_assert_uint_eq(mkba_utf8_len(euro, 2), 0);
    ck_assert_uint_eq(mkba_utf8_len(euro, 1), 0);
    ck_assert_uint_eq(mkba_utf8_len(smile, 4), 4);
    ck_assert_uint_eq(mkba_utf8_len(smile, 3), 0);
    ck_assert_uint_eq(mkba_utf8_len(smile, 0), 0);
    /* in a C string the NUL cuts it (strnlen(s, 4), as the callers pass) */
    const char *cut = "\xE2\x82";
    ck_assert_uint_eq(mkba_utf8_len(cut, strnlen(cut, 4)), 0);
}
END_TEST

START_TEST(check_gives_the_valid_prefix)
{
    /* all valid: 1 + 2 + 3 + 4 bytes */
    const char ok[] = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
    ck_assert_uint_eq(mkba_utf8_check(ok, sizeof ok - 1), 10);
    ck_assert_uint_eq(mkba_utf8_check("", 0), 0);
    /* the offset of the first bad byte: after "a" and e-acute, 3 */
    const char latin1[] = "a\xC3\xA9\xE9t\xE9";
    ck_assert_uint_eq(mkba_utf8_check(latin1, sizeof latin1 - 1), 3);
    /* the euro sign cut by the end (E2 82): at its lead byte, 3 */
    ck_assert_uint_eq(mkba_utf8_check(ok, 3 + 2), 3);
    /* NUL is a character like any ASCII byte */
    ck_assert_uint_eq(mkba_utf8_check("a\0b", 3), 3);
}
END_TEST

static Suite *utf8_suite(void)
{
    Suite *s = suite_create("utf8");
    TCase *tc = tcase_create("rule");
    tcase_add_test(tc, valid_lengths_at_the_edges);
    tcase_add_test(tc, invalid_forms_are_0);
    tcase_add_test(tc, cut_short_is_0);
    tcase_add_test(tc, check_gives_the_valid_prefix);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(utf8_suite());
}

/* check_escape.c - unit tests of escape.h: control characters escaped for
 * a terminal (also through the error formatter, error.h), and the test for
 * text cells a spreadsheet would run as a formula. Expected strings are
 * the rules of escape.h applied by hand. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/error.h"
#include "mkba/escape.h"
#include "testutil.h"

static void assert_escaped(const char *in, const char *want)
{
    char buf[256];
    size_t n = mkba_escape_term(buf, sizeof buf, in);
    ck_assert_str_eq(buf, want);
    ck_assert_uint_eq(n, strlen(want));
    char *dup = mkba_escape_term_dup(in);
    ck_assert_str_eq(dup, want);
    free(dup);
    ck_assert_int_eq(mkba_escape_term_needed(in), strcmp(in, want) != 0);
}

START_TEST(controls_escaped)
{
    /* ESC, BEL, CR: the characters that clear, ring and overwrite */
    assert_escaped("a\x1b[2Jb", "a\\x1b[2Jb");
    assert_escaped("\x1b]0;title\x07", "\\x1b]0;title\\x07");
    assert_escaped("over\rwrite", "over\\rwrite");
    /* TAB and LF by name, the other C0 controls and DEL as \xHH */
    assert_escaped("a\tb\nc", "a\\tb\\nc");
    assert_escaped("\x01\x1f\x7f", "\\x01\\x1f\\x7f");
    /* C1 controls U+0080 and U+009B (CSI) as two bytes of UTF-8 */
    assert_escaped("x\xc2\x80y\xc2\x9bz", "x\\x80y\\x9bz");
}
END_TEST

START_TEST(bidi_controls_escaped)
{
    /* U+202E (E2 80 AE) and U+2066 (E2 81 A6), U+200F (E2 80 8F), U+061C
     * (D8 9C): they reorder a line on the terminal; written as \uHHHH */
    assert_escaped("a\xe2\x80\xae" "b", "a\\u202eb");
    assert_escaped("\xe2\x81\xa6x\xe2\x81\xa9", "\\u2066x\\u2069");
    assert_escaped("\xe2\x80\x8f\xd8\x9c", "\\u200f\\u061c");
    /* their neighbours are ordinary text: U+2029 (E2 80 A9), U+202F (E2
     * 80 AF, a narrow no-break space), U+2065 (E2 81 A5) and an Arabic
     * letter U+0628 (D8 A8) */
    assert_escaped("\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xd8\xa8",
                   "\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xd8\xa8");
}
END_TEST

START_TEST(text_kept)
{
    /* ASCII, backslashes, and characters beyond the C1 block are kept:
     * U+00A0 (C2 A0), e-acute (C3 A9), the euro sign (E2 82 AC), an emoji
     * (F0 9F 98 80). */
    assert_escaped("", "");
    assert_escaped("Costs (EUR) C:\\x", "Costs (EUR) C:\\x");
    assert_escaped("\xc2\xa0\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
                   "\xc2\xa0\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    char buf[8];
    ck_assert_uint_eq(mkba_escape_term(buf, sizeof buf, NULL), 0);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(mkba_escape_term_needed(NULL), 0);
}
END_TEST

START_TEST(bad_utf8_bytes_escaped)
{
    /* A byte that starts no valid character: a stray 0x9B (CSI on an 8-bit
     * terminal), Latin-1 e-acute (E9), an overlong '/' (C0 AF), a surrogate
     * (ED A0 80), a sequence cut short (E2 82 at the end). */
    assert_escaped("a\x9b", "a\\x9b");
    assert_escaped("caf\xe9", "caf\\xe9");
    assert_escaped("\xc0\xaf", "\\xc0\\xaf");
    assert_escaped("\xed\xa0\x80", "\\xed\\xa0\\x80");
    assert_escaped("\xe2\x82", "\\xe2\\x82");
}
END_TEST

START_TEST(escaping_is_idempotent)
{
    /* Escaped text holds no control: escaping it again changes nothing
     * (the terminal writer may meet a text twice). */
    const char *in = "\x1b[31m\xc2\x9b\r\x9b";
    char *once = mkba_escape_term_dup(in), *twice = mkba_escape_term_dup(once);
    ck_assert_str_eq(once, "\\x1b[31m\\x9b\\r\\x9b");
    ck_assert_str_eq(twice, once);
    ck_assert_int_eq(mkba_escape_term_needed(once), 0);
    free(once), free(twice);
}
END_TEST

START_TEST(truncation_at_whole_pieces)
{
    /* "ab\x1b" escapes to "ab\x1b" (6 bytes): a buffer of 5 holds "ab" and
     * the NUL, never half of the escape; the return is the full length. */
    char buf[5];
    ck_assert_uint_eq(mkba_escape_term(buf, sizeof buf, "ab\x1b"), 6);
    ck_assert_str_eq(buf, "ab");
    /* A UTF-8 character is not cut either: "a\xc3\xa9" in 3 bytes is "a". */
    char small[3];
    ck_assert_uint_eq(mkba_escape_term(small, sizeof small, "a\xc3\xa9"), 3);
    ck_assert_str_eq(small, "a");
    /* size 0: nothing written, the length still returned */
    ck_assert_uint_eq(mkba_escape_term(NULL, 0, "\r"), 2);
}
END_TEST

START_TEST(error_format_escapes_every_part)
{
    mkba_error err;
    mkba_error_clear(&err);
    mkba_error_set(&err, MKBA_EINVAL, "dir/\x1b[2J.csv", 3, "column '\x07'",
                   "expected a number, got '1\r2'");
    char buf[512];
    ck_assert_str_eq(mkba_error_format(&err, buf, sizeof buf),
                     "dir/\\x1b[2J.csv:3: column '\\x07': expected a number, got '1\\r2'");
    /* the error itself keeps the text as it was */
    ck_assert_str_eq(err.msg, "expected a number, got '1\r2'");
    /* truncated to the buffer, at a whole escape: "dir/" then "\x1b" does
     * not fit in 8 bytes with the NUL */
    char tiny[8];
    ck_assert_str_eq(mkba_error_format(&err, tiny, sizeof tiny), "dir/");
}
END_TEST

START_TEST(formula_cells)
{
    /* OWASP's list: =, +, -, @, TAB, CR at the start */
    const char *yes[] = {"=HYPERLINK(\"http://x\",\"y\")", "+1", "-1+2", "@SUM(A1)", "\tx", "\r=1",
                         "=", "-"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        ck_assert_msg(mkba_escape_is_formula(yes[i]), "'%s' is a formula", yes[i]);
    /* text that starts otherwise, even with those characters later */
    const char *no[] = {"", "a=1", " =1", "Costs - staff", "'=1", "1+1", "society"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        ck_assert_msg(!mkba_escape_is_formula(no[i]), "'%s' is no formula", no[i]);
    ck_assert_int_eq(mkba_escape_is_formula(NULL), 0);
}
END_TEST

static Suite *escape_suite(void)
{
    Suite *s = suite_create("escape");
    TCase *tc = tcase_create("terminal");
    tcase_add_test(tc, controls_escaped);
    tcase_add_test(tc, bidi_controls_escaped);
    tcase_add_test(tc, text_kept);
    tcase_add_test(tc, bad_utf8_bytes_escaped);
    tcase_add_test(tc, escaping_is_idempotent);
    tcase_add_test(tc, truncation_at_whole_pieces);
    tcase_add_test(tc, error_format_escapes_every_part);
    suite_add_tcase(s, tc);
    tc = tcase_create("spreadsheet");
    tcase_add_test(tc, formula_cells);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(escape_suite());
}

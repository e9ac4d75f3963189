/* check_spell.c - unit tests of spell.h's edit distance. The expected
 * distances are worked by hand from the definition (restricted
 * Damerau-Levenshtein: insert, delete, substitute, swap neighbours). */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "mkba/spell.h"
#include "testutil.h"

static size_t dist(const char *a, const char *b, int ignore_case)
{
    return mkba_spell_distance(a, strlen(a), b, strlen(b), ignore_case);
}

START_TEST(distances)
{
    ck_assert_uint_eq(dist("", "", 0), 0);
    ck_assert_uint_eq(dist("", "abc", 0), 3);        /* three inserts */
    ck_assert_uint_eq(dist("kitten", "sitting", 0), 3); /* k->s, e->i, +g */
    ck_assert_uint_eq(dist("tiem", "time", 0), 1);   /* one swap (Levenshtein: 2) */
    ck_assert_uint_eq(dist("urne", "uren", 0), 1);
    ck_assert_uint_eq(dist("mnd werk", "mnd_werk", 0), 1);
    ck_assert_uint_eq(dist("ab", "ba", 0), 1);
    /* The restricted form edits no substring twice: "ca" -> "abc" is 3
     * (delete c, insert b, insert c), where unrestricted Damerau gives 2. */
    ck_assert_uint_eq(dist("ca", "abc", 0), 3);
    ck_assert_uint_eq(dist("abcdef", "badcfe", 0), 3); /* three swaps */
}
END_TEST

START_TEST(case_and_length)
{
    ck_assert_uint_eq(dist("Groep", "groep", 0), 1);
    ck_assert_uint_eq(dist("Groep", "groep", 1), 0);
    ck_assert_uint_eq(dist("MND Werk", "mnd_werk", 1), 1);
    ck_assert_uint_eq(dist("_", "_", 1), 0); /* only letters fold */
    ck_assert_uint_eq(dist("@", "`", 1), 1);
    /* Lengths, not NUL bytes, bound the words. */
    ck_assert_uint_eq(mkba_spell_distance("groepXYZ", 5, "groep", 5, 0), 0);
    char longw[MKBA_SPELL_MAX + 2];
    memset(longw, 'a', sizeof longw - 1);
    longw[sizeof longw - 1] = '\0';
    ck_assert_uint_eq(dist(longw, "a", 0), SIZE_MAX);
    longw[MKBA_SPELL_MAX] = '\0'; /* exactly MKBA_SPELL_MAX bytes: measured */
    ck_assert_uint_eq(dist(longw, longw, 0), 0);
    ck_assert_uint_eq(dist(longw, "", 0), MKBA_SPELL_MAX);
}
END_TEST

static Suite *spell_suite(void)
{
    Suite *s = suite_create("spell");
    TCase *tc = tcase_create("distance");
    tcase_add_test(tc, distances);
    tcase_add_test(tc, case_and_length);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(spell_suite());
}

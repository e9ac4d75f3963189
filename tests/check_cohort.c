/* check_cohort.c - tests of the cohort module: a one-file cohort with
 * hand-counted groups, missing values and category codes, the two-file
 * form, header matching, every error message, and mkba_cohort_from_arrays.
 *
 * The good cohorts are shipped in tests/data/cohort_*.csv (found through
 * MKBA_SRCDIR); the bad ones are written by each test into a temporary
 * directory so the offending bytes sit next to the expected message. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/cohort.h"
#include "mkba/error.h"
#include "testutil.h"

/* ============================== fixture ================================ */

static tu_dir *tmp; /* fresh per test; owns the paths of the files written */

static void setup(void)
{
    tmp = tu_dir_new();
}

static void teardown(void)
{
    tu_dir_free(tmp);
    tmp = NULL;
}

/* tests/data/NAME in the source tree. */
static const char *data_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/tests/data/%s", tu_srcdir(), name);
    return buf;
}

/* The spec of the small one-file cohort (tests/data/cohort_small.csv). */
static const mkba_cohort_var small_vars[] = {
    {"age", "leeftijd", MKBA_VAR_NUMBER, 0},
    {"months_to_work", "mnd_werk", MKBA_VAR_NONNEG, 0},
    {"outflow_work", "uitstroom_werk", MKBA_VAR_BINARY, 0},
    {"district", "wijk", MKBA_VAR_CATEGORY, 0},
    {"hours", "uren", MKBA_VAR_NONNEG, 0},
    {"care_cost", "zorgkosten", MKBA_VAR_NUMBER, 1}, /* optional, not in the file */
};

static mkba_cohort_spec one_file_spec(const char *file, size_t n_vars,
                                      const mkba_cohort_var *vars)
{
    mkba_cohort_spec s = {.file = file,
                          .group_column = "groep",
                          .pilot_value = "pilot",
                          .control_value = "regulier",
                          .id_column = "clientnummer",
                          .dialect = {0, -1},
                          .missing = MKBA_MISSING_EXCLUDE,
                          .n_vars = n_vars,
                          .vars = vars};
    return s;
}

/* Read with 'spec'; expect failure with this file, line, where and message. */
static void read_fails(const mkba_cohort_spec *spec, const char *file, long line,
                       const char *where, const char *msg)
{
    mkba_error err;
    mkba_error_clear(&err);
    mkba_cohort *c = mkba_cohort_read(spec, &err);
    ck_assert_ptr_null(c);
    ck_assert_int_ne(err.code, MKBA_OK);
    ck_assert_str_eq(err.file, file);
    ck_assert_int_eq(err.line, line);
    ck_assert_str_eq(err.where, where);
    ck_assert_str_eq(err.msg, msg);
}

static mkba_cohort *read_ok(const mkba_cohort_spec *spec)
{
    mkba_error err;
    mkba_error_clear(&err);
    mkba_cohort *c = mkba_cohort_read(spec, &err);
    char buf[2048];
    ck_assert_msg(c != NULL, "unexpected error: %s", mkba_error_format(&err, buf, sizeof buf));
    return c;
}

/* ============================ one file ================================= */

/* tests/data/cohort_small.csv, by hand:
 *   line 2 1001 pilot      line 6 1004 regulier   (line 5 is blank)
 *   line 3 1002 regulier   line 7 1005 " pilot "
 *   line 4 1003 Pilot      line 8 1006 REGULIER
 *                          line 9 1007 pilot
 * pilot: 1001 1003 1005 1007 = 4; control: 1002 1004 1006 = 3. */
START_TEST(test_one_file_counts)
{
    char p[512];
    mkba_cohort_spec spec = one_file_spec(data_path(p, sizeof p, "cohort_small.csv"), 6,
                                          small_vars);
    mkba_cohort *c = read_ok(&spec);
    ck_assert_uint_eq(mkba_cohort_size(c), 7);
    ck_assert_uint_eq(mkba_cohort_count(c, MKBA_PILOT), 4);
    ck_assert_uint_eq(mkba_cohort_count(c, MKBA_CONTROL), 3);
    const uint8_t want_group[7] = {1, 0, 1, 0, 1, 0, 1}; /* file order, see above */
    const uint8_t *g = mkba_cohort_group(c);
    for (size_t i = 0; i < 7; i++)
        ck_assert_uint_eq(g[i], want_group[i]);
    const mkba_csv_dialect *d = mkba_cohort_dialect(c);
    ck_assert_int_eq(d->delimiter, ';');  /* detected */
    ck_assert_int_eq(d->decimal_comma, 1); /* auto beside ';' */
    ck_assert_uint_eq(mkba_cohort_nvars(c), 6);
    ck_assert_str_eq(mkba_cohort_var_name(c, 1), "months_to_work");
    ck_assert_int_eq(mkba_cohort_var_type(c, 3), MKBA_VAR_CATEGORY);
    ck_assert_int_eq(mkba_cohort_find(c, "hours"), 4);
    ck_assert_int_eq(mkba_cohort_find(c, "uren"), -1); /* by model name, not column */
    mkba_cohort_free(c);
}
END_TEST

START_TEST(test_one_file_values)
{
    char p[512];
    mkba_cohort_spec spec = one_file_spec(data_path(p, sizeof p, "cohort_small.csv"), 6,
                                          small_vars);
    mkba_cohort *c = read_ok(&spec);
    /* mnd_werk column, decimal comma: 3,5 | "" | NA | 2 | 0 | 1,5 | 6 */
    const double *m = mkba_cohort_column(c, 1);
    const double want_m[7] = {3.5, NAN, NAN, 2, 0, 1.5, 6};
    for (size_t i = 0; i < 7; i++) {
        if (isnan(want_m[i]))
            ck_assert(isnan(m[i]));
        else
            ck_assert_double_eq(m[i], want_m[i]);
    }
    /* uren of the pilot rows: 12 + 8,25 + 4 + 10 = 34.25 */
    const double *h = mkba_cohort_column(c, 4);
    const uint8_t *g = mkba_cohort_group(c);
    double sum = 0;
    for (size_t i = 0; i < 7; i++)
        if (g[i] == MKBA_PILOT)
            sum += h[i];
    ck_assert_double_eq_tol(sum, 34.25, 1e-12);
    /* uitstroom_werk: 1 0 1 "" 0 1 0 */
    const double *o = mkba_cohort_column(c, 2);
    ck_assert_double_eq(o[0], 1);
    ck_assert(isnan(o[3]));
    ck_assert_double_eq(o[5], 1);
    mkba_cohort_free(c);
}
END_TEST

START_TEST(test_one_file_missing)
{
    char p[512];
    mkba_cohort_spec spec = one_file_spec(data_path(p, sizeof p, "cohort_small.csv"), 6,
                                          small_vars);
    mkba_cohort *c = read_ok(&spec);
    /* Counted by hand from the file (pilot, control):
     * leeftijd: 1006 empty -> (0, 1); mnd_werk: 1003 NA, 1002 empty -> (1, 1);
     * uitstroom_werk: 1004 empty -> (0, 1); wijk: 1006 empty -> (0, 1);
     * uren: 1004 empty -> (0, 1); zorgkosten absent: everyone -> (4, 3). */
    const size_t want[6][2] = {{0, 1}, {1, 1}, {0, 1}, {0, 1}, {0, 1}, {4, 3}};
    for (size_t v = 0; v < 6; v++) {
        ck_assert_uint_eq(mkba_cohort_missing(c, v, MKBA_PILOT), want[v][0]);
        ck_assert_uint_eq(mkba_cohort_missing(c, v, MKBA_CONTROL), want[v][1]);
    }
    const double *care = mkba_cohort_column(c, 5);
    for (size_t i = 0; i < 7; i++)
        ck_assert(isnan(care[i]));
    mkba_cohort_free(c);
}
END_TEST

START_TEST(test_one_file_categories)
{
    char p[512];
    mkba_cohort_spec spec = one_file_spec(data_path(p, sizeof p, "cohort_small.csv"), 6,
                                          small_vars);
    mkba_cohort *c = read_ok(&spec);
    /* wijk in file order: Haven, Centrum, Haven, "Stad, Oost" (quoted),
     * Centrum, "", Stad, Oost (unquoted). First seen: Haven 0, Centrum 1,
     * Stad, Oost 2. */
    const char *const *names;
    ck_assert_uint_eq(mkba_cohort_levels(c, 3, &names), 3);
    ck_assert_str_eq(names[0], "Haven");
    ck_assert_str_eq(names[1], "Centrum");
    ck_assert_str_eq(names[2], "Stad, Oost");
    const double *w = mkba_cohort_column(c, 3);
    const double want[7] = {0, 1, 0, 2, 1, NAN, 2};
    for (size_t i = 0; i < 7; i++) {
        if (isnan(want[i]))
            ck_assert(isnan(w[i]));
        else
            ck_assert_double_eq(w[i], want[i]);
    }
    /* A numeric variable has no levels. */
    ck_assert_uint_eq(mkba_cohort_levels(c, 0, &names), 0);
    ck_assert_ptr_null(names);
    mkba_cohort_free(c);
}
END_TEST

START_TEST(test_one_file_cr_only)
{
    /* cohort_small.csv with old-Mac line ends (every '\n' a lone '\r'):
     * the same persons, groups, values, missing counts and levels as the
     * LF file (compared cell by cell). Before lone '\r' was a line end, the
     * whole file was one header line and the read failed. */
    char p[512];
    char *text = tu_read(data_path(p, sizeof p, "cohort_small.csv"));
    ck_assert_ptr_nonnull(text);
    for (char *q = text; *q; q++)
        if (*q == '\n')
            *q = '\r';
    const char *f = tu_dir_write(tmp, "cr.csv", text);
    free(text);
    mkba_cohort_spec lf_spec = one_file_spec(p, 6, small_vars);
    mkba_cohort_spec cr_spec = one_file_spec(f, 6, small_vars);
    mkba_cohort *lf = read_ok(&lf_spec), *cr = read_ok(&cr_spec);
    ck_assert_uint_eq(mkba_cohort_size(cr), 7); /* as test_one_file_counts */
    ck_assert_uint_eq(mkba_cohort_count(cr, MKBA_PILOT), 4);
    for (size_t i = 0; i < 7; i++)
        ck_assert_uint_eq(mkba_cohort_group(cr)[i], mkba_cohort_group(lf)[i]);
    for (size_t v = 0; v < 6; v++) {
        const double *a = mkba_cohort_column(lf, v), *b = mkba_cohort_column(cr, v);
        for (size_t i = 0; i < 7; i++)
            ck_assert(isnan(a[i]) ? isnan(b[i]) : a[i] == b[i]);
        ck_assert_uint_eq(mkba_cohort_missing(cr, v, MKBA_PILOT),
                          mkba_cohort_missing(lf, v, MKBA_PILOT));
        ck_assert_uint_eq(mkba_cohort_missing(cr, v, MKBA_CONTROL),
                          mkba_cohort_missing(lf, v, MKBA_CONTROL));
    }
    const char *const *names;
    ck_assert_uint_eq(mkba_cohort_levels(cr, 3, &names), 3);
    ck_assert_str_eq(names[2], "Stad, Oost");
    mkba_cohort_free(lf);
    mkba_cohort_free(cr);
}
END_TEST

START_TEST(test_accessors_out_of_range)
{
    char p[512];
    mkba_cohort_spec spec = one_file_spec(data_path(p, sizeof p, "cohort_small.csv"), 6,
                                          small_vars);
    mkba_cohort *c = read_ok(&spec);
    ck_assert_ptr_null(mkba_cohort_var_name(c, 6));
    ck_assert_ptr_null(mkba_cohort_column(c, 6));
    ck_assert_uint_eq(mkba_cohort_count(c, 2), 0);
    ck_assert_uint_eq(mkba_cohort_missing(c, 6, MKBA_PILOT), 0);
    ck_assert_int_eq(mkba_cohort_find(c, "nope"), -1);
    mkba_cohort_free(c);
    mkba_cohort_free(NULL); /* no-op */
    ck_assert_uint_eq(mkba_cohort_size(NULL), 0);
}
END_TEST

START_TEST(test_no_vars)
{
    /* Only the group: a head count. */
    char p[512];
    mkba_cohort_spec spec = one_file_spec(data_path(p, sizeof p, "cohort_small.csv"), 0, NULL);
    mkba_cohort *c = read_ok(&spec);
    ck_assert_uint_eq(mkba_cohort_size(c), 7);
    ck_assert_uint_eq(mkba_cohort_nvars(c), 0);
    mkba_cohort_free(c);
}
END_TEST

/* ============================ two files ================================ */

static const mkba_cohort_var two_vars[] = {
    {"outflow_work", "uitstroom_werk", MKBA_VAR_BINARY, 0},
    {"months_to_work", "mnd_werk", MKBA_VAR_NONNEG, 0},
};

static mkba_cohort_spec two_file_spec(const char *pilot, const char *control)
{
    mkba_cohort_spec s = {.pilot_file = pilot,
                          .control_file = control,
                          .id_column = "id",
                          .dialect = {0, -1},
                          .n_vars = 2,
                          .vars = two_vars};
    return s;
}

START_TEST(test_two_files)
{
    /* cohort_pilot.csv (',' header "ID,Uitstroom_Werk,mnd_werk"): p1 1 2.5,
     * p2 0 "", p3 1 4. cohort_control.csv (';', decimal comma): c1 0 7,5,
     * c2 1 3. Pilot rows come first. */
    char pp[512], pc[512];
    mkba_cohort_spec spec = two_file_spec(data_path(pp, sizeof pp, "cohort_pilot.csv"),
                                          data_path(pc, sizeof pc, "cohort_control.csv"));
    mkba_cohort *c = read_ok(&spec);
    ck_assert_uint_eq(mkba_cohort_size(c), 5);
    ck_assert_uint_eq(mkba_cohort_count(c, MKBA_PILOT), 3);
    ck_assert_uint_eq(mkba_cohort_count(c, MKBA_CONTROL), 2);
    const uint8_t *g = mkba_cohort_group(c);
    ck_assert_uint_eq(g[0], 1);
    ck_assert_uint_eq(g[2], 1);
    ck_assert_uint_eq(g[3], 0);
    ck_assert_uint_eq(g[4], 0);
    /* Header matched ignoring case ("Uitstroom_Werk", "ID"). */
    const double *o = mkba_cohort_column(c, 0);
    const double want_o[5] = {1, 0, 1, 0, 1};
    for (size_t i = 0; i < 5; i++)
        ck_assert_double_eq(o[i], want_o[i]);
    /* Each file has its own dialect: 7,5 in the ';' file is 7.5. */
    const double *m = mkba_cohort_column(c, 1);
    ck_assert_double_eq(m[0], 2.5);
    ck_assert(isnan(m[1]));
    ck_assert_double_eq(m[3], 7.5);
    ck_assert_uint_eq(mkba_cohort_missing(c, 1, MKBA_PILOT), 1);
    ck_assert_uint_eq(mkba_cohort_missing(c, 1, MKBA_CONTROL), 0);
    ck_assert_int_eq(mkba_cohort_dialect(c)->delimiter, ','); /* the first file's */
    mkba_cohort_free(c);
}
END_TEST

START_TEST(test_two_files_group_column_checked)
{
    const char *pil = tu_dir_write(tmp, "p.csv", "id,groep,uitstroom_werk,mnd_werk\n"
                                                 "1,Pilot,1,2\n"
                                                 "2,regulier,0,3\n");
    const char *con =
        tu_dir_write(tmp, "c.csv", "id,groep,uitstroom_werk,mnd_werk\n3,regulier,0,1\n");
    mkba_cohort_spec spec = two_file_spec(pil, con);
    spec.group_column = "groep";
    spec.pilot_value = "pilot";
    spec.control_value = "regulier";
    read_fails(&spec, pil, 3, "column 'groep'", "expected 'pilot', got the control group's "
        "label 'regulier'");
}
END_TEST

START_TEST(test_two_files_duplicate_across)
{
    /* Person "77" is on line 3 of the pilot file and line 2 of the control file. */
    const char *pil = tu_dir_write(tmp, "p.csv", "id,uitstroom_werk,mnd_werk\n1,1,2\n77,0,3\n");
    const char *con = tu_dir_write(tmp, "c.csv", "id,uitstroom_werk,mnd_werk\n77,0,1\n");
    mkba_cohort_spec spec = two_file_spec(pil, con);
    char msg[1024];
    snprintf(msg, sizeof msg,
             "the same id (column 'id') is in both groups: pilot in %s line 3, control on "
             "line 2",
             pil);
    read_fails(&spec, con, 2, "", msg);
}
END_TEST

START_TEST(test_two_files_empty_control)
{
    const char *pil = tu_dir_write(tmp, "p.csv", "id,uitstroom_werk,mnd_werk\n1,1,2\n");
    const char *con = tu_dir_write(tmp, "c.csv", "id,uitstroom_werk,mnd_werk\n");
    mkba_cohort_spec spec = two_file_spec(pil, con);
    read_fails(&spec, con, 0, "", "no persons in file");
}
END_TEST

/* ============================ header =================================== */

static const mkba_cohort_var wijk_var[] = {{"district", "wijk", MKBA_VAR_CATEGORY, 0}};

START_TEST(test_header_exact_match_first)
{
    /* "Wijk" and "wijk" both match ignoring case; the exact one wins. */
    const char *f = tu_dir_write(tmp, "h.csv", "clientnummer,groep, Wijk ,wijk\n1,pilot,A,B\n");
    mkba_cohort_spec spec = one_file_spec(f, 1, wijk_var);
    mkba_cohort *c = read_ok(&spec);
    const char *const *names;
    ck_assert_uint_eq(mkba_cohort_levels(c, 0, &names), 1);
    ck_assert_str_eq(names[0], "B");
    mkba_cohort_free(c);
}
END_TEST

START_TEST(test_header_case_insensitive)
{
    /* Header names are trimmed and matched ignoring case when unique. */
    const char *f =
        tu_dir_write(tmp, "h.csv", " ClientNummer ,GROEP,WIJK\n1,pilot,A\n2,regulier,B\n");
    mkba_cohort_spec spec = one_file_spec(f, 1, wijk_var);
    mkba_cohort *c = read_ok(&spec);
    ck_assert_uint_eq(mkba_cohort_count(c, MKBA_CONTROL), 1);
    mkba_cohort_free(c);
}
END_TEST

START_TEST(test_header_ambiguous)
{
    const mkba_cohort_var v[] = {{"district", "WIJK", MKBA_VAR_CATEGORY, 0}};
    const char *f = tu_dir_write(tmp, "h.csv", "clientnummer,groep,Wijk,wijk\n1,pilot,A,B\n");
    mkba_cohort_spec spec = one_file_spec(f, 1, v);
    read_fails(&spec, f, 1, "",
               "column 'WIJK' is ambiguous: 2 header names match it when case is ignored");
    const char *g = tu_dir_write(tmp, "h2.csv", "clientnummer,groep,wijk,wijk\n1,pilot,A,B\n");
    spec.file = g;
    spec.vars = wijk_var; /* exact name "wijk", twice in the header */
    read_fails(&spec, g, 1, "", "column 'wijk' appears 2 times in the header");
}
END_TEST

/* ============================ errors =================================== */

static const mkba_cohort_var err_vars[] = {
    {"months_to_work", "mnd_werk", MKBA_VAR_NONNEG, 0},
    {"outflow_work", "uitstroom_werk", MKBA_VAR_BINARY, 0},
    {"age", "leeftijd", MKBA_VAR_NUMBER, 0},
};

#define ERR_HEADER "clientnummer,groep,mnd_werk,uitstroom_werk,leeftijd\n"

START_TEST(test_err_not_a_number)
{
    const char *f = tu_dir_write(tmp, "x.csv", ERR_HEADER "1,pilot,3,1,40\n2,regulier,drie,0,41\n");
    mkba_cohort_spec spec = one_file_spec(f, 3, err_vars);
    read_fails(&spec, f, 3, "column 'mnd_werk'", "expected a number, got text, not a number");
    /* The whole line as the CLI prints it (without its "mkba: " prefix). */
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_cohort_read(&spec, &err));
    char buf[2048], want[2048];
    snprintf(want, sizeof want, "%s:3: column 'mnd_werk': expected a number, got text, not a "
        "number", f);
    ck_assert_str_eq(mkba_error_format(&err, buf, sizeof buf), want);
}
END_TEST

START_TEST(test_err_wrong_decimal_separator)
{
    /* A ',' file: "3,5" would be two fields, so quote it; decimal_comma is 0. */
    const char *f = tu_dir_write(tmp, "x.csv", ERR_HEADER "1,pilot,\"3,5\",1,40\n");
    mkba_cohort_spec spec = one_file_spec(f, 3, err_vars);
    read_fails(&spec, f, 2, "column 'mnd_werk'", "expected a number, got a number with a "
        "decimal comma (use a ';'-separated file or a '.')");
}
END_TEST

/* What the cohort says of a column whose values look like thousands
 * groups (cohort.c, thou_verdict), for the decimal mark m. */
#define THOU_MSG(m)                                                                              \
    "whole numbers beside numbers with exactly three digits after the '" m "' (the first on "   \
    "this line): that looks like '" m "' between thousands, and mkba refuses to guess. Write "  \
    "the numbers without thousands separators (1350, not 1" m "350), or, if '" m "' is the "     \
    "decimal mark, with a fourth decimal (1" m "3500)"

START_TEST(test_err_thousands_groups)
{
    /* A Dutch export of 569, 810, 1822 as "569", "810", "1.822": read as
     * 1.822 the value would be wrong without a word. The line named is the
     * first thousands-like value's (line 4); no value is quoted. */
    const char *f = tu_dir_write(tmp, "x.csv", ERR_HEADER "1,pilot,569,1,40\n2,regulier,810,0,41\n"
                                                          "3,pilot,1.822,1,42\n4,regulier,1.603,0,43\n");
    mkba_cohort_spec spec = one_file_spec(f, 3, err_vars);
    read_fails(&spec, f, 4, "column 'mnd_werk'", THOU_MSG("."));
    /* A negative group in a number column counts the same (the sign aside). */
    f = tu_dir_write(tmp, "neg.csv", ERR_HEADER "1,pilot,5,1,40\n2,regulier,8,0,-1.500\n");
    spec = one_file_spec(f, 3, err_vars);
    read_fails(&spec, f, 3, "column 'leeftijd'", THOU_MSG("."));
    /* A ';' file with the decimal comma (a Dutch export) is not scanned:
     * its ',' is the decimal mark, "1,822" beside "569" is 1.822, and its
     * thousands mark '.' is refused as it is read ("1.822" there). */
    f = tu_dir_write(tmp, "semi.csv", "clientnummer;groep;mnd_werk;uitstroom_werk;leeftijd\n"
                                      "1;pilot;569;1;40\n2;regulier;1,822;0;41\n");
    spec = one_file_spec(f, 3, err_vars);
    mkba_cohort *c = read_ok(&spec);
    ck_assert_double_eq(mkba_cohort_column(c, 0)[1], 1.822);
    mkba_cohort_free(c);
}
END_TEST

START_TEST(test_err_thousands_across_files)
{
    /* The pilot's file has only small numbers, the control's the grouped
     * ones: the two files are one column, and the control's is named. */
    const char *pil = tu_dir_write(tmp, "p.csv", "id,uitstroom_werk,mnd_werk\n1,1,569\n2,0,810\n");
    const char *con = tu_dir_write(tmp, "c.csv", "id,uitstroom_werk,mnd_werk\n3,1,40\n4,0,2.250\n");
    mkba_cohort_spec spec = two_file_spec(pil, con);
    read_fails(&spec, con, 3, "column 'mnd_werk'", THOU_MSG("."));
}
END_TEST

START_TEST(test_thousands_like_but_decimals)
{
    /* Not refused: values with other decimals beside the three-decimal
     * ones (0.125 has a zero whole part, 2.5 one decimal), a column of
     * three decimals everywhere (2.000: an export with fixed decimals),
     * four digits after the '.' (the way out for three-decimal data), and
     * a 0/1 column (never scanned). Each keeps its decimal value. */
    const char *rows[][3] = {
        {"569", "1.822", "0.125"},
        {"569", "1.822", "2.5"},
        {"1.250", "2.000", "3.125"},
        {"569", "1.8220", "3"},
        {"-7", "-0.125", "-1.500"},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        char text[512];
        snprintf(text, sizeof text, ERR_HEADER "1,pilot,1,1,%s\n2,regulier,2,0,%s\n3,pilot,3,1,%s\n",
                 rows[r][0], rows[r][1], rows[r][2]);
        mkba_cohort_spec spec = one_file_spec(tu_dir_write(tmp, "ok.csv", text), 3, err_vars);
        mkba_cohort *c = read_ok(&spec);
        const double *age = mkba_cohort_column(c, 2);
        for (int i = 0; i < 3; i++)
            ck_assert_double_eq(age[i], strtod(rows[r][i], NULL));
        mkba_cohort_free(c);
    }
}
END_TEST

START_TEST(test_err_long_value_cut)
{
    /* 45 'x': the message says what it is, none of its text. */
    const char *f = tu_dir_write(
        tmp, "x.csv", ERR_HEADER "1,pilot,1,1,xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
    mkba_cohort_spec spec = one_file_spec(f, 3, err_vars);
    read_fails(&spec, f, 2, "column 'leeftijd'",
               "expected a number, got text, not a number");
}
END_TEST

START_TEST(test_err_negative)
{
    const char *f = tu_dir_write(tmp, "x.csv", ERR_HEADER "1,pilot,-3,1,40\n");
    mkba_cohort_spec spec = one_file_spec(f, 3, err_vars);
    read_fails(&spec, f, 2, "column 'mnd_werk'", "expected a number >= 0, got a negative number");
}
END_TEST

START_TEST(test_err_binary)
{
    const char *f = tu_dir_write(tmp, "x.csv", ERR_HEADER "1,pilot,3,2,40\n");
    mkba_cohort_spec spec = one_file_spec(f, 3, err_vars);
    read_fails(&spec, f, 2, "column 'uitstroom_werk'", "expected 0 or 1, got a number other "
        "than 0 or 1");
    const char *g = tu_dir_write(tmp, "y.csv", ERR_HEADER "1,pilot,3,ja,40\n");
    spec.file = g;
    read_fails(&spec, g, 2, "column 'uitstroom_werk'", "expected 0 or 1, got text, not a number");
}
END_TEST

START_TEST(test_err_group)
{
    const char *f = tu_dir_write(tmp, "x.csv", ERR_HEADER "1,pilot,3,1,40\n2,x,3,1,40\n");
    mkba_cohort_spec spec = one_file_spec(f, 3, err_vars);
    read_fails(&spec, f, 3, "column 'groep'", "expected 'pilot' or 'regulier', got a value that "
        "is none of the group labels 'pilot', 'regulier'");
    const char *g = tu_dir_write(tmp, "y.csv", ERR_HEADER "1, ,3,1,40\n");
    spec.file = g;
    read_fails(&spec, g, 2, "column 'groep'",
               "expected 'pilot' or 'regulier', got an empty cell");
}
END_TEST

START_TEST(test_err_duplicate_id)
{
    /* The id is personal data: it must not appear in the message. */
    const char *f = tu_dir_write(tmp, "x.csv", ERR_HEADER "S3CR3T,pilot,3,1,40\n"
                                                      "2,regulier,3,1,40\n"
                                                      " S3CR3T ,regulier,3,1,40\n");
    mkba_cohort_spec spec = one_file_spec(f, 3, err_vars);
    read_fails(&spec, f, 4, "",
               "the same id (column 'clientnummer') is in both groups: pilot on line 2, "
               "control on line 4");
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_cohort_read(&spec, &err));
    char buf[2048];
    ck_assert_ptr_null(strstr(mkba_error_format(&err, buf, sizeof buf), "S3CR3T"));
}
END_TEST

START_TEST(test_err_empty_id)
{
    const char *f = tu_dir_write(tmp, "x.csv", ERR_HEADER "1,pilot,3,1,40\n,pilot,3,1,40\n");
    mkba_cohort_spec spec = one_file_spec(f, 3, err_vars);
    read_fails(&spec, f, 3, "", "empty id in column 'clientnummer'");
}
END_TEST

START_TEST(test_err_missing_column)
{
    const char *f = tu_dir_write(tmp, "x.csv", "id,groep,mnd_werk,leeftijd\n1,pilot,3,40\n");
    mkba_cohort_spec spec = one_file_spec(f, 3, err_vars);
    spec.id_column = "id";
    read_fails(&spec, f, 1, "",
               "missing column 'uitstroom_werk' (the first line names groep, id, mnd_werk, "
               "leeftijd)");
    /* The group and id columns are required too; 'groep' is no column of
     * this model then, nor near 'wijk', so it is counted, not shown. */
    spec.group_column = "wijk";
    read_fails(&spec, f, 1, "",
               "missing column 'wijk' (the first line names id, mnd_werk, leeftijd; 1 other "
               "column not shown)");
}
END_TEST

/* The review's real headers that the old rule took for records: the empty
 * first cell of an index column (pandas, R's write.csv) and a name that
 * starts with a digit. Both are headers; the message still quotes only
 * the model's column names and the near spelling. */
START_TEST(test_err_missing_column_index_column)
{
    const char *f = tu_dir_write(tmp, "x.csv", ",id,groep,mnd_werk,leeftijd\n0,1,pilot,3,40\n");
    mkba_cohort_spec spec = one_file_spec(f, 3, err_vars);
    spec.id_column = "id";
    read_fails(&spec, f, 1, "",
               "missing column 'uitstroom_werk' (the first line names groep, id, mnd_werk, "
               "leeftijd; 1 other column not shown)");
}
END_TEST

START_TEST(test_err_missing_column_digit_name)
{
    static const mkba_cohort_var meting[] = {
        {"m1", "1e_meting", MKBA_VAR_NUMBER, 0},
        {"m2", "2e_meting", MKBA_VAR_NUMBER, 0},
    };
    const char *f = tu_dir_write(tmp, "x.csv", "id,groep,1e_meting,2e meting\n1,pilot,3,4\n");
    mkba_cohort_spec spec = one_file_spec(f, 2, meting);
    spec.id_column = "id";
    read_fails(&spec, f, 1, "",
               "missing column '2e_meting' (the first line has '2e meting', close to it; it "
               "names groep, id, 1e_meting)");
}
END_TEST

/* A wide real header with one typo: the typo and the model's columns are
 * named, the 12 other cells only counted (a header row may hold names a
 * user would rather not show either, and no rule tells it from a record). */
START_TEST(test_err_missing_column_wide_header)
{
    const char *f = tu_dir_write(tmp, "x.csv",
                                 "id,groep,mnd werk,leeftijd,uren_2019,uren_2020,wijk,postcode,"
                                 "geslacht,opleiding,uitkering,schuld,zorg,mnd_werk_2019,nr\n"
                                 "1,pilot,3,40,1,2,a,b,c,d,e,f,g,h,i\n");
    mkba_cohort_spec spec = one_file_spec(f, 1, err_vars);
    spec.id_column = "id";
    read_fails(&spec, f, 1, "",
               "missing column 'mnd_werk' (the first line has 'mnd werk', close to it; it names "
               "groep, id; 12 other columns not shown)");
    /* A swap of two neighbours is one edit, near for a 4-byte name too. */
    static const mkba_cohort_var uren[] = {{"hours", "uren", MKBA_VAR_NUMBER, 0}};
    f = tu_dir_write(tmp, "x.csv", "id,groep,urne,uren_2019\n1,pilot,3,4\n");
    spec = one_file_spec(f, 1, uren);
    spec.id_column = "id";
    read_fails(&spec, f, 1, "",
               "missing column 'uren' (the first line has 'urne', close to it; it names groep, "
               "id; 1 other column not shown)");
    /* A near spelling on a line that names no column of the model. */
    f = tu_dir_write(tmp, "x.csv", "grope,idx\n1,pilot\n");
    spec = one_file_spec(f, 1, uren);
    spec.id_column = "id";
    read_fails(&spec, f, 1, "",
               "missing column 'groep' (the first line has 'grope', close to it; it names none "
               "of the model's columns; 1 other column not shown)");
}
END_TEST

/* A file without its header row: none of its first record's cells is
 * listed, whatever they look like; only the model's columns. */
START_TEST(test_err_headerless_record_not_listed)
{
    const char *firsts[] = {
        "Jan de Vries,NL91ABNA0417164300,\n", /* the first review's case */
        "Jan de Vries,x,y\n",                 /* a name with a particle */
        "a,NL91 ABNA 0417 1643 00,b\n",       /* an IBAN in groups of 4 */
        "a,b,\n",                             /* an empty cell */
        "a,tel0612345678,b\n",                /* a run of 10 digits */
        "Maria Jansen,Kerkstraat,onbekend\n",  /* none of the model's column names */
    };
    for (size_t k = 0; k < sizeof firsts / sizeof firsts[0]; k++) {
        char text[256];
        snprintf(text, sizeof text, "%sP1,pilot,3\n", firsts[k]);
        const char *f = tu_dir_write(tmp, "x.csv", text);
        mkba_cohort_spec spec = one_file_spec(f, 1, err_vars);
        spec.id_column = "id";
        read_fails(&spec, f, 1, "",
                   "missing column 'groep' (the first line names none of the model's columns: "
                   "the header row may be missing, or the file is another one; the model "
                   "expects the columns groep, id, mnd_werk)");
    }
}
END_TEST

/* The second review's case: a record whose last cell happens to be a
 * column name of the model (the old rule then listed the whole line).
 * Only that name is shown, the name and street only counted. */
START_TEST(test_err_headerless_column_name_not_listed)
{
    const char *f = tu_dir_write(tmp, "x.csv", "Maria Jansen,Kerkstraat,mnd_werk\n"
                                               "Piet Bakker,Dorpsweg,uitkering\n");
    mkba_cohort_spec spec = one_file_spec(f, 1, err_vars);
    spec.id_column = "id";
    read_fails(&spec, f, 1, "",
               "missing column 'groep' (the first line names mnd_werk; 2 other columns not "
               "shown)");
    /* A real header with a typo, spaces, a year or capitals: the typo is
     * shown beside the model's columns (the point of the list: the user
     * sees the typo), the others only counted. */
    f = tu_dir_write(tmp, "x.csv", "id,Groep,Mnd werk,uren_2019,Client Nr\n"
                                   "1,pilot,3,4,5\n");
    spec = one_file_spec(f, 1, err_vars);
    spec.id_column = "id";
    read_fails(&spec, f, 1, "",
               "missing column 'mnd_werk' (the first line has 'Mnd werk', close to it; it names "
               "groep, id; 2 other columns not shown)");
}
END_TEST

START_TEST(test_err_missing_policy)
{
    const char *f = tu_dir_write(tmp, "x.csv", ERR_HEADER "1,pilot,3,1,40\n2,regulier,NA,1,40\n");
    mkba_cohort_spec spec = one_file_spec(f, 3, err_vars);
    spec.missing = MKBA_MISSING_ERROR;
    read_fails(&spec, f, 3, "column 'mnd_werk'", "missing value (policy 'error')");
    /* The same file under the default policy: read, one missing in control. */
    spec.missing = MKBA_MISSING_EXCLUDE;
    mkba_cohort *c = read_ok(&spec);
    ck_assert_uint_eq(mkba_cohort_missing(c, 0, MKBA_CONTROL), 1);
    mkba_cohort_free(c);
}
END_TEST

START_TEST(test_err_no_persons)
{
    const char *f = tu_dir_write(tmp, "x.csv", ERR_HEADER "\n\n");
    mkba_cohort_spec spec = one_file_spec(f, 3, err_vars);
    read_fails(&spec, f, 0, "", "no persons in file");
}
END_TEST

START_TEST(test_err_csv_passes_through)
{
    const char *f = tu_dir_write(tmp, "x.csv", ERR_HEADER "1,pilot,3,1\n");
    mkba_cohort_spec spec = one_file_spec(f, 3, err_vars);
    read_fails(&spec, f, 2, "", "expected 5 fields as in the header, found 4");
    const char *missing = tu_dir_path(tmp, "absent.csv");
    spec.file = missing;
    read_fails(&spec, missing, 0, "", "cannot open: No such file or directory");
}
END_TEST

START_TEST(test_err_spec)
{
    mkba_cohort_spec spec = one_file_spec(NULL, 3, err_vars);
    read_fails(&spec, "", 0, "",
               "cohort spec: give either one file or both a pilot and a control file");
    spec.file = "x.csv";
    spec.group_column = NULL;
    read_fails(&spec, "", 0, "", "cohort spec: one file needs a group column");
    spec.group_column = "groep";
    spec.control_value = "PILOT";
    read_fails(&spec, "", 0, "", "cohort spec: pilot and control values are the same ('pilot')");
    const mkba_cohort_var twice[] = {{"a", "x", MKBA_VAR_NUMBER, 0}, {"a", "y", MKBA_VAR_NUMBER, 0}};
    spec.control_value = "regulier";
    spec.n_vars = 2;
    spec.vars = twice;
    read_fails(&spec, "", 0, "", "cohort spec: variable 'a' appears twice");
}
END_TEST

/* ============================ from arrays ============================== */

START_TEST(test_from_arrays)
{
    uint8_t group[5] = {1, 0, 1, 1, 0};
    double y[5] = {1, NAN, 3, 4, 5};
    double cat[5] = {0, 2, NAN, 2, 1};
    const mkba_cohort_var vars[2] = {{"y", NULL, MKBA_VAR_NUMBER, 0},
                                     {"cat", "k", MKBA_VAR_CATEGORY, 0}};
    const double *cols[2] = {y, cat};
    mkba_cohort *c = mkba_cohort_from_arrays(5, group, 2, vars, cols);
    ck_assert_ptr_nonnull(c);
    /* Everything is copied: changing the inputs changes nothing. */
    group[0] = 0;
    y[0] = 99;
    ck_assert_uint_eq(mkba_cohort_size(c), 5);
    ck_assert_uint_eq(mkba_cohort_count(c, MKBA_PILOT), 3);   /* 1 . 1 1 . */
    ck_assert_uint_eq(mkba_cohort_count(c, MKBA_CONTROL), 2);
    ck_assert_uint_eq(mkba_cohort_group(c)[0], 1);
    ck_assert_double_eq(mkba_cohort_column(c, 0)[0], 1);
    ck_assert_uint_eq(mkba_cohort_missing(c, 0, MKBA_PILOT), 0);   /* NaN at index 1: control */
    ck_assert_uint_eq(mkba_cohort_missing(c, 0, MKBA_CONTROL), 1);
    ck_assert_uint_eq(mkba_cohort_missing(c, 1, MKBA_PILOT), 1);   /* NaN at index 2: pilot */
    ck_assert_uint_eq(mkba_cohort_missing(c, 1, MKBA_CONTROL), 0);
    const char *const *names;
    ck_assert_uint_eq(mkba_cohort_levels(c, 1, &names), 3); /* codes 0..2 */
    ck_assert_str_eq(names[0], "0");
    ck_assert_str_eq(names[2], "2");
    ck_assert_int_eq(mkba_cohort_find(c, "cat"), 1);
    mkba_cohort_free(c);
}
END_TEST

START_TEST(test_from_arrays_invalid)
{
    const uint8_t ok_group[2] = {1, 0};
    const uint8_t bad_group[2] = {1, 2};
    const double ok[2] = {0, 1};
    const double half[2] = {0, 0.5};
    const double neg[2] = {0, -1};
    const double inf[2] = {0, INFINITY};
    const mkba_cohort_var num = {"y", NULL, MKBA_VAR_NUMBER, 0};
    const mkba_cohort_var bin = {"b", NULL, MKBA_VAR_BINARY, 0};
    const mkba_cohort_var nonneg = {"n", NULL, MKBA_VAR_NONNEG, 0};
    const mkba_cohort_var cat = {"c", NULL, MKBA_VAR_CATEGORY, 0};
    const double *c_ok[1] = {ok}, *c_half[1] = {half}, *c_neg[1] = {neg}, *c_inf[1] = {inf};
    ck_assert_ptr_null(mkba_cohort_from_arrays(2, bad_group, 1, &num, c_ok));
    ck_assert_ptr_null(mkba_cohort_from_arrays(2, ok_group, 1, &bin, c_half));
    ck_assert_ptr_null(mkba_cohort_from_arrays(2, ok_group, 1, &nonneg, c_neg));
    ck_assert_ptr_null(mkba_cohort_from_arrays(2, ok_group, 1, &cat, c_half));
    ck_assert_ptr_null(mkba_cohort_from_arrays(2, ok_group, 1, &num, c_inf));
    mkba_cohort *c = mkba_cohort_from_arrays(2, ok_group, 1, &bin, c_ok);
    ck_assert_ptr_nonnull(c);
    mkba_cohort_free(c);
}
END_TEST

/* Subgroups: a variable masked by a category's level (or a 0/1 value). */
START_TEST(test_add_masked)
{
    uint8_t group[6] = {1, 1, 0, 0, 1, 0};
    double y[6] = {10, 20, 30, NAN, 50, 60};
    double dist[6] = {0, 1, 0, 0, NAN, 1}; /* person 4 has no district */
    double num[6] = {0, 1, 2, 3, 4, 5};
    const mkba_cohort_var vars[3] = {{"y", NULL, MKBA_VAR_NUMBER, 0},
                                     {"dist", NULL, MKBA_VAR_CATEGORY, 0},
                                     {"num", NULL, MKBA_VAR_NUMBER, 0}};
    const double *cols[3] = {y, dist, num};
    mkba_cohort *c = mkba_cohort_from_arrays(6, group, 3, vars, cols);
    ck_assert_ptr_nonnull(c);
    const double *before = mkba_cohort_column(c, 0);
    long v = mkba_cohort_add_masked(c, 0, 1, 0, "y.by.0");
    ck_assert_int_eq(v, 3);
    ck_assert_uint_eq(mkba_cohort_nvars(c), 4);
    ck_assert_str_eq(mkba_cohort_var_name(c, 3), "y.by.0");
    ck_assert_int_eq(mkba_cohort_var_type(c, 3), MKBA_VAR_NUMBER);
    ck_assert_ptr_eq(mkba_cohort_column(c, 0), before); /* earlier columns stay put */
    /* dist == 0 at persons 0, 2, 3: y there (3 is missing), NaN elsewhere */
    const double *m = mkba_cohort_column(c, 3);
    ck_assert_double_eq(m[0], 10);
    ck_assert_double_eq(m[2], 30);
    for (int i = 1; i < 6; i++)
        if (i != 2)
            ck_assert(isnan(m[i]));
    /* missing: pilot persons 1 and 4 (outside), control 3 (missing) and 5 (outside) */
    ck_assert_uint_eq(mkba_cohort_missing(c, 3, MKBA_PILOT), 2);
    ck_assert_uint_eq(mkba_cohort_missing(c, 3, MKBA_CONTROL), 2);
    /* a level absent from the data: all missing */
    ck_assert_int_eq(mkba_cohort_add_masked(c, 0, 1, 7, "y.by.7"), 4);
    ck_assert_uint_eq(mkba_cohort_missing(c, 4, MKBA_PILOT), 3);
    /* bad arguments add nothing */
    ck_assert_int_eq(mkba_cohort_add_masked(c, 0, 2, 0, "x"), -1); /* by is a number */
    ck_assert_int_eq(mkba_cohort_add_masked(c, 9, 1, 0, "x"), -1);
    ck_assert_int_eq(mkba_cohort_add_masked(c, 0, 9, 0, "x"), -1);
    ck_assert_int_eq(mkba_cohort_add_masked(c, 0, 1, 0, NULL), -1);
    ck_assert_int_eq(mkba_cohort_add_masked(NULL, 0, 1, 0, "x"), -1);
    ck_assert_uint_eq(mkba_cohort_nvars(c), 5);
    mkba_cohort_free(c);
}
END_TEST

/* ================= the fast path against libcsv's path ================= */

static const char *const NUMBERS[] = {"1e3", "-0", "007", "1.5e-300", "0.10000000000000000555",
                                      "12.25", " 4 ", "", "NA", "\"3.5\"", "1E+2", "0"};

/* A cohort file in dialect 'delim' (';' files write decimal commas) with
 * line end eol: an id, a quoted or bare category, the group, two number
 * columns; with dup, the id of line 5 again on line 300. */
static const char *write_tricky_cohort(int variant, char delim, const char *eol, int dup)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(fp);
    if (variant & 1)
        fputs("\xEF\xBB\xBF", fp);
    fprintf(fp, "id%cwijk%cgroep%cx%cy%s", delim, delim, delim, delim, eol);
    unsigned long long r = 7 + (unsigned long long)variant;
    for (int i = 0; i < 400; i++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        char num[2][40];
        for (int k = 0; k < 2; k++) {
            snprintf(num[k], sizeof num[k], "%s", NUMBERS[(r >> (8 * k)) % 12]);
            char *dot = delim == ';' ? strchr(num[k], '.') : NULL;
            if (dot)
                *dot = ',';
        }
        fprintf(fp, "P%d%c%s%c%s%c%s%c%s%s", dup && i == 298 ? 4 : i + 1, delim,
                r % 3 ? "\"Almere Haven\"" : r % 2 ? " Poort " : "\"a; \"\"b\"\"\"", delim,
                r % 2 ? "pilot" : "regulier", delim, num[0], delim, num[1], eol);
    }
    fclose(fp);
    char name[32];
    snprintf(name, sizeof name, "t%d.csv", variant);
    const char *path = tu_dir_write(tmp, name, text);
    free(text);
    return path;
}

static mkba_cohort *read_tricky(const char *path, int fast, mkba_error *err)
{
    static const mkba_cohort_var vars[] = {{"wijk", "wijk", MKBA_VAR_CATEGORY, 0},
                                           {"x", "x", MKBA_VAR_NUMBER, 0},
                                           {"y", "y", MKBA_VAR_NUMBER, 0}};
    mkba_cohort_spec spec = {.file = path, .group_column = "groep", .pilot_value = "pilot",
                             .control_value = "regulier", .id_column = "id",
                             .dialect = {0, -1}, .n_vars = 3, .vars = vars};
    mkba_error_clear(err);
    mkba_csv_fast_path(fast);
    mkba_cohort *c = mkba_cohort_read(&spec, err);
    mkba_csv_fast_path(1);
    return c;
}

START_TEST(test_fast_path_same_cohort)
{
    /* The same cohort, bit for bit (values, NaN places, -0 stored as 0,
     * levels), or the same error, whether lines go through the fast path
     * or through libcsv. */
    const char *const eols[] = {"\n", "\r\n", "\r"};
    for (int variant = 0; variant < 12; variant++) {
        const char *path =
            write_tricky_cohort(variant, variant % 4 < 2 ? ',' : ';', eols[variant % 3],
                                variant >= 8);
        mkba_error e1, e2;
        mkba_cohort *a = read_tricky(path, 1, &e1), *b = read_tricky(path, 0, &e2);
        ck_assert_msg((a == NULL) == (b == NULL), "variant %d: %s / %s", variant, e1.msg, e2.msg);
        ck_assert_msg((a == NULL) == (variant >= 8), "variant %d: %s", variant, e1.msg);
        ck_assert_str_eq(e1.msg, e2.msg);
        ck_assert_int_eq(e1.line, e2.line);
        if (!a)
            continue;
        size_t n = mkba_cohort_size(a);
        ck_assert_uint_eq(n, 400);
        ck_assert_uint_eq(mkba_cohort_size(b), n);
        ck_assert_mem_eq(mkba_cohort_group(a), mkba_cohort_group(b), n);
        for (size_t v = 0; v < 3; v++) {
            ck_assert_mem_eq(mkba_cohort_column(a, v), mkba_cohort_column(b, v),
                             n * sizeof(double));
            ck_assert_uint_eq(mkba_cohort_missing(a, v, 1), mkba_cohort_missing(b, v, 1));
        }
        const char *const *la, *const *lb;
        size_t nl = mkba_cohort_levels(a, 0, &la);
        ck_assert_uint_eq(nl, 3); /* "Almere Haven", "Poort", "a; \"b\"" */
        ck_assert_uint_eq(mkba_cohort_levels(b, 0, &lb), nl);
        for (size_t l = 0; l < nl; l++)
            ck_assert_str_eq(la[l], lb[l]);
        mkba_cohort_free(a);
        mkba_cohort_free(b);
    }
}
END_TEST

/* ================ ids: duplicates found once reading stops ============= */

/* Duplicates are looked for when reading stops (cohort.c, "ids seen"),
 * yet the error is the one that came first in the file, as if each id had
 * been checked on its line: a record's group, then its id, then its
 * values. Each case below puts a duplicate and another error in one file;
 * the expected messages are the documented ones (cohort.h), with the
 * lines counted by hand. */
START_TEST(test_dup_before_later_errors)
{
    mkba_cohort_spec spec = one_file_spec(NULL, 3, err_vars);
    const char *dup = "duplicate id in column 'clientnummer' (first seen on line 2)";
    /* a duplicate on line 4, then a bad value, a short line, a NUL */
    const char *later[] = {"3,pilot,x,1,40\n", "3,pilot,3\n", "3,pilot,3,\x01\x80,40\n",
                           "3,pilot,3,1,40\n\xEF\xBB\xBF\n", "3,\"pilot\n"};
    for (size_t k = 0; k < sizeof later / sizeof *later; k++) {
        char text[300], name[16];
        snprintf(text, sizeof text, ERR_HEADER "1,pilot,3,1,40\n2,pilot,3,1,40\n1,pilot,3,1,40\n%s",
                 later[k]);
        snprintf(name, sizeof name, "x%zu.csv", k);
        spec.file = tu_dir_write(tmp, name, text);
        read_fails(&spec, spec.file, 4, "", dup);
    }
    /* the same line: its id is checked before its values ... */
    spec.file = tu_dir_write(tmp, "v.csv", ERR_HEADER "1,pilot,3,1,40\n1,pilot,-3,1,40\n");
    read_fails(&spec, spec.file, 3, "", dup);
    /* ... after its group */
    spec.file = tu_dir_write(tmp, "g.csv", ERR_HEADER "1,pilot,3,1,40\n1,x,3,1,40\n");
    read_fails(&spec, spec.file, 3, "column 'groep'",
               "expected 'pilot' or 'regulier', got a value that is none of the group labels "
               "'pilot', 'regulier'");
    /* an error before the duplicate is the error */
    spec.file = tu_dir_write(tmp, "e.csv", ERR_HEADER "1,pilot,3,1,40\n2,pilot,-3,1,40\n"
                                                   "1,pilot,3,1,40\n");
    read_fails(&spec, spec.file, 3, "column 'mnd_werk'",
               "expected a number >= 0, got a negative number");
    spec.file = tu_dir_write(tmp, "m.csv", ERR_HEADER "1,pilot,3,1,40\n,pilot,3,1,40\n"
                                                   "1,pilot,3,1,40\n");
    read_fails(&spec, spec.file, 3, "", "empty id in column 'clientnummer'");
}
END_TEST

START_TEST(test_dup_before_file_verdicts)
{
    /* The checks made once a file is read (a column of citizen service
     * numbers) and the second file's header come after every record of the
     * first file, so its duplicate is the error. 123456782, 111222333 and
     * 111111110 pass the 11-test: 9*1+8*2+...+2*8-2 = 154 = 14*11, 66 =
     * 6*11, 44 = 4*11. */
    const char *f = tu_dir_write(tmp, "b.csv", "clientnummer,groep,mnd_werk,uitstroom_werk,leeftijd,"
                                               "nr\n1,pilot,3,1,40,123456782\n"
                                               "2,pilot,3,1,40,111222333\n"
                                               "1,pilot,3,1,40,111111110\n");
    mkba_cohort_spec spec = one_file_spec(f, 3, err_vars);
    read_fails(&spec, f, 4, "", "duplicate id in column 'clientnummer' (first seen on line 2)");
    spec.id_column = NULL; /* without the id: the BSN column is the error */
    read_fails(&spec, f, 0, "column 'nr'",
               "looks like Dutch citizen service numbers (BSN: 9 digits passing the 11-test); "
               "mkba refuses to read it. Remove the column, or map it as the person id in the "
               "model ([cohort] id_column = nr) if it is the id");
    const char *pil = tu_dir_write(tmp, "p.csv", "id,uitstroom_werk,mnd_werk\n5,1,2\n5,0,3\n");
    const char *con = tu_dir_write(tmp, "c.csv", "id,mnd_werk\n6,1\n");
    spec = two_file_spec(pil, con);
    read_fails(&spec, pil, 3, "", "duplicate id in column 'id' (first seen on line 2)");
}
END_TEST

/* Read 'spec' with the ids' hashes cut to 'bits' bits; the result, or NULL
 * with *err. */
static mkba_cohort *read_with_hash_bits(const mkba_cohort_spec *spec, int bits, mkba_error *err)
{
    mkba_error_clear(err);
    mkba_cohort_id_hash_bits(bits);
    mkba_cohort *c = mkba_cohort_read(spec, err);
    mkba_cohort_id_hash_bits(64);
    return c;
}

START_TEST(test_ids_sharing_hashes)
{
    /* With 1 to 3 bits of hash, nearly every id shares its hash with
     * others: only the second reading of the file tells them apart. The
     * outcome must not change: 3000 different ids are fine, and a file
     * with a duplicate (person 2500 has person 17's id; the header is line
     * 1, so lines 18 and 2501; both are pilots, as neither number is a
     * multiple of 3) or a person in both groups (two files) gets the same
     * message as with full hashes. */
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(fp);
    fputs(ERR_HEADER, fp);
    for (int i = 1; i <= 3000; i++)
        fprintf(fp, "id%d,%s,%d,%d,%d\n", i, i % 3 ? "pilot" : "regulier", i % 13, i % 2, i % 90);
    fclose(fp);
    const char *ok = tu_dir_write(tmp, "ok.csv", text);
    char *at = strstr(text, "\nid2500,");
    ck_assert_ptr_nonnull(at);
    memcpy(at + 1, "id17  ", 6); /* "id17  ,": the id is trimmed */
    const char *bad = tu_dir_write(tmp, "dup.csv", text);
    free(text);
    mkba_cohort_spec spec = one_file_spec(ok, 3, err_vars);
    mkba_error err;
    mkba_cohort *full = read_with_hash_bits(&spec, 64, &err);
    ck_assert_ptr_nonnull(full);
    for (int bits = 1; bits <= 3; bits++) {
        spec.file = ok;
        mkba_cohort *c = read_with_hash_bits(&spec, bits, &err);
        ck_assert_msg(c != NULL, "%d bits: %s", bits, err.msg);
        ck_assert_uint_eq(mkba_cohort_size(c), 3000);
        for (size_t v = 0; v < 3; v++)
            ck_assert_mem_eq(mkba_cohort_column(c, v), mkba_cohort_column(full, v),
                             3000 * sizeof(double));
        mkba_cohort_free(c);
        spec.file = bad;
        ck_assert_ptr_null(read_with_hash_bits(&spec, bits, &err));
        ck_assert_int_eq(err.line, 2501);
        ck_assert_str_eq(err.msg, "duplicate id in column 'clientnummer' (first seen on line 18)");
    }
    mkba_cohort_free(full);
    const char *pil = tu_dir_write(tmp, "p.csv", "id,uitstroom_werk,mnd_werk\n1,1,2\n77,0,3\n9,1,1\n");
    const char *con = tu_dir_write(tmp, "c.csv", "id,uitstroom_werk,mnd_werk\n8,0,1\n77,0,1\n");
    spec = two_file_spec(pil, con);
    char msg[1024];
    snprintf(msg, sizeof msg, "the same id (column 'id') is in both groups: pilot in %s line 3, "
                              "control on line 3", pil);
    for (int bits = 1; bits <= 64; bits += 63) {
        ck_assert_ptr_null(read_with_hash_bits(&spec, bits, &err));
        ck_assert_str_eq(err.file, con);
        ck_assert_int_eq(err.line, 3);
        ck_assert_str_eq(err.msg, msg);
    }
}
END_TEST

START_TEST(test_many_ids_one_duplicate)
{
    /* 300,000 persons (more than a chunk of the hash log in every list),
     * the last one with the id of the first: found, with both lines. */
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(fp);
    fputs(ERR_HEADER, fp);
    for (int i = 1; i < 300000; i++)
        fprintf(fp, "%d,pilot,1,0,30\n", 1000000 + i);
    fputs("1000001,pilot,1,0,30\n", fp);
    fclose(fp);
    const char *f = tu_dir_write(tmp, "many.csv", text);
    free(text);
    mkba_cohort_spec spec = one_file_spec(f, 3, err_vars);
    read_fails(&spec, f, 300001, "", "duplicate id in column 'clientnummer' (first seen on line 2)");
}
END_TEST

/* ============= the common cells' short path against the rules ============= */

/* The cells of each column type that plain_cell takes and those it leaves
 * to the full rules, with their neighbours: the same cohort (or error)
 * must come out either way. */
static const char *const PLAIN_NUMBERS[] = {
    "0", "1", "7", "42", "999", "9999", "10000", "0007", "12.5", "0.1", ".5", "5.", "-0", "+3",
    "-2", "-0.0", "1e3", "1E-2", "123456789012345", "1234567890123456", "1234567890123456789012",
    "0.30000000000000004", "", " ", "NA", "n/a", ".", " 12 ", "\"8\"", "\" 9.5 \"", "12 ", " 3",
};
static const char *const PLAIN_LEVELS[] = {"Haven", "Poort", "Noord", "na", "NA", "", " Haven ",
                                           "\"Haven\"", ".", "\"a, b\"", "N/A", "haven", "7",
                                           "123456782", "Stad"};

/* A cohort whose cells are drawn from the lists above (seed), in dialect
 * delim (';' files write decimal commas); the binary column takes 0 or 1
 * written in several ways. */
static const char *write_plain_cells(int seed, char delim, const char *eol)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(fp);
    fprintf(fp, "id%cgroep%cx%cn%cb%ck%s", delim, delim, delim, delim, delim, eol);
    unsigned long long r = 99 + (unsigned long long)seed;
    const char *const bins[] = {"0", "1", " 1", "1.0", "0e5", "", "NA", "\"1\""};
    for (int i = 0; i < 500; i++) {
        char cell[3][40];
        for (int k = 0; k < 3; k++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            const char *c = k == 2 ? bins[r % 8]
                                   : PLAIN_NUMBERS[r % (sizeof PLAIN_NUMBERS / sizeof *PLAIN_NUMBERS)];
            if (k == 1 && c[0] == '-' && c[1] != '0')
                c = "4"; /* the nonneg column: no negatives (those are errors) */
            snprintf(cell[k], sizeof cell[k], "%s", c);
            char *dot = delim == ';' ? strchr(cell[k], '.') : NULL;
            if (dot && strcmp(cell[k], ".") != 0)
                *dot = ',';
        }
        const char *level = PLAIN_LEVELS[(r >> 20) % (sizeof PLAIN_LEVELS / sizeof *PLAIN_LEVELS)];
        if (strchr(level, delim) && level[0] != '"')
            level = "Stad";
        fprintf(fp, "P%d%c%s%c%s%c%s%c%s%c%s%s", i, delim, r % 2 ? "pilot" : "regulier", delim,
                cell[0], delim, cell[1], delim, cell[2], delim, level, eol);
    }
    fclose(fp);
    char name[32];
    snprintf(name, sizeof name, "plain%d.csv", seed);
    const char *path = tu_dir_write(tmp, name, text);
    free(text);
    return path;
}

START_TEST(test_plain_cells_same_as_rules)
{
    static const mkba_cohort_var vars[] = {{"x", "x", MKBA_VAR_NUMBER, 0},
                                           {"n", "n", MKBA_VAR_NONNEG, 0},
                                           {"b", "b", MKBA_VAR_BINARY, 0},
                                           {"k", "k", MKBA_VAR_CATEGORY, 0}};
    /* a declared range that some values leave */
    static const mkba_cohort_range ranges[] = {
        {1, 1, -1, 100}, {0, 1, 0, 1e6}, {0, 0, 0, 0}, {0, 0, 0, 0}};
    const char *const eols[] = {"\n", "\r\n"};
    int read = 0, failed = 0;
    for (int seed = 0; seed < 24; seed++) {
        const char *path = write_plain_cells(seed, seed % 3 ? ',' : ';', eols[seed % 2]);
        mkba_cohort_spec spec = {.file = path, .group_column = "groep", .pilot_value = "pilot",
                                 .control_value = "regulier", .id_column = "id",
                                 .dialect = {0, -1}, .n_vars = 4, .vars = vars};
        spec.ranges = seed % 4 == 1 ? ranges : NULL;
        spec.missing = seed % 8 == 3 ? MKBA_MISSING_ERROR : MKBA_MISSING_EXCLUDE;
        mkba_error e1, e2;
        mkba_error_clear(&e1);
        mkba_error_clear(&e2);
        mkba_cohort *a = mkba_cohort_read(&spec, &e1);
        mkba_csv_fast_path(0);
        mkba_cohort *b = mkba_cohort_read(&spec, &e2);
        mkba_csv_fast_path(1);
        ck_assert_msg((a == NULL) == (b == NULL), "seed %d: %s / %s", seed, e1.msg, e2.msg);
        ck_assert_str_eq(e1.msg, e2.msg);
        ck_assert_str_eq(e1.where, e2.where);
        ck_assert_int_eq(e1.line, e2.line);
        if (!a) {
            failed++;
            continue;
        }
        read++;
        size_t n = mkba_cohort_size(a);
        ck_assert_uint_eq(n, 500);
        ck_assert_uint_eq(mkba_cohort_size(b), n);
        ck_assert_mem_eq(mkba_cohort_group(a), mkba_cohort_group(b), n);
        for (size_t v = 0; v < 4; v++) {
            ck_assert_mem_eq(mkba_cohort_column(a, v), mkba_cohort_column(b, v),
                             n * sizeof(double));
            for (int g = 0; g <= 1; g++)
                ck_assert_uint_eq(mkba_cohort_missing(a, v, g), mkba_cohort_missing(b, v, g));
        }
        const char *const *la, *const *lb;
        size_t nl = mkba_cohort_levels(a, 3, &la);
        ck_assert_uint_eq(mkba_cohort_levels(b, 3, &lb), nl);
        for (size_t l = 0; l < nl; l++)
            ck_assert_str_eq(la[l], lb[l]);
        mkba_cohort_free(a);
        mkba_cohort_free(b);
    }
    /* both outcomes were compared */
    ck_assert_int_gt(read, 5);
    ck_assert_int_gt(failed, 2);
}
END_TEST

static Suite *cohort_suite(void)
{
    Suite *s = suite_create("cohort");
    TCase *tc = tcase_create("one_file");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_one_file_counts);
    tcase_add_test(tc, test_one_file_values);
    tcase_add_test(tc, test_one_file_missing);
    tcase_add_test(tc, test_one_file_categories);
    tcase_add_test(tc, test_one_file_cr_only);
    tcase_add_test(tc, test_accessors_out_of_range);
    tcase_add_test(tc, test_no_vars);
    tcase_add_test(tc, test_fast_path_same_cohort);
    tcase_add_test(tc, test_plain_cells_same_as_rules);
    suite_add_tcase(s, tc);

    tc = tcase_create("two_files");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_two_files);
    tcase_add_test(tc, test_two_files_group_column_checked);
    tcase_add_test(tc, test_two_files_duplicate_across);
    tcase_add_test(tc, test_two_files_empty_control);
    suite_add_tcase(s, tc);

    tc = tcase_create("header");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_header_exact_match_first);
    tcase_add_test(tc, test_header_case_insensitive);
    tcase_add_test(tc, test_header_ambiguous);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_err_not_a_number);
    tcase_add_test(tc, test_err_wrong_decimal_separator);
    tcase_add_test(tc, test_err_thousands_groups);
    tcase_add_test(tc, test_err_thousands_across_files);
    tcase_add_test(tc, test_thousands_like_but_decimals);
    tcase_add_test(tc, test_err_long_value_cut);
    tcase_add_test(tc, test_err_negative);
    tcase_add_test(tc, test_err_binary);
    tcase_add_test(tc, test_err_group);
    tcase_add_test(tc, test_err_duplicate_id);
    tcase_add_test(tc, test_err_empty_id);
    tcase_add_test(tc, test_err_missing_column);
    tcase_add_test(tc, test_err_headerless_record_not_listed);
    tcase_add_test(tc, test_err_headerless_column_name_not_listed);
    tcase_add_test(tc, test_err_missing_column_index_column);
    tcase_add_test(tc, test_err_missing_column_digit_name);
    tcase_add_test(tc, test_err_missing_column_wide_header);
    tcase_add_test(tc, test_err_missing_policy);
    tcase_add_test(tc, test_err_no_persons);
    tcase_add_test(tc, test_err_csv_passes_through);
    tcase_add_test(tc, test_err_spec);
    tcase_add_test(tc, test_dup_before_later_errors);
    tcase_add_test(tc, test_dup_before_file_verdicts);
    tcase_add_test(tc, test_ids_sharing_hashes);
    tcase_add_test(tc, test_many_ids_one_duplicate);
    suite_add_tcase(s, tc);

    tc = tcase_create("from_arrays");
    tcase_add_test(tc, test_from_arrays);
    tcase_add_test(tc, test_from_arrays_invalid);
    tcase_add_test(tc, test_add_masked);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(cohort_suite());
}

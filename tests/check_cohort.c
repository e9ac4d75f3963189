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
               "missing column 'uitstroom_werk' (header has: id, groep, mnd_werk, leeftijd)");
    /* The group and id columns are required too. */
    spec.group_column = "wijk";
    read_fails(&spec, f, 1, "", "missing column 'wijk' (header has: id, groep, mnd_werk, leeftijd)");
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
    tcase_add_test(tc, test_err_long_value_cut);
    tcase_add_test(tc, test_err_negative);
    tcase_add_test(tc, test_err_binary);
    tcase_add_test(tc, test_err_group);
    tcase_add_test(tc, test_err_duplicate_id);
    tcase_add_test(tc, test_err_empty_id);
    tcase_add_test(tc, test_err_missing_column);
    tcase_add_test(tc, test_err_missing_policy);
    tcase_add_test(tc, test_err_no_persons);
    tcase_add_test(tc, test_err_csv_passes_through);
    tcase_add_test(tc, test_err_spec);
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

/* check_privacy.c - tests of mkba's privacy rules across modules:
 *
 *   - citizen service numbers (BSN): the 11-test on hand-worked numbers,
 *     the refusal of a cohort column that holds them (the 90% rule, missing
 *     values, the two-file form, the exact message), the id exemption, and
 *     that no BSN is ever quoted in a message or written to any output;
 *   - [privacy] min_group in the model: accepted values and the errors;
 *   - disclosure control of the effects table (out.h): which values are
 *     withheld at the threshold (9 and 10 with the default 10), with
 *     min_group = 1, for zeros, and how the terminal report, the CSV
 *     tables and results.json show it; and that no withheld number appears
 *     in any output;
 *   - end to end: the 6-person e2e cohort (tests/data/e2e/) under the
 *     default threshold, and generated cohorts of 9 and 10 per group.
 *
 * Temporary files live in a fresh directory per test (tu_dir). */
#include <check.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mkba/appraisal.h"
#include "mkba/cohort.h"
#include "mkba/error.h"
#include "mkba/mem.h"
#include "mkba/model.h"
#include "mkba/out.h"
#include "testutil.h"

static tu_dir *tmp; /* fresh per test */

static void setup(void)
{
    tmp = tu_dir_new();
}

static void teardown(void)
{
    tu_dir_free(tmp);
    tmp = NULL;
}

/* ============================== helpers ================================ */

/* 'text' with every run of blanks and line breaks made one space, so that
 * a sentence is found wherever the report wrapped it (caller frees). */
static char *squash(const char *text)
{
    char *out = malloc(strlen(text) + 1), *o = out;
    ck_assert_ptr_nonnull(out);
    int blank = 0;
    for (const char *p = text; *p; p++) {
        int b = *p == ' ' || *p == '\n' || *p == '\t' || *p == '\r';
        if (b && !blank)
            *o++ = ' ';
        else if (!b)
            *o++ = *p;
        blank = b;
    }
    *o = '\0';
    return out;
}

/* The text of every file below a directory, each preceded by its path. */
typedef struct tree {
    char *all;
    size_t len;
} tree;

static int tree_add(const char *rel, const char *full, const struct stat *st, void *ctx)
{
    (void)rel;
    tree *t = ctx;
    if (S_ISDIR(st->st_mode))
        return 0;
    char *text = tu_read(full);
    ck_assert_msg(text != NULL, "cannot read %s", full);
    size_t add = strlen(full) + strlen(text) + 2;
    t->all = realloc(t->all, t->len + add + 1);
    ck_assert_ptr_nonnull(t->all);
    snprintf(t->all + t->len, add + 1, "%s\n%s\n", full, text);
    t->len += add;
    free(text);
    return 0;
}

/* Every file under 'dir' (recursively) concatenated, each preceded by its
 * path: one text to search for what must not be there (caller frees). */
static char *tree_text(const char *dir)
{
    tree t = {calloc(1, 1), 0};
    ck_assert_ptr_nonnull(t.all);
    tu_walk(dir, tree_add, &t);
    return t.all;
}

/* Field 'col' (0-based) of line 'row' (0 = header) of CSV text, unquoted
 * fields only (enough for the effects table of these tests). */
static void csv_cell(const char *csv, int row, int col, char sep, char *buf, size_t size)
{
    const char *p = csv;
    for (int r = 0; r < row; r++) {
        p = strchr(p, '\n');
        ck_assert_ptr_nonnull(p);
        p++;
    }
    for (int c = 0; c < col; c++) {
        const char *q = strchr(p, sep), *nl = strchr(p, '\n');
        ck_assert_msg(q && (!nl || q < nl), "row %d has no field %d", row, col);
        p = q + 1;
    }
    size_t n = strcspn(p, sep == ',' ? ",\n" : ";\n");
    snprintf(buf, size, "%.*s", (int)n, p);
}

/* Run mkba with 'args' in the source tree; returns the exit status. */
static int run(const char *const *args, char **out, char **err)
{
    return tu_run(tu_srcdir(), args, out, err);
}

/* The e2e fixture shows its 3 + 3 persons ([privacy] min_group = 1), as
 * its items use its effects, which a larger threshold withholds and then
 * refuses. A 'model_extra' with a [privacy] section of its own takes the
 * fixture's place (these lines are dropped); unless it sets min_group = 1,
 * the items' quantities become constants ("on * effect.werk * 3": "on *
 * 3"), so that the run goes on with the effects withheld. */
static const char *const E2E_PRIVACY = "[privacy]\nmin_group = 1\n\n";

/* 'text' (owned) with every 'from' replaced by 'to' (returns a new text). */
static char *replace_all(char *text, const char *from, const char *to)
{
    char *at;
    while ((at = strstr(text, from)) != NULL) {
        char *next = mkba_xasprintf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
        free(text);
        text = next;
    }
    return text;
}

/* The e2e model text for 'model_extra' (see E2E_PRIVACY; caller frees). */
static char *e2e_model(char *text, const char *model_extra)
{
    if (!model_extra || !strstr(model_extra, "[privacy]"))
        return text;
    text = replace_all(text, E2E_PRIVACY, "");
    if (strstr(model_extra, "min_group = 1\n"))
        return text;
    static const char *const used[] = {"effect.werk * 3", "effect.uren * 3", "effect.assist * 3"};
    for (size_t k = 0; k < 3; k++)
        text = replace_all(text, used[k], "3");
    return text;
}

/* The e2e model, ref and project files copied into tmp; 'model_extra' is
 * appended to model.ini (see E2E_PRIVACY), 'id_from' -> 'id_to' replaces
 * the id mapping (NULL: unchanged); 'cohort' becomes cohort.csv. Returns
 * project.ini. */
static const char *e2e_files(const char *cohort, const char *model_extra, const char *id_to)
{
    const char *names[] = {"model.ini", "ref.ini", "project.ini"};
    for (int i = 0; i < 3; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "tests/data/e2e/%s", names[i]);
        char *src = tu_src(rel);
        char *text = tu_read(src);
        ck_assert_ptr_nonnull(text);
        if (i == 0) {
            text = e2e_model(text, model_extra);
            size_t n = strlen(text) + (model_extra ? strlen(model_extra) : 0) + 256;
            char *m = malloc(n), *at = strstr(text, "id_column = id\n");
            ck_assert_ptr_nonnull(m);
            ck_assert_ptr_nonnull(at);
            snprintf(m, n, "%.*sid_column = %s\n%s%s", (int)(at - text), text,
                     id_to ? id_to : "id", at + strlen("id_column = id\n"),
                     model_extra ? model_extra : "");
            tu_dir_write(tmp, names[i], m);
            free(m);
        } else {
            tu_dir_write(tmp, names[i], text);
        }
        free(text);
        free(src);
    }
    tu_dir_write(tmp, "cohort.csv", cohort);
    return tu_dir_path(tmp, "project.ini");
}

/* ================================ BSN ================================== */

START_TEST(bsn_eleven_test)
{
    /* 111222333: 1*9 + 1*8 + 1*7 + 2*6 + 2*5 + 2*4 + 3*3 + 3*2 - 3*1
     *          = 9 + 8 + 7 + 12 + 10 + 8 + 9 + 6 - 3 = 66 = 6 * 11: valid. */
    ck_assert_int_eq(mkba_cohort_bsn_like("111222333"), 1);
    /* 111222334: 66 - 1 = 65 = 5 * 11 + 10: invalid. */
    ck_assert_int_eq(mkba_cohort_bsn_like("111222334"), 0);
    /* 123456782: 9 + 16 + 21 + 24 + 25 + 24 + 21 + 16 - 2 = 154 = 14 * 11: valid;
     * 123456789: 156 - 9 = 147 = 13 * 11 + 4: invalid. */
    ck_assert_int_eq(mkba_cohort_bsn_like("123456782"), 1);
    ck_assert_int_eq(mkba_cohort_bsn_like("123456789"), 0);
    /* 000000000: the sum is 0, which the 11-test excludes. */
    ck_assert_int_eq(mkba_cohort_bsn_like("000000000"), 0);
    /* 011222335: 0*9 + 1*8 + 1*7 + 2*6 + 2*5 + 2*4 + 3*3 + 3*2 - 5 = 55 = 5 * 11:
     * valid, and so is 11222335, the same number after a spreadsheet
     * dropped its leading zero. */
    ck_assert_int_eq(mkba_cohort_bsn_like("011222335"), 1);
    ck_assert_int_eq(mkba_cohort_bsn_like("11222335"), 1);
    /* The official notation with dots, and surrounding blanks. */
    ck_assert_int_eq(mkba_cohort_bsn_like("1112.22.333"), 1);
    ck_assert_int_eq(mkba_cohort_bsn_like("  111222333 "), 1);
    /* Not 8 or 9 digits, or not only digits: never a BSN. */
    ck_assert_int_eq(mkba_cohort_bsn_like("1112223330"), 0); /* 10 digits */
    ck_assert_int_eq(mkba_cohort_bsn_like("111222333.0"), 0);
    ck_assert_int_eq(mkba_cohort_bsn_like("-111222333"), 0);
    ck_assert_int_eq(mkba_cohort_bsn_like("111..222333"), 0);
    ck_assert_int_eq(mkba_cohort_bsn_like("11122233x"), 0);
    ck_assert_int_eq(mkba_cohort_bsn_like("1234567"), 0);
    ck_assert_int_eq(mkba_cohort_bsn_like(""), 0);
    ck_assert_int_eq(mkba_cohort_bsn_like(NULL), 0);
}
END_TEST

static const mkba_cohort_var bsn_vars[] = {{"y", "y", MKBA_VAR_NUMBER, 0}};

static mkba_cohort_spec bsn_spec(const char *file)
{
    mkba_cohort_spec s = {.file = file, .group_column = "groep", .pilot_value = "pilot",
                          .control_value = "control", .id_column = "id",
                          .dialect = {0, -1}, .n_vars = 1, .vars = bsn_vars};
    return s;
}

/* A cohort of 10 persons whose column 'nr' holds the given 10 values. */
static const char *cohort_with(const char *name, const char *const values[10])
{
    char text[2048];
    size_t used = (size_t)snprintf(text, sizeof text, "id,groep,y,nr\n");
    for (int i = 0; i < 10; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "p%d,%s,%d,%s\n", i,
                                 i < 5 ? "pilot" : "control", i, values[i]);
    return tu_dir_write(tmp, name, text);
}

static const char *const BSN_MSG =
    "looks like Dutch citizen service numbers (BSN: 9 digits passing the 11-test); mkba "
    "refuses to read it. Remove the column, or map it as the person id in the model ([cohort] "
    "id_column = nr) if it is the id";

/* Read 'file'; 1 when it was refused for a BSN column 'nr' (checked
 * exactly), 0 when it was read. */
static int refused(const char *file)
{
    mkba_cohort_spec spec = bsn_spec(file);
    mkba_error err;
    mkba_error_clear(&err);
    mkba_cohort *c = mkba_cohort_read(&spec, &err);
    if (c) {
        mkba_cohort_free(c);
        return 0;
    }
    ck_assert_str_eq(err.file, file);
    ck_assert_int_eq(err.line, 0);
    ck_assert_str_eq(err.where, "column 'nr'");
    ck_assert_str_eq(err.msg, BSN_MSG);
    return 1;
}

/* Hand-worked valid BSNs (see bsn_eleven_test; 222333443: 18 + 16 + 14 +
 * 18 + 15 + 12 + 12 + 8 - 3 = 110 = 10 * 11; 333444553: 27 + 24 + 21 + 24
 * + 20 + 16 + 15 + 10 - 3 = 154; 444555663: 36 + 32 + 28 + 30 + 25 + 20 +
 * 18 + 12 - 3 = 198 = 18 * 11; all checked once with python3). */
#define V1 "111222333"
#define V2 "123456782"
#define V3 "222333443"
#define V4 "333444553"
#define V5 "444555663"
#define V6 "011222335"

START_TEST(bsn_column_refused_90_percent)
{
    /* 9 of 10 values pass: 9 >= 90% -> refused. */
    const char *nine[10] = {V1, V2, V3, V4, V5, V6, V1, V2, V3, "123456789"};
    ck_assert_int_eq(refused(cohort_with("nine.csv", nine)), 1);
    /* 8 of 10: 80% -> read (a few BSN-like values in other numbers are chance). */
    const char *eight[10] = {V1, V2, V3, V4, V5, V6, V1, V2, "123456789", "5"};
    ck_assert_int_eq(refused(cohort_with("eight.csv", eight)), 0);
    /* Missing values do not count: 3 BSNs and 7 missing -> refused. */
    const char *three[10] = {V1, "", "NA", V2, "n/a", ".", "", V3, "", "NA"};
    ck_assert_int_eq(refused(cohort_with("three.csv", three)), 1);
    /* Two values are too few to tell. */
    const char *two[10] = {V1, "", "", V2, "", "", "", "", "", ""};
    ck_assert_int_eq(refused(cohort_with("two.csv", two)), 0);
    /* Dotted, blank-padded (quoted) and zero-dropped forms count too. */
    const char *forms[10] = {"1112.22.333", "\" 123456782 \"", "11222335", V3, V4,
                             V5, V6, V1, V2, V3};
    ck_assert_int_eq(refused(cohort_with("forms.csv", forms)), 1);
}
END_TEST

START_TEST(bsn_failing_numbers_accepted)
{
    /* Nine-digit amounts in cents that fail the 11-test (sums: 123456789
     * 147, 100000001 8, 250000000 58, 987654321 283, 555555555 215,
     * 300000000 27; none a multiple of 11) are read. */
    const char *cents[10] = {"123456789", "100000001", "250000000", "987654321", "555555555",
                             "300000000", "123456789", "100000001", "250000000", "987654321"};
    ck_assert_int_eq(refused(cohort_with("cents.csv", cents)), 0);
}
END_TEST

START_TEST(bsn_id_column_exempt)
{
    /* The same BSNs as the id: read (ids are only checked for duplicates). */
    const char *text = "bsn,groep,y\n" V1 ",pilot,1\n" V2 ",pilot,2\n" V3 ",control,3\n" V4
                       ",control,4\n";
    const char *f = tu_dir_write(tmp, "id.csv", text);
    mkba_cohort_spec spec = bsn_spec(f);
    spec.id_column = "bsn";
    mkba_error err;
    mkba_error_clear(&err);
    mkba_cohort *c = mkba_cohort_read(&spec, &err);
    ck_assert_msg(c != NULL, "%s", err.msg);
    ck_assert_uint_eq(mkba_cohort_size(c), 4);
    mkba_cohort_free(c);
    /* Without the id mapping the same file is refused, naming column bsn. */
    spec.id_column = NULL;
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_cohort_read(&spec, &err));
    ck_assert_str_eq(err.where, "column 'bsn'");
    ck_assert(strstr(err.msg, "([cohort] id_column = bsn)") != NULL);
}
END_TEST

START_TEST(bsn_two_files)
{
    /* The pilot file is clean; the control file has a BSN column: the
     * error names the control file. */
    const char *p = tu_dir_write(tmp, "p.csv", "id,y\na,1\nb,2\n");
    const char *c = tu_dir_write(tmp, "c.csv",
                                 "id,y,nr\nc,1," V1 "\nd,2," V2 "\ne,3," V3 "\n");
    mkba_cohort_spec spec = {.pilot_file = p, .control_file = c, .id_column = "id",
                             .dialect = {0, -1}, .n_vars = 1, .vars = bsn_vars};
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_cohort_read(&spec, &err));
    ck_assert_str_eq(err.file, c);
    ck_assert_str_eq(err.msg, BSN_MSG);
}
END_TEST

START_TEST(bsn_never_echoed)
{
    /* A BSN in a binary column: the message says what was expected but
     * does not quote the number. */
    const char *f = tu_dir_write(tmp, "b.csv", "id,groep,y\na,pilot," V1 "\n");
    mkba_cohort_var v[] = {{"y", "y", MKBA_VAR_BINARY, 0}};
    mkba_cohort_spec spec = bsn_spec(f);
    spec.vars = v;
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_cohort_read(&spec, &err));
    ck_assert_int_eq(err.line, 2);
    ck_assert_str_eq(err.msg, "expected 0 or 1, got a BSN-like number");
    /* A BSN where the group should be. */
    f = tu_dir_write(tmp, "g.csv", "id,groep,y\na," V2 ",1\n");
    spec = bsn_spec(f);
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_cohort_read(&spec, &err));
    ck_assert_str_eq(err.msg, "expected 'pilot' or 'control', got a BSN-like number");
    /* A 9-digit number failing the 11-test is described too, never shown. */
    f = tu_dir_write(tmp, "o.csv", "id,groep,y\na,pilot,123456789\n");
    spec = bsn_spec(f);
    spec.vars = v;
    mkba_error_clear(&err);
    ck_assert_ptr_null(mkba_cohort_read(&spec, &err));
    ck_assert_str_eq(err.msg, "expected 0 or 1, got a number other than 0 or 1");
}
END_TEST

/* The e2e cohort with a column 'bsn' of hand-worked BSNs (see above). */
static const char *const BSN_COHORT = "id,groep,werk,uren,pre,post,bsn\n"
                                      "P1,pilot,1,2.5,4,2," V1 "\n"
                                      "P2,pilot,0,3.5,5,4," V2 "\n"
                                      "P3,pilot,1,4.5,6,3," V3 "\n"
                                      "C1,control,0,1.5,4,4," V4 "\n"
                                      "C2,control,0,2.5,5,5," V5 "\n"
                                      "C3,control,1,1.0,6,5," V6 "\n";

START_TEST(bsn_cli_refused_no_outputs)
{
    const char *proj = e2e_files(BSN_COHORT, NULL, NULL);
    const char *res = tu_dir_path(tmp, "res");
    char *out, *err;
    const char *args[] = {"run", proj, "--out", res, NULL};
    ck_assert_int_eq(run(args, &out, &err), 1);
    char expected[1024];
    snprintf(expected, sizeof expected,
             "mkba: %s: column 'bsn': looks like Dutch citizen service numbers (BSN: 9 digits "
             "passing the 11-test); mkba refuses to read it. Remove the column, or map it as "
             "the person id in the model ([cohort] id_column = bsn) if it is the id\n",
             tu_dir_path(tmp, "cohort.csv"));
    ck_assert_str_eq(err, expected);
    ck_assert_str_eq(out, "");
    struct stat st;
    ck_assert_msg(stat(res, &st) != 0, "output directory was created on failure");
    free(out), free(err);
}
END_TEST

START_TEST(bsn_cli_id_never_in_outputs)
{
    /* Mapped as the id, the BSN column is read; no BSN appears in stdout,
     * stderr or any file the run writes (tables, results.json, Monte Carlo
     * and sensitivity tables, the draws). */
    const char *proj = e2e_files(BSN_COHORT, NULL, "bsn");
    const char *res = tu_dir_path(tmp, "res");
    const char *draws = tu_dir_path(tmp, "draws.csv");
    char *out, *err;
    const char *args[] = {"run",         proj, "--out",       res,   "--draws",     "200",
                          "--bootstrap", "100", "--draws-out", draws, "--sensitivity", NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    const char *eff = tu_dir_path(tmp, "eff.csv");
    const char *model = tu_dir_path(tmp, "model.ini");
    char *out2, *err2;
    const char *args2[] = {"estimate", model, "--out", eff, NULL};
    ck_assert_msg(run(args2, &out2, &err2) == 0, "%s", err2);
    char *files = tree_text(res), *d = tu_read(draws), *e = tu_read(eff);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(e);
    ck_assert(tu_contains(files, "results.json")); /* the search sees the files */
    const char *ids[] = {V1, V2, V3, V4, V5, "11222335" /* V6 with or without its 0 */};
    const char *texts[] = {out, err, files, d, e, out2, err2};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++)
            ck_assert_msg(!tu_contains(texts[t], ids[i]), "BSN %s found in output %zu", ids[i],
                          t);
    free(out), free(err), free(out2), free(err2), free(files), free(d), free(e);
}
END_TEST

START_TEST(bsn_cli_cents_accepted)
{
    /* 9-digit amounts failing the 11-test (see bsn_failing_numbers_accepted). */
    const char *cohort = "id,groep,werk,uren,pre,post,cents\n"
                         "P1,pilot,1,2.5,4,2,123456789\nP2,pilot,0,3.5,5,4,100000001\n"
                         "P3,pilot,1,4.5,6,3,250000000\nC1,control,0,1.5,4,4,987654321\n"
                         "C2,control,0,2.5,5,5,555555555\nC3,control,1,1.0,6,5,300000000\n";
    const char *proj = e2e_files(cohort, NULL, NULL);
    char *out, *err;
    const char *args[] = {"run", proj, "-q", NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    free(out), free(err);
}
END_TEST

/* ============================ [privacy] ================================= */

/* Open the e2e model with 'extra' appended; writes the formatted error
 * into msg ("" when it opened). */
static void open_with(const char *extra, char *msg, size_t size)
{
    e2e_files("id,groep\n", extra, NULL);
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = mkba_model_open(tu_dir_path(tmp, "model.ini"), 0, NULL, &err);
    char buf[2048];
    snprintf(msg, size, "%s", m ? "" : mkba_error_format(&err, buf, sizeof buf));
    mkba_model_free(m);
}

/* Lines of the e2e model.ini, so that errors in appended text have known
 * line numbers. */
static int model_lines(void)
{
    char *src = tu_src("tests/data/e2e/model.ini");
    char *text = e2e_model(tu_read(src), "[privacy]\n");
    ck_assert_ptr_nonnull(text);
    int n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    free(text), free(src);
    return n;
}

START_TEST(privacy_section_errors)
{
    char msg[2048], expected[2048];
    int line = model_lines() + 2; /* "[privacy]" is line +1, the key +2 */
    const char *bad[] = {"0", "-3", "2.5", "ten", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char extra[128];
        snprintf(extra, sizeof extra, "[privacy]\nmin_group = %s\n", bad[i]);
        open_with(extra, msg, sizeof msg);
        snprintf(expected, sizeof expected,
                 "%s:%d: [privacy] min_group: expected a whole number >= 1 (the smallest count "
                 "of persons shown; default 10, 1 shows every count), got '%s'",
                 tu_dir_path(tmp, "model.ini"), line, bad[i]);
        ck_assert_str_eq(msg, expected);
    }
    open_with("[privacy]\nmin_groups = 5\n", msg, sizeof msg);
    ck_assert_msg(tu_contains(msg, "[privacy] min_groups: unknown key 'min_groups' (known: "
                                   "min_group)"),
                  "%s", msg);
    open_with("[privacy]\nmin_group = 1\n", msg, sizeof msg);
    ck_assert_str_eq(msg, "");
    open_with("[privacy]\nmin_group = 25\n", msg, sizeof msg);
    ck_assert_str_eq(msg, "");
}
END_TEST

START_TEST(privacy_not_in_scenarios)
{
    /* A scenario cannot change the threshold: [privacy] is a model section. */
    e2e_files("id,groep\n", NULL, NULL);
    tu_dir_write(tmp, "project.ini",
                 "[scenario]\nname = project\nbase = model.ini\nreference = ref.ini\n"
                 "[privacy]\nmin_group = 1\n");
    char *out, *err;
    const char *args[] = {"check", tu_dir_path(tmp, "project.ini"), NULL};
    ck_assert_int_eq(run(args, &out, &err), 1);
    ck_assert_msg(tu_contains(err, "project.ini:5: [privacy]: a scenario file cannot have this "
                                   "section"),
                  "%s", err);
    free(out), free(err);
}
END_TEST

/* ====================== disclosure control, by hand ===================== */

/* An appraisal with no scenarios and these effects (enough for the effects
 * outputs and results.json). Distinctive means and df so a leak is found
 * by searching the files for their digits. */
static mkba_appraisal *ap_new(size_t min_group)
{
    mkba_appraisal *a = mkba_xcalloc(1, sizeof *a);
    a->version = mkba_xstrdup("0.1.0");
    a->model_name = mkba_xstrdup("privacy test");
    a->model_file = mkba_xstrdup("m.ini");
    a->n_cohort_files = 1;
    a->cohort_files = mkba_xcalloc(1, sizeof *a->cohort_files);
    a->cohort_files[0] = mkba_xstrdup("c.csv");
    a->currency = mkba_xstrdup("EUR");
    a->discount_timing = mkba_xstrdup("start");
    a->min_group = min_group;
    a->effects = mkba_xcalloc(4, sizeof *a->effects);
    return a;
}

static void ap_effect(mkba_appraisal *a, const char *name, mkba_est_method m, size_t np,
                      size_t nc, size_t miss_p, size_t miss_c, double mean_p, double mean_c,
                      double df)
{
    mkba_ap_effect *x = &a->effects[a->n_effects++];
    x->name = mkba_xstrdup(name);
    x->label = mkba_xstrdup("");
    x->e = (mkba_effect){.method = m, .estimate = 2525.2525, .se = 1.5, .df = df,
                         .ci_lo = 2522, .ci_hi = 2528, .mean_pilot = mean_p,
                         .mean_control = mean_c, .n_pilot = np, .n_control = nc,
                         .n_missing = miss_p + miss_c};
    x->missing_pilot = miss_p;
    x->missing_control = miss_c;
}

/* The four effects the tests below reason about:
 *   small_pilot   9 pilot, 50 control, no missing values
 *   at_threshold  10 and 10
 *   small_missing 100 and 120, 3 pilot persons without a value
 *   given_one     a given effect (no persons, no means). */
static mkba_appraisal *four_effects(size_t min_group)
{
    mkba_appraisal *a = ap_new(min_group);
    ap_effect(a, "small_pilot", MKBA_EST_DIFF, 9, 50, 0, 0, 4242.4242, 1717.1717, 57.125);
    ap_effect(a, "at_threshold", MKBA_EST_DIFF, 10, 10, 0, 0, 31.3131, 13.1313, 18.5);
    ap_effect(a, "small_missing", MKBA_EST_DIFF, 100, 120, 3, 0, 6.0606, 5.0505, 218.75);
    mkba_ap_effect *g = &a->effects[a->n_effects++];
    g->name = mkba_xstrdup("given_one");
    g->label = mkba_xstrdup("");
    mkba_effect_given(-2.5, 0.5, &g->e);
    return a;
}

START_TEST(hidden_masks)
{
    mkba_appraisal *a = four_effects(MKBA_MIN_GROUP);
    /* 9 < 10: the pilot count is small, so the effect itself (estimate,
     * SE), the row's other non-zero count (50), both means, df and the CI
     * go; n_missing is 0 and stays. */
    ck_assert_uint_eq(mkba_ap_effect_hidden(a, 0),
                      MKBA_HIDE_ESTIMATE | MKBA_HIDE_N_PILOT | MKBA_HIDE_N_CONTROL |
                          MKBA_HIDE_MEAN_PILOT | MKBA_HIDE_MEAN_CONTROL | MKBA_HIDE_DF |
                          MKBA_HIDE_CI);
    ck_assert(mkba_ap_effect_withheld(a, 0) && !mkba_ap_effect_withheld(a, 1));
    /* 10 is not below 10: everything shown. */
    ck_assert_uint_eq(mkba_ap_effect_hidden(a, 1), 0);
    /* 3 missing in the pilot: the row's non-zero counts (100, 120, 3, 3)
     * and df (with the CI) go; the groups are large, so their means stay;
     * the control's 0 missing stays. */
    ck_assert_uint_eq(mkba_ap_effect_hidden(a, 2),
                      MKBA_HIDE_N_PILOT | MKBA_HIDE_N_CONTROL | MKBA_HIDE_N_MISSING |
                          MKBA_HIDE_MISSING_PILOT | MKBA_HIDE_DF | MKBA_HIDE_CI);
    /* A given effect counts no one. */
    ck_assert_uint_eq(mkba_ap_effect_hidden(a, 3), 0);
    ck_assert_uint_eq(mkba_ap_effect_hidden(a, 4), 0); /* out of range */
    /* The same row with a normal CI (df infinite, as ipw and dr give): the
     * CI is 1.96 SE and gives no count back, so only the counts and df go. */
    double df = a->effects[2].e.df;
    a->effects[2].e.df = INFINITY;
    ck_assert_uint_eq(mkba_ap_effect_hidden(a, 2),
                      MKBA_HIDE_N_PILOT | MKBA_HIDE_N_CONTROL | MKBA_HIDE_N_MISSING |
                          MKBA_HIDE_MISSING_PILOT | MKBA_HIDE_DF);
    a->effects[2].e.df = df;
    /* 9 + 0 + 7 + 0 values withheld (the two CI bounds in each; small_pilot's
     * estimate and SE too). */
    ck_assert_uint_eq(mkba_out_suppressed_cells(a), 16);
    ck_assert_str_eq(mkba_out_hidden_name(MKBA_HIDE_DF), "df");
    ck_assert_str_eq(mkba_out_hidden_name(MKBA_HIDE_MISSING_CONTROL), "missing_control");
    ck_assert_str_eq(mkba_out_hidden_name(3), "");
    /* min_group = 1 shows every count. */
    a->min_group = 1;
    for (size_t i = 0; i < 4; i++)
        ck_assert_uint_eq(mkba_ap_effect_hidden(a, i), 0);
    ck_assert_uint_eq(mkba_out_suppressed_cells(a), 0);
    /* min_group = 11: now 10 is small too. */
    a->min_group = 11;
    ck_assert_uint_ne(mkba_ap_effect_hidden(a, 1) & MKBA_HIDE_N_PILOT, 0);
    mkba_appraisal_free(a);
}
END_TEST

/* The effects part of the terminal report, whitespace squashed. */
static char *terminal(const mkba_appraisal *a)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    mkba_out_print_effects(f, a, 0);
    ck_assert_int_eq(fclose(f), 0);
    char *s = squash(buf);
    free(buf);
    return s;
}

START_TEST(terminal_shows_suppression)
{
    mkba_appraisal *a = four_effects(MKBA_MIN_GROUP);
    char *t = terminal(a);
    /* Rows (squashed): effect, method, estimate, CI, SE, n pilot, n control. */
    /* small_pilot's effect is withheld with its counts (9 pilot persons). */
    ck_assert_msg(tu_contains(t, "small_pilot diff x x x <10 x "), "%s", t);
    ck_assert_msg(tu_contains(t, "at_threshold diff 2525 [2522, 2528] 1.5 10 10 "), "%s", t);
    ck_assert_msg(tu_contains(t, "small_missing diff 2525 x 1.5 x x "), "%s", t);
    ck_assert(tu_contains(t, "Persons left out of an effect for a missing value: not shown "
                             "(disclosure control)."));
    ck_assert(tu_contains(t, "Counts of fewer than 10 persons are suppressed (disclosure "
                             "control; [privacy] min_group). x: withheld too, so that a "
                             "suppressed count cannot be worked out from it."));
    ck_assert(tu_contains(t, "An effect with fewer than 10 persons with a value in a group is "
                             "withheld (x: its estimate, SE and CI), as the effect of so few "
                             "persons comes near their own values."));
    free(t);
    mkba_appraisal_free(a);
}
END_TEST

START_TEST(terminal_note_only_when_suppressed)
{
    /* Only the 10/10 effect and the given one: nothing withheld, no note. */
    mkba_appraisal *a = ap_new(MKBA_MIN_GROUP);
    ap_effect(a, "at_threshold", MKBA_EST_DIFF, 10, 10, 0, 0, 31.3131, 13.1313, 18.5);
    char *t = terminal(a);
    ck_assert_msg(!tu_contains(t, "suppressed") && !tu_contains(t, "not shown"), "%s", t);
    ck_assert(!tu_contains(t, "<10") && !tu_contains(t, "An effect with fewer"));
    free(t);
    mkba_appraisal_free(a);
    /* min_group = 1: the 9 and the 3 missing are shown, no note. */
    a = four_effects(1);
    t = terminal(a);
    ck_assert_msg(tu_contains(t, "small_pilot diff 2525 [2522, 2528] 1.5 9 50 "), "%s", t);
    ck_assert(tu_contains(t, "Persons left out of an effect for a missing value: 3 in all "
                             "effects together."));
    ck_assert(!tu_contains(t, "suppressed") && !tu_contains(t, "An effect with fewer"));
    free(t);
    mkba_appraisal_free(a);
    /* A count that is small only because it is below a raised threshold:
     * "<25" names the model's own min_group. */
    a = four_effects(25);
    t = terminal(a);
    ck_assert_msg(tu_contains(t, "at_threshold diff x x x <25 <25 "), "%s", t);
    ck_assert(tu_contains(t, "Counts of fewer than 25 persons are suppressed"));
    free(t);
    mkba_appraisal_free(a);
}
END_TEST

START_TEST(files_show_suppression)
{
    mkba_appraisal *a = four_effects(MKBA_MIN_GROUP);
    const char *dir = tu_dir_path(tmp, "out");
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_out_write_dir(dir, a, &err), MKBA_OK);
    char path[4096], cell[128];
    snprintf(path, sizeof path, "%s/effects.csv", dir);
    char *csv = tu_read(path);
    ck_assert_ptr_nonnull(csv);
    /* Existing columns keep their places; two are appended. */
    const char *head = "effect,label,method,estimate,se,ci_lo,ci_hi,df,mean_pilot,mean_control,"
                       "n_pilot,n_control,n_missing,suppressed,suppressed_fields\n";
    ck_assert(strncmp(csv, head, strlen(head)) == 0);
    /* small_pilot: estimate (3), SE (4), CI (5, 6), df (7), means (8, 9),
     * n's (10, 11) empty; n_missing 0. */
    const int empty[] = {3, 4, 5, 6, 7, 8, 9, 10, 11};
    for (size_t k = 0; k < 9; k++) {
        csv_cell(csv, 1, empty[k], ',', cell, sizeof cell);
        ck_assert_msg(strcmp(cell, "") == 0, "field %d is '%s'", empty[k], cell);
    }
    csv_cell(csv, 1, 12, ',', cell, sizeof cell);
    ck_assert_str_eq(cell, "0");
    csv_cell(csv, 1, 13, ',', cell, sizeof cell);
    ck_assert_str_eq(cell, "1");
    csv_cell(csv, 1, 14, ',', cell, sizeof cell);
    ck_assert_str_eq(cell, "estimate se ci_lo ci_hi df mean_pilot mean_control n_pilot n_control");
    /* at_threshold: all shown, suppressed 0, no names. */
    csv_cell(csv, 2, 10, ',', cell, sizeof cell);
    ck_assert_str_eq(cell, "10");
    csv_cell(csv, 2, 13, ',', cell, sizeof cell);
    ck_assert_str_eq(cell, "0");
    csv_cell(csv, 2, 14, ',', cell, sizeof cell);
    ck_assert_str_eq(cell, "");
    /* small_missing: means shown (6.0606), counts and df withheld; the
     * pilot's missing count is in results.json only, so it is not named. */
    csv_cell(csv, 3, 8, ',', cell, sizeof cell);
    ck_assert_str_eq(cell, "6.0606"); /* python3: '%.17g' % 6.0606 */
    csv_cell(csv, 3, 14, ',', cell, sizeof cell);
    ck_assert_str_eq(cell, "ci_lo ci_hi df n_pilot n_control n_missing");
    free(csv);
    /* The Dutch table says the same with ';'. */
    snprintf(path, sizeof path, "%s/effects_nl.csv", dir);
    csv = tu_read(path);
    ck_assert_ptr_nonnull(csv);
    csv_cell(csv, 1, 10, ';', cell, sizeof cell);
    ck_assert_str_eq(cell, "");
    csv_cell(csv, 1, 3, ';', cell, sizeof cell);
    ck_assert_str_eq(cell, "");
    csv_cell(csv, 1, 14, ';', cell, sizeof cell);
    ck_assert_str_eq(cell, "estimate se ci_lo ci_hi df mean_pilot mean_control n_pilot n_control");
    free(csv);

    snprintf(path, sizeof path, "%s/results.json", dir);
    char *text = tu_read(path);
    cJSON *j = cJSON_Parse(text);
    ck_assert_ptr_nonnull(j);
    cJSON *priv = cJSON_GetObjectItem(j, "privacy");
    ck_assert(cJSON_GetNumberValue(cJSON_GetObjectItem(priv, "min_group")) == 10);
    ck_assert(cJSON_GetNumberValue(cJSON_GetObjectItem(priv, "suppressed_cells")) == 16);
    cJSON *effs = cJSON_GetObjectItem(j, "effects");
    cJSON *e0 = cJSON_GetArrayItem(effs, 0), *e1 = cJSON_GetArrayItem(effs, 1);
    cJSON *e2 = cJSON_GetArrayItem(effs, 2);
    const char *nulls0[] = {"estimate", "se", "ci_lo",      "ci_hi",   "df",       "mean_pilot",
                            "mean_control", "n_pilot", "n_control"};
    for (size_t k = 0; k < 9; k++)
        ck_assert_msg(cJSON_IsNull(cJSON_GetObjectItem(e0, nulls0[k])), "%s", nulls0[k]);
    ck_assert(cJSON_GetNumberValue(cJSON_GetObjectItem(e0, "n_missing")) == 0);
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(e0, "suppressed")));
    cJSON *names = cJSON_GetObjectItem(e0, "suppressed_fields");
    ck_assert_int_eq(cJSON_GetArraySize(names), 9);
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetArrayItem(names, 0)), "estimate");
    ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetArrayItem(names, 4)), "df");
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(e1, "suppressed")));
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(e1, "suppressed_fields")), 0);
    ck_assert(cJSON_GetNumberValue(cJSON_GetObjectItem(e1, "n_pilot")) == 10);
    /* small_missing: the pilot's 3 missing is null, the control's 0 is 0. */
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(e2, "missing_pilot")));
    ck_assert(cJSON_GetNumberValue(cJSON_GetObjectItem(e2, "missing_control")) == 0);
    ck_assert(cJSON_GetNumberValue(cJSON_GetObjectItem(e2, "mean_pilot")) == 6.0606);
    cJSON_Delete(j);
    free(text);

    /* No withheld number anywhere: small_pilot's means and df, and
     * small_missing's df, in either decimal notation; the estimate is
     * there (so the search works). */
    char *all = tree_text(dir);
    const char *gone[] = {"4242.4242", "4242,4242", "1717.1717", "1717,1717",
                          "57.125",    "57,125",    "218.75",    "218,75"};
    for (size_t k = 0; k < sizeof gone / sizeof gone[0]; k++)
        ck_assert_msg(!tu_contains(all, gone[k]), "%s found in the files", gone[k]);
    ck_assert(tu_contains(all, "2525.2525"));
    free(all);
    char *t = terminal(a);
    ck_assert(!tu_contains(t, "4242") && !tu_contains(t, "1717"));
    free(t);
    mkba_appraisal_free(a);
}
END_TEST

START_TEST(files_nothing_suppressed)
{
    /* min_group = 1: every value is written; the privacy object says 0. */
    mkba_appraisal *a = four_effects(1);
    const char *p = tu_dir_path(tmp, "eff.csv");
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_out_write_effects_csv(p, a, 0, &err), MKBA_OK);
    char *csv = tu_read(p), cell[128];
    ck_assert_ptr_nonnull(csv);
    csv_cell(csv, 1, 10, ',', cell, sizeof cell);
    ck_assert_str_eq(cell, "9");
    csv_cell(csv, 1, 8, ',', cell, sizeof cell);
    ck_assert_str_eq(cell, "4242.4242000000004"); /* python3: '%.17g' % 4242.4242 */
    csv_cell(csv, 1, 13, ',', cell, sizeof cell);
    ck_assert_str_eq(cell, "0");
    free(csv);
    const char *dir = tu_dir_path(tmp, "out");
    ck_assert_int_eq(mkba_out_write_dir(dir, a, &err), MKBA_OK);
    char path[4096];
    snprintf(path, sizeof path, "%s/results.json", dir);
    char *text = tu_read(path);
    cJSON *j = cJSON_Parse(text);
    ck_assert_ptr_nonnull(j);
    cJSON *priv = cJSON_GetObjectItem(j, "privacy");
    ck_assert(cJSON_GetNumberValue(cJSON_GetObjectItem(priv, "min_group")) == 1);
    ck_assert(cJSON_GetNumberValue(cJSON_GetObjectItem(priv, "suppressed_cells")) == 0);
    cJSON_Delete(j);
    free(text);
    mkba_appraisal_free(a);
}
END_TEST

/* ===================== an effect of a small group ======================= */

/* A cohort with a group of 2 persons with a value, 10.125 and 30.125 (written
 * with a fourth decimal, as the reader asks where three beside whole
 * numbers would look like thousands groups) (mean
 * 20.125), and the other of 12, 5 to 16 (mean 10.5, variance 12 * 13 / 12
 * = 13): the pilot group of 2 when 'small_pilot', else the control group.
 * The effect (pilot minus control) is +-9.625; its Welch SE is
 * sqrt(200 / 2 + 13 / 12) = sqrt(101.08333) = 10.05402 (hand-worked: the
 * two values' variance is 2 x 10^2 / 1 = 200). */
static void small_group_model(int small_pilot, const char *item_quantity, const char *privacy)
{
    char cohort[1024];
    size_t used = (size_t)snprintf(cohort, sizeof cohort, "id,groep,y\n");
    const char *two = small_pilot ? "pilot" : "control", *twelve = small_pilot ? "control" : "pilot";
    used += (size_t)snprintf(cohort + used, sizeof cohort - used, "a1,%s,10.1250\na2,%s,30.1250\n",
                             two, two);
    for (int i = 0; i < 12; i++)
        used += (size_t)snprintf(cohort + used, sizeof cohort - used, "b%d,%s,%d\n", i, twelve,
                                 5 + i);
    tu_dir_write(tmp, "c.csv", cohort);
    char model[1024];
    snprintf(model, sizeof model,
             "[model]\nname = small\nhorizon = 2\nfirst_year = 2020\nprice_year = 2020\n"
             "discount_rate = 0\nstakeholders = city\n[cohort]\nfile = c.csv\n"
             "group_column = groep\nid_column = id\n[outcome.y]\ntype = number\n%s"
             "[parameters]\non = 0\n[item.work]\nkind = benefit\nstakeholder = city\n"
             "quantity = %s\nprice = 100\n[param.u]\nvalue = 1\ndistribution = normal(1, 0.1)\n",
             privacy, item_quantity);
    tu_dir_write(tmp, "m.ini", model);
    tu_dir_write(tmp, "ref.ini", "[scenario]\nname = ref\nbase = m.ini\n");
    tu_dir_write(tmp, "p.ini", "[scenario]\nname = proj\nbase = m.ini\nreference = ref.ini\n"
                               "[parameters]\non = 1\n");
}

/* Everything a run (terminal, --out with charts, --report, --xlsx's
 * sheets as text, --draws-out, a Monte Carlo), the sensitivity analysis
 * and mkba estimate write and print for small_group_model (caller frees). */
static char *small_group_outputs(void)
{
    const char *res = tu_dir_path(tmp, "res");
    char *report = mkba_xasprintf("%s/report.html", res), *xlsx = mkba_xasprintf("%s/w.xlsx", res);
    char *draws = mkba_xasprintf("%s/draws.csv", res), *sens = mkba_xstrdup(tu_dir_path(tmp, "sens"));
    char *p = mkba_xstrdup(tu_dir_path(tmp, "p.ini")), *m = mkba_xstrdup(tu_dir_path(tmp, "m.ini"));
    char *out[3], *err[3];
    const char *a1[] = {"run", p, "--out", res, "--report", report, "--xlsx", xlsx,
                        "--draws", "400", "--draws-out", draws, NULL};
    ck_assert_msg(run(a1, &out[0], &err[0]) == 0, "%s", err[0]);
    const char *a2[] = {"sensitivity", p, "--out", sens, NULL};
    ck_assert_msg(run(a2, &out[1], &err[1]) == 0, "%s", err[1]);
    const char *a3[] = {"estimate", m, NULL};
    ck_assert_msg(run(a3, &out[2], &err[2]) == 0, "%s", err[2]);
    /* The workbook's XML, unzipped by python3's zipfile (an independent reader). */
    char cmd[8192], buf[4096];
    snprintf(cmd, sizeof cmd,
             "python3 -c \"import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); "
             "print(''.join(z.read(n).decode('utf-8','replace') for n in z.namelist()))\" '%s'",
             xlsx);
    FILE *f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    char *book = mkba_xstrdup("");
    size_t n;
    while ((n = fread(buf, 1, sizeof buf - 1, f)) > 0) {
        buf[n] = '\0';
        char *next = mkba_xasprintf("%s%s", book, buf);
        free(book);
        book = next;
    }
    ck_assert_int_eq(pclose(f), 0);
    ck_assert(tu_contains(book, "<worksheet")); /* the reader read it */
    char *files = tree_text(res), *files2 = tree_text(sens);
    char *all = mkba_xasprintf("%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s", out[0], err[0], out[1],
                               err[1], out[2], err[2], files, files2, book);
    for (int k = 0; k < 3; k++)
        free(out[k]), free(err[k]);
    free(files), free(files2), free(book), free(report), free(xlsx), free(draws), free(sens);
    free(p), free(m);
    return all;
}

/* The effect's estimate and SE (see small_group_model) in any output's
 * notation: full precision and rounded, either decimal mark. */
static const char *const SMALL_EFFECT_FORMS[] = {"9.625", "9,625", "10.054", "10,054",
                                                 "10.05", "10,05"};

/* One cohort's checks (pilot group small or control group small). */
static void small_group_checks(int small_pilot)
{
    const char *group = small_pilot ? "pilot" : "control";
    /* An item that uses the effect: refused, the effect and min_group
     * named, the count of 2 not. */
    small_group_model(small_pilot, "on * effect.y", "");
    char *out, *err, want[512];
    const char *args[] = {"run", tu_dir_path(tmp, "p.ini"), NULL};
    ck_assert_int_eq(run(args, &out, &err), 1);
    snprintf(want, sizeof want,
             "m.ini:19: [item.work] quantity: uses effect.y, which the outputs withhold: effect "
             "'y' has fewer than 10 persons with a value in the %s group ([privacy] min_group = "
             "10), and the item's amounts would give it away. Leave it out of the item, or lower "
             "[privacy] min_group (the outputs then show it, and the counts, too)\n",
             group);
    ck_assert_msg(tu_contains(err, want), "%s", err);
    ck_assert(!tu_contains(err, " 2 ") && !tu_contains(err, "9.6"));
    ck_assert_str_eq(out, "");
    free(out), free(err);
    /* check and sensitivity refuse it too; through a parameter as well. */
    const char *cmds[] = {"check", "sensitivity"};
    for (int k = 0; k < 2; k++) {
        const char *a2[] = {cmds[k], tu_dir_path(tmp, "p.ini"), NULL};
        ck_assert_int_eq(run(a2, &out, &err), 1);
        ck_assert_msg(tu_contains(err, "uses effect.y, which the outputs withhold"), "%s", err);
        free(out), free(err);
    }
    small_group_model(small_pilot, "on * gain", "[param.gain]\nvalue = se.y * 2\n");
    ck_assert_int_eq(run(args, &out, &err), 1);
    ck_assert_msg(tu_contains(err, "uses gain (through parameter 'gain')") ||
                      tu_contains(err, "uses se.y (through parameter 'gain')"),
                  "%s", err);
    free(out), free(err);

    /* Not used by an item: the run goes on, the effect withheld in every
     * output. */
    small_group_model(small_pilot, "on * 5", "");
    char *all = small_group_outputs();
    for (size_t k = 0; k < sizeof SMALL_EFFECT_FORMS / sizeof SMALL_EFFECT_FORMS[0]; k++)
        ck_assert_msg(!tu_contains(all, SMALL_EFFECT_FORMS[k]), "%s is in an output (%s group)",
                      SMALL_EFFECT_FORMS[k], group);
    char *t = squash(all);
    ck_assert_msg(tu_contains(t, small_pilot ? "y diff x x x <10 x" : "y diff x x x x <10"),
                  "%.3000s", t);
    ck_assert(tu_contains(t, "An effect with fewer than 10 persons with a value in a group is "
                             "withheld (x: its estimate, SE and CI)"));
    /* The report's note, and its Monte Carlo table: estimate, analytic and
     * bootstrap CI all "x". */
    ck_assert(tu_contains(t, "is withheld (x: its estimate and confidence intervals)"));
    ck_assert_msg(tu_contains(t, "y x x x "), "%.3000s", t);
    /* Society's NPV: 5 x 100 in each of 2 years, undiscounted: 1,000. */
    ck_assert(tu_contains(t, "NPV (saldo) EUR 1,000"));
    free(t);
    free(all);
    /* effects.csv: estimate (3) to n_control (11) empty, fields named;
     * mc_effects.csv: estimate, both CIs, draws' mean and SD empty;
     * mc_voi.csv: its EVPPI empty. */
    char path[4096], cell[128];
    snprintf(path, sizeof path, "%s/effects.csv", tu_dir_path(tmp, "res"));
    char *csv = tu_read(path);
    for (int c = 3; c <= 11; c++) {
        csv_cell(csv, 1, c, ',', cell, sizeof cell);
        ck_assert_msg(strcmp(cell, "") == 0, "effects.csv field %d: '%s'", c, cell);
    }
    csv_cell(csv, 1, 14, ',', cell, sizeof cell);
    ck_assert_str_eq(cell, "estimate se ci_lo ci_hi df mean_pilot mean_control n_pilot n_control");
    free(csv);
    snprintf(path, sizeof path, "%s/mc_effects.csv", tu_dir_path(tmp, "res"));
    csv = tu_read(path);
    const int mc_empty[] = {1, 2, 3, 4, 5, 7, 8};
    for (int k = 0; k < 7; k++) {
        csv_cell(csv, 1, mc_empty[k], ',', cell, sizeof cell);
        ck_assert_msg(strcmp(cell, "") == 0, "mc_effects.csv field %d: '%s'", mc_empty[k], cell);
    }
    free(csv);
    snprintf(path, sizeof path, "%s/mc_voi.csv", tu_dir_path(tmp, "res"));
    csv = tu_read(path);
    ck_assert_msg(tu_contains(csv, "\nevppi:y,,proj,"), "%s", csv);
    free(csv);
    /* results.json: null, in the effects and the Monte Carlo. */
    snprintf(path, sizeof path, "%s/results.json", tu_dir_path(tmp, "res"));
    char *text = tu_read(path);
    cJSON *j = cJSON_Parse(text);
    ck_assert_ptr_nonnull(j);
    cJSON *e0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "effects"), 0);
    const char *nulls[] = {"estimate", "se", "ci_lo", "ci_hi", "df"};
    for (int k = 0; k < 5; k++)
        ck_assert_msg(cJSON_IsNull(cJSON_GetObjectItem(e0, nulls[k])), "%s", nulls[k]);
    cJSON *mc = cJSON_GetObjectItem(j, "monte_carlo");
    cJSON *me = cJSON_GetObjectItem(cJSON_GetObjectItem(mc, "effects"), "y");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(me, "bootstrap_ci_lo")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(me, "bootstrap_ci_hi")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(me, "draws"), "mean")));
    cJSON *voi = cJSON_GetObjectItem(mc, "value_of_information");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(voi, "evppi"), "y")));
    cJSON_Delete(j);
    free(text);
    /* --draws-out: the effect's column (after the draw and u) is empty in
     * every draw. */
    snprintf(path, sizeof path, "%s/draws.csv", tu_dir_path(tmp, "res"));
    csv = tu_read(path);
    csv_cell(csv, 0, 2, ',', cell, sizeof cell);
    ck_assert_str_eq(cell, "effect.y");
    for (int r = 1; r <= 400; r += 133) {
        csv_cell(csv, r, 2, ',', cell, sizeof cell);
        ck_assert_msg(strcmp(cell, "") == 0, "draw %d: '%s'", r, cell);
    }
    free(csv);
    /* --two-way on it: refused. */
    const char *tw[] = {"sensitivity", tu_dir_path(tmp, "p.ini"), "--two-way", "effect.y,u", NULL};
    ck_assert_int_eq(run(tw, &out, &err), 1);
    ck_assert_msg(tu_contains(err, "--two-way: effect.y is withheld by the outputs"), "%s", err);
    free(out), free(err);

    /* min_group = 1 shows it, and the item may use it. */
    tu_dir_free(tmp);
    tmp = tu_dir_new();
    small_group_model(small_pilot, "on * effect.y", "[privacy]\nmin_group = 1\n");
    all = small_group_outputs();
    ck_assert(tu_contains(all, small_pilot ? "9.625" : "-9.625"));
    ck_assert(tu_contains(all, "10.054"));
    ck_assert(!tu_contains(all, "An effect with fewer"));
    free(all);
}

START_TEST(small_pilot_effect_withheld)
{
    small_group_checks(1);
}
END_TEST

START_TEST(small_control_effect_withheld)
{
    small_group_checks(0);
}
END_TEST

/* ============================ end to end ================================ */

START_TEST(e2e_default_suppresses)
{
    /* tests/data/e2e's cohort (3 pilot and 3 control persons, all below
     * 10) under the default threshold, its items' quantities constants
     * (e2e_files): every effect is withheld whole, the run goes on. */
    char *cohort_path = tu_src("tests/data/e2e/cohort.csv");
    char *cohort = tu_read(cohort_path);
    ck_assert_ptr_nonnull(cohort);
    const char *proj = e2e_files(cohort, "\n[privacy]\nmin_group = 10\n", NULL);
    free(cohort), free(cohort_path);
    char *out, *err;
    const char *res = tu_dir_path(tmp, "res");
    const char *args[] = {"run", proj, "--out", res, NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    char *t = squash(out);
    /* The effect, its CI and SE go with the counts. */
    ck_assert_msg(tu_contains(t, "werk diff x x x <10 <10"), "%s", t);
    ck_assert(tu_contains(t, "Counts of fewer than 10 persons are suppressed (disclosure "
                             "control; [privacy] min_group). x: withheld too"));
    /* The items without the effects: work 3 x 900 in year 1 for people,
     * staff 3 x 40 in year 1 for the city, assist a transfer (0 for
     * society): NPV 2,700 - 120 = 2,580. */
    ck_assert_msg(tu_contains(t, "NPV (saldo) EUR 2,580"), "%s", t);
    free(t);
    char path[4096];
    snprintf(path, sizeof path, "%s/results.json", res);
    char *text = tu_read(path);
    cJSON *j = cJSON_Parse(text);
    ck_assert_ptr_nonnull(j);
    cJSON *priv = cJSON_GetObjectItem(j, "privacy");
    ck_assert(cJSON_GetNumberValue(cJSON_GetObjectItem(priv, "min_group")) == 10);
    /* 3 effects x (estimate, SE, 2 CI bounds, df, 2 means, 2 group
     * counts); no missing values. */
    ck_assert(cJSON_GetNumberValue(cJSON_GetObjectItem(priv, "suppressed_cells")) == 27);
    cJSON_Delete(j);
    free(text);
    /* Withheld values are nowhere, in either notation: assist's control
     * mean of post, 14/3 (pilot 3), the df of uren and assist (check_cli.c
     * derives them), werk's estimate 1/3 and SE sqrt(1/9 + 1/9) = 0.4714,
     * uren's estimate 3.5 - 5/3 = 1.8333 and SE sqrt(1/3 + (7/12)/3) =
     * 0.72648 (e2e_min_group_1_shows_counts finds these digits when they
     * are shown). */
    char *all = tree_text(res);
    /* werk's CI: pilot 1, 0, 1 and control 0, 0, 1 (variances 1/3) give
     * 1/3 +- t(0.975, 4) x sqrt(1/9 + 1/9) (Welch df = (2/9)^2 / (2 (1/9)^2
     * / 2) = 4, t = 2.776445 from any t table): [-0.97551, 1.64218]. */
    const char *gone[] = {"4.6666666", "4,6666666", "3.7409326", "3,7409326",
                          "3.2000000000000002", "3,2000000000000002", "-0.9755", "-0,9755",
                          "1.642", "1,642", "0.33333", "0,33333", "0.4714", "0,4714",
                          "1.8333", "1,8333", "0.7264", "0,7264", "0.7265", "0,7265"};
    for (size_t k = 0; k < sizeof gone / sizeof gone[0]; k++) {
        ck_assert_msg(!tu_contains(all, gone[k]), "%s found in the files", gone[k]);
        ck_assert(!tu_contains(out, gone[k]));
    }
    free(all);
    free(out), free(err);
    /* mkba estimate prints the same. */
    const char *args2[] = {"estimate", tu_dir_path(tmp, "model.ini"), NULL};
    ck_assert_int_eq(run(args2, &out, &err), 0);
    t = squash(out);
    ck_assert_msg(tu_contains(t, "uren diff x x x <10 <10"), "%s", t);
    ck_assert(tu_contains(t, "Counts of fewer than 10 persons are suppressed"));
    free(t);
    free(out), free(err);
    /* The fixture's own items (on * effect.werk * 3 ...) under the default
     * threshold: refused, the effect named. */
    char *model = tu_read(tu_dir_path(tmp, "model.ini"));
    model = replace_all(model, "on * 3", "on * effect.werk * 3");
    tu_dir_write(tmp, "model.ini", model);
    free(model);
    const char *args3[] = {"run", proj, NULL};
    ck_assert_int_eq(run(args3, &out, &err), 1);
    ck_assert_msg(tu_contains(err, "[item.work] quantity: uses effect.werk, which the outputs "
                                   "withhold: effect 'werk' has fewer than 10 persons with a "
                                   "value in the pilot group ([privacy] min_group = 10)"),
                  "%s", err);
    free(out), free(err);
}
END_TEST

START_TEST(e2e_min_group_1_shows_counts)
{
    /* [privacy] min_group = 1 turns disclosure control off: the counts are
     * 3 and 3 again, no note, the means are written. */
    char *cohort_path = tu_src("tests/data/e2e/cohort.csv");
    char *cohort = tu_read(cohort_path);
    ck_assert_ptr_nonnull(cohort);
    const char *proj = e2e_files(cohort, "\n[privacy]\nmin_group = 1\n", NULL);
    free(cohort), free(cohort_path);
    const char *res = tu_dir_path(tmp, "res");
    char *out, *err;
    const char *args[] = {"run", proj, "--out", res, NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    char *t = squash(out);
    ck_assert_msg(tu_contains(t, "werk diff 0.3333 [-0.9755, 1.642] 0.4714 3 3"), "%s", t);
    ck_assert(!tu_contains(t, "suppressed"));
    free(t);
    char path[4096], cell[128];
    snprintf(path, sizeof path, "%s/effects.csv", res);
    char *csv = tu_read(path);
    ck_assert_ptr_nonnull(csv);
    csv_cell(csv, 2, 9, ',', cell, sizeof cell); /* uren's control mean 5/3 */
    ck_assert_str_eq(cell, "1.6666666666666667");
    csv_cell(csv, 2, 10, ',', cell, sizeof cell);
    ck_assert_str_eq(cell, "3");
    free(csv);
    /* The digits e2e_default_suppresses looks for are there when shown. */
    char *all = tree_text(res);
    ck_assert(tu_contains(all, "4.6666666") && tu_contains(all, "4,6666666"));
    ck_assert(tu_contains(all, "3.7409326") && tu_contains(all, "3.2000000000000002"));
    ck_assert(tu_contains(all, "0.33333") && tu_contains(all, "0.4714"));
    ck_assert(tu_contains(all, "1.8333") && tu_contains(all, "0.7264"));
    free(all);
    free(out), free(err);
}
END_TEST

/* A cohort of np pilot and nc control persons (outcome y = i mod 3, so
 * both groups vary). */
static char *sized_cohort(int np, int nc)
{
    size_t cap = 64 + 32 * (size_t)(np + nc), used = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    used += (size_t)snprintf(text, cap, "id,groep,y\n");
    for (int i = 0; i < np + nc; i++)
        used += (size_t)snprintf(text + used, cap - used, "p%d,%s,%d\n", i,
                                 i < np ? "pilot" : "control", i % 3);
    return text;
}

static char *run_sized(int np, int nc)
{
    char *cohort = sized_cohort(np, nc);
    tu_dir_write(tmp, "c.csv", cohort);
    free(cohort);
    tu_dir_write(tmp, "m.ini",
                 "[model]\nname = sized\nhorizon = 1\nfirst_year = 2020\nprice_year = 2020\n"
                 "discount_rate = 0\nstakeholders = city\n[cohort]\nfile = c.csv\n"
                 "group_column = groep\nid_column = id\n[outcome.y]\ntype = number\n");
    char *out, *err;
    const char *args[] = {"estimate", tu_dir_path(tmp, "m.ini"), NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    free(err);
    char *t = squash(out);
    free(out);
    return t;
}

START_TEST(e2e_threshold_9_and_10)
{
    /* 9 pilot persons: "<10", and the control's 10 is withheld with it. */
    char *t = run_sized(9, 10);
    ck_assert_msg(tu_contains(t, " <10 x "), "%s", t);
    ck_assert(tu_contains(t, "Counts of fewer than 10 persons are suppressed"));
    ck_assert(tu_contains(t, "x: withheld too"));
    free(t);
    /* 10 and 10: shown, no note. */
    t = run_sized(10, 10);
    ck_assert_msg(tu_contains(t, " 10 10 "), "%s", t);
    ck_assert(!tu_contains(t, "suppressed") && !tu_contains(t, "<10"));
    free(t);
}
END_TEST

/* A parameter derived from a withheld group mean (tests/data/e2e: 3 and 3
 * persons, so both means of uren are withheld): hours = mean_control.uren
 * * 7777 = 5/3 * 7777 = 12961.67 (check_cli.c works out the means), and the
 * uncertain hours_u = mean_pilot.uren * 7777 = 3.5 * 7777 = 27219.5, its
 * base case in the sensitivity tables. */
static const char *const DERIVED = "\n[param.hours]\nvalue = mean_control.uren * 7777\n"
                                   "[param.hours_u]\nvalue = mean_pilot.uren * 7777\n"
                                   "distribution = normal(30000, 100)\n";
/* Those two values as any output could write them: full precision (both
 * decimal marks), the report's rounded amounts (both languages). */
static const char *const DERIVED_FORMS[] = {"12961.666", "12961,666", "12,962", "12.962",
                                            "27219.5",   "27219,5",   "27,220", "27.220"};

/* Run (with the report, a Monte Carlo and its draws file) and the
 * sensitivity analysis on the e2e files plus DERIVED and 'extra'; returns
 * everything they wrote and printed. */
static char *derived_outputs(const char *extra)
{
    char *cohort_path = tu_src("tests/data/e2e/cohort.csv");
    char *cohort = tu_read(cohort_path);
    ck_assert_ptr_nonnull(cohort);
    char model[512];
    snprintf(model, sizeof model, "%s%s", DERIVED, extra);
    const char *proj = e2e_files(cohort, model, NULL);
    free(cohort), free(cohort_path);
    char *res = mkba_xstrdup(tu_dir_path(tmp, "res")), *sens = mkba_xstrdup(tu_dir_path(tmp, "sens"));
    char report[4096], draws[4096];
    snprintf(report, sizeof report, "%s/report.html", res);
    snprintf(draws, sizeof draws, "%s/draws.csv", res);
    char *out, *err, *out2, *err2;
    const char *args[] = {"run", proj, "--out", res, "--report", report, "--draws", "50",
                          "--draws-out", draws, "--no-charts", NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    const char *args2[] = {"sensitivity", proj, "--out", sens, NULL};
    ck_assert_msg(run(args2, &out2, &err2) == 0, "%s", err2);
    char *files = tree_text(res), *files2 = tree_text(sens);
    char *all = mkba_xasprintf("%s\n%s\n%s\n%s\n%s\n%s", out, err, out2, err2, files, files2);
    free(out), free(err), free(out2), free(err2), free(files), free(files2), free(res), free(sens);
    return all;
}

START_TEST(e2e_derived_value_withheld)
{
    char *all = derived_outputs("[privacy]\nmin_group = 10\n");
    for (size_t k = 0; k < sizeof DERIVED_FORMS / sizeof DERIVED_FORMS[0]; k++)
        ck_assert_msg(!tu_contains(all, DERIVED_FORMS[k]), "%s is in an output",
                      DERIVED_FORMS[k]);
    /* The report shows both parameters as "x", with the note. */
    ck_assert(tu_contains(all, "<strong>x</strong>"));
    char *t = squash(all);
    ck_assert(tu_contains(t, "x: computed from a suppressed count or group mean, and so "
                             "withheld too"));
    /* sens_tornado.csv: hours_u's base (5th field) is empty, its P10 is not. */
    /* (every swing is 0 now that the items use no effect: hours_u ranks first) */
    ck_assert_msg(tu_contains(t, "project,hours_u,1,society,,29871.84"), "%.2000s", t);
    /* 27219.5 lies below normal(30000, 100)'s P1 (29767), but a withheld
     * value is not checked: whether a warning fired would tell its side. */
    ck_assert_msg(!tu_contains(t, "P1-P99"), "a P1-P99 warning on a withheld value");
    free(t);
    free(all);
    /* With min_group = 1 nothing is withheld and the same search finds the
     * values (so the search above could fail). */
    tu_dir_free(tmp);
    tmp = tu_dir_new();
    all = derived_outputs("[privacy]\nmin_group = 1\n");
    const char *shown[] = {"12,962", "27219.5", "27,220"};
    for (size_t k = 0; k < sizeof shown / sizeof shown[0]; k++)
        ck_assert_msg(tu_contains(all, shown[k]), "%s is in no output", shown[k]);
    ck_assert(!tu_contains(all, "<strong>x</strong>"));
    free(all);
}
END_TEST

/* A cohort of 30 pilot and 40 control persons in which 3 pilot persons
 * lack the outcome y (y = i mod 3 otherwise). */
static char *missing_cohort(void)
{
    size_t cap = 64 + 32 * 70, used = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    used += (size_t)snprintf(text, cap, "id,groep,y\n");
    for (int i = 0; i < 70; i++)
        used += (size_t)snprintf(text + used, cap - used, "p%d,%s,%s\n", i,
                                 i < 30 ? "pilot" : "control",
                                 i < 3 ? "" : i % 3 ? "1" : "2");
    return text;
}

START_TEST(e2e_few_missing_show_group_sizes)
{
    char *cohort = missing_cohort();
    tu_dir_write(tmp, "c.csv", cohort);
    free(cohort);
    tu_dir_write(tmp, "m.ini",
                 "[model]\nname = missing\nhorizon = 1\nfirst_year = 2020\nprice_year = 2020\n"
                 "discount_rate = 0\nstakeholders = city\n[cohort]\nfile = c.csv\n"
                 "group_column = groep\nid_column = id\n[outcome.y]\ntype = number\n");
    const char *csv = tu_dir_path(tmp, "e.csv");
    char *out, *err;
    const char *args[] = {"estimate", tu_dir_path(tmp, "m.ini"), "--out", csv, NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    char *t = squash(out);
    /* The groups' sizes, 30 and 40, marked; not the 27 pilot persons with
     * a value (30 - 27 would give the 3 missing back), not "x". */
    ck_assert_msg(tu_contains(t, " 30* 40* "), "%s", t);
    ck_assert(tu_contains(t, "*: the size of the group in the cohort; fewer than 10 of its "
                             "persons lack a value and are left out of the effect, their "
                             "number withheld."));
    ck_assert(tu_contains(t, "Persons left out of an effect for a missing value: not shown"));
    ck_assert(!tu_contains(t, " 27 "));
    free(t);
    free(out), free(err);
    /* effects.csv: the CI (5, 6), df (7), the means (8, 9: 27 persons' mean
     * of whole numbers, 55/27, would give the 27 back) and n_missing (12)
     * empty, n_pilot 30, n_control 40, suppressed 1 with the fields named. */
    char *text = tu_read(csv), cell[128];
    ck_assert_ptr_nonnull(text);
    const int col[] = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
    const char *want[] = {"",   "",   "", "", "", "30",
                          "40", "",   "1", "ci_lo ci_hi df mean_pilot mean_control n_missing"};
    for (int k = 0; k < 10; k++) {
        csv_cell(text, 1, col[k], ',', cell, sizeof cell);
        ck_assert_msg(strcmp(cell, want[k]) == 0, "field %d: '%s', expected '%s'", col[k], cell,
                      want[k]);
    }
    free(text);
}
END_TEST

/* The same when the outcome is complete but a covariate of an OLS effect
 * is missing for 3 pilot and 12 control persons (15 in all, not small): the
 * 27 pilot persons used would give the 3 back from the group size (30), so
 * the group sizes are shown instead. */
START_TEST(e2e_few_missing_covariate_show_group_sizes)
{
    size_t cap = 64 + 40 * 70, used = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    used += (size_t)snprintf(text, cap, "id,groep,y,x\n");
    for (int i = 0; i < 70; i++)
        used += (size_t)snprintf(text + used, cap - used, "p%d,%s,%d,%s\n", i,
                                 i < 30 ? "pilot" : "control", i % 3,
                                 i < 3 || (i >= 40 && i < 52) ? "" : i % 5 ? "1" : "4");
    tu_dir_write(tmp, "c.csv", text);
    free(text);
    tu_dir_write(tmp, "m.ini",
                 "[model]\nname = missing\nhorizon = 1\nfirst_year = 2020\nprice_year = 2020\n"
                 "discount_rate = 0\nstakeholders = city\n[cohort]\nfile = c.csv\n"
                 "group_column = groep\nid_column = id\n[outcome.y]\ntype = number\n"
                 "method = ols\ncovariates = x\n[covariate.x]\n");
    char *out, *err;
    const char *args[] = {"estimate", tu_dir_path(tmp, "m.ini"), NULL};
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    char *t = squash(out);
    ck_assert_msg(tu_contains(t, " 30* 40* "), "%s", t);
    ck_assert_msg(!tu_contains(t, " 27 "), "%s", t);
    free(t);
    free(out), free(err);
}
END_TEST

/* ================ propensity model: merged overlap bins ================= */

/* Every published bin holds 0 or at least min_group persons, the bins
 * tile [0, 1] in order, and the counts add up to the total. */
static void bins_safe(const mkba_ps_bin *b, size_t m, size_t min_group, size_t total)
{
    size_t sum = 0;
    for (size_t i = 0; i < m; i++) {
        ck_assert_msg(b[i].n == 0 || b[i].n >= min_group, "bin %zu holds %zu", i, b[i].n);
        ck_assert(b[i].from < b[i].to);
        ck_assert(i == 0 ? b[i].from == 0 : b[i].from == b[i - 1].to);
        sum += b[i].n;
    }
    ck_assert(m == 0 || b[m - 1].to == 1);
    ck_assert_uint_eq(sum, total);
}

START_TEST(ps_bins_merge_left_to_right)
{
    mkba_ps_bin b[4];
    /* 3 + 4 + 5 = 12 >= 10 closes the first bin over quarters 0-2; 20
     * stands alone */
    const size_t c1[] = {3, 4, 5, 20};
    ck_assert_uint_eq(mkba_ps_merge_bins(c1, 4, 10, b), 2);
    ck_assert(b[0].from == 0 && b[0].to == 0.75 && b[0].n == 12);
    ck_assert(b[1].from == 0.75 && b[1].to == 1 && b[1].n == 20);
    ck_assert(b[0].share == 12.0 / 32 && b[1].share == 20.0 / 32);
    bins_safe(b, 2, 10, 32);
    /* 15, 12 shown; the naive "last bin = total minus the others" would
     * publish 43 - 15 - 12 = 4: the tail goes into the bin before it */
    const size_t c2[] = {15, 12, 4};
    ck_assert_uint_eq(mkba_ps_merge_bins(c2, 3, 10, b), 2);
    ck_assert(b[0].n == 15 && b[0].to == 1.0 / 3);
    ck_assert(b[1].n == 16 && b[1].from == 1.0 / 3 && b[1].to == 1);
    bins_safe(b, 2, 10, 31);
    /* empty bins stay empty (zero discloses no one) */
    const size_t c3[] = {0, 10, 0, 0};
    ck_assert_uint_eq(mkba_ps_merge_bins(c3, 4, 10, b), 4);
    ck_assert(b[0].n == 0 && b[1].n == 10 && b[2].n == 0 && b[3].n == 0);
    ck_assert(b[2].share == 0);
    bins_safe(b, 4, 10, 10);
}
END_TEST

START_TEST(ps_bins_tail_past_empty_bins)
{
    mkba_ps_bin b[4];
    /* 20, then 3 followed by empties: the small tail (3) runs to the end
     * and is merged into the 20, not into an empty bin */
    const size_t c1[] = {20, 3, 0, 0};
    ck_assert_uint_eq(mkba_ps_merge_bins(c1, 4, 10, b), 1);
    ck_assert(b[0].from == 0 && b[0].to == 1 && b[0].n == 23 && b[0].share == 1);
    /* 12, two empty bins, a tail of 2: the naive "into the last shown
     * bin" would put 2 into the empty bin [0.5, 0.75) */
    const size_t c2[] = {12, 0, 0, 2};
    ck_assert_uint_eq(mkba_ps_merge_bins(c2, 4, 10, b), 1);
    ck_assert(b[0].n == 14 && b[0].to == 1);
    bins_safe(b, 1, 10, 14);
    /* the fixture's pilot histogram (tu_ps_diag), 20 bins of 0.05:
     * 0 0 | 3 0 12 -> 15 | 5 5 -> 10 | 0 | 10 | 0 x7 | 13 0 0 2 -> 15 */
    mkba_ps_diag *d = tu_ps_diag();
    mkba_ps_bin p[MKBA_PS_BINS];
    ck_assert_uint_eq(mkba_ps_merge_bins(d->bins[1], MKBA_PS_BINS, 10, p), 14);
    ck_assert(p[2].n == 15 && p[2].from == 2.0 / 20 && p[2].to == 5.0 / 20);
    ck_assert(p[3].n == 10 && p[3].to == 7.0 / 20);
    ck_assert(p[5].n == 10 && p[5].from == 8.0 / 20);
    ck_assert(p[13].n == 15 && p[13].from == 16.0 / 20 && p[13].to == 1);
    ck_assert(p[13].share == 15.0 / 50);
    bins_safe(p, 14, 10, 50);
    /* the control histogram: 150 | 40 | 9 1 -> 10 | 16 empty bins */
    ck_assert_uint_eq(mkba_ps_merge_bins(d->bins[0], MKBA_PS_BINS, 10, p), 19);
    ck_assert(p[2].n == 10 && p[2].to == 4.0 / 20);
    bins_safe(p, 19, 10, 200);
    mkba_ps_diag_free(d);
}
END_TEST

START_TEST(ps_bins_nothing_to_show)
{
    mkba_ps_bin b[3];
    const size_t small[] = {2, 0, 7}; /* 9 persons in all: no bin may show them */
    ck_assert_uint_eq(mkba_ps_merge_bins(small, 3, 10, b), 0);
    const size_t none[] = {0, 0, 0};
    ck_assert_uint_eq(mkba_ps_merge_bins(none, 3, 10, b), 3);
    const size_t ten[] = {2, 0, 8};
    ck_assert_uint_eq(mkba_ps_merge_bins(ten, 3, 10, b), 1);
    ck_assert(b[0].n == 10 && b[0].to == 1);
    /* min_group 1: nothing is merged */
    ck_assert_uint_eq(mkba_ps_merge_bins(small, 3, 1, b), 3);
    ck_assert(b[0].n == 2 && b[1].n == 0 && b[2].n == 7);
}
END_TEST

/* The appraisal's rules for the propensity block (appraisal.h). */
START_TEST(ps_rules)
{
    mkba_appraisal a = {.min_group = 10, .group_pilot = 50, .group_control = 212};
    ck_assert(!mkba_ap_ps_withheld(&a)); /* no propensity model */
    a.ps = tu_ps_diag();
    ck_assert(!mkba_ap_ps_withheld(&a));
    ck_assert(!mkba_ap_ps_column_withheld(&a, 0)); /* SIZE_MAX: not a 0/1 column */
    ck_assert(mkba_ap_ps_column_withheld(&a, 2));  /* 4 persons on one side */
    ck_assert(!mkba_ap_ps_column_withheld(&a, 4)); /* 120 */
    /* ... and with column 2, the fit's figures: every coefficient */
    ck_assert(mkba_ap_ps_fit_withheld(&a));
    ck_assert(mkba_ap_ps_coef_withheld(&a, 0) && mkba_ap_ps_coef_withheld(&a, 4));
    ck_assert(mkba_ap_ps_imbalanced(&a, 3));       /* 0.15 > 0.1 */
    ck_assert(!mkba_ap_ps_imbalanced(&a, 2));      /* 0.2, but withheld */
    ck_assert(!mkba_ap_ps_imbalanced(&a, 4));      /* |-0.05| */
    /* 12 missing, all in the control group (212 - 200), none in the pilot */
    ck_assert(!mkba_ap_ps_counts_withheld(&a));
    mkba_ps_bin b[MKBA_PS_BINS];
    ck_assert_uint_eq(mkba_ap_ps_bins(&a, 1, b), 14);
    a.ps->n_rare[2] = 10; /* at the threshold: shown */
    ck_assert(!mkba_ap_ps_column_withheld(&a, 2));
    ck_assert(!mkba_ap_ps_fit_withheld(&a));
    ck_assert(!mkba_ap_ps_coef_withheld(&a, 0) && !mkba_ap_ps_coef_withheld(&a, 4));
    a.group_pilot = 55; /* 5 pilot persons without a covariate: a small count */
    ck_assert(mkba_ap_ps_counts_withheld(&a));
    /* ... and the fit's figures with the counts: in a model of one 0/1
     * column its coefficients and SEs give the four cells back */
    ck_assert(mkba_ap_ps_fit_withheld(&a) && mkba_ap_ps_coef_withheld(&a, 4));
    /* ... and then no histogram: its shares are counts over the 50 */
    ck_assert_uint_eq(mkba_ap_ps_bins(&a, 1, b), 0);
    ck_assert_uint_eq(mkba_ap_ps_bins(&a, 0, b), 0);
    a.group_pilot = 50;
    a.ps->n_trimmed[0] = 3; /* 3 control persons trimmed (212 - 200 - 3 = 9 missing too) */
    ck_assert(mkba_ap_ps_counts_withheld(&a));
    a.ps->n_trimmed[0] = 0;
    a.ps->n[1] = 9; /* the pilot group of the fit is small: everything goes */
    ck_assert(mkba_ap_ps_withheld(&a));
    ck_assert(mkba_ap_ps_column_withheld(&a, 1));
    ck_assert(mkba_ap_ps_counts_withheld(&a));
    ck_assert_uint_eq(mkba_ap_ps_bins(&a, 0, b), 0);
    mkba_ps_diag_free(a.ps);
}
END_TEST

/* An ipw row beside the propensity block (fitted: 50 pilot, 200 control;
 * group sizes 62 and 212: 12 lack a covariate in each group). 46 pilot
 * persons used leaves 16 of the group out, not small, but the block's 50
 * less 46 gives the 4 fitted persons without the outcome: the row shows
 * the group sizes and withholds its other counts and means. 40 used (10
 * without) shows everything, and a diff row with 46 is not the block's
 * business. */
START_TEST(ps_effect_row_beside_block)
{
    mkba_appraisal *a = ap_new(10);
    a->group_pilot = 62;
    a->group_control = 212;
    a->ps = tu_ps_diag();
    ap_effect(a, "y", MKBA_EST_IPW, 46, 200, 16, 12, 2.5, 2.0, INFINITY);
    ck_assert(!mkba_ap_ps_counts_withheld(a));
    unsigned m = mkba_ap_effect_hidden(a, 0);
    ck_assert(m & MKBA_HIDE_GROUP_SIZES);
    ck_assert(m & MKBA_HIDE_MEAN_PILOT && m & MKBA_HIDE_MEAN_CONTROL);
    ck_assert(m & MKBA_HIDE_N_MISSING);
    ck_assert(!(m & MKBA_HIDE_CI)); /* normal CI: kept */
    a->effects[0].e.n_pilot = 40;
    a->effects[0].e.n_missing = 34;
    a->effects[0].missing_pilot = 22;
    ck_assert_uint_eq(mkba_ap_effect_hidden(a, 0), 0);
    a->effects[0].e.method = MKBA_EST_DIFF;
    a->effects[0].e.n_pilot = 46;
    a->effects[0].e.n_missing = 28;
    a->effects[0].missing_pilot = 16;
    ck_assert_uint_eq(mkba_ap_effect_hidden(a, 0), 0);
    mkba_appraisal_free(a);
}
END_TEST


/* ====================== subgroups and identifiers ====================== */

/* A study in tmp: cohort c.csv (groups in 'groep', ids in 'id'), model
 * m.ini with 'body' (its outcomes, covariates, items and any [privacy]),
 * ref.ini and p.ini, the project (on = 1). Returns p.ini's path. */
static const char *study(const char *cohort, const char *body)
{
    char model[4096];
    snprintf(model, sizeof model,
             "[model]\nname = sub\nhorizon = 1\nfirst_year = 2020\nprice_year = 2020\n"
             "discount_rate = 0\nstakeholders = city\n[cohort]\nfile = c.csv\n"
             "group_column = groep\nid_column = id\n[parameters]\non = 0\n%s",
             body);
    tu_dir_write(tmp, "c.csv", cohort);
    tu_dir_write(tmp, "m.ini", model);
    tu_dir_write(tmp, "ref.ini", "[scenario]\nname = ref\nbase = m.ini\n");
    tu_dir_write(tmp, "p.ini", "[scenario]\nname = project\nbase = m.ini\nreference = "
                               "ref.ini\n[parameters]\non = 1\n");
    return tu_dir_path(tmp, "p.ini");
}

/* 83 persons: per group 20 from Noord, 20 from Zuid, and Eritrea for 2
 * pilot and 1 control persons (a rare level under min_group 10); ids
 * SECRETn; y = i mod 5; 'geb' a different value per person. */
static char *land_cohort(void)
{
    size_t cap = 64 + 48 * 83, used = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    used += (size_t)snprintf(text, cap, "id,groep,land,geb,y\n");
    for (int i = 0; i < 83; i++) {
        int pilot = i < 42, k = pilot ? i : i - 42;
        const char *land = k < 20 ? "Noord" : k < 40 ? "Zuid" : "Eritrea";
        used += (size_t)snprintf(text + used, cap - used, "SECRET%d,%s,%s,d%d,%d\n", i,
                                 pilot ? "pilot" : "control", land, i, i % 5);
    }
    return text;
}

#define LAND_BODY                                                                          \
    "[covariate.land]\ntype = category\n[outcome.y]\ntype = number\nby = land\n"           \
    "[item.x]\nkind = benefit\nstakeholder = city\nquantity = on * effect.y\nprice = 1\n"

/* Every output of a run of the study, and what it printed, in one text. */
static char *study_outputs(const char *project)
{
    const char *res = tu_dir_path(tmp, "res");
    const char *html = tu_dir_path(tmp, "r.html");
    const char *args[] = {"run", project, "--out", res, "--report", html, NULL};
    char *out, *err;
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    char *files = tree_text(res), *report = tu_read(html);
    ck_assert_ptr_nonnull(report);
    size_t n = strlen(files) + strlen(report) + strlen(out) + strlen(err) + 1;
    char *all = malloc(n);
    ck_assert_ptr_nonnull(all);
    snprintf(all, n, "%s%s%s%s", files, report, out, err);
    free(files), free(report), free(out), free(err);
    return all;
}

START_TEST(subgroup_rare_level_never_named)
{
    /* Eritrea (2 pilot, 1 control) is a rare level: its row is withheld
     * and its name is in no output, as in the balance table. */
    char *cohort = land_cohort();
    char *all = study_outputs(study(cohort, LAND_BODY));
    ck_assert_msg(!tu_contains(all, "Eritrea"), "a rare level is named");
    ck_assert(!tu_contains(all, "SECRET"));
    ck_assert(tu_contains(all, "y,land,(a rare level),"));
    ck_assert(tu_contains(all, "y,land,Noord,diff,"));
    free(all);
    /* With min_group = 1 it is named (so the search above could fail). */
    tu_dir_free(tmp);
    tmp = tu_dir_new();
    all = study_outputs(study(cohort, LAND_BODY "[privacy]\nmin_group = 1\n"));
    ck_assert(tu_contains(all, "y,land,Eritrea,"));
    free(all);
    free(cohort);
}
END_TEST

/* results.json of 'mkba run' of a study of 'cohort' and 'model' (no
 * Monte Carlo), parsed (the caller deletes it); tmp made anew. */
static cJSON *ps_study_json(const char *cohort, const char *model)
{
    const char *res = tu_dir_path(tmp, "res");
    const char *args[] = {"run", study(cohort, model), "--out", res, "--draws", "0", NULL};
    char *out, *err;
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    char path[4096];
    snprintf(path, sizeof path, "%s/results.json", res);
    char *text = tu_read(path);
    cJSON *j = cJSON_Parse(text);
    ck_assert_ptr_nonnull(j);
    free(text), free(out), free(err);
    tu_dir_free(tmp);
    tmp = tu_dir_new();
    return j;
}

/* A propensity model of 'land' alone, whose rare level Eritrea (2 pilot,
 * 1 control) is withheld: in such a model the fit's own figures give its
 * counts back (the intercept is the log-odds of Noord, its SE sqrt(1/n1
 * + 1/n0) of Noord's persons, so the rest of the group sizes is the rare
 * level's; and by a review's R search, glm's deviance alone matched one
 * (k, a) of all k, a <= 30 for a rare level of 3 + 1 persons beside 200
 * and 50), so every coefficient, SE, the deviance and the effective sizes
 * are null with it; with min_group = 1 they are numbers (so the test could
 * fail). */
START_TEST(ps_fit_withheld_with_rare_column)
{
    static const char *body =
        "[covariate.land]\ntype = category\n[propensity]\ncovariates = land\n"
        "[outcome.y]\ntype = number\nmethod = ipw\n"
        "[item.x]\nkind = benefit\nstakeholder = city\nquantity = on * effect.y\nprice = 1\n";
    char *cohort = land_cohort();
    for (int shown = 0; shown <= 1; shown++) {
        char model[600];
        snprintf(model, sizeof model, "%s%s", body, shown ? "[privacy]\nmin_group = 1\n" : "");
        cJSON *j = ps_study_json(cohort, model);
        cJSON *ps = cJSON_GetObjectItem(j, "propensity");
        cJSON *coefs = cJSON_GetObjectItem(ps, "coefficients");
        ck_assert_int_eq(cJSON_GetArraySize(coefs), 3); /* intercept, Zuid, Eritrea */
        for (int k = 0; k < 3; k++) {
            cJSON *c = cJSON_GetArrayItem(coefs, k);
            ck_assert_msg(cJSON_IsNumber(cJSON_GetObjectItem(c, "coef")) == shown, "coef %d", k);
            ck_assert_msg(cJSON_IsNumber(cJSON_GetObjectItem(c, "se")) == shown, "se %d", k);
        }
        ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(ps, "deviance")) == shown);
        cJSON *ess = cJSON_GetObjectItem(ps, "ess");
        ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(ess, "control")) == shown);
        /* the balance of the column that is not rare stays */
        cJSON *b0 = cJSON_GetArrayItem(cJSON_GetObjectItem(ps, "balance"), 0);
        ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(b0, "smd_before")));
        cJSON_Delete(j);
    }
    free(cohort);
}
END_TEST

/* 42 pilot and 41 control persons: 'flag' 1 for 2 pilot and 1 control
 * persons, else 0; 'code' the same coded 2/1 (a yes/no coded 1/2); 'age'
 * 30 + i mod 37, but 30 and 50 for the flagged pilot persons and 40 for
 * the flagged control person (so that age*flag does not separate them);
 * y = i mod 5. */
static char *flag_cohort(void)
{
    size_t cap = 64 + 40 * 83, used = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    used += (size_t)snprintf(text, cap, "id,groep,flag,code,age,y\n");
    for (int i = 0; i < 83; i++) {
        int pilot = i < 42, k = pilot ? i : i - 42, flag = k < (pilot ? 2 : 1);
        int age = !flag ? 30 + i % 37 : pilot ? 30 + 20 * k : 40;
        used += (size_t)snprintf(text + used, cap - used, "P%d,%s,%d,%d,%d,%d\n", i,
                                 pilot ? "pilot" : "control", flag, flag + 1, age, i % 5);
    }
    return text;
}

/* The rare side of a column with two values other than 0/1 (code: 2 for
 * 2 pilot and 1 control persons), and a product with a rare 0/1 column
 * (age*flag: 0 for all but those 3), are withheld as a rare 0/1 column
 * is: their SMDs describe those few persons (code's gives the counts
 * back as flag's would); with them, the fit's figures. */
START_TEST(ps_rare_two_valued_and_product)
{
    static const char *const body[2] = {
        "[covariate.code]\ntype = number\n[propensity]\ncovariates = code\n",
        "[covariate.flag]\ntype = number\n[covariate.age]\ntype = number\n"
        "[propensity]\ncovariates = age, flag, age*flag\n"};
    static const char *const rest = "[outcome.y]\ntype = number\nmethod = ipw\n"
                                    "[item.x]\nkind = benefit\nstakeholder = city\n"
                                    "quantity = on * effect.y\nprice = 1\n";
    char *cohort = flag_cohort();
    for (int m = 0; m < 2; m++) {
        char model[600];
        snprintf(model, sizeof model, "%s%s", body[m], rest);
        cJSON *j = ps_study_json(cohort, model);
        cJSON *ps = cJSON_GetObjectItem(j, "propensity");
        cJSON *bal = cJSON_GetObjectItem(ps, "balance");
        /* code; or age (shown), flag and age*flag (withheld) */
        for (int k = 0; k < cJSON_GetArraySize(bal); k++) {
            cJSON *b = cJSON_GetArrayItem(bal, k);
            int hidden = m == 0 || k > 0;
            ck_assert_msg(cJSON_IsNull(cJSON_GetObjectItem(b, "smd_before")) == hidden,
                          "model %d, balance row %d", m, k);
        }
        ck_assert_int_eq(cJSON_GetArraySize(bal), m ? 3 : 1);
        cJSON *c0 = cJSON_GetArrayItem(cJSON_GetObjectItem(ps, "coefficients"), 0);
        ck_assert(cJSON_IsNull(cJSON_GetObjectItem(c0, "coef")));
        cJSON_Delete(j);
    }
    free(cohort);
}
END_TEST

/* 'mkba check' of the study, which fails; returns its stderr (owned). */
/* 40 + lack pilot persons (20 Noord, 20 Zuid, then 'lack' without a
 * land) and 40 control persons (20 Noord, 20 Zuid); y = i mod 5. */
static char *land_gap_cohort(int lack)
{
    size_t cap = 64 + 40 * (80 + (size_t)lack), used = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    used += (size_t)snprintf(text, cap, "id,groep,land,y\n");
    for (int i = 0; i < 80 + lack; i++) {
        int pilot = i < 40 + lack, k = pilot ? i : i - 40 - lack;
        const char *land = k < 20 ? "Noord" : k < 40 ? "Zuid" : "";
        used += (size_t)snprintf(text + used, cap - used, "p%d,%s,%s,%d\n", i,
                                 pilot ? "pilot" : "control", land, i % 5);
    }
    return text;
}

/* Field col of the Noord row of subgroups.csv of a study run into res. */
static void noord_cell(const char *csv, int col, char *buf, size_t size)
{
    char lead[64];
    csv_cell(csv, 1, 0, ',', buf, size);
    ck_assert_str_eq(buf, "y");
    csv_cell(csv, 1, 2, ',', lead, sizeof lead);
    ck_assert_str_eq(lead, "Noord");
    csv_cell(csv, 1, col, ',', buf, size);
}

START_TEST(subgroup_persons_without_by_withheld)
{
    /* 43 pilot persons with y, 3 of them without a land: the levels' pilot
     * counts (20 + 20 = 40) less the effect's 43 would give the 3 back, a
     * count the run withholds. So the levels' counts go (subgroups.csv
     * columns 9 n_pilot, 10 n_control empty, 11 suppressed 1). With 10
     * without a land (50 - 40 = 10, not below min_group 10) they show. */
    char *cohort = land_gap_cohort(3);
    char *all = study_outputs(study(cohort, LAND_BODY));
    char *csv = tu_read(tu_dir_path(tmp, "res/subgroups.csv")), cell[64];
    ck_assert_ptr_nonnull(csv);
    noord_cell(csv, 9, cell, sizeof cell);
    ck_assert_str_eq(cell, "");
    noord_cell(csv, 10, cell, sizeof cell);
    ck_assert_str_eq(cell, "");
    noord_cell(csv, 11, cell, sizeof cell);
    ck_assert_str_eq(cell, "1");
    ck_assert(!tu_contains(csv, ",20,20,"));
    free(csv), free(all), free(cohort);

    cohort = land_gap_cohort(10);
    all = study_outputs(study(cohort, LAND_BODY));
    csv = tu_read(tu_dir_path(tmp, "res/subgroups.csv"));
    ck_assert_ptr_nonnull(csv);
    noord_cell(csv, 9, cell, sizeof cell);
    ck_assert_str_eq(cell, "20");
    noord_cell(csv, 10, cell, sizeof cell);
    ck_assert_str_eq(cell, "20");
    free(csv), free(all), free(cohort);
}
END_TEST

START_TEST(bootstrap_failures_of_withheld_effect)
{
    /* 40 pilot persons, 3 with a value of 'small' (withheld: fewer than 10),
     * 40 control persons with one. A replicate draws 40 pilot persons with
     * replacement and cannot estimate 'small' with fewer than 2 of the 3:
     * P = 0.925^40 + 40 * 0.075 * 0.925^39 = 0.0442 + 0.1434 = 0.188 (by
     * hand), some 19% of 1000 replicates, above the warning's 5%. That
     * share follows the 3 back (k = 2: 39%, 4: 7%), so the warning says
     * "some", and results.json's bootstrap_failed is null. */
    char cohort[4096];
    size_t used = (size_t)snprintf(cohort, sizeof cohort, "id,groep,big,small\n");
    for (int i = 0; i < 80; i++) {
        int pilot = i < 40;
        char small[16] = "";
        if (!pilot || i < 3)
            snprintf(small, sizeof small, "%d.5", i % 5);
        used += (size_t)snprintf(cohort + used, sizeof cohort - used, "c%d,%s,%d,%s\n", i,
                                 pilot ? "pilot" : "control", i % 7, small);
    }
    const char *p = study(cohort, "[outcome.big]\ntype = number\n[outcome.small]\n"
                                  "type = number\n[item.x]\nkind = benefit\nstakeholder = "
                                  "city\nquantity = on * effect.big\nprice = 1\n");
    const char *res = tu_dir_path(tmp, "res");
    const char *args[] = {"run", p, "--draws", "100", "--out", res, NULL};
    char *out, *err;
    ck_assert_msg(run(args, &out, &err) == 0, "%s", err);
    char *e = squash(err);
    ck_assert_msg(tu_contains(e, "effect 'small' could not be estimated in some bootstrap "
                                 "replicates; its figures are withheld"), "%s", e);
    ck_assert(!tu_contains(e, "% of the bootstrap"));
    char *json = tu_read(tu_dir_path(tmp, "res/results.json"));
    ck_assert_ptr_nonnull(json);
    ck_assert(!tu_contains(json, "% of the bootstrap"));
    cJSON *root = cJSON_Parse(json);
    ck_assert_ptr_nonnull(root);
    cJSON *mc = cJSON_GetObjectItem(root, "monte_carlo");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(mc, "bootstrap_failed")));
    char *o = squash(out);
    ck_assert(tu_contains(o, "Some bootstrap estimates could not be made"));
    ck_assert(!tu_contains(o, "bootstrap estimates could not be made (a covariate"));
    cJSON_Delete(root);
    free(json), free(e), free(o), free(out), free(err);
}
END_TEST

static char *study_check(const char *project)
{
    const char *args[] = {"check", project, NULL};
    char *out, *err;
    ck_assert_int_ne(run(args, &out, &err), 0);
    ck_assert(!tu_contains(out, "SECRET") && !tu_contains(err, "SECRET"));
    free(out);
    return err;
}

START_TEST(subgroup_unknown_level_lists_named_only)
{
    /* An unknown level lists the levels that may be named and says that
     * rare ones exist; a rare level written out gets the same answer. */
    char *cohort = land_cohort();
    const char *tail = "its levels are written: Noord, Zuid, and rare levels, which are not "
                       "named (held by fewer than [privacy] min_group persons in a group, "
                       "they are withheld and cannot be used)\n";
    const char *level[] = {"Narnia", "Eritrea"};
    for (int k = 0; k < 2; k++) {
        char body[1024], want[512];
        snprintf(body, sizeof body,
                 "[covariate.land]\ntype = category\n[outcome.y]\ntype = number\nby = land\n"
                 "[item.x]\nkind = benefit\nstakeholder = city\nquantity = on * "
                 "effect.y.by.%s\nprice = 1\n",
                 level[k]);
        char *err = study_check(study(cohort, body));
        snprintf(want, sizeof want,
                 "[item.x] quantity: subgroup 'y.by.%s': covariate 'land' has no level "
                 "written '%s' in the cohort; %s",
                 level[k], level[k], tail);
        ck_assert_msg(tu_contains(err, want), "%s", err);
        free(err);
    }
    free(cohort);
}
END_TEST

START_TEST(subgroup_identifying_column_refused)
{
    /* 'geb' holds a value per person: 83 levels, far more than 83 / 10. */
    char *cohort = land_cohort();
    char *err = study_check(study(cohort, "[covariate.geb]\ntype = category\n[outcome.y]\n"
                                          "type = number\nby = geb\n"));
    ck_assert_msg(tu_contains(err, "m.ini:18: [outcome.y] by: covariate 'geb' identifies "
                                   "persons rather than groups"),
                  "%s", err);
    ck_assert(!tu_contains(err, "d1"));
    free(err);
    free(cohort);
}
END_TEST

START_TEST(covariate_on_id_column_refused)
{
    /* The review's case: a covariate on the id column, used as 'by'; and
     * one named as the column (no 'column' key), in another case. */
    char *cohort = land_cohort();
    char *err = study_check(study(cohort, "[covariate.wie]\ncolumn = id\ntype = category\n"
                                          "[outcome.y]\ntype = number\nby = wie\n"));
    ck_assert_msg(tu_contains(err, "m.ini:15: [covariate.wie] column: column 'id' is the person "
                                   "id ([cohort] id_column)"),
                  "%s", err);
    free(err);
    err = study_check(study(cohort, "[covariate.ID]\ntype = category\n[outcome.y]\n"
                                    "type = number\ncovariates = ID\n"));
    ck_assert_msg(tu_contains(err, "[covariate.ID]: column 'ID' is the person id"), "%s", err);
    free(err);
    free(cohort);
}
END_TEST

START_TEST(derived_refusal_names_the_right_group)
{
    /* 3 of the 30 pilot persons lack y, the 40 control persons all have
     * it: mean_pilot.y is withheld for the pilot's small missing count,
     * and the refusal says so (it named the control group), no count. */
    char *cohort = missing_cohort();
    char *err = study_check(study(cohort, "[outcome.y]\ntype = number\n[item.x]\nkind = "
                                          "benefit\nstakeholder = city\nquantity = on\n"
                                          "price = mean_pilot.y\n"));
    ck_assert_msg(tu_contains(err, "uses mean_pilot.y, which the outputs withhold: effect 'y' "
                                   "has fewer than 10 persons without a value in the pilot "
                                   "group ([privacy] min_group = 10)"),
                  "%s", err);
    ck_assert(!tu_contains(err, "control"));
    free(err);
    free(cohort);
}
END_TEST

static Suite *privacy_suite(void)
{
    Suite *s = suite_create("privacy");
    TCase *tc = tcase_create("bsn");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, bsn_eleven_test);
    tcase_add_test(tc, bsn_column_refused_90_percent);
    tcase_add_test(tc, bsn_failing_numbers_accepted);
    tcase_add_test(tc, bsn_id_column_exempt);
    tcase_add_test(tc, bsn_two_files);
    tcase_add_test(tc, bsn_never_echoed);
    tcase_add_test(tc, bsn_cli_refused_no_outputs);
    tcase_add_test(tc, bsn_cli_id_never_in_outputs);
    tcase_add_test(tc, bsn_cli_cents_accepted);
    suite_add_tcase(s, tc);
    tc = tcase_create("model");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, privacy_section_errors);
    tcase_add_test(tc, privacy_not_in_scenarios);
    suite_add_tcase(s, tc);
    tc = tcase_create("suppression");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, hidden_masks);
    tcase_add_test(tc, ps_effect_row_beside_block);
    tcase_add_test(tc, terminal_shows_suppression);
    tcase_add_test(tc, terminal_note_only_when_suppressed);
    tcase_add_test(tc, files_show_suppression);
    tcase_add_test(tc, files_nothing_suppressed);
    tcase_add_test(tc, ps_bins_merge_left_to_right);
    tcase_add_test(tc, ps_bins_tail_past_empty_bins);
    tcase_add_test(tc, ps_bins_nothing_to_show);
    tcase_add_test(tc, ps_rules);
    suite_add_tcase(s, tc);
    tc = tcase_create("end to end");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, e2e_default_suppresses);
    tcase_add_test(tc, small_pilot_effect_withheld);
    tcase_add_test(tc, small_control_effect_withheld);
    tcase_add_test(tc, e2e_min_group_1_shows_counts);
    tcase_add_test(tc, e2e_threshold_9_and_10);
    tcase_add_test(tc, e2e_derived_value_withheld);
    tcase_add_test(tc, e2e_few_missing_show_group_sizes);
    tcase_add_test(tc, e2e_few_missing_covariate_show_group_sizes);
    tcase_add_test(tc, subgroup_rare_level_never_named);
    tcase_add_test(tc, ps_fit_withheld_with_rare_column);
    tcase_add_test(tc, ps_rare_two_valued_and_product);
    tcase_add_test(tc, subgroup_persons_without_by_withheld);
    tcase_add_test(tc, bootstrap_failures_of_withheld_effect);
    tcase_add_test(tc, subgroup_unknown_level_lists_named_only);
    tcase_add_test(tc, subgroup_identifying_column_refused);
    tcase_add_test(tc, covariate_on_id_column_refused);
    tcase_add_test(tc, derived_refusal_names_the_right_group);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(privacy_suite());
}

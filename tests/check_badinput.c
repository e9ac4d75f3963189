/* check_badinput.c - the catalogue of bad inputs: end-to-end tests that run
 * the mkba binary on broken cohorts, models, scenarios and command lines
 * and check what a user sees.
 *
 * Every case asserts the exit status (1 for bad input or a file that cannot
 * be read or written, 2 for a usage error), the WHOLE of stderr (file, line,
 * section and key or column, and what was expected), that stdout holds no
 * partial report, and that nothing was written: the run's directory is
 * snapshotted (names, sizes and a hash of every file) before the run and
 * must be unchanged after it, so no result file, no temporary file, and no
 * overwritten input. A few cases check that a failed run leaves the results
 * of an earlier run as they were. Identifiers from the cohort never appear
 * in a message.
 *
 * The base case is tests/data/bad/ (a copy of the hand-worked e2e example
 * of check_cli.c): model.ini, ref.ini, project.ini and cohort.csv are
 * copied into a fresh directory, one thing is broken, and mkba runs on the
 * absolute paths, so messages name "<dir>/file". In the tables "@" stands
 * for that directory. Line numbers in the expected messages are those of
 * tests/data/bad/model.ini (53 lines, so text appended starts on line 54)
 * and of the cohort text given in the case (header = line 1). */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define HEADER "id,groep,werk,uren,pre,post\n"
/* The e2e cohort after its first two persons (lines 4-7 of the file). */
#define REST                                                                                    \
    "P3,pilot,1,4.5,6,3\nC1,control,0,1.5,4,4\nC2,control,0,2.5,5,5\nC3,control,1,1.0,6,5\n"
#define GOOD HEADER "P1,pilot,1,2.5,4,2\nP2,pilot,0,3.5,5,4\n" REST
#define BASE_FILES "model.ini", "ref.ini", "project.ini", "cohort.csv"

/* A change to one file of the fixture: 'old' replaced by 'new' (old must
 * occur exactly once); old "" appends 'new'; old NULL writes 'new' as the
 * whole file (a new file, or a replacement). */
typedef struct edit {
    const char *file, *old, *new;
} edit;

typedef struct bad_case {
    const char *name;       /* what is wrong, for failure messages */
    edit e[3];              /* up to three changes (file NULL: none) */
    const char *args[12];   /* the command line; none: run @/project.ini --out @/res */
    int rc;                 /* expected exit status */
    const char *err;        /* expected stderr, whole */
} bad_case;

/* ------------------------------------------------------------ helpers */

/* 'tmpl' with every '@' replaced by 'root' (caller frees). */
static char *expand(const char *tmpl, const char *root)
{
    size_t n = 1, rl = strlen(root);
    for (const char *p = tmpl; *p; p++)
        n += *p == '@' ? rl : 1;
    char *s = malloc(n), *q = s;
    ck_assert_ptr_nonnull(s);
    for (const char *p = tmpl; *p; p++) {
        if (*p == '@') {
            memcpy(q, root, rl);
            q += rl;
        } else {
            *q++ = *p;
        }
    }
    *q = '\0';
    return s;
}

/* A fresh directory holding the base files of tests/data/bad/. */
static tu_dir *fixture(void)
{
    tu_dir *d = tu_dir_new();
    const char *names[] = {BASE_FILES};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "tests/data/bad/%s", names[i]);
        char *src = tu_src(rel), *text = tu_read(src);
        ck_assert_msg(text != NULL, "cannot read %s", src);
        tu_dir_write(d, names[i], text);
        free(src), free(text);
    }
    return d;
}

/* The fixture's 3 + 3 persons shown ([privacy] min_group = 1, appended
 * after any edit, so that appended lines keep their numbers; nothing when
 * model.ini has a [privacy] section already): its items use its effects,
 * which the default threshold withholds and refuses in an item. For the
 * cases that need a model that runs (check_case: all but those about
 * disclosure control, whose message says what the outputs withhold). */
static void show_counts(tu_dir *d)
{
    char *text = tu_read(tu_dir_path(d, "model.ini"));
    ck_assert_ptr_nonnull(text);
    if (strstr(text, "[privacy]")) {
        free(text);
        return;
    }
    char *more = malloc(strlen(text) + 64);
    ck_assert_ptr_nonnull(more);
    sprintf(more, "%s\n[privacy]\nmin_group = 1\n", text);
    tu_dir_write(d, "model.ini", more);
    free(text), free(more);
}

static void apply(tu_dir *d, const edit *e)
{
    if (!e->file)
        return;
    if (!e->old) {
        tu_dir_write(d, e->file, e->new);
        return;
    }
    char *text = tu_read(tu_dir_path(d, e->file));
    ck_assert_ptr_nonnull(text);
    const char *at = *e->old ? strstr(text, e->old) : text + strlen(text);
    ck_assert_msg(at != NULL, "'%s' is not in %s", e->old, e->file);
    ck_assert_msg(!*e->old || !strstr(at + 1, e->old), "'%s' is in %s twice", e->old, e->file);
    size_t n = strlen(text) + strlen(e->new) + 1, pre = (size_t)(at - text);
    char *out = malloc(n);
    ck_assert_ptr_nonnull(out);
    snprintf(out, n, "%.*s%s%s", (int)pre, text, e->new, at + strlen(e->old));
    tu_dir_write(d, e->file, out);
    free(text), free(out);
}

/* Write 'len' bytes (they may hold NULs) to dir/name. */
static void write_bytes(tu_dir *d, const char *name, const char *bytes, size_t len)
{
    FILE *fp = fopen(tu_dir_path(d, name), "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(bytes, 1, len, fp), len);
    ck_assert_int_eq(fclose(fp), 0);
}

/* ---- snapshots: every entry below a directory, as "path type size hash" lines */

typedef struct snap {
    char **lines;
    size_t n, cap;
} snap;

static uint64_t fnv1a(const char *path)
{
    uint64_t h = 14695981039346656037u;
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot read %s", path);
    int c;
    while ((c = getc(fp)) != EOF) {
        h ^= (unsigned char)c;
        h *= 1099511628211u;
    }
    fclose(fp);
    return h;
}

static int snap_entry(const char *rel, const char *full, const struct stat *st, void *ctx)
{
    snap *s = ctx;
    char line[8400];
    if (S_ISREG(st->st_mode))
        snprintf(line, sizeof line, "%s file %lld %llx", rel, (long long)st->st_size,
                 (unsigned long long)fnv1a(full));
    else
        snprintf(line, sizeof line, "%s %s", rel, S_ISDIR(st->st_mode) ? "dir" : "other");
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 32;
        s->lines = realloc(s->lines, s->cap * sizeof *s->lines);
        ck_assert_ptr_nonnull(s->lines);
    }
    s->lines[s->n++] = strdup(line);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The state of everything below 'root', as one string (caller frees). */
static char *snapshot(const char *root)
{
    snap s = {0};
    tu_walk(root, snap_entry, &s);
    qsort(s.lines, s.n, sizeof *s.lines, cmp_str);
    size_t len = 1;
    for (size_t i = 0; i < s.n; i++)
        len += strlen(s.lines[i]) + 1;
    char *out = calloc(len, 1);
    ck_assert_ptr_nonnull(out);
    for (size_t i = 0; i < s.n; i++) {
        strcat(out, s.lines[i]);
        strcat(out, "\n");
        free(s.lines[i]);
    }
    free(s.lines);
    return out;
}

/* Run case 'c' in fixture 'd' (edits already applied) and check it. */
static void check_case(const bad_case *c, tu_dir *d)
{
    const char *root = tu_dir_root(d);
    static const char *const dflt[] = {"run", "@/project.ini", "--out", "@/res", NULL};
    const char *const *tmpl = c->args[0] ? c->args : dflt;
    char *args[16];
    size_t n = 0;
    for (; tmpl[n]; n++)
        args[n] = expand(tmpl[n], root);
    args[n] = NULL;
    if (!strstr(c->err, "withhold")) /* disclosure control at the default threshold */
        show_counts(d);
    char *before = snapshot(root), *out, *err;
    int rc = tu_run(root, (const char *const *)args, &out, &err);
    char *want = expand(c->err, root), *after = snapshot(root);
    ck_assert_msg(rc == c->rc, "%s: exit status %d, expected %d; stderr:\n%s", c->name, rc,
                  c->rc, err);
    ck_assert_msg(strcmp(err, want) == 0, "%s: stderr\n'%s'\nexpected\n'%s'", c->name, err, want);
    ck_assert_msg(strcmp(out, "") == 0, "%s: stdout is not empty:\n%s", c->name, out);
    ck_assert_msg(strcmp(before, after) == 0, "%s: files changed:\nbefore:\n%s\nafter:\n%s",
                  c->name, before, after);
    ck_assert_msg(!tu_contains(err, "SECRET"), "%s: an identifier is echoed", c->name);
    for (size_t i = 0; i < n; i++)
        free(args[i]);
    free(before), free(after), free(out), free(err), free(want);
}

static void run_table(const bad_case *c)
{
    tu_dir *d = fixture();
    for (int i = 0; i < 3; i++)
        apply(d, &c->e[i]);
    check_case(c, d);
    tu_dir_free(d);
}

/* ------------------------------------------------------------ the cohort */

static const bad_case COHORT_CASES[] = {
    {"empty file", {{"cohort.csv", NULL, ""}}, {0}, 1,
     "mkba: @/cohort.csv:1: empty file: expected a header line\n"},
    {"blank lines only", {{"cohort.csv", NULL, "\n  \r\n\n"}}, {0}, 1,
     "mkba: @/cohort.csv:1: empty file: expected a header line\n"},
    {"header only", {{"cohort.csv", NULL, HEADER}}, {0}, 1,
     "mkba: @/cohort.csv: no persons in file\n"},
    {"BOM inside the header", {{"cohort.csv", NULL, "id,groep,werk,\xEF\xBB\xBFuren,pre,post\n"
                                                    "P1,pilot,1,2.5,4,2\n"}},
     {0}, 1,
     "mkba: @/cohort.csv:1: a byte-order mark (U+FEFF) inside the file, allowed only at its "
     "very start; remove it\n"},
    {"BOM at a later line (two files joined)",
     {{"cohort.csv", NULL, GOOD "\xEF\xBB\xBF" HEADER "P9,pilot,1,2.5,4,2\n"}}, {0}, 1,
     "mkba: @/cohort.csv:8: a byte-order mark (U+FEFF) inside the file, allowed only at its "
     "very start; remove it\n"},
    /* 4, 1.005, 6, 4, 5, 6 in 'pre': a Dutch export of 1005 between small
     * numbers; read as 1.005 the DID effect would change without a word. */
    {"thousands separators among whole numbers",
     {{"cohort.csv", NULL, HEADER "P1,pilot,1,2.5,4,2\nP2,pilot,0,3.5,1.005,4\n" REST}}, {0}, 1,
     "mkba: @/cohort.csv:3: column 'pre': whole numbers beside numbers with exactly three digits "
     "after the '.' (the first on this line): that looks like '.' between thousands, and mkba "
     "refuses to guess. Write the numbers without thousands separators (1350, not 1.350), or, "
     "if '.' is the decimal mark, with a fourth decimal (1.3500)\n"},
    {"mixed delimiters: a ',' line in a ';' file",
     {{"cohort.csv", NULL, "id;groep;werk;uren;pre;post\nP1;pilot;1;2,5;4;2\n"
                           "P2,pilot,0,3.5,5,4\nP3;pilot;1;4,5;6;3\n"}},
     {0}, 1,
     "mkba: @/cohort.csv:3: expected 6 fields as in the header, found 1 (this line seems to be "
     "separated by ',' instead of ';')\n"},
    {"mixed delimiters: a ';' line in a ',' file",
     {{"cohort.csv", NULL, HEADER "P1,pilot,1,2.5,4,2\nP2;pilot;0;3.5;5;4\n" REST}}, {0}, 1,
     "mkba: @/cohort.csv:3: expected 6 fields as in the header, found 1 (this line seems to be "
     "separated by ';' instead of ',')\n"},
    {"mixed delimiters: a ';' line in a tab-separated file",
     {{"cohort.csv", NULL, "id\tgroep\twerk\turen\tpre\tpost\nP1\tpilot\t1\t2.5\t4\t2\n"
                           "P2;pilot;0;3.5;5;4\n"}},
     {0}, 1,
     "mkba: @/cohort.csv:3: expected 6 fields as in the header, found 1 (this line seems to be "
     "separated by ';' instead of tabs)\n"},
    {"mixed delimiters: a ',' line in a tab-separated file",
     {{"cohort.csv", NULL, "id\tgroep\twerk\turen\tpre\tpost\nP1\tpilot\t1\t2.5\t4\t2\n"
                           "P2,pilot,0,3.5,5,4\n"}},
     {0}, 1,
     "mkba: @/cohort.csv:3: expected 6 fields as in the header, found 1 (this line seems to be "
     "separated by ',' instead of tabs)\n"},
    {"ragged row: a field short", {{"cohort.csv", NULL, HEADER "P1,pilot,1,2.5,4\n" REST}}, {0},
     1, "mkba: @/cohort.csv:2: expected 6 fields as in the header, found 5\n"},
    {"ragged row: a decimal comma in a ',' file",
     {{"cohort.csv", NULL, HEADER "P1,pilot,1,2.5,4,2\nP2,pilot,0,3,5,5,4\n" REST}}, {0}, 1,
     "mkba: @/cohort.csv:3: expected 6 fields as in the header, found 7 (a decimal comma, or a "
     "',' inside a value? put such a value in quotes)\n"},
    {"unterminated quote",
     {{"cohort.csv", NULL, HEADER "P1,pilot,1,2.5,4,2\nP2,pilot,0,\"3.5,5,4\n" REST}}, {0}, 1,
     "mkba: @/cohort.csv:3: unterminated quoted field starting on line 3\n"},
    {"text in a numeric column",
     {{"cohort.csv", NULL, HEADER "P1,pilot,1,2.5,4,2\nP2,pilot,0,drie,5,4\n" REST}}, {0}, 1,
     "mkba: @/cohort.csv:3: column 'uren': expected a number, got text, not a number\n"},
    {"NaN in a numeric column",
     {{"cohort.csv", NULL, HEADER "P1,pilot,1,2.5,4,2\nP2,pilot,0,NaN,5,4\n" REST}}, {0}, 1,
     "mkba: @/cohort.csv:3: column 'uren': expected a number, got NaN or infinity, not a finite "
     "number\n"},
    {"inf in a numeric column",
     {{"cohort.csv", NULL, HEADER "P1,pilot,1,2.5,4,2\nP2,pilot,0,3.5,inf,4\n" REST}}, {0}, 1,
     "mkba: @/cohort.csv:3: column 'pre': expected a number, got NaN or infinity, not a finite "
     "number\n"},
    {"a number too large for a double",
     {{"cohort.csv", NULL, HEADER "P1,pilot,1,2.5,4,2\nP2,pilot,0,1e999,5,4\n" REST}}, {0}, 1,
     "mkba: @/cohort.csv:3: column 'uren': expected a number, got a number out of range\n"},
    {"negative hours (type nonneg)",
     {{"cohort.csv", NULL, HEADER "P1,pilot,1,-2.5,4,2\nP2,pilot,0,3.5,5,4\n" REST}}, {0}, 1,
     "mkba: @/cohort.csv:2: column 'uren': expected a number >= 0, got a negative number\n"},
    {"2 in a 0/1 column",
     {{"cohort.csv", NULL, HEADER "P1,pilot,2,2.5,4,2\nP2,pilot,0,3.5,5,4\n" REST}}, {0}, 1,
     "mkba: @/cohort.csv:2: column 'werk': expected 0 or 1, got a number other than 0 or 1\n"},
    {"a probability above 1 (min = 0, max = 1 in the model)",
     {{"model.ini", "[outcome.werk]\ntype = binary\n", "[outcome.werk]\nmin = 0\nmax = 1\n"},
      {"cohort.csv", NULL, HEADER "P1,pilot,0.5,2.5,4,2\nP2,pilot,1.2,3.5,5,4\n" REST}},
     {0}, 1, "mkba: @/cohort.csv:3: column 'werk': expected a number from 0 to 1, got a number "
         "above the maximum 1\n"},
    {"a value below the model's min (line 7: C3 has 1.0 hours)",
     {{"model.ini", "[outcome.uren]\n", "[outcome.uren]\nmin = 1.5\n"}}, {0}, 1,
     "mkba: @/cohort.csv:7: column 'uren': expected a number >= 1.5, got a number below the "
     "minimum 1.5\n"},
    {"duplicate id in one group (the id is not shown)",
     {{"cohort.csv", NULL, HEADER "SECRET7,pilot,1,2.5,4,2\nSECRET7,pilot,0,3.5,5,4\n" REST}},
     {0}, 1, "mkba: @/cohort.csv:3: duplicate id in column 'id' (first seen on line 2)\n"},
    {"a person in both groups (the id is not shown)",
     {{"cohort.csv", NULL, HEADER "P1,pilot,1,2.5,4,2\nP2,pilot,0,3.5,5,4\n"
                                  "P3,pilot,1,4.5,6,3\nC1,control,0,1.5,4,4\n"
                                  "SECRET9,pilot,0,2.5,5,5\nSECRET9,control,1,1.0,6,5\n"}},
     {0}, 1,
     "mkba: @/cohort.csv:7: the same id (column 'id') is in both groups: pilot on line 6, "
     "control on line 7\n"},
    {"an empty id", {{"cohort.csv", NULL, HEADER "P1,pilot,1,2.5,4,2\n,pilot,0,3.5,5,4\n" REST}},
     {0}, 1, "mkba: @/cohort.csv:3: empty id in column 'id'\n"},
    {"an unknown group value",
     {{"cohort.csv", NULL, HEADER "P1,pilot,1,2.5,4,2\nP2,piloot,0,3.5,5,4\n" REST}}, {0}, 1,
     "mkba: @/cohort.csv:3: column 'groep': expected 'pilot' or 'control', got a value that is "
     "none of the group labels 'pilot', 'control'\n"},
    {"a name in the group column (the name is not shown)",
     {{"cohort.csv", NULL, HEADER "P1,pilot,1,2.5,4,2\nP2,Jan de Vries,0,3.5,5,4\n" REST}}, {0},
     1,
     "mkba: @/cohort.csv:3: column 'groep': expected 'pilot' or 'control', got a value that is "
     "none of the group labels 'pilot', 'control'\n"},
    {"a birth date in a number column (the date is not shown)",
     {{"cohort.csv", NULL, HEADER "P1,pilot,1,2.5,4,2\nP2,pilot,0,1999-03-12,5,4\n" REST}}, {0},
     1, "mkba: @/cohort.csv:3: column 'uren': expected a number, got a date, not a number\n"},
    {"an IBAN in a number column (the IBAN is not shown)",
     {{"cohort.csv", NULL, HEADER "P1,pilot,1,2.5,4,2\nP2,pilot,0,NL91ABNA0417164300,5,4\n" REST}},
     {0}, 1, "mkba: @/cohort.csv:3: column 'uren': expected a number, got text, not a number\n"},
    {"a column the model names is missing",
     {{"cohort.csv", NULL, "id,groep,werk,pre,post\nP1,pilot,1,4,2\n"}}, {0}, 1,
     "mkba: @/cohort.csv:1: missing column 'uren' (the first line names groep, id, werk, post, pre)\n"},
    {"a column named twice in the header",
     {{"cohort.csv", NULL, "id,groep,werk,uren,uren,post\nP1,pilot,1,2.5,4,2\n"}}, {0}, 1,
     "mkba: @/cohort.csv:1: column 'uren' appears 2 times in the header\n"},
    {"too few persons to estimate: one in the control group",
     {{"cohort.csv", NULL, HEADER "P1,pilot,1,2.5,4,2\nP2,pilot,0,3.5,5,4\nP3,pilot,1,4.5,6,3\n"
                                  "C1,control,0,1.5,4,4\n"}},
     {0}, 1,
     "mkba: @/model.ini: effect 'werk': too few persons to estimate: the control group has "
     "fewer than 2 with a value, at least 2 needed\n"},
    {"no control group at all",
     {{"cohort.csv", NULL, HEADER "P1,pilot,1,2.5,4,2\nP2,pilot,0,3.5,5,4\n"}}, {0}, 1,
     "mkba: @/model.ini: effect 'werk': too few persons to estimate: the control group has "
     "none with a value, at least 2 needed\n"},
    {"a missing value under missing = error",
     {{"model.ini", "id_column = id\n", "id_column = id\nmissing = error\n"},
      {"cohort.csv", NULL, HEADER "P1,pilot,1,2.5,4,2\nP2,pilot,0,NA,5,4\n" REST}},
     {0}, 1, "mkba: @/cohort.csv:3: column 'uren': missing value (policy 'error')\n"},
    {"the cohort file does not exist",
     {{"model.ini", "file = cohort.csv", "file = nowhere.csv"}}, {0}, 1,
     "mkba: @/nowhere.csv: cannot open: No such file or directory\n"},
    {"the cohort file is a directory", {{"model.ini", "file = cohort.csv", "file = ."}}, {0}, 1,
     "mkba: @/.: is a directory; expected a CSV file\n"},
    /* Messages never quote a record: SECRET ids below must not appear
     * (check_case asserts it), nor any other cell of the records. */
    {"no header row: records from line 1",
     {{"cohort.csv", NULL, "SECRET1,pilot,1,2.5,4,2\nSECRET2,pilot,0,3.5,5,4\n" REST}}, {0}, 1,
     "mkba: @/cohort.csv:1: missing column 'groep' (the first line names none of the model's "
     "columns: the header row may be missing, or the file is another one; the model expects "
     "the columns groep, id, werk, uren, post, pre)\n"},
    {"no header row, and the first record holds a column name of the model",
     {{"cohort.csv", NULL, "SECRET1,SECRET_STREET,werk,2.5,4,2\nSECRET2,pilot,0,3.5,5,4\n" REST}},
     {0}, 1, "mkba: @/cohort.csv:1: missing column 'groep' (the first line names werk; 5 other "
     "columns not shown)\n"},
    {"old-Mac line ends (CR only) and a column missing: only the header is read",
     {{"cohort.csv", NULL, "id,groep,werk,pre,post\rSECRET1,pilot,1,4,2\rSECRET2,pilot,0,5,4\r"}},
     {0}, 1,
     "mkba: @/cohort.csv:1: missing column 'uren' (the first line names groep, id, werk, post, pre)\n"},
    {"old-Mac line ends (CR only): a bad cell on line 3",
     {{"cohort.csv", NULL, "id,groep,werk,uren,pre,post\rSECRET1,pilot,1,2.5,4,2\r"
                           "SECRET2,pilot,0,drie,5,4\rC1,control,0,1.5,4,4\r"}},
     {0}, 1, "mkba: @/cohort.csv:3: column 'uren': expected a number, got text, not a number\n"},
    {"cells shifted: group and werk swapped (no cell is quoted)",
     {{"cohort.csv", NULL, HEADER "SECRET1,pilot,1,2.5,4,2\nSECRET2,0,pilot,3.5,5,4\n" REST}},
     {0}, 1,
     "mkba: @/cohort.csv:3: the cells of this line seem shifted: several do not fit their "
     "columns (a delimiter missing or extra, or columns swapped?); no cell is shown, as one may "
     "be an identifier\n"},
    {"cells shifted: id and group swapped (the id would be quoted as the group)",
     {{"cohort.csv", NULL, HEADER "SECRET1,pilot,1,2.5,4,2\npilot,SECRET2,0,3.5,5,4\n" REST}},
     {0}, 1,
     "mkba: @/cohort.csv:3: the cells of this line seem shifted: several do not fit their "
     "columns (a delimiter missing or extra, or columns swapped?); no cell is shown, as one may "
     "be an identifier\n"},
    {"the id column mapped as a number: its cell is not quoted",
     {{"model.ini", "[outcome.uren]\n", "[outcome.uren]\ncolumn = id\n"},
      {"cohort.csv", NULL, HEADER "SECRET1,pilot,1,2.5,4,2\nSECRET2,pilot,0,3.5,5,4\n" REST}},
     {0}, 1,
     "mkba: @/cohort.csv:2: column 'id': expected a number, got text, not a number\n"},
    {"Latin-1 text (an e-acute as the byte 0xE9) on line 3",
     {{"cohort.csv", NULL, HEADER "SECRET1,pilot,1,2.5,4,2\nSECRET2,pilot\xE9,0,3.5,5,4\n" REST}},
     {0}, 1,
     "mkba: @/cohort.csv:3: not valid UTF-8 text (Latin-1 or Windows-1252?); save the file as "
     "UTF-8 (in Excel: CSV UTF-8)\n"},
    {"the same value for the pilot and the control group",
     {{"model.ini", "control_value = control", "control_value = Pilot"}}, {0}, 1,
     "mkba: @/model.ini:16: [cohort] control_value: the pilot and the control group need "
     "different values of 'groep', both are 'pilot'\n"},
};

START_TEST(cohort_case)
{
    run_table(&COHORT_CASES[_i]);
}
END_TEST

START_TEST(cohort_utf16)
{
    /* "id,groep\n" in UTF-16LE with its byte-order mark (as Excel's
     * "Unicode text" writes it), and the same without the mark. */
    static const char u16[] = "\xFF\xFE" "i\0d\0,\0g\0r\0o\0e\0p\0\n\0";
    bad_case c = {"UTF-16 cohort", {{0}}, {0}, 1,
                  "mkba: @/cohort.csv:1: the file is UTF-16 encoded; save it as UTF-8 (in Excel: "
                  "CSV UTF-8)\n"};
    tu_dir *d = fixture();
    write_bytes(d, "cohort.csv", u16, sizeof u16 - 1);
    check_case(&c, d);
    write_bytes(d, "cohort.csv", u16 + 2, sizeof u16 - 3);
    c.err = "mkba: @/cohort.csv:1: a NUL byte: this is not a text CSV file (binary data, or "
            "UTF-16?)\n";
    check_case(&c, d);
    tu_dir_free(d);
}
END_TEST

START_TEST(cohort_nul_byte)
{
    static const char text[] = GOOD "C4,control,0,1.5\0,4,4\n";
    bad_case c = {"a NUL byte on line 8", {{0}}, {0}, 1,
                  "mkba: @/cohort.csv:8: a NUL byte: this is not a text CSV file (binary data, "
                  "or UTF-16?)\n"};
    tu_dir *d = fixture();
    write_bytes(d, "cohort.csv", text, sizeof text - 1);
    check_case(&c, d);
    tu_dir_free(d);
}
END_TEST

/* The e2e cohort gives society an NPV of 680 (worked by hand in
 * check_cli.c); the report's conclusion says so. */
static void expect_ok(tu_dir *d, const char *const *args)
{
    show_counts(d);
    char *out, *err;
    int rc = tu_run(tu_dir_root(d), args, &out, &err);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, err);
    ck_assert_msg(tu_contains(out, "NPV EUR 680"), "%s", out);
    free(out), free(err);
}

START_TEST(cohort_bom_is_fine)
{
    /* A UTF-8 byte-order mark at the very start is accepted (Excel writes
     * one), with CRLF line ends too. */
    tu_dir *d = fixture();
    tu_dir_write(d, "cohort.csv", "\xEF\xBB\xBFid,groep,werk,uren,pre,post\r\n"
                                  "P1,pilot,1,2.5,4,2\r\nP2,pilot,0,3.5,5,4\r\n"
                                  "P3,pilot,1,4.5,6,3\r\nC1,control,0,1.5,4,4\r\n"
                                  "C2,control,0,2.5,5,5\r\nC3,control,1,1.0,6,5\r\n");
    const char *args[] = {"run", "project.ini", NULL};
    expect_ok(d, args);
    tu_dir_free(d);
}
END_TEST

START_TEST(cohort_cr_only_is_fine)
{
    /* Old-Mac line ends (a lone CR) read like LF: the same NPV of 680. */
    tu_dir *d = fixture();
    tu_dir_write(d, "cohort.csv", "id,groep,werk,uren,pre,post\rP1,pilot,1,2.5,4,2\r"
                                  "P2,pilot,0,3.5,5,4\rP3,pilot,1,4.5,6,3\rC1,control,0,1.5,4,4\r"
                                  "C2,control,0,2.5,5,5\rC3,control,1,1.0,6,5\r");
    const char *args[] = {"run", "project.ini", NULL};
    expect_ok(d, args);
    tu_dir_free(d);
}
END_TEST

START_TEST(cohort_range_is_fine)
{
    /* min and max that every value meets change nothing (C3's 1.0 hours is
     * the smallest, P3's 4.5 the largest). */
    tu_dir *d = fixture();
    edit e = {"model.ini", "[outcome.uren]\n", "[outcome.uren]\nmin = 1\nmax = 4.5\n"};
    apply(d, &e);
    const char *args[] = {"run", "project.ini", NULL};
    expect_ok(d, args);
    tu_dir_free(d);
}
END_TEST

/* ------------------------------------------------------------ the model */

#define ITEM_X "[item.x]\nkind = benefit\nstakeholder = city\n"
#define PARAM_A "[param.a]\ndistribution = "
#define TWO_NORMALS                                                                             \
    "[param.a]\ndistribution = normal(1, 1)\n[param.b]\ndistribution = normal(1, 1)\n"
#define A50 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" /* 50 letters */
/* Two covariates and a propensity model: [propensity] covariates on line 59. */
#define PS_COVS "[covariate.uren]\ntype = nonneg\n[covariate.werk]\ntype = binary\n"
#define PROPENSITY PS_COVS "[propensity]\ncovariates = "

static const bad_case MODEL_CASES[] = {
    {"division by zero in an item", {{"model.ini", "", ITEM_X "quantity = 1 / (on - 1)\n"}},
     {0}, 1,
     "mkba: @/model.ini:57: [item.x] quantity: '1 / (on - 1)' evaluates to infinity in "
     "scenario 'project' (a division by zero?)\n"},
    {"0/0 in a price", {{"model.ini", "price = 900", "price = 0/0"}}, {0}, 1,
     "mkba: @/model.ini:35: [item.work] price: '0/0' evaluates to NaN in scenario 'ref' (0/0, "
     "log of a negative number, or a missing value?)\n"},
    {"division by zero in a parameter", {{"model.ini", "on = 0\n", "on = 0\nrate = 1 / on\n"}},
     {0}, 1,
     "mkba: @/model.ini:30: [parameters] rate: '1 / on' evaluates to infinity in scenario 'ref' "
     "(a division by zero?)\n"},
    {"a cycle: a = b, b = a", {{"model.ini", "on = 0\n", "on = 0\na = b\nb = a\n"}}, {0}, 1,
     "mkba: @/model.ini:30: [parameters] a: parameters depend on each other in a cycle "
     "(involving: a, b)\n"},
    {"a parameter that reads itself", {{"model.ini", "on = 0\n", "on = on + 1\n"}}, {0}, 1,
     "mkba: @/model.ini:29: [parameters] on: parameters depend on each other in a cycle "
     "(involving: on)\n"},
    {"an unknown name", {{"model.ini", "price = 900", "price = 900 * effect.wrek"}}, {0}, 1,
     "mkba: @/model.ini:35: [item.work] price: unknown name 'effect.wrek' in '900 * "
     "effect.wrek', at column 7\n"},
    {"an unknown function", {{"model.ini", "price = 900", "price = round(900)"}}, {0}, 1,
     "mkba: @/model.ini:35: [item.work] price: unknown function 'round' (known: min, max, abs, "
     "sqrt, exp, log, pow), at column 1\n"},
    {"an expression cut short", {{"model.ini", "price = 900", "price = 900 *"}}, {0}, 1,
     "mkba: @/model.ini:35: [item.work] price: expected a number or a name but found end of "
     "expression, at column 6\n"},
    {"a decimal comma in an expression", {{"model.ini", "price = 900", "price = 900,5"}}, {0}, 1,
     "mkba: @/model.ini:35: [item.work] price: unexpected ',' after a complete expression (use "
     "'.' as the decimal point), at column 4\n"},
    {"a Dutch thousands separator in a price", {{"model.ini", "price = 900", "price = 1.350"}},
     {0}, 1,
     "mkba: @/model.ini:35: [item.work] price: '1.350' looks like a number with '.' between "
     "thousands: write 1350 if '.' separates thousands, or 1.3500 if it is the decimal point, "
     "at column 1\n"},
    {"two Dutch thousands separators in a parameter",
     {{"model.ini", "on = 0\n", "on = 0\nbudget = 2 * 1.350.000\n"}}, {0}, 1,
     "mkba: @/model.ini:30: [parameters] budget: '1.350.000' looks like a number with '.' "
     "between thousands: write 1350000 (without separators), at column 5\n"},
    {"a Dutch thousands separator in a distribution",
     {{"model.ini", "", "[param.cost]\nvalue = 1000\ndistribution = pert(800, 1.000, 12.500)\n"}},
     {0}, 1,
     "mkba: @/model.ini:56: [param.cost] distribution: '1.000' looks like a number with '.' "
     "between thousands: write 1000 if '.' separates thousands, or 1.0000 if it is the decimal "
     "point\n"},
    {"a Dutch thousands separator in a scenario",
     {{"project.ini", "on = 1\n", "on = 1.000\n"}}, {0}, 1,
     "mkba: @/project.ini:7: [parameters] on: '1.000' looks like a number with '.' between "
     "thousands: write 1000 if '.' separates thousands, or 1.0000 if it is the decimal point, at "
     "column 1\n"},
    {"a thousands separator ',' in a price", {{"model.ini", "price = 900", "price = 1,350"}},
     {0}, 1,
     "mkba: @/model.ini:35: [item.work] price: unexpected ',' after a complete expression (write "
     "1350 if ',' separates thousands, or 1.35 if it is a decimal comma), at column 2\n"},
    {"two thousands separators ',' in a price",
     {{"model.ini", "price = 900", "price = 1,350,000"}}, {0}, 1,
     "mkba: @/model.ini:35: [item.work] price: unexpected ',' after a complete expression (write "
     "1350000 without separators), at column 2\n"},
    {"a Latin-1 label (not UTF-8)",
     {{"model.ini", "", "[param.l]\nvalue = 1\nlabel = caf\xE9" "\n"}},
     {0}, 1,
     "mkba: @/model.ini:56: column 12: byte 0xE9 is not UTF-8 text; save the file as UTF-8 (it "
     "may be Latin-1 or Windows-1252)\n"},
    {"an overlong encoding of '/'",
     {{"model.ini", "", "[param.l]\nvalue = 1\nlabel = a\xC0\xAF" "\n"}},
     {0}, 1,
     "mkba: @/model.ini:56: column 10: byte 0xC0 is not UTF-8 text; save the file as UTF-8 (it "
     "may be Latin-1 or Windows-1252)\n"},
    {"a UTF-16 surrogate in UTF-8",
     {{"model.ini", "", "[param.l]\nvalue = 1\nlabel = a\xED\xA0\x80" "\n"}},
     {0}, 1,
     "mkba: @/model.ini:56: column 10: byte 0xED is not UTF-8 text; save the file as UTF-8 (it "
     "may be Latin-1 or Windows-1252)\n"},
    {"a byte above F4",
     {{"model.ini", "", "[param.l]\nvalue = 1\nlabel = a\xF5\x80\x80\x80" "\n"}},
     {0}, 1,
     "mkba: @/model.ini:56: column 10: byte 0xF5 is not UTF-8 text; save the file as UTF-8 (it "
     "may be Latin-1 or Windows-1252)\n"},
    {"a sequence cut short at the end of the line",
     {{"model.ini", "", "[param.l]\nvalue = 1\nlabel = euro \xE2\x82" "\n"}},
     {0}, 1,
     "mkba: @/model.ini:56: column 14: byte 0xE2 is not UTF-8 text; save the file as UTF-8 (it "
     "may be Latin-1 or Windows-1252)\n"},
    {"a continuation byte with no lead",
     {{"model.ini", "", "[param.l]\nvalue = 1\nlabel = a\x80" "\n"}},
     {0}, 1,
     "mkba: @/model.ini:56: column 10: byte 0x80 is not UTF-8 text; save the file as UTF-8 (it "
     "may be Latin-1 or Windows-1252)\n"},
    {"a Latin-1 scenario",
     {{"project.ini", "label = The project", "label = The proj\xE9" "ct"}},
     {0}, 1,
     "mkba: @/project.ini:3: column 17: byte 0xE9 is not UTF-8 text; save the file as UTF-8 (it "
     "may be Latin-1 or Windows-1252)\n"},
    {"an unknown section, with a hint", {{"model.ini", "", "[parm.a]\nvalue = 1\n"}}, {0}, 1,
     "mkba: @/model.ini:54: [parm.a]: unknown section [parm.a] (known: [model], [cohort], "
     "[parameters], [correlations], [simulation], [privacy], [propensity], [prices], "
     "[stakeholder.NAME], [outcome.NAME], [covariate.NAME], [effect.NAME], [param.NAME], "
     "[item.NAME]); did you mean [param.a]?\n"},
    {"an unknown key, with a hint", {{"model.ini", "price = 900", "prijs = 900"}}, {0}, 1,
     "mkba: @/model.ini:35: [item.work] prijs: unknown key 'prijs' (known: label, kind, domain, "
     "stakeholder, gainer, loser, quantity, price, years, dropoff, source, enabled, "
     "price_year, label_nl); did you mean 'price'?\n"},
    {"a key before any section", {{"model.ini", "; The base", "horizon = 3\n; The base"}}, {0},
     1, "mkba: @/model.ini:1: key 'horizon' is outside any section; put it under its [section] "
        "header\n"},
    {"a section twice", {{"model.ini", "", "[parameters]\nextra = 1\n"}}, {0}, 1,
     "mkba: @/model.ini:54: section [parameters] appears twice (first on line 28)\n"},
    {"a key twice", {{"model.ini", "years = 1\n\n[item.staff]", "years = 1\nyears = 2\n\n"
                                                               "[item.staff]"}},
     {0}, 1,
     "mkba: @/model.ini:37: key 'years' appears twice in [item.work] (first on line 36)\n"},
    {"a 308-character line",
     {{"model.ini", "", "[param.a]\nvalue = 1\nlabel = " A50 A50 A50 A50 A50 A50 "\n"}},
     {0}, 1,
     "mkba: @/model.ini:56: line longer than 198 characters; continue a long value on the next "
     "line, indented\n"},
    {"horizon 0", {{"model.ini", "horizon = 2", "horizon = 0"}}, {0}, 1,
     "mkba: @/model.ini:6: [model] horizon: expected a whole number of years from 1 to 200, got "
     "'0'\n"},
    {"a currency that is a sentence (26 characters)",
     {{"model.ini", "horizon = 2", "horizon = 2\ncurrency = EUR prijspeil 2020 miljoen"}}, {0}, 1,
     "mkba: @/model.ini:7: [model] currency: expected a currency unit of 1 to 24 characters "
     "(such as EUR or 'EUR mln'), got 26\n"},
    {"an empty data note",
     {{"model.ini", "horizon = 2", "horizon = 2\ndata_note ="}}, {0}, 1,
     "mkba: @/model.ini:7: [model] data_note: expected a note on the data (free text, e.g. 'The "
     "cohort is synthetic'), got nothing; remove the key if there is none\n"},
    /* 1001 bytes: 20 lines of 50 and one more, joined by inih with newlines. */
    {"a data note too long for the report's box",
     {{"model.ini", "horizon = 2",
       "horizon = 2\ndata_note = " A50 "\n " A50 "\n " A50 "\n " A50 "\n " A50 "\n " A50
       "\n " A50 "\n " A50 "\n " A50 "\n " A50 "\n " A50 "\n " A50 "\n " A50 "\n " A50
       "\n " A50 "\n " A50 "\n " A50 "\n " A50 "\n " A50 "\n " A50}},
     {0}, 1,
     "mkba: @/model.ini:7: [model] data_note: the note is 1019 bytes long; at most 1000 fit the "
     "report's box\n"},
    {"horizon 10000", {{"model.ini", "horizon = 2", "horizon = 10000"}}, {0}, 1,
     "mkba: @/model.ini:6: [model] horizon: expected a whole number of years from 1 to 200, got "
     "'10000'\n"},
    {"a discount rate of 300", {{"model.ini", "discount_rate = 0", "discount_rate = 3"}}, {0}, 1,
     "mkba: @/model.ini:9: [model] discount_rate: must be between -5% and 20%, got 3 (a "
     "percentage? write 0.03 or 3%)\n"},
    /* A decimal comma is read only before '%' (2,25%): a bare 0,0225 could
     * be a list or a thousands group, so it is refused, never guessed. */
    {"a discount rate with a decimal comma and no %",
     {{"model.ini", "discount_rate = 0", "discount_rate = 0,0225"}}, {0}, 1,
     "mkba: @/model.ini:9: [model] discount_rate: '0,0225' has a decimal comma without '%': a "
     "comma is read as a decimal comma only in a percentage (2,25%); write the rate as a "
     "percentage (2,25%) or with a point (0.0225)\n"},
    {"years beyond the horizon", {{"model.ini", "years = 1-2", "years = 1-5"}}, {0}, 1,
     "mkba: @/model.ini:53: [item.assist] years: year 5 is beyond the horizon of 2 years\n"},
    {"an unknown stakeholder", {{"model.ini", "stakeholder = people", "stakeholder = peple"}}, {0},
     1, "mkba: @/model.ini:33: [item.work] stakeholder: unknown stakeholder 'peple' (not in "
        "[model] stakeholders)\n"},
    /* The propensity model of ipw and dr. */
    {"ipw without a propensity model",
     {{"model.ini", "column = post\n", "column = post\nmethod = ipw\n"}}, {0}, 1,
     "mkba: @/model.ini:25: [outcome.assist] method: outcome 'assist': method 'ipw' needs a "
     "propensity model: add a [propensity] section with covariates (e.g. covariates = age, "
     "household)\n"},
    {"an unknown method", {{"model.ini", "column = post\n", "column = post\nmethod = psm\n"}},
     {0}, 1,
     "mkba: @/model.ini:25: [outcome.assist] method: expected auto, diff, did, ols, ipw or dr, "
     "got 'psm'\n"},
    {"an estimand on an outcome",
     {{"model.ini", "[outcome.uren]\n", "[outcome.uren]\nestimand = ate\n"}}, {0}, 1,
     "mkba: @/model.ini:22: [outcome.uren] estimand: 'estimand' is set once for all ipw and dr "
     "outcomes, in [propensity]; move it there\n"},
    {"a cube in the propensity model", {{"model.ini", "", PROPENSITY "uren, uren^3\n"}}, {0},
     1,
     "mkba: @/model.ini:59: [propensity] covariates: term 'uren^3': only squares (NAME^2) are "
     "supported; for another power add a column to the cohort file\n"},
    {"a product without its main effect",
     {{"model.ini", "", PROPENSITY "uren, uren * werk\n"}}, {0}, 1,
     "mkba: @/model.ini:59: [propensity] covariates: term 'uren * werk': list 'werk' on its own "
     "too (A*B adds only the product column, like A:B in R)\n"},
    {"the square of a 0/1 covariate", {{"model.ini", "", PROPENSITY "werk, werk^2\n"}}, {0}, 1,
     "mkba: @/model.ini:59: [propensity] covariates: term 'werk^2': 'werk' is a 0/1 covariate, "
     "so its square equals itself; list 'werk' alone\n"},
    {"a misspelt covariate in the propensity model",
     {{"model.ini", "", PROPENSITY "urne\n"}}, {0}, 1,
     "mkba: @/model.ini:59: [propensity] covariates: term 'urne': no section [covariate.urne] "
     "for covariate 'urne'; did you mean 'uren'?\n"},
    {"trimming written as a percentage number",
     {{"model.ini", "", PROPENSITY "uren\ntrim = 5\n"}}, {0}, 1,
     "mkba: @/model.ini:60: [propensity] trim: expected a share from 0 to below 0.5 (persons "
     "with a propensity below it or above 1 minus it are left out), got 5 (a percentage? "
     "write 0.01 or 1%)\n"},
    /* Cohorts the propensity model cannot compare: the outcome 'assist'
     * by ipw, covariates from extra cohort columns. */
    {"no overlap: a covariate separates the groups",
     {{"model.ini", "column = post\n", "column = post\nmethod = ipw\n"},
      {"model.ini", "", PROPENSITY "uren\n"}},
     {0}, 1,
     "mkba: @/model.ini: effect 'assist': propensity model: 'uren' separates the groups: every "
     "control person's value is at or below every pilot person's, so the groups do not overlap "
     "on it and the pilot cannot be compared with regular practice there; leave out the "
     "persons outside the range both groups share, or leave it out of [propensity] "
     "covariates\n"},
    {"no overlap: covariates together separate the groups",
     {{"model.ini", "column = post\n", "column = post\nmethod = ipw\n"},
      {"model.ini", "", PROPENSITY "uren, werk\n"},
      /* uren + 2 werk is above 4 in the pilot and below it in the control
       * group; neither column alone separates them */
      {"cohort.csv", NULL,
       HEADER "P1,pilot,1,2.5,4,2\nP2,pilot,0,4.5,5,4\nP3,pilot,1,3.5,6,3\n"
              "P4,pilot,0,5.0,6,3\nC1,control,0,3.0,4,4\nC2,control,1,1.5,5,5\n"
              "C3,control,0,2.0,6,5\nC4,control,1,1.0,6,5\n"}},
     {0}, 1,
     "mkba: @/model.ini: effect 'assist': propensity model: the fit does not converge: a "
     "combination of covariates separates the pilot from the control group (some persons get "
     "a propensity of 0 or 1: the groups do not overlap); leave out a covariate, an "
     "interaction or a square, or the persons outside the range both groups share\n"},
    {"a covariate no pilot person has",
     {{"model.ini", "column = post\n", "column = post\nmethod = ipw\n"},
      {"model.ini", "", PS_COVS "[covariate.age]\n[propensity]\ncovariates = uren, age\n"},
      {"cohort.csv", NULL,
       "id,groep,werk,uren,pre,post,age\nP1,pilot,1,2.5,4,2,\nP2,pilot,0,3.5,5,4,\n"
       "P3,pilot,1,1.5,6,3,\nC1,control,0,1.5,4,4,30\nC2,control,0,2.5,5,5,40\n"
       "C3,control,1,4.0,6,5,50\n"}},
     {0}, 1,
     "mkba: @/model.ini: effect 'assist': propensity model: covariate 'age' has no value for "
     "any person of the pilot group; the groups cannot be compared on it (leave it out of "
     "[propensity] covariates, or fill it in)\n"},
    {"a category level in one group only",
     {{"model.ini", "column = post\n", "column = post\nmethod = ipw\n"},
      {"model.ini", "", PS_COVS "[covariate.wijk]\ntype = category\n"
                    "[propensity]\ncovariates = uren, wijk\n"},
      {"cohort.csv", NULL,
       "id,groep,werk,uren,pre,post,wijk\nP1,pilot,1,2.5,4,2,Noord\nP2,pilot,0,3.5,5,4,Zuid\n"
       "P3,pilot,1,1.5,6,3,Noord\nC1,control,0,1.5,4,4,Zuid\nC2,control,0,2.5,5,5,Haven\n"
       "C3,control,1,4.0,6,5,Noord\n"}},
     {0}, 1,
     /* Haven is the 3rd level in the file; the message never quotes a cell */
     "mkba: @/model.ini: effect 'assist': propensity model: covariate 'wijk': its level number "
     "3 (in order of first appearance in the cohort file) occurs in the control group only, so "
     "the groups do not overlap there (its persons would get a propensity of exactly 0); merge "
     "the level with another, leave its persons out of the cohort, or leave 'wijk' out of "
     "[propensity] covariates\n"},
    /* Subgroups: 'by' on an outcome, effect.X.by.V in expressions. */
    {"'by' on a number covariate",
     {{"model.ini", "[outcome.werk]\ntype = binary\n", "[outcome.werk]\ntype = binary\nby = uren\n"},
      {"model.ini", "", "[covariate.uren]\ntype = nonneg\n"}},
     {0}, 1,
     "mkba: @/model.ini:21: [outcome.werk] by: 'by' needs a covariate of type category or "
     "binary (its levels are the subgroups); [covariate.uren] is of type nonneg\n"},
    {"'by' naming no covariate",
     {{"model.ini", "[outcome.werk]\ntype = binary\n", "[outcome.werk]\ntype = binary\nby = district\n"}},
     {0}, 1,
     "mkba: @/model.ini:21: [outcome.werk] by: no section [covariate.district]: 'by' names the "
     "covariate (of type category or binary) whose levels are the subgroups\n"},
    {"a subgroup of an outcome without 'by'",
     {{"model.ini", "quantity = on * effect.werk * 3", "quantity = on * effect.werk.by.1 * 3"}},
     {0}, 1,
     "mkba: @/model.ini:34: [item.work] quantity: 'effect.werk.by.1': effect 'werk' has no "
     "subgroups; add 'by = COVARIATE' to its [outcome.werk] to estimate it per level of a "
     "category or binary covariate\n"},
    {"a subgroup of an unknown level",
     {{"model.ini", "[outcome.uren]\ntype = nonneg\n", "[outcome.uren]\ntype = nonneg\nby = w\n"},
      {"model.ini", "quantity = on * effect.uren * 3", "quantity = on * effect.uren.by.2 * 3"},
      {"model.ini", "", "[covariate.w]\ncolumn = werk\ntype = binary\n"}},
     {0}, 1,
     "mkba: @/model.ini:43: [item.staff] quantity: subgroup 'uren.by.2': covariate 'w' has no "
     "level written '2' in the cohort; its levels are written: 0, 1\n"},
    {"a subgroup too small to price",
     {{"model.ini", "[outcome.uren]\ntype = nonneg\n", "[outcome.uren]\ntype = nonneg\nby = w\n"},
      {"model.ini", "quantity = on * effect.uren * 3", "quantity = on * se.uren.by.1 * 3"},
      {"model.ini", "", "[covariate.w]\ncolumn = werk\ntype = binary\n"}},
     {0}, 1,
     "mkba: @/model.ini:43: [item.staff] quantity: uses subgroup 'uren.by.1', which the "
     "outputs withhold: it has fewer than 10 persons with a value in the pilot group ([privacy] "
     "min_group = 10), and the model's amounts would give its effect away. Leave it out, or "
     "lower [privacy] min_group\n"},
    {"an unknown outcome type", {{"model.ini", "type = binary", "type = bool"}}, {0}, 1,
     "mkba: @/model.ini:20: [outcome.werk] type: expected number, nonneg or binary, got 'bool'\n"},
    {"min above max", {{"model.ini", "[outcome.uren]\n", "[outcome.uren]\nmin = 5\nmax = 1\n"}},
     {0}, 1, "mkba: @/model.ini:23: [outcome.uren] max: max (1) is below min (5)\n"},
    {"max on a 0/1 column", {{"model.ini", "type = binary\n", "type = binary\nmax = 1\n"}}, {0},
     1, "mkba: @/model.ini:21: [outcome.werk] max: 'max' applies to number and nonneg columns "
        "only\n"},
    {"a negative SD", {{"model.ini", "", PARAM_A "normal(1, -1)\n"}}, {0}, 1,
     "mkba: @/model.ini:55: [param.a] distribution: normal() sd must be > 0, got -1\n"},
    {"a beta mean outside (0, 1)", {{"model.ini", "", PARAM_A "beta(mean = 1.5, sd = 0.1)\n"}},
     {0}, 1,
     "mkba: @/model.ini:55: [param.a] distribution: beta mean must be between 0 and 1, got "
     "1.5\n"},
    {"low above high", {{"model.ini", "", PARAM_A "uniform(5, 1)\n"}}, {0}, 1,
     "mkba: @/model.ini:55: [param.a] distribution: uniform() needs lo < hi, got 5 and 1\n"},
    {"a triangular mode outside the range", {{"model.ini", "", PARAM_A "triangular(1, 7, 5)\n"}},
     {0}, 1,
     "mkba: @/model.ini:55: [param.a] distribution: triangular() needs min <= mode <= max and "
     "min < max, got 1, 7, 5\n"},
    {"a PERT mode outside the range", {{"model.ini", "", PARAM_A "pert(1, 0, 5)\n"}}, {0}, 1,
     "mkba: @/model.ini:55: [param.a] distribution: pert() needs min <= mode <= max and min < "
     "max, got 1, 0, 5\n"},
    {"a negative discrete weight", {{"model.ini", "", PARAM_A "discrete(1: 2, 2: -1)\n"}}, {0},
     1, "mkba: @/model.ini:55: [param.a] distribution: discrete() weight must be > 0, got -1 "
        "(value 2)\n"},
    {"discrete weights summing to 0", {{"model.ini", "", PARAM_A "discrete(1: 0, 2: 0)\n"}}, {0},
     1, "mkba: @/model.ini:55: [param.a] distribution: discrete() weight must be > 0, got 0 "
        "(value 1)\n"},
    {"an unknown distribution", {{"model.ini", "", PARAM_A "gauss(1, 2)\n"}}, {0}, 1,
     "mkba: @/model.ini:55: [param.a] distribution: unknown distribution 'gauss' (known: "
     "normal, truncnormal, lognormal, gamma, beta, uniform, triangular, pert, discrete, "
     "fixed)\n"},
    {"NaN as a distribution setting", {{"model.ini", "", PARAM_A "normal(nan, 1)\n"}}, {0}, 1,
     "mkba: @/model.ini:55: [param.a] distribution: normal(): expected a number, got 'nan'\n"},
    {"a base value the distribution cannot take",
     {{"model.ini", "", "[param.a]\nvalue = 2\ndistribution = beta(2, 2)\n"}}, {0}, 1,
     "mkba: @/model.ini:55: [param.a] value: 2 is outside the range of its distribution "
     "'beta(2, 2)' (0 to 1)\n"},
    {"a correlation matrix not positive definite",
     {{"model.ini", "", TWO_NORMALS "[param.c]\ndistribution = normal(1, 1)\n[correlations]\n"
                        "a, b = 0.9\nb, c = 0.9\na, c = -0.9\n"}},
     {0}, 1, "mkba: @/model.ini:60: [correlations]: the correlation matrix is not positive "
             "definite\n"},
    {"a correlation with an unknown name",
     {{"model.ini", "", TWO_NORMALS "[correlations]\na, bb = 0.5\n"}}, {0}, 1,
     "mkba: @/model.ini:59: [correlations] a, bb: 'bb' is not an uncertain parameter (give it a "
     "distribution in [param.bb])\n"},
    {"a correlation above 1", {{"model.ini", "", TWO_NORMALS "[correlations]\na, b = 1.5\n"}},
     {0}, 1,
     "mkba: @/model.ini:59: [correlations] a, b: expected a correlation between -1 and 1, got "
     "'1.5'\n"},
    {"a parameter correlated with itself",
     {{"model.ini", "", TWO_NORMALS "[correlations]\na, a = 0.5\n"}}, {0}, 1,
     "mkba: @/model.ini:59: [correlations] a, a: a parameter cannot be correlated with itself\n"},
    {"draws below 1 in [simulation]", {{"model.ini", "", "[simulation]\ndraws = 0\n"}}, {0}, 1,
     "mkba: @/model.ini:55: [simulation] draws: expected a whole number from 1 to 1000000000, "
     "got '0'\n"},
    /* One replicate: the effects would add no spread (bootstrap.h,
     * MKBA_BOOTSTRAP_MIN). */
    {"bootstrap = 1 in [simulation]", {{"model.ini", "", "[simulation]\nbootstrap = 1\n"}}, {0},
     1,
     "mkba: @/model.ini:55: [simulation] bootstrap: expected 0 (the effects fixed at their "
     "estimates) or a whole number from 100 to 1000000, got '1': fewer bootstrap replicates "
     "cannot describe the effects' uncertainty (the bootstrap CI would rest on the most extreme "
     "ones)\n"},
    /* Disclosure control (appraisal.h): the fixture's groups have 3 persons
     * each, below the default min_group of 10, so its counts and means are
     * withheld and no item may use them (the flows would give them back);
     * nor its effects, so the item at hand uses none. */
    {"an item priced with n_pilot of a small group",
     {{"model.ini", "price = 900", "price = 900 * n_pilot"},
      {"model.ini", "on * effect.werk * 3", "on * 3"}},
     {0}, 1,
     "mkba: @/model.ini:35: [item.work] price: uses n_pilot, which the outputs withhold: the "
     "pilot group of the cohort has fewer than 10 persons ([privacy] min_group = 10), and the "
     "item's amounts would give it away. Leave it out of the item, or lower [privacy] "
     "min_group (the outputs then show it, and the counts, too)\n"},
    {"an item that uses a small group's mean through a parameter",
     {{"model.ini", "on = 0\n", "on = 0\nteam = mean_control.uren * 2\n"},
      {"model.ini", "price = 900", "price = team"},
      {"model.ini", "on * effect.werk * 3", "on * 3"}},
     {0}, 1,
     "mkba: @/model.ini:36: [item.work] price: uses mean_control.uren (through parameter "
     "'team'), which the outputs withhold: effect 'uren' has fewer than 10 persons with a value "
     "in the pilot group ([privacy] min_group = 10), and the item's amounts would give it "
     "away. Leave it out of the item, or lower [privacy] min_group (the outputs then show it, "
     "and the counts, too)\n"},
    {"mkba check: n_total through two parameters in a quantity",
     {{"model.ini", "on = 0\n", "on = 0\nsize = n_total\nper = size / 2\n"},
      {"model.ini", "on * effect.uren * 3", "on * per"},
      {"model.ini", "on * effect.werk * 3", "on * 3"}},
     {"check", "@/project.ini"}, 1,
     "mkba: @/model.ini:44: [item.staff] quantity: uses n_total (through parameter 'per'), "
     "which the outputs withhold: the pilot group of the cohort has fewer than 10 persons "
     "([privacy] min_group = 10), and the item's amounts would give it away. Leave it out of "
     "the item, or lower [privacy] min_group (the outputs then show it, and the counts, "
     "too)\n"},
    /* The echoed value holds ESC (an OSC sequence that retitles the window),
     * BEL and the C1 control U+009B (CSI): escaped, never raw (escape.h). */
    {"a value with terminal control characters",
     {{"model.ini", "horizon = 2\n", "horizon = 2\x1b]0;owned\x07\xc2\x9b\n"}}, {0}, 1,
     "mkba: @/model.ini:6: [model] horizon: expected a whole number of years from 1 to 200, got "
     "'2\\x1b]0;owned\\x07\\x9b'\n"},
    /* mkba estimate publishes effects only and refuses no item, but an error
     * of the evaluation names no value that rests on a withheld mean or
     * count: mean_pilot.uren = (2.5 + 3.5 + 4.5) / 3 = 3.5 (3 persons, below
     * min_group 10), so the drop-off would print as 3500; 1 / (n_pilot - 3)
     * is infinite exactly when n_pilot is 3. */
    {"mkba estimate: a drop-off out of range from a withheld mean",
     {{"model.ini", "price = 900\n", "price = 900\ndropoff = mean_pilot.uren * 1000\n"}},
     {"estimate", "@/model.ini"}, 1,
     "mkba: @/model.ini:36: [item.work] dropoff: drop-off must be between 0 and 1 (a fraction "
     "per year), and is not in scenario 'base'; it rests on mean_pilot.uren, which the outputs "
     "withhold, so its value is not shown\n"},
    {"mkba estimate: a division by a withheld count minus itself",
     {{"model.ini", "price = 900\n", "price = 900\ndropoff = 1 / (n_pilot - 3)\n"}},
     {"estimate", "@/model.ini"}, 1,
     "mkba: @/model.ini:36: [item.work] dropoff: '1 / (n_pilot - 3)' is not a finite number in "
     "scenario 'base' (a division by zero, 0/0, or log of a negative number?); it rests on "
     "n_pilot, which the outputs withhold, so its value is not shown\n"},
    /* [prices] and price_year (README, "Price indexing"); the index file
     * cpi.csv is written beside the model. */
    {"price_year without [prices]",
     {{"model.ini", "", "[param.p]\nvalue = 10\nunit = EUR\nprice_year = 2018\n"}}, {0}, 1,
     "mkba: @/model.ini:57: [param.p] price_year: price_year needs a price index: add a "
     "[prices] section with index = FILE (e.g. ../data/cpi_cbs.csv)\n"},
    {"a parameter's price year not in the index",
     {{"cpi.csv", NULL, "year,index\n2019,100\n2020,102\n"}, {"model.ini", "", "[prices]\nindex = cpi.csv\n[param.p]\nvalue = 10\n"
                             "price_year = 2018\n"}},
     {0}, 1,
     "mkba: @/model.ini:58: [param.p] price_year: the price index has no year 2018 (it covers "
     "2019 to 2020)\n"},
    {"an item's price year not in the index",
     {{"cpi.csv", NULL, "year,index\n2019,100\n2020,102\n"}, {"model.ini", "price = 900", "price = 900\nprice_year = 1999"},
      {"model.ini", "", "[prices]\nindex = cpi.csv\n"}},
     {0}, 1,
     "mkba: @/model.ini:36: [item.work] price_year: the price index has no year 1999 (it "
     "covers 2019 to 2020)\n"},
    {"a price year that is no year",
     {{"cpi.csv", NULL, "year,index\n2019,100\n2020,102\n"}, {"model.ini", "", "[prices]\nindex = cpi.csv\n[param.p]\nvalue = 10\n"
                             "price_year = 2019.5\n"}},
     {0}, 1,
     "mkba: @/model.ini:58: [param.p] price_year: expected a calendar year from 1900 to 2200, "
     "got '2019.5'\n"},
    {"a price year on a count",
     {{"cpi.csv", NULL, "year,index\n2019,100\n2020,102\n"}, {"model.ini", "", "[prices]\nindex = cpi.csv\n[param.p]\nvalue = 10\n"
                             "unit = hours per person\nprice_year = 2019\n"}},
     {0}, 1,
     "mkba: @/model.ini:59: [param.p] price_year: price_year rebases amounts of money, and 'p' "
     "is in 'hours per person', not in EUR; leave price_year out for a count or a share (or "
     "put EUR in its unit)\n"},
    {"a price year on a share with a beta distribution",
     {{"cpi.csv", NULL, "year,index\n2019,100\n2020,102\n"}, {"model.ini", "", "[prices]\nindex = cpi.csv\n[param.p]\n"
                             "distribution = beta(2, 5)\nprice_year = 2019\n"}},
     {0}, 1,
     "mkba: @/model.ini:58: [param.p] price_year: price_year rebases amounts of money, and 'p' "
     "has a beta distribution, which is for a share from 0 to 1; leave price_year out\n"},
    {"an index without the model's price year",
     {{"cpi.csv", NULL, "year,index\n2016,100\n2017,102\n"},
      {"model.ini", "", "[prices]\nindex = cpi.csv\n"}},
     {0}, 1,
     "mkba: @/model.ini:55: [prices] index: the price index has no year 2020, the model's "
     "price_year (it covers 2016 to 2017)\n"},
    {"[prices] without an index", {{"model.ini", "", "[prices]\nindex_column = cpi\n"}}, {0}, 1,
     "mkba: @/model.ini:54: [prices]: missing key 'index' (the price index file, e.g. "
     "../data/cpi_cbs.csv)\n"},
    {"an index file that does not exist", {{"model.ini", "", "[prices]\nindex = cpi.csv\n"}},
     {0}, 1, "mkba: @/cpi.csv: cannot open: No such file or directory\n"},
    {"an index with a gap",
     {{"cpi.csv", NULL, "# CBS\nyear,index\n2019,100\n2021,104\n"},
      {"model.ini", "", "[prices]\nindex = cpi.csv\n"}},
     {0}, 1,
     "mkba: @/cpi.csv:4: column year: year 2020 is missing: expected 2020 after 2019 (line 3), "
     "got 2021 (every year from the first to the last)\n"},
    {"an index with a year twice",
     {{"cpi.csv", NULL, "year,index\n2019,100\n2020,102\n2020,103\n"},
      {"model.ini", "", "[prices]\nindex = cpi.csv\n"}},
     {0}, 1,
     "mkba: @/cpi.csv:4: column year: year 2020 is listed twice (also on an earlier line)\n"},
    {"an index that is not a number",
     {{"cpi.csv", NULL, "year,index\n2019,100\n2020,n/a\n"},
      {"model.ini", "", "[prices]\nindex = cpi.csv\n"}},
     {0}, 1,
     "mkba: @/cpi.csv:3: column index: expected an index number > 0 with '.' as the decimal "
     "point, got 'n/a'\n"},
    {"an index without a year column",
     {{"cpi.csv", NULL, "jaar,index\n2019,100\n2020,102\n"},
      {"model.ini", "", "[prices]\nindex = cpi.csv\n"}},
     {0}, 1,
     "mkba: @/cpi.csv:1: header: expected the columns 'year' and 'index' (e.g. year,index), no "
     "'year' found\n"},
    {"an index column that the file lacks",
     {{"cpi.csv", NULL, "year,index\n2019,100\n2020,102\n"}, {"model.ini", "", "[prices]\nindex = cpi.csv\nindex_column = cpi_2015\n"}}, {0}, 1,
     "mkba: @/cpi.csv:1: header: expected the columns 'year' and 'cpi_2015' (e.g. "
     "year,cpi_2015), no 'cpi_2015' found\n"},
};

START_TEST(model_case)
{
    run_table(&MODEL_CASES[_i]);
}
END_TEST

START_TEST(model_not_a_text_file)
{
    tu_dir *d = fixture();
    /* A directory, binary data, and UTF-16 given as the model. */
    ck_assert_int_eq(mkdir(tu_dir_path(d, "dir.ini"), 0777), 0);
    bad_case c = {"a directory as the model", {{0}}, {"estimate", "@/dir.ini", NULL}, 1,
                  "mkba: @/dir.ini: is a directory; expected a model or scenario file\n"};
    check_case(&c, d);
    static const char bin[] = "\x7F" "ELF\x02\x01\x01\0\0\0";
    write_bytes(d, "bin.ini", bin, sizeof bin - 1);
    c.args[1] = "@/bin.ini";
    c.err = "mkba: @/bin.ini:1: a NUL byte: this is not a text file\n";
    check_case(&c, d);
    static const char u16[] = "\xFF\xFE[\0m\0o\0d\0e\0l\0]\0\n\0";
    write_bytes(d, "u16.ini", u16, sizeof u16 - 1);
    c.args[1] = "@/u16.ini";
    c.err = "mkba: @/u16.ini: the file is UTF-16 encoded; save it as UTF-8\n";
    check_case(&c, d);
    tu_dir_free(d);
}
END_TEST

/* ------------------------------------------------------------ scenarios */

static const bad_case SCENARIO_CASES[] = {
    {"a scenario whose base is another model",
     {{"model2.ini", NULL, "[model]\n"},
      {"p2.ini", NULL, "[scenario]\nname = p2\nbase = model2.ini\nreference = ref.ini\n"}},
     {"run", "@/project.ini", "@/p2.ini", NULL}, 1,
     "mkba: @/p2.ini:3: [scenario] base: all scenarios of one run need the same base model; "
     "this one has '@/model2.ini', the first had '@/model.ini'\n"},
    {"a base model that does not exist", {{"project.ini", "base = model.ini", "base = modle.ini"}},
     {0}, 1,
     "mkba: @/project.ini:4: [scenario] base: cannot open the base model '@/modle.ini': No such "
     "file or directory\n"},
    {"a scenario file as the base model",
     {{"project.ini", "base = model.ini", "base = ref.ini"},
      {"ref.ini", "base = model.ini", "base = ref.ini"}},
     {0}, 1,
     "mkba: @/ref.ini:1: this is a scenario file; a scenario's 'base' must name a model file\n"},
    {"a scenario file that does not exist", {{0}}, {"run", "@/nothere.ini", NULL}, 1,
     "mkba: @/nothere.ini: cannot open: No such file or directory\n"},
    {"a file name with ESC (clear screen)", {{0}}, {"run", "@/p\x1b[2J.ini", NULL}, 1,
     "mkba: @/p\\x1b[2J.ini: cannot open: No such file or directory\n"},
    {"no reference alternative", {{"project.ini", "reference = ref.ini\n", ""}}, {0}, 1,
     "mkba: @/project.ini: no reference alternative: add 'reference = FILE' to [scenario] or "
     "pass --reference FILE\n"},
    {"a misspelt parameter in a scenario", {{"project.ini", "on = 1", "onn = 1"}}, {0}, 1,
     "mkba: @/project.ini:7: [parameters] onn: 'onn' is not a parameter of the base model and "
     "nothing in this scenario uses it; did you mean 'on'?\n"},
    {"a misspelt item in a scenario", {{"project.ini", "", "[item.wrok]\nenabled = no\n"}}, {0},
     1, "mkba: @/project.ini:8: [item.wrok]: the base model has no item 'wrok' (did you mean "
        "'work'?); a new item needs 'kind' (benefit, cost or transfer)\n"},
    {"a scenario that sets a distribution",
     {{"project.ini", "[parameters]\non = 1\n", "[param.on]\ndistribution = uniform(0, 1)\n"}},
     {0}, 1,
     "mkba: @/project.ini:7: [param.on] distribution: distributions are set in the base model; "
     "a scenario can only fix the parameter (value = ...)\n"},
    {"a scenario with a [cohort] section", {{"project.ini", "", "[cohort]\nfile = other.csv\n"}},
     {0}, 1,
     "mkba: @/project.ini:8: [cohort]: a scenario file cannot have this section (allowed: "
     "[scenario], [model] discount_rate, [parameters], [param.NAME], [item.NAME])\n"},
    {"a scenario with a propensity model",
     {{"project.ini", "", "[propensity]\ncovariates = uren\n"}}, {0}, 1,
     "mkba: @/project.ini:8: [propensity]: a scenario cannot change the propensity model: "
     "[propensity] is set once, in the base model (for another propensity model, write another "
     "model file)\n"},
    {"a scenario that changes an item's kind", {{"project.ini", "", "[item.work]\nkind = cost\n"}},
     {0}, 1,
     "mkba: @/project.ini:9: [item.work] kind: a scenario cannot change 'kind' of item 'work'; "
     "disable it (enabled = no) and add a new item\n"},
    {"a project scenario given twice", {{0}}, {"run", "@/project.ini", "@/project.ini", NULL},
     1, "mkba: @/project.ini: is given twice as a project scenario\n"},
    {"the reference given as a project too", {{0}}, {"run", "@/ref.ini", "@/project.ini", NULL},
     1,
     "mkba: @/ref.ini: is the reference of this run, and is given as a project too; give only "
     "the project scenarios (their reference = key names it)\n"},
    {"a scenario that sets a parameter's price year",
     {{"project.ini", "[parameters]\non = 1\n", "[param.on]\nvalue = 1\nprice_year = 2019\n"}},
     {0}, 1,
     "mkba: @/project.ini:8: [param.on] price_year: a parameter's price year is set in the "
     "base model; a scenario's value is read in the same year's prices\n"},
    {"a scenario that changes an item's price year",
     {{"project.ini", "", "[item.work]\nprice_year = 2019\n"}}, {0}, 1,
     "mkba: @/project.ini:9: [item.work] price_year: a scenario cannot change 'price_year' of "
     "item 'work'; disable it (enabled = no) and add a new item\n"},
};

START_TEST(scenario_case)
{
    run_table(&SCENARIO_CASES[_i]);
}
END_TEST

/* ------------------------------------------------------------ the command line */

static const bad_case CLI_CASES[] = {
    {"an unknown option", {{0}}, {"run", "@/project.ini", "--frobnicate", NULL}, 2,
     "mkba: unknown option '--frobnicate'\nTry 'mkba run --help'.\n"},
    {"an option without its value", {{0}}, {"run", "@/project.ini", "--out", NULL}, 2,
     "mkba: option '--out' needs a value\nTry 'mkba run --help'.\n"},
    {"an empty option value", {{0}}, {"run", "@/project.ini", "--out=", NULL}, 2,
     "mkba: option '--out' needs a value\nTry 'mkba run --help'.\n"},
    {"a value for an option that takes none", {{0}}, {"run", "@/project.ini", "--detail=yes", NULL},
     2, "mkba: option '--detail' takes no value\nTry 'mkba run --help'.\n"},
    {"an empty file name", {{0}}, {"run", "", NULL}, 2,
     "mkba: an empty file name was given\nTry 'mkba run --help'.\n"},
    {"no scenario", {{0}}, {"run", "--out", "@/res", NULL}, 2,
     "mkba: no scenario file given\nTry 'mkba run --help'.\n"},
    {"an unknown command", {{0}}, {"runn", NULL}, 2,
     "mkba: unknown command 'runn'\nTry 'mkba --help'.\n"},
    {"help on an unknown command", {{0}}, {"help", "runn", NULL}, 2,
     "mkba: unknown command 'runn'\nTry 'mkba --help'.\n"},
    {"--draws abc", {{0}}, {"run", "@/project.ini", "--draws", "abc", NULL}, 2,
     "mkba: --draws expects a whole number from 0 to 1000000000, got 'abc'\n"
     "Try 'mkba run --help'.\n"},
    {"--draws 1e3", {{0}}, {"run", "@/project.ini", "--draws", "1e3", NULL}, 2,
     "mkba: --draws expects a whole number from 0 to 1000000000, got '1e3'\n"
     "Try 'mkba run --help'.\n"},
    {"--threads -1", {{0}}, {"run", "@/project.ini", "--threads", "-1", NULL}, 2,
     "mkba: --threads expects a whole number from 0 to 4096, got '-1'\nTry 'mkba run --help'.\n"},
    {"--seed -1", {{0}}, {"run", "@/project.ini", "--seed", "-1", NULL}, 2,
     "mkba: --seed expects a whole number >= 0, got '-1'\nTry 'mkba run --help'.\n"},
    {"--bootstrap x", {{0}}, {"run", "@/project.ini", "--draws", "5", "--bootstrap", "x", NULL}, 2,
     "mkba: --bootstrap expects a whole number from 0 to 1000000, got 'x'\n"
     "Try 'mkba run --help'.\n"},
    /* One replicate: every draw would take it, the effects adding no spread
     * at all; 99 puts the bootstrap CI next to the most extreme ones. */
    {"--bootstrap 1", {{0}}, {"run", "@/project.ini", "--draws", "5", "--bootstrap", "1", NULL}, 2,
     "mkba: --bootstrap expects 0 (the effects fixed at their estimates) or a whole number from "
     "100 to 1000000, got '1': fewer replicates cannot describe the effects' uncertainty "
     "(the bootstrap CI would rest on the most extreme ones)\nTry 'mkba run --help'.\n"},
    {"--bootstrap 99", {{0}}, {"run", "@/project.ini", "--draws", "5", "--bootstrap", "99", NULL},
     2,
     "mkba: --bootstrap expects 0 (the effects fixed at their estimates) or a whole number from "
     "100 to 1000000, got '99': fewer replicates cannot describe the effects' uncertainty "
     "(the bootstrap CI would rest on the most extreme ones)\nTry 'mkba run --help'.\n"},
    {"--sobol 1", {{0}}, {"sensitivity", "@/project.ini", "--sobol", "1", NULL}, 2,
     "mkba: --sobol expects 0 or a whole number from 2 to 10000000, got '1'\n"
     "Try 'mkba sensitivity --help'.\n"},
    {"--two-way with one name", {{0}}, {"sensitivity", "@/project.ini", "--two-way", "a", NULL}, 2,
     "mkba: --two-way expects two inputs as NAME1,NAME2, got 'a'\n"
     "Try 'mkba sensitivity --help'.\n"},
    {"--two-way without --sensitivity", {{0}}, {"run", "@/project.ini", "--two-way", "a,b", NULL},
     2, "mkba: --two-way, --steps and --sobol need --sensitivity\nTry 'mkba run --help'.\n"},
    {"--steps without --two-way", {{0}}, {"sensitivity", "@/project.ini", "--steps", "3", NULL}, 2,
     "mkba: --steps needs --two-way\nTry 'mkba sensitivity --help'.\n"},
    {"--draws-out with --draws 0", {{0}},
     {"run", "@/project.ini", "--draws", "0", "--draws-out", "@/d.csv", NULL}, 2,
     "mkba: --draws-out needs a Monte Carlo: give --draws N with N > 0\nTry 'mkba run --help'.\n"},
    {"--draws-out without any Monte Carlo", {{0}},
     {"run", "@/project.ini", "--draws-out", "@/d.csv", NULL}, 1,
     "mkba: --draws-out needs a Monte Carlo: give --draws N (the model's [simulation] sets no "
     "draws)\n"},
    {"an unknown input for --two-way", {{0}},
     {"sensitivity", "@/project.ini", "--two-way", "effect.werk,effect.wrek", "--sobol", "0", NULL},
     1, "mkba: two-way analysis: 'effect.wrek' is not an uncertain input (give it a "
        "distribution, or name an effect as effect.NAME)\n"},
    {"estimate with two models", {{0}}, {"estimate", "@/model.ini", "@/ref.ini", NULL}, 2,
     "mkba: give one model file\nTry 'mkba estimate --help'.\n"},
    {"synth without --out", {{0}}, {"synth", "@/model.ini", NULL}, 2,
     "mkba: --out FILE is required\nTry 'mkba synth --help'.\n"},
    {"an option value with a CR", {{0}}, {"run", "@/project.ini", "--seed", "1\r2", NULL}, 2,
     "mkba: --seed expects a whole number >= 0, got '1\\r2'\nTry 'mkba run --help'.\n"},
};

START_TEST(cli_case)
{
    run_table(&CLI_CASES[_i]);
}
END_TEST

START_TEST(cli_draws_zero_is_fine)
{
    /* --draws 0 is no Monte Carlo: the deterministic run, and no mc_ files. */
    tu_dir *d = fixture();
    const char *args[] = {"run", "project.ini", "--draws", "0", "--out", "res", NULL};
    expect_ok(d, args);
    struct stat st;
    ck_assert_int_eq(stat(tu_dir_path(d, "res/summary.csv"), &st), 0);
    ck_assert_int_ne(stat(tu_dir_path(d, "res/mc_summary.csv"), &st), 0);
    tu_dir_free(d);
}
END_TEST

/* ------------------------------------------------------------ outputs */

static const bad_case OUTPUT_CASES[] = {
    {"--draws-out is the cohort", {{0}},
     {"run", "@/project.ini", "--draws", "5", "--draws-out", "@/cohort.csv", NULL}, 1,
     "mkba: @/cohort.csv: is a cohort file; --draws-out would overwrite it (give --draws-out "
     "another file name)\n"},
    {"--draws-out is the model, spelt otherwise", {{0}},
     {"run", "@/project.ini", "--draws", "5", "--draws-out", "@/./model.ini", NULL}, 1,
     "mkba: @/./model.ini: is the model file; --draws-out would overwrite it (give --draws-out "
     "another file name)\n"},
    {"--draws-out is the reference scenario", {{0}},
     {"run", "@/project.ini", "--draws", "5", "--draws-out", "@/ref.ini", NULL}, 1,
     "mkba: @/ref.ini: is a scenario file; --draws-out would overwrite it (give --draws-out "
     "another file name)\n"},
    {"--draws-out is a directory", {{0}},
     {"run", "@/project.ini", "--draws", "5", "--draws-out", "@", NULL}, 1,
     "mkba: @: cannot write: Is a directory\n"},
    {"--draws-out in a directory that does not exist", {{0}},
     {"run", "@/project.ini", "--draws", "5", "--draws-out", "@/no/d.csv", NULL}, 1,
     "mkba: @/no/d.csv: cannot write: No such file or directory\n"},
    {"estimate --out is the model", {{0}},
     {"estimate", "@/model.ini", "--out", "@/model.ini", NULL},
     1, "mkba: @/model.ini: is the model file; --out would overwrite it (give --out another file "
        "name)\n"},
    {"estimate --out is the cohort", {{0}},
     {"estimate", "@/model.ini", "--out", "@/cohort.csv", NULL}, 1,
     "mkba: @/cohort.csv: is a cohort file; --out would overwrite it (give --out another file "
     "name)\n"},
    {"--out is the cohort file", {{0}}, {"run", "@/project.ini", "--out", "@/cohort.csv", NULL}, 1,
     "mkba: @/cohort.csv: is a cohort file, not a directory (--out names the directory for the "
     "results)\n"},
    {"--out is an existing file", {{"notes.txt", NULL, "my notes\n"}},
     {"run", "@/project.ini", "--out", "@/notes.txt", NULL}, 1,
     "mkba: @/notes.txt: is a file, not a directory (--out names the directory for the "
     "results)\n"},
    {"synth --out is its own spec", {{0}}, {"synth", "@/model.ini", "--out", "@/./model.ini", NULL},
     1, "mkba: @/./model.ini: is the spec file; --out would overwrite it (give --out another "
        "file name)\n"},
    {"--report is a table that --out writes", {{0}},
     {"run", "@/project.ini", "--out", "@/res", "--report", "@/res/summary.csv", NULL}, 1,
     "mkba: @/res/summary.csv: is one of the files --out writes; --report would overwrite it "
     "(give --report another file name)\n"},
    {"--draws-out is a chart's file", {{0}},
     {"run", "@/project.ini", "--out", "@/res/", "--draws", "5", "--draws-out",
      "@/res/./charts/effects.dat", NULL},
     1,
     "mkba: @/res/./charts/effects.dat: is one of the files --out writes; --draws-out would "
     "overwrite it (give --draws-out another file name)\n"},
    {"--out below a regular file", {{"notes.txt", NULL, "my notes\n"}},
     {"run", "@/project.ini", "--out", "@/notes.txt/res", NULL}, 1,
     "mkba: @/notes.txt/res: cannot create directory: Not a directory\n"},
    /* A cohort file name with ", " in it is one file (the old check split
     * the joined list of names on commas and missed it). */
    {"--report is a cohort file whose name holds a comma",
     {{"my, cohort.csv", NULL, GOOD}, {"model.ini", "file = cohort.csv", "file = my, cohort.csv"}},
     {"run", "@/project.ini", "--report", "@/my, cohort.csv", NULL},
     1, "mkba: @/my, cohort.csv: is a cohort file; --report would overwrite it (give --report "
        "another file name)\n"},
    {"--report and --draws-out name one file", {{0}},
     {"run", "@/project.ini", "--draws", "5", "--report", "@/x.csv", "--draws-out", "@/x.csv",
      NULL},
     1, "mkba: @/x.csv: --draws-out and --report would both write this file (give one of them "
        "another name)\n"},
    {"--report and --draws-out name one file, spelt otherwise", {{0}},
     {"run", "@/project.ini", "--draws", "5", "--report", "@/./r.html", "--draws-out",
      "@/r.html", NULL},
     1, "mkba: @/./r.html: --draws-out and --report would both write this file (give one of "
        "them another name)\n"},
    /* The workbook is an output like the report: never over an input, a
     * table of --out or another output (nothing is written, not even the
     * tables of --out). */
    {"--xlsx is the cohort file", {{0}},
     {"run", "@/project.ini", "--out", "@/res", "--xlsx", "@/cohort.csv", NULL}, 1,
     "mkba: @/cohort.csv: is a cohort file; --xlsx would overwrite it (give --xlsx another file "
     "name)\n"},
    {"--xlsx is the model file, spelt otherwise", {{0}},
     {"sensitivity", "@/project.ini", "--xlsx", "@/./model.ini", NULL}, 1,
     "mkba: @/./model.ini: is the model file; --xlsx would overwrite it (give --xlsx another "
     "file name)\n"},
    {"--xlsx is a table that --out writes", {{0}},
     {"run", "@/project.ini", "--out", "@/res", "--xlsx", "@/res/effects_nl.csv", NULL}, 1,
     "mkba: @/res/effects_nl.csv: is one of the files --out writes; --xlsx would overwrite it "
     "(give --xlsx another file name)\n"},
    {"--xlsx and --report name one file", {{0}},
     {"run", "@/project.ini", "--report", "@/r.xlsx", "--xlsx", "@/r.xlsx", NULL}, 1,
     "mkba: @/r.xlsx: --report and --xlsx would both write this file (give one of them another "
     "name)\n"},
    {"--xlsx in a directory that does not exist", {{0}},
     {"run", "@/project.ini", "--xlsx", "@/no/book.xlsx", NULL}, 1,
     "mkba: @/no/book.xlsx: cannot write: No such file or directory\n"},
    {"--xlsx with no file name", {{0}}, {"run", "@/project.ini", "--xlsx=", NULL}, 2,
     "mkba: option '--xlsx' needs a value\nTry 'mkba run --help'.\n"},
};

START_TEST(output_case)
{
    run_table(&OUTPUT_CASES[_i]);
}
END_TEST

START_TEST(output_fifo_untouched)
{
    /* Renaming onto a named pipe (or, as root, a device) would replace it
     * with a regular file: refused, and the pipe is still a pipe. */
    tu_dir *d = fixture();
    ck_assert_int_eq(mkfifo(tu_dir_path(d, "pipe"), 0666), 0);
    bad_case c = {"--draws-out is a named pipe", {{0}},
                  {"run", "@/project.ini", "--draws", "5", "--draws-out", "@/pipe", NULL}, 1,
                  "mkba: @/pipe: cannot write: not a regular file (a device, pipe or socket)\n"};
    check_case(&c, d);
    struct stat st;
    ck_assert_int_eq(lstat(tu_dir_path(d, "pipe"), &st), 0);
    ck_assert(S_ISFIFO(st.st_mode));
    tu_dir_free(d);
}
END_TEST

/* Results of a good run in d/res; returns a snapshot of d. */
static char *good_results(tu_dir *d)
{
    show_counts(d);
    char *out, *err;
    const char *args[] = {"run", "project.ini", "--out", "res", "-q", NULL};
    int rc = tu_run(tu_dir_root(d), args, &out, &err);
    ck_assert_msg(rc == 0, "%s", err);
    free(out), free(err);
    return snapshot(tu_dir_root(d));
}

START_TEST(output_old_results_kept_bad_input)
{
    /* A run that fails on its input leaves the results of the previous run
     * exactly as they were (check_case compares every file). */
    tu_dir *d = fixture();
    free(good_results(d));
    edit e = {"cohort.csv", NULL, HEADER "P1,pilot,1,2.5,4,2\nP2,pilot,0,drie,5,4\n" REST};
    apply(d, &e);
    bad_case c = {"bad cohort over old results", {{0}}, {0}, 1,
                  "mkba: @/cohort.csv:3: column 'uren': expected a number, got text, not a number\n"};
    check_case(&c, d);
    edit m = {"project.ini", "on = 1", "on = 1 / 0"};
    apply(d, &m);
    tu_dir_write(d, "cohort.csv", GOOD);
    c.err = "mkba: @/project.ini:7: [parameters] on: '1 / 0' evaluates to infinity in scenario "
            "'project' (a division by zero?)\n";
    check_case(&c, d);
    tu_dir_free(d);
}
END_TEST

START_TEST(output_old_results_kept_failed_write)
{
    /* A run whose writing fails part way (one result file cannot be
     * replaced: a directory stands in its place) changes no result file
     * and leaves no temporary file, although its results differ (on = 2
     * doubles every flow). */
    tu_dir *d = fixture();
    free(good_results(d));
    ck_assert_int_eq(unlink(tu_dir_path(d, "res/items.csv")), 0);
    ck_assert_int_eq(mkdir(tu_dir_path(d, "res/items.csv"), 0777), 0);
    edit e = {"project.ini", "on = 1", "on = 2"};
    apply(d, &e);
    bad_case c = {"a result file that cannot be replaced", {{0}}, {0}, 1,
                  "mkba: @/res/items.csv: cannot write: Is a directory\n"};
    check_case(&c, d);
    tu_dir_free(d);
}
END_TEST

START_TEST(output_old_results_kept_usage_error)
{
    tu_dir *d = fixture();
    free(good_results(d));
    bad_case c = {"a usage error over old results", {{0}},
                  {"run", "@/project.ini", "--out", "@/res", "--draws", "-5", NULL}, 2,
                  "mkba: --draws expects a whole number from 0 to 1000000000, got '-5'\n"
                  "Try 'mkba run --help'.\n"};
    check_case(&c, d);
    tu_dir_free(d);
}
END_TEST

/* ------------------------------------------- inputs inside --out, all or nothing */

/* A fixture whose directory res/ (and res/charts/) exists. */
static tu_dir *fixture_res(void)
{
    tu_dir *d = fixture();
    ck_assert_int_eq(mkdir(tu_dir_path(d, "res"), 0777), 0);
    ck_assert_int_eq(mkdir(tu_dir_path(d, "res/charts"), 0777), 0);
    return d;
}

#define IN_OUT "writes or removes a file of that name (move it, or write the results to another " \
               "directory)\n"

START_TEST(output_cohort_named_like_a_table)
{
    /* A cohort file inside --out under a name the run writes (a table in
     * both dialects) or removes (a Monte Carlo table of an earlier run,
     * this run having none): refused before anything is written; the
     * cohort is untouched (check_case compares every file). */
    const char *names[] = {"effects.csv", "summary_nl.csv", "mc_voi.csv", "sens_tornado.csv"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        tu_dir *d = fixture_res();
        char rel[64], line[80], msg[256];
        snprintf(rel, sizeof rel, "res/%s", names[i]);
        snprintf(line, sizeof line, "file = %s", rel);
        tu_dir_write(d, rel, GOOD);
        edit e = {"model.ini", "file = cohort.csv", line};
        apply(d, &e);
        snprintf(msg, sizeof msg, "mkba: @/%s: is a cohort file, and --out DIR " IN_OUT, rel);
        bad_case c = {names[i], {{0}}, {0}, 1, msg};
        check_case(&c, d);
        tu_dir_free(d);
    }
}
END_TEST

START_TEST(output_model_named_results_json)
{
    tu_dir *d = fixture_res();
    show_counts(d);
    char *model = tu_read(tu_dir_path(d, "model.ini"));
    ck_assert_ptr_nonnull(model);
    tu_dir_write(d, "res/results.json", model);
    free(model);
    edit e[] = {{"res/results.json", "file = cohort.csv", "file = ../cohort.csv"},
                {"project.ini", "base = model.ini", "base = res/results.json"},
                {"ref.ini", "base = model.ini", "base = res/results.json"}};
    for (int i = 0; i < 3; i++)
        apply(d, &e[i]);
    bad_case c = {"the model is res/results.json", {{0}}, {0}, 1,
                  "mkba: @/res/results.json: is the model file, and --out DIR " IN_OUT};
    check_case(&c, d);
    tu_dir_free(d);
}
END_TEST

START_TEST(output_scenario_named_like_a_chart)
{
    tu_dir *d = fixture_res();
    tu_dir_write(d, "res/charts/tornado.dat",
                 "[scenario]\nname = project\nbase = ../../model.ini\n"
                 "reference = ../../ref.ini\n[parameters]\non = 1\n");
    bad_case c = {"the scenario is res/charts/tornado.dat", {{0}},
                  {"run", "@/res/charts/tornado.dat", "--out", "@/res", NULL}, 1,
                  "mkba: @/res/charts/tornado.dat: is a scenario file, and --out DIR " IN_OUT};
    check_case(&c, d);
    tu_dir_free(d);
}
END_TEST

START_TEST(output_links_to_inputs)
{
    /* A symbolic or a hard link inside --out to an input, under a name the
     * run writes: the input itself is found (device and inode). */
    for (int hard = 0; hard <= 1; hard++) {
        tu_dir *d = fixture_res();
        const char *target = hard ? "res/items_nl.csv" : "res/summary.csv";
        int rc = hard ? link(tu_dir_path(d, "cohort.csv"), tu_dir_path(d, target))
                      : symlink("../cohort.csv", tu_dir_path(d, target));
        ck_assert_int_eq(rc, 0);
        char msg[256];
        snprintf(msg, sizeof msg, "mkba: @/%s: is a cohort file, and --out DIR " IN_OUT, target);
        bad_case c = {hard ? "a hard link" : "a symbolic link", {{0}}, {0}, 1, msg};
        check_case(&c, d);
        tu_dir_free(d);
    }
}
END_TEST

START_TEST(output_symlink_never_replaced)
{
    /* An output path that is a symbolic link (here to a file of the
     * user's; /dev/stdout is one too) is neither replaced by the output
     * nor written through: refused, the link and its target unchanged. */
    const char *opts[][2] = {{"--report", "@/r.html"}, {"--draws-out", "@/r.html"}};
    for (int i = 0; i < 2; i++) {
        tu_dir *d = fixture();
        show_counts(d);
        tu_dir_write(d, "notes.txt", "my notes\n");
        ck_assert_int_eq(symlink("notes.txt", tu_dir_path(d, "r.html")), 0);
        bad_case c = {opts[i][0], {{0}},
                      {"run", "@/project.ini", "--draws", "5", opts[i][0], opts[i][1], NULL}, 1,
                      "mkba: @/r.html: is a symbolic link; mkba neither replaces it nor writes "
                      "through it (give the file's own name, or another one)\n"};
        check_case(&c, d);
        tu_dir_free(d);
    }
}
END_TEST

START_TEST(output_unreplaceable_file_moves_nothing)
{
    /* A shared sticky directory (mode 1777, like /tmp) holding the results
     * of an earlier run by user nobody, one of whose files (results.json)
     * now belongs to root: nobody may not replace it. A new run by nobody
     * with other figures (on = 2) finds that before it moves any file, so
     * the directory keeps the earlier run whole. Needs root (to set up)
     * and setpriv; else the test says so and passes. */
    if (getenv("MKBA_VALGRIND")) /* the wrapper below would run valgrind on sh */
        return;
    if (geteuid() != 0 || system("command -v setpriv >/dev/null 2>&1") != 0) {
        fprintf(stderr, "check_badinput: output_unreplaceable_file_moves_nothing skipped: needs "
                        "root and setpriv\n");
        return;
    }
    tu_dir *d = fixture();
    show_counts(d);
    const char *root = tu_dir_root(d), *res = tu_dir_path(d, "res");
    ck_assert_int_eq(chmod(root, 0755), 0);
    ck_assert_int_eq(mkdir(res, 0777), 0);
    ck_assert_int_eq(chmod(res, 01777), 0);
    char *real = strdup(getenv("MKBA_BIN"));
    char script[4400];
    snprintf(script, sizeof script,
             "#!/bin/sh\nexec setpriv --reuid=nobody --regid=nogroup --clear-groups \"%s\" "
             "\"$@\"\n", real);
    const char *w = tu_dir_write(d, "as-nobody", script);
    ck_assert_int_eq(chmod(w, 0755), 0);
    ck_assert_int_eq(setenv("MKBA_BIN", w, 1), 0);
    char *out, *err;
    const char *args[] = {"run", "project.ini", "--out", "res", "-q", "--no-charts", NULL};
    int rc = tu_run(root, args, &out, &err);
    ck_assert_msg(rc == 0, "the first run (as nobody) failed: %s", err);
    free(out), free(err);
    ck_assert_int_eq(chown(tu_dir_path(d, "res/results.json"), 0, 0), 0);
    edit e = {"project.ini", "on = 1", "on = 2"};
    apply(d, &e);
    bad_case c = {"a file of someone else's in a sticky directory", {{0}},
                  {"run", "@/project.ini", "--out", "@/res", "-q", "--no-charts", NULL}, 1,
                  "mkba: @/res/results.json: cannot write: Operation not permitted\n"};
    check_case(&c, d);
    setenv("MKBA_BIN", real, 1);
    free(real);
    tu_dir_free(d);
}
END_TEST

START_TEST(output_charts_symlink_not_followed)
{
    /* res/charts is a link to another directory: never written through. */
    tu_dir *d = fixture();
    ck_assert_int_eq(mkdir(tu_dir_path(d, "res"), 0777), 0);
    ck_assert_int_eq(mkdir(tu_dir_path(d, "elsewhere"), 0777), 0);
    ck_assert_int_eq(symlink("../elsewhere", tu_dir_path(d, "res/charts")), 0);
    bad_case c = {"res/charts is a symbolic link", {{0}}, {0}, 1,
                  "mkba: @/res/charts: is a symbolic link; mkba does not write through it "
                  "(remove the link, or write the results to another directory)\n"};
    check_case(&c, d);
    tu_dir_free(d);
}
END_TEST

/* Run the default case with $MKBA_GNUPLOT a script of 'body' in d. */
static void with_gnuplot(tu_dir *d, const char *body, const char *name, const char *err)
{
    const char *gp = tu_dir_write(d, "fake-gnuplot", body);
    ck_assert_int_eq(chmod(gp, 0755), 0);
    ck_assert_int_eq(setenv("MKBA_GNUPLOT", gp, 1), 0);
    bad_case c = {name, {{0}}, {"run", "@/project.ini", "--out", "@/res", "--report",
                                "@/report.html", NULL}, 1, err};
    check_case(&c, d);
    unsetenv("MKBA_GNUPLOT");
}

START_TEST(output_failed_charts_publish_nothing)
{
    /* gnuplot fails on the first chart, after the tables and the report
     * were made: nothing is published. Over the results of an earlier run
     * (with other figures: on = 2 doubles every flow) they stay as they
     * were; without one, res/ is not even created. */
    const char *fail = "#!/bin/sh\necho 'line 3: unknown terminal' >&2\nexit 1\n";
    const char *why = "mkba: @/res/charts/waterfall_items_1.gp: gnuplot failed: line 3: unknown "
                      "terminal\n";
    tu_dir *d = fixture();
    show_counts(d);
    free(good_results(d));
    edit e = {"project.ini", "on = 1", "on = 2"};
    apply(d, &e);
    with_gnuplot(d, fail, "gnuplot fails over old results", why);
    tu_dir_free(d);
    d = fixture();
    show_counts(d);
    with_gnuplot(d, fail, "gnuplot fails in a new directory", why);
    struct stat st;
    ck_assert_int_ne(stat(tu_dir_path(d, "res"), &st), 0);
    tu_dir_free(d);
}
END_TEST

START_TEST(output_truncated_chart_never_published)
{
    /* gnuplot exits 0 but the PNG is cut short (as on a full disk): the
     * run fails, naming the chart, and publishes nothing. */
    tu_dir *d = fixture();
    show_counts(d);
    free(good_results(d));
    with_gnuplot(d,
                 "#!/bin/sh\nn=${1%.gp}\nprintf '\\211PNG\\r\\n\\032\\nIHDR' > \"$n.png\"\n"
                 "printf '<svg></svg>\\n' > \"$n.svg\"\nexit 0\n",
                 "a truncated PNG",
                 "mkba: @/res/charts/waterfall_items_1.gp: gnuplot failed: it wrote no complete "
                 "waterfall_items_1.png\n");
    tu_dir_free(d);
}
END_TEST

START_TEST(output_full_disk)
{
    /* --out on a file system that fills up (a small tmpfs, mounted in a
     * private mount namespace: needs unshare and user namespaces, else the
     * test says so and passes): the run says "No space left on device"
     * with the file, exits 1, and leaves no file in the directory. With
     * 64 KiB the tables fit and a chart's data does not; with 128 KiB
     * gnuplot's pictures do not (sizes of this fixture's outputs: 16 KB of
     * tables, 190 KB of charts). */
    if (getenv("MKBA_VALGRIND")) /* the wrapper below would run valgrind on sh */
        return;
    if (system("unshare -Urm true >/dev/null 2>&1") != 0) {
        fprintf(stderr, "check_badinput: output_full_disk skipped: no unshare -Urm here\n");
        return;
    }
    const char *sizes[] = {"64k", "128k"};
    char *real = strdup(getenv("MKBA_BIN"));
    for (size_t i = 0; i < 2; i++) {
        tu_dir *d = fixture();
        show_counts(d);
        ck_assert_int_eq(mkdir(tu_dir_path(d, "res"), 0777), 0);
        /* The wrapper mounts the tmpfs on res/, runs mkba there, and then
         * lists what is left in res/ on stderr (after mkba's message). */
        char script[512];
        snprintf(script, sizeof script,
                 "#!/bin/sh\nexec unshare -Urm sh -c '"
                 "mount -t tmpfs -o size=%s tmpfs res || exit 98; "
                 "\"$0\" \"$@\"; rc=$?; ls -A res | sed \"s/^/left: /\" >&2; "
                 "exit $rc' \"$REAL_MKBA\" \"$@\"\n",
                 sizes[i]);
        const char *w = tu_dir_write(d, "wrapper", script);
        ck_assert_int_eq(chmod(w, 0755), 0);
        ck_assert_int_eq(setenv("REAL_MKBA", real, 1), 0);
        ck_assert_int_eq(setenv("MKBA_BIN", w, 1), 0);
        char *out, *err;
        const char *args[] = {"run", "project.ini", "--out", "res", NULL};
        int rc = tu_run(tu_dir_root(d), args, &out, &err);
        setenv("MKBA_BIN", real, 1);
        unsetenv("REAL_MKBA");
        ck_assert_msg(rc == 1, "%s: exit status %d; stderr:\n%s", sizes[i], rc, err);
        ck_assert_msg(tu_contains(err, "mkba: res/charts/") &&
                          tu_contains(err, ": cannot write: No space left on device\n"),
                      "%s: %s", sizes[i], err);
        ck_assert_msg(!tu_contains(err, "left: "), "%s: files left behind:\n%s", sizes[i], err);
        ck_assert_str_eq(out, "");
        free(out), free(err);
        tu_dir_free(d);
    }
    free(real);
}
END_TEST

/* Runs mkba through a shell wrapper: 'pre' (shell commands) first, then
 * mkba with 'args' and 'redir' (a shell redirection, or ""). Returns the
 * exit status; *out and *err as tu_run's. */
static int run_wrapped(tu_dir *d, const char *pre, const char *redir, const char *const *args,
                       char **out, char **err)
{
    char *real = strdup(getenv("MKBA_BIN"));
    char script[512];
    snprintf(script, sizeof script, "#!/bin/sh\n%s\n\"$REAL_MKBA\" \"$@\" %s\n", pre, redir);
    const char *w = tu_dir_write(d, "wrapper", script);
    ck_assert_int_eq(chmod(w, 0755), 0);
    ck_assert_int_eq(setenv("REAL_MKBA", real, 1), 0);
    ck_assert_int_eq(setenv("MKBA_BIN", w, 1), 0);
    int rc = tu_run(tu_dir_root(d), args, out, err);
    setenv("MKBA_BIN", real, 1);
    unsetenv("REAL_MKBA");
    free(real);
    return rc;
}

START_TEST(workbook_full_disk)
{
    /* --xlsx onto a full file system (an 8 KiB tmpfs; the workbook is
     * larger): one message, with the file and the system's reason, not
     * libxlsxwriter's own lines with its staging path and "Zip generic
     * error"; nothing left. Needs unshare -Urm, as output_full_disk. */
    if (getenv("MKBA_VALGRIND"))
        return;
    if (system("unshare -Urm true >/dev/null 2>&1") != 0) {
        fprintf(stderr, "check_badinput: workbook_full_disk skipped: no unshare -Urm here\n");
        return;
    }
    tu_dir *d = fixture();
    show_counts(d);
    ck_assert_int_eq(mkdir(tu_dir_path(d, "res"), 0777), 0);
    char *out, *err;
    const char *args[] = {"run", "project.ini", "-q", "--xlsx", "res/book.xlsx", NULL};
    int rc = run_wrapped(d, "exec unshare -Urm sh -c 'mount -t tmpfs -o size=8k tmpfs res || "
                            "exit 98; \"$0\" \"$@\"; rc=$?; ls -A res | sed \"s/^/left: /\" >&2; "
                            "exit $rc' \"$REAL_MKBA\" \"$@\"",
                         "", args, &out, &err);
    ck_assert_msg(rc == 1, "exit status %d; stderr:\n%s", rc, err);
    char want[160];
    snprintf(want, sizeof want, "mkba: res/book.xlsx: cannot write: %s\n", strerror(ENOSPC));
    ck_assert_str_eq(err, want);
    free(out), free(err);
    tu_dir_free(d);
}
END_TEST

START_TEST(output_file_size_limit)
{
    /* A file-size limit (ulimit -f 4: 2 KiB in dash's 512-byte blocks, 4
     * KiB in bash's; this fixture's cash-flow table and chart data are
     * larger): the write fails with EFBIG, the run says so with the file
     * and exits 1, and nothing is left; the signal the limit sends
     * (SIGXFSZ) used to kill the run silently (exit 153) with its
     * temporary files left behind. */
    if (getenv("MKBA_VALGRIND")) /* the wrapper would run valgrind on sh */
        return;
    tu_dir *d = fixture();
    show_counts(d);
    ck_assert_int_eq(mkdir(tu_dir_path(d, "res"), 0777), 0);
    char *out, *err;
    const char *args[] = {"run", "project.ini", "--out", "res", NULL};
    int rc = run_wrapped(d, "ulimit -f 4 || exit 98", "", args, &out, &err);
    ck_assert_msg(rc == 1, "exit status %d; stderr:\n%s", rc, err);
    char want[128];
    snprintf(want, sizeof want, ": cannot write: %s\n", strerror(EFBIG));
    ck_assert_msg(tu_contains(err, "mkba: res/") && tu_contains(err, want), "%s", err);
    ck_assert_str_eq(out, "");
    DIR *dir = opendir(tu_dir_path(d, "res"));
    ck_assert_ptr_nonnull(dir);
    struct dirent *e;
    while ((e = readdir(dir)))
        ck_assert_msg(strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0,
                      "left in res/: %s", e->d_name);
    closedir(dir);
    free(out), free(err);
    tu_dir_free(d);
    /* ulimit -f 40 (20 KiB in dash, 40 in bash): the tables fit and a
     * picture of gnuplot's does not; gnuplot only says its output failed,
     * and the run names the picture and the reason, not "gnuplot failed:
     * it wrote no complete ...png". */
    d = fixture();
    show_counts(d);
    ck_assert_int_eq(mkdir(tu_dir_path(d, "res"), 0777), 0);
    rc = run_wrapped(d, "ulimit -f 40 || exit 98", "", args, &out, &err);
    ck_assert_msg(rc == 1, "exit status %d; stderr:\n%s", rc, err);
    ck_assert_msg(tu_contains(err, "mkba: res/charts/") && tu_contains(err, want) &&
                      !tu_contains(err, "gnuplot failed"),
                  "%s", err);
    free(out), free(err);
    tu_dir_free(d);
}
END_TEST

START_TEST(stdout_full)
{
    /* Standard output on a full device (/dev/full): what mkba prints never
     * arrives, so the command fails with the reason, for run (the report on
     * the terminal), check and estimate (whose effects table is its only
     * output without --out); each used to exit 0. */
    if (getenv("MKBA_VALGRIND"))
        return;
    if (access("/dev/full", W_OK) != 0) {
        fprintf(stderr, "check_badinput: stdout_full skipped: no /dev/full here\n");
        return;
    }
    const char *cmds[][4] = {{"run", "project.ini", NULL, NULL},
                             {"check", "project.ini", NULL, NULL},
                             {"estimate", "project.ini", NULL, NULL}};
    for (size_t i = 0; i < 3; i++) {
        tu_dir *d = fixture();
        show_counts(d);
        char *out, *err;
        int rc = run_wrapped(d, "", "> /dev/full", cmds[i], &out, &err);
        ck_assert_msg(rc == 1, "%s: exit status %d; stderr:\n%s", cmds[i][0], rc, err);
        char want[128];
        snprintf(want, sizeof want, "mkba: cannot write the standard output: %s\n",
                 strerror(ENOSPC));
        ck_assert_msg(tu_contains(err, want), "%s: %s", cmds[i][0], err);
        free(out), free(err);
        tu_dir_free(d);
    }
}
END_TEST

/* ------------------------------------------------------------ inputs that are not files */

/* A guard against a hang on a FIFO without a writer: a child that, after
 * 5 s, keeps opening 'fifo' for writing (and closing it), which releases a
 * reader blocked in open() and gives it an empty file. An mkba that hangs
 * thus ends with another message, and the test fails instead of hanging.
 * Stop it with guard_stop(). */
static pid_t guard_start(const char *fifo)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        sleep(5);
        for (;;) {
            int fd = open(fifo, O_WRONLY | O_NONBLOCK); /* ENXIO while no reader */
            if (fd >= 0)
                close(fd);
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    return pid;
}

static void guard_stop(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* A FIFO (no writer), a directory and devices, given as the model, a
 * scenario, the reference and the cohort, are refused at once, before
 * anything is read, with what they are. "@/fifo" is a FIFO, "@/dir" a
 * directory. */
static const struct {
    const char *name, *path, *kind; /* what is given; its path; what it is */
} NOT_FILES[] = {
    {"a FIFO", "@/fifo", "not a regular file (a FIFO)"},
    {"a directory", "@/dir", "is a directory"},
    {"/dev/null", "/dev/null", "not a regular file (a character device)"},
    {"/dev/zero", "/dev/zero", "not a regular file (a character device)"},
};

START_TEST(input_not_a_regular_file)
{
    const char *path = NOT_FILES[_i].path, *kind = NOT_FILES[_i].kind;
    tu_dir *d = fixture();
    ck_assert_int_eq(mkfifo(tu_dir_path(d, "fifo"), 0666), 0);
    ck_assert_int_eq(mkdir(tu_dir_path(d, "dir"), 0777), 0);
    pid_t guard = guard_start(tu_dir_path(d, "fifo"));
    char msg[4][300], base[300], file[300];
    snprintf(msg[0], sizeof msg[0], "mkba: %s: %s; expected a model or scenario file\n", path,
             kind);
    snprintf(msg[1], sizeof msg[1], "mkba: %s: %s; expected a CSV file\n", path, kind);
    char *full = expand(path, tu_dir_root(d)); /* edits are not expanded */
    snprintf(base, sizeof base, "base = %s", full);
    snprintf(file, sizeof file, "file = %s", full);
    free(full);
    bad_case c[] = {
        {"as the model", {{0}}, {"estimate", path, NULL}, 1, msg[0]},
        {"as the base model",
         {{"project.ini", "base = model.ini", base}, {"ref.ini", "base = model.ini", base}},
         {0}, 1, msg[0]},
        {"as a scenario", {{0}}, {"run", path, "--out", "@/res", NULL}, 1, msg[0]},
        {"as the reference", {{0}},
         {"run", "--reference", path, "@/project.ini", "--out", "@/res", NULL}, 1, msg[0]},
        {"as the cohort", {{"model.ini", "file = cohort.csv", file}}, {0}, 1, msg[1]},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        for (int k = 0; k < 3; k++)
            apply(d, &c[i].e[k]);
        time_t t0 = time(NULL);
        check_case(&c[i], d);
        ck_assert_msg(time(NULL) - t0 < 4, "%s %s: took %lld s", NOT_FILES[_i].name, c[i].name,
                      (long long)(time(NULL) - t0));
        for (int k = 0; k < 3; k++) /* undo: the next case starts from the base */
            if (c[i].e[k].file) {
                edit undo = {c[i].e[k].file, c[i].e[k].new, c[i].e[k].old};
                apply(d, &undo);
            }
    }
    guard_stop(guard);
    tu_dir_free(d);
}
END_TEST

/* ------------------------------------------------------------ suite */

/* ------------------------------------------------------------ warnings */

/* Plausible mistakes that leave a run going (exit 0) but may make its
 * answer wrong: mkba warns. Each case runs `mkba check`, `mkba sensitivity
 * -q` and `mkba run -q --out --report` (English, then Dutch) and asserts
 * the WHOLE of stderr of each (the same lines: "" when no warning), that
 * check still says "ok", that results.json lists each warning (its "text"
 * is the line after "mkba: warning: ") or has no "warnings" key, and that
 * the report shows them in its warnings box (or has none). */
typedef struct warn_case {
    const char *name;
    edit e[3];
    const char *err;   /* expected stderr, whole */
    const char *html;  /* a text of the English report's warnings box (NULL: no box) */
    const char *html_nl; /* the same in the Dutch report */
} warn_case;

#define SWITCH_HINT                                                                             \
    " but gives the same flow in scenario 'project' as in the reference 'ref' in every year, "  \
    "so the item drops out of the appraisal (a missing pilot switch? e.g. 'pilot * "            \
    "effect.werk * ...', with pilot = 0 in the reference and 1 in the project)\n"
#define OUTSIDE_HINT                                                                            \
    ": the base case and the Monte Carlo tell different stories; check the value or the "      \
    "distribution\n"

static const warn_case WARN_CASES[] = {
    /* The work item's flow is 3 persons x effect 1/3 x 900 = 900 in year 1
     * in both scenarios (hand-worked e2e example): equal, not zero. */
    {"an effect without the pilot switch",
     {{"model.ini", "quantity = on * effect.werk * 3", "quantity = effect.werk * 3"}},
     "mkba: warning: @/model.ini:34: [item.work] quantity: uses effect.werk" SWITCH_HINT,
     "The item <strong>work</strong> uses <code>effect.werk</code>, but its flow in "
     "<strong>The project</strong> is the same as in the reference alternative "
     "<strong>Regular practice</strong>",
     "De post <strong>work</strong> gebruikt <code>effect.werk</code>"},
    /* The same through a parameter (one line inserted: the item moves to
     * line 35). */
    {"an effect through a parameter, without the switch",
     {{"model.ini", "on = 0\n", "on = 0\nw = effect.werk * 3\n"},
      {"model.ini", "quantity = on * effect.werk * 3", "quantity = w"}},
     "mkba: warning: @/model.ini:35: [item.work] quantity: uses effect.werk" SWITCH_HINT,
     "uses <code>effect.werk</code>", "gebruikt <code>effect.werk</code>"},
    /* 0.03% is a rate of 0.0003 (0.03 / 100), taken as written; more
     * likely 3% was meant. 0.1%, the floor, says nothing. */
    {"a discount rate of 0.03%", {{"model.ini", "discount_rate = 0\n", "discount_rate = 0.03%\n"}},
     "mkba: warning: @/model.ini:9: [model] discount_rate: '0.03%' reads as 0.03 percent, a rate "
     "of 0.0003; did you mean 3% (0.03)?\n",
     "reads as 0.03 percent, a rate of 0.0003; did you mean 3% (0.03)?",
     "reads as 0.03 percent, a rate of 0.0003; did you mean 3% (0.03)?"},
    {"a discount rate of 0.1%", {{"model.ini", "discount_rate = 0\n", "discount_rate = 0.1%\n"}},
     "", NULL, NULL},
    /* With the switch (the fixture as it is): no warning. */
    {"an effect with the pilot switch", {{0}}, "", NULL, NULL},
    /* normal(100, 10): P1, P99 = 100 -+ 2.3263 x 10 = 76.737, 123.263 (z of
     * 0.99 from any normal table), shown to 3 significant digits. The value
     * is an expression (150 + 50 = 200). */
    {"a value above its distribution's P99",
     {{"model.ini", "", "[param.c]\nvalue = 150 + 50\ndistribution = normal(100, 10)\n"}},
     "mkba: warning: @/model.ini:55: [param.c] value: 200 is outside the P1-P99 interval of its "
     "distribution normal(100, 10) (76.7 to 123)" OUTSIDE_HINT,
     "The base value of parameter <strong>c</strong> (200) lies outside the P1-P99 interval "
     "(76.74 to 123.3) of its distribution <code>normal(100, 10)</code>",
     "De basiswaarde van parameter <strong>c</strong> (200) ligt buiten het interval P1-P99 "
     "(76,74 tot 123,3)"},
    /* 76.73 < P1 = 76.737, but not below 76.7: the interval is shown to 4
     * digits, so that the value is visibly outside it. */
    {"a value just below its distribution's P1",
     {{"model.ini", "", "[param.c]\nvalue = 76.73\ndistribution = normal(100, 10)\n"}},
     "mkba: warning: @/model.ini:55: [param.c] value: 76.73 is outside the P1-P99 interval of "
     "its distribution normal(100, 10) (76.74 to 123.3)" OUTSIDE_HINT,
     "(76.73) lies outside", "(76,73) ligt buiten"},
    /* 120 and 76.74 are inside [76.737, 123.263]: no warning. */
    {"a value inside its distribution's P1-P99",
     {{"model.ini", "", "[param.c]\nvalue = 120\ndistribution = normal(100, 10)\n"}}, "", NULL,
     NULL},
    {"a value just inside its distribution's P1",
     {{"model.ini", "", "[param.c]\nvalue = 76.74\ndistribution = normal(100, 10)\n"}}, "", NULL,
     NULL},
};

/* Run 'args' (with '@' expanded) in d: exit 0 and stderr 'want'; returns
 * stdout (caller frees). */
static char *run_warned(tu_dir *d, const char *name, const char *const *args, const char *want)
{
    const char *root = tu_dir_root(d);
    char *argv[16], *out, *err;
    size_t n = 0;
    for (; args[n]; n++)
        argv[n] = expand(args[n], root);
    argv[n] = NULL;
    int rc = tu_run(root, (const char *const *)argv, &out, &err);
    ck_assert_msg(rc == 0, "%s: %s: exit status %d; stderr:\n%s", name, args[0], rc, err);
    ck_assert_msg(strcmp(err, want) == 0, "%s: %s: stderr\n'%s'\nexpected\n'%s'", name, args[0],
                  err, want);
    for (size_t i = 0; i < n; i++)
        free(argv[i]);
    free(err);
    return out;
}

/* 'want' as mkba --lang nl frames it: each "mkba: warning: " line starts
 * "mkba: waarschuwing: " (the text itself stays English). Caller frees. */
static char *nl_warnings(const char *want)
{
    const char *en = "mkba: warning: ", *nl = "mkba: waarschuwing: ";
    char *out = calloc(2 * strlen(want) + 1, 1);
    ck_assert_ptr_nonnull(out);
    for (const char *p = want; *p;) {
        if (strncmp(p, en, strlen(en)) == 0) {
            strcat(out, nl);
            p += strlen(en);
        } else {
            strncat(out, p++, 1);
        }
    }
    return out;
}

/* The report 'path' has the warnings box with 'text', or (NULL) no box. */
static void report_warns(const char *name, const char *path, const char *text)
{
    char *html = tu_read(path);
    ck_assert_msg(html, "%s: no report %s", name, path);
    if (text) {
        ck_assert_msg(tu_contains(html, "<section id=\"warnings\">"), "%s: no warnings box", name);
        ck_assert_msg(tu_contains(html, text), "%s: the report lacks '%s'", name, text);
    } else {
        ck_assert_msg(!tu_contains(html, "id=\"warnings\""), "%s: a warnings box", name);
    }
    free(html);
}

START_TEST(warning_case)
{
    const warn_case *c = &WARN_CASES[_i];
    tu_dir *d = fixture();
    for (int i = 0; i < 3; i++)
        apply(d, &c->e[i]);
    show_counts(d);
    char *want = expand(c->err, tu_dir_root(d));
    const char *check[] = {"check", "@/project.ini", NULL};
    char *out = run_warned(d, c->name, check, want);
    ck_assert_msg(strncmp(out, "ok: ", 4) == 0, "%s: check says\n%s", c->name, out);
    free(out);
    const char *sens[] = {"sensitivity", "@/project.ini", "-q", NULL};
    free(run_warned(d, c->name, sens, want));
    const char *run_en[] = {"run", "@/project.ini", "-q", "--out", "@/res", "--no-charts",
                            "--report", "@/en.html", NULL};
    free(run_warned(d, c->name, run_en, want));
    const char *run_nl[] = {"run", "@/project.ini", "-q", "--no-charts", "--lang", "nl",
                            "--report", "@/nl.html", NULL};
    char *want_nl = nl_warnings(want); /* --lang nl: "mkba: waarschuwing: ..." */
    free(run_warned(d, c->name, run_nl, want_nl));
    free(want_nl);
    report_warns(c->name, tu_dir_path(d, "en.html"), c->html);
    report_warns(c->name, tu_dir_path(d, "nl.html"), c->html_nl);
    char *json = tu_read(tu_dir_path(d, "res/results.json"));
    ck_assert_ptr_nonnull(json);
    ck_assert_msg(tu_contains(json, "\"warnings\":") == (want[0] != '\0'),
                  "%s: results.json has %s\"warnings\"", c->name,
                  want[0] ? "no " : "a key ");
    for (char *line = want; *line;) { /* each warning's text, as printed */
        char *nl = strchr(line, '\n');
        *nl = '\0';
        const char *text = line + strlen("mkba: warning: ");
        ck_assert_msg(tu_contains(json, text), "%s: results.json lacks '%s'", c->name, text);
        line = nl + 1;
    }
    free(json), free(want);
    tu_dir_free(d);
}
END_TEST

START_TEST(cli_bootstrap_zero_warns)
{
    /* --bootstrap 0 with effects from the cohort (3 in the fixture): a
     * warning on stderr, in results.json and in the report; --bootstrap
     * 100 (the least accepted) none. */
    tu_dir *d = fixture();
    show_counts(d);
    const char *want = "mkba: warning: --bootstrap 0: the effects estimated from the cohort (3) "
                       "stay at their estimates in every draw, so the Monte Carlo leaves out "
                       "their uncertainty and its spread and P(NPV > 0) are too narrow; leave "
                       "--bootstrap out (1000 replicates) to include it\n";
    const char *args[] = {"run", "@/project.ini", "--draws", "50", "--bootstrap", "0", "-q",
                          "--no-charts", "--out", "@/res", "--report", "@/en.html", NULL};
    free(run_warned(d, "--bootstrap 0", args, want));
    report_warns("--bootstrap 0", tu_dir_path(d, "en.html"), "stay at their estimates");
    char *json = tu_read(tu_dir_path(d, "res/results.json"));
    ck_assert_ptr_nonnull(json);
    ck_assert_msg(tu_contains(json, "\"bootstrap_off\""), "%s", json);
    ck_assert(tu_contains(json, "stay at their estimates in every draw"));
    free(json);
    const char *nl[] = {"run", "@/project.ini", "--draws", "50", "--bootstrap", "0", "-q",
                        "--no-charts", "--lang", "nl", "--report", "@/nl.html", NULL};
    char *want_nl = nl_warnings(want);
    free(run_warned(d, "--bootstrap 0 --lang nl", nl, want_nl));
    free(want_nl);
    report_warns("--bootstrap 0", tu_dir_path(d, "nl.html"), "houdt elke trekking de effecten");
    const char *b100[] = {"run", "@/project.ini", "--draws", "50", "--bootstrap", "100", "-q",
                          "--no-charts", NULL};
    free(run_warned(d, "--bootstrap 100", b100, ""));
    /* The model's bootstrap = 0 is the same choice: accepted, and said,
     * naming the key (it used to be refused as below 100). */
    char *text = tu_read(tu_dir_path(d, "model.ini")), *more = malloc(strlen(text) + 64);
    sprintf(more, "%s[simulation]\nbootstrap = 0\n", text);
    tu_dir_write(d, "model.ini", more);
    free(text), free(more);
    const char *key[] = {"run", "@/project.ini", "--draws", "50", "-q", "--no-charts", NULL};
    free(run_warned(d, "bootstrap = 0", key,
                    "mkba: warning: [simulation] bootstrap = 0: the effects estimated from the "
                    "cohort (3) stay at their estimates in every draw, so the Monte Carlo leaves "
                    "out their uncertainty and its spread and P(NPV > 0) are too narrow; give "
                    "--bootstrap 1000 to include it\n"));
    tu_dir_free(d);
}
END_TEST

static Suite *badinput_suite(void)
{
    Suite *s = suite_create("badinput");
    struct {
        const char *name;
        const TTest *loop;
        int n;
    } tables[] = {
        {"cohort", cohort_case, (int)(sizeof COHORT_CASES / sizeof COHORT_CASES[0])},
        {"model", model_case, (int)(sizeof MODEL_CASES / sizeof MODEL_CASES[0])},
        {"scenario", scenario_case, (int)(sizeof SCENARIO_CASES / sizeof SCENARIO_CASES[0])},
        {"command line", cli_case, (int)(sizeof CLI_CASES / sizeof CLI_CASES[0])},
        {"outputs", output_case, (int)(sizeof OUTPUT_CASES / sizeof OUTPUT_CASES[0])},
    };
    TCase *tc[5];
    for (int i = 0; i < 5; i++) {
        tc[i] = tcase_create(tables[i].name);
        tcase_set_timeout(tc[i], 120); /* valgrind runs each mkba slowly */
        tcase_add_loop_test(tc[i], tables[i].loop, 0, tables[i].n);
        suite_add_tcase(s, tc[i]);
    }
    tcase_add_test(tc[0], cohort_utf16);
    tcase_add_test(tc[0], cohort_nul_byte);
    tcase_add_test(tc[0], cohort_bom_is_fine);
    tcase_add_test(tc[0], cohort_range_is_fine);
    tcase_add_test(tc[0], cohort_cr_only_is_fine);
    tcase_add_test(tc[1], model_not_a_text_file);
    tcase_add_loop_test(tc[1], input_not_a_regular_file, 0,
                        (int)(sizeof NOT_FILES / sizeof NOT_FILES[0]));
    tcase_add_test(tc[3], cli_draws_zero_is_fine);
    tcase_add_test(tc[3], cli_bootstrap_zero_warns);
    tcase_add_test(tc[4], output_fifo_untouched);
    tcase_add_test(tc[4], output_old_results_kept_bad_input);
    tcase_add_test(tc[4], output_old_results_kept_failed_write);
    tcase_add_test(tc[4], output_old_results_kept_usage_error);
    tcase_add_test(tc[4], output_cohort_named_like_a_table);
    tcase_add_test(tc[4], output_model_named_results_json);
    tcase_add_test(tc[4], output_scenario_named_like_a_chart);
    tcase_add_test(tc[4], output_links_to_inputs);
    tcase_add_test(tc[4], output_charts_symlink_not_followed);
    tcase_add_test(tc[4], output_symlink_never_replaced);
    tcase_add_test(tc[4], output_unreplaceable_file_moves_nothing);
    tcase_add_test(tc[4], output_failed_charts_publish_nothing);
    tcase_add_test(tc[4], output_truncated_chart_never_published);
    tcase_add_test(tc[4], output_full_disk);
    tcase_add_test(tc[4], output_file_size_limit);
    tcase_add_test(tc[4], workbook_full_disk);
    tcase_add_test(tc[4], stdout_full);
    TCase *tw = tcase_create("warnings");
    tcase_set_timeout(tw, 120);
    tcase_add_loop_test(tw, warning_case, 0, (int)(sizeof WARN_CASES / sizeof WARN_CASES[0]));
    suite_add_tcase(s, tw);
    return s;
}

int main(void)
{
    return tu_run_suite(badinput_suite());
}

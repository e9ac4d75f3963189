/* check_xlsx.c - the --xlsx workbook (workbook.h, sink_xlsx.h), read back
 * by an independent reader: Python's openpyxl (Debian: python3-openpyxl,
 * installed by 'make check'). The reader is a short script (READER below)
 * run on the workbook and the CSV files of the same run; it checks the
 * sheet names, the frozen bold header rows, the number formats, that every
 * cell of the effects and summary sheets equals the CSV's field (1e-9), and
 * that the effects' counts are shown (the fixture sets min_group = 1).
 *
 * The figures are those of the hand-worked e2e example (check_cli.c's
 * header): society's NPV 900 - 220 = 680, B/C 900 / 220; society's flows
 * 680, 0 never go negative, so it pays back in year 1 (2020) and has no
 * IRR (one sign). The e2e groups have 3 persons each, shown: the fixture
 * sets min_group = 1, as its items use its effects (check_privacy.c reads
 * a workbook with withheld effects).
 *
 * Without openpyxl the test fails and says how to install it; set
 * MKBA_SKIP_XLSX_READER=1 to skip it where it cannot be installed, and
 * MKBA_PYTHON to a python3 that has it. */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mkba/sink_xlsx.h"
#include "testutil.h"

/* argv: book res lang sheets ('|'-separated; "" for any) [names]
 * With 'names' it only prints the sheet names, '|'-separated. */
static const char *const READER =
    "import csv, sys\n"
    "import openpyxl\n"
    "book, res, lang, sheets = sys.argv[1:5]\n"
    "wb = openpyxl.load_workbook(book)\n"
    "if len(sys.argv) > 5:\n"
    "    print('|'.join(wb.sheetnames)); sys.exit(0)\n"
    "nl = lang == 'nl'\n"
    "bad = []\n"
    "def check(ok, msg):\n"
    "    if not ok: bad.append(msg)\n"
    "check(wb.sheetnames == sheets.split('|'), 'sheets %r' % wb.sheetnames)\n"
    "for ws in wb.worksheets:\n"
    "    check(ws.freeze_panes == 'A2', '%s: frozen at %r' % (ws.title, ws.freeze_panes))\n"
    "    check(all(c.font.b for c in ws[1]), '%s: header not bold' % ws.title)\n"
    "    w = ws.column_dimensions['A'].width\n"
    "    check(w is not None and 6 <= w <= 60, '%s: column A width %r' % (ws.title, w))\n"
    "def compare(sheet, stem):\n"
    "    ws = wb[sheet]\n"
    "    rows = list(csv.reader(open('%s/%s.csv' % (res, stem), newline='', encoding='utf-8')))\n"
    "    cells = [list(r) for r in ws.iter_rows(max_col=len(rows[0]))]\n"
    "    check(len(cells) == len(rows), '%s: %d rows, CSV %d' % (sheet, len(cells), len(rows)))\n"
    "    if not nl:\n"
    "        check([c.value for c in cells[0]] == rows[0], '%s: header' % sheet)\n"
    "    for i in range(1, min(len(rows), len(cells))):\n"
    "        for j, f in enumerate(rows[i]):\n"
    "            c = cells[i][j]; v = c.value; at = '%s!%s' % (sheet, c.coordinate)\n"
    "            if f == '':\n"
    "                check(v is None, '%s: %r, CSV empty' % (at, v))\n"
    "            elif isinstance(v, str):\n"
    "                check(v == f, '%s: %r, CSV %r' % (at, v, f))\n"
    "            else:\n"
    "                x = float(f)\n"
    "                check(isinstance(v, (int, float)) and abs(v - x) <= 1e-9 * max(1, abs(x)),\n"
    "                      '%s: %r, CSV %r' % (at, v, f))\n"
    "    return ws\n"
    "eff = compare('Effecten' if nl else 'effects', 'effects')\n"
    "summ = compare('Samenvatting' if nl else 'summary', 'summary')\n"
    "for r in range(2, eff.max_row + 1):\n"
    "    c = eff.cell(r, 11)\n"
    "    check(c.value == 3, 'n_pilot %s: %r' % (c.coordinate, c.value))\n"
    "check('#,##0' in summ['E2'].number_format, 'npv format %r' % summ['E2'].number_format)\n"
    "con = wb.worksheets[0]\n"
    "head = [c.value for c in con[1]]\n"
    "check(con['C2'].value == 680 and '#,##0' in con['C2'].number_format, 'NPV %r' % con['C2'].value)\n"
    "check(abs(con['F2'].value - 900 / 220) < 1e-12, 'B/C %r' % con['F2'].value)\n"
    "if nl:\n"
    "    check(head[:2] == ['Alternatief', 'Conclusie'], 'head %r' % head)\n"
    "    check([c.value for c in eff[1]][3] == 'schatting', 'Dutch columns')\n"
    "    check(con['B2'].value.startswith('De baten zijn groter'), con['B2'].value)\n"
    "    check(wb['Aannames']['A1'].value == 'Soort', 'Aannames')\n"
    "else:\n"
    "    p = head.index('Chance that benefits exceed costs') + 1\n"
    "    c = con.cell(2, p)\n"
    "    check(c.number_format == '0.0%' and 0 <= c.value <= 1, 'P(NPV>0) %r %r' % (c.value, c.number_format))\n"
    "    y = con.cell(2, head.index('Payback year') + 1).value\n"
    "    check(y == 2020, 'payback %r' % y)\n"
    "    i = con.cell(2, head.index('Internal rate of return') + 1).value\n"
    "    check(isinstance(i, str) and i.startswith('none'), 'IRR %r' % i)\n"
    "    mc = wb['mc_summary']\n"
    "    check(mc.cell(2, 9).number_format == '0.0%', 'mc p_positive %r' % mc.cell(2, 9).number_format)\n"
    "    check(wb['Assumptions']['J1'].value == 'Source', 'Assumptions')\n"
    "if bad:\n"
    "    print('\\n'.join(bad)); sys.exit(1)\n"
    "print('ok')\n";

/* A python3 that imports openpyxl: $MKBA_PYTHON, else /usr/bin/python3
 * (Debian's, where python3-openpyxl installs), else python3 on the PATH.
 * NULL when there is none. */
static const char *find_python(void)
{
    static const char *const names[] = {"/usr/bin/python3", "python3"};
    const char *env = getenv("MKBA_PYTHON");
    if (env && *env)
        return env;
    for (size_t i = 0; i < 2; i++) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "%s -c 'import openpyxl' >/dev/null 2>&1", names[i]);
        if (system(cmd) == 0)
            return names[i];
    }
    return NULL;
}

/* Whether the reader is to be skipped (said on stderr); fails the test
 * when it is missing and not skipped. */
static const char *reader_or_skip(void)
{
    const char *skip = getenv("MKBA_SKIP_XLSX_READER");
    if (skip && strcmp(skip, "1") == 0) {
        fprintf(stderr, "check_xlsx: MKBA_SKIP_XLSX_READER=1: the workbook is not read back\n");
        return NULL;
    }
    const char *py = find_python();
    ck_assert_msg(py != NULL,
                  "python3 with openpyxl not found: install the package 'python3-openpyxl' "
                  "(apt-get install python3-openpyxl; 'make check' does), set MKBA_PYTHON to a "
                  "python3 that has openpyxl, or set MKBA_SKIP_XLSX_READER=1 to skip this test");
    return py;
}

/* Run the reader on 'book' with the CSV files of 'res'; its output (caller
 * frees) in *out. Returns its exit status (-1: killed after 60 s). */
static int read_book(const char *py, const char *book, const char *res, const char *lang,
                     const char *sheets, int names, char **out)
{
    char *script = tu_write(tu_tmp, "reader.py", READER), *log = tu_path(tu_tmp, "reader.log");
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (!freopen(log, "w", stdout) || !freopen(log, "a", stderr))
            _exit(126);
        execlp(py, py, script, book, res, lang, sheets, names ? "names" : (char *)NULL,
               (char *)NULL);
        _exit(127);
    }
    int status = 0, rc = -1;
    for (int i = 0; i < 600; i++) { /* 60 s */
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            break;
        }
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
    }
    if (rc == -1 && waitpid(pid, &status, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    *out = tu_read(log);
    free(script);
    free(log);
    return rc;
}

/* No private directory of the workbook is left in 'dir'. */
static void no_leftovers(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        ck_assert_msg(strncmp(e->d_name, ".mkba-xlsx", 10) != 0, "left over: %s/%s", dir,
                      e->d_name);
    closedir(d);
}

START_TEST(workbook_english)
{
    const char *py = reader_or_skip();
    char *res = tu_path(tu_tmp, "res"), *book = tu_path(res, "mkba.xlsx"), *out, *err;
    const char *args[] = {"run", "tests/data/e2e/project.ini", "--draws", "100", "--bootstrap",
                          "100", "--no-charts", "--out", res, "--xlsx", book, NULL};
    ck_assert_int_eq(tu_run(tu_srcdir(), args, &out, &err), 0);
    ck_assert_msg(tu_contains(out, "Workbook written to "), "%s", out);
    no_leftovers(res);
    if (py) {
        char *log;
        int rc = read_book(py, book, res, "en",
                           "Conclusion|effects|summary|items|cashflows|stakeholder_flows|alternatives|mc_voi|"
                           "mc_summary|mc_items|mc_uncertain|mc_effects|Assumptions",
                           0, &log);
        ck_assert_msg(rc == 0 && tu_contains(log, "ok"), "reader (%d): %s", rc, log);
        free(log);
    }
    free(out);
    free(err);
    free(book);
    free(res);
}
END_TEST

START_TEST(workbook_dutch)
{
    const char *py = reader_or_skip();
    /* the workbook outside --out, in a directory of its own */
    char *res = tu_path(tu_tmp, "res"), *book = tu_path(tu_tmp, "boek.xlsx"), *out, *err;
    const char *args[] = {"run", "tests/data/e2e/project.ini", "--lang", "nl", "--no-charts",
                          "--out", res, "--xlsx", book, "-q", NULL};
    ck_assert_int_eq(tu_run(tu_srcdir(), args, &out, &err), 0);
    ck_assert_str_eq(out, "");
    no_leftovers(tu_tmp);
    if (py) {
        char *log;
        int rc = read_book(py, book, res, "nl",
                           "Conclusie|Effecten|Samenvatting|Posten|Kasstromen|"
                           "Stromen per belanghebbende|Alternatieven|Aannames",
                           0, &log);
        ck_assert_msg(rc == 0 && tu_contains(log, "ok"), "reader (%d): %s", rc, log);
        free(log);
    }
    free(out);
    free(err);
    free(book);
    free(res);
}
END_TEST

/* Excel's rules for sheet names: 31 characters at most (whole UTF-8
 * characters), none of []:*?/\, unique without regard to case. */
START_TEST(sheet_names)
{
    char buf[128];
    mkba_xlsx_sheet_name(buf, sizeof buf, "a[b]:c*d?e/f\\g");
    ck_assert_str_eq(buf, "a_b__c_d_e_f_g");
    /* 40 characters, cut at 31 ("é" is one character of two bytes) */
    mkba_xlsx_sheet_name(buf, sizeof buf, "ééééééééééééééééééééééééééééééxyzxyzxyzx");
    ck_assert_str_eq(buf, "ééééééééééééééééééééééééééééééx");
    mkba_xlsx_sheet_name(buf, sizeof buf, "'quoted'");
    ck_assert_str_eq(buf, "_quoted_");
    mkba_xlsx_sheet_name(buf, sizeof buf, "  ");
    ck_assert_str_eq(buf, "Sheet");

    const char *py = reader_or_skip();
    char *book = tu_path(tu_tmp, "names.xlsx");
    mkba_error err;
    mkba_error_clear(&err);
    mkba_xlsx *x = mkba_xlsx_new(book, "names", 0, &err);
    ck_assert_ptr_nonnull(x);
    const char *cols[] = {"a", NULL};
    mkba_table *t = mkba_table_new("t", cols);
    mkba_table_text(t, "x");
    mkba_table_end_row(t);
    const char *sheets[] = {"a/b", "A/B", "abcdefghijklmnopqrstuvwxyz01234567",
                            "ABCDEFGHIJKLMNOPQRSTUVWXYZ01234"};
    for (size_t i = 0; i < 4; i++)
        mkba_sink_xlsx(x, t, sheets[i]);
    mkba_table_free(t);
    ck_assert_int_eq(mkba_xlsx_close(x, &err), MKBA_OK);
    if (py) {
        char *log;
        ck_assert_int_eq(read_book(py, book, tu_tmp, "en", "", 1, &log), 0);
        ck_assert_str_eq(log, "a_b|A_B (2)|abcdefghijklmnopqrstuvwxyz01234|"
                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ0 (2)\n");
        free(log);
    }
    free(book);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("xlsx");
    TCase *tc = tcase_create("workbook");
    tcase_add_checked_fixture(tc, tu_tmp_setup, tu_tmp_teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, workbook_english);
    tcase_add_test(tc, workbook_dutch);
    tcase_add_test(tc, sheet_names);
    suite_add_tcase(s, tc);
    return tu_run_suite(s);
}

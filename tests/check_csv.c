/* check_csv.c - tests of the csv module: dialect detection, BOM, CRLF,
 * quoting, line numbers, every error message, streaming a large file, and
 * strict number parsing.
 *
 * Each test writes its input bytes to a file in a fresh temporary directory
 * (the fixture), so the exact bytes (BOM, "\r\n") are visible in the test. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/csv.h"
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

/* ===================== a callback that keeps the rows ==================== */

#define MAX_ROWS 16
#define MAX_FIELDS 8

typedef struct rows {
    size_t n;                         /* records seen, header included */
    long line[MAX_ROWS];              /* line of each record */
    size_t nf[MAX_ROWS];              /* fields of each record */
    char *f[MAX_ROWS][MAX_FIELDS];    /* copies of the fields */
    long stop_at;                     /* fail on the record of this line (0: never) */
    int stop_silently;                /* fail without filling err */
    int dc_seen;                      /* decimal_comma seen by the first call */
    const mkba_csv_dialect *dialect;  /* to check it is resolved before rows */
} rows;

static mkba_status keep_row(void *ctx, size_t n, char **fields, const size_t *lens, long line,
                            mkba_error *err)
{
    rows *r = ctx;
    for (size_t i = 0; i < n; i++)
        ck_assert_uint_eq(lens[i], strlen(fields[i]));
    if (r->n == 0 && r->dialect)
        r->dc_seen = r->dialect->decimal_comma;
    if (line == r->stop_at) {
        if (r->stop_silently)
            return MKBA_EINVAL;
        return mkba_error_set(err, MKBA_EINVAL, "cb", line, NULL, "stopped");
    }
    if (r->n < MAX_ROWS) {
        r->line[r->n] = line;
        r->nf[r->n] = n;
        for (size_t i = 0; i < n && i < MAX_FIELDS; i++)
            r->f[r->n][i] = strdup(fields[i]);
    }
    r->n++;
    return MKBA_OK;
}

static void rows_free(rows *r)
{
    for (size_t i = 0; i < r->n && i < MAX_ROWS; i++)
        for (size_t j = 0; j < r->nf[i] && j < MAX_FIELDS; j++)
            free(r->f[i][j]);
}

/* Read 'path' with the given dialect; expect success. */
static void read_ok(const char *path, mkba_csv_dialect *d, rows *r)
{
    mkba_error err;
    mkba_error_clear(&err);
    mkba_status st = mkba_csv_read(path, d, keep_row, r, &err);
    char buf[2048];
    ck_assert_msg(st == MKBA_OK, "unexpected error: %s", mkba_error_format(&err, buf, sizeof buf));
}

/* Read 'path' (auto dialect); expect failure with this line and message. */
static void read_fails(const char *path, mkba_status code, long line, const char *msg)
{
    mkba_csv_dialect d = {0, -1};
    rows r = {0};
    mkba_error err;
    mkba_error_clear(&err);
    mkba_status st = mkba_csv_read(path, &d, keep_row, &r, &err);
    rows_free(&r);
    ck_assert_int_eq(st, code);
    ck_assert_int_eq(err.code, code);
    ck_assert_str_eq(err.file, path);
    ck_assert_int_eq(err.line, line);
    ck_assert_str_eq(err.msg, msg);
}

/* ============================== dialects =============================== */

START_TEST(test_detect_comma)
{
    const char *p = tu_dir_write(tmp, "c.csv", "a,b,c\n1,2.5,3\n");
    mkba_csv_dialect d = {0, -1};
    rows r = {0};
    read_ok(p, &d, &r);
    ck_assert_int_eq(d.delimiter, ',');
    ck_assert_int_eq(d.decimal_comma, 0); /* auto: ',' is not ';' */
    ck_assert_uint_eq(r.n, 2);
    ck_assert_uint_eq(r.nf[1], 3);
    ck_assert_str_eq(r.f[1][1], "2.5");
    rows_free(&r);
}
END_TEST

START_TEST(test_detect_semicolon_decimal_comma)
{
    const char *p = tu_dir_write(tmp, "s.csv", "a;b;c\n1;2,5;3\n");
    mkba_csv_dialect d = {0, -1};
    rows r = {.dialect = &d, .dc_seen = -7};
    read_ok(p, &d, &r);
    ck_assert_int_eq(d.delimiter, ';'); /* 2 ';' vs 0 ',' in the header */
    ck_assert_int_eq(d.decimal_comma, 1); /* auto: yes beside ';' */
    ck_assert_int_eq(r.dc_seen, 1);       /* already resolved for the callback */
    ck_assert_uint_eq(r.nf[1], 3);
    ck_assert_str_eq(r.f[1][1], "2,5");
    rows_free(&r);
}
END_TEST

START_TEST(test_detect_tab)
{
    const char *p = tu_dir_write(tmp, "t.csv", "a\tb c\td\n1\t 2 \t3\n");
    mkba_csv_dialect d = {0, -1};
    rows r = {0};
    read_ok(p, &d, &r);
    ck_assert_int_eq(d.delimiter, '\t');
    ck_assert_int_eq(d.decimal_comma, 0);
    ck_assert_uint_eq(r.nf[0], 3);
    ck_assert_str_eq(r.f[0][1], "b c");
    ck_assert_str_eq(r.f[1][1], "2"); /* spaces trimmed, tabs delimit */
    rows_free(&r);
}
END_TEST

START_TEST(test_detect_tab_empty_first_field)
{
    /* Tab-delimited with an empty first field: tabs are not skipped as blanks. */
    const char *p = tu_dir_write(tmp, "t0.csv", "\tb\n\t2\n");
    mkba_csv_dialect d = {0, -1};
    rows r = {0};
    read_ok(p, &d, &r);
    ck_assert_int_eq(d.delimiter, '\t');
    ck_assert_uint_eq(r.nf[0], 2);
    ck_assert_str_eq(r.f[0][0], "");
    ck_assert_str_eq(r.f[1][1], "2");
    rows_free(&r);
}
END_TEST

START_TEST(test_detect_ignores_quoted)
{
    /* 3 ';' inside quotes do not count; 2 ',' outside do. */
    const char *p = tu_dir_write(tmp, "q.csv", "\"x;y;z;w\",b,c\n1,2,3\n");
    mkba_csv_dialect d = {0, -1};
    rows r = {0};
    read_ok(p, &d, &r);
    ck_assert_int_eq(d.delimiter, ',');
    ck_assert_str_eq(r.f[0][0], "x;y;z;w");
    rows_free(&r);
}
END_TEST

START_TEST(test_detect_most_frequent)
{
    /* Header counts: 1 ';' and 3 ','  -> ','; 2 tabs and 1 ',' -> tab;
     * 1 ';' and 1 ',' (a tie) -> ';' (';' wins ties, then tab). */
    const char *p1 = tu_dir_write(tmp, "m1.csv", "a;b,c,d,e\n1;2,3,4,5\n");
    const char *p2 = tu_dir_write(tmp, "m2.csv", "a\tb,c\td\n1\t2,3\t4\n");
    const char *p3 = tu_dir_write(tmp, "m3.csv", "a;b,c\n1;2,3\n");
    mkba_csv_dialect d = {0, -1};
    rows r = {0};
    read_ok(p1, &d, &r);
    ck_assert_int_eq(d.delimiter, ',');
    ck_assert_uint_eq(r.nf[0], 4);
    ck_assert_str_eq(r.f[0][0], "a;b");
    rows_free(&r);
    mkba_csv_dialect d2 = {0, -1};
    rows r2 = {0};
    read_ok(p2, &d2, &r2);
    ck_assert_int_eq(d2.delimiter, '\t');
    ck_assert_str_eq(r2.f[0][1], "b,c");
    rows_free(&r2);
    mkba_csv_dialect d3 = {0, -1};
    rows r3 = {0};
    read_ok(p3, &d3, &r3);
    ck_assert_int_eq(d3.delimiter, ';');
    ck_assert_int_eq(d3.decimal_comma, 1);
    ck_assert_str_eq(r3.f[1][1], "2,3");
    rows_free(&r3);
}
END_TEST

START_TEST(test_detect_single_column)
{
    const char *p = tu_dir_write(tmp, "one.csv", "naam\nx\ny\n");
    mkba_csv_dialect d = {0, -1};
    rows r = {0};
    read_ok(p, &d, &r);
    ck_assert_int_eq(d.delimiter, ',');
    ck_assert_uint_eq(r.n, 3);
    ck_assert_uint_eq(r.nf[2], 1);
    ck_assert_str_eq(r.f[2][0], "y");
    rows_free(&r);
}
END_TEST

START_TEST(test_detect_after_blank_lines)
{
    /* Lines 1-3 are blank (the third holds a tab, blank in a ';' file). */
    const char *p = tu_dir_write(tmp, "b.csv", "\n  \n\t\na;b\n1;2\n");
    mkba_csv_dialect d = {0, -1};
    rows r = {0};
    read_ok(p, &d, &r);
    ck_assert_int_eq(d.delimiter, ';');
    ck_assert_uint_eq(r.n, 2);
    ck_assert_int_eq(r.line[0], 4);
    ck_assert_int_eq(r.line[1], 5);
    rows_free(&r);
}
END_TEST

START_TEST(test_explicit_dialect)
{
    /* A given delimiter is kept although ',' is more frequent; a given
     * decimal_comma 0 stays 0 beside ';'. */
    const char *p = tu_dir_write(tmp, "e.csv", "a,b,c;d\n1,2,3;4\n");
    mkba_csv_dialect d = {';', 0};
    rows r = {0};
    read_ok(p, &d, &r);
    ck_assert_int_eq(d.delimiter, ';');
    ck_assert_int_eq(d.decimal_comma, 0);
    ck_assert_uint_eq(r.nf[0], 2);
    ck_assert_str_eq(r.f[0][0], "a,b,c");
    rows_free(&r);
}
END_TEST

START_TEST(test_bad_dialect)
{
    const char *p = tu_dir_write(tmp, "x.csv", "a|b\n");
    mkba_csv_dialect d = {'|', -1};
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_csv_read(p, &d, NULL, NULL, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "unsupported delimiter (use ',', ';' or tab)");
    mkba_csv_dialect d2 = {',', 2};
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_csv_read(p, &d2, NULL, NULL, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "decimal_comma must be -1 (auto), 0 or 1");
}
END_TEST

/* ============================== format ================================= */

START_TEST(test_bom)
{
    const char *p = tu_dir_write(tmp, "bom.csv", "\xEF\xBB\xBFid;x\n1;2\n");
    mkba_csv_dialect d = {0, -1};
    rows r = {0};
    read_ok(p, &d, &r);
    ck_assert_int_eq(d.delimiter, ';');
    ck_assert_str_eq(r.f[0][0], "id"); /* no BOM bytes left in the name */
    ck_assert_int_eq(r.line[0], 1);
    rows_free(&r);
}
END_TEST

START_TEST(test_crlf)
{
    /* Lines: 1 header, 2 data, 3 blank, 4 data with a quoted last field,
     * 5 data ending in an empty field. */
    const char *p = tu_dir_write(tmp, "crlf.csv", "a,b\r\n1,2\r\n\r\n3,\"x\"\r\n4,\r\n");
    mkba_csv_dialect d = {0, -1};
    rows r = {0};
    read_ok(p, &d, &r);
    ck_assert_uint_eq(r.n, 4);
    ck_assert_str_eq(r.f[0][1], "b"); /* no '\r' kept */
    ck_assert_str_eq(r.f[1][1], "2");
    ck_assert_str_eq(r.f[2][1], "x");
    ck_assert_str_eq(r.f[3][1], "");
    ck_assert_int_eq(r.line[1], 2);
    ck_assert_int_eq(r.line[2], 4); /* "\r\n" counted once per line */
    ck_assert_int_eq(r.line[3], 5);
    rows_free(&r);
}
END_TEST

START_TEST(test_cr_only)
{
    /* test_crlf's file with old-Mac line ends (a lone '\r'): the same
     * records, fields and line numbers. Before lone '\r' was a line end,
     * this was one record of 8 fields. */
    const char *p = tu_dir_write(tmp, "cr.csv", "a,b\r1,2\r\r3,\"x\"\r4,\r");
    mkba_csv_dialect d = {0, -1};
    rows r = {0};
    read_ok(p, &d, &r);
    ck_assert_uint_eq(r.n, 4);
    ck_assert_uint_eq(r.nf[0], 2);
    ck_assert_str_eq(r.f[0][1], "b");
    ck_assert_str_eq(r.f[1][1], "2");
    ck_assert_str_eq(r.f[2][1], "x");
    ck_assert_str_eq(r.f[3][1], "");
    ck_assert_int_eq(r.line[1], 2);
    ck_assert_int_eq(r.line[2], 4);
    ck_assert_int_eq(r.line[3], 5);
    rows_free(&r);
}
END_TEST

/* Keeps the line of the last record and counts records. */
typedef struct last_line {
    long rows, line, gaps; /* records; line of the last; lines skipped between records */
} last_line;

static mkba_status note_line(void *ctx, size_t n, char **fields, const size_t *lens, long line,
                             mkba_error *err)
{
    (void)n, (void)fields, (void)lens, (void)err;
    last_line *l = ctx;
    if (l->rows && line != l->line + 1)
        l->gaps++;
    l->line = line;
    l->rows++;
    return MKBA_OK;
}

START_TEST(test_cr_at_block_end)
{
    /* 4-byte lines "1,2\r" put a '\r' on the last byte of every 64 KiB
     * block the reader takes (65536 = 4 * 16384), so a lone '\r' there is
     * told from "\r\n" by the next block's first byte. In the second file
     * the '\r' on byte 65535 is followed by '\n' on byte 65536: still one
     * line end. 20000 lines: header + 19999 records, on lines 2..20000. */
    for (int crlf = 0; crlf <= 1; crlf++) {
        const char *path = tu_dir_path(tmp, crlf ? "crlf.csv" : "cr.csv");
        FILE *fp = fopen(path, "wb");
        ck_assert_ptr_nonnull(fp);
        for (long i = 0; i < 20000; i++)
            fputs(crlf && i == 16383 ? "1,2\r\n" : "1,2\r", fp);
        ck_assert_int_eq(fclose(fp), 0);
        mkba_csv_dialect d = {0, -1};
        last_line l = {0};
        mkba_error err;
        mkba_error_clear(&err);
        ck_assert_int_eq(mkba_csv_read(path, &d, note_line, &l, &err), MKBA_OK);
        ck_assert_int_eq(l.rows, 20000); /* the header is a record too */
        ck_assert_int_eq(l.line, 20000);
        ck_assert_int_eq(l.gaps, 0);
    }
}
END_TEST

/* The SHA-256 of the file as read: the bytes on disk (a BOM, CRLF and a
 * lone CR included, though the reader turns them into records), not the
 * records. */
START_TEST(test_sha256_small)
{
    /* printf '\xEF\xBB\xBFa,b\r\n1,2\r3,4\n' | sha256sum */
    const char *path = tu_dir_write(tmp, "h.csv", "\xEF\xBB\xBF" "a,b\r\n1,2\r3,4\n");
    mkba_csv_dialect d = {0, -1};
    rows r = {0};
    mkba_error err;
    mkba_error_clear(&err);
    char hex[MKBA_SHA256_HEX] = "";
    ck_assert_int_eq(mkba_csv_read_sha256(path, &d, keep_row, &r, hex, &err), MKBA_OK);
    ck_assert_str_eq(hex, "53d06e3c4ea737d93b57369d2a151663fb7660ec08cdcb490f4f7355a944b9f9");
    ck_assert_int_eq(r.n, 3);
    rows_free(&r);
}
END_TEST

/* Across blocks, with a '\r' held over the block boundary (as in
 * test_cr_at_block_end): the hash equals coreutils' sha256sum. */
START_TEST(test_sha256_blocks)
{
    const char *path = tu_dir_path(tmp, "big.csv");
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    for (long i = 0; i < 40000; i++)
        fputs(i == 16383 ? "1,2\r\n" : "1,2\r", fp);
    ck_assert_int_eq(fclose(fp), 0);
    mkba_csv_dialect d = {0, -1};
    mkba_error err;
    mkba_error_clear(&err);
    char hex[MKBA_SHA256_HEX] = "", want[80] = "", cmd[1024];
    ck_assert_int_eq(mkba_csv_read_sha256(path, &d, NULL, NULL, hex, &err), MKBA_OK);
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(fscanf(p, "%64s", want), 1);
    pclose(p);
    ck_assert_str_eq(hex, want);
}
END_TEST

/* A failed read leaves the hash as it was. */
START_TEST(test_sha256_failed_read)
{
    const char *path = tu_dir_write(tmp, "bad.csv", "a,b\n1\n");
    mkba_csv_dialect d = {0, -1};
    mkba_error err;
    mkba_error_clear(&err);
    char hex[MKBA_SHA256_HEX] = "untouched";
    ck_assert_int_eq(mkba_csv_read_sha256(path, &d, NULL, NULL, hex, &err), MKBA_EPARSE);
    ck_assert_str_eq(hex, "untouched");
}
END_TEST

START_TEST(test_err_not_utf8)
{
    /* Latin-1 "é" (the one byte 0xE9) on line 3; an overlong '/' (C0 AF);
     * a file that ends inside a character. Before the UTF-8 check all
     * three were read, and their bytes reached results.json. */
    const char *msg = "not valid UTF-8 text (Latin-1 or Windows-1252?); save the file as "
                      "UTF-8 (in Excel: CSV UTF-8)";
    read_fails(tu_dir_write(tmp, "l1.csv", "a,b\n1,caf\xC3\xA9\n2,caf\xE9\n"), MKBA_EPARSE,
               3, msg);
    read_fails(tu_dir_write(tmp, "ov.csv", "a,b\n1,\xC0\xAF\n"), MKBA_EPARSE, 2, msg);
    read_fails(tu_dir_write(tmp, "cut.csv", "a,b\n1,\xE2\x82"), MKBA_EPARSE, 2, msg);
    /* "€" (E2 82 AC) cut by the 64 KiB block end: header "a\n" (bytes
     * 0-1), then 65533 'x' (2..65534) and the 3 bytes on 65535..65537. */
    const char *path = tu_dir_path(tmp, "euro.csv");
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    fputs("a\n", fp);
    for (int i = 0; i < 65533; i++)
        fputc('x', fp);
    fputs("\xE2\x82\xAC\n", fp);
    ck_assert_int_eq(fclose(fp), 0);
    mkba_csv_dialect d = {0, -1};
    last_line l = {0};
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_csv_read(path, &d, note_line, &l, &err), MKBA_OK);
    ck_assert_int_eq(l.rows, 2);
}
END_TEST

START_TEST(test_quoted_fields)
{
    /* Line 1 header; 2: embedded delimiter; 3-4: embedded newline;
     * 5: doubled quotes; 6: spaces: trimmed unquoted, kept quoted. */
    const char *p = tu_dir_write(tmp, "q.csv",
                                      "id,text\n"
                                      "1,\"a,b\"\n"
                                      "2,\"line1\nline2\"\n"
                                      "3,\"say \"\"hi\"\"\"\n"
                                      "  4  ,\"  x  \"\n");
    mkba_csv_dialect d = {0, -1};
    rows r = {0};
    read_ok(p, &d, &r);
    ck_assert_uint_eq(r.n, 5);
    ck_assert_str_eq(r.f[1][1], "a,b");
    ck_assert_str_eq(r.f[2][1], "line1\nline2");
    ck_assert_str_eq(r.f[3][1], "say \"hi\"");
    ck_assert_str_eq(r.f[4][0], "4");
    ck_assert_str_eq(r.f[4][1], "  x  ");
    ck_assert_int_eq(r.line[1], 2);
    ck_assert_int_eq(r.line[2], 3);
    ck_assert_int_eq(r.line[3], 5); /* after the two-line record 3-4 */
    ck_assert_int_eq(r.line[4], 6);
    rows_free(&r);
}
END_TEST

START_TEST(test_lines_after_blank_lines)
{
    /* Records on lines 1, 4 and 6; 2, 3 and 5 are blank (5 has spaces). */
    const char *p = tu_dir_write(tmp, "bl.csv", "h\n\n\nx\n   \ny\n");
    mkba_csv_dialect d = {0, -1};
    rows r = {0};
    read_ok(p, &d, &r);
    ck_assert_uint_eq(r.n, 3);
    ck_assert_int_eq(r.line[0], 1);
    ck_assert_int_eq(r.line[1], 4);
    ck_assert_int_eq(r.line[2], 6);
    rows_free(&r);
}
END_TEST

START_TEST(test_no_final_newline)
{
    const char *p = tu_dir_write(tmp, "nf.csv", "a,b\n1,\"2\"");
    mkba_csv_dialect d = {0, -1};
    rows r = {0};
    read_ok(p, &d, &r);
    ck_assert_uint_eq(r.n, 2);
    ck_assert_str_eq(r.f[1][1], "2");
    ck_assert_int_eq(r.line[1], 2);
    rows_free(&r);
}
END_TEST

START_TEST(test_null_callback)
{
    const char *p = tu_dir_write(tmp, "n.csv", "a,b\n1,2\n");
    mkba_csv_dialect d = {0, -1};
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_csv_read(p, &d, NULL, NULL, &err), MKBA_OK);
    ck_assert_int_eq(err.code, MKBA_OK);
}
END_TEST

/* ============================== errors ================================= */

START_TEST(test_err_cannot_open)
{
    const char *path = tu_dir_path(tmp, "no-such-file.csv");
    mkba_csv_dialect d = {0, -1};
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_csv_read(path, &d, keep_row, NULL, &err), MKBA_EIO);
    ck_assert_str_eq(err.file, path);
    ck_assert_str_eq(err.msg, "cannot open: No such file or directory");
}
END_TEST

START_TEST(test_err_empty)
{
    read_fails(tu_dir_write(tmp, "e0.csv", ""), MKBA_EPARSE, 1,
               "empty file: expected a header line");
    read_fails(tu_dir_write(tmp, "e1.csv", "\n \r\n\n"), MKBA_EPARSE, 1,
               "empty file: expected a header line");
    read_fails(tu_dir_write(tmp, "e2.csv", "\xEF\xBB\xBF"), MKBA_EPARSE, 1,
               "empty file: expected a header line");
}
END_TEST

START_TEST(test_err_unterminated)
{
    /* The open quote is on line 2; the file ends on line 4. */
    read_fails(tu_dir_write(tmp, "u1.csv", "a,b\n1,\"abc\n2,3\n4,5\n"), MKBA_EPARSE, 2,
               "unterminated quoted field starting on line 2");
    /* The record starts on line 2 but its second field (the bad one)
     * starts on line 3, after a good two-line first field. */
    read_fails(tu_dir_write(tmp, "u2.csv", "a,b\n\"ok\nok\",\"bad\n1,2\n"), MKBA_EPARSE, 3,
               "unterminated quoted field starting on line 3");
}
END_TEST

START_TEST(test_err_field_count)
{
    read_fails(tu_dir_write(tmp, "fc1.csv", "a,b,c,d,e\n1,2,3,4,5\n1,2,3,4\n"), MKBA_EPARSE, 3,
               "expected 5 fields as in the header, found 4");
    /* After a quoted two-line field (lines 2-3) and a blank line (4). */
    read_fails(tu_dir_write(tmp, "fc2.csv", "a,b\n1,\"x\ny\"\n\n1,2,3\n"), MKBA_EPARSE, 5,
               "expected 2 fields as in the header, found 3 (a decimal comma, or a ',' "
               "inside a value? put such a value in quotes)");
}
END_TEST

START_TEST(test_err_stray_quote)
{
    read_fails(tu_dir_write(tmp, "sq1.csv", "a,b\n1,2\n1,x\"y\n"), MKBA_EPARSE, 3,
               "malformed quoted field");
    /* Text after a closing quote. */
    read_fails(tu_dir_write(tmp, "sq2.csv", "a,b\n\"ab\"c,1\n"), MKBA_EPARSE, 2,
               "malformed quoted field");
}
END_TEST

START_TEST(test_err_callback_stops)
{
    const char *p = tu_dir_write(tmp, "cb.csv", "a\n1\n2\n3\n");
    mkba_csv_dialect d = {0, -1};
    rows r = {.stop_at = 3};
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_csv_read(p, &d, keep_row, &r, &err), MKBA_EINVAL);
    ck_assert_uint_eq(r.n, 2); /* header and line 2; line 4 never seen */
    ck_assert_str_eq(err.msg, "stopped");
    ck_assert_int_eq(err.line, 3);
    rows_free(&r);

    rows r2 = {.stop_at = 2, .stop_silently = 1};
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_csv_read(p, &d, keep_row, &r2, &err), MKBA_EINVAL);
    ck_assert_str_eq(err.msg, "record rejected");
    ck_assert_int_eq(err.line, 2);
    rows_free(&r2);
}
END_TEST

/* ============================== streaming ============================== */

typedef struct big {
    long rows;          /* data records seen */
    long long id_sum;   /* sum of the id column */
    int lines_ok;       /* every data record i came on line i + 1 */
    size_t long_field;  /* length of the field in column 'lang', if any */
} big;

static mkba_status count_row(void *ctx, size_t n, char **fields, const size_t *lens, long line,
                             mkba_error *err)
{
    (void)lens, (void)err;
    big *b = ctx;
    if (line == 1)
        return MKBA_OK;
    b->rows++;
    long id = strtol(fields[0], NULL, 10);
    b->id_sum += id;
    if (line != id + 1)
        b->lines_ok = 0;
    if (n > 2)
        b->long_field = strlen(fields[2]);
    return MKBA_OK;
}

START_TEST(test_large_file)
{
    /* 200000 rows of about 20 bytes: some 4 MB, many 64 KiB blocks, so
     * records and line ends fall across block boundaries. */
    const long n = 200000;
    const char *path = tu_dir_path(tmp, "big.csv");
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    fputs("id;waarde\r\n", fp);
    for (long i = 1; i <= n; i++)
        fprintf(fp, "%ld;%ld,5\r\n", i, i % 97);
    ck_assert_int_eq(fclose(fp), 0);

    mkba_csv_dialect d = {0, -1};
    big b = {.lines_ok = 1};
    mkba_error err;
    mkba_error_clear(&err);
    ck_assert_int_eq(mkba_csv_read(path, &d, count_row, &b, &err), MKBA_OK);
    ck_assert_int_eq(b.rows, n);
    /* sum 1..n = n (n + 1) / 2 = 200000 * 200001 / 2 = 20000100000 */
    ck_assert(b.id_sum == 20000100000LL);
    ck_assert(b.lines_ok);
}
END_TEST

START_TEST(test_long_quoted_field)
{
    /* One quoted field of 200000 bytes with a newline every 1000 bytes
     * (199 of them, so it spans lines 2-201); the next record is line 202. */
    const size_t len = 200000;
    char *text = malloc(len + 64);
    ck_assert_ptr_nonnull(text);
    size_t k = (size_t)sprintf(text, "id,x,lang\n1,a,\"");
    for (size_t i = 0; i < len; i++)
        text[k++] = (i % 1000 == 999 && i + 1 < len) ? '\n' : 'z';
    k += (size_t)sprintf(text + k, "\"\n201,b,c\n");
    ck_assert_uint_eq(strlen(text), k); /* no NUL inside: written as text */
    const char *p = tu_dir_write(tmp, "long.csv", text);
    free(text);
    mkba_csv_dialect d = {0, -1};
    big b = {.lines_ok = 0};
    mkba_error err;
    mkba_error_clear(&err);
    rows r = {0};
    ck_assert_int_eq(mkba_csv_read(p, &d, count_row, &b, &err), MKBA_OK);
    ck_assert_int_eq(b.rows, 2);
    ck_assert_uint_eq(b.long_field, 1); /* the last record's "c" */
    read_ok(p, &d, &r);
    ck_assert_uint_eq(strlen(r.f[1][2]), len);
    ck_assert_int_eq(r.line[2], 202); /* 1 header + 200 lines of the long field + 1 */
    rows_free(&r);
}
END_TEST

/* ============================== numbers ================================ */

static void number_is(const char *s, int dc, double want)
{
    double x = -12345;
    ck_assert_msg(mkba_csv_number(s, dc, &x) == 1, "'%s' (dc %d) should be a number", s, dc);
    ck_assert_double_eq_tol(x, want, 1e-12 * (fabs(want) + 1e-300));
}

static void number_status(const char *s, int dc, int want)
{
    double x;
    ck_assert_msg(mkba_csv_number(s, dc, &x) == want, "'%s' (dc %d) should give %d", s, dc, want);
}

START_TEST(test_number_valid)
{
    number_is("3.5", 0, 3.5);
    number_is("  -2 ", 0, -2);
    number_is("+4", 0, 4);
    number_is(".5", 0, 0.5);
    number_is("5.", 0, 5);
    number_is("1e3", 0, 1000);
    number_is("2.5E-2", 0, 0.025);
    number_is("3,5", 1, 3.5);
    number_is("-1234,25", 1, -1234.25);
    number_is(" 7 ", 1, 7);
    number_is("\t12\r\n", 0, 12);
    number_is("1,5e2", 1, 150);
    /* 0.(99 zeros)1 = 1e-100: longer than the stack copy. */
    char tiny[128] = "0.";
    for (int i = 0; i < 99; i++)
        strcat(tiny, "0");
    strcat(tiny, "1");
    number_is(tiny, 0, 1e-100);
}
END_TEST

START_TEST(test_number_missing)
{
    const char *missing[] = {"", "   ", "NA", "na", " N/A ", "n/a", "."};
    for (size_t i = 0; i < sizeof missing / sizeof *missing; i++) {
        number_status(missing[i], 0, 0);
        number_status(missing[i], 1, 0);
    }
    ck_assert_int_eq(mkba_csv_number(NULL, 0, NULL), 0);
}
END_TEST

START_TEST(test_number_invalid)
{
    const char *bad[] = {"abc", "3x", "drie", "0x1A", "inf", "-inf", "nan", "NaN", "infinity",
                         "1e", "1e+", "e5", "--1", "+-1", "1 2", "1e400", "-1e400", "-", "+",
                         "1..2", "NAN"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        number_status(bad[i], 0, -1);
        number_status(bad[i], 1, -1);
    }
    /* The other separator is an error, so no silent thousands separators. */
    number_status("3,5", 0, -1);
    number_status("1,234.5", 0, -1);
    number_status("3.5", 1, -1);
    number_status("1.234,5", 1, -1);
    number_status("1,2,3", 1, -1);
    number_status(",", 1, -1);
}
END_TEST

START_TEST(test_number_underflow)
{
    /* Underflow is not overflow: a value this small reads as (about) 0. */
    double x = -1;
    ck_assert_int_eq(mkba_csv_number("1e-400", 0, &x), 1);
    ck_assert(x >= 0 && x < 1e-300);
}
END_TEST

/* ================= the fast path against libcsv's path ================= */

/* A transcript of a read: every record's line, field count and fields,
 * then the status and the error's line and message. */
typedef struct transcript {
    char *text;
    size_t len, cap;
} transcript;

static void tr_add(transcript *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = 2 * (t->len + n + 1);
        t->text = realloc(t->text, t->cap);
        ck_assert_ptr_nonnull(t->text);
    }
    memcpy(t->text + t->len, s, n);
    t->len += n;
    t->text[t->len] = '\0';
}

static mkba_status tr_row(void *ctx, size_t n, char **fields, const size_t *lens, long line,
                          mkba_error *err)
{
    (void)err;
    transcript *t = ctx;
    char head[64];
    tr_add(t, head, (size_t)snprintf(head, sizeof head, "%ld:%zu:", line, n));
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(lens[i], strlen(fields[i]));
        /* the bytes after the NUL may be read (AddressSanitizer checks) */
        volatile char ahead = 0;
        for (size_t k = 1; k <= MKBA_CSV_READ_AHEAD; k++)
            ahead ^= fields[i][lens[i] + k];
        (void)ahead;
        tr_add(t, fields[i], lens[i]);
        tr_add(t, "\x1F", 1);
    }
    tr_add(t, "\n", 1);
    return MKBA_OK;
}

/* Read 'path' with the fast path on or off; the transcript (caller frees). */
static char *read_transcript(const char *path, int fast, char delimiter)
{
    transcript t = {0};
    mkba_csv_dialect d = {delimiter, -1};
    mkba_error err;
    mkba_error_clear(&err);
    mkba_csv_fast_path(fast);
    mkba_status st = mkba_csv_read(path, &d, tr_row, &t, &err);
    mkba_csv_fast_path(1);
    char tail[1200];
    tr_add(&t, tail, (size_t)snprintf(tail, sizeof tail, "status %d line %ld: %s | %c %d", st,
                                      err.line, err.msg, d.delimiter, d.decimal_comma));
    return t.text;
}

static unsigned long long rng_next(unsigned long long *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* The cells of the tricky files: numbers strtod and the fast number path
 * must agree on, quoted cells (libcsv's path), spaces to trim, empty
 * cells, missing-value words, UTF-8. */
static const char *const TRICKY[] = {
    "1e3", "-0", "007", "1.5e-300", "0.10000000000000000555", "0.1", "12", " 4 ", "", "NA",
    "-1.25", "1E+2", "9007199254740993", "123456789012345678901234", "\"a,b\"",
    "\"q \"\"x\"\" ;\"", "\"multi\nline\"", "caf\xC3\xA9", " spaced out ", "\"  kept  \"",
    "N/A", ".", "+5", "1.234.567", "2017-03-01", "x\ty", "\"\"", "1,5", "\t7\t", "a b",
    "0123456789abcdef0123", "7 ", " 8", "\" 9 \"",
};

/* Write a tricky file: delimiter 'delim', line end 'eol', a BOM or not,
 * blank lines, maybe a short line (an error) and maybe no final line
 * end; with 'long_field', one field longer than a read block. */
static void write_tricky(const char *path, unsigned long long seed, char delim, const char *eol,
                         int bom, int short_line, int long_field)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    unsigned long long x = seed;
    if (bom)
        fputs("\xEF\xBB\xBF", fp);
    const int cols = 5, n_rows = 400;
    for (int c = 0; c < cols; c++)
        fprintf(fp, "%scol%d", c ? (char[]){delim, 0} : "", c);
    fputs(eol, fp);
    for (int r = 0; r < n_rows; r++) {
        if (rng_next(&x) % 17 == 0)
            fputs(rng_next(&x) % 2 ? eol : "  \t", fp);
        int n = short_line && r == n_rows - 7 ? cols - 1 : cols;
        for (int c = 0; c < n; c++) {
            if (c)
                fputc(delim, fp);
            if (long_field && r == 200 && c == 2) {
                for (int i = 0; i < 300000; i++)
                    fputc('a' + i % 26, fp);
                continue;
            }
            const char *cell = TRICKY[rng_next(&x) % (sizeof TRICKY / sizeof *TRICKY)];
            if (strchr(cell, delim) && cell[0] != '"')
                cell = "7";
            fputs(cell, fp);
        }
        if (r < n_rows - 1 || rng_next(&x) % 2)
            fputs(eol, fp);
    }
    fclose(fp);
}

START_TEST(test_fast_path_same_as_libcsv)
{
    /* Every dialect, line end and error: the fast path must hand on the
     * very records libcsv makes (fields, lines) and fail the same way. */
    const char delims[] = {',', ';', '\t'};
    const char *const eols[] = {"\n", "\r\n", "\r"};
    const char *path = tu_dir_path(tmp, "tricky.csv");
    int files = 0;
    for (int d = 0; d < 3; d++)
        for (int e = 0; e < 3; e++)
            for (int variant = 0; variant < 4; variant++) {
                write_tricky(path, 1000003ULL * (unsigned long long)(files + 1), delims[d],
                             eols[e], variant & 1, variant == 2, variant == 3);
                char *fast = read_transcript(path, 1, 0), *slow = read_transcript(path, 0, 0);
                ck_assert_msg(strcmp(fast, slow) == 0, "file %d (delimiter %d, eol %d, variant "
                              "%d): fast and libcsv paths differ", files, d, e, variant);
                /* the file was read at all: more than the header */
                ck_assert_msg(strstr(fast, "\n") != strrchr(fast, '\n') || variant == 2,
                              "file %d: %.200s", files, fast);
                free(fast);
                free(slow);
                files++;
            }
}
END_TEST

/* Does mkba_csv_number give strtod's double, bit for bit? */
static void number_as_strtod(const char *s)
{
    double want = strtod(s, NULL), got = 12345;
    ck_assert_msg(mkba_csv_number(s, 0, &got) == 1, "'%s' should be a number", s);
    ck_assert_msg(memcmp(&got, &want, sizeof got) == 0, "'%s': %.17g, strtod %.17g", s, got,
                  want);
    char comma[80];
    snprintf(comma, sizeof comma, "%s", s);
    char *dot = strchr(comma, '.');
    if (dot)
        *dot = ',';
    got = 12345;
    ck_assert_int_eq(mkba_csv_number(comma, 1, &got), 1);
    ck_assert_msg(memcmp(&got, &want, sizeof got) == 0, "'%s': %.17g, strtod %.17g", comma, got,
                  want);
}

START_TEST(test_number_bit_exact)
{
    /* The fast number path (up to 19 digits, exponent within 22) and the
     * strtod fallback: both must give strtod's double. */
    const char *const cases[] = {
        "0.1", "-0", "+0.0", "007", "1e3", "1.5e-300", "0.30000000000000004441",
        "9007199254740992", "9007199254740993", "9007199254740995", "1e22", "1e23", "1e-22",
        "1e-23", "123456789012345678", "1234567890123456789", "12345678901234567890",
        "4.35", "2.2250738585072014e-308", "4.9e-324", "1.7976931348623157e308", "0.000001",
        "100000000000000000000000", "-12.5e+2", "3.", ".5", "00000000000000000000000001.5",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        number_as_strtod(cases[i]);
    unsigned long long x = 42;
    for (int k = 0; k < 200000; k++) {
        char s[80];
        int len = 0, int_digits = (int)(rng_next(&x) % 21),
            frac_digits = (int)(rng_next(&x) % 21);
        if (rng_next(&x) % 3 == 0)
            s[len++] = "+-"[rng_next(&x) % 2];
        for (int i = 0; i < int_digits; i++)
            s[len++] = (char)('0' + rng_next(&x) % 10);
        if (frac_digits || int_digits == 0) {
            s[len++] = '.';
            for (int i = 0; i < frac_digits || (int_digits == 0 && i == 0); i++)
                s[len++] = (char)('0' + rng_next(&x) % 10);
        }
        if (rng_next(&x) % 4 == 0)
            len += snprintf(s + len, sizeof s - (size_t)len, "e%d",
                            (int)(rng_next(&x) % 61) - 30);
        s[len] = '\0';
        number_as_strtod(s);
    }
}
END_TEST

/* mkba_csv_number with and without its fast path, and
 * mkba_csv_number_field (a field with MKBA_CSV_READ_AHEAD bytes after it)
 * against mkba_csv_number_plain: the same status and the same double, bit
 * for bit, for s in both dialects. */
static void number_paths_agree(const char *s)
{
    for (int dc = 0; dc <= 1; dc++) {
        double fast = 1234.5, slow = 1234.5;
        int rf = mkba_csv_number(s, dc, &fast);
        mkba_csv_fast_path(0);
        int rs = mkba_csv_number(s, dc, &slow);
        mkba_csv_fast_path(1);
        ck_assert_msg(rf == rs, "'%s' (dc %d): %d, general rules %d", s, dc, rf, rs);
        ck_assert_msg(rf != 1 || memcmp(&fast, &slow, sizeof fast) == 0,
                      "'%s' (dc %d): %.17g, general rules %.17g", s, dc, fast, slow);
        char field[64 + MKBA_CSV_READ_AHEAD + 1];
        size_t n = strlen(s);
        if (n > 64)
            continue;
        memcpy(field, s, n + 1);
        memset(field + n + 1, '7', MKBA_CSV_READ_AHEAD); /* digits after the NUL */
        double a = 1234.5, b = 1234.5;
        int ra = mkba_csv_number_field(field, n, dc, &a), rb = mkba_csv_number_plain(s, n, dc, &b);
        ck_assert_msg(ra == rb, "'%s' (dc %d): field %d, plain %d", s, dc, ra, rb);
        ck_assert_msg(ra == 0 || (rf == 1 && memcmp(&a, &fast, sizeof a) == 0),
                      "'%s' (dc %d): field %.17g, mkba_csv_number %d %.17g", s, dc, a, rf, fast);
    }
}

START_TEST(test_number_fast_path_same_as_rules)
{
    /* Hand-picked edges of the fast paths (plain digits up to 15, one
     * separator, a sign; 1 to 4 digits read at once), then random strings
     * over the bytes numbers are made of. Expected: whatever the general
     * rules (and strtod behind them) say, bit for bit. */
    const char *const cases[] = {
        "0", "7", "42", "999", "9999", "0000", "0001", "10000", "12345", "-0", "+0", "-7",
        "+5", "1.5", "1,5", "0.1", ".5", "5.", ".", "-.", "+", "-", "", " ", " 1", "1 ",
        "1.2.3", "1,2,3", "1.2,3", "999999999999999", "1000000000000000", "9999999999999999",
        "123456789012345.", ".123456789012345", "0.000000000000001", "00000000000000000001",
        "1e5", "1E5", "1e", "e5", "NA", "na", "N/A", "nan", "inf", "0x10", "1_000", "\xD9\xA3",
        "12\t", "\t12", "1\n", "4.35", "0.30000000000000004", "9007199254740993",
        "0.1234567890123456789", "12a", "a12", "1-2", "--1", "+-1", "1+", "\x80", "1\xC3\xA9",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        number_paths_agree(cases[i]);
    const char alphabet[] = "0123456789000111.,-+eE NA/x";
    unsigned long long x = 7;
    for (int k = 0; k < 300000; k++) {
        char s[32];
        size_t len = (size_t)(rng_next(&x) % 24);
        for (size_t i = 0; i < len; i++)
            s[i] = alphabet[rng_next(&x) % (sizeof alphabet - 1)];
        s[len] = '\0';
        number_paths_agree(s);
    }
}
END_TEST

START_TEST(test_number_field_short_integers)
{
    /* Every string of 1 to 4 digits, leading zeros included, is read at
     * once by mkba_csv_number_field: its value must be strtod's (an
     * independent reader). The bytes after the field are garbage. */
    char field[4 + 1 + MKBA_CSV_READ_AHEAD];
    int count = 0;
    for (int len = 1; len <= 4; len++) {
        int top = len == 1 ? 10 : len == 2 ? 100 : len == 3 ? 1000 : 10000;
        for (int v = 0; v < top; v++, count++) {
            snprintf(field, sizeof field, "%0*d", len, v);
            memset(field + len + 1, v % 2 ? '9' : '\xFF', MKBA_CSV_READ_AHEAD);
            double got = -1;
            ck_assert_int_eq(mkba_csv_number_field(field, (size_t)len, v % 2, &got), 1);
            double want = strtod(field, NULL);
            ck_assert_msg(memcmp(&got, &want, sizeof got) == 0, "'%s': %.17g", field, got);
        }
    }
    ck_assert_int_eq(count, 11110);
}
END_TEST

static Suite *csv_suite(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("dialect");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_detect_comma);
    tcase_add_test(tc, test_detect_semicolon_decimal_comma);
    tcase_add_test(tc, test_detect_tab);
    tcase_add_test(tc, test_detect_tab_empty_first_field);
    tcase_add_test(tc, test_detect_ignores_quoted);
    tcase_add_test(tc, test_detect_most_frequent);
    tcase_add_test(tc, test_detect_single_column);
    tcase_add_test(tc, test_detect_after_blank_lines);
    tcase_add_test(tc, test_explicit_dialect);
    tcase_add_test(tc, test_bad_dialect);
    suite_add_tcase(s, tc);

    tc = tcase_create("format");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_bom);
    tcase_add_test(tc, test_crlf);
    tcase_add_test(tc, test_cr_only);
    tcase_add_test(tc, test_cr_at_block_end);
    tcase_add_test(tc, test_quoted_fields);
    tcase_add_test(tc, test_lines_after_blank_lines);
    tcase_add_test(tc, test_no_final_newline);
    tcase_add_test(tc, test_null_callback);
    tcase_add_test(tc, test_sha256_small);
    tcase_add_test(tc, test_sha256_blocks);
    tcase_add_test(tc, test_sha256_failed_read);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_err_cannot_open);
    tcase_add_test(tc, test_err_empty);
    tcase_add_test(tc, test_err_unterminated);
    tcase_add_test(tc, test_err_field_count);
    tcase_add_test(tc, test_err_stray_quote);
    tcase_add_test(tc, test_err_not_utf8);
    tcase_add_test(tc, test_err_callback_stops);
    suite_add_tcase(s, tc);

    tc = tcase_create("stream");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60); /* valgrind is slow on 200000 rows */
    tcase_add_test(tc, test_large_file);
    tcase_add_test(tc, test_long_quoted_field);
    tcase_add_test(tc, test_fast_path_same_as_libcsv);
    suite_add_tcase(s, tc);

    tc = tcase_create("number");
    tcase_add_test(tc, test_number_valid);
    tcase_add_test(tc, test_number_missing);
    tcase_add_test(tc, test_number_invalid);
    tcase_add_test(tc, test_number_underflow);
    tcase_add_test(tc, test_number_bit_exact);
    tcase_add_test(tc, test_number_fast_path_same_as_rules);
    tcase_add_test(tc, test_number_field_short_integers);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run_suite(csv_suite());
}

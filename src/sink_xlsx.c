/* sink_xlsx.c - tables as the sheets of an XLSX workbook (see sink_xlsx.h). */
#include "mkba/sink_xlsx.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "mkba/fmt.h"
#include "mkba/mem.h"

#define SHEET_MAX 31      /* Excel's limit on a sheet name, in characters */
#define STR_MAX 32000     /* below Excel's 32,767 characters in a cell */
#define WIDTH_MIN 6.0     /* column widths, in characters */
#define WIDTH_MAX 60.0

struct mkba_xlsx {
    lxw_workbook *wb;
    char *path;
    int nl;
    lxw_format *head, *amount, *share, *whole, *withheld;
    char **names;         /* sheet names used so far */
    size_t n_names;
    lxw_worksheet *ws;    /* the last sheet, and the row its next note goes in */
    lxw_row_t note_row;
    lxw_error fail;       /* the first error, with the sheet it was in */
    char fail_sheet[128];
};

/* ============================== names =================================== */

static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

void mkba_xlsx_sheet_name(char *buf, size_t size, const char *name)
{
    size_t o = 0, chars = 0;
    for (const char *p = name ? name : ""; *p && o + 5 < size; p++) {
        unsigned char ch = (unsigned char)*p;
        if ((ch & 0xC0) != 0x80 && chars++ == SHEET_MAX)
            break;
        buf[o++] = strchr("[]:*?/\\", ch) || ch < 0x20 ? '_' : (char)ch;
    }
    buf[o] = '\0';
    /* no apostrophe at either end (Excel's rule), not blank */
    if (o && buf[0] == '\'')
        buf[0] = '_';
    if (o && buf[o - 1] == '\'')
        buf[o - 1] = '_';
    if (strspn(buf, " ") == o)
        snprintf(buf, size, "Sheet");
}

static int same_name(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) { /* Excel compares sheet names without case */
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

static int name_used(const mkba_xlsx *x, const char *name)
{
    for (size_t i = 0; i < x->n_names; i++)
        if (same_name(x->names[i], name))
            return 1;
    return 0;
}

/* A valid name not used yet: "name", else "name (2)", cut to fit. */
static void unique_name(mkba_xlsx *x, char *buf, size_t size, const char *name)
{
    mkba_xlsx_sheet_name(buf, size, name);
    for (unsigned k = 2; name_used(x, buf); k++) {
        char tail[16], base[128];
        snprintf(tail, sizeof tail, " (%u)", k);
        mkba_xlsx_sheet_name(base, sizeof base, name);
        size_t keep = SHEET_MAX - strlen(tail), o = 0, chars = 0;
        while (base[o] && !(((unsigned char)base[o] & 0xC0) != 0x80 && chars++ == keep))
            o++;
        base[o] = '\0';
        mkba_fmt_join(buf, size, base, tail, (char *)NULL);
    }
    x->names = mkba_xreallocarray(x->names, x->n_names + 1, sizeof *x->names);
    x->names[x->n_names++] = mkba_xstrdup(buf);
}

/* ============================== workbook ================================ */

static lxw_format *format(lxw_workbook *wb, const char *num)
{
    lxw_format *f = workbook_add_format(wb);
    if (num)
        format_set_num_format(f, num);
    return f;
}

mkba_xlsx *mkba_xlsx_new(const char *path, const char *title, int nl, mkba_error *err)
{
    lxw_workbook *wb = workbook_new(path);
    if (!wb) {
        mkba_error_set(err, MKBA_EIO, path, 0, NULL, "cannot write the workbook: out of memory");
        return NULL;
    }
    mkba_xlsx *x = mkba_xcalloc(1, sizeof *x);
    x->wb = wb;
    x->path = mkba_xstrdup(path);
    x->nl = nl;
    x->head = format(wb, NULL);
    format_set_bold(x->head);
    format_set_bottom(x->head, LXW_BORDER_THIN);
    x->amount = format(wb, "#,##0");
    x->share = format(wb, "0.0%");
    x->whole = format(wb, "0");
    x->withheld = format(wb, NULL);
    format_set_bg_color(x->withheld, 0xE0E0E0);
    lxw_doc_properties props = {.title = (char *)(title ? title : "")};
    workbook_set_properties(wb, &props);
    return x;
}

/* The sheet's name, for messages. */
static const char *sheet_of(const lxw_worksheet *ws)
{
    return ws && ws->name ? ws->name : "";
}

static void keep_error(mkba_xlsx *x, lxw_error e, const char *sheet)
{
    if (e == LXW_NO_ERROR || x->fail != LXW_NO_ERROR)
        return;
    x->fail = e;
    snprintf(x->fail_sheet, sizeof x->fail_sheet, "%s", sheet);
}

/* ================================ cells ================================= */

/* A text cut to what a cell holds (whole UTF-8 characters); 'buf' holds
 * the cut copy when one is needed (caller frees). */
static const char *fit(const char *s, char **buf)
{
    *buf = NULL;
    if (!s)
        return "";
    size_t n = strlen(s);
    if (n <= STR_MAX)
        return s;
    while (n > STR_MAX || ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return *buf = mkba_xstrndup(s, n);
}

static const char *withheld_text(const mkba_xlsx *x, const mkba_cell *c)
{
    if (c->text && *c->text)
        return c->text;
    return x->nl ? "weggelaten (onthullingsbeheersing)" : "withheld (disclosure control)";
}

/* Write cell c at (r, col); returns how wide it shows, in characters. */
static size_t put_cell(mkba_xlsx *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t col,
                       const mkba_cell *c)
{
    char buf[64], *cut;
    lxw_format *f = NULL;
    lxw_error e = LXW_NO_ERROR;
    size_t w = 0;
    switch (c->type) {
    case MKBA_CELL_TEXT: {
        const char *s = fit(c->text, &cut);
        if (*s)
            e = worksheet_write_string(ws, r, col, s, NULL);
        w = utf8_len(s);
        free(cut);
        break;
    }
    case MKBA_CELL_COUNT:
    case MKBA_CELL_INT:
        e = worksheet_write_number(ws, r, col, (double)c->n, x->whole);
        w = (size_t)snprintf(buf, sizeof buf, "%lld", c->n);
        break;
    case MKBA_CELL_NUMBER:
    case MKBA_CELL_AMOUNT:
    case MKBA_CELL_SHARE:
        if (isnan(c->x))
            break;
        if (isinf(c->x)) { /* a workbook holds no infinity: as the CSV writes it */
            e = worksheet_write_string(ws, r, col, c->x < 0 ? "-inf" : "inf", NULL);
            w = 4;
            break;
        }
        if (c->type == MKBA_CELL_AMOUNT) {
            f = x->amount;
            mkba_fmt_term_amount(buf, sizeof buf, c->x, 0);
        } else if (c->type == MKBA_CELL_SHARE) {
            f = x->share;
            mkba_fmt_term_share(buf, sizeof buf, c->x, 0);
        } else {
            snprintf(buf, sizeof buf, "%.10g", c->x); /* about what "General" shows */
        }
        e = worksheet_write_number(ws, r, col, c->x, f);
        w = strlen(buf);
        break;
    case MKBA_CELL_WITHHELD: {
        e = worksheet_write_blank(ws, r, col, x->withheld);
        const char *s = fit(withheld_text(x, c), &cut);
        if (!e)
            e = worksheet_write_comment(ws, r, col, s);
        free(cut);
        break;
    }
    }
    keep_error(x, e, sheet_of(ws));
    return w;
}

void mkba_sink_xlsx(mkba_xlsx *x, const mkba_table *t, const char *sheet)
{
    char name[128];
    unique_name(x, name, sizeof name, sheet);
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);
    x->ws = ws;
    if (!ws) {
        keep_error(x, LXW_ERROR_MEMORY_MALLOC_FAILED, name);
        return;
    }
    size_t nc = mkba_table_cols(t), nr = mkba_table_rows(t);
    if (nr + 1 > LXW_ROW_MAX || nc > LXW_COL_MAX) {
        keep_error(x, LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE, name);
        return;
    }
    double *width = mkba_xcalloc(nc ? nc : 1, sizeof *width);
    for (size_t c = 0; c < nc; c++) {
        char *cut;
        const char *h = fit(mkba_table_col_name(t, c, x->nl), &cut);
        keep_error(x, worksheet_write_string(ws, 0, (lxw_col_t)c, h, x->head), name);
        width[c] = (double)utf8_len(h) + 3; /* bold, and the filter's button */
        free(cut);
    }
    for (size_t r = 0; r < nr; r++)
        for (size_t c = 0; c < nc; c++) {
            double w = (double)put_cell(x, ws, (lxw_row_t)(r + 1), (lxw_col_t)c,
                                        mkba_table_cell(t, r, c)) + 1;
            if (w > width[c])
                width[c] = w;
        }
    for (size_t c = 0; c < nc; c++) {
        double w = width[c] < WIDTH_MIN ? WIDTH_MIN : width[c] > WIDTH_MAX ? WIDTH_MAX : width[c];
        keep_error(x, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w, NULL), name);
    }
    free(width);
    worksheet_freeze_panes(ws, 1, 0);
    if (nc > 0)
        keep_error(x, worksheet_autofilter(ws, 0, 0, (lxw_row_t)nr, (lxw_col_t)(nc - 1)), name);
    x->note_row = (lxw_row_t)(nr + 2); /* one empty row under the table */
}

void mkba_sink_xlsx_note(mkba_xlsx *x, const char *text)
{
    if (!x->ws || x->note_row >= LXW_ROW_MAX)
        return;
    char *cut;
    const char *s = fit(text, &cut);
    if (*s)
        keep_error(x, worksheet_write_string(x->ws, x->note_row, 0, s, NULL),
                   sheet_of(x->ws));
    free(cut);
    x->note_row++;
}

mkba_status mkba_xlsx_close(mkba_xlsx *x, mkba_error *err)
{
    if (!x)
        return MKBA_OK;
    /* libxlsxwriter prints its own lines about a failed write (with the
     * private staging path) before it returns: mkba's one message below
     * says it, with the system's reason where there is one */
    fflush(stderr);
    int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);
    if (saved >= 0 && null >= 0)
        dup2(null, STDERR_FILENO);
    errno = 0;
    lxw_error e = workbook_close(x->wb); /* writes the file, frees the workbook */
    int sys = errno;
    if (saved >= 0 && null >= 0)
        dup2(saved, STDERR_FILENO);
    if (saved >= 0)
        close(saved);
    if (null >= 0)
        close(null);
    mkba_status st = MKBA_OK;
    if (err && x->fail != LXW_NO_ERROR)
        st = mkba_error_set(err, MKBA_EIO, x->path, 0, NULL,
                            "cannot write the workbook: sheet '%s': %s", x->fail_sheet,
                            lxw_strerror(x->fail));
    else if (err && e != LXW_NO_ERROR && sys != 0) /* a write of the file failed */
        st = mkba_error_set(err, MKBA_EIO, x->path, 0, NULL, "cannot write: %s", strerror(sys));
    else if (err && e != LXW_NO_ERROR)
        st = mkba_error_set(err, MKBA_EIO, x->path, 0, NULL, "cannot write the workbook: %s",
                            lxw_strerror(e));
    for (size_t i = 0; i < x->n_names; i++)
        free(x->names[i]);
    free(x->names);
    free(x->path);
    free(x);
    return st;
}

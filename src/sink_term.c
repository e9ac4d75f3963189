/* sink_term.c - the terminal sink (sink_term.h): text tables, wrapped
 * paragraphs, and the escaping of model texts for the terminal. */
#include "sink_term.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/escape.h"
#include "mkba/fmt.h"
#include "mkba/mem.h"
#include "mkba/table.h"
#include "out_internal.h"

const char *out_term_text(out_term *t, const char *s)
{
    if (!mkba_escape_term_needed(s))
        return s ? s : "";
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 8;
        t->s = mkba_xreallocarray(t->s, t->cap, sizeof *t->s);
    }
    return t->s[t->n++] = mkba_escape_term_dup(s);
}

void out_term_free(out_term *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->s[i]);
    free(t->s);
    t->s = NULL;
    t->n = t->cap = 0;
}

/* Columns taken on a terminal by the first n bytes of UTF-8 text: one per
 * character (bytes that do not continue a character). */
size_t term_width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            w++;
    return w;
}

/* The next line of 's' at most 'width' columns wide: sets *len to its
 * length in bytes and returns where the rest starts, or NULL when 's' fits.
 * Breaks at the last blank that fits; a word longer than the width is cut. */
const char *term_wrap_next(const char *s, size_t width, size_t *len)
{
    size_t i = 0, cols = 0, blank = 0;
    if (width < 1)
        width = 1;
    while (s[i]) {
        if (cols == width)
            break;
        if (s[i] == ' ' && i > 0)
            blank = i;
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        cols++;
    }
    if (!s[i]) {
        *len = i;
        return NULL;
    }
    size_t cut = s[i] == ' ' ? i : (blank ? blank : i);
    *len = cut;
    while (s[cut] == ' ')
        cut++;
    return s[cut] ? s + cut : NULL;
}


void term_ln_addn(term_line *l, const char *s, size_t n)
{
    if (l->len + n + 1 > l->cap) {
        while (l->len + n + 1 > l->cap)
            l->cap = l->cap ? 2 * l->cap : 128;
        l->s = mkba_xrealloc(l->s, l->cap);
    }
    memcpy(l->s + l->len, s, n);
    l->len += n;
    l->s[l->len] = '\0';
}

void term_ln_pad(term_line *l, size_t n, char c)
{
    for (size_t i = 0; i < n; i++)
        term_ln_addn(l, &c, 1);
}

/* Text of n bytes in 'width' columns, left or right aligned. */
void term_ln_cell(term_line *l, const char *s, size_t n, size_t width, int right)
{
    size_t w = term_width(s, n), pad = w < width ? width - w : 0;
    if (right)
        term_ln_pad(l, pad, ' ');
    term_ln_addn(l, s, n);
    if (!right)
        term_ln_pad(l, pad, ' ');
}

void term_ln_flush(term_line *l, FILE *f)
{
    while (l->len && l->s[l->len - 1] == ' ')
        l->len--;
    fwrite(l->s ? l->s : "", 1, l->len, f);
    fputc('\n', f);
    l->len = 0;
}

/* A paragraph wrapped to TERM_MAX_WIDTH: the first line indented 'first', the
 * next ones 'rest'; escaped for the terminal (escape.h), as it may quote
 * labels. */
void term_para(FILE *f, size_t first, size_t rest, const char *raw)
{
    term_line l = {0};
    char *text = mkba_escape_term_dup(raw);
    const char *p = text;
    size_t indent = first;
    while (p) {
        size_t n;
        const char *next = term_wrap_next(p, TERM_MAX_WIDTH - indent, &n);
        term_ln_pad(&l, indent, ' ');
        term_ln_addn(&l, p, n);
        term_ln_flush(&l, f);
        p = next;
        indent = rest;
    }
    free(l.s);
    free(text);
}

/* ============================= text tables ============================== */



void term_tab_add(term_table *t, const char *const *cells, int rule)
{
    if (t->nrows == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 8;
        t->cell = mkba_xreallocarray(t->cell, t->cap * t->ncols, sizeof *t->cell);
        t->rule = mkba_xrealloc(t->rule, t->cap);
    }
    for (size_t c = 0; c < t->ncols; c++) /* labels are in cells: escape.h */
        t->cell[t->nrows * t->ncols + c] = mkba_escape_term_dup(cells[c]);
    t->rule[t->nrows++] = (unsigned char)rule;
}

void term_tab_free(term_table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cell[i]);
    free(t->cell);
    free(t->rule);
}

/* One table row (header or body) over the columns cols[0..m-1]; wrapped
 * cells continue on further lines. cur[] is scratch of m pointers. */
static void print_row(FILE *f, term_line *l, const term_col *col, const char *const *cells,
                      const size_t *cols, size_t m, const size_t *w, const char **cur)
{
    for (size_t j = 0; j < m; j++)
        cur[j] = cells[cols[j]];
    int more = 1;
    while (more) {
        more = 0;
        term_ln_pad(l, TERM_INDENT, ' ');
        for (size_t j = 0; j < m; j++) {
            size_t c = cols[j], n = 0;
            const char *seg = cur[j] ? cur[j] : "";
            cur[j] = cur[j] ? term_wrap_next(cur[j], w[c], &n) : NULL;
            more |= cur[j] != NULL;
            if (j)
                term_ln_pad(l, TERM_COL_SEP, ' ');
            term_ln_cell(l, seg, n, w[c], col[c].right);
        }
        term_ln_flush(l, f);
    }
}

static void print_rule(FILE *f, term_line *l, const size_t *cols, size_t m, const size_t *w)
{
    size_t width = TERM_COL_SEP * (m - 1);
    for (size_t j = 0; j < m; j++)
        width += w[cols[j]];
    term_ln_pad(l, TERM_INDENT, ' ');
    term_ln_pad(l, width, '-');
    term_ln_flush(l, f);
}

/* Column widths: the widest cell, then wrapping columns narrowed (widest
 * first, down to TERM_MIN_WRAP) until the table fits TERM_MAX_WIDTH if it can. */
static void tab_widths(const term_table *t, size_t *w)
{
    size_t total = TERM_INDENT + TERM_COL_SEP * (t->ncols - 1);
    for (size_t c = 0; c < t->ncols; c++) {
        w[c] = term_width(t->col[c].head, strlen(t->col[c].head));
        for (size_t r = 0; r < t->nrows; r++) {
            const char *s = t->cell[r * t->ncols + c];
            size_t cw = term_width(s, strlen(s));
            if (cw > w[c])
                w[c] = cw;
        }
        total += w[c];
    }
    while (total > TERM_MAX_WIDTH) {
        size_t widest = t->ncols;
        for (size_t c = 0; c < t->ncols; c++)
            if (t->col[c].wrap && w[c] > TERM_MIN_WRAP && (widest == t->ncols || w[c] > w[widest]))
                widest = c;
        if (widest == t->ncols)
            break;
        w[widest]--;
        total--;
    }
}

/* Print the term_table; when its columns still do not fit, in blocks that each
 * repeat the first column. */
void term_tab_print(FILE *f, const term_table *t)
{
    size_t *w = mkba_xcalloc(t->ncols, sizeof *w);
    size_t *cols = mkba_xcalloc(t->ncols, sizeof *cols);
    const char **cur = mkba_xcalloc(t->ncols, sizeof *cur);
    const char **head = mkba_xcalloc(t->ncols, sizeof *head);
    term_line l = {0};
    tab_widths(t, w);
    for (size_t c = 0; c < t->ncols; c++)
        head[c] = t->col[c].head;
    size_t start = 1;
    do {
        size_t m = 0, width = TERM_INDENT + w[0];
        if (start > 1)
            fputc('\n', f); /* a blank line between blocks */
        cols[m++] = 0;
        while (start < t->ncols && (m == 1 || width + TERM_COL_SEP + w[start] <= TERM_MAX_WIDTH)) {
            width += TERM_COL_SEP + w[start];
            cols[m++] = start++;
        }
        print_row(f, &l, t->col, head, cols, m, w, cur);
        print_rule(f, &l, cols, m, w);
        for (size_t r = 0; r < t->nrows; r++) {
            if (t->rule[r])
                print_rule(f, &l, cols, m, w);
            print_row(f, &l, t->col, (const char *const *)&t->cell[r * t->ncols], cols, m, w,
                      cur);
        }
    } while (start < t->ncols);
    free(l.s);
    free(head);
    free(cur);
    free(cols);
    free(w);
}

/* One typed cell as the terminal shows it. */
static void cell_text(char *buf, size_t size, const mkba_cell *c, int nl)
{
    switch (c->type) {
    case MKBA_CELL_TEXT: /* shown as it is (term_tab_from) */
        buf[0] = '\0';
        return;
    case MKBA_CELL_COUNT:
    case MKBA_CELL_INT:
        snprintf(buf, size, "%lld", c->n);
        return;
    case MKBA_CELL_AMOUNT:
        mkba_fmt_term_amount(buf, size, c->x, nl);
        return;
    case MKBA_CELL_NUMBER:
        mkba_fmt_term_ratio(buf, size, c->x, nl);
        return;
    case MKBA_CELL_SHARE:
        mkba_fmt_term_share(buf, size, c->x, nl);
        return;
    case MKBA_CELL_WITHHELD:
        break;
    }
    snprintf(buf, size, "x");
}

void term_tab_from(term_table *t, const mkba_table *src, const size_t *pick, int nl)
{
    const char **row = mkba_xcalloc(t->ncols + 1, sizeof *row);
    char (*v)[64] = mkba_xcalloc(t->ncols + 1, sizeof *v);
    for (size_t r = 0; r < mkba_table_rows(src); r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const mkba_cell *x = mkba_table_cell(src, r, pick[c]);
            cell_text(v[c], sizeof v[c], x, nl); /* a number: short */
            row[c] = x->type == MKBA_CELL_TEXT && x->text ? x->text : v[c]; /* never cut */
        }
        term_tab_add(t, row, 0);
    }
    free(v);
    free(row);
}

/* table.c - tables of results as data (see table.h). Cells are stored row
 * by row in one growing array; texts are copied into the table. */
#include "mkba/table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/mem.h"

struct mkba_table {
    char *name;        /* file stem */
    char **col;        /* [ncols] column names, owned */
    char **col_nl;     /* [ncols] Dutch names, owned (NULL: none) */
    size_t ncols;
    mkba_cell *cell;   /* [nrows * ncols] */
    size_t ncells, cap;
    size_t in_row;     /* cells of the row being built */
    char **texts;      /* owned copies of cell texts */
    size_t ntexts, tcap;
};

mkba_table *mkba_table_new(const char *name, const char *const *cols)
{
    mkba_table *t = mkba_xcalloc(1, sizeof *t);
    t->name = mkba_xstrdup(name);
    mkba_table_add_cols(t, cols);
    return t;
}

void mkba_table_add_cols(mkba_table *t, const char *const *cols)
{
    for (; cols && *cols; cols++)
        mkba_table_add_col(t, *cols);
}

void mkba_table_add_col(mkba_table *t, const char *col)
{
    t->col = mkba_xreallocarray(t->col, t->ncols + 1, sizeof *t->col);
    t->col_nl = mkba_xreallocarray(t->col_nl, t->ncols + 1, sizeof *t->col_nl);
    t->col[t->ncols] = mkba_xstrdup(col);
    t->col_nl[t->ncols++] = NULL;
}

void mkba_table_col_nl(mkba_table *t, size_t c, const char *name_nl)
{
    if (c >= t->ncols)
        return;
    free(t->col_nl[c]);
    t->col_nl[c] = mkba_xstrdup(name_nl);
}

void mkba_table_add_col_nl(mkba_table *t, const char *col, const char *col_nl)
{
    mkba_table_add_col(t, col);
    mkba_table_col_nl(t, t->ncols - 1, col_nl);
}

void mkba_table_add_cols_nl(mkba_table *t, const char *const (*cols)[2])
{
    for (; cols && (*cols)[0]; cols++)
        mkba_table_add_col_nl(t, (*cols)[0], (*cols)[1]);
}

void mkba_table_free(mkba_table *t)
{
    if (!t)
        return;
    for (size_t c = 0; c < t->ncols; c++) {
        free(t->col[c]);
        free(t->col_nl[c]);
    }
    for (size_t i = 0; i < t->ntexts; i++)
        free(t->texts[i]);
    free(t->texts);
    free(t->col);
    free(t->col_nl);
    free(t->cell);
    free(t->name);
    free(t);
}

static const char *keep(mkba_table *t, const char *s)
{
    if (!s || !*s)
        return "";
    if (t->ntexts == t->tcap) {
        t->tcap = t->tcap ? 2 * t->tcap : 64;
        t->texts = mkba_xreallocarray(t->texts, t->tcap, sizeof *t->texts);
    }
    return t->texts[t->ntexts++] = mkba_xstrdup(s);
}

static void add(mkba_table *t, mkba_cell c)
{
    if (t->ncells == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->cell = mkba_xreallocarray(t->cell, t->cap, sizeof *t->cell);
    }
    t->cell[t->ncells++] = c;
    t->in_row++;
}

void mkba_table_text(mkba_table *t, const char *s)
{
    add(t, (mkba_cell){MKBA_CELL_TEXT, keep(t, s), NAN, 0});
}

void mkba_table_count(mkba_table *t, size_t n)
{
    add(t, (mkba_cell){MKBA_CELL_COUNT, NULL, NAN, (long long)n});
}

void mkba_table_int(mkba_table *t, long long n)
{
    add(t, (mkba_cell){MKBA_CELL_INT, NULL, NAN, n});
}

void mkba_table_number(mkba_table *t, double x)
{
    add(t, (mkba_cell){MKBA_CELL_NUMBER, NULL, x, 0});
}

void mkba_table_amount(mkba_table *t, double x)
{
    add(t, (mkba_cell){MKBA_CELL_AMOUNT, NULL, x, 0});
}

void mkba_table_share(mkba_table *t, double x)
{
    add(t, (mkba_cell){MKBA_CELL_SHARE, NULL, x, 0});
}

void mkba_table_withheld(mkba_table *t, const char *reason)
{
    add(t, (mkba_cell){MKBA_CELL_WITHHELD, keep(t, reason), NAN, 0});
}

void mkba_table_count_or_withheld(mkba_table *t, size_t n, int hidden)
{
    if (hidden)
        mkba_table_withheld(t, "");
    else
        mkba_table_count(t, n);
}

void mkba_table_number_or_withheld(mkba_table *t, double x, int hidden)
{
    if (hidden)
        mkba_table_withheld(t, "");
    else
        mkba_table_number(t, x);
}

void mkba_table_end_row(mkba_table *t)
{
    while (t->in_row < t->ncols)
        mkba_table_text(t, "");
    t->in_row = 0;
}

const char *mkba_table_name(const mkba_table *t)
{
    return t->name;
}

size_t mkba_table_cols(const mkba_table *t)
{
    return t->ncols;
}

size_t mkba_table_rows(const mkba_table *t)
{
    return t->ncols ? t->ncells / t->ncols : 0;
}

const char *mkba_table_col(const mkba_table *t, size_t c)
{
    return c < t->ncols ? t->col[c] : "";
}

const char *mkba_table_col_name(const mkba_table *t, size_t c, int nl)
{
    if (c >= t->ncols)
        return "";
    return nl && t->col_nl[c] ? t->col_nl[c] : t->col[c];
}

int mkba_table_col_has_nl(const mkba_table *t, size_t c)
{
    return c < t->ncols && t->col_nl[c] != NULL;
}

const mkba_cell *mkba_table_cell(const mkba_table *t, size_t r, size_t c)
{
    return &t->cell[r * t->ncols + c];
}

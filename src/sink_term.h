/* sink_term.h - the terminal sink: aligned text tables at most
 * TERM_MAX_WIDTH columns wide (long labels wrap inside their column; a
 * table with many columns is split into blocks that repeat the first),
 * paragraphs wrapped to the same width, and every text from the model
 * escaped for the terminal (escape.h). Used by the terminal report
 * (out*.c); internal to the output layer (not in include/).
 *
 * Its cells are texts already formatted (fmt.h, mkba_fmt_term_*; withheld
 * values as disclose.h's mkba_disclose_count writes them), or a table.h
 * table's typed cells formatted here (term_tab_from), so that a table
 * shown both in the terminal and in files is built once. */
#ifndef MKBA_SINK_TERM_H
#define MKBA_SINK_TERM_H

#include <stddef.h>
#include <stdio.h>

#define TERM_MAX_WIDTH 100 /* terminal report: widest line */
#define TERM_COL_SEP 2     /* blanks between table columns */
#define TERM_MIN_WRAP 16   /* a wrapping column is not made narrower than this */
#define TERM_INDENT 2      /* tables and paragraphs are indented this much */

/* A growing line, printed without trailing blanks. */
typedef struct term_line {
    char *s;
    size_t len, cap;
} term_line;

typedef struct term_col {
    const char *head; /* column title */
    int right;        /* 1: right-aligned (numbers) */
    int wrap;         /* 1: may wrap to fit MAX_WIDTH (labels) */
} term_col;

typedef struct term_table {
    const term_col *col;     /* [ncols] borrowed */
    size_t ncols;
    size_t nrows, cap;
    char **cell;         /* [nrows][ncols] owned copies */
    unsigned char *rule; /* [nrows] 1: a rule line above the row */
} term_table;

/* Columns taken on a terminal by the first n bytes of UTF-8 text. */
size_t term_width(const char *s, size_t n);
/* The next line of 's' at most 'width' columns wide: sets *len to its
 * length in bytes and returns where the rest starts, or NULL when 's' fits. */
const char *term_wrap_next(const char *s, size_t width, size_t *len);
void term_ln_addn(term_line *l, const char *s, size_t n);
void term_ln_pad(term_line *l, size_t n, char c);
/* Text of n bytes in 'width' columns, left or right aligned. */
void term_ln_cell(term_line *l, const char *s, size_t n, size_t width, int right);
/* Print the line without trailing blanks, and empty it. */
void term_ln_flush(term_line *l, FILE *f);
/* A paragraph wrapped to TERM_MAX_WIDTH: the first line indented 'first',
 * the next ones 'rest'; escaped for the terminal. */
void term_para(FILE *f, size_t first, size_t rest, const char *raw);
/* Add a row (escaped copies of ncols cells), with a rule line above it
 * when 'rule'; print the table; free its rows (not its columns). */
void term_tab_add(term_table *t, const char *const *cells, int rule);
void term_tab_print(FILE *f, const term_table *t);
void term_tab_free(term_table *t);

/* Add the rows of a table.h table to 't': of each row the cells of the
 * columns pick[0..t->ncols-1] (t->col gives their headers), typed cells
 * formatted for the terminal (fmt.h): TEXT as it is, COUNT and INT whole
 * numbers, AMOUNT mkba_fmt_term_amount, NUMBER a ratio with 2 decimals
 * (mkba_fmt_term_ratio), SHARE mkba_fmt_term_share, NaN "n/a", WITHHELD
 * "x". So a table built once (tables.h) is shown in the terminal too. */
struct mkba_table;
void term_tab_from(term_table *t, const struct mkba_table *src, const size_t *pick, int nl);

#endif

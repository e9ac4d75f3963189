/* table.h - a table of results as data: named, typed columns and rows of
 * typed cells, built once by a builder (tables.h) and written by any sink
 * (sink_csv.h: ',' and the Dutch ';'; an XLSX sink the same way).
 *
 * Why: every output format used to walk the appraisal itself, so the same
 * table was written two or three times and each format carried its own
 * rules. Now a builder decides what a table holds (which rows, which
 * values, which are withheld: disclose.h), and a sink decides only how a
 * cell of a given type looks in its format:
 *
 *   cell type         CSV ','/';' (sink_csv)         XLSX (sink_xlsx)
 *   TEXT              the text, quoted per RFC 4180  a string cell
 *   COUNT, INT        the whole number               a number, "0"
 *   NUMBER            full precision ("%.17g")       a number
 *   AMOUNT            full precision                 a number, "#,##0"
 *   SHARE (0..1)      full precision                 a number, "0.0%"
 *   WITHHELD          empty (reason not written)     empty, or the reason
 *   (NaN in a number) empty                          empty
 *
 * A new sink is one file that walks mkba_table_rows x mkba_table_cols and
 * switches on mkba_cell.type; the builders do not change. Column names are
 * the file's header (snake_case, English); every column of a builder also
 * has a Dutch name (snake_case Dutch: "schatting", "ncw_city"), the header
 * of the *_nl.csv files and of a Dutch workbook. A column without one
 * shows its English name there.
 *
 * Ownership: a table owns copies of every text given to it; a cell's text
 * is borrowed and stays valid until mkba_table_free(). */
#ifndef MKBA_TABLE_H
#define MKBA_TABLE_H

#include <stddef.h>

typedef enum mkba_cell_type {
    MKBA_CELL_TEXT,     /* text from the model or a fixed word */
    MKBA_CELL_COUNT,    /* a count of persons or things (n >= 0) */
    MKBA_CELL_INT,      /* another whole number: a year, a rank */
    MKBA_CELL_NUMBER,   /* a statistic or value of no particular unit */
    MKBA_CELL_AMOUNT,   /* money, in the model's currency */
    MKBA_CELL_SHARE,    /* a share 0..1 (a probability, a fraction) */
    MKBA_CELL_WITHHELD  /* withheld by disclosure control (disclose.h) */
} mkba_cell_type;

typedef struct mkba_cell {
    mkba_cell_type type;
    const char *text;   /* TEXT: the text; WITHHELD: why ("" if not said) */
    double x;           /* NUMBER, AMOUNT, SHARE (NaN: not known) */
    long long n;        /* COUNT, INT */
} mkba_cell;

typedef struct mkba_table mkba_table;

/* A table named 'name' (the file stem: "effects" -> effects.csv) with the
 * columns 'cols' (NULL-terminated, copied). Never NULL (out of memory
 * stops the program, mem.h). */
mkba_table *mkba_table_new(const char *name, const char *const *cols);
/* Add a column, or the columns 'cols' (NULL-terminated), after those
 * already there (before the first row). */
void mkba_table_add_col(mkba_table *t, const char *col);
void mkba_table_add_cols(mkba_table *t, const char *const *cols);
/* Give column c a Dutch name (copied). */
void mkba_table_col_nl(mkba_table *t, size_t c, const char *name_nl);
/* Add a column with its English and Dutch names, or the columns 'cols'
 * (pairs {English, Dutch}, ending in {NULL, NULL}). */
void mkba_table_add_col_nl(mkba_table *t, const char *col, const char *col_nl);
void mkba_table_add_cols_nl(mkba_table *t, const char *const (*cols)[2]);
void mkba_table_free(mkba_table *t); /* NULL is a no-op */

/* Cells are added left to right; mkba_table_end_row closes the row (a row
 * with fewer cells than columns is padded with empty text). */
void mkba_table_text(mkba_table *t, const char *s); /* NULL is "" */
void mkba_table_count(mkba_table *t, size_t n);
void mkba_table_int(mkba_table *t, long long n);
void mkba_table_number(mkba_table *t, double x);
void mkba_table_amount(mkba_table *t, double x);
void mkba_table_share(mkba_table *t, double x);
void mkba_table_withheld(mkba_table *t, const char *reason);
/* A count, or withheld when 'hidden' (the usual cell of a counts column). */
void mkba_table_count_or_withheld(mkba_table *t, size_t n, int hidden);
/* A number, or withheld when 'hidden'. */
void mkba_table_number_or_withheld(mkba_table *t, double x, int hidden);
void mkba_table_end_row(mkba_table *t);

const char *mkba_table_name(const mkba_table *t);
size_t mkba_table_cols(const mkba_table *t);
size_t mkba_table_rows(const mkba_table *t);
const char *mkba_table_col(const mkba_table *t, size_t c);
/* Column c's Dutch name, or its name when it has none. */
const char *mkba_table_col_name(const mkba_table *t, size_t c, int nl);
/* Whether column c was given a Dutch name. */
int mkba_table_col_has_nl(const mkba_table *t, size_t c);
const mkba_cell *mkba_table_cell(const mkba_table *t, size_t r, size_t c);

#endif

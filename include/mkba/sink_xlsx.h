/* sink_xlsx.h - the XLSX sink: tables (table.h) as the sheets of an Excel
 * workbook, written with libxlsxwriter (which writes to a file path, so a
 * workbook is made in one go and written when it is closed).
 *
 * Each table is one sheet: the header row bold and frozen, with an
 * autofilter, and each column as wide as its widest value (within
 * limits). How a cell of each type looks (table.h):
 *
 *   TEXT       a string cell (never a formula: a text starting with '='
 *              stays text, so no escaping is needed as in CSV)
 *   COUNT, INT a number, format "0"
 *   NUMBER     a number, general format (full precision is stored)
 *   AMOUNT     a number, format "#,##0": Excel shows the thousands
 *              separator of the reader's locale ("1.234.567" in Dutch)
 *   SHARE      a number, format "0.0%"
 *   WITHHELD   an empty grey cell with a comment saying why ("withheld
 *              (disclosure control)" / "weggelaten (onthullingsbeheersing)"
 *              when the cell gives no reason): never the value
 *   NaN        an empty cell; +/-infinity the text "inf"/"-inf", as in CSV
 *
 * Sheet names follow Excel's rules: at most 31 characters, none of
 * []:*?/\, not blank, and unique (a clash gets " (2)", " (3)", ...). */
#ifndef MKBA_SINK_XLSX_H
#define MKBA_SINK_XLSX_H

#include "mkba/error.h"
#include "mkba/table.h"

typedef struct mkba_xlsx mkba_xlsx;

/* A new workbook that mkba_xlsx_close writes to 'path'; 'nl' non-zero:
 * Dutch column names (mkba_table_col_name) and Dutch texts of the sink's
 * own (the withheld comment). 'title' goes into the file's properties. */
mkba_xlsx *mkba_xlsx_new(const char *path, const char *title, int nl, mkba_error *err);

/* Table 't' as a new sheet named 'sheet' (made valid and unique, see
 * above). Errors (a table with more rows or columns than a sheet holds)
 * are kept and reported by mkba_xlsx_close. */
void mkba_sink_xlsx(mkba_xlsx *x, const mkba_table *t, const char *sheet);

/* A line of text under the table of the last sheet (after one empty row
 * for the first note): what a reader of the sheet needs to know. */
void mkba_sink_xlsx_note(mkba_xlsx *x, const char *text);

/* Write the workbook to its path and free 'x': MKBA_OK, or MKBA_EIO with
 * "path: cannot write the workbook: ..." in *err. With 'err' NULL (an
 * abort) the file may be written anyway: write it where it is discarded
 * (pub.h, a private directory). */
mkba_status mkba_xlsx_close(mkba_xlsx *x, mkba_error *err);

/* The sheet name 'name' made valid (see above, not yet unique) into 'buf'
 * (at least 128 bytes): forbidden characters become '_', a blank name
 * "Sheet", and a longer name is cut at 31 characters (whole UTF-8
 * characters). */
void mkba_xlsx_sheet_name(char *buf, size_t size, const char *name);

#endif

/* sink_csv.h - the CSV sink: a table (table.h) as a CSV file, in one of
 * two dialects with the same content: English (',' separator, decimal
 * point: NAME.csv) and Dutch (';' separator, decimal comma: NAME_nl.csv,
 * for Excel with Dutch settings; the header row has the columns' Dutch
 * names, mkba_table_col_name, so "estimate" is "schatting" there; the
 * cells, model names and texts such as "society" or "benefit", are the
 * same in both).
 *
 * A header row comes first; lines end in "\n". Text is quoted per RFC 4180
 * when it holds the separator, a quote, a line break or blanks at either
 * end; a text a spreadsheet would run as a formula (escape.h,
 * mkba_escape_is_formula) is neutralised as OWASP recommends: quoted, with
 * a single quote before it. Numbers (NUMBER, AMOUNT, SHARE) at full
 * precision (fmt.h, mkba_fmt_full), NaN as an empty field, +/-infinity as
 * "inf"/"-inf"; COUNT and INT as whole numbers; a WITHHELD cell is empty. */
#ifndef MKBA_SINK_CSV_H
#define MKBA_SINK_CSV_H

#include <stdio.h>

#include "mkba/table.h"

typedef enum mkba_sink_csv_dialect {
    MKBA_SINK_CSV_EN, /* ',' and '.' */
    MKBA_SINK_CSV_NL  /* ';' and ',' */
} mkba_sink_csv_dialect;

/* Write table 't' to 'fp'. Write errors are left in ferror(fp) for the
 * caller (the publication, pub.h, checks them when it commits). */
void mkba_sink_csv(FILE *fp, const mkba_table *t, mkba_sink_csv_dialect d);

/* One text field as the sink writes it, preceded by the separator unless
 * it is the line's first ('first' non-zero): for files written as a
 * stream (the draws file), whose header must follow the same rules. */
void mkba_sink_csv_text(FILE *fp, const char *s, char sep, int first);

#endif

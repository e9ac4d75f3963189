/* sink_csv.c - tables as CSV files, ',' or the Dutch ';' (see sink_csv.h). */
#include "mkba/sink_csv.h"

#include <string.h>

#include "mkba/escape.h"
#include "mkba/fmt.h"

void mkba_sink_csv_text(FILE *fp, const char *s, char sep, int first)
{
    if (!first)
        fputc(sep, fp);
    if (!s)
        s = "";
    size_t n = strlen(s);
    int formula = mkba_escape_is_formula(s);
    /* quoted also with blanks at either end, which readers (ours too)
     * would otherwise trim */
    int quote = formula || strpbrk(s, "\"\r\n") || strchr(s, sep) ||
                (n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'));
    if (!quote) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    if (formula)
        fputc('\'', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

static void cell(FILE *fp, const mkba_cell *c, char sep, char dec, int first)
{
    char buf[48];
    switch (c->type) {
    case MKBA_CELL_TEXT:
        mkba_sink_csv_text(fp, c->text, sep, first);
        return;
    case MKBA_CELL_COUNT:
    case MKBA_CELL_INT:
        if (!first)
            fputc(sep, fp);
        fprintf(fp, "%lld", c->n);
        return;
    case MKBA_CELL_NUMBER:
    case MKBA_CELL_AMOUNT:
    case MKBA_CELL_SHARE:
        mkba_fmt_full(buf, sizeof buf, c->x, dec);
        break;
    case MKBA_CELL_WITHHELD:
        buf[0] = '\0';
        break;
    }
    if (!first)
        fputc(sep, fp);
    fputs(buf, fp);
}

void mkba_sink_csv(FILE *fp, const mkba_table *t, mkba_sink_csv_dialect d)
{
    char sep = d == MKBA_SINK_CSV_NL ? ';' : ',', dec = d == MKBA_SINK_CSV_NL ? ',' : '.';
    size_t nc = mkba_table_cols(t), nr = mkba_table_rows(t);
    for (size_t c = 0; c < nc; c++)
        mkba_sink_csv_text(fp, mkba_table_col_name(t, c, d == MKBA_SINK_CSV_NL), sep, c == 0);
    fputc('\n', fp);
    for (size_t r = 0; r < nr; r++) {
        for (size_t c = 0; c < nc; c++)
            cell(fp, mkba_table_cell(t, r, c), sep, dec, c == 0);
        fputc('\n', fp);
    }
}

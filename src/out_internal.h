/* out_internal.h - what the files of the out module (out.c, out_mc.c)
 * share: the CSV writer and the formatting of amounts. Not part of the
 * public API; nothing outside src/out*.c includes it. */
#ifndef MKBA_OUT_INTERNAL_H
#define MKBA_OUT_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

/* A CSV writer: ',' with '.' decimals, or the Dutch ';' with ','. */
typedef struct out_csvw {
    FILE *fp;
    char sep; /* ',' or ';' */
    char dec; /* decimal point: '.' or ',' */
    int col;  /* fields already written on the current line */
} out_csvw;

void out_cw_sep(out_csvw *w);
void out_cw_text(out_csvw *w, const char *s);  /* quoted per RFC 4180 when needed */
void out_cw_num(out_csvw *w, double x);        /* full precision; NaN is an empty field */
void out_cw_int(out_csvw *w, long long n);
void out_cw_end(out_csvw *w);
void out_cw_header(out_csvw *w, const char *const *names); /* NULL-terminated */

struct mkba_appraisal;
struct mkba_error;
typedef void (*out_table_fn)(out_csvw *w, const struct mkba_appraisal *a);

/* Write table 'write' as dir/name.csv and dir/name_nl.csv (';' and decimal
 * commas), as outputs of the publication 'pub'. */
struct mkba_pub;
int out_write_pair(struct mkba_pub *pub, const char *dir, const char *name, out_table_fn write,
                   const struct mkba_appraisal *a, struct mkba_error *err);

/* Texts for the terminal report, escaped (escape.h) and kept until
 * out_term_free: printf calls of the report pass every text from the model
 * (labels, names, the currency) through out_term_text. */
typedef struct out_term {
    char **s;        /* escaped copies, owned */
    size_t n, cap;
} out_term;
/* 's' as the terminal may show it ("" for NULL): 's' itself when nothing
 * needs escaping, else a copy owned by 't'. */
const char *out_term_text(out_term *t, const char *s);
void out_term_free(out_term *t);

#endif

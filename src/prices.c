/* prices.c - a price index by year, read from a small CSV file (prices.h).
 *
 * The file is read whole and split into lines here rather than through
 * csv.h: the comment lines that carry the series' source are no CSV
 * records, and the format is small enough to check field by field. */
#include "mkba/prices.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/csv.h"
#include "mkba/fsutil.h"
#include "mkba/mem.h"

#define YEAR_MIN 1900 /* the range of [model] price_year */
#define YEAR_MAX 2200
#define MAX_FIELDS 64

struct mkba_price_index {
    int first;       /* year of value[0] */
    size_t n;
    double *value;   /* [n] index of year first + i */
};

typedef struct reader {
    const char *path, *column;
    long line;
    size_t n_fields, year_col, index_col;
    long prev_line;  /* line of the row before, for messages */
    mkba_price_index *p;
    size_t cap;
} reader;

/* Split 'line' (modified) at ',' into trimmed fields; returns the count,
 * or MAX_FIELDS + 1 when there are more. */
static size_t split(char *line, char **f)
{
    size_t n = 0;
    for (char *p = line;; p++) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        while (isspace((unsigned char)*p))
            p++;
        char *e = p + strlen(p);
        while (e > p && isspace((unsigned char)e[-1]))
            *--e = '\0';
        if (n == MAX_FIELDS)
            return MAX_FIELDS + 1;
        f[n++] = p;
        if (!comma)
            return n;
        p = comma;
    }
}

static mkba_status read_header(reader *r, char **f, size_t n, mkba_error *err)
{
    long yc = -1, ic = -1;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(f[i], "year") == 0 && yc < 0)
            yc = (long)i;
        else if (strcmp(f[i], r->column) == 0 && ic < 0)
            ic = (long)i;
    }
    if (yc < 0 || ic < 0)
        return mkba_error_set(err, MKBA_EINVAL, r->path, r->line, "header",
                              "expected the columns 'year' and '%s' (e.g. year,%s), no '%s' "
                              "found",
                              r->column, r->column, yc < 0 ? "year" : r->column);
    r->n_fields = n;
    r->year_col = (size_t)yc;
    r->index_col = (size_t)ic;
    return MKBA_OK;
}

/* One row: its year must follow the row before's, its index be > 0. */
static mkba_status read_row(reader *r, char **f, size_t n, mkba_error *err)
{
    mkba_price_index *p = r->p;
    if (n != r->n_fields)
        return mkba_error_set(err, MKBA_EINVAL, r->path, r->line, NULL,
                              "expected %zu fields like the header, got %zu", r->n_fields, n);
    char *end;
    const char *ys = f[r->year_col];
    long y = strtol(ys, &end, 10);
    if (!*ys || *end || y < YEAR_MIN || y > YEAR_MAX)
        return mkba_error_set(err, MKBA_EINVAL, r->path, r->line, "column year",
                              "expected a year from %d to %d, got '%s'", YEAR_MIN, YEAR_MAX, ys);
    double v;
    const char *vs = f[r->index_col];
    if (mkba_csv_number(vs, 0, &v) != 1 || !(v > 0))
        return mkba_error_set(err, MKBA_EINVAL, r->path, r->line, NULL,
                              "column %s: expected an index number > 0 with '.' as the decimal "
                              "point, got '%s'",
                              r->column, vs);
    if (p->n > 0) {
        long last = p->first + (long)p->n - 1;
        if (y >= p->first && y <= last)
            return mkba_error_set(err, MKBA_EINVAL, r->path, r->line, "column year",
                                  "year %ld is listed twice (also on an earlier line)", y);
        if (y < p->first)
            return mkba_error_set(err, MKBA_EINVAL, r->path, r->line, "column year",
                                  "expected the years in increasing order, got %ld after %ld "
                                  "(line %ld)",
                                  y, last, r->prev_line);
        if (y > last + 1)
            return mkba_error_set(err, MKBA_EINVAL, r->path, r->line, "column year",
                                  "year %ld is missing: expected %ld after %ld (line %ld), got "
                                  "%ld (every year from the first to the last)",
                                  last + 1, last + 1, last, r->prev_line, y);
    } else {
        p->first = (int)y;
    }
    if (p->n == r->cap)
        p->value = mkba_xreallocarray(p->value, r->cap = r->cap ? 2 * r->cap : 32,
                                      sizeof *p->value);
    p->value[p->n++] = v;
    r->prev_line = r->line;
    return MKBA_OK;
}

/* Split the text into lines and hand each to the header or a row. */
static mkba_status read_lines(reader *r, char *text, size_t len, mkba_error *err)
{
    if (memchr(text, '\0', len))
        return mkba_error_set(err, MKBA_EINVAL, r->path, 0, NULL,
                              "not a text file (it holds a NUL byte); expected a CSV file of "
                              "year,index");
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3;
    int header = 0;
    char *f[MAX_FIELDS];
    for (char *line = text; line && *line;) {
        char *nl = strpbrk(line, "\r\n");
        char *next = NULL;
        if (nl) {
            next = nl + (nl[0] == '\r' && nl[1] == '\n' ? 2 : 1);
            *nl = '\0';
        }
        r->line++;
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        line = next;
        if (!*s || *s == '#')
            continue;
        size_t n = split(s, f);
        if (n > MAX_FIELDS)
            return mkba_error_set(err, MKBA_EINVAL, r->path, r->line, NULL,
                                  "more than %d fields; expected year,index", MAX_FIELDS);
        mkba_status st = header ? read_row(r, f, n, err) : read_header(r, f, n, err);
        if (st)
            return st;
        header = 1;
    }
    if (r->p->n == 0)
        return mkba_error_set(err, MKBA_EINVAL, r->path, r->line, NULL,
                              "no years; expected a header (year,%s) and one row per year",
                              r->column);
    return MKBA_OK;
}

mkba_price_index *mkba_price_index_read(const char *path, const char *column,
                                        mkba_error *err)
{
    size_t len;
    char *text = mkba_input_read(path, "a price index (CSV: year,index)", &len, err);
    if (!text)
        return NULL;
    reader r = {0};
    r.path = path;
    r.column = column ? column : "index";
    r.p = mkba_xcalloc(1, sizeof *r.p);
    mkba_status st = read_lines(&r, text, len, err);
    free(text);
    if (st) {
        mkba_price_index_free(r.p);
        return NULL;
    }
    return r.p;
}

void mkba_price_index_free(mkba_price_index *p)
{
    if (!p)
        return;
    free(p->value);
    free(p);
}

int mkba_price_index_first(const mkba_price_index *p)
{
    return p->first;
}

int mkba_price_index_last(const mkba_price_index *p)
{
    return p->first + (int)p->n - 1;
}

double mkba_price_index_of(const mkba_price_index *p, int year)
{
    if (year < p->first || year > mkba_price_index_last(p))
        return 0;
    return p->value[year - p->first];
}

double mkba_price_factor(const mkba_price_index *p, int from, int to)
{
    double a = mkba_price_index_of(p, from), b = mkba_price_index_of(p, to);
    return a > 0 && b > 0 ? b / a : 0;
}

/* prices.h - a price index by year (such as the CBS consumer price index),
 * read from a small CSV file, for rebasing amounts written in one year's
 * prices to another year's (a model's [prices] section, model.h).
 *
 * The file (format in README.md, "Price indexing"):
 *   - lines starting with '#' are comments (the source and how it was
 *     retrieved go there), blank lines are skipped;
 *   - the first other line is the header: comma-separated column names,
 *     among them 'year' and the index column (default 'index');
 *   - then one row per year, the same number of fields as the header:
 *     the year a whole number from 1900 to 2200, the index a number > 0
 *     with '.' as the decimal point (no thousands separators);
 *   - the years go up by one from row to row: no year twice, no gap, so
 *     a missing year is found when the file is read, not when a model
 *     happens to ask for it.
 * The base of the index (2015 = 100, 1900 = 100) does not matter: only
 * the ratio of two years is used. Errors name the file, the line and the
 * column, and say what was expected. */
#ifndef MKBA_PRICES_H
#define MKBA_PRICES_H

#include <stddef.h>

#include "mkba/error.h"

typedef struct mkba_price_index mkba_price_index;

/* Read 'path'; 'column' names the index column (NULL: "index"). NULL on
 * failure, with *err filled (MKBA_EIO when the file cannot be read,
 * MKBA_EINVAL for its content). */
mkba_price_index *mkba_price_index_read(const char *path, const char *column,
                                        mkba_error *err);
void mkba_price_index_free(mkba_price_index *p); /* NULL is a no-op */

/* The first and last year of the series. */
int mkba_price_index_first(const mkba_price_index *p);
int mkba_price_index_last(const mkba_price_index *p);

/* The index of 'year', or 0 when the series does not hold it. */
double mkba_price_index_of(const mkba_price_index *p, int year);

/* The factor that turns an amount in prices of year 'from' into prices of
 * year 'to': index[to] / index[from]; 0 when either year is missing. */
double mkba_price_factor(const mkba_price_index *p, int from, int to);

#endif

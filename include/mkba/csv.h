/* csv.h - streaming CSV reading on top of libcsv, with the dialects that
 * councils export: ',' ';' or tab, decimal comma beside ';', UTF-8 BOM,
 * CRLF line ends, quoted fields.
 *
 * (Named mkba/csv.h; libcsv's own header is <csv.h>.) */
#ifndef MKBA_CSV_H
#define MKBA_CSV_H

#include <float.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mkba/digest.h"
#include "mkba/error.h"

typedef struct mkba_csv_dialect {
    char delimiter;    /* ',', ';' or '\t'; 0 = detect from the header line */
    int decimal_comma; /* 1 = "3,5" means 3.5; 0 = no; -1 = auto: yes iff ';' */
} mkba_csv_dialect;

/* Bytes after each field's NUL that a row callback may read too. */
#define MKBA_CSV_READ_AHEAD 8

/* Called once per record, the header record included (line 1 unless blank
 * lines precede it). 'fields' are NUL-terminated and borrowed: copy what you
 * keep; lens[i] is strlen(fields[i]) (a field holds no NUL), and the
 * MKBA_CSV_READ_AHEAD bytes after each field's NUL may be read too (they
 * hold anything), as mkba_csv_number_field does. 'line' is the
 * 1-based physical line where the record starts. Return MKBA_OK to go on;
 * any other status stops the read and is returned by mkba_csv_read (the
 * callback fills 'err', using 'line'). */
typedef mkba_status (*mkba_csv_row_fn)(void *ctx, size_t n_fields, char **fields,
                                       const size_t *lens, long line, mkba_error *err);

/* Stream 'path' record by record into 'fn'. The dialect is in/out: detected
 * values are written back (delimiter from the header line: the most frequent
 * of ';' tab ',' outside quotes; decimal_comma resolved from -1 to 0/1),
 * before the first call of 'fn', so the callback may use them.
 * Errors name the file and line: unterminated quote, a record whose field
 * count differs from the header's (with a hint when the line seems to use
 * another delimiter), an empty file, a read error, a file that is not
 * UTF-8 text (a UTF-16 byte-order mark, a NUL byte, a byte sequence that
 * is not well-formed UTF-8, such as Latin-1's "é") and a UTF-8 BOM after
 * the start of the file. Blank lines
 * are skipped. A leading UTF-8 BOM is removed. Unquoted fields are trimmed
 * of surrounding spaces (and tabs, unless tab is the delimiter); quoted
 * fields keep them. "\n", "\r\n" and a lone "\r" (old Mac) each end a
 * line; records end only at a line end.
 * 'path' is opened with mkba_input_open: what is not a regular file (a
 * directory, a FIFO, a device) is refused before any read.
 * 'fn' may be NULL (syntax check only). */
mkba_status mkba_csv_read(const char *path, mkba_csv_dialect *dialect,
                          mkba_csv_row_fn fn, void *ctx, mkba_error *err);

/* mkba_csv_read, and on success the hex SHA-256 of the file's bytes as
 * they were read for the records (digest.h) in 'sha256' (untouched on
 * failure). The file is read once. */
mkba_status mkba_csv_read_sha256(const char *path, mkba_csv_dialect *dialect,
                                 mkba_csv_row_fn fn, void *ctx, char sha256[MKBA_SHA256_HEX],
                                 mkba_error *err);

/* Lines that start a record and hold no '"' are split by mkba's own fast
 * path (in place), the others by libcsv; both give the same fields. The
 * plain numbers of mkba_csv_number ("12", "-3.5": up to 15 digits, no
 * exponent) and the cohort's plain cells (cohort.c) have fast paths too,
 * with the same results. 0 turns all of them off (every line through
 * libcsv, every number through the general rules): for the tests that
 * compare the two. On by default; not thread-safe to change. */
void mkba_csv_fast_path(int enable);
int mkba_csv_fast_path_on(void); /* 1 when on */

/* Strict number parse of a whole field (surrounding blanks allowed): no
 * trailing text, no overflow, finite only. With decimal_comma, "1.234,5"
 * is not accepted (no thousands separators) but "1234,5" is, and a '.' is
 * then an error. Returns 1 when 's' is a valid number (stored in *out),
 * 0 when 's' is missing (empty or NA, case-insensitive: "NA", "N/A", "."),
 * -1 when it is not a number. */
int mkba_csv_number(const char *s, int decimal_comma, double *out);

/* mkba_csv_number of the n bytes at s (no NUL needed): the same rules. */
int mkba_csv_number_n(const char *s, size_t n, int decimal_comma, double *out);

/* 10^k for k in 0..22: the powers of ten that are exact doubles (10^22
 * = 2^22 * 5^22 is the last whose odd part fits in 53 bits). */
static inline double mkba_csv_pow10(long k)
{
    static const double pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    return pow10[k];
}

/* The decimal (-1)^neg * w * 10^e as a double without strtod. When
 * w <= 2^53 and e is within +-22, both w and 10^|e| are exact doubles, so
 * w * 10^e or w / 10^|e| is one correctly rounded operation: the double
 * nearest to the decimal, which is strtod's result, bit for bit (Clinger,
 * "How to read floating point numbers accurately", 1990), -0 included.
 * Returns 1 with it in *out, 0 (use strtod) for anything else, and always
 * with a compiler that evaluates doubles in a wider type. */
static inline int mkba_csv_exact_decimal(uint64_t w, long e, int neg, double *out)
{
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
    if (w > (UINT64_C(1) << 53) || e < -22 || e > 22)
        return 0;
    double v = (double)w;
    v = e < 0 ? v / mkba_csv_pow10(-e) : v * mkba_csv_pow10(e);
    *out = neg ? -v : v;
    return 1;
#else
    (void)w, (void)e, (void)neg, (void)out;
    return 0;
#endif
}

/* The fast path of mkba_csv_number_n, inline for the loops over millions
 * of cells: s[0..n) exactly [+-]? digits, with one separator (',' with
 * decimal_comma, else '.') at most among them, 15 digits at most, nothing
 * to trim and no exponent, as "12", "-3.5", "0,25". Such a string is no
 * missing value and passes the general rules, which make w (its digits as
 * an integer) and e (less the digits after the separator) of it the same
 * way: with 15 digits w < 10^15 < 2^53 and -15 <= e <= 0, so the result is
 * theirs, w / 10^-e (mkba_csv_exact_decimal). Returns 1 with it in *out;
 * 0 for every other string: mkba_csv_number_n decides those. */
static inline int mkba_csv_number_plain(const char *s, size_t n, int decimal_comma, double *out)
{
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
    size_t i = n > 0 && (s[0] == '-' || s[0] == '+'), first = i, frac = 0;
    uint64_t w = 0;
    for (; i < n && (unsigned)(s[i] - '0') < 10; i++)
        w = 10 * w + (uint64_t)(s[i] - '0');
    size_t int_end = i;
    if (i < n && s[i] == (decimal_comma ? ',' : '.')) {
        size_t f0 = ++i;
        for (; i < n && (unsigned)(s[i] - '0') < 10; i++)
            w = 10 * w + (uint64_t)(s[i] - '0');
        frac = i - f0;
    }
    size_t digits = int_end - first + frac;
    if (i != n || digits - 1 >= 15) /* digits from 1 to 15 */
        return 0;
    double v = (double)w;
    if (frac) /* a division costs more than the rest */
        v /= mkba_csv_pow10((long)frac);
    *out = s[0] == '-' ? -v : v;
    return 1;
#else
    (void)s, (void)n, (void)decimal_comma, (void)out;
    return 0;
#endif
}

/* mkba_csv_number_plain of a field handed to a row callback, which may be
 * read past its end (MKBA_CSV_READ_AHEAD): 1 to 4 digits, the most common
 * cells of a cohort, are checked and converted 4 bytes at once, without a
 * branch on their length (where a 4-byte word holds the first byte in its
 * low bits). Such a string's value is that of the integer it writes, as
 * with mkba_csv_number_plain. */
static inline int mkba_csv_number_field(const char *s, size_t n, int decimal_comma, double *out)
{
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (n - 1 < 4) {
        uint32_t w, keep = 0xFFFFFFFFu >> (32 - 8 * n); /* the field's bytes */
        memcpy(&w, s, sizeof w);
        uint32_t d = (w & keep) ^ (0x30303030u & keep); /* '0'..'9' become 0..9 */
        if (((d & 0xF0F0F0F0u) | ((d + 0x06060606u) & 0xF0F0F0F0u)) == 0) { /* all <= 9 */
            d <<= 8 * (4 - n); /* as if written with leading zeros: 4 digits */
            d = d * 10 + (d >> 8); /* bytes 0 and 2: the two 2-digit halves */
            *out = (double)((d & 0xFF) * 100 + ((d >> 16) & 0xFF));
            return 1;
        }
    }
#endif
    return mkba_csv_number_plain(s, n, decimal_comma, out);
}

/* 1 when the n bytes at s are a missing value (mkba_csv_number's 0): empty
 * or blank, or NA, N/A or "." (case-insensitive) with blanks around. */
int mkba_csv_missing_n(const char *s, size_t n);

#endif

/* csv.h - streaming CSV reading on top of libcsv, with the dialects that
 * councils export: ',' ';' or tab, decimal comma beside ';', UTF-8 BOM,
 * CRLF line ends, quoted fields.
 *
 * (Named mkba/csv.h; libcsv's own header is <csv.h>.) */
#ifndef MKBA_CSV_H
#define MKBA_CSV_H

#include <stddef.h>

#include "mkba/digest.h"
#include "mkba/error.h"

typedef struct mkba_csv_dialect {
    char delimiter;    /* ',', ';' or '\t'; 0 = detect from the header line */
    int decimal_comma; /* 1 = "3,5" means 3.5; 0 = no; -1 = auto: yes iff ';' */
} mkba_csv_dialect;

/* Called once per record, the header record included (line 1 unless blank
 * lines precede it). 'fields' are NUL-terminated and borrowed: copy what you
 * keep. 'line' is the 1-based physical line where the record starts. Return
 * MKBA_OK to go on; any other status stops the read and is returned by
 * mkba_csv_read (the callback fills 'err', using 'line'). */
typedef mkba_status (*mkba_csv_row_fn)(void *ctx, size_t n_fields,
                                       char **fields, long line,
                                       mkba_error *err);

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
 * path (memchr for the delimiter, in place), the others by libcsv; both
 * give the same fields. 0 sends every line through libcsv: for the tests
 * that compare the two. On by default; not thread-safe to change. */
void mkba_csv_fast_path(int enable);

/* Strict number parse of a whole field (surrounding blanks allowed): no
 * trailing text, no overflow, finite only. With decimal_comma, "1.234,5"
 * is not accepted (no thousands separators) but "1234,5" is, and a '.' is
 * then an error. Returns 1 when 's' is a valid number (stored in *out),
 * 0 when 's' is missing (empty or NA, case-insensitive: "NA", "N/A", "."),
 * -1 when it is not a number. */
int mkba_csv_number(const char *s, int decimal_comma, double *out);

#endif

/* csv.c - streaming CSV reading on top of libcsv, with line numbers.
 *
 * libcsv does the quoting; this file adds what it lacks: the dialect
 * (delimiter detected from the header line, decimal comma), a UTF-8 BOM,
 * line numbers for every record, NUL-terminated field arrays per record,
 * a field-count check against the header, and strict number parsing.
 *
 * Line numbers. libcsv reports no positions, so the file is fed to it one
 * physical line at a time (a chunk ends at each '\n') and we count the
 * chunks. Records may end only at '\n' (our term function), so a record
 * always ends at the end of a chunk; '\r' is a space character, which makes
 * "\r\n" one line end and trims it from unquoted fields. A lone '\r' (the
 * line end of old Mac files, and of some exports) is turned into '\n' as
 * the bytes are read (read_more), so such a file reads like its LF twin.
 * Between records we skip blank bytes ourselves (libcsv would ignore them
 * there too) so we know the line on which the next record really starts.
 *
 * Speed. libcsv costs a callback per byte; most lines of a cohort hold no
 * quote, and such a line that starts a record is split here instead, with
 * the same result: split_plain scans a line 16 bytes at a time for its end
 * and for what it cannot take (a quote, a NUL, a byte that is not ASCII:
 * those lines go on to check_bytes and split_line or libcsv), then for the
 * delimiter, and trims and terminates the fields in place. A line cut by
 * the end of a block is moved to the front and completed by the next read,
 * so every path always sees whole lines. The buffers have SCAN_PAD bytes
 * after their data (zeros in the read buffer), so a scan may look past a
 * line's end and callers past a field's (MKBA_CSV_READ_AHEAD). */
#include "mkba/csv.h"

#include <csv.h>
#include <errno.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkba/fsutil.h"
#include "mkba/mem.h"
#include "mkba/utf8.h"

#define BLOCK_SIZE (256 * 1024)         /* bytes per fread */
#define HEADER_SCAN_MAX (1024 * 1024)   /* delimiter detection looks no further */
#define NUMBER_BUF 64                   /* numbers longer than this are copied to the heap */
#define SCAN_PAD 16 /* bytes after the data in each buffer: split_plain, MKBA_CSV_READ_AHEAD */

typedef struct reader {
    const char *path;
    char delim;             /* the delimiter in use */
    long line;              /* line of the bytes being fed to libcsv */
    long rec_line;          /* line where the current record starts */
    long field_line;        /* line where the current field starts */
    int in_record;          /* 1 between a record's first byte and its end */
    char *buf;              /* current record's fields, each NUL-terminated */
    size_t len, cap;        /* bytes used / allocated in buf */
    size_t *offs;           /* start of each field in buf */
    size_t n_fields, offs_cap;
    char **fields;          /* pointers into buf handed to the callback */
    size_t *lens;           /* their lengths */
    size_t fields_cap;      /* room in fields and lens */
    size_t header_fields;   /* fields in the header record; 0 before it */
    char utf8_cut[3];       /* a UTF-8 character cut by the end of a block */
    size_t utf8_cut_n;      /* its bytes so far; 0 if none */
    mkba_csv_row_fn fn;
    void *ctx;
    mkba_error *err;
    mkba_status status;     /* first failure; stops the read */
    mkba_sha256 *sha;       /* the bytes read are added to it; NULL: no hash */
    int fast;               /* 1: lines without quotes skip libcsv (split_line) */
} reader;

static int fast_path = 1; /* mkba_csv_fast_path */

void mkba_csv_fast_path(int enable)
{
    fast_path = enable != 0;
}

int mkba_csv_fast_path_on(void)
{
    return fast_path;
}

/* ======================= libcsv character classes ======================= */

/* Spaces trimmed around unquoted fields. '\r' is one so that "\r\n" ends a
 * line once; tab is one unless it is the delimiter. */
static int space_with_tab(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static int space_without_tab(unsigned char c)
{
    return c == ' ' || c == '\r';
}

/* Records end only at '\n' (see the file comment). */
static int is_line_end(unsigned char c)
{
    return c == '\n';
}

/* ============================ libcsv callbacks ========================== */

static void on_field(void *data, size_t len, void *vr)
{
    reader *r = vr;
    if (r->status != MKBA_OK)
        return;
    if (r->len + len + 1 > r->cap) {
        while (r->len + len + 1 > r->cap)
            r->cap = r->cap ? 2 * r->cap : 256;
        r->buf = mkba_xrealloc(r->buf, r->cap + SCAN_PAD); /* MKBA_CSV_READ_AHEAD */
    }
    if (r->n_fields == r->offs_cap) {
        r->offs_cap = r->offs_cap ? 2 * r->offs_cap : 16;
        r->offs = mkba_xreallocarray(r->offs, r->offs_cap, sizeof *r->offs);
    }
    r->offs[r->n_fields++] = r->len;
    if (len > 0 && data)
        memcpy(r->buf + r->len, data, len);
    r->len += len;
    r->buf[r->len++] = '\0';
    /* A field ends at a delimiter or a line end; in both cases the next
     * field (if any) starts on this same line. */
    r->field_line = r->line;
}

/* A hint for a record of n fields (r->fields[0..n)) whose count differs
 * from the header's. Too few: when splitting it at another delimiter as
 * well gives exactly the header's count, the line was most likely written
 * with that delimiter (a ';' file with one ',' line pasted in). Too many
 * in a ',' file: likely a decimal comma or an unquoted ','. Else "". */
static const char *other_delimiter_hint(const reader *r, size_t n, char *buf, size_t size)
{
    const char cands[] = {',', ';', '\t'};
    if (n > r->header_fields && r->delim == ',')
        return " (a decimal comma, or a ',' inside a value? put such a value in quotes)";
    for (int k = 0; k < 3 && n < r->header_fields; k++) {
        if (cands[k] == r->delim)
            continue;
        size_t count = 0;
        for (size_t i = 0; i < n; i++)
            for (const char *f = r->fields[i]; *f; f++)
                count += *f == cands[k];
        if (n + count != r->header_fields)
            continue;
        if (cands[k] == '\t')
            return " (this line seems to be separated by tabs)";
        char want[8];
        if (r->delim == '\t')
            snprintf(want, sizeof want, "tabs");
        else
            snprintf(want, sizeof want, "'%c'", r->delim);
        snprintf(buf, size, " (this line seems to be separated by '%c' instead of %s)",
                 cands[k], want);
        return buf;
    }
    return "";
}

/* Room for n fields in r->fields and r->lens. */
static void reserve_fields(reader *r, size_t n)
{
    if (n > r->fields_cap) {
        r->fields_cap = n > 2 * r->fields_cap ? n : 2 * r->fields_cap;
        r->fields = mkba_xreallocarray(r->fields, r->fields_cap, sizeof *r->fields);
        r->lens = mkba_xreallocarray(r->lens, r->fields_cap, sizeof *r->lens);
    }
}

/* A whole record of n fields is in r->fields: check its count, hand it
 * on. Both paths (split_line and libcsv's on_record) end here. */
static void record_done(reader *r, size_t n)
{
    r->in_record = 0;
    if (r->header_fields == 0) {
        r->header_fields = n;
    } else if (n != r->header_fields) {
        char hint[80];
        r->status = mkba_error_set(r->err, MKBA_EPARSE, r->path, r->rec_line, NULL,
                                   "expected %zu fields as in the header, found %zu%s",
                                   r->header_fields, n,
                                   other_delimiter_hint(r, n, hint, sizeof hint));
        return;
    }
    if (!r->fn)
        return;
    mkba_status st = r->fn(r->ctx, n, r->fields, r->lens, r->rec_line, r->err);
    if (st != MKBA_OK) {
        /* The callback should have said why; make sure something is said. */
        mkba_error_set(r->err, st, r->path, r->rec_line, NULL, "record rejected");
        r->status = st;
    }
}

static void on_record(int c, void *vr)
{
    (void)c;
    reader *r = vr;
    r->in_record = 0;
    if (r->status != MKBA_OK)
        return;
    size_t n = r->n_fields;
    r->n_fields = 0;
    reserve_fields(r, n);
    for (size_t i = 0; i < n; i++) {
        r->fields[i] = r->buf + r->offs[i];
        r->lens[i] = (i + 1 < n ? r->offs[i + 1] : r->len) - r->offs[i] - 1; /* less the NUL */
    }
    r->len = 0;
    record_done(r, n);
}

/* ================================ feeding =============================== */

/* Is 'c' a byte libcsv skips between records? */
static int blank_between_records(const reader *r, unsigned char c)
{
    return c == ' ' || c == '\r' || c == '\n' || (c == '\t' && r->delim != '\t');
}

static mkba_status parse_error(reader *r, struct csv_parser *p, long line)
{
    int e = csv_error(p);
    if (e == CSV_EPARSE)
        return mkba_error_set(r->err, MKBA_EPARSE, r->path, line, NULL,
                              "malformed quoted field");
    return mkba_error_set(r->err, e == CSV_ENOMEM ? MKBA_ENOMEM : MKBA_EPARSE, r->path,
                          line, NULL, "%s", csv_strerror(e));
}

/* Whether the k bytes at s start a valid UTF-8 character that needs more
 * than k bytes: 0x80s or 0xBFs after them complete it (every range that
 * mkba_utf8_len allows a second byte holds one of the two; the later bytes
 * take any of 80-BF). */
static int utf8_cut_short(const char *s, size_t k)
{
    if (k == 0 || k >= 4)
        return 0;
    char t[4];
    memcpy(t, s, k);
    for (int fill = 0; fill < 2; fill++) {
        memset(t + k, fill ? 0xBF : 0x80, 4 - k);
        if (mkba_utf8_len(t, 4) > k)
            return 1;
    }
    return 0;
}

/* Check s[0..len) as UTF-8 (utf8.h), carrying a character that the end of
 * a block cuts short to the next call in r. Returns the offset of the first
 * bad byte, or len. A cohort in Latin-1 or Windows-1252 (an "é" as the one
 * byte 0xE9) fails here. */
static size_t utf8_check(reader *r, const char *s, size_t len)
{
    size_t i = 0;
    if (r->utf8_cut_n) { /* finish the character the last call cut */
        char t[4];
        size_t k = r->utf8_cut_n, m = len < 4 - k ? len : 4 - k;
        memcpy(t, r->utf8_cut, k);
        memcpy(t + k, s, m);
        size_t n = mkba_utf8_len(t, k + m);
        r->utf8_cut_n = 0;
        if (n == 0) {
            if (!utf8_cut_short(t, k + m))
                return 0;
            memcpy(r->utf8_cut, t, k + m); /* still short: k + m < 4, so m == len */
            r->utf8_cut_n = k + m;
            return len;
        }
        i = n - k; /* n > k: the carried bytes alone were short */
    }
    size_t ok = i + mkba_utf8_check(s + i, len - i);
    if (ok < len && utf8_cut_short(s + ok, len - ok)) {
        memcpy(r->utf8_cut, s + ok, len - ok);
        r->utf8_cut_n = len - ok;
        return len;
    }
    return ok;
}

static mkba_status not_utf8(reader *r)
{
    return r->status = mkba_error_set(r->err, MKBA_EPARSE, r->path, r->line, NULL,
                                      "not valid UTF-8 text (Latin-1 or Windows-1252?); save "
                                      "the file as UTF-8 (in Excel: CSV UTF-8)");
}

/* Bytes that no text CSV holds, in s[0..len) (part of line r->line): a NUL
 * (binary data, or UTF-16 without a byte-order mark), bytes that are not
 * UTF-8 (mkba's outputs are UTF-8: results.json must stay valid JSON), and
 * a UTF-8
 * byte-order mark after the start of the file (files joined together, or
 * a BOM pasted into a header name), which would otherwise end up invisibly
 * inside a name or a value. */
static mkba_status check_bytes(reader *r, const char *s, size_t len)
{
    if (memchr(s, '\0', len))
        return r->status = mkba_error_set(r->err, MKBA_EPARSE, r->path, r->line, NULL,
                                          "a NUL byte: this is not a text CSV file (binary "
                                          "data, or UTF-16?)");
    for (const char *p = s; (p = memchr(p, '\xEF', len - (size_t)(p - s))) != NULL; p++)
        if (len - (size_t)(p - s) >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
            return r->status = mkba_error_set(r->err, MKBA_EPARSE, r->path, r->line, NULL,
                                              "a byte-order mark (U+FEFF) inside the file, "
                                              "allowed only at its very start; remove it");
    if (utf8_check(r, s, len) != len)
        return not_utf8(r);
    return MKBA_OK;
}

/* The spaces trimmed around an unquoted field (libcsv's space function);
 * the first test settles the common bytes. */
static int is_space(const reader *r, char c)
{
    return (unsigned char)c <= ' ' && (c == ' ' || c == '\r' || (c == '\t' && r->delim != '\t'));
}

/* Make s[b..e), trimmed of spaces, field k, terminated in place (s[e] is
 * its delimiter or line end, or the buffer's padding). Every space is a
 * byte <= ' ': most fields need one test at each end. */
static inline void put_field(reader *r, size_t k, char *s, size_t b, size_t e)
{
    if (b < e && ((unsigned char)s[b] <= ' ' || (unsigned char)s[e - 1] <= ' ')) {
        while (b < e && is_space(r, s[b]))
            b++;
        while (e > b && is_space(r, s[e - 1]))
            e--;
    }
    s[e] = '\0';
    r->fields[k] = s + b;
    r->lens[k] = e - b;
}

/* Split the line s[0..n) (its '\n' included, if any; a record starts at
 * s[0], and the line has no '"') at the delimiter, in place: each field is
 * trimmed of spaces and NUL-terminated where its delimiter or line end was
 * (s[n] when the file ends without '\n': the buffer has room). This is
 * what libcsv makes of a line without quotes. For the lines split_plain
 * does not take (not ASCII), once check_bytes has passed them. */
static void split_line(reader *r, char *s, size_t n)
{
    if (n > 0 && s[n - 1] == '\n')
        n--;
    size_t k = 0, i = 0;
    for (;;) {
        char *d = memchr(s + i, r->delim, n - i);
        size_t e = d ? (size_t)(d - s) : n;
        reserve_fields(r, k + 1);
        put_field(r, k++, s, i, e);
        if (!d)
            break;
        i = e + 1;
    }
    r->field_line = r->line;
    record_done(r, k);
}

/* Index of the lowest set bit of x (x != 0). */
static unsigned lowest_bit(unsigned x)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctz(x);
#else
    unsigned i = 0;
    while (!(x & 1u))
        x >>= 1, i++;
    return i;
#endif
}

/* For the 16 bytes at p: bit k is set when p[k] ends split_plain's scan
 * of a line: a '\n', a '"', a NUL or a byte from 0x80 (not ASCII). */
static unsigned scan_stops(const char *p)
{
#if defined(__SSE2__)
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')),
                                             _mm_cmpeq_epi8(v, _mm_set1_epi8('"'))),
                                _mm_cmpeq_epi8(v, _mm_setzero_si128()));
    return (unsigned)(_mm_movemask_epi8(stop) | _mm_movemask_epi8(v)); /* high bits */
#else
    unsigned st = 0;
    for (unsigned k = 0; k < 16; k++) {
        unsigned char c = (unsigned char)p[k];
        st |= (unsigned)(c == '\n' || c == '"' || c == 0 || c >= 0x80) << k;
    }
    return st;
#endif
}

/* For the 16 bytes at p: bit k is set when p[k] is the delimiter. */
static unsigned scan_delims(const char *p, char delim)
{
#if defined(__SSE2__)
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(delim)));
#else
    unsigned d = 0;
    for (unsigned k = 0; k < 16; k++)
        d |= (unsigned)(p[k] == delim) << k;
    return d;
#endif
}

/* The fast path: the line at s[0] (avail bytes of data, then SCAN_PAD
 * readable ones), where a record starts. When it holds no '"' and only
 * ASCII without NUL (check_bytes has nothing to find then), split it at
 * the delimiter like split_line, hand the record on and set *used to its
 * bytes, '\n' included: returns 1. Returns 0 when the line needs the
 * general path (nothing is changed), -1 when its end is not read yet and
 * the file goes on (!at_eof). Two passes, 16 bytes at a time: the first
 * finds the line's end (or what it cannot take), the second the fields. */
static int split_plain(reader *r, char *s, size_t avail, int at_eof, size_t *used)
{
    size_t end = avail;
    for (size_t i = 0; i < avail; i += 16) {
        unsigned stops = scan_stops(s + i);
        if (avail - i < 16)
            stops |= ~0u << (avail - i); /* the end of the data */
        if (stops) {
            end = i + lowest_bit(stops);
            break;
        }
    }
    if (end < avail && s[end] != '\n')
        return 0;
    if (end == avail && !at_eof)
        return -1;
    size_t n = 0, b = 0; /* fields so far; where the next one starts */
    for (size_t i = 0; i < end; i += 16) {
        unsigned delims = scan_delims(s + i, r->delim);
        if (end - i < 16)
            delims &= (1u << (end - i)) - 1;
        reserve_fields(r, n + 17);
        for (; delims; delims &= delims - 1) {
            size_t e = i + lowest_bit(delims);
            put_field(r, n++, s, b, e);
            b = e + 1;
        }
    }
    reserve_fields(r, n + 1);
    put_field(r, n++, s, b, end);
    r->in_record = 1;
    r->rec_line = r->field_line = r->line;
    record_done(r, n);
    *used = end < avail ? end + 1 : avail;
    r->line += end < avail;
    return 1;
}

/* Does s[0..n) hold only bytes 01-7F (no NUL, nothing but ASCII)? Then
 * check_bytes has nothing to find in it. Eight bytes at a time. */
static int plain_ascii(const char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t bad = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        bad |= (w | ((w - ones) & ~w)) & highs; /* a high bit, or a zero byte */
    }
    for (; i < n; i++)
        bad |= (unsigned char)s[i] == 0 || (unsigned char)s[i] >= 0x80;
    return bad == 0;
}

/* Feed the whole lines of s[0..len) one at a time, keeping line numbers:
 * a line without '"' that starts a record goes to split_plain, or when it
 * is not plain ASCII to check_bytes and split_line, any other to check_bytes
 * and libcsv. A last line without '\n' waits for more bytes unless at_eof.
 * s[len..len + SCAN_PAD) must be readable, and writable. Returns the bytes
 * consumed. */
static size_t feed(reader *r, struct csv_parser *p, char *s, size_t len, int at_eof)
{
    size_t pos = 0;
    while (pos < len && r->status == MKBA_OK) {
        if (!r->in_record) {
            while (pos < len && blank_between_records(r, (unsigned char)s[pos])) {
                if (s[pos] == '\n')
                    r->line++;
                pos++;
            }
            if (pos == len)
                break;
            if (r->fast && r->utf8_cut_n == 0) {
                size_t used;
                int done = split_plain(r, s + pos, len - pos, at_eof, &used);
                if (done < 0)
                    break;
                if (done > 0) {
                    pos += used;
                    continue;
                }
            }
        }
        char *nl = memchr(s + pos, '\n', len - pos);
        if (!nl && !at_eof)
            break;
        size_t end = nl ? (size_t)(nl - s) + 1 : len;
        if ((r->utf8_cut_n || !plain_ascii(s + pos, end - pos)) &&
            check_bytes(r, s + pos, end - pos) != MKBA_OK)
            break;
        if (!r->in_record) {
            r->in_record = 1;
            r->rec_line = r->field_line = r->line;
            if (r->fast && !memchr(s + pos, '"', end - pos)) {
                split_line(r, s + pos, end - pos);
                if (nl)
                    r->line++;
                pos = end;
                continue;
            }
        }
        if (csv_parse(p, s + pos, end - pos, on_field, on_record, r) != end - pos) {
            if (r->status == MKBA_OK)
                r->status = parse_error(r, p, r->line);
            break;
        }
        if (nl)
            r->line++;
        pos = end;
    }
    return pos;
}

/* ====================== header scan: BOM, delimiter ===================== */

typedef struct header_scan {
    size_t pos;         /* next byte to look at */
    int in_quotes;
    int nonblank;       /* the current line has content */
    int done;           /* the first non-blank line has been seen whole */
    size_t n_semi, n_tab, n_comma;
} header_scan;

/* Advance the scan over buf[pos..len). Counts delimiters outside quotes on
 * the first line that has content; blank lines before it are ignored. */
static void scan_header(header_scan *h, const char *buf, size_t len)
{
    for (; h->pos < len && !h->done; h->pos++) {
        char c = buf[h->pos];
        if (c == '"') {
            h->in_quotes = !h->in_quotes; /* "" toggles twice: no change */
            h->nonblank = 1;
        } else if (h->in_quotes) {
            continue;
        } else if (c == '\n') {
            if (h->nonblank)
                h->done = 1;
            else
                h->n_semi = h->n_tab = h->n_comma = 0;
        } else if (c == ';') {
            h->n_semi++;
            h->nonblank = 1;
        } else if (c == ',') {
            h->n_comma++;
            h->nonblank = 1;
        } else if (c == '\t') {
            h->n_tab++;
        } else if (c != ' ' && c != '\r') {
            h->nonblank = 1;
        }
    }
}

/* Most frequent of ';' tab ',' (ties in that order); ',' when none. */
static char pick_delimiter(const header_scan *h)
{
    if (h->n_semi == 0 && h->n_tab == 0 && h->n_comma == 0)
        return ',';
    if (h->n_semi >= h->n_tab && h->n_semi >= h->n_comma)
        return ';';
    if (h->n_tab >= h->n_comma)
        return '\t';
    return ',';
}

/* The file being read, with one byte of look-ahead: a '\r' at the end of
 * a block needs the next byte to tell "\r\n" from a lone '\r'. */
typedef struct source {
    FILE *fp;
    int held;   /* a byte read ahead, to come first next time; EOF if none */
    mkba_sha256 *sha; /* hash of the bytes as read (before lone_cr_to_lf); NULL: none */
} source;

/* Turn each lone '\r' in s[0..n) into '\n' ("\r\n" stays: the '\r' is
 * trimmed as a space). A '\r' ending the block is decided by the next
 * byte, which is then held for the next read. */
static void lone_cr_to_lf(source *src, char *s, size_t n)
{
    for (char *cr = memchr(s, '\r', n); cr; cr = memchr(cr + 1, '\r', n - 1 - (size_t)(cr - s))) {
        size_t i = (size_t)(cr - s);
        if (i + 1 < n) {
            if (s[i + 1] != '\n')
                s[i] = '\n';
            continue;
        }
        src->held = getc(src->fp);
        if (src->held != '\n')
            s[i] = '\n';
    }
}

/* Read more of the file onto the end of *buf (growing it when full; it
 * has SCAN_PAD bytes more than *cap, zeroed after the data). Returns bytes
 * read, 0 at end of file; sets *failed on a read error. */
static size_t read_more(source *src, char **buf, size_t *len, size_t *cap, int *failed)
{
    if (*len == *cap) {
        *cap *= 2;
        *buf = mkba_xrealloc(*buf, *cap + SCAN_PAD);
    }
    char *s = *buf + *len;
    size_t n = 0;
    if (src->held != EOF) {
        s[n++] = (char)src->held;
        src->held = EOF;
    }
    n += fread(s + n, 1, *cap - *len - n, src->fp);
    if (ferror(src->fp))
        *failed = 1;
    /* Every byte passes here once, in order (a held byte only when it is
     * handed on), unchanged: the hash is the file's. */
    if (src->sha)
        mkba_sha256_update(src->sha, s, n);
    lone_cr_to_lf(src, s, n);
    *len += n;
    memset(*buf + *len, 0, SCAN_PAD);
    return n;
}

/* ================================ reading =============================== */

static mkba_status check_dialect(const char *path, const mkba_csv_dialect *d, mkba_error *err)
{
    if (d->delimiter != 0 && d->delimiter != ',' && d->delimiter != ';' && d->delimiter != '\t')
        return mkba_error_set(err, MKBA_EINVAL, path, 0, NULL,
                              "unsupported delimiter (use ',', ';' or tab)");
    if (d->decimal_comma < -1 || d->decimal_comma > 1)
        return mkba_error_set(err, MKBA_EINVAL, path, 0, NULL,
                              "decimal_comma must be -1 (auto), 0 or 1");
    return MKBA_OK;
}

static void reader_free(reader *r)
{
    free(r->buf);
    free(r->offs);
    free(r->fields);
    free(r->lens);
}

/* The read proper, once 'fp' is open: header scan, then stream the rest. */
static mkba_status read_stream(reader *r, FILE *fp, mkba_csv_dialect *dialect)
{
    size_t cap = BLOCK_SIZE, len = 0;
    char *buf = mkba_xmalloc(cap + SCAN_PAD);
    int failed = 0;
    source src = {.fp = fp, .held = EOF, .sha = r->sha};

    /* Enough bytes to see a BOM, then the whole first non-blank line. */
    while (len < 3 && read_more(&src, &buf, &len, &cap, &failed) > 0)
        ;
    size_t start = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    if (len >= 2 && (memcmp(buf, "\xFF\xFE", 2) == 0 || memcmp(buf, "\xFE\xFF", 2) == 0)) {
        free(buf);
        return r->status = mkba_error_set(r->err, MKBA_EPARSE, r->path, 1, NULL,
                                          "the file is UTF-16 encoded; save it as UTF-8 "
                                          "(in Excel: CSV UTF-8)");
    }
    header_scan h = {.pos = start};
    for (;;) {
        scan_header(&h, buf, len);
        if (h.done || failed || len - start >= HEADER_SCAN_MAX)
            break;
        if (read_more(&src, &buf, &len, &cap, &failed) == 0)
            break;
    }

    if (dialect->delimiter == 0)
        dialect->delimiter = pick_delimiter(&h);
    if (dialect->decimal_comma == -1)
        dialect->decimal_comma = dialect->delimiter == ';';
    r->delim = dialect->delimiter;

    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        free(buf);
        return mkba_error_set(r->err, MKBA_ENOMEM, r->path, 0, NULL, "cannot start the CSV parser");
    }
    csv_set_delim(&p, (unsigned char)r->delim);
    csv_set_space_func(&p, r->delim == '\t' ? space_without_tab : space_with_tab);
    csv_set_term_func(&p, is_line_end);
    csv_set_realloc_func(&p, mkba_xrealloc);
    csv_set_blk_size(&p, 4096);

    /* The bytes not consumed (a line cut by the end of a block) move to
     * the front and more are read after them, so every line reaches feed
     * whole; at the end of the file the rest is fed as the last line. */
    size_t done = start + feed(r, &p, buf + start, len - start, 0);
    while (r->status == MKBA_OK && !failed) {
        memmove(buf, buf + done, len - done);
        len -= done;
        int at_eof = read_more(&src, &buf, &len, &cap, &failed) == 0;
        if (failed)
            break;
        done = feed(r, &p, buf, len, at_eof);
        if (at_eof)
            break;
    }
    if (r->status == MKBA_OK && failed)
        r->status = mkba_error_set(r->err, MKBA_EIO, r->path, r->line, NULL, "read error: %s",
                                   strerror(errno));
    if (r->status == MKBA_OK && r->utf8_cut_n) /* the file ends inside a character */
        not_utf8(r);
    if (r->status == MKBA_OK && csv_fini(&p, on_field, on_record, r) != 0) {
        /* The only failure left at the end: a quote opened and never closed. */
        long at = r->field_line;
        r->status = mkba_error_set(r->err, MKBA_EPARSE, r->path, at, NULL,
                                   "unterminated quoted field starting on line %ld", at);
    }
    if (r->status == MKBA_OK && r->header_fields == 0)
        r->status = mkba_error_set(r->err, MKBA_EPARSE, r->path, 1, NULL,
                                   "empty file: expected a header line");
    csv_free(&p);
    free(buf);
    return r->status;
}

mkba_status mkba_csv_read(const char *path, mkba_csv_dialect *dialect,
                          mkba_csv_row_fn fn, void *ctx, mkba_error *err)
{
    return mkba_csv_read_sha256(path, dialect, fn, ctx, NULL, err);
}

mkba_status mkba_csv_read_sha256(const char *path, mkba_csv_dialect *dialect,
                                 mkba_csv_row_fn fn, void *ctx, char sha256[MKBA_SHA256_HEX],
                                 mkba_error *err)
{
    mkba_sha256 sha;
    mkba_sha256_init(&sha);
    mkba_status st = check_dialect(path, dialect, err);
    if (st != MKBA_OK)
        return st;
    FILE *fp = mkba_input_open(path, "a CSV file", err);
    if (!fp)
        return MKBA_EIO; /* mkba_input_open fails only so */
    reader r = {.path = path, .line = 1, .fn = fn, .ctx = ctx, .err = err,
                .sha = sha256 ? &sha : NULL, .fast = fast_path};
    st = read_stream(&r, fp, dialect);
    if (sha256 && st == MKBA_OK)
        mkba_sha256_hex(&sha, sha256);
    reader_free(&r);
    fclose(fp); /* read-only: nothing to lose on close */
    return st;
}

/* ================================ numbers =============================== */

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int lower(char c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Case-insensitive (ASCII) comparison of s[0..n) with the word w. */
static int word_is(const char *s, size_t n, const char *w)
{
    size_t i = 0;
    for (; i < n && w[i]; i++)
        if (lower(s[i]) != lower(w[i]))
            return 0;
    return i == n && w[i] == '\0';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Check s[0..n) against [+-]? d* (sep d*)? ([eE] [+-]? d+)? with at least
 * one mantissa digit. This keeps out what strtod would also take: hex,
 * "inf", "nan", and the other decimal separator. */
static int plain_decimal(const char *s, size_t n, char sep)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    for (; i < n && is_digit(s[i]); i++)
        digits++;
    if (i < n && s[i] == sep)
        for (i++; i < n && is_digit(s[i]); i++)
            digits++;
    if (digits == 0)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t exp_digits = 0;
        for (; i < n && is_digit(s[i]); i++)
            exp_digits++;
        if (exp_digits == 0)
            return 0;
    }
    return i == n;
}

/* mkba_csv_exact_decimal of s[0..n), which has passed plain_decimal: w is
 * its digits as an integer, e the exponent written less the digits after
 * the separator. Returns 0 (use strtod) for more than 19 significant
 * digits or an exponent that mkba_csv_exact_decimal does not take. */
static int exact_decimal(const char *s, size_t n, char sep, double *out)
{
    size_t i = 0;
    int neg = s[0] == '-';
    i += s[0] == '-' || s[0] == '+';
    uint64_t w = 0;
    int sig = 0;
    long e = 0;
    for (int after_sep = 0;; i++) {
        if (i < n && is_digit(s[i])) {
            if ((w != 0 || s[i] != '0') && ++sig > 19)
                return 0;
            w = 10 * w + (uint64_t)(s[i] - '0');
            e -= after_sep;
        } else if (i < n && s[i] == sep && !after_sep) {
            after_sep = 1;
        } else {
            break;
        }
    }
    if (i < n) { /* the exponent: plain_decimal saw [eE][+-]?digits */
        i++;
        int eneg = s[i] == '-';
        i += s[i] == '-' || s[i] == '+';
        long x = 0;
        for (; i < n; i++) {
            if (x > 1000)
                return 0;
            x = 10 * x + (s[i] - '0');
        }
        e += eneg ? -x : x;
    }
    return mkba_csv_exact_decimal(w, e, neg, out);
}

/* strtod in the C locale for this thread, whatever the program's locale
 * (a Dutch LC_NUMERIC would make strtod expect a comma). */
static double strtod_c(const char *s, char **end)
{
    locale_t c_loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (c_loc == (locale_t)0)
        return strtod(s, end);
    locale_t old = uselocale(c_loc);
    double v = strtod(s, end);
    uselocale(old);
    freelocale(c_loc);
    return v;
}

int mkba_csv_missing_n(const char *s, size_t n)
{
    while (n > 0 && is_blank(*s))
        s++, n--;
    while (n > 0 && is_blank(s[n - 1]))
        n--;
    return n == 0 || word_is(s, n, "NA") || word_is(s, n, "N/A") || word_is(s, n, ".");
}

/* mkba_csv_number's rules, on s[0..n). (Not inlined: the fast path of
 * mkba_csv_number_n stays a small function.) */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int number_general(const char *s, size_t n, int decimal_comma, double *out)
{
    if (mkba_csv_missing_n(s, n))
        return 0;
    while (n > 0 && is_blank(*s))
        s++, n--;
    while (n > 0 && is_blank(s[n - 1]))
        n--;
    char sep = decimal_comma ? ',' : '.';
    if (!plain_decimal(s, n, sep))
        return -1;
    double fast;
    if (exact_decimal(s, n, sep, &fast)) {
        if (out)
            *out = fast;
        return 1;
    }

    char small[NUMBER_BUF];
    char *copy = n < sizeof small ? small : mkba_xmalloc(n + 1);
    memcpy(copy, s, n);
    copy[n] = '\0';
    char *comma = decimal_comma ? strchr(copy, ',') : NULL;
    if (comma)
        *comma = '.';
    char *end;
    errno = 0;
    double v = strtod_c(copy, &end);
    int ok = end == copy + n && isfinite(v); /* ERANGE underflow gives ~0: fine */
    if (copy != small)
        free(copy);
    if (!ok)
        return -1;
    if (out)
        *out = v;
    return 1;
}

int mkba_csv_number_n(const char *s, size_t n, int decimal_comma, double *out)
{
    double v;
    if (fast_path && mkba_csv_number_plain(s, n, decimal_comma, &v)) {
        if (out)
            *out = v;
        return 1;
    }
    return number_general(s, n, decimal_comma, out);
}

int mkba_csv_number(const char *s, int decimal_comma, double *out)
{
    return s ? mkba_csv_number_n(s, strlen(s), decimal_comma, out) : 0;
}

/* escape.c - terminal escaping of control characters and the spreadsheet
 * formula test (rules: escape.h). */
#include "mkba/escape.h"

#include <string.h>

#include "mkba/mem.h"
#include "mkba/utf8.h"

/* Whether code point c is a bidirectional control (U+061C, U+200E/F,
 * U+202A..U+202E, U+2066..U+2069): on a terminal it reorders what
 * follows, so that a label can make a message read otherwise. */
static int bidi_control(unsigned c)
{
    return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2066 && c <= 0x2069);
}

/* The code point of the valid UTF-8 sequence s of n (2 or 3) bytes. */
static unsigned decode(const unsigned char *s, size_t n)
{
    return n == 2 ? (s[0] & 0x1Fu) << 6 | (s[1] & 0x3Fu)
                  : (s[0] & 0x0Fu) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu);
}

/* The escape of the character or byte at s into esc (room for 7), its
 * length in the input in *len; returns 0 (esc untouched) when it is kept
 * as it is. */
static int escape_at(const unsigned char *s, size_t *len, char esc[7])
{
    static const char hex[] = "0123456789abcdef";
    size_t n = mkba_utf8_len((const char *)s, strnlen((const char *)s, 4));
    unsigned code;
    if (n == 0)
        code = s[0], n = 1; /* not UTF-8: the byte itself */
    else if (n == 1 && (s[0] < 0x20 || s[0] == 0x7F))
        code = s[0];
    else if (n == 2 && s[0] == 0xC2 && s[1] <= 0x9F)
        code = s[1]; /* U+0080..U+009F */
    else if ((n == 2 || n == 3) && bidi_control(decode(s, n))) {
        code = decode(s, n);
        *len = n;
        esc[0] = '\\', esc[1] = 'u';
        for (int k = 0; k < 4; k++)
            esc[2 + k] = hex[(code >> (12 - 4 * k)) & 0xF];
        esc[6] = '\0';
        return 1;
    } else {
        *len = n;
        return 0;
    }
    *len = n;
    esc[0] = '\\';
    if (code == '\t' || code == '\n' || code == '\r') {
        esc[1] = code == '\t' ? 't' : code == '\n' ? 'n' : 'r';
        esc[2] = '\0';
    } else {
        esc[1] = 'x';
        esc[2] = hex[code >> 4];
        esc[3] = hex[code & 0xF];
        esc[4] = '\0';
    }
    return 1;
}

size_t mkba_escape_term(char *dst, size_t size, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t used = 0, need = 0;
    int cut = 0; /* a piece did not fit: write no more */
    while (*p) {
        char esc[7];
        size_t len;
        const char *piece = (const char *)p;
        size_t n = escape_at(p, &len, esc) ? strlen(piece = esc) : len;
        if (!cut && used + n < size) {
            memcpy(dst + used, piece, n);
            used += n;
        } else {
            cut = 1;
        }
        need += n;
        p += len;
    }
    if (size)
        dst[used] = '\0';
    return need;
}

char *mkba_escape_term_dup(const char *s)
{
    size_t n = mkba_escape_term(NULL, 0, s);
    char *t = mkba_xmalloc(n + 1);
    mkba_escape_term(t, n + 1, s);
    return t;
}

int mkba_escape_term_needed(const char *s)
{
    return s && mkba_escape_term(NULL, 0, s) != strlen(s);
}

int mkba_escape_is_formula(const char *s)
{
    return s && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
                 s[0] == '\r');
}

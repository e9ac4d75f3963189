/* utf8.h - the one rule for valid UTF-8 (RFC 3629; table 3-7 of the
 * Unicode standard).
 *
 * mkba's outputs are UTF-8 (results.json must stay valid JSON), so every
 * text an input brings in is either refused (the model, scenario and cohort
 * readers: Latin-1 or Windows-1252 text fails here) or shown with its bad
 * bytes replaced or escaped (the terminal, the report, the charts). All of
 * them decide "valid" here. Valid is a code point U+0000..U+10FFFF other
 * than a surrogate (U+D800..U+DFFF), in its shortest form. Invalid: a byte
 * 80-BF that starts a sequence (a stray continuation byte), C0, C1 and
 * F5-FF (overlong, or beyond U+10FFFF), the overlong 3- and 4-byte forms
 * (E0 80-9F, F0 80-8F), surrogates (ED A0-BF), code points above U+10FFFF
 * (F4 90-BF), and a sequence cut short. What a caller does with an invalid
 * byte, and any stricter rule of its own (the charts also refuse U+FFFE and
 * U+FFFF, which XML does not allow), stays with the caller. */
#ifndef MKBA_UTF8_H
#define MKBA_UTF8_H

#include <stddef.h>

/* Bytes of the valid UTF-8 character at the start of s[0..n) (1 to 4; 1
 * for any ASCII byte, NUL included), or 0 when none starts there (rules
 * above; also when n is 0 or the character needs more than n bytes).
 * Reads at most n bytes; for a NUL-terminated string, pass
 * strnlen(s, 4). */
size_t mkba_utf8_len(const char *s, size_t n);

/* The length of the valid UTF-8 at the start of s[0..n): n when all of
 * it is valid, else the offset of the first byte that starts no valid
 * character. */
size_t mkba_utf8_check(const char *s, size_t n);

#endif

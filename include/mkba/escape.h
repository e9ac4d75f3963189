/* escape.h - text from inputs made harmless where mkba shows it.
 *
 * Labels, names, units, file names and echoed cells come from files that
 * someone else may have written. Two places would run part of such a text
 * instead of showing it:
 *
 * Terminal. A control character (ESC starts a sequence that can clear the
 * screen or retitle the window, BEL rings, CR overwrites the line) must
 * never reach stdout or stderr raw. mkba_escape_term writes them visibly,
 * as Python's repr does: TAB, LF and CR as \t, \n and \r; the other C0
 * controls (U+0000..U+001F), DEL (U+007F) and the C1 controls
 * (U+0080..U+009F, two bytes in UTF-8) as \xHH with the code point in
 * lower-case hex (ESC is \x1b, U+009B is \x9b); a byte that does not start
 * a valid UTF-8 character (Latin-1 text, a stray 0x9B that 8-bit terminals
 * read as CSI) as \xHH of the byte; the bidirectional controls (U+061C,
 * U+200E, U+200F, U+202A..U+202E, U+2066..U+2069), which reorder the rest
 * of a line so that a message can read otherwise ("Trojan Source"), as
 * \uHHHH. Everything else, backslashes included,
 * is kept, so ordinary text prints byte for byte as before. The escaped
 * text is plain ASCII where it was escaped, so a table measures it as
 * usual (\x1b takes 4 columns). The error formatter (error.h) and the
 * terminal report (out.h) use it; the CLI uses it for the file names it
 * echoes.
 *
 * Spreadsheet. A text cell that starts with '=', '+', '-', '@', TAB or CR
 * is run as a formula by spreadsheets (=HYPERLINK(...) can send data away).
 * mkba_escape_is_formula says whether a text is such a cell; a writer then
 * neutralises it as OWASP recommends ("CSV injection"): a single quote
 * before the text, and the cell quoted. Numbers are written as numbers and
 * never pass through here (-12.5 stays -12.5). */
#ifndef MKBA_ESCAPE_H
#define MKBA_ESCAPE_H

#include <stddef.h>

/* Write 's' escaped for a terminal (rules above) into dst (capacity size),
 * NUL-terminated; when it does not fit, cut before the escape or character
 * that would not fit (never half of one). Returns the length the whole
 * escaped text needs, without the NUL (as snprintf does), so a caller can
 * size a buffer with mkba_escape_term(NULL, 0, s) + 1. NULL 's' is "". */
size_t mkba_escape_term(char *dst, size_t size, const char *s);

/* 's' escaped for a terminal in a fresh string (caller frees). */
char *mkba_escape_term_dup(const char *s);

/* Whether 's' holds anything mkba_escape_term would change. */
int mkba_escape_term_needed(const char *s);

/* Whether a spreadsheet would run text cell 's' as a formula: it starts
 * with '=', '+', '-', '@', TAB or CR (OWASP's list). The CSV writers (and
 * any later spreadsheet writer) neutralise such a cell. NULL is 0. */
int mkba_escape_is_formula(const char *s);

#endif

/* error.h - the one error type every mkba module fills and only the CLI prints.
 *
 * An mkba_error says where a problem is (file, line, column or key) and what
 * was expected there. Library functions return a status code and fill a
 * caller-owned mkba_error; they never print and never exit. */
#ifndef MKBA_ERROR_H
#define MKBA_ERROR_H

#include <stddef.h>

typedef enum {
    MKBA_OK = 0,      /* success */
    MKBA_EINVAL = 1,  /* invalid input: a value, a name or a setting is wrong */
    MKBA_EPARSE = 2,  /* malformed file: CSV or INI syntax, expression syntax */
    MKBA_EIO = 3,     /* a file could not be opened, read or written */
    MKBA_ENOMEM = 4,  /* out of memory (normally fatal via mkba_xmalloc) */
    MKBA_ENUM = 5     /* numerical failure: singular matrix, non-finite result */
} mkba_status;

typedef struct mkba_error {
    mkba_status code;   /* MKBA_OK when no error was recorded */
    char file[512];     /* input file, "" when not about a file */
    long line;          /* 1-based line in file, 0 when unknown */
    char where[256];    /* column, section/key or expression position, "" if none */
    char msg[1024];     /* what is wrong and what was expected */
} mkba_error;

/* Reset 'err' to "no error". NULL is a no-op. */
void mkba_error_clear(mkba_error *err);

/* Record an error (printf-style message). Keeps the first error: if 'err'
 * already holds one, nothing changes. Returns 'code' so callers can write
 * `return mkba_error_set(err, MKBA_EINVAL, ...);`. NULL 'err' is allowed. */
mkba_status mkba_error_set(mkba_error *err, mkba_status code, const char *file,
                           long line, const char *where, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* Format as "file:line: where: msg" (parts that are empty are left out)
 * into buf, truncated to fit. Control characters (ESC, CR, ...) of every
 * part come out escaped (\x1b, \r: escape.h), so no message can drive the
 * terminal it is printed on, whatever file name or cell it quotes; 'err'
 * itself keeps the text as it was. Returns buf. */
const char *mkba_error_format(const mkba_error *err, char *buf, size_t size);

#endif

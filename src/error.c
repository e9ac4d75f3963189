/* error.c - filling and formatting mkba_error. */
#include "mkba/error.h"
#include "mkba/escape.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void mkba_error_clear(mkba_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
}

static void copy_str(char *dst, size_t size, const char *src)
{
    if (!src)
        src = "";
    snprintf(dst, size, "%s", src);
}

mkba_status mkba_error_set(mkba_error *err, mkba_status code, const char *file,
                           long line, const char *where, const char *fmt, ...)
{
    if (!err || err->code != MKBA_OK)
        return code;
    err->code = code;
    copy_str(err->file, sizeof err->file, file);
    err->line = line;
    copy_str(err->where, sizeof err->where, where);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

/* Append 's' to buf (capacity size, used bytes *used), escaped for a
 * terminal (escape.h: a file name or an echoed cell may hold ESC or CR),
 * truncating at a whole character or escape. */
static void append(char *buf, size_t size, size_t *used, const char *s)
{
    size_t need = mkba_escape_term(buf + *used, size - *used, s), n = strlen(buf + *used);
    *used = n < need ? size - 1 : *used + n; /* cut: nothing after it either */
}

const char *mkba_error_format(const mkba_error *err, char *buf, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return buf;
    buf[0] = '\0';
    if (err->file[0]) {
        append(buf, size, &used, err->file);
        if (err->line > 0) {
            char num[32];
            snprintf(num, sizeof num, ":%ld", err->line);
            append(buf, size, &used, num);
        }
        append(buf, size, &used, ": ");
    }
    if (err->where[0]) {
        append(buf, size, &used, err->where);
        append(buf, size, &used, ": ");
    }
    append(buf, size, &used, err->msg);
    return buf;
}

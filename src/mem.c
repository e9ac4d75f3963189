/* mem.c - the one place that handles running out of memory. */
/* madvise(MADV_HUGEPAGE) is Linux's, outside POSIX. */
#define _DEFAULT_SOURCE
#include "mkba/mem.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define OWN_CALLOC ((size_t)64 << 10) /* bytes from which mkba_xcalloc_own calls calloc */

static void oom(size_t size)
{
    fprintf(stderr, "mkba: out of memory (%zu bytes)\n", size);
    exit(1);
}

void *mkba_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        oom(size);
    return p;
}

void *mkba_xcalloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        oom(SIZE_MAX);
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *mkba_xmalloc_large(size_t n, size_t size)
{
    size_t huge = (size_t)2 << 20;
    if (size && n > (SIZE_MAX - huge) / size)
        oom(SIZE_MAX);
    size_t bytes = n * size;
    if (bytes < 4 * huge) { /* lines of its own, as a thread's array (mkba_xcalloc_own) */
        bytes = (bytes + MKBA_LINE_PAD) / MKBA_LINE_PAD * MKBA_LINE_PAD;
        void *p = aligned_alloc(MKBA_LINE_PAD, bytes);
        if (!p)
            oom(bytes);
        return p;
    }
    bytes = (bytes + huge - 1) / huge * huge; /* aligned_alloc: a multiple of the alignment */
    void *p = aligned_alloc(huge, bytes);
    if (!p)
        oom(bytes);
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE); /* a hint: failure only costs speed */
#endif
    return p;
}

void *mkba_xcalloc_own(size_t n, size_t size)
{
    if (size && n > (SIZE_MAX - MKBA_LINE_PAD) / size)
        oom(SIZE_MAX);
    /* A large one from calloc: its pages come from the kernel already
     * zero, and stay unused until written (a memset would make each of
     * them resident: 10 MiB more in a whole run); two shared lines at its
     * ends are nothing beside its size. */
    if (n * size >= OWN_CALLOC)
        return mkba_xcalloc(n, size);
    size_t bytes = (n * size + MKBA_LINE_PAD) / MKBA_LINE_PAD * MKBA_LINE_PAD; /* >= 1 pad */
    void *p = aligned_alloc(MKBA_LINE_PAD, bytes);
    if (!p)
        oom(bytes);
    return memset(p, 0, bytes);
}

void *mkba_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q)
        oom(size);
    return q;
}

void *mkba_xreallocarray(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        oom(SIZE_MAX);
    return mkba_xrealloc(p, n * size);
}

char *mkba_xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = mkba_xmalloc(len + 1);
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *mkba_xstrdup(const char *s)
{
    return mkba_xstrndup(s, strlen(s));
}

void *mkba_xcheck(void *p, size_t size)
{
    if (!p)
        oom(size);
    return p;
}

char *mkba_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return mkba_xstrdup("");
    char *s = mkba_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* mem.h - allocation that never returns NULL.
 *
 * Out of memory is handled in one place: these wrappers print
 * "mkba: out of memory (N bytes)" and exit(1). Sizes are checked for
 * overflow. Everything allocated here is released with free(). */
#ifndef MKBA_MEM_H
#define MKBA_MEM_H

#include <stddef.h>

void *mkba_xmalloc(size_t size);
void *mkba_xcalloc(size_t n, size_t size);           /* zeroed; n*size checked */
void *mkba_xrealloc(void *p, size_t size);
void *mkba_xreallocarray(void *p, size_t n, size_t size); /* n*size checked */
char *mkba_xstrdup(const char *s);
char *mkba_xstrndup(const char *s, size_t n);
/* An array of n elements of 'size' bytes, NOT zeroed, for a large array
 * whose every element is written before it is read. From 8 MiB on it
 * asks Linux for huge pages (madvise, a hint): the first writes then take
 * a page fault per 2 MiB instead of per 4 KiB (those faults cost a pass
 * that fills a new array of a million persons a third of its time, and
 * threads that fault at once wait for each other); below that its cache
 * lines are its own (see mkba_xcalloc_own). Freed with free(). */
void *mkba_xmalloc_large(size_t n, size_t size);
/* Room that one thread writes while other threads run: n elements of
 * 'size' bytes, zeroed, aligned to MKBA_LINE_PAD bytes and padded to a
 * multiple of them, so that no other allocation shares its cache lines.
 * Two threads whose small buffers share a line slow each other down
 * whenever either writes (false sharing): a propensity bootstrap on 2
 * threads took 12% more processor time after an OLS bootstrap in the
 * same process had left such neighbours behind. From 64 KiB on, the
 * room of calloc: aligned only as malloc aligns (16 bytes), its ends may
 * share a line; so never for a type declared with a larger _Alignas.
 * Freed with free(). */
#define MKBA_LINE_PAD 128 /* two lines: the prefetcher fetches lines in pairs */
void *mkba_xcalloc_own(size_t n, size_t size);
/* printf into a fresh string. */
char *mkba_xasprintf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Return 'p', or report out of memory (for 'size' bytes) and exit when it
 * is NULL: for allocators of other libraries (gsl_*_alloc). */
void *mkba_xcheck(void *p, size_t size);

#endif

/* strmap.h - a map from strings to indices (name -> slot, section -> entry),
 * for lookups that must stay fast in a model of 100,000 parameters.
 *
 * Open addressing with linear probing over a power-of-two table that is
 * kept at most half full; keys are copied in. Values are indices >= 0.
 * There is no removal: the maps of a model only grow while it is read. */
#ifndef MKBA_STRMAP_H
#define MKBA_STRMAP_H

#include <stddef.h>

typedef struct mkba_strmap mkba_strmap;

mkba_strmap *mkba_strmap_alloc(void);
void mkba_strmap_free(mkba_strmap *m); /* NULL is a no-op */

/* Map the 'len' bytes at 'key' to 'value' (>= 0) unless the key is
 * present already. Returns the value the key has afterwards: 'value' when
 * it was added, the earlier one when it was there. */
long mkba_strmap_put(mkba_strmap *m, const char *key, size_t len, long value);

/* The value of the 'len' bytes at 'key', or -1. NULL 'm' maps nothing. */
long mkba_strmap_get(const mkba_strmap *m, const char *key, size_t len);

#endif

/* digest.h - SHA-256 of the input files (nettle), as lower-case hex.
 *
 * Provenance: results.json and the report give the SHA-256 of every file a
 * run read (model, scenarios, cohort), so that a reviewer can check that a
 * result belongs to the files in hand (`sha256sum FILE`). Each hash is of
 * the bytes as read for the run, in the same read: a file is never read a
 * second time for its hash (it could have changed in between). */
#ifndef MKBA_DIGEST_H
#define MKBA_DIGEST_H

#include <nettle/sha2.h>
#include <stddef.h>

#define MKBA_SHA256_HEX 65 /* 64 hex digits and a NUL */

typedef struct sha256_ctx mkba_sha256;

void mkba_sha256_init(mkba_sha256 *h);
void mkba_sha256_update(mkba_sha256 *h, const void *buf, size_t len);
/* The hex digest of what was added; h must be initialised again for reuse. */
void mkba_sha256_hex(mkba_sha256 *h, char hex[MKBA_SHA256_HEX]);
/* The hex digest of buf[0..len) at once. */
void mkba_sha256_buf(const void *buf, size_t len, char hex[MKBA_SHA256_HEX]);

#endif

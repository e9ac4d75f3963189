/* digest.c - SHA-256 as hex (digest.h). */
#include "mkba/digest.h"

#include <stdint.h>
#include <stdio.h>

void mkba_sha256_init(mkba_sha256 *h)
{
    sha256_init(h);
}

void mkba_sha256_update(mkba_sha256 *h, const void *buf, size_t len)
{
    sha256_update(h, len, (const uint8_t *)buf);
}

void mkba_sha256_hex(mkba_sha256 *h, char hex[MKBA_SHA256_HEX])
{
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(h, sizeof d, d);
    for (size_t i = 0; i < sizeof d; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

void mkba_sha256_buf(const void *buf, size_t len, char hex[MKBA_SHA256_HEX])
{
    mkba_sha256 h;
    mkba_sha256_init(&h);
    mkba_sha256_update(&h, buf, len);
    mkba_sha256_hex(&h, hex);
}

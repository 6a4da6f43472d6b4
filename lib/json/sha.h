/* Internal to lib/json: SHA-1 and SHA-384/512 one-shot hex digests for
 * States.Hash (MD5 and SHA-256 come from core/digest.h). */
#ifndef AEV_JSON_SHA_H
#define AEV_JSON_SHA_H

#include <stddef.h>

/* out holds 41 bytes. */
void aev__sha1_hex(const void *data, size_t n, char out[41]);
/* bits is 384 or 512; out holds bits / 4 + 1 bytes. */
void aev__sha512_hex(const void *data, size_t n, int bits, char *out);

#endif

/* Internal to lib/jsonata: SHA-1, SHA-384 and SHA-512 digests. */
#ifndef AEV_JSONATA_SHA_H
#define AEV_JSONATA_SHA_H

#include <stddef.h>
#include <stdint.h>

void jn_sha1(const void *data, size_t n, uint8_t out[20]);
void jn_sha384(const void *data, size_t n, uint8_t out[48]);
void jn_sha512(const void *data, size_t n, uint8_t out[64]);

#endif

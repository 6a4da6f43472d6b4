/* Internal: MD5 (SQS's MD5OfMessageBody, MD5OfMessageAttributes) and SHA-256
 * (FIFO content-based deduplication), incremental and one-shot; SHA-1 and
 * SHA-384/512 one-shot (sha.c, for Step Functions' hash functions). */
#ifndef AEV_CORE_DIGEST_H
#define AEV_CORE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

typedef struct aev__md5 {
  uint32_t h[4];
  uint64_t len;
  uint8_t buf[64];
} aev__md5;

void aev__md5_init(aev__md5 *c);
void aev__md5_update(aev__md5 *c, const void *data, size_t n);
void aev__md5_final(aev__md5 *c, uint8_t out[16]);
/* One-shot MD5 into out. */
void aev__md5_once(const void *data, size_t n, uint8_t out[16]);
/* MD5s of n messages into out[i], eight at a time side by side (messages
 * of up to about 1 KiB; longer ones one at a time): far faster than n
 * one-shots. */
void aev__md5_many(size_t n, const void *const *data, const size_t *lens,
                   uint8_t (*out)[16]);

typedef struct aev__sha256 {
  uint32_t h[8];
  uint64_t len;
  uint8_t buf[64];
} aev__sha256;

void aev__sha256_init(aev__sha256 *c);
void aev__sha256_update(aev__sha256 *c, const void *data, size_t n);
void aev__sha256_final(aev__sha256 *c, uint8_t out[32]);

/* One-shot digests as lower-case hex plus NUL: out[33] and out[65]. */
void aev__md5_hex(const void *data, size_t n, char out[33]);
void aev__sha256_hex(const void *data, size_t n, char out[65]);

void aev__sha1_once(const void *data, size_t n, uint8_t out[20]);
/* bits is 384 or 512; out holds bits / 8 bytes. */
void aev__sha512_once(const void *data, size_t n, int bits, uint8_t *out);
/* The digest of data by the algorithm Step Functions' States.Hash and
 * $hash name alg ("MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512") into
 * out: its length in bytes, or 0 when alg is none of those. */
size_t aev__digest_by_name(const char *alg, const void *data, size_t n, uint8_t out[64]);

/* Lower-case hex of n bytes into out (2n + 1 bytes). */
void aev__hex(const uint8_t *bytes, size_t n, char *out);

#endif

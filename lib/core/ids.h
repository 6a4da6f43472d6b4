/* Internal: the fast seeded id generator (xoshiro256**) and UUIDv4 / token
 * formatting. Not thread-safe by itself: the broker serialises access. */
#ifndef AEV_CORE_IDS_H
#define AEV_CORE_IDS_H

#include <stddef.h>
#include <stdint.h>

typedef struct aev__rng {
  uint64_t s[4];
} aev__rng;

/* Expands seed through splitmix64 into the generator state. */
void aev__rng_seed(aev__rng *r, uint64_t seed);

/* A seed from getrandom(2); falls back to time and address bits. */
uint64_t aev__rng_os_seed(void);

uint64_t aev__rng_next(aev__rng *r);

/* A uniformly distributed value in [0, bound) (bound > 0). */
uint64_t aev__rng_below(aev__rng *r, uint64_t bound);

#define AEV_UUID_LEN 36
/* Writes a lower-case RFC 4122 version-4 UUID and a NUL into out[37]. */
void aev__uuid4(aev__rng *r, char out[AEV_UUID_LEN + 1]);
/* The same UUID from two draws already made (hi first), for callers that
 * draw early and format only when the text is wanted. */
void aev__uuid4_text(uint64_t hi, uint64_t lo, char out[AEV_UUID_LEN + 1]);

/* Writes len random characters from [A-Za-z0-9+/] and a NUL into out
 * (len + 1 bytes), the alphabet of AWS's receipt handles and tokens. */
void aev__token(aev__rng *r, char *out, size_t len);

/* Writes len random lowercase hex digits and a NUL into out (len + 1
 * bytes), the alphabet of SNS's confirmation tokens. */
void aev__token_hex(aev__rng *r, char *out, size_t len);

#endif

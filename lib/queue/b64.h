/* Internal: standard base64 (RFC 4648, with padding) for SQS BinaryValue
 * members and receipt handles. */
#ifndef AEV_QUEUE_B64_H
#define AEV_QUEUE_B64_H

#include <stddef.h>
#include <stdint.h>

/* Encoded length of n bytes, without the NUL. */
size_t aev__qb64_len(size_t n);

/* Writes the encoding of n bytes and a NUL into out (aev__qb64_len(n)+1). */
void aev__qb64_encode(const uint8_t *in, size_t n, char *out);

/* Decodes text (len characters, padding optional) into out, which holds at
 * least len * 3 / 4 + 3 bytes. Returns the decoded length, or -1 when text
 * is not base64. */
long aev__qb64_decode(const char *text, size_t len, uint8_t *out);

#endif

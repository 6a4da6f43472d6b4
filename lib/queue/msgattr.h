/* Internal: SQS message attributes. A validated set is kept as one packed
 * blob sorted by name (the order MD5OfMessageAttributes hashes in):
 * per attribute u32 name_len, name, u32 type_len, type, u8 kind (1 String
 * or Number, 2 Binary), u32 value_len, value (binary values decoded). */
#ifndef AEV_QUEUE_MSGATTR_H
#define AEV_QUEUE_MSGATTR_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct aev__attrs {
  uint8_t *data; /* malloc'd blob, NULL when there are no attributes */
  size_t len;
  size_t count;
  size_t size; /* what counts toward MaximumMessageSize: names+types+values */
  /* MD5OfMessageAttributes of data, when a holder that sends the same
   * attributes many times computed it once (aev__attrs_seal) */
  uint8_t md5[16];
  int has_md5;
} aev__attrs;

/* One parsed attribute, pointing into a blob. */
typedef struct aev__attr {
  const char *name;
  size_t name_len;
  const char *type;
  size_t type_len;
  int kind; /* 1 String/Number, 2 Binary */
  const uint8_t *value;
  size_t value_len;
} aev__attr;

/* Validates AWS's MessageAttributes shape ({"Name": {"DataType": ...,
 * "StringValue"|"BinaryValue": ...}}, BinaryValue in base64) and packs it.
 * obj may be NULL or empty (no attributes). Fails like SQS. */
int aev__attrs_parse(json_t *obj, aev__attrs *out);

/* The same from JSON text (NULL or "" = none). */
int aev__attrs_parse_text(const char *text, aev__attrs *out);

void aev__attrs_free(aev__attrs *a);
/* A deep copy of a (its MD5 too, when known). */
int aev__attrs_copy(const aev__attrs *a, aev__attrs *out);
/* Computes a's MD5 once for the sends that follow. */
void aev__attrs_seal(aev__attrs *a);

/* Iterates a blob: *pos starts at 0; returns 0 at the end. */
int aev__attrs_next(const uint8_t *blob, size_t len, size_t *pos,
                    aev__attr *out);

/* MD5OfMessageAttributes of a blob (AWS's algorithm) as binary. */
void aev__attrs_md5(const uint8_t *blob, size_t len, uint8_t out[16]);

/* A name filter from ReceiveMessage's MessageAttributeNames: "All", ".*"
 * and "*" select every attribute, "prefix.*" a prefix, others exact names. */
int aev__attrs_name_selected(const char *const *filter, size_t n,
                             const char *name, size_t name_len);

/* Copies the attributes selected by filter into out (len bytes at most);
 * returns the bytes written. */
size_t aev__attrs_filter(const uint8_t *blob, size_t len,
                         const char *const *filter, size_t n, uint8_t *out);

/* AWS's MessageAttributes object for a blob (a new reference), or NULL if
 * the blob is empty or memory is short (never a part of it). */
json_t *aev__attrs_to_json(const uint8_t *blob, size_t len);

#endif

/* Internal: a resource's tags as a {key: value} object, as SQS, SNS,
 * Kinesis, EventBridge and Lambda keep them. Each service checks and words
 * its own errors; merging is the same everywhere. */
#ifndef AEV_CORE_TAGS_H
#define AEV_CORE_TAGS_H

#include <jansson.h>
#include <stddef.h>

/* AWS's usual tag limits: keys of 1 to 128 characters, values of 0 to 256
 * (characters, not UTF-8 bytes), 50 tags a resource. */
#define AEV__TAG_KEY_MAX 128
#define AEV__TAG_VALUE_MAX 256
#define AEV__TAGS_MAX 50

/* Whether key and value (a JSON string) are within the usual lengths. */
int aev__tag_fits(const char *key, const json_t *value);

/* Whether every character of text is a Unicode letter, digit or white
 * space, or one of the ASCII symbols: the [\p{L}\p{Z}\p{N}...]* of the
 * tag patterns Kinesis and Firehose document (each passes its own
 * symbols). Exact for ASCII and Latin-1; beyond, the blocks of marks,
 * punctuation, symbols, emoji, private use and controls are refused and
 * other code points count as letters or digits. Malformed UTF-8 is
 * refused. */
int aev__tag_chars_ok(const char *text, size_t len, const char *symbols);

/* have (NULL: no tags) with add's tags set over it, as a new object in
 * *out, leaving have as it was. Returns AEV_OK, AEV_ERR_NOMEM, or
 * AEV_ERR_LIMIT when the result would hold more than max tags; neither
 * error is recorded: the caller answers its service's. */
int aev__tags_merged(const json_t *have, const json_t *add, size_t max, json_t **out);

/* One page of tags (NULL: none) in key order, after the key exclusive
 * (NULL: from the first), at most limit: {"Tags": [{"Key", "Value"}...],
 * "HasMoreTags": bool}, as Kinesis's ListTagsForStream and Firehose's
 * ListTagsForDeliveryStream answer; NULL when out of memory. */
json_t *aev__tags_page(const json_t *tags, const char *exclusive, size_t limit);

#endif

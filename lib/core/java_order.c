/* java.util.HashMap's iteration order, reproduced: a key's bucket is
 * String.hashCode() (over UTF-16 code units) with its high half folded
 * into its low half, masked by the table's size; the table starts at 16
 * and doubles whenever the map holds more than three quarters of it; a
 * bucket keeps its keys in the order they were put. A bucket of nine or
 * more keys Java treats apart (it doubles a small table, or makes the
 * bucket a tree, whose order differs); that is not reproduced. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/java_order.h"
#include "core/json_build.h"
#include "core/status.h"
#include "core/text.h"

static uint32_t java_string_hash(const char *s) {
  const size_t n = strlen(s);
  uint32_t h = 0;
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    size_t k = aev__utf8_next((const unsigned char *)s + i, n - i, &cp);
    if (!k) { /* not UTF-8 (jansson's keys always are): one unit a byte */
      cp = (unsigned char)s[i];
      k = 1;
    }
    i += k;
    if (cp >= 0x10000) { /* two UTF-16 units: a surrogate pair */
      h = 31 * h + (0xD800 + ((cp - 0x10000) >> 10));
      cp = 0xDC00 + ((cp - 0x10000) & 0x3FF);
    }
    h = 31 * h + cp;
  }
  return h ^ h >> 16;
}

typedef struct placed {
  uint32_t bucket;
  size_t index;
} placed;

static int by_bucket(const void *a, const void *b) {
  const placed *x = a, *y = b;
  if (x->bucket != y->bucket) return x->bucket < y->bucket ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

int aev__java_order(const char *const *keys, size_t n, size_t *order) {
  size_t table = 16;
  while (n > table / 4 * 3) table *= 2;
  placed *p = malloc((n ? n : 1) * sizeof *p);
  if (!p) return AEV_ERR_NOMEM;
  for (size_t i = 0; i < n; i++)
    p[i] = (placed){java_string_hash(keys[i]) & (uint32_t)(table - 1), i};
  qsort(p, n, sizeof *p, by_bucket);
  for (size_t i = 0; i < n; i++) order[i] = p[i].index;
  free(p);
  return AEV_OK;
}

json_t *aev__json_java_order(json_t *o) {
  const size_t n = json_object_size(o);
  const char **keys = malloc((n ? n : 1) * sizeof *keys);
  size_t *order = malloc((n ? n : 1) * sizeof *order);
  json_t *out = keys && order ? json_object() : NULL;
  int whole = out != NULL;
  if (whole) {
    size_t i = 0;
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) keys[i++] = k;
    whole = aev__java_order(keys, n, order) == AEV_OK;
    for (i = 0; whole && i < n; i++)
      whole = !json_object_set_nocheck(out, keys[order[i]], json_object_get(o, keys[order[i]]));
  }
  free(keys);
  free(order);
  return aev__json_whole(out, whole);
}

/* aev__json_dumps(): jansson's dump callback into a buffer of ours, whose
 * first failed write is remembered, since jansson does not always pass
 * the callback's failure on (see json_dump.h). The buffer comes from
 * jansson's allocator, as json_dumps()'s own text does. */
#include "core/json_dump.h"

#include <string.h>

typedef struct dump_buf {
  json_malloc_t alloc;
  json_free_t release;
  char *p;
  size_t n, cap;
  int failed;
} dump_buf;

static int append(const char *text, size_t len, void *data) {
  dump_buf *b = data;
  if (b->failed) return -1;
  if (b->cap - b->n <= len) {
    size_t cap = b->cap ? b->cap : 64;
    while (cap - b->n <= len) cap *= 2;
    char *p = b->alloc(cap);
    if (!p) {
      b->failed = 1;
      return -1;
    }
    if (b->n) memcpy(p, b->p, b->n);
    b->release(b->p);
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, text, len);
  b->n += len;
  return 0;
}

char *aev__json_dumps(const json_t *json, size_t flags) {
  dump_buf b = {0};
  json_get_alloc_funcs(&b.alloc, &b.release);
  if (json_dump_callback(json, append, &b, flags) || b.failed || append("", 1, &b)) {
    b.release(b.p);
    return NULL;
  }
  return b.p;
}

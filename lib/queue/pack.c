/* A send batch's messages in one allocation. Made one by one, a batch's
 * messages cost ten mallocs on the producer's thread and ten frees on the
 * consumer's, all on the producer's malloc arena: with one producer and one
 * consumer thread its lock is contended on most of them. Packed, a batch
 * costs one of each. Each message is preceded by a pointer to its pack,
 * whose count of live messages frees it with the last; a message kept long
 * keeps its batch's memory, which is why large bodies are not packed. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "queue/queue_impl.h"

/* Past this, one malloc per body is cheap next to copying it. */
#define PACK_MAX (16 * 1024)

typedef struct pack {
  atomic_uint live;
} pack;

static size_t align_msg(size_t n) {
  size_t a = _Alignof(aev__msg);
  return (n + a - 1) / a * a;
}

#define HEAD align_msg(sizeof(pack))
#define BACK align_msg(sizeof(pack *))

static size_t entry_size(size_t len) {
  return BACK + align_msg(aev__msg_inline_size(len));
}

int aev__msg_pack(size_t n, const void *const *bodies, const size_t *lens,
                  aev__msg **out) {
  if (n < 2) return 0;
  size_t total = HEAD;
  for (size_t i = 0; i < n && total <= PACK_MAX; i++)
    total += entry_size(lens[i]);
  pack *p = total <= PACK_MAX ? malloc(total) : NULL;
  if (!p) return 0;
  atomic_init(&p->live, (unsigned)n);
  unsigned char *w = (unsigned char *)p + HEAD;
  for (size_t i = 0; i < n; i++) {
    memcpy(w + BACK - sizeof p, &p, sizeof p);
    out[i] = aev__msg_init_inline(w + BACK, bodies[i], lens[i]);
    out[i]->packed = 1;
    w += entry_size(lens[i]);
  }
  return 1;
}

void aev__msg_pack_drop(aev__msg *m) {
  pack *p;
  memcpy(&p, (unsigned char *)m - sizeof p, sizeof p);
  if (atomic_fetch_sub_explicit(&p->live, 1, memory_order_acq_rel) == 1)
    free(p);
}

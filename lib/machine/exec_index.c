/* A machine's STANDARD executions by name: an open-addressing hash table
 * (linear probing, backward-shift deletion) of the executions in m->execs,
 * so StartExecution's name idempotency check and lookups by ARN cost the
 * same however many executions the 90-day retention keeps. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "machine/machine_int.h"

static size_t hash(const char *s) {
  uint64_t h = 0xcbf29ce484222325u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3u;
  return (size_t)(h ^ (h >> 29));
}

aev_execution *aev__index_find(const m_index *x, const char *name) {
  if (!x->cap) return NULL;
  size_t mask = x->cap - 1;
  for (size_t i = hash(name) & mask; x->slots[i]; i = (i + 1) & mask)
    if (!strcmp(x->slots[i]->name, name)) return x->slots[i];
  return NULL;
}

static void place(aev_execution **slots, size_t cap, aev_execution *e) {
  size_t i = hash(e->name) & (cap - 1);
  while (slots[i]) i = (i + 1) & (cap - 1);
  slots[i] = e;
}

int aev__index_add(m_index *x, aev_execution *e) {
  if ((x->n + 1) * 2 > x->cap) { /* at most half full */
    size_t cap = x->cap ? x->cap * 2 : 16;
    aev_execution **slots = calloc(cap, sizeof *slots);
    if (!slots) return -1;
    for (size_t i = 0; i < x->cap; i++)
      if (x->slots[i]) place(slots, cap, x->slots[i]);
    free(x->slots);
    x->slots = slots;
    x->cap = cap;
  }
  place(x->slots, x->cap, e);
  x->n++;
  return 0;
}

void aev__index_del(m_index *x, const aev_execution *e) {
  if (!x->cap) return;
  size_t mask = x->cap - 1, i = hash(e->name) & mask;
  while (x->slots[i] && x->slots[i] != e) i = (i + 1) & mask;
  if (!x->slots[i]) return;
  x->slots[i] = NULL;
  x->n--;
  /* Move back each later entry of the run whose home slot is not in the
   * cyclic range (i, j], so no probe sequence crosses the hole. */
  for (size_t j = (i + 1) & mask; x->slots[j]; j = (j + 1) & mask) {
    size_t k = hash(x->slots[j]->name) & mask;
    int stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (stays) continue;
    x->slots[i] = x->slots[j];
    x->slots[j] = NULL;
    i = j;
  }
}

void aev__index_clear(m_index *x) {
  free(x->slots);
  x->slots = NULL;
  x->cap = x->n = 0;
}

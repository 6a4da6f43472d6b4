/* The lineage of a chain of requests (lineage.h): this thread's, and
 * reading and bumping a function's count in one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "function/lineage.h"

static _Thread_local const char *current;

const char *aev__lineage_current(void) { return current; }

const char *aev__lineage_swap(const char *lineage) {
  const char *prev = current;
  current = lineage;
  return prev;
}

/* The entry of function in lineage ("NAME=COUNT"), or NULL. */
static const char *entry(const char *lineage, const char *function, size_t n) {
  for (const char *e = lineage; e && *e;) {
    if (strncmp(e, function, n) == 0 && e[n] == '=') return e;
    e = strchr(e, ',');
    if (e) e++;
  }
  return NULL;
}

int aev__lineage_count(const char *lineage, const char *function) {
  size_t n = strlen(function);
  const char *e = entry(lineage, function, n);
  return e ? atoi(e + n + 1) : 0;
}

/* An entry grows by one digit at most; a new one takes ",NAME=1". */
size_t aev__lineage_bumped_size(const char *lineage, const char *function) {
  return (lineage ? strlen(lineage) : 0) + strlen(function) + 4;
}

void aev__lineage_bump(const char *lineage, const char *function, char *out) {
  size_t n = strlen(function);
  const char *e = entry(lineage, function, n);
  if (!e) { /* a function new to the chain, as most are: no formatting */
    size_t l = lineage ? strlen(lineage) : 0;
    if (l) {
      memcpy(out, lineage, l);
      out[l++] = ',';
    }
    memcpy(out + l, function, n);
    memcpy(out + l + n, "=1", 3);
    return;
  }
  const char *rest = strchr(e, ',');
  sprintf(out, "%.*s%d%s", (int)(e + n + 1 - lineage), lineage, atoi(e + n + 1) + 1,
          rest ? rest : "");
}

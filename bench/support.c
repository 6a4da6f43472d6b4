/* Helpers the bench programs share: allocation, a seeded broker, UUID
 * checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

void *bench_calloc(size_t n, size_t size) {
  void *p = calloc(n, size);
  if (!p) {
    fprintf(stderr, "bench: out of memory\n");
    exit(1);
  }
  return p;
}

aev_broker *bench_broker(uint64_t seed) {
  aev_broker_options *o;
  aev_broker *b;
  if (aev_broker_options_new(&o) ||
      aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL) ||
      aev_broker_options_set_workers(o, 0) ||
      aev_broker_options_set_seed(o, seed) || aev_broker_new(o, &b)) {
    fprintf(stderr, "bench: cannot create a broker: %s\n", aev_errmsg());
    exit(1);
  }
  aev_broker_options_free(o);
  return b;
}

static int uuid_valid(const char *s) {
  for (int k = 0; k < AEV_UUID_LEN; k++) {
    int dash = k == 8 || k == 13 || k == 18 || k == 23;
    int hex = (s[k] >= '0' && s[k] <= '9') || (s[k] >= 'a' && s[k] <= 'f');
    if (dash ? s[k] != '-' : !hex) return 0;
  }
  return s[AEV_UUID_LEN] == 0 && s[14] == '4' && strchr("89ab", s[19]);
}

size_t bench_uuids_valid(bench_uuid *ids, size_t n) {
  size_t valid = 0;
  for (size_t i = 0; i < n; i++) valid += (size_t)uuid_valid(ids[i]);
  return valid;
}

static int cmp_uuid(const void *a, const void *b) {
  return memcmp(a, b, AEV_UUID_LEN);
}

size_t bench_uuids_distinct(bench_uuid *ids, size_t n) {
  if (n == 0) return 0;
  qsort(ids, n, sizeof ids[0], cmp_uuid);
  size_t distinct = 1;
  for (size_t i = 1; i < n; i++)
    distinct += memcmp(ids[i - 1], ids[i], AEV_UUID_LEN) != 0;
  return distinct;
}

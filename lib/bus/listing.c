/* What the List* actions share: walking the broker's buses for named
 * entries (ListArchives, ListReplays), answering with compact JSON, and
 * paging a listing by Limit and NextToken. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/api_events.h"

#include "core/registry.h"
#include "core/status.h"

int aev__bus_dump(json_t *o, char **out) {
  *out = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  return *out ? AEV_OK : aev__nomem();
}

int aev__bus_list_named(aev_broker *b, const char *prefix, const char *key,
                        aev__bus_list_fn add, char **json_out) {
  aev__resource **list;
  size_t n;
  int rc = aev__registry_list(b, AEV__KIND_BUS, NULL, &list, &n);
  if (rc) return rc;
  json_t *arr = json_array();
  size_t plen = prefix ? strlen(prefix) : 0;
  for (size_t i = 0; arr && i < n; i++) {
    aev_bus *bus = (aev_bus *)list[i];
    pthread_mutex_lock(&bus->amu);
    add(bus, prefix, plen, arr);
    pthread_mutex_unlock(&bus->amu);
  }
  aev__registry_list_free(list, n);
  return aev__bus_dump(arr ? json_pack("{s:o}", key, arr) : NULL, json_out);
}

/* A NextToken is the offset of the page it starts, scrambled so that it
 * reads as the opaque value AWS documents it to be. */
#define TOKEN_KEY UINT64_C(0x6165762d62757321)

static int bad_token(void) {
  return aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "The NextToken provided is invalid or has expired.");
}

int aev__events_page(const aev__api_service *svc, json_t *req, const char *key,
                     json_t *resp) {
  int64_t limit = 0;
  const char *token = NULL;
  int rc = aev__api_opt_int(svc, req, "Limit", 1, 100, &limit);
  if (rc || (rc = aev__api_opt_string(svc, req, "NextToken", &token))) return rc;
  json_t *all = json_object_get(resp, key);
  size_t n = json_array_size(all), from = 0;
  if (token) {
    char *end;
    uint64_t v = strlen(token) == 16 ? strtoull(token, &end, 16) ^ TOKEN_KEY : UINT64_MAX;
    if (v == UINT64_MAX || *end || v > INT32_MAX) return bad_token();
    /* Entries deleted since the last page may leave nothing to show. */
    from = v < n ? (size_t)v : n;
  }
  size_t to = limit && n - from > (size_t)limit ? from + (size_t)limit : n;
  json_t *page = json_array();
  if (!page) return aev__nomem();
  for (size_t i = from; i < to; i++) json_array_append(page, json_array_get(all, i));
  json_object_set_new(resp, key, page);
  if (to < n) {
    char next[17];
    snprintf(next, sizeof next, "%016" PRIx64, (uint64_t)to ^ TOKEN_KEY);
    json_object_set_new(resp, "NextToken", json_string(next));
  }
  return AEV_OK;
}

/* What the List* actions share: walking the broker's buses for named
 * entries (ListArchives, ListReplays), answering with compact JSON, and
 * paging a listing by Limit and NextToken, for aev_call() and for the
 * typed *_page calls. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/api_events.h"

#include "core/json_build.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/registry.h"
#include "core/status.h"

int aev__bus_dump(json_t *o, char **out) {
  *out = o ? aev__json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  return *out ? AEV_OK : aev__nomem();
}

int aev__bus_each(aev_broker *b, aev__bus_each_fn fn, void *ctx) {
  aev__resource **list = NULL;
  size_t n = 0;
  int rc = aev__registry_list(b, AEV__KIND_BUS, NULL, &list, &n);
  for (size_t i = 0; !rc && i < n; i++) {
    aev_bus *bus = (aev_bus *)list[i];
    pthread_mutex_lock(&bus->amu);
    rc = fn(bus, ctx);
    pthread_mutex_unlock(&bus->amu);
  }
  aev__registry_list_free(list, n);
  return rc;
}

typedef struct named {
  const char *prefix;
  size_t plen;
  aev__bus_list_fn add;
  json_t *arr;
} named;

static int add_named(aev_bus *bus, void *ctx) {
  named *l = ctx;
  return l->add(bus, l->prefix, l->plen, l->arr) ? AEV_OK : aev__nomem();
}

int aev__bus_list_named(aev_broker *b, const char *prefix, const char *key,
                        aev__bus_list_fn add, char **json_out) {
  named l = {prefix, prefix ? strlen(prefix) : 0, add, json_array()};
  int rc = l.arr ? aev__bus_each(b, add_named, &l) : aev__nomem();
  if (rc) {
    json_decref(l.arr);
    return rc;
  }
  return aev__bus_dump(json_pack("{s:o}", key, l.arr), json_out);
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
  return aev__events_page_by(svc, req, "Limit", key, resp);
}

int aev__events_page_by(const aev__api_service *svc, json_t *req, const char *limit_member,
                        const char *key, json_t *resp) {
  int64_t limit = 0;
  const char *token = NULL;
  int rc = aev__api_opt_int(svc, req, limit_member, 1, 100, &limit);
  if (rc || (rc = aev__api_opt_string(svc, req, "NextToken", &token))) return rc;
  return aev__bus_page(resp, key, (int)limit, token);
}

int aev__bus_page(json_t *resp, const char *key, int limit, const char *token) {
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
  int whole = page != NULL;
  for (size_t i = from; whole && i < to; i++)
    whole = !json_array_append(page, json_array_get(all, i));
  whole &= !json_object_set_new(resp, key, aev__json_whole(page, whole));
  if (whole && to < n) {
    char next[17];
    snprintf(next, sizeof next, "%016" PRIx64, (uint64_t)to ^ TOKEN_KEY);
    whole = !json_object_set_new(resp, "NextToken", json_string(next));
  }
  return whole ? AEV_OK : aev__nomem();
}

/* A typed listing's response text (rc and text as its unpaged call left
 * them), paged. */
static int paged(int rc, char *text, const char *key, int limit,
                 const char *token, char **json_out) {
  if (!rc && !json_out) {
    aev_free(text);
    rc = aev__fail(AEV_ERR_INVALID, "ValidationException", "json_out is required.");
  }
  if (rc) return rc;
  json_t *o;
  rc = aev__json_parse_str(text, 0, &o);
  aev_free(text);
  if (rc) return rc;
  if ((rc = aev__bus_page(o, key, limit, token))) {
    json_decref(o);
    return rc;
  }
  return aev__bus_dump(o, json_out);
}

/* Limit as ListRules & co. take it: 1-100, or 0 for all. */
static int limit_ok(int limit) {
  if (limit >= 0 && limit <= 100) return AEV_OK;
  return aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "1 validation error detected: Value '%d' at 'limit' failed "
                   "to satisfy constraint: Member must have value %s",
                   limit, limit < 0 ? "greater than or equal to 1"
                                    : "less than or equal to 100");
}

int aev_bus_list_rules_page(aev_bus *bus, const char *prefix, int limit,
                            const char *next_token, char **json_out) {
  int rc = limit_ok(limit);
  char *text = NULL;
  if (!rc) rc = aev_bus_list_rules(bus, prefix, &text);
  return paged(rc, text, "Rules", limit, next_token, json_out);
}

int aev_bus_list_targets_page(aev_bus *bus, const char *rule, int limit,
                              const char *next_token, char **json_out) {
  int rc = limit_ok(limit);
  char *text = NULL;
  if (!rc) rc = aev_bus_list_targets(bus, rule, &text);
  return paged(rc, text, "Targets", limit, next_token, json_out);
}

int aev_bus_list_archives_page(aev_broker *b, const char *prefix, int limit,
                               const char *next_token, char **json_out) {
  int rc = limit_ok(limit);
  char *text = NULL;
  if (!rc) rc = aev_bus_list_archives(b, prefix, &text);
  return paged(rc, text, "Archives", limit, next_token, json_out);
}

int aev_bus_list_replays_page(aev_broker *b, const char *prefix, int limit,
                              const char *next_token, char **json_out) {
  int rc = limit_ok(limit);
  char *text = NULL;
  if (!rc) rc = aev_bus_list_replays(b, prefix, &text);
  return paged(rc, text, "Replays", limit, next_token, json_out);
}

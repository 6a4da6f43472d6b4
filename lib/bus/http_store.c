/* The broker's store of EventBridge connections, API destinations and
 * global endpoints (on its default bus), and what their actions share:
 * finding one by Name under the store's lock, removing one, and answering
 * a list. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/http_impl.h"
#include "core/broker.h"
#include "core/json_build.h"
#include "core/status.h"

int aev__vec_push(void ***v, size_t *n, size_t *cap, void *x) {
  if (*n == *cap) {
    size_t c = *cap ? *cap * 2 : 8;
    void **p = realloc(*v, c * sizeof *p);
    if (!p) return 0;
    *v = p;
    *cap = c;
  }
  (*v)[(*n)++] = x;
  return 1;
}

void aev__vec_remove(void **v, size_t *n, const void *x) {
  size_t i = 0;
  while (v[i] != x) i++;
  v[i] = v[--*n];
}

json_t *aev__http_time(int64_t ms) { return json_integer(ms / 1000); }

void aev__http_arn(const aev_bus *bus, const char *service, const char *resource, char *out,
                   size_t cap) {
  const char *part = bus->res.arn + 4, *end = strchr(part, ':');
  aev_broker *b = bus->res.broker;
  snprintf(out, cap, "arn:%.*s:%s:%s:%s:%s", (int)(end - part), part, service,
           aev_broker_region(b), aev_broker_account(b), resource);
}

int aev__http_answer(aev_bus *bus, aev__http_store *s, json_t *o, json_t **resp) {
  pthread_mutex_unlock(&s->mu);
  aev_bus_release(bus);
  *resp = o;
  return o ? AEV_OK : aev__nomem();
}

void aev__http_store_free(aev__http_store *s) {
  if (!s) return;
  for (size_t i = 0; i < s->n_conns; i++) aev__conn_free(s->conns[i]);
  for (size_t i = 0; i < s->n_dests; i++) aev__apidest_free(s->dests[i]);
  for (size_t i = 0; i < s->n_endpoints; i++) aev__endpoint_free(s->endpoints[i]);
  free(s->conns);
  free(s->dests);
  free(s->endpoints);
  pthread_mutex_destroy(&s->mu);
  free(s);
}

int aev__http_store_get(aev_broker *b, aev_bus **bus, aev__http_store **out) {
  int rc = aev__bus_find(b, "default", 1, bus);
  if (rc) return rc;
  aev__http_store *s = atomic_load(&(*bus)->http);
  if (!s) {
    aev__http_store *mine = calloc(1, sizeof *mine);
    if (!mine) {
      aev_bus_release(*bus);
      return aev__nomem();
    }
    pthread_mutex_init(&mine->mu, NULL);
    if (atomic_compare_exchange_strong(&(*bus)->http, &s, mine)) s = mine;
    else aev__http_store_free(mine);
  }
  *out = s;
  return AEV_OK;
}

/* AWS's not-found messages (recorded: test_api_destinations_and_connection). */
static int not_found(aev__http_kind kind, const char *verb, const char *name) {
  if (kind == AEV__HTTP_CONNECTION)
    return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                     "Failed to %s the connection(s). Connection '%s' does not exist.", verb,
                     name);
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Failed to %s the api-destination(s). An api-destination '%s' does not exist.",
                   verb, name);
}

int aev__http_locked(aev_broker *b, const aev__api_service *svc, json_t *req, aev__http_kind kind,
                     const char *verb, aev_bus **bus, aev__http_store **s, void **out) {
  const char *name;
  int rc = aev__api_req_string(svc, req, "Name", &name);
  if (!rc) rc = aev__bus_check_name("name", name, 64);
  if (rc || (rc = aev__http_store_get(b, bus, s))) return rc;
  pthread_mutex_lock(&(*s)->mu);
  *out = kind == AEV__HTTP_CONNECTION ? (void *)aev__conn_find(*s, name)
                                      : (void *)aev__apidest_find(*s, name);
  if (*out) return AEV_OK;
  pthread_mutex_unlock(&(*s)->mu);
  aev_bus_release(*bus);
  return not_found(kind, verb, name);
}

static int by_name(const void *a, const void *b) {
  return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "Name")),
                json_string_value(json_object_get(*(json_t *const *)b, "Name")));
}

/* Sorts a list of objects by their "Name", as AWS lists them. */
static int sort_by_name(json_t *list) {
  size_t n = json_array_size(list);
  if (n < 2) return AEV_OK;
  json_t **items = malloc(n * sizeof *items);
  if (!items) return aev__nomem();
  for (size_t i = 0; i < n; i++) items[i] = json_incref(json_array_get(list, i));
  qsort(items, n, sizeof *items, by_name);
  json_array_clear(list);
  int rc = AEV_OK;
  for (size_t i = 0; i < n; i++)
    if (json_array_append_new(list, items[i])) rc = aev__nomem();
  free(items);
  return rc;
}

int aev__http_list_answer(const aev__api_service *svc, json_t *req, const char *limit_member,
                          const char *key, json_t *list, json_t **resp) {
  if (list && sort_by_name(list)) {
    json_decref(list);
    list = NULL;
  }
  *resp = list ? json_pack("{s:o}", key, list) : NULL;
  if (!*resp) return aev__nomem();
  int rc = aev__events_page_by(svc, req, limit_member, key, *resp);
  if (rc) json_decref(*resp);
  return rc;
}

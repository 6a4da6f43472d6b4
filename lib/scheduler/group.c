/* Schedule groups: named resources of the broker's registry that own their
 * schedules. "default" is made at the first use of the service, so it
 * exists from the start as far as any caller can see, and never goes. */
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "scheduler/scheduler_impl.h"

static void destroy(aev__resource *r) {
  aev__sgroup *g = (aev__sgroup *)r;
  free(g->list);
  json_decref(g->tags);
  pthread_mutex_destroy(&g->mu);
  free(g);
}

/* Deletion or broker shutdown: every schedule goes (each held a reference
 * to the group, so this also breaks the cycle). */
static void shutdown_group(aev__resource *r) {
  aev__sgroup *g = (aev__sgroup *)r;
  pthread_mutex_lock(&g->mu);
  aev__sch **list = g->list;
  size_t n = g->n;
  g->list = NULL;
  g->n = g->cap = 0;
  for (size_t i = 0; i < n; i++) {
    list[i]->dead = 1;
    aev__sch_disarm(list[i]);
  }
  pthread_mutex_unlock(&g->mu);
  for (size_t i = 0; i < n; i++) aev__sch_unref(list[i]);
  free(list);
}

int aev__sgroup_new(aev_broker *b, const char *name, json_t *tags, aev__sgroup **out) {
  aev__sgroup *g = calloc(1, sizeof *g);
  if (!g) return aev__nomem();
  if (aev__resource_init(&g->res, b, AEV__KIND_SCHEDULE_GROUP, name, destroy, shutdown_group)) {
    free(g);
    return aev__nomem();
  }
  pthread_mutex_init(&g->mu, NULL);
  g->created_s = g->modified_s = aev_broker_now_ms(b) / 1000;
  g->tags = tags ? json_incref(tags) : NULL;
  aev__resource *existing = NULL;
  int rc = aev__registry_add(b, &g->res, &existing);
  aev__resource_unref(&g->res);
  if (rc == AEV_ERR_EXISTS) {
    *out = (aev__sgroup *)existing;
    return AEV_ERR_EXISTS;
  }
  if (rc) return rc == AEV_ERR_CLOSED ? rc : aev__nomem();
  aev__resource_ref(&g->res);
  *out = g;
  return AEV_OK;
}

int aev__sgroup_find(aev_broker *b, const char *name, aev__sgroup **out) {
  if (!name || !*name) name = "default";
  aev__resource *r = aev__registry_find(b, AEV__KIND_SCHEDULE_GROUP, name);
  if (!r && !strcmp(name, "default")) {
    aev__sgroup *g;
    int rc = aev__sgroup_new(b, "default", NULL, &g);
    if (rc && rc != AEV_ERR_EXISTS) return rc;
    r = &g->res;
  }
  if (!r)
    return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                     "Schedule group %s does not exist.", name);
  *out = (aev__sgroup *)r;
  return AEV_OK;
}

void aev__sgroup_release(aev__sgroup *g) {
  if (g) aev__resource_unref(&g->res);
}

aev__sch *aev__sgroup_lookup(aev__sgroup *g, const char *name) {
  size_t lo = 0, hi = g->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(g->list[mid]->name, name);
    if (!c) {
      aev__sch_ref(g->list[mid]);
      return g->list[mid];
    }
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

json_t *aev__sgroup_json(aev__sgroup *g) {
  pthread_mutex_lock(&g->mu);
  json_t *v = json_pack("{s:s,s:o,s:o,s:s,s:s}", "Arn", g->res.arn, "CreationDate",
                        aev__sch_time(g->created_s * 1000), "LastModificationDate",
                        aev__sch_time(g->modified_s * 1000), "Name", g->res.name, "State",
                        "ACTIVE");
  pthread_mutex_unlock(&g->mu);
  return v;
}

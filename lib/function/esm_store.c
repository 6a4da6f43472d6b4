/* Where queue event-source mappings live: apart from the functions they
 * invoke, in a hidden registry entry of the broker, because Lambda keeps a
 * mapping when its function goes (DeleteFunction's reference: "To delete
 * Lambda event source mappings that invoke a function, use
 * DeleteEventSourceMapping"). A mapping keeps its function's ARN and
 * resolves it for each batch. The entry's shutdown hook stops them all
 * when the broker goes. Lock order: the store's, then a mapping's. */
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "function/function_impl.h"

#define ESM_STORE_NAME "#esm-queues"

typedef struct esm_store {
  aev__resource res; /* first */
  pthread_mutex_t mu;
  aev__esm *list; /* each holds one reference of its mapping */
  int closed;     /* the broker is shutting down */
} esm_store;

static void store_init(aev__resource *r) {
  pthread_mutex_init(&((esm_store *)r)->mu, NULL);
}

static void store_destroy(aev__resource *r) {
  esm_store *s = (esm_store *)r;
  pthread_mutex_destroy(&s->mu);
  free(s);
}

/* Broker shutdown: no mapping is added any more; each one stops (a batch
 * in flight still completes) and leaves the list. */
static void store_shutdown(aev__resource *r) {
  esm_store *s = (esm_store *)r;
  pthread_mutex_lock(&s->mu);
  s->closed = 1;
  aev__esm *list = s->list;
  s->list = NULL;
  pthread_mutex_unlock(&s->mu);
  while (list) {
    aev__esm *m = list;
    list = m->next;
    aev__esm_stop(m);
    aev__esm_unref(m);
  }
}

/* The store (new reference), created when create is set; NULL when absent
 * or out of memory (*rc says which). */
static esm_store *store(aev_broker *b, int create, int *rc) {
  aev__resource *r = NULL;
  *rc = aev__fn_hidden_entry(b, ESM_STORE_NAME, sizeof(esm_store), create,
                             store_init, store_destroy, store_shutdown, &r);
  return (esm_store *)r;
}

static int mapping_not_found(const char *uuid) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "The resource you requested does not exist. (Service: "
                   "Lambda, Status Code: 404, Request ID: %s)",
                   uuid ? uuid : "");
}

/* 1 when m invokes function_arn (read under m's lock). */
static int invokes(aev__esm *m, const char *function_arn) {
  pthread_mutex_lock(&m->mu);
  int same = strcmp(m->function_arn, function_arn) == 0;
  pthread_mutex_unlock(&m->mu);
  return same;
}

/* Lambda refuses a second mapping of a queue to the same function, version
 * or alias (s->mu held; self is the mapping being moved, or NULL). */
static int conflict_locked(esm_store *s, const char *source_arn,
                           const char *function_arn, const aev__esm *self) {
  aev__esm *x = s->list;
  while (x && (x == self || strcmp(x->source_arn, source_arn) ||
               !invokes(x, function_arn)))
    x = x->next;
  if (!x) return AEV_OK;
  const char *fn = strstr(function_arn, ":function:");
  return aev__fail(AEV_ERR_EXISTS, "ResourceConflictException",
                   "An event source mapping with SQS arn (\" %s \") and "
                   "function (\" %s \") already exists. Please update or "
                   "delete the existing mapping with UUID %s",
                   source_arn, fn ? fn + 10 : function_arn, x->uuid);
}

int aev__esm_store_add(aev_broker *b, aev__esm *m) {
  int rc;
  esm_store *s = store(b, 1, &rc);
  if (!s) return rc;
  pthread_mutex_lock(&s->mu);
  rc = s->closed ? aev__broker_check_open(b)
                 : conflict_locked(s, m->source_arn, m->function_arn, NULL);
  if (rc == AEV_OK) {
    aev__esm_ref(m);
    m->next = s->list;
    s->list = m;
  }
  pthread_mutex_unlock(&s->mu);
  aev__resource_unref(&s->res);
  return rc;
}

int aev__esm_store_find(aev_broker *b, const char *uuid, int unlink,
                        aev__esm **out) {
  int rc = AEV_OK;
  esm_store *s = uuid ? store(b, 0, &rc) : NULL;
  if (!s) return rc != AEV_OK ? rc : mapping_not_found(uuid);
  aev__esm *found = NULL;
  pthread_mutex_lock(&s->mu);
  for (aev__esm **p = &s->list; *p; p = &(*p)->next)
    if (strcmp((*p)->uuid, uuid) == 0) {
      found = *p;
      if (unlink) *p = found->next; /* the list's reference moves */
      else aev__esm_ref(found);
      break;
    }
  pthread_mutex_unlock(&s->mu);
  aev__resource_unref(&s->res);
  if (!found) return mapping_not_found(uuid);
  *out = found;
  return AEV_OK;
}

int aev__esm_store_retarget(aev_broker *b, aev__esm *m, char *function_arn) {
  int rc;
  esm_store *s = store(b, 0, &rc);
  if (!s) {
    free(function_arn);
    return rc != AEV_OK ? rc : mapping_not_found(m->uuid);
  }
  pthread_mutex_lock(&s->mu);
  aev__esm *x = s->list;
  while (x && x != m) x = x->next;
  /* Deleted meanwhile: not found, as a later call would answer. */
  rc = x ? conflict_locked(s, m->source_arn, function_arn, m)
         : mapping_not_found(m->uuid);
  if (rc == AEV_OK) {
    pthread_mutex_lock(&m->mu);
    char *old = m->function_arn;
    m->function_arn = function_arn;
    function_arn = old;
    pthread_mutex_unlock(&m->mu);
  }
  pthread_mutex_unlock(&s->mu);
  aev__resource_unref(&s->res);
  free(function_arn);
  return rc;
}

int aev__esm_store_list(aev_broker *b, const char *function_arn,
                        const char *source_arn, aev__esm ***out, size_t *n) {
  int rc;
  esm_store *s = store(b, 0, &rc);
  *out = NULL;
  *n = 0;
  if (!s) return rc;
  pthread_mutex_lock(&s->mu);
  size_t k = 0;
  for (aev__esm *m = s->list; m; m = m->next) k++;
  aev__esm **ms = k ? calloc(k, sizeof *ms) : NULL;
  if (k && !ms) rc = aev__nomem();
  k = 0;
  for (aev__esm *m = ms ? s->list : NULL; m; m = m->next)
    if ((!source_arn || strcmp(m->source_arn, source_arn) == 0) &&
        (!function_arn || invokes(m, function_arn))) {
      aev__esm_ref(m);
      ms[k++] = m;
    }
  pthread_mutex_unlock(&s->mu);
  aev__resource_unref(&s->res);
  *out = ms;
  *n = k;
  return rc;
}

/* Tags of event-source mappings: Lambda tags a mapping by its ARN
 * (arn:aws:lambda:REGION:ACCOUNT:event-source-mapping:UUID), with a
 * function's rules. Queue mappings live in the function primitive's store
 * (esm_store.c) and stream mappings with their stream, so their tags are
 * kept apart, per broker, in a hidden registry entry: {UUID: {key:
 * value}}. */
#include <stdlib.h>

#include "core/status.h"
#include "function/function_impl.h"

#define ESM_TAGS_NAME "#esm-tags"

typedef struct esm_tags {
  aev__resource res; /* first */
  pthread_mutex_t mu;
  json_t *by_uuid;
} esm_tags;

static void esm_tags_init(aev__resource *r) {
  esm_tags *t = (esm_tags *)r;
  pthread_mutex_init(&t->mu, NULL);
  t->by_uuid = NULL;
}

static void esm_tags_destroy(aev__resource *r) {
  esm_tags *t = (esm_tags *)r;
  json_decref(t->by_uuid);
  pthread_mutex_destroy(&t->mu);
  free(t);
}

/* The store (new reference), created when create is set; NULL when absent
 * or out of memory (rc says which). */
static esm_tags *store(aev_broker *b, int create, int *rc) {
  aev__resource *r = NULL;
  *rc = aev__fn_hidden_entry(b, ESM_TAGS_NAME, sizeof(esm_tags), create, esm_tags_init,
                             esm_tags_destroy, NULL, &r);
  return (esm_tags *)r;
}

int aev__esm_tags_put(aev_broker *b, const char *uuid, json_t *tags) {
  int rc = aev__fn_tags_check(tags);
  esm_tags *t = rc == AEV_OK ? store(b, 1, &rc) : NULL;
  if (!t) return rc;
  pthread_mutex_lock(&t->mu);
  if (!t->by_uuid && !(t->by_uuid = json_object())) rc = aev__nomem();
  json_t *have = rc == AEV_OK ? json_incref(json_object_get(t->by_uuid, uuid)) : NULL;
  if (rc == AEV_OK) rc = aev__fn_tags_merge(&have, tags);
  if (rc == AEV_OK && json_object_set(t->by_uuid, uuid, have)) rc = aev__nomem();
  pthread_mutex_unlock(&t->mu);
  json_decref(have);
  aev__resource_unref(&t->res);
  return rc;
}

int aev__esm_tags_remove(aev_broker *b, const char *uuid, json_t *keys) {
  int rc = aev__fn_tag_keys_check(keys);
  esm_tags *t = rc == AEV_OK ? store(b, 0, &rc) : NULL;
  if (!t) return rc;
  pthread_mutex_lock(&t->mu);
  aev__fn_tags_drop_keys(json_object_get(t->by_uuid, uuid), keys);
  pthread_mutex_unlock(&t->mu);
  aev__resource_unref(&t->res);
  return AEV_OK;
}

json_t *aev__esm_tags_get(aev_broker *b, const char *uuid) {
  int rc;
  esm_tags *t = store(b, 0, &rc);
  if (!t) return rc == AEV_OK ? json_object() : NULL;
  pthread_mutex_lock(&t->mu);
  json_t *have = json_object_get(t->by_uuid, uuid);
  json_t *copy = have ? json_copy(have) : json_object();
  pthread_mutex_unlock(&t->mu);
  aev__resource_unref(&t->res);
  return copy;
}

void aev__esm_tags_drop(aev_broker *b, const char *uuid) {
  int rc;
  esm_tags *t = store(b, 0, &rc);
  if (!t) return;
  pthread_mutex_lock(&t->mu);
  json_object_del(t->by_uuid, uuid);
  pthread_mutex_unlock(&t->mu);
  aev__resource_unref(&t->res);
}

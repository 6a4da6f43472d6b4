/* Lambda capacity providers (Lambda developer guide, "Capacity
 * providers"): kept per broker in a hidden registry entry, {NAME:
 * CapacityProvider} in the order they were made, as Lambda answers them,
 * and their tags ({ARN: {key: value}}). Pending becomes Active, and a
 * deleted provider is Deleting until it goes, each by a timer on the
 * broker clock (capacity.h has the durations). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "function/capacity.h"

#define STORE_NAME "#capacity-providers"
#define ARN_PART ":capacity-provider:"

typedef struct cap_store {
  aev__resource res; /* first */
  pthread_mutex_t mu;
  json_t *by_name;
  /* {NAME: N}: the generation of each provider's pending state change, so
   * that a change overtaken by another (a delete while Pending) or meant
   * for an earlier provider of the same name does nothing. */
  json_t *steps;
  json_t *tags; /* {ARN: {key: value}} */
  json_int_t next_step;
} cap_store;

static void store_init(aev__resource *r) {
  cap_store *s = (cap_store *)r;
  pthread_mutex_init(&s->mu, NULL);
}

static void store_destroy(aev__resource *r) {
  cap_store *s = (cap_store *)r;
  json_decref(s->by_name);
  json_decref(s->steps);
  json_decref(s->tags);
  pthread_mutex_destroy(&s->mu);
  free(s);
}

/* The store (new reference), locked; NULL when absent (create unset) or
 * out of memory (rc says which). */
static cap_store *lock_store(aev_broker *b, int create, int *rc) {
  aev__resource *r = NULL;
  *rc = aev__fn_hidden_entry(b, STORE_NAME, sizeof(cap_store), create, store_init,
                             store_destroy, NULL, &r);
  cap_store *s = (cap_store *)r;
  if (!s) return NULL;
  pthread_mutex_lock(&s->mu);
  if (!s->by_name) s->by_name = json_object();
  if (!s->steps) s->steps = json_object();
  if (!s->tags) s->tags = json_object();
  if (!s->by_name || !s->steps || !s->tags) {
    pthread_mutex_unlock(&s->mu);
    aev__resource_unref(&s->res);
    *rc = aev__nomem();
    return NULL;
  }
  return s;
}

static void unlock_store(cap_store *s) {
  pthread_mutex_unlock(&s->mu);
  aev__resource_unref(&s->res);
}

/* The name a provider name or ARN names, in out; NULL (out empty) for an
 * ARN of another region or account, which names nothing here. */
static const char *name_of(aev_broker *b, const char *name_or_arn, char out[160]) {
  const char *part = strstr(name_or_arn, ARN_PART);
  snprintf(out, 160, "%s", part ? part + strlen(ARN_PART) : name_or_arn);
  if (!part) return out;
  char mine[320];
  snprintf(mine, sizeof mine, "arn:aws:lambda:%s:%s" ARN_PART "%s", aev_broker_region(b),
           aev_broker_account(b), out);
  if (strcmp(mine, name_or_arn) == 0) return out;
  out[0] = '\0';
  return NULL;
}

static int no_such_provider(const char *name_or_arn) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Capacity provider not found: %s", name_or_arn);
}

/* The stored provider (borrowed; store locked, s may be NULL), or NULL. */
static json_t *find(aev_broker *b, cap_store *s, const char *name_or_arn) {
  char name[160];
  return s && name_of(b, name_or_arn, name) ? json_object_get(s->by_name, name) : NULL;
}

static const char *state_of(json_t *cp) {
  return json_string_value(json_object_get(cp, "State"));
}

static void now_text(aev_broker *b, char out[40]) {
  aev__fn_iso_time(aev__clock_now_ms(aev__broker_clock(b)), out, 40, 0);
}

/* ---- state changes on the broker clock ---- */

typedef struct cap_step {
  aev__timer timer;
  cap_store *s; /* counted */
  json_int_t generation;
  char name[160];
} cap_step;

static void step_due(void *arg, int cancelled) {
  cap_step *st = arg;
  cap_store *s = st->s;
  if (!cancelled) {
    pthread_mutex_lock(&s->mu);
    json_t *cp = json_object_get(s->by_name, st->name);
    if (cp && json_integer_value(json_object_get(s->steps, st->name)) == st->generation) {
      const char *state = state_of(cp);
      /* Out of memory, it stays Pending: never half changed. */
      if (strcmp(state, "Pending") == 0)
        (void)json_object_set_new(cp, "State", json_string("Active"));
      else if (strcmp(state, "Deleting") == 0) {
        json_object_del(s->tags, json_string_value(json_object_get(cp, "CapacityProviderArn")));
        json_object_del(s->steps, st->name);
        json_object_del(s->by_name, st->name);
      }
    }
    pthread_mutex_unlock(&s->mu);
  }
  aev__resource_unref(&s->res);
  free(st);
}

/* Arms name's next state change after ms (store locked): it supersedes any
 * change armed before. */
static int arm_step_locked(aev_broker *b, cap_store *s, const char *name, int64_t ms) {
  cap_step *st = calloc(1, sizeof *st);
  json_int_t generation = ++s->next_step;
  if (!st || json_object_set_new(s->steps, name, json_integer(generation))) {
    free(st);
    return aev__nomem();
  }
  st->s = s;
  st->generation = generation;
  snprintf(st->name, sizeof st->name, "%s", name);
  aev__resource_ref(&s->res);
  aev__timer_init(&st->timer, step_due, st, NULL);
  aev__clock *clock = aev__broker_clock(b);
  int rc = aev__timer_arm(aev__broker_sched(b), &st->timer, aev__clock_mono_ms(clock) + ms);
  if (rc != AEV_OK) {
    aev__resource_unref(&s->res);
    free(st);
    return aev__fail(rc, "ServiceException", "The broker is shutting down.");
  }
  return AEV_OK;
}

/* ---- the actions ---- */

int aev__cap_create(aev_broker *b, const char *name, json_t *conf, json_t *tags, json_t **out) {
  char arn[320], when[40];
  snprintf(arn, sizeof arn, "arn:aws:lambda:%s:%s" ARN_PART "%s", aev_broker_region(b),
           aev_broker_account(b), name);
  now_text(b, when);
  /* The members in the order of Lambda's CapacityProvider shape. */
  json_t *cp = json_pack("{ssss}", "CapacityProviderArn", arn, "State", "Pending");
  if (cp && json_object_update(cp, conf)) {
    json_decref(cp);
    cp = NULL;
  }
  aev__fn_put(&cp, "LastModified", json_string(when));
  int rc = cp ? AEV_OK : aev__nomem();
  cap_store *s = rc == AEV_OK ? lock_store(b, 1, &rc) : NULL;
  if (s && json_object_get(s->by_name, name))
    rc = aev__fail(AEV_ERR_EXISTS, "ResourceConflictException",
                   "Capacity provider %s already exists.", name);
  else if (s && json_object_size(s->by_name) >= AEV__CAP_ACCOUNT_MAX)
    rc = aev__fail(AEV_ERR_LIMIT, "CapacityProviderLimitExceededException",
                   "You have reached the maximum number of capacity providers (%d) for this "
                   "account.",
                   AEV__CAP_ACCOUNT_MAX);
  /* Stored from here on: what fails takes it all back. */
  const int storing = s && rc == AEV_OK;
  if (storing && tags) rc = aev__fn_tags_merge_at(&s->tags, arn, tags);
  *out = storing && rc == AEV_OK ? json_deep_copy(cp) : NULL;
  if (storing && rc == AEV_OK && (!*out || json_object_set(s->by_name, name, cp)))
    rc = aev__nomem();
  if (storing && rc == AEV_OK) rc = arm_step_locked(b, s, name, AEV__CAP_ACTIVATE_MS);
  if (storing && rc != AEV_OK) {
    json_object_del(s->by_name, name);
    json_object_del(s->steps, name);
    json_object_del(s->tags, arn);
  }
  if (s) unlock_store(s);
  json_decref(cp);
  if (rc != AEV_OK) {
    json_decref(*out);
    *out = NULL;
  }
  return rc;
}

int aev__cap_get(aev_broker *b, const char *name, json_t **out) {
  int rc;
  cap_store *s = lock_store(b, 0, &rc);
  if (!s && rc != AEV_OK) return rc;
  json_t *cp = find(b, s, name);
  *out = cp ? json_deep_copy(cp) : NULL;
  if (s) unlock_store(s);
  if (!cp) return no_such_provider(name);
  return *out ? AEV_OK : aev__nomem();
}

static int being_deleted(const char *name) {
  return aev__fail(AEV_ERR_STATE, "ResourceConflictException",
                   "The capacity provider %s is being deleted.", name);
}

static int not_active(const char *name, const char *state) {
  return aev__fail(AEV_ERR_STATE, "ResourceConflictException",
                   "The capacity provider %s is %s; it can be changed once it is Active.", name,
                   state);
}

int aev__cap_update(aev_broker *b, const char *name, json_t *scaling, json_t **out) {
  int rc;
  char when[40];
  now_text(b, when);
  cap_store *s = lock_store(b, 0, &rc);
  if (!s && rc != AEV_OK) return rc;
  json_t *cp = find(b, s, name);
  json_t *next = NULL;
  if (!cp) rc = no_such_provider(name);
  else if (strcmp(state_of(cp), "Active")) rc = not_active(name, state_of(cp));
  /* Built whole before it replaces the stored one: a failure changes
   * nothing. */
  else if (!(next = json_deep_copy(cp))) rc = aev__nomem();
  if (next && scaling)
    aev__fn_put(&next, "CapacityProviderScalingConfig", json_deep_copy(scaling));
  if (next) aev__fn_put(&next, "LastModified", json_string(when));
  *out = next ? json_deep_copy(next) : NULL;
  if (cp && rc == AEV_OK && !*out) rc = aev__nomem();
  char key[160];
  if (rc == AEV_OK && json_object_set(s->by_name, name_of(b, name, key), next)) rc = aev__nomem();
  if (s) unlock_store(s);
  json_decref(next);
  if (rc != AEV_OK) {
    json_decref(*out);
    *out = NULL;
  }
  return rc;
}

/* The function versions configured to use arn, appended to list as
 * {FunctionArn, State}; -1 when out of memory. Takes each function's mu in
 * turn (the store may be locked). */
static int users(aev_broker *b, const char *arn, const char *state, json_t *list) {
  aev__resource **fns;
  size_t n;
  if (aev__registry_list(b, AEV__KIND_FUNCTION, NULL, &fns, &n) != AEV_OK) return -1;
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    if (aev__fn_hidden(fns[i]->name)) continue;
    aev_function *f = (aev_function *)fns[i];
    pthread_mutex_lock(&f->mu);
    for (int v = 0; v <= f->nversions && rc == 0; v++) {
      const aev__fconf *c = v ? f->versions[v - 1].conf : f->conf;
      const char *uses = aev__cap_arn_of(c->doc);
      if ((v && f->versions[v - 1].deleted) || !uses || strcmp(uses, arn)) continue;
      char version[16];
      snprintf(version, sizeof version, v ? "%d" : "$LATEST", v);
      json_t *item = json_pack("{s:s++s:s}", "FunctionArn", f->res.arn, ":", version, "State",
                               state);
      if (!item || json_array_append_new(list, item)) rc = -1;
    }
    pthread_mutex_unlock(&f->mu);
  }
  aev__registry_list_free(fns, n);
  return rc;
}

static const char *version_state(const char *provider_state) {
  return strcmp(provider_state, "Pending") == 0 ? "Pending" : "Active";
}

int aev__cap_delete(aev_broker *b, const char *name, json_t **out) {
  int rc;
  *out = NULL;
  cap_store *s = lock_store(b, 0, &rc);
  if (!s && rc != AEV_OK) return rc;
  json_t *cp = find(b, s, name), *in_use = json_array();
  const char *arn = json_string_value(json_object_get(cp, "CapacityProviderArn"));
  if (!cp) rc = no_such_provider(name);
  else if (strcmp(state_of(cp), "Deleting") == 0) rc = being_deleted(name);
  /* "You cannot delete a capacity provider that is currently being used
   * by Lambda functions" (DeleteCapacityProvider); the store stays locked,
   * so no function takes it up meanwhile. */
  else if (!in_use || users(b, arn, "Active", in_use) < 0) rc = aev__nomem();
  else if (json_array_size(in_use))
    rc = aev__fail(AEV_ERR_STATE, "ResourceConflictException",
                   "The capacity provider %s is used by %zu function version%s, such as %s. "
                   "Delete them or move them to another compute first.",
                   name, json_array_size(in_use), json_array_size(in_use) > 1 ? "s" : "",
                   json_string_value(json_object_get(json_array_get(in_use, 0), "FunctionArn")));
  json_decref(in_use);
  const char *was = cp ? state_of(cp) : NULL;
  char key[160];
  if (rc == AEV_OK) {
    name_of(b, name, key);
    *out = json_deep_copy(cp);
    aev__fn_put(out, "State", json_string("Deleting"));
    json_t *state = json_string("Deleting");
    if (!*out || !state || json_object_set(cp, "State", state)) rc = aev__nomem();
    json_decref(state);
  }
  if (rc == AEV_OK && (rc = arm_step_locked(b, s, key, AEV__CAP_DELETE_MS)) != AEV_OK)
    json_object_set_new(cp, "State", json_string(was));
  if (s) unlock_store(s);
  if (rc != AEV_OK) {
    json_decref(*out);
    *out = NULL;
  }
  return rc;
}

int aev__cap_list(aev_broker *b, const char *state, json_t **out) {
  int rc;
  cap_store *s = lock_store(b, 0, &rc);
  if (!s && rc != AEV_OK) return rc;
  *out = json_array();
  const char *k;
  json_t *v;
  if (s) {
    json_object_foreach(s->by_name, k, v) {
      if (!state || strcmp(state, state_of(v)) == 0) aev__fn_put(out, NULL, json_deep_copy(v));
    }
    unlock_store(s);
  }
  return *out ? AEV_OK : aev__nomem();
}

int aev__cap_versions(aev_broker *b, const char *name, json_t **out) {
  int rc;
  cap_store *s = lock_store(b, 0, &rc);
  if (!s && rc != AEV_OK) return rc;
  json_t *cp = find(b, s, name);
  json_t *list = cp ? json_array() : NULL;
  if (!cp) rc = no_such_provider(name);
  else if (!list || users(b, json_string_value(json_object_get(cp, "CapacityProviderArn")),
                          version_state(state_of(cp)), list) < 0)
    rc = aev__nomem();
  *out = rc == AEV_OK ? json_pack("{sOsO}", "CapacityProviderArn",
                                  json_object_get(cp, "CapacityProviderArn"), "FunctionVersions",
                                  list)
                      : NULL;
  if (rc == AEV_OK && !*out) rc = aev__nomem();
  json_decref(list);
  if (s) unlock_store(s);
  return rc;
}

const char *aev__cap_version_state(aev_broker *b, const char *arn) {
  int rc;
  cap_store *s = lock_store(b, 0, &rc);
  json_t *cp = find(b, s, arn);
  const char *state = cp && strcmp(state_of(cp), "Pending") == 0 ? "Pending" : "Active";
  if (s) unlock_store(s);
  return state;
}

/* ---- the quota of versions, checked against a function's new ones ---- */

int aev__cap_count_check(aev_broker *b, const char *arn, int adding) {
  int rc;
  cap_store *s = lock_store(b, 0, &rc);
  if (!s && rc != AEV_OK) return rc;
  json_t *cp = find(b, s, arn), *list = json_array();
  if (!cp) rc = no_such_provider(arn);
  else if (strcmp(state_of(cp), "Deleting") == 0) rc = being_deleted(arn);
  else if (!list || users(b, arn, "Active", list) < 0) rc = aev__nomem();
  else if (json_array_size(list) + (size_t)adding > AEV__CAP_VERSIONS_MAX)
    rc = aev__fail(AEV_ERR_LIMIT, "FunctionVersionsPerCapacityProviderLimitExceededException",
                   "The capacity provider %s has reached the maximum number of function "
                   "versions (%d).",
                   arn, AEV__CAP_VERSIONS_MAX);
  json_decref(list);
  if (s) unlock_store(s);
  return rc;
}

/* ---- tags ---- */

int aev__cap_tags_put(aev_broker *b, const char *arn, json_t *tags) {
  int rc = aev__fn_tags_check(tags);
  cap_store *s = rc == AEV_OK ? lock_store(b, 0, &rc) : NULL;
  if (!s && rc != AEV_OK) return rc;
  if (!find(b, s, arn)) rc = no_such_provider(arn);
  else rc = aev__fn_tags_merge_at(&s->tags, arn, tags);
  if (s) unlock_store(s);
  return rc;
}

int aev__cap_tags_remove(aev_broker *b, const char *arn, json_t *keys) {
  int rc = aev__fn_tag_keys_check(keys);
  cap_store *s = rc == AEV_OK ? lock_store(b, 0, &rc) : NULL;
  if (!s && rc != AEV_OK) return rc;
  if (!find(b, s, arn)) rc = no_such_provider(arn);
  else aev__fn_tags_drop_keys(json_object_get(s->tags, arn), keys);
  if (s) unlock_store(s);
  return rc;
}

json_t *aev__cap_tags_get(aev_broker *b, const char *arn) {
  int rc;
  cap_store *s = lock_store(b, 0, &rc);
  if (!s) return rc == AEV_OK ? json_object() : NULL;
  json_t *copy = aev__fn_tags_at(s->tags, arn);
  unlock_store(s);
  return copy;
}

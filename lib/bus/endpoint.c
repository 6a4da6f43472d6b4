/* EventBridge global endpoints: CreateEndpoint, DescribeEndpoint,
 * ListEndpoints, UpdateEndpoint and DeleteEndpoint, kept in the broker's
 * store of account-wide resources, and the EndpointId PutEvents names.
 *
 * An endpoint is made in the broker's Region, which is its primary (home)
 * Region; its secondary Region is another Region, never this broker. Its
 * state moves on the broker's clock as AWS's does: CREATING, UPDATING and
 * DELETING each settle SETTLE_MS later (ACTIVE, or gone). Nothing here can
 * run its Route 53 health check, so an endpoint never fails over. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/http_impl.h"
#include "core/broker.h"
#include "core/json_build.h"
#include "core/registry.h"
#include "core/status.h"

/* How long a change takes to settle: AWS's recorded DescribeEndpoint (the
 * AWS CLI's describe-endpoint example) shows an endpoint ACTIVE with its
 * LastModifiedTime 1.85 s after its CreationTime. */
#define SETTLE_MS 2000

/* EndpointId: ten lower-case letters and digits and ".veo", as AWS's
 * recorded answers show them ("3slpsr0pnp.veo", update-endpoint's
 * example); its URL is https://ID.endpoint.events.DNS-SUFFIX (botocore's
 * endpoint rules for EventBridge). */
#define ID_CHARS "abcdefghijklmnopqrstuvwxyz0123456789"
#define ID_LEN 10

void aev__endpoint_free(aev__endpoint *e) {
  if (!e) return;
  free(e->name);
  free(e->arn);
  free(e->id);
  free(e->url);
  free(e->reason);
  free(e->failing);
  json_decref(e->config);
  free(e);
}

static aev__endpoint *find(aev__http_store *s, const char *name) {
  for (size_t i = 0; i < s->n_endpoints; i++)
    if (!strcmp(s->endpoints[i]->name, name)) return s->endpoints[i];
  return NULL;
}

static aev__endpoint *find_id(aev__http_store *s, const char *id) {
  for (size_t i = 0; i < s->n_endpoints; i++)
    if (!strcmp(s->endpoints[i]->id, id)) return s->endpoints[i];
  return NULL;
}

static int busy(const aev__endpoint *e) {
  return e->settles_ms != 0;
}

/* Ends the changes that have run their time by now (mu held): CREATING and
 * UPDATING become ACTIVE, or *_FAILED with their reason; DELETING ones go. */
static void settle(aev__http_store *s, int64_t now) {
  for (size_t i = s->n_endpoints; i-- > 0;) {
    aev__endpoint *e = s->endpoints[i];
    if (!busy(e) || e->settles_ms > now) continue;
    if (!strcmp(e->state, "DELETING")) {
      aev__vec_remove((void **)s->endpoints, &s->n_endpoints, e);
      aev__endpoint_free(e);
      continue;
    }
    free(e->reason);
    e->reason = e->failing;
    e->failing = NULL;
    e->state = !e->reason                       ? "ACTIVE"
               : !strcmp(e->state, "CREATING") ? "CREATE_FAILED"
                                                : "UPDATE_FAILED";
    e->modified_ms = e->settles_ms;
    e->settles_ms = 0;
  }
}

/* The store, locked and settled to now: *bus is a reference for
 * aev__http_answer(). */
static int locked(aev_broker *b, aev_bus **bus, aev__http_store **s) {
  int rc = aev__http_store_get(b, bus, s);
  if (rc) return rc;
  pthread_mutex_lock(&(*s)->mu);
  settle(*s, aev_broker_now_ms(b));
  return AEV_OK;
}

/* Lets go of what locked() took and returns rc. */
static int unlock(aev_bus *bus, aev__http_store *s, int rc) {
  pthread_mutex_unlock(&s->mu);
  aev_bus_release(bus);
  return rc;
}

static int not_found(const char *name) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException", "Endpoint %s does not exist.",
                   name);
}

/* ---- shapes -------------------------------------------------------------- */

enum { CREATED, UPDATED, DESCRIBED };

/* The endpoint as AWS shows it (mu held): CreateEndpoint answers its
 * configuration and State; UpdateEndpoint adds EndpointId and EndpointUrl
 * (the AWS CLI's examples); DescribeEndpoint and ListEndpoints show all,
 * the Description too. ReplicationConfig shows its default, ENABLED. */
static json_t *endpoint_json(const aev__endpoint *e, int shape) {
  json_t *c = e->config, *o = json_pack("{s:s,s:s}", "Name", e->name, "Arn", e->arn);
  int whole = o != NULL;
  const char *replication =
      json_string_value(json_object_get(json_object_get(c, "ReplicationConfig"), "State"));
  if (shape == DESCRIBED && json_object_get(c, "Description"))
    whole = whole && !json_object_set(o, "Description", json_object_get(c, "Description"));
  whole = whole && !json_object_set(o, "RoutingConfig", json_object_get(c, "RoutingConfig")) &&
          !json_object_set_new(o, "ReplicationConfig",
                               json_pack("{s:s}", "State", replication ? replication : "ENABLED")) &&
          !json_object_set(o, "EventBuses", json_object_get(c, "EventBuses"));
  if (json_object_get(c, "RoleArn"))
    whole = whole && !json_object_set(o, "RoleArn", json_object_get(c, "RoleArn"));
  if (shape != CREATED)
    whole = whole && !json_object_set_new(o, "EndpointId", json_string(e->id)) &&
            !json_object_set_new(o, "EndpointUrl", json_string(e->url));
  whole = whole && !json_object_set_new(o, "State", json_string(e->state));
  if (shape == DESCRIBED) {
    if (e->reason) whole = whole && !json_object_set_new(o, "StateReason", json_string(e->reason));
    whole = whole && !json_object_set_new(o, "CreationTime", aev__http_time(e->created_ms)) &&
            !json_object_set_new(o, "LastModifiedTime", aev__http_time(e->modified_ms));
  }
  return aev__json_whole(o, whole);
}

/* ---- changes ------------------------------------------------------------- */

/* Why a change to config will fail, as a new string in *out, or NULL when
 * it will not: it needs its event bus in the primary Region, which is this
 * broker's, and EventBridge's wording for a missing bus states why. The
 * outcome is fixed when the change is asked for, so that it does not hang
 * on when its state is next read. */
static int failing_reason(aev_broker *b, json_t *config, char **out) {
  *out = NULL;
  char *name = aev__endpoint_primary_bus(config, aev_broker_region(b));
  if (!name) return aev__nomem();
  /* The account's default bus exists from the start, as on AWS. */
  int there = !strcmp(name, "default");
  aev__resource *r = there ? NULL : aev__registry_find(b, AEV__KIND_BUS, name);
  there |= r != NULL;
  aev__resource_unref(r);
  int rc = AEV_OK;
  if (!there) {
    size_t n = strlen(name) + 40;
    if (!(*out = malloc(n))) rc = aev__nomem();
    else snprintf(*out, n, "Event bus %s does not exist.", name);
  }
  free(name);
  return rc;
}

/* Starts a change of e to state (mu held), which settles SETTLE_MS on and
 * fails then for failing (taken over; NULL: it succeeds). */
static void begin(aev__endpoint *e, const char *state, char *failing, int64_t now) {
  free(e->failing);
  e->failing = failing;
  e->state = state;
  e->modified_ms = now;
  e->settles_ms = now + SETTLE_MS;
}

/* A new EndpointId no endpoint of s has, into id (mu held). */
static void new_id(aev_broker *b, aev__http_store *s, char id[ID_LEN + 5]) {
  do {
    for (int i = 0; i < ID_LEN; i++) id[i] = ID_CHARS[aev__broker_random(b) % 36];
    memcpy(id + ID_LEN, ".veo", 5);
  } while (find_id(s, id));
}

static int make(aev_broker *b, aev_bus *bus, const char *name, json_t *config,
                aev__endpoint **out) {
  char res[100];
  snprintf(res, sizeof res, "endpoint/%s", name);
  char arn[300];
  aev__http_arn(bus, "events", res, arn, sizeof arn);
  aev__endpoint *e = calloc(1, sizeof *e);
  if (!e || !(e->name = strdup(name)) || !(e->arn = strdup(arn)) ||
      !(e->url = malloc(ID_LEN + 80))) {
    aev__endpoint_free(e);
    return aev__nomem();
  }
  e->config = json_incref(config);
  e->created_ms = aev_broker_now_ms(b);
  *out = e;
  return AEV_OK;
}

/* The endpoint's id, unique among the store's, and its URL (mu held). */
static int name_it(aev_broker *b, aev__http_store *s, aev__endpoint *e) {
  char id[ID_LEN + 5];
  new_id(b, s, id);
  if (!(e->id = strdup(id))) return aev__nomem();
  const char *region = aev_broker_region(b);
  snprintf(e->url, ID_LEN + 80, "https://%s.endpoint.events.%s", id, aev__dns_suffix(region));
  return AEV_OK;
}

/* ---- actions ------------------------------------------------------------- */

AEV__EVENTS_ACTION(create_endpoint) {
  json_t *config;
  int rc = aev__endpoint_members(svc, req, 1, &config);
  if (rc) return rc;
  const char *name = json_string_value(json_object_get(req, "Name"));
  char *failing = NULL;
  aev_bus *bus = NULL;
  aev__http_store *s;
  aev__endpoint *e = NULL;
  if ((rc = aev__endpoint_config_check(config, aev_broker_region(b), aev_broker_account(b))) ||
      (rc = failing_reason(b, config, &failing)) || (rc = locked(b, &bus, &s))) {
    json_decref(config);
    free(failing);
    return rc;
  }
  json_t *o = NULL;
  if (find(s, name)) {
    rc = aev__fail(AEV_ERR_EXISTS, "ResourceAlreadyExistsException", "Endpoint %s already exists.",
                   name);
  } else if (!(rc = make(b, bus, name, config, &e)) && !(rc = name_it(b, s, e))) {
    begin(e, "CREATING", failing, e->created_ms);
    failing = NULL;
    /* The answer first: once stored, the endpoint is answered whole. */
    if (!(o = endpoint_json(e, CREATED)) ||
        !aev__vec_push((void ***)&s->endpoints, &s->n_endpoints, &s->cap_endpoints, e))
      rc = aev__nomem();
  }
  json_decref(config);
  if (rc) {
    json_decref(o);
    aev__endpoint_free(e);
    free(failing);
    return unlock(bus, s, rc);
  }
  return aev__http_answer(bus, s, o, resp);
}

/* The endpoint req's Name names, with the store locked and settled. */
static int named(aev_broker *b, const aev__api_service *svc, json_t *req, aev_bus **bus,
                 aev__http_store **s, aev__endpoint **out) {
  const char *name;
  int rc = aev__api_req_string(svc, req, "Name", &name);
  if (!rc) rc = aev__bus_check_name("name", name, 64);
  if (rc || (rc = locked(b, bus, s))) return rc;
  if ((*out = find(*s, name))) return AEV_OK;
  return unlock(*bus, *s, not_found(name));
}

/* ConcurrentModificationException for a change asked of an endpoint that
 * one is still changing. */
static int changing(const aev__endpoint *e) {
  return aev__fail(AEV_ERR_STATE, "ConcurrentModificationException",
                   "Endpoint %s is %s: another change can start once it has ended.", e->name,
                   e->state);
}

/* named(), for a change: an endpoint still changing is refused. */
static int named_idle(aev_broker *b, const aev__api_service *svc, json_t *req, aev_bus **bus,
                      aev__http_store **s, aev__endpoint **out) {
  int rc = named(b, svc, req, bus, s, out);
  if (rc == AEV_OK && busy(*out)) return unlock(*bus, *s, changing(*out));
  return rc;
}

/* HomeRegion: "The primary Region of the endpoint" (DescribeEndpoint,
 * ListEndpoints), 9 to 20 of [-a-z0-9]; the broker's endpoints all have its
 * Region. *other: a valid HomeRegion that is not the broker's. */
static int home_region(aev_broker *b, const aev__api_service *svc, json_t *req, int *other) {
  const char *home = NULL;
  int rc = aev__api_opt_string(svc, req, "HomeRegion", &home);
  *other = 0;
  if (rc || !home) return rc;
  size_t n = strlen(home);
  if (n < 9 || n > 20) return aev__fail_length(home, "homeRegion", n, 9, 20);
  if (strspn(home, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
    return aev__fail_validation(home, "homeRegion",
                                "Member must satisfy regular expression pattern: ^[\\-a-z0-9]+$");
  *other = strcmp(home, aev_broker_region(b)) != 0;
  return AEV_OK;
}

AEV__EVENTS_ACTION(describe_endpoint) {
  int other;
  int rc = home_region(b, svc, req, &other);
  if (!rc && other) {
    const char *name;
    if (!(rc = aev__api_req_string(svc, req, "Name", &name)) &&
        !(rc = aev__bus_check_name("name", name, 64)))
      rc = not_found(name);
  }
  aev_bus *bus;
  aev__http_store *s;
  aev__endpoint *e;
  if (rc || (rc = named(b, svc, req, &bus, &s, &e))) return rc;
  return aev__http_answer(bus, s, endpoint_json(e, DESCRIBED), resp);
}

AEV__EVENTS_ACTION(list_endpoints) {
  const char *prefix = NULL;
  int other;
  int rc = aev__api_opt_string(svc, req, "NamePrefix", &prefix);
  if (!rc && prefix) rc = aev__bus_check_name("namePrefix", prefix, 64);
  if (!rc) rc = home_region(b, svc, req, &other);
  aev_bus *bus;
  aev__http_store *s;
  if (rc || (rc = locked(b, &bus, &s))) return rc;
  json_t *list = json_array();
  int whole = list != NULL;
  for (size_t i = 0; whole && !other && i < s->n_endpoints; i++) {
    aev__endpoint *e = s->endpoints[i];
    if (prefix && strncmp(e->name, prefix, strlen(prefix))) continue;
    whole = !json_array_append_new(list, endpoint_json(e, DESCRIBED));
  }
  unlock(bus, s, AEV_OK);
  return aev__http_list_answer(svc, req, "MaxResults", "Endpoints", aev__json_whole(list, whole),
                               resp);
}

/* config with given's members in place of its own (a new object). */
static json_t *merged(json_t *config, json_t *given) {
  json_t *m = json_deep_copy(config);
  int whole = m != NULL;
  const char *k;
  json_t *v;
  json_object_foreach(given, k, v) {
    if (whole) whole = !json_object_set_new(m, k, json_deep_copy(v));
  }
  return aev__json_whole(m, whole);
}

/* Whether going from config to m changes how events are routed (anything
 * but the Description): AWS's update-endpoint example that changes only
 * the Description answers ACTIVE, not UPDATING. */
static int reroutes(json_t *config, json_t *m) {
  static const char *const members[] = {"RoutingConfig", "ReplicationConfig", "EventBuses",
                                        "RoleArn"};
  for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
    json_t *x = json_object_get(config, members[i]), *y = json_object_get(m, members[i]);
    if (!(x ? y && json_equal(x, y) : !y)) return 1;
  }
  return 0;
}

/* What UpdateEndpoint reads of the endpoint before it works out the change
 * with the store unlocked (a bus looked up may be let go, and a bus's last
 * release runs its targets' release callbacks, never under a lock). */
typedef struct seen {
  json_t *config; /* a copy */
  const char *state;
} seen;

/* The endpoint req names as it is now (*was), or its error. */
static int look(aev_broker *b, const aev__api_service *svc, json_t *req, seen *was) {
  aev_bus *bus;
  aev__http_store *s;
  aev__endpoint *e;
  int rc = named_idle(b, svc, req, &bus, &s, &e);
  if (rc) return rc;
  was->config = json_deep_copy(e->config);
  was->state = e->state;
  return unlock(bus, s, was->config ? AEV_OK : aev__nomem());
}

AEV__EVENTS_ACTION(update_endpoint) {
  json_t *given = NULL, *m = NULL;
  seen was = {0};
  char *failing = NULL;
  int change = 0;
  int rc = aev__endpoint_members(svc, req, 0, &given);
  if (!rc) rc = look(b, svc, req, &was);
  if (!rc && !(m = merged(was.config, given))) rc = aev__nomem();
  if (!rc) rc = aev__endpoint_config_check(m, aev_broker_region(b), aev_broker_account(b));
  if (!rc) {
    change = reroutes(was.config, m) || strcmp(was.state, "ACTIVE");
    if (change) rc = failing_reason(b, m, &failing);
  }
  json_decref(given);
  aev_bus *bus;
  aev__http_store *s;
  aev__endpoint *e;
  if (rc || (rc = named(b, svc, req, &bus, &s, &e))) {
    json_decref(was.config);
    json_decref(m);
    free(failing);
    return rc;
  }
  /* Another request changed it meanwhile: this one was asked of what it
   * was before. */
  if (busy(e) || strcmp(e->state, was.state) || !json_equal(e->config, was.config))
    rc = changing(e);
  json_decref(was.config);
  /* The answer first, from what e will be, so that a failure changes
   * nothing. */
  aev__endpoint next = *e;
  next.config = m;
  next.state = change ? "UPDATING" : e->state;
  json_t *o = rc ? NULL : endpoint_json(&next, UPDATED);
  if (!o) {
    json_decref(m);
    free(failing);
    return unlock(bus, s, rc ? rc : aev__nomem());
  }
  json_decref(e->config);
  e->config = m;
  int64_t now = aev_broker_now_ms(b);
  if (change) begin(e, "UPDATING", failing, now);
  else e->modified_ms = now;
  return aev__http_answer(bus, s, o, resp);
}

AEV__EVENTS_ACTION(delete_endpoint) {
  aev_bus *bus;
  aev__http_store *s;
  aev__endpoint *e;
  int rc = named_idle(b, svc, req, &bus, &s, &e);
  if (rc) return rc;
  json_t *o = json_object();
  if (!o) return unlock(bus, s, aev__nomem());
  begin(e, "DELETING", NULL, aev_broker_now_ms(b));
  return aev__http_answer(bus, s, o, resp);
}

/* ---- PutEvents ----------------------------------------------------------- */

int aev__endpoint_check_put(aev_broker *b, const char *id) {
  size_t n = strlen(id);
  const char *dot = strchr(id, '.');
  const char *chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";
  if (n < 1 || n > 50) return aev__fail_length(id, "endpointId", n, 1, 50);
  if (!dot || dot == id || !dot[1] || strspn(id, chars) != (size_t)(dot - id) ||
      strspn(dot + 1, chars) != strlen(dot + 1))
    return aev__fail_validation(
        id, "endpointId",
        "Member must satisfy regular expression pattern: ^[A-Za-z0-9\\-]+[\\.][A-Za-z0-9\\-]+$");
  aev_bus *bus;
  aev__http_store *s;
  int rc = locked(b, &bus, &s);
  if (rc) return rc;
  aev__endpoint *e = find_id(s, id);
  /* On AWS the EndpointId is a host name that Route 53 answers once the
   * endpoint is made: the SDK cannot reach one that is not there. These
   * words are ours. */
  if (!e)
    rc = aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "No endpoint has the EndpointId %s.", id);
  else if (!strcmp(e->state, "CREATING") || !strcmp(e->state, "CREATE_FAILED") ||
           !strcmp(e->state, "DELETING"))
    rc = aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Endpoint %s (EndpointId %s) is %s: it takes events once ACTIVE.", e->name, id,
                   e->state);
  return unlock(bus, s, rc);
}

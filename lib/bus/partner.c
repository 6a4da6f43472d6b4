/* EventBridge partner event sources, as the API reference and the partner
 * onboarding guide describe them. A SaaS partner's side:
 * CreatePartnerEventSource (offered to one account), Describe / List /
 * DeletePartnerEventSource, ListPartnerEventSourceAccounts, and
 * PutPartnerEvents (event.c). The customer's side, for the sources offered
 * to the broker's account: Describe / ListEventSources,
 * Activate / DeactivateEventSource, and CreateEventBus with EventSourceName
 * (api_buses.c), which makes the partner event bus the events then reach.
 *
 * A source's state is read from what exists, as the EventSource type
 * defines it: ACTIVE with its bus and not deactivated, PENDING without a
 * bus or deactivated, DELETED for a partner bus whose source was deleted
 * (its rules stay, and work again when the partner makes the source
 * anew). Deleting the bus makes the source PENDING again.
 *
 * Not reproduced: a PENDING source's expiry (AWS deletes one left PENDING
 * for two weeks), and so ExpirationTime is never given. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/api_events.h"
#include "core/broker.h"
#include "core/json_build.h"
#include "core/status.h"

#define PARTNER_PREFIX "aws.partner/"
#define SOURCE_PATTERN "aws\\.partner(/[\\.\\-_A-Za-z0-9]+){2,}"

typedef struct aev__event_source {
  aev__resource res; /* first */
  char account[13];  /* the account it is offered to */
  int64_t created_s;
  _Atomic int deactivated;
} aev__event_source;

static void source_destroy(aev__resource *r) { free(r); }

/* Name against the API model: 1-256 characters of aws.partner followed by
 * at least two /-segments of [.\-_A-Za-z0-9]. */
static int name_ok(const char *name) {
  if (strncmp(name, PARTNER_PREFIX, strlen(PARTNER_PREFIX)) || strlen(name) > 256) return 0;
  int segments = 0;
  for (const char *p = name + strlen("aws.partner"); *p; segments++) {
    p++; /* the '/' */
    size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_");
    if (!n || (p[n] && p[n] != '/')) return 0;
    p += n;
  }
  return segments >= 2;
}

static int check_name(const char *member, const char *name) {
  return name_ok(name) ? AEV_OK
                       : aev__fail_validation(name, member,
                                              "Member must satisfy regular expression pattern: "
                                              SOURCE_PATTERN);
}

static int check_account(const char *account) {
  size_t n = strlen(account);
  return n == 12 && strspn(account, "0123456789") == 12
             ? AEV_OK
             : aev__fail_validation(account, "account",
                                    "Member must satisfy regular expression pattern: \\d{12}");
}

static int no_source(const char *name) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Event source %s does not exist.", name);
}

/* The source called name (a new reference), or NULL. */
static aev__event_source *find(aev_broker *b, const char *name) {
  return (aev__event_source *)aev__registry_find(b, AEV__KIND_EVENT_SOURCE, name);
}

/* The source called name offered to the broker's account, as its customer
 * sees it: a new reference, or ResourceNotFoundException. */
static int find_mine(aev_broker *b, const char *name, aev__event_source **out) {
  aev__event_source *s = find(b, name);
  if (s && strcmp(s->account, aev_broker_account(b))) {
    aev__resource_unref(&s->res);
    s = NULL;
  }
  *out = s;
  return s ? AEV_OK : no_source(name);
}

static int bus_exists(aev_broker *b, const char *name) {
  aev__resource *r = aev__registry_find(b, AEV__KIND_BUS, name);
  if (r) aev__resource_unref(r);
  return r != NULL;
}

/* ACTIVE or PENDING (s may be NULL: its bus's source was deleted). */
static const char *state_of(aev_broker *b, const aev__event_source *s, const char *name) {
  if (!s) return "DELETED";
  if (strcmp(s->account, aev_broker_account(b)) || !bus_exists(b, name)) return "PENDING";
  return s->deactivated ? "PENDING" : "ACTIVE";
}

/* The partner's name: the segment after aws.partner/. */
static json_t *created_by(const char *name) {
  const char *p = name + strlen(PARTNER_PREFIX);
  return json_stringn(p, strcspn(p, "/"));
}

/* An EventSource as the customer's calls answer it; s NULL: the deleted
 * source of the partner bus called name. */
static json_t *source_json(aev_broker *b, const aev__event_source *s, const char *name,
                           const char *arn) {
  json_t *o = json_pack("{s:s,s:o,s:s,s:s}", "Arn", arn, "CreatedBy", created_by(name), "Name",
                        name, "State", state_of(b, s, name));
  if (o && s && json_object_set_new(o, "CreationTime", json_integer(s->created_s))) {
    json_decref(o);
    o = NULL;
  }
  return o;
}

/* The DELETED source of the partner bus called name (its ARN in the bus's
 * partition), or ResourceNotFoundException when there is no such bus. */
static int deleted_source_json(aev_broker *b, const char *name, json_t **out) {
  aev__resource *bus = aev__registry_find(b, AEV__KIND_BUS, name);
  if (!bus) return no_source(name);
  const char *part = bus->arn + 4;
  char arn[512];
  snprintf(arn, sizeof arn, "arn:%.*s:events:%s::event-source/%s", (int)strcspn(part, ":"), part,
           aev_broker_region(b), name);
  aev__resource_unref(bus);
  *out = source_json(b, NULL, name, arn);
  return *out ? AEV_OK : aev__nomem();
}

/* The partner's calls' Name and Account, checked. */
static int name_and_account(const aev__api_service *svc, json_t *req, const char **name,
                            const char **account) {
  int rc = aev__api_req_string(svc, req, "Name", name);
  if (!rc) rc = aev__api_req_string(svc, req, "Account", account);
  if (!rc) rc = check_name("name", *name);
  if (!rc) rc = check_account(*account);
  return rc;
}

AEV__EVENTS_ACTION(create_partner_event_source) {
  const char *name, *account;
  int rc = name_and_account(svc, req, &name, &account);
  if (rc) return rc;
  aev__event_source *s = calloc(1, sizeof *s);
  if (!s) return aev__nomem();
  rc = aev__resource_init(&s->res, b, AEV__KIND_EVENT_SOURCE, name, source_destroy, NULL);
  if (rc) {
    free(s);
    return rc;
  }
  strcpy(s->account, account);
  s->created_s = aev_broker_now_ms(b) / 1000;
  rc = aev__registry_add(b, &s->res, NULL);
  if (!rc) *resp = json_pack("{s:s}", "EventSourceArn", s->res.arn);
  aev__resource_unref(&s->res);
  if (rc == AEV_ERR_EXISTS)
    return aev__fail(AEV_ERR_EXISTS, "ResourceAlreadyExistsException",
                     "Event source %s already exists.", name);
  if (rc) return rc;
  return *resp ? AEV_OK : aev__nomem();
}

/* DeletePartnerEventSource answers no error for a source that is not
 * there (the reference lists none): deleting is idempotent. */
AEV__EVENTS_ACTION(delete_partner_event_source) {
  const char *name, *account;
  int rc = name_and_account(svc, req, &name, &account);
  if (rc) return rc;
  aev__event_source *s = find(b, name);
  if (s && !strcmp(s->account, account)) aev__registry_remove(b, &s->res);
  if (s) aev__resource_unref(&s->res);
  *resp = json_object();
  return *resp ? AEV_OK : aev__nomem();
}

AEV__EVENTS_ACTION(describe_partner_event_source) {
  const char *name;
  int rc = aev__api_req_string(svc, req, "Name", &name);
  if (!rc) rc = check_name("name", name);
  if (rc) return rc;
  aev__event_source *s = find(b, name);
  if (!s) return no_source(name);
  *resp = json_pack("{s:s,s:s}", "Arn", s->res.arn, "Name", s->res.name);
  aev__resource_unref(&s->res);
  return *resp ? AEV_OK : aev__nomem();
}

/* The sources whose names start with prefix, each as item() answers it,
 * paged under key. */
static int list_sources(aev_broker *b, const aev__api_service *svc, json_t *req,
                        const char *prefix, const char *key, int mine_only, json_t **resp) {
  aev__resource **list;
  size_t n;
  int rc = aev__registry_list(b, AEV__KIND_EVENT_SOURCE, prefix, &list, &n);
  if (rc) return rc;
  json_t *items = json_array();
  int whole = items != NULL;
  for (size_t i = 0; whole && i < n; i++) {
    aev__event_source *s = (aev__event_source *)list[i];
    if (mine_only && strcmp(s->account, aev_broker_account(b))) continue;
    json_t *o = mine_only ? source_json(b, s, s->res.name, s->res.arn)
                          : json_pack("{s:s,s:s}", "Arn", s->res.arn, "Name", s->res.name);
    whole = !json_array_append_new(items, o);
  }
  aev__registry_list_free(list, n);
  /* The customer also sees the partner buses whose sources were deleted. */
  if (whole && mine_only &&
      !(rc = aev__registry_list(b, AEV__KIND_BUS, prefix ? prefix : PARTNER_PREFIX, &list, &n))) {
    for (size_t i = 0; !rc && whole && i < n; i++) {
      const char *name = list[i]->name;
      aev__event_source *s = name_ok(name) ? find(b, name) : NULL;
      json_t *o = NULL;
      if (s) aev__resource_unref(&s->res);
      else if (name_ok(name) && !(rc = deleted_source_json(b, name, &o)))
        whole = !json_array_append_new(items, o);
    }
    aev__registry_list_free(list, n);
  }
  if (rc) {
    json_decref(items);
    return rc;
  }
  items = aev__json_whole(items, whole);
  *resp = items ? json_pack("{s:o}", key, items) : NULL;
  if (!*resp) return aev__nomem();
  if ((rc = aev__events_page(svc, req, key, *resp))) json_decref(*resp);
  return rc;
}

AEV__EVENTS_ACTION(list_partner_event_sources) {
  const char *prefix;
  int rc = aev__api_req_string(svc, req, "NamePrefix", &prefix);
  if (!rc) rc = aev__bus_check_length("namePrefix", prefix, 256);
  return rc ? rc : list_sources(b, svc, req, prefix, "PartnerEventSources", 0, resp);
}

AEV__EVENTS_ACTION(list_partner_event_source_accounts) {
  const char *name;
  int rc = aev__api_req_string(svc, req, "EventSourceName", &name);
  if (!rc) rc = check_name("eventSourceName", name);
  if (rc) return rc;
  aev__event_source *s = find(b, name);
  if (!s) return no_source(name);
  json_t *one = json_pack("{s:s,s:I,s:s}", "Account", s->account, "CreationTime",
                          (json_int_t)s->created_s, "State", state_of(b, s, name));
  aev__resource_unref(&s->res);
  *resp = one ? json_pack("{s:[o]}", "PartnerEventSourceAccounts", one) : NULL;
  if (!*resp) return aev__nomem();
  if ((rc = aev__events_page(svc, req, "PartnerEventSourceAccounts", *resp))) json_decref(*resp);
  return rc;
}

AEV__EVENTS_ACTION(list_event_sources) {
  const char *prefix = NULL;
  int rc = aev__api_opt_string(svc, req, "NamePrefix", &prefix);
  if (!rc && prefix) rc = aev__bus_check_length("namePrefix", prefix, 256);
  return rc ? rc : list_sources(b, svc, req, prefix, "EventSources", 1, resp);
}

AEV__EVENTS_ACTION(describe_event_source) {
  const char *name;
  int rc = aev__api_req_string(svc, req, "Name", &name);
  if (!rc) rc = check_name("name", name);
  if (rc) return rc;
  aev__event_source *s = find(b, name);
  if (s && strcmp(s->account, aev_broker_account(b))) {
    aev__resource_unref(&s->res);
    s = NULL;
  }
  if (!s) return deleted_source_json(b, name, resp);
  *resp = source_json(b, s, name, s->res.arn);
  aev__resource_unref(&s->res);
  return *resp ? AEV_OK : aev__nomem();
}

/* Activate (deactivate 0) or deactivate a source with a partner bus: the
 * only sources whose state a customer can change. */
static int set_active(aev_broker *b, const aev__api_service *svc, json_t *req, int active,
                      json_t **resp) {
  const char *name;
  int rc = aev__api_req_string(svc, req, "Name", &name);
  if (!rc) rc = check_name("name", name);
  aev__event_source *s;
  if (rc || (rc = find_mine(b, name, &s))) return rc;
  if (!bus_exists(b, name))
    rc = aev__fail(AEV_ERR_INVALID, "InvalidStateException",
                   "Event source %s has no matching event bus: create one with "
                   "CreateEventBus and EventSourceName first.",
                   name);
  else
    s->deactivated = !active;
  aev__resource_unref(&s->res);
  if (!rc && !(*resp = json_object())) rc = aev__nomem();
  return rc;
}

AEV__EVENTS_ACTION(activate_event_source) { return set_active(b, svc, req, 1, resp); }
AEV__EVENTS_ACTION(deactivate_event_source) { return set_active(b, svc, req, 0, resp); }

int aev__partner_bus_check(aev_broker *b, const char *name, const char *source) {
  if (strcmp(name, source))
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "A partner event bus must have the name of its event source: %s.",
                     source);
  aev__event_source *s;
  int rc = find_mine(b, source, &s);
  if (!rc) aev__resource_unref(&s->res);
  return rc;
}

void aev__partner_bus_made(aev_broker *b, const char *source) {
  aev__event_source *s = find(b, source);
  if (!s) return;
  s->deactivated = 0;
  aev__resource_unref(&s->res);
}

int aev__partner_bus_of(aev_broker *b, const char *source, aev_bus **bus) {
  *bus = NULL;
  aev__event_source *s = name_ok(source) ? find(b, source) : NULL;
  if (!s) return 0;
  if (!strcmp(s->account, aev_broker_account(b)) && !s->deactivated &&
      aev__bus_find(b, source, 0, bus))
    *bus = NULL;
  aev__resource_unref(&s->res);
  return 1;
}

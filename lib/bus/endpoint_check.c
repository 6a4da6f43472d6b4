/* What CreateEndpoint and UpdateEndpoint accept: their members against
 * AWS's model (lengths, patterns, the enum, two EventBuses), then a whole
 * configuration against what a global endpoint is: "a primary and secondary
 * Region with event buses in each Region" (CreateEndpoint), "the names of
 * the event buses must be identical in each Region" (its EventBuses), "in
 * the same account" (the user guide), and replication "ENABLED which means
 * you must supply a RoleArn" (ReplicationConfig). AWS's wording for the
 * second kind is not recorded anywhere we could read: those words are ours. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/http_impl.h"
#include "core/json_build.h"
#include "core/status.h"
#include "core/text.h"

/* A member of the model: its path in AWS's messages, its lengths, and its
 * pattern as AWS quotes it and in POSIX terms (\d is [0-9], \w is
 * [A-Za-z0-9_], '-' last in a bracket; NULL: any text). */
typedef struct rule {
  const char *path;
  size_t min, max;
  const char *quoted, *posix;
} rule;

static const rule NAME = {"name", 1, 64, "[\\.\\-_A-Za-z0-9]+", "^[A-Za-z0-9._-]+$"};
static const rule DESCRIPTION = {"description", 0, 512, NULL, NULL};
static const rule HEALTH_CHECK = {"routingConfig.failoverConfig.primary.healthCheck", 1, 1600,
                                  "^arn:aws([a-z]|\\-)*:route53:::healthcheck/[\\-a-z0-9]+$",
                                  "^arn:aws[a-z-]*:route53:::healthcheck/[a-z0-9-]+$"};
static const rule ROUTE = {"routingConfig.failoverConfig.secondary.route", 9, 20,
                           "^[\\-a-z0-9]+$", "^[a-z0-9-]+$"};
static const rule BUS_ARN = {
    NULL, 1, 512, "^arn:aws[a-z-]*:events:[a-z]+-[a-z-]+-\\d+:\\d{12}:event-bus/[\\w.-]+$",
    "^arn:aws[a-z-]*:events:[a-z]+-[a-z-]+-[0-9]+:[0-9]{12}:event-bus/[A-Za-z0-9_.-]+$"};
static const rule ROLE_ARN = {"roleArn", 1, 256, "^arn:aws[a-z-]*:iam::\\d{12}:role\\/[\\w+=,.@/-]+$",
                              "^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]+$"};

/* The JSON-protocol wording for a member of the wrong type (as the member
 * helpers word it for top-level members). */
static int wrong_type(const char *path, const char *what) {
  return aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "1 validation error detected: Value at '%s' failed to satisfy constraint: "
                   "Member must be %s",
                   path, what);
}

/* o's member key as a string (*out NULL when absent or null). */
static int get_string(json_t *o, const char *key, const char *path, const char **out) {
  json_t *v = json_object_get(o, key);
  *out = NULL;
  if (!v || json_is_null(v)) return AEV_OK;
  if (!json_is_string(v) || memchr(json_string_value(v), 0, json_string_length(v)))
    return wrong_type(path, "a string");
  *out = json_string_value(v);
  return AEV_OK;
}

/* o's member key as an object (*out NULL when absent or null). */
static int get_object(json_t *o, const char *key, const char *path, json_t **out) {
  json_t *v = json_object_get(o, key);
  *out = NULL;
  if (!v || json_is_null(v)) return AEV_OK;
  if (!json_is_object(v)) return wrong_type(path, "an object");
  *out = v;
  return AEV_OK;
}

static int matches(const char *posix, const char *v) {
  regex_t re;
  if (regcomp(&re, posix, REG_EXTENDED | REG_NOSUB)) return -1;
  int ok = regexec(&re, v, 0, NULL, 0) == 0;
  regfree(&re);
  return ok;
}

/* Adds to e what v breaks of r (path overrides r's), the length first;
 * v NULL breaks "must not be null" when required. -1: out of memory. */
static int check(aev__verrors *e, const rule *r, const char *path, const char *v, int required) {
  char constraint[200];
  path = path ? path : r->path;
  if (!v) {
    if (required) aev__verrors_add(e, NULL, path, "Member must not be null");
    return 0;
  }
  size_t n = aev__utf8_chars(v, strlen(v));
  if (n < r->min || n > r->max) {
    snprintf(constraint, sizeof constraint, "Member must have length %s than or equal to %zu",
             n < r->min ? "greater" : "less", n < r->min ? r->min : r->max);
    aev__verrors_add(e, v, path, constraint);
    return 0;
  }
  int ok = r->posix ? matches(r->posix, v) : 1;
  if (ok < 0) return -1;
  if (!ok) {
    snprintf(constraint, sizeof constraint, "Member must satisfy regular expression pattern: %s",
             r->quoted);
    aev__verrors_add(e, v, path, constraint);
  }
  return 0;
}

/* RoutingConfig: FailoverConfig {Primary {HealthCheck}, Secondary {Route}},
 * every member required. */
static int check_routing(aev__verrors *e, json_t *routing, int required) {
  json_t *failover = NULL, *primary = NULL, *secondary = NULL;
  const char *health = NULL, *route = NULL;
  int rc = AEV_OK;
  if (!routing) {
    if (required) aev__verrors_add(e, NULL, "routingConfig", "Member must not be null");
    return AEV_OK;
  }
  if ((rc = get_object(routing, "FailoverConfig", "routingConfig.failoverConfig", &failover)))
    return rc;
  if (!failover) {
    aev__verrors_add(e, NULL, "routingConfig.failoverConfig", "Member must not be null");
    return AEV_OK;
  }
  if ((rc = get_object(failover, "Primary", "routingConfig.failoverConfig.primary", &primary)) ||
      (rc = get_object(failover, "Secondary", "routingConfig.failoverConfig.secondary",
                       &secondary)) ||
      (primary && (rc = get_string(primary, "HealthCheck", HEALTH_CHECK.path, &health))) ||
      (secondary && (rc = get_string(secondary, "Route", ROUTE.path, &route))))
    return rc;
  if (!primary) aev__verrors_add(e, NULL, "routingConfig.failoverConfig.primary", "Member must not be null");
  else if (check(e, &HEALTH_CHECK, NULL, health, 1)) return aev__nomem();
  if (!secondary)
    aev__verrors_add(e, NULL, "routingConfig.failoverConfig.secondary", "Member must not be null");
  else if (check(e, &ROUTE, NULL, route, 1)) return aev__nomem();
  return AEV_OK;
}

/* EventBuses: exactly two {EventBusArn}. */
static int check_buses(aev__verrors *e, json_t *buses, int required) {
  if (!buses) {
    if (required) aev__verrors_add(e, NULL, "eventBuses", "Member must not be null");
    return AEV_OK;
  }
  if (!json_is_array(buses)) return wrong_type("eventBuses", "a list");
  for (size_t i = 0; i < json_array_size(buses); i++) {
    char path[64];
    const char *arn = NULL;
    snprintf(path, sizeof path, "eventBuses.%zu.member", i + 1);
    json_t *bus = json_array_get(buses, i);
    if (!json_is_object(bus)) return wrong_type(path, "an object");
    snprintf(path, sizeof path, "eventBuses.%zu.member.eventBusArn", i + 1);
    int rc = get_string(bus, "EventBusArn", path, &arn);
    if (rc) return rc;
    if (check(e, &BUS_ARN, path, arn, 1)) return aev__nomem();
  }
  size_t n = json_array_size(buses);
  if (n != 2) {
    char constraint[80];
    snprintf(constraint, sizeof constraint, "Member must have length %s than or equal to 2",
             n < 2 ? "greater" : "less");
    /* AWS quotes a list by its members' text; ours stands for it. */
    char *text = json_dumps(buses, JSON_COMPACT);
    if (!text) return aev__nomem();
    aev__verrors_add(e, text, "eventBuses", constraint);
    free(text);
  }
  return AEV_OK;
}

int aev__endpoint_members(const aev__api_service *svc, json_t *req, int create, json_t **out) {
  const char *name, *description = NULL, *state = NULL, *role = NULL;
  json_t *routing = NULL, *replication = NULL;
  *out = NULL;
  int rc = aev__api_req_string(svc, req, "Name", &name);
  if (!rc) rc = aev__api_opt_string(svc, req, "Description", &description);
  if (!rc) rc = aev__api_opt_object(svc, req, "RoutingConfig", &routing);
  if (!rc) rc = aev__api_opt_object(svc, req, "ReplicationConfig", &replication);
  if (!rc && replication) rc = get_string(replication, "State", "replicationConfig.state", &state);
  if (!rc) rc = aev__api_opt_string(svc, req, "RoleArn", &role);
  if (rc) return rc;
  json_t *buses = json_object_get(req, "EventBuses");
  if (json_is_null(buses)) buses = NULL;
  aev__verrors e = {0};
  if (check(&e, &NAME, NULL, name, 1) || check(&e, &DESCRIPTION, NULL, description, 0))
    return aev__nomem();
  if ((rc = check_routing(&e, routing, create))) return rc;
  if (state && strcmp(state, "ENABLED") && strcmp(state, "DISABLED"))
    aev__verrors_add(&e, state, "replicationConfig.state",
                     "Member must satisfy enum value set: [ENABLED, DISABLED]");
  if ((rc = check_buses(&e, buses, create))) return rc;
  if (check(&e, &ROLE_ARN, NULL, role, 0)) return aev__nomem();
  if ((rc = aev__verrors_fail(&e))) return rc;
  /* What the endpoint keeps, as given. */
  static const char *const kept[] = {"Description", "RoutingConfig", "ReplicationConfig",
                                     "EventBuses", "RoleArn"};
  json_t *o = json_object();
  int whole = o != NULL;
  for (size_t i = 0; whole && i < sizeof kept / sizeof kept[0]; i++) {
    json_t *v = json_object_get(req, kept[i]);
    if (v && !json_is_null(v)) whole = !json_object_set_new(o, kept[i], json_deep_copy(v));
  }
  *out = aev__json_whole(o, whole);
  return *out ? AEV_OK : aev__nomem();
}

#define BUS_ARN_MAX 513

/* The Region, account and name of a checked event-bus ARN
 * (arn:PARTITION:events:REGION:ACCOUNT:event-bus/NAME). */
typedef struct bus_arn {
  char region[BUS_ARN_MAX], account[16];
  const char *name;
} bus_arn;

static void parse_bus(const char *arn, bus_arn *out) {
  const char *region = strstr(arn, ":events:") + 8, *account = strchr(region, ':') + 1;
  const char *colon = strchr(account, ':');
  snprintf(out->region, sizeof out->region, "%.*s", (int)(account - 1 - region), region);
  snprintf(out->account, sizeof out->account, "%.*s", (int)(colon - account), account);
  out->name = strchr(colon, '/') + 1;
}

static const char *bus_of(json_t *config, size_t i) {
  return json_string_value(
      json_object_get(json_array_get(json_object_get(config, "EventBuses"), i), "EventBusArn"));
}

static const char *route_of(json_t *config) {
  json_t *f = json_object_get(json_object_get(config, "RoutingConfig"), "FailoverConfig");
  return json_string_value(json_object_get(json_object_get(f, "Secondary"), "Route"));
}

#define INVALID(...) aev__fail(AEV_ERR_INVALID, "ValidationException", __VA_ARGS__)

int aev__endpoint_config_check(json_t *config, const char *region, const char *account) {
  bus_arn x, y;
  parse_bus(bus_of(config, 0), &x);
  parse_bus(bus_of(config, 1), &y);
  const char *route = route_of(config);
  if (!strcmp(x.region, y.region))
    return INVALID("EventBuses must be in two different Regions: both are in %s.", x.region);
  if (strcmp(x.name, y.name))
    return INVALID("EventBuses must have the same name in both Regions: %s and %s differ.",
                   x.name, y.name);
  if (strcmp(x.account, account) || strcmp(y.account, account))
    return INVALID("EventBuses must be in this account, %s.", account);
  if (strcmp(x.region, region) && strcmp(y.region, region))
    return INVALID("One of the EventBuses must be in the endpoint's primary Region, %s.", region);
  const char *other = strcmp(x.region, region) ? x.region : y.region;
  if (strcmp(route, other))
    return INVALID("Secondary Route %s must be the Region of the other event bus, %s.", route,
                   other);
  json_t *replication = json_object_get(config, "ReplicationConfig");
  const char *state = json_string_value(json_object_get(replication, "State"));
  if ((!state || !strcmp(state, "ENABLED")) && !json_object_get(config, "RoleArn"))
    return INVALID("RoleArn is required when event replication is ENABLED (the default): give "
                   "a RoleArn, or set ReplicationConfig State to DISABLED.");
  return AEV_OK;
}

char *aev__endpoint_primary_bus(json_t *config, const char *region) {
  bus_arn x;
  parse_bus(bus_of(config, 0), &x);
  if (strcmp(x.region, region)) parse_bus(bus_of(config, 1), &x);
  return strdup(x.name);
}

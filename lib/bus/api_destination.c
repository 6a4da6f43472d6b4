/* EventBridge API destinations: CreateApiDestination, UpdateApiDestination,
 * DescribeApiDestination, DeleteApiDestination and ListApiDestinations. An
 * API destination is ACTIVE while its connection is AUTHORIZED, INACTIVE
 * otherwise (AWS's recordings: one made on an AUTHORIZING OAuth connection
 * answers INACTIVE). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bus/http_impl.h"
#include "core/broker.h"
#include "core/json_build.h"
#include "core/status.h"
#include "core/text.h"

/* AWS's default InvocationRateLimitPerSecond (API reference). */
#define DEFAULT_RATE 300

static const char *const METHODS[] = {"HEAD", "POST", "PATCH", "DELETE", "PUT", "GET", "OPTIONS",
                                      NULL};

aev__apidest *aev__apidest_find(aev__http_store *s, const char *name_or_arn) {
  for (size_t i = 0; i < s->n_dests; i++)
    if (!strcmp(s->dests[i]->name, name_or_arn) || !strcmp(s->dests[i]->arn, name_or_arn))
      return s->dests[i];
  return NULL;
}

static int all_of(const char *s, size_t n, const char *set) {
  return n && strspn(s, set) >= n;
}

#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

/* ^arn:aws([a-z]|\-)*:events:([a-z]|\d|\-)*:([0-9]{12})?:connection\/
 * [\.\-_A-Za-z0-9]+\/[\-A-Za-z0-9]+$ (AWS's model). */
static int connection_arn_ok(const char *a) {
  if (strncmp(a, "arn:aws", 7)) return 0;
  a += 7;
  a += strspn(a, "abcdefghijklmnopqrstuvwxyz-");
  if (strncmp(a, ":events:", 8)) return 0;
  a += 8;
  a += strspn(a, "abcdefghijklmnopqrstuvwxyz0123456789-");
  if (*a++ != ':') return 0;
  size_t acct = strspn(a, "0123456789");
  if (acct != 0 && acct != 12) return 0;
  a += acct;
  if (strncmp(a, ":connection/", 12)) return 0;
  a += 12;
  const char *slash = strchr(a, '/');
  if (!slash || !all_of(a, (size_t)(slash - a), ALNUM ".-_")) return 0;
  return all_of(slash + 1, strlen(slash + 1), ALNUM "-") && !strchr(slash + 1, '/');
}

/* ^((%[0-9A-Fa-f]{2}|[-()_.!~*';/?:@&=+$,A-Za-z0-9])+)([).!';/?:,])?$ */
static int endpoint_ok(const char *u) {
  if (!*u) return 0;
  for (const char *p = u; *p; p++) {
    if (*p == '%') {
      if (!strchr("0123456789abcdefABCDEF", p[1]) || !p[1] ||
          !strchr("0123456789abcdefABCDEF", p[2]) || !p[2])
        return 0;
      p += 2;
    } else if (!strchr(ALNUM "-()_.!~*';/?:@&=+$,", *p)) {
      return 0;
    }
  }
  return 1;
}

static const char ARN_PATTERN[] =
    "Member must satisfy regular expression pattern: "
    "^arn:aws([a-z]|\\-)*:events:([a-z]|\\d|\\-)*:([0-9]{12})?:connection\\/"
    "[\\.\\-_A-Za-z0-9]+\\/[\\-A-Za-z0-9]+$";
static const char ENDPOINT_PATTERN[] =
    "Member must satisfy regular expression pattern: "
    "^((%[0-9A-Fa-f]{2}|[-()_.!~*';/?:@\\x26=+$,A-Za-z0-9])+)([).!';/?:,])?$";

/* The members Create and Update share, each checked when given; required
 * ones must be (create). */
typedef struct members {
  const char *name, *description, *conn_arn, *endpoint, *method;
  int64_t rate; /* 0: not given */
} members;

static int read_members(const aev__api_service *svc, json_t *req, int create, members *m) {
  *m = (members){0};
  int rc = aev__api_req_string(svc, req, "Name", &m->name);
  if (!rc) rc = aev__api_opt_string(svc, req, "Description", &m->description);
  if (!rc) rc = aev__api_opt_string(svc, req, "ConnectionArn", &m->conn_arn);
  if (!rc) rc = aev__api_opt_string(svc, req, "InvocationEndpoint", &m->endpoint);
  if (!rc) rc = aev__api_opt_string(svc, req, "HttpMethod", &m->method);
  if (!rc && aev__api_has(req, "InvocationRateLimitPerSecond"))
    rc = aev__api_opt_int(svc, req, "InvocationRateLimitPerSecond", 1, INT32_MAX, &m->rate);
  if (rc) return rc;
  aev__verrors e = {0};
  size_t n = strlen(m->name);
  if (!n || n > 64 || !all_of(m->name, n, ALNUM ".-_"))
    aev__verrors_add(&e, m->name, "name",
              !n       ? "Member must have length greater than or equal to 1"
              : n > 64 ? "Member must have length less than or equal to 64"
                       : "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+");
  if (m->description && strlen(m->description) > 512)
    aev__verrors_add(&e, m->description, "description",
              "Member must have length less than or equal to 512");
  if (m->conn_arn && !connection_arn_ok(m->conn_arn))
    aev__verrors_add(&e, m->conn_arn, "connectionArn", ARN_PATTERN);
  if (m->endpoint && (strlen(m->endpoint) > 2048 || !endpoint_ok(m->endpoint)))
    aev__verrors_add(&e, m->endpoint, "invocationEndpoint",
              strlen(m->endpoint) > 2048 ? "Member must have length less than or equal to 2048"
                                         : ENDPOINT_PATTERN);
  if (m->method) {
    size_t i = 0;
    while (METHODS[i] && strcmp(METHODS[i], m->method)) i++;
    if (!METHODS[i])
      aev__verrors_add(&e, m->method, "httpMethod",
                "Member must satisfy enum value set: [HEAD, POST, PATCH, DELETE, PUT, GET, "
                "OPTIONS]");
  }
  if (create) {
    if (!m->conn_arn) aev__verrors_add(&e, NULL, "connectionArn", "Member must not be null");
    if (!m->endpoint) aev__verrors_add(&e, NULL, "invocationEndpoint", "Member must not be null");
    if (!m->method) aev__verrors_add(&e, NULL, "httpMethod", "Member must not be null");
  }
  rc = aev__verrors_fail(&e);
  /* "API destinations are HTTPS endpoints ... The URL must use HTTPS" (the
   * user guide); checked after the model's constraints, which AWS answers
   * first (its recording: 'invalid-endpoint' is not among them). AWS's
   * wording for it is not recorded: these words are ours. */
  if (!rc && m->endpoint && strncasecmp(m->endpoint, "https://", 8))
    rc = aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "Invalid InvocationEndpoint '%s': an API destination's endpoint must use "
                   "HTTPS.",
                   m->endpoint);
  return rc;
}

static const char *state_of(aev__http_store *s, const aev__apidest *d) {
  aev__conn *c = aev__conn_find(s, d->conn_arn);
  return c && !strcmp(c->state, "AUTHORIZED") ? "ACTIVE" : "INACTIVE";
}

enum { SUMMARY, DESCRIBED, LISTED };

static json_t *dest_json(aev__http_store *s, const aev__apidest *d, int shape) {
  json_t *o = json_pack("{s:s,s:s,s:o,s:o}", "ApiDestinationArn", d->arn, "ApiDestinationState",
                        state_of(s, d), "CreationTime", aev__http_time(d->created_ms),
                        "LastModifiedTime", aev__http_time(d->modified_ms));
  if (!o || shape == SUMMARY) return o;
  int whole = !json_object_set_new(o, "Name", json_string(d->name)) &&
              !json_object_set_new(o, "ConnectionArn", json_string(d->conn_arn)) &&
              !json_object_set_new(o, "InvocationEndpoint", json_string(d->endpoint)) &&
              !json_object_set_new(o, "HttpMethod", json_string(d->method)) &&
              !json_object_set_new(o, "InvocationRateLimitPerSecond", json_integer(d->rate));
  if (shape == DESCRIBED && d->description)
    whole = whole && !json_object_set_new(o, "Description", json_string(d->description));
  return aev__json_whole(o, whole);
}

/* The connection an API destination names must exist (mu held). */
static int need_connection(aev__http_store *s, const char *arn) {
  if (aev__conn_find(s, arn)) return AEV_OK;
  const char *name = strstr(arn, ":connection/") + 12;
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Connection '%.*s' does not exist.", (int)strcspn(name, "/"), name);
}

/* Replaces *field with a copy of v when v is given; 0 when out of memory. */
static int set_str(char **field, const char *v) { return !v || !aev__replace_str(field, v); }

AEV__EVENTS_ACTION(create_api_destination) {
  members m;
  int rc = read_members(svc, req, 1, &m);
  aev_bus *bus;
  aev__http_store *s;
  if (rc || (rc = aev__http_store_get(b, &bus, &s))) return rc;
  char uuid[AEV_UUID_LEN + 1], res[200], arn[400];
  aev__broker_uuid(b, uuid);
  snprintf(res, sizeof res, "api-destination/%s/%s", m.name, uuid);
  aev__http_arn(bus, "events", res, arn, sizeof arn);
  aev__apidest *d = calloc(1, sizeof *d);
  int ok = d && set_str(&d->name, m.name) && set_str(&d->arn, arn) &&
           set_str(&d->description, m.description) && set_str(&d->conn_arn, m.conn_arn) &&
           set_str(&d->endpoint, m.endpoint) && set_str(&d->method, m.method);
  if (d) {
    d->rate = m.rate ? m.rate : DEFAULT_RATE;
    d->created_ms = d->modified_ms = aev_broker_now_ms(b);
  }
  pthread_mutex_lock(&s->mu);
  if (!ok) rc = aev__nomem();
  else if (aev__apidest_find(s, m.name))
    rc = aev__fail(AEV_ERR_EXISTS, "ResourceAlreadyExistsException",
                   "An api-destination '%s' already exists.", m.name);
  else if (!(rc = need_connection(s, m.conn_arn)) && s->n_dests >= AEV__MAX_API_DESTINATIONS)
    rc = aev__fail(AEV_ERR_LIMIT, "LimitExceededException",
                   "The requested resource exceeds the maximum number allowed: %d API "
                   "destinations per account and Region.",
                   AEV__MAX_API_DESTINATIONS);
  if (!rc && !aev__vec_push((void ***)&s->dests, &s->n_dests, &s->cap_dests, d))
    rc = aev__nomem();
  if (!rc) *resp = dest_json(s, d, SUMMARY);
  pthread_mutex_unlock(&s->mu);
  aev_bus_release(bus);
  if (rc) aev__apidest_free(d);
  return rc ? rc : *resp ? AEV_OK : aev__nomem();
}

void aev__apidest_free(aev__apidest *d) {
  if (!d) return;
  free(d->name);
  free(d->arn);
  free(d->description);
  free(d->conn_arn);
  free(d->endpoint);
  free(d->method);
  free(d);
}

AEV__EVENTS_ACTION(describe_api_destination) {
  aev_bus *bus;
  aev__http_store *s;
  aev__apidest *d;
  int rc = aev__http_locked(b, svc, req, AEV__HTTP_API_DESTINATION, "describe", &bus, &s, (void **)&d);
  return rc ? rc : aev__http_answer(bus, s, dest_json(s, d, DESCRIBED), resp);
}

AEV__EVENTS_ACTION(delete_api_destination) {
  aev_bus *bus;
  aev__http_store *s;
  aev__apidest *d;
  int rc = aev__http_locked(b, svc, req, AEV__HTTP_API_DESTINATION, "delete", &bus, &s, (void **)&d);
  if (rc) return rc;
  aev__vec_remove((void **)s->dests, &s->n_dests, d);
  aev__apidest_free(d);
  return aev__http_answer(bus, s, json_object(), resp);
}

AEV__EVENTS_ACTION(update_api_destination) {
  members m;
  int rc = read_members(svc, req, 0, &m);
  aev_bus *bus;
  aev__http_store *s;
  aev__apidest *d;
  if (rc || (rc = aev__http_locked(b, svc, req, AEV__HTTP_API_DESTINATION, "update", &bus, &s, (void **)&d)))
    return rc;
  if (m.conn_arn) rc = need_connection(s, m.conn_arn);
  /* Copies first, so that running out of memory changes nothing. */
  char *desc = NULL, *conn = NULL, *endpoint = NULL, *method = NULL;
  if (!rc && (!set_str(&desc, m.description) || !set_str(&conn, m.conn_arn) ||
              !set_str(&endpoint, m.endpoint) || !set_str(&method, m.method)))
    rc = aev__nomem();
  if (!rc) {
    if (desc) free(d->description), d->description = desc;
    if (conn) free(d->conn_arn), d->conn_arn = conn;
    if (endpoint) free(d->endpoint), d->endpoint = endpoint;
    if (method) free(d->method), d->method = method;
    if (m.rate) d->rate = m.rate;
    d->modified_ms = aev_broker_now_ms(b);
  } else {
    free(desc);
    free(conn);
    free(endpoint);
    free(method);
    pthread_mutex_unlock(&s->mu);
    aev_bus_release(bus);
    return rc;
  }
  return aev__http_answer(bus, s, dest_json(s, d, SUMMARY), resp);
}

AEV__EVENTS_ACTION(list_api_destinations) {
  const char *prefix = NULL, *conn = NULL;
  int rc = aev__api_opt_string(svc, req, "NamePrefix", &prefix);
  if (!rc) rc = aev__api_opt_string(svc, req, "ConnectionArn", &conn);
  aev_bus *bus;
  aev__http_store *s;
  if (rc || (rc = aev__http_store_get(b, &bus, &s))) return rc;
  json_t *list = json_array();
  int whole = list != NULL;
  pthread_mutex_lock(&s->mu);
  for (size_t i = 0; whole && i < s->n_dests; i++) {
    aev__apidest *d = s->dests[i];
    if ((prefix && strncmp(d->name, prefix, strlen(prefix))) || (conn && strcmp(conn, d->conn_arn)))
      continue;
    whole = !json_array_append_new(list, dest_json(s, d, LISTED));
  }
  pthread_mutex_unlock(&s->mu);
  aev_bus_release(bus);
  return aev__http_list_answer(svc, req, "Limit", "ApiDestinations", aev__json_whole(list, whole), resp);
}

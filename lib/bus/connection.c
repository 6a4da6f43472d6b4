/* EventBridge connections: CreateConnection, UpdateConnection,
 * DescribeConnection, DeleteConnection, DeauthorizeConnection and
 * ListConnections, kept in the broker's store of HTTP resources with the
 * secrets AWS keeps in Secrets Manager and never shows back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/http_impl.h"
#include "core/broker.h"
#include "core/json_build.h"
#include "core/registry.h"
#include "core/status.h"
#include "core/text.h"

void aev__conn_free(aev__conn *c) {
  if (!c) return;
  free(c->name);
  free(c->arn);
  free(c->secret_arn);
  free(c->description);
  free(c->token);
  json_decref(c->auth);
  free(c);
}

aev__conn *aev__conn_find(aev__http_store *s, const char *name_or_arn) {
  for (size_t i = 0; i < s->n_conns; i++)
    if (!strcmp(s->conns[i]->name, name_or_arn) || !strcmp(s->conns[i]->arn, name_or_arn))
      return s->conns[i];
  return NULL;
}

/* ---- validation -------------------------------------------------------- */

static const char *const AUTH_TYPES[] = {"BASIC", "OAUTH_CLIENT_CREDENTIALS", "API_KEY", NULL};
static const char *const OAUTH_METHODS[] = {"GET", "POST", "PUT", NULL};

/* The member of AuthParameters that each AuthorizationType needs. */
static const char *params_of(const char *type) {
  return !strcmp(type, "BASIC")     ? "BasicAuthParameters"
         : !strcmp(type, "API_KEY") ? "ApiKeyAuthParameters"
                                    : "OAuthParameters";
}

/* A required string member of o of 1 to max characters; path names it in
 * AWS's message ("authParameters.basicAuthParameters.username"). */
static int need_string(const aev__api_service *svc, json_t *o, const char *name,
                       const char *path, size_t max) {
  const char *v = NULL;
  int rc = aev__api_opt_string(svc, o, name, &v);
  if (rc) return rc;
  if (!v) return aev__fail_validation(NULL, path, "Member must not be null");
  if (!*v) return aev__fail_length(v, path, 0, 1, max);
  return aev__bus_check_length(path, v, max);
}

/* ConnectionHttpParameters: lists of at most 100 {Key, Value, IsValueSecret}. */
static int check_http_params(const aev__api_service *svc, json_t *p, const char *path) {
  static const char *const lists[] = {"HeaderParameters", "QueryStringParameters",
                                      "BodyParameters"};
  static const char *const paths[] = {"headerParameters", "queryStringParameters",
                                      "bodyParameters"};
  if (!p) return AEV_OK;
  for (size_t i = 0; i < 3; i++) {
    json_t *l = NULL;
    char m[160];
    snprintf(m, sizeof m, "%s.%s", path, paths[i]);
    int rc = aev__api_opt_array(svc, p, lists[i], &l);
    if (rc) return rc;
    if (json_array_size(l) > 100) return aev__fail_length(NULL, m, json_array_size(l), 0, 100);
    for (size_t j = 0; j < json_array_size(l); j++) {
      json_t *e = json_array_get(l, j);
      int secret = 0;
      char k[200], v[200];
      snprintf(k, sizeof k, "%s.%zu.member.key", m, j + 1);
      snprintf(v, sizeof v, "%s.%zu.member.value", m, j + 1);
      if (!json_is_object(e))
        return aev__fail_validation(NULL, m, "Member must be a list of objects");
      const char *value = NULL;
      if ((rc = need_string(svc, e, "Key", k, 512)) ||
          (rc = aev__api_opt_string(svc, e, "Value", &value)) ||
          (rc = aev__bus_check_length(v, value, 512)) ||
          (rc = aev__api_opt_bool(svc, e, "IsValueSecret", &secret)))
        return rc;
    }
  }
  return AEV_OK;
}

/* AuthParameters as a connection of type needs them, complete. */
static int check_auth(const aev__api_service *svc, const char *type, json_t *auth) {
  const char *need = params_of(type);
  json_t *p = json_object_get(auth, need), *inv = NULL;
  int rc = aev__api_opt_object(svc, auth, "InvocationHttpParameters", &inv);
  if (!rc) rc = check_http_params(svc, inv, "authParameters.invocationHttpParameters");
  if (rc) return rc;
  if (!json_is_object(p))
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "AuthParameters must contain %s for AuthorizationType %s.", need, type);
  if (!strcmp(type, "BASIC")) {
    if ((rc = need_string(svc, p, "Username", "authParameters.basicAuthParameters.username", 512)))
      return rc;
    return need_string(svc, p, "Password", "authParameters.basicAuthParameters.password", 512);
  }
  if (!strcmp(type, "API_KEY")) {
    if ((rc = need_string(svc, p, "ApiKeyName", "authParameters.apiKeyAuthParameters.apiKeyName",
                          512)))
      return rc;
    return need_string(svc, p, "ApiKeyValue",
                       "authParameters.apiKeyAuthParameters.apiKeyValue", 512);
  }
  const char *method = NULL;
  json_t *client = NULL, *oh = NULL;
  if ((rc = need_string(svc, p, "AuthorizationEndpoint",
                        "authParameters.oAuthParameters.authorizationEndpoint", 2048)) ||
      (rc = need_string(svc, p, "HttpMethod", "authParameters.oAuthParameters.httpMethod", 16)) ||
      (rc = aev__api_opt_enum(svc, p, "HttpMethod", "authParameters.oAuthParameters.httpMethod",
                              OAUTH_METHODS, &method)) ||
      (rc = aev__api_opt_object(svc, p, "OAuthHttpParameters", &oh)) ||
      (rc = check_http_params(svc, oh, "authParameters.oAuthParameters.oAuthHttpParameters")) ||
      (rc = aev__api_opt_object(svc, p, "ClientParameters", &client)))
    return rc;
  if (!client)
    return aev__fail_validation(NULL, "authParameters.oAuthParameters.clientParameters",
                                "Member must not be null");
  if ((rc = need_string(svc, client, "ClientID",
                        "authParameters.oAuthParameters.clientParameters.clientID", 512)))
    return rc;
  return need_string(svc, client, "ClientSecret",
                     "authParameters.oAuthParameters.clientParameters.clientSecret", 512);
}

/* ---- shapes ------------------------------------------------------------- */

/* A ConnectionHttpParameters list as Describe shows it: a secret value is
 * never shown. */
static json_t *public_params(json_t *p) {
  json_t *o = json_object();
  const char *k;
  json_t *l;
  json_object_foreach(p, k, l) {
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(l, i, e) {
      json_t *c = json_copy(e);
      if (json_is_true(json_object_get(e, "IsValueSecret"))) json_object_del(c, "Value");
      json_array_append_new(out, c);
    }
    json_object_set_new(o, k, out);
  }
  return o;
}

/* AuthParameters as DescribeConnection answers them: names, never secrets. */
static json_t *public_auth(json_t *auth) {
  json_t *o = json_object(), *p;
  if ((p = json_object_get(auth, "BasicAuthParameters")))
    json_object_set_new(o, "BasicAuthParameters",
                        json_pack("{s:O}", "Username", json_object_get(p, "Username")));
  if ((p = json_object_get(auth, "ApiKeyAuthParameters")))
    json_object_set_new(o, "ApiKeyAuthParameters",
                        json_pack("{s:O}", "ApiKeyName", json_object_get(p, "ApiKeyName")));
  if ((p = json_object_get(auth, "OAuthParameters"))) {
    json_t *q = json_pack("{s:O,s:{s:O},s:O}", "AuthorizationEndpoint",
                          json_object_get(p, "AuthorizationEndpoint"), "ClientParameters",
                          "ClientID", json_object_get(json_object_get(p, "ClientParameters"), "ClientID"),
                          "HttpMethod", json_object_get(p, "HttpMethod"));
    json_t *oh = json_object_get(p, "OAuthHttpParameters");
    if (q && oh) json_object_set_new(q, "OAuthHttpParameters", public_params(oh));
    json_object_set_new(o, "OAuthParameters", q);
  }
  if ((p = json_object_get(auth, "InvocationHttpParameters")))
    json_object_set_new(o, "InvocationHttpParameters", public_params(p));
  return o;
}

enum { SUMMARY, DESCRIBED, LISTED };

/* The connection as AWS shows it: Create's answer has no LastAuthorizedTime
 * (first), Update's, Delete's and Deauthorize's have (SUMMARY); state
 * overrides the stored one (DELETING, DEAUTHORIZING). mu held. */
static json_t *conn_json(const aev__conn *c, int shape, int first, const char *state) {
  json_t *o = json_pack("{s:s,s:s,s:o,s:o}", "ConnectionArn", c->arn, "ConnectionState",
                        state ? state : c->state, "CreationTime",
                        aev__http_time(c->created_ms), "LastModifiedTime",
                        aev__http_time(c->modified_ms));
  if (!o) return NULL;
  int whole = 1;
  if (!first)
    whole = !json_object_set_new(o, "LastAuthorizedTime", aev__http_time(c->authorized_ms));
  if (shape != SUMMARY) {
    whole = whole && !json_object_set_new(o, "Name", json_string(c->name)) &&
            !json_object_set_new(o, "AuthorizationType", json_string(c->type));
  }
  if (shape == DESCRIBED) {
    whole = whole && !json_object_set_new(o, "AuthParameters", public_auth(c->auth)) &&
            !json_object_set_new(o, "SecretArn", json_string(c->secret_arn));
    if (c->description)
      whole = whole && !json_object_set_new(o, "Description", json_string(c->description));
  }
  return aev__json_whole(o, whole);
}

/* ---- actions ------------------------------------------------------------ */

void aev__conn_deauthorize(aev__conn *c) {
  free(c->token);
  c->token = NULL;
  c->gen++;
  c->state = "DEAUTHORIZED";
}

void aev__conn_authorize(aev_bus *bus, aev__conn *c, int64_t now) {
  aev__conn_deauthorize(c);
  c->authorized_ms = now;
  if (strcmp(c->type, "OAUTH_CLIENT_CREDENTIALS")) {
    c->state = "AUTHORIZED";
    return;
  }
  c->state = "AUTHORIZING";
  aev__conn_request_token(bus, c);
}

/* The members of CreateConnection, checked. */
static int create_members(const aev__api_service *svc, json_t *req, const char **name,
                          const char **description, const char **type, json_t **auth) {
  int rc = aev__api_req_string(svc, req, "Name", name);
  if (!rc) rc = aev__bus_check_name("name", *name, 64);
  if (!rc) rc = aev__api_opt_string(svc, req, "Description", description);
  if (!rc) rc = aev__bus_check_length("description", *description, 512);
  if (!rc) rc = aev__api_req_string(svc, req, "AuthorizationType", type);
  if (!rc) rc = aev__api_opt_enum(svc, req, "AuthorizationType", "authorizationType", AUTH_TYPES,
                                  type);
  if (!rc) rc = aev__api_req_object(svc, req, "AuthParameters", auth);
  if (!rc) rc = check_auth(svc, *type, *auth);
  return rc;
}

static const char *type_name(const char *t) {
  for (size_t i = 0; AUTH_TYPES[i]; i++)
    if (!strcmp(AUTH_TYPES[i], t)) return AUTH_TYPES[i];
  return AUTH_TYPES[0];
}

AEV__EVENTS_ACTION(create_connection) {
  const char *name, *description = NULL, *type;
  json_t *auth;
  int rc = create_members(svc, req, &name, &description, &type, &auth);
  aev_bus *bus;
  aev__http_store *s;
  if (rc || (rc = aev__http_store_get(b, &bus, &s))) return rc;
  char uuid[AEV_UUID_LEN + 1], suffix[7], res[200], arn[400], secret[460];
  aev__broker_uuid(b, uuid);
  aev__broker_token(b, suffix, 6);
  snprintf(res, sizeof res, "connection/%s/%s", name, uuid);
  aev__http_arn(bus, "events", res, arn, sizeof arn);
  /* AWS keeps the connection's secrets in Secrets Manager under this name. */
  snprintf(res, sizeof res, "secret:events!connection/%s/%s-%s", name, uuid, suffix);
  aev__http_arn(bus, "secretsmanager", res, secret, sizeof secret);
  aev__conn *c = calloc(1, sizeof *c);
  if (!c || !(c->name = strdup(name)) || !(c->arn = strdup(arn)) ||
      !(c->secret_arn = strdup(secret)) || (description && !(c->description = strdup(description))) ||
      !(c->auth = json_deep_copy(auth))) {
    aev__conn_free(c);
    aev_bus_release(bus);
    return aev__nomem();
  }
  c->type = type_name(type);
  c->created_ms = c->modified_ms = aev_broker_now_ms(b);
  pthread_mutex_lock(&s->mu);
  if (aev__conn_find(s, name))
    rc = aev__fail(AEV_ERR_EXISTS, "ResourceAlreadyExistsException",
                   "Connection '%s' already exists.", name);
  else if (s->n_conns >= AEV__MAX_CONNECTIONS)
    rc = aev__fail(AEV_ERR_LIMIT, "LimitExceededException",
                   "The requested resource exceeds the maximum number allowed: %d "
                   "connections per account and Region.",
                   AEV__MAX_CONNECTIONS);
  else if (!aev__vec_push((void ***)&s->conns, &s->n_conns, &s->cap_conns, c))
    rc = aev__nomem();
  if (!rc) {
    aev__conn_authorize(bus, c, c->created_ms);
    *resp = conn_json(c, SUMMARY, 1, NULL);
  }
  pthread_mutex_unlock(&s->mu);
  if (rc) aev__conn_free(c);
  aev_bus_release(bus);
  return rc ? rc : *resp ? AEV_OK : aev__nomem();
}

AEV__EVENTS_ACTION(describe_connection) {
  aev_bus *bus;
  aev__http_store *s;
  aev__conn *c;
  int rc = aev__http_locked(b, svc, req, AEV__HTTP_CONNECTION, "describe", &bus, &s, (void **)&c);
  return rc ? rc : aev__http_answer(bus, s, conn_json(c, DESCRIBED, 0, NULL), resp);
}

AEV__EVENTS_ACTION(delete_connection) {
  aev_bus *bus;
  aev__http_store *s;
  aev__conn *c;
  int rc = aev__http_locked(b, svc, req, AEV__HTTP_CONNECTION, "delete", &bus, &s, (void **)&c);
  if (rc) return rc;
  json_t *o = conn_json(c, SUMMARY, 0, "DELETING");
  if (o) {
    aev__vec_remove((void **)s->conns, &s->n_conns, c);
    aev__conn_free(c);
  }
  return aev__http_answer(bus, s, o, resp);
}

/* AWS removes the authorization (the secret) and the connection goes
 * DEAUTHORIZING, then DEAUTHORIZED: here at once. UpdateConnection with
 * new AuthParameters authorizes it again. */
AEV__EVENTS_ACTION(deauthorize_connection) {
  aev_bus *bus;
  aev__http_store *s;
  aev__conn *c;
  int rc = aev__http_locked(b, svc, req, AEV__HTTP_CONNECTION, "deauthorize", &bus, &s, (void **)&c);
  if (rc) return rc;
  aev__conn_deauthorize(c);
  c->modified_ms = aev_broker_now_ms(b);
  return aev__http_answer(bus, s, conn_json(c, SUMMARY, 0, "DEAUTHORIZING"), resp);
}

/* Merges src into dst (both objects) member by member, objects within
 * objects too: what src leaves out stays. 0 when out of memory. */
static int merge(json_t *dst, json_t *src) {
  const char *k;
  json_t *v;
  json_object_foreach(src, k, v) {
    json_t *cur = json_object_get(dst, k);
    if (json_is_object(cur) && json_is_object(v)) {
      if (!merge(cur, v)) return 0;
    } else if (json_object_set_new(dst, k, json_deep_copy(v))) {
      return 0;
    }
  }
  return 1;
}

/* UpdateConnection's AuthParameters merged into have (a new object): the
 * members given replace those stored, down to ClientSecret; a new
 * AuthorizationType drops the old type's parameters. */
static json_t *merged_auth(json_t *have, const char *old_type, const char *type, json_t *given) {
  json_t *m = json_deep_copy(have);
  if (!m) return NULL;
  if (strcmp(old_type, type)) json_object_del(m, params_of(old_type));
  if (given && !merge(m, given)) {
    json_decref(m);
    return NULL;
  }
  return m;
}

AEV__EVENTS_ACTION(update_connection) {
  const char *description = NULL, *type = NULL;
  json_t *given = NULL;
  int rc = aev__api_opt_string(svc, req, "Description", &description);
  if (!rc) rc = aev__bus_check_length("description", description, 512);
  if (!rc) rc = aev__api_opt_enum(svc, req, "AuthorizationType", "authorizationType", AUTH_TYPES,
                                  &type);
  if (!rc) rc = aev__api_opt_object(svc, req, "AuthParameters", &given);
  aev_bus *bus;
  aev__http_store *s;
  aev__conn *c;
  if (rc || (rc = aev__http_locked(b, svc, req, AEV__HTTP_CONNECTION, "update", &bus, &s, (void **)&c)))
    return rc;
  const char *new_type = type ? type_name(type) : c->type;
  json_t *auth = given || type ? merged_auth(c->auth, c->type, new_type, given) : NULL;
  char *desc = NULL;
  if ((given || type) && !auth) rc = aev__nomem();
  else if (auth) rc = check_auth(svc, new_type, auth);
  if (!rc) rc = aev__replace_str(&desc, description);
  if (rc) {
    json_decref(auth);
    free(desc);
    pthread_mutex_unlock(&s->mu);
    aev_bus_release(bus);
    return rc;
  }
  c->modified_ms = aev_broker_now_ms(b);
  if (description) {
    free(c->description);
    c->description = desc;
  }
  if (auth) {
    json_decref(c->auth);
    c->auth = auth;
    c->type = new_type;
    aev__conn_authorize(bus, c, c->modified_ms);
  }
  return aev__http_answer(bus, s, conn_json(c, SUMMARY, 0, NULL), resp);
}

static const char *const STATES[] = {"CREATING", "UPDATING", "DELETING", "AUTHORIZED",
                                     "DEAUTHORIZED", "AUTHORIZING", "DEAUTHORIZING",
                                     "ACTIVE", "FAILED_CONNECTIVITY", NULL};

AEV__EVENTS_ACTION(list_connections) {
  const char *prefix = NULL, *state = NULL;
  int rc = aev__api_opt_string(svc, req, "NamePrefix", &prefix);
  if (!rc) rc = aev__api_opt_enum(svc, req, "ConnectionState", "connectionState", STATES, &state);
  aev_bus *bus;
  aev__http_store *s;
  if (rc || (rc = aev__http_store_get(b, &bus, &s))) return rc;
  json_t *list = json_array();
  int whole = list != NULL;
  pthread_mutex_lock(&s->mu);
  for (size_t i = 0; whole && i < s->n_conns; i++) {
    aev__conn *c = s->conns[i];
    if ((prefix && strncmp(c->name, prefix, strlen(prefix))) || (state && strcmp(state, c->state)))
      continue;
    whole = !json_array_append_new(list, conn_json(c, LISTED, 0, NULL));
  }
  pthread_mutex_unlock(&s->mu);
  aev_bus_release(bus);
  return aev__http_list_answer(svc, req, "Limit", "Connections", aev__json_whole(list, whole), resp);
}

/* Mobile push: platform applications, their device endpoints (the Enabled
 * attribute, token idempotency) and Publish to an endpoint, whose payload
 * is the message's entry for the endpoint's platform (SNS API reference
 * and developer guide, "Mobile push notifications"). */
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "topic/account.h"

static const char *const platforms[] = {
    "ADM", "APNS", "APNS_SANDBOX", "APNS_VOIP", "APNS_VOIP_SANDBOX", "BAIDU", "GCM",
    "MACOS", "MACOS_SANDBOX", "MPNS", "WNS", NULL};

/* The element after the resource type of arn:...:TYPE/PLATFORM/...: */
static const char *resource_of(const char *arn) {
  for (int colons = 0; arn && *arn && colons < 5; arn++) colons += *arn == ':';
  return arn;
}

int aev__push_is_endpoint(const char *arn) {
  const char *r = resource_of(arn);
  return r && !strncmp(r, "endpoint/", 9);
}

void aev__push_platform(const char *arn, char *out, size_t n) {
  const char *p = strchr(resource_of(arn), '/');
  p = p ? p + 1 : "";
  size_t len = strcspn(p, "/");
  snprintf(out, n, "%.*s", (int)len, p);
}

/* An attribute map's values must be strings. */
static int string_map(json_t *attrs) {
  const char *k;
  json_t *v;
  json_object_foreach(attrs, k, v) if (!json_is_string(v))
    return aev__sns_invalid("Invalid parameter: Attributes Reason: %s must be a string", k);
  return AEV_OK;
}

static int enabled_ok(json_t *attrs) {
  const char *on = json_string_value(json_object_get(attrs, "Enabled"));
  if (on && strcmp(on, "true") && strcmp(on, "false"))
    return aev__sns_invalid("Invalid parameter: Attributes Reason: Enabled must be true or false");
  return AEV_OK;
}

static int name_ok(const char *name) {
  size_t n = strlen(name);
  if (n < 1 || n > 256) return 0;
  for (const char *p = name; *p; p++)
    if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') && !(*p >= '0' && *p <= '9') &&
        *p != '_' && *p != '-' && *p != '.')
      return 0;
  return 1;
}

static int app_missing(void) { return aev__sns_not_found("PlatformApplication"); }

/* arn:PARTITION:sns:REGION:ACCOUNT:TYPE/PLATFORM/NAME[/ID] in the
 * account's partition, region and account (a new string, NULL when memory
 * is short): app/GCM/shop, endpoint/GCM/shop/ID. */
static char *arn_with(const aev__sns_account *a, const char *type, const char *platform,
                      const char *name, const char *id) {
  const char *r = resource_of(a->res.arn);
  char *out;
  if (asprintf(&out, "%.*s%s%s/%s%s%s", (int)(r - a->res.arn), a->res.arn, type, platform, name,
               id ? "/" : "", id ? id : "") < 0)
    return NULL;
  return out;
}

int aev__push_create_app(aev_broker *b, const aev__api_service *svc, json_t *req,
                         json_t **resp) {
  const char *name, *platform;
  json_t *attrs = NULL;
  int rc = aev__api_req_string(svc, req, "Name", &name);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "Platform", &platform);
  if (rc == AEV_OK) rc = aev__api_req_object(svc, req, "Attributes", &attrs);
  if (rc == AEV_OK && !name_ok(name))
    rc = aev__sns_invalid("Invalid parameter: Name Reason: must be 1 to 256 letters, digits, "
                          "hyphens, underscores and periods");
  int known = 0;
  for (size_t i = 0; rc == AEV_OK && platforms[i]; i++) known |= !strcmp(platform, platforms[i]);
  if (rc == AEV_OK && !known)
    rc = aev__sns_invalid("Invalid parameter: Platform Reason: %s is not one of ADM, APNS, "
                          "APNS_SANDBOX, APNS_VOIP, APNS_VOIP_SANDBOX, BAIDU, GCM, MACOS, "
                          "MACOS_SANDBOX, MPNS, WNS", platform);
  if (rc == AEV_OK) rc = string_map(attrs);
  if (rc == AEV_OK) rc = enabled_ok(attrs);
  aev__sns_account *a;
  if (rc == AEV_OK) rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  char *arn = arn_with(a, "app/", platform, name, NULL);
  json_t *app = json_object_get(a->apps, arn ? arn : "");
  /* Creating an application again updates the one of that name. */
  if (!arn) rc = aev__nomem();
  else if (app) rc = aev__sns_merge(json_object_get(app, "Attributes"), attrs);
  else {
    /* Enabled unless the attributes say otherwise. */
    json_t *stored = json_pack("{s:s}", "Enabled", "true");
    app = stored && aev__sns_merge(stored, attrs) == AEV_OK
              ? json_pack("{s:s,s:o}", "Platform", platform, "Attributes", stored)
              : (json_decref(stored), NULL);
    rc = !app || json_object_set_new(a->apps, arn, app) ? aev__nomem() : AEV_OK;
  }
  aev__sns_account_unlock(a);
  if (rc == AEV_OK && !(*resp = json_pack("{s:s}", "PlatformApplicationArn", arn))) rc = aev__nomem();
  free(arn);
  return rc;
}

/* The attributes an application shows: its credentials stay secret. */
/* An application's or endpoint's Attributes as answered: a copy, without an
 * application's credentials, which are never shown back. */
static json_t *attributes_view(json_t *it) {
  json_t *v = json_deep_copy(json_object_get(it, "Attributes"));
  json_object_del(v, "PlatformCredential");
  json_object_del(v, "PlatformPrincipal");
  return v;
}

/* Get*Attributes of the application or endpoint whose ARN is the request's
 * arn_member, in the account's map kind (apps or endpoints: offsetof). */
static int get_attributes(aev_broker *b, const aev__api_service *svc, json_t *req,
                          const char *arn_member, size_t map, const char *kind,
                          json_t **resp) {
  const char *arn;
  aev__sns_account *a;
  int rc = aev__api_req_string(svc, req, arn_member, &arn);
  if (rc == AEV_OK) rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  json_t *it = json_object_get(*(json_t **)((char *)a + map), arn);
  json_t *v = it ? attributes_view(it) : NULL;
  aev__sns_account_unlock(a);
  if (!it) return aev__sns_not_found(kind);
  *resp = v ? json_pack("{s:o}", "Attributes", v) : NULL;
  return *resp ? AEV_OK : aev__nomem();
}

int aev__push_get_app(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  return get_attributes(b, svc, req, "PlatformApplicationArn",
                        offsetof(aev__sns_account, apps), "PlatformApplication", resp);
}

/* Set*Attributes of the application or endpoint whose ARN is the request's
 * arn_member, in the account's map kind (apps or endpoints: offsetof). */
static int set_attributes(aev_broker *b, const aev__api_service *svc, json_t *req,
                          const char *arn_member, size_t map, const char *kind,
                          json_t **resp) {
  const char *arn;
  json_t *attrs = NULL;
  aev__sns_account *a;
  int rc = aev__api_req_string(svc, req, arn_member, &arn);
  if (rc == AEV_OK) rc = aev__api_req_object(svc, req, "Attributes", &attrs);
  if (rc == AEV_OK) rc = string_map(attrs);
  if (rc == AEV_OK) rc = enabled_ok(attrs);
  if (rc == AEV_OK) rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  json_t *it = json_object_get(*(json_t **)((char *)a + map), arn);
  rc = !it ? aev__sns_not_found(kind) : aev__sns_merge(json_object_get(it, "Attributes"), attrs);
  aev__sns_account_unlock(a);
  return rc != AEV_OK ? rc : aev__sns_empty(resp);
}

int aev__push_set_app(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  return set_attributes(b, svc, req, "PlatformApplicationArn",
                        offsetof(aev__sns_account, apps), "PlatformApplication", resp);
}

/* Whether endpoint arn belongs to application app_arn. */
static int of_app(json_t *ep, const char *app_arn) {
  return !strcmp(json_string_value(json_object_get(ep, "App")), app_arn);
}

int aev__push_delete_app(aev_broker *b, const aev__api_service *svc, json_t *req,
                         json_t **resp) {
  const char *arn;
  aev__sns_account *a;
  int rc = aev__api_req_string(svc, req, "PlatformApplicationArn", &arn);
  if (rc == AEV_OK) rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  /* Its endpoints go with it; deleting one that is gone succeeds. */
  const char *k;
  json_t *v;
  void *tmp;
  json_object_foreach_safe(a->endpoints, tmp, k, v) if (of_app(v, arn))
    json_object_del(a->endpoints, k);
  json_object_del(a->apps, arn);
  aev__sns_account_unlock(a);
  return aev__sns_empty(resp);
}

static json_t *app_item(const char *k, json_t *v, void *ctx) {
  (void)ctx;
  return json_pack("{s:s,s:o*}", "PlatformApplicationArn", k, "Attributes", attributes_view(v));
}

/* 100 applications a page (ListPlatformApplications reference). */
int aev__push_list_apps(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  const char *token = NULL;
  aev__sns_account *a;
  int rc = aev__api_opt_string(svc, req, "NextToken", &token);
  if (rc == AEV_OK) rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  rc = aev__sns_page(a->apps, token, app_item, NULL, "PlatformApplications", "NextToken", resp);
  aev__sns_account_unlock(a);
  return rc;
}

int aev__push_create_endpoint(aev_broker *b, const aev__api_service *svc, json_t *req,
                              json_t **resp) {
  const char *app_arn, *token, *user = NULL;
  json_t *given = NULL;
  int rc = aev__api_req_string(svc, req, "PlatformApplicationArn", &app_arn);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "Token", &token);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "CustomUserData", &user);
  if (rc == AEV_OK) rc = aev__api_opt_object(svc, req, "Attributes", &given);
  if (rc == AEV_OK) rc = string_map(given);
  if (rc == AEV_OK) rc = enabled_ok(given);
  if (rc == AEV_OK && !*token) rc = aev__sns_invalid("Invalid parameter: Token Reason: cannot be empty");
  if (rc == AEV_OK && user && strlen(user) >= 2048)
    rc = aev__sns_invalid("Invalid parameter: CustomUserData Reason: must be less than 2KB");
  /* What the endpoint will have: the given attributes, Token, and
   * CustomUserData. */
  json_t *attrs = rc == AEV_OK ? (given ? json_deep_copy(given) : json_object()) : NULL;
  if (rc == AEV_OK && (!attrs || json_object_set_new(attrs, "Token", json_string(token)) ||
                       (user && json_object_set_new(attrs, "CustomUserData", json_string(user)))))
    rc = aev__nomem();
  aev__sns_account *a;
  if (rc == AEV_OK) rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) {
    json_decref(attrs);
    return rc;
  }
  json_t *app = json_object_get(a->apps, app_arn);
  char *arn = NULL;
  if (!app) rc = app_missing();
  const char *k;
  json_t *v;
  json_object_foreach(a->endpoints, k, v) {
    if (rc != AEV_OK || !of_app(v, app_arn)) continue;
    json_t *have = json_object_get(v, "Attributes");
    if (strcmp(json_string_value(json_object_get(have, "Token")), token)) continue;
    /* Idempotent for the same token and attributes; the same token with
     * others is refused, naming the endpoint (CreatePlatformEndpoint
     * reference; AWS's wording). */
    const char *n;
    json_t *want;
    int differ = 0;
    json_object_foreach(attrs, n, want) differ |= !json_equal(want, json_object_get(have, n));
    if (differ)
      rc = aev__sns_invalid("Invalid parameter: Token Reason: Endpoint %s already exists with the "
                            "same Token, but different attributes.", k);
    else if (!(arn = strdup(k))) rc = aev__nomem();
    break;
  }
  if (rc == AEV_OK && !arn) {
    char id[AEV_UUID_LEN + 1], platform[32];
    aev__broker_uuid(b, id);
    aev__push_platform(app_arn, platform, sizeof platform);
    const char *name = strchr(resource_of(app_arn), '/');
    name = name ? strchr(name + 1, '/') : NULL;
    arn = arn_with(a, "endpoint/", platform, name ? name + 1 : "", id);
    if (!json_object_get(attrs, "Enabled")) json_object_set_new(attrs, "Enabled", json_string("true"));
    /* The endpoint takes attrs over: from here only the account holds it. */
    json_t *ep = arn ? json_pack("{s:s}", "App", app_arn) : NULL;
    if (!ep || json_object_set_new(ep, "Attributes", attrs) ||
        json_object_set_new(a->endpoints, arn, ep)) {
      if (!ep) json_decref(attrs);
      rc = aev__nomem();
    }
    attrs = NULL;
  }
  aev__sns_account_unlock(a);
  json_decref(attrs);
  if (rc == AEV_OK && !(*resp = json_pack("{s:s}", "EndpointArn", arn))) rc = aev__nomem();
  free(arn);
  return rc;
}

int aev__push_get_endpoint(aev_broker *b, const aev__api_service *svc, json_t *req,
                           json_t **resp) {
  return get_attributes(b, svc, req, "EndpointArn", offsetof(aev__sns_account, endpoints),
                        "Endpoint", resp);
}

int aev__push_set_endpoint(aev_broker *b, const aev__api_service *svc, json_t *req,
                           json_t **resp) {
  return set_attributes(b, svc, req, "EndpointArn", offsetof(aev__sns_account, endpoints),
                        "Endpoint", resp);
}

int aev__push_delete_endpoint(aev_broker *b, const aev__api_service *svc, json_t *req,
                              json_t **resp) {
  const char *arn;
  aev__sns_account *a;
  int rc = aev__api_req_string(svc, req, "EndpointArn", &arn);
  if (rc == AEV_OK) rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  /* Deleting an endpoint that is gone succeeds. */
  json_object_del(a->endpoints, arn);
  aev__sns_account_unlock(a);
  return aev__sns_empty(resp);
}

/* An endpoint of the application ctx names, as the list shows it. */
static json_t *endpoint_item(const char *k, json_t *v, void *ctx) {
  if (!of_app(v, ctx)) return NULL;
  return json_pack("{s:s,s:o*}", "EndpointArn", k, "Attributes",
                   json_deep_copy(json_object_get(v, "Attributes")));
}

/* 100 endpoints a page, as the other SNS lists. */
int aev__push_list_endpoints(aev_broker *b, const aev__api_service *svc, json_t *req,
                             json_t **resp) {
  const char *app_arn, *token = NULL;
  aev__sns_account *a;
  int rc = aev__api_req_string(svc, req, "PlatformApplicationArn", &app_arn);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "NextToken", &token);
  if (rc == AEV_OK) rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  rc = !json_object_get(a->apps, app_arn)
           ? app_missing()
           : aev__sns_page(a->endpoints, token, endpoint_item, (void *)app_arn, "Endpoints",
                           "NextToken", resp);
  aev__sns_account_unlock(a);
  return rc;
}

int aev__push_endpoint_check(aev_broker *b, const char *arn) {
  aev__sns_account *a;
  int rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  int found = json_object_get(a->endpoints, arn) != NULL;
  aev__sns_account_unlock(a);
  return found ? AEV_OK
               : aev__sns_invalid("Invalid parameter: Endpoint Reason: No endpoint found for the "
                                  "target arn specified");
}

int aev__push_publish(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  const char *arn;
  char platform[32];
  int rc = aev__api_req_string(svc, req, "TargetArn", &arn);
  if (rc != AEV_OK) return rc;
  aev__push_platform(arn, platform, sizeof platform);
  json_t *e = NULL;
  rc = aev__outbox_direct(b, svc, req, "application", arn, platform, &e);
  aev__sns_account *a;
  if (rc == AEV_OK) rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) {
    json_decref(e);
    return rc;
  }
  json_t *ep = json_object_get(a->endpoints, arn);
  json_t *app = ep ? json_object_get(a->apps, json_string_value(json_object_get(ep, "App"))) : NULL;
  const char *on = json_string_value(json_object_get(json_object_get(ep, "Attributes"), "Enabled"));
  const char *app_on = json_string_value(json_object_get(json_object_get(app, "Attributes"), "Enabled"));
  /* Recorded against AWS: a TargetArn no endpoint has. */
  if (!ep)
    rc = aev__sns_invalid("Invalid parameter: TargetArn Reason: No endpoint found for the target "
                          "arn specified");
  else if (on && strcmp(on, "true"))
    rc = aev__fail(AEV_ERR_INVALID, "EndpointDisabled", "Endpoint is disabled");
  else if (app_on && strcmp(app_on, "true"))
    rc = aev__fail(AEV_ERR_INVALID, "PlatformApplicationDisabled", "Platform application is disabled");
  else if (json_object_set_new(e, "Platform", json_string(platform)) ||
           json_object_set_new(e, "Token", json_copy(json_object_get(json_object_get(ep, "Attributes"), "Token"))))
    rc = aev__nomem();
  aev__sns_account_unlock(a);
  if (rc == AEV_OK &&
      !(*resp = json_pack("{s:s}", "MessageId", json_string_value(json_object_get(e, "MessageId")))))
    rc = aev__nomem();
  if (rc == AEV_OK && (rc = aev__outbox_post(b, e)) != AEV_OK) {
    json_decref(*resp);
    *resp = NULL;
    return rc;
  }
  if (rc != AEV_OK) json_decref(e);
  return rc;
}

/* Mobile push: platform applications, their device endpoints (the Enabled
 * attribute, token idempotency) and Publish to an endpoint, whose payload
 * is the message's entry for the endpoint's platform (SNS API reference
 * and developer guide, "Mobile push notifications"). */
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
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

/* attributes_json as an object (*out, NULL for none): NULL is none, or
 * with required a missing Attributes. Its values are checked apart
 * (attrs_ok), after the request's other members, as AWS orders them. */
static int parse_attrs(const char *text, int required, json_t **out) {
  *out = NULL;
  if (!text) return required ? aev__sns_missing("Attributes") : AEV_OK;
  int rc = aev__json_parse_str(text, 0, out);
  if (rc == AEV_ERR_NOMEM) return rc;
  if (json_is_object(*out)) return AEV_OK;
  json_decref(*out);
  *out = NULL;
  return aev__sns_invalid("Invalid parameter: Attributes Reason: must be a JSON object of "
                          "attribute names to strings");
}

static int attrs_ok(json_t *attrs) {
  int rc = string_map(attrs);
  return rc != AEV_OK ? rc : enabled_ok(attrs);
}

/* A new text of v (taken over) into *out. */
static int text_of(json_t *v, char **out) {
  char *text = v ? aev__json_dumps(v, JSON_COMPACT) : NULL;
  json_decref(v);
  if (!text) return aev__nomem();
  *out = text;
  return AEV_OK;
}

int aev_sns_platform_application_create(aev_broker *b, const char *name, const char *platform,
                                        const char *attributes_json, char **application_arn) {
  if (!b || !application_arn) return aev__sns_missing(b ? "application_arn" : "broker");
  if (!name) return aev__sns_missing("Name");
  if (!platform) return aev__sns_missing("Platform");
  json_t *attrs;
  int rc = parse_attrs(attributes_json, 1, &attrs);
  if (rc == AEV_OK && !name_ok(name))
    rc = aev__sns_invalid("Invalid parameter: Name Reason: must be 1 to 256 letters, digits, "
                          "hyphens, underscores and periods");
  int known = 0;
  for (size_t i = 0; rc == AEV_OK && platforms[i]; i++) known |= !strcmp(platform, platforms[i]);
  if (rc == AEV_OK && !known)
    rc = aev__sns_invalid("Invalid parameter: Platform Reason: %s is not one of ADM, APNS, "
                          "APNS_SANDBOX, APNS_VOIP, APNS_VOIP_SANDBOX, BAIDU, GCM, MACOS, "
                          "MACOS_SANDBOX, MPNS, WNS", platform);
  if (rc == AEV_OK) rc = attrs_ok(attrs);
  aev__sns_account *a;
  if (rc == AEV_OK) rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) {
    json_decref(attrs);
    return rc;
  }
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
  json_decref(attrs);
  if (rc == AEV_OK) *application_arn = arn;
  else free(arn);
  return rc;
}

/* An application's or endpoint's Attributes as answered: a copy, without an
 * application's credentials, which are never shown back. */
static json_t *attributes_view(json_t *it) {
  json_t *v = json_deep_copy(json_object_get(it, "Attributes"));
  json_object_del(v, "PlatformCredential");
  json_object_del(v, "PlatformPrincipal");
  return v;
}

/* The account's map of applications or of endpoints (offsetof), one of
 * which arn_member names (for a NULL arn's message), kind in NotFound. */
typedef struct kind {
  size_t map;
  const char *arn_member, *name;
} kind;

static const kind apps = {offsetof(aev__sns_account, apps), "PlatformApplicationArn",
                          "PlatformApplication"};
static const kind endpoints = {offsetof(aev__sns_account, endpoints), "EndpointArn", "Endpoint"};

static json_t *map_of(aev__sns_account *a, const kind *k) {
  return *(json_t **)((char *)a + k->map);
}

static int get_attributes(aev_broker *b, const kind *k, const char *arn, char **attributes_json) {
  if (!b || !attributes_json) return aev__sns_missing(b ? "attributes_json" : "broker");
  if (!arn) return aev__sns_missing(k->arn_member);
  aev__sns_account *a;
  int rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  json_t *it = json_object_get(map_of(a, k), arn);
  json_t *v = it ? attributes_view(it) : NULL;
  aev__sns_account_unlock(a);
  return it ? text_of(v, attributes_json) : aev__sns_not_found(k->name);
}

static int set_attributes(aev_broker *b, const kind *k, const char *arn,
                          const char *attributes_json) {
  if (!b) return aev__sns_missing("broker");
  if (!arn) return aev__sns_missing(k->arn_member);
  json_t *attrs;
  aev__sns_account *a;
  int rc = parse_attrs(attributes_json, 1, &attrs);
  if (rc == AEV_OK) rc = attrs_ok(attrs);
  if (rc == AEV_OK) rc = aev__sns_account_lock(b, &a);
  if (rc == AEV_OK) {
    json_t *it = json_object_get(map_of(a, k), arn);
    rc = !it ? aev__sns_not_found(k->name) : aev__sns_merge(json_object_get(it, "Attributes"), attrs);
    aev__sns_account_unlock(a);
  }
  json_decref(attrs);
  return rc;
}

int aev_sns_platform_application_get_attributes(aev_broker *b, const char *application_arn,
                                                char **attributes_json) {
  return get_attributes(b, &apps, application_arn, attributes_json);
}

int aev_sns_platform_application_set_attributes(aev_broker *b, const char *application_arn,
                                                const char *attributes_json) {
  return set_attributes(b, &apps, application_arn, attributes_json);
}

/* Whether endpoint arn belongs to application app_arn. */
static int of_app(json_t *ep, const char *app_arn) {
  return !strcmp(json_string_value(json_object_get(ep, "App")), app_arn);
}

int aev_sns_platform_application_delete(aev_broker *b, const char *application_arn) {
  if (!b) return aev__sns_missing("broker");
  if (!application_arn) return aev__sns_missing(apps.arn_member);
  aev__sns_account *a;
  int rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  /* Its endpoints go with it; deleting one that is gone succeeds. */
  const char *k;
  json_t *v;
  void *tmp;
  json_object_foreach_safe(a->endpoints, tmp, k, v) if (of_app(v, application_arn))
    json_object_del(a->endpoints, k);
  json_object_del(a->apps, application_arn);
  aev__sns_account_unlock(a);
  return AEV_OK;
}

static json_t *app_item(const char *k, json_t *v, void *ctx) {
  (void)ctx;
  return json_pack("{s:s,s:o*}", "PlatformApplicationArn", k, "Attributes", attributes_view(v));
}

/* 100 applications a page (ListPlatformApplications reference). */
int aev_sns_platform_application_list(aev_broker *b, const char *next_token,
                                      char **response_json) {
  if (!b || !response_json) return aev__sns_missing(b ? "response_json" : "broker");
  aev__sns_account *a;
  json_t *page = NULL;
  int rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  rc = aev__sns_page(a->apps, next_token, app_item, NULL, "PlatformApplications", "NextToken",
                     &page);
  aev__sns_account_unlock(a);
  return rc != AEV_OK ? rc : text_of(page, response_json);
}

int aev_sns_platform_endpoint_create(aev_broker *b, const char *application_arn,
                                     const char *token, const char *custom_user_data,
                                     const char *attributes_json, char **endpoint_arn) {
  if (!b || !endpoint_arn) return aev__sns_missing(b ? "endpoint_arn" : "broker");
  if (!application_arn) return aev__sns_missing(apps.arn_member);
  if (!token) return aev__sns_missing("Token");
  json_t *attrs;
  int rc = parse_attrs(attributes_json, 0, &attrs);
  if (rc == AEV_OK) rc = attrs_ok(attrs);
  if (rc == AEV_OK && !*token) rc = aev__sns_invalid("Invalid parameter: Token Reason: cannot be empty");
  if (rc == AEV_OK && custom_user_data && strlen(custom_user_data) >= 2048)
    rc = aev__sns_invalid("Invalid parameter: CustomUserData Reason: must be less than 2KB");
  /* What the endpoint will have: the given attributes, Token, and
   * CustomUserData. */
  if (rc == AEV_OK && !attrs && !(attrs = json_object())) rc = aev__nomem();
  if (rc == AEV_OK && (json_object_set_new(attrs, "Token", json_string(token)) ||
                       (custom_user_data &&
                        json_object_set_new(attrs, "CustomUserData", json_string(custom_user_data)))))
    rc = aev__nomem();
  aev__sns_account *a;
  if (rc == AEV_OK) rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) {
    json_decref(attrs);
    return rc;
  }
  json_t *app = json_object_get(a->apps, application_arn);
  char *arn = NULL;
  if (!app) rc = app_missing();
  const char *k;
  json_t *v;
  json_object_foreach(a->endpoints, k, v) {
    if (rc != AEV_OK || !of_app(v, application_arn)) continue;
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
    aev__push_platform(application_arn, platform, sizeof platform);
    const char *name = strchr(resource_of(application_arn), '/');
    name = name ? strchr(name + 1, '/') : NULL;
    arn = arn_with(a, "endpoint/", platform, name ? name + 1 : "", id);
    if (!json_object_get(attrs, "Enabled")) json_object_set_new(attrs, "Enabled", json_string("true"));
    /* The endpoint takes attrs over: from here only the account holds it. */
    json_t *ep = arn ? json_pack("{s:s}", "App", application_arn) : NULL;
    if (!ep || json_object_set_new(ep, "Attributes", attrs) ||
        json_object_set_new(a->endpoints, arn, ep)) {
      if (!ep) json_decref(attrs);
      rc = aev__nomem();
    }
    attrs = NULL;
  }
  aev__sns_account_unlock(a);
  json_decref(attrs);
  if (rc == AEV_OK) *endpoint_arn = arn;
  else free(arn);
  return rc;
}

int aev_sns_platform_endpoint_get_attributes(aev_broker *b, const char *endpoint_arn,
                                             char **attributes_json) {
  return get_attributes(b, &endpoints, endpoint_arn, attributes_json);
}

int aev_sns_platform_endpoint_set_attributes(aev_broker *b, const char *endpoint_arn,
                                             const char *attributes_json) {
  return set_attributes(b, &endpoints, endpoint_arn, attributes_json);
}

int aev_sns_platform_endpoint_set_enabled(aev_broker *b, const char *endpoint_arn, int enabled) {
  return set_attributes(b, &endpoints, endpoint_arn,
                        enabled ? "{\"Enabled\":\"true\"}" : "{\"Enabled\":\"false\"}");
}

int aev_sns_platform_endpoint_delete(aev_broker *b, const char *endpoint_arn) {
  if (!b) return aev__sns_missing("broker");
  if (!endpoint_arn) return aev__sns_missing(endpoints.arn_member);
  aev__sns_account *a;
  int rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  /* Deleting an endpoint that is gone succeeds. */
  json_object_del(a->endpoints, endpoint_arn);
  aev__sns_account_unlock(a);
  return AEV_OK;
}

/* An endpoint of the application ctx names, as the list shows it. */
static json_t *endpoint_item(const char *k, json_t *v, void *ctx) {
  if (!of_app(v, ctx)) return NULL;
  return json_pack("{s:s,s:o*}", "EndpointArn", k, "Attributes",
                   json_deep_copy(json_object_get(v, "Attributes")));
}

/* 100 endpoints a page, as the other SNS lists. */
int aev_sns_platform_endpoint_list(aev_broker *b, const char *application_arn,
                                   const char *next_token, char **response_json) {
  if (!b || !response_json) return aev__sns_missing(b ? "response_json" : "broker");
  if (!application_arn) return aev__sns_missing(apps.arn_member);
  aev__sns_account *a;
  json_t *page = NULL;
  int rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  rc = !json_object_get(a->apps, application_arn)
           ? app_missing()
           : aev__sns_page(a->endpoints, next_token, endpoint_item, (void *)application_arn,
                           "Endpoints", "NextToken", &page);
  aev__sns_account_unlock(a);
  return rc != AEV_OK ? rc : text_of(page, response_json);
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

int aev__push_publish(aev_broker *b, const char *arn, const aev__pub_req *r, char *id_out) {
  char platform[32];
  aev__push_platform(arn, platform, sizeof platform);
  json_t *e = NULL;
  int rc = aev__outbox_direct(b, r, "application", arn, platform, &e);
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
  if (rc != AEV_OK) {
    json_decref(e);
    return rc;
  }
  /* Copied first: the outbox owns the entry once it is posted. */
  if (id_out)
    snprintf(id_out, AEV_TOPIC_MESSAGE_ID_SIZE, "%s",
             json_string_value(json_object_get(e, "MessageId")));
  return aev__outbox_post(b, e);
}

int aev_sns_publish_to_endpoint(aev_broker *b, const char *endpoint_arn, const char *message,
                                size_t len, const aev_publish_options *opts, char *message_id) {
  if (!b) return aev__sns_missing("broker");
  if (!endpoint_arn) return aev__sns_missing("TargetArn");
  aev__pub_req r;
  int rc = aev__pub_req_of(message, len, opts, &r);
  return rc != AEV_OK ? rc : aev__push_publish(b, endpoint_arn, &r, message_id);
}

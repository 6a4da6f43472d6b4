/* The sns actions on platform applications and endpoints: thin mappings
 * onto platform.c's typed calls (aev_sns_platform_*), as the other sns
 * actions map onto the topic API. */
#include <stdlib.h>

#include "api/api.h"
#include "core/json_dump.h"
#include "core/status.h"
#include "topic/account.h"

/* The request's Attributes map as text into *text (NULL when absent and
 * optional; free with free()). */
static int attributes(const aev__api_service *svc, json_t *req, int required, char **text) {
  json_t *attrs = NULL;
  int rc = required ? aev__api_req_object(svc, req, "Attributes", &attrs)
                    : aev__api_opt_object(svc, req, "Attributes", &attrs);
  *text = NULL;
  if (rc != AEV_OK || !attrs) return rc;
  *text = aev__json_dumps(attrs, JSON_COMPACT);
  return *text ? AEV_OK : aev__nomem();
}

/* {key: arn} from a typed call's new ARN (taken over). */
static int arn_answer(json_t **resp, const char *key, char *arn) {
  *resp = json_pack("{s:s}", key, arn);
  aev_free(arn);
  return *resp ? AEV_OK : aev__nomem();
}

/* The result of an action that answers nothing: {} when rc is AEV_OK. */
static int empty(int rc, json_t **resp) { return rc != AEV_OK ? rc : aev__sns_empty(resp); }

int aev__push_create_app(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  const char *name, *platform;
  char *attrs = NULL, *arn;
  int rc = aev__api_req_string(svc, req, "Name", &name);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "Platform", &platform);
  if (rc == AEV_OK) rc = attributes(svc, req, 1, &attrs);
  if (rc == AEV_OK) rc = aev_sns_platform_application_create(b, name, platform, attrs, &arn);
  free(attrs);
  return rc != AEV_OK ? rc : arn_answer(resp, "PlatformApplicationArn", arn);
}

/* Get*Attributes of the application or endpoint the request's member
 * names, through get. */
static int get_attrs(aev_broker *b, const aev__api_service *svc, json_t *req, const char *member,
                     int (*get)(aev_broker *, const char *, char **), json_t **resp) {
  const char *arn;
  char *text;
  int rc = aev__api_req_string(svc, req, member, &arn);
  if (rc == AEV_OK) rc = get(b, arn, &text);
  return rc != AEV_OK ? rc : aev__sns_answer(resp, "Attributes", text);
}

/* Set*Attributes of the application or endpoint the request's member
 * names, through set. */
static int set_attrs(aev_broker *b, const aev__api_service *svc, json_t *req, const char *member,
                     int (*set)(aev_broker *, const char *, const char *), json_t **resp) {
  const char *arn;
  char *attrs = NULL;
  int rc = aev__api_req_string(svc, req, member, &arn);
  if (rc == AEV_OK) rc = attributes(svc, req, 1, &attrs);
  if (rc == AEV_OK) rc = set(b, arn, attrs);
  free(attrs);
  return empty(rc, resp);
}

int aev__push_get_app(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  return get_attrs(b, svc, req, "PlatformApplicationArn",
                   aev_sns_platform_application_get_attributes, resp);
}

int aev__push_set_app(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  return set_attrs(b, svc, req, "PlatformApplicationArn",
                   aev_sns_platform_application_set_attributes, resp);
}

int aev__push_delete_app(aev_broker *b, const aev__api_service *svc, json_t *req,
                         json_t **resp) {
  const char *arn;
  int rc = aev__api_req_string(svc, req, "PlatformApplicationArn", &arn);
  return empty(rc != AEV_OK ? rc : aev_sns_platform_application_delete(b, arn), resp);
}

int aev__push_list_apps(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  const char *token = NULL;
  char *text;
  int rc = aev__api_opt_string(svc, req, "NextToken", &token);
  if (rc == AEV_OK) rc = aev_sns_platform_application_list(b, token, &text);
  return rc != AEV_OK ? rc : aev__sns_answer(resp, NULL, text);
}

int aev__push_create_endpoint(aev_broker *b, const aev__api_service *svc, json_t *req,
                              json_t **resp) {
  const char *app, *token, *user = NULL;
  char *attrs = NULL, *arn;
  int rc = aev__api_req_string(svc, req, "PlatformApplicationArn", &app);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "Token", &token);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "CustomUserData", &user);
  if (rc == AEV_OK) rc = attributes(svc, req, 0, &attrs);
  if (rc == AEV_OK) rc = aev_sns_platform_endpoint_create(b, app, token, user, attrs, &arn);
  free(attrs);
  return rc != AEV_OK ? rc : arn_answer(resp, "EndpointArn", arn);
}

int aev__push_get_endpoint(aev_broker *b, const aev__api_service *svc, json_t *req,
                           json_t **resp) {
  return get_attrs(b, svc, req, "EndpointArn", aev_sns_platform_endpoint_get_attributes, resp);
}

int aev__push_set_endpoint(aev_broker *b, const aev__api_service *svc, json_t *req,
                           json_t **resp) {
  return set_attrs(b, svc, req, "EndpointArn", aev_sns_platform_endpoint_set_attributes, resp);
}

int aev__push_delete_endpoint(aev_broker *b, const aev__api_service *svc, json_t *req,
                              json_t **resp) {
  const char *arn;
  int rc = aev__api_req_string(svc, req, "EndpointArn", &arn);
  return empty(rc != AEV_OK ? rc : aev_sns_platform_endpoint_delete(b, arn), resp);
}

int aev__push_list_endpoints(aev_broker *b, const aev__api_service *svc, json_t *req,
                             json_t **resp) {
  const char *app, *token = NULL;
  char *text;
  int rc = aev__api_req_string(svc, req, "PlatformApplicationArn", &app);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "NextToken", &token);
  if (rc == AEV_OK) rc = aev_sns_platform_endpoint_list(b, app, token, &text);
  return rc != AEV_OK ? rc : aev__sns_answer(resp, NULL, text);
}

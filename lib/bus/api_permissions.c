/* PutPermission and RemovePermission of the "events" service: their
 * members checked as AWS's model and service check them, then handed to
 * the bus's policy (bus_policy.c). Only events:PutEvents can be granted,
 * to an account id or to everyone ("*", optionally limited by a Condition
 * on aws:PrincipalOrgID). */
#include <stdio.h>
#include <string.h>

#include "bus/api_events.h"
#include "core/json_parse.h"
#include "core/status.h"

#define DIGITS "0123456789"
#define LETTERS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

/* ValidationException for the member v unless it is 1 to max characters
 * made of chars after prefix; pattern is the model's regular expression. */
static int check_member(const char *member, const char *v, size_t max, const char *prefix,
                        const char *chars, const char *pattern) {
  if (!v) return AEV_OK;
  if (!*v)
    return aev__fail_validation(v, member, "Member must have length greater than or equal to 1");
  int rc = aev__bus_check_length(member, v, max);
  size_t skip = strlen(prefix);
  if (rc || (!strncmp(v, prefix, skip) && v[skip] && strspn(v + skip, chars) == strlen(v + skip)))
    return rc;
  char constraint[128];
  snprintf(constraint, sizeof constraint, "Member must satisfy regular expression pattern: %s",
           pattern);
  return aev__fail_validation(v, member, constraint);
}

/* A 12-digit account id or "*". */
static int check_principal(const char *p) {
  if (p && (!strcmp(p, "*") || (strlen(p) == 12 && strspn(p, DIGITS) == 12))) return AEV_OK;
  return check_member("principal", p, 12, "", "", "(\\d{12}|\\*)");
}

static int check_statement_id(const char *sid) {
  return check_member("statementId", sid, 64, "", LETTERS DIGITS "-_", "[a-zA-Z0-9-_]+");
}

static int unsupported(const char *member) {
  return aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "Provided value in parameter '%s' is not supported.", member);
}

/* Condition {Type, Key, Value}: AWS supports StringEquals on
 * aws:PrincipalOrgID (an organization id) and nothing else. */
static int check_condition(const aev__api_service *svc, json_t *c, const char *principal) {
  const char *type, *key, *value;
  int rc = aev__api_req_string(svc, c, "Type", &type);
  if (!rc) rc = aev__api_req_string(svc, c, "Key", &key);
  if (!rc) rc = aev__api_req_string(svc, c, "Value", &value);
  if (!rc) rc = aev__bus_check_length("condition.type", type, 256);
  if (!rc) rc = aev__bus_check_length("condition.key", key, 256);
  if (!rc) rc = aev__bus_check_length("condition.value", value, 256);
  if (rc) return rc;
  if (strcmp(type, "StringEquals")) return unsupported("condition.type");
  if (strcmp(key, "aws:PrincipalOrgID")) return unsupported("condition.key");
  if (strcmp(principal, "*"))
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "Value of the parameter 'principal' must be '*' when the parameter "
                     "'condition' is set.");
  return AEV_OK;
}

/* PutPermission's Policy: a JSON object that replaces the whole policy. */
static int policy_doc(const char *text, json_t **out) {
  int rc = aev__json_parse_str(text, 0, out);
  if (rc == AEV_ERR_NOMEM) return rc;
  if (!rc && json_is_object(*out)) return AEV_OK;
  if (!rc) json_decref(*out);
  return aev__fail(AEV_ERR_INVALID, "ValidationException", "This policy contains invalid Json");
}

/* PutPermission's grant: Action, Principal, StatementId, Condition. */
typedef struct grant {
  const char *action, *principal, *sid;
  json_t *condition;
} grant;

/* Reads and checks the grant members of req (borrowed into *g). */
static int grant_of(const aev__api_service *svc, json_t *req, grant *g) {
  *g = (grant){0};
  int rc = aev__api_opt_string(svc, req, "Action", &g->action);
  if (!rc) rc = aev__api_opt_string(svc, req, "Principal", &g->principal);
  if (!rc) rc = aev__api_opt_string(svc, req, "StatementId", &g->sid);
  if (!rc) rc = aev__api_opt_object(svc, req, "Condition", &g->condition);
  if (!rc) rc = check_member("action", g->action, 64, "events:", LETTERS, "events:[a-zA-Z]+");
  if (!rc && g->principal) rc = check_principal(g->principal);
  if (!rc) rc = check_statement_id(g->sid);
  if (rc) return rc;
  if (!g->principal)
    return aev__fail(AEV_ERR_INVALID, "ValidationException", "Parameter Principal must be specified.");
  if (!g->action || strcmp(g->action, "events:PutEvents")) return unsupported("action");
  if (!g->sid)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "Parameter StatementId must be specified.");
  return g->condition ? check_condition(svc, g->condition, g->principal) : AEV_OK;
}

static int combined(json_t *req) {
  return aev__api_has(req, "Action") || aev__api_has(req, "Principal") ||
         aev__api_has(req, "StatementId") || aev__api_has(req, "Condition");
}

/* Grants the statement g makes on bus. */
static int add_grant(aev_bus *bus, const grant *g) {
  json_t *s = aev__policy_statement(bus, g->sid, g->action, g->principal, g->condition);
  return s ? aev__bus_policy_add(bus, s) : aev__nomem();
}

AEV__EVENTS_ACTION(put_permission) {
  const char *policy = NULL;
  json_t *doc = NULL;
  grant g;
  aev_bus *bus;
  int rc = aev__api_opt_string(svc, req, "Policy", &policy);
  if (!rc && policy && combined(req))
    rc = aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "Policy cannot be combined with Action, Principal, StatementId or "
                   "Condition.");
  if (!rc) rc = policy ? policy_doc(policy, &doc) : grant_of(svc, req, &g);
  if (!rc) rc = aev__events_bus_of(b, svc, req, "EventBusName", &bus);
  if (rc) {
    json_decref(doc);
    return rc;
  }
  rc = doc ? aev__bus_policy_set(bus, doc) : add_grant(bus, &g);
  aev_bus_release(bus);
  if (!rc && !(*resp = json_object())) rc = aev__nomem();
  return rc;
}

AEV__EVENTS_ACTION(remove_permission) {
  const char *sid = NULL;
  int all = 0;
  aev_bus *bus;
  int rc = aev__api_opt_string(svc, req, "StatementId", &sid);
  if (!rc) rc = aev__api_opt_bool(svc, req, "RemoveAllPermissions", &all);
  if (!rc) rc = check_statement_id(sid);
  if (!rc && !sid && !all)
    rc = aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "Parameter StatementId must be specified.");
  if (rc || (rc = aev__events_bus_of(b, svc, req, "EventBusName", &bus))) return rc;
  rc = all ? aev__bus_policy_set(bus, NULL) : aev__bus_policy_remove(bus, sid);
  aev_bus_release(bus);
  if (!rc && !(*resp = json_object())) rc = aev__nomem();
  return rc;
}

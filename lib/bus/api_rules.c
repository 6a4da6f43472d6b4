/* PutRule, DescribeRule, DeleteRule, EnableRule, DisableRule, ListRules,
 * ListRuleNamesByTarget, PutTargets, RemoveTargets and ListTargetsByRule of
 * the "events" service:
 * thin mappings onto lib/bus's rule and target calls. */
#include <stdlib.h>
#include <string.h>

#include "bus/api_events.h"
#include "core/json_parse.h"
#include "core/status.h"

/* A JSON answer the typed call produced as text. */
static int parsed(int rc, char *text, json_t **resp) {
  if (rc) return rc;
  rc = aev__json_parse_str(text, 0, resp);
  aev_free(text);
  return rc;
}

/* The bus named by EventBusName and the rule named by member ("Name" or
 * "Rule"), which must be a rule name, whether or not the rule exists. */
static int rule_req(aev_broker *b, const aev__api_service *svc, json_t *req,
                    const char *member, aev_bus **bus, const char **name) {
  int rc = aev__api_req_string(svc, req, member, name);
  if (!rc) rc = aev__bus_check_name(strcmp(member, "Name") ? "rule" : "name", *name, 64);
  return rc ? rc : aev__events_bus_of(b, svc, req, "EventBusName", bus);
}

AEV__EVENTS_ACTION(put_rule) {
  aev_bus *bus;
  const char *name, *pattern = NULL, *schedule = NULL, *state = "ENABLED",
                    *description = NULL;
  int rc = rule_req(b, svc, req, "Name", &bus, &name);
  if (rc) return rc;
  if (!(rc = aev__api_opt_string(svc, req, "EventPattern", &pattern)) &&
      !(rc = aev__api_opt_string(svc, req, "ScheduleExpression", &schedule)) &&
      !(rc = aev__api_opt_string(svc, req, "State", &state)) &&
      !(rc = aev__api_opt_string(svc, req, "Description", &description)) &&
      strcmp(state, "ENABLED") && strcmp(state, "DISABLED") &&
      strcmp(state, "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"))
    rc = aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "1 validation error detected: Value '%s' at 'state' failed "
                   "to satisfy constraint: Member must satisfy enum value "
                   "set: [ENABLED, DISABLED, "
                   "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]",
                   state);
  if (!rc) rc = aev__bus_check_length("description", description, AEV__MAX_DESCRIPTION);
  if (!rc) rc = aev__bus_check_length("scheduleExpression", schedule, 256);
  /* The description is copied first: once the rule is put, setting it
   * cannot fail for want of memory and leave the rule without it. */
  char *arn = NULL, *desc = NULL;
  json_t *tags = NULL;
  if (!rc) rc = aev__events_tags_of(svc, req, &tags);
  if (!rc && description && !(desc = strdup(description))) rc = aev__nomem();
  if (!rc)
    rc = aev__bus_put_rule(bus, name, pattern, schedule,
                           !strcmp(state, "DISABLED")  ? AEV_RULE_DISABLED
                           : !strcmp(state, "ENABLED") ? AEV_RULE_ENABLED
                                 : AEV_RULE_ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS,
                           tags, &arn);
  json_decref(tags);
  if (!rc) {
    rc = aev__rule_take_description(bus, name, desc);
    desc = NULL;
  }
  free(desc);
  aev_bus_release(bus);
  if (!rc) *resp = json_pack("{s:s}", "RuleArn", arn);
  aev_free(arn);
  return rc ? rc : *resp ? AEV_OK : aev__nomem();
}

AEV__EVENTS_ACTION(describe_rule) {
  aev_bus *bus;
  const char *name;
  int rc = rule_req(b, svc, req, "Name", &bus, &name);
  if (rc) return rc;
  char *text;
  rc = aev_bus_describe_rule(bus, name, &text);
  aev_bus_release(bus);
  return parsed(rc, text, resp);
}

AEV__EVENTS_ACTION(delete_rule) {
  aev_bus *bus;
  const char *name;
  int force = 0;
  int rc = rule_req(b, svc, req, "Name", &bus, &name);
  if (rc) return rc;
  if (!(rc = aev__api_opt_bool(svc, req, "Force", &force)))
    rc = aev_bus_delete_rule(bus, name, force);
  aev_bus_release(bus);
  if (!rc) *resp = json_object();
  return rc;
}

static int set_state(aev_broker *b, const aev__api_service *svc, json_t *req,
                     json_t **resp, int enabled) {
  aev_bus *bus;
  const char *name;
  int rc = rule_req(b, svc, req, "Name", &bus, &name);
  if (rc) return rc;
  rc = aev_bus_enable_rule(bus, name, enabled);
  aev_bus_release(bus);
  if (!rc) *resp = json_object();
  return rc;
}

AEV__EVENTS_ACTION(enable_rule) { return set_state(b, svc, req, resp, 1); }
AEV__EVENTS_ACTION(disable_rule) { return set_state(b, svc, req, resp, 0); }

AEV__EVENTS_ACTION(list_rules) {
  aev_bus *bus;
  const char *prefix = NULL;
  int rc = aev__events_bus_of(b, svc, req, "EventBusName", &bus);
  if (rc) return rc;
  char *text = NULL;
  if (!(rc = aev__api_opt_string(svc, req, "NamePrefix", &prefix)))
    rc = aev_bus_list_rules(bus, prefix, &text);
  aev_bus_release(bus);
  if (!(rc = parsed(rc, text, resp)) &&
      (rc = aev__events_page(svc, req, "Rules", *resp)))
    json_decref(*resp);
  return rc;
}

AEV__EVENTS_ACTION(list_rule_names_by_target) {
  aev_bus *bus;
  const char *arn;
  int rc = aev__api_req_string(svc, req, "TargetArn", &arn);
  if (rc || (rc = aev__events_bus_of(b, svc, req, "EventBusName", &bus))) return rc;
  json_t *names = aev__rule_names_by_target(bus, arn);
  aev_bus_release(bus);
  if (!names || !(*resp = json_pack("{s:o}", "RuleNames", names))) return aev__nomem();
  if ((rc = aev__events_page(svc, req, "RuleNames", *resp))) json_decref(*resp);
  return rc;
}

AEV__EVENTS_ACTION(put_targets) {
  aev_bus *bus;
  const char *name;
  json_t *targets;
  int rc = aev__api_req_array(svc, req, "Targets", &targets);
  if (rc || (rc = rule_req(b, svc, req, "Rule", &bus, &name))) return rc;
  rc = aev__put_targets(bus, name, targets, resp);
  aev_bus_release(bus);
  return rc;
}

AEV__EVENTS_ACTION(remove_targets) {
  aev_bus *bus;
  const char *name;
  json_t *ids;
  int rc = aev__api_req_array(svc, req, "Ids", &ids);
  if (rc || (rc = rule_req(b, svc, req, "Rule", &bus, &name))) return rc;
  rc = aev__remove_targets(bus, name, ids, resp);
  aev_bus_release(bus);
  return rc;
}

AEV__EVENTS_ACTION(list_targets_by_rule) {
  aev_bus *bus;
  const char *name;
  int rc = rule_req(b, svc, req, "Rule", &bus, &name);
  if (rc) return rc;
  char *text = NULL;
  rc = aev_bus_list_targets(bus, name, &text);
  aev_bus_release(bus);
  if (!(rc = parsed(rc, text, resp)) &&
      (rc = aev__events_page(svc, req, "Targets", *resp)))
    json_decref(*resp);
  return rc;
}

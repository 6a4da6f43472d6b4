/* The "events" service of aev_call(): its action table, PutEvents, and the
 * EventBusName lookup the actions share. */
#include "bus/api_events.h"
#include "core/status.h"

int aev__events_bus_of(aev_broker *b, const aev__api_service *svc, json_t *req,
                       const char *member, aev_bus **out) {
  const char *name = NULL;
  int rc = aev__api_opt_string(svc, req, member, &name);
  return rc ? rc : aev__bus_find(b, name, 1, out);
}

AEV__EVENTS_ACTION(put_events) {
  json_t *entries;
  int rc = aev__api_req_array(svc, req, "Entries", &entries);
  return rc ? rc : aev__put_events(b, entries, resp);
}

static const aev__api_action actions[] = {
    {"CreateEventBus", aev__events_create_event_bus},
    {"DeleteEventBus", aev__events_delete_event_bus},
    {"DeleteRule", aev__events_delete_rule},
    {"DescribeEventBus", aev__events_describe_event_bus},
    {"DescribeRule", aev__events_describe_rule},
    {"DisableRule", aev__events_disable_rule},
    {"EnableRule", aev__events_enable_rule},
    {"ListEventBuses", aev__events_list_event_buses},
    {"ListRules", aev__events_list_rules},
    {"ListTargetsByRule", aev__events_list_targets_by_rule},
    {"PutEvents", aev__events_put_events},
    {"PutRule", aev__events_put_rule},
    {"PutTargets", aev__events_put_targets},
    {"RemoveTargets", aev__events_remove_targets},
    {"TestEventPattern", aev__events_test_event_pattern},
};

const aev__api_service aev__api_events = {
    .name = "events",
    .missing_code = "ValidationException",
    .invalid_code = "ValidationException",
    .actions = actions,
    .n_actions = sizeof actions / sizeof actions[0],
    .style = AEV_API_STYLE_JSON,
};

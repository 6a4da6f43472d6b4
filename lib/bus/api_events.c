/* The "events" service of aev_call(): its action table, PutEvents, and the
 * EventBusName lookup the actions share. */
#include <string.h>

#include "bus/api_events.h"
#include "bus/http_impl.h"
#include "core/status.h"

int aev__events_bus_of(aev_broker *b, const aev__api_service *svc, json_t *req,
                       const char *member, aev_bus **out) {
  const char *name = NULL;
  int rc = aev__api_opt_string(svc, req, member, &name);
  /* Coral's member path: the member's name, its first letter lower case. */
  const char *path = !strcmp(member, "Name") ? "name" : "eventBusName";
  if (!rc && name) rc = aev__bus_check_name_or_arn(path, name, 1);
  return rc ? rc : aev__bus_find(b, name, 1, out);
}

/* With an EndpointId, the request goes to the endpoint's primary Region,
 * which is the broker's (endpoint.c): its entries are put there as any
 * PutEvents puts them, each on the bus its EventBusName names ("add the
 * endpointId and EventBusName to any PutEvents calls", the user guide). */
AEV__EVENTS_ACTION(put_events) {
  json_t *entries;
  const char *endpoint = NULL;
  int rc = aev__api_req_array(svc, req, "Entries", &entries);
  if (!rc) rc = aev__api_opt_string(svc, req, "EndpointId", &endpoint);
  if (!rc && endpoint) rc = aev__endpoint_check_put(b, endpoint);
  return rc ? rc : aev__put_events(b, entries, resp);
}

AEV__EVENTS_ACTION(put_partner_events) {
  json_t *entries;
  int rc = aev__api_req_array(svc, req, "Entries", &entries);
  return rc ? rc : aev__put_partner_events(b, entries, resp);
}

static const aev__api_action actions[] = {
    {"ActivateEventSource", aev__events_activate_event_source},
    {"CancelReplay", aev__events_cancel_replay},
    {"CreateApiDestination", aev__events_create_api_destination},
    {"CreateArchive", aev__events_create_archive},
    {"CreateConnection", aev__events_create_connection},
    {"CreateEndpoint", aev__events_create_endpoint},
    {"CreateEventBus", aev__events_create_event_bus},
    {"CreatePartnerEventSource", aev__events_create_partner_event_source},
    {"DeactivateEventSource", aev__events_deactivate_event_source},
    {"DeauthorizeConnection", aev__events_deauthorize_connection},
    {"DeleteApiDestination", aev__events_delete_api_destination},
    {"DeleteArchive", aev__events_delete_archive},
    {"DeleteConnection", aev__events_delete_connection},
    {"DeleteEndpoint", aev__events_delete_endpoint},
    {"DeleteEventBus", aev__events_delete_event_bus},
    {"DeletePartnerEventSource", aev__events_delete_partner_event_source},
    {"DeleteRule", aev__events_delete_rule},
    {"DescribeApiDestination", aev__events_describe_api_destination},
    {"DescribeArchive", aev__events_describe_archive},
    {"DescribeConnection", aev__events_describe_connection},
    {"DescribeEndpoint", aev__events_describe_endpoint},
    {"DescribeEventBus", aev__events_describe_event_bus},
    {"DescribeEventSource", aev__events_describe_event_source},
    {"DescribePartnerEventSource", aev__events_describe_partner_event_source},
    {"DescribeReplay", aev__events_describe_replay},
    {"DescribeRule", aev__events_describe_rule},
    {"DisableRule", aev__events_disable_rule},
    {"EnableRule", aev__events_enable_rule},
    {"ListApiDestinations", aev__events_list_api_destinations},
    {"ListArchives", aev__events_list_archives},
    {"ListConnections", aev__events_list_connections},
    {"ListEndpoints", aev__events_list_endpoints},
    {"ListEventBuses", aev__events_list_event_buses},
    {"ListEventSources", aev__events_list_event_sources},
    {"ListPartnerEventSourceAccounts", aev__events_list_partner_event_source_accounts},
    {"ListPartnerEventSources", aev__events_list_partner_event_sources},
    {"ListReplays", aev__events_list_replays},
    {"ListRuleNamesByTarget", aev__events_list_rule_names_by_target},
    {"ListRules", aev__events_list_rules},
    {"ListTagsForResource", aev__events_list_tags_for_resource},
    {"ListTargetsByRule", aev__events_list_targets_by_rule},
    {"PutEvents", aev__events_put_events},
    {"PutPartnerEvents", aev__events_put_partner_events},
    {"PutPermission", aev__events_put_permission},
    {"PutRule", aev__events_put_rule},
    {"PutTargets", aev__events_put_targets},
    {"RemovePermission", aev__events_remove_permission},
    {"RemoveTargets", aev__events_remove_targets},
    {"StartReplay", aev__events_start_replay},
    {"TagResource", aev__events_tag_resource},
    {"TestEventPattern", aev__events_test_event_pattern},
    {"UntagResource", aev__events_untag_resource},
    {"UpdateApiDestination", aev__events_update_api_destination},
    {"UpdateArchive", aev__events_update_archive},
    {"UpdateConnection", aev__events_update_connection},
    {"UpdateEndpoint", aev__events_update_endpoint},
    {"UpdateEventBus", aev__events_update_event_bus},
};

/* PutEvents' entry members, which PutEvents checks entry by entry: U+0000
 * fails the entry, not the request (Detail as malformed JSON text). */
static const char *const nul_members[] = {"Entries.Source", "Entries.DetailType",
                                          "Entries.Detail", NULL};

const aev__api_service aev__api_events = {
    .name = "events",
    .missing_code = "ValidationException",
    .invalid_code = "ValidationException",
    .actions = actions,
    .n_actions = sizeof actions / sizeof actions[0],
    .style = AEV_API_STYLE_JSON,
    .nul_members = nul_members,
};

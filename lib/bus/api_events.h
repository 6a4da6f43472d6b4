/* Internal to lib/bus: the actions of the "events" service of aev_call(),
 * one file per group (buses, rules and targets, events, patterns, tags,
 * permissions). */
#ifndef AEV_BUS_API_EVENTS_H
#define AEV_BUS_API_EVENTS_H

#include "api/api.h"
#include "bus/bus_impl.h"

#define AEV__EVENTS_ACTION(name)                                         \
  int aev__events_##name(aev_broker *b, const aev__api_service *svc,     \
                         json_t *req, json_t **resp)

/* The bus a request names in member (EventBusName by default). */
int aev__events_bus_of(aev_broker *b, const aev__api_service *svc, json_t *req,
                       const char *member, aev_bus **out);

/* Pages the array resp[key] (all entries, in listing order) by the
 * request's Limit (1-100; all when absent) and NextToken, adding a
 * NextToken to resp when entries remain. */
int aev__events_page(const aev__api_service *svc, json_t *req, const char *key,
                     json_t *resp);
/* The same with the page size in limit_member (ListEndpoints' MaxResults). */
int aev__events_page_by(const aev__api_service *svc, json_t *req, const char *limit_member,
                        const char *key, json_t *resp);

/* A request's optional Tags list [{Key, Value}] as a new {key: value}
 * object in *out (NULL when absent), each tag checked (aev__bus_tag_check) and
 * at most 50 of them. */
int aev__events_tags_of(const aev__api_service *svc, json_t *req, json_t **out);

AEV__EVENTS_ACTION(create_event_bus);
AEV__EVENTS_ACTION(update_event_bus);
AEV__EVENTS_ACTION(delete_event_bus);
AEV__EVENTS_ACTION(describe_event_bus);
AEV__EVENTS_ACTION(list_event_buses);
AEV__EVENTS_ACTION(put_rule);
AEV__EVENTS_ACTION(describe_rule);
AEV__EVENTS_ACTION(delete_rule);
AEV__EVENTS_ACTION(enable_rule);
AEV__EVENTS_ACTION(disable_rule);
AEV__EVENTS_ACTION(list_rules);
AEV__EVENTS_ACTION(list_rule_names_by_target);
AEV__EVENTS_ACTION(put_targets);
AEV__EVENTS_ACTION(remove_targets);
AEV__EVENTS_ACTION(list_targets_by_rule);
AEV__EVENTS_ACTION(put_events);
AEV__EVENTS_ACTION(test_event_pattern);
AEV__EVENTS_ACTION(create_archive);
AEV__EVENTS_ACTION(describe_archive);
AEV__EVENTS_ACTION(list_archives);
AEV__EVENTS_ACTION(update_archive);
AEV__EVENTS_ACTION(delete_archive);
AEV__EVENTS_ACTION(start_replay);
AEV__EVENTS_ACTION(describe_replay);
AEV__EVENTS_ACTION(list_replays);
AEV__EVENTS_ACTION(cancel_replay);
AEV__EVENTS_ACTION(tag_resource);
AEV__EVENTS_ACTION(untag_resource);
AEV__EVENTS_ACTION(list_tags_for_resource);
AEV__EVENTS_ACTION(put_permission);
AEV__EVENTS_ACTION(remove_permission);
/* partner.c and event.c: partner event sources */
AEV__EVENTS_ACTION(create_partner_event_source);
AEV__EVENTS_ACTION(delete_partner_event_source);
AEV__EVENTS_ACTION(describe_partner_event_source);
AEV__EVENTS_ACTION(list_partner_event_sources);
AEV__EVENTS_ACTION(list_partner_event_source_accounts);
AEV__EVENTS_ACTION(list_event_sources);
AEV__EVENTS_ACTION(describe_event_source);
AEV__EVENTS_ACTION(activate_event_source);
AEV__EVENTS_ACTION(deactivate_event_source);
AEV__EVENTS_ACTION(put_partner_events);

#endif

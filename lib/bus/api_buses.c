/* CreateEventBus (a partner event bus with EventSourceName), UpdateEventBus,
 * DeleteEventBus, DescribeEventBus and ListEventBuses of the "events"
 * service. */
#include <string.h>

#include "bus/api_events.h"
#include "core/json_build.h"
#include "core/status.h"

/* The members CreateEventBus and UpdateEventBus share, borrowed from req:
 * a DeadLetterConfig without an Arn is none (""), one with an empty Arn
 * breaks AWS's constraint; a LogConfig replaces the bus's whole, so a
 * member it leaves out is none. */
static int attrs_of(const aev__api_service *svc, json_t *req,
                    aev__bus_attrs *a) {
  const char *description = NULL, *kms = NULL, *dlq = NULL, *level = NULL, *detail = NULL;
  json_t *dlc = NULL, *log = NULL;
  int rc = aev__api_opt_string(svc, req, "Description", &description);
  if (!rc) rc = aev__api_opt_string(svc, req, "KmsKeyIdentifier", &kms);
  if (!rc) rc = aev__api_opt_object(svc, req, "DeadLetterConfig", &dlc);
  if (!rc && dlc) rc = aev__api_opt_string(svc, dlc, "Arn", &dlq);
  if (!rc && dlq && !*dlq)
    rc = aev__fail_validation(NULL, "deadLetterConfig.arn",
                              "Member must have length greater than or equal to 1");
  if (!rc) rc = aev__api_opt_object(svc, req, "LogConfig", &log);
  if (!rc && log) rc = aev__api_opt_string(svc, log, "Level", &level);
  if (!rc && log) rc = aev__api_opt_string(svc, log, "IncludeDetail", &detail);
  *a = (aev__bus_attrs){(char *)description, (char *)kms, (char *)(dlc && !dlq ? "" : dlq),
                        (char *)(log && !level ? "" : level),
                        (char *)(log && !detail ? "" : detail)};
  return rc;
}

/* UpdateEventBus's Name is a bus name, never an ARN (AWS's EventBusName:
 * 1 to 256 of [/.\-_A-Za-z0-9]). */
static int check_update_name(const char *name) {
  int rc = aev__bus_check_length("name", name, 256);
  if (rc || !name) return rc;
  size_t n = strlen(name);
  if (n && strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/.-_") == n)
    return AEV_OK;
  return aev__fail_validation(name, "name",
                              n ? "Member must satisfy regular expression pattern: "
                                  "[/\\.\\-_A-Za-z0-9]+"
                                : "Member must have length greater than or equal to 1");
}

static int answer(aev_bus *bus, int shape, json_t **resp) {
  *resp = aev__bus_json(bus, shape);
  return *resp ? AEV_OK : aev__nomem();
}

AEV__EVENTS_ACTION(create_event_bus) {
  const char *name, *source = NULL;
  aev__bus_attrs a;
  json_t *tags = NULL;
  int rc = aev__api_req_string(svc, req, "Name", &name);
  if (!rc) rc = aev__api_opt_string(svc, req, "EventSourceName", &source);
  aev_bus *bus;
  if (!rc && !(rc = attrs_of(svc, req, &a)) && !(rc = aev__events_tags_of(svc, req, &tags)))
    rc = aev__bus_create(b, name, source, &a, tags, &bus);
  json_decref(tags);
  if (rc) return rc;
  rc = answer(bus, AEV__BUS_CREATED, resp);
  aev_bus_release(bus);
  return rc;
}

AEV__EVENTS_ACTION(update_event_bus) {
  const char *name = NULL;
  aev__bus_attrs a;
  int rc = aev__api_opt_string(svc, req, "Name", &name);
  if (!rc) rc = check_update_name(name);
  /* Members are checked before the bus is looked up, as AWS does. */
  if (!rc && !(rc = attrs_of(svc, req, &a))) rc = aev__bus_attrs_check(&a);
  aev_bus *bus;
  if (rc || (rc = aev__events_bus_of(b, svc, req, "Name", &bus))) return rc;
  rc = aev__bus_update(bus, &a);
  if (!rc) rc = answer(bus, AEV__BUS_UPDATED, resp);
  aev_bus_release(bus);
  return rc;
}

AEV__EVENTS_ACTION(delete_event_bus) {
  const char *name;
  int rc = aev__api_req_string(svc, req, "Name", &name);
  if (rc) return rc;
  aev_bus *bus;
  /* Deleting a bus that does not exist succeeds. */
  if (aev__bus_find(b, name, 1, &bus) == AEV_OK) {
    rc = aev_bus_delete(bus);
    aev_bus_release(bus);
  }
  if (!rc) *resp = json_object();
  return rc;
}

AEV__EVENTS_ACTION(describe_event_bus) {
  aev_bus *bus;
  int rc = aev__events_bus_of(b, svc, req, "Name", &bus);
  if (rc) return rc;
  rc = answer(bus, AEV__BUS_DESCRIBED, resp);
  aev_bus_release(bus);
  return rc;
}

AEV__EVENTS_ACTION(list_event_buses) {
  const char *prefix = NULL;
  int rc = aev__api_opt_string(svc, req, "NamePrefix", &prefix);
  aev_bus *def;
  /* The default bus is always listed: make sure it exists. */
  if (rc || (rc = aev__bus_find(b, "default", 1, &def))) return rc;
  aev_bus_release(def);
  aev__resource **list;
  size_t n;
  if ((rc = aev__registry_list(b, AEV__KIND_BUS, prefix, &list, &n))) return rc;
  json_t *buses = json_array();
  int whole = buses != NULL;
  for (size_t i = 0; whole && i < n; i++)
    whole = !json_array_append_new(buses, aev__bus_json((aev_bus *)list[i], AEV__BUS_LISTED));
  aev__registry_list_free(list, n);
  buses = aev__json_whole(buses, whole);
  *resp = buses ? json_pack("{s:o}", "EventBuses", buses) : NULL;
  if (!*resp) return aev__nomem();
  if ((rc = aev__events_page(svc, req, "EventBuses", *resp))) json_decref(*resp);
  return rc;
}

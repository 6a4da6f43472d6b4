/* CreateEventBus, DeleteEventBus, DescribeEventBus and ListEventBuses of
 * the "events" service. */
#include <string.h>

#include "bus/api_events.h"
#include "core/json_build.h"
#include "core/status.h"

static json_t *bus_json(const aev_bus *bus) {
  return json_pack("{s:s,s:s}", "Name", bus->res.name, "Arn", bus->res.arn);
}

AEV__EVENTS_ACTION(create_event_bus) {
  const char *name;
  int rc = aev__api_req_string(svc, req, "Name", &name);
  aev_bus *bus;
  if (rc || (rc = aev_bus_create(b, name, &bus))) return rc;
  *resp = json_pack("{s:s}", "EventBusArn", bus->res.arn);
  aev_bus_release(bus);
  return *resp ? AEV_OK : aev__nomem();
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
  *resp = bus_json(bus);
  int whole = !json_object_set_new(*resp, "CreationTime", json_integer(bus->created_s));
  *resp = aev__json_whole(*resp, whole);
  aev_bus_release(bus);
  return *resp ? AEV_OK : aev__nomem();
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
    whole = !json_array_append_new(buses, bus_json((aev_bus *)list[i]));
  aev__registry_list_free(list, n);
  buses = aev__json_whole(buses, whole);
  *resp = buses ? json_pack("{s:o}", "EventBuses", buses) : NULL;
  if (!*resp) return aev__nomem();
  if ((rc = aev__events_page(svc, req, "EventBuses", *resp))) json_decref(*resp);
  return rc;
}

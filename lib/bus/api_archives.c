/* CreateArchive, DescribeArchive, ListArchives, DeleteArchive, StartReplay,
 * DescribeReplay, ListReplays and CancelReplay of the "events" service. */
#include <string.h>

#include "bus/api_events.h"
#include "core/status.h"

static int parsed(int rc, char *text, json_t **resp) {
  if (rc) return rc;
  *resp = json_loads(text, 0, NULL);
  aev_free(text);
  return *resp ? AEV_OK : aev__nomem();
}

AEV__EVENTS_ACTION(create_archive) {
  const char *name, *source, *pattern = NULL, *description = NULL;
  int64_t days = 0;
  int rc = aev__api_req_string(svc, req, "ArchiveName", &name);
  if (!rc) rc = aev__api_req_string(svc, req, "EventSourceArn", &source);
  if (!rc) rc = aev__api_opt_string(svc, req, "EventPattern", &pattern);
  if (!rc) rc = aev__api_opt_string(svc, req, "Description", &description);
  if (!rc) rc = aev__api_opt_int(svc, req, "RetentionDays", 0, INT32_MAX, &days);
  aev_bus *bus;
  if (rc || (rc = aev__bus_find(b, source, 1, &bus))) return rc;
  char *arn = NULL;
  rc = aev_bus_create_archive(bus, name, pattern, (int)days, description, &arn);
  aev_bus_release(bus);
  if (rc) return rc;
  *resp = json_pack("{s:s,s:s,s:I}", "ArchiveArn", arn, "State", "ENABLED",
                    "CreationTime", (json_int_t)(aev_broker_now_ms(b) / 1000));
  aev_free(arn);
  return *resp ? AEV_OK : aev__nomem();
}

AEV__EVENTS_ACTION(describe_archive) {
  const char *name;
  char *text = NULL;
  int rc = aev__api_req_string(svc, req, "ArchiveName", &name);
  if (!rc) rc = aev_bus_describe_archive(b, name, &text);
  return parsed(rc, text, resp);
}

AEV__EVENTS_ACTION(list_archives) {
  const char *prefix = NULL;
  char *text = NULL;
  int rc = aev__api_opt_string(svc, req, "NamePrefix", &prefix);
  if (!rc) rc = aev_bus_list_archives(b, prefix, &text);
  return parsed(rc, text, resp);
}

AEV__EVENTS_ACTION(delete_archive) {
  const char *name;
  int rc = aev__api_req_string(svc, req, "ArchiveName", &name);
  if (!rc) rc = aev_bus_delete_archive(b, name);
  if (!rc) *resp = json_object();
  return rc;
}

AEV__EVENTS_ACTION(start_replay) {
  char *text = json_dumps(req, JSON_COMPACT), *out = NULL;
  int rc = text ? aev_bus_start_replay(b, text, &out) : aev__nomem();
  free(text);
  return parsed(rc, out, resp);
}

AEV__EVENTS_ACTION(describe_replay) {
  const char *name;
  char *text = NULL;
  int rc = aev__api_req_string(svc, req, "ReplayName", &name);
  if (!rc) rc = aev_bus_describe_replay(b, name, &text);
  return parsed(rc, text, resp);
}

AEV__EVENTS_ACTION(list_replays) {
  const char *prefix = NULL;
  char *text = NULL;
  int rc = aev__api_opt_string(svc, req, "NamePrefix", &prefix);
  if (!rc) rc = aev_bus_list_replays(b, prefix, &text);
  return parsed(rc, text, resp);
}

AEV__EVENTS_ACTION(cancel_replay) {
  const char *name;
  char *text = NULL;
  int rc = aev__api_req_string(svc, req, "ReplayName", &name);
  if (!rc) rc = aev_bus_cancel_replay(b, name, &text);
  return parsed(rc, text, resp);
}

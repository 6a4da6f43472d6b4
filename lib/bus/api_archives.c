/* CreateArchive, DescribeArchive, ListArchives, UpdateArchive, DeleteArchive,
 * StartReplay,
 * DescribeReplay, ListReplays and CancelReplay of the "events" service. */
#include <string.h>

#include "bus/api_events.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"

static int parsed(int rc, char *text, json_t **resp) {
  if (rc) return rc;
  rc = aev__json_parse_str(text, 0, resp);
  aev_free(text);
  return rc;
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

/* Drops the archives of list whose EventSourceArn is not arn. */
static void only_from(json_t *list, const char *arn) {
  for (size_t i = json_array_size(list); i-- > 0;)
    if (strcmp(json_string_value(json_object_get(json_array_get(list, i), "EventSourceArn")),
               arn))
      json_array_remove(list, i);
}

AEV__EVENTS_ACTION(list_archives) {
  const char *prefix = NULL, *source = NULL;
  char *text = NULL;
  aev_bus *bus = NULL;
  int rc = aev__api_opt_string(svc, req, "NamePrefix", &prefix);
  if (!rc) rc = aev__api_opt_string(svc, req, "EventSourceArn", &source);
  /* AWS answers that an EventSourceArn's bus does not exist rather than
   * listing nothing. */
  if (!rc && source) rc = aev__bus_find(b, source, 1, &bus);
  if (!rc) rc = aev_bus_list_archives(b, prefix, &text);
  if (!(rc = parsed(rc, text, resp))) {
    if (bus) only_from(json_object_get(*resp, "Archives"), bus->res.arn);
    if ((rc = aev__events_page(svc, req, "Archives", *resp))) json_decref(*resp);
  }
  aev_bus_release(bus);
  return rc;
}

AEV__EVENTS_ACTION(update_archive) {
  const char *name, *pattern = NULL, *description = NULL;
  int64_t days = -1;
  int rc = aev__api_req_string(svc, req, "ArchiveName", &name);
  if (!rc) rc = aev__api_opt_string(svc, req, "EventPattern", &pattern);
  if (!rc) rc = aev__api_opt_string(svc, req, "Description", &description);
  if (!rc) rc = aev__api_opt_int(svc, req, "RetentionDays", 0, INT32_MAX, &days);
  if (!rc) rc = aev_bus_update_archive(b, name, pattern, (int)days, description);
  char *text = NULL;
  if (!rc) rc = aev_bus_describe_archive(b, name, &text);
  if (!rc && !(rc = parsed(rc, text, resp))) {
    /* UpdateArchive answers with the archive's ARN and state, and the time
     * of the update as CreationTime (AWS's documentation says so). */
    json_t *o = json_pack("{s:O,s:O,s:I}", "ArchiveArn",
                          json_object_get(*resp, "ArchiveArn"), "State",
                          json_object_get(*resp, "State"), "CreationTime",
                          (json_int_t)(aev_broker_now_ms(b) / 1000));
    json_decref(*resp);
    *resp = o;
    if (!o) rc = aev__nomem();
  }
  return rc;
}

AEV__EVENTS_ACTION(delete_archive) {
  const char *name;
  int rc = aev__api_req_string(svc, req, "ArchiveName", &name);
  if (!rc) rc = aev_bus_delete_archive(b, name);
  if (!rc) *resp = json_object();
  return rc;
}

AEV__EVENTS_ACTION(start_replay) {
  char *text = aev__json_dumps(req, JSON_COMPACT), *out = NULL;
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
  if (!(rc = parsed(rc, text, resp)) &&
      (rc = aev__events_page(svc, req, "Replays", *resp)))
    json_decref(*resp);
  return rc;
}

AEV__EVENTS_ACTION(cancel_replay) {
  const char *name;
  char *text = NULL;
  int rc = aev__api_req_string(svc, req, "ReplayName", &name);
  if (!rc) rc = aev_bus_cancel_replay(b, name, &text);
  return parsed(rc, text, resp);
}

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

/* Drops the entries of list whose member is not value (none when value is
 * NULL). */
static void only_where(json_t *list, const char *member, const char *value) {
  for (size_t i = json_array_size(list); value && i-- > 0;) {
    const char *v = json_string_value(json_object_get(json_array_get(list, i), member));
    if (!v || strcmp(v, value)) json_array_remove(list, i);
  }
}

/* ListArchives' and ListReplays' filters: NamePrefix, EventSourceArn and
 * State, of which AWS takes one at most ("Filter parameters are exclusive",
 * their API reference), State one of states. */
static int filters(const aev__api_service *svc, json_t *req, const char *action,
                   const char *const *states, const char **prefix, const char **source,
                   const char **state) {
  int rc = aev__api_opt_string(svc, req, "NamePrefix", prefix);
  if (!rc) rc = aev__api_opt_string(svc, req, "EventSourceArn", source);
  if (!rc) rc = aev__api_opt_enum(svc, req, "State", "state", states, state);
  if (!rc && !!*prefix + !!*source + !!*state > 1)
    rc = aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "At most one filter is allowed for %s. Use either : State, EventSourceArn, "
                   "or NamePrefix.",
                   action);
  return rc;
}

AEV__EVENTS_ACTION(list_archives) {
  static const char *const states[] = {"ENABLED",       "DISABLED",     "CREATING", "UPDATING",
                                       "CREATE_FAILED", "UPDATE_FAILED", NULL};
  const char *prefix = NULL, *source = NULL, *state = NULL;
  char *text = NULL;
  aev_bus *bus = NULL;
  int rc = filters(svc, req, "ListArchives", states, &prefix, &source, &state);
  /* AWS answers that an EventSourceArn's bus does not exist rather than
   * listing nothing. */
  if (!rc && source) rc = aev__bus_find(b, source, 1, &bus);
  if (!rc) rc = aev_bus_list_archives(b, prefix, &text);
  if (!(rc = parsed(rc, text, resp))) {
    json_t *list = json_object_get(*resp, "Archives");
    only_where(list, "EventSourceArn", bus ? bus->res.arn : NULL);
    only_where(list, "State", state);
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
  static const char *const states[] = {"STARTING",  "RUNNING",   "CANCELLING", "COMPLETED",
                                       "CANCELLED", "FAILED",    NULL};
  const char *prefix = NULL, *source = NULL, *state = NULL;
  char *text = NULL;
  int rc = filters(svc, req, "ListReplays", states, &prefix, &source, &state);
  if (!rc) rc = aev_bus_list_replays(b, prefix, &text);
  if (!(rc = parsed(rc, text, resp))) {
    json_t *list = json_object_get(*resp, "Replays");
    only_where(list, "EventSourceArn", source);
    only_where(list, "State", state);
    if ((rc = aev__events_page(svc, req, "Replays", *resp))) json_decref(*resp);
  }
  return rc;
}

AEV__EVENTS_ACTION(cancel_replay) {
  const char *name;
  char *text = NULL;
  int rc = aev__api_req_string(svc, req, "ReplayName", &name);
  if (!rc) rc = aev_bus_cancel_replay(b, name, &text);
  return parsed(rc, text, resp);
}

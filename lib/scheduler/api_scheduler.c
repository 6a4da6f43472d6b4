/* The "scheduler" service of aev_call: EventBridge Scheduler's actions
 * mapped onto lib/scheduler, and the JSON-text C API over the same. */
#include <string.h>

#include "core/json_parse.h"
#include "core/json_dump.h"
#include "core/status.h"
#include "scheduler/scheduler_impl.h"

typedef int (*json_fn)(aev_broker *b, json_t *req, json_t **resp);

#define ACTION(name, fn)                                                              \
  static int api_##name(aev_broker *b, const aev__api_service *svc, json_t *req,    \
                        json_t **resp) {                                             \
    (void)svc;                                                                       \
    return fn(b, req, resp);                                                         \
  }

ACTION(create_schedule, aev__scheduler_create)
ACTION(update_schedule, aev__scheduler_update)
ACTION(get_schedule, aev__scheduler_get)
ACTION(delete_schedule, aev__scheduler_delete)
ACTION(list_schedules, aev__scheduler_list)
ACTION(create_group, aev__scheduler_create_group)
ACTION(get_group, aev__scheduler_get_group)
ACTION(delete_group, aev__scheduler_delete_group)
ACTION(list_groups, aev__scheduler_list_groups)
ACTION(tag, aev__scheduler_tag_resource)
ACTION(untag, aev__scheduler_untag_resource)
ACTION(list_tags, aev__scheduler_list_tags)

static const aev__api_action actions[] = {
    {"CreateSchedule", api_create_schedule},
    {"CreateScheduleGroup", api_create_group},
    {"DeleteSchedule", api_delete_schedule},
    {"DeleteScheduleGroup", api_delete_group},
    {"GetSchedule", api_get_schedule},
    {"GetScheduleGroup", api_get_group},
    {"ListScheduleGroups", api_list_groups},
    {"ListSchedules", api_list_schedules},
    {"ListTagsForResource", api_list_tags},
    {"TagResource", api_tag},
    {"UntagResource", api_untag},
    {"UpdateSchedule", api_update_schedule},
};

const aev__api_service aev__api_scheduler = {
    .name = "scheduler",
    .missing_code = "ValidationException",
    .invalid_code = "ValidationException",
    .actions = actions,
    .n_actions = sizeof actions / sizeof actions[0],
    .style = AEV_API_STYLE_JSON,
};

/* The public functions: fn over req (stolen), its answer as text in *out
 * (when out is not NULL). */
static int answer(aev_broker *b, json_t *req, json_fn fn, char **out) {
  json_t *resp = NULL;
  int rc = req ? fn(b, req, &resp) : aev__nomem();
  json_decref(req);
  if (!rc && out && !(*out = aev__json_dumps(resp, JSON_COMPACT))) rc = aev__nomem();
  json_decref(resp);
  return rc;
}

/* A request given as text. */
static int run(aev_broker *b, const char *request_json, json_fn fn, char **out) {
  if (!b) return aev__fail(AEV_ERR_INVALID, "ValidationException", "A broker is required.");
  json_t *req = NULL;
  int rc = aev__json_parse_str(request_json && *request_json ? request_json : "{}", 0, &req);
  if (rc == AEV_ERR_INVALID || (!rc && !json_is_object(req))) {
    json_decref(req);
    return aev__fail(AEV_ERR_INVALID, "ValidationException", "The request is not a JSON object.");
  }
  return rc ? rc : answer(b, req, fn, out);
}

AEV_API int aev_scheduler_create_schedule(aev_broker *b, const char *request_json,
                                          char **response_json) {
  return run(b, request_json, aev__scheduler_create, response_json);
}

AEV_API int aev_scheduler_update_schedule(aev_broker *b, const char *request_json,
                                          char **response_json) {
  return run(b, request_json, aev__scheduler_update, response_json);
}

AEV_API int aev_scheduler_list_schedules(aev_broker *b, const char *request_json,
                                         char **json_out) {
  return run(b, request_json, aev__scheduler_list, json_out);
}

AEV_API int aev_scheduler_list_groups(aev_broker *b, const char *request_json, char **json_out) {
  return run(b, request_json, aev__scheduler_list_groups, json_out);
}

/* {"Name": name, "GroupName": group} as a request (group may be NULL). */
static json_t *named(const char *name, const char *group) {
  json_t *req = json_pack("{s:s}", "Name", name ? name : "");
  if (req && group && json_object_set_new(req, "GroupName", json_string(group))) {
    json_decref(req);
    return NULL;
  }
  return req;
}

AEV_API int aev_scheduler_get_schedule(aev_broker *b, const char *name, const char *group,
                                       char **json_out) {
  return answer(b, named(name, group), aev__scheduler_get, json_out);
}

AEV_API int aev_scheduler_delete_schedule(aev_broker *b, const char *name, const char *group) {
  return answer(b, named(name, group), aev__scheduler_delete, NULL);
}

AEV_API int aev_scheduler_create_group(aev_broker *b, const char *name, const char *tags_json,
                                       char **arn_out) {
  json_t *req = named(name, NULL), *resp = NULL;
  int rc = req ? AEV_OK : aev__nomem();
  if (!rc && tags_json) {
    json_t *tags = NULL;
    rc = aev__json_parse_str(tags_json, 0, &tags);
    if (rc == AEV_ERR_INVALID)
      rc = aev__fail(AEV_ERR_INVALID, "ValidationException", "Tags is not a JSON list.");
    if (!rc && json_object_set_new(req, "Tags", tags)) rc = aev__nomem();
  }
  if (!rc) rc = aev__scheduler_create_group(b, req, &resp);
  json_decref(req);
  if (!rc && arn_out &&
      !(*arn_out = strdup(json_string_value(json_object_get(resp, "ScheduleGroupArn")))))
    rc = aev__nomem();
  json_decref(resp);
  return rc;
}

AEV_API int aev_scheduler_get_group(aev_broker *b, const char *name, char **json_out) {
  return answer(b, named(name, NULL), aev__scheduler_get_group, json_out);
}

AEV_API int aev_scheduler_delete_group(aev_broker *b, const char *name) {
  return answer(b, named(name, NULL), aev__scheduler_delete_group, NULL);
}

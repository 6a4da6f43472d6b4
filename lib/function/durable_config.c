/* DurableConfig of CreateFunction and UpdateFunctionConfiguration:
 * ExecutionTimeout 1..31622400 seconds (required), RetentionPeriodInDays
 * 1..90 (14 by default), as the Lambda API reference's DurableConfig and
 * the developer guide's "Configure Lambda durable functions" give them. */
#include "core/status.h"
#include "function/durable.h"

#define TIMEOUT_MAX 31622400
#define RETENTION_MAX 90

json_t *aev__durable_config_of(const aev__fconf *c) {
  return json_object_get(c->doc, "DurableConfig");
}

static int member(json_t *dc, const char *name, const char *path, long long max,
                  json_t **out) {
  json_t *v = json_object_get(dc, name);
  *out = v && !json_is_null(v) ? v : NULL;
  if (!*out) return AEV_OK;
  if (!json_is_integer(v))
    return aev__fn_invalid("%s must be an integer.", path);
  return aev__fn_range(path, json_integer_value(v), 1, max);
}

int aev__durable_config_parse(json_t *req, const json_t *base_doc, json_t *doc) {
  json_t *dc = json_object_get(req, "DurableConfig");
  if (!dc || json_is_null(dc)) return AEV_OK;
  if (!json_is_object(dc)) return aev__fn_invalid("DurableConfig must be an object.");
  json_t *old = base_doc ? json_object_get(base_doc, "DurableConfig") : NULL;
  /* "You can only enable durable execution when creating a function. You
   * cannot enable it on existing functions." (developer guide) */
  if (base_doc && !old)
    return aev__fn_invalid("You cannot enable durable execution on an existing function. "
                           "Set DurableConfig when you create the function.");
  json_t *timeout, *retention;
  int rc = member(dc, "ExecutionTimeout", "durableConfig.executionTimeout", TIMEOUT_MAX,
                  &timeout);
  if (rc == AEV_OK)
    rc = member(dc, "RetentionPeriodInDays", "durableConfig.retentionPeriodInDays",
                RETENTION_MAX, &retention);
  if (rc != AEV_OK) return rc;
  /* Lambda's words (recorded in aws/aws-extensions-for-dotnet-cli#450);
   * an update may change the retention alone of a durable function. */
  if (!timeout && !old)
    return aev__fn_invalid("You cannot create a function with a durable configuration "
                           "without an executionTimeout");
  if (!timeout) timeout = json_object_get(old, "ExecutionTimeout");
  long long days = retention ? json_integer_value(retention)
                   : old     ? json_integer_value(json_object_get(old, "RetentionPeriodInDays"))
                             : AEV__DURABLE_RETENTION_DAYS;
  json_t *set = json_pack("{sOsI}", "ExecutionTimeout", timeout, "RetentionPeriodInDays",
                          (json_int_t)days);
  return set && !json_object_set_new(doc, "DurableConfig", set) ? AEV_OK : aev__nomem();
}

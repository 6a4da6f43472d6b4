/* What the function files share for JSON in and out: an optional integer
 * member checked against its range (Lambda's ValidationException wording),
 * and handing a built object to the caller as text. */
#include <stdlib.h>

#include "core/json_dump.h"
#include "core/status.h"
#include "function/function_impl.h"

int aev__fn_opt_int(json_t *req, const char *name, const char *member,
                    long long min, long long max, int *out) {
  json_t *v = json_object_get(req, name);
  if (!v || json_is_null(v)) return AEV_OK;
  if (!json_is_integer(v))
    return aev__fn_invalid("%s must be an integer.", name);
  int rc = aev__fn_range(member, (long long)json_integer_value(v), min, max);
  if (rc == AEV_OK) *out = (int)json_integer_value(v);
  return rc;
}

void aev__fn_put(json_t **o, const char *key, json_t *v) {
  int lost = key ? json_object_set_new(*o, key, v) : json_array_append_new(*o, v);
  if (lost) {
    json_decref(*o);
    *o = NULL;
  }
}

int aev__fn_dump(json_t *o, char **json) {
  if (!json) {
    json_decref(o);
    return AEV_OK;
  }
  *json = o ? aev__json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  return *json ? AEV_OK : aev__nomem();
}

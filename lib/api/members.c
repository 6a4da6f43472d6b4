/* Request member helpers for the API layer: presence, type and range checks
 * that fail with the calling service's own error names and wording. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/api.h"
#include "core/status.h"
#include "core/text.h"

/* JSON-protocol validation messages name the member in lower camel case
 * ("at 'streamName'") whatever its spelling on the wire. */
static void camel(const char *name, char *out, size_t cap) {
  snprintf(out, cap, "%s", name);
  out[0] = (char)aev__ascii_lower((unsigned char)out[0]);
}

static int missing(const aev__api_service *svc, const char *name) {
  if (svc->style == AEV_API_STYLE_JSON) {
    char m[128];
    camel(name, m, sizeof m);
    return aev__fail(AEV_ERR_INVALID, svc->missing_code,
                     "1 validation error detected: Value null at '%s' "
                     "failed to satisfy constraint: Member must not be null",
                     m);
  }
  return aev__fail(AEV_ERR_INVALID, svc->missing_code,
                   "The request must contain the parameter %s.", name);
}

/* what: "a string", "an integer", ... */
static int wrong_type(const aev__api_service *svc, const char *name,
                      const char *what) {
  if (svc->style == AEV_API_STYLE_JSON) {
    char m[128];
    camel(name, m, sizeof m);
    return aev__fail(AEV_ERR_INVALID, svc->invalid_code,
                     "1 validation error detected: Value at '%s' failed to "
                     "satisfy constraint: Member must be %s",
                     m, what);
  }
  return aev__fail(AEV_ERR_INVALID, svc->invalid_code,
                   "Value for parameter %s is invalid. Reason: Must be %s.",
                   name, what);
}

static int out_of_range(const aev__api_service *svc, const char *name,
                        int64_t v, int64_t min, int64_t max) {
  if (svc->style == AEV_API_STYLE_JSON) {
    char m[128];
    camel(name, m, sizeof m);
    return aev__fail(AEV_ERR_INVALID, svc->invalid_code,
                     "1 validation error detected: Value '%" PRId64
                     "' at '%s' failed to satisfy constraint: Member must "
                     "have value %s than or equal to %" PRId64,
                     v, m, v < min ? "greater" : "less", v < min ? min : max);
  }
  return aev__fail(AEV_ERR_INVALID, svc->invalid_code,
                   "Value %" PRId64 " for parameter %s is invalid. Reason: "
                   "Must be between %" PRId64 " and %" PRId64 ".",
                   v, name, min, max);
}

static json_t *member(json_t *req, const char *name) {
  json_t *v = json_object_get(req, name);
  return json_is_null(v) ? NULL : v;
}

int aev__api_has(json_t *req, const char *name) {
  return member(req, name) != NULL;
}

int aev__api_opt_string(const aev__api_service *svc, json_t *req,
                        const char *name, const char **out) {
  json_t *v = member(req, name);
  if (!v)
    return AEV_OK;
  if (!json_is_string(v))
    return wrong_type(svc, name, "a string");
  *out = json_string_value(v);
  return AEV_OK;
}

int aev__api_req_string(const aev__api_service *svc, json_t *req,
                        const char *name, const char **out) {
  return member(req, name) ? aev__api_opt_string(svc, req, name, out)
                           : missing(svc, name);
}

/* An integral JSON number, or -1 with *v unset. Reals count when they have
 * no fractional part, as JSON senders such as JavaScript may write 10.0. */
static int integral(json_t *j, int64_t *v) {
  if (json_is_integer(j)) {
    *v = json_integer_value(j);
    return 0;
  }
  if (json_is_real(j)) {
    double d = json_real_value(j);
    if (d == floor(d) && d >= -9.2e18 && d <= 9.2e18) {
      *v = (int64_t)d;
      return 0;
    }
  }
  return -1;
}

int aev__api_opt_int(const aev__api_service *svc, json_t *req,
                     const char *name, int64_t min, int64_t max,
                     int64_t *out) {
  json_t *j = member(req, name);
  if (!j)
    return AEV_OK;
  int64_t v;
  if (integral(j, &v) != 0)
    return wrong_type(svc, name, "an integer");
  if (v < min || v > max)
    return out_of_range(svc, name, v, min, max);
  *out = v;
  return AEV_OK;
}

int aev__api_req_int(const aev__api_service *svc, json_t *req,
                     const char *name, int64_t min, int64_t max,
                     int64_t *out) {
  return member(req, name) ? aev__api_opt_int(svc, req, name, min, max, out)
                           : missing(svc, name);
}

int aev__api_opt_bool(const aev__api_service *svc, json_t *req,
                      const char *name, int *out) {
  json_t *j = member(req, name);
  if (!j)
    return AEV_OK;
  if (!json_is_boolean(j))
    return wrong_type(svc, name, "a boolean");
  *out = json_is_true(j);
  return AEV_OK;
}

/* Object and array members share one shape: type check, then borrow. */
static int opt_typed(const aev__api_service *svc, json_t *req,
                     const char *name, json_type type, const char *what,
                     json_t **out) {
  json_t *j = member(req, name);
  if (!j)
    return AEV_OK;
  if (json_typeof(j) != type)
    return wrong_type(svc, name, what);
  *out = j;
  return AEV_OK;
}

int aev__api_opt_object(const aev__api_service *svc, json_t *req,
                        const char *name, json_t **out) {
  return opt_typed(svc, req, name, JSON_OBJECT, "an object", out);
}

int aev__api_req_object(const aev__api_service *svc, json_t *req,
                        const char *name, json_t **out) {
  return member(req, name) ? aev__api_opt_object(svc, req, name, out)
                           : missing(svc, name);
}

int aev__api_opt_array(const aev__api_service *svc, json_t *req,
                       const char *name, json_t **out) {
  return opt_typed(svc, req, name, JSON_ARRAY, "an array", out);
}

int aev__api_req_array(const aev__api_service *svc, json_t *req,
                       const char *name, json_t **out) {
  return member(req, name) ? aev__api_opt_array(svc, req, name, out)
                           : missing(svc, name);
}

int aev__api_opt_blob(const aev__api_service *svc, json_t *req,
                      const char *name, unsigned char **out, size_t *len) {
  *out = NULL;
  *len = 0;
  json_t *j = member(req, name);
  if (!j)
    return AEV_OK;
  if (!json_is_string(j))
    return wrong_type(svc, name, "a base64-encoded string");
  int rc = aev__base64_decode(json_string_value(j), json_string_length(j),
                              out, len);
  if (rc == AEV_ERR_INVALID)
    return wrong_type(svc, name, "a base64-encoded string");
  return rc;
}

int aev__api_req_blob(const aev__api_service *svc, json_t *req,
                      const char *name, unsigned char **out, size_t *len) {
  *out = NULL;
  *len = 0;
  return member(req, name) ? aev__api_opt_blob(svc, req, name, out, len)
                           : missing(svc, name);
}

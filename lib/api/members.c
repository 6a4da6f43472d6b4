/* Request member helpers for the API layer: presence, type and range checks
 * that fail with the calling service's own error names and wording. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The character AWS's own checks refuse in names, ids and text alike; a C
 * string would end at it. name is the member, or its path. */
static int holds_nul(const aev__api_service *svc, const char *name) {
  if (svc->style == AEV_API_STYLE_JSON) {
    char m[128];
    camel(name, m, sizeof m);
    return aev__fail(AEV_ERR_INVALID, svc->invalid_code,
                     "1 validation error detected: Value at '%s' failed to "
                     "satisfy constraint: Member must not contain the "
                     "character U+0000",
                     m);
  }
  return aev__fail(AEV_ERR_INVALID, svc->invalid_code,
                   "Value for parameter %s is invalid. Reason: Must not "
                   "contain the character U+0000.",
                   name);
}

static int nul_inside(const char *s, size_t len) { return strlen(s) != len; }

/* The deepest path of any service's nul_members
 * ("Entries.MessageAttributes.*.StringValue"). */
#define NUL_PATH_MAX 4

/* 1 when the n member names of path spell pattern. */
static int path_is(const char *pattern, const char *const *path, size_t n) {
  for (size_t i = 0; i < n; i++) {
    size_t len = strcspn(pattern, ".");
    int any = len == 1 && pattern[0] == '*';
    if (!any && (strncmp(pattern, path[i], len) != 0 || path[i][len] != '\0'))
      return 0;
    pattern += len;
    if (i + 1 < n && *pattern++ != '.')
      return 0;
  }
  return *pattern == '\0';
}

static int may_hold_nul(const aev__api_service *svc, const char *const *path,
                        size_t n) {
  if (!svc->nul_members || n > NUL_PATH_MAX)
    return 0;
  for (const char *const *m = svc->nul_members; *m; m++)
    if (path_is(*m, path, n))
      return 1;
  return 0;
}

static int refuse_path(const aev__api_service *svc, const char *const *path,
                       size_t n) {
  char joined[128] = "";
  size_t used = 0;
  for (size_t i = 0; i < n && i < NUL_PATH_MAX + 1 && used < sizeof joined; i++)
    used += (size_t)snprintf(joined + used, sizeof joined - used, "%s%s",
                             i ? "." : "", path[i]);
  return holds_nul(svc, joined);
}

/* The first string under v with U+0000 outside nul_members fails. path
 * holds the member names down to v, the first NUL_PATH_MAX + 1 of them:
 * deeper ones match no pattern and are left out of the message. */
static int scan_nul(const aev__api_service *svc, json_t *v, const char **path,
                    size_t n) {
  const char *key;
  json_t *m;
  size_t i;
  int rc = AEV_OK;
  switch (json_typeof(v)) {
  case JSON_STRING:
    if (!nul_inside(json_string_value(v), json_string_length(v)) ||
        may_hold_nul(svc, path, n))
      return AEV_OK;
    return refuse_path(svc, path, n);
  case JSON_OBJECT:
    json_object_foreach(v, key, m) {
      if (n <= NUL_PATH_MAX) path[n] = key;
      if ((rc = scan_nul(svc, m, path, n + 1)) != AEV_OK) break;
    }
    return rc;
  case JSON_ARRAY:
    json_array_foreach(v, i, m) {
      if ((rc = scan_nul(svc, m, path, n)) != AEV_OK) break;
    }
    return rc;
  default:
    return AEV_OK;
  }
}

int aev__api_refuse_nul(const aev__api_service *svc, json_t *req) {
  const char *path[NUL_PATH_MAX + 1];
  return scan_nul(svc, req, path, 0);
}

static json_t *member(json_t *req, const char *name) {
  json_t *v = json_object_get(req, name);
  return json_is_null(v) ? NULL : v;
}

int aev__api_has(json_t *req, const char *name) {
  return member(req, name) != NULL;
}

int aev__api_opt_text(const aev__api_service *svc, json_t *req,
                      const char *name, const char **out, size_t *len) {
  json_t *v = member(req, name);
  if (!v)
    return AEV_OK;
  if (!json_is_string(v))
    return wrong_type(svc, name, "a string");
  *out = json_string_value(v);
  *len = json_string_length(v);
  return AEV_OK;
}

int aev__api_req_text(const aev__api_service *svc, json_t *req,
                      const char *name, const char **out, size_t *len) {
  return member(req, name) ? aev__api_opt_text(svc, req, name, out, len)
                           : missing(svc, name);
}

int aev__api_opt_string(const aev__api_service *svc, json_t *req,
                        const char *name, const char **out) {
  const char *s = NULL;
  size_t len = 0;
  int rc = aev__api_opt_text(svc, req, name, &s, &len);
  if (rc != AEV_OK || !s)
    return rc;
  if (nul_inside(s, len))
    return holds_nul(svc, name);
  *out = s;
  return AEV_OK;
}

int aev__api_opt_enum(const aev__api_service *svc, json_t *req, const char *name,
                      const char *path, const char *const *names, const char **out) {
  const char *v = NULL;
  int rc = aev__api_opt_string(svc, req, name, &v);
  if (rc != AEV_OK || !v)
    return rc;
  char set[256] = "";
  for (size_t i = 0; names[i]; i++) {
    if (!strcmp(v, names[i])) {
      *out = v;
      return AEV_OK;
    }
    snprintf(set + strlen(set), sizeof set - strlen(set), "%s%s", i ? ", " : "", names[i]);
  }
  return aev__fail(AEV_ERR_INVALID, svc->invalid_code,
                   "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: "
                   "Member must satisfy enum value set: [%s]",
                   v, path ? path : name, set);
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

int aev__api_req_strings(const aev__api_service *svc, json_t *req,
                         const char *name, json_t **out) {
  int rc = aev__api_req_array(svc, req, name, out);
  size_t i;
  json_t *v;
  if (rc == AEV_OK)
    json_array_foreach(*out, i, v) if (!json_is_string(v))
        return wrong_type(svc, name, "a list of strings");
  return rc;
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

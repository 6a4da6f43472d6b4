/* Labelled statements of a resource policy (policy_doc.h). */
#include "core/policy_doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"

/* list as AWS writes a principal or action list: the string itself when
 * there is one, else the array (stolen). */
static json_t *one_or_many(json_t *list) {
  if (!list || json_array_size(list) != 1) return list;
  json_t *only = json_incref(json_array_get(list, 0));
  json_decref(list);
  return only;
}

/* The partition an ARN names ("aws", "aws-cn", ...), into buf. */
static const char *partition_of(const char *arn, char *buf, size_t cap) {
  const char *p = strncmp(arn, "arn:", 4) ? NULL : arn + 4, *end = p ? strchr(p, ':') : NULL;
  if (!end || (size_t)(end - p) >= cap) return "aws";
  memcpy(buf, p, (size_t)(end - p));
  buf[end - p] = 0;
  return buf;
}

void aev__policy_doc_root(const char *resource, const char *account, char *out, size_t cap) {
  char part[32];
  snprintf(out, cap, "arn:%s:iam::%s:root", partition_of(resource, part, sizeof part), account);
}

json_t *aev__policy_doc_grant(const char *label, const json_t *accounts, const json_t *actions,
                          const char *prefix, const char *resource) {
  char name[256];
  json_t *who = json_array(), *what = json_array(), *v;
  size_t i;
  int failed = !who || !what;
  json_array_foreach(accounts, i, v) {
    aev__policy_doc_root(resource, json_string_value(v), name, sizeof name);
    failed |= json_array_append_new(who, json_string(name));
  }
  json_array_foreach(actions, i, v) {
    snprintf(name, sizeof name, "%s%s", prefix, json_string_value(v));
    failed |= json_array_append_new(what, json_string(name));
  }
  if (failed) {
    json_decref(who);
    json_decref(what);
    return NULL;
  }
  return json_pack("{s:s, s:s, s:{s:o}, s:o, s:s}", "Sid", label, "Effect", "Allow",
                   "Principal", "AWS", one_or_many(who), "Action", one_or_many(what),
                   "Resource", resource);
}

/* doc's object (fresh's when doc is NULL, "" or not an object) in *out. */
static int parse_doc(const char *doc, const char *fresh, json_t **out) {
  *out = NULL;
  if (doc && *doc && aev__json_parse_str(doc, 0, out) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  if (json_is_object(*out)) return AEV_OK;
  json_decref(*out);
  *out = NULL;
  if (!fresh) return AEV_OK;
  int rc = aev__json_parse_str(fresh, 0, out);
  return rc == AEV_ERR_INVALID ? aev__fail(AEV_ERR_INTERNAL, "InternalError",
                                           "A fresh policy is not a JSON object.")
                               : rc;
}

/* The Statement list of policy as an array, made one when it was a single
 * statement or missing; NULL when out of memory. */
static json_t *statements(json_t *policy) {
  json_t *s = json_object_get(policy, "Statement");
  if (json_is_array(s)) return s;
  json_t *list = json_array();
  if (!list || (json_is_object(s) && json_array_append(list, s)) ||
      json_object_set_new(policy, "Statement", list))
    return NULL;
  return list;
}

static int has_sid(const json_t *stmt, const char *sid) {
  const char *s = json_string_value(json_object_get(stmt, "Sid"));
  return s && !strcmp(s, sid);
}

static int dump(json_t *policy, char **out) {
  *out = aev__json_dumps(policy, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(policy);
  return *out ? AEV_OK : aev__nomem();
}

int aev__policy_doc_add(const char *doc, const char *fresh, json_t *stmt, char **out, int *taken) {
  json_t *policy, *list, *v;
  size_t i;
  *out = NULL;
  *taken = 0;
  int rc = parse_doc(doc, fresh, &policy);
  if (rc == AEV_OK && !(list = statements(policy))) rc = aev__nomem();
  if (rc != AEV_OK) {
    json_decref(policy);
    json_decref(stmt);
    return rc;
  }
  const char *sid = json_string_value(json_object_get(stmt, "Sid"));
  json_array_foreach(list, i, v) *taken |= has_sid(v, sid);
  if (*taken || json_array_append_new(list, stmt)) {
    if (*taken) json_decref(stmt);
    json_decref(policy);
    return *taken ? AEV_OK : aev__nomem();
  }
  return dump(policy, out);
}

int aev__policy_doc_remove(const char *doc, const char *label, char **out, size_t *left) {
  json_t *policy, *list;
  int found = 0;
  *out = NULL;
  *left = 0;
  int rc = parse_doc(doc, NULL, &policy);
  if (rc != AEV_OK || !policy) return rc;
  if (!(list = statements(policy))) {
    json_decref(policy);
    return aev__nomem();
  }
  for (size_t i = json_array_size(list); i-- > 0;)
    if (has_sid(json_array_get(list, i), label)) {
      json_array_remove(list, i);
      found = 1;
    }
  if (!found) {
    json_decref(policy);
    return AEV_OK;
  }
  *left = json_array_size(list);
  return dump(policy, out);
}

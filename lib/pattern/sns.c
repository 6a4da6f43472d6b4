/* SNS filter policies on MessageAttributes: turning the typed attribute map
 * into the plain JSON object the pattern automaton matches. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/status.h"
#include "pattern/sns.h"

static const char *member(json_t *attr, const char *a, const char *b) {
  json_t *v = json_object_get(attr, a);
  if (!v) v = json_object_get(attr, b);
  return json_string_value(v);
}

/* The attribute's value as SNS compares it, or NULL to leave it out. */
static json_t *attribute_value(json_t *attr) {
  const char *type = member(attr, "DataType", "Type");
  const char *value = member(attr, "StringValue", "Value");
  if (!type || !value) return NULL;
  if (!strncmp(type, "Number", 6)) {
    /* "Number.float" style custom types are still numbers. */
    json_t *n = json_loads(value, JSON_DECODE_ANY, NULL);
    if (json_is_number(n)) return n;
    json_decref(n);
    return json_string(value);
  }
  if (!strcmp(type, "String.Array")) {
    json_t *a = json_loads(value, JSON_DECODE_ANY, NULL);
    if (json_is_array(a)) return a;
    json_decref(a);
    return json_string(value);
  }
  if (!strncmp(type, "String", 6)) return json_string(value);
  return NULL; /* Binary */
}

int aev__pm_sns_attributes(const char *attrs, size_t len, char **out, size_t *out_len) {
  json_t *in = json_loadb(attrs, len, 0, NULL);
  if (!json_is_object(in)) {
    json_decref(in);
    return aev__fail(AEV_ERR_INVALID, "InvalidParameter",
                     "Invalid parameter: MessageAttributes must be a JSON object");
  }
  json_t *flat = json_object();
  const char *name;
  json_t *attr;
  json_object_foreach(in, name, attr) {
    json_t *v = json_is_object(attr) ? attribute_value(attr) : NULL;
    if (v) json_object_set_new(flat, name, v);
  }
  *out = json_dumps(flat, JSON_COMPACT);
  json_decref(flat);
  json_decref(in);
  if (!*out) return aev__nomem();
  *out_len = strlen(*out);
  return AEV_OK;
}

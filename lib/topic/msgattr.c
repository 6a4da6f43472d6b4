/* SNS message attributes: Publish's MessageAttributes checked with SNS's
 * rules and messages (String, String.Array, Number, Binary, each with an
 * optional custom suffix), then kept in the shapes deliveries need: the
 * notification's {"n": {"Type", "Value"}} (envelopes, filter policies) and
 * SQS's MessageAttributes (raw delivery). */
#include <stdlib.h>
#include <string.h>

#include "core/json_parse.h"
#include "core/number.h"
#include "core/status.h"
#include "core/text.h"
#include "topic/topic_impl.h"

#define bad(...) aev__fail(AEV_ERR_INVALID, "ParameterValueInvalid", __VA_ARGS__)

/* Names are up to 256 characters of [A-Za-z0-9_.-] (SNS developer guide,
 * message attributes; AWS refuses 257 with this message). A character
 * outside them is named by its code point, as AWS writes '#x5E'. */
static int name_ok(const char *name) {
  size_t n = strlen(name);
  if (n > 256)
    return bad("Length of message attribute name must be less than 256 "
               "bytes.");
  uint32_t cp;
  for (size_t i = 0, k; i < n; i += k) {
    if (!(k = aev__utf8_next((const unsigned char *)name + i, n - i, &cp))) {
      cp = (unsigned char)name[i];
      k = 1;
    }
    if (!((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
          (cp >= '0' && cp <= '9') || cp == '-' || cp == '_' || cp == '.'))
      return bad("Invalid non-alphanumeric character '#x%02X' was found in "
                 "the message attribute name. Can only include alphanumeric "
                 "characters, hyphens, underscores, or dots.", (unsigned)cp);
  }
  if (n == 0) return bad("The message attribute name must not be empty.");
  if (name[0] == '.')
    return bad("Invalid message attribute name starting with character '.' "
               "was found.");
  if (name[n - 1] == '.')
    return bad("Invalid message attribute name ending with character '.' was "
               "found.");
  if (strstr(name, ".."))
    return bad("Message attribute name can not have successive '.' "
               "character.");
  return AEV_OK;
}

static int is_base64(const char *s) {
  size_t n = strlen(s), pad = 0;
  if (n % 4) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '=') {
      pad++;
      continue;
    }
    if (pad || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '+' || c == '/'))
      return 0;
  }
  return pad <= 2;
}

/* A decimal number within -10^126..10^126. */
static int number_ok(const char *s) {
  if (!aev__decimal_text(s)) return 0;
  double d = aev__strtod(s, NULL);
  return d <= 1e126 && d >= -1e126;
}

/* The bytes a checked base64 text decodes to: its '=' padding stands for
 * none. */
static size_t b64_decoded_len(const char *s) {
  size_t n = strlen(s);
  size_t pad = n >= 1 && s[n - 1] == '=' ? 1 + (n >= 2 && s[n - 2] == '=') : 0;
  return n / 4 * 3 - pad;
}

/* One attribute: *type and *value are borrowed from attr. */
static int check_one(const char *name, json_t *attr, const char *where,
                     const char **type, const char **value, int *binary) {
  json_t *dt = json_object_get(attr, "DataType");
  if (!json_is_string(dt))
    return aev__fail(AEV_ERR_INVALID, "ValidationError",
                     "1 validation error detected: Value null at "
                     "'%s.%s.member.dataType' failed to satisfy constraint: "
                     "Member must not be null", where, name);
  *type = json_string_value(dt);
  int kind = !strncmp(*type, "String", 6) ? 1 : !strncmp(*type, "Number", 6) ? 2
             : !strncmp(*type, "Binary", 6) ? 3 : 0;
  /* A custom suffix follows a dot and is not empty: "String." is refused
   * (recorded against AWS: test_message_attributes_prefixes). */
  const char *rest = *type + 6;
  if (!kind || (*rest && *rest != '.') || (*rest == '.' && !rest[1]))
    return bad("The message attribute '%s' has an invalid message attribute "
               "type, the set of supported type prefixes is Binary, Number, "
               "and String.", name);
  json_t *sv = json_object_get(attr, "StringValue");
  json_t *bv = json_object_get(attr, "BinaryValue");
  const char *tname = kind == 3 ? "Binary" : kind == 2 ? "Number" : "String";
  json_t *v = kind == 3 ? bv : sv;
  if ((kind == 3 && sv && !bv) || (kind != 3 && bv && !sv))
    return bad("The message attribute '%s' with type '%s' must use field "
               "'%s'.", name, tname, kind == 3 ? "Binary" : "String");
  if (!json_is_string(v) || !*json_string_value(v))
    return bad("The message attribute '%s' must contain non-empty message "
               "attribute value for message attribute type '%s'.", name, tname);
  *value = json_string_value(v);
  *binary = kind == 3;
  if (kind == 3 && !is_base64(*value))
    return bad("The message attribute '%s' with type '%s' has an invalid "
               "base64 value.", name, tname);
  if (kind == 2 && !number_ok(*value))
    return bad("An invalid or out-of-range value '%s' was supplied for the "
               "message attribute '%s' of type 'Number'.", *value, name);
  if (!strcmp(*type, "String.Array")) {
    json_t *a;
    if (aev__json_parse_str(*value, JSON_DECODE_ANY, &a) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
    int ok = json_is_array(a);
    json_decref(a);
    if (!ok)
      return bad("The message attribute '%s' with type '%s' must be a JSON "
                 "array.", name, *type);
  }
  return AEV_OK;
}

int aev__sns_attrs_copy(const aev__sns_attrs *a, aev__sns_attrs *out) {
  *out = *a;
  if (!a->envelope) return AEV_OK;
  if (!(out->envelope = strdup(a->envelope))) {
    memset(out, 0, sizeof *out);
    return aev__nomem();
  }
  out->publish_text = out->envelope + (a->publish_text - a->envelope);
  return AEV_OK;
}

void aev__sns_attrs_free(aev__sns_attrs *a) {
  free(a->envelope);
  memset(a, 0, sizeof *a);
}

typedef struct checked {
  const char *name, *type, *value;
} checked;

static int by_name(const void *a, const void *b) {
  return strcmp(((const checked *)a)->name, ((const checked *)b)->name);
}

#define ENVELOPE_MEMBER ",\"MessageAttributes\":"

/* The envelope's member: ENVELOPE_MEMBER, then the notification's map,
 * names sorted: {"n":{"Type":"T","Value":"V"},...}. */
static char *note_map(checked *c, size_t n, size_t *len) {
  qsort(c, n, sizeof *c, by_name);
  aev__tbuf b = {0};
  size_t estimate = sizeof ENVELOPE_MEMBER + 2;
  for (size_t i = 0; i < n; i++)
    estimate += strlen(c[i].name) + strlen(c[i].type) + strlen(c[i].value) + 32;
  aev__tbuf_reserve(&b, estimate);
  aev__tbuf_puts(&b, ENVELOPE_MEMBER "{");
  for (size_t i = 0; i < n; i++) {
    if (i) aev__tbuf_puts(&b, ",");
    aev__tbuf_json_string(&b, c[i].name);
    aev__tbuf_puts(&b, ":{\"Type\":");
    aev__tbuf_json_string(&b, c[i].type);
    aev__tbuf_puts(&b, ",\"Value\":");
    aev__tbuf_json_string(&b, c[i].value);
    aev__tbuf_puts(&b, "}");
  }
  aev__tbuf_puts(&b, "}");
  return aev__tbuf_take(&b, len);
}

int aev__sns_attrs_parse(json_t *obj, const char *where, aev__sns_attrs *out) {
  memset(out, 0, sizeof *out);
  if (!obj || !json_object_size(obj)) return AEV_OK;
  if (!json_is_object(obj))
    return aev__sns_invalid("Invalid parameter: MessageAttributes");
  size_t n = json_object_size(obj), k = 0;
  checked *c = malloc(n * sizeof *c);
  if (!c) return aev__nomem();
  const char *name;
  json_t *attr;
  int rc = AEV_OK;
  json_object_foreach(obj, name, attr) {
    int binary = 0;
    if ((rc = name_ok(name)) != AEV_OK) break;
    if (!json_is_object(attr)) {
      rc = aev__sns_invalid("Invalid parameter: MessageAttributes");
      break;
    }
    c[k].name = name;
    if ((rc = check_one(name, attr, where, &c[k].type, &c[k].value, &binary)) != AEV_OK)
      break;
    /* Binary values count the bytes they stand for (SNS counts every part
     * of an attribute toward the message size). */
    size_t vlen = binary ? b64_decoded_len(c[k].value) : strlen(c[k].value);
    out->size += strlen(name) + strlen(c[k].type) + vlen;
    k++;
  }
  if (rc == AEV_OK) {
    size_t len;
    if ((out->envelope = note_map(c, k, &len))) {
      out->publish_text = out->envelope + strlen(ENVELOPE_MEMBER);
      out->publish_len = len - strlen(ENVELOPE_MEMBER);
    } else {
      rc = aev__nomem();
    }
  }
  free(c);
  if (rc != AEV_OK) {
    aev__sns_attrs_free(out);
    return rc;
  }
  return AEV_OK;
}

/* SQS message attributes: validation with SQS's errors, the packed sorted
 * representation, AWS's MD5OfMessageAttributes, name filters and JSON. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/digest.h"
#include "core/json_parse.h"
#include "core/number.h"
#include "core/status.h"
#include "core/text.h"
#include "queue/b64.h"
#include "queue/msgattr.h"
#include "queue/queue.h"
#include "queue/queue_impl.h"

#define MAX_ATTRIBUTES 10
#define MAX_NAME 256

static int invalid(const char *fmt, const char *name) {
  return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue", fmt, name);
}

/* String values, and a type's custom part, have the body's characters
 * (SQS API reference, MessageAttributeValue; developer guide), but out of
 * them AWS answers InvalidParameterValue, not the body's
 * InvalidMessageContents (LocalStack's
 * test_invalid_string_attributes_cause_invalid_parameter_value_error,
 * validated on AWS). */
static int text_ok(const char *s, size_t len) {
  return aev__qtext_check(s, len, "InvalidParameterValue") == AEV_OK;
}

/* A name's characters: ASCII letters and digits, '_', '-', '.', and the
 * Latin letters U+00C0..U+017F but the signs U+00D7 and U+00F7: AWS takes
 * the name "attr.1" + U+00F8 U+00DF U+00E4 and refuses U+00A7 (LocalStack's
 * test_send_message_with_invalid_string_attributes, validated on AWS). */
static int name_char_ok(uint32_t c) {
  if (c < 0x80) return isalnum((int)c) || c == '_' || c == '-' || c == '.';
  return c >= 0xC0 && c <= 0x17F && c != 0xD7 && c != 0xF7;
}

/* Up to MAX_NAME characters (not bytes) of name_char_ok. */
static int name_ok(const char *n, size_t len) {
  if (len == 0 || n[0] == '.' || n[len - 1] == '.') return 0;
  if (strncasecmp(n, "AWS.", 4) == 0 || strncasecmp(n, "Amazon.", 7) == 0)
    return 0;
  size_t chars = 0;
  uint32_t cp;
  for (size_t i = 0, k; i < len; i += k, chars++) {
    k = aev__utf8_next((const unsigned char *)n + i, len - i, &cp);
    if (!k || !name_char_ok(cp)) return 0;
    if (cp == '.' && i + 1 < len && n[i + 1] == '.') return 0;
  }
  return chars <= MAX_NAME;
}

/* 1 String, 2 Binary, 3 Number; 0 when the type is not AWS's or is longer
 * than 256 characters (SQS developer guide, message attributes). */
static int type_kind(const char *t) {
  static const char *const prefixes[] = {"String", "Binary", "Number"};
  for (int k = 0; k < 3; k++) {
    size_t pl = strlen(prefixes[k]);
    if (strncmp(t, prefixes[k], pl) == 0 &&
        (t[pl] == '\0' || (t[pl] == '.' && t[pl + 1] != '\0')))
      return aev__utf8_chars(t, strlen(t)) <= MAX_NAME ? k + 1 : 0;
  }
  return 0;
}

/* SQS accepts numbers between -10^128 and 10^126 with up to 38 digits of
 * precision (ElasticMQ Limits.scala, SQS developer guide). */
static int number_ok(const char *s) {
  if (!aev__decimal_text(s)) return 0;
  double v = aev__strtod(s, NULL);
  return v <= 1e126 && v >= -1e128;
}

typedef struct parsed {
  const char *name;
  const char *type;
  int kind;
  const uint8_t *value;
  size_t value_len;
  uint8_t *owned; /* decoded binary */
} parsed;

static int cmp_parsed(const void *a, const void *b) {
  return strcmp(((const parsed *)a)->name, ((const parsed *)b)->name);
}

static void put32(uint8_t **p, size_t v) {
  uint32_t x = (uint32_t)v;
  memcpy(*p, &x, 4);
  *p += 4;
}

static uint32_t get32(const uint8_t *p) {
  uint32_t x;
  memcpy(&x, p, 4);
  return x;
}

/* Only the typed API lets U+0000 this far (aev__attrs_parse_text): it is
 * refused as aev_call refuses it, by the path of the member it sits in. */
static int refuse_nul_type(const char *name, json_t *dt) {
  json_t *attr = json_pack("{s:{s:O}}", name, "DataType", dt);
  if (!attr) return aev__nomem();
  int rc = aev__sqs_refuse_nul("MessageAttributes", attr);
  json_decref(attr);
  return rc;
}

static int parse_one(const char *name, json_t *v, parsed *out) {
  if (!name_ok(name, strlen(name)))
    return invalid("Message (user) attribute name '%s' is invalid. Names can "
                   "contain alphanumeric characters, hyphens, underscores and "
                   "periods, must not start or end with a period, must not "
                   "contain successive periods and must not start with "
                   "'AWS.' or 'Amazon.'.",
                   name);
  json_t *dt = json_object_get(v, "DataType");
  const char *type = json_string_value(dt);
  if (!json_is_object(v) || !type || !*type)
    return invalid("The message attribute '%s' must contain non-empty "
                   "message attribute type.",
                   name);
  if (strlen(type) != json_string_length(dt)) return refuse_nul_type(name, dt);
  int kind = type_kind(type);
  if (!kind)
    return invalid("The type of message (user) attribute '%s' is invalid. "
                   "You must use only the following supported type prefixes: "
                   "Binary, Number, String.",
                   name);
  if (!text_ok(type, strlen(type))) return AEV_ERR_INVALID;
  out->name = name;
  out->type = type;
  out->kind = kind == 2 ? 2 : 1;
  out->owned = NULL;
  if (kind == 2) {
    json_t *bv = json_object_get(v, "BinaryValue");
    const char *b = json_string_value(bv);
    if (!b || !*b)
      return invalid("Message (user) attribute '%s' must contain a non-empty "
                     "value of type 'Binary'.",
                     name);
    size_t bl = json_string_length(bv); /* U+0000 is not base64 */
    out->owned = malloc(bl * 3 / 4 + 3);
    if (!out->owned) return aev__nomem();
    long n = aev__qb64_decode(b, bl, out->owned);
    if (n <= 0) {
      free(out->owned);
      out->owned = NULL;
      return invalid("Message (user) attribute '%s' has an invalid binary "
                     "value: it must be base64-encoded.",
                     name);
    }
    out->value = out->owned;
    out->value_len = (size_t)n;
    return AEV_OK;
  }
  /* The value may hold U+0000 (aev_call lets it through for these
   * checks), so its length is the string's, not strlen's. */
  json_t *sv = json_object_get(v, "StringValue");
  const char *s = json_string_value(sv);
  size_t len = json_string_length(sv);
  if (!s || !len)
    return invalid(kind == 3 ? "Message (user) attribute '%s' must contain a "
                               "non-empty value of type 'Number'."
                             : "Message (user) attribute '%s' must contain a "
                               "non-empty value of type 'String'.",
                   name);
  if (kind == 3 && (strlen(s) != len || !number_ok(s)))
    return invalid("Can't cast message (user) attribute '%s' value to "
                   "number.",
                   name);
  if (kind == 1 && !text_ok(s, len)) return AEV_ERR_INVALID;
  out->value = (const uint8_t *)s;
  out->value_len = len;
  return AEV_OK;
}

int aev__attrs_parse(json_t *obj, aev__attrs *out) {
  memset(out, 0, sizeof *out);
  if (!obj || json_is_null(obj)) return AEV_OK;
  if (!json_is_object(obj))
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "The request must contain non-empty message attribute "
                     "name.");
  size_t n = json_object_size(obj);
  if (n == 0) return AEV_OK;
  if (n > MAX_ATTRIBUTES)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "Number of message attributes [%zu] exceeds the allowed "
                     "maximum [%d].",
                     n, MAX_ATTRIBUTES);
  parsed p[MAX_ATTRIBUTES];
  size_t k = 0, total = 0;
  const char *name;
  json_t *v;
  int rc = AEV_OK;
  json_object_foreach(obj, name, v) {
    if ((rc = parse_one(name, v, &p[k])) != AEV_OK) break;
    total += 13 + strlen(name) + strlen(p[k].type) + p[k].value_len;
    k++;
  }
  if (rc == AEV_OK) {
    qsort(p, k, sizeof p[0], cmp_parsed);
    uint8_t *blob = malloc(total), *w = blob;
    if (!blob) rc = aev__nomem();
    for (size_t i = 0; blob && i < k; i++) {
      size_t nl = strlen(p[i].name), tl = strlen(p[i].type);
      put32(&w, nl);
      memcpy(w, p[i].name, nl), w += nl;
      put32(&w, tl);
      memcpy(w, p[i].type, tl), w += tl;
      *w++ = (uint8_t)p[i].kind;
      put32(&w, p[i].value_len);
      memcpy(w, p[i].value, p[i].value_len), w += p[i].value_len;
      out->size += nl + tl + p[i].value_len;
    }
    out->data = blob;
    out->len = total;
    out->count = k;
  }
  for (size_t i = 0; i < k; i++) free(p[i].owned);
  if (rc != AEV_OK) memset(out, 0, sizeof *out);
  return rc;
}

int aev__attrs_parse_text(const char *text, aev__attrs *out) {
  memset(out, 0, sizeof *out);
  if (!text || !*text) return AEV_OK;
  json_t *obj;
  /* U+0000 is taken, as aev_call takes it, for the values to answer
   * their own errors. */
  int rc = aev__json_parse_str(text, JSON_ALLOW_NUL, &obj);
  if (rc == AEV_ERR_INVALID)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "MessageAttributes is not a valid JSON object.");
  if (rc) return rc;
  rc = aev__attrs_parse(obj, out);
  json_decref(obj);
  return rc;
}

int aev__attrs_copy(const aev__attrs *a, aev__attrs *out) {
  *out = *a;
  if (!a->data) return AEV_OK;
  if (!(out->data = malloc(a->len))) {
    memset(out, 0, sizeof *out);
    return aev__nomem();
  }
  memcpy(out->data, a->data, a->len);
  return AEV_OK;
}

void aev__attrs_seal(aev__attrs *a) {
  if (a->data) aev__attrs_md5(a->data, a->len, a->md5);
  a->has_md5 = a->data != NULL;
}

void aev__attrs_free(aev__attrs *a) {
  free(a->data);
  memset(a, 0, sizeof *a);
}

int aev__attrs_next(const uint8_t *blob, size_t len, size_t *pos,
                    aev__attr *out) {
  if (!blob || *pos >= len) return 0;
  const uint8_t *p = blob + *pos;
  out->name_len = get32(p), p += 4;
  out->name = (const char *)p, p += out->name_len;
  out->type_len = get32(p), p += 4;
  out->type = (const char *)p, p += out->type_len;
  out->kind = *p++;
  out->value_len = get32(p), p += 4;
  out->value = p, p += out->value_len;
  *pos = (size_t)(p - blob);
  return 1;
}

static void md5_len_bytes(aev__md5 *c, const void *data, size_t n) {
  uint8_t be[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8),
                   (uint8_t)n};
  aev__md5_update(c, be, 4);
  aev__md5_update(c, data, n);
}

void aev__attrs_md5(const uint8_t *blob, size_t len, uint8_t out[16]) {
  aev__md5 c;
  aev__md5_init(&c);
  size_t pos = 0;
  aev__attr a;
  while (aev__attrs_next(blob, len, &pos, &a)) {
    md5_len_bytes(&c, a.name, a.name_len);
    md5_len_bytes(&c, a.type, a.type_len);
    uint8_t kind = (uint8_t)a.kind;
    aev__md5_update(&c, &kind, 1);
    md5_len_bytes(&c, a.value, a.value_len);
  }
  aev__md5_final(&c, out);
}

int aev__attrs_name_selected(const char *const *filter, size_t n,
                             const char *name, size_t name_len) {
  for (size_t i = 0; i < n; i++) {
    const char *f = filter[i];
    size_t fl = strlen(f);
    if (!strcmp(f, "All") || !strcmp(f, ".*") || !strcmp(f, "*")) return 1;
    if (fl > 2 && f[fl - 2] == '.' && f[fl - 1] == '*') {
      if (name_len >= fl - 2 && memcmp(name, f, fl - 2) == 0) return 1;
    } else if (fl == name_len && memcmp(name, f, fl) == 0) {
      return 1;
    }
  }
  return 0;
}

size_t aev__attrs_filter(const uint8_t *blob, size_t len,
                         const char *const *filter, size_t n, uint8_t *out) {
  size_t pos = 0, start = 0, w = 0;
  aev__attr a;
  while (aev__attrs_next(blob, len, &pos, &a)) {
    if (aev__attrs_name_selected(filter, n, a.name, a.name_len)) {
      memcpy(out + w, blob + start, pos - start);
      w += pos - start;
    }
    start = pos;
  }
  return w;
}

/* One attribute's {"DataType", "StringValue" | "BinaryValue"}, whole, or
 * NULL when memory is short. */
static json_t *attr_json(const aev__attr *a) {
  json_t *v = json_object();
  int failed = !v || json_object_set_new(v, "DataType", json_stringn(a->type, a->type_len));
  if (!failed && a->kind == 2) {
    /* Small values (most) are encoded on the stack: a received message's
     * attributes are read when it can no longer be put back. */
    char small[1024], *b = small;
    size_t need = aev__qb64_len(a->value_len) + 1;
    failed = need > sizeof small && !(b = malloc(need));
    if (!failed) {
      aev__qb64_encode(a->value, a->value_len, b);
      failed = json_object_set_new(v, "BinaryValue", json_string(b));
    }
    if (b != small) free(b);
  } else if (!failed) {
    failed = json_object_set_new(v, "StringValue",
                                 json_stringn((const char *)a->value, a->value_len));
  }
  if (!failed) return v;
  json_decref(v);
  return NULL;
}

json_t *aev__attrs_to_json(const uint8_t *blob, size_t len) {
  if (!blob || !len) return NULL;
  json_t *obj = json_object();
  size_t pos = 0;
  aev__attr a;
  int failed = !obj;
  while (!failed && aev__attrs_next(blob, len, &pos, &a)) {
    char *name = strndup(a.name, a.name_len);
    json_t *v = name ? attr_json(&a) : NULL;
    failed = !v || json_object_set_new(obj, name, v);
    free(name);
  }
  if (!failed) return obj;
  json_decref(obj);
  return NULL;
}

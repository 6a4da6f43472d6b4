/* SNS filter policies on MessageAttributes: turning the typed attribute map
 * into the plain JSON object the pattern automaton matches. Every publish
 * to a topic with filter policies comes through here, so the usual map
 * (ASCII, no escapes, String types and integer Numbers) is converted by one
 * scan; anything else goes through jansson, which also words the errors. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "core/text.h"
#include "pattern/sns.h"

/* ---- the general path (jansson) ---- */

static const char *member(json_t *attr, const char *a, const char *b) {
  json_t *v = json_object_get(attr, a);
  if (!v) v = json_object_get(attr, b);
  return json_string_value(v);
}

/* A value's text parsed as JSON when it is of the kind SNS compares
 * (is(j)), else the text as a string; NULL when out of memory (the
 * texts come from parsed JSON, so json_string() takes them). */
static json_t *parsed_or_string(const char *value, int (*is)(const json_t *)) {
  json_t *j;
  if (aev__json_parse_str(value, JSON_DECODE_ANY, &j) == AEV_ERR_NOMEM) return NULL;
  if (j && is(j)) return j;
  json_decref(j);
  return json_string(value);
}

static int is_number(const json_t *j) { return json_is_number(j); }
static int is_array(const json_t *j) { return json_is_array(j); }

/* The attribute's value as SNS compares it in *out, or NULL there to leave
 * it out. AEV_OK or AEV_ERR_NOMEM. */
static int attribute_value(json_t *attr, json_t **out) {
  const char *type = member(attr, "DataType", "Type");
  const char *value = member(attr, "StringValue", "Value");
  *out = NULL;
  if (!type || !value) return AEV_OK;
  /* "Number.float" style custom types are still numbers. */
  if (!strncmp(type, "Number", 6)) *out = parsed_or_string(value, is_number);
  else if (!strcmp(type, "String.Array")) *out = parsed_or_string(value, is_array);
  else if (!strncmp(type, "String", 6)) *out = json_string(value);
  else return AEV_OK; /* Binary */
  return *out ? AEV_OK : aev__nomem();
}

/* The attributes as SNS compares them, as JSON text in *out: an
 * attribute left out of it, or the whole map taken as not an object, for
 * want of memory would change which subscriptions a message reaches. */
static int convert_json(const char *attrs, size_t len, char **out, size_t *out_len) {
  json_t *in;
  int rc = aev__json_parse(attrs, len, 0, &in, NULL);
  if (rc == AEV_ERR_NOMEM) return rc;
  if (!json_is_object(in)) {
    json_decref(in);
    return aev__fail(AEV_ERR_INVALID, "InvalidParameter",
                     "Invalid parameter: MessageAttributes must be a JSON object");
  }
  json_t *flat = json_object();
  const char *name;
  json_t *attr;
  rc = flat ? AEV_OK : aev__nomem();
  json_object_foreach(in, name, attr) {
    json_t *v = NULL;
    if (!rc && json_is_object(attr)) rc = attribute_value(attr, &v);
    if (v && json_object_set_new(flat, name, v)) rc = aev__nomem();
    if (rc) break;
  }
  *out = rc ? NULL : aev__json_dumps(flat, JSON_COMPACT);
  json_decref(flat);
  json_decref(in);
  if (rc) return rc;
  if (!*out) return aev__nomem();
  *out_len = strlen(*out);
  return AEV_OK;
}

/* ---- the usual map, in one scan ---- */

typedef struct span {
  const char *p; /* a string's text between its quotes; NULL: absent */
  size_t n;
  int string;    /* 0: present but not a string */
} span;

static void ws(const char **p, const char *end) {
  while (*p < end && (**p == ' ' || **p == '\n' || **p == '\t' || **p == '\r')) (*p)++;
}

/* A string of printable ASCII without escapes at *p (the scan's limit);
 * -1 for anything else. */
static int str(const char **p, const char *end, span *s) {
  if (*p >= end || **p != '"') return -1;
  const char *q = ++*p;
  while (q < end && *q != '"') {
    unsigned char c = (unsigned char)*q;
    if (c < 0x20 || c >= 0x80 || c == '\\') return -1;
    q++;
  }
  if (q >= end) return -1;
  *s = (span){.p = *p, .n = (size_t)(q - *p), .string = 1};
  *p = q + 1;
  return 0;
}

/* A scalar other than a string (number, true, false, null): skipped. */
static int scalar(const char **p, const char *end) {
  const char *q = *p;
  while (q < end && ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'z') || *q == '-' ||
                     *q == '+' || *q == '.' || *q == 'E'))
    q++;
  if (q == *p) return -1;
  json_t *j = json_loadb(*p, (size_t)(q - *p), JSON_DECODE_ANY, NULL);
  int ok = j != NULL;
  json_decref(j);
  *p = q;
  return ok ? 0 : -1;
}

static int named(const span *k, const char *name) {
  size_t n = strlen(name);
  return k->n == n && !memcmp(k->p, name, n);
}

/* One attribute object's members: the type and the value. */
static int attribute(const char **p, const char *end, span *type, span *value) {
  span dt = {0}, t = {0}, sv = {0}, v = {0};
  ws(p, end);
  if (*p >= end || **p != '{') return -1;
  (*p)++;
  ws(p, end);
  if (*p < end && **p == '}') {
    (*p)++;
  } else {
    for (;;) {
      span k, x = {0};
      ws(p, end);
      if (str(p, end, &k)) return -1;
      ws(p, end);
      if (*p >= end || *(*p)++ != ':') return -1;
      ws(p, end);
      if (*p < end && **p == '"') {
        if (str(p, end, &x)) return -1;
      } else if (scalar(p, end)) {
        return -1;
      } else {
        x.p = *p; /* present, not a string */
      }
      span *slot = named(&k, "DataType") ? &dt : named(&k, "Type") ? &t
                   : named(&k, "StringValue") ? &sv : named(&k, "Value") ? &v : NULL;
      if (slot && slot->p) return -1; /* a repeated member: jansson's rules */
      if (slot) *slot = x;
      ws(p, end);
      if (*p < end && **p == ',') {
        (*p)++;
        continue;
      }
      if (*p < end && **p == '}') {
        (*p)++;
        break;
      }
      return -1;
    }
  }
  /* The first name when present, even if not a string (as member()). */
  *type = dt.p ? dt : t;
  *value = sv.p ? sv : v;
  return 0;
}

/* An integer jansson prints back unchanged: 0 or -?[1-9][0-9]*, 18
 * digits at most. */
static int plain_integer(const span *s) {
  size_t i = s->n && s->p[0] == '-';
  size_t digits = s->n - i;
  if (digits == 0 || digits > 18 || (s->p[i] == '0' && (digits > 1 || i))) return 0;
  for (; i < s->n; i++)
    if (s->p[i] < '0' || s->p[i] > '9') return 0;
  return 1;
}

/* The value as SNS compares it, appended to b; 1 when it is left out, -1
 * when the scan cannot convert it. */
static int put_value(aev__tbuf *b, const span *type, const span *value) {
  if (!type->p || !type->string || !value->p || !value->string) return 1;
  int number = type->n >= 6 && !memcmp(type->p, "Number", 6);
  int array = named(type, "String.Array");
  if (!number && !array && !(type->n >= 6 && !memcmp(type->p, "String", 6))) return 1;
  if (array || (number && !plain_integer(value))) return -1;
  if (number) aev__tbuf_put(b, value->p, value->n);
  else aev__tbuf_put(b, value->p - 1, value->n + 2); /* with its quotes */
  return 0;
}

/* 0 with *out set, else 1: the general path converts the map (or words
 * its error). */
static int convert_scan(const char *attrs, size_t len, char **out, size_t *out_len) {
  const char *p = attrs, *end = attrs + len;
  aev__tbuf b = {0};
  span names[16]; /* SNS allows 10 attributes; more go the general way */
  size_t count = 0;
  int rc = 1;
  ws(&p, end);
  if (p >= end || *p++ != '{') goto done;
  aev__tbuf_put(&b, "{", 1);
  ws(&p, end);
  int more = p < end && *p != '}';
  while (more) {
    span name, type, value;
    ws(&p, end);
    if (str(&p, end, &name)) goto done;
    /* A repeated name: jansson keeps the last one, in the first's place. */
    for (size_t i = 0; i < count; i++)
      if (names[i].n == name.n && !memcmp(names[i].p, name.p, name.n)) goto done;
    if (count == sizeof names / sizeof names[0]) goto done;
    names[count++] = name;
    ws(&p, end);
    if (p >= end || *p++ != ':') goto done;
    ws(&p, end);
    /* An attribute that is not an object is left out, whatever it is. */
    if (p < end && *p == '"') {
      span skip;
      if (str(&p, end, &skip)) goto done;
    } else if (p < end && *p != '{') {
      if (scalar(&p, end)) goto done;
    } else {
      if (attribute(&p, end, &type, &value)) goto done;
      size_t mark = b.n;
      if (b.n > 1) aev__tbuf_put(&b, ",", 1);
      aev__tbuf_put(&b, name.p - 1, name.n + 2);
      aev__tbuf_put(&b, ":", 1);
      int v = put_value(&b, &type, &value);
      if (v < 0) goto done;
      if (v == 1) b.n = mark;
    }
    ws(&p, end);
    if (p < end && *p == ',') {
      p++;
      continue;
    }
    more = 0;
  }
  if (p >= end || *p++ != '}') goto done;
  ws(&p, end);
  if (p != end) goto done;
  aev__tbuf_put(&b, "}", 1);
  /* Out of memory: the general path answers it. */
  rc = (*out = aev__tbuf_take(&b, out_len)) == NULL;
done:
  free(b.p);
  return rc;
}

int aev__pm_sns_attributes(const char *attrs, size_t len, char **out, size_t *out_len) {
  if (convert_scan(attrs, len, out, out_len) == 0) return AEV_OK;
  return convert_json(attrs, len, out, out_len);
}

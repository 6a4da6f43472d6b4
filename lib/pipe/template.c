/* Pipes' InputTemplate: free text, a JSON path, or JSON with inline
 * <$.path> placeholders and the reserved variables the Pipes User Guide
 * lists (<aws.pipes.pipe-arn>, <aws.pipes.pipe-name>,
 * <aws.pipes.source-arn>, <aws.pipes.enrichment-arn>,
 * <aws.pipes.target-arn>, <aws.pipes.event.ingestion-time>,
 * <aws.pipes.event>, <aws.pipes.event.json>). In a template that is JSON
 * (it starts with '{' or '['), a placeholder inside a string literal gives
 * its value as text and outside one as JSON, so the result stays valid
 * JSON; free text takes every value as text. A body that holds JSON (an
 * SQS message's) or data that holds base64 JSON (a Kinesis record's) is
 * read as JSON by paths into it ("implicit body data parsing"). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "core/clock.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "core/text.h"
#include "pipe/pipe_impl.h"

/* A string holding JSON text, read as that JSON (a new reference); with
 * base64 set, a Kinesis record's data, decoded first. Any other value as
 * it is. */
static json_t *decoded(json_t *v, int base64) {
  json_t *j = NULL;
  const char *s = json_string_value(v);
  unsigned char *raw = NULL;
  size_t n = 0;
  if (s && base64 && aev__base64_decode(s, strlen(s), &raw, &n) == AEV_OK &&
      aev__json_valid(raw, n) &&
      aev__json_parse((const char *)raw, n, JSON_DECODE_ANY, &j, NULL) == AEV_OK) {
    free(raw);
    return j;
  }
  free(raw);
  if (s && aev__json_valid(s, strlen(s)) &&
      aev__json_parse(s, strlen(s), JSON_DECODE_ANY, &j, NULL) == AEV_OK)
    return j;
  return json_incref(v);
}

json_t *aev__pipe_path(json_t *event, const char *path) {
  if (!path || path[0] != '$') return NULL;
  json_t *cur = json_incref(event);
  const char *p = path + 1;
  int data = 0; /* cur is a member named "data" */
  while (cur && *p) {
    json_t *next = NULL;
    json_t *in = decoded(cur, data);
    json_decref(cur);
    if (*p == '.') {
      size_t n = strcspn(p + 1, ".[");
      char key[256];
      if (n == 0 || n >= sizeof key) {
        json_decref(in);
        return NULL;
      }
      memcpy(key, p + 1, n);
      key[n] = 0;
      next = json_object_get(in, key);
      data = !strcmp(key, "data");
      p += 1 + n;
    } else if (*p == '[') {
      char *end;
      long i = strtol(p + 1, &end, 10);
      if (*end != ']' || i < 0) {
        json_decref(in);
        return NULL;
      }
      next = json_array_get(in, (size_t)i);
      data = 0;
      p = end + 1;
    } else {
      json_decref(in);
      return NULL;
    }
    cur = json_incref(next);
    json_decref(in);
  }
  return cur;
}

/* The event with its SQS body or Kinesis data decoded into JSON where it
 * holds JSON: <aws.pipes.event.json>. */
static json_t *event_json(json_t *event) {
  json_t *copy = json_deep_copy(event);
  static const char *const fields[] = {"body", "data"};
  for (int i = 0; copy && i < 2; i++) {
    json_t *v = json_object_get(copy, fields[i]);
    if (!v) continue;
    json_t *d = decoded(v, i == 1);
    if (!d || json_object_set_new(copy, fields[i], d)) {
      json_decref(copy);
      copy = NULL;
    }
  }
  return copy;
}

/* The value a placeholder names (a new reference), NULL when it names
 * nothing (or memory ran out: the placeholder then reads as null). */
static json_t *value_of(const char *name, json_t *event, const aev__pipe_vars *v) {
  static const char prefix[] = "aws.pipes.";
  if (name[0] == '$') return aev__pipe_path(event, name);
  if (strncmp(name, prefix, sizeof prefix - 1)) return NULL;
  const char *var = name + sizeof prefix - 1;
  const char *s = !strcmp(var, "pipe-arn")         ? v->pipe_arn
                  : !strcmp(var, "pipe-name")      ? v->pipe_name
                  : !strcmp(var, "source-arn")     ? v->source_arn
                  : !strcmp(var, "enrichment-arn") ? (v->enrichment_arn ? v->enrichment_arn : "")
                  : !strcmp(var, "target-arn")     ? v->target_arn
                                                   : NULL;
  if (s) return json_string(s);
  if (!strcmp(var, "event.ingestion-time")) {
    char t[32];
    aev__iso_ms(v->ingestion_ms, t);
    return json_string(t);
  }
  if (!strcmp(var, "event")) return json_incref(event);
  if (!strcmp(var, "event.json")) return event_json(event);
  return NULL;
}

/* 1 when t[0..) starts a placeholder "<name>"; *len its length. */
static int placeholder(const char *t, size_t *len) {
  if (t[0] != '<' || (t[1] != '$' && strncmp(t + 1, "aws.pipes.", 10))) return 0;
  size_t n = 1;
  while (t[n] && t[n] != '>' && t[n] != '<' && !isspace((unsigned char)t[n])) n++;
  if (t[n] != '>') return 0;
  *len = n + 1;
  return 1;
}

int aev__pipe_render(const char *tmpl, json_t *event, const aev__pipe_vars *v,
                     json_t **out) {
  const char *lead = tmpl;
  while (isspace((unsigned char)*lead)) lead++;
  int json_mode = *lead == '{' || *lead == '[';
  aev__tbuf b = {0};
  int in_string = 0;
  size_t whole = 0;
  /* A template that is one placeholder gives its value as it is. */
  if (placeholder(lead, &whole) && lead[whole] == 0) {
    char name[512];
    snprintf(name, sizeof name, "%.*s", (int)whole - 2, lead + 1);
    json_t *x = value_of(name, event, v);
    *out = x ? x : json_null();
    return AEV_OK;
  }
  for (const char *t = tmpl; *t && !b.failed;) {
    size_t n;
    if (placeholder(t, &n)) {
      char name[512];
      snprintf(name, sizeof name, "%.*s", (int)n - 2, t + 1);
      json_t *x = value_of(name, event, v);
      if (json_is_string(x) && (in_string || !json_mode)) {
        if (in_string) aev__tbuf_json_escaped(&b, json_string_value(x));
        else aev__tbuf_puts(&b, json_string_value(x));
      } else {
        char *d = aev__json_dumps(x ? x : json_null(), JSON_ENCODE_ANY);
        if (!d) b.failed = 1;
        else if (in_string) aev__tbuf_json_escaped(&b, d);
        else aev__tbuf_puts(&b, d);
        free(d);
      }
      json_decref(x);
      t += n;
      continue;
    }
    if (json_mode && *t == '"') in_string = !in_string;
    if (json_mode && in_string && *t == '\\' && t[1]) {
      aev__tbuf_put(&b, t, 2);
      t += 2;
      continue;
    }
    aev__tbuf_put(&b, t, 1);
    t++;
  }
  /* An empty template leaves nothing in the buffer: the empty text. */
  if (!b.p && !b.failed) aev__tbuf_puts(&b, "");
  size_t len;
  char *text = aev__tbuf_take(&b, &len);
  if (!text) return aev__nomem();
  json_t *x = NULL;
  int rc = json_mode ? aev__json_parse(text, len, JSON_DECODE_ANY, &x, NULL) : AEV_ERR_INVALID;
  if (rc == AEV_ERR_NOMEM) {
    free(text);
    return rc;
  }
  if (rc) x = json_string(text); /* free text: the target receives it as is */
  free(text);
  if (!x) return aev__nomem();
  *out = x;
  return AEV_OK;
}

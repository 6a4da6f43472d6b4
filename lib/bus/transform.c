/* Target input: EventBridge's JSONPath subset for InputPath and
 * InputPathsMap, and InputTransformer templates: <var> placeholders,
 * substituted as JSON outside string literals and as plain text inside
 * them, plus the reserved <aws.events.*> variables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/bus_impl.h"
#include "core/json_build.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "core/text.h"

#define MAX_PATHS 100

/* Every event formats its time: the last second formatted is remembered
 * per thread, since consecutive events mostly share it. */
void aev__iso_time(int64_t ms, char out[21]) {
  static _Thread_local int64_t cached_s = INT64_MIN;
  static _Thread_local char cached[21];
  int64_t sec = ms / 1000 - (ms % 1000 < 0);
  if (sec != cached_s) {
    time_t s = (time_t)sec;
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cached_s = sec;
  }
  memcpy(out, cached, 21);
}

/* Paths: "$", or "$" followed by ".name" / "['name']" / "[index]" steps. */
int aev__path_check(const char *path, const char *member) {
  const char *p = path;
  int ok = *p == '$';
  for (p++; ok && *p;) {
    if (*p == '.') {
      size_t n = strcspn(p + 1, ".[");
      ok = n > 0;
      p += 1 + n;
    } else if (*p == '[') {
      const char *e = strchr(p, ']');
      ok = e && e > p + 1;
      if (ok) p = e + 1;
    } else {
      ok = 0;
    }
  }
  return ok ? AEV_OK
            : aev__fail(AEV_ERR_INVALID, "ValidationException",
                        "%s %s is not a valid JSON path.", member, path);
}

/* Names are matched in place, however long (no copy into a buffer). */
json_t *aev__path_get(json_t *v, const char *path) {
  const char *p = path + 1;
  while (v && *p) {
    if (*p == '.') {
      size_t n = strcspn(p + 1, ".[");
      v = json_object_getn(v, p + 1, n);
      p += 1 + n;
    } else {
      const char *e = strchr(p, ']');
      size_t n = (size_t)(e - p - 1);
      if (p[1] == '\'' || p[1] == '"')
        v = json_object_getn(v, p + 2, n >= 2 ? n - 2 : 0);
      else
        v = json_array_get(v, (size_t)strtoul(p + 1, NULL, 10));
      p = e + 1;
    }
  }
  return v;
}

/* A template is literal text interleaved with placeholders. */
enum { VAR_PATH, VAR_RULE_ARN, VAR_RULE_NAME, VAR_INGESTION, VAR_EVENT,
       VAR_EVENT_JSON };

typedef struct piece {
  size_t off, len; /* literal text before the placeholder */
  int var;         /* -1: no placeholder (the tail) */
  int in_string;   /* the placeholder sits inside a JSON string literal */
  char *path;      /* VAR_PATH */
} piece;

struct aev__template {
  char *text;
  piece *p;
  size_t n;
};

void aev__template_free(aev__template *t) {
  if (!t) return;
  for (size_t i = 0; i < t->n; i++) free(t->p[i].path);
  free(t->p);
  free(t->text);
  free(t);
}

static int bad(const char *fmt, const char *a, const char *b) {
  return aev__fail(AEV_ERR_INVALID, "ValidationException", fmt, a, b);
}

static const struct {
  const char *name;
  int var;
} reserved[] = {
    {"aws.events.rule-arn", VAR_RULE_ARN},
    {"aws.events.rule-name", VAR_RULE_NAME},
    {"aws.events.event.ingestion-time", VAR_INGESTION},
    {"aws.events.event", VAR_EVENT},
    {"aws.events.event.json", VAR_EVENT_JSON},
};

static int var_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

/* InputPathsMap keys: 1 to 256 of [A-Za-z0-9_-]. */
static int path_key_ok(const char *k) {
  size_t n = strlen(k);
  return n >= 1 && n <= 256 &&
         strspn(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

static int check_paths(json_t *map, const char *id, const aev__target_at *at) {
  if (!map) return AEV_OK;
  char m[AEV__MEMBER_MAX];
  const char *paths_map = aev__target_member(at, "inputTransformer.inputPathsMap", m);
  if (!json_is_object(map))
    return bad("InputPathsMap for target %s must be a map.%s", id, "");
  if (json_object_size(map) > MAX_PATHS)
    return bad("InputPathsMap for target %s has more than 100 entries.%s", id,
               "");
  const char *k;
  json_t *v;
  json_object_foreach(map, k, v) {
    if (!path_key_ok(k))
      return aev__fail_validation(NULL, paths_map,
                                  "Map keys must satisfy constraint: [Member must have length "
                                  "less than or equal to 256, Member must have length greater "
                                  "than or equal to 1, Member must satisfy regular expression "
                                  "pattern: [A-Za-z0-9\\_\\-]+]");
    if (!strncmp(k, "AWS.", 4) || !strncmp(k, "aws.", 4))
      return bad("InputPathsMap for target %s contains invalid key %s: keys "
                 "starting with AWS. are reserved.",
                 id, k);
    if (!json_is_string(v))
      return bad("InputPathsMap for target %s: value of %s must be a JSON "
                 "path string.",
                 id, k);
    const char *path = json_string_value(v);
    if (aev__utf8_chars(path, strlen(path)) > 256)
      return aev__fail_validation(NULL, paths_map,
                                  "Map value must satisfy constraint: [Member must have length "
                                  "less than or equal to 256]");
    int rc = aev__path_check(path, "InputPathsMap value");
    if (rc) return rc;
  }
  return AEV_OK;
}

static int add_piece(aev__template *t, size_t off, size_t len, int var,
                     int in_string, const char *path) {
  piece *v = realloc(t->p, (t->n + 1) * sizeof *v);
  if (!v) return aev__nomem();
  t->p = v;
  v[t->n] = (piece){off, len, var, in_string, path ? strdup(path) : NULL};
  if (path && !v[t->n].path) return aev__nomem();
  t->n++;
  return AEV_OK;
}

/* A template that is not JSON once its placeholders are filled in (such as
 * "<instance> is in state <status>") is text: every value goes in as text. */
static int text_mode_if_not_json(aev__template *t) {
  size_t cap = strlen(t->text) + t->n * 8 + 1, n = 0;
  char *probe = malloc(cap);
  if (!probe) return aev__nomem();
  for (size_t i = 0; i < t->n; i++) {
    memcpy(probe + n, t->text + t->p[i].off, t->p[i].len);
    n += t->p[i].len;
    if (t->p[i].var >= 0) {
      const char *v = t->p[i].in_string ? "x" : "null";
      memcpy(probe + n, v, strlen(v));
      n += strlen(v);
    }
  }
  probe[n] = 0;
  json_t *j;
  int rc = aev__json_parse(probe, n, JSON_DECODE_ANY, &j, NULL);
  free(probe);
  json_decref(j);
  if (rc != AEV_ERR_INVALID) return rc;
  for (size_t i = 0; i < t->n; i++) {
    if (t->p[i].var == VAR_EVENT || t->p[i].var == VAR_EVENT_JSON)
      return aev__fail(AEV_ERR_INVALID, "ValidationException",
                       "InputTemplate: <aws.events.event> and "
                       "<aws.events.event.json> can only be used in a JSON "
                       "template.");
    t->p[i].in_string = 1;
  }
  return AEV_OK;
}

int aev__template_compile(json_t *tr, const char *id, const aev__target_at *at,
                          aev__template **out) {
  char m[AEV__MEMBER_MAX];
  const char *member = aev__target_member(at, "inputTransformer.inputTemplate", m);
  if (!json_is_object(tr))
    return bad("InputTransformer for target %s must be an object.%s", id, "");
  json_t *tmpl = json_object_get(tr, "InputTemplate");
  json_t *map = json_object_get(tr, "InputPathsMap");
  if (json_is_null(map)) map = NULL;
  if (!json_is_string(tmpl))
    return bad("1 validation error detected: Value null at "
               "'%s' failed to satisfy constraint: Member must not be null%s",
               member, "");
  const char *text = json_string_value(tmpl);
  int rc = *text ? aev__bus_check_length(member, text, 8192)
                 : aev__fail_validation("", member,
                                        "Member must have length greater than or equal to 1");
  if (!rc) rc = check_paths(map, id, at);
  if (rc) return rc;
  aev__template *t = calloc(1, sizeof *t);
  if (!t || !(t->text = strdup(json_string_value(tmpl)))) {
    free(t);
    return aev__nomem();
  }
  const char *s = t->text;
  size_t lit = 0, i = 0;
  int in_string = 0;
  while (!rc && s[i]) {
    if (s[i] == '\\' && in_string && s[i + 1]) {
      i += 2;
      continue;
    }
    if (s[i] == '"') in_string = !in_string;
    size_t j = i + 1;
    while (s[i] == '<' && var_char(s[j])) j++;
    if (s[i] != '<' || j == i + 1 || s[j] != '>') {
      i++;
      continue;
    }
    /* The name is matched where it stands, however long. */
    const char *name = s + i + 1;
    int n = (int)(j - i - 1);
    int var = -1;
    for (size_t r = 0; r < sizeof reserved / sizeof *reserved; r++)
      if (strlen(reserved[r].name) == (size_t)n && !memcmp(name, reserved[r].name, (size_t)n))
        var = reserved[r].var;
    json_t *p = map ? json_object_getn(map, name, (size_t)n) : NULL;
    if (var < 0 && !p) {
      rc = aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "InputTemplate for target %s contains invalid placeholder %.*s.", id, n,
                     name);
      break;
    }
    /* The whole event can only stand where a JSON value can. */
    if (in_string && (var == VAR_EVENT || var == VAR_EVENT_JSON)) {
      rc = aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "InputTemplate for target %s: <%.*s> can only be used as a JSON value, "
                     "not inside a string.",
                     id, n, name);
      break;
    }
    rc = add_piece(t, lit, i - lit, var < 0 ? VAR_PATH : var, in_string,
                   var < 0 ? json_string_value(p) : NULL);
    i = lit = j + 1;
  }
  if (!rc) rc = add_piece(t, lit, i - lit, -1, 0, NULL);
  if (!rc) rc = text_mode_if_not_json(t);
  if (rc) {
    aev__template_free(t);
    return rc;
  }
  *out = t;
  return AEV_OK;
}

static int dump_cb(const char *s, size_t n, void *data) {
  aev__tbuf_put(data, s, n);
  return 0;
}

/* jansson's own allocations (its check for cycles) can fail mid-dump:
 * the text is then short of a value, so the buffer counts as failed. */
static void put_json(aev__tbuf *b, json_t *v) {
  if (aev__json_dump_callback(v, dump_cb, b, JSON_ENCODE_ANY)) b->failed = 1;
}

/* Inside a string literal values go in as text: strings unquoted, objects
 * and arrays as {k:v,...} / [v,...] with their strings unquoted. */
static void put_text(aev__tbuf *b, json_t *v) {
  if (json_is_string(v)) {
    aev__tbuf_put(b, json_string_value(v), json_string_length(v));
  } else if (json_is_object(v)) {
    const char *k;
    json_t *x;
    int first = 1;
    aev__tbuf_puts(b, "{");
    json_object_foreach(v, k, x) {
      if (!first) aev__tbuf_puts(b, ",");
      first = 0;
      aev__tbuf_puts(b, k);
      aev__tbuf_puts(b, ":");
      put_text(b, x);
    }
    aev__tbuf_puts(b, "}");
  } else if (json_is_array(v)) {
    aev__tbuf_puts(b, "[");
    for (size_t i = 0; i < json_array_size(v); i++) {
      if (i) aev__tbuf_puts(b, ",");
      put_text(b, json_array_get(v, i));
    }
    aev__tbuf_puts(b, "]");
  } else {
    put_json(b, v);
  }
}

/* <aws.events.event>: the envelope without its detail, detail-type spelled
 * detailType (as AWS delivers it). */
static json_t *event_summary(json_t *event) {
  json_t *o = json_deep_copy(event);
  json_t *dt = json_object_get(o, "detail-type");
  int whole = !dt || !json_object_set(o, "detailType", dt);
  json_object_del(o, "detail-type");
  json_object_del(o, "detail");
  return aev__json_whole(o, whole);
}

int aev__template_render(const aev__template *t, json_t *event,
                         const aev__target *target, int64_t ingest_ms,
                         char **out, size_t *len) {
  aev__tbuf b = {0};
  char when[32];
  for (size_t i = 0; i < t->n; i++) {
    const piece *p = &t->p[i];
    aev__tbuf_put(&b, t->text + p->off, p->len);
    json_t *v = NULL;
    switch (p->var) {
      case -1:
        break;
      case VAR_PATH:
        v = aev__path_get(event, p->path);
        /* A path that finds nothing is the empty string ("" as JSON). */
        if (!v) aev__tbuf_puts(&b, p->in_string ? "" : "\"\"");
        else if (p->in_string) put_text(&b, v);
        else put_json(&b, v);
        break;
      case VAR_RULE_ARN:
      case VAR_RULE_NAME:
      case VAR_INGESTION: {
        const char *s = p->var == VAR_RULE_ARN    ? target->rule_arn
                        : p->var == VAR_RULE_NAME ? target->rule_name
                                                  : when;
        if (p->var == VAR_INGESTION) {
          aev__iso_time(ingest_ms, when);
          snprintf(when + 19, sizeof when - 19, ".%03dZ",
                   (int)(ingest_ms % 1000));
        }
        json_t *sv = json_string(s);
        if (p->in_string) put_text(&b, sv);
        else put_json(&b, sv);
        json_decref(sv);
        break;
      }
      case VAR_EVENT:
        v = event_summary(event);
        put_json(&b, v);
        json_decref(v);
        break;
      default:
        put_json(&b, event);
    }
  }
  *out = aev__tbuf_take(&b, len);
  return *out ? AEV_OK : aev__nomem();
}

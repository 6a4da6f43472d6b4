/* ASL definition text -> m_def: the schema checks ValidateStateMachineDefinition
 * and CreateStateMachine report (code, message and JSON-pointer location as
 * AWS words them), and compiling every path, template and choice rule once
 * so executions never parse. */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_parse.h"
#include "core/status.h"
#include "core/text.h"
#include "machine/jq.h"
#include "machine/machine_int.h"

typedef struct pctx {
  json_t *diag;
  int express;
  int jsonata; /* the machine's QueryLanguage is JSONata */
  int catcher; /* a Catcher's fields are being read */
  /* Memory ran out: the parse answers that, whatever else it found, so a
   * good definition is never reported invalid for want of memory. */
  int nomem;
} pctx;

static int oom(pctx *c) {
  c->nomem = 1;
  return -1;
}

/* A compiler's answer (json.h): out of memory noted, bad syntax left to
 * the caller to report. 0 on success, else -1. */
static int compiled(pctx *c, int rc) {
  if (rc == AEV_ERR_NOMEM) oom(c);
  return rc ? -1 : 0;
}

/* A diagnostic; loc NULL for one AWS gives no location (the whole
 * workflow's, or the text's before it is JSON). */
static void diag(pctx *c, const char *code, const char *loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void diag(pctx *c, const char *code, const char *loc, const char *fmt, ...) {
  char msg[1024], where[640];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  snprintf(where, sizeof where, "%s", loc ? loc : "");
  /* jansson's own error text can quote part of a character, and a long
   * one is cut short here: jansson would refuse either string. */
  aev__utf8_scrub(msg);
  aev__utf8_scrub(where);
  json_t *d = json_pack("{s:s,s:s,s:s}", "severity", "ERROR", "code", code, "message", msg);
  if (d && loc && json_object_set_new(d, "location", json_string(where))) {
    json_decref(d);
    d = NULL;
  }
  /* A diagnostic that cannot be kept must not let the definition pass. */
  if (json_array_append_new(c->diag, d)) oom(c);
}

static const char *const common_fields[] = {"Type", "Comment", "QueryLanguage", NULL};
static const char *const io_fields[] = {"InputPath", "OutputPath", "Assign", NULL};
static const char *const flow_fields[] = {"Next", "End", NULL};
static const char *const result_fields[] = {"Parameters", "ResultPath", "ResultSelector", "Retry",
                                            "Catch", NULL};

static const struct {
  const char *type;
  st_type t;
  int io, flow, result;
  const char *const extra[24];
} kinds[] = {
    {"Task", ST_TASK, 1, 1, 1,
     {"Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds",
      "HeartbeatSecondsPath", "Credentials", NULL}},
    {"Pass", ST_PASS, 1, 1, 0, {"Parameters", "ResultPath", "Result", NULL}},
    {"Choice", ST_CHOICE, 1, 0, 0, {"Choices", "Default", NULL}},
    {"Wait", ST_WAIT, 1, 1, 0, {"Seconds", "Timestamp", "SecondsPath", "TimestampPath", NULL}},
    {"Succeed", ST_SUCCEED, 1, 0, 0, {NULL}},
    {"Fail", ST_FAIL, 0, 0, 0, {"Error", "Cause", "ErrorPath", "CausePath", NULL}},
    {"Parallel", ST_PARALLEL, 1, 1, 1, {"Branches", NULL}},
    {"Map", ST_MAP, 1, 1, 1,
     {"ItemProcessor", "Iterator", "ItemsPath", "ItemSelector", "MaxConcurrency",
      "MaxConcurrencyPath", "ToleratedFailureCount", "ToleratedFailureCountPath",
      "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "ItemBatcher", "ItemReader",
      "ResultWriter", "Label", NULL}},
};

static int in_list(const char *const *list, const char *k) {
  for (; *list; list++)
    if (!strcmp(*list, k)) return 1;
  return 0;
}

/* snprintf for locations; truncating a very long location is fine. */
static void fmt(char *out, size_t n, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *out, size_t n, const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  vsnprintf(out, n, f, ap);
  va_end(ap);
}

static void loc_of(char *out, size_t n, const char *base, const char *field) {
  fmt(out, n, "%s/%s", base, field);
}

/* A path field: a string that is a valid JSONPath (reference path when ref),
 * or null when nullable. */
static int path_field(pctx *c, json_t *st, const char *base, const char *field, int ref,
                      aev__jpath **out, int *is_null) {
  json_t *v = json_object_get(st, field);
  if (!v) return 0;
  char loc[512];
  loc_of(loc, sizeof loc, base, field);
  if (json_is_null(v) && is_null) {
    *is_null = 1;
    return 0;
  }
  char err[256];
  int rc = json_is_string(v) ? aev__jpath_compile(json_string_value(v), out, err, sizeof err)
                             : AEV_ERR_INVALID;
  if (compiled(c, rc)) {
    if (rc == AEV_ERR_INVALID)
      diag(c, "SCHEMA_VALIDATION_FAILED", loc,
           "The value for the field '%s' must be a valid JSONPath", field);
    return -1;
  }
  if (ref && !aev__jpath_is_reference(*out)) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc,
         "The value for the field '%s' must be a valid Reference Path", field);
    return -1;
  }
  return 0;
}

static int tmpl_field(pctx *c, json_t *st, const char *base, const char *field, aev__tmpl **out) {
  json_t *v = json_object_get(st, field);
  if (!v) return 0;
  char loc[512], err[512];
  loc_of(loc, sizeof loc, base, field);
  if (!json_is_object(v) && strcmp(field, "Parameters") && strcmp(field, "ItemSelector")) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "Expected value of type: Object at %s", loc);
    return -1;
  }
  int rc = aev__tmpl_compile(v, out, err, sizeof err);
  if (compiled(c, rc)) {
    if (rc == AEV_ERR_INVALID) diag(c, "SCHEMA_VALIDATION_FAILED", loc, "%s", err);
    return -1;
  }
  return 0;
}

/* A number field of obj within [min, max], an integer when integral is
 * set, worded as AWS's schema check words it ("Minimum value is 0",
 * measured); NULL when it is absent or refused. */
static json_t *number_field(pctx *c, json_t *obj, const char *base, const char *field, int integral,
                            double min, double max) {
  json_t *v = json_object_get(obj, field);
  if (!v) return NULL;
  char loc[600];
  loc_of(loc, sizeof loc, base, field);
  if (integral ? !json_is_integer(v) : !json_is_number(v))
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "Expected value of type %s", integral ? "Integer" : "Number");
  else if (json_number_value(v) < min)
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "Minimum value is %.17g", min);
  else if (json_number_value(v) > max)
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "Maximum value is %.17g", max);
  else
    return v;
  return NULL;
}

/* An integer field in [min, max] into *out (and *has set): -1 when it is
 * there and refused. */
static int int_field(pctx *c, json_t *st, const char *base, const char *field, int64_t min,
                     int64_t max, int64_t *out, int *has) {
  json_t *v = number_field(c, st, base, field, 1, (double)min, (double)max);
  if (!v) return json_object_get(st, field) ? -1 : 0;
  *out = json_integer_value(v);
  if (has) *has = 1;
  return 0;
}

/* The objects that hold a graph of states, and the fields each may have:
 * a Branch or an ItemProcessor takes no QueryLanguage of its own. */
typedef enum { G_MACHINE, G_BRANCH, G_PROCESSOR } graph_kind;
static const char *const graph_fields[][8] = {
    [G_MACHINE] = {"StartAt", "States", "Comment", "Version", "TimeoutSeconds", "QueryLanguage", NULL},
    [G_BRANCH] = {"StartAt", "States", "Comment", NULL},
    [G_PROCESSOR] = {"StartAt", "States", "Comment", "ProcessorConfig", NULL},
};

static int graph_parse(pctx *c, json_t *obj, graph_kind kind, const char *base, m_graph *g,
                       m_def *d);

/* AWS reports a field an object may not have at the object, not at the
 * field: "Field 'X' is not supported at /States/S". */
static int unsupported(pctx *c, const char *where, const char *field) {
  diag(c, "SCHEMA_VALIDATION_FAILED", where, "Field '%s' is not supported", field);
  return -1;
}

/* A QueryLanguage field's language: AWS takes a state (or the machine) to
 * be JSONPath only when it says exactly "JSONPath", and JSONata for any
 * other value, even one it then reports as invalid (query_language_check). */
static int says_jsonata(json_t *ql) {
  return !json_is_string(ql) || strcmp(json_string_value(ql), "JSONPath");
}

static void query_language_check(pctx *c, json_t *ql, const char *base) {
  if (!ql) return;
  char loc[520];
  loc_of(loc, sizeof loc, base, "QueryLanguage");
  if (!json_is_string(ql))
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "Expected value of type [STRING]");
  else if (strcmp(json_string_value(ql), "JSONPath") && strcmp(json_string_value(ql), "JSONata"))
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "Value should be one of the following: [JSONPath, JSONata]");
}

/* A field of a JSONata state: literal, or "{% expr %}" anywhere inside. */
static int jt_field(pctx *c, json_t *obj, const char *base, const char *field, m_jt **out) {
  json_t *v = json_object_get(obj, field);
  if (!v) return 0;
  char err[512], loc[520];
  loc_of(loc, sizeof loc, base, field);
  int rc = aev__jt_compile(v, field, out, err, sizeof err);
  if (compiled(c, rc)) {
    if (rc == AEV_ERR_INVALID) diag(c, "INVALID_JSONATA_EXPRESSION", loc, "%s", err);
    return -1;
  }
  if (aev__jt_unsupported(*out, c->catcher, err, sizeof err)) {
    diag(c, "UNSUPPORTED_JSONATA_EXPRESSION", loc, "%s", err);
    return -1;
  }
  return 0;
}

/* Whether a numeric field is given as "{% expr %}", which a JSONata state
 * may do, to be evaluated when the state runs: AWS accepts one in
 * MaxConcurrency, ToleratedFailureCount / Percentage, TimeoutSeconds and
 * HeartbeatSeconds (LocalStack's recorded test_base_evaluate_expressions)
 * and in the ItemBatcher's limits (AWS's ASL schema). */
static int expr_instead(const m_state *s, json_t *obj, const char *field) {
  return s->jsonata && aev__jt_is_expr(json_object_get(obj, field));
}

/* int_field(), or the field's expression compiled into *expr. */
static int int_or_expr(pctx *c, const m_state *s, json_t *obj, const char *base, const char *field,
                       int64_t min, int64_t max, int64_t *out, int *has, m_jt **expr) {
  if (expr_instead(s, obj, field)) return jt_field(c, obj, base, field, expr);
  return int_field(c, obj, base, field, min, max, out, has);
}

/* JSONPath-only fields, which a JSONata state may not use. */
static const char *const jsonpath_only[] = {
    "InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath", "ItemsPath",
    "SecondsPath", "TimestampPath", "ErrorPath", "CausePath", "TimeoutSecondsPath",
    "HeartbeatSecondsPath", "MaxConcurrencyPath", "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath", NULL};

/* A retrier's or catcher's ErrorEquals; last: it is the last one of its
 * Retry or Catch array. States.ALL must be the only name of the last one
 * (ASL spec); AWS answers "States.ALL must appear alone and at end of list"
 * at the name's position (its CreateStateMachine answer quoted in
 * aws/aws-cdk#10530). */
static int errors_field(pctx *c, json_t *obj, const char *loc, int last, json_t **out) {
  json_t *e = json_object_get(obj, "ErrorEquals");
  if (!json_is_array(e) || json_array_size(e) == 0) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "These fields are required: [ErrorEquals]");
    return -1;
  }
  for (size_t i = 0; i < json_array_size(e); i++)
    if (!json_is_string(json_array_get(e, i))) {
      diag(c, "SCHEMA_VALIDATION_FAILED", loc, "ErrorEquals must hold strings");
      return -1;
    }
  size_t n = json_array_size(e);
  for (size_t i = 0; i < n; i++)
    if (!strcmp(json_string_value(json_array_get(e, i)), "States.ALL") && (n > 1 || !last)) {
      char at[640];
      fmt(at, sizeof at, "%s/ErrorEquals[%zu]", loc, i);
      diag(c, "SCHEMA_VALIDATION_FAILED", at, "States.ALL must appear alone and at end of list");
      return -1;
    }
  *out = e;
  return 0;
}

static int retry_parse(pctx *c, json_t *st, const char *base, m_state *s) {
  json_t *r = json_object_get(st, "Retry");
  if (!r) return 0;
  char loc[512];
  loc_of(loc, sizeof loc, base, "Retry");
  if (!json_is_array(r)) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "Expected value of type: Array at %s", loc);
    return -1;
  }
  s->retry = calloc(json_array_size(r) + 1, sizeof *s->retry);
  if (!s->retry) return oom(c);
  for (size_t i = 0; i < json_array_size(r); i++) {
    json_t *o = json_array_get(r, i);
    m_retrier *t = &s->retry[s->nretry++];
    char l[600];
    fmt(l, sizeof l, "%s[%zu]", loc, i);
    t->backoff = 2.0;
    if (!json_is_object(o) || errors_field(c, o, l, i + 1 == json_array_size(r), &t->errors))
      return -1;
    /* The ranges AWS accepts (measured): IntervalSeconds 0 too, and
     * MaxDelaySeconds below 31622401, as the Retry reference puts it. */
    int64_t interval = 1, attempts = 3, delay = 0;
    if (int_field(c, o, l, "IntervalSeconds", 0, 99999999, &interval, NULL) ||
        int_field(c, o, l, "MaxAttempts", 0, 99999999, &attempts, NULL) ||
        int_field(c, o, l, "MaxDelaySeconds", 1, 31622400, &delay, NULL))
      return -1;
    t->interval = (double)interval;
    t->max_attempts = (int)attempts;
    t->max_delay_ms = delay * 1000;
    json_t *v;
    if (json_object_get(o, "BackoffRate")) {
      if (!(v = number_field(c, o, l, "BackoffRate", 0, 1.0, DBL_MAX))) return -1;
      t->backoff = json_number_value(v);
    }
    if ((v = json_object_get(o, "JitterStrategy"))) {
      const char *j = json_string_value(v);
      if (!j || (strcmp(j, "FULL") && strcmp(j, "NONE"))) {
        diag(c, "SCHEMA_VALIDATION_FAILED", l, "JitterStrategy must be FULL or NONE");
        return -1;
      }
      t->jitter_full = !strcmp(j, "FULL");
    }
  }
  return 0;
}

/* Resolves a state name to an index, reporting MISSING_TRANSITION_TARGET. */
static int target(pctx *c, json_t *states, json_t *name, const char *loc) {
  if (!json_is_string(name)) return -2;
  size_t i = 0;
  const char *k;
  json_t *v;
  json_object_foreach(states, k, v) {
    if (!strcmp(k, json_string_value(name))) return (int)i;
    i++;
  }
  diag(c, "MISSING_TRANSITION_TARGET", loc, "Missing 'Next' target: %s", json_string_value(name));
  return -2;
}

static int catch_parse(pctx *c, json_t *states, json_t *st, const char *base, m_state *s) {
  json_t *r = json_object_get(st, "Catch");
  if (!r) return 0;
  char loc[512];
  loc_of(loc, sizeof loc, base, "Catch");
  if (!json_is_array(r)) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "Expected value of type: Array at %s", loc);
    return -1;
  }
  s->catches = calloc(json_array_size(r) + 1, sizeof *s->catches);
  if (!s->catches) return oom(c);
  for (size_t i = 0; i < json_array_size(r); i++) {
    json_t *o = json_array_get(r, i);
    m_catcher *t = &s->catches[s->ncatch++];
    char l[600], nl[620];
    fmt(l, sizeof l, "%s[%zu]", loc, i);
    fmt(nl, sizeof nl, "%s/Next", l);
    if (!json_is_object(o) || errors_field(c, o, l, i + 1 == json_array_size(r), &t->errors))
      return -1;
    if (!json_object_get(o, "Next")) {
      diag(c, "SCHEMA_VALIDATION_FAILED", l, "These fields are required: [Next]");
      return -1;
    }
    if ((t->next = target(c, states, json_object_get(o, "Next"), nl)) < 0) return -1;
    if (s->jsonata) {
      c->catcher = 1; /* where $states.errorOutput is */
      int rc = jt_field(c, o, l, "Output", &t->j_output) || jt_field(c, o, l, "Assign", &t->j_assign);
      c->catcher = 0;
      if (rc) return -1;
      continue;
    }
    if (path_field(c, o, l, "ResultPath", 1, &t->result_path, &t->result_null)) return -1;
    if (tmpl_field(c, o, l, "Assign", &t->assign)) return -1;
  }
  return 0;
}

/* ErrorPath / CausePath: a path or an intrinsic, compiled as the one-key
 * template {"x.$": text} so both evaluate alike. */
static int expr_field(pctx *c, json_t *st, const char *base, const char *field, m_expr *out) {
  json_t *v = json_object_get(st, field);
  if (!v) return 0;
  char err[512], loc[512];
  loc_of(loc, sizeof loc, base, field);
  json_t *inner = json_pack("{sO}", "x.$", v);
  int rc = inner ? aev__tmpl_compile(inner, &out->t, err, sizeof err) : AEV_ERR_NOMEM;
  json_decref(inner);
  if (compiled(c, rc)) {
    if (rc == AEV_ERR_INVALID)
      diag(c, "SCHEMA_VALIDATION_FAILED", loc,
           "The value for the field '%s' must be a valid JSONPath or a valid intrinsic function call",
           field);
    return -1;
  }
  out->text = json_string_value(v);
  return 0;
}

static int wait_parse(pctx *c, json_t *st, const char *base, m_state *s) {
  int n = 0;
  static const char *const f[] = {"Seconds", "Timestamp", "SecondsPath", "TimestampPath"};
  for (int i = 0; i < 4; i++) n += json_object_get(st, f[i]) != NULL;
  if (n != 1) {
    diag(c, "SCHEMA_VALIDATION_FAILED", base,
         "A Wait state must have exactly one of these fields: [Seconds, Timestamp, SecondsPath, TimestampPath]");
    return -1;
  }
  if (s->jsonata && (json_is_string(json_object_get(st, "Seconds")) ||
                     json_is_string(json_object_get(st, "Timestamp"))))
    return jt_field(c, st, base, "Seconds", &s->j_seconds) ||
                   jt_field(c, st, base, "Timestamp", &s->j_timestamp)
               ? -1
               : 0;
  if (int_field(c, st, base, "Seconds", 0, 99999999, &s->seconds, &s->has_seconds)) return -1;
  json_t *ts = json_object_get(st, "Timestamp");
  if (ts) {
    char loc[512];
    loc_of(loc, sizeof loc, base, "Timestamp");
    if (!json_is_string(ts) || aev__iso8601_parse(json_string_value(ts), &s->timestamp_ms)) {
      diag(c, "SCHEMA_VALIDATION_FAILED", loc, "String does not match RFC3339 timestamp");
      return -1;
    }
    s->has_timestamp = 1;
  }
  if (path_field(c, st, base, "SecondsPath", 0, &s->seconds_path, NULL)) return -1;
  return path_field(c, st, base, "TimestampPath", 0, &s->timestamp_path, NULL);
}

static int choice_parse(pctx *c, json_t *states, json_t *st, const char *base, m_state *s) {
  json_t *ch = json_object_get(st, "Choices");
  char loc[512];
  loc_of(loc, sizeof loc, base, "Choices");
  if (!json_is_array(ch) || json_array_size(ch) == 0) {
    diag(c, "SCHEMA_VALIDATION_FAILED", base, "These fields are required: [Choices]");
    return -1;
  }
  s->choices = calloc(json_array_size(ch), sizeof *s->choices);
  if (!s->choices) return oom(c);
  for (size_t i = 0; i < json_array_size(ch); i++) {
    char err[512], where[256] = "", l[600];
    fmt(l, sizeof l, "%s[%zu]", loc, i);
    json_t *rule = json_array_get(ch, i);
    if (s->jsonata) {
      m_rule *r = calloc(1, sizeof *r);
      if (!r) return oom(c);
      s->choices[s->nchoices++] = r;
      char nl[620];
      fmt(nl, sizeof nl, "%s/Next", l);
      if (!json_object_get(rule, "Condition")) {
        diag(c, "SCHEMA_VALIDATION_FAILED", l, "These fields are required: [Condition]");
        return -1;
      }
      if (jt_field(c, rule, l, "Condition", &r->j_condition) ||
          jt_field(c, rule, l, "Output", &r->j_output) || jt_field(c, rule, l, "Assign", &r->j_assign))
        return -1;
      if ((r->next = target(c, states, json_object_get(rule, "Next"), nl)) < 0) return -1;
      continue;
    }
    int rc = aev__choice_parse(rule, 1, &s->choices[s->nchoices], err, sizeof err, where,
                               sizeof where);
    if (compiled(c, rc)) {
      aev__choice_free(s->choices[s->nchoices]);
      s->choices[s->nchoices] = NULL;
      char full[900];
      fmt(full, sizeof full, "%s%s", l, where);
      if (rc == AEV_ERR_INVALID) diag(c, "SCHEMA_VALIDATION_FAILED", full, "%s", err);
      return -1;
    }
    m_rule *r = s->choices[s->nchoices++];
    char nl[620];
    fmt(nl, sizeof nl, "%s/Next", l);
    if ((r->next = target(c, states, json_object_get(rule, "Next"), nl)) < 0) {
      if (!json_object_get(rule, "Next"))
        diag(c, "SCHEMA_VALIDATION_FAILED", l, "These fields are required: [Next]");
      return -1;
    }
    if (tmpl_field(c, rule, l, "Assign", &r->assign)) return -1;
  }
  s->deflt = -1;
  json_t *d = json_object_get(st, "Default");
  if (d) {
    char dl[520];
    loc_of(dl, sizeof dl, base, "Default");
    if ((s->deflt = target(c, states, d, dl)) < 0) return -1;
  }
  return 0;
}

/* A character a Map Run label refuses (AWS's Distributed Map reference):
 * whitespace (Unicode's White_Space), control characters (U+0000-001F,
 * U+007F-009F) and ? * < > { } [ ] : ; , \ | ^ ~ $ # % & ` ". */
static int label_char_refused(uint32_t cp) {
  if (cp <= 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
      cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000)
    return 1;
  return cp < 0x80 && strchr("?*<>{}[]:;,\\|^~$#%&`\"", (int)cp) != NULL;
}

/* A Distributed Map's Label: a string of 1 to 40 characters (not bytes)
 * that label_char_refused lets through, since it names the Map Run. */
static int label_field(pctx *c, json_t *st, const char *base) {
  json_t *v = json_object_get(st, "Label");
  if (!v) return 0;
  char loc[520];
  loc_of(loc, sizeof loc, base, "Label");
  if (!json_is_string(v)) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "Expected value of type: String at %s", loc);
    return -1;
  }
  const char *t = json_string_value(v);
  size_t n = json_string_length(v);
  size_t chars = aev__utf8_chars(t, n);
  if (chars < 1 || chars > 40) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "The value for the field 'Label' must have 1 to 40 characters");
    return -1;
  }
  uint32_t cp;
  for (size_t i = 0, k; i < n; i += k)
    if (!(k = aev__utf8_next((const unsigned char *)t + i, n - i, &cp)) || label_char_refused(cp)) {
      diag(c, "SCHEMA_VALIDATION_FAILED", loc,
           "The value for the field 'Label' must not contain whitespace, control characters or any of "
           "? * < > { } [ ] : ; , \\ | ^ ~ $ # %% & ` \"");
      return -1;
    }
  return 0;
}

/* AWS's largest batch, and its default: "up to 256 KiB". */
#define BATCH_MAX_BYTES 262144

/* A Map's limit (an ItemBatcher's, ReaderConfig's MaxItems) given by a
 * number (min..max; under JSONata an expression too) or by a reference
 * path to one, not both. */
static int limit_field(pctx *c, const m_state *s, json_t *ib, const char *loc, const char *field, int64_t min,
                       int64_t max, int64_t *out, aev__jpath **path, m_jt **expr) {
  char path_field_name[64];
  snprintf(path_field_name, sizeof path_field_name, "%sPath", field);
  if (json_object_get(ib, field) && json_object_get(ib, path_field_name)) {
    /* Reported measured on AWS by another emulator (floci #3733). */
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "There should only be one of the following fields: [%s, %s]", field,
         path_field_name);
    return -1;
  }
  return int_or_expr(c, s, ib, loc, field, min, max, out, NULL, expr) ||
         path_field(c, ib, loc, path_field_name, 1, path, NULL);
}

/* ItemBatcher (AWS's "Batch input" page): MaxItemsPerBatch[Path],
 * MaxInputBytesPerBatch[Path] (at most 256 KiB) and BatchInput; the Path
 * forms are JSONPath's only. */
static int batcher_parse(pctx *c, json_t *st, const char *base, m_state *s) {
  json_t *ib = json_object_get(st, "ItemBatcher");
  if (!ib) return 0;
  char loc[520];
  loc_of(loc, sizeof loc, base, "ItemBatcher");
  if (!json_is_object(ib)) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "Expected value of type: Object at %s", loc);
    return -1;
  }
  static const char *const fields[] = {"MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch",
                                       "MaxInputBytesPerBatchPath", "BatchInput", NULL};
  const char *f;
  json_t *v;
  json_object_foreach(ib, f, v) {
    if (!in_list(fields, f)) return unsupported(c, loc, f);
    if (s->jsonata && strstr(f, "Path")) {
      diag(c, "SCHEMA_VALIDATION_FAILED", loc,
           "The QueryLanguage is set to 'JSONata', but field '%s' is only supported for the 'JSONPath' QueryLanguage",
           f);
      return -1;
    }
  }
  s->item_batcher = ib;
  if (limit_field(c, s, ib, loc, "MaxItemsPerBatch", 1, INT32_MAX, &s->batch_max_items, &s->batch_max_items_path,
                  &s->j_batch_max_items) ||
      limit_field(c, s, ib, loc, "MaxInputBytesPerBatch", 1, BATCH_MAX_BYTES, &s->batch_max_bytes,
                  &s->batch_max_bytes_path, &s->j_batch_max_bytes))
    return -1;
  return s->jsonata ? jt_field(c, ib, loc, "BatchInput", &s->j_batch_input)
                    : tmpl_field(c, ib, loc, "BatchInput", &s->batch_input);
}

/* An enumerated field's value: its index in values (*out), or a
 * diagnostic in AWS's words for Type ("should have one of these values"). */
static int one_of(pctx *c, json_t *obj, const char *base, const char *field, const char *const *values,
                  int *out) {
  json_t *v = json_object_get(obj, field);
  for (int i = 0; v && values[i]; i++)
    if (json_is_string(v) && !strcmp(json_string_value(v), values[i])) {
      *out = i;
      return 0;
    }
  if (!v) return 0;
  char loc[600], list[256] = "";
  loc_of(loc, sizeof loc, base, field);
  for (int i = 0; values[i]; i++) fmt(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", values[i]);
  diag(c, "SCHEMA_VALIDATION_FAILED", loc, "The field '%s' should have one of these values: [%s]", field, list);
  return -1;
}

/* obj (at loc) has only fields; else AWS's "Field 'X' is not supported". */
static int only_fields(pctx *c, json_t *obj, const char *loc, const char *const *fields) {
  const char *f;
  json_t *v;
  json_object_foreach(obj, f, v) if (!in_list(fields, f)) return unsupported(c, loc, f);
  return 0;
}

/* An ItemReader's or ResultWriter's S3 request: Parameters under JSONPath
 * (holding the members required), Arguments under JSONata. */
static int s3_request(pctx *c, const m_state *s, json_t *obj, const char *loc, const char *const *required,
                      aev__tmpl **t, m_jt **j) {
  const char *field = s->jsonata ? "Arguments" : "Parameters", *other = s->jsonata ? "Parameters" : "Arguments";
  if (json_object_get(obj, other)) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc,
         "The QueryLanguage is set to '%s', but field '%s' is only supported for the '%s' QueryLanguage",
         s->jsonata ? "JSONata" : "JSONPath", other, s->jsonata ? "JSONPath" : "JSONata");
    return -1;
  }
  json_t *req = json_object_get(obj, field);
  char rloc[600];
  loc_of(rloc, sizeof rloc, loc, field);
  for (size_t i = 0; required[i] && json_is_object(req); i++) {
    char dyn[64];
    fmt(dyn, sizeof dyn, "%s.$", required[i]);
    if (!json_object_get(req, required[i]) && (s->jsonata || !json_object_get(req, dyn))) {
      diag(c, "SCHEMA_VALIDATION_FAILED", rloc, "These fields are required: [%s]", required[i]);
      return -1;
    }
  }
  return s->jsonata ? jt_field(c, obj, loc, field, j) : tmpl_field(c, obj, loc, field, t);
}

/* ReaderConfig of an s3:getObject ItemReader: InputType (required),
 * CSVHeaderLocation (CSV only; GIVEN with its CSVHeaders, distinct
 * strings), CSVDelimiter (CSV only), MaxItems (0 to 100,000,000, the
 * guide's limit; under JSONata an expression too) or MaxItemsPath
 * (JSONPath only). */
static int reader_config_parse(pctx *c, m_state *s, json_t *rc, const char *loc) {
  static const char *const fields[] = {"InputType", "CSVHeaderLocation", "CSVHeaders", "CSVDelimiter",
                                       "MaxItems", "MaxItemsPath", NULL};
  /* InputType's values, in the order AWS's refusal lists them (floci's
   * AWS-measured validation: "[MANIFEST, JSON, CSV, JSONL, PARQUET]"). */
  static const char *const inputs[] = {"MANIFEST", "JSON", "CSV", "JSONL", "PARQUET", NULL};
  static const char *const locations[] = {"FIRST_ROW", "GIVEN", NULL};
  static const char *const delimiters[] = {"COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB", NULL};
  static const char delimiter_chars[] = ",|; \t";
  if (!json_is_object(rc)) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "Expected value of type: Object at %s", loc);
    return -1;
  }
  if (only_fields(c, rc, loc, fields)) return -1;
  int where = 0, delim = 0;
  if (!s->reader_list && !json_object_get(rc, "InputType")) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "These fields are required: [InputType]");
    return -1;
  }
  if (one_of(c, rc, loc, "InputType", inputs, &s->reader_input) ||
      one_of(c, rc, loc, "CSVHeaderLocation", locations, &where) ||
      one_of(c, rc, loc, "CSVDelimiter", delimiters, &delim))
    return -1;
  s->csv_delimiter = delimiter_chars[delim];
  const int csv = !s->reader_list && s->reader_input == M_INPUT_CSV;
  static const char *const csv_only[] = {"CSVHeaderLocation", "CSVHeaders", "CSVDelimiter", NULL};
  for (size_t i = 0; !csv && csv_only[i]; i++)
    if (json_object_get(rc, csv_only[i])) {
      diag(c, "SCHEMA_VALIDATION_FAILED", loc, "Field '%s' is only supported when the InputType is CSV",
           csv_only[i]);
      return -1;
    }
  json_t *headers = json_object_get(rc, "CSVHeaders");
  char hloc[640];
  loc_of(hloc, sizeof hloc, loc, "CSVHeaders");
  if (csv && where == 1 && !headers) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "These fields are required: [CSVHeaders]");
    return -1;
  }
  if (headers && where != 1) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "Field 'CSVHeaders' is only supported when the CSVHeaderLocation is GIVEN");
    return -1;
  }
  for (size_t i = 0; headers && i < (json_is_array(headers) ? json_array_size(headers) : 1); i++)
    if (!json_is_array(headers) || !json_is_string(json_array_get(headers, i))) {
      diag(c, "SCHEMA_VALIDATION_FAILED", hloc, "Expected value of type: Array of String at %s", hloc);
      return -1;
    }
  s->csv_headers = headers;
  if (s->jsonata && json_object_get(rc, "MaxItemsPath")) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc,
         "The QueryLanguage is set to 'JSONata', but field 'MaxItemsPath' is only supported for the 'JSONPath' "
         "QueryLanguage");
    return -1;
  }
  return limit_field(c, s, rc, loc, "MaxItems", 0, 100000000, &s->reader_max_items, &s->reader_max_items_path,
                     &s->j_reader_max_items);
}

/* ItemReader (the guide's "ItemReader (Map)"): Resource s3:getObject
 * (Bucket and Key) with its ReaderConfig, or s3:listObjectsV2 (Bucket, a
 * Prefix perhaps; a ReaderConfig only for MaxItems); a Distributed Map's
 * only. */
static int reader_parse(pctx *c, json_t *st, const char *base, m_state *s) {
  static const char *const fields[] = {"Resource", "ReaderConfig", "Parameters", "Arguments", NULL};
  static const char *const get_required[] = {"Bucket", "Key", NULL}, *const list_required[] = {"Bucket", NULL};
  json_t *ir = json_object_get(st, "ItemReader");
  if (!ir) return 0;
  char loc[520];
  loc_of(loc, sizeof loc, base, "ItemReader");
  if (!json_is_object(ir)) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "Expected value of type: Object at %s", loc);
    return -1;
  }
  if (only_fields(c, ir, loc, fields)) return -1;
  if (!s->distributed) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "Field 'ItemReader' is only supported in DISTRIBUTED mode");
    return -1;
  }
  const char *res = json_string_value(json_object_get(ir, "Resource"));
  if (!res) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "These fields are required: [Resource]");
    return -1;
  }
  s->reader_list = !strcmp(res, "arn:aws:states:::s3:listObjectsV2");
  if (!s->reader_list && strcmp(res, "arn:aws:states:::s3:getObject")) {
    char rloc[600];
    loc_of(rloc, sizeof rloc, loc, "Resource");
    diag(c, "SCHEMA_VALIDATION_FAILED", rloc,
         "The resource provided %s is not recognized. The value is not a valid resource ARN, or the resource is "
         "not available in this region.",
         res);
    return -1;
  }
  s->item_reader = res;
  json_t *rc = json_object_get(ir, "ReaderConfig");
  char cloc[600];
  loc_of(cloc, sizeof cloc, loc, "ReaderConfig");
  if (!rc && !s->reader_list) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "These fields are required: [ReaderConfig]");
    return -1;
  }
  if (rc && reader_config_parse(c, s, rc, cloc)) return -1;
  return s3_request(c, s, ir, loc, s->reader_list ? list_required : get_required, &s->reader_params,
                    &s->j_reader_args);
}

/* ResultWriter (the guide's "ResultWriter (Map)"): Resource s3:putObject
 * with its Parameters / Arguments (Bucket, a Prefix perhaps) to export
 * the children's results, WriterConfig (Transformation, OutputType) to
 * shape them, or both; never empty. */
static int writer_parse(pctx *c, json_t *st, const char *base, m_state *s) {
  static const char *const fields[] = {"Resource", "WriterConfig", "Parameters", "Arguments", NULL};
  static const char *const config_fields[] = {"Transformation", "OutputType", NULL};
  static const char *const transforms[] = {"COMPACT", "NONE", "FLATTEN", NULL}, *const types[] = {"JSON", "JSONL", NULL};
  static const char *const required[] = {"Bucket", NULL};
  json_t *rw = json_object_get(st, "ResultWriter");
  if (!rw) return 0;
  char loc[520], cloc[600];
  loc_of(loc, sizeof loc, base, "ResultWriter");
  if (!json_is_object(rw)) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "Expected value of type: Object at %s", loc);
    return -1;
  }
  if (only_fields(c, rw, loc, fields)) return -1;
  if (!s->distributed) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "Field 'ResultWriter' is only supported in DISTRIBUTED mode");
    return -1;
  }
  json_t *res = json_object_get(rw, "Resource"), *wc = json_object_get(rw, "WriterConfig");
  const int request = json_object_get(rw, s->jsonata ? "Arguments" : "Parameters") != NULL;
  if (!res && !wc && !request) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "These fields are required: [Resource, %s] or [WriterConfig]",
         s->jsonata ? "Arguments" : "Parameters");
    return -1;
  }
  if (!res != !request) {
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "These fields are required: [%s]",
         res ? (s->jsonata ? "Arguments" : "Parameters") : "Resource");
    return -1;
  }
  if (res && (!json_is_string(res) || strcmp(json_string_value(res), "arn:aws:states:::s3:putObject"))) {
    char rloc[600];
    loc_of(rloc, sizeof rloc, loc, "Resource");
    diag(c, "SCHEMA_VALIDATION_FAILED", rloc,
         "The resource provided %s is not recognized. The value is not a valid resource ARN, or the resource is "
         "not available in this region.",
         json_is_string(res) ? json_string_value(res) : "");
    return -1;
  }
  s->has_writer = 1;
  s->writer_export = res != NULL;
  /* Exported without a WriterConfig, the results are the children's
   * whole records (NONE); else only their outputs (COMPACT). */
  s->writer_transform = wc || !res ? M_TRANSFORM_COMPACT : M_TRANSFORM_NONE;
  loc_of(cloc, sizeof cloc, loc, "WriterConfig");
  if (wc && !json_is_object(wc)) {
    diag(c, "SCHEMA_VALIDATION_FAILED", cloc, "Expected value of type: Object at %s", cloc);
    return -1;
  }
  if (wc && (only_fields(c, wc, cloc, config_fields) ||
             one_of(c, wc, cloc, "Transformation", transforms, &s->writer_transform) ||
             one_of(c, wc, cloc, "OutputType", types, &s->writer_jsonl)))
    return -1;
  return res ? s3_request(c, s, rw, loc, required, &s->writer_params, &s->j_writer_args) : 0;
}

static int map_parse(pctx *c, json_t *st, const char *base, m_state *s, m_def *d) {
  json_t *proc = json_object_get(st, "ItemProcessor");
  const char *pname = "ItemProcessor";
  if (!proc) {
    proc = json_object_get(st, "Iterator");
    pname = "Iterator";
  }
  if (!json_is_object(proc)) {
    diag(c, "SCHEMA_VALIDATION_FAILED", base, "These fields are required: [ItemProcessor]");
    return -1;
  }
  json_t *cfg = json_object_get(proc, "ProcessorConfig");
  const char *mode = json_string_value(json_object_get(cfg, "Mode"));
  const char *type = json_string_value(json_object_get(cfg, "ExecutionType"));
  s->distributed = mode && !strcmp(mode, "DISTRIBUTED");
  s->processor_json = proc;
  s->express_children = type && !strcmp(type, "EXPRESS");
  char ploc[512];
  loc_of(ploc, sizeof ploc, base, pname);
  s->processor = calloc(1, sizeof *s->processor);
  if (!s->processor) return oom(c);
  if (graph_parse(c, proc, G_PROCESSOR, ploc, s->processor, d)) return -1;
  if (s->jsonata) {
    if (jt_field(c, st, base, "Items", &s->j_items) ||
        jt_field(c, st, base, "ItemSelector", &s->j_selector))
      return -1;
  } else if (path_field(c, st, base, "ItemsPath", 0, &s->items_path, NULL) ||
             tmpl_field(c, st, base, "ItemSelector", &s->item_selector)) {
    return -1;
  }
  if (!s->jsonata && !s->item_selector && tmpl_field(c, st, base, "Parameters", &s->item_selector))
    return -1;
  int64_t mc = 0;
  if (int_or_expr(c, s, st, base, "MaxConcurrency", 0, INT32_MAX, &mc, NULL, &s->j_max_concurrency)) return -1;
  s->max_concurrency = (int)mc;
  if (path_field(c, st, base, "MaxConcurrencyPath", 0, &s->max_concurrency_path, NULL)) return -1;
  if (int_or_expr(c, s, st, base, "ToleratedFailureCount", 0, INT32_MAX, &s->tolerated_count,
                  &s->has_tolerated_count, &s->j_tolerated_count))
    return -1;
  if (expr_instead(s, st, "ToleratedFailurePercentage")) {
    if (jt_field(c, st, base, "ToleratedFailurePercentage", &s->j_tolerated_pct)) return -1;
  } else if (json_object_get(st, "ToleratedFailurePercentage")) {
    json_t *pct = number_field(c, st, base, "ToleratedFailurePercentage", 0, 0, 100);
    if (!pct) return -1;
    s->tolerated_pct = json_number_value(pct);
    s->has_tolerated_pct = 1;
  }
  if (path_field(c, st, base, "ToleratedFailureCountPath", 0, &s->tolerated_count_path, NULL) ||
      path_field(c, st, base, "ToleratedFailurePercentagePath", 0, &s->tolerated_pct_path, NULL) ||
      label_field(c, st, base))
    return -1;
  s->label = json_string_value(json_object_get(st, "Label"));
  if (batcher_parse(c, st, base, s)) return -1;
  return reader_parse(c, st, base, s) || writer_parse(c, st, base, s) ? -1 : 0;
}

static int state_parse(pctx *c, json_t *states, const char *name, json_t *st, const char *base,
                       m_state *s, m_def *d) {
  s->name = strdup(name);
  s->next = -1;
  s->deflt = -1;
  if (!s->name) return oom(c);
  if (!json_is_object(st)) {
    diag(c, "SCHEMA_VALIDATION_FAILED", base, "Expected value of type: Object at %s", base);
    return -1;
  }
  const char *type = json_string_value(json_object_get(st, "Type"));
  size_t k = 0;
  for (; type && k < sizeof kinds / sizeof kinds[0]; k++)
    if (!strcmp(kinds[k].type, type)) break;
  if (!type || k == sizeof kinds / sizeof kinds[0]) {
    char loc[520];
    loc_of(loc, sizeof loc, base, "Type");
    if (!type) diag(c, "SCHEMA_VALIDATION_FAILED", base, "These fields are required: [Type]");
    else /* AWS's words, as LocalStack's tests quote them */
      diag(c, "SCHEMA_VALIDATION_FAILED", loc,
           "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, "
           "Choice, Parallel, Map]");
    return -1;
  }
  s->type = kinds[k].t;
  int bad = 0;
  /* A state without QueryLanguage takes the state machine's, also inside
   * a Map or Parallel whatever theirs is (as AWS resolves it). */
  json_t *ql = json_object_get(st, "QueryLanguage");
  s->jsonata = ql ? says_jsonata(ql) : c->jsonata;
  if (s->jsonata) d->uses_context = 1;
  /* A state may not go back to JSONPath under a JSONata machine. AWS then
   * reports nothing about the fields of either language, but goes on
   * checking the rest of the state; the diagnostic alone refuses it. */
  const int downgrade = c->jsonata && !s->jsonata;
  if (downgrade)
    diag(c, "SCHEMA_VALIDATION_FAILED", base,
         "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine");
  const char *f;
  json_t *v;
  json_object_foreach(st, f, v) {
    const int jsonata_field = (!strcmp(f, "Output") && s->type != ST_FAIL) ||
                              (!strcmp(f, "Arguments") && (s->type == ST_TASK || s->type == ST_PARALLEL)) ||
                              (!strcmp(f, "Items") && s->type == ST_MAP);
    if (s->jsonata ? in_list(jsonpath_only, f) : jsonata_field) {
      if (downgrade) continue;
      diag(c, "SCHEMA_VALIDATION_FAILED", base,
           "The QueryLanguage is set to '%s', but field '%s' is only supported for the '%s' QueryLanguage",
           s->jsonata ? "JSONata" : "JSONPath", f, s->jsonata ? "JSONPath" : "JSONata");
      bad = 1;
      continue;
    }
    if (jsonata_field || in_list(common_fields, f) || (kinds[k].io && in_list(io_fields, f)) ||
        (kinds[k].flow && in_list(flow_fields, f)) || (kinds[k].result && in_list(result_fields, f)) ||
        in_list(kinds[k].extra, f))
      continue;
    bad = unsupported(c, base, f);
  }
  query_language_check(c, ql, base);
  if (bad) return -1;
  if (kinds[k].flow) {
    json_t *next = json_object_get(st, "Next"), *end = json_object_get(st, "End");
    char loc[520];
    loc_of(loc, sizeof loc, base, "Next");
    if (next && end && json_is_true(end)) {
      diag(c, "SCHEMA_VALIDATION_FAILED", base, "Only one of these fields can be set: [Next, End]");
      return -1;
    }
    if (!next && !json_is_true(end)) {
      diag(c, "SCHEMA_VALIDATION_FAILED", base, "These fields are required: [Next, End] (exactly one)");
      return -1;
    }
    if (next && (s->next = target(c, states, next, loc)) < 0) return -1;
  }
  if (s->jsonata && (jt_field(c, st, base, "Output", &s->j_output) ||
                     jt_field(c, st, base, "Arguments", &s->j_args) ||
                     jt_field(c, st, base, "Assign", &s->j_assign)))
    return -1;
  if (path_field(c, st, base, "InputPath", 0, &s->input_path, &s->input_null) ||
      path_field(c, st, base, "OutputPath", 0, &s->output_path, &s->output_null) ||
      path_field(c, st, base, "ResultPath", 1, &s->result_path, &s->result_null) ||
      tmpl_field(c, st, base, "Parameters", &s->parameters) ||
      tmpl_field(c, st, base, "ResultSelector", &s->result_selector) ||
      (!s->jsonata && tmpl_field(c, st, base, "Assign", &s->assign)) || retry_parse(c, st, base, s) ||
      catch_parse(c, states, st, base, s))
    return -1;
  s->result = json_object_get(st, "Result");
  switch (s->type) {
  case ST_CHOICE: return choice_parse(c, states, st, base, s);
  case ST_WAIT: return wait_parse(c, st, base, s);
  case ST_FAIL:
    if (s->jsonata)
      return jt_field(c, st, base, "Error", &s->j_error) || jt_field(c, st, base, "Cause", &s->j_cause)
                 ? -1
                 : 0;
    s->error = json_string_value(json_object_get(st, "Error"));
    s->cause = json_string_value(json_object_get(st, "Cause"));
    return expr_field(c, st, base, "ErrorPath", &s->error_path) ||
                   expr_field(c, st, base, "CausePath", &s->cause_path)
               ? -1
               : 0;
  case ST_PARALLEL: {
    json_t *br = json_object_get(st, "Branches");
    if (!json_is_array(br) || !json_array_size(br)) {
      diag(c, "SCHEMA_VALIDATION_FAILED", base, "These fields are required: [Branches]");
      return -1;
    }
    s->branches = calloc(json_array_size(br), sizeof *s->branches);
    if (!s->branches) return oom(c);
    for (size_t i = 0; i < json_array_size(br); i++) {
      char bl[600];
      fmt(bl, sizeof bl, "%s/Branches[%zu]", base, i);
      s->nbranches++;
      if (graph_parse(c, json_array_get(br, i), G_BRANCH, bl, &s->branches[i], d)) return -1;
    }
    return 0;
  }
  case ST_MAP: return map_parse(c, st, base, s, d);
  case ST_TASK: {
    json_t *res = json_object_get(st, "Resource");
    if (!json_is_string(res)) {
      diag(c, "SCHEMA_VALIDATION_FAILED", base, "These fields are required: [Resource]");
      return -1;
    }
    s->resource = json_string_value(res);
    /* AWS's words for an aws-sdk: resource it does not know (an action
     * the service lacks, a .sync pattern, which AWS SDK integrations do
     * not support). */
    if (aev__sdk_check(s->resource)) {
      char loc[520];
      loc_of(loc, sizeof loc, base, "Resource");
      diag(c, "SCHEMA_VALIDATION_FAILED", loc,
           "The resource provided %s is not recognized. The value is not a valid resource ARN, or the resource is "
           "not available in this region.",
           s->resource);
      return -1;
    }
    if (c->express && (strstr(s->resource, ".sync") || strstr(s->resource, ".waitForTaskToken") ||
                       strstr(s->resource, ":activity:"))) {
      char loc[520];
      loc_of(loc, sizeof loc, base, "Resource");
      /* AWS's words, recorded (the trailing space too) */
      diag(c, "SCHEMA_VALIDATION_FAILED", loc, "Express state machine does not support %s",
           strstr(s->resource, ":activity:") ? "Activity ARN"
           : strstr(s->resource, ".sync")    ? "'.sync' service integration"
                                             : "'.waitForTaskToken' service integration ");
      return -1;
    }
    if (int_or_expr(c, s, st, base, "TimeoutSeconds", 1, 99999999, &s->timeout_s, NULL, &s->j_timeout) ||
        int_or_expr(c, s, st, base, "HeartbeatSeconds", 1, 99999999, &s->heartbeat_s, NULL, &s->j_heartbeat) ||
        path_field(c, st, base, "TimeoutSecondsPath", 0, &s->timeout_path, NULL) ||
        path_field(c, st, base, "HeartbeatSecondsPath", 0, &s->heartbeat_path, NULL))
      return -1;
    return 0;
  }
  default: return 0;
  }
}

/* Appends to names the states a state moves on to: its Next and Default,
 * and the Next of its Choices and of its Catchers. -1 when out of memory
 * (a state left out would be reported unreachable). */
static int moves(json_t *st, json_t *names) {
  static const char *const lists[] = {"Choices", "Catch"};
  json_t *v;
  int lost = json_is_string(v = json_object_get(st, "Next")) && json_array_append(names, v);
  lost |= json_is_string(v = json_object_get(st, "Default")) && json_array_append(names, v);
  for (size_t l = 0; l < 2; l++) {
    json_t *list = json_object_get(st, lists[l]), *o;
    size_t i;
    json_array_foreach(list, i, o) lost |= json_is_string(v = json_object_get(o, "Next")) &&
                                           json_array_append(names, v);
  }
  return lost ? -1 : 0;
}

static int terminal(json_t *st) {
  const char *t = json_string_value(json_object_get(st, "Type"));
  return json_is_true(json_object_get(st, "End")) ||
         (t && (!strcmp(t, "Succeed") || !strcmp(t, "Fail")));
}

/* What AWS checks of a graph as a whole, read from the definition itself
 * so that a state refused for some other reason still counts: the state
 * machine needs a terminal state ("Workflow has no terminal state", at no
 * location; then reachability is not checked), and every state must be
 * reachable from StartAt, in every graph. */
static void graph_check(pctx *c, json_t *obj, graph_kind kind, const char *base) {
  json_t *states = json_object_get(obj, "States"), *st;
  const char *name;
  if (kind == G_MACHINE) {
    int ends = 0;
    json_object_foreach(states, name, st) ends |= terminal(st);
    if (!ends) {
      diag(c, "MISSING_END_STATE", NULL, "Workflow has no terminal state");
      return;
    }
  }
  json_t *reached = json_object(), *todo = json_array();
  if (!reached || !todo || json_array_append(todo, json_object_get(obj, "StartAt"))) {
    oom(c);
  } else {
    /* Depth first: the last name is taken, and what it leads to goes after it. */
    while (json_array_size(todo) && !c->nomem) {
      size_t last = json_array_size(todo) - 1;
      name = json_string_value(json_array_get(todo, last));
      st = name ? json_object_get(states, name) : NULL;
      if (st && !json_object_get(reached, name) && (json_object_set(reached, name, st) || moves(st, todo)))
        oom(c);
      json_array_remove(todo, last);
    }
    json_object_foreach(states, name, st) if (!c->nomem && !json_object_get(reached, name)) {
      char loc[600];
      fmt(loc, sizeof loc, "%s/States/%s", base, name);
      diag(c, "MISSING_TRANSITION_TARGET", loc, "State \"%s\" is not reachable.", name);
    }
  }
  json_decref(reached);
  json_decref(todo);
}

static int graph_parse(pctx *c, json_t *obj, graph_kind kind, const char *base, m_graph *g,
                       m_def *d) {
  const char *where = base[0] ? base : "/";
  json_t *start = json_object_get(obj, "StartAt"), *states = json_object_get(obj, "States");
  if (!json_is_object(obj)) {
    diag(c, "SCHEMA_VALIDATION_FAILED", where, "These fields are required: [States, StartAt]");
    return -1;
  }
  const size_t found = json_array_size(c->diag);
  const char *name;
  json_t *st;
  json_object_foreach(obj, name, st) if (!in_list(graph_fields[kind], name)) unsupported(c, where, name);
  if (kind == G_MACHINE) {
    json_t *ql = json_object_get(obj, "QueryLanguage");
    c->jsonata = ql && says_jsonata(ql);
    query_language_check(c, ql, base);
    int_field(c, obj, base, "TimeoutSeconds", 1, 99999999, &d->timeout_s, NULL);
  }
  if (!start || !states) {
    diag(c, "SCHEMA_VALIDATION_FAILED", where, "These fields are required: [%s]",
         !start && !states ? "States, StartAt" : !start ? "StartAt" : "States");
    return -1;
  }
  if (!json_is_object(states) || json_object_size(states) == 0) {
    char loc[520];
    loc_of(loc, sizeof loc, base, "States");
    diag(c, "SCHEMA_VALIDATION_FAILED", loc, "States must be a non-empty object");
    return -1;
  }
  g->states = calloc(json_object_size(states), sizeof *g->states);
  if (!g->states) return oom(c);
  char sl[520];
  loc_of(sl, sizeof sl, base, "StartAt");
  if (!json_is_string(start)) {
    diag(c, "SCHEMA_VALIDATION_FAILED", sl, "StartAt must be a string");
    return -1;
  }
  /* A StartAt naming no state is reported, and the states still checked:
   * AWS then also reports each of them as not reachable. */
  g->start = target(c, states, start, sl);
  json_object_foreach(states, name, st) {
    char loc[600];
    fmt(loc, sizeof loc, "%s/States/%s", base, name);
    /* The ASL spec: at most 80 Unicode characters, not bytes. */
    if (aev__utf8_chars(name, strlen(name)) > 80)
      diag(c, "SCHEMA_VALIDATION_FAILED", loc, "State names must be at most 80 characters");
    state_parse(c, states, name, st, loc, &g->states[g->n++], d);
  }
  graph_check(c, obj, kind, base);
  return json_array_size(c->diag) > found || c->nomem ? -1 : 0;
}

static void rules_free(m_rule **r, size_t n) {
  for (size_t i = 0; i < n; i++) aev__choice_free(r[i]);
  free(r);
}

static void graph_free(m_graph *g);

static void state_free(m_state *s) {
  free(s->name);
  aev__jpath_free(s->input_path);
  aev__jpath_free(s->output_path);
  aev__jpath_free(s->result_path);
  aev__tmpl_free(s->parameters);
  aev__tmpl_free(s->result_selector);
  aev__tmpl_free(s->assign);
  free(s->retry);
  for (size_t i = 0; i < s->ncatch; i++) {
    aev__jpath_free(s->catches[i].result_path);
    aev__tmpl_free(s->catches[i].assign);
    aev__jt_free(s->catches[i].j_output);
    aev__jt_free(s->catches[i].j_assign);
  }
  m_jt *jts[] = {s->j_args, s->j_output, s->j_assign, s->j_items, s->j_selector,
                 s->j_seconds, s->j_timestamp, s->j_error, s->j_cause, s->j_batch_input,
                 s->j_max_concurrency, s->j_tolerated_count, s->j_tolerated_pct, s->j_batch_max_items,
                 s->j_batch_max_bytes, s->j_timeout, s->j_heartbeat, s->j_reader_args, s->j_writer_args, s->j_reader_max_items};
  for (size_t i = 0; i < sizeof jts / sizeof jts[0]; i++) aev__jt_free(jts[i]);
  free(s->catches);
  rules_free(s->choices, s->nchoices);
  aev__jpath_free(s->seconds_path);
  aev__jpath_free(s->timestamp_path);
  aev__tmpl_free(s->error_path.t);
  aev__tmpl_free(s->cause_path.t);
  for (size_t i = 0; i < s->nbranches; i++) graph_free(&s->branches[i]);
  free(s->branches);
  if (s->processor) graph_free(s->processor);
  free(s->processor);
  aev__jpath_free(s->items_path);
  aev__tmpl_free(s->item_selector);
  aev__jpath_free(s->reader_max_items_path);
  aev__tmpl_free(s->reader_params);
  aev__tmpl_free(s->writer_params);
  aev__jpath_free(s->max_concurrency_path);
  aev__jpath_free(s->tolerated_count_path);
  aev__jpath_free(s->tolerated_pct_path);
  aev__jpath_free(s->batch_max_items_path);
  aev__jpath_free(s->batch_max_bytes_path);
  aev__tmpl_free(s->batch_input);
  aev__jpath_free(s->timeout_path);
  aev__jpath_free(s->heartbeat_path);
}

static void graph_free(m_graph *g) {
  for (size_t i = 0; i < g->n; i++) state_free(&g->states[i]);
  free(g->states);
}

void aev__asl_free(m_def *d) {
  if (!d) return;
  graph_free(&d->top);
  json_decref(d->json);
  free(d);
}

m_def *aev__def_ref(m_def *d) {
  if (d) d->refs++;
  return d;
}

void aev__def_unref(m_def *d) {
  if (d && --d->refs == 0) aev__asl_free(d);
}

/* Text that is not JSON: Jackson's description and location where it has
 * one, as AWS answers "not a definition" (LocalStack's recorded
 * test_validate_state_machine_definition_not_a_definition[NOT_A_DEF]);
 * else jansson's, at "/". */
static void invalid_json(pctx *c, const char *text, size_t len, const char *jansson_text) {
  char why[512], source[640];
  int line, column;
  if (!aev__json_syntax_error(text, len, why, sizeof why, &line, &column)) {
    diag(c, "INVALID_JSON_DESCRIPTION", "/", "%s", jansson_text);
    return;
  }
  aev__json_syntax_source(text, len, line, column, source, sizeof source);
  diag(c, "INVALID_JSON_DESCRIPTION", source, "%s\n at %s", why, source);
}

m_def *aev__asl_parse(const char *text, size_t len, int express, json_t **diag_out) {
  pctx c = {.diag = json_array(), .express = express};
  m_def *d = calloc(1, sizeof *d);
  *diag_out = NULL;
  if (!c.diag || !d) {
    json_decref(c.diag);
    free(d);
    return NULL;
  }
  json_error_t e;
  if (aev__json_parse(text, len, JSON_REJECT_DUPLICATES, &d->json, &e) == AEV_ERR_NOMEM) {
    json_decref(c.diag);
    aev__asl_free(d);
    return NULL;
  }
  if (json_is_object(d->json)) {
    graph_parse(&c, d->json, G_MACHINE, "", &d->top, d);
    d->uses_context |= strstr(text, "$$") != NULL;
  } else if (d->json || aev__json_blank(text, len)) {
    /* As AWS answers " " (recorded), and JSON that is not an object. */
    diag(&c, "SCHEMA_VALIDATION_FAILED", NULL, "Definition must be a valid JSON object");
  } else {
    invalid_json(&c, text, len, e.text);
  }
  if (c.nomem || json_array_size(c.diag)) {
    *diag_out = c.nomem ? NULL : c.diag; /* none: out of memory */
    if (c.nomem) json_decref(c.diag);
    aev__asl_free(d);
    return NULL;
  }
  json_decref(c.diag);
  d->refs = 1;
  return d;
}

/* AWS's words: every diagnostic as "CODE: message at location" (null
 * where it has none), joined by ", " inside one pair of quotes. */
int aev__asl_invalid(json_t *diag) {
  char msg[1024];
  size_t n = (size_t)snprintf(msg, sizeof msg, "Invalid State Machine Definition: '");
  for (size_t i = 0; i < json_array_size(diag) && n < sizeof msg; i++) {
    json_t *d = json_array_get(diag, i);
    const char *loc = json_string_value(json_object_get(d, "location"));
    n += (size_t)snprintf(msg + n, sizeof msg - n, "%s%s: %s at %s", i ? ", " : "",
                          json_string_value(json_object_get(d, "code")),
                          json_string_value(json_object_get(d, "message")), loc ? loc : "null");
  }
  if (n < sizeof msg) snprintf(msg + n, sizeof msg - n, "'");
  return aev__fail(AEV_ERR_INVALID, "InvalidDefinition", "%s", msg);
}

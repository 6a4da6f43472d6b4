/* A Distributed Map's ResultWriter (the guide's "ResultWriter (Map)"): its
 * children's results shaped by WriterConfig's Transformation (COMPACT:
 * their outputs; NONE: each child's record, ExecutionArn, Input, Output,
 * Status, dates ...; FLATTEN: outputs with arrays spliced in; a failed
 * child's is always its record) and, with s3:putObject, exported to the
 * broker's S3 stand-in (core/s3_objects.h) as the guide lays them out:
 * PREFIX/<map run id>/SUCCEEDED_0.json and FAILED_0.json (an array, or
 * JSON Lines with OutputType JSONL) and manifest.json listing them, the
 * state's output then {"MapRunArn", "ResultWriterDetails": {"Bucket",
 * "Key"}} (recorded against AWS: test_map_state_result_writer). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_dump.h"
#include "core/s3_objects.h"
#include "core/status.h"
#include "machine/exec_int.h"
#include "machine/sdk_error.h"

static json_t *date(int64_t ms) {
  char t[32];
  aev__iso8601_format(ms, t);
  return json_string(t);
}

/* The record of slot's child, as the guide shows an exported one: {} for
 * a child that left its machine's retention; NULL out of memory. */
static json_t *record(m_run *p, size_t slot) {
  aev_execution *kid;
  const char *arn = p->mr->kids[slot].arn;
  if (!arn || aev__execution_find(p->e->b, arn, &kid)) return json_object(); /* left the retention */
  pthread_mutex_lock(&kid->mu);
  const int ok = kid->status == AEV_EXECUTION_SUCCEEDED;
  static const char *const statuses[] = {"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"};
  const char *why = aev__exec_not_redrivable(kid, aev__clock_now_ms(aev__broker_clock(p->e->b)));
  json_t *v = json_pack("{s:s,s:s,s:{s:b},s:s,s:i,s:s,s:o,s:s,s:s,s:o}", "ExecutionArn", kid->arn, "Input",
                        kid->input ? kid->input : "", "InputDetails", "Included", 1, "Name", kid->name,
                        "RedriveCount", kid->redrives, "RedriveStatus",
                        ok ? "NOT_REDRIVABLE" : "REDRIVABLE_BY_MAP_RUN", "StartDate", date(kid->start_ms),
                        "StateMachineArn", kid->m->res.arn, "Status",
                        kid->status >= 0 && kid->status < 5 ? statuses[kid->status] : "FAILED", "StopDate",
                        date(kid->stop_ms));
  int lost = !v;
  if (v && ok)
    lost = json_object_set_new(v, "Output", json_string(kid->output ? kid->output : "null")) ||
           json_object_set_new(v, "OutputDetails", json_pack("{s:b}", "Included", 1)) ||
           (why && json_object_set_new(v, "RedriveStatusReason", json_string(why)));
  if (v && !ok && !lost)
    lost = (kid->error && json_object_set_new(v, "Error", json_string(kid->error))) ||
           (kid->cause && json_object_set_new(v, "Cause", json_string(kid->cause)));
  pthread_mutex_unlock(&kid->mu);
  aev_execution_release(kid);
  if (lost) json_decref(v);
  return lost ? NULL : v;
}

/* Appends slot's result, shaped by transform, to out; -1 out of memory. */
static int shape(m_run *p, int transform, size_t slot, json_t *result, json_t *out) {
  const int ok = p->mr->kids[slot].ok;
  if (!ok || transform == M_TRANSFORM_NONE) return json_array_append_new(out, record(p, slot));
  if (transform == M_TRANSFORM_FLATTEN && json_is_array(result)) return json_array_extend(out, result);
  return json_array_append(out, result);
}

/* results as WriterConfig shapes them: one array, or (split) the
 * succeeded children's in ok and the others' in failed. */
static int shaped(m_run *p, int transform, json_t *results, json_t *ok, json_t *failed) {
  for (size_t i = 0; i < json_array_size(results); i++)
    if (shape(p, transform, i, json_array_get(results, i), failed && !p->mr->kids[i].ok ? failed : ok)) return -1;
  return 0;
}

/* The text of a results file: a JSON array, or JSON Lines. */
static char *file_text(json_t *v, int jsonl) {
  if (!jsonl) return aev__json_dumps(v, JSON_COMPACT);
  size_t n = 0, cap = 256;
  char *out = malloc(cap);
  for (size_t i = 0; out && i < json_array_size(v); i++) {
    char *line = aev__json_dumps(json_array_get(v, i), JSON_COMPACT | JSON_ENCODE_ANY);
    const size_t l = line ? strlen(line) : 0;
    char *grown = line && n + l + 2 > cap ? realloc(out, cap = 2 * (n + l + 2)) : out;
    if (!line || !grown) {
      free(line);
      free(grown == out ? out : grown);
      return NULL;
    }
    out = grown;
    memcpy(out + n, line, l);
    n += l;
    out[n++] = '\n';
    free(line);
  }
  if (out) out[n] = 0;
  return out;
}

/* Writes one results file (when there are results) and lists it in
 * files; -1 with *rc on failure. */
static int put_file(m_run *p, const char *bucket, const char *dir, const char *name, json_t *v, int jsonl,
                    json_t *files, int *rc) {
  if (!json_array_size(v)) return 0;
  char *key = NULL, *text = file_text(v, jsonl);
  if (!text || asprintf(&key, "%s%s", dir, name) < 0) key = NULL;
  *rc = !text || !key ? aev__nomem() : aev__s3_put(bucket, key, text, strlen(text), aev_broker_now_ms(p->e->b));
  if (!*rc && json_array_append_new(files, json_pack("{s:s,s:I}", "Key", key, "Size", (json_int_t)strlen(text))))
    *rc = aev__nomem();
  free(text);
  free(key);
  return *rc ? -1 : 0;
}

/* The export: the files and the manifest under PREFIX/<map run id>/; the
 * state's output in *out. 1 with *cause when S3 refused. */
static int export(m_run *p, json_t *req, json_t *results, json_t **out, char **cause) {
  const m_state *s = aev__run_state(p);
  const char *bucket = json_string_value(json_object_get(req, "Bucket")),
             *prefix = json_string_value(json_object_get(req, "Prefix")), *id = strrchr(p->mr->arn, ':') + 1;
  if (!bucket) {
    *cause = strdup("The S3 request's Bucket must be a string");
    return 1;
  }
  prefix = prefix ? prefix : "";
  const size_t pl = strlen(prefix);
  char *dir = NULL, *manifest_key = NULL;
  json_t *ok = json_array(), *failed = json_array(),
         *manifest = json_pack("{s:s,s:s,s:{s:[],s:[],s:[]}}", "DestinationBucket", bucket, "MapRunArn",
                               p->mr->arn, "ResultFiles", "FAILED", "PENDING", "SUCCEEDED");
  json_t *files = json_object_get(manifest, "ResultFiles");
  int rc = AEV_OK;
  if (!ok || !failed || !manifest || shaped(p, s->writer_transform, results, ok, failed) ||
      asprintf(&dir, "%s%s%s/", prefix, pl && prefix[pl - 1] != '/' ? "/" : "", id) < 0 ||
      asprintf(&manifest_key, "%smanifest.json", dir) < 0)
    rc = aev__nomem();
  char *text = NULL;
  if (!rc && !put_file(p, bucket, dir, "SUCCEEDED_0.json", ok, s->writer_jsonl, json_object_get(files, "SUCCEEDED"), &rc) &&
      !put_file(p, bucket, dir, "FAILED_0.json", failed, s->writer_jsonl, json_object_get(files, "FAILED"), &rc)) {
    text = aev__json_dumps(manifest, JSON_COMPACT);
    rc = text ? aev__s3_put(bucket, manifest_key, text, strlen(text), aev_broker_now_ms(p->e->b))
             : aev__nomem();
  }
  if (!rc && !(*out = json_pack("{s:s,s:{s:s,s:s}}", "MapRunArn", p->mr->arn, "ResultWriterDetails", "Bucket",
                                 bucket, "Key", manifest_key)))
    rc = aev__nomem();
  if (rc && rc != AEV_ERR_NOMEM) {
    char error[128];
    aev__sdk_v2_error(p->e->b, "s3", aev_errcode(), aev_errmsg(), error, sizeof error, cause);
  }
  free(text);
  free(dir);
  free(manifest_key);
  json_decref(ok);
  json_decref(failed);
  json_decref(manifest);
  return rc ? 1 : 0;
}

int aev__writer_result(m_run *p, json_t *results, json_t **out, char **cause) {
  const m_state *s = aev__run_state(p);
  *out = NULL;
  *cause = NULL;
  if (!s->writer_export) {
    json_t *v = json_array();
    if (v && shaped(p, s->writer_transform, results, v, NULL)) json_decref(v);
    else *out = v;
    return *out ? 0 : 1;
  }
  json_t *req;
  if (s->j_writer_args) {
    req = aev__jq_value(p, s->j_writer_args);
  } else {
    aev__jenv env;
    aev__run_env(p, &env, p->effective);
    if (!(req = aev__tmpl_eval(s->writer_params, &env))) aev__run_fail_env(p, &env);
  }
  if (!req) return -1;
  int rc = export(p, req, results, out, cause);
  json_decref(req);
  return rc;
}

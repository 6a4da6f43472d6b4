/* ListEventSourceMappings and UpdateEventSourceMapping for stream mappings
 * (the functions primitive answers both for queue mappings and hands the
 * stream side here). A listing describes each mapping through
 * aev__stream_mapping_get. An update is checked as Lambda checks it,
 * answered at once with the new settings and State "Updating" (or
 * "Enabling" / "Disabling"), as Lambda answers, and applied by a task on
 * the mapping's strand, where its pump reads the settings, so no batch
 * sees half an update. Fields the API
 * side reads change under the stream's lock as well. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/json_build.h"
#include "core/status.h"
#include "function/function.h"
#include "stream/mapping.h"
#include "stream/mapping_impl.h"

/* Calls fn(m, ctx) for every mapping of the broker's streams, under the
 * mapping's stream lock, until fn returns non-zero. NOMEM when the streams
 * cannot be listed. */
static int each_mapping(aev_broker *b, int (*fn)(aev__mapping *, void *),
                        void *ctx) {
  aev__resource **all;
  size_t n;
  int rc = aev__registry_list(b, AEV__KIND_STREAM, NULL, &all, &n);
  if (rc != AEV_OK) return rc;
  int stop = 0;
  for (size_t i = 0; i < n && !stop; i++) {
    aev_stream *s = (aev_stream *)all[i];
    pthread_mutex_lock(&s->mu);
    for (aev__mapping *m = s->mappings; m && !stop; m = m->next)
      stop = fn(m, ctx);
    pthread_mutex_unlock(&s->mu);
  }
  aev__registry_list_free(all, n);
  return AEV_OK;
}

/* ---- ListEventSourceMappings ---- */

typedef struct listing {
  const char *function_arn, *source_arn; /* filters, or NULL */
  char (*uuids)[AEV_UUID_LEN + 1];
  size_t n, cap;
  int oom;
} listing;

static int collect(aev__mapping *m, void *ctx) {
  listing *l = ctx;
  if ((l->function_arn && strcmp(m->function_arn, l->function_arn)) ||
      (l->source_arn && strcmp(aev__mapping_source_arn(m), l->source_arn)))
    return 0;
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 8;
    void *p = realloc(l->uuids, cap * sizeof *l->uuids);
    if (!p) {
      l->oom = 1;
      return 1;
    }
    l->uuids = p;
    l->cap = cap;
  }
  memcpy(l->uuids[l->n++], m->uuid, sizeof *l->uuids);
  return 0;
}

int aev__stream_mapping_list(aev_broker *b, const char *function_arn,
                             const char *source_arn, json_t *out) {
  listing l = {.function_arn = function_arn, .source_arn = source_arn};
  int rc = each_mapping(b, collect, &l);
  if (rc == AEV_OK && l.oom) rc = aev__nomem();
  for (size_t i = 0; rc == AEV_OK && i < l.n; i++) {
    json_t *desc;
    rc = aev__stream_mapping_get(b, l.uuids[i], &desc);
    if (rc == AEV_OK && json_array_append_new(out, desc)) rc = aev__nomem();
    /* One deleted meanwhile is simply not listed. */
    if (rc == AEV_ERR_NOT_FOUND) rc = AEV_OK;
  }
  free(l.uuids);
  return rc;
}

/* ---- UpdateEventSourceMapping ---- */

/* The settings an update leaves the mapping with. */
typedef struct change {
  const char *uuid;
  aev__mapping *m; /* counted */
  int batch_size, window_s, max_retries, max_age_s, bisect, report_failures;
  int tumbling_s, factor;
  int enabled;                  /* Enabled given: 0 or 1; else -1 */
  char *function_arn;           /* new, or NULL */
  char *on_failure;             /* with on_failure_given: NULL clears */
  int on_failure_given;
  json_t *filters;              /* with filters_given: NULL clears */
  aev_pattern *patterns[5];
  int npatterns, filters_given;
  int64_t modified_ms;
} change;

static int find_ref(aev__mapping *m, void *ctx) {
  change *c = ctx;
  if (strcmp(m->uuid, c->uuid)) return 0;
  m->refs++;
  c->m = m;
  c->batch_size = m->batch_size;
  c->window_s = m->window_s;
  c->tumbling_s = m->tumbling_s;
  c->factor = m->factor;
  c->max_retries = m->max_retries;
  c->max_age_s = m->max_age_s;
  c->bisect = m->bisect;
  c->report_failures = m->report_failures;
  return 1;
}

static void change_free(change *c) {
  free(c->function_arn);
  free(c->on_failure);
  json_decref(c->filters);
  for (int i = 0; i < c->npatterns; i++) aev_pattern_free(c->patterns[i]);
  if (c->m) aev__mapping_unref(c->m);
  free(c);
}

/* The integer members an update may carry, with Lambda's ranges for
 * Kinesis sources. */
static int integers(json_t *req, change *c) {
  static const struct {
    const char *name, *member;
    long long min, max;
    size_t at;
  } f[] = {
      {"BatchSize", "batchSize", 1, 10000, offsetof(change, batch_size)},
      {"MaximumBatchingWindowInSeconds", "maximumBatchingWindowInSeconds", 0,
       300, offsetof(change, window_s)},
      {"MaximumRetryAttempts", "maximumRetryAttempts", -1, 10000,
       offsetof(change, max_retries)},
      {"MaximumRecordAgeInSeconds", "maximumRecordAgeInSeconds", -1, 604800,
       offsetof(change, max_age_s)},
      {"TumblingWindowInSeconds", "tumblingWindowInSeconds", 0, 900,
       offsetof(change, tumbling_s)},
      {"ParallelizationFactor", "parallelizationFactor", 1, 10,
       offsetof(change, factor)},
  };
  for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
    int rc = aev__mapping_range(req, f[i].name, f[i].member, f[i].min,
                                f[i].max, (int *)((char *)c + f[i].at));
    if (rc != AEV_OK) return rc;
  }
  return aev__mapping_record_age_check(c->max_age_s);
}

static int parse(aev_broker *b, json_t *req, change *c) {
  int rc = integers(req, c);
  if (rc != AEV_OK) return rc;
  json_t *v;
  c->enabled = -1;
  if ((rc = aev__mapping_flag(req, "Enabled", &c->enabled)) ||
      (rc = aev__mapping_flag(req, "BisectBatchOnFunctionError", &c->bisect)) ||
      (rc = aev__mapping_response_types(req, &c->report_failures)))
    return rc;
  if ((v = json_object_get(req, "DestinationConfig"))) {
    const char *dest = json_string_value(json_object_get(
        json_object_get(v, "OnFailure"), "Destination"));
    if (dest && (rc = aev__mapping_check_destination(dest))) return rc;
    c->on_failure_given = 1;
    if (dest && !(c->on_failure = strdup(dest))) return aev__nomem();
  }
  if ((v = json_object_get(req, "FilterCriteria")) && !json_is_null(v)) {
    if ((rc = aev__fn_filter_criteria(v, c->patterns, &c->npatterns)))
      return rc;
    c->filters_given = 1;
    if (json_array_size(json_object_get(v, "Filters")))
      c->filters = json_deep_copy(v);
  }
  const char *fname = json_string_value(json_object_get(req, "FunctionName"));
  return fname ? aev__function_target_arn(b, fname, &c->function_arn)
               : AEV_OK;
}

/* On the mapping's strand: the new settings take effect between batches. */
static void apply(void *arg, int cancelled) {
  change *c = arg;
  aev__mapping *m = c->m;
  if (!cancelled && !m->deleted) {
    pthread_mutex_lock(&m->s->mu);
    m->batch_size = c->batch_size;
    m->window_s = c->window_s;
    m->max_retries = c->max_retries;
    m->max_age_s = c->max_age_s;
    m->factor = c->factor; /* each shard takes it between batches */
    m->bisect = c->bisect;
    m->report_failures = c->report_failures;
    m->modified_ms = c->modified_ms;
    if (c->enabled >= 0) m->disabled = !c->enabled;
    if (m->tumbling_s != c->tumbling_s) {
      /* Another window length: open windows are dropped with their
       * state, and the next records start fresh windows. */
      m->tumbling_s = c->tumbling_s;
      for (size_t i = 0; i < m->nshards; i++)
        for (int p = 0; m->shards[i].parts && p < m->shards[i].nparts; p++) {
          aev__mpart *part = &m->shards[i].parts[p];
          json_decref(part->state);
          part->state = NULL;
          part->win_open = part->early = 0;
        }
    }
    if (c->function_arn) {
      char *old = m->function_arn;
      m->function_arn = c->function_arn;
      c->function_arn = old; /* freed with the change */
    }
    if (c->on_failure_given) {
      char *old = m->on_failure;
      m->on_failure = c->on_failure;
      c->on_failure = old;
    }
    if (c->filters_given) {
      json_t *old = m->filters;
      m->filters = c->filters;
      c->filters = old;
      aev_pattern *olds[5];
      int nold = m->npatterns;
      memcpy(olds, m->patterns, sizeof olds);
      memcpy(m->patterns, c->patterns, sizeof m->patterns);
      m->npatterns = c->npatterns;
      memcpy(c->patterns, olds, sizeof olds);
      c->npatterns = nold;
    }
    pthread_mutex_unlock(&m->s->mu);
    aev__mapping_wake(m); /* a larger batch or a shorter window may be due */
  }
  change_free(c);
}

/* The description Update answers with: the current one with the changed
 * members over it, State the transition it starts ("Enabling" or
 * "Disabling" when Enabled flips, else "Updating", as Lambda answers). */
static json_t *updated(json_t *desc, const change *c) {
  int whole = !json_object_set_new(desc, "BatchSize", json_integer(c->batch_size));
  whole &= !json_object_set_new(desc, "MaximumBatchingWindowInSeconds",
                                json_integer(c->window_s));
  whole &= !json_object_set_new(desc, "MaximumRetryAttempts", json_integer(c->max_retries));
  whole &= !json_object_set_new(desc, "MaximumRecordAgeInSeconds", json_integer(c->max_age_s));
  whole &= !json_object_set_new(desc, "TumblingWindowInSeconds", json_integer(c->tumbling_s));
  whole &= !json_object_set_new(desc, "ParallelizationFactor", json_integer(c->factor));
  whole &= !json_object_set_new(desc, "BisectBatchOnFunctionError", json_boolean(c->bisect));
  whole &= !json_object_set_new(desc, "FunctionResponseTypes",
                                aev__mapping_response_types_json(c->report_failures));
  if (c->function_arn)
    whole &= !json_object_set_new(desc, "FunctionArn", json_string(c->function_arn));
  if (c->on_failure_given)
    whole &= !json_object_set_new(desc, "DestinationConfig",
                                  aev__mapping_destination_json(c->on_failure));
  if (c->filters_given) {
    if (c->filters)
      whole &= !json_object_set_new(desc, "FilterCriteria", json_deep_copy(c->filters));
    else
      json_object_del(desc, "FilterCriteria");
  }
  whole &= !json_object_set_new(desc, "LastModified",
                                json_real((double)c->modified_ms / 1000.0));
  int was_enabled = !c->m->disabled;
  const char *state = c->enabled < 0 || c->enabled == was_enabled ? "Updating"
                      : c->enabled                                ? "Enabling"
                                                                  : "Disabling";
  whole &= !json_object_set_new(desc, "State", json_string(state));
  return aev__json_whole(desc, whole);
}

int aev__stream_mapping_update(aev_broker *b, json_t *req, json_t **out) {
  const char *uuid = json_string_value(json_object_get(req, "UUID"));
  change *c = calloc(1, sizeof *c);
  if (!c) return aev__nomem();
  c->uuid = uuid;
  int rc = uuid ? each_mapping(b, find_ref, c) : AEV_OK;
  if (rc == AEV_OK && !c->m) rc = aev__mapping_not_found(uuid);
  if (rc != AEV_OK) {
    change_free(c);
    return rc;
  }
  c->modified_ms = aev_broker_now_ms(b);
  json_t *desc = NULL;
  rc = aev__esm_params_check(req, AEV__ESM_STREAM, 1);
  if (rc == AEV_OK) rc = parse(b, req, c);
  if (rc == AEV_OK) rc = aev__stream_mapping_get(b, uuid, &desc);
  if (rc == AEV_OK && !(desc = updated(desc, c))) rc = aev__nomem();
  /* The lookup's reference to the mapping passes to the task. */
  if (rc == AEV_OK)
    rc = aev__sched_post(aev__broker_sched(b), c->m->strand, apply, c);
  if (rc != AEV_OK) {
    json_decref(desc);
    change_free(c);
    return rc;
  }
  *out = desc;
  return AEV_OK;
}

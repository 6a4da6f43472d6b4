/* ItemBatcher (AWS's "Batch input" page): a Map's items, each first
 * through ItemSelector (the ASL specification: the interpreter "then uses
 * the ItemBatcher field to specify how to batch the selected items"),
 * grouped in order into child inputs {"BatchInput": ..., "Items": [...]}
 * of at most MaxItemsPerBatch items and MaxInputBytesPerBatch bytes, 256
 * KiB when not given ("as many items it can process up to 256 KiB in each
 * child workflow execution"). */
#include <stdlib.h>
#include <string.h>

#include "core/json_dump.h"
#include "machine/exec_int.h"

#define BATCH_MAX_BYTES 262144

/* A limit: the number given, its path's or its expression's value (up to
 * max), or 0 (none); -1 when that value is not one (r failed). */
static int limit(m_run *r, int64_t given, const aev__jpath *path, const char *field, const m_jt *expr,
                 int64_t max, json_t *effective, int64_t *out) {
  double v = (double)given;
  if (path && aev__flow_path_number(r, path, effective, field, 0, &v)) return -1;
  if (expr && aev__jq_number(r, expr, 1, 1, (double)max, &v)) return -1;
  *out = (int64_t)v;
  return 0;
}

/* BatchInput, evaluated once on the Map state's input (NULL: none; *lost
 * set when r failed). */
static json_t *batch_input(m_run *r, json_t *effective, int *lost) {
  const m_state *s = aev__run_state(r);
  json_t *v = NULL;
  if (s->j_batch_input) {
    v = aev__jq_value(r, s->j_batch_input);
  } else if (s->batch_input) {
    aev__jenv env;
    aev__run_env(r, &env, effective);
    if (!(v = aev__tmpl_eval(s->batch_input, &env))) aev__run_fail_env(r, &env);
  } else {
    return NULL;
  }
  *lost = !v;
  return v;
}

/* A new batch: {"BatchInput": extra, "Items": []} (extra may be NULL); its
 * Items array in *items. */
static json_t *new_batch(json_t *extra, json_t **items) {
  json_t *b = extra ? json_pack("{s:O}", "BatchInput", extra) : json_object();
  *items = json_array();
  if (!b || !*items) {
    json_decref(b);
    json_decref(*items);
    return NULL;
  }
  if (json_object_set_new(b, "Items", *items)) { /* which released it */
    json_decref(b);
    return NULL;
  }
  return b;
}

/* The bytes of a JSON value as written compactly; 0 out of memory. */
static size_t text_bytes(json_t *v) {
  char *t = aev__json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  size_t n = t ? strlen(t) : 0;
  free(t);
  return n;
}

json_t *aev__flow_batches(m_run *r, json_t *items, json_t *effective) {
  const m_state *s = aev__run_state(r);
  int64_t max_items, max_bytes;
  int lost = 0;
  if (limit(r, s->batch_max_items, s->batch_max_items_path, "MaxItemsPerBatchPath", s->j_batch_max_items,
            INT32_MAX, effective, &max_items) ||
      limit(r, s->batch_max_bytes, s->batch_max_bytes_path, "MaxInputBytesPerBatchPath", s->j_batch_max_bytes,
            BATCH_MAX_BYTES, effective, &max_bytes))
    return NULL;
  if (!max_bytes || max_bytes > BATCH_MAX_BYTES) max_bytes = BATCH_MAX_BYTES;
  json_t *extra = batch_input(r, effective, &lost);
  if (lost) return NULL;
  /* A batch's bytes, as its child's input text: the wrapper, BatchInput
   * and the items with commas between them. */
  const size_t empty = strlen("{\"Items\":[]}") + (extra ? strlen("\"BatchInput\":,") + text_bytes(extra) : 0);
  json_t *out = json_array(), *batch = NULL, *in = NULL;
  size_t bytes = 0;
  lost = !out;
  for (size_t i = 0; !lost && i < json_array_size(items); i++) {
    json_t *item = aev__flow_item_input(r, json_array_get(items, i), i);
    if (!item) {
      json_decref(out);
      json_decref(extra);
      return NULL;
    }
    const size_t n = text_bytes(item);
    lost = !n;
    /* A new batch when this item would pass a limit of the current one
     * (which holds one item at least); an item over the byte limit on its
     * own goes alone (AWS documents no error for it). */
    if (!lost && (!in || (max_items && json_array_size(in) >= (size_t)max_items) ||
                  bytes + 1 + n > (size_t)max_bytes)) {
      lost = !(batch = new_batch(extra, &in)) || json_array_append_new(out, batch);
      bytes = empty - 1; /* the first item has no comma before it */
    }
    if (!lost) {
      bytes += 1 + n;
      lost = json_array_append(in, item);
    }
    json_decref(item);
  }
  json_decref(extra);
  if (lost) {
    json_decref(out);
    aev__run_oom(r);
    return NULL;
  }
  return out;
}

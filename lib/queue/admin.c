/* Queue administration: Get/SetQueueAttributes, tags, ListQueues and
 * ListDeadLetterSourceQueues (with opaque paging tokens). */
#include <stdlib.h>
#include <string.h>

#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/registry.h"
#include "core/status.h"
#include "core/tags.h"
#include "queue/attrs.h"
#include "queue/b64.h"
#include "queue/queue.h"


static int known_name(const char *n) {
  for (size_t i = 0; aev__qattr_names[i]; i++)
    if (!strcmp(aev__qattr_names[i], n)) return 1;
  return 0;
}

int aev__queue_get_attributes(aev_queue *q, json_t *names, json_t **out) {
  int rc = aev__queue_check(q);
  if (rc != AEV_OK) return rc;
  if (names && !json_is_array(names))
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "AttributeNames must be a list of attribute names.");
  int all = !names;
  size_t i;
  json_t *v;
  json_array_foreach(names, i, v) {
    const char *n = json_string_value(v);
    if (n && !strcmp(n, "All")) all = 1;
    else if (!n || !known_name(n))
      return aev__fail(AEV_ERR_INVALID, "InvalidAttributeName",
                       "Unknown Attribute %s.", n ? n : "");
  }
  json_t *map = json_object();
  if (!map) return aev__nomem();
  int failed = 0;
  aev__queue_lock(q);
  for (size_t k = 0; aev__qattr_names[k] && !failed; k++) {
    const char *n = aev__qattr_names[k];
    int wanted = all;
    json_array_foreach(names, i, v) wanted |= !strcmp(json_string_value(v), n);
    char buf[AEV__QATTR_NUM];
    const char *val = wanted ? aev__qattr_text(q, &q->conf, n, buf) : NULL;
    if (val) failed = json_object_set_new(map, n, json_string(val)) != 0;
  }
  pthread_mutex_unlock(&q->mu);
  if (failed) {
    json_decref(map);
    return aev__nomem();
  }
  *out = map;
  return AEV_OK;
}

int aev__queue_set_attributes(aev_queue *q, json_t *attrs) {
  int rc = aev__queue_check(q);
  if (rc != AEV_OK) return rc;
  aev__qconf next;
  aev__queue_lock(q);
  rc = aev__qconf_copy(&next, &q->conf);
  pthread_mutex_unlock(&q->mu);
  if (rc != AEV_OK) return rc;
  /* Validated without the lock: RedrivePolicy looks its target up. */
  rc = aev__qconf_apply(q->res.broker, &next, attrs, 0, q->res.arn);
  if (rc == AEV_OK) {
    aev__queue_lock(q);
    aev__qconf old = q->conf;
    q->conf = next;
    q->modified_s = aev__queue_now_ms(q) / 1000;
    aev__queue_wake(q); /* a shorter delay or wait may matter to receivers */
    pthread_mutex_unlock(&q->mu);
    aev__qconf_free(&old);
  } else {
    aev__qconf_free(&next);
  }
  return rc;
}

/* what: the request member the text stands for. */
static int parse_json(const char *text, const char *what, json_t **out) {
  int rc = aev__json_parse_str(text, JSON_ALLOW_NUL, out);
  if (rc == AEV_ERR_INVALID)
    aev__fail(AEV_ERR_INVALID, "InvalidParameterValue", "%s is not valid JSON.",
              what);
  if (rc == AEV_OK && (rc = aev__sqs_refuse_nul(what, *out)) != AEV_OK) {
    json_decref(*out);
    *out = NULL;
  }
  return rc;
}

int aev_queue_get_attributes(aev_queue *q, const char *names_json,
                             char **attributes_json) {
  if (!attributes_json) return aev__sqs_no_argument();
  json_t *names = NULL, *map;
  int rc = names_json ? parse_json(names_json, "AttributeNames", &names) : AEV_OK;
  if (rc != AEV_OK) return rc;
  rc = aev__queue_get_attributes(q, names, &map);
  json_decref(names);
  if (rc != AEV_OK) return rc;
  *attributes_json = aev__json_dumps(map, JSON_COMPACT);
  json_decref(map);
  return *attributes_json ? AEV_OK : aev__nomem();
}

int aev_queue_set_attributes(aev_queue *q, const char *attributes_json) {
  json_t *attrs;
  int rc = parse_json(attributes_json, "Attributes", &attrs);
  if (rc != AEV_OK) return rc;
  rc = aev__queue_set_attributes(q, attrs);
  json_decref(attrs);
  return rc;
}

/* ---- tags ---- */

static int too_many_tags(const char *queue) {
  return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                   "Too many tags added for queue %s.", queue);
}

int aev__queue_tags_check(const json_t *tags, const char *queue) {
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)tags, k, v) {
    /* Lengths in characters, not bytes (SQS quotas related to queues). */
    if (!aev__tag_fits(k, v))
      return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                       "Tag keys must be 1 to 128 characters and values at "
                       "most 256 characters.");
  }
  return json_object_size(tags) > AEV__TAGS_MAX ? too_many_tags(queue) : AEV_OK;
}

int aev_queue_tag(aev_queue *q, const char *tags_json) {
  int rc = aev__queue_check(q);
  if (rc != AEV_OK) return rc;
  json_t *tags;
  rc = parse_json(tags_json, "Tags", &tags);
  if (rc != AEV_OK) return rc;
  rc = aev__queue_tag_json(q, tags);
  json_decref(tags);
  return rc;
}

int aev__queue_tag_json(aev_queue *q, json_t *tags) {
  int rc = aev__queue_tags_check(tags, q->res.name);
  if (rc != AEV_OK) return rc;
  json_t *merged = NULL;
  aev__queue_lock(q);
  rc = aev__tags_merged(q->tags, tags, AEV__TAGS_MAX, &merged);
  if (rc == AEV_OK) {
    json_decref(q->tags);
    q->tags = merged;
  }
  pthread_mutex_unlock(&q->mu);
  if (rc == AEV_ERR_LIMIT) return too_many_tags(q->res.name);
  return rc ? aev__nomem() : AEV_OK;
}

int aev_queue_untag(aev_queue *q, const char *keys_json) {
  int rc = aev__queue_check(q);
  if (rc != AEV_OK) return rc;
  json_t *keys;
  rc = parse_json(keys_json, "TagKeys", &keys);
  if (rc != AEV_OK) return rc;
  size_t i;
  json_t *v;
  aev__queue_lock(q);
  json_array_foreach(keys, i, v) {
    if (json_is_string(v)) json_object_del(q->tags, json_string_value(v));
  }
  pthread_mutex_unlock(&q->mu);
  json_decref(keys);
  return AEV_OK;
}

int aev_queue_list_tags(aev_queue *q, char **tags_json) {
  int rc = aev__queue_check(q);
  if (rc != AEV_OK) return rc;
  if (!tags_json) return aev__sqs_no_argument();
  aev__queue_lock(q);
  *tags_json = aev__json_dumps(q->tags, JSON_COMPACT);
  pthread_mutex_unlock(&q->mu);
  return *tags_json ? AEV_OK : aev__nomem();
}

/* ---- listing ---- */

int aev__queue_targets_dlq(aev_queue *q, const char *dlq_arn) {
  aev__queue_lock(q);
  int yes = q->conf.dlq_arn && !strcmp(q->conf.dlq_arn, dlq_arn);
  pthread_mutex_unlock(&q->mu);
  return yes;
}

/* Pages through sorted queues: the token is the base64 of the first name of
 * the next page. dlq_arn selects ListDeadLetterSourceQueues. */
static int list(aev_broker *b, const char *prefix, const char *dlq_arn,
                int max_results, const char *next_token, char **out) {
  if (!b || !out) return aev__sqs_no_argument();
  if (max_results < 0 || max_results > 1000)
    return aev__sqs_invalid_int("MaxResults", max_results,
                                "MaxResults must be an integer between 1 and "
                                "1000.");
  char start[128] = "";
  if (next_token && *next_token) {
    size_t tl = strlen(next_token);
    uint8_t buf[128];
    long n = tl < 160 ? aev__qb64_decode(next_token, tl, buf) : -1;
    if (n <= 0 || n >= (long)sizeof start)
      return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                       "Invalid NextToken value.");
    memcpy(start, buf, (size_t)n);
    start[n] = '\0';
  }
  aev__resource **all;
  size_t n;
  int rc = aev__registry_list(b, AEV__KIND_QUEUE, prefix, &all, &n);
  if (rc != AEV_OK) return rc;
  json_t *urls = json_array(), *resp = json_object();
  int failed = !urls || !resp;
  size_t limit = max_results ? (size_t)max_results : 1000, taken = 0;
  const char *more = NULL;
  for (size_t i = 0; i < n && !failed; i++) {
    aev_queue *q = (aev_queue *)all[i];
    if (strcmp(q->res.name, start) < 0) continue;
    if (dlq_arn && !aev__queue_targets_dlq(q, dlq_arn)) continue;
    if (taken == limit) {
      more = q->res.name;
      break;
    }
    failed = json_array_append_new(urls, json_string(q->url)) != 0;
    taken++;
  }
  if (!failed && dlq_arn) failed = json_object_set(resp, "queueUrls", urls) != 0;
  else if (!failed && taken) failed = json_object_set(resp, "QueueUrls", urls) != 0;
  if (!failed && more && max_results) {
    char tok[180];
    aev__qb64_encode((const uint8_t *)more, strlen(more), tok);
    failed = json_object_set_new(resp, "NextToken", json_string(tok)) != 0;
  }
  aev__registry_list_free(all, n);
  json_decref(urls);
  *out = failed ? NULL : aev__json_dumps(resp, JSON_COMPACT);
  json_decref(resp);
  return *out ? AEV_OK : aev__nomem();
}

int aev_queue_list(aev_broker *b, const char *prefix, int max_results,
                   const char *next_token, char **response_json) {
  return list(b, prefix, NULL, max_results, next_token, response_json);
}

int aev_queue_list_dead_letter_sources(aev_queue *q, int max_results,
                                       const char *next_token,
                                       char **response_json) {
  int rc = aev__queue_check(q);
  if (rc != AEV_OK) return rc;
  return list(q->res.broker, NULL, q->res.arn, max_results, next_token,
              response_json);
}

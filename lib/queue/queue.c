/* Queue lifecycle: CreateQueue (name rules, idempotency), lookup, DeleteQueue,
 * PurgeQueue, handles, and the clock/wake helpers the other files share. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/broker.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "queue/attrs.h"
#include "queue/queue.h"

int64_t aev__queue_now_mono(const aev_queue *q) {
  return aev__clock_mono_ms(aev__broker_clock(q->res.broker));
}

int64_t aev__queue_now_ms(const aev_queue *q) {
  return aev__clock_now_ms(aev__broker_clock(q->res.broker));
}

int aev__queue_check(const aev_queue *q) {
  if (!q) return aev__sqs_no_argument();
  if (!q->res.deleted) return AEV_OK;
  int rc = aev__broker_check_open(q->res.broker);
  return rc != AEV_OK ? rc : aev__sqs_no_queue();
}

void aev__queue_wake(aev_queue *q) {
  if (q->waiters) pthread_cond_broadcast(&q->cv);
  if (q->watches) aev__queue_watch_notify_locked(q);
}

void aev__queue_signal(aev_queue *q) { pthread_cond_signal(&q->cv); }

/* Pauses between tries, doubling, up to glibc's default adaptive spin
 * count (mutex_spin_count, 100), then sleeps in the kernel: 5-10x fewer
 * futex calls with one producer and one consumer thread than sleeping at
 * once. */
#define LOCK_SPIN 100

void aev__queue_lock_contended(aev_queue *q) {
  for (unsigned pauses = 1, spent = 0; spent + pauses <= LOCK_SPIN; spent += pauses, pauses *= 2) {
    for (unsigned i = 0; i < pauses; i++) aev__cpu_relax();
    if (pthread_mutex_trylock(&q->mu) == 0) return;
  }
  pthread_mutex_lock(&q->mu);
}

static int name_ok(const char *name, int *fifo_suffix) {
  size_t len = strlen(name);
  *fifo_suffix = len > 5 && strcmp(name + len - 5, ".fifo") == 0;
  size_t base = *fifo_suffix ? len - 5 : len;
  if (len == 0 || len > 80) return 0;
  for (size_t i = 0; i < base; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return 0;
  }
  return 1;
}

static void queue_destroy(aev__resource *r) {
  aev_queue *q = (aev_queue *)r;
  aev__move_tasks_free(q);
  aev__store_free(q);
  aev__msg_packs_free(q);
  aev__recv_slab_free(q);
  aev__fifo_free(q);
  aev__attempts_free(q);
  aev__qconf_free(&q->conf);
  json_decref(q->tags);
  pthread_cond_destroy(&q->cv);
  pthread_mutex_destroy(&q->mu);
  free(q->url);
  free(q);
}

/* DeleteQueue or broker shutdown: later calls fail and blocked receivers
 * return at once. */
static void queue_shutdown(aev__resource *r) {
  aev_queue *q = (aev_queue *)r;
  aev__queue_lock(q);
  q->res.deleted = 1;
  pthread_cond_broadcast(&q->cv);
  pthread_mutex_unlock(&q->mu);
  aev__move_tasks_shutdown(q);
}

static int init_sync(aev_queue *q) {
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  int rc = pthread_cond_init(&q->cv, &ca);
  pthread_condattr_destroy(&ca);
  if (rc) return aev__nomem();
  /* A default mutex, spun for by aev__queue_lock when taken. */
  if (pthread_mutex_init(&q->mu, NULL)) {
    pthread_cond_destroy(&q->cv);
    return aev__nomem();
  }
  return AEV_OK;
}

/* CreateQueue on an existing name: equal values for every given attribute
 * return the queue; the first different one is QueueNameExists. */
static int compare_existing(aev_queue *q, json_t *attrs) {
  aev__qconf want;
  aev__queue_lock(q);
  int rc = aev__qconf_copy(&want, &q->conf);
  pthread_mutex_unlock(&q->mu);
  if (rc != AEV_OK) return rc;
  rc = aev__qconf_apply(q->res.broker, &want, attrs, 1, q->res.arn);
  const char *name;
  json_t *v;
  if (rc == AEV_OK && attrs) {
    aev__queue_lock(q);
    json_object_foreach(attrs, name, v) {
      char have_buf[AEV__QATTR_NUM], asked_buf[AEV__QATTR_NUM];
      const char *have = aev__qattr_text(q, &q->conf, name, have_buf);
      const char *asked = aev__qattr_text(q, &want, name, asked_buf);
      int same = have && asked ? !strcmp(have, asked) : have == asked;
      if (!same) {
        rc = aev__fail(AEV_ERR_EXISTS, "QueueNameExists",
                       "A queue already exists with the same name and a "
                       "different value for attribute %s",
                       name);
        break;
      }
    }
    pthread_mutex_unlock(&q->mu);
  }
  aev__qconf_free(&want);
  return rc;
}

/* CreateQueue found the queue: it is the answer when attrs agree, with
 * tags merged. Takes over the reference to found. */
static int take_existing(aev__resource *found, json_t *attrs, json_t *tags,
                         aev_queue **out) {
  aev_queue *q = (aev_queue *)found;
  int rc = compare_existing(q, attrs);
  if (rc == AEV_OK && tags) rc = aev__queue_tag_json(q, tags);
  if (rc != AEV_OK) {
    aev__resource_unref(found);
    return rc;
  }
  *out = q;
  return AEV_OK;
}

int aev__queue_create(aev_broker *b, const char *name, json_t *attrs, json_t *tags,
                      aev_queue **out) {
  int rc = aev__broker_check_open(b);
  if (rc != AEV_OK) return rc;
  int suffix;
  if (!name || !*name) return aev__sqs_missing("QueueName");
  if (!name_ok(name, &suffix))
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "Can only include alphanumeric characters, hyphens, or "
                     "underscores. 1 to 80 in length");
  if (attrs && !json_is_object(attrs) && !json_is_null(attrs))
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "Attributes must be a map of attribute names to "
                     "strings.");
  const char *fq = json_string_value(json_object_get(attrs, "FifoQueue"));
  int fifo = fq && !strcasecmp(fq, "true");
  if (suffix != fifo)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "The name of a FIFO queue can only include alphanumeric "
                     "characters, hyphens, or underscores, must end with "
                     ".fifo suffix and be 1 to 80 in length.");

  aev__resource *found = aev__registry_find(b, AEV__KIND_QUEUE, name);
  if (found) return take_existing(found, attrs, tags, out);
  if (aev__registry_removed_recently(b, AEV__KIND_QUEUE, name))
    return aev__fail(AEV_ERR_BUSY, "QueueDeletedRecently",
                     "You must wait 60 seconds after deleting a queue before "
                     "you can create another with the same name.");

  aev_queue *q = calloc(1, sizeof *q);
  if (!q) return aev__nomem();
  if ((rc = init_sync(q)) != AEV_OK) {
    free(q);
    return rc;
  }
  rc = aev__resource_init(&q->res, b, AEV__KIND_QUEUE, name, queue_destroy,
                          queue_shutdown);
  if (rc != AEV_OK) {
    pthread_cond_destroy(&q->cv);
    pthread_mutex_destroy(&q->mu);
    free(q);
    return rc;
  }
  aev__qconf_defaults(&q->conf, fifo);
  q->ready.by_seq = 1;
  q->url = aev__queue_url(b, name);
  q->tags = tags ? json_deep_copy(tags) : json_object();
  q->purged_at = INT64_MIN;
  aev__rng_seed(&q->rng, aev__broker_random(b));
  q->tag = (uint32_t)aev__rng_next(&q->rng);
  /* FIFO sequence numbers are 20-digit decimals on AWS. */
  q->next_seq = 10000000000000000000ULL + (aev__rng_next(&q->rng) % 1000000) * 1000000;
  q->created_s = q->modified_s = aev_broker_now_ms(b) / 1000;
  if (!q->url || !q->tags) rc = aev__nomem();
  if (rc == AEV_OK)
    rc = aev__qconf_apply(b, &q->conf, attrs, 1, q->res.arn);
  if (rc == AEV_OK) {
    aev__resource *existing = NULL;
    rc = aev__registry_add(b, &q->res, &existing);
    if (rc == AEV_ERR_EXISTS) {
      /* Lost a race with another CreateQueue of the same name. */
      aev__resource_unref(&q->res);
      return take_existing(existing, attrs, tags, out);
    }
  }
  if (rc != AEV_OK) {
    aev__resource_unref(&q->res);
    return rc;
  }
  *out = q;
  return AEV_OK;
}

int aev__queue_find(aev_broker *b, const char *name_url_or_arn,
                    aev_queue **out) {
  int rc = aev__broker_check_open(b);
  if (rc != AEV_OK) return rc;
  aev__resource *r = name_url_or_arn
                         ? aev__registry_find(b, AEV__KIND_QUEUE, name_url_or_arn)
                         : NULL;
  if (!r) return aev__sqs_no_queue();
  *out = (aev_queue *)r;
  return AEV_OK;
}

int aev_queue_create(aev_broker *b, const char *name,
                     const char *attributes_json, aev_queue **out) {
  if (!b || !out) return aev__sqs_no_argument();
  json_t *attrs = NULL;
  if (attributes_json && *attributes_json) {
    if (aev__json_parse_str(attributes_json, JSON_ALLOW_NUL, &attrs) == AEV_ERR_NOMEM)
      return AEV_ERR_NOMEM;
    if (!json_is_object(attrs)) {
      json_decref(attrs);
      return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                       "Attributes must be a JSON object of attribute names "
                       "to strings.");
    }
  }
  int rc = attrs ? aev__sqs_refuse_nul("Attributes", attrs) : AEV_OK;
  if (rc == AEV_OK) rc = aev__queue_create(b, name, attrs, NULL, out);
  json_decref(attrs);
  return rc;
}

int aev_queue_get(aev_broker *b, const char *name_url_or_arn, aev_queue **out) {
  if (!b || !out) return aev__sqs_no_argument();
  return aev__queue_find(b, name_url_or_arn, out);
}

void aev_queue_release(aev_queue *q) {
  if (q) aev__resource_unref(&q->res);
}

int aev_queue_delete(aev_queue *q) {
  int rc = aev__queue_check(q);
  if (rc != AEV_OK) return rc;
  if (aev__registry_remove(q->res.broker, &q->res) != AEV_OK)
    return aev__sqs_no_queue();
  /* Messages go now, not when the last handle is released. */
  aev__queue_lock(q);
  aev__store_clear(q);
  aev__dedup_clear(q);
  pthread_mutex_unlock(&q->mu);
  return AEV_OK;
}

int aev_queue_purge(aev_queue *q) {
  int rc = aev__queue_check(q);
  if (rc != AEV_OK) return rc;
  aev__queue_lock(q);
  int64_t now = aev__queue_now_mono(q);
  if (q->purged_at != INT64_MIN && now - q->purged_at < AEV__PURGE_INTERVAL_MS) {
    pthread_mutex_unlock(&q->mu);
    return aev__fail(AEV_ERR_THROTTLED, "PurgeQueueInProgress",
                     "Only one PurgeQueue operation on %s is allowed every 60 "
                     "seconds.",
                     q->res.name);
  }
  q->purged_at = now;
  aev__store_clear(q);
  aev__dedup_clear(q);
  pthread_mutex_unlock(&q->mu);
  return AEV_OK;
}

const char *aev_queue_name(const aev_queue *q) { return q ? q->res.name : NULL; }
const char *aev_queue_url(const aev_queue *q) { return q ? q->url : NULL; }
const char *aev_queue_arn(const aev_queue *q) { return q ? q->res.arn : NULL; }

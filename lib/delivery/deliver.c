/* Delivering a batch to its destination on the handler pool (sinks are
 * user code): an S3-style object in a directory plus the error output, a
 * message per record to a queue or a topic of this broker, or the
 * application's callback. A failed attempt is retried with backoff (1 s doubling to
 * 60 s) until the destination's retry duration has passed since the first
 * attempt; then the batch's records count as failed. At-least-once: a
 * retried batch may reach a sink twice if the first attempt half-worked.
 * A partition's batch goes under its own evaluated prefix. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "awsevents/topic.h"
#include "core/broker.h"
#include "core/json_dump.h"
#include "core/s3_objects.h"
#include "core/status.h"
#include "core/text.h"
#include "delivery/delivery_impl.h"
#include "queue/queue.h"

typedef struct tally {
  size_t ok, dropped, failed;
} tally;

/* The Ok records back to back (the object's body), a new line between
 * two when delimit is set, counting each outcome in the same pass. */
static int body(const aev__batch *bt, int delimit, aev__tbuf *out, tally *t) {
  *t = (tally){0};
  if (bt->bytes && !bt->transformed) /* untransformed: the size is known */
    aev__tbuf_reserve(out, bt->bytes + (delimit ? bt->n : 0) + 1);
  aev__tbuf_put(out, "", 0);
  for (const aev__frec *r = bt->head; r; r = r->next) {
    if (r->result == AEV__FH_DROPPED) t->dropped++;
    if (r->result == AEV__FH_FAILED) t->failed++;
    if (r->result != AEV__FH_OK) continue;
    if (delimit && t->ok) aev__tbuf_put(out, "\n", 1);
    aev__tbuf_put(out, (const char *)r->data, r->len);
    t->ok++;
  }
  return out->failed ? -1 : 0;
}

/* AWS's error records of the failed records whose error output type is
 * type, one JSON object a line; rawData is the record as it arrived. */
static int error_lines(aev_delivery *d, const aev__fh_settings *set,
                       const aev__batch *bt, const char *type, aev__tbuf *out) {
  int64_t now = aev__fh_now_ms(d);
  for (const aev__frec *r = bt->head; r; r = r->next) {
    if (r->result != AEV__FH_FAILED) continue;
    const char *code = r->error_code ? r->error_code : "Lambda.ProcessingFailed";
    if (strcmp(aev__fh_error_type(code), type)) continue;
    char *raw = NULL;
    if (aev__base64_encode(r->raw, r->raw_len, &raw) != AEV_OK)
      return -1;
    json_t *j = json_pack("{s:i, s:I, s:s, s:s, s:I, s:s}", "attemptsMade", r->attempts,
                          "arrivalTimestamp", (json_int_t)r->arrival_ms, "errorCode", code,
                          "errorMessage", r->error_msg ? r->error_msg : "",
                          "attemptEndingTimestamp", (json_int_t)now, "rawData", raw);
    free(raw);
    /* The function's ARN goes with the transform's errors only. */
    if (j && !strncmp(code, "Lambda.", 7))
      json_object_set_new(j, "lambdaArn", json_string(set->lambda_arn ? set->lambda_arn : ""));
    char *line = aev__json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!line) return -1;
    aev__tbuf_puts(out, line);
    aev__tbuf_put(out, "\n", 1);
    free(line);
  }
  return out->failed ? -1 : 0;
}

/* Writes the object key of the destination's directory, stamped with the
 * broker clock's now. */
static int put(aev_delivery *d, const aev__fh_settings *set, const char *key, const char *p,
               size_t n) {
  return aev__s3_write_file(set->dir, key, p, n, aev_broker_now_ms(d->res.broker));
}

/* The object's body in the destination's CompressionFormat. */
static int write_body(aev_delivery *d, const aev__fh_settings *set, const aev__batch *bt,
                      const aev__tbuf *ok) {
  if (set->compression == AEV__FH_COMPRESS_NONE)
    return put(d, set, bt->key, ok->p, ok->n);
  char entry[AEV_UUID_LEN + 1] = "";
  if (set->compression == AEV__FH_COMPRESS_ZIP) aev__fh_uuid(d, entry);
  aev__tbuf packed = {0};
  int rc = aev__fh_compress(set->compression, ok->p, ok->n, entry, bt->oldest_ms, &packed);
  if (!rc) rc = put(d, set, bt->key, packed.p, packed.n);
  free(packed.p);
  return rc;
}

/* A partition's batch: one object under the partition's prefix, its
 * records or, for the error output, their error records. */
static int to_partition(aev_delivery *d, const aev__fh_settings *set, aev__batch *bt,
                        const aev__tbuf *ok) {
  const aev__fpart *p = bt->part;
  if (!bt->key) {
    char *prefix = aev__fh_fill_random(d, p->prefix);
    char *name = aev__fh_object_name(d, bt->oldest_ms);
    const char *ext = p->error_type ? ""
                      : set->file_extension ? set->file_extension
                                            : aev__fh_compression_extension(set->compression);
    if (prefix && name && asprintf(&bt->key, "%s%s%s", prefix, name, ext) < 0) bt->key = NULL;
    free(prefix);
    free(name);
    if (!bt->key) return -1;
  }
  if (!p->error_type) return write_body(d, set, bt, ok);
  aev__tbuf err = {0};
  int rc = error_lines(d, set, bt, p->error_type, &err) ? -1 : put(d, set, bt->key, err.p, err.n);
  free(err.p);
  return rc;
}

static int to_s3(aev_delivery *d, const aev__fh_settings *set, aev__batch *bt,
                 const aev__tbuf *ok, const tally *t) {
  if (bt->part) return to_partition(d, set, bt, ok);
  size_t n_ok = t->ok;
  if (!bt->key) {
    char *prefix = aev__fh_prefix(d, set->prefix, bt->oldest_ms, NULL);
    char *name = aev__fh_object_name(d, bt->oldest_ms);
    const char *ext = set->file_extension ? set->file_extension
                                          : aev__fh_compression_extension(set->compression);
    if (prefix && name && asprintf(&bt->key, "%s%s%s", prefix, name, ext) < 0)
      bt->key = NULL;
    free(prefix);
    free(name);
    if (!bt->key) return -1;
  }
  if (n_ok && write_body(d, set, bt, ok)) return -1;
  /* One error object for each error output type the batch's failed
   * records have. */
  static const char *const error_types[] = {"processing-failed", "decompression-failed"};
  int rc = 0;
  for (size_t i = 0; t->failed && !rc && i < sizeof error_types / sizeof *error_types; i++) {
    aev__tbuf err = {0};
    rc = error_lines(d, set, bt, error_types[i], &err);
    if (!rc && err.n) {
      char *prefix = aev__fh_prefix(d, set->error_prefix, bt->oldest_ms, error_types[i]);
      char *name = aev__fh_object_name(d, bt->oldest_ms), *key = NULL;
      if (!prefix || !name || asprintf(&key, "%s%s", prefix, name) < 0) key = NULL;
      rc = key ? put(d, set, key, err.p, err.n) : -1;
      free(key);
      free(prefix);
      free(name);
    }
    free(err.p);
  }
  return rc;
}

static int to_queue(aev_delivery *d, const char *queue_arn, aev__batch *bt) {
  aev_queue *q;
  if (aev__queue_find(d->res.broker, queue_arn, &q) != AEV_OK) return -1;
  int rc = 0;
  for (aev__frec *r = bt->head; r && !rc; r = r->next) {
    if (r->result != AEV__FH_OK) continue;
    aev__send_req req = {.body = r->data, .len = r->len, .delay = -1};
    aev__sent sent;
    rc = aev__queue_send(q, &req, &sent) == AEV_OK ? 0 : -1;
  }
  aev_queue_release(q);
  return rc;
}

/* One Publish per Ok record. A FIFO topic needs a group and a
 * deduplication id: the group is the delivery stream (one ordered lane),
 * the id the batch's stem drawn at its first attempt plus the record's
 * place, so a retry after a partial success is deduplicated by SNS. */
static int to_topic(aev_delivery *d, const char *topic_arn, aev__batch *bt) {
  aev_topic *t;
  if (aev_topic_get(d->res.broker, topic_arn, &t) != AEV_OK) return -1;
  size_t nlen = strlen(topic_arn);
  int fifo = nlen > 5 && !strcmp(topic_arn + nlen - 5, ".fifo");
  aev_publish_options *o = NULL;
  int rc = 0;
  if (fifo) {
    pthread_mutex_lock(&d->mu);
    if (!bt->key && (bt->key = malloc(33))) aev__token(&d->rng, bt->key, 32);
    pthread_mutex_unlock(&d->mu);
    rc = !bt->key || aev_publish_options_new(&o) ||
         aev_publish_options_set_group_id(o, d->res.name);
  }
  size_t i = 0;
  for (aev__frec *r = bt->head; r && !rc; r = r->next, i++) {
    if (r->result != AEV__FH_OK) continue;
    if (fifo) {
      char dedup[64];
      snprintf(dedup, sizeof dedup, "%s-%zu", bt->key, i);
      rc = aev_publish_options_set_deduplication_id(o, dedup);
    }
    if (!rc)
      rc = aev_topic_publish(t, (const char *)r->data, r->len, o, NULL, NULL);
  }
  aev_publish_options_free(o);
  aev_topic_release(t);
  return rc ? -1 : 0;
}

static void deliver_task(void *arg, int cancelled);

/* The timer's reference passes to the attempt it posts. Out of memory for
 * the post, the timer tries again a second later: the batch stays the
 * delivery stream's busy one until an attempt settles it, so dropping the
 * retry would stop the stream for good. */
static void retry_task(void *arg, int cancelled) {
  aev_delivery *d = arg;
  if (!cancelled) {
    aev__sched *sched = aev__broker_sched(d->res.broker);
    int rc = aev__sched_post_handler(sched, deliver_task, d);
    if (rc == AEV_OK) return;
    if (rc == AEV_ERR_NOMEM &&
        aev__timer_arm(sched, &d->retry, aev__fh_mono(d) + 1000) == AEV_OK)
      return;
  }
  aev__resource_unref(&d->res);
}

static void deliver_task(void *arg, int cancelled) {
  aev_delivery *d = arg;
  pthread_mutex_lock(&d->mu);
  aev__batch *bt = d->pending;
  int gone = d->res.deleted;
  d->m_attempts++;
  /* The attempt reads a copy: UpdateDestination may replace the settings
   * meanwhile, and the destination is called without mu. */
  aev__fh_settings set = {0};
  int copied = !cancelled && !gone && aev__fh_settings_copy(&d->set, &set) == 0;
  pthread_mutex_unlock(&d->mu);
  if (cancelled || gone) {
    aev__fh_batch_done(d);
    aev__resource_unref(&d->res);
    return;
  }
  aev__tbuf ok = {0};
  tally t = {0};
  int rc = copied ? body(bt, set.append_delimiter, &ok, &t) : -1; /* out of memory: retried */
  size_t n_ok = t.ok, dropped = t.dropped, failed = t.failed;
  if (!rc && set.dest == AEV__DEST_S3) {
    rc = to_s3(d, &set, bt, &ok, &t);
  } else if (!rc && set.dest == AEV__DEST_SQS) {
    rc = to_queue(d, set.queue_arn, bt);
  } else if (!rc && set.dest == AEV__DEST_SNS) {
    rc = to_topic(d, set.topic_arn, bt);
  } else if (!rc && n_ok) {
    if (!bt->key) {
      char *prefix = aev__fh_prefix(d, "", bt->oldest_ms, NULL);
      char *name = aev__fh_object_name(d, bt->oldest_ms);
      if (prefix && name && asprintf(&bt->key, "%s%s", prefix, name) < 0) bt->key = NULL;
      free(prefix);
      free(name);
    }
    rc = bt->key ? d->sink(d->sink_user, bt->key, ok.p, ok.n) : -1;
  }
  free(ok.p);
  if (copied) aev__fh_settings_free(&set);
  bt->attempts++;
  int64_t elapsed = aev__fh_mono(d) - bt->first_try;
  pthread_mutex_lock(&d->mu);
  int retry = rc != 0 && elapsed < d->set.retry_ms && !d->res.deleted;
  if (rc == 0) {
    d->m_records += (int64_t)n_ok;
    d->m_objects += n_ok > 0;
    d->m_dropped += (int64_t)dropped;
    d->m_failed += (int64_t)failed;
  } else if (!retry) {
    d->m_failed += (int64_t)bt->n;
  }
  if (retry) {
    int shift = bt->attempts < 6 ? bt->attempts - 1 : 6;
    int64_t wait = 1000LL << shift;
    if (wait > 60000) wait = 60000;
    aev__timer_init(&d->retry, retry_task, d, NULL);
    aev__resource_ref(&d->res);
    if (aev__timer_arm(aev__broker_sched(d->res.broker), &d->retry,
                       aev__fh_mono(d) + wait) != AEV_OK) {
      aev__resource_unref(&d->res);
      retry = 0;
    }
  }
  pthread_mutex_unlock(&d->mu);
  if (!retry) aev__fh_batch_done(d);
  aev__resource_unref(&d->res);
}

void aev__fh_deliver(aev_delivery *d, aev__batch *bt) {
  aev__sched *sched = aev__broker_sched(d->res.broker);
  aev__resource_ref(&d->res);
  if (aev__sched_post_handler(sched, deliver_task, d) == AEV_OK) return;
  /* Out of memory: the batch is tried again in a second, as after a
   * failed attempt (the reference passes to the timer). A closing broker
   * refuses the timer too, and the batch goes. */
  pthread_mutex_lock(&d->mu);
  int gone = d->res.deleted;
  pthread_mutex_unlock(&d->mu);
  aev__timer_init(&d->retry, retry_task, d, NULL);
  if (gone || aev__timer_arm(sched, &d->retry, aev__fh_mono(d) + 1000) != AEV_OK)
    deliver_task(d, 1);
}

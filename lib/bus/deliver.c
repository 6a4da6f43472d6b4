/* Deliveries: one event to one target, run as a scheduler task (callbacks
 * on the handler pool), with the target's input options applied; failures
 * retried under its RetryPolicy with exponential backoff and jitter on
 * timers, then sent to its dead-letter queue with AWS's attributes. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/queue.h"
#include "awsevents/delivery.h"
#include "awsevents/machine.h"
#include "awsevents/stream.h"
#include "awsevents/topic.h"
#include "bus/bus_impl.h"
#include "bus/http_impl.h"
#include "core/broker.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "core/text.h"
#include "function/function.h"

/* Backoff before retry n (1-based): 1 s doubling up to 5 minutes, then a
 * random point in its upper half. */
#define BACKOFF_BASE_MS 1000
#define BACKOFF_CAP_MS (5 * 60 * 1000)

typedef struct delivery {
  aev__target *t;
  aev__event *ev;
  int retries; /* attempts made after the first */
  aev__timer timer;
  int retryable;
  int paced;  /* an API destination's attempt holding its rate-limit slot */
  int64_t wait_ms; /* set by an attempt over the rate limit */
  int64_t retry_after_ms; /* the last attempt's Retry-After, or 0 */
  char code[48];
  char msg[256];
  /* The event as jansson values, read by an attempt's first reader (the
   * input and a Kinesis partition key may both pick from it) and dropped
   * when the attempt ends. */
  json_t *json;
} delivery;

static void delivery_free(delivery *d) {
  aev__target_unref(d->t);
  aev__event_unref(d->ev);
  free(d);
}

static void fail(delivery *d, int retryable, const char *code,
                 const char *msg) {
  d->retryable = retryable;
  snprintf(d->code, sizeof d->code, "%s", code);
  /* Cut between characters: a character cut in two would make the
   * dead-letter message's attributes invalid UTF-8, and lose the event. */
  snprintf(d->msg, sizeof d->msg, "%.*s",
           (int)aev__utf8_fit(msg, strlen(msg), sizeof d->msg - 1), msg);
}

static const char NO_MEMORY[] = "Out of memory building the target input.";

/* The event as jansson values (borrowed: the attempt owns them), for a
 * target that picks from it. Every event was JSON when put, but jansson
 * reads less than JSON allows (no integer beyond 64 bits, no real beyond a
 * double's range, no \u0000): such an event fails the attempt for good,
 * saying why, where AWS would deliver it. Out of memory is retried. */
static int event_json(delivery *d, json_t **event) {
  *event = d->json;
  if (d->json) return AEV_OK;
  json_error_t err;
  int rc = aev__json_parse(d->ev->text, d->ev->len, 0, &d->json, &err);
  *event = d->json;
  if (rc == AEV_ERR_INVALID) {
    char msg[256];
    snprintf(msg, sizeof msg, "The event holds JSON this library cannot read (%s), so the "
             "target's input cannot be taken from it.", err.text);
    fail(d, 0, "INTERNAL_ERROR", msg);
  } else if (rc) {
    fail(d, 1, "INTERNAL_ERROR", NO_MEMORY);
  }
  return rc;
}

/* The input the target receives: *owned is set when it was allocated. On
 * failure the attempt's failure is set. */
static int make_input(delivery *d, const char **in, size_t *len, char **owned) {
  aev__target *t = d->t;
  *owned = NULL;
  switch (t->input_mode) {
    case AEV__INPUT_EVENT:
      *in = d->ev->text;
      *len = d->ev->len;
      return AEV_OK;
    case AEV__INPUT_CONST:
      *in = t->input;
      *len = strlen(t->input);
      return AEV_OK;
    default:
      break;
  }
  json_t *event;
  int rc = event_json(d, &event);
  if (rc) return rc;
  if (t->input_mode == AEV__INPUT_PATH) {
    json_t *v = aev__path_get(event, t->input_path);
    *owned = v ? aev__json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("");
    if (!*owned) rc = AEV_ERR_NOMEM;
    else *len = strlen(*owned);
  } else {
    rc = aev__template_render(t->tmpl, event, t, d->ev->ingest_ms, owned, len);
  }
  if (rc) fail(d, 1, "INTERNAL_ERROR", NO_MEMORY);
  *in = *owned;
  return rc;
}

/* The outcome of a call into another primitive: a missing resource is not
 * retried; throttling and other service errors are. */
static void outcome(delivery *d, int rc) {
  if (rc == AEV_ERR_NOT_FOUND) fail(d, 0, "RESOURCE_NOT_FOUND", aev_errmsg());
  else if (rc) fail(d, rc != AEV_ERR_INVALID, "SDK_CLIENT_ERROR", aev_errmsg());
}

/* The target's queue: the cached handle, or a lookup by ARN (cached when
 * it is the first). *fresh is set when the caller must release it. */
static int target_queue(aev__target *t, aev_queue **q, int *fresh) {
  *q = t->queue;
  *fresh = 0;
  if (*q) return AEV_OK;
  int rc = aev_queue_get(t->broker, t->arn, q);
  aev_queue *none = NULL;
  if (!rc && !atomic_compare_exchange_strong(&t->queue, &none, *q)) *fresh = 1;
  return rc;
}

static int send(delivery *d, aev_queue *q, const char *in, size_t len) {
  aev_send_options *o = NULL;
  int rc = AEV_OK;
  if (d->t->group_id) {
    /* The target's group; a FIFO queue also the event id for deduplication,
     * a standard (fair) queue takes none (SqsParameters reference). */
    rc = aev_send_options_new(&o);
    if (!rc) rc = aev_send_options_set_group_id(o, d->t->group_id);
    if (!rc && d->t->fifo) rc = aev_send_options_set_deduplication_id(o, d->ev->id);
  }
  if (!rc) rc = aev_queue_send(q, in, len, o, NULL, NULL);
  aev_send_options_free(o);
  return rc;
}

static void to_queue(delivery *d, const char *in, size_t len) {
  aev_queue *q;
  int fresh;
  int rc = target_queue(d->t, &q, &fresh);
  if (!rc) {
    rc = send(d, q, in, len);
    if (fresh) aev_queue_release(q);
  }
  if (rc == AEV_ERR_NOT_FOUND && !fresh && q) {
    /* The cached queue was deleted: one made since under the same name is
     * the target now. */
    if (!(rc = aev_queue_get(d->t->broker, d->t->arn, &q))) {
      rc = send(d, q, in, len);
      aev_queue_release(q);
    }
  }
  outcome(d, rc);
}

static void to_bus(delivery *d) {
  aev_bus *bus;
  if (aev__bus_find(d->t->broker, d->t->arn, 0, &bus)) {
    fail(d, 0, "RESOURCE_NOT_FOUND", aev_errmsg());
    return;
  }
  if (aev__bus_route(bus, d->ev)) fail(d, 1, "SDK_CLIENT_ERROR", aev_errmsg());
  aev_bus_release(bus);
}

/* Lambda targets are invoked asynchronously (Event), as EventBridge does;
 * the function's own retries and destinations take over from there. */
static void to_function(delivery *d, const char *in, size_t len) {
  outcome(d, aev__function_event_to(d->t->broker, d->t->arn, in, len));
}

/* SNS targets get the input as the message; FIFO topics the rule's group
 * and the event id for deduplication. */
static void to_topic(delivery *d, const char *in, size_t len) {
  aev_topic *t;
  int rc = aev_topic_get(d->t->broker, d->t->arn, &t);
  if (rc) {
    outcome(d, rc);
    return;
  }
  aev_publish_options *o = NULL;
  if (d->t->group_id) {
    /* A standard topic takes the group alone, for its fair queues. */
    rc = aev_publish_options_new(&o);
    if (!rc) rc = aev_publish_options_set_group_id(o, d->t->group_id);
    if (!rc && d->t->fifo) rc = aev_publish_options_set_deduplication_id(o, d->ev->id);
  }
  char *copy = rc ? NULL : strndup(in, len);
  if (!rc) rc = copy ? aev_topic_publish(t, copy, len, o, NULL, NULL) : aev__nomem();
  free(copy);
  aev_publish_options_free(o);
  aev_topic_release(t);
  outcome(d, rc);
}

/* Kinesis: the partition key from KinesisParameters.PartitionKeyPath,
 * else the event id. */
/* The value the target's PartitionKeyPath picks out of the event, as text
 * (NULL when there is no path or it picks nothing). Out of memory fails the
 * attempt, which is retried, rather than falling back to the event id. */
static int partition_key(delivery *d, char **key) {
  *key = NULL;
  if (!d->t->partition_path) return AEV_OK;
  json_t *ev;
  int rc = event_json(d, &ev);
  if (rc) return rc;
  json_t *v = aev__path_get(ev, d->t->partition_path);
  *key = json_is_string(v) ? strdup(json_string_value(v))
         : v               ? aev__json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT)
                           : NULL;
  if (v && !*key) {
    fail(d, 1, "INTERNAL_ERROR", NO_MEMORY);
    return AEV_ERR_NOMEM;
  }
  return AEV_OK;
}

static void to_stream(delivery *d, const char *in, size_t len) {
  aev_stream *s;
  int rc = aev_stream_get(d->t->broker, d->t->arn, &s);
  if (rc) {
    outcome(d, rc);
    return;
  }
  char *key;
  if (partition_key(d, &key)) { /* its failure is set */
    aev_stream_release(s);
    return;
  }
  rc = aev_stream_put(s, in, len, key ? key : d->ev->id, NULL, NULL, NULL, NULL);
  free(key);
  aev_stream_release(s);
  outcome(d, rc);
}

static void to_firehose(delivery *d, const char *in, size_t len) {
  aev_delivery *f;
  int rc = aev_delivery_get(d->t->broker, d->t->arn, &f);
  if (!rc) {
    rc = aev_delivery_put(f, in, len, NULL);
    aev_delivery_release(f);
  }
  outcome(d, rc);
}

/* Step Functions: StartExecution with the input, as EventBridge does; so
 * the target's ARN may name a version or an alias, as StartExecution's.
 * The execution is named after the event: its id, then a unique suffix
 * (AWS's executions started by a rule have names starting with the
 * EventId PutEvents returned). */
static void to_machine(delivery *d, const char *in, size_t len) {
  char name[2 * AEV_UUID_LEN + 2];
  memcpy(name, d->ev->id, AEV_UUID_LEN);
  name[AEV_UUID_LEN] = '_';
  aev__broker_uuid(d->t->broker, name + AEV_UUID_LEN + 1);
  aev_execution *e;
  int rc = aev_machine_start_arn(d->t->broker, d->t->arn, name, in, len, &e);
  if (!rc) aev_execution_release(e);
  outcome(d, rc);
}

/* API destinations: an HTTP request to the endpoint callback standing for
 * the endpoint, on the handler pool (invoke_http.c). */
static void to_api_destination(delivery *d, const char *in, size_t len) {
  json_t *event = NULL;
  if (d->t->http_paths && event_json(d, &event)) return; /* its failure is set */
  aev__http_outcome o;
  char who[AEV__MEMBER_MAX];
  snprintf(who, sizeof who, "target %s", d->t->id);
  aev__apidest_send(d->t->broker, d->t->arn, d->t->http, who, event, in, len, d->paced, &o, NULL);
  d->paced = 0;
  d->wait_ms = o.wait_ms;
  d->retry_after_ms = o.retry_after_ms;
  if (o.failed) fail(d, o.retryable, o.code, o.msg);
}

static void to_callback(delivery *d, const char *in, size_t len) {
  int rc = d->t->fn(d->t->user, in, len);
  if (rc) {
    char m[64];
    snprintf(m, sizeof m, "The callback target returned %d.", rc);
    fail(d, 1, "CALLBACK_ERROR", m);
  }
}

/* The dead-letter message's attributes, as AWS sets them (DataType and
 * StringValue each), whole, or NULL when out of memory. */
static char *dead_letter_attributes(const delivery *d, const char *condition) {
  const aev__target *t = d->t;
  char retries[16];
  snprintf(retries, sizeof retries, "%d", d->retries);
  const char *keys[] = {"RULE_ARN", "TARGET_ARN", "ERROR_CODE", "ERROR_MESSAGE",
                        "EXHAUSTED_RETRY_CONDITION", "RETRY_ATTEMPTS"};
  const char *vals[] = {t->rule_arn, t->arn, d->code, d->msg, condition, retries};
  const char *types[] = {"String", "String", "String", "String", "String", "Number"};
  json_t *attrs = json_object();
  int whole = attrs != NULL;
  for (size_t i = 0; whole && i < sizeof keys / sizeof *keys; i++)
    if (vals[i])
      whole = !json_object_set_new(attrs, keys[i],
                                   json_pack("{s:s,s:s}", "DataType", types[i],
                                             "StringValue", vals[i]));
  char *text = whole ? aev__json_dumps(attrs, JSON_COMPACT) : NULL;
  json_decref(attrs);
  return text;
}

/* DeadLetterConfig: the event itself, with why it could not be delivered. */
static void dead_letter(delivery *d, const char *condition) {
  aev__target *t = d->t;
  if (!t->dlq_arn) {
    aev__log(t->broker, AEV_LOG_WARN,
             "events: rule %s target %s dropped event %s: %s %s", t->rule_name,
             t->id, d->ev->id, d->code, d->msg);
    return;
  }
  char *attrs_text = dead_letter_attributes(d, condition);
  aev_queue *q;
  aev_send_options *o = NULL;
  int rc = attrs_text ? aev_queue_get(t->broker, t->dlq_arn, &q) : aev__nomem();
  if (!rc) {
    if (!(rc = aev_send_options_new(&o)))
      rc = aev_send_options_set_attributes(o, attrs_text);
    if (!rc) rc = aev_queue_send(q, d->ev->text, d->ev->len, o, NULL, NULL);
    aev_send_options_free(o);
    aev_queue_release(q);
  }
  free(attrs_text);
  if (rc)
    aev__log(t->broker, AEV_LOG_WARN,
             "events: dead-letter queue %s refused event %s: %s", t->dlq_arn,
             d->ev->id, aev_errmsg());
}

static void attempt_task(void *arg, int cancelled);

static int64_t backoff_ms(aev_broker *b, int retry) {
  int64_t ms = BACKOFF_BASE_MS;
  for (int i = 1; i < retry && ms < BACKOFF_CAP_MS; i++) ms *= 2;
  if (ms > BACKOFF_CAP_MS) ms = BACKOFF_CAP_MS;
  return ms / 2 + (int64_t)(aev__broker_random(b) % (uint64_t)(ms / 2 + 1));
}

/* Arms d's timer for its next attempt (d's timer is not armed). */
static int arm_retry(delivery *d, int64_t wait_ms) {
  aev_broker *b = d->t->broker;
  aev__timer_init(&d->timer, attempt_task, d, NULL);
  return aev__timer_arm(aev__broker_sched(b), &d->timer,
                        aev__clock_mono_ms(aev__broker_clock(b)) + wait_ms);
}

/* Ends a delivery that will not be retried, with the last attempt's
 * error: to the dead-letter queue, or logged as dropped, never silently.
 * condition: the retry limit it ran into (NULL: none). */
static void give_up(delivery *d, const char *condition) {
  dead_letter(d, condition);
  delivery_free(d);
}

/* After a failed attempt: retry on a timer, or give up (also when the
 * retry cannot be armed: the broker is closing). */
static void after_failure(delivery *d) {
  aev_broker *b = d->t->broker;
  if (!d->retryable) {
    give_up(d, NULL);
    return;
  }
  if (d->retries >= d->t->max_retries) {
    give_up(d, "MaximumRetryAttempts");
    return;
  }
  int64_t wait = backoff_ms(b, d->retries + 1);
  /* An endpoint's Retry-After waits longer than the backoff, never less. */
  if (d->retry_after_ms > wait) wait = d->retry_after_ms;
  if (aev_broker_now_ms(b) + wait - d->ev->ingest_ms > d->t->max_age_ms) {
    give_up(d, "MaximumEventAgeInSeconds");
    return;
  }
  d->retries++;
  if (arm_retry(d, wait) != AEV_OK) {
    d->retries--; /* not made */
    give_up(d, NULL);
  }
}

/* The target's input, made and handed to it. */
static void send_input(delivery *d) {
  const char *in;
  size_t len;
  char *owned;
  if (make_input(d, &in, &len, &owned)) return; /* its failure is set; nothing was allocated */
  if (d->t->kind == AEV__TARGET_QUEUE) {
    to_queue(d, in, len);
  } else if (d->t->kind == AEV__TARGET_BUS) {
    to_bus(d);
  } else if (d->t->kind == AEV__TARGET_FUNCTION) {
    to_function(d, in, len);
  } else if (d->t->kind == AEV__TARGET_TOPIC) {
    to_topic(d, in, len);
  } else if (d->t->kind == AEV__TARGET_STREAM) {
    to_stream(d, in, len);
  } else if (d->t->kind == AEV__TARGET_FIREHOSE) {
    to_firehose(d, in, len);
  } else if (d->t->kind == AEV__TARGET_MACHINE) {
    to_machine(d, in, len);
  } else if (d->t->kind == AEV__TARGET_API_DESTINATION) {
    to_api_destination(d, in, len);
  } else {
    to_callback(d, in, len);
  }
  free(owned);
}

/* One attempt: d->code is left empty on success, else says why not. */
static void attempt_once(delivery *d) {
  d->code[0] = 0;
  d->wait_ms = 0;
  d->retry_after_ms = 0;
  d->json = NULL;
  send_input(d);
  json_decref(d->json);
  d->json = NULL;
}

static void attempt(void *arg, int cancelled) {
  delivery *d = arg;
  if (cancelled) {
    delivery_free(d);
    return;
  }
  attempt_once(d);
  if (d->wait_ms > 0) {
    /* Over its API destination's rate: the attempt waits for the slot it
     * reserved, which is no retry. */
    d->paced = 1;
    if (arm_retry(d, d->wait_ms) != AEV_OK) give_up(d, NULL);
  } else if (!d->code[0]) {
    delivery_free(d);
  } else {
    after_failure(d);
  }
}

/* A timer fires on a scheduler task; callbacks must run on the handler pool
 * (they may block), so a callback's attempt hops there first. */
static void attempt_task(void *arg, int cancelled) {
  delivery *d = arg;
  if (!cancelled &&
      (d->t->kind == AEV__TARGET_CALLBACK || d->t->kind == AEV__TARGET_API_DESTINATION)) {
    int rc = aev__sched_post_handler(aev__broker_sched(d->t->broker), attempt, d);
    /* Out of memory for the hop, the attempt stays due: a second later. */
    if (rc == AEV_ERR_NOMEM) rc = arm_retry(d, 1000);
    if (rc != AEV_OK) give_up(d, NULL);
    return;
  }
  attempt(d, cancelled);
}

/* A delivery that could not even begin for want of memory (t's reference,
 * ev's borrowed): it goes where retries that ran out go, never silently. */
static void not_begun(aev__target *t, aev__event *ev, delivery *first) {
  delivery d = {.t = t, .ev = ev};
  if (first) d = *first;
  else fail(&d, 1, "INTERNAL_ERROR", "Out of memory starting the delivery.");
  dead_letter(&d, NULL);
  aev__target_unref(t);
}

void aev__deliver(aev__target *t, aev__event *ev) {
  /* A queue send never blocks and runs no user code: the first attempt
   * happens at once on the caller's thread (no bus lock is held here), as
   * SNS sends to its queue subscribers, on a delivery that lives on the
   * stack unless it must wait for a retry. */
  if (t->kind == AEV__TARGET_QUEUE) {
    delivery first; /* not zeroed: an attempt sets code, a failure msg */
    first.t = t;
    first.ev = ev;
    first.retries = 0;
    first.paced = 0;
    attempt_once(&first);
    if (!first.code[0]) {
      aev__target_unref(t);
      return;
    }
    delivery *d = malloc(sizeof *d);
    if (!d) {
      not_begun(t, ev, &first);
      return;
    }
    *d = first;
    ev->refs++;
    after_failure(d);
    return;
  }
  delivery *d = calloc(1, sizeof *d);
  if (!d) {
    not_begun(t, ev, NULL);
    return;
  }
  ev->refs++;
  d->t = t;
  d->ev = ev;
  if (aev__sched_post(aev__broker_sched(t->broker), NULL, attempt_task, d) != AEV_OK) {
    fail(d, 1, "INTERNAL_ERROR", aev_errmsg());
    give_up(d, NULL);
  }
}

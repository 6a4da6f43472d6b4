/* Message replay for FIFO topic subscribers: the ReplayPolicy subscription
 * attribute, checked against the topic's archive, and the replay it starts
 * on the topic's lane, which redelivers the archived messages in order and
 * keeps ReplayStatus (SNS developer guide,
 * message-archiving-and-replay-subscriber; SNS API reference, Subscribe
 * and SetSubscriptionAttributes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/clock.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "topic/topic_impl.h"

/* ReplayStatus values, as the API reference spells them. */
static const char *const PENDING = "Pending", *const IN_PROGRESS = "In progress",
                         *const COMPLETED = "Completed", *const FAILED = "Failed";

static int point(json_t *j, const char *name, const char *prefix, int64_t *out) {
  json_t *v = json_object_get(j, name);
  if (json_is_string(v) && aev__iso8601_parse(json_string_value(v), out) == 0) return AEV_OK;
  return aev__sns_invalid("Invalid parameter: %sReplayPolicy: %s must be an ISO 8601 timestamp "
                          "such as 2024-01-01T00:00:00.000Z", prefix, name);
}

int aev__replay_policy_parse(aev_topic *t, aev__subconf *c, const char *prefix, const char *v) {
  free(c->replay);
  c->replay = NULL;
  c->replay_start = 0;
  c->replay_end = INT64_MAX;
  c->replay_given = 1;
  if (!t->conf.fifo)
    return aev__sns_invalid("Invalid parameter: %sReplayPolicy: Message replay is only "
                            "available for subscriptions to FIFO topics", prefix);
  /* "" stops a replay and lets a paused subscription deliver again. */
  if (!*v) return AEV_OK;
  if (!t->conf.archive_days)
    return aev__sns_invalid("Invalid parameter: %sReplayPolicy: The topic has no ArchivePolicy, "
                            "so it has no archived messages to replay", prefix);
  json_t *j;
  if (aev__json_parse_str(v, 0, &j) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  int rc = AEV_OK;
  const char *k;
  json_t *val;
  if (!json_is_object(j)) {
    rc = aev__sns_invalid("Invalid parameter: %sReplayPolicy: failed to parse JSON.", prefix);
  } else {
    json_object_foreach(j, k, val) if (rc == AEV_OK && strcmp(k, "PointType") &&
                                       strcmp(k, "StartingPoint") && strcmp(k, "EndingPoint"))
        rc = aev__sns_invalid("Invalid parameter: %sReplayPolicy: Unknown key %s", prefix, k);
  }
  const char *type = json_string_value(json_object_get(j, "PointType"));
  if (rc == AEV_OK && (!type || strcmp(type, "Timestamp")))
    rc = aev__sns_invalid("Invalid parameter: %sReplayPolicy: PointType must be Timestamp",
                          prefix);
  int64_t start = 0, end = INT64_MAX;
  if (rc == AEV_OK) rc = point(j, "StartingPoint", prefix, &start);
  if (rc == AEV_OK && json_object_get(j, "EndingPoint"))
    rc = point(j, "EndingPoint", prefix, &end);
  json_decref(j);
  if (rc != AEV_OK) return rc;
  if (end < start)
    return aev__sns_invalid("Invalid parameter: %sReplayPolicy: EndingPoint must not be "
                            "earlier than StartingPoint", prefix);
  /* The console's rule: "The start time should be later than the beginning
   * of the approximated archive time" (BeginningArchiveTime). */
  int64_t beginning = aev__archive_beginning(t);
  if (start < beginning) {
    char ts[32];
    aev__iso_ms(beginning, ts);
    return aev__sns_invalid("Invalid parameter: %sReplayPolicy: StartingPoint must not be "
                            "earlier than the topic's BeginningArchiveTime %s", prefix, ts);
  }
  if (!(c->replay = strdup(v))) return aev__nomem();
  c->replay_start = start;
  c->replay_end = end;
  return AEV_OK;
}

typedef struct aev__replay {
  aev__task_node node; /* posted without allocating: made ahead */
  aev_topic *t;
  aev__sub *s;
  uint64_t gen;  /* the replay it runs: a newer one supersedes it */
  uint64_t upto; /* archived before the policy was set (sequence numbers
                  * below it); later messages arrive live */
} replay_task;

/* mu held. */
static int current(const replay_task *r) {
  return r->s->replay_gen == r->gen && !r->s->deleted && !r->t->res.deleted;
}

/* Runs on the topic's lane, after the fan-outs published before the policy
 * and before those published after it, so the subscriber sees the archived
 * messages, then the new ones, each in sequence order. Deliveries hold no
 * lock; a newer ReplayPolicy stops this one between two messages. */
static void run(void *arg, int cancelled) {
  replay_task *r = arg;
  aev_topic *t = r->t;
  aev__sub *s = r->s;
  aev__note **notes = NULL;
  size_t n = 0;
  aev__subconf *c = NULL;
  pthread_mutex_lock(&t->mu);
  int go = !cancelled && current(r);
  if (go) {
    c = s->conf;
    c->refs++;
    /* A policy removed since leaves nothing to replay from. */
    go = t->conf.archive_days &&
         aev__archive_select(t, c->replay_start, c->replay_end, r->upto, &notes, &n) == AEV_OK;
    s->replay_status = go ? IN_PROGRESS : FAILED;
  }
  pthread_mutex_unlock(&t->mu);
  size_t i = 0;
  for (; go && i < n; i++) {
    pthread_mutex_lock(&t->mu);
    go = current(r);
    pthread_mutex_unlock(&t->mu);
    if (go) aev__deliver_replayed(t, s, c, notes[i]);
  }
  for (size_t k = 0; k < n; k++) aev__note_unref(notes[k]);
  free(notes);
  if (go) {
    pthread_mutex_lock(&t->mu);
    if (current(r)) s->replay_status = COMPLETED;
    pthread_mutex_unlock(&t->mu);
  }
  if (c) aev__subconf_unref(c);
  aev__sub_unref(s);
  aev_topic_release(t);
  free(r);
}

int aev__replay_prepare(const aev__subconf *c, replay_task **out) {
  *out = c->replay_given && c->replay ? malloc(sizeof **out) : NULL;
  return *out || !(c->replay_given && c->replay) ? AEV_OK : aev__nomem();
}

void aev__replay_start(aev_topic *t, aev__sub *s, const aev__subconf *c, replay_task *r) {
  s->replay_gen++;
  /* A policy with an EndingPoint replays up to it and then stops: "This
   * action effectively pauses the subscription. While the subscription is
   * paused, newly published messages will not be delivered" (developer
   * guide); a policy without one, or none, delivers live messages. */
  int paused = c->replay && c->replay_end != INT64_MAX;
  if (paused != s->paused) {
    s->paused = paused;
    t->gen++;
  }
  s->replay_status = NULL;
  if (!r) return;
  s->replay_status = PENDING;
  *r = (replay_task){.t = t, .s = s, .gen = s->replay_gen, .upto = t->next_seq};
  aev__resource_ref(&t->res);
  aev__sub_ref(s);
  if (aev__sched_post_node(aev__broker_sched(t->res.broker), t->strand, &r->node, run, r) ==
      AEV_OK)
    return;
  /* The broker is shutting down: nothing will run. The references go
   * with the subscription's and topic's own, which outlive this call. */
  s->replay_status = FAILED;
  aev__sub_unref(s);
  aev__resource_unref(&t->res);
  free(r);
}

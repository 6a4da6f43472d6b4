/* The message archive of FIFO topics (SNS message archiving and replay):
 * the ArchivePolicy, every message published while it is set, kept on the
 * broker's clock for its MessageRetentionPeriod and dropped by one timer
 * for the oldest message's expiry, and the selection a replay reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "topic/topic_impl.h"

#define DAY_MS (24LL * 3600 * 1000)
/* The retention period is 1 to 365 days (SNS developer guide,
 * message-archiving-and-replay-topic-owner; AWS Compute Blog, "Archiving
 * and replaying messages with Amazon SNS FIFO": "from 1 to 365 days"). */
#define MAX_DAYS 365
/* AWS bounds an archive by time alone. In-process a busy topic with a long
 * retention would hold every message for up to a year, so a topic's
 * archive also stops at 64 MiB of messages: past it the oldest go first
 * and BeginningArchiveTime moves past them, as retention would move it. */
#define MAX_BYTES ((size_t)64 << 20)

typedef struct aev__archived {
  struct aev__archived *next;
  aev__note *n;
  uint64_t seq;
  size_t bytes;
} aev__archived;

/* The expiry timer, armed for the oldest message while there is one; it
 * holds a reference to the topic until its task has run or it is
 * cancelled. */
typedef struct aev__expiry {
  aev__timer timer;
  aev_topic *t;
} aev__expiry;

int aev__archive_policy_parse(const char *v, int fifo, int *days, char **stored) {
  if (!fifo)
    return aev__sns_invalid("Invalid parameter: ArchivePolicy Reason: Message archiving is "
                            "only available for FIFO topics");
  *days = 0;
  *stored = NULL;
  if (!*v) return AEV_OK;
  json_t *j;
  if (aev__json_parse_str(v, 0, &j) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  int rc = AEV_OK;
  json_t *period = json_object_get(j, "MessageRetentionPeriod");
  const char *k;
  json_t *val;
  if (!json_is_object(j)) {
    rc = aev__sns_invalid("Invalid parameter: ArchivePolicy Reason: failed to parse JSON");
  } else {
    json_object_foreach(j, k, val) if (strcmp(k, "MessageRetentionPeriod") && rc == AEV_OK)
        rc = aev__sns_invalid("Invalid parameter: ArchivePolicy Reason: Unknown key %s", k);
  }
  /* "{}" turns archiving off, as an empty value does. */
  if (rc != AEV_OK || !period) {
    json_decref(j);
    return rc;
  }
  long n = -1;
  char *end = NULL;
  if (json_is_string(period) && *json_string_value(period)) {
    n = strtol(json_string_value(period), &end, 10);
    if (*end) n = -1;
  } else if (json_is_integer(period)) {
    n = (long)json_integer_value(period);
  }
  json_decref(j);
  if (n < 1 || n > MAX_DAYS)
    return aev__sns_invalid("Invalid parameter: ArchivePolicy Reason: MessageRetentionPeriod "
                            "must be a number of days from 1 to %d", MAX_DAYS);
  if (asprintf(stored, "{\"MessageRetentionPeriod\":\"%ld\"}", n) < 0) {
    *stored = NULL;
    return aev__nomem();
  }
  *days = (int)n;
  return AEV_OK;
}

static int64_t expires_at(const aev_topic *t, const aev__archived *a) {
  return a->n->published_ms + t->conf.archive_days * DAY_MS;
}

static void drop_oldest(aev_topic *t) {
  aev__archived *a = t->arch_head;
  t->arch_head = a->next;
  if (!t->arch_head) t->arch_tail = NULL;
  t->arch_bytes -= a->bytes;
  aev__note_unref(a->n);
  free(a);
}

/* Drops what expired by now, and everything when archiving is off. */
static void prune(aev_topic *t, int64_t now) {
  while (t->arch_head && (!t->conf.archive_days || expires_at(t, t->arch_head) <= now))
    drop_oldest(t);
}

static void expire(void *arg, int cancelled);

/* Arms the expiry timer for the oldest message, or disarms it (mu held).
 * A timer that already fired is left to its task, which arms again. The
 * timer to dispose of (aev__archive_done) after unlocking, if any. */
static aev__expiry *arm(aev_topic *t) {
  aev__sched *s = aev__broker_sched(t->res.broker);
  aev__expiry *e = t->arch_expiry;
  if (e && !aev__timer_cancel(s, &e->timer)) return NULL;
  if (!t->arch_head || t->res.deleted) {
    t->arch_expiry = NULL;
    return e;
  }
  if (!e) {
    /* Without a timer (memory is short) expired messages still go on the
     * next publish's prune. */
    if (!(e = malloc(sizeof *e))) return NULL;
    aev__resource_ref(&t->res);
    e->t = t;
    aev__timer_init(&e->timer, expire, e, NULL);
  }
  aev__clock *clk = aev__broker_clock(t->res.broker);
  int64_t left = expires_at(t, t->arch_head) - aev__topic_now_ms(t);
  t->arch_expiry = e;
  if (aev__timer_arm(s, &e->timer, aev__clock_mono_ms(clk) + (left > 0 ? left : 0)) == AEV_OK)
    return NULL;
  t->arch_expiry = NULL;
  return e;
}

void aev__archive_done(aev__expiry *e) {
  if (!e) return;
  aev_topic_release(e->t);
  free(e);
}

/* The oldest message's retention ended: it goes, with any that ended with
 * it, and the timer moves on to the next one. */
static void expire(void *arg, int cancelled) {
  aev__expiry *e = arg, *other = NULL;
  aev_topic *t = e->t;
  pthread_mutex_lock(&t->mu);
  if (t->arch_expiry == e) t->arch_expiry = NULL;
  if (!cancelled) {
    prune(t, aev__topic_now_ms(t));
    other = arm(t);
  }
  pthread_mutex_unlock(&t->mu);
  aev__archive_done(other);
  aev__archive_done(e);
}

int aev__archive_keep(aev_topic *t, aev__note *n, uint64_t seq) {
  aev__archived *a = malloc(sizeof *a);
  if (!a) return aev__nomem();
  aev__note_ref(n);
  *a = (aev__archived){.n = n, .seq = seq,
                       .bytes = sizeof *a + sizeof *n + n->message_len + n->attrs.size};
  prune(t, n->published_ms);
  while (t->arch_head && t->arch_bytes + a->bytes > MAX_BYTES) {
    int64_t after = t->arch_head->n->published_ms + 1;
    if (after > t->arch_floor_ms) t->arch_floor_ms = after;
    drop_oldest(t);
  }
  if (t->arch_tail) t->arch_tail->next = a;
  else t->arch_head = a;
  t->arch_tail = a;
  t->arch_bytes += a->bytes;
  /* The first message arms the timer; later ones expire after it. What
   * arm hands back holds a reference the publisher's own outlives, so it
   * is dropped here, under the lock, without freeing the topic. */
  if (t->arch_head == a) aev__archive_done(arm(t));
  return AEV_OK;
}

void aev__archive_undo(aev_topic *t) {
  aev__archived **p = &t->arch_head, *prev = NULL;
  while ((*p)->next) {
    prev = *p;
    p = &(*p)->next;
  }
  aev__archived *a = *p;
  *p = NULL;
  t->arch_tail = prev;
  t->arch_bytes -= a->bytes;
  aev__note_unref(a->n);
  free(a);
}

aev__expiry *aev__archive_changed(aev_topic *t, int was_days) {
  int64_t now = aev__topic_now_ms(t);
  if (!was_days && t->conf.archive_days) t->arch_floor_ms = now;
  prune(t, now);
  return arm(t);
}

aev__expiry *aev__archive_clear(aev_topic *t) {
  while (t->arch_head) drop_oldest(t);
  return arm(t);
}

int64_t aev__archive_beginning(const aev_topic *t) {
  int64_t by_retention = aev__topic_now_ms(t) - t->conf.archive_days * DAY_MS;
  return by_retention > t->arch_floor_ms ? by_retention : t->arch_floor_ms;
}

int aev__archive_select(aev_topic *t, int64_t from, int64_t to, uint64_t upto,
                        aev__note ***out, size_t *n) {
  size_t count = 0;
  for (aev__archived *a = t->arch_head; a; a = a->next)
    count += a->seq < upto && a->n->published_ms >= from && a->n->published_ms <= to;
  *out = NULL;
  *n = 0;
  if (!count) return AEV_OK;
  aev__note **v = malloc(count * sizeof *v);
  if (!v) return aev__nomem();
  for (aev__archived *a = t->arch_head; a; a = a->next)
    if (a->seq < upto && a->n->published_ms >= from && a->n->published_ms <= to) {
      aev__note_ref(a->n);
      v[(*n)++] = a->n;
    }
  *out = v;
  return AEV_OK;
}

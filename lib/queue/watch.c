/* Watches: how an event-source mapping waits on a queue without polling.
 * A watch is told (as a scheduler task, never under the queue's lock) when
 * the queue wakes its long-poll receivers (a send, a delete or visibility
 * change that unblocks a FIFO group, a dead-letter move in), and, once its
 * owner asks after a short receive, when the queue's next delay or
 * visibility timeout ends: one timer per watch at the queue's earliest
 * pending change, the same instant a blocked long poll would wake at.
 * Notifications are coalesced: at most one is pending per watch. */
#include <stdlib.h>

#include "core/broker.h"
#include "core/status.h"
#include "queue/queue.h"
#include "queue/queue_impl.h"

struct aev__queue_watch {
  aev__queue_watch *next; /* on the queue's list (q->mu) */
  aev_queue *q;           /* counted */
  aev__queue_watch_fn fn;
  void *user;
  aev_release_fn release;
  _Atomic long refs; /* owner, pending task, armed timer */
  int pending, stopped; /* q->mu */
  aev__timer timer;
};

static void watch_unref(aev__queue_watch *w) {
  if (--w->refs > 0) return;
  if (w->release) w->release(w->user);
  aev__resource_unref(&w->q->res);
  free(w);
}

static void notify_task(void *arg, int cancelled) {
  aev__queue_watch *w = arg;
  aev__queue_lock(w->q);
  w->pending = 0;
  int stopped = w->stopped;
  pthread_mutex_unlock(&w->q->mu);
  if (!cancelled && !stopped) w->fn(w->user);
  watch_unref(w);
}

/* q->mu held. */
static void post_locked(aev__queue_watch *w) {
  if (w->pending || w->stopped) return;
  w->refs++;
  if (aev__sched_post(aev__broker_sched(w->q->res.broker), NULL, notify_task,
                      w) == AEV_OK)
    w->pending = 1;
  else
    w->refs--; /* shutting down: nothing more to notify */
}

void aev__queue_watch_notify_locked(aev_queue *q) {
  for (aev__queue_watch *w = q->watches; w; w = w->next) post_locked(w);
}

/* The timer: the queue's next change came. */
static void timer_task(void *arg, int cancelled) {
  aev__queue_watch *w = arg;
  if (!cancelled) {
    aev__queue_lock(w->q);
    post_locked(w);
    pthread_mutex_unlock(&w->q->mu);
  }
  watch_unref(w);
}

int aev__queue_watch_new(aev_queue *q, aev__queue_watch_fn fn, void *user,
                         aev_release_fn release, aev__queue_watch **out) {
  aev__queue_watch *w = calloc(1, sizeof *w);
  if (!w) return aev__nomem();
  aev__resource_ref(&q->res);
  w->q = q;
  w->fn = fn;
  w->user = user;
  w->release = release;
  w->refs = 1;
  aev__timer_init(&w->timer, timer_task, w, NULL);
  aev__queue_lock(q);
  w->next = q->watches;
  q->watches = w;
  post_locked(w); /* messages may be waiting already */
  pthread_mutex_unlock(&q->mu);
  *out = w;
  return AEV_OK;
}

void aev__queue_watch_rearm(aev__queue_watch *w) {
  aev_queue *q = w->q;
  aev__sched *s = aev__broker_sched(q->res.broker);
  aev__queue_lock(q);
  if (!w->stopped) {
    int64_t next = aev__store_next_change(q, aev__queue_now_mono(q));
    if (next != INT64_MAX) {
      /* Each arming holds one reference, dropped by its task or by the
       * cancel that recalls it. */
      if (!aev__timer_cancel(s, &w->timer)) w->refs++;
      if (aev__timer_arm(s, &w->timer, next) != AEV_OK) w->refs--;
    }
  }
  pthread_mutex_unlock(&q->mu);
}

void aev__queue_watch_free(aev__queue_watch *w) {
  if (!w) return;
  aev_queue *q = w->q;
  aev__queue_lock(q);
  w->stopped = 1;
  for (aev__queue_watch **p = &q->watches; *p; p = &(*p)->next)
    if (*p == w) {
      *p = w->next;
      break;
    }
  int cancelled = aev__timer_cancel(aev__broker_sched(q->res.broker), &w->timer);
  pthread_mutex_unlock(&q->mu);
  if (cancelled) watch_unref(w);
  watch_unref(w);
}

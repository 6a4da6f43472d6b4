/* The broker's scheduler: ready queue, strands, timer thread, worker pool,
 * handler pool, and the drain/advance semantics of DESIGN §3. */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "awsevents/broker.h"
#include "core/clock_watch.h"
#include "core/sched.h"
#include "core/status.h"
#include "core/timer_heap.h"

/* Handler threads are created on demand up to this many; past it handlers
 * queue until one returns. */
#define MAX_HANDLER_THREADS 256

typedef aev__task_node task;

typedef struct task_list {
  task *head, *tail;
} task_list;

struct aev__strand {
  aev__sched *sched;
  task_list items;
  task runner;   /* the one ready-queue node of this lane */
  int scheduled; /* runner is queued or running */
  int released;
};

typedef struct thread_node {
  struct thread_node *next;
  pthread_t thread;
} thread_node;

struct aev__sched {
  aev__clock *clock;
  int workers;
  pthread_mutex_t mu;
  pthread_cond_t work_cv;    /* workers: a ready task or closing */
  pthread_cond_t timer_cv;   /* timer thread: the head deadline changed */
  pthread_cond_t handler_cv; /* handler threads: a handler or closing */
  pthread_cond_t idle_cv;    /* drainers: outstanding reached 0 */
  pthread_mutex_t drain_mu;  /* one drain or advance at a time */
  aev__timer_heap heap;
  uint64_t next_seq;
  task_list ready;
  task_list handlers;
  size_t outstanding; /* queued (ready, strands, handlers) + running */
  int idle_handler_threads;
  int handler_threads;
  int closing;
  int timer_thread_started;
  pthread_t timer_thread;
  aev__clock_watch *watch; /* real clock, when the system has one */
  pthread_t *worker_threads;
  int started_workers;
  thread_node *handler_list;
};

/* The scheduler whose task the calling thread is running, if any. */
static _Thread_local const aev__sched *current_sched;

static void list_push(task_list *l, task *t) {
  t->next = NULL;
  if (l->tail)
    l->tail->next = t;
  else
    l->head = t;
  l->tail = t;
}

static task *list_pop(task_list *l) {
  task *t = l->head;
  if (t) {
    l->head = t->next;
    if (!l->head) l->tail = NULL;
  }
  return t;
}

/* Runs fn(arg, 0) marked as running inside s, restoring any outer mark (a
 * task of one broker may drain another). */
static void run_marked(const aev__sched *s, aev__task_fn fn, void *arg) {
  const aev__sched *outer = current_sched;
  current_sched = s;
  fn(arg, 0);
  current_sched = outer;
}

/* Called with mu held after a task finished. */
static void finish_one(aev__sched *s) {
  if (--s->outstanding == 0) pthread_cond_broadcast(&s->idle_cv);
}

/* Queues a ready node and wakes one worker. Called with mu held. */
static void push_ready(aev__sched *s, task *t) {
  list_push(&s->ready, t);
  if (s->workers > 0) pthread_cond_signal(&s->work_cv);
}

/* A node the scheduler allocates (and frees once its task ran), or NULL. */
static task *node_new(aev__task_fn fn, void *arg) {
  task *t = malloc(sizeof *t);
  if (!t) return NULL;
  t->fn = fn;
  t->arg = arg;
  t->strand = NULL;
  t->embedded = 0;
  return t;
}

/* Frees t once its task ran, unless its poster owns it. Takes `embedded`
 * as read before the task ran, since the task may have freed t. */
static void node_done(task *t, int embedded) {
  if (!embedded) free(t);
}

/* Queues node t on the ready queue or its strand's lane. Called with mu
 * held; the caller has checked `closing`. */
static void enqueue_node(aev__sched *s, aev__strand *st, task *t) {
  s->outstanding++;
  if (!st) {
    push_ready(s, t);
    return;
  }
  list_push(&st->items, t);
  if (!st->scheduled) {
    st->scheduled = 1;
    push_ready(s, &st->runner);
  }
}

/* Queues fn(arg) in a node of its own. Called with mu held. */
static int enqueue(aev__sched *s, aev__strand *st, aev__task_fn fn,
                   void *arg) {
  task *t = node_new(fn, arg);
  if (!t) return aev__nomem();
  enqueue_node(s, st, t);
  return AEV_OK;
}

/* Runs one ready node (a plain task or one item of a strand) without mu;
 * called and returns with mu held. */
static void run_ready(aev__sched *s, task *t) {
  aev__strand *st = t->strand;
  task *item = st ? list_pop(&st->items) : t;
  int embedded = item->embedded;
  pthread_mutex_unlock(&s->mu);
  run_marked(s, item->fn, item->arg);
  node_done(item, embedded);
  pthread_mutex_lock(&s->mu);
  finish_one(s);
  if (!st) return;
  if (st->items.head) {
    push_ready(s, &st->runner); /* the lane's next item goes to the back */
  } else {
    st->scheduled = 0;
    if (st->released) free(st);
  }
}

/* Moves the earliest timer due at `now` to the ready queue (or its strand).
 * Returns 1 if one moved. Called with mu held. */
static int collect_one_due(aev__sched *s, int64_t now) {
  aev__timer *t = aev__timer_heap_top(&s->heap);
  if (!t || t->deadline > now) return 0;
  if (enqueue(s, t->strand, t->fn, t->arg) != AEV_OK)
    return 0; /* out of memory: the timer stays armed and fires later */
  aev__timer_heap_remove(&s->heap, t);
  return 1;
}

static void *worker_main(void *arg) {
  aev__sched *s = arg;
  pthread_mutex_lock(&s->mu);
  /* At shutdown a worker finishes the task it runs and stops; what is still
   * queued is cancelled by aev__sched_shutdown, never half-run. */
  while (!s->closing) {
    task *t = list_pop(&s->ready);
    if (t)
      run_ready(s, t);
    else
      pthread_cond_wait(&s->work_cv, &s->mu);
  }
  pthread_mutex_unlock(&s->mu);
  return NULL;
}

static struct timespec mono_timespec(int64_t ms) {
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
  return ts;
}

/* Real clock: sleeps until the head deadline (or until a new head is
 * armed), moves due timers to the ready queue. Never wakes otherwise. */
static void *timer_main(void *arg) {
  aev__sched *s = arg;
  pthread_mutex_lock(&s->mu);
  while (!s->closing) {
    aev__timer *head = aev__timer_heap_top(&s->heap);
    if (!head) {
      pthread_cond_wait(&s->timer_cv, &s->mu);
      continue;
    }
    int64_t now = aev__clock_mono_ms(s->clock);
    if (head->deadline > now) {
      struct timespec until = mono_timespec(head->deadline);
      pthread_cond_timedwait(&s->timer_cv, &s->mu, &until);
      continue;
    }
    while (collect_one_due(s, now)) {
    }
  }
  pthread_mutex_unlock(&s->mu);
  return NULL;
}

static void *handler_main(void *arg) {
  aev__sched *s = arg;
  pthread_mutex_lock(&s->mu);
  while (!s->closing) {
    task *t = list_pop(&s->handlers);
    if (t) {
      pthread_mutex_unlock(&s->mu);
      run_marked(s, t->fn, t->arg);
      free(t);
      pthread_mutex_lock(&s->mu);
      finish_one(s);
      continue;
    }
    s->idle_handler_threads++;
    pthread_cond_wait(&s->handler_cv, &s->mu);
    s->idle_handler_threads--;
  }
  pthread_mutex_unlock(&s->mu);
  return NULL;
}

static int init_cond_monotonic(pthread_cond_t *cv) {
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  int rc = pthread_cond_init(cv, &attr);
  pthread_condattr_destroy(&attr);
  return rc;
}

/* The clock watch's call. */
static void wall_set(void *arg) { aev__sched_wall_set(arg); }

int aev__sched_new(aev__clock *clock, int workers, aev__sched **out) {
  aev__sched *s = calloc(1, sizeof *s);
  if (!s) return aev__nomem();
  s->clock = clock;
  s->workers = workers;
  pthread_mutex_init(&s->mu, NULL);
  pthread_mutex_init(&s->drain_mu, NULL);
  pthread_cond_init(&s->work_cv, NULL);
  pthread_cond_init(&s->handler_cv, NULL);
  pthread_cond_init(&s->idle_cv, NULL);
  init_cond_monotonic(&s->timer_cv);
  if (workers > 0) {
    s->worker_threads = calloc((size_t)workers, sizeof *s->worker_threads);
    if (!s->worker_threads) {
      aev__sched_free(s);
      return aev__nomem();
    }
    for (int i = 0; i < workers; i++) {
      if (pthread_create(&s->worker_threads[i], NULL, worker_main, s)) break;
      s->started_workers++;
    }
    if (clock->mode == AEV_CLOCK_REAL &&
        pthread_create(&s->timer_thread, NULL, timer_main, s) == 0)
      s->timer_thread_started = 1;
    if (s->started_workers < workers ||
        (clock->mode == AEV_CLOCK_REAL && !s->timer_thread_started)) {
      aev__sched_shutdown(s);
      aev__sched_free(s);
      return aev__fail(AEV_ERR_INTERNAL, "InternalFailure",
                       "Could not start the scheduler's threads.");
    }
  }
  /* Without a watch (a system that gives no notice of clock sets), a
   * timer for a wall-clock instant fires late after the clock is set
   * forward, as it would on the monotonic clock alone: no reason to refuse
   * the broker. Without workers, timers fire only in a drain, which asks
   * the watch first. */
  if (clock->mode == AEV_CLOCK_REAL) {
    if (workers > 0) aev__clock_watch_start(wall_set, s, &s->watch);
    else aev__clock_watch_open(&s->watch);
  }
  *out = s;
  return AEV_OK;
}

void aev__timer_init(aev__timer *t, aev__task_fn fn, void *arg,
                     aev__strand *strand) {
  t->deadline = 0;
  t->seq = 0;
  t->child = t->next = t->prev = t->scan = NULL;
  t->armed = 0;
  t->wall = 0;
  t->wall_ms = 0;
  t->fn = fn;
  t->arg = arg;
  t->strand = strand;
}

static int closed_error(void) {
  return aev__fail(AEV_ERR_CLOSED, "ServiceUnavailable",
                   "The broker has been destroyed.");
}

/* (Re)arms t for deadline. Called with mu held. */
static void arm_locked(aev__sched *s, aev__timer *t, int64_t deadline) {
  if (t->armed) aev__timer_heap_remove(&s->heap, t);
  t->deadline = deadline;
  t->seq = s->next_seq++;
  aev__timer_heap_push(&s->heap, t);
  if (aev__timer_heap_top(&s->heap) == t) pthread_cond_signal(&s->timer_cv);
}

/* aev__timer_arm (wall = 0) and aev__timer_arm_wall (wall = 1, when the
 * deadline is epoch_ms's). */
static int arm(aev__sched *s, aev__timer *t, int64_t when, int wall) {
  pthread_mutex_lock(&s->mu);
  if (s->closing) {
    pthread_mutex_unlock(&s->mu);
    return closed_error();
  }
  t->wall = wall;
  t->wall_ms = wall ? when : 0;
  arm_locked(s, t, wall ? aev__clock_epoch_to_mono(s->clock, when) : when);
  pthread_mutex_unlock(&s->mu);
  return AEV_OK;
}

int aev__timer_arm(aev__sched *s, aev__timer *t, int64_t deadline) {
  return arm(s, t, deadline, 0);
}

int aev__timer_arm_wall(aev__sched *s, aev__timer *t, int64_t epoch_ms) {
  return arm(s, t, epoch_ms, 1);
}

void aev__sched_wall_set(aev__sched *s) {
  pthread_mutex_lock(&s->mu);
  aev__timer *next;
  for (aev__timer *t = aev__timer_heap_list(&s->heap); t; t = next) {
    next = t->scan;
    if (t->wall) arm_locked(s, t, aev__clock_epoch_to_mono(s->clock, t->wall_ms));
  }
  pthread_cond_signal(&s->timer_cv);
  pthread_mutex_unlock(&s->mu);
}

int aev__timer_cancel(aev__sched *s, aev__timer *t) {
  pthread_mutex_lock(&s->mu);
  int was_armed = t->armed;
  if (was_armed) aev__timer_heap_remove(&s->heap, t);
  pthread_mutex_unlock(&s->mu);
  return was_armed;
}

int aev__sched_post(aev__sched *s, aev__strand *strand, aev__task_fn fn,
                    void *arg) {
  pthread_mutex_lock(&s->mu);
  int rc = s->closing ? closed_error() : enqueue(s, strand, fn, arg);
  pthread_mutex_unlock(&s->mu);
  return rc;
}

int aev__sched_post_node(aev__sched *s, aev__strand *strand,
                         aev__task_node *node, aev__task_fn fn, void *arg) {
  node->fn = fn;
  node->arg = arg;
  node->strand = NULL;
  node->embedded = 1;
  pthread_mutex_lock(&s->mu);
  int rc = s->closing ? closed_error() : AEV_OK;
  if (rc == AEV_OK) enqueue_node(s, strand, node);
  pthread_mutex_unlock(&s->mu);
  return rc;
}

int aev__sched_post_handler(aev__sched *s, aev__task_fn fn, void *arg) {
  if (s->workers == 0) return aev__sched_post(s, NULL, fn, arg);
  task *t = node_new(fn, arg);
  thread_node *node = NULL;
  if (!t) return aev__nomem();
  pthread_mutex_lock(&s->mu);
  if (s->closing) {
    pthread_mutex_unlock(&s->mu);
    free(t);
    return closed_error();
  }
  s->outstanding++;
  list_push(&s->handlers, t);
  if (s->idle_handler_threads > 0) {
    pthread_cond_signal(&s->handler_cv);
  } else if (s->handler_threads < MAX_HANDLER_THREADS &&
             (node = malloc(sizeof *node)) != NULL) {
    if (pthread_create(&node->thread, NULL, handler_main, s) == 0) {
      node->next = s->handler_list;
      s->handler_list = node;
      s->handler_threads++;
    } else {
      free(node); /* the handler waits for a running thread to take it */
    }
  }
  pthread_mutex_unlock(&s->mu);
  return AEV_OK;
}

aev__strand *aev__strand_new(aev__sched *s) {
  aev__strand *st = calloc(1, sizeof *st);
  if (!st) {
    aev__nomem();
    return NULL;
  }
  st->sched = s;
  st->runner.strand = st;
  return st;
}

void aev__strand_release(aev__strand *st) {
  if (!st) return;
  aev__sched *s = st->sched;
  pthread_mutex_lock(&s->mu);
  st->released = 1;
  int idle = !st->scheduled;
  pthread_mutex_unlock(&s->mu);
  if (idle) free(st);
}

int aev__sched_in_task(const aev__sched *s) { return current_sched == s; }

static int busy_error(const char *what) {
  return aev__fail(AEV_ERR_BUSY, "InvalidState",
                   "%s cannot be called from inside a library callback.",
                   what);
}

/* Runs ready work to quiescence, then fires the earliest due timer and
 * drains again, until no timer is due at "now". Called with drain_mu held. */
static void drain_locked(aev__sched *s) {
  pthread_mutex_lock(&s->mu);
  for (;;) {
    if (s->workers == 0) {
      task *t = list_pop(&s->ready);
      if (t) {
        run_ready(s, t);
        continue;
      }
    } else {
      while (s->outstanding > 0) pthread_cond_wait(&s->idle_cv, &s->mu);
    }
    if (!collect_one_due(s, aev__clock_mono_ms(s->clock))) break;
  }
  pthread_mutex_unlock(&s->mu);
}

int aev__sched_drain(aev__sched *s) {
  if (aev__sched_in_task(s)) return busy_error("aev_broker_drain");
  pthread_mutex_lock(&s->drain_mu);
  /* A watch without a thread (no workers): its news is taken here. */
  if (!s->workers && s->watch && aev__clock_watch_was_set(s->watch)) aev__sched_wall_set(s);
  drain_locked(s);
  pthread_mutex_unlock(&s->drain_mu);
  return AEV_OK;
}

int aev__sched_advance(aev__sched *s, int64_t ms) {
  if (s->clock->mode != AEV_CLOCK_MANUAL)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "aev_broker_advance needs a broker on the manual clock.");
  if (ms < 0)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "Value %lld for parameter ms is invalid. Reason: Must "
                     "be 0 or more.",
                     (long long)ms);
  /* Checked before adding: a step near INT64_MAX would overflow. */
  if (ms > AEV__CLOCK_MAX_MS - aev__clock_mono_ms(s->clock))
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "Value %lld for parameter ms is invalid. Reason: The "
                     "clock would pass 9999-12-31T23:59:59.999Z.",
                     (long long)ms);
  if (aev__sched_in_task(s)) return busy_error("aev_broker_advance");
  pthread_mutex_lock(&s->drain_mu);
  int64_t target = aev__clock_mono_ms(s->clock) + ms;
  drain_locked(s);
  for (;;) {
    pthread_mutex_lock(&s->mu);
    aev__timer *t = aev__timer_heap_top(&s->heap);
    int fire = t && t->deadline <= target;
    if (fire) aev__clock_set_manual(s->clock, t->deadline);
    pthread_mutex_unlock(&s->mu);
    if (!fire) break;
    /* drain fires the head, runs what it posts, then any timer tied with
     * it, one at a time. */
    drain_locked(s);
  }
  aev__clock_set_manual(s->clock, target);
  pthread_mutex_unlock(&s->drain_mu);
  return AEV_OK;
}

int aev__sched_next_deadline(aev__sched *s, int64_t *out) {
  pthread_mutex_lock(&s->mu);
  aev__timer *t = aev__timer_heap_top(&s->heap);
  if (t) *out = t->deadline;
  pthread_mutex_unlock(&s->mu);
  return t ? AEV_OK
           : aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                       "No timer is pending.");
}

int aev__sched_workers(const aev__sched *s) { return s->workers; }

int aev__sched_thread_count(aev__sched *s) {
  pthread_mutex_lock(&s->mu);
  /* Only a broker with workers has a watch with a thread. */
  int n = s->started_workers + s->timer_thread_started + (s->workers && s->watch) +
          s->handler_threads;
  pthread_mutex_unlock(&s->mu);
  return n;
}

/* Hands every queued task and armed timer its cancelled call. Called after
 * all threads have stopped, so nothing else touches the queues. */
static void cancel_all(aev__sched *s) {
  pthread_mutex_lock(&s->mu);
  for (;;) {
    aev__timer *t = aev__timer_heap_top(&s->heap);
    task *node = NULL;
    aev__task_fn fn;
    void *arg;
    int embedded = 0;
    if (t) {
      aev__timer_heap_remove(&s->heap, t);
      fn = t->fn;
      arg = t->arg;
    } else if ((node = list_pop(&s->handlers)) != NULL ||
               (node = list_pop(&s->ready)) != NULL) {
      aev__strand *st = node->strand;
      if (st) {
        task *item = list_pop(&st->items);
        if (st->items.head)
          list_push(&s->ready, &st->runner);
        else
          st->scheduled = 0;
        int gone = !st->scheduled && st->released;
        node = item;
        if (gone) free(st);
      }
      fn = node->fn;
      arg = node->arg;
      embedded = node->embedded;
      s->outstanding--;
    } else {
      break;
    }
    pthread_mutex_unlock(&s->mu);
    fn(arg, 1);
    if (node) node_done(node, embedded);
    pthread_mutex_lock(&s->mu);
  }
  pthread_cond_broadcast(&s->idle_cv);
  pthread_mutex_unlock(&s->mu);
}

void aev__sched_shutdown(aev__sched *s) {
  pthread_mutex_lock(&s->mu);
  if (s->closing) {
    pthread_mutex_unlock(&s->mu);
    return;
  }
  s->closing = 1;
  pthread_cond_broadcast(&s->work_cv);
  pthread_cond_broadcast(&s->timer_cv);
  pthread_cond_broadcast(&s->handler_cv);
  aev__clock_watch *watch = s->watch;
  s->watch = NULL;
  pthread_mutex_unlock(&s->mu);
  aev__clock_watch_stop(watch); /* outside mu, which its call takes */
  /* Workers and handler threads finish what they run, then stop; queued
   * work is cancelled below, never half-run. */
  if (s->timer_thread_started) pthread_join(s->timer_thread, NULL);
  for (int i = 0; i < s->started_workers; i++)
    pthread_join(s->worker_threads[i], NULL);
  for (thread_node *n = s->handler_list; n; n = n->next)
    pthread_join(n->thread, NULL);
  cancel_all(s);
}

void aev__sched_free(aev__sched *s) {
  if (!s) return;
  while (s->handler_list) {
    thread_node *n = s->handler_list;
    s->handler_list = n->next;
    free(n);
  }
  free(s->worker_threads);
  pthread_mutex_destroy(&s->mu);
  pthread_mutex_destroy(&s->drain_mu);
  pthread_cond_destroy(&s->work_cv);
  pthread_cond_destroy(&s->timer_cv);
  pthread_cond_destroy(&s->handler_cv);
  pthread_cond_destroy(&s->idle_cv);
  free(s);
}

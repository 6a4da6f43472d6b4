/* The wall clock's watch: a CLOCK_REALTIME timerfd armed, with
 * TFD_TIMER_CANCEL_ON_SET, for an instant a century away. The kernel wakes
 * its reader (read() fails with ECANCELED) whenever the wall clock is set,
 * and at no other time; a second descriptor (an eventfd) stops the thread.
 * Idle, the thread sleeps in poll(). */
#include "core/clock_watch.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "core/status.h"

struct aev__clock_watch {
  int timer_fd, stop_fd;
  pthread_t thread;
  void (*on_set)(void *arg);
  void *arg;
};

/* A century, in seconds: the timer is never meant to expire. */
#define FAR_S ((time_t)100 * 365 * 24 * 3600)

/* (Re)arms the timerfd, which a set of the clock leaves cancelled. */
static int arm(int fd) {
  struct itimerspec its = {0};
  if (clock_gettime(CLOCK_REALTIME, &its.it_value)) return -1;
  its.it_value.tv_sec += FAR_S;
  return timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL);
}

/* Takes the timerfd's news: 1 when it was cancelled by a set of the clock
 * (or, a century on, expired), and is armed again; 0 when there was none;
 * -1 when it could not be armed again. */
static int take_news(int fd) {
  uint64_t expirations;
  if (read(fd, &expirations, sizeof expirations) < 0 && errno != ECANCELED) return 0;
  return arm(fd) ? -1 : 1;
}

static void *watch_main(void *p) {
  aev__clock_watch *w = p;
  for (;;) {
    struct pollfd fds[2] = {{.fd = w->timer_fd, .events = POLLIN},
                            {.fd = w->stop_fd, .events = POLLIN}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return NULL;
    }
    if (fds[1].revents) return NULL;
    /* Armed again before on_set reads the clock, so that a set during
     * on_set is not missed. */
    const int news = take_news(w->timer_fd);
    if (news < 0) return NULL;
    if (news) w->on_set(w->arg);
  }
}

static void close_fds(aev__clock_watch *w) {
  if (w->timer_fd >= 0) close(w->timer_fd);
  if (w->stop_fd >= 0) close(w->stop_fd);
}

/* With on_set NULL, the watch of aev__clock_watch_open(): no thread. */
int aev__clock_watch_start(void (*on_set)(void *arg), void *arg, aev__clock_watch **out) {
  *out = NULL;
  aev__clock_watch *w = malloc(sizeof *w);
  if (!w) return aev__nomem();
  w->on_set = on_set;
  w->arg = arg;
  w->timer_fd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK);
  w->stop_fd = eventfd(0, EFD_CLOEXEC);
  const char *failed =
      w->timer_fd < 0 || w->stop_fd < 0 ? "create its descriptors"
      : arm(w->timer_fd)                 ? "arm its timer"
      : on_set && pthread_create(&w->thread, NULL, watch_main, w) ? "start its thread"
                                                                 : NULL;
  if (failed) {
    close_fds(w);
    free(w);
    return aev__fail(AEV_ERR_INTERNAL, "InternalFailure",
                     "The wall clock's watch could not %s.", failed);
  }
  *out = w;
  return AEV_OK;
}

int aev__clock_watch_open(aev__clock_watch **out) {
  return aev__clock_watch_start(NULL, NULL, out);
}

int aev__clock_watch_was_set(aev__clock_watch *w) { return take_news(w->timer_fd) > 0; }

void aev__clock_watch_stop(aev__clock_watch *w) {
  if (!w) return;
  const uint64_t one = 1;
  if (w->on_set) {
    while (write(w->stop_fd, &one, sizeof one) < 0 && errno == EINTR) continue;
    pthread_join(w->thread, NULL);
  }
  close_fds(w);
  free(w);
}

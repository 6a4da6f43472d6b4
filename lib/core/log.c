/* The broker's log: formats a line and hands it to the user's callback with
 * no library lock held; closing waits for callbacks in flight. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/broker_impl.h"

/* The broker whose log callback this thread is running, if any. */
static _Thread_local const aev_broker *logging_broker;

int aev__log_in_callback(const aev_broker *b) { return logging_broker == b; }

void aev__log(aev_broker *b, int level, const char *fmt, ...) {
  pthread_mutex_lock(&b->log_mu);
  aev__log_sink sink = b->log;
  int enabled = sink.fn && level <= sink.max_level;
  if (enabled) b->log_running++;
  pthread_mutex_unlock(&b->log_mu);
  if (!enabled) return;
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  const aev_broker *outer = logging_broker;
  logging_broker = b;
  sink.fn(sink.user, level, line);
  logging_broker = outer;
  pthread_mutex_lock(&b->log_mu);
  if (--b->log_running == 0) pthread_cond_broadcast(&b->log_idle);
  pthread_mutex_unlock(&b->log_mu);
}

void aev__log_close(aev_broker *b) {
  pthread_mutex_lock(&b->log_mu);
  aev__log_sink sink = b->log;
  memset(&b->log, 0, sizeof b->log);
  while (b->log_running > 0) pthread_cond_wait(&b->log_idle, &b->log_mu);
  pthread_mutex_unlock(&b->log_mu);
  if (sink.release) sink.release(sink.user);
}

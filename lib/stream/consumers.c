/* Enhanced fan-out consumers: RegisterStreamConsumer (at most 20 per
 * stream, CREATING until the broker runs the change, then ACTIVE),
 * DeregisterStreamConsumer (ends its subscriptions), ListStreamConsumers
 * and DescribeStreamConsumer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/json_build.h"
#include "core/json_dump.h"
#include "core/status.h"
#include "stream/stream.h"

aev__consumer *aev__consumer_find(aev_stream *s, const char *name) {
  for (aev__consumer *c = s->consumers; c; c = c->next)
    if (!strcmp(c->name, name)) return c;
  return NULL;
}

aev__consumer *aev__consumer_by_arn(aev_stream *s, const char *arn) {
  for (aev__consumer *c = s->consumers; c; c = c->next)
    if (!strcmp(c->arn, arn)) return c;
  return NULL;
}

void aev__consumer_free(aev__consumer *c) {
  json_decref(c->tags);
  free(c->policy);
  free(c->name);
  free(c->arn);
  free(c);
}

typedef struct activate {
  aev_stream *s;
  char *name;
} activate;

static void activate_task(void *arg, int cancelled) {
  activate *a = arg;
  if (!cancelled) {
    pthread_mutex_lock(&a->s->mu);
    aev__consumer *c = aev__consumer_find(a->s, a->name);
    if (c) c->active = 1;
    pthread_mutex_unlock(&a->s->mu);
  }
  aev__resource_unref(&a->s->res);
  free(a->name);
  free(a);
}

int aev_stream_register_consumer(aev_stream *s, const char *name,
                                 char **consumer_arn) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  if (!consumer_arn) return aev__kin_invalid("Missing argument.");
  if (!name) return aev__kin_validation(NULL, "consumerName", "Member must not be null");
  if ((rc = aev__stream_name_check("consumerName", name))) return rc;
  aev__consumer *c = calloc(1, sizeof *c);
  activate *a = calloc(1, sizeof *a);
  if (!c || !a || !(c->name = strdup(name)) || !(a->name = strdup(name))) {
    if (c) aev__consumer_free(c);
    if (a) free(a->name);
    free(a);
    return aev__nomem();
  }
  pthread_mutex_lock(&s->mu);
  if (aev__consumer_find(s, name)) {
    rc = aev__fail(AEV_ERR_EXISTS, "ResourceInUseException",
                   "Consumer %s under stream %s under account %s already "
                   "exists.",
                   name, s->res.name, aev_broker_account(s->res.broker));
  } else if (s->nconsumers >= AEV__MAX_CONSUMERS) {
    rc = aev__fail(AEV_ERR_LIMIT, "LimitExceededException",
                   "Stream %s under account %s already has %d registered "
                   "consumers.",
                   s->res.name, aev_broker_account(s->res.broker),
                   AEV__MAX_CONSUMERS);
  } else {
    c->created_s = aev__stream_now_ms(s) / 1000;
    if (asprintf(&c->arn, "%s/consumer/%s:%lld", s->res.arn, name,
                 (long long)c->created_s) < 0)
      c->arn = NULL;
    *consumer_arn = c->arn ? strdup(c->arn) : NULL;
    rc = *consumer_arn ? AEV_OK : aev__nomem();
    if (rc == AEV_OK) {
      a->s = s;
      aev__resource_ref(&s->res);
      rc = aev__sched_post(aev__broker_sched(s->res.broker), NULL,
                           activate_task, a);
      if (rc != AEV_OK) {
        aev__resource_unref(&s->res);
        free(*consumer_arn);
        *consumer_arn = NULL;
      }
    }
    if (rc == AEV_OK) {
      c->next = s->consumers;
      s->consumers = c;
      s->nconsumers++;
      c = NULL;
      a = NULL;
    }
  }
  pthread_mutex_unlock(&s->mu);
  if (c) aev__consumer_free(c);
  if (a) {
    free(a->name);
    free(a);
  }
  return rc;
}

int aev_stream_deregister_consumer(aev_stream *s, const char *name) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&s->mu);
  aev__consumer **pp = &s->consumers;
  while (*pp && strcmp((*pp)->name, name ? name : "")) pp = &(*pp)->next;
  aev__consumer *c = *pp;
  if (c) {
    *pp = c->next;
    s->nconsumers--;
  }
  pthread_mutex_unlock(&s->mu);
  if (!c) return aev__kin_no_consumer(s, name);
  aev__fanout_end(s, c->name);
  aev__consumer_free(c);
  return AEV_OK;
}

static json_t *consumer_json(const aev__consumer *c) {
  return json_pack("{s:s, s:s, s:s, s:I}", "ConsumerName", c->name,
                   "ConsumerARN", c->arn, "ConsumerStatus",
                   c->active ? "ACTIVE" : "CREATING",
                   "ConsumerCreationTimestamp", (json_int_t)c->created_s);
}

int aev__stream_consumers_json(aev_stream *s, json_t **out) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  json_t *list = json_array();
  int whole = list != NULL;
  pthread_mutex_lock(&s->mu);
  for (aev__consumer *c = s->consumers; whole && c; c = c->next)
    whole = !json_array_insert_new(list, 0, consumer_json(c));
  pthread_mutex_unlock(&s->mu);
  *out = json_pack("{s:o}", "Consumers", aev__json_whole(list, whole));
  return *out ? AEV_OK : aev__nomem();
}

int aev__stream_consumer_json(aev_stream *s, const char *name,
                              const char *arn, json_t **out) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&s->mu);
  aev__consumer *c = s->consumers;
  while (c && !(name ? !strcmp(c->name, name) : arn && !strcmp(c->arn, arn)))
    c = c->next;
  json_t *j = c ? consumer_json(c) : NULL;
  if (c) j = aev__json_whole(j, !json_object_set_new(j, "StreamARN", json_string(s->res.arn)));
  pthread_mutex_unlock(&s->mu);
  if (!c) return aev__kin_no_consumer(s, name ? name : arn);
  *out = j;
  return j ? AEV_OK : aev__nomem();
}

int aev_stream_list_consumers(aev_stream *s, char **response_json) {
  if (!response_json) return aev__kin_invalid("Missing argument.");
  json_t *j;
  int rc = aev__stream_consumers_json(s, &j);
  if (rc != AEV_OK) return rc;
  *response_json = aev__json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return *response_json ? AEV_OK : aev__nomem();
}

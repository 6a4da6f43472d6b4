/* Topic lifecycle: CreateTopic (name rules, idempotency), lookup,
 * DeleteTopic, handles, counters, and the clock helper the other files
 * share. */
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "topic/topic_impl.h"

const char *const aev__topic_counter_names[AEV__C_COUNT] = {
    "NumberOfMessagesPublished",
    "PublishSize",
    "NumberOfNotificationsDelivered",
    "NumberOfNotificationsFailed",
    "NumberOfNotificationsFilteredOut",
    "NumberOfNotificationsFilteredOut-MessageAttributes",
    "NumberOfNotificationsFilteredOut-MessageBody",
    "NumberOfNotificationsFilteredOut-NoMessageAttributes",
    "NumberOfNotificationsFilteredOut-InvalidAttributes",
    "NumberOfNotificationsRedrivenToDlq",
    "NumberOfNotificationsFailedToRedriveToDlq",
    "MessagesWithFindings",
    "MessagesWithNoFindings",
};

int64_t aev__topic_now_ms(const aev_topic *t) {
  return aev__clock_now_ms(aev__broker_clock(t->res.broker));
}

void aev__topic_count(aev_topic *t, int counter, int64_t n) {
  t->counters[counter] += n;
}

int aev__topic_check(const aev_topic *t) {
  if (!t) return aev__fail(AEV_ERR_INVALID, "InvalidParameter",
                           "Invalid parameter: TopicArn");
  if (!t->res.deleted) return AEV_OK;
  int rc = aev__broker_check_open(t->res.broker);
  return rc != AEV_OK ? rc : aev__sns_not_found("Topic");
}

/* 1..256 of [A-Za-z0-9_-]; FIFO topics add ".fifo" (SNS CreateTopic). */
static int name_ok(const char *name, int fifo) {
  size_t len = strlen(name);
  int suffix = len > 5 && strcmp(name + len - 5, ".fifo") == 0;
  if (suffix != fifo) return 0;
  size_t base = suffix ? len - 5 : len;
  if (base == 0 || len > 256) return 0;
  for (size_t i = 0; i < base; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return 0;
  }
  return 1;
}

static void drop_dedup(aev_topic *t) {
  while (t->dd_head) {
    aev__tdedup *d = t->dd_head;
    t->dd_head = d->next;
    free(d);
  }
  t->dd_tail = NULL;
  json_object_clear(t->dd_index);
}

static void topic_destroy(aev__resource *r) {
  aev_topic *t = (aev_topic *)r;
  drop_dedup(t);
  aev__archive_done(aev__archive_clear(t));
  json_decref(t->dd_index);
  aev__fanview_retire(t->view);
  aev__subset_unref(t->subs);
  aev_pattern_set_free(t->filters[0]);
  aev_pattern_set_free(t->filters[1]);
  aev__tconf_free(&t->conf);
  json_decref(t->tags);
  if (t->strand) aev__strand_release(t->strand);
  pthread_mutex_destroy(&t->mu);
  free(t);
}

/* DeleteTopic or broker shutdown: subscriptions go with the topic. Their
 * snapshot is dropped outside the lock: the last reference to a
 * subscription releases a callback's user data. */
static void topic_shutdown(aev__resource *r) {
  aev_topic *t = (aev_topic *)r;
  pthread_mutex_lock(&t->mu);
  t->res.deleted = 1;
  aev__subset *old = t->subs;
  t->subs = NULL;
  for (size_t i = 0; old && i < old->n; i++) old->s[i]->deleted = 1;
  aev__fanview *view = aev__topic_take_view(t);
  drop_dedup(t);
  struct aev__expiry *expiry = aev__archive_clear(t);
  pthread_mutex_unlock(&t->mu);
  aev__archive_done(expiry);
  aev__fanview_retire(view);
  aev__subset_unref(old);
}

static int topic_new(aev_broker *b, const char *name, aev__tconf *conf,
                     aev_topic **out) {
  aev_topic *t = calloc(1, sizeof *t);
  if (!t) return aev__nomem();
  t->tags = json_object();
  t->dd_index = json_object();
  if (!t->tags || !t->dd_index ||
      aev_pattern_set_new(AEV_PATTERN_SNS_ATTRIBUTES, &t->filters[0]) ||
      aev_pattern_set_new(AEV_PATTERN_SNS_BODY, &t->filters[1]) ||
      pthread_mutex_init(&t->mu, NULL)) {
    json_decref(t->tags);
    json_decref(t->dd_index);
    aev_pattern_set_free(t->filters[0]);
    aev_pattern_set_free(t->filters[1]);
    free(t);
    return aev__nomem();
  }
  if (conf->fifo) t->strand = aev__strand_new(aev__broker_sched(b));
  t->conf = *conf;
  t->next_seq = 10000000000000000000ULL; /* AWS's FIFO numbers have 20 digits */
  aev__rng_seed(&t->rng, aev__broker_random(b));
  t->region = aev_broker_region(b);
  /* A topic created with an ArchivePolicy archives from its creation. */
  t->arch_floor_ms = aev__clock_now_ms(aev__broker_clock(b));
  /* The header last: once made, it holds the broker. */
  int rc = conf->fifo && !t->strand
               ? AEV_ERR_NOMEM
               : aev__resource_init(&t->res, b, AEV__KIND_TOPIC, name, topic_destroy,
                                    topic_shutdown);
  if (rc != AEV_OK) {
    if (t->strand) aev__strand_release(t->strand);
    json_decref(t->tags);
    json_decref(t->dd_index);
    aev_pattern_set_free(t->filters[0]);
    aev_pattern_set_free(t->filters[1]);
    pthread_mutex_destroy(&t->mu);
    free(t);
    return rc == AEV_ERR_NOMEM ? aev__nomem() : rc;
  }
  *out = t;
  return AEV_OK;
}

static int create(aev_broker *b, const char *name, json_t *attrs,
                  aev_topic **out) {
  int rc = aev__broker_check_open(b);
  if (rc != AEV_OK) return rc;
  if (!name) return aev__sns_missing("Name");
  aev__tconf conf;
  if ((rc = aev__tconf_parse(attrs, 1, &conf)) != AEV_OK) return rc;
  if (!name_ok(name, conf.fifo)) {
    int fifo = conf.fifo;
    aev__tconf_free(&conf);
    if (fifo)
      return aev__sns_invalid(
          "Invalid parameter: Fifo Topic names must end with .fifo and must "
          "be made up of only uppercase and lowercase ASCII letters, numbers, "
          "underscores, and hyphens, and must be between 1 and 256 characters "
          "long.");
    return aev__sns_invalid("Invalid parameter: Topic Name");
  }
  aev_topic *t = NULL;
  if ((rc = topic_new(b, name, &conf, &t)) != AEV_OK) {
    aev__tconf_free(&conf);
    return rc;
  }
  aev__resource *existing = NULL;
  rc = aev__registry_add(b, &t->res, &existing);
  if (rc == AEV_ERR_EXISTS) {
    aev_topic *e = (aev_topic *)existing;
    pthread_mutex_lock(&e->mu);
    int same = aev__tconf_same(&e->conf, &t->conf, attrs);
    pthread_mutex_unlock(&e->mu);
    aev__resource_unref(&t->res);
    if (!same) {
      aev__resource_unref(existing);
      return aev__sns_invalid("Invalid parameter: Attributes Reason: Topic "
                              "already exists with different attributes");
    }
    *out = e;
    return AEV_OK;
  }
  if (rc != AEV_OK) {
    aev__resource_unref(&t->res);
    return rc;
  }
  *out = t;
  return AEV_OK;
}

int aev_topic_create(aev_broker *b, const char *name,
                     const char *attributes_json, aev_topic **out) {
  if (!b || !out)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameter",
                     "Invalid parameter: missing argument");
  json_t *attrs = NULL;
  if (attributes_json && *attributes_json) {
    if (aev__json_parse_str(attributes_json, 0, &attrs) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
    if (!json_is_object(attrs)) {
      json_decref(attrs);
      return aev__sns_invalid("Invalid parameter: Attributes must be a JSON "
                              "object of attribute names to strings");
    }
  }
  int rc = create(b, name, attrs, out);
  json_decref(attrs);
  return rc;
}

int aev__topic_find(aev_broker *b, const char *name_or_arn, aev_topic **out) {
  int rc = aev__broker_check_open(b);
  if (rc != AEV_OK) return rc;
  aev__resource *r =
      name_or_arn ? aev__registry_find(b, AEV__KIND_TOPIC, name_or_arn) : NULL;
  if (!r) return aev__sns_not_found("Topic");
  *out = (aev_topic *)r;
  return AEV_OK;
}

int aev_topic_get(aev_broker *b, const char *name_or_arn, aev_topic **out) {
  if (!b || !out)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameter",
                     "Invalid parameter: missing argument");
  return aev__topic_find(b, name_or_arn, out);
}

void aev_topic_release(aev_topic *t) {
  if (t) aev__resource_unref(&t->res);
}

int aev_topic_delete(aev_topic *t) {
  int rc = aev__topic_check(t);
  if (rc != AEV_OK) return rc;
  /* "You can not delete a topic with an active message archive policy"
   * (developer guide, message-archiving-and-replay-topic-owner); DeleteTopic
   * answers InvalidState (API reference), worded as AWS words it (recorded
   * against AWS by the Terraform AWS provider's TestAccSNSTopic_
   * fifoWithArchivePolicy). */
  pthread_mutex_lock(&t->mu);
  int archiving = t->conf.archive_days != 0;
  pthread_mutex_unlock(&t->mu);
  if (archiving)
    return aev__fail(AEV_ERR_STATE, "InvalidState",
                     "Invalid state: Cannot delete a topic with an ArchivePolicy");
  if (aev__registry_remove(t->res.broker, &t->res) != AEV_OK)
    return aev__sns_not_found("Topic");
  return AEV_OK;
}

const char *aev_topic_name(const aev_topic *t) { return t ? t->res.name : NULL; }
const char *aev_topic_arn(const aev_topic *t) { return t ? t->res.arn : NULL; }

int aev_topic_counter(aev_topic *t, const char *name, int64_t *value) {
  if (!t || !name || !value)
    return aev__sns_invalid("Invalid parameter: missing argument");
  for (int i = 0; i < AEV__C_COUNT; i++)
    if (strcmp(name, aev__topic_counter_names[i]) == 0) {
      *value = t->counters[i] + (i == AEV__C_DELIVERED ? t->plain_delivered : 0);
      return AEV_OK;
    }
  return aev__sns_invalid("Invalid parameter: Unknown counter %s", name);
}

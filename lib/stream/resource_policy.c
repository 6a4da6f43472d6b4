/* Resource-based policies of streams and of their consumers:
 * PutResourcePolicy, GetResourcePolicy and DeleteResourcePolicy. Kept and
 * answered as given, not enforced: the broker has one account and no
 * identities to check them against (as SQS's and Lambda's policies). */
#include <stdlib.h>
#include <string.h>

#include "core/json_parse.h"
#include "core/status.h"
#include "stream/stream.h"

/* The policy slot of the stream (consumer_arn NULL) or of its consumer
 * with that ARN (mu held): NULL when there is no such consumer. */
static char **policy_of(aev_stream *s, const char *consumer_arn) {
  if (!consumer_arn) return &s->policy;
  aev__consumer *c = aev__consumer_by_arn(s, consumer_arn);
  return c ? &c->policy : NULL;
}

int aev__stream_put_policy(aev_stream *s, const char *consumer_arn, const char *policy) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  json_t *doc = NULL;
  rc = aev__json_parse_str(policy, 0, &doc);
  int object = json_is_object(doc);
  json_decref(doc);
  if (rc == AEV_ERR_NOMEM) return aev__nomem();
  if (!object)
    return aev__kin_invalid("Policy is not a valid JSON policy document: it must be a "
                            "JSON object with the statements the resource allows.");
  char *copy = strdup(policy);
  if (!copy) return aev__nomem();
  pthread_mutex_lock(&s->mu);
  char **slot = policy_of(s, consumer_arn);
  if (slot) {
    free(*slot);
    *slot = copy;
  }
  pthread_mutex_unlock(&s->mu);
  if (slot) return AEV_OK;
  free(copy);
  return aev__kin_no_resource(s, consumer_arn);
}

int aev__stream_policy_json(aev_stream *s, const char *consumer_arn, json_t **out) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&s->mu);
  char **slot = policy_of(s, consumer_arn);
  /* A resource without a policy answers an empty one. */
  *out = slot ? json_pack("{s:s}", "Policy", *slot ? *slot : "{}") : NULL;
  pthread_mutex_unlock(&s->mu);
  if (!slot) return aev__kin_no_resource(s, consumer_arn);
  return *out ? AEV_OK : aev__nomem();
}

int aev__stream_delete_policy(aev_stream *s, const char *consumer_arn) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&s->mu);
  char **slot = policy_of(s, consumer_arn);
  if (slot) {
    free(*slot);
    *slot = NULL;
  }
  pthread_mutex_unlock(&s->mu);
  return slot ? AEV_OK : aev__kin_no_resource(s, consumer_arn);
}

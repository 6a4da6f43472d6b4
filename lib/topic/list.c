/* ListTopics, ListSubscriptions and ListSubscriptionsByTopic: 100 entries a
 * page in ARN order; a NextToken names the last ARN of the previous page, so
 * a page stays right when entries come and go between calls. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/broker.h"
#include "core/json_dump.h"
#include "core/status.h"
#include "topic/topic_impl.h"

/* AWS's NextToken is opaque base64 (recorded: test_subscription_paging's
 * "AAHrokS2...==", and test_list_subscriptions_by_topic_pagination decodes
 * it): here the ARN it names, encoded. Into *arn (NULL for no token; free
 * it) the ARN a token names. */
static int token_arn(const char *token, char **arn) {
  *arn = NULL;
  if (!token) return AEV_OK;
  unsigned char *text;
  size_t len;
  int rc = aev__base64_decode(token, strlen(token), &text, &len);
  if (rc == AEV_ERR_NOMEM) return rc;
  if (rc != AEV_OK || len < 5 || strlen((char *)text) != len || strncmp((char *)text, "arn:", 4)) {
    if (rc == AEV_OK) free(text);
    return aev__sns_invalid("Invalid parameter: NextToken");
  }
  *arn = (char *)text;
  return AEV_OK;
}

/* Sets resp's NextToken to the token naming arn; 1 when out of memory. */
static int set_token(json_t *resp, const char *arn) {
  char *token;
  if (aev__base64_encode(arn, strlen(arn), &token) != AEV_OK) return 1;
  int failed = json_object_set_new(resp, "NextToken", json_string(token)) != 0;
  free(token);
  return failed;
}

static char *dump(json_t *o) {
  char *s = o ? aev__json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(o);
  return s;
}

int aev_topic_list(aev_broker *b, const char *next_token, char **response_json) {
  if (!b || !response_json) return aev__sns_missing("broker");
  int rc = aev__broker_check_open(b);
  if (rc != AEV_OK) return rc;
  char *after;
  if ((rc = token_arn(next_token, &after)) != AEV_OK) return rc;
  aev__resource **all;
  size_t n;
  if ((rc = aev__registry_list(b, AEV__KIND_TOPIC, NULL, &all, &n)) != AEV_OK) {
    free(after);
    return rc;
  }
  json_t *topics = json_array(), *resp = json_object();
  int failed = !topics || !resp;
  const char *last = NULL;
  size_t shown = 0;
  /* Names sort like their ARNs: the account and region prefix is shared. */
  for (size_t i = 0; i < n && !failed; i++) {
    if (after && strcmp(all[i]->arn, after) <= 0) continue;
    if (shown == AEV__SNS_PAGE) {
      failed = set_token(resp, last);
      break;
    }
    failed = json_array_append_new(topics, json_pack("{s:s}", "TopicArn", all[i]->arn)) != 0;
    last = all[i]->arn;
    shown++;
  }
  failed |= json_object_set_new(resp, "Topics", topics);
  *response_json = failed ? NULL : dump(resp);
  if (failed) json_decref(resp);
  aev__registry_list_free(all, n);
  free(after);
  return *response_json ? AEV_OK : aev__nomem();
}

/* Appends t's subscriptions as ListSubscriptions entries, each with its
 * real ARN as "_arn", which sorts and pages even when the shown one is a
 * status. 1 when memory ran out (out may then hold some of them). */
static int add_subs(aev_topic *t, json_t *out) {
  int failed = 0;
  pthread_mutex_lock(&t->mu);
  for (size_t i = 0; t->subs && i < t->subs->n && !failed; i++) {
    aev__sub *s = t->subs->s[i];
    failed = json_array_append_new(
                 out, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "SubscriptionArn",
                                s->pending ? "PendingConfirmation" : s->arn, "Owner",
                                aev_broker_account(t->res.broker), "Protocol", s->protocol,
                                "Endpoint", s->endpoint, "TopicArn", t->res.arn, "_arn",
                                s->arn)) != 0;
  }
  pthread_mutex_unlock(&t->mu);
  return failed;
}

static int cmp_real(const void *a, const void *b) {
  return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "_arn")),
                json_string_value(json_object_get(*(json_t *const *)b, "_arn")));
}

int aev_subscription_list(aev_broker *b, aev_topic *t, const char *next_token,
                          char **response_json) {
  if (!b || !response_json) return aev__sns_missing("broker");
  int rc = t ? aev__topic_check(t) : aev__broker_check_open(b);
  if (rc != AEV_OK) return rc;
  char *after;
  if ((rc = token_arn(next_token, &after)) != AEV_OK) return rc;
  json_t *entries = json_array();
  int failed = !entries;
  if (t && !failed) {
    failed = add_subs(t, entries);
  } else if (!failed) {
    aev__resource **all;
    size_t n;
    if ((rc = aev__registry_list(b, AEV__KIND_TOPIC, NULL, &all, &n)) != AEV_OK) {
      json_decref(entries);
      free(after);
      return rc;
    }
    for (size_t i = 0; i < n && !failed; i++) failed = add_subs((aev_topic *)all[i], entries);
    aev__registry_list_free(all, n);
  }
  size_t n = json_array_size(entries);
  json_t **v = failed ? NULL : malloc((n ? n : 1) * sizeof *v);
  if (!v) {
    json_decref(entries);
    free(after);
    return aev__nomem();
  }
  for (size_t i = 0; i < n; i++) v[i] = json_array_get(entries, i);
  qsort(v, n, sizeof *v, cmp_real);
  json_t *page = json_array(), *resp = json_object();
  failed = !page || !resp;
  size_t shown = 0;
  const char *last = NULL;
  for (size_t i = 0; i < n && !failed; i++) {
    const char *arn = json_string_value(json_object_get(v[i], "_arn"));
    if (after && strcmp(arn, after) <= 0) continue;
    if (shown == AEV__SNS_PAGE) {
      failed = set_token(resp, last);
      break;
    }
    json_t *e = json_deep_copy(v[i]);
    json_object_del(e, "_arn");
    failed = json_array_append_new(page, e) != 0;
    last = arn;
    shown++;
  }
  failed |= json_object_set_new(resp, "Subscriptions", page);
  free(v);
  free(after);
  json_decref(entries);
  *response_json = failed ? NULL : dump(resp);
  if (failed) json_decref(resp);
  return *response_json ? AEV_OK : aev__nomem();
}

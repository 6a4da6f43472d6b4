/* AddPermission and RemovePermission: each grant is one statement of the
 * topic's Policy, its Sid the label (core/policy_doc.h). A topic with no
 * Policy set starts from the default policy GetTopicAttributes answers. */
#include <stdlib.h>
#include <string.h>

#include "core/policy_doc.h"
#include "core/status.h"
#include "topic/topic_impl.h"

/* The actions a topic's policy can grant; any other is "out of service
 * scope" (AWS refuses GetSubscriptionAttributes, for one: aws-cli#3143). */
static const char *const topic_actions[] = {
    "GetTopicAttributes", "SetTopicAttributes", "AddPermission", "RemovePermission",
    "DeleteTopic", "Subscribe", "ListSubscriptionsByTopic", "Publish", "Receive", "*"};

static int in_scope(const char *action) {
  for (size_t i = 0; i < sizeof topic_actions / sizeof *topic_actions; i++)
    if (!strcmp(action, topic_actions[i])) return 1;
  return 0;
}


static int check_grant(const char *label, const json_t *accounts, const json_t *actions) {
  size_t i;
  json_t *v;
  if (!label || !*label) return aev__sns_missing("Label");
  /* An empty list is none: the query protocol cannot send one. */
  if (!json_array_size(accounts)) return aev__sns_missing("AWSAccountId");
  if (!json_array_size(actions)) return aev__sns_missing("ActionName");
  json_array_foreach(actions, i, v) if (!in_scope(json_string_value(v)))
      return aev__sns_invalid("Invalid parameter: Policy statement action out of service scope!");
  return AEV_OK;
}

/* Sets the topic's Policy text (taken over), mu held. */
static void set_policy_locked(aev_topic *t, char *text) {
  free(t->conf.policy);
  t->conf.policy = text;
}

int aev__topic_add_permission(aev_topic *t, const char *label, const json_t *accounts,
                              const json_t *actions) {
  int rc = aev__topic_check(t);
  if (rc == AEV_OK) rc = check_grant(label, accounts, actions);
  if (rc != AEV_OK) return rc;
  json_t *grant = aev__policy_doc_grant(label, accounts, actions, "SNS:", t->res.arn);
  char *fresh = aev__topic_default_policy(t), *text = NULL;
  int taken = 0;
  if (!grant || !fresh) {
    json_decref(grant);
    free(fresh);
    return aev__nomem();
  }
  pthread_mutex_lock(&t->mu);
  rc = aev__policy_doc_add(t->conf.policy, fresh, grant, &text, &taken);
  if (rc == AEV_OK && !taken) set_policy_locked(t, text);
  pthread_mutex_unlock(&t->mu);
  free(fresh);
  if (rc == AEV_OK && taken)
    rc = aev__sns_invalid("Invalid parameter: Statement already exists");
  return rc;
}

int aev__topic_remove_permission(aev_topic *t, const char *label) {
  int rc = aev__topic_check(t);
  if (rc != AEV_OK) return rc;
  if (!label || !*label) return aev__sns_missing("Label");
  char *fresh = aev__topic_default_policy(t), *text = NULL;
  if (!fresh) return aev__nomem();
  size_t left;
  pthread_mutex_lock(&t->mu);
  /* A policy left without statements stays, with none. */
  rc = aev__policy_doc_remove(t->conf.policy ? t->conf.policy : fresh, label, &text, &left);
  if (rc == AEV_OK && text) set_policy_locked(t, text);
  pthread_mutex_unlock(&t->mu);
  free(fresh);
  return rc;
}

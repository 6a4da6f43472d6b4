/* AddPermission and RemovePermission: each grant is one statement of the
 * queue's Policy, its Sid the label (core/policy_doc.h). The first grant
 * makes the policy, the last one removed takes it away. Wording as SQS
 * answers (moto and other emulators reproduce it; RemovePermission's was
 * recorded against AWS). */
#include <stdlib.h>
#include <string.h>

#include "core/json_dump.h"
#include "core/policy_doc.h"
#include "core/status.h"
#include "queue/api_sqs.h"
#include "queue/queue_impl.h"

/* AddPermission's limit on actions in one grant. */
#define MAX_ACTIONS 7
#define LABEL_MAX 80

/* The actions a queue's owner may grant to other accounts. */
static const char *const grantable[] = {
    "*", "ChangeMessageVisibility", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl",
    "ListDeadLetterSourceQueues", "PurgeQueue", "ReceiveMessage", "SendMessage"};

static int is_grantable(const char *action) {
  for (size_t i = 0; i < sizeof grantable / sizeof *grantable; i++)
    if (!strcmp(action, grantable[i])) return 1;
  return 0;
}

/* "Maximum 80 characters. Allowed characters include alphanumeric
 * characters, hyphens (-), and underscores (_)." */
static int check_label(const char *label) {
  size_t n = strlen(label);
  int ok = n >= 1 && n <= LABEL_MAX && strspn(label,
                                              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                              "0123456789-_") == n;
  return ok ? AEV_OK
            : aev__sqs_invalid_value("Label", label,
                                     "Must be 1 to 80 alphanumeric characters, hyphens (-) or "
                                     "underscores (_).");
}

static int check_grant(json_t *accounts, json_t *actions) {
  size_t i;
  json_t *v;
  if (!json_array_size(accounts))
    return aev__sqs_invalid_value("PrincipalId", "[]", "Unable to verify.");
  if (!json_array_size(actions)) return aev__sqs_missing("Actions");
  if (json_array_size(actions) > MAX_ACTIONS)
    return aev__fail(AEV_ERR_LIMIT, "OverLimit", "%zu Actions were found, maximum allowed is %d.",
                     json_array_size(actions), MAX_ACTIONS);
  json_array_foreach(actions, i, v) if (!is_grantable(json_string_value(v))) {
    const char *a = json_string_value(v);
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "Value SQS:%s for parameter ActionName is invalid. Reason: Only the queue "
                     "owner is allowed to invoke this action.",
                     a);
  }
  return AEV_OK;
}

/* Sets the queue's Policy text (taken over; NULL: none), mu held. */
static void set_policy_locked(aev_queue *q, char *text) {
  free(q->conf.policy);
  q->conf.policy = text;
  q->modified_s = aev__queue_now_ms(q) / 1000;
}

static int add_locked(aev_queue *q, const char *fresh, json_t *grant, const char *label) {
  char *text;
  int taken;
  int rc = aev__policy_doc_add(q->conf.policy, fresh, grant, &text, &taken);
  if (rc == AEV_OK && taken) return aev__sqs_invalid_value("Label", label, "Already exists.");
  if (rc == AEV_OK) set_policy_locked(q, text);
  return rc;
}

AEV__SQS_ACTION(add_permission) {
  const char *label;
  json_t *accounts, *actions;
  aev_queue *q;
  int rc = aev__sqs_queue_of(b, svc, req, &q);
  if (rc != AEV_OK) return rc;
  rc = aev__api_req_string(svc, req, "Label", &label);
  if (rc == AEV_OK) rc = aev__api_req_strings(svc, req, "AWSAccountIds", &accounts);
  if (rc == AEV_OK) rc = aev__api_req_strings(svc, req, "Actions", &actions);
  if (rc == AEV_OK) rc = check_label(label);
  if (rc == AEV_OK) rc = check_grant(accounts, actions);
  json_t *grant = NULL;
  char *fresh = NULL;
  if (rc == AEV_OK) {
    grant = aev__policy_doc_grant(label, accounts, actions, "SQS:", q->res.arn);
    json_t *doc = json_pack("{s:s, s:s+, s:[]}", "Version", "2008-10-17", "Id", q->res.arn,
                            "/SQSDefaultPolicy", "Statement");
    fresh = doc ? aev__json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(doc);
    if (!grant || !fresh) rc = aev__nomem();
  }
  if (rc == AEV_OK) {
    aev__queue_lock(q);
    rc = add_locked(q, fresh, grant, label);
    pthread_mutex_unlock(&q->mu);
    grant = NULL; /* taken by aev__policy_doc_add() */
  }
  json_decref(grant);
  free(fresh);
  aev_queue_release(q);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

AEV__SQS_ACTION(remove_permission) {
  const char *label;
  aev_queue *q;
  int rc = aev__sqs_queue_of(b, svc, req, &q);
  if (rc != AEV_OK) return rc;
  rc = aev__api_req_string(svc, req, "Label", &label);
  if (rc == AEV_OK) {
    char *text = NULL;
    size_t left = 0;
    aev__queue_lock(q);
    rc = aev__policy_doc_remove(q->conf.policy, label, &text, &left);
    /* A queue with no policy at all words it shorter (recorded:
     * test_sqs_permission_lifecycle,
     * get-queue-policy-attribute-delete-non-existent-label). */
    if (rc == AEV_OK && !text)
      rc = aev__sqs_invalid_value("Label", label,
                                  q->conf.policy && *q->conf.policy
                                      ? "can't find label on existing policy."
                                      : "can't find label.");
    if (rc == AEV_OK) {
      if (!left) { /* a policy of no statements is none */
        free(text);
        text = NULL;
      }
      set_policy_locked(q, text);
    }
    pthread_mutex_unlock(&q->mu);
  }
  aev_queue_release(q);
  if (rc == AEV_OK) *resp = json_object();
  return rc;
}

/* SQS queue attributes: defaults, ranges and SQS's errors for CreateQueue /
 * SetQueueAttributes, RedrivePolicy and RedriveAllowPolicy checks, and the
 * string values GetQueueAttributes returns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/registry.h"
#include "core/status.h"
#include "queue/attrs.h"

const char *const aev__qattr_names[] = {
    "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed",
    "ApproximateNumberOfMessagesNotVisible", "CreatedTimestamp",
    "DelaySeconds", "LastModifiedTimestamp", "MaximumMessageSize",
    "MessageRetentionPeriod", "Policy", "QueueArn",
    "ReceiveMessageWaitTimeSeconds", "RedrivePolicy", "RedriveAllowPolicy",
    "VisibilityTimeout", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled", "FifoQueue", "ContentBasedDeduplication",
    "DeduplicationScope", "FifoThroughputLimit", NULL};

void aev__qconf_defaults(aev__qconf *c, int fifo) {
  memset(c, 0, sizeof *c);
  c->visibility = 30;
  c->retention = 345600;
  c->max_size = 1048576;
  c->sse = 1;
  c->fifo = fifo;
}

static int dup_field(char **dst, const char *src) {
  *dst = NULL;
  if (src && !(*dst = strdup(src))) return AEV_ERR_NOMEM;
  return AEV_OK;
}

int aev__qconf_copy(aev__qconf *dst, const aev__qconf *src) {
  *dst = *src;
  /* None of src's strings stays in dst: a failed copy frees dst's. */
  dst->kms_key = dst->policy = dst->redrive = dst->dlq_arn = dst->redrive_allow = NULL;
  if (dup_field(&dst->kms_key, src->kms_key) ||
      dup_field(&dst->policy, src->policy) ||
      dup_field(&dst->redrive, src->redrive) ||
      dup_field(&dst->dlq_arn, src->dlq_arn) ||
      dup_field(&dst->redrive_allow, src->redrive_allow)) {
    aev__qconf_free(dst);
    return aev__nomem();
  }
  return AEV_OK;
}

void aev__qconf_free(aev__qconf *c) {
  free(c->kms_key);
  free(c->policy);
  free(c->redrive);
  free(c->dlq_arn);
  free(c->redrive_allow);
  c->kms_key = c->policy = c->redrive = c->dlq_arn = c->redrive_allow = NULL;
}

static int bad_value(const char *name) {
  return aev__fail(AEV_ERR_INVALID, "InvalidAttributeValue",
                   "Invalid value for the parameter %s.", name);
}

static int bad_reason(const char *name, const char *reason) {
  return aev__fail(AEV_ERR_INVALID, "InvalidAttributeValue",
                   "Invalid value for the parameter %s. Reason: %s", name,
                   reason);
}

static int unknown(const char *name) {
  return aev__fail(AEV_ERR_INVALID, "InvalidAttributeName",
                   "Unknown Attribute %s.", name);
}

static int parse_int(const char *s, long lo, long hi, int *out) {
  if (!s || !*s) return -1;
  char *end;
  long v = strtol(s, &end, 10);
  if (*end || v < lo || v > hi) return -1;
  *out = (int)v;
  return 0;
}

static int parse_bool(const char *s, int *out) {
  if (!strcasecmp(s, "true")) *out = 1;
  else if (!strcasecmp(s, "false")) *out = 0;
  else return -1;
  return 0;
}

static int set_text(char **field, const char *v) {
  free(*field);
  *field = NULL;
  if (*v && !(*field = strdup(v))) return aev__nomem();
  return AEV_OK;
}

static int redrive_invalid(const char *text, const char *reason) {
  return aev__sqs_invalid_value("RedrivePolicy", text, reason);
}

/* Whether s has an ARN's shape, arn:PARTITION:SERVICE:REGION:ACCOUNT:
 * RESOURCE with a resource: SQS refuses a target that has not before it
 * looks one up (recorded: test_invalid_dead_letter_arn_rejected_before_lookup,
 * "dummy"). */
static int arn_shaped(const char *s) {
  if (strncmp(s, "arn:", 4) != 0) return 0;
  int colons = 0;
  while (*s && colons < 5) colons += *s++ == ':';
  return colons == 5 && *s;
}

/* The DLQ's RedriveAllowPolicy: allowAll (or none), denyAll, or byQueue
 * with the source's ARN listed. Reads dlq's conf under its lock; the caller
 * holds no queue lock. Sets *allowed, or returns AEV_ERR_NOMEM. */
static int dlq_allows(aev_queue *dlq, const char *source_arn, int *allowed) {
  aev__queue_lock(dlq);
  json_t *p; /* a policy that is unset or "" does not parse: it allows all */
  int rc = aev__json_parse_str(dlq->conf.redrive_allow, 0, &p);
  pthread_mutex_unlock(&dlq->mu);
  if (rc == AEV_ERR_NOMEM) return rc;
  const char *perm = json_string_value(json_object_get(p, "redrivePermission"));
  int ok = !perm || !strcmp(perm, "allowAll");
  if (perm && !strcmp(perm, "byQueue") && source_arn) {
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(p, "sourceQueueArns"), i, v) {
      if (json_is_string(v) && !strcmp(json_string_value(v), source_arn)) ok = 1;
    }
  }
  json_decref(p);
  *allowed = ok;
  return AEV_OK;
}

static int apply_redrive(aev_broker *b, aev__qconf *c, const char *text,
                         const char *self_arn) {
  if (!*text) {
    set_text(&c->redrive, "");
    set_text(&c->dlq_arn, "");
    c->max_receive = 0;
    return AEV_OK;
  }
  json_t *p;
  if (aev__json_parse_str(text, 0, &p) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  if (!json_is_object(p)) {
    json_decref(p);
    return redrive_invalid(text, "Redrive policy is not a valid JSON map.");
  }
  const char *arn = json_string_value(json_object_get(p, "deadLetterTargetArn"));
  json_t *mrc = json_object_get(p, "maxReceiveCount");
  long long count = -1;
  if (json_is_integer(mrc)) count = json_integer_value(mrc);
  else if (json_is_string(mrc)) {
    char *end;
    count = strtoll(json_string_value(mrc), &end, 10);
    if (*end || !*json_string_value(mrc)) count = -1;
  }
  int rc = AEV_OK;
  char reason[160];
  if (!arn) {
    rc = redrive_invalid(text, "Redrive policy does not contain mandatory "
                               "attribute: deadLetterTargetArn.");
  } else if (!mrc) {
    rc = redrive_invalid(text, "Redrive policy does not contain mandatory "
                               "attribute: maxReceiveCount.");
  } else if (count < 1 || count > 1000) {
    snprintf(reason, sizeof reason,
             "Invalid value for maxReceiveCount: %s, valid values are from 1 "
             "to 1000 both inclusive.",
             json_is_string(mrc) ? json_string_value(mrc) : "");
    if (json_is_integer(mrc))
      snprintf(reason, sizeof reason,
               "Invalid value for maxReceiveCount: %lld, valid values are "
               "from 1 to 1000 both inclusive.",
               count);
    rc = redrive_invalid(text, reason);
  } else if (!arn_shaped(arn)) {
    rc = redrive_invalid(text, "Invalid value for deadLetterTargetArn.");
  } else {
    int dlq_fifo = c->fifo;
    if (!self_arn || strcmp(arn, self_arn) != 0) {
      aev__resource *r = aev__registry_find(b, AEV__KIND_QUEUE, arn);
      if (!r) {
        rc = redrive_invalid(text, "Dead letter target does not exist.");
      } else {
        dlq_fifo = ((aev_queue *)r)->conf.fifo;
        int allowed;
        rc = dlq_allows((aev_queue *)r, self_arn, &allowed);
        if (rc == AEV_OK && !allowed)
          rc = redrive_invalid(text, "The dead-letter queue's "
                                     "RedriveAllowPolicy does not allow this "
                                     "queue as a source.");
      }
      if (r) aev__resource_unref(r);
    }
    if (rc == AEV_OK && dlq_fifo != c->fifo)
      rc = redrive_invalid(text, "Dead-letter queue must be same type of "
                                 "queue as the source.");
  }
  if (rc == AEV_OK) {
    json_t *norm = json_pack("{s:s,s:I}", "deadLetterTargetArn", arn,
                             "maxReceiveCount", (json_int_t)count);
    char *s = norm ? aev__json_dumps(norm, JSON_COMPACT) : NULL;
    json_decref(norm);
    if (!s || set_text(&c->redrive, s) != AEV_OK ||
        set_text(&c->dlq_arn, arn) != AEV_OK)
      rc = aev__nomem();
    free(s);
    c->max_receive = (int)count;
  }
  json_decref(p);
  return rc;
}

static int apply_allow(aev__qconf *c, const char *text) {
  if (!*text) return set_text(&c->redrive_allow, "");
  json_t *p;
  if (aev__json_parse_str(text, 0, &p) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  const char *perm = json_string_value(json_object_get(p, "redrivePermission"));
  json_t *arns = json_object_get(p, "sourceQueueArns");
  int rc = AEV_OK;
  if (!json_is_object(p) || !perm) {
    rc = aev__sqs_invalid_value("RedriveAllowPolicy", text,
                                "Amazon SQS can't create the redrive allow "
                                "policy, as it's in an unsupported format.");
  } else if (strcmp(perm, "allowAll") && strcmp(perm, "denyAll") &&
             strcmp(perm, "byQueue")) {
    rc = aev__sqs_invalid_value("RedriveAllowPolicy", text,
                                "Invalid value for redrivePermission.");
  } else if (!strcmp(perm, "byQueue") &&
             (!json_is_array(arns) || json_array_size(arns) == 0 ||
              json_array_size(arns) > 10)) {
    rc = aev__sqs_invalid_value("RedriveAllowPolicy", text,
                                "Amazon SQS can't create the redrive allow "
                                "policy. When you specify the byQueue "
                                "permission type, you must also specify one "
                                "or more sourceQueueArns values.");
  } else if (strcmp(perm, "byQueue") && arns) {
    rc = aev__sqs_invalid_value("RedriveAllowPolicy", text,
                                "Amazon SQS can't create the redrive allow "
                                "policy. To specify one or more source queue "
                                "ARNs, you must set redrivePermission to "
                                "byQueue.");
  }
  if (rc == AEV_OK) {
    char *s = aev__json_dumps(p, JSON_COMPACT);
    rc = s ? set_text(&c->redrive_allow, s) : aev__nomem();
    free(s);
  }
  json_decref(p);
  return rc;
}

static int apply_one(aev_broker *b, aev__qconf *c, const char *name,
                     const char *v, int creating, const char *self_arn) {
  if (!strcmp(name, "VisibilityTimeout"))
    return parse_int(v, 0, AEV__VISIBILITY_MAX, &c->visibility) ? bad_value(name) : AEV_OK;
  if (!strcmp(name, "DelaySeconds"))
    return parse_int(v, 0, 900, &c->delay) ? bad_value(name) : AEV_OK;
  if (!strcmp(name, "MessageRetentionPeriod"))
    return parse_int(v, 60, 1209600, &c->retention) ? bad_value(name) : AEV_OK;
  if (!strcmp(name, "MaximumMessageSize"))
    return parse_int(v, 1024, 1048576, &c->max_size) ? bad_value(name) : AEV_OK;
  if (!strcmp(name, "ReceiveMessageWaitTimeSeconds"))
    return parse_int(v, 0, 20, &c->wait) ? bad_value(name) : AEV_OK;
  if (!strcmp(name, "KmsDataKeyReusePeriodSeconds"))
    return parse_int(v, 60, 86400, &c->kms_reuse) ? bad_value(name) : AEV_OK;
  /* A queue has one kind of server-side encryption at a time ("Only one
   * server-side encryption option is supported per queue", the
   * SetQueueAttributes reference): turning one on turns the other off. */
  if (!strcmp(name, "SqsManagedSseEnabled")) {
    if (parse_bool(v, &c->sse)) return bad_value(name);
    return c->sse ? set_text(&c->kms_key, "") : AEV_OK;
  }
  if (!strcmp(name, "KmsMasterKeyId")) {
    if (*v) c->sse = 0;
    return set_text(&c->kms_key, v);
  }
  if (!strcmp(name, "Policy")) {
    if (*v) {
      json_t *p;
      if (aev__json_parse_str(v, 0, &p) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
      int ok = json_is_object(p);
      json_decref(p);
      if (!ok) return bad_reason(name, "Invalid policy document.");
    }
    return set_text(&c->policy, v);
  }
  if (!strcmp(name, "RedrivePolicy")) return apply_redrive(b, c, v, self_arn);
  if (!strcmp(name, "RedriveAllowPolicy")) return apply_allow(c, v);
  if (!strcmp(name, "FifoQueue")) {
    int f;
    if (parse_bool(v, &f)) return bad_value(name);
    if (!c->fifo) return unknown(name);
    if (!f)
      return bad_reason(name, creating ? "The queue name must end with .fifo."
                                       : "Modifying queue type is not "
                                         "supported.");
    return AEV_OK;
  }
  if (!strcmp(name, "ContentBasedDeduplication")) {
    if (!c->fifo) return unknown(name);
    return parse_bool(v, &c->content_dedup) ? bad_value(name) : AEV_OK;
  }
  if (!strcmp(name, "DeduplicationScope") || !strcmp(name, "FifoThroughputLimit")) {
    if (!c->fifo)
      return aev__fail(AEV_ERR_INVALID, "InvalidAttributeName",
                       "You can specify the %s only when FifoQueue is set to "
                       "true.",
                       name);
    int group = name[0] == 'D';
    const char *one = group ? "messageGroup" : "perMessageGroupId";
    const char *other = group ? "queue" : "perQueue";
    if (strcmp(v, one) && strcmp(v, other)) return bad_value(name);
    if (group) c->dedup_scope_group = !strcmp(v, one);
    else c->throughput_per_group = !strcmp(v, one);
    return AEV_OK;
  }
  return unknown(name);
}

int aev__qconf_apply(aev_broker *b, aev__qconf *c, json_t *attrs, int creating,
                     const char *self_arn) {
  if (!attrs || json_is_null(attrs)) return AEV_OK;
  if (!json_is_object(attrs))
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "Attributes must be a map of attribute names to "
                     "strings.");
  const char *name;
  json_t *v;
  json_object_foreach(attrs, name, v) {
    if (!json_is_string(v)) return bad_value(name);
    int rc = apply_one(b, c, name, json_string_value(v), creating, self_arn);
    if (rc != AEV_OK) return rc;
  }
  /* A request may not turn on both kinds of encryption (recorded:
   * test_sse_kms_and_sqs_are_mutually_exclusive). */
  const char *kms = json_string_value(json_object_get(attrs, "KmsMasterKeyId"));
  const char *sse = json_string_value(json_object_get(attrs, "SqsManagedSseEnabled"));
  if (kms && *kms && sse && !strcasecmp(sse, "true"))
    return aev__fail(AEV_ERR_INVALID, "InvalidAttributeName",
                     "You can use one type of server-side encryption (SSE) at "
                     "one time. You can either enable KMS SSE or SQS SSE.");
  /* perMessageGroupId throughput needs per-group deduplication. */
  if (c->fifo && c->throughput_per_group && !c->dedup_scope_group)
    return aev__fail(AEV_ERR_INVALID, "InvalidAttributeValue",
                     "Invalid value for the parameter FifoThroughputLimit. "
                     "Reason: You can specify perMessageGroupId only when "
                     "DeduplicationScope is set to messageGroup.");
  return AEV_OK;
}

static const char *num(long long v, char buf[AEV__QATTR_NUM]) {
  snprintf(buf, AEV__QATTR_NUM, "%lld", v);
  return buf;
}

static void count_messages(aev_queue *q, long long out[3]) {
  int64_t now = aev__queue_now_mono(q);
  aev__store_prune(q, now);
  out[0] = out[1] = out[2] = 0;
  for (aev__msg *m = q->all_head; m; m = m->all_next) {
    if (m->visible_at <= now) out[0]++;
    else if (m->rx_count) out[1]++;
    else out[2]++;
  }
  out[0] += (long long)q->nfresh; /* visible since their send */
}

const char *aev__qattr_text(aev_queue *q, const aev__qconf *c, const char *name,
                            char buf[AEV__QATTR_NUM]) {
  long long counts[3];
  if (!strncmp(name, "ApproximateNumberOfMessages", 27)) {
    count_messages(q, counts);
    if (!strcmp(name + 27, "")) return num(counts[0], buf);
    if (!strcmp(name + 27, "NotVisible")) return num(counts[1], buf);
    if (!strcmp(name + 27, "Delayed")) return num(counts[2], buf);
    return NULL;
  }
  if (!strcmp(name, "CreatedTimestamp")) return num(q->created_s, buf);
  if (!strcmp(name, "LastModifiedTimestamp")) return num(q->modified_s, buf);
  if (!strcmp(name, "QueueArn")) return q->res.arn;
  if (!strcmp(name, "VisibilityTimeout")) return num(c->visibility, buf);
  if (!strcmp(name, "DelaySeconds")) return num(c->delay, buf);
  if (!strcmp(name, "MessageRetentionPeriod")) return num(c->retention, buf);
  if (!strcmp(name, "MaximumMessageSize")) return num(c->max_size, buf);
  if (!strcmp(name, "ReceiveMessageWaitTimeSeconds")) return num(c->wait, buf);
  if (!strcmp(name, "SqsManagedSseEnabled")) return c->sse ? "true" : "false";
  if (!strcmp(name, "KmsMasterKeyId")) return c->kms_key;
  if (!strcmp(name, "KmsDataKeyReusePeriodSeconds"))
    return c->kms_key ? num(c->kms_reuse ? c->kms_reuse : 300, buf) : NULL;
  if (!strcmp(name, "Policy")) return c->policy;
  if (!strcmp(name, "RedrivePolicy")) return c->redrive;
  if (!strcmp(name, "RedriveAllowPolicy")) return c->redrive_allow;
  if (!c->fifo) return NULL;
  if (!strcmp(name, "FifoQueue")) return "true";
  if (!strcmp(name, "ContentBasedDeduplication")) return c->content_dedup ? "true" : "false";
  if (!strcmp(name, "DeduplicationScope"))
    return c->dedup_scope_group ? "messageGroup" : "queue";
  if (!strcmp(name, "FifoThroughputLimit"))
    return c->throughput_per_group ? "perMessageGroupId" : "perQueue";
  return NULL;
}

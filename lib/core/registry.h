/* Internal: named resources of a broker, their ARNs and SQS queue URLs, and
 * the reference counts that keep a resource (and its broker) alive while a
 * handle to it exists. */
#ifndef AEV_CORE_REGISTRY_H
#define AEV_CORE_REGISTRY_H

#include <stddef.h>

struct aev_broker;

typedef enum aev__kind {
  AEV__KIND_QUEUE,
  AEV__KIND_TOPIC,
  AEV__KIND_STREAM,
  AEV__KIND_DELIVERY,
  AEV__KIND_BUS,
  AEV__KIND_FUNCTION,
  AEV__KIND_MACHINE,
  AEV__KIND_ACTIVITY,
  /* A Map Run's labelled state machine (<machine>/<label>), whose
   * executions are the children of Distributed Map states: found by its
   * ARN, never listed with the machines. */
  AEV__KIND_MAP_MACHINE,
  /* EventBridge Scheduler's schedule groups, which hold its schedules. */
  AEV__KIND_SCHEDULE_GROUP,
  AEV__KIND_PIPE, /* EventBridge Pipes: arn:aws:pipes:R:A:pipe/NAME */
  /* EventBridge partner event sources: arn:aws:events:R::event-source/NAME
   * (no account: the partner's source is offered to a customer's). */
  AEV__KIND_EVENT_SOURCE,
  /* SNS's account-wide state (SMS settings, platform applications, the
   * outbox): one per broker, named "sns", never listed. */
  AEV__KIND_SNS_ACCOUNT,
  /* Kinesis's account-wide settings (the minimum throughput billing
   * commitment): one per broker, named "kinesis", never listed. */
  AEV__KIND_KINESIS_ACCOUNT,
  AEV__KIND_COUNT
} aev__kind;

/* The header every named resource embeds as its first member. */
typedef struct aev__resource {
  _Atomic long refs;
  _Atomic int deleted; /* deleted from the registry: calls answer NOT_FOUND */
  aev__kind kind;
  struct aev_broker *broker; /* a counted reference */
  char *name;
  char *arn;
  /* Frees the object when the last reference goes (not the header's
   * strings: the registry does that after destroy returns). */
  void (*destroy)(struct aev__resource *r);
  /* Broker shutdown or deletion: cancel timers, wake waiters. May be NULL.
   * Called without registry locks held. */
  void (*shutdown)(struct aev__resource *r);
} aev__resource;

/* The table itself, owned by the broker. */
typedef struct aev__registry aev__registry;
int aev__registry_new(aev__registry **out);
/* Broker destroy: calls every live resource's shutdown hook, then drops the
 * registry's references. */
void aev__registry_shutdown(aev__registry *r);
void aev__registry_free(aev__registry *r);
/* The broker's registry (lib/core/broker.c). */
aev__registry *aev__broker_registry(struct aev_broker *b);

/* Fills the header (one reference, held by the caller) and builds the ARN
 * for kind: arn:aws:sqs:R:A:NAME, arn:aws:sns:R:A:NAME,
 * arn:aws:kinesis:R:A:stream/NAME, arn:aws:firehose:R:A:deliverystream/NAME,
 * arn:aws:events:R:A:event-bus/NAME, arn:aws:lambda:R:A:function:NAME,
 * arn:aws:states:R:A:stateMachine:NAME (machines and Map Runs' labelled
 * ones), arn:aws:states:R:A:activity:NAME,
 * arn:aws:scheduler:R:A:schedule-group/NAME, with partition aws-cn in place of
 * aws for cn-* regions and aws-us-gov for us-gov-* regions. */
int aev__resource_init(aev__resource *r, struct aev_broker *b, aev__kind kind,
                       const char *name, void (*destroy)(aev__resource *),
                       void (*shutdown)(aev__resource *));

/* The ARN a resource of kind named name has or would have (as
 * aev__resource_init builds it), malloc'd; NULL when out of memory. Kind
 * must be valid. */
char *aev__resource_arn(struct aev_broker *b, aev__kind kind, const char *name);

void aev__resource_ref(aev__resource *r);
void aev__resource_unref(aev__resource *r);

/* Adds r (the registry takes its own reference). If a live resource of that
 * kind and name exists, returns AEV_ERR_EXISTS and, when existing is not
 * NULL, stores a new reference to it there. No error code is recorded: the
 * caller decides what AWS says. AEV_ERR_CLOSED (recorded, like
 * aev__broker_check_open) once the broker's shutdown has begun. */
int aev__registry_add(struct aev_broker *b, aev__resource *r,
                      aev__resource **existing);

/* The broker's one resource of kind named name (an account's settings),
 * made by make() the first time a call needs it: a new reference in *out.
 * When two first calls race, the one registered first is the resource and
 * the other's is dropped. */
int aev__registry_singleton(struct aev_broker *b, aev__kind kind, const char *name,
                            int (*make)(struct aev_broker *b, aev__resource **made),
                            aev__resource **out);

/* Looks up by name, ARN, or (for queues) queue URL. Returns a new reference
 * or NULL. */
aev__resource *aev__registry_find(struct aev_broker *b, aev__kind kind,
                                  const char *name_arn_or_url);

/* Marks r deleted, calls its shutdown hook and drops the registry's
 * reference. AEV_ERR_NOT_FOUND (not recorded) if it is not registered,
 * e.g. removed already. */
int aev__registry_remove(struct aev_broker *b, aev__resource *r);

/* New references to every live resource of kind whose name starts with
 * prefix (NULL = all), sorted by name. Free with aev__registry_list_free. */
int aev__registry_list(struct aev_broker *b, aev__kind kind,
                       const char *prefix, aev__resource ***out, size_t *n);
void aev__registry_list_free(aev__resource **list, size_t n);

/* The DNS suffix of region's AWS endpoints: amazonaws.com.cn in China,
 * amazonaws.com elsewhere. */
const char *aev__dns_suffix(const char *region);

/* https://sqs.REGION.amazonaws.com/ACCOUNT/NAME (amazonaws.com.cn in China),
 * malloc'd. */
char *aev__queue_url(const struct aev_broker *b, const char *name);

/* Names removed by aev__registry_remove() are remembered for this long on
 * the broker's deadline timeline (SQS: a deleted queue's name cannot be
 * reused for 60 s, QueueDeletedRecently). */
#define AEV__REGISTRY_TOMBSTONE_MS 60000
/* Non-zero when a resource of kind named name was removed within the last
 * AEV__REGISTRY_TOMBSTONE_MS. */
int aev__registry_removed_recently(struct aev_broker *b, aev__kind kind,
                                   const char *name);

#endif

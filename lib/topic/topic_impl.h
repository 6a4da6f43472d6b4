/* Internal to lib/topic: the topic, its subscriptions, a published
 * notification shared by every delivery, delivery policies and SNS's error
 * wording. Fields under a `mu` are guarded by it. */
#ifndef AEV_TOPIC_IMPL_H
#define AEV_TOPIC_IMPL_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "awsevents/pattern.h"
#include "awsevents/queue.h"
#include "awsevents/topic.h"
#include "core/ids.h"
#include "core/registry.h"
#include "core/sched.h"
#include "core/threads.h"
#include "queue/queue.h"

#define AEV__SNS_DEFAULT_MAX_SIZE 262144
#define AEV__SNS_MAX_SIZE_LIMIT 1048576
#define AEV__SNS_DEDUP_WINDOW_MS (5 * 60 * 1000)
/* Confirmation tokens are valid for 2 days (SNS developer guide). */
#define AEV__SNS_TOKEN_TTL_MS (2LL * 24 * 3600 * 1000)
#define AEV__SNS_TOKEN_LEN 64
#define AEV__SNS_PAGE 100

/* ---- delivery policies (policy.c) ---------------------------------- */

enum { AEV__BACKOFF_LINEAR, AEV__BACKOFF_ARITHMETIC, AEV__BACKOFF_GEOMETRIC,
       AEV__BACKOFF_EXPONENTIAL };

/* One retry schedule: attempts after the first, in four phases. Delays are
 * in milliseconds. */
typedef struct aev__retry_policy {
  long num_retries;   /* all retries (the four phases together) */
  long no_delay;      /* immediate phase */
  long min_delay_n;   /* pre-backoff phase, min_delay apart */
  long max_delay_n;   /* post-backoff phase, max_delay apart */
  int64_t min_delay, max_delay;
  int backoff;
} aev__retry_policy;

/* sqs and lambda subscriptions (sns-message-delivery-retries.html). */
extern const aev__retry_policy aev__retry_aws_managed;
/* http/https when no DeliveryPolicy applies: 3 retries 20 s apart. */
extern const aev__retry_policy aev__retry_http_default;

/* Delay before retry number n (1-based, n <= num_retries) in ms. */
int64_t aev__retry_delay(const aev__retry_policy *p, long n);

/* Parses a subscription's DeliveryPolicy ({"healthyRetryPolicy": ...}) or
 * a topic's ({"http": {"defaultHealthyRetryPolicy": ...}}) when
 * topic_level: its retries into *out (HTTP's default when none is given,
 * *healthy then 0) and into *stored the policy as SNS shows it back (new
 * string). what names the attribute in errors. */
int aev__delivery_policy_parse(const char *text, int topic_level,
                               const char *what, aev__retry_policy *out,
                               int *healthy, int *disable_overrides,
                               char **stored);
/* The EffectiveDeliveryPolicy text (new string; NULL when out of memory)
 * of a topic, or of a subscription when subscription: retries p, request
 * policy from the stored sub_policy, else topic_policy, else SNS's
 * default. */
char *aev__delivery_policy_effective(const aev__retry_policy *p, int disable_overrides,
                                     const char *topic_policy, const char *sub_policy,
                                     int subscription);
/* The Content-Type of an http/https POST (new string; NULL when out of
 * memory): the stored sub_policy's requestPolicy.headerContentType, else
 * topic_policy's http.defaultRequestPolicy one, else SNS's default
 * "text/plain; charset=UTF-8". */
char *aev__delivery_content_type(const char *topic_policy, const char *sub_policy);

/* ---- notifications (note.c) ----------------------------------------- */

/* Parsed SNS message attributes (msgattr.c). */
typedef struct aev__sns_attrs {
  /* The notification's {"n": {"Type", "Value"}} map (filter policies,
   * Lambda records), or NULL without attributes: the end of envelope */
  const char *publish_text;
  size_t publish_len;
  char *envelope;    /* ,"MessageAttributes":{...}, NULL without attributes */
  size_t size;       /* bytes that count toward the message size */
} aev__sns_attrs;

int aev__sns_attrs_parse(json_t *obj, const char *where, aev__sns_attrs *out);
void aev__sns_attrs_free(aev__sns_attrs *a);
/* A copy of a that owns its text. */
int aev__sns_attrs_copy(const aev__sns_attrs *a, aev__sns_attrs *out);

/* What a publish produces, shared (refcounted) by every delivery. */
typedef struct aev__note {
  _Atomic long refs;
  uint64_t id_bits[2]; /* drawn at publish; id is their text */
  char id[AEV_MESSAGE_ID_SIZE]; /* "" until aev__note_id_text() */
  char seq[AEV_TOPIC_SEQUENCE_NUMBER_SIZE]; /* "" on standard topics */
  char *group, *dedup;
  char *subject;
  const char *message;   /* the default message (text, or the publisher's) */
  size_t message_len;
  json_t *per_protocol;  /* MessageStructure=json: the parsed object */
  aev__sns_attrs attrs;
  aev__attrs raw_attrs;  /* packed SQS attributes for raw delivery */
  int raw_attrs_bad;     /* the attributes do not fit SQS */
  int64_t published_ms; /* Timestamp, formatted only by envelopes/records */
  int fifo;
  int sigver;
  const char *topic_arn; /* borrowed: deliveries hold the topic */
  const char *region;
  /* The envelope up to the subscription ARN of UnsubscribeURL, for the
   * default message: built by the first enveloped delivery and published
   * with one pointer swap. */
  struct aev__env_prefix *_Atomic env;
  /* The raw body every sqs subscription shares (refcounted, checked and
   * hashed once), made by the first raw sqs delivery the same way. */
  aev__qbody *_Atomic sqs_body;
  /* On the publisher's stack (no references counted): a publish whose
   * every delivery is a plain raw send; anything that outlives the publish
   * holds heap, a copy made on first need (aev__note_hold). */
  int local;
  struct aev__note *heap;
  /* A copy a replay delivers (aev__note_replayed): its envelope says
   * "Replayed": true. */
  int replayed;
  /* The chain of requests it belongs to (function/lineage.h): published
   * from a function's handler, its sqs and lambda deliveries continue it.
   * Never shown; NULL for most. */
  char *lineage;
  char text[]; /* the default message, in the note's allocation */
} aev__note;

/* Formats n's MessageId (before any delivery reads it: publishes format
 * it when a subscriber or the caller wants it). */
void aev__note_id_text(aev__note *n);
void aev__note_ref(aev__note *n);
/* A reference that may outlive the publish: n's own, or for a local note
 * its heap copy's. NULL when the copy cannot be made. */
aev__note *aev__note_hold(aev__note *n);
/* Drops a reference; a local note is released by its publisher. */
void aev__note_unref(aev__note *n);
/* A copy of n, a heap note, for a replay to deliver: the same MessageId,
 * Timestamp, sequence number and content, marked replayed. NULL when memory
 * is short. */
aev__note *aev__note_replayed(const aev__note *n);
/* The message for a protocol ("sqs", "http", ...): its own entry of a
 * MessageStructure=json message, else the default. */
const char *aev__note_message(const aev__note *n, const char *protocol);
/* The length of m, a message of n's. */
static inline size_t aev__note_message_len(const aev__note *n, const char *m) {
  return m == n->message ? n->message_len : strlen(m);
}
/* The enveloped body for a subscription (malloc'd, *len bytes). */
char *aev__note_envelope(aev__note *n, const char *protocol,
                         const char *sub_arn, size_t *len);
/* What an sqs subscription's queue receives, as a queue body (a new
 * reference): raw, the message shared by every raw sqs delivery; else the
 * subscription's own envelope, whose MD5 continues from the shared
 * prefix's. recs: how many queue messages the body should carry records
 * for, when this call makes it (the fan-out's plain raw sends, or 1 for an
 * envelope; 0 for retries). Fails as SendMessage would on a body SQS
 * refuses. */
int aev__note_sqs_body(aev__note *n, int raw, const char *sub_arn, uint32_t recs,
                       aev__qbody **out);

/* ---- subscriptions -------------------------------------------------- */

enum { AEV__PROTO_SQS, AEV__PROTO_HTTP, AEV__PROTO_HTTPS, AEV__PROTO_LAMBDA,
       AEV__PROTO_FIREHOSE,
       /* delivered to the outbox (outbox.c) */
       AEV__PROTO_SMS, AEV__PROTO_EMAIL, AEV__PROTO_EMAIL_JSON, AEV__PROTO_APPLICATION };

/* Settings a delivery reads, immutable once published: a change of
 * attributes swaps in a new one. */
typedef struct aev__subconf {
  _Atomic long refs;
  int raw;
  aev_pattern *filter;  /* NULL: every message */
  char *filter_text;
  int scope_body;       /* FilterPolicyScope=MessageBody */
  int scope_set;        /* FilterPolicyScope given explicitly */
  char *redrive;        /* RedrivePolicy text, NULL when unset */
  char *dlq_arn;
  char *delivery;       /* DeliveryPolicy text, NULL when unset */
  char *role_arn;       /* SubscriptionRoleArn (firehose), NULL when unset */
  aev__retry_policy retry;
  int retry_set;
  /* ReplayPolicy as given (NULL when unset), its points in epoch ms
   * (replay_end INT64_MAX without an EndingPoint), and whether the build
   * that made this conf was given one ("" included): it starts a replay. */
  char *replay;
  int64_t replay_start, replay_end;
  int replay_given;
} aev__subconf;

void aev__subconf_unref(aev__subconf *c);

typedef struct aev__sub {
  _Atomic long refs;
  aev_topic *topic;     /* borrowed: whoever holds the sub holds the topic */
  char *arn;
  char *protocol;
  int proto;
  char *endpoint;
  aev_topic_callback_fn fn;
  void *user;
  aev_release_fn release;
  uint64_t id;          /* its key in the topic's filter sets */
  /* guarded by the topic's mu */
  aev__subconf *conf;
  int pending;          /* PendingConfirmation */
  int authenticated;    /* ConfirmationWasAuthenticated */
  char token[AEV__SNS_TOKEN_LEN + 1];
  int64_t token_expires; /* epoch ms */
  int deleted;
  /* Message replay (replay.c): ReplayStatus (NULL before any ReplayPolicy),
   * the current replay's number (a new one supersedes it) and whether
   * live deliveries stop, as they do once a policy names an EndingPoint. */
  const char *replay_status;
  uint64_t replay_gen;
  int paused;
  /* sqs: the endpoint's handle, found by the first delivery and kept (a
   * deleted queue's handle answers NotFound; deliveries then look the ARN
   * up afresh, in case a queue of that name came back). */
  aev_queue *_Atomic queue;
} aev__sub;

void aev__sub_ref(aev__sub *s);
void aev__sub_unref(aev__sub *s);

/* The subscribers a publish fans out to: a snapshot array swapped on every
 * change, so a publish takes one reference under the lock and reads it
 * without. */
typedef struct aev__subset {
  _Atomic long refs;
  size_t n;
  aev__sub *s[];
} aev__subset;

void aev__subset_unref(aev__subset *set);

/* ---- topics ----------------------------------------------------------- */

typedef struct aev__tdedup {
  struct aev__tdedup *next;
  int64_t expire_at; /* epoch ms */
  char id[AEV_MESSAGE_ID_SIZE];
  char seq[AEV_TOPIC_SEQUENCE_NUMBER_SIZE];
  char key[];
} aev__tdedup;

/* The delivery status logging attributes (HTTP, Firehose, Lambda,
 * Application, SQS x SuccessFeedbackRoleArn, SuccessFeedbackSampleRate,
 * FailureFeedbackRoleArn). */
#define AEV__FEEDBACK_N 15

typedef struct aev__tconf {
  int fifo, content_dedup, throughput_group, max_size;
  int throughput_set; /* FifoThroughputScope was given */
  int signature_version;
  char *display_name;
  char *delivery_policy; /* NULL when unset */
  aev__retry_policy http_retry;
  int disable_overrides;
  char *policy;          /* NULL: AWS's default policy */
  char *kms_key;
  char *tracing;
  char *feedback[AEV__FEEDBACK_N]; /* NULL when unset */
  /* ArchivePolicy: its MessageRetentionPeriod in days (0: no archive) and
   * the policy as GetTopicAttributes shows it. */
  int archive_days;
  char *archive_policy;
  /* DataProtectionPolicy (dpp.h), NULL when unset. */
  struct aev__dpp *dpp;
} aev__tconf;

enum {
  AEV__C_PUBLISHED,
  AEV__C_PUBLISH_SIZE,
  AEV__C_DELIVERED,
  AEV__C_FAILED,
  AEV__C_FILTERED,
  AEV__C_FILTERED_ATTRS,
  AEV__C_FILTERED_BODY,
  AEV__C_FILTERED_NO_ATTRS,
  AEV__C_FILTERED_INVALID,
  AEV__C_DLQ,
  AEV__C_DLQ_FAILED,
  AEV__C_DP_FINDINGS,
  AEV__C_DP_NO_FINDINGS,
  AEV__C_COUNT
};
extern const char *const aev__topic_counter_names[AEV__C_COUNT];

struct aev_topic {
  aev__resource res; /* first: the registry's view */
  const char *region; /* the broker's (which the topic holds), for notes */
  _Atomic int64_t counters[AEV__C_COUNT];
  /* Part of NumberOfNotificationsDelivered, written only under mu: a
   * standard topic's plain raw sends, counted by the publish's lock hold
   * and taken back for any that fails (aev__fan.counted). */
  _Atomic int64_t plain_delivered;
  aev__strand *strand; /* FIFO topics: fan-out in sequence order */
  pthread_mutex_t mu;
  aev__tconf conf;
  json_t *tags;
  aev__subset *subs;
  size_t n_deleted_subs;
  uint64_t next_sub;
  /* Moves with every change a publish's view depends on: the snapshot,
   * a subscription's settings or confirmation, the topic's delivery
   * policy. view is the newest one built (deliver.c). */
  uint64_t gen;
  struct aev__fanview *view;
  /* Every subscription's FilterPolicy by scope (attributes, body), keyed by
   * subscription id: a publish matches each set once, whatever the number
   * of subscriptions. Created with the topic, freed with it. */
  aev_pattern_set *filters[2];
  uint64_t next_seq;
  /* MessageIds: a stream seeded from the broker's generator, drawn during
   * the lock hold a publish takes anyway rather than under the broker's
   * own lock. */
  aev__rng rng;
  aev__tdedup *dd_head, *dd_tail;
  json_t *dd_index; /* key -> (json_integer)(intptr_t)entry */
  /* FIFO topics with an ArchivePolicy: every message published while it
   * is set, oldest first (archive.c). */
  struct aev__archived *arch_head, *arch_tail;
  size_t arch_bytes;
  int64_t arch_floor_ms; /* no message before this was dropped early */
  struct aev__expiry *arch_expiry; /* the timer of the oldest one's expiry */
};

/* topic.c */
int aev__topic_check(const aev_topic *t);
int aev__topic_find(aev_broker *b, const char *name_or_arn, aev_topic **out);
int64_t aev__topic_now_ms(const aev_topic *t);
void aev__topic_count(aev_topic *t, int counter, int64_t n);
/* Adds without a read-modify-write to a counter only holders of the
 * topic's mu write (PUBLISHED, PUBLISH_SIZE, plain_delivered): mu held. */
static inline void aev__topic_count_locked(_Atomic int64_t *counter, int64_t n) {
  atomic_store_explicit(counter, atomic_load_explicit(counter, memory_order_relaxed) + n,
                        memory_order_relaxed);
}

/* archive.c: the message archive of FIFO topics and its expiry. */
/* Parses an ArchivePolicy value ("" or "{}" removes it) into *days and
 * *stored (new string, NULL when removed). fifo: the topic is FIFO. */
int aev__archive_policy_parse(const char *v, int fifo, int *days, char **stored);
/* Keeps the FIFO notification n, sequence number seq, in the archive (mu
 * held, the topic archiving); AEV_ERR_NOMEM and nothing kept otherwise. */
int aev__archive_keep(aev_topic *t, aev__note *n, uint64_t seq);
/* Takes back the message aev__archive_keep kept last, whose publish then
 * failed (mu held). */
void aev__archive_undo(aev_topic *t);
/* After the topic's ArchivePolicy changed from was_days (mu held): a
 * removed policy deletes every archived message (as SNS does), a new one
 * starts BeginningArchiveTime now, a shorter one drops what it no longer
 * keeps. Returns what the caller passes to aev__archive_done after
 * unlocking. */
struct aev__expiry *aev__archive_changed(aev_topic *t, int was_days);
void aev__archive_done(struct aev__expiry *dropped);
/* Drops the whole archive (mu held: DeleteTopic, shutdown); the result
 * goes to aev__archive_done after unlocking. */
struct aev__expiry *aev__archive_clear(aev_topic *t);
/* BeginningArchiveTime in epoch ms (mu held, the topic archiving). */
int64_t aev__archive_beginning(const aev_topic *t);
/* The archived notifications published in [from, to] with a sequence
 * number below upto, oldest first, each a new reference (mu held). */
int aev__archive_select(aev_topic *t, int64_t from, int64_t to, uint64_t upto,
                        aev__note ***out, size_t *n);

/* replay.c: a replay of the policy conf c was just given, made ahead so
 * that memory running short fails the call before anything changes (*out
 * NULL when c starts none). */
struct aev__replay;
int aev__replay_prepare(const aev__subconf *c, struct aev__replay **out);
/* Starts r (taking it over), the replay c asks for, or stops s's when c
 * has no policy (mu held, c just made s's conf with a ReplayPolicy given). */
void aev__replay_start(aev_topic *t, aev__sub *s, const aev__subconf *c, struct aev__replay *r);
/* Checks a ReplayPolicy value for s's topic into c (its points), with
 * SNS's errors; "" removes it. */
int aev__replay_policy_parse(aev_topic *t, aev__subconf *c, const char *prefix, const char *v);

/* tattrs.c: topic attributes and tags. */
int aev__tconf_parse(json_t *attrs, int creating, aev__tconf *out);
void aev__tconf_free(aev__tconf *c);
/* Whether want (given, parsed) agrees with have on FIFO-ness and every
 * attribute given names (given may be NULL). Allocates nothing. */
int aev__tconf_same(const aev__tconf *have, const aev__tconf *want, json_t *given);
/* The Policy AWS gives a topic that was never set one (new string, NULL
 * when out of memory). */
char *aev__topic_default_policy(const aev_topic *t);

/* permission.c: AddPermission and RemovePermission, labelled statements
 * of the topic's Policy. accounts and actions are JSON arrays. */
int aev__topic_add_permission(aev_topic *t, const char *label, const json_t *accounts,
                              const json_t *actions);
int aev__topic_remove_permission(aev_topic *t, const char *label);

/* sub.c / subattrs.c */
/* By ARN: a new reference to the subscription and one to its topic, both
 * dropped by aev__sub_put(). NotFound otherwise. */
int aev__sub_find(aev_broker *b, const char *arn, aev__sub **out);
void aev__sub_put(aev__sub *s);
int aev__subconf_build(aev_topic *t, const aev__sub *s, const aev__subconf *old,
                       json_t *attrs, const char *reason_prefix,
                       aev__subconf **out);
json_t *aev__sub_attributes_locked(const aev__sub *s);
/* Puts s's FilterPolicy (conf c, NULL: none) into the topic's filter sets
 * (mu held); on failure they are as they were. */
int aev__sub_index_filter(aev_topic *t, const aev__sub *s, const aev__subconf *c);
/* Replaces the subscriber snapshot with set (mu held) and returns the old
 * one, which the caller drops after unlocking. */
aev__subset *aev__topic_swap_subs(aev_topic *t, aev__subset *set);
/* Takes the topic's view out (mu held), for the caller to drop after
 * unlocking: a removed subscription must not wait for the next publish to
 * be released. */
struct aev__fanview *aev__topic_take_view(aev_topic *t);
int aev__subset_with(aev__subset *old, aev__sub *add, aev__sub *drop,
                     aev__subset **out);

/* deliver.c: the subscribers as publishes see them: the snapshot plus each
 * subscription's settings and state, built under the topic's lock by the
 * first publish after a change (t->gen moved) and shared by the publishes
 * that follow, one reference each. */
/* How a publish delivers to a subscription: not at all (pending
 * confirmation or deleted), as a plain raw sqs send (see plain_raw), or by
 * the full path (filters, envelopes, callbacks, FIFO queues). */
enum { AEV__HOW_SKIP, AEV__HOW_PLAIN, AEV__HOW_FULL };

typedef struct aev__fanview {
  /* References without a read-modify-write per publish: publishes take
   * theirs under the topic's mu (taken) and drop them with one atomic
   * decrement of refs; the topic's own is dropped once, by retiring the
   * view, which adds taken to refs (aev__fanview_retire). */
  _Atomic long refs;
  long taken;
  uint64_t gen;                 /* the topic's gen it was built at */
  aev__subset *set;
  aev__subconf **conf;          /* set->n of each, in this allocation */
  unsigned char *how;           /* AEV__HOW_* for each subscription */
  aev__retry_policy http_retry; /* the topic's, for http/https */
  int disable_overrides;
  /* Raw sqs subscriptions without a filter policy into standard queues:
   * the sends the shared raw body carries message records for. */
  uint32_t plain_raw;
  /* Whether a delivery may read the SNS message id (anything but raw sqs
   * bodies carry it). */
  unsigned char need_id;
  /* Every subscription is skipped or plain: publishes without attributes,
   * Subject or MessageStructure keep their note local. */
  unsigned char all_plain;
  /* Whether any subscription has a filter policy of each scope (attributes,
   * body): a publish matches only the filter sets someone reads. */
  unsigned char filtered[2];
  /* The topic's data protection policy when it has Outbound statements
   * (a reference; every delivery then takes the full path), else NULL. */
  struct aev__dpp *dpp;
} aev__fanview;

/* Frees a view its last reference was dropped from. */
void aev__fanview_free(aev__fanview *v);
/* Drop a publish's reference to a view (taken by aev__fan_take), and the
 * topic's once the view is no longer t->view; the last reference may
 * release subscriptions' callbacks, so no lock may be held. NULL does
 * nothing. Before its retirement a view's refs counts only drops, so it
 * stays below zero; retirement adds the takes, after which the last drop
 * finds zero. Inline: every publish with subscribers makes one, which in a
 * process of one thread is a plain decrement rather than a locked one. */
static inline void aev__fanview_drop(aev__fanview *v) {
  if (!v) return;
  long left;
  if (aev__single_threaded()) {
    left = atomic_load_explicit(&v->refs, memory_order_relaxed) - 1;
    atomic_store_explicit(&v->refs, left, memory_order_relaxed);
  } else {
    left = atomic_fetch_sub(&v->refs, 1) - 1;
  }
  if (left == 0) aev__fanview_free(v);
}
void aev__fanview_retire(aev__fanview *v);

/* One publish's fan-out. */
typedef struct aev__fan {
  aev__fanview *v;              /* NULL without subscribers */
  aev__fanview *replaced;       /* the topic's outdated view, dropped with f */
  /* The plain raw sends the publish counted as delivered ahead (mu held);
   * the fan-out takes back those that fail. */
  uint32_t counted;
} aev__fan;

/* Fills f from t (mu held) when the topic's view is out of date. */
int aev__fan_build(aev_topic *t, aev__fan *f);
/* Fills f from t (mu held). Inline for the common case, a view that is
 * current: a view of the topic's generation was built from its subscriber
 * snapshot of that generation, which had subscribers. */
static inline int aev__fan_take(aev_topic *t, aev__fan *f) {
  aev__fanview *v = t->view;
  if (!v || v->gen != t->gen) return aev__fan_build(t, f);
  v->taken++;
  *f = (aev__fan){.v = v};
  return AEV_OK;
}
static inline void aev__fan_free(aev__fan *f) {
  aev__fanview_drop(f->v);
  if (f->replaced) aev__fanview_retire(f->replaced);
  *f = (aev__fan){0};
}
/* Delivers n to every subscriber of f (no lock held) as sent at now (NULL:
 * the clock's time); takes f over. */
void aev__fanout(aev_topic *t, aev__fan *f, aev__note *n, const aev__qtime *now);
/* Posts the fan-out to the FIFO topic's lane (mu held, so lanes see
 * publishes in sequence order); takes f over and a reference to n on
 * success. On failure f is still the caller's to free after unlocking (its
 * last references may release callbacks). */
int aev__fanout_post(aev_topic *t, aev__fan *f, aev__note *n);
/* A control message (SubscriptionConfirmation, UnsubscribeConfirmation)
 * for an http/https subscriber, id its MessageId, made ahead (it takes
 * body; NULL when memory
 * is short), then posted (a post that fails is retried by the topic's
 * http policy) or freed unposted (no lock held: it holds s). */
struct aev__job *aev__control_new(aev__sub *s, const char *type, const char *id, char *body,
                                  size_t len);
void aev__control_post(struct aev__job *j);
void aev__control_free(struct aev__job *j);
/* aev__control_new and aev__control_post at once. */
void aev__deliver_control(aev__sub *s, const char *type, const char *id, char *body,
                          size_t len);
/* One POST of an http/https subscription without a callback of its own to
 * its endpoint URL, through the broker's endpoint callbacks (http_post.c),
 * with SNS's headers: type is x-amz-sns-message-type, id the message's id,
 * raw says the body is a raw delivery. The status the endpoint answered,
 * or a negative AEV__HTTP_* when none did (or memory was short). */
int aev__sns_http_post(aev_topic *t, aev__sub *s, const char *type, const char *id, int raw,
                       const char *body, size_t len);

/* One replayed delivery of n (an archived notification) to s with its
 * settings c, no lock held: the filter policy applies, and the endpoint
 * receives a copy marked replayed. */
void aev__deliver_replayed(aev_topic *t, aev__sub *s, aev__subconf *c, aev__note *n);

/* lambda.c: one Event invocation of the subscribed function with SNS's
 * record; AEV_OK when the function accepted it. */
int aev__lambda_send(aev_topic *t, const aev__sub *s, aev__note *n);

/* tattrs.c: whether t has every tag of tags ({key: value}) with its value. */
int aev__topic_has_tags(aev_topic *t, json_t *tags);

/* errors.c: SNS's wording. */
int aev__sns_invalid(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int aev__sns_not_found(const char *what);
int aev__sns_missing(const char *param);
size_t aev__sns_arn_elements(const char *arn);
int aev__sns_arn_check(const char *member, const char *arn);
int aev__sns_region_check(aev_broker *b, const char *member, const char *arn);
/* publish.c: Publish's rule for a Subject, and its checks of a message:
 * present, not empty, a good Subject (NULL: none) and, with
 * structure_json, a JSON object with a "default" string (*structure, a new
 * reference; NULL without structure_json). */
int aev__sns_subject_ok(const char *s);
int aev__sns_message_check(const char *message, size_t len, const char *subject,
                           int structure_json, json_t **structure);
/* sub.c: ConfirmSubscription's check of a token's shape. */
int aev__sns_token_check(const char *token);

/* firehose.c: firehose subscriptions put the message (raw, or the JSON
 * envelope) as one record into the delivery stream (status as
 * aev_delivery_put). */
int aev__firehose_send(aev__note *n, const aev__sub *s, int raw,
                       aev_broker *b);

#endif

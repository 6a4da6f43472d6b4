/* Internal to lib/bus: the bus object, its rules and targets, the events it
 * routes and the deliveries it makes. Fields under a bus's `lock` are
 * marked; targets and events are immutable and reference counted, so
 * deliveries run with no bus lock held. */
#ifndef AEV_BUS_IMPL_H
#define AEV_BUS_IMPL_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

#include "awsevents/bus.h"
#include "awsevents/pattern.h"
#include "awsevents/queue.h"
#include "core/registry.h"
#include "core/tags.h"
#include "core/sched.h"
#include "core/verrors.h"
#include "bus/schedule.h"

typedef struct aev__rule aev__rule;
typedef struct aev__target aev__target;
typedef struct aev__template aev__template;
typedef struct aev__archive aev__archive;
typedef struct aev__replay aev__replay;

/* Pattern-set ids with this bit are archives' patterns, not rules'. */
#define AEV__ARCHIVE_ID (1ULL << 62)

/* A rule id's slot: the rule and its targets, which every routed event
 * reads. Kept in one array by id (not in the rules, which lie scattered
 * among their strings) so that with thousands of rules finding a matched
 * rule's targets costs one cache miss, not two. */
typedef struct aev__route {
  aev__rule *rule; /* NULL: a free id */
  size_t n_targets;
  aev__target *targets[AEV_BUS_MAX_TARGETS];
} aev__route;

/* name -> rule, open addressing (bus.c). */
typedef struct aev__rmap {
  aev__rule **slots;
  size_t cap, n;
} aev__rmap;

/* CreateEventBus's and UpdateEventBus's optional members (NULL: not set). */
/* A bus's own members; log_level and log_detail are its LogConfig's Level
 * and IncludeDetail (kept, not acted on: the broker writes no logs). */
typedef struct aev__bus_attrs {
  char *description, *kms_key, *dlq_arn, *log_level, *log_detail;
} aev__bus_attrs;

struct aev_bus {
  aev__resource res;
  pthread_rwlock_t lock;
  aev_pattern_set *set; /* enabled rules' patterns, keyed by rule id */
  /* under lock: */
  aev__rmap rules;
  aev__route *routes; /* by rule id */
  size_t n_ids, cap_ids;
  /* The broker's rules-per-bus quota, kept on its default bus (which lives
   * as long as the broker): read it with aev__bus_rule_quota(). */
  _Atomic int quota;
  int64_t created_s;
  /* under lock: */
  aev__bus_attrs attrs;
  int64_t modified_s;
  json_t *tags;   /* {key: value} or NULL (tags.c) */
  json_t *policy; /* the resource policy document or NULL (bus_policy.c) */
  /* archives and replays of this bus, under amu (never taken before lock) */
  pthread_mutex_t amu;
  aev__archive *archives;
  aev__replay *replays;
  uint64_t next_archive;
  /* The broker's connections and API destinations, kept on its default bus
   * (as quota), made at first use (bus/http_impl.h). */
  _Atomic(struct aev__http_store *) http;
  /* Replays the broker has started, kept on its default bus (as quota):
   * numbers them in creation order, which ListReplays follows. */
  _Atomic uint64_t replays_started;
};

/* Where a target's input comes from. */
enum { AEV__INPUT_EVENT, AEV__INPUT_CONST, AEV__INPUT_PATH,
       AEV__INPUT_TEMPLATE };
/* What a target is. */
enum { AEV__TARGET_QUEUE, AEV__TARGET_BUS, AEV__TARGET_FUNCTION,
       AEV__TARGET_TOPIC, AEV__TARGET_STREAM, AEV__TARGET_FIREHOSE,
       AEV__TARGET_MACHINE, AEV__TARGET_CALLBACK, AEV__TARGET_API_DESTINATION };

/* Allocated on a cache line of its own (aev__line_calloc) with what every
 * delivery reads first, so a rule among thousands costs one miss here. */
struct aev__target {
  /* read for every delivery: */
  _Atomic long refs;
  int kind;
  int input_mode;
  /* Queue targets: the handle found at the first delivery, kept for the
   * target's life (a deleted queue is then looked up by ARN each time). */
  _Atomic(aev_queue *) queue;
  char *group_id;   /* SqsParameters.MessageGroupId (queues, topics) */
  int fifo;         /* the target is a FIFO queue or topic */
  aev_broker *broker; /* not counted: targets die with their bus */
  aev_bus_target_fn fn;
  void *user;
  /* the rest: */
  char *id, *arn, *rule_name, *rule_arn;
  json_t *spec; /* the Target as ListTargetsByRule shows it */
  char *input;      /* INPUT_CONST */
  char *input_path; /* INPUT_PATH */
  aev__template *tmpl;
  char *partition_path; /* KinesisParameters.PartitionKeyPath or NULL */
  int max_retries;  /* RetryPolicy.MaximumRetryAttempts */
  int64_t max_age_ms;
  char *dlq_arn;    /* DeadLetterConfig.Arn or NULL */
  json_t *http;     /* HttpParameters or NULL */
  int http_paths;   /* some of them are JSON paths into the event */
  aev_release_fn release;
};

/* Its targets are in its bus's routes[id] while it is on the bus. */
struct aev__rule {
  _Atomic long refs;
  aev_bus *bus; /* valid while !dead */
  uint64_t id;
  char *name, *arn;
  char *pattern;     /* NULL for a schedule-only rule */
  char *schedule;    /* NULL for a pattern-only rule */
  char *description;
  json_t *tags; /* {key: value} or NULL, under the bus lock (tags.c) */
  int enabled; /* an AEV_RULE_* state: non-zero when enabled */
  int in_set;  /* its pattern is in the bus's pattern set */
  /* schedule state, under mu */
  pthread_mutex_t mu;
  int dead;
  aev__schedule *expr;
  aev__timer timer;
  int64_t start_ms;     /* epoch ms the schedule (re)started: rate() base */
  int64_t next_fire_ms; /* epoch ms; -1 when none is pending */
  int64_t fired_ms;     /* the fire time delivered last */
};

/* An event as routed: its enveloped text, shared by the deliveries. */
typedef struct aev__event {
  _Atomic long refs;
  int64_t ingest_ms;
  int64_t time_ms;    /* the event's "time" */
  int replayed;       /* carries replay-name: never archived again */
  char id[37];
  size_t len;
  char text[];
} aev__event;

/* bus.c */
/* Zeroed memory for size bytes starting on a cache line, freed with
 * free(): for the targets every routed event reads, so that a bus with
 * thousands of them spends one miss on each, not two or three. */
void *aev__line_calloc(size_t size);
int aev__bus_find(aev_broker *b, const char *name_or_arn, int create_default,
                  aev_bus **out);
int aev__bus_no_bus(const char *name);
/* What a call on a deleted bus's handle answers: ServiceUnavailable
 * (AEV_ERR_CLOSED) once the broker is destroyed, else the bus's
 * ResourceNotFoundException. */
int aev__bus_gone(const aev_bus *bus);
/* A rule not on bus, or (a deleted bus has none) aev__bus_gone(bus). */
int aev__bus_no_rule(const aev_bus *bus, const char *name);
/* AWS's ValidationException for member when name is not 1 to max of
 * [.\-_A-Za-z0-9] (rule names, target ids, replay names), quoting it. */
int aev__bus_check_name(const char *member, const char *name, size_t max);

/* AWS's ValidationException for member unless v is a bus name or ARN as
 * AWS's model has it: at most 1600 characters, a name of [/.\-_A-Za-z0-9]
 * (no '/' when slash is 0) after an optional event-bus ARN prefix. */
int aev__bus_check_name_or_arn(const char *member, const char *v, int slash);

/* Rule, archive and replay descriptions: at most 512 characters. */
#define AEV__MAX_DESCRIPTION 512

/* AWS's ValidationException for the string member v (NULL: none) when it
 * holds more than max characters; AWS counts characters, not UTF-8 bytes. */
int aev__bus_check_length(const char *member, const char *v, size_t max);
/* The broker's quota of rules per bus (AEV_BUS_DEFAULT_RULE_QUOTA unless
 * raised with aev_bus_set_rule_quota). */
int aev__bus_rule_quota(aev_broker *b, int *out);
aev__rule *aev__rmap_get(const aev__rmap *m, const char *name);
int aev__rmap_put(aev__rmap *m, aev__rule *r);
void aev__rmap_del(aev__rmap *m, const char *name);

/* CreateEventBus with its members checked here (given's, copied) and tags
 * ({key: value} as aev__bus_tags_merge makes them, a reference taken; NULL:
 * none); event_source (NULL: none) makes a partner event bus for it. */
int aev__bus_create(aev_broker *b, const char *name, const char *event_source,
                    const aev__bus_attrs *given, json_t *tags, aev_bus **out);

/* bus_attrs.c */
/* AWS's ValidationException for the first member of a that breaks AWS's
 * constraints (NULL and "" pass: no member, or clearing it). */
int aev__bus_attrs_check(const aev__bus_attrs *a);
/* Malloc'd copies of a's members in *out, "" becoming NULL. */
int aev__bus_attrs_copy(const aev__bus_attrs *a, aev__bus_attrs *out);
void aev__bus_attrs_free(aev__bus_attrs *a);
/* UpdateEventBus: sets the members given (non-NULL; "" clears one) after
 * checking them all, and LastModifiedTime; a failure changes nothing. */
int aev__bus_update(aev_bus *bus, const aev__bus_attrs *given);
/* The shapes that show a bus: CreateEventBus's and UpdateEventBus's
 * responses, DescribeEventBus's, and a ListEventBuses entry. */
enum { AEV__BUS_CREATED, AEV__BUS_UPDATED, AEV__BUS_DESCRIBED, AEV__BUS_LISTED };
/* The bus as shape shows it (NULL when out of memory); bus lock not held. */
json_t *aev__bus_json(aev_bus *bus, int shape);

/* rule.c */
/* PutRule, merging tags ({key: value}, borrowed; NULL: none) into the
 * rule's as TagResource would: more than 50 in all fail with
 * LimitExceededException and change nothing. */
int aev__bus_put_rule(aev_bus *bus, const char *name, const char *event_pattern,
                      const char *schedule_expression, int enabled, json_t *tags,
                      char **arn_out);
void aev__rule_ref(aev__rule *r);
void aev__rule_unref(aev__rule *r);
/* DeleteEventBus or the broker's shutdown: marks the bus deleted and takes
 * its rules off it (schedules cancelled, targets dropped). */
void aev__rules_shutdown(aev_bus *bus);
void aev__rules_free(aev_bus *bus);
/* The rule's DescribeRule object (described: 1), or its ListRules entry
 * (0), which has no CreatedBy; caller holds the bus lock. */
json_t *aev__rule_json(const aev_bus *bus, const aev__rule *r, int described);
/* ListRuleNamesByTarget: the names, sorted, of the bus's rules with a target
 * whose Arn is arn (NULL when out of memory). */
json_t *aev__rule_names_by_target(aev_bus *bus, const char *arn);
/* PutRule's Description, taken over (a malloc'd copy; NULL clears it) so
 * that nothing can run out of memory once the rule is put. Freed when there
 * is no such rule. */
int aev__rule_take_description(aev_bus *bus, const char *name, char *description);

/* target.c */
void aev__target_ref(aev__target *t);
void aev__target_unref(aev__target *t);
/* Where AWS's validation messages place a target's members:
 * "targets.N.member", N its 1-based place in the PutTargets request. */
typedef struct aev__target_at {
  char s[40];
} aev__target_at;
/* The name of a target's member in AWS's messages ("targets.2.member.input"),
 * in out, which it returns. */
#define AEV__MEMBER_MAX 128
const char *aev__target_member(const aev__target_at *at, const char *name,
                               char out[AEV__MEMBER_MAX]);

/* Non-zero when arn is a standard SQS queue's: EventBridge's dead-letter
 * queues (targets' and buses') are never FIFO queues. */
int aev__dlq_arn_ok(const char *arn);

/* Parses and validates one Target object of PutTargets for rule r of bus,
 * the request's pos-th (from 1). callback: fn != NULL. */
int aev__target_parse(aev_bus *bus, const aev__rule *r, json_t *spec, size_t pos,
                      aev_bus_target_fn fn, void *user,
                      aev_release_fn release, aev__target **out);

/* PutTargets / RemoveTargets on parsed lists; *resp: the response. */
int aev__put_targets(aev_bus *bus, const char *rule, json_t *list,
                     json_t **resp);
int aev__remove_targets(aev_bus *bus, const char *rule, json_t *ids,
                        json_t **resp);

/* transform.c */
/* Compiles InputTransformer {InputPathsMap, InputTemplate} for target id,
 * named at in AWS's messages. */
int aev__template_compile(json_t *transformer, const char *target_id,
                          const aev__target_at *at, aev__template **out);
void aev__template_free(aev__template *t);
/* Renders the template for event (parsed), into a new malloc'd string. */
int aev__template_render(const aev__template *t, json_t *event,
                         const aev__target *target, int64_t ingest_ms,
                         char **out, size_t *len);
/* Validates an EventBridge JSONPath ($, $.a.b, $.a[0]) for member name. */
int aev__path_check(const char *path, const char *member);
/* The value at path in v (borrowed) or NULL. */
json_t *aev__path_get(json_t *v, const char *path);
/* ISO-8601 UTC "YYYY-MM-DDTHH:MM:SSZ" of epoch ms (out: 21 bytes). */
void aev__iso_time(int64_t ms, char out[21]);

/* tags.c (limits in core/tags.h) */
/* ValidationException unless key is 1 to 128 characters; member names it
 * in the message ("tagKeys.1.member"). */
int aev__bus_tag_key_check(const char *member, const char *key);
/* ValidationException for the pos-th tag (from 1) of a Tags list unless
 * its key is 1 to 128 characters not starting with aws: and its value at
 * most 256 characters (characters, not UTF-8 bytes, as AWS counts). */
int aev__bus_tag_check(const char *key, const char *value, size_t pos);
/* LimitExceededException: more than AEV__TAGS_MAX tags on one resource. */
int aev__bus_tags_too_many(void);
/* *out: a new tag set with have's tags (NULL: none) and add's, add's value
 * winning for a key in both; LimitExceededException when that makes more
 * than AEV__TAGS_MAX. */
int aev__bus_tags_merge(json_t *have, json_t *add, json_t **out);
/* ListTagsForResource's Tags list [{Key, Value}] of tags (NULL: none); NULL
 * when out of memory. */
json_t *aev__bus_tags_list(json_t *tags);

/* bus_policy.c: the resource policy PutPermission / RemovePermission make,
 * stored and answered only (one broker is one account: nothing to enforce). */
/* The statement PutPermission adds: Principal an account id or "*",
 * condition ({Type, Key, Value}, borrowed) or NULL; NULL when out of memory. */
json_t *aev__policy_statement(const aev_bus *bus, const char *sid, const char *action,
                              const char *principal, json_t *condition);
/* Adds statement (its reference taken) to the bus's policy, in place of the
 * one with its Sid if there is one, making the policy if there is none. */
int aev__bus_policy_add(aev_bus *bus, json_t *statement);
/* Replaces the whole policy with doc (its reference taken; NULL removes
 * every statement). */
int aev__bus_policy_set(aev_bus *bus, json_t *doc);
/* Removes the statement whose Sid is sid: ResourceNotFoundException when
 * the bus has no policy or no such statement. */
int aev__bus_policy_remove(aev_bus *bus, const char *sid);

/* event.c */
aev__event *aev__event_new(size_t len);
void aev__event_unref(aev__event *e);
/* Routes an enveloped event through bus's enabled rules and posts a
 * delivery to each matching rule's targets. */
int aev__bus_route(aev_bus *bus, aev__event *ev);
/* Posts deliveries of ev to rule r's targets (schedules). */
void aev__rule_deliver(aev_bus *bus, aev__rule *r, aev__event *ev);
/* Builds the envelope of one event (strings NUL-terminated; resources a
 * JSON array or NULL; detail already checked to be a JSON object). */
aev__event *aev__envelope(aev_broker *b, const char *source,
                          const char *detail_type, const char *detail,
                          size_t detail_len, json_t *resources,
                          int64_t time_ms);

/* PutEvents on parsed Entries: *resp is its response object. */
int aev__put_events(aev_broker *b, json_t *entries, json_t **resp);
/* PutPartnerEvents (at most 20 entries, each Source a partner event
 * source), answered as PutEvents answers. */
int aev__put_partner_events(aev_broker *b, json_t *entries, json_t **resp);

/* partner.c: CreateEventBus of a partner event bus called name for the
 * partner event source source, which must be offered to the broker's
 * account and have name as its name; once the bus is made, the source is
 * active (made). */
int aev__partner_bus_check(aev_broker *b, const char *name, const char *source);
void aev__partner_bus_made(aev_broker *b, const char *source);
/* Whether source is a partner event source; then *bus is its partner event
 * bus (a new reference) when the source is ACTIVE, else NULL: its events
 * are taken and not delivered. */
int aev__partner_bus_of(aev_broker *b, const char *source, aev_bus **bus);

/* archive.c */
/* Stores ev in the archives whose ids (AEV__ARCHIVE_ID | n) matched, and
 * in those without a pattern. */
void aev__archive_store(aev_bus *bus, const uint64_t *ids, size_t n,
                        aev__event *ev);
/* The archive named name on any bus of b: its bus (new reference) and the
 * archive, with the bus's amu held. ResourceNotFoundException otherwise. */
int aev__archive_find(aev_broker *b, const char *name, aev_bus **bus,
                      aev__archive **out);
/* The archive named name on bus (amu held), or NULL. */
aev__archive *aev__archive_named(aev_bus *bus, const char *name);
void aev__archives_free(aev_bus *bus);
/* Events of archive a with time in [from, to), by time (new references). */
int aev__archive_events(aev__archive *a, int64_t from, int64_t to,
                        aev__event ***out, size_t *n);
const char *aev__archive_arn(const aev__archive *a);

/* replay.c */
void aev__replays_free(aev_bus *bus);
/* Routes a replayed event to the bus's rules, only those in rule_ids when
 * n_rules > 0. */
int aev__bus_route_replay(aev_bus *bus, aev__event *ev, const uint64_t *rule_ids,
                          size_t n_rules);

/* deliver.c */
/* Delivers ev to t, taking over the caller's reference to t (the event
 * gets a reference of its own). What cannot be delivered, even for want
 * of memory, goes to t's dead-letter queue or is logged as dropped. */
void aev__deliver(aev__target *t, aev__event *ev);

/* Arms a scheduled rule's timer for its first fire after from_ms (epoch
 * ms), replacing any armed one; rule mu not held. */
void aev__rule_schedule_start(aev__rule *r, int64_t from_ms);
/* Disarms it. kill also marks the rule dead (deleted, or its bus gone), so
 * a fire already posted does nothing. */
void aev__rule_schedule_stop(aev__rule *r, int kill);

/* *out: o as compact JSON (o's reference is consumed); NOMEM when o is
 * NULL or cannot be written. */
int aev__bus_dump(json_t *o, char **out);
/* Appends bus's entries whose name starts with prefix (plen bytes; 0
 * matches all) to arr; called with bus->amu held. 0 when out of memory. */
typedef int (*aev__bus_list_fn)(aev_bus *bus, const char *prefix, size_t plen,
                                 json_t *arr);
/* Pages the array resp[key] (all entries, in listing order): limit entries
 * (0: all) from the one token names (NULL: the first), adding a NextToken
 * to resp when entries remain. ValidationException for a token that is not
 * one of ours. */
int aev__bus_page(json_t *resp, const char *key, int limit, const char *token);
/* ListArchives: {key: [every bus's matches, bus by bus]}. */
int aev__bus_list_named(aev_broker *b, const char *prefix, const char *key,
                        aev__bus_list_fn add, char **json_out);
/* Calls fn(bus, ctx) with bus->amu held for each of b's buses, by name,
 * until one answers non-zero, which it returns. */
typedef int (*aev__bus_each_fn)(aev_bus *bus, void *ctx);
int aev__bus_each(aev_broker *b, aev__bus_each_fn fn, void *ctx);

#endif

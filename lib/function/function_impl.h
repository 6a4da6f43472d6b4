/* Internal to lib/function: the function object, its immutable
 * configuration snapshots, execution environments, invocation contexts,
 * the async event configuration and the Lambda error helpers. Fields below
 * `mu` are guarded by it. */
#ifndef AEV_FUNCTION_IMPL_H
#define AEV_FUNCTION_IMPL_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

#include "awsevents/pattern.h"
#include "awsevents/queue.h"
#include "core/ids.h"
#include "core/json_parse.h"
#include "core/registry.h"
#include "core/sched.h"
#include "function/function.h"

#define AEV__FN_SYNC_PAYLOAD_MAX 6291456  /* 6 MB each way */
#define AEV__FN_ASYNC_PAYLOAD_MAX 1048576 /* Invoke's Event limit */
#define AEV__FN_RESPONSE_MAX 6291556     /* a result: 6 MB + 100 bytes */
/* A streamed response to a caller that takes a stream: "response
 * streaming functions can return payloads up to 200 MB" (Lambda developer
 * guide, "Response streaming for Lambda functions"). */
#define AEV__FN_STREAM_RESPONSE_MAX 209715200
#define AEV__FN_CONCURRENCY_MAX 1000      /* account default */

/* code.c: a deployment package as Lambda describes it. The handler is
 * the code that runs, so the package's bytes are not kept: only what
 * Lambda reports of them. */
typedef struct aev__fcode {
  char sha256[65];  /* CodeSha256: base64 of the package's SHA-256; an
                     * image's digest in hex */
  int64_t size;     /* CodeSize: the package's bytes (0 for an image) */
  int64_t unzipped; /* its entries' uncompressed bytes (0 for an image) */
  char *image_uri;  /* PackageType Image: ImageUri; NULL for Zip */
  char *resolved;   /* ResolvedImageUri: REPOSITORY@sha256:DIGEST */
} aev__fcode;

/* A configuration snapshot: replaced whole by an update, so a running
 * invocation keeps reading the one it started with. */
typedef struct aev__fconf {
  _Atomic long refs;
  aev__fcode code;
  int64_t layers_unzipped; /* the Layers' packages' uncompressed bytes */
  int timeout;   /* seconds */
  int memory;    /* MB */
  json_t *doc;   /* recorded members (Description, Runtime, Handler, ...) */
  int capacity;  /* doc names a capacity provider (read by every invoke) */
  int durable;   /* doc has a DurableConfig (read by every invoke) */
  json_t *vars;  /* Environment.Variables, an object */
  char *last_modified;
} aev__fconf;

/* PutFunctionEventInvokeConfig, plus DeadLetterConfig (the function's). */
typedef struct aev__econf {
  int max_retries;  /* 0..2 */
  int max_age;      /* seconds, 60..21600 */
  int retries_set, age_set; /* given, so reported (else the defaults) */
  char *on_success; /* destination ARN or NULL */
  char *on_failure;
  int put;          /* an event invoke config exists */
  int64_t modified_ms;
  char *dlq;        /* DeadLetterConfig.TargetArn or NULL */
} aev__econf;

/* The event invoke configuration of a version or alias. */
typedef struct aev__qeconf {
  struct aev__qeconf *next;
  aev__econf e;
  char qualifier[130];
} aev__qeconf;

/* An execution environment: created by a cold start (which runs the init
 * hook), reused by warm invocations, reclaimed after reclaim_ms idle. */
typedef struct aev__env {
  struct aev__env *next, *prev; /* idle list: most recently used first */
  int64_t idle_since; /* deadline timeline ms */
  int pinned;          /* provisioned: never reclaimed */
  char version[16];    /* the version a provisioned one serves */
  char log_stream[64]; /* 2024/01/01/[$LATEST]<32 hex> */
} aev__env;

/* provisioned.c: a provisioned concurrency configuration. References:
 * the function's list, the pending allocation (which also holds the
 * function). */
#define AEV__FN_PROVISION_MS 60000 /* allocation time on the broker clock */
typedef struct aev__pconf {
  struct aev__pconf *next;
  struct aev_function *f;
  int refs; /* f->mu */
  int requested, allocated, ready, removed;
  int64_t modified_ms;
  aev__timer timer;
  char qualifier[130];
  char version[16]; /* the version number provisioned */
} aev__pconf;

#define AEV__INV_RUNNING 0
#define AEV__INV_TIMED_OUT 1 /* reported; the handler has not completed */
#define AEV__INV_COMPLETED 2

/* One invocation: Lambda's context object. References: the running
 * handler call, the pending completion, the armed timeout timer. */
struct aev_invocation {
  _Atomic int refs;
  _Atomic int state;
  _Atomic int armed;
  aev_function *f; /* counted */
  aev__fconf *conf;
  aev__env *env;
  int cold;
  int pooled; /* holds a slot of the account's unreserved pool */
  int pinned; /* runs on a provisioned environment */
  aev__invoke_done_fn done;
  void *user;
  int64_t start, deadline; /* deadline timeline ms */
  int timeout; /* seconds: the configuration's, bounded for a synchronous call */
  aev__timer timer;
  char request_id[37];
  char version[16]; /* what ran: "$LATEST" or a version number */
  char *invoked_arn; /* the qualified ARN invoked, or NULL: the function's */
  /* The chain it belongs to, its own run counted (lineage.h): what the
   * handler's sends, publishes and invocations carry. In the allocation,
   * after an inline payload. */
  char *lineage;
  size_t len;
  char *payload;   /* inline, or a buffer the invocation took over */
  /* What the handler streamed (aev_invocation_stream_write): n_chunks
   * chunks in stream, chunk i ending at chunk_ends[i]. smu orders writes
   * before the outcome: a write sees the state RUNNING under it, and the
   * outcome is read under it once the state has left RUNNING. */
  pthread_mutex_t smu;
  char *stream;
  size_t stream_len, stream_cap;
  size_t *chunk_ends;
  size_t n_chunks, chunks_cap;
  int streaming; /* its caller takes a stream (InvokeWithResponseStream) */
  char inline_payload[];
};

typedef struct aev__fmetrics {
  uint64_t invocations, errors, throttles, cold_starts, dropped,
      dest_failures, recursive_dropped, signature_errors;
  int64_t duration_ms;
} aev__fmetrics;

struct aev__esm;

/* account.c: the broker's concurrency pool (a hidden registry entry). */
typedef struct aev__account {
  aev__resource res; /* first */
  pthread_mutex_t mu;
  int limit;        /* ConcurrentExecutions of the account (mu) */
  int reserved_sum; /* reserved concurrency of all functions (mu) */
  int provisioned_sum; /* provisioned concurrency of unreserved ones (mu) */
  _Atomic int unreserved_limit; /* limit - reserved_sum - provisioned_sum */
  _Atomic int unreserved_running; /* slots taken by unreserved functions */
} aev__account;

/* The broker's pool (new reference), created on first use. */
int aev__account_of(aev_broker *b, aev__account **out);
/* 1 when an unreserved slot was free (now taken), else 0. */
int aev__account_take(aev__account *a);
void aev__account_give(aev__account *a);
/* A function's reservation changes from old to reserved (-1: none);
 * provisioned is the function's provisioned concurrency, which comes out
 * of the unreserved pool while it has no reservation and out of its
 * reservation otherwise. InvalidParameterValueException when fewer than
 * 100 would stay unreserved. */
int aev__account_reserve(aev__account *a, int old, int reserved,
                         int provisioned);
/* An unreserved function's provisioned concurrency changes from old to n:
 * Lambda takes it from the unreserved pool, and refuses (with
 * InvalidParameterValueException) to leave fewer than 100 there. */
int aev__account_provision(aev__account *a, int old, int n);

/* versions.c: a published version (number = index + 1) and an alias. */
typedef struct aev__version {
  aev__fconf *conf; /* the frozen configuration (counted) */
  char *description;
  char revision[37]; /* its own RevisionId, not $LATEST's */
  /* Deleted (DeleteFunction with its number): it names nothing any more,
   * and its number is not given out again; kept until the function goes,
   * so that a reader that found it before the delete can still read it. */
  int deleted;
} aev__version;

typedef struct aev__alias {
  struct aev__alias *next;
  int version;   /* 0: $LATEST */
  int extra;     /* AdditionalVersionWeights' version, 0 when none */
  double weight; /* its share of invocations */
  char *description;
  char revision[37];
  char name[];
} aev__alias;

/* policy.c: the resource policy of the unqualified function (qualifier
 * "") or of one version or alias. */
typedef struct aev__policy {
  struct aev__policy *next;
  json_t *statements; /* array, in the order they were added */
  char revision[37];
  char qualifier[130];
} aev__policy;

struct aev_function {
  aev__resource res; /* first: the registry's view */
  aev_handler_fn fn;
  void *user;
  aev_release_fn release;
  _Atomic(aev_init_fn) init;
  pthread_mutex_t mu;
  aev__fconf *conf;
  char revision[37];   /* $LATEST's RevisionId: a new one for each change */
  aev__econf econf;    /* $LATEST's */
  aev__qeconf *qeconfs; /* versions' and aliases' */
  int reserved; /* -1: unreserved */
  int running;  /* invocations holding a concurrency slot */
  int calls;    /* handler calls started and not yet returned (mu) */
  int running_pinned; /* those on provisioned environments */
  int busy_envs;
  aev__env *idle, *idle_tail; /* most recently used first */
  int n_idle;
  int64_t reclaim_ms;
  char log_group[80]; /* /aws/lambda/NAME */
  aev__resource *origin; /* the handler table it came from, or NULL */
  aev__account *account; /* counted */
  aev__version *versions;
  int nversions;
  aev__alias *aliases;
  aev__pconf *pcs;
  int provisioned; /* sum of the configurations' requested counts */
  aev__env *prov; /* idle provisioned environments */
  aev__policy *policies;
  json_t *tags; /* an object, or NULL before the first tag */
  json_t *settings; /* fn_settings.c: URL configs, recursion, runtime updates */
  aev__fmetrics m;
};

/* policy.c: AddPermission's members (borrowed; the optional ones NULL when
 * absent). */
typedef struct aev__permission {
  const char *sid, *action, *principal;
  const char *source_arn, *source_account, *event_source_token, *org_id,
      *url_auth_type, *revision;
} aev__permission;

/* Each member against its constraint in Lambda's API reference
 * (ValidationException), as Lambda's front end checks them: before it
 * looks the function up. */
int aev__permission_check(const aev__permission *perm);
/* Adds the statement perm (checked) to the policy of qualifier (NULL: the
 * unqualified function; else a version or alias, which must exist);
 * *answer is AddPermission's {"Statement": TEXT} (new reference). */
int aev__policy_add(aev_function *f, const char *qualifier,
                    const aev__permission *perm, json_t **answer);
/* revision: NULL, or the RevisionId the policy must have. */
int aev__policy_remove(aev_function *f, const char *qualifier,
                       const char *sid, const char *revision);
/* GetPolicy's answer {Policy, RevisionId} (new reference). */
int aev__policy_get(aev_function *f, const char *qualifier, json_t **out);
/* An alias is deleted (mu held): so is its policy. */
void aev__policy_drop_locked(aev_function *f, const char *qualifier);
void aev__policies_free(aev_function *f);

/* url_config.c: an alias is deleted (mu held): so is its function URL
 * configuration. */
void aev__fn_url_drop_locked(aev_function *f, const char *qualifier);

/* tags.c: checks a Tags map on its own (types, lengths, reserved keys,
 * count); put merges it into the function's tags, all or nothing. */
int aev__fn_tags_check(json_t *tags);
int aev__fn_tags_put(aev_function *f, json_t *tags);
/* keys: an array of strings; absent keys are ignored. */
int aev__fn_tags_remove(aev_function *f, json_t *keys);
/* The tags (new reference, an empty object when none; NULL: out of
 * memory). */
json_t *aev__fn_tags_json(aev_function *f);
/* The steps of put and remove, for any tagged resource whose lock the
 * caller holds: merges tags (checked) into *slot (NULL: none), all or
 * nothing; checks that keys are strings; drops keys from tags. */
int aev__fn_tags_merge(json_t **slot, json_t *tags);
/* The same for the tags of arn in a store's {ARN: tags} object *by_arn
 * (created on first use); at answers a copy of arn's (an empty object when
 * none; NULL: out of memory). */
int aev__fn_tags_merge_at(json_t **by_arn, const char *arn, json_t *tags);
json_t *aev__fn_tags_at(json_t *by_arn, const char *arn);
int aev__fn_tag_keys_check(json_t *keys);
void aev__fn_tags_drop_keys(json_t *tags, json_t *keys);

/* esm_tags.c: the tags of event-source mappings (queue and stream ones
 * alike), by UUID; the caller has checked that the mapping exists. put
 * checks and merges, all or nothing; get answers a new object (empty when
 * none; NULL: out of memory); aev__esm_tags_drop (function.h) forgets
 * a deleted mapping's. */
int aev__esm_tags_put(aev_broker *b, const char *uuid, json_t *tags);
int aev__esm_tags_remove(aev_broker *b, const char *uuid, json_t *keys);
json_t *aev__esm_tags_get(aev_broker *b, const char *uuid);

/* provisioned.c (mu held): 1 when version has READY provisioned
 * concurrency; an idle provisioned environment of version, or NULL. */
int aev__fn_provisioned_locked(aev_function *f, const char *version);
aev__env *aev__fn_take_pinned_locked(aev_function *f, const char *version);
/* Function destroy: frees the configurations and their environments. */
void aev__fn_provisioned_free(aev_function *f);
/* ListProvisionedConcurrencyConfigs' answer (new reference in *out). */
int aev__fn_provisioned_list(aev_function *f, json_t **out);
/* Removes qualifier's configuration, if any (mu not held): DeleteAlias
 * takes the alias's with it, as Lambda does (recorded:
 * test_lambda_provisioned_lifecycle). */
void aev__fn_provisioned_drop(aev_function *f, const char *qualifier);
/* invoke.c: a new environment with its log stream name. */
aev__env *aev__fn_new_env(aev_function *f);

/* code.c: the package that the members of src describe: ZipFile (base64,
 * at most 50 MB as a direct upload), S3Bucket + S3Key (+ S3ObjectVersion),
 * the file ./S3Bucket/S3Key, or ImageUri. image: the function's
 * PackageType is Image. op names the action in the request-size error.
 * src without any of them: the empty package when empty_ok, else Lambda's
 * "Please provide a source for function code.". */
int aev__fn_code_parse(json_t *src, int image, int empty_ok, const char *op,
                       aev__fcode *out);
/* AEV_OK when the n bytes at z are a .zip archive Lambda takes: one entry
 * at least, less than 262144000 bytes unzipped (InvalidParameterValueException
 * otherwise, in Lambda's words); *unzipped (may be NULL) is that size. */
int aev__fn_zip_check(const unsigned char *z, size_t n, int64_t *unzipped);
/* InvalidParameterValueException unless code and layers of layers_unzipped
 * bytes unzip to at most 262144000 bytes together. */
int aev__fn_code_fits(const aev__fcode *code, int64_t layers_unzipped);
/* The package of a function created without one: no bytes. */
void aev__fn_code_empty(aev__fcode *out);
int aev__fn_code_copy(const aev__fcode *from, aev__fcode *to);
void aev__fn_code_free(aev__fcode *c);
/* ValidationException (or InvalidParameterValueException for a wrong
 * type) unless ic is an ImageConfig within its bounds. */
int aev__fn_image_config_check(json_t *ic);
/* GetFunction's Code member (FunctionCodeLocation) of c (new reference). */
json_t *aev__fn_code_location(aev_function *f, const aev__fcode *c);
/* The configuration snapshot of qualifier (NULL, $LATEST, a version or an
 * alias's own version, without routing), new reference. */
int aev__fn_conf_of(aev_function *f, const char *qualifier, aev__fconf **out);
/* UpdateFunctionCode's members (req); *answer (may be NULL) is the new
 * configuration's text, the version's with Publish, or with DryRun the
 * one it would be. */
int aev__fn_update_code(aev_function *f, json_t *req, char **answer);

/* config.c: the configuration req describes on top of base (NULL: a new
 * function's, with its Code), its Layers resolved against b's layer
 * versions (aev__layer_resolve) and the package and layers together
 * within Lambda's unzipped limit: the one check of the C API's and of
 * CreateFunction's and UpdateFunctionConfiguration's configurations. */
int aev__fconf_parse(aev_broker *b, json_t *req, const aev__fconf *base, int64_t now_ms,
                     aev__fconf **out);
void aev__fconf_unref(aev__fconf *c);
aev__fconf *aev__fconf_get(aev_function *f); /* new reference */
/* GetFunctionConfiguration's shape (new reference): of $LATEST, or of the
 * snapshot c (borrowed; mu not held) under the function's ARN and without
 * a RevisionId (the caller's: $LATEST's or the version's). */
json_t *aev__function_config_json(aev_function *f);
json_t *aev__fconf_json(aev_function *f, const aev__fconf *c);
/* ISO-8601 with milliseconds and "+0000", Lambda's LastModified. */
void aev__fn_iso_time(int64_t ms, char *out, size_t size, int zulu);

/* econf.c: the event invoke configuration of qualifier (NULL: $LATEST,
 * else an existing version or alias). */
int aev__econf_put(aev_function *f, const char *qualifier, json_t *req, int update);
json_t *aev__econf_json(aev_function *f, const char *qualifier);
void aev__econf_free(aev__econf *e);
void aev__econfs_free(aev_function *f);
int aev__econf_delete(aev_function *f, const char *qualifier);
/* ListFunctionEventInvokeConfigs' answer, $LATEST's first (new reference). */
int aev__econf_list(aev_function *f, json_t **out);
/* An alias is deleted (mu held): so is its configuration. */
void aev__econf_drop_locked(aev_function *f, const char *qualifier);
/* The configuration an event invocation of qualifier ("" or NULL:
 * $LATEST) runs with: its own when one was put, else the function's (mu
 * held). */
const aev__econf *aev__econf_for_locked(aev_function *f, const char *qualifier);
/* invoke.c: the environments and the concurrency slot. */
int64_t aev__fn_now(const aev_function *f);
int64_t aev__fn_now_ms(const aev_function *f);
/* AEV_OK or ResourceNotFoundException for a deleted function. */
int aev__fn_check(const aev_function *f);
/* Checks a payload: JSON text within max bytes. */
int aev__fn_check_payload(const void *payload, size_t len, size_t max);
/* How an invocation is started (flags, or-ed). OWN: payload is a malloc'd
 * buffer of len > 0 bytes that the invocation takes over when the start
 * succeeds (no copy); else it is copied. HANDLER: the handler runs with the
 * payload as it is, even for a durable function (a durable execution's own
 * invocations, and a queued event). MAPPING: an event-source mapping's
 * batch (a durable execution it starts is bounded by the synchronous
 * limit instead of being refused past it: durable.h). */
enum { AEV__CALL_OWN = 1, AEV__CALL_HANDLER = 2, AEV__CALL_MAPPING = 4 };
/* Timeout goes up to 900 s, or 5,400 s for a function on Lambda Managed
 * Instances, whose "asynchronous invocations and event source mapping
 * invocations ... support a maximum allowed value of 5,400 seconds"
 * (developer guide, "Configure Lambda function timeout"): a synchronous
 * invocation still stops at 900 s. */
#define AEV__FN_TIMEOUT_MAX 900
#define AEV__FN_MANAGED_TIMEOUT_MAX 5400
/* aev__inv_start's answer for a durable function when HANDLER is not set:
 * nothing started; the caller starts a durable execution (durable.h). */
#define AEV__INV_DURABLE (-1)
/* aev__function_call for payloads this library built (no syntax check),
 * from the chain lineage (lineage.h; NULL: none), with flags as above. A
 * durable function (HANDLER not set) runs as a durable execution whose
 * close is the outcome done receives. */
int aev__fn_call_built(aev_function *f, const char *qualifier, const char *lineage,
                       const void *payload, size_t len, int flags,
                       aev__invoke_done_fn done, void *user);
/* Whether f is a durable function (its DurableConfig is set at creation
 * and kept by every version): one flag read under f's lock. */
int aev__fn_durable(aev_function *f);
/* Takes a concurrency slot and an environment and builds the context, or
 * fails with TooManyRequestsException (counted as a throttle), or with
 * RecursiveInvocationException when lineage (the chain the invocation
 * comes from, NULL: none) has invoked f AEV__LOOP_LIMIT times already and
 * f's RecursiveLoop is Terminate (counted as RecursiveInvocationsDropped).
 * flags: as for aev__fn_call_built; a durable function without HANDLER
 * answers AEV__INV_DURABLE. */
int aev__inv_start(aev_function *f, const char *qualifier, const char *lineage,
                   const void *payload, size_t len, int flags, aev__invoke_done_fn done,
                   void *user, aev_invocation **out);
/* Runs the handler on this thread (init hook first on a cold start) and
 * arms the timeout if it did not complete before returning. */
void aev__inv_run(aev_invocation *c);
/* The scheduler shut down before the handler ran: reports the failure. */
void aev__inv_abandon(aev_invocation *c);
/* Undoes aev__inv_start when the work could not be posted (no outcome). */
void aev__inv_cancel(aev_invocation *c);

/* function.c: the handler's release, once the function is gone (deleted,
 * or its broker shut down) and no handler call is still to return; NULL
 * until then, and after it was taken once (mu held). The caller runs it
 * unlocked. */
aev_release_fn aev__fn_take_release_locked(aev_function *f);

/* Drops idle environments unused for reclaim_ms (mu held). */
void aev__fn_reclaim_locked(aev_function *f, int64_t now);

/* event.c: a queued Event invocation. */
typedef struct aev__event {
  aev_function *f; /* counted */
  aev__timer timer;
  int attempts;  /* invocations that ran */
  int throttles; /* throttled attempts (backoff exponent) */
  int64_t enqueued;    /* deadline timeline ms */
  int64_t enqueued_ms; /* epoch ms */
  char request_id[37];
  char qualifier[130]; /* "" for $LATEST */
  /* The chain the Invoke came from (lineage.h), after the payload in the
   * allocation, or NULL. */
  char *lineage;
  size_t len;
  char payload[];
} aev__event;

/* dest.c: Lambda's destination records. r is NULL when the event never
 * ran (throttled until too old, or stopped as a recursive loop). What they
 * send carries the event's chain with its function's run counted, so a
 * destination that triggers the function again is a loop stopped too. */
void aev__dest_success(aev__event *ev, const aev__invoke_result *r);
void aev__dest_failure(aev__event *ev, const char *condition,
                       const aev__invoke_result *r);

/* handlers.c: 1 for a hidden entry's name. */
int aev__fn_hidden(const char *name);
/* The broker's hidden entry name of the function kind (new reference in
 * *out): an object of size bytes starting with its aev__resource, created
 * (init, then registered) on first use when create is set, else *out is
 * NULL when absent. shutdown (may be NULL) is its broker-shutdown hook. */
int aev__fn_hidden_entry(aev_broker *b, const char *name, size_t size,
                         int create, void (*init)(aev__resource *),
                         void (*destroy)(aev__resource *),
                         void (*shutdown)(aev__resource *),
                         aev__resource **out);
/* CreateFunction through the API: the function runs the handler registered
 * as `handler`; InvalidParameterValueException when none is. */
int aev__fn_create_registered(aev_broker *b, const char *name,
                              const char *handler, json_t *config,
                              aev_function **out);

/* esm.c / esm_run.c: an event-source mapping from a queue. Settings are
 * guarded by mu; the runtime fields too. References: the broker's store
 * (esm_store.c), the queue watch, each batch in flight, the window timer.
 * It holds no reference to its function: Lambda keeps a mapping whose
 * function is deleted, and invokes a function created again under that
 * name. */
typedef struct aev__esm {
  _Atomic long refs;
  struct aev__esm *next; /* on the store's list (its lock) */
  aev_broker *b;
  /* mu: the ARN of the function, version or alias invoked, as FunctionArn
   * shows it, resolved for each batch (an update may change it); NULL for
   * a pipe's poller */
  char *function_arn;
  /* mu: LastProcessingResult, "" while there is nothing to report */
  char last_result[64];
  aev_queue *q;          /* counted */
  struct aev__queue_watch *watch;
  pthread_mutex_t mu;
  char uuid[37];
  char *source_arn;
  int fifo;
  /* settings */
  int batch_size, window_s, report_failures, max_concurrency, enabled;
  json_t *filters; /* FilterCriteria as given, or NULL */
  struct aev_pattern *patterns[5];
  int npatterns;
  int64_t modified_ms;
  /* runtime */
  int deleted;
  int inflight; /* batches invoking the function */
  int64_t backlog_since; /* deadline ms the current backlog began, or -1 */
  int pumping, again;
  struct aev_message **buf; /* received, waiting for the batch to fill */
  size_t nbuf;
  int window_armed;
  aev__timer window;
  /* A pipe's poller (aev__esm_sink_new): batches go to sink. */
  aev__esm_sink_fn sink;
  void *sink_user;
  void (*sink_release)(void *user);
} aev__esm;

void aev__esm_ref(aev__esm *m);
void aev__esm_unref(aev__esm *m);
/* Receives and dispatches batches while it can (esm_run.c). */
void aev__esm_pump(aev__esm *m);
/* Starts (watch) or stops the mapping after a change of Enabled. */
int aev__esm_start(aev__esm *m);
void aev__esm_stop(aev__esm *m);
/* esm_store.c: the broker's queue mappings, by UUID. add lists m (a new
 * reference) unless the broker is closing or a mapping of the same queue
 * invokes the same function ARN (ResourceConflictException). find answers
 * a new reference, or with unlink takes the mapping off the list (the
 * list's reference passes to the caller); ResourceNotFoundException when
 * none has uuid. retarget makes a listed m invoke function_arn (taken),
 * unless another mapping of its queue invokes that already. list answers
 * new references to the mappings of function_arn and source_arn (NULL:
 * any), newest first, in an array freed with free(). */
int aev__esm_store_add(aev_broker *b, aev__esm *m);
int aev__esm_store_find(aev_broker *b, const char *uuid, int unlink,
                        aev__esm **out);
int aev__esm_store_retarget(aev_broker *b, aev__esm *m, char *function_arn);
int aev__esm_store_list(aev_broker *b, const char *function_arn,
                        const char *source_arn, aev__esm ***out, size_t *n);
/* The event text for a batch (Records of Lambda's SQS shape). */
char *aev__esm_event(aev__esm *m, struct aev_message **msgs, size_t n,
                     size_t *len);
/* 1 when one of the mapping's filter patterns matches the message's record
 * (body parsed as JSON when it is JSON), 0 when none does, -1 when out of
 * memory (the message is then neither dispatched nor deleted). */
int aev__esm_matches(aev__esm *m, struct aev_message *msg);

/* versions.c: the configuration (new reference) and version name a
 * qualifier (NULL, $LATEST, a version number or an alias) invokes;
 * ResourceNotFoundException for an unknown one. */
int aev__fn_resolve(aev_function *f, const char *qualifier, aev__fconf **conf,
                    char version[16]);
void aev__versions_free(aev_function *f);
/* GetFunctionConfiguration's shape for qualifier: NULL is the function,
 * "$LATEST", a version or an alias names it in FunctionArn (new reference
 * in *out); ResourceNotFoundException for an unknown one. */
int aev__fn_config_of(aev_function *f, const char *qualifier, json_t **out);
/* PublishVersion: aev_function_publish_version() that publishes only when
 * revision (NULL: any) is $LATEST's RevisionId (PreconditionFailedException
 * otherwise) and code_sha256 (NULL: any) its CodeSha256
 * (InvalidParameterValueException otherwise). */
int aev__fn_publish(aev_function *f, const char *description,
                    const char *revision, const char *code_sha256,
                    char **json);
/* UpdateAlias: aev_function_update_alias() that also sets the Description
 * (NULL: unchanged) and updates only when revision (NULL: any) is the
 * alias's RevisionId. */
int aev__fn_update_alias(aev_function *f, const char *name, const char *version,
                         const char *description, const char *routing_json,
                         const char *revision, char **json);

/* members.c: an optional integer member within [min, max] (member: its
 * name in AWS's validation messages); a built object (consumed) as text
 * in *json, or dropped when json is NULL. */
int aev__fn_opt_int(json_t *req, const char *name, const char *member,
                    long long min, long long max, int *out);
int aev__fn_dump(json_t *o, char **json);

/* Sets key to v (stolen) in *o, or appends v to the array *o (key NULL).
 * When that fails (out of memory: *o or v NULL), *o becomes NULL, so an
 * answer is built whole or not at all. */
void aev__fn_put(json_t **o, const char *key, json_t *v);

/* errors.c: Lambda's wording. */
int aev__fn_not_found(const char *name);
int aev__fn_invalid(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int aev__fn_throttled(void);
/* RecursiveInvocationException: a recursive loop was stopped (lineage.h),
 * in the words of Invoke's errors in Lambda's API reference (HTTP 400). */
int aev__fn_recursive(void);
#define AEV__FN_RECURSIVE_MSG                                                   \
  "Lambda has detected your function being invoked in a recursive loop with " \
  "other AWS resources and stopped your function's invocation."
/* fn_settings.c: 1 when f's RecursiveLoop (PutFunctionRecursionConfig) is
 * Allow, 0 for Terminate, Lambda's default (mu held). */
int aev__fn_loop_allowed_locked(const aev_function *f);
int aev__fn_stale_revision(void);

/* arn_patterns.c: whether a value matches one of Lambda's patterns (its
 * API reference's Java patterns, in POSIX terms): a FunctionName, a
 * TagResource Resource, an AddPermission SourceArn, a destination, a
 * capacity provider's ARN, its operator role and its KMS key. */
enum { AEV__FN_PAT_NAME, AEV__FN_PAT_RESOURCE, AEV__FN_PAT_SOURCE_ARN,
       AEV__FN_PAT_DESTINATION,
       AEV__FN_PAT_CAPACITY_ARN, AEV__FN_PAT_ROLE, AEV__FN_PAT_KMS,
       AEV__FN_PAT_N };
int aev__fn_pattern_ok(int pattern, const char *s);
/* The Java texts the errors quote of the last two. */
#define AEV__FN_SOURCE_ARN_PATTERN \
  "arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)"
/* DestinationConfig's members (a Java pattern, so the whole value). */
#define AEV__FN_DESTINATION_PATTERN                                                       \
  "^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1})?:" \
  "(\\d{12})?:(.*)"

#endif

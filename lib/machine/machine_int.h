/* Internal to lib/machine: a parsed ASL definition (asl*.c), state
 * machines and executions (machine.c, exec*.c), history (history.c). */
#ifndef AEV_MACHINE_INT_H
#define AEV_MACHINE_INT_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

#include "awsevents/machine.h"
#include "core/broker.h"
#include "core/clock.h"
#include "core/registry.h"
#include "core/sched.h"
#include "json/json.h"
#include "machine/jq.h"
#include "machine/machine.h"

/* AWS: 256 KiB per input, output or state; 25,000 history events. */
#define M_MAX_PAYLOAD 262144
#define M_MAX_EVENTS 25000

typedef enum {
  ST_TASK,
  ST_PASS,
  ST_CHOICE,
  ST_WAIT,
  ST_SUCCEED,
  ST_FAIL,
  ST_PARALLEL,
  ST_MAP
} st_type;

/* A path, an intrinsic or a literal, as ErrorPath / CausePath / ItemsPath /
 * *Path fields take. */
typedef struct m_expr {
  aev__tmpl *t;
  const char *text;
} m_expr;

typedef struct m_retrier {
  json_t *errors; /* array of names (borrowed from the definition) */
  double interval; /* seconds */
  int max_attempts;
  double backoff;
  int64_t max_delay_ms; /* 0: none */
  int jitter_full;
} m_retrier;

typedef struct m_catcher {
  json_t *errors;
  int next;
  aev__jpath *result_path;
  int result_null;
  aev__tmpl *assign;
  m_jt *j_output, *j_assign; /* JSONata */
} m_catcher;

/* Choice operators. */
typedef enum {
  OP_AND, OP_OR, OP_NOT,
  OP_STR_EQ, OP_STR_LT, OP_STR_GT, OP_STR_LE, OP_STR_GE,
  OP_NUM_EQ, OP_NUM_LT, OP_NUM_GT, OP_NUM_LE, OP_NUM_GE,
  OP_TS_EQ, OP_TS_LT, OP_TS_GT, OP_TS_LE, OP_TS_GE,
  OP_BOOL_EQ, OP_STR_MATCH,
  OP_IS_NULL, OP_IS_PRESENT, OP_IS_NUMERIC, OP_IS_STRING, OP_IS_BOOLEAN, OP_IS_TIMESTAMP
} m_op;

typedef struct m_rule {
  m_op op;
  aev__jpath *var;
  json_t *value;         /* literal operand (borrowed) */
  aev__jpath *value_path; /* the ...Path twin */
  struct m_rule **kids;
  size_t nkids;
  int next;
  aev__tmpl *assign;
  m_jt *j_condition, *j_output, *j_assign; /* JSONata */
} m_rule;

/* ItemReader's ReaderConfig.InputType, and ResultWriter's
 * WriterConfig.Transformation. */
enum { M_INPUT_MANIFEST, M_INPUT_JSON, M_INPUT_CSV, M_INPUT_JSONL, M_INPUT_PARQUET };
enum { M_TRANSFORM_COMPACT, M_TRANSFORM_NONE, M_TRANSFORM_FLATTEN };

typedef struct m_state m_state;

typedef struct m_graph {
  m_state *states;
  size_t n;
  int start;
} m_graph;

struct m_state {
  char *name;
  st_type type;
  int next; /* -1: End */
  aev__jpath *input_path, *output_path, *result_path; /* NULL: "$" */
  int input_null, output_null, result_null;
  aev__tmpl *parameters, *result_selector, *assign;
  json_t *result; /* Pass */
  m_retrier *retry;
  size_t nretry;
  m_catcher *catches;
  size_t ncatch;
  /* Choice */
  m_rule **choices;
  size_t nchoices;
  int deflt; /* -1: none */
  /* Wait */
  int has_seconds;
  int64_t seconds;
  int has_timestamp;
  int64_t timestamp_ms;
  aev__jpath *seconds_path, *timestamp_path;
  /* Fail */
  const char *error, *cause;
  m_expr error_path, cause_path;
  /* Parallel */
  m_graph *branches;
  size_t nbranches;
  /* Map */
  m_graph *processor;
  aev__jpath *items_path;
  aev__tmpl *item_selector;
  int max_concurrency;
  aev__jpath *max_concurrency_path;
  int has_tolerated_count, has_tolerated_pct;
  int64_t tolerated_count;
  double tolerated_pct;
  aev__jpath *tolerated_count_path, *tolerated_pct_path;
  /* Under JSONata, "{% %}" expressions that give them when the Map runs */
  m_jt *j_max_concurrency, *j_tolerated_count, *j_tolerated_pct;
  /* ItemBatcher (item_batcher: the object, NULL without one): its limits
   * (0: not given) or the paths that give them, and its BatchInput. */
  json_t *item_batcher;
  int64_t batch_max_items, batch_max_bytes;
  aev__jpath *batch_max_items_path, *batch_max_bytes_path;
  m_jt *j_batch_max_items, *j_batch_max_bytes;
  aev__tmpl *batch_input;
  m_jt *j_batch_input;
  int distributed;
  json_t *processor_json; /* its ItemProcessor (borrowed), a Map Run's children's definition */
  int express_children;   /* ProcessorConfig.ExecutionType EXPRESS */
  const char *label; /* a Distributed Map's Label, or NULL */
  /* ItemReader (item_reader.c): the items from an object of the broker's
   * S3 stand-in (core/s3_objects.h), read when the Map state runs. */
  const char *item_reader; /* its Resource, NULL without one */
  int reader_list;         /* s3:listObjectsV2; else s3:getObject */
  int reader_input;        /* M_INPUT_* (getObject) */
  json_t *csv_headers;     /* CSVHeaderLocation GIVEN: CSVHeaders (borrowed); NULL: FIRST_ROW */
  char csv_delimiter;
  int64_t reader_max_items; /* 0: all */
  aev__jpath *reader_max_items_path;
  m_jt *j_reader_max_items; /* MaxItems as a JSONata expression */
  aev__tmpl *reader_params; /* Parameters (JSONPath) */
  m_jt *j_reader_args;      /* Arguments (JSONata) */
  /* ResultWriter (result_writer.c): has_writer when given; writer_export
   * when it has its Resource (s3:putObject) and Parameters / Arguments. */
  int has_writer, writer_export, writer_transform, writer_jsonl; /* M_TRANSFORM_* */
  aev__tmpl *writer_params;
  m_jt *j_writer_args;
  /* Task */
  const char *resource;
  int64_t timeout_s, heartbeat_s; /* 0: none */
  aev__jpath *timeout_path, *heartbeat_path;
  m_jt *j_timeout, *j_heartbeat;
  /* QueryLanguage JSONata: its fields instead of the JSONPath ones. */
  int jsonata;
  m_jt *j_args, *j_output, *j_assign, *j_items, *j_selector, *j_seconds, *j_timestamp, *j_error,
      *j_cause;
};

typedef struct m_def {
  _Atomic long refs; /* shared by a machine and its executions */
  json_t *json; /* the parsed definition; strings above are borrowed */
  m_graph top;
  int64_t timeout_s;
  int uses_context; /* "$$" appears: build the context object */
} m_def;

/* Parses and validates text into a definition holding one reference. On
 * failure NULL is returned and *diag is a new array of {severity, code,
 * message, location}, or NULL when memory ran out (whatever the text).
 * express: apply Express's restrictions. */
m_def *aev__asl_parse(const char *text, size_t len, int express, json_t **diag);
void aev__asl_free(m_def *d); /* frees regardless of references */

/* AWS's InvalidDefinition message for the diagnostics. */
int aev__asl_invalid(json_t *diag);

/* Choice rules and timestamps. Parsing answers as the compilers of
 * json.h do: AEV_OK, AEV_ERR_INVALID (err and where set) or AEV_ERR_NOMEM;
 * *out, even on failure, is the caller's to free. */
int aev__choice_parse(json_t *rule, int top, m_rule **out, char *err, size_t errlen,
                      char *where, size_t wherelen);
void aev__choice_free(m_rule *r);
/* 1 matched, 0 not, -1 runtime failure recorded in env. */
int aev__choice_eval(const m_rule *r, aev__jenv *env);
void aev__iso8601_format(int64_t ms, char out[32]);

/* ---- objects ---- */

/* A machine's executions by name (exec_index.c). */
typedef struct m_index {
  struct aev_execution **slots;
  size_t cap, n;
} m_index;

/* What a machine runs as, shared with the executions started from it
 * (DescribeStateMachineForExecution answers it after an update): the
 * definition's text, the role, the configurations and when it was set.
 * Never changed once made: an update makes a new one, with a revision id
 * (AWS answers revisionId for every revision but the one CreateStateMachine
 * made, which CloudFormation calls INITIAL). */
typedef struct m_rev {
  _Atomic long refs;
  char *definition;
  char *role_arn;
  json_t *config; /* loggingConfiguration, tracingConfiguration, encryptionConfiguration */
  int64_t updated_ms;
  char id[AEV_UUID_LEN + 1]; /* "" for the first revision */
} m_rev;

/* A revision with copies of definition (len bytes) and role_arn and a
 * reference to config; NULL when memory ran out. */
m_rev *aev__rev_new(const char *definition, size_t len, const char *role_arn, json_t *config,
                    int64_t updated_ms);
m_rev *aev__rev_ref(m_rev *r);
void aev__rev_unref(m_rev *r);

/* The role a machine made through the typed C API runs as when given none. */
#define AEV__DEFAULT_ROLE_ARN "arn:aws:iam::000000000000:role/awsevents"

/* The role and configurations of CreateStateMachine / UpdateStateMachine
 * (machine_config.c). Each member NULL: not given (Create takes AWS's
 * defaults, Update keeps what the machine has). Borrowed. */
typedef struct m_setup {
  const char *role_arn;
  json_t *logging, *tracing, *encryption;
  json_t *tags; /* Create only */
} m_setup;

/* A member of min-max characters (not bytes), named by path as AWS's
 * validator names it ("tags.1.member.key"): ValidationException. text:
 * the same for a JSON value, which must be a string. */
int aev__check_length(const char *s, const char *path, size_t min, size_t max);
int aev__check_text(json_t *v, const char *path, size_t min, size_t max);

/* An encryptionConfiguration of CreateStateMachine or CreateActivity:
 * checked as AWS does (ValidationException, InvalidEncryptionConfiguration),
 * and as Describe answers it (NULL given: AWS's default, an AWS owned key;
 * NULL returned: out of memory). */
int aev__encryption_check(json_t *ec);
json_t *aev__encryption_json(json_t *ec);

/* Checks s as AWS does (role ARN, configuration rules, tags) before
 * anything is stored. */
int aev__setup_check(const m_setup *s);
/* The configuration object of a revision: base's (NULL: AWS's defaults)
 * with the members s gives replaced, normalised as Describe answers them.
 * NULL when memory ran out. */
json_t *aev__setup_config(const m_setup *s, json_t *base);

/* The full CreateStateMachine / UpdateStateMachine behind the typed
 * aev_machine_create(_with) / aev_machine_update (which pass a setup with
 * at most a role).
 * update: definition NULL keeps the current one; at least one of
 * definition, role, logging or tracing is required
 * (MissingRequiredParameter); an update that changes nothing keeps the
 * current revision. The revision's id ("" for Create's) goes to
 * revision_id (may be NULL). */
int aev__machine_create(aev_broker *b, const char *name, const char *definition, size_t len, int type,
                        const m_setup *s, aev_machine **out);
int aev__machine_update(aev_machine *m, const char *definition, size_t len, const m_setup *s,
                        char revision_id[AEV_UUID_LEN + 1]);
/* DescribeStateMachineForExecution's answer for e. */
int aev__execution_machine(aev_execution *e, json_t **out);

/* Jackson's description (json_syntax.c) of the syntax error in the JSON
 * text (len bytes) that failed to parse, for the errors described there,
 * into msg (cap bytes), with the line and column after it: 1; else 0. */
int aev__json_syntax_error(const char *text, size_t len, char *msg, size_t cap, int *line, int *column);
/* Jackson's location of that error, as ValidateStateMachineDefinition
 * answers it: "[Source: (String)"<text>"; line: L, column: C]". */
void aev__json_syntax_source(const char *text, size_t len, int line, int column, char *out, size_t cap);
/* Whether the text holds JSON whitespace only (or nothing). */
int aev__json_blank(const char *text, size_t len);

/* Tags of state machines and activities (machine_tags.c), as AWS's
 * TagList: an array of {"key", "value"}. check: the list's shape and
 * lengths (ValidationException) and AWS's 50 (TooManyTags, naming arn).
 * merge: a new list, have with add applied (same key: new value).
 * without: a new list, have less the keys. NULL when memory ran out. */
#define M_MAX_TAGS 50
int aev__machine_tags_check(json_t *tags, const char *arn);
int aev__machine_tags_merge(json_t *have, json_t *add, const char *arn, json_t **out);
json_t *aev__machine_tags_without(json_t *have, json_t *keys);
/* TagResource / UntagResource / ListTagsForResource on the machine or
 * activity arn names (InvalidArn, ResourceNotFound). All or nothing. */
int aev__machine_tag_resource(aev_broker *b, const char *arn, json_t *tags);
int aev__machine_untag_resource(aev_broker *b, const char *arn, json_t *keys);
int aev__machine_list_tags(aev_broker *b, const char *arn, json_t **tags);

/* A published version (versions.c): an immutable snapshot of the revision
 * current when it was published, numbered from 1, a number never reused
 * (AWS: "Version numbers aren't reused for a given state machine"). */
typedef struct m_version {
  uint32_t number;
  char *arn; /* <machine arn>:<number> */
  m_def *def;
  m_rev *rev;
  char *description; /* NULL: none */
  int64_t created_ms;
} m_version;

/* AWS: "You can publish up to 1000 versions for each state machine." */
#define M_MAX_VERSIONS 1000

/* An alias (aliases.c): one version, or two that share its executions by
 * weight (percentages summing to 100). */
typedef struct m_alias {
  char *name;
  char *arn;         /* <machine arn>:<name> */
  char *description; /* NULL: none */
  uint32_t version[2], weight[2];
  size_t n;
  int64_t created_ms, updated_ms;
} m_alias;

struct aev_machine {
  aev__resource res;
  pthread_mutex_t mu;
  int type;
  m_def *def;
  m_rev *rev; /* definition text, role, configurations */
  json_t *tags;
  int64_t created_ms;
  struct aev_execution **execs; /* STANDARD executions, oldest first */
  size_t nexecs, capexecs;
  uint64_t listed; /* STANDARD executions ever listed (their seq) */
  m_index by_name; /* the same executions */
  int64_t retention_ms; /* finished executions kept this long (retention.c) */
  int64_t prune_at;     /* earliest expiry among the finished ones */
  m_version **versions; /* oldest first, under mu */
  size_t nversions, capversions;
  uint32_t published; /* versions ever published: the last number */
  m_alias **aliases; /* under mu */
  size_t naliases, capaliases;
};

typedef struct m_run m_run;
typedef struct m_probe m_probe;
typedef struct m_map_run m_map_run; /* map_run.c */
typedef struct m_history m_history; /* history.c */

/* A client token of a redrive, and the redrive's date. */
#define M_REDRIVE_TOKENS 10
typedef struct m_redrive_token {
  char token[65]; /* "" unused */
  int64_t redrive_ms;
} m_redrive_token;

struct aev_execution {
  _Atomic long refs;
  aev_machine *m; /* counted reference */
  aev_broker *b;
  m_def *def; /* the machine's definition at start (shared, refcounted) */
  m_rev *rev; /* and its text, role and configurations */
  pthread_mutex_t mu;
  pthread_cond_t done_cv;
  aev__strand *strand;
  char *arn, *name;
  char *version_arn; /* the version it was started from, or NULL */
  char *alias_arn;   /* the alias it was started through, or NULL */
  uint64_t seq; /* its place among its machine's listed executions: 1, 2, ... */
  int type;
  int status; /* AEV_EXECUTION_* */
  char *input, *output, *error, *cause;
  int64_t start_ms, stop_ms;
  m_history *history; /* NULL for EXPRESS */
  int64_t events; /* ids handed out */
  json_t *context; /* $$ base (when the definition uses it) */
  m_run **runs;
  size_t nruns, capruns;
  /* Task tokens given out and not yet answered, as run index << 32 | task
   * seq, under mu (exec_task.c): a token is answered once, and not after
   * its task ended. */
  uint64_t *open_tokens;
  size_t nopen, capopen;
  aev__timer timeout;
  int finished;
  int stopping;
  /* A .sync parent waiting for this execution's end (aev__exec_watch). */
  void (*watch)(aev_execution *e, void *user);
  void *watch_user;
  /* RedriveExecution (redrive.c): how often, when last, and the client
   * tokens of the last redrives, which AWS answers again for 15 minutes
   * (NULL until one is given; then M_REDRIVE_TOKENS of them). */
  int redrives;
  int64_t redrive_ms;
  m_redrive_token *tokens;
  /* TestState's (probe.h), which outlives the run; NULL otherwise. */
  m_probe *probe;
  /* A Map Run's child: the run's ARN and how many items it got. */
  char *map_run_arn;
  size_t map_items;
  /* The Map Runs of its Distributed Map states, oldest first (under mu). */
  m_map_run **map_runs;
  size_t nmap_runs, capmap_runs;
};

/* Whether e has ended for good: a redrive sets its status to RUNNING at
 * once, but clears finished only when its strand resumes the execution, so
 * that what the ended attempt left queued there stays dead. Under e->mu. */
static inline int aev__exec_closed(const aev_execution *e) {
  return e->finished && e->status != AEV_EXECUTION_RUNNING;
}

/* Why RedriveExecution would refuse e at now (AWS's redriveStatusReason),
 * or NULL when it can be redriven. Under e->mu. */
const char *aev__exec_not_redrivable(const aev_execution *e, int64_t now_ms);
/* A Map Run's redrive of its child e (which RedriveExecution refuses). */
int aev__execution_redrive_child(aev_execution *e);
/* RedriveExecution's clientToken: 1 to 64 characters of '!' to '~'
 * (ValidationException). */
int aev__redrive_token_check(const char *t);

/* Definitions are shared by a machine and its executions. */
m_def *aev__def_ref(m_def *d);
void aev__def_unref(m_def *d);

/* Starts running e (posts its first step on its strand). */
int aev__exec_begin(aev_execution *e);
/* StopExecution: posted on the strand. */
void aev__exec_abort(aev_execution *e, const char *error, const char *cause);
/* Ends e with status (on its strand): records the terminal event (after
 * event prev) and cancels its timers. error and cause are copied; out of
 * memory, the execution ends with States.Runtime instead. */
void aev__exec_end(aev_execution *e, int status, json_t *output, const char *error,
                   const char *cause, int64_t prev);
/* Frees an execution's error or cause, which may be aev__exec_end's
 * static out-of-memory pair. */
void aev__exec_reason_free(char *s);
/* Calls fn(e, user) once when e ends (at once if it has), or fn(NULL,
 * user) if e is freed unfinished (broker shutdown). One watcher. */
void aev__exec_watch(aev_execution *e, void (*fn)(aev_execution *e, void *user), void *user);
/* A new reference to the STANDARD execution arn names (InvalidArn,
 * ExecutionDoesNotExist). */
int aev__execution_find(aev_broker *b, const char *arn, aev_execution **out);
/* New references to m's executions, oldest first (free the array). */
int aev__machine_executions(aev_machine *m, aev_execution ***out, size_t *n);
/* Frees run state once finished or cancelled. */
void aev__exec_free_runs(aev_execution *e);

/* History: appends an event (type, details key, details object stolen) and
 * returns its id. previous 0: none. Counts ids even when not recording.
 * type and dkey are static strings: the history keeps the pointers.
 * Details NULL under a dkey while recording (they could not be built): no
 * event, previous is returned, and e must end as States.Runtime
 * (aev__hist_lost). */
int64_t aev__hist_add(aev_execution *e, const char *type, int64_t previous, const char *dkey,
                      json_t *details);
/* A state's Entered (entered: its input) or Exited (its output) event; data
 * is borrowed and referenced (never changed afterwards), state is the
 * state's name in e's definition; assigned (an Exited event's, may be
 * NULL; taken): the variables its Assign set, as AWS's assignedVariables. */
int64_t aev__hist_state(aev_execution *e, const char *type, int64_t previous, const char *state,
                        int entered, json_t *data, json_t *assigned);
/* The execution's end event: its details are made from output (when not
 * NULL) or error and cause when the history is read, so recording it
 * needs no memory. The strings are borrowed: e keeps them until freed. */
int64_t aev__hist_end(aev_execution *e, const char *type, int64_t previous, const char *dkey,
                      const char *output, const char *error, const char *cause);
/* Non-zero when e's history could not grow to keep room for more events:
 * e must end now (aev__run_history_full). */
int aev__hist_short(aev_execution *e);
/* Non-zero when an event of e could not be built, so was not recorded: e
 * must end now, and not as a success. */
int aev__hist_lost(aev_execution *e);
m_history *aev__hist_new(void);
void aev__hist_free(m_history *h);
/* The last end event takes over the output, error and cause it borrowed
 * from the execution, which a redrive clears: 1 when there is one (else
 * the caller frees them). Under the execution's mu. */
int aev__hist_take_end(m_history *h);
/* The events as AWS's GetExecutionHistory lists them (a new array). */
json_t *aev__hist_json(aev_execution *e);

void aev__execution_unref(aev_execution *e);

/* The "Step Functions Execution Status Change" event of a STANDARD
 * execution on the default bus (status_event.c). No lock held. */
void aev__exec_status_event(aev_execution *e);

/* Retention of finished executions (retention.c): the default period;
 * noting an execution's end (no lock held); dropping the expired ones from
 * m's list (takes m->mu, then each execution's). */
void aev__machine_retention_init(aev_machine *m);
void aev__machine_finished(aev_machine *m, int64_t stop_ms);
void aev__machine_prune(aev_machine *m);

/* AWS's rule for names of machines, executions and activities: 1-80
 * characters without whitespace, control characters or the punctuation AWS lists
 * (InvalidName). */
int aev__machine_check_name(const char *name, const char *what);

/* AWS's lengths for a failure's error (0-256 characters) and cause
 * (0-32768) in StopExecution and SendTaskFailure (ValidationException).
 * Either may be NULL. */
int aev__machine_check_reason(const char *error, const char *cause);

/* Activities (activity.c): queues a Task state's input and token for the
 * activity arn names (ActivityDoesNotExist); its JSON shape for Describe /
 * List. */
int aev__activity_schedule(aev_broker *b, const char *arn, const char *token, const char *input);
/* Withdraws the task of token from the queue of the activity arn names, if
 * no worker has taken it yet (its attempt or execution ended). */
void aev__activity_withdraw(aev_broker *b, const char *arn, const char *token);
/* Tasks waiting for a worker (tests). */
size_t aev__activity_queued(aev_activity *a);
json_t *aev__activity_json(const aev_activity *a);
/* CreateActivity with its tags and encryptionConfiguration (NULL: none,
 * AWS's default key), both checked already. */
int aev__activity_create(aev_broker *b, const char *name, json_t *tags, json_t *encryption,
                         aev_activity **out);
/* An activity's tags and the lock that guards them (machine_tags.c). */
void aev__activity_tags(aev_activity *a, pthread_mutex_t **mu, json_t ***tags);
/* A worker took the task of token (exec_task.c): ActivityStarted is
 * recorded on the execution's strand. Non-zero (TaskTimedOut, InvalidToken)
 * when the execution has ended. */
int aev__task_started(aev_broker *b, const char *token, const char *worker_name);

/* An AWS SDK integration's resource, arn:aws:states:::aws-sdk:SERVICE:
 * action[.waitForTaskToken] (exec_sdk.c): -1 when AWS does not recognize
 * it (a pattern other than .waitForTaskToken, a malformed name, an action
 * that a service of this broker does not have), else 0 (other resources
 * too). */
int aev__sdk_check(const char *resource);

/* The execution named name in x, or NULL; adding (non-zero: out of
 * memory), removing, freeing the table. Under the machine's lock. */
struct aev_execution *aev__index_find(const m_index *x, const char *name);
int aev__index_add(m_index *x, struct aev_execution *e);
void aev__index_del(m_index *x, const struct aev_execution *e);
void aev__index_clear(m_index *x);

/* ---- versions (versions.c) ---- */

/* StateMachineDoesNotExist for arn. */
int aev__machine_not_found(const char *arn);
/* What a deleted machine's handle answers: ServiceUnavailable
 * (AEV_ERR_CLOSED) once the broker is destroyed, else
 * StateMachineDoesNotExist. */
int aev__machine_gone(const aev_machine *m);
/* Step Functions' members that take an ARN refuse anything else (the typed
 * C API also takes names): InvalidArn "Invalid ARN prefix". */
int aev__states_arn_check(const char *arn);

/* The machine an ARN names and the version its qualifier names (0: none,
 * the unqualified ARN); a qualifier that is not a number names an alias,
 * pointed to by *alias (in arn) where the caller takes one (alias not
 * NULL), else refused (InvalidArn). */
int aev__machine_target(aev_broker *b, const char *arn, aev_machine **m, uint32_t *version,
                        const char **alias);

/* PublishStateMachineVersion: a version of m's current revision (or the one
 * already holding it). revision_id, description: NULL for none (checked
 * here). *out: {stateMachineVersionArn, creationDate}. */
int aev__version_publish(aev_machine *m, const char *revision_id, const char *description,
                         const char *description_path, json_t **out);

/* New references to the definition and revision version n of m holds (0:
 * m's current ones) and a copy of its ARN (NULL for 0):
 * StateMachineDoesNotExist when there is no such version. */
int aev__version_take(aev_machine *m, uint32_t n, m_def **def, m_rev **rev, char **arn);

/* StateMachineDoesNotExist unless m has version n. */
int aev__version_check(aev_machine *m, uint32_t n);

/* DescribeStateMachine of version n of m. */
int aev__version_describe(aev_machine *m, uint32_t n, json_t **out);

/* ListStateMachineVersions' items, newest first (a new array). */
json_t *aev__version_items(aev_machine *m);

/* DeleteStateMachineVersion: done at once when there is no such version;
 * ConflictException while an alias routes to it. */
int aev__version_delete(aev_machine *m, uint32_t n);

/* Frees m's versions (the machine is being destroyed). */
void aev__machine_versions_free(aev_machine *m);

/* ---- aliases (aliases.c) ---- */

/* CreateStateMachineAlias (idempotent): *out {stateMachineAliasArn,
 * creationDate}. routing is the request's routingConfiguration. */
int aev__alias_create(aev_broker *b, const char *name, const char *description, json_t *routing,
                      json_t **out);
/* DescribeStateMachineAlias. */
int aev__alias_describe(aev_broker *b, const char *arn, json_t **out);
/* UpdateStateMachineAlias: description and routing NULL when not given
 * (one of them is required). *out {updateDate}. */
int aev__alias_update(aev_broker *b, const char *arn, const char *description, json_t *routing,
                      json_t **out);
/* DeleteStateMachineAlias: done at once when there is no such alias. */
int aev__alias_delete(aev_broker *b, const char *arn);
/* ListStateMachineAliases' items, by name (a new array). */
json_t *aev__alias_items(aev_machine *m);
/* The version an execution started through alias name runs, drawn by the
 * alias's weights (version NULL: only whether the alias exists):
 * ResourceNotFound when m has no such alias. */
int aev__alias_route(aev_machine *m, const char *name, uint32_t *version);
/* Under m->mu: ConflictException naming m's aliases that route to
 * version, if any. */
int aev__alias_holding(aev_machine *m, uint32_t version);
/* Frees m's aliases (the machine is being destroyed). */
void aev__machine_aliases_free(aev_machine *m);

/* The members a revision adds to Describe's answers (machine.c). */
json_t *aev__rev_json(const m_rev *r);

/* TestState (test_state.c): a machine of definition (InvalidDefinition)
 * that no listing shows, whose executions run as EXPRESS ones; and its
 * execution under probe (probe.h). */
int aev__machine_hidden(aev_broker *b, const char *name, const char *definition, size_t len,
                        const char *role_arn, aev_machine **out);
int aev__machine_start_probe(aev_machine *m, const char *input, size_t len, m_probe *probe,
                             aev_execution **out);

/* The labelled machine <parent's machine>/<label> of a Map Run, running
 * definition (a Distributed Map's ItemProcessor) as type, made the first
 * time (with the parent's role): a new reference. */
int aev__map_machine(aev_execution *parent, const char *label, const char *definition, size_t len, int type,
                     aev_machine **out);
/* A child execution of the Map Run map_run_arn, of the Map Run's machine m,
 * with items items (1, or its ItemBatcher batch's). */
int aev__machine_start_child(aev_machine *m, const char *map_run_arn, size_t items, const char *input,
                             size_t len, aev_execution **out);

/* StartExecution and StartSyncExecution of version n of m (0: its current
 * revision), through the alias alias_arn (NULL: none) that chose it. */
int aev__machine_start_version(aev_machine *m, uint32_t n, const char *alias_arn, const char *name,
                               const char *input, size_t len, aev_execution **out);
int aev__machine_start_sync_version(aev_machine *m, uint32_t n, const char *alias_arn, const char *name,
                                    const char *input, size_t len, char **result_json);
/* StartSyncExecution's start without its wait, for a task, which cannot
 * wait (aws-sdk:sfn:startSyncExecution): fn(e, user) runs at the
 * execution's end (aev__exec_watch), where aev__execution_sync_result
 * gives the answer. On failure fn never runs. */
int aev__machine_start_sync_watched(aev_machine *m, uint32_t n, const char *alias_arn, const char *name,
                                    const char *input, size_t len, void (*fn)(aev_execution *e, void *user),
                                    void *user);

/* Status names. */
const char *aev__exec_status_name(int status);

/* ---- Map Runs (map_run.c) ---- */

/* What became of a Map Run's child executions (and their items). */
enum { MR_RUNNING, MR_SUCCEEDED, MR_FAILED, MR_TIMED_OUT, MR_ABORTED, MR_N };

/* A Map Run's child in a slot: its execution's ARN (NULL until started)
 * and whether it succeeded. */
typedef struct m_kid {
  char *arn;
  int ok;
} m_kid;

/* A Distributed Map state's run of its children (AWS's Map Run): each
 * child an execution of the run's labelled machine, counted here. The
 * parent's strand changes it, under the execution's mu; ListMapRuns,
 * DescribeMapRun and UpdateMapRun read and change it from any thread. */
struct m_map_run {
  char *arn;         /* <partition>:states:...:mapRun:<machine>/<label>:<id> */
  aev_machine *machine; /* <machine>/<label>, whose executions the children are */
  int own_machine;      /* labelled with a UUID: no other run's, gone with this one */
  m_kid *kids;          /* per slot */
  int status;        /* MR_RUNNING ... MR_ABORTED */
  int64_t start_ms, stop_ms;
  int64_t max_concurrency, tolerated_count; /* 0: none */
  double tolerated_pct;
  int redrives;
  int64_t redrive_ms;
  size_t execs, items;            /* totals */
  size_t exec_n[MR_N], item_n[MR_N]; /* by what became of them; the rest pend */
  m_run *run; /* the Map state's, on the parent's strand */
};

/* A new RUNNING Map Run of r's Map state, labelled label (NULL: a UUID),
 * kept by r's execution, with its labelled machine: its children run the
 * Map state's ItemProcessor. */
int aev__map_run_new(m_run *r, const char *label, size_t execs, size_t items, m_map_run **out);
/* A child of items items moves from what became of it so far (-1: it was
 * pending) to what became of it now. */
void aev__map_run_child(aev_execution *e, m_map_run *mr, size_t items, int from, int to);
/* The run ends with status: its running children are stopped and count
 * as aborted. */
void aev__map_run_end(aev_execution *e, m_map_run *mr, int status);
/* A redrive runs its children that did not succeed again. */
void aev__map_run_redriven(aev_execution *e, m_map_run *mr);
/* The runs still RUNNING when e ends: ABORTED (on e's strand). */
void aev__map_runs_close(aev_execution *e);
void aev__map_runs_free(aev_execution *e);
/* The Map Run arn names and a new reference to its execution
 * (InvalidArn, ResourceNotFound). */
int aev__map_run_find(aev_broker *b, const char *arn, aev_execution **e, m_map_run **mr);
/* DescribeMapRun's answer and ListMapRuns' item of mr (NULL: out of
 * memory). */
json_t *aev__map_run_json(aev_execution *e, m_map_run *mr);
json_t *aev__map_run_item(aev_execution *e, m_map_run *mr);
/* UpdateMapRun: each of the three NULL when not given. */
int aev__map_run_update(aev_execution *e, m_map_run *mr, const int64_t *max_concurrency,
                        const double *tolerated_pct, const int64_t *tolerated_count);

#endif

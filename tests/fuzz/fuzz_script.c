/* libFuzzer target for the services working together: a script of API
 * calls, one a line ("SERVICE ACTION JSON", or "advance MS" to move the
 * manual clock), run through aev_call on one fresh broker, so that state
 * left by one call (a queue, a subscription, a rule's target, a mapping, an
 * execution) meets the calls and the deliveries after it. Handlers "echo"
 * (answers its event) and "fail" (fails with Boom) are registered for
 * CreateFunction, and https://ok.example/ answers 200 to every request.
 * Every call must answer a JSON object, or AWS's error shape with the code
 * aev_errcode() gives; the broker then runs an hour of its clock and is
 * destroyed, and the sanitizers see everything left behind.
 *
 * The S3 stand-in writes bucket NAME's objects under ./NAME (Firehose, the
 * Step Functions ResultWriter and s3:putObject), so the target runs in a
 * directory of its own under /tmp, emptied after each input; the paths on
 * its command line are made absolute first. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "awsevents/awsevents.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A step of the clock goes up to a day; the last one, which lets what the
 * calls started run (a retry, a wait, a batching window), an hour. */
enum { MAX_CALLS = 48, MAX_STEP_MS = 86400000, FINAL_MS = 3600000 };

static void echo(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)user;
  /* A success answer must be JSON; the services send JSON events, but a
   * fuzzed Invoke payload may not be one, and then the handler fails. */
  json_t *j = json_loadb(event, len, JSON_DECODE_ANY, NULL);
  if (j) aev_invocation_succeed(ctx, event, len);
  else aev_invocation_fail(ctx, "NotJson", "the event is not JSON");
  json_decref(j);
}

static void fail(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)user, (void)event, (void)len;
  aev_invocation_fail(ctx, "Boom", "failed on purpose");
}

static void ok_endpoint(void *user, aev_http_request *r) {
  (void)user;
  static const char body[] = "{\"access_token\":\"t\",\"ok\":true}";
  aev_http_request_respond(r, 200, body, sizeof body - 1);
}

/* An answer is a JSON object; an error's is {"__type": aev_errcode(), ...}. */
static void check_answer(int rc, char *out) {
  if (!out) abort();
  json_t *j = json_loads(out, 0, NULL);
  if (!json_is_object(j)) abort();
  if (rc != AEV_OK) {
    const char *type = json_string_value(json_object_get(j, "__type"));
    if (!type || !*type || strcmp(type, aev_errcode()) != 0) abort();
  }
  json_decref(j);
  aev_free(out);
}

/* One line: a clock step or a call. Lines that are neither are skipped. */
static void run_line(aev_broker *b, char *line) {
  char *service = line, *action = strchr(line, ' ');
  if (!action) return;
  *action++ = '\0';
  if (!strcmp(service, "advance")) {
    long long ms = strtoll(action, NULL, 10);
    if (ms > 0) aev_broker_advance(b, ms < MAX_STEP_MS ? ms : MAX_STEP_MS);
    return;
  }
  char *request = strchr(action, ' ');
  if (request) *request++ = '\0';
  char *out = NULL;
  int rc = aev_call(b, service, action, request ? request : "{}", &out);
  check_answer(rc, out);
}

/* An option's path (after its '=') or a corpus path, made absolute. */
static char *absolute(const char *arg) {
  const char *eq = arg[0] == '-' ? strchr(arg, '=') : NULL;
  const char *path = eq ? eq + 1 : arg;
  if (arg[0] == '-' && (!eq || (strncmp(arg, "-artifact_prefix=", 17) &&
                                strncmp(arg, "-exact_artifact_path=", 21) &&
                                strncmp(arg, "-dict=", 6))))
    return (char *)arg;
  if (path[0] == '/' || !path[0]) return (char *)arg;
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) abort();
  size_t n = strlen(arg) + strlen(cwd) + 2;
  char *out = malloc(n);
  if (!out) abort();
  snprintf(out, n, "%.*s%s/%s", (int)(path - arg), arg, cwd, path);
  return out;
}

/* The directory the target runs in; empty until LLVMFuzzerInitialize()
 * made it, and only then is anything removed. */
static char own_dir[] = "/tmp/fuzz_script.XXXXXX";
static int in_own_dir;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  for (int i = 1; i < *argc; i++) (*argv)[i] = absolute((*argv)[i]);
  if (!mkdtemp(own_dir) || chdir(own_dir)) abort();
  in_own_dir = 1;
  return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag;
  return ftw->level > 0 ? remove(path) : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  aev_broker_options *o;
  aev_broker *b;
  if (aev_broker_options_new(&o)) abort();
  aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL);
  aev_broker_options_set_workers(o, 0);
  aev_broker_options_set_seed(o, 1);
  if (aev_broker_new(o, &b) != AEV_OK) abort();
  aev_broker_options_free(o);
  if (aev_handler_register(b, "echo", echo, NULL, NULL) ||
      aev_handler_register(b, "fail", fail, NULL, NULL) ||
      aev_endpoint_register(b, "https://ok.example/", ok_endpoint, NULL, NULL))
    abort();
  char *save = NULL;
  int calls = 0;
  for (char *line = strtok_r(text, "\n", &save); line && calls < MAX_CALLS;
       line = strtok_r(NULL, "\n", &save), calls++)
    run_line(b, line);
  aev_broker_advance(b, FINAL_MS);
  aev_broker_destroy(b);
  free(text);
  if (in_own_dir) nftw(own_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  return 0;
}

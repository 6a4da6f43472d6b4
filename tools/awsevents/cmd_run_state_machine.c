/* `awsevents run-state-machine --definition D --input I [--type T]
 * [--name N] [--function NAME=COMMAND ...] [--real-time] [--history]`:
 * runs one execution and prints StartSyncExecution's response shape; exit 3
 * when it did not succeed. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "awsevents/machine.h"
#include "cli.h"
#include "cli_function.h"

/* A real-clock broker for --real-time: Waits take their real time. */
static int real_broker(aev_broker **out) {
  aev_broker_options *o = NULL;
  int rc = aev_broker_options_new(&o);
  if (!rc) rc = aev_broker_options_set_clock(o, AEV_CLOCK_REAL);
  if (!rc) rc = aev_broker_new(o, out);
  aev_broker_options_free(o);
  return rc ? cli_aws_error() : 0;
}

/* The printed result: StartSyncExecution's members, plus "history" with
 * --history. */
static int print_result(aev_execution *e, int with_history) {
  char *text = NULL, *hist = NULL;
  if (aev_execution_describe(e, &text)) return cli_aws_error();
  json_t *d = json_loads(text, 0, NULL), *out = json_object();
  aev_free(text);
  static const char *const keep[] = {"executionArn", "stateMachineArn", "name", "status",
                                     "startDate", "stopDate", "input", "inputDetails", "output",
                                     "outputDetails", "error", "cause"};
  for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
    json_t *v = json_object_get(d, keep[i]);
    if (v) json_object_set(out, keep[i], v);
  }
  if (with_history && aev_execution_history(e, &hist) == AEV_OK) {
    json_t *h = json_loads(hist, 0, NULL);
    json_object_set(out, "history", json_object_get(h, "events"));
    json_decref(h);
    aev_free(hist);
  }
  char *s = json_dumps(out, JSON_COMPACT);
  int status = aev_execution_status(e);
  cli_print_json(s);
  free(s);
  json_decref(out);
  json_decref(d);
  return status == AEV_EXECUTION_SUCCEEDED ? 0 : 3;
}

static int run(int argc, char **argv) {
  const cli_command *cmd = &cli_cmd_run_state_machine;
  const char *def_arg = NULL, *input_arg = NULL, *type_arg = "STANDARD", *name = NULL;
  int real_time = 0, with_history = 0;
  cli_functions *fs = NULL;
  for (int i = 1; i < argc; i++) {
    int used = cli_functions_option(&fs, cmd, argc, argv, i);
    if (used < 0) {
      cli_functions_free(fs);
      return 2;
    }
    if (used > 0) {
      i += used - 1;
      continue;
    }
    const char **slot = !strcmp(argv[i], "--definition") ? &def_arg
                        : !strcmp(argv[i], "--input")    ? &input_arg
                        : !strcmp(argv[i], "--type")     ? &type_arg
                        : !strcmp(argv[i], "--name")     ? &name
                                                         : NULL;
    if (slot) {
      if (i + 1 >= argc) {
        cli_functions_free(fs);
        return cli_usage_error(cmd, "%s needs a value", argv[i]);
      }
      *slot = argv[++i];
    } else if (!strcmp(argv[i], "--real-time")) {
      real_time = 1;
    } else if (!strcmp(argv[i], "--history")) {
      with_history = 1;
    } else {
      cli_functions_free(fs);
      return cli_usage_error(cmd, "unknown argument %s", argv[i]);
    }
  }
  const char *bad = !def_arg ? "--definition is required"
                    : strcmp(type_arg, "STANDARD") && strcmp(type_arg, "EXPRESS")
                        ? "--type must be STANDARD or EXPRESS"
                    : with_history && !strcmp(type_arg, "EXPRESS")
                        ? "--history needs --type STANDARD (Express executions keep no history)"
                        : NULL;
  if (bad) {
    cli_functions_free(fs);
    return cli_usage_error(cmd, "%s", bad);
  }
  int type = strcmp(type_arg, "EXPRESS") ? AEV_MACHINE_STANDARD : AEV_MACHINE_EXPRESS;
  char *def = NULL, *input = NULL;
  int code = cli_load_arg(cmd, def_arg, &def);
  if (!code && input_arg) code = cli_load_arg(cmd, input_arg, &input);
  aev_broker *b = NULL;
  if (!code) code = real_time ? real_broker(&b) : cli_broker_new(NULL, -1, &b);
  if (!code) code = cli_functions_create(fs, b);
  aev_machine *m = NULL;
  aev_execution *e = NULL;
  if (!code && (aev_machine_create(b, "run-state-machine", def, strlen(def), type, &m) ||
                aev_machine_start(m, name, input ? input : "{}", input ? strlen(input) : 2, &e) ||
                aev_execution_wait(e)))
    code = cli_aws_error();
  if (!code) code = print_result(e, with_history);
  aev_execution_release(e);
  aev_machine_release(m);
  aev_broker_destroy(b);
  cli_functions_free(fs);
  free(def);
  free(input);
  return code;
}

const cli_command cli_cmd_run_state_machine = {
    .name = "run-state-machine",
    .summary = "runs one Step Functions execution of an ASL definition",
    .usage =
        "usage: awsevents run-state-machine --definition D [--input I] [--type STANDARD|EXPRESS]\n"
        "                                   [--name NAME] [--function NAME=COMMAND ...]\n"
        "                                   [--real-time] [--history]\n\n"
        "Creates a state machine from the ASL definition D and runs one execution on\n"
        "input I (default {}), both JSON given inline or as file://PATH. The clock is\n"
        "virtual and jumps over Waits and retry delays unless --real-time is given.\n"
        "--function binds a Lambda function name (as Task states name it in Resource\n"
        "ARNs or FunctionName) to a shell command: the payload on its stdin, the\n"
        "result on its stdout; a non-zero exit is a function error (errorType and\n"
        "errorMessage from a JSON object on stdout, else Unhandled with stderr).\n\n"
        "Prints StartSyncExecution's response: {\"executionArn\", \"status\", \"output\"\n"
        "(JSON text), \"error\", \"cause\", \"startDate\", \"stopDate\", ...}; --history\n"
        "adds GetExecutionHistory's events (STANDARD only).\n\n"
        "Exit status: 0 SUCCEEDED; 3 FAILED, TIMED_OUT or ABORTED (result on stdout);\n"
        "1 an invalid definition or other AWS error (on stderr); 2 usage.\n"
        "Example:\n"
        "  awsevents run-state-machine --input '{\"n\": 1}' --definition \\\n"
        "      '{\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}}'\n",
    .run = run,
};

/* `awsevents test-event-pattern --event-pattern P --event E
 * [--require-envelope]`: does an EventBridge pattern match an event? */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "awsevents/pattern.h"
#include "cli.h"

/* With --require-envelope the call goes through aev_call's TestEventPattern,
 * which checks AWS's envelope fields like AWS does. */
static int via_api(const char *pattern, const char *event) {
  aev_broker *b = NULL;
  int code = cli_broker_new(NULL, -1, &b);
  if (code) return code;
  json_t *req = json_pack("{s:s,s:s}", "EventPattern", pattern, "Event", event);
  char *text = json_dumps(req, JSON_COMPACT), *response = NULL;
  json_decref(req);
  if (aev_call(b, "events", "TestEventPattern", text, &response) == AEV_OK)
    code = cli_print_json(response);
  else
    code = cli_aws_error();
  aev_free(response);
  free(text);
  aev_broker_destroy(b);
  return code;
}

static int direct(const char *pattern, const char *event) {
  aev_pattern *p = NULL;
  int match = 0;
  if (aev_pattern_compile(pattern, strlen(pattern), &p) ||
      aev_pattern_matches(p, event, strlen(event), &match)) {
    aev_pattern_free(p);
    return cli_aws_error();
  }
  aev_pattern_free(p);
  return cli_print_json(match ? "{\"Result\": true}" : "{\"Result\": false}");
}

static int run(int argc, char **argv) {
  const cli_command *cmd = &cli_cmd_test_event_pattern;
  const char *pattern_arg = NULL, *event_arg = NULL;
  int envelope = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--require-envelope")) {
      envelope = 1;
    } else if (!strcmp(argv[i], "--event-pattern") || !strcmp(argv[i], "--event")) {
      if (i + 1 >= argc) return cli_usage_error(cmd, "%s needs a value", argv[i]);
      *(argv[i][7] ? &pattern_arg : &event_arg) = argv[i + 1];
      i++;
    } else {
      return cli_usage_error(cmd, "unknown argument %s", argv[i]);
    }
  }
  if (!pattern_arg || !event_arg)
    return cli_usage_error(cmd, "--event-pattern and --event are required");
  char *pattern = NULL, *event = NULL;
  int code = cli_load_arg(cmd, pattern_arg, &pattern);
  if (!code) code = cli_load_arg(cmd, event_arg, &event);
  if (!code) code = envelope ? via_api(pattern, event) : direct(pattern, event);
  free(pattern);
  free(event);
  return code;
}

const cli_command cli_cmd_test_event_pattern = {
    .name = "test-event-pattern",
    .summary = "does an EventBridge event pattern match an event?",
    .usage =
        "usage: awsevents test-event-pattern --event-pattern PATTERN --event EVENT\n"
        "                                    [--require-envelope]\n\n"
        "Tests an EventBridge event pattern against an event, both JSON given\n"
        "inline or as file://PATH. Any JSON object is accepted as the event;\n"
        "with --require-envelope the event must carry AWS's envelope fields\n"
        "(id, account, source, time, region, detail-type), as TestEventPattern\n"
        "requires.\n\n"
        "Prints {\"Result\": true} or {\"Result\": false} and exits 0; an invalid\n"
        "pattern prints {\"__type\": \"InvalidEventPatternException\", ...} on\n"
        "stderr and exits 1.\n"
        "Example:\n"
        "  awsevents test-event-pattern --event-pattern '{\"source\": [\"app\"]}' \\\n"
        "      --event '{\"source\": \"app\"}'\n",
    .run = run,
};

/* `awsevents script [FILE] [--seed N] [--start-time T]`: a JSON-lines
 * session against one broker on the manual clock; every input line gets
 * exactly one flushed output line and an error never ends the session. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_awsevents.h"
#include "cli_endpoint.h"
#include "cli_function.h"

static const char shape_msg[] =
    "Each line must be {\"service\": S, \"action\": A, \"request\": {...}} "
    "or {\"advance_ms\": N}.";

static char *advance(aev_broker *b, json_t *line) {
  json_t *ms = json_object_get(line, "advance_ms");
  if (json_object_size(line) != 1 || !json_is_integer(ms))
    return cli_error_json("SerializationException", shape_msg);
  if (aev_broker_advance(b, json_integer_value(ms)) != AEV_OK)
    return cli_error_json(aev_errcode(), aev_errmsg());
  json_t *now = json_pack("{s:I}", "now_ms", (json_int_t)aev_broker_now_ms(b));
  char *text = json_dumps(now, JSON_COMPACT);
  json_decref(now);
  return text;
}

/* 1 when v is a string holding U+0000, which a C string would cut. */
static int holds_nul(json_t *v) {
  return json_is_string(v) &&
         strlen(json_string_value(v)) != json_string_length(v);
}

static char *call(aev_broker *b, json_t *line) {
  json_t *service = json_object_get(line, "service");
  json_t *action = json_object_get(line, "action");
  json_t *request = json_object_get(line, "request");
  size_t expected = 2 + (request != NULL);
  if (!json_is_string(service) || !json_is_string(action) ||
      (request && !json_is_object(request)) ||
      json_object_size(line) != expected)
    return cli_error_json("SerializationException", shape_msg);
  if (holds_nul(service) || holds_nul(action))
    return cli_error_json("SerializationException",
                          "The service and action must not contain the "
                          "character U+0000.");
  if (!strcmp(json_string_value(service), "awsevents")) {
    char *out = cli_awsevents_call(b, json_string_value(action), request);
    aev_broker_drain(b);
    return out;
  }
  /* The request goes on whole: json_dumps writes U+0000 as \u0000, which
   * aev_call reads back, so the service answers its own error for it. */
  char *req_text = request ? json_dumps(request, JSON_COMPACT) : NULL;
  if (request && !req_text) return NULL; /* never the call with no request */
  char *response = NULL;
  aev_call(b, json_string_value(service), json_string_value(action),
           req_text, &response);
  free(req_text);
  /* What a call set in motion right now (a fan-out, a delivery) happens
   * before the next line, as it would within milliseconds on AWS; timed
   * work waits for an advance_ms line. */
  aev_broker_drain(b);
  return response;
}

/* Lines are read with their length and parsed as aev_call parses
 * requests: U+0000 in a string is taken, a NUL byte is not JSON. */
static char *answer(aev_broker *b, const char *text, size_t len) {
  json_error_t jerr;
  json_t *line = json_loadb(text, len, JSON_ALLOW_NUL, &jerr);
  if (!line) {
    char msg[256 + sizeof jerr.text];
    snprintf(msg, sizeof msg,
             "Could not parse line into json: %s (column %d). %s", jerr.text,
             jerr.column, shape_msg);
    return cli_error_json("SerializationException", msg);
  }
  char *out = json_object_get(line, "advance_ms") ? advance(b, line)
                                                  : call(b, line);
  json_decref(line);
  return out;
}

static int blank(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (!isspace((unsigned char)s[i]))
      return 0;
  return 1;
}

static int session(aev_broker *b, FILE *in) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, in)) >= 0) {
    if (blank(line, (size_t)n))
      continue;
    char *out = answer(b, line, (size_t)n);
    cli_print_json(out ? out
                       : "{\"__type\":\"InternalFailure\",\"message\":\"Out "
                         "of memory.\"}");
    free(out);
  }
  free(line);
  return 0;
}

static int run(int argc, char **argv) {
  const char *file = NULL;
  uint64_t seed = 0;
  int has_seed = 0;
  int64_t start_ms = -1;
  cli_functions *fs = NULL;
  cli_endpoints *es = NULL;
  int code = 0;
  for (int i = 1; i < argc && !code; i++) {
    const char *a = argv[i];
    int used = cli_functions_option(&fs, &cli_cmd_script, argc, argv, i);
    if (!used) used = cli_endpoints_option(&es, &cli_cmd_script, argc, argv, i);
    if (used != 0) {
      if (used < 0) code = 2;
      else i += used - 1;
    } else if (strcmp(a, "--seed") == 0 || strcmp(a, "--start-time") == 0) {
      if (i + 1 == argc) {
        code = cli_usage_error(&cli_cmd_script, "%s needs a value", a);
        break;
      }
      const char *v = argv[++i];
      if (strcmp(a, "--seed") == 0) {
        char *end;
        errno = 0;
        seed = strtoull(v, &end, 10);
        if (!isdigit((unsigned char)v[0]) || *end || errno)
          code = cli_usage_error(&cli_cmd_script,
                                 "--seed needs a non-negative integer, not "
                                 "'%s'",
                                 v);
        has_seed = 1;
      } else if (cli_parse_time(v, &start_ms) != 0 || start_ms < 0) {
        code = cli_usage_error(&cli_cmd_script,
                               "--start-time needs epoch milliseconds or an "
                               "ISO-8601 UTC time, not '%s'",
                               v);
      }
    } else if (a[0] == '-' && a[1] == '-') {
      code = cli_usage_error(&cli_cmd_script, "unknown option %s", a);
    } else if (file) {
      code = cli_usage_error(&cli_cmd_script, "only one FILE may be given");
    } else {
      file = a;
    }
  }
  FILE *in = stdin;
  if (!code && file && strcmp(file, "-") != 0 && !(in = fopen(file, "r")))
    code = cli_usage_error(&cli_cmd_script, "cannot open %s: %s", file,
                           strerror(errno));
  aev_broker *b = NULL;
  if (!code) code = cli_broker_new(has_seed ? &seed : NULL, start_ms, &b);
  if (!code) {
    code = cli_functions_create(fs, b);
    if (!code) code = cli_endpoints_register(es, b);
    if (!code) code = session(b, in);
    aev_broker_destroy(b);
  }
  if (in && in != stdin)
    fclose(in);
  cli_functions_free(fs);
  cli_endpoints_free(es);
  return code;
}

const cli_command cli_cmd_script = {
    .name = "script",
    .summary = "a JSON-lines session against one broker (manual clock)",
    .usage =
        "usage: awsevents script [FILE] [--seed N] [--start-time T]\n"
        "                        [--function NAME=COMMAND ...]\n"
        "                        [--endpoint URL_PREFIX=COMMAND ...]\n\n"
        "Reads JSON lines from FILE (default: standard input) and runs them\n"
        "against one broker on the manual clock, with no worker threads:\n"
        "  {\"service\": \"sqs\", \"action\": \"SendMessage\", "
        "\"request\": {...}}\n"
        "      one AWS API call; prints its response or its error object\n"
        "      {\"__type\": CODE, \"message\": TEXT}, then runs the work it\n"
        "      started at once (deliveries, fan-out)\n"
        "  {\"advance_ms\": N}\n"
        "      moves the clock N ms, firing every timer due on the way;\n"
        "      prints {\"now_ms\": NOW}\n"
        "  {\"service\": \"awsevents\", \"action\": \"ReadSnsOutbox\",\n"
        "   \"request\": {\"Keep\": false}}\n"
        "      prints the SMS, email and push deliveries SNS recorded\n"
        "      ({\"Deliveries\": [...], \"Dropped\": N}) and, unless Keep,\n"
        "      clears them; action \"OptOutPhoneNumber\" with {\"phoneNumber\"}\n"
        "      opts a number out as a STOP reply would\n"
        "Every non-blank line gets exactly one output line on stdout,\n"
        "flushed at once; an error never ends the session. Exits 0 at the\n"
        "end of input.\n\n"
        "  --seed N        seed ids and jitter: two runs print the same\n"
        "  --start-time T  where the clock starts: epoch milliseconds or\n"
        "                  ISO-8601 UTC (default 2024-01-01T00:00:00Z)\n"
        "  --function NAME=COMMAND\n"
        "                  a Lambda function NAME that runs /bin/sh -c\n"
        "                  COMMAND per invocation (event on stdin, stdout\n"
        "                  the result, non-zero exit a function error)\n"
        "  --endpoint URL_PREFIX=COMMAND\n"
        "                  an HTTP endpoint for URLs starting with URL_PREFIX\n"
        "                  (the longest wins): /bin/sh -c COMMAND per request,\n"
        "                  the request on stdin as {\"method\", \"url\",\n"
        "                  \"headers\", \"body\"}; stdout's first line, when a\n"
        "                  3-digit number, is the status and the rest the\n"
        "                  body, else 200 with stdout as the body; a non-zero\n"
        "                  exit answers 500\n",
    .run = run,
};

/* `awsevents jsonata --expression E [--input J] [--bindings B]`: evaluates a
 * JSONata expression and prints the result as one line of JSON, or nothing
 * when the result is undefined. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "awsevents/jsonata.h"
#include "cli.h"

/* {"__type": CODE, "message": TEXT, "position": N} on stderr, exit 1 */
static int jsonata_error(void) {
  json_t *e = json_pack("{s:s,s:s,s:i}", "__type", aev_errcode(), "message", aev_errmsg(), "position",
                        aev_jsonata_error_position());
  char *text = e ? json_dumps(e, JSON_COMPACT) : NULL;
  fprintf(stderr, "%s\n", text ? text : "{\"__type\": \"InternalFailure\"}");
  free(text);
  json_decref(e);
  return 1;
}

static int run(int argc, char **argv) {
  const cli_command *cmd = &cli_cmd_jsonata;
  const char *expr_arg = NULL, *input_arg = NULL, *bindings_arg = NULL;
  long max_depth = 1000, timeout_ms = 1000;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--expression") || !strcmp(a, "--input") || !strcmp(a, "--bindings") ||
        !strcmp(a, "--max-depth") || !strcmp(a, "--timeout-ms")) {
      if (i + 1 >= argc) return cli_usage_error(cmd, "%s needs a value", a);
      const char *v = argv[++i];
      if (!strcmp(a, "--expression")) expr_arg = v;
      else if (!strcmp(a, "--input")) input_arg = v;
      else if (!strcmp(a, "--bindings")) bindings_arg = v;
      else {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || n < 0) return cli_usage_error(cmd, "%s needs a non-negative integer", a);
        if (!strcmp(a, "--max-depth")) max_depth = n;
        else timeout_ms = n;
      }
    } else {
      return cli_usage_error(cmd, "unknown argument %s", a);
    }
  }
  if (!expr_arg) return cli_usage_error(cmd, "--expression is required");
  char *input = NULL, *bindings = NULL;
  int code = 0;
  if (input_arg) code = cli_load_arg(cmd, input_arg, &input);
  if (!code && bindings_arg) code = cli_load_arg(cmd, bindings_arg, &bindings);
  aev_jsonata *x = NULL;
  char *result = NULL;
  if (!code) {
    if (aev_jsonata_compile(expr_arg, strlen(expr_arg), &x) ||
        aev_jsonata_set_limits(x, max_depth < 1 ? 1 : (int)max_depth, timeout_ms) ||
        aev_jsonata_evaluate(x, input, bindings, &result))
      code = strcmp(aev_errcode(), "InvalidJson") ? jsonata_error() : cli_aws_error();
    else if (result)
      code = cli_print_json(result);
  }
  aev_free(result);
  aev_jsonata_free(x);
  free(input);
  free(bindings);
  return code;
}

const cli_command cli_cmd_jsonata = {
    .name = "jsonata",
    .summary = "evaluate a JSONata expression",
    .usage =
        "usage: awsevents jsonata --expression EXPR [--input JSON] [--bindings JSON]\n"
        "                         [--max-depth N] [--timeout-ms MS]\n\n"
        "Evaluates a JSONata 2.0.6 expression (the language of Step Functions'\n"
        "JSONata query language) against the input document (inline JSON or\n"
        "file://PATH; without --input there is no input at all, not null).\n"
        "--bindings is a JSON object of variables, names without the $.\n"
        "--max-depth bounds evaluation nesting (default 1000), --timeout-ms the\n"
        "evaluation's CPU time (default 1000, 0 = none); exceeding either is U1001.\n\n"
        "Prints the result as one line of JSON and exits 0; prints nothing when\n"
        "the result is undefined (exit 0). A JSONata error prints\n"
        "{\"__type\": CODE, \"message\": TEXT, \"position\": N} on stderr, exit 1.\n"
        "Example:\n"
        "  awsevents jsonata --expression '$sum(items.price)' \\\n"
        "      --input '{\"items\": [{\"price\": 1}, {\"price\": 2.5}]}'\n",
    .run = run,
};

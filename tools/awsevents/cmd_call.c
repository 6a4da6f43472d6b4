/* `awsevents call SERVICE ACTION [REQUEST]`: one AWS API call against a
 * fresh in-process broker on the manual clock. */
#include <stdlib.h>

#include "cli.h"
#include "cli_endpoint.h"
#include "cli_function.h"

static int run(int argc, char **argv) {
  const char *pos[3];
  int n = 0;
  cli_functions *fs = NULL;
  cli_endpoints *es = NULL;
  int code = 0;
  for (int i = 1; i < argc && !code; i++) {
    int used = cli_functions_option(&fs, &cli_cmd_call, argc, argv, i);
    if (!used) used = cli_endpoints_option(&es, &cli_cmd_call, argc, argv, i);
    if (used < 0)
      code = 2;
    else if (used > 0)
      i += used - 1;
    else if (argv[i][0] == '-' && argv[i][1] == '-')
      code = cli_usage_error(&cli_cmd_call, "unknown option %s", argv[i]);
    else if (n == 3)
      code = cli_usage_error(&cli_cmd_call, "too many arguments");
    else
      pos[n++] = argv[i];
  }
  if (!code && n < 2)
    code = cli_usage_error(&cli_cmd_call, "SERVICE and ACTION are required");
  char *request = NULL;
  if (!code && n == 3 && cli_load_arg(&cli_cmd_call, pos[2], &request))
    code = 2;
  if (code) {
    cli_functions_free(fs);
    cli_endpoints_free(es);
    return code;
  }
  aev_broker *b = NULL;
  code = cli_broker_new(NULL, -1, &b);
  if (code == 0 && ((code = cli_functions_create(fs, b)) != 0 ||
                    (code = cli_endpoints_register(es, b)) != 0))
    aev_broker_destroy(b);
  else if (code == 0) {
    char *response = NULL;
    if (aev_call(b, pos[0], pos[1], request, &response) == AEV_OK)
      code = cli_print_json(response);
    else
      code = cli_aws_error();
    aev_free(response);
    aev_broker_destroy(b);
  }
  cli_functions_free(fs);
  cli_endpoints_free(es);
  free(request);
  return code;
}

const cli_command cli_cmd_call = {
    .name = "call",
    .summary = "one AWS API call against a fresh in-process broker",
    .usage =
        "usage: awsevents call SERVICE ACTION [REQUEST] "
        "[--function NAME=COMMAND ...]\n"
        "       [--endpoint URL_PREFIX=COMMAND ...]\n\n"
        "Makes one AWS API call with AWS's JSON request and response shapes\n"
        "against a fresh in-process broker (manual clock, region us-east-1,\n"
        "account 000000000000).\n\n"
        "  SERVICE  sqs, sns, kinesis, firehose, events, states (or stepfunctions)\n"
        "           or lambda\n"
        "  ACTION   AWS's action name, e.g. SendMessage\n"
        "  REQUEST  the request object, inline or file://PATH (default {})\n"
        "  --function NAME=COMMAND\n"
        "           a Lambda function NAME (Lambda's default configuration)\n"
        "           that runs /bin/sh -c COMMAND per invocation: the event on\n"
        "           stdin, stdout the result; a non-zero exit is a function\n"
        "           error (errorType/errorMessage from a JSON object on\n"
        "           stdout, else Unhandled with stderr as the message)\n"
        "  --endpoint URL_PREFIX=COMMAND\n"
        "           an HTTP endpoint for URLs starting with URL_PREFIX (the\n"
        "           longest wins; API destinations, OAuth token endpoints):\n"
        "           /bin/sh -c COMMAND per request, the request on stdin as\n"
        "           {\"method\", \"url\", \"headers\", \"body\"}; stdout's first\n"
        "           line, when a 3-digit number, is the status and the rest\n"
        "           the body, else 200 with stdout as the body; a non-zero\n"
        "           exit answers 500\n\n"
        "Prints the response on stdout and exits 0, or prints\n"
        "{\"__type\": CODE, \"message\": TEXT} on stderr and exits 1.\n"
        "Example:\n"
        "  awsevents call sqs CreateQueue '{\"QueueName\": \"orders\"}'\n",
    .run = run,
};

/* `awsevents call SERVICE ACTION [REQUEST]`: one AWS API call against a
 * fresh in-process broker on the manual clock. */
#include <stdlib.h>

#include "cli.h"

static int run(int argc, char **argv) {
  const char *pos[3];
  int n = 0;
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] == '-' && argv[i][1] == '-')
      return cli_usage_error(&cli_cmd_call, "unknown option %s", argv[i]);
    if (n == 3)
      return cli_usage_error(&cli_cmd_call, "too many arguments");
    pos[n++] = argv[i];
  }
  if (n < 2)
    return cli_usage_error(&cli_cmd_call, "SERVICE and ACTION are required");
  char *request = NULL;
  if (n == 3 && cli_load_arg(&cli_cmd_call, pos[2], &request))
    return 2;
  aev_broker *b = NULL;
  int code = cli_broker_new(NULL, -1, &b);
  if (code == 0) {
    char *response = NULL;
    if (aev_call(b, pos[0], pos[1], request, &response) == AEV_OK)
      code = cli_print_json(response);
    else
      code = cli_aws_error();
    aev_free(response);
    aev_broker_destroy(b);
  }
  free(request);
  return code;
}

const cli_command cli_cmd_call = {
    .name = "call",
    .summary = "one AWS API call against a fresh in-process broker",
    .usage =
        "usage: awsevents call SERVICE ACTION [REQUEST]\n\n"
        "Makes one AWS API call with AWS's JSON request and response shapes\n"
        "against a fresh in-process broker (manual clock, region us-east-1,\n"
        "account 000000000000).\n\n"
        "  SERVICE  sqs, sns, kinesis, firehose, events, states or lambda\n"
        "  ACTION   AWS's action name, e.g. SendMessage\n"
        "  REQUEST  the request object, inline or file://PATH (default {})\n\n"
        "Prints the response on stdout and exits 0, or prints\n"
        "{\"__type\": CODE, \"message\": TEXT} on stderr and exits 1.\n"
        "Example:\n"
        "  awsevents call sqs CreateQueue '{\"QueueName\": \"orders\"}'\n",
    .run = run,
};

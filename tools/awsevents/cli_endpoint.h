/* `--endpoint URL_PREFIX=COMMAND`, on `call` and `script`: binds URLs
 * starting with URL_PREFIX (the longest bound prefix wins) to a shell
 * command standing for that HTTP endpoint, run with /bin/sh -c COMMAND per
 * request (EventBridge API destinations, OAuth token endpoints). The
 * request arrives on stdin as one JSON object {"method", "url", "headers",
 * "body"}; the command answers on stdout: a first line that is a 3-digit
 * number is the HTTP status and the lines after it the body, otherwise the
 * status is 200 and all of stdout is the body. A non-zero exit answers
 * 500 (a server error, which EventBridge retries). */
#ifndef AEV_CLI_ENDPOINT_H
#define AEV_CLI_ENDPOINT_H

#include "awsevents/broker.h"
#include "cli.h"

typedef struct cli_endpoints cli_endpoints;

/* Recognises --endpoint URL_PREFIX=COMMAND or --endpoint=URL_PREFIX=COMMAND
 * at argv[i] (the prefix ends at its first '='): returns how many
 * arguments it consumed (1 or 2), 0 when argv[i] is another argument, or
 * -1 after printing a usage error (exit 2). */
int cli_endpoints_option(cli_endpoints **es, const cli_command *cmd, int argc, char **argv,
                         int i);

/* Registers each binding with b. Returns 0, or prints the error and
 * returns 1. es may be NULL. */
int cli_endpoints_register(cli_endpoints *es, aev_broker *b);

/* After the broker that used them is destroyed. NULL is a no-op. */
void cli_endpoints_free(cli_endpoints *es);

#endif

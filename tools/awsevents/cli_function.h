/* `--function NAME=COMMAND` (DESIGN §6), shared by every subcommand that
 * takes it (call, script, run-state-machine): binds a Lambda function name
 * to a shell command run with /bin/sh -c COMMAND per invocation, the event
 * on its stdin and its stdout as the result. A non-zero exit is a function
 * error whose errorType / errorMessage come from a JSON object on stdout
 * when there is one, else errorType Unhandled with stderr as the message. */
#ifndef AEV_CLI_FUNCTION_H
#define AEV_CLI_FUNCTION_H

#include "awsevents/broker.h"
#include "cli.h"

typedef struct cli_functions cli_functions;

/* Recognises --function NAME=COMMAND or --function=NAME=COMMAND at
 * argv[i]: returns how many arguments it consumed (1 or 2), 0 when argv[i]
 * is another argument, or -1 after printing a usage error (exit 2). */
int cli_functions_option(cli_functions **fs, const cli_command *cmd,
                         int argc, char **argv, int i);

/* Creates each bound function in b with Lambda's default configuration and
 * registers its command as a handler of the same name (so CreateFunction
 * with Handler NAME works too). Returns 0, or prints the AWS error and
 * returns 1. fs may be NULL. */
int cli_functions_create(cli_functions *fs, aev_broker *b);

/* Runs /bin/sh -c command with input (len bytes) on its stdin: its exit
 * status (-1 when it could not run), and its stdout, trailing whitespace
 * trimmed, in *out (malloc'd or NULL when empty; *out_len bytes). */
int cli_run_shell(const char *command, const char *input, size_t len, char **out,
                  size_t *out_len);

/* After the broker that used them is destroyed. NULL is a no-op. */
void cli_functions_free(cli_functions *fs);

#endif

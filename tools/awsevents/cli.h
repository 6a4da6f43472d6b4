/* The awsevents tool: the subcommand table entry every cmd_*.c exports, and
 * the helpers that keep DESIGN §6's one contract (stdout: response JSON,
 * exit 0; stderr: AWS error JSON, exit 1; stderr: usage, exit 2). */
#ifndef AEV_CLI_H
#define AEV_CLI_H

#include <stdio.h>

typedef struct cli_command {
  const char *name;    /* "call" */
  const char *summary; /* one line for `awsevents --help` */
  const char *usage;   /* full usage text for `awsevents NAME --help` */
  /* argv[0] is the subcommand name. Returns the process exit code. */
  int (*run)(int argc, char **argv);
} cli_command;

/* Loads a JSON argument given inline or as file://PATH, like the AWS CLI.
 * On success *out is malloc'd text (free with free()) and 0 is returned; on
 * failure a usage error has been printed and 2 is returned. */
int cli_load_arg(const cli_command *cmd, const char *arg, char **out);

/* Prints the last library error as {"__type": aev_errcode(), "message":
 * aev_errmsg()} on stderr and returns 1. */
int cli_aws_error(void);

/* Prints "awsevents NAME: <message>" and cmd's usage on stderr, returns 2. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Writes text and a newline to stdout and flushes; returns 0. */
int cli_print_json(const char *text);

#endif

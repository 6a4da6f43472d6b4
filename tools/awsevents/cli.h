/* The awsevents tool: the subcommand table entry every cmd_*.c exports, and
 * the helpers that keep DESIGN §6's one contract (stdout: response JSON,
 * exit 0; stderr: AWS error JSON, exit 1; stderr: usage, exit 2). */
#ifndef AEV_CLI_H
#define AEV_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "awsevents/broker.h"

typedef struct cli_command {
  const char *name;    /* "call" */
  const char *summary; /* one line for `awsevents --help` */
  const char *usage;   /* full usage text for `awsevents NAME --help` */
  /* argv[0] is the subcommand name. Returns the process exit code. */
  int (*run)(int argc, char **argv);
} cli_command;

/* The subcommands main.c lists, one cmd_<name>.c each. */
extern const cli_command cli_cmd_call;
extern const cli_command cli_cmd_script;
extern const cli_command cli_cmd_test_event_pattern;
extern const cli_command cli_cmd_run_state_machine;
extern const cli_command cli_cmd_validate_state_machine_definition;
extern const cli_command cli_cmd_jsonata;

/* Loads a JSON argument given inline or as file://PATH, like the AWS CLI.
 * On success *out is malloc'd text (free with free()) and 0 is returned; on
 * failure a usage error has been printed and 2 is returned. */
int cli_load_arg(const cli_command *cmd, const char *arg, char **out);

/* AWS's error shape {"__type": code, "message": message} as compact JSON
 * (malloc'd; NULL when out of memory). */
char *cli_error_json(const char *code, const char *message);

/* Prints the last library error as {"__type": aev_errcode(), "message":
 * aev_errmsg()} on stderr and returns 1. */
int cli_aws_error(void);

/* Prints "awsevents NAME: <message>" and cmd's usage on stderr, returns 2. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Recognises `option KEY=COMMAND` or `option=KEY=COMMAND` at argv[i]
 * (--function NAME=COMMAND, --endpoint URL_PREFIX=COMMAND; what names KEY
 * in the usage error): *key and *command are malloc'd. Returns how many
 * arguments it consumed (1 or 2), 0 when argv[i] is another argument, or
 * -1 after printing a usage error (exit 2). */
int cli_key_command_option(const cli_command *cmd, const char *option, const char *what,
                           int argc, char **argv, int i, char **key, char **command);

/* Writes text and a newline to stdout and flushes; returns 0. */
int cli_print_json(const char *text);

/* Parses a time given as epoch milliseconds ("1704067200000") or as an
 * ISO-8601 UTC time ("2024-01-01T00:00:00Z", optional fraction, "Z" or
 * "+00:00"). Returns 0, or -1 when text is neither. */
int cli_parse_time(const char *text, int64_t *out_ms);

/* Creates the broker a subcommand runs against: manual clock, workers 0
 * (so everything runs on this thread, deterministically), starting at
 * start_ms (the library's default start when < 0), seeded with *seed when
 * seed is not NULL. Returns 0, or prints the AWS error and returns 1. */
int cli_broker_new(const uint64_t *seed, int64_t start_ms, aev_broker **out);

#endif

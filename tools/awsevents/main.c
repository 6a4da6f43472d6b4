/* awsevents: the command-line front to libawsevents. Finds the subcommand,
 * answers --help and --version, and keeps the usage exit code (2). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_command *const commands[] = {
    &cli_cmd_call,
    &cli_cmd_script,
    &cli_cmd_test_event_pattern,
    &cli_cmd_run_state_machine,
    &cli_cmd_validate_state_machine_definition,
    &cli_cmd_jsonata,
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *to) {
  fprintf(to,
          "usage: awsevents [--help | --version] COMMAND [ARGS...]\n\n"
          "Runs AWS's event-driven services (SQS, SNS, Kinesis, Firehose,\n"
          "EventBridge, Step Functions, Lambda) in this process.\n"
          "JSON arguments are inline text or file://PATH.\n\n"
          "Commands:\n");
  for (size_t i = 0; i < N_COMMANDS; i++)
    fprintf(to, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
  fprintf(to, "\n`awsevents COMMAND --help` describes a command.\n"
              "Exit status: 0 success, 1 AWS error (on stderr), 2 usage.\n");
}

static const cli_command *find(const char *name) {
  for (size_t i = 0; i < N_COMMANDS; i++)
    if (strcmp(commands[i]->name, name) == 0)
      return commands[i];
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("awsevents %s\n", aev_version_string());
    return 0;
  }
  const cli_command *cmd = find(argv[1]);
  if (!cmd) {
    fprintf(stderr, "awsevents: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
  }
  for (int i = 2; i < argc; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(cmd->usage, stdout);
      return 0;
    }
  return cmd->run(argc - 1, argv + 1);
}

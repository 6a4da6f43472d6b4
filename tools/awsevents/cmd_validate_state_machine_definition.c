/* `awsevents validate-state-machine-definition --definition D [--type T]`:
 * ValidateStateMachineDefinition's result shape. */
#include <stdlib.h>
#include <string.h>

#include "awsevents/machine.h"
#include "cli.h"

static int run(int argc, char **argv) {
  const cli_command *cmd = &cli_cmd_validate_state_machine_definition;
  const char *def_arg = NULL, *type_arg = "STANDARD";
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--definition") || !strcmp(argv[i], "--type")) {
      if (i + 1 >= argc) return cli_usage_error(cmd, "%s needs a value", argv[i]);
      *(!strcmp(argv[i], "--type") ? &type_arg : &def_arg) = argv[i + 1];
      i++;
    } else {
      return cli_usage_error(cmd, "unknown argument %s", argv[i]);
    }
  }
  if (!def_arg) return cli_usage_error(cmd, "--definition is required");
  if (strcmp(type_arg, "STANDARD") && strcmp(type_arg, "EXPRESS"))
    return cli_usage_error(cmd, "--type must be STANDARD or EXPRESS");
  char *def = NULL, *result = NULL;
  int code = cli_load_arg(cmd, def_arg, &def);
  if (!code) {
    int type = strcmp(type_arg, "EXPRESS") ? AEV_MACHINE_STANDARD : AEV_MACHINE_EXPRESS;
    code = aev_machine_validate(def, strlen(def), type, &result) ? cli_aws_error()
                                                                 : cli_print_json(result);
  }
  aev_free(result);
  free(def);
  return code;
}

const cli_command cli_cmd_validate_state_machine_definition = {
    .name = "validate-state-machine-definition",
    .summary = "checks an ASL definition as ValidateStateMachineDefinition does",
    .usage =
        "usage: awsevents validate-state-machine-definition --definition D\n"
        "                                                   [--type STANDARD|EXPRESS]\n\n"
        "Validates the ASL definition D (inline JSON or file://PATH) and prints\n"
        "ValidateStateMachineDefinition's result: {\"result\": \"OK\"|\"FAIL\",\n"
        "\"diagnostics\": [{\"severity\", \"code\", \"message\", \"location\"}],\n"
        "\"truncated\": false}. Exit 0 either way; 2 on usage errors.\n",
    .run = run,
};

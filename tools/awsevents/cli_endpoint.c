/* --endpoint URL_PREFIX=COMMAND: the endpoint callback that runs a shell
 * command per HTTP request, the option parsing, and the registrations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli_endpoint.h"
#include "cli_function.h"

typedef struct binding {
  struct binding *next;
  char *prefix;
  char *command;
} binding;

struct cli_endpoints {
  binding *head;
};

/* The request as the command reads it on stdin. */
static char *request_json(aev_http_request *r) {
  size_t len;
  const char *body = aev_http_request_body(r, &len);
  json_t *headers = json_loads(aev_http_request_headers(r), 0, NULL);
  json_t *o = json_pack("{s:s,s:s,s:o,s:s%}", "method", aev_http_request_method(r), "url",
                        aev_http_request_url(r), "headers", headers ? headers : json_object(),
                        "body", body, len);
  char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  return text;
}

static int three_digits(const char *s, size_t n) {
  return n == 3 && s[0] >= '1' && s[0] <= '5' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' &&
         s[2] <= '9';
}

static void command_endpoint(void *user, aev_http_request *r) {
  const binding *bd = user;
  char *in = request_json(r), *out = NULL;
  size_t n = 0;
  int status = in ? cli_run_shell(bd->command, in, strlen(in), &out, &n) : -1;
  free(in);
  if (status != 0) {
    aev_http_request_respond(r, 500, out, out ? n : 0);
  } else {
    size_t first = out ? strcspn(out, "\n") : 0;
    if (out && three_digits(out, first)) {
      const char *body = out[first] ? out + first + 1 : out + first;
      aev_http_request_respond(r, atoi(out), body, n - (size_t)(body - out));
    } else {
      aev_http_request_respond(r, 200, out, out ? n : 0);
    }
  }
  free(out);
}

int cli_endpoints_option(cli_endpoints **es, const cli_command *cmd, int argc, char **argv,
                         int i) {
  char *key = NULL, *command = NULL;
  int used = cli_key_command_option(cmd, "--endpoint", "URL_PREFIX", argc, argv, i, &key, &command);
  if (used <= 0) return used;
  binding *bd = *es || (*es = calloc(1, sizeof **es)) ? calloc(1, sizeof *bd) : NULL;
  if (!bd) {
    free(key);
    free(command);
    cli_usage_error(cmd, "out of memory");
    return -1;
  }
  bd->prefix = key;
  bd->command = command;
  bd->next = (*es)->head;
  (*es)->head = bd;
  return used;
}

int cli_endpoints_register(cli_endpoints *es, aev_broker *b) {
  for (binding *bd = es ? es->head : NULL; bd; bd = bd->next)
    if (aev_endpoint_register(b, bd->prefix, command_endpoint, bd, NULL) != AEV_OK)
      return cli_aws_error();
  return 0;
}

void cli_endpoints_free(cli_endpoints *es) {
  if (!es) return;
  while (es->head) {
    binding *bd = es->head;
    es->head = bd->next;
    free(bd->prefix);
    free(bd->command);
    free(bd);
  }
  free(es);
}

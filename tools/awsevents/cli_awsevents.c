/* The "awsevents" pseudo-service of `script` lines: the library's test
 * hooks that AWS's API has no action for, in the line format of a call. */
#include "cli_awsevents.h"

#include <stdlib.h>
#include <string.h>

#include "awsevents/awsevents.h"
#include "cli.h"

static char *library_error(void) { return cli_error_json(aev_errcode(), aev_errmsg()); }

char *cli_awsevents_call(aev_broker *b, const char *action, json_t *request) {
  if (!strcmp(action, "ReadSnsOutbox")) {
    json_t *keep = json_object_get(request, "Keep");
    if (keep && !json_is_boolean(keep))
      return cli_error_json("SerializationException", "Keep must be true or false.");
    char *text = NULL;
    if (aev_sns_outbox_read(b, json_is_true(keep), &text) != AEV_OK) return library_error();
    char *out = strdup(text);
    aev_free(text);
    return out;
  }
  if (!strcmp(action, "OptOutPhoneNumber")) {
    const char *n = json_string_value(json_object_get(request, "phoneNumber"));
    if (aev_sns_phone_opt_out(b, n) != AEV_OK) return library_error();
    return strdup("{}");
  }
  return cli_error_json("InvalidAction",
                        "The awsevents pseudo-service has the actions ReadSnsOutbox and "
                        "OptOutPhoneNumber.");
}

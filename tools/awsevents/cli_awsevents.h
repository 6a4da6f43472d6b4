/* The tool's own pseudo-service "awsevents" in `script` lines: what a test
 * needs beside AWS's API (reading SNS's outbox, a recipient opting out). */
#ifndef AEV_CLI_AWSEVENTS_H
#define AEV_CLI_AWSEVENTS_H

#include <jansson.h>

#include "awsevents/broker.h"

/* One action of the pseudo-service on b (request may be NULL): the
 * response JSON or an error object (malloc'd; NULL when out of memory).
 *   ReadSnsOutbox {"Keep": BOOL}  -> aev_sns_outbox_read's answer
 *   OptOutPhoneNumber {"phoneNumber": N} -> {} (aev_sns_phone_opt_out) */
char *cli_awsevents_call(aev_broker *b, const char *action, json_t *request);

#endif

/* Internal interface of lib/jsonata for other primitives (Step Functions'
 * JSONata query language): evaluation on jansson values with variable
 * bindings such as $states, and extra functions registered per call. */
#ifndef AEV_JSONATA_JSONATA_H
#define AEV_JSONATA_JSONATA_H

#include <jansson.h>

#include "awsevents/jsonata.h"

/* Evaluates expr with `input` as the context (borrowed; NULL = no input)
 * and each member of `bindings` (a JSON object, borrowed, or NULL) bound as
 * a variable ($states, ...). On success returns AEV_OK and *out is a new
 * reference, or NULL when the result is undefined. On a JSONata error
 * returns AEV_ERR_INVALID and fills code (e.g. "T2001"), message and
 * *position when they are not NULL. */
int aev__jsonata_eval_json(const aev_jsonata *expr, json_t *input, json_t *bindings, json_t **out,
                           char code[8], char *message, size_t message_cap, int *position);

/* Step Functions' profile of the language: adds $partition, $range, $hash,
 * $random([seed]), $uuid, $parse and removes $eval, as AWS documents for
 * JSONata in Step Functions. Applies to evaluations of expr from then on.
 * Step Functions runs JSONata 2.0.6, which has no ?: or ??: an expression
 * using them is refused (AEV_ERR_INVALID, S0211) and stays unchanged. */
int aev__jsonata_use_states_profile(aev_jsonata *expr);

/* Whether expr reads the variable $var ("$" for $$), or with field set a
 * path $var.field... */
int aev__jsonata_reads(const aev_jsonata *expr, const char *var, const char *field);

#endif

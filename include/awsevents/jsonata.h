/* awsevents/jsonata.h — JSONata 2.0.6 expressions, usable on their own.
 *
 * JSONata is the query and transformation language AWS Step Functions runs
 * for `"QueryLanguage": "JSONata"` (`{% ... %}` expressions). Compile an
 * expression once, then evaluate it against JSON inputs as often as needed;
 * a compiled expression is immutable and may be evaluated from several
 * threads at once.
 *
 * Errors carry JSONata's own error codes: after a failed call aev_errcode()
 * is the code ("S0201" syntax error, "T2001" arithmetic on a non-number,
 * "D3030" cast failure, "U1001" depth/time limit, ...), aev_errmsg() the
 * message, and aev_jsonata_error_position() the character offset in the
 * expression where it was detected (-1 when unknown). */
#ifndef AWSEVENTS_JSONATA_H
#define AWSEVENTS_JSONATA_H

#include "awsevents/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aev_jsonata aev_jsonata;

/* Compiles the UTF-8 expression text[0..len). On success *out is a new
 * expression to free with aev_jsonata_free. A syntax error returns
 * AEV_ERR_INVALID with the JSONata code (S0xxx) in aev_errcode(). */
AEV_API int aev_jsonata_compile(const char *text, size_t len, aev_jsonata **out);

/* Frees an expression. NULL does nothing. */
AEV_API void aev_jsonata_free(aev_jsonata *expr);

/* Limits applied to each evaluation of expr: max_depth bounds the nesting
 * of evaluation (non-tail recursion; default 1000), timeout_ms bounds the
 * CPU time the evaluating thread spends (0 = no limit, the default). Exceeding either fails
 * with U1001, as the JSONata reference runner reports. Set before sharing
 * the expression between threads. */
AEV_API int aev_jsonata_set_limits(aev_jsonata *expr, int max_depth, int64_t timeout_ms);

/* Bounds the bytes any one string built by an evaluation of expr may hold
 * (default and most: 536,870,888, V8's limit, which jsonata-js has), the
 * result's JSON text included: a longer one fails with U1001. The time
 * limit cannot stop a builtin that builds one long string ($pad, a date
 * picture's width), so this is what bounds the memory an untrusted
 * expression takes. Set before sharing the expression between threads. */
AEV_API int aev_jsonata_set_max_string(aev_jsonata *expr, size_t bytes);

/* Evaluates expr against input_json (JSON text; NULL = no input at all, which
 * JSONata distinguishes from `null`) with variables from bindings_json (a JSON
 * object whose keys are variable names without `$`, or NULL). On success
 * *result is the result as compact JSON text (free with aev_free), or NULL
 * when the result is undefined (JSONata's "no value"). A JSONata error
 * returns AEV_ERR_INVALID with its code in aev_errcode(); input or bindings
 * that are not valid JSON fail with "InvalidJson". */
AEV_API int aev_jsonata_evaluate(const aev_jsonata *expr, const char *input_json, const char *bindings_json,
                                 char **result);

/* The character position of the last JSONata error on this thread, or -1. */
AEV_API int aev_jsonata_error_position(void);

#ifdef __cplusplus
}
#endif
#endif

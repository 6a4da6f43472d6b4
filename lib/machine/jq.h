/* Internal to lib/machine: JSONata templates of the JSONata query language
 * (jq.c) and their place in the execution pipeline (exec_jq.c). */
#ifndef AEV_MACHINE_JQ_H
#define AEV_MACHINE_JQ_H

#include <jansson.h>

#include "json/json.h"

typedef struct m_jt m_jt;

/* Compiles a field's value: strings "{% expr %}" become expressions, the
 * rest stays literal. field names it in causes ("Output"). AEV_OK;
 * AEV_ERR_INVALID with AWS's message in err when an expression does not
 * compile; AEV_ERR_NOMEM (nothing in err) out of memory. *out, even on
 * failure, is the caller's to free. */
int aev__jt_compile(json_t *v, const char *field, m_jt **out, char *err, size_t errlen);
void aev__jt_free(m_jt *t);

/* Whether v is a "{% expr %}" string. */
int aev__jt_is_expr(json_t *v);

/* What Step Functions refuses of a compiled t although it parses (AWS's
 * UNSUPPORTED_JSONATA_EXPRESSION): $$, and $states.errorOutput outside a
 * Catcher (catcher unset). 1 with AWS's message in err, else 0. */
int aev__jt_unsupported(const m_jt *t, int catcher, char *err, size_t errlen);

/* Evaluates t with input as JSONata's context and bindings (an object of
 * variables, $states among them). NULL with States.QueryEvaluationError
 * and AWS's cause in env on an error or an undefined result. */
json_t *aev__jt_eval(const m_jt *t, json_t *input, json_t *bindings, aev__jenv *env);

/* Checks v, what t returned for a field that takes an array: 0 when it is
 * one, else -1 with States.QueryEvaluationError and AWS's cause in env. */
int aev__jt_array(const m_jt *t, json_t *v, aev__jenv *env);

/* Checks v, what t returned for a field that takes a number from min to
 * max (integral: an integer): 0 with it in *out, else -1 with
 * States.QueryEvaluationError in env, naming the expression and field. */
int aev__jt_number(const m_jt *t, json_t *v, int integral, double min, double max, aev__jenv *env,
                   double *out);

/* A new bindings object: the variables plus $states {input, result,
 * errorOutput, context} (NULL members left out); NULL out of memory. */
json_t *aev__jq_bindings(json_t *vars, json_t *input, json_t *result, json_t *error_output,
                         json_t *context);

#endif

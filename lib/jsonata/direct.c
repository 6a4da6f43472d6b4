/* The commonest Step Functions expression is a plain path from a variable
 * or the input ({% $states.input.order.id %}). aev__jsonata_eval_json
 * resolves such a path directly on the jansson values it is given: no
 * evaluation context, arena, frame or value conversion. Whatever needs the
 * evaluator's semantics (an array on the way or as the result, where
 * sequences apply; a name not bound, which may be a built-in; a start that
 * is not an object) is left to it, so results are the evaluator's. */
#include <string.h>

#include "jn.h"

int jn_direct_eval(const jn_node *ast, json_t *input, json_t *bindings, json_t **out) {
  if (ast->type != N_PATH || !ast->simple_path) return 0;
  const jn_node *first = ast->items[0];
  json_t *j = input;
  size_t from = 0;
  if (first->type == N_VARIABLE) {
    from = 1;
    /* `$` is the input; `$$` and unbound names go to the evaluator */
    if (first->op[0]) {
      if (!strcmp(first->op, "$") || !json_is_object(bindings)) return 0;
      j = jn_json_member(bindings, first->op, strlen(first->op));
    }
  }
  if (!json_is_object(j)) return 0;
  int general = 0;
  json_t *r = jn_json_walk(ast, from, j, &general);
  if (general || json_is_array(r)) return 0;
  if (!r) *out = NULL;
  else if (json_is_number(r)) *out = jn_num_to_json(json_number_value(r)); /* as a JS number */
  else *out = json_incref(r); /* strings and objects are shared, as jn_to_json does */
  return !r || *out; /* a number not made (out of memory): the evaluator's to answer */
}

/* The aev_jsonata API: compile once (immutable AST in its own arena), then
 * evaluate on a fresh per-call arena, so one expression serves many threads.
 * Also the jansson-level entry point other primitives use. */
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "core/json_parse.h"
#include "core/status.h"
#include "jn.h"
#include "jsonata/jsonata.h"

struct aev_jsonata {
  jn_arena arena;
  char *text; /* the AST points into it */
  jn_node *ast;
  int max_depth;
  int64_t timeout_ms;
  size_t max_string;
  int states_profile;
};

static _Thread_local int last_position = -1;

int aev_jsonata_error_position(void) { return last_position; }

static int fail_with(const jn_error *e) {
  last_position = e->position;
  if (!strcmp(e->code, JN_OUT_OF_MEMORY)) return aev__nomem();
  return aev__fail(AEV_ERR_INVALID, e->code, "%s", e->message);
}

int aev_jsonata_compile(const char *text, size_t len, aev_jsonata **out) {
  if (!out) return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue", "An out pointer is required");
  *out = NULL;
  if (!text) return aev__fail(AEV_ERR_INVALID, "S0201", "Expression text is required");
  aev_jsonata *x = calloc(1, sizeof *x);
  if (!x || !(x->text = malloc(len + 1))) {
    free(x);
    return aev__nomem();
  }
  memcpy(x->text, text, len);
  x->text[len] = 0;
  jn_error err;
  memset(&err, 0, sizeof err);
  x->ast = jn_parse(&x->arena, x->text, len, &err);
  if (!x->ast) {
    aev_jsonata_free(x);
    return fail_with(&err);
  }
  x->max_depth = 1000;
  x->max_string = JN_MAX_STRING;
  *out = x;
  return AEV_OK;
}

void aev_jsonata_free(aev_jsonata *x) {
  if (!x) return;
  jn_arena_free(&x->arena);
  free(x->text);
  free(x);
}

int aev_jsonata_set_limits(aev_jsonata *x, int max_depth, int64_t timeout_ms) {
  if (!x || max_depth < 1 || timeout_ms < 0)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "max_depth must be at least 1 and timeout_ms at least 0 (0 = no limit)");
  x->max_depth = max_depth;
  x->timeout_ms = timeout_ms;
  return AEV_OK;
}

int aev_jsonata_set_max_string(aev_jsonata *x, size_t bytes) {
  if (!x || bytes > JN_MAX_STRING)
    return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "bytes must be at most %u (the longest string jsonata-js can hold)",
                     JN_MAX_STRING);
  x->max_string = bytes;
  return AEV_OK;
}

int aev__jsonata_use_states_profile(aev_jsonata *x) {
  int at = jn_newer_operator_at(x->ast);
  if (at >= 0) { /* what jsonata-js 2.0.6's parser says of ?? and ?: */
    last_position = at;
    return aev__fail(AEV_ERR_INVALID, "S0211", "The symbol \"%c\" cannot be used as a unary operator",
                     x->text[at - 1] == '?' ? '?' : ':');
  }
  x->states_profile = 1;
  return AEV_OK;
}

int aev__jsonata_reads(const aev_jsonata *x, const char *var, const char *field) {
  return jn_reads_at(x->ast, var, field) >= 0;
}

static int64_t mono_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs the evaluation; returns 0 with *result set, or -1 with err filled. */
static int run(const aev_jsonata *x, jn_ctx *c, json_t *input, json_t *bindings, jn_val **result) {
  jmp_buf jmp;
  c->jmp = &jmp;
  if (setjmp(jmp)) return -1;
  jn_env *global = jn_env_new(c, NULL);
  c->global = global;
  jn_val *in = input ? jn_from_json(c, input) : NULL;
  if (in && in->type == JN_ARR) {
    jn_val *w = jn_seq(c);
    jn_push(c, w, in);
    w->flags |= JN_OUTER;
    in = w;
  }
  if (bindings && json_is_object(bindings)) {
    const char *k;
    json_t *v;
    /* the names are borrowed: `bindings` outlives the evaluation */
    json_object_foreach(bindings, k, v) jn_env_bind(c, global, k, jn_from_json(c, v));
  }
  /* after the bindings, as jsonata-js binds it: `$$` is always the input */
  jn_env_bind(c, global, "$", in);
  *result = jn_eval(c, x->ast, in, global);
  return 0;
}

/* The result as JSON text in b, whose buffer grows in the arena: out of
 * memory there is raised as in the evaluation. 0, or -1 with the error
 * set. */
static int serialize(jn_ctx *c, const jn_val *r, jn_buf *b) {
  jmp_buf jmp;
  c->jmp = &jmp;
  if (setjmp(jmp)) return -1;
  jn_buf_init(b, c);
  jn_serialize(b, r, 0, 0);
  return 0;
}

/* Small evaluations run entirely in a stack buffer: no malloc at all. */
enum { STACK_ARENA = 8192 };

static void eval_oom(void *c) { jn_throw(c, JN_OUT_OF_MEMORY, -1, "Out of memory."); }

static void ctx_init(const aev_jsonata *x, jn_ctx *c, jn_arena *arena, jn_error *err) {
  memset(c, 0, sizeof *c);
  err->code[0] = 0;
  err->message[0] = 0;
  err->position = -1;
  arena->oom = eval_oom;
  arena->oom_ctx = c;
  c->arena = arena;
  c->err = err;
  c->max_depth = x->max_depth;
  c->deadline_ms = x->timeout_ms ? mono_now_ms() + x->timeout_ms : 0;
  c->max_string = x->max_string;
  c->states_profile = x->states_profile;
}

int aev__jsonata_eval_json(const aev_jsonata *x, json_t *input, json_t *bindings, json_t **out, char code[8],
                           char *message, size_t message_cap, int *position) {
  *out = NULL;
  if (jn_direct_eval(x->ast, input, bindings, out)) return AEV_OK;
  _Alignas(16) char stack[STACK_ARENA];
  jn_arena arena = {.ptr = stack, .end = stack + sizeof stack};
  jn_ctx c;
  jn_error err;
  ctx_init(x, &c, &arena, &err);
  jn_val *r = NULL;
  if (run(x, &c, input, bindings, &r) < 0) {
    if (code) snprintf(code, 8, "%s", err.code);
    if (message && message_cap) snprintf(message, message_cap, "%s", err.message);
    if (position) *position = err.position;
    jn_arena_free(&arena);
    return fail_with(&err);
  }
  int converted = jn_to_json(r, out);
  jn_arena_free(&arena);
  return converted ? aev__nomem() : AEV_OK;
}

int aev_jsonata_evaluate(const aev_jsonata *x, const char *input_json, const char *bindings_json, char **result) {
  if (!result) return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue", "A result pointer is required");
  *result = NULL;
  if (!x) return aev__fail(AEV_ERR_INVALID, "InvalidParameterValue", "An expression is required");
  json_error_t je;
  json_t *input = NULL, *bindings = NULL;
  if (input_json) {
    int rc = aev__json_parse(input_json, strlen(input_json), JSON_DECODE_ANY | JSON_ALLOW_NUL, &input, &je);
    if (rc == AEV_ERR_INVALID) return aev__fail(AEV_ERR_INVALID, "InvalidJson", "The input is not valid JSON: %s", je.text);
    if (rc) return rc;
  }
  if (bindings_json) {
    if (aev__json_parse_str(bindings_json, 0, &bindings) == AEV_ERR_NOMEM) {
      json_decref(input);
      return AEV_ERR_NOMEM;
    }
    if (!json_is_object(bindings)) {
      json_decref(input);
      json_decref(bindings);
      return aev__fail(AEV_ERR_INVALID, "InvalidJson", "The bindings must be a JSON object of variable names to values");
    }
  }
  _Alignas(16) char stack[STACK_ARENA];
  jn_arena arena = {.ptr = stack, .end = stack + sizeof stack};
  jn_ctx c;
  jn_error err;
  ctx_init(x, &c, &arena, &err);
  jn_val *r = NULL;
  jn_buf b;
  int rc = AEV_OK;
  if (run(x, &c, input, bindings, &r) < 0 || (r && serialize(&c, r, &b) < 0)) {
    rc = fail_with(&err);
  } else if (r) {
    *result = malloc(b.n + 1);
    if (!*result) rc = aev__nomem();
    else memcpy(*result, b.p, b.n + 1);
  }
  jn_arena_free(&arena);
  json_decref(input);
  json_decref(bindings);
  return rc;
}

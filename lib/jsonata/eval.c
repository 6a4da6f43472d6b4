/* JSONata evaluator: paths and sequences (singleton unwrapping, keep-array,
 * flattening), tuple streams for @/# bindings, predicates, operators,
 * constructors, group-by, order-by, lambdas, partial application, function
 * chaining, transforms and tail calls, following jsonata-js 2.0.6. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jn.h"

void jn_throw(jn_ctx *c, const char *code, int position, const char *fmt, ...) {
  snprintf(c->err->code, sizeof c->err->code, "%s", code);
  c->err->position = position < 0 ? c->cur_pos : position;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->err->message, sizeof c->err->message, fmt, ap);
  va_end(ap);
  longjmp(*c->jmp, 1);
}

double jn_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)(ts.tv_nsec / 1000000);
}

int64_t jn_ctx_now_ms(jn_ctx *c) {
  if (!c->now_ms) c->now_ms = (int64_t)jn_now_ms();
  return c->now_ms;
}

uint64_t *jn_ctx_rng(jn_ctx *c) {
  if (!c->rng) {
    c->rng = (uint64_t)jn_ctx_now_ms(c) * 6364136223846793005ull + (uint64_t)(uintptr_t)c;
    if (!c->rng) c->rng = 88172645463325252ull;
  }
  return &c->rng;
}

/* evaluation time is measured as the evaluating thread's CPU time, so a
 * loaded machine does not turn a slow evaluation into a timeout */
static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- environments ---- */
jn_env *jn_env_new(jn_ctx *c, jn_env *parent) {
  jn_env *e = jn_alloc(c->arena, sizeof *e);
  memset(e, 0, sizeof *e);
  e->parent = parent;
  return e;
}

void jn_env_bind(jn_ctx *c, jn_env *e, const char *name, jn_val *v) {
  for (int i = 0; i < e->n; i++)
    if (!strcmp(e->names[i], name)) {
      e->vals[i] = v;
      return;
    }
  if (e->n == e->cap) {
    int cap = e->cap ? e->cap * 2 : 4;
    const char **names = jn_alloc(c->arena, (size_t)cap * sizeof *names);
    jn_val **vals = jn_alloc(c->arena, (size_t)cap * sizeof *vals);
    if (e->n) {
      memcpy(names, e->names, (size_t)e->n * sizeof *names);
      memcpy(vals, e->vals, (size_t)e->n * sizeof *vals);
    }
    e->names = names;
    e->vals = vals;
    e->cap = cap;
  }
  e->names[e->n] = name;
  e->vals[e->n] = v;
  e->n++;
}

jn_val *jn_env_lookup(jn_env *e, const char *name, int *found) {
  for (; e; e = e->parent)
    for (int i = 0; i < e->n; i++)
      if (!strcmp(e->names[i], name)) {
        if (found) *found = 1;
        return e->vals[i];
      }
  if (found) *found = 0;
  return NULL;
}

static jn_val *native_fn(jn_ctx *c, const jn_builtin *b, jn_sig *sig) {
  jn_func *f = jn_alloc(c->arena, sizeof *f);
  memset(f, 0, sizeof *f);
  f->kind = F_NATIVE;
  f->native = b;
  f->sig = sig;
  return jn_funcv(c, f);
}

static jn_val *lookup_var(jn_ctx *c, jn_env *env, const char *name) {
  int found = 0;
  jn_val *v = jn_env_lookup(env, name, &found);
  if (found) return v;
  const jn_builtin *b = jn_builtin_lookup(c, name);
  if (!b) return NULL;
  int bad = 0;
  return native_fn(c, b, jn_sig_parse(c->arena, b->signature, &bad));
}

/* a variable of the expression: its built-in (if no binding shadows the
 * name) was resolved when the expression was compiled */
static jn_val *lookup_var_node(jn_ctx *c, jn_env *env, const jn_node *n) {
  int found = 0;
  jn_val *v = jn_env_lookup(env, n->op, &found);
  if (found) return jn_unhole(v);
  int prof = c->states_profile ? 1 : 0;
  return n->builtin[prof] ? native_fn(c, n->builtin[prof], n->builtin_sig[prof]) : NULL;
}

/* `$` is the context (the input itself, not its outer wrapping); `$name`
 * a binding or a built-in */
static jn_val *eval_variable(jn_ctx *c, const jn_node *n, jn_val *input, jn_env *env) {
  if (n->op[0] == 0) return jn_unouter(input);
  return lookup_var_node(c, env, n);
}

/* ---- sequence helpers ---- */
int jn_is_seq(const jn_val *v) { return v && v->type == JN_ARR && (v->flags & JN_SEQ); }
int jn_is_array(const jn_val *v) { return v && v->type == JN_ARR; }

static jn_val *seq_of(jn_ctx *c, jn_val *v) {
  jn_val *s = jn_seq(c);
  jn_push(c, s, v);
  return s;
}

jn_val *jn_append(jn_ctx *c, jn_val *a, jn_val *b) {
  a = jn_unhole(a);
  b = jn_unhole(b);
  if (!a) return b;
  if (!b) return a;
  jn_val *r = jn_arr(c, (a->type == JN_ARR ? a->u.arr.n : 1) + (b->type == JN_ARR ? b->u.arr.n : 1));
  if (a->type == JN_ARR)
    for (size_t i = 0; i < a->u.arr.n; i++) jn_push(c, r, a->u.arr.items[i]);
  else
    jn_push(c, r, a);
  if (b->type == JN_ARR)
    for (size_t i = 0; i < b->u.arr.n; i++) jn_push(c, r, b->u.arr.items[i]);
  else
    jn_push(c, r, b);
  return r;
}

jn_val *jn_unwrap_seq(jn_val *v) {
  if (v && jn_is_seq(v) && !(v->flags & JN_TUPLES)) {
    if (v->u.arr.n == 0) return NULL;
    if (v->u.arr.n == 1 && !(v->flags & JN_KEEP)) return jn_unhole(v->u.arr.items[0]);
  }
  return v;
}

/* jsonata-js's isNumeric(): whether v is a number other than NaN (from
 * 0 % 0), which it treats as no number; an infinity (from 1 / 0) is
 * D1001, "Number out of range", wherever it asks. */
int jn_is_numeric(jn_ctx *c, const jn_val *v, int position) {
  if (!v || v->type != JN_NUM) return 0;
  if (isinf(v->u.num)) jn_throw(c, "D1001", position, "Number out of range");
  return !isnan(v->u.num);
}

int jn_truthy(jn_ctx *c, const jn_val *v) {
  if (!v) return 0;
  switch (v->type) {
  case JN_ARR:
    if (v->u.arr.n == 1) return jn_truthy(c, v->u.arr.items[0]);
    for (size_t i = 0; i < v->u.arr.n; i++)
      if (jn_truthy(c, v->u.arr.items[i])) return 1;
    return 0;
  case JN_STR: return v->u.str.len > 0;
  case JN_NUM: return jn_is_numeric(c, v, -1) && v->u.num != 0;
  case JN_OBJ: return v->u.obj.n > 0 || v->u.obj.src != NULL;
  case JN_BOOL: return v->u.b;
  /* jsonata-js's functions are objects with keys, so true, but a regex is
   * a JS closure, so false (as is any function passed to a native, which
   * wraps it in a closure: fn_boolean(), fn_not()) */
  case JN_FUNC: return v->u.fn->kind != F_REGEX;
  default: return 0;
  }
}

int jn_deep_equal(const jn_val *a, const jn_val *b) {
  if (a == b) return 1;
  if (!a || !b || a == JN_HOLE || b == JN_HOLE) return 0;
  if (a->type != b->type) return 0;
  switch (a->type) {
  case JN_NULL: return 1;
  case JN_BOOL: return a->u.b == b->u.b;
  case JN_NUM: return a->u.num == b->u.num;
  case JN_STR: return a->u.str.len == b->u.str.len && memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
  case JN_ARR:
    if (a->u.arr.n != b->u.arr.n) return 0;
    for (size_t i = 0; i < a->u.arr.n; i++)
      if (!jn_deep_equal(a->u.arr.items[i], b->u.arr.items[i])) return 0;
    return 1;
  case JN_OBJ:
    jn_force(a);
    jn_force(b);
    if (a->u.obj.n != b->u.obj.n) return 0;
    for (size_t i = 0; i < a->u.obj.n; i++) {
      jn_val *o = jn_get(b, a->u.obj.keys[i], a->u.obj.klen[i]);
      if (!o || !jn_deep_equal(a->u.obj.vals[i], o)) return 0;
    }
    return 1;
  default: return 0;
  }
}

/* ---- forward ---- */
static jn_val *eval_group(jn_ctx *c, const jn_pair *pairs, size_t npairs, int position, jn_val *input, jn_env *env);
static jn_val *eval_sort(jn_ctx *c, const jn_node *n, jn_val *input, jn_env *env);

static jn_env *frame_from_tuple(jn_ctx *c, jn_env *env, jn_val *tuple) {
  jn_env *e = jn_env_new(c, env);
  for (size_t i = 0; i < tuple->u.obj.n; i++) jn_env_bind(c, e, tuple->u.obj.keys[i], tuple->u.obj.vals[i]);
  return e;
}

static jn_val *tuple_at(const jn_val *t) { return jn_get(t, "@", 1); }

static jn_val *eval_filter(jn_ctx *c, const jn_node *pred, jn_val *input, jn_env *env) {
  jn_val *results = jn_seq(c);
  if (!input) return results;
  if (input->flags & JN_TUPLES) results->flags |= JN_TUPLES;
  if (input->type != JN_ARR) input = seq_of(c, input);
  size_t n = input->u.arr.n;
  if (pred->type == N_NUMBER) {
    double idx = floor(pred->num);
    if (idx < 0) idx += (double)n;
    if (idx >= 0 && idx < (double)n) {
      jn_val *item = jn_unhole(input->u.arr.items[(size_t)idx]);
      if (item) {
        if (item->type == JN_ARR) return item;
        jn_push(c, results, item);
      }
    }
    return results;
  }
  for (size_t i = 0; i < n; i++) {
    jn_val *item = input->u.arr.items[i], *ctxv = item;
    jn_env *e = env;
    if (input->flags & JN_TUPLES) {
      ctxv = tuple_at(item);
      e = frame_from_tuple(c, env, item);
    }
    jn_val *res = jn_eval(c, pred, ctxv, e);
    if (jn_is_numeric(c, res, pred->position)) {
      double ii = floor(res->u.num);
      if (ii < 0) ii += (double)n;
      if (ii == (double)i) jn_push(c, results, item);
      continue;
    }
    if (res && res->type == JN_ARR && res->u.arr.n > 0) {
      int allnum = 1;
      for (size_t k = 0; k < res->u.arr.n; k++)
        if (!jn_is_numeric(c, res->u.arr.items[k], pred->position)) allnum = 0;
      if (allnum) {
        for (size_t k = 0; k < res->u.arr.n; k++) {
          double ii = floor(res->u.arr.items[k]->u.num);
          if (ii < 0) ii += (double)n;
          if (ii == (double)i) jn_push(c, results, item);
        }
        continue;
      }
    }
    if (jn_truthy(c, res)) jn_push(c, results, item);
  }
  return results;
}

/* A node's predicates, on its value v. jsonata-js filters an undefined
 * value as a sequence of one undefined item, which a predicate that does
 * not look at it keeps: a.t[true] over items some of which lack t has an
 * undefined item (null in JSON) for each of those. */
static jn_val *predicates(jn_ctx *c, const jn_node *n, jn_val *v, jn_env *env) {
  for (size_t s = 0; s < n->nstages; s++) v = eval_filter(c, n->stages[s].expr, v ? v : seq_of(c, JN_HOLE), env);
  return v;
}

static jn_val *eval_stages(jn_ctx *c, const jn_node *step, jn_val *input, jn_env *env) {
  jn_val *r = input;
  for (size_t s = 0; s < step->nstages; s++) {
    const jn_stage *st = &step->stages[s];
    if (!st->is_index) {
      r = eval_filter(c, st->expr, r, env);
    } else if (r) {
      for (size_t i = 0; i < r->u.arr.n; i++) jn_set(c, r->u.arr.items[i], st->name, strlen(st->name), jn_num(c, (double)i));
    }
  }
  return r;
}

static jn_val *eval_step(jn_ctx *c, const jn_node *step, jn_val *input, jn_env *env, int last) {
  if (step->type == N_SORT) {
    jn_val *r = eval_sort(c, step, input, env);
    if (step->nstages) r = eval_stages(c, step, r, env);
    return r;
  }
  jn_val *result = jn_seq(c);
  size_t n = input->type == JN_ARR ? input->u.arr.n : 0;
  for (size_t i = 0; i < n; i++) {
    jn_val *res = jn_eval(c, step, input->u.arr.items[i], env);
    if (step->nstages && !step->stages_are_predicates) res = predicates(c, step, res, env);
    if (res) jn_push(c, result, res);
  }
  if (last && result->u.arr.n == 1 && result->u.arr.items[0]->type == JN_ARR && !jn_is_seq(result->u.arr.items[0]))
    return result->u.arr.items[0];
  jn_val *out = jn_seq(c);
  for (size_t i = 0; i < result->u.arr.n; i++) {
    jn_val *res = result->u.arr.items[i];
    if (res->type != JN_ARR || (res->flags & JN_CONS)) jn_push(c, out, res);
    else
      for (size_t k = 0; k < res->u.arr.n; k++) jn_push(c, out, res->u.arr.items[k]);
  }
  return out;
}

static jn_val *tuple_copy(jn_ctx *c, jn_val *t) {
  jn_val *o = jn_objv(c);
  for (size_t i = 0; i < t->u.obj.n; i++) jn_set(c, o, t->u.obj.keys[i], t->u.obj.klen[i], t->u.obj.vals[i]);
  return o;
}

static jn_val *eval_tuple_step(jn_ctx *c, const jn_node *step, jn_val *input, jn_val *tuples, jn_env *env) {
  jn_val *result;
  if (step->type == N_SORT) {
    if (tuples) {
      result = eval_sort(c, step, tuples, env);
    } else {
      jn_val *sorted = eval_sort(c, step, input, env);
      result = jn_seq(c);
      result->flags |= JN_TUPLES;
      for (size_t i = 0; i < sorted->u.arr.n; i++) {
        jn_val *t = jn_objv(c);
        jn_set(c, t, "@", 1, sorted->u.arr.items[i]);
        if (step->index) jn_set(c, t, step->index, strlen(step->index), jn_num(c, (double)i));
        jn_push(c, result, t);
      }
    }
    if (step->nstages) result = eval_stages(c, step, result, env);
    return result;
  }
  result = jn_seq(c);
  result->flags |= JN_TUPLES;
  if (!tuples) {
    tuples = jn_seq(c);
    for (size_t i = 0; input && i < input->u.arr.n; i++) {
      jn_val *t = jn_objv(c);
      jn_set(c, t, "@", 1, input->u.arr.items[i]);
      jn_push(c, tuples, t);
    }
  }
  for (size_t e = 0; e < tuples->u.arr.n; e++) {
    jn_val *tb = tuples->u.arr.items[e];
    jn_env *stepenv = frame_from_tuple(c, env, tb);
    jn_val *res = jn_eval(c, step, tuple_at(tb), stepenv);
    if (!res) continue;
    if (res->type != JN_ARR) res = seq_of(c, res);
    for (size_t b = 0; b < res->u.arr.n; b++) {
      jn_val *t = tuple_copy(c, tb);
      jn_val *rb = res->u.arr.items[b];
      if (res->flags & JN_TUPLES) {
        for (size_t k = 0; k < rb->u.obj.n; k++) jn_set(c, t, rb->u.obj.keys[k], rb->u.obj.klen[k], rb->u.obj.vals[k]);
      } else {
        if (step->focus) {
          jn_set(c, t, step->focus, strlen(step->focus), rb);
          jn_set(c, t, "@", 1, tuple_at(tb));
        } else {
          jn_set(c, t, "@", 1, rb);
        }
        if (step->index) jn_set(c, t, step->index, strlen(step->index), jn_num(c, (double)b));
        if (step->anc) jn_set(c, t, step->anc->label, strlen(step->anc->label), tuple_at(tb));
      }
      jn_push(c, result, t);
    }
  }
  /* Predicates of a step that was not yet a path step (`*@$o[1]`) were
   * applied by jn_eval, to the step's own results, as jsonata-js applies
   * a node's predicate; only stages filter the tuple stream. */
  if (step->nstages && !step->stages_are_predicates) result = eval_stages(c, step, result, env);
  return result;
}

/* Walks a path of plain names through objects without building
 * sequences; returns 0 when the general algorithm is needed (arrays on
 * the way). */
static int simple_walk(jn_ctx *c, const jn_node *n, jn_val *input, jn_env *env, jn_val **out) {
  size_t i = 0;
  jn_val *v = input;
  if (n->items[0]->type == N_VARIABLE) {
    v = eval_variable(c, n->items[0], input, env);
    i = 1;
  }
  for (; i < n->nitems; i++) {
    if (!v) {
      *out = NULL;
      return 1;
    }
    if (v->type != JN_OBJ) {
      if (v->type == JN_ARR) return 0;
      *out = NULL;
      return 1;
    }
    if (v->u.obj.orig) {
      /* the rest of the path from an object that is exactly its jansson
       * source: walk jansson, convert only the value reached */
      int general = 0;
      json_t *j = jn_json_walk(n, i, v->u.obj.orig, &general);
      if (general) return 0;
      *out = jn_from_json(c, j);
      return 1;
    }
    const jn_node *st = n->items[i];
    v = jn_get_key(v, st->op, st->slen, st->op[st->slen] == 0);
  }
  if (v && v->type == JN_ARR && (v->flags & JN_SEQ)) return 0;
  *out = v;
  return 1;
}

static jn_val *eval_path(jn_ctx *c, const jn_node *n, jn_val *input, jn_env *env) {
  jn_val *inseq;
  if (n->simple_path) {
    jn_val *r;
    if (simple_walk(c, n, input, env, &r)) return r;
  }
  if (input && input->type == JN_ARR && n->items[0]->type != N_VARIABLE) inseq = input;
  else inseq = seq_of(c, input);
  jn_val *rs = NULL, *tuples = NULL;
  int tuple_mode = 0;
  for (size_t i = 0; i < n->nitems; i++) {
    const jn_node *step = n->items[i];
    if (step->tuple) tuple_mode = 1;
    if (i == 0 && step->consarray) {
      rs = jn_eval(c, step, inseq, env);
      if (rs && rs->type != JN_ARR) rs = seq_of(c, rs);
    } else if (tuple_mode) {
      tuples = eval_tuple_step(c, step, inseq, tuples, env);
    } else {
      rs = eval_step(c, step, inseq, env, i == n->nitems - 1);
    }
    if (!tuple_mode && (!rs || rs->u.arr.n == 0)) break;
    if (!step->focus) inseq = rs;
  }
  if (tuple_mode) {
    if (n->tuple) {
      /* a path inside another carries its ancestry bindings outward */
      rs = tuples ? tuples : jn_seq(c);
      rs->flags |= JN_TUPLES;
    } else {
      rs = jn_seq(c);
      for (size_t i = 0; tuples && i < tuples->u.arr.n; i++) jn_push(c, rs, tuple_at(tuples->u.arr.items[i]));
    }
  }
  if (n->keep_singleton && rs) {
    if (rs->type == JN_ARR && (rs->flags & JN_CONS) && !(rs->flags & JN_SEQ)) rs = seq_of(c, rs);
    rs->flags |= JN_KEEP;
  }
  if (n->group) rs = eval_group(c, n->group->pairs, n->group->n, n->group->position, tuple_mode ? tuples : rs, env);
  return rs;
}

/* ---- operators ---- */
static const char *type_name(const jn_val *v) {
  if (!v) return "undefined";
  switch (v->type) {
  case JN_NULL: return "null";
  case JN_BOOL: return "boolean";
  case JN_NUM: return "number";
  case JN_STR: return "string";
  case JN_ARR: return "array";
  case JN_FUNC: return "function";
  default: return "object";
  }
}

static jn_val *numeric(jn_ctx *c, const jn_node *n, jn_val *l, jn_val *r) {
  if (l && !jn_is_numeric(c, l, n->position))
    jn_throw(c, "T2001", n->position, "The left side of the \"%s\" operator must evaluate to a number", n->op);
  if (r && !jn_is_numeric(c, r, n->position))
    jn_throw(c, "T2002", n->position, "The right side of the \"%s\" operator must evaluate to a number", n->op);
  if (!l || !r) return NULL;
  double a = l->u.num, b = r->u.num, x = 0;
  switch (n->op[0]) {
  case '+': x = a + b; break;
  case '-': x = a - b; break;
  case '*': x = a * b; break;
  case '/': x = a / b; break;
  case '%': x = fmod(a, b); break;
  }
  return jn_num(c, x);
}

static jn_val *comparison(jn_ctx *c, const jn_node *n, jn_val *l, jn_val *r) {
  int lc = !l || l->type == JN_STR || l->type == JN_NUM;
  int rc = !r || r->type == JN_STR || r->type == JN_NUM;
  if (!lc || !rc)
    jn_throw(c, "T2010", n->position, "The expressions either side of operator \"%s\" must evaluate to numeric or string values", n->op);
  if (!l || !r) return NULL;
  if (l->type != r->type)
    jn_throw(c, "T2009", n->position, "The values either side of the operator \"%s\" must be of the same data type", n->op);
  /* Numbers are compared as such, so that NaN is neither below, above
   * nor equal to anything, as in JavaScript. */
  const int below = n->op[0] == '<', or_equal = n->op[1] == '=';
  if (l->type == JN_NUM) {
    double a = below ? l->u.num : r->u.num, b = below ? r->u.num : l->u.num;
    return JN_BOOLV(or_equal ? a <= b : a < b);
  }
  int k = below ? jn_str_cmp(l, r) : jn_str_cmp(r, l);
  return JN_BOOLV(or_equal ? k <= 0 : k < 0);
}

static int strict_eq(const jn_val *a, const jn_val *b) {
  if (a == b) return 1;
  if (!a || !b || a == JN_HOLE || b == JN_HOLE || a->type != b->type) return 0;
  switch (a->type) {
  case JN_NULL: return 1;
  case JN_BOOL: return a->u.b == b->u.b;
  case JN_NUM: return a->u.num == b->u.num;
  case JN_STR: return jn_str_cmp(a, b) == 0;
  default: return 0;
  }
}

jn_val *jn_to_string(jn_ctx *c, jn_val *v, int pretty) {
  if (!v) return NULL;
  if (v->type == JN_STR) return v;
  if (v->type == JN_FUNC) return jn_str(c, "", 0);
  if (v->type == JN_NUM && !isfinite(v->u.num))
    jn_throw(c, "D3001", -1, "Attempting to invoke string function on Infinity or NaN");
  jn_buf b;
  jn_buf_init(&b, c);
  jn_serialize(&b, jn_unouter(v), 1, pretty ? 2 : 0);
  return jn_buf_val(&b);
}

static jn_val *range(jn_ctx *c, const jn_node *n, jn_val *l, jn_val *r) {
  if (l && (l->type != JN_NUM || !jn_is_int(l->u.num)))
    jn_throw(c, "T2003", n->position, "The left side of the range operator (..) must evaluate to an integer");
  if (r && (r->type != JN_NUM || !jn_is_int(r->u.num)))
    jn_throw(c, "T2004", n->position, "The right side of the range operator (..) must evaluate to an integer");
  if (!l || !r) return NULL;
  double a = l->u.num, b = r->u.num;
  if (a > b) return NULL;
  double size = b - a + 1;
  if (size > 1e7)
    jn_throw(c, "D2014", n->position, "The size of the sequence allocated by the range operator (..) must not exceed 1e7.  Attempted to allocate %.0f.", size);
  jn_val *arr = jn_arr(c, (size_t)size);
  for (size_t i = 0; i < (size_t)size; i++) arr->u.arr.items[i] = jn_num(c, a + (double)i);
  arr->u.arr.n = (size_t)size;
  arr->flags |= JN_SEQ;
  return arr;
}

static jn_val *eval_binary(jn_ctx *c, const jn_node *n, jn_val *input, jn_env *env) {
  const char *op = n->op;
  jn_val *l = jn_eval(c, n->lhs, input, env);
  if (!strcmp(op, "and")) return JN_BOOLV(jn_truthy(c, l) && jn_truthy(c, jn_eval(c, n->rhs, input, env)));
  if (!strcmp(op, "or")) return JN_BOOLV(jn_truthy(c, l) || jn_truthy(c, jn_eval(c, n->rhs, input, env)));
  jn_val *r = jn_eval(c, n->rhs, input, env);
  switch (op[0]) {
  case '+': case '-': case '*': case '/': case '%':
    if (op[1] == 0) return numeric(c, n, l, r);
    break;
  case '=':
    return JN_BOOLV(l && r && jn_deep_equal(l, r));
  case '!':
    return JN_BOOLV(l && r && !jn_deep_equal(l, r));
  case '<': case '>':
    return comparison(c, n, l, r);
  case '&': {
    jn_val *ls = l ? jn_to_string(c, l, 0) : NULL, *rs = r ? jn_to_string(c, r, 0) : NULL;
    jn_buf b;
    jn_buf_init(&b, c);
    if (ls) jn_buf_add(&b, ls->u.str.s, ls->u.str.len);
    if (rs) jn_buf_add(&b, rs->u.str.s, rs->u.str.len);
    return jn_buf_val(&b);
  }
  case '.':
    return range(c, n, l, r);
  case 'i': {
    if (!l || !r) return JN_BOOLV(0);
    if (r->type != JN_ARR) return JN_BOOLV(strict_eq(l, r));
    for (size_t i = 0; i < r->u.arr.n; i++)
      if (strict_eq(l, r->u.arr.items[i])) return JN_BOOLV(1);
    return JN_BOOLV(0);
  }
  }
  jn_throw(c, "S0201", n->position, "Syntax error: \"%s\"", op);
}

/* ---- constructors, grouping ---- */
static jn_val *eval_array(jn_ctx *c, const jn_node *n, jn_val *input, jn_env *env) {
  jn_val *result = jn_arr(c, n->nitems);
  for (size_t i = 0; i < n->nitems; i++) {
    const jn_node *item = n->items[i];
    jn_val *v = jn_eval(c, item, input, env);
    if (!v) continue;
    if (item->type == N_ARRAY || v->type != JN_ARR) jn_push(c, result, v);
    else
      for (size_t k = 0; k < v->u.arr.n; k++) jn_push(c, result, v->u.arr.items[k]);
  }
  if (n->consarray) result->flags |= JN_CONS;
  return result;
}

static jn_val *reduce_tuples(jn_ctx *c, jn_val *ts) {
  if (ts->type != JN_ARR) return ts;
  jn_val *r = tuple_copy(c, ts->u.arr.items[0]);
  for (size_t i = 1; i < ts->u.arr.n; i++) {
    jn_val *t = ts->u.arr.items[i];
    for (size_t k = 0; k < t->u.obj.n; k++) {
      jn_val *prev = jn_get(r, t->u.obj.keys[k], t->u.obj.klen[k]);
      jn_set(c, r, t->u.obj.keys[k], t->u.obj.klen[k], jn_append(c, prev, t->u.obj.vals[k]));
    }
  }
  return r;
}

static jn_val *eval_group(jn_ctx *c, const jn_pair *pairs, size_t npairs, int position, jn_val *input, jn_env *env) {
  int reduce = input && (input->flags & JN_TUPLES);
  if (!input || input->type != JN_ARR) input = input ? seq_of(c, input) : jn_seq(c);
  size_t nin = input->u.arr.n ? input->u.arr.n : 1;
  jn_val *index = jn_objv(c); /* key -> slot */
  jn_val **data = jn_alloc(c->arena, nin * npairs * sizeof *data + 1);
  size_t *expr_of = jn_alloc(c->arena, nin * npairs * sizeof *expr_of + 1);
  size_t nslots = 0;
  for (size_t it = 0; it < nin; it++) {
    jn_val *item = input->u.arr.n ? input->u.arr.items[it] : NULL;
    /* An empty tuple stream (every tuple filtered out) groups one
     * undefined item with no bindings. */
    int tuple = reduce && item;
    jn_env *e = tuple ? frame_from_tuple(c, env, item) : env;
    for (size_t p = 0; p < npairs; p++) {
      jn_val *key = jn_eval(c, pairs[p].k, tuple ? tuple_at(item) : item, e);
      if (!key) continue;
      if (key->type != JN_STR)
        jn_throw(c, "T1003", position, "Key in object structure must evaluate to a string; got: %s", type_name(key));
      jn_val *slot = jn_get(index, key->u.str.s, key->u.str.len);
      if (slot) {
        size_t s = (size_t)slot->u.num;
        if (expr_of[s] != p)
          jn_throw(c, "D1009", position, "Multiple key definitions evaluate to same key: \"%.*s\"", (int)key->u.str.len, key->u.str.s);
        data[s] = jn_append(c, data[s], item);
      } else {
        jn_set(c, index, key->u.str.s, key->u.str.len, jn_num(c, (double)nslots));
        data[nslots] = item;
        expr_of[nslots] = p;
        nslots++;
      }
    }
  }
  jn_val *result = jn_objv(c);
  for (size_t s = 0; s < nslots; s++) {
    jn_val *ctxv = data[s];
    jn_env *e = env;
    if (reduce && data[s]) {
      jn_val *t = reduce_tuples(c, data[s]);
      ctxv = tuple_at(t);
      jn_del(c, t, "@", 1);
      e = frame_from_tuple(c, env, t);
    }
    jn_val *v = jn_eval(c, pairs[expr_of[s]].v, ctxv, e);
    if (v) jn_set(c, result, index->u.obj.keys[s], index->u.obj.klen[s], v);
  }
  return result;
}

/* ---- order-by: stable merge sort on precomputed keys ---- */
typedef struct sortkey {
  jn_val *item;
  jn_val **keys;
} sortkey;

typedef struct sortctx {
  jn_ctx *c;
  const jn_node *n;
} sortctx;

static int sort_cmp(sortctx *s, const sortkey *a, const sortkey *b) {
  for (size_t t = 0; t < s->n->nterms; t++) {
    jn_val *aa = a->keys[t], *bb = b->keys[t];
    int comp;
    if (!aa) {
      comp = bb ? 1 : 0;
      if (comp) return comp;
      continue;
    }
    if (!bb) return -1;
    if ((aa->type != JN_STR && aa->type != JN_NUM) || (bb->type != JN_STR && bb->type != JN_NUM))
      jn_throw(s->c, "T2008", s->n->position, "The expressions within an order-by clause must evaluate to numeric or string values");
    if (aa->type != bb->type)
      jn_throw(s->c, "T2007", s->n->position, "Type mismatch within order-by clause. All values must be of the same type");
    comp = aa->type == JN_NUM ? (aa->u.num < bb->u.num ? -1 : aa->u.num > bb->u.num) : jn_str_cmp(aa, bb);
    if (comp == 0) continue;
    if (s->n->terms[t].descending) comp = -comp;
    return comp;
  }
  return 0;
}

static void merge_sort(sortctx *s, sortkey *v, sortkey *tmp, size_t n) {
  if (n < 2) return;
  size_t h = n / 2;
  merge_sort(s, v, tmp, h);
  merge_sort(s, v + h, tmp, n - h);
  size_t i = 0, j = h, k = 0;
  while (i < h && j < n) tmp[k++] = sort_cmp(s, &v[i], &v[j]) > 0 ? v[j++] : v[i++];
  while (i < h) tmp[k++] = v[i++];
  while (j < n) tmp[k++] = v[j++];
  memcpy(v, tmp, n * sizeof *v);
}

static jn_val *eval_sort(jn_ctx *c, const jn_node *n, jn_val *input, jn_env *env) {
  if (!input) return NULL;
  int tuples = (input->flags & JN_TUPLES) != 0;
  if (input->type != JN_ARR) input = seq_of(c, input);
  size_t cnt = input->u.arr.n;
  sortkey *v = jn_alloc(c->arena, (cnt + 1) * sizeof *v);
  sortkey *tmp = jn_alloc(c->arena, (cnt + 1) * sizeof *tmp);
  for (size_t i = 0; i < cnt; i++) {
    jn_val *item = input->u.arr.items[i];
    v[i].item = item;
    v[i].keys = jn_alloc(c->arena, n->nterms * sizeof(jn_val *) + 1);
    jn_val *ctxv = tuples ? tuple_at(item) : item;
    jn_env *e = tuples ? frame_from_tuple(c, env, item) : env;
    for (size_t t = 0; t < n->nterms; t++) v[i].keys[t] = cnt > 1 ? jn_eval(c, n->terms[t].expr, ctxv, e) : NULL;
  }
  sortctx s = {c, n};
  merge_sort(&s, v, tmp, cnt);
  /* jsonata-js's sort returns one item as it came (a sequence), more as
   * the plain array its merge sort builds: (a.x)^($) of two equal items
   * stays an array through $distinct. */
  jn_val *out = cnt > 1 && !tuples ? jn_arr(c, cnt) : jn_seq(c);
  if (tuples) out->flags |= JN_TUPLES;
  for (size_t i = 0; i < cnt; i++) jn_push(c, out, v[i].item);
  return out;
}

/* ---- wildcards ---- */
static void flatten_into(jn_ctx *c, jn_val *out, jn_val *v) {
  if (v->type == JN_ARR) {
    for (size_t i = 0; i < v->u.arr.n; i++) flatten_into(c, out, v->u.arr.items[i]);
  } else {
    jn_push(c, out, v);
  }
}

/* A member's value; one that is an array is flattened in, and then, as
 * jsonata-js appends it with concat(), which drops the sequence mark, the
 * results are a plain array: {"a": "x", "b": []}.* is ["x"], not "x". */
static void wildcard_member(jn_ctx *c, jn_val *results, jn_val *v) {
  if (!v) return;
  if (v->type != JN_ARR) {
    jn_push(c, results, v);
    return;
  }
  flatten_into(c, results, v);
  results->flags &= ~JN_SEQ;
}

static jn_val *eval_wildcard(jn_ctx *c, jn_val *input) {
  jn_val *results = jn_seq(c);
  input = jn_unouter(input);
  if (!input) return results;
  jn_force(input);
  if (input->type == JN_OBJ)
    for (size_t i = 0; i < input->u.obj.n; i++) wildcard_member(c, results, input->u.obj.vals[i]);
  else if (input->type == JN_ARR)
    for (size_t i = 0; i < input->u.arr.n; i++) wildcard_member(c, results, input->u.arr.items[i]);
  return results;
}

static void descend(jn_ctx *c, jn_val *v, jn_val *out) {
  if (!v) return;
  if (v->type != JN_ARR) jn_push(c, out, v);
  if (v->type == JN_ARR)
    for (size_t i = 0; i < v->u.arr.n; i++) descend(c, v->u.arr.items[i], out);
  else if (v->type == JN_OBJ) {
    jn_force(v);
    for (size_t i = 0; i < v->u.obj.n; i++) descend(c, v->u.obj.vals[i], out);
  }
}

static jn_val *lookup_field(jn_ctx *c, jn_val *input, const char *key, size_t klen) {
  if (!input) return NULL;
  if (input->type == JN_OBJ) return jn_get(input, key, klen);
  if (input->type != JN_ARR) return NULL;
  jn_val *result = jn_seq(c);
  for (size_t i = 0; i < input->u.arr.n; i++) {
    jn_val *res = lookup_field(c, input->u.arr.items[i], key, klen);
    if (!res) continue;
    if (res->type == JN_ARR)
      for (size_t k = 0; k < res->u.arr.n; k++) jn_push(c, result, res->u.arr.items[k]);
    else
      jn_push(c, result, res);
  }
  return result;
}

/* ---- functions ---- */
static jn_func *new_func(jn_ctx *c, int kind) {
  jn_func *f = jn_alloc(c->arena, sizeof *f);
  memset(f, 0, sizeof *f);
  f->kind = kind;
  return f;
}

jn_val *jn_unouter(jn_val *v) {
  return v && v->type == JN_ARR && (v->flags & JN_OUTER) && v->u.arr.n ? v->u.arr.items[0] : v;
}

int jn_arity(const jn_val *fn) {
  /* $sift's function is optional in its signature: without one, the call
   * that follows raises T1006 (jsonata-js fails with a TypeError) */
  if (!fn || fn->type != JN_FUNC) return 0;
  const jn_func *f = fn->u.fn;
  switch (f->kind) {
  case F_LAMBDA: return (int)f->node->nitems;
  case F_NATIVE:
    /* jsonata-js uses the JavaScript function's declared parameter count:
     * string(arg, prettify = false) counts 1 and zip(...) counts 0 */
    if (!strcmp(f->native->name, "string")) return 1;
    if (!strcmp(f->native->name, "zip")) return 0;
    return f->sig ? jn_sig_params(f->sig) : 1;
  case F_PARTIAL: {
    int k = 0;
    for (int i = 0; i < f->nargs; i++) k += f->hole[i];
    return k;
  }
  default: return 1;
  }
}

static jn_val *apply_inner(jn_ctx *c, jn_val *proc, jn_val **args, int nargs, jn_val *input, int position);

static jn_val *call_transform(jn_ctx *c, jn_func *f, jn_val *obj, int position);


jn_val *jn_apply(jn_ctx *c, jn_val *proc, jn_val **args, int nargs, jn_val *input, int position) {
  jn_val *r = apply_inner(c, proc, args, nargs, input, position);
  while (r && r->type == JN_FUNC && r->u.fn->kind == F_LAMBDA && r->u.fn->node->thunk) {
    jn_func *th = r->u.fn;
    const jn_node *body = th->node->rhs;
    jn_val *next = jn_eval(c, body->lhs, th->input, th->env);
    int na = (int)body->nitems;
    jn_val **a = jn_alloc(c->arena, (size_t)(na + 1) * sizeof *a);
    for (int i = 0; i < na; i++) a[i] = jn_eval(c, body->items[i], th->input, th->env);
    r = apply_inner(c, next, a, na, input, body->position);
  }
  return jn_unhole(r);
}

static jn_val *apply_inner(jn_ctx *c, jn_val *proc, jn_val **args, int nargs, jn_val *input, int position) {
  if (!proc || proc->type != JN_FUNC)
    jn_throw(c, "T1006", position, "Attempted to invoke a non-function");
  for (int i = 0; i < nargs; i++) args[i] = jn_unhole(args[i]);
  jn_func *f = proc->u.fn;
  if (f->sig) args = jn_sig_validate(c, f->sig, args, &nargs, input, position);
  switch (f->kind) {
  case F_LAMBDA: {
    jn_env *env = jn_env_new(c, f->env);
    for (size_t i = 0; i < f->node->nitems; i++)
      jn_env_bind(c, env, f->node->items[i]->op, (int)i < nargs ? args[i] : NULL);
    return jn_eval(c, f->node->rhs, f->input, env);
  }
  case F_NATIVE: {
    jn_val **a = args;
    int np = f->sig ? jn_sig_params(f->sig) : nargs;
    if (nargs > np) np = nargs;
    if (nargs < np) {
      a = jn_alloc(c->arena, (size_t)(np + 1) * sizeof *a);
      for (int i = 0; i < np; i++) a[i] = i < nargs ? args[i] : NULL;
    }
    int saved = c->cur_pos;
    c->cur_pos = position;
    jn_val *r = f->native->fn(c, a, np, input);
    c->cur_pos = saved;
    return r;
  }
  case F_PARTIAL: {
    jn_val **full = jn_alloc(c->arena, (size_t)(f->nargs + 1) * sizeof *full);
    int k = 0;
    for (int i = 0; i < f->nargs; i++) full[i] = f->hole[i] ? (k < nargs ? args[k++] : NULL) : f->args[i];
    return jn_apply(c, f->target, full, f->nargs, input, position);
  }
  case F_REGEX:
    return jn_regex_call(c, f, nargs ? args[0] : NULL);
  case F_TRANSFORM:
    return call_transform(c, f, nargs ? args[0] : NULL, position);
  case F_CHAIN: {
    jn_val *mid = jn_apply(c, f->target, args, nargs, NULL, position);
    return jn_apply(c, f->second, &mid, 1, NULL, position);
  }
  }
  return NULL;
}

static jn_val *eval_function(jn_ctx *c, const jn_node *n, jn_val *input, jn_env *env, jn_val *applyto, int has_applyto) {
  jn_val *proc = jn_eval(c, n->lhs, input, env);
  if (!proc && n->lhs->type == N_PATH && n->lhs->items[0]->type == N_NAME) {
    int found = 0;
    jn_env_lookup(env, n->lhs->items[0]->op, &found);
    if (found || jn_builtin_find(n->lhs->items[0]->op))
      jn_throw(c, "T1005", n->position, "Attempted to invoke a non-function. Did you mean ${%s}?", n->lhs->items[0]->op);
  }
  int na = (int)n->nitems + (has_applyto ? 1 : 0);
  jn_val **args = jn_alloc(c->arena, (size_t)(na + 1) * sizeof *args);
  int k = 0;
  if (has_applyto) args[k++] = applyto;
  for (size_t i = 0; i < n->nitems; i++) args[k++] = jn_eval(c, n->items[i], input, env);
  return jn_apply(c, proc, args, na, input, n->position);
}

static jn_val *eval_partial(jn_ctx *c, const jn_node *n, jn_val *input, jn_env *env) {
  jn_func *f = new_func(c, F_PARTIAL);
  f->nargs = (int)n->nitems;
  f->args = jn_alloc(c->arena, (n->nitems + 1) * sizeof *f->args);
  f->hole = jn_alloc(c->arena, n->nitems + 1);
  for (size_t i = 0; i < n->nitems; i++) {
    f->hole[i] = n->items[i]->type == N_PLACEHOLDER;
    f->args[i] = f->hole[i] ? NULL : jn_eval(c, n->items[i], input, env);
  }
  jn_val *proc = jn_eval(c, n->lhs, input, env);
  if (!proc && n->lhs->type == N_PATH && n->lhs->items[0]->type == N_NAME) {
    int found = 0;
    jn_env_lookup(env, n->lhs->items[0]->op, &found);
    if (found || jn_builtin_find(n->lhs->items[0]->op))
      jn_throw(c, "T1007", n->position, "Attempted to partially apply a non-function. Did you mean ${%s}?", n->lhs->items[0]->op);
  }
  if (!proc || proc->type != JN_FUNC)
    jn_throw(c, "T1008", n->position, "Attempted to partially apply a non-function");
  /* jsonata-js partially applies a native by parsing a lambda from the
   * JavaScript function's parameter list: string's is "arg, prettify =
   * false", which does not parse, so $string(?) always fails there (and
   * in Step Functions), at that text's position 26 */
  if (proc->u.fn->kind == F_NATIVE && !strcmp(proc->u.fn->native->name, "string"))
    jn_throw(c, "S0208", 26, "Parameter 2 of function definition must be a variable name (start with $)");
  f->target = proc;
  return jn_funcv(c, f);
}

/* jsonata-js clones through JSON text ($clone, and a transform's copy of
 * its input), so an undefined array item comes back as null. */
static jn_val *deep_clone(jn_ctx *c, jn_val *v) {
  if (!v) return NULL;
  if (v == JN_HOLE) return JN_NULLV;
  if (v->type == JN_ARR) {
    jn_val *a = jn_arr(c, v->u.arr.n);
    for (size_t i = 0; i < v->u.arr.n; i++) jn_push(c, a, deep_clone(c, v->u.arr.items[i]));
    return a;
  }
  if (v->type == JN_OBJ) {
    jn_val *o = jn_objv(c);
    jn_force(v);
    for (size_t i = 0; i < v->u.obj.n; i++) jn_set(c, o, v->u.obj.keys[i], v->u.obj.klen[i], deep_clone(c, v->u.obj.vals[i]));
    return o;
  }
  return v;
}

jn_val *jn_clone(jn_ctx *c, jn_val *v);
jn_val *jn_clone(jn_ctx *c, jn_val *v) { return deep_clone(c, v); }

/* A set of values by address (open addressing, kept at most half full). */
typedef struct valset {
  const jn_val **v;
  size_t n, cap;
} valset;

static const jn_val **valset_slot(const valset *s, const jn_val *x) {
  size_t h = ((uintptr_t)x >> 4) & (s->cap - 1);
  while (s->v[h] && s->v[h] != x) h = (h + 1) & (s->cap - 1);
  return &s->v[h];
}

static void valset_init(jn_ctx *c, valset *s, size_t cap) {
  s->v = jn_alloc(c->arena, cap * sizeof *s->v);
  memset(s->v, 0, cap * sizeof *s->v);
  s->n = 0;
  s->cap = cap;
}

/* Adds x; 0 when it was there already. */
static int valset_add(jn_ctx *c, valset *s, const jn_val *x) {
  const jn_val **slot = valset_slot(s, x);
  if (*slot) return 0;
  *slot = x;
  if (++s->n * 2 > s->cap) {
    valset old = *s;
    valset_init(c, s, 2 * old.cap);
    for (size_t i = 0; i < old.cap; i++)
      if (old.v[i]) *valset_slot(s, old.v[i]) = old.v[i];
    s->n = old.n;
  }
  return 1;
}

/* Whether v holds target (by reference), found by a walk that visits each
 * array and object once (values share parts freely). An object still
 * read lazily from jansson is skipped: what it holds is converted afresh,
 * so it never holds a value the evaluation made. */
static int holds(jn_ctx *c, jn_val *v, const jn_val *target) {
  valset seen;
  valset_init(c, &seen, 64);
  jn_val **stack = jn_alloc(c->arena, sizeof *stack);
  size_t top = 0, cap = 1;
  stack[top++] = v;
  while (top) {
    jn_val *x = stack[--top];
    if (x == target) return 1;
    if (!x || (x->type != JN_ARR && x->type != JN_OBJ) || (x->type == JN_OBJ && x->u.obj.src) ||
        !valset_add(c, &seen, x))
      continue;
    size_t kids = x->type == JN_ARR ? x->u.arr.n : x->u.obj.n;
    if (top + kids > cap) {
      while (cap < top + kids) cap *= 2;
      jn_val **grown = jn_alloc(c->arena, cap * sizeof *grown);
      memcpy(grown, stack, top * sizeof *grown);
      stack = grown;
    }
    for (size_t i = 0; i < kids; i++)
      stack[top++] = x->type == JN_ARR ? x->u.arr.items[i] : x->u.obj.vals[i];
  }
  return 0;
}

static jn_val *call_transform(jn_ctx *c, jn_func *f, jn_val *obj, int position) {
  if (!obj) return NULL;
  const jn_node *n = f->node;
  jn_val *clonefn = lookup_var(c, f->env, "clone");
  if (!clonefn || clonefn->type != JN_FUNC)
    jn_throw(c, "T2013", n->position, "The transform expression clones the input object using the $clone() function.  This has been overridden in the current scope by a non-function.");
  jn_val *result = jn_apply(c, clonefn, &obj, 1, NULL, position);
  jn_val *matches = jn_eval(c, n->lhs, result, f->env);
  if (!matches) return result;
  if (matches->type != JN_ARR) matches = seq_of(c, matches);
  for (size_t i = 0; i < matches->u.arr.n; i++) {
    jn_val *m = matches->u.arr.items[i];
    jn_val *update = jn_eval(c, n->rhs, m, f->env);
    if (update) {
      if (update->type != JN_OBJ)
        jn_throw(c, "T2011", n->rhs->position, "The insert/update clause of the transform expression must evaluate to an object");
      jn_force(update);
      if (m && m->type == JN_OBJ)
        for (size_t k = 0; k < update->u.obj.n; k++) {
          /* |a|{"x": $}| would make a contain itself: jsonata-js builds
           * that, then runs out of stack or fails to write it as JSON
           * ("Converting circular structure to JSON"). */
          if (holds(c, update->u.obj.vals[k], m))
            jn_throw(c, "U1001", n->rhs->position,
                     "The update of the transform expression would make an object contain itself (member \"%.*s\"), which JSON cannot hold",
                     (int)update->u.obj.klen[k], update->u.obj.keys[k]);
          jn_set(c, m, update->u.obj.keys[k], update->u.obj.klen[k], update->u.obj.vals[k]);
        }
    }
    if (n->els) {
      jn_val *del = jn_eval(c, n->els, m, f->env);
      if (del) {
        if (del->type != JN_ARR) del = seq_of(c, del);
        for (size_t k = 0; k < del->u.arr.n; k++)
          if (!del->u.arr.items[k] || del->u.arr.items[k]->type != JN_STR)
            jn_throw(c, "T2012", n->els->position, "The delete clause of the transform expression must evaluate to a string or array of strings");
        if (m && m->type == JN_OBJ)
          for (size_t k = 0; k < del->u.arr.n; k++) jn_del(c, m, del->u.arr.items[k]->u.str.s, del->u.arr.items[k]->u.str.len);
      }
    }
  }
  return result;
}

static jn_val *eval_apply(jn_ctx *c, const jn_node *n, jn_val *input, jn_env *env) {
  jn_val *lhs = jn_eval(c, n->lhs, input, env);
  if (n->rhs->type == N_FUNCTION) return eval_function(c, n->rhs, input, env, lhs, 1);
  jn_val *fn = jn_eval(c, n->rhs, input, env);
  if (!fn || fn->type != JN_FUNC)
    jn_throw(c, "T2006", n->position, "The right side of the function application operator ~> must be a function");
  if (lhs && lhs->type == JN_FUNC) {
    jn_func *f = new_func(c, F_CHAIN);
    f->target = lhs;
    f->second = fn;
    return jn_funcv(c, f);
  }
  return jn_apply(c, fn, &lhs, 1, NULL, n->position);
}

/* ---- main dispatch ---- */
jn_val *jn_eval(jn_ctx *c, const jn_node *n, jn_val *input, jn_env *env) {
  input = jn_unhole(input);
  if (++c->depth > c->max_depth)
    jn_throw(c, "U1001", n->position, "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive.");
  if (c->deadline_ms && (++c->ticks & 255) == 0 && mono_ms() > c->deadline_ms)
    jn_throw(c, "U1001", n->position, "Expression evaluation timeout: Check for infinite loop");
  jn_val *r = NULL;
  switch (n->type) {
  case N_PATH: r = eval_path(c, n, input, env); break;
  case N_BINARY: r = eval_binary(c, n, input, env); break;
  case N_UNARY_MINUS: {
    jn_val *v = jn_eval(c, n->lhs, input, env);
    if (v) {
      if (!jn_is_numeric(c, v, n->position))
        jn_throw(c, "D1002", n->position, "Cannot negate a non-numeric value");
      r = jn_num(c, -v->u.num);
    }
    break;
  }
  case N_ARRAY: r = eval_array(c, n, input, env); break;
  case N_OBJECT: r = eval_group(c, n->pairs, n->npairs, n->position, input, env); break;
  case N_NAME: r = lookup_field(c, input, n->op, n->slen); break;
  case N_STRING: case N_NUMBER: case N_VALUE: r = n->value; break;
  case N_WILDCARD: r = eval_wildcard(c, input); break;
  case N_DESCENDANT:
    if (input) {
      jn_val *s = jn_seq(c);
      descend(c, input, s);
      r = s->u.arr.n == 1 ? jn_unhole(s->u.arr.items[0]) : s;
    }
    break;
  case N_CONDITION: {
    jn_val *cond = jn_eval(c, n->lhs, input, env);
    if (jn_truthy(c, cond)) r = jn_eval(c, n->rhs, input, env);
    else if (n->els) r = jn_eval(c, n->els, input, env);
    break;
  }
  case N_ELVIS: {
    jn_val *v = jn_eval(c, n->lhs, input, env);
    r = jn_truthy(c, v) ? v : jn_eval(c, n->rhs, input, env);
    break;
  }
  case N_COALESCE: {
    jn_val *v = jn_eval(c, n->lhs, input, env);
    r = v ? v : jn_eval(c, n->rhs, input, env);
    break;
  }
  case N_BLOCK: {
    jn_env *e = jn_env_new(c, env);
    for (size_t i = 0; i < n->nitems; i++) r = jn_eval(c, n->items[i], input, e);
    break;
  }
  case N_BIND: {
    r = jn_eval(c, n->rhs, input, env);
    jn_env_bind(c, env, n->lhs->op, r);
    break;
  }
  case N_REGEX: {
    jn_func *f = new_func(c, F_REGEX);
    f->re = n->re;
    r = jn_funcv(c, f);
    break;
  }
  case N_FUNCTION: r = eval_function(c, n, input, env, NULL, 0); break;
  case N_PARTIAL: r = eval_partial(c, n, input, env); break;
  case N_VARIABLE: r = eval_variable(c, n, input, env); break;
  case N_LAMBDA: {
    jn_func *f = new_func(c, F_LAMBDA);
    f->node = n;
    f->env = env;
    f->input = input;
    f->sig = n->sig;
    r = jn_funcv(c, f);
    break;
  }
  case N_APPLY: r = eval_apply(c, n, input, env); break;
  case N_TRANSFORM: {
    jn_func *f = new_func(c, F_TRANSFORM);
    f->node = n;
    f->env = env;
    r = jn_funcv(c, f);
    break;
  }
  case N_SORT: r = eval_sort(c, n, input, env); break;
  case N_PARENT: r = jn_env_lookup(env, n->slot->label, NULL); break;
  default: break;
  }
  if (n->nstages && n->stages_are_predicates) r = predicates(c, n, r, env);
  if (n->type != N_PATH && n->group) r = eval_group(c, n->group->pairs, n->group->n, n->group->position, r, env);
  if (r && jn_is_seq(r) && !(r->flags & JN_TUPLES)) {
    if (n->keep_array) r->flags |= JN_KEEP;
    if (r->u.arr.n == 0) r = NULL;
    else if (r->u.arr.n == 1 && !(r->flags & JN_KEEP)) r = jn_unhole(r->u.arr.items[0]);
  }
  c->depth--;
  return r;
}

/* JSONata boolean, array, object and higher-order functions: $boolean $not
 * $exists $append $reverse $shuffle $distinct $sort $zip $keys $lookup
 * $spread $merge $each $sift $map $filter $single $reduce. */
#include <string.h>

#include "fn.h"

jn_val *jn_hof_call(jn_ctx *c, jn_val *fn, jn_val *v, double index, jn_val *arr) {
  jn_val *args[3] = {v, NULL, arr};
  int ar = jn_arity(fn), na = 1;
  if (ar >= 2) {
    args[1] = jn_num(c, index);
    na = 2;
  }
  if (ar >= 3) na = 3;
  return jn_apply(c, fn, args, na, NULL, c->cur_pos);
}

/* A function argument reaches jsonata-js's natives wrapped in a JS
 * closure, which is false: $boolean($string) is false though $string is
 * true as a condition (jn_truthy()). */
static int arg_truthy(jn_ctx *c, const jn_val *v) {
  return v->type != JN_FUNC && jn_truthy(c, v);
}

jn_val *fn_boolean(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  return a[0] ? JN_BOOLV(arg_truthy(c, a[0])) : NULL;
}

jn_val *fn_not(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  return a[0] ? JN_BOOLV(!arg_truthy(c, a[0])) : NULL;
}

jn_val *fn_exists(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)c;
  (void)n;
  (void)in;
  return JN_BOOLV(a[0] != NULL);
}

jn_val *fn_append(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return a[1];
  if (!a[1]) return a[0];
  jn_val *r = jn_arr(c, 4);
  jn_val *x[2] = {a[0], a[1]};
  for (int k = 0; k < 2; k++) {
    if (x[k]->type == JN_ARR)
      for (size_t i = 0; i < x[k]->u.arr.n; i++) jn_push(c, r, x[k]->u.arr.items[i]);
    else
      jn_push(c, r, x[k]);
  }
  return r;
}

jn_val *fn_reverse(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  if (a[0]->u.arr.n <= 1) return a[0];
  jn_val *r = jn_arr(c, a[0]->u.arr.n);
  for (size_t i = a[0]->u.arr.n; i > 0; i--) jn_push(c, r, a[0]->u.arr.items[i - 1]);
  return r;
}

jn_val *fn_random(jn_ctx *c, jn_val **a, int n, jn_val *in);

jn_val *fn_shuffle(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  if (!a[0]) return NULL;
  if (a[0]->u.arr.n <= 1) return a[0];
  jn_val *r = jn_arr(c, a[0]->u.arr.n);
  for (size_t i = 0; i < a[0]->u.arr.n; i++) jn_push(c, r, a[0]->u.arr.items[i]);
  for (size_t i = r->u.arr.n - 1; i > 0; i--) {
    size_t j = (size_t)(fn_random(c, NULL, 0, in)->u.num * (double)(i + 1));
    jn_val *t = r->u.arr.items[i];
    r->u.arr.items[i] = r->u.arr.items[j];
    r->u.arr.items[j] = t;
  }
  return r;
}

jn_val *fn_distinct(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  jn_val *arr = a[0];
  if (!arr || arr->type != JN_ARR || arr->u.arr.n <= 1) return arr;
  jn_val *r = jn_is_seq(arr) ? jn_seq(c) : jn_arr(c, arr->u.arr.n);
  for (size_t i = 0; i < arr->u.arr.n; i++) {
    int dup = 0;
    for (size_t k = 0; k < r->u.arr.n && !dup; k++) dup = jn_deep_equal(arr->u.arr.items[i], r->u.arr.items[k]);
    if (!dup) jn_push(c, r, arr->u.arr.items[i]);
  }
  return r;
}

typedef struct hsort {
  jn_ctx *c;
  jn_val *fn;
} hsort;

static int swap_needed(hsort *h, jn_val *x, jn_val *y) {
  if (h->fn) {
    jn_val *args[2] = {x, y};
    return jn_truthy(h->c, jn_apply(h->c, h->fn, args, 2, NULL, h->c->cur_pos));
  }
  if (x->type == JN_NUM) return x->u.num > y->u.num;
  return jn_str_cmp(x, y) > 0;
}

static void msort(hsort *h, jn_val **v, jn_val **tmp, size_t n) {
  if (n < 2) return;
  size_t mid = n / 2;
  msort(h, v, tmp, mid);
  msort(h, v + mid, tmp, n - mid);
  size_t i = 0, j = mid, k = 0;
  while (i < mid && j < n) tmp[k++] = swap_needed(h, v[i], v[j]) ? v[j++] : v[i++];
  while (i < mid) tmp[k++] = v[i++];
  while (j < n) tmp[k++] = v[j++];
  memcpy(v, tmp, n * sizeof *v);
}

jn_val *fn_sort(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  jn_val *arr = a[0];
  if (!arr) return NULL;
  if (arr->u.arr.n <= 1) return arr;
  if (!a[1]) {
    int nums = 1, strs = 1;
    /* jsonata-js's isArrayOfNumbers() asks isNumeric() of every item: a
     * NaN is no number, an infinity D1001 wherever it is. */
    for (size_t i = 0; i < arr->u.arr.n; i++) {
      if (!jn_is_numeric(c, arr->u.arr.items[i], -1)) nums = 0;
      if (arr->u.arr.items[i]->type != JN_STR) strs = 0;
    }
    if (!nums && !strs) jn_throw(c, "D3070", -1, "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function");
  }
  jn_val *r = jn_arr(c, arr->u.arr.n);
  memcpy(r->u.arr.items, arr->u.arr.items, arr->u.arr.n * sizeof(jn_val *));
  r->u.arr.n = arr->u.arr.n;
  jn_val **tmp = jn_alloc(c->arena, arr->u.arr.n * sizeof *tmp);
  hsort h = {c, a[1]};
  msort(&h, r->u.arr.items, tmp, r->u.arr.n);
  return r;
}

jn_val *fn_zip(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)in;
  size_t len = (size_t)-1;
  for (int i = 0; i < n; i++) {
    if (!a[i]) {
      len = 0;
      break;
    }
    if (a[i]->u.arr.n < len) len = a[i]->u.arr.n;
  }
  if (n == 0) len = 0;
  jn_val *r = jn_arr(c, len);
  for (size_t k = 0; k < len; k++) {
    jn_val *t = jn_arr(c, (size_t)n);
    for (int i = 0; i < n; i++) jn_push(c, t, a[i]->u.arr.items[k]);
    jn_push(c, r, t);
  }
  return r;
}

static void add_keys(jn_ctx *c, jn_val *v, jn_val *seen, jn_val *out) {
  if (!v) return;
  if (v->type == JN_ARR) {
    for (size_t i = 0; i < v->u.arr.n; i++) add_keys(c, v->u.arr.items[i], seen, out);
  } else if (v->type == JN_OBJ) {
    jn_force(v);
    for (size_t i = 0; i < v->u.obj.n; i++) {
      if (jn_get(seen, v->u.obj.keys[i], v->u.obj.klen[i])) continue;
      jn_set(c, seen, v->u.obj.keys[i], v->u.obj.klen[i], JN_NULLV);
      jn_push(c, out, jn_str(c, v->u.obj.keys[i], v->u.obj.klen[i]));
    }
  }
}

jn_val *fn_keys(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  jn_val *out = jn_seq(c);
  add_keys(c, a[0], jn_objv(c), out);
  return out;
}

static jn_val *lookup(jn_ctx *c, jn_val *v, const jn_val *key) {
  if (!v) return NULL;
  if (v->type == JN_OBJ) return jn_get(v, key->u.str.s, key->u.str.len);
  if (v->type != JN_ARR) return NULL;
  jn_val *r = jn_seq(c);
  for (size_t i = 0; i < v->u.arr.n; i++) {
    jn_val *x = lookup(c, v->u.arr.items[i], key);
    if (!x) continue;
    if (x->type == JN_ARR)
      for (size_t k = 0; k < x->u.arr.n; k++) jn_push(c, r, x->u.arr.items[k]);
    else
      jn_push(c, r, x);
  }
  return r;
}

jn_val *fn_lookup(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[1]) return NULL; /* an argument passed as undefined */
  return lookup(c, a[0], a[1]);
}

static jn_val *spread(jn_ctx *c, jn_val *v) {
  if (!v) return NULL;
  if (v->type == JN_ARR) {
    jn_val *r = jn_seq(c);
    for (size_t i = 0; i < v->u.arr.n; i++) r = jn_append(c, r, spread(c, jn_unhole(v->u.arr.items[i])));
    return r;
  }
  if (v->type == JN_OBJ) {
    jn_val *r = jn_seq(c);
    jn_force(v);
    for (size_t i = 0; i < v->u.obj.n; i++) {
      jn_val *o = jn_objv(c);
      jn_set(c, o, v->u.obj.keys[i], v->u.obj.klen[i], v->u.obj.vals[i]);
      jn_push(c, r, o);
    }
    return r;
  }
  return v;
}

jn_val *fn_spread(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  return spread(c, a[0]);
}

jn_val *fn_merge(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  jn_val *r = jn_objv(c);
  for (size_t i = 0; i < a[0]->u.arr.n; i++) {
    jn_val *o = a[0]->u.arr.items[i];
    jn_force(o);
    for (size_t k = 0; k < o->u.obj.n; k++) jn_set(c, r, o->u.obj.keys[k], o->u.obj.klen[k], o->u.obj.vals[k]);
  }
  return r;
}

static jn_val *kv_call(jn_ctx *c, jn_val *fn, jn_val *obj, size_t i) {
  jn_val *args[3] = {obj->u.obj.vals[i], jn_str(c, obj->u.obj.keys[i], obj->u.obj.klen[i]), obj};
  int ar = jn_arity(fn);
  return jn_apply(c, fn, args, ar < 1 ? 1 : ar > 3 ? 3 : ar, NULL, c->cur_pos);
}

jn_val *fn_each(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  jn_force(a[0]);
  jn_val *r = jn_seq(c);
  for (size_t i = 0; i < a[0]->u.obj.n; i++) {
    jn_val *v = kv_call(c, a[1], a[0], i);
    if (v) jn_push(c, r, v);
  }
  return r;
}

jn_val *fn_sift(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  jn_force(a[0]);
  jn_val *r = jn_objv(c);
  for (size_t i = 0; i < a[0]->u.obj.n; i++)
    if (jn_truthy(c, kv_call(c, a[1], a[0], i)))
      jn_set(c, r, a[0]->u.obj.keys[i], a[0]->u.obj.klen[i], a[0]->u.obj.vals[i]);
  return r->u.obj.n ? r : NULL;
}

jn_val *fn_map(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  jn_val *r = jn_seq(c);
  for (size_t i = 0; i < a[0]->u.arr.n; i++) {
    jn_val *v = jn_hof_call(c, a[1], a[0]->u.arr.items[i], (double)i, a[0]);
    if (v) jn_push(c, r, v);
  }
  return r;
}

jn_val *fn_filter(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  jn_val *r = jn_seq(c);
  for (size_t i = 0; i < a[0]->u.arr.n; i++)
    if (jn_truthy(c, jn_hof_call(c, a[1], a[0]->u.arr.items[i], (double)i, a[0]))) jn_push(c, r, a[0]->u.arr.items[i]);
  return r;
}

jn_val *fn_single(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  jn_val *found = NULL;
  int has = 0;
  for (size_t i = 0; i < a[0]->u.arr.n; i++) {
    int ok = 1;
    if (a[1]) ok = jn_truthy(c, jn_hof_call(c, a[1], a[0]->u.arr.items[i], (double)i, a[0]));
    if (!ok) continue;
    if (has) jn_throw(c, "D3138", -1, "The $single() function expected exactly 1 matching result.  Instead it matched more.");
    found = a[0]->u.arr.items[i];
    has = 1;
  }
  if (!has) jn_throw(c, "D3139", -1, "The $single() function expected exactly 1 matching result.  Instead it matched 0.");
  return found;
}

jn_val *fn_reduce(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  int ar = jn_arity(a[1]);
  if (ar < 2) jn_throw(c, "D3050", -1, "The second argument of reduce function must be a function with at least two arguments");
  size_t i = 0;
  jn_val *acc;
  if (!a[2] && a[0]->u.arr.n > 0) {
    acc = a[0]->u.arr.items[0];
    i = 1;
  } else {
    acc = a[2];
  }
  for (; i < a[0]->u.arr.n; i++) {
    jn_val *args[4] = {acc, a[0]->u.arr.items[i], jn_num(c, (double)i), a[0]};
    acc = jn_apply(c, a[1], args, ar >= 4 ? 4 : ar, NULL, c->cur_pos);
  }
  return acc;
}

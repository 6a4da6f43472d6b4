/* JSONata values: the per-evaluation arena, constructors, ordered objects,
 * conversion from/to jansson, and JSON text output with JavaScript's
 * number formatting. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/number.h"
#include "jn.h"

jn_val jn_null_v = {.type = JN_NULL};
jn_val jn_true_v = {.type = JN_BOOL, .u.b = 1};
jn_val jn_false_v = {.type = JN_BOOL, .u.b = 0};
jn_val jn_hole_v = {.type = JN_NULL};

struct jn_chunk {
  jn_chunk *next;
  size_t size;
  max_align_t data[];
};

/* jn_alloc (jn.h) found the current chunk full: start a bigger one */
void *jn_alloc_grow(jn_arena *a, size_t n) {
  /* chunks grow with the arena (16 KB, 32 KB, ... 1 MB) so a large
   * evaluation makes few malloc calls */
  size_t size = a->head ? a->head->size * 2 : 16000;
  if (size > (1u << 20)) size = 1u << 20;
  if (size < n) size = n;
  jn_chunk *ch = malloc(sizeof *ch + size);
  if (!ch) {
    a->oom(a->oom_ctx);
    __builtin_unreachable();
  }
  ch->next = a->head;
  ch->size = size;
  a->head = ch;
  a->ptr = (char *)ch->data + n;
  a->end = (char *)ch->data + size;
  return ch->data;
}

/* Frees the heap chunks; a caller-provided first chunk (ptr/end set before
 * the first allocation, head NULL) stays the caller's. */
void jn_arena_free(jn_arena *a) {
  jn_chunk *ch = a->head;
  while (ch) {
    jn_chunk *next = ch->next;
    free(ch);
    ch = next;
  }
  a->head = NULL;
  a->ptr = a->end = NULL;
}

char *jn_strdup(jn_ctx *c, const char *s, size_t len) {
  char *p = jn_alloc(c->arena, len + 1);
  memcpy(p, s, len);
  p[len] = 0;
  return p;
}

static jn_val *newval(jn_ctx *c, int type) {
  jn_val *v = jn_alloc(c->arena, sizeof *v);
  memset(v, 0, sizeof *v);
  v->type = (uint8_t)type;
  return v;
}

jn_val *jn_num(jn_ctx *c, double d) {
  jn_val *v = newval(c, JN_NUM);
  v->u.num = d;
  return v;
}

jn_val *jn_str(jn_ctx *c, const char *s, size_t len) {
  jn_val *v = newval(c, JN_STR);
  v->u.str.s = jn_strdup(c, s, len);
  v->u.str.len = len;
  return v;
}

jn_val *jn_strz(jn_ctx *c, const char *s) { return jn_str(c, s, strlen(s)); }

jn_val *jn_arr(jn_ctx *c, size_t cap) {
  jn_val *v = newval(c, JN_ARR);
  if (cap) v->u.arr.items = jn_alloc(c->arena, cap * sizeof(jn_val *));
  v->u.arr.cap = cap;
  return v;
}

jn_val *jn_seq(jn_ctx *c) {
  jn_val *v = jn_arr(c, 0);
  v->flags = JN_SEQ;
  return v;
}

void jn_push(jn_ctx *c, jn_val *arr, jn_val *v) {
  if (arr->u.arr.n == arr->u.arr.cap) {
    size_t cap = arr->u.arr.cap ? arr->u.arr.cap * 2 : 4;
    jn_val **items = jn_alloc(c->arena, cap * sizeof *items);
    if (arr->u.arr.n) memcpy(items, arr->u.arr.items, arr->u.arr.n * sizeof *items);
    arr->u.arr.items = items;
    arr->u.arr.cap = cap;
  }
  arr->u.arr.items[arr->u.arr.n++] = v;
}

jn_val *jn_objv(jn_ctx *c) { return newval(c, JN_OBJ); }

jn_val *jn_funcv(jn_ctx *c, jn_func *f) {
  jn_val *v = newval(c, JN_FUNC);
  v->u.fn = f;
  return v;
}

static uint64_t hash_key(const char *k, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)k[i]) * 1099511628211ull;
  return h;
}

static long find_pos(const jn_obj *o, const char *key, size_t klen) {
  if (o->index) {
    size_t mask = o->icap - 1, i = hash_key(key, klen) & mask;
    while (o->index[i] >= 0) {
      int32_t p = o->index[i];
      if (o->klen[p] == klen && memcmp(o->keys[p], key, klen) == 0) return p;
      i = (i + 1) & mask;
    }
    return -1;
  }
  for (size_t i = 0; i < o->n; i++)
    if (o->klen[i] == klen && memcmp(o->keys[i], key, klen) == 0) return (long)i;
  return -1;
}

static void obj_append(jn_ctx *c, jn_obj *o, const char *key, size_t klen, jn_val *v);

json_t *jn_json_member(json_t *o, const char *key, size_t klen) {
  /* A small object is scanned in its insertion order: that reads the
   * object and the first members' nodes (the key is stored in the node),
   * where a hash lookup computes a seeded hash and reads the bucket array
   * as well, which an evaluation over many distinct documents pays as
   * cache misses. */
  if (json_object_size(o) > 8) return json_object_getn(o, key, klen);
  for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it))
    if (json_object_iter_key_len(it) == klen && memcmp(json_object_iter_key(it), key, klen) == 0)
      return json_object_iter_value(it);
  return NULL;
}

jn_val *jn_get(const jn_val *obj, const char *key, size_t klen) { return jn_get_key(obj, key, klen, 0); }

jn_val *jn_get_key(const jn_val *obj, const char *key, size_t klen, int key_stable) {
  if (!obj || obj->type != JN_OBJ) return NULL;
  jn_obj *o = (jn_obj *)&obj->u.obj;
  long p = find_pos(o, key, klen);
  if (p >= 0) return o->vals[p];
  if (!o->src) return NULL;
  json_t *m = jn_json_member(o->src, key, klen);
  if (!m) return NULL;
  jn_val *v = jn_from_json(o->lc, m);
  /* a scalar converts in O(1) and is never changed in place, so only
   * containers are cached (their own lazy caches must persist); the key
   * bytes belong to the source */
  if (v->type != JN_OBJ && v->type != JN_ARR) return v;
  obj_append(o->lc, o, key_stable ? key : jn_strdup(o->lc, key, klen), klen, v);
  return v;
}

void jn_force(const jn_val *v) {
  if (!v || v->type != JN_OBJ || !v->u.obj.src) return;
  jn_obj *o = (jn_obj *)&v->u.obj;
  jn_ctx *c = o->lc;
  jn_obj old = *o;
  o->src = NULL;
  o->keys = NULL;
  o->klen = NULL;
  o->vals = NULL;
  o->n = o->cap = 0;
  o->index = NULL;
  o->icap = 0;
  const char *k;
  size_t klen;
  json_t *m;
  json_object_keylen_foreach(old.src, k, klen, m) {
    long p = find_pos(&old, k, klen);
    obj_append(c, o, k, klen, p >= 0 ? old.vals[p] : jn_from_json(c, m));
  }
}

json_t *jn_json_walk(const jn_node *path, size_t from, json_t *j, int *general) {
  for (size_t i = from; i < path->nitems; i++) {
    if (!json_is_object(j)) {
      if (json_is_array(j)) *general = 1;
      return NULL;
    }
    j = jn_json_member(j, path->items[i]->op, path->items[i]->slen);
    if (!j) return NULL;
  }
  return j;
}

static void reindex(jn_ctx *c, jn_obj *o) {
  size_t icap = 16;
  while (icap < o->n * 2 + 2) icap *= 2;
  o->index = jn_alloc(c->arena, icap * sizeof(int32_t));
  memset(o->index, 0xff, icap * sizeof(int32_t));
  o->icap = icap;
  for (size_t p = 0; p < o->n; p++) {
    size_t i = hash_key(o->keys[p], o->klen[p]) & (icap - 1);
    while (o->index[i] >= 0) i = (i + 1) & (icap - 1);
    o->index[i] = (int32_t)p;
  }
}

void jn_set(jn_ctx *c, jn_val *obj, const char *key, size_t klen, jn_val *v) {
  jn_force(obj);
  jn_obj *o = &obj->u.obj;
  o->orig = NULL;
  long p = find_pos(o, key, klen);
  if (p >= 0) {
    o->vals[p] = v;
    return;
  }
  obj_append(c, o, key, klen, v);
}

static void obj_append(jn_ctx *c, jn_obj *o, const char *key, size_t klen, jn_val *v) {
  if (o->n == o->cap) {
    size_t cap = o->cap ? o->cap * 2 : 4;
    /* one arena block holds the three parallel arrays (all pointer-sized) */
    _Static_assert(sizeof(const char *) == sizeof(size_t) && sizeof(jn_val *) == sizeof(size_t), "word arrays");
    void **block = jn_alloc(c->arena, 3 * cap * sizeof(void *));
    const char **keys = (const char **)block;
    size_t *klens = (size_t *)(block + cap);
    jn_val **vals = (jn_val **)(block + 2 * cap);
    if (o->n) {
      memcpy(keys, o->keys, o->n * sizeof *keys);
      memcpy(klens, o->klen, o->n * sizeof *klens);
      memcpy(vals, o->vals, o->n * sizeof *vals);
    }
    o->keys = keys;
    o->klen = klens;
    o->vals = vals;
    o->cap = cap;
  }
  o->keys[o->n] = key;
  o->klen[o->n] = klen;
  o->vals[o->n] = v;
  o->n++;
  if (o->n > 8 && (!o->index || o->n * 2 > o->icap)) reindex(c, o);
  else if (o->index) {
    size_t i = hash_key(key, klen) & (o->icap - 1);
    while (o->index[i] >= 0) i = (i + 1) & (o->icap - 1);
    o->index[i] = (int32_t)(o->n - 1);
  }
}

void jn_del(jn_ctx *c, jn_val *obj, const char *key, size_t klen) {
  jn_force(obj);
  jn_obj *o = &obj->u.obj;
  o->orig = NULL;
  long p = find_pos(o, key, klen);
  if (p < 0) return;
  for (size_t i = (size_t)p; i + 1 < o->n; i++) {
    o->keys[i] = o->keys[i + 1];
    o->klen[i] = o->klen[i + 1];
    o->vals[i] = o->vals[i + 1];
  }
  o->n--;
  o->index = NULL;
  o->icap = 0;
  if (o->n > 8) reindex(c, o);
}

jn_val *jn_from_json(jn_ctx *c, json_t *j) {
  if (!j) return NULL;
  switch (json_typeof(j)) {
  case JSON_NULL: return JN_NULLV;
  case JSON_TRUE: return JN_BOOLV(1);
  case JSON_FALSE: return JN_BOOLV(0);
  case JSON_INTEGER: return jn_num(c, (double)json_integer_value(j));
  case JSON_REAL: return jn_num(c, json_real_value(j));
  case JSON_STRING: {
    jn_val *v = newval(c, JN_STR);
    v->u.str.s = json_string_value(j); /* borrowed: the input outlives the evaluation */
    v->u.str.len = json_string_length(j);
    v->u.str.src = j;
    return v;
  }
  case JSON_ARRAY: {
    size_t n = json_array_size(j);
    jn_val *a = jn_arr(c, n);
    for (size_t i = 0; i < n; i++) a->u.arr.items[i] = jn_from_json(c, json_array_get(j, i));
    a->u.arr.n = n;
    return a;
  }
  case JSON_OBJECT: {
    jn_val *o = jn_objv(c);
    if (json_object_size(j)) {
      o->u.obj.src = o->u.obj.orig = j;
      o->u.obj.lc = c;
    }
    return o;
  }
  }
  return NULL;
}

json_t *jn_num_to_json(double d) {
  if (jn_is_int(d) && fabs(d) < 9007199254740992.0) return json_integer((json_int_t)d);
  return json_real(d);
}

static int array_to_json(const jn_val *v, json_t **out) {
  json_t *a = json_array();
  if (!a) return -1;
  for (size_t i = 0; i < v->u.arr.n; i++) {
    json_t *x;
    /* an undefined element is left out; append_new frees x if it fails */
    if (jn_to_json(v->u.arr.items[i], &x) || (x && json_array_append_new(a, x))) {
      json_decref(a);
      return -1;
    }
  }
  *out = a;
  return 0;
}

static int object_to_json(const jn_val *v, json_t **out) {
  if (v->u.obj.orig) {
    *out = json_incref(v->u.obj.orig);
    return 0;
  }
  json_t *o = json_object();
  if (!o) return -1;
  for (size_t i = 0; i < v->u.obj.n; i++) {
    json_t *x;
    if (jn_to_json(v->u.obj.vals[i], &x) ||
        (x && json_object_setn_new_nocheck(o, v->u.obj.keys[i], v->u.obj.klen[i], x))) {
      json_decref(o);
      return -1;
    }
  }
  *out = o;
  return 0;
}

int jn_to_json(const jn_val *v, json_t **out) {
  *out = NULL;
  if (!v) return 0;
  switch (v->type) {
  case JN_NULL: *out = json_null(); return 0;
  case JN_BOOL: *out = json_boolean(v->u.b); return 0;
  case JN_NUM:
    /* jansson holds no NaN or infinity: null, as JSON.stringify and the
     * text API (ser()) write them */
    *out = isfinite(v->u.num) ? jn_num_to_json(v->u.num) : json_null();
    return *out ? 0 : -1;
  case JN_STR:
    /* a string read unchanged from the input is written out as that same
     * (immutable) jansson string */
    if (v->u.str.src) {
      *out = json_incref(v->u.str.src);
      return 0;
    }
    *out = json_stringn(v->u.str.s, v->u.str.len);
    /* jansson refuses bad UTF-8 (a lone surrogate's code): undefined */
    return *out || !aev__utf8_valid(v->u.str.s, v->u.str.len) ? 0 : -1;
  case JN_ARR: return array_to_json(v, out);
  case JN_OBJ: return object_to_json(v, out);
  case JN_FUNC: *out = json_string(""); return *out ? 0 : -1;
  }
  return 0;
}

/* ---- text buffer ---- */
void jn_buf_init(jn_buf *b, jn_ctx *c) {
  b->c = c;
  b->p = NULL;
  b->n = b->cap = 0;
}

void jn_too_long(jn_ctx *c) {
  jn_throw(c, "U1001", -1, "Invalid string length: a string may hold at most %zu bytes",
           c->max_string);
}

/* A grown buffer's old block stays in the arena until the evaluation
 * ends, so a buffer doubles (64 bytes at least), but takes exactly what
 * it needs when doubling is not enough: a string padded or appended
 * toward the length limit in one go ($fromMillis with [Y,500000000]) then
 * costs its own size, not a trail of doublings several times that. */
void jn_buf_reserve(jn_buf *b, size_t n) {
  if (b->n > b->c->max_string || n > b->c->max_string - b->n) jn_too_long(b->c);
  if (b->n + n + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap * 2 : 64;
  if (cap < b->n + n + 1) cap = b->n + n + 1;
  char *p = jn_alloc(b->c->arena, cap);
  if (b->n) memcpy(p, b->p, b->n);
  b->p = p;
  b->cap = cap;
}

void jn_buf_add(jn_buf *b, const char *s, size_t n) {
  jn_buf_reserve(b, n);
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
}

void jn_buf_addz(jn_buf *b, const char *s) { jn_buf_add(b, s, strlen(s)); }
void jn_buf_addc(jn_buf *b, char ch) { jn_buf_add(b, &ch, 1); }

void jn_buf_utf8(jn_buf *b, uint32_t cp) {
  char t[4];
  if (cp < 0x80) {
    t[0] = (char)cp;
    jn_buf_add(b, t, 1);
  } else if (cp < 0x800) {
    t[0] = (char)(0xC0 | (cp >> 6));
    t[1] = (char)(0x80 | (cp & 0x3F));
    jn_buf_add(b, t, 2);
  } else if (cp < 0x10000) {
    t[0] = (char)(0xE0 | (cp >> 12));
    t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    t[2] = (char)(0x80 | (cp & 0x3F));
    jn_buf_add(b, t, 3);
  } else {
    t[0] = (char)(0xF0 | (cp >> 18));
    t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    t[3] = (char)(0x80 | (cp & 0x3F));
    jn_buf_add(b, t, 4);
  }
}

jn_val *jn_buf_val(jn_buf *b) {
  jn_val *v = newval(b->c, JN_STR);
  if (!b->p) jn_buf_add(b, "", 0);
  v->u.str.s = b->p;
  v->u.str.len = b->n;
  return v;
}

/* ---- numbers: Number.prototype.toString ---- */
void jn_fmt_number(double d, char *out, size_t cap) {
  if (!isfinite(d)) { /* from 0 % 0 or an overflowing product, as in JavaScript */
    snprintf(out, cap, "%s", isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
    return;
  }
  if (d == 0) {
    snprintf(out, cap, "0");
    return;
  }
  /* A whole number below 2^53 is exact, and JavaScript writes every digit. */
  if (fabs(d) < 9007199254740992.0 && d == (double)(long long)d) {
    snprintf(out, cap, "%lld", (long long)d);
    return;
  }
  /* The fewest digits that read back as d. When 15 do, printf's 15 with
   * their trailing zeros dropped are those fewest: a shorter decimal that
   * reads back as a normal d lies within half an ulp of it, less than half
   * a step of 15 digits, so it is also the nearest 15-digit one. Else 16
   * or 17 are needed. A subnormal's ulp is coarser: it is searched from 1. */
  char digits[40];
  int prec, exp10 = 0;
  for (prec = fabs(d) >= DBL_MIN ? 15 : 1; prec <= 17; prec++) {
    aev__snprintf_c(digits, sizeof digits, "%.*e", prec - 1, d);
    if (aev__strtod(digits, NULL) == d) break;
  }
  /* digits = [-]D.DDDe[+-]XX */
  char mant[24];
  size_t m = 0;
  const char *p = digits;
  int neg = 0;
  if (*p == '-') {
    neg = 1;
    p++;
  }
  for (; *p && *p != 'e'; p++)
    if (*p != '.') mant[m++] = *p;
  mant[m] = 0;
  if (*p == 'e') exp10 = atoi(p + 1);
  while (m > 1 && mant[m - 1] == '0') mant[--m] = 0;
  int k = (int)m, n = exp10 + 1; /* value = 0.mant * 10^n */
  char *o = out;
  size_t left = cap;
#define PUT(...)                                                                 \
  do {                                                                           \
    int w_ = snprintf(o, left, __VA_ARGS__);                                     \
    if (w_ > 0 && (size_t)w_ < left) {                                           \
      o += w_;                                                                   \
      left -= (size_t)w_;                                                        \
    }                                                                            \
  } while (0)
  if (neg) PUT("-");
  if (k <= n && n <= 21) {
    PUT("%s", mant);
    for (int i = 0; i < n - k; i++) PUT("0");
  } else if (0 < n && n <= 21) {
    PUT("%.*s.%s", n, mant, mant + n);
  } else if (-6 < n && n <= 0) {
    PUT("0.");
    for (int i = 0; i < -n; i++) PUT("0");
    PUT("%s", mant);
  } else {
    int e = n - 1;
    if (k == 1) PUT("%s", mant);
    else PUT("%c.%s", mant[0], mant + 1);
    PUT("e%c%d", e < 0 ? '-' : '+', e < 0 ? -e : e);
  }
#undef PUT
}

int jn_is_int(double d) { return isfinite(d) && floor(d) == d; }

/* The surrogate whose three-byte code starts s[i], or 0. Strings hold a
 * lone surrogate that way: one a string literal escapes, or the half of a
 * character a regex match cut. */
static uint32_t surrogate_at(const char *s, size_t n, size_t i) {
  if (i + 2 >= n || (unsigned char)s[i] != 0xED || (unsigned char)s[i + 1] < 0xA0) return 0;
  return 0xD000 | ((uint32_t)((unsigned char)s[i + 1] & 0x3F) << 6) | ((unsigned char)s[i + 2] & 0x3F);
}

/* JSON.stringify's text: a high surrogate followed by a low one is the
 * character they make (text concatenated from two halves), any other
 * surrogate an escape (backslash, u, four hex digits), so the text stays
 * UTF-8. */
static void ser_string(jn_buf *b, const char *s, size_t n) {
  jn_buf_addc(b, '"');
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    const char *esc = NULL;
    char tmp[12]; /* \uXXXX, with room for the widest %04x the compiler cannot rule out */
    uint32_t hi = surrogate_at(s, n, i);
    if (hi) {
      uint32_t lo = hi < 0xDC00 ? surrogate_at(s, n, i + 3) : 0;
      jn_buf_add(b, s + start, i - start);
      if (lo >= 0xDC00) jn_buf_utf8(b, 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
      else {
        snprintf(tmp, sizeof tmp, "\\u%04x", (unsigned)hi);
        jn_buf_addz(b, tmp);
      }
      i += lo >= 0xDC00 ? 5 : 2;
      start = i + 1;
      continue;
    }
    if (ch == '"') esc = "\\\"";
    else if (ch == '\\') esc = "\\\\";
    else if (ch == '\n') esc = "\\n";
    else if (ch == '\r') esc = "\\r";
    else if (ch == '\t') esc = "\\t";
    else if (ch == '\b') esc = "\\b";
    else if (ch == '\f') esc = "\\f";
    else if (ch < 0x20) {
      snprintf(tmp, sizeof tmp, "\\u%04x", ch);
      esc = tmp;
    }
    if (esc) {
      jn_buf_add(b, s + start, i - start);
      jn_buf_addz(b, esc);
      start = i + 1;
    }
  }
  jn_buf_add(b, s + start, n - start);
  jn_buf_addc(b, '"');
}

static void newline(jn_buf *b, int indent, int level) {
  jn_buf_addc(b, '\n');
  for (int i = 0; i < indent * level; i++) jn_buf_addc(b, ' ');
}

/* Number(d.toPrecision(15)): d to 15 significant digits. printf rounds an
 * exact tie to even; toPrecision picks the larger digits (away from zero,
 * the sign being written apart), so 8921739012083625 is 8921739012083630
 * there. A tie is the 16th digit 5 with nothing after it in d's exact
 * decimal expansion, which printf writes whole (767 digits at most). */
static double precision15(double d) {
  if (fabs(d) < 1e15 && d == (double)(long long)d) return d; /* 15 digits at most: exact */
  char t[40], w[48];
  aev__snprintf_c(t, sizeof t, "%.14e", d);
  aev__snprintf_c(w, sizeof w, "%.30e", fabs(d));
  if (w[16] != '5' || strspn(w + 17, "0") < 15) return aev__strtod(t, NULL);
  char exact[820];
  aev__snprintf_c(exact, sizeof exact, "%.800e", fabs(d));
  const char *e = strchr(exact, 'e');
  if (!e || strspn(exact + 17, "0") < (size_t)(e - exact - 17)) return aev__strtod(t, NULL);
  unsigned long long digits = (unsigned long long)(exact[0] - '0');
  for (int i = 2; i <= 15; i++) digits = digits * 10 + (unsigned long long)(exact[i] - '0');
  char up[48];
  aev__snprintf_c(up, sizeof up, "%s%llue%d", d < 0 ? "-" : "", digits + 1, atoi(e + 1) - 14);
  return aev__strtod(up, NULL);
}

static void ser(jn_buf *b, const jn_val *v, int p15, int indent, int level) {
  char num[64];
  switch (v->type) {
  case JN_NULL: jn_buf_addz(b, "null"); return;
  case JN_BOOL: jn_buf_addz(b, v->u.b ? "true" : "false"); return;
  case JN_NUM: {
    double d = v->u.num;
    if (p15 && isinf(d)) jn_throw(b->c, "D1001", -1, "Number out of range");
    if (p15 && !isnan(d)) d = precision15(d); /* $string's Number(val.toPrecision(15)) */
    if (!isfinite(d)) { /* NaN, or a number that rounding took past the
                           largest double: JSON.stringify writes null */
      jn_buf_addz(b, "null");
      return;
    }
    jn_fmt_number(d, num, sizeof num);
    jn_buf_addz(b, num);
    return;
  }
  case JN_STR: ser_string(b, v->u.str.s, v->u.str.len); return;
  case JN_FUNC: jn_buf_addz(b, "\"\""); return;
  case JN_ARR: {
    if (v->u.arr.n == 0) {
      jn_buf_addz(b, "[]");
      return;
    }
    jn_buf_addc(b, '[');
    for (size_t i = 0; i < v->u.arr.n; i++) {
      if (i) jn_buf_addc(b, ',');
      if (indent) newline(b, indent, level + 1);
      const jn_val *x = v->u.arr.items[i];
      if (x) ser(b, x, p15, indent, level + 1);
      else jn_buf_addz(b, "null");
    }
    if (indent) newline(b, indent, level);
    jn_buf_addc(b, ']');
    return;
  }
  case JN_OBJ: {
    int first = 1;
    jn_force(v);
    jn_buf_addc(b, '{');
    for (size_t i = 0; i < v->u.obj.n; i++) {
      const jn_val *x = v->u.obj.vals[i];
      if (!x) continue;
      if (!first) jn_buf_addc(b, ',');
      first = 0;
      if (indent) newline(b, indent, level + 1);
      ser_string(b, v->u.obj.keys[i], v->u.obj.klen[i]);
      jn_buf_addz(b, indent ? ": " : ":");
      ser(b, x, p15, indent, level + 1);
    }
    if (indent && !first) newline(b, indent, level);
    jn_buf_addc(b, '}');
    return;
  }
  }
}

void jn_serialize(jn_buf *b, const jn_val *v, int precision15, int indent) {
  ser(b, v, precision15, indent, 0);
}

/* ---- utf-8 ---- */
uint32_t jn_utf8_next(const char *s, size_t n, size_t *i) {
  unsigned char c0 = (unsigned char)s[*i];
  uint32_t cp;
  int extra;
  if (c0 < 0x80) {
    (*i)++;
    return c0;
  } else if ((c0 & 0xE0) == 0xC0) {
    cp = c0 & 0x1F;
    extra = 1;
  } else if ((c0 & 0xF0) == 0xE0) {
    cp = c0 & 0x0F;
    extra = 2;
  } else if ((c0 & 0xF8) == 0xF0) {
    cp = c0 & 0x07;
    extra = 3;
  } else {
    (*i)++;
    return 0xFFFD;
  }
  (*i)++;
  for (int k = 0; k < extra && *i < n; k++) {
    unsigned char cx = (unsigned char)s[*i];
    if ((cx & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (cx & 0x3F);
    (*i)++;
  }
  return cp;
}

int jn_utf16_units(uint32_t cp, uint32_t unit[2]) {
  if (cp <= 0xFFFF) {
    unit[0] = cp;
    return 1;
  }
  cp -= 0x10000;
  unit[0] = 0xD800 | cp >> 10;
  unit[1] = 0xDC00 | (cp & 0x3FF);
  return 2;
}

size_t jn_utf8_offset(const char *s, size_t n, size_t cp_index) {
  size_t i = 0, count = 0;
  while (i < n && count < cp_index) {
    i++;
    while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
    count++;
  }
  return i;
}

/* A lead byte of a four-byte sequence: a character past U+FFFF, which is
 * two UTF-16 code units. */
static int astral_lead(unsigned char b) { return b >= 0xF0; }

size_t jn_utf16_len(const char *s, size_t n) {
  size_t units = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char b = (unsigned char)s[i];
    if ((b & 0xC0) != 0x80) units += astral_lead(b) ? 2 : 1;
  }
  return units;
}

/* Byte order is code point order, which is UTF-16 order but for one case:
 * a character past U+FFFF (its first unit is a surrogate, D800-DBFF) sorts
 * before U+E000-FFFF in UTF-16. */
int jn_str_cmp(const jn_val *a, const jn_val *b) {
  const char *x = a->u.str.s, *y = b->u.str.s;
  size_t nx = a->u.str.len, ny = b->u.str.len, i = 0;
  while (i < nx && i < ny && x[i] == y[i]) i++;
  if (i == nx || i == ny) return nx < ny ? -1 : nx > ny;
  while (i > 0 && ((unsigned char)x[i] & 0xC0) == 0x80) i--;
  size_t ix = i, iy = i;
  uint32_t cx = jn_utf8_next(x, nx, &ix), cy = jn_utf8_next(y, ny, &iy);
  if ((cx > 0xFFFF) != (cy > 0xFFFF)) {
    uint32_t bmp = cx > 0xFFFF ? cy : cx;
    int astral_first = bmp >= 0xE000;
    return (cx > 0xFFFF) == astral_first ? -1 : 1;
  }
  return cx < cy ? -1 : cx > cy;
}

jn_val *jn_clone_deep_strings(jn_ctx *c, jn_val *v) {
  if (!v) return NULL;
  switch (v->type) {
  case JN_STR: return jn_str(c, v->u.str.s, v->u.str.len);
  case JN_ARR: {
    jn_val *a = jn_arr(c, v->u.arr.n);
    for (size_t i = 0; i < v->u.arr.n; i++) jn_push(c, a, jn_clone_deep_strings(c, v->u.arr.items[i]));
    return a;
  }
  case JN_OBJ: {
    jn_val *o = jn_objv(c);
    jn_force(v);
    for (size_t i = 0; i < v->u.obj.n; i++)
      jn_set(c, o, jn_strdup(c, v->u.obj.keys[i], v->u.obj.klen[i]), v->u.obj.klen[i],
             jn_clone_deep_strings(c, v->u.obj.vals[i]));
    return o;
  }
  default: return v;
  }
}

/* Step Functions' additions to JSONata (the "states profile"): $partition,
 * $range, $hash, $random([seed]), $uuid and $parse, as AWS documents for
 * JSONata in Step Functions, where $eval is unavailable. They take the
 * place of the JSONPath intrinsics States.ArrayPartition, States.ArrayRange,
 * States.Hash, States.MathRandom, States.UUID and States.StringToJson. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/digest.h"
#include "core/json_parse.h"
#include "fn.h"

static jn_val *fn_partition(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  if (!a[1] || !jn_is_int(a[1]->u.num) || a[1]->u.num < 1)
    jn_throw(c, "D3020", -1, "The chunk size of $partition must be a positive integer");
  size_t size = (size_t)a[1]->u.num, len = a[0]->u.arr.n;
  jn_val *r = jn_arr(c, len / size + 1);
  for (size_t i = 0; i < len; i += size) {
    jn_val *chunk = jn_arr(c, size);
    for (size_t k = i; k < len && k < i + size; k++) jn_push(c, chunk, a[0]->u.arr.items[k]);
    jn_push(c, r, chunk);
  }
  return r;
}

static jn_val *fn_range_sf(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0] || !a[1]) return NULL;
  double start = a[0]->u.num, end = a[1]->u.num, step = a[2] ? a[2]->u.num : 1;
  if (step == 0 || !isfinite(step)) jn_throw(c, "D3020", -1, "The step of $range must not be 0");
  double count = floor((end - start) / step) + 1;
  /* States.ArrayRange allows at most 1,000 items; $range replaces it */
  if (count > 1000) jn_throw(c, "D2014", -1, "The $range function can generate at most 1000 items");
  jn_val *r = jn_arr(c, count > 0 ? (size_t)count : 0);
  for (double i = 0; i < count; i++) jn_push(c, r, jn_num(c, start + i * step));
  return r;
}

static jn_val *fn_hash(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0] || !a[1]) return NULL;
  const char *s = a[0]->u.str.s, *alg = a[1]->u.str.s;
  size_t len = a[0]->u.str.len;
  uint8_t d[64];
  size_t dl = aev__digest_by_name(alg, s, len, d);
  if (!dl)
    jn_throw(c, "D3137", -1, "The hash algorithm %.20s is not supported: use MD5, SHA-1, SHA-256, SHA-384 or SHA-512", alg);
  char hex[129];
  aev__hex(d, dl, hex);
  return jn_str(c, hex, dl * 2);
}

static uint64_t splitmix(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

jn_val *fn_random(jn_ctx *c, jn_val **a, int n, jn_val *in);

static jn_val *fn_random_sf(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  if (!a[0]) return fn_random(c, a, n, in);
  /* the same seed gives the same number, as States.MathRandom's seed */
  uint64_t s = (uint64_t)(int64_t)a[0]->u.num;
  return jn_num(c, (double)(splitmix(&s) >> 11) / 9007199254740992.0);
}

static jn_val *fn_uuid(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)a;
  (void)n;
  (void)in;
  uint8_t b[16];
  for (int i = 0; i < 2; i++) {
    uint64_t r = splitmix(jn_ctx_rng(c));
    memcpy(b + 8 * i, &r, 8);
  }
  b[6] = (uint8_t)((b[6] & 0x0F) | 0x40);
  b[8] = (uint8_t)((b[8] & 0x3F) | 0x80);
  char hex[33], out[37];
  aev__hex(b, 16, hex);
  snprintf(out, sizeof out, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
  return jn_str(c, out, 36);
}

static jn_val *fn_parse(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  json_error_t je;
  json_t *j;
  int rc = aev__json_parse(a[0]->u.str.s, a[0]->u.str.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &j, &je);
  if (rc == AEV_ERR_NOMEM) jn_throw(c, JN_OUT_OF_MEMORY, -1, "Out of memory.");
  if (rc) jn_throw(c, "D3120", -1, "The string passed to $parse is not valid JSON: %s", je.text);
  jn_val *v = jn_from_json(c, j);
  /* jn_from_json borrows string bytes: copy them into the arena */
  jn_val *copy = jn_clone_deep_strings(c, v);
  json_decref(j);
  return copy;
}

const jn_builtin jn_states_builtins[] = {
    {"hash", "<s-s:s>", fn_hash},
    {"parse", "<s-:j>", fn_parse},
    {"partition", "<an:a>", fn_partition},
    {"random", "<n?:n>", fn_random_sf},
    {"range", "<nnn?:a>", fn_range_sf},
    {"uuid", "<:s>", fn_uuid},
    {NULL, NULL, NULL},
};

/* The States.* intrinsic functions with AWS's quirks: MathAdd rounds each
 * argument half up (Java's Math.round), StringSplit splits on any character
 * of its delimiter and drops empty tokens, ArrayRange yields at most 1,000
 * items, Hash and Base64 take at most 10,000 characters (characters, not
 * UTF-8 bytes: the docs' "up to 10,000 characters"), JsonMerge is
 * shallow only. Failures raise States.IntrinsicFailure. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/digest.h"
#include "core/ids.h"
#include "core/java_order.h"
#include "core/json_build.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/text.h"
#include "json/intrinsic_int.h"

#define MAX_RANGE 1000
#define MAX_CHARS 10000

static json_t *fail(aev__jenv *env, const char *fn, const char *why) {
  aev__jenv_fail(env, "States.IntrinsicFailure", "The function '%s' %s", fn, why);
  return NULL;
}

static int is_int(json_t *v) {
  return json_is_integer(v) ||
         (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)) &&
          fabs(json_real_value(v)) < 9e15);
}

static json_int_t int_of(json_t *v) {
  return json_is_integer(v) ? json_integer_value(v) : (json_int_t)json_real_value(v);
}

static json_t *f_format(const ia_val *a, size_t n, aev__jenv *env) {
  if (!json_is_string(a[0].v)) return fail(env, "States.Format", "needs a string template as its first argument");
  const char *t = a[0].raw ? a[0].raw : json_string_value(a[0].v);
  size_t cap = strlen(t) + 64, len = 0, next = 1;
  char *out = malloc(cap);
  if (!out) return NULL;
  for (size_t i = 0; t[i]; i++) {
    const char *piece = NULL;
    char *owned = NULL, ch[2] = {t[i], 0};
    if (a[0].raw && t[i] == '\\' && t[i + 1]) {
      ch[0] = t[++i];
      piece = ch;
    } else if (t[i] == '{' && t[i + 1] == '}') {
      if (next >= n) {
        free(out);
        return fail(env, "States.Format", "has more placeholders '{}' than arguments");
      }
      owned = aev__json_text(a[next++].v);
      piece = owned;
      i++;
    } else {
      piece = ch;
    }
    size_t pl = piece ? strlen(piece) : 0;
    if (len + pl + 1 > cap) {
      while (len + pl + 1 > cap) cap *= 2;
      char *o = realloc(out, cap);
      if (!o) {
        free(out);
        free(owned);
        return NULL;
      }
      out = o;
    }
    memcpy(out + len, piece, pl);
    len += pl;
    free(owned);
  }
  if (next != n) {
    free(out);
    return fail(env, "States.Format", "has fewer placeholders '{}' than arguments");
  }
  json_t *r = json_stringn_nocheck(out, len);
  free(out);
  return r;
}

static json_t *f_string_to_json(const ia_val *a, size_t n, aev__jenv *env) {
  if (!json_is_string(a[0].v)) return fail(env, "States.StringToJson", "needs a string argument");
  /* AWS maps the empty string to null. */
  if (json_string_length(a[0].v) == 0) return json_null();
  json_t *v;
  int rc = aev__json_parse_str(json_string_value(a[0].v), JSON_DECODE_ANY, &v);
  /* Out of memory answers NULL with no failure, as the other functions do. */
  return rc == AEV_ERR_INVALID ? fail(env, "States.StringToJson", "could not parse its argument as JSON") : v;
}

static json_t *f_json_to_string(const ia_val *a, size_t n, aev__jenv *env) {
  char *t = aev__json_dumps(a[0].v, JSON_COMPACT | JSON_ENCODE_ANY);
  json_t *r = t ? json_string(t) : NULL;
  free(t);
  return r;
}

static json_t *f_array(const ia_val *a, size_t n, aev__jenv *env) {
  json_t *arr = json_array();
  int lost = !arr;
  for (size_t i = 0; !lost && i < n; i++) lost = json_array_append(arr, a[i].v);
  return aev__json_whole(arr, !lost);
}

static json_t *f_array_partition(const ia_val *a, size_t n, aev__jenv *env) {
  if (!json_is_array(a[0].v)) return fail(env, "States.ArrayPartition", "needs an array as its first argument");
  if (!is_int(a[1].v) || int_of(a[1].v) <= 0)
    return fail(env, "States.ArrayPartition", "needs a chunk size greater than 0");
  size_t size = (size_t)int_of(a[1].v), len = json_array_size(a[0].v);
  json_t *out = json_array(), *chunk = NULL;
  int lost = !out;
  for (size_t i = 0; !lost && i < len; i++) {
    if (i % size == 0) {
      chunk = json_array();
      lost = json_array_append_new(out, chunk);
    }
    lost = lost || json_array_append(chunk, json_array_get(a[0].v, i));
  }
  return aev__json_whole(out, !lost);
}

static json_t *f_array_contains(const ia_val *a, size_t n, aev__jenv *env) {
  if (!json_is_array(a[0].v)) return fail(env, "States.ArrayContains", "needs an array as its first argument");
  for (size_t i = 0; i < json_array_size(a[0].v); i++)
    if (json_equal(json_array_get(a[0].v, i), a[1].v)) return json_true();
  return json_false();
}

static json_t *f_array_range(const ia_val *a, size_t n, aev__jenv *env) {
  for (int i = 0; i < 3; i++)
    if (!is_int(a[i].v)) return fail(env, "States.ArrayRange", "needs integer arguments");
  json_int_t from = int_of(a[0].v), to = int_of(a[1].v), by = int_of(a[2].v);
  if (by == 0) return fail(env, "States.ArrayRange", "needs a non-zero step");
  json_int_t count = (to - from) / by + 1;
  if (count > MAX_RANGE) return fail(env, "States.ArrayRange", "would return more than 1000 items");
  json_t *out = json_array();
  int lost = !out;
  for (json_int_t v = from; !lost && (by > 0 ? v <= to : v >= to); v += by)
    lost = json_array_append_new(out, json_integer(v));
  return aev__json_whole(out, !lost);
}

static json_t *f_array_get_item(const ia_val *a, size_t n, aev__jenv *env) {
  if (!json_is_array(a[0].v) || !is_int(a[1].v))
    return fail(env, "States.ArrayGetItem", "needs an array and an integer index");
  json_int_t i = int_of(a[1].v);
  if (i < 0 || (size_t)i >= json_array_size(a[0].v))
    return fail(env, "States.ArrayGetItem", "was given an index out of the array's bounds");
  return json_incref(json_array_get(a[0].v, (size_t)i));
}

static json_t *f_array_length(const ia_val *a, size_t n, aev__jenv *env) {
  if (!json_is_array(a[0].v)) return fail(env, "States.ArrayLength", "needs an array argument");
  return json_integer((json_int_t)json_array_size(a[0].v));
}

static json_t *f_array_unique(const ia_val *a, size_t n, aev__jenv *env) {
  if (!json_is_array(a[0].v)) return fail(env, "States.ArrayUnique", "needs an array argument");
  json_t *out = json_array();
  int lost = !out;
  for (size_t i = 0; !lost && i < json_array_size(a[0].v); i++) {
    json_t *v = json_array_get(a[0].v, i);
    int seen = 0;
    for (size_t k = 0; !seen && k < json_array_size(out); k++) seen = json_equal(json_array_get(out, k), v);
    if (!seen) lost = json_array_append(out, v);
  }
  return aev__json_whole(out, !lost);
}

/* Whether the text s (n bytes) is over the 10,000-character limit. */
static int over_chars(const char *s, size_t n) { return n > MAX_CHARS && aev__utf8_chars(s, n) > MAX_CHARS; }

static json_t *f_base64_encode(const ia_val *a, size_t n, aev__jenv *env) {
  if (!json_is_string(a[0].v)) return fail(env, "States.Base64Encode", "needs a string argument");
  if (over_chars(json_string_value(a[0].v), json_string_length(a[0].v)))
    return fail(env, "States.Base64Encode", "takes at most 10000 characters");
  char *t = NULL;
  if (aev__base64_encode(json_string_value(a[0].v), json_string_length(a[0].v), &t)) return NULL;
  json_t *r = json_string(t);
  free(t);
  return r;
}

static json_t *f_base64_decode(const ia_val *a, size_t n, aev__jenv *env) {
  if (!json_is_string(a[0].v)) return fail(env, "States.Base64Decode", "needs a string argument");
  if (over_chars(json_string_value(a[0].v), json_string_length(a[0].v)))
    return fail(env, "States.Base64Decode", "takes at most 10000 characters");
  unsigned char *d = NULL;
  size_t len = 0;
  if (aev__base64_decode(json_string_value(a[0].v), json_string_length(a[0].v), &d, &len))
    return fail(env, "States.Base64Decode", "was given text that is not valid base64");
  json_t *r = json_stringn((const char *)d, len);
  free(d);
  return r ? r : fail(env, "States.Base64Decode", "decoded bytes that are not UTF-8 text");
}

static json_t *f_hash(const ia_val *a, size_t n, aev__jenv *env) {
  if (!json_is_string(a[1].v)) return fail(env, "States.Hash", "needs an algorithm name");
  char *owned = NULL;
  const char *data;
  if (json_is_string(a[0].v)) {
    data = json_string_value(a[0].v);
  } else {
    owned = aev__json_text(a[0].v);
    data = owned;
  }
  if (!data) return NULL;
  size_t len = strlen(data);
  if (over_chars(data, len)) {
    free(owned);
    return fail(env, "States.Hash", "takes at most 10000 characters");
  }
  const char *alg = json_string_value(a[1].v);
  uint8_t digest[64];
  size_t dlen = aev__digest_by_name(alg, data, len, digest);
  free(owned);
  if (!dlen) {
    aev__jenv_fail(env, "States.IntrinsicFailure",
                   "The hashing algorithm '%s' is not supported. Supported: MD5, SHA-1, SHA-256, "
                   "SHA-384, SHA-512",
                   alg);
    return NULL;
  }
  char hex[129];
  aev__hex(digest, dlen, hex);
  return json_string(hex);
}

static json_t *f_json_merge(const ia_val *a, size_t n, aev__jenv *env) {
  if (!json_is_object(a[0].v) || !json_is_object(a[1].v))
    return fail(env, "States.JsonMerge", "needs two JSON objects");
  if (!json_is_boolean(a[2].v)) return fail(env, "States.JsonMerge", "needs a boolean deep-merge flag");
  if (json_is_true(a[2].v))
    return fail(env, "States.JsonMerge", "does not support deep merge: its third argument must be false");
  json_t *merged = aev__json_copy(a[0].v);
  if (!merged || json_object_update(merged, a[1].v)) {
    json_decref(merged);
    return NULL;
  }
  /* AWS merges into a java.util.HashMap, and answers in its order. */
  json_t *out = aev__json_java_order(merged);
  json_decref(merged);
  return out;
}

static uint64_t draw(aev__jenv *env) {
  static const uint64_t fixed = 0x9e3779b97f4a7c15u;
  return env->random ? env->random(env->random_arg) : fixed;
}

static json_t *f_math_random(const ia_val *a, size_t n, aev__jenv *env) {
  if (!is_int(a[0].v) || !is_int(a[1].v)) return fail(env, "States.MathRandom", "needs integer bounds");
  json_int_t lo = int_of(a[0].v), hi = int_of(a[1].v);
  if (hi <= lo) return fail(env, "States.MathRandom", "needs an end greater than its start");
  uint64_t r;
  if (n == 3) {
    if (!is_int(a[2].v)) return fail(env, "States.MathRandom", "needs an integer seed");
    aev__rng rng;
    aev__rng_seed(&rng, (uint64_t)int_of(a[2].v));
    r = aev__rng_next(&rng);
  } else {
    r = draw(env);
  }
  return json_integer(lo + (json_int_t)(r % (uint64_t)(hi - lo)));
}

/* Java's Math.round: floor(x + 0.5). */
static json_int_t java_round(double x) { return (json_int_t)floor(x + 0.5); }

static json_t *f_math_add(const ia_val *a, size_t n, aev__jenv *env) {
  if (!json_is_number(a[0].v) || !json_is_number(a[1].v))
    return fail(env, "States.MathAdd", "needs two numbers");
  return json_integer(java_round(json_number_value(a[0].v)) + java_round(json_number_value(a[1].v)));
}

/* The length of the character starting s (n >= 1 bytes left): jansson's
 * strings are valid UTF-8, but a stray byte still moves on by one. */
static size_t char_len(const char *s, size_t n) {
  uint32_t cp;
  size_t k = aev__utf8_next((const unsigned char *)s, n, &cp);
  return k ? k : 1;
}

/* Whether the character c (k bytes) is one of the delimiter's characters:
 * AWS splits on characters (Java's StringTokenizer), never on the bytes of
 * one, so a multibyte delimiter neither cuts other characters apart nor
 * leaves malformed UTF-8 behind. */
static int is_delimiter(const char *c, size_t k, const char *set, size_t n) {
  for (size_t i = 0, d; i < n; i += d) {
    d = char_len(set + i, n - i);
    if (d == k && memcmp(set + i, c, k) == 0) return 1;
  }
  return 0;
}

static json_t *f_string_split(const ia_val *a, size_t n, aev__jenv *env) {
  if (!json_is_string(a[0].v) || !json_is_string(a[1].v))
    return fail(env, "States.StringSplit", "needs a string and a delimiter string");
  const char *s = json_string_value(a[0].v), *set = json_string_value(a[1].v);
  size_t len = json_string_length(a[0].v), nset = json_string_length(a[1].v);
  json_t *out = json_array();
  int lost = !out;
  for (size_t i = 0, tok = 0, k; !lost && i <= len; i += k) {
    k = i < len ? char_len(s + i, len - i) : 1;
    if (i < len && !is_delimiter(s + i, k, set, nset)) continue;
    if (i > tok) lost = json_array_append_new(out, json_stringn(s + tok, i - tok));
    tok = i + k;
  }
  return aev__json_whole(out, !lost);
}

static json_t *f_uuid(const ia_val *a, size_t n, aev__jenv *env) {
  aev__rng rng;
  aev__rng_seed(&rng, draw(env));
  char u[AEV_UUID_LEN + 1];
  aev__uuid4(&rng, u);
  return json_string(u);
}

static const ia_def defs[] = {
    {"States.Format", 1, -1, f_format},
    {"States.StringToJson", 1, 1, f_string_to_json},
    {"States.JsonToString", 1, 1, f_json_to_string},
    {"States.Array", 0, -1, f_array},
    {"States.ArrayPartition", 2, 2, f_array_partition},
    {"States.ArrayContains", 2, 2, f_array_contains},
    {"States.ArrayRange", 3, 3, f_array_range},
    {"States.ArrayGetItem", 2, 2, f_array_get_item},
    {"States.ArrayLength", 1, 1, f_array_length},
    {"States.ArrayUnique", 1, 1, f_array_unique},
    {"States.Base64Encode", 1, 1, f_base64_encode},
    {"States.Base64Decode", 1, 1, f_base64_decode},
    {"States.Hash", 2, 2, f_hash},
    {"States.JsonMerge", 3, 3, f_json_merge},
    {"States.MathRandom", 2, 3, f_math_random},
    {"States.MathAdd", 2, 2, f_math_add},
    {"States.StringSplit", 2, 2, f_string_split},
    {"States.UUID", 0, 0, f_uuid},
};

const ia_def *aev__ia_find(const char *name, size_t len) {
  for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
    if (strlen(defs[i].name) == len && !strncmp(defs[i].name, name, len)) return &defs[i];
  return NULL;
}

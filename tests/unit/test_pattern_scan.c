/* The event scanner behind pattern matching: the fast paths it takes for
 * fields no pattern names (skipped strings, subtrees and numbers, still
 * validated), escapes in names and values, white space anywhere, the
 * end-of-text bound, and numbers converted without strtod(); and the
 * scanner against jansson on randomly edited events. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aevtest.h"
#include "awsevents/pattern.h"

/* Matches event against pattern: 1, 0, or -1 when the event is refused. */
static int try_match(const char *pattern, const char *event) {
  aev_pattern *p = NULL;
  ck_assert_msg(aev_pattern_compile(pattern, strlen(pattern), &p) == AEV_OK, "%s", pattern);
  /* An exact-size copy: a read past the end shows under ASan. */
  size_t n = strlen(event);
  char *copy = malloc(n ? n : 1);
  ck_assert_ptr_nonnull(copy);
  memcpy(copy, event, n);
  int m = -1, rc = aev_pattern_matches(p, copy, n, &m);
  free(copy);
  aev_pattern_free(p);
  ck_assert_msg(rc == AEV_OK || rc == AEV_ERR_INVALID, "rc %d", rc);
  return rc ? -1 : m;
}

typedef struct scase {
  const char *pattern, *event;
  int want; /* 1, 0, or -1: refused */
} scase;

static const scase cases[] = {
    /* escapes in skipped names and values, and in named ones */
    {"{\"k\":[\"x\"]}", "{\"n\\\"\\\\\":\"v\\\"\\\\\\/\\b\\f\\n\\r\\t\",\"k\":\"x\"}", 1},
    {"{\"k\":[\"x\"]}", "{\"\\u00e9\\ud83d\\ude00\":\"\\u0041\\uD83D\\uDE00\",\"k\":\"x\"}", 1},
    {"{\"k\":[\"a\\\"b\"]}", "{\"k\":\"a\\\"b\"}", 1},
    {"{\"k\":[\"a\\\\\"]}", "{\"k\":\"a\\\\\"}", 1},
    {"{\"k\":[\"a\\\\\"]}", "{\"k\":\"a\\\\\\\\\"}", 0},
    {"{\"k\":[\"x\"]}", "{\"\\u006b\":\"x\"}", 1},
    {"{\"d\":{\"k\":[\"x\"]}}", "{\"d\":{\"\\u006b\":\"x\"}}", 1},
    {"{\"d\":{\"k\":[\"x\"]}}", "{\"\\u0064\":{\"k\":\"x\"}}", 1},
    {"{\"\xf0\x9f\x98\x80\":[\"\xc3\xa9\"]}", "{\"\\ud83d\\ude00\":\"\\u00e9\"}", 1},
    {"{\"k\":[\"x\"]}", "{\"n\":\"\\q\",\"k\":\"x\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"n\":\"\\u12g4\",\"k\":\"x\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"n\\u12\":1,\"k\":\"x\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"k\":\"x\",\"n\":\"\\\"}", -1},
    /* raw control characters are refused in names and values, skipped or
     * named, wherever they fall in a 16-byte block; bytes beside them in
     * value (space, '!', '#', DEL, UTF-8) are plain */
    {"{\"k\":[\"x\"]}", "{\"n\":\"\x01\",\"k\":\"x\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"n\":\"abcdefghijklmnopqrst\x1f\",\"k\":\"x\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"n\x1f\":1,\"k\":\"x\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"abcdefghijklmnopqrs\x02\":1,\"k\":\"x\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"k\":\"x\x7f\"}", 0},
    {"{\"k\":[\"x\x7f\"]}", "{\"k\":\"x\x7f\"}", 1},
    {"{\"k\":[\"x\"]}", "{\"k\":\"x\x0a\"}", -1},
    {"{\"k\":[\" !#\\\"\xc3\xa9\"]}", "{\"k\":\" !#\\\"\xc3\xa9\"}", 1},
    {"{\"k\":[\" !#\"]}", "{\"n \x21#\":\"  ! # \",\"k\":\" !#\"}", 1},
    /* a plain string value found in the 16 bytes that hold its key: ending
     * on their last byte or just past it, empty, holding ':' and '"' or a
     * control character, after a key of 13 bytes (the longest that leaves
     * room), named or skipped, at the text's end */
    {"{\"k\":[\"abcdefghijk\"]}", "{\"k\":\"abcdefghijk\"}", 1},
    {"{\"k\":[\"abcdefghijk\"]}", "{\"k\":\"abcdefghijkl\"}", 0},
    {"{\"k\":[\"abcdefghijkl\"]}", "{\"k\":\"abcdefghijkl\"}", 1},
    {"{\"k\":[\"abcdefghij\"]}", "{\"k\":\"abcdefghijk\"}", 0},
    {"{\"k\":[\"\"]}", "{\"k\":\"\"}", 1},
    {"{\"k\":[\"\"]}", "{\"k\":\"x\"}", 0},
    {"{\"k\":[\"a\\\":\\\"b\"]}", "{\"k\":\"a\\\":\\\"b\"}", 1},
    {"{\"k\":[\"a\"]}", "{\"k\":\"a\\\":\\\"b\"}", 0},
    {"{\"k\":[\"x\"]}", "{\"k\":\"x\x01\"}", -1},
    {"{\"abcdefghijklm\":[\"x\"]}", "{\"abcdefghijklm\":\"x\",\"n\":\"y\"}", 1},
    {"{\"abcdefghijklm\":[\"x\"]}", "{\"abcdefghijklm\":\"xy\"}", 0},
    {"{\"abcdefghijklmn\":[\"x\"]}", "{\"abcdefghijklmn\":\"x\"}", 1},
    {"{\"k\":[\"x\"]}", "{\"n\":\"abcdefghijk\",\"m\":\"\",\"k\":\"x\"}", 1},
    {"{\"k\":[\"x\"]}", "{\"n\":\"abcdefghijk\",\"k\":\"y\"}", 0},
    {"{\"k\":[\"x\"]}", "{\"k\":\"x}", -1},
    {"{\"k\":[\"x\"]}", "{\"k\" \"x\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"k\";\"x\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"k\":\"x\\\"}", -1},
    /* skipped subtrees: entered only to validate them */
    {"{\"k\":[\"x\"]}", "{\"s\":{\"a\":[1,{\"b\":[true,false,null,\"\\\"]\"]}],\"c\":{}},\"k\":\"x\"}", 1},
    {"{\"k\":[\"x\"]}", "{\"s\":[[[{\"x\":01}]]],\"k\":\"x\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"s\":[[[{\"x\":1}]],\"k\":\"x\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"s\":{\"x\" 1},\"k\":\"x\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"s\":[1 2],\"k\":\"x\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"s\":{\"x\":}},\"k\":\"x\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"s\":[nul],\"k\":\"x\"}", -1},
    /* numbers in skipped fields are validated, never converted */
    {"{\"k\":[\"x\"]}", "{\"s\":-0.0e-0,\"t\":1E+300,\"u\":[0,-1,2.5e3],\"k\":\"x\"}", 1},
    {"{\"k\":[\"x\"]}", "{\"s\":01,\"k\":\"x\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"s\":1.,\"k\":\"x\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"s\":-,\"k\":\"x\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"s\":1e,\"k\":\"x\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"s\":1e+,\"k\":\"x\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"s\":+1,\"k\":\"x\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"s\":.5,\"k\":\"x\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"s\":[-],\"k\":\"x\"}", -1},
    /* white space everywhere, none anywhere */
    {"{\"d\":{\"k\":[\"x\"]},\"a\":[2]}",
     " \t\n\r{ \t\n\r\"s\" \t\n\r: \t\n\r[ \t\n\r1 \t\n\r, \t\n\r{ \t\n\r} \t\n\r] \t\n\r, \t\n\r"
     "\"d\" \t\n\r: \t\n\r{ \t\n\r\"k\" \t\n\r: \t\n\r\"x\" \t\n\r} \t\n\r, \t\n\r\"a\" \t\n\r:"
     " \t\n\r[ \t\n\r1 \t\n\r, \t\n\r2 \t\n\r] \t\n\r} \t\n\r",
     1},
    {"{\"d\":{\"k\":[\"x\"]},\"a\":[2]}", "{\"s\":[1,{}],\"d\":{\"k\":\"x\"},\"a\":[1,2]}", 1},
    {"{\"k\":[\"x\"]}", "{\"k\"\f:\"x\"}", -1},
    /* the text must end with its object's '}' */
    {"{\"k\":[\"x\"]}", "{\"k\":\"x\"}\n\t ", 1},
    {"{\"k\":[\"x\"]}", "{\"k\":\"x\",\"d\":{\"b\":1}", -1},
    {"{\"k\":[\"x\"]}", "{\"k\":\"x\",\"d\":[{}", -1},
    {"{\"k\":[\"x\"]}", "{\"k\":\"x\",\"d\":[{}]", -1},
    {"{\"k\":[\"x\"]}", "{\"k\":\"x\",\"d\":\"}", -1},
    {"{\"k\":[\"x\"]}", "{\"k\":\"x\",\"d\":\"}\"", -1},
    {"{\"k\":[\"x\"]}", "{\"k\":\"x\"}}", -1},
    {"{\"k\":[\"x\"]}", "{\"k\":\"x\"} x", -1},
    {"{\"k\":[\"x\"]}", "{\"k\":\"x\",}", -1},
    {"{\"k\":[\"x\"]}", "}", -1},
    {"{\"k\":[\"x\"]}", " ", -1},
    {"{\"k\":[\"x\"]}", "[{\"k\":\"x\"}]", -1},
    /* keys looked up under their object's node in the path table: dots
     * (written or escaped) split a key as nesting does, segments over 16
     * bytes and ones sharing their first bytes, keys near the text's end,
     * and the empty path, whose keys are paths of their own */
    {"{\"a\":{\"b\":[\"x\"]}}", "{\"a.b\":\"x\"}", 1},
    {"{\"a\":{\"b\":{\"c\":[\"x\"]}}}", "{\"a\":{\"b.c\":\"x\"}}", 1},
    {"{\"a\":{\"b\":{\"c\":[\"x\"]}}}", "{\"a.b\":{\"c\":\"x\"}}", 1},
    {"{\"a\":{\"b\":[\"x\"]}}", "{\"a\\u002eb\":\"x\"}", 1},
    {"{\"a\":{\"b\":[\"x\"]}}", "{\"a\":{\"\\u0062\":\"x\"}}", 1},
    {"{\"a.b\":[\"x\"]}", "{\"a\":{\"b\":\"x\"}}", 1},
    {"{\"a.b\":[\"x\"]}", "{\"a\":{\"b.\":\"x\"}}", 0},
    {"{\"a.b\":[\"x\"]}", "{\"a.\":{\"b\":\"x\"}}", 0},
    {"{\"a\":{\"k\":[\"x\"]}}", "{\"b\":{\"k\":\"x\"},\"k\":\"x\",\"a\":{}}", 0},
    {"{\"a\":[\"x\"]}", "{\"a\":{\"b\":\"x\"}}", 0},
    {"{\"a\":[\"x\"]}", "{\"a\\u0000\":\"x\"}", 0},
    {"{\"ab\":[\"x\"]}", "{\"ba\":\"x\"}", 0},
    {"{\"abcdefghijklmnopq1\":[\"x\"]}", "{\"abcdefghijklmnopq2\":\"x\"}", 0},
    {"{\"abcdefghijklmnopq1\":[\"x\"]}", "{\"abcdefghijklmnopq1\":\"x\"}", 1},
    {"{\"abcdefghijklmnopq1\":[\"x\"]}", "{\"abcdefghijklmnop\":\"x\"}", 0},
    {"{\"abcdefghijklmno\":[\"x\"]}", "{\"abcdefghijklmnop\":\"x\"}", 0},
    {"{\"abcdefghijklmnop\":[\"x\"]}", "{\"abcdefghijklmnop\":\"x\"}", 1},
    {"{\"abcdefghijklmnop\":[\"x\"]}", "{\"abcdefghijklmno\":\"x\"}", 0},
    {"{\"abcdefghijklmnop\":{\"q\":[\"x\"]}}", "{\"abcdefghijklmnop.q\":\"x\"}", 1},
    {"{\"d\":{\"abcdefghijklmnopqrstuvwxyz\":[\"x\"]}}", "{\"d\":{\"abcdefghijklmnopqrstuvwxyz\":\"x\"}}", 1},
    {"{\"d\":{\"abcdefghijklmnopqrstuvwxyz\":[\"x\"]}}", "{\"d\":{\"abcdefghijklmnopqrstuvwxyZ\":\"x\"}}", 0},
    {"{\"d\":{\"abcdefghijklmnopqrstuvwxyz\":[\"x\"]}}", "{\"d\":{\"abcdefghijklmnopqrstuvwxy\\u007a\":\"x\"}}", 1},
    {"{\"d\":{\"k\":[\"x\"]}}", "{\"d\":{\"a\":\"y\",\"k\":\"x\"}}", 1},
    {"{\"d\":{\"k\":[\"x\"]}}", "{\"d\":[{\"k\":\"y\"},{\"k\":\"x\"}]}", 1},
    {"{\"d\":{\"e\":{\"k\":[\"x\"]}}}", "{\"d\":[{\"e\":[{\"k\":\"x\"}]}]}", 1},
    {"{\"\":[\"x\"]}", "{\"\":\"x\"}", 1},
    {"{\"\":{\"a\":[\"x\"]}}", "{\"\":{\"a\":\"x\"}}", 0},
    {"{\"\":{\"a\":[\"x\"]}}", "{\"a\":\"x\"}", 1},
    {"{\"a\":[\"x\"]}", "{\"\":{\"a\":\"x\"}}", 0},
    {"{\"\":[\"x\"],\"a\":[\"y\"]}", "{\"\":{\"a\":\"y\"}}", 0},
    {"{\"\":[\"x\"],\"b\":[\"y\"]}", "{\"\":{\"\":\"x\"},\"b\":\"y\"}", 1},
    {"{\"a\":{\"\":[\"x\"]}}", "{\"a\":{\"\":\"x\"}}", 1},
    {"{\"a\":{\"\":[\"x\"]}}", "{\"a.\":\"x\"}", 1},
    {"{\"a\":{\"\":{\"b\":[\"x\"]}}}", "{\"a\":{\"\":{\"b\":\"x\"}}}", 1},
    {"{\"a\":{\"\":{\"b\":[\"x\"]}}}", "{\"a..b\":\"x\"}", 1},
    {"{\".\":[\"x\"]}", "{\".\":\"x\"}", 1},
    {"{\".\":[\"x\"]}", "{\"\":{\"\":\"x\"}}", 0},
    {"{\"\xc3\xa9\":{\"\xc3\xbc\":[\"x\"]}}", "{\"\\u00e9.\\u00fc\":\"x\"}", 1},
    {"{\"\":[\"x\"],\"a\":[\"y\"]}", "{\"\":{\"a\":\"y\"},\"\":\"x\"}", 1},
    /* named numbers: the same value whichever way they are written */
    {"{\"n\":[150]}", "{\"n\":150}", 1},
    {"{\"n\":[150]}", "{\"n\":1.5e2}", 1},
    {"{\"n\":[150]}", "{\"n\":15E+1}", 1},
    {"{\"n\":[150]}", "{\"n\":1500e-1}", 1},
    {"{\"n\":[150]}", "{\"n\":0.00150e5}", 1},
    {"{\"n\":[150]}", "{\"n\":150.000000000000000001}", 1},
    {"{\"n\":[150]}", "{\"n\":150.0001}", 0},
    {"{\"n\":[0]}", "{\"n\":-0.0}", 1},
    {"{\"n\":[{\"numeric\":[\">\",0.1,\"<\",0.3]}]}", "{\"n\":2e-1}", 1},
    {"{\"n\":[{\"numeric\":[\">\",0.1,\"<\",0.3]}]}", "{\"n\":0.30000000000000001}", 0},
    {"{\"n\":[{\"numeric\":[\">\",1000]}]}", "{\"n\":1e300}", 1},
    {"{\"n\":[{\"numeric\":[\"<\",0]}]}", "{\"n\":-1e-300}", 1},
    {"{\"n\":[123456789.123]}", "{\"n\":123456789123e-3}", 1},
};

START_TEST(scan_cases) {
  const scase *c = &cases[_i];
  ck_assert_msg(try_match(c->pattern, c->event) == c->want, "case %d: %s against %s", _i,
                c->pattern, c->event);
}
END_TEST

/* Nesting: a skipped subtree counts toward the limit as a named one does;
 * one just inside the limit is passed over, strings and numbers inside. */
START_TEST(deep_skipped_subtrees) {
  enum { LIMIT = 1100 }; /* PM_MAX_DEPTH: the top object is level 1 */
  static char ev[2 * LIMIT + 64];
  for (int arrays = LIMIT - 2; arrays <= LIMIT; arrays++) {
    size_t n = (size_t)snprintf(ev, sizeof ev, "{\"s\":");
    memset(ev + n, '[', (size_t)arrays);
    n += (size_t)arrays;
    n += (size_t)snprintf(ev + n, sizeof ev - n, "\"\\\"]\",-1e2");
    memset(ev + n, ']', (size_t)arrays);
    n += (size_t)arrays;
    snprintf(ev + n, sizeof ev - n, ",\"k\":\"x\"}");
    ck_assert_int_eq(try_match("{\"k\":[\"x\"]}", ev), 1 + arrays <= LIMIT ? 1 : -1);
  }
}
END_TEST

/* Hundreds of paths, short and over 16 bytes, nested and dotted: the
 * table grows, and each event finds exactly its own pattern. */
START_TEST(many_paths) {
  enum { N = 600 };
  aev_pattern_set *set;
  ck_assert_int_eq(aev_pattern_set_new(AEV_PATTERN_EVENTBRIDGE, &set), AEV_OK);
  char p[256], e[256];
  for (int i = 0; i < N; i++) {
    const char *pad = i % 3 ? "" : "_a_segment_longer_than_sixteen";
    snprintf(p, sizeof p, "{\"d%d\":{\"k%d%s\":[%d]}}", i % 7, i, pad, i);
    ck_assert_int_eq(aev_pattern_set_add(set, (uint64_t)i, p, strlen(p)), AEV_OK);
  }
  for (int i = 0; i < N; i++) {
    const char *pad = i % 3 ? "" : "_a_segment_longer_than_sixteen";
    for (int dotted = 0; dotted < 2; dotted++) {
      if (dotted)
        snprintf(e, sizeof e, "{\"x\":1,\"d%d.k%d%s\":%d}", i % 7, i, pad, i);
      else
        snprintf(e, sizeof e, "{\"d%d\":{\"k%d%s\":%d,\"k%d\":%d}}", i % 7, i, pad, i, i + 1,
                 i);
      uint64_t *ids;
      size_t n;
      ck_assert_int_eq(aev_pattern_set_match(set, e, strlen(e), &ids, &n), AEV_OK);
      ck_assert_msg(n == 1 && ids[0] == (uint64_t)i, "%s: %zu ids", e, n);
      aev_free(ids);
    }
  }
  aev_pattern_set_free(set);
}
END_TEST

/* xorshift64: the same edits on every run. */
static uint64_t next_random(uint64_t *r) {
  *r ^= *r << 13;
  *r ^= *r >> 7;
  *r ^= *r << 17;
  return *r;
}

/* Seed text edited at one to three random places, each byte there replaced,
 * or one inserted or deleted, with bytes JSON's syntax turns on (and a few
 * it does not); its length. */
static size_t edit(uint64_t *r, const char *seed, char *out, size_t cap) {
  static const char bytes[] = "\"\\:,{}[] xk0\x01\x1f\tab";
  size_t n = strlen(seed);
  memcpy(out, seed, n);
  for (int k = 1 + (int)(next_random(r) % 3); k > 0; k--) {
    size_t at = next_random(r) % n;
    char c = bytes[next_random(r) % (sizeof bytes - 1)];
    int op = (int)(next_random(r) % 3);
    if (op == 0) {
      out[at] = c;
    } else if (op == 1 && n < cap) {
      memmove(out + at + 1, out + at, n - at);
      out[at] = c;
      n++;
    } else if (op == 2 && n > 2) {
      memmove(out + at, out + at + 1, n - at - 1);
      n--;
    }
  }
  return n;
}

/* Seeded edits of compact events: the scanner refuses exactly the texts
 * jansson refuses (or reads as other than an object), and of those it
 * takes, every top-level member jansson reads as a string matches a
 * pattern naming that value (keys with dots are left out: patterns join
 * them as nesting). Short values found with their keys, long ones, empty
 * ones, nested objects and arrays are all in the seeds. */
START_TEST(agrees_with_jansson) {
  static const char *const seeds[] = {
      "{\"version\":\"0\",\"k\":\"abcdefghijk\",\"a012\":\"v12\",\"state\":\"running\","
      "\"d\":{\"x\":\"y\",\"n\":12}}",
      "{\"k\":\"\",\"abcdefghijklm\":\"x\",\"q\":\"a\\\"b\",\"z\":[\"p\",\"q\"]}",
      "{\"source\":\"com.example.svc012\",\"detail-type\":\"Type 07\",\"a\":\"b\"}",
  };
  aev_pattern *any;
  ck_assert_int_eq(aev_pattern_compile("{\"zz\":[\"q\"]}", 12, &any), AEV_OK);
  uint64_t r = 0x2545f4914f6cdd1dULL;
  char text[256];
  for (int i = 0; i < 20000; i++) {
    size_t n = edit(&r, seeds[next_random(&r) % 3], text, sizeof text);
    char *copy = malloc(n); /* exact size: a read past the end shows under ASan */
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, text, n);
    json_error_t err;
    json_t *j = json_loadb(copy, n, JSON_ALLOW_NUL, &err);
    int m, rc = aev_pattern_matches(any, copy, n, &m);
    ck_assert_msg((rc == AEV_OK) == (j && json_is_object(j)), "jansson %s, ours %d: %.*s",
                  j ? "reads it" : "refuses it", rc, (int)n, copy);
    const char *key;
    json_t *v;
    json_object_foreach(j && json_is_object(j) ? j : NULL, key, v) {
      if (!json_is_string(v) || !*key || strchr(key, '.')) continue;
      json_t *pat = json_pack("{s:[O]}", key, v);
      char *pt = json_dumps(pat, JSON_COMPACT);
      aev_pattern *p;
      ck_assert_int_eq(aev_pattern_compile(pt, strlen(pt), &p), AEV_OK);
      ck_assert_int_eq(aev_pattern_matches(p, copy, n, &m), AEV_OK);
      ck_assert_msg(m, "%s does not match %.*s", pt, (int)n, copy);
      aev_pattern_free(p);
      free(pt);
      json_decref(pat);
    }
    json_decref(j);
    free(copy);
  }
  aev_pattern_free(any);
}
END_TEST

int main(void) {
  Suite *s = suite_create("pattern_scan");
  TCase *tc = tcase_create("scan");
  tcase_add_loop_test(tc, scan_cases, 0, (int)(sizeof cases / sizeof *cases));
  tcase_add_test(tc, deep_skipped_subtrees);
  tcase_add_test(tc, many_paths);
  tcase_add_test(tc, agrees_with_jansson);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}

/* lib/json: JSONPath as Step Functions evaluates it (dots, brackets, unions,
 * wildcards, slices, deep scan, filters, length()), AWS's "No results"
 * cause, ResultPath writes, payload templates with ".$" keys, the context
 * object and variables, and every intrinsic function with AWS's examples
 * and quirks. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "json/json.h"

static json_t *doc(const char *text) {
  json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
  ck_assert_ptr_nonnull(v);
  return v;
}

/* Evaluates path on input and compares with want (JSON text), or expects a
 * failure when want is NULL. */
static void path_is(const char *input, const char *path, const char *want) {
  json_t *in = doc(input);
  aev__jenv env = {.input = in};
  json_t *got = aev__jpath_eval_text(path, &env);
  if (!want) {
    ck_assert_ptr_null(got);
  } else {
    ck_assert_msg(got != NULL, "%s: %s", path, env.cause);
    json_t *w = doc(want);
    char *t = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
    ck_assert_msg(json_equal(got, w), "%s gave %s, want %s", path, t, want);
    free(t);
    json_decref(w);
  }
  json_decref(got);
  json_decref(in);
}

static const char *STORE =
    "{\"store\":{\"book\":[{\"category\":\"reference\",\"author\":\"Nigel Rees\",\"price\":8.95},"
    "{\"category\":\"fiction\",\"author\":\"Evelyn Waugh\",\"price\":12.99},"
    "{\"category\":\"fiction\",\"author\":\"Herman Melville\",\"isbn\":\"0-553-21311-3\",\"price\":8.99}],"
    "\"bicycle\":{\"color\":\"red\",\"price\":19.95}},\"n\":[1,2,3,4,5]}";

START_TEST(definite_paths) {
  path_is(STORE, "$", STORE);
  path_is(STORE, "$.store.bicycle.color", "\"red\"");
  path_is(STORE, "$['store']['bicycle']['price']", "19.95");
  path_is(STORE, "$.store.book[1].author", "\"Evelyn Waugh\"");
  path_is(STORE, "$.n[-1]", "5");
  path_is(STORE, "$.n.length()", "5");
  path_is(STORE, "$.store.missing", NULL);
  path_is(STORE, "$.n[9]", NULL);
}
END_TEST

START_TEST(indefinite_paths) {
  path_is(STORE, "$.store.book[*].author", "[\"Nigel Rees\",\"Evelyn Waugh\",\"Herman Melville\"]");
  path_is(STORE, "$..price", "[8.95,12.99,8.99,19.95]");
  path_is(STORE, "$.n[1:3]", "[2,3]");
  path_is(STORE, "$.n[-2:]", "[4,5]");
  path_is(STORE, "$.n[:2]", "[1,2]");
  path_is(STORE, "$.n[0,4]", "[1,5]");
  path_is(STORE, "$.store.bicycle['color','price']", "[\"red\",19.95]");
  path_is(STORE, "$.store.book[?(@.isbn)].author", "[\"Herman Melville\"]");
  path_is(STORE, "$.store.book[?(@.price < 10)].price", "[8.95,8.99]");
  path_is(STORE, "$.store.book[?(@.category == 'fiction' && @.price > 10)].author",
          "[\"Evelyn Waugh\"]");
  path_is(STORE, "$.store.book[?(@.price > 12 || @.author == \"Nigel Rees\")].price", "[8.95,12.99]");
  path_is(STORE, "$.store.book[?(@.nothing == 1)]", "[]");
}
END_TEST

START_TEST(no_results_cause) {
  json_t *in = doc("{\"a\":{}}");
  aev__jenv env = {.input = in};
  ck_assert_ptr_null(aev__jpath_eval_text("$.NoSuchInputPath", &env));
  ck_assert_str_eq(env.error, "States.Runtime");
  ck_assert_str_eq(env.cause,
                   "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']");
  ck_assert_ptr_null(aev__jpath_eval_text("$.a.b[0]", &env));
  ck_assert_str_eq(env.cause, "Invalid path '$.a.b[0]' : No results for path: $['a']['b'][0]");
  json_decref(in);
}
END_TEST

START_TEST(escaped_names) {
  /* AWS keeps a backslash inside a quoted name unless it escapes the quote. */
  path_is("{\"Test\\\\\\\"\\\"Name\\\"\":\"v\"}", "$['Test\\\"\"Name\"']", "\"v\"");
  path_is("{\"it's\":1}", "$['it\\'s']", "1");
}
END_TEST

START_TEST(bad_paths) {
  static const char *const bad[] = {"", "a.b", "$.", "$.a[", "$.a[?(@.x == 1]", "$[1:2", "$.a b"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    aev__jpath *p = NULL;
    char err[256];
    ck_assert_msg(aev__jpath_compile(bad[i], &p, err, sizeof err) == AEV_ERR_INVALID, "%s compiled", bad[i]);
    ck_assert_ptr_null(p);
  }
}
END_TEST

/* Writes s at at, times times over; returns where it stopped. */
static char *repeat(char *at, const char *s, size_t times) {
  size_t n = strlen(s);
  for (size_t i = 0; i < times; i++, at += n) memcpy(at, s, n);
  return at;
}

/* "$.n[?(" + open n times + core + close n times + ")]". */
static char *filter_path(const char *open, size_t n, const char *core, const char *close) {
  char *p = malloc(16 + n * (strlen(open) + strlen(close)) + strlen(core));
  if (!p) abort();
  char *at = repeat(repeat(repeat(repeat(p, "$.n[?(", 1), open, n), core, 1), close, n);
  *repeat(at, ")]", 1) = 0;
  return p;
}

/* Compiling path fails with a message that begins with want. */
static void refused(const char *path, const char *want) {
  aev__jpath *jp = NULL;
  char err[256] = "";
  ck_assert_int_eq(aev__jpath_compile(path, &jp, err, sizeof err), AEV_ERR_INVALID);
  ck_assert_ptr_null(jp);
  ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "message: %s", err);
}

START_TEST(filter_nesting) {
  /* Parentheses, ! and filters inside filters' paths nest 64 deep (the
   * filter itself counts one); one level more is refused with a message,
   * where the parser used to recurse until the stack ran out. */
  static const struct {
    const char *open;
    size_t deepest; /* opens that still fit */
    const char *core, *close, *want;
  } kinds[] = {
      {"(", 63, "@ > 2", ")", "[3,4,5]"},
      {"!", 62, "(@ > 2)", "", "[3,4,5]"}, /* "(" is one level more */
      {"@[?(", 63, "@", ")]", "[]"},       /* a number has no members */
  };
  for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
    char *p = filter_path(kinds[i].open, kinds[i].deepest, kinds[i].core, kinds[i].close);
    path_is(STORE, p, kinds[i].want);
    free(p);
    p = filter_path(kinds[i].open, kinds[i].deepest + 1, kinds[i].core, kinds[i].close);
    refused(p, "Filter nests too deeply: at most 64 levels");
    free(p);
  }
}
END_TEST

START_TEST(long_filter_chains) {
  /* A || or && chain is one node over its terms: 200,000 of them are
   * tested and freed without recursing once a term (as a tree of pairs,
   * they overflowed the stack). */
  char *p = filter_path("@ == 0 || ", 200000, "@ == 4", "");
  path_is(STORE, p, "[4]");
  free(p);
  p = filter_path("@ > 0 && ", 200000, "@ < 3", "");
  path_is(STORE, p, "[1,2]");
  free(p);
  p = filter_path("@ < 2 || @ > 0 && ", 3, "@ > 4", "");
  path_is(STORE, p, "[1,5]"); /* && binds tighter than || */
  free(p);
}
END_TEST

START_TEST(context_and_variables) {
  json_t *in = doc("{}"), *ctx = doc("{\"Execution\":{\"Id\":\"arn:x\"}}"), *vars = doc("{\"x\":{\"y\":[7]}}");
  aev__jenv env = {.input = in, .context = ctx, .vars = vars};
  json_t *v = aev__jpath_eval_text("$$.Execution.Id", &env);
  ck_assert_str_eq(json_string_value(v), "arn:x");
  json_decref(v);
  v = aev__jpath_eval_text("$x.y[0]", &env);
  ck_assert_int_eq(json_integer_value(v), 7);
  json_decref(v);
  ck_assert_ptr_null(aev__jpath_eval_text("$nope", &env));
  ck_assert_str_eq(env.error, "States.Runtime");
  json_decref(vars);
  /* A variable name longer than the normal text's first buffer (64 bytes)
   * once compiled as out of memory. */
  char name[81], path[96], value[112];
  memset(name, 'r', 80);
  name[80] = 0;
  snprintf(path, sizeof path, "$%s.Cause", name);
  snprintf(value, sizeof value, "{\"%s\":{\"Cause\":\"why\"}}", name);
  env.vars = vars = doc(value);
  env.error = NULL;
  v = aev__jpath_eval_text(path, &env);
  ck_assert_str_eq(json_string_value(v), "why");
  json_decref(v);
  json_decref(in);
  json_decref(ctx);
  json_decref(vars);
}
END_TEST

static json_t *put(const char *input, const char *path, const char *value, aev__jenv *env) {
  aev__jpath *p;
  char err[256];
  ck_assert_int_eq(aev__jpath_compile(path, &p, err, sizeof err), 0);
  json_t *in = doc(input);
  char *before = json_dumps(in, JSON_COMPACT | JSON_ENCODE_ANY);
  json_t *out = aev__jpath_put(p, in, doc(value), env);
  char *after = json_dumps(in, JSON_COMPACT | JSON_ENCODE_ANY);
  ck_assert_str_eq(before, after); /* the input is never modified */
  free(before);
  free(after);
  json_decref(in);
  aev__jpath_free(p);
  return out;
}

START_TEST(result_path_put) {
  aev__jenv env = {0};
  json_t *out = put("{\"a\":1}", "$.r.s", "{\"k\":2}", &env);
  char *t = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
  ck_assert_str_eq(t, "{\"a\":1,\"r\":{\"s\":{\"k\":2}}}");
  free(t);
  json_decref(out);
  out = put("{\"a\":[1,2]}", "$.a[1]", "9", &env);
  t = json_dumps(out, JSON_COMPACT);
  ck_assert_str_eq(t, "{\"a\":[1,9]}");
  free(t);
  json_decref(out);
  ck_assert_ptr_null(put("\"text\"", "$.r", "1", &env));
  ck_assert_str_eq(env.error, "States.ResultPathMatchFailure");
  aev__jpath *p;
  char err[256];
  ck_assert_int_eq(aev__jpath_compile("$.a[*]", &p, err, sizeof err), 0);
  ck_assert_int_eq(aev__jpath_is_reference(p), 0);
  aev__jpath_free(p);
}
END_TEST

/* Evaluates template (JSON text) against input in *env. */
static json_t *eval_tmpl(const char *input, const char *tmpl, aev__jenv *env) {
  json_t *in = doc(input), *t = doc(tmpl);
  aev__tmpl *c = NULL;
  char err[512];
  ck_assert_msg(aev__tmpl_compile(t, &c, err, sizeof err) == 0, "%s: %s", tmpl, err);
  *env = (aev__jenv){.input = in};
  json_t *got = aev__tmpl_eval(c, env);
  aev__tmpl_free(c);
  json_decref(t);
  json_decref(in);
  return got;
}

/* Evaluates template against input; want NULL expects failure with error. */
static void tmpl_is(const char *input, const char *tmpl, const char *want, const char *error) {
  aev__jenv env;
  json_t *got = eval_tmpl(input, tmpl, &env);
  if (want) {
    ck_assert_msg(got != NULL, "%s: %s", tmpl, env.cause);
    json_t *w = doc(want);
    char *g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
    ck_assert_msg(json_equal(got, w), "%s gave %s, want %s", tmpl, g, want);
    free(g);
    json_decref(w);
  } else {
    ck_assert_ptr_null(got);
    ck_assert_str_eq(env.error, error);
  }
  json_decref(got);
}

#define FN(expr, want) tmpl_is(IN, "{\"r.$\":\"" expr "\"}", "{\"r\":" want "}", NULL)
#define FN_FAILS(expr) tmpl_is(IN, "{\"r.$\":\"" expr "\"}", NULL, "States.IntrinsicFailure")
static const char *IN =
    "{\"name\":\"World\",\"arr\":[1,2,3,4,5],\"dup\":[1,2,2,3,3,4],\"o1\":{\"a\":1,\"b\":2},"
    "\"o2\":{\"b\":3,\"c\":4},\"s\":\"Hello World\",\"json\":\"{\\\"k\\\":[1]}\"}";

START_TEST(templates) {
  tmpl_is(IN, "{\"lit\":\"x\",\"p.$\":\"$.name\",\"nested\":{\"q.$\":\"$.arr[0]\"},\"list\":[{\"z.$\":\"$.o1.a\"}]}",
          "{\"lit\":\"x\",\"p\":\"World\",\"nested\":{\"q\":1},\"list\":[{\"z\":1}]}", NULL);
  tmpl_is(IN, "{\"p.$\":\"$.missing\"}", NULL, "States.Runtime");
  json_t *bad = doc("{\"p.$\":5}");
  aev__tmpl *c = NULL;
  char err[512];
  ck_assert_int_eq(aev__tmpl_compile(bad, &c, err, sizeof err), AEV_ERR_INVALID);
  json_decref(bad);
  /* An invalid path inside an array element: what the elements before it
   * compiled is freed (LeakSanitizer fails this otherwise; found by
   * fuzz_jsonpath). */
  bad = doc("{\"b\":[{\"x.$\":\"$.a\"},{\"p.$\":22}]}");
  ck_assert_int_eq(aev__tmpl_compile(bad, &c, err, sizeof err), AEV_ERR_INVALID);
  ck_assert_ptr_null(c);
  json_decref(bad);
}
END_TEST

/* template against input, its result's text exactly as wanted: member
 * order included. */
static void tmpl_text_is(const char *input, const char *tmpl, const char *want) {
  aev__jenv env;
  json_t *got = eval_tmpl(input, tmpl, &env);
  ck_assert_msg(got != NULL, "%s: %s", tmpl, env.cause);
  char *g = json_dumps(got, JSON_COMPACT);
  ck_assert_str_eq(g, want);
  free(g);
  json_decref(got);
}

/* AWS answers a template's plain fields first, in the template's order,
 * then its ".$" fields in java.util.HashMap's order; States.JsonMerge too
 * answers in that order. The first three are recorded against AWS
 * (LocalStack's test_map_state_item_selector, test_map_state_legacy_reentrant
 * and test_json_merge_escaped_argument); the rest follow Java's rules: a
 * 13th key doubles the table, and String.hashCode counts UTF-16 units. */
START_TEST(member_order_as_aws) {
  tmpl_text_is("{\"a\":1}",
               "{\"original_input.$\":\"$.a\",\"iteration_input_value.$\":\"$.a\",\"iteration_index.$\":\"$.a\","
               "\"from_input_constant.$\":\"$.a\",\"constant_value\":\"HelloWorld\"}",
               "{\"constant_value\":\"HelloWorld\",\"iteration_input_value\":1,\"from_input_constant\":1,"
               "\"iteration_index\":1,\"original_input\":1}");
  tmpl_text_is("{\"Iterations\":3,\"Values\":[0]}",
               "{\"Iterations.$\":\"States.MathAdd($.Iterations, -1)\",\"Values.$\":\"$.Values\"}",
               "{\"Values\":[0],\"Iterations\":2}");
  tmpl_text_is("{\"f\":{\"constant_input_field\":\"v\"}}",
               "{\"m.$\":\"States.JsonMerge(States.StringToJson('{\\\"constant_in_literal\\\": \\\"false\\\"}'), $.f, "
               "false)\"}",
               "{\"m\":{\"constant_input_field\":\"v\",\"constant_in_literal\":\"false\"}}");
  tmpl_text_is("{}",
               "{\"k00.$\":\"$\",\"k01.$\":\"$\",\"k02.$\":\"$\",\"k03.$\":\"$\",\"k04.$\":\"$\",\"k05.$\":\"$\","
               "\"k06.$\":\"$\",\"k07.$\":\"$\",\"k08.$\":\"$\",\"k09.$\":\"$\",\"k10.$\":\"$\",\"k11.$\":\"$\"}",
               "{\"k06\":{},\"k05\":{},\"k08\":{},\"k07\":{},\"k09\":{},\"k00\":{},\"k11\":{},\"k10\":{},\"k02\":{},"
               "\"k01\":{},\"k04\":{},\"k03\":{}}");
  tmpl_text_is("{}",
               "{\"k00.$\":\"$\",\"k01.$\":\"$\",\"k02.$\":\"$\",\"k03.$\":\"$\",\"k04.$\":\"$\",\"k05.$\":\"$\","
               "\"k06.$\":\"$\",\"k07.$\":\"$\",\"k08.$\":\"$\",\"k09.$\":\"$\",\"k10.$\":\"$\",\"k11.$\":\"$\","
               "\"k12.$\":\"$\"}",
               "{\"k00\":{},\"k11\":{},\"k10\":{},\"k02\":{},\"k01\":{},\"k12\":{},\"k04\":{},\"k03\":{},\"k06\":{},"
               "\"k05\":{},\"k08\":{},\"k07\":{},\"k09\":{}}");
  tmpl_text_is("{}", "{\"\\u00e9.$\":\"$\",\"\\ud83d\\ude00.$\":\"$\",\"a.$\":\"$\",\"zz.$\":\"$\"}",
               "{\"zz\":{},\"a\":{},\"\xf0\x9f\x98\x80\":{},\"\xc3\xa9\":{}}");
  /* A nested object with ".$" fields is a plain field of its parent. */
  tmpl_text_is("{\"a\":1}", "{\"y.$\":\"$.a\",\"x\":{\"q.$\":\"$.a\",\"p\":0},\"w\":2}",
               "{\"x\":{\"p\":0,\"q\":1},\"w\":2,\"y\":1}");
}
END_TEST

/* Hash and Base64 take up to 10,000 characters, not bytes: 10,000 'é' are
 * 20,000 bytes and pass; one more character fails. */
START_TEST(intrinsics_count_characters) {
  enum { N = 10000 };
  char *e = malloc(2 * N + 1), *in = malloc(4 * N + 64), *want = malloc(3 * N), *p = e;
  for (int i = 0; i < N; i++) p += sprintf(p, "\xc3\xa9");
  sprintf(in, "{\"s\":\"%s\",\"t\":\"%s\xc3\xa9\"}", e, e);
  tmpl_is(in, "{\"r.$\":\"States.Hash($.s, 'MD5')\"}", "{\"r\":\"a82f170e91ae6e5d8db1f456dcc5bca0\"}", NULL);
  tmpl_is(in, "{\"r.$\":\"States.Hash($.t, 'MD5')\"}", NULL, "States.IntrinsicFailure");
  /* three 'é' are six bytes, eight base64 characters */
  p = want + sprintf(want, "{\"r\":\"");
  for (int i = 0; i < N / 3; i++) p += sprintf(p, "w6nDqcOp");
  strcpy(p, "w6k=\"}");
  tmpl_is(in, "{\"r.$\":\"States.Base64Encode($.s)\"}", want, NULL);
  tmpl_is(in, "{\"r.$\":\"States.Base64Encode($.t)\"}", NULL, "States.IntrinsicFailure");
  free(want);
  free(in);
  free(e);
}
END_TEST

START_TEST(intrinsics_strings_and_json) {
  FN("States.Format('Hello, {}!', $.name)", "\"Hello, World!\"");
  FN("States.Format('{} and {}', $.arr[0], $.o1)", "\"1 and {\\\"a\\\":1,\\\"b\\\":2}\"");
  FN("States.Format('literal \\\\{\\\\} {}', 'x')", "\"literal {} x\"");
  FN_FAILS("States.Format('{} {}', 'one')");
  FN("States.StringToJson($.json)", "{\"k\":[1]}");
  FN("States.JsonToString($.o1)", "\"{\\\"a\\\":1,\\\"b\\\":2}\"");
  FN("States.StringSplit('1,2,3,4,5', ',')", "[\"1\",\"2\",\"3\",\"4\",\"5\"]");
  /* AWS: the delimiter is a set of characters; empty tokens are dropped. */
  FN("States.StringSplit('This.is+a,test=string', '.+,=')", "[\"This\",\"is\",\"a\",\"test\",\"string\"]");
  FN("States.StringSplit(',,,,', ',')", "[]");
  /* ... characters, not bytes: \xc3\xa9 is one character, and ã shares its
   * first byte. Splitting on bytes cut ã apart (malformed UTF-8). */
  FN("States.StringSplit('a\xc3\xa9" "b\xc3\xa3\xc3\xa9" "c', '\xc3\xa9')",
     "[\"a\",\"b\xc3\xa3\",\"c\"]");
  FN("States.StringSplit('x\xf0\x9f\x98\x80y-z', '-\xf0\x9f\x98\x80')", "[\"x\",\"y\",\"z\"]");
  FN("States.Base64Encode('Data to encode')", "\"RGF0YSB0byBlbmNvZGU=\"");
  FN("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", "\"Data to encode\"");
  FN_FAILS("States.Base64Decode('***')");
  FN("States.Hash('input data', 'MD5')", "\"812f45842bc6d66ee14572ce20db8e86\"");
  FN("States.Hash('input data', 'SHA-1')", "\"aaff4a450a104cd177d28d18d74485e8cae074b7\"");
  FN("States.Hash('abc', 'SHA-256')", "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"");
  FN("States.Hash('abc', 'SHA-384')",
     "\"cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7\"");
  FN("States.Hash('abc', 'SHA-512')",
     "\"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f\"");
  FN_FAILS("States.Hash('abc', 'CRC32')");
  FN("States.JsonMerge($.o1, $.o2, false)", "{\"a\":1,\"b\":3,\"c\":4}");
  FN_FAILS("States.JsonMerge($.o1, $.o2, true)");
  FN("States.JsonMerge(States.StringToJson('{\\\"x\\\": 1}'), $.o1, false)", "{\"x\":1,\"a\":1,\"b\":2}");
}
END_TEST

START_TEST(intrinsics_arrays_and_math) {
  FN("States.Array('Foo', 2020, $.o1, null)", "[\"Foo\",2020,{\"a\":1,\"b\":2},null]");
  FN("States.Array()", "[]");
  FN("States.ArrayPartition($.arr, 2)", "[[1,2],[3,4],[5]]");
  FN_FAILS("States.ArrayPartition($.arr, 0)");
  FN("States.ArrayContains($.arr, 3)", "true");
  FN("States.ArrayContains($.arr, 9)", "false");
  FN("States.ArrayRange(1, 9, 2)", "[1,3,5,7,9]");
  FN("States.ArrayRange(5, 1, -2)", "[5,3,1]");
  FN_FAILS("States.ArrayRange(1, 2000, 1)");
  FN_FAILS("States.ArrayRange(1, 5, 0)");
  FN("States.ArrayGetItem($.arr, 2)", "3");
  FN_FAILS("States.ArrayGetItem($.arr, 5)");
  FN("States.ArrayLength($.arr)", "5");
  FN("States.ArrayUnique($.dup)", "[1,2,3,4]");
  FN("States.MathAdd(111, -1)", "110");
  /* AWS rounds each argument half up, as Java's Math.round does. */
  FN("States.MathAdd(1.49, 1.5)", "3");
  FN("States.MathAdd(-1.5, -2.5)", "-3");
  FN_FAILS("States.MathAdd('a', 1)");
  FN("States.MathRandom(5, 6)", "5");
  FN("States.MathRandom(1, 2, 1234)", "1");
  FN("States.Array(States.ArrayLength(States.ArrayRange(1, 3, 1)))", "[3]");
}
END_TEST

START_TEST(intrinsic_uuid_and_syntax) {
  json_t *in = doc("{}"), *t = doc("{\"u.$\":\"States.UUID()\"}");
  aev__tmpl *c;
  char err[512];
  ck_assert_int_eq(aev__tmpl_compile(t, &c, err, sizeof err), 0);
  aev__jenv env = {.input = in};
  json_t *v = aev__tmpl_eval(c, &env);
  const char *u = json_string_value(json_object_get(v, "u"));
  ck_assert_uint_eq(strlen(u), 36);
  ck_assert_int_eq(u[14], '4');
  json_decref(v);
  aev__tmpl_free(c);
  static const char *const bad[] = {"States.Nope(1)", "States.Format('x'", "States.ArrayLength()",
                                    "States.UUID(1)", "States.Array(1 2)", "States.Format('unterminated)"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    aev__intrinsic *f = NULL;
    ck_assert_msg(aev__intrinsic_compile(bad[i], &f, err, sizeof err) == AEV_ERR_INVALID, "%s compiled", bad[i]);
  }
  json_decref(t);
  json_decref(in);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("jsonpath");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, definite_paths);
  tcase_add_test(tc, indefinite_paths);
  tcase_add_test(tc, no_results_cause);
  tcase_add_test(tc, escaped_names);
  tcase_add_test(tc, bad_paths);
  tcase_add_test(tc, filter_nesting);
  tcase_add_test(tc, long_filter_chains);
  tcase_add_test(tc, context_and_variables);
  tcase_add_test(tc, result_path_put);
  tcase_add_test(tc, templates);
  tcase_add_test(tc, member_order_as_aws);
  tcase_add_test(tc, intrinsics_strings_and_json);
  tcase_add_test(tc, intrinsics_count_characters);
  tcase_add_test(tc, intrinsics_arrays_and_math);
  tcase_add_test(tc, intrinsic_uuid_and_syntax);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }

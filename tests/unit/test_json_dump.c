/* core/json_dump: compact JSON text as jansson writes it, except that a
 * real is the shortest text that reads back as the same double. */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "core/json_dump.h"

static void real_is(double d, const char *want) {
  json_t *v = json_real(d);
  char *got = aev__json_dumps(v, JSON_ENCODE_ANY);
  ck_assert_msg(got && !strcmp(got, want), "%.17g: %s, not %s", d, got ? got : "(null)", want);
  free(got);
  json_decref(v);
}

/* AWS's services write 1.6, where jansson wrote 1.6000000000000001. */
START_TEST(reals_are_shortest) {
  real_is(1.6, "1.6");
  real_is(0.1, "0.1");
  real_is(0.1 + 0.2, "0.30000000000000004");
  real_is(-2.5, "-2.5");
  real_is(100.0, "100.0");
  real_is(-0.0, "-0.0");
  real_is(1e21, "1e21");
  real_is(1.5e-7, "1.5e-7");
  real_is(-1e-300, "-1e-300");
  real_is(1.7976931348623157e308, "1.7976931348623157e308");
  real_is(1704067200.5, "1704067200.5");
  real_is(123456789.123, "123456789.123");
  real_is(4277834443099750.0, "4277834443099750.0");
  real_is(1e16, "10000000000000000.0");
  real_is(1e17, "1e17");
  real_is(5e-324, "5e-324");
  real_is(-2.5e-320, "-2.5e-320");
}
END_TEST

/* Every double reads back as itself, in text no longer than jansson's. */
START_TEST(reals_read_back_whole) {
  uint64_t x = 0x9e3779b97f4a7c15ULL;
  for (int i = 0; i < 20000; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    double d;
    memcpy(&d, &x, sizeof d);
    if (!isfinite(d)) continue;
    json_t *v = json_real(d);
    char *ours = aev__json_dumps(v, JSON_ENCODE_ANY);
    char *theirs = json_dumps(v, JSON_ENCODE_ANY);
    json_t *back = json_loads(ours, JSON_DECODE_ANY, NULL);
    ck_assert_msg(back && json_real_value(back) == d, "%.17g became %s", d, ours);
    ck_assert_uint_le(strlen(ours), strlen(theirs));
    json_decref(back);
    free(ours);
    free(theirs);
    json_decref(v);
  }
}
END_TEST

/* All but reals come out byte for byte as jansson's compact text. */
START_TEST(the_rest_as_jansson_writes_it) {
  const char *text =
      "{\"s\":\"q\\\" b\\\\ \\b\\f\\n\\r\\t \\u0001\\u001f \\u007f / \\u00e9\\u6f22\\ud83d\\ude00\","
      "\"n\":[0,-1,9223372036854775807,-9223372036854775808],\"o\":{\"z\":true,\"a\":false,"
      "\"m\":null,\"e\":{},\"l\":[]},\"k\":\"v\\u0000w\",\"deep\":[[[[{\"x\":[1]}]]]]}";
  json_t *v = json_loads(text, JSON_ALLOW_NUL, NULL);
  ck_assert_ptr_nonnull(v);
  size_t flags[] = {0, JSON_SORT_KEYS, JSON_ENCODE_ANY};
  for (size_t i = 0; i < sizeof flags / sizeof *flags; i++) {
    char *ours = aev__json_dumps(v, flags[i]);
    char *theirs = json_dumps(v, JSON_COMPACT | flags[i]);
    ck_assert_str_eq(ours, theirs);
    free(ours);
    free(theirs);
  }
  json_t *s = json_string("top");
  ck_assert_ptr_null(aev__json_dumps(s, 0)); /* as json_dumps: not without JSON_ENCODE_ANY */
  char *any = aev__json_dumps(s, JSON_ENCODE_ANY);
  ck_assert_str_eq(any, "\"top\"");
  free(any);
  json_decref(s);
  json_decref(v);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("json_dump");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, reals_are_shortest);
  tcase_add_test(tc, reals_read_back_whole);
  tcase_add_test(tc, the_rest_as_jansson_writes_it);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }

/* The seeded generator, bounded draws, UUIDv4 and token formatting. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "aevtest.h"

START_TEST(seed_zero_known_answer) {
  /* splitmix64(0) expands to e220a8397b1dcdaf 6e789e6aa1b965f4 ...; the
   * xoshiro256** outputs were computed from the reference algorithm. */
  aev__rng r;
  aev__rng_seed(&r, 0);
  ck_assert_uint_eq(r.s[0], 0xe220a8397b1dcdafu);
  ck_assert_uint_eq(r.s[3], 0xf88bb8a8724c81ecu);
  ck_assert_uint_eq(aev__rng_next(&r), 0x99ec5f36cb75f2b4u);
  ck_assert_uint_eq(aev__rng_next(&r), 0xbf6e1f784956452au);
  ck_assert_uint_eq(aev__rng_next(&r), 0x1a5f849d4933e6e0u);
  ck_assert_uint_eq(aev__rng_next(&r), 0x6aa594f1262d2d2cu);
}
END_TEST

START_TEST(same_seed_same_sequence) {
  aev__rng a, b;
  aev__rng_seed(&a, 42);
  aev__rng_seed(&b, 42);
  for (int i = 0; i < 1000; i++)
    ck_assert_uint_eq(aev__rng_next(&a), aev__rng_next(&b));
  char ua[AEV_UUID_LEN + 1], ub[AEV_UUID_LEN + 1], ta[33], tb[33];
  aev__uuid4(&a, ua);
  aev__uuid4(&b, ub);
  aev__token(&a, ta, 32);
  aev__token(&b, tb, 32);
  ck_assert_str_eq(ua, ub);
  ck_assert_str_eq(ta, tb);
}
END_TEST

START_TEST(different_seeds_differ) {
  aev__rng a, b;
  aev__rng_seed(&a, 1);
  aev__rng_seed(&b, 2);
  int same = 0;
  for (int i = 0; i < 1000; i++) same += aev__rng_next(&a) == aev__rng_next(&b);
  ck_assert_int_eq(same, 0);
}
END_TEST

START_TEST(os_seeds_differ) {
  ck_assert_uint_ne(aev__rng_os_seed(), aev__rng_os_seed());
}
END_TEST

static int is_lower_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int hex_value(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

START_TEST(uuid_format) {
  aev__rng r;
  aev__rng_seed(&r, 7);
  /* How often each hex digit shows at each position: random positions must
   * see all 16, the version nibble only 4, the variant nibble only 8..b. */
  int seen[AEV_UUID_LEN][16];
  memset(seen, 0, sizeof seen);
  for (int n = 0; n < 10000; n++) {
    char u[AEV_UUID_LEN + 2];
    u[AEV_UUID_LEN + 1] = '#';
    aev__uuid4(&r, u);
    ck_assert_uint_eq(strlen(u), AEV_UUID_LEN);
    ck_assert_int_eq(u[AEV_UUID_LEN + 1], '#');
    for (int i = 0; i < AEV_UUID_LEN; i++) {
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        ck_assert_int_eq(u[i], '-');
        continue;
      }
      ck_assert_msg(is_lower_hex(u[i]), "%s: bad char at %d", u, i);
      seen[i][hex_value(u[i])]++;
    }
    ck_assert_int_eq(u[14], '4');
    ck_assert_msg(strchr("89ab", u[19]) != NULL, "%s: bad variant", u);
  }
  for (int i = 0; i < AEV_UUID_LEN; i++) {
    if (i == 8 || i == 13 || i == 18 || i == 23) continue;
    int distinct = 0;
    for (int v = 0; v < 16; v++) distinct += seen[i][v] > 0;
    ck_assert_int_eq(distinct, (i == 14 ? 1 : i == 19 ? 4 : 16));
  }
}
END_TEST

static int cmp_uuid(const void *a, const void *b) {
  return memcmp(a, b, AEV_UUID_LEN);
}

START_TEST(uuids_do_not_repeat) {
  enum { N = 100000 };
  char(*u)[AEV_UUID_LEN + 1] = malloc(N * sizeof *u);
  ck_assert_ptr_nonnull(u);
  aev__rng r;
  aev__rng_seed(&r, aev__rng_os_seed());
  for (int i = 0; i < N; i++) aev__uuid4(&r, u[i]);
  qsort(u, N, sizeof *u, cmp_uuid);
  /* One assertion, not one per pair: in fork mode every Check assertion
   * writes to a pipe, which made this test slow enough to time out. */
  int repeats = 0;
  for (int i = 1; i < N; i++) repeats += strcmp(u[i - 1], u[i]) == 0;
  ck_assert_int_eq(repeats, 0);
  free(u);
}
END_TEST

START_TEST(token_alphabet_and_length) {
  static const char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  aev__rng r;
  aev__rng_seed(&r, 99);
  int seen[256] = {0};
  const size_t lens[] = {0, 1, 9, 10, 11, 20, 64, 101};
  for (int round = 0; round < 200; round++)
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
      char t[128];
      memset(t, '#', sizeof t);
      aev__token(&r, t, lens[k]);
      ck_assert_uint_eq(strlen(t), lens[k]);
      ck_assert_int_eq(t[lens[k] + 1], '#');
      for (size_t i = 0; i < lens[k]; i++) {
        ck_assert_msg(strchr(alphabet, t[i]) != NULL, "bad char %c", t[i]);
        seen[(unsigned char)t[i]]++;
      }
    }
  for (const char *c = alphabet; *c; c++)
    ck_assert_msg(seen[(unsigned char)*c] > 0, "never drew %c", *c);
}
END_TEST

START_TEST(bounded_draws_in_range) {
  aev__rng r;
  aev__rng_seed(&r, 5);
  for (int i = 0; i < 1000; i++) ck_assert_uint_eq(aev__rng_below(&r, 1), 0);
  /* Every value of a small range comes up, roughly equally often (a fixed
   * seed makes this deterministic, not flaky). */
  int count[6] = {0};
  for (int i = 0; i < 60000; i++) {
    uint64_t v = aev__rng_below(&r, 6);
    ck_assert_uint_lt(v, 6);
    count[v]++;
  }
  for (int v = 0; v < 6; v++) {
    ck_assert_int_gt(count[v], 9500);
    ck_assert_int_lt(count[v], 10500);
  }
  /* bound = 3 * 2^62: a plain x % bound would land below 2^62 half the
   * time (two preimages each); unbiased draws do so a third of the time. */
  const uint64_t big = 3ull << 62;
  int low = 0;
  for (int i = 0; i < 10000; i++) {
    uint64_t v = aev__rng_below(&r, big);
    ck_assert_uint_lt(v, big);
    low += v < (1ull << 62);
  }
  ck_assert_int_gt(low, 3000);
  ck_assert_int_lt(low, 3700);
  for (int i = 0; i < 1000; i++)
    ck_assert_uint_lt(aev__rng_below(&r, UINT64_MAX), UINT64_MAX);
}
END_TEST

int main(void) {
  Suite *s = suite_create("ids");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, seed_zero_known_answer);
  tcase_add_test(tc, same_seed_same_sequence);
  tcase_add_test(tc, different_seeds_differ);
  tcase_add_test(tc, os_seeds_differ);
  tcase_add_test(tc, uuid_format);
  tcase_add_test(tc, uuids_do_not_repeat);
  tcase_add_test(tc, token_alphabet_and_length);
  tcase_add_test(tc, bounded_draws_in_range);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}

/* MD5 and SHA-256: RFC 1321 and FIPS 180-2 vectors, padding boundaries, and
 * incremental updates split anywhere giving the one-shot result. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "aevtest.h"

static const struct {
  const char *in, *md5;
} rfc1321[] = {
    {"", "d41d8cd98f00b204e9800998ecf8427e"},
    {"a", "0cc175b9c0f1b6a831c399e269772661"},
    {"abc", "900150983cd24fb0d6963f7d28e17f72"},
    {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
    {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
    {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
     "d174ab98d277d9f5a5611c2c9f419d9f"},
    {"1234567890123456789012345678901234567890123456789012345678901234567890"
     "1234567890",
     "57edf4a22be3c955ac49da2e2107b67a"},
};

START_TEST(md5_rfc1321_suite) {
  for (size_t i = 0; i < sizeof rfc1321 / sizeof rfc1321[0]; i++) {
    char hex[33];
    aev__md5_hex(rfc1321[i].in, strlen(rfc1321[i].in), hex);
    ck_assert_str_eq(hex, rfc1321[i].md5);
  }
}
END_TEST

START_TEST(sha256_fips_vectors) {
  char hex[65];
  aev__sha256_hex("abc", 3, hex);
  ck_assert_str_eq(
      hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  aev__sha256_hex("", 0, hex);
  ck_assert_str_eq(
      hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  ck_assert_uint_eq(strlen(m448) * 8, 448);
  aev__sha256_hex(m448, strlen(m448), hex);
  ck_assert_str_eq(
      hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

START_TEST(sha256_million_a) {
  /* Fed in uneven pieces, as FIPS 180-2 appendix B.3 does not prescribe. */
  static char chunk[997];
  memset(chunk, 'a', sizeof chunk);
  aev__sha256 c;
  aev__sha256_init(&c);
  size_t left = 1000000;
  while (left) {
    size_t n = left < sizeof chunk ? left : sizeof chunk;
    aev__sha256_update(&c, chunk, n);
    left -= n;
  }
  uint8_t d[32];
  char hex[65];
  aev__sha256_final(&c, d);
  aev__hex(d, sizeof d, hex);
  ck_assert_str_eq(
      hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

  char *million = malloc(1000000);
  ck_assert_ptr_nonnull(million);
  memset(million, 'a', 1000000);
  aev__sha256_hex(million, 1000000, hex);
  free(million);
  ck_assert_str_eq(
      hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

/* n 'a's around the lengths where padding spills into another block
 * (expected values from Python's hashlib). */
static const struct {
  size_t n;
  const char *md5, *sha256;
} padding[] = {
    {55, "ef1772b6dff9a122358552954ad0df65",
     "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
    {56, "3b0c8ac703f828b04c6c197006d17218",
     "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
    {57, "652b906d60af96844ebd21b674f35e93",
     "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6"},
    {63, "b06521f39153d618550606be297466d5",
     "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
    {64, "014842d480b571495a4a0363793f7367",
     "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
    {65, "c743a45e0d2e6a95cb859adae0248435",
     "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
    {119, "8a7bd0732ed6a28ce75f6dabc90e1613",
     "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
    {120, "5f61c0ccad4cac44c75ff505e1f1e537",
     "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
    {127, "020406e1d05cdc2aa287641f7ae2cc39",
     "c57e9278af78fa3cab38667bef4ce29d783787a2f731d4e12200270f0c32320a"},
    {128, "e510683b3f5ffe4093d021808bc6ff70",
     "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e"},
    {129, "b325dc1c6f5e7a2b7cf465b9feab7948",
     "c12cb024a2e5551cca0e08fce8f1c5e314555cc3fef6329ee994a3db752166ae"},
};

START_TEST(padding_boundaries) {
  char as[129], md5[33], sha[65], once[33];
  uint8_t d[16];
  memset(as, 'a', sizeof as);
  for (size_t i = 0; i < sizeof padding / sizeof padding[0]; i++) {
    aev__md5_hex(as, padding[i].n, md5);
    aev__sha256_hex(as, padding[i].n, sha);
    aev__md5_once(as, padding[i].n, d);
    aev__hex(d, sizeof d, once);
    ck_assert_str_eq(md5, padding[i].md5);
    ck_assert_str_eq(sha, padding[i].sha256);
    ck_assert_str_eq(once, padding[i].md5);
  }
}
END_TEST

/* The one-shot's single-block path (under 56 bytes) against the
 * incremental one, at every length either side of it, and empty. */
START_TEST(md5_once_equals_incremental) {
  uint8_t m[130], d[16], want[16];
  for (size_t i = 0; i < sizeof m; i++) m[i] = (uint8_t)(i * 131 + 7);
  for (size_t n = 0; n <= sizeof m; n++) {
    aev__md5 c;
    aev__md5_init(&c);
    aev__md5_update(&c, m, n);
    aev__md5_final(&c, want);
    aev__md5_once(n ? m : NULL, n, d);
    ck_assert_mem_eq(d, want, sizeof d);
  }
}
END_TEST

#define SPLIT_LEN 200

static void md5_pieces(const uint8_t *m, size_t i, size_t j, char hex[33]) {
  aev__md5 c;
  uint8_t d[16];
  aev__md5_init(&c);
  aev__md5_update(&c, m, i);
  aev__md5_update(&c, m + i, j - i);
  aev__md5_update(&c, m + j, SPLIT_LEN - j);
  aev__md5_final(&c, d);
  aev__hex(d, sizeof d, hex);
}

static void sha256_pieces(const uint8_t *m, size_t i, size_t j, char hex[65]) {
  aev__sha256 c;
  uint8_t d[32];
  aev__sha256_init(&c);
  aev__sha256_update(&c, m, i);
  aev__sha256_update(&c, m + i, j - i);
  aev__sha256_update(&c, m + j, SPLIT_LEN - j);
  aev__sha256_final(&c, d);
  aev__hex(d, sizeof d, hex);
}

START_TEST(incremental_equals_one_shot) {
  uint8_t m[SPLIT_LEN];
  for (size_t i = 0; i < sizeof m; i++) m[i] = (uint8_t)(i * 131 + 7);
  char md5_whole[33], sha_whole[65], md5[33], sha[65];
  aev__md5_hex(m, sizeof m, md5_whole);
  aev__sha256_hex(m, sizeof m, sha_whole);
  /* Three pieces split at every pair of offsets: covers pieces that end
   * before, on and after each 64-byte block boundary, and empty pieces. */
  for (size_t i = 0; i <= SPLIT_LEN; i++)
    for (size_t j = i; j <= SPLIT_LEN; j++) {
      md5_pieces(m, i, j, md5);
      sha256_pieces(m, i, j, sha);
      ck_assert_str_eq(md5, md5_whole);
      ck_assert_str_eq(sha, sha_whole);
    }
}
END_TEST

START_TEST(byte_at_a_time_and_null_empty_update) {
  const char *msg = rfc1321[6].in;
  aev__md5 c;
  aev__md5_init(&c);
  aev__md5_update(&c, NULL, 0);
  for (size_t i = 0; msg[i]; i++) aev__md5_update(&c, msg + i, 1);
  uint8_t d[16];
  char hex[33];
  aev__md5_final(&c, d);
  aev__hex(d, sizeof d, hex);
  ck_assert_str_eq(hex, rfc1321[6].md5);
}
END_TEST

static void md5_incremental(const uint8_t *m, size_t n, uint8_t out[16]) {
  aev__md5 c;
  aev__md5_init(&c);
  aev__md5_update(&c, m, n);
  aev__md5_final(&c, out);
}

enum { MANY_MAX = 80 };

/* aev__md5_many over n (<= MANY_MAX) messages gives each one's MD5, in
 * the caller's order. */
static void assert_many_each(size_t n, const void *const *msgs,
                             const size_t *lens) {
  uint8_t d[MANY_MAX][16], want[16];
  memset(d, 0, sizeof d);
  aev__md5_many(n, msgs, lens, d);
  for (size_t i = 0; i < n; i++) {
    md5_incremental(msgs[i], lens[i], want);
    ck_assert_mem_eq(d[i], want, sizeof want);
  }
}

/* Many messages at once, of one and two blocks, and counts that leave
 * lanes unused, against one at a time. */
START_TEST(md5_many_equals_one_at_a_time) {
  enum { N = 75 };
  uint8_t m[N + 126];
  const void *msgs[N];
  size_t lens[N];
  for (size_t i = 0; i < sizeof m; i++) m[i] = (uint8_t)(i * 37 + 11);
  for (size_t i = 0; i < N; i++) {
    lens[i] = i % 9 == 4 ? 56 + i % 70 : (i * 7) % 56;
    msgs[i] = m + i;
  }
  for (size_t n = 0; n <= N; n += n < 20 ? 1 : 11)
    assert_many_each(n, msgs, lens);
}
END_TEST

/* Every length from 0 to 300 (one to six blocks, each padding case), eight
 * distinct messages of it at a time so all lanes run, against the
 * incremental MD5. */
START_TEST(md5_many_every_length) {
  uint8_t m[300 + 8];
  for (size_t i = 0; i < sizeof m; i++) m[i] = (uint8_t)(i * 131 + 7);
  for (size_t n = 0; n <= 300; n++) {
    const void *msgs[8];
    size_t lens[8];
    for (size_t i = 0; i < 8; i++) msgs[i] = m + i, lens[i] = n;
    assert_many_each(8, msgs, lens);
  }
}
END_TEST

/* Batches of 1 to 17 of mixed lengths (lanes that end at different
 * blocks, part-filled runs, messages too long for the lanes), in the
 * caller's order. */
START_TEST(md5_many_mixed_batches) {
  enum { MAX = 17, LONG = 2000 };
  static uint8_t m[LONG + MAX];
  for (size_t i = 0; i < sizeof m; i++) m[i] = (uint8_t)(i * 37 + 11);
  uint32_t seed = 12345;
  for (size_t round = 0; round < 50; round++)
    for (size_t n = 1; n <= MAX; n++) {
      const void *msgs[MAX];
      size_t lens[MAX];
      for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        lens[i] = (seed >> 8) % 8 == 0 ? LONG - (seed >> 16) % 1200
                                      : (seed >> 16) % 301;
        msgs[i] = m + i;
      }
      assert_many_each(n, msgs, lens);
    }
}
END_TEST

START_TEST(hex_is_lower_case_and_terminated) {
  const uint8_t bytes[] = {0x00, 0x0f, 0xa0, 0xff, 0x5c};
  char out[11];
  memset(out, 'X', sizeof out);
  aev__hex(bytes, sizeof bytes, out);
  ck_assert_str_eq(out, "000fa0ff5c");
  aev__hex(bytes, 0, out);
  ck_assert_str_eq(out, "");
}
END_TEST

int main(void) {
  Suite *s = suite_create("digest");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, md5_rfc1321_suite);
  tcase_add_test(tc, sha256_fips_vectors);
  tcase_add_test(tc, sha256_million_a);
  tcase_add_test(tc, padding_boundaries);
  tcase_add_test(tc, md5_once_equals_incremental);
  tcase_add_test(tc, md5_many_equals_one_at_a_time);
  tcase_add_test(tc, md5_many_every_length);
  tcase_add_test(tc, md5_many_mixed_batches);
  tcase_add_test(tc, incremental_equals_one_shot);
  tcase_add_test(tc, byte_at_a_time_and_null_empty_update);
  tcase_add_test(tc, hex_is_lower_case_and_terminated);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}

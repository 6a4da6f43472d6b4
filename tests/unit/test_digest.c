/* MD5, SHA-1, SHA-256 and SHA-384/512: RFC 1321 and FIPS 180 vectors,
 * padding boundaries, incremental updates split anywhere giving the
 * one-shot result, and the algorithms by the names Step Functions gives
 * them. */
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

/* Hex of the digest by algorithm name (aev__digest_by_name()). */
static void hex_by_name(const char *alg, const void *data, size_t n, char *hex) {
  uint8_t d[64];
  size_t len = aev__digest_by_name(alg, data, n, d);
  ck_assert_uint_gt(len, 0);
  aev__hex(d, len, hex);
}

START_TEST(md5_rfc1321_suite) {
  for (size_t i = 0; i < sizeof rfc1321 / sizeof rfc1321[0]; i++) {
    char hex[33];
    hex_by_name("MD5", rfc1321[i].in, strlen(rfc1321[i].in), hex);
    ck_assert_str_eq(hex, rfc1321[i].md5);
  }
}
END_TEST

static const char m448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

START_TEST(sha256_fips_vectors) {
  char hex[65];
  aev__sha256_hex("abc", 3, hex);
  ck_assert_str_eq(
      hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  aev__sha256_hex("", 0, hex);
  ck_assert_str_eq(
      hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
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
    hex_by_name("MD5", as, padding[i].n, md5);
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
  hex_by_name("MD5", m, sizeof m, md5_whole);
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

static const char m896[] =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopq"
    "rsmnopqrstnopqrstu";

static const struct {
  const char *alg, *in, *hex;
} fips180[] = {
    {"SHA-1", "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
    {"SHA-1", "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    {"SHA-1", m448, "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
    {"SHA-256", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"SHA-384", "abc",
     "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c8"
     "25a7"},
    {"SHA-384", "",
     "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898"
     "b95b"},
    {"SHA-384", m896,
     "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa9174"
     "6039"},
    {"SHA-512", "abc",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3fe"
     "ebbd454d4423643ce80e2a9ac94fa54ca49f"},
    {"SHA-512", "",
     "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877e"
     "ec2f63b931bd47417a81a538327af927da3e"},
    {"SHA-512", m896,
     "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5"
     "433ac7d329eeb6dd26545e96e55b874be909"},
};

START_TEST(sha_fips180_vectors_by_name) {
  for (size_t i = 0; i < sizeof fips180 / sizeof fips180[0]; i++) {
    char hex[129];
    hex_by_name(fips180[i].alg, fips180[i].in, strlen(fips180[i].in), hex);
    ck_assert_str_eq(hex, fips180[i].hex);
  }
}
END_TEST

/* Where the padding and the length field (8 bytes for SHA-1, 16 for
 * SHA-512) spill into one more block. */
START_TEST(sha1_sha512_padding_boundaries) {
  static const struct {
    size_t n;
    const char *sha1, *sha512_head;
  } cases[] = {
      {55, "c1c8bbdc22796e28c0e15163d20899b65621d65a", "b0220c772cbf6c1822e2cb38a437d0e1"},
      {56, "c2db330f6083854c99d4b5bfb6e8f29f201be699", "962b64aae357d2a4fee3ded8b539bdc9"},
      {64, "0098ba824b5c16427bd7a1122a5a442a25ec644d", "01d35c10c6c38c2dcf48f7eebb3235fb"},
      {111, "ac877859d427d9192054eea8feb3b8a403ef83a5", "fa9121c7b32b9e01733d034cfc78cbf6"},
      {112, "689993727ba37386bb032495e9dbdfb4dd1ba744", "c01d080efd492776a1c43bd23dd99d0a"},
      {128, "ad5b3fdbcb526778c2839d2f151ea753995e26a0", "b73d1929aa615934e61a871596b3f3b3"},
      {129, "d96debf1bdcbc896e6c134ea76e8141f40d78536", "4f681e0bd53cda4b5a2041cc8a06f2ea"},
  };
  char as[129], hex[129];
  memset(as, 'a', sizeof as);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    hex_by_name("SHA-1", as, cases[i].n, hex);
    ck_assert_str_eq(hex, cases[i].sha1);
    hex_by_name("SHA-512", as, cases[i].n, hex);
    ck_assert_int_eq(strncmp(hex, cases[i].sha512_head, 32), 0);
  }
}
END_TEST

START_TEST(unknown_algorithm_names) {
  uint8_t d[64];
  ck_assert_uint_eq(aev__digest_by_name("SHA-224", "abc", 3, d), 0);
  ck_assert_uint_eq(aev__digest_by_name("sha-1", "abc", 3, d), 0);
  ck_assert_uint_eq(aev__digest_by_name("", "abc", 3, d), 0);
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
  tcase_add_test(tc, sha_fips180_vectors_by_name);
  tcase_add_test(tc, sha1_sha512_padding_boundaries);
  tcase_add_test(tc, unknown_algorithm_names);
  tcase_add_test(tc, hex_is_lower_case_and_terminated);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}

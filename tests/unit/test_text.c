/* core/text: the text buffer and its JSON string literals, the UTF-8
 * decoder, and replacing an owned string. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "awsevents/common.h"
#include "core/text.h"

START_TEST(json_string_escapes_what_rfc8259_requires) {
  aev__tbuf b = {0};
  aev__tbuf_json_string(&b, "a\"b\\c\nd\re\tf\x01g/\xc3\xa9");
  size_t len;
  char *s = aev__tbuf_take(&b, &len);
  ck_assert_str_eq(s, "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g/\xc3\xa9\"");
  ck_assert_uint_eq(len, strlen(s));
  free(s);
}
END_TEST

START_TEST(puts_grow_the_buffer_and_take_hands_it_over) {
  aev__tbuf b = {0};
  aev__tbuf_reserve(&b, 4);
  for (int i = 0; i < 1000; i++) aev__tbuf_puts(&b, "xy");
  size_t len;
  char *s = aev__tbuf_take(&b, &len);
  ck_assert_uint_eq(len, 2000);
  ck_assert_uint_eq(strlen(s), 2000);
  ck_assert_ptr_null(b.p);
  free(s);
  aev__tbuf empty = {0};
  ck_assert_ptr_null(aev__tbuf_take(&empty, &len));
}
END_TEST

START_TEST(utf8_next_accepts_well_formed_and_rejects_the_rest) {
  uint32_t cp;
  ck_assert_uint_eq(aev__utf8_next((const unsigned char *)"A", 1, &cp), 1);
  ck_assert_uint_eq(cp, 'A');
  ck_assert_uint_eq(aev__utf8_next((const unsigned char *)"\xc3\xa9", 2, &cp), 2);
  ck_assert_uint_eq(cp, 0xE9);
  ck_assert_uint_eq(aev__utf8_next((const unsigned char *)"\xe2\x82\xac", 3, &cp), 3);
  ck_assert_uint_eq(cp, 0x20AC);
  ck_assert_uint_eq(aev__utf8_next((const unsigned char *)"\xf0\x9f\x98\x80", 4, &cp), 4);
  ck_assert_uint_eq(cp, 0x1F600);
  static const char *const bad[] = {
      "\x80",             /* a continuation byte first */
      "\xc3",             /* cut short */
      "\xc0\xaf",         /* overlong '/' */
      "\xe0\x80\xaf",     /* overlong, three bytes */
      "\xed\xa0\x80",     /* a surrogate, U+D800 */
      "\xf4\x90\x80\x80", /* past U+10FFFF */
      "\xc3\x28",         /* not a continuation */
      "\xff",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_uint_eq(aev__utf8_next((const unsigned char *)bad[i], strlen(bad[i]), &cp), 0);
}
END_TEST

/* Whole text, wherever a character or a bad byte falls against the eight
 * bytes read at a time: at every offset of a long ASCII run. */
START_TEST(utf8_valid_at_every_offset) {
  char s[64];
  for (size_t at = 0; at + 4 <= sizeof s; at++) {
    memset(s, 'a', sizeof s);
    memcpy(s + at, "\xf0\x9f\x98\x80", 4);
    ck_assert_msg(aev__utf8_valid(s, sizeof s), "emoji at %zu", at);
    ck_assert_msg(!aev__utf8_valid(s, at + 3), "emoji cut at %zu", at);
    s[at] = (char)0xff;
    ck_assert_msg(!aev__utf8_valid(s, sizeof s), "0xff at %zu", at);
    memset(s, 'a', sizeof s);
    s[at + 2] = (char)0x80;
    ck_assert_msg(!aev__utf8_valid(s, sizeof s), "lone continuation at %zu", at + 2);
  }
  ck_assert(aev__utf8_valid("", 0));
  ck_assert(aev__utf8_valid("a\0b", 3));
}
END_TEST

START_TEST(replace_str_copies_replaces_and_clears) {
  char *slot = NULL;
  char value[] = "first";
  ck_assert_int_eq(aev__replace_str(&slot, value), AEV_OK);
  ck_assert_ptr_ne(slot, value);
  value[0] = 'F';
  ck_assert_str_eq(slot, "first");
  ck_assert_int_eq(aev__replace_str(&slot, "second"), AEV_OK);
  ck_assert_str_eq(slot, "second");
  ck_assert_int_eq(aev__replace_str(&slot, NULL), AEV_OK);
  ck_assert_ptr_null(slot);
}
END_TEST

int main(void) {
  Suite *s = suite_create("text");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, json_string_escapes_what_rfc8259_requires);
  tcase_add_test(tc, puts_grow_the_buffer_and_take_hands_it_over);
  tcase_add_test(tc, utf8_next_accepts_well_formed_and_rejects_the_rest);
  tcase_add_test(tc, replace_str_copies_replaces_and_clears);
  tcase_add_test(tc, utf8_valid_at_every_offset);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}

/* Tag sets (tags.h). */
#include "core/tags.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/common.h"
#include "core/text.h"

int aev__tag_fits(const char *key, const json_t *value) {
  size_t k = aev__utf8_chars(key, strlen(key));
  return k >= 1 && k <= AEV__TAG_KEY_MAX && json_is_string(value) &&
         aev__utf8_chars(json_string_value(value), json_string_length(value)) <=
             AEV__TAG_VALUE_MAX;
}

/* Code points beyond ASCII that are not letters (\p{L}), digits (\p{N})
 * or separators (\p{Z}), as closed ranges in order. */
static const uint32_t not_word[][2] = {
    {0x80, 0x9F},       {0xA1, 0xA9},       {0xAB, 0xB1},     {0xB4, 0xB4},
    {0xB6, 0xB8},       {0xBB, 0xBB},       {0xBF, 0xBF},     {0xD7, 0xD7},
    {0xF7, 0xF7},       {0x300, 0x36F},     {0x200B, 0x2027}, {0x202A, 0x202E},
    {0x2030, 0x205E},   {0x2060, 0x206F},   {0x20A0, 0x20FF}, {0x2190, 0x245F},
    {0x249C, 0x24E9},   {0x2500, 0x2775},   {0x2794, 0x2BFF}, {0x3001, 0x3004},
    {0x3008, 0x3020},   {0x3030, 0x3030},   {0x303D, 0x303F}, {0xE000, 0xF8FF},
    {0xFE00, 0xFE1F},   {0xFE30, 0xFE4F},   {0xFF01, 0xFF0F}, {0xFF1A, 0xFF20},
    {0xFF3B, 0xFF40},   {0xFF5B, 0xFF65},   {0xFFF0, 0xFFFF}, {0x1F000, 0x1FAFF},
    {0xE0000, 0xE007F}, {0xF0000, 0x10FFFF},
};

static int word_char(uint32_t cp, const char *symbols) {
  if (cp < 0x80)
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
           (cp >= '0' && cp <= '9') || cp == ' ' ||
           (cp && strchr(symbols, (int)cp) != NULL);
  for (size_t i = 0; i < sizeof not_word / sizeof *not_word; i++)
    if (cp >= not_word[i][0] && cp <= not_word[i][1]) return 0;
  return 1;
}

int aev__tag_chars_ok(const char *text, size_t len, const char *symbols) {
  uint32_t cp;
  for (size_t i = 0, k; i < len; i += k)
    if (!(k = aev__utf8_next((const unsigned char *)text + i, len - i, &cp)) ||
        !word_char(cp, symbols))
      return 0;
  return 1;
}

int aev__tags_merged(const json_t *have, const json_t *add, size_t max, json_t **out) {
  json_t *merged = have ? json_copy((json_t *)have) : json_object();
  if (!merged || json_object_update(merged, (json_t *)add)) {
    json_decref(merged);
    return AEV_ERR_NOMEM;
  }
  if (json_object_size(merged) > max) {
    json_decref(merged);
    return AEV_ERR_LIMIT;
  }
  *out = merged;
  return AEV_OK;
}

static int by_key(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *aev__tags_page(const json_t *tags, const char *exclusive, size_t limit) {
  size_t n = json_object_size(tags), i = 0, from = 0;
  const char **keys = malloc((n ? n : 1) * sizeof *keys);
  if (!keys) return NULL;
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)tags, k, v) keys[i++] = k;
  qsort(keys, n, sizeof *keys, by_key);
  while (exclusive && from < n && strcmp(keys[from], exclusive) <= 0) from++;
  json_t *list = json_array();
  int whole = list != NULL;
  for (i = from; whole && i < n && i < from + limit; i++)
    whole = !json_array_append_new(list, json_pack("{s:s, s:O}", "Key", keys[i], "Value",
                                                   json_object_get(tags, keys[i])));
  free(keys);
  return whole ? json_pack("{s:o, s:b}", "Tags", list, "HasMoreTags", i < n)
               : (json_decref(list), NULL);
}

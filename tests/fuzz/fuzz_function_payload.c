/* libFuzzer target for the Invoke payload syntax check (lib/core/
 * jsoncheck.c): any bytes; text jansson parses (with fewer brackets than
 * the check's nesting bound, and no NUL byte, where jansson stops reading)
 * must be accepted too. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "function/function_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int ours = aev__json_valid(data, size);
  size_t brackets = 0;
  for (size_t i = 0; i < size; i++) brackets += data[i] == '[' || data[i] == '{';
  json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
  if (j && brackets < 512 && !memchr(data, 0, size) && !ours) abort();
  json_decref(j);
  return 0;
}

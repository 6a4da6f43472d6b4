/* jansson 2.14's parser never reports json_error_out_of_memory: a failed
 * allocation returns NULL with no error set, or with a syntax error such
 * as "invalid token". So when jansson fails on a text, a checker that
 * allocates nothing decides: a text that is well-formed JSON failed for
 * want of memory, unless jansson named a fault of the text itself that the
 * checker does not look for (duplicate keys, numbers out of range, ...). */
#include <string.h>

#include "core/json_parse.h"
#include "core/status.h"

/* A text jansson would parse but for memory: one JSON value, an array or
 * object unless flags take any value. */
static int well_formed(const char *text, size_t len, size_t flags) {
  size_t i = 0;
  while (i < len && strchr(" \t\n\r", text[i]) && text[i]) i++;
  if (!(flags & JSON_DECODE_ANY) && (i == len || (text[i] != '{' && text[i] != '[')))
    return 0;
  return aev__json_valid_as_jansson(text, len);
}

/* Faults jansson finds in well-formed JSON, which the checker leaves to it. */
static int fault_of_text(enum json_error_code code) {
  return code == json_error_duplicate_key || code == json_error_null_character ||
         code == json_error_null_byte_in_key || code == json_error_numeric_overflow;
}

int aev__json_parse(const char *text, size_t len, size_t flags, json_t **out,
                    json_error_t *err) {
  json_error_t local;
  if (!err) err = &local;
  memset(err, 0, sizeof *err); /* jansson leaves the code unset on some failures */
  *out = text ? json_loadb(text, len, flags, err) : NULL;
  if (*out) return AEV_OK;
  if (!text) return AEV_ERR_INVALID;
  enum json_error_code code = json_error_code(err);
  if (code == json_error_out_of_memory ||
      (well_formed(text, len, flags) && !fault_of_text(code)))
    return aev__nomem();
  return AEV_ERR_INVALID;
}

int aev__json_parse_str(const char *text, size_t flags, json_t **out) {
  return aev__json_parse(text, text ? strlen(text) : 0, flags, out, NULL);
}

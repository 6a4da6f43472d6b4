/* Step Functions parses JSON text with Jackson, and its refusals quote
 * Jackson's description of the first syntax error (LocalStack's recorded
 * test_invalid_start_execution_input and
 * test_validate_state_machine_definition_not_a_definition). jansson's own
 * wording differs, so the two errors users meet most often are described
 * here in Jackson's words: a bare word where a value starts, and an object
 * whose member name is not a double-quoted string. */
#include <stdio.h>
#include <string.h>

#include "machine_int.h"

static int blank_char(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
}

static size_t skip_blank(const char *t, size_t len, size_t i) {
  while (i < len && blank_char(t[i])) i++;
  return i;
}

int aev__json_blank(const char *text, size_t len) { return skip_blank(text, len, 0) == len; }

/* Jackson's line and column of offset end (both from 1). */
static void position(const char *t, size_t end, int *line, int *column) {
  size_t start = 0;
  *line = 1;
  for (size_t i = 0; i < end; i++)
    if (t[i] == '\n') {
      (*line)++;
      start = i + 1;
    }
  *column = (int)(end - start) + 1;
}

int aev__json_syntax_error(const char *text, size_t len, char *msg, size_t cap, int *line, int *column) {
  size_t i = skip_blank(text, len, 0);
  if (i < len && ((text[i] >= 'a' && text[i] <= 'z') || (text[i] >= 'A' && text[i] <= 'Z'))) {
    size_t end = i;
    while (end < len && word_char(text[end])) end++;
    /* A literal followed by more text is another error. */
    static const char *const literals[] = {"true", "false", "null"};
    for (size_t k = 0; k < 3; k++)
      if (end - i == strlen(literals[k]) && !memcmp(text + i, literals[k], end - i)) return 0;
    snprintf(msg, cap,
             "Unrecognized token '%.*s': was expecting (JSON String, Number, Array, Object or token "
             "'null', 'true' or 'false')",
             (int)(end - i), text + i);
    position(text, end, line, column);
    return 1;
  }
  if (i < len && text[i] == '{') {
    i = skip_blank(text, len, i + 1);
    /* Only printable ASCII: Jackson describes other characters otherwise. */
    if (i < len && text[i] != '"' && text[i] != '}' && text[i] >= 0x20 && text[i] < 0x7f) {
      snprintf(msg, cap, "Unexpected character ('%c' (code %d)): was expecting double-quote to start field name",
               text[i], text[i]);
      position(text, i + 1, line, column);
      return 1;
    }
  }
  return 0;
}

/* Jackson quotes at most 500 characters of the text it read. */
#define SOURCE_MAX 500

void aev__json_syntax_source(const char *text, size_t len, int line, int column, char *out, size_t cap) {
  size_t shown = len > SOURCE_MAX ? SOURCE_MAX : len;
  char cut[48] = "";
  if (len > shown) snprintf(cut, sizeof cut, "[truncated %zu chars]", len - shown);
  snprintf(out, cap, "[Source: (String)\"%.*s\"%s; line: %d, column: %d]", (int)shown, text, cut, line, column);
}

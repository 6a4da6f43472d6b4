/* Compact JSON text of jansson values, written by us rather than by
 * jansson's dumper for two reasons:
 * - jansson writes every real with 17 significant digits, so 1.6 comes
 *   out as 1.6000000000000001 and 0.1 as 0.10000000000000001, where AWS's
 *   services (and every JSON library they use) write the shortest text
 *   that reads back as the same number;
 * - jansson 2.14 does not always pass a failed write on (see json_dump.h).
 * Everything else is written as jansson writes it: its escapes, integers,
 * members in insertion order. The text buffer comes from jansson's
 * allocator, as json_dumps()'s own text does. */
#include "core/json_dump.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/number.h"

typedef struct writer {
  json_dump_callback_t out;
  void *data;
  size_t flags;
} writer;

static int put(const writer *w, const char *s, size_t n) { return n ? w->out(s, n, w->data) : 0; }

/* jansson's escapes: \" \\ \b \f \n \r \t, other control characters as
 * \u00XX; everything else, UTF-8 included, as it is. */
static int put_string(const writer *w, const char *s, size_t n) {
  static const char hex[] = "0123456789ABCDEF";
  size_t from = 0;
  if (put(w, "\"", 1)) return -1;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    char esc[7] = {'\\', (char)c, 0};
    size_t len = 2;
    switch (c) {
      case '"': case '\\': break;
      case '\b': esc[1] = 'b'; break;
      case '\f': esc[1] = 'f'; break;
      case '\n': esc[1] = 'n'; break;
      case '\r': esc[1] = 'r'; break;
      case '\t': esc[1] = 't'; break;
      default:
        memcpy(esc + 1, "u00", 3);
        esc[4] = hex[c >> 4];
        esc[5] = hex[c & 15];
        len = 6;
    }
    if (put(w, s + from, i - from) || put(w, esc, len)) return -1;
    from = i + 1;
  }
  return put(w, s + from, n - from) || put(w, "\"", 1) ? -1 : 0;
}

/* The shortest of 15, 16 and 17 significant digits that reads back as d
 * (15 always do for the decimals people write; a subnormal, which holds
 * fewer, tries from one: 5e-324), written as jansson writes a real: in
 * full up to an exponent of 16 (4277834443099750.0, which fewer digits
 * would write as 4.27783444309975e15), ".0" added to a whole number, and
 * an exponent without '+' or leading zeros (1e21, 1e-7). */
static size_t real_text(double d, char out[32]) {
  for (int digits = fabs(d) < DBL_MIN ? 1 : 15; digits <= 17; digits++) {
    aev__snprintf_c(out, 32, "%.*g", digits, d);
    if (aev__strtod(out, NULL) == d) break;
  }
  char *e = strchr(out, 'e');
  /* A whole number (its digits read back as d) written in full. */
  if (e && e[1] == '+' && atoi(e + 2) < 17) {
    aev__snprintf_c(out, 32, "%.0f", d);
    e = NULL;
  }
  if (e) {
    char *to = e + 1 + (e[1] == '-'), *from = to + (*to == '+');
    while (*from == '0') from++;
    memmove(to, from, strlen(from) + 1);
  } else if (!strchr(out, '.')) {
    strcat(out, ".0");
  }
  return strlen(out);
}

static int put_value(const writer *w, const json_t *v);

static int cmp_keys(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int put_member(const writer *w, const char *k, const json_t *m, int first) {
  return (!first && put(w, ",", 1)) || put_string(w, k, strlen(k)) || put(w, ":", 1) ||
                 put_value(w, m)
             ? -1
             : 0;
}

/* JSON_SORT_KEYS: the members in the byte order of their keys. */
static int put_sorted(const writer *w, const json_t *o, size_t n) {
  json_malloc_t alloc;
  json_free_t release;
  json_get_alloc_funcs(&alloc, &release);
  const char **keys = alloc(n * sizeof *keys);
  if (!keys) return -1;
  size_t i = 0;
  const char *k;
  json_t *m;
  json_object_foreach((json_t *)o, k, m) keys[i++] = k;
  qsort(keys, n, sizeof *keys, cmp_keys);
  int rc = 0;
  for (i = 0; !rc && i < n; i++) rc = put_member(w, keys[i], json_object_get(o, keys[i]), i == 0);
  release(keys);
  return rc;
}

static int put_object(const writer *w, const json_t *o) {
  size_t n = json_object_size(o), i = 0;
  if (put(w, "{", 1)) return -1;
  if (n && (w->flags & JSON_SORT_KEYS)) {
    if (put_sorted(w, o, n)) return -1;
  } else {
    const char *k;
    json_t *m;
    json_object_foreach((json_t *)o, k, m) if (put_member(w, k, m, i++ == 0)) return -1;
  }
  return put(w, "}", 1);
}

static int put_value(const writer *w, const json_t *v) {
  char num[32];
  switch (json_typeof(v)) {
    case JSON_OBJECT: return put_object(w, v);
    case JSON_ARRAY: {
      if (put(w, "[", 1)) return -1;
      for (size_t i = 0; i < json_array_size(v); i++)
        if ((i && put(w, ",", 1)) || put_value(w, json_array_get(v, i))) return -1;
      return put(w, "]", 1);
    }
    case JSON_STRING: return put_string(w, json_string_value(v), json_string_length(v));
    case JSON_INTEGER: {
      int n = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
      return put(w, num, (size_t)n);
    }
    case JSON_REAL: return put(w, num, real_text(json_real_value(v), num));
    case JSON_TRUE: return put(w, "true", 4);
    case JSON_FALSE: return put(w, "false", 5);
    case JSON_NULL: return put(w, "null", 4);
  }
  return -1;
}

int aev__json_dump_callback(const json_t *json, json_dump_callback_t out, void *data,
                            size_t flags) {
  if (!json || (!(flags & JSON_ENCODE_ANY) && !json_is_object(json) && !json_is_array(json)))
    return -1;
  writer w = {out, data, flags};
  return put_value(&w, json);
}

typedef struct dump_buf {
  json_malloc_t alloc;
  json_free_t release;
  char *p;
  size_t n, cap;
} dump_buf;

static int append(const char *text, size_t len, void *data) {
  dump_buf *b = data;
  if (b->cap - b->n <= len) {
    size_t cap = b->cap ? b->cap : 64;
    while (cap - b->n <= len) cap *= 2;
    char *p = b->alloc(cap);
    if (!p) return -1;
    if (b->n) memcpy(p, b->p, b->n);
    b->release(b->p);
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, text, len);
  b->n += len;
  return 0;
}

char *aev__json_dumps(const json_t *json, size_t flags) {
  dump_buf b = {0};
  json_get_alloc_funcs(&b.alloc, &b.release);
  if (aev__json_dump_callback(json, append, &b, flags) || append("", 1, &b)) {
    b.release(b.p);
    return NULL;
  }
  return b.p;
}

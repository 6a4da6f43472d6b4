/* The event flattener: a streaming JSON scanner that turns an event into its
 * leaf fields (path id, value, enclosing array elements), skipping whole
 * subtrees that no pattern names, then groups the fields by path. Each key
 * is looked up under its object's node in the path table (paths.h), so a
 * path is never joined. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "awsevents/common.h"
#include "core/number.h"
#include "pattern/paths.h"
#include "pattern/pattern.h"
#include "pattern/pattern_int.h"
#include "pattern/pmap.h"

/* The scanner keeps its position in a register: each step takes p and
 * returns where it stopped, or NULL for text that is not valid JSON
 * (nomem tells an allocation failure apart).
 *
 * The text is first checked to end in '}' (then white space): that byte,
 * last, bounds every step but a string's scan, so they need no test of
 * the end. A step stops at a byte it did not take, or past bytes that are
 * not '}'; a string ends at a quote, which must lie before last. Only a
 * closing '}' can move p past last, and only the outermost object may. */
typedef struct scan {
  const char *end, *start, *last;
  pm_event *ev; /* NULL when only validating */
  const pm_paths *paths;
  uint32_t next_array;
  uint32_t *stack; /* (array id, index) pairs of the enclosing arrays */
  size_t ns, cs;
  int depth, max_depth, nomem;
  uint32_t stack_in[16];
} scan;

static int is_ws(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

/* Events are mostly compact: the first byte usually ends the white space. */
static inline const char *ws(const char *p) {
  if ((unsigned char)*p > ' ') return p;
  while (is_ws(*p)) p++;
  return p;
}

/* Past c, after white space if there is any; NULL when c is not next. */
static inline const char *eat(const char *p, char c) {
  if (*p == c) return p + 1;
  p = ws(p);
  return *p == c ? p + 1 : NULL;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Where the first byte of w (in memory order) that is '"', '\\' or a
 * control character lies, as the lowest set bit of the result (0: none).
 * Each test flags the first such byte exactly (borrows only run upwards),
 * so the lowest flag of the three is the first special byte. */
static uint64_t specials(uint64_t w) {
  const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
  return (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w)) & highs;
}

static int is_special(unsigned char c) { return c == '"' || c == '\\' || c < 0x20; }

#if defined(__SSE2__)
/* One bit per byte of w that is '"', '\\' or a control character. XOR
 * with 2 maps '"' (0x22) to 0x20 and the control characters onto
 * themselves, and nothing else to 0x20 or below: one unsigned compare
 * finds both. */
static inline unsigned special_bits(__m128i w) {
  const __m128i two = _mm_set1_epi8(2), top = _mm_set1_epi8(0x20),
                bslash = _mm_set1_epi8('\\');
  __m128i x = _mm_xor_si128(w, two);
  __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, top), x), _mm_cmpeq_epi8(w, bslash));
  return (unsigned)_mm_movemask_epi8(hit);
}
#endif

/* The first '"', '\\' or control character at or after p, or end. Events
 * are mostly short strings, so sixteen bytes (SSE2, on every x86-64) or
 * eight are tested at a time: scanning strings is most of flattening. */
static inline const char *next_special(const char *p, const char *end) {
#if defined(__SSE2__)
  while (end - p >= 16) {
    unsigned m = special_bits(_mm_loadu_si128((const __m128i *)(const void *)p));
    if (m) return p + __builtin_ctz(m);
    p += 16;
  }
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  while (end - p >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    uint64_t m = specials(w);
    if (m) return p + (__builtin_ctzll(m) >> 3);
    p += 8;
  }
#endif
  while (p < end && !is_special((unsigned char)*p)) p++;
  return p;
}

/* The rest of a string from p, its first special byte (or end): escapes,
 * which str_end() leaves to this out-of-line loop. Control characters
 * must be escaped (RFC 8259). Returns the closing quote or NULL. */
static const char *str_rest(const char *p, const char *end) {
  for (;;) {
    if (p >= end || (unsigned char)*p < 0x20) return NULL;
    if (*p == '"') return p;
    if (++p >= end) return NULL;
    char c = *p;
    if (c == 'u') {
      if (end - p < 5) return NULL;
      for (int i = 1; i <= 4; i++)
        if (hexval(p[i]) < 0) return NULL;
      p += 5;
    } else if (c && strchr("\"\\/bfnrt", c)) {
      p++;
    } else {
      return NULL;
    }
    p = next_special(p, end);
  }
}

/* From just after a string's opening quote: its closing quote, or NULL
 * when the string is invalid; *esc says whether it holds escapes.
 * Inlined: most strings are short and plain, ending at the first special
 * byte. */
static inline const char *str_end(const char *p, const char *end, int *esc) {
  p = next_special(p, end);
  *esc = !(p < end && *p == '"');
  return *esc ? str_rest(p, end) : p;
}

static void put_utf8(char **o, unsigned cp) {
  char *d = *o;
  if (cp < 0x80) {
    *d++ = (char)cp;
  } else if (cp < 0x800) {
    *d++ = (char)(0xc0 | (cp >> 6));
    *d++ = (char)(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    *d++ = (char)(0xe0 | (cp >> 12));
    *d++ = (char)(0x80 | ((cp >> 6) & 0x3f));
    *d++ = (char)(0x80 | (cp & 0x3f));
  } else {
    *d++ = (char)(0xf0 | (cp >> 18));
    *d++ = (char)(0x80 | ((cp >> 12) & 0x3f));
    *d++ = (char)(0x80 | ((cp >> 6) & 0x3f));
    *d++ = (char)(0x80 | (cp & 0x3f));
  }
  *o = d;
}

static unsigned hex4(const char *p) {
  return (unsigned)(hexval(p[0]) << 12 | hexval(p[1]) << 8 | hexval(p[2]) << 4 | hexval(p[3]));
}

/* Decodes an already validated string body into out; returns its length. */
static size_t unescape(const char *b, size_t n, char *out) {
  char *o = out;
  for (size_t i = 0; i < n; i++) {
    if (b[i] != '\\') {
      *o++ = b[i];
      continue;
    }
    char c = b[++i];
    switch (c) {
      case 'b': *o++ = '\b'; break;
      case 'f': *o++ = '\f'; break;
      case 'n': *o++ = '\n'; break;
      case 'r': *o++ = '\r'; break;
      case 't': *o++ = '\t'; break;
      case 'u': {
        unsigned cp = hex4(b + i + 1);
        i += 4;
        if (cp >= 0xd800 && cp < 0xdc00 && i + 6 < n && b[i + 1] == '\\' &&
            b[i + 2] == 'u') {
          unsigned lo = hex4(b + i + 3);
          if (lo >= 0xdc00 && lo < 0xe000) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            i += 6;
          }
        }
        put_utf8(&o, cp);
        break;
      }
      default: *o++ = c;
    }
  }
  return (size_t)(o - out);
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static const char *number_end(const char *p) {
  if (*p == '-') p++;
  if (*p == '0') p++;
  else if (*p >= '1' && *p <= '9') while (is_digit(*p)) p++;
  else return NULL;
  if (*p == '.') {
    const char *d = ++p;
    while (is_digit(*p)) p++;
    if (p == d) return NULL;
  }
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-') p++;
    const char *d = p;
    while (is_digit(*p)) p++;
    if (p == d) return NULL;
  }
  return p;
}

/* Grows a buffer that starts as one of the event's inline arrays. */
static int grow(void **buf, size_t *cap, size_t need, size_t elem, const void *inl) {
  if (need <= *cap) return AEV_OK;
  size_t c = *cap * 2;
  while (c < need) c *= 2;
  void *b = *buf == inl ? malloc(c * elem) : realloc(*buf, c * elem);
  if (!b) return AEV_ERR_NOMEM;
  if (*buf == inl) memcpy(b, inl, *cap * elem);
  *buf = b;
  *cap = c;
  return AEV_OK;
}

/* A validated number's value, as strtod() reads it in the C locale. Most
 * have at most 15 significant digits and a small exponent: the digits and
 * the power of ten are then exact doubles, and one multiplication or
 * division rounds once, to the same double strtod() gives (Clinger's fast
 * path). */
static double number_value(const char *s, size_t n) {
  static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  const char *p = s, *end = s + n;
  int neg = *p == '-', digits = 0, exp = 0, frac = 0;
  uint64_t m = 0;
  for (p += neg; p < end && (is_digit(*p) || (*p == '.' && !frac)); p++) {
    if (*p == '.') {
      frac = 1;
      continue;
    }
    if (m || *p != '0') digits++;
    m = m * 10 + (uint64_t)(*p - '0');
    exp -= frac;
    if (digits > 15) goto slow;
  }
  if (p < end) { /* the exponent */
    int eneg = *++p == '-', e = 0;
    p += *p == '-' || *p == '+';
    if (end - p > 3) goto slow;
    while (p < end) e = e * 10 + (*p++ - '0');
    exp += eneg ? -e : e;
  }
  if (exp < -22 || exp > 22) goto slow;
  double d = exp < 0 ? (double)m / pow10[-exp] : (double)m * pow10[exp];
  return neg ? -d : d;
slow:;
  char buf[128];
  n = n < sizeof buf ? n : sizeof buf - 1;
  memcpy(buf, s, n);
  buf[n] = 0;
  return aev__strtod(buf, NULL);
}

static const char *literal(const char *p, const char *end, const char *word, size_t n) {
  return (size_t)(end - p) >= n && !memcmp(p, word, n) ? p + n : NULL;
}

static const char *const literal_text[] = {[PV_TRUE] = "true", [PV_FALSE] = "false",
                                           [PV_NULL] = "null"};
static const unsigned char literal_len[] = {[PV_TRUE] = 4, [PV_FALSE] = 5, [PV_NULL] = 4};
/* A field's lookup key (pm_fkey): its kind and bytes, a number's being
 * its double, with -0 read as 0 so that they hash alike (as machine.c's
 * num_key() does). Only a string's bytes can be over 8 long, which the key
 * then names by their address: they live as long as the event (in its
 * text or its arena). x is taken by value, and a number's double copied
 * to a local of its own: a value whose address is taken would be built
 * in memory, and a named string is not. */
static inline pm_fkey field_key(uint32_t path, pm_value x) {
  const char *p;
  size_t n;
  int kind;
  const double num = x.num == 0 ? 0 : x.num;
  if (x.type == PV_STR) {
    p = x.s;
    n = x.len;
    kind = PM_EXACT_STR;
  } else if (x.type == PV_NUM) {
    p = (const char *)&num;
    n = sizeof num;
    kind = PM_EXACT_NUM;
  } else {
    p = literal_text[x.type];
    n = literal_len[x.type];
    kind = PM_LITERAL;
  }
  const uint32_t b = path << 3 | (uint32_t)kind;
  const uint64_t last = aev__pmap_word(p, n);
  return (pm_fkey){aev__pmap_digest(b, p, n, last), aev__pmap_key(p, n, last), b, (uint32_t)n};
}

/* Appends v, decoded, as a field at path id (1-based), inside the arrays
 * on the stack, with its lookup key. Always inlined: a named string
 * without escapes comes straight here, and its key is then worked out
 * without a branch on its type. Returns 0, or -1 when out of memory. */
static inline __attribute__((always_inline)) int append(scan *s, uint32_t id, pm_value v) {
  pm_event *ev = s->ev;
  const size_t nf = ev->nf, nt = ev->nt, ns = s->ns; /* ns: mostly 0, outside arrays */
  if ((nf == ev->cf || (ns && nt + ns > ev->ct)) && /* rare: skip the calls */
      (grow((void **)&ev->f, &ev->cf, nf + 1, sizeof *ev->f, ev->f_in) ||
       grow((void **)&ev->trails, &ev->ct, nt + ns, sizeof *ev->trails, ev->t_in)))
    return -1;
  ev->f[nf] = (pm_field){id - 1, (uint32_t)nt, (uint32_t)(ns / 2), v, field_key(id - 1, v)};
  ev->nf = nf + 1;
  if (ns) {
    memcpy(ev->trails + nt, s->stack, ns * sizeof *s->stack);
    ev->nt = nt + ns;
  }
  return 0;
}

/* Records v as a field at path id: decodes its escapes (esc) or its
 * number first. Returns 0, or -1 when out of memory. */
static __attribute__((noinline)) int emit(scan *s, uint32_t id, pm_value v, int esc) {
  pm_event *ev = s->ev;
  if (esc) {
    /* The arena is sized once to the input, so earlier pointers stay valid. */
    if (!ev->arena) {
      ev->arena = malloc((size_t)(s->end - s->start) + 1);
      if (!ev->arena) return -1;
      ev->ca = (size_t)(s->end - s->start) + 1;
    }
    size_t n = unescape(v.s, v.len, ev->arena + ev->na);
    v.s = ev->arena + ev->na;
    v.len = n;
    ev->na += n;
  } else if (v.type == PV_NUM) {
    v.num = number_value(v.s, v.len);
  }
  return append(s, id, v);
}

/* Scans the scalar at p: emits it at path id, or only validates it when
 * id is 0 (a number is then not converted). */
static const char *leaf(scan *s, const char *p, uint32_t id) {
  const char *end = s->end;
  pm_value v = {0};
  int esc = 0;
  char c = *p;
  if (c == '"') {
    v.type = PV_STR;
    v.s = p + 1;
    if (!(p = str_end(p + 1, end, &esc))) return NULL;
    v.len = (size_t)(p++ - v.s);
  } else if (c == '-' || (c >= '0' && c <= '9')) {
    v.type = PV_NUM;
    v.s = p;
    if (!(p = number_end(p))) return NULL;
    v.len = (size_t)(p - v.s);
  } else if (c == 't') {
    v.type = PV_TRUE;
    p = literal(p, end, "true", 4);
  } else if (c == 'f') {
    v.type = PV_FALSE;
    p = literal(p, end, "false", 5);
  } else if (c == 'n') {
    v.type = PV_NULL;
    p = literal(p, end, "null", 4);
  } else {
    return NULL;
  }
  if (!p || !id) return p;
  if (emit(s, id, v, esc)) {
    s->nomem = 1;
    return NULL;
  }
  return p;
}

static const char *nested(scan *s, const char *p, const pm_path_entry *e);

/* e: the value's path entry (NULL = skip: validate only). Inline, so a
 * scalar costs no call: only objects and arrays recurse. */
static inline const char *value(scan *s, const char *p, const pm_path_entry *e) {
  if (*p == '{' || *p == '[') return nested(s, p, e);
  return leaf(s, p, e ? e->val & ~PM_PATH_PREFIX : 0);
}

/* Any key: unescaped (into the event's path buffer) when it must be, then
 * looked up segment by segment under node. Returns its closing quote. */
static const char *key_slow(scan *s, const char *k, uint32_t node, const pm_path_entry **e) {
  int esc;
  const char *q = str_end(k, s->end, &esc);
  if (!q) return NULL;
  size_t n = (size_t)(q - k);
  if (esc) {
    pm_event *ev = s->ev;
    if (n > ev->pcap && grow((void **)&ev->path, &ev->pcap, n, 1, ev->p_in)) {
      s->nomem = 1;
      return NULL;
    }
    n = unescape(k, n, ev->path);
    k = ev->path;
  }
  *e = aev__pm_paths_walk(s->paths, node, k, n);
  return q;
}

/* The key at k (past its opening quote) looked up under node: *e is its
 * entry, or NULL when no pattern names it. Returns its closing quote, or
 * NULL when invalid. Most keys are plain and under 16 bytes: their bytes,
 * loaded once to find the quote, are the words the table compares. Near
 * the end of the text they are read from a zero-padded copy. When those
 * bytes go on with a colon and a plain string that ends among them (as a
 * compact event's short values do), *vq is that string's closing quote:
 * found with the key, the value costs the scan no load and search of its
 * own, and the next member is reached sooner (the chain from one member to
 * the next is most of what flattening waits on). */
static inline const char *key(scan *s, const char *k, uint32_t node, const pm_path_entry **e,
                              const char **vq) {
#if defined(__SSE2__) && defined(__x86_64__)
  char tail[16];
  const char *b = k;
  if (s->end - k < 16) {
    memset(tail, 0, sizeof tail);
    b = memcpy(tail, k, (size_t)(s->end - k));
  }
  __m128i w = _mm_loadu_si128((const __m128i *)(const void *)b);
  unsigned m = special_bits(w);
  if (m) {
    unsigned n = (unsigned)__builtin_ctz(m);
    unsigned dots = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(w, _mm_set1_epi8('.')));
    if (b[n] == '"' && !(dots & ((1u << n) - 1))) {
      const __m128i index = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
      w = _mm_and_si128(w, _mm_cmpgt_epi8(_mm_set1_epi8((char)n), index));
      uint64_t lo = (uint64_t)_mm_cvtsi128_si64(w),
               hi = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(w, w));
      *e = aev__pm_paths_child(s->paths, node, lo, hi, n);
      if (n + 2 < 16 && b[n + 1] == ':' && b[n + 2] == '"') {
        /* The first special byte after the value's opening quote. */
        const unsigned j = n + 3 + (unsigned)__builtin_ctz(m >> (n + 3) | 0x10000u);
        if (j < 16 && b[j] == '"') *vq = k + j;
      }
      return k + n;
    }
  }
#endif
  (void)vq; /* left NULL: the caller scans the value itself */
  return key_slow(s, k, node, e);
}

/* The members of the object at p: only validated (check), or each key
 * looked up under node. Written once, inlined into one copy per mode. */
static inline __attribute__((always_inline)) const char *members(scan *s, const char *p,
                                                                  uint32_t node, int check) {
  const char *end = s->end;
  uint32_t count = 0;
  p = ws(p + 1);
  if (*p == '}') return p + 1;
  for (;;) {
    if (*p != '"') return NULL;
    const pm_path_entry *e = NULL;
    const char *vq = NULL, *v = NULL; /* a string value's closing quote, its first byte */
    int esc = 0;
    if (check)
      p = str_end(p + 1, end, &esc);
    else
      p = key(s, p + 1, node, &e, &vq);
    if (!p) return NULL;
    count++;
    if (vq) { /* a plain string, found with the key (past '":"') */
      v = p + 3;
      p = vq;
    } else {
      if (!(p = eat(p + 1, ':'))) return NULL;
      p = ws(p);
      if (*p == '"') {
        v = p + 1;
        if (!(p = str_end(v, end, &esc))) return NULL;
      } else if (!(p = value(s, p, e))) {
        return NULL;
      }
    }
    if (v) {
      /* The commonest member, a string: passed over, or recorded here when
       * a pattern names it. */
      uint32_t id = e ? e->val & ~PM_PATH_PREFIX : 0;
      pm_value x = {PV_STR, v, (size_t)(p - v), 0};
      if (id && (esc ? emit(s, id, x, 1) : append(s, id, x))) {
        s->nomem = 1;
        return NULL;
      }
      p++;
    }
    if (*p == ',' && p[1] == '"') { /* compact text; ',' is not last, so p[1] is in it */
      p++;
      continue;
    }
    p = ws(p);
    if (*p == ',') {
      p = ws(p + 1);
      continue;
    }
    if (*p++ != '}') return NULL;
    if (!check && s->depth == 1) s->ev->members = count;
    return p;
  }
}

/* e: the object's path entry, NULL when only validating. Under the empty
 * path (e's parent the root, its length 0) keys are paths of their own,
 * as compile.c joins them. */
static const char *object(scan *s, const char *p, const pm_path_entry *e) {
  if (!e) return members(s, p, 0, 1);
  return members(s, p, e->pl ? e->node : 0, 0);
}

static const char *array(scan *s, const char *p, const pm_path_entry *e) {
  uint32_t id = s->next_array++, idx = 0;
  p = ws(p + 1);
  if (*p == ']') return p + 1;
  for (;;) {
    if (e) {
      if (grow((void **)&s->stack, &s->cs, s->ns + 2, sizeof *s->stack, s->stack_in)) {
        s->nomem = 1;
        return NULL;
      }
      s->stack[s->ns++] = id;
      s->stack[s->ns++] = idx++;
    }
    p = value(s, p, e);
    if (e) s->ns -= 2;
    if (!p) return NULL;
    p = ws(p);
    if (*p == ',') {
      p = ws(p + 1);
      continue;
    }
    return *p == ']' ? p + 1 : NULL;
  }
}

/* The object or array at p, one level deeper. */
static const char *nested(scan *s, const char *p, const pm_path_entry *e) {
  if (++s->depth > s->max_depth) return NULL;
  p = *p == '{' ? object(s, p, e) : array(s, p, e);
  if (p && p > s->last && s->depth > 1) p = NULL; /* the outer object is unclosed */
  s->depth--;
  return p;
}

/* What the top-level object is looked up as: the empty path, whose keys
 * are their own paths. */
static const pm_path_entry root = {.val = PM_PATH_PREFIX};

/* Scans a whole text that must be one JSON object, with fields on the
 * paths the table names going to ev (both NULL: only validates). The scan
 * state is set field by field: its inline stack needs no zeroing. */
static int document(const char *json, size_t len, int max_depth, const pm_paths *paths,
                    pm_event *ev) {
  scan state, *s = &state;
  s->end = json + len;
  s->start = json;
  s->ev = ev;
  s->paths = paths;
  s->next_array = 0;
  s->stack = s->stack_in;
  s->ns = 0;
  s->cs = sizeof s->stack_in / sizeof *s->stack_in;
  s->depth = 0;
  s->max_depth = max_depth;
  s->nomem = 0;
  const char *p = s->end;
  while (p > json && is_ws(p[-1])) p--;
  if (p == json || p[-1] != '}') return AEV_ERR_INVALID;
  s->last = p - 1;
  p = ws(json);
  p = *p == '{' ? value(s, p, ev ? &root : NULL) : NULL;
  if (p) while (p < s->end && is_ws(*p)) p++;
  if (s->stack != s->stack_in) free(s->stack);
  if (s->nomem) return AEV_ERR_NOMEM;
  return p == s->end ? AEV_OK : AEV_ERR_INVALID;
}

static int cmp_field(const void *a, const void *b) {
  const pm_field *x = a, *y = b;
  return (x->path > y->path) - (x->path < y->path);
}

/* The group of one field, f[i]. */
static pm_group group_at(const pm_field *f, size_t i) {
  return (pm_group){f[i].path, (uint32_t)i, 1, 1u << f[i].path % PM_SIG_BITS};
}

/* Whether f[i]'s path is that of a field before it. */
static int repeats(const pm_field *f, size_t i) {
  for (size_t j = 0; j < i; j++)
    if (f[j].path == f[i].path) return 1;
  return 0;
}

/* Groups the fields by path. Events mostly name each path once: then each
 * field is a group of its own, in the order read, and nothing moves (a
 * match scans so few groups, see PM_FEW_GROUPS); singles says so, for the
 * exact walk to take field k for group k. Otherwise the fields are
 * sorted by path. Locals: stores to the fields could otherwise alias the
 * counts. */
static int group(pm_event *ev) {
  pm_field *f = ev->f;
  pm_group *g = ev->g;
  size_t nf = ev->nf, ng = 0;
  if (nf <= PM_FEW_GROUPS) {
    uint64_t seen = 0;
    int again = 0;
    for (size_t i = 0; i < nf; i++) {
      const uint64_t bit = 1ull << (f[i].path & 63);
      if (seen & bit) again |= repeats(f, i);
      seen |= bit;
      g[i] = group_at(f, i);
    }
    ev->ng = nf;
    ev->singles = !again;
    if (!again) return AEV_OK;
  }
  /* Events have few named fields, which an insertion sort orders faster
   * than qsort's calls through a comparator. */
  if (nf > PM_INLINE) {
    qsort(f, nf, sizeof *f, cmp_field);
  } else {
    for (size_t i = 1; i < nf; i++) {
      if (f[i - 1].path <= f[i].path) continue;
      pm_field x = f[i];
      size_t j = i;
      for (; j > 0 && f[j - 1].path > x.path; j--) f[j] = f[j - 1];
      f[j] = x;
    }
  }
  if (nf > PM_INLINE && !(g = ev->g = malloc(nf * sizeof *ev->g))) {
    ev->g = ev->g_in;
    return AEV_ERR_NOMEM;
  }
  for (size_t i = 0; i < nf; i++) {
    if (ng && g[ng - 1].path == f[i].path)
      g[ng - 1].n++;
    else
      g[ng++] = group_at(f, i);
  }
  ev->ng = ng;
  return AEV_OK;
}

int aev__pm_flatten(const char *json, size_t len, int max_depth,
                    const pm_paths *paths, pm_event *ev) {
  memset(ev, 0, offsetof(pm_event, f_in));
  ev->f = ev->f_in;
  ev->g = ev->g_in;
  ev->trails = ev->t_in;
  ev->path = ev->p_in;
  ev->cf = PM_INLINE;
  ev->ct = PM_INLINE;
  ev->pcap = sizeof ev->p_in;
  int rc = document(json, len, max_depth, paths, ev);
  if (rc) return rc;
  return group(ev);
}

void aev__pm_event_free(pm_event *ev) {
  if (ev->f != ev->f_in) free(ev->f);
  if (ev->trails != ev->t_in) free(ev->trails);
  if (ev->g != ev->g_in) free(ev->g);
  if (ev->path != ev->p_in) free(ev->path);
  free(ev->arena);
}

int aev__pm_json_object_check(const char *json, size_t len, int max_depth) {
  /* A scan that names no path only validates: it never touches ev. */
  return document(json, len, max_depth, NULL, NULL) == AEV_OK;
}

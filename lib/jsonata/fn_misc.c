/* JSONata miscellaneous functions: $type $error $assert $clone $eval and
 * the encoding functions ($base64encode/decode, $encodeUrl(Component),
 * $decodeUrl(Component)). */
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "fn.h"

jn_val *fn_type(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  jn_val *v = a[0];
  if (!v) return NULL;
  /* NaN is no number to jsonata-js, and falls through to "object" */
  if (v->type == JN_NUM && !jn_is_numeric(c, v, -1)) return jn_strz(c, "object");
  static const char *const names[] = {"null", "boolean", "number", "string", "array", "object", "function"};
  return jn_strz(c, names[v->type]);
}

jn_val *fn_error(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (a[0]) jn_throw(c, "D3137", -1, "%.*s", (int)a[0]->u.str.len, a[0]->u.str.s);
  jn_throw(c, "D3137", -1, "$error() function evaluated");
}

jn_val *fn_assert(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0] || !a[0]->u.b) {
    if (a[1]) jn_throw(c, "D3141", -1, "%.*s", (int)a[1]->u.str.len, a[1]->u.str.s);
    jn_throw(c, "D3141", -1, "$assert() statement failed");
  }
  return NULL;
}

jn_val *fn_clone(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  return jn_clone(c, jn_unouter(a[0])); /* a JSON round trip in jsonata-js */
}

/* Errors raised while evaluating $eval's text become D3121, but for out
 * of memory, which stays what it is. */
static jn_val *eval_guarded(jn_ctx *c, const jn_node *ast, jn_val *input) {
  jmp_buf *volatile outer = c->jmp;
  jmp_buf inner;
  c->jmp = &inner;
  if (setjmp(inner)) {
    c->jmp = outer;
    char msg[sizeof c->err->message];
    snprintf(msg, sizeof msg, "%s", c->err->message);
    int oom = !strcmp(c->err->code, JN_OUT_OF_MEMORY);
    jn_throw(c, oom ? JN_OUT_OF_MEMORY : "D3121", -1, "%s", msg);
  }
  jn_val *r = jn_eval(c, ast, input, c->global);
  c->jmp = outer;
  return r;
}

jn_val *fn_eval(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  if (!a[0]) return NULL;
  jn_val *input = in;
  if (a[1]) {
    input = a[1];
    if (input->type == JN_ARR && !jn_is_seq(input)) {
      jn_val *w = jn_seq(c);
      jn_push(c, w, input);
      w->flags |= JN_OUTER;
      input = w;
    }
  }
  jn_error perr;
  memset(&perr, 0, sizeof perr);
  jn_node *ast = jn_parse(c->arena, a[0]->u.str.s, a[0]->u.str.len, &perr);
  if (!ast && !strcmp(perr.code, JN_OUT_OF_MEMORY)) jn_throw(c, JN_OUT_OF_MEMORY, -1, "Out of memory.");
  if (!ast) jn_throw(c, "D3120", -1, "Syntax error in expression passed to function eval: %s", perr.message);
  return eval_guarded(c, ast, input);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

jn_val *fn_base64encode(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  /* btoa over the string's UTF-16 code units, the low byte of each (as
   * Node's latin-1 Buffer keeps it), as jsonata-js: a character past
   * U+FFFF gives two bytes, one per surrogate. */
  size_t len = a[0]->u.str.len, i = 0, k = 0;
  unsigned char *bytes = jn_alloc(c->arena, len + 1);
  while (i < len) {
    uint32_t unit[2];
    int units = jn_utf16_units(jn_utf8_next(a[0]->u.str.s, len, &i), unit);
    for (int u = 0; u < units; u++) bytes[k++] = (unsigned char)unit[u];
  }
  jn_buf b;
  jn_buf_init(&b, c);
  for (size_t j = 0; j < k; j += 3) {
    uint32_t v = (uint32_t)bytes[j] << 16;
    if (j + 1 < k) v |= (uint32_t)bytes[j + 1] << 8;
    if (j + 2 < k) v |= bytes[j + 2];
    jn_buf_addc(&b, b64[(v >> 18) & 63]);
    jn_buf_addc(&b, b64[(v >> 12) & 63]);
    jn_buf_addc(&b, j + 1 < k ? b64[(v >> 6) & 63] : '=');
    jn_buf_addc(&b, j + 2 < k ? b64[v & 63] : '=');
  }
  return jn_buf_val(&b);
}

/* A base64 digit's value as Node's Buffer reads it: either alphabet
 * ('-' and '_' too, so base64url such as a JWT's parts decodes), -1 for
 * anything else. */
static int b64_digit(unsigned ch) {
  if (ch == '-') return 62;
  if (ch == '_') return 63;
  const char *p = ch ? strchr(b64, (int)ch) : NULL;
  return p ? (int)(p - b64) : -1;
}

jn_val *fn_base64decode(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[0]) return NULL;
  jn_buf b;
  jn_buf_init(&b, c);
  uint32_t acc = 0;
  int bits = 0;
  /* Node's Buffer.from(s, 'base64'), which jsonata-js calls: the low byte
   * of each UTF-16 unit is read, other characters are skipped, and the
   * first '=' ends the decoding. */
  size_t len = a[0]->u.str.len, i = 0;
  int ended = 0; /* by an '=' (😀 is D83D DE00: '=' then NUL) */
  while (i < len && !ended) {
    uint32_t unit[2];
    int units = jn_utf16_units(jn_utf8_next(a[0]->u.str.s, len, &i), unit);
    for (int u = 0; u < units && !ended; u++) {
      int d = b64_digit(unit[u] & 0xFF);
      ended = (unit[u] & 0xFF) == '=';
      if (d < 0) continue;
      acc = (acc << 6) | (uint32_t)d;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        jn_buf_utf8(&b, (acc >> bits) & 0xFF);
      }
    }
  }
  return jn_buf_val(&b);
}

static jn_val *encode(jn_ctx *c, jn_val *s, const char *keep) {
  if (!s) return NULL;
  jn_buf b;
  jn_buf_init(&b, c);
  size_t i = 0;
  while (i < s->u.str.len) {
    size_t st = i;
    uint32_t cp = jn_utf8_next(s->u.str.s, s->u.str.len, &i);
    if (cp >= 0xD800 && cp < 0xE000) jn_throw(c, "D3140", -1, "Malformed URL passed to $encodeUrlComponent() or $encodeUrl(): a lone surrogate cannot be encoded");
    if (cp < 0x80 && ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || (cp && strchr(keep, (int)cp)))) {
      jn_buf_addc(&b, (char)cp);
      continue;
    }
    for (size_t k = st; k < i; k++) {
      char t[4];
      static const char hx[] = "0123456789ABCDEF";
      unsigned char ch = (unsigned char)s->u.str.s[k];
      t[0] = '%';
      t[1] = hx[ch >> 4];
      t[2] = hx[ch & 15];
      jn_buf_add(&b, t, 3);
    }
  }
  return jn_buf_val(&b);
}

jn_val *fn_encode_url_component(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  return encode(c, a[0], "-_.!~*'()");
}

jn_val *fn_encode_url(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  return encode(c, a[0], "-_.!~*'();,/?:@&=+$#");
}

static int hexv(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

/* The byte of the escape %XX at p[i] (i + 3 <= n), or -1. */
static int escaped_byte(const char *p, size_t n, size_t i) {
  if (i + 2 >= n || p[i] != '%') return -1;
  int h = hexv(p[i + 1]), l = hexv(p[i + 2]);
  return h < 0 || l < 0 ? -1 : h * 16 + l;
}

/* JavaScript's decodeURI / decodeURIComponent: reserved characters (for
 * decodeURI) stay encoded, and a character's escapes must spell it in
 * well-formed UTF-8, all of its bytes escaped, else URIError, which
 * jsonata-js reports as D3140. What is not escaped is left as it is, a
 * lone surrogate too. */
static jn_val *decode(jn_ctx *c, jn_val *s, const char *reserved, const char *fn) {
  if (!s) return NULL;
  jn_buf b;
  jn_buf_init(&b, c);
  const char *p = s->u.str.s;
  size_t n = s->u.str.len;
  int ok = 1;
  for (size_t i = 0; ok && i < n;) {
    if (p[i] != '%') {
      jn_buf_addc(&b, p[i++]);
      continue;
    }
    int lead = escaped_byte(p, n, i);
    int more = lead < 0x80 ? 0 : (lead & 0xE0) == 0xC0 ? 1 : (lead & 0xF0) == 0xE0 ? 2 : (lead & 0xF8) == 0xF0 ? 3 : -1;
    unsigned char bytes[8] = {(unsigned char)lead}; /* 8: utf8_valid reads words */
    for (int k = 1; k <= more && ok; k++) {
      int cont = escaped_byte(p, n, i + 3 * (size_t)k);
      ok = cont >= 0 && (cont & 0xC0) == 0x80;
      bytes[k] = (unsigned char)cont;
    }
    ok = ok && lead >= 0 && more >= 0 && aev__utf8_valid((const char *)bytes, (size_t)more + 1);
    if (ok && lead < 0x80 && reserved && lead && strchr(reserved, lead)) jn_buf_add(&b, p + i, 3);
    else if (ok) jn_buf_add(&b, (const char *)bytes, (size_t)more + 1);
    i += 3 * ((size_t)more + 1);
  }
  if (!ok) jn_throw(c, "D3140", -1, "Malformed URL passed to %s(): \"%.*s\"", fn, (int)n, p);
  return jn_buf_val(&b);
}

jn_val *fn_decode_url_component(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  return decode(c, a[0], NULL, "$decodeUrlComponent");
}

jn_val *fn_decode_url(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  return decode(c, a[0], ";,/?:@&=+$#", "$decodeUrl");
}

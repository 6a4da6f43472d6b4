/* XPath F&O integer pictures, as jsonata-js implements them: analysing a
 * picture (decimal digit patterns with grouping separators, A/a letters,
 * I/i roman numerals, W/w/Ww words, ;o ordinals), formatting ($formatInteger
 * and date components) and parsing ($parseInteger). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/number.h"
#include "fmt.h"
#include "fn.h"

static const uint32_t decimal_groups[] = {0x30, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6,
                                          0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0,
                                          0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620,
                                          0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10};

static const char *const few[] = {"Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine",
                                  "Ten", "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen",
                                  "Seventeen", "Eighteen", "Nineteen"};
static const char *const ordinals[] = {"Zeroth", "First", "Second", "Third", "Fourth", "Fifth", "Sixth",
                                       "Seventh", "Eighth", "Ninth", "Tenth", "Eleventh", "Twelfth",
                                       "Thirteenth", "Fourteenth", "Fifteenth", "Sixteenth", "Seventeenth",
                                       "Eighteenth", "Nineteenth"};
static const char *const decades[] = {"Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety", "Hundred"};
static const char *const magnitudes[] = {"Thousand", "Million", "Billion", "Trillion"};

void jn_int_picture(jn_ctx *c, const char *pic, size_t len, jn_intfmt *f) {
  memset(f, 0, sizeof *f);
  f->primary = IF_DECIMAL;
  f->tcase = TC_LOWER;
  size_t plen = len;
  for (size_t i = len; i > 0; i--)
    if (pic[i - 1] == ';') {
      plen = i - 1;
      if (i < len && pic[i] == 'o') f->ordinal = 1;
      break;
    }
  if (plen == 1 && (pic[0] == 'A' || pic[0] == 'a')) {
    f->primary = IF_LETTERS;
    f->tcase = pic[0] == 'A' ? TC_UPPER : TC_LOWER;
    return;
  }
  if (plen == 1 && (pic[0] == 'I' || pic[0] == 'i')) {
    f->primary = IF_ROMAN;
    f->tcase = pic[0] == 'I' ? TC_UPPER : TC_LOWER;
    return;
  }
  if (plen == 1 && (pic[0] == 'W' || pic[0] == 'w')) {
    f->primary = IF_WORDS;
    f->tcase = pic[0] == 'W' ? TC_UPPER : TC_LOWER;
    return;
  }
  if (plen == 2 && pic[0] == 'W' && pic[1] == 'w') {
    f->primary = IF_WORDS;
    f->tcase = TC_TITLE;
    return;
  }
  /* decimal digit pattern, read right to left */
  uint32_t cps[128];
  size_t ncp = 0, i = 0;
  while (i < plen && ncp < 128) cps[ncp++] = jn_utf8_next(pic, plen, &i);
  int seppos = 0;
  f->zero = 0;
  for (size_t k = ncp; k > 0; k--) {
    uint32_t cp = cps[k - 1];
    int digit = 0;
    for (size_t g = 0; g < sizeof decimal_groups / sizeof decimal_groups[0]; g++) {
      if (cp >= decimal_groups[g] && cp <= decimal_groups[g] + 9) {
        digit = 1;
        f->mandatory++;
        seppos++;
        if (!f->zero) f->zero = decimal_groups[g];
        else if (f->zero != decimal_groups[g])
          jn_throw(c, "D3131", -1, "In a decimal digit pattern, all digits must be from the same decimal group");
        break;
      }
    }
    if (!digit) {
      if (cp == '#') {
        seppos++;
        f->optional++;
      } else if (f->nseps < 16) {
        f->seps[f->nseps].pos = seppos;
        f->seps[f->nseps].cp = cp;
        f->nseps++;
      }
    }
  }
  if (f->mandatory == 0) {
    f->primary = IF_SEQUENCE;
    return;
  }
  /* regular grouping: one character, positions multiples of their gcd */
  f->regular = 0;
  if (f->nseps > 0) {
    int same = 1;
    for (int k = 1; k < f->nseps; k++)
      if (f->seps[k].cp != f->seps[0].cp) same = 0;
    if (same) {
      int g = f->seps[0].pos;
      for (int k = 1; k < f->nseps; k++) {
        int a = g, b = f->seps[k].pos;
        while (b) {
          int t = a % b;
          a = b;
          b = t;
        }
        g = a;
      }
      int ok = g > 0;
      for (int idx = 1; ok && idx <= f->nseps; idx++) {
        int found = 0;
        for (int k = 0; k < f->nseps; k++)
          if (f->seps[k].pos == idx * g) found = 1;
        if (!found) ok = 0;
      }
      if (ok) {
        f->regular = g;
      }
    }
  }
}

static void words(jn_buf *b, double num, int prev, int ord) {
  if (num <= 19) {
    if (prev) jn_buf_addz(b, " and ");
    jn_buf_addz(b, ord ? ordinals[(int)num] : few[(int)num]);
  } else if (num < 100) {
    int tens = (int)floor(num / 10), rem = (int)fmod(num, 10);
    if (prev) jn_buf_addz(b, " and ");
    const char *d = decades[tens - 2];
    if (rem > 0) {
      jn_buf_addz(b, d);
      jn_buf_addc(b, '-');
      words(b, rem, 0, ord);
    } else if (ord) {
      jn_buf_add(b, d, strlen(d) - 1);
      jn_buf_addz(b, "ieth");
    } else {
      jn_buf_addz(b, d);
    }
  } else if (num < 1000) {
    int h = (int)floor(num / 100);
    double rem = fmod(num, 100);
    if (prev) jn_buf_addz(b, ", ");
    jn_buf_addz(b, few[h]);
    jn_buf_addz(b, " Hundred");
    if (rem > 0) words(b, rem, 1, ord);
    else if (ord) jn_buf_addz(b, "th");
  } else {
    int mag = (int)floor(log10(num) / 3);
    if (mag > 4) mag = 4;
    double factor = pow(10, mag * 3);
    double mant = floor(num / factor), rem = num - mant * factor;
    if (prev) jn_buf_addz(b, ", ");
    words(b, mant, 0, 0);
    jn_buf_addc(b, ' ');
    jn_buf_addz(b, magnitudes[mag - 1]);
    if (rem > 0) words(b, rem, 1, ord);
    else if (ord) jn_buf_addz(b, "th");
  }
}

static void roman(jn_buf *b, double v) {
  static const struct {
    int v;
    const char *s;
  } r[] = {{1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
           {40, "xl"}, {10, "x"}, {9, "ix"}, {5, "v"}, {4, "iv"}, {1, "i"}};
  for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
    while (v >= r[i].v) {
      jn_buf_addz(b, r[i].s);
      v -= r[i].v;
    }
}

static void change_case_ascii(char *s, size_t n, int upper) {
  for (size_t i = 0; i < n; i++) {
    if (upper && s[i] >= 'a' && s[i] <= 'z') s[i] = (char)(s[i] - 32);
    if (!upper && s[i] >= 'A' && s[i] <= 'Z') s[i] = (char)(s[i] + 32);
  }
}

/* Digit k of a decimal number's text (digits) padded with pad zeros in
 * front, in the picture's digit family; a number of 1e21 and more keeps
 * its exponent's other characters. */
static uint32_t digit_at(const jn_intfmt *f, const char *digits, size_t pad, size_t k) {
  const uint32_t d = k < pad ? '0' : (unsigned char)digits[k - pad];
  return f->zero && d >= '0' && d <= '9' ? d - '0' + f->zero : d;
}

jn_val *jn_format_int(jn_ctx *c, double value, const jn_intfmt *f) {
  /* jsonata-js writes NaN and Infinity's own text into a decimal picture,
   * and overflows its stack (words) or never returns (letters, roman
   * numerals) on the others: those are refused, as any evaluation that
   * runs out of stack or time is. */
  if (!isfinite(value) && f->primary != IF_DECIMAL)
    jn_throw(c, "U1001", -1,
             "$formatInteger cannot write NaN or Infinity as words, letters or roman numerals");
  jn_buf b;
  jn_buf_init(&b, c);
  int neg = value < 0;
  value = fabs(value);
  if (neg) jn_buf_addc(&b, '-');
  size_t start = b.n;
  switch (f->primary) {
  case IF_LETTERS: {
    char tmp[64];
    int k = 0;
    char a0 = f->tcase == TC_UPPER ? 'A' : 'a';
    while (value > 0 && k < 63) {
      tmp[k++] = (char)(a0 + (int)fmod(value - 1, 26));
      value = floor((value - 1) / 26);
    }
    while (k) jn_buf_addc(&b, tmp[--k]);
    break;
  }
  case IF_ROMAN:
    roman(&b, value); /* nothing for 0, and b.p may still be NULL */
    if (f->tcase == TC_UPPER && b.n > start) change_case_ascii(b.p + start, b.n - start, 1);
    break;
  case IF_WORDS:
    words(&b, value, 0, f->ordinal);
    if (f->tcase == TC_UPPER) change_case_ascii(b.p + start, b.n - start, 1);
    else if (f->tcase == TC_LOWER) change_case_ascii(b.p + start, b.n - start, 0);
    break;
  case IF_DECIMAL: {
    char digits[400];
    if (value < 1e21) aev__snprintf_c(digits, sizeof digits, "%.0f", value);
    else jn_fmt_number(value, digits, sizeof digits);
    /* padded to every mandatory digit, however many: jsonata-js pads
     * [Y,500] to 500 digits */
    const size_t nd = strlen(digits),
                 pad = (size_t)f->mandatory > nd ? (size_t)f->mandatory - nd : 0, no = pad + nd;
    jn_buf_reserve(&b, no); /* at least a byte a digit: U1001 past the limit */
    if (!f->nseps || f->regular) {
      for (size_t k = 0; k < no; k++) {
        if (f->regular && k && (no - k) % (size_t)f->regular == 0) jn_buf_utf8(&b, f->seps[0].cp);
        jn_buf_utf8(&b, digit_at(f, digits, pad, k));
      }
    } else {
      /* insert each separator at (length - position), processing the
       * leftmost-in-picture first, as jsonata-js does with
       * s.substr(0, pos) + separator + s.substr(pos): a separator left of
       * the digits there is put first and the digits left of -pos from
       * the end are lost, so 702 with #,##,##0 is ",,02" in jsonata-js
       * (and so in Step Functions). */
      uint32_t *res = jn_alloc(c->arena, (no + (size_t)f->nseps) * sizeof *res);
      size_t nr = no;
      for (size_t k = 0; k < no; k++) res[k] = digit_at(f, digits, pad, k);
      for (int k = f->nseps - 1; k >= 0; k--) {
        long pos = (long)nr - f->seps[k].pos;
        if (pos < 0) {
          size_t from = pos + (long)nr > 0 ? (size_t)(pos + (long)nr) : 0;
          memmove(res + 1, res + from, (nr - from) * sizeof *res);
          nr -= from;
          pos = 0;
        } else {
          memmove(res + pos + 1, res + pos, (nr - (size_t)pos) * sizeof *res);
        }
        res[pos] = f->seps[k].cp;
        nr++;
      }
      for (size_t k = 0; k < nr; k++) jn_buf_utf8(&b, res[k]);
    }
    if (f->ordinal) {
      char last = b.n > start ? b.p[b.n - 1] : 0, prev = b.n > start + 1 ? b.p[b.n - 2] : 0;
      const char *suf = last == '1' ? "st" : last == '2' ? "nd" : last == '3' ? "rd" : "th";
      if (prev == '1') suf = "th";
      jn_buf_addz(&b, suf);
    }
    break;
  }
  case IF_SEQUENCE:
    jn_throw(c, "D3130", -1, "Formatting or parsing an integer as a sequence starting with %s is not supported by this implementation", "the given token");
  }
  return jn_buf_val(&b);
}

jn_val *fn_format_integer(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[1]) return NULL; /* an argument passed as undefined */
  if (!a[0]) return NULL;
  jn_intfmt f;
  jn_int_picture(c, a[1]->u.str.s, a[1]->u.str.len, &f);
  return jn_format_int(c, floor(a[0]->u.num), &f);
}

/* ---- parsing ---- */
static double word_value(const char *w, size_t n, int *ok) {
  char lw[40];
  *ok = 0;
  if (n == 0 || n >= sizeof lw) return 0;
  for (size_t i = 0; i < n; i++) lw[i] = (char)((w[i] >= 'A' && w[i] <= 'Z') ? w[i] + 32 : w[i]);
  lw[n] = 0;
  char t[40];
  for (int i = 0; i < 20; i++) {
    snprintf(t, sizeof t, "%s", few[i]);
    change_case_ascii(t, strlen(t), 0);
    if (!strcmp(t, lw)) return *ok = 1, i;
    snprintf(t, sizeof t, "%s", ordinals[i]);
    change_case_ascii(t, strlen(t), 0);
    if (!strcmp(t, lw)) return *ok = 1, i;
  }
  for (int i = 0; i < 8; i++) {
    snprintf(t, sizeof t, "%s", decades[i]);
    change_case_ascii(t, strlen(t), 0);
    if (!strcmp(t, lw)) return *ok = 1, (i + 2) * 10;
    size_t l = strlen(t);
    snprintf(t + l - 1, sizeof t - l + 1, "ieth");
    if (!strcmp(t, lw)) return *ok = 1, (i + 2) * 10;
  }
  if (!strcmp(lw, "hundred") || !strcmp(lw, "hundredth")) return *ok = 1, 100;
  for (int i = 0; i < 4; i++) {
    snprintf(t, sizeof t, "%s", magnitudes[i]);
    change_case_ascii(t, strlen(t), 0);
    double v = pow(10, (i + 1) * 3);
    if (!strcmp(t, lw)) return *ok = 1, v;
    strcat(t, "th");
    if (!strcmp(t, lw)) return *ok = 1, v;
  }
  return 0;
}

static int ascii_space(char ch) { return ch == ' ' || (ch >= 9 && ch <= 13); }

/* jsonata-js's wordsToNumber(): the text split at ", ", " and ", or any
 * one space, hyphen or backslash; a part that is no number word (an
 * empty one too, as "-one" leaves) makes NaN. */
static double words_to_number(const char *s, size_t n) {
  double segs[64];
  int ns = 1;
  segs[0] = 0;
  for (size_t st = 0, i = 0; i <= n;) {
    size_t sep = i == n ? 1 : 0;
    if (!sep && s[i] == ',' && i + 1 < n && ascii_space(s[i + 1])) sep = 2;
    else if (!sep && ascii_space(s[i]) && i + 4 < n && !strncasecmp(s + i + 1, "and", 3) && ascii_space(s[i + 4]))
      sep = 5;
    else if (!sep && (ascii_space(s[i]) || s[i] == '-' || s[i] == '\\')) sep = 1;
    if (!sep) {
      i++;
      continue;
    }
    int ok;
    double v = word_value(s + st, i - st, &ok);
    if (!ok) return NAN;
    if (v < 100) {
      double top = segs[--ns];
      if (top >= 1000) {
        segs[ns++] = top;
        top = 0;
      }
      if (ns < 63) segs[ns++] = top + v;
    } else {
      segs[ns - 1] *= v;
    }
    st = i += sep;
  }
  double r = 0;
  for (int k = 0; k < ns; k++) r += segs[k];
  return r;
}

/* The UTF-16 units of s[0..n), in the arena: *count of them. */
static uint32_t *units_of(jn_ctx *c, const char *s, size_t n, size_t *count) {
  uint32_t *u = jn_alloc(c->arena, (2 * n + 1) * sizeof *u);
  size_t k = 0, i = 0;
  while (i < n) k += (size_t)jn_utf16_units(jn_utf8_next(s, n, &i), u + k);
  *count = k;
  return u;
}

/* JavaScript's white space, which parseInt skips. */
static int js_space(uint32_t u) {
  return u == ' ' || (u >= 9 && u <= 13) || u == 0xA0 || u == 0x1680 || (u >= 0x2000 && u <= 0x200A) ||
         u == 0x2028 || u == 0x2029 || u == 0x202F || u == 0x205F || u == 0x3000 || u == 0xFEFF;
}

/* JavaScript's parseInt() of units: white space and a sign, then decimal
 * digits, or hex ones after 0x, as many as there are; NaN without any. */
static double js_parse_int(jn_ctx *c, const uint32_t *u, size_t n) {
  size_t i = 0;
  while (i < n && js_space(u[i])) i++;
  char *t = jn_alloc(c->arena, n + 4);
  size_t k = 0;
  if (i < n && (u[i] == '-' || u[i] == '+')) t[k++] = (char)u[i++];
  int hex = i + 1 < n && u[i] == '0' && (u[i + 1] == 'x' || u[i + 1] == 'X');
  if (hex) {
    i += 2;
    t[k++] = '0';
    t[k++] = 'x';
  }
  size_t first = k;
  while (i < n && ((u[i] >= '0' && u[i] <= '9') ||
                   (hex && ((u[i] >= 'a' && u[i] <= 'f') || (u[i] >= 'A' && u[i] <= 'F')))))
    t[k++] = (char)u[i++];
  if (k == first) return NAN;
  t[k] = 0;
  return aev__strtod(t, NULL);
}

/* The integer s spells per f, as jsonata-js's parsers read it: the whole
 * text, NaN where they make no number (jsonata-js does not check the text
 * against the picture first). */
double jn_parse_int(jn_ctx *c, const char *s, size_t n, const jn_intfmt *f) {
  size_t nu;
  uint32_t *u = units_of(c, s, n, &nu);
  switch (f->primary) {
  case IF_LETTERS: { /* lettersToDecimal(): every unit counts, letter or not */
    double v = 0;
    uint32_t a0 = f->tcase == TC_UPPER ? 'A' : 'a';
    for (size_t i = 0; i < nu; i++) v += ((double)u[nu - 1 - i] - a0 + 1) * pow(26, (double)i);
    return v;
  }
  case IF_ROMAN: { /* romanToDecimal(), upper-cased for a lower-case picture */
    double dec = 0, max = 1;
    for (size_t k = nu; k > 0; k--) {
      uint32_t ch = u[k - 1];
      if (f->tcase != TC_UPPER && ch >= 'a' && ch <= 'z') ch -= 32;
      double v = ch == 'M' ? 1000 : ch == 'D' ? 500 : ch == 'C' ? 100 : ch == 'L' ? 50 : ch == 'X' ? 10 : ch == 'V' ? 5 : ch == 'I' ? 1 : NAN;
      if (isnan(v)) return NAN;
      if (v < max) dec -= v;
      else {
        max = v;
        dec += v;
      }
    }
    return dec;
  }
  case IF_WORDS: return words_to_number(s, n);
  case IF_DECIMAL: {
    /* The ordinal suffix's two units cut off, the grouping separators
     * taken out (only ',' when they are regular: jsonata-js's own slip),
     * another digit family moved to ASCII, then parseInt(). */
    if (f->ordinal) nu = nu >= 2 ? nu - 2 : 0;
    uint32_t zero = f->zero ? f->zero : '0';
    size_t k = 0;
    for (size_t i = 0; i < nu; i++) {
      int sep = f->regular ? u[i] == ',' : 0;
      for (int g = 0; !f->regular && g < f->nseps; g++) sep |= u[i] == f->seps[g].cp;
      if (sep) continue;
      if (u[i] + '0' < zero) return NAN; /* String.fromCodePoint() of less than 0: a RangeError */
      u[k++] = u[i] + '0' - zero;
    }
    return js_parse_int(c, u, k);
  }
  default:
    jn_throw(c, "D3130", -1, "Formatting or parsing an integer as a sequence starting with the given token is not supported by this implementation");
  }
}

jn_val *fn_parse_integer(jn_ctx *c, jn_val **a, int n, jn_val *in) {
  (void)n;
  (void)in;
  if (!a[1]) return NULL; /* an argument passed as undefined */
  if (!a[0]) return NULL;
  jn_intfmt f;
  jn_int_picture(c, a[1]->u.str.s, a[1]->u.str.len, &f);
  return jn_num(c, jn_parse_int(c, a[0]->u.str.s, a[0]->u.str.len, &f));
}

/* The alternation of every number word, as jsonata-js builds its parsing
 * regex for W/w pictures. */
void jn_words_regex(jn_buf *b) {
  jn_buf_addz(b, "(?:");
  char t[40];
  for (int i = 0; i < 20; i++) {
    snprintf(t, sizeof t, "%s|%s|", few[i], ordinals[i]);
    change_case_ascii(t, strlen(t), 0);
    jn_buf_addz(b, t);
  }
  for (int i = 0; i < 8; i++) {
    snprintf(t, sizeof t, "%s", decades[i]);
    change_case_ascii(t, strlen(t), 0);
    jn_buf_addz(b, t);
    jn_buf_addc(b, '|');
    jn_buf_add(b, t, strlen(t) - 1);
    jn_buf_addz(b, "ieth|");
  }
  jn_buf_addz(b, "hundredth|hundred|");
  for (int i = 0; i < 4; i++) {
    snprintf(t, sizeof t, "%s", magnitudes[i]);
    change_case_ascii(t, strlen(t), 0);
    jn_buf_addz(b, t);
    jn_buf_addz(b, "th|");
    jn_buf_addz(b, t);
    jn_buf_addc(b, '|');
  }
  jn_buf_addz(b, "and|[\\-, ])+");
}

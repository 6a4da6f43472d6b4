/* Function signatures (`<s-nn?:s>`): parsing, and validating arguments the
 * way jsonata-js does (context substitution for `-`, singleton arrays for
 * `a`, errors T0410/T0411/T0412). */
#include <stdio.h>
#include <string.h>

#include "jn.h"

typedef struct sparam {
  char accept[12]; /* symbols accepted: s n b l o a f m */
  char type;       /* s n b l o a f j x or '(' */
  char subtype;    /* array element type, 0 = any */
  char quant;      /* 0, '?', '+' */
  int context;     /* '-' */
} sparam;

struct jn_sig {
  sparam p[16];
  int n;
};

static void set_accept(sparam *p, char type) {
  p->type = type;
  switch (type) {
  case 's': case 'n': case 'b': case 'l': case 'o':
    p->accept[0] = type;
    p->accept[1] = 'm';
    break;
  case 'a': case 'x': strcpy(p->accept, "asnblfom"); break;
  case 'f': strcpy(p->accept, "f"); break;
  case 'j': strcpy(p->accept, "asnblom"); break;
  default: break;
  }
}

jn_sig *jn_sig_parse(jn_arena *a, const char *text, int *bad_offset) {
  jn_sig *s = jn_alloc(a, sizeof *s);
  memset(s, 0, sizeof *s);
  size_t i = 1, n = strlen(text);
  while (i < n && text[i] != ':' && text[i] != '>') {
    char ch = text[i];
    if (strchr("snblofajx", ch)) {
      if (s->n >= 16) return NULL;
      set_accept(&s->p[s->n++], ch);
      i++;
    } else if (ch == '(') {
      if (s->n >= 16) return NULL;
      sparam *p = &s->p[s->n++];
      p->type = '(';
      size_t k = 0;
      i++;
      while (i < n && text[i] != ')') {
        if (text[i] == '<') {
          *bad_offset = -(int)i - 1; /* S0402: parameterised type in a choice group */
          return NULL;
        }
        if (k < 10) p->accept[k++] = text[i];
        i++;
      }
      if (k < 11 && !strchr(p->accept, 'm')) p->accept[k++] = 'm';
      i++;
    } else if (ch == '<') {
      if (s->n == 0 || (s->p[s->n - 1].type != 'a' && s->p[s->n - 1].type != 'f')) {
        *bad_offset = (int)i;
        return NULL;
      }
      int depth = 1;
      size_t start = ++i;
      while (i < n && depth > 0) {
        if (text[i] == '<') depth++;
        else if (text[i] == '>') depth--;
        i++;
      }
      if (s->p[s->n - 1].type == 'a') s->p[s->n - 1].subtype = text[start];
    } else if (ch == '?' || ch == '+') {
      if (s->n) s->p[s->n - 1].quant = ch;
      i++;
    } else if (ch == '-') {
      if (s->n) {
        s->p[s->n - 1].context = 1;
        s->p[s->n - 1].quant = '?';
      }
      i++;
    } else {
      i++;
    }
  }
  return s;
}

int jn_sig_params(const jn_sig *s) { return s->n; }

static char symbol_of(const jn_val *v) {
  if (!v) return 'm';
  switch (v->type) {
  case JN_FUNC: return 'f';
  case JN_STR: return 's';
  case JN_NUM: return 'n';
  case JN_BOOL: return 'b';
  case JN_NULL: return 'l';
  case JN_ARR: return 'a';
  default: return 'o';
  }
}

/* Backtracking match of params[pi..] against syms[si..]; counts[] gets how
 * many symbols each param took. anchored: must consume every symbol. */
static int match(const jn_sig *s, int pi, int pend, const char *syms, int si, int n, int *counts, int anchored,
                 int *end) {
  if (pi == pend) {
    if (anchored && si != n) return 0;
    *end = si;
    return 1;
  }
  const sparam *p = &s->p[pi];
  int max = 0;
  while (si + max < n && strchr(p->accept, syms[si + max])) {
    max++;
    if (p->quant != '+') break;
  }
  int min = p->quant == '?' ? 0 : 1;
  if (p->quant == '+' && max < 1) return 0;
  for (int k = max; k >= min; k--) {
    counts[pi] = k;
    if (match(s, pi + 1, pend, syms, si + k, n, counts, anchored, end)) return 1;
  }
  return 0;
}

jn_val **jn_sig_validate(jn_ctx *c, const jn_sig *s, jn_val **args, int *nargs, jn_val *context, int position) {
  char syms[64];
  int n = *nargs > 63 ? 63 : *nargs;
  for (int i = 0; i < n; i++) syms[i] = symbol_of(args[i]);
  syms[n] = 0;
  int counts[16] = {0}, end = 0;
  if (!match(s, 0, s->n, syms, 0, n, counts, 1, &end)) {
    int good = 0;
    for (int k = 1; k <= s->n; k++) {
      int cc[16] = {0};
      if (!match(s, 0, k, syms, 0, n, cc, 0, &end)) break;
      good = end;
    }
    jn_throw(c, "T0410", position, "Argument %d of function does not match function signature", good + 1);
  }
  int cap = s->n + n + 1;
  jn_val **out = jn_alloc(c->arena, (size_t)cap * sizeof *out);
  int k = 0, ai = 0;
  for (int pi = 0; pi < s->n; pi++) {
    const sparam *p = &s->p[pi];
    if (counts[pi] == 0) {
      if (p->context) {
        char cs = symbol_of(context);
        if (!strchr(p->accept, cs))
          jn_throw(c, "T0411", position, "Context value is not a compatible type with argument %d of function", ai + 1);
        out[k++] = context;
      } else {
        out[k++] = ai < n ? args[ai] : NULL;
        ai++;
      }
      continue;
    }
    for (int j = 0; j < counts[pi]; j++) {
      jn_val *arg = args[ai];
      if (p->type == 'a') {
        char sym = syms[ai];
        if (sym == 'm') {
          arg = NULL;
        } else {
          if (p->subtype) {
            int ok = 1;
            if (sym != 'a') ok = sym == p->subtype;
            else if (arg->u.arr.n > 0) {
              char it = symbol_of(arg->u.arr.items[0]);
              if (it != p->subtype) ok = 0;
              for (size_t q = 0; ok && q < arg->u.arr.n; q++)
                if (symbol_of(arg->u.arr.items[q]) != it) ok = 0;
            }
            if (!ok)
              jn_throw(c, "T0412", position, "Argument %d of function must be an array of %s", ai + 1,
                       p->subtype == 's' ? "strings" : p->subtype == 'n' ? "numbers" : p->subtype == 'b' ? "booleans" : p->subtype == 'o' ? "objects" : "values");
          }
          if (sym != 'a') {
            jn_val *w = jn_arr(c, 1);
            jn_push(c, w, arg);
            arg = w;
          }
        }
      }
      out[k++] = arg;
      ai++;
    }
  }
  *nargs = k;
  return out;
}

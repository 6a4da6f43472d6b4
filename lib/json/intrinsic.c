/* Parsing and evaluating intrinsic function calls ("States.Format('{}',
 * $.a)"): string literals in single quotes with \' \{ \} \\ escapes,
 * numbers, booleans, null, paths ($, $$, $var) and nested calls, at most 10
 * deep as AWS allows. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/number.h"
#include "json/intrinsic_int.h"

#define MAX_DEPTH 10

typedef struct iparser {
  const char *s;
  size_t i;
  char *err;
  size_t errlen;
  int nomem; /* the parse failed for want of memory, not for its text */
} iparser;

static int ierr(iparser *p, const char *what) {
  snprintf(p->err, p->errlen, "The value for the field must be a valid intrinsic function: %s (%s)",
           p->s, what);
  return -1;
}

static int ioom(iparser *p) {
  p->nomem = 1;
  return -1;
}

static void iws(iparser *p) {
  while (isspace((unsigned char)p->s[p->i])) p->i++;
}

int aev__is_intrinsic(const char *text) {
  if (strncmp(text, "States.", 7)) return 0;
  const char *open = strchr(text, '(');
  return open && text[strlen(text) - 1] == ')';
}

static int call_parse(iparser *p, int depth, aev__intrinsic **out);

static int string_parse(iparser *p, ia_arg *a) {
  size_t start = ++p->i, cap = 16, n = 0;
  char *buf = malloc(cap);
  if (!buf) return ioom(p);
  for (;;) {
    char c = p->s[p->i];
    if (!c) {
      free(buf);
      return ierr(p, "unterminated string");
    }
    p->i++;
    if (c == '\'') break;
    if (c == '\\' && p->s[p->i]) c = p->s[p->i++];
    if (n + 2 > cap) {
      char *nb = realloc(buf, cap *= 2);
      if (!nb) {
        free(buf);
        return ioom(p);
      }
      buf = nb;
    }
    buf[n++] = c;
  }
  a->kind = IA_LITERAL;
  a->quoted = 1;
  a->literal = json_stringn_nocheck(buf, n);
  free(buf);
  size_t rawlen = p->i - 1 - start;
  a->raw = malloc(rawlen + 1);
  if (!a->raw || !a->literal) return ioom(p);
  memcpy(a->raw, p->s + start, rawlen);
  a->raw[rawlen] = 0;
  return 0;
}

/* A path argument ends at ',' or ')' outside brackets and quotes. */
static int path_parse(iparser *p, ia_arg *a) {
  size_t start = p->i;
  int depth = 0;
  char q = 0;
  for (; p->s[p->i]; p->i++) {
    char c = p->s[p->i];
    if (q) {
      if (c == q) q = 0;
    } else if (c == '\'' || c == '"') {
      q = c;
    } else if (c == '[' || c == '(') {
      depth++;
    } else if (c == ']' || (c == ')' && depth > 0)) {
      depth--;
    } else if ((c == ',' || c == ')') && depth == 0) {
      break;
    }
  }
  size_t end = p->i;
  while (end > start && isspace((unsigned char)p->s[end - 1])) end--;
  char *text = malloc(end - start + 1);
  if (!text) return ioom(p);
  memcpy(text, p->s + start, end - start);
  text[end - start] = 0;
  char err[256];
  int rc = aev__jpath_compile(text, &a->path, err, sizeof err);
  free(text);
  a->kind = IA_PATH;
  if (rc == AEV_ERR_NOMEM) return ioom(p);
  return rc ? ierr(p, "invalid path argument") : 0;
}

static int arg_parse(iparser *p, int depth, ia_arg *a) {
  iws(p);
  const char *s = p->s + p->i;
  if (*s == '\'') return string_parse(p, a);
  if (*s == '$') return path_parse(p, a);
  if (!strncmp(s, "States.", 7)) {
    a->kind = IA_CALL;
    return call_parse(p, depth + 1, &a->call);
  }
  static const char *const words[] = {"true", "false", "null"};
  for (int k = 0; k < 3; k++) {
    size_t wl = strlen(words[k]);
    if (!strncmp(s, words[k], wl) && !isalnum((unsigned char)s[wl])) {
      a->kind = IA_LITERAL;
      a->literal = k == 0 ? json_true() : k == 1 ? json_false() : json_null();
      p->i += wl;
      return 0;
    }
  }
  char *end;
  double d = aev__strtod(s, &end);
  if (end == s || (!isdigit((unsigned char)*s) && *s != '-' && *s != '+'))
    return ierr(p, "unexpected argument");
  int integral = !memchr(s, '.', (size_t)(end - s)) && !memchr(s, 'e', (size_t)(end - s)) &&
                 !memchr(s, 'E', (size_t)(end - s));
  if (!isfinite(d)) return ierr(p, "number out of range"); /* jansson has no infinity */
  a->kind = IA_LITERAL;
  a->literal = integral && fabs(d) < 9e15 ? json_integer((json_int_t)d) : json_real(d);
  p->i += (size_t)(end - s);
  return a->literal ? 0 : ioom(p);
}

static int call_parse(iparser *p, int depth, aev__intrinsic **out) {
  if (depth > MAX_DEPTH) return ierr(p, "nested more than 10 deep");
  size_t start = p->i;
  while (isalnum((unsigned char)p->s[p->i]) || p->s[p->i] == '.') p->i++;
  const ia_def *def = aev__ia_find(p->s + start, p->i - start);
  if (!def) return ierr(p, "unknown function");
  iws(p);
  if (p->s[p->i] != '(') return ierr(p, "expected '('");
  p->i++;
  aev__intrinsic *f = calloc(1, sizeof *f);
  if (!f) return ioom(p);
  *out = f;
  f->def = def;
  iws(p);
  if (p->s[p->i] == ')') {
    p->i++;
  } else {
    for (;;) {
      ia_arg *args = realloc(f->args, (f->n + 1) * sizeof *args);
      if (!args) return ioom(p);
      f->args = args;
      memset(&args[f->n], 0, sizeof *args);
      f->n++;
      if (arg_parse(p, depth, &args[f->n - 1])) return -1;
      iws(p);
      if (p->s[p->i] == ',') {
        p->i++;
        continue;
      }
      if (p->s[p->i] == ')') {
        p->i++;
        break;
      }
      return ierr(p, "expected ',' or ')'");
    }
  }
  if ((int)f->n < def->min_args || (def->max_args >= 0 && (int)f->n > def->max_args)) {
    snprintf(p->err, p->errlen,
             "The value for the field must be a valid intrinsic function: %s (%s takes %d%s "
             "arguments, %zu given)",
             p->s, def->name, def->min_args, def->max_args == def->min_args ? "" : " or more",
             f->n);
    return -1;
  }
  return 0;
}

int aev__intrinsic_compile(const char *text, aev__intrinsic **out, char *err, size_t errlen) {
  iparser p = {text, 0, err, errlen, 0};
  *out = NULL;
  int rc = call_parse(&p, 1, out);
  if (!rc) {
    iws(&p);
    if (p.s[p.i]) rc = ierr(&p, "text after the call");
  }
  if (!rc) return AEV_OK;
  aev__intrinsic_free(*out);
  *out = NULL;
  return p.nomem ? AEV_ERR_NOMEM : AEV_ERR_INVALID;
}

void aev__intrinsic_free(aev__intrinsic *f) {
  if (!f) return;
  for (size_t i = 0; i < f->n; i++) {
    json_decref(f->args[i].literal);
    free(f->args[i].raw);
    aev__jpath_free(f->args[i].path);
    aev__intrinsic_free(f->args[i].call);
  }
  free(f->args);
  free(f);
}

json_t *aev__intrinsic_eval(const aev__intrinsic *f, aev__jenv *env) {
  ia_val stack[8], *vals = f->n <= 8 ? stack : calloc(f->n, sizeof *vals);
  if (!vals) return NULL;
  json_t *result = NULL;
  size_t done = 0;
  for (; done < f->n; done++) {
    const ia_arg *a = &f->args[done];
    vals[done].raw = a->raw;
    if (a->kind == IA_LITERAL) vals[done].v = json_deep_copy(a->literal); /* shared: copy */
    else if (a->kind == IA_PATH) vals[done].v = aev__jpath_eval(a->path, env);
    else vals[done].v = aev__intrinsic_eval(a->call, env);
    if (!vals[done].v) goto out;
  }
  result = f->def->fn(vals, f->n, env);
out:
  for (size_t i = 0; i < done; i++) json_decref(vals[i].v);
  if (vals != stack) free(vals);
  return result;
}

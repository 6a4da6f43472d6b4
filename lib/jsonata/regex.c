/* A backtracking regular-expression engine for the JavaScript regex subset
 * JSONata uses: classes, \d \w \s \b, groups (named ones too), (?:),
 * lookahead (?=) (?!) and lookbehind (?<=) (?<!), backreferences (\1 and
 * \k<name>), greedy and lazy quantifiers including {n,m}, alternation,
 * anchors, and the i and m flags. Like JavaScript's regexes without the u
 * flag (which jsonata-js's are), patterns and subjects are read as UTF-16
 * code units: a character past U+FFFF is two units, its surrogates, each
 * matched on its own. Compiled programs are immutable, so one compiled
 * regex may be run from several threads at once. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casemap.h"
#include "jn.h"

enum { I_CHAR, I_ANY, I_CLASS, I_SPLIT, I_JMP, I_SAVE, I_MATCH, I_BOL, I_EOL, I_WORDB, I_NWORDB, I_LOOK, I_BACKREF, I_MARK, I_PROG, I_RESET };

typedef struct cls {
  int neg;
  int n;
  uint32_t lo[64], hi[64];
  unsigned cats; /* bit 0 d, 1 D, 2 w, 3 W, 4 s, 5 S */
} cls;

typedef struct inst {
  int op;
  uint32_t cp;
  int x, y;   /* split targets / save slot / look: neg + length */
  int back;   /* char, any, class, backref: reads the unit before sp, moving left */
  cls *cl;
} inst;

struct jn_regex {
  inst *prog;
  int n;
  int ngroups;
  int nmarks;
  int icase, multiline;
};

/* ---- AST ---- */
enum { R_CHAR, R_ANY, R_CLASS, R_BOL, R_EOL, R_WORDB, R_NWORDB, R_GROUP, R_NCGROUP, R_LOOK, R_BACKREF, R_ALT, R_SEQ, R_REPEAT };
typedef struct rnode rnode;
struct rnode {
  int type;
  uint32_t cp;
  cls *cl;
  int group, neg, behind;
  int min, max, greedy;
  int mark; /* a repeat's progress mark + 1, once it has one (0: none yet) */
  rnode **kids;
  int nkids, capkids;
};

enum { REGEX_MAX_GROUPS = 19 };

typedef struct rparse {
  jn_arena *a;
  const char *s;
  size_t n, i;
  int ngroups;
  const char *err;
  uint32_t pend; /* the low surrogate still to read of the last character, or 0 */
  /* group g's name, or NULL; a name may be referred to before its group */
  const char *names[REGEX_MAX_GROUPS + 1];
  size_t namelen[REGEX_MAX_GROUPS + 1];
  int nnamed, nnames_known;
  int named;     /* \k starts a named reference: the pattern has named groups */
  int saw_k;
  /* How many groups the whole pattern has, once a first reading counted
   * them (-1 before): \N is a backreference only up to that number. */
  int known_groups;
  int saw_high_escape; /* a \N above the groups read so far (see parse_pattern) */
} rparse;

static rnode *rnew(rparse *p, int type) {
  rnode *r = jn_alloc(p->a, sizeof *r);
  memset(r, 0, sizeof *r);
  r->type = type;
  return r;
}

static void rkid(rparse *p, rnode *r, rnode *k) {
  if (r->nkids == r->capkids) {
    int cap = r->capkids ? r->capkids * 2 : 4;
    rnode **kids = jn_alloc(p->a, (size_t)cap * sizeof *kids);
    if (r->nkids) memcpy(kids, r->kids, (size_t)r->nkids * sizeof *kids);
    r->kids = kids;
    r->capkids = cap;
  }
  r->kids[r->nkids++] = k;
}

/* The pattern's next UTF-16 code unit: a character past U+FFFF gives its
 * high surrogate, and its low one comes next, as an atom or class member of
 * its own (JavaScript: /😀+/ repeats the low surrogate alone). */
static uint32_t next_unit(rparse *p) {
  uint32_t u = p->pend;
  if (u) {
    p->pend = 0;
    return u;
  }
  uint32_t cp = jn_utf8_next(p->s, p->n, &p->i);
  if (cp <= 0xFFFF) return cp;
  p->pend = 0xDC00 + ((cp - 0x10000) & 0x3FF);
  return 0xD800 + ((cp - 0x10000) >> 10);
}

static int hexd(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static uint32_t read_hex(rparse *p, int count, int *ok) {
  uint32_t v = 0;
  *ok = 1;
  for (int k = 0; k < count; k++) {
    int h = p->i < p->n ? hexd(p->s[p->i]) : -1;
    if (h < 0) {
      *ok = 0;
      return 0;
    }
    v = v * 16 + (uint32_t)h;
    p->i++;
  }
  return v;
}

static int is_octal(char c) { return c >= '0' && c <= '7'; }

/* Annex B's legacy octal escape, first digit d already read: up to three
 * digits, at most 0377 (\0 alone is NUL, \012 a newline, \477 is \47
 * then a 7). */
static uint32_t legacy_octal(rparse *p, char d) {
  uint32_t v = (uint32_t)(d - '0');
  if (p->i < p->n && is_octal(p->s[p->i])) {
    v = v * 8 + (uint32_t)(p->s[p->i++] - '0');
    if (d <= '3' && p->i < p->n && is_octal(p->s[p->i])) v = v * 8 + (uint32_t)(p->s[p->i++] - '0');
  }
  return v;
}

/* An escape after the backslash; returns a code point, or sets *cat to a
 * class category bit (d D w W s S). Without the u flag a digit that is
 * not a backreference (always so in a class) is Annex B's: an octal
 * escape, or 8 and 9 themselves. */
static uint32_t parse_escape(rparse *p, unsigned *cat, int in_class) {
  char ch = p->s[p->i++];
  *cat = 0;
  if (is_octal(ch)) return legacy_octal(p, ch);
  switch (ch) {
  case 'd': *cat = 1; return 0;
  case 'D': *cat = 2; return 0;
  case 'w': *cat = 4; return 0;
  case 'W': *cat = 8; return 0;
  case 's': *cat = 16; return 0;
  case 'S': *cat = 32; return 0;
  case 'n': return '\n';
  case 'r': return '\r';
  case 't': return '\t';
  case 'f': return '\f';
  case 'v': return '\v';
  case 'b': return in_class ? '\b' : 'b';
  case 'c':
    if (p->i < p->n) return (uint32_t)(p->s[p->i++] % 32);
    return 'c';
  case 'x': {
    int ok;
    size_t save = p->i;
    uint32_t v = read_hex(p, 2, &ok);
    if (!ok) {
      p->i = save;
      return 'x';
    }
    return v;
  }
  case 'u': {
    int ok;
    size_t save = p->i;
    uint32_t v = read_hex(p, 4, &ok);
    if (!ok) {
      p->i = save;
      return 'u';
    }
    return v;
  }
  default: {
    p->i--;
    return next_unit(p);
  }
  }
}

static void cls_add(cls *c, uint32_t lo, uint32_t hi) {
  if (c->n < 64) {
    c->lo[c->n] = lo;
    c->hi[c->n] = hi;
    c->n++;
  }
}

static rnode *parse_class(rparse *p) {
  rnode *r = rnew(p, R_CLASS);
  r->cl = jn_alloc(p->a, sizeof(cls));
  memset(r->cl, 0, sizeof(cls));
  if (p->i < p->n && p->s[p->i] == '^') {
    r->cl->neg = 1;
    p->i++;
  }
  int first = 1;
  while (p->pend || (p->i < p->n && (p->s[p->i] != ']' || (first && 0)))) {
    first = 0;
    uint32_t lo;
    unsigned cat = 0;
    if (!p->pend && p->s[p->i] == '\\') {
      p->i++;
      if (p->i >= p->n) break;
      lo = parse_escape(p, &cat, 1);
    } else {
      lo = next_unit(p);
    }
    if (cat) {
      r->cl->cats |= cat;
      continue;
    }
    uint32_t hi = lo;
    if (!p->pend && p->i + 1 < p->n && p->s[p->i] == '-' && p->s[p->i + 1] != ']') {
      p->i++;
      unsigned cat2 = 0;
      if (p->s[p->i] == '\\') {
        p->i++;
        hi = parse_escape(p, &cat2, 1);
      } else {
        hi = next_unit(p);
      }
      if (cat2) {
        cls_add(r->cl, lo, lo);
        cls_add(r->cl, '-', '-');
        r->cl->cats |= cat2;
        continue;
      }
      if (hi < lo) {
        p->err = "Range out of order in character class";
        return r;
      }
    }
    cls_add(r->cl, lo, hi);
  }
  if (p->i >= p->n) {
    p->err = "Unterminated character class";
    return r;
  }
  p->i++;
  return r;
}

static rnode *parse_alt(rparse *p);

/* A group name as JavaScript's identifiers start and go on, ASCII only:
 * letters, '_' and '$', and digits after the first. */
static int name_char(char ch, int first) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '$' ||
         (!first && ch >= '0' && ch <= '9');
}

/* The name after "(?<" or "\k<", up to and past its '>': its length, or 0. */
static size_t parse_name(rparse *p) {
  size_t st = p->i;
  while (p->i < p->n && name_char(p->s[p->i], p->i == st)) p->i++;
  if (p->i == st || p->i >= p->n || p->s[p->i] != '>') return 0;
  p->i++;
  return p->i - 1 - st;
}

static int name_is(const rparse *p, int g, const char *name, size_t len) {
  return p->names[g] && p->namelen[g] == len && memcmp(p->names[g], name, len) == 0;
}

/* (?<name>...): group g takes the name, which no earlier group has. */
static void name_group(rparse *p, int g) {
  const char *name = p->s + p->i;
  size_t len = parse_name(p);
  if (!len) {
    p->err = "Invalid capture group name";
    return;
  }
  for (int k = 1; k < g && k <= REGEX_MAX_GROUPS; k++)
    if (name_is(p, k, name, len)) {
      p->err = "Duplicate capture group name";
      return;
    }
  if (g <= REGEX_MAX_GROUPS) {
    p->names[g] = name;
    p->namelen[g] = len;
  }
  p->nnamed++;
}

/* \k<name> in a pattern with named groups: the group of that name,
 * wherever it is, or 0 with p->err set. */
static int named_reference(rparse *p) {
  if (p->i >= p->n || p->s[p->i] != '<') {
    p->err = "Invalid named reference";
    return 0;
  }
  p->i++;
  const char *name = p->s + p->i;
  size_t len = parse_name(p);
  for (int g = 1; len && g <= p->nnames_known && g <= REGEX_MAX_GROUPS; g++)
    if (name_is(p, g, name, len)) return g;
  p->err = len ? "Invalid named capture referenced" : "Invalid named reference";
  return 0;
}

static int parse_int(rparse *p, int *out) {
  size_t st = p->i;
  int v = 0;
  /* saturates: a count this large is refused later as too big a program */
  while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9') {
    int digit = p->s[p->i++] - '0';
    v = v < 100000000 ? v * 10 + digit : v;
  }
  *out = v;
  return p->i > st;
}

/* A braced quantifier at p->i ({n}, {n,} or {n,m}): 1, past it, with its
 * bounds (max -1: none); else 0, where it was (Annex B: then '{' is a
 * character). */
static int braced(rparse *p, int *min, int *max) {
  size_t save = p->i;
  p->i++;
  if (!parse_int(p, min)) {
    p->i = save;
    return 0;
  }
  *max = *min;
  if (p->i < p->n && p->s[p->i] == ',') {
    p->i++;
    if (!parse_int(p, max)) *max = -1;
  }
  if (p->i >= p->n || p->s[p->i] != '}') {
    p->i = save;
    return 0;
  }
  p->i++;
  return 1;
}

static rnode *parse_atom(rparse *p) {
  rnode *r;
  if (p->pend) {
    r = rnew(p, R_CHAR);
    r->cp = next_unit(p);
    return r;
  }
  char ch = p->s[p->i];
  if (ch == '(') {
    p->i++;
    if (p->i + 1 < p->n && p->s[p->i] == '?') {
      char k = p->s[p->i + 1];
      p->i += 2;
      char after = p->i < p->n ? p->s[p->i] : 0;
      if (k == ':') r = rnew(p, R_NCGROUP);
      else if (k == '=' || k == '!') {
        r = rnew(p, R_LOOK);
        r->neg = k == '!';
      } else if (k == '<' && (after == '=' || after == '!')) {
        p->i++;
        r = rnew(p, R_LOOK);
        r->neg = after == '!';
        r->behind = 1;
      } else if (k == '<') {
        r = rnew(p, R_GROUP);
        r->group = ++p->ngroups;
        name_group(p, r->group);
        if (p->err) return r;
      } else {
        p->err = "Invalid group";
        return NULL;
      }
    } else {
      r = rnew(p, R_GROUP);
      r->group = ++p->ngroups;
    }
    rkid(p, r, parse_alt(p));
    if (p->err) return r;
    if (p->i >= p->n || p->s[p->i] != ')') {
      p->err = "Unterminated group";
      return r;
    }
    p->i++;
    return r;
  }
  if (ch == '[') {
    p->i++;
    return parse_class(p);
  }
  if (ch == '.') {
    p->i++;
    return rnew(p, R_ANY);
  }
  if (ch == '^') {
    p->i++;
    return rnew(p, R_BOL);
  }
  if (ch == '$') {
    p->i++;
    return rnew(p, R_EOL);
  }
  if (ch == '\\') {
    p->i++;
    if (p->i >= p->n) {
      p->err = "\\ at end of pattern";
      return NULL;
    }
    char e = p->s[p->i];
    if (e == 'b') {
      p->i++;
      return rnew(p, R_WORDB);
    }
    if (e == 'B') {
      p->i++;
      return rnew(p, R_NWORDB);
    }
    if (e >= '1' && e <= '9') {
      /* \N refers to group N when the pattern has that many groups,
       * later ones too; a first reading that has not yet seen them takes
       * it as a reference and asks for a second (parse_pattern()). */
      size_t digits = p->i;
      int v;
      parse_int(p, &v);
      int groups = p->known_groups >= 0 ? p->known_groups : p->ngroups;
      if (v <= groups || p->known_groups < 0) {
        if (v > groups) p->saw_high_escape = 1;
        r = rnew(p, R_BACKREF);
        r->group = v;
        return r;
      }
      p->i = digits;
    }
    /* without the u flag, \k is a plain k unless the pattern names a group */
    if (e == 'k') p->saw_k = 1;
    if (e == 'k' && p->named) {
      p->i++;
      r = rnew(p, R_BACKREF);
      r->group = named_reference(p);
      return r;
    }
    unsigned cat;
    uint32_t cp = parse_escape(p, &cat, 0);
    if (cat) {
      r = rnew(p, R_CLASS);
      r->cl = jn_alloc(p->a, sizeof(cls));
      memset(r->cl, 0, sizeof(cls));
      r->cl->cats = cat;
      return r;
    }
    r = rnew(p, R_CHAR);
    r->cp = cp;
    return r;
  }
  int lo, hi;
  if (ch == '*' || ch == '+' || ch == '?' || (ch == '{' && braced(p, &lo, &hi))) {
    p->err = "Nothing to repeat"; /* a quantifier with nothing before it: a** too */
    return NULL;
  }
  r = rnew(p, R_CHAR);
  r->cp = next_unit(p);
  return r;
}

static rnode *parse_seq(rparse *p) {
  rnode *seq = rnew(p, R_SEQ);
  while (p->pend || (p->i < p->n && p->s[p->i] != '|' && p->s[p->i] != ')')) {
    rnode *atom = parse_atom(p);
    if (p->err) return seq;
    do { /* one quantifier: another after it is parse_atom's error */
      /* a quantifier after a character past U+FFFF repeats its low surrogate */
      if (p->pend || p->i >= p->n) break;
      char q = p->s[p->i];
      int min, max;
      if (q == '*') {
        min = 0;
        max = -1;
        p->i++;
      } else if (q == '+') {
        min = 1;
        max = -1;
        p->i++;
      } else if (q == '?') {
        min = 0;
        max = 1;
        p->i++;
      } else if (q != '{' || !braced(p, &min, &max)) {
        break;
      }
      rnode *rep = rnew(p, R_REPEAT);
      rep->min = min;
      rep->max = max;
      rep->greedy = 1;
      if (p->i < p->n && p->s[p->i] == '?') {
        rep->greedy = 0;
        p->i++;
      }
      /* only a lookahead may take a quantifier (Annex B), never a lookbehind */
      if (atom->type == R_LOOK && atom->behind) {
        p->err = "Nothing to repeat";
        return seq;
      }
      rkid(p, rep, atom);
      atom = rep;
      if (min > 1000 || max > 1000) {
        p->err = "Repetition count too large";
        return seq;
      }
    } while (0);
    rkid(p, seq, atom);
  }
  return seq;
}

static rnode *parse_alt(rparse *p) {
  rnode *first = parse_seq(p);
  if (p->err || p->i >= p->n || p->s[p->i] != '|') return first;
  rnode *alt = rnew(p, R_ALT);
  rkid(p, alt, first);
  while (p->i < p->n && p->s[p->i] == '|') {
    p->i++;
    rkid(p, alt, parse_seq(p));
    if (p->err) break;
  }
  return alt;
}

/* ---- code generation ---- */
typedef struct emit {
  jn_arena *a;
  inst *prog;
  int n, cap;
  int nmarks;
} emit;

static int put(emit *e, int op) {
  if (e->n == e->cap) {
    int cap = e->cap ? e->cap * 2 : 32;
    inst *np = jn_alloc(e->a, (size_t)cap * sizeof *np);
    if (e->n) memcpy(np, e->prog, (size_t)e->n * sizeof *np);
    e->prog = np;
    e->cap = cap;
  }
  memset(&e->prog[e->n], 0, sizeof(inst));
  e->prog[e->n].op = op;
  return e->n++;
}

/* back: the code matches right to left, as a lookbehind's body does
 * (ECMAScript's direction -1): a sequence's last element first, each
 * character read before the position. */
static void gen(emit *e, rnode *r, int back);

/* Counted repetition copies its operand, so nesting multiplies program size:
   ((a{1000}){1000}){1000} would need 10^9 instructions. Compilation counts
   first, saturating at the cap, and refuses what would not fit. */
enum { REGEX_MAX_INSTS = 100000 };

static long prog_size(const rnode *r) {
  long n = 0;
  switch (r->type) {
  case R_GROUP: n = 2 + prog_size(r->kids[0]); break;
  case R_NCGROUP: n = prog_size(r->kids[0]); break;
  case R_LOOK: n = 2 + prog_size(r->kids[0]); break;
  case R_SEQ:
  case R_ALT:
    for (int i = 0; i < r->nkids && n <= REGEX_MAX_INSTS; i++) n += prog_size(r->kids[i]) + (r->type == R_ALT ? 2 : 0);
    break;
  case R_REPEAT: {
    long kid = prog_size(r->kids[0]);
    long copies = r->max < 0 ? r->min + 1 : r->max;
    n = (kid + 5) * (copies > 0 ? copies : 1);
    break;
  }
  default: n = 1; break;
  }
  return n > REGEX_MAX_INSTS ? REGEX_MAX_INSTS + 1 : n;
}

/* The first and last capturing groups within r (*last < *first: none). */
static void groups_in(const rnode *r, int *first, int *last) {
  if (r->type == R_GROUP) {
    if (r->group < *first) *first = r->group;
    if (r->group > *last) *last = r->group;
  }
  for (int i = 0; i < r->nkids; i++) groups_in(r->kids[i], first, last);
}

/* One iteration of a quantified atom: as ECMAScript's RepeatMatcher does,
 * it first forgets what its groups captured in the iteration before, so
 * /((a)|b)*y/ on "aby" leaves group 2 unset, not "a". */
static void gen_iteration(emit *e, rnode *kid, int back) {
  int first = INT_MAX, last = 0;
  groups_in(kid, &first, &last);
  if (first <= last) {
    int k = put(e, I_RESET);
    e->prog[k].x = first;
    e->prog[k].y = last;
  }
  gen(e, kid, back);
}

/* The mark a repeat's optional iterations check their progress with: one
 * per repeat, shared by its copies (and by the copies of a repeat inside
 * another), which never need it at once; a mark set since is set back on
 * backtracking into an earlier one. */
static int repeat_mark(emit *e, rnode *r) {
  if (!r->mark) r->mark = ++e->nmarks;
  return r->mark - 1;
}

/* One iteration past the repeat's minimum, which (ECMAScript's
 * RepeatMatcher) fails if it matched the empty string: (a?)? leaves its
 * group unset, and (.*?){0,2} cannot repeat an empty match. */
static void gen_optional_iteration(emit *e, rnode *r, int back) {
  int mark = repeat_mark(e, r);
  int m = put(e, I_MARK);
  e->prog[m].x = mark;
  gen_iteration(e, r->kids[0], back);
  int pr = put(e, I_PROG);
  e->prog[pr].x = mark;
}

static void gen_star(emit *e, rnode *r, int back) {
  int l0 = put(e, I_SPLIT);
  gen_optional_iteration(e, r, back);
  int j = put(e, I_JMP);
  e->prog[j].x = l0;
  int l3 = e->n;
  e->prog[l0].x = r->greedy ? l0 + 1 : l3;
  e->prog[l0].y = r->greedy ? l3 : l0 + 1;
}

static void gen_opt(emit *e, rnode *r, int back) {
  int s = put(e, I_SPLIT);
  gen_optional_iteration(e, r, back);
  int end = e->n;
  e->prog[s].x = r->greedy ? s + 1 : end;
  e->prog[s].y = r->greedy ? end : s + 1;
}

/* An instruction that reads a unit (or a backreference's units). */
static int put_read(emit *e, int op, int back) {
  int k = put(e, op);
  e->prog[k].back = back;
  return k;
}

static void gen(emit *e, rnode *r, int back) {
  switch (r->type) {
  case R_CHAR: {
    int k = put_read(e, I_CHAR, back);
    e->prog[k].cp = r->cp;
    break;
  }
  case R_ANY: put_read(e, I_ANY, back); break;
  case R_CLASS: {
    int k = put_read(e, I_CLASS, back);
    e->prog[k].cl = r->cl;
    break;
  }
  case R_BOL: put(e, I_BOL); break;
  case R_EOL: put(e, I_EOL); break;
  case R_WORDB: put(e, I_WORDB); break;
  case R_NWORDB: put(e, I_NWORDB); break;
  case R_BACKREF: {
    int k = put_read(e, I_BACKREF, back);
    e->prog[k].x = r->group;
    break;
  }
  case R_GROUP: {
    /* matching right to left meets the group's end first */
    int k = put(e, I_SAVE);
    e->prog[k].x = 2 * r->group + back;
    gen(e, r->kids[0], back);
    k = put(e, I_SAVE);
    e->prog[k].x = 2 * r->group + !back;
    break;
  }
  case R_NCGROUP: gen(e, r->kids[0], back); break;
  case R_LOOK: {
    int k = put(e, I_LOOK);
    e->prog[k].x = r->neg;
    gen(e, r->kids[0], r->behind);
    put(e, I_MATCH);
    e->prog[k].y = e->n;
    break;
  }
  case R_SEQ:
    for (int i = 0; i < r->nkids; i++) gen(e, r->kids[back ? r->nkids - 1 - i : i], back);
    break;
  case R_ALT: {
    /* Each alternative but the last ends in a jump to the end; until the end
       is known, each jump's target holds the previous jump (-1 ends the chain). */
    int last_jump = -1;
    for (int i = 0; i < r->nkids; i++) {
      if (i < r->nkids - 1) {
        int s = put(e, I_SPLIT);
        e->prog[s].x = s + 1;
        gen(e, r->kids[i], back);
        int j = put(e, I_JMP);
        e->prog[j].x = last_jump;
        last_jump = j;
        e->prog[s].y = e->n;
      } else {
        gen(e, r->kids[i], back);
      }
    }
    while (last_jump >= 0) {
      int prev = e->prog[last_jump].x;
      e->prog[last_jump].x = e->n;
      last_jump = prev;
    }
    break;
  }
  case R_REPEAT: {
    for (int i = 0; i < r->min; i++) gen_iteration(e, r->kids[0], back);
    if (r->max < 0) {
      gen_star(e, r, back);
    } else {
      for (int i = r->min; i < r->max; i++) gen_opt(e, r, back);
    }
    break;
  }
  }
}

/* The pattern's tree. Whether \k is a reference depends on named groups
 * anywhere in the pattern, and whether \N is one on how many groups it
 * has, later ones too: a pattern that needs either is read a second time,
 * knowing every group. */
static rnode *parse_pattern(rparse *p) {
  rnode *root = parse_alt(p);
  if (!p->err && p->i < p->n) p->err = "Unmatched ')'";
  if (!p->err && p->ngroups > REGEX_MAX_GROUPS) p->err = "Too many capturing groups";
  const int names = !p->named && p->saw_k && p->nnamed;
  const int numbers = p->known_groups < 0 && p->saw_high_escape;
  if (p->err || (!names && !numbers)) return root;
  if (names) {
    p->named = 1;
    p->nnames_known = p->ngroups;
  }
  p->known_groups = p->ngroups;
  p->i = 0;
  p->pend = 0;
  p->ngroups = p->nnamed = 0;
  return parse_pattern(p);
}

jn_regex *jn_regex_compile(jn_arena *a, const char *pat, size_t len, const char *flags, char *errbuf, size_t errcap) {
  rparse p = {.a = a, .s = pat, .n = len, .known_groups = -1};
  rnode *root = parse_pattern(&p);
  if (p.err) {
    snprintf(errbuf, errcap, "%s", p.err);
    return NULL;
  }
  if (prog_size(root) + 3 > REGEX_MAX_INSTS) {
    snprintf(errbuf, errcap, "Pattern too complex");
    return NULL;
  }
  emit e = {a, NULL, 0, 0, 0};
  int k = put(&e, I_SAVE);
  e.prog[k].x = 0;
  gen(&e, root, 0);
  k = put(&e, I_SAVE);
  e.prog[k].x = 1;
  put(&e, I_MATCH);
  if (e.nmarks > 256) {
    snprintf(errbuf, errcap, "Pattern too complex");
    return NULL;
  }
  jn_regex *re = jn_alloc(a, sizeof *re);
  re->prog = e.prog;
  re->n = e.n;
  re->ngroups = p.ngroups;
  re->nmarks = e.nmarks;
  re->icase = strchr(flags, 'i') != NULL;
  re->multiline = strchr(flags, 'm') != NULL;
  return re;
}

int jn_regex_ngroups(const jn_regex *re) { return re->ngroups; }

/* ---- matching ---- */
/* A backtracking point: an alternative to resume (BT_BRANCH, at pc x
 * and position sp), or a capture or mark to set back to old when the
 * match goes back past where it was set. */
enum { BT_BRANCH, BT_CAP, BT_MARK };
typedef struct bt {
  int kind, x, old;
  size_t sp;
} bt;

/* The points live on a stack of their own, not the C stack: a loop such
 * as (a|b)* leaves one behind for each character it takes, and recursing
 * for each overflowed the stack within some thousands of characters. */
typedef struct vm {
  const jn_regex *re;
  const char *s;
  size_t n;
  int *caps;
  int *marks;
  long budget;
  bt *st;
  size_t nst, cst;
  bt st_in[64];
} vm;

/* JavaScript's Canonicalize for a case-insensitive regex without the u
 * flag: the upper case of a UTF-16 code unit when that is one code unit,
 * and never from beyond ASCII into it ("ſ" stays). A character past U+FFFF
 * is two units, each its own. */
static uint32_t canon(uint32_t c) {
  uint32_t up[3];
  if (c > 0xFFFF || jn_case_full(c, 1, up) != 1 || up[0] > 0xFFFF) return c;
  return c >= 128 && up[0] < 128 ? c : up[0];
}

static int is_word(uint32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

static int is_space(uint32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

static int cls_match(const cls *cl, uint32_t c, int icase) {
  int in = 0;
  for (int i = 0; i < cl->n && !in; i++) {
    if (c >= cl->lo[i] && c <= cl->hi[i]) in = 1;
    else if (icase) {
      /* A member with c's canonical form: c's own case partners, each
       * checked, and the other units with that form. */
      uint32_t k = canon(c), alt[3] = {k, jn_case_simple(k, 0), jn_case_simple(c, 0)};
      for (int j = 0; j < 3 && !in; j++)
        in = alt[j] >= cl->lo[i] && alt[j] <= cl->hi[i] && canon(alt[j]) == k;
      for (size_t j = 0; j < jn_canon_nothers && !in; j++)
        in = jn_canon_others[j].canon == k && jn_canon_others[j].other >= cl->lo[i] &&
             jn_canon_others[j].other <= cl->hi[i];
    }
  }
  unsigned k = cl->cats;
  if (!in && k) {
    int d = c >= '0' && c <= '9';
    if (((k & 1) && d) || ((k & 2) && !d) || ((k & 4) && is_word(c)) || ((k & 8) && !is_word(c)) ||
        ((k & 16) && is_space(c)) || ((k & 32) && !is_space(c)))
      in = 1;
  }
  return cl->neg ? !in : in;
}

/* JavaScript's line terminators, which "." does not match and ^ and $
 * meet under the m flag. */
static int line_end(uint32_t c) { return c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029; }

/* A position in a subject is twice a byte offset, plus one between the two
 * UTF-16 units of the character past U+FFFF starting at that byte. The unit
 * at position p: 0 at the end, else 1 with the unit in *u and the position
 * after it in *next. */
static int unit_at(const char *s, size_t n, size_t p, uint32_t *u, size_t *next) {
  size_t i = p >> 1;
  if (i >= n) return 0;
  uint32_t cp = jn_utf8_next(s, n, &i);
  if (cp <= 0xFFFF) *u = cp;
  else if (p & 1) *u = 0xDC00 + ((cp - 0x10000) & 0x3FF);
  else *u = 0xD800 + ((cp - 0x10000) >> 10);
  *next = cp > 0xFFFF && !(p & 1) ? p | 1 : 2 * i;
  return 1;
}

/* The unit ending at position p: 0 at the start, else 1 with the unit in
 * *u and the position before it in *prev. */
static int unit_before(const char *s, size_t n, size_t p, uint32_t *u, size_t *prev) {
  if (p == 0) return 0;
  size_t i = (p >> 1) - !(p & 1);
  while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80) i--;
  size_t start = i;
  uint32_t cp = jn_utf8_next(s, n, &i);
  if (cp <= 0xFFFF) *u = cp;
  else if (p & 1) *u = 0xD800 + ((cp - 0x10000) >> 10);
  else *u = 0xDC00 + ((cp - 0x10000) & 0x3FF);
  *prev = 2 * start + (cp > 0xFFFF && !(p & 1));
  return 1;
}

/* The unit after position p, or before it when reading right to left. */
static int unit_step(const char *s, size_t n, size_t p, int back, uint32_t *u, size_t *next) {
  return back ? unit_before(s, n, p, u, next) : unit_at(s, n, p, u, next);
}

/* Whether the units of x from position x0 to x1 come in y at *yp (which
 * moves past them if so), or end at *yp when reading right to left; case
 * folded under the i flag as JavaScript compares. */
static int same_units(const char *x, size_t xn, size_t x0, size_t x1, const char *y, size_t yn, size_t *yp, int back,
                      int icase) {
  size_t q = back ? x1 : x0, at = *yp;
  while (back ? q > x0 : q < x1) {
    uint32_t a, b;
    size_t qn, an;
    unit_step(x, xn, q, back, &a, &qn);
    if (!unit_step(y, yn, at, back, &b, &an) || (a != b && !(icase && canon(a) == canon(b)))) return 0;
    q = qn;
    at = an;
  }
  *yp = at;
  return 1;
}

/* Pushes a backtracking point; out of memory, it ends the match as the
 * step budget does (no match). */
static void push(vm *m, int kind, int x, int old, size_t sp) {
  if (m->nst == m->cst) {
    size_t cap = 2 * m->cst;
    bt *st = m->st == m->st_in ? malloc(cap * sizeof *st) : realloc(m->st, cap * sizeof *st);
    if (!st) {
      m->budget = -1;
      return;
    }
    if (m->st == m->st_in) memcpy(st, m->st_in, sizeof m->st_in);
    m->st = st;
    m->cst = cap;
  }
  m->st[m->nst++] = (bt){kind, x, old, sp};
}

/* Goes back to the latest alternative above base, setting back what was
 * set since: 0 when there is none (or the budget is spent). */
static int backtrack(vm *m, size_t base, int *pc, size_t *sp) {
  while (m->nst > base) {
    const bt *b = &m->st[--m->nst];
    if (b->kind == BT_CAP) m->caps[b->x] = b->old;
    else if (b->kind == BT_MARK) m->marks[b->x] = b->old;
    else if (m->budget >= 0) {
      *pc = b->x;
      *sp = b->sp;
      return 1;
    }
  }
  return 0;
}

/* Whether the program matches from pc at sp: what it sets stays set on a
 * match (its points above base are dropped), and is set back otherwise. */
static int run(vm *m, int pc, size_t sp) {
  const size_t base = m->nst;
  for (;;) {
    int ok = 1;
    if (--m->budget < 0) {
      backtrack(m, base, &pc, &sp);
      return 0;
    }
    const inst *in = &m->re->prog[pc];
    uint32_t c;
    size_t next;
    switch (in->op) {
    case I_MATCH:
      m->caps[1] = (int)sp;
      m->nst = base;
      return 1;
    case I_CHAR:
      ok = unit_step(m->s, m->n, sp, in->back, &c, &next) &&
           (c == in->cp || (m->re->icase && canon(c) == canon(in->cp)));
      if (ok) sp = next;
      pc++;
      break;
    case I_ANY:
      ok = unit_step(m->s, m->n, sp, in->back, &c, &next) && !line_end(c);
      if (ok) sp = next;
      pc++;
      break;
    case I_CLASS:
      ok = unit_step(m->s, m->n, sp, in->back, &c, &next) && cls_match(in->cl, c, m->re->icase);
      if (ok) sp = next;
      pc++;
      break;
    /* Between a character's surrogates is neither a line's start nor end. */
    case I_BOL:
      ok = sp == 0 || (m->re->multiline && unit_before(m->s, m->n, sp, &c, &next) && line_end(c));
      pc++;
      break;
    case I_EOL:
      ok = sp == 2 * m->n || (m->re->multiline && unit_at(m->s, m->n, sp, &c, &next) && line_end(c));
      pc++;
      break;
    case I_WORDB:
    case I_NWORDB: {
      /* a surrogate is no word character */
      int a = unit_before(m->s, m->n, sp, &c, &next) && is_word(c);
      int b = unit_at(m->s, m->n, sp, &c, &next) && is_word(c);
      ok = (a != b) == (in->op == I_WORDB);
      pc++;
      break;
    }
    case I_JMP: pc = in->x; break;
    case I_SPLIT:
      push(m, BT_BRANCH, in->y, 0, sp);
      pc = in->x;
      break;
    case I_SAVE:
      if (in->x != 1) push(m, BT_CAP, in->x, m->caps[in->x], 0);
      m->caps[in->x] = (int)sp;
      pc++;
      break;
    case I_MARK:
      push(m, BT_MARK, in->x, m->marks[in->x], 0);
      m->marks[in->x] = (int)sp;
      pc++;
      break;
    case I_PROG:
      ok = m->marks[in->x] != (int)sp;
      pc++;
      break;
    case I_RESET:
      for (int k = 2 * in->x; k <= 2 * in->y + 1; k++) {
        push(m, BT_CAP, k, m->caps[k], 0);
        m->caps[k] = -1;
      }
      pc++;
      break;
    case I_BACKREF: {
      int g = in->x;
      int b0 = g <= m->re->ngroups ? m->caps[2 * g] : -1, b1 = g <= m->re->ngroups ? m->caps[2 * g + 1] : -1;
      ok = !(b0 >= 0 && b1 >= b0) ||
           same_units(m->s, m->n, (size_t)b0, (size_t)b1, m->s, m->n, &sp, in->back, m->re->icase);
      pc++;
      break;
    }
    case I_LOOK: {
      /* a lookaround nests one run (as deep as lookarounds nest) */
      int ncap = 2 * (m->re->ngroups + 1);
      int saved[64];
      memcpy(saved, m->caps, (size_t)(ncap < 64 ? ncap : 64) * sizeof(int));
      int save1 = m->caps[1];
      int found = run(m, pc + 1, sp);
      m->caps[1] = save1;
      if (in->x) {
        memcpy(m->caps, saved, (size_t)(ncap < 64 ? ncap : 64) * sizeof(int));
      } else if (found) {
        /* No backtracking into a lookaround, but what it captured is set
         * back with whatever fails after it: (?=(a))x|a leaves group 1
         * unset when it answers through the second alternative. */
        for (int k = 2; k < ncap && k < 64; k++)
          if (m->caps[k] != saved[k]) push(m, BT_CAP, k, saved[k], 0);
      }
      ok = in->x ? !found : found;
      pc = in->y;
      break;
    }
    }
    if (!ok && !backtrack(m, base, &pc, &sp)) return 0;
  }
}

int jn_regex_exec(const jn_regex *re, const char *s, size_t len, size_t from, int *caps) {
  int ncap = 2 * (re->ngroups + 1);
  int marks[256];
  vm m = {re, s, len, caps, marks, JN_REGEX_STEPS, NULL, 0, 64, {{0}}};
  m.st = m.st_in;
  /* JavaScript tries each code unit in turn, the middle of a character
   * past U+FFFF too */
  int found = 0;
  for (size_t st = from; !found;) {
    for (int i = 0; i < ncap && i < 40; i++) caps[i] = -1;
    for (int i = 0; i < re->nmarks && i < 256; i++) marks[i] = -1;
    caps[0] = (int)st;
    found = run(&m, 1, st);
    caps[0] = (int)st;
    uint32_t u;
    if (!found && m.budget < 0) found = -1;
    if (!found && !unit_at(s, len, st, &u, &st)) break;
  }
  if (m.st != m.st_in) free(m.st);
  return found;
}

long jn_units_find(const char *s, size_t n, size_t from, const char *needle, size_t nn, size_t *end) {
  uint32_t u;
  for (size_t p = from;;) {
    size_t at = p;
    if (same_units(needle, nn, 0, 2 * nn, s, n, &at, 0, 0)) {
      *end = at;
      return (long)p;
    }
    if (!unit_at(s, n, p, &u, &p)) return -1;
  }
}

size_t jn_units_next(const char *s, size_t n, size_t pos) {
  uint32_t u;
  size_t next;
  return unit_at(s, n, pos, &u, &next) ? next : pos;
}

size_t jn_regex_units(const char *s, size_t pos) { return jn_utf16_len(s, pos >> 1) + (pos & 1); }

size_t jn_regex_pos(const char *s, size_t n, size_t units) {
  size_t p = 0, k = 0;
  uint32_t u;
  while (k < units && unit_at(s, n, p, &u, &p)) k++;
  return p;
}

void jn_regex_add(jn_buf *b, const char *s, size_t n, size_t from, size_t to) {
  uint32_t u;
  size_t next;
  if (from < to && (from & 1) && unit_at(s, n, from, &u, &next)) {
    jn_buf_utf8(b, u);
    from = next;
  }
  size_t whole = to & ~(size_t)1;
  if (from < whole) jn_buf_add(b, s + (from >> 1), (whole - from) >> 1);
  if (from <= whole && (to & 1) && unit_at(s, n, whole, &u, &next)) jn_buf_utf8(b, u);
}

jn_val *jn_regex_text(jn_ctx *c, const char *s, size_t n, size_t from, size_t to) {
  if (!((from | to) & 1)) return jn_str(c, s + (from >> 1), to > from ? (to - from) >> 1 : 0);
  jn_buf b;
  jn_buf_init(&b, c);
  jn_regex_add(&b, s, n, from, to);
  return jn_buf_val(&b);
}

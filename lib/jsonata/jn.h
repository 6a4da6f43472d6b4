/* Internal to lib/jsonata: the value model (JSONata values: JSON plus
 * functions, sequences and "undefined" = NULL), the per-evaluation arena,
 * the AST, errors (longjmp to the entry point) and the evaluator's entry
 * points shared by the function library. */
#ifndef AEV_JSONATA_JN_H
#define AEV_JSONATA_JN_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* ---- arena: every value of one evaluation lives here, freed at once ---- */
typedef struct jn_chunk jn_chunk;
typedef struct jn_arena {
  jn_chunk *head;
  char *ptr, *end;
  /* Raises out of memory in whatever uses the arena (the parser, an
   * evaluation: each sets its own) when a chunk cannot be allocated; never
   * returns. */
  void (*oom)(void *ctx);
  void *oom_ctx;
} jn_arena;

void *jn_alloc_grow(jn_arena *a, size_t n);
/* inline: evaluation allocates many small values, nearly all from the
 * current chunk */
static inline void *jn_alloc(jn_arena *a, size_t n) {
  n = (n + 15) & ~(size_t)15;
  if ((size_t)(a->end - a->ptr) < n) return jn_alloc_grow(a, n);
  void *p = a->ptr;
  a->ptr += n;
  return p;
}
void jn_arena_free(jn_arena *a);

/* ---- errors ---- */
typedef struct jn_error {
  char code[8];
  int position;
  char message[512];
} jn_error;

/* ---- values ---- */
enum { JN_NULL, JN_BOOL, JN_NUM, JN_STR, JN_ARR, JN_OBJ, JN_FUNC };
/* array flags, as jsonata-js marks its arrays */
enum {
  JN_SEQ = 1,        /* a sequence (result of a path), unwrapped when singleton */
  JN_KEEP = 2,       /* keepSingleton: `[]` was used */
  JN_CONS = 4,       /* built by an array constructor: not flattened */
  JN_OUTER = 8,      /* the input array wrapped as the outer sequence */
  JN_TUPLES = 16,    /* a tuple stream (focus/index bindings) */
};

typedef struct jn_val jn_val;
typedef struct jn_func jn_func;

typedef struct jn_obj {
  const char **keys;
  size_t *klen;
  jn_val **vals;
  size_t n, cap;
  int32_t *index; /* open-addressing hash of positions (n > 8), or NULL */
  size_t icap;
  /* An object read from jansson is converted lazily: members are converted
   * when looked up (cached in keys/vals) and all of them when the object is
   * iterated (jn_force). `orig` stays set while the object is exactly its
   * jansson source, so writing it out is a json_incref. */
  json_t *src, *orig;
  struct jn_ctx *lc;
} jn_obj;

struct jn_val {
  uint8_t type;
  uint8_t flags;
  union {
    double num;
    int b;
    struct {
      const char *s;
      size_t len;
      json_t *src; /* the jansson string these bytes are borrowed from, or NULL */
    } str;
    struct {
      jn_val **items;
      size_t n, cap;
    } arr;
    jn_obj obj;
    jn_func *fn;
  } u;
};

extern jn_val jn_null_v, jn_true_v, jn_false_v, jn_hole_v;
#define JN_NULLV (&jn_null_v)
#define JN_BOOLV(x) ((x) ? &jn_true_v : &jn_false_v)
/* An undefined item of an array: jsonata-js's $match gives an unmatched
 * group as undefined in its groups array, and a predicate on nothing
 * keeps one (see predicates() in eval.c). Anything that only holds or
 * writes the array sees a null (JSON.stringify writes null there);
 * wherever the item itself becomes a value (a context, an argument, a
 * variable, a path's single result) it is undefined. */
#define JN_HOLE (&jn_hole_v)
static inline jn_val *jn_unhole(jn_val *v) { return v == JN_HOLE ? NULL : v; }

/* ---- AST ---- */
typedef struct jn_node jn_node;
typedef struct jn_sig jn_sig;

enum {
  N_PATH, N_BINARY, N_UNARY_MINUS, N_ARRAY, N_OBJECT, N_NAME, N_STRING, N_NUMBER,
  N_VALUE, N_WILDCARD, N_DESCENDANT, N_PARENT, N_CONDITION, N_BLOCK, N_BIND, N_REGEX,
  N_FUNCTION, N_PARTIAL, N_VARIABLE, N_LAMBDA, N_APPLY, N_TRANSFORM, N_SORT,
  N_PLACEHOLDER, N_COALESCE, N_ELVIS,
  /* parse-only node kinds */
  N_OPERATOR, N_GROUPBY_RAW, N_SORT_RAW
};

typedef struct jn_stage {
  int is_index;          /* 0: filter expr, 1: index binding name */
  jn_node *expr;
  const char *name;
  int position;
} jn_stage;

typedef struct jn_pair {
  jn_node *k, *v;
} jn_pair;

typedef struct jn_group {
  jn_pair *pairs;
  size_t n;
  int position;
} jn_group;

typedef struct jn_sortterm {
  jn_node *expr;
  int descending;
} jn_sortterm;

/* A parent-operator (%) binding: the label the tuple stream binds the
 * ancestor under, and how many steps up it still is while resolving. */
typedef struct jn_slot {
  const char *label;
  int level;
  int index;
} jn_slot;

struct jn_node {
  int type;
  int position;
  const char *op;      /* operator text / name / variable / string value */
  size_t slen;         /* string length for N_STRING / N_NAME */
  double num;
  jn_val *value;       /* N_VALUE/N_STRING/N_NUMBER literal value */
  jn_node *lhs, *rhs;  /* binary; condition: lhs=cond, rhs=then, els=else */
  jn_node *els;
  jn_node **items;     /* path steps, array items, block expressions, args */
  size_t nitems, capitems;
  jn_pair *pairs;      /* object constructor */
  size_t npairs;
  jn_sortterm *terms;  /* sort */
  size_t nterms;
  jn_stage *stages;    /* stages (in a path) or predicates (standalone) */
  size_t nstages, capstages;
  int stages_are_predicates;
  jn_group *group;
  const char *focus;   /* @$x */
  const char *index;   /* #$i */
  int tuple;
  int keep_array;
  int keep_singleton;  /* path: keepSingletonArray */
  int consarray;
  int thunk;           /* lambda body converted to a tail call */
  jn_sig *sig;         /* lambda signature */
  struct jn_regex *re;
  jn_slot *anc;        /* this step binds its context for a % (label) */
  jn_slot *slot;       /* N_PARENT: the binding it reads */
  jn_slot **seek;      /* unresolved % bindings inside this expression */
  size_t nseek, capseek;
  int simple_path;     /* path of plain names (after an optional variable) */
  /* N_VARIABLE naming a built-in function, resolved at compile time for
   * both profiles ([1] = Step Functions) with its parsed signature; used
   * when no binding shadows the name */
  const struct jn_builtin *builtin[2];
  jn_sig *builtin_sig[2];
};

/* ---- functions ---- */
typedef struct jn_env jn_env;
typedef struct jn_ctx jn_ctx;
typedef jn_val *(*jn_native)(jn_ctx *c, jn_val **args, int nargs, jn_val *input);

typedef struct jn_builtin {
  const char *name;
  const char *signature;
  jn_native fn;
} jn_builtin;

enum { F_LAMBDA, F_NATIVE, F_PARTIAL, F_REGEX, F_TRANSFORM, F_CHAIN };
struct jn_func {
  int kind;
  const jn_node *node;   /* lambda / transform definition */
  jn_env *env;
  jn_val *input;
  const jn_builtin *native;
  jn_sig *sig;
  jn_val *target;        /* partial / chain first */
  jn_val *second;        /* chain second */
  jn_val **args;         /* partial args; NULL entries with hole[i] */
  char *hole;
  int nargs;
  struct jn_regex *re;
};

struct jn_env {
  jn_env *parent;
  const char **names;
  jn_val **vals;
  int n, cap;
};

/* ---- evaluation context ---- */
struct jn_ctx {
  jn_arena *arena;
  jmp_buf *jmp;
  jn_error *err;
  int depth, max_depth;
  int64_t deadline_ms;   /* 0 = none */
  size_t max_string;     /* bytes a string may hold, JN_MAX_STRING at most */
  unsigned ticks;
  int64_t now_ms;        /* $now/$millis: fixed per evaluation; read the
                          * clock on first use (jn_ctx_now_ms) */
  uint64_t rng;          /* 0 until first use (jn_ctx_rng) */
  jn_env *global;
  int cur_pos;           /* position of the function call being run */
  int states_profile;    /* Step Functions additions ($uuid, $hash, ...) */
};

/* The code of an error raised for want of memory: the entry points answer
 * AEV_ERR_NOMEM for it. */
#define JN_OUT_OF_MEMORY "NOMEM"

/* The longest string an evaluation builds, in bytes: V8's limit on a
 * string's length (0x1FFFFFE8 UTF-16 units on 64-bit), beyond which
 * jsonata-js fails too ("Invalid string length"). A longer one is
 * refused (U1001, jn_too_long()): without a bound, $pad("x", 1e12) wrote
 * until the process was killed for want of memory. */
#define JN_MAX_STRING 0x1FFFFFE8u
void jn_too_long(jn_ctx *c) __attribute__((noreturn));

/* Raises a JSONata error: never returns. */
void jn_throw(jn_ctx *c, const char *code, int position, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 4, 5)));

/* value constructors (arena) */
jn_val *jn_num(jn_ctx *c, double d);
jn_val *jn_str(jn_ctx *c, const char *s, size_t len);
jn_val *jn_strz(jn_ctx *c, const char *s);
jn_val *jn_arr(jn_ctx *c, size_t cap);
jn_val *jn_seq(jn_ctx *c);
void jn_push(jn_ctx *c, jn_val *arr, jn_val *v);
jn_val *jn_objv(jn_ctx *c);
jn_val *jn_get(const jn_val *obj, const char *key, size_t klen);
/* key_stable: the key bytes outlive the evaluation (AST text), so a cached
 * member may keep them instead of a copy */
jn_val *jn_get_key(const jn_val *obj, const char *key, size_t klen, int key_stable);
/* a member of a jansson object, or NULL (borrowed) */
json_t *jn_json_member(json_t *o, const char *key, size_t klen);
/* Walks the plain names path->items[from..] (a simple_path) through jansson
 * objects: the value reached (borrowed), or NULL when it is undefined or
 * when an array is met, which sets *general (sequence semantics apply). */
json_t *jn_json_walk(const jn_node *path, size_t from, json_t *j, int *general);
/* converts every member of a lazily converted object (see jn_obj) */
void jn_force(const jn_val *v);
void jn_set(jn_ctx *c, jn_val *obj, const char *key, size_t klen, jn_val *v);
void jn_del(jn_ctx *c, jn_val *obj, const char *key, size_t klen);
jn_val *jn_funcv(jn_ctx *c, jn_func *f);
char *jn_strdup(jn_ctx *c, const char *s, size_t len);

/* conversions (jn_from_json borrows string bytes and keys from j) */
jn_val *jn_from_json(jn_ctx *c, json_t *j);
/* a deep copy whose strings and keys live in the arena */
jn_val *jn_clone_deep_strings(jn_ctx *c, jn_val *v);
/* v as a new jansson value: 0 with *out set (NULL when v is undefined, and
 * for what jansson cannot hold: a string of bad UTF-8, an infinity; an
 * undefined element or member is left out), or -1 when jansson ran out of
 * memory, with *out NULL. */
int jn_to_json(const jn_val *v, json_t **out);
/* a JSONata number as JSON: an integer when it is one exactly */
json_t *jn_num_to_json(double d);

/* text building */
typedef struct jn_buf {
  jn_ctx *c;
  char *p;
  size_t n, cap;
} jn_buf;
void jn_buf_init(jn_buf *b, jn_ctx *c);
/* Room for n more bytes (and the NUL), or U1001 past the length limit. */
void jn_buf_reserve(jn_buf *b, size_t n);
void jn_buf_add(jn_buf *b, const char *s, size_t n);
void jn_buf_addz(jn_buf *b, const char *s);
void jn_buf_addc(jn_buf *b, char ch);
void jn_buf_utf8(jn_buf *b, uint32_t cp);
jn_val *jn_buf_val(jn_buf *b);

/* JS number formatting: shortest round trip (Number.prototype.toString) */
void jn_fmt_number(double d, char *out, size_t cap);
/* JSON.stringify-like serialisation; precision15 applies $string's
 * toPrecision(15); indent 0 = compact. */
void jn_serialize(jn_buf *b, const jn_val *v, int precision15, int indent);

/* predicates */
int jn_is_seq(const jn_val *v);
/* The input array itself where v is its outer wrapping (JN_OUTER), as
 * jsonata-js's `$`, wildcards and JSON text see it; else v. */
jn_val *jn_unouter(jn_val *v);
int jn_is_array(const jn_val *v);
int jn_is_numeric(jn_ctx *c, const jn_val *v, int position);
int jn_truthy(jn_ctx *c, const jn_val *v);
int jn_deep_equal(const jn_val *a, const jn_val *b);
int jn_is_int(double d);

/* evaluator */
jn_val *jn_eval(jn_ctx *c, const jn_node *n, jn_val *input, jn_env *env);
jn_val *jn_apply(jn_ctx *c, jn_val *fn, jn_val **args, int nargs, jn_val *input, int position);
int jn_arity(const jn_val *fn);
jn_env *jn_env_new(jn_ctx *c, jn_env *parent);
void jn_env_bind(jn_ctx *c, jn_env *e, const char *name, jn_val *v);
jn_val *jn_env_lookup(jn_env *e, const char *name, int *found);
jn_val *jn_append(jn_ctx *c, jn_val *a, jn_val *b);
jn_val *jn_unwrap_seq(jn_val *v);

/* aev__jsonata_eval_json's shortcut for a plain path (direct.c): returns 1
 * with *out set (a new reference, NULL = undefined) when it resolved the
 * expression on jansson, 0 when the evaluator must run */
int jn_direct_eval(const jn_node *ast, json_t *input, json_t *bindings, json_t **out);

/* parser */
jn_node *jn_parse(jn_arena *a, const char *src, size_t len, jn_error *err);
/* The position of the first ?: or ?? in the expression (JSONata 2.1's
 * operators, which 2.0.6 and so Step Functions refuse), or -1. */
int jn_newer_operator_at(jn_node *root);
/* The position of the first reference to the variable $var (var "$" for
 * $$), or with field set of the first path $var.field..., or -1. */
int jn_reads_at(jn_node *root, const char *var, const char *field);

/* signatures */
jn_sig *jn_sig_parse(jn_arena *a, const char *text, int *bad_offset);
int jn_sig_params(const jn_sig *s);
jn_val **jn_sig_validate(jn_ctx *c, const jn_sig *s, jn_val **args, int *nargs, jn_val *context, int position);

/* builtins */
const jn_builtin *jn_builtin_find(const char *name);
/* the function a name denotes in this evaluation's profile, or NULL */
const jn_builtin *jn_builtin_lookup(const jn_ctx *c, const char *name);
const jn_builtin *jn_builtin_lookup_profile(int states_profile, const char *name);
extern const jn_builtin jn_builtins[];
extern const jn_builtin jn_states_builtins[];
void jn_bind_builtins(jn_ctx *c, jn_env *env);

/* regex */
typedef struct jn_regex jn_regex;
jn_regex *jn_regex_compile(jn_arena *a, const char *pat, size_t len, const char *flags, char *errbuf, size_t errcap);
/* Finds the first match at or after position `from`. Returns 1 and fills
 * caps[0..2*ncap) with positions (-1 when a group did not take part). A
 * position is twice a byte offset, plus one between the two UTF-16 units of
 * a character past U+FFFF: as in JavaScript without the u flag, a regex
 * matches code units, so a match may begin or end inside such a character. */
int jn_regex_exec(const jn_regex *re, const char *s, size_t len, size_t from, int *caps);
/* The steps one jn_regex_exec may take (and the memory its backtracking
 * may hold) before it gives up, returning -1: a pattern that backtracks
 * without end, (a+)+b on "aaa...c", would otherwise hang the evaluation
 * inside one call, out of the timeout's reach. */
#define JN_REGEX_STEPS 5000000
/* A position's UTF-16 index; the position of UTF-16 index `units` (the
 * end past the last one). */
size_t jn_regex_units(const char *s, size_t pos);
size_t jn_regex_pos(const char *s, size_t n, size_t units);
/* The text from position `from` to `to`, a character cut in two giving its
 * half as a lone surrogate: appended to b, or as a new string. */
void jn_regex_add(jn_buf *b, const char *s, size_t n, size_t from, size_t to);
jn_val *jn_regex_text(jn_ctx *c, const char *s, size_t n, size_t from, size_t to);
int jn_regex_ngroups(const jn_regex *re);
/* JavaScript's indexOf: the first position at or after `from` where the
 * UTF-16 units of needle[0..nn) come in s (a lone surrogate meets half of
 * a character), with the position after them in *end; -1 when none. */
long jn_units_find(const char *s, size_t n, size_t from, const char *needle, size_t nn, size_t *end);
/* The position after the UTF-16 unit at `pos`; pos itself at the end. */
size_t jn_units_next(const char *s, size_t n, size_t pos);
/* calling a regex value: the first match object, or undefined */
jn_val *jn_regex_call(jn_ctx *c, jn_func *f, jn_val *str);

/* utf-8 helpers */
size_t jn_utf8_offset(const char *s, size_t n, size_t cp_index);
uint32_t jn_utf8_next(const char *s, size_t n, size_t *i);
/* jsonata-js's strings are JavaScript's, UTF-16: the regex functions'
 * indexes count UTF-16 code units (a character past U+FFFF counts two),
 * and strings order by code units. */
size_t jn_utf16_len(const char *s, size_t n);
/* The UTF-16 units JavaScript holds a code point as: how many (1 or 2). */
int jn_utf16_units(uint32_t cp, uint32_t unit[2]);
int jn_str_cmp(const jn_val *a, const jn_val *b);

/* helpers for natives */
jn_val *jn_to_string(jn_ctx *c, jn_val *v, int pretty);
double jn_now_ms(void);
/* the evaluation's fixed time and its random state, set on first use so an
 * evaluation that never asks reads no clock */
int64_t jn_ctx_now_ms(jn_ctx *c);
uint64_t *jn_ctx_rng(jn_ctx *c);

#endif

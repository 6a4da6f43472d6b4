/* Internal to lib/json: a parsed intrinsic call (intrinsic.c) and the
 * function table (intrinsic_fns.c). */
#ifndef AEV_JSON_INTRINSIC_INT_H
#define AEV_JSON_INTRINSIC_INT_H

#include "json/json.h"

typedef enum { IA_LITERAL, IA_PATH, IA_CALL } ia_kind;

typedef struct ia_arg {
  ia_kind kind;
  json_t *literal;       /* IA_LITERAL */
  int quoted;            /* a '...' string literal */
  char *raw;             /* its text with escapes kept (States.Format) */
  aev__jpath *path;      /* IA_PATH */
  aev__intrinsic *call;  /* IA_CALL */
} ia_arg;

/* An evaluated argument: value (new reference) and, for a string literal,
 * its raw text. */
typedef struct ia_val {
  json_t *v;
  const char *raw;
} ia_val;

typedef json_t *(*ia_fn)(const ia_val *args, size_t n, aev__jenv *env);

typedef struct ia_def {
  const char *name; /* "States.Format" */
  int min_args, max_args; /* max -1: any */
  ia_fn fn;
} ia_def;

struct aev__intrinsic {
  const ia_def *def;
  ia_arg *args;
  size_t n;
};

/* The table, and a lookup by name. */
const ia_def *aev__ia_find(const char *name, size_t len);

#endif

/* Internal: the JSONPath flavour of the Amazon States Language. Paths as
 * AWS evaluates them (Jayway JsonPath: dots, brackets, wildcards, unions,
 * slices, deep scan, filters), reference paths for ResultPath, the context
 * object `$$` and variables `$name`, payload templates (`.$` keys), and the
 * intrinsic functions States.*. Shared by lib/machine (and, for paths, by
 * anything else that needs ASL's paths). */
#ifndef AEV_JSON_JSON_H
#define AEV_JSON_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "awsevents/common.h"

/* What a path, template or intrinsic reads, and where a failure is told.
 * error is a States.* error name; cause is AWS's text. */
typedef struct aev__jenv {
  json_t *input;   /* $ (borrowed) */
  json_t *context; /* $$ (borrowed, may be NULL) */
  json_t *vars;    /* $name: an object of variables (borrowed, may be NULL) */
  /* States.MathRandom and States.UUID draw from this (may be NULL: then a
   * fixed sequence). */
  uint64_t (*random)(void *arg);
  void *random_arg;
  const char *error;
  char cause[1024];
  /* A JSONata failure's field ("Output/result"; borrowed), else NULL */
  const char *location;
} aev__jenv;

/* Records error and a printf-formatted cause in env; returns -1. */
int aev__jenv_fail(aev__jenv *env, const char *error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- paths ---- */

typedef struct aev__jpath aev__jpath;

/* Root of a path. */
#define AEV_JPATH_INPUT 0   /* $...  */
#define AEV_JPATH_CONTEXT 1 /* $$... */
#define AEV_JPATH_VAR 2     /* $name... */

/* The compilers below (paths, intrinsics, templates) return AEV_OK;
 * AEV_ERR_INVALID for text that does not compile, with a message (AWS's
 * wording where it has one) in err; or AEV_ERR_NOMEM, with nothing in err
 * and nothing recorded, when they run out of memory. *out is NULL on
 * failure. */

/* Compiles text. */
int aev__jpath_compile(const char *text, aev__jpath **out, char *err,
                       size_t errlen);
void aev__jpath_free(aev__jpath *p);

const char *aev__jpath_text(const aev__jpath *p);
int aev__jpath_root(const aev__jpath *p);
/* Non-zero when the path names exactly one location (no wildcard, slice,
 * union, deep scan or filter): a reference path, as ResultPath requires. */
int aev__jpath_is_reference(const aev__jpath *p);

/* Evaluates p. A definite path yields its value, an indefinite one an array
 * of matches (possibly empty). Returns a new reference, or NULL when a
 * definite path finds nothing, with States.Runtime and AWS's cause ("Invalid
 * path '$.x' : No results for path: $['x']") recorded in env. */
json_t *aev__jpath_eval(const aev__jpath *p, aev__jenv *env);

/* Like aev__jpath_eval on an explicit document, without recording. */
json_t *aev__jpath_get(const aev__jpath *p, json_t *doc);

/* ResultPath: returns doc with value stored at reference path p (a new
 * reference; doc is copied, never modified; value's reference is stolen).
 * Missing objects on the way are created. NULL with States.
 * ResultPathMatchFailure in env when the path crosses a non-object. */
json_t *aev__jpath_put(const aev__jpath *p, json_t *doc, json_t *value,
                       aev__jenv *env);

/* Compiles text and evaluates it against env at once. */
json_t *aev__jpath_eval_text(const char *text, aev__jenv *env);

/* ---- intrinsic functions ---- */

typedef struct aev__intrinsic aev__intrinsic;

/* Parses "States.Name(args...)"; bad syntax and an unknown function do not
 * compile. */
int aev__intrinsic_compile(const char *text, aev__intrinsic **out, char *err,
                           size_t errlen);
void aev__intrinsic_free(aev__intrinsic *f);
/* A new reference, or NULL with States.IntrinsicFailure (or States.Runtime
 * for a missing path argument) in env. */
json_t *aev__intrinsic_eval(const aev__intrinsic *f, aev__jenv *env);

/* ---- payload templates (Parameters, ResultSelector, ItemSelector,
 * Assign under JSONPath) ---- */

typedef struct aev__tmpl aev__tmpl;

/* Compiles a template: keys ending in ".$" take a path, a context path, a
 * variable or an intrinsic. */
int aev__tmpl_compile(json_t *tmpl, aev__tmpl **out, char *err,
                      size_t errlen);
void aev__tmpl_free(aev__tmpl *t);
/* A new reference, or NULL with the failure in env. */
json_t *aev__tmpl_eval(const aev__tmpl *t, aev__jenv *env);

/* Non-zero when text is an intrinsic function call ("States.X(...)"). */
int aev__is_intrinsic(const char *text);

/* ---- helpers ---- */

/* Compact JSON text as AWS prints values in causes (malloc'd). */
char *aev__json_text(const json_t *v);

#endif

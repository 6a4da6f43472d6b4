/* Internal to lib/json: a compiled path's segments and its filter
 * expressions (jpath.c compiles and walks, filter.c parses and tests). */
#ifndef AEV_JSON_JPATH_INT_H
#define AEV_JSON_JPATH_INT_H

#include "json/json.h"

typedef enum jp_kind {
  JP_NAMES,   /* .a, ['a'], ['a','b'] */
  JP_INDEXES, /* [0], [0,2], [-1] */
  JP_WILD,    /* .*, [*] */
  JP_SLICE,   /* [a:b] */
  JP_FILTER,  /* [?(...)] */
  JP_LENGTH,  /* .length() */
} jp_kind;

typedef struct jp_filter jp_filter;

typedef struct jp_seg {
  jp_kind kind;
  int deep; /* preceded by '..' */
  char **names;
  size_t nnames;
  long *idx;
  size_t nidx;
  long from, to;
  int has_from, has_to;
  jp_filter *filter;
} jp_seg;

struct aev__jpath {
  int root; /* AEV_JPATH_* */
  char *var;
  char *text;
  char *normal; /* Jayway's bracket form, for causes */
  int definite;
  jp_seg *segs;
  size_t n, cap;
};

/* The parser state a filter shares with the path parser. */
typedef struct parser_ctx {
  const char *s;
  size_t *i;
  char *err;
  size_t errlen;
  int *failed;
  int depth; /* filters, parentheses and ! open around the parse */
} parser_ctx;

/* Parses the segments after a root into jp (filter operands use it). */
int aev__jp_parse_segments(parser_ctx *pc, aev__jpath *jp);
void aev__jp_segs_free(aev__jpath *jp);

/* Parses a filter body up to (not including) its closing ')'. */
int aev__jp_filter_parse(parser_ctx *pc, jp_filter **out);
void aev__jp_filter_free(jp_filter *f);
/* Non-zero when item (@) passes; root is $. */
int aev__jp_filter_test(const jp_filter *f, json_t *item, json_t *root);

#endif

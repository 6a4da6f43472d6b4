/* Internal to lib/jsonata: analysed integer pictures (XPath F&O 4.6.1),
 * shared by $formatInteger/$parseInteger and the date/time pictures. */
#ifndef AEV_JSONATA_FMT_H
#define AEV_JSONATA_FMT_H

#include "jn.h"

enum { IF_DECIMAL, IF_LETTERS, IF_ROMAN, IF_WORDS, IF_SEQUENCE };
enum { TC_LOWER, TC_UPPER, TC_TITLE };

typedef struct jn_intfmt {
  int primary, tcase, ordinal;
  uint32_t zero;      /* first code point of the decimal digit family */
  int mandatory, optional;
  int regular;        /* > 0: a separator every `regular` digits (seps[0]) */
  struct {
    int pos;
    uint32_t cp;
  } seps[16];
  int nseps;
} jn_intfmt;

void jn_int_picture(jn_ctx *c, const char *pic, size_t len, jn_intfmt *f);
jn_val *jn_format_int(jn_ctx *c, double value, const jn_intfmt *f);
double jn_parse_int(jn_ctx *c, const char *s, size_t n, const jn_intfmt *f);

void jn_words_regex(jn_buf *b);

#endif

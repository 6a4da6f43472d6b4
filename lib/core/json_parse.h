/* Internal: parsing JSON text with jansson while telling "out of memory"
 * from "not JSON", so a caller never answers a validation error for good
 * input that jansson merely could not allocate for. */
#ifndef AEV_CORE_JSON_PARSE_H
#define AEV_CORE_JSON_PARSE_H

#include <jansson.h>
#include <stddef.h>

#include "awsevents/common.h"

/* Parses len bytes of text with jansson's decoding flags into *out (a new
 * reference). Returns AEV_OK; AEV_ERR_NOMEM, already recorded with
 * aev__nomem(), when jansson ran out of memory; or AEV_ERR_INVALID with
 * nothing recorded (the caller words its own AWS error) when text is NULL
 * or is not JSON jansson accepts. err, when not NULL, is jansson's account
 * of the failure. *out is NULL on failure. */
int aev__json_parse(const char *text, size_t len, size_t flags, json_t **out,
                    json_error_t *err);

/* The same for a NUL-terminated text (NULL: AEV_ERR_INVALID). */
int aev__json_parse_str(const char *text, size_t flags, json_t **out);

/* jsoncheck.c, checks that build nothing: 1 when text is one JSON value
 * (syntax only, nesting up to 512), else 0. */
int aev__json_valid(const void *text, size_t len);
/* 1 when jansson's parser takes text as one JSON value, short of what only
 * it checks: duplicate keys, \u0000, numbers out of its range. */
int aev__json_valid_as_jansson(const void *text, size_t len);

#endif

/* Internal to lib/delivery: the subset of jq 1.6 that dynamic
 * partitioning's inline parsing (MetadataExtractionQuery) runs here.
 * Firehose's guide shows queries such as
 *   {customer_id: .customer_id, device: .type.device,
 *    year: .event_timestamp | strftime("%Y")}
 * and the subset covers them: object construction with identifier or
 * string keys ({a} standing for {a: .a}), the identity ".", paths (.a.b, ."a", .["a"], .[0],
 * negative indexes from the end), pipes, parentheses, string and number
 * literals, and the functions strftime(f), tostring, tonumber,
 * ascii_downcase and ascii_upcase. Anything else is refused when the
 * query is compiled, naming what is supported. Each expression has one
 * output, as these do in jq. */
#ifndef AEV_DELIVERY_JQ_H
#define AEV_DELIVERY_JQ_H

#include <jansson.h>
#include <stddef.h>

typedef struct aev__jq aev__jq;

/* Compiles text into *out: 0, -1 when text is malformed or outside the
 * subset (err says why and what is supported), -2 when out of memory. */
int aev__jq_compile(const char *text, aev__jq **out, char *err, size_t errn);

/* The query's output for in (a new reference) into *out: 0, or -1 with
 * jq's reason in err (indexing a number, strftime of a string, ...). */
int aev__jq_eval(const aev__jq *q, json_t *in, json_t **out, char *err, size_t errn);

/* When the query is an object construction, its keys (n of them, valid
 * while q lives) and 1; else 0. */
int aev__jq_object_keys(const aev__jq *q, const char *const **keys, size_t *n);

void aev__jq_free(aev__jq *q);

#endif

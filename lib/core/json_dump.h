/* Internal: serializing jansson values so that running out of memory is
 * always seen. */
#ifndef AEV_CORE_JSON_DUMP_H
#define AEV_CORE_JSON_DUMP_H

#include <jansson.h>

/* json_dumps(JSON_COMPACT | flags), except that it answers NULL whenever
 * the text could not be written whole (jansson 2.14's json_dumps() does
 * not check the write of an object's key: out of memory there, it answers
 * text that is not JSON, `{":1}`), and writes reals as
 * aev__json_dump_callback() does. Free the text with free(), as
 * json_dumps()'s. Records nothing: the caller says aev__nomem(). */
char *aev__json_dumps(const json_t *json, size_t flags);

/* json_dump_callback() for compact text (the only kind the library
 * writes; flags JSON_ENCODE_ANY and JSON_SORT_KEYS count), with each real
 * written as the shortest text that reads back as the same double: 1.6,
 * not jansson's 1.6000000000000001. Returns 0, or -1 when out() failed. */
int aev__json_dump_callback(const json_t *json, json_dump_callback_t out, void *data,
                            size_t flags);

#endif

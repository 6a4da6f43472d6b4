/* Internal: serializing jansson values so that running out of memory is
 * always seen. */
#ifndef AEV_CORE_JSON_DUMP_H
#define AEV_CORE_JSON_DUMP_H

#include <jansson.h>

/* json_dumps(), except that it answers NULL whenever the text could not
 * be written whole. jansson 2.14's json_dumps() does not check the write
 * of an object's key: out of memory there, it answers text that is not
 * JSON (`{":1}`). Free the text with free(), as json_dumps()'s. Records
 * nothing: the caller says aev__nomem(). */
char *aev__json_dumps(const json_t *json, size_t flags);

#endif

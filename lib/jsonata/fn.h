/* Internal to lib/jsonata: the native functions of the built-in library,
 * each `jn_val *fn_x(ctx, args, nargs, input)` with arguments already
 * validated against the function's signature. */
#ifndef AEV_JSONATA_FN_H
#define AEV_JSONATA_FN_H

#include "jn.h"

#define FN(name) jn_val *fn_##name(jn_ctx *c, jn_val **a, int n, jn_val *in)
/* strings */
FN(string); FN(substring); FN(substring_before); FN(substring_after); FN(lowercase);
FN(uppercase); FN(length); FN(trim); FN(pad); FN(contains); FN(split); FN(join);
FN(replace); FN(match);
/* numbers */
FN(number); FN(abs); FN(floor); FN(ceil); FN(round); FN(sqrt); FN(power); FN(random);
FN(sum); FN(count); FN(max); FN(min); FN(average); FN(format_base);
FN(format_number); FN(format_integer); FN(parse_integer);
/* booleans, arrays, objects, higher-order */
FN(boolean); FN(not); FN(exists); FN(append); FN(reverse); FN(shuffle); FN(distinct);
FN(sort); FN(zip); FN(keys); FN(lookup); FN(spread); FN(merge); FN(each); FN(sift);
FN(map); FN(filter); FN(single); FN(reduce);
/* misc */
FN(type); FN(error); FN(assert); FN(clone); FN(eval); FN(base64encode); FN(base64decode);
FN(encode_url_component); FN(encode_url); FN(decode_url_component); FN(decode_url);
/* date/time */
FN(now); FN(millis); FN(from_millis); FN(to_millis);
#undef FN

jn_val *jn_clone(jn_ctx *c, jn_val *v);
/* calls a HOF callback with (value, index, array) trimmed to its arity */
jn_val *jn_hof_call(jn_ctx *c, jn_val *fn, jn_val *v, double index, jn_val *arr);

#endif

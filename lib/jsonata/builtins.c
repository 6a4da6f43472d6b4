/* The built-in function table of JSONata 2.0.6: names and signatures
 * exactly as jsonata-js declares them. */
#include <string.h>

#include "fn.h"

const jn_builtin jn_builtins[] = {
    {"abs", "<n-:n>", fn_abs},
    {"append", "<xx:a>", fn_append},
    {"assert", "<bs?:x>", fn_assert},
    {"average", "<a<n>:n>", fn_average},
    {"base64decode", "<s-:s>", fn_base64decode},
    {"base64encode", "<s-:s>", fn_base64encode},
    {"boolean", "<x-:b>", fn_boolean},
    {"ceil", "<n-:n>", fn_ceil},
    {"clone", "<(oa)-:o>", fn_clone},
    {"contains", "<s-(sf):b>", fn_contains},
    {"count", "<a:n>", fn_count},
    {"decodeUrl", "<s-:s>", fn_decode_url},
    {"decodeUrlComponent", "<s-:s>", fn_decode_url_component},
    {"distinct", "<x:x>", fn_distinct},
    {"each", "<o-f:a>", fn_each},
    {"encodeUrl", "<s-:s>", fn_encode_url},
    {"encodeUrlComponent", "<s-:s>", fn_encode_url_component},
    {"error", "<s?:x>", fn_error},
    {"eval", "<sx?:x>", fn_eval},
    {"exists", "<x:b>", fn_exists},
    {"filter", "<af>", fn_filter},
    {"floor", "<n-:n>", fn_floor},
    {"formatBase", "<n-n?:s>", fn_format_base},
    {"formatInteger", "<n-s:s>", fn_format_integer},
    {"formatNumber", "<n-so?:s>", fn_format_number},
    {"fromMillis", "<n-s?s?:s>", fn_from_millis},
    {"join", "<a<s>s?:s>", fn_join},
    {"keys", "<x-:a<s>>", fn_keys},
    {"length", "<s-:n>", fn_length},
    {"lookup", "<x-s:x>", fn_lookup},
    {"lowercase", "<s-:s>", fn_lowercase},
    {"map", "<af>", fn_map},
    {"match", "<s-f<s:o>n?:a<o>>", fn_match},
    {"max", "<a<n>:n>", fn_max},
    {"merge", "<a<o>:o>", fn_merge},
    {"millis", "<:n>", fn_millis},
    {"min", "<a<n>:n>", fn_min},
    {"not", "<x-:b>", fn_not},
    {"now", "<s?s?:s>", fn_now},
    {"number", "<(nsb)-:n>", fn_number},
    {"pad", "<s-ns?:s>", fn_pad},
    {"parseInteger", "<s-s:n>", fn_parse_integer},
    {"power", "<n-n:n>", fn_power},
    {"random", "<:n>", fn_random},
    {"reduce", "<afj?:j>", fn_reduce},
    {"replace", "<s-(sf)(sf)n?:s>", fn_replace},
    {"reverse", "<a:a>", fn_reverse},
    {"round", "<n-n?:n>", fn_round},
    {"shuffle", "<a:a>", fn_shuffle},
    {"sift", "<o-f?:o>", fn_sift},
    {"single", "<af?>", fn_single},
    {"sort", "<af?:a>", fn_sort},
    {"split", "<s-(sf)n?:a<s>>", fn_split},
    {"spread", "<x-:a<o>>", fn_spread},
    {"sqrt", "<n-:n>", fn_sqrt},
    {"string", "<x-b?:s>", fn_string},
    {"substring", "<s-nn?:s>", fn_substring},
    {"substringAfter", "<s-s:s>", fn_substring_after},
    {"substringBefore", "<s-s:s>", fn_substring_before},
    {"sum", "<a<n>:n>", fn_sum},
    {"toMillis", "<s-s?:n>", fn_to_millis},
    {"trim", "<s-:s>", fn_trim},
    {"type", "<x:s>", fn_type},
    {"uppercase", "<s-:s>", fn_uppercase},
    {"zip", "<a+>", fn_zip},
    {NULL, NULL, NULL},
};

const jn_builtin *jn_builtin_find(const char *name) {
  for (const jn_builtin *b = jn_builtins; b->name; b++)
    if (b->name[0] == name[0] && !strcmp(b->name, name)) return b;
  return NULL;
}

const jn_builtin *jn_builtin_lookup(const jn_ctx *c, const char *name) {
  return jn_builtin_lookup_profile(c->states_profile, name);
}

const jn_builtin *jn_builtin_lookup_profile(int states_profile, const char *name) {
  if (states_profile) {
    for (const jn_builtin *b = jn_states_builtins; b->name; b++)
      if (!strcmp(b->name, name)) return b;
    /* Step Functions removes $eval (use $parse) */
    if (!strcmp(name, "eval")) return NULL;
  }
  return jn_builtin_find(name);
}

/* XPath/XQuery picture strings for $fromMillis/$now/$toMillis. */
#include "datetime.h"

jn_val *jn_format_datetime(jn_ctx *c, double ms, const jn_val *picture, const jn_val *timezone) {
  (void)picture;
  (void)timezone;
  return jn_iso_string(c, ms);
}

jn_val *jn_parse_datetime(jn_ctx *c, const jn_val *text, const jn_val *picture) {
  (void)picture;
  double ms;
  if (jn_parse_iso(text->u.str.s, text->u.str.len, &ms) < 0) return NULL;
  return jn_num(c, ms);
}

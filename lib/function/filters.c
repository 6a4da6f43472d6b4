/* FilterCriteria as Lambda checks it for every event source (queues here,
 * streams through function/function.h): an object with a Filters list of
 * at most 5 {"Pattern": text}, each compiled by the pattern engine. */
#include <string.h>

#include "core/status.h"
#include "function/function_impl.h"

int aev__fn_filter_criteria(json_t *fc, aev_pattern *patterns[5], int *n) {
  json_t *list = json_object_get(fc, "Filters");
  if (!json_is_object(fc) || (list && !json_is_array(list)))
    return aev__fn_invalid("FilterCriteria must be an object with a Filters "
                           "list.");
  if (json_array_size(list) > 5)
    return aev__fn_invalid("The number of filters exceeds the maximum (5) "
                           "allowed for this event source.");
  size_t i;
  json_t *item;
  json_array_foreach(list, i, item) {
    const char *p = json_string_value(json_object_get(item, "Pattern"));
    if (!p) return aev__fn_invalid("Each filter needs a Pattern string.");
    int rc = aev_pattern_compile(p, strlen(p), &patterns[*n]);
    if (rc == AEV_ERR_NOMEM) return rc;
    /* Lambda gives no reason, whatever is wrong with the pattern. */
    if (rc != AEV_OK)
      return aev__fn_invalid("Invalid filter pattern definition.");
    (*n)++;
  }
  return AEV_OK;
}

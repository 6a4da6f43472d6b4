/* What ListArchives and ListReplays share: walking the
 * broker's buses for named entries, and answering with compact JSON. */
#include <string.h>

#include "core/registry.h"
#include "core/status.h"
#include "bus/bus_impl.h"

int aev__bus_dump(json_t *o, char **out) {
  *out = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  return *out ? AEV_OK : aev__nomem();
}

int aev__bus_list_named(aev_broker *b, const char *prefix, const char *key,
                        aev__bus_list_fn add, char **json_out) {
  aev__resource **list;
  size_t n;
  int rc = aev__registry_list(b, AEV__KIND_BUS, NULL, &list, &n);
  if (rc) return rc;
  json_t *arr = json_array();
  size_t plen = prefix ? strlen(prefix) : 0;
  for (size_t i = 0; arr && i < n; i++) {
    aev_bus *bus = (aev_bus *)list[i];
    pthread_mutex_lock(&bus->amu);
    add(bus, prefix, plen, arr);
    pthread_mutex_unlock(&bus->amu);
  }
  aev__registry_list_free(list, n);
  return aev__bus_dump(arr ? json_pack("{s:o}", key, arr) : NULL, json_out);
}

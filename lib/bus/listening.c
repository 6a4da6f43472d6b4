/* Whether anything on a bus would see an event (a rule or an archive), so a
 * service that emits events on its own, such as Step Functions' execution
 * status changes, can skip building one that nobody receives. */
#include "bus/bus.h"
#include "bus/bus_impl.h"
#include "core/registry.h"

int aev__bus_listening(aev_broker *b, const char *name_or_arn) {
  /* A lookup that sets no error: no bus yet means no rule either. */
  aev__resource *r = aev__registry_find(b, AEV__KIND_BUS, name_or_arn);
  if (!r) return 0;
  aev_bus *bus = (aev_bus *)r;
  pthread_rwlock_rdlock(&bus->lock);
  int any = bus->rules.n > 0;
  pthread_rwlock_unlock(&bus->lock);
  if (!any) {
    pthread_mutex_lock(&bus->amu);
    any = bus->archives != NULL;
    pthread_mutex_unlock(&bus->amu);
  }
  aev__resource_unref(r);
  return any;
}

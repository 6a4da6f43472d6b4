/* libFuzzer target for ASL definitions: validation (diagnostics must come
 * back for anything invalid) and, for a valid definition, one execution on
 * a manual clock (drained, then a bounded clock advance) so the engine's
 * paths through every state type are exercised. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/broker.h"
#include "awsevents/machine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = 0;
  char *result = NULL;
  if (aev_machine_validate(text, size, AEV_MACHINE_STANDARD, &result) != AEV_OK) abort();
  int ok = strstr(result, "\"result\":\"OK\"") != NULL;
  aev_free(result);
  aev_broker_options *o = NULL;
  aev_broker *b = NULL;
  aev_machine *m = NULL;
  aev_execution *e = NULL;
  if (ok && !aev_broker_options_new(&o) && !aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL) &&
      !aev_broker_options_set_workers(o, 0) && !aev_broker_options_set_seed(o, 1) &&
      !aev_broker_new(o, &b)) {
    if (aev_machine_create(b, "fuzz", text, size, AEV_MACHINE_STANDARD, &m) != AEV_OK) abort();
    if (aev_machine_start(m, NULL, "{\"a\":[1,2,{\"b\":\"c\"}],\"n\":3}", 30, &e) == AEV_OK) {
      aev_broker_drain(b);
      aev_broker_advance(b, 3600 * 1000);
      char *h = NULL;
      aev_execution_history(e, &h);
      aev_free(h);
      aev_execution_release(e);
    }
    aev_machine_release(m);
  }
  aev_broker_destroy(b);
  aev_broker_options_free(o);
  free(text);
  return 0;
}

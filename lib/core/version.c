/* Run-time version and aev_free, the one deallocator of returned buffers. */
#include <stdlib.h>

#include "awsevents/common.h"

#define AEV_STR2(x) #x
#define AEV_STR(x) AEV_STR2(x)

int aev_version_number(void) { return AEV_VERSION_NUMBER; }

const char *aev_version_string(void) {
  return AEV_STR(AEV_VERSION_MAJOR) "." AEV_STR(AEV_VERSION_MINOR) "." AEV_STR(
      AEV_VERSION_PATCH);
}

void aev_free(void *p) { free(p); }

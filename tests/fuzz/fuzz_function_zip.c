/* libFuzzer target for the deployment-package check (lib/function/code.c):
 * any bytes are read within bounds, and what it accepts has the .zip
 * end-of-central-directory signature. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "function/function_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* A copy of exactly size bytes, so that a read past them is caught. */
  unsigned char *z = malloc(size ? size : 1);
  if (!z) return 0;
  memcpy(z, data, size);
  int ok = aev__fn_zip_check(z, size, NULL) == 0;
  int signed_ = 0;
  for (size_t i = 0; i + 4 <= size && !signed_; i++) signed_ = !memcmp(z + i, "PK\5\6", 4);
  free(z);
  if (ok && !signed_) abort();
  return 0;
}

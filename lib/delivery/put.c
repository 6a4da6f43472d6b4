/* PutRecord and PutRecordBatch into a DirectPut delivery stream: sizes
 * checked as Firehose does (1,000 KiB a record; 500 records and 4 MiB a
 * batch), RecordIds returned, batches sealed when SizeInMBs is reached. */
#include <stdio.h>
#include <string.h>

#include "core/status.h"
#include "delivery/delivery.h"

static int direct_ok(const aev_delivery *d) {
  if (!d->from_stream) return AEV_OK;
  return aev__fh_invalid("This operation is not permitted on "
                         "KinesisStreamAsSource delivery stream type.");
}

static int too_big(const char *member) {
  return aev__fh_validation(NULL, member,
                            "Member must have length less than or equal to "
                            "1024000");
}

int aev_delivery_put(aev_delivery *d, const void *data, size_t len,
                     char *record_id) {
  int rc = aev__fh_check(d);
  if (rc == AEV_OK) rc = direct_ok(d);
  if (rc != AEV_OK) return rc;
  if (!data && len) return aev__fh_validation(NULL, "record.data", "Member must not be null");
  if (len > AEV__FH_MAX_RECORD) return too_big("record.data");
  pthread_mutex_lock(&d->mu);
  int sealed = aev__fh_buffer_add(d, data, len, aev__fh_now_ms(d), record_id);
  pthread_mutex_unlock(&d->mu);
  if (sealed < 0) return aev__nomem();
  if (sealed) aev__fh_kick(d);
  return AEV_OK;
}

int aev_delivery_put_batch(aev_delivery *d, size_t n, const void *const *data,
                           const size_t *lens, char **record_ids) {
  int rc = aev__fh_check(d);
  if (rc == AEV_OK) rc = direct_ok(d);
  if (rc != AEV_OK) return rc;
  if (n < 1 || n > AEV__FH_MAX_BATCH)
    return aev__fh_validation(NULL, "records",
                              n < 1 ? "Member must have length greater than "
                                      "or equal to 1"
                                    : "Member must have length less than or "
                                      "equal to 500");
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    if (lens[i] > AEV__FH_MAX_RECORD) {
      char m[48];
      snprintf(m, sizeof m, "records.%zu.member.data", i + 1);
      return too_big(m);
    }
    total += lens[i];
  }
  if (total > AEV__FH_MAX_BATCH_BYTES)
    return aev__fh_invalid("Records size exceeds 4 MiB limit.");
  int sealed = aev__fh_buffer_add_all(d, n, data, lens, record_ids);
  if (sealed < 0) return aev__nomem();
  if (sealed) aev__fh_kick(d);
  return AEV_OK;
}

/* firehose subscriptions: each message becomes one record of the delivery
 * stream the endpoint ARN names, the message itself with
 * RawMessageDelivery, else SNS's JSON envelope, as SNS delivers to
 * Amazon Data Firehose. The delivery stream buffers and delivers it. */
#include <stdlib.h>
#include <string.h>

#include "awsevents/delivery.h"
#include "core/status.h"
#include "topic/topic_impl.h"

int aev__firehose_send(aev__note *n, const aev__sub *s, int raw,
                       aev_broker *b) {
  aev_delivery *d;
  int rc = aev_delivery_get(b, s->endpoint, &d);
  if (rc != AEV_OK) return rc;
  size_t len = 0;
  char *env = raw ? NULL : aev__note_envelope(n, s->protocol, s->arn, &len);
  const char *body = raw ? aev__note_message(n, s->protocol) : env;
  if (body) {
    rc = aev_delivery_put(d, body, raw ? strlen(body) : len, NULL);
  } else {
    rc = aev__nomem();
  }
  free(env);
  aev_delivery_release(d);
  return rc;
}

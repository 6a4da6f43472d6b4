/* lambda subscriptions: the SNS event record a function receives
 * (Records[].Sns, with Lambda's own spellings SigningCertUrl and
 * UnsubscribeUrl, Subject null when absent, MessageAttributes always
 * present and SignatureVersion always "1") and its Event invocation through
 * the function's internal interface. */
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "function/function.h"
#include "function/lineage.h"
#include "topic/topic_impl.h"

static char *record(aev__note *n, const aev__sub *s, size_t *len) {
  json_t *attrs = NULL;
  if (!n->attrs.publish_text)
    attrs = json_object();
  else if (aev__json_parse(n->attrs.publish_text, n->attrs.publish_len, 0, &attrs, NULL))
    return NULL;
  char cert[256], unsub[1024], ts[32];
  aev__iso_ms(n->published_ms, ts);
  snprintf(cert, sizeof cert,
           "https://sns.%s.amazonaws.com/SimpleNotificationService-"
           "00000000000000000000000000000000.pem", n->region);
  snprintf(unsub, sizeof unsub,
           "https://sns.%s.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=%s",
           n->region, s->arn);
  json_t *sns = json_pack(
      "{s:s,s:s,s:s,s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "Type", "Notification",
      "MessageId", n->id, "TopicArn", n->topic_arn, "Subject",
      n->subject ? json_string(n->subject) : json_null(), "Message",
      aev__note_message(n, "lambda"), "Timestamp", ts,
      /* AWS's record says "1" even from a topic whose SignatureVersion is 2
       * (recorded: test_publish_lambda_verify_signature[2]). */
      "SignatureVersion", "1", "Signature",
      "TG9jYWwgcGxhY2Vob2xkZXI6IG5vdCBzaWduZWQ=", "SigningCertUrl", cert,
      "UnsubscribeUrl", unsub, "MessageAttributes", attrs);
  json_t *ev = sns ? json_pack("{s:[{s:s,s:s,s:s,s:o}]}", "Records", "EventSource",
                               "aws:sns", "EventVersion", "1.0",
                               "EventSubscriptionArn", s->arn, "Sns", sns)
                   : NULL;
  char *text = ev ? aev__json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(ev);
  if (text) *len = strlen(text);
  return text;
}

int aev__lambda_send(aev_topic *t, const aev__sub *s, aev__note *n) {
  size_t len = 0;
  char *ev = record(n, s, &len);
  if (!ev) return aev__nomem();
  /* The invocation continues the notification's chain of requests. */
  const char *prev = aev__lineage_swap(n->lineage);
  int rc = aev__function_event_to(t->res.broker, s->endpoint, ev, len);
  aev__lineage_swap(prev);
  free(ev);
  return rc;
}

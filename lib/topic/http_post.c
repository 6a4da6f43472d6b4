/* The POSTs of http/https subscriptions that no subscription callback
 * stands for: sent through the broker's endpoint callbacks
 * (aev_endpoint_register), as SNS sends them to a URL. */
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/json_dump.h"
#include "topic/topic_impl.h"

/* SNS's headers ("HTTP/HTTPS headers" and "raw message delivery" in its
 * guide). The guide's SubscriptionConfirmation example, and captures of
 * real ones, carry no subscription ARN: the subscription is not confirmed
 * yet. Accept-Encoding is what those captures show. */
static char *headers_text(aev_topic *t, aev__sub *s, const char *type, const char *id,
                          int raw, const char *content_type) {
  json_t *h = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "x-amz-sns-message-type", type,
                        "x-amz-sns-message-id", id, "x-amz-sns-topic-arn", t->res.arn,
                        "Content-Type", content_type, "User-Agent",
                        "Amazon Simple Notification Service Agent", "Accept-Encoding",
                        "gzip,deflate");
  int failed = !h;
  if (!failed && strcmp(type, "SubscriptionConfirmation"))
    failed = json_object_set_new(h, "x-amz-sns-subscription-arn", json_string(s->arn));
  if (!failed && raw) failed = json_object_set_new(h, "x-amz-sns-rawdelivery", json_string("true"));
  char *text = failed ? NULL : aev__json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(h);
  return text;
}

/* The Content-Type the delivery policies in effect ask for, read under the
 * topic's lock (both policies can change while a delivery waits). */
static char *content_type(aev_topic *t, aev__sub *s) {
  pthread_mutex_lock(&t->mu);
  char *topic_policy = t->conf.delivery_policy ? strdup(t->conf.delivery_policy) : NULL;
  char *sub_policy = s->conf->delivery ? strdup(s->conf->delivery) : NULL;
  int copied = (!t->conf.delivery_policy || topic_policy) && (!s->conf->delivery || sub_policy);
  pthread_mutex_unlock(&t->mu);
  char *type = copied ? aev__delivery_content_type(topic_policy, sub_policy) : NULL;
  free(topic_policy);
  free(sub_policy);
  return type;
}

int aev__sns_http_post(aev_topic *t, aev__sub *s, const char *type, const char *id, int raw,
                       const char *body, size_t len) {
  char *ctype = content_type(t, s);
  char *headers = ctype ? headers_text(t, s, type, id, raw, ctype) : NULL;
  free(ctype);
  /* Out of memory: an attempt that failed, retried by the policy. */
  if (!headers) return AEV__HTTP_NO_RESPONSE;
  aev__http_result r;
  aev__http_call(t->res.broker, "POST", s->endpoint, headers, body, len, &r);
  free(headers);
  aev__http_result_free(&r);
  return r.status;
}

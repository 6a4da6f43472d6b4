/* SNS's error wording in one place: InvalidParameter ("Invalid parameter:
 * ..."), NotFound, the missing-member message of its query API and its
 * checks of an ARN's elements and region. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/status.h"
#include "topic/topic_impl.h"

int aev__sns_invalid(const char *fmt, ...) {
  char msg[AEV__MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return aev__fail(AEV_ERR_INVALID, "InvalidParameter", "%s", msg);
}

int aev__sns_not_found(const char *what) {
  return aev__fail(AEV_ERR_NOT_FOUND, "NotFound", "%s does not exist", what);
}

int aev__sns_missing(const char *param) {
  return aev__fail(AEV_ERR_INVALID, "InvalidParameter",
                   "Invalid parameter: %s", param);
}

/* SNS splits an ARN as Java's String.split(":") does: no colon, the whole
 * text is one element; trailing empty elements are dropped. */
size_t aev__sns_arn_elements(const char *arn) {
  if (!strchr(arn, ':')) return 1;
  size_t n = strlen(arn);
  while (n && arn[n - 1] == ':') n--;
  size_t elements = n ? 1 : 0;
  for (size_t i = 0; i < n; i++) elements += arn[i] == ':';
  return elements;
}

/* SNS refuses an ARN member of fewer than six elements before it looks
 * anything up (recorded against AWS: Publish to "randomstring", Subscribe
 * to "arn:aws:sns:us-east-1:random"). */
int aev__sns_arn_check(const char *member, const char *arn) {
  size_t elements = aev__sns_arn_elements(arn);
  if (elements >= 6) return AEV_OK;
  return aev__sns_invalid("Invalid parameter: %s Reason: An ARN must have at least 6 elements, not %zu",
                          member, elements);
}

/* SNS refuses a topic ARN of another region than the one called, before it
 * looks the topic up (recorded against AWS: test_cross_region_access and
 * test_topic_publish_another_region, for Publish, PublishBatch,
 * Get/SetTopicAttributes, Subscribe, ListSubscriptionsByTopic and
 * DeleteTopic). arn has passed aev__sns_arn_check. */
int aev__sns_region_check(aev_broker *b, const char *member, const char *arn) {
  const char *region = arn;
  for (int i = 0; i < 3; i++) region = strchr(region, ':') + 1;
  const char *mine = aev_broker_region(b);
  size_t n = strlen(mine);
  if (!strncmp(region, mine, n) && region[n] == ':') return AEV_OK;
  return aev__sns_invalid("Invalid parameter: %s", member);
}

/* Delivery retry policies (sns-message-delivery-retries.html): the fixed
 * schedule of sqs/lambda subscriptions, the http/https healthyRetryPolicy
 * of a DeliveryPolicy (parse, validate, the policy as SNS shows it back,
 * EffectiveDeliveryPolicy) and the delay before each retry. AWS applies jitter; retries here run exactly on
 * the schedule so the manual clock can assert attempt times. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "topic/topic_impl.h"

/* What SNS posts to http/https endpoints unless a requestPolicy says
 * otherwise (the "HTTP/HTTPS headers" page of its guide). */
#define DEFAULT_CONTENT_TYPE "text/plain; charset=UTF-8"

/* 3 immediate, 2 x 1 s, 10 backing off from 1 s to 20 s, 100,000 x 20 s. */
const aev__retry_policy aev__retry_aws_managed = {
    .num_retries = 100015 - 1, .no_delay = 3, .min_delay_n = 2,
    .max_delay_n = 100000, .min_delay = 1000, .max_delay = 20000,
    .backoff = AEV__BACKOFF_EXPONENTIAL};

/* "By default, if the initial delivery of the message fails, Amazon SNS
 * attempts up to three retries with a delay between failed attempts set at
 * 20 seconds." */
const aev__retry_policy aev__retry_http_default = {
    .num_retries = 3, .min_delay = 20000, .max_delay = 20000,
    .backoff = AEV__BACKOFF_LINEAR};

static const char *const backoff_names[] = {"linear", "arithmetic", "geometric",
                                            "exponential"};

/* The backoff phase's k-th delay of nb, between min and max. AWS names the
 * curves without publishing formulas; these rise as their names say:
 * linear steps, arithmetic with growing steps, geometric by a constant
 * ratio... and exponential doubling the distance to min each step. */
static double backoff(const aev__retry_policy *p, long k, long nb) {
  double lo = (double)p->min_delay, hi = (double)p->max_delay;
  double x = (double)k / (double)nb;
  switch (p->backoff) {
  case AEV__BACKOFF_ARITHMETIC:
    return lo + (hi - lo) * (double)k * (double)(k + 1) / ((double)nb * (double)(nb + 1));
  case AEV__BACKOFF_GEOMETRIC:
    return lo * pow(hi / lo, x);
  case AEV__BACKOFF_EXPONENTIAL:
    return lo + (hi - lo) * (pow(2.0, (double)k) - 1) / (pow(2.0, (double)nb) - 1);
  default:
    return lo + (hi - lo) * x;
  }
}

int64_t aev__retry_delay(const aev__retry_policy *p, long n) {
  if (n <= p->no_delay) return 0;
  n -= p->no_delay;
  if (n <= p->min_delay_n) return p->min_delay;
  n -= p->min_delay_n;
  long nb = p->num_retries - p->no_delay - p->min_delay_n - p->max_delay_n;
  if (n <= nb) return (int64_t)llround(backoff(p, n, nb));
  return p->max_delay;
}

static int int_member(json_t *o, const char *name, const char *what, long lo,
                      long hi, long *out) {
  json_t *v = json_object_get(o, name);
  if (!v) return AEV_OK;
  if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
    return aev__sns_invalid("Invalid parameter: %s: %s must be an integer "
                            "between %ld and %ld", what, name, lo, hi);
  *out = (long)json_integer_value(v);
  return AEV_OK;
}

/* A healthyRetryPolicy object into p (defaults for absent members). */
static int parse_healthy(json_t *o, const char *what, aev__retry_policy *p) {
  long min = 20, max = 20, n = 3, nd = 0, nmin = 0, nmax = 0;
  *p = aev__retry_http_default;
  if (!json_is_object(o))
    return aev__sns_invalid("Invalid parameter: %s: healthyRetryPolicy must "
                            "be an object", what);
  int rc;
  if ((rc = int_member(o, "minDelayTarget", what, 1, 3600, &min)) ||
      (rc = int_member(o, "maxDelayTarget", what, 1, 3600, &max)) ||
      (rc = int_member(o, "numRetries", what, 0, 100, &n)) ||
      (rc = int_member(o, "numNoDelayRetries", what, 0, 100, &nd)) ||
      (rc = int_member(o, "numMinDelayRetries", what, 0, 100, &nmin)) ||
      (rc = int_member(o, "numMaxDelayRetries", what, 0, 100, &nmax)))
    return rc;
  if (min > max)
    return aev__sns_invalid("Invalid parameter: %s: minDelayTarget must be "
                            "less than or equal to maxDelayTarget", what);
  if (nd + nmin + nmax > n)
    return aev__sns_invalid("Invalid parameter: %s: numNoDelayRetries + "
                            "numMinDelayRetries + numMaxDelayRetries must not "
                            "exceed numRetries", what);
  json_t *bf = json_object_get(o, "backoffFunction");
  int backoff_fn = AEV__BACKOFF_LINEAR;
  if (bf) {
    backoff_fn = -1;
    for (int i = 0; i < 4 && json_is_string(bf); i++)
      if (strcmp(json_string_value(bf), backoff_names[i]) == 0) backoff_fn = i;
    if (backoff_fn < 0)
      return aev__sns_invalid("Invalid parameter: %s: backoffFunction must be "
                              "linear, arithmetic, geometric or exponential",
                              what);
  }
  *p = (aev__retry_policy){.num_retries = n, .no_delay = nd, .min_delay_n = nmin,
                           .max_delay_n = nmax, .min_delay = min * 1000,
                           .max_delay = max * 1000, .backoff = backoff_fn};
  int64_t total = 0;
  for (long i = 1; i <= n; i++) total += aev__retry_delay(p, i);
  if (total > 3600 * 1000)
    return aev__sns_invalid("Invalid parameter: %s: the total policy retry "
                            "time cannot be greater than 3600 seconds", what);
  return AEV_OK;
}

/* o's member k when it is there and not null. */
static json_t *given(json_t *o, const char *k) {
  json_t *v = json_object_get(o, k);
  return json_is_null(v) ? NULL : v;
}

/* Sets k of o to v (borrowed) or, when v is NULL, to fallback (stolen;
 * nothing when fallback is NULL too); 1 when out of memory. */
static int put(json_t *o, const char *k, json_t *v, json_t *fallback) {
  if (v) {
    json_decref(fallback);
    return json_object_set(o, k, v) != 0;
  }
  return fallback && json_object_set_new(o, k, fallback) != 0;
}

/* The policy as SNS keeps and shows it (recorded against AWS:
 * test_topic_delivery_policy_crud, test_subscribe_external_http_endpoint_
 * content_type): a topic's "http" gets disableSubscriptionOverrides (false
 * when absent) and loses null members; a subscription's has its five
 * members, null (guaranteed false) when absent. NULL when out of memory. */
static json_t *as_stored(json_t *root, int topic_level) {
  json_t *o = json_object();
  int failed = !o;
  if (!failed && !topic_level) {
    static const char *const members[] = {"healthyRetryPolicy", "sicklyRetryPolicy",
                                          "throttlePolicy", "requestPolicy"};
    for (size_t i = 0; i < sizeof members / sizeof *members; i++)
      failed |= put(o, members[i], given(root, members[i]), json_null());
    failed |= put(o, "guaranteed", given(root, "guaranteed"), json_false());
  } else if (!failed) {
    const char *k;
    json_t *v, *http = json_object_get(root, "http");
    json_object_foreach(root, k, v) {
      if (strcmp(k, "http")) failed |= json_object_set(o, k, v) != 0;
    }
    json_t *h = http ? json_object() : NULL;
    if (http && (!h || json_object_set_new(o, "http", h))) {
      failed = 1;
      h = NULL; /* json_object_set_new() took it, failing or not */
    }
    if (h) {
      static const char *const before[] = {"defaultHealthyRetryPolicy",
                                           "defaultSicklyRetryPolicy",
                                           "defaultThrottlePolicy"};
      for (size_t i = 0; i < sizeof before / sizeof *before; i++)
        failed |= put(h, before[i], given(http, before[i]), NULL);
      failed |= put(h, "disableSubscriptionOverrides",
                    given(http, "disableSubscriptionOverrides"), json_false());
      failed |= put(h, "defaultRequestPolicy", given(http, "defaultRequestPolicy"), NULL);
    }
  }
  if (!failed) return o;
  json_decref(o);
  return NULL;
}

int aev__delivery_policy_parse(const char *text, int topic_level,
                               const char *what, aev__retry_policy *out,
                               int *healthy, int *disable_overrides,
                               char **stored) {
  json_t *root;
  if (aev__json_parse_str(text, 0, &root) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  if (!json_is_object(root)) {
    json_decref(root);
    return aev__sns_invalid("Invalid parameter: %s: failed to parse JSON",
                            what);
  }
  json_t *o = root;
  *disable_overrides = 0;
  int rc = AEV_OK;
  *out = aev__retry_http_default;
  if (topic_level) {
    o = given(root, "http");
    if (o && !json_is_object(o))
      rc = aev__sns_invalid("Invalid parameter: %s: http must be an object", what);
    json_t *d = given(o, "disableSubscriptionOverrides");
    if (rc == AEV_OK && d) {
      if (!json_is_boolean(d))
        rc = aev__sns_invalid("Invalid parameter: %s: "
                              "disableSubscriptionOverrides must be a boolean",
                              what);
      else *disable_overrides = json_is_true(d);
    }
    o = given(o, "defaultHealthyRetryPolicy");
  } else {
    o = given(root, "healthyRetryPolicy");
  }
  *healthy = o != NULL;
  if (rc == AEV_OK && o) rc = parse_healthy(o, what, out);
  json_t *keep = rc == AEV_OK ? as_stored(root, topic_level) : NULL;
  if (rc == AEV_OK && !keep) rc = aev__nomem();
  *stored = keep ? aev__json_dumps(keep, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  if (rc == AEV_OK && !*stored) rc = aev__nomem();
  json_decref(keep);
  json_decref(root);
  return rc;
}

/* Into *out the member k of the stored policy text, or of its "http" when
 * http (a new reference; NULL when there is no stored text, or k is absent
 * or null); 1 when out of memory. */
static int stored_member(const char *stored, int http, const char *k, json_t **out) {
  json_t *root = NULL;
  *out = NULL;
  if (!stored) return 0;
  if (aev__json_parse_str(stored, 0, &root) != AEV_OK) return 1;
  *out = json_incref(given(http ? json_object_get(root, "http") : root, k));
  json_decref(root);
  return 0;
}

char *aev__delivery_content_type(const char *topic_policy, const char *sub_policy) {
  json_t *req = NULL;
  int failed = stored_member(sub_policy, 0, "requestPolicy", &req);
  if (!failed && !req) failed = stored_member(topic_policy, 1, "defaultRequestPolicy", &req);
  const char *given = json_string_value(json_object_get(req, "headerContentType"));
  char *type = failed ? NULL : strdup(given ? given : DEFAULT_CONTENT_TYPE);
  json_decref(req);
  return type;
}

char *aev__delivery_policy_effective(const aev__retry_policy *p, int disable_overrides,
                                     const char *topic_policy, const char *sub_policy,
                                     int subscription) {
  json_t *h = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:s}", "minDelayTarget",
                        (json_int_t)(p->min_delay / 1000), "maxDelayTarget",
                        (json_int_t)(p->max_delay / 1000), "numRetries",
                        (json_int_t)p->num_retries, "numMaxDelayRetries",
                        (json_int_t)p->max_delay_n, "numNoDelayRetries",
                        (json_int_t)p->no_delay, "numMinDelayRetries",
                        (json_int_t)p->min_delay_n, "backoffFunction",
                        backoff_names[p->backoff]);
  /* The request policy: the subscription's, else the topic's default, else
   * SNS's (recorded: both content_type cases). */
  json_t *req = NULL, *sickly = NULL, *throttle = NULL, *guaranteed = NULL;
  int failed = subscription && (stored_member(sub_policy, 0, "requestPolicy", &req) ||
                                stored_member(sub_policy, 0, "sicklyRetryPolicy", &sickly) ||
                                stored_member(sub_policy, 0, "throttlePolicy", &throttle) ||
                                stored_member(sub_policy, 0, "guaranteed", &guaranteed));
  if (!failed && !req) failed = stored_member(topic_policy, 1, "defaultRequestPolicy", &req);
  if (!failed && !req) req = json_pack("{ss}", "headerContentType", DEFAULT_CONTENT_TYPE);
  json_t *o = NULL;
  if (!failed && !subscription)
    o = json_pack("{s{sOsbsO}}", "http", "defaultHealthyRetryPolicy", h,
                  "disableSubscriptionOverrides", disable_overrides,
                  "defaultRequestPolicy", req);
  else if (!failed)
    o = json_pack("{s:O,s:O,s:O,s:O,s:O}", "healthyRetryPolicy", h, "sicklyRetryPolicy",
                  sickly ? sickly : json_null(), "throttlePolicy",
                  throttle ? throttle : json_null(), "requestPolicy", req,
                  "guaranteed", guaranteed ? guaranteed : json_false());
  char *s = o ? aev__json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(o);
  json_decref(h);
  json_decref(req);
  json_decref(sickly);
  json_decref(throttle);
  json_decref(guaranteed);
  return s;
}

/* DynamicPartitioningConfiguration {Enabled, RetryOptions} of an S3
 * destination, checked with the prefixes, processors and buffering hints
 * as AWS checks them (Firehose's guide, "Dynamic partitioning in Amazon
 * Data Firehose" and its sub-pages; the messages AWS is recorded giving
 * are kept word for word). */
#include <string.h>

#include "core/status.h"
#include "delivery/delivery_impl.h"

static int uses_namespaces(const char *prefix) {
  int lambda;
  const char *key;
  size_t len;
  return aev__fh_next_key(prefix, &lambda, &key, &len) != NULL;
}

/* Every key Prefix names comes from a processor that gives it. */
static int check_keys(const aev__fh_settings *s, const char *prefix) {
  int lambda;
  const char *key, *p = prefix;
  size_t len;
  while ((p = aev__fh_next_key(p, &lambda, &key, &len))) {
    if (lambda) {
      if (!s->lambda_arn)
        return aev__fh_invalid("Prefix names !{partitionKeyFromLambda:%.*s}, but there is no Lambda "
                               "processor to return partition keys.", (int)len, key);
      continue;
    }
    const char *const *keys;
    size_t n = 0, i = 0;
    if (s->query) aev__jq_object_keys(s->query, &keys, &n);
    while (i < n && (strlen(keys[i]) != len || strncmp(keys[i], key, len))) i++;
    if (i == n)
      return aev__fh_invalid("Prefix names !{partitionKeyFromQuery:%.*s}, but %s.", (int)len, key,
                             s->query ? "the MetadataExtractionQuery does not build that key"
                                      : "there is no MetadataExtraction processor");
  }
  return AEV_OK;
}

int aev__fh_read_partitioning(aev__fh_settings *s, json_t *dc) {
  json_t *dp = dc ? json_object_get(dc, "DynamicPartitioningConfiguration") : NULL;
  const char *prefix = json_string_value(json_object_get(dc, "Prefix"));
  const char *eprefix = json_string_value(json_object_get(dc, "ErrorOutputPrefix"));
  int64_t secs = 300;
  int rc = aev__fh_int_member(json_object_get(dp, "RetryOptions"), "DurationInSeconds",
                              "dynamicPartitioningConfiguration.retryOptions.durationInSeconds", 0,
                              7200, &secs);
  int on = 0;
  if (rc == AEV_OK)
    rc = aev__fh_bool_member(dp, "Enabled", "dynamicPartitioningConfiguration.enabled", &on);
  if (rc != AEV_OK) return rc;
  if (!on) {
    /* AWS's words (recorded in terraform-provider-aws issue 29092). */
    if (uses_namespaces(prefix) || uses_namespaces(eprefix))
      return aev__fh_invalid("Dynamic Partitioning Namespaces can only be part of a prefix "
                             "expression when Dynamic Partitioning is enabled.");
    if (s->query || s->deaggregate)
      return aev__fh_invalid("MetadataExtraction and RecordDeAggregation processors work with "
                             "dynamic partitioning: set DynamicPartitioningConfiguration "
                             "Enabled to true on an S3 destination.");
    return AEV_OK;
  }
  /* "you must configure at least one of these methods" (Understand
   * partitioning keys). */
  if (!s->query && !s->lambda_arn)
    return aev__fh_invalid("Dynamic partitioning needs partition keys: add a MetadataExtraction "
                           "processor (inline parsing with jq), a Lambda processor returning "
                           "metadata.partitionKeys, or both.");
  /* "you must specify the S3 bucket prefixes" made of the keys (Use
   * Amazon S3 bucket prefix). */
  if (!uses_namespaces(prefix))
    return aev__fh_invalid("When dynamic partitioning is enabled, Prefix must use the partition "
                           "keys: !{partitionKeyFromQuery:key} or "
                           "!{partitionKeyFromLambda:key}.");
  if ((rc = check_keys(s, prefix)) != AEV_OK) return rc;
  /* The records that reach the error output are those whose keys could
   * not be evaluated. */
  if (uses_namespaces(eprefix))
    return aev__fh_invalid("ErrorOutputPrefix cannot use partition keys: the records written "
                           "there are those whose keys could not be evaluated.");
  /* AWS's words (as recorded by aws-cdk's Firehose S3 destination). */
  if (s->size_bytes < (size_t)64 << 20)
    return aev__fh_invalid("BufferingHints.SizeInMBs must be at least 64 when Dynamic "
                           "Partitioning is enabled.");
  /* "Zero buffering feature is not available for dynamic partitioning"
   * (Buffer data for dynamic partitioning). */
  if (!s->interval_ms)
    return aev__fh_invalid("BufferingHints.IntervalInSeconds cannot be 0 when Dynamic "
                           "Partitioning is enabled: zero buffering is not available for "
                           "dynamic partitioning.");
  s->partitioning = 1;
  s->retry_ms = secs * 1000;
  return AEV_OK;
}

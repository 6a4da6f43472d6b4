/* Enhanced (shard-level) monitoring: Enable/DisableEnhancedMonitoring keep
 * the set of shard-level metrics a stream would publish ("ALL" is every
 * one) and answer it before and after the change, as AWS does. No metric
 * is computed or published in-process. */
#include <string.h>

#include "core/json_build.h"
#include "core/status.h"
#include "stream/stream.h"

#define N_METRICS 7
#define ALL_METRICS ((1u << N_METRICS) - 1)

static const char *const metric_names[N_METRICS] = {
    "IncomingBytes",
    "IncomingRecords",
    "OutgoingBytes",
    "OutgoingRecords",
    "WriteProvisionedThroughputExceeded",
    "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds",
};

json_t *aev__metrics_json(unsigned metrics) {
  json_t *list = json_array();
  int whole = list != NULL;
  for (int i = 0; whole && i < N_METRICS; i++)
    if (metrics & (1u << i))
      whole = !json_array_append_new(list, json_string(metric_names[i]));
  return aev__json_whole(list, whole);
}

/* The set ShardLevelMetrics names: 1 to 7 known names or ALL. */
static int parse_metrics(json_t *list, unsigned *out) {
  size_t n = json_array_size(list);
  if (!json_is_array(list) || n < 1 || n > N_METRICS)
    return aev__kin_validation(NULL, "shardLevelMetrics",
                               "Member must have length less than or equal "
                               "to 7 and greater than or equal to 1");
  *out = 0;
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    const char *name = json_string_value(v);
    unsigned bit = name && !strcmp(name, "ALL") ? ALL_METRICS : 0;
    for (int m = 0; name && !bit && m < N_METRICS; m++)
      if (!strcmp(name, metric_names[m])) bit = 1u << m;
    if (!bit)
      return aev__kin_validation(
          name, "shardLevelMetrics",
          "Member must satisfy constraint: [Member must satisfy enum value "
          "set: [IncomingBytes, IncomingRecords, OutgoingBytes, "
          "OutgoingRecords, WriteProvisionedThroughputExceeded, "
          "ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds, "
          "ALL]]");
    *out |= bit;
  }
  return AEV_OK;
}

int aev__stream_monitoring_json(aev_stream *s, json_t *metrics, int enable,
                                json_t **out) {
  unsigned asked = 0;
  int rc = aev__stream_check(s);
  if (rc == AEV_OK) rc = parse_metrics(metrics, &asked);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&s->mu);
  if (s->status != AEV__STATUS_ACTIVE) {
    rc = aev__kin_in_use(s);
    pthread_mutex_unlock(&s->mu);
    return rc;
  }
  unsigned before = s->metrics;
  unsigned after = enable ? before | asked : before & ~asked;
  *out = json_pack("{s:s, s:s, s:o, s:o}", "StreamName", s->res.name,
                   "StreamARN", s->res.arn, "CurrentShardLevelMetrics",
                   aev__metrics_json(before), "DesiredShardLevelMetrics",
                   aev__metrics_json(after));
  if (*out) s->metrics = after;
  pthread_mutex_unlock(&s->mu);
  return *out ? AEV_OK : aev__nomem();
}

/* Reading a pipe's source with the broker's event-source pollers: an SQS
 * queue with the queue mappings' (function/function.h), a Kinesis stream
 * with the stream mappings' (stream/mapping.h), each handing its batches to
 * aev__pipe_sink. A stopped Kinesis pipe pauses its poller, which keeps its
 * checkpoints (AWS resumes a stream source where it stopped); a stopped SQS
 * pipe drops its poller and leaves the messages on the queue. */
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "function/function.h"
#include "pipe/pipe_impl.h"
#include "stream/mapping.h"

static void sink_release(void *user) { aev__pipe_release(user); }

/* KinesisStreamParameters in the request shape of Lambda's
 * CreateEventSourceMapping, which the stream poller reads (a new object;
 * NULL when out of memory). */
static json_t *stream_request(const aev__pipe_conf *c) {
  json_t *sp = json_object_get(c->spec, "SourceParameters");
  json_t *kp = json_object_get(sp, "KinesisStreamParameters");
  static const char *const same[] = {"StartingPosition", "StartingPositionTimestamp",
                                     "BatchSize", "MaximumBatchingWindowInSeconds",
                                     "ParallelizationFactor", "MaximumRetryAttempts",
                                     "MaximumRecordAgeInSeconds"};
  json_t *req = json_object();
  int whole = req != NULL;
  for (size_t i = 0; whole && i < sizeof same / sizeof same[0]; i++) {
    json_t *v = json_object_get(kp, same[i]);
    if (v) whole = !json_object_set(req, same[i], v);
  }
  if (whole && c->no_batch && !json_object_get(req, "BatchSize"))
    whole = !json_object_set_new(req, "BatchSize", json_integer(1));
  const char *bisect = json_string_value(json_object_get(kp, "OnPartialBatchItemFailure"));
  if (whole && bisect && !strcmp(bisect, "AUTOMATIC_BISECT"))
    whole = !json_object_set_new(req, "BisectBatchOnFunctionError", json_true());
  const char *dlq = json_string_value(json_object_get(json_object_get(kp, "DeadLetterConfig"), "Arn"));
  if (whole && dlq)
    whole = !json_object_set_new(req, "DestinationConfig",
                                 json_pack("{s{ss}}", "OnFailure", "Destination", dlq));
  /* A Lambda target may name the records that failed (batchItemFailures). */
  if (whole)
    whole = !json_object_set_new(req, "FunctionResponseTypes",
                                 json_pack("[s]", "ReportBatchItemFailures"));
  json_t *fc = json_object_get(sp, "FilterCriteria");
  if (whole && json_array_size(json_object_get(fc, "Filters")))
    whole = !json_object_set(req, "FilterCriteria", fc);
  if (!whole) {
    json_decref(req);
    return NULL;
  }
  return req;
}

static int poll_stream(aev__pipe *p) {
  if (p->stream_poller) {
    aev__stream_mapping_sink_enable(p->stream_poller, 1);
    return AEV_OK;
  }
  json_t *req = stream_request(p->conf);
  if (!req) return aev__nomem();
  aev__stream_sink sink = {.deliver = aev__pipe_sink, .user = p, .release = sink_release};
  aev__resource_ref(&p->res); /* the poller's, given back by sink_release */
  int rc = aev__stream_mapping_sink_new(p->res.broker, p->conf->source, req, &sink,
                                        &p->stream_poller);
  json_decref(req);
  if (rc) aev__resource_unref(&p->res);
  return rc;
}

static int poll_queue(aev__pipe *p) {
  if (p->poller) return AEV_OK;
  aev_pattern *pats[5];
  int n = 0;
  int rc = aev__pipe_patterns(p->conf, pats, &n);
  aev__esm_sink cfg = {.batch_size = p->conf->batch_size, .window_s = p->conf->window_s,
                       .patterns = pats, .npatterns = n, .report_failures = 1,
                       .deliver = aev__pipe_sink, .user = p, .release = sink_release};
  aev__resource_ref(&p->res); /* the poller's, given back by sink_release */
  if (!rc) rc = aev__esm_sink_new(p->res.broker, p->conf->source, &cfg, &p->poller);
  if (rc) {
    for (int i = 0; i < n; i++) aev_pattern_free(pats[i]);
    aev__resource_unref(&p->res);
  }
  return rc;
}

int aev__pipe_poll_locked(aev__pipe *p) {
  return p->conf->stream_source ? poll_stream(p) : poll_queue(p);
}

void aev__pipe_pause_locked(aev__pipe *p, aev__pipe_pollers *drop) {
  if (p->stream_poller) aev__stream_mapping_sink_enable(p->stream_poller, 0);
  drop->queue = p->poller;
  p->poller = NULL;
}

void aev__pipe_unpoll_locked(aev__pipe *p, aev__pipe_pollers *drop) {
  drop->queue = p->poller;
  drop->stream = p->stream_poller;
  p->poller = NULL;
  p->stream_poller = NULL;
}

void aev__pipe_pollers_free(aev__pipe_pollers *drop) {
  aev__esm_sink_free(drop->queue);
  aev__stream_mapping_sink_free(drop->stream);
  drop->queue = NULL;
  drop->stream = NULL;
}

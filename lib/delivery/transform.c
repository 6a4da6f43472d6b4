/* Data transformation through a function of this broker, on Lambda's
 * Firehose contract: a request {invocationId, deliveryStreamArn, region,
 * records: [{recordId, approximateArrivalTimestamp, data}], with each
 * record's kinesisRecordMetadata and sourceKinesisStreamArn when a Kinesis
 * stream is the source} and a response
 * {records: [{recordId, result: Ok | Dropped | ProcessingFailed, data}]}.
 * A failed invocation or an invalid response is retried NumberOfRetries
 * times; then the whole batch counts as failed. Records that fail go to
 * the error output (deliver.c). Ok records may carry dynamic partitioning's
 * metadata.partitionKeys. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/broker.h"
#include "core/json_dump.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "delivery/delivery_impl.h"
#include "function/function.h"

typedef struct call {
  aev_delivery *d;
  aev__batch *bt;
  char *payload;
  char *lambda_arn; /* the settings when the batch's transform began */
  int retries;
} call;

/* The records the transform sees: those no processor ahead of it has
 * dropped or failed (decompress.c). */
static int seen(const aev__frec *r) { return r->result == AEV__FH_OK; }

static void mark_all(aev__batch *bt, const char *code, const char *msg) {
  for (aev__frec *r = bt->head; r; r = r->next) {
    if (!seen(r)) continue;
    r->result = AEV__FH_FAILED;
    free(r->error_code);
    free(r->error_msg);
    r->error_code = strdup(code);
    r->error_msg = strdup(msg);
  }
}

static char *request(aev_delivery *d, aev__batch *bt) {
  json_t *recs = json_array();
  pthread_mutex_lock(&d->mu);
  int ok = 1;
  for (aev__frec *r = bt->head; r && ok; r = r->next) {
    if (r->id) continue;
    ok = (r->id = malloc(AEV__FH_ID_LEN + 1)) != NULL;
    if (ok) aev__token(&d->rng, r->id, AEV__FH_ID_LEN);
    r->id_owned = ok;
  }
  pthread_mutex_unlock(&d->mu);
  if (!ok) {
    json_decref(recs);
    return NULL;
  }
  for (aev__frec *r = bt->head; r; r = r->next) {
    if (!seen(r)) continue;
    char *b64 = NULL; /* decompressed, when a Decompression processor ran */
    if (aev__base64_encode(r->data, r->len, &b64) != AEV_OK) break;
    json_t *rec = json_pack("{s:s, s:I, s:s}", "recordId", r->id, "approximateArrivalTimestamp",
                            (json_int_t)r->arrival_ms, "data", b64);
    if (rec && r->kinesis) json_object_set(rec, "kinesisRecordMetadata", r->kinesis);
    json_array_append_new(recs, rec);
    free(b64);
  }
  char id[AEV_UUID_LEN + 1];
  aev__broker_uuid(d->res.broker, id);
  json_t *req = json_pack("{s:s, s:s, s:s, s:o}", "invocationId", id,
                          "deliveryStreamArn", d->res.arn, "region",
                          aev_broker_region(d->res.broker), "records", recs);
  if (d->source)
    json_object_set_new(req, "sourceKinesisStreamArn",
                        json_string(aev_stream_arn(d->source)));
  char *text = aev__json_dumps(req, JSON_COMPACT);
  json_decref(req);
  return text;
}

/* Applies a response; 0 when it is valid for every record of the batch. */
static int apply(aev__batch *bt, const char *payload, size_t len) {
  json_t *resp; /* out of memory too fails the attempt, which is retried */
  if (aev__json_parse(payload, len, 0, &resp, NULL)) return -1;
  json_t *recs = json_object_get(resp, "records");
  if (!json_is_array(recs)) {
    json_decref(resp);
    return -1;
  }
  for (aev__frec *r = bt->head; r; r = r->next) {
    if (!seen(r)) continue;
    size_t i;
    json_t *e, *hit = NULL;
    json_array_foreach(recs, i, e) {
      const char *id = json_string_value(json_object_get(e, "recordId"));
      if (id && r->id && !strcmp(id, r->id)) hit = e;
    }
    const char *res = json_string_value(json_object_get(hit, "result"));
    if (!hit || !res) {
      r->result = AEV__FH_FAILED;
      r->error_code = strdup("Lambda.MissingRecordId");
      r->error_msg = strdup("The record was not returned by the function, or "
                            "returned without a result.");
    } else if (!strcmp(res, "Dropped")) {
      r->result = AEV__FH_DROPPED;
    } else if (!strcmp(res, "Ok")) {
      const char *b64 = json_string_value(json_object_get(hit, "data"));
      unsigned char *out = NULL;
      size_t n = 0;
      if (!b64 || aev__base64_decode(b64, strlen(b64), &out, &n) != AEV_OK) {
        r->result = AEV__FH_FAILED;
        r->error_code = strdup("Lambda.InvalidOutput");
        r->error_msg = strdup("The record's data is not valid base64.");
      } else {
        if (r->data != r->raw) free(r->data);
        r->data = out;
        r->len = n;
        /* Dynamic partitioning's keys from the function (Firehose's
         * guide: "metadata": {"partitionKeys": {...}}). */
        json_t *keys = json_object_get(json_object_get(hit, "metadata"), "partitionKeys");
        if (json_is_object(keys)) r->keys = json_incref(keys);
      }
    } else {
      r->result = AEV__FH_FAILED;
      r->error_code = strdup("Lambda.ProcessingFailed");
      r->error_msg = strdup(strcmp(res, "ProcessingFailed")
                                ? "The record's result is not Ok, Dropped or "
                                  "ProcessingFailed."
                                : "The function reported ProcessingFailed "
                                  "for the record.");
    }
  }
  json_decref(resp);
  return 0;
}

static void invoke(call *c);

static void done(void *user, const aev__invoke_result *res) {
  call *c = user;
  aev__batch *bt = c->bt;
  bt->transform_tries++;
  if (!res->function_error && apply(bt, res->payload, res->len) == 0) {
    bt->transformed = 1;
  } else if (bt->transform_tries > c->retries) {
    mark_all(bt, res->function_error ? "Lambda.FunctionError" : "Lambda.InvalidOutput",
             res->function_error ? "The Lambda function was successfully "
                                   "invoked but it returned an error result."
                                 : "The response of the function is not a "
                                   "valid Firehose transformation response.");
    bt->transformed = 1;
  }
  if (!bt->transformed) {
    invoke(c);
    return;
  }
  for (aev__frec *r = bt->head; r; r = r->next)
    if (r->result == AEV__FH_FAILED && !r->attempts) r->attempts = bt->transform_tries;
  aev_delivery *d = c->d;
  free(c->payload);
  free(c->lambda_arn);
  free(c);
  aev__fh_forward(d, bt);
}

static void invoke(call *c) {
  aev_function *f = NULL;
  aev_broker *b = c->d->res.broker;
  const char *qualifier; /* a version's or an alias's ARN runs that one */
  char buf[512];
  int rc = aev__function_find_qualified(b, c->lambda_arn, &f, &qualifier, buf, sizeof buf);
  if (rc == AEV_OK)
    rc = aev__function_call(f, qualifier, c->payload, strlen(c->payload), done, c);
  aev_function_release(f);
  if (rc == AEV_OK) return;
  /* No function, or a throttled call: a failed attempt too. */
  aev__invoke_result failed = {.payload = "", .function_error = "Unhandled"};
  done(c, &failed);
}

void aev__fh_transform(aev_delivery *d, aev__batch *bt) {
  const aev__frec *r = bt->head;
  while (r && !seen(r)) r = r->next;
  if (!r) { /* nothing for the function */
    bt->transformed = 1;
    aev__fh_forward(d, bt);
    return;
  }
  call *c = calloc(1, sizeof *c);
  if (c) {
    pthread_mutex_lock(&d->mu);
    c->lambda_arn = d->set.lambda_arn ? strdup(d->set.lambda_arn) : NULL;
    c->retries = d->set.retries;
    int gone = !d->set.lambda_arn; /* an update took the processing away */
    pthread_mutex_unlock(&d->mu);
    if (gone) {
      free(c);
      aev__fh_forward(d, bt);
      return;
    }
  }
  char *payload = c && c->lambda_arn ? request(d, bt) : NULL;
  if (!payload) {
    if (c) free(c->lambda_arn);
    free(c);
    mark_all(bt, "Lambda.FunctionError", "Out of memory building the request.");
    bt->transformed = 1;
    aev__fh_forward(d, bt);
    return;
  }
  c->d = d;
  c->bt = bt;
  c->payload = payload;
  invoke(c);
}

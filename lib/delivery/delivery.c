/* Delivery stream lifecycle: CreateDeliveryStream's configuration (type,
 * source stream, destination settings (destination.c), tags, encryption)
 * with AWS's checks, lookup, DeleteDeliveryStream, and the clock
 * helpers. */
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "delivery/delivery.h"
#include "stream/stream.h"

int64_t aev__fh_now_ms(const aev_delivery *d) {
  return aev__clock_now_ms(aev__broker_clock(d->res.broker));
}

int64_t aev__fh_mono(const aev_delivery *d) {
  return aev__clock_mono_ms(aev__broker_clock(d->res.broker));
}

int aev__fh_check(const aev_delivery *d) {
  if (!d) return aev__fh_invalid("Missing delivery stream handle.");
  if (!d->res.deleted) return AEV_OK;
  int rc = aev__broker_check_open(d->res.broker);
  return rc != AEV_OK ? rc : aev__fh_not_found(d->res.broker, d->res.name);
}

static void delivery_destroy(aev__resource *r) {
  aev_delivery *d = (aev_delivery *)r;
  aev__fh_buffer_free(d);
  json_decref(d->config);
  aev__fh_settings_free(&d->set);
  free(d->sse_key);
  json_decref(d->tags);
  pthread_mutex_destroy(&d->mu);
  free(d);
}

/* The tap's reference on the delivery stream. */
static void tap_drop(void *arg) {
  aev_delivery *d = arg;
  aev__resource_unref(&d->res);
}

/* The record's copy, made before the stream stores it (so that a record
 * stored is never lost here for want of memory). */
static void *tap_prep(void *arg, const void *data, size_t len) {
  (void)arg;
  return aev__fh_rec_new(data, len, 0);
}

static void tap_record(void *arg, const char *shard_id, const char *seq,
                       const char *key, const void *data, size_t len,
                       int64_t arrival_ms, void *prepared) {
  aev_delivery *d = arg;
  aev__frec *r = prepared;
  /* What a transform sees of the record's place in the stream, as Firehose
   * hands it to Lambda (left out only when out of memory). */
  r->kinesis = json_pack("{s:s, s:s, s:I, s:s, s:i}", "shardId", shard_id, "partitionKey",
                         key, "approximateArrivalTimestamp", (json_int_t)arrival_ms,
                         "sequenceNumber", seq, "subsequenceNumber", 0);
  pthread_mutex_lock(&d->mu);
  int sealed = 0;
  if (d->res.deleted)
    aev__fh_rec_free(r);
  else if (d->partitioned)
    sealed = aev__fh_partition_add(d, prepared, arrival_ms) > 0;
  else
    sealed = aev__fh_buffer_in(d, prepared, arrival_ms, NULL);
  pthread_mutex_unlock(&d->mu);
  if (sealed) aev__fh_kick(d);
}

/* Delete or shutdown: timers stop, the source tap goes, the sink's
 * release runs once no delivery is in flight (deliver.c). */
static void delivery_shutdown(aev__resource *r) {
  aev_delivery *d = (aev_delivery *)r;
  pthread_mutex_lock(&d->mu);
  d->res.deleted = 1;
  pthread_mutex_unlock(&d->mu);
  aev__sched *sched = aev__broker_sched(d->res.broker);
  if (aev__timer_cancel(sched, &d->interval)) aev__resource_unref(&d->res);
  if (aev__timer_cancel(sched, &d->retry)) aev__resource_unref(&d->res);
  aev__fh_parts_stop(d);
  if (d->source) {
    aev__stream_tap_remove(d->source, d->tap);
    aev_stream_release(d->source);
    d->source = NULL;
  }
  pthread_mutex_lock(&d->mu);
  int idle = !d->busy;
  aev_release_fn release = idle ? d->sink_release : NULL;
  if (idle) d->sink_release = NULL;
  pthread_mutex_unlock(&d->mu);
  if (release) release(d->sink_user);
}

int aev__delivery_check_name(const char *name) {
  size_t len = name ? strlen(name) : 0;
  if (len >= 1 && len <= 64 &&
      strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   "0123456789_.-") == len)
    return AEV_OK;
  return aev__fh_validation(name, "deliveryStreamName",
                            "Member must satisfy regular expression "
                            "pattern: [a-zA-Z0-9_.-]+ and have length "
                            "between 1 and 64");
}

/* Reads the configuration into d (not yet shared). */
static int configure(aev_delivery *d, aev_broker *b, json_t *cfg) {
  const char *type = json_string_value(json_object_get(cfg, "DeliveryStreamType"));
  int rc = AEV_OK;
  if (type && strcmp(type, "DirectPut") && strcmp(type, "KinesisStreamAsSource"))
    return aev__fh_validation(type, "deliveryStreamType",
                              "Member must satisfy enum value set: "
                              "[DirectPut, KinesisStreamAsSource]");
  if (type && !strcmp(type, "KinesisStreamAsSource")) {
    const char *arn = json_string_value(json_object_get(
        json_object_get(cfg, "KinesisStreamSourceConfiguration"),
        "KinesisStreamARN"));
    if (!arn)
      return aev__fh_invalid("KinesisStreamSourceConfiguration with a "
                             "KinesisStreamARN is required for "
                             "KinesisStreamAsSource.");
    if ((rc = aev__stream_find(b, arn, &d->source)) != AEV_OK) return rc;
    d->from_stream = 1;
  }
  rc = aev__fh_settings_read(&d->set, cfg, d->sink != NULL, "Configuration");
  d->partitioned = d->set.partitioning;
  if (rc == AEV_OK) rc = aev__fh_tags_new(json_object_get(cfg, "Tags"), &d->tags);
  if (rc == AEV_OK)
    rc = aev__fh_encryption_init(
        d, json_object_get(cfg, "DeliveryStreamEncryptionConfigurationInput"));
  return rc;
}

static void interval_task(void *arg, int cancelled);

int aev__delivery_create(aev_broker *b, const char *name, json_t *cfg,
                         aev_delivery_sink_fn fn, void *user,
                         aev_release_fn release, aev_delivery **out) {
  int rc = aev__broker_check_open(b);
  if (rc != AEV_OK) return rc;
  if ((rc = aev__delivery_check_name(name))) return rc;
  aev_delivery *d = calloc(1, sizeof *d);
  if (!d) return aev__nomem();
  if (pthread_mutex_init(&d->mu, NULL)) {
    free(d);
    return aev__nomem();
  }
  rc = aev__resource_init(&d->res, b, AEV__KIND_DELIVERY, name,
                          delivery_destroy, delivery_shutdown);
  if (rc != AEV_OK) {
    pthread_mutex_destroy(&d->mu);
    free(d);
    return rc;
  }
  d->sink = fn;
  d->sink_user = user;
  d->created_ms = aev_broker_now_ms(b);
  aev__rng_seed(&d->rng, aev__broker_random(b));
  aev__timer_init(&d->interval, interval_task, d, NULL);
  aev__timer_init(&d->retry, NULL, d, NULL);
  d->version = 1;
  d->config = json_deep_copy(cfg ? cfg : json_object());
  rc = d->config ? configure(d, b, cfg) : aev__nomem();
  if (rc == AEV_OK) {
    rc = aev__registry_add(b, &d->res, NULL);
    if (rc == AEV_ERR_EXISTS)
      rc = aev__fail(AEV_ERR_EXISTS, "ResourceInUseException",
                     "Firehose %s under account %s already exists.", name,
                     aev_broker_account(b));
  }
  if (rc == AEV_OK && d->source) {
    aev__resource_ref(&d->res);
    aev__tap *t;
    rc = aev__stream_tap_add(d->source, tap_record, tap_prep, d, tap_drop, &t);
    if (rc == AEV_OK) d->tap = t;
    else aev__resource_unref(&d->res);
    if (rc != AEV_OK) aev__registry_remove(b, &d->res);
  }
  if (rc != AEV_OK) {
    if (d->source) aev_stream_release(d->source);
    d->source = NULL;
    aev__resource_unref(&d->res);
    return rc;
  }
  d->sink_release = release;
  *out = d;
  return AEV_OK;
}

static void interval_task(void *arg, int cancelled) {
  aev_delivery *d = arg;
  if (!cancelled) {
    pthread_mutex_lock(&d->mu);
    if (!d->res.deleted) aev__fh_seal(d);
    pthread_mutex_unlock(&d->mu);
    aev__fh_kick(d);
  }
  aev__resource_unref(&d->res);
}

static int parse_config(const char *text, json_t **out) {
  if (!text || !*text) return (*out = json_object()) ? AEV_OK : aev__nomem();
  if (aev__json_parse_str(text, 0, out) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  if (json_is_object(*out)) return AEV_OK;
  json_decref(*out);
  return aev__fh_invalid("The configuration must be a JSON object.");
}

int aev_delivery_create(aev_broker *b, const char *name,
                        const char *config_json, aev_delivery **out) {
  if (!b || !out) return aev__fh_invalid("Missing argument.");
  json_t *cfg;
  int rc = parse_config(config_json, &cfg);
  if (rc != AEV_OK) return rc;
  rc = aev__delivery_create(b, name, cfg, NULL, NULL, NULL, out);
  json_decref(cfg);
  return rc;
}

int aev_delivery_create_with_sink(aev_broker *b, const char *name,
                                  const char *config_json,
                                  aev_delivery_sink_fn fn, void *user,
                                  aev_release_fn release, aev_delivery **out) {
  if (!b || !out || !fn) return aev__fh_invalid("Missing argument.");
  json_t *cfg;
  int rc = parse_config(config_json, &cfg);
  if (rc != AEV_OK) return rc;
  rc = aev__delivery_create(b, name, cfg, fn, user, release, out);
  json_decref(cfg);
  return rc;
}

int aev__delivery_find(aev_broker *b, const char *name_or_arn,
                       aev_delivery **out) {
  int rc = aev__broker_check_open(b);
  if (rc != AEV_OK) return rc;
  aev__resource *r =
      name_or_arn ? aev__registry_find(b, AEV__KIND_DELIVERY, name_or_arn) : NULL;
  if (!r) return aev__fh_not_found(b, name_or_arn);
  *out = (aev_delivery *)r;
  return AEV_OK;
}

int aev_delivery_get(aev_broker *b, const char *name_or_arn,
                     aev_delivery **out) {
  if (!b || !out) return aev__fh_invalid("Missing argument.");
  return aev__delivery_find(b, name_or_arn, out);
}

void aev_delivery_release(aev_delivery *d) {
  if (d) aev__resource_unref(&d->res);
}

int aev_delivery_delete(aev_delivery *d) {
  int rc = aev__fh_check(d);
  if (rc != AEV_OK) return rc;
  if (aev__registry_remove(d->res.broker, &d->res) != AEV_OK)
    return aev__fh_not_found(d->res.broker, d->res.name);
  return AEV_OK;
}

const char *aev_delivery_name(const aev_delivery *d) { return d ? d->res.name : NULL; }
const char *aev_delivery_arn(const aev_delivery *d) { return d ? d->res.arn : NULL; }

/* Firehose dynamic partitioning on the manual clock: the jq 1.6 subset on
 * its own, inline parsing into partitions read back from the bucket
 * directory, a partition buffering on its own interval and size, keys
 * from a Lambda transform's metadata.partitionKeys alone and with the
 * query, JSON and DELIMITED deaggregation, records whose keys cannot be
 * evaluated going to the error output as AWS's error records, the 500
 * active partitions, every creation check (nothing stored after a
 * refusal) and UpdateDestination's rules. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <jansson.h>
#include <unistd.h>

#include "aevtest.h"
#include "delivery/jq.h"
#include "delivery_support.h"
#include "stream_support.h"

static aev_broker *b;
static char root[64];

static void setup(void) {
  b = st_broker();
  snprintf(root, sizeof root, "/tmp/aev-fhdp-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(root));
}

static void teardown(void) {
  aev_broker_destroy(b);
  aev_test_remove_tree(root);
}

/* ---- the jq subset ---- */

static char *jq(const char *query, const char *input) {
  aev__jq *q;
  char err[512];
  int rc = aev__jq_compile(query, &q, err, sizeof err);
  ck_assert_msg(rc == 0, "%s: %s", query, err);
  json_t *in = json_loads(input, JSON_DECODE_ANY, NULL), *out;
  ck_assert_ptr_nonnull(in);
  static char text[600];
  if (aev__jq_eval(q, in, &out, err, sizeof err)) {
    snprintf(text, sizeof text, "error: %s", err);
  } else {
    char *s = json_dumps(out, JSON_ENCODE_ANY | JSON_COMPACT);
    snprintf(text, sizeof text, "%s", s);
    free(s);
    json_decref(out);
  }
  json_decref(in);
  aev__jq_free(q);
  return text;
}

static const char *refused(const char *query) {
  aev__jq *q;
  static char err[512];
  ck_assert_int_eq(aev__jq_compile(query, &q, err, sizeof err), -1);
  return err;
}

/* query is refused with a message containing part. */
static void refuses(const char *query, const char *part) {
  const char *msg = refused(query);
  ck_assert_msg(strstr(msg, part), "%s: %s", query, msg);
}

START_TEST(jq_subset) {
  const char *rec = "{\"type\":{\"device\":\"mobile\"},\"customer_id\":\"1234567890\","
                    "\"event_timestamp\":1565382027,\"tags\":[\"a\",\"b\"],\"my key\":7}";
  /* The guide's table. */
  ck_assert_str_eq(jq(".customer_id", rec), "\"1234567890\"");
  ck_assert_str_eq(jq(".type.device", rec), "\"mobile\"");
  ck_assert_str_eq(jq(".event_timestamp| strftime(\"%Y\")", rec), "\"2019\"");
  ck_assert_str_eq(jq(".event_timestamp|strftime(\"%m\")", rec), "\"08\"");
  ck_assert_str_eq(jq(".event_timestamp | strftime(\"%d\")", rec), "\"09\"");
  ck_assert_str_eq(jq(".event_timestamp|strftime(\"%H\")", rec), "\"20\"");
  ck_assert_str_eq(jq("{customer_id:.customer_id,device:.type.device,year:.event_timestamp|strftime(\"%Y\")}", rec),
                   "{\"customer_id\":\"1234567890\",\"device\":\"mobile\",\"year\":\"2019\"}");
  /* Paths, literals, functions. */
  ck_assert_str_eq(jq(".[\"my key\"]", rec), "7");
  ck_assert_str_eq(jq(".\"my key\" | tostring", rec), "\"7\"");
  ck_assert_str_eq(jq(".tags[1]", rec), "\"b\"");
  ck_assert_str_eq(jq(".tags[-1] | ascii_upcase", rec), "\"B\"");
  ck_assert_str_eq(jq("{customer_id, \"my key\", d: 1}", rec), "{\"customer_id\":\"1234567890\",\"my key\":7,\"d\":1}");
  ck_assert_str_eq(jq(".missing.deeper", rec), "null");
  ck_assert_str_eq(jq(".tags[5]", rec), "null");
  ck_assert_str_eq(jq("(.type | .device)", rec), "\"mobile\"");
  ck_assert_str_eq(jq("\"42\" | tonumber", rec), "42");
  ck_assert_str_eq(jq("\"MiXed\" | ascii_downcase", rec), "\"mixed\"");
  ck_assert_str_eq(jq(".", "3"), "3");
  ck_assert_str_eq(jq("{\"quoted key\": 1}", rec), "{\"quoted key\":1}");
  /* jq's runtime errors. */
  ck_assert_str_eq(jq(".customer_id.x", rec), "error: Cannot index string with \"x\"");
  ck_assert_str_eq(jq(".tags.x", rec), "error: Cannot index array with \"x\"");
  ck_assert_str_eq(jq(".type[0]", rec), "error: Cannot index object with number");
  ck_assert_str_eq(jq(".customer_id | strftime(\"%Y\")", rec), "error: strftime/1 requires parsed datetime inputs");
  ck_assert_str_eq(jq(".event_timestamp | strftime(1)", rec), "error: strftime/1 requires a string format");
  ck_assert_str_eq(jq("1e300 | strftime(\"%Y\")", rec), "error: strftime/1 requires parsed datetime inputs");
  ck_assert_str_eq(jq("-1.5 | strftime(\"%Y-%m-%dT%H:%M:%S\")", rec), "\"1969-12-31T23:59:58\"");
  ck_assert_str_eq(jq(".type.device | tonumber", rec), "error: Cannot parse 'mobile' as JSON");
  ck_assert_str_eq(jq(".event_timestamp | ascii_upcase", rec), "error: ascii_upcase input must be a string");
  /* Outside the subset: refused, naming what is supported. */
  const char *e = refused(".a | length");
  ck_assert_msg(strstr(e, "A function this subset does not have at \"length\"") &&
                    strstr(e, "strftime(format), tostring, tonumber"), "%s", e);
  refuses(".a[]", "An index that is not a string or a number");
  refuses(".a, .b", "An operator this subset does not support at \", .b\"");
  refuses(".a + 1", "An operator");
  /* .a.[0] is jq 1.7's, not 1.6's. */
  refuses(".tags.[0]", "An operator this subset does not support at \".[0]\"");
  refuses("{a: .x", "An object entry not followed by , or }");
  refuses("\"\\(.a)\"", "no \\( interpolation");
  refuses("strftime", "strftime without its format argument");
  refuses("tostring(1)", "An argument to a function that takes none");
  refuses(".a[1.5]", "not a string or an integer");
  refuses(".a[1e300]", "not a string or an integer");
  refuses("", "at the end of the query");
  char deep[200] = "";
  for (int i = 0; i < 65; i++) strcat(deep, "(");
  refuses(deep, "Nesting deeper than 64 levels");
  for (int i = 0; i < 65; i++) deep[i] = i < 63 ? '(' : i == 63 ? '.' : '\0';
  for (int i = 0; i < 63; i++) strcat(deep, ")");
  ck_assert_str_eq(jq(deep, "5"), "5");
  aev__jq *q;
  char err[256];
  ck_assert_int_eq(aev__jq_compile("{a: .x, \"b c\": .y}", &q, err, sizeof err), 0);
  const char *const *keys;
  size_t n;
  ck_assert_int_eq(aev__jq_object_keys(q, &keys, &n), 1);
  ck_assert_uint_eq(n, 2);
  ck_assert_str_eq(keys[1], "b c");
  aev__jq_free(q);
  ck_assert_int_eq(aev__jq_compile(".x", &q, err, sizeof err), 0);
  ck_assert_int_eq(aev__jq_object_keys(q, &keys, &n), 0);
  aev__jq_free(q);
}
END_TEST

/* ---- delivery ---- */

/* text with ' for " (configurations read better so). */
static char *dq(const char *text) {
  static char out[8192];
  snprintf(out, sizeof out, "%s", text);
  for (char *p = out; *p; p++)
    if (*p == '\'') *p = '"';
  return out;
}

#define HINTS "'BufferingHints':{'SizeInMBs':64,'IntervalInSeconds':60}"
#define ENABLED "'DynamicPartitioningConfiguration':{'Enabled':true}"
#define ERRORS "'ErrorOutputPrefix':'err/!{firehose:error-output-type}/'"
#define QUERY(q)                                                                             \
  "{'Type':'MetadataExtraction','Parameters':[{'ParameterName':'MetadataExtractionQuery',"   \
  "'ParameterValue':'" q "'},{'ParameterName':'JsonParsingEngine','ParameterValue':'JQ-1.6'}]}"
#define LAMBDA(fn)                                                                         \
  "{'Type':'Lambda','Parameters':[{'ParameterName':'LambdaArn','ParameterValue':"          \
  "'arn:aws:lambda:us-east-1:000000000000:function:" fn "'}]}"
#define DELIM "{'Type':'AppendDelimiterToRecord'}"
#define DEAGG(type, extra)                                                                 \
  "{'Type':'RecordDeAggregation','Parameters':[{'ParameterName':'SubRecordType',"          \
  "'ParameterValue':'" type "'}" extra "]}"
#define PROCESSORS(list) "'ProcessingConfiguration':{'Enabled':true,'Processors':[" list "]}"
#define GUIDE_QUERY                                                                        \
  "{customer_id: .customer_id, device: .type.device, year: .event_timestamp | strftime(\\'%Y\\')}"

/* CreateDeliveryStream of an S3 destination in root with members (' for "). */
static int create(const char *name, const char *members, aev_delivery **d) {
  char cfg[8192];
  snprintf(cfg, sizeof cfg,
           "{'ExtendedS3DestinationConfiguration':{'BucketARN':'arn:aws:s3:::bkt',"
           "'LocalDirectory':'%s',%s}}", root, members);
  return aev_delivery_create(b, name, dq(cfg), d);
}

static aev_delivery *made(const char *name, const char *members) {
  aev_delivery *d;
  int rc = create(name, members, &d);
  ck_assert_msg(rc == AEV_OK, "create: %s %s", aev_errcode(), aev_errmsg());
  return d;
}

static void put(aev_delivery *d, const char *text) {
  ck_assert_msg(aev_delivery_put(d, text, strlen(text), NULL) == AEV_OK, "put: %s", aev_errmsg());
}

/* The one object under dir/sub (asserting there is exactly one), as text. */
static char *object(const char *sub) {
  static char body[65536];
  char path[512];
  snprintf(path, sizeof path, "%s/%s", root, sub);
  ck_assert_msg(fh_last_file(root, sub), "no object under %s", sub);
  snprintf(path, sizeof path, "%s", fh_found);
  size_t len;
  unsigned char *data = fh_read_file(path, &len);
  snprintf(body, sizeof body, "%s", (char *)data);
  free(data);
  return body;
}

static int has_object(const char *sub) { return fh_last_file(root, sub); }

static int counted;
static int count_one(const char *p, const struct stat *st, int flag, struct FTW *f) {
  (void)p, (void)st, (void)f;
  counted += flag == FTW_F;
  return 0;
}

/* How many objects there are under dir/sub. */
static int count_files(const char *dir, const char *sub) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, sub);
  counted = 0;
  nftw(path, count_one, 16, FTW_PHYS);
  return counted;
}

static char *metrics(aev_delivery *d) {
  static char text[512];
  char *m;
  ck_assert_int_eq(aev_delivery_metrics(d, &m), AEV_OK);
  snprintf(text, sizeof text, "%s", m);
  aev_free(m);
  return text;
}

START_TEST(inline_parsing_delivers_each_partition) {
  aev_delivery *d = made("guide", HINTS "," ENABLED "," ERRORS ","
                         "'Prefix':'customer_id=!{partitionKeyFromQuery:customer_id}/"
                         "device=!{partitionKeyFromQuery:device}/year=!{partitionKeyFromQuery:year}/',"
                         PROCESSORS(QUERY(GUIDE_QUERY) "," DELIM));
  put(d, "{\"type\":{\"device\":\"mobile\"},\"customer_id\":\"1234567890\",\"event_timestamp\":1565382027,\"n\":1}");
  put(d, "{\"type\":{\"device\":\"desktop\"},\"customer_id\":\"42\",\"event_timestamp\":1565382027}");
  put(d, "{\"type\":{\"device\":\"mobile\"},\"customer_id\":\"1234567890\",\"event_timestamp\":1565382100,\"n\":2}");
  ck_assert_ptr_nonnull(strstr(metrics(d), "\"BufferedRecords\":3"));
  aev_broker_advance(b, 59999);
  ck_assert(!has_object(""));
  aev_broker_advance(b, 1);
  /* Two records in one object, with the new line between them; the key
   * is the evaluated prefix then the object name, without the default
   * time part (the guide's example key). */
  ck_assert_str_eq(object("customer_id=1234567890/device=mobile/year=2019"),
                   "{\"type\":{\"device\":\"mobile\"},\"customer_id\":\"1234567890\",\"event_timestamp\":1565382027,\"n\":1}\n"
                   "{\"type\":{\"device\":\"mobile\"},\"customer_id\":\"1234567890\",\"event_timestamp\":1565382100,\"n\":2}");
  ck_assert_msg(strstr(fh_found, "/year=2019/guide-1-2024-01-01-00-00-00-"), "%s", fh_found);
  ck_assert_ptr_nonnull(object("customer_id=42/device=desktop/year=2019"));
  ck_assert(!has_object("err"));
  ck_assert_msg(strstr(metrics(d), "\"DeliveredRecords\":3,\"DeliveredObjects\":2"), "%s", metrics(d));
  aev_delivery_release(d);
  /* A partition's object is compressed as any other, with its extension;
   * a random string is drawn for each object, not for each record. */
  d = made("gz", HINTS "," ENABLED "," ERRORS ",'CompressionFormat':'GZIP',"
           "'Prefix':'gz/!{partitionKeyFromQuery:device}/!{firehose:random-string}/',"
           PROCESSORS(QUERY(GUIDE_QUERY)));
  put(d, "{\"type\":{\"device\":\"tv\"},\"customer_id\":\"1\",\"event_timestamp\":0}");
  put(d, "{\"type\":{\"device\":\"tv\"},\"customer_id\":\"1\",\"event_timestamp\":0}");
  aev_broker_advance(b, 60000);
  ck_assert(has_object("gz/tv"));
  size_t n = strlen(fh_found);
  ck_assert_msg(n > 3 && !strcmp(fh_found + n - 3, ".gz"), "%s", fh_found);
  ck_assert_msg(strlen(strstr(fh_found, "gz/tv/") + 6) > 12 && strstr(fh_found, "gz/tv/")[17] == '/', "%s", fh_found);
  ck_assert_int_eq(count_files(root, "gz"), 1);
  aev_delivery_release(d);
}
END_TEST

START_TEST(each_partition_buffers_on_its_own) {
  aev_delivery *d = made("own", HINTS "," ENABLED "," ERRORS ",'Prefix':'k=!{partitionKeyFromQuery:k}/',"
                         PROCESSORS(QUERY("{k: .k}")));
  put(d, "{\"k\":\"a\"}");
  aev_broker_advance(b, 30000);
  put(d, "{\"k\":\"b\"}");
  aev_broker_advance(b, 30000);
  ck_assert(has_object("k=a"));
  ck_assert(!has_object("k=b"));
  aev_broker_advance(b, 30000);
  ck_assert(has_object("k=b"));
  /* SizeInMBs (64) seals one partition at once, not the other. */
  static char big[1000 * 1024 + 1];
  memset(big, 'x', sizeof big - 1);
  memcpy(big, "{\"k\":\"big\",\"p\":\"", 16);
  strcpy(big + sizeof big - 3, "\"}");
  put(d, "{\"k\":\"small\"}");
  for (int i = 0; i < 66; i++) put(d, big);
  aev_broker_advance(b, 0);
  ck_assert(has_object("k=big"));
  ck_assert(!has_object("k=small"));
  ck_assert_int_eq(aev_delivery_flush(d), AEV_OK);
  aev_broker_advance(b, 0);
  ck_assert_str_eq(object("k=small"), "{\"k\":\"small\"}");
  aev_delivery_release(d);
}
END_TEST

static int b64_value(char c) {
  const char *abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const char *p = c ? strchr(abc, c) : NULL;
  return p ? (int)(p - abc) : -1;
}

static char *b64_decode(const char *in) {
  static char out[4096];
  size_t n = 0;
  int bits = 0;
  unsigned acc = 0;
  for (; *in && *in != '='; in++) {
    acc = (acc << 6 | (unsigned)b64_value(*in)) & 0xFFFFFF;
    if ((bits += 6) >= 8) {
      bits -= 8;
      out[n++] = (char)(acc >> bits & 0xFF);
    }
  }
  out[n] = '\0';
  return out;
}

/* A transform returning each record as it came, with the partition key
 * "customer" from its JSON's "c" (no metadata when it has none); "drop"
 * is Dropped, "fail" ProcessingFailed. */
static void keys_transform(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (*(int *)user)++;
  json_t *in = json_loadb(event, len, 0, NULL), *out = json_array();
  size_t i;
  json_t *r;
  json_array_foreach(json_object_get(in, "records"), i, r) {
    const char *data = b64_decode(json_string_value(json_object_get(r, "data")));
    const char *res = !strcmp(data, "drop") ? "Dropped" : !strcmp(data, "fail") ? "ProcessingFailed" : "Ok";
    json_t *o = json_pack("{s:O, s:s, s:O}", "recordId", json_object_get(r, "recordId"), "result", res,
                          "data", json_object_get(r, "data"));
    json_t *rec = json_loads(data, 0, NULL);
    if (json_object_get(rec, "c"))
      json_object_set_new(o, "metadata", json_pack("{s:{s:O}}", "partitionKeys", "customer", json_object_get(rec, "c")));
    json_decref(rec);
    json_array_append_new(out, o);
  }
  json_t *resp = json_pack("{s:o}", "records", out);
  char *text = json_dumps(resp, JSON_COMPACT);
  aev_invocation_succeed(ctx, text, strlen(text));
  free(text);
  json_decref(resp);
  json_decref(in);
}

START_TEST(lambda_partition_keys) {
  int calls = 0;
  ck_assert_int_eq(aev_function_create(b, "keys", NULL, keys_transform, &calls, NULL, NULL), AEV_OK);
  aev_delivery *d = made("lam", HINTS "," ENABLED "," ERRORS ",'Prefix':'c=!{partitionKeyFromLambda:customer}/',"
                         PROCESSORS(LAMBDA("keys")));
  put(d, "{\"c\":\"x\",\"n\":1}");
  put(d, "{\"c\":\"y\"}");
  put(d, "drop");
  put(d, "fail");
  put(d, "{\"no\":\"key\"}");
  put(d, "{\"c\":\"x\",\"n\":2}");
  /* The Lambda processor buffers first, on its own hints (60 s by
   * default), then each partition waits its IntervalInSeconds. */
  aev_broker_advance(b, 60000);
  ck_assert_int_eq(calls, 1);
  ck_assert(!has_object("c=x"));
  aev_broker_advance(b, 60000);
  ck_assert_str_eq(object("c=x"), "{\"c\":\"x\",\"n\":1}{\"c\":\"x\",\"n\":2}");
  ck_assert_str_eq(object("c=y"), "{\"c\":\"y\"}");
  json_t *failed = json_loads(object("err/processing-failed"), JSON_DISABLE_EOF_CHECK, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(failed, "errorCode")), "Lambda.ProcessingFailed");
  ck_assert_str_eq(json_string_value(json_object_get(failed, "rawData")), "ZmFpbA==");
  ck_assert_int_eq(json_integer_value(json_object_get(failed, "attemptsMade")), 1);
  ck_assert_str_eq(json_string_value(json_object_get(failed, "lambdaArn")),
                   "arn:aws:lambda:us-east-1:000000000000:function:keys");
  json_decref(failed);
  json_t *missing = json_loads(object("err/metadata-extraction-failed"), JSON_DISABLE_EOF_CHECK, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(missing, "errorCode")),
                   "DynamicPartitioning.MetadataExtractionFailed");
  ck_assert_str_eq(json_string_value(json_object_get(missing, "errorMessage")),
                   "The partition key customer has no string, number or boolean value for this record.");
  ck_assert_ptr_null(json_object_get(missing, "lambdaArn"));
  json_decref(missing);
  ck_assert_msg(strstr(metrics(d), "\"DeliveredRecords\":3,\"DeliveredObjects\":2,\"DroppedRecords\":1,"
                                   "\"FailedRecords\":2"), "%s", metrics(d));
  aev_delivery_release(d);
  /* The processor's own hints: no wait before the transform. */
  d = made("fast", HINTS "," ENABLED "," ERRORS ",'Prefix':'fast/c=!{partitionKeyFromLambda:customer}/',"
           PROCESSORS("{'Type':'Lambda','Parameters':[{'ParameterName':'LambdaArn','ParameterValue':"
                      "'arn:aws:lambda:us-east-1:000000000000:function:keys'},{'ParameterName':"
                      "'BufferIntervalInSeconds','ParameterValue':'0'},{'ParameterName':"
                      "'BufferSizeInMBs','ParameterValue':'0.2'}]}"));
  put(d, "{\"c\":\"z\"}");
  aev_broker_advance(b, 0);
  ck_assert_int_eq(calls, 2);
  aev_broker_advance(b, 60000);
  ck_assert_str_eq(object("fast/c=z"), "{\"c\":\"z\"}");
  aev_delivery_release(d);
}
END_TEST

START_TEST(query_and_lambda_keys_together) {
  int calls = 0;
  ck_assert_int_eq(aev_function_create(b, "keys", NULL, keys_transform, &calls, NULL, NULL), AEV_OK);
  aev_delivery *d = made("both", HINTS "," ENABLED "," ERRORS ","
                         "'Prefix':'c=!{partitionKeyFromLambda:customer}/t=!{partitionKeyFromQuery:t}/"
                         "!{timestamp:yyyy}/',"
                         PROCESSORS(LAMBDA("keys") "," QUERY("{t: .t | ascii_upcase}")));
  put(d, "{\"c\":\"x\",\"t\":\"a\"}");
  put(d, "{\"c\":\"x\",\"t\":\"b\"}");
  put(d, "{\"c\":\"x\",\"t\":\"a\"}");
  aev_broker_advance(b, 120000);
  ck_assert_str_eq(object("c=x/t=A/2024"), "{\"c\":\"x\",\"t\":\"a\"}{\"c\":\"x\",\"t\":\"a\"}");
  ck_assert_str_eq(object("c=x/t=B/2024"), "{\"c\":\"x\",\"t\":\"b\"}");
  aev_delivery_release(d);
}
END_TEST

START_TEST(deaggregation) {
  aev_delivery *d = made("json", HINTS "," ENABLED "," ERRORS ",'Prefix':'k=!{partitionKeyFromQuery:k}/',"
                         PROCESSORS(DEAGG("JSON", "") "," QUERY("{k: .k}") "," DELIM));
  /* Objects back to back or one a line (the guide's correct inputs). */
  put(d, "{\"k\":\"a\",\"n\":1}{\"k\":\"b\"}\n{\"k\":\"a\",\"n\":3}\n");
  /* An array of objects is not valid input: it stays whole and fails. */
  put(d, "[{\"k\":\"a\"},{\"k\":\"b\"}]");
  /* More than 500 objects in one record: not split ("capped at 500 per
   * record"), so the query meets several objects. */
  static char many[501 * 12 + 1];
  many[0] = '\0';
  for (int i = 0; i < 501; i++) strcat(many, "{\"k\":\"m\"}");
  put(d, many);
  aev_broker_advance(b, 60000);
  ck_assert_str_eq(object("k=a"), "{\"k\":\"a\",\"n\":1}\n{\"k\":\"a\",\"n\":3}");
  ck_assert_str_eq(object("k=b"), "{\"k\":\"b\"}");
  ck_assert(!has_object("k=m"));
  char *errs = object("err/metadata-extraction-failed");
  ck_assert_ptr_nonnull(strstr(errs, "\"errorMessage\":\"Cannot index array with \\\"k\\\"\""));
  ck_assert_ptr_nonnull(strstr(errs, "\"errorMessage\":\"Non JSON record provided\""));
  aev_delivery_release(d);

  /* DELIMITED: the delimiter base64-encoded ("####" is IyMjIw==). */
  d = made("delim", HINTS "," ENABLED "," ERRORS ",'Prefix':'d/k=!{partitionKeyFromQuery:k}/',"
           PROCESSORS(DEAGG("DELIMITED", ",{'ParameterName':'Delimiter','ParameterValue':'IyMjIw=='}")
                      "," QUERY("{k: .k}")));
  put(d, "{\"k\":\"a\"}####{\"k\":\"b\"}####{\"k\":\"a\",\"z\":1}####");
  aev_broker_advance(b, 60000);
  ck_assert_str_eq(object("d/k=a"), "{\"k\":\"a\"}{\"k\":\"a\",\"z\":1}");
  ck_assert_str_eq(object("d/k=b"), "{\"k\":\"b\"}");
  ck_assert_ptr_nonnull(strstr(metrics(d), "\"IncomingRecords\":3"));
  aev_delivery_release(d);
}
END_TEST

START_TEST(bad_records_go_to_the_error_output) {
  aev_delivery *d = made("bad", HINTS "," ENABLED ",'ErrorOutputPrefix':'err/!{firehose:error-output-type}/!{timestamp:yyyy}/',"
                         "'Prefix':'y=!{partitionKeyFromQuery:y}/c=!{partitionKeyFromQuery:c}/',"
                         PROCESSORS(QUERY("{y: .ts | strftime(\\'%Y\\'), c: .c}")));
  put(d, "not json");
  put(d, "{\"ts\":\"yesterday\",\"c\":\"x\"}");
  put(d, "{\"ts\":0}");
  put(d, "{\"ts\":0,\"c\":{\"deep\":1}}");
  put(d, "{\"ts\":0,\"c\":7}");
  put(d, "{\"ts\":0,\"c\":true}");
  aev_broker_advance(b, 60000);
  ck_assert_str_eq(object("y=1970/c=7"), "{\"ts\":0,\"c\":7}");
  ck_assert_str_eq(object("y=1970/c=true"), "{\"ts\":0,\"c\":true}");
  /* AWS's error record: one JSON object a line, grouped by type. */
  char *errs = object("err/metadata-extraction-failed/2024");
  const char *want[4][2] = {
      {"bm90IGpzb24=", "Non JSON record provided"},
      {"eyJ0cyI6Inllc3RlcmRheSIsImMiOiJ4In0=", "strftime/1 requires parsed datetime inputs"},
      {"eyJ0cyI6MH0=", "The partition key c has no string, number or boolean value for this record."},
      {"eyJ0cyI6MCwiYyI6eyJkZWVwIjoxfX0=", "The partition key c has no string, number or boolean value for this record."}};
  char *line = errs;
  for (int i = 0; i < 4; i++) {
    json_t *rec = json_loads(line, JSON_DISABLE_EOF_CHECK, NULL);
    ck_assert_ptr_nonnull(rec);
    ck_assert_str_eq(json_string_value(json_object_get(rec, "rawData")), want[i][0]);
    ck_assert_str_eq(json_string_value(json_object_get(rec, "errorMessage")), want[i][1]);
    ck_assert_str_eq(json_string_value(json_object_get(rec, "errorCode")), "DynamicPartitioning.MetadataExtractionFailed");
    ck_assert_int_eq(json_integer_value(json_object_get(rec, "attemptsMade")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(rec, "arrivalTimestamp")), 1704067200000);
    ck_assert_ptr_nonnull(json_object_get(rec, "attemptEndingTimestamp"));
    json_decref(rec);
    line = strchr(line, '\n') + 1;
  }
  ck_assert_str_eq(line, "");
  ck_assert_msg(strstr(metrics(d), "\"DeliveredRecords\":2,\"DeliveredObjects\":2,\"DroppedRecords\":0,"
                                   "\"FailedRecords\":4"), "%s", metrics(d));
  aev_delivery_release(d);
}
END_TEST

START_TEST(active_partitions_limit) {
  aev_delivery *d = made("many", HINTS "," ENABLED "," ERRORS ",'Prefix':'k=!{partitionKeyFromQuery:k}/',"
                         PROCESSORS(QUERY("{k: .k}")));
  char texts[501][24];
  const void *data[500];
  size_t lens[500];
  for (int i = 0; i < 501; i++) snprintf(texts[i], sizeof texts[i], "{\"k\":%d}", i);
  for (int i = 0; i < 500; i++) {
    data[i] = texts[i];
    lens[i] = strlen(texts[i]);
  }
  ck_assert_int_eq(aev_delivery_put_batch(d, 500, data, lens, NULL), AEV_OK);
  /* A record of an active partition still goes there; the 501st
   * partition's record goes to the error output. */
  put(d, texts[7]);
  put(d, texts[500]);
  aev_broker_advance(b, 60000);
  ck_assert_str_eq(object("k=7"), "{\"k\":7}{\"k\":7}");
  ck_assert(has_object("k=499"));
  ck_assert(!has_object("k=500"));
  char *err = object("err/activePartitionExceeded");
  ck_assert_ptr_nonnull(strstr(err, "\"errorCode\":\"DynamicPartitioning.ActivePartitionsLimitExceeded\""));
  /* Delivered partitions are no longer active: the key is taken now. */
  put(d, texts[500]);
  aev_broker_advance(b, 60000);
  ck_assert_str_eq(object("k=500"), "{\"k\":500}");
  aev_delivery_release(d);
}
END_TEST

START_TEST(stream_source_is_partitioned) {
  aev_stream *s = st_stream(b, "src", 1);
  char members[1024];
  snprintf(members, sizeof members,
           HINTS "," ENABLED "," ERRORS ",'Prefix':'k=!{partitionKeyFromQuery:k}/',"
           PROCESSORS(QUERY("{k: .k}")) "}, 'DeliveryStreamType':'KinesisStreamAsSource',"
           "'KinesisStreamSourceConfiguration':{'KinesisStreamARN':'%s'", aev_stream_arn(s));
  aev_delivery *d = made("fromstream", members);
  st_put(s, "p", "{\"k\":\"s\"}", NULL);
  aev_broker_advance(b, 60000);
  ck_assert_str_eq(object("k=s"), "{\"k\":\"s\"}");
  aev_delivery_release(d);
  aev_stream_release(s);
}
END_TEST

START_TEST(partitioning_retry_options) {
  /* A bucket directory that cannot be made: every write fails. */
  char blocked[128], members[1024];
  snprintf(blocked, sizeof blocked, "%s/file", root);
  fclose(fopen(blocked, "w"));
  snprintf(members, sizeof members,
           "'LocalDirectory':'%s/sub'," HINTS ",'DynamicPartitioningConfiguration':{'Enabled':true,"
           "'RetryOptions':{'DurationInSeconds':30}}," ERRORS "," "'Prefix':'k=!{partitionKeyFromQuery:k}/',"
           PROCESSORS(QUERY("{k: .k}")), blocked);
  aev_delivery *d = made("retry", members);
  put(d, "{\"k\":1}");
  /* Attempts at 60 s, then 1, 2, 4, 8 and 16 s later: the last begins
   * 31 s after the first, past the 30 s of RetryOptions. */
  aev_broker_advance(b, 60000 + 29000);
  ck_assert_msg(strstr(metrics(d), "\"FailedRecords\":0,\"DeliveryAttempts\":5"), "%s", metrics(d));
  aev_broker_advance(b, 10000);
  ck_assert_msg(strstr(metrics(d), "\"FailedRecords\":1,\"DeliveryAttempts\":6"), "%s", metrics(d));
  aev_delivery_release(d);
}
END_TEST

/* The message of the last refusal. */
static char refused_msg[2048];

/* Creation is refused with code and message, and nothing is stored. */
static void refuse(const char *members, const char *code, const char *message) {
  aev_delivery *d;
  int rc = create("refused", members, &d);
  ck_assert_msg(rc != AEV_OK, "created with %s", members);
  ck_assert_str_eq(aev_errcode(), code);
  snprintf(refused_msg, sizeof refused_msg, "%s", aev_errmsg());
  if (message) ck_assert_str_eq(refused_msg, message);
  ck_assert_int_eq(aev_delivery_get(b, "refused", &d), AEV_ERR_NOT_FOUND);
}

#define KPREFIX "'Prefix':'k=!{partitionKeyFromQuery:k}/'"
#define KQUERY PROCESSORS(QUERY("{k: .k}"))

START_TEST(creation_checks) {
  const char *inv = "InvalidArgumentException", *val = "ValidationException";
  refuse(HINTS "," ERRORS "," KPREFIX "," KQUERY, inv,
         "Dynamic Partitioning Namespaces can only be part of a prefix expression when Dynamic "
         "Partitioning is enabled.");
  refuse(HINTS "," ERRORS ",'Prefix':'!{partitionKeyFromLambda:c}/'", inv,
         "Dynamic Partitioning Namespaces can only be part of a prefix expression when Dynamic "
         "Partitioning is enabled.");
  refuse(HINTS "," KQUERY, inv,
         "MetadataExtraction and RecordDeAggregation processors work with dynamic partitioning: "
         "set DynamicPartitioningConfiguration Enabled to true on an S3 destination.");
  refuse(HINTS "," ENABLED "," ERRORS "," KPREFIX, inv,
         "Dynamic partitioning needs partition keys: add a MetadataExtraction processor (inline "
         "parsing with jq), a Lambda processor returning metadata.partitionKeys, or both.");
  refuse(HINTS "," ENABLED "," ERRORS ",'Prefix':'static/!{timestamp:yyyy}/'," KQUERY, inv,
         "When dynamic partitioning is enabled, Prefix must use the partition keys: "
         "!{partitionKeyFromQuery:key} or !{partitionKeyFromLambda:key}.");
  refuse(HINTS "," ENABLED "," ERRORS ",'Prefix':'!{partitionKeyFromQuery:nope}/'," KQUERY, inv,
         "Prefix names !{partitionKeyFromQuery:nope}, but the MetadataExtractionQuery does not build "
         "that key.");
  refuse(HINTS "," ENABLED "," ERRORS ",'Prefix':'!{partitionKeyFromLambda:c}/'," KQUERY, inv,
         "Prefix names !{partitionKeyFromLambda:c}, but there is no Lambda processor to return "
         "partition keys.");
  refuse(HINTS "," ENABLED "," KPREFIX "," KQUERY, inv,
         "ErrorOutputPrefix cannot be null or empty when Prefix contains expressions.");
  refuse(HINTS "," ENABLED ",'ErrorOutputPrefix':'e/!{partitionKeyFromQuery:k}/!{firehose:error-output-type}',"
         KPREFIX "," KQUERY, inv,
         "ErrorOutputPrefix cannot use partition keys: the records written there are those whose "
         "keys could not be evaluated.");
  refuse(ENABLED "," ERRORS "," KPREFIX "," KQUERY, inv,
         "BufferingHints.SizeInMBs must be at least 64 when Dynamic Partitioning is enabled.");
  refuse("'BufferingHints':{'SizeInMBs':63,'IntervalInSeconds':60}," ENABLED "," ERRORS "," KPREFIX "," KQUERY, inv,
         "BufferingHints.SizeInMBs must be at least 64 when Dynamic Partitioning is enabled.");
  refuse("'BufferingHints':{'SizeInMBs':64,'IntervalInSeconds':0}," ENABLED "," ERRORS "," KPREFIX "," KQUERY, inv,
         "BufferingHints.IntervalInSeconds cannot be 0 when Dynamic Partitioning is enabled: zero "
         "buffering is not available for dynamic partitioning.");
  refuse(HINTS ",'DynamicPartitioningConfiguration':{'Enabled':true,'RetryOptions':{'DurationInSeconds':7201}},"
         ERRORS "," KPREFIX "," KQUERY, val, NULL);
  ck_assert_ptr_nonnull(strstr(refused_msg, "dynamicPartitioningConfiguration.retryOptions.durationInSeconds"));
  refuse(HINTS ",'DynamicPartitioningConfiguration':{'Enabled':false,'RetryOptions':{'DurationInSeconds':-1}}",
         val, NULL);
  refuse(HINTS "," ENABLED "," ERRORS ",'Prefix':'!{partitionKeyFromQuery:}/'," KQUERY, inv, NULL);
  ck_assert_ptr_nonnull(strstr(refused_msg, "The expression !{partitionKeyFromQuery:} in Prefix is not supported"));
  /* The query itself. */
  refuse(HINTS "," ENABLED "," ERRORS "," KPREFIX "," PROCESSORS(QUERY("{k: .k | length}")), inv, NULL);
  ck_assert_msg(strstr(refused_msg, "MetadataExtractionQuery is not valid: A function this subset does not "
                                    "have at \"length}\" (position 9)") == refused_msg &&
                    strstr(refused_msg, "jq 1.6 subset supports"), "%s", refused_msg);
  refuse(HINTS "," ENABLED "," ERRORS "," KPREFIX "," PROCESSORS(QUERY(".k")), inv,
         "MetadataExtractionQuery must build an object of the partition keys, as {key: .field, ...}.");
  refuse(HINTS "," ENABLED "," ERRORS "," KPREFIX ","
         PROCESSORS("{'Type':'MetadataExtraction','Parameters':[{'ParameterName':'MetadataExtractionQuery',"
                    "'ParameterValue':'{k: .k}'}]}"), inv,
         "A MetadataExtraction processor needs the MetadataExtractionQuery and JsonParsingEngine parameters.");
  refuse(HINTS "," ENABLED "," ERRORS "," KPREFIX ","
         PROCESSORS("{'Type':'MetadataExtraction','Parameters':[{'ParameterName':'MetadataExtractionQuery',"
                    "'ParameterValue':'{k: .k}'},{'ParameterName':'JsonParsingEngine','ParameterValue':'JQ-1.7'}]}"),
         inv, "JsonParsingEngine JQ-1.7 is not supported: the only engine is JQ-1.6.");
  /* The processors and their parameters. */
  refuse(HINTS "," ENABLED "," ERRORS "," KPREFIX "," PROCESSORS(DEAGG("XML", "") "," QUERY("{k: .k}")), inv,
         "SubRecordType XML is not valid: use JSON or DELIMITED.");
  refuse(HINTS "," ENABLED "," ERRORS "," KPREFIX "," PROCESSORS(DEAGG("DELIMITED", "") "," QUERY("{k: .k}")), inv,
         "The Delimiter parameter goes with SubRecordType DELIMITED, and only with it.");
  refuse(HINTS "," ENABLED "," ERRORS "," KPREFIX ","
         PROCESSORS(DEAGG("JSON", ",{'ParameterName':'Delimiter','ParameterValue':'IyMjIw=='}") "," QUERY("{k: .k}")),
         inv, "The Delimiter parameter goes with SubRecordType DELIMITED, and only with it.");
  refuse(HINTS "," ENABLED "," ERRORS "," KPREFIX ","
         PROCESSORS(DEAGG("DELIMITED", ",{'ParameterName':'Delimiter','ParameterValue':'###'}") "," QUERY("{k: .k}")),
         inv, "Delimiter must be a base64-encoded, non-empty string (\"####\" is IyMjIw==).");
  refuse(HINTS "," ENABLED "," ERRORS "," KPREFIX ","
         PROCESSORS("{'Type':'RecordDeAggregation'}," QUERY("{k: .k}")), inv,
         "A RecordDeAggregation processor needs the SubRecordType parameter (JSON or DELIMITED).");
  refuse(HINTS "," ENABLED "," ERRORS "," KPREFIX ","
         PROCESSORS(DEAGG("JSON", ",{'ParameterName':'Colour','ParameterValue':'red'}") "," QUERY("{k: .k}")),
         val, NULL);
  ck_assert_ptr_nonnull(strstr(refused_msg, "Value 'Colour' at "));
  refuse(HINTS "," ENABLED "," ERRORS "," KPREFIX ","
         PROCESSORS(DEAGG("JSON", ",{'ParameterName':'LambdaArn','ParameterValue':'x'}") "," QUERY("{k: .k}")),
         inv, "Parameter LambdaArn is not valid for a RecordDeAggregation processor.");
  refuse(HINTS "," ENABLED "," ERRORS "," KPREFIX ","
         PROCESSORS(DEAGG("JSON", ",{'ParameterName':'Delimiter','ParameterValue':'  '}") "," QUERY("{k: .k}")),
         val, NULL);
  ck_assert_ptr_nonnull(strstr(refused_msg, "^(?!\\s*$).+"));
  refuse(HINTS "," ENABLED "," ERRORS "," KPREFIX "," PROCESSORS(QUERY("{k: .k}") "," QUERY("{k: .k}")), inv,
         "ProcessingConfiguration has more than one MetadataExtraction processor.");
  refuse(HINTS "," ENABLED "," ERRORS "," KPREFIX "," PROCESSORS("{'Type':'Magic'}"), val, NULL);
  ck_assert_ptr_nonnull(strstr(refused_msg, "Member must satisfy enum value set: [RecordDeAggregation"));
  refuse(HINTS "," ENABLED "," ERRORS ",'Prefix':'!{partitionKeyFromLambda:c}/',"
         PROCESSORS("{'Type':'Lambda','Parameters':[{'ParameterName':'LambdaArn','ParameterValue':'arn:x'},"
                    "{'ParameterName':'BufferSizeInMBs','ParameterValue':'4'}]}"),
         inv, "BufferSizeInMBs of a Lambda processor must be between 0.2 and 3.");
  refuse(HINTS "," ENABLED "," ERRORS ",'Prefix':'!{partitionKeyFromLambda:c}/',"
         PROCESSORS("{'Type':'Lambda','Parameters':[{'ParameterName':'LambdaArn','ParameterValue':'arn:x'},"
                    "{'ParameterName':'BufferIntervalInSeconds','ParameterValue':'901'}]}"),
         inv, "BufferIntervalInSeconds of a Lambda processor must be between 0 and 900.");
  /* Enabled members that are not booleans ("yes" is not taken for false). */
  refuse(HINTS ",'DynamicPartitioningConfiguration':{'Enabled':'yes'}," ERRORS "," KPREFIX "," KQUERY,
         val, "1 validation error detected: Value at 'dynamicPartitioningConfiguration.enabled' failed "
              "to satisfy constraint: Member must be a boolean");
  refuse(HINTS "," ENABLED "," ERRORS "," KPREFIX ",'ProcessingConfiguration':{'Enabled':'true',"
         "'Processors':[" QUERY("{k: .k}") "]}", val,
         "1 validation error detected: Value at 'processingConfiguration.enabled' failed to satisfy "
         "constraint: Member must be a boolean");
  /* Only an S3 destination partitions. */
  aev_delivery *d;
  st_assert_error(aev_delivery_create(b, "refused", dq("{'SqsDestinationConfiguration':{'QueueARN':'arn:aws:sqs:us-east-1:000000000000:q',"
                                                       KQUERY "}}"), &d), AEV_ERR_INVALID, inv);
  ck_assert_int_eq(aev_delivery_get(b, "refused", &d), AEV_ERR_NOT_FOUND);
  /* The guide's configuration is accepted. */
  aev_delivery_release(made("fine", HINTS "," ENABLED "," ERRORS ",'Prefix':'k=!{partitionKeyFromQuery:k}/',"
                            PROCESSORS(DEAGG("JSON", "") "," QUERY("{k: .k}") "," DELIM)));
}
END_TEST

static json_t *call(const char *action, const char *req, int want) {
  return aev_test_call(b, "firehose", action, dq(req), want);
}

static void update_fails(const char *version, const char *update, const char *message) {
  char req[4096];
  snprintf(req, sizeof req, "{'DeliveryStreamName':'%s','CurrentDeliveryStreamVersionId':'%s',"
           "'DestinationId':'destinationId-000000000001','ExtendedS3DestinationUpdate':{%s}}",
           "u", version, update);
  aev_test_call_fails(b, "firehose", "UpdateDestination", dq(req), AEV_ERR_INVALID,
                      "InvalidArgumentException", message);
}

static const char *version_of(const char *name) {
  static char v[16];
  char req[128];
  snprintf(req, sizeof req, "{'DeliveryStreamName':'%s'}", name);
  json_t *j = call("DescribeDeliveryStream", req, AEV_OK);
  snprintf(v, sizeof v, "%s", json_string_value(json_object_get(json_object_get(j, "DeliveryStreamDescription"), "VersionId")));
  json_decref(j);
  return v;
}

START_TEST(update_rules_and_describe) {
  char req[2048];
  snprintf(req, sizeof req, "{'DeliveryStreamName':'u','ExtendedS3DestinationConfiguration':{"
           "'BucketARN':'arn:aws:s3:::bkt','LocalDirectory':'%s'," HINTS "," ENABLED "," ERRORS ","
           KPREFIX "," KQUERY "}}", root);
  json_decref(call("CreateDeliveryStream", req, AEV_OK));
  json_t *j = call("DescribeDeliveryStream", "{'DeliveryStreamName':'u'}", AEV_OK);
  json_t *dest = json_array_get(json_object_get(json_object_get(j, "DeliveryStreamDescription"), "Destinations"), 0);
  json_t *ext = json_object_get(dest, "ExtendedS3DestinationDescription");
  ck_assert(json_is_true(json_object_get(json_object_get(ext, "DynamicPartitioningConfiguration"), "Enabled")));
  json_t *proc = json_array_get(json_object_get(json_object_get(ext, "ProcessingConfiguration"), "Processors"), 0);
  ck_assert_str_eq(json_string_value(json_object_get(proc, "Type")), "MetadataExtraction");
  json_decref(j);
  /* It cannot be disabled, and a refused update changes nothing. */
  update_fails("1", "'DynamicPartitioningConfiguration':{'Enabled':false}",
               "Dynamic partitioning cannot be disabled on Firehose u: once enabled, it stays enabled.");
  /* An Enabled that is no boolean is refused as one, not taken for false. */
  snprintf(req, sizeof req, "{'DeliveryStreamName':'u','CurrentDeliveryStreamVersionId':'1',"
           "'DestinationId':'destinationId-000000000001','ExtendedS3DestinationUpdate':{"
           "'DynamicPartitioningConfiguration':{'Enabled':'yes'}}}");
  aev_test_call_fails(b, "firehose", "UpdateDestination", dq(req), AEV_ERR_INVALID,
                      "ValidationException",
                      "1 validation error detected: Value at "
                      "'dynamicPartitioningConfiguration.enabled' failed to satisfy constraint: "
                      "Member must be a boolean");
  update_fails("1", "'BufferingHints':{'SizeInMBs':5,'IntervalInSeconds':60}",
               "BufferingHints.SizeInMBs must be at least 64 when Dynamic Partitioning is enabled.");
  ck_assert_str_eq(version_of("u"), "1");
  /* New keys and prefixes apply to the records after the update. */
  aev_delivery *d;
  ck_assert_int_eq(aev_delivery_get(b, "u", &d), AEV_OK);
  put(d, "{\"k\":\"old\",\"j\":\"one\"}");
  snprintf(req, sizeof req, "{'DeliveryStreamName':'u','CurrentDeliveryStreamVersionId':'1',"
           "'DestinationId':'destinationId-000000000001','ExtendedS3DestinationUpdate':{"
           "'Prefix':'j=!{partitionKeyFromQuery:j}/'," PROCESSORS(QUERY("{j: .j}")) "}}");
  json_decref(call("UpdateDestination", req, AEV_OK));
  put(d, "{\"k\":\"new\",\"j\":\"two\"}");
  aev_broker_advance(b, 60000);
  ck_assert(has_object("k=old"));
  ck_assert(has_object("j=two"));
  ck_assert(!has_object("k=new"));
  aev_delivery_release(d);
  /* A stream made without it cannot have it enabled. */
  snprintf(req, sizeof req, "{'DeliveryStreamName':'plain','ExtendedS3DestinationConfiguration':{"
           "'BucketARN':'arn:aws:s3:::bkt','LocalDirectory':'%s'}}", root);
  json_decref(call("CreateDeliveryStream", req, AEV_OK));
  snprintf(req, sizeof req, "{'DeliveryStreamName':'plain','CurrentDeliveryStreamVersionId':'1',"
           "'DestinationId':'destinationId-000000000001','ExtendedS3DestinationUpdate':{"
           HINTS "," ENABLED "," ERRORS "," KPREFIX "," KQUERY "}}");
  aev_test_call_fails(b, "firehose", "UpdateDestination", dq(req), AEV_ERR_INVALID, "InvalidArgumentException",
                      "Dynamic partitioning cannot be enabled on Firehose plain: it can only be enabled "
                      "when the Firehose stream is created.");
  ck_assert_str_eq(version_of("plain"), "1");
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("delivery_partitioning");
  TCase *tc = tcase_create("delivery_partitioning");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, jq_subset);
  tcase_add_test(tc, inline_parsing_delivers_each_partition);
  tcase_add_test(tc, each_partition_buffers_on_its_own);
  tcase_add_test(tc, lambda_partition_keys);
  tcase_add_test(tc, query_and_lambda_keys_together);
  tcase_add_test(tc, deaggregation);
  tcase_add_test(tc, bad_records_go_to_the_error_output);
  tcase_add_test(tc, active_partitions_limit);
  tcase_add_test(tc, stream_source_is_partitioned);
  tcase_add_test(tc, partitioning_retry_options);
  tcase_add_test(tc, creation_checks);
  tcase_add_test(tc, update_rules_and_describe);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }

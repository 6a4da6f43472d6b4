/* A Distributed Map's ItemReader and ResultWriter over the broker's S3
 * stand-in (the object KEY of bucket NAME is the file ./NAME/KEY): what AWS
 * was recorded answering (LocalStack's scenarios/test_base_scenarios,
 * test_map_item_reader_* and test_map_state_result_writer), the guide's
 * "ItemReader (Map)" and "ResultWriter (Map)" pages, and the checks made
 * when a machine is created; and the aws-sdk:s3 Tasks on the same objects
 * (recorded: test_aws_sdk_task_service, test_s3_put_object / _get_object). */
#include <check.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "aevtest.h"
#include "tree.h"
#include "machine_support.h"
#include "awsevents/awsevents.h"

#define ROLE "arn:aws:iam::123456789012:role/sfn"
#define SM "arn:aws:states:us-east-1:000000000000:stateMachine:m"
#define FAILED "States.ItemReaderFailed"

static aev_broker *b;
static char bucket[32];

static void setup(void) {
  b = aev_test_manual_broker(5);
  snprintf(bucket, sizeof bucket, "ir-bucket-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(bucket));
}

static void teardown(void) {
  aev_broker_destroy(b);
  aev_test_remove_tree(bucket);
}

static json_t *call(const char *action, json_t *req, int want) {
  return aev_test_call_req(b, "states", action, req, want);
}

static const char *member(json_t *v, const char *key) { return json_string_value(json_object_get(v, key)); }

/* Writes the object key of the test's bucket. */
static void put(const char *key, const char *body) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", bucket, key);
  for (char *p = strchr(path, '/'); p; p = strchr(p + 1, '/')) {
    *p = 0;
    mkdir(path, 0777);
    *p = '/';
  }
  FILE *fp = fopen(path, "wb");
  ck_assert_ptr_nonnull(fp);
  fputs(body, fp);
  fclose(fp);
}

/* The object's text (a new string), or NULL when there is none. */
static char *get(const char *key) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", bucket, key);
  FILE *fp = fopen(path, "rb");
  if (!fp) return NULL;
  char *text = calloc(1, 65536);
  ck_assert_uint_lt(fread(text, 1, 65535, fp), 65535);
  fclose(fp);
  return text;
}

/* The definition text: ' for ", and BKT for the test's bucket. */
static char *definition(const char *def) {
  char *d = calloc(1, strlen(def) + 64);
  for (const char *p = def; *p; p++) {
    if (!strncmp(p, "BKT", 3)) {
      strcat(d, bucket);
      p += 2;
      continue;
    }
    d[strlen(d)] = *p == '\'' ? '"' : *p;
  }
  return d;
}

/* A machine m whose Map state M (distributed, children a Pass, or a Fail
 * for the item "bad") has the members extra. */
#define MAP_DEF(extra)                                                                                           \
  "{'StartAt':'M','States':{'M':{'Type':'Map'," extra ",'ItemProcessor':{'ProcessorConfig':"                   \
  "{'Mode':'DISTRIBUTED','ExecutionType':'STANDARD'},'StartAt':'C','States':{"                                  \
  "'C':{'Type':'Choice','Choices':[{'Variable':'$','StringEquals':'bad','Next':'F'}],'Default':'P'},"           \
  "'F':{'Type':'Fail','Error':'Bad','Cause':'a bad item'},'P':{'Type':'Pass','End':true}}},'End':true}}}"

static void create(const char *def) {
  char *d = definition(def);
  json_decref(call("CreateStateMachine", json_pack("{s:s,s:s,s:s}", "name", "m", "definition", d, "roleArn", ROLE),
                   AEV_OK));
  free(d);
}

/* CreateStateMachine refuses def with InvalidDefinition, message containing
 * want; no machine was made. */
static void refused(const char *def, const char *want) {
  char *d = definition(def);
  json_t *e = call("CreateStateMachine", json_pack("{s:s,s:s,s:s}", "name", "m", "definition", d, "roleArn", ROLE),
                   AEV_ERR_INVALID);
  free(d);
  ck_assert_str_eq(member(e, "__type"), "InvalidDefinition");
  if (!strstr(member(e, "message"), want)) ck_abort_msg("%s lacks %s", member(e, "message"), want);
  json_decref(e);
  json_t *l = call("ListStateMachines", json_object(), AEV_OK);
  ck_assert_int_eq(json_array_size(json_object_get(l, "stateMachines")), 0);
  json_decref(l);
}

static char exec_arn[200];

/* Runs m on input to its end; its DescribeExecution. */
static json_t *run(const char *input) {
  char *in = definition(input);
  json_t *v = call("StartExecution", json_pack("{s:s,s:s}", "stateMachineArn", SM, "input", in), AEV_OK);
  free(in);
  snprintf(exec_arn, sizeof exec_arn, "%s", member(v, "executionArn"));
  json_decref(v);
  ck_assert_int_eq(aev_broker_advance(b, 60000), AEV_OK);
  return call("DescribeExecution", json_pack("{s:s}", "executionArn", exec_arn), AEV_OK);
}

/* m's output for input: want. */
static void output_is(const char *input, const char *want) {
  json_t *d = run(input);
  ck_assert_str_eq(member(d, "status"), "SUCCEEDED");
  ck_assert_str_eq(member(d, "output"), want);
  json_decref(d);
}

/* m fails for input with error and a cause starting with cause. */
static void fails(const char *input, const char *error, const char *cause) {
  json_t *d = run(input);
  ck_assert_str_eq(member(d, "status"), "FAILED");
  ck_assert_str_eq(member(d, "error"), error);
  if (strncmp(member(d, "cause"), cause, strlen(cause))) ck_abort_msg("cause %s, not %s", member(d, "cause"), cause);
  json_decref(d);
}

/* Event id's *EventDetails member (a new reference), NULL without one. */
static json_t *details(int id) {
  json_t *v = call("GetExecutionHistory", json_pack("{s:s}", "executionArn", exec_arn), AEV_OK);
  json_t *ev = json_array_get(json_object_get(v, "events"), (size_t)id - 1), *d = NULL, *x;
  const char *k;
  json_object_foreach(ev, k, x) if (strstr(k, "EventDetails")) d = json_incref(x);
  json_decref(v);
  return d;
}

#define GET_JSON(config)                                                                                          \
  "'ItemReader':{'Resource':'arn:aws:states:::s3:getObject','ReaderConfig':" config                              \
  ",'Parameters':{'Bucket.$':'$.Bucket','Key.$':'$.Key'}}"
#define INPUT(key) "{'Bucket':'BKT','Key':'" key "'}"

/* Recorded (test_map_item_reader_base_json): the file's array is the
 * items; MapStateStarted's length is 0; MapRunStarted, MapRunSucceeded. */
START_TEST(json_array_of_items) {
  put("file.json", "[{\"verdict\":\"true\",\"n\":1},{\"verdict\":\"false\",\"n\":2},3]");
  create(MAP_DEF(GET_JSON("{'InputType':'JSON'}")));
  output_is(INPUT("file.json"), "[{\"verdict\":\"true\",\"n\":1},{\"verdict\":\"false\",\"n\":2},3]");
  assert_history(b, exec_arn, "ExecutionStarted MapStateEntered MapStateStarted MapRunStarted MapRunSucceeded "
                "MapStateSucceeded MapStateExited ExecutionSucceeded");
  json_t *d = details(3);
  ck_assert_int_eq(json_integer_value(json_object_get(d, "length")), 0);
  json_decref(d);
  /* The Map Run counts the items it read. */
  json_t *runs = call("ListMapRuns", json_pack("{s:s}", "executionArn", exec_arn), AEV_OK);
  json_t *run_d = call("DescribeMapRun",
                       json_pack("{s:s}", "mapRunArn", member(json_array_get(json_object_get(runs, "mapRuns"), 0),
                                                              "mapRunArn")),
                       AEV_OK);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(run_d, "itemCounts"), "succeeded")), 3);
  json_decref(run_d);
  json_decref(runs);
}
END_TEST

/* ItemsPath applies to the dataset read (the guide: ItemReader, then
 * ItemsPath): an array inside the file's object. */
START_TEST(json_items_path) {
  put("facts.json", "{\"facts\":[{\"n\":1},{\"n\":2}],\"other\":3}");
  create(MAP_DEF(GET_JSON("{'InputType':'JSON'}") ",'ItemsPath':'$.facts'"));
  output_is(INPUT("facts.json"), "[{\"n\":1},{\"n\":2}]");
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  create(MAP_DEF(GET_JSON("{'InputType':'JSON'}") ",'ItemsPath':'$.other'"));
  fails(INPUT("facts.json"), FAILED, "Attempting to map over non-iterable node.");
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  create(MAP_DEF(GET_JSON("{'InputType':'JSON'}") ",'ItemsPath':'$.missing'"));
  fails(INPUT("facts.json"), "States.Runtime", "");
}
END_TEST

/* JSON Lines: one item a line, blank lines none. */
START_TEST(json_lines) {
  put("f.jsonl", "{\"a\":1}\n\n\"two\"\r\n[3]\n");
  create(MAP_DEF(GET_JSON("{'InputType':'JSONL'}")));
  output_is(INPUT("f.jsonl"), "[{\"a\":1},\"two\",[3]]");
}
END_TEST

static const char recorded_rows[] = "Value1,Value2,Value3\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n";

/* Recorded (test_map_item_reader_base_csv_headers_first_line): every value
 * a string, missing fields "", extra fields dropped. */
START_TEST(csv_first_row) {
  char csv[256];
  snprintf(csv, sizeof csv, "Col1,Col2,Col3\n%s", recorded_rows);
  put("file.csv", csv);
  create(MAP_DEF(GET_JSON("{'InputType':'CSV','CSVHeaderLocation':'FIRST_ROW'}")));
  output_is(INPUT("file.csv"),
            "[{\"Col1\":\"Value1\",\"Col2\":\"Value2\",\"Col3\":\"Value3\"},{\"Col1\":\"Value4\",\"Col2\":\"Value5\","
            "\"Col3\":\"Value6\"},{\"Col1\":\"\",\"Col2\":\"\",\"Col3\":\"\"},{\"Col1\":\"true\",\"Col2\":\"1\","
            "\"Col3\":\"'HelloWorld'\"},{\"Col1\":\"Null\",\"Col2\":\"None\",\"Col3\":\"\"},{\"Col1\":\"   \","
            "\"Col2\":\"\",\"Col3\":\"\"}]");
}
END_TEST

/* Recorded: the members in a Java HashMap's order
 * (test_map_item_reader_csv_headers_first_row_typed_headers,
 * test_map_item_reader_csv_first_row_extra_fields). */
START_TEST(csv_members_in_java_order) {
  put("typed.csv", "0,True,{}\nValue4,Value5,Value6\n,,,\n");
  put("extra.csv", "H1,\nValue4,Value5,Value6\ntrue,1,'HelloWorld'\n");
  create(MAP_DEF(GET_JSON("{'InputType':'CSV','CSVHeaderLocation':'FIRST_ROW'}")));
  output_is(INPUT("typed.csv"),
            "[{\"0\":\"Value4\",\"{}\":\"Value6\",\"True\":\"Value5\"},{\"0\":\"\",\"{}\":\"\",\"True\":\"\"}]");
  output_is(INPUT("extra.csv"), "[{\"\":\"Value5\",\"H1\":\"Value4\"},{\"\":\"1\",\"H1\":\"true\"}]");
}
END_TEST

/* Recorded (test_map_item_reader_base_csv_headers_decl, ..._extra_fields):
 * CSVHeaders given, every row an item. */
START_TEST(csv_given_headers) {
  put("file.csv", recorded_rows);
  create(MAP_DEF(GET_JSON("{'InputType':'CSV','CSVHeaderLocation':'GIVEN','CSVHeaders':['H1']}")));
  output_is(INPUT("file.csv"),
            "[{\"H1\":\"Value1\"},{\"H1\":\"Value4\"},{\"H1\":\"\"},{\"H1\":\"true\"},{\"H1\":\"Null\"},{\"H1\":\"   \"}]");
}
END_TEST

/* Recorded (test_map_item_reader_csv_headers_decl_duplicate_headers): the
 * run starts, then fails: MapRunFailed with the error, MapStateFailed. */
START_TEST(csv_duplicate_headers_fail_the_run) {
  put("file.csv", recorded_rows);
  create(MAP_DEF(GET_JSON("{'InputType':'CSV','CSVHeaderLocation':'GIVEN','CSVHeaders':['H1','H1','H3']}")));
  fails(INPUT("file.csv"), FAILED, "CSV headers cannot contain duplicates.");
  assert_history(b, exec_arn, "ExecutionStarted MapStateEntered MapStateStarted MapRunStarted MapRunFailed MapStateFailed "
                "ExecutionFailed");
  json_t *d = details(5);
  ck_assert_str_eq(member(d, "error"), FAILED);
  ck_assert_str_eq(member(d, "cause"), "CSV headers cannot contain duplicates.");
  json_decref(d);
  /* The same for a header row. */
  put("dup.csv", "a,b,a\n1,2,3\n");
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  create(MAP_DEF(GET_JSON("{'InputType':'CSV','CSVHeaderLocation':'FIRST_ROW'}")));
  fails(INPUT("dup.csv"), FAILED, "CSV headers cannot contain duplicates.");
}
END_TEST

/* Every CSVDelimiter, with RFC 4180 quoting (a delimiter, a quote and a
 * line break inside a quoted field) and CRLF line ends. */
START_TEST(csv_delimiters) {
  static const struct {
    const char *name, *text;
  } cases[] = {
      {"COMMA", "k,v\r\n\"a,b\",\"say \"\"hi\"\"\"\r\n"},
      {"PIPE", "k|v\r\n\"a|b\"|\"say \"\"hi\"\"\"\r\n"},
      {"SEMICOLON", "k;v\n\"a;b\";\"say \"\"hi\"\"\"\n"},
      {"SPACE", "k v\n\"a b\" \"say \"\"hi\"\"\"\n"},
      {"TAB", "k\tv\n\"a\tb\"\t\"say \"\"hi\"\"\"\n"},
  };
  /* The members in a Java HashMap's order: "v" before "k". */
  static const char *const want[] = {"[{\"v\":\"say \\\"hi\\\"\",\"k\":\"a,b\"}]", "[{\"v\":\"say \\\"hi\\\"\",\"k\":\"a|b\"}]",
                                     "[{\"v\":\"say \\\"hi\\\"\",\"k\":\"a;b\"}]", "[{\"v\":\"say \\\"hi\\\"\",\"k\":\"a b\"}]",
                                     "[{\"v\":\"say \\\"hi\\\"\",\"k\":\"a\\tb\"}]"};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char key[32], def[1024], input[128];
    snprintf(key, sizeof key, "d%zu.csv", i);
    put(key, cases[i].text);
    snprintf(def, sizeof def,
             MAP_DEF(GET_JSON("{'InputType':'CSV','CSVHeaderLocation':'FIRST_ROW','CSVDelimiter':'%s'}")),
             cases[i].name);
    json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
    create(def);
    snprintf(input, sizeof input, "{'Bucket':'BKT','Key':'%s'}", key);
    output_is(input, want[i]);
  }
  put("nl.csv", "k\n\"two\nlines\"\n");
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  create(MAP_DEF(GET_JSON("{'InputType':'CSV','CSVHeaderLocation':'FIRST_ROW'}")));
  output_is(INPUT("nl.csv"), "[{\"k\":\"two\\nlines\"}]");
  /* Blank lines are no rows; a file without rows has no items. */
  put("blank.csv", "\n\nh\n\n1\r\n\r\n");
  output_is(INPUT("blank.csv"), "[{\"h\":\"1\"}]");
  put("empty.csv", "");
  output_is(INPUT("empty.csv"), "[]");
  put("latin1.csv", "h\n\xe9t\xe9\n");
  fails(INPUT("latin1.csv"), FAILED, "The CSV file is not valid UTF-8");
}
END_TEST

/* MaxItems (0: all) and MaxItemsPath: at most that many, in order; a
 * negative or non-integer value fails the run. */
START_TEST(max_items) {
  put("file.csv", "Col1,Col2\nValue1,Value2\nValue3,Value4\nValue5,Value6\nValue7,Value8\n");
  put("file.json", "[1,2,3,4]");
  create(MAP_DEF(GET_JSON("{'InputType':'CSV','CSVHeaderLocation':'FIRST_ROW','MaxItems':2}")));
  output_is(INPUT("file.csv"), "[{\"Col1\":\"Value1\",\"Col2\":\"Value2\"},{\"Col1\":\"Value3\",\"Col2\":\"Value4\"}]");
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  create(MAP_DEF(GET_JSON("{'InputType':'JSON','MaxItems':0}")));
  output_is(INPUT("file.json"), "[1,2,3,4]");
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  create(MAP_DEF(GET_JSON("{'InputType':'JSON','MaxItemsPath':'$.Max'}")));
  output_is("{'Bucket':'BKT','Key':'file.json','Max':3}", "[1,2,3]");
  output_is("{'Bucket':'BKT','Key':'file.json','Max':100000001}", "[1,2,3,4]");
  output_is("{'Bucket':'BKT','Key':'file.json','Max':0}", "[1,2,3,4]");
  output_is("{'Bucket':'BKT','Key':'file.json','Max':'2'}", "[1,2]");
  fails("{'Bucket':'BKT','Key':'file.json','Max':-1}", FAILED, "field MaxItems must be positive");
  assert_history(b, exec_arn, "ExecutionStarted MapStateEntered MapStateStarted MapRunStarted MapRunFailed MapStateFailed "
                "ExecutionFailed");
  fails("{'Bucket':'BKT','Key':'file.json','Max':'x'}", FAILED,
        "The MaxItemsPath field refers to value \"x\" which is not a valid integer: $.Max");
  fails("{'Bucket':'BKT','Key':'file.json','Max':1.5}", FAILED,
        "The MaxItemsPath field refers to value \"1.5\" which is not a valid integer: $.Max");
  fails("{'Bucket':'BKT','Key':'file.json'}", "States.Runtime", "");
}
END_TEST

/* listObjectsV2: the bucket's objects under Prefix, keys in UTF-8 binary
 * order, each {Etag, Key, LastModified, Size, StorageClass}. */
START_TEST(list_objects) {
  put("file_1.txt", "1HelloWorld!");
  put("file_0.txt", "0HelloWorld!");
  put("dir/b.txt", "x");
  put("dir/a.txt", "");
  put("other.txt", "y");
  create(MAP_DEF("'ItemReader':{'Resource':'arn:aws:states:::s3:listObjectsV2','Parameters':{'Bucket':'BKT'}},"
                 "'ItemSelector':{'k.$':'$$.Map.Item.Value.Key'}"));
  output_is("{}", "[{\"k\":\"dir/a.txt\"},{\"k\":\"dir/b.txt\"},{\"k\":\"file_0.txt\"},{\"k\":\"file_1.txt\"},"
                  "{\"k\":\"other.txt\"}]");
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  create(MAP_DEF("'ItemReader':{'Resource':'arn:aws:states:::s3:listObjectsV2','ReaderConfig':{'MaxItems':1},"
                 "'Parameters':{'Bucket':'BKT','Prefix.$':'$.p'}}"));
  json_t *d = run("{'p':'file_'}");
  json_t *out = json_loads(member(d, "output"), 0, NULL);
  ck_assert_int_eq(json_array_size(out), 1);
  json_t *o = json_array_get(out, 0);
  ck_assert_str_eq(member(o, "Key"), "file_0.txt");
  /* S3's ETag of a single-part object: its MD5 in quotes. */
  ck_assert_str_eq(member(o, "Etag"), "\"26c6f5d46cc21753686a70d9344a5b4a\"");
  ck_assert_int_eq(json_integer_value(json_object_get(o, "Size")), 12);
  ck_assert_str_eq(member(o, "StorageClass"), "STANDARD");
  ck_assert(json_integer_value(json_object_get(o, "LastModified")) > 1600000000);
  json_decref(out);
  json_decref(d);
}
END_TEST

/* The reader's failures, all States.ItemReaderFailed after MapRunStarted:
 * S3's as its Java SDK words them, and files that hold no items. */
START_TEST(reader_failures) {
  put("obj.json", "{\"Hello\":\"world\"}");
  put("bad.json", "[1,");
  put("bad.jsonl", "1\n{\n");
  put("bad.csv", "a,b\n\"open,1\n");
  create(MAP_DEF(GET_JSON("{'InputType':'JSON'}")));
  fails("{'Bucket':'no-such-bucket-here','Key':'k'}", FAILED,
        "The specified bucket does not exist (Service: S3, Status Code: 404, Request ID: ");
  assert_history(b, exec_arn, "ExecutionStarted MapStateEntered MapStateStarted MapRunStarted MapRunFailed MapStateFailed "
                "ExecutionFailed");
  fails(INPUT("gone.json"), FAILED, "The specified key does not exist. (Service: S3, Status Code: 404, Request ID: ");
  fails("{'Bucket':'BKT','Key':'../BKT/obj.json'}", FAILED, "The specified key does not exist.");
  fails("{'Bucket':'BKT','Key':7}", FAILED, "The S3 request's Key must be a string");
  /* Recorded (test_map_item_reader_json_no_json_list_object). */
  fails(INPUT("obj.json"), FAILED, "Attempting to map over non-iterable node.");
  fails(INPUT("bad.json"), FAILED, "The JSON file could not be parsed: ");
  /* jansson's error quotes the first byte of a two-byte character: the
   * cause stays UTF-8 (found by fuzz_item_reader). */
  put("half.json", "[{\"\\\xde\xa6`");
  fails(INPUT("half.json"), FAILED, "The JSON file could not be parsed: invalid escape near '\"\\?'");
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  create(MAP_DEF(GET_JSON("{'InputType':'JSONL'}")));
  fails(INPUT("bad.jsonl"), FAILED, "The JSONL file could not be parsed: line 2 is not one JSON value");
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  create(MAP_DEF(GET_JSON("{'InputType':'CSV','CSVHeaderLocation':'FIRST_ROW'}")));
  fails(INPUT("bad.csv"), FAILED, "The CSV file could not be parsed: a quoted field is not closed");
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  create(MAP_DEF(GET_JSON("{'InputType':'PARQUET'}")));
  fails(INPUT("obj.json"), FAILED, "ReaderConfig InputType PARQUET is not supported by this broker");
}
END_TEST

/* ItemSelector, ItemBatcher and the tolerances work on the items read as
 * on items given inline. */
START_TEST(items_flow_as_inline_ones) {
  put("file.json", "[\"a\",\"bad\",\"c\"]");
  create(MAP_DEF(GET_JSON("{'InputType':'JSON'}") ",'ItemSelector':{'v.$':'$$.Map.Item.Value',"
                                                  "'i.$':'$$.Map.Item.Index'}"));
  output_is(INPUT("file.json"), "[{\"v\":\"a\",\"i\":0},{\"v\":\"bad\",\"i\":1},{\"v\":\"c\",\"i\":2}]");
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  create(MAP_DEF(GET_JSON("{'InputType':'JSON'}") ",'ItemBatcher':{'MaxItemsPerBatch':2}"));
  output_is(INPUT("file.json"), "[{\"Items\":[\"a\",\"bad\"]},{\"Items\":[\"c\"]}]");
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  create(MAP_DEF(GET_JSON("{'InputType':'JSON'}") ",'ToleratedFailureCount':1"));
  output_is(INPUT("file.json"), "[\"a\",{\"Error\":\"Bad\",\"Cause\":\"a bad item\"},\"c\"]");
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  /* Without a tolerance, a Distributed Map tolerates no failure. */
  create(MAP_DEF(GET_JSON("{'InputType':'JSON'}")));
  fails(INPUT("file.json"), "States.ExceedToleratedFailureThreshold",
        "The specified tolerated failure threshold was exceeded");
}
END_TEST

/* JSONata: the reader's Arguments are expressions on the state's input. */
START_TEST(jsonata_arguments) {
  put("f.json", "[1,2]");
  create("{'QueryLanguage':'JSONata','StartAt':'M','States':{'M':{'Type':'Map','ItemReader':{'Resource':"
         "'arn:aws:states:::s3:getObject','ReaderConfig':{'InputType':'JSON'},'Arguments':{'Bucket':"
         "'{% $states.input.b %}','Key':'f.json'}},'ItemProcessor':{'ProcessorConfig':{'Mode':'DISTRIBUTED',"
         "'ExecutionType':'EXPRESS'},'StartAt':'P','States':{'P':{'Type':'Pass','End':true}}},'End':true}}}");
  output_is("{'b':'BKT'}", "[1,2]");
  /* MaxItems as an expression. */
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  create("{'QueryLanguage':'JSONata','StartAt':'M','States':{'M':{'Type':'Map','ItemReader':{'Resource':"
         "'arn:aws:states:::s3:getObject','ReaderConfig':{'InputType':'JSON','MaxItems':'{% $states.input.n %}'},"
         "'Arguments':{'Bucket':'BKT','Key':'f.json'}},'ItemProcessor':{'ProcessorConfig':{'Mode':'DISTRIBUTED',"
         "'ExecutionType':'EXPRESS'},'StartAt':'P','States':{'P':{'Type':'Pass','End':true}}},'End':true}}}");
  output_is("{'n':1}", "[1]");
  fails("{'n':-1}", "States.QueryEvaluationError", "");
}
END_TEST

#define WRITER(extra) GET_JSON("{'InputType':'JSON'}") ",'ResultWriter':{" extra "}"

/* Recorded (test_map_state_result_writer): the output names the run and
 * its manifest, PREFIX/<map run id>/manifest.json; the guide's files read
 * back: SUCCEEDED_0.json with each child's record, FAILED_0.json with the
 * tolerated failures', the manifest listing them. */
START_TEST(writer_exports_the_results) {
  put("file.json", "[\"a\",\"bad\"]");
  create(MAP_DEF(WRITER("'Resource':'arn:aws:states:::s3:putObject','Parameters':{'Bucket':'BKT','Prefix':"
                        "'mapJobs'}") ",'ToleratedFailureCount':1,'Label':'TestMap'"));
  json_t *d = run(INPUT("file.json"));
  ck_assert_str_eq(member(d, "status"), "SUCCEEDED");
  json_t *out = json_loads(member(d, "output"), 0, NULL);
  json_decref(d);
  assert_history(b, exec_arn, "ExecutionStarted MapStateEntered MapStateStarted MapRunStarted MapRunSucceeded "
                "MapStateSucceeded MapStateExited ExecutionSucceeded");
  const char *run_arn = member(out, "MapRunArn"), *id = strrchr(run_arn, ':') + 1;
  ck_assert_int_eq(strncmp(run_arn, "arn:aws:states:us-east-1:000000000000:mapRun:m/TestMap:", 55), 0);
  json_t *det = json_object_get(out, "ResultWriterDetails");
  char key[128];
  snprintf(key, sizeof key, "mapJobs/%s/manifest.json", id);
  ck_assert_str_eq(member(det, "Bucket"), bucket);
  ck_assert_str_eq(member(det, "Key"), key);
  char *text = get(key);
  ck_assert_ptr_nonnull(text);
  json_t *manifest = json_loads(text, 0, NULL);
  free(text);
  ck_assert_str_eq(member(manifest, "DestinationBucket"), bucket);
  ck_assert_str_eq(member(manifest, "MapRunArn"), run_arn);
  json_t *files = json_object_get(manifest, "ResultFiles");
  ck_assert_int_eq(json_array_size(json_object_get(files, "PENDING")), 0);
  json_t *ok = json_array_get(json_object_get(files, "SUCCEEDED"), 0),
         *bad = json_array_get(json_object_get(files, "FAILED"), 0);
  snprintf(key, sizeof key, "mapJobs/%s/SUCCEEDED_0.json", id);
  ck_assert_str_eq(member(ok, "Key"), key);
  text = get(key);
  ck_assert_int_eq(json_integer_value(json_object_get(ok, "Size")), (json_int_t)strlen(text));
  json_t *records = json_loads(text, 0, NULL);
  free(text);
  ck_assert_int_eq(json_array_size(records), 1);
  json_t *r = json_array_get(records, 0);
  ck_assert_str_eq(member(r, "Status"), "SUCCEEDED");
  ck_assert_str_eq(member(r, "Input"), "\"a\"");
  ck_assert_str_eq(member(r, "Output"), "\"a\"");
  ck_assert_str_eq(member(r, "StateMachineArn"), SM "/TestMap");
  ck_assert_int_eq(strncmp(member(r, "ExecutionArn"), "arn:aws:states:us-east-1:000000000000:execution:m/TestMap:", 58),
                   0);
  ck_assert_str_eq(member(r, "StartDate"), "2024-01-01T00:00:00.000Z");
  ck_assert(json_is_true(json_object_get(json_object_get(r, "InputDetails"), "Included")));
  json_decref(records);
  snprintf(key, sizeof key, "mapJobs/%s/FAILED_0.json", id);
  ck_assert_str_eq(member(bad, "Key"), key);
  text = get(key);
  records = json_loads(text, 0, NULL);
  free(text);
  r = json_array_get(records, 0);
  ck_assert_str_eq(member(r, "Status"), "FAILED");
  ck_assert_str_eq(member(r, "Error"), "Bad");
  ck_assert_str_eq(member(r, "Cause"), "a bad item");
  ck_assert_ptr_null(json_object_get(r, "Output"));
  json_decref(records);
  json_decref(manifest);
  json_decref(out);
}
END_TEST

/* WriterConfig alone shapes the state's output; with an export, OutputType
 * JSONL writes JSON Lines. */
START_TEST(writer_config_shapes_the_results) {
  put("file.json", "[[1,2],[3]]");
  create(MAP_DEF(WRITER("'WriterConfig':{'Transformation':'FLATTEN','OutputType':'JSON'}")));
  output_is(INPUT("file.json"), "[1,2,3]");
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  create(MAP_DEF(WRITER("'WriterConfig':{'Transformation':'COMPACT'}")));
  output_is(INPUT("file.json"), "[[1,2],[3]]");
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  create(MAP_DEF(WRITER("'WriterConfig':{'Transformation':'NONE'}")));
  json_t *d = run(INPUT("file.json"));
  json_t *out = json_loads(member(d, "output"), 0, NULL);
  ck_assert_str_eq(member(json_array_get(out, 1), "Output"), "[3]");
  ck_assert_str_eq(member(json_array_get(out, 1), "Status"), "SUCCEEDED");
  json_decref(out);
  json_decref(d);
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  create(MAP_DEF(WRITER("'Resource':'arn:aws:states:::s3:putObject','Parameters':{'Bucket':'BKT','Prefix':'p/'},"
                        "'WriterConfig':{'Transformation':'COMPACT','OutputType':'JSONL'}")));
  d = run(INPUT("file.json"));
  out = json_loads(member(d, "output"), 0, NULL);
  char key[128];
  snprintf(key, sizeof key, "%.*sSUCCEEDED_0.json",
           (int)(strlen(member(json_object_get(out, "ResultWriterDetails"), "Key")) - strlen("manifest.json")),
           member(json_object_get(out, "ResultWriterDetails"), "Key"));
  ck_assert_int_eq(strncmp(key, "p/", 2), 0);
  char *text = get(key);
  ck_assert_str_eq(text, "[1,2]\n[3]\n");
  free(text);
  json_decref(out);
  json_decref(d);
}
END_TEST

/* A bucket that does not exist fails the run with States.ResultWriterFailed. */
START_TEST(writer_failure) {
  put("file.json", "[1]");
  create(MAP_DEF(WRITER("'Resource':'arn:aws:states:::s3:putObject','Parameters':{'Bucket':'no-such-bucket-here'}")));
  fails(INPUT("file.json"), "States.ResultWriterFailed",
        "The specified bucket does not exist (Service: S3, Status Code: 404, Request ID: ");
  assert_history(b, exec_arn, "ExecutionStarted MapStateEntered MapStateStarted MapRunStarted MapRunFailed MapStateFailed "
                "ExecutionFailed");
}
END_TEST

/* What CreateStateMachine checks, and that a refused definition makes no
 * machine. */
START_TEST(validation) {
  refused(MAP_DEF("'ItemReader':[]"), "Expected value of type: Object at /States/M/ItemReader");
  refused(MAP_DEF("'ItemReader':{'Parameters':{'Bucket':'b','Key':'k'}}"), "These fields are required: [Resource]");
  refused(MAP_DEF("'ItemReader':{'Resource':'arn:aws:states:::s3:putObject','Parameters':{'Bucket':'b'}}"),
          "The resource provided arn:aws:states:::s3:putObject is not recognized");
  refused(MAP_DEF("'ItemReader':{'Resource':'arn:aws:states:::s3:getObject','Parameters':{'Bucket':'b','Key':'k'}}"),
          "These fields are required: [ReaderConfig]");
  refused(MAP_DEF(GET_JSON("{}")), "These fields are required: [InputType]");
  refused(MAP_DEF(GET_JSON("{'InputType':'XML'}")),
          "The field 'InputType' should have one of these values: [MANIFEST, JSON, CSV, JSONL, PARQUET]");
  refused(MAP_DEF(GET_JSON("{'InputType':'CSV','CSVDelimiter':'COLON'}")),
          "The field 'CSVDelimiter' should have one of these values: [COMMA, PIPE, SEMICOLON, SPACE, TAB]");
  refused(MAP_DEF(GET_JSON("{'InputType':'CSV','CSVHeaderLocation':'GIVEN'}")),
          "These fields are required: [CSVHeaders]");
  refused(MAP_DEF(GET_JSON("{'InputType':'CSV','CSVHeaderLocation':'GIVEN','CSVHeaders':[1]}")),
          "Expected value of type: Array of String");
  refused(MAP_DEF(GET_JSON("{'InputType':'JSON','CSVDelimiter':'TAB'}")),
          "Field 'CSVDelimiter' is only supported when the InputType is CSV");
  refused(MAP_DEF(GET_JSON("{'InputType':'JSON','MaxItems':100000001}")), "Maximum value is 100000000");
  refused(MAP_DEF(GET_JSON("{'InputType':'JSON','MaxItems':-1}")), "Minimum value is 0");
  refused(MAP_DEF(GET_JSON("{'InputType':'JSON','MaxItems':1,'MaxItemsPath':'$.m'}")),
          "There should only be one of the following fields: [MaxItems, MaxItemsPath]");
  refused(MAP_DEF(GET_JSON("{'InputType':'JSON','MaxItemsPath':'$$.Execution.Input.m'}")),
          "The value for the field 'MaxItemsPath' must be a valid Reference Path");
  refused("{'QueryLanguage':'JSONata','StartAt':'M','States':{'M':{'Type':'Map','ItemReader':{'Resource':"
          "'arn:aws:states:::s3:getObject','ReaderConfig':{'InputType':'JSON','MaxItemsPath':'$.m'},'Arguments':"
          "{'Bucket':'b','Key':'k'}},'ItemProcessor':{'ProcessorConfig':{'Mode':'DISTRIBUTED'},'StartAt':'P',"
          "'States':{'P':{'Type':'Pass','End':true}}},'End':true}}}",
          "The QueryLanguage is set to 'JSONata', but field 'MaxItemsPath' is only supported for the 'JSONPath' "
          "QueryLanguage");
  refused(MAP_DEF(GET_JSON("{'InputType':'JSON','Extra':1}")), "Field 'Extra' is not supported");
  refused(MAP_DEF("'ItemReader':{'Resource':'arn:aws:states:::s3:getObject','ReaderConfig':{'InputType':'JSON'},"
                  "'Parameters':{'Bucket':'b'}}"),
          "These fields are required: [Key]");
  refused(MAP_DEF("'ItemReader':{'Resource':'arn:aws:states:::s3:listObjectsV2','Arguments':{'Bucket':'b'}}"),
          "field 'Arguments' is only supported for the 'JSONata' QueryLanguage");
  refused(MAP_DEF("'ResultWriter':{}"), "These fields are required: [Resource, Parameters] or [WriterConfig]");
  refused(MAP_DEF("'ResultWriter':{'Resource':'arn:aws:states:::s3:putObject'}"),
          "These fields are required: [Parameters]");
  refused(MAP_DEF("'ResultWriter':{'Resource':'arn:aws:states:::s3:getObject','Parameters':{'Bucket':'b'}}"),
          "The resource provided arn:aws:states:::s3:getObject is not recognized");
  refused(MAP_DEF("'ResultWriter':{'Resource':'arn:aws:states:::s3:putObject','Parameters':{'Prefix':'p'}}"),
          "These fields are required: [Bucket]");
  refused(MAP_DEF("'ResultWriter':{'WriterConfig':{'Transformation':'ALL'}}"),
          "The field 'Transformation' should have one of these values: [COMPACT, NONE, FLATTEN]");
  refused(MAP_DEF("'ResultWriter':{'WriterConfig':{'OutputType':'CSV'}}"),
          "The field 'OutputType' should have one of these values: [JSON, JSONL]");
  /* A Distributed Map's fields only. */
  refused("{'StartAt':'M','States':{'M':{'Type':'Map','ItemReader':{'Resource':'arn:aws:states:::s3:listObjectsV2',"
          "'Parameters':{'Bucket':'b'}},'ItemProcessor':{'StartAt':'P','States':{'P':{'Type':'Pass','End':true}}},"
          "'End':true}}}",
          "Field 'ItemReader' is only supported in DISTRIBUTED mode");
}
END_TEST

/* A Task state T on resource (aws-sdk:s3:ACTION) with Parameters params. */
static void create_task(const char *action, const char *params) {
  char def[1024];
  snprintf(def, sizeof def,
           "{'StartAt':'T','States':{'T':{'Type':'Task','Resource':'arn:aws:states:::aws-sdk:s3:%s',"
           "'Parameters':%s,'End':true}}}",
           action, params);
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  create(def);
}

START_TEST(sdk_s3_tasks) {
  /* PutObject stores the Body as JSON, a string with its quotes. */
  create_task("putObject", "{'Bucket':'BKT','Key':'dir/k.json','Body.$':'$.body'}");
  output_is("{'body':'text data'}", "{\"ETag\":\"\\\"2b5df3712557f503a9977a8ea893b2c9\\\"\",\"ServerSideEncryption\":\"AES256\"}");
  char *text = get("dir/k.json");
  ck_assert_str_eq(text, "\"text data\"");
  free(text);
  output_is("{'body':{'Dict':'Value'}}",
            "{\"ETag\":\"\\\"49e31cee5aec8faf3345893addb14346\\\"\",\"ServerSideEncryption\":\"AES256\"}");
  /* GetObject: the bytes as the Body text, with S3's metadata. */
  create_task("getObject", "{'Bucket':'BKT','Key.$':'$.k'}");
  json_t *d = run("{'k':'dir/k.json'}");
  json_t *out = json_loads(member(d, "output"), 0, NULL);
  ck_assert_str_eq(member(out, "Body"), "{\"Dict\":\"Value\"}");
  ck_assert_int_eq(json_integer_value(json_object_get(out, "ContentLength")), 16);
  ck_assert_str_eq(member(out, "ContentType"), "binary/octet-stream");
  ck_assert_str_eq(member(out, "ETag"), "\"49e31cee5aec8faf3345893addb14346\"");
  ck_assert_str_eq(member(out, "AcceptRanges"), "bytes");
  ck_assert_ptr_nonnull(json_object_get(out, "LastModified"));
  json_decref(out);
  json_decref(d);
  fails("{'k':'nothing-here'}", "S3.NoSuchKeyException",
        "The specified key does not exist. (Service: S3, Status Code: 404, Request ID: ");
  create_task("getObject", "{'Bucket':'no-such-bucket-here','Key':'k'}");
  fails("{}", "S3.NoSuchBucketException",
        "The specified bucket does not exist (Service: S3, Status Code: 404, Request ID: ");
  /* ListObjectsV2, a page at a time. */
  put("dir/a.txt", "a");
  create_task("listObjectsV2", "{'Bucket':'BKT','Prefix':'dir/','MaxKeys':1}");
  d = run("{}");
  out = json_loads(member(d, "output"), 0, NULL);
  ck_assert(json_is_true(json_object_get(out, "IsTruncated")));
  ck_assert_int_eq(json_integer_value(json_object_get(out, "KeyCount")), 1);
  ck_assert_str_eq(member(json_array_get(json_object_get(out, "Contents"), 0), "Key"), "dir/a.txt");
  char input[256];
  snprintf(input, sizeof input, "{'t':'%s'}", member(out, "NextContinuationToken"));
  json_decref(out);
  json_decref(d);
  create_task("listObjectsV2", "{'Bucket':'BKT','Prefix':'dir/','MaxKeys':1,'ContinuationToken.$':'$.t'}");
  d = run(input);
  out = json_loads(member(d, "output"), 0, NULL);
  ck_assert(json_is_false(json_object_get(out, "IsTruncated")));
  ck_assert_str_eq(member(json_array_get(json_object_get(out, "Contents"), 0), "Key"), "dir/k.json");
  /* An object the flow wrote was modified at the broker clock's time, so
   * it lists alike on every run. */
  ck_assert_str_eq(member(json_array_get(json_object_get(out, "Contents"), 0), "LastModified"),
                   "2024-01-01T00:01:00.000Z");
  ck_assert_ptr_null(json_object_get(out, "NextContinuationToken"));
  json_decref(out);
  json_decref(d);
  /* Another S3 action is accepted, and is not this broker's to run. */
  create_task("getObjectAcl", "{'Bucket':'BKT','Key':'dir/a.txt'}");
  fails("{}", "States.Runtime", "The resource 'arn:aws:states:::aws-sdk:s3:getObjectAcl' is not supported");
}
END_TEST

/* ---- InputType MANIFEST: an S3 inventory ---- */

/* Writes key as one GZIP member of body, as S3 delivers inventory files. */
static void put_gz(const char *key, const char *body) {
  put(key, "");
  char path[256];
  snprintf(path, sizeof path, "%s/%s", bucket, key);
  gzFile gz = gzopen(path, "wb");
  ck_assert_ptr_nonnull(gz);
  ck_assert_int_ge(gzputs(gz, body), 0);
  ck_assert_int_eq(gzclose(gz), Z_OK);
}

/* Writes an inventory manifest at key: files (JSON text of the files
 * array), the format and schema; its destinationBucket the test's bucket. */
static void put_manifest(const char *key, const char *format, const char *schema, const char *files) {
  char text[2048];
  snprintf(text, sizeof text,
           "{\n  \"sourceBucket\" : \"amzn-s3-demo-source-bucket\",\n  \"destinationBucket\" : \"arn:aws:s3:::%s\",\n"
           "  \"version\" : \"2016-11-30\",\n  \"creationTimestamp\" : \"1668560400000\",\n"
           "  \"fileFormat\" : \"%s\",\n  \"fileSchema\" : \"%s\",\n  \"files\" : %s\n}\n",
           bucket, format, schema, files);
  put(key, text);
}

#define ROWS_1                                                                                                 \
  "\"amzn-s3-demo-source-bucket\",\"csvDataset/\",\"0\",\"2022-11-16T00:27:19.000Z\"\n"                       \
  "\"amzn-s3-demo-source-bucket\",\"csvDataset/titles.csv\",\"3399671\",\"2022-11-16T00:29:32.000Z\"\n"
#define ROWS_2                                                                                                 \
  "\"amzn-s3-demo-source-bucket\",\"imageDataset/\",\"0\",\"2022-11-15T20:00:44.000Z\"\n"                     \
  "\"amzn-s3-demo-source-bucket\",\"imageDataset/n02085620_10074.jpg\",\"27034\",\"2022-11-15T20:02:16.000Z\"\n"
#define SCHEMA "Bucket, Key, Size, LastModifiedDate"
#define TWO_FILES                                                                                              \
  "[ {\"key\" : \"inv/data/one.csv.gz\", \"size\" : 120, \"MD5checksum\" : \"a7ff4a1d4164c3cd55851055ec8f6b20\"},"  \
  " {\"key\" : \"inv/data/two.csv\", \"size\" : 170, \"MD5checksum\" : \"1100734f544982bc66291b44c40743c1\"} ]"
#define ITEM(key, size, date)                                                                                  \
  "{\"LastModifiedDate\":\"" date "\",\"Bucket\":\"amzn-s3-demo-source-bucket\",\"Size\":\"" size             \
  "\",\"Key\":\"" key "\"}"
#define ALL_ITEMS                                                                                              \
  "[" ITEM("csvDataset/", "0", "2022-11-16T00:27:19.000Z") "," ITEM("csvDataset/titles.csv", "3399671",        \
                                                                  "2022-11-16T00:29:32.000Z") "," ITEM(        \
      "imageDataset/", "0", "2022-11-15T20:00:44.000Z") "," ITEM("imageDataset/n02085620_10074.jpg", "27034",  \
                                                                "2022-11-15T20:02:16.000Z") "]"
#define MANIFEST_READER(config) GET_JSON("{'InputType':'MANIFEST'" config "}")

/* The guide's "ItemReader (Map)" example: Key names the manifest.json;
 * each row of the inventory files it lists, in order, is an item of the
 * fileSchema's names, values strings, members as AWS shows them
 * ({LastModifiedDate, Bucket, Size, Key}); a file gzipped (.csv.gz, as S3
 * delivers them) or not. */
START_TEST(manifest_items_are_inventory_rows) {
  put_gz("inv/data/one.csv.gz", ROWS_1);
  put("inv/data/two.csv", ROWS_2);
  put_manifest("inv/2022-11-16T00-00Z/manifest.json", "CSV", SCHEMA, TWO_FILES);
  create(MAP_DEF(MANIFEST_READER("")));
  output_is(INPUT("inv/2022-11-16T00-00Z/manifest.json"), ALL_ITEMS);
  assert_history(b, exec_arn, "ExecutionStarted MapStateEntered MapStateStarted MapRunStarted MapRunSucceeded "
                "MapStateSucceeded MapStateExited ExecutionSucceeded");
  /* Other columns (S3 Inventory's optional fields) are members alike; a
   * manifest without destinationBucket has its files in its own bucket. */
  put("inv/v.csv", "\"b\",\"k\",\"v1\",\"true\",\"false\"\n");
  put("m2.json", "{\"fileFormat\":\"CSV\",\"fileSchema\":\"Bucket, Key, VersionId, IsLatest, IsDeleteMarker\","
                 "\"files\":[{\"key\":\"inv/v.csv\"}]}");
  output_is(INPUT("m2.json"), "[{\"VersionId\":\"v1\",\"IsDeleteMarker\":\"false\",\"Bucket\":\"b\",\"Key\":"
                              "\"k\",\"IsLatest\":\"true\"}]");
  /* A manifest that lists no files has no items. */
  put_manifest("empty.json", "CSV", SCHEMA, "[]");
  output_is(INPUT("empty.json"), "[]");
}
END_TEST

/* MaxItems counts rows across the files, and a file past it is not read. */
START_TEST(manifest_max_items) {
  put_gz("inv/data/one.csv.gz", ROWS_1);
  put("inv/data/two.csv", ROWS_2);
  put_manifest("manifest.json", "CSV", SCHEMA, TWO_FILES);
  create(MAP_DEF(MANIFEST_READER(",'MaxItems':3")));
  json_t *d = run(INPUT("manifest.json"));
  json_t *out = json_loads(member(d, "output"), 0, NULL);
  ck_assert_int_eq(json_array_size(out), 3);
  ck_assert_str_eq(member(json_array_get(out, 2), "Key"), "imageDataset/");
  json_decref(out);
  json_decref(d);
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  put_manifest("gone.json", "CSV", SCHEMA, "[{\"key\":\"inv/data/one.csv.gz\"},{\"key\":\"inv/data/gone.csv\"}]");
  create(MAP_DEF(MANIFEST_READER(",'MaxItems':2")));
  output_is(INPUT("gone.json"), "[" ITEM("csvDataset/", "0", "2022-11-16T00:27:19.000Z") "," ITEM(
                                    "csvDataset/titles.csv", "3399671", "2022-11-16T00:29:32.000Z") "]");
}
END_TEST

/* ItemSelector and ItemBatcher work on an inventory's items as on others. */
START_TEST(manifest_items_flow_as_others) {
  put_gz("inv/data/one.csv.gz", ROWS_1);
  put("inv/data/two.csv", ROWS_2);
  put_manifest("manifest.json", "CSV", SCHEMA, TWO_FILES);
  create(MAP_DEF(MANIFEST_READER("") ",'ItemSelector':{'k.$':'$$.Map.Item.Value.Key','i.$':'$$.Map.Item.Index'}"));
  output_is(INPUT("manifest.json"), "[{\"i\":0,\"k\":\"csvDataset/\"},{\"i\":1,\"k\":\"csvDataset/titles.csv\"},"
                                    "{\"i\":2,\"k\":\"imageDataset/\"},{\"i\":3,\"k\":"
                                    "\"imageDataset/n02085620_10074.jpg\"}]");
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  create(MAP_DEF(MANIFEST_READER("") ",'ItemSelector':{'s.$':'$$.Map.Item.Value.Size'},'ItemBatcher':{'MaxItemsPerBatch':3}"));
  output_is(INPUT("manifest.json"), "[{\"Items\":[{\"s\":\"0\"},{\"s\":\"3399671\"},{\"s\":\"0\"}]},"
                                    "{\"Items\":[{\"s\":\"27034\"}]}]");
}
END_TEST

/* A manifest that cannot be read fails the Map Run with
 * States.ItemReaderFailed: S3's errors as its Java SDK words them, the
 * others in our words (no AWS answer was recorded). */
START_TEST(manifest_failures) {
  put("inv/data/one.csv.gz", "not gzip at all");
  put("inv/data/two.csv", ROWS_2);
  put("not-json.json", "{\"files\": [");
  put("array.json", "[]");
  put("no-files.json", "{\"fileFormat\":\"CSV\",\"fileSchema\":\"" SCHEMA "\"}");
  put_manifest("orc.json", "ORC", SCHEMA, TWO_FILES);
  put_manifest("parquet.json", "Parquet", SCHEMA, TWO_FILES);
  put("no-format.json", "{\"fileSchema\":\"" SCHEMA "\",\"files\":[]}");
  put("no-schema.json", "{\"fileFormat\":\"CSV\",\"files\":[]}");
  put_manifest("no-key.json", "CSV", SCHEMA, "[{\"size\":1}]");
  put_manifest("missing-file.json", "CSV", SCHEMA, "[{\"key\":\"inv/data/two.csv\"},{\"key\":\"inv/data/gone.csv\"}]");
  put_manifest("bad-gz.json", "CSV", SCHEMA, TWO_FILES);
  put("elsewhere.json", "{\"destinationBucket\":\"arn:aws:s3:::no-such-bucket-here\",\"fileFormat\":\"CSV\","
                        "\"fileSchema\":\"" SCHEMA "\",\"files\":[{\"key\":\"inv/data/two.csv\"}]}");
  create(MAP_DEF(MANIFEST_READER("")));
  fails(INPUT("missing.json"), FAILED,
        "The specified key does not exist. (Service: S3, Status Code: 404, Request ID: ");
  assert_history(b, exec_arn, "ExecutionStarted MapStateEntered MapStateStarted MapRunStarted MapRunFailed MapStateFailed "
                "ExecutionFailed");
  fails(INPUT("missing-file.json"), FAILED,
        "The specified key does not exist. (Service: S3, Status Code: 404, Request ID: ");
  fails(INPUT("elsewhere.json"), FAILED,
        "The specified bucket does not exist (Service: S3, Status Code: 404, Request ID: ");
  fails(INPUT("not-json.json"), FAILED, "The manifest file could not be parsed: ");
  fails(INPUT("array.json"), FAILED, "The manifest file is not an S3 inventory manifest: it has no \"files\" array");
  fails(INPUT("no-files.json"), FAILED, "The manifest file is not an S3 inventory manifest: it has no \"files\" array");
  fails(INPUT("orc.json"), FAILED, "The S3 inventory's fileFormat ORC is not supported: only CSV inventories can be read");
  fails(INPUT("parquet.json"), FAILED,
        "The S3 inventory's fileFormat Parquet is not supported: only CSV inventories can be read");
  fails(INPUT("no-format.json"), FAILED,
        "The S3 inventory's fileFormat (none) is not supported: only CSV inventories can be read");
  fails(INPUT("no-schema.json"), FAILED, "The manifest file has no \"fileSchema\" naming the inventory's columns");
  fails(INPUT("no-key.json"), FAILED, "The manifest's files[0] has no \"key\" naming an inventory file");
  fails(INPUT("bad-gz.json"), FAILED, "The inventory file inv/data/one.csv.gz could not be decompressed as GZIP: ");
  /* PARQUET stays refused. */
  json_decref(call("DeleteStateMachine", json_pack("{s:s}", "stateMachineArn", SM), AEV_OK));
  create(MAP_DEF(GET_JSON("{'InputType':'PARQUET'}")));
  fails(INPUT("array.json"), FAILED, "ReaderConfig InputType PARQUET is not supported by this broker");
}
END_TEST

/* TestState: stateConfiguration.mapItemReaderData stands for the object
 * the reader names, the manifest; the inventory files it lists are read
 * from the broker's S3 as the Map state would read them. */
START_TEST(manifest_under_test_state) {
  put("inv/data/two.csv", ROWS_2);
  char *def = definition("{'Type':'Map','ItemReader':{'Resource':'arn:aws:states:::s3:getObject','ReaderConfig':"
                         "{'InputType':'MANIFEST'},'Parameters':{'Bucket':'BKT','Key':'manifest.json'}},"
                         "'ItemProcessor':{'ProcessorConfig':{'Mode':'DISTRIBUTED','ExecutionType':'STANDARD'},"
                         "'StartAt':'P','States':{'P':{'Type':'Pass','End':true}}},'End':true}");
  char manifest[512];
  snprintf(manifest, sizeof manifest,
           "{\"destinationBucket\":\"arn:aws:s3:::%s\",\"fileFormat\":\"CSV\",\"fileSchema\":\"" SCHEMA
           "\",\"files\":[{\"key\":\"inv/data/two.csv\"}]}",
           bucket);
  json_t *a = call("TestState", json_pack("{s:s,s:{s:s},s:{s:s},s:s}", "definition", def, "mock", "result", "[]",
                                          "stateConfiguration", "mapItemReaderData", manifest, "inspectionLevel",
                                          "DEBUG"),
                   AEV_OK);
  ck_assert_str_eq(member(a, "status"), "SUCCEEDED");
  json_t *seen = json_loads(member(json_object_get(a, "inspectionData"), "afterItemsPath"), 0, NULL);
  ck_assert_int_eq(json_array_size(seen), 2);
  ck_assert_str_eq(member(json_array_get(seen, 1), "Key"), "imageDataset/n02085620_10074.jpg");
  json_decref(seen);
  json_decref(a);
  a = call("TestState", json_pack("{s:s,s:{s:s},s:{s:s}}", "definition", def, "mock", "result", "[]",
                                  "stateConfiguration", "mapItemReaderData", "{\"fileFormat\":\"ORC\",\"files\":[]}"),
           AEV_OK);
  ck_assert_str_eq(member(a, "status"), "FAILED");
  ck_assert_str_eq(member(a, "error"), FAILED);
  ck_assert_str_eq(member(a, "cause"),
                   "The S3 inventory's fileFormat ORC is not supported: only CSV inventories can be read");
  json_decref(a);
  free(def);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("machine_item_reader");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, json_array_of_items);
  tcase_add_test(tc, json_items_path);
  tcase_add_test(tc, json_lines);
  tcase_add_test(tc, csv_first_row);
  tcase_add_test(tc, csv_members_in_java_order);
  tcase_add_test(tc, csv_given_headers);
  tcase_add_test(tc, csv_duplicate_headers_fail_the_run);
  tcase_add_test(tc, csv_delimiters);
  tcase_add_test(tc, max_items);
  tcase_add_test(tc, list_objects);
  tcase_add_test(tc, reader_failures);
  tcase_add_test(tc, items_flow_as_inline_ones);
  tcase_add_test(tc, jsonata_arguments);
  tcase_add_test(tc, writer_exports_the_results);
  tcase_add_test(tc, writer_config_shapes_the_results);
  tcase_add_test(tc, writer_failure);
  tcase_add_test(tc, validation);
  tcase_add_test(tc, sdk_s3_tasks);
  tcase_add_test(tc, manifest_items_are_inventory_rows);
  tcase_add_test(tc, manifest_max_items);
  tcase_add_test(tc, manifest_items_flow_as_others);
  tcase_add_test(tc, manifest_failures);
  tcase_add_test(tc, manifest_under_test_state);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }

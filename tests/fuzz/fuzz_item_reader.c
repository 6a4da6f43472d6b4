/* libFuzzer target for a Distributed Map's ItemReader parsers
 * (lib/machine/item_reader.c): the input's first byte picks the reader
 * (CSV with its header in the first row under each delimiter, CSV with
 * given headers, JSON, JSON Lines, an S3 inventory manifest), the rest is
 * the object's contents, read through TestState's mapItemReaderData. Any
 * contents end the state SUCCEEDED or FAILED with States.ItemReaderFailed,
 * never otherwise. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "awsevents/awsevents.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const READERS[] = {
    "{\"InputType\":\"CSV\",\"CSVHeaderLocation\":\"FIRST_ROW\",\"CSVDelimiter\":\"COMMA\"}",
    "{\"InputType\":\"CSV\",\"CSVHeaderLocation\":\"FIRST_ROW\",\"CSVDelimiter\":\"PIPE\"}",
    "{\"InputType\":\"CSV\",\"CSVHeaderLocation\":\"FIRST_ROW\",\"CSVDelimiter\":\"SEMICOLON\"}",
    "{\"InputType\":\"CSV\",\"CSVHeaderLocation\":\"FIRST_ROW\",\"CSVDelimiter\":\"SPACE\"}",
    "{\"InputType\":\"CSV\",\"CSVHeaderLocation\":\"FIRST_ROW\",\"CSVDelimiter\":\"TAB\"}",
    "{\"InputType\":\"CSV\",\"CSVHeaderLocation\":\"GIVEN\",\"CSVHeaders\":[\"a\",\"b\",\"c\"]}",
    "{\"InputType\":\"JSON\"}",
    "{\"InputType\":\"JSONL\",\"MaxItems\":50}",
    "{\"InputType\":\"MANIFEST\",\"MaxItems\":50}",
};

static json_t *definition(const char *reader) {
  char def[1024];
  snprintf(def, sizeof def,
           "{\"Type\":\"Map\",\"ItemReader\":{\"Resource\":\"arn:aws:states:::s3:getObject\","
           "\"ReaderConfig\":%s,\"Parameters\":{\"Bucket\":\"b\",\"Key\":\"k\"}},"
           "\"ItemProcessor\":{\"ProcessorConfig\":{\"Mode\":\"DISTRIBUTED\",\"ExecutionType\":"
           "\"STANDARD\"},\"StartAt\":\"P\",\"States\":{\"P\":{\"Type\":\"Pass\",\"End\":true}}},"
           "\"End\":true}",
           reader);
  return json_string(def);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  /* TestState's request is JSON, whose strings the API refuses to carry a
   * NUL in: contents that are not UTF-8, or hold one, cannot be sent. */
  if (memchr(data + 1, 0, size - 1)) return 0;
  json_t *contents = json_stringn((const char *)data + 1, size - 1);
  if (!contents) return 0;
  const char *reader = READERS[data[0] % (sizeof READERS / sizeof *READERS)];
  json_t *req = json_pack("{s:o,s:{s:s},s:{s:o},s:s}", "definition", definition(reader), "mock",
                          "result", "[]", "stateConfiguration", "mapItemReaderData", contents,
                          "inspectionLevel", "DEBUG");
  char *text = req ? json_dumps(req, JSON_COMPACT) : NULL;
  json_decref(req);
  aev_broker_options *o = NULL;
  aev_broker *b = NULL;
  if (text && !aev_broker_options_new(&o) && !aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL) &&
      !aev_broker_options_set_workers(o, 0) && !aev_broker_new(o, &b)) {
    char *out = NULL;
    if (aev_machine_test_state(b, text, &out) != AEV_OK) abort();
    json_t *a = json_loads(out, 0, NULL);
    const char *status = json_string_value(json_object_get(a, "status"));
    const char *error = json_string_value(json_object_get(a, "error"));
    if (!status || (strcmp(status, "SUCCEEDED") &&
                    (strcmp(status, "FAILED") || !error || strcmp(error, "States.ItemReaderFailed"))))
      abort();
    json_decref(a);
    aev_free(out);
  }
  aev_broker_destroy(b);
  aev_broker_options_free(o);
  free(text);
  return 0;
}

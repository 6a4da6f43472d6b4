/* The Decompression and CloudWatchLogProcessing processors (Firehose's
 * guide, "Decompress CloudWatch Logs" and "Message extraction"): each
 * record CloudWatch Logs sends is a gzip of {messageType, owner, logGroup,
 * logStream, subscriptionFilters, logEvents: [{id, timestamp, message}]}.
 * Decompression comes first in the pipeline, ahead of deaggregation, the
 * Lambda transform and partitioning, which all see the decompressed data;
 * with message extraction a record becomes its log events' messages, one a
 * line. A record that cannot be decompressed goes as it came to the error
 * output under decompression-failed ("Troubleshoot decompression"), and
 * the others go on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/gzip.h"
#include "core/text.h"
#include "delivery/delivery_impl.h"

#define DECOMPRESSION_FAILED "Decompression.Failed"
#define EXTRACTION_FAILED "CloudWatchLogProcessing.MessageExtractionFailed"

static void fail(aev__frec *r, const char *code, const char *msg) {
  free(r->error_code);
  free(r->error_msg);
  r->error_code = strdup(code);
  r->error_msg = strdup(msg);
  r->result = AEV__FH_FAILED;
  r->attempts = 1;
}

/* r's data replaced by text (n bytes, taken). */
static void replace(aev__frec *r, char *text, size_t n) {
  if (r->data != r->raw) free(r->data);
  r->data = (unsigned char *)text;
  r->len = n;
}

/* A DATA_MESSAGE's messages, a new line between two, into out: 0, 1 for a
 * CONTROL_MESSAGE, or -1 with the reason in why. */
static int messages(const aev__frec *r, aev__tbuf *out, const char **why) {
  json_t *doc = json_loadb((const char *)r->data, r->len, JSON_ALLOW_NUL, NULL);
  const char *type = json_string_value(json_object_get(doc, "messageType"));
  json_t *events = json_object_get(doc, "logEvents");
  int rc = -1;
  if (!doc) {
    *why = "The decompressed record is not JSON.";
  } else if (type && !strcmp(type, "CONTROL_MESSAGE")) {
    rc = 1;
  } else if (!type || strcmp(type, "DATA_MESSAGE") || !json_is_array(events)) {
    *why = "The decompressed record is not a CloudWatch Logs DATA_MESSAGE or CONTROL_MESSAGE.";
  } else {
    size_t i;
    json_t *e;
    aev__tbuf_put(out, "", 0);
    json_array_foreach(events, i, e) {
      json_t *m = json_object_get(e, "message");
      if (!json_is_string(m)) {
        *why = "A log event of the record has no message string.";
        json_decref(doc);
        return -1;
      }
      if (i) aev__tbuf_put(out, "\n", 1);
      aev__tbuf_put(out, json_string_value(m), json_string_length(m));
    }
    rc = 0;
  }
  json_decref(doc);
  return rc;
}

void aev__fh_decompress(const aev__fh_settings *s, aev__frec *r) {
  if (!s->decompress || r->result != AEV__FH_OK) return;
  aev__tbuf plain = {0};
  const char *why = aev__gunzip(r->data, r->len, &plain);
  if (why) {
    char msg[160];
    snprintf(msg, sizeof msg, "The record could not be decompressed as GZIP: %s.", why);
    free(plain.p);
    fail(r, DECOMPRESSION_FAILED, msg);
    return;
  }
  replace(r, plain.p, plain.n);
  if (!s->extract_messages) return;
  aev__tbuf text = {0};
  why = "out of memory";
  int rc = messages(r, &text, &why);
  if (rc == 1) {
    /* CloudWatch Logs sends these to check that the destination can be
     * reached; they hold no log events to deliver. */
    r->result = AEV__FH_DROPPED;
  } else if (rc == 0 && !text.failed) {
    replace(r, text.p, text.n);
    return;
  } else {
    fail(r, EXTRACTION_FAILED, text.failed ? "Out of memory extracting the messages." : why);
  }
  free(text.p);
}

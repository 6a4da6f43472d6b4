// The public headers as a C++ program sees them: each compiles on its own
// as C++11 with every warning an error, and what they declare links with C
// names (an extern "C" block left early would leave C++-mangled names the
// library does not have). One call through each header's API runs.
#include "awsevents/awsevents.h"
#include "awsevents/broker.h"
#include "awsevents/bus.h"
#include "awsevents/common.h"
#include "awsevents/delivery.h"
#include "awsevents/function.h"
#include "awsevents/jsonata.h"
#include "awsevents/machine.h"
#include "awsevents/pattern.h"
#include "awsevents/queue.h"
#include "awsevents/stream.h"
#include "awsevents/topic.h"

#include <cstdio>
#include <cstring>

static int failures = 0;

// A C++ function handed to the library as a C callback.
extern "C" void echo(void *, aev_invocation *ctx, const char *event, size_t len) {
  aev_invocation_succeed(ctx, event, len);
}

extern "C" int keep(void *, const char *, const void *, size_t) { return 0; }

static void expect(bool ok, const char *what) {
  if (!ok) {
    std::fprintf(stderr, "FAIL: %s (%s: %s)\n", what, aev_errcode(), aev_errmsg());
    failures++;
  }
}

int main() {
  aev_broker *b = nullptr;
  expect(aev_broker_new(nullptr, &b) == AEV_OK, "aev_broker_new");

  aev_queue *q = nullptr;
  expect(aev_queue_create(b, "cxx", nullptr, &q) == AEV_OK, "aev_queue_create");
  expect(aev_queue_send(q, "hi", 2, nullptr, nullptr, nullptr) == AEV_OK, "aev_queue_send");
  aev_queue_release(q);

  aev_topic *t = nullptr;
  expect(aev_topic_create(b, "cxx", nullptr, &t) == AEV_OK, "aev_topic_create");
  aev_topic_release(t);

  aev_stream *s = nullptr;
  expect(aev_stream_create(b, "cxx", 1, &s) == AEV_OK, "aev_stream_create");
  aev_stream_release(s);

  aev_activity *a = nullptr;
  expect(aev_activity_create(b, "cxx", &a) == AEV_OK, "aev_activity_create");
  aev_activity_release(a);

  aev_function *f = nullptr;
  expect(aev_function_create(b, "cxx", nullptr, echo, nullptr, nullptr, &f) == AEV_OK,
         "aev_function_create");
  char *result = nullptr;
  size_t result_len = 0;
  const char *function_error = nullptr;
  expect(aev_function_invoke(f, "{\"a\":1}", 7, &result, &result_len, &function_error) ==
                 AEV_OK &&
             result_len == 7 && !std::memcmp(result, "{\"a\":1}", 7),
         "aev_function_invoke");
  aev_free(result);
  aev_function_release(f);

  aev_delivery *d = nullptr;
  expect(aev_delivery_create_with_sink(b, "cxx", nullptr, keep, nullptr, nullptr, &d) == AEV_OK,
         "aev_delivery_create_with_sink");
  aev_delivery_release(d);

  aev_jsonata *j = nullptr;
  char *sum = nullptr;
  expect(aev_jsonata_compile("1 + 2", 5, &j) == AEV_OK &&
             aev_jsonata_evaluate(j, "{}", nullptr, &sum) == AEV_OK && sum &&
             !std::strcmp(sum, "3"),
         "aev_jsonata_evaluate");
  aev_free(sum);
  aev_jsonata_free(j);

  aev_bus *bus = nullptr;
  expect(aev_bus_create(b, "cxx", &bus) == AEV_OK, "aev_bus_create");
  aev_bus_release(bus);

  aev_pattern *p = nullptr;
  const char *pat = "{\"source\":[\"cxx\"]}", *event = "{\"source\":\"cxx\"}";
  int match = 0;
  expect(aev_pattern_compile(pat, std::strlen(pat), &p) == AEV_OK, "aev_pattern_compile");
  expect(aev_pattern_matches(p, event, std::strlen(event), &match) == AEV_OK && match == 1,
         "aev_pattern_matches");
  aev_pattern_free(p);

  char *out = nullptr;
  expect(aev_call(b, "sqs", "GetQueueUrl", "{\"QueueName\":\"cxx\"}", &out) == AEV_OK &&
             out && std::strstr(out, "QueueUrl"),
         "aev_call GetQueueUrl");
  aev_free(out);

  expect(aev_broker_destroy(b) == AEV_OK, "aev_broker_destroy");
  if (!failures) std::printf("C++ program used the C API through every header\n");
  return failures ? 1 : 0;
}

/* Shared by the stream suites: a manual-clock broker with no workers and
 * helpers for streams, puts, iterators and Kinesis errors. */
#ifndef AEV_TEST_STREAM_SUPPORT_H
#define AEV_TEST_STREAM_SUPPORT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aevtest.h"
#include "awsevents/awsevents.h"

static inline aev_broker *st_broker(void) {
  return aev_test_manual_broker(7);
}

static inline aev_stream *st_stream(aev_broker *b, const char *name,
                                    int shards) {
  aev_stream *s;
  int rc = aev_stream_create(b, name, shards, &s);
  ck_assert_msg(rc == AEV_OK, "create %s: %s %s", name, aev_errcode(),
                aev_errmsg());
  return s;
}

/* Puts a text record; returns its shard number (shardId-N). */
static inline int st_put(aev_stream *s, const char *key, const char *data,
                         char *seq) {
  char shard[AEV_SHARD_ID_SIZE];
  int rc = aev_stream_put(s, data, strlen(data), key, NULL, NULL, shard, seq);
  ck_assert_msg(rc == AEV_OK, "put: %s %s", aev_errcode(), aev_errmsg());
  return atoi(shard + 8);
}

static inline char *st_iter(aev_stream *s, const char *shard,
                            const char *type, const char *seq, int64_t ts) {
  char *it = NULL;
  int rc = aev_stream_iterator(s, shard, type, seq, ts, &it);
  ck_assert_msg(rc == AEV_OK, "iterator: %s %s", aev_errcode(), aev_errmsg());
  return it;
}

static inline aev_records *st_get(aev_broker *b, const char *it, int limit) {
  aev_records *r;
  int rc = aev_stream_get_records(b, it, limit, &r);
  ck_assert_msg(rc == AEV_OK, "get: %s %s", aev_errcode(), aev_errmsg());
  return r;
}

/* Record i's data as a string (records are NUL-terminated copies). */
static inline const char *st_data(const aev_records *r, size_t i) {
  return (const char *)aev_records_data(r, i, NULL);
}

#define st_assert_error(expr, status, code)                            \
  do {                                                                 \
    int st_rc_ = (expr);                                               \
    ck_assert_int_eq(st_rc_, (status));                                \
    ck_assert_str_eq(aev_errcode(), (code));                           \
  } while (0)

#endif

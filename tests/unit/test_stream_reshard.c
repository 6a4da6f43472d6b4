/* Kinesis resharding on the manual clock: SplitShard and MergeShards
 * lineage (ParentShardId, AdjacentParentShardId, ChildShards), UPDATING
 * until the broker runs the change, closed parents readable until drained,
 * per-key order across a reshard, UpdateShardCount's scaling and limits,
 * ListShards filters, on-demand streams splitting a hot shard, and the
 * errors. */
#include <jansson.h>

#include "aevtest.h"
#include "stream/stream_impl.h"
#include "stream_support.h"

#define HALF "170141183460469231731687303715884105728"

static aev_broker *b;

static void setup(void) { b = st_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

static json_t *describe(aev_stream *s) {
  char *d;
  ck_assert_int_eq(aev_stream_describe(s, &d), AEV_OK);
  json_t *j = json_loads(d, 0, NULL);
  aev_free(d);
  return j;
}

static json_t *shard_of(json_t *desc, const char *id) {
  size_t i;
  json_t *sh;
  json_array_foreach(json_object_get(desc, "Shards"), i, sh) {
    if (!strcmp(json_string_value(json_object_get(sh, "ShardId")), id))
      return sh;
  }
  return NULL;
}

static const char *member(json_t *o, const char *a, const char *b2) {
  json_t *v = json_object_get(o, a);
  if (b2) v = json_object_get(v, b2);
  return json_string_value(v);
}

/* Reads a shard to its end (or the tip), appending data to out. */
static const char *drain_shard(aev_stream *s, const char *shard, char *out,
                               char **children) {
  char *it = st_iter(s, shard, "TRIM_HORIZON", NULL, 0);
  char *cur = it;
  for (;;) {
    aev_records *r = st_get(b, cur, 0);
    for (size_t i = 0; i < aev_records_count(r); i++) {
      strcat(out, st_data(r, i));
      strcat(out, ",");
    }
    const char *next = aev_records_next_iterator(r);
    if (aev_records_child_shards(r) && children)
      *children = strdup(aev_records_child_shards(r));
    int done = !next || !aev_records_count(r);
    char *copy = next ? strdup(next) : NULL;
    aev_records_free(r);
    if (cur != it) free(cur);
    cur = copy;
    if (done) break;
  }
  if (cur != it) free(cur);
  aev_free(it);
  return out;
}

START_TEST(split_lineage_and_order_per_key) {
  aev_stream *s = st_stream(b, "s", 1);
  aev_stream_set_throttling(s, 0);
  st_put(s, "k", "1", NULL);
  st_put(s, "k", "2", NULL);
  ck_assert_int_eq(aev_stream_split_shard(s, "shardId-000000000000", HALF), AEV_OK);
  json_t *d = describe(s);
  ck_assert_str_eq(member(d, "StreamStatus", NULL), "UPDATING");
  json_decref(d);
  /* A second change while UPDATING is refused. */
  st_assert_error(aev_stream_split_shard(s, "shardId-000000000000", HALF),
                  AEV_ERR_STATE, "ResourceInUseException");
  /* Writes go to the parent until the change runs. */
  st_put(s, "k", "3", NULL);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  d = describe(s);
  ck_assert_str_eq(member(d, "StreamStatus", NULL), "ACTIVE");
  json_t *parent = shard_of(d, "shardId-000000000000");
  ck_assert_ptr_nonnull(member(parent, "SequenceNumberRange", "EndingSequenceNumber"));
  json_t *c1 = shard_of(d, "shardId-000000000001"), *c2 = shard_of(d, "shardId-000000000002");
  ck_assert_str_eq(member(c1, "ParentShardId", NULL), "shardId-000000000000");
  ck_assert_str_eq(member(c2, "ParentShardId", NULL), "shardId-000000000000");
  ck_assert_str_eq(member(c1, "HashKeyRange", "EndingHashKey"), "170141183460469231731687303715884105727");
  ck_assert_str_eq(member(c2, "HashKeyRange", "StartingHashKey"), HALF);
  json_decref(d);
  /* "k" hashes (MD5 0x8ce4...) into the upper half: shard 2 now. */
  int shard = st_put(s, "k", "4", NULL);
  ck_assert_int_eq(shard, 2);
  st_assert_error(aev_stream_split_shard(s, "shardId-000000000000", HALF),
                  AEV_ERR_STATE, "ResourceInUseException");
  /* The parent is readable until drained; its end names the children;
   * reading parent then child gives the key's records in order. */
  char order[64] = "", *children = NULL;
  drain_shard(s, "shardId-000000000000", order, &children);
  ck_assert_ptr_nonnull(children);
  ck_assert_ptr_nonnull(strstr(children, "\"ShardId\":\"shardId-000000000001\""));
  ck_assert_ptr_nonnull(strstr(children, "\"ParentShards\":[\"shardId-000000000000\"]"));
  free(children);
  drain_shard(s, "shardId-000000000002", order, NULL);
  ck_assert_str_eq(order, "1,2,3,4,");
  /* The drained parent's iterator ends with a null NextShardIterator. */
  char *it = st_iter(s, "shardId-000000000000", "LATEST", NULL, 0);
  aev_records *r = st_get(b, it, 0);
  ck_assert_ptr_null(aev_records_next_iterator(r));
  aev_records_free(r);
  aev_free(it);
  /* A closed shard takes no writes: ExplicitHashKey 0 goes to shard 1. */
  char sid[AEV_SHARD_ID_SIZE];
  ck_assert_int_eq(aev_stream_put(s, "x", 1, "z", "0", NULL, sid, NULL), AEV_OK);
  ck_assert_str_eq(sid, "shardId-000000000001");
  aev_stream_release(s);
}
END_TEST

START_TEST(split_errors) {
  aev_stream *s = st_stream(b, "s", 2);
  st_assert_error(aev_stream_split_shard(s, "shardId-000000000000", "0"),
                  AEV_ERR_INVALID, "InvalidArgumentException");
  /* The key must be greater than one plus the shard's StartingHashKey and
   * less than its EndingHashKey, which the message names as they are. */
  st_assert_error(aev_stream_split_shard(s, "shardId-000000000000", "1"),
                  AEV_ERR_INVALID, "InvalidArgumentException");
  ck_assert_str_eq(aev_errmsg(),
                   "NewStartingHashKey 1 used in SplitShard() on shard shardId-000000000000 "
                   "in stream s under account 000000000000 is not both greater than one "
                   "plus the shard's StartingHashKey 0 and less than the shard's "
                   "EndingHashKey 170141183460469231731687303715884105727.");
  st_assert_error(aev_stream_split_shard(s, "shardId-000000000000",
                                         "170141183460469231731687303715884105727"),
                  AEV_ERR_INVALID, "InvalidArgumentException");
  st_assert_error(aev_stream_split_shard(s, "shardId-000000000000", HALF),
                  AEV_ERR_INVALID, "InvalidArgumentException");
  st_assert_error(aev_stream_split_shard(s, "shardId-000000000000", "x1"),
                  AEV_ERR_INVALID, "ValidationException");
  /* 2^128 matches the pattern, and lies past every shard's EndingHashKey. */
  st_assert_error(aev_stream_split_shard(s, "shardId-000000000001",
                                         "340282366920938463463374607431768211456"),
                  AEV_ERR_INVALID, "InvalidArgumentException");
  st_assert_error(aev_stream_split_shard(s, "shardId-000000000007", "5"),
                  AEV_ERR_NOT_FOUND, "ResourceNotFoundException");
  ck_assert_str_eq(aev_errmsg(), "Could not find shard shardId-000000000007 in stream s under "
                                 "account 000000000000.");
  aev_stream *od = st_stream(b, "od", AEV_STREAM_ON_DEMAND);
  st_assert_error(aev_stream_split_shard(od, "shardId-000000000000", "5"),
                  AEV_ERR_INVALID, "ValidationException");
  aev_stream_release(od);
  aev_stream_release(s);
}
END_TEST

/* The nearest keys to a shard's ends that split it: each child keeps two. */
START_TEST(split_at_the_edges) {
  aev_stream *s = st_stream(b, "s", 2);
  ck_assert_int_eq(aev_stream_split_shard(s, "shardId-000000000000", "2"), AEV_OK);
  aev_broker_drain(b);
  ck_assert_int_eq(aev_stream_split_shard(s, "shardId-000000000001",
                                          "340282366920938463463374607431768211454"),
                   AEV_OK);
  aev_broker_drain(b);
  aev_stream_release(s);
}
END_TEST

START_TEST(merge_adjacent_shards) {
  aev_stream *s = st_stream(b, "s", 3);
  st_assert_error(aev_stream_merge_shards(s, "shardId-000000000000", "shardId-000000000002"),
                  AEV_ERR_INVALID, "InvalidArgumentException");
  ck_assert_str_eq(aev_errmsg(), "Shards shardId-000000000000 and shardId-000000000002 in stream s under account 000000000000 are not an adjacent pair of shards eligible for merging");
  ck_assert_int_eq(aev_stream_merge_shards(s, "shardId-000000000002", "shardId-000000000001"), AEV_OK);
  aev_broker_drain(b);
  json_t *d = describe(s);
  json_t *c = shard_of(d, "shardId-000000000003");
  ck_assert_str_eq(member(c, "ParentShardId", NULL), "shardId-000000000002");
  ck_assert_str_eq(member(c, "AdjacentParentShardId", NULL), "shardId-000000000001");
  ck_assert_str_eq(member(c, "HashKeyRange", "StartingHashKey"), "113427455640312821154458202477256070485");
  ck_assert_str_eq(member(c, "HashKeyRange", "EndingHashKey"), "340282366920938463463374607431768211455");
  json_decref(d);
  /* ListShards' filters: AT_LATEST is the open shards only. */
  char *l;
  ck_assert_int_eq(aev_stream_list_shards(s, "{\"ShardFilter\":{\"Type\":\"AT_LATEST\"}}", &l), AEV_OK);
  json_t *j = json_loads(l, 0, NULL);
  ck_assert_uint_eq(json_array_size(json_object_get(j, "Shards")), 2);
  json_decref(j);
  aev_free(l);
  ck_assert_int_eq(aev_stream_list_shards(s, NULL, &l), AEV_OK);
  j = json_loads(l, 0, NULL);
  ck_assert_uint_eq(json_array_size(json_object_get(j, "Shards")), 4);
  json_decref(j);
  aev_free(l);
  /* Closed shards expire from listings after the retention period. */
  aev_broker_advance(b, 24 * 3600 * 1000LL + 1);
  ck_assert_int_eq(aev_stream_list_shards(s, NULL, &l), AEV_OK);
  j = json_loads(l, 0, NULL);
  ck_assert_uint_eq(json_array_size(json_object_get(j, "Shards")), 2);
  json_decref(j);
  aev_free(l);
  st_assert_error(aev_stream_merge_shards(s, "shardId-000000000001", "shardId-000000000000"),
                  AEV_ERR_NOT_FOUND, "ResourceNotFoundException");
  aev_stream_release(s);
}
END_TEST

/* The shard ids a ListShards request lists, comma-separated, into out. */
static void listed_ids(aev_stream *s, const char *req, char *out, size_t n) {
  char *l;
  ck_assert_int_eq(aev_stream_list_shards(s, req, &l), AEV_OK);
  json_t *j = json_loads(l, 0, NULL);
  aev_free(l);
  size_t i;
  json_t *sh;
  out[0] = 0;
  json_array_foreach(json_object_get(j, "Shards"), i, sh) {
    if (i) strncat(out, ",", n - strlen(out) - 1);
    strncat(out, member(sh, "ShardId", NULL) + 8, n - strlen(out) - 1);
  }
  json_decref(j);
}

/* AT_TRIM_HORIZON lists the shards open at the oldest record kept. A
 * stream younger than its retention period has trimmed nothing, so its
 * horizon is its start: the shards it was created with. */
START_TEST(at_trim_horizon_lists_the_first_shards) {
  aev_stream *s = st_stream(b, "s", 2);
  char ids[256];
  listed_ids(s, "{\"ShardFilter\":{\"Type\":\"AT_TRIM_HORIZON\"}}", ids, sizeof ids);
  ck_assert_str_eq(ids, "000000000000,000000000001");
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(aev_stream_split_shard(s, "shardId-000000000000", "1000"), AEV_OK);
  aev_broker_drain(b);
  listed_ids(s, "{\"ShardFilter\":{\"Type\":\"AT_TRIM_HORIZON\"}}", ids, sizeof ids);
  ck_assert_str_eq(ids, "000000000000,000000000001");
  listed_ids(s, "{\"ShardFilter\":{\"Type\":\"AT_LATEST\"}}", ids, sizeof ids);
  ck_assert_str_eq(ids, "000000000001,000000000002,000000000003");
  /* Once the retention period has passed the split, the horizon is later
   * than it: the closed parent is no longer open there. */
  aev_broker_advance(b, 24 * 3600 * 1000LL + 1000);
  listed_ids(s, "{\"ShardFilter\":{\"Type\":\"AT_TRIM_HORIZON\"}}", ids, sizeof ids);
  ck_assert_str_eq(ids, "000000000001,000000000002,000000000003");
  aev_stream_release(s);
}
END_TEST

START_TEST(update_shard_count_scales_uniformly) {
  aev_stream *s = st_stream(b, "s", 2);
  ck_assert_int_eq(aev_stream_update_shard_count(s, 4), AEV_OK);
  aev_broker_drain(b);
  json_t *d;
  char *l;
  ck_assert_int_eq(aev_stream_list_shards(s, "{\"ShardFilter\":{\"Type\":\"AT_LATEST\"}}", &l), AEV_OK);
  d = json_loads(l, 0, NULL);
  aev_free(l);
  json_t *open = json_object_get(d, "Shards");
  ck_assert_uint_eq(json_array_size(open), 4);
  /* Doubling from uniform shards gives AWS's 4-shard ranges. */
  const char *ends[] = {"85070591730234615865843651857942052863", "170141183460469231731687303715884105727",
                        "255211775190703847597530955573826158591", "340282366920938463463374607431768211455"};
  for (int i = 0; i < 4; i++) {
    int found = 0;
    size_t k;
    json_t *sh;
    json_array_foreach(open, k, sh) found |= !strcmp(member(sh, "HashKeyRange", "EndingHashKey"), ends[i]);
    ck_assert_msg(found, "no open shard ends at %s", ends[i]);
  }
  json_decref(d);
  st_assert_error(aev_stream_update_shard_count(s, 9), AEV_ERR_LIMIT, "LimitExceededException");
  st_assert_error(aev_stream_update_shard_count(s, 1), AEV_ERR_LIMIT, "LimitExceededException");
  ck_assert_int_eq(aev_stream_update_shard_count(s, 3), AEV_OK);
  aev_broker_drain(b);
  d = describe(s);
  size_t n_open = 0, k;
  json_t *sh;
  json_array_foreach(json_object_get(d, "Shards"), k, sh) n_open += !member(sh, "SequenceNumberRange", "EndingSequenceNumber");
  ck_assert_uint_eq(n_open, 3);
  json_decref(d);
  /* Ten scalings per rolling 24 hours. */
  for (int i = 0; i < 8; i++) {
    ck_assert_int_eq(aev_stream_update_shard_count(s, i % 2 ? 3 : 4), AEV_OK);
    aev_broker_drain(b);
  }
  st_assert_error(aev_stream_update_shard_count(s, 4), AEV_ERR_LIMIT, "LimitExceededException");
  aev_broker_advance(b, 24 * 3600 * 1000LL);
  ck_assert_int_eq(aev_stream_update_shard_count(s, 4), AEV_OK);
  aev_stream_release(s);
}
END_TEST

/* n records whose explicit hash keys spread evenly over [lo, lo + span);
 * returns how many were throttled. */
static size_t put_spread(aev_stream *s, size_t n, aev__u128 lo,
                         aev__u128 span) {
  size_t failed = 0;
  for (size_t done = 0; done < n;) {
    size_t k = n - done < 500 ? n - done : 500;
    const void *data[500];
    size_t lens[500];
    const char *keys[500], *hashes[500];
    static char text[500][40];
    for (size_t i = 0; i < k; i++) {
      aev__u128_format(lo + span / n * (done + i), text[i]);
      data[i] = "x";
      lens[i] = 1;
      keys[i] = "k";
      hashes[i] = text[i];
    }
    aev_put_result *r;
    ck_assert_int_eq(aev_stream_put_records(s, k, data, lens, keys, hashes, &r), AEV_OK);
    failed += aev_put_result_failed_count(r);
    aev_put_result_free(r);
    done += k;
  }
  return failed;
}

static long open_shards(aev_stream *s) {
  char *d;
  ck_assert_int_eq(aev_stream_describe_summary(s, &d), AEV_OK);
  json_t *j = json_loads(d, 0, NULL);
  aev_free(d);
  long n = (long)json_integer_value(json_object_get(j, "OpenShardCount"));
  json_decref(j);
  return n;
}

/* On-demand: 4 shards at first; write demand over a shard's capacity in
 * two consecutive seconds splits it (a burst, or two seconds apart, does
 * not), and the children take double the traffic of that range. */
START_TEST(on_demand_splits_a_hot_shard) {
  aev_stream *s = st_stream(b, "od", AEV_STREAM_ON_DEMAND);
  aev__u128 quarter = (aev__u128)1 << 126;
  ck_assert_int_eq(open_shards(s), 4);
  ck_assert_uint_eq(put_spread(s, 1001, 0, quarter), 1);
  aev_broker_advance(b, 2000); /* not consecutive */
  ck_assert_uint_eq(put_spread(s, 1001, 0, quarter), 1);
  aev_broker_drain(b);
  ck_assert_int_eq(open_shards(s), 4);
  aev_broker_advance(b, 1000);
  ck_assert_uint_eq(put_spread(s, 1001, 0, quarter), 1);
  /* Scaling is a change like UpdateShardCount's: UPDATING, then done. */
  char *d;
  ck_assert_int_eq(aev_stream_describe_summary(s, &d), AEV_OK);
  ck_assert_ptr_nonnull(strstr(d, "\"StreamStatus\":\"UPDATING\""));
  aev_free(d);
  aev_broker_drain(b);
  ck_assert_int_eq(open_shards(s), 5);
  json_t *desc = describe(s);
  ck_assert_str_eq(member(shard_of(desc, "shardId-000000000004"), "ParentShardId", NULL), "shardId-000000000000");
  ck_assert_str_eq(member(shard_of(desc, "shardId-000000000005"), "HashKeyRange", "StartingHashKey"),
                   "42535295865117307932921825928971026432");
  json_decref(desc);
  aev_broker_advance(b, 1000);
  ck_assert_uint_eq(put_spread(s, 1990, 0, quarter), 0);
  /* With throttling off there is no capacity to outgrow. */
  aev_stream *off = st_stream(b, "off", AEV_STREAM_ON_DEMAND);
  aev_stream_set_throttling(off, 0);
  for (int i = 0; i < 3; i++) {
    ck_assert_uint_eq(put_spread(off, 3000, 0, quarter), 0);
    aev_broker_advance(b, 1000);
  }
  ck_assert_int_eq(open_shards(off), 4);
  aev_stream_release(off);
  aev_stream_release(s);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("stream_reshard");
  TCase *tc = tcase_create("reshard");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, split_lineage_and_order_per_key);
  tcase_add_test(tc, split_errors);
  tcase_add_test(tc, split_at_the_edges);
  tcase_add_test(tc, merge_adjacent_shards);
  tcase_add_test(tc, at_trim_horizon_lists_the_first_shards);
  tcase_add_test(tc, update_shard_count_scales_uniformly);
  tcase_add_test(tc, on_demand_splits_a_hot_shard);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }

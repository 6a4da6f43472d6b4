/* PutRecord and PutRecords: validation of keys, hash keys and sizes (the
 * whole request fails before anything is stored), MD5 routing to the open
 * shard, per-shard write limits failing records one by one, and the
 * result object of PutRecords. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "core/text.h"
#include "stream/stream.h"

/* Why an entry of PutRecords failed, as AWS's ErrorCode. */
enum { STORED, THROTTLED, INTERNAL };

/* 60 bytes: a request's records go to a few shards, whose ids the result
 * holds once. */
typedef struct put_entry {
  char seq[AEV_STREAM_SEQUENCE_SIZE];
  unsigned char failed; /* STORED, THROTTLED or INTERNAL */
  uint16_t shard; /* in shards[] */
} put_entry;

struct aev_put_result {
  size_t n, failed;
  char **msgs;        /* per entry, NULL unless THROTTLED */
  char (*shards)[AEV_SHARD_ID_SIZE];
  size_t nshards;
  put_entry e[];
};

/* SequenceNumberForOrdering's pattern 0|([1-9]\d{0,128}). */
static int seq_pattern_ok(const char *t) {
  size_t n = strlen(t);
  return n >= 1 && n <= 129 && strspn(t, "0123456789") == n &&
         (n == 1 || t[0] != '0');
}

static void member_name(char *out, size_t cap, size_t entry,
                        const char *field) {
  if (entry)
    snprintf(out, cap, "records.%zu.member.%s", entry, field);
  else
    snprintf(out, cap, "%s", field);
}

/* One record's checks, and its explicit hash key parsed into *hash (the
 * key's MD5 is the caller's); entry is 0 for PutRecord or N for
 * PutRecords' record N, so messages point at it ("records.N.member.data")
 * as AWS's do. The member text is only built when a check fails. */
static int check_record(const aev_stream *s, size_t entry, size_t len,
                        const char *key, size_t klen, const char *hash_key,
                        aev__u128 *hash) {
  char m[64];
  if (!key) {
    member_name(m, sizeof m, entry, "partitionKey");
    return aev__kin_validation(NULL, m, "Member must not be null");
  }
  /* A key is Unicode text, as any AWS can receive; one that is not could
   * not be handed back by GetRecords or to a Lambda function. */
  if (!aev__utf8_valid(key, klen)) {
    member_name(m, sizeof m, entry, "partitionKey");
    return aev__kin_validation(NULL, m, "Member must be UTF-8 text");
  }
  /* 1 to 256 characters: only a key of more than 256 bytes needs counting
   * (a well-formed one of 1 to 256 bytes has 1 to 256 characters). */
  size_t chars = klen <= 256 ? klen : aev__utf8_chars(key, klen);
  if (chars < 1 || chars > 256) {
    member_name(m, sizeof m, entry, "partitionKey");
    return aev__kin_validation(key, m,
                               chars < 1 ? "Member must have length greater "
                                           "than or equal to 1"
                                         : "Member must have length less "
                                           "than or equal to 256");
  }
  size_t max = atomic_load_explicit(&s->max_record, memory_order_relaxed);
  if (len + klen > max) {
    member_name(m, sizeof m, entry, "data");
    char c[96];
    snprintf(c, sizeof c,
             "Member must have length less than or equal to %zu",
             max > klen ? max - klen : 0);
    return aev__kin_validation(NULL, m, c);
  }
  const int parsed = hash_key ? aev__u128_parse(hash_key, hash) : 0;
  if (parsed < 0) {
    member_name(m, sizeof m, entry, "explicitHashKey");
    return aev__kin_validation(hash_key, m,
                               "Member must satisfy regular expression "
                               "pattern: 0|([1-9]\\d{0,38})");
  }
  if (parsed > 0) /* 39 digits pass the pattern, up to 10^39 - 1 */
    return aev__kin_invalid("Invalid ExplicitHashKey. ExplicitHashKey must be in the "
                            "range: [0, 2^128-1]. Specified value was %s", hash_key);
  return AEV_OK;
}

/* Stores one checked record (mu held) at now, trimming its shard to
 * horizon first. 0 stored, -1 throttled, -2 no memory. */
static int store(aev_stream *s, aev__u128 hash, const char *key, size_t klen,
                 const void *data, size_t len, int64_t now, int64_t horizon,
                 char *shard_id, char *seq, aev__shard **which) {
  aev__shard *sh = aev__stream_route(s, hash);
  *which = sh;
  aev__shard_trim(sh, horizon);
  if (s->throttling && s->on_demand) aev__ondemand_note(s, sh, len + klen, now);
  if (s->throttling && aev__shard_write_ok(sh, len + klen, now)) return -1;
  uint64_t index;
  if (aev__shard_append(sh, key, klen, data, len, now, s->encrypting,
                        &index))
    return -2;
  if (shard_id) memcpy(shard_id, sh->id_text, AEV_SHARD_ID_SIZE);
  aev__seq_appended(s, sh, index, sh->last_arrival, seq);
  if (sh->subs) aev__fanout_notify(s, sh);
  return 0;
}

/* mu held: the taps for n records, each prepared (with mu released
 * meanwhile) before any is stored, so that a record stored reaches every
 * tap. Out of memory, *rc is set and nothing may be stored. */
static aev__tap_set *lock_taps(aev_stream *s, size_t n,
                               const void *const *data, const size_t *lens,
                               int *rc) {
  aev__tap_set *taps = aev__taps_acquire(s, n);
  if (s->taps && !taps) *rc = aev__nomem();
  if (!taps) return NULL;
  pthread_mutex_unlock(&s->mu);
  for (size_t i = 0; i < n && *rc == AEV_OK; i++)
    if (aev__taps_prepare(taps, i, data[i], lens[i])) *rc = aev__nomem();
  pthread_mutex_lock(&s->mu);
  return taps;
}

int aev_stream_put(aev_stream *s, const void *data, size_t len,
                   const char *partition_key, const char *explicit_hash_key,
                   const char *sequence_number_for_ordering, char *shard_id,
                   char *sequence_number) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  if (!data && len)
    return aev__kin_validation(NULL, "data", "Member must not be null");
  aev__u128 hash;
  size_t klen = partition_key ? strlen(partition_key) : 0;
  rc = check_record(s, 0, len, partition_key, klen, explicit_hash_key, &hash);
  if (rc != AEV_OK) return rc;
  if (!explicit_hash_key) hash = aev__hash_of_key(partition_key, klen);
  if (sequence_number_for_ordering &&
      !seq_pattern_ok(sequence_number_for_ordering))
    return aev__kin_validation(sequence_number_for_ordering,
                               "sequenceNumberForOrdering",
                               "Member must satisfy regular expression "
                               "pattern: 0|([1-9]\\d{0,128})");
  char shard[AEV_SHARD_ID_SIZE], seq[AEV_STREAM_SEQUENCE_SIZE];
  pthread_mutex_lock(&s->mu);
  aev__tap_set *taps = lock_taps(s, 1, &data, &len, &rc);
  int64_t now = aev__stream_now_ms(s);
  aev__shard *sh;
  int st = rc == AEV_OK ? store(s, hash, partition_key, klen, data, len, now,
                                aev__stream_horizon(s, now), shard, seq, &sh)
                        : 0;
  if (st == -1) rc = aev__kin_throttled(s, sh);
  if (st == -2) rc = aev__nomem();
  pthread_mutex_unlock(&s->mu);
  if (rc == AEV_OK)
    aev__taps_call(taps, 0, shard, seq, partition_key, data, len, now);
  aev__taps_release(s, taps);
  if (rc == AEV_OK && shard_id) memcpy(shard_id, shard, sizeof shard);
  if (rc == AEV_OK && sequence_number) memcpy(sequence_number, seq, sizeof seq);
  return rc;
}

int aev_stream_put_records(aev_stream *s, size_t n, const void *const *data,
                           const size_t *lens,
                           const char *const *partition_keys,
                           const char *const *hash_keys,
                           aev_put_result **out) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  if (!out || (n && (!data || !lens || !partition_keys)))
    return aev__kin_invalid("Missing argument.");
  if (n < 1 || n > AEV__PUT_MAX_RECORDS)
    return aev__kin_validation(NULL, "records",
                               n < 1 ? "Member must have length greater than "
                                       "or equal to 1"
                                     : "Member must have length less than or "
                                       "equal to 500");
  /* Per entry: its hash key and its partition key's length. */
  aev__u128 *hashes = malloc(n * (sizeof *hashes + sizeof(size_t)));
  size_t *klens = (size_t *)(hashes + n);
  aev_put_result *r = malloc(sizeof *r + n * sizeof r->e[0]);
  if (!hashes || !r) {
    free(hashes);
    free(r);
    return aev__nomem();
  }
  r->n = n;
  r->failed = 0;
  r->msgs = NULL;
  r->shards = NULL;
  r->nshards = 0;
  size_t total = 0;
  /* Every check (and every MD5) before the lock: a bad entry fails the
   * whole request with nothing stored. */
  for (size_t i = 0; i < n && rc == AEV_OK; i++) {
    klens[i] = partition_keys[i] ? strlen(partition_keys[i]) : 0;
    if (!data[i] && lens[i])
      rc = aev__kin_validation(NULL, "data", "Member must not be null");
    else
      rc = check_record(s, i + 1, lens[i], partition_keys[i], klens[i],
                        hash_keys ? hash_keys[i] : NULL, &hashes[i]);
    total += lens[i] + klens[i];
  }
  if (rc == AEV_OK && total > AEV__PUT_MAX_BYTES)
    rc = aev__kin_invalid("Records size exceeds 10 MB limit");
  if (rc != AEV_OK) {
    free(hashes);
    free(r);
    return rc;
  }
  aev__hash_of_keys(n, partition_keys, klens, hash_keys, hashes);
  pthread_mutex_lock(&s->mu);
  aev__tap_set *taps = lock_taps(s, n, data, lens, &rc);
  int64_t now = aev__stream_now_ms(s), horizon = aev__stream_horizon(s, now);
  /* Records only go to open shards, and none opens while mu is held. */
  size_t ids = n < s->nopen ? n : s->nopen;
  r->shards = rc == AEV_OK ? malloc((ids ? ids : 1) * sizeof *r->shards) : NULL;
  if (!r->shards) {
    pthread_mutex_unlock(&s->mu);
    aev__taps_release(s, taps);
    free(hashes);
    aev_put_result_free(r);
    return rc == AEV_OK ? aev__nomem() : rc;
  }
  /* From the first record stored on, the call succeeds: a record that
   * cannot be stored, or whose throttling cannot be reported, fails alone
   * with InternalFailure, as AWS reports a record its backend failed, so
   * the result says exactly which records are in. */
  uint64_t call = ++s->put_calls;
  for (size_t i = 0; i < n; i++) {
    aev__shard *sh;
    int st = store(s, hashes[i], partition_keys[i], klens[i], data[i],
                   lens[i], now, horizon, NULL, r->e[i].seq, &sh);
    r->e[i].failed = st == 0 ? STORED : st == -1 ? THROTTLED : INTERNAL;
    /* The shard's slot among this result's ids, given at its first record. */
    if (sh->put_call != call) {
      sh->put_call = call;
      sh->put_slot = (uint16_t)r->nshards;
      memcpy(r->shards[r->nshards++], sh->id_text, AEV_SHARD_ID_SIZE);
    }
    r->e[i].shard = sh->put_slot;
    if (st == -1) {
      if (!r->msgs) r->msgs = calloc(n, sizeof *r->msgs);
      aev__kin_throttled(s, sh);
      if (r->msgs) r->msgs[i] = strdup(aev_errmsg());
      if (!r->msgs || !r->msgs[i]) r->e[i].failed = INTERNAL;
    }
    r->failed += r->e[i].failed != STORED;
  }
  pthread_mutex_unlock(&s->mu);
  free(hashes);
  if (taps) {
    for (size_t i = 0; i < n; i++)
      if (r->e[i].failed == STORED)
        aev__taps_call(taps, i, r->shards[r->e[i].shard], r->e[i].seq,
                       partition_keys[i], data[i], lens[i], now);
    aev__taps_release(s, taps);
  }
  *out = r;
  return AEV_OK;
}

void aev_put_result_free(aev_put_result *r) {
  if (!r) return;
  if (r->msgs)
    for (size_t i = 0; i < r->n; i++) free(r->msgs[i]);
  free(r->msgs);
  free(r->shards);
  free(r);
}

size_t aev_put_result_count(const aev_put_result *r) { return r ? r->n : 0; }

size_t aev_put_result_failed_count(const aev_put_result *r) {
  return r ? r->failed : 0;
}

const char *aev_put_result_shard_id(const aev_put_result *r, size_t i) {
  return r && i < r->n && r->e[i].failed == STORED ? r->shards[r->e[i].shard]
                                                   : NULL;
}

const char *aev_put_result_sequence_number(const aev_put_result *r,
                                           size_t i) {
  return r && i < r->n && r->e[i].failed == STORED ? r->e[i].seq : NULL;
}

const char *aev_put_result_error_code(const aev_put_result *r, size_t i) {
  if (!r || i >= r->n || r->e[i].failed == STORED) return NULL;
  return r->e[i].failed == THROTTLED ? "ProvisionedThroughputExceededException"
                                     : "InternalFailure";
}

const char *aev_put_result_error_message(const aev_put_result *r, size_t i) {
  if (!r || i >= r->n || r->e[i].failed == STORED) return NULL;
  return r->e[i].failed == THROTTLED ? r->msgs[i] : "Internal service failure.";
}

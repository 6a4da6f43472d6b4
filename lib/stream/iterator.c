/* Shard iterators as self-describing tokens: base64 of a version byte, the
 * stream's tag, the shard, the position, the time it was issued, the
 * stream's count of iterators issued (so that, as on AWS, every call
 * answers a new iterator, also at the same position and moment), a check
 * value keyed by the stream's secret, and the stream's name. Nothing is
 * stored per iterator; one older than 5 minutes on the broker clock is
 * refused with AWS's ExpiredIteratorException. Also GetShardIterator and
 * GetRecords, which read through them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "core/digest.h"
#include "core/status.h"
#include "stream/stream.h"

#define VERSION 2
#define FIXED 41 /* version, tag, shard, position, issued, serial, check */

static void put64(unsigned char *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get64(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

static uint64_t check_value(uint64_t secret, const unsigned char *fields,
                            size_t n) {
  aev__md5 c;
  unsigned char key[8], d[16];
  put64(key, secret);
  aev__md5_init(&c);
  aev__md5_update(&c, key, 8);
  aev__md5_update(&c, fields, n);
  aev__md5_final(&c, d);
  return get64(d);
}

char *aev__iterator_encode(aev_stream *s, uint32_t shard, uint64_t pos,
                           int64_t issued_ms) {
  size_t name_len = strlen(s->res.name);
  unsigned char *raw = malloc(FIXED + name_len);
  if (!raw) return NULL;
  raw[0] = VERSION;
  put64(raw + 1, (uint64_t)s->tag << 32 | shard);
  put64(raw + 9, pos);
  put64(raw + 17, (uint64_t)issued_ms);
  put64(raw + 25, atomic_fetch_add(&s->iterators, 1));
  put64(raw + 33, check_value(s->secret, raw, 33));
  memcpy(raw + FIXED, s->res.name, name_len);
  char *text = NULL;
  int rc = aev__base64_encode(raw, FIXED + name_len, &text);
  free(raw);
  return rc == AEV_OK ? text : NULL;
}

static int invalid_iterator(void) {
  return aev__kin_invalid("Invalid ShardIterator.");
}

/* Java's Date.toString() in UTC, as AWS's message writes it, in English
 * whatever the host's LC_TIME (strftime's %a and %b follow it). */
static void format_time(int64_t ms, char *out, size_t cap) {
  static const char *const day[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char *const month[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  snprintf(out, cap, "%s %s %02d %02d:%02d:%02d UTC %d", day[tm.tm_wday], month[tm.tm_mon],
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
}

int aev__iterator_decode(aev_broker *b, const char *text, aev_stream **out,
                         uint32_t *shard, uint64_t *pos) {
  unsigned char *raw = NULL;
  size_t n = 0, len = text ? strlen(text) : 0;
  /* AWS takes an iterator inside double quotes, as `aws kinesis
   * get-shard-iterator --query ShardIterator` prints it (localstack#9884,
   * checked against AWS). */
  if (len >= 2 && text[0] == '"' && text[len - 1] == '"') {
    text++;
    len -= 2;
  }
  int rc = text ? aev__base64_decode(text, len, &raw, &n) : AEV_ERR_INVALID;
  /* Out of memory is no verdict on the iterator. */
  if (rc == AEV_ERR_NOMEM) return rc;
  if (rc != AEV_OK || n <= FIXED || raw[0] != VERSION) {
    free(raw);
    return invalid_iterator();
  }
  char *name = strndup((const char *)raw + FIXED, n - FIXED);
  aev_stream *s = NULL;
  rc = name ? aev__stream_find(b, name, &s) : aev__nomem();
  if (rc == AEV_ERR_NOT_FOUND) { /* deleted since: AWS names the shard */
    char id[AEV_SHARD_ID_SIZE];
    aev__shard_id_format((uint32_t)get64(raw + 1), id);
    rc = aev__kin_no_shard_in(b, name, id);
  }
  free(name);
  if (rc != AEV_OK) {
    free(raw);
    return rc;
  }
  uint64_t ts = get64(raw + 1);
  int64_t issued = (int64_t)get64(raw + 17);
  if ((uint32_t)(ts >> 32) != s->tag ||
      get64(raw + 33) != check_value(s->secret, raw, 33)) {
    free(raw);
    aev_stream_release(s);
    return invalid_iterator();
  }
  *shard = (uint32_t)ts;
  *pos = get64(raw + 9);
  free(raw);
  int64_t now = aev__stream_now_ms(s);
  if (now - issued > AEV__ITERATOR_TTL_MS) {
    char was[64], is[64];
    format_time(issued, was, sizeof was);
    format_time(now, is, sizeof is);
    aev_stream_release(s);
    return aev__fail(AEV_ERR_INVALID, "ExpiredIteratorException",
                     "Iterator expired. The iterator was created at time %s "
                     "while right now it is %s which is further in the "
                     "future than the tolerated delay of 300000 "
                     "milliseconds.",
                     was, is);
  }
  *out = s;
  return AEV_OK;
}

/* A StartingSequenceNumber that aev__seq_decode() refused (why), in AWS's
 * words; encoded: the shard it names (why == -2). */
static int bad_sequence(aev_stream *s, aev__shard *sh, const char *seq, int why,
                        uint64_t encoded) {
  char id[AEV_SHARD_ID_SIZE], other[AEV_SHARD_ID_SIZE];
  aev__shard_id_format(sh->id, id);
  if (why == -2) {
    aev__shard_id_format((uint32_t)encoded, other);
    return aev__kin_invalid("Invalid StartingSequenceNumber. It encodes %s, while it was used "
                            "in a call to a shard with %s",
                            other, id);
  }
  return aev__kin_invalid("StartingSequenceNumber %s used in GetShardIterator on shard %s in "
                          "stream %s under account %s is invalid%s.",
                          seq, id, s->res.name, aev_broker_account(s->res.broker),
                          why == -3 ? " because it did not come from this stream" : "");
}

int aev__iterator_position(aev_stream *s, aev__shard *sh, const char *type,
                           const char *seq, int64_t ts_ms, uint64_t *pos) {
  if (!type)
    return aev__kin_validation(NULL, "shardIteratorType",
                               "Member must not be null");
  const int at_sequence =
      !strcmp(type, "AT_SEQUENCE_NUMBER") || !strcmp(type, "AFTER_SEQUENCE_NUMBER");
  if ((seq != NULL) != at_sequence &&
      (at_sequence || !strcmp(type, "TRIM_HORIZON") || !strcmp(type, "LATEST")))
    return aev__kin_invalid("Must either specify (1) AT_SEQUENCE_NUMBER or "
                            "AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) "
                            "TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request "
                            "specified %s and %s StartingSequenceNumber.",
                            type, seq ? "also a" : "no");
  if (!strcmp(type, "TRIM_HORIZON")) {
    *pos = sh->first;
  } else if (!strcmp(type, "LATEST")) {
    *pos = sh->next;
  } else if (!strcmp(type, "AT_TIMESTAMP")) {
    *pos = aev__shard_seek_time(sh, ts_ms);
  } else if (at_sequence) {
    uint64_t index = 0;
    int why = aev__seq_decode(s, sh, seq, &index);
    /* A closed shard's EndingSequenceNumber is the last record's (or, for
     * an empty shard, its starting number). */
    if (why == 0 && index > sh->next) why = -1;
    if (why) return bad_sequence(s, sh, seq, why, index);
    *pos = index + (type[1] == 'F' && index < sh->next);
    if (*pos < sh->first) *pos = sh->first;
  } else {
    return aev__kin_validation(type, "shardIteratorType",
                               "Member must satisfy enum value set: "
                               "[AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, "
                               "TRIM_HORIZON, LATEST, AT_TIMESTAMP]");
  }
  return AEV_OK;
}

int aev_stream_iterator(aev_stream *s, const char *shard_id, const char *type,
                        const char *sequence_number, int64_t timestamp_ms,
                        char **iterator) {
  int rc = aev__stream_check(s);
  if (rc != AEV_OK) return rc;
  if (!iterator) return aev__kin_invalid("Missing argument.");
  pthread_mutex_lock(&s->mu);
  int64_t now = aev__stream_now_ms(s);
  aev__shard *sh = aev__shard_find(s, shard_id);
  if (!sh || aev__shard_expired(s, sh, now)) {
    rc = aev__kin_no_shard(s, shard_id);
  } else if (s->throttling && aev__bucket_take_whole(&sh->iter_calls, 5, 1, now)) {
    /* GetShardIterator: 5 calls per second per open shard (KDS quotas). */
    rc = aev__kin_throttled(s, sh);
  } else if (timestamp_ms > now && type && !strcmp(type, "AT_TIMESTAMP")) {
    rc = aev__kin_invalid("The timestampInMillis parameter cannot be greater than the "
                          "currentTimestampInMillis. timestampInMillis: %lld, "
                          "currentTimestampInMillis: %lld",
                          (long long)timestamp_ms, (long long)now);
  } else {
    aev__shard_trim(sh, aev__stream_horizon(s, now));
    uint64_t pos;
    rc = aev__iterator_position(s, sh, type, sequence_number, timestamp_ms,
                                &pos);
    if (rc == AEV_OK) {
      *iterator = aev__iterator_encode(s, sh->id, pos, now);
      if (!*iterator) rc = aev__nomem();
    }
  }
  pthread_mutex_unlock(&s->mu);
  return rc;
}

int aev_stream_get_records(aev_broker *b, const char *iterator, int limit,
                           aev_records **out) {
  if (!b || !out) return aev__kin_invalid("Missing argument.");
  if (limit < 0 || limit > AEV__GET_LIMIT)
    return aev__fail_range(limit, "limit", 1, AEV__GET_LIMIT);
  if (!iterator)
    return aev__kin_validation(NULL, "shardIterator",
                               "Member must not be null");
  aev_stream *s;
  uint32_t shard;
  uint64_t pos;
  int rc = aev__iterator_decode(b, iterator, &s, &shard, &pos);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&s->mu);
  int64_t now = aev__stream_now_ms(s);
  aev__shard *sh = shard < s->nshards ? &s->shards[shard] : NULL;
  aev_records *r = NULL;
  if (!sh || s->res.deleted) {
    rc = aev__kin_no_stream(b, s->res.name);
  } else if (s->throttling &&
             (aev__bucket_take(&sh->r_calls, 5, 1, now) ||
              aev__bucket_take(&sh->r_bytes, 2 << 20, 0, now))) {
    rc = aev__kin_throttled(s, sh);
  } else {
    aev__shard_trim(sh, aev__stream_horizon(s, now));
    rc = aev__records_read(s, sh, &pos, limit ? limit : AEV__GET_LIMIT,
                           AEV__GET_MAX_BYTES, &r);
    if (rc == AEV_OK) rc = aev__records_finish(s, sh, r, pos, 0);
    if (rc == AEV_OK && s->throttling) {
      size_t bytes = 0;
      for (size_t i = 0; i < aev_records_count(r); i++) {
        size_t len;
        aev_records_data(r, i, &len);
        bytes += len;
      }
      sh->r_bytes.level -= (double)bytes;
    }
  }
  pthread_mutex_unlock(&s->mu);
  aev_stream_release(s);
  if (rc != AEV_OK) {
    aev_records_free(r);
    return rc;
  }
  *out = r;
  return AEV_OK;
}

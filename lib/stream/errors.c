/* Kinesis's error table: the error names and message wording the stream
 * module reports (AWS's own phrasing where AWS documents or returns it). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/status.h"
#include "core/text.h"
#include "stream/stream_impl.h"

int aev__kin_no_stream(const aev_broker *b, const char *name) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Stream %s under account %s not found.", name ? name : "",
                   aev_broker_account(b));
}

int aev__kin_no_shard_in(const aev_broker *b, const char *stream, const char *shard) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Shard %s in stream %s under account %s does not exist", shard ? shard : "",
                   stream ? stream : "", aev_broker_account(b));
}

int aev__kin_no_shard(const aev_stream *s, const char *shard) {
  return aev__kin_no_shard_in(s->res.broker, s->res.name, shard);
}

int aev__kin_no_consumer(const aev_stream *s, const char *name_or_arn) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Consumer %s under stream %s under account %s not found.",
                   name_or_arn ? name_or_arn : "", s->res.name,
                   aev_broker_account(s->res.broker));
}

int aev__kin_no_resource(const aev_stream *s, const char *consumer_arn) {
  return consumer_arn ? aev__kin_no_consumer(s, consumer_arn)
                      : aev__kin_no_stream(s->res.broker, s->res.name);
}

int aev__kin_invalid(const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return aev__fail(AEV_ERR_INVALID, "InvalidArgumentException", "%s", msg);
}

int aev__kin_validation(const char *value, const char *member,
                        const char *constraint) {
  return aev__fail_validation(value, member, constraint);
}

static int all_digits(const char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] < '0' || p[i] > '9') return 0;
  return 1;
}

int aev__kin_sequence_number_ok(const char *s) {
  size_t n = strlen(s);
  return !strcmp(s, "0") || (n >= 1 && n <= 129 && s[0] != '0' && all_digits(s, n));
}

int aev__kin_stream_arn_ok(const char *arn) {
  if (strncmp(arn, "arn:aws", 7)) return 0;
  const char *k = strstr(arn + 7, ":kinesis:");
  if (!k) return 0;
  for (const char *c = k + 9; (c = strchr(c, ':')) != NULL; c++) {
    if (strlen(c) <= 21 || !all_digits(c + 1, 12) || strncmp(c + 13, ":stream/", 8)) continue;
    const char *rest = c + 21;
    if (!rest[strcspn(rest, " \t\n\r\f\v")]) return 1;
  }
  return 0;
}

int aev__kin_check_string(const char *member, const char *value, int (*matches)(const char *),
                          const char *pattern, size_t min, size_t max) {
  const size_t len = aev__utf8_chars(value, strlen(value));
  const int fails[] = {matches && !matches(value), len < min, max && len > max};
  const int n = fails[0] + fails[1] + fails[2];
  if (!n) return AEV_OK;
  char constraint[3][160];
  snprintf(constraint[0], sizeof constraint[0],
           "Member must satisfy regular expression pattern: %s", pattern ? pattern : "");
  snprintf(constraint[1], sizeof constraint[1],
           "Member must have length greater than or equal to %zu", min);
  snprintf(constraint[2], sizeof constraint[2], "Member must have length less than or equal to %zu",
           max);
  char msg[2048];
  int at = snprintf(msg, sizeof msg, "%d validation error%s detected: ", n, n > 1 ? "s" : "");
  for (int i = 0, k = 0; i < 3; i++)
    if (fails[i] && at < (int)sizeof msg)
      at += snprintf(msg + at, sizeof msg - (size_t)at,
                     "%sValue '%s' at '%s' failed to satisfy constraint: %s", k++ ? "; " : "",
                     value, member, constraint[i]);
  return aev__fail(AEV_ERR_INVALID, "ValidationException", "%s", msg);
}

int aev__kin_in_use(const aev_stream *s) {
  return aev__fail(AEV_ERR_STATE, "ResourceInUseException",
                   "Stream %s under account %s not ACTIVE, instead in state "
                   "UPDATING",
                   s->res.name, aev_broker_account(s->res.broker));
}

int aev__kin_throttled(const aev_stream *s, const aev__shard *sh) {
  char id[AEV_SHARD_ID_SIZE];
  aev__shard_id_format(sh->id, id);
  return aev__fail(AEV_ERR_THROTTLED, "ProvisionedThroughputExceededException",
                   "Rate exceeded for shard %s in stream %s under account %s.",
                   id, s->res.name, aev_broker_account(s->res.broker));
}

/* The S3 layout in a directory: prefixes with !{timestamp:...} (Java
 * DateTimeFormatter letters y M d H m s, on the oldest record's arrival,
 * UTC) and !{firehose:random-string | error-output-type} expressions, the
 * default "YYYY/MM/dd/HH/" part and AWS's object names. Objects are
 * written by aev__s3_write_file (core/s3_objects.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/status.h"
#include "core/text.h"
#include "delivery/delivery_impl.h"

#define MAX_PREFIX 1024

/* A Java DateTimeFormatter pattern over the fields Firehose documents. */
static void format_time(aev__tbuf *b, const char *pat, size_t n, const struct tm *tm) {
  for (size_t i = 0; i < n;) {
    char c = pat[i];
    size_t run = 1;
    while (i + run < n && pat[i + run] == c) run++;
    char num[16];
    int v = -1;
    switch (c) {
    case 'y': v = tm->tm_year + 1900; break;
    case 'M': v = tm->tm_mon + 1; break;
    case 'd': v = tm->tm_mday; break;
    case 'H': v = tm->tm_hour; break;
    case 'm': v = tm->tm_min; break;
    case 's': v = tm->tm_sec; break;
    }
    if (v < 0) {
      aev__tbuf_put(b, pat + i, run);
    } else {
      if (c == 'y' && run == 2) v %= 100;
      snprintf(num, sizeof num, "%0*d", (int)run, v);
      aev__tbuf_puts(b, num);
    }
    i += run;
  }
}

static int has_expr(const char *text, const char *what) {
  return text && strstr(text, what) != NULL;
}

/* The length of the dynamic partitioning namespace opening e, or 0. */
static size_t namespace_len(const char *e) {
  if (!strncmp(e, "!{partitionKeyFromQuery:", 24)) return 24;
  if (!strncmp(e, "!{partitionKeyFromLambda:", 25)) return 25;
  return 0;
}

const char *aev__fh_next_key(const char *p, int *from_lambda, const char **key, size_t *len) {
  for (const char *e = p ? strstr(p, "!{") : NULL; e; e = strstr(e + 2, "!{")) {
    size_t n = namespace_len(e);
    const char *end = n ? strchr(e, '}') : NULL;
    if (!end) continue;
    *from_lambda = n == 25;
    *key = e + n;
    *len = (size_t)(end - e) - n;
    return end + 1;
  }
  return NULL;
}

int aev__fh_check_prefixes(const char *prefix, const char *error_prefix) {
  const char *texts[2] = {prefix, error_prefix};
  for (int k = 0; k < 2; k++) {
    const char *t = texts[k];
    if (!t) continue;
    if (aev__utf8_chars(t, strlen(t)) > MAX_PREFIX) /* characters, not bytes */
      return aev__fh_validation(NULL, k ? "errorOutputPrefix" : "prefix",
                                "Member must have length less than or equal "
                                "to 1024");
    for (const char *e = strstr(t, "!{"); e; e = strstr(e + 2, "!{")) {
      const char *end = strchr(e, '}');
      if (!end ||
          (strncmp(e, "!{timestamp:", 12) &&
           strncmp(e, "!{firehose:random-string}", 25) &&
           strncmp(e, "!{firehose:error-output-type}", 29) &&
           !(namespace_len(e) && end > e + namespace_len(e))))
        return aev__fh_invalid("The expression %.*s in %s is not supported: "
                               "use !{timestamp:...}, "
                               "!{firehose:random-string}, "
                               "!{firehose:error-output-type}, "
                               "!{partitionKeyFromQuery:key} or "
                               "!{partitionKeyFromLambda:key}.",
                               end ? (int)(end - e + 1) : (int)strlen(e), e,
                               k ? "ErrorOutputPrefix" : "Prefix");
    }
  }
  if (has_expr(prefix, "!{firehose:error-output-type}"))
    return aev__fh_invalid("The !{firehose:error-output-type} expression is "
                           "only allowed in ErrorOutputPrefix.");
  if (has_expr(prefix, "!{") && (!error_prefix || !*error_prefix))
    return aev__fh_invalid("ErrorOutputPrefix cannot be null or empty when "
                           "Prefix contains expressions.");
  if (error_prefix && *error_prefix && has_expr(prefix, "!{") &&
      !has_expr(error_prefix, "!{firehose:error-output-type}"))
    return aev__fh_invalid("ErrorOutputPrefix must contain the "
                           "!{firehose:error-output-type} expression.");
  return AEV_OK;
}

/* A partition key's value as a prefix part: a string as it is, a number
 * or a boolean as JSON text; NULL for a missing key, null, an object or
 * an array. */
static char *key_text(json_t *v) {
  if (json_is_string(v)) return strdup(json_string_value(v));
  if (!json_is_number(v) && !json_is_boolean(v)) return NULL;
  return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
}

int aev__fh_prefix_eval(const char *prefix, int64_t ms, const char *error_type, int default_time,
                        json_t *query, json_t *lambda, char **out, char *missing, size_t missing_n) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  aev__tbuf b = {0};
  aev__tbuf_put(&b, "", 0);
  const char *p = prefix ? prefix : "";
  /* No prefix on error output: "<error-output-type>/" then the time. */
  if (error_type && !*p) p = "!{firehose:error-output-type}/";
  const char *whole = p;
  while (*p) {
    const char *e = strstr(p, "!{");
    const char *end = e ? strchr(e, '}') : NULL;
    if (!e || !end) {
      aev__tbuf_puts(&b, p);
      break;
    }
    aev__tbuf_put(&b, p, (size_t)(e - p));
    size_t ns = namespace_len(e);
    if (ns) {
      char *key = strndup(e + ns, (size_t)(end - e) - ns);
      char *text = key ? key_text(json_object_get(ns == 25 ? lambda : query, key)) : NULL;
      if (!text) {
        if (key && missing) snprintf(missing, missing_n, "%s", key);
        free(key);
        free(aev__tbuf_take(&b, NULL));
        return key ? -1 : -2;
      }
      aev__tbuf_puts(&b, text);
      free(text);
      free(key);
    } else if (!strncmp(e, "!{timestamp:", 12)) {
      format_time(&b, e + 12, (size_t)(end - e - 12), &tm);
    } else if (!strncmp(e, "!{firehose:error-output-type}", 29)) {
      aev__tbuf_puts(&b, error_type ? error_type : "");
    } else { /* !{firehose:random-string}: drawn for each object */
      aev__tbuf_put(&b, e, (size_t)(end - e + 1));
    }
    p = end + 1;
  }
  /* Without a timestamp expression AWS appends the hour's folders (not to
   * a partitioned prefix: the guide's example key has none). */
  if (default_time && !has_expr(whole, "!{timestamp:")) format_time(&b, "yyyy/MM/dd/HH/", 14, &tm);
  *out = aev__tbuf_take(&b, NULL);
  return *out ? 0 : -2;
}

char *aev__fh_fill_random(aev_delivery *d, const char *text) {
  aev__tbuf b = {0};
  aev__tbuf_put(&b, "", 0);
  const char *p = text, *e;
  while ((e = strstr(p, "!{firehose:random-string}"))) {
    aev__tbuf_put(&b, p, (size_t)(e - p));
    char rnd[12];
    pthread_mutex_lock(&d->mu);
    for (int i = 0; i < 11; i++)
      rnd[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[aev__rng_below(&d->rng, 36)];
    pthread_mutex_unlock(&d->mu);
    aev__tbuf_put(&b, rnd, 11);
    p = e + 25;
  }
  aev__tbuf_puts(&b, p);
  return aev__tbuf_take(&b, NULL);
}

char *aev__fh_prefix(aev_delivery *d, const char *prefix, int64_t ms,
                     const char *error_type) {
  char *text, *out;
  if (aev__fh_prefix_eval(prefix, ms, error_type, 1, NULL, NULL, &text, NULL, 0)) return NULL;
  out = aev__fh_fill_random(d, text);
  free(text);
  return out;
}

void aev__fh_uuid(aev_delivery *d, char out[AEV_UUID_LEN + 1]) {
  pthread_mutex_lock(&d->mu);
  aev__uuid4(&d->rng, out);
  pthread_mutex_unlock(&d->mu);
}

/* The version is the stream's VersionId: Firehose's guide has it begin
 * at 1 and grow by one with each configuration change. */
char *aev__fh_object_name(aev_delivery *d, int64_t ms) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  char uuid[AEV_UUID_LEN + 1], *out = NULL;
  pthread_mutex_lock(&d->mu);
  aev__uuid4(&d->rng, uuid);
  const int version = d->version;
  pthread_mutex_unlock(&d->mu);
  if (asprintf(&out, "%s-%d-%04d-%02d-%02d-%02d-%02d-%02d-%s", d->res.name, version,
               tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
               tm.tm_min, tm.tm_sec, uuid) < 0)
    return NULL;
  return out;
}


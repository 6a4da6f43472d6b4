/* TZif files (RFC 8536): transition times and local time types, and the
 * footer's POSIX TZ rule ("EST5EDT,M3.2.0,M11.1.0") for instants after the
 * last transition, which "slim" zone files rely on for every year. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/status.h"
#include "scheduler/tz.h"

#define HEADER 44
#define MAX_FILE (1 << 20)

/* A POSIX rule's change: month m, week w (5 = last), weekday d, at secs
 * local time. */
typedef struct change { int m, w, d; int32_t secs; } change;

struct aev__tz {
  size_t n;          /* transitions */
  int64_t *at;       /* epoch seconds, ascending */
  int32_t *off;      /* offset from at[i] on */
  int32_t off0;      /* before the first transition */
  int rule;          /* the footer has a DST rule */
  int32_t std, dst;  /* the rule's offsets (east of UTC), or std alone */
  int fixed;         /* the footer gives a fixed offset (std) */
  change start, end; /* DST starts / ends */
};

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p) {
  return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* [+-]hh[:mm[:ss]], hours up to 167 (RFC 8536 §3.3.1). */
static int posix_time(const char **p, int32_t *out) {
  int sign = 1;
  if (**p == '+' || **p == '-') sign = *(*p)++ == '-' ? -1 : 1;
  if (!isdigit((unsigned char)**p)) return 0;
  long v[3] = {0, 0, 0};
  for (int i = 0; i < 3; i++) {
    if (i && **p != ':') break;
    if (i) (*p)++;
    if (!isdigit((unsigned char)**p)) return 0;
    int digits = 0;
    while (isdigit((unsigned char)**p) && digits++ < 3) v[i] = v[i] * 10 + (*(*p)++ - '0');
  }
  if (v[0] > 167 || v[1] > 59 || v[2] > 59) return 0;
  *out = (int32_t)(sign * (v[0] * 3600 + v[1] * 60 + v[2]));
  return 1;
}

static int posix_name(const char **p) {
  const char *s = *p;
  if (*s == '<') {
    while (*s && *s != '>') s++;
    if (*s != '>') return 0;
    *p = s + 1;
    return 1;
  }
  while (isalpha((unsigned char)*s)) s++;
  if (s - *p < 3) return 0;
  *p = s;
  return 1;
}

/* Mm.w.d[/time]; Jn and n forms are not used by the tz database's zones. */
static int posix_change(const char **p, change *c) {
  if (*(*p)++ != 'M') return 0;
  char *end;
  long m = strtol(*p, &end, 10);
  if (end == *p || *end != '.' || m < 1 || m > 12) return 0;
  long w = strtol(end + 1, &end, 10);
  if (*end != '.' || w < 1 || w > 5) return 0;
  const char *q = end + 1;
  long d = strtol(q, &end, 10);
  if (end == q || d < 0 || d > 6) return 0;
  *p = end;
  c->m = (int)m, c->w = (int)w, c->d = (int)d, c->secs = 7200;
  if (**p == '/') {
    (*p)++;
    return posix_time(p, &c->secs);
  }
  return 1;
}

/* The footer's rule: std offset, optional DST with its two changes. POSIX
 * offsets are west of UTC, so they are negated. */
static int posix_rule(aev__tz *tz, const char *s) {
  int32_t v;
  if (!posix_name(&s) || !posix_time(&s, &v)) return 0;
  tz->std = -v;
  tz->fixed = 1;
  if (!*s) return 1;
  if (!posix_name(&s)) return 0;
  tz->dst = tz->std + 3600;
  if (*s && *s != ',') {
    if (!posix_time(&s, &v)) return 0;
    tz->dst = -v;
  }
  if (*s++ != ',' || !posix_change(&s, &tz->start) || *s++ != ',' ||
      !posix_change(&s, &tz->end) || *s)
    return 0;
  tz->fixed = 0;
  tz->rule = 1;
  return 1;
}

static int64_t year_of(int64_t utc_s) {
  int64_t y;
  int mo, d;
  aev__civil_from_days((utc_s >= 0 ? utc_s : utc_s - 86399) / 86400, &y, &mo, &d);
  return y;
}

/* The local midnight-based seconds of change c in year y, as UTC seconds
 * given the offset in force before it. */
static int64_t change_at(const change *c, int64_t y, int32_t before) {
  int64_t first = aev__civil_days(y, c->m, 1);
  int wday = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
  int64_t day = first + ((c->d - wday + 7) % 7) + 7 * (c->w - 1);
  int dim = aev__days_in_month(y, c->m);
  while (day >= first + dim) day -= 7;
  return day * 86400 + c->secs - before;
}

static int32_t rule_offset(const aev__tz *tz, int64_t utc_s) {
  if (!tz->rule) return tz->std;
  int64_t y = year_of(utc_s);
  int64_t on = change_at(&tz->start, y, tz->std);
  int64_t off = change_at(&tz->end, y, tz->dst);
  /* Southern zones' DST spans the new year: it ends before it starts. */
  if (on < off) return utc_s >= on && utc_s < off ? tz->dst : tz->std;
  return utc_s >= off && utc_s < on ? tz->std : tz->dst;
}

int32_t aev__tz_offset(const aev__tz *tz, int64_t utc_s) {
  if (tz->n == 0 || utc_s < tz->at[0])
    return tz->n == 0 && (tz->rule || tz->fixed) ? rule_offset(tz, utc_s) : tz->off0;
  if (utc_s >= tz->at[tz->n - 1] && (tz->rule || tz->fixed))
    return rule_offset(tz, utc_s);
  size_t lo = 0, hi = tz->n; /* the last transition at or before utc_s */
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (tz->at[mid] <= utc_s) lo = mid;
    else hi = mid;
  }
  return tz->off[lo];
}

int aev__tz_to_utc(const aev__tz *tz, int64_t local_s, int64_t *utc_s) {
  /* A change a day either side covers every zone's (none changes twice a
   * day): the instant is local_s minus the offset in force at it. */
  int32_t a = aev__tz_offset(tz, local_s - 86400), b = aev__tz_offset(tz, local_s + 86400);
  int ok_a = aev__tz_offset(tz, local_s - a) == a, ok_b = aev__tz_offset(tz, local_s - b) == b;
  if (ok_a && ok_b) *utc_s = local_s - (a > b ? a : b); /* the earlier instant */
  else if (ok_a) *utc_s = local_s - a;
  else if (ok_b) *utc_s = local_s - b;
  else {
    *utc_s = local_s - a;
    return 0;
  }
  return 1;
}

void aev__tz_free(aev__tz *tz) {
  if (!tz) return;
  free(tz->at);
  free(tz->off);
  free(tz);
}

/* The sizes of one data block: 4-byte (v1) or 8-byte (v2+) times. */
static size_t block_len(const unsigned char *h, size_t tsize) {
  size_t isut = be32(h + 20), isstd = be32(h + 24), leap = be32(h + 28),
         time = be32(h + 32), type = be32(h + 36), chars = be32(h + 40);
  return time * tsize + time + type * 6 + chars + leap * (tsize + 4) + isstd + isut;
}

int aev__tz_parse(const unsigned char *d, size_t len, aev__tz **out) {
  if (len < HEADER || memcmp(d, "TZif", 4)) return AEV_ERR_INVALID;
  for (int i = 20; i < HEADER; i += 4)
    if (be32(d + i) > MAX_FILE) return AEV_ERR_INVALID;
  size_t tsize = 4;
  const unsigned char *h = d;
  size_t skip = HEADER + block_len(d, 4);
  if (d[4] >= '2') { /* skip the v1 block: the v2 one has 64-bit times */
    if (skip + HEADER > len || memcmp(d + skip, "TZif", 4)) return AEV_ERR_INVALID;
    h = d + skip;
    for (int i = 20; i < HEADER; i += 4)
      if (be32(h + i) > MAX_FILE) return AEV_ERR_INVALID;
    tsize = 8;
  }
  size_t time = be32(h + 32), type = be32(h + 36);
  size_t body = (size_t)(h - d) + HEADER;
  if (type == 0 || body + block_len(h, tsize) > len) return AEV_ERR_INVALID;
  const unsigned char *times = d + body, *idx = times + time * tsize, *types = idx + time;
  aev__tz *tz = calloc(1, sizeof *tz);
  if (!tz) return AEV_ERR_NOMEM;
  tz->at = malloc((time ? time : 1) * sizeof *tz->at);
  tz->off = malloc((time ? time : 1) * sizeof *tz->off);
  if (!tz->at || !tz->off) {
    aev__tz_free(tz);
    return AEV_ERR_NOMEM;
  }
  /* RFC 8536 §3.2: an offset within [-89999, 93599] seconds (-24:59:59
   * to 25:59:59); a file with others is not read. */
  for (size_t i = 0; i < type; i++) {
    int32_t off = (int32_t)be32(types + 6 * i);
    if (off < -89999 || off > 93599) {
      aev__tz_free(tz);
      return AEV_ERR_INVALID;
    }
  }
  tz->n = time;
  tz->off0 = (int32_t)be32(types);
  for (size_t i = 0; i < time; i++) {
    tz->at[i] = tsize == 8 ? be64(times + 8 * i) : (int32_t)be32(times + 4 * i);
    if ((i && tz->at[i] <= tz->at[i - 1]) || idx[i] >= type) {
      aev__tz_free(tz);
      return AEV_ERR_INVALID;
    }
    tz->off[i] = (int32_t)be32(types + 6 * idx[i]);
  }
  size_t foot = body + block_len(h, tsize);
  if (tsize == 8 && foot < len && d[foot] == '\n') {
    const unsigned char *nl = memchr(d + foot + 1, '\n', len - foot - 1);
    char rule[128];
    size_t n = nl ? (size_t)(nl - d - foot - 1) : 0;
    if (nl && n > 0 && n < sizeof rule) {
      memcpy(rule, d + foot + 1, n);
      rule[n] = 0;
      if (!posix_rule(tz, rule)) tz->rule = tz->fixed = 0;
    }
  }
  *out = tz;
  return AEV_OK;
}

static int name_ok(const char *name) {
  size_t n = strlen(name);
  if (n == 0 || n > 255 || name[0] == '/' ||
      strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-/.") != n)
    return 0;
  for (const char *s = name; *s; s = strchr(s, '/') ? strchr(s, '/') + 1 : s + strlen(s))
    if (s[0] == '.') return 0; /* "..", hidden files */
  return 1;
}

int aev__tz_load(const char *dir, const char *name, aev__tz **out) {
  if (!name_ok(name)) return AEV_ERR_NOT_FOUND;
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) return errno == ENOMEM ? AEV_ERR_NOMEM : AEV_ERR_NOT_FOUND;
  long size = fseek(f, 0, SEEK_END) ? -1 : ftell(f);
  if (size <= 0 || size > MAX_FILE || fseek(f, 0, SEEK_SET)) { /* a directory, or no zone */
    fclose(f);
    return AEV_ERR_NOT_FOUND;
  }
  unsigned char *buf = malloc((size_t)size);
  size_t len = buf ? fread(buf, 1, (size_t)size, f) : 0;
  fclose(f);
  if (!buf) return AEV_ERR_NOMEM;
  int rc = aev__tz_parse(buf, len, out);
  free(buf);
  return rc == AEV_ERR_INVALID ? AEV_ERR_NOT_FOUND : rc;
}

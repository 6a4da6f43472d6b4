/* PutEvents: request and entry validation as AWS does it (1-10 entries,
 * 256 KB as AWS counts entry sizes, required members, malformed detail,
 * reserved sources), the event envelope, and routing through a bus's rules
 * to the targets' deliveries. PutPartnerEvents the same way, for partner
 * event sources (partner.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "bus/bus_impl.h"
#include "core/broker.h"
#include "core/json_parse.h"
#include "core/status.h"
#include "core/text.h"
#include "pattern/pattern.h"

#define MAX_ENTRIES 10
#define MAX_PARTNER_ENTRIES 20
#define MAX_REQUEST_BYTES (256 * 1024)
#define MAX_DEPTH 1000
#define MAX_RESOURCE_CHARS 2048

aev__event *aev__event_new(size_t len) {
  aev__event *e = malloc(sizeof *e + len + 1);
  if (e) {
    e->refs = 1;
    e->len = len;
    e->text[len] = 0;
  }
  return e;
}

void aev__event_unref(aev__event *e) {
  if (e && !--e->refs) free(e);
}

/* Detail must be a JSON object nested at most MAX_DEPTH deep (AWS's
 * documentation says 1000 in one place, 1100 in another). */
static int detail_ok(const char *d, size_t len) {
  return aev__pm_json_object_check(d, len, MAX_DEPTH);
}

/* The envelope aev__envelope() writes: its members, and how deep it nests
 * with a detail nested MAX_DEPTH deep. */
#define ENVELOPE_MEMBERS 9
#define ENVELOPE_DEPTH (MAX_DEPTH + 1)

/* The first check of a detail that matching the envelope finishes (see
 * route()): it opens an object. */
static int detail_opens_object(const char *d, size_t len) {
  size_t i = 0;
  while (i < len && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r')) i++;
  return i < len && d[i] == '{';
}

/* The envelope is written straight into the event's buffer, sized up front
 * for the worst case (every string character escaped as \u00XX). */
typedef struct out {
  char *p;
  size_t n;
} out;

static void raw(out *o, const char *s, size_t n) {
  memcpy(o->p + o->n, s, n);
  o->n += n;
}

static void text(out *o, const char *s) { raw(o, s, strlen(s)); }

/* How many bytes at the start of s (n bytes) JSON takes as they are in a
 * string: none of '"', '\\' or a control character. Eight bytes at a time
 * with the "has a byte below k / equal to c" word tests (exact for the word
 * as a whole); the word that fails is then read byte by byte. */
static size_t plain_run(const char *s, size_t n) {
  const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    if ((((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs)
      break;
  }
  for (; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == '"' || c == '\\') break;
  }
  return i;
}

/* s (n bytes) as a JSON string. */
static void quoted(out *o, const char *s, size_t n) {
  o->p[o->n++] = '"';
  for (size_t i = 0; i < n;) {
    size_t run = plain_run(s + i, n - i);
    raw(o, s + i, run);
    if ((i += run) == n) break;
    unsigned char c = (unsigned char)s[i++];
    if (c == '"' || c == '\\') {
      o->p[o->n++] = '\\';
      o->p[o->n++] = (char)c;
    } else {
      o->n += (size_t)snprintf(o->p + o->n, 7, "\\u%04x", c);
    }
  }
  o->p[o->n++] = '"';
}

static int json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* A character that joins its neighbour into one token (1 2 would read 12). */
static int word_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         c == '.' || c == '+' || c == '-';
}

/* The detail (n bytes) as AWS delivers it: without the whitespace between
 * its tokens (the recorded SNS message of test_put_events_with_target_sns
 * holds "detail":{"command":"update-account",...} for a detail sent as
 * {"command": "update-account", ...}); strings are copied as they are.
 * Whitespace between two characters that would join into one token stays
 * (one space), so a detail that is not JSON does not become JSON. */
static void compact(out *o, const char *s, size_t n) {
  for (size_t i = 0; i < n;) {
    if (s[i] == '"') {
      size_t j = i + 1;
      while ((j += plain_run(s + j, n - j)) < n && s[j] != '"')
        j += s[j] == '\\' && j + 1 < n ? 2 : 1;
      if (j < n) j++; /* the closing quote */
      raw(o, s + i, j - i);
      i = j;
    } else if (json_space(s[i])) {
      while (i < n && json_space(s[i])) i++;
      if (i < n && word_char(o->p[o->n - 1]) && word_char(s[i])) o->p[o->n++] = ' ';
    } else {
      o->p[o->n++] = s[i++];
    }
  }
}

aev__event *aev__envelope(aev_broker *b, const char *source,
                          const char *detail_type, const char *detail,
                          size_t detail_len, json_t *resources,
                          int64_t time_ms) {
  size_t source_len = strlen(source), type_len = strlen(detail_type);
  size_t cap = 256 + 6 * (source_len + type_len) + detail_len;
  for (size_t i = 0; i < json_array_size(resources); i++)
    cap += 6 * json_string_length(json_array_get(resources, i)) + 3;
  aev__event *ev = malloc(sizeof *ev + cap);
  if (!ev) return NULL;
  char when[21];
  aev__broker_uuid(b, ev->id);
  aev__iso_time(time_ms, when);
  out o = {ev->text, 0};
  text(&o, "{\"version\":\"0\",\"id\":\"");
  text(&o, ev->id);
  text(&o, "\",\"detail-type\":");
  quoted(&o, detail_type, type_len);
  text(&o, ",\"source\":");
  quoted(&o, source, source_len);
  text(&o, ",\"account\":\"");
  text(&o, aev_broker_account(b));
  text(&o, "\",\"time\":\"");
  text(&o, when);
  text(&o, "\",\"region\":\"");
  text(&o, aev_broker_region(b));
  text(&o, "\",\"resources\":[");
  for (size_t i = 0; i < json_array_size(resources); i++) {
    if (i) text(&o, ",");
    json_t *r = json_array_get(resources, i);
    quoted(&o, json_string_value(r), strlen(json_string_value(r)));
  }
  text(&o, "],\"detail\":");
  compact(&o, detail, detail_len);
  raw(&o, "}", 2);
  ev->refs = 1;
  ev->len = o.n - 1;
  ev->ingest_ms = aev_broker_now_ms(b);
  ev->time_ms = time_ms;
  ev->replayed = 0;
  return ev;
}

/* Matches ev against the bus's pattern set and posts deliveries to the
 * targets of the matching rules (only those in only[] when n_only > 0),
 * collected under the bus lock and delivered after it. Archive ids sort
 * after rule ids (they have a high bit); archive set: ev goes to them.
 * fresh: ev was just enveloped around a detail that only
 * detail_opens_object() checked; matching scans the whole envelope anyway,
 * so it finishes the check: the envelope must be valid JSON, nested no
 * deeper than ENVELOPE_DEPTH, with ENVELOPE_MEMBERS members (a detail like
 * {},"x":1 would add one). AEV_ERR_INVALID, nothing delivered, otherwise. */
static int route(aev_bus *bus, aev__event *ev, const uint64_t *only,
                 size_t n_only, int archive, int fresh) {
  uint64_t *ids;
  size_t n, n_rules = 0, cap = 0, k = 0, members;
  aev__target *stack[16], **ts = stack;
  pthread_rwlock_rdlock(&bus->lock);
  int rc = aev__pattern_set_match_event(bus->set, ev->text, ev->len, ENVELOPE_DEPTH,
                                        &members, &ids, &n);
  if (!rc && fresh && members != ENVELOPE_MEMBERS) {
    aev_free(ids);
    ids = NULL;
    rc = AEV_ERR_INVALID;
  }
  while (!rc && n_rules < n && !(ids[n_rules] & AEV__ARCHIVE_ID)) {
    if (ids[n_rules] < bus->n_ids) cap += bus->routes[ids[n_rules]].n_targets;
    n_rules++;
  }
  if (cap > 16 && !(ts = malloc(cap * sizeof *ts))) rc = aev__nomem();
  for (size_t i = 0; !rc && i < n_rules; i++) {
    const aev__route *rt = ids[i] < bus->n_ids ? &bus->routes[ids[i]] : NULL;
    int wanted = n_only == 0;
    for (size_t j = 0; !wanted && j < n_only; j++) wanted = only[j] == ids[i];
    for (size_t j = 0; rt && wanted && j < rt->n_targets; j++) {
      aev__target_ref(rt->targets[j]);
      ts[k++] = rt->targets[j];
    }
  }
  pthread_rwlock_unlock(&bus->lock);
  for (size_t i = 0; i < k; i++) aev__deliver(ts[i], ev);
  if (ts != stack) free(ts);
  if (!rc && archive && !ev->replayed) /* ids is NULL when nothing matched */
    aev__archive_store(bus, ids ? ids + n_rules : NULL, n - n_rules, ev);
  aev_free(ids);
  return rc;
}

int aev__bus_route(aev_bus *bus, aev__event *ev) {
  return route(bus, ev, NULL, 0, 1, 0);
}

int aev__bus_route_replay(aev_bus *bus, aev__event *ev, const uint64_t *rule_ids,
                          size_t n_rules) {
  return route(bus, ev, rule_ids, n_rules, 0, 0);
}

void aev__rule_deliver(aev_bus *bus, aev__rule *r, aev__event *ev) {
  aev__target *ts[AEV_BUS_MAX_TARGETS];
  size_t k = 0;
  pthread_rwlock_rdlock(&bus->lock);
  /* A rule deleted since its schedule fired has no targets (its id may be
   * another rule's by now). */
  const aev__route *rt = r->id < bus->n_ids && bus->routes[r->id].rule == r
                             ? &bus->routes[r->id]
                             : NULL;
  for (size_t j = 0; rt && j < rt->n_targets; j++) {
    aev__target_ref(rt->targets[j]);
    ts[k++] = rt->targets[j];
  }
  pthread_rwlock_unlock(&bus->lock);
  for (size_t i = 0; i < k; i++) aev__deliver(ts[i], ev);
}

/* One entry's failure, as PutEvents reports it. */
typedef struct entry_error {
  const char *code;
  char msg[160];
} entry_error;

static int entry_fail(entry_error *e, const char *code, const char *msg) {
  e->code = code;
  snprintf(e->msg, sizeof e->msg, "%s", msg);
  return 0;
}

static int required(entry_error *e, const char *member, const char *v) {
  if (v && *v) return 1;
  char m[128];
  snprintf(m, sizeof m, "Parameter %s is not valid. Reason: %s is a required argument.",
           member, member);
  return entry_fail(e, "InvalidArgument", m);
}

/* The per-entry checks, in AWS's order; the detail's only as far as
 * detail_opens_object() unless full. A partner's entries name partner
 * event sources, which put_one() checks. */
static int entry_check(const char *source, const char *type, const char *detail,
                       size_t detail_len, int full, int partner, entry_error *e) {
  if (!required(e, "Source", source) || !required(e, "DetailType", type) ||
      !required(e, "Detail", detail))
    return 0;
  /* "aws." sources belong to AWS services. */
  if (!partner && !strncmp(source, "aws.", 4))
    return entry_fail(e, "NotAuthorizedForSourceException",
                      "Not authorized for the source.");
  if (full ? !detail_ok(detail, detail_len) : !detail_opens_object(detail, detail_len))
    return entry_fail(e, "MalformedDetail", "Detail is malformed.");
  return 1;
}

static int too_big(void) {
  return aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "Total size of the entries in the request is over the limit.");
}

/* Source or DetailType that is not UTF-8 text. */
static int not_text(const char *member) {
  return aev__fail(AEV_ERR_INVALID, "InvalidArgument",
                   "Parameter %s is not valid. Reason: %s is not UTF-8 text.", member, member);
}

/* The per-entry checks plus what PutEvents' JSON vets before them, for the
 * typed call's C strings: the entry's size as AWS counts it (no Time, no
 * Resources), and text that is UTF-8, as Source and DetailType (Unicode
 * strings) and Detail (JSON text) are in any request AWS can receive. */
static int typed_entry_check(const char *source, const char *type, const char *detail,
                             size_t detail_len) {
  entry_error e;
  if (!entry_check(source, type, detail, detail_len, 0, 0, &e))
    return aev__fail(AEV_ERR_INVALID, e.code, "%s", e.msg);
  size_t source_len = strlen(source), type_len = strlen(type);
  if (source_len + type_len + detail_len >= MAX_REQUEST_BYTES) return too_big();
  if (!aev__utf8_valid(detail, detail_len))
    return aev__fail(AEV_ERR_INVALID, "MalformedDetail", "Detail is malformed.");
  if (!aev__utf8_valid(source, source_len)) return not_text("Source");
  return aev__utf8_valid(type, type_len) ? AEV_OK : not_text("DetailType");
}

int aev_bus_put_event(aev_bus *bus, const char *source, const char *detail_type,
                      const char *detail, size_t detail_len, char *id_out) {
  if (!bus)
    return aev__fail(AEV_ERR_INVALID, "ValidationException", "bus is NULL.");
  int rc = typed_entry_check(source, detail_type, detail, detail ? detail_len : 0);
  if (rc) return rc;
  if (bus->res.deleted) return aev__bus_gone(bus);
  aev_broker *b = bus->res.broker;
  aev__event *ev = aev__envelope(b, source, detail_type, detail, detail_len,
                                 NULL, aev_broker_now_ms(b));
  if (!ev) return aev__nomem();
  /* The typed hot path: routing finishes checking the detail. */
  rc = route(bus, ev, NULL, 0, 1, 1);
  if (rc == AEV_ERR_INVALID)
    rc = aev__fail(AEV_ERR_INVALID, "MalformedDetail", "Detail is malformed.");
  if (!rc && id_out) memcpy(id_out, ev->id, sizeof ev->id);
  aev__event_unref(ev);
  return rc;
}

static int resources_ok(json_t *res);

int aev__bus_put_service_event(aev_broker *b, const char *name_or_arn,
                               const char *source, const char *detail_type,
                               const char *detail, size_t detail_len,
                               const char *resources_json, char *id_out) {
  if (!source || !detail_type || !detail || !detail_ok(detail, detail_len))
    return aev__fail(AEV_ERR_INVALID, "MalformedDetail", "Detail is malformed.");
  json_t *res = NULL;
  if (resources_json && aev__json_parse_str(resources_json, 0, &res) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  if (resources_json && !resources_ok(res)) {
    json_decref(res);
    return aev__fail(AEV_ERR_INVALID, "InvalidArgument",
                     "Parameter Resources is not valid. Reason: Resources "
                     "must be a list of strings.");
  }
  aev_bus *bus;
  int rc = aev__bus_find(b, name_or_arn, 1, &bus);
  aev__event *ev = NULL;
  if (!rc) {
    ev = aev__envelope(b, source, detail_type, detail, detail_len, res,
                       aev_broker_now_ms(b));
    if (!ev) {
      rc = aev__nomem();
    } else {
      rc = aev__bus_route(bus, ev);
      if (!rc && id_out) memcpy(id_out, ev->id, sizeof ev->id);
      aev__event_unref(ev);
    }
    aev_bus_release(bus);
  }
  json_decref(res);
  return rc;
}

static const char *member(json_t *e, const char *k) {
  return json_string_value(json_object_get(e, k));
}

/* Source, DetailType and Detail may hold U+0000 (aev_call lets them
 * through for put_one to fail the entry), so their length is the
 * string's, not strlen's; 0 when absent. */
static size_t member_len(json_t *e, const char *k) {
  return json_string_length(json_object_get(e, k));
}

/* The entries must total less than 256 KB. AWS's size of an entry: Time (14 bytes when given) plus the UTF-8 bytes
 * of Source, DetailType, Detail and each Resource. */
static size_t entry_size(json_t *e) {
  size_t n = json_object_get(e, "Time") ? 14 : 0;
  const char *keys[] = {"Source", "DetailType", "Detail"};
  for (size_t i = 0; i < 3; i++) n += member_len(e, keys[i]);
  json_t *res = json_object_get(e, "Resources");
  for (size_t i = 0; i < json_array_size(res); i++)
    n += json_string_length(json_array_get(res, i));
  return n;
}

/* The entry as AWS's message lists it, its detail cut to 64 bytes between
 * characters. */
static void describe_entry(json_t *e, char *buf, size_t cap) {
  const char *s = member(e, "Source"), *t = member(e, "DetailType"),
             *d = member(e, "Detail"), *bus = member(e, "EventBusName");
  if (!d) d = "null";
  snprintf(buf, cap,
           "PutEventsRequestEntry(time=null, source=%s, resources=[], "
           "detailType=%s, detail=%.*s, eventBusName=%s, traceHeader=null)",
           s ? s : "null", t ? t : "null", (int)aev__utf8_fit(d, strlen(d), 64), d,
           bus ? bus : "null");
}

/* Entry i's Resources: each at most 2048 characters (AWS's API model). */
static int resources_fit(json_t *e, size_t i) {
  json_t *res = json_object_get(e, "Resources");
  for (size_t k = 0; k < json_array_size(res); k++) {
    json_t *r = json_array_get(res, k);
    if (json_is_string(r) &&
        aev__utf8_chars(json_string_value(r), json_string_length(r)) > MAX_RESOURCE_CHARS) {
      char member[64];
      snprintf(member, sizeof member, "entries.%zu.member.resources", i + 1);
      return aev__fail_validation(NULL, member,
                                  "Member must satisfy constraint: [Member must have length "
                                  "less than or equal to 2048]");
    }
  }
  return AEV_OK;
}

static int request_check(json_t *entries, size_t max) {
  size_t n = json_array_size(entries);
  if (!json_is_array(entries) || n < 1 || n > max) {
    /* AWS lists every entry; the thread's message buffer (1 KiB) holds as
     * many whole entries as fit. */
    char list[640] = "", one[512];
    for (size_t i = 0; i < n; i++) {
      describe_entry(json_array_get(entries, i), one, sizeof one);
      if (strlen(list) + strlen(one) + 3 >= sizeof list) break;
      if (i) strcat(list, ", ");
      strcat(list, one);
    }
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value '[%s]' at 'entries' "
                     "failed to satisfy constraint: Member must have length "
                     "%s %zu",
                     list, n < 1 ? "greater than or equal to" : "less than or equal to",
                     n < 1 ? (size_t)1 : max);
  }
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    json_t *e = json_array_get(entries, i);
    if (!json_is_object(e))
      return aev__fail(AEV_ERR_INVALID, "ValidationException",
                       "Each entry must be an object.");
    int rc = resources_fit(e, i);
    const char *bus = member(e, "EventBusName");
    if (!rc && bus) {
      char path[64];
      snprintf(path, sizeof path, "entries.%zu.member.eventBusName", i + 1);
      rc = aev__bus_check_name_or_arn(path, bus, 0);
    }
    if (rc) return rc;
    total += entry_size(e);
  }
  return total >= MAX_REQUEST_BYTES ? too_big() : AEV_OK;
}

static int resources_ok(json_t *res) {
  if (!res || json_is_null(res)) return 1;
  if (!json_is_array(res)) return 0;
  for (size_t i = 0; i < json_array_size(res); i++)
    if (!json_is_string(json_array_get(res, i))) return 0;
  return 1;
}

/* Source or DetailType holding U+0000, which would cut them short: 0 with
 * *err, else 1. */
static int nul_free(json_t *e, const char *k, entry_error *err) {
  if (strlen(member(e, k)) == member_len(e, k)) return 1;
  char m[128];
  snprintf(m, sizeof m,
           "Parameter %s is not valid. Reason: %s must not contain the character U+0000.", k,
           k);
  return entry_fail(err, "InvalidArgument", m);
}

/* One entry: validates, envelopes and routes it; *id or *err. A partner's
 * entry goes to its source's partner event bus (none while the source is
 * PENDING: taken, not delivered), never to an EventBusName. */
static int put_one(aev_broker *b, json_t *e, int partner, char id[37], entry_error *err) {
  const char *source = member(e, "Source"), *type = member(e, "DetailType"),
             *detail = member(e, "Detail");
  size_t detail_len = member_len(e, "Detail");
  if (!entry_check(source, type, detail, detail_len, 1, partner, err) ||
      !nul_free(e, "Source", err) || !nul_free(e, "DetailType", err))
    return 0;
  aev_bus *bus = NULL;
  if (partner && !aev__partner_bus_of(b, source, &bus))
    return entry_fail(err, "NotAuthorizedForSourceException", "Not authorized for the source.");
  json_t *res = json_object_get(e, "Resources"), *t = json_object_get(e, "Time");
  if (!resources_ok(res)) {
    aev_bus_release(bus);
    return entry_fail(err, "InvalidArgument",
                      "Parameter Resources is not valid. Reason: Resources "
                      "must be a list of strings.");
  }
  int64_t when = aev_broker_now_ms(b);
  if (t && json_is_number(t)) when = (int64_t)(json_number_value(t) * 1000);
  aev__event *ev = aev__envelope(b, source, type, detail, detail_len, res, when);
  if (!ev) {
    aev_bus_release(bus);
    return entry_fail(err, "InternalFailure", "Out of memory.");
  }
  memcpy(id, ev->id, 37);
  /* An unknown bus loses the event but the entry succeeds, as on AWS. */
  if (!partner && aev__bus_find(b, member(e, "EventBusName"), 1, &bus)) bus = NULL;
  int rc = bus ? aev__bus_route(bus, ev) : AEV_OK;
  aev_bus_release(bus);
  aev__event_unref(ev);
  /* Routing that failed (for want of memory) delivered nothing: the entry
   * fails, as AWS answers an entry it could not take. */
  return rc ? entry_fail(err, "InternalFailure", aev_errmsg()) : 1;
}

/* What putting one entry came to: its event id, or its error. */
typedef struct put_out {
  int ok;
  char id[37];
  entry_error err;
} put_out;

/* Puts every entry of a checked request, keeping each outcome in memory
 * of its own (nothing can fail once an event is routed); returns how
 * many failed. */
static int put_all(aev_broker *b, json_t *entries, int partner, put_out *res) {
  int failed = 0;
  for (size_t i = 0; i < json_array_size(entries); i++) {
    res[i].ok = put_one(b, json_array_get(entries, i), partner, res[i].id, &res[i].err);
    failed += !res[i].ok;
  }
  return failed;
}

/* The answer as an object, whole, or NULL when out of memory. */
static json_t *put_events_json(size_t n, const put_out *res, int failed) {
  json_t *results = json_array();
  int whole = results != NULL;
  for (size_t i = 0; whole && i < n; i++) {
    json_t *r = res[i].ok ? json_pack("{s:s}", "EventId", res[i].id)
                          : json_pack("{s:s,s:s}", "ErrorCode", res[i].err.code,
                                      "ErrorMessage", res[i].err.msg);
    whole = !json_array_append_new(results, r);
  }
  if (whole) return json_pack("{s:i,s:o}", "FailedEntryCount", failed, "Entries", results);
  json_decref(results);
  return NULL;
}

/* The most bytes the answer's text can take, with its NUL: every entry a
 * failure whose code and message escape every byte (\u00XX). */
static size_t put_events_bound(size_t n) {
  return 64 + n * (48 + 6 * (64 + sizeof ((entry_error *)0)->msg));
}

/* Writes the answer's text; b holds put_events_bound()'s room, so this
 * never grows it (and cannot fail). */
static void put_events_text(size_t n, const put_out *res, int failed, aev__tbuf *b) {
  char count[24];
  snprintf(count, sizeof count, "%d", failed);
  aev__tbuf_puts(b, "{\"FailedEntryCount\":");
  aev__tbuf_puts(b, count);
  aev__tbuf_puts(b, ",\"Entries\":[");
  for (size_t i = 0; i < n; i++) {
    if (i) aev__tbuf_puts(b, ",");
    if (res[i].ok) {
      aev__tbuf_puts(b, "{\"EventId\":");
      aev__tbuf_json_string(b, res[i].id);
    } else {
      aev__tbuf_puts(b, "{\"ErrorCode\":");
      aev__tbuf_json_string(b, res[i].err.code);
      aev__tbuf_puts(b, ",\"ErrorMessage\":");
      aev__tbuf_json_string(b, res[i].err.msg);
    }
    aev__tbuf_puts(b, "}");
  }
  aev__tbuf_puts(b, "]}");
}

/* aev_call's PutEvents: it serializes the object after the events were
 * routed, as it does every answer, so out of memory there answers
 * AEV_ERR_NOMEM with the events put (aev_bus_put_events has no such gap). */
static int put_entries(aev_broker *b, json_t *entries, int partner, json_t **resp) {
  int rc = aev__broker_check_open(b);
  if (rc || (rc = request_check(entries, partner ? MAX_PARTNER_ENTRIES : MAX_ENTRIES)))
    return rc;
  put_out res[MAX_PARTNER_ENTRIES];
  int failed = put_all(b, entries, partner, res);
  *resp = put_events_json(json_array_size(entries), res, failed);
  return *resp ? AEV_OK : aev__nomem();
}

int aev__put_events(aev_broker *b, json_t *entries, json_t **resp) {
  return put_entries(b, entries, 0, resp);
}

int aev__put_partner_events(aev_broker *b, json_t *entries, json_t **resp) {
  return put_entries(b, entries, 1, resp);
}

int aev_bus_put_events(aev_broker *b, const char *entries_json,
                       char **result_json) {
  if (!b || !entries_json || !result_json)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "b, entries_json and result_json are required.");
  json_t *entries;
  if (aev__json_parse_str(entries_json, 0, &entries) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  int rc = aev__broker_check_open(b);
  if (rc == AEV_OK) rc = request_check(entries, MAX_ENTRIES);
  /* The answer's room before any event is put. */
  aev__tbuf text = {0};
  size_t n = json_array_size(entries);
  if (rc == AEV_OK) {
    aev__tbuf_reserve(&text, put_events_bound(n));
    if (text.failed) rc = aev__nomem();
  }
  if (rc == AEV_OK) {
    put_out res[MAX_ENTRIES];
    int failed = put_all(b, entries, 0, res);
    put_events_text(n, res, failed, &text);
    *result_json = aev__tbuf_take(&text, NULL);
  }
  json_decref(entries);
  return rc;
}

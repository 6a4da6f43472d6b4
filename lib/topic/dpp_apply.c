/* SNS message data protection at work: a topic's Inbound statements on
 * each publish (Audit sampling and its findings, Deny, Deidentify by mask
 * or redaction) and its Outbound Deny statements on each delivery. Every
 * caller in-process is the broker's account, so a statement applies when
 * its Principal is "*", the account's id or an IAM/STS ARN of the
 * account. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/delivery.h"
#include "core/broker.h"
#include "core/clock.h"
#include "core/json_dump.h"
#include "core/status.h"
#include "core/text.h"
#include "topic/dpp.h"
#include "topic/topic_impl.h"

static int principal_matches(const aev__dpp_stmt *st, const char *account) {
  size_t an = strlen(account), i;
  json_t *e;
  json_array_foreach(st->principals, i, e) {
    const char *p = json_string_value(e);
    if (!strcmp(p, "*") || !strcmp(p, account)) return 1;
    for (int k = 0; k < 2; k++) {
      const char *prefix = k ? "arn:aws:sts::" : "arn:aws:iam::";
      size_t pn = strlen(prefix);
      if (!strncmp(p, prefix, pn) && !strncmp(p + pn, account, an) && p[pn + an] == ':') return 1;
    }
  }
  return 0;
}

static int applies(const aev__dpp_stmt *st, int outbound, const char *account) {
  return st->outbound == outbound && principal_matches(st, account);
}

static int by_start(const void *a, const void *b) {
  const aev__dpp_span *x = a, *y = b;
  return x->start < y->start ? -1 : x->start > y->start ? 1 : x->ident - y->ident;
}

/* Every occurrence of st's identifiers in text (NUL-terminated, len
 * bytes), sorted by start. */
static int scan(const aev__dpp *p, const aev__dpp_stmt *st, const char *text, size_t len,
                aev__dpp_span **spans, size_t *n) {
  size_t cap = 0;
  *spans = NULL;
  *n = 0;
  for (size_t i = 0; i < st->n_ids; i++) {
    int rc = aev__dpp_detect(p, st->ids[i], text, len, spans, n, &cap);
    if (rc != AEV_OK) {
      free(*spans);
      *spans = NULL;
      return rc;
    }
  }
  if (*n > 1) qsort(*spans, *n, sizeof **spans, by_start);
  return AEV_OK;
}

static int denied(const char *why, const aev__dpp *p, int ident) {
  return aev__fail(AEV_ERR_INVALID, "AuthorizationError",
                   "The topic's data protection policy denies this message: %s (%s)", why,
                   p->idents[ident].name);
}

/* text with st's occurrences masked, one mask character a character, or
 * redacted (new string, *out_len bytes); *whole when they cover every
 * character that is not white space. NULL when memory is short. */
static char *deidentify(const aev__dpp_stmt *st, const char *text, size_t len,
                        const aev__dpp_span *sp, size_t n, size_t *out_len, int *whole) {
  char *out = malloc(len + 1);
  if (!out) return NULL;
  size_t o = 0, at = 0;
  *whole = 1;
  for (size_t i = 0; i <= n; i++) {
    size_t a = i < n ? sp[i].start : len, b = i < n ? sp[i].end : len;
    if (i < n && b <= at) continue; /* within an earlier occurrence */
    if (a < at) a = at;
    for (size_t k = at; k < a; k++) {
      if (!strchr(" \t\r\n", text[k])) *whole = 0;
      out[o++] = text[k];
    }
    if (st->op == AEV__DPP_MASK && b > a) {
      size_t chars = aev__utf8_chars(text + a, b - a);
      memset(out + o, st->mask, chars);
      o += chars;
    }
    at = b;
  }
  out[o] = '\0';
  *out_len = o;
  return out;
}

/* The audit record of text's findings for st, without the message id and
 * topic ARN that aev__dpp_audit_emit adds (new reference; NULL when memory
 * is short). */
static json_t *audit_record(aev_broker *b, const aev__dpp *p, const aev__dpp_stmt *st,
                            const aev__dpp_span *sp, size_t n) {
  char ts[32], principal[96];
  aev__iso_ms(aev__clock_now_ms(aev__broker_clock(b)), ts);
  snprintf(principal, sizeof principal, "arn:aws:iam::%s:root", aev_broker_account(b));
  json_t *ids = json_array();
  int failed = !ids;
  for (size_t i = 0; i < st->n_ids && !failed; i++) {
    int id = st->ids[i], seen = 0;
    for (size_t k = 0; k < i; k++) seen |= st->ids[k] == id;
    json_t *det = seen ? NULL : json_array();
    for (size_t k = 0; det && k < n; k++)
      if (sp[k].ident == id)
        failed |= json_array_append_new(det, json_pack("{s:I,s:I}", "start", (json_int_t)sp[k].start,
                                                       "end", (json_int_t)sp[k].end)) != 0;
    if (det && json_array_size(det))
      failed |= json_array_append_new(ids, json_pack("{s:s,s:I,s:o}", "name", p->idents[id].name,
                                                     "count", (json_int_t)json_array_size(det),
                                                     "detections", det)) != 0;
    else json_decref(det);
    failed |= !seen && !det;
  }
  json_t *rec = failed ? NULL
                       : json_pack("{s:s,s:s,s:O}", "auditTimestamp", ts, "callerPrincipal", principal,
                                   "dataIdentifiers", ids);
  json_decref(ids);
  return rec;
}

/* The texts a publish carries: the message, or each string of a
 * MessageStructure=json structure. */
typedef struct texts {
  json_t *structure;
  void *iter;
  const char *message;
  size_t len;
  int done;
} texts;

static int texts_next(texts *t, const char **s, size_t *len, json_t **value) {
  if (!t->structure) {
    if (t->done) return 0;
    t->done = 1;
    *s = t->message;
    *len = t->len;
    *value = NULL;
    return 1;
  }
  t->iter = t->iter ? json_object_iter_next(t->structure, t->iter) : json_object_iter(t->structure);
  while (t->iter && !json_is_string(json_object_iter_value(t->iter)))
    t->iter = json_object_iter_next(t->structure, t->iter);
  if (!t->iter) return 0;
  *value = json_object_iter_value(t->iter);
  *s = json_string_value(*value);
  *len = json_string_length(*value);
  return 1;
}

/* One Deny or Deidentify statement on the publish's texts. */
static int inbound_stmt(const aev__dpp *p, const aev__dpp_stmt *st, texts *tx, char **out,
                        size_t *out_len) {
  const char *s;
  size_t len;
  json_t *value;
  int rc = AEV_OK;
  while (rc == AEV_OK && texts_next(tx, &s, &len, &value)) {
    if (!value && *out) {
      s = *out;
      len = *out_len;
    }
    aev__dpp_span *sp;
    size_t n;
    if ((rc = scan(p, st, s, len, &sp, &n)) != AEV_OK) break;
    if (n && st->op == AEV__DPP_DENY) rc = denied("it contains sensitive data", p, sp[0].ident);
    else if (n) {
      int whole;
      size_t nl = 0;
      char *clean = deidentify(st, s, len, sp, n, &nl, &whole);
      /* "the SNS:Publish API caller receives ... AuthorizationError when
       * the entire message is sensitive." */
      if (!clean) rc = aev__nomem();
      else if (whole) rc = denied("the whole message is sensitive data", p, sp[0].ident);
      else if (value && json_string_setn(value, clean, nl)) rc = aev__nomem();
      if (rc == AEV_OK && !value) {
        free(*out);
        *out = clean;
        *out_len = nl;
        clean = NULL;
      }
      free(clean);
    }
    free(sp);
  }
  return rc;
}

/* The sampled Audit statement's record, when this message is sampled:
 * exactly SampleRate of every 100 inbound messages, spread evenly. */
static int inbound_audit(aev_broker *b, aev__dpp *p, const aev__dpp_stmt *st, const char *message,
                         size_t len, json_t **audit) {
  uint64_t k = atomic_fetch_add(&p->audit_seen, 1);
  if ((k + 1) * (uint64_t)st->sample_rate / 100 == k * (uint64_t)st->sample_rate / 100)
    return AEV_OK;
  aev__dpp_span *sp;
  size_t n;
  int rc = scan(p, st, message, len, &sp, &n);
  if (rc != AEV_OK) return rc;
  *audit = audit_record(b, p, st, sp, n);
  free(sp);
  return *audit ? AEV_OK : aev__nomem();
}

int aev__dpp_inbound(aev_broker *b, aev__dpp *p, const char *message, size_t len,
                     json_t *structure, char **out, size_t *out_len, json_t **audit) {
  *out = NULL;
  *audit = NULL;
  if (!p->inbound) return AEV_OK;
  const char *account = aev_broker_account(b);
  /* Detectors and custom expressions read NUL-terminated text. */
  char *text = malloc(len + 1);
  if (!text) return aev__nomem();
  memcpy(text, message, len);
  text[len] = '\0';
  int rc = AEV_OK;
  /* "the sensitive data is de-identified after the audit operation": the
   * audit sees the message as published. */
  for (size_t i = 0; rc == AEV_OK && i < p->n_stmts; i++)
    if (p->stmts[i].op == AEV__DPP_AUDIT && applies(&p->stmts[i], 0, account))
      rc = inbound_audit(b, p, &p->stmts[i], text, len, audit);
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; rc == AEV_OK && i < p->n_stmts; i++) {
      const aev__dpp_stmt *st = &p->stmts[i];
      /* Deny first: a message any Deny refuses is not rewritten. */
      if (st->op == AEV__DPP_AUDIT || (st->op == AEV__DPP_DENY) != (pass == 0) ||
          !applies(st, 0, account))
        continue;
      texts tx = {.structure = structure, .message = text, .len = len};
      rc = inbound_stmt(p, st, &tx, out, out_len);
    }
  free(text);
  if (rc != AEV_OK) {
    free(*out);
    *out = NULL;
    json_decref(*audit);
    *audit = NULL;
  }
  return rc;
}

void aev__dpp_audit_emit(aev_topic *t, aev__dpp *p, json_t *audit, const char *message_id) {
  const aev__dpp_stmt *st = NULL;
  for (size_t i = 0; i < p->n_stmts && !st; i++)
    if (p->stmts[i].op == AEV__DPP_AUDIT) st = &p->stmts[i];
  int findings = json_array_size(json_object_get(audit, "dataIdentifiers")) > 0;
  /* "the topic owners also receive CloudWatch MessagesWithFindings and
   * MessagesWithNoFindings metrics". */
  aev__topic_count(t, findings ? AEV__C_DP_FINDINGS : AEV__C_DP_NO_FINDINGS, 1);
  const char *stream = findings ? st->findings_stream : st->no_findings_stream;
  if (!stream) return;
  /* CloudWatch Logs and S3 destinations have no counterpart in-process:
   * only a Firehose delivery stream of this broker receives the record. */
  json_object_set_new(audit, "messageId", json_string(message_id));
  json_object_set_new(audit, "resourceArn", json_string(t->res.arn));
  char *text = aev__json_dumps(audit, JSON_COMPACT);
  aev_delivery *d = NULL;
  int rc = text ? aev_delivery_get(t->res.broker, stream, &d) : aev__nomem();
  if (rc == AEV_OK) rc = aev_delivery_put(d, text, strlen(text), NULL);
  if (rc != AEV_OK)
    aev__log(t->res.broker, AEV_LOG_WARN, "sns: audit findings of %s not delivered to %s: %s",
             t->res.arn, stream, aev_errmsg());
  aev_delivery_release(d);
  free(text);
}

int aev__dpp_outbound_denied(aev_topic *t, aev__dpp *p, aev__sub *s, aev__note *n) {
  if (!p->outbound) return 0;
  const char *account = aev_broker_account(t->res.broker);
  const char *m = aev__note_message(n, s->protocol);
  size_t len = aev__note_message_len(n, m);
  for (size_t i = 0; i < p->n_stmts; i++) {
    const aev__dpp_stmt *st = &p->stmts[i];
    if (st->op != AEV__DPP_DENY || !applies(st, 1, account)) continue;
    aev__dpp_span *sp;
    size_t found;
    if (scan(p, st, m, len, &sp, &found) != AEV_OK) found = 0;
    free(sp);
    if (!found) continue;
    /* "the Amazon SNS topic does not deliver the message to the
     * subscription", a failed delivery (status 403) in its delivery
     * status log. */
    aev__topic_count(t, AEV__C_FAILED, 1);
    aev__log(t->res.broker, AEV_LOG_WARN,
             "sns: The topic's data protection policy prohibits this message from being "
             "delivered to %s",
             s->arn);
    return 1;
  }
  return 0;
}

/* Internal to lib/topic: SNS message data protection. A topic's
 * DataProtectionPolicy parsed once into an immutable, refcounted policy
 * (dpp.c), the detectors of its data identifiers (dpp_detect.c) and their
 * enforcement on publishes and deliveries (dpp_apply.c). */
#ifndef AEV_TOPIC_DPP_H
#define AEV_TOPIC_DPP_H

#include <jansson.h>
#include <regex.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "awsevents/broker.h"

/* "A data protection policy ... Maximum length of 30,720" (PutDataProtectionPolicy). */
#define AEV__DPP_MAX_LEN 30720
#define AEV__DPP_MAX_CUSTOM 10

enum { AEV__DPP_AUDIT, AEV__DPP_MASK, AEV__DPP_REDACT, AEV__DPP_DENY };

/* One found occurrence: bytes [start, end) of the text scanned. */
typedef struct aev__dpp_span {
  size_t start, end;
  int ident; /* the policy's identifier it belongs to (aev__dpp.idents) */
} aev__dpp_span;

/* A data identifier a policy names: a managed one (its index in the
 * managed table, detector or none) or a custom one (its compiled Regex). */
typedef struct aev__dpp_ident {
  const char *name; /* as findings show it: the managed ID or custom Name */
  int managed;      /* index in the managed table, -1 for a custom one */
  regex_t re;       /* custom only */
} aev__dpp_ident;

typedef struct aev__dpp_stmt {
  int outbound;
  int op;               /* AEV__DPP_* */
  char mask;            /* AEV__DPP_MASK */
  json_t *principals;   /* borrowed from the policy's document */
  size_t n_ids;
  int *ids;             /* indices into aev__dpp.idents */
  int sample_rate;      /* AEV__DPP_AUDIT: 0..99 */
  const char *findings_stream, *no_findings_stream; /* Firehose names or NULL */
} aev__dpp_stmt;

typedef struct aev__dpp {
  _Atomic long refs;
  char *text;           /* the policy as given, shown back */
  json_t *doc;
  size_t n_stmts;
  aev__dpp_stmt *stmts;
  size_t n_idents;
  aev__dpp_ident *idents;
  int inbound, outbound, audit; /* which kinds of statement it holds */
  _Atomic uint64_t audit_seen;  /* inbound messages the audit has seen */
} aev__dpp;

/* dpp.c: parses and checks a policy with SNS's InvalidParameter errors
 * (*out a new reference; "" gives NULL: no policy). */
int aev__dpp_parse(const char *text, aev__dpp **out);
aev__dpp *aev__dpp_ref(aev__dpp *p);
void aev__dpp_unref(aev__dpp *p);

/* dpp_detect.c: the managed data identifiers SNS's guide lists (every
 * one is accepted by a policy); -1 for a name that is none of them. */
int aev__dpp_managed_index(const char *name);
const char *aev__dpp_managed_name(int index);
/* Appends to *spans (growing *cap) every occurrence of identifier id of p
 * in text. Managed identifiers without a detector here find nothing. */
int aev__dpp_detect(const aev__dpp *p, int id, const char *text, size_t len,
                    aev__dpp_span **spans, size_t *n, size_t *cap);

/* dpp_apply.c */
struct aev__note;
struct aev__sub;
/* Inbound statements on a publish: Deny refuses it (AuthorizationError),
 * Deidentify rewrites the default message (*out, a new string of *out_len
 * bytes, NULL when unchanged) and each string of a MessageStructure=json
 * structure in place, and a sampled Audit keeps its finding record in
 * *audit (a new reference, NULL when none) for aev__dpp_audit_emit. */
int aev__dpp_inbound(aev_broker *b, aev__dpp *p, const char *message, size_t len,
                     json_t *structure, char **out, size_t *out_len, json_t **audit);
/* Completes an audit record with the message id and delivers it where
 * the Audit statement says (Firehose streams of this broker); counts it. */
struct aev_topic;
void aev__dpp_audit_emit(struct aev_topic *t, aev__dpp *p, json_t *audit, const char *message_id);
/* Whether an Outbound Deny statement of p keeps n from s (then counted as
 * a failed delivery and logged as SNS's delivery status log words it). */
int aev__dpp_outbound_denied(struct aev_topic *t, aev__dpp *p, struct aev__sub *s,
                             struct aev__note *n);

#endif

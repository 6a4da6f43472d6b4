/* SNS message data protection: a DataProtectionPolicy's parsing and every
 * rule the SNS developer guide states for it (policy, statements,
 * operations, custom data identifiers), refused with InvalidParameter and
 * a reason; the parsed policy is immutable and refcounted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_parse.h"
#include "core/status.h"
#include "core/text.h"
#include "topic/dpp.h"
#include "topic/topic_impl.h"

#define MANAGED_ARN "arn:aws:dataprotection::aws:data-identifier/"

/* MaskWithCharacter's characters (the guide's table of supported mask
 * characters). */
static const char mask_chars[] =
    "*ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 !$%&()+,-./\\:;<=>@[]^_`|~#";

/* Custom data identifier constraints: "RegEx has a maximum length of 200
 * characters", alphanumerics, the symbols _ # = @ / ; , - and space, and
 * the RegEx reserved characters ^ $ ? [ ] { } | \ * + . */
static const char regex_chars[] = "_#=@/;,- ^$?[]{}|\\*+.";

static int bad(const char *fmt, const char *a, long n) {
  char reason[512];
  snprintf(reason, sizeof reason, fmt, a, n);
  return aev__sns_invalid("Invalid parameter: DataProtectionPolicy Reason: %s", reason);
}

aev__dpp *aev__dpp_ref(aev__dpp *p) {
  if (p) atomic_fetch_add(&p->refs, 1);
  return p;
}

void aev__dpp_unref(aev__dpp *p) {
  if (!p || atomic_fetch_sub(&p->refs, 1) != 1) return;
  for (size_t i = 0; i < p->n_stmts; i++) free(p->stmts[i].ids);
  for (size_t i = 0; i < p->n_idents; i++)
    if (p->idents[i].managed < 0) regfree(&p->idents[i].re);
  free(p->stmts);
  free(p->idents);
  json_decref(p->doc);
  free(p->text);
  free(p);
}

/* Whether o has only the members of allowed (NULL-terminated); *which the
 * first other one. */
static int only_members(json_t *o, const char *const *allowed, const char **which) {
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    size_t i = 0;
    while (allowed[i] && strcmp(allowed[i], k)) i++;
    if (!allowed[i]) {
      *which = k;
      return 0;
    }
  }
  return 1;
}

static int members_check(json_t *o, const char *where, const char *const *allowed) {
  const char *which;
  if (!json_is_object(o)) return bad("%s must be a JSON object", where, 0);
  if (only_members(o, allowed, &which)) return AEV_OK;
  char msg[300];
  snprintf(msg, sizeof msg, "%s has an unknown member %s", where, which);
  return bad("%s", msg, 0);
}

/* POSIX extended regular expressions lack the class escapes AWS's
 * expressions use (\d, \w, \s and their negations): they are written out
 * as bracket expressions (new string, NULL when out of memory). */
static char *posix_regex(const char *re) {
  static const char *const outside[][2] = {{"d", "[0-9]"}, {"D", "[^0-9]"},
                                           {"w", "[A-Za-z0-9_]"}, {"W", "[^A-Za-z0-9_]"},
                                           {"s", "[[:space:]]"}, {"S", "[^[:space:]]"}};
  static const char *const inside[][2] = {{"d", "0-9"}, {"w", "A-Za-z0-9_"}, {"s", "[:space:]"}};
  size_t cap = strlen(re) * 14 + 1;
  char *out = malloc(cap), *o = out;
  if (!out) return NULL;
  int bracket = 0;
  for (const char *c = re; *c; c++) {
    const char *sub = NULL;
    if (*c == '\\' && c[1]) {
      const char *const(*table)[2] = bracket ? inside : outside;
      size_t n = bracket ? 3 : 6;
      for (size_t i = 0; i < n && !sub; i++)
        if (c[1] == table[i][0][0]) sub = table[i][1];
      if (sub) {
        o += sprintf(o, "%s", sub);
        c++;
        continue;
      }
      *o++ = *c++;
      *o++ = *c;
      continue;
    }
    if (*c == '[' && !bracket) bracket = 1;
    else if (*c == ']' && bracket && c[-1] != '[' && !(c[-1] == '^' && c[-2] == '[')) bracket = 0;
    *o++ = *c;
  }
  *o = '\0';
  return out;
}

static int name_ok(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > 128) return 0;
  for (size_t i = 0; i < n; i++)
    if (!(s[i] >= 'a' && s[i] <= 'z') && !(s[i] >= 'A' && s[i] <= 'Z') &&
        !(s[i] >= '0' && s[i] <= '9') && s[i] != '_' && s[i] != '-')
      return 0;
  return 1;
}

/* A custom name may not be a managed identifier's, with or without its
 * country suffix ("Ssn" as well as "Ssn-US"). */
static int managed_clash(const char *name) {
  if (aev__dpp_managed_index(name) >= 0) return 1;
  size_t n = strlen(name);
  for (int i = 0; aev__dpp_managed_name(i); i++) {
    const char *m = aev__dpp_managed_name(i), *dash = strchr(m, '-');
    if (dash && (size_t)(dash - m) == n && !strncmp(m, name, n)) return 1;
  }
  return 0;
}

static int custom_parse(aev__dpp *p, json_t *conf) {
  static const char *const conf_members[] = {"CustomDataIdentifier", NULL};
  static const char *const cdi_members[] = {"Name", "Regex", NULL};
  int rc = members_check(conf, "Configuration", conf_members);
  if (rc != AEV_OK) return rc;
  json_t *list = json_object_get(conf, "CustomDataIdentifier");
  if (!list) return AEV_OK;
  if (!json_is_array(list)) return bad("%s must be an array", "Configuration.CustomDataIdentifier", 0);
  if (json_array_size(list) > AEV__DPP_MAX_CUSTOM)
    return bad("%s has %ld entries; at most 10 custom data identifiers are allowed",
               "Configuration.CustomDataIdentifier", (long)json_array_size(list));
  p->idents = calloc(json_array_size(list) + 1, sizeof *p->idents);
  if (!p->idents) return aev__nomem();
  size_t i;
  json_t *e;
  json_array_foreach(list, i, e) {
    if ((rc = members_check(e, "A custom data identifier", cdi_members)) != AEV_OK) return rc;
    const char *name = json_string_value(json_object_get(e, "Name"));
    const char *re = json_string_value(json_object_get(e, "Regex"));
    if (!name || !re) return bad("%s needs a Name and a Regex (strings)", "A custom data identifier", 0);
    if (!name_ok(name))
      return bad("Custom data identifier name %s must be 1 to 128 characters of a-z, A-Z, 0-9, _ and -", name, 0);
    if (managed_clash(name))
      return bad("Custom data identifier name %s is the name of a managed data identifier", name, 0);
    for (size_t k = 0; k < p->n_idents; k++)
      if (!strcmp(p->idents[k].name, name))
        return bad("Custom data identifier name %s is defined twice", name, 0);
    size_t rl = strlen(re);
    if (rl < 1 || rl > 200)
      return bad("The Regex of custom data identifier %s is %ld characters long; 1 to 200 are allowed", name, (long)rl);
    for (size_t k = 0; k < rl; k++)
      if (!(re[k] >= 'a' && re[k] <= 'z') && !(re[k] >= 'A' && re[k] <= 'Z') &&
          !(re[k] >= '0' && re[k] <= '9') && !strchr(regex_chars, re[k]))
        return bad("The Regex of custom data identifier %s has a character that is not allowed "
                   "(alphanumerics, _ # = @ / ; , - space and ^ $ ? [ ] { } | \\ * + .)", name, 0);
    char *posix = posix_regex(re);
    if (!posix) return aev__nomem();
    aev__dpp_ident *id = &p->idents[p->n_idents];
    int compiled = regcomp(&id->re, posix, REG_EXTENDED);
    free(posix);
    if (compiled != 0) return bad("The Regex of custom data identifier %s is not a valid regular expression", name, 0);
    id->name = name;
    id->managed = -1;
    p->n_idents++;
  }
  return AEV_OK;
}

/* The identifier a statement names: a managed identifier's ARN or a
 * custom identifier's Name; its index in p->idents (added once). */
static int ident_of(aev__dpp *p, const char *s, int *out) {
  int managed = -1;
  const char *name = s;
  if (!strncmp(s, MANAGED_ARN, strlen(MANAGED_ARN))) {
    name = s + strlen(MANAGED_ARN);
    if ((managed = aev__dpp_managed_index(name)) < 0)
      return bad("%s is not a managed data identifier", s, 0);
  }
  for (size_t i = 0; i < p->n_idents; i++)
    if (!strcmp(p->idents[i].name, name) && (p->idents[i].managed >= 0) == (managed >= 0)) {
      *out = (int)i;
      return AEV_OK;
    }
  if (managed < 0)
    return bad("DataIdentifier %s is neither a managed data identifier ARN nor the Name of a "
               "custom data identifier of Configuration", s, 0);
  aev__dpp_ident *grown = realloc(p->idents, (p->n_idents + 1) * sizeof *grown);
  if (!grown) return aev__nomem();
  p->idents = grown;
  grown[p->n_idents] = (aev__dpp_ident){.name = aev__dpp_managed_name(managed), .managed = managed};
  *out = (int)p->n_idents++;
  return AEV_OK;
}

static int strings_check(json_t *a, const char *what) {
  if (!json_is_array(a) || json_array_size(a) == 0)
    return bad("%s must be a non-empty array of strings", what, 0);
  size_t i;
  json_t *e;
  json_array_foreach(a, i, e) if (!json_is_string(e)) return bad("%s must be a non-empty array of strings", what, 0);
  return AEV_OK;
}

/* One audit destination: CloudWatchLogs {LogGroup}, Firehose
 * {DeliveryStream}, S3 {Bucket}; the Firehose stream's name in *stream. */
static int destination_parse(json_t *d, const char *what, const char **stream) {
  static const char *const dest_members[] = {"CloudWatchLogs", "Firehose", "S3", NULL};
  int rc = members_check(d, what, dest_members);
  if (rc != AEV_OK) return rc;
  static const char *const names[][2] = {{"CloudWatchLogs", "LogGroup"}, {"Firehose", "DeliveryStream"},
                                         {"S3", "Bucket"}};
  for (int i = 0; i < 3; i++) {
    json_t *o = json_object_get(d, names[i][0]);
    if (!o) continue;
    const char *const member[] = {names[i][1], NULL};
    if ((rc = members_check(o, names[i][0], member)) != AEV_OK) return rc;
    const char *v = json_string_value(json_object_get(o, names[i][1]));
    if (!v || !*v) return bad("%s needs its name as a non-empty string", names[i][0], 0);
    /* "The LogGroup must be in the topic region and the name must start
     * with /aws/vendedlogs/." */
    if (i == 0 && strncmp(v, "/aws/vendedlogs/", 16))
      return bad("The LogGroup %s of an audit destination must start with /aws/vendedlogs/", v, 0);
    if (i == 1) *stream = v;
  }
  return AEV_OK;
}

static int audit_parse(aev__dpp_stmt *st, json_t *a) {
  static const char *const members[] = {"SampleRate", "FindingsDestination", "NoFindingsDestination", NULL};
  int rc = members_check(a, "Audit", members);
  if (rc != AEV_OK) return rc;
  json_t *rate = json_object_get(a, "SampleRate");
  long n = -1;
  if (json_is_integer(rate)) n = (long)json_integer_value(rate);
  else if (json_is_string(rate)) {
    const char *s = json_string_value(rate);
    char *end;
    n = *s ? strtol(s, &end, 10) : -1;
    if (*s && *end) n = -1;
  }
  /* "The sample rate can be an integer between 0–99." */
  if (n < 0 || n > 99) return bad("%s must be an integer between 0 and 99", "Audit SampleRate", 0);
  st->sample_rate = (int)n;
  json_t *f = json_object_get(a, "FindingsDestination"), *nf = json_object_get(a, "NoFindingsDestination");
  /* "This operation requires one of the following types of logging
   * destinations: FindingsDestination, NoFindingsDestination." */
  if (!f && !nf) return bad("%s needs a FindingsDestination or a NoFindingsDestination", "Audit", 0);
  if (f && (rc = destination_parse(f, "FindingsDestination", &st->findings_stream)) != AEV_OK) return rc;
  if (nf && (rc = destination_parse(nf, "NoFindingsDestination", &st->no_findings_stream)) != AEV_OK)
    return rc;
  return AEV_OK;
}

static int deidentify_parse(aev__dpp_stmt *st, json_t *d) {
  static const char *const members[] = {"MaskConfig", "RedactConfig", NULL};
  int rc = members_check(d, "Deidentify", members);
  if (rc != AEV_OK) return rc;
  json_t *mask = json_object_get(d, "MaskConfig"), *redact = json_object_get(d, "RedactConfig");
  if (!mask == !redact) return bad("%s needs exactly one of MaskConfig and RedactConfig", "Deidentify", 0);
  if (redact) {
    static const char *const none[] = {NULL};
    st->op = AEV__DPP_REDACT;
    return members_check(redact, "RedactConfig", none);
  }
  static const char *const mask_members[] = {"MaskWithCharacter", NULL};
  if ((rc = members_check(mask, "MaskConfig", mask_members)) != AEV_OK) return rc;
  st->op = AEV__DPP_MASK;
  st->mask = '*';
  json_t *c = json_object_get(mask, "MaskWithCharacter");
  if (c) {
    const char *s = json_string_value(c);
    if (!s || strlen(s) != 1 || !strchr(mask_chars, s[0]))
      return bad("MaskWithCharacter %s is not one of the supported mask characters", s ? s : "(not a string)", 0);
    st->mask = s[0];
  }
  return AEV_OK;
}

static int operation_parse(aev__dpp *p, aev__dpp_stmt *st, json_t *op, int *audits) {
  static const char *const members[] = {"Audit", "Deidentify", "Deny", NULL};
  int rc = members_check(op, "Operation", members);
  if (rc != AEV_OK) return rc;
  if (json_object_size(op) != 1)
    return bad("%s needs exactly one of Audit, Deidentify and Deny", "A statement's Operation", 0);
  json_t *v;
  if ((v = json_object_get(op, "Deny"))) {
    static const char *const none[] = {NULL};
    st->op = AEV__DPP_DENY;
    return members_check(v, "Deny", none);
  }
  if ((v = json_object_get(op, "Deidentify"))) {
    /* "This operation is available for inbound messages only." */
    if (st->outbound) return bad("%s applies to Inbound statements only", "The Deidentify operation", 0);
    return deidentify_parse(st, v);
  }
  /* "The Audit operation samples topic inbound messages"; "only one audit
   * statement". */
  if (st->outbound) return bad("%s applies to Inbound statements only", "The Audit operation", 0);
  if (++*audits > 1) return bad("%s", "A data protection policy can have only one Audit statement", 0);
  st->op = AEV__DPP_AUDIT;
  p->audit = 1;
  return audit_parse(st, json_object_get(op, "Audit"));
}

static int statement_parse(aev__dpp *p, aev__dpp_stmt *st, json_t *s, int *audits) {
  static const char *const members[] = {"Sid", "DataDirection", "Principal", "DataIdentifier",
                                        "Operation", NULL};
  int rc = members_check(s, "A statement", members);
  if (rc != AEV_OK) return rc;
  json_t *sid = json_object_get(s, "Sid");
  if (sid && !json_is_string(sid)) return bad("%s must be a string", "Sid", 0);
  const char *dir = json_string_value(json_object_get(s, "DataDirection"));
  if (!dir || (strcmp(dir, "Inbound") && strcmp(dir, "Outbound")))
    return bad("%s must be Inbound or Outbound", "DataDirection", 0);
  st->outbound = dir[0] == 'O';
  st->principals = json_object_get(s, "Principal");
  if ((rc = strings_check(st->principals, "Principal")) != AEV_OK) return rc;
  json_t *ids = json_object_get(s, "DataIdentifier");
  if ((rc = strings_check(ids, "DataIdentifier")) != AEV_OK) return rc;
  if (!(st->ids = calloc(json_array_size(ids), sizeof *st->ids))) return aev__nomem();
  size_t i;
  json_t *e;
  json_array_foreach(ids, i, e) {
    if ((rc = ident_of(p, json_string_value(e), &st->ids[st->n_ids])) != AEV_OK) return rc;
    st->n_ids++;
  }
  json_t *op = json_object_get(s, "Operation");
  if (!op) return bad("%s needs an Operation", "A statement", 0);
  if ((rc = operation_parse(p, st, op, audits)) != AEV_OK) return rc;
  if (st->outbound) p->outbound = 1;
  else p->inbound = 1;
  return AEV_OK;
}

static int policy_parse(aev__dpp *p) {
  static const char *const members[] = {"Name", "Description", "Version", "Statement",
                                        "Configuration", NULL};
  int rc = members_check(p->doc, "The policy", members);
  if (rc != AEV_OK) return rc;
  const char *name = json_string_value(json_object_get(p->doc, "Name"));
  if (!name || !*name) return bad("%s needs a Name (a non-empty string)", "The policy", 0);
  json_t *desc = json_object_get(p->doc, "Description");
  if (desc && !json_is_string(desc)) return bad("%s must be a string", "Description", 0);
  const char *version = json_string_value(json_object_get(p->doc, "Version"));
  if (!version || strcmp(version, "2021-06-01"))
    return bad("Version must be %s, the current policy language version", "2021-06-01", 0);
  json_t *conf = json_object_get(p->doc, "Configuration");
  if (conf && (rc = custom_parse(p, conf)) != AEV_OK) return rc;
  json_t *stmts = json_object_get(p->doc, "Statement");
  if (!json_is_array(stmts) || json_array_size(stmts) == 0)
    return bad("%s needs a Statement: a non-empty array of statements", "The policy", 0);
  if (!(p->stmts = calloc(json_array_size(stmts), sizeof *p->stmts))) return aev__nomem();
  int audits = 0;
  size_t i;
  json_t *s;
  json_array_foreach(stmts, i, s) {
    rc = statement_parse(p, &p->stmts[p->n_stmts], s, &audits);
    p->n_stmts++; /* freed with the policy, complete or not */
    if (rc != AEV_OK) return rc;
  }
  return AEV_OK;
}

int aev__dpp_parse(const char *text, aev__dpp **out) {
  *out = NULL;
  if (!text || !*text) return AEV_OK;
  size_t chars = aev__utf8_chars(text, strlen(text));
  if (chars > AEV__DPP_MAX_LEN)
    return bad("The policy is %s%ld characters long; at most 30720 are allowed", "", (long)chars);
  aev__dpp *p = calloc(1, sizeof *p);
  if (!p || !(p->text = strdup(text))) {
    free(p);
    return aev__nomem();
  }
  atomic_init(&p->refs, 1);
  int rc = aev__json_parse_str(text, 0, &p->doc);
  if (rc == AEV_OK && !json_is_object(p->doc)) rc = bad("%s must be a JSON object", "The policy", 0);
  else if (rc == AEV_ERR_INVALID) rc = bad("%s is not valid JSON", "The policy", 0);
  if (rc == AEV_OK) rc = policy_parse(p);
  if (rc != AEV_OK) {
    aev__dpp_unref(p);
    return rc;
  }
  *out = p;
  return AEV_OK;
}

/* Resource-based policies (AddPermission, RemovePermission, GetPolicy): one
 * policy per qualifier (the unqualified function, a version, an alias), its
 * statements written as Lambda writes them. They are recorded and reported,
 * never enforced: the broker is one account, and every handler runs
 * whoever invokes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/json_dump.h"
#include "core/status.h"
#include "function/function_impl.h"

/* Lambda's limit on a function's policy text. */
#define POLICY_MAX 20480

/* 1 when s has at least min bytes, all from set. */
static int all_of(const char *s, const char *set, size_t min) {
  return strlen(s) >= min && s[strspn(s, set)] == '\0';
}

#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

static int pattern_error(const char *value, const char *member,
                         const char *pattern) {
  char constraint[256];
  snprintf(constraint, sizeof constraint,
           "Member must satisfy regular expression pattern: %s", pattern);
  return aev__fail_validation(value, member, constraint);
}

static int length_error(const char *value, const char *member, size_t min, size_t max) {
  return aev__fail_length(value, member, strlen(value), min, max);
}

/* Action: (lambda:[*]|lambda:[a-zA-Z]+|[*]) */
static int action_ok(const char *a) {
  if (strcmp(a, "*") == 0 || strcmp(a, "lambda:*") == 0) return 1;
  return strncmp(a, "lambda:", 7) == 0 &&
         all_of(a + 7, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 1);
}

/* PrincipalOrgID: ^o-[a-z0-9]{10,32}$ (12 to 34 characters). */
static int org_id_ok(const char *id) {
  size_t n = strlen(id);
  return n >= 12 && n <= 34 && strncmp(id, "o-", 2) == 0 &&
         all_of(id + 2, "abcdefghijklmnopqrstuvwxyz0123456789", 10);
}

int aev__permission_check(const aev__permission *p) {
  size_t sid = strlen(p->sid);
  if (sid < 1 || sid > 100) return length_error(p->sid, "statementId", 1, 100);
  /* AddPermission's pattern has no '.' (RemovePermission's has; recorded:
   * test_permission_exceptions, add_permission_invalid_statement_id). */
  if (!all_of(p->sid, ALNUM "-_", 1))
    return pattern_error(p->sid, "statementId", "([a-zA-Z0-9-_]+)");
  if (!action_ok(p->action))
    return pattern_error(p->action, "action", "(lambda:[*]|lambda:[a-zA-Z]+|[*])");
  if (!*p->principal || p->principal[strcspn(p->principal, " \t\n\v\f\r")])
    return pattern_error(p->principal, "principal", "[^\\s]+");
  if (p->source_arn && !aev__fn_pattern_ok(AEV__FN_PAT_SOURCE_ARN, p->source_arn))
    return pattern_error(p->source_arn, "sourceArn", AEV__FN_SOURCE_ARN_PATTERN);
  if (p->source_account && strlen(p->source_account) > 12)
    return length_error(p->source_account, "sourceAccount", 0, 12);
  if (p->source_account && !(strlen(p->source_account) == 12 &&
                             all_of(p->source_account, "0123456789", 12)))
    return pattern_error(p->source_account, "sourceAccount", "\\d{12}");
  if (p->event_source_token && strlen(p->event_source_token) > 256)
    return length_error(p->event_source_token, "eventSourceToken", 0, 256);
  if (p->event_source_token && !all_of(p->event_source_token, ALNUM "._-", 1))
    return pattern_error(p->event_source_token, "eventSourceToken",
                         "[a-zA-Z0-9._\\-]+");
  if (p->org_id && !org_id_ok(p->org_id))
    return pattern_error(p->org_id, "principalOrgID", "^o-[a-z0-9]{10,32}$");
  if (p->url_auth_type && strcmp(p->url_auth_type, "NONE") &&
      strcmp(p->url_auth_type, "AWS_IAM"))
    return aev__fail_validation(p->url_auth_type, "functionUrlAuthType",
                                "Member must satisfy enum value set: [NONE, AWS_IAM]");
  return AEV_OK;
}

static int ends_with(const char *s, const char *end) {
  size_t n = strlen(s), m = strlen(end);
  return n > m && strcmp(s + n - m, end) == 0;
}

/* The Principal element: "*", {"AWS": ARN} for an account (as its root
 * user's ARN) or an IAM ARN, {"Service": NAME} for a service; NULL for
 * anything else. */
static json_t *principal_json(const char *p) {
  if (strcmp(p, "*") == 0) return json_string("*");
  if (strlen(p) == 12 && all_of(p, "0123456789", 12)) {
    char arn[64];
    snprintf(arn, sizeof arn, "arn:aws:iam::%s:root", p);
    return json_pack("{ss}", "AWS", arn);
  }
  if (strncmp(p, "arn:", 4) == 0) return json_pack("{ss}", "AWS", p);
  if (ends_with(p, ".amazonaws.com") || ends_with(p, ".amazon.com"))
    return json_pack("{ss}", "Service", p);
  return NULL;
}

/* Sets cond[op][key] = value when value is given. */
static void condition_put(json_t **cond, const char *op, const char *key,
                          const char *value) {
  if (!value || !*cond) return;
  json_t *o = json_object_get(*cond, op);
  if (!o) aev__fn_put(cond, op, o = json_object());
  if (*cond && json_object_set_new(o, key, json_string(value))) {
    json_decref(*cond);
    *cond = NULL;
  }
}

/* The Condition element, StringEquals before ArnLike as Lambda writes it;
 * an empty object when there is none. */
static json_t *condition_json(const aev__permission *p) {
  json_t *c = json_object();
  condition_put(&c, "StringEquals", "AWS:SourceAccount", p->source_account);
  condition_put(&c, "StringEquals", "aws:PrincipalOrgID", p->org_id);
  condition_put(&c, "StringEquals", "lambda:EventSourceToken", p->event_source_token);
  condition_put(&c, "StringEquals", "lambda:FunctionUrlAuthType", p->url_auth_type);
  condition_put(&c, "ArnLike", "AWS:SourceArn", p->source_arn);
  return c;
}

/* The statement (new reference) in *out; InvalidParameterValueException
 * for a principal that is none of the kinds principal_json() knows. */
static int statement_json(aev_function *f, const char *qualifier,
                          const aev__permission *p, json_t **out) {
  json_t *principal = principal_json(p->principal);
  if (!principal)
    return aev__fn_invalid("The provided principal was invalid. Please check "
                           "the principal and try again.");
  char resource[400];
  snprintf(resource, sizeof resource, "%s%s%s", f->res.arn,
           qualifier ? ":" : "", qualifier ? qualifier : "");
  json_t *s = json_pack("{sssssossss}", "Sid", p->sid, "Effect", "Allow",
                        "Principal", principal, "Action", p->action,
                        "Resource", resource);
  json_t *cond = condition_json(p);
  if (!cond) {
    json_decref(s);
    s = NULL;
  } else if (json_object_size(cond)) {
    aev__fn_put(&s, "Condition", cond);
  } else {
    json_decref(cond);
  }
  if (!s) return aev__nomem();
  *out = s;
  return AEV_OK;
}

/* mu held. */
static aev__policy *policy_locked(aev_function *f, const char *qualifier) {
  const char *q = qualifier ? qualifier : "";
  for (aev__policy *p = f->policies; p; p = p->next)
    if (strcmp(p->qualifier, q) == 0) return p;
  return NULL;
}

/* A version or alias that does not exist, in Lambda's words: a name an
 * alias could have is "Cannot find alias arn", anything else "Function not
 * found" (recorded: test_permission_exceptions). */
static int no_qualifier(aev_function *f, const char *qualifier) {
  int alias = !all_of(qualifier, "0123456789", 1) && all_of(qualifier, ALNUM "-_", 1);
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException", "%s: %s:%s",
                   alias ? "Cannot find alias arn" : "Function not found", f->res.arn, qualifier);
}

/* mu held: 1 when qualifier names a published version or an alias. */
static int qualifier_exists_locked(aev_function *f, const char *qualifier) {
  if (all_of(qualifier, "0123456789", 1)) {
    long n = strtol(qualifier, NULL, 10);
    return n >= 1 && n <= f->nversions && !f->versions[n - 1].deleted;
  }
  for (aev__alias *a = f->aliases; a; a = a->next)
    if (strcmp(a->name, qualifier) == 0) return 1;
  return 0;
}

/* The policy document's text (malloc'd), or NULL when out of memory. */
static char *policy_text(const aev__policy *p) {
  json_t *doc = json_pack("{sssssO}", "Version", "2012-10-17", "Id", "default",
                          "Statement", p->statements);
  char *text = doc ? aev__json_dumps(doc, JSON_COMPACT) : NULL;
  json_decref(doc);
  return text;
}

/* mu held: the index of the statement sid in p, or -1. */
static long statement_index(const aev__policy *p, const char *sid) {
  size_t i;
  json_t *s;
  json_array_foreach(p->statements, i, s) {
    if (strcmp(json_string_value(json_object_get(s, "Sid")), sid) == 0)
      return (long)i;
  }
  return -1;
}

static int revision_mismatch(void) {
  return aev__fail(AEV_ERR_STATE, "PreconditionFailedException",
                   "The Revision Id provided does not match the latest "
                   "Revision Id. Call the GetPolicy API to retrieve the "
                   "latest Revision Id");
}

static void policy_free(aev__policy *p) {
  if (!p) return;
  json_decref(p->statements);
  free(p);
}

static aev__policy *policy_new(const char *qualifier) {
  aev__policy *p = calloc(1, sizeof *p);
  if (p) {
    snprintf(p->qualifier, sizeof p->qualifier, "%s", qualifier ? qualifier : "");
    p->statements = json_array();
  }
  if (p && !p->statements) {
    free(p);
    p = NULL;
  }
  return p;
}

/* mu held: the RevisionId a change to qualifier's policy must name. The
 * function's policy shares $LATEST's RevisionId, and a change gives both a
 * new one (recorded: test_function_revisions_permissions, "function
 * revision is the same as policy revision"); a version's or alias's first
 * statement names that version's or alias's RevisionId (recorded:
 * test_lambda_permission_fn_versioning), later ones its policy's. */
static const char *revision_locked(aev_function *f, const char *qualifier,
                                   const aev__policy *p) {
  if (!qualifier) return f->revision;
  if (p) return p->revision;
  if (all_of(qualifier, "0123456789", 1)) return f->versions[strtol(qualifier, NULL, 10) - 1].revision;
  for (aev__alias *a = f->aliases; a; a = a->next)
    if (strcmp(a->name, qualifier) == 0) return a->revision;
  return "";
}

/* mu held: the policy of qualifier changed: a new RevisionId (the
 * function's too for its own). */
static void revised_locked(aev_function *f, const char *qualifier, aev__policy *p) {
  if (p) aev__broker_uuid(f->res.broker, p->revision);
  if (!qualifier) {
    if (p) memcpy(f->revision, p->revision, sizeof f->revision);
    else aev__broker_uuid(f->res.broker, f->revision);
  }
}

/* mu held: appends s (borrowed) to the qualifier's policy, or fails with
 * the policy as it was. fresh is a new empty policy the call may take. */
static int append_locked(aev_function *f, const char *qualifier, json_t *s,
                         const aev__permission *perm, aev__policy **fresh) {
  if (qualifier && !qualifier_exists_locked(f, qualifier)) return no_qualifier(f, qualifier);
  aev__policy *p = policy_locked(f, qualifier);
  if (p && statement_index(p, perm->sid) >= 0)
    return aev__fail(AEV_ERR_EXISTS, "ResourceConflictException",
                     "The statement id (%s) provided already exists. Please "
                     "provide a new statement id, or remove the existing "
                     "statement.",
                     perm->sid);
  if (perm->revision && strcmp(revision_locked(f, qualifier, p), perm->revision))
    return revision_mismatch();
  if (!p) p = *fresh;
  if (json_array_append(p->statements, s)) return aev__nomem();
  char *text = policy_text(p);
  size_t size = text ? strlen(text) : 0;
  free(text);
  int rc = !text ? aev__nomem()
           : size > POLICY_MAX
               ? aev__fail(AEV_ERR_LIMIT, "PolicyLengthExceededException",
                           "The final policy size (%zu) is bigger than the "
                           "limit (%d).",
                           size, POLICY_MAX)
               : AEV_OK;
  if (rc != AEV_OK) {
    json_array_remove(p->statements, json_array_size(p->statements) - 1);
    return rc;
  }
  if (p == *fresh) {
    p->next = f->policies;
    f->policies = p;
    *fresh = NULL;
  }
  revised_locked(f, qualifier, p);
  return AEV_OK;
}

/* AddPermission's answer {"Statement": TEXT} (new reference), or NULL. */
static json_t *answer_json(json_t *statement) {
  char *text = aev__json_dumps(statement, JSON_COMPACT);
  json_t *a = text ? json_pack("{ss}", "Statement", text) : NULL;
  free(text);
  return a;
}

int aev__policy_add(aev_function *f, const char *qualifier,
                    const aev__permission *perm, json_t **answer) {
  int rc = aev__fn_check(f);
  json_t *s = NULL, *a = NULL;
  if (rc == AEV_OK) rc = statement_json(f, qualifier, perm, &s);
  /* The answer is made before the statement is stored: out of memory
   * then stores nothing. */
  if (rc == AEV_OK && !(a = answer_json(s))) rc = aev__nomem();
  aev__policy *fresh = rc == AEV_OK ? policy_new(qualifier) : NULL;
  if (rc == AEV_OK && !fresh) rc = aev__nomem();
  if (rc == AEV_OK) {
    pthread_mutex_lock(&f->mu);
    rc = append_locked(f, qualifier, s, perm, &fresh);
    pthread_mutex_unlock(&f->mu);
  }
  json_decref(s);
  policy_free(fresh);
  if (rc == AEV_OK) *answer = a;
  else json_decref(a);
  return rc;
}

/* mu held: p unlinked from f's list and freed. */
static void unlink_locked(aev_function *f, aev__policy *p) {
  for (aev__policy **at = &f->policies; *at; at = &(*at)->next)
    if (*at == p) {
      *at = p->next;
      break;
    }
  policy_free(p);
}

int aev__policy_remove(aev_function *f, const char *qualifier,
                       const char *sid, const char *revision) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&f->mu);
  aev__policy *p = policy_locked(f, qualifier);
  long i = p ? statement_index(p, sid) : -1;
  if (qualifier && !qualifier_exists_locked(f, qualifier))
    rc = no_qualifier(f, qualifier);
  else if (!p)
    rc = aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "No policy is associated with the given resource.");
  else if (i < 0)
    rc = aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Statement %s is not found in resource policy.", sid);
  else if (revision && strcmp(revision, revision_locked(f, qualifier, p)))
    rc = revision_mismatch();
  else if (json_array_size(p->statements) == 1) {
    unlink_locked(f, p); /* a policy without statements is none */
    revised_locked(f, qualifier, NULL);
  } else {
    json_array_remove(p->statements, (size_t)i);
    revised_locked(f, qualifier, p);
  }
  pthread_mutex_unlock(&f->mu);
  return rc;
}

int aev__policy_get(aev_function *f, const char *qualifier, json_t **out) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&f->mu);
  aev__policy *p = policy_locked(f, qualifier);
  char *text = p ? policy_text(p) : NULL;
  json_t *o = text ? json_pack("{ssss}", "Policy", text, "RevisionId",
                               revision_locked(f, qualifier, p))
                   : NULL;
  pthread_mutex_unlock(&f->mu);
  free(text);
  if (!p)
    return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                     "The resource you requested does not exist.");
  if (!o) return aev__nomem();
  *out = o;
  return AEV_OK;
}

void aev__policy_drop_locked(aev_function *f, const char *qualifier) {
  aev__policy *p = policy_locked(f, qualifier);
  if (p) unlink_locked(f, p);
}

void aev__policies_free(aev_function *f) {
  while (f->policies) {
    aev__policy *p = f->policies;
    f->policies = p->next;
    policy_free(p);
  }
}

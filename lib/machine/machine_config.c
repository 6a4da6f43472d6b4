/* What a state machine runs as besides its definition: the role ARN and
 * the logging, tracing and encryption configurations of CreateStateMachine
 * and UpdateStateMachine (the encryption one CreateActivity's too), checked
 * with AWS's rules and messages and kept as DescribeStateMachine answers
 * them, with AWS's defaults when not given; and the revisions (m_rev)
 * executions share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "core/text.h"
#include "machine/machine_int.h"

/* ---- revisions ---- */

m_rev *aev__rev_new(const char *definition, size_t len, const char *role_arn, json_t *config,
                    int64_t updated_ms) {
  m_rev *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->refs = 1;
  r->definition = strndup(definition, len);
  r->role_arn = strdup(role_arn);
  r->config = json_incref(config);
  r->updated_ms = updated_ms;
  if (!r->definition || !r->role_arn || !config) {
    aev__rev_unref(r);
    return NULL;
  }
  return r;
}

m_rev *aev__rev_ref(m_rev *r) {
  if (r) r->refs++;
  return r;
}

void aev__rev_unref(m_rev *r) {
  if (!r || --r->refs > 0) return;
  free(r->definition);
  free(r->role_arn);
  json_decref(r->config);
  free(r);
}

/* ---- the role ---- */

static int all_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return 0;
  return 1;
}

/* An IAM role's ARN: arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME with a
 * 12-digit account. AWS answers anything else (a user's or a policy's
 * ARN, a bare name) with InvalidArn "Invalid Role Arn: '...'". */
static int role_arn_ok(const char *arn) {
  const char *p = arn;
  if (strncmp(p, "arn:", 4)) return 0;
  p += 4;
  size_t part = strcspn(p, ":");
  if (!part || strncmp(p + part, ":iam::", 6)) return 0;
  p += part + 6;
  if (strlen(p) < 13 || !all_digits(p, 12) || p[12] != ':') return 0;
  p += 13;
  return !strncmp(p, "role/", 5) && p[5] != '\0' && p[strlen(p) - 1] != '/';
}

int aev__check_length(const char *s, const char *path, size_t min, size_t max) {
  size_t chars = aev__utf8_chars(s, strlen(s));
  return chars >= min && chars <= max ? AEV_OK : aev__fail_length(s, path, chars, min, max);
}

/* The API model's length (1-256, ValidationException), then the form. */
static int check_role(const char *arn) {
  int rc = aev__check_length(arn, "roleArn", 1, 256);
  if (!rc && !role_arn_ok(arn)) return aev__fail(AEV_ERR_INVALID, "InvalidArn", "Invalid Role Arn: '%s'", arn);
  return rc;
}

/* ---- member checks, named by their path as AWS's validator names them ---- */

static int wrong_type(const char *path, const char *what) {
  return aev__fail_validation(NULL, path, what);
}

static int check_object(json_t *v, const char *path) {
  return !v || json_is_object(v) ? AEV_OK : wrong_type(path, "Member must be an object");
}

/* A string member of o (absent: *out untouched) within one of the names of
 * set (NULL-terminated), listed as AWS lists the enum in its message. */
static int opt_enum(json_t *o, const char *key, const char *path, const char *const *set,
                    const char *listed, const char **out) {
  json_t *v = json_object_get(o, key);
  if (!v || json_is_null(v)) return AEV_OK;
  if (!json_is_string(v)) return wrong_type(path, "Member must be a string");
  for (size_t i = 0; set[i]; i++)
    if (!strcmp(set[i], json_string_value(v))) {
      *out = set[i];
      return AEV_OK;
    }
  return aev__fail(AEV_ERR_INVALID, "ValidationException",
                   "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: "
                   "Member must satisfy enum value set: %s",
                   json_string_value(v), path, listed);
}

static int opt_bool(json_t *o, const char *key, const char *path, int *out) {
  json_t *v = json_object_get(o, key);
  if (!v || json_is_null(v)) return AEV_OK;
  if (!json_is_boolean(v)) return wrong_type(path, "Member must be a boolean");
  *out = json_is_true(v);
  return AEV_OK;
}

int aev__check_text(json_t *v, const char *path, size_t min, size_t max) {
  if (!json_is_string(v)) return wrong_type(path, "Member must be a string");
  return aev__check_length(json_string_value(v), path, min, max);
}

/* ---- logging ---- */

static const char *const log_levels[] = {"ALL", "ERROR", "FATAL", "OFF", NULL};

static int bad_logging(const char *why) {
  return aev__fail(AEV_ERR_INVALID, "InvalidLoggingConfiguration", "Invalid Logging Configuration: %s", why);
}

/* destinations: at most one {"cloudWatchLogsLogGroup": {"logGroupArn"}}
 * (the model's "Limited to size 1"), exactly one unless level is OFF. No
 * CloudWatch Logs here, so the log group is not looked up. */
static int check_destinations(json_t *list, const char *level) {
  if (list && !json_is_array(list))
    return wrong_type("loggingConfiguration.destinations", "Member must be a list");
  size_t n = json_array_size(list);
  if (n > 1 || (n == 0 && strcmp(level, "OFF")))
    return bad_logging("Must specify exactly one Log Destination.");
  if (n == 0) return AEV_OK;
  json_t *dest = json_array_get(list, 0), *group = json_object_get(dest, "cloudWatchLogsLogGroup");
  int rc = check_object(dest, "loggingConfiguration.destinations.1.member");
  if (!rc) rc = check_object(group, "loggingConfiguration.destinations.1.member.cloudWatchLogsLogGroup");
  if (rc) return rc;
  json_t *arn = json_object_get(group, "logGroupArn");
  if (!arn) return bad_logging("Must specify exactly one Log Destination.");
  return aev__check_text(arn, "loggingConfiguration.destinations.1.member.cloudWatchLogsLogGroup.logGroupArn", 1, 256);
}

static int check_logging(json_t *lc) {
  const char *level = "OFF";
  int include = 0;
  int rc = check_object(lc, "loggingConfiguration");
  if (!rc) rc = opt_enum(lc, "level", "loggingConfiguration.level", log_levels, "[ALL, ERROR, FATAL, OFF]", &level);
  if (!rc) rc = opt_bool(lc, "includeExecutionData", "loggingConfiguration.includeExecutionData", &include);
  return rc ? rc : check_destinations(json_object_get(lc, "destinations"), level);
}

/* As Describe answers it: level and includeExecutionData always (AWS's
 * defaults OFF and false), destinations when they were given. */
static json_t *logging_json(json_t *lc) {
  const char *level = "OFF";
  int include = 0;
  opt_enum(lc, "level", "", log_levels, "", &level);
  opt_bool(lc, "includeExecutionData", "", &include);
  json_t *v = json_pack("{s:s,s:b}", "level", level, "includeExecutionData", include);
  json_t *dest = json_object_get(lc, "destinations");
  if (v && json_is_array(dest) && json_object_set_new(v, "destinations", json_deep_copy(dest))) {
    json_decref(v);
    return NULL;
  }
  return v;
}

/* ---- tracing ---- */

static int check_tracing(json_t *tc) {
  int rc = check_object(tc, "tracingConfiguration");
  json_t *enabled = json_object_get(tc, "enabled");
  if (!rc && enabled && !json_is_null(enabled) && !json_is_boolean(enabled))
    return aev__fail(AEV_ERR_INVALID, "InvalidTracingConfiguration",
                     "Invalid Tracing Configuration: 'enabled' must be true or false.");
  return rc;
}

static json_t *tracing_json(json_t *tc) {
  return json_pack("{s:b}", "enabled", json_is_true(json_object_get(tc, "enabled")));
}

/* ---- encryption ---- */

static const char *const key_types[] = {"AWS_OWNED_KEY", "CUSTOMER_MANAGED_KMS_KEY", NULL};

/* AWS's data key reuse period when a customer managed key gives none. */
#define DEFAULT_REUSE_S 300

static int bad_encryption(const char *why) {
  return aev__fail(AEV_ERR_INVALID, "InvalidEncryptionConfiguration", "Invalid Encryption Configuration: %s", why);
}

/* type is required; a customer managed key needs its kmsKeyId (there is
 * no KMS here, so the key itself is not looked up); an AWS owned key takes
 * neither kmsKeyId nor a reuse period. */
int aev__encryption_check(json_t *ec) {
  const char *type = NULL;
  int rc = check_object(ec, "encryptionConfiguration");
  if (!rc) rc = opt_enum(ec, "type", "encryptionConfiguration.type", key_types,
                         "[AWS_OWNED_KEY, CUSTOMER_MANAGED_KMS_KEY]", &type);
  if (rc) return rc;
  if (!type)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value null at 'encryptionConfiguration.type' failed to "
                     "satisfy constraint: Member must not be null");
  json_t *key = json_object_get(ec, "kmsKeyId"), *reuse = json_object_get(ec, "kmsDataKeyReusePeriodSeconds");
  if (key && (rc = aev__check_text(key, "encryptionConfiguration.kmsKeyId", 1, 2048))) return rc;
  if (reuse && !json_is_integer(reuse)) return wrong_type("encryptionConfiguration.kmsDataKeyReusePeriodSeconds", "Member must be an integer");
  if (reuse && (json_integer_value(reuse) < 60 || json_integer_value(reuse) > 900)) {
    char v[24];
    snprintf(v, sizeof v, "%lld", (long long)json_integer_value(reuse));
    return aev__fail_validation(v, "encryptionConfiguration.kmsDataKeyReusePeriodSeconds",
                                json_integer_value(reuse) < 60 ? "Member must have value greater than or equal to 60"
                                                               : "Member must have value less than or equal to 900");
  }
  int customer = !strcmp(type, "CUSTOMER_MANAGED_KMS_KEY");
  if (customer && !key) return bad_encryption("kmsKeyId is required for a CUSTOMER_MANAGED_KMS_KEY.");
  if (!customer && (key || reuse))
    return bad_encryption("kmsKeyId and kmsDataKeyReusePeriodSeconds apply to a CUSTOMER_MANAGED_KMS_KEY only.");
  return AEV_OK;
}

json_t *aev__encryption_json(json_t *ec) {
  json_t *key = json_object_get(ec, "kmsKeyId"), *reuse = json_object_get(ec, "kmsDataKeyReusePeriodSeconds");
  if (!key) return json_pack("{s:s}", "type", "AWS_OWNED_KEY");
  return json_pack("{s:s,s:O,s:I}", "type", "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId", key,
                   "kmsDataKeyReusePeriodSeconds", reuse ? json_integer_value(reuse) : (json_int_t)DEFAULT_REUSE_S);
}

/* ---- the whole setup ---- */

int aev__setup_check(const m_setup *s) {
  int rc = s->role_arn ? check_role(s->role_arn) : AEV_OK;
  if (!rc && s->logging) rc = check_logging(s->logging);
  if (!rc && s->tracing) rc = check_tracing(s->tracing);
  if (!rc && s->encryption) rc = aev__encryption_check(s->encryption);
  if (!rc && s->tags) rc = aev__machine_tags_check(s->tags, NULL);
  return rc;
}

/* key's member: built from given when given, else base's (copied), else
 * the default built from nothing. Non-zero when memory ran out. */
static int set_member(json_t *config, const char *key, json_t *given, json_t *base,
                      json_t *(*build)(json_t *)) {
  json_t *kept = json_object_get(base, key);
  json_t *v = given ? build(given) : kept ? json_deep_copy(kept) : build(NULL);
  return json_object_set_new(config, key, v);
}

json_t *aev__setup_config(const m_setup *s, json_t *base) {
  json_t *c = json_object();
  if (!c || set_member(c, "loggingConfiguration", s->logging, base, logging_json) ||
      set_member(c, "tracingConfiguration", s->tracing, base, tracing_json) ||
      set_member(c, "encryptionConfiguration", s->encryption, base, aev__encryption_json)) {
    json_decref(c);
    return NULL;
  }
  return c;
}

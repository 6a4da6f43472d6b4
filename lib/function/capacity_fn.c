/* The functions that run on a capacity provider: CreateFunction's and
 * UpdateFunctionConfiguration's CapacityProviderConfig, checked as the
 * Lambda Managed Instances guide and the API reference describe it and
 * kept in the configuration (so a published version keeps it); the
 * State such a function shows while its capacity is provided; the quota
 * of versions per provider. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "core/verrors.h"
#include "function/capacity.h"

#define CONFIG "CapacityProviderConfig"
#define INNER "LambdaManagedInstancesCapacityProviderConfig"
#define ARN_MAX 140
#define MEMORY_MIN 2048
#define ARN_JAVA_PATTERN                                                                  \
  "arn:aws[a-zA-Z-]*:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:capacity-" \
  "provider:[a-zA-Z0-9-_]+"

const char *aev__cap_arn_of(json_t *doc) {
  return json_string_value(json_object_get(
      json_object_get(json_object_get(doc, CONFIG), INNER), "CapacityProviderArn"));
}

/* "Lambda Managed Instances runtimes": Java 21 and later, Python 3.13 and
 * later, Node.js 22 and later, .NET 8 and later, and the OS-only runtime
 * provided.al2023 and later. */
static int runtime_supported(const char *runtime) {
  static const struct {
    const char *prefix;
    long min;
  } families[] = {{"java", 21}, {"python3.", 13}, {"nodejs", 22}, {"dotnet", 8},
                  {"provided.al", 2023}};
  for (size_t i = 0; i < sizeof families / sizeof *families; i++) {
    size_t n = strlen(families[i].prefix);
    if (strncmp(runtime, families[i].prefix, n)) continue;
    char *end;
    long v = strtol(runtime + n, &end, 10);
    return end != runtime + n && v >= families[i].min;
  }
  return 0;
}

/* The members of CapacityProviderConfig against their constraints in the
 * API reference (LambdaManagedInstancesCapacityProviderConfig), all
 * reported at once. */
static int members_check(json_t *config) {
  json_t *inner = json_object_get(config, INNER);
  if (!json_is_object(config) || (inner && !json_is_null(inner) && !json_is_object(inner)))
    return aev__fn_invalid(CONFIG " must be an object with " INNER ".");
  aev__verrors e = {0};
  json_t *arn = json_object_get(inner, "CapacityProviderArn");
  json_t *conc = json_object_get(inner, "PerExecutionEnvironmentMaxConcurrency");
  json_t *mem = json_object_get(inner, "ExecutionEnvironmentMemoryGiBPerVCpu");
  char shown[64];
  if (!inner || json_is_null(inner))
    aev__verrors_add(&e, NULL,
                     "capacityProviderConfig.lambdaManagedInstancesCapacityProviderConfig",
                     "Member must not be null");
  else if (!arn || json_is_null(arn))
    aev__verrors_add(&e, NULL,
                     "capacityProviderConfig.lambdaManagedInstancesCapacityProviderConfig."
                     "capacityProviderArn",
                     "Member must not be null");
  else if (!json_is_string(arn))
    return aev__fn_invalid("CapacityProviderArn must be a string.");
  else if (json_string_length(arn) < 1 || json_string_length(arn) > ARN_MAX)
    aev__verrors_add(&e, json_string_value(arn),
                     "capacityProviderConfig.lambdaManagedInstancesCapacityProviderConfig."
                     "capacityProviderArn",
                     json_string_length(arn) ? "Member must have length less than or equal to 140"
                                             : "Member must have length greater than or equal "
                                               "to 1");
  else if (!aev__fn_pattern_ok(AEV__FN_PAT_CAPACITY_ARN, json_string_value(arn)))
    aev__verrors_add(&e, json_string_value(arn),
                     "capacityProviderConfig.lambdaManagedInstancesCapacityProviderConfig."
                     "capacityProviderArn",
                     "Member must satisfy regular expression pattern: " ARN_JAVA_PATTERN);
  if (conc && !json_is_null(conc) && !json_is_integer(conc))
    return aev__fn_invalid("PerExecutionEnvironmentMaxConcurrency must be an integer.");
  if (json_is_integer(conc) && (json_integer_value(conc) < 1 || json_integer_value(conc) > 1600)) {
    snprintf(shown, sizeof shown, "%lld", (long long)json_integer_value(conc));
    aev__verrors_add(&e, shown,
                     "capacityProviderConfig.lambdaManagedInstancesCapacityProviderConfig."
                     "perExecutionEnvironmentMaxConcurrency",
                     json_integer_value(conc) < 1
                         ? "Member must have value greater than or equal to 1"
                         : "Member must have value less than or equal to 1600");
  }
  if (mem && !json_is_null(mem) && !json_is_number(mem))
    return aev__fn_invalid("ExecutionEnvironmentMemoryGiBPerVCpu must be a number.");
  if (json_is_number(mem) && (json_number_value(mem) < 2.0 || json_number_value(mem) > 8.0)) {
    snprintf(shown, sizeof shown, "%g", json_number_value(mem));
    aev__verrors_add(&e, shown,
                     "capacityProviderConfig.lambdaManagedInstancesCapacityProviderConfig."
                     "executionEnvironmentMemoryGiBPerVCpu",
                     json_number_value(mem) < 2.0
                         ? "Member must have value greater than or equal to 2.0"
                         : "Member must have value less than or equal to 8.0");
  }
  return aev__verrors_fail(&e);
}

/* What a function on a provider must be, whether or not the request
 * names it again: a supported runtime, and "the minimum supported
 * function size is 2GB and 1 vCPU" (Best practices for Lambda Managed
 * Instances); a new function without a MemorySize gets that size (our
 * choice, where Lambda (default) gives 128 MB). */
static int function_check(json_t *req, const aev__fconf *base, int *memory) {
  json_t *runtime = json_object_get(req, "Runtime");
  if (!runtime && base) runtime = json_object_get(base->doc, "Runtime");
  if (json_is_string(runtime) && !runtime_supported(json_string_value(runtime)))
    return aev__fn_invalid("The runtime %s does not support Lambda Managed Instances.",
                           json_string_value(runtime));
  if (!base && !json_object_get(req, "MemorySize")) *memory = MEMORY_MIN;
  if (*memory < MEMORY_MIN)
    return aev__fn_invalid("MemorySize %d MB is below the minimum of %d MB for functions that "
                           "use a capacity provider.",
                           *memory, MEMORY_MIN);
  return AEV_OK;
}

int aev__cap_config_check(aev_broker *b, json_t *req, const aev__fconf *base, int *memory) {
  json_t *config = json_object_get(req, CONFIG);
  const char *had = base ? aev__cap_arn_of(base->doc) : NULL;
  if (!config || json_is_null(config)) {
    /* Our choice: the compute a function was created with stays; a
     * function on a provider cannot leave it, as it cannot join one. */
    if (config && had)
      return aev__fn_invalid("The capacity provider of a function cannot be removed. Create a "
                             "new function to run on Lambda (default) compute.");
    return had ? function_check(req, base, memory) : AEV_OK;
  }
  int rc = members_check(config);
  if (rc != AEV_OK) return rc;
  const char *arn = aev__cap_arn_of(req);
  if (base && !had)
    return aev__fn_invalid("A function created without a capacity provider cannot be moved to "
                           "one. Create a new function with " CONFIG ".");
  if (had && strcmp(had, arn))
    return aev__fn_invalid("The capacity provider of a function cannot be changed: it uses %s.",
                           had);
  rc = function_check(req, base, memory);
  /* $LATEST of a new function is a version on the provider. */
  return rc == AEV_OK ? aev__cap_count_check(b, arn, base ? 0 : 1) : rc;
}

/* The provider ARN of conf (NULL: $LATEST's), malloc'd in *arn (NULL:
 * none). */
static int provider_of(aev_function *f, const aev__fconf *conf, char **arn) {
  if (!conf) pthread_mutex_lock(&f->mu);
  const char *uses = aev__cap_arn_of(conf ? conf->doc : f->conf->doc);
  *arn = uses ? strdup(uses) : NULL;
  if (!conf) pthread_mutex_unlock(&f->mu);
  return uses && !*arn ? aev__nomem() : AEV_OK;
}

int aev__cap_publish_check(aev_function *f) {
  char *arn;
  int rc = provider_of(f, NULL, &arn);
  if (rc == AEV_OK && arn) rc = aev__cap_count_check(f->res.broker, arn, 1);
  free(arn);
  return rc;
}

int aev__cap_invocable(aev_function *f, const aev__fconf *conf, const char *version) {
  char *arn;
  int rc = provider_of(f, conf, &arn);
  /* NoPublishedVersionException: "The function has no published versions
   * available." (Lambda's API reference, Invoke's errors). */
  if (rc == AEV_OK && arn && strcmp(version, "$LATEST") == 0)
    rc = aev__fail(AEV_ERR_STATE, "NoPublishedVersionException",
                   "The function has no published versions available. Publish a version of "
                   "%s and invoke it.",
                   f->res.name);
  else if (rc == AEV_OK && arn &&
           strcmp(aev__cap_version_state(f->res.broker, arn), "Pending") == 0)
    rc = aev__fail(AEV_ERR_THROTTLED, "ResourceConflictException",
                   "The operation cannot be performed at this time. The function is currently "
                   "in the following state: Pending");
  free(arn);
  return rc;
}

void aev__cap_state_put(aev_function *f, const aev__fconf *c, json_t **o) {
  const char *arn = aev__cap_arn_of(c->doc);
  if (!arn || strcmp(aev__cap_version_state(f->res.broker, arn), "Pending")) return;
  aev__fn_put(o, "State", json_string("Pending"));
  aev__fn_put(o, "StateReason", json_string("The capacity provider is being created."));
  aev__fn_put(o, "StateReasonCode", json_string("Creating"));
}

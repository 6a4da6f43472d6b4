/* Lambda's patterns in POSIX terms, compiled once and never changed
 * after: \d is [0-9], '-' goes last in a bracket, and a Java pattern
 * matches the whole value, so each is anchored. The Java texts the errors
 * quote stand beside their checks (api_lambda.c, function_impl.h). */
#include <pthread.h>
#include <regex.h>

#include "function/function_impl.h"

static const char *const posix[AEV__FN_PAT_N] = {
    /* FunctionName: a name, a partial or a full ARN, with a qualifier. */
    "^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-[0-9]:)?"
    "([0-9]{12}:)?(function:)?([a-zA-Z0-9_.-]+)(:([$]LATEST|[a-zA-Z0-9_-]+))?$",
    /* TagResource's Resource. */
    "^arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-[0-9]:"
    "[0-9]{12}:(function:[a-zA-Z0-9_-]+(:([$]LATEST|[a-zA-Z0-9_-]+))?|"
    "code-signing-config:csc-[a-z0-9]{17}|"
    "event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
    "[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9_-]+)$",
    /* AddPermission's SourceArn. */
    "^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:([a-z]{2}(-gov)?-[a-z]+-[0-9])?:([0-9]{12})?:(.*)$",
    /* DestinationConfig's members. */
    "^(|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:([a-z]{2}((-gov)|(-iso(b?)))?"
    "-[a-z]+-[0-9])?:([0-9]{12})?:(.*))$",
    /* A CapacityProviderArn. */
    "^arn:aws[a-zA-Z-]*:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-[0-9]:[0-9]{12}:"
    "capacity-provider:[a-zA-Z0-9_-]+$",
    /* An IAM role ARN (CapacityProviderOperatorRoleArn). */
    "^arn:(aws[a-zA-Z-]*)?:iam::[0-9]{12}:role/?[a-zA-Z_0-9+=,.@/-]+$",
    /* A KMS key ARN (a capacity provider's KmsKeyArn). */
    "^arn:(aws[a-zA-Z-]*)?:[a-z0-9.-]+:.*$"};

static regex_t re[AEV__FN_PAT_N];
static int compiled_ok[AEV__FN_PAT_N];
static pthread_once_t compiled = PTHREAD_ONCE_INIT;

static void compile(void) {
  for (int i = 0; i < AEV__FN_PAT_N; i++)
    compiled_ok[i] = !regcomp(&re[i], posix[i], REG_EXTENDED | REG_NOSUB);
}

/* A pattern that failed to compile (out of memory) refuses nothing. */
int aev__fn_pattern_ok(int pattern, const char *s) {
  pthread_once(&compiled, compile);
  return !compiled_ok[pattern] || regexec(&re[pattern], s, 0, NULL, 0) == 0;
}

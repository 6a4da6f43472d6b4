/* Lambda's ARN patterns (function_impl.h) in POSIX terms, compiled once
 * and never changed after: \d is [0-9], '-' goes last in a bracket, and a
 * Java pattern matches the whole value, so it is anchored. */
#include <pthread.h>
#include <regex.h>

#include "function/function_impl.h"

static regex_t source_arn_re, destination_re;
static int source_arn_re_ok, destination_re_ok;

static void compile(void) {
  source_arn_re_ok = !regcomp(&source_arn_re,
                              "^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:"
                              "([a-z]{2}(-gov)?-[a-z]+-[0-9])?:([0-9]{12})?:(.*)$",
                              REG_EXTENDED | REG_NOSUB);
  destination_re_ok = !regcomp(&destination_re,
                               "^(|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:([a-z]{2}((-gov)|(-iso(b?)))?"
                               "-[a-z]+-[0-9])?:([0-9]{12})?:(.*))$",
                               REG_EXTENDED | REG_NOSUB);
}

static pthread_once_t compiled = PTHREAD_ONCE_INIT;

/* A pattern that failed to compile (out of memory) lets every ARN pass. */
static int matches(const regex_t *re, int ok, const char *arn) {
  return !ok || regexec(re, arn, 0, NULL, 0) == 0;
}

int aev__fn_source_arn_ok(const char *arn) {
  pthread_once(&compiled, compile);
  return matches(&source_arn_re, source_arn_re_ok, arn);
}

int aev__fn_destination_arn_ok(const char *arn) {
  pthread_once(&compiled, compile);
  return matches(&destination_re, destination_re_ok, arn);
}

/* The account's concurrency pool, one per broker: Lambda's default of 1,000
 * concurrent executions across all functions (raisable per broker, as AWS
 * raises the quota per account), of which reserved concurrency is set
 * aside; functions without a reservation share what is left (the
 * unreserved pool), less the provisioned concurrency of those functions,
 * which Lambda also takes from it; PutFunctionConcurrency and
 * PutProvisionedConcurrencyConfig refuse to leave fewer than 100 there. The pool lives in the broker's registry as a hidden entry
 * like the handler table, so two brokers share nothing. Taking and giving
 * back an unreserved slot is lock-free: it is on every invocation's path. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "function/function_impl.h"
#include "function/layers.h"

#define ACCOUNT_NAME "#account"
#define UNRESERVED_MIN 100 /* Lambda keeps 100 unreserved */
/* GetAccountSettings' AccountLimit of code (Lambda API reference and
 * quotas page): a package zipped and unzipped, and all of them together. */
#define CODE_SIZE_ZIPPED 52428800
#define CODE_SIZE_UNZIPPED 262144000
#define TOTAL_CODE_SIZE 80530636800LL /* 75 GB */

static void account_init(aev__resource *r) {
  aev__account *a = (aev__account *)r;
  pthread_mutex_init(&a->mu, NULL);
  a->limit = AEV__FN_CONCURRENCY_MAX;
  a->unreserved_limit = AEV__FN_CONCURRENCY_MAX;
}

static void account_destroy(aev__resource *r) {
  aev__account *a = (aev__account *)r;
  pthread_mutex_destroy(&a->mu);
  free(a);
}

int aev__account_of(aev_broker *b, aev__account **out) {
  aev__resource *r;
  int rc = aev__fn_hidden_entry(b, ACCOUNT_NAME, sizeof(aev__account), 1,
                                account_init, account_destroy, NULL, &r);
  if (rc == AEV_OK) *out = (aev__account *)r;
  return rc;
}

int aev__account_take(aev__account *a) {
  if (atomic_fetch_add_explicit(&a->unreserved_running, 1,
                                memory_order_relaxed) <
      atomic_load_explicit(&a->unreserved_limit, memory_order_relaxed))
    return 1;
  atomic_fetch_sub_explicit(&a->unreserved_running, 1, memory_order_relaxed);
  return 0;
}

void aev__account_give(aev__account *a) {
  atomic_fetch_sub_explicit(&a->unreserved_running, 1, memory_order_relaxed);
}

/* Lambda's wording names the parameter of the call that was refused. */
static int below_minimum(const char *parameter) {
  return aev__fail(AEV_ERR_INVALID, "InvalidParameterValueException",
                   "Specified %s for function decreases account's "
                   "UnreservedConcurrentExecution below its minimum value of "
                   "[%d].",
                   parameter, UNRESERVED_MIN);
}

/* What functions hold back from the unreserved pool (mu held). */
static int committed_locked(const aev__account *a) {
  return a->reserved_sum + a->provisioned_sum;
}

static void publish_locked(aev__account *a) {
  a->unreserved_limit = a->limit - committed_locked(a);
}

int aev__account_reserve(aev__account *a, int old, int reserved,
                         int provisioned) {
  pthread_mutex_lock(&a->mu);
  int rsum = a->reserved_sum - (old > 0 ? old : 0) +
             (reserved > 0 ? reserved : 0);
  /* Provisioned concurrency moves between the pool and the reservation. */
  int psum = a->provisioned_sum + (old >= 0 ? provisioned : 0) -
             (reserved >= 0 ? provisioned : 0);
  int ok = reserved <= 0 || a->limit - rsum - psum >= UNRESERVED_MIN;
  if (ok) {
    a->reserved_sum = rsum;
    a->provisioned_sum = psum;
    publish_locked(a);
  }
  pthread_mutex_unlock(&a->mu);
  return ok ? AEV_OK : below_minimum("ReservedConcurrentExecutions");
}

int aev__account_provision(aev__account *a, int old, int n) {
  pthread_mutex_lock(&a->mu);
  int psum = a->provisioned_sum - old + n;
  int ok = n <= old || a->limit - a->reserved_sum - psum >= UNRESERVED_MIN;
  if (ok) {
    a->provisioned_sum = psum;
    publish_locked(a);
  }
  pthread_mutex_unlock(&a->mu);
  return ok ? AEV_OK : below_minimum("ConcurrentExecutions");
}

int aev_function_set_account_concurrency(aev_broker *b, int limit) {
  if (!b) return aev__fn_invalid("Missing argument.");
  aev__account *a;
  int rc = aev__account_of(b, &a);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&a->mu);
  int sum = committed_locked(a);
  int ok = limit >= sum + UNRESERVED_MIN;
  if (ok) {
    a->limit = limit;
    publish_locked(a);
  }
  pthread_mutex_unlock(&a->mu);
  aev__resource_unref(&a->res);
  if (!ok)
    return aev__fn_invalid("The account concurrency limit must be at least "
                           "%d: the reserved and provisioned concurrency of "
                           "all functions (%d) plus the %d unreserved Lambda "
                           "keeps.",
                           sum + UNRESERVED_MIN, sum, UNRESERVED_MIN);
  return AEV_OK;
}

/* AccountUsage: the functions, and the bytes of every package they hold
 * ($LATEST and each published version) with the layers' ("the amount of
 * storage space that you've used for all deployment packages and
 * layers", GetAccountSettings). */
static int usage(aev_broker *b, json_int_t *functions, json_int_t *bytes) {
  aev__resource **list;
  size_t n;
  int rc = aev__registry_list(b, AEV__KIND_FUNCTION, NULL, &list, &n);
  if (rc != AEV_OK) return rc;
  *functions = 0;
  *bytes = aev__layers_code_size(b);
  for (size_t i = 0; i < n; i++) {
    if (aev__fn_hidden(list[i]->name)) continue;
    aev_function *f = (aev_function *)list[i];
    ++*functions;
    pthread_mutex_lock(&f->mu);
    *bytes += f->conf->code.size;
    for (int k = 0; k < f->nversions; k++)
      if (!f->versions[k].deleted) *bytes += f->versions[k].conf->code.size;
    pthread_mutex_unlock(&f->mu);
  }
  aev__registry_list_free(list, n);
  return AEV_OK;
}

int aev_function_account_settings(aev_broker *b, char **json) {
  if (!b || !json) return aev__fn_invalid("Missing argument.");
  aev__account *a;
  int rc = aev__account_of(b, &a);
  if (rc != AEV_OK) return rc;
  json_int_t functions, bytes;
  if ((rc = usage(b, &functions, &bytes)) != AEV_OK) {
    aev__resource_unref(&a->res);
    return rc;
  }
  pthread_mutex_lock(&a->mu);
  json_t *o = json_pack("{s{sIsIsIsisi}s{sIsI}}", "AccountLimit", "TotalCodeSize",
                        (json_int_t)TOTAL_CODE_SIZE, "CodeSizeUnzipped",
                        (json_int_t)CODE_SIZE_UNZIPPED, "CodeSizeZipped",
                        (json_int_t)CODE_SIZE_ZIPPED, "ConcurrentExecutions", a->limit,
                        "UnreservedConcurrentExecutions", a->limit - a->reserved_sum,
                        "AccountUsage", "TotalCodeSize", bytes, "FunctionCount", functions);
  pthread_mutex_unlock(&a->mu);
  aev__resource_unref(&a->res);
  return aev__fn_dump(o, json);
}

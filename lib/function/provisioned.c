/* Provisioned concurrency (PutProvisionedConcurrencyConfig, Get, Delete on
 * a published version or an alias): N execution environments initialised
 * ahead (the init hook runs for each on the handler pool), so invocations
 * of that version within N start warm. The configuration answers
 * IN_PROGRESS until the environments are allocated, which this library
 * does AEV__FN_PROVISION_MS after the request on the broker clock, then
 * READY. Provisioned environments are never reclaimed while the
 * configuration exists. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "function/function_impl.h"

static aev__pconf *find_locked(aev_function *f, const char *qualifier) {
  aev__pconf *p = f->pcs;
  while (p && strcmp(p->qualifier, qualifier)) p = p->next;
  return p;
}

/* Drops one reference to p (the list's or the pending allocation's). */
static void pconf_drop(aev__pconf *p) {
  aev_function *f = p->f;
  pthread_mutex_lock(&f->mu);
  int last = --p->refs == 0;
  pthread_mutex_unlock(&f->mu);
  if (last) free(p);
}

/* The pending allocation is over: it also held the function. */
static void work_done(aev__pconf *p) {
  aev_function *f = p->f;
  pconf_drop(p);
  aev__resource_unref(&f->res);
}

/* Frees the idle provisioned environments of version (mu held). */
static void free_pinned_locked(aev_function *f, const char *version) {
  aev__env **pp = &f->prov;
  while (*pp) {
    aev__env *e = *pp;
    if (strcmp(e->version, version) == 0) {
      *pp = e->next;
      free(e);
    } else {
      pp = &e->next;
    }
  }
}

int aev__fn_provisioned_locked(aev_function *f, const char *version) {
  for (aev__pconf *p = f->pcs; p; p = p->next)
    if (p->ready && strcmp(p->version, version) == 0) return 1;
  return 0;
}

aev__env *aev__fn_take_pinned_locked(aev_function *f, const char *version) {
  for (aev__env **pp = &f->prov; *pp; pp = &(*pp)->next)
    if (strcmp((*pp)->version, version) == 0) {
      aev__env *e = *pp;
      *pp = e->next;
      return e;
    }
  return NULL;
}

/* On the handler pool: creates the environments and runs the init hook
 * for each, as Lambda initialises provisioned environments ahead. */
static void allocate(void *arg, int cancelled) {
  aev__pconf *p = arg;
  aev_function *f = p->f;
  if (cancelled || p->removed || f->res.deleted) {
    work_done(p);
    return;
  }
  aev__fconf *conf;
  char version[16];
  aev__env *envs = NULL;
  int n = 0;
  if (aev__fn_resolve(f, p->version, &conf, version) == AEV_OK) {
    aev_init_fn init = f->init;
    for (; n < p->requested; n++) {
      aev__env *e = aev__fn_new_env(f);
      if (!e) break;
      e->pinned = 1;
      memcpy(e->version, p->version, sizeof e->version);
      if (init) {
        aev_invocation c = {.f = f, .conf = conf, .env = e, .cold = 1,
                            .start = aev__fn_now(f)};
        c.deadline = c.start + (int64_t)conf->timeout * 1000;
        memcpy(c.version, version, sizeof c.version);
        aev__broker_uuid(f->res.broker, c.request_id);
        init(f->user, &c);
      }
      e->next = envs;
      envs = e;
    }
    aev__fconf_unref(conf);
  }
  pthread_mutex_lock(&f->mu);
  if (!p->removed) {
    while (envs) {
      aev__env *e = envs;
      envs = e->next;
      e->next = f->prov;
      f->prov = e;
    }
    p->allocated = n;
    p->ready = 1;
  }
  pthread_mutex_unlock(&f->mu);
  while (envs) {
    aev__env *e = envs;
    envs = e->next;
    free(e);
  }
  work_done(p);
}

static void allocation_due(void *arg, int cancelled) {
  aev__pconf *p = arg;
  if (cancelled || aev__sched_post_handler(aev__broker_sched(p->f->res.broker),
                                           allocate, p) != AEV_OK)
    work_done(p);
}

static int unpublished(void) {
  return aev__fn_invalid("Provisioned Concurrency Configs cannot be applied "
                         "to unpublished function versions.");
}

static int not_found(void) {
  return aev__fail(AEV_ERR_NOT_FOUND,
                   "ProvisionedConcurrencyConfigNotFoundException",
                   "No Provisioned Concurrency Config found for this "
                   "function");
}

static int is_version(const char *qualifier) {
  return strspn(qualifier, "0123456789") == strlen(qualifier);
}

/* The version or alias a provisioned concurrency action names, as Lambda
 * checks it (recorded: test_provisioned_concurrency_exceptions): $LATEST
 * is refused, an unpublished version is "Function not found: ARN:N", a
 * missing alias "Cannot find alias arn: ARN:NAME". */
static int target_check(aev_function *f, const char *qualifier, int put) {
  if (!qualifier || !*qualifier || strcmp(qualifier, "$LATEST") == 0)
    return put ? unpublished()
               : aev__fn_invalid("The function resource provided must be an "
                                 "alias or a published version.");
  int rc = aev__function_check_qualifier(f, qualifier);
  if (rc != AEV_ERR_NOT_FOUND || strspn(qualifier, "0123456789") == strlen(qualifier))
    return rc;
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Cannot find alias arn: %s:%s", f->res.arn, qualifier);
}

/* Unlinks p from the list (mu held); the caller drops the list's
 * reference and cancels the timer. Its concurrency is returned by the
 * caller. */
static void unlink_locked(aev_function *f, aev__pconf *p) {
  aev__pconf **pp = &f->pcs;
  while (*pp != p) pp = &(*pp)->next;
  *pp = p->next;
  p->removed = 1;
  free_pinned_locked(f, p->version);
}

static void cancel_timer(aev__pconf *p) {
  if (aev__timer_cancel(aev__broker_sched(p->f->res.broker), &p->timer))
    work_done(p);
}

/* A version is provisioned either by itself or through aliases, not both
 * (recorded: test_lambda_provisioned_lifecycle) (mu held). */
static int conflict_locked(aev_function *f, const char *qualifier,
                           const char *version) {
  for (aev__pconf *p = f->pcs; p; p = p->next) {
    if (strcmp(p->version, version) || strcmp(p->qualifier, qualifier) == 0) continue;
    if (!is_version(qualifier) && is_version(p->qualifier))
      return aev__fail(AEV_ERR_EXISTS, "ResourceConflictException",
                       "Alias can't be used for Provisioned Concurrency "
                       "configuration on an already Provisioned version");
    if (is_version(qualifier) && !is_version(p->qualifier))
      return aev__fail(AEV_ERR_EXISTS, "ResourceConflictException",
                       "Version is pointed by a Provisioned Concurrency alias");
  }
  return AEV_OK;
}

int aev_function_put_provisioned_concurrency(aev_function *f,
                                             const char *qualifier, int n) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  rc = aev__fn_range("provisionedConcurrentExecutions", n, 1, INT32_MAX);
  if (rc == AEV_OK) rc = target_check(f, qualifier, 1);
  if (rc != AEV_OK) return rc;
  if (strlen(qualifier) >= sizeof ((aev__pconf *)0)->qualifier)
    return aev__fn_invalid("The qualifier %s is too long.", qualifier);
  /* An alias provisions the version it points to now. */
  aev__fconf *conf;
  char version[16];
  rc = aev__fn_resolve(f, qualifier, &conf, version);
  if (rc != AEV_OK) return rc;
  aev__fconf_unref(conf);
  aev__pconf *p = calloc(1, sizeof *p);
  if (!p) return aev__nomem();
  p->f = f;
  p->requested = n;
  p->refs = 2; /* the list and the allocation timer */
  p->modified_ms = aev__fn_now_ms(f);
  strcpy(p->qualifier, qualifier);
  memcpy(p->version, version, sizeof p->version);
  aev__timer_init(&p->timer, allocation_due, p, NULL);
  pthread_mutex_lock(&f->mu);
  aev__pconf *old = find_locked(f, qualifier);
  rc = conflict_locked(f, qualifier, version);
  /* Every version's and alias's provisioned concurrency counts against the
   * function's reservation, or else against the account's unreserved
   * pool. */
  int total = f->provisioned - (old ? old->requested : 0) + n;
  if (rc == AEV_OK && f->res.deleted) rc = aev__fn_check(f);
  else if (rc == AEV_OK && f->reserved >= 0 && total > f->reserved)
    rc = aev__fn_invalid("Requested Provisioned Concurrency should not be "
                         "greater than the reservedConcurrentExecution for "
                         "function");
  else if (rc == AEV_OK && f->reserved < 0)
    rc = aev__account_provision(f->account, f->provisioned, total);
  if (rc != AEV_OK) {
    pthread_mutex_unlock(&f->mu);
    free(p);
    return rc;
  }
  f->provisioned = total;
  if (old) unlink_locked(f, old);
  p->next = f->pcs;
  f->pcs = p;
  pthread_mutex_unlock(&f->mu);
  aev__resource_ref(&f->res); /* the allocation's (work_done) */
  if (old) {
    cancel_timer(old);
    pconf_drop(old);
  }
  if (aev__timer_arm(aev__broker_sched(f->res.broker), &p->timer,
                     aev__fn_now(f) + AEV__FN_PROVISION_MS) != AEV_OK) {
    work_done(p);
    return aev__broker_check_open(f->res.broker);
  }
  return AEV_OK;
}

/* GetProvisionedConcurrencyConfig's shape (mu held). */
static json_t *pconf_json_locked(const aev__pconf *p) {
  char when[40];
  aev__fn_iso_time(p->modified_ms, when, sizeof when, 0);
  return json_pack("{sisisissss}", "RequestedProvisionedConcurrentExecutions",
                   p->requested, "AvailableProvisionedConcurrentExecutions",
                   p->allocated, "AllocatedProvisionedConcurrentExecutions",
                   p->allocated, "Status", p->ready ? "READY" : "IN_PROGRESS",
                   "LastModified", when);
}

int aev_function_provisioned_concurrency(aev_function *f,
                                         const char *qualifier, char **json) {
  int rc = aev__fn_check(f);
  if (rc == AEV_OK) rc = target_check(f, qualifier, 0);
  if (rc != AEV_OK) return rc;
  pthread_mutex_lock(&f->mu);
  aev__pconf *p = find_locked(f, qualifier);
  json_t *o = p ? pconf_json_locked(p) : NULL;
  pthread_mutex_unlock(&f->mu);
  if (!p) return not_found();
  return aev__fn_dump(o, json);
}

int aev__fn_provisioned_list(aev_function *f, json_t **out) {
  int rc = aev__fn_check(f);
  if (rc != AEV_OK) return rc;
  json_t *list = json_array();
  pthread_mutex_lock(&f->mu);
  for (aev__pconf *p = f->pcs; list && p; p = p->next) {
    json_t *o = pconf_json_locked(p);
    char *arn = aev__function_qualified_arn(f, p->qualifier);
    aev__fn_put(&o, "FunctionArn", arn ? json_string(arn) : NULL);
    free(arn);
    aev__fn_put(&list, NULL, o);
  }
  pthread_mutex_unlock(&f->mu);
  *out = list ? json_pack("{so}", "ProvisionedConcurrencyConfigs", list) : NULL;
  return *out ? AEV_OK : aev__nomem();
}

void aev__fn_provisioned_drop(aev_function *f, const char *qualifier) {
  pthread_mutex_lock(&f->mu);
  aev__pconf *p = find_locked(f, qualifier);
  if (p) {
    unlink_locked(f, p);
    /* After DeleteFunction the shutdown gave everything back already. */
    if (f->reserved < 0 && !f->res.deleted)
      aev__account_provision(f->account, f->provisioned,
                             f->provisioned - p->requested);
    if (!f->res.deleted) f->provisioned -= p->requested;
  }
  pthread_mutex_unlock(&f->mu);
  if (!p) return;
  cancel_timer(p);
  pconf_drop(p);
}

/* Lambda answers 204 for a version or alias without a configuration. */
int aev_function_delete_provisioned_concurrency(aev_function *f,
                                                const char *qualifier) {
  int rc = aev__fn_check(f);
  if (rc == AEV_OK) rc = target_check(f, qualifier, 0);
  if (rc == AEV_OK) aev__fn_provisioned_drop(f, qualifier);
  return rc;
}

void aev__fn_provisioned_free(aev_function *f) {
  while (f->prov) {
    aev__env *e = f->prov;
    f->prov = e->next;
    free(e);
  }
  while (f->pcs) { /* only the list's references are left */
    aev__pconf *p = f->pcs;
    f->pcs = p->next;
    free(p);
  }
}

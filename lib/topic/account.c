/* SNS's account-wide state: one registry resource per broker, made by the
 * first call that needs it and freed with the broker. */
#include <stdlib.h>

#include "core/registry.h"
#include "core/status.h"
#include "topic/account.h"

static void account_destroy(aev__resource *r) {
  aev__sns_account *a = (aev__sns_account *)r;
  json_decref(a->sms_attrs);
  json_decref(a->opted_out);
  json_decref(a->sandbox);
  json_decref(a->apps);
  json_decref(a->endpoints);
  json_decref(a->outbox);
  pthread_mutex_destroy(&a->mu);
  free(a);
}

static int account_new(aev_broker *b, aev__sns_account **out) {
  aev__sns_account *a = calloc(1, sizeof *a);
  if (!a) return aev__nomem();
  a->sms_attrs = json_object();
  a->opted_out = json_object();
  a->sandbox = json_object();
  a->apps = json_object();
  a->endpoints = json_object();
  a->outbox = json_array();
  int rc = a->sms_attrs && a->opted_out && a->sandbox && a->apps && a->endpoints &&
                   a->outbox && !pthread_mutex_init(&a->mu, NULL)
               ? aev__resource_init(&a->res, b, AEV__KIND_SNS_ACCOUNT, "sns", account_destroy,
                                    NULL)
               : AEV_ERR_NOMEM;
  if (rc != AEV_OK) {
    json_decref(a->sms_attrs);
    json_decref(a->opted_out);
    json_decref(a->sandbox);
    json_decref(a->apps);
    json_decref(a->endpoints);
    json_decref(a->outbox);
    free(a);
    return rc == AEV_ERR_NOMEM ? aev__nomem() : rc;
  }
  *out = a;
  return AEV_OK;
}

int aev__sns_account_get(aev_broker *b, aev__sns_account **out) {
  aev__resource *r = aev__registry_find(b, AEV__KIND_SNS_ACCOUNT, "sns");
  if (r) {
    *out = (aev__sns_account *)r;
    return AEV_OK;
  }
  aev__sns_account *a = NULL;
  int rc = account_new(b, &a);
  if (rc != AEV_OK) return rc;
  aev__resource *existing = NULL;
  rc = aev__registry_add(b, &a->res, &existing);
  if (rc == AEV_ERR_EXISTS) {
    /* Another call made it first: that one is the account. */
    aev__resource_unref(&a->res);
    *out = (aev__sns_account *)existing;
    return AEV_OK;
  }
  if (rc != AEV_OK) {
    aev__resource_unref(&a->res);
    return rc;
  }
  *out = a;
  return AEV_OK;
}

int aev__sns_merge(json_t *dst, json_t *src) {
  const char *k;
  json_t *v;
  json_object_foreach(src, k, v) if (json_object_set_new(dst, k, json_deep_copy(v))) return aev__nomem();
  return AEV_OK;
}

void aev__sns_account_put(aev__sns_account *a) {
  if (a) aev__resource_unref(&a->res);
}

/* SNS's account-wide state: one registry resource per broker, made by the
 * first call that needs it and freed with the broker. */
#include <stdlib.h>
#include <string.h>

#include "core/registry.h"
#include "core/status.h"
#include "topic/account.h"

static void values_free(aev__sns_account *a) {
  json_decref(a->sms_attrs);
  json_decref(a->opted_out);
  json_decref(a->sandbox);
  json_decref(a->apps);
  json_decref(a->endpoints);
  json_decref(a->outbox);
}

static void account_destroy(aev__resource *r) {
  aev__sns_account *a = (aev__sns_account *)r;
  values_free(a);
  pthread_mutex_destroy(&a->mu);
  free(a);
}

static int account_new(aev_broker *b, aev__resource **out) {
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
    values_free(a);
    free(a);
    return rc == AEV_ERR_NOMEM ? aev__nomem() : rc;
  }
  *out = &a->res;
  return AEV_OK;
}

int aev__sns_account_get(aev_broker *b, aev__sns_account **out) {
  aev__resource *r = NULL;
  int rc = aev__registry_singleton(b, AEV__KIND_SNS_ACCOUNT, "sns", account_new, &r);
  *out = (aev__sns_account *)r;
  return rc;
}

int aev__sns_merge(json_t *dst, json_t *src) {
  const char *k;
  json_t *v;
  json_object_foreach(src, k, v) if (json_object_set_new(dst, k, json_deep_copy(v))) return aev__nomem();
  return AEV_OK;
}

static int by_key(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int aev__sns_page(json_t *obj, const char *token, json_t *(*item)(const char *k, json_t *v, void *ctx),
                  void *ctx, const char *list_member, const char *token_member, json_t **resp) {
  char *after = NULL;
  if (token) {
    unsigned char *text;
    size_t len;
    int rc = aev__base64_decode(token, strlen(token), &text, &len);
    if (rc == AEV_ERR_NOMEM) return rc;
    if (rc != AEV_OK || strlen((char *)text) != len) {
      if (rc == AEV_OK) free(text);
      return aev__sns_invalid("Invalid parameter: NextToken");
    }
    after = (char *)text;
  }
  size_t n = json_object_size(obj), k = 0;
  const char **keys = malloc((n ? n : 1) * sizeof *keys);
  json_t *list = json_array(), *v;
  const char *key;
  int failed = !keys || !list;
  if (keys) json_object_foreach(obj, key, v) keys[k++] = key;
  if (keys) qsort(keys, n, sizeof *keys, by_key);
  size_t taken = 0;
  const char *last = NULL;
  int more = 0;
  for (size_t i = 0; !failed && i < n; i++) {
    if (after && strcmp(keys[i], after) <= 0) continue;
    json_t *e = item(keys[i], json_object_get(obj, keys[i]), ctx);
    if (!e) continue;
    if (taken == AEV__SNS_PAGE) {
      /* A next page only when an item is left for it. */
      json_decref(e);
      more = 1;
      break;
    }
    failed = json_array_append_new(list, e);
    taken++;
    last = keys[i];
  }
  json_t *r = failed ? NULL : json_pack("{s:o}", list_member, list);
  if (failed) json_decref(list);
  char *next = NULL;
  if (r && more && (aev__base64_encode(last, strlen(last), &next) != AEV_OK ||
               json_object_set_new(r, token_member, json_string(next)))) {
    json_decref(r);
    r = NULL;
  }
  free(next);
  free(keys);
  free(after);
  if (!r) return aev__nomem();
  *resp = r;
  return AEV_OK;
}

void aev__sns_account_put(aev__sns_account *a) {
  if (a) aev__resource_unref(&a->res);
}

int aev__sns_account_lock(aev_broker *b, aev__sns_account **out) {
  int rc = aev__sns_account_get(b, out);
  if (rc == AEV_OK) pthread_mutex_lock(&(*out)->mu);
  return rc;
}

void aev__sns_account_unlock(aev__sns_account *a) {
  pthread_mutex_unlock(&a->mu);
  aev__sns_account_put(a);
}

int aev__sns_empty(json_t **resp) {
  *resp = json_object();
  return *resp ? AEV_OK : aev__nomem();
}

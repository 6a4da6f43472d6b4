/* Pages of Step Functions' List* answers. A nextToken is the base64 of the
 * listing's scope and the key of the last item handed out, so a page goes
 * on after that item even when items were added or deleted meanwhile, and
 * a token of another listing is refused (InvalidToken). */
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "machine/api_paging.h"
#include "machine/machine_int.h"

#define DEFAULT_PAGE 100

static int invalid_token(void) {
  return aev__fail(AEV_ERR_INVALID, "InvalidToken", "Invalid Token: 'Invalid token'");
}

/* The key a token of scope names, or NULL with InvalidToken. */
static int token_key(const char *token, const char *scope, char **key) {
  unsigned char *raw = NULL;
  size_t n = 0, slen = strlen(scope);
  int rc = aev__base64_decode(token, strlen(token), &raw, &n);
  if (rc == AEV_ERR_NOMEM) return rc;
  if (rc || n <= slen + 1 || memcmp(raw, scope, slen) || raw[slen] != '\n' || memchr(raw, 0, n)) {
    free(raw);
    return invalid_token();
  }
  memmove(raw, raw + slen + 1, n - slen); /* with the decoder's NUL */
  *key = (char *)raw;
  return AEV_OK;
}

int aev__page_open(const aev__api_service *svc, json_t *req, const char *scope, size_t token_max,
                   m_page *pg) {
  int64_t max = 0;
  const char *token = NULL;
  pg->scope = scope;
  pg->after = NULL;
  int rc = aev__api_opt_int(svc, req, "maxResults", 0, 1000, &max);
  if (!rc) rc = aev__api_opt_string(svc, req, "nextToken", &token);
  if (!rc && token) rc = aev__check_length(token, "nextToken", 1, token_max);
  if (!rc && token) rc = token_key(token, scope, &pg->after);
  pg->max = max ? (size_t)max : DEFAULT_PAGE;
  return rc;
}

void aev__page_close(m_page *pg) {
  free(pg->after);
  pg->after = NULL;
}

size_t aev__page_from(const m_page *pg, void *items, size_t n, aev__page_key key) {
  char buf[M_PAGE_KEY_MAX];
  size_t i = 0;
  while (pg->after && i < n && strcmp(key(items, i, buf), pg->after) <= 0) i++;
  return i;
}

int aev__page_next(const m_page *pg, json_t *resp, const char *key) {
  size_t slen = strlen(pg->scope), klen = strlen(key);
  char *raw = malloc(slen + 1 + klen), *token = NULL;
  if (raw) {
    memcpy(raw, pg->scope, slen);
    raw[slen] = '\n';
    memcpy(raw + slen + 1, key, klen);
    aev__base64_encode(raw, slen + 1 + klen, &token);
  }
  free(raw);
  int failed = !token || json_object_set_new(resp, "nextToken", json_string(token));
  free(token);
  return failed ? aev__nomem() : AEV_OK;
}

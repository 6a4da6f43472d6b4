/* Internal to lib/machine: pages of Step Functions' List* answers
 * (ListStateMachines, ListActivities, ListExecutions) by maxResults and
 * nextToken, as AWS takes them (api_paging.c). */
#ifndef AEV_MACHINE_API_PAGING_H
#define AEV_MACHINE_API_PAGING_H

#include <jansson.h>
#include <stddef.h>

#include "api/api.h"

typedef struct m_page {
  size_t max;        /* items on this page */
  const char *scope; /* the listing a token belongs to */
  char *after;       /* the key the token names, or NULL: the first page */
} m_page;

/* Reads maxResults (0-1000, 0 for AWS's default of 100) and nextToken (at
 * most token_max characters; not a token of this scope: InvalidToken).
 * Release with aev__page_close, after failure too. */
int aev__page_open(const aev__api_service *svc, json_t *req, const char *scope, size_t token_max,
                   m_page *pg);
void aev__page_close(m_page *pg);

/* The key of item i of a listing: keys ascend along it, so a token's key
 * places the page even when its item is gone since. A key may be written
 * into buf (M_PAGE_KEY_MAX bytes), or be a string the item holds. */
#define M_PAGE_KEY_MAX 24
typedef const char *(*aev__page_key)(void *items, size_t i, char *buf);

/* The index the page starts at among n items: the first after the token's
 * key. */
size_t aev__page_from(const m_page *pg, void *items, size_t n, aev__page_key key);

/* Sets resp's nextToken to go on after key. */
int aev__page_next(const m_page *pg, json_t *resp, const char *key);

#endif

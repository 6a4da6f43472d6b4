/* Out-of-memory injection and the sweep that uses it (nomem.h). */
#include "nomem.h"

#include <check.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "awsevents/awsevents.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

/* Allocations left before the one that fails; negative: none fails. */
static atomic_long countdown = -1;

static int fails(void) { return atomic_fetch_sub(&countdown, 1) == 0; }

void *__wrap_malloc(size_t n) { return fails() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return fails() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return fails() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return fails() ? NULL : __real_strdup(s); }

void nomem_arm(long k) { atomic_store(&countdown, k); }

int nomem_disarm(void) { return atomic_exchange(&countdown, -1) < 0; }

/* ---- the sweep ---- */

static char *dump(json_t *j) {
  return json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
}

/* Fails the test showing where states was and now part, if they do. */
static void assert_unchanged(const nomem_case *c, long k, json_t *was, json_t *now) {
  if (json_equal(was, now)) return;
  char *a = dump(was), *b = dump(now);
  size_t d = 0;
  while (a[d] && a[d] == b[d]) d++;
  d = d > 40 ? d - 40 : 0;
  ck_abort_msg("%s: allocation %ld failed, yet ...%.300s\nbecame ...%.300s", c->what, k, a + d,
               b + d);
}

/* An out-of-memory answer: worded as one, and nothing a user sees changed. */
static void check_failure(const nomem_case *c, const nomem_attempt *a, const char *code,
                          const char *msg) {
  ck_assert_msg(a->rc == AEV_ERR_NOMEM, "%s, allocation %ld: %d %s %s", c->what, a->k, a->rc, code,
                msg);
  ck_assert_msg(!c->errcode || !strcmp(code, c->errcode), "%s, allocation %ld: %s %s, want %s",
                c->what, a->k, code, msg, c->errcode);
  if (c->state) assert_unchanged(c, a->k, a->was, a->now);
}

int nomem_attempt_once(const nomem_case *c, void *ctx, long k, nomem_tally *t) {
  if (c->fresh) c->fresh(ctx);
  if (c->setup) c->setup(ctx);
  nomem_attempt a = {.k = k, .tally = t};
  if (c->state) a.was = c->state(ctx);
  if (k >= 0) nomem_arm(k);
  a.rc = c->call(ctx);
  int reached = k >= 0 && nomem_disarm();
  t->injected += reached;
  /* Saved before anything else can set them. */
  char code[64], msg[512];
  snprintf(code, sizeof code, "%s", a.rc ? aev_errcode() : "");
  snprintf(msg, sizeof msg, "%s", a.rc ? aev_errmsg() : "");
  if (c->after) c->after(ctx);
  if (c->state) a.now = c->state(ctx);
  if (a.rc != AEV_OK) {
    check_failure(c, &a, code, msg);
    t->failures++;
    if (c->failed) c->failed(ctx, &a);
  } else if (c->succeeded) {
    c->succeeded(ctx, &a);
  }
  json_decref(a.was);
  json_decref(a.now);
  if (c->end) c->end(ctx);
  return reached;
}

static void check_expect(const nomem_case *c, const nomem_tally *t) {
  switch (c->expect) {
    case NOMEM_FAILS_SOME:
      ck_assert_msg(t->injected > 0 && t->failures > 0, "%s: no allocation failed it", c->what);
      break;
    case NOMEM_NEVER_FAILS:
      ck_assert_msg(t->failures == 0, "%s: %d attempts answered out-of-memory", c->what,
                    t->failures);
      break;
    case NOMEM_ALLOCATES:
      ck_assert_msg(t->injected > 0, "%s: it allocates nothing", c->what);
      break;
    case NOMEM_ANY:
      break;
  }
}

nomem_tally nomem_sweep(const nomem_case *c, void *ctx) {
  nomem_tally t = {0, 0};
  for (long k = 0; nomem_attempt_once(c, ctx, k, &t); k++) continue;
  check_expect(c, &t);
  return t;
}

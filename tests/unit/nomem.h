/* Out-of-memory injection for the nomem suites: the library's malloc,
 * calloc, realloc and strdup are wrapped at link time (ld --wrap, which
 * reaches the static archive's calls only; jansson and libc allocate as
 * usual), and nomem_arm(k) makes the k-th of them from then on fail.
 *
 * A sweep (nomem_sweep) arms k = 0, 1, 2, ... around one call until the
 * call makes fewer than k + 1 allocations (nomem_disarm() returns 0):
 * each allocation of that call has then failed once, and after each
 * attempt the call must have answered AEV_ERR_NOMEM and changed nothing
 * a user can see, or succeeded whole. */
#ifndef AEV_TESTS_NOMEM_H
#define AEV_TESTS_NOMEM_H

#include <jansson.h>

/* Fails the allocation after k more that succeed. */
void nomem_arm(long k);

/* Stops failing allocations; returns 1 when the armed one was reached
 * (and failed) since nomem_arm(), else 0. */
int nomem_disarm(void);

/* What a sweep saw: attempts whose armed allocation was reached, and
 * out-of-memory answers (a call's, or an entry's of a batch that
 * succeeded: its check counts those). */
typedef struct nomem_tally {
  int injected, failures;
} nomem_tally;

/* One attempt of a sweep, as the case's checks see it. */
typedef struct nomem_attempt {
  long k;             /* the allocation that was armed to fail; -1: none */
  int rc;             /* what the call answered: AEV_OK or AEV_ERR_NOMEM */
  json_t *was, *now;  /* the case's state() before and after (NULL without one) */
  nomem_tally *tally; /* the sweep's, so far */
} nomem_attempt;

/* What a sweep must find, checked once it ends. */
typedef enum nomem_expect {
  NOMEM_FAILS_SOME,  /* some allocation fails the call (out-of-memory answers) */
  NOMEM_NEVER_FAILS, /* no allocation fails the call */
  NOMEM_ALLOCATES,   /* the call allocates; a failure may be tolerated */
  NOMEM_ANY          /* nothing: the suite checks the tally itself */
} nomem_expect;

/* One call under test, as hooks on a context the suite owns. Only call
 * is required. The hooks run in this order each attempt: fresh (new
 * objects), setup (the state the call starts from), state (was), the
 * call with allocation k armed, after (lets what the call started run:
 * a drain, an advance), state (now), then succeeded or failed, then end
 * (frees what fresh made). On AEV_ERR_NOMEM the sweep itself checks that
 * now equals was; succeeded and failed may be one function that looks at
 * a->rc. No Check assertion in call(): Check allocates when it records
 * one. */
typedef struct nomem_case {
  const char *what;
  void (*fresh)(void *ctx);
  void (*setup)(void *ctx);
  json_t *(*state)(void *ctx);
  int (*call)(void *ctx);
  void (*after)(void *ctx);
  void (*succeeded)(void *ctx, const nomem_attempt *a);
  void (*failed)(void *ctx, const nomem_attempt *a);
  void (*end)(void *ctx);
  /* The aev_errcode() an out-of-memory answer must carry (NULL: any). */
  const char *errcode;
  nomem_expect expect; /* NOMEM_FAILS_SOME unless set */
} nomem_case;

/* One attempt with allocation k armed (k < 0: none); returns 1 when the
 * armed allocation was reached, so that a sweep must go on. */
int nomem_attempt_once(const nomem_case *c, void *ctx, long k, nomem_tally *t);

/* Every allocation of c's call fails in turn: attempts k = 0, 1, ...
 * until one makes no allocation k; then checks c->expect. */
nomem_tally nomem_sweep(const nomem_case *c, void *ctx);

/* The link arguments a nomem suite needs, for tests/unit/meson.build:
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup */

#endif

/* Out-of-memory injection (nomem.h). */
#include "nomem.h"

#include <stdatomic.h>
#include <stddef.h>

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

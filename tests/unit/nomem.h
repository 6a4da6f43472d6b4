/* Out-of-memory injection for the nomem suites: the library's malloc,
 * calloc, realloc and strdup are wrapped at link time (ld --wrap, which
 * reaches the static archive's calls only; jansson and libc allocate as
 * usual), and nomem_arm(k) makes the k-th of them from then on fail.
 *
 * A sweep arms k = 0, 1, 2, ... around one call until the call makes
 * fewer than k + 1 allocations (nomem_disarm() returns 0): each
 * allocation of that call has then failed once. */
#ifndef AEV_TESTS_NOMEM_H
#define AEV_TESTS_NOMEM_H

/* Fails the allocation after k more that succeed. */
void nomem_arm(long k);

/* Stops failing allocations; returns 1 when the armed one was reached
 * (and failed) since nomem_arm(), else 0. */
int nomem_disarm(void);

/* The link arguments a nomem suite needs, for tests/unit/meson.build:
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup */

#endif

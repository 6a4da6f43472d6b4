/* Locale-independent number text: strtod_l and a per-call uselocale()
 * around vsnprintf, both with the C locale. */
#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/number.h"

/* The C locale, made once per process and never changed or freed after:
 * an immutable constant, not shared mutable state (glibc even hands back
 * its own static C locale object, so nothing is allocated). POSIX has no
 * ready-made locale_t for "C", hence the pthread_once. */
static pthread_once_t c_once = PTHREAD_ONCE_INIT;
static locale_t c_loc;

static void make_c_locale(void) {
  c_loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* The C locale, or (locale_t)0 in the unlikely case it could not be made
 * (out of memory), when the callers fall back to the host's locale. */
static locale_t c_locale(void) {
  pthread_once(&c_once, make_c_locale);
  return c_loc;
}

double aev__strtod(const char *s, char **end) {
  locale_t c = c_locale();
  return c ? strtod_l(s, end, c) : strtod(s, end);
}

int aev__snprintf_c(char *out, size_t cap, const char *fmt, ...) {
  locale_t c = c_locale();
  /* uselocale changes this thread's locale only, and is put back at once:
   * a host thread's own uselocale() choice is restored too. */
  locale_t prev = c ? uselocale(c) : (locale_t)0;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out, cap, fmt, ap);
  va_end(ap);
  if (c) uselocale(prev);
  return n;
}

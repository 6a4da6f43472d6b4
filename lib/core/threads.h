/* Internal: whether the process has a single thread, so that a hot path may
 * skip the atomic read-modify-writes and locked instructions nobody could
 * race with, as glibc's own locks do (<sys/single_threaded.h>). Where the C
 * library does not tell, it says no, and callers synchronise as usual. */
#ifndef AEV_CORE_THREADS_H
#define AEV_CORE_THREADS_H

#if defined(__has_include)
#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define AEV__HAVE_SINGLE_THREADED 1
#endif
#endif

/* Only this thread can create another, so a true answer stays true until
 * it does. */
static inline int aev__single_threaded(void) {
#ifdef AEV__HAVE_SINGLE_THREADED
  return __libc_single_threaded != 0;
#else
  return 0;
#endif
}

#endif

/* Internal: learns, without polling, when the system's wall clock is set:
 * stepped by NTP or an administrator, or moved on by a resume from suspend
 * (the monotonic clock does not count a suspend). The scheduler uses it to
 * move the timers it armed for wall-clock instants: a started watch tells
 * it from a thread of its own; an opened one answers when asked (a broker
 * without workers, whose timers fire only when it is drained). */
#ifndef AEV_CORE_CLOCK_WATCH_H
#define AEV_CORE_CLOCK_WATCH_H

typedef struct aev__clock_watch aev__clock_watch;

/* Starts a watch that calls on_set(arg) on its own thread after each set
 * of the wall clock. AEV_ERR_INTERNAL (with an error naming what failed)
 * when the system offers no such notice. */
int aev__clock_watch_start(void (*on_set)(void *arg), void *arg, aev__clock_watch **out);

/* Opens a watch without a thread, for aev__clock_watch_was_set(); fails as
 * aev__clock_watch_start() does. */
int aev__clock_watch_open(aev__clock_watch **out);

/* For an opened watch: 1 when the wall clock was set since the watch was
 * opened or last answered 1, else 0. Never blocks. */
int aev__clock_watch_was_set(aev__clock_watch *w);

/* Stops the watch and waits for its thread, if it has one (and so for any
 * on_set call under way), to end. NULL is a no-op. */
void aev__clock_watch_stop(aev__clock_watch *w);

#endif

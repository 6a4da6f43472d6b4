/* Internal: a thread that learns, without polling, when the system's wall
 * clock is set: stepped by NTP or an administrator, or moved on by a resume
 * from suspend (the monotonic clock does not count a suspend). The
 * scheduler uses it to move the timers it armed for wall-clock instants. */
#ifndef AEV_CORE_CLOCK_WATCH_H
#define AEV_CORE_CLOCK_WATCH_H

typedef struct aev__clock_watch aev__clock_watch;

/* Starts a watch that calls on_set(arg) on its own thread after each set
 * of the wall clock. AEV_ERR_INTERNAL (with an error naming what failed)
 * when the system offers no such notice. */
int aev__clock_watch_start(void (*on_set)(void *arg), void *arg, aev__clock_watch **out);

/* Stops the watch and waits for its thread (and so for any on_set call
 * under way) to end. NULL is a no-op. */
void aev__clock_watch_stop(aev__clock_watch *w);

#endif

/* The kinesalite peer for stream_bench: starts kinesalite (npm) on
 * 127.0.0.1 under Node.js when both are available, and speaks Kinesis's
 * JSON protocol to it over one keep-alive HTTP/1.1 connection. */
#ifndef AEV_BENCH_KINESALITE_H
#define AEV_BENCH_KINESALITE_H

#include <stddef.h>
#include <sys/types.h>

typedef struct kl_peer {
  pid_t pid;
  int fd;
  int port;
} kl_peer;

/* Starts the peer (installing kinesalite@3.3.3 with npm into dir when it
 * is missing). 0 on success; -1 with a reason on stderr when Node.js or
 * kinesalite is unavailable. */
int kl_start(kl_peer *p, const char *where, int port);
void kl_stop(kl_peer *p);
/* Waits until the peer process has used no CPU for 100 ms (at most 3 s),
 * so what it still does after a call (deleting a stream, collecting
 * garbage) does not overlap the next timed case. */
void kl_quiesce(kl_peer *p);

/* One call: target is the action ("PutRecords"), body the JSON request.
 * Returns the HTTP status and stores the response body (malloc'd) in
 * *resp; -1 on a connection failure. */
int kl_call(kl_peer *p, const char *target, const char *body, size_t len,
            char **resp);

#endif

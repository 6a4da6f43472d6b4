/* A Node.js peer driven through pipes, for rows that run an npm package
 * beside ours in the same run: one command line in, one reply line out, so
 * the process (and Node.js's start-up) lives outside every timed region. */
#ifndef AEV_BENCH_NODE_PEER_H
#define AEV_BENCH_NODE_PEER_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

typedef struct bench_node {
  FILE *in, *out;
  pid_t pid;
} bench_node;

/* Starts `node script` with NODE_PATH=node_path when node_path/package (a
 * folder) and script exist; -1 (nothing started) otherwise. */
int bench_node_start(bench_node *n, const char *script, const char *node_path,
                     const char *package);

/* Sends cmd and reads the one-line reply (newline removed); -1 when the
 * peer has gone. */
int bench_node_cmd(bench_node *n, const char *cmd, char *reply, size_t cap);

/* Closes the pipes and waits for the peer to exit. */
void bench_node_stop(bench_node *n);

#endif

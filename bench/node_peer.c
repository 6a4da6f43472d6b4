/* A Node.js peer process behind two pipes (see node_peer.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "node_peer.h"

int bench_node_start(bench_node *n, const char *script, const char *node_path,
                     const char *package) {
  char probe[1024];
  struct stat st;
  snprintf(probe, sizeof probe, "%s/%s", node_path, package);
  if (stat(probe, &st) != 0 || !S_ISDIR(st.st_mode) || access(script, R_OK) != 0) return -1;
  int to_child[2], from_child[2];
  if (pipe(to_child)) return -1;
  if (pipe(from_child)) {
    close(to_child[0]);
    close(to_child[1]);
    return -1;
  }
  n->pid = fork();
  if (n->pid < 0) return -1;
  if (n->pid == 0) {
    dup2(to_child[0], 0);
    dup2(from_child[1], 1);
    close(to_child[1]);
    close(from_child[0]);
    setenv("NODE_PATH", node_path, 1);
    execlp("node", "node", script, (char *)NULL);
    _exit(127);
  }
  close(to_child[0]);
  close(from_child[1]);
  n->in = fdopen(to_child[1], "w");
  n->out = fdopen(from_child[0], "r");
  if (!n->in || !n->out) {
    bench_node_stop(n);
    return -1;
  }
  return 0;
}

int bench_node_cmd(bench_node *n, const char *cmd, char *reply, size_t cap) {
  if (fprintf(n->in, "%s\n", cmd) < 0 || fflush(n->in)) return -1;
  if (!fgets(reply, (int)cap, n->out)) return -1;
  reply[strcspn(reply, "\n")] = 0;
  return 0;
}

void bench_node_stop(bench_node *n) {
  if (n->in) fclose(n->in);
  if (n->out) fclose(n->out);
  n->in = n->out = NULL;
  if (n->pid > 0) waitpid(n->pid, NULL, 0);
  n->pid = 0;
}

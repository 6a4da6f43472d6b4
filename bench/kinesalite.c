/* kinesalite over loopback: process start/stop (by pid) and a minimal
 * HTTP/1.1 client with Content-Length framing, enough for the JSON
 * protocol's request/response calls. */
#include "kinesalite.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* kinesalite's CLI listens on every interface: make it loopback only. */
static const char preload[] =
    "const net = require('net');\n"
    "const listen = net.Server.prototype.listen;\n"
    "net.Server.prototype.listen = function (...a) {\n"
    "  if (typeof a[0] === 'number') a.splice(1, 0, '127.0.0.1');\n"
    "  return listen.apply(this, a);\n"
    "};\n";

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

static int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

int kl_start(kl_peer *p, const char *where, int port) {
  char cli[PATH_MAX + 64], pre[PATH_MAX + 64], cmd[2 * PATH_MAX + 160],
      dir[PATH_MAX];
  memset(p, 0, sizeof *p);
  p->fd = -1;
  p->port = port;
  if (system("command -v node >/dev/null 2>&1") != 0) {
    fprintf(stderr, "stream_bench: Node.js not found; kinesalite rows skipped\n");
    return -1;
  }
  snprintf(cmd, sizeof cmd, "mkdir -p '%s'", where);
  if (system(cmd) != 0 || !realpath(where, dir)) return -1;
  snprintf(cli, sizeof cli, "%s/node_modules/kinesalite/cli.js", dir);
  if (!exists(cli)) {
    snprintf(cmd, sizeof cmd,
             "mkdir -p '%s' && cd '%s' && npm install --silent --no-audit "
             "--no-fund kinesalite@3.3.3 >/dev/null 2>&1",
             dir, dir);
    if (system(cmd) != 0 || !exists(cli)) {
      fprintf(stderr, "stream_bench: npm install kinesalite failed; rows skipped\n");
      return -1;
    }
  }
  snprintf(pre, sizeof pre, "%s/loopback.js", dir);
  FILE *f = fopen(pre, "w");
  if (!f) return -1;
  fputs(preload, f);
  fclose(f);
  /* Another server on the port (an earlier run's, another program's):
   * take the next free one, so we only ever talk to our own child. */
  for (int fd; (fd = connect_to(port)) >= 0; port++) close(fd);
  p->port = port;
  char portarg[16];
  snprintf(portarg, sizeof portarg, "%d", port);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int devnull = open("/dev/null", 1);
    if (devnull >= 0) dup2(devnull, 1);
    execlp("node", "node", "-r", pre, cli, "--port", portarg,
           "--createStreamMs", "0", "--deleteStreamMs", "0",
           "--updateStreamMs", "0", "--shardLimit", "1000", (char *)NULL);
    _exit(127);
  }
  p->pid = pid;
  for (int i = 0; i < 200 && p->fd < 0; i++) {
    struct timespec t = {0, 50 * 1000 * 1000};
    nanosleep(&t, NULL);
    if (waitpid(pid, NULL, WNOHANG) == pid) {
      p->pid = 0; /* it exited: nothing to stop */
      break;
    }
    p->fd = connect_to(port);
  }
  if (p->fd < 0) {
    fprintf(stderr, "stream_bench: kinesalite did not start; rows skipped\n");
    kl_stop(p);
    return -1;
  }
  return 0;
}

void kl_stop(kl_peer *p) {
  if (p->fd >= 0) close(p->fd);
  p->fd = -1;
  if (p->pid > 0) {
    kill(p->pid, SIGTERM);
    waitpid(p->pid, NULL, 0);
  }
  p->pid = 0;
}

/* The peer's CPU time so far (user + system, in clock ticks, all its
 * threads), or -1 when it cannot be read. */
static long cpu_ticks(pid_t pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  /* Fields 14 and 15, counted after the parenthesised command name. */
  const char *p = strrchr(buf, ')');
  long ut, st;
  if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld",
                   &ut, &st) != 2)
    return -1;
  return ut + st;
}

void kl_quiesce(kl_peer *p) {
  long last = p->pid > 0 ? cpu_ticks(p->pid) : -1;
  /* Quiet for 100 ms (its work after a call, V8's collector) or 3 s. */
  for (int i = 0; last >= 0 && i < 30; i++) {
    struct timespec t = {0, 100 * 1000 * 1000};
    nanosleep(&t, NULL);
    long now = cpu_ticks(p->pid);
    if (now == last) break;
    last = now;
  }
}

/* MSG_NOSIGNAL: a connection the server closed fails the call, not the
 * program (SIGPIPE). */
static int write_all(int fd, const char *s, size_t n) {
  while (n) {
    ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
    if (w <= 0) return -1;
    s += w;
    n -= (size_t)w;
  }
  return 0;
}

/* One request on the open connection: the HTTP status, or -1 on a broken
 * response, or -2 when the connection was closed before the response
 * began (worth one retry on a new connection). */
static int call_once(kl_peer *p, const char *target, const char *body,
                     size_t len, char **resp) {
  char head[512];
  int hn = snprintf(head, sizeof head,
                    "POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                    "Content-Type: application/x-amz-json-1.1\r\n"
                    "X-Amz-Target: Kinesis_20131202.%s\r\n"
                    "X-Amz-Date: 20240101T000000Z\r\n"
                    "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20240101/"
                    "us-east-1/kinesis/aws4_request, SignedHeaders=host;"
                    "x-amz-date, Signature=00\r\n"
                    "Content-Length: %zu\r\n\r\n",
                    p->port, target, len);
  if (write_all(p->fd, head, (size_t)hn) || write_all(p->fd, body, len)) return -2;
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  char *end = NULL;
  while (buf && !(end = n ? strstr(buf, "\r\n\r\n") : NULL)) {
    if (n + 1 >= cap) {
      char *b2 = realloc(buf, cap *= 2);
      if (!b2) break;
      buf = b2;
    }
    ssize_t r = read(p->fd, buf + n, cap - n - 1);
    if (r <= 0) break;
    n += (size_t)r;
    buf[n] = '\0';
  }
  if (!end) {
    free(buf);
    return n ? -1 : -2;
  }
  int status = atoi(buf + 9);
  const char *cl = strcasestr(buf, "\r\nContent-Length:");
  size_t want = cl ? strtoul(cl + 17, NULL, 10) : 0;
  size_t have = n - (size_t)(end + 4 - buf), off = (size_t)(end + 4 - buf);
  char *out = malloc(want + 1);
  if (!out) {
    free(buf);
    return -1;
  }
  memcpy(out, buf + off, have < want ? have : want);
  free(buf);
  while (have < want) {
    ssize_t r = read(p->fd, out + have, want - have);
    if (r <= 0) {
      free(out);
      return -1;
    }
    have += (size_t)r;
  }
  out[want] = '\0';
  *resp = out;
  return status;
}

/* Node.js closes a keep-alive connection idle for 5 s (its
 * keepAliveTimeout), as happens while ours runs between the peer's calls:
 * then the call goes again on a new connection. */
int kl_call(kl_peer *p, const char *target, const char *body, size_t len,
            char **resp) {
  int st = call_once(p, target, body, len, resp);
  if (st != -2) return st;
  close(p->fd);
  p->fd = connect_to(p->port);
  if (p->fd < 0) return -1;
  st = call_once(p, target, body, len, resp);
  return st == -2 ? -1 : st;
}

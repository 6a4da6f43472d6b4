/* --function NAME=COMMAND: the handler that runs a shell command per
 * invocation (event on stdin, result on stdout, stderr kept for errors),
 * the option parsing, and the functions it creates. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "awsevents/function.h"
#include "cli_function.h"

extern char **environ;

typedef struct binding {
  struct binding *next;
  char *name;
  char *command;
} binding;

struct cli_functions {
  binding *head, *tail;
};

typedef struct buf {
  char *p;
  size_t n, cap;
} buf;

static int buf_read(buf *b, int fd) {
  if (b->n + 4096 + 1 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 8192;
    char *p = realloc(b->p, cap);
    if (!p) return -1;
    b->p = p;
    b->cap = cap;
  }
  ssize_t r = read(fd, b->p + b->n, b->cap - b->n - 1);
  if (r > 0) {
    b->n += (size_t)r;
    b->p[b->n] = '\0';
  }
  return (int)r;
}

static void trim(buf *b) {
  while (b->n && (b->p[b->n - 1] == '\n' || b->p[b->n - 1] == '\r' ||
                  b->p[b->n - 1] == ' ' || b->p[b->n - 1] == '\t'))
    b->p[--b->n] = '\0';
}

/* Runs command with input on stdin; collects stdout and stderr. Returns the
 * exit status (128 + signal when killed), or -1 when it could not run. */
static int run_command(const char *command, const char *input, size_t len,
                       buf *out, buf *err) {
  int in_p[2], out_p[2], err_p[2];
  if (pipe(in_p)) return -1;
  if (pipe(out_p)) {
    close(in_p[0]);
    close(in_p[1]);
    return -1;
  }
  if (pipe(err_p)) {
    close(in_p[0]);
    close(in_p[1]);
    close(out_p[0]);
    close(out_p[1]);
    return -1;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_p[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out_p[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_p[1], 2);
  int fds[6] = {in_p[0], in_p[1], out_p[0], out_p[1], err_p[0], err_p[1]};
  for (int i = 0; i < 6; i++) posix_spawn_file_actions_addclose(&fa, fds[i]);
  char *argv[] = {"/bin/sh", "-c", (char *)command, NULL};
  pid_t pid;
  int rc = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(in_p[0]);
  close(out_p[1]);
  close(err_p[1]);
  if (rc) {
    close(in_p[1]);
    close(out_p[0]);
    close(err_p[0]);
    return -1;
  }
  /* Feed stdin while draining stdout and stderr, so neither side blocks. */
  fcntl(in_p[1], F_SETFL, O_NONBLOCK);
  void (*old)(int) = signal(SIGPIPE, SIG_IGN);
  size_t sent = 0;
  int in_fd = in_p[1], open_outs = 2;
  if (len == 0) {
    close(in_fd);
    in_fd = -1;
  }
  struct pollfd p[3];
  while (open_outs > 0 || in_fd >= 0) {
    p[0] = (struct pollfd){.fd = out_p[0], .events = POLLIN};
    p[1] = (struct pollfd){.fd = err_p[0], .events = POLLIN};
    p[2] = (struct pollfd){.fd = in_fd, .events = POLLOUT};
    if (poll(p, 3, -1) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; i++)
      if (p[i].fd >= 0 && p[i].revents && buf_read(i ? err : out, p[i].fd) <= 0) {
        close(p[i].fd);
        if (i) err_p[0] = -1;
        else out_p[0] = -1;
        open_outs--;
      }
    if (in_fd >= 0 && p[2].revents) {
      ssize_t w = write(in_fd, input + sent, len - sent);
      if (w > 0) sent += (size_t)w;
      if (w < 0 && errno != EAGAIN) sent = len; /* the command closed stdin */
      if (sent == len) {
        close(in_fd);
        in_fd = -1;
      }
    }
  }
  signal(SIGPIPE, old);
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

int cli_run_shell(const char *command, const char *input, size_t len, char **out,
                  size_t *out_len) {
  buf o = {0}, e = {0};
  int status = run_command(command, input, len, &o, &e);
  trim(&o);
  free(e.p);
  *out = o.p;
  *out_len = o.n;
  return status;
}

static void command_handler(void *user, aev_invocation *ctx,
                            const char *event, size_t len) {
  const binding *bd = user;
  buf out = {0}, err = {0};
  int status = run_command(bd->command, event, len, &out, &err);
  trim(&out);
  trim(&err);
  if (status == 0) {
    aev_invocation_succeed(ctx, out.n ? out.p : "null", out.n ? out.n : 4);
  } else if (status < 0) {
    aev_invocation_fail(ctx, "Unhandled", "could not run /bin/sh");
  } else if (out.n && out.p[0] == '{') {
    /* A JSON object on stdout gives errorType / errorMessage; text that is
     * not one becomes the message of an Unhandled error. */
    aev_invocation_fail_json(ctx, out.p, out.n);
  } else {
    aev_invocation_fail(ctx, "Unhandled", err.n ? err.p : "");
  }
  free(out.p);
  free(err.p);
}

int cli_functions_option(cli_functions **fs, const cli_command *cmd,
                         int argc, char **argv, int i) {
  char *key = NULL, *command = NULL;
  int used = cli_key_command_option(cmd, "--function", "NAME", argc, argv, i, &key, &command);
  if (used <= 0) return used;
  binding *bd = *fs || (*fs = calloc(1, sizeof **fs)) ? calloc(1, sizeof *bd) : NULL;
  if (!bd) {
    free(key);
    free(command);
    cli_usage_error(cmd, "out of memory");
    return -1;
  }
  bd->name = key;
  bd->command = command;
  if ((*fs)->tail) (*fs)->tail->next = bd;
  else (*fs)->head = bd;
  (*fs)->tail = bd;
  return used;
}

int cli_functions_create(cli_functions *fs, aev_broker *b) {
  for (binding *bd = fs ? fs->head : NULL; bd; bd = bd->next)
    if (aev_function_create(b, bd->name, NULL, command_handler, bd, NULL,
                            NULL) != AEV_OK ||
        aev_handler_register(b, bd->name, command_handler, bd, NULL) !=
            AEV_OK)
      return cli_aws_error();
  return 0;
}

void cli_functions_free(cli_functions *fs) {
  if (!fs) return;
  while (fs->head) {
    binding *bd = fs->head;
    fs->head = bd->next;
    free(bd->name);
    free(bd->command);
    free(bd);
  }
  free(fs);
}

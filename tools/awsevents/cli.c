/* Helpers shared by the awsevents subcommands: argument loading (inline or
 * file://), the stdout/stderr/exit-code contract, times, the broker. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *read_file(const char *path, int *err) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    *err = errno;
    return NULL;
  }
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  size_t n;
  while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += n;
    if (cap - len - 1 == 0) {
      char *bigger = realloc(buf, cap * 2);
      if (!bigger)
        free(buf);
      buf = bigger;
      cap *= 2;
    }
  }
  *err = buf ? (ferror(f) ? EIO : 0) : ENOMEM;
  fclose(f);
  if (*err) {
    free(buf);
    return NULL;
  }
  buf[len] = 0;
  return buf;
}

int cli_load_arg(const cli_command *cmd, const char *arg, char **out) {
  static const char prefix[] = "file://";
  if (strncmp(arg, prefix, sizeof prefix - 1) != 0) {
    *out = strdup(arg);
    return *out ? 0 : cli_usage_error(cmd, "out of memory");
  }
  const char *path = arg + sizeof prefix - 1;
  int err = 0;
  *out = read_file(path, &err);
  if (!*out)
    return cli_usage_error(cmd, "Unable to load paramfile %s: %s", arg,
                           strerror(err));
  return 0;
}

char *cli_error_json(const char *code, const char *message) {
  json_t *e = json_pack("{s:s, s:s}", "__type", code, "message", message);
  char *text = e ? json_dumps(e, JSON_COMPACT) : NULL;
  json_decref(e);
  return text;
}

int cli_aws_error(void) {
  char *text = cli_error_json(aev_errcode(), aev_errmsg());
  fprintf(stderr, "%s\n",
          text ? text
               : "{\"__type\":\"InternalFailure\",\"message\":\"Out of "
                 "memory.\"}");
  free(text);
  return 1;
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...) {
  fprintf(stderr, "awsevents %s: ", cmd->name);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n\n%s", cmd->usage);
  return 2;
}

int cli_print_json(const char *text) {
  fputs(text, stdout);
  fputc('\n', stdout);
  fflush(stdout);
  return 0;
}

/* Reads exactly n digits into *v; returns the text after them or NULL. */
static const char *digits(const char *s, int n, int *v) {
  *v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)s[i]))
      return NULL;
    *v = *v * 10 + (s[i] - '0');
  }
  return s + n;
}

static int parse_iso(const char *s, int64_t *out_ms) {
  int y, mo, d, h, mi, sec, ms = 0;
  if (!(s = digits(s, 4, &y)) || *s++ != '-' || !(s = digits(s, 2, &mo)) ||
      *s++ != '-' || !(s = digits(s, 2, &d)) || *s++ != 'T' ||
      !(s = digits(s, 2, &h)) || *s++ != ':' || !(s = digits(s, 2, &mi)) ||
      *s++ != ':' || !(s = digits(s, 2, &sec)))
    return -1;
  if (*s == '.') {
    int scale = 100, n = 0;
    for (s++; isdigit((unsigned char)*s); s++, n++) {
      ms += (*s - '0') * scale;
      scale /= 10;
    }
    if (n == 0)
      return -1;
  }
  if (strcmp(s, "Z") != 0 && strcmp(s, "+00:00") != 0)
    return -1;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
    return -1;
  struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                  .tm_hour = h, .tm_min = mi, .tm_sec = sec};
  time_t t = timegm(&tm);
  if (tm.tm_mday != d) /* timegm normalised an impossible date */
    return -1;
  *out_ms = (int64_t)t * 1000 + ms;
  return 0;
}

int cli_parse_time(const char *text, int64_t *out_ms) {
  if (isdigit((unsigned char)text[0]) && strchr(text, '-') == NULL) {
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (*end || errno)
      return -1;
    *out_ms = v;
    return 0;
  }
  return parse_iso(text, out_ms);
}

int cli_broker_new(const uint64_t *seed, int64_t start_ms, aev_broker **out) {
  aev_broker_options *o = NULL;
  int rc = aev_broker_options_new(&o);
  if (!rc)
    rc = aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL);
  if (!rc)
    rc = aev_broker_options_set_workers(o, 0);
  if (!rc && start_ms >= 0)
    rc = aev_broker_options_set_start_time_ms(o, start_ms);
  if (!rc && seed)
    rc = aev_broker_options_set_seed(o, *seed);
  if (!rc)
    rc = aev_broker_new(o, out);
  aev_broker_options_free(o);
  return rc ? cli_aws_error() : 0;
}

int cli_key_command_option(const cli_command *cmd, const char *option, const char *what,
                           int argc, char **argv, int i, char **key, char **command) {
  const size_t n = strlen(option);
  const char *spec;
  int used;
  if (strcmp(argv[i], option) == 0) {
    if (i + 1 >= argc) {
      cli_usage_error(cmd, "%s needs %s=COMMAND", option, what);
      return -1;
    }
    spec = argv[i + 1];
    used = 2;
  } else if (strncmp(argv[i], option, n) == 0 && argv[i][n] == '=') {
    spec = argv[i] + n + 1;
    used = 1;
  } else {
    return 0;
  }
  const char *eq = strchr(spec, '=');
  if (!eq || eq == spec || !eq[1]) {
    cli_usage_error(cmd, "%s needs %s=COMMAND, not '%s'", option, what, spec);
    return -1;
  }
  *key = strndup(spec, (size_t)(eq - spec));
  *command = strdup(eq + 1);
  if (!*key || !*command) {
    free(*key);
    free(*command);
    cli_usage_error(cmd, "out of memory");
    return -1;
  }
  return used;
}

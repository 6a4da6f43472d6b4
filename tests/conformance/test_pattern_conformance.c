/* Runs every case of events/patterns.jsonl (recorded against real AWS)
 * through aev_pattern_compile/aev_pattern_matches: the match result, or the
 * InvalidEventPatternException and its exact message. Exit 77 (skipped) and
 * a loud line when the file is absent. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/pattern.h"

static int run_case(json_t *c, int line) {
  char *pattern = json_dumps(json_object_get(c, "pattern"), JSON_COMPACT | JSON_ENCODE_ANY);
  char *event = json_dumps(json_object_get(c, "event"), JSON_COMPACT | JSON_ENCODE_ANY);
  const char *source = json_string_value(json_object_get(c, "source"));
  int failed = 0;
  aev_pattern *p = NULL;
  int rc = aev_pattern_compile(pattern, strlen(pattern), &p);
  if (json_is_true(json_object_get(c, "error"))) {
    const char *want = json_string_value(json_object_get(c, "aws_message"));
    if (rc == AEV_OK || strcmp(aev_errcode(), "InvalidEventPatternException")) {
      printf("line %d (%s): compiled, expected InvalidEventPatternException\n", line, source);
      failed = 1;
    } else if (want && strcmp(aev_errmsg(), want)) {
      printf("line %d (%s): message\n  got:  %s\n  want: %s\n", line, source, aev_errmsg(), want);
      failed = 1;
    }
  } else if (rc) {
    printf("line %d (%s): compile failed: %s %s\n", line, source, aev_errcode(), aev_errmsg());
    failed = 1;
  } else {
    int match = -1;
    rc = aev_pattern_matches(p, event, strlen(event), &match);
    int want = json_is_true(json_object_get(c, "match"));
    if (rc || match != want) {
      printf("line %d (%s): rc=%d match=%d, expected %d\n", line, source, rc, match, want);
      failed = 1;
    }
  }
  aev_pattern_free(p);
  free(pattern);
  free(event);
  return failed;
}

int main(int argc, char **argv) {
  FILE *f = argc > 1 ? fopen(argv[1], "r") : NULL;
  if (!f) {
    printf("SKIPPED: conformance data %s is absent; no AWS-recorded case was run\n",
           argc > 1 ? argv[1] : "(no path given)");
    return 77;
  }
  char *line = NULL;
  size_t cap = 0;
  int n = 0, failed = 0;
  while (getline(&line, &cap, f) > 0) {
    n++;
    json_error_t err;
    json_t *c = json_loads(line, 0, &err);
    if (!c) {
      printf("line %d: unreadable case: %s\n", n, err.text);
      failed++;
      continue;
    }
    failed += run_case(c, n);
    json_decref(c);
  }
  free(line);
  fclose(f);
  printf("patterns.jsonl: %d/%d cases pass\n", n - failed, n);
  return failed ? 1 : 0;
}

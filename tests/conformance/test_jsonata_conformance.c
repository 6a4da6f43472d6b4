/* Runs every case of the JSONata project's own test suite (v2.0.6, in
 * ../shared/conformance/jsonata) through aev_jsonata_compile/evaluate (JSON
 * text in and out) and again through aev__jsonata_eval_json (jansson in
 * and out, with its shortcuts: the entry point Step Functions uses), and
 * compares each as the suite's README says: deep equality with object key order
 * ignored and numbers by value; undefinedResult means no value; code/error
 * cases must fail with that code. Each case's depth/timelimit become the
 * expression's limits, as the reference runner applies them. Prints
 * passed/failed counts; fails on any failure not listed below as out of
 * scope. Exit 77 (skipped) with a loud line when the suite is absent. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/jsonata.h"
#include "jsonata/jsonata.h"
#include "../support/json_same.h"

/* Cases out of scope, with the reason. */
static const struct {
  const char *name;
  const char *reason;
} out_of_scope[] = {
    {"function-encodeUrl/case002.json",
     "jansson cannot load this case file: it holds a lone surrogate escape (\\ud800) on purpose"},
    {"function-encodeUrlComponent/case002.json",
     "jansson cannot load this case file: it holds a lone surrogate escape (\\ud800) on purpose"},
    {NULL, NULL},
};

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
    free(s);
    s = NULL;
  }
  if (s) s[n] = 0;
  fclose(f);
  return s;
}

/* One evaluation's outcome, from either entry point. */
typedef struct outcome {
  int rc;
  char code[16], message[300];
  json_t *result; /* NULL = undefined */
  int unparsable;  /* the text result is not JSON jansson reads */
  char *text;
} outcome;

static void via_text(aev_jsonata *x, json_t *data, const char *input, json_t *bj, outcome *o) {
  (void)data;
  char *bindings = json_is_object(bj) ? json_dumps(bj, JSON_COMPACT) : NULL;
  char *out = NULL;
  o->rc = aev_jsonata_evaluate(x, input, bindings, &out);
  if (o->rc != AEV_OK) {
    snprintf(o->code, sizeof o->code, "%s", aev_errcode());
    snprintf(o->message, sizeof o->message, "%s", aev_errmsg());
  } else if (out) {
    json_error_t je;
    o->result = json_loads(out, JSON_DECODE_ANY, &je);
    o->unparsable = !o->result;
    o->text = strdup(out);
  }
  aev_free(out);
  free(bindings);
}

static void via_json(aev_jsonata *x, json_t *data, const char *input, json_t *bj, outcome *o) {
  /* a dataset file is loaded as the text API loads its input */
  json_t *loaded = !data && input ? json_loads(input, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL) : NULL;
  int pos;
  o->rc = aev__jsonata_eval_json(x, data ? data : loaded, json_is_object(bj) ? bj : NULL, &o->result, o->code,
                                 o->message, sizeof o->message, &pos);
  if (o->result) o->text = json_dumps(o->result, JSON_ENCODE_ANY | JSON_COMPACT);
  json_decref(loaded);
}

/* Returns NULL when the case passes through `eval`, else a description. */
static const char *run_case(const char *root, const char *folder, json_t *c,
                            void (*eval)(aev_jsonata *, json_t *, const char *, json_t *, outcome *), char *why,
                            size_t whycap) {
  const char *expr = json_string_value(json_object_get(c, "expr"));
  char *exprbuf = NULL;
  if (!expr) {
    char path[2400];
    snprintf(path, sizeof path, "%s/%s", folder, json_string_value(json_object_get(c, "expr-file")));
    expr = exprbuf = read_file(path);
    if (!expr) return "expr-file unreadable";
  }
  char *input = NULL;
  json_t *data = json_object_get(c, "data");
  if (data) {
    input = json_dumps(data, JSON_ENCODE_ANY | JSON_COMPACT);
  } else if (json_is_string(json_object_get(c, "dataset"))) {
    char path[2400];
    snprintf(path, sizeof path, "%s/datasets/%s.json", root, json_string_value(json_object_get(c, "dataset")));
    input = read_file(path);
  }
  json_t *bj = json_object_get(c, "bindings");
  const char *want_code = json_string_value(json_object_get(c, "code"));
  if (!want_code) want_code = json_string_value(json_object_get(json_object_get(c, "error"), "code"));
  aev_jsonata *x = NULL;
  outcome o;
  memset(&o, 0, sizeof o);
  o.rc = aev_jsonata_compile(expr, strlen(expr), &x);
  if (o.rc != AEV_OK) {
    snprintf(o.code, sizeof o.code, "%s", aev_errcode());
    snprintf(o.message, sizeof o.message, "%s", aev_errmsg());
  } else {
    json_t *depth = json_object_get(c, "depth"), *tl = json_object_get(c, "timelimit");
    if (depth || tl)
      aev_jsonata_set_limits(x, depth ? (int)json_integer_value(depth) : 1000, tl ? json_integer_value(tl) : 0);
    eval(x, data, input, bj, &o);
  }
  const char *fail = NULL;
  if (want_code) {
    if (o.rc == AEV_OK) fail = "expected an error, got a result";
    else if (strcmp(o.code, want_code)) {
      snprintf(why, whycap, "error %s, expected %s (%s)", o.code, want_code, o.message);
      fail = why;
    }
  } else if (o.rc != AEV_OK) {
    snprintf(why, whycap, "error %s: %s", o.code, o.message);
    fail = why;
  } else if (json_is_true(json_object_get(c, "undefinedResult"))) {
    if (o.result || o.unparsable) fail = "expected undefined";
  } else if (!o.result && !o.unparsable) {
    fail = "undefined, expected a result";
  } else if (!o.result || !json_same(o.result, json_object_get(c, "result"))) {
    snprintf(why, whycap, "result %.200s", o.text ? o.text : "?");
    fail = why;
  }
  json_decref(o.result);
  free(o.text);
  aev_jsonata_free(x);
  free(input);
  free(exprbuf);
  return fail;
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int list_dir(const char *path, char ***out) {
  DIR *d = opendir(path);
  if (!d) return -1;
  int n = 0, cap = 64;
  char **names = malloc((size_t)cap * sizeof *names);
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    if (n == cap) names = realloc(names, (size_t)(cap *= 2) * sizeof *names);
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, (size_t)n, sizeof *names, cmp_names);
  *out = names;
  return n;
}

static int is_out_of_scope(const char *name) {
  for (size_t i = 0; out_of_scope[i].name; i++)
    if (!strcmp(out_of_scope[i].name, name)) return 1;
  return 0;
}

int main(int argc, char **argv) {
  const char *root = argc > 1 ? argv[1] : "../shared/conformance/jsonata";
  char groups_path[1024];
  snprintf(groups_path, sizeof groups_path, "%s/groups", root);
  char **groups;
  int ng = list_dir(groups_path, &groups);
  if (ng < 0) {
    printf("SKIPPED: the JSONata test suite is absent (%s): this run did NOT check JSONata conformance\n", groups_path);
    return 77;
  }
  static const struct {
    const char *name;
    void (*eval)(aev_jsonata *, json_t *, const char *, json_t *, outcome *);
  } entries[] = {{"text API", via_text}, {"json_t API", via_json}};
  int passed[2] = {0, 0}, failed = 0, excused = 0;
  for (int g = 0; g < ng; g++) {
    char folder[1100];
    snprintf(folder, sizeof folder, "%s/%s", groups_path, groups[g]);
    char **files;
    int nf = list_dir(folder, &files);
    for (int f = 0; f < nf; f++) {
      size_t l = strlen(files[f]);
      if (l < 5 || strcmp(files[f] + l - 5, ".json")) {
        free(files[f]);
        continue;
      }
      char path[1300];
      snprintf(path, sizeof path, "%s/%s", folder, files[f]);
      json_error_t je;
      json_t *body = json_load_file(path, 0, &je);
      size_t count = json_is_array(body) ? json_array_size(body) : 1;
      for (size_t i = 0; i < count; i++) {
        json_t *c = json_is_array(body) ? json_array_get(body, i) : body;
        char name[400], why[600];
        if (json_is_array(body)) snprintf(name, sizeof name, "%s/%s#%zu", groups[g], files[f], i);
        else snprintf(name, sizeof name, "%s/%s", groups[g], files[f]);
        for (int e = 0; e < 2; e++) {
          const char *fail = c ? run_case(root, folder, c, entries[e].eval, why, sizeof why) : "unreadable case";
          if (!fail) passed[e]++;
          else if (is_out_of_scope(name)) excused += e == 0;
          else {
            failed++;
            printf("FAIL %s (%s): %s\n", name, entries[e].name, fail);
          }
        }
      }
      json_decref(body);
      free(files[f]);
    }
    free(files);
    free(groups[g]);
  }
  free(groups);
  printf("jsonata conformance: %d passed, %d failed, %d out of scope (listed in %s)\n", passed[0], failed, excused,
         __FILE__);
  printf("jsonata conformance through aev__jsonata_eval_json (json_t in/out): %d passed\n", passed[1]);
  return failed ? 1 : 0;
}

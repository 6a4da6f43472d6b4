/* A Distributed Map's ItemReader (the guide's "ItemReader (Map)"), read
 * when the state runs from the broker's S3 stand-in (core/s3_objects.h):
 * s3:getObject's JSON array, JSON Lines or CSV rows (each an object of the
 * header's names, every value a string), the rows of the CSV files an S3
 * inventory manifest lists, or s3:listObjectsV2's objects ({Etag, Key,
 * LastModified, Size, StorageClass}), at most MaxItems of them. What AWS
 * was recorded answering (LocalStack's scenarios/test_base_scenarios,
 * test_map_item_reader_*): a CSV row's missing fields are "", its extra
 * fields dropped, its object's members in the order a Java HashMap gives
 * them; duplicate headers fail with "CSV headers cannot contain
 * duplicates.", a JSON object that is no array with "Attempting to map
 * over non-iterable node.", both as States.ItemReaderFailed. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/gzip.h"
#include "core/java_order.h"
#include "core/json_parse.h"
#include "core/s3_objects.h"
#include "core/status.h"
#include "core/text.h"
#include "machine/exec_int.h"
#include "machine/probe.h"
#include "machine/sdk_error.h"

/* The guide: "you can specify a limit of up to 100,000,000"; a larger
 * MaxItemsPath value reads that many, 0 reads all. */
#define MAX_ITEMS 100000000

/* *cause: a new printf-formatted string (NULL out of memory); returns 1.
 * What it quotes of the object (jansson's error text) can stop inside a
 * multi-byte character: scrubbed, as a cause is a JSON string. */
static int failed(char **cause, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int failed(char **cause, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(cause, fmt, ap) < 0) *cause = NULL;
  va_end(ap);
  if (*cause) aev__utf8_scrub(*cause);
  return 1;
}

/* An S3 failure as the Java SDK v2 reports it to Step Functions. */
static int s3_failed(m_run *r, int rc, char **cause) {
  if (rc == AEV_ERR_NOMEM) {
    *cause = NULL;
    return 1;
  }
  char error[128];
  aev__sdk_v2_error(r->e->b, "s3", aev_errcode(), aev_errmsg(), error, sizeof error, cause);
  return 1;
}

/* MaxItems (a number or a JSONata expression), or MaxItemsPath's value on
 * effective (a number, or a string holding one, as AWS reads a Path's
 * value): *max (0: all); -1 when the path or expression fails r, 1 with
 * *cause when the value is no count. */
static int max_items(m_run *r, const m_state *s, json_t *effective, int64_t *max, char **cause) {
  *max = s->reader_max_items;
  if (s->j_reader_max_items) {
    double v;
    if (aev__jq_number(r, s->j_reader_max_items, 1, 0, MAX_ITEMS, &v)) return -1;
    *max = (int64_t)v;
    return 0;
  }
  if (!s->reader_max_items_path) return 0;
  aev__jenv env;
  aev__run_env(r, &env, effective);
  json_t *v = aev__jpath_eval(s->reader_max_items_path, &env);
  if (!v) {
    aev__run_fail_env(r, &env);
    return -1;
  }
  char *end = NULL;
  const char *t = json_string_value(v);
  long long n = json_is_integer(v) ? json_integer_value(v) : t ? strtoll(t, &end, 10) : 0;
  int rc = 0;
  if (!json_is_integer(v) && (!t || !*t || *end)) {
    char *text = aev__json_text(v);
    rc = failed(cause, "The MaxItemsPath field refers to value \"%s\" which is not a valid integer: %s",
                text ? text : "", aev__jpath_text(s->reader_max_items_path));
    free(text);
  } else if (n < 0) {
    rc = failed(cause, "field MaxItems must be positive");
  } else {
    *max = n > MAX_ITEMS ? MAX_ITEMS : n;
  }
  json_decref(v);
  return rc;
}

/* The request (Parameters / Arguments) on effective; NULL when r failed. */
static json_t *request(m_run *r, const aev__tmpl *t, const m_jt *j, json_t *effective) {
  if (j) return aev__jq_value(r, j);
  if (!t) return json_object();
  aev__jenv env;
  aev__run_env(r, &env, effective);
  json_t *v = aev__tmpl_eval(t, &env);
  if (!v) aev__run_fail_env(r, &env);
  return v;
}

static int full(const json_t *items, int64_t max) { return max && (int64_t)json_array_size(items) >= max; }

/* ---- CSV ---- */

/* A CSV record's fields (RFC 4180: quoted fields, "" for a quote in one,
 * CRLF or LF ends a record), from *p up to end; *p moves past it. A blank
 * line is no record: 0 fields. -1 when a quoted field is not closed. */
typedef struct csv_rec {
  char **f;
  size_t n, cap;
} csv_rec;

static void rec_clear(csv_rec *c) {
  for (size_t i = 0; i < c->n; i++) free(c->f[i]);
  c->n = 0;
}

static int rec_push(csv_rec *c, const char *s, size_t n) {
  if (c->n == c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 8;
    char **f = realloc(c->f, cap * sizeof *f);
    if (!f) return -1;
    c->f = f;
    c->cap = cap;
  }
  if (!(c->f[c->n] = strndup(s, n))) return -1;
  c->n++;
  return 0;
}

/* 0 a record (maybe blank), 1 at the end, -1 unclosed quote, -2 no memory. */
static int csv_next(const char **p, const char *end, char delim, csv_rec *rec, char *buf) {
  rec_clear(rec);
  const char *s = *p;
  if (s >= end) return 1;
  if (*s == '\n' || (*s == '\r' && s + 1 < end && s[1] == '\n')) {
    *p = s + (*s == '\r' ? 2 : 1);
    return 0;
  }
  for (;;) {
    size_t n = 0;
    if (s < end && *s == '"') {
      for (s++;; s++) {
        if (s >= end) return -1;
        if (*s == '"' && s + 1 < end && s[1] == '"') buf[n++] = *s++;
        else if (*s == '"') break;
        else buf[n++] = *s;
      }
      s++;
      /* Text after the closing quote belongs to the field (as lenient
       * readers take it). */
      while (s < end && *s != delim && *s != '\n' && *s != '\r') buf[n++] = *s++;
    } else {
      while (s < end && *s != delim && *s != '\n' && !(*s == '\r' && s + 1 < end && s[1] == '\n')) buf[n++] = *s++;
    }
    if (rec_push(rec, buf, n)) return -2;
    if (s < end && *s == delim) {
      s++;
      continue;
    }
    if (s < end) s += *s == '\r' ? 2 : 1;
    *p = s;
    return 0;
  }
}

/* A new string of s, or NULL when it is not UTF-8 (*bad) or out of memory. */
static json_t *text(const char *s, int *bad) {
  json_t *v = json_string(s);
  if (!v && !aev__utf8_valid(s, strlen(s))) *bad = 1;
  return v;
}

/* FIRST_ROW: the first record that is not blank names the columns (none:
 * a file without rows). csv_next's codes, -2 out of memory. */
static int csv_header_row(const char **p, const char *end, char delim, csv_rec *rec, char *buf, json_t *headers,
                          int *bad) {
  int rc;
  while ((rc = csv_next(p, end, delim, rec, buf)) == 0 && !rec->n) continue;
  for (size_t i = 0; !rc && i < rec->n; i++) rc = json_array_append_new(headers, text(rec->f[i], bad)) ? -2 : 0;
  return rc == 1 ? 0 : rc;
}

/* A row as an item: each column's field ("" when the row is short; its
 * extra fields dropped), the members in a Java HashMap's order. */
static json_t *csv_row(json_t *headers, const csv_rec *rec, int *bad) {
  json_t *o = json_object(), *ordered = NULL;
  int lost = !o;
  for (size_t i = 0; !lost && i < json_array_size(headers); i++)
    lost = json_object_set_new(o, json_string_value(json_array_get(headers, i)), text(i < rec->n ? rec->f[i] : "", bad));
  if (!lost) ordered = aev__json_java_order(o);
  json_decref(o);
  return ordered;
}

/* The rows of a CSV file whose columns are given (NULL: named by its first
 * row), fields separated by delim. */
static int csv_items(json_t *given, char delim, const char *data, size_t len, int64_t max, json_t *items,
                     char **cause) {
  const char *p = data, *end = data + len;
  char *buf = malloc(len + 1); /* a field is never longer than the file */
  csv_rec rec = {0};
  json_t *headers = given ? json_incref(given) : json_array();
  int bad = 0, rc = !buf || !headers ? -2 : given ? 0 : csv_header_row(&p, end, delim, &rec, buf, headers, &bad);
  for (size_t i = 0; !rc && i < json_array_size(headers); i++)
    for (size_t k = 0; k < i; k++)
      if (json_equal(json_array_get(headers, i), json_array_get(headers, k))) rc = -3;
  while (!rc && json_array_size(headers) && !full(items, max) && (rc = csv_next(&p, end, delim, &rec, buf)) == 0)
    if (rec.n && json_array_append_new(items, csv_row(headers, &rec, &bad))) rc = -2;
  rec_clear(&rec);
  free(rec.f);
  free(buf);
  json_decref(headers);
  if (bad) return failed(cause, "The CSV file is not valid UTF-8");
  if (rc == -1) return failed(cause, "The CSV file could not be parsed: a quoted field is not closed");
  if (rc == -3) return failed(cause, "CSV headers cannot contain duplicates.");
  if (rc == -2) *cause = NULL;
  return rc == -2 ? 1 : 0;
}

/* ---- JSON, JSON Lines ---- */

/* A JSON file's items: the array it holds, or (JSONPath) the one its
 * ItemsPath selects in it, applied to the dataset the reader read (the
 * guide's "Map state input and output fields": ItemReader, then ItemsPath).
 * -1 when the path fails r. */
static int json_items(m_run *r, const char *data, size_t len, int64_t max, json_t *items, char **cause) {
  json_t *v;
  json_error_t err;
  int rc = aev__json_parse(data, len, JSON_DECODE_ANY, &v, &err);
  if (rc == AEV_ERR_NOMEM) {
    *cause = NULL;
    return 1;
  }
  if (rc) return failed(cause, "The JSON file could not be parsed: %s at line %d", err.text, err.line);
  const aev__jpath *path = aev__run_state(r)->items_path;
  if (path) {
    aev__jenv env;
    aev__run_env(r, &env, v);
    json_t *selected = aev__jpath_eval(path, &env);
    json_decref(v);
    if (!selected) {
      aev__run_fail_env(r, &env);
      return -1;
    }
    v = selected;
  }
  if (!json_is_array(v)) {
    json_decref(v);
    return failed(cause, "Attempting to map over non-iterable node.");
  }
  size_t i;
  json_t *item;
  json_array_foreach(v, i, item) if (full(items, max) || (rc = json_array_append(items, item))) break;
  json_decref(v);
  if (rc) *cause = NULL;
  return rc ? 1 : 0;
}

static int jsonl_items(const char *data, size_t len, int64_t max, json_t *items, char **cause) {
  size_t line = 0;
  for (const char *p = data, *end = data + len; p < end && !full(items, max);) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    line++;
    if (strspn(p, " \t\r") < n) { /* a blank line holds no item */
      json_t *v;
      int rc = aev__json_parse(p, n, JSON_DECODE_ANY, &v, NULL);
      if (rc == AEV_ERR_NOMEM || (!rc && json_array_append_new(items, v))) {
        *cause = NULL;
        return 1;
      }
      if (rc) return failed(cause, "The JSONL file could not be parsed: line %zu is not one JSON value", line);
    }
    p += n + 1;
  }
  return 0;
}

/* ---- S3 inventory manifests ---- */

/* The bucket of the manifest's destinationBucket ("arn:aws:s3:::NAME"),
 * where S3 delivers the inventory files next to it; without one, the
 * bucket the manifest was read from. */
static const char *inventory_bucket(json_t *manifest, const char *bucket) {
  const char *arn = json_string_value(json_object_get(manifest, "destinationBucket"));
  const char *name = arn && strrchr(arn, ':') ? strrchr(arn, ':') + 1 : arn;
  return name && *name ? name : bucket;
}

/* fileSchema's column names ("Bucket, Key, Size, LastModifiedDate"), a new
 * array; NULL out of memory or when a name is not UTF-8 (*bad). */
static json_t *inventory_columns(const char *schema, int *bad) {
  json_t *columns = json_array();
  for (const char *p = schema; columns && *p;) {
    p += strspn(p, " ");
    size_t n = strcspn(p, ","), kept = n;
    while (kept && p[kept - 1] == ' ') kept--;
    char *name = strndup(p, kept);
    json_t *v = name ? text(name, bad) : NULL;
    free(name);
    if (json_array_append_new(columns, v)) {
      json_decref(columns);
      return NULL;
    }
    p += n + (p[n] == ',');
  }
  return columns;
}

/* An inventory file's rows (CSV without a header row, gunzipped when its
 * key ends ".gz", as S3 delivers them), each an item of the columns. */
static int inventory_file(m_run *r, const char *bucket, const char *key, json_t *columns, int64_t max,
                          json_t *items, char **cause) {
  char *data;
  size_t len;
  int rc = aev__s3_get(bucket, key, (size_t)-2, &data, &len);
  if (rc) return s3_failed(r, rc, cause);
  const size_t kl = strlen(key);
  if (kl > 3 && !strcmp(key + kl - 3, ".gz")) {
    aev__tbuf plain = {0};
    const char *why = aev__gunzip(data, len, &plain);
    free(data);
    if (why) {
      free(plain.p);
      if (!strcmp(why, "out of memory")) {
        *cause = NULL;
        return 1;
      }
      return failed(cause, "The inventory file %s could not be decompressed as GZIP: %s", key, why);
    }
    data = plain.p;
    len = plain.n;
  }
  rc = csv_items(columns, ',', data, len, max, items, cause);
  free(data);
  return rc;
}

/* InputType MANIFEST: an S3 inventory's manifest.json (the S3 User Guide's
 * "Inventory manifest": fileFormat, fileSchema, files [{key, size,
 * MD5checksum}]); each of its CSV inventory files' rows is an item, its
 * members the fileSchema's names in a Java HashMap's order and its values
 * strings (the guide's "ItemReader (Map)" shows {LastModifiedDate, Bucket,
 * Size, Key}). The causes are our words: no AWS answer was recorded. */
static int manifest_items(m_run *r, const char *bucket, const char *data, size_t len, int64_t max, json_t *items,
                          char **cause) {
  json_t *m;
  json_error_t err;
  int rc = aev__json_parse(data, len, 0, &m, &err);
  if (rc == AEV_ERR_NOMEM) {
    *cause = NULL;
    return 1;
  }
  if (rc) return failed(cause, "The manifest file could not be parsed: %s at line %d", err.text, err.line);
  json_t *files = json_object_get(m, "files");
  const char *format = json_string_value(json_object_get(m, "fileFormat")),
             *schema = json_string_value(json_object_get(m, "fileSchema"));
  if (!json_is_array(files)) {
    rc = failed(cause, "The manifest file is not an S3 inventory manifest: it has no \"files\" array");
  } else if (!format || strcmp(format, "CSV")) {
    rc = failed(cause, "The S3 inventory's fileFormat %s is not supported: only CSV inventories can be read",
                format ? format : "(none)");
  } else if (!schema) {
    rc = failed(cause, "The manifest file has no \"fileSchema\" naming the inventory's columns");
  } else {
    int bad = 0;
    json_t *columns = inventory_columns(schema, &bad), *f;
    const char *in = inventory_bucket(m, bucket);
    size_t i;
    if (!columns) rc = bad ? failed(cause, "The manifest's fileSchema is not valid UTF-8") : 1; /* no memory */
    json_array_foreach(files, i, f) {
      const char *key = json_string_value(json_object_get(f, "key"));
      if (rc || full(items, max)) break;
      rc = key ? inventory_file(r, in, key, columns, max, items, cause)
               : failed(cause, "The manifest's files[%zu] has no \"key\" naming an inventory file", i);
    }
    json_decref(columns);
  }
  json_decref(m);
  return rc;
}

/* ---- the two resources ---- */

static int list_items(m_run *r, json_t *req, int64_t max, json_t *items, char **cause) {
  const char *bucket = json_string_value(json_object_get(req, "Bucket")),
             *prefix = json_string_value(json_object_get(req, "Prefix"));
  aev__s3_entry *v;
  size_t n;
  int rc = aev__s3_list(bucket, prefix, &v, &n);
  if (rc) return s3_failed(r, rc, cause);
  for (size_t i = 0; !rc && i < n && !full(items, max); i++)
    rc = json_array_append_new(items, json_pack("{s:s,s:s,s:I,s:I,s:s}", "Etag", v[i].etag, "Key", v[i].key,
                                                "LastModified", (json_int_t)(v[i].modified_ms / 1000), "Size",
                                                (json_int_t)v[i].size, "StorageClass", "STANDARD"));
  aev__s3_entries_free(v, n);
  if (rc) *cause = NULL;
  return rc ? 1 : 0;
}

/* The items of the bytes of req's object, as ReaderConfig's InputType
 * reads them (a listing, TestState's stand-in for listObjectsV2, as JSON). */
static int parsed_items(m_run *r, const m_state *s, json_t *req, const char *data, size_t len, int64_t max,
                        json_t *items, char **cause) {
  if (s->reader_list) return json_items(r, data, len, max, items, cause);
  switch (s->reader_input) {
  case M_INPUT_PARQUET:
    return failed(cause, "ReaderConfig InputType PARQUET is not supported by this broker");
  case M_INPUT_MANIFEST:
    return manifest_items(r, json_string_value(json_object_get(req, "Bucket")), data, len, max, items, cause);
  case M_INPUT_CSV:
    return csv_items(s->csv_headers, s->csv_delimiter, data, len, max, items, cause);
  case M_INPUT_JSONL:
    return jsonl_items(data, len, max, items, cause);
  default:
    return json_items(r, data, len, max, items, cause);
  }
}

static int object_items(m_run *r, const m_state *s, json_t *req, int64_t max, json_t *items, char **cause) {
  if (s->reader_input == M_INPUT_PARQUET) return parsed_items(r, s, req, "", 0, max, items, cause);
  char *data;
  size_t len;
  int rc = aev__s3_get(json_string_value(json_object_get(req, "Bucket")),
                       json_string_value(json_object_get(req, "Key")), (size_t)-2, &data, &len);
  if (rc) return s3_failed(r, rc, cause);
  rc = parsed_items(r, s, req, data, len, max, items, cause);
  free(data);
  return rc;
}

/* TestState reads no S3 for the object: its
 * stateConfiguration.mapItemReaderData ("the data read by ItemReader ...
 * as found in its original source", the API reference) is the object's
 * bytes; without it, no items (the mock stands for the results). A
 * manifest's inventory files are still read from the broker's S3 (our
 * choice: the data the ItemReader reads from its source is the manifest). */
static int probe_items(m_run *r, const m_state *s, json_t *req, int64_t max, json_t *items, char **cause) {
  const char *data = r->e->probe->reader_data;
  return data ? parsed_items(r, s, req, data, strlen(data), max, items, cause) : 0;
}

int aev__reader_items(m_run *r, json_t *effective, json_t **items, char **cause) {
  const m_state *s = aev__run_state(r);
  *items = NULL;
  *cause = NULL;
  json_t *req = request(r, s->reader_params, s->j_reader_args, effective);
  if (!req) return -1;
  int64_t max = 0;
  int rc = max_items(r, s, effective, &max, cause);
  if (rc) {
    json_decref(req);
    return rc;
  }
  const char *missing = !json_is_string(json_object_get(req, "Bucket")) ? "Bucket"
                        : !s->reader_list && !json_is_string(json_object_get(req, "Key")) ? "Key"
                                                                                           : NULL;
  if (missing) rc = failed(cause, "The S3 request's %s must be a string", missing);
  else if (!(*items = json_array())) rc = 1;
  else if (r->e->probe) rc = probe_items(r, s, req, max, *items, cause);
  else rc = s->reader_list ? list_items(r, req, max, *items, cause) : object_items(r, s, req, max, *items, cause);
  json_decref(req);
  if (rc) {
    json_decref(*items);
    *items = NULL;
  }
  return rc;
}

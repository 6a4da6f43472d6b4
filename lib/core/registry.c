/* The registry of a broker's named resources: a hash index by (kind, name)
 * and by (kind, ARN) under one read-write lock, ARNs and queue URLs, and the
 * resource reference counts. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/registry.h"
#include "core/status.h"

typedef struct entry {
  aev__resource *res;
  uint64_t name_hash, arn_hash;
  struct entry *name_next, *arn_next; /* bucket chains */
  struct entry *prev, *next;          /* creation order */
} entry;

/* A name removed within the last AEV__REGISTRY_TOMBSTONE_MS. */
typedef struct tomb {
  struct tomb *next; /* removal order */
  aev__kind kind;
  int64_t removed_at; /* deadline timeline ms */
  char name[];
} tomb;

struct aev__registry {
  pthread_rwlock_t lock;
  entry **by_name, **by_arn;
  size_t nbuckets; /* a power of two */
  size_t count;
  entry *first, *last;
  tomb *tombs, *last_tomb;
  int closed;
};

enum { INITIAL_BUCKETS = 16 };

/* --- ARNs and URLs ---------------------------------------------------- */

static const struct {
  const char *service, *resource_type;
  int no_account;
} arn_forms[AEV__KIND_COUNT] = {
    [AEV__KIND_QUEUE] = {"sqs", ""},
    [AEV__KIND_TOPIC] = {"sns", ""},
    [AEV__KIND_STREAM] = {"kinesis", "stream/"},
    [AEV__KIND_DELIVERY] = {"firehose", "deliverystream/"},
    [AEV__KIND_BUS] = {"events", "event-bus/"},
    [AEV__KIND_FUNCTION] = {"lambda", "function:"},
    [AEV__KIND_MACHINE] = {"states", "stateMachine:"},
    [AEV__KIND_ACTIVITY] = {"states", "activity:"},
    [AEV__KIND_MAP_MACHINE] = {"states", "stateMachine:"},
    [AEV__KIND_SCHEDULE_GROUP] = {"scheduler", "schedule-group/"},
    [AEV__KIND_PIPE] = {"pipes", "pipe/"},
    [AEV__KIND_EVENT_SOURCE] = {"events", "event-source/", 1},
    [AEV__KIND_SNS_ACCOUNT] = {"sns", "account/"},
    [AEV__KIND_KINESIS_ACCOUNT] = {"kinesis", "account/"},
};

/* ARNs name the region's partition: aws-cn for the China regions, aws-us-gov
 * for GovCloud, aws elsewhere; China's endpoints end in amazonaws.com.cn. */
static const char *partition(const char *region) {
  if (strncmp(region, "cn-", 3) == 0) return "aws-cn";
  if (strncmp(region, "us-gov-", 7) == 0) return "aws-us-gov";
  return "aws";
}

const char *aev__dns_suffix(const char *region) {
  return strncmp(region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
}

static char *aprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static char *aprintf(const char *fmt, ...) {
  va_list ap, again;
  va_start(ap, fmt);
  va_copy(again, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  char *s = n < 0 ? NULL : malloc((size_t)n + 1);
  if (s) vsnprintf(s, (size_t)n + 1, fmt, again);
  va_end(again);
  va_end(ap);
  return s;
}

char *aev__queue_url(const struct aev_broker *b, const char *name) {
  const char *region = aev_broker_region(b);
  return aprintf("https://sqs.%s.%s/%s/%s", region, aev__dns_suffix(region),
                 aev_broker_account(b), name);
}

/* --- resources ---------------------------------------------------------- */

char *aev__resource_arn(struct aev_broker *b, aev__kind kind, const char *name) {
  const char *region = aev_broker_region(b);
  return aprintf("arn:%s:%s:%s:%s:%s%s", partition(region),
                 arn_forms[kind].service, region,
                 arn_forms[kind].no_account ? "" : aev_broker_account(b),
                 arn_forms[kind].resource_type, name);
}

int aev__resource_init(aev__resource *r, struct aev_broker *b, aev__kind kind,
                       const char *name, void (*destroy)(aev__resource *),
                       void (*shutdown)(aev__resource *)) {
  if ((unsigned)kind >= AEV__KIND_COUNT)
    return aev__fail(AEV_ERR_INTERNAL, "InternalFailure",
                     "Unknown resource kind %d.", (int)kind);
  r->name = strdup(name);
  r->arn = aev__resource_arn(b, kind, name);
  if (!r->name || !r->arn) {
    free(r->name);
    free(r->arn);
    return aev__nomem();
  }
  r->refs = 1;
  r->deleted = 0;
  r->kind = kind;
  r->broker = b;
  r->destroy = destroy;
  r->shutdown = shutdown;
  aev__broker_ref(b);
  return AEV_OK;
}

void aev__resource_ref(aev__resource *r) { r->refs++; }

void aev__resource_unref(aev__resource *r) {
  if (!r || --r->refs > 0) return;
  /* destroy frees the object holding the header: take what we free after. */
  struct aev_broker *b = r->broker;
  char *name = r->name, *arn = r->arn;
  if (r->destroy) r->destroy(r);
  free(name);
  free(arn);
  aev__broker_unref(b);
}

/* --- the table ---------------------------------------------------------- */

/* FNV-1a over the kind and the key. */
static uint64_t key_hash(aev__kind kind, const char *key) {
  uint64_t h = 0xcbf29ce484222325u ^ (uint64_t)kind;
  h *= 0x100000001b3u;
  for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
    h ^= *p;
    h *= 0x100000001b3u;
  }
  return h;
}

int aev__registry_new(aev__registry **out) {
  aev__registry *r = calloc(1, sizeof *r);
  if (r) {
    r->nbuckets = INITIAL_BUCKETS;
    r->by_name = calloc(r->nbuckets, sizeof *r->by_name);
    r->by_arn = calloc(r->nbuckets, sizeof *r->by_arn);
  }
  if (!r || !r->by_name || !r->by_arn) {
    if (r) {
      free(r->by_name);
      free(r->by_arn);
      free(r);
    }
    return aev__nomem();
  }
  pthread_rwlock_init(&r->lock, NULL);
  *out = r;
  return AEV_OK;
}

static void link_buckets(aev__registry *r, entry *e) {
  size_t mask = r->nbuckets - 1;
  e->name_next = r->by_name[e->name_hash & mask];
  r->by_name[e->name_hash & mask] = e;
  e->arn_next = r->by_arn[e->arn_hash & mask];
  r->by_arn[e->arn_hash & mask] = e;
}

/* Doubles the buckets once there are more entries than buckets. A failed
 * allocation keeps the old buckets: chains just grow longer. */
static void maybe_grow(aev__registry *r) {
  if (r->count < r->nbuckets) return;
  size_t n = r->nbuckets * 2;
  entry **by_name = calloc(n, sizeof *by_name);
  entry **by_arn = calloc(n, sizeof *by_arn);
  if (!by_name || !by_arn) {
    free(by_name);
    free(by_arn);
    return;
  }
  free(r->by_name);
  free(r->by_arn);
  r->by_name = by_name;
  r->by_arn = by_arn;
  r->nbuckets = n;
  for (entry *e = r->first; e; e = e->next) link_buckets(r, e);
}

static entry *find_name(const aev__registry *r, aev__kind kind,
                        const char *name, uint64_t h) {
  for (entry *e = r->by_name[h & (r->nbuckets - 1)]; e; e = e->name_next)
    if (e->name_hash == h && e->res->kind == kind &&
        strcmp(e->res->name, name) == 0)
      return e;
  return NULL;
}

static entry *find_arn(const aev__registry *r, aev__kind kind, const char *arn,
                       uint64_t h) {
  for (entry *e = r->by_arn[h & (r->nbuckets - 1)]; e; e = e->arn_next)
    if (e->arn_hash == h && e->res->kind == kind &&
        strcmp(e->res->arn, arn) == 0)
      return e;
  return NULL;
}

static void unlink_entry(aev__registry *r, entry *e) {
  size_t mask = r->nbuckets - 1;
  entry **p = &r->by_name[e->name_hash & mask];
  while (*p != e) p = &(*p)->name_next;
  *p = e->name_next;
  p = &r->by_arn[e->arn_hash & mask];
  while (*p != e) p = &(*p)->arn_next;
  *p = e->arn_next;
  if (e->prev)
    e->prev->next = e->next;
  else
    r->first = e->next;
  if (e->next)
    e->next->prev = e->prev;
  else
    r->last = e->prev;
  r->count--;
}

int aev__registry_add(struct aev_broker *b, aev__resource *res,
                      aev__resource **existing) {
  aev__registry *r = aev__broker_registry(b);
  entry *e = calloc(1, sizeof *e);
  if (!e) return aev__nomem();
  e->res = res;
  e->name_hash = key_hash(res->kind, res->name);
  e->arn_hash = key_hash(res->kind, res->arn);
  pthread_rwlock_wrlock(&r->lock);
  int rc = AEV_OK;
  entry *old;
  if (r->closed) {
    rc = AEV_ERR_CLOSED;
  } else if ((old = find_name(r, res->kind, res->name, e->name_hash))) {
    rc = AEV_ERR_EXISTS;
    if (existing) {
      aev__resource_ref(old->res);
      *existing = old->res;
    }
  } else {
    aev__resource_ref(res);
    e->prev = r->last;
    if (r->last)
      r->last->next = e;
    else
      r->first = e;
    r->last = e;
    r->count++;
    link_buckets(r, e);
    maybe_grow(r);
  }
  pthread_rwlock_unlock(&r->lock);
  if (rc == AEV_OK) return AEV_OK;
  free(e);
  if (rc == AEV_ERR_CLOSED)
    return aev__fail(AEV_ERR_CLOSED, "ServiceUnavailable",
                     "The broker has been destroyed.");
  return rc;
}

/* A queue URL's path is /ACCOUNT/NAME; any host is accepted (SDKs pointed at
 * a local endpoint send http://localhost:4566/ACCOUNT/NAME), but the account
 * must be the broker's. Returns the name within url, or NULL. */
static const char *queue_url_name(struct aev_broker *b, const char *url) {
  const char *scheme = strstr(url, "://");
  const char *path = scheme ? strchr(scheme + 3, '/') : NULL;
  if (!path) return NULL;
  const char *account = path + 1;
  const char *slash = strchr(account, '/');
  const char *mine = aev_broker_account(b);
  if (!slash || (size_t)(slash - account) != strlen(mine) ||
      strncmp(account, mine, strlen(mine)) != 0)
    return NULL;
  const char *name = slash + 1;
  return *name && !strchr(name, '/') ? name : NULL;
}

int aev__registry_singleton(struct aev_broker *b, aev__kind kind, const char *name,
                            int (*make)(struct aev_broker *b, aev__resource **made),
                            aev__resource **out) {
  if ((*out = aev__registry_find(b, kind, name))) return AEV_OK;
  aev__resource *made = NULL, *existing = NULL;
  int rc = make(b, &made);
  if (rc != AEV_OK) return rc;
  rc = aev__registry_add(b, made, &existing);
  if (rc == AEV_OK) {
    *out = made;
    return AEV_OK;
  }
  aev__resource_unref(made);
  if (rc != AEV_ERR_EXISTS) return rc;
  *out = existing;
  return AEV_OK;
}

aev__resource *aev__registry_find(struct aev_broker *b, aev__kind kind,
                                  const char *key) {
  if (!key || (unsigned)kind >= AEV__KIND_COUNT) return NULL;
  int by_arn = strncmp(key, "arn:", 4) == 0;
  if (!by_arn && kind == AEV__KIND_QUEUE && strstr(key, "://")) {
    key = queue_url_name(b, key);
    if (!key) return NULL;
  }
  uint64_t h = key_hash(kind, key);
  aev__registry *r = aev__broker_registry(b);
  pthread_rwlock_rdlock(&r->lock);
  entry *e = by_arn ? find_arn(r, kind, key, h) : find_name(r, kind, key, h);
  aev__resource *res = e ? e->res : NULL;
  if (res) aev__resource_ref(res);
  pthread_rwlock_unlock(&r->lock);
  return res;
}

/* --- recently removed names (lock held for writing) --------------------- */

static void prune_tombs(aev__registry *r, int64_t now) {
  while (r->tombs && now - r->tombs->removed_at >= AEV__REGISTRY_TOMBSTONE_MS) {
    tomb *t = r->tombs;
    r->tombs = t->next;
    free(t);
  }
  if (!r->tombs) r->last_tomb = NULL;
}

/* Out of memory only forgets the name early. */
static void add_tomb(aev__registry *r, const aev__resource *res, int64_t now) {
  prune_tombs(r, now);
  size_t len = strlen(res->name);
  tomb *t = malloc(sizeof *t + len + 1);
  if (!t) return;
  t->next = NULL;
  t->kind = res->kind;
  t->removed_at = now;
  memcpy(t->name, res->name, len + 1);
  if (r->last_tomb) r->last_tomb->next = t;
  else r->tombs = t;
  r->last_tomb = t;
}

int aev__registry_removed_recently(struct aev_broker *b, aev__kind kind,
                                   const char *name) {
  aev__registry *r = aev__broker_registry(b);
  int found = 0;
  pthread_rwlock_wrlock(&r->lock);
  prune_tombs(r, aev__clock_mono_ms(aev__broker_clock(b)));
  for (tomb *t = r->tombs; t && !found; t = t->next)
    found = t->kind == kind && !strcmp(t->name, name);
  pthread_rwlock_unlock(&r->lock);
  return found;
}

int aev__registry_remove(struct aev_broker *b, aev__resource *res) {
  aev__registry *r = aev__broker_registry(b);
  pthread_rwlock_wrlock(&r->lock);
  entry *e = find_name(r, res->kind, res->name, key_hash(res->kind, res->name));
  if (e && e->res == res) {
    unlink_entry(r, e);
    res->deleted = 1;
  } else {
    e = NULL;
  }
  if (e) add_tomb(r, res, aev__clock_mono_ms(aev__broker_clock(b)));
  pthread_rwlock_unlock(&r->lock);
  if (!e) return AEV_ERR_NOT_FOUND;
  free(e);
  if (res->shutdown) res->shutdown(res);
  aev__resource_unref(res);
  return AEV_OK;
}

static int by_name(const void *a, const void *b) {
  const aev__resource *x = *(aev__resource *const *)a;
  const aev__resource *y = *(aev__resource *const *)b;
  return strcmp(x->name, y->name);
}

static int listed(const aev__resource *res, aev__kind kind, const char *prefix,
                  size_t plen) {
  return res->kind == kind && strncmp(res->name, prefix, plen) == 0;
}

int aev__registry_list(struct aev_broker *b, aev__kind kind, const char *prefix,
                       aev__resource ***out, size_t *n) {
  aev__registry *r = aev__broker_registry(b);
  if (!prefix) prefix = "";
  size_t plen = strlen(prefix);
  aev__resource **list = NULL;
  size_t count = 0;
  pthread_rwlock_rdlock(&r->lock);
  for (entry *e = r->first; e; e = e->next)
    count += listed(e->res, kind, prefix, plen);
  if (count) list = malloc(count * sizeof *list);
  if (list) {
    size_t i = 0;
    for (entry *e = r->first; e; e = e->next)
      if (listed(e->res, kind, prefix, plen)) {
        aev__resource_ref(e->res);
        list[i++] = e->res;
      }
  }
  pthread_rwlock_unlock(&r->lock);
  if (count && !list) return aev__nomem();
  if (count) qsort(list, count, sizeof *list, by_name);
  *out = list;
  *n = count;
  return AEV_OK;
}

void aev__registry_list_free(aev__resource **list, size_t n) {
  for (size_t i = 0; i < n; i++) aev__resource_unref(list[i]);
  free(list);
}

void aev__registry_shutdown(aev__registry *r) {
  pthread_rwlock_wrlock(&r->lock);
  r->closed = 1;
  entry *all = r->first;
  r->first = r->last = NULL;
  r->count = 0;
  memset(r->by_name, 0, r->nbuckets * sizeof *r->by_name);
  memset(r->by_arn, 0, r->nbuckets * sizeof *r->by_arn);
  pthread_rwlock_unlock(&r->lock);
  /* Every hook first, in creation order, so no resource is freed while a
   * later one's shutdown may still deliver to it. */
  for (entry *e = all; e; e = e->next)
    if (e->res->shutdown) e->res->shutdown(e->res);
  while (all) {
    entry *next = all->next;
    aev__resource_unref(all->res);
    free(all);
    all = next;
  }
}

void aev__registry_free(aev__registry *r) {
  if (!r) return;
  aev__registry_shutdown(r);
  prune_tombs(r, INT64_MAX);
  pthread_rwlock_destroy(&r->lock);
  free(r->by_name);
  free(r->by_arn);
  free(r);
}

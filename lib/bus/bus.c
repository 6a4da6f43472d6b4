/* Bus lifecycle: CreateEventBus (name rules), the default bus made on first
 * use, lookup by name or ARN, DeleteEventBus, quotas, the name -> rule map
 * the rule calls share, and the line-aligned allocation targets use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus_impl.h"
#include "bus/http_impl.h"
#include "core/broker.h"
#include "core/status.h"
#include "core/text.h"

int aev__bus_no_bus(const char *name) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Event bus %s does not exist.", name);
}

int aev__bus_gone(const aev_bus *bus) {
  int rc = aev__broker_check_open(bus->res.broker);
  return rc ? rc : aev__bus_no_bus(bus->res.name);
}

int aev__bus_no_rule(const aev_bus *bus, const char *name) {
  if (bus->res.deleted) return aev__bus_gone(bus);
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Rule %s does not exist on EventBus %s.", name,
                   bus->res.name);
}

int aev__bus_check_name(const char *member, const char *name, size_t max) {
  size_t len = name ? strlen(name) : 0;
  char longer[80];
  const char *constraint = NULL;
  if (len < 1) {
    constraint = "Member must have length greater than or equal to 1";
  } else if (len > max) {
    snprintf(longer, sizeof longer, "Member must have length less than or equal to %zu", max);
    constraint = longer;
  } else if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") < len) {
    constraint = "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+";
  }
  return constraint ? aev__fail_validation(name ? name : "null", member, constraint) : AEV_OK;
}

int aev__bus_check_name_or_arn(const char *member, const char *v, int slash) {
  int rc = aev__bus_check_length(member, v, 1600);
  if (rc) return rc;
  const char *name = v, *bus = strstr(v, ":event-bus/");
  /* arn:aws[\w-]*:events:REGION:ACCOUNT:event-bus/NAME */
  if (!strncmp(v, "arn:aws", 7) && bus &&
      strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:") ==
          (size_t)(bus - v) + 10)
    name = bus + 11;
  const char *chars = slash ? "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/.-_"
                            : "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";
  size_t n = strlen(name);
  if (n && strspn(name, chars) == n) return AEV_OK;
  char constraint[192];
  snprintf(constraint, sizeof constraint,
           "Member must satisfy regular expression pattern: "
           "(arn:aws[\\w-]*:events:[a-z]+-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?%s",
           slash ? "[/\\.\\-_A-Za-z0-9]+" : "[\\.\\-_A-Za-z0-9]+");
  return aev__fail_validation(v, member, constraint);
}

int aev__bus_check_length(const char *member, const char *v, size_t max) {
  size_t chars = v ? aev__utf8_chars(v, strlen(v)) : 0;
  return chars <= max ? AEV_OK : aev__fail_length(NULL, member, chars, 0, max);
}

static uint64_t hash(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

aev__rule *aev__rmap_get(const aev__rmap *m, const char *name) {
  if (!m->cap) return NULL;
  for (size_t i = hash(name) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    aev__rule *r = m->slots[i];
    if (!r) return NULL;
    if (!strcmp(r->name, name)) return r;
  }
}

static void rmap_insert(aev__rule **slots, size_t cap, aev__rule *r) {
  size_t i = hash(r->name) & (cap - 1);
  while (slots[i]) i = (i + 1) & (cap - 1);
  slots[i] = r;
}

int aev__rmap_put(aev__rmap *m, aev__rule *r) {
  if ((m->n + 1) * 2 > m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 16;
    aev__rule **s = calloc(cap, sizeof *s);
    if (!s) return aev__nomem();
    for (size_t i = 0; i < m->cap; i++)
      if (m->slots[i]) rmap_insert(s, cap, m->slots[i]);
    free(m->slots);
    m->slots = s;
    m->cap = cap;
  }
  rmap_insert(m->slots, m->cap, r);
  m->n++;
  return AEV_OK;
}

/* Linear-probing delete: re-inserts the rest of the cluster. */
void aev__rmap_del(aev__rmap *m, const char *name) {
  if (!m->cap) return;
  size_t i = hash(name) & (m->cap - 1);
  while (m->slots[i] && strcmp(m->slots[i]->name, name))
    i = (i + 1) & (m->cap - 1);
  if (!m->slots[i]) return;
  m->slots[i] = NULL;
  m->n--;
  for (size_t j = (i + 1) & (m->cap - 1); m->slots[j];
       j = (j + 1) & (m->cap - 1)) {
    aev__rule *r = m->slots[j];
    m->slots[j] = NULL;
    rmap_insert(m->slots, m->cap, r);
  }
}

#define LINE 64

void *aev__line_calloc(size_t size) {
  size = (size + LINE - 1) / LINE * LINE; /* C11: a multiple of the alignment */
  void *p = aligned_alloc(LINE, size);
  if (p) memset(p, 0, size);
  return p;
}

static void bus_destroy(aev__resource *r) {
  aev_bus *bus = (aev_bus *)r;
  aev__replays_free(bus);
  aev__archives_free(bus);
  aev__rules_free(bus);
  aev__http_store_free(bus->http);
  aev_pattern_set_free(bus->set);
  aev__bus_attrs_free(&bus->attrs);
  json_decref(bus->tags);
  json_decref(bus->policy);
  pthread_mutex_destroy(&bus->amu);
  free(bus->rules.slots);
  free(bus->routes);
  pthread_rwlock_destroy(&bus->lock);
  free(bus);
}

static void bus_shutdown(aev__resource *r) {
  aev__rules_shutdown((aev_bus *)r);
}

/* EventBridge bus names: 1-256 of [/\.\-_A-Za-z0-9]; "aws." is reserved
 * for partner buses (partner set), which name their event source. */
static int name_check(const char *name, int partner) {
  size_t len = strlen(name);
  int ok = len >= 1 && len <= 256;
  for (size_t i = 0; ok && i < len; i++) {
    char c = name[i];
    ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '/' || c == '.' || c == '-' ||
         c == '_';
  }
  if (!ok)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "1 validation error detected: Value '%s' at 'name' "
                     "failed to satisfy constraint: Member must satisfy "
                     "regular expression pattern: [/\\.\\-_A-Za-z0-9]+",
                     name);
  /* Only a partner bus, named after its event source, may hold a '/'. */
  if (!partner && strchr(name, '/'))
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "Event bus name must not contain '/'.");
  if (!partner && !strncmp(name, "aws.", 4))
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "Event source %s does not exist.", name);
  return AEV_OK;
}

static int bus_new(aev_broker *b, const char *name, aev_bus **out) {
  aev_bus *bus = calloc(1, sizeof *bus);
  if (!bus) return aev__nomem();
  int rc = aev_pattern_set_new(AEV_PATTERN_EVENTBRIDGE, &bus->set);
  if (rc) {
    free(bus);
    return rc;
  }
  pthread_rwlock_init(&bus->lock, NULL);
  pthread_mutex_init(&bus->amu, NULL);
  rc = aev__resource_init(&bus->res, b, AEV__KIND_BUS, name, bus_destroy,
                          bus_shutdown);
  if (rc) {
    aev_pattern_set_free(bus->set);
    pthread_rwlock_destroy(&bus->lock);
    pthread_mutex_destroy(&bus->amu);
    free(bus);
    return rc;
  }
  bus->quota = AEV_BUS_DEFAULT_RULE_QUOTA;
  bus->created_s = aev_broker_now_ms(b) / 1000;
  bus->modified_s = bus->created_s;
  *out = bus;
  return AEV_OK;
}

int aev__bus_find(aev_broker *b, const char *name_or_arn, int create_default,
                  aev_bus **out) {
  int rc = aev__broker_check_open(b);
  if (rc) return rc;
  if (!name_or_arn || !*name_or_arn) name_or_arn = "default";
  aev__resource *r = aev__registry_find(b, AEV__KIND_BUS, name_or_arn);
  if (r) {
    *out = (aev_bus *)r;
    return AEV_OK;
  }
  const char *slash = strrchr(name_or_arn, '/');
  int is_arn = !strncmp(name_or_arn, "arn:", 4) && slash;
  const char *name = is_arn ? slash + 1 : name_or_arn;
  if (!create_default || strcmp(name, "default")) return aev__bus_no_bus(name);
  /* The account's default bus exists from the start on AWS; here it is made
   * the first time something asks for it. */
  aev_bus *bus;
  if ((rc = bus_new(b, "default", &bus))) return rc;
  aev__resource *existing = NULL;
  rc = aev__registry_add(b, &bus->res, &existing);
  if (rc == AEV_ERR_EXISTS) {
    aev__resource_unref(&bus->res);
    bus = (aev_bus *)existing;
  } else if (rc) {
    aev__resource_unref(&bus->res);
    return rc;
  }
  /* Another account's or region's default bus is not this one. */
  if (is_arn && strcmp(name_or_arn, bus->res.arn)) {
    aev_bus_release(bus);
    return aev__bus_no_bus(name);
  }
  *out = bus;
  return AEV_OK;
}

int aev_bus_create(aev_broker *b, const char *name, aev_bus **out) {
  return aev_bus_create_with(b, name, NULL, NULL, NULL, out);
}

int aev_bus_create_with(aev_broker *b, const char *name,
                        const char *description, const char *kms_key_identifier,
                        const char *dead_letter_arn, aev_bus **out) {
  if (!b || !name || !out)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "b, name and out are required.");
  aev__bus_attrs given = {(char *)description, (char *)kms_key_identifier,
                          (char *)dead_letter_arn, NULL, NULL};
  return aev__bus_create(b, name, NULL, &given, NULL, out);
}

int aev__bus_create(aev_broker *b, const char *name, const char *event_source,
                    const aev__bus_attrs *given, json_t *tags, aev_bus **out) {
  aev__bus_attrs attrs;
  int rc = aev__broker_check_open(b);
  if (rc || (rc = name_check(name, event_source != NULL)) || (rc = aev__bus_attrs_check(given)))
    return rc;
  if (event_source && (rc = aev__partner_bus_check(b, name, event_source))) return rc;
  aev_bus *bus;
  if (!strcmp(name, "default") ||
      !aev__bus_find(b, name, 0, &bus)) {
    if (strcmp(name, "default")) aev_bus_release(bus);
    return aev__fail(AEV_ERR_EXISTS, "ResourceAlreadyExistsException",
                     "Event bus %s already exists.", name);
  }
  if ((rc = aev__bus_attrs_copy(given, &attrs))) return rc;
  if ((rc = bus_new(b, name, &bus))) {
    aev__bus_attrs_free(&attrs);
    return rc;
  }
  bus->attrs = attrs;
  bus->tags = json_incref(tags);
  rc = aev__registry_add(b, &bus->res, NULL);
  if (rc) {
    aev__resource_unref(&bus->res);
    return rc == AEV_ERR_EXISTS
               ? aev__fail(AEV_ERR_EXISTS, "ResourceAlreadyExistsException",
                           "Event bus %s already exists.", name)
               : rc;
  }
  if (event_source) aev__partner_bus_made(b, event_source);
  *out = bus;
  return AEV_OK;
}

int aev_bus_get(aev_broker *b, const char *name_or_arn, aev_bus **out) {
  if (!b || !out)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "b and out are required.");
  return aev__bus_find(b, name_or_arn, 1, out);
}

void aev_bus_release(aev_bus *bus) {
  if (bus) aev__resource_unref(&bus->res);
}

int aev_bus_delete(aev_bus *bus) {
  if (!bus)
    return aev__fail(AEV_ERR_INVALID, "ValidationException", "bus is NULL.");
  if (!strcmp(bus->res.name, "default"))
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "Cannot delete event bus default.");
  if (aev__registry_remove(bus->res.broker, &bus->res) != AEV_OK)
    return aev__bus_gone(bus);
  return AEV_OK;
}

const char *aev_bus_name(const aev_bus *bus) { return bus ? bus->res.name : NULL; }
const char *aev_bus_arn(const aev_bus *bus) { return bus ? bus->res.arn : NULL; }

int aev__bus_rule_quota(aev_broker *b, int *out) {
  aev_bus *def;
  int rc = aev__bus_find(b, "default", 1, &def);
  if (rc) return rc;
  *out = def->quota;
  aev_bus_release(def);
  return AEV_OK;
}

/* The first bus of b holding more than max_rules rules (a new reference),
 * or NULL. */
static aev_bus *over_quota(aev_broker *b, int max_rules, size_t *n_rules) {
  aev__resource **list;
  size_t n;
  aev_bus *found = NULL;
  if (aev__registry_list(b, AEV__KIND_BUS, NULL, &list, &n)) return NULL;
  for (size_t i = 0; i < n && !found; i++) {
    aev_bus *bus = (aev_bus *)list[i];
    pthread_rwlock_rdlock(&bus->lock);
    *n_rules = bus->rules.n;
    pthread_rwlock_unlock(&bus->lock);
    if (*n_rules > (size_t)max_rules) {
      aev__resource_ref(&bus->res);
      found = bus;
    }
  }
  aev__registry_list_free(list, n);
  return found;
}

int aev_bus_set_rule_quota(aev_broker *b, int max_rules) {
  if (!b || max_rules < 1)
    return aev__fail(AEV_ERR_INVALID, "ValidationException",
                     "The rule quota must be at least 1.");
  aev_bus *def;
  int rc = aev__bus_find(b, "default", 1, &def);
  if (rc) return rc;
  size_t n_rules;
  aev_bus *over = over_quota(b, max_rules, &n_rules);
  if (over) {
    rc = aev__fail(AEV_ERR_LIMIT, "LimitExceededException",
                   "Event bus %s has %zu rules, more than the quota %d.",
                   over->res.name, n_rules, max_rules);
    aev_bus_release(over);
  } else {
    def->quota = max_rules;
  }
  aev_bus_release(def);
  return rc;
}

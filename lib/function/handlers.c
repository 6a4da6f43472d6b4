/* Named handler registrations (aev_handler_register): what CreateFunction's
 * Handler member names when functions are created through aev_call or a
 * script. The table lives in the broker's registry as one hidden entry of
 * the function kind (its name starts with '#', which function names cannot
 * contain), so two brokers share nothing. A function created from a
 * registration keeps the table alive; the registrations' release
 * functions run when the broker is destroyed. */
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/json_dump.h"
#include "core/status.h"
#include "function/function_impl.h"

#define TABLE_NAME "#handlers"

typedef struct reg {
  struct reg *next;
  aev_handler_fn fn;
  void *user;
  aev_release_fn release;
  char name[];
} reg;

typedef struct table {
  aev__resource res; /* first */
  pthread_mutex_t mu;
  reg *regs;
} table;

static void table_destroy(aev__resource *r) {
  table *t = (table *)r;
  while (t->regs) {
    reg *g = t->regs;
    t->regs = g->next;
    if (g->release) g->release(g->user);
    free(g);
  }
  pthread_mutex_destroy(&t->mu);
  free(t);
}

static void table_init(aev__resource *r) {
  pthread_mutex_init(&((table *)r)->mu, NULL);
}

/* The broker's table (new reference), created on first use. */
static int table_of(aev_broker *b, int create, table **out) {
  aev__resource *r;
  int rc = aev__fn_hidden_entry(b, TABLE_NAME, sizeof(table), create,
                                table_init, table_destroy, NULL, &r);
  if (rc == AEV_OK) *out = (table *)r;
  return rc;
}

int aev__fn_hidden_entry(aev_broker *b, const char *name, size_t size,
                         int create, void (*init)(aev__resource *),
                         void (*destroy)(aev__resource *),
                         void (*shutdown)(aev__resource *),
                         aev__resource **out) {
  aev__resource *r = aev__registry_find(b, AEV__KIND_FUNCTION, name);
  if (r || !create) {
    *out = r;
    return AEV_OK;
  }
  r = calloc(1, size);
  if (!r) return aev__nomem();
  init(r);
  int rc = aev__resource_init(r, b, AEV__KIND_FUNCTION, name, destroy, shutdown);
  if (rc != AEV_OK) {
    destroy(r);
    return rc;
  }
  aev__resource *existing = NULL;
  rc = aev__registry_add(b, r, &existing);
  if (rc == AEV_ERR_EXISTS) { /* another thread created it first */
    aev__resource_unref(r);
    *out = existing;
    return AEV_OK;
  }
  if (rc != AEV_OK) {
    aev__resource_unref(r);
    return rc;
  }
  *out = r;
  return AEV_OK;
}

int aev__fn_hidden(const char *name) { return name && strchr(name, '#'); }

int aev_handler_register(aev_broker *b, const char *name, aev_handler_fn fn,
                         void *user, aev_release_fn release) {
  if (!b || !name || !*name || !fn)
    return aev__fn_invalid("A handler registration needs a broker, a name "
                           "and a function.");
  size_t len = strlen(name);
  reg *g = malloc(sizeof *g + len + 1);
  if (!g) return aev__nomem();
  table *t;
  int rc = table_of(b, 1, &t);
  if (rc != AEV_OK) {
    free(g);
    return rc;
  }
  pthread_mutex_lock(&t->mu);
  for (reg *h = t->regs; h; h = h->next)
    if (strcmp(h->name, name) == 0) rc = AEV_ERR_EXISTS;
  if (rc == AEV_OK) {
    g->fn = fn;
    g->user = user;
    g->release = release;
    memcpy(g->name, name, len + 1);
    g->next = t->regs;
    t->regs = g;
  }
  pthread_mutex_unlock(&t->mu);
  aev__resource_unref(&t->res);
  if (rc != AEV_OK) {
    free(g);
    return aev__fail(AEV_ERR_EXISTS, "ResourceConflictException",
                     "A handler named %s is registered already.", name);
  }
  return AEV_OK;
}

int aev__fn_create_registered(aev_broker *b, const char *name,
                              const char *handler, json_t *config,
                              aev_function **out) {
  table *t = NULL;
  int rc = table_of(b, 0, &t);
  reg *g = NULL;
  if (rc == AEV_OK && t) {
    pthread_mutex_lock(&t->mu);
    for (g = t->regs; g && strcmp(g->name, handler); g = g->next) {
    }
    pthread_mutex_unlock(&t->mu);
  }
  if (!g) {
    if (t) aev__resource_unref(&t->res);
    return aev__fn_invalid("No handler is registered under the name %s: "
                           "register it with aev_handler_register (or "
                           "--function %s=COMMAND on the command line).",
                           handler, handler);
  }
  char *text = aev__json_dumps(config, JSON_COMPACT);
  rc = text ? aev_function_create(b, name, text, g->fn, g->user, NULL, out)
            : aev__nomem();
  free(text);
  if (rc == AEV_OK) (*out)->origin = &t->res; /* keeps the table alive */
  else aev__resource_unref(&t->res);
  return rc;
}

/* The registry: add and lookup by name, ARN and queue URL, duplicates,
 * removal, reference counts and destroy, sorted prefix listing, ARNs of
 * every kind, and concurrent use. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/broker.h"
#include "core/broker.h"
#include "core/registry.h"
#include "aevtest.h"

/* A resource that counts its hook calls in counters that outlive it. */
typedef struct counters {
  _Atomic int shutdowns, destroys;
} counters;

typedef struct thing {
  aev__resource hdr;
  counters *c;
} thing;

static void thing_destroy(aev__resource *r) {
  thing *t = (thing *)r;
  t->c->destroys++;
  free(t);
}

static void thing_shutdown(aev__resource *r) { ((thing *)r)->c->shutdowns++; }

static thing *thing_new(aev_broker *b, aev__kind kind, const char *name,
                        counters *c) {
  thing *t = calloc(1, sizeof *t);
  ck_assert_ptr_nonnull(t);
  t->c = c;
  ck_assert_int_eq(
      aev__resource_init(&t->hdr, b, kind, name, thing_destroy, thing_shutdown),
      AEV_OK);
  return t;
}

/* Creates, registers and releases the caller's reference: the registry's
 * reference keeps it. */
static aev__resource *thing_add(aev_broker *b, aev__kind kind, const char *name,
                                counters *c) {
  thing *t = thing_new(b, kind, name, c);
  ck_assert_int_eq(aev__registry_add(b, &t->hdr, NULL), AEV_OK);
  aev__resource_unref(&t->hdr);
  return &t->hdr;
}

static aev_broker *broker_in(const char *region, const char *account) {
  aev_broker_options *o;
  aev_broker *b;
  ck_assert_int_eq(aev_broker_options_new(&o), AEV_OK);
  ck_assert_int_eq(aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL), AEV_OK);
  ck_assert_int_eq(aev_broker_options_set_workers(o, 0), AEV_OK);
  if (region) ck_assert_int_eq(aev_broker_options_set_region(o, region), 0);
  if (account) ck_assert_int_eq(aev_broker_options_set_account(o, account), 0);
  ck_assert_int_eq(aev_broker_new(o, &b), AEV_OK);
  aev_broker_options_free(o);
  return b;
}

static void expect_found(aev_broker *b, aev__kind kind, const char *key,
                         aev__resource *want) {
  aev__resource *got = aev__registry_find(b, kind, key);
  ck_assert_msg(got == want, "lookup of %s", key ? key : "(null)");
  aev__resource_unref(got);
}

START_TEST(find_by_name_arn_and_url) {
  counters c = {0};
  aev_broker *b = broker_in("eu-west-2", "123456789012");
  aev__resource *q = thing_add(b, AEV__KIND_QUEUE, "orders", &c);
  ck_assert_str_eq(q->arn, "arn:aws:sqs:eu-west-2:123456789012:orders");
  expect_found(b, AEV__KIND_QUEUE, "orders", q);
  expect_found(b, AEV__KIND_QUEUE, "arn:aws:sqs:eu-west-2:123456789012:orders",
               q);
  expect_found(b, AEV__KIND_QUEUE,
               "https://sqs.eu-west-2.amazonaws.com/123456789012/orders", q);
  /* Any host: an SDK pointed at a local endpoint builds such URLs. */
  expect_found(b, AEV__KIND_QUEUE, "http://localhost:4566/123456789012/orders",
               q);

  /* Misses: names are case-sensitive, kinds are separate, ARNs and URLs
   * must be exact. */
  expect_found(b, AEV__KIND_QUEUE, "Orders", NULL);
  expect_found(b, AEV__KIND_QUEUE, "order", NULL);
  expect_found(b, AEV__KIND_TOPIC, "orders", NULL);
  expect_found(b, AEV__KIND_QUEUE, "arn:aws:sqs:eu-west-1:123456789012:orders",
               NULL);
  expect_found(b, AEV__KIND_QUEUE, "arn:aws:sqs:eu-west-2:000000000000:orders",
               NULL);
  expect_found(b, AEV__KIND_TOPIC, "arn:aws:sqs:eu-west-2:123456789012:orders",
               NULL);
  expect_found(b, AEV__KIND_QUEUE,
               "https://sqs.eu-west-2.amazonaws.com/000000000000/orders", NULL);
  expect_found(b, AEV__KIND_QUEUE,
               "https://sqs.eu-west-2.amazonaws.com/1234567890123/orders",
               NULL);
  expect_found(b, AEV__KIND_QUEUE,
               "https://sqs.eu-west-2.amazonaws.com/123456789012/orders/x",
               NULL);
  expect_found(b, AEV__KIND_QUEUE,
               "https://sqs.eu-west-2.amazonaws.com/123456789012/", NULL);
  expect_found(b, AEV__KIND_QUEUE, "https://sqs.eu-west-2.amazonaws.com", NULL);
  expect_found(b, AEV__KIND_QUEUE, "https://orders", NULL);
  expect_found(b, AEV__KIND_QUEUE, "", NULL);
  expect_found(b, AEV__KIND_QUEUE, NULL, NULL);
  expect_found(b, AEV__KIND_COUNT, "orders", NULL);
  /* A URL means something only for queues. */
  thing_add(b, AEV__KIND_TOPIC, "orders", &c);
  expect_found(b, AEV__KIND_TOPIC,
               "https://sqs.eu-west-2.amazonaws.com/123456789012/orders", NULL);

  char *url = aev__queue_url(b, "orders");
  ck_assert_str_eq(url,
                   "https://sqs.eu-west-2.amazonaws.com/123456789012/orders");
  expect_found(b, AEV__KIND_QUEUE, url, q);
  free(url);
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);
  ck_assert_int_eq(c.destroys, 2);
}
END_TEST

START_TEST(add_existing_returns_it) {
  counters c = {0};
  aev_broker *b = broker_in(NULL, NULL);
  aev__resource *first = thing_add(b, AEV__KIND_STREAM, "clicks", &c);

  thing *dup = thing_new(b, AEV__KIND_STREAM, "clicks", &c);
  aev__resource *existing = NULL;
  ck_assert_int_eq(aev__registry_add(b, &dup->hdr, &existing), AEV_ERR_EXISTS);
  ck_assert_ptr_eq(existing, first);
  ck_assert_int_eq(first->refs, 2); /* the registry's + the one returned */
  aev__resource_unref(existing);
  ck_assert_int_eq(aev__registry_add(b, &dup->hdr, NULL), AEV_ERR_EXISTS);
  ck_assert_int_eq(dup->hdr.refs, 1); /* the registry took none */
  aev__resource_unref(&dup->hdr);
  ck_assert_int_eq(c.destroys, 1);
  ck_assert_int_eq(c.shutdowns, 0); /* never registered, never shut down */

  /* Another kind may reuse the name. */
  thing_add(b, AEV__KIND_FUNCTION, "clicks", &c);
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);
  ck_assert_int_eq(c.shutdowns, 2);
  ck_assert_int_eq(c.destroys, 3);
}
END_TEST

START_TEST(remove_hides_and_shuts_down_once) {
  counters c = {0};
  aev_broker *b = broker_in(NULL, NULL);
  aev__resource *t = thing_add(b, AEV__KIND_TOPIC, "alerts", &c);
  aev__resource_ref(t);
  ck_assert_int_eq(aev__registry_remove(b, t), AEV_OK);
  ck_assert_int_eq(c.shutdowns, 1);
  ck_assert_int_eq(t->deleted, 1);
  expect_found(b, AEV__KIND_TOPIC, "alerts", NULL);
  expect_found(b, AEV__KIND_TOPIC, t->arn, NULL);
  ck_assert_int_eq(aev__registry_remove(b, t), AEV_ERR_NOT_FOUND);
  ck_assert_int_eq(c.shutdowns, 1);

  /* The name is free again; removing the old handle must not touch the
   * new resource of the same name. */
  aev__resource *again = thing_add(b, AEV__KIND_TOPIC, "alerts", &c);
  ck_assert_int_eq(aev__registry_remove(b, t), AEV_ERR_NOT_FOUND);
  expect_found(b, AEV__KIND_TOPIC, "alerts", again);
  aev__resource_unref(t);
  ck_assert_int_eq(c.destroys, 1);
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);
  ck_assert_int_eq(c.shutdowns, 2);
  ck_assert_int_eq(c.destroys, 2);
}
END_TEST

START_TEST(references_keep_removed_resource_alive) {
  counters c = {0};
  aev_broker *b = broker_in(NULL, NULL);
  aev__resource *m = thing_add(b, AEV__KIND_MACHINE, "flow", &c);
  aev__resource *h1 = aev__registry_find(b, AEV__KIND_MACHINE, "flow");
  aev__resource *h2 = aev__registry_find(b, AEV__KIND_MACHINE, m->arn);
  ck_assert_ptr_eq(h1, m);
  ck_assert_ptr_eq(h2, m);
  ck_assert_int_eq(aev__registry_remove(b, m), AEV_OK);
  ck_assert_int_eq(c.destroys, 0);
  ck_assert_str_eq(h1->name, "flow"); /* still readable */
  aev__resource_unref(h1);
  ck_assert_int_eq(c.destroys, 0);
  aev__resource_unref(h2);
  ck_assert_int_eq(c.destroys, 1);
  ck_assert_int_eq(c.shutdowns, 1);
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);
  ck_assert_int_eq(c.destroys, 1);
}
END_TEST

START_TEST(handle_outlives_broker) {
  counters c = {0};
  aev_broker *b = broker_in(NULL, NULL);
  thing_add(b, AEV__KIND_QUEUE, "a", &c);
  thing_add(b, AEV__KIND_QUEUE, "b", &c);
  aev__resource *held = aev__registry_find(b, AEV__KIND_QUEUE, "b");
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);
  /* Every hook ran once; only the unreferenced resource is gone. */
  ck_assert_int_eq(c.shutdowns, 2);
  ck_assert_int_eq(c.destroys, 1);
  ck_assert_int_eq(held->deleted, 0); /* closed, not deleted */
  /* The broker stays allocated for the handle; nothing can be added. */
  ck_assert_int_eq(aev__broker_check_open(held->broker), AEV_ERR_CLOSED);
  thing *late = thing_new(held->broker, AEV__KIND_QUEUE, "late", &c);
  ck_assert_int_eq(aev__registry_add(held->broker, &late->hdr, NULL),
                   AEV_ERR_CLOSED);
  ck_assert_str_eq(aev_errcode(), "ServiceUnavailable");
  expect_found(held->broker, AEV__KIND_QUEUE, "b", NULL);
  aev__resource_unref(&late->hdr);
  aev__resource_unref(held); /* frees the resource, then the broker */
  ck_assert_int_eq(c.destroys, 3);
  ck_assert_int_eq(c.shutdowns, 2);
}
END_TEST

static const char *names_of(aev__resource **list, size_t n, char *buf,
                            size_t cap) {
  buf[0] = 0;
  for (size_t i = 0; i < n; i++) {
    strncat(buf, list[i]->name, cap - strlen(buf) - 2);
    strcat(buf, ",");
  }
  return buf;
}

START_TEST(list_sorted_with_prefix) {
  counters c = {0};
  aev_broker *b = broker_in(NULL, NULL);
  const char *names[] = {"orders-eu", "billing", "orders",    "Orders-x",
                         "orders-us", "audit",   "orders_dlq"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    thing_add(b, AEV__KIND_QUEUE, names[i], &c);
  thing_add(b, AEV__KIND_TOPIC, "orders-topic", &c);

  aev__resource **list;
  size_t n;
  char buf[256];
  ck_assert_int_eq(aev__registry_list(b, AEV__KIND_QUEUE, "orders", &list, &n),
                   AEV_OK);
  ck_assert_str_eq(names_of(list, n, buf, sizeof buf),
                   "orders,orders-eu,orders-us,orders_dlq,");
  aev__registry_list_free(list, n);

  ck_assert_int_eq(aev__registry_list(b, AEV__KIND_QUEUE, NULL, &list, &n), 0);
  ck_assert_str_eq(names_of(list, n, buf, sizeof buf),
                   "Orders-x,audit,billing,orders,orders-eu,orders-us,"
                   "orders_dlq,");
  aev__registry_list_free(list, n);
  ck_assert_int_eq(aev__registry_list(b, AEV__KIND_QUEUE, "", &list, &n), 0);
  ck_assert_uint_eq(n, 7);
  aev__registry_list_free(list, n);

  ck_assert_int_eq(aev__registry_list(b, AEV__KIND_QUEUE, "zzz", &list, &n),
                   AEV_OK);
  ck_assert_uint_eq(n, 0);
  aev__registry_list_free(list, n);
  ck_assert_int_eq(aev__registry_list(b, AEV__KIND_BUS, NULL, &list, &n), 0);
  ck_assert_uint_eq(n, 0);
  aev__registry_list_free(list, n);

  /* The list holds references: a listed resource survives its removal. */
  ck_assert_int_eq(aev__registry_list(b, AEV__KIND_QUEUE, "audit", &list, &n),
                   AEV_OK);
  ck_assert_uint_eq(n, 1);
  ck_assert_int_eq(aev__registry_remove(b, list[0]), AEV_OK);
  ck_assert_int_eq(c.destroys, 0);
  aev__registry_list_free(list, n);
  ck_assert_int_eq(c.destroys, 1);
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);
  ck_assert_int_eq(c.destroys, 8);
}
END_TEST

START_TEST(arns_of_every_kind) {
  static const char *const want[AEV__KIND_COUNT] = {
      [AEV__KIND_QUEUE] = "arn:aws:sqs:ap-south-1:210987654321:x",
      [AEV__KIND_TOPIC] = "arn:aws:sns:ap-south-1:210987654321:x",
      [AEV__KIND_STREAM] = "arn:aws:kinesis:ap-south-1:210987654321:stream/x",
      [AEV__KIND_DELIVERY] =
          "arn:aws:firehose:ap-south-1:210987654321:deliverystream/x",
      [AEV__KIND_BUS] = "arn:aws:events:ap-south-1:210987654321:event-bus/x",
      [AEV__KIND_FUNCTION] =
          "arn:aws:lambda:ap-south-1:210987654321:function:x",
      [AEV__KIND_MACHINE] =
          "arn:aws:states:ap-south-1:210987654321:stateMachine:x",
      [AEV__KIND_ACTIVITY] =
          "arn:aws:states:ap-south-1:210987654321:activity:x",
      /* A Map Run's labelled machine: a machine's ARN form (its names,
       * <machine>/<label>, are never a machine's). */
      [AEV__KIND_MAP_MACHINE] =
          "arn:aws:states:ap-south-1:210987654321:stateMachine:x",
      [AEV__KIND_SCHEDULE_GROUP] =
          "arn:aws:scheduler:ap-south-1:210987654321:schedule-group/x",
      [AEV__KIND_PIPE] = "arn:aws:pipes:ap-south-1:210987654321:pipe/x",
      /* A partner event source names no account (the partner onboarding
       * guide's CreatePartnerEventSource sample). */
      [AEV__KIND_EVENT_SOURCE] = "arn:aws:events:ap-south-1::event-source/x",
      /* SNS's account state: an ARN no AWS resource has, never shown. */
      [AEV__KIND_SNS_ACCOUNT] = "arn:aws:sns:ap-south-1:210987654321:account/x",
      /* Kinesis's account settings: likewise never shown. */
      [AEV__KIND_KINESIS_ACCOUNT] = "arn:aws:kinesis:ap-south-1:210987654321:account/x",
  };
  counters c = {0};
  aev_broker *b = broker_in("ap-south-1", "210987654321");
  for (int k = 0; k < AEV__KIND_COUNT; k++) {
    aev__resource *r = thing_add(b, (aev__kind)k, "x", &c);
    ck_assert_str_eq(r->arn, want[k]);
    ck_assert_int_eq(r->kind, k);
    ck_assert_ptr_eq(r->broker, b);
    expect_found(b, (aev__kind)k, want[k], r);
    /* The same name under each kind is a separate resource. */
    for (int other = 0; other < k; other++)
      if (strcmp(want[other], want[k])) expect_found(b, (aev__kind)other, want[k], NULL);
  }
  thing t;
  ck_assert_int_eq(
      aev__resource_init(&t.hdr, b, AEV__KIND_COUNT, "x", NULL, NULL),
      AEV_ERR_INTERNAL);
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);
  ck_assert_int_eq(c.destroys, AEV__KIND_COUNT);
}
END_TEST

START_TEST(partitions_of_china_and_govcloud) {
  counters c = {0};
  aev_broker *b = broker_in("cn-north-1", "123456789012");
  aev__resource *q = thing_add(b, AEV__KIND_QUEUE, "q", &c);
  ck_assert_str_eq(q->arn, "arn:aws-cn:sqs:cn-north-1:123456789012:q");
  char *url = aev__queue_url(b, "q");
  ck_assert_str_eq(url,
                   "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q");
  expect_found(b, AEV__KIND_QUEUE, url, q);
  free(url);
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);

  b = broker_in("us-gov-west-1", "123456789012");
  aev__resource *f = thing_add(b, AEV__KIND_FUNCTION, "f", &c);
  ck_assert_str_eq(
      f->arn, "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f");
  url = aev__queue_url(b, "q");
  ck_assert_str_eq(url,
                   "https://sqs.us-gov-west-1.amazonaws.com/123456789012/q");
  free(url);
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);
  ck_assert_int_eq(c.destroys, 2);
}
END_TEST

START_TEST(many_resources_grow_the_table) {
  counters c = {0};
  aev_broker *b = broker_in(NULL, NULL);
  aev__resource *made[2000];
  char name[32];
  for (int i = 0; i < 2000; i++) {
    snprintf(name, sizeof name, "q-%04d", i);
    made[i] = thing_add(b, AEV__KIND_QUEUE, name, &c);
  }
  for (int i = 0; i < 2000; i++) {
    snprintf(name, sizeof name, "q-%04d", i);
    expect_found(b, AEV__KIND_QUEUE, name, made[i]);
    expect_found(b, AEV__KIND_QUEUE, made[i]->arn, made[i]);
  }
  for (int i = 0; i < 2000; i += 2)
    ck_assert_int_eq(aev__registry_remove(b, made[i]), AEV_OK);
  for (int i = 0; i < 2000; i++) {
    snprintf(name, sizeof name, "q-%04d", i);
    expect_found(b, AEV__KIND_QUEUE, name, i % 2 ? made[i] : NULL);
  }
  aev__resource **list;
  size_t n;
  ck_assert_int_eq(aev__registry_list(b, AEV__KIND_QUEUE, "q-1", &list, &n), 0);
  ck_assert_uint_eq(n, 500);
  for (size_t i = 1; i < n; i++)
    ck_assert_int_lt(strcmp(list[i - 1]->name, list[i]->name), 0);
  aev__registry_list_free(list, n);
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);
  ck_assert_int_eq(c.destroys, 2000);
  ck_assert_int_eq(c.shutdowns, 2000);
}
END_TEST

/* Four threads add 300 names each, half of them also added by the other
 * threads, while finding and listing. */
enum { THREADS = 4, PER_THREAD = 300 };

typedef struct worker {
  aev_broker *b;
  counters *c;
  int id;
  int added, existed;
} worker;

static void *race(void *arg) {
  worker *w = arg;
  char name[32];
  for (int i = 0; i < PER_THREAD; i++) {
    /* Even i: a name private to this thread; odd i: shared by all. */
    if (i % 2 == 0)
      snprintf(name, sizeof name, "t%d-%d", w->id, i);
    else
      snprintf(name, sizeof name, "shared-%d", i);
    thing *t = thing_new(w->b, AEV__KIND_QUEUE, name, w->c);
    aev__resource *existing = NULL;
    int rc = aev__registry_add(w->b, &t->hdr, &existing);
    if (rc == AEV_OK) {
      w->added++;
    } else {
      ck_assert_int_eq(rc, AEV_ERR_EXISTS);
      ck_assert_str_eq(existing->name, name);
      aev__resource_unref(existing);
      w->existed++;
    }
    aev__resource_unref(&t->hdr);
    aev__resource *found = aev__registry_find(w->b, AEV__KIND_QUEUE, name);
    ck_assert_ptr_nonnull(found);
    aev__resource_unref(found);
    if (i % 50 == 0) {
      aev__resource **list;
      size_t n;
      ck_assert_int_eq(
          aev__registry_list(w->b, AEV__KIND_QUEUE, "shared-", &list, &n),
          AEV_OK);
      aev__registry_list_free(list, n);
    }
  }
  return NULL;
}

START_TEST(concurrent_adds_and_finds) {
  counters c = {0};
  aev_broker *b = broker_in(NULL, NULL);
  worker w[THREADS];
  pthread_t th[THREADS];
  for (int i = 0; i < THREADS; i++) {
    w[i] = (worker){.b = b, .c = &c, .id = i};
    ck_assert_int_eq(pthread_create(&th[i], NULL, race, &w[i]), 0);
  }
  int added = 0, existed = 0;
  for (int i = 0; i < THREADS; i++) {
    pthread_join(th[i], NULL);
    added += w[i].added;
    existed += w[i].existed;
  }
  /* Each shared name was won by exactly one thread. */
  ck_assert_int_eq(added, THREADS * PER_THREAD / 2 + PER_THREAD / 2);
  ck_assert_int_eq(existed, (THREADS - 1) * PER_THREAD / 2);
  ck_assert_int_eq(c.destroys, existed);
  aev__resource **list;
  size_t n;
  ck_assert_int_eq(aev__registry_list(b, AEV__KIND_QUEUE, NULL, &list, &n), 0);
  ck_assert_uint_eq(n, (size_t)added);
  aev__registry_list_free(list, n);
  ck_assert_int_eq(aev_broker_destroy(b), AEV_OK);
  ck_assert_int_eq(c.destroys, THREADS * PER_THREAD);
  ck_assert_int_eq(c.shutdowns, added);
}
END_TEST

int main(void) {
  Suite *s = suite_create("registry");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, find_by_name_arn_and_url);
  tcase_add_test(tc, add_existing_returns_it);
  tcase_add_test(tc, remove_hides_and_shuts_down_once);
  tcase_add_test(tc, references_keep_removed_resource_alive);
  tcase_add_test(tc, handle_outlives_broker);
  tcase_add_test(tc, list_sorted_with_prefix);
  tcase_add_test(tc, arns_of_every_kind);
  tcase_add_test(tc, partitions_of_china_and_govcloud);
  tcase_add_test(tc, many_resources_grow_the_table);
  tcase_add_test(tc, concurrent_adds_and_finds);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}

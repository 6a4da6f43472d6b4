/* A bus's resource policy as PutPermission and RemovePermission make it:
 * the statements granting other accounts events:PutEvents, or a whole
 * document given as PutPermission's Policy. It is stored and answered
 * (DescribeEventBus's Policy) only: a broker is one account, so there is
 * nobody to refuse. Each change builds the new document apart and swaps it
 * in under the bus lock, so a failure leaves the policy as it was. */
#include <string.h>

#include "bus/bus_impl.h"
#include "core/broker.h"
#include "core/json_build.h"
#include "core/status.h"

json_t *aev__policy_statement(const aev_bus *bus, const char *sid, const char *action,
                              const char *principal, json_t *condition) {
  /* An account is named by its root user's ARN; everyone stays "*". */
  json_t *who = strcmp(principal, "*")
                    ? json_pack("{s:o}", "AWS", json_sprintf("arn:aws:iam::%s:root", principal))
                    : json_string("*");
  json_t *s = json_pack("{s:s,s:s,s:o,s:s,s:s}", "Sid", sid, "Effect", "Allow", "Principal", who,
                        "Action", action, "Resource", bus->res.arn);
  /* AWS writes Condition {Type, Key, Value} as the policy language does. */
  if (s && condition &&
      json_object_set_new(s, "Condition",
                          json_pack("{s:{s:O}}", json_string_value(json_object_get(condition, "Type")),
                                    json_string_value(json_object_get(condition, "Key")),
                                    json_object_get(condition, "Value")))) {
    json_decref(s);
    s = NULL;
  }
  return s;
}

/* The policy's statements as a new array: a document may hold one
 * statement as an object rather than a list. */
static json_t *statements_of(const json_t *policy) {
  json_t *st = json_object_get(policy, "Statement");
  if (json_is_array(st)) return aev__json_copy(st);
  json_t *list = json_array();
  if (list && st && json_array_append(list, st)) {
    json_decref(list);
    return NULL;
  }
  return list;
}

/* The index of the statement whose Sid is sid in list, or -1. */
static long find_sid(json_t *list, const char *sid) {
  size_t i;
  json_t *s;
  json_array_foreach(list, i, s) {
    const char *v = json_string_value(json_object_get(s, "Sid"));
    if (v && !strcmp(v, sid)) return (long)i;
  }
  return -1;
}

/* A copy of policy (NULL: a new one) with statements as its Statement
 * (their reference taken); NULL when out of memory. */
static json_t *with_statements(const json_t *policy, json_t *statements) {
  json_t *doc = policy ? aev__json_copy((json_t *)policy) : json_pack("{s:s}", "Version", "2012-10-17");
  if (!doc || !statements || json_object_set_new(doc, "Statement", statements)) {
    json_decref(doc);
    json_decref(statements);
    return NULL;
  }
  return doc;
}

/* Swaps doc in as the bus's policy (caller holds the bus lock). */
static void install(aev_bus *bus, json_t *doc) {
  json_decref(bus->policy);
  bus->policy = doc;
  bus->modified_s = aev_broker_now_ms(bus->res.broker) / 1000;
}

int aev__bus_policy_add(aev_bus *bus, json_t *statement) {
  pthread_rwlock_wrlock(&bus->lock);
  int rc = bus->res.deleted ? aev__bus_gone(bus) : AEV_OK;
  json_t *list = rc ? NULL : statements_of(bus->policy), *doc = NULL;
  if (list) {
    long at = find_sid(list, json_string_value(json_object_get(statement, "Sid")));
    int failed = at >= 0 ? json_array_set(list, (size_t)at, statement)
                         : json_array_append(list, statement);
    doc = failed ? NULL : with_statements(bus->policy, json_incref(list));
  }
  if (!rc && !doc) rc = aev__nomem();
  if (!rc) install(bus, doc);
  pthread_rwlock_unlock(&bus->lock);
  json_decref(list);
  json_decref(statement);
  return rc;
}

int aev__bus_policy_set(aev_bus *bus, json_t *doc) {
  int rc = AEV_OK;
  pthread_rwlock_wrlock(&bus->lock);
  if (bus->res.deleted) {
    rc = aev__bus_gone(bus);
    json_decref(doc);
  } else {
    install(bus, doc);
  }
  pthread_rwlock_unlock(&bus->lock);
  return rc;
}

int aev__bus_policy_remove(aev_bus *bus, const char *sid) {
  int rc = AEV_OK;
  pthread_rwlock_wrlock(&bus->lock);
  json_t *list = statements_of(bus->policy);
  long at = list ? find_sid(list, sid) : -1;
  /* A bus without a policy has no statement either: AWS answers the same. */
  if (bus->res.deleted)
    rc = aev__bus_gone(bus);
  else if (!list)
    rc = aev__nomem();
  else if (at < 0)
    rc = aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                   "Statement with the provided id does not exist.");
  if (!rc) {
    json_array_remove(list, (size_t)at);
    /* The last statement gone, the bus has no policy any more. */
    json_t *doc = json_array_size(list) ? with_statements(bus->policy, json_incref(list)) : NULL;
    if (json_array_size(list) && !doc)
      rc = aev__nomem();
    else
      install(bus, doc);
  }
  pthread_rwlock_unlock(&bus->lock);
  json_decref(list);
  return rc;
}

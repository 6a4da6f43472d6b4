/* Internal to lib/scheduler: EventBridge Scheduler's schedule groups (named
 * resources of the broker's registry) and the schedules each holds, under
 * the group's lock; a schedule's configuration is immutable and reference
 * counted, so firings and their retries run with no lock held. */
#ifndef AEV_SCHEDULER_IMPL_H
#define AEV_SCHEDULER_IMPL_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

#include "api/api.h"
#include "awsevents/scheduler.h"
#include "bus/schedule.h"
#include "core/registry.h"
#include "core/sched.h"
#include "scheduler/tz.h"

typedef struct aev__sgroup aev__sgroup;
typedef struct aev__sch aev__sch;

/* What CreateSchedule / UpdateSchedule asked for, checked. */
typedef struct aev__sconf {
  _Atomic long refs;
  json_t *view;        /* the members GetSchedule shows, defaults filled */
  aev__schedule *expr; /* rate() / cron(); NULL for at() */
  int64_t at_local_s;  /* at(): wall-clock time in tz, as epoch seconds */
  aev__tz *tz;
  int64_t start_ms, end_ms; /* -1: none */
  int enabled, delete_after;
  int flex_minutes; /* 0: OFF */
  /* the target */
  const char *arn, *input; /* borrowed from view; input may be NULL */
  char *service, *action;  /* what aev_call runs (templated or universal) */
  int max_retries;
  int64_t max_age_ms;
  const char *dlq_arn; /* borrowed from view, or NULL */
} aev__sconf;

struct aev__sch {
  _Atomic long refs;
  aev__sgroup *group; /* counted */
  char *name, *arn;
  /* under the group's lock: */
  int64_t created_s, modified_s;
  int64_t anchor_ms; /* when it was created or last updated: rate()'s start
                        without a StartDate */
  aev__sconf *conf;
  int dead;
  aev__timer timer;
  int64_t due_ms;  /* scheduled time of the armed firing, -1: none */
  int64_t fire_ms; /* when it fires: due_ms plus the flexible window's delay */
  int64_t last_ms;      /* the last scheduled time fired */
};

struct aev__sgroup {
  aev__resource res;
  pthread_mutex_t mu;
  int64_t created_s, modified_s;
  /* under mu: */
  aev__sch **list; /* sorted by name */
  size_t n, cap;
  json_t *tags;    /* {key: value} or NULL */
};


/* config.c: req's members (borrowed) checked into a new configuration,
 * ValidationException with AWS's wording otherwise. */
int aev__sconf_new(json_t *req, aev__sconf **out);
void aev__sconf_unref(aev__sconf *c);

/* Names and group names: 1 to 64 of [0-9a-zA-Z-_.] (config.c). */
int aev__scheduler_check_name(const char *name, const char *path);

/* when.c: the next scheduled time strictly after after_ms under c's
 * expression, time zone, StartDate and EndDate, or -1 when there is none;
 * anchor_ms starts a rate() that has no StartDate. */
int64_t aev__sconf_next(const aev__sconf *c, int64_t after_ms, int64_t anchor_ms);
/* Checks an expression ("at(...)", "rate(...)", "cron(...)") into c. */
int aev__sconf_expression(aev__sconf *c, const char *text);

/* group.c */
/* The group called name (NULL or "" for "default", made at first use):
 * a new reference, or ResourceNotFoundException. */
int aev__sgroup_find(aev_broker *b, const char *name, aev__sgroup **out);
/* Makes group name; AEV_ERR_EXISTS (nothing recorded) with *out the one
 * that exists. */
int aev__sgroup_new(aev_broker *b, const char *name, json_t *tags, aev__sgroup **out);
void aev__sgroup_release(aev__sgroup *g);
/* The schedule named name in g (a new reference), g->mu held. */
aev__sch *aev__sgroup_lookup(aev__sgroup *g, const char *name);
json_t *aev__sgroup_json(aev__sgroup *g);

/* schedule.c */
void aev__sch_ref(aev__sch *s);
void aev__sch_unref(aev__sch *s);
/* Removes s from its group (g->mu held) and stops its timer; returns
 * whether it was there. */
int aev__sch_unlink(aev__sch *s);
json_t *aev__sch_json(aev__sch *s); /* GetSchedule's shape, g->mu held */

/* fire.c: (re)arms s's timer for its next scheduled time after after_ms
 * (the group's lock held); disarm cancels it. */
void aev__sch_arm(aev__sch *s, int64_t after_ms);
void aev__sch_disarm(aev__sch *s);

/* invoke.c: one scheduled invocation of c's target for the schedule arn at
 * scheduled_ms, with retries and the dead-letter queue (c's reference is
 * taken). */
void aev__sch_invoke(aev_broker *b, const char *arn, aev__sconf *c, int64_t scheduled_ms);

/* The JSON-in functions of the public API over parsed requests. */
int aev__scheduler_create(aev_broker *b, json_t *req, json_t **resp);
int aev__scheduler_update(aev_broker *b, json_t *req, json_t **resp);
int aev__scheduler_get(aev_broker *b, json_t *req, json_t **resp);
int aev__scheduler_delete(aev_broker *b, json_t *req, json_t **resp);
int aev__scheduler_list(aev_broker *b, json_t *req, json_t **resp);
int aev__scheduler_list_groups(aev_broker *b, json_t *req, json_t **resp);
int aev__scheduler_create_group(aev_broker *b, json_t *req, json_t **resp);
int aev__scheduler_get_group(aev_broker *b, json_t *req, json_t **resp);
int aev__scheduler_delete_group(aev_broker *b, json_t *req, json_t **resp);
int aev__scheduler_tag_resource(aev_broker *b, json_t *req, json_t **resp);
int aev__scheduler_untag_resource(aev_broker *b, json_t *req, json_t **resp);
int aev__scheduler_list_tags(aev_broker *b, json_t *req, json_t **resp);
/* One page of all (a list) from req's NextToken, at most MaxResults
 * (1-100, default 100), as {key: [...], "NextToken"?}. */
int aev__scheduler_page(json_t *req, json_t *all, const char *key, json_t **resp);

/* Epoch milliseconds as the JSON protocol's timestamp: epoch seconds. */
json_t *aev__sch_time(int64_t ms);

#endif

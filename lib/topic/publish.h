/* Internal to lib/topic: a parsed Publish request, shared by Publish,
 * PublishBatch and the API layer. */
#ifndef AEV_TOPIC_PUBLISH_H
#define AEV_TOPIC_PUBLISH_H

#include "topic/topic_impl.h"

typedef struct aev__pub_req {
  const char *message;
  size_t len;
  const char *subject;
  json_t *attrs; /* Publish's MessageAttributes (borrowed) or NULL */
  /* attrs already checked and written as aev__sns_attrs_parse() would
   * (publish options parse them once), or NULL */
  const aev__sns_attrs *parsed;
  /* With parsed: the attributes packed for SQS (raw deliveries), or NULL
   * when SQS refuses them */
  const aev__attrs *raw;
  int structure_json;
  const char *group;
  const char *dedup;
  const char *where; /* the attributes' member path in validation errors */
  int dry;           /* check only: PublishBatch checks every entry first */
} aev__pub_req;

/* *r for message (len bytes) with the publish options o (NULL: none), as
 * the typed publishes take them; AEV_ERR_INVALID for attributes that were
 * not a JSON object. */
int aev__pub_req_of(const char *message, size_t len, const aev_publish_options *o,
                    aev__pub_req *r);

int aev__topic_publish_req(aev_topic *t, const aev__pub_req *r, char *id_out,
                           char *seq_out);

/* PublishBatch over parsed JSON entries: *resp is the response object. */
int aev__topic_publish_batch(aev_topic *t, json_t *entries, json_t **resp);

#endif

/* Internal: what the API layer uses of a delivery stream below the public
 * typed API: creation from a parsed request, lookup, describe. */
#ifndef AEV_DELIVERY_DELIVERY_H
#define AEV_DELIVERY_DELIVERY_H

#include <jansson.h>

#include "awsevents/delivery.h"
#include "delivery/delivery_impl.h"

int aev__delivery_create(aev_broker *b, const char *name, json_t *cfg,
                         aev_delivery_sink_fn fn, void *user,
                         aev_release_fn release, aev_delivery **out);
/* AWS's ValidationException unless name is 1 to 64 of [a-zA-Z0-9_.-]:
 * every action that takes a DeliveryStreamName checks it before any
 * lookup, so a malformed name is never "not found". */
int aev__delivery_check_name(const char *name);
int aev__delivery_find(aev_broker *b, const char *name_or_arn,
                       aev_delivery **out);
int aev__delivery_describe_json(aev_delivery *d, json_t **out);
/* UpdateDestination (update.c): req holds the one ...DestinationUpdate
 * member. */
int aev__delivery_update_json(aev_delivery *d, const char *version,
                              const char *dest_id, json_t *req);
int aev__delivery_list_json(aev_broker *b, int limit, const char *type,
                            const char *exclusive_start, json_t **out);
/* TagDeliveryStream's Tags ([{"Key", "Value"}]), UntagDeliveryStream's
 * TagKeys, and ListTagsForDeliveryStream's response: tags in key order
 * after exclusive (NULL: from the first), at most limit (1..50). */
int aev__delivery_tag_json(aev_delivery *d, json_t *list);
int aev__delivery_untag_json(aev_delivery *d, json_t *keys);
int aev__delivery_tags_json(aev_delivery *d, const char *exclusive, int limit,
                            json_t **out);

#endif

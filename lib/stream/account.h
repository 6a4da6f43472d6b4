/* Internal to lib/stream: Kinesis's account-wide settings, which
 * DescribeAccountSettings / UpdateAccountSettings answer: the minimum
 * throughput billing commitment (On-demand Advantage) that warm throughput
 * needs. */
#ifndef AEV_STREAM_ACCOUNT_H
#define AEV_STREAM_ACCOUNT_H

#include <jansson.h>
#include <stdint.h>

#include "awsevents/broker.h"

/* When the commitment in force now started (epoch ms), or 0 when none is:
 * never enabled, or ended. A stream's warm throughput belongs to the
 * commitment it was set under. */
int aev__kin_commitment(aev_broker *b, int64_t *started_ms);

/* DescribeAccountSettings' answer: {"MinimumThroughputBillingCommitment":
 * {"Status", "StartedAt"?, "EarliestAllowedEndAt"?, "EndedAt"?}}. */
int aev__kin_account_json(aev_broker *b, json_t **out);

/* UpdateAccountSettings: enable 1 for ENABLED, 0 for DISABLED; *out (may
 * be NULL) is the answer, the settings as they are after the change. */
int aev__kin_account_update(aev_broker *b, int enable, json_t **out);

#endif

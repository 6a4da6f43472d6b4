/* Internal: SNS MessageAttributes -> the JSON object a filter policy with
 * FilterPolicyScope MessageAttributes is matched against. */
#ifndef AEV_PATTERN_SNS_H
#define AEV_PATTERN_SNS_H

#include <stddef.h>

/* attrs is a MessageAttributes map, {"name": {"DataType": "String",
 * "StringValue": "x"}} (Publish's shape) or {"name": {"Type": "String",
 * "Value": "x"}} (the notification's shape). *out (malloc'd, *out_len bytes)
 * maps each name to its value: a string, a number for Number, the array's
 * elements for String.Array; Binary attributes are left out, since SNS never
 * matches them. */
int aev__pm_sns_attributes(const char *attrs, size_t len, char **out, size_t *out_len);

#endif

/* Internal to lib/function: Lambda Managed Instances. Capacity providers
 * (capacity.c) kept per broker in a hidden registry entry as Lambda
 * answers them, their states moved by timers on the broker clock; the
 * functions and versions that run on one (capacity_fn.c, the
 * CapacityProviderConfig member of their configuration); the scaling
 * configuration of a version (scaling_config.c); and the aev_call actions
 * (api_capacity.c). Lock order: the store, then a function's mu. Nothing
 * runs on instances: invocations still run on the broker's handler pool. */
#ifndef AEV_FUNCTION_CAPACITY_H
#define AEV_FUNCTION_CAPACITY_H

#include <jansson.h>

#include "function/api_fnconf.h"

/* Our choices (the guide gives no durations): a new capacity provider is
 * Pending for a minute before it is Active; a deleted one shows Deleting
 * for 30 seconds, then is gone. */
#define AEV__CAP_ACTIVATE_MS 60000
#define AEV__CAP_DELETE_MS 30000
/* "Lambda Managed Instances quotas": 1,000 capacity providers in an
 * account; 100 function versions per capacity provider. */
#define AEV__CAP_ACCOUNT_MAX 1000
#define AEV__CAP_VERSIONS_MAX 100

/* capacity.c. A provider is named by its name or its ARN (checked against
 * their patterns by the caller); ResourceNotFoundException for one that
 * does not exist (or an ARN of another region or account). */

/* Stores a new provider: name and conf (its members, checked; the answer
 * is conf with its ARN, State Pending and LastModified), tagged with tags
 * (NULL: none; checked). ResourceConflictException when the name is
 * taken, CapacityProviderLimitExceededException past the account quota. */
int aev__cap_create(aev_broker *b, const char *name, json_t *conf, json_t *tags, json_t **out);
int aev__cap_get(aev_broker *b, const char *name, json_t **out);
/* Replaces the CapacityProviderScalingConfig of an Active provider
 * (ResourceConflictException otherwise); scaling NULL: unchanged. */
int aev__cap_update(aev_broker *b, const char *name, json_t *scaling, json_t **out);
/* Deleting, then gone; ResourceConflictException while a function version
 * uses it or once it is Deleting. */
int aev__cap_delete(aev_broker *b, const char *name, json_t **out);
/* Every provider in State state (NULL: any), in the order they were made
 * (new reference). */
int aev__cap_list(aev_broker *b, const char *state, json_t **out);
/* {CapacityProviderArn, FunctionVersions: [{FunctionArn, State}]}: the
 * function versions ($LATEST included) configured to use it. */
int aev__cap_versions(aev_broker *b, const char *name, json_t **out);
/* That adding more function versions may use the provider arn: it exists
 * and is not Deleting, and the quota of versions per provider holds
 * (FunctionVersionsPerCapacityProviderLimitExceededException). */
int aev__cap_count_check(aev_broker *b, const char *arn, int adding);
/* Tags by the provider's ARN, as the code signing configurations' (csc.h). */
int aev__cap_tags_put(aev_broker *b, const char *arn, json_t *tags);
int aev__cap_tags_remove(aev_broker *b, const char *arn, json_t *keys);
json_t *aev__cap_tags_get(aev_broker *b, const char *arn);

/* capacity_fn.c: the provider ARN a configuration document names (borrowed
 * from doc), or NULL. */
const char *aev__cap_arn_of(json_t *doc);
/* The State of a function version that runs on the provider arn: Pending
 * while the provider is, else Active. */
const char *aev__cap_version_state(aev_broker *b, const char *arn);
/* CreateFunction's and UpdateFunctionConfiguration's CapacityProviderConfig
 * in req on top of base (NULL: a new function), with the Runtime and the
 * *memory (MB) the configuration ends with: its members
 * (ValidationException, all at once), the provider
 * (ResourceNotFoundException; ResourceConflictException while it is
 * Deleting), the runtime (the guide's "Lambda Managed Instances
 * runtimes"), the memory (at least 2048 MB, the default of a new function
 * on a provider), that a function keeps the compute it was created with,
 * and the quota of versions per provider for a new function. */
int aev__cap_config_check(aev_broker *b, json_t *req, const aev__fconf *base, int *memory);
/* PublishVersion of f: the quota of versions per provider. */
int aev__cap_publish_check(aev_function *f);
/* Invoke of version ("$LATEST" or a number) whose snapshot is conf (its
 * capacity flag set: callers check that first), for a function on a
 * provider: only published versions run
 * there, so $LATEST (and the unqualified function, which names
 * $LATEST.PUBLISHED on AWS, never published here) is refused with
 * NoPublishedVersionException; while the provider is Pending,
 * ResourceConflictException as Lambda answers for a function that is not
 * Active yet, in the throttle category so that queued events and mappings
 * retry it as they retry a throttle. */
int aev__cap_invocable(aev_function *f, const aev__fconf *conf, const char *version);
/* Sets State (and its reason) in o, the configuration answer of c. */
void aev__cap_state_put(aev_function *f, const aev__fconf *c, json_t **o);

AEV__FN_API_ACTION(aev__fn_api_create_capacity_provider);
AEV__FN_API_ACTION(aev__fn_api_get_capacity_provider);
AEV__FN_API_ACTION(aev__fn_api_update_capacity_provider);
AEV__FN_API_ACTION(aev__fn_api_delete_capacity_provider);
AEV__FN_API_ACTION(aev__fn_api_list_capacity_providers);
AEV__FN_API_ACTION(aev__fn_api_list_versions_by_capacity_provider);
AEV__FN_API_ACTION(aev__fn_api_put_scaling_config);
AEV__FN_API_ACTION(aev__fn_api_get_scaling_config);

#endif

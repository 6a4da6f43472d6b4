/* Internal to lib/function: Lambda code signing configurations (csc.c)
 * and their actions (api_csc.c). A configuration is kept as Lambda
 * answers it, per broker, in a hidden registry entry; the one a function
 * uses is recorded on the function (its settings, "csc"). Lock order: the
 * store, then a function's mu; never the other way round. */
#ifndef AEV_FUNCTION_CSC_H
#define AEV_FUNCTION_CSC_H

#include <jansson.h>
#include <stdint.h>

#include "function/api_fnconf.h"

/* ValidationException unless arn is a CodeSigningConfigArn as Lambda's API
 * reference constrains it (at most 200 characters,
 * arn:PARTITION:lambda:REGION:ACCOUNT:code-signing-config:csc-<17>). */
int aev__csc_arn_check(const char *arn);

/* The configuration's members (checked): publishers an AllowedPublishers
 * object, policy "Warn" or "Enforce", description (NULL: unchanged, or ""
 * on a create). create answers the new configuration (new reference),
 * tagged with tags (NULL: none; checked as TagResource checks them);
 * update changes only what is given (publishers / policy NULL: unchanged)
 * and moves LastModified. */
int aev__csc_create(aev_broker *b, json_t *publishers, const char *policy,
                    const char *description, json_t *tags, json_t **out);
int aev__csc_update(aev_broker *b, const char *arn, json_t *publishers, const char *policy,
                    const char *description, json_t **out);
/* ResourceNotFoundException for a configuration that does not exist. */
int aev__csc_get(aev_broker *b, const char *arn, json_t **out);
/* ResourceConflictException while a function uses it. */
int aev__csc_delete(aev_broker *b, const char *arn);
/* The tags of a configuration (the "Using tags on code signing
 * configurations" guide): TagResource merges, UntagResource drops keys,
 * ListTags answers them (new reference; an empty object when none; NULL:
 * out of memory). ResourceNotFoundException when arn does not exist. */
int aev__csc_tags_put(aev_broker *b, const char *arn, json_t *tags);
int aev__csc_tags_remove(aev_broker *b, const char *arn, json_t *keys);
json_t *aev__csc_tags_get(aev_broker *b, const char *arn);
/* Every configuration, in the order they were made (new reference). */
int aev__csc_all(aev_broker *b, json_t **out);
/* The ARNs of the functions that use arn, by name (new reference). */
int aev__csc_functions(aev_broker *b, const char *arn, json_t **out);

/* f uses arn from now on: CodeSigningConfigNotFoundException when arn
 * does not exist; InvalidParameterValueException for a function defined
 * as a container image, which Lambda does not sign. */
int aev__csc_attach(aev_function *f, const char *arn);
/* f uses none (none used: nothing to do). */
void aev__csc_detach(aev_function *f);
/* The ARN f uses (malloc'd in *arn; NULL: none). */
int aev__csc_of(aev_function *f, char **arn);
/* The same for the function actions, which refuse a container image's
 * function (InvalidParameterValueException); *arn NULL: none. */
int aev__csc_used(aev_function *f, char **arn);

/* Lambda's check of a deployment to a function that uses arn (NULL:
 * none; nothing to check) named name (used only when it is blocked): image a container image (refused:
 * not signed by Lambda), package and layers whether it deploys a code
 * package or layers. This library keeps no signatures, so what it deploys
 * is unsigned: under Warn it is deployed (*warned, may be NULL, set: the
 * deployment is to count in SignatureValidationErrors once it succeeds),
 * under Enforce it is blocked with CodeVerificationFailedException.
 * CodeSigningConfigNotFoundException when arn does not exist. */
int aev__csc_deploy_check(aev_broker *b, const char *arn, const char *name, int image,
                          int package, int layers, int *warned);

/* The same for a new function name with CreateFunction's members req
 * (PackageType, Code, Layers), arn checked against its pattern first. */
int aev__csc_create_check(aev_broker *b, const char *arn, const char *name, json_t *req,
                          int *warned);
/* The same for a deployment to the existing function f (UpdateFunctionCode,
 * UpdateFunctionConfiguration's Layers), with the configuration f uses. */
int aev__csc_function_deploy(aev_function *f, int package, int layers, int *warned);
/* A deployment the check warned about succeeded: Lambda's deployment
 * metric SignatureValidationErrors counts it. */
void aev__csc_warned(aev_function *f);

AEV__FN_API_ACTION(aev__fn_api_create_csc);
AEV__FN_API_ACTION(aev__fn_api_get_csc);
AEV__FN_API_ACTION(aev__fn_api_update_csc);
AEV__FN_API_ACTION(aev__fn_api_delete_csc);
AEV__FN_API_ACTION(aev__fn_api_list_cscs);
AEV__FN_API_ACTION(aev__fn_api_put_function_csc);
AEV__FN_API_ACTION(aev__fn_api_get_function_csc);
AEV__FN_API_ACTION(aev__fn_api_delete_function_csc);
AEV__FN_API_ACTION(aev__fn_api_list_functions_by_csc);

#endif

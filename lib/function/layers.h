/* Internal to lib/function: Lambda layers. A layer version is kept as
 * the answer PublishLayerVersion gave (Content, CompatibleRuntimes, ...),
 * per broker, in a hidden registry entry; its package's bytes are not
 * kept, only what Lambda reports of them (as for function code). */
#ifndef AEV_FUNCTION_LAYERS_H
#define AEV_FUNCTION_LAYERS_H

#include <jansson.h>
#include <stdint.h>

#include "api/api.h"
#include "awsevents/broker.h"

/* PublishLayerVersion's members (req: LayerName, Content, Description,
 * CompatibleRuntimes, CompatibleArchitectures, LicenseInfo); *out is its
 * answer (new reference). */
int aev__layer_publish(aev_broker *b, json_t *req, json_t **out);
/* GetLayerVersion's answer of NAME (a name or a layer ARN) version v. */
int aev__layer_get(aev_broker *b, const char *name, int64_t v, json_t **out);
/* DeleteLayerVersion: a missing layer or version is no error. */
int aev__layer_delete(aev_broker *b, const char *name, int64_t v);
/* ListLayerVersions (name set) or ListLayers (name NULL), newest version
 * first, filtered by runtime and arch (NULL: any), marker and max as
 * Lambda pages them. */
int aev__layer_list(aev_broker *b, const char *name, const char *runtime,
                    const char *arch, const char *marker, int64_t max, json_t **out);
/* The layer version policy: statements recorded, never enforced. */
int aev__layer_policy_add(aev_broker *b, const char *name, int64_t v, const char *sid,
                          const char *principal, const char *org_id,
                          const char *revision, json_t **out);
int aev__layer_policy_remove(aev_broker *b, const char *name, int64_t v, const char *sid,
                             const char *revision);
int aev__layer_policy_get(aev_broker *b, const char *name, int64_t v, json_t **out);
/* Checks a CreateFunction / UpdateFunctionConfiguration Layers member
 * (ARNs of existing layer versions, at most 5, one version per layer) and
 * replaces it in conf by what the configuration reports: [{Arn,
 * CodeSize}], *unzipped set to what their packages unzip to together.
 * conf without Layers is left alone (*unzipped untouched). */
int aev__layer_resolve(aev_broker *b, json_t *conf, int64_t *unzipped);

/* Every layer version's CodeSize together (GetAccountSettings'
 * AccountUsage.TotalCodeSize counts layers too). */
int64_t aev__layers_code_size(aev_broker *b);

/* api_layers.c: the layer actions of the "lambda" service. */
int aev__api_publish_layer_version(aev_broker *b, const aev__api_service *svc, json_t *req,
                                   json_t **resp);
int aev__api_get_layer_version(aev_broker *b, const aev__api_service *svc, json_t *req,
                               json_t **resp);
int aev__api_get_layer_version_by_arn(aev_broker *b, const aev__api_service *svc,
                                      json_t *req, json_t **resp);
int aev__api_delete_layer_version(aev_broker *b, const aev__api_service *svc, json_t *req,
                                  json_t **resp);
int aev__api_list_layers(aev_broker *b, const aev__api_service *svc, json_t *req,
                         json_t **resp);
int aev__api_list_layer_versions(aev_broker *b, const aev__api_service *svc, json_t *req,
                                 json_t **resp);
int aev__api_add_layer_version_permission(aev_broker *b, const aev__api_service *svc,
                                          json_t *req, json_t **resp);
int aev__api_remove_layer_version_permission(aev_broker *b, const aev__api_service *svc,
                                             json_t *req, json_t **resp);
int aev__api_get_layer_version_policy(aev_broker *b, const aev__api_service *svc,
                                      json_t *req, json_t **resp);

#endif

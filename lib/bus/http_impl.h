/* Internal to lib/bus: the broker's account-wide EventBridge resources
 * (kept on its default bus, which lives as long as the broker): connections
 * and API destinations, with the HTTP requests that rule targets send to
 * API destinations, and global endpoints. */
#ifndef AEV_BUS_HTTP_IMPL_H
#define AEV_BUS_HTTP_IMPL_H

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>

#include "bus/api_events.h"
#include "bus/bus.h"

/* A connection: what authorizes requests to an endpoint (connection.c). */
typedef struct aev__conn {
  char *name, *arn, *secret_arn, *description;
  const char *type;  /* AuthorizationType */
  const char *state; /* ConnectionState */
  json_t *auth;      /* AuthParameters with their secrets */
  char *token;       /* OAuth's access token while AUTHORIZED */
  uint64_t gen;      /* counts authorizations: a late token answer is dropped */
  int64_t created_ms, modified_ms, authorized_ms;
} aev__conn;

/* An API destination (api_destination.c). */
typedef struct aev__apidest {
  char *name, *arn, *description, *conn_arn, *endpoint, *method;
  int64_t rate;          /* InvocationRateLimitPerSecond */
  int64_t next_slot_us;  /* pacing: the earliest free invocation slot */
  int64_t created_ms, modified_ms;
} aev__apidest;

/* A global endpoint (endpoint.c). Its state moves on the broker's clock:
 * a change (CREATING, UPDATING, DELETING) settles at settles_ms, read
 * lazily by every action that looks at endpoints (no one waits on it). */
typedef struct aev__endpoint {
  char *name, *arn, *id, *url;
  json_t *config;       /* Description, RoutingConfig, ReplicationConfig,
                           EventBuses and RoleArn, as given and checked */
  const char *state;    /* EndpointState */
  char *reason;         /* StateReason of a *_FAILED state, or NULL */
  char *failing;        /* the settling change ends *_FAILED for this reason */
  int64_t created_ms, modified_ms;
  int64_t settles_ms;   /* when the change under way ends; 0: none */
} aev__endpoint;

/* Everything here is under mu; nothing is called out with it held. */
typedef struct aev__http_store {
  pthread_mutex_t mu;
  aev__conn **conns;
  size_t n_conns, cap_conns;
  aev__apidest **dests;
  size_t n_dests, cap_dests;
  aev__endpoint **endpoints;
  size_t n_endpoints, cap_endpoints;
} aev__http_store;

/* AWS's default quotas per account and Region (EventBridge quotas page). */
#define AEV__MAX_CONNECTIONS 3000
#define AEV__MAX_API_DESTINATIONS 3000

/* The broker's store, on its default bus: *bus is a reference the caller
 * releases (it keeps the store alive). */
int aev__http_store_get(aev_broker *b, aev_bus **bus, aev__http_store **out);
void aev__http_store_free(aev__http_store *s);
void aev__conn_free(aev__conn *c);
void aev__apidest_free(aev__apidest *d);
void aev__endpoint_free(aev__endpoint *e);

/* Under mu: the connection named name or whose ARN is name, or NULL. */
aev__conn *aev__conn_find(aev__http_store *s, const char *name_or_arn);
aev__apidest *aev__apidest_find(aev__http_store *s, const char *name_or_arn);

/* Appends x to a vector of pointers; 0 when out of memory. */
int aev__vec_push(void ***v, size_t *n, size_t *cap, void *x);
/* Removes x, which the vector holds, moving the last one into its place. */
void aev__vec_remove(void **v, size_t *n, const void *x);

/* arn:PARTITION:service:REGION:ACCOUNT:resource for the broker bus lives
 * in, in out. */
void aev__http_arn(const aev_bus *bus, const char *service, const char *resource, char *out,
                   size_t cap);

/* Ends an action that holds s's mu and a reference to bus: lets both go
 * and answers o (NULL: out of memory). */
int aev__http_answer(aev_bus *bus, aev__http_store *s, json_t *o, json_t **resp);

typedef enum { AEV__HTTP_CONNECTION, AEV__HTTP_API_DESTINATION } aev__http_kind;

/* The connection or API destination req's Name names, found under the
 * store's mu: on AEV_OK, *out is it, mu is held and *bus referenced (for
 * aev__http_answer()); else AWS's error, its not-found message worded with
 * verb ("describe"), nothing held. */
int aev__http_locked(aev_broker *b, const aev__api_service *svc, json_t *req, aev__http_kind kind,
                     const char *verb, aev_bus **bus, aev__http_store **s, void **out);

/* A List action's answer: {key: list} with the list sorted by "Name", as
 * AWS lists them, and paged by the request's NextToken and limit_member
 * ("Limit", or ListEndpoints' "MaxResults"); list NULL: out of memory. */
int aev__http_list_answer(const aev__api_service *svc, json_t *req, const char *limit_member,
                          const char *key, json_t *list, json_t **resp);

/* Epoch seconds, as the JSON protocol carries EventBridge's timestamps. */
json_t *aev__http_time(int64_t ms);

/* Authorizes c with its AuthParameters (mu held): BASIC and API_KEY at
 * once; OAuth goes AUTHORIZING and asks for a token. */
void aev__conn_authorize(aev_bus *bus, aev__conn *c, int64_t now_ms);
/* Drops c's authorization (mu held): DEAUTHORIZED, its token gone, and a
 * token request under way is ignored when it ends. */
void aev__conn_deauthorize(aev__conn *c);
/* Starts the OAuth token request of c (AUTHORIZING, mu held): a handler
 * task asks its AuthorizationEndpoint and leaves it AUTHORIZED or
 * DEAUTHORIZED (invoke_http.c). */
void aev__conn_request_token(aev_bus *bus, aev__conn *c);

/* An HTTP date (IMF-fixdate, or the obsolete RFC 850 and asctime forms)
 * as epoch ms in *out_ms (http_date.c); now_ms places RFC 850's two-digit
 * year. AEV_ERR_INVALID when s is none of them. Sets no error. */
int aev__http_date_parse(const char *s, int64_t now_ms, int64_t *out_ms);

/* HttpParameters of a PutTargets Target: checked and kept on t. */
int aev__target_parse_http(json_t *spec, aev__target *t, const aev__target_at *at);

AEV__EVENTS_ACTION(create_connection);
AEV__EVENTS_ACTION(update_connection);
AEV__EVENTS_ACTION(describe_connection);
AEV__EVENTS_ACTION(delete_connection);
AEV__EVENTS_ACTION(deauthorize_connection);
AEV__EVENTS_ACTION(list_connections);
AEV__EVENTS_ACTION(create_api_destination);
AEV__EVENTS_ACTION(update_api_destination);
AEV__EVENTS_ACTION(describe_api_destination);
AEV__EVENTS_ACTION(delete_api_destination);
AEV__EVENTS_ACTION(list_api_destinations);
AEV__EVENTS_ACTION(create_endpoint);
AEV__EVENTS_ACTION(update_endpoint);
AEV__EVENTS_ACTION(describe_endpoint);
AEV__EVENTS_ACTION(delete_endpoint);
AEV__EVENTS_ACTION(list_endpoints);

/* PutEvents' EndpointId: AEV_OK when it names a global endpoint of the
 * broker that takes events: one that was made (ACTIVE, or UPDATING or
 * UPDATE_FAILED: a change under way or failed leaves it in place), whose
 * primary Region is always the broker's; else ValidationException or
 * ResourceNotFoundException. */
int aev__endpoint_check_put(aev_broker *b, const char *endpoint_id);

/* endpoint_check.c: CreateEndpoint's and UpdateEndpoint's members. */
/* The members of req an endpoint keeps (Description, RoutingConfig,
 * ReplicationConfig, EventBuses, RoleArn) as a new object in *out, each
 * checked against AWS's model (*out NULL when one is not); create: the
 * required ones must be there. */
int aev__endpoint_members(const aev__api_service *svc, json_t *req, int create, json_t **out);
/* Checks a whole configuration against what AWS asks of an endpoint made
 * in region (the broker's) for account: two buses of one name, one in
 * region and one in the secondary Region RoutingConfig routes to, and a
 * RoleArn when replication is ENABLED (the default). */
int aev__endpoint_config_check(json_t *config, const char *region, const char *account);
/* The name of the configuration's event bus in region (a new string), or
 * NULL when out of memory. config is checked. */
char *aev__endpoint_primary_bus(json_t *config, const char *region);

#endif

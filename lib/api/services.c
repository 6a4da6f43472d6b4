/* The table of AWS services aev_call() dispatches to. A primitive that lands
 * replaces its PENDING line with &aev__api_<service>. */
#include "api/api.h"

/* A service whose primitive has not landed: known by name (so its actions
 * answer UnknownOperationException), with no actions yet. */
#define PENDING(service) (&(const aev__api_service){.name = (service)})

const aev__api_service *const aev__api_services[] = {
    &aev__api_sqs,
    &aev__api_sns,
    &aev__api_kinesis,
    &aev__api_firehose,
    &aev__api_events,
    &aev__api_states,
    &aev__api_lambda,
};

const size_t aev__api_n_services =
    sizeof aev__api_services / sizeof aev__api_services[0];

/* The table of AWS services aev_call() dispatches to: one per primitive,
 * each defined in its own folder. */
#include "api/api.h"

const aev__api_service *const aev__api_services[] = {
    &aev__api_sqs,
    &aev__api_sns,
    &aev__api_kinesis,
    &aev__api_firehose,
    &aev__api_events,
    &aev__api_states,
    &aev__api_lambda,
    &aev__api_scheduler,
    &aev__api_pipes,
};

const size_t aev__api_n_services =
    sizeof aev__api_services / sizeof aev__api_services[0];

/* The invocation context's read-only fields: Lambda's context object
 * (request id, function name/version/ARN, memory, log names, remaining time
 * on the broker clock, environment variables). */
#include "function/function_impl.h"

const char *aev_invocation_request_id(const aev_invocation *ctx) {
  return ctx ? ctx->request_id : NULL;
}

const char *aev_invocation_function_name(const aev_invocation *ctx) {
  return ctx ? ctx->f->res.name : NULL;
}

const char *aev_invocation_function_version(const aev_invocation *ctx) {
  return ctx ? ctx->version : NULL;
}

const char *aev_invocation_function_arn(const aev_invocation *ctx) {
  if (!ctx) return NULL;
  return ctx->invoked_arn ? ctx->invoked_arn : ctx->f->res.arn;
}

int aev_invocation_memory_mb(const aev_invocation *ctx) {
  return ctx ? ctx->conf->memory : 0;
}

const char *aev_invocation_log_group(const aev_invocation *ctx) {
  return ctx ? ctx->f->log_group : NULL;
}

const char *aev_invocation_log_stream(const aev_invocation *ctx) {
  if (!ctx) return NULL;
  return ctx->env ? ctx->env->log_stream : "";
}

int64_t aev_invocation_remaining_ms(const aev_invocation *ctx) {
  if (!ctx) return 0;
  int64_t left = ctx->deadline - aev__fn_now(ctx->f);
  return left > 0 ? left : 0;
}

const char *aev_invocation_env(const aev_invocation *ctx, const char *name) {
  return ctx ? json_string_value(json_object_get(ctx->conf->vars, name)) : NULL;
}

/* The "lambda" service of aev_call: CreateFunction with a registered
 * handler, Get/List/Update/Delete, Invoke of each type with boto3's
 * response shapes, concurrency and event invoke configuration actions, and
 * their errors. */
#include "aevtest.h"
#include "function_support.h"

static aev_broker *b;
static ft_state st;

static void setup(void) {
  b = qt_broker();
  memset(&st, 0, sizeof st);
  st.b = b;
  ck_assert_int_eq(aev_handler_register(b, "app.handler", ft_handler, &st, NULL), AEV_OK);
}
static void teardown(void) { aev_broker_destroy(b); }

/* Calls lambda ACTION and returns the response (caller frees). */
static char *call_ok(const char *action, const char *req) {
  char *r = NULL;
  int rc = aev_call(b, "lambda", action, req, &r);
  ck_assert_msg(rc == AEV_OK, "%s: %s", action, r ? r : "");
  return r;
}

static void call_err(const char *action, const char *req, int status,
                     const char *want) {
  char *r = NULL;
  ck_assert_int_eq(aev_call(b, "lambda", action, req, &r), status);
  ck_assert_msg(strstr(r, want), "%s: %s lacks %s", action, r, want);
  aev_free(r);
}

START_TEST(create_get_list_update_delete) {
  char *r = call_ok("CreateFunction",
                    "{\"FunctionName\":\"hello\",\"Handler\":\"app.handler\","
                    "\"Runtime\":\"python3.12\",\"Role\":\"arn:aws:iam::000000000000:role/r\","
                    /* a one-entry .zip archive, as Lambda requires */
                    "\"Code\":{\"ZipFile\":\"UEsDBBQAAAAAAAAAIVhcI7WJAwAAAAMAAAAIAAAAaW5kZXgucHl2MQpQ"
                    "SwECFAMUAAAAAAAAACFYXCO1iQMAAAADAAAACAAAAAAAAAAAAAAAgAEAAAAAaW5kZXgucHlQSwUGAAAAAAEA"
                    "AQA2AAAAKQAAAAAA\"},\"Timeout\":30}");
  ck_assert_ptr_nonnull(strstr(r, "\"FunctionName\":\"hello\""));
  ck_assert_ptr_nonnull(strstr(r, "\"Handler\":\"app.handler\""));
  ck_assert_ptr_nonnull(strstr(r, "\"Timeout\":30"));
  /* AWS answers a create as under way; here it takes no time. */
  ck_assert_ptr_nonnull(strstr(r, "\"State\":\"Pending\""));
  ck_assert_ptr_nonnull(strstr(r, "\"StateReason\":\"The function is being created.\""));
  ck_assert_ptr_nonnull(strstr(r, "\"StateReasonCode\":\"Creating\""));
  ck_assert_ptr_null(strstr(r, "LastUpdateStatus"));
  ck_assert_ptr_null(strstr(r, "ZipFile"));
  /* Lambda's defaults for members the request left out. */
  ck_assert_ptr_nonnull(strstr(r, "\"Architectures\":[\"x86_64\"]"));
  ck_assert_ptr_nonnull(strstr(r, "\"EphemeralStorage\":{\"Size\":512}"));
  ck_assert_ptr_nonnull(strstr(r, "\"TracingConfig\":{\"Mode\":\"PassThrough\"}"));
  ck_assert_ptr_nonnull(strstr(r, "\"SnapStart\":{\"ApplyOn\":\"None\",\"OptimizationStatus\":\"Off\"}"));
  ck_assert_ptr_nonnull(strstr(r, "\"LoggingConfig\":{\"LogFormat\":\"Text\",\"LogGroup\":\"/aws/lambda/hello\"}"));
  aev_free(r);
  call_err("CreateFunction", "{\"FunctionName\":\"hello\",\"Handler\":\"app.handler\"}",
           AEV_ERR_EXISTS, "{\"__type\":\"ResourceConflictException\",\"message\":\"Function already exist: hello\"}");
  call_err("CreateFunction", "{\"FunctionName\":\"x\",\"Handler\":\"nope.handler\"}",
           AEV_ERR_INVALID, "No handler is registered under the name nope.handler");
  call_err("CreateFunction", "{\"FunctionName\":\"x\"}", AEV_ERR_INVALID,
           "Value null at 'handler' failed to satisfy constraint: Member must not be null");
  r = call_ok("GetFunction", "{\"FunctionName\":\"hello\"}");
  ck_assert_ptr_nonnull(strstr(r, "{\"Configuration\":{"));
  ck_assert_ptr_nonnull(strstr(r, "\"State\":\"Active\""));
  ck_assert_ptr_nonnull(strstr(r, "\"LastUpdateStatus\":\"Successful\""));
  ck_assert_ptr_null(strstr(r, "StateReason"));
  aev_free(r);
  r = call_ok("UpdateFunctionConfiguration", "{\"FunctionName\":\"hello\",\"MemorySize\":1024}");
  ck_assert_ptr_nonnull(strstr(r, "\"MemorySize\":1024"));
  ck_assert_ptr_nonnull(strstr(r, "\"State\":\"Active\""));
  ck_assert_ptr_nonnull(strstr(r, "\"LastUpdateStatus\":\"InProgress\""));
  ck_assert_ptr_nonnull(strstr(r, "\"LastUpdateStatusReason\":\"The function is being created.\""));
  ck_assert_ptr_nonnull(strstr(r, "\"LastUpdateStatusReasonCode\":\"Creating\""));
  aev_free(r);
  r = call_ok("GetFunctionConfiguration", "{\"FunctionName\":\"hello\"}");
  ck_assert_ptr_nonnull(strstr(r, "\"LastUpdateStatus\":\"Successful\""));
  aev_free(r);
  r = call_ok("CreateFunction", "{\"FunctionName\":\"abc\",\"Handler\":\"app.handler\"}");
  aev_free(r);
  r = call_ok("ListFunctions", "{}");
  const char *a = strstr(r, "\"FunctionName\":\"abc\""), *h = strstr(r, "\"FunctionName\":\"hello\"");
  ck_assert_msg(a && h && a < h, "%s", r);
  ck_assert_ptr_null(strstr(r, "#"));
  aev_free(r);
  r = call_ok("ListFunctions", "{\"MaxItems\":1}");
  ck_assert_ptr_nonnull(strstr(r, "\"NextMarker\":\"abc\""));
  ck_assert_ptr_null(strstr(r, "hello"));
  aev_free(r);
  r = call_ok("DeleteFunction", "{\"FunctionName\":\"hello\"}");
  ck_assert_str_eq(r, "{}");
  aev_free(r);
  call_err("GetFunction", "{\"FunctionName\":\"hello\"}", AEV_ERR_NOT_FOUND,
           "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Function not found: "
           "arn:aws:lambda:us-east-1:000000000000:function:hello\"}");
}
END_TEST

/* The RevisionId of "{..."RevisionId":"X"...}" in r, into out. */
static void revision_of(const char *r, char out[37]) {
  const char *k = strstr(r, "\"RevisionId\":\"");
  ck_assert_msg(k, "no RevisionId: %s", r);
  snprintf(out, 37, "%s", k + 14);
}

/* Each configuration has a RevisionId, new with each update; an update
 * naming another revision is refused and changes nothing. */
START_TEST(revision_ids) {
  char *r = call_ok("CreateFunction", "{\"FunctionName\":\"f\",\"Handler\":\"app.handler\"}");
  char first[37], got[37], second[37], req[256];
  revision_of(r, first);
  aev_free(r);
  r = call_ok("GetFunction", "{\"FunctionName\":\"f\"}");
  revision_of(r, got);
  ck_assert_str_eq(got, first);
  aev_free(r);
  snprintf(req, sizeof req, "{\"FunctionName\":\"f\",\"Timeout\":9,\"RevisionId\":\"%s\"}", first);
  r = call_ok("UpdateFunctionConfiguration", req);
  revision_of(r, second);
  ck_assert_str_ne(second, first);
  aev_free(r);
  snprintf(req, sizeof req, "{\"FunctionName\":\"f\",\"Timeout\":7,\"RevisionId\":\"%s\"}", first);
  call_err("UpdateFunctionConfiguration", req, AEV_ERR_STATE,
           "{\"__type\":\"PreconditionFailedException\",\"message\":\"The Revision Id provided "
           "does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve "
           "the latest Revision Id\"}");
  snprintf(req, sizeof req, "{\"FunctionName\":\"f\",\"Timeout\":7,\"RevisionId\":\"%sx\"}", second);
  call_err("UpdateFunctionConfiguration", req, AEV_ERR_STATE, "PreconditionFailedException");
  r = call_ok("GetFunctionConfiguration", "{\"FunctionName\":\"f\"}");
  revision_of(r, got);
  ck_assert_str_eq(got, second);
  ck_assert_ptr_nonnull(strstr(r, "\"Timeout\":9"));
  aev_free(r);
  /* PublishVersion's RevisionId: only that revision is published. */
  snprintf(req, sizeof req, "{\"FunctionName\":\"f\",\"RevisionId\":\"%s\"}", first);
  call_err("PublishVersion", req, AEV_ERR_STATE, "PreconditionFailedException");
  r = call_ok("ListVersionsByFunction", "{\"FunctionName\":\"f\"}");
  ck_assert_ptr_null(strstr(r, "\"Version\":\"1\""));
  aev_free(r);
  snprintf(req, sizeof req, "{\"FunctionName\":\"f\",\"RevisionId\":\"%s\"}", second);
  r = call_ok("PublishVersion", req);
  /* Recorded (test_function_revisions_version_and_alias): the version has
   * a RevisionId of its own, publishing gives $LATEST a new one, and
   * neither changes when the version is read or an alias is made. */
  char version[37], latest[37];
  revision_of(r, version);
  ck_assert_str_ne(version, second);
  aev_free(r);
  r = call_ok("GetFunction", "{\"FunctionName\":\"f\"}");
  revision_of(r, latest);
  ck_assert_str_ne(latest, second);
  ck_assert_str_ne(latest, version);
  aev_free(r);
  aev_free(call_ok("CreateAlias", "{\"FunctionName\":\"f\",\"Name\":\"a\",\"FunctionVersion\":\"1\"}"));
  r = call_ok("GetFunction", "{\"FunctionName\":\"f\",\"Qualifier\":\"1\"}");
  revision_of(r, got);
  ck_assert_str_eq(got, version);
  aev_free(r);
  r = call_ok("GetFunction", "{\"FunctionName\":\"f\"}");
  revision_of(r, got);
  ck_assert_str_eq(got, latest);
  aev_free(r);
  /* Publishing $LATEST unchanged answers the version as it was. */
  r = call_ok("PublishVersion", "{\"FunctionName\":\"f\"}");
  revision_of(r, got);
  ck_assert_str_eq(got, version);
  aev_free(r);
}
END_TEST

START_TEST(invoke_each_type) {
  aev_free(call_ok("CreateFunction", "{\"FunctionName\":\"f\",\"Handler\":\"app.handler\"}"));
  char *r = call_ok("Invoke", "{\"FunctionName\":\"f\",\"Payload\":\"{\\\"a\\\":1}\"}");
  ck_assert_str_eq(r, "{\"StatusCode\":200,\"ExecutedVersion\":\"$LATEST\",\"Payload\":\"{\\\"a\\\":1}\"}");
  aev_free(r);
  st.mode = FT_FAIL;
  r = call_ok("Invoke", "{\"FunctionName\":\"f\",\"InvocationType\":\"RequestResponse\",\"Payload\":\"{}\"}");
  ck_assert_str_eq(r, "{\"StatusCode\":200,\"ExecutedVersion\":\"$LATEST\",\"Payload\":"
                      "\"{\\\"errorMessage\\\":\\\"it broke\\\",\\\"errorType\\\":\\\"Boom\\\"}\","
                      "\"FunctionError\":\"Unhandled\"}");
  aev_free(r);
  st.mode = FT_ECHO;
  r = call_ok("Invoke", "{\"FunctionName\":\"f\",\"InvocationType\":\"Event\",\"Payload\":\"{}\"}");
  ck_assert_str_eq(r, "{\"StatusCode\":202,\"Payload\":\"\"}");
  aev_free(r);
  ck_assert_int_eq(st.calls, 2);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(st.calls, 3);
  r = call_ok("Invoke", "{\"FunctionName\":\"f\",\"InvocationType\":\"DryRun\"}");
  ck_assert_str_eq(r, "{\"StatusCode\":204,\"Payload\":\"\"}");
  aev_free(r);
  ck_assert_int_eq(st.calls, 3);
  call_err("Invoke", "{\"FunctionName\":\"f\",\"InvocationType\":\"Sometimes\"}", AEV_ERR_INVALID,
           "Member must satisfy enum value set: [Event, RequestResponse, DryRun]");
  call_err("Invoke", "{\"FunctionName\":\"f\",\"Payload\":\"{oops\"}", AEV_ERR_INVALID,
           "InvalidRequestContentException");
  call_err("Invoke", "{\"FunctionName\":\"f\",\"Qualifier\":\"prod\"}", AEV_ERR_NOT_FOUND,
           "ResourceNotFoundException");
  /* FunctionName's pattern is ASCII only, and 170 characters at most:
   * refused as invalid before any lookup, not as not found */
  call_err("Invoke", "{\"FunctionName\":\"arn:aws:lambda:us-east-1:000000000000:function:caf\xc3\xa9\"}",
           AEV_ERR_INVALID, "ValidationException");
  call_err("Invoke", "{\"FunctionName\":\"f\xe6\xbc\xa2\"}", AEV_ERR_INVALID,
           "at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
           "(arn:(aws[a-zA-Z-]*)?:lambda:)?");
  char long_name[200] = "{\"FunctionName\":\"";
  memset(long_name + strlen(long_name), 'a', 171);
  strcpy(long_name + 17 + 171, "\"}");
  call_err("Invoke", long_name, AEV_ERR_INVALID, "Member must have length less than or equal to 170");
  r = call_ok("Invoke", "{\"FunctionName\":\"arn:aws:lambda:us-east-1:000000000000:function:f\","
                        "\"Qualifier\":\"$LATEST\",\"Payload\":{\"obj\":true}}");
  ck_assert_ptr_nonnull(strstr(r, "\"Payload\":\"{\\\"obj\\\":true}\""));
  aev_free(r);
  /* The partial ARN ACCOUNT:function:NAME, with or without a qualifier. */
  r = call_ok("Invoke", "{\"FunctionName\":\"000000000000:function:f\",\"Payload\":\"{}\"}");
  ck_assert_ptr_nonnull(strstr(r, "\"ExecutedVersion\":\"$LATEST\""));
  aev_free(r);
  aev_free(call_ok("PublishVersion", "{\"FunctionName\":\"000000000000:function:f\"}"));
  r = call_ok("Invoke", "{\"FunctionName\":\"000000000000:function:f:1\",\"Payload\":\"{}\"}");
  ck_assert_ptr_nonnull(strstr(r, "\"ExecutedVersion\":\"1\""));
  aev_free(r);
  call_err("Invoke", "{\"FunctionName\":\"111111111111:function:f\"}", AEV_ERR_NOT_FOUND,
           "arn:aws:lambda:us-east-1:111111111111:function:f:$LATEST\"");
  /* Recorded (test_invoke_exceptions): the missing function is named with
   * the version the invocation would have run. */
  call_err("Invoke", "{\"FunctionName\":\"doesnotexist\"}", AEV_ERR_NOT_FOUND,
           "\"Function not found: arn:aws:lambda:us-east-1:000000000000:function:doesnotexist:$LATEST\"");
  call_err("Invoke", "{\"FunctionName\":\"doesnotexist\",\"Qualifier\":\"1\"}", AEV_ERR_NOT_FOUND,
           "\"Function not found: arn:aws:lambda:us-east-1:000000000000:function:doesnotexist:1\"");
}
END_TEST

/* A result of bytes that are not UTF-8 (Lambda's Python runtime passes
 * bytes through): Invoke's Payload, text here where Lambda's is a blob,
 * shows '?' for each byte that begins no character. It answered
 * InternalFailure "Out of memory.". */
static void bytes_handler(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)user, (void)event, (void)len;
  aev_invocation_succeed(ctx, "\xff\x00ok\xc3\xa9\xc3", 7);
}

START_TEST(invoke_a_result_that_is_not_utf8) {
  ck_assert_int_eq(aev_handler_register(b, "app.bytes", bytes_handler, NULL, NULL), AEV_OK);
  aev_free(call_ok("CreateFunction", "{\"FunctionName\":\"raw\",\"Handler\":\"app.bytes\"}"));
  char *r = call_ok("Invoke", "{\"FunctionName\":\"raw\"}");
  ck_assert_str_eq(r, "{\"StatusCode\":200,\"ExecutedVersion\":\"$LATEST\","
                      "\"Payload\":\"?\\u0000ok\xc3\xa9?\"}");
  aev_free(r);
}
END_TEST

START_TEST(concurrency_actions) {
  aev_free(call_ok("CreateFunction", "{\"FunctionName\":\"c\",\"Handler\":\"app.handler\"}"));
  char *r = call_ok("GetFunctionConcurrency", "{\"FunctionName\":\"c\"}");
  ck_assert_str_eq(r, "{}");
  aev_free(r);
  r = call_ok("PutFunctionConcurrency", "{\"FunctionName\":\"c\",\"ReservedConcurrentExecutions\":0}");
  ck_assert_str_eq(r, "{\"ReservedConcurrentExecutions\":0}");
  aev_free(r);
  call_err("Invoke", "{\"FunctionName\":\"c\"}", AEV_ERR_THROTTLED,
           "{\"__type\":\"TooManyRequestsException\",\"message\":\"Rate Exceeded.\"}");
  r = call_ok("GetFunction", "{\"FunctionName\":\"c\"}");
  ck_assert_ptr_nonnull(strstr(r, "\"Concurrency\":{\"ReservedConcurrentExecutions\":0}"));
  aev_free(r);
  aev_free(call_ok("DeleteFunctionConcurrency", "{\"FunctionName\":\"c\"}"));
  aev_free(call_ok("Invoke", "{\"FunctionName\":\"c\"}"));
  call_err("PutFunctionConcurrency", "{\"FunctionName\":\"c\",\"ReservedConcurrentExecutions\":1001}",
           AEV_ERR_INVALID, "below its minimum value of [100]");
  r = call_ok("GetAccountSettings", "{}");
  ck_assert_ptr_nonnull(strstr(r, "\"ConcurrentExecutions\":1000,"
                                 "\"UnreservedConcurrentExecutions\":1000}"));
  aev_free(r);
  aev_free(call_ok("PutFunctionConcurrency", "{\"FunctionName\":\"c\",\"ReservedConcurrentExecutions\":900}"));
  r = call_ok("GetAccountSettings", "{}");
  ck_assert_ptr_nonnull(strstr(r, "\"UnreservedConcurrentExecutions\":100}"));
  aev_free(r);
  /* Recorded (test_function_concurrency_exceptions): a qualified ARN is
   * refused, even ARN:$LATEST, and a missing function is named with
   * :$LATEST; the reservation stays as it was. */
  call_err("PutFunctionConcurrency", "{\"FunctionName\":\"arn:aws:lambda:us-east-1:000000000000:function:c:$LATEST\","
           "\"ReservedConcurrentExecutions\":0}", AEV_ERR_INVALID,
           "{\"__type\":\"InvalidParameterValueException\",\"message\":\"This operation is permitted on Lambda "
           "functions only. Aliases and versions do not support this operation. Please specify either a function "
           "name or an unqualified function ARN.\"}");
  call_err("PutFunctionConcurrency", "{\"FunctionName\":\"c:1\",\"ReservedConcurrentExecutions\":0}",
           AEV_ERR_INVALID, "This operation is permitted on Lambda functions only.");
  call_err("PutFunctionConcurrency", "{\"FunctionName\":\"doesnotexist\",\"ReservedConcurrentExecutions\":1}",
           AEV_ERR_NOT_FOUND, "Function not found: arn:aws:lambda:us-east-1:000000000000:function:doesnotexist:$LATEST\"");
  r = call_ok("GetFunctionConcurrency", "{\"FunctionName\":\"c\"}");
  ck_assert_str_eq(r, "{\"ReservedConcurrentExecutions\":900}");
  aev_free(r);
}
END_TEST

START_TEST(event_invoke_config_actions) {
  aev_free(call_ok("CreateFunction", "{\"FunctionName\":\"e\",\"Handler\":\"app.handler\"}"));
  call_err("GetFunctionEventInvokeConfig", "{\"FunctionName\":\"e\"}", AEV_ERR_NOT_FOUND,
           "doesn't have an EventInvokeConfig");
  call_err("UpdateFunctionEventInvokeConfig", "{\"FunctionName\":\"e\",\"MaximumRetryAttempts\":1}",
           AEV_ERR_NOT_FOUND, "doesn't have an EventInvokeConfig");
  char *r = call_ok("PutFunctionEventInvokeConfig",
                    "{\"FunctionName\":\"e\",\"MaximumRetryAttempts\":1,"
                    "\"DestinationConfig\":{\"OnFailure\":{\"Destination\":"
                    "\"arn:aws:sqs:us-east-1:000000000000:dlq\"}}}");
  ck_assert_ptr_nonnull(strstr(r, "\"OnFailure\":{\"Destination\":\"arn:aws:sqs:us-east-1:000000000000:dlq\"}"));
  ck_assert_ptr_nonnull(strstr(r, "\"OnSuccess\":{}"));
  aev_free(r);
  r = call_ok("UpdateFunctionEventInvokeConfig", "{\"FunctionName\":\"e\",\"MaximumEventAgeInSeconds\":100}");
  ck_assert_ptr_nonnull(strstr(r, "\"MaximumRetryAttempts\":1"));
  ck_assert_ptr_nonnull(strstr(r, "\"MaximumEventAgeInSeconds\":100"));
  ck_assert_ptr_nonnull(strstr(r, "sqs:us-east-1:000000000000:dlq"));
  aev_free(r);
  r = call_ok("GetFunctionEventInvokeConfig", "{\"FunctionName\":\"e\"}");
  ck_assert_ptr_nonnull(strstr(r, "\"MaximumEventAgeInSeconds\":100"));
  aev_free(r);
  aev_free(call_ok("DeleteFunctionEventInvokeConfig", "{\"FunctionName\":\"e\"}"));
  call_err("DeleteFunctionEventInvokeConfig", "{\"FunctionName\":\"e\"}", AEV_ERR_NOT_FOUND,
           "doesn't have an EventInvokeConfig");
  r = call_ok("UpdateFunctionConfiguration",
              "{\"FunctionName\":\"e\",\"DeadLetterConfig\":{\"TargetArn\":\"arn:aws:sqs:us-east-1:000000000000:dl\"}}");
  ck_assert_ptr_nonnull(strstr(r, "\"DeadLetterConfig\":{\"TargetArn\":\"arn:aws:sqs:us-east-1:000000000000:dl\"}"));
  aev_free(r);
  /* Recorded (test_dead_letter_queue): DeadLetterConfig {} leaves the
   * target; an empty TargetArn removes it. */
  r = call_ok("UpdateFunctionConfiguration", "{\"FunctionName\":\"e\",\"DeadLetterConfig\":{}}");
  ck_assert_ptr_nonnull(strstr(r, "\"DeadLetterConfig\":{\"TargetArn\":\"arn:aws:sqs:us-east-1:000000000000:dl\"}"));
  aev_free(r);
  r = call_ok("UpdateFunctionConfiguration", "{\"FunctionName\":\"e\",\"DeadLetterConfig\":{\"TargetArn\":\"\"}}");
  ck_assert_ptr_null(strstr(r, "DeadLetterConfig"));
  aev_free(r);
}
END_TEST

START_TEST(qualified_names) {
  aev_free(call_ok("CreateFunction", "{\"FunctionName\":\"q\",\"Handler\":\"app.handler\"}"));
  /* A qualifier in the name must agree with Qualifier, checked before any
   * lookup; when they agree the function is found. */
  call_err("GetFunction", "{\"FunctionName\":\"arn:aws:lambda:us-east-1:000000000000:function:nope:1\","
                          "\"Qualifier\":\"$LATEST\"}", AEV_ERR_INVALID,
           "{\"__type\":\"InvalidParameterValueException\",\"message\":\"The derived qualifier "
           "from the function name does not match the specified qualifier.\"}");
  call_err("Invoke", "{\"FunctionName\":\"q:$LATEST\",\"Qualifier\":\"1\"}", AEV_ERR_INVALID,
           "does not match the specified qualifier");
  aev_free(call_ok("GetFunctionConfiguration", "{\"FunctionName\":\"q:$LATEST\",\"Qualifier\":\"$LATEST\"}"));
  /* An ARN of another region is not reachable from this one. */
  call_err("Invoke", "{\"FunctionName\":\"arn:aws:lambda:eu-central-1:000000000000:function:q\"}",
           AEV_ERR_NOT_FOUND, "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Functions "
           "from 'eu-central-1' are not reachable in this region ('us-east-1')\"}");
  /* GetFunctionEventInvokeConfig answers a missing function or version as
   * a missing configuration of that qualified ARN. */
  call_err("GetFunctionEventInvokeConfig", "{\"FunctionName\":\"gone\"}", AEV_ERR_NOT_FOUND,
           "{\"__type\":\"ResourceNotFoundException\",\"message\":\"The function "
           "arn:aws:lambda:us-east-1:000000000000:function:gone:$LATEST doesn't have an EventInvokeConfig\"}");
  call_err("GetFunctionEventInvokeConfig", "{\"FunctionName\":\"q\",\"Qualifier\":\"7\"}",
           AEV_ERR_NOT_FOUND, "\"The function arn:aws:lambda:us-east-1:000000000000:function:q:7 "
           "doesn't have an EventInvokeConfig\"}");
  /* DeleteFunction: $LATEST is refused, a missing version is deleted
   * already, a missing function is named without the qualifier. */
  call_err("DeleteFunction", "{\"FunctionName\":\"nope\",\"Qualifier\":\"$LATEST\"}", AEV_ERR_INVALID,
           "{\"__type\":\"InvalidParameterValueException\",\"message\":\"$LATEST version cannot "
           "be deleted without deleting the function.\"}");
  char *r = call_ok("DeleteFunction", "{\"FunctionName\":\"q\",\"Qualifier\":\"1233\"}");
  ck_assert_str_eq(r, "{}");
  aev_free(r);
  aev_free(call_ok("DeleteFunction", "{\"FunctionName\":\"q\"}"));
  call_err("DeleteFunction", "{\"FunctionName\":\"q\",\"Qualifier\":\"1233\"}", AEV_ERR_NOT_FOUND,
           "\"Function not found: arn:aws:lambda:us-east-1:000000000000:function:q\"}");
  /* GetFunction and GetFunctionConfiguration name the $LATEST a request
   * named; without it, the function alone. */
  call_err("GetFunction", "{\"FunctionName\":\"q\",\"Qualifier\":\"$LATEST\"}", AEV_ERR_NOT_FOUND,
           "\"Function not found: arn:aws:lambda:us-east-1:000000000000:function:q:$LATEST\"}");
  call_err("GetFunctionConfiguration", "{\"FunctionName\":\"q:$LATEST\"}", AEV_ERR_NOT_FOUND,
           "\"Function not found: arn:aws:lambda:us-east-1:000000000000:function:q:$LATEST\"}");
  call_err("GetFunction", "{\"FunctionName\":\"q\"}", AEV_ERR_NOT_FOUND,
           "\"Function not found: arn:aws:lambda:us-east-1:000000000000:function:q\"}");
}
END_TEST

START_TEST(handler_registration_errors) {
  ck_assert_int_eq(aev_handler_register(b, "app.handler", ft_handler, &st, NULL), AEV_ERR_EXISTS);
  ck_assert_str_eq(aev_errcode(), "ResourceConflictException");
  ck_assert_int_eq(aev_handler_register(b, "", ft_handler, &st, NULL), AEV_ERR_INVALID);
  aev_function *f;
  ck_assert_int_eq(aev_function_get(b, "#handlers", &f), AEV_ERR_NOT_FOUND);
}
END_TEST

static Suite *suite(void) {
  Suite *su = suite_create("function_api");
  TCase *tc = tcase_create("api");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, create_get_list_update_delete);
  tcase_add_test(tc, revision_ids);
  tcase_add_test(tc, invoke_each_type);
  tcase_add_test(tc, invoke_a_result_that_is_not_utf8);
  tcase_add_test(tc, concurrency_actions);
  tcase_add_test(tc, event_invoke_config_actions);
  tcase_add_test(tc, handler_registration_errors);
  tcase_add_test(tc, qualified_names);
  suite_add_tcase(su, tc);
  return su;
}

int main(void) { return aev_test_run(suite()); }

/* Versions and aliases: PublishVersion freezes the configuration, invoking
 * by version, alias, qualified ARN and Qualifier, weighted alias routing
 * (deterministic under a seed, within 2% of the weight over 10,000
 * invocations), ExecutedVersion and the context's version, and the errors. */
#include "aevtest.h"
#include "function_support.h"

static aev_broker *b;
static ft_state st;

static void setup(void) {
  b = qt_broker();
  memset(&st, 0, sizeof st);
  st.b = b;
}
static void teardown(void) { aev_broker_destroy(b); }

static void version_handler(void *user, aev_invocation *ctx, const char *e,
                            size_t n) {
  (void)user;
  (void)e;
  (void)n;
  char out[64];
  int len = snprintf(out, sizeof out, "{\"v\":\"%s\",\"mem\":%d}",
                     aev_invocation_function_version(ctx),
                     aev_invocation_memory_mb(ctx));
  aev_invocation_succeed(ctx, out, (size_t)len);
}

static aev_function *vfn(const char *name) {
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, name, "{\"MemorySize\":128}", version_handler, NULL, NULL, &f), AEV_OK);
  return f;
}

START_TEST(publish_freezes_the_configuration) {
  aev_function *f = vfn("v");
  char *j;
  ck_assert_int_eq(aev_function_publish_version(f, "first", &j), AEV_OK);
  ck_assert_ptr_nonnull(strstr(j, "\"Version\":\"1\""));
  ck_assert_ptr_nonnull(strstr(j, "\"FunctionArn\":\"arn:aws:lambda:us-east-1:000000000000:function:v:1\""));
  aev_free(j);
  /* Unchanged $LATEST: publishing again returns version 1. */
  ck_assert_int_eq(aev_function_publish_version(f, NULL, &j), AEV_OK);
  ck_assert_ptr_nonnull(strstr(j, "\"Version\":\"1\""));
  aev_free(j);
  ck_assert_int_eq(aev_function_update_configuration(f, "{\"MemorySize\":512}"), AEV_OK);
  ck_assert_int_eq(aev_function_publish_version(f, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_function_update_configuration(f, "{\"MemorySize\":1024}"), AEV_OK);
  char *out, ver[16];
  ck_assert_int_eq(aev_function_invoke_qualified(f, "1", "{}", 2, &out, NULL, NULL, ver), AEV_OK);
  ck_assert_str_eq(out, "{\"v\":\"1\",\"mem\":128}");
  ck_assert_str_eq(ver, "1");
  aev_free(out);
  ck_assert_int_eq(aev_function_invoke_qualified(f, "2", "{}", 2, &out, NULL, NULL, ver), AEV_OK);
  ck_assert_str_eq(out, "{\"v\":\"2\",\"mem\":512}");
  aev_free(out);
  ck_assert_int_eq(aev_function_invoke_qualified(f, NULL, "{}", 2, &out, NULL, NULL, ver), AEV_OK);
  ck_assert_str_eq(out, "{\"v\":\"$LATEST\",\"mem\":1024}");
  ck_assert_str_eq(ver, "$LATEST");
  aev_free(out);
  ft_assert_error(aev_function_invoke_qualified(f, "3", "{}", 2, &out, NULL, NULL, NULL),
                  AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                  "Function not found: arn:aws:lambda:us-east-1:000000000000:function:v:3");
  ck_assert_int_eq(aev_function_list_versions(f, &j), AEV_OK);
  const char *l = strstr(j, "\"Version\":\"$LATEST\""), *one = strstr(j, "\"Version\":\"1\""),
             *two = strstr(j, "\"Version\":\"2\"");
  ck_assert_msg(l && one && two && l < one && one < two, "%s", j);
  aev_free(j);
  aev_function_release(f);
}
END_TEST

START_TEST(aliases_route_and_report) {
  aev_function *f = vfn("a");
  aev_function_publish_version(f, NULL, NULL);
  aev_function_update_configuration(f, "{\"MemorySize\":256}");
  aev_function_publish_version(f, NULL, NULL);
  char *j;
  ck_assert_int_eq(aev_function_create_alias(f, "prod", "1", "live", NULL, &j), AEV_OK);
  ck_assert_ptr_nonnull(strstr(j, "\"AliasArn\":\"arn:aws:lambda:us-east-1:000000000000:function:a:prod\""));
  ck_assert_ptr_nonnull(strstr(j, "\"FunctionVersion\":\"1\""));
  aev_free(j);
  char *out, ver[16];
  ck_assert_int_eq(aev_function_invoke_qualified(f, "prod", "{}", 2, &out, NULL, NULL, ver), AEV_OK);
  ck_assert_str_eq(ver, "1");
  aev_free(out);
  ck_assert_int_eq(aev_function_update_alias(f, "prod", "2", NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_function_invoke_qualified(f, "prod", "{}", 2, &out, NULL, NULL, ver), AEV_OK);
  ck_assert_str_eq(ver, "2");
  aev_free(out);
  ft_assert_error(aev_function_create_alias(f, "prod", "1", NULL, NULL, &j), AEV_ERR_EXISTS,
                  "ResourceConflictException", "Alias already exists: arn:aws:lambda:us-east-1:000000000000:function:a:prod");
  ft_assert_error(aev_function_create_alias(f, "123", "1", NULL, NULL, &j), AEV_ERR_INVALID,
                  "ValidationException", "(?!^[0-9]+$)([a-zA-Z0-9-_]+)");
  ft_assert_error(aev_function_create_alias(f, "x", "9", NULL, NULL, &j), AEV_ERR_NOT_FOUND,
                  "ResourceNotFoundException", "function:a:9");
  ft_assert_error(aev_function_update_alias(f, "prod", NULL, "{\"AdditionalVersionWeights\":{\"$LATEST\":0.5}}", &j),
                  AEV_ERR_INVALID, "InvalidParameterValueException", "$LATEST is not allowed");
  ft_assert_error(aev_function_update_alias(f, "prod", NULL, "{\"AdditionalVersionWeights\":{\"1\":1.5}}", &j),
                  AEV_ERR_INVALID, "InvalidParameterValueException", "between 0.0 and 1.0");
  /* GetAlias's wording (recorded: test_notfound_and_invalid_routingconfigs). */
  ft_assert_error(aev_function_get_alias(f, "nope", &j), AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
                  "Cannot find alias arn: arn:aws:lambda:us-east-1:000000000000:function:a:nope");
  ft_assert_error(aev_function_invoke_qualified(f, "nope", "{}", 2, &out, NULL, NULL, NULL),
                  AEV_ERR_NOT_FOUND, "ResourceNotFoundException", "function:a:nope");
  ck_assert_int_eq(aev_function_list_aliases(f, &j), AEV_OK);
  ck_assert_ptr_nonnull(strstr(j, "{\"Aliases\":[{\"AliasArn\""));
  aev_free(j);
  ck_assert_int_eq(aev_function_delete_alias(f, "prod"), AEV_OK);
  ft_assert_error(aev_function_delete_alias(f, "prod"), AEV_ERR_NOT_FOUND,
                  "ResourceNotFoundException", "Alias not found");
  aev_function_release(f);
}
END_TEST

/* Share of 10,000 invocations of alias "live" that ran version 2. */
static int weighted_run(uint64_t seed, int *first_ten) {
  aev_broker *w = aev_test_manual_broker(seed);
  aev_function *f;
  ck_assert_int_eq(aev_function_create(w, "w", NULL, version_handler, NULL, NULL, &f), AEV_OK);
  aev_function_publish_version(f, NULL, NULL);
  aev_function_update_configuration(f, "{\"MemorySize\":256}");
  aev_function_publish_version(f, NULL, NULL);
  char *j;
  ck_assert_int_eq(aev_function_create_alias(f, "live", "1", NULL,
                   "{\"AdditionalVersionWeights\":{\"2\":0.3}}", &j), AEV_OK);
  ck_assert_msg(strstr(j, "\"RoutingConfig\":{\"AdditionalVersionWeights\":{\"2\":0.3"), "%s", j);
  aev_free(j);
  int twos = 0;
  *first_ten = 0;
  for (int i = 0; i < 10000; i++) {
    char *out, ver[16];
    ck_assert_int_eq(aev_function_invoke_qualified(f, "live", "{}", 2, &out, NULL, NULL, ver), AEV_OK);
    aev_free(out);
    int two = strcmp(ver, "2") == 0;
    twos += two;
    if (i < 10) *first_ten = *first_ten * 2 + two;
  }
  aev_function_release(f);
  aev_broker_destroy(w);
  return twos;
}

START_TEST(weighted_routing_is_deterministic_and_close) {
  int pattern_a, pattern_b, pattern_c;
  int a = weighted_run(11, &pattern_a), again = weighted_run(11, &pattern_b);
  int other = weighted_run(12, &pattern_c);
  ck_assert_int_eq(a, again);
  ck_assert_int_eq(pattern_a, pattern_b);
  ck_assert_msg(a >= 2800 && a <= 3200, "version 2 ran %d of 10000 (weight 0.3)", a);
  ck_assert_msg(other >= 2800 && other <= 3200, "seed 12: %d of 10000", other);
}
END_TEST

START_TEST(api_qualifiers) {
  ck_assert_int_eq(aev_handler_register(b, "vh", version_handler, NULL, NULL), AEV_OK);
  char *r;
  ck_assert_int_eq(aev_call(b, "lambda", "CreateFunction", "{\"FunctionName\":\"q\",\"Handler\":\"vh\"}", &r), AEV_OK);
  aev_free(r);
  ck_assert_int_eq(aev_call(b, "lambda", "PublishVersion", "{\"FunctionName\":\"q\",\"Description\":\"d\"}", &r), AEV_OK);
  ck_assert_ptr_nonnull(strstr(r, "\"Version\":\"1\""));
  aev_free(r);
  ck_assert_int_eq(aev_call(b, "lambda", "CreateAlias", "{\"FunctionName\":\"q\",\"Name\":\"blue\",\"FunctionVersion\":\"1\"}", &r), AEV_OK);
  aev_free(r);
  const char *ways[] = {"{\"FunctionName\":\"q\",\"Qualifier\":\"blue\"}",
                        "{\"FunctionName\":\"q:blue\"}",
                        "{\"FunctionName\":\"arn:aws:lambda:us-east-1:000000000000:function:q:blue\"}",
                        "{\"FunctionName\":\"q:1\"}"};
  for (int i = 0; i < 4; i++) {
    ck_assert_int_eq(aev_call(b, "lambda", "Invoke", ways[i], &r), AEV_OK);
    ck_assert_msg(strstr(r, "\"ExecutedVersion\":\"1\""), "%s: %s", ways[i], r);
    aev_free(r);
  }
  ck_assert_int_eq(aev_call(b, "lambda", "Invoke", "{\"FunctionName\":\"q:green\"}", &r), AEV_ERR_NOT_FOUND);
  aev_free(r);
  ck_assert_int_eq(aev_call(b, "lambda", "GetAlias", "{\"FunctionName\":\"q\",\"Name\":\"blue\"}", &r), AEV_OK);
  ck_assert_ptr_nonnull(strstr(r, "\"Name\":\"blue\""));
  aev_free(r);
  /* UpdateAlias's RevisionId: only the alias's current one updates it. */
  ck_assert_int_eq(aev_call(b, "lambda", "UpdateAlias", "{\"FunctionName\":\"q\",\"Name\":\"blue\","
                            "\"FunctionVersion\":\"$LATEST\",\"RevisionId\":\"stale\"}", &r), AEV_ERR_STATE);
  ck_assert_ptr_nonnull(strstr(r, "\"__type\":\"PreconditionFailedException\""));
  aev_free(r);
  ck_assert_int_eq(aev_call(b, "lambda", "GetAlias", "{\"FunctionName\":\"q\",\"Name\":\"blue\"}", &r), AEV_OK);
  ck_assert_ptr_nonnull(strstr(r, "\"FunctionVersion\":\"1\""));
  const char *rev = strstr(r, "\"RevisionId\":\"");
  ck_assert_ptr_nonnull(rev);
  char req[256];
  snprintf(req, sizeof req, "{\"FunctionName\":\"q\",\"Name\":\"blue\",\"FunctionVersion\":\"$LATEST\","
           "\"RevisionId\":\"%.36s\"}", rev + 14);
  aev_free(r);
  ck_assert_int_eq(aev_call(b, "lambda", "UpdateAlias", req, &r), AEV_OK);
  aev_free(r);
  ck_assert_int_eq(aev_call(b, "lambda", "Invoke", "{\"FunctionName\":\"q:blue\"}", &r), AEV_OK);
  ck_assert_ptr_nonnull(strstr(r, "\"ExecutedVersion\":\"$LATEST\""));
  aev_free(r);
  ck_assert_int_eq(aev_call(b, "lambda", "ListVersionsByFunction", "{\"FunctionName\":\"q\"}", &r), AEV_OK);
  aev_free(r);
  ck_assert_int_eq(aev_call(b, "lambda", "ListAliases", "{\"FunctionName\":\"q\"}", &r), AEV_OK);
  aev_free(r);
  ck_assert_int_eq(aev_call(b, "lambda", "DeleteAlias", "{\"FunctionName\":\"q\",\"Name\":\"blue\"}", &r), AEV_OK);
  aev_free(r);
  /* Event invocations of a version record it in the destination record. */
  aev_queue *ok = qt_queue(b, "ok", NULL);
  ck_assert_int_eq(aev_call(b, "lambda", "PutFunctionEventInvokeConfig",
                            "{\"FunctionName\":\"q\",\"DestinationConfig\":{\"OnSuccess\":"
                            "{\"Destination\":\"arn:aws:sqs:us-east-1:000000000000:ok\"}}}", &r), AEV_OK);
  aev_free(r);
  ck_assert_int_eq(aev_call(b, "lambda", "Invoke", "{\"FunctionName\":\"q\",\"Qualifier\":\"1\",\"InvocationType\":\"Event\"}", &r), AEV_OK);
  aev_free(r);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  aev_message *m = qt_recv1(ok);
  ck_assert_ptr_nonnull(m);
  ck_assert_ptr_nonnull(strstr(qt_body(m), "\"functionArn\":\"arn:aws:lambda:us-east-1:000000000000:function:q:1\""));
  ck_assert_ptr_nonnull(strstr(qt_body(m), "\"executedVersion\":\"1\""));
  aev_message_free(m);
  aev_queue_release(ok);
}
END_TEST

/* A small helper for the API tests: aev_call that must succeed. */
static char *ok_call(const char *action, const char *req) {
  char *r;
  int rc = aev_call(b, "lambda", action, req, &r);
  ck_assert_msg(rc == AEV_OK, "%s %s: %s", action, req, r);
  return r;
}

/* GetFunction and GetFunctionConfiguration with a version or alias answer
 * that version's frozen configuration; an alias under its own ARN, and
 * $LATEST named explicitly under ARN:$LATEST (recorded:
 * test_version_lifecycle, test_alias_lifecycle,
 * test_publish_version_on_create). */
START_TEST(api_get_function_qualified) {
  ck_assert_int_eq(aev_handler_register(b, "vh", version_handler, NULL, NULL), AEV_OK);
  aev_free(ok_call("CreateFunction", "{\"FunctionName\":\"g\",\"Handler\":\"vh\","
                   "\"Environment\":{\"Variables\":{\"testenv\":\"staging\"}}}"));
  aev_free(ok_call("PublishVersion", "{\"FunctionName\":\"g\",\"Description\":\"one\"}"));
  aev_free(ok_call("UpdateFunctionConfiguration", "{\"FunctionName\":\"g\","
                   "\"Environment\":{\"Variables\":{\"testenv\":\"prod\"}}}"));
  aev_free(ok_call("CreateAlias", "{\"FunctionName\":\"g\",\"Name\":\"live\",\"FunctionVersion\":\"1\"}"));
  const char *arn = "arn:aws:lambda:us-east-1:000000000000:function:g";
  struct { const char *action, *req, *arn, *version, *env; } cases[] = {
      {"GetFunctionConfiguration", "{\"FunctionName\":\"g\",\"Qualifier\":\"1\"}", ":1", "1", "staging"},
      {"GetFunction", "{\"FunctionName\":\"g:1\"}", ":1", "1", "staging"},
      {"GetFunction", "{\"FunctionName\":\"g\",\"Qualifier\":\"live\"}", ":live", "1", "staging"},
      {"GetFunctionConfiguration", "{\"FunctionName\":\"arn:aws:lambda:us-east-1:000000000000:function:g:live\"}",
       ":live", "1", "staging"},
      {"GetFunction", "{\"FunctionName\":\"g\",\"Qualifier\":\"$LATEST\"}", ":$LATEST", "$LATEST", "prod"},
      {"GetFunction", "{\"FunctionName\":\"g\"}", "", "$LATEST", "prod"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char *r = ok_call(cases[i].action, cases[i].req), want[200];
    snprintf(want, sizeof want, "\"FunctionArn\":\"%s%s\"", arn, cases[i].arn);
    ck_assert_msg(strstr(r, want), "%s: %s", cases[i].req, r);
    snprintf(want, sizeof want, "\"Version\":\"%s\"", cases[i].version);
    ck_assert_msg(strstr(r, want), "%s: %s", cases[i].req, r);
    snprintf(want, sizeof want, "\"testenv\":\"%s\"", cases[i].env);
    ck_assert_msg(strstr(r, want), "%s: %s", cases[i].req, r);
    ck_assert_msg(strcmp(cases[i].version, "1") || strstr(r, "\"Description\":\"one\""), "%s", r);
    aev_free(r);
  }
  char *r;
  ck_assert_int_eq(aev_call(b, "lambda", "GetFunction", "{\"FunctionName\":\"g\",\"Qualifier\":\"nope\"}", &r),
                   AEV_ERR_NOT_FOUND);
  ck_assert_ptr_nonnull(strstr(r, "Function not found: arn:aws:lambda:us-east-1:000000000000:function:g:nope"));
  aev_free(r);
}
END_TEST

/* CreateAlias's RoutingConfig errors as Lambda words them: the front end's
 * ValidationException for weights and keys before the function is looked
 * up, then the alias's own checks (recorded:
 * test_notfound_and_invalid_routingconfigs). Nothing is created. */
START_TEST(api_routing_config_errors) {
  ck_assert_int_eq(aev_handler_register(b, "vh", version_handler, NULL, NULL), AEV_OK);
  aev_free(ok_call("CreateFunction", "{\"FunctionName\":\"r\",\"Handler\":\"vh\"}"));
  aev_free(ok_call("PublishVersion", "{\"FunctionName\":\"r\"}"));
  aev_free(ok_call("UpdateFunctionConfiguration", "{\"FunctionName\":\"r\",\"MemorySize\":256}"));
  aev_free(ok_call("PublishVersion", "{\"FunctionName\":\"r\"}"));
  const char *arn = "arn:aws:lambda:us-east-1:000000000000:function:r";
  const char *weights_msg =
           "1 validation error detected: Value '{2=2.0}' at 'routingConfig.additionalVersionWeights' "
           "failed to satisfy constraint: Map value must satisfy constraint: [Member must have value "
           "less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member "
           "must not be null]";
  struct { const char *fn, *version, *weights; int status; const char *code, *msg; } cases[] = {
      {"r", "1", "{\"1\":0.8,\"2\":0.2}", AEV_ERR_INVALID, "InvalidParameterValueException",
       "Number of items in AdditionalVersionWeights cannot be greater than 1"},
      {"r", "1", "{\"2\":2}", AEV_ERR_INVALID, "ValidationException", weights_msg},
      {"nope", "1", "{\"2\":-1}", AEV_ERR_INVALID, "ValidationException", "Value '{2=-1.0}'"},
      {"r", "1", "{\"$LATEST\":0.5}", AEV_ERR_INVALID, "ValidationException",
       "Value '{$LATEST=0.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: "
       "Map keys must satisfy constraint: [Member must have length less than or equal to 1024, "
       "Member must have length greater than or equal to 1, Member must satisfy regular expression "
       "pattern: [0-9]+, Member must not be null]"},
      {"r", "1", "{\"1\":0.5}", AEV_ERR_INVALID, "InvalidParameterValueException",
       "Invalid function version 1. Function version 1 is already included in routing configuration."},
      {"r", "1", "{\"10\":0.5}", AEV_ERR_NOT_FOUND, "ResourceNotFoundException", ":r:10"},
      {"r", "$LATEST", "{\"1\":0.5}", AEV_ERR_INVALID, "InvalidParameterValueException",
       "$LATEST is not supported for an alias pointing to more than 1 version"},
      {"nope", "1", "{\"2\":0.5}", AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
       "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope:1"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char req[200], *r;
    snprintf(req, sizeof req, "{\"FunctionName\":\"%s\",\"Name\":\"custom\",\"FunctionVersion\":\"%s\","
             "\"RoutingConfig\":{\"AdditionalVersionWeights\":%s}}", cases[i].fn, cases[i].version, cases[i].weights);
    ck_assert_int_eq(aev_call(b, "lambda", "CreateAlias", req, &r), cases[i].status);
    ck_assert_msg(strstr(r, cases[i].code) && strstr(r, cases[i].msg), "%s: %s", req, r);
    aev_free(r);
  }
  char *r;
  ck_assert_int_eq(aev_call(b, "lambda", "GetAlias", "{\"FunctionName\":\"r\",\"Name\":\"custom\"}", &r),
                   AEV_ERR_NOT_FOUND);
  ck_assert_msg(strstr(r, "Cannot find alias arn: ") && strstr(r, arn), "%s", r);
  aev_free(r);
}
END_TEST

/* ListAliases: FunctionVersion keeps the aliases of that version; MaxItems
 * and Marker page (recorded: test_alias_lifecycle). */
START_TEST(api_list_aliases_filter_and_pages) {
  ck_assert_int_eq(aev_handler_register(b, "vh", version_handler, NULL, NULL), AEV_OK);
  aev_free(ok_call("CreateFunction", "{\"FunctionName\":\"l\",\"Handler\":\"vh\"}"));
  aev_free(ok_call("PublishVersion", "{\"FunctionName\":\"l\"}"));
  aev_free(ok_call("UpdateFunctionConfiguration", "{\"FunctionName\":\"l\",\"MemorySize\":256}"));
  aev_free(ok_call("PublishVersion", "{\"FunctionName\":\"l\"}"));
  const char *names[] = {"a1", "a2", "b2", "a3"}, *versions[] = {"1", "1", "2", "1"};
  for (int i = 0; i < 4; i++) {
    char req[120];
    snprintf(req, sizeof req, "{\"FunctionName\":\"l\",\"Name\":\"%s\",\"FunctionVersion\":\"%s\"}",
             names[i], versions[i]);
    aev_free(ok_call("CreateAlias", req));
  }
  char *r = ok_call("ListAliases", "{\"FunctionName\":\"l\",\"FunctionVersion\":\"1\"}");
  ck_assert_msg(strstr(r, "\"Name\":\"a1\"") && strstr(r, "\"Name\":\"a3\"") && !strstr(r, "\"b2\"") &&
                !strstr(r, "NextMarker"), "%s", r);
  aev_free(r);
  r = ok_call("ListAliases", "{\"FunctionName\":\"l\",\"MaxItems\":3}");
  ck_assert_msg(strstr(r, "\"a1\"") && strstr(r, "\"a2\"") && strstr(r, "\"b2\"") &&
                !strstr(r, "\"a3\"") && strstr(r, "\"NextMarker\":\"b2\""), "%s", r);
  aev_free(r);
  r = ok_call("ListAliases", "{\"FunctionName\":\"l\",\"MaxItems\":3,\"Marker\":\"b2\"}");
  ck_assert_msg(strstr(r, "\"a3\"") && !strstr(r, "\"a1\"") && !strstr(r, "NextMarker"), "%s", r);
  aev_free(r);
  r = ok_call("ListAliases", "{\"FunctionName\":\"l\",\"FunctionVersion\":\"1\",\"MaxItems\":1,\"Marker\":\"a1\"}");
  ck_assert_msg(strstr(r, "\"Aliases\":[{") && strstr(r, "\"a2\"") && !strstr(r, "\"a3\"") &&
                strstr(r, "\"NextMarker\":\"a2\""), "%s", r);
  aev_free(r);
}
END_TEST

/* A version published without a Description keeps the function's; the
 * list names $LATEST by ARN:$LATEST and has no State members (recorded:
 * test_version_lifecycle). */
START_TEST(api_version_descriptions_and_list) {
  ck_assert_int_eq(aev_handler_register(b, "vh", version_handler, NULL, NULL), AEV_OK);
  aev_free(ok_call("CreateFunction", "{\"FunctionName\":\"d\",\"Handler\":\"vh\",\"Description\":\"first\"}"));
  char *r = ok_call("PublishVersion", "{\"FunctionName\":\"d\",\"Description\":\"one\"}");
  ck_assert_msg(strstr(r, "\"Description\":\"one\""), "%s", r);
  aev_free(r);
  aev_free(ok_call("UpdateFunctionConfiguration", "{\"FunctionName\":\"d\",\"Description\":\"second\"}"));
  r = ok_call("PublishVersion", "{\"FunctionName\":\"d\"}");
  ck_assert_msg(strstr(r, "\"Version\":\"2\"") && strstr(r, "\"Description\":\"second\""), "%s", r);
  aev_free(r);
  r = ok_call("PublishVersion", "{\"FunctionName\":\"d\",\"Description\":\"third\"}");
  ck_assert_msg(strstr(r, "\"Version\":\"2\"") && strstr(r, "\"Description\":\"second\""), "%s", r);
  aev_free(r);
  r = ok_call("ListVersionsByFunction", "{\"FunctionName\":\"d\"}");
  ck_assert_msg(strstr(r, "\"FunctionArn\":\"arn:aws:lambda:us-east-1:000000000000:function:d:$LATEST\""), "%s", r);
  ck_assert_msg(strstr(r, "\"Description\":\"one\"") && !strstr(r, "\"State\"") &&
                !strstr(r, "\"LastUpdateStatus\""), "%s", r);
  aev_free(r);
}
END_TEST

/* CreateFunction with Publish publishes version 1 and describes it under
 * the unqualified ARN (recorded: test_publish_version_on_create). */
START_TEST(api_create_with_publish) {
  ck_assert_int_eq(aev_handler_register(b, "vh", version_handler, NULL, NULL), AEV_OK);
  char *r = ok_call("CreateFunction", "{\"FunctionName\":\"p\",\"Handler\":\"vh\",\"Publish\":true}");
  ck_assert_msg(strstr(r, "\"Version\":\"1\"") && strstr(r, "\"State\":\"Pending\"") &&
                strstr(r, "\"FunctionArn\":\"arn:aws:lambda:us-east-1:000000000000:function:p\""), "%s", r);
  aev_free(r);
  r = ok_call("ListVersionsByFunction", "{\"FunctionName\":\"p\"}");
  ck_assert_msg(strstr(r, "\"Version\":\"$LATEST\"") && strstr(r, "\"Version\":\"1\""), "%s", r);
  aev_free(r);
  r = ok_call("PublishVersion", "{\"FunctionName\":\"p\"}");
  ck_assert_msg(strstr(r, "\"Version\":\"1\""), "%s", r);
  aev_free(r);
  r = ok_call("CreateFunction", "{\"FunctionName\":\"n\",\"Handler\":\"vh\",\"Publish\":false}");
  ck_assert_msg(strstr(r, "\"Version\":\"$LATEST\""), "%s", r);
  aev_free(r);
  r = ok_call("ListVersionsByFunction", "{\"FunctionName\":\"n\"}");
  ck_assert_msg(!strstr(r, "\"Version\":\"1\""), "%s", r);
  aev_free(r);
}
END_TEST

/* UpdateAlias sets the Description it is given and keeps it otherwise
 * (recorded: test_function_revisions_version_and_alias,
 * update_alias_response_rev_a2). */
START_TEST(api_update_alias_description) {
  ck_assert_int_eq(aev_handler_register(b, "vh", version_handler, NULL, NULL), AEV_OK);
  aev_free(ok_call("CreateFunction", "{\"FunctionName\":\"u\",\"Handler\":\"vh\"}"));
  aev_free(ok_call("PublishVersion", "{\"FunctionName\":\"u\"}"));
  aev_free(ok_call("CreateAlias", "{\"FunctionName\":\"u\",\"Name\":\"al\",\"FunctionVersion\":\"1\","
                   "\"Description\":\"first\"}"));
  char *r = ok_call("UpdateAlias", "{\"FunctionName\":\"u\",\"Name\":\"al\",\"Description\":\"something changed\"}");
  ck_assert_msg(strstr(r, "\"Description\":\"something changed\""), "%s", r);
  aev_free(r);
  r = ok_call("UpdateAlias", "{\"FunctionName\":\"u\",\"Name\":\"al\",\"FunctionVersion\":\"$LATEST\"}");
  ck_assert_msg(strstr(r, "\"Description\":\"something changed\"") &&
                strstr(r, "\"FunctionVersion\":\"$LATEST\""), "%s", r);
  aev_free(r);
  r = ok_call("GetAlias", "{\"FunctionName\":\"u\",\"Name\":\"al\"}");
  ck_assert_msg(strstr(r, "\"Description\":\"something changed\""), "%s", r);
  aev_free(r);
}
END_TEST

/* Event invoke configurations of a version or alias: kept apart from
 * $LATEST's, listed, deleted with their alias, and used by event
 * invocations of that alias (a version without one uses the function's);
 * a function, version or alias that does not exist is "The function
 * doesn't exist." (recorded: test_lambda_eventinvokeconfig_exceptions). */
START_TEST(api_event_invoke_config_per_qualifier) {
  ck_assert_int_eq(aev_handler_register(b, "vh", version_handler, NULL, NULL), AEV_OK);
  aev_free(ok_call("CreateFunction", "{\"FunctionName\":\"e\",\"Handler\":\"vh\"}"));
  aev_free(ok_call("PublishVersion", "{\"FunctionName\":\"e\"}"));
  aev_free(ok_call("CreateAlias", "{\"FunctionName\":\"e\",\"Name\":\"live\",\"FunctionVersion\":\"1\"}"));
  aev_queue *latest = qt_queue(b, "l", NULL), *live = qt_queue(b, "a", NULL);
  aev_free(ok_call("PutFunctionEventInvokeConfig", "{\"FunctionName\":\"e\",\"DestinationConfig\":{\"OnSuccess\":"
                   "{\"Destination\":\"arn:aws:sqs:us-east-1:000000000000:l\"}}}"));
  char *r = ok_call("PutFunctionEventInvokeConfig", "{\"FunctionName\":\"e:live\",\"MaximumRetryAttempts\":1,"
                    "\"DestinationConfig\":{\"OnSuccess\":{\"Destination\":\"arn:aws:sqs:us-east-1:000000000000:a\"}}}");
  ck_assert_msg(strstr(r, "\"FunctionArn\":\"arn:aws:lambda:us-east-1:000000000000:function:e:live\""), "%s", r);
  aev_free(r);
  r = ok_call("GetFunctionEventInvokeConfig", "{\"FunctionName\":\"e\",\"Qualifier\":\"live\"}");
  ck_assert_msg(strstr(r, "\"MaximumRetryAttempts\":1") && strstr(r, "000000000000:a\""), "%s", r);
  aev_free(r);
  r = ok_call("ListFunctionEventInvokeConfigs", "{\"FunctionName\":\"e\"}");
  const char *l = strstr(r, "function:e:$LATEST\""), *a = strstr(r, "function:e:live\"");
  ck_assert_msg(l && a && l < a, "%s", r);
  aev_free(r);
  /* MaxItems and Marker page (recorded: the test pages one, then the rest). */
  r = ok_call("ListFunctionEventInvokeConfigs", "{\"FunctionName\":\"e\",\"MaxItems\":1}");
  ck_assert_msg(strstr(r, "function:e:$LATEST\"") && !strstr(r, "function:e:live\",") &&
                strstr(r, "\"NextMarker\":\"arn:aws:lambda:us-east-1:000000000000:function:e:$LATEST\""), "%s", r);
  aev_free(r);
  r = ok_call("ListFunctionEventInvokeConfigs", "{\"FunctionName\":\"e\",\"MaxItems\":1,"
              "\"Marker\":\"arn:aws:lambda:us-east-1:000000000000:function:e:$LATEST\"}");
  ck_assert_msg(strstr(r, "function:e:live\"") && !strstr(r, "function:e:$LATEST\"") && !strstr(r, "NextMarker"),
                "%s", r);
  aev_free(r);
  aev_free(ok_call("Invoke", "{\"FunctionName\":\"e:live\",\"InvocationType\":\"Event\"}"));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  aev_message *m = qt_recv1(live);
  ck_assert_ptr_nonnull(m);
  aev_message_free(m);
  ck_assert_ptr_null(qt_recv1(latest));
  aev_free(ok_call("Invoke", "{\"FunctionName\":\"e:1\",\"InvocationType\":\"Event\"}"));
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  m = qt_recv1(latest);
  ck_assert_ptr_nonnull(m);
  aev_message_free(m);
  struct { const char *action, *req, *msg; } errors[] = {
      {"PutFunctionEventInvokeConfig", "{\"FunctionName\":\"e\",\"Qualifier\":\"nope\",\"MaximumRetryAttempts\":1}",
       "The function doesn't exist."},
      {"UpdateFunctionEventInvokeConfig", "{\"FunctionName\":\"missing\",\"MaximumRetryAttempts\":1}",
       "The function doesn't exist."},
      {"ListFunctionEventInvokeConfigs", "{\"FunctionName\":\"missing\"}", "The function doesn't exist."},
      {"PutFunctionEventInvokeConfig", "{\"FunctionName\":\"missing\"}",
       "You must specify at least one of error handling or destination setting."},
      {"GetFunctionEventInvokeConfig", "{\"FunctionName\":\"e\",\"Qualifier\":\"nope\"}",
       "The function arn:aws:lambda:us-east-1:000000000000:function:e:nope doesn't have an EventInvokeConfig"},
      {"UpdateFunctionEventInvokeConfig", "{\"FunctionName\":\"e\",\"Qualifier\":\"1\",\"MaximumRetryAttempts\":0}",
       "The function arn:aws:lambda:us-east-1:000000000000:function:e:1 doesn't have an EventInvokeConfig"},
      {"DeleteFunctionEventInvokeConfig", "{\"FunctionName\":\"missing\"}",
       "The function arn:aws:lambda:us-east-1:000000000000:function:missing:$LATEST doesn't have an EventInvokeConfig"},
  };
  for (size_t i = 0; i < sizeof errors / sizeof *errors; i++) {
    ck_assert_int_ne(aev_call(b, "lambda", errors[i].action, errors[i].req, &r), AEV_OK);
    ck_assert_msg(strstr(r, errors[i].msg), "%s %s: %s", errors[i].action, errors[i].req, r);
    aev_free(r);
  }
  aev_free(ok_call("DeleteAlias", "{\"FunctionName\":\"e\",\"Name\":\"live\"}"));
  aev_free(ok_call("DeleteFunctionEventInvokeConfig", "{\"FunctionName\":\"e\",\"Qualifier\":\"$LATEST\"}"));
  r = ok_call("ListFunctionEventInvokeConfigs", "{\"FunctionName\":\"e\"}");
  ck_assert_str_eq(r, "{\"FunctionEventInvokeConfigs\":[]}");
  aev_free(r);
  aev_queue_release(latest);
  aev_queue_release(live);
}
END_TEST

/* Publishes a version of f after setting its MemorySize to mb. */
static void publish_with(aev_function *f, int mb) {
  char conf[32];
  snprintf(conf, sizeof conf, "{\"MemorySize\":%d}", mb);
  ck_assert_int_eq(aev_function_update_configuration(f, conf), AEV_OK);
  ck_assert_int_eq(aev_function_publish_version(f, NULL, NULL), AEV_OK);
}

/* DeleteFunction with a version number deletes that version alone; an
 * alias pointing at it (or routing to it) refuses the delete, naming the
 * aliases; its number is not given out again. */
START_TEST(delete_a_version) {
  aev_function *f = vfn("d");
  ck_assert_int_eq(aev_function_publish_version(f, NULL, NULL), AEV_OK);
  publish_with(f, 256);
  publish_with(f, 512);
  ck_assert_int_eq(aev_function_create_alias(f, "live", "1", NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_function_create_alias(f, "beta", "3", NULL,
                                             "{\"AdditionalVersionWeights\":{\"2\":0.5}}", NULL),
                   AEV_OK);
  ck_assert_int_eq(aev_function_create_alias(f, "old", "2", NULL, NULL, NULL), AEV_OK);
  ft_assert_error(aev_function_delete_version(f, 2), AEV_ERR_EXISTS, "ResourceConflictException",
                  "Unable to delete version because the following aliases reference it: "
                  "[beta, old]");
  ck_assert_str_eq(aev_errmsg(),
                   "Unable to delete version because the following aliases reference it: "
                   "[beta, old]");
  /* Refused: version 2 still answers. */
  char *kept;
  ck_assert_int_eq(aev_function_invoke_qualified(f, "2", "{}", 2, &kept, NULL, NULL, NULL), AEV_OK);
  ck_assert_str_eq(kept, "{\"v\":\"2\",\"mem\":256}");
  aev_free(kept);
  ft_assert_error(aev_function_delete_version(f, 0), AEV_ERR_INVALID,
                  "InvalidParameterValueException",
                  "$LATEST version cannot be deleted without deleting the function.");
  ck_assert_int_eq(aev_function_delete_alias(f, "old"), AEV_OK);
  ck_assert_int_eq(aev_function_update_alias(f, "beta", "3", "{}", NULL), AEV_OK);
  ck_assert_int_eq(aev_function_put_provisioned_concurrency(f, "2", 1), AEV_OK);
  ck_assert_int_eq(aev_function_delete_version(f, 2), AEV_OK);

  char *j, *out;
  ck_assert_int_eq(aev_function_list_versions(f, &j), AEV_OK);
  ck_assert_ptr_nonnull(strstr(j, "\"Version\":\"1\""));
  ck_assert_ptr_null(strstr(j, "\"Version\":\"2\""));
  ck_assert_ptr_nonnull(strstr(j, "\"Version\":\"3\""));
  aev_free(j);
  const char *gone = "Function not found: arn:aws:lambda:us-east-1:000000000000:function:d:2";
  ft_assert_error(aev_function_invoke_qualified(f, "2", "{}", 2, &out, NULL, NULL, NULL),
                  AEV_ERR_NOT_FOUND, "ResourceNotFoundException", gone);
  ft_assert_error(aev_function_create_alias(f, "again", "2", NULL, NULL, NULL),
                  AEV_ERR_NOT_FOUND, "ResourceNotFoundException", gone);
  ft_assert_error(aev_function_provisioned_concurrency(f, "2", &j), AEV_ERR_NOT_FOUND,
                  "ResourceNotFoundException", "");
  /* Deleted already, or never published: deleted. */
  ck_assert_int_eq(aev_function_delete_version(f, 2), AEV_OK);
  ck_assert_int_eq(aev_function_delete_version(f, 99), AEV_OK);
  publish_with(f, 1024);
  ck_assert_int_eq(aev_function_invoke_qualified(f, "4", "{}", 2, &out, NULL, NULL, NULL), AEV_OK);
  ck_assert_str_eq(out, "{\"v\":\"4\",\"mem\":1024}");
  aev_free(out);

  /* Through the API: DeleteFunction with the Qualifier. */
  char *r = ok_call("DeleteFunction", "{\"FunctionName\":\"d\",\"Qualifier\":\"4\"}");
  ck_assert_str_eq(r, "{}");
  aev_free(r);
  r = ok_call("ListVersionsByFunction", "{\"FunctionName\":\"d\"}");
  ck_assert_ptr_nonnull(strstr(r, "\"Version\":\"3\""));
  ck_assert_ptr_null(strstr(r, "\"Version\":\"4\""));
  aev_free(r);
  aev_test_call_fails(b, "lambda", "DeleteFunction", "{\"FunctionName\":\"d\",\"Qualifier\":\"1\"}",
                      AEV_ERR_EXISTS, "ResourceConflictException",
                      "Unable to delete version because the following aliases reference it: [live]");
  /* An alias is not deleted through DeleteFunction, by Qualifier or by a
   * qualified name, whether it exists or not, nor is its version. */
  static const char *const by_alias[] = {
      "{\"FunctionName\":\"d\",\"Qualifier\":\"live\"}",
      "{\"FunctionName\":\"d:live\"}",
      "{\"FunctionName\":\"d\",\"Qualifier\":\"no-such-alias\"}",
      "{\"FunctionName\":\"nope\",\"Qualifier\":\"live\"}"};
  for (size_t i = 0; i < sizeof by_alias / sizeof *by_alias; i++)
    aev_test_call_fails(b, "lambda", "DeleteFunction", by_alias[i], AEV_ERR_INVALID,
                        "InvalidParameterValueException",
                        "Deletion of aliases is not currently supported.");
  r = ok_call("GetAlias", "{\"FunctionName\":\"d\",\"Name\":\"live\"}");
  ck_assert_ptr_nonnull(strstr(r, "\"FunctionVersion\":\"1\""));
  aev_free(r);
  aev_function_release(f);
}
END_TEST

static Suite *suite(void) {
  Suite *su = suite_create("function_versions");
  TCase *tc = tcase_create("versions");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, publish_freezes_the_configuration);
  tcase_add_test(tc, aliases_route_and_report);
  tcase_add_test(tc, weighted_routing_is_deterministic_and_close);
  tcase_add_test(tc, api_qualifiers);
  tcase_add_test(tc, api_get_function_qualified);
  tcase_add_test(tc, api_routing_config_errors);
  tcase_add_test(tc, api_list_aliases_filter_and_pages);
  tcase_add_test(tc, api_version_descriptions_and_list);
  tcase_add_test(tc, api_create_with_publish);
  tcase_add_test(tc, api_update_alias_description);
  tcase_add_test(tc, api_event_invoke_config_per_qualifier);
  tcase_add_test(tc, delete_a_version);
  suite_add_tcase(su, tc);
  return su;
}

int main(void) { return aev_test_run(suite()); }

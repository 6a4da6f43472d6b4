/* ProcessingConfiguration's processors and their parameters (AWS API
 * reference: Processor, ProcessorParameter): the Lambda transform, the
 * AppendDelimiterToRecord processor, dynamic partitioning's
 * MetadataExtraction (a jq 1.6 query, jq.h) and RecordDeAggregation (JSON
 * or DELIMITED), and CloudWatch Logs' Decompression (GZIP) and
 * CloudWatchLogProcessing (DataMessageExtraction). Names and values are
 * checked as the API model checks them; each processor type at most
 * once. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "core/status.h"
#include "core/text.h"
#include "delivery/delivery_impl.h"

enum { P_DEAGG, P_DECOMPRESSION, P_CLOUDWATCH, P_LAMBDA, P_METADATA, P_DELIMITER, P_TYPES };

static const char *const types[P_TYPES] = {
    "RecordDeAggregation", "Decompression", "CloudWatchLogProcessing",
    "Lambda", "MetadataExtraction", "AppendDelimiterToRecord"};

static const char *const names[] = {
    "LambdaArn", "NumberOfRetries", "MetadataExtractionQuery", "JsonParsingEngine",
    "RoleArn", "BufferSizeInMBs", "BufferIntervalInSeconds", "SubRecordType",
    "Delimiter", "CompressionFormat", "DataMessageExtraction"};

/* Which parameters each type this library runs takes. */
static int takes(int type, const char *name) {
  static const char *const lambda[] = {"LambdaArn", "NumberOfRetries", "RoleArn",
                                       "BufferSizeInMBs", "BufferIntervalInSeconds", NULL};
  static const char *const metadata[] = {"MetadataExtractionQuery", "JsonParsingEngine", NULL};
  static const char *const deagg[] = {"SubRecordType", "Delimiter", NULL};
  static const char *const decompression[] = {"CompressionFormat", NULL};
  static const char *const cloudwatch[] = {"DataMessageExtraction", NULL};
  const char *const *list = type == P_LAMBDA ? lambda : type == P_METADATA ? metadata
                          : type == P_DEAGG ? deagg : type == P_DECOMPRESSION ? decompression
                          : type == P_CLOUDWATCH ? cloudwatch : NULL;
  for (; list && *list; list++)
    if (!strcmp(*list, name)) return 1;
  return 0;
}

static int index_of(const char *const *list, size_t n, const char *v) {
  for (size_t i = 0; v && i < n; i++)
    if (!strcmp(list[i], v)) return (int)i;
  return -1;
}

/* ParameterValue: 1 to 5120 characters, not only white space. */
static int check_value(const char *v) {
  const char *path = "processingConfiguration.processors.member.parameters.member.parameterValue";
  if (!v) return aev__fh_validation(NULL, path, "Member must not be null");
  if (!*v || strlen(v) > 5120)
    return aev__fh_validation(v, path, *v ? "Member must have length less than or equal to 5120"
                                          : "Member must have length greater than or equal to 1");
  if (strspn(v, " \t\r\n") == strlen(v))
    return aev__fh_validation(v, path, "Member must satisfy regular expression pattern: ^(?!\\s*$).+");
  return AEV_OK;
}

static int lambda_param(aev__fh_settings *s, const char *n, const char *v) {
  char *end;
  if (!strcmp(n, "LambdaArn")) return aev__replace_str(&s->lambda_arn, v) == AEV_OK ? AEV_OK : aev__nomem();
  if (!strcmp(n, "NumberOfRetries")) {
    long r = strtol(v, &end, 10);
    if (*end || r < 0 || r > 300) return aev__fh_invalid("NumberOfRetries must be between 0 and 300.");
    s->retries = (int)r;
  } else if (!strcmp(n, "BufferSizeInMBs")) {
    /* The Lambda processor's own buffer: 0.2 to 3 MB (API reference,
     * ProcessorParameter). */
    double mb = strtod(v, &end);
    if (*end || !(mb >= 0.2 && mb <= 3))
      return aev__fh_invalid("BufferSizeInMBs of a Lambda processor must be between 0.2 and 3.");
    s->lambda_size_bytes = (size_t)llround(mb * (1 << 20));
  } else if (!strcmp(n, "BufferIntervalInSeconds")) {
    /* 0 to 900 seconds (Firehose's guide, "Understand data
     * transformation flow"). */
    long secs = strtol(v, &end, 10);
    if (*end || secs < 0 || secs > 900)
      return aev__fh_invalid("BufferIntervalInSeconds of a Lambda processor must be between 0 and 900.");
    s->lambda_interval_ms = secs * 1000;
  }
  return AEV_OK;
}

static int metadata_param(aev__fh_settings *s, const char *n, const char *v) {
  if (!strcmp(n, "JsonParsingEngine"))
    return !strcmp(v, "JQ-1.6") ? AEV_OK
                                : aev__fh_invalid("JsonParsingEngine %s is not supported: the only "
                                                  "engine is JQ-1.6.", v);
  aev__jq *q;
  char err[400];
  int rc = aev__jq_compile(v, &q, err, sizeof err);
  if (rc == -2) return aev__nomem();
  if (rc) return aev__fh_invalid("MetadataExtractionQuery is not valid: %s", err);
  const char *const *keys;
  size_t nkeys;
  if (!aev__jq_object_keys(q, &keys, &nkeys)) {
    aev__jq_free(q);
    return aev__fh_invalid("MetadataExtractionQuery must build an object of the partition keys, "
                           "as {key: .field, ...}.");
  }
  aev__jq_free(s->query);
  s->query = q;
  return AEV_OK;
}

static int deagg_param(aev__fh_settings *s, const char *n, const char *v) {
  if (!strcmp(n, "SubRecordType")) {
    s->deaggregate = !strcmp(v, "JSON") ? AEV__FH_DEAGG_JSON
                   : !strcmp(v, "DELIMITED") ? AEV__FH_DEAGG_DELIMITED : AEV__FH_DEAGG_NONE;
    return s->deaggregate ? AEV_OK
                          : aev__fh_invalid("SubRecordType %s is not valid: use JSON or DELIMITED.", v);
  }
  /* The delimiter is given base64-encoded (Firehose's guide: "####" is
   * IyMjIw==). */
  unsigned char *d = NULL;
  size_t len = 0;
  int rc = aev__base64_decode(v, strlen(v), &d, &len);
  if (rc == AEV_ERR_NOMEM) return rc;
  if (rc != AEV_OK || !len) {
    free(d);
    return aev__fh_invalid("Delimiter must be a base64-encoded, non-empty string (\"####\" is IyMjIw==).");
  }
  free(s->delimiter);
  s->delimiter = d;
  s->delimiter_len = len;
  return AEV_OK;
}

/* DataMessageExtraction is required, true or false in any case (AWS's
 * answer as users of the service record it). */
static int bad_extraction(void) {
  return aev__fh_invalid("Invalid parameter value for DataMessageExtraction. Allowed values are "
                         "True and False.");
}

/* CloudWatch Logs records are gzip'd, the one CompressionFormat a
 * Decompression processor takes (and its default); DataMessageExtraction
 * is a boolean. */
static int cloudwatch_param(aev__fh_settings *s, const char *n, const char *v) {
  if (!strcmp(n, "CompressionFormat"))
    return !strcmp(v, "GZIP") ? AEV_OK
                              : aev__fh_invalid("CompressionFormat %s is not supported for a "
                                                "Decompression processor: the only format is GZIP.", v);
  if (strcasecmp(v, "true") && strcasecmp(v, "false")) return bad_extraction();
  s->extract_messages = !strcasecmp(v, "true");
  return AEV_OK;
}

/* The bit of parameter name n in a set of given parameters. */
static unsigned bit(const char *n) { return 1u << index_of(names, sizeof names / sizeof *names, n); }

/* The parameters of a processor of type; *given gains the bit of each. */
static int read_one(aev__fh_settings *s, int type, json_t *params, unsigned *given) {
  size_t k;
  json_t *param;
  json_array_foreach(params, k, param) {
    const char *n = json_string_value(json_object_get(param, "ParameterName"));
    const char *v = json_string_value(json_object_get(param, "ParameterValue"));
    if (index_of(names, sizeof names / sizeof *names, n) < 0)
      return aev__fh_validation(n, "processingConfiguration.processors.member.parameters.member.parameterName",
                                "Member must satisfy enum value set: [LambdaArn, NumberOfRetries, "
                                "MetadataExtractionQuery, JsonParsingEngine, RoleArn, BufferSizeInMBs, "
                                "BufferIntervalInSeconds, SubRecordType, Delimiter, CompressionFormat, "
                                "DataMessageExtraction]");
    int rc = check_value(v);
    if (rc != AEV_OK) return rc;
    if (!takes(type, n))
      return aev__fh_invalid("Parameter %s is not valid for a %s processor.", n, types[type]);
    *given |= bit(n);
    rc = type == P_LAMBDA     ? lambda_param(s, n, v)
         : type == P_METADATA ? metadata_param(s, n, v)
         : type == P_DEAGG    ? deagg_param(s, n, v)
                              : cloudwatch_param(s, n, v);
    if (rc != AEV_OK) return rc;
  }
  return AEV_OK;
}

int aev__fh_read_processors(aev__fh_settings *s, json_t *dc) {
  json_t *pc = json_object_get(dc, "ProcessingConfiguration");
  s->retries = 3;
  /* The Lambda processor's buffer defaults: 1 MB, 60 seconds (API
   * reference, ProcessorParameter). */
  s->lambda_size_bytes = 1 << 20;
  s->lambda_interval_ms = 60000;
  int on = 0;
  int rc = aev__fh_bool_member(pc, "Enabled", "processingConfiguration.enabled", &on);
  if (rc != AEV_OK || !on) return rc;
  size_t i;
  json_t *p;
  int seen[P_TYPES] = {0};
  unsigned given = 0;
  json_array_foreach(json_object_get(pc, "Processors"), i, p) {
    const char *name = json_string_value(json_object_get(p, "Type"));
    int type = index_of(types, P_TYPES, name);
    if (type < 0)
      return aev__fh_validation(name, "processingConfiguration.processors.member.type",
                                "Member must satisfy enum value set: [RecordDeAggregation, "
                                "Decompression, CloudWatchLogProcessing, Lambda, "
                                "MetadataExtraction, AppendDelimiterToRecord]");
    if (seen[type]++)
      return aev__fh_invalid("ProcessingConfiguration has more than one %s processor.", name);
    /* A new line between an object's records (Firehose's guide: "adds a
     * new line delimiter between records"). */
    if (type == P_DELIMITER) {
      s->append_delimiter = 1;
      continue;
    }
    s->decompress |= type == P_DECOMPRESSION;
    rc = read_one(s, type, json_object_get(p, "Parameters"), &given);
    if (rc != AEV_OK) return rc;
  }
  if (seen[P_LAMBDA] && !s->lambda_arn)
    return aev__fh_invalid("A Lambda processor needs the LambdaArn parameter.");
  /* Message extraction reads the decompressed record (AWS CDK: "This
   * processor must [be] used with DecompressionProcessor"; the wording is
   * AWS's as users of the service record it). */
  if (seen[P_CLOUDWATCH] && !seen[P_DECOMPRESSION])
    return aev__fh_invalid("CloudWatchLogProcessingProcessor can only be enabled with "
                           "DecompressionProcessor");
  if (seen[P_CLOUDWATCH] && !(given & bit("DataMessageExtraction"))) return bad_extraction();
  if (seen[P_METADATA] && (!s->query || !(given & bit("JsonParsingEngine"))))
    return aev__fh_invalid("A MetadataExtraction processor needs the MetadataExtractionQuery and "
                           "JsonParsingEngine parameters.");
  if (seen[P_DEAGG] && (!s->deaggregate || (s->deaggregate == AEV__FH_DEAGG_DELIMITED) != !!s->delimiter))
    return aev__fh_invalid(s->deaggregate == AEV__FH_DEAGG_NONE
                               ? "A RecordDeAggregation processor needs the SubRecordType parameter "
                                 "(JSON or DELIMITED)."
                               : "The Delimiter parameter goes with SubRecordType DELIMITED, and "
                                 "only with it.");
  return AEV_OK;
}

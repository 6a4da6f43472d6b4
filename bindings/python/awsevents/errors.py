"""ClientError in botocore's shape, and the codes boto3 shows users.

e.response == {"Error": {"Code": ..., "Message": ...},
               "ResponseMetadata": {...}}
Code is what boto3 reports for the error. For SQS, which speaks AWS's JSON
protocol but stays compatible with its old query protocol, boto3 reports
the query error code (the model's awsQueryError), e.g. QueueDoesNotExist is
shown as AWS.SimpleQueueService.NonExistentQueue. The tables below are the
one place these mappings live; primitives extend them as they land.
"""
import uuid

# service -> {shape name in the library's errors: code boto3 shows}
# From the SQS API model's awsQueryError traits.
QUERY_CODES = {
    "sqs": {
        "QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue",
        "QueueNameExists": "QueueAlreadyExists",
        "QueueDeletedRecently": "AWS.SimpleQueueService.QueueDeletedRecently",
        "MessageNotInflight": "AWS.SimpleQueueService.MessageNotInflight",
        "PurgeQueueInProgress": "AWS.SimpleQueueService.PurgeQueueInProgress",
        "BatchEntryIdsNotDistinct":
            "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        "EmptyBatchRequest": "AWS.SimpleQueueService.EmptyBatchRequest",
        "BatchRequestTooLong": "AWS.SimpleQueueService.BatchRequestTooLong",
        "InvalidBatchEntryId": "AWS.SimpleQueueService.InvalidBatchEntryId",
        "TooManyEntriesInBatchRequest":
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        "UnsupportedOperation": "AWS.SimpleQueueService.UnsupportedOperation",
        "KmsAccessDenied": "KMS.AccessDeniedException",
        "KmsDisabled": "KMS.DisabledException",
        "KmsInvalidKeyUsage": "KMS.InvalidKeyUsageException",
        "KmsInvalidState": "KMS.InvalidStateException",
        "KmsNotFound": "KMS.NotFoundException",
        "KmsOptInRequired": "KMS.OptInRequired",
        "KmsThrottled": "KMS.ThrottlingException",
    },
}

# service -> {shape name in the library's errors: the __type AWS's JSON
# protocol sends, which botocore keeps as QueryErrorCode}, where the two
# differ. AWS answered QueryErrorCode InvalidParameterValueException and
# MissingRequiredParameterException to boto3 (LocalStack's recorded
# test_sqs.py snapshots, e.g. test_send_receive_max_number_of_messages and
# test_posting_to_fifo_requires_deduplicationid_group_id).
JSON_TYPES = {
    "sqs": {
        "InvalidParameterValue": "InvalidParameterValueException",
        "MissingParameter": "MissingRequiredParameterException",
    },
}

# service -> {shape name: HTTP status} where it is not 400, from the
# services' API models.
HTTP_STATUS = {
    "sqs": {
        "InvalidAddress": 404, "InvalidSecurity": 403, "OverLimit": 403,
        "RequestThrottled": 403, "PurgeQueueInProgress": 403,
        "ResourceNotFoundException": 404, "ReceiptHandleIsInvalid": 404,
        "KmsOptInRequired": 403,
    },
    "sns": {"NotFound": 404, "AuthorizationError": 403, "ResourceNotFound": 404},
    "lambda": {
        "ResourceNotFoundException": 404, "ResourceConflictException": 409,
        "TooManyRequestsException": 429, "ServiceException": 500,
    },
    "pipes": {
        "NotFoundException": 404, "ConflictException": 409,
        "ServiceQuotaExceededException": 402, "ThrottlingException": 429,
        "InternalException": 500,
    },
    "scheduler": {
        "ResourceNotFoundException": 404, "ConflictException": 409,
        "ServiceQuotaExceededException": 402, "ThrottlingException": 429,
        "InternalServerException": 500,
    },
}

# Errors of the library itself (InternalFailure: out of memory, a bug).
_GENERIC_STATUS = {"InternalFailure": 500}


def error_response(service, shape, message):
    """botocore's parsed error dict for the library error `shape`."""
    code = QUERY_CODES.get(service, {}).get(shape, shape)
    status = HTTP_STATUS.get(service, {}).get(
        shape, _GENERIC_STATUS.get(shape, 400))
    error = {"Code": code, "Message": message}
    if service in QUERY_CODES:
        # A query-compatible service sends x-amzn-query-error with every
        # error; botocore then keeps the shape name and the fault type too.
        error["QueryErrorCode"] = JSON_TYPES.get(service, {}).get(shape, shape)
        error["Type"] = "Sender" if status < 500 else "Receiver"
    return {"Error": error, "ResponseMetadata": response_metadata(status)}


def response_metadata(status):
    """The ResponseMetadata botocore adds to every answer, error or not."""
    return {"RequestId": str(uuid.uuid4()), "HTTPStatusCode": status,
            "HTTPHeaders": {}, "RetryAttempts": 0}


class ClientError(Exception):
    """An AWS error, shaped like botocore.exceptions.ClientError."""

    MSG_TEMPLATE = ("An error occurred ({error_code}) when calling the "
                    "{operation_name} operation: {error_message}")

    def __init__(self, error_response, operation_name):
        err = error_response.get("Error", {})
        super().__init__(self.MSG_TEMPLATE.format(
            error_code=err.get("Code", "Unknown"),
            operation_name=operation_name,
            error_message=err.get("Message", "Unknown")))
        self.response = error_response
        self.operation_name = operation_name


def library_error(service, operation):
    """The ClientError boto3 would raise for `service` for the failure the
    library just reported on this thread (aev_errcode / aev_errmsg)."""
    from ._lib import lib
    code = lib.aev_errcode().decode()
    message = lib.aev_errmsg().decode("utf-8", "replace")
    return ClientError(error_response(service, code, message), operation)


def checker(service):
    """check(rc, operation): raises library_error(service, ...) when a
    library call returned a non-zero status."""
    def check(rc, operation):
        if rc != 0:
            raise library_error(service, operation)
    return check

"""Loads libawsevents with ctypes and declares every function it uses.

The library is found through, in order: the AWSEVENTS_LIB environment
variable (a path; nothing else is tried when it is set), the build
directory of the source tree this package sits in
(build/lib/libawsevents.so.0), then the system's libawsevents.so.0.
"""
import ctypes
import operator
import os
from ctypes import (CFUNCTYPE, POINTER, c_char_p, c_int, c_int64, c_size_t,
                    c_uint64, c_void_p)

SONAME = "libawsevents.so.0"

# void (*aev_log_fn)(void *user, int level, const char *message)
LOG_FN = CFUNCTYPE(None, c_void_p, c_int, c_char_p)
# void (*aev_release_fn)(void *user)
RELEASE_FN = CFUNCTYPE(None, c_void_p)
# int (*aev_topic_callback_fn)(void *user, const char *type, const char *body,
#                              size_t len)
TOPIC_CALLBACK_FN = CFUNCTYPE(c_int, c_void_p, c_char_p, c_void_p, c_size_t)

# void (*aev_handler_fn)(void *user, aev_invocation *ctx, const char *event,
#                        size_t len); the event is read with string_at
# int (*aev_delivery_sink_fn)(void *user, const char *key, const void *data,
#                             size_t len)
DELIVERY_SINK_FN = CFUNCTYPE(c_int, c_void_p, c_char_p, c_void_p, c_size_t)
#                        size_t len)
HANDLER_FN = CFUNCTYPE(None, c_void_p, c_void_p, c_void_p, c_size_t)
# int (*aev_bus_target_fn)(void *user, const char *input, size_t len)
BUS_TARGET_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t)

# void (*aev_endpoint_fn)(void *user, aev_http_request *request)
ENDPOINT_FN = CFUNCTYPE(None, c_void_p, c_void_p)

_opaque = c_void_p
_out_opaque = POINTER(c_void_p)

# name: (restype, argtypes) -- the one table of the C signatures used here.
SIGNATURES = {
    "aev_strerror": (c_char_p, [c_int]),
    "aev_errcode": (c_char_p, []),
    "aev_errmsg": (c_char_p, []),
    "aev_free": (None, [c_void_p]),
    "aev_version_number": (c_int, []),
    "aev_version_string": (c_char_p, []),
    "aev_broker_options_new": (c_int, [_out_opaque]),
    "aev_broker_options_free": (None, [_opaque]),
    "aev_broker_options_set_region": (c_int, [_opaque, c_char_p]),
    "aev_broker_options_set_account": (c_int, [_opaque, c_char_p]),
    "aev_broker_options_set_clock": (c_int, [_opaque, c_int]),
    "aev_broker_options_set_start_time_ms": (c_int, [_opaque, c_int64]),
    "aev_broker_options_set_workers": (c_int, [_opaque, c_int]),
    "aev_broker_options_set_seed": (c_int, [_opaque, c_uint64]),
    "aev_broker_options_set_log": (c_int, [_opaque, LOG_FN, c_int, c_void_p,
                                           RELEASE_FN]),
    "aev_broker_new": (c_int, [_opaque, _out_opaque]),
    "aev_broker_destroy": (c_int, [_opaque]),
    "aev_broker_region": (c_char_p, [_opaque]),
    "aev_broker_account": (c_char_p, [_opaque]),
    "aev_broker_clock_mode": (c_int, [_opaque]),
    "aev_broker_now_ms": (c_int64, [_opaque]),
    "aev_broker_advance": (c_int, [_opaque, c_int64]),
    "aev_broker_drain": (c_int, [_opaque]),
    "aev_broker_next_deadline": (c_int, [_opaque, POINTER(c_int64)]),
    "aev_call": (c_int, [_opaque, c_char_p, c_char_p, c_char_p,
                         _out_opaque]),
    # queue
    "aev_queue_create": (c_int, [_opaque, c_char_p, c_char_p, _out_opaque]),
    "aev_queue_get": (c_int, [_opaque, c_char_p, _out_opaque]),
    "aev_queue_release": (None, [_opaque]),
    "aev_queue_delete": (c_int, [_opaque]),
    "aev_queue_purge": (c_int, [_opaque]),
    "aev_queue_name": (c_char_p, [_opaque]),
    "aev_queue_url": (c_char_p, [_opaque]),
    "aev_queue_arn": (c_char_p, [_opaque]),
    "aev_queue_get_attributes": (c_int, [_opaque, c_char_p, _out_opaque]),
    "aev_queue_set_attributes": (c_int, [_opaque, c_char_p]),
    "aev_send_options_new": (c_int, [_out_opaque]),
    "aev_send_options_free": (None, [_opaque]),
    "aev_send_options_set_attributes": (c_int, [_opaque, c_char_p]),
    "aev_send_options_set_delay": (c_int, [_opaque, c_int]),
    "aev_send_options_set_group_id": (c_int, [_opaque, c_char_p]),
    "aev_send_options_set_deduplication_id": (c_int, [_opaque, c_char_p]),
    "aev_send_options_set_trace_header": (c_int, [_opaque, c_char_p]),
    "aev_queue_send": (c_int, [_opaque, c_char_p, c_size_t, _opaque,
                               c_char_p, c_char_p]),
    "aev_queue_send_batch": (c_int, [_opaque, c_size_t, POINTER(c_char_p),
                                     POINTER(c_char_p), POINTER(c_size_t),
                                     POINTER(c_void_p), _out_opaque]),
    "aev_receive_options_new": (c_int, [_out_opaque]),
    "aev_receive_options_free": (None, [_opaque]),
    "aev_receive_options_set_visibility": (c_int, [_opaque, c_int]),
    "aev_receive_options_set_attribute_names": (c_int, [_opaque, c_char_p]),
    "aev_receive_options_set_attempt_id": (c_int, [_opaque, c_char_p]),
    "aev_queue_receive": (c_int, [_opaque, c_int, c_int64, _opaque,
                                  POINTER(c_void_p), POINTER(c_size_t)]),
    "aev_message_free": (None, [_opaque]),
    "aev_message_id": (c_char_p, [_opaque]),
    "aev_message_receipt_handle": (c_char_p, [_opaque]),
    "aev_message_body": (c_void_p, [_opaque, POINTER(c_size_t)]),
    "aev_message_md5_of_body": (c_char_p, [_opaque]),
    "aev_message_md5_of_attributes": (c_char_p, [_opaque]),
    "aev_message_attributes_json": (c_void_p, [_opaque]),
    "aev_message_system_attribute": (c_char_p, [_opaque, c_char_p]),
    "aev_queue_delete_message": (c_int, [_opaque, c_char_p]),
    "aev_queue_change_visibility": (c_int, [_opaque, c_char_p, c_int]),
    "aev_batch_result_free": (None, [_opaque]),
    "aev_batch_result_count": (c_size_t, [_opaque]),
    "aev_batch_result_id": (c_char_p, [_opaque, c_size_t]),
    "aev_batch_result_status": (c_int, [_opaque, c_size_t]),
    "aev_batch_result_code": (c_char_p, [_opaque, c_size_t]),
    "aev_batch_result_message": (c_char_p, [_opaque, c_size_t]),
    "aev_batch_result_message_id": (c_char_p, [_opaque, c_size_t]),
    "aev_batch_result_md5_of_body": (c_char_p, [_opaque, c_size_t]),
    "aev_batch_result_md5_of_attributes": (c_char_p, [_opaque, c_size_t]),
    "aev_batch_result_sequence_number": (c_char_p, [_opaque, c_size_t]),
    # pattern
    "aev_pattern_compile_profile": (c_int, [c_char_p, c_size_t, c_int,
                                            _out_opaque]),
    "aev_pattern_free": (None, [_opaque]),
    "aev_pattern_matches": (c_int, [_opaque, c_char_p, c_size_t,
                                    POINTER(c_int)]),
    "aev_pattern_set_new": (c_int, [c_int, _out_opaque]),
    "aev_pattern_set_free": (None, [_opaque]),
    "aev_pattern_set_add": (c_int, [_opaque, c_uint64, c_char_p, c_size_t]),
    "aev_pattern_set_remove": (c_int, [_opaque, c_uint64]),
    "aev_pattern_set_count": (c_size_t, [_opaque]),
    "aev_pattern_set_match": (c_int, [_opaque, c_char_p, c_size_t,
                                      POINTER(POINTER(c_uint64)),
                                      POINTER(c_size_t)]),
    "aev_pattern_set_match_batch": (c_int, [_opaque, POINTER(c_char_p),
                                            POINTER(c_size_t), c_size_t,
                                            POINTER(POINTER(c_uint64)),
                                            POINTER(c_size_t)]),
    "aev_pattern_set_memory": (c_size_t, [_opaque]),
    # topic
    "aev_topic_create": (c_int, [_opaque, c_char_p, c_char_p, _out_opaque]),
    "aev_topic_get": (c_int, [_opaque, c_char_p, _out_opaque]),
    "aev_topic_release": (None, [_opaque]),
    "aev_topic_delete": (c_int, [_opaque]),
    "aev_topic_name": (c_char_p, [_opaque]),
    "aev_topic_arn": (c_char_p, [_opaque]),
    "aev_topic_get_attributes": (c_int, [_opaque, _out_opaque]),
    "aev_topic_set_attribute": (c_int, [_opaque, c_char_p, c_char_p]),
    "aev_topic_tag": (c_int, [_opaque, c_char_p]),
    "aev_topic_untag": (c_int, [_opaque, c_char_p]),
    "aev_topic_list_tags": (c_int, [_opaque, _out_opaque]),
    "aev_topic_list": (c_int, [_opaque, c_char_p, _out_opaque]),
    "aev_topic_counter": (c_int, [_opaque, c_char_p, POINTER(c_int64)]),
    "aev_topic_subscribe": (c_int, [_opaque, c_char_p, c_char_p, c_char_p,
                                    _out_opaque]),
    "aev_topic_subscribe_callback": (c_int, [_opaque, c_char_p, c_char_p,
                                             TOPIC_CALLBACK_FN, c_void_p,
                                             RELEASE_FN, c_char_p,
                                             _out_opaque]),
    "aev_topic_confirm_subscription": (c_int, [_opaque, c_char_p,
                                               _out_opaque]),
    "aev_subscription_unsubscribe": (c_int, [_opaque, c_char_p]),
    "aev_subscription_get_attributes": (c_int, [_opaque, c_char_p,
                                                _out_opaque]),
    "aev_subscription_set_attribute": (c_int, [_opaque, c_char_p, c_char_p,
                                               c_char_p]),
    "aev_subscription_list": (c_int, [_opaque, _opaque, c_char_p,
                                      _out_opaque]),
    "aev_sns_outbox_read": (c_int, [_opaque, c_int, _out_opaque]),
    "aev_sns_phone_opt_out": (c_int, [_opaque, c_char_p]),
    "aev_publish_options_new": (c_int, [_out_opaque]),
    "aev_publish_options_free": (None, [_opaque]),
    "aev_publish_options_set_subject": (c_int, [_opaque, c_char_p]),
    "aev_publish_options_set_attributes": (c_int, [_opaque, c_char_p]),
    "aev_publish_options_set_structure_json": (c_int, [_opaque, c_int]),
    "aev_publish_options_set_group_id": (c_int, [_opaque, c_char_p]),
    "aev_publish_options_set_deduplication_id": (c_int, [_opaque, c_char_p]),
    "aev_topic_publish": (c_int, [_opaque, c_char_p, c_size_t, _opaque,
                                  c_char_p, c_char_p]),
    "aev_topic_publish_batch": (c_int, [_opaque, c_char_p, _out_opaque]),
    # function
    "aev_function_create": (c_int, [_opaque, c_char_p, c_char_p, HANDLER_FN,
                                    c_void_p, RELEASE_FN, _out_opaque]),
    "aev_handler_register": (c_int, [_opaque, c_char_p, HANDLER_FN, c_void_p,
                                     RELEASE_FN]),
    "aev_function_release": (None, [_opaque]),
    "aev_function_delete": (c_int, [_opaque]),
    "aev_function_name": (c_char_p, [_opaque]),
    "aev_function_arn": (c_char_p, [_opaque]),
    "aev_function_invoke_qualified": (c_int, [_opaque, c_char_p, c_char_p,
                                              c_size_t, _out_opaque,
                                              POINTER(c_size_t),
                                              POINTER(c_char_p), c_char_p]),
    "aev_function_metrics": (c_int, [_opaque, _out_opaque]),
    "aev_function_update_code": (c_int, [_opaque, c_char_p, _out_opaque]),
    "aev_function_set_account_concurrency": (c_int, [_opaque, c_int]),
    "aev_invocation_succeed": (c_int, [_opaque, c_char_p, c_size_t]),
    "aev_invocation_fail_json": (c_int, [_opaque, c_char_p, c_size_t]),
    "aev_invocation_stream_write": (c_int, [_opaque, c_char_p, c_size_t]),
    "aev_invocation_request_id": (c_char_p, [_opaque]),
    "aev_invocation_function_name": (c_char_p, [_opaque]),
    "aev_invocation_function_version": (c_char_p, [_opaque]),
    "aev_invocation_function_arn": (c_char_p, [_opaque]),
    "aev_invocation_memory_mb": (c_int, [_opaque]),
    "aev_invocation_log_group": (c_char_p, [_opaque]),
    "aev_invocation_log_stream": (c_char_p, [_opaque]),
    "aev_invocation_remaining_ms": (c_int64, [_opaque]),
    "aev_invocation_env": (c_char_p, [_opaque, c_char_p]),
    "aev_function_put_provisioned_concurrency": (c_int, [_opaque, c_char_p,
                                                         c_int]),
    "aev_function_provisioned_concurrency": (c_int, [_opaque, c_char_p,
                                                     _out_opaque]),
    "aev_function_delete_provisioned_concurrency": (c_int, [_opaque,
                                                            c_char_p]),
    # stream
    "aev_stream_create": (c_int, [_opaque, c_char_p, c_int, _out_opaque]),
    "aev_stream_get": (c_int, [_opaque, c_char_p, _out_opaque]),
    "aev_stream_release": (None, [_opaque]),
    "aev_stream_delete": (c_int, [_opaque, c_int]),
    "aev_stream_name": (c_char_p, [_opaque]),
    "aev_stream_arn": (c_char_p, [_opaque]),
    "aev_stream_describe": (c_int, [_opaque, _out_opaque]),
    "aev_stream_describe_summary": (c_int, [_opaque, _out_opaque]),
    "aev_stream_list_shards": (c_int, [_opaque, c_char_p, _out_opaque]),
    "aev_stream_increase_retention": (c_int, [_opaque, c_int]),
    "aev_stream_decrease_retention": (c_int, [_opaque, c_int]),
    "aev_stream_set_throttling": (c_int, [_opaque, c_int]),
    "aev_stream_split_shard": (c_int, [_opaque, c_char_p, c_char_p]),
    "aev_stream_merge_shards": (c_int, [_opaque, c_char_p, c_char_p]),
    "aev_stream_update_shard_count": (c_int, [_opaque, c_int]),
    "aev_stream_put": (c_int, [_opaque, c_char_p, c_size_t, c_char_p,
                               c_char_p, c_char_p, c_char_p, c_char_p]),
    "aev_stream_put_records": (c_int, [_opaque, c_size_t, POINTER(c_char_p),
                                       POINTER(c_size_t), POINTER(c_char_p),
                                       POINTER(c_char_p), _out_opaque]),
    "aev_put_result_free": (None, [_opaque]),
    "aev_put_result_failed_count": (c_size_t, [_opaque]),
    "aev_put_result_shard_id": (c_char_p, [_opaque, c_size_t]),
    "aev_put_result_sequence_number": (c_char_p, [_opaque, c_size_t]),
    "aev_put_result_error_code": (c_char_p, [_opaque, c_size_t]),
    "aev_put_result_error_message": (c_char_p, [_opaque, c_size_t]),
    "aev_stream_iterator": (c_int, [_opaque, c_char_p, c_char_p, c_char_p,
                                    c_int64, _out_opaque]),
    "aev_stream_get_records": (c_int, [_opaque, c_char_p, c_int,
                                       _out_opaque]),
    "aev_records_free": (None, [_opaque]),
    "aev_records_count": (c_size_t, [_opaque]),
    "aev_records_data": (c_void_p, [_opaque, c_size_t, POINTER(c_size_t)]),
    "aev_records_partition_key": (c_char_p, [_opaque, c_size_t]),
    "aev_records_sequence_number": (c_char_p, [_opaque, c_size_t]),
    "aev_records_arrival_ms": (c_int64, [_opaque, c_size_t]),
    "aev_records_next_iterator": (c_char_p, [_opaque]),
    "aev_records_millis_behind": (c_int64, [_opaque]),
    "aev_records_child_shards": (c_char_p, [_opaque]),
    # delivery (and the function calls its Python transform is built on)
    "aev_delivery_create": (c_int, [_opaque, c_char_p, c_char_p, _out_opaque]),
    "aev_delivery_create_with_sink": (c_int, [_opaque, c_char_p, c_char_p,
                                              DELIVERY_SINK_FN, c_void_p,
                                              RELEASE_FN, _out_opaque]),
    "aev_delivery_get": (c_int, [_opaque, c_char_p, _out_opaque]),
    "aev_delivery_release": (None, [_opaque]),
    "aev_delivery_delete": (c_int, [_opaque]),
    "aev_delivery_name": (c_char_p, [_opaque]),
    "aev_delivery_arn": (c_char_p, [_opaque]),
    "aev_delivery_describe": (c_int, [_opaque, _out_opaque]),
    "aev_delivery_put": (c_int, [_opaque, c_char_p, c_size_t, c_char_p]),
    "aev_delivery_put_batch": (c_int, [_opaque, c_size_t, POINTER(c_char_p),
                                       POINTER(c_size_t),
                                       POINTER(c_char_p)]),
    "aev_delivery_flush": (c_int, [_opaque]),
    "aev_delivery_metrics": (c_int, [_opaque, _out_opaque]),
    "aev_invocation_fail": (c_int, [_opaque, c_char_p, c_char_p]),
    # machine
    "aev_machine_create": (c_int, [_opaque, c_char_p, c_char_p, c_size_t,
                                   c_int, _out_opaque]),
    "aev_machine_create_with": (c_int, [_opaque, c_char_p, c_char_p,
                                        c_size_t, c_int, c_char_p,
                                        _out_opaque]),
    "aev_machine_get": (c_int, [_opaque, c_char_p, _out_opaque]),
    "aev_machine_release": (None, [_opaque]),
    "aev_machine_delete": (c_int, [_opaque]),
    "aev_machine_update": (c_int, [_opaque, c_char_p, c_size_t]),
    "aev_machine_name": (c_char_p, [_opaque]),
    "aev_machine_arn": (c_char_p, [_opaque]),
    "aev_machine_describe": (c_int, [_opaque, _out_opaque]),
    "aev_machine_validate": (c_int, [c_char_p, c_size_t, c_int,
                                     _out_opaque]),
    "aev_machine_test_state": (c_int, [_opaque, c_char_p, _out_opaque]),
    "aev_machine_start": (c_int, [_opaque, c_char_p, c_char_p, c_size_t,
                                  _out_opaque]),
    "aev_machine_start_sync": (c_int, [_opaque, c_char_p, c_char_p,
                                       c_size_t, _out_opaque]),
    "aev_execution_wait": (c_int, [_opaque]),
    "aev_execution_release": (None, [_opaque]),
    "aev_execution_status": (c_int, [_opaque]),
    "aev_execution_arn": (c_char_p, [_opaque]),
    "aev_execution_describe": (c_int, [_opaque, _out_opaque]),
    "aev_execution_history": (c_int, [_opaque, _out_opaque]),
    "aev_execution_stop": (c_int, [_opaque, c_char_p, c_char_p]),
    "aev_execution_redrive": (c_int, [_opaque, c_char_p, POINTER(c_int64)]),
    "aev_machine_send_task_success": (c_int, [_opaque, c_char_p, c_char_p,
                                              c_size_t]),
    "aev_machine_send_task_failure": (c_int, [_opaque, c_char_p, c_char_p,
                                              c_char_p]),
    "aev_machine_send_task_heartbeat": (c_int, [_opaque, c_char_p]),
    "aev_machine_set_retention": (c_int, [_opaque, c_int64]),
    "aev_activity_create": (c_int, [_opaque, c_char_p, _out_opaque]),
    "aev_activity_get": (c_int, [_opaque, c_char_p, _out_opaque]),
    "aev_activity_release": (None, [_opaque]),
    "aev_activity_delete": (c_int, [_opaque]),
    "aev_activity_arn": (c_char_p, [_opaque]),
    "aev_activity_describe": (c_int, [_opaque, _out_opaque]),
    "aev_activity_get_task": (c_int, [_opaque, c_char_p, c_int64,
                                      _out_opaque, _out_opaque]),
    # jsonata
    "aev_jsonata_compile": (c_int, [c_char_p, ctypes.c_size_t, _out_opaque]),
    "aev_jsonata_free": (None, [_opaque]),
    "aev_jsonata_set_limits": (c_int, [_opaque, c_int, c_int64]),
    "aev_jsonata_set_max_string": (c_int, [_opaque, c_size_t]),
    "aev_jsonata_evaluate": (c_int, [_opaque, c_char_p, c_char_p,
                                     _out_opaque]),
    "aev_jsonata_error_position": (c_int, []),
    # bus
    "aev_bus_create": (c_int, [_opaque, c_char_p, _out_opaque]),
    "aev_bus_get": (c_int, [_opaque, c_char_p, _out_opaque]),
    "aev_bus_update": (c_int, [_opaque, c_char_p, c_char_p, c_char_p,
                               _out_opaque]),
    "aev_bus_describe": (c_int, [_opaque, _out_opaque]),
    "aev_bus_release": (None, [_opaque]),
    "aev_bus_delete": (c_int, [_opaque]),
    "aev_bus_name": (c_char_p, [_opaque]),
    "aev_bus_arn": (c_char_p, [_opaque]),
    "aev_bus_set_rule_quota": (c_int, [_opaque, c_int]),
    "aev_bus_put_rule": (c_int, [_opaque, c_char_p, c_char_p, c_char_p, c_int,
                                 _out_opaque]),
    "aev_bus_describe_rule": (c_int, [_opaque, c_char_p, _out_opaque]),
    "aev_bus_delete_rule": (c_int, [_opaque, c_char_p, c_int]),
    "aev_bus_enable_rule": (c_int, [_opaque, c_char_p, c_int]),
    "aev_bus_list_rules": (c_int, [_opaque, c_char_p, _out_opaque]),
    "aev_bus_list_rules_page": (c_int, [_opaque, c_char_p, c_int, c_char_p,
                                        _out_opaque]),
    "aev_bus_put_targets": (c_int, [_opaque, c_char_p, c_char_p,
                                    _out_opaque]),
    "aev_bus_remove_targets": (c_int, [_opaque, c_char_p, c_char_p,
                                       _out_opaque]),
    "aev_bus_list_targets": (c_int, [_opaque, c_char_p, _out_opaque]),
    "aev_bus_list_targets_page": (c_int, [_opaque, c_char_p, c_int, c_char_p,
                                          _out_opaque]),
    "aev_bus_put_callback_target": (c_int, [_opaque, c_char_p, c_char_p,
                                            BUS_TARGET_FN, c_void_p,
                                            RELEASE_FN]),
    "aev_bus_put_events": (c_int, [_opaque, c_char_p, _out_opaque]),
    "aev_endpoint_register": (c_int, [_opaque, c_char_p, ENDPOINT_FN,
                                      c_void_p, RELEASE_FN]),
    "aev_endpoint_remove": (c_int, [_opaque, c_char_p]),
    "aev_http_request_method": (c_char_p, [_opaque]),
    "aev_http_request_url": (c_char_p, [_opaque]),
    "aev_http_request_headers": (c_char_p, [_opaque]),
    "aev_http_request_body": (c_void_p, [_opaque, POINTER(c_size_t)]),
    "aev_http_request_respond": (c_int, [_opaque, c_int, c_char_p,
                                         c_size_t]),
    "aev_http_request_set_response_header": (c_int, [_opaque, c_char_p,
                                                     c_char_p]),
    "aev_bus_put_event": (c_int, [_opaque, c_char_p, c_char_p, c_char_p,
                                  c_size_t, c_char_p]),
    "aev_bus_create_archive": (c_int, [_opaque, c_char_p, c_char_p, c_int,
                                       c_char_p, _out_opaque]),
    "aev_bus_describe_archive": (c_int, [_opaque, c_char_p, _out_opaque]),
    "aev_bus_delete_archive": (c_int, [_opaque, c_char_p]),
    "aev_bus_update_archive": (c_int, [_opaque, c_char_p, c_char_p, c_int,
                                       c_char_p]),
    "aev_bus_start_replay": (c_int, [_opaque, c_char_p, _out_opaque]),
    "aev_bus_describe_replay": (c_int, [_opaque, c_char_p, _out_opaque]),
    "aev_bus_cancel_replay": (c_int, [_opaque, c_char_p, _out_opaque]),
}


def _candidates():
    explicit = os.environ.get("AWSEVENTS_LIB")
    if explicit:
        return [explicit]
    package_dir = os.path.dirname(os.path.abspath(__file__))
    source_root = os.path.dirname(os.path.dirname(os.path.dirname(
        package_dir)))
    return [os.path.join(source_root, "build", "lib", SONAME), SONAME]


def _load():
    errors = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            errors.append("%s: no such file" % path)
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            errors.append(str(e))
            continue
        for name, (restype, argtypes) in SIGNATURES.items():
            fn = getattr(lib, name)
            fn.restype = restype
            fn.argtypes = argtypes
        return lib
    raise ImportError("libawsevents not found (set AWSEVENTS_LIB to its "
                      "path): " + "; ".join(errors))


lib = _load()


def handle(ptr, kind):
    """ptr, the C handle (a c_void_p) a create call gave for an object of
    kind; anything else would reach C as a pointer and crash the process,
    so it is a TypeError that says where such objects come from."""
    if isinstance(ptr, ctypes.c_void_p) and ptr.value:
        return ptr
    raise TypeError("%s objects come from create calls (Broker.create_*, "
                    "%s.create, ...), not from %s(%r)" % (kind, kind, kind, ptr))


def callback(fn, what):
    """fn, which the library will call back; anything not callable would
    only fail later, on the scheduler, as a silent delivery failure."""
    if callable(fn):
        return fn
    raise TypeError("%s must be a callable, not %r" % (what, fn))


def integer(value, name, unit=None, ctype=c_int):
    """value, an integer parameter called name, as the int C takes as
    ctype. ctypes refuses a float with an ArgumentError that names neither
    the parameter nor what it takes, and a computed value (2.5 * 60_000) is
    often a float holding a whole number, which is that int. bool passes,
    being an int. Beyond ctype's range ctypes would wrap silently (a delay
    of 2**32 seconds would be none), so that is a ValueError."""
    if isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        try:
            number = operator.index(value)
        except TypeError:
            takes = "a whole number of " + unit if unit else "an integer"
            raise TypeError("%s must be %s, got %r" % (name, takes, value)) \
                from None
    bits = 8 * ctypes.sizeof(ctype)
    if ctype(-1).value == -1:
        low, high = -2 ** (bits - 1), 2 ** (bits - 1)
        span = "[-2**%d, 2**%d)" % (bits - 1, bits - 1)
    else:
        low, high, span = 0, 2 ** bits, "[0, 2**%d)" % bits
    if not low <= number < high:
        raise ValueError("%s must be in %s, got %d" % (name, span, number))
    return number


def string(value, name):
    """value, a str parameter called name (a resource or attribute name);
    anything else would fail deep inside with an AttributeError on its
    encode()."""
    if isinstance(value, str):
        return value
    raise TypeError("%s must be a str, got %s" % (name, type(value).__name__))

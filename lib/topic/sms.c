/* SMS: Publish to a phone number, the account's SMS attributes, opted-out
 * numbers, the SMS sandbox and origination numbers (SNS API reference and
 * developer guide, "Mobile text messaging (SMS)"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/broker.h"
#include "core/status.h"
#include "topic/account.h"

int aev__sms_number_ok(const char *number) {
  const char *p = number + (*number == '+');
  size_t n = strlen(p);
  if (n < 2 || n > 15 || *p < '1' || *p > '9') return 0;
  for (; *p; p++)
    if (*p < '0' || *p > '9') return 0;
  return 1;
}

/* A message attribute's value or NULL. */
static json_t *attr_value(json_t *entry, const char *name) {
  return json_object_get(json_object_get(json_object_get(entry, "MessageAttributes"), name),
                         "Value");
}

int aev__sms_settings(aev_broker *b, json_t *entry) {
  aev__sns_account *a;
  int rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  /* A message's AWS.SNS.SMS.* attributes override the account's defaults
   * for that message (SetSMSAttributes: "You can override some of these
   * settings for a single message"); Promotional is the default type. */
  json_t *type = attr_value(entry, "AWS.SNS.SMS.SMSType");
  json_t *sender = attr_value(entry, "AWS.SNS.SMS.SenderID");
  json_t *price = attr_value(entry, "AWS.SNS.SMS.MaxPrice");
  if (!type) type = json_object_get(a->sms_attrs, "DefaultSMSType");
  if (!sender) sender = json_object_get(a->sms_attrs, "DefaultSenderID");
  int failed = json_object_set_new(entry, "SMSType",
                                   type ? json_copy(type) : json_string("Promotional"));
  if (sender) failed |= json_object_set_new(entry, "SenderID", json_copy(sender));
  if (price) failed |= json_object_set_new(entry, "MaxPrice", json_copy(price));
  aev__sns_account_unlock(a);
  return failed ? aev__nomem() : AEV_OK;
}

int aev__sms_publish_check(const char *number) {
  if (aev__sms_number_ok(number)) return AEV_OK;
  return aev__sns_invalid("Invalid parameter: PhoneNumber Reason: %s is not valid to publish to",
                          number);
}

int aev__sms_publish(aev_broker *b, const char *number, const aev__pub_req *r, char *id_out) {
  json_t *e = NULL;
  int rc = aev__outbox_direct(b, r, "sms", number, "sms", &e);
  if (rc == AEV_OK && (rc = aev__sms_settings(b, e)) != AEV_OK) json_decref(e);
  if (rc != AEV_OK) return rc;
  /* Copied first: the outbox owns the entry once it is posted. */
  if (id_out)
    snprintf(id_out, AEV_TOPIC_MESSAGE_ID_SIZE, "%s",
             json_string_value(json_object_get(e, "MessageId")));
  return aev__outbox_post(b, e);
}

int aev_sns_publish_sms(aev_broker *b, const char *phone_number, const char *message, size_t len,
                        const aev_publish_options *opts, char *message_id) {
  if (!b) return aev__sns_missing("broker");
  if (!phone_number) return aev__sns_missing("PhoneNumber");
  aev__pub_req r;
  int rc = aev__sms_publish_check(phone_number);
  if (rc == AEV_OK) rc = aev__pub_req_of(message, len, opts, &r);
  return rc != AEV_OK ? rc : aev__sms_publish(b, phone_number, &r, message_id);
}

/* SetSMSAttributes' names (SNS API reference). */
static const char *const sms_names[] = {
    "MonthlySpendLimit", "DeliveryStatusIAMRole", "DeliveryStatusSuccessSamplingRate",
    "DefaultSenderID", "DefaultSMSType", "UsageReportS3Bucket", NULL};

static int sms_attr_check(const char *name, json_t *v) {
  int known = 0;
  for (size_t i = 0; sms_names[i]; i++) known |= !strcmp(name, sms_names[i]);
  if (!known)
    return aev__sns_invalid("Invalid parameter: attributes Reason: %s is not an SMS attribute "
                            "(MonthlySpendLimit, DeliveryStatusIAMRole, "
                            "DeliveryStatusSuccessSamplingRate, DefaultSenderID, DefaultSMSType, "
                            "UsageReportS3Bucket)", name);
  if (!json_is_string(v))
    return aev__sns_invalid("Invalid parameter: attributes Reason: %s must be a string", name);
  const char *s = json_string_value(v);
  if (!strcmp(name, "DefaultSMSType") && strcmp(s, "Promotional") && strcmp(s, "Transactional"))
    return aev__sns_invalid("Invalid parameter: DefaultSMSType Reason: %s is not Promotional or "
                            "Transactional", s);
  if (!strcmp(name, "DeliveryStatusSuccessSamplingRate")) {
    char *end;
    long rate = strtol(s, &end, 10);
    if (!*s || *end || rate < 0 || rate > 100)
      return aev__sns_invalid("Invalid parameter: DeliveryStatusSuccessSamplingRate Reason: %s is "
                              "not an integer from 0 to 100", s);
  }
  return AEV_OK;
}

int aev__sms_set_attributes(aev_broker *b, const aev__api_service *svc, json_t *req,
                            json_t **resp) {
  json_t *attrs = NULL, *v;
  const char *k;
  int rc = aev__api_req_object(svc, req, "attributes", &attrs);
  /* Every name is checked before any is stored. */
  json_object_foreach(attrs, k, v) if (rc == AEV_OK) rc = sms_attr_check(k, v);
  aev__sns_account *a;
  if (rc == AEV_OK) rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  rc = aev__sns_merge(a->sms_attrs, attrs);
  aev__sns_account_unlock(a);
  return rc != AEV_OK ? rc : aev__sns_empty(resp);
}

int aev__sms_get_attributes(aev_broker *b, const aev__api_service *svc, json_t *req,
                            json_t **resp) {
  json_t *names = NULL;
  int rc = aev__api_opt_array(svc, req, "attributes", &names);
  aev__sns_account *a;
  if (rc == AEV_OK) rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  /* With names, only those that are set; without, every one set. */
  json_t *out = json_array_size(names) ? json_object() : json_deep_copy(a->sms_attrs), *n;
  size_t i;
  int failed = !out;
  json_array_foreach(names, i, n) {
    json_t *v = json_object_get(a->sms_attrs, json_string_value(n) ? json_string_value(n) : "");
    if (v && out) failed |= json_object_set_new(out, json_string_value(n), json_copy(v));
  }
  aev__sns_account_unlock(a);
  *resp = failed ? NULL : json_pack("{s:o}", "attributes", out);
  if (failed) json_decref(out);
  return *resp ? AEV_OK : aev__nomem();
}

/* The phoneNumber member of the opt-out actions. */
static int opt_number(const aev__api_service *svc, json_t *req, const char **number) {
  int rc = aev__api_req_string(svc, req, "phoneNumber", number);
  if (rc == AEV_OK && !aev__sms_number_ok(*number))
    rc = aev__sns_invalid("Invalid parameter: PhoneNumber Reason: input incorrectly formatted");
  return rc;
}

int aev__sms_check_opted_out(aev_broker *b, const aev__api_service *svc, json_t *req,
                             json_t **resp) {
  const char *number;
  aev__sns_account *a;
  int rc = opt_number(svc, req, &number);
  if (rc == AEV_OK) rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  int out = json_object_get(a->opted_out, number) != NULL;
  aev__sns_account_unlock(a);
  *resp = json_pack("{s:b}", "isOptedOut", out);
  return *resp ? AEV_OK : aev__nomem();
}

static json_t *number_item(const char *k, json_t *v, void *ctx) {
  (void)v;
  (void)ctx;
  return json_string(k);
}

/* 100 numbers a page (ListPhoneNumbersOptedOut reference). */
int aev__sms_list_opted_out(aev_broker *b, const aev__api_service *svc, json_t *req,
                            json_t **resp) {
  const char *token = NULL;
  aev__sns_account *a;
  int rc = aev__api_opt_string(svc, req, "nextToken", &token);
  if (rc == AEV_OK) rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  rc = aev__sns_page(a->opted_out, token, number_item, NULL, "phoneNumbers", "nextToken", resp);
  aev__sns_account_unlock(a);
  return rc;
}

int aev__sms_opt_in(aev_broker *b, const aev__api_service *svc, json_t *req, json_t **resp) {
  const char *number;
  aev__sns_account *a;
  int rc = opt_number(svc, req, &number);
  if (rc == AEV_OK) rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  json_object_del(a->opted_out, number);
  aev__sns_account_unlock(a);
  return aev__sns_empty(resp);
}

int aev_sns_phone_opt_out(aev_broker *b, const char *phone_number) {
  if (!b || !phone_number) return aev__sns_missing("phoneNumber");
  if (!aev__sms_number_ok(phone_number))
    return aev__sns_invalid("Invalid parameter: PhoneNumber Reason: input incorrectly formatted");
  aev__sns_account *a;
  int rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  rc = json_object_set_new(a->opted_out, phone_number, json_true()) ? aev__nomem() : AEV_OK;
  aev__sns_account_unlock(a);
  return rc;
}

/* ---- the SMS sandbox ---------------------------------------------------- */

static int sandbox_number(const aev__api_service *svc, json_t *req, const char **number) {
  int rc = aev__api_req_string(svc, req, "PhoneNumber", number);
  if (rc == AEV_OK && (**number != '+' || !aev__sms_number_ok(*number)))
    rc = aev__sns_invalid("Invalid parameter: PhoneNumber Reason: %s is not an E.164 phone "
                          "number (+ and up to 15 digits)", *number);
  return rc;
}

static int sandbox_missing(const char *number) {
  return aev__fail(AEV_ERR_NOT_FOUND, "ResourceNotFound",
                   "Phone number %s is not in the SMS sandbox", number);
}

int aev__sms_sandbox_create(aev_broker *b, const aev__api_service *svc, json_t *req,
                            json_t **resp) {
  const char *number, *lang = "en-US";
  int rc = sandbox_number(svc, req, &number);
  if (rc == AEV_OK) rc = aev__api_opt_string(svc, req, "LanguageCode", &lang);
  if (rc != AEV_OK) return rc;
  /* The one-time password goes to the number by SMS (SNS developer guide,
   * adding and verifying phone numbers in the SMS sandbox): here, to the
   * outbox. */
  char code[8], id[AEV_UUID_LEN + 1], text[64];
  snprintf(code, sizeof code, "%06u", (unsigned)(aev__broker_random(b) % 1000000));
  aev__broker_uuid(b, id);
  snprintf(text, sizeof text, "Your verification code is %s", code);
  json_t *e = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Protocol", "sms", "Destination", number,
                        "Type", "SandboxVerification", "Message", text, "MessageId", id,
                        "OneTimePassword", code, "LanguageCode", lang);
  json_t *entry = json_pack("{s:s,s:s}", "Status", "Pending", "Code", code);
  /* The code's text is made ready before the number is stored, so that a
   * stored number never goes without its code. */
  aev__outbox_task *sms = aev__outbox_new(b, e);
  aev__sns_account *a;
  rc = sms && entry ? aev__sns_account_lock(b, &a) : aev__nomem();
  if (rc == AEV_OK) {
    rc = json_object_set_new(a->sandbox, number, entry) ? aev__nomem() : AEV_OK;
    entry = NULL;
    aev__sns_account_unlock(a);
  }
  json_decref(entry);
  if (rc != AEV_OK) {
    aev__outbox_discard(sms);
    return rc;
  }
  aev__outbox_send(sms);
  return aev__sns_empty(resp);
}

int aev__sms_sandbox_verify(aev_broker *b, const aev__api_service *svc, json_t *req,
                            json_t **resp) {
  const char *number, *otp;
  aev__sns_account *a;
  int rc = sandbox_number(svc, req, &number);
  if (rc == AEV_OK) rc = aev__api_req_string(svc, req, "OneTimePassword", &otp);
  if (rc == AEV_OK) rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  json_t *entry = json_object_get(a->sandbox, number);
  if (!entry) rc = sandbox_missing(number);
  else if (strcmp(json_string_value(json_object_get(entry, "Code")), otp))
    rc = aev__fail(AEV_ERR_INVALID, "VerificationException",
                   "Invalid one-time password for phone number %s", number);
  else if (json_object_set_new(entry, "Status", json_string("Verified")))
    rc = aev__nomem();
  aev__sns_account_unlock(a);
  return rc != AEV_OK ? rc : aev__sns_empty(resp);
}

int aev__sms_sandbox_delete(aev_broker *b, const aev__api_service *svc, json_t *req,
                            json_t **resp) {
  const char *number;
  aev__sns_account *a;
  int rc = sandbox_number(svc, req, &number);
  if (rc == AEV_OK) rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  if (json_object_del(a->sandbox, number)) rc = sandbox_missing(number);
  aev__sns_account_unlock(a);
  return rc != AEV_OK ? rc : aev__sns_empty(resp);
}

static json_t *sandbox_item(const char *k, json_t *v, void *ctx) {
  (void)ctx;
  return json_pack("{s:s,s:s}", "PhoneNumber", k, "Status",
                   json_string_value(json_object_get(v, "Status")));
}

int aev__sms_sandbox_list(aev_broker *b, const aev__api_service *svc, json_t *req,
                          json_t **resp) {
  const char *token = NULL;
  aev__sns_account *a;
  int rc = aev__api_opt_string(svc, req, "NextToken", &token);
  if (rc == AEV_OK) rc = aev__sns_account_lock(b, &a);
  if (rc != AEV_OK) return rc;
  rc = aev__sns_page(a->sandbox, token, sandbox_item, NULL, "PhoneNumbers", "NextToken", resp);
  aev__sns_account_unlock(a);
  return rc;
}

/* The broker's account is out of the SMS sandbox, as a production account
 * is: an application's texts reach any number, as they would in
 * production, without each test number being verified first. The sandbox
 * list is still kept, for code that manages it. */
int aev__sms_sandbox_status(aev_broker *b, const aev__api_service *svc, json_t *req,
                            json_t **resp) {
  (void)b;
  (void)svc;
  (void)req;
  *resp = json_pack("{s:b}", "IsInSandbox", 0);
  return *resp ? AEV_OK : aev__nomem();
}

/* No origination numbers are provisioned in the account. */
int aev__sms_list_origination(aev_broker *b, const aev__api_service *svc, json_t *req,
                              json_t **resp) {
  (void)b;
  (void)svc;
  (void)req;
  *resp = json_pack("{s:[]}", "PhoneNumbers");
  return *resp ? AEV_OK : aev__nomem();
}

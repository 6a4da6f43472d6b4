/* Internal: the labelled statements of a resource policy (the JSON text of
 * a queue's or a topic's Policy attribute), as SQS's and SNS's
 * AddPermission and RemovePermission keep them: each grant is one
 * statement whose Sid is its label. Each service checks its own request
 * and words its own errors. */
#ifndef AEV_CORE_POLICY_DOC_H
#define AEV_CORE_POLICY_DOC_H

#include <jansson.h>

/* The ARN of account's root user in resource's partition
 * (arn:PARTITION:iam::ACCOUNT:root), into out. */
void aev__policy_doc_root(const char *resource, const char *account, char *out, size_t cap);

/* The statement AddPermission adds: Sid label, Effect Allow, Principal
 * {"AWS": the accounts' root users} (arn:PARTITION:iam::ACCOUNT:root, in
 * resource's partition), Action the actions with prefix ("SQS:", "SNS:")
 * before each, Resource resource. A principal or action list of one is
 * that string, as AWS writes it. accounts and actions are arrays of
 * strings. NULL when out of memory. */
json_t *aev__policy_doc_grant(const char *label, const json_t *accounts, const json_t *actions,
                          const char *prefix, const char *resource);

/* The policy text doc with stmt (a reference stolen) appended to its
 * Statement list, as a new string in *out; doc NULL or "" starts from
 * fresh's text instead. *taken is set, and *out left NULL, when a
 * statement of doc already has stmt's Sid. Returns AEV_OK or
 * AEV_ERR_NOMEM (recorded); a doc that is not a JSON object is replaced
 * by fresh's text. */
int aev__policy_doc_add(const char *doc, const char *fresh, json_t *stmt, char **out, int *taken);

/* The policy text doc without its statements whose Sid is label, as a new
 * string in *out, with *left the statements it keeps (it may keep none);
 * *out is NULL when no statement of doc has that Sid. Returns AEV_OK or
 * AEV_ERR_NOMEM (recorded). */
int aev__policy_doc_remove(const char *doc, const char *label, char **out, size_t *left);

#endif

/* Internal: AWS's front-end validation report, shared by the services
 * whose front end reports every broken model constraint of a request at
 * once (EventBridge, Lambda's capacity providers). */
#ifndef AEV_CORE_VERRORS_H
#define AEV_CORE_VERRORS_H

/* AWS's front end reports every broken model constraint of a
 * request at once; checks add each here in the order of the request's
 * members, and the request fails with all of them. */
typedef struct aev__verrors {
  int n;
  char text[3000];
} aev__verrors;
/* Adds "Value 'value' at 'member' failed to satisfy constraint: constraint"
 * (value NULL: "Value null at ..."). */
void aev__verrors_add(aev__verrors *e, const char *value, const char *member,
                      const char *constraint);
/* AEV_OK when e holds none, else ValidationException "N validation
 * error(s) detected: ...; ...". */
int aev__verrors_fail(const aev__verrors *e);

#endif

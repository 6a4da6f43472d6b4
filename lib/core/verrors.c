/* AWS's front-end validation report (EventBridge, Lambda capacity
 * providers): every broken model constraint of a request at once, "2 validation errors detected:
 * Value 'a' at 'x' failed to satisfy constraint: ...; Value null at 'y'
 * failed to satisfy constraint: Member must not be null". */
#include <stdio.h>
#include <string.h>

#include "core/verrors.h"
#include "core/status.h"

void aev__verrors_add(aev__verrors *e, const char *value, const char *member,
                      const char *constraint) {
  size_t at = strlen(e->text);
  if (value)
    snprintf(e->text + at, sizeof e->text - at,
             "%sValue '%s' at '%s' failed to satisfy constraint: %s", e->n ? "; " : "", value,
             member, constraint);
  else
    snprintf(e->text + at, sizeof e->text - at,
             "%sValue null at '%s' failed to satisfy constraint: %s", e->n ? "; " : "", member,
             constraint);
  e->n++;
}

int aev__verrors_fail(const aev__verrors *e) {
  if (!e->n) return AEV_OK;
  return aev__fail(AEV_ERR_INVALID, "ValidationException", "%d validation error%s detected: %s",
                   e->n, e->n > 1 ? "s" : "", e->text);
}

/* TestEventPattern of the "events" service: the event must carry the
 * envelope fields AWS insists on, then the pattern engine answers. */
#include <string.h>

#include "bus/api_events.h"
#include "awsevents/pattern.h"
#include "core/json_parse.h"
#include "core/status.h"

/* The fields TestEventPattern insists on. AWS's reference also lists
 * "resources", but AWS accepts events without it (the recorded conformance
 * cases match such events), so it is not required here. */
static const char *const envelope[] = {"id", "account", "source", "time", "region",
                                       "detail-type"};

int aev__events_test_event_pattern(aev_broker *b, const aev__api_service *svc,
                                   json_t *req, json_t **resp) {
  (void)b;
  const char *pattern, *event;
  int rc = aev__api_req_string(svc, req, "Event", &event);
  if (!rc) rc = aev__api_req_string(svc, req, "EventPattern", &pattern);
  if (rc) return rc;
  json_t *ev;
  if (aev__json_parse_str(event, JSON_DECODE_ANY, &ev) == AEV_ERR_NOMEM) return AEV_ERR_NOMEM;
  int ok = json_is_object(ev);
  for (size_t i = 0; ok && i < sizeof envelope / sizeof *envelope; i++)
    ok = json_object_get(ev, envelope[i]) != NULL;
  json_decref(ev);
  if (!ok)
    return aev__fail(AEV_ERR_INVALID, "ValidationException", "Parameter Event is not valid.");
  aev_pattern *p;
  if ((rc = aev_pattern_compile(pattern, strlen(pattern), &p))) return rc;
  int match = 0;
  rc = aev_pattern_matches(p, event, strlen(event), &match);
  aev_pattern_free(p);
  if (rc) return rc;
  *resp = json_pack("{s:b}", "Result", match);
  return *resp ? AEV_OK : aev__nomem();
}

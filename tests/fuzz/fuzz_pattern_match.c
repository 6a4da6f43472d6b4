/* libFuzzer target for matching: the event flattener (and, in the SNS
 * MessageAttributes profile, the attribute-map conversion) on arbitrary
 * text, against a set of fixed patterns using every operator plus one
 * pattern taken from the input. Input: one profile byte, then the pattern,
 * a NUL byte and the event (no NUL: the whole rest is the event). The set's
 * answer must equal matching each pattern alone, and be the answer for
 * each copy of the event in a batch. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fixed[] = {
    "{\"source\":[\"app\",{\"prefix\":\"aws.\"}],\"detail\":{\"n\":[{\"numeric\":[\">\",0,\"<=\",9]}]}}",
    "{\"a\":{\"b\":[1,2],\"c\":[\"x\",null]}}",
    "{\"s\":[{\"suffix\":{\"equals-ignore-case\":\".PNG\"}},{\"equals-ignore-case\":\"X\"}]}",
    "{\"s\":[{\"wildcard\":\"*a\\\\*b*\"},{\"anything-but\":{\"wildcard\":\"z*\"}}]}",
    "{\"s\":[{\"anything-but\":[\"x\",\"y\"]}],\"n\":[{\"anything-but\":[1,2]}]}",
    "{\"ip\":[{\"cidr\":\"10.0.0.0/8\"},{\"cidr\":\"2001:db8::/32\"}]}",
    "{\"m\":[{\"exists\":false}],\"d\":[true]}",
    "{\"$or\":[{\"a\":{\"b\":[2]}},{\"d\":[{\"exists\":true}]},{\"a.b\":[3]}]}",
    "{\"color\":[\"red\",{\"anything-but\":{\"prefix\":\"bl\"}}],\"n\":[1.5,{\"numeric\":[\"<\",0]}]}",
    /* Many ranges, wildcards with several beginnings and CIDR blocks of
     * several masks on one field: a range tree of several nodes and several
     * lists of filed matchers. */
    ("{\"v\":[{\"numeric\":[\">\",0,\"<\",10]},{\"numeric\":[\">=\",5,\"<=\",20]},"
     "{\"numeric\":[\"=\",7]},{\"numeric\":[\"<\",-3]},{\"numeric\":[\">\",100]},"
     "{\"numeric\":[\">=\",-3,\"<\",0]}]}"),
    ("{\"w\":[{\"wildcard\":\"a*\"},{\"wildcard\":\"ab*c\"},{\"wildcard\":\"*z\"},"
     "{\"wildcard\":\"a\\\\*b*\"},{\"wildcard\":\"abc\"},{\"wildcard\":\"b*\"}]}"),
    ("{\"c\":[{\"cidr\":\"10.0.0.0/8\"},{\"cidr\":\"10.1.0.0/16\"},{\"cidr\":\"10.1.2.3/32\"},"
     "{\"cidr\":\"10.1.2.0/23\"},{\"cidr\":\"0.0.0.0/0\"},{\"cidr\":\"2001:db8::/33\"}]}"),
};
#define NFIXED (sizeof fixed / sizeof *fixed)

/* Per profile, the fixed patterns compiled once (NULL where the profile
 * refuses one: SNS lacks some operators, and nesting in one scope). The
 * set is built afresh for each input: libFuzzer runs a leak check after
 * any input whose allocations outlive it, which a long-lived set's would. */
static aev_pattern **fixture_for(int profile) {
  static aev_pattern *alone[3][NFIXED];
  static int ready[3];
  if (!ready[profile]) {
    for (size_t i = 0; i < NFIXED; i++)
      if (aev_pattern_compile_profile(fixed[i], strlen(fixed[i]), profile, &alone[profile][i]))
        alone[profile][i] = NULL;
    ready[profile] = 1;
  }
  return alone[profile];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  int profile = data[0] % 3;
  const char *rest = (const char *)data + 1, *event = rest;
  const char *nul = memchr(rest, 0, size - 1);
  size_t plen = 0, elen = size - 1;
  if (nul) {
    plen = (size_t)(nul - rest);
    event = nul + 1;
    elen = size - 1 - plen - 1;
  }
  aev_pattern **alone = fixture_for(profile), *mine = NULL;
  aev_pattern_set *set = NULL;
  if (aev_pattern_set_new(profile, &set) != AEV_OK) abort();
  for (size_t i = 0; i < NFIXED; i++)
    if (alone[i] && aev_pattern_set_add(set, i, fixed[i], strlen(fixed[i])) != AEV_OK) abort();
  if (nul && aev_pattern_compile_profile(rest, plen, profile, &mine) == AEV_OK &&
      aev_pattern_set_add(set, NFIXED, rest, plen) != AEV_OK)
    abort();
  uint64_t *ids = NULL;
  size_t n = 0, k = 0;
  int rc = aev_pattern_set_match(set, event, elen, &ids, &n);
  for (size_t i = 0; i <= NFIXED; i++) {
    aev_pattern *p = i < NFIXED ? alone[i] : mine;
    if (!p) continue;
    int m = 0;
    if (aev_pattern_matches(p, event, elen, &m) != rc) abort();
    if (rc == AEV_OK && m) {
      if (k >= n || ids[k] != i) abort();
      k++;
    }
  }
  if (rc == AEV_OK && k != n) abort();
  /* In a batch, twice over: the same answer for each, one after the other
   * in the batch's one array (NULL when nothing matched). */
  const char *twice[2] = {event, event};
  size_t lens[2] = {elen, elen}, ends[2];
  uint64_t *idsb;
  if (aev_pattern_set_match_batch(set, twice, lens, 2, &idsb, ends) != rc) abort();
  const size_t each = rc ? 0 : n;
  if (ends[0] != each || ends[1] != 2 * each || (!each) != (!idsb)) abort();
  if (each && (memcmp(idsb, ids, n * sizeof *ids) || memcmp(idsb + n, ids, n * sizeof *ids)))
    abort();
  aev_free(idsb);
  aev_free(ids);
  aev_pattern_free(mine);
  aev_pattern_set_free(set);
  return 0;
}

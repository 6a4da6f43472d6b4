/*
 * libawsevents — the EventBridge event-pattern language, also used for SNS
 * filter policies and Lambda event-source filter criteria.
 *
 * A pattern is JSON text such as {"source": ["aws.ec2"], "detail": {"state":
 * [{"anything-but": "pending"}]}}. Compiling validates it with AWS's rules;
 * a pattern that AWS would refuse fails with AEV_ERR_INVALID, aev_errcode()
 * "InvalidEventPatternException" (SNS profiles: "InvalidParameter") and
 * aev_errmsg() worded as AWS words it ("Event pattern is not valid. Reason:
 * ...").
 *
 * equals-ignore-case (alone, and in prefix, suffix and anything-but) takes
 * a character and its Unicode lower case as equal, in every script; the
 * few characters whose lower case differs in UTF-8 length (the Kelvin
 * sign, U+0130, U+023A, ...) equal only themselves.
 *
 * A pattern set holds many patterns under caller-chosen ids and answers, for
 * one event, the ids of every pattern that matches. All its patterns are
 * compiled into one automaton over the event's flattened fields, so the cost
 * of a match depends on the event, not on how many patterns the set holds.
 *
 * Threads: a compiled aev_pattern is immutable and may be matched from any
 * number of threads at once. A set may be used from any thread; matches run
 * concurrently with each other and exclude adds and removes.
 */
#ifndef AWSEVENTS_PATTERN_H
#define AWSEVENTS_PATTERN_H

#include "awsevents/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aev_pattern aev_pattern;
typedef struct aev_pattern_set aev_pattern_set;

/* Profiles: which dialect of the language a pattern is written in and what
 * the matched text is.
 *   AEV_PATTERN_EVENTBRIDGE     EventBridge event patterns; the event is any
 *                               JSON object (an EventBridge event, a Lambda
 *                               record, ...).
 *   AEV_PATTERN_SNS_ATTRIBUTES  an SNS filter policy with FilterPolicyScope
 *                               MessageAttributes: flat (no nesting), at most
 *                               5 keys and 150 combinations, numbers within
 *                               +-1e9 with 5 decimals. The matched text is a
 *                               message's MessageAttributes map, as in
 *                               Publish: {"color": {"Type": "String",
 *                               "Value": "red"}}. String.Array values are
 *                               matched element by element; Binary values
 *                               never match a value condition.
 *   AEV_PATTERN_SNS_BODY        an SNS filter policy with FilterPolicyScope
 *                               MessageBody: nesting allowed, SNS's limits
 *                               (keys counted at the leaves; a key's values
 *                               count once per level of nesting towards the
 *                               150); the matched text is the message body,
 *                               which must be a JSON object to match at all.
 * Both SNS profiles have SNS's operators only: no wildcard, anything-but
 * with values or {"prefix": ...} only, prefix/suffix without
 * equals-ignore-case; errors are SNS's ("Invalid parameter: FilterPolicy:
 * ..."). */
#define AEV_PATTERN_EVENTBRIDGE 0
#define AEV_PATTERN_SNS_ATTRIBUTES 1
#define AEV_PATTERN_SNS_BODY 2

/* The longest EventBridge pattern AWS accepts, in characters. */
#define AEV_PATTERN_MAX_LENGTH 4096

/* Compiles an EventBridge pattern of len bytes (need not be NUL-terminated)
 * into *out. Free it with aev_pattern_free(). */
AEV_API int aev_pattern_compile(const char *json, size_t len,
                                aev_pattern **out);

/* As aev_pattern_compile() with a profile (AEV_PATTERN_*). */
AEV_API int aev_pattern_compile_profile(const char *json, size_t len,
                                        int profile, aev_pattern **out);

/* Frees a pattern. NULL is a no-op. */
AEV_API void aev_pattern_free(aev_pattern *p);

/* Matches one event (JSON text of len bytes) against p: *out_match is 1 when
 * it matches, 0 when not. Text that is not a JSON object fails with
 * AEV_ERR_INVALID (EventBridge profile) or simply does not match (SNS
 * MessageBody scope, as SNS drops such messages for that subscription). */
AEV_API int aev_pattern_matches(const aev_pattern *p, const char *event,
                                size_t len, int *out_match);

/* Creates an empty set whose patterns are all of one profile. */
AEV_API int aev_pattern_set_new(int profile, aev_pattern_set **out);

/* Frees a set and its patterns. NULL is a no-op. */
AEV_API void aev_pattern_set_free(aev_pattern_set *set);

/* Compiles a pattern and adds it under id, replacing any pattern that id
 * had. On failure the set is unchanged. */
AEV_API int aev_pattern_set_add(aev_pattern_set *set, uint64_t id,
                                const char *pattern, size_t len);

/* Removes the pattern stored under id. AEV_ERR_NOT_FOUND if there is none. */
AEV_API int aev_pattern_set_remove(aev_pattern_set *set, uint64_t id);

/* The number of patterns in the set. */
AEV_API size_t aev_pattern_set_count(const aev_pattern_set *set);

/* Matches one event against every pattern of the set. On success *ids is an
 * array of the *n matching ids in ascending order, each once (free it with
 * aev_free(); it is NULL when *n is 0). */
AEV_API int aev_pattern_set_match(aev_pattern_set *set, const char *event,
                                  size_t len, uint64_t **ids, size_t *n);

/* Matches n events (events[i], of lens[i] bytes) against every pattern of
 * the set, as n calls of aev_pattern_set_match() would, into one array:
 * *ids holds event 0's ids (ascending, each once), then event 1's, and so
 * on; ends[i] is where event i's end, so they are (*ids)[ends[i - 1]]
 * (from 0 for event 0) up to (*ids)[ends[i]]. Free *ids with aev_free();
 * it is NULL when no event matched. One allocation serves the batch, and
 * the events' walks through the set's automaton are interleaved, so that
 * their cache misses overlap: a set too big for the caches answers more
 * events a second this way than with one call an event
 * (bench/pattern_bench's "batches" rows). On failure *ids is NULL and
 * every ends[i] 0; an event that is not a JSON object fails the batch with
 * AEV_ERR_INVALID and a ValidationException naming the first such event. */
AEV_API int aev_pattern_set_match_batch(aev_pattern_set *set, const char *const *events,
                                        const size_t *lens, size_t n, uint64_t **ids,
                                        size_t *ends);

/* Approximate bytes of memory the set's patterns and automaton use. */
AEV_API size_t aev_pattern_set_memory(const aev_pattern_set *set);

#ifdef __cplusplus
}
#endif
#endif

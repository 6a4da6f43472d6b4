/* Internal: the chain of requests a piece of work belongs to, for Lambda's
 * recursive loop detection (Lambda developer guide, "Use Lambda recursive
 * loop detection to prevent infinite loops"). A chain is the sequence of
 * invocations one triggering event causes; its lineage counts, per
 * function, how many times the chain has invoked it. AWS carries that
 * count in the X-Ray trace header; here it is an internal text that SQS
 * messages and SNS notifications keep beside what users see, and never
 * show: "NAME=COUNT" entries (a function name has neither '=' nor ',')
 * joined by ','. Which services carry it is the guide's list: SQS, SNS
 * and Lambda itself (Invoke, synchronous or not), not EventBridge, Step
 * Functions or Kinesis. */
#ifndef AEV_FUNCTION_LINEAGE_H
#define AEV_FUNCTION_LINEAGE_H

#include <stddef.h>

/* "If your function is invoked approximately 16 times in the same chain of
 * requests, then Lambda automatically stops the next function invocation
 * in that request chain": the 17th is stopped. */
#define AEV__LOOP_LIMIT 16

/* The lineage of the work this thread does now, NULL when it belongs to
 * no chain: a handler's for the duration of its call (invoke.c), or what a
 * delivery sets around the send it makes on a chain's behalf. A queue
 * send, a topic publish or an invocation made on this thread takes it
 * along when it is not given one. */
const char *aev__lineage_current(void);
/* Makes lineage (borrowed: it must outlive its use) this thread's and
 * answers the previous one, which the caller puts back when done. */
const char *aev__lineage_swap(const char *lineage);

/* How many times the chain lineage (NULL: none) invoked the function. */
int aev__lineage_count(const char *lineage, const char *function);
/* The room aev__lineage_bump needs for lineage and function, its NUL
 * included. */
size_t aev__lineage_bumped_size(const char *lineage, const char *function);
/* Writes to out lineage with function's count one higher (an entry of 1
 * added when it had none). */
void aev__lineage_bump(const char *lineage, const char *function, char *out);

#endif

/* libawsevents — AWS's event-driven primitives in-process. Includes every
 * public header. */
#ifndef AWSEVENTS_AWSEVENTS_H
#define AWSEVENTS_AWSEVENTS_H

#include "awsevents/common.h"
#include "awsevents/broker.h"
#include "awsevents/queue.h"
#include "awsevents/pattern.h"
#include "awsevents/function.h"
#include "awsevents/bus.h"

#endif

/* libawsevents — AWS's event-driven primitives in-process. Includes every
 * public header. */
#ifndef AWSEVENTS_AWSEVENTS_H
#define AWSEVENTS_AWSEVENTS_H

#include "awsevents/common.h"
#include "awsevents/broker.h"
#include "awsevents/queue.h"
#include "awsevents/pattern.h"
#include "awsevents/function.h"
#include "awsevents/topic.h"
#include "awsevents/stream.h"
#include "awsevents/delivery.h"
#include "awsevents/machine.h"
#include "awsevents/jsonata.h"
#include "awsevents/bus.h"
#include "awsevents/scheduler.h"
#include "awsevents/pipe.h"

#endif

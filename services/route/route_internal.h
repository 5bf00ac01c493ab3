/* Every internal header of the route stage at once, for the unit tests that drive its
 * parts directly. The stage's own files include only the headers they use. */
#ifndef VIGILE_ROUTE_INTERNAL_H
#define VIGILE_ROUTE_INTERNAL_H

#include "route_dsa.h"
#include "route_emit.h"
#include "route_metrics.h"
#include "route_operator.h"
#include "route_record.h"
#include "route_router.h"
#include "route_verdict.h"
#include "route_withdraw.h"

#endif

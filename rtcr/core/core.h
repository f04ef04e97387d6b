/*
 * The core layer's public header: children and their memory (child.h), the
 * session registry and the service interface (sessions.h), what a child may
 * hold (rules.h), this boot's identity (boot_id.h), the main loop's pollers
 * (loop.h).
 */
#ifndef RTCR_CORE_H
#define RTCR_CORE_H

#include "child.h"
#include "sessions.h"
#include "rules.h"
#include "boot_id.h"
#include "loop.h"

#endif

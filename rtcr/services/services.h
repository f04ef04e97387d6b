/*
 * The services layer's public header: the services children open sessions
 * with (one file each, svc_*.c) and the network drivers' endpoints.
 */
#ifndef RTCR_SERVICES_H
#define RTCR_SERVICES_H

#include "endpoint.h"

/* Add every service to the session registry (core/sessions.h) and the
 * timer sessions' poller to the main loop. */
void services_init(void);

#endif

/*
 * The services layer's public header: the services children open sessions
 * with (one file each, svc_*.c) and the network drivers' endpoints.
 */
#ifndef RTCR_SERVICES_H
#define RTCR_SERVICES_H

#include "endpoint.h"
#include "error.h"

/* Add every service to the session registry (core/sessions.h) and the
 * timer sessions' poller to the main loop. */
void services_init(void);

/* The rm service's attach, for a restore: map dataspace index of c at va
 * with rights (MAP_*), page by page as c faults; child_region_add's code
 * if it overlaps what c has there or there is no room. */
struct rtcr_child;
rtcr_err rm_attach_ds(struct rtcr_child *c, uint32_t index, uint32_t va, unsigned rights);

#endif

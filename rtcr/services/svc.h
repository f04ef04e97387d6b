/*
 * What the services' files share among themselves; not for other layers
 * (their view is core/sessions.h and endpoint.h).
 */
#ifndef RTCR_SVC_H
#define RTCR_SVC_H

#include "core.h"

struct endpoint;   /* endpoint.h: not included, endpoint.c includes this file */

/* svc_timer.c, for timer and irq sessions: what the kernel holds of the
 * session's signal (state[4-5]). */
void signal_save(struct session *s);

/* svc_timer.c: the main loop signals timer sessions (core/loop.h). */
void timers_init(void);

/* Each service file's service (registered by services_init). */
extern const struct service service_log, service_ram, service_rm, service_timer,
	service_irq, service_io_mem, service_cpu, service_gate, service_link;

/* endpoint.c, for the link service (svc_link.c): the endpoint table and
 * what a driver tells RTCR through its session. */
struct endpoint *endpoint_unused(void);            /* a free slot, or NULL */
struct endpoint *endpoint_of(const struct session *s);
/* LINK_UP's words: address, largest payload, MAC (two words). */
void endpoint_up(struct endpoint *ep, const uint32_t *w);
/* LINK_KICK: everything the driver put in the RX ring. */
void endpoint_take_rx(struct endpoint *ep);
/* LINK_DOWN with the driver's reason: what uses the endpoint ends. */
void endpoint_down(struct endpoint *ep, uint32_t reason);
/* The session closes: what uses the endpoint ends and its slot is free
 * (the caller frees the buffer and its region). */
void endpoint_close(struct endpoint *ep);

#endif

/*
 * Endpoints: RTCR's ends of the links its network drivers open (the "link"
 * service, user/lib/link.h). An endpoint is up once its driver said
 * LINK_UP with its address; RTCR sends datagrams through it and gets the
 * datagrams that arrive (migration messages, ping answers). The link
 * service (svc_link.c) makes and closes them; endpoint.c is the rest.
 */
#ifndef RTCR_ENDPOINT_H
#define RTCR_ENDPOINT_H

#include <stdint.h>
#include <stdbool.h>
#include "link.h"
#include "core.h"

#define ENDPOINTS_MAX 4u

/* The session kind of a link: RTCR's own, never in a checkpoint image (a
 * task that holds one drives hardware and cannot be checkpointed). */
#define SESSION_LINK 0x100u

struct endpoint {
	bool used, up;
	struct session *s;
	uint32_t type;           /* LINK_ETH, LINK_CAN or LINK_LOOP */
	uint32_t addr;           /* IPv4 (a<<24|...) or node (CAN, LOOP) */
	uint32_t mtu;            /* largest payload */
	uint8_t mac[6];
	uint8_t *buf;            /* the shared buffer, in RTCR */
	int region;              /* where the driver sees it */
	struct link_ring tx, rx;
	bool kick;               /* TX records the driver has not been told of */
	bool broken;             /* the driver scribbled on a ring: unusable */
	uint32_t dropped;        /* datagrams the driver dropped */
	uint64_t tx_msgs, rx_msgs, tx_bytes, rx_bytes;
};

/* Who takes what arrives through the endpoints, registered by the layers
 * above (migration takes datagrams, the console echo replies): a datagram;
 * the answer to an ICMP echo request; an endpoint that goes down or away
 * (what uses it ends now). Each may be NULL; every handler gets each. */
struct endpoint_handler {
	void (*datagram)(struct endpoint *ep, uint32_t peer, uint16_t port, const uint8_t *data,
			 uint32_t len);
	void (*echo_reply)(struct endpoint *ep, uint32_t peer, uint16_t seq, uint32_t rtt_us,
			   uint32_t status);
	void (*gone)(struct endpoint *ep);
	struct endpoint_handler *next;
};
void endpoints_handle(struct endpoint_handler *h);

/* What the console hears of the links, as it happens: an endpoint came
 * up; went down (its driver said so, with a reason); went with its
 * driver's session (ep->s->child is the driver); or became unusable (its
 * driver broke its receive ring). One listener (NULL: nobody hears). */
enum link_event_kind { LINK_EVENT_UP, LINK_EVENT_DOWN, LINK_EVENT_CLOSED, LINK_EVENT_BROKEN };
struct link_event {
	enum link_event_kind kind;
	const struct endpoint *ep;
	uint32_t reason;         /* LINK_EVENT_DOWN: the driver's */
};
void endpoints_listen(void (*fn)(const struct link_event *e));
/* The main loop tells the drivers about what was queued, once a turn. */
void endpoints_init(void);

/* The first endpoint of a type that is up (ETH), or the one of a type
 * (CAN, LOOP) with a node number. */
struct endpoint *endpoint_of_type(uint32_t type);
struct endpoint *endpoint_node(uint32_t type, uint32_t node);
/* Every endpoint, index 0 to ENDPOINTS_MAX - 1: NULL if unused. */
struct endpoint *endpoint_at(unsigned index);
/* Queue a datagram (or another TX record): E_INVALID_STATE if the
 * endpoint is not up, E_INVALID_ARG if len is over its MTU, E_NO_BUFFER if
 * the ring is full (the driver kicks RTCR once it has made room). The
 * driver is told at endpoints_flush. */
rtcr_err endpoint_send(struct endpoint *ep, uint16_t type, uint32_t peer, uint16_t port,
		   const void *data, uint32_t len);
uint32_t endpoint_room(const struct endpoint *ep);
/* Tell the drivers about what was queued (endpoints_init's poller; a
 * sender that must not wait for the next turn calls it too). */
void endpoints_flush(void);
bool child_holds_link(const struct rtcr_child *c);
/* A CAN driver's counters for ep (a copy), if it keeps them. */
bool endpoint_can_stats(const struct endpoint *ep, struct link_can_stats *out);
/* a.b.c.d, or "node N" for CAN. */
void endpoint_addr_text(uint32_t type, uint32_t addr, char *buf, unsigned size);
/* "eth", "can" or "loop". */
const char *endpoint_type_name(uint32_t type);

#endif

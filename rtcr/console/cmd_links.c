/*
 * The console's view of the network links: links, and the lines that say
 * a link came up or went down.
 */
#include "commands.h"
#include "services.h"
#include "core.h"
#include "stdio.h"

static void link_event(const struct link_event *e)
{
	const struct endpoint *ep = e->ep;
	const char *type = endpoint_type_name(ep->type);
	char addr[24];
	switch (e->kind) {
	case LINK_EVENT_UP:
		endpoint_addr_text(ep->type, ep->addr, addr, sizeof(addr));
		printf("rtcr: link %s up: %s, datagrams up to %u bytes\n", type, addr,
		       (unsigned)ep->mtu);
		break;
	case LINK_EVENT_DOWN:
		printf("rtcr: link %s down (reason %u)\n", type, (unsigned)e->reason);
		break;
	case LINK_EVENT_CLOSED:
		printf("rtcr: link %s down: its driver (task %u) closed it\n", type,
		       (unsigned)ep->s->child->id);
		break;
	case LINK_EVENT_BROKEN:
		printf("rtcr: link %s: its driver broke the receive ring; link unusable\n", type);
		break;
	}
}

void cmd_links_init(void)
{
	endpoints_listen(link_event);
}

/* What a CAN driver counts on its controller, if it says. */
static void can_counters(const struct endpoint *ep)
{
	struct link_can_stats s;
	if (!endpoint_can_stats(ep, &s))
		return;
	printf("can node %u: frames sent %u, received %u; messages sent %u (%u over 4095 bytes), "
	       "received %u (%u over 4095 bytes); payload bytes sent %u, received %u; failed %u/%u, "
	       "overruns %u, bus errors %u, bus-off %u\n", (unsigned)s.node, (unsigned)s.frames_tx,
	       (unsigned)s.frames_rx, (unsigned)s.msgs_tx, (unsigned)s.long_tx, (unsigned)s.msgs_rx,
	       (unsigned)s.long_rx, (unsigned)s.bytes_tx, (unsigned)s.bytes_rx,
	       (unsigned)s.tx_failed, (unsigned)s.rx_failed, (unsigned)s.overruns,
	       (unsigned)s.bus_errors, (unsigned)s.bus_offs);
}

void cmd_links(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	bool any = false;
	for (unsigned i = 0; i < ENDPOINTS_MAX; i++) {
		const struct endpoint *ep = endpoint_at(i);
		if (!ep)
			continue;
		char addr[24];
		endpoint_addr_text(ep->type, ep->addr, addr, sizeof(addr));
		if (!any)
			printf("LINK ADDRESS          STATE  DRIVER   SENT (MSGS BYTES)    RECEIVED (MSGS BYTES)  DROPPED\n");
		any = true;
		printf("%-4s %-16s %-6s %4u %-5s %8u %12u %8u %12u %8u\n", endpoint_type_name(ep->type),
		       ep->up ? addr : "-", ep->broken ? "broken" : ep->up ? "up" : "down",
		       (unsigned)ep->s->child->id, ep->s->child->name, (unsigned)ep->tx_msgs,
		       (unsigned)ep->tx_bytes, (unsigned)ep->rx_msgs, (unsigned)ep->rx_bytes,
		       (unsigned)ep->dropped);
	}
	if (!any)
		printf("no links (no network driver has opened one)\n");
	for (unsigned i = 0; i < ENDPOINTS_MAX; i++)
		if (endpoint_at(i))
			can_counters(endpoint_at(i));
}

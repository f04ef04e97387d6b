/*
 * The driver's side of a link session (link.h): open it, say it is up,
 * kick RTCR. The rings themselves are in link.c.
 */
#include "link.h"
#include "session.h"
#include "rpc.h"

int link_open(struct link_client *l, uint32_t type, uint32_t va, uint32_t label, uint32_t sel,
	      uint32_t sig)
{
	uint32_t args[4] = { type, va, label, 0 };
	int st = session_open("link", sel, sig, args, 4, NULL, 0);
	if (st)
		return st;
	l->sel = sel;
	l->sig = sig;
	l->label = label;
	l->buf = (void *)(uintptr_t)va;
	link_ring_tx(l->buf, &l->tx);
	link_ring_rx(l->buf, &l->rx);
	return E_OK;
}

int link_up(struct link_client *l, uint32_t addr, uint32_t mtu, const uint8_t mac[6])
{
	uint32_t in[4] = { addr, mtu, 0, 0 };
	if (mac) {
		in[2] = (uint32_t)mac[0] << 24 | (uint32_t)mac[1] << 16 | (uint32_t)mac[2] << 8 | mac[3];
		in[3] = (uint32_t)mac[4] << 24 | (uint32_t)mac[5] << 16;
	}
	return rpc_call(l->sel, LINK_UP, in, 4, NULL, 0, NULL, TIMEOUT_NEVER);
}

int link_kick(struct link_client *l)
{
	return rpc_call(l->sel, LINK_KICK, NULL, 0, NULL, 0, NULL, TIMEOUT_NEVER);
}

int link_signal_ack(struct link_client *l)
{
	return k_irq_ack(l->sig);
}

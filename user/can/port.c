/*
 * One controller: frames between the SJA1000 and ISO-TP, messages between
 * ISO-TP and the link rings (port.h).
 */
#include "port.h"
#include "session.h"
#include "selalloc.h"
#include "rpc.h"
#include "stdio.h"
#include "string.h"

#define RX_BURST 64u   /* frames taken from the FIFO in one go (it holds fewer) */

bool port_start(struct can_port *p, volatile uint8_t *regs, struct isotp_ep *ep)
{
	struct isotp_config cfg;
	if (!sja1000_init(&p->chip, regs, SJA_BTR0_500K, SJA_BTR1_500K))
		return false;
	/* Flow control that QEMU's bus can keep up with yet that really works:
	 * a flow control after every 16 frames, no gap between frames. */
	isotp_config_default(&cfg, p->node);
	isotp_init(ep, &cfg);
	p->ep = ep;
	p->stats = &p->local;
	p->local.magic = LINK_CAN_STATS_MAGIC;
	p->local.node = p->node;
	return true;
}

/* ---- the link session ----------------------------------------------------------- */

static int link_down(struct can_port *p, uint32_t reason)
{
	return rpc_call(p->link.sel, LINK_DOWN, &reason, 1, NULL, 0, NULL, TIMEOUT_NEVER);
}

int port_link_open(struct can_port *p, uint32_t va, uint32_t label)
{
	uint32_t sel = sel_alloc(), sig = sel_alloc();
	int st = link_open(&p->link, LINK_CAN, va, label, sel, sig);
	if (st == E_OK && (st = link_up(&p->link, p->node, LINK_PAYLOAD_MAX, NULL)) != E_OK)
		rpc_call(CHILD_SEL_PARENT, PARENT_CLOSE, &sel, 1, NULL, 0, NULL, TIMEOUT_NEVER);
	if (st != E_OK) {
		sel_free(sel);
		sel_free(sig);
		return st;
	}
	p->stats = (struct link_can_stats *)((uint8_t *)p->link.buf + LINK_STATS_OFFSET);
	*p->stats = p->local;
	p->linked = true;
	return E_OK;
}

static void link_broken(struct can_port *p, const char *ring)
{
	printf("can: node %u: the link's %s ring is broken; the link is not used any more\n",
	       p->node, ring);
	p->broken = true;
	p->linked = false;
}

/* The medium came and went (bus-off and its recovery). */
static void link_medium(struct can_port *p, bool up)
{
	printf("can: node %u: %s\n", p->node, up ? "back on the bus" : "bus-off, recovering");
	if (!p->linked)
		return;
	int st = up ? link_up(&p->link, p->node, LINK_PAYLOAD_MAX, NULL) : link_down(p, 1);
	if (st != E_OK)
		printf("can: node %u: %s: %s\n", p->node, up ? "LINK_UP" : "LINK_DOWN",
		       k_error_name((unsigned)st));
}

/* Records RTCR wants sent. A datagram becomes one ISO-TP message, so only
 * one is taken at a time: the next when the endpoint is free again. */
static void take_tx(struct can_port *p)
{
	struct link_rec rec;
	bool broken = false;
	while (!isotp_tx_busy(p->ep) && link_ring_peek(&p->link.tx, &rec, &broken)) {
		if (rec.type == LINK_REC_DATAGRAM) {
			if (isotp_send(p->ep, rec.peer, rec.payload, rec.len) == ISOTP_OK) {
				p->tx_len = rec.len;
			} else {
				p->refused++;
				printf("can: node %u: datagram of %u bytes to node %u refused\n",
				       p->node, (unsigned)rec.len, (unsigned)rec.peer);
			}
		} else if (rec.type == LINK_REC_PING) {
			/* CAN has no echo service: answer at once, so nobody waits. */
			uint32_t answer[2] = { 0, 2 };
			if (!link_ring_put(&p->link.rx, LINK_REC_PING_REPLY, rec.peer, rec.port, answer,
					   sizeof(answer)))
				break;      /* no room for the answer yet: take it later */
			p->kick = true;
		}
		link_ring_consume(&p->link.tx, &rec);
	}
	if (link_room_wanted(p->link.buf))
		p->kick = true;       /* RTCR waits for room, and now there is */
	if (broken)
		link_broken(p, "TX");
}

/* Failed receptions since the last report, as a LINK_REC_DROPPED. */
static void report_lost(struct can_port *p)
{
	uint32_t lost = p->stats->rx_failed + p->stats->overruns;
	uint32_t n = lost - p->lost_told;
	if (n && link_ring_put(&p->link.rx, LINK_REC_DROPPED, 0, 0, &n, sizeof(n))) {
		p->lost_told = lost;
		p->kick = true;
	}
}

static void kick(struct can_port *p)
{
	p->kick = false;
	int st = link_kick(&p->link);
	if (st != E_OK)
		printf("can: node %u: LINK_KICK: %s\n", p->node, k_error_name((unsigned)st));
}

/* Complete messages into the RX ring, oldest first. When the ring is full
 * a kick lets RTCR empty it; if it still is, the message stays in its
 * buffer (ISO-TP makes new senders wait meanwhile) and is tried again
 * after CAN_RETRY_US. */
static void deliver(struct can_port *p)
{
	struct isotp_msg m;
	bool kicked = false;
	while (isotp_rx_next(p->ep, &m)) {
		if (!p->linked) {
			p->unlinked_drops++;
			printf("can: node %u: %u bytes from node %u, and no link to take them\n",
			       p->node, (unsigned)m.len, m.src);
		} else if (link_ring_put(&p->link.rx, LINK_REC_DATAGRAM, m.src, 0, m.data, m.len)) {
			p->stats->bytes_rx += m.len;
			p->stats->long_rx += m.len > ISOTP_FF_DL_MAX;
			p->kick = true;
		} else if (!kicked) {
			kick(p);
			kicked = true;
			continue;
		} else {
			return;
		}
		isotp_rx_release(p->ep, &m);
	}
}

static uint32_t sum(const struct isotp_ep *ep, const unsigned *events, unsigned n)
{
	uint32_t s = 0;
	for (unsigned i = 0; i < n; i++)
		s += ep->count[events[i]];
	return s;
}

static void update_stats(struct can_port *p)
{
	static const unsigned tx_fail[] = { ISOTP_TX_TIMEOUT, ISOTP_TX_OVERFLOW, ISOTP_TX_BAD_FC,
					    ISOTP_TX_WAIT_LIMIT, ISOTP_TX_NOT_SENT };
	static const unsigned rx_fail[] = { ISOTP_RX_TIMEOUT, ISOTP_RX_WRONG_SN, ISOTP_RX_SHORT_CF,
					    ISOTP_RX_INTERRUPTED, ISOTP_RX_TOO_LONG,
					    ISOTP_RX_NO_BUFFER };
	struct link_can_stats *s = p->stats;
	s->frames_tx = p->chip.frames_tx;
	s->frames_rx = p->chip.frames_rx;
	s->msgs_tx = p->ep->count[ISOTP_TX_DONE];
	s->msgs_rx = p->ep->count[ISOTP_RX_DONE];
	s->tx_failed = sum(p->ep, tx_fail, sizeof(tx_fail) / sizeof(tx_fail[0])) + p->refused;
	s->rx_failed = sum(p->ep, rx_fail, sizeof(rx_fail) / sizeof(rx_fail[0]));
	s->overruns = p->chip.overruns;
	s->bus_errors = p->chip.bus_errors;
	s->bus_offs = p->chip.bus_offs;
}

void port_link_work(struct can_port *p)
{
	if (p->linked)
		take_tx(p);
	deliver(p);
	update_stats(p);
	if (p->linked)
		report_lost(p);
	if (p->linked && p->kick)
		kick(p);
}

/* ---- frames -------------------------------------------------------------------- */

bool port_receive(struct can_port *p, uint64_t now)
{
	unsigned ev = sja1000_service(&p->chip);
	if (ev & SJA_EV_BUS_OFF)
		link_medium(p, false);
	if (ev & SJA_EV_BUS_ON)
		link_medium(p, true);
	unsigned n = 0;
	struct sja1000_frame f;
	while (n < RX_BURST && sja1000_recv(&p->chip, &f)) {
		n++;
		if (f.ext || f.rtr)
			continue;     /* ISO-TP here uses 11-bit data frames only */
		struct isotp_frame t = { .id = f.id, .len = f.len };
		memcpy(t.data, f.data, sizeof(t.data));
		isotp_rx_frame(p->ep, &t, now);
	}
	return n > 0;
}

/* How a message ended, told once its last frame is out of the chip. */
static void tx_finished(struct can_port *p)
{
	unsigned result;
	if (p->tx_queued || !isotp_tx_finished(p->ep, &result))
		return;
	if (result == ISOTP_TX_DONE) {
		p->stats->bytes_tx += p->tx_len;
		p->stats->long_tx += p->tx_len > ISOTP_FF_DL_MAX;
		return;
	}
	printf("can: node %u: message of %u bytes to node %u not sent: %s\n", p->node,
	       (unsigned)p->tx_len, (unsigned)p->ep->tx.dst, isotp_event_name(result));
}

/* A frame nobody takes off the bus blocks the controller; after N_As it is
 * given up, and with it the message it belongs to. */
static void tx_confirm(struct can_port *p, uint64_t now)
{
	if (!p->tx_queued)
		return;
	if (sja1000_tx_ready(&p->chip)) {
		p->tx_queued = false;
	} else if (now - p->tx_since >= CAN_N_AS_US) {
		sja1000_abort_tx(&p->chip);
		p->tx_queued = false;
		if (!p->tx_was_fc)
			isotp_tx_abort(p->ep);
	}
}

bool port_transmit(struct can_port *p, uint64_t now)
{
	struct isotp_frame t;
	bool sent = false;
	isotp_poll(p->ep, now);
	tx_confirm(p, now);
	if (!p->tx_queued && sja1000_tx_ready(&p->chip) && isotp_tx_frame(p->ep, now, &t)) {
		struct sja1000_frame f = { .id = t.id, .len = t.len };
		memcpy(f.data, t.data, sizeof(f.data));
		sent = sja1000_send(&p->chip, &f);
		p->tx_queued = sent;
		p->tx_was_fc = t.data[0] >> 4 == 3;
		p->tx_since = now;
		tx_confirm(p, now);   /* QEMU's controller has sent it already */
	}
	tx_finished(p);
	return sent;
}

static uint64_t earlier(uint64_t a, uint64_t b)
{
	return !a || (b && b < a) ? b : a;
}

uint64_t port_deadline(const struct can_port *p, uint64_t now)
{
	struct isotp_msg m;
	uint64_t t = isotp_deadline(p->ep);
	if (t && t <= now)
		t = 0;    /* due, but the controller is busy: its interrupt comes first */
	if (p->tx_queued)
		t = earlier(t, p->tx_since + CAN_N_AS_US);
	if (p->linked && isotp_rx_next(p->ep, &m))
		t = earlier(t, now + CAN_RETRY_US);
	return t;
}

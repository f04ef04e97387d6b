/*
 * The link session (user/lib/link.h): RTCR's records in the TX ring go out
 * as UDP datagrams and echo requests; datagrams to UDP port LINK_UDP_PORT,
 * echo results and drop counts come back as records in the RX ring. The net
 * task never waits for RTCR except in LINK_KICK, which RTCR answers at once.
 */
#include "net.h"
#include "link.h"
#include "selalloc.h"
#include "sys.h"
#include "stdio.h"
#include "lwip/udp.h"

#define UDP_PAYLOAD_MAX 1472u   /* 1500 - IPv4 header - UDP header: one frame */

static struct {
	bool open;
	bool broken;                /* RTCR's side of a ring made no sense: stop using it */
	struct link_client cl;      /* the session, its signal and the rings */
	bool kick;                  /* RX got records or TX gave room: tell RTCR */
	uint32_t rx_full;           /* datagrams dropped: no room in RX (or no link) */
	uint32_t reported;          /* drops told to RTCR so far */
} lk;

static struct udp_pcb *udp;
static uint8_t datagram[UDP_PAYLOAD_MAX];

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static bool link_usable(void)
{
	return lk.open && !lk.broken;
}

/* A datagram to LINK_UDP_PORT: into the RX ring as it came, or counted. */
static void udp_in(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port)
{
	(void)arg;
	(void)pcb;
	uint32_t peer = lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(addr)));
	if (link_usable() && p->tot_len <= sizeof(datagram)) {
		u16_t len = pbuf_copy_partial(p, datagram, p->tot_len, 0);
		if (link_ring_put(&lk.cl.rx, LINK_REC_DATAGRAM, peer, port, datagram, len))
			lk.kick = true;
		else
			lk.rx_full++;
	} else {
		lk.rx_full++;
	}
	pbuf_free(p);
}

void linkio_init(void)
{
	udp = udp_new();
	LWIP_ASSERT("linkio: no udp pcb", udp != NULL);
	if (udp_bind(udp, IP_ADDR_ANY, LINK_UDP_PORT) != ERR_OK)
		LWIP_ASSERT("linkio: cannot bind the link port", 0);
	udp_recv(udp, udp_in, NULL);
}

int linkio_open(uint32_t va, uint32_t label, uint32_t addr, const uint8_t mac[6])
{
	uint32_t sel = sel_alloc(), sig = sel_alloc();
	int st = link_open(&lk.cl, LINK_ETH, va, label, sel, sig);
	if (st) {
		sel_free(sel);
		sel_free(sig);
		return st;
	}
	if ((st = link_up(&lk.cl, addr, UDP_PAYLOAD_MAX, mac)) != E_OK) {
		net_session_close(sel);
		sel_free(sig);
		return st;
	}
	lk.open = true;
	return E_OK;
}

void linkio_signal(void)
{
	if (lk.open)
		link_signal_ack(&lk.cl);
}

static void send_datagram(const struct link_rec *rec)
{
	if (rec->len > UDP_PAYLOAD_MAX || rec->port == 0)
		return;                                   /* RTCR knows the limit (LINK_UP) */
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)rec->len, PBUF_RAM);
	if (!p)
		return;                                   /* lost, as on any wire */
	pbuf_take(p, rec->payload, (u16_t)rec->len);
	ip_addr_t dst;
	ip4_addr_set_u32(ip_2_ip4(&dst), lwip_htonl(rec->peer));
	udp_sendto(udp, p, &dst, rec->port);
	pbuf_free(p);
}

/* Take TX records while we can: a ping that finds no free slot waits in the
 * ring (and so does everything behind it) until one is free. */
static void tx_take(void)
{
	struct link_rec rec;
	bool broken;
	while (link_ring_peek(&lk.cl.tx, &rec, &broken)) {
		if (rec.type == LINK_REC_PING && !ping_start(rec.peer, rec.port))
			break;
		if (rec.type == LINK_REC_DATAGRAM)
			send_datagram(&rec);
		link_ring_consume(&lk.cl.tx, &rec);
	}
	if (link_room_wanted(lk.cl.buf))
		lk.kick = true;
	if (broken) {
		printf("net: the link's TX ring is broken; link not used any more\n");
		lk.broken = true;
	}
}

/* Echo results, then the drop count if it grew, while RX has room. */
static void rx_give(void)
{
	struct ping_result r;
	uint8_t payload[8];
	while (ping_result_peek(&r)) {
		put32(payload, r.rtt_us);
		put32(payload + 4, r.status);
		if (!link_ring_put(&lk.cl.rx, LINK_REC_PING_REPLY, r.peer, r.seq, payload, 8))
			return;
		ping_result_take();
		lk.kick = true;
	}
	uint32_t dropped = ethif_dropped() + lk.rx_full;
	if (dropped != lk.reported) {
		put32(payload, dropped - lk.reported);
		if (link_ring_put(&lk.cl.rx, LINK_REC_DROPPED, 0, 0, payload, 4)) {
			lk.reported = dropped;
			lk.kick = true;
		}
	}
}

void linkio_run(void)
{
	if (!link_usable())
		return;
	tx_take();
	if (lk.broken)
		return;
	rx_give();
	if (lk.kick) {
		lk.kick = false;
		int st = link_kick(&lk.cl);
		if (st != E_OK) {
			printf("net: LINK_KICK failed (%s); link not used any more\n",
			       k_error_name((unsigned)st));
			lk.broken = true;
		}
	}
}

/*
 * ICMP echo requests RTCR asks for (LINK_REC_PING), through an lwIP raw
 * pcb; each ends as a result: answered (with the round trip), timed out
 * after PING_TIMEOUT_US, or no route (no route, or nobody answered ARP).
 * Echo requests others send us are answered by lwIP itself (icmp.c).
 *
 * A fixed table of slots: a request waits in one until its answer or its
 * time comes, and its result waits there until linkio.c has put it in the
 * RX ring. A request that finds no free slot stays in the TX ring.
 */
#include "net.h"
#include "lwip/raw.h"
#include "lwip/etharp.h"
#include "lwip/inet_chksum.h"
#include "lwip/prot/icmp.h"
#include "lwip/prot/ip4.h"
#include "lwip/stats.h"
#include "string.h"

#define PING_SLOTS 16
#define PING_ID    0x5254u          /* identifier of every echo request we send */
#define PING_DATA  32u              /* bytes of payload after the echo header */

enum slot_state { SLOT_FREE, SLOT_WAITING, SLOT_DONE };

struct ping_slot {
	uint8_t state;                /* enum slot_state */
	uint16_t seq;
	uint32_t peer;
	uint64_t sent_us;
	uint32_t rtt_us;
	uint32_t status;              /* enum ping_status, once done */
};

static struct ping_slot slots[PING_SLOTS];
static struct raw_pcb *pcb;
static struct netif *ping_netif;

static void finish(struct ping_slot *s, uint32_t status)
{
	s->state = SLOT_DONE;
	s->status = status;
	s->rtt_us = status == PING_ANSWERED ? (uint32_t)(net_now_us() - s->sent_us) : 0;
}

static struct ping_slot *waiting_for(uint32_t peer, uint16_t seq)
{
	for (unsigned i = 0; i < PING_SLOTS; i++)
		if (slots[i].state == SLOT_WAITING && slots[i].peer == peer && slots[i].seq == seq)
			return &slots[i];
	return NULL;
}

/* Every ICMP message for us passes here first (p->payload is its IP
 * header): an echo reply with our identifier is ours, the rest goes on to
 * lwIP's ICMP (returning 0). */
static u8_t ping_recv(void *arg, struct raw_pcb *raw, struct pbuf *p, const ip_addr_t *addr)
{
	struct icmp_echo_hdr echo;
	(void)arg;
	(void)raw;
	if (p->len < IP_HLEN)
		return 0;
	u16_t hlen = IPH_HL_BYTES((const struct ip_hdr *)p->payload);
	if (pbuf_copy_partial(p, &echo, sizeof(echo), hlen) != sizeof(echo) ||
	    echo.type != ICMP_ER || echo.id != PP_HTONS(PING_ID))
		return 0;
	/* Ours from here on: taken, whatever it holds. */
	if (pbuf_remove_header(p, hlen) == 0 && inet_chksum_pbuf(p) == 0) {
		struct ping_slot *s = waiting_for(lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(addr))),
						  lwip_ntohs(echo.seqno));
		if (s)
			finish(s, PING_ANSWERED);
	} else {
		ICMP_STATS_INC(icmp.chkerr);   /* counted as dropped, as lwIP does */
	}
	pbuf_free(p);
	return 1;
}

void ping_init(struct netif *netif)
{
	ping_netif = netif;
	pcb = raw_new(IP_PROTO_ICMP);
	LWIP_ASSERT("ping: no raw pcb", pcb != NULL);
	raw_recv(pcb, ping_recv, NULL);
}

/* The echo request: header, then a pattern of PING_DATA bytes. */
static struct pbuf *echo_request(uint16_t seq)
{
	struct pbuf *p = pbuf_alloc(PBUF_IP, sizeof(struct icmp_echo_hdr) + PING_DATA, PBUF_RAM);
	if (!p)
		return NULL;
	struct icmp_echo_hdr *echo = p->payload;
	uint8_t *data = (uint8_t *)(echo + 1);
	echo->type = ICMP_ECHO;
	echo->code = 0;
	echo->chksum = 0;
	echo->id = PP_HTONS(PING_ID);
	echo->seqno = lwip_htons(seq);
	for (unsigned i = 0; i < PING_DATA; i++)
		data[i] = (uint8_t)('a' + i % 26);
	echo->chksum = inet_chksum(echo, p->len);
	return p;
}

bool ping_start(uint32_t peer, uint16_t seq)
{
	struct ping_slot *s = NULL;
	for (unsigned i = 0; i < PING_SLOTS && !s; i++)
		if (slots[i].state == SLOT_FREE)
			s = &slots[i];
	struct pbuf *p = s ? echo_request(seq) : NULL;
	if (!p)
		return false;
	net_clock_update();   /* its round trip starts now */
	*s = (struct ping_slot){ .state = SLOT_WAITING, .seq = seq, .peer = peer,
				 .sent_us = net_now_us() };
	ip_addr_t dst;
	ip4_addr_set_u32(ip_2_ip4(&dst), lwip_htonl(peer));
	/* An unresolved peer is not an error here: the request waits for
	 * ARP's answer (or the timeout tells). */
	if (raw_sendto(pcb, p, &dst) == ERR_RTE)
		finish(s, PING_NO_ROUTE);
	pbuf_free(p);
	return true;
}

/* Whether ARP knows who forwards to peer: the peer itself on our subnet,
 * the gateway otherwise. */
static bool arp_resolved(uint32_t peer)
{
	ip4_addr_t dst;
	const ip4_addr_t *ip_ret;
	struct eth_addr *eth_ret;
	ip4_addr_set_u32(&dst, lwip_htonl(peer));
	if (!ip4_addr_netcmp(&dst, netif_ip4_addr(ping_netif), netif_ip4_netmask(ping_netif)))
		ip4_addr_copy(dst, *netif_ip4_gw(ping_netif));
	return etharp_find_addr(ping_netif, &dst, &eth_ret, &ip_ret) >= 0;
}

void ping_expire(void)
{
	uint64_t now = net_now_us();
	for (unsigned i = 0; i < PING_SLOTS; i++) {
		struct ping_slot *s = &slots[i];
		if (s->state == SLOT_WAITING && now - s->sent_us >= PING_TIMEOUT_US)
			finish(s, arp_resolved(s->peer) ? PING_TIMED_OUT : PING_NO_ROUTE);
	}
}

uint64_t ping_next_deadline(void)
{
	uint64_t next = 0;
	for (unsigned i = 0; i < PING_SLOTS; i++) {
		uint64_t due = slots[i].sent_us + PING_TIMEOUT_US;
		if (slots[i].state == SLOT_WAITING && (!next || due < next))
			next = due;
	}
	return next;
}

/* The result of the oldest request that has one. */
static struct ping_slot *oldest_done(void)
{
	struct ping_slot *best = NULL;
	for (unsigned i = 0; i < PING_SLOTS; i++)
		if (slots[i].state == SLOT_DONE && (!best || slots[i].sent_us < best->sent_us))
			best = &slots[i];
	return best;
}

bool ping_result_peek(struct ping_result *out)
{
	struct ping_slot *s = oldest_done();
	if (!s)
		return false;
	*out = (struct ping_result){ .peer = s->peer, .seq = s->seq, .rtt_us = s->rtt_us,
				     .status = s->status };
	return true;
}

void ping_result_take(void)
{
	struct ping_slot *s = oldest_done();
	if (s)
		s->state = SLOT_FREE;
}

/*
 * lwIP's network interface on the LAN9118: frames from the controller's
 * RX FIFO into lwIP (ethernet_input), and lwIP's frames out through its TX
 * FIFO. A received frame goes from the FIFO straight into a pool pbuf; a
 * frame to send leaves from its pbuf when lwIP built it in one piece (a
 * UDP datagram of RTCR's is), otherwise through one copy into a buffer.
 */
#include "net.h"
#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/udp.h"
#include "lwip/prot/etharp.h"
#include "lwip/ip.h"
#include "netif/ethernet.h"
#include "string.h"

static struct lan9118 *nic;
static uint32_t no_buffer;        /* frames dropped: the pbuf pool was empty */
/* Word aligned: the controller's FIFOs move words. */
static union {
	uint32_t words[(LAN9118_FRAME_MAX + 3) / 4];
	uint8_t bytes[(LAN9118_FRAME_MAX + 3) / 4 * 4];
} frame;

/* The frame in one piece, word aligned, in memory of its own to the end of
 * its last word (lwIP allocates RAM and pool pbufs in words). */
static bool sendable_in_place(const struct pbuf *p)
{
	return p->next == NULL && ((uintptr_t)p->payload & 3) == 0 &&
	       (p->type_internal & PBUF_TYPE_FLAG_STRUCT_DATA_CONTIGUOUS);
}

static err_t link_output(struct netif *netif, struct pbuf *p)
{
	(void)netif;
	if (p->tot_len > LAN9118_FRAME_MAX) {
		LINK_STATS_INC(link.lenerr);
		return ERR_BUF;
	}
	const uint8_t *data = p->payload;
	u16_t len = p->tot_len;
	if (!sendable_in_place(p)) {
		len = pbuf_copy_partial(p, frame.bytes, p->tot_len, 0);
		data = frame.bytes;
	}
	if (lan9118_send(nic, data, len) != LAN9118_OK) {
		LINK_STATS_INC(link.drop);
		return ERR_IF;
	}
	LINK_STATS_INC(link.xmit);
	return ERR_OK;
}

static err_t ethif_init(struct netif *netif)
{
	netif->name[0] = 'e';
	netif->name[1] = 'n';
	netif->output = etharp_output;
	netif->linkoutput = link_output;
	netif->mtu = 1500;
	netif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(netif->hwaddr, nic->mac, ETH_HWADDR_LEN);
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	return ERR_OK;
}

void ethif_start(struct netif *netif, struct lan9118 *lan, const struct netcfg *cfg)
{
	ip4_addr_t addr, mask, gw;
	nic = lan;
	ip4_addr_set_u32(&addr, lwip_htonl(cfg->addr));
	ip4_addr_set_u32(&mask, lwip_htonl(cfg->netmask));
	ip4_addr_set_u32(&gw, lwip_htonl(cfg->gateway));
	netif_add(netif, &addr, &mask, &gw, NULL, ethif_init, netif_input);
	netif_set_default(netif);
	netif_set_link_up(netif);
	netif_set_up(netif);
}

/* lwIP 2.1.3 reads an ARP packet's 28 bytes without checking the frame
 * has them (ethernet.c, etharp.c): past a short frame's end it would read
 * what an earlier frame left in the buffer. Such frames stop here. */
static bool arp_too_short(const uint8_t *f, int len)
{
	return len < SIZEOF_ETH_HDR + SIZEOF_ETHARP_HDR && f[12] == 0x08 && f[13] == 0x06;
}

/* One frame from the FIFO into a pool pbuf of a whole frame (kept for the
 * next frame if this one was dropped). Returns the driver's answer. */
static int receive(struct netif *netif)
{
	static struct pbuf *spare;
	if (!spare && !(spare = pbuf_alloc(PBUF_RAW, PBUF_POOL_BUFSIZE, PBUF_POOL))) {
		/* No buffer: the frame still has to leave the FIFO. */
		int len = lan9118_recv(nic, frame.bytes, sizeof(frame.bytes));
		if (len > 0)
			no_buffer++;
		return len;
	}
	struct pbuf *p = spare;
	int len = lan9118_recv(nic, p->payload, p->len);
	if (len <= 0)
		return len;                   /* none, or dropped and counted by the driver */
	if (arp_too_short(p->payload, len)) {
		ETHARP_STATS_INC(etharp.lenerr);
		return len;
	}
	spare = NULL;
	pbuf_realloc(p, (u16_t)len);
	LINK_STATS_INC(link.recv);
	if (netif->input(p, netif) != ERR_OK)
		pbuf_free(p);
	return len;
}

bool ethif_poll(struct netif *netif, unsigned budget)
{
	for (; budget; budget--)
		if (receive(netif) == 0)
			return false;
	return lan9118_rx_pending(nic);
}

/* Called by lwIP for every IPv4 packet before it looks at it: returns 1
 * if the packet is taken (dropped here), 0 to let lwIP go on. Only a UDP
 * datagram whose length field disagrees with its IP packet is taken;
 * everything else wrong lwIP finds and drops itself. */
int net_ip4_input_hook(struct pbuf *p, struct netif *inp)
{
	(void)inp;
	if (p->len < IP_HLEN)
		return 0;
	const struct ip_hdr *ip = p->payload;
	u16_t hlen = IPH_HL_BYTES(ip), total = lwip_ntohs(IPH_LEN(ip));
	if (IPH_PROTO(ip) != IP_PROTO_UDP || (IPH_OFFSET(ip) & PP_HTONS(IP_OFFMASK | IP_MF)) ||
	    hlen < IP_HLEN || total < hlen + UDP_HLEN || total > p->tot_len)
		return 0;
	u8_t len[2];
	if (pbuf_copy_partial(p, len, 2, (u16_t)(hlen + 4)) != 2 || (len[0] << 8 | len[1]) == total - hlen)
		return 0;
	UDP_STATS_INC(udp.lenerr);
	UDP_STATS_INC(udp.drop);
	pbuf_free(p);
	return 1;
}

static uint32_t malformed(const struct stats_proto *s)
{
	return s->chkerr + s->lenerr + s->proterr;
}

uint32_t ethif_dropped(void)
{
	return nic->rx_dropped + no_buffer + malformed(&lwip_stats.link) +
	       malformed(&lwip_stats.etharp) + malformed(&lwip_stats.ip) +
	       malformed(&lwip_stats.icmp) + malformed(&lwip_stats.udp);
}

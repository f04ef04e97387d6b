/*
 * The link service (user/lib/link.h): a network driver's session. RTCR
 * owns the shared buffer; the driver sees it at the address it asked for.
 * RTCR never calls the driver: it fills the TX ring and raises the
 * driver's signal; the driver fills the RX ring and calls LINK_KICK.
 *
 * Session words: args[0] link type, args[1] va of the buffer, args[2]
 * signal label, args[3] thread number.
 */
#include "endpoint.h"
#include "sessions.h"
#include "loop.h"
#include "pages.h"
#include "stdio.h"
#include "string.h"

static struct endpoint endpoints[ENDPOINTS_MAX];

struct endpoint *endpoint_at(unsigned index)
{
	return index < ENDPOINTS_MAX && endpoints[index].used ? &endpoints[index] : NULL;
}

static struct endpoint *endpoint_of(const struct session *s)
{
	for (unsigned i = 0; i < ENDPOINTS_MAX; i++)
		if (endpoints[i].used && endpoints[i].s == s)
			return &endpoints[i];
	return NULL;
}

struct endpoint *endpoint_of_type(uint32_t type)
{
	for (unsigned i = 0; i < ENDPOINTS_MAX; i++)
		if (endpoints[i].used && endpoints[i].up && endpoints[i].type == type)
			return &endpoints[i];
	return NULL;
}

struct endpoint *endpoint_node(uint32_t type, uint32_t node)
{
	for (unsigned i = 0; i < ENDPOINTS_MAX; i++)
		if (endpoints[i].used && endpoints[i].up && endpoints[i].type == type &&
		    endpoints[i].addr == node)
			return &endpoints[i];
	return NULL;
}

void endpoint_addr_text(uint32_t type, uint32_t addr, char *buf, unsigned size)
{
	if (type == LINK_ETH)
		fmt_snprintf(buf, size, "%u.%u.%u.%u", (unsigned)(addr >> 24),
			     (unsigned)(addr >> 16 & 0xff), (unsigned)(addr >> 8 & 0xff),
			     (unsigned)(addr & 0xff));
	else
		fmt_snprintf(buf, size, "node %u", (unsigned)addr);
}

static const char *type_name(uint32_t type)
{
	return type == LINK_ETH ? "eth" : type == LINK_CAN ? "can" : "loop";
}

static int svc_link_open(struct session *s, uint32_t *info, unsigned *ninfo)
{
	uint32_t type = s->args[0], va = s->args[1];
	*ninfo = 0;
	if (type != LINK_ETH && type != LINK_CAN && type != LINK_LOOP)
		return E_INVALID_ARG;
	if (va % PAGE_SIZE || va < RM_AREA_START || va > RM_AREA_END - LINK_BUF_PAGES * PAGE_SIZE)
		return E_BAD_ADDRESS;
	struct endpoint *ep = NULL;
	for (unsigned i = 0; i < ENDPOINTS_MAX && !ep; i++)
		if (!endpoints[i].used)
			ep = &endpoints[i];
	if (!ep)
		return E_NO_MEMORY;
	uint8_t *buf = pages_alloc(LINK_BUF_PAGES);
	if (!buf)
		return E_NO_MEMORY;
	link_buf_init(buf);
	int err, region = child_region_add(s->child, va, LINK_BUF_PAGES, MAP_R | MAP_W, false, -1,
					   buf, &err);
	if (region < 0) {
		pages_free(buf, LINK_BUF_PAGES);
		return err == E_NO_MEMORY ? E_BAD_ADDRESS : err;
	}
	err = session_make_irq(s, IRQ_SOFTWARE, s->args[3], s->args[2], s->sig_sel);
	*ep = (struct endpoint){ .used = true, .s = s, .type = type, .buf = buf, .region = region };
	link_ring_tx(buf, &ep->tx);
	link_ring_rx(buf, &ep->rx);
	(void)info;
	return err;   /* on error session_free closes it, and the endpoint with it */
}

static struct endpoint_handler *handlers, **handlers_end = &handlers;

void endpoints_handle(struct endpoint_handler *h)
{
	h->next = NULL;
	*handlers_end = h;
	handlers_end = &h->next;
}

static void gone(struct endpoint *ep)
{
	for (struct endpoint_handler *h = handlers; h; h = h->next)
		if (h->gone)
			h->gone(ep);
}

static void flush_poll(uint64_t now)
{
	(void)now;
	endpoints_flush();
}

void endpoints_init(void)
{
	static struct poller p = { .run = flush_poll };
	loop_add(&p);
}

static void link_close(struct session *s)
{
	struct endpoint *ep = endpoint_of(s);
	if (!ep)
		return;
	if (ep->up)
		printf("rtcr: link %s down: its driver (task %u) closed it\n", type_name(ep->type),
		       (unsigned)s->child->id);
	gone(ep);
	child_region_remove(s->child, ep->region);
	pages_free(ep->buf, LINK_BUF_PAGES);
	memset(ep, 0, sizeof(*ep));
}

static void endpoint_up(struct endpoint *ep, const uint32_t *w)
{
	char addr[24];
	ep->addr = w[0];
	ep->mtu = w[1] < LINK_PAYLOAD_MAX ? w[1] : LINK_PAYLOAD_MAX;
	for (unsigned i = 0; i < 6; i++)
		ep->mac[i] = (uint8_t)(w[2 + i / 4] >> (8 * (3 - i % 4)));
	ep->up = true;
	endpoint_addr_text(ep->type, ep->addr, addr, sizeof(addr));
	printf("rtcr: link %s up: %s, datagrams up to %u bytes\n", type_name(ep->type), addr,
	       (unsigned)ep->mtu);
}

static void take_record(struct endpoint *ep, const struct link_rec *r)
{
	uint32_t a = 0, b = 0;
	switch (r->type) {
	case LINK_REC_DATAGRAM:
		ep->rx_msgs++;
		ep->rx_bytes += r->len;
		for (struct endpoint_handler *h = handlers; h; h = h->next)
			if (h->datagram)
				h->datagram(ep, r->peer, r->port, r->payload, r->len);
		break;
	case LINK_REC_PING_REPLY:
		if (r->len >= 8) {
			memcpy(&a, r->payload, 4);
			memcpy(&b, r->payload + 4, 4);
			for (struct endpoint_handler *h = handlers; h; h = h->next)
				if (h->echo_reply)
					h->echo_reply(ep, r->peer, r->port, a, b);
		}
		break;
	case LINK_REC_DROPPED:
		if (r->len >= 4) {
			memcpy(&a, r->payload, 4);
			ep->dropped += a;
		}
		break;
	default:
		break;   /* unknown records are skipped: a newer driver may send them */
	}
}

/* Everything the driver put in RX. A record is used in place: the driver
 * does not reuse its space before tail has moved past it. */
static void take_rx(struct endpoint *ep)
{
	struct link_rec r;
	bool broken = false;
	while (!ep->broken && link_ring_peek(&ep->rx, &r, &broken)) {
		take_record(ep, &r);
		link_ring_consume(&ep->rx, &r);
	}
	if (broken && !ep->broken) {
		ep->broken = true;
		printf("rtcr: link %s: its driver broke the receive ring; link unusable\n",
		       type_name(ep->type));
	}
}

static int link_handle(struct session *s, struct rpc_request *rq)
{
	struct endpoint *ep = endpoint_of(s);
	if (!ep)
		return E_INVALID_STATE;
	switch (rq->op) {
	case LINK_UP:
		if (rq->nwords != 4)
			return E_INVALID_ARG;
		if (ep->type != LINK_ETH && (rq->words[0] < 1 || rq->words[0] > 15))
			return E_INVALID_ARG;
		endpoint_up(ep, rq->words);
		return E_OK;
	case LINK_KICK:
		take_rx(ep);
		return E_OK;
	case LINK_DOWN:
		if (ep->up)
			printf("rtcr: link %s down (reason %u)\n", type_name(ep->type),
			       (unsigned)(rq->nwords ? rq->words[0] : 0));
		ep->up = false;
		gone(ep);
		return E_OK;
	default:
		return E_INVALID_OP;
	}
}

bool child_holds_link(const struct rtcr_child *c)
{
	for (unsigned i = 0; i < ENDPOINTS_MAX; i++)
		if (endpoints[i].used && endpoints[i].s->child == c)
			return true;
	return false;
}

const struct service service_link = {
	.name = "link",
	.kind = SESSION_LINK,
	.signals = true,
	.open = svc_link_open,
	.handle = link_handle,
	.close = link_close,
};

bool endpoint_send(struct endpoint *ep, uint16_t type, uint32_t peer, uint16_t port,
		   const void *data, uint32_t len)
{
	if (!ep->up || ep->broken || len > ep->mtu)
		return false;
	if (!link_ring_put(&ep->tx, type, peer, port, data, len)) {
		link_want_room(ep->buf);   /* the driver kicks once it has made room */
		return false;
	}
	ep->kick = true;
	if (type == LINK_REC_DATAGRAM) {
		ep->tx_msgs++;
		ep->tx_bytes += len;
	}
	return true;
}

uint32_t endpoint_room(const struct endpoint *ep)
{
	uint32_t room = ep->up && !ep->broken ? link_ring_room(&ep->tx) : 0;
	return room < ep->mtu ? room : ep->mtu;
}

void endpoints_flush(void)
{
	for (unsigned i = 0; i < ENDPOINTS_MAX; i++) {
		struct endpoint *ep = &endpoints[i];
		if (ep->used && ep->kick && ep->s->irq_sel != SEL_NULL) {
			k_irq_trigger(ep->s->irq_sel);
			ep->kick = false;
		}
	}
}

bool endpoint_can_stats(const struct endpoint *ep, struct link_can_stats *out)
{
	if (!ep->used || ep->type != LINK_CAN)
		return false;
	memcpy(out, ep->buf + LINK_STATS_OFFSET, sizeof(*out));   /* a copy: it may change */
	return out->magic == LINK_CAN_STATS_MAGIC;
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

void endpoints_list(void)
{
	bool any = false;
	for (unsigned i = 0; i < ENDPOINTS_MAX; i++) {
		struct endpoint *ep = &endpoints[i];
		if (!ep->used)
			continue;
		char addr[24];
		endpoint_addr_text(ep->type, ep->addr, addr, sizeof(addr));
		if (!any)
			printf("LINK ADDRESS          STATE  DRIVER   SENT (MSGS BYTES)    RECEIVED (MSGS BYTES)  DROPPED\n");
		any = true;
		printf("%-4s %-16s %-6s %4u %-5s %8u %12u %8u %12u %8u\n", type_name(ep->type),
		       ep->up ? addr : "-", ep->broken ? "broken" : ep->up ? "up" : "down",
		       (unsigned)ep->s->child->id, ep->s->child->name, (unsigned)ep->tx_msgs,
		       (unsigned)ep->tx_bytes, (unsigned)ep->rx_msgs, (unsigned)ep->rx_bytes,
		       (unsigned)ep->dropped);
	}
	if (!any)
		printf("no links (no network driver has opened one)\n");
	for (unsigned i = 0; i < ENDPOINTS_MAX; i++)
		can_counters(&endpoints[i]);
}

/*
 * The endpoints (endpoint.h): RTCR's ends of the links its network drivers
 * open. The link service (svc_link.c) makes and closes them; here is what
 * goes through them: the datagrams, the handlers that take what arrives,
 * and the events the console prints.
 */
#include "endpoint.h"
#include "svc.h"
#include "core.h"
#include "fmt.h"
#include "string.h"

static struct endpoint endpoints[ENDPOINTS_MAX];
static struct endpoint_handler *handlers, **handlers_end = &handlers;
static void (*listener)(const struct link_event *e);

struct endpoint *endpoint_at(unsigned index)
{
	return index < ENDPOINTS_MAX && endpoints[index].used ? &endpoints[index] : NULL;
}

struct endpoint *endpoint_unused(void)
{
	for (unsigned i = 0; i < ENDPOINTS_MAX; i++)
		if (!endpoints[i].used)
			return &endpoints[i];
	return NULL;
}

struct endpoint *endpoint_of(const struct session *s)
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

const char *endpoint_type_name(uint32_t type)
{
	return type == LINK_ETH ? "eth" : type == LINK_CAN ? "can" : "loop";
}

bool child_holds_link(const struct rtcr_child *c)
{
	for (unsigned i = 0; i < ENDPOINTS_MAX; i++)
		if (endpoints[i].used && endpoints[i].s->child == c)
			return true;
	return false;
}

/* ---- who hears of what happens --------------------------------------------------- */

void endpoints_handle(struct endpoint_handler *h)
{
	h->next = NULL;
	*handlers_end = h;
	handlers_end = &h->next;
}

void endpoints_listen(void (*fn)(const struct link_event *e))
{
	listener = fn;
}

static void tell(enum link_event_kind kind, const struct endpoint *ep, uint32_t reason)
{
	struct link_event e = { .kind = kind, .ep = ep, .reason = reason };
	if (listener)
		listener(&e);
}

static void gone(struct endpoint *ep)
{
	for (struct endpoint_handler *h = handlers; h; h = h->next)
		if (h->gone)
			h->gone(ep);
}

/* ---- what the driver tells RTCR ---------------------------------------------------- */

void endpoint_up(struct endpoint *ep, const uint32_t *w)
{
	ep->addr = w[0];
	ep->mtu = w[1] < LINK_PAYLOAD_MAX ? w[1] : LINK_PAYLOAD_MAX;
	for (unsigned i = 0; i < 6; i++)
		ep->mac[i] = (uint8_t)(w[2 + i / 4] >> (8 * (3 - i % 4)));
	ep->up = true;
	tell(LINK_EVENT_UP, ep, 0);
}

void endpoint_down(struct endpoint *ep, uint32_t reason)
{
	if (ep->up)
		tell(LINK_EVENT_DOWN, ep, reason);
	ep->up = false;
	gone(ep);
}

void endpoint_close(struct endpoint *ep)
{
	if (ep->up)
		tell(LINK_EVENT_CLOSED, ep, 0);
	gone(ep);
	memset(ep, 0, sizeof(*ep));
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

/* A record is used in place: the driver does not reuse its space before
 * tail has moved past it. */
void endpoint_take_rx(struct endpoint *ep)
{
	struct link_rec r;
	bool broken = false;
	while (!ep->broken && link_ring_peek(&ep->rx, &r, &broken)) {
		take_record(ep, &r);
		link_ring_consume(&ep->rx, &r);
	}
	if (broken && !ep->broken) {
		ep->broken = true;
		tell(LINK_EVENT_BROKEN, ep, 0);
	}
}

/* ---- what RTCR sends --------------------------------------------------------------- */

rtcr_err endpoint_send(struct endpoint *ep, uint16_t type, uint32_t peer, uint16_t port,
		       const void *data, uint32_t len)
{
	if (!ep->up || ep->broken)
		return E_INVALID_STATE;
	if (len > ep->mtu)
		return E_INVALID_ARG;
	if (!link_ring_put(&ep->tx, type, peer, port, data, len)) {
		link_want_room(ep->buf);   /* the driver kicks once it has made room */
		return E_NO_BUFFER;
	}
	ep->kick = true;
	if (type == LINK_REC_DATAGRAM) {
		ep->tx_msgs++;
		ep->tx_bytes += len;
	}
	return E_OK;
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

bool endpoint_can_stats(const struct endpoint *ep, struct link_can_stats *out)
{
	if (!ep->used || ep->type != LINK_CAN)
		return false;
	memcpy(out, ep->buf + LINK_STATS_OFFSET, sizeof(*out));   /* a copy: it may change */
	return out->magic == LINK_CAN_STATS_MAGIC;
}

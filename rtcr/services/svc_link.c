/*
 * The link service (user/lib/link.h): a network driver's session, RTCR's
 * end of which is an endpoint (endpoint.c). RTCR owns the shared buffer;
 * the driver sees it at the address it asked for. RTCR never calls the
 * driver: it fills the TX ring and raises the driver's signal; the driver
 * fills the RX ring and calls LINK_KICK.
 *
 * Session words: args[0] link type, args[1] va of the buffer, args[2]
 * signal label, args[3] thread number.
 */
#include "endpoint.h"
#include "svc.h"
#include "pages.h"

static rtcr_err svc_link_open(struct session *s, uint32_t *info, unsigned *ninfo)
{
	uint32_t type = s->args[0], va = s->args[1];
	*ninfo = 0;
	if (type != LINK_ETH && type != LINK_CAN && type != LINK_LOOP)
		return E_INVALID_ARG;
	if (va % PAGE_SIZE || va < RM_AREA_START || va > RM_AREA_END - LINK_BUF_PAGES * PAGE_SIZE)
		return E_BAD_ADDRESS;
	struct endpoint *ep = endpoint_unused();
	if (!ep)
		return E_NO_MEMORY;
	uint8_t *buf = pages_alloc(LINK_BUF_PAGES);
	if (!buf)
		return E_NO_MEMORY;
	link_buf_init(buf);
	int region;
	rtcr_err err = child_region_add(s->child, va, LINK_BUF_PAGES, MAP_R | MAP_W, false, -1,
					buf, &region);
	if (err) {
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

static void link_close(struct session *s)
{
	struct endpoint *ep = endpoint_of(s);
	if (!ep)
		return;
	int region = ep->region;
	uint8_t *buf = ep->buf;
	endpoint_close(ep);
	child_region_remove(s->child, region);
	pages_free(buf, LINK_BUF_PAGES);
}

static rtcr_err link_handle(struct session *s, struct rpc_request *rq)
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
		endpoint_take_rx(ep);
		return E_OK;
	case LINK_DOWN:
		endpoint_down(ep, rq->nwords ? rq->words[0] : 0);
		return E_OK;
	default:
		return E_INVALID_OP;
	}
}

const struct service service_link = {
	.name = "link",
	.kind = SESSION_LINK,
	.signals = true,
	.open = svc_link_open,
	.handle = link_handle,
	.close = link_close,
};

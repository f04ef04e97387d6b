/*
 * ISO 15765-2 segmentation and reassembly (isotp.h). Every length and
 * index taken from a frame is checked before it is used: a frame can say
 * anything, and the worst it may do is end the message it belongs to.
 */
#include "isotp.h"
#include "string.h"

enum { RX_IDLE, RX_WAIT_BUF, RX_DATA };
enum { BUF_FREE, BUF_FILLING, BUF_DONE };
enum { TX_IDLE, TX_FIRST, TX_WAIT_FC, TX_SEND_CF };

enum { PCI_SF = 0, PCI_FF = 1, PCI_CF = 2, PCI_FC = 3 };
enum { FS_CTS = 0, FS_WAIT = 1, FS_OVFLW = 2 };

static const char *const event_names[ISOTP_EVENTS] = {
	[ISOTP_TX_DONE] = "sent",
	[ISOTP_TX_TIMEOUT] = "no flow control in time",
	[ISOTP_TX_OVERFLOW] = "receiver overflow",
	[ISOTP_TX_BAD_FC] = "bad flow control",
	[ISOTP_TX_WAIT_LIMIT] = "too many waits",
	[ISOTP_TX_STRAY_FC] = "stray flow control",
	[ISOTP_TX_NOT_SENT] = "frame not acknowledged on the bus",
	[ISOTP_RX_DONE] = "received",
	[ISOTP_RX_TIMEOUT] = "sender stopped",
	[ISOTP_RX_WRONG_SN] = "wrong sequence number",
	[ISOTP_RX_SHORT_CF] = "short consecutive frame",
	[ISOTP_RX_INTERRUPTED] = "interrupted by a new message",
	[ISOTP_RX_STRAY_CF] = "stray consecutive frame",
	[ISOTP_RX_TOO_LONG] = "too long",
	[ISOTP_RX_NO_BUFFER] = "no buffer",
	[ISOTP_RX_BAD_SF] = "bad single frame",
	[ISOTP_RX_BAD_FF] = "bad first frame",
	[ISOTP_RX_BAD_PCI] = "bad frame type",
	[ISOTP_RX_NOT_OURS] = "not ours",
};

const char *isotp_event_name(unsigned event)
{
	return event < ISOTP_EVENTS ? event_names[event] : "?";
}

void isotp_config_default(struct isotp_config *cfg, unsigned node)
{
	cfg->node = node;
	cfg->bs = 16;
	cfg->stmin = 0;
	cfg->rx_max = ISOTP_MSG_MAX;
	cfg->n_bs_us = 1000000;
	cfg->n_cr_us = 1000000;
	cfg->wait_us = 250000;
	cfg->wft_max = 8;
}

void isotp_init(struct isotp_ep *ep, const struct isotp_config *cfg)
{
	memset(ep, 0, sizeof(*ep));
	ep->cfg = *cfg;
	if (ep->cfg.rx_max > ISOTP_MSG_MAX)
		ep->cfg.rx_max = ISOTP_MSG_MAX;
	for (unsigned i = 0; i < ISOTP_NODES; i++)
		ep->peer[i].buf = -1;
}

uint32_t isotp_stmin_us(uint8_t v)
{
	if (v <= 0x7f)
		return v * 1000u;
	if (v >= 0xf1 && v <= 0xf9)
		return (v - 0xf0u) * 100u;
	return 127000u;
}

/* ---- sending ------------------------------------------------------------------ */

int isotp_send(struct isotp_ep *ep, unsigned dst, const void *data, uint32_t len)
{
	if (ep->tx.state != TX_IDLE)
		return ISOTP_BUSY;
	if (dst == 0 || dst >= ISOTP_NODES || dst == ep->cfg.node || len == 0 || len > ISOTP_MSG_MAX)
		return ISOTP_BAD_ARG;
	struct isotp_tx *tx = &ep->tx;
	memcpy(tx->data, data, len);
	tx->dst = (uint8_t)dst;
	tx->len = len;
	tx->off = 0;
	tx->state = TX_FIRST;
	return ISOTP_OK;
}

bool isotp_tx_busy(const struct isotp_ep *ep)
{
	return ep->tx.state != TX_IDLE;
}

bool isotp_tx_paced(const struct isotp_ep *ep)
{
	return ep->tx.state == TX_SEND_CF && ep->tx.stmin_us;
}

bool isotp_tx_finished(struct isotp_ep *ep, unsigned *result)
{
	if (!ep->tx.finished)
		return false;
	ep->tx.finished = false;
	*result = ep->tx.result;
	return true;
}

static void tx_end(struct isotp_ep *ep, unsigned event)
{
	ep->tx.state = TX_IDLE;
	ep->tx.finished = true;
	ep->tx.result = (uint8_t)event;
	ep->count[event]++;
}

void isotp_tx_abort(struct isotp_ep *ep)
{
	struct isotp_tx *tx = &ep->tx;
	if (tx->state != TX_IDLE) {
		tx_end(ep, ISOTP_TX_NOT_SENT);
	} else if (tx->finished && tx->result == ISOTP_TX_DONE) {
		/* The frame that was lost was the message's last. */
		ep->count[ISOTP_TX_DONE]--;
		ep->count[ISOTP_TX_NOT_SENT]++;
		tx->result = ISOTP_TX_NOT_SENT;
	}
}

/* Up to 7 bytes of the message into a consecutive frame. */
static void make_cf(struct isotp_tx *tx, struct isotp_frame *f)
{
	uint32_t n = tx->len - tx->off < 7 ? tx->len - tx->off : 7;
	f->data[0] = (uint8_t)(PCI_CF << 4 | tx->sn);
	memcpy(&f->data[1], &tx->data[tx->off], n);
	f->len = (uint8_t)(1 + n);
	tx->off += n;
	tx->sn = (tx->sn + 1) & 0xf;
}

/* The single frame, or the first frame of a segmented message. */
static void make_first(struct isotp_tx *tx, struct isotp_frame *f)
{
	if (tx->len <= ISOTP_SF_MAX) {
		f->data[0] = (uint8_t)(PCI_SF << 4 | tx->len);
		memcpy(&f->data[1], tx->data, tx->len);
		f->len = (uint8_t)(1 + tx->len);
		tx->off = tx->len;
		return;
	}
	unsigned hdr;
	if (tx->len <= ISOTP_FF_DL_MAX) {
		f->data[0] = (uint8_t)(PCI_FF << 4 | tx->len >> 8);
		f->data[1] = (uint8_t)tx->len;
		hdr = 2;
	} else {
		/* The escape: FF_DL 0, then the length in 32 bits, big endian. */
		f->data[0] = PCI_FF << 4;
		f->data[1] = 0;
		f->data[2] = (uint8_t)(tx->len >> 24);
		f->data[3] = (uint8_t)(tx->len >> 16);
		f->data[4] = (uint8_t)(tx->len >> 8);
		f->data[5] = (uint8_t)tx->len;
		hdr = 6;
	}
	memcpy(&f->data[hdr], tx->data, 8 - hdr);
	f->len = 8;
	tx->off = 8 - hdr;
	tx->sn = 1;
}

/* A frame of the message being sent, if one is due now. */
static bool tx_data_frame(struct isotp_ep *ep, uint64_t now, struct isotp_frame *f)
{
	struct isotp_tx *tx = &ep->tx;
	if (tx->state == TX_FIRST) {
		f->id = isotp_id(ep->cfg.node, tx->dst);
		make_first(tx, f);
		if (tx->off == tx->len) {
			tx_end(ep, ISOTP_TX_DONE);
		} else {
			tx->state = TX_WAIT_FC;
			tx->next = now + ep->cfg.n_bs_us;
			tx->waits = 0;
		}
		return true;
	}
	if (tx->state != TX_SEND_CF || now < tx->next)
		return false;
	f->id = isotp_id(ep->cfg.node, tx->dst);
	make_cf(tx, f);
	tx->block++;
	if (tx->off == tx->len) {
		tx_end(ep, ISOTP_TX_DONE);
	} else if (tx->bs && tx->block == tx->bs) {
		tx->state = TX_WAIT_FC;      /* the receiver sets the pace of the next block */
		tx->next = now + ep->cfg.n_bs_us;
	} else {
		tx->next = now + tx->stmin_us;
	}
	return true;
}

/* A flow control frame from node src, about what we send. */
static void rx_flow_control(struct isotp_ep *ep, unsigned src, const struct isotp_frame *f,
			    uint64_t now)
{
	struct isotp_tx *tx = &ep->tx;
	if (tx->state != TX_WAIT_FC || src != tx->dst) {
		ep->count[ISOTP_TX_STRAY_FC]++;
		return;
	}
	if (f->len < 3) {
		tx_end(ep, ISOTP_TX_BAD_FC);
		return;
	}
	switch (f->data[0] & 0xf) {
	case FS_CTS:
		tx->bs = f->data[1];
		tx->stmin_us = isotp_stmin_us(f->data[2]);
		tx->block = 0;
		tx->waits = 0;
		tx->state = TX_SEND_CF;
		tx->next = now;      /* STmin lies between consecutive frames, not after the FC */
		break;
	case FS_WAIT:
		if (++tx->waits > ep->cfg.wft_max)
			tx_end(ep, ISOTP_TX_WAIT_LIMIT);
		else
			tx->next = now + ep->cfg.n_bs_us;
		break;
	case FS_OVFLW:
		tx_end(ep, ISOTP_TX_OVERFLOW);
		break;
	default:
		tx_end(ep, ISOTP_TX_BAD_FC);
		break;
	}
}

/* ---- receiving ---------------------------------------------------------------- */

static int buf_alloc(struct isotp_ep *ep, unsigned src, uint32_t len)
{
	for (unsigned i = 0; i < ISOTP_RX_BUFS; i++)
		if (ep->rxbuf[i].state == BUF_FREE) {
			ep->rxbuf[i].state = BUF_FILLING;
			ep->rxbuf[i].src = (uint8_t)src;
			ep->rxbuf[i].len = len;
			return (int)i;
		}
	return -1;
}

static void buf_done(struct isotp_ep *ep, int b)
{
	ep->rxbuf[b].state = BUF_DONE;
	ep->rxbuf[b].seq = ep->done_seq++;
	ep->count[ISOTP_RX_DONE]++;
}

/* Drop what a sender had under way (its buffer becomes free). */
static void peer_reset(struct isotp_ep *ep, struct isotp_peer *p)
{
	if (p->buf >= 0)
		ep->rxbuf[p->buf].state = BUF_FREE;
	p->buf = -1;
	p->state = RX_IDLE;
}

static void peer_abort(struct isotp_ep *ep, struct isotp_peer *p, unsigned event)
{
	peer_reset(ep, p);
	ep->count[event]++;
}

/* Start taking consecutive frames into buffer b: the first frame's bytes
 * go in first, and the sender may go on. */
static void peer_start(struct isotp_ep *ep, struct isotp_peer *p, int b, uint64_t now)
{
	p->buf = (int8_t)b;
	memcpy(ep->rxbuf[b].data, p->ff_data, p->ff_n);
	p->got = p->ff_n;
	p->sn = 1;
	p->block = 0;
	p->state = RX_DATA;
	p->fc = 1 + FS_CTS;
	p->deadline = now + ep->cfg.n_cr_us;
}

static void rx_single(struct isotp_ep *ep, unsigned src, const struct isotp_frame *f)
{
	struct isotp_peer *p = &ep->peer[src];
	unsigned n = f->data[0] & 0xf;
	if (n == 0 || n > ISOTP_SF_MAX || n + 1u > f->len) {
		ep->count[ISOTP_RX_BAD_SF]++;
		return;
	}
	if (p->state != RX_IDLE)
		peer_abort(ep, p, ISOTP_RX_INTERRUPTED);
	if (n > ep->cfg.rx_max) {
		ep->count[ISOTP_RX_TOO_LONG]++;
		return;
	}
	int b = buf_alloc(ep, src, n);
	if (b < 0) {
		ep->count[ISOTP_RX_NO_BUFFER]++;   /* a single frame cannot be asked to wait */
		return;
	}
	memcpy(ep->rxbuf[b].data, &f->data[1], n);
	buf_done(ep, b);
}

static void rx_first(struct isotp_ep *ep, unsigned src, const struct isotp_frame *f, uint64_t now)
{
	struct isotp_peer *p = &ep->peer[src];
	uint32_t len = (uint32_t)(f->data[0] & 0xf) << 8 | f->data[1];
	unsigned hdr = 2;
	if (f->len != 8) {
		ep->count[ISOTP_RX_BAD_FF]++;
		return;
	}
	if (len == 0) {
		len = (uint32_t)f->data[2] << 24 | (uint32_t)f->data[3] << 16 |
		      (uint32_t)f->data[4] << 8 | f->data[5];
		hdr = 6;
		if (len <= ISOTP_FF_DL_MAX) {      /* the escape is only for long messages */
			ep->count[ISOTP_RX_BAD_FF]++;
			return;
		}
	} else if (len <= ISOTP_SF_MAX) {          /* would have fitted a single frame */
		ep->count[ISOTP_RX_BAD_FF]++;
		return;
	}
	if (p->state != RX_IDLE)
		peer_abort(ep, p, ISOTP_RX_INTERRUPTED);
	if (len > ep->cfg.rx_max) {
		ep->count[ISOTP_RX_TOO_LONG]++;
		p->fc = 1 + FS_OVFLW;
		return;
	}
	p->len = len;
	p->ff_n = (uint8_t)(8 - hdr);
	memcpy(p->ff_data, &f->data[hdr], p->ff_n);
	int b = buf_alloc(ep, src, len);
	if (b >= 0) {
		peer_start(ep, p, b, now);
		return;
	}
	/* Every buffer is busy: ask the sender to wait until one is taken. */
	p->state = RX_WAIT_BUF;
	p->waits = 1;
	p->fc = 1 + FS_WAIT;
	p->deadline = now + ep->cfg.wait_us;
}

static void rx_consecutive(struct isotp_ep *ep, unsigned src, const struct isotp_frame *f,
			   uint64_t now)
{
	struct isotp_peer *p = &ep->peer[src];
	if (p->state != RX_DATA) {
		ep->count[ISOTP_RX_STRAY_CF]++;
		return;
	}
	if ((f->data[0] & 0xf) != p->sn) {
		peer_abort(ep, p, ISOTP_RX_WRONG_SN);
		return;
	}
	uint32_t need = p->len - p->got < 7 ? p->len - p->got : 7;
	if (f->len < 1 + need) {
		peer_abort(ep, p, ISOTP_RX_SHORT_CF);
		return;
	}
	memcpy(&ep->rxbuf[p->buf].data[p->got], &f->data[1], need);
	p->got += need;
	p->sn = (p->sn + 1) & 0xf;
	if (p->got == p->len) {
		buf_done(ep, p->buf);
		p->buf = -1;
		p->state = RX_IDLE;
		return;
	}
	p->deadline = now + ep->cfg.n_cr_us;
	if (ep->cfg.bs && ++p->block == ep->cfg.bs) {
		p->block = 0;
		p->fc = 1 + FS_CTS;
	}
}

void isotp_rx_frame(struct isotp_ep *ep, const struct isotp_frame *f, uint64_t now)
{
	unsigned src = f->id >> 4 & 0xf, dst = f->id & 0xf;
	if ((f->id & ~0xffu) != ISOTP_ID_BASE || dst != ep->cfg.node || src == 0 ||
	    src == ep->cfg.node) {
		ep->count[ISOTP_RX_NOT_OURS]++;
		return;
	}
	ep->frames_rx++;
	if (f->len == 0 || f->len > 8) {
		ep->count[ISOTP_RX_BAD_PCI]++;
		return;
	}
	switch (f->data[0] >> 4) {
	case PCI_SF:
		rx_single(ep, src, f);
		break;
	case PCI_FF:
		rx_first(ep, src, f, now);
		break;
	case PCI_CF:
		rx_consecutive(ep, src, f, now);
		break;
	case PCI_FC:
		rx_flow_control(ep, src, f, now);
		break;
	default:
		ep->count[ISOTP_RX_BAD_PCI]++;
		break;
	}
}

/* ---- the frames to send, time ---------------------------------------------- */

/* A pending flow control, for the lowest sender that has one. */
static bool fc_frame(struct isotp_ep *ep, struct isotp_frame *f)
{
	for (unsigned src = 1; src < ISOTP_NODES; src++) {
		struct isotp_peer *p = &ep->peer[src];
		if (!p->fc)
			continue;
		unsigned fs = p->fc - 1u;
		p->fc = 0;
		f->id = isotp_id(ep->cfg.node, src);
		f->data[0] = (uint8_t)(PCI_FC << 4 | fs);
		f->data[1] = fs == FS_CTS ? ep->cfg.bs : 0;
		f->data[2] = fs == FS_CTS ? ep->cfg.stmin : 0;
		f->len = 3;
		return true;
	}
	return false;
}

bool isotp_tx_frame(struct isotp_ep *ep, uint64_t now, struct isotp_frame *f)
{
	memset(f, 0, sizeof(*f));
	if (fc_frame(ep, f) || tx_data_frame(ep, now, f)) {
		ep->frames_tx++;
		return true;
	}
	return false;
}

static void peer_poll(struct isotp_ep *ep, struct isotp_peer *p, uint64_t now)
{
	if (p->state == RX_DATA && now >= p->deadline) {
		peer_abort(ep, p, ISOTP_RX_TIMEOUT);
	} else if (p->state == RX_WAIT_BUF) {
		int b = buf_alloc(ep, (unsigned)(p - ep->peer), p->len);
		if (b >= 0) {
			peer_start(ep, p, b, now);
		} else if (now >= p->deadline) {
			if (p->waits >= ep->cfg.wft_max) {
				peer_abort(ep, p, ISOTP_RX_NO_BUFFER);
				p->fc = 1 + FS_OVFLW;
			} else {
				p->waits++;
				p->fc = 1 + FS_WAIT;
				p->deadline = now + ep->cfg.wait_us;
			}
		}
	}
}

void isotp_poll(struct isotp_ep *ep, uint64_t now)
{
	if (ep->tx.state == TX_WAIT_FC && now >= ep->tx.next)
		tx_end(ep, ISOTP_TX_TIMEOUT);
	for (unsigned src = 1; src < ISOTP_NODES; src++)
		peer_poll(ep, &ep->peer[src], now);
}

static uint64_t earlier(uint64_t a, uint64_t b)
{
	return !a || (b && b < a) ? b : a;
}

uint64_t isotp_deadline(const struct isotp_ep *ep)
{
	uint64_t t = 0;
	if (ep->tx.state == TX_WAIT_FC || ep->tx.state == TX_SEND_CF)
		t = ep->tx.next;
	for (unsigned src = 1; src < ISOTP_NODES; src++)
		if (ep->peer[src].state != RX_IDLE)
			t = earlier(t, ep->peer[src].deadline);
	return t;
}

/* ---- received messages ------------------------------------------------------ */

bool isotp_rx_next(const struct isotp_ep *ep, struct isotp_msg *m)
{
	int best = -1;
	for (unsigned i = 0; i < ISOTP_RX_BUFS; i++) {
		const struct isotp_rxbuf *b = &ep->rxbuf[i];
		/* Sequence numbers wrap: compare distances from done_seq. */
		if (b->state == BUF_DONE &&
		    (best < 0 || ep->done_seq - b->seq > ep->done_seq - ep->rxbuf[best].seq))
			best = (int)i;
	}
	if (best < 0)
		return false;
	m->src = ep->rxbuf[best].src;
	m->len = ep->rxbuf[best].len;
	m->data = ep->rxbuf[best].data;
	m->buf = (unsigned)best;
	return true;
}

void isotp_rx_release(struct isotp_ep *ep, const struct isotp_msg *m)
{
	if (m->buf < ISOTP_RX_BUFS && ep->rxbuf[m->buf].state == BUF_DONE)
		ep->rxbuf[m->buf].state = BUF_FREE;
}

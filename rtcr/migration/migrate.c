/*
 * Sending a child to another board (docs/migration.md). One migration at a
 * time, driven by the main loop: each turn migrate_run() sends what the
 * window and the link allow, retransmits after a silence, and starts the
 * next round once the peer has stored the last image.
 */
#include "migrate.h"
#include "core.h"
#include "checkpoint.h"
#include "store.h"
#include "format.h"
#include "string.h"
#include "fmt.h"

#define ETH_CHUNK    1024u
#define CAN_CHUNK    8192u     /* over 4095: ISO-TP's 32-bit length escape */
#define ETH_WINDOW   8u        /* QEMU's LAN9118 keeps about 9 frames of 1 KiB */
#define CAN_WINDOW   2u
#define ETH_RTO_US   20000u    /* the least retransmission timeout */
#define CAN_RTO_US   100000u
#define RTO_MAX_US   500000u
#define SLOTS        64u       /* send times of the chunks in flight (> window) */
#define GIVE_UP_US   5000000u  /* silence that ends a migration */
/* The final round holds what the task wrote while the last increment was
 * on its way, so the smaller that one, the shorter the pause: increments
 * go on while they shrink, until one is this small, or the chain of images
 * is as long as it may be (IMAGE_CHAIN_MAX: the full image, the
 * increments and the final one). */
#define FINAL_PAGES  8u
#define PRECOPY_MAX  (IMAGE_CHAIN_MAX - 2u)

enum phase {
	IDLE,
	CHECKPOINT,     /* waiting for this round's image to be complete */
	OFFER,          /* offered, waiting for the first ACK */
	DATA,           /* sending chunks; DONE ends the round */
	GO,             /* the task is deleted here; waiting for RESUMED */
};

static struct {
	enum phase phase;
	uint32_t id;                  /* the migration's number */
	struct rtcr_child *c;
	uint32_t task_id;
	char name[CHILD_NAME_MAX];
	struct endpoint *ep;
	const struct peer *peer;
	uint32_t dest;                /* the peer's address on the link */
	uint32_t chunk, window;
	uint32_t rto_min, rto;        /* retransmission timeout: from the round trip */
	uint32_t srtt;                /* smoothed round trip, microseconds (0: none yet) */
	bool report;                  /* the console waits */

	unsigned round;
	bool final;
	uint32_t stopped;             /* threads the final pause stopped */
	uint64_t paused_at;           /* the final pause */
	uint32_t prev_pages;

	/* The image of this round. */
	uint32_t image_id;
	const uint8_t *buf;
	uint32_t len, nchunks, pages, zero;
	bool full;                    /* a full image (a round after a change of the
	                                 task's memory map is one too) */
	bool blocks;                  /* chunk CRCs from block_crc[] */
	uint8_t acked[MIG_CHUNKS_MAX / 8];
	uint8_t offer[MIG_OFFER_LEN]; /* this round's OFFER payload, to repeat it */
	uint32_t run;                 /* chunks [0, run) acknowledged */
	uint32_t sent;                /* chunks [0, sent) sent at least once */
	uint32_t resend;              /* retransmission: next chunk to look at */
	bool resending;
	uint64_t sent_at[SLOTS];      /* chunk i: when it was last sent (slot i % SLOTS) */
	uint8_t tries[SLOTS];         /* how often */

	uint64_t heard;               /* last time the peer said something new */
	uint64_t due;                 /* retransmission timer */
	uint32_t round_msgs, round_resent;
	uint64_t bytes;               /* everything sent, all rounds */
	uint32_t msgs, resent;
	uint64_t busy_start, busy_pause, busy_go;   /* mig_busy() at those points */
} out;

static uint32_t next_migration = 1;
static void (*listener)(const struct mig_send_event *e);
/* The CRC of each CKPT_CRC_BLOCK bytes of this round's image, left by the
 * checkpoint writer: a chunk's CRC is its blocks' joined, so the image is
 * read once for its checksums, when it is written. */
static uint32_t block_crc[MIG_CHUNKS_MAX];
static uint8_t msgbuf[MIG_HDR + LINK_PAYLOAD_MAX];

rtcr_err mig_send(struct endpoint *ep, uint32_t peer, uint16_t port, const struct mig_msg *m,
		  const void *payload, const uint32_t *payload_crc)
{
	size_t n = payload_crc ? mig_encode_crc(msgbuf, sizeof(msgbuf), m, payload, *payload_crc) :
				 mig_encode(msgbuf, sizeof(msgbuf), m, payload);
	if (!n)
		return E_INVALID_ARG;
	return endpoint_send(ep, LINK_REC_DATAGRAM, peer, port, msgbuf, (uint32_t)n);
}

uint64_t mig_busy(void)
{
	uint32_t r[8] = { 0 };   /* kernels that do not count leave MR4-7 out */
	if (k_invoke(SEL_SCHED, SCHED_BENCH, NULL, 0, r, 8, 0) != E_OK)
		return 0;
	return ((uint64_t)r[5] << 32 | r[4]) - ((uint64_t)r[7] << 32 | r[6]);
}

void mig_sender_text(const struct endpoint *ep, uint32_t peer, char *buf, unsigned size)
{
	const struct peer *p = ep->type == LINK_ETH ? peer_by_ip(peer) : peer_by_node(peer);
	char addr[24];
	endpoint_addr_text(ep->type, peer, addr, sizeof(addr));
	if (p)
		fmt_snprintf(buf, size, "%s (%s)", p->name, addr);
	else
		fmt_snprintf(buf, size, "%s", addr);
}

void migrate_listen(void (*fn)(const struct mig_send_event *e))
{
	listener = fn;
}

/* An event of this migration, what, with the fields every event has. */
static struct mig_send_event event(enum mig_send_what what)
{
	return (struct mig_send_event){ .what = what, .mig = out.id, .task_id = out.task_id,
					.task_name = out.name, .peer_name = out.peer->name };
}

static void tell(const struct mig_send_event *e)
{
	if (listener)
		listener(e);
}

static uint16_t port(void)
{
	return out.ep->type == LINK_ETH ? LINK_UDP_PORT : 0;
}

static bool send_msg_crc(uint8_t type, uint32_t seq, const void *payload, uint32_t len,
			 const uint32_t *payload_crc)
{
	if (!out.ep)
		return false;
	struct mig_msg m = { .type = type, .mig = out.id, .round = (uint16_t)out.round,
			     .flags = type == MIG_OFFER && out.final ? MIG_FLAG_FINAL : 0,
			     .seq = seq, .len = len };
	if (mig_send(out.ep, out.dest, port(), &m, payload, payload_crc) != E_OK)
		return false;
	out.bytes += MIG_HDR + len;
	out.msgs++;
	out.round_msgs++;
	return true;
}

static bool send_msg(uint8_t type, uint32_t seq, const void *payload, uint32_t len)
{
	return send_msg_crc(type, seq, payload, len, NULL);
}

/* ---- ending ---------------------------------------------------------------------- */

static void finish(void)
{
	out.phase = IDLE;
	out.report = false;
	out.c = NULL;
}

static void failed(rtcr_err err, const struct rtcr_detail *d, enum mig_fate fate)
{
	struct mig_send_event e = event(MIG_SEND_FAILED);
	e.err = err;
	e.detail = d;
	e.fate = fate;
	tell(&e);
	finish();
}

/* Something went wrong (err, d says what): before the peer had the task,
 * it goes on here. */
static void fail(rtcr_err err, const struct rtcr_detail *d)
{
	if (out.phase == GO) {
		failed(err, d, MIG_WAITS_THERE);
		return;
	}
	if (out.phase != CHECKPOINT || out.round > 0)
		send_msg(MIG_ABORT, 0, NULL, 0);   /* once: the peer forgets it in time anyway */
	if (out.c && out.stopped)
		for (unsigned n = 0; n < CPU_THREADS_MAX; n++)
			if (out.stopped >> n & 1)
				k_thread_resume(out.c->threads[n].sel);
	failed(err, d, !out.c ? MIG_GONE_HERE : out.stopped ? MIG_RESUMED_HERE : MIG_KEEPS_RUNNING);
}

void migrate_link_gone(struct endpoint *ep)
{
	receiver_link_gone(ep);
	if (out.phase != IDLE && out.ep == ep) {
		out.ep = NULL;   /* nothing more can be sent: no ABORT either */
		struct rtcr_detail d = { "" };
		fail(rtcr_fail(&d, R_LINK_DOWN, "the link went down"), &d);
	}
}

void migrate_forget_child(struct rtcr_child *c)
{
	receiver_forget_child(c);
	if (out.phase != IDLE && out.c == c) {
		out.c = NULL;
		out.stopped = 0;
		struct rtcr_detail d = { "" };
		fail(rtcr_fail(&d, R_CANCELLED, "the task was killed"), &d);
	}
}

/* ---- rounds ----------------------------------------------------------------------- */

static uint32_t zero_pages(const struct image *im)
{
	struct ckpt_section s;
	uint32_t n = 0;
	for (bool ok = ckpt_section_first(im->buf, im->len, &s); ok; ok = ckpt_section_next(&s)) {
		if (s.type != CKPT_SEC_PAGES)
			continue;
		struct ckpt_page p;
		size_t pos = 0;
		while (ckpt_next_page(&s, &pos, &p))
			n += p.data == NULL;
	}
	return n;
}

/* Take this round's checkpoint: while the child runs, or (final) with the
 * child left stopped. */
static void start_round(void)
{
	struct ckpt_opts o = { .full = out.round == 0, .keep_stopped = out.final,
			       .block_crc = block_crc, .block_max = MIG_CHUNKS_MAX };
	struct rtcr_detail why = { "" };
	out.image_id = 0;
	if (out.final) {
		out.paused_at = k_time_us();
		out.busy_pause = mig_busy();
	}
	rtcr_err st = ckpt_take_opts(out.c, &o, &out.image_id, &why);
	if (st != E_OK) {
		struct rtcr_detail d = { "" };
		fail(rtcr_fail(&d, st, "round %u: checkpoint failed: %s", out.round + 1,
			       rtcr_error_text(st, &why)), &d);
		return;
	}
	out.stopped = o.stopped;
	out.phase = CHECKPOINT;
}

static void offer(void)
{
	struct image *im = image_find(out.image_id);
	struct mig_offer o = { .image_len = im->len, .chunk = out.chunk, .image_id = im->id,
			       .base_id = im->full ? 0 : im->base_id, .task_id = out.task_id,
			       .pages = im->npages };
	out.buf = im->buf;
	out.len = im->len;
	out.blocks = im->crc_blocks && out.chunk % CKPT_CRC_BLOCK == 0;
	/* The image's own CRC: its writer's, checked against the bytes when
	 * they were written. */
	o.image_crc = im->crc_blocks ? ckpt_image_stored_crc(im->buf) :
				       ckpt_image_crc_prefix(im->buf, im->len);
	out.pages = im->npages;
	out.full = im->full;
	out.zero = o.zero_pages = zero_pages(im);
	out.nchunks = (im->len + out.chunk - 1) / out.chunk;
	memcpy(o.name, out.name, strnlen(out.name, sizeof(o.name)));
	memset(out.acked, 0, (out.nchunks + 7) / 8);
	out.run = out.sent = out.resend = 0;
	out.resending = false;
	out.round_msgs = out.round_resent = 0;
	mig_offer_put(out.offer, &o);
	uint64_t now = k_time_us();
	out.heard = now;
	out.phase = OFFER;
	out.due = send_msg(MIG_OFFER, 0, out.offer, MIG_OFFER_LEN) ? now + out.rto : now;
}

static void image_ready(void)
{
	struct image *im = image_find(out.image_id);
	struct rtcr_detail d = { "" };
	if (!im) {
		fail(rtcr_fail(&d, R_NO_IMAGE, "the checkpoint image is gone"), &d);
		return;
	}
	if (!im->complete)
		return;
	if ((im->len + out.chunk - 1) / out.chunk > MIG_CHUNKS_MAX) {
		fail(rtcr_fail(&d, R_NO_ROOM, "the image is too large to send"), &d);
		return;
	}
	offer();
}

/* B stored the image of this round. */
static void round_done(uint32_t remote_image)
{
	struct mig_send_event e = event(MIG_SEND_ROUND);
	e.round = (struct mig_round_report){
		.round = out.round + 1, .final = out.final, .full = out.full,
		.image_id = out.image_id, .remote_image = remote_image, .pages = out.pages,
		.zero_pages = out.zero, .bytes = out.len, .chunks = out.nchunks,
		.resent = out.round_resent };
	tell(&e);
	if (out.final) {
		/* The peer has built the task: from here on it exists only there.
		 * GO leaves first (the driver is told at once) and the task,
		 * stopped since the final pause, is deleted while B resumes it:
		 * nothing here runs between the two. */
		struct rtcr_child *c = out.c;
		out.c = NULL;
		out.stopped = 0;
		out.phase = GO;
		out.busy_go = mig_busy();
		uint64_t now = k_time_us();
		out.due = send_msg(MIG_GO, 0, NULL, 0) ? now + out.rto : now;
		endpoints_flush();
		child_destroy(c);
		e = event(MIG_SEND_DELETED);
		tell(&e);
		return;
	}
	uint32_t pages = out.pages;
	bool last = pages <= FINAL_PAGES || out.round >= PRECOPY_MAX ||
		    (out.round > 0 && pages >= out.prev_pages);
	out.prev_pages = pages;
	out.round++;
	out.final = last;
	start_round();
}

/* ---- the window ---------------------------------------------------------------------- */

static bool acked(uint32_t i)
{
	return out.acked[i / 8] >> (i % 8) & 1;
}

/* Chunk i's CRC (n bytes): its blocks' joined. Chunk 0 holds the image's
 * CRC field, which the blocks' CRCs saw as zero, so it is read again; so
 * is every chunk when the blocks do not divide it. */
static uint32_t chunk_crc(uint32_t i, uint32_t n)
{
	uint32_t off = i * out.chunk;
	if (i == 0 || !out.blocks)
		return ckpt_crc32(0, out.buf + off, n);
	uint32_t b = off / CKPT_CRC_BLOCK, crc = block_crc[b];
	for (uint32_t done = CKPT_CRC_BLOCK; done < n; done += CKPT_CRC_BLOCK) {
		uint32_t m = n - done < CKPT_CRC_BLOCK ? n - done : CKPT_CRC_BLOCK;
		crc = crc32_shift(crc, m) ^ block_crc[++b];
	}
	return crc;
}

static bool send_chunk(uint32_t i, uint64_t now)
{
	uint32_t off = i * out.chunk, n = out.len - off < out.chunk ? out.len - off : out.chunk;
	uint32_t crc = chunk_crc(i, n);
	if (!send_msg_crc(MIG_DATA, i, out.buf + off, n, &crc))
		return false;
	bool first = i >= out.sent;
	out.sent_at[i % SLOTS] = now;
	out.tries[i % SLOTS] = first ? 1 : out.tries[i % SLOTS] + 1;
	if (!first) {
		out.resent++;
		out.round_resent++;
	}
	return true;
}

/* A round trip measured on a chunk sent once (Karn: a resent one could be
 * answering either copy): the timeout follows it, as TCP's does. */
static void rtt_sample(uint32_t us)
{
	out.srtt = out.srtt ? (7 * out.srtt + us) / 8 : us;
	uint32_t rto = 2 * out.srtt;
	out.rto = rto < out.rto_min ? out.rto_min : rto > RTO_MAX_US ? RTO_MAX_US : rto;
}

/* A chunk B's mask says is missing although later ones came: lost (the
 * links do not reorder). Sent again unless it was sent again lately. */
static void fast_resend(uint32_t upto, uint64_t now)
{
	for (uint32_t i = out.run; i < upto && i < out.sent; i++)
		if (!acked(i) && now - out.sent_at[i % SLOTS] > out.rto / 2 && !send_chunk(i, now))
			return;
}

/* New chunks while the window and the link have room; then, after a
 * silence, the ones not acknowledged, once each. */
static void pump_data(uint64_t now)
{
	if (out.resending) {
		for (; out.resend < out.sent; out.resend++)
			if (!acked(out.resend) && !send_chunk(out.resend, now))
				return;
		out.resending = false;
	}
	while (out.sent < out.nchunks && out.sent < out.run + out.window) {
		if (!send_chunk(out.sent, now))
			return;
		out.sent++;
		out.due = now + out.rto;
	}
}

static void mark_acked(uint32_t c, uint64_t now, bool *news)
{
	if (acked(c))
		return;
	out.acked[c / 8] |= (uint8_t)(1u << (c % 8));
	*news = true;
	if (out.tries[c % SLOTS] == 1)
		rtt_sample((uint32_t)(now - out.sent_at[c % SLOTS]));
}

static void on_ack(const struct mig_msg *m, uint64_t now)
{
	uint32_t run = m->seq, mask, top = run;
	bool news = false;
	if (run > out.sent)
		return;   /* acknowledges what was never sent: not from our peer's B */
	memcpy(&mask, m->payload, 4);
	for (uint32_t c = out.run; c < run; c++)
		mark_acked(c, now, &news);
	for (uint32_t i = 0; i < 32 && run + 1 + i < out.sent; i++)
		if (mask >> i & 1) {
			mark_acked(run + 1 + i, now, &news);
			top = run + 2 + i;
		}
	if (run > out.run)
		out.run = run;
	if (out.phase == OFFER) {
		out.phase = DATA;
		news = true;
	}
	if (news) {
		out.heard = now;
		out.due = now + out.rto;
	}
	if (top > run + 1)   /* later chunks came, chunk run did not */
		fast_resend(top, now);
}

/* Benchmark kernels on both boards: the downtime and the whole migration
 * as instructions executed (idle excluded) here and there; the sum is what
 * they take with an instant wire at one instruction per nanosecond. */
static void count_instructions(struct mig_done_report *r, uint32_t peer_final,
			       uint64_t peer_total)
{
	uint64_t now = mig_busy();
	if (!now || !peer_total)
		return;
	r->counted = true;
	r->down_here = (uint32_t)(out.busy_go - out.busy_pause);
	r->down_peer = peer_final;
	r->total_here = now - out.busy_start;
	r->total_peer = peer_total;
}

/* RESUMED after our go: w, the peer's task id and instruction counts. */
static void done(const uint32_t w[4], uint64_t now)
{
	struct mig_send_event e = event(MIG_SEND_DONE);
	e.done = (struct mig_done_report){
		.remote_task = w[0], .downtime_us = (uint32_t)(now - out.paused_at),
		.rounds = out.round + 1, .msgs = out.msgs, .bytes = (uint32_t)out.bytes,
		.resent = out.resent };
	count_instructions(&e.done, w[1], (uint64_t)w[3] << 32 | w[2]);
	tell(&e);
	finish();
}

void migrate_sender_message(struct endpoint *ep, uint32_t peer, const struct mig_msg *m)
{
	if (out.phase == IDLE || ep != out.ep || peer != out.dest || m->mig != out.id)
		return;   /* late answers to a migration that is over */
	uint64_t now = k_time_us();
	if (m->type == MIG_REJECT) {
		struct rtcr_detail d = { "" };
		char reason[MIG_REASON_MAX + 1];
		uint32_t code;
		memcpy(&code, m->payload, 4);
		memcpy(reason, m->payload + 4, m->len - 4);
		reason[m->len - 4] = 0;
		rtcr_fail(&d, R_PEER_REFUSED, "%s refused it: %s: %s", out.peer->name,
			  mig_reject_name(code), reason);
		if (out.phase == GO)
			failed(R_PEER_REFUSED, &d, MIG_DROPPED_THERE);
		else
			fail(R_PEER_REFUSED, &d);
		return;
	}
	if (m->type == MIG_RESUMED && out.final && out.c && out.phase != GO) {
		/* B's operator ran the task before our go (B's DONE did not
		 * reach us): it runs there, so it goes here, stopped as it is. */
		struct rtcr_child *c = out.c;
		out.c = NULL;
		out.stopped = 0;
		child_destroy(c);
		struct mig_send_event e = event(MIG_SEND_PEER_RAN);
		tell(&e);
		finish();
		return;
	}
	if (m->type == MIG_RESUMED && out.phase == GO) {
		uint32_t w[4];
		memcpy(w, m->payload, sizeof(w));
		done(w, now);
		return;
	}
	if (m->round != out.round || (out.phase != OFFER && out.phase != DATA))
		return;
	if (m->type == MIG_ACK) {
		on_ack(m, now);
	} else if (m->type == MIG_DONE && out.phase == DATA) {
		/* B has every chunk (its last ACK may have been lost on the way). */
		uint32_t remote;
		memcpy(&remote, m->payload, 4);
		round_done(remote);
	}
}

/* ---- the main loop's part ------------------------------------------------------------- */

uint64_t migrate_next_due(void)
{
	uint64_t due = receiver_next_due();
	uint64_t mine = out.phase == IDLE || out.phase == CHECKPOINT ? 0 : out.due;
	if (out.phase != IDLE && out.phase != CHECKPOINT &&
	    (!mine || out.heard + GIVE_UP_US < mine))
		mine = out.heard + GIVE_UP_US;
	return !due || (mine && mine < due) ? mine : due;
}

void migrate_run(uint64_t now)
{
	receiver_run(now);
	switch (out.phase) {
	case IDLE:
		return;
	case CHECKPOINT:
		image_ready();
		return;
	default:
		break;
	}
	if (now > out.heard + GIVE_UP_US) {
		struct rtcr_detail d = { "" };
		fail(rtcr_fail(&d, R_PEER_SILENT, "%s does not answer (%u ms)", out.peer->name,
			       GIVE_UP_US / 1000), &d);
		return;
	}
	bool late = now >= out.due;
	if (late) {
		/* Nothing new for a whole timeout: send again, and wait longer
		 * next time (the peer or the link is slower than it was). */
		out.rto = out.rto * 2 > RTO_MAX_US ? RTO_MAX_US : out.rto * 2;
		out.due = now + out.rto;
	}
	if (out.phase == OFFER && late) {
		send_msg(MIG_OFFER, 0, out.offer, MIG_OFFER_LEN);
	} else if (out.phase == DATA) {
		if (late && out.run < out.nchunks) {
			out.resending = true;
			out.resend = out.run;
		} else if (late) {
			send_chunk(out.nchunks - 1, now);   /* the DONE was lost: ask again */
		}
		pump_data(now);
	} else if (out.phase == GO && late) {
		send_msg(MIG_GO, 0, NULL, 0);
	}
}

/* ---- the command ---------------------------------------------------------------------- */

/* The endpoint to reach p over a link of that type, and p's address on it
 * (*dest); R_NO_LINK if there is none (d says why). */
static rtcr_err pick_endpoint(const struct peer *p, uint32_t type, struct endpoint **ep,
			      uint32_t *dest, struct rtcr_detail *d)
{
	*ep = NULL;
	if (type == LINK_ETH) {
		*ep = endpoint_of_type(LINK_ETH);
		*dest = p->ip;
		if (!p->ip)
			return rtcr_fail(d, R_NO_LINK, "the peer has no IPv4 address");
		if (!*ep)
			return rtcr_fail(d, R_NO_LINK, "no Ethernet link here");
		if ((*ep)->addr == p->ip)
			return rtcr_fail(d, R_NO_LINK, "that is this board");
		return E_OK;
	}
	*dest = p->node;
	if (!p->node)
		return rtcr_fail(d, R_NO_LINK, "the peer has no CAN node");
	/* Any endpoint of the type but the peer's own: on a board with two
	 * controllers on one bus, the other one. */
	for (unsigned i = 0; i < ENDPOINTS_MAX && !*ep; i++) {
		struct endpoint *e = endpoint_at(i);
		if (e && e->up && e->type == type && e->addr != p->node)
			*ep = e;
	}
	if (*ep)
		return E_OK;
	return rtcr_fail(d, R_NO_LINK, "%s", endpoint_node(type, p->node) ?
			 "that is this board's only node" : type == LINK_CAN ? "no CAN link here" :
			 "no loop link here (start test-loop)");
}

rtcr_err migrate_start(struct rtcr_child *c, const struct peer *p, uint32_t type,
		       struct rtcr_detail *d)
{
	struct endpoint *ep;
	uint32_t dest;
	if (child_holds_link(c) || c->arriving)
		return rtcr_fail(d, E_INVALID_STATE, "task %u %s", (unsigned)c->id,
				 c->arriving ? "is still arriving" : "drives a network link: it stays");
	if (out.phase != IDLE)
		return rtcr_fail(d, R_ONE_AT_A_TIME, "task %u is being migrated; one at a time",
				 (unsigned)out.task_id);
	rtcr_err e = pick_endpoint(p, type, &ep, &dest, d);
	if (e != E_OK)
		return e;
	memset(&out, 0, sizeof(out));
	out.id = next_migration++ | (uint32_t)(k_time_us() & 0xffff) << 16;
	out.c = c;
	out.task_id = c->id;
	strlcpy(out.name, c->name, sizeof(out.name));
	out.ep = ep;
	out.peer = p;
	out.dest = dest;
	bool eth = type != LINK_CAN;   /* the test loop behaves like Ethernet */
	out.chunk = eth ? ETH_CHUNK : CAN_CHUNK;
	if (out.chunk > ep->mtu - MIG_HDR)
		out.chunk = (ep->mtu - MIG_HDR) & ~63u;
	out.window = eth ? ETH_WINDOW : CAN_WINDOW;
	out.rto = out.rto_min = eth ? ETH_RTO_US : CAN_RTO_US;
	out.report = true;
	out.busy_start = mig_busy();
	char addr[24];
	endpoint_addr_text(ep->type, dest, addr, sizeof(addr));
	struct mig_send_event ev = event(MIG_SEND_STARTED);
	ev.link_type = type;
	ev.addr = addr;
	tell(&ev);
	ckpt_schedule(c, 0);   /* periodic checkpoints would break the chain */
	start_round();
	return E_OK;
}

bool migrate_pending_report(void)
{
	return out.phase != IDLE && out.report;
}

/* ---- what the rest of RTCR tells a migration ----------------------------------------- */

static uint64_t migrate_due(uint64_t now)
{
	(void)now;
	return migrate_next_due();
}

void migration_init(void)
{
	static struct child_observer o = { .gone = migrate_forget_child };
	static struct endpoint_handler h = { .datagram = migrate_receive, .gone = migrate_link_gone };
	static struct poller p = { .due = migrate_due, .run = migrate_run };
	child_observe(&o);
	endpoints_handle(&h);
	loop_add(&p);
}

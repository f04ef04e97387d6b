/*
 * Receiving migrations (docs/migration.md): every datagram from a link
 * comes here first. Messages for a migration this board sends go to
 * migrate.c; the others are a peer sending us a task. Its images are
 * stored as they complete and applied to a task built alongside (a
 * restore stage), so the final round only adds its few pages, threads,
 * sessions and capabilities before the task can run.
 *
 * Nothing a sender says is trusted: an unknown sender is refused, a
 * malformed message is dropped and counted, an image is checked completely
 * (transfer checksum, then the image format's own check) before anything
 * is built from it, and a failure drops only what this migration built.
 */
#include "migrate.h"
#include "store.h"
#include "format.h"
#include "checkpoint.h"
#include "string.h"
#include "fmt.h"

#define INCOMING_MAX   2u
#define SILENT_US      10000000u   /* a sender gone this long: drop what it sent */
#define IDS_MAX        8u
#define ACK_EVERY      8u          /* chunks; and after each batch that arrives */

struct incoming {
	bool used;
	struct endpoint *ep;
	uint32_t from;               /* the sender's link address */
	uint16_t port;
	const struct peer *peer;
	uint32_t mig;
	uint16_t round;              /* being received, or the last one done */
	bool receiving;              /* its chunks are arriving */
	bool final;
	struct mig_offer offer;
	struct image *im;
	uint32_t nchunks, got, run;
	uint8_t have[MIG_CHUNKS_MAX / 8];
	bool ack_due;
	uint32_t done_image;         /* our id of the last image done; 0: none */
	struct restore_stage *stage;
	bool ready, resumed;
	uint32_t task_id;            /* ours, once built */
	uint64_t heard;
	uint32_t src_ids[IDS_MAX], local_ids[IDS_MAX];   /* the sender's image ids, ours */
	unsigned nids;
	uint64_t busy_first, busy_final;   /* mig_busy() at the first and final offers */
	uint8_t resumed_msg[MIG_RESUMED_LEN];
	/* Last: clearing an incoming stops before it (a chunk's is written
	 * when the chunk comes, and read only once all have come). */
	uint32_t crc[MIG_CHUNKS_MAX];   /* each chunk's, from its message's check */
};

static void clear(struct incoming *in)
{
	memset(in, 0, offsetof(struct incoming, crc));
}

static struct incoming incoming[INCOMING_MAX];

/* Tasks built from a migration whose go never came (the sender went
 * silent): stopped, out of the receive slots and restore stages, until
 * the operator resumes or kills them, or a late go comes after all. */
static struct parked {
	struct rtcr_child *c;        /* NULL: free */
	struct endpoint *ep;
	uint32_t from, mig;
	uint16_t port;
	uint32_t live;               /* threads that run once it is resumed */
	char sender[40];
} parked[CHILDREN_MAX];

/* Migrations refused lately: a sender that did not hear the REJECT (it was
 * lost) hears it again on its next message, instead of giving up on a
 * silence. */
#define REFUSED_MAX 4u
static struct refused {
	struct endpoint *ep;
	uint32_t from, mig, code;
	uint16_t port, round;
	char reason[MIG_REASON_MAX];
} refused[REFUSED_MAX];
static unsigned refused_next;

static struct mig_recv_stats rstats;
static void (*listener)(const struct mig_recv_event *e);

void receiver_listen(void (*fn)(const struct mig_recv_event *e))
{
	listener = fn;
}

void receiver_stats(struct mig_recv_stats *out)
{
	*out = rstats;
}

/* An event of migration mig from sender (its text), with the fields every
 * event has. */
static struct mig_recv_event event(enum mig_recv_what what, uint32_t mig, const char *sender)
{
	return (struct mig_recv_event){ .what = what, .mig = mig, .sender = sender };
}

static void tell(const struct mig_recv_event *e)
{
	if (listener)
		listener(e);
}

/* The sender of in, as a person knows it: "b (10.0.0.2)". */
static void sender_text(const struct incoming *in, char *buf, unsigned size)
{
	mig_sender_text(in->ep, in->from, buf, size);
}

/* ---- sending answers ------------------------------------------------------------- */

static void answer(struct incoming *in, uint8_t type, uint32_t seq, const void *payload,
		   uint32_t len)
{
	struct mig_msg m = { .type = type, .mig = in->mig, .round = in->round, .seq = seq,
			     .len = len };
	mig_send(in->ep, in->from, in->port, &m, payload, NULL);
}

static void answer_word(struct incoming *in, uint8_t type, uint32_t word)
{
	answer(in, type, 0, &word, 4);
}

static void reject_to(struct endpoint *ep, uint32_t peer, uint16_t port, uint32_t mig,
		      uint16_t round, uint32_t code, const char *reason)
{
	uint8_t payload[4 + MIG_REASON_MAX];
	uint32_t n = (uint32_t)strnlen(reason, MIG_REASON_MAX);
	memcpy(payload, &code, 4);
	memcpy(payload + 4, reason, n);
	struct mig_msg m = { .type = MIG_REJECT, .mig = mig, .round = round, .len = 4 + n };
	mig_send(ep, peer, port, &m, payload, NULL);
	rstats.refused++;
}

static void send_ack(struct incoming *in)
{
	uint32_t mask;
	in->run = mig_ack_state(in->have, in->nchunks, in->run, &mask);
	answer(in, MIG_ACK, in->run, &mask, 4);
	in->ack_due = false;
}

/* ---- the end of an incoming migration ----------------------------------------------- */

static void unpin(struct incoming *in)
{
	for (unsigned i = 0; i < in->nids; i++) {
		struct image *im = image_find(in->local_ids[i]);
		if (im)
			im->pinned = false;
	}
}

/* What in built here goes (the listener has been told why). */
static void drop(struct incoming *in)
{
	if (in->im && !in->im->complete)
		image_drop(in->im);
	if (in->stage)
		restore_stage_drop(in->stage);
	unpin(in);
	clear(in);
}

/* The migration ends here without a refusal (the sender gave up, went
 * silent, its link went down, it started anew): err and why say which. */
static void give_up(struct incoming *in, rtcr_err err, const char *why)
{
	char from[40];
	struct rtcr_detail d = { "" };
	sender_text(in, from, sizeof(from));
	struct mig_recv_event e = event(MIG_RECV_ENDED, in->mig, from);
	e.err = rtcr_fail(&d, err, "%s", why);
	e.detail = &d;
	tell(&e);
	drop(in);
}

/* The migration is refused: the sender hears code and reason (again, if
 * it asks again), and what it built here goes. */
static void refuse(struct incoming *in, uint32_t code, const char *reason)
{
	struct refused *r = &refused[refused_next++ % REFUSED_MAX];
	*r = (struct refused){ .ep = in->ep, .from = in->from, .mig = in->mig, .code = code,
			       .port = in->port, .round = in->round };
	strlcpy(r->reason, reason, sizeof(r->reason));
	reject_to(in->ep, in->from, in->port, in->mig, in->round, code, reason);
	char from[40];
	sender_text(in, from, sizeof(from));
	struct mig_recv_event e = event(MIG_RECV_REFUSED, in->mig, from);
	e.code = code;
	e.reason = reason;
	tell(&e);
	drop(in);
}

/* ---- offers -------------------------------------------------------------------------- */

static struct incoming *find(struct endpoint *ep, uint32_t from, uint32_t mig)
{
	for (unsigned i = 0; i < INCOMING_MAX; i++)
		if (incoming[i].used && incoming[i].ep == ep && incoming[i].from == from &&
		    incoming[i].mig == mig)
			return &incoming[i];
	return NULL;
}

static uint32_t local_id(const struct incoming *in, uint32_t src)
{
	for (unsigned i = 0; i < in->nids; i++)
		if (in->src_ids[i] == src)
			return in->local_ids[i];
	return 0;
}

/* A new migration: a free slot, or the unfinished one of the same sender
 * (it gave up on it). A sender's task that is built and waiting for GO is
 * never thrown away. */
static struct incoming *start(struct endpoint *ep, uint32_t from, uint16_t port,
			      const struct mig_msg *m, const struct peer *p)
{
	struct incoming *in = NULL;
	for (unsigned i = 0; i < INCOMING_MAX && !in; i++)
		if (incoming[i].used && incoming[i].ep == ep && incoming[i].from == from &&
		    !incoming[i].ready && !incoming[i].resumed)
			in = &incoming[i];
	if (in)
		give_up(in, R_CANCELLED, "replaced by a new migration from the same sender");
	for (unsigned i = 0; i < INCOMING_MAX && !in; i++)
		if (!incoming[i].used)
			in = &incoming[i];
	for (unsigned i = 0; i < INCOMING_MAX && !in; i++)
		if (incoming[i].resumed)   /* over: only kept to repeat RESUMED */
			in = &incoming[i];
	if (!in) {
		reject_to(ep, from, port, m->mig, m->round, MIG_R_BUSY, "receiving two migrations");
		return NULL;
	}
	clear(in);   /* field by field: no large temporary on the stack */
	in->used = true;
	in->ep = ep;
	in->from = from;
	in->port = port;
	in->peer = p;
	in->mig = m->mig;
	in->round = m->round;
	in->busy_first = mig_busy();
	return in;
}

/* An offer this migration can take: R_BAD_MESSAGE, R_NO_BASE (d: why). */
static rtcr_err check_offer(struct incoming *in, const struct mig_offer *o, struct rtcr_detail *d)
{
	if (o->chunk == 0 || o->chunk > in->ep->mtu - MIG_HDR)
		return rtcr_fail(d, R_BAD_MESSAGE, "bad chunk size");
	if (o->image_len < CKPT_HEADER_LEN || o->image_len > MIG_IMAGE_MAX ||
	    (o->image_len + o->chunk - 1) / o->chunk > MIG_CHUNKS_MAX)
		return rtcr_fail(d, R_BAD_MESSAGE, "bad image length");
	if (o->base_id && !local_id(in, o->base_id))
		return rtcr_fail(d, R_NO_BASE, "an increment of an image this board does not have");
	if (o->base_id && (!in->done_image || local_id(in, o->base_id) != in->done_image))
		return rtcr_fail(d, R_NO_BASE, "an increment of an image that is not the last one");
	if (!o->base_id && in->final)
		return rtcr_fail(d, R_BAD_MESSAGE, "a full image after the final one");
	return E_OK;
}

static void on_offer(struct incoming *in, const struct mig_msg *m)
{
	struct mig_offer o;
	mig_offer_get(m->payload, &o);
	if (in->receiving && m->round == in->round) {
		send_ack(in);   /* our first ACK was lost */
		return;
	}
	if (in->done_image && m->round == in->round) {
		answer_word(in, MIG_DONE, in->done_image);
		return;
	}
	if (in->ready || in->resumed || m->round != (in->done_image ? in->round + 1 : 0)) {
		refuse(in, MIG_R_PROTOCOL, "an offer out of order");
		return;
	}
	struct rtcr_detail d = { "" };
	if (check_offer(in, &o, &d) != E_OK) {
		refuse(in, MIG_R_BAD_IMAGE, d.text);
		return;
	}
	struct image *im = image_new(o.image_len);
	if (!im) {
		refuse(in, MIG_R_NO_MEMORY, "no room for the image");
		return;
	}
	im->pinned = true;   /* not zeroed: it is complete once every chunk is in */
	in->im = im;
	in->offer = o;
	in->round = m->round;
	in->final = (m->flags & MIG_FLAG_FINAL) != 0;
	if (in->final)
		in->busy_final = mig_busy();
	in->nchunks = (o.image_len + o.chunk - 1) / o.chunk;
	in->got = in->run = 0;
	memset(in->have, 0, (in->nchunks + 7) / 8);
	in->receiving = true;
	if (m->round == 0) {
		char from[40], name[sizeof(o.name) + 1] = { 0 };
		sender_text(in, from, sizeof(from));
		memcpy(name, o.name, sizeof(o.name));   /* NUL padded, not ended */
		struct mig_recv_event e = event(MIG_RECV_ARRIVING, in->mig, from);
		e.task_id = o.task_id;
		e.task_name = name;
		tell(&e);
	}
	send_ack(in);
}

/* ---- images ---------------------------------------------------------------------------- */

/* The image's CRC (its CRC field read as zero), joined from the chunks'
 * CRCs that their messages' checks worked out: the image is not read
 * again but for chunk 0, which holds the field. */
static uint32_t image_crc(const struct incoming *in)
{
	uint32_t chunk = in->offer.chunk, len = in->offer.image_len;
	uint32_t crc = ckpt_image_crc_prefix(in->im->buf, len < chunk ? len : chunk);
	for (uint32_t i = 1; i < in->nchunks; i++) {
		uint32_t n = len - i * chunk < chunk ? len - i * chunk : chunk;
		crc = crc32_shift(crc, n) ^ in->crc[i];
	}
	return crc;
}

/* Every chunk is in: the image is the one offered, whole, and the next in
 * this migration's chain. R_IMAGE_DAMAGED, R_NO_ROOM (d: why). */
static rtcr_err check_image(struct incoming *in, struct ckpt_header *h, struct rtcr_detail *d)
{
	struct ckpt_detail cd;
	uint32_t crc = image_crc(in);
	if (crc != in->offer.image_crc)
		return rtcr_fail(d, R_IMAGE_DAMAGED, "the checksum over the transfer does not match");
	if (ckpt_image_check_crc(in->im->buf, in->offer.image_len, crc, h, &cd) != CKPT_OK) {
		char text[96];
		return rtcr_fail(d, R_IMAGE_DAMAGED, "image check: %s",
				 ckpt_describe(&cd, text, sizeof(text)));
	}
	bool full = !(h->flags & CKPT_FLAG_INCREMENTAL);
	if (full != !in->offer.base_id || h->image_id != in->offer.image_id ||
	    (!full && h->base_id != in->offer.base_id))
		return rtcr_fail(d, R_IMAGE_DAMAGED, "the image is not the one offered");
	if (in->nids == IDS_MAX)
		return rtcr_fail(d, R_NO_ROOM, "too many images in one migration");
	/* An increment names its base by the boot that took it and the id
	 * there: the image before it in this migration, exactly. */
	const struct image *base = full ? NULL : image_find(local_id(in, h->base_id));
	if (!full && (!base || base->origin != h->origin || base->src_id != h->base_id))
		return rtcr_fail(d, R_IMAGE_DAMAGED, "the increment's base is not the image before it");
	return E_OK;
}

/* The checked image joins the store, as the image this migration's
 * chain ends with. */
static struct image *keep_image(struct incoming *in, const struct ckpt_header *h)
{
	struct image *im = in->im;
	bool full = !(h->flags & CKPT_FLAG_INCREMENTAL);
	const struct image *base = full ? NULL : image_find(local_id(in, h->base_id));
	image_complete(im, in->offer.image_len);
	im->full = full;
	im->base_id = full ? 0 : base->id;
	im->origin = h->origin;
	im->task_id = h->task_id;
	memcpy(im->name, h->name, CKPT_NAME_LEN);
	im->name[CKPT_NAME_LEN < CHILD_NAME_MAX ? CKPT_NAME_LEN : CHILD_NAME_MAX - 1] = 0;
	im->time_us = h->time_us;
	im->pause_us = h->pause_us;
	im->npages = in->offer.pages;
	im->src_id = h->image_id;
	strlcpy(im->from, in->peer->name, sizeof(im->from));
	in->src_ids[in->nids] = h->image_id;
	in->local_ids[in->nids++] = im->id;
	in->im = NULL;
	in->receiving = false;
	in->done_image = im->id;
	return im;
}

/* The stored image im applied to the task being built; after the final
 * one the task is complete, waiting for GO. The restore's code (d: why). */
static rtcr_err build(struct incoming *in, const struct image *im, struct rtcr_detail *d)
{
	rtcr_err st;
	if (im->full) {
		if (in->stage)
			restore_stage_drop(in->stage);
		if ((st = restore_stage_begin(im->id, &in->stage, d)) != E_OK)
			return st;
	} else if ((st = restore_stage_apply(in->stage, im->id, d)) != E_OK) {
		return st;
	}
	if (in->final) {
		if ((st = restore_stage_finish(in->stage, true, d)) != E_OK)
			return st;
		in->ready = true;
		in->task_id = restore_stage_child(in->stage)->id;
	}
	return E_OK;
}

static void round_complete(struct incoming *in)
{
	struct ckpt_header h;
	struct rtcr_detail d = { "" };
	send_ack(in);
	if (check_image(in, &h, &d) != E_OK) {
		refuse(in, MIG_R_BAD_IMAGE, d.text);
		return;
	}
	const struct image *im = keep_image(in, &h);
	if (build(in, im, &d) != E_OK) {
		refuse(in, MIG_R_RESTORE, d.text);
		return;
	}
	rstats.received++;
	char from[40];
	sender_text(in, from, sizeof(from));
	struct mig_recv_event e = event(MIG_RECV_ROUND, in->mig, from);
	e.round = in->round + 1u;
	e.image_id = im->id;
	e.full = im->full;
	e.pages = im->npages;
	e.bytes = im->len;
	e.built = in->ready;
	tell(&e);
	answer_word(in, MIG_DONE, in->done_image);
}

static void on_data(struct incoming *in, const struct mig_msg *m)
{
	if (!in->receiving || m->round != in->round) {
		if (in->done_image && m->round == in->round)
			answer_word(in, MIG_DONE, in->done_image);   /* our DONE was lost */
		return;
	}
	uint32_t seq = m->seq, off = seq * in->offer.chunk;
	if (seq >= in->nchunks)
		return;
	uint32_t want = in->offer.image_len - off < in->offer.chunk ? in->offer.image_len - off :
								       in->offer.chunk;
	if (m->len != want) {
		rstats.malformed++;
		return;
	}
	in->ack_due = true;
	if (in->have[seq / 8] >> (seq % 8) & 1)
		return;   /* a repeat: it only earns an ACK */
	memcpy(in->im->buf + off, m->payload, want);
	in->crc[seq] = m->payload_crc;
	in->have[seq / 8] |= (uint8_t)(1u << (seq % 8));
	if (++in->got == in->nchunks)
		round_complete(in);
	else if (in->got % ACK_EVERY == 0)
		send_ack(in);   /* not only at the end of a batch: one lost ACK must not stall */
}

/* RESUMED: the task's id here, and (benchmark kernels) what the final
 * round and the whole migration cost this board in instructions. */
static void resumed_message(struct incoming *in)
{
	uint64_t now = mig_busy();
	uint64_t final = now ? now - in->busy_final : 0, total = now ? now - in->busy_first : 0;
	uint32_t w[4] = { in->task_id, (uint32_t)final, (uint32_t)total, (uint32_t)(total >> 32) };
	memcpy(in->resumed_msg, w, sizeof(w));
}

/* The task built for in runs: on GO, or on the operator's word (who then
 * says so, by). The sender hears RESUMED either way: if it still holds the
 * task, stopped for the final round, it deletes it then. */
static void run_task(struct incoming *in, enum mig_run_by by)
{
	struct rtcr_child *c = restore_stage_resume(in->stage);
	resumed_message(in);
	in->stage = NULL;
	in->ready = false;
	in->resumed = true;
	unpin(in);
	rstats.resumed++;
	char from[40];
	sender_text(in, from, sizeof(from));
	struct mig_recv_event e = event(MIG_RECV_RUNS, in->mig, from);
	e.task_id = c->id;
	e.task_name = c->name;
	e.by = by;
	tell(&e);
	answer(in, MIG_RESUMED, 0, in->resumed_msg, MIG_RESUMED_LEN);
}

static void on_go(struct incoming *in)
{
	if (in->resumed) {
		answer(in, MIG_RESUMED, 0, in->resumed_msg, MIG_RESUMED_LEN);
		return;
	}
	if (!in->ready) {
		refuse(in, MIG_R_PROTOCOL, "go before the task was built");
		return;
	}
	run_task(in, MIG_RUN_GO);
}

/* ---- tasks whose go did not come ------------------------------------------------------ */

/* The sender went silent (or its link down) after B built the task: it
 * leaves the receive slot and its restore stage, and waits, stopped. */
static void park(struct incoming *in)
{
	struct parked *p = NULL;
	for (unsigned i = 0; i < CHILDREN_MAX && !p; i++)
		if (!parked[i].c)
			p = &parked[i];   /* one per child: there is always one */
	p->c = restore_stage_child(in->stage);
	p->live = restore_stage_release(in->stage);
	p->ep = in->ep;
	p->from = in->from;
	p->mig = in->mig;
	p->port = in->port;
	sender_text(in, p->sender, sizeof(p->sender));
	struct mig_recv_event e = event(MIG_RECV_PARKED, p->mig, p->sender);
	e.peer_name = in->peer->name;
	e.task_id = p->c->id;
	e.task_name = p->c->name;
	tell(&e);
	in->stage = NULL;
	unpin(in);
	clear(in);
}

static struct parked *parked_of(const struct rtcr_child *c)
{
	for (unsigned i = 0; i < CHILDREN_MAX; i++)
		if (parked[i].c && parked[i].c == c)
			return &parked[i];
	return NULL;
}

/* A parked task runs: a late GO, or its operator's word. */
static void run_parked(struct parked *p, enum mig_run_by by)
{
	uint32_t w[4] = { p->c->id, 0, 0, 0 };
	struct mig_msg m = { .type = MIG_RESUMED, .mig = p->mig, .len = MIG_RESUMED_LEN };
	restore_child_resume(p->c, p->live);
	rstats.resumed++;
	struct mig_recv_event e = event(MIG_RECV_RUNS, p->mig, p->sender);
	e.task_id = p->c->id;
	e.task_name = p->c->name;
	e.by = by;
	tell(&e);
	mig_send(p->ep, p->from, p->port, &m, w, NULL);
	memset(p, 0, sizeof(*p));
}

static bool late_go(struct endpoint *ep, uint32_t from, const struct mig_msg *m)
{
	for (unsigned i = 0; i < CHILDREN_MAX && m->type == MIG_GO; i++) {
		struct parked *p = &parked[i];
		if (p->c && p->ep == ep && p->from == from && p->mig == m->mig) {
			run_parked(p, MIG_RUN_LATE_GO);
			return true;
		}
	}
	return false;
}

/* The incoming migration that is building c, or NULL. */
static struct incoming *building(const struct rtcr_child *c)
{
	for (unsigned i = 0; i < INCOMING_MAX; i++)
		if (incoming[i].used && incoming[i].stage && restore_stage_child(incoming[i].stage) == c)
			return &incoming[i];
	return NULL;
}

rtcr_err receiver_resume(struct rtcr_child *c, struct rtcr_detail *d)
{
	struct incoming *in = building(c);
	struct parked *p = parked_of(c);
	if (p) {
		run_parked(p, MIG_RUN_OPERATOR);
		return E_OK;
	}
	if (!in || !in->ready)
		return rtcr_fail(d, E_INVALID_STATE,
				 "task %u is still arriving: it can run once it is built",
				 (unsigned)c->id);
	run_task(in, MIG_RUN_OPERATOR);
	return E_OK;
}

rtcr_err receiver_drop(struct rtcr_child *c, struct rtcr_detail *d)
{
	struct incoming *in = building(c);
	struct parked *p = parked_of(c);
	static const char reason[] = "the receiving board's operator dropped the task";
	if (in) {
		refuse(in, MIG_R_DROPPED, reason);   /* the sender keeps its task */
		return E_OK;
	}
	if (!p)
		return rtcr_fail(d, E_INVALID_STATE, "task %u is arriving and cannot be dropped now",
				 (unsigned)c->id);
	reject_to(p->ep, p->from, p->port, p->mig, 0, MIG_R_DROPPED, reason);
	struct mig_recv_event e = event(MIG_RECV_DROPPED, p->mig, p->sender);
	e.task_id = c->id;
	e.task_name = c->name;
	tell(&e);
	memset(p, 0, sizeof(*p));
	child_destroy(c);
	return E_OK;
}

void receiver_forget_child(struct rtcr_child *c)
{
	struct parked *p = parked_of(c);
	if (p)
		memset(p, 0, sizeof(*p));
}

/* ---- every datagram --------------------------------------------------------------------- */

static bool repeat_refusal(struct endpoint *ep, uint32_t from, const struct mig_msg *m)
{
	for (unsigned i = 0; i < REFUSED_MAX; i++) {
		struct refused *r = &refused[i];
		if (r->ep == ep && r->from == from && r->mig == m->mig && m->type != MIG_ABORT) {
			reject_to(ep, from, r->port, r->mig, r->round, r->code, r->reason);
			return true;
		}
	}
	return false;
}

static bool for_sender(uint8_t type)
{
	return type == MIG_ACK || type == MIG_DONE || type == MIG_REJECT || type == MIG_RESUMED;
}

static void unknown_sender(struct endpoint *ep, uint32_t from, uint16_t port,
			   const struct mig_msg *m)
{
	char addr[24];
	rstats.unknown_sender++;
	endpoint_addr_text(ep->type, from, addr, sizeof(addr));
	struct mig_recv_event e = event(MIG_RECV_UNKNOWN_SENDER, m->mig, addr);
	e.msg_type = m->type;
	e.refused_count = rstats.unknown_sender;
	tell(&e);
	if (!for_sender(m->type))
		reject_to(ep, from, port, m->mig, m->round, MIG_R_UNKNOWN_SENDER,
			  "this board takes tasks only from its peers");
}

/* A datagram as a message from a peer, *p: R_BAD_MESSAGE (malformed, and
 * counted), R_UNKNOWN_SENDER (well formed, but not from a peer). */
static rtcr_err parse(struct endpoint *ep, uint32_t from, uint16_t port, const uint8_t *data,
		      uint32_t len, struct mig_msg *m, const struct peer **p)
{
	int bad = mig_decode(data, len, m);
	if (bad) {
		rstats.malformed++;
		rstats.last_bad = bad;
		return R_BAD_MESSAGE;
	}
	if (ep->type == LINK_ETH && port != LINK_UDP_PORT && !for_sender(m->type)) {
		rstats.malformed++;   /* senders send from the migration port */
		return R_BAD_MESSAGE;
	}
	*p = ep->type == LINK_ETH ? peer_by_ip(from) : peer_by_node(from);
	return *p ? E_OK : R_UNKNOWN_SENDER;
}

void migrate_receive(struct endpoint *ep, uint32_t from, uint16_t port, const uint8_t *data,
		     uint32_t len)
{
	struct mig_msg m;
	const struct peer *p;
	rtcr_err e = parse(ep, from, port, data, len, &m, &p);
	if (e == R_UNKNOWN_SENDER)
		unknown_sender(ep, from, port, &m);
	if (e != E_OK)
		return;
	if (for_sender(m.type)) {
		migrate_sender_message(ep, from, &m);
		return;
	}
	struct incoming *in = find(ep, from, m.mig);
	if (!in && (late_go(ep, from, &m) || repeat_refusal(ep, from, &m)))
		return;
	if (!in && m.type == MIG_OFFER && m.round == 0)
		in = start(ep, from, port, &m, p);
	if (!in)
		return;   /* DATA/GO/ABORT of a migration we do not have: it ended */
	in->heard = k_time_us();
	switch (m.type) {
	case MIG_OFFER:
		on_offer(in, &m);
		break;
	case MIG_DATA:
		on_data(in, &m);
		break;
	case MIG_GO:
		on_go(in);
		break;
	case MIG_ABORT:
		if (!in->resumed)
			give_up(in, R_CANCELLED, "the sender gave up; what it built here is gone");
		break;
	default:
		break;
	}
}

/* ---- the main loop's part ------------------------------------------------------------------ */

void receiver_run(uint64_t now)
{
	for (unsigned i = 0; i < INCOMING_MAX; i++) {
		struct incoming *in = &incoming[i];
		if (!in->used)
			continue;
		if (in->ack_due)
			send_ack(in);
		if (in->resumed || now < in->heard + SILENT_US)
			continue;
		if (!in->ready)
			give_up(in, R_PEER_SILENT, "the sender went silent; what it built here is gone");
		else
			park(in);
	}
}

uint64_t receiver_next_due(void)
{
	uint64_t due = 0;
	for (unsigned i = 0; i < INCOMING_MAX; i++) {
		const struct incoming *in = &incoming[i];
		if (!in->used || in->resumed)
			continue;
		uint64_t t = in->ack_due ? 1 : in->heard + SILENT_US;
		if (!due || t < due)
			due = t;
	}
	return due;
}

void receiver_link_gone(struct endpoint *ep)
{
	for (unsigned i = 0; i < INCOMING_MAX; i++) {
		struct incoming *in = &incoming[i];
		if (!in->used || in->ep != ep)
			continue;
		if (in->resumed)
			clear(in);
		else if (in->ready)
			park(in);
		else
			give_up(in, R_LINK_DOWN, "the link went down; what it built here is gone");
	}
}

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
#include "images.h"
#include "ckpt_image.h"
#include "restore.h"
#include "stdio.h"
#include "string.h"

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

static struct {
	uint32_t malformed, unknown_sender, rejected, received, resumed;
	int last_bad;
	uint64_t last_unknown_print;
} rstats;

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
	rstats.rejected++;
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

static void drop(struct incoming *in, const char *why)
{
	char from[40];
	mig_sender_text(in->ep, in->from, from, sizeof(from));
	if (why)
		printf("rtcr: migration %u from %s: %s\n", (unsigned)in->mig, from, why);
	if (in->im && !in->im->complete)
		image_drop(in->im);
	if (in->stage)
		restore_stage_drop(in->stage);
	unpin(in);
	clear(in);
}

static void refuse(struct incoming *in, uint32_t code, const char *reason)
{
	struct refused *r = &refused[refused_next++ % REFUSED_MAX];
	*r = (struct refused){ .ep = in->ep, .from = in->from, .mig = in->mig, .code = code,
			       .port = in->port, .round = in->round };
	strlcpy(r->reason, reason, sizeof(r->reason));
	reject_to(in->ep, in->from, in->port, in->mig, in->round, code, reason);
	char why[160];
	fmt_snprintf(why, sizeof(why), "refused (%s): %s", mig_reject_name(code), reason);
	drop(in, why);
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
		drop(in, "replaced by a new migration from the same sender");
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

static const char *check_offer(struct incoming *in, const struct mig_offer *o)
{
	if (o->chunk == 0 || o->chunk > in->ep->mtu - MIG_HDR)
		return "bad chunk size";
	if (o->image_len < CKPT_HEADER_LEN || o->image_len > MIG_IMAGE_MAX ||
	    (o->image_len + o->chunk - 1) / o->chunk > MIG_CHUNKS_MAX)
		return "bad image length";
	if (o->base_id && !local_id(in, o->base_id))
		return "an increment of an image this board does not have";
	if (o->base_id && (!in->done_image || local_id(in, o->base_id) != in->done_image))
		return "an increment of an image that is not the last one";
	if (!o->base_id && in->final)
		return "a full image after the final one";
	return NULL;
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
	const char *bad = check_offer(in, &o);
	if (bad) {
		refuse(in, MIG_R_BAD_IMAGE, bad);
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
		char from[40];
		mig_sender_text(in->ep, in->from, from, sizeof(from));
		printf("rtcr: migration %u from %s: task %.16s (task %u there)\n", (unsigned)in->mig,
		       from, o.name, (unsigned)o.task_id);
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

/* Every chunk is in: check, store, apply. Returns why it failed, or NULL. */
static const char *store_image(struct incoming *in, char *why, size_t size, uint32_t *code)
{
	struct image *im = in->im;
	struct ckpt_header h;
	struct ckpt_detail d;
	*code = MIG_R_BAD_IMAGE;
	uint32_t crc = image_crc(in);
	if (crc != in->offer.image_crc)
		return "the checksum over the transfer does not match";
	if (ckpt_image_check_crc(im->buf, in->offer.image_len, crc, &h, &d) != CKPT_OK) {
		char text[96];
		fmt_snprintf(why, size, "image check: %s", ckpt_describe(&d, text, sizeof(text)));
		return why;
	}
	bool full = !(h.flags & CKPT_FLAG_INCREMENTAL);
	if (full != !in->offer.base_id || h.image_id != in->offer.image_id ||
	    (!full && h.base_id != in->offer.base_id))
		return "the image is not the one offered";
	if (in->nids == IDS_MAX)
		return "too many images in one migration";
	/* An increment names its base by the boot that took it and the id
	 * there: the image before it in this migration, exactly. */
	const struct image *base = full ? NULL : image_find(local_id(in, h.base_id));
	if (!full && (!base || base->origin != h.origin || base->src_id != h.base_id))
		return "the increment's base is not the image before it";
	image_complete(im, in->offer.image_len);
	im->full = full;
	im->base_id = full ? 0 : base->id;
	im->origin = h.origin;
	im->task_id = h.task_id;
	memcpy(im->name, h.name, CKPT_NAME_LEN);
	im->name[CKPT_NAME_LEN < CHILD_NAME_MAX ? CKPT_NAME_LEN : CHILD_NAME_MAX - 1] = 0;
	im->time_us = h.time_us;
	im->pause_us = h.pause_us;
	im->npages = in->offer.pages;
	im->src_id = h.image_id;
	strlcpy(im->from, in->peer->name, sizeof(im->from));
	in->src_ids[in->nids] = h.image_id;
	in->local_ids[in->nids++] = im->id;
	in->im = NULL;
	in->receiving = false;
	in->done_image = im->id;

	*code = MIG_R_RESTORE;
	struct rtcr_detail rd;
	rtcr_err e;
	if (full && in->stage)
		restore_stage_drop(in->stage);
	if (full)
		e = restore_stage_begin(im->id, &in->stage, &rd);
	else
		e = restore_stage_apply(in->stage, im->id, &rd);
	if (e == E_OK && in->final)
		e = restore_stage_finish(in->stage, true, &rd);
	if (e != E_OK) {
		strlcpy(why, rtcr_error_text(e, &rd), size);
		return why;
	}
	if (in->final) {
		in->ready = true;
		in->task_id = restore_stage_child(in->stage)->id;
	}
	return NULL;
}

static void round_complete(struct incoming *in)
{
	char why[120];
	uint32_t code;
	send_ack(in);
	const char *bad = store_image(in, why, sizeof(why), &code);
	if (bad) {
		refuse(in, code, bad);
		return;
	}
	rstats.received++;
	char from[40];
	mig_sender_text(in->ep, in->from, from, sizeof(from));
	const struct image *im = image_find(in->done_image);
	printf("rtcr: migration %u from %s: round %u: image %u (%s, %u pages, %u bytes)%s\n",
	       (unsigned)in->mig, from, in->round + 1, (unsigned)im->id,
	       im->full ? "full" : "incremental", (unsigned)im->npages, (unsigned)im->len,
	       in->ready ? "; task built, waiting for go" : "");
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
static void run_task(struct incoming *in, const char *by)
{
	struct rtcr_child *c = restore_stage_resume(in->stage);
	resumed_message(in);
	in->stage = NULL;
	in->ready = false;
	in->resumed = true;
	unpin(in);
	rstats.resumed++;
	char from[40];
	mig_sender_text(in->ep, in->from, from, sizeof(from));
	printf("rtcr: migration %u from %s: task %u (%s) runs here%s\n", (unsigned)in->mig, from,
	       (unsigned)c->id, c->name, by);
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
	run_task(in, "");
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
	mig_sender_text(in->ep, in->from, p->sender, sizeof(p->sender));
	printf("rtcr: migration %u from %s: no go came; task %u (%s) waits here, stopped. If "
	       "%s deleted its copy ('deleted here' on its console), 'resume %u' runs it here; "
	       "if it still runs it, 'kill %u'\n", (unsigned)p->mig, p->sender,
	       (unsigned)p->c->id, p->c->name, in->peer->name, (unsigned)p->c->id,
	       (unsigned)p->c->id);
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
static void run_parked(struct parked *p, const char *by)
{
	uint32_t w[4] = { p->c->id, 0, 0, 0 };
	struct mig_msg m = { .type = MIG_RESUMED, .mig = p->mig, .len = MIG_RESUMED_LEN };
	restore_child_resume(p->c, p->live);
	rstats.resumed++;
	printf("rtcr: migration %u from %s: task %u (%s) runs here%s\n", (unsigned)p->mig,
	       p->sender, (unsigned)p->c->id, p->c->name, by);
	mig_send(p->ep, p->from, p->port, &m, w, NULL);
	memset(p, 0, sizeof(*p));
}

static bool late_go(struct endpoint *ep, uint32_t from, const struct mig_msg *m)
{
	for (unsigned i = 0; i < CHILDREN_MAX && m->type == MIG_GO; i++) {
		struct parked *p = &parked[i];
		if (p->c && p->ep == ep && p->from == from && p->mig == m->mig) {
			run_parked(p, " (its go came late)");
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

int receiver_resume(struct rtcr_child *c)
{
	struct incoming *in = building(c);
	struct parked *p = parked_of(c);
	if (p) {
		run_parked(p, " (resumed by its operator)");
		return E_OK;
	}
	if (!in || !in->ready) {
		printf("task %u is still arriving: it can run once it is built\n", (unsigned)c->id);
		return E_INVALID_STATE;
	}
	run_task(in, " (resumed by its operator)");
	return E_OK;
}

int receiver_drop(struct rtcr_child *c)
{
	struct incoming *in = building(c);
	struct parked *p = parked_of(c);
	static const char reason[] = "the receiving board's operator dropped the task";
	if (in) {
		refuse(in, MIG_R_DROPPED, reason);   /* the sender keeps its task */
		return E_OK;
	}
	if (!p)
		return E_NOT_FOUND;
	reject_to(p->ep, p->from, p->port, p->mig, 0, MIG_R_DROPPED, reason);
	printf("rtcr: migration %u from %s: task %u (%s) dropped\n", (unsigned)p->mig, p->sender,
	       (unsigned)c->id, c->name);
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
	rstats.unknown_sender++;
	uint64_t now = k_time_us();
	if (!rstats.last_unknown_print || now - rstats.last_unknown_print > 1000000u) {
		char addr[24];
		endpoint_addr_text(ep->type, from, addr, sizeof(addr));
		printf("rtcr: refused %s from unknown sender %s (%u refused so far)\n",
		       mig_type_name(m->type), addr, (unsigned)rstats.unknown_sender);
		rstats.last_unknown_print = now;
	}
	if (!for_sender(m->type))
		reject_to(ep, from, port, m->mig, m->round, MIG_R_UNKNOWN_SENDER,
			  "this board takes tasks only from its peers");
}

void migrate_receive(struct endpoint *ep, uint32_t from, uint16_t port, const uint8_t *data,
		     uint32_t len)
{
	struct mig_msg m;
	int bad = mig_decode(data, len, &m);
	if (bad) {
		rstats.malformed++;
		rstats.last_bad = bad;
		return;
	}
	if (ep->type == LINK_ETH && port != LINK_UDP_PORT && !for_sender(m.type)) {
		rstats.malformed++;   /* senders send from the migration port */
		return;
	}
	const struct peer *p = ep->type == LINK_ETH ? peer_by_ip(from) : peer_by_node(from);
	if (!p) {
		unknown_sender(ep, from, port, &m);
		return;
	}
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
			drop(in, "the sender gave up; what it built here is gone");
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
			drop(in, "the sender went silent; what it built here is gone");
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
			drop(in, "the link went down; what it built here is gone");
	}
}

void receivers_list(void)
{
	printf("migrations received %u images, resumed %u tasks; refused %u (unknown senders %u); "
	       "malformed messages %u%s%s\n", (unsigned)rstats.received, (unsigned)rstats.resumed,
	       (unsigned)rstats.rejected, (unsigned)rstats.unknown_sender,
	       (unsigned)rstats.malformed, rstats.last_bad ? ", last: " : "",
	       rstats.last_bad ? mig_bad_name(rstats.last_bad) : "");
}

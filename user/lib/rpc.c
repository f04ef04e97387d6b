/*
 * RPC over IPC gates; conventions in rpc.h. Nothing here uses static data,
 * so a server can run in a task that has only its code, its stack and the
 * pages holding its objects.
 */
#include "rpc.h"

/* Message word i: words 0-3 travel in registers (struct k_msg), the rest
 * in the UTCB. */
static uint32_t get_mr(const struct k_msg *m, const struct utcb *u, unsigned i)
{
	if (i < MSG_REG_WORDS)
		return m->mr[i];
	return i < MSG_WORDS_MAX ? u->mr[i] : 0;
}

static void set_mr(struct k_msg *m, struct utcb *u, unsigned i, uint32_t v)
{
	if (i < MSG_REG_WORDS)
		m->mr[i] = v;
	else
		u->mr[i] = v;
}

/* Words and capability items share the 64 message registers. */
static bool message_fits(unsigned nwords, unsigned ncaps)
{
	return nwords <= MSG_WORDS_MAX && ncaps <= MSG_ITEMS_MAX &&
	       nwords + 2 * ncaps <= MSG_WORDS_MAX;
}

/* A message: the label, the words, then one capability item per cap. */
static void put_message(struct k_msg *m, uint32_t label, const uint32_t *words, unsigned nwords,
			const struct rpc_cap *caps, unsigned ncaps)
{
	struct utcb *u = k_utcb();
	m->tag = MSG_TAG(label, nwords, ncaps);
	for (unsigned i = 0; i < nwords; i++)
		set_mr(m, u, i, words[i]);
	for (unsigned i = 0; i < ncaps; i++) {
		unsigned kind = ITEM_CAP | (caps[i].grant ? ITEM_GRANT : 0);
		set_mr(m, u, nwords + 2 * i, ITEM(kind, caps[i].rights & RIGHTS_ALL, 0));
		set_mr(m, u, nwords + 2 * i + 1, caps[i].sel);
	}
}

/* The capability items of a received message; the kernel has replaced
 * each item's selector with where it landed. Returns how many (at most
 * max); caps may be NULL to only count them. */
static unsigned get_caps(const struct k_msg *m, struct rpc_cap *caps, unsigned max)
{
	const struct utcb *u = k_utcb();
	unsigned words = MSG_TAG_WORDS(m->tag), items = MSG_TAG_ITEMS(m->tag), n = 0;
	for (unsigned i = 0; i < items && n < max; i++) {
		uint32_t w0 = get_mr(m, u, words + 2 * i);
		if (ITEM_KIND(w0) != ITEM_CAP)
			continue;
		if (caps)
			caps[n] = (struct rpc_cap){ .sel = get_mr(m, u, words + 2 * i + 1),
						    .rights = ITEM_RIGHTS(w0),
						    .grant = (w0 & ITEM_GRANT) != 0 };
		n++;
	}
	return n;
}

/* ---- client ------------------------------------------------------------ */

int rpc_call(uint32_t gate, uint32_t op, const uint32_t *in, unsigned nin,
	     uint32_t *out, unsigned nout, unsigned *nreturned, uint32_t timeout)
{
	return rpc_call_caps(gate, op, in, nin, out, nout, nreturned, NULL, timeout);
}

int rpc_call_caps(uint32_t gate, uint32_t op, const uint32_t *in, unsigned nin,
		  uint32_t *out, unsigned nout, unsigned *nreturned,
		  struct rpc_caps *caps, uint32_t timeout)
{
	unsigned nsend = caps ? caps->nsend : 0;
	if (nreturned)
		*nreturned = 0;
	if (caps)
		caps->nreceived = 0;
	/* Labels from GATE_OP_BASE up would be operations on the gate itself. */
	if (op >= GATE_OP_BASE || !message_fits(nin, nsend))
		return E_INVALID_ARG;

	/* The reply's capabilities may land only where this call says: the
	 * thread's own window (it may be a server too) is put back after. */
	struct utcb *u = k_utcb();
	uint32_t saved_sel = u->br[BR_CAP_SEL], saved_slots = u->br[BR_CAP_COUNT];
	u->br[BR_CAP_SEL] = caps && caps->window_slots ? caps->window : SEL_NULL;
	u->br[BR_CAP_COUNT] = caps ? caps->window_slots : 0;

	struct k_msg m = { 0 };
	put_message(&m, op, in, nin, caps ? caps->send : NULL, nsend);
	int st = k_call(gate, &m, timeout);
	u->br[BR_CAP_SEL] = saved_sel;
	u->br[BR_CAP_COUNT] = saved_slots;
	if (st != E_OK)
		return st;

	unsigned n = MSG_TAG_WORDS(m.tag) < nout ? MSG_TAG_WORDS(m.tag) : nout;
	for (unsigned i = 0; i < n; i++)
		out[i] = get_mr(&m, u, i);
	if (nreturned)
		*nreturned = n;
	if (caps)
		caps->nreceived = get_caps(&m, NULL, MSG_ITEMS_MAX);
	return (int)MSG_TAG_LABEL(m.tag);
}

/* ---- server ------------------------------------------------------------ */

/* The kernel reads the buffer registers when a message arrives, so the
 * window must be set before every wait. */
static void open_window(const struct rpc_server *srv)
{
	struct utcb *u = k_utcb();
	u->br[BR_CAP_SEL] = srv->cap_window_slots ? srv->cap_window : SEL_NULL;
	u->br[BR_CAP_COUNT] = srv->cap_window_slots;
	u->br[BR_MEM_VA] = 0;
	u->br[BR_MEM_PAGES] = 0;
}

static void read_request(struct rpc_server *srv, const struct k_msg *m, struct rpc_request *rq)
{
	const struct utcb *u = k_utcb();
	rq->server = srv;
	rq->gate_label = m->label;
	rq->op = MSG_TAG_LABEL(m->tag);
	rq->nwords = MSG_TAG_WORDS(m->tag) < MSG_WORDS_MAX ? MSG_TAG_WORDS(m->tag) : MSG_WORDS_MAX;
	for (unsigned i = 0; i < rq->nwords; i++)
		rq->words[i] = get_mr(m, u, i);
	rq->ncaps = get_caps(m, rq->caps, MSG_ITEMS_MAX);
	rq->nreply = 0;
	rq->nreply_caps = 0;
}

static const struct rpc_object *find_object(const struct rpc_server *srv, uint32_t label)
{
	for (unsigned i = 0; i < srv->nobjects; i++)
		if (srv->objects[i].label == label)
			return &srv->objects[i];
	return NULL;
}

/* Hand the request in m to its object and put the answer into m. */
static void dispatch(struct rpc_server *srv, struct k_msg *m, struct rpc_request *rq)
{
	read_request(srv, m, rq);
	const struct rpc_object *obj = find_object(srv, rq->gate_label);
	bool handled = obj || srv->fallback;
	int status = obj ? obj->handle(obj->ctx, rq) :
		     srv->fallback ? srv->fallback(srv->fallback_ctx, rq) : E_NOT_FOUND;
	/* A handler's reply that cannot be sent is the server's bug; the
	 * client learns something went wrong rather than reading garbage. */
	if (!handled || !message_fits(rq->nreply, rq->nreply_caps)) {
		if (handled)
			status = E_INVALID_ARG;
		rq->nreply = 0;
		rq->nreply_caps = 0;
	}
	put_message(m, (uint32_t)status, rq->reply, rq->nreply, rq->reply_caps, rq->nreply_caps);
}

/* A reply's capabilities can be refused (the client's window is closed or
 * full); the client would then wait for ever, so it gets that error as
 * the status instead, with nothing else. */
static void send_reply(struct k_msg *m)
{
	int st = k_reply(m);
	if (st != E_OK) {
		*m = (struct k_msg){ .tag = MSG_TAG(st, 0, 0) };
		k_reply(m);
	}
}

void rpc_server_loop(struct rpc_server *srv)
{
	struct rpc_request rq;
	struct k_msg m = { 0 };
	bool reply_pending = false;
	for (;;) {
		open_window(srv);
		int st = reply_pending ? k_reply_wait(&m, TIMEOUT_NEVER) : k_wait(&m, TIMEOUT_NEVER);
		reply_pending = false;
		if (st != E_OK)
			continue;   /* nothing arrived (the wait was aborted): nobody to answer */
		dispatch(srv, &m, &rq);
		if (MSG_TAG_ITEMS(m.tag))
			send_reply(&m);
		else
			reply_pending = true;   /* a reply without items cannot fail: it goes
						   out with the next wait, in one system call */
	}
}

int rpc_server_once(struct rpc_server *srv, uint32_t timeout)
{
	struct rpc_request rq;
	struct k_msg m = { 0 };
	open_window(srv);
	int st = k_wait(&m, timeout);
	if (st != E_OK)
		return st;
	dispatch(srv, &m, &rq);
	send_reply(&m);
	return E_OK;
}

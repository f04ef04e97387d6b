/* The runtime library's RPC layer (user/lib/rpc.h): client stubs and the
 * server loop, in the test task and in a task of its own. */
#include "ktest.h"
#include "selalloc.h"
#include "pages.h"
#include "rpc.h"

#define LABEL_A      0xa1u   /* gate labels: the objects */
#define LABEL_B      0xb2u
#define LABEL_NONE   0xc3u   /* a gate to the server with no object behind it */
#define LABEL_ADDER  0x42u

enum counter_op {
	OP_INFO = 1,    /* -> id, gate label, words and capabilities received */
	OP_ADD,         /* add every word to the value -> the value */
	OP_ECHO,        /* -> every word + id */
	OP_CALL_CAP,    /* with one capability: OP_ADD word 0 through it, keep it
	                   -> status, value, where it landed, rights, grant */
	OP_GET_CAP,     /* -> the counter's gift capability, write right only */
	OP_UNKNOWN = 99,
};

/* The object behind a gate. Everything a server touches lives in one
 * page, so the same code serves from a task that has only that page. */
struct counter {
	uint32_t id, value, calls;
	uint32_t gift;   /* a selector in the server's space, for OP_GET_CAP */
};

struct rpc_box {
	struct rpc_server server;
	struct rpc_object objects[2];
	struct counter counters[2];
	volatile uint32_t once_status, once_done;
};

static int reply_words(struct rpc_request *rq, unsigned n, const uint32_t *w)
{
	for (unsigned i = 0; i < n; i++)
		rq->reply[i] = w[i];
	rq->nreply = n;
	return E_OK;
}

static int call_received_cap(struct rpc_request *rq)
{
	if (rq->ncaps != 1 || rq->nwords != 1)
		return E_INVALID_ARG;
	uint32_t value = 0;
	int st = rpc_call(rq->caps[0].sel, OP_ADD, rq->words, 1, &value, 1, NULL, TIMEOUT_NEVER);
	/* Kept: the next request's capabilities land after it. */
	rq->server->cap_window += rq->ncaps;
	uint32_t w[5] = { (uint32_t)st, value, rq->caps[0].sel, rq->caps[0].rights, rq->caps[0].grant };
	return reply_words(rq, 5, w);
}

static int counter_handle(void *ctx, struct rpc_request *rq)
{
	struct counter *c = ctx;
	c->calls++;
	switch (rq->op) {
	case OP_INFO: {
		uint32_t w[4] = { c->id, rq->gate_label, rq->nwords, rq->ncaps };
		return reply_words(rq, 4, w);
	}
	case OP_ADD:
		for (unsigned i = 0; i < rq->nwords; i++)
			c->value += rq->words[i];
		return reply_words(rq, 1, &c->value);
	case OP_ECHO:
		for (unsigned i = 0; i < rq->nwords; i++)
			rq->reply[i] = rq->words[i] + c->id;
		rq->nreply = rq->nwords;
		return E_OK;
	case OP_CALL_CAP:
		return call_received_cap(rq);
	case OP_GET_CAP:
		rq->reply_caps[0] = (struct rpc_cap){ .sel = c->gift, .rights = RIGHT_WRITE };
		rq->nreply_caps = 1;
		return E_OK;
	default:
		return E_INVALID_OP;
	}
}

static void server_main(uint32_t arg)
{
	struct rpc_box *box = (struct rpc_box *)arg;
	rpc_server_loop(&box->server);
}

static void server_once_main(uint32_t arg)
{
	struct rpc_box *box = (struct rpc_box *)arg;
	box->once_status = (uint32_t)rpc_server_once(&box->server, TIMEOUT_NEVER);
	box->once_done = 1;
}

/* Two counters (ids 100 and 101) under LABEL_A and LABEL_B. */
static struct rpc_box *new_box(uint32_t cap_window, unsigned cap_slots)
{
	struct rpc_box *box = pages_alloc(1);
	if (!box)
		return NULL;
	for (unsigned i = 0; i < 2; i++) {
		box->counters[i].id = 100 + i;
		box->objects[i] = (struct rpc_object){ i ? LABEL_B : LABEL_A, counter_handle,
						       &box->counters[i] };
	}
	box->server = (struct rpc_server){ .objects = box->objects, .nobjects = 2,
					   .cap_window = cap_window, .cap_window_slots = cap_slots };
	return box;
}

static uint32_t make_gate(uint32_t label, uint32_t thread)
{
	uint32_t g = sel_alloc();
	return g && k_gate_create(SEL_FACTORY, g, label, thread) == E_OK ? g : 0;
}

struct served {
	uint32_t thread, task;     /* task: SEL_NULL when it is ours */
	uint32_t a, b, none;       /* gates */
};

static bool start_server(struct rpc_box *box, kt_thread_fn fn, bool own_task, struct served *s)
{
	s->task = SEL_NULL;
	if (!box)
		return false;
	s->thread = own_task ? kt_spawn_task(fn, (uint32_t)box, 60, "rpcsrv", box, 1, &s->task)
			     : kt_spawn(fn, (uint32_t)box, 60, "rpcsrv");
	s->a = make_gate(LABEL_A, s->thread);
	s->b = make_gate(LABEL_B, s->thread);
	s->none = make_gate(LABEL_NONE, s->thread);
	return s->thread && s->a && s->b && s->none;
}

/* An RPC server of its own with one counter under LABEL_ADDER; returns a
 * gate to it. */
static uint32_t start_adder(void)
{
	struct rpc_box *box = new_box(SEL_NULL, 0);
	if (!box)
		return 0;
	box->objects[0].label = LABEL_ADDER;
	uint32_t t = kt_spawn(server_main, (uint32_t)box, 60, "adder");
	return t ? make_gate(LABEL_ADDER, t) : 0;
}

/* What every server must do, wherever it runs. */
static void check_dispatch(struct rpc_box *box, const struct served *s)
{
	uint32_t in[3] = { 1, 2, 3 }, out[8];
	unsigned n = 99;

	/* Each gate reaches its own object, with op and words. */
	KT_ASSERT_ERR(rpc_call(s->a, OP_INFO, in, 2, out, 8, &n, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(n, 4);
	KT_ASSERT_EQ(out[0], 100);
	KT_ASSERT_EQ(out[1], LABEL_A);
	KT_ASSERT_EQ(out[2], 2);
	KT_ASSERT_EQ(out[3], 0);
	KT_ASSERT_ERR(rpc_call(s->b, OP_INFO, NULL, 0, out, 8, &n, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(out[0], 101);
	KT_ASSERT_EQ(out[1], LABEL_B);
	KT_ASSERT_EQ(out[2], 0);

	/* Objects keep their own state. */
	KT_ASSERT_ERR(rpc_call(s->a, OP_ADD, in, 3, out, 1, &n, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(out[0], 6);
	KT_ASSERT_ERR(rpc_call(s->a, OP_ADD, in + 2, 1, out, 1, &n, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(out[0], 9);
	KT_ASSERT_ERR(rpc_call(s->b, OP_ADD, in + 1, 1, out, 1, &n, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(out[0], 2);
	KT_ASSERT_EQ(box->counters[0].value, 9);
	KT_ASSERT_EQ(box->counters[1].value, 2);

	/* Only as many words as asked for are copied. */
	KT_ASSERT_ERR(rpc_call(s->a, OP_INFO, NULL, 0, out, 1, &n, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(n, 1);

	/* The handler's error for an op it does not know; the server's for a
	 * label with no object (no handler runs). */
	unsigned calls = box->counters[0].calls + box->counters[1].calls;
	KT_ASSERT_ERR(rpc_call(s->a, OP_UNKNOWN, in, 1, out, 8, &n, TIMEOUT_NEVER), E_INVALID_OP);
	KT_ASSERT_EQ(n, 0);
	KT_ASSERT_ERR(rpc_call(s->none, OP_INFO, in, 1, out, 8, &n, TIMEOUT_NEVER), E_NOT_FOUND);
	KT_ASSERT_EQ(n, 0);
	KT_ASSERT_EQ(box->counters[0].calls + box->counters[1].calls, calls + 1);

	/* An aborted wait is no request: the server waits again. */
	KT_ASSERT(kt_wait_state(s->thread, TS_BLOCKED, 100));
	KT_ASSERT_ERR(k_thread_abort_ipc(s->thread), E_OK);
	KT_ASSERT_ERR(rpc_call(s->b, OP_INFO, NULL, 0, out, 8, &n, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(out[0], 101);
	KT_ASSERT_EQ(box->counters[0].calls + box->counters[1].calls, calls + 2);
}

DEFINE_TEST(rpc_dispatch, "an RPC server dispatches on the gate label; statuses and words come back")
{
	struct served s;
	struct rpc_box *box = new_box(SEL_NULL, 0);
	KT_ASSERT(start_server(box, server_main, false, &s));
	check_dispatch(box, &s);
}

DEFINE_TEST(rpc_dispatch_other_task, "the same RPC server in a task of its own")
{
	struct served s;
	struct rpc_box *box = new_box(SEL_NULL, 0);
	KT_ASSERT(start_server(box, server_main, true, &s));
	struct k_thread_info srv, me;
	KT_ASSERT_ERR(k_thread_info(s.thread, &srv), E_OK);
	KT_ASSERT_ERR(k_thread_info(SEL_THREAD, &me), E_OK);
	KT_ASSERT(srv.task != me.task);
	check_dispatch(box, &s);
}

DEFINE_TEST(rpc_long_message, "64-word requests and replies, through the UTCBs")
{
	struct served s;
	struct rpc_box *box = new_box(SEL_NULL, 0);
	KT_ASSERT(start_server(box, server_main, true, &s));
	uint32_t in[MSG_WORDS_MAX], out[MSG_WORDS_MAX];
	unsigned n = 0;
	for (unsigned i = 0; i < MSG_WORDS_MAX; i++)
		in[i] = i * 1000;
	KT_ASSERT_ERR(rpc_call(s.b, OP_ECHO, in, MSG_WORDS_MAX, out, MSG_WORDS_MAX, &n, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(n, MSG_WORDS_MAX);
	for (unsigned i = 0; i < MSG_WORDS_MAX; i++)
		KT_ASSERT_EQ(out[i], i * 1000 + 101);
	/* More than fits is refused before anything is sent. */
	KT_ASSERT_ERR(rpc_call(s.b, OP_ECHO, in, MSG_WORDS_MAX + 1, out, 1, &n, TIMEOUT_NEVER), E_INVALID_ARG);
	KT_ASSERT_EQ(box->counters[1].calls, 1);
}

static int cap_at(uint32_t task, uint32_t sel, struct k_cap_info *ci)
{
	int st = k_task_cap_info(task, sel, ci);
	return st == E_OK && ci->sel != sel ? E_NOT_FOUND : st;
}

DEFINE_TEST(rpc_cap_in_request, "capabilities sent with a request land in the server's window and work")
{
	struct served s;
	struct rpc_box *box = new_box(200, 1);
	KT_ASSERT(start_server(box, server_main, true, &s));
	uint32_t adder = start_adder();
	KT_ASSERT(adder);

	/* Mapped with the write right only. */
	struct rpc_cap send = { .sel = adder, .rights = RIGHT_WRITE };
	struct rpc_caps caps = { .send = &send, .nsend = 1 };
	uint32_t in = 41, out[5];
	unsigned n = 0;
	KT_ASSERT_ERR(rpc_call_caps(s.a, OP_CALL_CAP, &in, 1, out, 5, &n, &caps, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(n, 5);
	KT_ASSERT_ERR(out[0], E_OK);   /* the server could call through it */
	KT_ASSERT_EQ(out[1], 41);
	KT_ASSERT_EQ(out[2], 200);     /* where it landed */
	KT_ASSERT_EQ(out[3], RIGHT_WRITE);
	KT_ASSERT_EQ(out[4], 0);
	struct k_cap_info mine, theirs;
	KT_ASSERT_ERR(cap_at(SEL_TASK, adder, &mine), E_OK);
	KT_ASSERT_ERR(cap_at(s.task, 200, &theirs), E_OK);
	KT_ASSERT_EQ(theirs.obj_id, mine.obj_id);
	KT_ASSERT_EQ(theirs.rights, RIGHT_WRITE);

	/* The handler kept it and moved the window: a granted copy lands
	 * next, and leaves our slot. */
	uint32_t copy = sel_alloc();
	KT_ASSERT_ERR(k_task_cap_map(SEL_TASK, adder, copy, RIGHTS_ALL), E_OK);
	send = (struct rpc_cap){ .sel = copy, .rights = RIGHTS_ALL, .grant = true };
	KT_ASSERT_ERR(rpc_call_caps(s.a, OP_CALL_CAP, &in, 1, out, 5, &n, &caps, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(out[1], 82);
	KT_ASSERT_EQ(out[2], 201);
	KT_ASSERT_EQ(out[4], 1);
	KT_ASSERT_ERR(cap_at(SEL_TASK, copy, &theirs), E_NOT_FOUND);
	KT_ASSERT_ERR(cap_at(s.task, 201, &theirs), E_OK);
	KT_ASSERT_EQ(theirs.rights, RIGHTS_ALL);

	/* A handler that wants one and gets none says so. */
	KT_ASSERT_ERR(rpc_call(s.a, OP_CALL_CAP, &in, 1, out, 5, &n, TIMEOUT_NEVER), E_INVALID_ARG);
	/* OP_INFO does not keep what it gets: it stays in the window's slot,
	 * and the next capability sent finds the slot taken. */
	send = (struct rpc_cap){ .sel = adder, .rights = RIGHT_READ };
	KT_ASSERT_ERR(rpc_call_caps(s.a, OP_INFO, NULL, 0, out, 4, &n, &caps, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(out[3], 1);
	KT_ASSERT_ERR(cap_at(s.task, 202, &theirs), E_OK);
	KT_ASSERT_EQ(theirs.rights, RIGHT_READ);
	KT_ASSERT_ERR(rpc_call_caps(s.a, OP_INFO, NULL, 0, out, 4, &n, &caps, TIMEOUT_NEVER), E_SLOT_IN_USE);
}

DEFINE_TEST(rpc_cap_in_reply, "a capability in a reply lands in the caller's window, open only for the call")
{
	struct served s;
	struct rpc_box *box = new_box(SEL_NULL, 0);
	box->counters[0].gift = start_adder();
	KT_ASSERT(box->counters[0].gift);
	KT_ASSERT(start_server(box, server_main, false, &s));

	/* Our own window, which the call must leave as it was. */
	struct utcb *u = k_utcb();
	u->br[BR_CAP_SEL] = 3000;
	u->br[BR_CAP_COUNT] = 5;
	uint32_t window = sel_alloc();
	struct rpc_caps caps = { .window = window, .window_slots = 1 };
	int st = rpc_call_caps(s.a, OP_GET_CAP, NULL, 0, NULL, 0, NULL, &caps, TIMEOUT_NEVER);
	uint32_t br_sel = u->br[BR_CAP_SEL], br_count = u->br[BR_CAP_COUNT];
	u->br[BR_CAP_SEL] = u->br[BR_CAP_COUNT] = 0;
	KT_ASSERT_ERR(st, E_OK);
	KT_ASSERT_EQ(br_sel, 3000);
	KT_ASSERT_EQ(br_count, 5);
	KT_ASSERT_EQ(caps.nreceived, 1);

	struct k_cap_info ci;
	KT_ASSERT_ERR(cap_at(SEL_TASK, window, &ci), E_OK);
	KT_ASSERT_EQ(ci.type, KOBJ_GATE);
	KT_ASSERT_EQ(ci.label, LABEL_ADDER);
	KT_ASSERT_EQ(ci.rights, RIGHT_WRITE);
	uint32_t in = 5, out = 0;
	KT_ASSERT_ERR(rpc_call(window, OP_ADD, &in, 1, &out, 1, NULL, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(out, 5);

	/* No window: the kernel refuses the server's reply, and the server
	 * answers with that error instead of leaving us waiting. */
	KT_ASSERT_ERR(rpc_call(s.a, OP_GET_CAP, NULL, 0, NULL, 0, NULL, TIMEOUT_NEVER), E_NO_BUFFER);
	/* A window whose slot is taken. */
	caps.nreceived = 9;
	KT_ASSERT_ERR(rpc_call_caps(s.a, OP_GET_CAP, NULL, 0, NULL, 0, NULL, &caps, TIMEOUT_NEVER), E_SLOT_IN_USE);
	KT_ASSERT_EQ(caps.nreceived, 0);
	/* And the server goes on. */
	uint32_t info[4];
	KT_ASSERT_ERR(rpc_call(s.a, OP_INFO, NULL, 0, info, 4, NULL, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(info[0], 100);
}

static void sleeper(uint32_t a)
{
	(void)a;
	k_sleep_us(TIMEOUT_NEVER);
}

DEFINE_TEST(rpc_ipc_errors, "IPC errors come back unchanged; bad requests fail before sending")
{
	uint32_t busy = make_gate(LABEL_A, kt_spawn(sleeper, 0, 60, "sleeper"));
	uint32_t unbound = make_gate(LABEL_A, SEL_NULL);
	KT_ASSERT(busy && unbound);
	uint32_t out[2] = { 7, 7 };
	unsigned n = 9;
	/* Nobody receives: the kernel's status, no words. */
	KT_ASSERT_ERR(rpc_call(busy, OP_INFO, NULL, 0, out, 2, &n, TIMEOUT_POLL), E_TIMEOUT);
	KT_ASSERT_EQ(n, 0);
	KT_ASSERT_EQ(out[0], 7);
	KT_ASSERT_ERR(rpc_call(unbound, OP_INFO, NULL, 0, out, 2, &n, TIMEOUT_POLL), E_INVALID_STATE);
	KT_ASSERT_ERR(rpc_call(3000, OP_INFO, NULL, 0, out, 2, &n, TIMEOUT_POLL), E_EMPTY_SLOT);

	/* Labels from GATE_OP_BASE up are the gate's own operations. */
	KT_ASSERT_ERR(rpc_call(unbound, GATE_BIND, out, 1, NULL, 0, NULL, TIMEOUT_POLL), E_INVALID_ARG);
	/* Words and capability items must fit in the message registers. */
	uint32_t words[MSG_WORDS_MAX] = { 0 };
	struct rpc_cap three[3] = { { .sel = busy }, { .sel = busy }, { .sel = busy } };
	struct rpc_caps caps = { .send = three, .nsend = 3 };
	KT_ASSERT_ERR(rpc_call_caps(busy, OP_INFO, words, MSG_WORDS_MAX - 5, NULL, 0, NULL, &caps,
				    TIMEOUT_POLL), E_INVALID_ARG);
	caps.nsend = MSG_ITEMS_MAX + 1;
	KT_ASSERT_ERR(rpc_call_caps(busy, OP_INFO, NULL, 0, NULL, 0, NULL, &caps, TIMEOUT_POLL),
		      E_INVALID_ARG);

	/* A server with nothing to serve. */
	struct rpc_server none = { 0 };
	KT_ASSERT_ERR(rpc_server_once(&none, TIMEOUT_POLL), E_TIMEOUT);
}

DEFINE_TEST(rpc_server_once, "rpc_server_once answers exactly one request")
{
	struct served s;
	struct rpc_box *box = new_box(SEL_NULL, 0);
	KT_ASSERT(start_server(box, server_once_main, false, &s));
	uint32_t out[4];
	KT_ASSERT_ERR(rpc_call(s.b, OP_INFO, NULL, 0, out, 4, NULL, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(out[0], 101);
	KT_ASSERT(kt_wait_flag(&box->once_done, 100));
	KT_ASSERT_ERR(box->once_status, E_OK);
	/* It returned: nobody takes the next call. */
	KT_ASSERT_ERR(rpc_call(s.b, OP_INFO, NULL, 0, out, 4, NULL, TIMEOUT_POLL), E_TIMEOUT);
}

/* IPC through gates: call, reply-and-wait, send, wait, timeouts, abort. */
#include "ktest.h"
#include "selalloc.h"
#include "pages.h"

/* Echo server: answers each message with the words incremented by one, the
 * gate label in word 0 of a 0-word message, and label + 1 as protocol
 * label. Touches only its stack, so it can run in a task of its own. */
static void echo_server(uint32_t arg)
{
	(void)arg;
	struct k_msg m = { 0 };
	struct utcb *u = k_utcb();
	int st = k_wait(&m, TIMEOUT_NEVER);
	for (;;) {
		unsigned words = MSG_TAG_WORDS(m.tag);
		uint32_t label = MSG_TAG_LABEL(m.tag);
		if (st != E_OK) {
			m.tag = MSG_TAG(0, 0, 0);
		} else if (words == 0) {
			m.mr[0] = m.label;
			m.tag = MSG_TAG(label + 1, 1, 0);
		} else {
			for (unsigned i = 0; i < words && i < MSG_REG_WORDS; i++)
				m.mr[i]++;
			for (unsigned i = MSG_REG_WORDS; i < words; i++)
				u->mr[i]++;
			m.tag = MSG_TAG(label + 1, words, 0);
		}
		st = k_reply_wait(&m, TIMEOUT_NEVER);
	}
}

static uint32_t make_gate(uint32_t label, uint32_t thread)
{
	uint32_t g = sel_alloc();
	return k_gate_create(SEL_FACTORY, g, label, thread) == E_OK ? g : 0;
}

DEFINE_TEST(ipc_call_reply, "a call reaches the bound thread with the gate label and gets its reply")
{
	uint32_t srv = kt_spawn(echo_server, 0, 60, "echo");
	KT_ASSERT(srv);
	uint32_t g1 = make_gate(0x1111, srv), g2 = make_gate(0x2222, SEL_NULL);
	KT_ASSERT(g1 && g2);
	KT_ASSERT_ERR(k_gate_bind(g2, srv), E_OK);

	struct k_msg m = { .tag = MSG_TAG(7, 4, 0), .mr = { 10, 20, 30, 40 } };
	KT_ASSERT_ERR(k_call(g1, &m, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(MSG_TAG_LABEL(m.tag), 8);
	KT_ASSERT_EQ(MSG_TAG_WORDS(m.tag), 4);
	KT_ASSERT_EQ(m.mr[0], 11);
	KT_ASSERT_EQ(m.mr[3], 41);
	/* The receiver learns which gate: each gate's own label. */
	m = (struct k_msg){ .tag = MSG_TAG(1, 0, 0) };
	KT_ASSERT_ERR(k_call(g1, &m, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(m.mr[0], 0x1111);
	m = (struct k_msg){ .tag = MSG_TAG(1, 0, 0) };
	KT_ASSERT_ERR(k_call(g2, &m, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(m.mr[0], 0x2222);
	uint32_t info[2];
	KT_ASSERT_ERR(k_invoke(g2, GATE_INFO, NULL, 0, info, 2, 0), E_OK);
	KT_ASSERT_EQ(info[0], 0x2222);
}

DEFINE_TEST(ipc_gate_recreate, "a gate deleted and created again at the same selector carries the label chosen anew")
{
	uint32_t srv = kt_spawn(echo_server, 0, 60, "echo");
	uint32_t g = make_gate(0x1111, srv);
	KT_ASSERT(srv && g);
	struct k_msg m = { .tag = MSG_TAG(1, 0, 0) };
	KT_ASSERT_ERR(k_call(g, &m, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(m.mr[0], 0x1111);
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, g), E_OK);
	m = (struct k_msg){ .tag = MSG_TAG(1, 0, 0) };
	KT_ASSERT_ERR(k_call(g, &m, TIMEOUT_NEVER), E_EMPTY_SLOT);
	KT_ASSERT_ERR(k_gate_create(SEL_FACTORY, g, 0x2222, srv), E_OK);
	m = (struct k_msg){ .tag = MSG_TAG(1, 0, 0) };
	KT_ASSERT_ERR(k_call(g, &m, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(m.mr[0], 0x2222);
}

DEFINE_TEST(ipc_long_message, "64 message words, 60 of them through the UTCBs")
{
	uint32_t srv = kt_spawn(echo_server, 0, 60, "echo");
	uint32_t g = make_gate(5, srv);
	KT_ASSERT(srv && g);
	struct utcb *u = k_utcb();
	struct k_msg m = { .tag = MSG_TAG(3, MSG_WORDS_MAX, 0), .mr = { 0, 1, 2, 3 } };
	for (unsigned i = MSG_REG_WORDS; i < MSG_WORDS_MAX; i++)
		u->mr[i] = i * 1000;
	KT_ASSERT_ERR(k_call(g, &m, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(MSG_TAG_WORDS(m.tag), MSG_WORDS_MAX);
	KT_ASSERT_EQ(m.mr[2], 3);
	for (unsigned i = MSG_REG_WORDS; i < MSG_WORDS_MAX; i++)
		KT_ASSERT_EQ(u->mr[i], i * 1000 + 1);
}

DEFINE_TEST(ipc_other_task, "a call to a server in another address space")
{
	uint32_t task;
	uint32_t srv = kt_spawn_task(echo_server, 0, 60, "echo", NULL, 0, &task);
	uint32_t g = make_gate(0x3333, srv);
	KT_ASSERT(srv && g);
	struct k_thread_info a, b;
	KT_ASSERT_ERR(k_thread_info(srv, &a), E_OK);
	KT_ASSERT_ERR(k_thread_info(SEL_THREAD, &b), E_OK);
	KT_ASSERT(a.task != b.task);
	for (uint32_t i = 0; i < 100; i++) {
		struct k_msg m = { .tag = MSG_TAG(i, 2, 0), .mr = { i, ~i } };
		KT_ASSERT_ERR(k_call(g, &m, TIMEOUT_NEVER), E_OK);
		KT_ASSERT_EQ(m.mr[0], i + 1);
		KT_ASSERT_EQ(m.mr[1], ~i + 1);
		KT_ASSERT_EQ(MSG_TAG_LABEL(m.tag), i + 1);
	}
}

/* A receiver that takes one message per wake-up and logs it. */
static volatile uint32_t recv_log[8], recv_n, recv_status;

static void logger(uint32_t arg)
{
	(void)arg;
	for (;;) {
		struct k_msg m = { 0 };
		recv_status = (uint32_t)k_wait(&m, TIMEOUT_NEVER);
		recv_log[recv_n++] = m.mr[0];
	}
}

static volatile uint32_t sent_status[3];
static uint32_t send_gate;

static void sender(uint32_t v)
{
	struct k_msg m = { .tag = MSG_TAG(0, 1, 0), .mr = { v } };
	sent_status[v] = (uint32_t)k_send(send_gate, &m, TIMEOUT_NEVER) + 100;
}

DEFINE_TEST(ipc_send_queue, "senders wait for the receiver and are served in order")
{
	recv_n = 0;
	sent_status[0] = sent_status[1] = sent_status[2] = 0;
	/* Receiver below the senders: they all queue up before it runs. */
	uint32_t r = kt_spawn(logger, 0, 20, "logger");
	send_gate = make_gate(9, r);
	KT_ASSERT(r && send_gate);
	KT_ASSERT(kt_spawn(sender, 0, 40, "snd0"));
	KT_ASSERT(kt_spawn(sender, 1, 40, "snd1"));
	KT_ASSERT(kt_spawn(sender, 2, 40, "snd2"));
	k_sleep_us(30000);
	KT_ASSERT_EQ(recv_n, 3);
	for (unsigned i = 0; i < 3; i++) {
		KT_ASSERT_EQ(recv_log[i], i);
		KT_ASSERT_EQ(sent_status[i], 100 + E_OK);
	}
	/* A send to a waiting receiver returns at once. */
	struct k_msg m = { .tag = MSG_TAG(0, 1, 0), .mr = { 42 } };
	KT_ASSERT_ERR(k_send(send_gate, &m, TIMEOUT_POLL), E_OK);
	k_sleep_us(5000);
	KT_ASSERT_EQ(recv_n, 4);
	KT_ASSERT_EQ(recv_log[3], 42);
}

static void idle_thread_fn(uint32_t a)
{
	(void)a;
	k_sleep_us(TIMEOUT_NEVER);   /* bound to gates, but never receives */
}

DEFINE_TEST(ipc_timeouts, "send and receive timeouts: poll, finite")
{
	uint32_t t = kt_spawn(idle_thread_fn, 0, 50, "deaf");
	uint32_t g = make_gate(1, t);
	KT_ASSERT(t && g);
	struct k_msg m = { .tag = MSG_TAG(0, 0, 0) };
	uint64_t t0 = k_time_us();
	KT_ASSERT_ERR(k_call(g, &m, TIMEOUT_POLL), E_TIMEOUT);
	KT_ASSERT_ERR(k_send(g, &m, TIMEOUT_POLL), E_TIMEOUT);
	KT_ASSERT(k_time_us() - t0 < 50000);
	t0 = k_time_us();
	KT_ASSERT_ERR(k_call(g, &m, 20000), E_TIMEOUT);
	uint64_t dt = k_time_us() - t0;
	KT_ASSERT(dt >= 20000 && dt < 220000);
	/* Receiving with nobody sending. */
	KT_ASSERT_ERR(k_wait(&m, TIMEOUT_POLL), E_TIMEOUT);
	t0 = k_time_us();
	KT_ASSERT_ERR(k_wait(&m, 15000), E_TIMEOUT);
	KT_ASSERT(k_time_us() - t0 >= 15000);
}

/* Calls a gate whose server never answers; records how the call ended. */
static volatile uint32_t stuck_status;
static uint32_t stuck_gate;

static void stuck_caller(uint32_t a)
{
	(void)a;
	struct k_msg m = { .tag = MSG_TAG(0, 0, 0) };
	stuck_status = (uint32_t)k_call(stuck_gate, &m, TIMEOUT_NEVER) + 100;
}

static void silent_server(uint32_t a)
{
	(void)a;
	struct k_msg m = { 0 };
	k_wait(&m, TIMEOUT_NEVER);      /* takes the call, never replies */
	k_sleep_us(TIMEOUT_NEVER);
}

static void deaf_receiver(uint32_t a)
{
	(void)a;
	struct k_msg m = { 0 };
	stuck_status = (uint32_t)k_wait(&m, TIMEOUT_NEVER) + 100;
}

DEFINE_TEST(ipc_abort, "a thread blocked in IPC is aborted from outside and learns it")
{
	/* In the reply phase. */
	stuck_status = 0;
	uint32_t srv = kt_spawn(silent_server, 0, 50, "silent");
	stuck_gate = make_gate(2, srv);
	uint32_t c = kt_spawn(stuck_caller, 0, 40, "caller");
	KT_ASSERT(srv && stuck_gate && c);
	k_sleep_us(10000);
	KT_ASSERT_EQ(kt_state(c), TS_BLOCKED);
	KT_ASSERT_ERR(k_thread_abort_ipc(c), E_OK);
	KT_ASSERT(kt_wait_flag(&stuck_status, 100));
	KT_ASSERT_EQ(stuck_status, 100 + E_ABORTED);

	/* In the send phase: the server sleeps and never receives. */
	stuck_status = 0;
	uint32_t deaf = kt_spawn(idle_thread_fn, 0, 50, "deaf");
	stuck_gate = make_gate(3, deaf);
	c = kt_spawn(stuck_caller, 0, 40, "caller2");
	k_sleep_us(10000);
	KT_ASSERT_EQ(kt_state(c), TS_BLOCKED);
	KT_ASSERT_ERR(k_thread_abort_ipc(c), E_OK);
	KT_ASSERT(kt_wait_flag(&stuck_status, 100));
	KT_ASSERT_EQ(stuck_status, 100 + E_ABORTED);

	/* In a receive. */
	stuck_status = 0;
	uint32_t r = kt_spawn(deaf_receiver, 0, 40, "recv");
	k_sleep_us(5000);
	KT_ASSERT_ERR(k_thread_abort_ipc(r), E_OK);
	KT_ASSERT(kt_wait_flag(&stuck_status, 100));
	KT_ASSERT_EQ(stuck_status, 100 + E_ABORTED);

	/* Only a blocked thread can be aborted. */
	KT_ASSERT_ERR(k_thread_abort_ipc(SEL_THREAD), E_INVALID_STATE);
}

DEFINE_TEST(ipc_bad_arguments, "IPC with bad gates, rights and sizes fails cleanly")
{
	struct k_msg m = { .tag = MSG_TAG(0, 0, 0) };
	uint32_t unbound = make_gate(4, SEL_NULL);
	KT_ASSERT(unbound);
	KT_ASSERT_ERR(k_call(unbound, &m, TIMEOUT_NEVER), E_INVALID_STATE);
	uint32_t srv = kt_spawn(echo_server, 0, 60, "echo");
	uint32_t g = make_gate(5, srv), ro = sel_alloc();
	KT_ASSERT(srv && g);
	KT_ASSERT_ERR(k_task_cap_map(SEL_TASK, g, ro, RIGHT_READ), E_OK);
	m = (struct k_msg){ .tag = MSG_TAG(0, 0, 0) };
	KT_ASSERT_ERR(k_call(ro, &m, TIMEOUT_NEVER), E_NO_RIGHTS);
	m = (struct k_msg){ .tag = MSG_TAG(0, MSG_WORDS_MAX + 1, 0) };
	KT_ASSERT_ERR(k_call(g, &m, TIMEOUT_NEVER), E_INVALID_ARG);
	KT_ASSERT_ERR(k_gate_bind(g, SEL_CONSOLE), E_WRONG_TYPE);
	KT_ASSERT_ERR(k_gate_create(SEL_FACTORY, sel_alloc(), 1, SEL_TASK), E_WRONG_TYPE);
	struct k_msg w = { 0 };
	KT_ASSERT_ERR(k_syscall(SYS_WAIT, 7, TIMEOUT_POLL, &w), E_INVALID_ARG);
	w.tag = MSG_TAG(0, MSG_WORDS_MAX + 1, 0);
	KT_ASSERT_ERR(k_syscall(SYS_REPLY_WAIT, WAIT_OPEN, TIMEOUT_POLL, &w), E_INVALID_ARG);
	/* The server is unharmed. */
	m = (struct k_msg){ .tag = MSG_TAG(1, 1, 0), .mr = { 1 } };
	KT_ASSERT_ERR(k_call(g, &m, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(m.mr[0], 2);
}

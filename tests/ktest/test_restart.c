/*
 * Restartable suspend (SUSPEND_RESTART), wait kinds in THREAD_INFO, and
 * UTCB access: what a checkpoint of a blocked thread needs.
 */
#include "ktest.h"
#include "selalloc.h"
#include "string.h"

#define SVC_0 0xef000000u          /* `svc #0`, ARM state */
#define SVC_0_THUMB 0xdf00u        /* `svc #0`, Thumb */
#define FRESH_UTCB_VA 0x7e800000u  /* clear of the harness's UTCBs */

/* A server that takes a call and answers only once told to: the answer is
 * the sum of the words plus 1000, so the caller can tell a real answer. */
static volatile uint32_t srv_seen, srv_go;

static void hold_server(uint32_t a)
{
	(void)a;
	struct k_msg m = { 0 };
	struct utcb *u = k_utcb();
	k_wait(&m, TIMEOUT_NEVER);
	for (;;) {
		uint32_t sum = 1000;
		for (unsigned i = 0; i < MSG_TAG_WORDS(m.tag); i++)
			sum += i < MSG_REG_WORDS ? m.mr[i] : u->mr[i];
		srv_seen++;
		while (!srv_go)
			k_sleep_us(1000);
		m.tag = MSG_TAG(0, 1, 0);
		m.mr[0] = sum;
		k_reply_wait(&m, TIMEOUT_NEVER);
	}
}

/* Calls `gate` with six words, two of them in the UTCB. */
static volatile uint32_t call_done, call_status, call_answer;

static void six_word_caller(uint32_t gate)
{
	struct k_msg m = { .tag = MSG_TAG(5, 6, 0), .mr = { 1, 2, 3, 4 } };
	struct utcb *u = k_utcb();
	u->mr[4] = 50;
	u->mr[5] = 600;
	call_status = (uint32_t)k_call(gate, &m, TIMEOUT_NEVER);
	call_answer = m.mr[0];
	call_done = 1;
}

#define SIX_WORD_ANSWER (1000u + 1 + 2 + 3 + 4 + 50 + 600)

static uint32_t new_gate(uint32_t label, uint32_t thread)
{
	uint32_t g = sel_alloc();
	return k_gate_create(SEL_FACTORY, g, label, thread) == E_OK ? g : 0;
}

static void reset(void)
{
	srv_seen = srv_go = 0;
	call_done = call_status = call_answer = 0;
}

static uint32_t wait_kind(uint32_t thread)
{
	struct k_thread_info ti;
	return k_thread_info(thread, &ti) == E_OK ? ti.wait : 0xffffffffu;
}

/* Its pc is on an ARM `svc #0` (restart) or just past one (a plain stop). */
static bool pc_at_svc(uint32_t thread, int back)
{
	uint32_t r[THREAD_REGS_WORDS];
	if (k_thread_read_regs(thread, r) != E_OK)
		return false;
	return *(const uint32_t *)(r[15] - (uint32_t)back) == SVC_0;
}

/* A thread in a call whose server is holding it, set up for the tests. */
static uint32_t held_call(uint32_t *srv_out)
{
	reset();
	uint32_t srv = kt_spawn(hold_server, 0, 50, "hold");
	uint32_t g = srv ? new_gate(0x51, srv) : 0;
	uint32_t c = g ? kt_spawn(six_word_caller, g, 40, "caller") : 0;
	k_sleep_us(10000);
	*srv_out = srv;
	return c;
}

DEFINE_TEST(restart_call_taken, "a call the server took is made again after a restart suspend")
{
	uint32_t srv, c = held_call(&srv);
	KT_ASSERT(c);
	KT_ASSERT_EQ(srv_seen, 1);
	KT_ASSERT_EQ(kt_state(c), TS_BLOCKED);
	KT_ASSERT_EQ(wait_kind(c), WAIT_REPLY);
	KT_ASSERT_ERR(k_thread_suspend_restart(c), E_OK);
	KT_ASSERT_EQ(kt_state(c), TS_SUSPENDED);
	KT_ASSERT_EQ(wait_kind(c), WAIT_NONE);
	KT_ASSERT(pc_at_svc(c, 0));
	/* The server's answer to the first call goes nowhere. */
	srv_go = 1;
	k_sleep_us(5000);
	KT_ASSERT_EQ(call_done, 0);
	KT_ASSERT_EQ(kt_state(srv), TS_BLOCKED);
	KT_ASSERT_EQ(wait_kind(srv), WAIT_RECEIVE);
	/* Resumed, the caller calls again and gets the real answer. */
	KT_ASSERT_ERR(k_thread_resume(c), E_OK);
	KT_ASSERT(kt_wait_flag(&call_done, 200));
	KT_ASSERT_ERR(call_status, E_OK);
	KT_ASSERT_EQ(call_answer, SIX_WORD_ANSWER);
	KT_ASSERT_EQ(srv_seen, 2);
}

static void sleeper_fn(uint32_t a)
{
	(void)a;
	for (;;)
		k_sleep_us(TIMEOUT_NEVER);
}

DEFINE_TEST(restart_call_send_phase, "a call still in its send phase is sent again after a restart suspend")
{
	reset();
	srv_go = 1;
	uint32_t deaf = kt_spawn(sleeper_fn, 0, 50, "deaf");
	uint32_t g = deaf ? new_gate(0x52, deaf) : 0;
	uint32_t c = g ? kt_spawn(six_word_caller, g, 40, "caller") : 0;
	KT_ASSERT(c);
	k_sleep_us(10000);
	KT_ASSERT_EQ(wait_kind(c), WAIT_CALL);
	KT_ASSERT_ERR(k_thread_suspend_restart(c), E_OK);
	KT_ASSERT(pc_at_svc(c, 0));
	/* Now someone listens on the gate; the caller was no longer queued. */
	uint32_t srv = kt_spawn(hold_server, 0, 50, "hold");
	KT_ASSERT(srv);
	KT_ASSERT_ERR(k_gate_bind(g, srv), E_OK);
	k_sleep_us(5000);
	KT_ASSERT_EQ(srv_seen, 0);
	KT_ASSERT_ERR(k_thread_resume(c), E_OK);
	KT_ASSERT(kt_wait_flag(&call_done, 200));
	KT_ASSERT_ERR(call_status, E_OK);
	KT_ASSERT_EQ(call_answer, SIX_WORD_ANSWER);
	KT_ASSERT_EQ(srv_seen, 1);
}

static uint32_t wait_irq;
static volatile uint32_t irq_got, irq_label, irq_count;

static void irq_receiver(uint32_t a)
{
	(void)a;
	struct k_msg m = { 0 };
	int st = k_wait(&m, TIMEOUT_NEVER);
	irq_label = m.label;
	irq_count = m.mr[0];
	irq_got = st == E_OK && MSG_TAG_LABEL(m.tag) == MSG_IRQ ? 1 : 2;
}

DEFINE_TEST(restart_wait, "a wait for an IRQ or a gate is made again after a restart suspend")
{
	irq_got = 0;
	wait_irq = sel_alloc();
	KT_ASSERT_ERR(k_irq_create(SEL_FACTORY, wait_irq, IRQ_SOFTWARE), E_OK);
	uint32_t r = kt_spawn(irq_receiver, 0, 50, "irqrecv");
	KT_ASSERT(r);
	KT_ASSERT_ERR(k_irq_attach(wait_irq, r, 0x77), E_OK);
	k_sleep_us(5000);
	KT_ASSERT_EQ(wait_kind(r), WAIT_RECEIVE);
	KT_ASSERT_ERR(k_thread_suspend_restart(r), E_OK);
	KT_ASSERT(pc_at_svc(r, 0));
	/* Raised while it is stopped: kept, and taken by the repeated wait. */
	KT_ASSERT_ERR(k_irq_trigger(wait_irq), E_OK);
	k_sleep_us(5000);
	KT_ASSERT_EQ(irq_got, 0);
	KT_ASSERT_ERR(k_thread_resume(r), E_OK);
	KT_ASSERT(kt_wait_flag(&irq_got, 200));
	KT_ASSERT_EQ(irq_got, 1);
	KT_ASSERT_EQ(irq_label, 0x77);
	KT_ASSERT_EQ(irq_count, 1);

	/* The same for a receive through a gate: stopped, it takes nothing;
	 * resumed, it receives again. */
	irq_got = 0;
	r = kt_spawn(irq_receiver, 0, 50, "gaterecv");
	uint32_t g = r ? new_gate(0x78, r) : 0;
	KT_ASSERT(g);
	k_sleep_us(5000);
	KT_ASSERT_ERR(k_thread_suspend_restart(r), E_OK);
	struct k_msg m = { .tag = MSG_TAG(9, 1, 0), .mr = { 42 } };
	KT_ASSERT_ERR(k_send(g, &m, TIMEOUT_POLL), E_TIMEOUT);   /* nobody receiving */
	KT_ASSERT_ERR(k_thread_resume(r), E_OK);
	k_sleep_us(2000);
	KT_ASSERT_EQ(wait_kind(r), WAIT_RECEIVE);
	KT_ASSERT_ERR(k_send(g, &m, TIMEOUT_POLL), E_OK);
	KT_ASSERT(kt_wait_flag(&irq_got, 200));
	KT_ASSERT_EQ(irq_got, 2);   /* a message, not an IRQ */
	KT_ASSERT_EQ(irq_label, 0x78);
	KT_ASSERT_EQ(irq_count, 42);
}

static volatile uint32_t sleep_done, sleep_status;
static volatile uint64_t sleep_end;

static void timed_sleeper(uint32_t us)
{
	struct k_msg m = { 0 };
	sleep_status = (uint32_t)k_syscall(SYS_WAIT, WAIT_SLEEP, us, &m);
	sleep_end = k_time_us();
	sleep_done = 1;
}

/* The same sleep from Thumb code: its `svc` is two bytes. */
__attribute__((target("thumb"), noinline)) static void thumb_sleeper(uint32_t us)
{
	register uint32_t r0 __asm__("r0") = WAIT_SLEEP;
	register uint32_t r6 __asm__("r6") = us;
	register uint32_t r7 __asm__("r7") = SYS_WAIT;
	__asm__ volatile("svc #0" : "+r"(r0), "+r"(r6) : "r"(r7)
			 : "r1", "r2", "r3", "r4", "r5", "memory");
	sleep_status = r0;
	sleep_end = k_time_us();
	sleep_done = 1;
}

/* Suspended 5 ms into a 20 ms sleep and resumed 30 ms later, it sleeps
 * its whole timeout again and ends with E_TIMEOUT. */
static void check_sleep_restart(kt_thread_fn fn, bool thumb)
{
	sleep_done = sleep_status = 0;
	uint32_t s = kt_spawn(fn, 20000, 50, thumb ? "tsleep" : "sleep");
	KT_ASSERT(s);
	k_sleep_us(5000);
	KT_ASSERT_EQ(wait_kind(s), WAIT_TIMEOUT);
	KT_ASSERT_ERR(k_thread_suspend_restart(s), E_OK);
	uint32_t r[THREAD_REGS_WORDS];
	KT_ASSERT_ERR(k_thread_read_regs(s, r), E_OK);
	KT_ASSERT_EQ((r[16] & 0x20) != 0, thumb);
	if (thumb)
		KT_ASSERT_EQ(*(const uint16_t *)r[15], SVC_0_THUMB);
	else
		KT_ASSERT_EQ(*(const uint32_t *)r[15], SVC_0);
	k_sleep_us(30000);
	KT_ASSERT_EQ(sleep_done, 0);
	uint64_t resumed = k_time_us();
	KT_ASSERT_ERR(k_thread_resume(s), E_OK);
	KT_ASSERT(kt_wait_flag(&sleep_done, 200));
	KT_ASSERT_ERR(sleep_status, E_TIMEOUT);
	KT_ASSERT(sleep_end - resumed >= 19000);
}

DEFINE_TEST(restart_sleep, "a sleep (ARM and Thumb) is started again, whole, after a restart suspend")
{
	check_sleep_restart(timed_sleeper, false);
	if (kt_failed())
		return;
	check_sleep_restart((kt_thread_fn)thumb_sleeper, true);
}

static void one_call(uint32_t gate)
{
	struct k_msg m = { .tag = MSG_TAG(1, 1, 0), .mr = { 700 } };
	call_status = (uint32_t)k_call(gate, &m, TIMEOUT_NEVER);
	call_answer = m.mr[0];
	call_done = 1;
}

DEFINE_TEST(restart_reply_wait, "a server restarted in reply-and-wait just waits again and serves")
{
	reset();
	srv_go = 1;   /* it answers at once */
	uint32_t srv = kt_spawn(hold_server, 0, 60, "server");
	uint32_t g = srv ? new_gate(0x53, srv) : 0;
	KT_ASSERT(g);
	struct k_msg m = { .tag = MSG_TAG(1, 1, 0), .mr = { 10 } };
	KT_ASSERT_ERR(k_call(g, &m, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(m.mr[0], 1010);
	/* Now in the receive phase of its reply-and-wait. */
	KT_ASSERT_EQ(kt_state(srv), TS_BLOCKED);
	KT_ASSERT_EQ(wait_kind(srv), WAIT_RECEIVE);
	KT_ASSERT_ERR(k_thread_suspend_restart(srv), E_OK);
	KT_ASSERT(pc_at_svc(srv, 0));
	/* A caller queues meanwhile; the repeated reply-and-wait has nobody
	 * to answer, so it takes that call, and answers it once. */
	uint32_t c = kt_spawn(one_call, g, 40, "caller");
	KT_ASSERT(c);
	k_sleep_us(5000);
	KT_ASSERT_EQ(wait_kind(c), WAIT_CALL);
	KT_ASSERT_ERR(k_thread_resume(srv), E_OK);
	KT_ASSERT(kt_wait_flag(&call_done, 200));
	KT_ASSERT_ERR(call_status, E_OK);
	KT_ASSERT_EQ(call_answer, 1700);
	KT_ASSERT_EQ(srv_seen, 2);
	m = (struct k_msg){ .tag = MSG_TAG(1, 1, 0), .mr = { 20 } };
	KT_ASSERT_ERR(k_call(g, &m, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(m.mr[0], 1020);
	KT_ASSERT_EQ(srv_seen, 3);
}

DEFINE_TEST(restart_transplant, "a restart-suspended call moved into a fresh thread completes there")
{
	uint32_t srv, c = held_call(&srv);
	KT_ASSERT(c);
	KT_ASSERT_EQ(srv_seen, 1);
	KT_ASSERT_ERR(k_thread_suspend_restart(c), E_OK);
	uint32_t regs[THREAD_REGS_WORDS], utcb[UTCB_WORDS];
	KT_ASSERT_ERR(k_thread_read_regs(c, regs), E_OK);
	KT_ASSERT_ERR(k_thread_utcb_save(c, utcb), E_OK);
	KT_ASSERT_EQ(utcb[4], 50);    /* the words beyond the registers */
	KT_ASSERT_EQ(utcb[5], 600);

	/* A fresh thread, configured elsewhere, gets the state; the old one
	 * stays stopped for good. */
	uint32_t t = sel_alloc();
	KT_ASSERT_ERR(k_factory_create(SEL_FACTORY, KOBJ_THREAD, t, 0), E_OK);
	KT_ASSERT_ERR(k_thread_configure(t, SEL_TASK, FRESH_UTCB_VA, 40), E_OK);
	KT_ASSERT_ERR(k_thread_write_regs(t, regs), E_OK);
	KT_ASSERT_ERR(k_thread_utcb_load(t, utcb), E_OK);
	uint32_t back[UTCB_WORDS];
	KT_ASSERT_ERR(k_thread_utcb_save(t, back), E_OK);
	KT_ASSERT(memcmp(back, utcb, sizeof(utcb)) == 0);
	srv_go = 1;   /* the answer to the first call goes nowhere */
	KT_ASSERT_ERR(k_thread_resume(t), E_OK);
	KT_ASSERT(kt_wait_flag(&call_done, 200));
	KT_ASSERT_ERR(call_status, E_OK);
	KT_ASSERT_EQ(call_answer, SIX_WORD_ANSWER);
	KT_ASSERT_EQ(srv_seen, 2);
	KT_ASSERT_EQ(kt_state(c), TS_SUSPENDED);
}

static volatile uint32_t pf_seen;

static void silent_pager(uint32_t a)
{
	(void)a;
	struct k_msg m = { 0 };
	k_wait(&m, TIMEOUT_NEVER);
	pf_seen = MSG_TAG_LABEL(m.tag) == MSG_PAGE_FAULT;
	for (;;)
		k_sleep_us(TIMEOUT_NEVER);
}

static void toucher(uint32_t a)
{
	(void)*(volatile uint32_t *)a;
}

DEFINE_TEST(restart_plain_and_fault, "plain suspend still aborts; a fault IPC is taken again; bad flags")
{
	/* Plain suspend: the call fails with E_ABORTED. */
	uint32_t srv, c = held_call(&srv);
	KT_ASSERT(c);
	KT_ASSERT_ERR(k_thread_suspend(c), E_OK);
	KT_ASSERT(pc_at_svc(c, 4));
	KT_ASSERT_ERR(k_thread_resume(c), E_OK);
	KT_ASSERT(kt_wait_flag(&call_done, 200));
	KT_ASSERT_ERR(call_status, E_ABORTED);
	KT_ASSERT_EQ(srv_seen, 1);

	/* A thread waiting for its pager: in_fault, and restarting leaves
	 * its registers alone (the faulting load is simply retried). */
	pf_seen = 0;
	uint32_t pager = kt_spawn(silent_pager, 0, 60, "pager"), g = new_gate(0x54, pager);
	KT_ASSERT(g);
	uint32_t t = kt_spawn(toucher, 0x5f000000u, 40, "toucher");
	KT_ASSERT(t);
	KT_ASSERT_ERR(k_thread_suspend(t), E_OK);
	KT_ASSERT_ERR(k_thread_set_handlers(t, g, SEL_NULL), E_OK);
	KT_ASSERT_ERR(k_thread_resume(t), E_OK);
	KT_ASSERT(kt_wait_flag(&pf_seen, 200));
	struct k_thread_info ti;
	KT_ASSERT_ERR(k_thread_info(t, &ti), E_OK);
	KT_ASSERT_EQ(ti.state, TS_BLOCKED);
	KT_ASSERT_EQ(ti.wait, WAIT_REPLY);
	KT_ASSERT_EQ(ti.in_fault, 1);
	uint32_t before[THREAD_REGS_WORDS], after[THREAD_REGS_WORDS];
	KT_ASSERT_ERR(k_thread_read_regs(t, before), E_OK);
	KT_ASSERT_ERR(k_thread_suspend_restart(t), E_OK);
	KT_ASSERT_ERR(k_thread_read_regs(t, after), E_OK);
	KT_ASSERT(memcmp(before, after, sizeof(before)) == 0);
	KT_ASSERT_ERR(k_thread_info(t, &ti), E_OK);
	KT_ASSERT_EQ(ti.in_fault, 0);
	KT_ASSERT_EQ(ti.wait, WAIT_NONE);

	/* Unknown flags change nothing; a stopped thread cannot be stopped. */
	uint32_t s = kt_spawn(sleeper_fn, 0, 40, "sleeper");
	KT_ASSERT(s);
	k_sleep_us(2000);
	uint32_t bad = 0x2;
	KT_ASSERT_ERR(k_invoke(s, THREAD_SUSPEND, &bad, 1, NULL, 0, TIMEOUT_NEVER), E_INVALID_ARG);
	KT_ASSERT_EQ(kt_state(s), TS_BLOCKED);
	KT_ASSERT_ERR(k_thread_suspend_restart(s), E_OK);
	KT_ASSERT_ERR(k_thread_suspend_restart(s), E_INVALID_STATE);
}

/* ---- UTCB access ---------------------------------------------------------- */

static volatile uint32_t utcb_go, utcb_seen;

static void utcb_reporter(uint32_t a)
{
	(void)a;
	while (!utcb_go)
		k_sleep_us(1000);
	utcb_seen = k_utcb()->user[15];
}

DEFINE_TEST(thread_utcb, "read and write another thread's UTCB: bounds, rights, state")
{
	utcb_go = utcb_seen = 0;
	uint32_t t = kt_spawn(utcb_reporter, 0, 40, "utcb");
	KT_ASSERT(t);
	k_sleep_us(2000);
	uint32_t w[UTCB_WORDS], v[UTCB_WORDS];
	/* Reading needs no particular state; writing needs it stopped. */
	KT_ASSERT_ERR(k_thread_utcb_read(t, 0, 60, w), E_OK);
	w[0] = 1;
	KT_ASSERT_ERR(k_thread_utcb_write(t, 95, 1, w), E_INVALID_STATE);
	KT_ASSERT_ERR(k_thread_utcb_read(SEL_THREAD, 0, 1, w), E_INVALID_STATE);
	KT_ASSERT_ERR(k_thread_utcb_write(SEL_THREAD, 0, 1, w), E_INVALID_STATE);
	KT_ASSERT_ERR(k_thread_suspend(t), E_OK);

	/* user[15] is the UTCB's last word; the thread sees what we wrote. */
	w[0] = 0xabcd1234;
	KT_ASSERT_ERR(k_thread_utcb_write(t, UTCB_WORDS - 1, 1, w), E_OK);
	KT_ASSERT_ERR(k_thread_utcb_read(t, UTCB_WORDS - 1, 1, v), E_OK);
	KT_ASSERT_EQ(v[0], 0xabcd1234);

	/* Bounds: 1..60 words, within the 96. */
	KT_ASSERT_ERR(k_thread_utcb_read(t, 0, 0, v), E_INVALID_ARG);
	KT_ASSERT_ERR(k_thread_utcb_read(t, 0, 61, v), E_INVALID_ARG);
	KT_ASSERT_ERR(k_thread_utcb_read(t, 37, 60, v), E_INVALID_ARG);
	KT_ASSERT_ERR(k_thread_utcb_read(t, 96, 1, v), E_INVALID_ARG);
	KT_ASSERT_ERR(k_thread_utcb_read(t, 0xffffffffu, 2, v), E_INVALID_ARG);
	KT_ASSERT_ERR(k_thread_utcb_read(t, 36, 60, v), E_OK);
	KT_ASSERT_ERR(k_thread_utcb_write(t, 95, 2, w), E_INVALID_ARG);
	KT_ASSERT_ERR(k_thread_utcb_write(t, 0, 0, w), E_INVALID_ARG);
	uint32_t short_msg[3] = { 0, 4, 7 };   /* four words promised, one sent */
	KT_ASSERT_ERR(k_invoke(t, THREAD_UTCB_WRITE, short_msg, 3, NULL, 0, TIMEOUT_NEVER), E_INVALID_ARG);
	KT_ASSERT_ERR(k_invoke(t, THREAD_UTCB_READ, short_msg, 1, NULL, 0, TIMEOUT_NEVER), E_INVALID_ARG);

	/* The whole UTCB round trip. */
	for (unsigned i = 0; i < UTCB_WORDS; i++)
		w[i] = 0x1000 + i;
	w[UTCB_WORDS - 1] = 0x5eed;
	KT_ASSERT_ERR(k_thread_utcb_load(t, w), E_OK);
	KT_ASSERT_ERR(k_thread_utcb_save(t, v), E_OK);
	KT_ASSERT(memcmp(v, w, sizeof(w)) == 0);

	/* Rights: read needs RIGHT_READ, write RIGHT_WRITE. */
	uint32_t ro = sel_alloc(), wo = sel_alloc();
	KT_ASSERT_ERR(k_task_cap_map(SEL_TASK, t, ro, RIGHT_READ), E_OK);
	KT_ASSERT_ERR(k_task_cap_map(SEL_TASK, t, wo, RIGHT_WRITE), E_OK);
	KT_ASSERT_ERR(k_thread_utcb_read(ro, 0, 1, v), E_OK);
	KT_ASSERT_ERR(k_thread_utcb_write(ro, 0, 1, w), E_NO_RIGHTS);
	KT_ASSERT_ERR(k_thread_utcb_read(wo, 0, 1, v), E_NO_RIGHTS);
	KT_ASSERT_ERR(k_thread_utcb_write(wo, 0, 1, w), E_OK);

	KT_ASSERT_ERR(k_thread_resume(t), E_OK);
	utcb_go = 1;
	KT_ASSERT(kt_wait_flag(&utcb_seen, 200));
	KT_ASSERT_EQ(utcb_seen, 0x5eed);
}

/*
 * A hostile task: in an address space of its own, with read-only
 * capabilities to itself, a console it may not write, a gate it may send
 * to but not pass capabilities through, a small factory, and full rights
 * on a victim task holding capabilities derived from the root's, it throws
 * seeded random system calls at the kernel: invalid numbers and selectors,
 * wrong types, missing rights, kernel and unmapped addresses, unaligned and
 * oversized lengths, deletes and revokes. The kernel must answer each with
 * a status and go on; afterwards everything else must still work, and
 * deleting the task gives back every byte its factory paid for.
 */
#include "ktest.h"
#include "selalloc.h"
#include "pages.h"

#define HOSTILE_CALLS 100000u
#define HOSTILE_QUOTA (64u * 1024u)

struct hostile_box {
	volatile uint32_t calls, done, seed;
	volatile uint32_t status_seen[E_ERROR_COUNT + 1];
};

static uint32_t next_rand(uint32_t *s)
{
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* Values that tend to break things, and random ones. */
static uint32_t nasty(uint32_t *s)
{
	static const uint32_t pool[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 15, 16, 63, 64, 65, 255, 256, 4095, 4096, 4097,
		0x1000, 0x1001, 0x7fffe000, 0x7ffff000, 0x7fffffff, 0x80000000, 0xc0000000,
		0xc0100000, 0xf0000000, 0xfffff000, 0xffffffff, 0xfffffffe, 0x10000, 0x40000000,
	};
	uint32_t r = next_rand(s);
	return (r & 3) ? pool[(r >> 2) % (sizeof(pool) / sizeof(pool[0]))] : next_rand(s);
}

/* Runs in its own task: touches only its stack, its UTCB and the box. */
static void hostile(uint32_t arg)
{
	struct hostile_box *box = (struct hostile_box *)arg;
	struct utcb *u = k_utcb();
	uint32_t s = box->seed;
	for (uint32_t n = 0; n < HOSTILE_CALLS; n++) {
		uint32_t r = next_rand(&s);
		uint32_t nr = (r & 7) < 6 ? (r >> 3) % SYS_COUNT : nasty(&s);
		uint32_t sel = (r & 0x30) ? (r >> 8) % 12 : nasty(&s);
		uint32_t label = (r & 0x40) ? (r >> 12) % 24 : (r & 0x80) ? 0xff00 + ((r >> 12) & 3) : nasty(&s);
		uint32_t tag = MSG_TAG(label, (r >> 20) % 70, (r & 0x100) ? (r >> 28) : 0);
		struct k_msg m = { .tag = tag, .mr = { nasty(&s), nasty(&s), nasty(&s), nasty(&s) } };
		for (unsigned i = 0; i < 4; i++)
			u->mr[MSG_REG_WORDS + (next_rand(&s) % 60)] = nasty(&s);
		if ((r & 0x3000) == 0)
			u->br[next_rand(&s) % 4] = nasty(&s);
		uint32_t timeout = (r & 0x200) ? TIMEOUT_POLL : (r >> 16) % 2000;
		int st = k_syscall(nr, sel, timeout, &m);
		box->status_seen[(unsigned)st < E_ERROR_COUNT ? st : E_ERROR_COUNT]++;
		box->calls = n + 1;
	}
	box->done = 1;
}

static void echo(uint32_t a)
{
	(void)a;
	struct k_msg m = { 0 };
	k_wait(&m, TIMEOUT_NEVER);
	for (;;) {
		m.tag = MSG_TAG(0, MSG_TAG_WORDS(m.tag) <= 4 ? MSG_TAG_WORDS(m.tag) : 4, 0);
		k_reply_wait(&m, TIMEOUT_NEVER);
	}
}

DEFINE_TEST(hostile_task, "100000 seeded random system calls from an untrusted task")
{
	struct hostile_box *box = pages_alloc(1);
	KT_ASSERT(box);
	box->seed = 0x2545f491;

	uint32_t echo_thread = kt_spawn(echo, 0, 60, "echo"), echo_gate = sel_alloc();
	uint32_t fac = sel_alloc();
	KT_ASSERT(echo_thread);
	KT_ASSERT_ERR(k_gate_create(SEL_FACTORY, echo_gate, 0x5a5a, echo_thread), E_OK);
	KT_ASSERT_ERR(k_factory_create(SEL_FACTORY, KOBJ_FACTORY, fac, HOSTILE_QUOTA), E_OK);

	/* Its own task and thread are paid by another factory, so that
	 * whatever its capability space grows to is paid there too. */
	uint32_t task_fac = sel_alloc();
	KT_ASSERT_ERR(k_factory_create(SEL_FACTORY, KOBJ_FACTORY, task_fac, HOSTILE_QUOTA), E_OK);
	uint32_t task, t = kt_spawn_task_from(task_fac, hostile, (uint32_t)box, 40, "hostile", box, 1, &task);
	KT_ASSERT(t);
	/* Its capabilities, installed before it first runs (lower priority). */
	KT_ASSERT_ERR(k_task_cap_map(task, task, 1, RIGHT_READ), E_OK);
	KT_ASSERT_ERR(k_task_cap_map(task, t, 2, RIGHT_READ), E_OK);
	KT_ASSERT_ERR(k_task_cap_map(task, fac, 3, RIGHTS_ALL), E_OK);
	KT_ASSERT_ERR(k_task_cap_map(task, SEL_SCHED, 4, RIGHT_READ), E_OK);
	KT_ASSERT_ERR(k_task_cap_map(task, SEL_CONSOLE, 5, RIGHT_READ), E_OK);
	KT_ASSERT_ERR(k_task_cap_map(task, echo_gate, 7, RIGHT_WRITE), E_OK);
	/* The victim is paid by a factory of its own: what the hostile task
	 * makes it allocate (page tables, a dirty log) is paid there. */
	uint32_t victim = sel_alloc(), victim_fac = sel_alloc();
	KT_ASSERT_ERR(k_factory_create(SEL_FACTORY, KOBJ_FACTORY, victim_fac, HOSTILE_QUOTA), E_OK);
	KT_ASSERT_ERR(k_factory_create(victim_fac, KOBJ_TASK, victim, 0), E_OK);
	for (uint32_t sel = 1; sel < 8; sel++)
		KT_ASSERT_ERR(k_task_cap_map(victim, echo_gate, sel, RIGHTS_ALL), E_OK);
	KT_ASSERT_ERR(k_task_cap_map(victim, SEL_CONSOLE, 16, RIGHT_READ), E_OK);
	KT_ASSERT_ERR(k_task_cap_map(task, victim, 8, RIGHTS_ALL), E_OK);
	/* From here on nothing it does may cost the root factory anything. */
	uint32_t root_before[2];
	KT_ASSERT_ERR(k_invoke(SEL_FACTORY, FACTORY_INFO, NULL, 0, root_before, 2, 0), E_OK);

	for (int i = 0; i < 60000 && !box->done && kt_state(t) != TS_FAULTED; i++)
		k_sleep_us(1000);
	KT_ASSERT_EQ(kt_state(t), TS_BLOCKED);   /* finished, sleeping: not faulted */
	KT_ASSERT_EQ(box->done, 1);
	KT_ASSERT_EQ(box->calls, HOSTILE_CALLS);
	printf("  hostile: %u calls: ok %u, invalid selector %u, empty slot %u, wrong type %u, "
	       "no rights %u, invalid syscall %u, invalid op %u, invalid arg %u, timeout %u, other %u\n",
	       (unsigned)box->calls, (unsigned)box->status_seen[E_OK],
	       (unsigned)box->status_seen[E_INVALID_SELECTOR], (unsigned)box->status_seen[E_EMPTY_SLOT],
	       (unsigned)box->status_seen[E_WRONG_TYPE], (unsigned)box->status_seen[E_NO_RIGHTS],
	       (unsigned)box->status_seen[E_INVALID_SYSCALL], (unsigned)box->status_seen[E_INVALID_OP],
	       (unsigned)box->status_seen[E_INVALID_ARG], (unsigned)box->status_seen[E_TIMEOUT],
	       (unsigned)box->status_seen[E_ERROR_COUNT]);
	/* It met every kind of refusal, and nothing outside the ABI came back. */
	KT_ASSERT(box->status_seen[E_INVALID_SELECTOR] > 0);
	KT_ASSERT(box->status_seen[E_EMPTY_SLOT] > 0);
	KT_ASSERT(box->status_seen[E_WRONG_TYPE] > 0);
	KT_ASSERT(box->status_seen[E_NO_RIGHTS] > 0);
	KT_ASSERT(box->status_seen[E_INVALID_SYSCALL] > 0);
	KT_ASSERT(box->status_seen[E_INVALID_ARG] > 0);
	KT_ASSERT(box->status_seen[E_OK] > 0);
	KT_ASSERT_EQ(box->status_seen[E_ERROR_COUNT], 0);

	/* Its factory kept within its quota; the root factory paid nothing. */
	uint32_t info[2], root_after[2];
	KT_ASSERT_ERR(k_invoke(fac, FACTORY_INFO, NULL, 0, info, 2, 0), E_OK);
	KT_ASSERT(info[1] <= info[0]);
	KT_ASSERT_ERR(k_invoke(SEL_FACTORY, FACTORY_INFO, NULL, 0, root_after, 2, 0), E_OK);
	KT_ASSERT_EQ(root_after[1], root_before[1]);

	/* Everything it made goes with it: its factory is back to zero. Its
	 * capability to itself came from ours, so a revoke takes it first. */
	KT_ASSERT_ERR(k_task_cap_revoke(SEL_TASK, task), E_OK);
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, task), E_OK);
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, t), E_OK);
	KT_ASSERT_ERR(k_invoke(fac, FACTORY_INFO, NULL, 0, info, 2, 0), E_OK);
	KT_ASSERT_EQ(info[1], 0);
	KT_ASSERT_ERR(k_invoke(task_fac, FACTORY_INFO, NULL, 0, info, 2, 0), E_OK);
	KT_ASSERT_EQ(info[1], 0);
	/* The victim too (it may hold a capability to itself: revoke first). */
	KT_ASSERT_ERR(k_task_cap_revoke(SEL_TASK, victim), E_OK);
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, victim), E_OK);
	KT_ASSERT_ERR(k_invoke(victim_fac, FACTORY_INFO, NULL, 0, info, 2, 0), E_OK);
	KT_ASSERT_EQ(info[1], 0);

	/* And the rest of the system works: IPC, threads, time. */
	struct k_msg m = { .tag = MSG_TAG(1, 2, 0), .mr = { 5, 6 } };
	KT_ASSERT_ERR(k_call(echo_gate, &m, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_EQ(m.mr[1], 6);
	uint64_t t0 = k_time_us();
	k_sleep_us(3000);
	KT_ASSERT(k_time_us() - t0 >= 3000);
}

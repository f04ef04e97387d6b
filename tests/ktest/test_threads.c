/* Threads, priorities, preemption and round robin. */
#include "ktest.h"
#include "loader.h"
#include "pages.h"
#include "string.h"

/* ---- thread_create ---------------------------------------------------- */

static volatile uint32_t create_flag;

static void set_flag(uint32_t arg)
{
	create_flag = arg;
}

DEFINE_TEST(thread_create, "a new thread in the same task runs with its argument")
{
	create_flag = 0;
	uint32_t t = kt_spawn(set_flag, 0x1234, 50, "create");
	KT_ASSERT(t);
	KT_ASSERT(kt_wait_flag(&create_flag, 200));
	KT_ASSERT_EQ(create_flag, 0x1234);
	/* Done with its function, it now sleeps for ever. */
	KT_ASSERT_EQ(kt_state(t), TS_BLOCKED);

	struct k_thread_info ti, self;
	KT_ASSERT_ERR(k_thread_info(t, &ti), E_OK);
	KT_ASSERT_ERR(k_thread_info(SEL_THREAD, &self), E_OK);
	KT_ASSERT_EQ(ti.task, self.task);
	KT_ASSERT(ti.id != self.id);
	KT_ASSERT_EQ(ti.prio, 50);
}

/* ---- thread_other_task ------------------------------------------------ */

#define SHARED_VA 0x20000000u
#define CHILD_MAGIC 0xc0ffee00u

DEFINE_TEST(thread_other_task, "a child task from a boot module runs in its own address space")
{
	const struct bootinfo *bi = kt_bootinfo();
	const struct bootinfo_module *m = NULL;
	for (unsigned i = 0; i < bi->module_count; i++)
		if (strcmp(bi->modules[i].name, "ktest-child") == 0)
			m = &bi->modules[i];
	KT_ASSERT(m);

	volatile uint32_t *shared = pages_alloc(1);
	KT_ASSERT(shared);
	struct child c;
	const char *why = "";
	struct child_spec spec = { "child", (const void *)m->va, m->size, 50, SHARED_VA };
	KT_ASSERT_ERR(child_start(&spec, &c, &why), E_OK);
	/* The child has a lower priority: it cannot run before this mapping. */
	KT_ASSERT_ERR(k_task_map(c.task, SEL_TASK, (uint32_t)shared, SHARED_VA, 1, MAP_R | MAP_W), E_OK);

	KT_ASSERT(kt_wait_flag(&shared[0], 500));
	KT_ASSERT_EQ(shared[0], CHILD_MAGIC);
	KT_ASSERT_EQ(shared[1], SHARED_VA);     /* its r0 at entry */

	struct k_thread_info ti, self;
	KT_ASSERT_ERR(k_thread_info(c.thread, &ti), E_OK);
	KT_ASSERT_ERR(k_thread_info(SEL_THREAD, &self), E_OK);
	KT_ASSERT(ti.task != self.task);
	/* Its next step reads the root's RAM address, which is not mapped in
	 * its space: it must fault there, not see our memory. */
	KT_ASSERT(kt_wait_state(c.thread, TS_FAULTED, 200));
	KT_ASSERT_EQ(shared[2], 0);
}

/* ---- priority_order --------------------------------------------------- */

static volatile uint32_t order_log[3], order_n;

static void log_self(uint32_t tag)
{
	order_log[order_n++] = tag;
}

DEFINE_TEST(priority_order, "ready threads run highest priority first")
{
	order_n = 0;
	/* The runner has the highest priority: none of them runs until it sleeps. */
	KT_ASSERT(kt_spawn(log_self, 40, 40, "p40"));
	KT_ASSERT(kt_spawn(log_self, 60, 60, "p60"));
	KT_ASSERT(kt_spawn(log_self, 50, 50, "p50"));
	KT_ASSERT_EQ(order_n, 0);
	k_sleep_us(20000);
	KT_ASSERT_EQ(order_n, 3);
	KT_ASSERT_EQ(order_log[0], 60);
	KT_ASSERT_EQ(order_log[1], 50);
	KT_ASSERT_EQ(order_log[2], 40);
}

/* ---- preemption ------------------------------------------------------- */

static volatile uint32_t spin_count, waker_done, spin_at_wake;
static volatile uint64_t woke_at;

static void spin(uint32_t arg)
{
	(void)arg;
	for (;;)
		spin_count++;
}

static void waker(uint32_t us)
{
	k_sleep_us(us);
	spin_at_wake = spin_count;
	woke_at = k_time_us();
	waker_done = 1;
}

DEFINE_TEST(preemption, "a thread woken by its timeout preempts a lower-priority busy thread")
{
	spin_count = waker_done = spin_at_wake = 0;
	uint64_t start = k_time_us();
	KT_ASSERT(kt_spawn(spin, 0, 30, "spinner"));
	KT_ASSERT(kt_spawn(waker, 20000, 60, "waker"));
	/* The spinner never blocks or yields; only preemption lets the waker in. */
	KT_ASSERT(kt_wait_flag(&waker_done, 1000));
	KT_ASSERT(spin_at_wake > 0);
	KT_ASSERT(woke_at - start >= 20000);
	KT_ASSERT(woke_at - start < 200000);
	uint32_t before = spin_count;
	k_sleep_us(5000);
	KT_ASSERT(spin_count > before);   /* and it got the CPU back */
}

/* ---- round_robin ------------------------------------------------------ */

static volatile uint32_t rr_count[2], rr_turns[2], rr_last;

static void rr_spin(uint32_t me)
{
	for (;;) {
		if (rr_last != me) {
			rr_last = me;
			rr_turns[me]++;
		}
		rr_count[me]++;
	}
}

DEFINE_TEST(round_robin, "equal-priority busy threads share the CPU in time slices")
{
	rr_count[0] = rr_count[1] = rr_turns[0] = rr_turns[1] = 0;
	rr_last = 2;
	uint32_t a = kt_spawn(rr_spin, 0, 30, "rr0");
	uint32_t b = kt_spawn(rr_spin, 1, 30, "rr1");
	KT_ASSERT(a && b);
	k_sleep_us(200000);
	KT_ASSERT_ERR(k_thread_suspend(a), E_OK);
	KT_ASSERT_ERR(k_thread_suspend(b), E_OK);
	/* 10 ms slices over 200 ms: each got many turns and a fair share. */
	KT_ASSERT(rr_turns[0] >= 4);
	KT_ASSERT(rr_turns[1] >= 4);
	uint32_t lo = rr_count[0] < rr_count[1] ? rr_count[0] : rr_count[1];
	uint32_t hi = rr_count[0] < rr_count[1] ? rr_count[1] : rr_count[0];
	KT_ASSERT(lo > hi / 4);
}

/* ---- yield ------------------------------------------------------------ */

static volatile uint32_t yield_log[8], yield_n;

static void yielder(uint32_t tag)
{
	for (int i = 0; i < 3; i++) {
		yield_log[yield_n++] = tag;
		k_yield();
	}
}

DEFINE_TEST(yield, "yield hands the CPU to the next thread of the same priority")
{
	yield_n = 0;
	KT_ASSERT(kt_spawn(yielder, 1, 40, "y1"));
	KT_ASSERT(kt_spawn(yielder, 2, 40, "y2"));
	k_sleep_us(20000);
	KT_ASSERT_EQ(yield_n, 6);
	for (unsigned i = 0; i < 6; i++)
		KT_ASSERT_EQ(yield_log[i], 1 + i % 2);
}

/* ---- suspend_resume --------------------------------------------------- */

DEFINE_TEST(suspend_resume, "a suspended thread does not run until resumed")
{
	spin_count = 0;
	uint32_t t = kt_spawn(spin, 0, 30, "spinner");
	KT_ASSERT(t);
	k_sleep_us(10000);
	KT_ASSERT(spin_count > 0);
	KT_ASSERT_ERR(k_thread_suspend(t), E_OK);
	KT_ASSERT_EQ(kt_state(t), TS_SUSPENDED);
	uint32_t frozen = spin_count;
	k_sleep_us(20000);
	KT_ASSERT_EQ(spin_count, frozen);
	KT_ASSERT_ERR(k_thread_suspend(t), E_INVALID_STATE);
	KT_ASSERT_ERR(k_thread_resume(t), E_OK);
	k_sleep_us(10000);
	KT_ASSERT(spin_count > frozen);
	KT_ASSERT_ERR(k_thread_resume(t), E_INVALID_STATE);
}

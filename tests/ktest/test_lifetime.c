/*
 * Object lifetime and kernel-memory quotas: an object goes with its last
 * capability, whatever state it is in, everybody waiting on it is told,
 * and its memory returns to the factory that paid for it.
 */
#include "ktest.h"
#include "selalloc.h"
#include "pages.h"

#define SUB_QUOTA (256u * 1024u)

static uint32_t used_of(uint32_t factory)
{
	uint32_t used = 0xffffffffu;
	k_factory_info(factory, NULL, &used);
	return used;
}

/* A free selector in our space whose capability node exists, so that
 * putting something there later costs our factory nothing. */
static uint32_t ready_sel(void)
{
	uint32_t sel = sel_alloc();
	if (k_task_cap_map(SEL_TASK, SEL_CONSOLE, sel, RIGHT_READ) != E_OK ||
	    k_task_cap_delete(SEL_TASK, sel) != E_OK)
		return 0;
	return sel;
}

static uint32_t sub_factory(uint32_t quota)
{
	uint32_t f = ready_sel();
	return k_factory_create(SEL_FACTORY, KOBJ_FACTORY, f, quota) == E_OK ? f : 0;
}

static bool empty(uint32_t sel)
{
	return k_task_cap_identify(SEL_TASK, sel, NULL, NULL, NULL) == E_EMPTY_SLOT;
}

static void sleeper(uint32_t a)
{
	(void)a;
	k_sleep_us(TIMEOUT_NEVER);
}

DEFINE_TEST(quota_create_delete, "1000 rounds of creating and deleting every object type leave the quota where it was")
{
	uint32_t f = sub_factory(SUB_QUOTA);
	KT_ASSERT(f);
	uint32_t task = ready_sel(), th = ready_sel(), gate = ready_sel(), irq = ready_sel();
	uint32_t fac = ready_sel(), copy = ready_sel();
	uint32_t root_before = used_of(SEL_FACTORY);
	for (unsigned round = 0; round < 1000; round++) {
		KT_ASSERT_ERR(k_factory_create(f, KOBJ_TASK, task, 0), E_OK);
		KT_ASSERT_ERR(k_factory_create(f, KOBJ_THREAD, th, 0), E_OK);
		KT_ASSERT_ERR(k_thread_configure(th, task, 0x7f000000u, 10), E_OK);
		KT_ASSERT_ERR(k_gate_create(f, gate, round, th), E_OK);
		KT_ASSERT_ERR(k_irq_create(f, irq, IRQ_SOFTWARE), E_OK);
		KT_ASSERT_ERR(k_irq_attach(irq, th, 1), E_OK);
		KT_ASSERT_ERR(k_factory_create(f, KOBJ_FACTORY, fac, 4096), E_OK);
		KT_ASSERT_ERR(k_task_cap_map(task, gate, 100 + round % 50, RIGHT_WRITE), E_OK);
		KT_ASSERT_ERR(k_task_cap_map(SEL_TASK, th, copy, RIGHT_READ), E_OK);
		KT_ASSERT(used_of(f) > 0);
		/* In an order that leaves references behind each time. */
		KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, th), E_OK);      /* copy keeps it */
		KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, gate), E_OK);    /* task's copy keeps it */
		KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, task), E_OK);    /* takes the gate along */
		KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, copy), E_OK);
		KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, irq), E_OK);
		KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, fac), E_OK);
		KT_ASSERT_EQ(used_of(f), 0);
	}
	KT_ASSERT_EQ(used_of(SEL_FACTORY), root_before);
	/* Exhausted, the factory refuses and charges nothing; deleting what it
	 * made brings it back to zero. */
	static uint32_t sels[64];
	unsigned n = 0;
	int st = E_OK;
	while (n < 64 && (st = k_factory_create(f, KOBJ_TASK, sels[n] = sel_alloc(), 0)) == E_OK)
		n++;
	KT_ASSERT_ERR(st, E_NO_MEMORY);
	uint32_t full = used_of(f);
	KT_ASSERT_ERR(k_factory_create(f, KOBJ_THREAD, sels[n], 0), E_NO_MEMORY);
	KT_ASSERT_EQ(used_of(f), full);
	for (unsigned i = 0; i < n; i++)
		KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, sels[i]), E_OK);
	KT_ASSERT_EQ(used_of(f), 0);
}

DEFINE_TEST(factory_outlives_cap, "a factory whose last capability goes lives on until what it paid for is gone")
{
	uint32_t f = ready_sel(), g = ready_sel();
	KT_ASSERT(f && g);
	uint32_t root_before = used_of(SEL_FACTORY);
	/* An empty factory goes at once. */
	KT_ASSERT_ERR(k_factory_create(SEL_FACTORY, KOBJ_FACTORY, f, 8192), E_OK);
	KT_ASSERT(used_of(SEL_FACTORY) >= root_before + 8192);
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, f), E_OK);
	KT_ASSERT_EQ(used_of(SEL_FACTORY), root_before);
	/* One with a gate in it waits for the gate. */
	KT_ASSERT_ERR(k_factory_create(SEL_FACTORY, KOBJ_FACTORY, f, 8192), E_OK);
	KT_ASSERT_ERR(k_gate_create(f, g, 0x55, SEL_NULL), E_OK);
	uint32_t with_f = used_of(SEL_FACTORY);
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, f), E_OK);
	KT_ASSERT_EQ(used_of(SEL_FACTORY), with_f);     /* still paid for */
	uint32_t info[2];
	KT_ASSERT_ERR(k_invoke(g, GATE_INFO, NULL, 0, info, 2, 0), E_OK);
	KT_ASSERT_EQ(info[0], 0x55);
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, g), E_OK);
	KT_ASSERT_EQ(used_of(SEL_FACTORY), root_before);   /* both gone now */
}

/* A client: calls calls[i].gate once and records how it ended. */
static struct {
	uint32_t gate;
	volatile int status;
	volatile uint32_t done;
} calls[2];

static void caller(uint32_t i)
{
	struct k_msg m = { .tag = MSG_TAG(1, 1, 0), .mr = { 1 } };
	calls[i].status = k_call(calls[i].gate, &m, TIMEOUT_NEVER);
	calls[i].done = 1;
}

static uint32_t spawn_caller(unsigned i, uint32_t gate)
{
	calls[i].gate = gate;
	calls[i].done = 0;
	uint32_t t = kt_spawn(caller, i, 50, "caller");
	return t && kt_wait_state(t, TS_BLOCKED, 100) ? t : 0;
}

/* Takes one call and never answers it. */
static void silent_server(uint32_t a)
{
	(void)a;
	struct k_msg m = { 0 };
	k_wait(&m, TIMEOUT_NEVER);
	k_sleep_us(TIMEOUT_NEVER);
}

DEFINE_TEST(delete_gate_aborts, "deleting a gate aborts the threads waiting to send through it and clears it as a pager")
{
	uint32_t srv = kt_spawn(sleeper, 0, 60, "sleeper"), g = sel_alloc(), other = sel_alloc();
	KT_ASSERT(srv);
	KT_ASSERT_ERR(k_gate_create(SEL_FACTORY, g, 1, srv), E_OK);
	KT_ASSERT_ERR(k_gate_create(SEL_FACTORY, other, 2, srv), E_OK);
	KT_ASSERT(spawn_caller(0, g) && spawn_caller(1, other));   /* both queued */
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, g), E_OK);
	KT_ASSERT(kt_wait_flag(&calls[0].done, 100));
	KT_ASSERT_ERR(calls[0].status, E_ABORTED);
	k_sleep_us(5000);
	KT_ASSERT_EQ(calls[1].done, 0);                    /* only the caller through g */

	/* A pager gate that goes: the thread's next fault has no pager and
	 * stops it instead of waiting for ever. */
	uint32_t pg = sel_alloc(), t = kt_spawn(sleeper, 0, 40, "nopager");
	KT_ASSERT(t);
	KT_ASSERT_ERR(k_gate_create(SEL_FACTORY, pg, 3, srv), E_OK);
	KT_ASSERT_ERR(k_thread_set_handlers(t, pg, pg), E_OK);
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, pg), E_OK);
	KT_ASSERT_ERR(k_thread_suspend(t), E_OK);
	KT_ASSERT_ERR(k_thread_set_regs(t, 0x5f000000u, 0x5f000000u, 0), E_OK);   /* nothing there */
	KT_ASSERT_ERR(k_thread_resume(t), E_OK);
	KT_ASSERT(kt_wait_state(t, TS_FAULTED, 100));
}

DEFINE_TEST(delete_server_aborts, "deleting a server thread aborts its caller and the threads queued for it")
{
	uint32_t srv = kt_spawn(silent_server, 0, 60, "silent"), g = sel_alloc();
	KT_ASSERT(srv);
	KT_ASSERT_ERR(k_gate_create(SEL_FACTORY, g, 1, srv), E_OK);
	KT_ASSERT(spawn_caller(0, g));   /* taken: waits for the reply */
	KT_ASSERT(spawn_caller(1, g));   /* queued */
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, srv), E_OK);
	KT_ASSERT(kt_wait_flag(&calls[0].done, 100) && kt_wait_flag(&calls[1].done, 100));
	KT_ASSERT_ERR(calls[0].status, E_ABORTED);
	KT_ASSERT_ERR(calls[1].status, E_ABORTED);
	/* The gate outlives its server, unbound. */
	uint32_t info[2];
	KT_ASSERT_ERR(k_invoke(g, GATE_INFO, NULL, 0, info, 2, 0), E_OK);
	KT_ASSERT_EQ(info[1], 0);
	struct k_msg m = { .tag = MSG_TAG(1, 0, 0) };
	KT_ASSERT_ERR(k_call(g, &m, TIMEOUT_POLL), E_INVALID_STATE);
}

/* Runs in a task of its own: counts in the shared page at arg. */
static void spinner(uint32_t box)
{
	for (;;)
		(*(volatile uint32_t *)box)++;
}

DEFINE_TEST(delete_task, "deleting a task stops its threads and returns all of its kernel memory")
{
	uint32_t f = sub_factory(SUB_QUOTA), task;
	KT_ASSERT(f);
	volatile uint32_t *box = pages_alloc(1);
	KT_ASSERT(box);
	*box = 0;
	uint32_t t = kt_spawn_task_from(f, spinner, (uint32_t)box, 40, "spin", (void *)box, 1, &task);
	KT_ASSERT(t);
	k_sleep_us(20000);
	KT_ASSERT(*box > 0);
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, task), E_OK);
	struct k_thread_info ti;
	KT_ASSERT_ERR(k_thread_info(t, &ti), E_OK);
	KT_ASSERT_EQ(ti.state, TS_INACTIVE);
	KT_ASSERT_EQ(ti.task, 0);
	uint32_t before = *box;
	k_sleep_us(20000);
	KT_ASSERT_EQ(*box, before);
	/* The thread may go into another task; without it, nothing is left. */
	KT_ASSERT_ERR(k_thread_resume(t), E_INVALID_STATE);
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, t), E_OK);
	KT_ASSERT_EQ(used_of(f), 0);
}

/* Shared with a thread in a task of its own. */
struct self_box {
	volatile uint32_t sel, status;
};

/* Waits to be told which of its task's slots names itself, deletes it. */
static void delete_myself(uint32_t arg)
{
	struct self_box *box = (struct self_box *)arg;
	while (!box->sel)
		k_sleep_us(1000);
	box->status = (uint32_t)k_task_cap_delete(1, box->sel);
	box->status = 0xdead;   /* never reached: this thread or its task is gone */
}

/* A task with one thread running delete_myself, holding a capability to
 * itself in slot 1, paid for by a new factory. */
static uint32_t start_self_deleter(struct self_box *box, uint32_t *factory, uint32_t *task)
{
	box->sel = 0;
	box->status = 1;
	*factory = sub_factory(SUB_QUOTA);
	if (!*factory)
		return 0;
	uint32_t t = kt_spawn_task_from(*factory, delete_myself, (uint32_t)box, 50, "selfdel",
					box, 1, task);
	return t && k_task_cap_map(*task, *task, 1, RIGHTS_ALL) == E_OK ? t : 0;
}

DEFINE_TEST(delete_self, "a thread may delete itself, and a task its own last capability, while running")
{
	struct self_box *box = pages_alloc(1);
	uint32_t f, task, t;
	KT_ASSERT(box);

	/* A thread deleting the only capability to itself. */
	KT_ASSERT(t = start_self_deleter(box, &f, &task));
	KT_ASSERT_ERR(k_task_cap_map(task, t, 2, RIGHTS_ALL), E_OK);
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, t), E_OK);
	box->sel = 2;
	k_sleep_us(20000);
	KT_ASSERT_EQ(box->status, 1);                 /* it never returned */
	KT_ASSERT_ERR(k_task_cap_identify(task, 2, NULL, NULL, NULL), E_EMPTY_SLOT);
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, task), E_OK);   /* its own copy keeps it */
	KT_ASSERT(used_of(f) > 0);

	/* A task deleting its last capability to itself, from its own thread. */
	uint32_t f2, task2;
	KT_ASSERT(t = start_self_deleter(box, &f2, &task2));
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, task2), E_OK);
	box->sel = 1;
	KT_ASSERT(kt_wait_state(t, TS_INACTIVE, 100));
	KT_ASSERT_EQ(box->status, 1);
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, t), E_OK);
	KT_ASSERT_EQ(used_of(f2), 0);
}

static void irq_sleeper(uint32_t a)
{
	(void)a;
	struct k_msg m = { 0 };
	k_wait(&m, TIMEOUT_NEVER);
	k_sleep_us(TIMEOUT_NEVER);
}

DEFINE_TEST(delete_irq, "deleting an IRQ frees its line; deleting its thread detaches it")
{
	const struct bootinfo *bi = kt_bootinfo();
	KT_ASSERT(bi->device_count >= 1);
	uint32_t line = bi->devices[0].irq, a = sel_alloc(), b = sel_alloc();
	KT_ASSERT_ERR(k_irq_create(SEL_FACTORY, a, line), E_OK);
	KT_ASSERT_ERR(k_irq_create(SEL_FACTORY, b, line), E_BUSY);
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, a), E_OK);
	KT_ASSERT_ERR(k_irq_create(SEL_FACTORY, b, line), E_OK);

	uint32_t t = kt_spawn(irq_sleeper, 0, 60, "irqsl"), sw = sel_alloc();
	KT_ASSERT(t);
	KT_ASSERT_ERR(k_irq_create(SEL_FACTORY, sw, IRQ_SOFTWARE), E_OK);
	KT_ASSERT_ERR(k_irq_attach(sw, t, 5), E_OK);
	KT_ASSERT_ERR(k_irq_attach(b, t, 6), E_OK);
	uint32_t info[3];
	KT_ASSERT_ERR(k_invoke(sw, IRQ_INFO, NULL, 0, info, 3, 0), E_OK);
	KT_ASSERT(info[2] != 0);
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, t), E_OK);
	KT_ASSERT_ERR(k_invoke(sw, IRQ_INFO, NULL, 0, info, 3, 0), E_OK);
	KT_ASSERT_EQ(info[2], 0);
	KT_ASSERT_ERR(k_invoke(b, IRQ_INFO, NULL, 0, info, 3, 0), E_OK);
	KT_ASSERT_EQ(info[2], 0);
	KT_ASSERT_ERR(k_irq_trigger(sw), E_OK);   /* nobody to tell: no harm */
	KT_ASSERT(empty(t));
}

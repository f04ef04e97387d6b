/* Thread control (registers) and capability-space introspection. */
#include "ktest.h"
#include "selalloc.h"

static volatile uint32_t regs_seen;

static void spin_forever(uint32_t a)
{
	(void)a;
	for (;;)
		;
}

static void record_r0(uint32_t a)
{
	regs_seen = a;
	for (;;)
		k_sleep_us(TIMEOUT_NEVER);
}

DEFINE_TEST(thread_regs, "read and write the registers of a suspended thread")
{
	regs_seen = 0;
	uint32_t t = kt_spawn(spin_forever, 0, 30, "spin");
	KT_ASSERT(t);
	k_sleep_us(5000);
	KT_ASSERT_ERR(k_thread_suspend(t), E_OK);

	uint32_t r[THREAD_REGS_WORDS];
	KT_ASSERT_ERR(k_thread_read_regs(t, r), E_OK);
	/* It was spinning in spin_forever, in user mode. */
	KT_ASSERT(r[15] >= (uint32_t)spin_forever && r[15] < (uint32_t)spin_forever + 64);
	KT_ASSERT_EQ(r[16] & 0x1f, 0x10);

	/* Send it somewhere else, trying to sneak in SVC mode and masked IRQs. */
	static uint32_t stack[256];
	r[0] = 0xfeed;
	r[13] = (uint32_t)&stack[256];
	r[15] = (uint32_t)record_r0;
	r[16] = 0x600001d3;
	KT_ASSERT_ERR(k_thread_write_regs(t, r), E_OK);
	uint32_t back[THREAD_REGS_WORDS];
	KT_ASSERT_ERR(k_thread_read_regs(t, back), E_OK);
	KT_ASSERT_EQ(back[16], 0x60000010);   /* flags kept, user mode, IRQs on */
	KT_ASSERT_EQ(back[0], 0xfeed);
	KT_ASSERT_ERR(k_thread_resume(t), E_OK);
	KT_ASSERT(kt_wait_flag(&regs_seen, 100));
	KT_ASSERT_EQ(regs_seen, 0xfeed);

	/* Not while it runs or waits, not one's own, not with too few words. */
	KT_ASSERT_EQ(kt_state(t), TS_BLOCKED);
	KT_ASSERT_ERR(k_thread_write_regs(t, r), E_INVALID_STATE);
	KT_ASSERT_ERR(k_thread_read_regs(SEL_THREAD, r), E_INVALID_STATE);
	KT_ASSERT_ERR(k_invoke(t, THREAD_WRITE_REGS, r, 5, NULL, 0, 0), E_INVALID_ARG);
	/* Reading needs the read right, writing the write right. */
	uint32_t ro = sel_alloc(), wo = sel_alloc();
	KT_ASSERT_ERR(k_task_cap_map(SEL_TASK, t, ro, RIGHT_READ), E_OK);
	KT_ASSERT_ERR(k_task_cap_map(SEL_TASK, t, wo, RIGHT_WRITE), E_OK);
	KT_ASSERT_ERR(k_thread_read_regs(wo, r), E_NO_RIGHTS);
	KT_ASSERT_ERR(k_thread_suspend(ro), E_NO_RIGHTS);
	KT_ASSERT_ERR(k_thread_read_regs(ro, r), E_OK);
}

DEFINE_TEST(cap_introspection, "list a capability space: selector, type, rights, label, object id")
{
	uint32_t gate = sel_alloc(), copy = sel_alloc();
	KT_ASSERT_ERR(k_gate_create(SEL_FACTORY, gate, 0xabcd, SEL_NULL), E_OK);
	KT_ASSERT_ERR(k_task_cap_map(SEL_TASK, gate, copy, RIGHT_READ), E_OK);

	struct k_cap_info ci;
	uint32_t own_id, prev = 0, seen = 0, gate_id = 0;
	KT_ASSERT_ERR(k_task_info(SEL_TASK, &own_id), E_OK);
	int st = k_task_cap_info(SEL_TASK, 0, &ci);
	for (; st == E_OK; st = k_task_cap_info(SEL_TASK, ci.sel + 1, &ci)) {
		KT_ASSERT(seen == 0 || ci.sel > prev);   /* ascending, each once */
		prev = ci.sel;
		seen++;
		if (ci.sel == SEL_TASK) {
			KT_ASSERT_EQ(ci.type, KOBJ_TASK);
			KT_ASSERT_EQ(ci.obj_id, own_id);
		} else if (ci.sel == SEL_CONSOLE) {
			KT_ASSERT_EQ(ci.type, KOBJ_CONSOLE);
		} else if (ci.sel == gate) {
			KT_ASSERT_EQ(ci.type, KOBJ_GATE);
			KT_ASSERT_EQ(ci.rights, RIGHTS_ALL);
			KT_ASSERT_EQ(ci.label, 0xabcd);
			gate_id = ci.obj_id;
		} else if (ci.sel == copy) {
			KT_ASSERT_EQ(ci.type, KOBJ_GATE);
			KT_ASSERT_EQ(ci.rights, RIGHT_READ);
			KT_ASSERT_EQ(ci.obj_id, gate_id);   /* the same object */
		}
	}
	KT_ASSERT_ERR(st, E_NOT_FOUND);
	KT_ASSERT(gate_id != 0);
	KT_ASSERT(seen >= 8);
	KT_ASSERT_ERR(k_task_cap_info(SEL_TASK, CSPACE_SLOTS, &ci), E_NOT_FOUND);
	KT_ASSERT_ERR(k_task_cap_info(SEL_TASK, 0xffffffffu, &ci), E_NOT_FOUND);
	/* Object ids are unique across types. */
	struct k_thread_info ti;
	KT_ASSERT_ERR(k_thread_info(SEL_THREAD, &ti), E_OK);
	KT_ASSERT(ti.id != own_id && ti.id != gate_id && own_id != gate_id);
}

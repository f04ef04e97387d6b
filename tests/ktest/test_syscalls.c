/* Bad system-call arguments get a distinct error and change nothing. */
#include "ktest.h"
#include "selalloc.h"
#include "pages.h"

static int raw(uint32_t nr, uint32_t sel, uint32_t tag)
{
	struct k_msg m = { .tag = tag };
	return k_syscall(nr, sel, TIMEOUT_POLL, &m);
}

DEFINE_TEST(bad_syscalls, "invalid numbers, selectors, types, rights and sizes")
{
	KT_ASSERT_ERR(raw(SYS_COUNT, SEL_CONSOLE, 0), E_INVALID_SYSCALL);
	KT_ASSERT_ERR(raw(0xffffffffu, SEL_CONSOLE, 0), E_INVALID_SYSCALL);
	KT_ASSERT_ERR(raw(SYS_CALL, CSPACE_SLOTS, MSG_TAG(SCHED_TIME, 0, 0)), E_INVALID_SELECTOR);
	KT_ASSERT_ERR(raw(SYS_CALL, 0xffffffffu, MSG_TAG(SCHED_TIME, 0, 0)), E_INVALID_SELECTOR);
	KT_ASSERT_ERR(raw(SYS_CALL, SEL_NULL, MSG_TAG(SCHED_TIME, 0, 0)), E_EMPTY_SLOT);
	KT_ASSERT_ERR(raw(SYS_CALL, 3000, MSG_TAG(SCHED_TIME, 0, 0)), E_EMPTY_SLOT);
	KT_ASSERT_ERR(raw(SYS_CALL, SEL_SCHED, MSG_TAG(SCHED_TIME, 65, 0)), E_INVALID_ARG);
	KT_ASSERT_ERR(raw(SYS_CALL, SEL_SCHED, MSG_TAG(SCHED_TIME, 0, 1)), E_INVALID_ARG);
	KT_ASSERT_ERR(raw(SYS_CALL, SEL_SCHED, MSG_TAG(999, 0, 0)), E_INVALID_OP);

	/* Wrong type: a thread must be configured with a task. */
	uint32_t th = sel_alloc();
	KT_ASSERT_ERR(k_factory_create(SEL_FACTORY, KOBJ_THREAD, th, 0), E_OK);
	KT_ASSERT_ERR(k_thread_configure(th, SEL_CONSOLE, 0x7e000000u, 10), E_WRONG_TYPE);
	KT_ASSERT_ERR(k_thread_configure(th, SEL_TASK, 0x7e000001u, 10), E_BAD_ADDRESS);
	KT_ASSERT_ERR(k_thread_configure(th, SEL_TASK, 0xc0000000u, 10), E_BAD_ADDRESS);
	KT_ASSERT_ERR(k_thread_configure(th, SEL_TASK, 0x7e000000u, 200), E_INVALID_ARG);
	KT_ASSERT_ERR(k_thread_resume(th), E_INVALID_STATE);   /* not configured */

	/* Missing right: a console capability that may only read. */
	uint32_t ro = sel_alloc();
	KT_ASSERT_ERR(k_task_cap_map(SEL_TASK, SEL_CONSOLE, ro, RIGHT_READ), E_OK);
	KT_ASSERT_ERR(k_console_write(ro, "x", 1), E_NO_RIGHTS);
	KT_ASSERT_ERR(k_task_cap_map(SEL_TASK, SEL_CONSOLE, ro, RIGHT_READ), E_SLOT_IN_USE);
	KT_ASSERT_ERR(k_task_cap_map(SEL_TASK, SEL_CONSOLE, CSPACE_SLOTS + 5, RIGHT_READ), E_INVALID_SELECTOR);
	KT_ASSERT_ERR(k_task_cap_map(SEL_TASK, SEL_CONSOLE, sel_alloc(), 0x80), E_INVALID_ARG);

	/* Factory: bad type, occupied slot. */
	KT_ASSERT_ERR(k_factory_create(SEL_FACTORY, 77, sel_alloc(), 0), E_INVALID_ARG);
	KT_ASSERT_ERR(k_factory_create(SEL_FACTORY, KOBJ_THREAD, SEL_CONSOLE, 0), E_SLOT_IN_USE);
	KT_ASSERT_ERR(k_factory_create(SEL_FACTORY, KOBJ_THREAD, SEL_NULL, 0), E_INVALID_SELECTOR);

	/* Console: lengths beyond what was sent. */
	uint32_t w[2] = { 100, 0 };
	KT_ASSERT_ERR(k_invoke(SEL_CONSOLE, CONSOLE_WRITE, w, 2, NULL, 0, 0), E_INVALID_ARG);
	KT_ASSERT_ERR(k_invoke(SEL_CONSOLE, CONSOLE_WRITE, NULL, 0, NULL, 0, 0), E_INVALID_ARG);
}

DEFINE_TEST(bad_mappings, "task map checks every page before it changes anything")
{
	uint8_t *p = pages_alloc(4);
	KT_ASSERT(p);
	uint32_t src = (uint32_t)p, dst = 0x60000000u;
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, src + 1, dst, 1, MAP_R), E_BAD_ADDRESS);
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, src, 0xc0000000u, 1, MAP_R), E_BAD_ADDRESS);
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, src, 0x7ffff000u, 2, MAP_R), E_BAD_ADDRESS);
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, src, dst, 0, MAP_R), E_INVALID_ARG);
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, src, dst, 1, 0), E_INVALID_ARG);
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_CONSOLE, src, dst, 1, MAP_R), E_WRONG_TYPE);
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, 0x5f000000u, dst, 1, MAP_R), E_NOT_MAPPED);
	/* Read-only source page cannot become writable. */
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, BOOTINFO_VA, dst, 1, MAP_R | MAP_W), E_NO_RIGHTS);

	/* Map 4 pages; a second map that overlaps the last one fails whole. */
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, src, dst, 4, MAP_R | MAP_W), E_OK);
	p[4096 + 5] = 0x5a;
	KT_ASSERT_EQ(((volatile uint8_t *)dst)[4096 + 5], 0x5a);
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, src, dst + 6 * 4096, 1, MAP_R), E_OK);
	/* Pages 5 and 6: page 6 is taken, so page 5 must not be mapped either. */
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, src, dst + 5 * 4096, 2, MAP_R), E_ALREADY_MAPPED);
	/* Nothing of the failed call stayed: page 5 is still free. */
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, src, dst + 5 * 4096, 1, MAP_R), E_OK);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, dst, 8, MAP_R, UNMAP_SELF), E_OK);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, dst + 1, 1, MAP_R, UNMAP_SELF), E_BAD_ADDRESS);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, dst, 0, MAP_R, UNMAP_SELF), E_INVALID_ARG);
	/* Unmapped again: remapping works. */
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, src, dst, 4, MAP_R), E_OK);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, dst, 4, MAP_R, UNMAP_SELF), E_OK);
}

DEFINE_TEST(factory_quota, "exhausting a factory quota fails cleanly and charges nothing")
{
	uint32_t small = sel_alloc(), info[2];
	KT_ASSERT_ERR(k_factory_create(SEL_FACTORY, KOBJ_FACTORY, small, 6000), E_OK);
	KT_ASSERT_ERR(k_invoke(small, FACTORY_INFO, NULL, 0, info, 2, 0), E_OK);
	KT_ASSERT_EQ(info[0], 6000);
	KT_ASSERT_EQ(info[1], 0);
	/* A task needs an 8 KiB first-level table: more than the quota. */
	KT_ASSERT_ERR(k_factory_create(small, KOBJ_TASK, sel_alloc(), 0), E_NO_MEMORY);
	KT_ASSERT_ERR(k_invoke(small, FACTORY_INFO, NULL, 0, info, 2, 0), E_OK);
	KT_ASSERT_EQ(info[1], 0);
	/* A thread (object + 4 KiB UTCB) fits once, not twice. */
	KT_ASSERT_ERR(k_factory_create(small, KOBJ_THREAD, sel_alloc(), 0), E_OK);
	KT_ASSERT_ERR(k_invoke(small, FACTORY_INFO, NULL, 0, info, 2, 0), E_OK);
	uint32_t used = info[1];
	KT_ASSERT(used > 4096 && used <= 6000);
	KT_ASSERT_ERR(k_factory_create(small, KOBJ_THREAD, sel_alloc(), 0), E_NO_MEMORY);
	KT_ASSERT_ERR(k_invoke(small, FACTORY_INFO, NULL, 0, info, 2, 0), E_OK);
	KT_ASSERT_EQ(info[1], used);
	/* More than the parent has left. */
	KT_ASSERT_ERR(k_factory_create(small, KOBJ_FACTORY, sel_alloc(), 100000), E_NO_MEMORY);
	KT_ASSERT_ERR(k_factory_create(SEL_FACTORY, KOBJ_FACTORY, sel_alloc(), 0), E_INVALID_ARG);
}

/* Page-granular dirty tracking. */
#include "ktest.h"
#include "selalloc.h"
#include "pages.h"

static uint32_t collect1(uint32_t task, uint32_t va, uint32_t pages)
{
	uint32_t bm[2] = { 0xdeadbeef, 0xdeadbeef };
	if (k_dirty_collect(task, va, pages, bm) != E_OK)
		return 0xffffffffu;
	return bm[0];
}

static volatile uint32_t pf_calls;

static void counting_pager(uint32_t a)
{
	(void)a;
	struct k_msg m = { 0 };
	k_wait(&m, TIMEOUT_NEVER);
	for (;;) {
		pf_calls++;
		m.tag = MSG_TAG(MSG_FAULT_STOP, 0, 0);
		k_reply_wait(&m, TIMEOUT_NEVER);
	}
}

static volatile uint8_t *dpages;
static volatile uint32_t writer_done;

static void writer(uint32_t mask)
{
	for (unsigned i = 0; i < 8; i++)
		if (mask & (1u << i))
			dpages[i * PAGE_SIZE + 100] = (uint8_t)i;
	writer_done = 1;
}

DEFINE_TEST(dirty_tracking, "written pages are reported exactly, and tracking goes on after each collect")
{
	dpages = pages_alloc(8);
	KT_ASSERT(dpages);
	uint32_t va = (uint32_t)dpages;
	KT_ASSERT_ERR(k_dirty_track(SEL_TASK, va, 8), E_OK);
	uint32_t sum = 0;
	for (unsigned i = 0; i < 8; i++)
		sum += dpages[i * PAGE_SIZE];
	KT_ASSERT_EQ(sum, 0);
	KT_ASSERT_EQ(collect1(SEL_TASK, va, 8), 0);           /* reads are not writes */

	/* Writes from a thread whose pager would count any IPC: there is none. */
	pf_calls = 0;
	writer_done = 0;
	uint32_t pager = kt_spawn(counting_pager, 0, 60, "pager"), g = sel_alloc();
	KT_ASSERT(pager);
	KT_ASSERT_ERR(k_gate_create(SEL_FACTORY, g, 1, pager), E_OK);
	uint32_t w = kt_spawn(writer, 0x4a, 40, "writer");   /* pages 1, 3, 6 */
	KT_ASSERT(w);
	KT_ASSERT_ERR(k_thread_set_handlers(w, g, g), E_OK);
	KT_ASSERT(kt_wait_flag(&writer_done, 200));
	KT_ASSERT_EQ(pf_calls, 0);
	KT_ASSERT_EQ(dpages[3 * PAGE_SIZE + 100], 3);
	KT_ASSERT_EQ(collect1(SEL_TASK, va, 8), 0x4a);
	KT_ASSERT_EQ(collect1(SEL_TASK, va, 8), 0);           /* collected: clean again */
	dpages[3 * PAGE_SIZE] = 1;
	dpages[3 * PAGE_SIZE + 1] = 2;
	KT_ASSERT_EQ(collect1(SEL_TASK, va, 8), 0x08);
	KT_ASSERT_EQ(collect1(SEL_TASK, va + PAGE_SIZE, 4), 0);
	dpages[7 * PAGE_SIZE] = 1;
	KT_ASSERT_EQ(collect1(SEL_TASK, va + 4 * PAGE_SIZE, 4), 0x8);   /* bit i from the range start */

	KT_ASSERT_ERR(k_dirty_stop(SEL_TASK, va, 8), E_OK);
	dpages[5 * PAGE_SIZE] = 1;
	KT_ASSERT_EQ(collect1(SEL_TASK, va, 8), 0);           /* no longer tracked */
}

DEFINE_TEST(dirty_ranges, "unmapped and read-only pages in a range; bad arguments")
{
	uint8_t *p = pages_alloc(2);
	uint32_t base = 0x53000000u;
	KT_ASSERT(p);
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, (uint32_t)p, base, 1, MAP_R | MAP_W), E_OK);
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, (uint32_t)p + PAGE_SIZE, base + 2 * PAGE_SIZE, 1, MAP_R | MAP_W), E_OK);
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, BOOTINFO_VA, base + 3 * PAGE_SIZE, 1, MAP_R), E_OK);
	KT_ASSERT_ERR(k_dirty_track(SEL_TASK, base, 4), E_OK);
	*(volatile uint8_t *)base = 1;
	*(volatile uint8_t *)(base + 2 * PAGE_SIZE) = 1;
	KT_ASSERT_EQ(collect1(SEL_TASK, base, 4), 0x5);
	/* The read-only page stays read-only: tracking never makes it writable. */
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, base + 3 * PAGE_SIZE, base + 5 * PAGE_SIZE, 1, MAP_R | MAP_W), E_NO_RIGHTS);
	/* A tracked writable page can still be passed on writable (by right). */
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, base, base + 6 * PAGE_SIZE, 1, MAP_R | MAP_W), E_OK);

	KT_ASSERT_ERR(k_dirty_track(SEL_TASK, base, 0), E_INVALID_ARG);
	KT_ASSERT_ERR(k_dirty_track(SEL_TASK, base + 1, 1), E_BAD_ADDRESS);
	KT_ASSERT_ERR(k_dirty_track(SEL_TASK, 0xc0000000u, 1), E_BAD_ADDRESS);
	uint32_t bm[MSG_WORDS_MAX];
	KT_ASSERT_ERR(k_dirty_collect(SEL_TASK, base, DIRTY_COLLECT_MAX + 1, bm), E_INVALID_ARG);
	KT_ASSERT_ERR(k_dirty_collect(SEL_TASK, base, DIRTY_COLLECT_MAX, bm), E_OK);
	uint32_t ro = sel_alloc();
	KT_ASSERT_ERR(k_task_cap_map(SEL_TASK, SEL_TASK, ro, RIGHT_READ), E_OK);
	KT_ASSERT_ERR(k_dirty_track(ro, base, 1), E_NO_RIGHTS);
	KT_ASSERT_ERR(k_dirty_stop(SEL_TASK, base, 4), E_OK);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, base, 8, MAP_R, UNMAP_SELF), E_OK);
}

/* Runs in its own task: writes the pages its mask names, again and again. */
struct dirty_box {
	volatile uint32_t mask, round, done;
	uint8_t pad[PAGE_SIZE - 12];
	uint8_t pages[4][PAGE_SIZE];
};

static void child_writer(uint32_t arg)
{
	struct dirty_box *b = (struct dirty_box *)arg;
	uint32_t seen = 0;
	for (;;) {
		seen = kt_next_round(&b->round, seen);
		for (unsigned i = 0; i < 4; i++)
			if (b->mask & (1u << i))
				b->pages[i][i] = (uint8_t)seen;
		b->done = seen;
	}
}

DEFINE_TEST(dirty_other_task, "tracking a child's mapping: its writes are seen, ours through our own mapping are not")
{
	struct dirty_box *b = pages_alloc(5);
	KT_ASSERT(b);
	uint32_t task;
	uint32_t t = kt_spawn_task(child_writer, (uint32_t)b, 40, "dwriter", b, 5, &task);
	KT_ASSERT(t);
	uint32_t pages_va = (uint32_t)b->pages;
	KT_ASSERT_ERR(k_dirty_track(task, pages_va, 4), E_OK);
	for (uint32_t round = 1, mask = 0x9; round <= 3; round++, mask = (mask * 3) & 0xf) {
		b->mask = mask;
		b->round = round;
		KT_ASSERT(kt_wait_flag(&b->done, 200));
		for (int i = 0; i < 200 && b->done != round; i++)
			k_sleep_us(1000);
		KT_ASSERT_EQ(b->done, round);
		b->pages[1][0] = 7;   /* through our mapping: not the child's write */
		KT_ASSERT_EQ(collect1(task, pages_va, 4), mask);
		KT_ASSERT_EQ(collect1(SEL_TASK, pages_va, 4), 0);   /* ours is not tracked */
	}
}

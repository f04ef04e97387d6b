/* The dirty log, copy-on-write snapshot pages, and what they cost. */
#include "ktest.h"
#include "selalloc.h"
#include "pages.h"

#define LOG_PAGES 80u

/* Shared with a child task: it writes the pages `list` names, in order,
 * each round (two stores each: only the first is a first write). */
struct log_box {
	volatile uint32_t round, done, n;
	volatile uint32_t list[LOG_PAGES];
	uint8_t pad[PAGE_SIZE - 12 - 4 * LOG_PAGES];
	uint8_t pages[LOG_PAGES][PAGE_SIZE];
};

static void list_writer(uint32_t arg)
{
	struct log_box *b = (struct log_box *)arg;
	uint32_t seen = 0;
	for (;;) {
		seen = kt_next_round(&b->round, seen);
		for (unsigned i = 0; i < b->n; i++) {
			b->pages[b->list[i]][0] = (uint8_t)seen;
			b->pages[b->list[i]][1] = (uint8_t)seen;
		}
		b->done = seen;
	}
}

/* Start a round; returns its number. */
static uint32_t start_writes(struct log_box *b, const uint32_t *list, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		b->list[i] = list[i];
	b->n = n;
	return ++b->round;
}

static bool child_writes(struct log_box *b, const uint32_t *list, unsigned n)
{
	uint32_t round = start_writes(b, list, n);
	for (int i = 0; i < 500 && b->done != round; i++)
		k_sleep_us(1000);
	return b->done == round;
}

static struct log_box *log_child(uint32_t *task, uint32_t *thread)
{
	struct log_box *b = pages_alloc(sizeof(struct log_box) / PAGE_SIZE);
	if (!b)
		return NULL;
	*thread = kt_spawn_task(list_writer, (uint32_t)b, 40, "dlog", b,
				sizeof(struct log_box) / PAGE_SIZE, task);
	return *thread ? b : NULL;
}

static uint32_t page_va(struct log_box *b, uint32_t i)
{
	return (uint32_t)b->pages[i];
}

static unsigned page_state(uint32_t task, uint32_t va)
{
	unsigned st;
	return k_task_page_state(task, va, &st) == E_OK ? st : 0xffu;
}

DEFINE_TEST(dirty_log_drain, "the log returns the pages written, each once, oldest first, and they are clean again")
{
	uint32_t task, t;
	struct log_box *b = log_child(&task, &t);
	KT_ASSERT(b);
	uint32_t vas[DIRTY_DRAIN_MAX];
	unsigned n, status;
	KT_ASSERT_ERR(k_dirty_log(task, 128), E_OK);
	KT_ASSERT_ERR(k_dirty_track(task, page_va(b, 0), LOG_PAGES), E_OK);
	KT_ASSERT_ERR(k_dirty_drain(task, 0, vas, &n, &status), E_OK);
	KT_ASSERT_EQ(n, 0);
	KT_ASSERT_EQ(status, 0);

	static const uint32_t set1[] = { 7, 0, 79, 12, 3 };
	KT_ASSERT(child_writes(b, set1, 5));
	KT_ASSERT_EQ(page_state(task, page_va(b, 79)), PAGE_DIRTY);
	KT_ASSERT_EQ(page_state(task, page_va(b, 1)), PAGE_CLEAN);
	KT_ASSERT_ERR(k_dirty_drain(task, 0, vas, &n, &status), E_OK);
	KT_ASSERT_EQ(n, 5);
	KT_ASSERT_EQ(status, 0);
	for (unsigned i = 0; i < 5; i++) {
		KT_ASSERT_EQ(vas[i], page_va(b, set1[i]));
		KT_ASSERT_EQ(page_state(task, vas[i]), PAGE_CLEAN);
	}
	KT_ASSERT_ERR(k_dirty_drain(task, 0, vas, &n, &status), E_OK);
	KT_ASSERT_EQ(n, 0);
	/* Read-only again: the next write is a first write, logged once. */
	static const uint32_t set2[] = { 3, 3 };
	KT_ASSERT(child_writes(b, set2, 2));
	KT_ASSERT_ERR(k_dirty_drain(task, 0, vas, &n, &status), E_OK);
	KT_ASSERT_EQ(n, 1);
	KT_ASSERT_EQ(vas[0], page_va(b, 3));

	/* More than one drain holds. */
	uint32_t all[LOG_PAGES];
	for (unsigned i = 0; i < LOG_PAGES; i++)
		all[i] = i;
	KT_ASSERT(child_writes(b, all, LOG_PAGES));
	KT_ASSERT_ERR(k_dirty_drain(task, 0, vas, &n, &status), E_OK);
	KT_ASSERT_EQ(n, DIRTY_DRAIN_MAX);
	KT_ASSERT_EQ(status, DRAIN_MORE);
	for (unsigned i = 0; i < n; i++)
		KT_ASSERT_EQ(vas[i], page_va(b, i));
	KT_ASSERT_ERR(k_dirty_drain(task, 0, vas, &n, &status), E_OK);
	KT_ASSERT_EQ(n, LOG_PAGES - DIRTY_DRAIN_MAX);
	KT_ASSERT_EQ(status, 0);
	for (unsigned i = 0; i < n; i++)
		KT_ASSERT_EQ(vas[i], page_va(b, DIRTY_DRAIN_MAX + i));

	/* Entries whose page is no longer dirty are dropped: collected,
	 * untracked, unmapped. */
	static const uint32_t set3[] = { 20, 21, 22 };
	KT_ASSERT(child_writes(b, set3, 3));
	uint32_t bm[3];
	KT_ASSERT_ERR(k_dirty_collect(task, page_va(b, 20), 1, bm), E_OK);
	KT_ASSERT_EQ(bm[0], 1);
	KT_ASSERT_ERR(k_dirty_stop(task, page_va(b, 21), 1), E_OK);
	KT_ASSERT_ERR(k_task_unmap(task, page_va(b, 22), 1, MAP_R, UNMAP_SELF), E_OK);
	KT_ASSERT_ERR(k_dirty_drain(task, 0, vas, &n, &status), E_OK);
	KT_ASSERT_EQ(n, 0);
	KT_ASSERT_EQ(status, 0);
	KT_ASSERT_ERR(k_dirty_log(task, 0), E_OK);
	KT_ASSERT_ERR(k_dirty_drain(task, 0, vas, &n, &status), E_INVALID_STATE);
}

DEFINE_TEST(dirty_log_overflow, "a log too small reports DRAIN_OVERFLOW once; collect finds the rest")
{
	uint32_t task, t;
	struct log_box *b = log_child(&task, &t);
	KT_ASSERT(b);
	uint32_t vas[DIRTY_DRAIN_MAX], bm[3];
	unsigned n, status;
	KT_ASSERT_ERR(k_dirty_log(task, 4), E_OK);
	KT_ASSERT_ERR(k_dirty_track(task, page_va(b, 0), LOG_PAGES), E_OK);
	static const uint32_t set[] = { 10, 11, 12, 13, 14, 15, 16, 17, 18, 19 };
	KT_ASSERT(child_writes(b, set, 10));
	KT_ASSERT_ERR(k_dirty_drain(task, 0, vas, &n, &status), E_OK);
	KT_ASSERT_EQ(n, 4);
	KT_ASSERT_EQ(status, DRAIN_OVERFLOW);
	for (unsigned i = 0; i < n; i++)
		KT_ASSERT_EQ(vas[i], page_va(b, set[i]));
	KT_ASSERT_ERR(k_dirty_drain(task, 0, vas, &n, &status), E_OK);
	KT_ASSERT_EQ(n, 0);
	KT_ASSERT_EQ(status, 0);   /* reported once */
	KT_ASSERT_ERR(k_dirty_collect(task, page_va(b, 0), LOG_PAGES, bm), E_OK);
	KT_ASSERT_EQ(bm[0], 0xfc000u);   /* pages 14-19: the drained ones are clean */
	KT_ASSERT_EQ(bm[1], 0);
	KT_ASSERT_EQ(bm[2], 0);

	/* A log replaced while it holds entries loses them: overflow. */
	static const uint32_t one[] = { 30 };
	KT_ASSERT(child_writes(b, one, 1));
	KT_ASSERT_ERR(k_dirty_log(task, 16), E_OK);
	KT_ASSERT_ERR(k_dirty_drain(task, 0, vas, &n, &status), E_OK);
	KT_ASSERT_EQ(n, 0);
	KT_ASSERT_EQ(status, DRAIN_OVERFLOW);
	KT_ASSERT_ERR(k_dirty_collect(task, page_va(b, 0), LOG_PAGES, bm), E_OK);
	KT_ASSERT_EQ(bm[0], 1u << 30);
}

/* A pager that holds a write fault until told, noting what the page held
 * at that moment (read through our mapping, which is not tracked). */
static volatile uint32_t snap_faults, snap_addr, snap_access, snap_byte, snap_go;

static void snap_pager(uint32_t a)
{
	(void)a;
	struct k_msg m = { 0 };
	k_wait(&m, TIMEOUT_NEVER);
	for (;;) {
		if (MSG_TAG_LABEL(m.tag) == MSG_PAGE_FAULT) {
			snap_addr = m.mr[0];
			snap_access = m.mr[1];
			snap_byte = *(volatile uint8_t *)m.mr[0];
			snap_faults++;
			while (!snap_go)
				k_sleep_us(1000);
			snap_go = 0;
		}
		m.tag = MSG_TAG(0, 0, 0);
		k_reply_wait(&m, TIMEOUT_NEVER);
	}
}

static bool wait_faults(uint32_t want)
{
	for (int i = 0; i < 500 && snap_faults != want; i++)
		k_sleep_us(1000);
	return snap_faults == want;
}

static bool wait_done(struct log_box *b, uint32_t round)
{
	for (int i = 0; i < 500 && b->done != round; i++)
		k_sleep_us(1000);
	return b->done == round;
}

/* A write to copy-pending page p reaches the pager before it lands; the
 * pager's SNAPSHOT_DONE and reply let it land as a first write. */
static void check_pending_write(uint32_t task, uint32_t t, struct log_box *b, uint32_t p)
{
	uint32_t faults = snap_faults;
	b->pages[p][0] = 0xee;
	const uint32_t list[1] = { p };
	uint32_t round = start_writes(b, list, 1);
	KT_ASSERT(wait_faults(faults + 1));
	KT_ASSERT_EQ(snap_addr, page_va(b, p));
	KT_ASSERT_EQ(snap_access, MAP_W);
	KT_ASSERT_EQ(snap_byte, 0xee);
	KT_ASSERT_EQ(b->pages[p][0], 0xee);
	KT_ASSERT_EQ(page_state(task, page_va(b, p)), PAGE_COPY_PENDING);
	struct k_thread_info ti;
	KT_ASSERT_ERR(k_thread_info(t, &ti), E_OK);
	KT_ASSERT_EQ(ti.in_fault, 1);
	KT_ASSERT_ERR(k_snapshot_done(task, page_va(b, p), 1), E_OK);
	KT_ASSERT_EQ(page_state(task, page_va(b, p)), PAGE_CLEAN);
	snap_go = 1;
	KT_ASSERT(wait_done(b, round));
	KT_ASSERT_EQ(b->pages[p][0], (uint8_t)round);
	KT_ASSERT_EQ(page_state(task, page_va(b, p)), PAGE_DIRTY);
	KT_ASSERT_EQ(snap_faults, faults + 1);
}

DEFINE_TEST(dirty_log_snapshot, "copy-pending pages: writes go to the pager first, then land dirty and logged")
{
	snap_faults = snap_go = 0;
	uint32_t task, t;
	struct log_box *b = log_child(&task, &t);
	KT_ASSERT(b);
	uint32_t pager = kt_spawn(snap_pager, 0, 60, "snappgr"), g = sel_alloc();
	KT_ASSERT(pager);
	KT_ASSERT_ERR(k_gate_create(SEL_FACTORY, g, 0x5a, pager), E_OK);
	KT_ASSERT_ERR(k_thread_set_handlers(t, g, SEL_NULL), E_OK);
	uint32_t va = page_va(b, 0), vas[DIRTY_DRAIN_MAX], bm[1];
	unsigned n, status;
	KT_ASSERT_ERR(k_dirty_log(task, 16), E_OK);
	KT_ASSERT_EQ(page_state(task, va), PAGE_UNTRACKED);
	KT_ASSERT_ERR(k_dirty_track_flags(task, va, 4, DIRTY_SNAPSHOT), E_OK);
	for (unsigned i = 0; i < 4; i++)
		KT_ASSERT_EQ(page_state(task, page_va(b, i)), PAGE_COPY_PENDING);

	check_pending_write(task, t, b, 1);
	if (kt_failed())
		return;
	KT_ASSERT_EQ(page_state(task, page_va(b, 0)), PAGE_COPY_PENDING);   /* the others wait */
	KT_ASSERT_ERR(k_dirty_drain(task, 0, vas, &n, &status), E_OK);
	KT_ASSERT_EQ(n, 1);
	KT_ASSERT_EQ(vas[0], page_va(b, 1));
	KT_ASSERT_EQ(status, 0);

	/* All clean: a write is resolved in the kernel, no pager. */
	KT_ASSERT_ERR(k_snapshot_done(task, va, 4), E_OK);
	static const uint32_t two[] = { 2 };
	KT_ASSERT(child_writes(b, two, 1));
	KT_ASSERT_EQ(snap_faults, 1);
	/* Collected with DIRTY_SNAPSHOT it is copy-pending; its log entry is
	 * dropped, since it is no longer dirty. */
	KT_ASSERT_ERR(k_dirty_collect_flags(task, va, 4, DIRTY_SNAPSHOT, bm), E_OK);
	KT_ASSERT_EQ(bm[0], 0x4);
	KT_ASSERT_EQ(page_state(task, page_va(b, 2)), PAGE_COPY_PENDING);
	KT_ASSERT_ERR(k_dirty_drain(task, 0, vas, &n, &status), E_OK);
	KT_ASSERT_EQ(n, 0);
	check_pending_write(task, t, b, 2);
	if (kt_failed())
		return;
	/* Drained with DIRTY_SNAPSHOT: copy-pending again. */
	KT_ASSERT_ERR(k_dirty_drain(task, DIRTY_SNAPSHOT, vas, &n, &status), E_OK);
	KT_ASSERT_EQ(n, 1);
	KT_ASSERT_EQ(vas[0], page_va(b, 2));
	KT_ASSERT_EQ(page_state(task, page_va(b, 2)), PAGE_COPY_PENDING);

	/* Stopping ends copy-pending too: plain writes again. */
	KT_ASSERT_ERR(k_dirty_stop(task, va, 4), E_OK);
	KT_ASSERT_EQ(page_state(task, page_va(b, 2)), PAGE_UNTRACKED);
	static const uint32_t four[] = { 0, 1, 2, 3 };
	KT_ASSERT(child_writes(b, four, 4));
	KT_ASSERT_EQ(snap_faults, 2);
	KT_ASSERT_ERR(k_dirty_drain(task, 0, vas, &n, &status), E_OK);
	KT_ASSERT_EQ(n, 0);
}

static uint32_t factory_used(uint32_t f)
{
	uint32_t used = 0xffffffffu;
	k_factory_info(f, NULL, &used);
	return used;
}

DEFINE_TEST(dirty_log_quota, "the log is paid by the task's factory, all of it back when freed or the task goes")
{
	uint32_t fac = sel_alloc(), task = sel_alloc(), vas[DIRTY_DRAIN_MAX];
	unsigned n, status;
	KT_ASSERT_ERR(k_factory_create(SEL_FACTORY, KOBJ_FACTORY, fac, 512u * 1024u), E_OK);
	KT_ASSERT_ERR(k_factory_create(fac, KOBJ_TASK, task, 0), E_OK);
	uint32_t base = factory_used(fac);
	KT_ASSERT_ERR(k_dirty_log(task, DIRTY_LOG_MAX), E_OK);
	KT_ASSERT_EQ(factory_used(fac), base + DIRTY_LOG_MAX * 4);
	KT_ASSERT_ERR(k_dirty_log(task, 4097), E_OK);   /* one block and a bit */
	KT_ASSERT_EQ(factory_used(fac), base + 16384 + 64);
	KT_ASSERT_ERR(k_dirty_log(task, 0), E_OK);
	KT_ASSERT_EQ(factory_used(fac), base);
	KT_ASSERT_ERR(k_dirty_log(task, DIRTY_LOG_MAX + 1), E_INVALID_ARG);
	KT_ASSERT_EQ(factory_used(fac), base);

	/* Out of quota half way: nothing changes, the old log stays. */
	uint32_t small = sel_alloc(), task2 = sel_alloc();
	KT_ASSERT_ERR(k_factory_create(SEL_FACTORY, KOBJ_FACTORY, small, base + 40u * 1024u), E_OK);
	KT_ASSERT_ERR(k_factory_create(small, KOBJ_TASK, task2, 0), E_OK);
	KT_ASSERT_ERR(k_dirty_log(task2, 100), E_OK);
	uint32_t before = factory_used(small);
	KT_ASSERT_ERR(k_dirty_log(task2, DIRTY_LOG_MAX), E_NO_MEMORY);
	KT_ASSERT_EQ(factory_used(small), before);
	KT_ASSERT_ERR(k_dirty_drain(task2, 0, vas, &n, &status), E_OK);

	/* A task that goes takes its log with it. */
	KT_ASSERT_ERR(k_dirty_log(task, 5000), E_OK);
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, task), E_OK);
	KT_ASSERT_EQ(factory_used(fac), 0);
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, task2), E_OK);
	KT_ASSERT_EQ(factory_used(small), 0);
}

DEFINE_TEST(dirty_log_errors, "bad flags, ranges, rights and no log are refused and change nothing")
{
	uint8_t *p = pages_alloc(2);
	uint32_t task = sel_alloc(), va = 0x50000000u, vas[DIRTY_DRAIN_MAX], bm[1];
	unsigned n, status;
	KT_ASSERT(p);
	KT_ASSERT_ERR(k_factory_create(SEL_FACTORY, KOBJ_TASK, task, 0), E_OK);
	KT_ASSERT_ERR(k_task_map(task, SEL_TASK, (uint32_t)p, va, 2, MAP_R | MAP_W), E_OK);

	KT_ASSERT_ERR(k_dirty_drain(task, 0, vas, &n, &status), E_INVALID_STATE);
	KT_ASSERT_ERR(k_dirty_drain(task, 0x2, vas, &n, &status), E_INVALID_ARG);
	KT_ASSERT_ERR(k_dirty_track_flags(task, va, 2, 0x2), E_INVALID_ARG);
	KT_ASSERT_EQ(page_state(task, va), PAGE_UNTRACKED);
	KT_ASSERT_ERR(k_dirty_track_flags(task, va, 2, 0), E_OK);
	KT_ASSERT_EQ(page_state(task, va), PAGE_CLEAN);
	KT_ASSERT_ERR(k_dirty_collect_flags(task, va, 2, 0x80, bm), E_INVALID_ARG);
	KT_ASSERT_ERR(k_dirty_track_flags(task, va, 2, 0x80000001u), E_INVALID_ARG);
	KT_ASSERT_EQ(page_state(task, va + PAGE_SIZE), PAGE_CLEAN);
	KT_ASSERT_ERR(k_snapshot_done(task, va, 0), E_INVALID_ARG);
	KT_ASSERT_ERR(k_snapshot_done(task, va + 1, 1), E_BAD_ADDRESS);
	KT_ASSERT_ERR(k_snapshot_done(task, 0xc0000000u, 1), E_BAD_ADDRESS);
	KT_ASSERT_ERR(k_snapshot_done(task, va, 2), E_OK);   /* nothing pending: no change */
	KT_ASSERT_EQ(page_state(task, va), PAGE_CLEAN);
	KT_ASSERT_ERR(k_dirty_log(task, 0xffffffffu), E_INVALID_ARG);
	KT_ASSERT_ERR(k_dirty_drain(task, 0, vas, &n, &status), E_INVALID_STATE);
	KT_ASSERT_ERR(k_invoke(task, TASK_DIRTY_LOG, NULL, 0, NULL, 0, TIMEOUT_NEVER), E_INVALID_ARG);
	unsigned st;
	KT_ASSERT_ERR(k_task_page_state(task, va + 2 * PAGE_SIZE, &st), E_NOT_MAPPED);

	/* Each needs the write right; the state can be read with read. */
	uint32_t ro = sel_alloc();
	KT_ASSERT_ERR(k_task_cap_map(SEL_TASK, task, ro, RIGHT_READ), E_OK);
	KT_ASSERT_ERR(k_dirty_log(ro, 4), E_NO_RIGHTS);
	KT_ASSERT_ERR(k_dirty_drain(ro, 0, vas, &n, &status), E_NO_RIGHTS);
	KT_ASSERT_ERR(k_snapshot_done(ro, va, 1), E_NO_RIGHTS);
	KT_ASSERT_ERR(k_dirty_track_flags(ro, va, 1, DIRTY_SNAPSHOT), E_NO_RIGHTS);
	KT_ASSERT_ERR(k_task_page_state(ro, va, &st), E_OK);
	KT_ASSERT_EQ(st, PAGE_CLEAN);
	KT_ASSERT_ERR(k_dirty_stop(task, va, 2), E_OK);
	KT_ASSERT_EQ(page_state(task, va), PAGE_UNTRACKED);
}

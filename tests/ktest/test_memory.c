/*
 * The mapping database: mappings remember where they were mapped from, and
 * TASK_UNMAP takes them back (or takes rights away) recursively, from
 * every task they reached.
 */
#include "ktest.h"
#include "selalloc.h"
#include "pages.h"

/* Where the scratch tasks of a chain hold the page: A, B, C. */
#define CHAIN_VA(i) (0x58000000u + (i) * 0x100000u)
#define RW  (MAP_R | MAP_W)
#define RWX (MAP_R | MAP_W | MAP_X)

#define KT_ASSERT_PAGE(task, va, rights, derived, children) do {               \
	unsigned r_, d_, c_;                                                   \
	KT_ASSERT_ERR(k_task_page_info((task), (va), &r_, &d_, &c_), E_OK);    \
	KT_ASSERT_EQ(r_, (rights));                                            \
	KT_ASSERT_EQ(d_, (derived));                                           \
	KT_ASSERT_EQ(c_, (children));                                          \
	} while (0)

#define KT_ASSERT_UNMAPPED(task, va) do {                                      \
	unsigned r_, d_, c_;                                                   \
	KT_ASSERT_ERR(k_task_page_info((task), (va), &r_, &d_, &c_), E_NOT_MAPPED); \
	} while (0)

/* A task with no threads: it only holds mappings. */
static int new_task(uint32_t *sel)
{
	*sel = sel_alloc();
	return k_factory_create(SEL_FACTORY, KOBJ_TASK, *sel, 0);
}

/* A fresh page of ours, passed on root -> A -> B -> C with `rights`. */
static int build_chain(uint32_t page, uint32_t t[3], unsigned rights)
{
	uint32_t from = SEL_TASK, from_va = page;
	for (unsigned i = 0; i < 3; i++) {
		int st = new_task(&t[i]);
		if (!st)
			st = k_task_map(t[i], from, from_va, CHAIN_VA(i), 1, rights);
		if (st)
			return st;
		from = t[i];
		from_va = CHAIN_VA(i);
	}
	return E_OK;
}

DEFINE_TEST(mdb_chain_info, "a page passed on root -> A -> B -> C: page info shows rights, origin, children")
{
	uint32_t page = (uint32_t)pages_alloc(1), t[3];
	KT_ASSERT(page);
	KT_ASSERT_PAGE(SEL_TASK, page, RWX, 0, 0);      /* boot memory: a root */
	KT_ASSERT_ERR(build_chain(page, t, RW), E_OK);
	KT_ASSERT_PAGE(SEL_TASK, page, RWX, 0, 1);
	KT_ASSERT_PAGE(t[0], CHAIN_VA(0), RW, 1, 1);
	KT_ASSERT_PAGE(t[1], CHAIN_VA(1), RW, 1, 1);
	KT_ASSERT_PAGE(t[2], CHAIN_VA(2), RW, 1, 0);
	/* Two more from A, one read-only: siblings. */
	KT_ASSERT_ERR(k_task_map(t[2], t[0], CHAIN_VA(0), CHAIN_VA(2) + PAGE_SIZE, 1, MAP_R), E_OK);
	KT_ASSERT_ERR(k_task_map(t[1], t[0], CHAIN_VA(0), CHAIN_VA(1) + PAGE_SIZE, 1, RW), E_OK);
	KT_ASSERT_PAGE(t[0], CHAIN_VA(0), RW, 1, 3);
	KT_ASSERT_PAGE(t[2], CHAIN_VA(2) + PAGE_SIZE, MAP_R, 1, 0);
	/* Rights never grow along the chain. */
	KT_ASSERT_ERR(k_task_map(t[0], t[2], CHAIN_VA(2) + PAGE_SIZE, CHAIN_VA(0) + PAGE_SIZE, 1, RW),
		      E_NO_RIGHTS);
	KT_ASSERT_UNMAPPED(t[0], CHAIN_VA(0) + PAGE_SIZE);
}

DEFINE_TEST(mdb_task_destroy, "deleting a task in the middle of a chain takes what was derived from its pages, and unlinks it from ours")
{
	uint32_t page = (uint32_t)pages_alloc(1), t[3];
	KT_ASSERT(page);
	KT_ASSERT_ERR(build_chain(page, t, RW), E_OK);
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, t[1]), E_OK);   /* B goes */
	KT_ASSERT_UNMAPPED(t[2], CHAIN_VA(2));                     /* C got it from B */
	KT_ASSERT_PAGE(t[0], CHAIN_VA(0), RW, 1, 0);               /* A keeps its own */
	KT_ASSERT_PAGE(SEL_TASK, page, RWX, 0, 1);
	/* And A's going leaves our page with nothing derived from it. */
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, t[0]), E_OK);
	KT_ASSERT_PAGE(SEL_TASK, page, RWX, 0, 0);
	KT_ASSERT_ERR(k_task_map(t[2], SEL_TASK, page, CHAIN_VA(2), 1, MAP_R), E_OK);
	KT_ASSERT_PAGE(SEL_TASK, page, RWX, 0, 1);
}

DEFINE_TEST(mdb_unmap_derived, "unmapping what was derived from a page takes it from A, B and C; ours stays")
{
	volatile uint32_t *p = pages_alloc(1);
	uint32_t page = (uint32_t)p, t[3];
	KT_ASSERT(p);
	p[0] = 0x5eed;
	KT_ASSERT_ERR(build_chain(page, t, RW), E_OK);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, page, 1, MAP_R, 0), E_OK);
	for (unsigned i = 0; i < 3; i++)
		KT_ASSERT_UNMAPPED(t[i], CHAIN_VA(i));
	KT_ASSERT_PAGE(SEL_TASK, page, RWX, 0, 0);
	KT_ASSERT_EQ(p[0], 0x5eed);
	/* The emptied slots take new mappings. */
	KT_ASSERT_ERR(k_task_map(t[1], SEL_TASK, page, CHAIN_VA(1), 1, MAP_R), E_OK);
	KT_ASSERT_PAGE(t[1], CHAIN_VA(1), MAP_R, 1, 0);
	KT_ASSERT_PAGE(SEL_TASK, page, RWX, 0, 1);
}

DEFINE_TEST(mdb_unmap_self, "unmapping in the middle of a chain: derived-only at B, then A with UNMAP_SELF")
{
	uint32_t page = (uint32_t)pages_alloc(1), t[3];
	KT_ASSERT(page);
	KT_ASSERT_ERR(build_chain(page, t, RW), E_OK);
	KT_ASSERT_ERR(k_task_unmap(t[1], CHAIN_VA(1), 1, MAP_R, 0), E_OK);
	KT_ASSERT_UNMAPPED(t[2], CHAIN_VA(2));
	KT_ASSERT_PAGE(t[1], CHAIN_VA(1), RW, 1, 0);
	KT_ASSERT_PAGE(t[0], CHAIN_VA(0), RW, 1, 1);

	KT_ASSERT_ERR(k_task_map(t[2], t[1], CHAIN_VA(1), CHAIN_VA(2), 1, RW), E_OK);
	KT_ASSERT_ERR(k_task_unmap(t[0], CHAIN_VA(0), 1, MAP_R, UNMAP_SELF), E_OK);
	for (unsigned i = 0; i < 3; i++)
		KT_ASSERT_UNMAPPED(t[i], CHAIN_VA(i));
	KT_ASSERT_PAGE(SEL_TASK, page, RWX, 0, 0);
}

/* Shared with a thread in a task of its own, which does one step, waits
 * for the go and does another, which must fault. */
struct step_box {
	volatile uint32_t started, go, finished;
	uint8_t pad[PAGE_SIZE - 12];
	volatile uint32_t target[PAGE_SIZE / 4];   /* a page of its own */
};

/* Writes the target page, waits, writes again. */
static void ro_writer(uint32_t arg)
{
	struct step_box *b = (struct step_box *)arg;
	b->target[0] = 1;
	b->started = 1;
	while (!b->go)
		k_sleep_us(1000);
	b->target[0] = 2;
	b->finished = 1;
}

DEFINE_TEST(mdb_read_only, "taking MAP_W from what was derived: A, B, C and a running task lose write, we keep it")
{
	uint32_t page = (uint32_t)pages_alloc(1), t[3];
	KT_ASSERT(page);
	KT_ASSERT_ERR(build_chain(page, t, RW), E_OK);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, page, 1, MAP_W, 0), E_OK);
	KT_ASSERT_PAGE(SEL_TASK, page, RWX, 0, 1);
	for (unsigned i = 0; i < 3; i++)
		KT_ASSERT_PAGE(t[i], CHAIN_VA(i), MAP_R, 1, i < 2);
	/* Read-only now, so it cannot be passed on writable either. */
	KT_ASSERT_ERR(k_task_map(t[1], t[0], CHAIN_VA(0), CHAIN_VA(1) + PAGE_SIZE, 1, RW), E_NO_RIGHTS);

	/* A thread that has written the page (its TLB knows it writable). */
	struct step_box *b = pages_alloc(2);
	KT_ASSERT(b);
	uint32_t task, th = kt_spawn_task(ro_writer, (uint32_t)b, 40, "rowriter", b, 2, &task);
	KT_ASSERT(th);
	KT_ASSERT(kt_wait_flag(&b->started, 200));
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, (uint32_t)b->target, 1, MAP_W, 0), E_OK);
	KT_ASSERT_PAGE(task, (uint32_t)b->target, MAP_R, 1, 0);
	b->go = 1;
	KT_ASSERT(kt_wait_state(th, TS_FAULTED, 200));
	KT_ASSERT_EQ(b->finished, 0);
	KT_ASSERT_EQ(b->target[0], 1);
	b->target[0] = 3;                       /* ours is still writable */
	KT_ASSERT_EQ(b->target[0], 3);
}

static volatile uint32_t tracked_write_done;

static void write_tracked(uint32_t va)
{
	*(volatile uint32_t *)va = 7;
	tracked_write_done = 1;
}

DEFINE_TEST(mdb_read_only_tracked, "a dirty-tracked page that loses MAP_W stays read-only, also after tracking stops")
{
	uint32_t page = (uint32_t)pages_alloc(1), alias = 0x58800000u;
	KT_ASSERT(page);
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, page, alias, 1, RW), E_OK);
	KT_ASSERT_ERR(k_dirty_track(SEL_TASK, alias, 1), E_OK);
	KT_ASSERT_PAGE(SEL_TASK, alias, RW, 1, 0);          /* writable by right */
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, page, 1, MAP_W, 0), E_OK);
	KT_ASSERT_PAGE(SEL_TASK, alias, MAP_R, 1, 0);
	KT_ASSERT_ERR(k_dirty_stop(SEL_TASK, alias, 1), E_OK);
	KT_ASSERT_PAGE(SEL_TASK, alias, MAP_R, 1, 0);
	tracked_write_done = 0;
	uint32_t th = kt_spawn(write_tracked, alias, 40, "trackwr");
	KT_ASSERT(th);
	KT_ASSERT(kt_wait_state(th, TS_FAULTED, 200));
	KT_ASSERT_EQ(tracked_write_done, 0);
	KT_ASSERT_EQ(*(volatile uint32_t *)page, 0);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, alias, 1, MAP_R, UNMAP_SELF), E_OK);
}

/* Sleeps (in its code pages) until told to go on. */
static void exec_waiter(uint32_t arg)
{
	struct step_box *b = (struct step_box *)arg;
	b->started = 1;
	while (!b->go)
		k_sleep_us(1000);
	b->finished = 1;
}

extern char __text_start[], __text_end[];

DEFINE_TEST(mdb_no_exec, "taking MAP_X: derived mappings lose it, and a task whose code loses it faults")
{
	uint32_t page = (uint32_t)pages_alloc(1), t[3];
	KT_ASSERT(page);
	KT_ASSERT_ERR(build_chain(page, t, RWX), E_OK);
	KT_ASSERT_ERR(k_task_unmap(t[0], CHAIN_VA(0), 1, MAP_X, 0), E_OK);
	KT_ASSERT_PAGE(t[0], CHAIN_VA(0), RWX, 1, 1);
	KT_ASSERT_PAGE(t[1], CHAIN_VA(1), RW, 1, 1);
	KT_ASSERT_PAGE(t[2], CHAIN_VA(2), RW, 1, 0);
	/* Both at once, A's own mapping included. */
	KT_ASSERT_ERR(k_task_unmap(t[0], CHAIN_VA(0), 1, MAP_W | MAP_X, UNMAP_SELF), E_OK);
	for (unsigned i = 0; i < 3; i++)
		KT_ASSERT_PAGE(t[i], CHAIN_VA(i), MAP_R, 1, i < 2);
	KT_ASSERT_PAGE(SEL_TASK, page, RWX, 0, 1);

	/* The spawned task's code pages lose execute while its thread sleeps
	 * in them: it faults as soon as it wakes. */
	struct step_box *b = pages_alloc(2);
	KT_ASSERT(b);
	uint32_t task, th = kt_spawn_task(exec_waiter, (uint32_t)b, 40, "xwaiter", b, 1, &task);
	KT_ASSERT(th);
	KT_ASSERT(kt_wait_flag(&b->started, 200));
	uint32_t text = (uint32_t)__text_start & ~(PAGE_SIZE - 1);
	uint32_t text_pages = ((uint32_t)__text_end - text + PAGE_SIZE - 1) / PAGE_SIZE;
	KT_ASSERT_PAGE(task, text, MAP_R | MAP_X, 1, 0);
	KT_ASSERT_ERR(k_task_unmap(task, text, text_pages, MAP_X, UNMAP_SELF), E_OK);
	KT_ASSERT_PAGE(task, text, MAP_R, 1, 0);
	unsigned rights, derived, children;
	KT_ASSERT_ERR(k_task_page_info(SEL_TASK, text, &rights, &derived, &children), E_OK);
	KT_ASSERT_EQ(rights, MAP_R | MAP_X);     /* the source keeps it */
	b->go = 1;
	KT_ASSERT(kt_wait_state(th, TS_FAULTED, 200));
	KT_ASSERT_EQ(b->finished, 0);
}

/* Receives one message with a memory window open, and again, for ever. */
#define RX_WINDOW 0x58900000u

static void mem_receiver(uint32_t arg)
{
	(void)arg;
	struct utcb *u = k_utcb();
	struct k_msg m = { 0 };
	u->br[BR_MEM_VA] = RX_WINDOW;
	u->br[BR_MEM_PAGES] = 4;
	k_wait(&m, TIMEOUT_NEVER);
	for (;;) {
		m.tag = MSG_TAG(0, 0, 0);
		k_reply_wait(&m, TIMEOUT_NEVER);
	}
}

DEFINE_TEST(mdb_ipc_items, "memory items make derived mappings, which a derived-only unmap takes back")
{
	uint32_t page = (uint32_t)pages_alloc(2), task, gate = sel_alloc();
	KT_ASSERT(page);
	uint32_t th = kt_spawn_task(mem_receiver, 0, 60, "memrx", NULL, 0, &task);
	KT_ASSERT(th);
	KT_ASSERT_ERR(k_gate_create(SEL_FACTORY, gate, 0x33, th), E_OK);
	struct k_msg m = { .tag = MSG_TAG(1, 0, 1),
			   .mr = { ITEM(ITEM_MEM, RW, 2), page } };
	KT_ASSERT_ERR(k_call(gate, &m, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_PAGE(task, RX_WINDOW, RW, 1, 0);
	KT_ASSERT_PAGE(task, RX_WINDOW + PAGE_SIZE, RW, 1, 0);
	KT_ASSERT_PAGE(SEL_TASK, page, RWX, 0, 1);
	/* It passes one on to a third task: that one is derived too. */
	uint32_t other;
	KT_ASSERT_ERR(new_task(&other), E_OK);
	KT_ASSERT_ERR(k_task_map(other, task, RX_WINDOW, CHAIN_VA(0), 1, MAP_R), E_OK);

	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, page, 2, MAP_R, 0), E_OK);
	KT_ASSERT_UNMAPPED(task, RX_WINDOW);
	KT_ASSERT_UNMAPPED(task, RX_WINDOW + PAGE_SIZE);
	KT_ASSERT_UNMAPPED(other, CHAIN_VA(0));
	KT_ASSERT_PAGE(SEL_TASK, page, RWX, 0, 0);
	KT_ASSERT_PAGE(SEL_TASK, page + PAGE_SIZE, RWX, 0, 0);
	/* The window is free again. */
	m = (struct k_msg){ .tag = MSG_TAG(1, 0, 1), .mr = { ITEM(ITEM_MEM, MAP_R, 1), page } };
	KT_ASSERT_ERR(k_call(gate, &m, TIMEOUT_NEVER), E_OK);
	KT_ASSERT_PAGE(task, RX_WINDOW, MAP_R, 1, 0);
}

static volatile uint32_t alias_value, alias_read;

static void read_alias(uint32_t va)
{
	alias_value = *(volatile uint32_t *)va;
	alias_read = 1;
}

DEFINE_TEST(mdb_same_task, "mappings derived within one task: unmapped from the source, or on their own")
{
	volatile uint32_t *p = pages_alloc(1);
	uint32_t page = (uint32_t)p, a1 = 0x58a00000u, a2 = 0x58b00000u;
	KT_ASSERT(p);
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, page, a1, 1, RW), E_OK);
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, a1, a2, 1, MAP_R), E_OK);
	KT_ASSERT_PAGE(SEL_TASK, page, RWX, 0, 1);
	KT_ASSERT_PAGE(SEL_TASK, a1, RW, 1, 1);
	KT_ASSERT_PAGE(SEL_TASK, a2, MAP_R, 1, 0);
	*(volatile uint32_t *)a1 = 0xa1;
	KT_ASSERT_EQ(*(volatile uint32_t *)a2, 0xa1);   /* now in our TLB */

	/* Derived-only from the source: both aliases go, the source stays. */
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, page, 1, MAP_R, 0), E_OK);
	KT_ASSERT_UNMAPPED(SEL_TASK, a1);
	KT_ASSERT_UNMAPPED(SEL_TASK, a2);
	KT_ASSERT_EQ(p[0], 0xa1);
	alias_read = 0;
	uint32_t th = kt_spawn(read_alias, a2, 40, "rdalias");
	KT_ASSERT(th);
	KT_ASSERT(kt_wait_state(th, TS_FAULTED, 200));   /* no stale TLB entry */
	KT_ASSERT_EQ(alias_read, 0);

	/* An alias removed on its own (UNMAP_SELF) takes its own derived along. */
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, page, a1, 1, RW), E_OK);
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, a1, a2, 1, RW), E_OK);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, a1, 1, MAP_R, UNMAP_SELF), E_OK);
	KT_ASSERT_UNMAPPED(SEL_TASK, a1);
	KT_ASSERT_UNMAPPED(SEL_TASK, a2);
	KT_ASSERT_PAGE(SEL_TASK, page, RWX, 0, 0);
	/* A range holding both a source and its alias: each is handled once. */
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, page, a1, 1, RW), E_OK);
	KT_ASSERT_ERR(k_task_map(SEL_TASK, SEL_TASK, a1, a1 + PAGE_SIZE, 1, RW), E_OK);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, a1, 2, MAP_W, UNMAP_SELF), E_OK);
	KT_ASSERT_PAGE(SEL_TASK, a1, MAP_R, 1, 1);
	KT_ASSERT_PAGE(SEL_TASK, a1 + PAGE_SIZE, MAP_R, 1, 0);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, a1, 2, MAP_R, UNMAP_SELF), E_OK);
	KT_ASSERT_UNMAPPED(SEL_TASK, a1 + PAGE_SIZE);
	KT_ASSERT_PAGE(SEL_TASK, page, RWX, 0, 0);
}

#define UTCB_VA 0x58c01000u

DEFINE_TEST(mdb_utcb, "a UTCB is never passed on, and UNMAP_SELF over it fails and changes nothing")
{
	uint32_t task, thread = sel_alloc(), page = (uint32_t)pages_alloc(1), other;
	KT_ASSERT(page);
	KT_ASSERT_ERR(new_task(&task), E_OK);
	KT_ASSERT_ERR(new_task(&other), E_OK);
	KT_ASSERT_ERR(k_factory_create(SEL_FACTORY, KOBJ_THREAD, thread, 0), E_OK);
	KT_ASSERT_ERR(k_thread_configure(thread, task, UTCB_VA, 10), E_OK);
	KT_ASSERT_PAGE(task, UTCB_VA, RW, 0, 0);
	KT_ASSERT_ERR(k_task_map(other, task, UTCB_VA, CHAIN_VA(0), 1, MAP_R), E_NO_RIGHTS);
	uint32_t own_utcb = (uint32_t)k_utcb();
	KT_ASSERT_ERR(k_task_map(other, SEL_TASK, own_utcb, CHAIN_VA(0), 1, MAP_R), E_NO_RIGHTS);
	KT_ASSERT_UNMAPPED(other, CHAIN_VA(0));

	/* A page next to the UTCB, passed on: a range over both. */
	KT_ASSERT_ERR(k_task_map(task, SEL_TASK, page, UTCB_VA - PAGE_SIZE, 1, RW), E_OK);
	KT_ASSERT_ERR(k_task_map(other, task, UTCB_VA - PAGE_SIZE, CHAIN_VA(0), 1, RW), E_OK);
	KT_ASSERT_ERR(k_task_unmap(task, UTCB_VA - PAGE_SIZE, 2, MAP_R, UNMAP_SELF), E_NO_RIGHTS);
	KT_ASSERT_ERR(k_task_unmap(task, UTCB_VA - PAGE_SIZE, 2, MAP_W, UNMAP_SELF), E_NO_RIGHTS);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, own_utcb, 1, MAP_R, UNMAP_SELF), E_NO_RIGHTS);
	KT_ASSERT_PAGE(task, UTCB_VA - PAGE_SIZE, RW, 1, 1);
	KT_ASSERT_PAGE(other, CHAIN_VA(0), RW, 1, 0);
	KT_ASSERT_PAGE(task, UTCB_VA, RW, 0, 0);
	/* Derived-only over the same range is fine: the UTCB has none. */
	KT_ASSERT_ERR(k_task_unmap(task, UTCB_VA - PAGE_SIZE, 2, MAP_R, 0), E_OK);
	KT_ASSERT_UNMAPPED(other, CHAIN_VA(0));
	KT_ASSERT_PAGE(task, UTCB_VA - PAGE_SIZE, RW, 1, 0);
	KT_ASSERT_PAGE(task, UTCB_VA, RW, 0, 0);
}

DEFINE_TEST(mdb_unmap_errors, "bad unmap and page-info arguments fail and change nothing")
{
	uint32_t page = (uint32_t)pages_alloc(1), t[3];
	KT_ASSERT(page);
	KT_ASSERT_ERR(build_chain(page, t, RW), E_OK);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, page, 1, 0, 0), E_INVALID_ARG);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, page, 1, 0x8, 0), E_INVALID_ARG);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, page, 1, MAP_R | 0x100, 0), E_INVALID_ARG);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, page, 1, MAP_R, 0x2), E_INVALID_ARG);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, page, 1, MAP_R, UNMAP_SELF | 0x80000000u), E_INVALID_ARG);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, page + 4, 1, MAP_R, 0), E_BAD_ADDRESS);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, 0xc0000000u, 1, MAP_R, 0), E_BAD_ADDRESS);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, 0, 1, MAP_R, 0), E_BAD_ADDRESS);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, 0x7ffff000u, 2, MAP_R, 0), E_BAD_ADDRESS);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, page, 0, MAP_R, 0), E_INVALID_ARG);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, page, 1025, MAP_R, 0), E_INVALID_ARG);
	/* The two-word form of old. */
	uint32_t old[2] = { page, 1 };
	KT_ASSERT_ERR(k_invoke(SEL_TASK, TASK_UNMAP, old, 2, NULL, 0, TIMEOUT_NEVER), E_INVALID_ARG);
	/* Without the write right on the task capability. */
	uint32_t ro = sel_alloc(), wo = sel_alloc();
	KT_ASSERT_ERR(k_task_cap_map(SEL_TASK, SEL_TASK, ro, RIGHT_READ), E_OK);
	KT_ASSERT_ERR(k_task_unmap(ro, page, 1, MAP_R, 0), E_NO_RIGHTS);
	KT_ASSERT_PAGE(SEL_TASK, page, RWX, 0, 1);
	for (unsigned i = 0; i < 3; i++)
		KT_ASSERT_PAGE(t[i], CHAIN_VA(i), RW, 1, i < 2);

	/* Page info: needs the read right; a bad or empty address. */
	unsigned r, d, c;
	KT_ASSERT_ERR(k_task_cap_map(SEL_TASK, SEL_TASK, wo, RIGHT_WRITE), E_OK);
	KT_ASSERT_ERR(k_task_page_info(wo, page, &r, &d, &c), E_NO_RIGHTS);
	KT_ASSERT_ERR(k_task_page_info(ro, page, &r, &d, &c), E_OK);
	KT_ASSERT_ERR(k_task_page_info(SEL_TASK, page + 1, &r, &d, &c), E_BAD_ADDRESS);
	KT_ASSERT_ERR(k_task_page_info(SEL_TASK, 0xc0000000u, &r, &d, &c), E_BAD_ADDRESS);
	KT_ASSERT_ERR(k_task_page_info(SEL_TASK, 0, &r, &d, &c), E_BAD_ADDRESS);
	KT_ASSERT_ERR(k_task_page_info(SEL_TASK, 0x5f000000u, &r, &d, &c), E_NOT_MAPPED);
	KT_ASSERT_ERR(k_invoke(SEL_TASK, TASK_PAGE_INFO, NULL, 0, NULL, 0, TIMEOUT_NEVER), E_INVALID_ARG);
	/* Unmapped pages in a range are skipped. */
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, 0x5f000000u, 16, MAP_R, UNMAP_SELF), E_OK);
}

#define LONG_CHAIN_HOPS 1000u
#define LONG_CHAIN_VA   0x59000000u

DEFINE_TEST(mdb_long_chain, "a page passed on 1000 times between two tasks goes with one unmap")
{
	uint32_t page = (uint32_t)pages_alloc(1), t[2];
	KT_ASSERT(page);
	KT_ASSERT_ERR(new_task(&t[0]), E_OK);
	KT_ASSERT_ERR(new_task(&t[1]), E_OK);
	uint32_t from = SEL_TASK, from_va = page;
	for (uint32_t i = 0; i < LONG_CHAIN_HOPS; i++) {
		uint32_t va = LONG_CHAIN_VA + (i / 2) * PAGE_SIZE;
		KT_ASSERT_ERR(k_task_map(t[i % 2], from, from_va, va, 1, MAP_R), E_OK);
		from = t[i % 2];
		from_va = va;
	}
	KT_ASSERT_PAGE(from, from_va, MAP_R, 1, 0);
	KT_ASSERT_PAGE(t[0], LONG_CHAIN_VA, MAP_R, 1, 1);
	/* Taking write and execute walks it once more, harmlessly. */
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, page, 1, MAP_W | MAP_X, 0), E_OK);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, page, 1, MAP_R, 0), E_OK);
	for (uint32_t i = 0; i < LONG_CHAIN_HOPS; i++)
		KT_ASSERT_UNMAPPED(t[i % 2], LONG_CHAIN_VA + (i / 2) * PAGE_SIZE);
	KT_ASSERT_PAGE(SEL_TASK, page, RWX, 0, 0);
	/* A wide tree too: one page to 300 places, removed from the middle. */
	for (uint32_t i = 0; i < 300; i++)
		KT_ASSERT_ERR(k_task_map(t[i % 2], SEL_TASK, page, LONG_CHAIN_VA + (i / 2) * PAGE_SIZE, 1,
					 MAP_R), E_OK);
	KT_ASSERT_PAGE(SEL_TASK, page, RWX, 0, 300);
	KT_ASSERT_ERR(k_task_unmap(t[0], LONG_CHAIN_VA + 50 * PAGE_SIZE, 1, MAP_R, UNMAP_SELF), E_OK);
	KT_ASSERT_PAGE(SEL_TASK, page, RWX, 0, 299);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, page, 1, MAP_R, 0), E_OK);
	KT_ASSERT_PAGE(SEL_TASK, page, RWX, 0, 0);
	KT_ASSERT_UNMAPPED(t[1], LONG_CHAIN_VA);
}

/* Capabilities and memory passed in IPC messages. */
#include "ktest.h"
#include "selalloc.h"
#include "pages.h"

/* Shared with a receiver in a task of its own: what it accepts, what to do
 * with what it gets, and what it saw. */
struct item_box {
	uint32_t br[4];
	uint32_t action;          /* 0 nothing, 1 call the received gate, 2 use the memory */
	uint32_t advance;         /* move the capability window past what arrived */
	volatile uint32_t tag, w[8], status, value, rounds;
};

static void item_receiver(uint32_t arg)
{
	struct item_box *box = (struct item_box *)arg;
	struct utcb *u = k_utcb();
	struct k_msg m = { 0 };
	for (unsigned i = 0; i < 4; i++)
		u->br[i] = box->br[i];
	int st = k_wait(&m, TIMEOUT_NEVER);
	for (;;) {
		box->tag = m.tag;
		for (unsigned i = 0; i < 8; i++)
			box->w[i] = i < MSG_REG_WORDS ? m.mr[i] : u->mr[i];
		if (st == E_OK && box->action == 1) {
			struct k_msg c = { .tag = MSG_TAG(1, 1, 0), .mr = { 41 } };
			box->status = (uint32_t)k_call(box->w[2], &c, TIMEOUT_NEVER);
			box->value = c.mr[0];
		} else if (st == E_OK && box->action == 2) {
			volatile uint32_t *p = (volatile uint32_t *)box->w[2];
			box->value = p[0];
			p[1] = 0xbeef;
		}
		box->rounds++;
		if (st == E_OK && box->advance)
			box->br[BR_CAP_SEL] += MSG_TAG_ITEMS(m.tag);
		for (unsigned i = 0; i < 4; i++)
			u->br[i] = box->br[i];
		m.tag = MSG_TAG(0, 0, 0);
		st = k_reply_wait(&m, TIMEOUT_NEVER);
	}
}

/* Answers word 0 + 1. */
static void adder(uint32_t a)
{
	(void)a;
	struct k_msg m = { 0 };
	k_wait(&m, TIMEOUT_NEVER);
	for (;;) {
		m.mr[0]++;
		m.tag = MSG_TAG(0, 1, 0);
		k_reply_wait(&m, TIMEOUT_NEVER);
	}
}

static struct item_box *box;
static uint32_t rx_task, rx_gate;

static bool start_receiver(uint32_t cap_sel, uint32_t cap_count, uint32_t va, uint32_t pages)
{
	box = pages_alloc(1);
	if (!box)
		return false;
	box->br[BR_CAP_SEL] = cap_sel;
	box->br[BR_CAP_COUNT] = cap_count;
	box->br[BR_MEM_VA] = va;
	box->br[BR_MEM_PAGES] = pages;
	uint32_t t = kt_spawn_task(item_receiver, (uint32_t)box, 60, "rx", box, 1, &rx_task);
	rx_gate = sel_alloc();
	return t && k_gate_create(SEL_FACTORY, rx_gate, 0x17, t) == E_OK;
}

static int send_items(uint32_t gate, uint32_t action, unsigned n, const uint32_t *items)
{
	struct k_msg m = { .tag = MSG_TAG(1, 1, n) };
	struct utcb *u = k_utcb();
	box->action = action;
	m.mr[0] = 0x77;
	for (unsigned i = 0; i < 2 * n; i++) {
		if (1 + i < MSG_REG_WORDS)
			m.mr[1 + i] = items[i];
		else
			u->mr[1 + i] = items[i];
	}
	return k_call(gate, &m, TIMEOUT_NEVER);
}

static int cap_at(uint32_t task, uint32_t sel, struct k_cap_info *ci)
{
	int st = k_task_cap_info(task, sel, ci);
	return st == E_OK && ci->sel != sel ? E_NOT_FOUND : st;
}

DEFINE_TEST(ipc_cap_map, "a capability sent in a message arrives with masked rights and works")
{
	KT_ASSERT(start_receiver(100, 4, 0, 0));
	box->advance = 1;
	uint32_t add_gate = sel_alloc();
	uint32_t adder_thread = kt_spawn(adder, 0, 60, "adder");
	KT_ASSERT(adder_thread);
	KT_ASSERT_ERR(k_gate_create(SEL_FACTORY, add_gate, 0x42, adder_thread), E_OK);

	uint32_t items[2] = { ITEM(ITEM_CAP, RIGHT_WRITE, 0), add_gate };
	KT_ASSERT_ERR(send_items(rx_gate, 1, 1, items), E_OK);
	KT_ASSERT_EQ(MSG_TAG_ITEMS(box->tag), 1);
	KT_ASSERT_EQ(box->w[0], 0x77);
	KT_ASSERT_EQ(box->w[2], 100);            /* where it went */
	KT_ASSERT_ERR(box->status, E_OK);         /* and the receiver could call it */
	KT_ASSERT_EQ(box->value, 42);

	struct k_cap_info mine, theirs;
	KT_ASSERT_ERR(cap_at(SEL_TASK, add_gate, &mine), E_OK);
	KT_ASSERT_ERR(cap_at(rx_task, 100, &theirs), E_OK);
	KT_ASSERT_EQ(theirs.obj_id, mine.obj_id);
	KT_ASSERT_EQ(theirs.rights, RIGHT_WRITE);
	KT_ASSERT_EQ(theirs.label, 0x42);
	KT_ASSERT_EQ(mine.rights, RIGHTS_ALL);   /* a map leaves the sender's copy */

	/* Two more in one message land at 101 and 102. */
	uint32_t two[4] = { ITEM(ITEM_CAP, RIGHT_READ, 0), SEL_CONSOLE, ITEM(ITEM_CAP, RIGHTS_ALL, 0), SEL_SCHED };
	KT_ASSERT_ERR(send_items(rx_gate, 0, 2, two), E_OK);
	KT_ASSERT_EQ(box->w[2], 101);
	KT_ASSERT_EQ(box->w[4], 102);
	KT_ASSERT_ERR(cap_at(rx_task, 101, &theirs), E_OK);
	KT_ASSERT_EQ(theirs.type, KOBJ_CONSOLE);
	KT_ASSERT_EQ(theirs.rights, RIGHT_READ);
}

DEFINE_TEST(ipc_cap_grant, "a granted capability moves: the sender's slot is empty afterwards")
{
	KT_ASSERT(start_receiver(200, 1, 0, 0));
	uint32_t g = sel_alloc();
	KT_ASSERT_ERR(k_gate_create(SEL_FACTORY, g, 0x99, SEL_NULL), E_OK);
	struct k_cap_info before, after;
	KT_ASSERT_ERR(cap_at(SEL_TASK, g, &before), E_OK);
	uint32_t items[2] = { ITEM(ITEM_CAP | ITEM_GRANT, RIGHTS_ALL, 0), g };
	KT_ASSERT_ERR(send_items(rx_gate, 0, 1, items), E_OK);
	KT_ASSERT_ERR(cap_at(SEL_TASK, g, &after), E_NOT_FOUND);
	KT_ASSERT_ERR(cap_at(rx_task, 200, &after), E_OK);
	KT_ASSERT_EQ(after.obj_id, before.obj_id);
	KT_ASSERT_EQ(after.label, 0x99);
}

DEFINE_TEST(ipc_cap_revoke, "capabilities sent in messages stay in the derivation tree: a revoke reaches them")
{
	KT_ASSERT(start_receiver(200, 2, 0, 0));
	box->advance = 1;
	uint32_t g = sel_alloc(), b = sel_alloc();
	KT_ASSERT_ERR(k_gate_create(SEL_FACTORY, g, 0x99, SEL_NULL), E_OK);
	KT_ASSERT_ERR(k_task_cap_map(SEL_TASK, g, b, RIGHTS_ALL), E_OK);
	/* A map of g and a grant of b (derived from g): both land below g. */
	uint32_t items[4] = { ITEM(ITEM_CAP, RIGHT_READ, 0), g, ITEM(ITEM_CAP | ITEM_GRANT, RIGHTS_ALL, 0), b };
	KT_ASSERT_ERR(send_items(rx_gate, 0, 2, items), E_OK);
	struct k_cap_info ci;
	KT_ASSERT_ERR(cap_at(rx_task, 200, &ci), E_OK);
	KT_ASSERT_ERR(cap_at(rx_task, 201, &ci), E_OK);
	KT_ASSERT_ERR(cap_at(SEL_TASK, b, &ci), E_NOT_FOUND);
	KT_ASSERT_ERR(k_task_cap_revoke(SEL_TASK, g), E_OK);
	KT_ASSERT_ERR(cap_at(rx_task, 200, &ci), E_NOT_FOUND);
	KT_ASSERT_ERR(cap_at(rx_task, 201, &ci), E_NOT_FOUND);
	KT_ASSERT_ERR(cap_at(SEL_TASK, g, &ci), E_OK);
}

DEFINE_TEST(ipc_mem_item, "pages sent in a message are shared with the receiver")
{
	KT_ASSERT(start_receiver(0, 0, 0x60000000u, 4));
	volatile uint32_t *page = pages_alloc(2);
	KT_ASSERT(page);
	page[0] = 0xcafe;
	uint32_t items[2] = { ITEM(ITEM_MEM, MAP_R | MAP_W, 2), (uint32_t)page };
	KT_ASSERT_ERR(send_items(rx_gate, 2, 1, items), E_OK);
	KT_ASSERT_EQ(box->w[2], 0x60000000u);
	KT_ASSERT_EQ(box->value, 0xcafe);
	KT_ASSERT_EQ(page[1], 0xbeef);          /* its write is ours to see */
	/* The window is 4 pages: 5 do not fit; and its first pages are taken. */
	uint32_t five[2] = { ITEM(ITEM_MEM, MAP_R, 5), (uint32_t)pages_alloc(5) };
	KT_ASSERT_ERR(send_items(rx_gate, 0, 1, five), E_NO_BUFFER);
	uint32_t again[2] = { ITEM(ITEM_MEM, MAP_R, 1), (uint32_t)page };
	KT_ASSERT_ERR(send_items(rx_gate, 0, 1, again), E_ALREADY_MAPPED);
	/* Rights cannot grow: the boot-info page is read-only here. */
	uint32_t ro[2] = { ITEM(ITEM_MEM, MAP_R | MAP_W, 1), BOOTINFO_VA };
	KT_ASSERT_ERR(send_items(rx_gate, 0, 1, ro), E_NO_RIGHTS);
	uint32_t none[2] = { ITEM(ITEM_MEM, MAP_R, 1), 0x5f000000u };
	KT_ASSERT_ERR(send_items(rx_gate, 0, 1, none), E_NOT_MAPPED);
	KT_ASSERT_EQ(box->rounds, 1);            /* none of those reached it */
}

DEFINE_TEST(ipc_item_errors, "bad or unwanted items fail the send and change nothing")
{
	KT_ASSERT(start_receiver(300, 1, 0, 0));
	uint32_t g = sel_alloc();
	KT_ASSERT_ERR(k_gate_create(SEL_FACTORY, g, 1, SEL_NULL), E_OK);
	uint32_t one[2] = { ITEM(ITEM_CAP, RIGHTS_ALL, 0), g };
	uint32_t two[4] = { ITEM(ITEM_CAP, RIGHTS_ALL, 0), g, ITEM(ITEM_CAP, RIGHTS_ALL, 0), SEL_CONSOLE };
	KT_ASSERT_ERR(send_items(rx_gate, 0, 2, two), E_NO_BUFFER);   /* room for one only */
	uint32_t empty[2] = { ITEM(ITEM_CAP, RIGHTS_ALL, 0), 3000 };
	KT_ASSERT_ERR(send_items(rx_gate, 0, 1, empty), E_EMPTY_SLOT);
	uint32_t badsel[2] = { ITEM(ITEM_CAP, RIGHTS_ALL, 0), 0xffffff };
	KT_ASSERT_ERR(send_items(rx_gate, 0, 1, badsel), E_INVALID_SELECTOR);
	uint32_t kind[2] = { 0x7, g };
	KT_ASSERT_ERR(send_items(rx_gate, 0, 1, kind), E_INVALID_ARG);
	uint32_t twice[4] = { ITEM(ITEM_CAP | ITEM_GRANT, RIGHTS_ALL, 0), g, ITEM(ITEM_CAP, RIGHTS_ALL, 0), g };
	KT_ASSERT_ERR(send_items(rx_gate, 0, 2, twice), E_INVALID_ARG);
	struct k_cap_info ci;
	KT_ASSERT_ERR(cap_at(SEL_TASK, g, &ci), E_OK);            /* not granted away */
	KT_ASSERT_ERR(cap_at(rx_task, 300, &ci), E_NOT_FOUND);    /* nothing arrived */
	KT_ASSERT_EQ(box->rounds, 0);

	/* Without the grant right on the gate, no items at all. */
	uint32_t weak = sel_alloc();
	KT_ASSERT_ERR(k_task_cap_map(SEL_TASK, rx_gate, weak, RIGHT_WRITE), E_OK);
	KT_ASSERT_ERR(send_items(weak, 0, 1, one), E_NO_RIGHTS);
	/* Items to a kernel object, or more than fit. */
	struct k_msg m = { .tag = MSG_TAG(SCHED_TIME, 0, 1) };
	KT_ASSERT_ERR(k_call(SEL_SCHED, &m, TIMEOUT_NEVER), E_INVALID_ARG);
	m.tag = MSG_TAG(1, 60, 3);
	KT_ASSERT_ERR(k_call(rx_gate, &m, TIMEOUT_NEVER), E_INVALID_ARG);

	/* The receiver is still waiting and takes a good one. */
	KT_ASSERT_ERR(send_items(rx_gate, 0, 1, one), E_OK);
	KT_ASSERT_EQ(box->rounds, 1);
	KT_ASSERT_ERR(cap_at(rx_task, 300, &ci), E_OK);
	/* Its only slot is now taken. */
	KT_ASSERT_ERR(send_items(rx_gate, 0, 1, one), E_SLOT_IN_USE);
}

static volatile uint32_t mp_count, mp_done, mp_value;

static void memory_pager(uint32_t a)
{
	(void)a;
	struct k_msg m = { 0 };
	k_wait(&m, TIMEOUT_NEVER);
	for (;;) {
		volatile uint32_t *page = pages_alloc(1);
		page[5] = 0x600d;
		mp_count++;
		m.tag = MSG_TAG(0, 0, 1);
		m.mr[0] = ITEM(ITEM_MEM, MAP_R | MAP_W, 1);
		m.mr[1] = (uint32_t)page;
		k_reply_wait(&m, TIMEOUT_NEVER);
	}
}

static void fault_in(uint32_t a)
{
	(void)a;
	mp_value = *(volatile uint32_t *)(0x51000000u + 5 * 4);
	mp_done = 1;
}

DEFINE_TEST(pager_memory_item, "a pager answers a page fault with a memory item")
{
	mp_count = mp_done = 0;
	uint32_t p = kt_spawn(memory_pager, 0, 60, "mpager"), g = sel_alloc();
	KT_ASSERT(p);
	KT_ASSERT_ERR(k_gate_create(SEL_FACTORY, g, 1, p), E_OK);
	uint32_t t = kt_spawn(fault_in, 0, 40, "faultin");
	KT_ASSERT(t);
	KT_ASSERT_ERR(k_thread_set_handlers(t, g, SEL_NULL), E_OK);
	KT_ASSERT(kt_wait_flag(&mp_done, 200));
	KT_ASSERT_EQ(mp_count, 1);
	KT_ASSERT_EQ(mp_value, 0x600d);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, 0x51000000u, 1, MAP_R, UNMAP_SELF), E_OK);
}

/* Page faults to a pager and exceptions to a handler, as IPC. */
#include "ktest.h"
#include "selalloc.h"
#include "pages.h"
#include "fault.h"

#define UDF ".word 0xe7f000f0"

/* A handler that records what it got and answers as told. */
static volatile uint32_t h_label, h_words, h_gate, h_count;
static volatile struct exception h_ex;
static volatile uint32_t h_mode;   /* 0: resume at pc + 4 with r0 = 0x55; 1: stop;
				      2: map a fresh page at the fault address, retry */
static volatile uint32_t pf_addr, pf_access, pf_pc, pf_count;

static void answer_exception(const struct exception *ex, struct k_msg *m)
{
	if (h_mode == 0) {
		struct exception resumed = *ex;
		resumed.regs[0] = 0x55;
		resumed.regs[15] += 4;   /* over the faulting instruction */
		exception_reply_resume(m, &resumed);
	} else if (h_mode == 2) {
		void *page = pages_alloc(1);
		k_task_map(SEL_TASK, SEL_TASK, (uint32_t)page, ex->addr & ~(PAGE_SIZE - 1), 1, MAP_R | MAP_W);
		exception_reply_retry(m);
	} else {
		fault_reply_stop(m);
	}
}

static void exception_handler(uint32_t a)
{
	(void)a;
	struct k_msg m = { 0 };
	int st = k_wait(&m, TIMEOUT_NEVER);
	for (;;) {
		struct exception ex;
		h_label = MSG_TAG_LABEL(m.tag);
		h_words = MSG_TAG_WORDS(m.tag);
		h_gate = m.label;
		h_count++;
		if (st == E_OK && exception_decode(&m, &ex)) {
			h_ex = ex;
			answer_exception(&ex, &m);
		} else {
			fault_reply_stop(&m);
		}
		st = k_reply_wait(&m, TIMEOUT_NEVER);
	}
}

/* A pager that maps a fresh page of its own at the fault address; the
 * thread then retries. */
static void map_fresh_page(void *ctx, const struct page_fault *pf, struct k_msg *reply)
{
	(void)ctx;
	pf_addr = pf->addr;
	pf_access = pf->access;
	pf_pc = pf->pc;
	pf_count++;
	page_fault_reply_map(reply, (uint32_t)pages_alloc(1), 1, MAP_R | MAP_W);
}

static void pager(uint32_t a)
{
	(void)a;
	pager_loop(map_fresh_page, NULL);
}

static volatile uint32_t result, done;

static void do_udf(uint32_t a)
{
	(void)a;
	register uint32_t r0 __asm__("r0") = 1;
	__asm__ volatile(UDF : "+r"(r0));
	result = r0;
	done = 1;
}

static uint32_t handled_thread(kt_thread_fn fn, uint32_t pager_gate, uint32_t exc_gate, const char *name)
{
	/* Created suspended-free: set handlers before it first runs (it has a
	 * lower priority than the runner). */
	uint32_t t = kt_spawn(fn, 0, 40, name);
	if (t && k_thread_set_handlers(t, pager_gate, exc_gate) != E_OK)
		return 0;
	return t;
}

static uint32_t handler_gate(kt_thread_fn fn, uint32_t label, const char *name)
{
	uint32_t h = kt_spawn(fn, 0, 60, name), g = sel_alloc();
	if (!h || k_gate_create(SEL_FACTORY, g, label, h) != E_OK)
		return 0;
	return g;
}

DEFINE_TEST(exception_ipc_resume, "an undefined instruction reaches the handler, which resumes the thread with new registers")
{
	h_count = 0;
	h_mode = 0;
	done = 0;
	uint32_t g = handler_gate(exception_handler, 0xe1, "exch");
	KT_ASSERT(g);
	uint32_t t = handled_thread(do_udf, SEL_NULL, g, "udf");
	KT_ASSERT(t);
	KT_ASSERT(kt_wait_flag(&done, 200));
	KT_ASSERT_EQ(h_count, 1);
	KT_ASSERT_EQ(h_label, MSG_EXCEPTION);
	KT_ASSERT_EQ(h_words, EXCEPTION_WORDS);
	KT_ASSERT_EQ(h_gate, 0xe1);
	KT_ASSERT_EQ(h_ex.kind, EXCEPTION_UNDEFINED);
	KT_ASSERT_EQ(h_ex.regs[0], 1);                       /* r0 as it was */
	KT_ASSERT_EQ(*(volatile uint32_t *)h_ex.regs[15], 0xe7f000f0);   /* pc: the UDF */
	KT_ASSERT_EQ(h_ex.regs[16] & 0x1f, 0x10);
	KT_ASSERT_EQ(result, 0x55);                       /* resumed with new r0 */
}

DEFINE_TEST(exception_ipc_stop, "the handler can stop the faulting thread")
{
	h_count = 0;
	h_mode = 1;
	done = 0;
	uint32_t g = handler_gate(exception_handler, 0xe2, "exch");
	uint32_t t = handled_thread(do_udf, SEL_NULL, g, "udf");
	KT_ASSERT(g && t);
	KT_ASSERT(kt_wait_state(t, TS_FAULTED, 200));
	KT_ASSERT_EQ(h_count, 1);
	KT_ASSERT_EQ(done, 0);
}

static void do_misaligned(uint32_t a)
{
	(void)a;
	uint32_t buf[4];
	__asm__ volatile("ldm %0, {r2, r3}" :: "r"((char *)buf + 2) : "r2", "r3", "memory");
	done = 1;
}

DEFINE_TEST(exception_ipc_alignment, "an alignment fault is an exception with its address and status")
{
	h_count = 0;
	h_mode = 1;
	done = 0;
	uint32_t g = handler_gate(exception_handler, 0xe3, "exch");
	uint32_t t = handled_thread(do_misaligned, SEL_NULL, g, "ldm");
	KT_ASSERT(g && t);
	KT_ASSERT(kt_wait_state(t, TS_FAULTED, 200));
	KT_ASSERT_EQ(h_ex.kind, EXCEPTION_DATA_ABORT);
	KT_ASSERT_EQ(h_ex.status & 0xf, 0x1);   /* DFSR: alignment fault */
	KT_ASSERT_EQ(h_ex.addr & 3, 2);
}

static volatile uint32_t pf_value;

static void touch_unmapped(uint32_t a)
{
	(void)a;
	volatile uint32_t *p = (volatile uint32_t *)0x50000010u;
	*p = 0x1234;              /* write fault: the pager maps a page */
	pf_value = p[0];
	pf_value += *(volatile uint32_t *)0x50001000u;   /* read fault on the next page */
	done = 1;
}

DEFINE_TEST(page_fault_ipc, "page faults reach the pager with address, access and pc; the thread retries")
{
	pf_count = 0;
	done = 0;
	uint32_t pg = handler_gate(pager, 0x9a, "pager");
	uint32_t t = handled_thread(touch_unmapped, pg, SEL_NULL, "toucher");
	KT_ASSERT(pg && t);
	KT_ASSERT(kt_wait_flag(&done, 300));
	KT_ASSERT_EQ(pf_count, 2);
	KT_ASSERT_EQ(pf_value, 0x1234);
	KT_ASSERT_EQ(pf_addr, 0x50001000u);
	KT_ASSERT_EQ(pf_access, MAP_R);
	KT_ASSERT(pf_pc >= (uint32_t)touch_unmapped && pf_pc < (uint32_t)touch_unmapped + 128);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, 0x50000000u, 2, MAP_R, UNMAP_SELF), E_OK);
}

static void handler_never_answers(uint32_t a)
{
	(void)a;
	struct k_msg m = { 0 };
	k_wait(&m, TIMEOUT_NEVER);
	k_sleep_us(TIMEOUT_NEVER);
}

DEFINE_TEST(fault_ipc_abort, "aborting a thread waiting for its handler stops it with registers intact")
{
	done = 0;
	uint32_t g = handler_gate(handler_never_answers, 1, "mute");
	uint32_t t = handled_thread(do_udf, SEL_NULL, g, "udf");
	KT_ASSERT(g && t);
	k_sleep_us(10000);
	KT_ASSERT_EQ(kt_state(t), TS_BLOCKED);
	uint32_t before[THREAD_REGS_WORDS], after[THREAD_REGS_WORDS];
	KT_ASSERT_ERR(k_thread_read_regs(t, before), E_OK);
	KT_ASSERT_ERR(k_thread_abort_ipc(t), E_OK);
	KT_ASSERT_EQ(kt_state(t), TS_FAULTED);
	KT_ASSERT_ERR(k_thread_read_regs(t, after), E_OK);
	for (unsigned i = 0; i < THREAD_REGS_WORDS; i++)
		KT_ASSERT_EQ(after[i], before[i]);
	KT_ASSERT_EQ(*(volatile uint32_t *)after[15], 0xe7f000f0);
	KT_ASSERT_EQ(done, 0);
	/* Bad handler capabilities. */
	KT_ASSERT_ERR(k_thread_set_handlers(t, SEL_CONSOLE, SEL_NULL), E_WRONG_TYPE);
	KT_ASSERT_ERR(k_thread_set_handlers(t, SEL_NULL, 3000), E_EMPTY_SLOT);
}

static void touch_without_pager(uint32_t a)
{
	(void)a;
	volatile uint32_t *p = (volatile uint32_t *)0x52000010u;
	*p = 0x4321;
	result = *p;
	done = 1;
}

DEFINE_TEST(exception_ipc_retry, "with no pager a page fault goes to the exception handler, which maps the page and retries")
{
	h_count = 0;
	h_mode = 2;
	done = 0;
	uint32_t g = handler_gate(exception_handler, 0xe4, "exch");
	uint32_t t = handled_thread(touch_without_pager, SEL_NULL, g, "toucher");
	KT_ASSERT(g && t);
	KT_ASSERT(kt_wait_flag(&done, 200));
	KT_ASSERT_EQ(h_count, 1);
	KT_ASSERT_EQ(h_label, MSG_EXCEPTION);
	KT_ASSERT_EQ(h_ex.kind, EXCEPTION_DATA_ABORT);
	KT_ASSERT_EQ(h_ex.addr, 0x52000010u);
	KT_ASSERT_EQ(result, 0x4321);
	KT_ASSERT_ERR(k_task_unmap(SEL_TASK, 0x52000000u, 1, MAP_R, UNMAP_SELF), E_OK);
}

/* A pager for a thread in another task, with one answer per area. */
#define AREA_ITEM 0x53000000u   /* a memory item from the pager's space */
#define AREA_MAP  0x53100000u   /* the pager maps it with TASK_MAP, then a retry */
#define AREA_STOP 0x53200000u   /* the pager stops the thread */

struct remote_pager {
	uint32_t task;   /* the faulting thread's */
	volatile uint32_t *item_page, *mapped_page;
	volatile uint32_t faults;
};

static struct remote_pager remote;

static void resolve_remote(void *ctx, const struct page_fault *pf, struct k_msg *reply)
{
	struct remote_pager *rp = ctx;
	uint32_t page = pf->addr & ~(PAGE_SIZE - 1);
	rp->faults++;
	if (page == AREA_ITEM)
		page_fault_reply_map(reply, (uint32_t)rp->item_page, 1, MAP_R | MAP_W);
	else if (page == AREA_MAP &&
		 k_task_map(rp->task, SEL_TASK, (uint32_t)rp->mapped_page, page, 1, MAP_R | MAP_W) == E_OK)
		page_fault_reply_retry(reply);
	else
		fault_reply_stop(reply);
}

static void remote_pager_main(uint32_t arg)
{
	pager_loop(resolve_remote, (void *)arg);
}

/* Runs in a task of its own: touches only its stack and the shared page. */
static void remote_toucher(uint32_t arg)
{
	volatile uint32_t *progress = (volatile uint32_t *)arg;
	*(volatile uint32_t *)AREA_ITEM = 0x1111;
	*(volatile uint32_t *)(AREA_MAP + 4) = 0x2222;
	progress[0] = 1;
	progress[1] = *(volatile uint32_t *)AREA_STOP;
	progress[2] = 1;   /* never: the pager stops it */
}

DEFINE_TEST(pager_loop_other_task, "pager_loop serves a thread in another task: a memory item, a map and retry, a stop")
{
	volatile uint32_t *progress = pages_alloc(1);
	remote = (struct remote_pager){ .item_page = pages_alloc(1), .mapped_page = pages_alloc(1) };
	KT_ASSERT(progress && remote.item_page && remote.mapped_page);
	uint32_t p = kt_spawn(remote_pager_main, (uint32_t)&remote, 60, "rpager"), g = sel_alloc();
	KT_ASSERT(p);
	KT_ASSERT_ERR(k_gate_create(SEL_FACTORY, g, 0x9b, p), E_OK);
	uint32_t t = kt_spawn_task(remote_toucher, (uint32_t)progress, 40, "remote", (void *)progress, 1,
				   &remote.task);
	KT_ASSERT(t);
	KT_ASSERT_ERR(k_thread_set_handlers(t, g, SEL_NULL), E_OK);
	KT_ASSERT(kt_wait_state(t, TS_FAULTED, 300));
	KT_ASSERT_EQ(remote.faults, 3);
	KT_ASSERT_EQ(progress[0], 1);
	KT_ASSERT_EQ(progress[2], 0);
	KT_ASSERT_EQ(remote.item_page[0], 0x1111);     /* its writes are in our pages */
	KT_ASSERT_EQ(remote.mapped_page[1], 0x2222);
}

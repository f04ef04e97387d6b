/* Page faults to a pager and exceptions to a handler, as IPC. */
#include "ktest.h"
#include "selalloc.h"
#include "pages.h"

#define UDF ".word 0xe7f000f0"

/* A handler that records what it got and answers as told. */
static volatile uint32_t h_label, h_words, h_gate, h_regs[EXCEPTION_WORDS], h_count;
static volatile uint32_t h_mode;   /* 0: resume at pc + 4 with r0 = 0x55; 1: stop; 2: retry */
static volatile uint32_t pf_addr, pf_access, pf_pc, pf_count;

static void exception_handler(uint32_t a)
{
	(void)a;
	struct k_msg m = { 0 };
	struct utcb *u = k_utcb();
	int st = k_wait(&m, TIMEOUT_NEVER);
	for (;;) {
		uint32_t regs[EXCEPTION_WORDS];
		h_label = MSG_TAG_LABEL(m.tag);
		h_words = MSG_TAG_WORDS(m.tag);
		h_gate = m.label;
		for (unsigned i = 0; i < EXCEPTION_WORDS; i++)
			h_regs[i] = regs[i] = i < MSG_REG_WORDS ? m.mr[i] : u->mr[i];
		h_count++;
		if (st == E_OK && h_mode == 0) {
			regs[0] = 0x55;
			regs[15] += 4;   /* over the faulting instruction */
			for (unsigned i = 0; i < THREAD_REGS_WORDS; i++) {
				if (i < MSG_REG_WORDS)
					m.mr[i] = regs[i];
				else
					u->mr[i] = regs[i];
			}
			m.tag = MSG_TAG(0, THREAD_REGS_WORDS, 0);
		} else {
			m.tag = MSG_TAG(h_mode == 1 ? MSG_FAULT_STOP : 0, 0, 0);
		}
		st = k_reply_wait(&m, TIMEOUT_NEVER);
	}
}

/* A pager that maps a fresh page at the fault address and lets the thread retry. */
static void pager(uint32_t a)
{
	(void)a;
	struct k_msg m = { 0 };
	k_wait(&m, TIMEOUT_NEVER);
	for (;;) {
		pf_addr = m.mr[0];
		pf_access = m.mr[1];
		pf_pc = m.mr[2];
		pf_count++;
		void *page = pages_alloc(1);
		k_task_map(SEL_TASK, SEL_TASK, (uint32_t)page, pf_addr & ~(PAGE_SIZE - 1), 1, MAP_R | MAP_W);
		m.tag = MSG_TAG(0, 0, 0);
		k_reply_wait(&m, TIMEOUT_NEVER);
	}
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
	KT_ASSERT_EQ(h_regs[17], EXCEPTION_UNDEFINED);
	KT_ASSERT_EQ(h_regs[0], 1);                       /* r0 as it was */
	KT_ASSERT_EQ(*(volatile uint32_t *)h_regs[15], 0xe7f000f0);   /* pc: the UDF */
	KT_ASSERT_EQ(h_regs[16] & 0x1f, 0x10);
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
	KT_ASSERT_EQ(h_regs[17], EXCEPTION_DATA_ABORT);
	KT_ASSERT_EQ(h_regs[19] & 0xf, 0x1);   /* DFSR: alignment fault */
	KT_ASSERT_EQ(h_regs[18] & 3, 2);
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

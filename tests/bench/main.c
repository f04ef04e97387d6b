/*
 * Benchmark root task for `make bench`. Runs on a kernel built with
 * CONFIG_BENCH, under QEMU -icount shift=0, where the PMU cycle counter
 * counts guest instructions. Every figure is the spread of many samples;
 * the cost of the measurement itself (the same code with a nop for the
 * trap) is measured the same way and subtracted, as sel4bench does.
 * Output: one "bench:" line per figure, parsed by tools/bench.py.
 */
#include "sys.h"
#include "stdio.h"
#include "pages.h"
#include "selalloc.h"

#define SAMPLES 1001u
#define WARMUP 16u

extern char __text_start[], __text_end[];

static uint32_t samples[SAMPLES];

static void sort(uint32_t *s, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint32_t v = s[i];
		unsigned j = i;
		for (; j > 0 && s[j - 1] > v; j--)
			s[j] = s[j - 1];
		s[j] = v;
	}
}

static uint32_t median(uint32_t *s, unsigned n)
{
	sort(s, n);
	return s[n / 2];
}

static void report(const char *name, uint32_t *s, unsigned n, uint32_t overhead)
{
	sort(s, n);
	uint32_t med = s[n / 2], lo = s[0], hi = s[n - 1];
	printf("bench: %s median %u min %u max %u n %u overhead %u\n", name,
	       (unsigned)(med - overhead), (unsigned)(lo - overhead), (unsigned)(hi - overhead),
	       n, (unsigned)overhead);
}

/* Counter read, trap (or nop), counter read: r8/r9 survive the trap. */
#define TIMED(insn, nr) ({                                                     \
	register uint32_t r7_ __asm__("r7") = (nr);                            \
	register uint32_t t0_ __asm__("r8"), t1_ __asm__("r9");                \
	__asm__ volatile("mrc p15, 0, r8, c9, c13, 0\n\t" insn "\n\t"          \
			 "mrc p15, 0, r9, c9, c13, 0"                          \
			 : "=r"(t0_), "=r"(t1_) : "r"(r7_)                      \
			 : "r0", "r1", "r2", "r3", "r4", "r5", "r6", "memory");  \
	t1_ - t0_; })

static uint32_t empty_overhead(void)
{
	for (unsigned i = 0; i < SAMPLES; i++)
		samples[i] = TIMED("nop", 0);
	return median(samples, SAMPLES);
}

static void bench_syscalls(void)
{
	uint32_t ovh = empty_overhead();
	for (unsigned i = 0; i < SAMPLES; i++)
		samples[i] = TIMED("svc #0", SYS_COUNT);
	report("null_syscall", samples, SAMPLES, ovh);
	for (unsigned i = 0; i < SAMPLES; i++)
		samples[i] = TIMED("svc #0", SYS_YIELD);
	report("yield_alone", samples, SAMPLES, ovh);
}

/*
 * Yield ping-pong between two threads of equal priority. Each stamps the
 * counter, yields, and on return reads the counter: the other thread's
 * stamp to this read is one yield and one thread switch. The loop touches
 * only its argument and stack, so it can run in a second task that has
 * nothing but this program's code, a stack and the shared page mapped.
 */
struct pingpong {
	volatile uint32_t stamp;
	volatile uint32_t count;
	uint32_t samples[2 * SAMPLES];
};

static uint32_t stamped(volatile uint32_t *stamp, int trap)
{
	register uint32_t r7 __asm__("r7") = SYS_YIELD;
	uint32_t after;
	if (trap)
		__asm__ volatile("mrc p15, 0, r8, c9, c13, 0\n\tstr r8, [%1]\n\tsvc #0\n\t"
				 "mrc p15, 0, %0, c9, c13, 0"
				 : "=r"(after) : "r"(stamp), "r"(r7)
				 : "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r8", "memory");
	else
		__asm__ volatile("mrc p15, 0, r8, c9, c13, 0\n\tstr r8, [%1]\n\tnop\n\t"
				 "mrc p15, 0, %0, c9, c13, 0"
				 : "=r"(after) : "r"(stamp), "r"(r7)
				 : "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r8", "memory");
	return after - *stamp;
}

static void __attribute__((noreturn)) pingpong_loop(struct pingpong *pp)
{
	while (pp->count < 2 * SAMPLES) {
		uint32_t s = stamped(&pp->stamp, 1);
		if (pp->count < 2 * SAMPLES)
			pp->samples[pp->count++] = s;
	}
	for (;;) {
		struct k_msg m = { 0 };
		k_syscall(SYS_WAIT, 0, TIMEOUT_NEVER, &m);
	}
}

static uint32_t utcb_next = 0x7f000000u;

static uint32_t start_thread_at(uint32_t task, void *stack_top, void (*fn)(void *), void *arg)
{
	uint32_t th = sel_alloc();
	if (k_factory_create(SEL_FACTORY, KOBJ_THREAD, th, 0) ||
	    k_thread_configure(th, task, utcb_next, 50) ||
	    k_thread_set_regs(th, (uint32_t)fn, (uint32_t)stack_top, (uint32_t)arg) ||
	    k_thread_resume(th))
		printf("bench: error starting a thread\n");
	utcb_next += PAGE_SIZE;
	return th;
}

static uint32_t start_thread(uint32_t task, void *stack_top, struct pingpong *pp)
{
	return start_thread_at(task, stack_top, (void (*)(void *))pingpong_loop, pp);
}

/* Same virtual address in the other task as here. */
static int share(uint32_t task, void *p, unsigned pages, unsigned rights)
{
	return k_task_map(task, SEL_TASK, (uint32_t)p, (uint32_t)p, pages, rights);
}

/* A second task with this program's code, and the given pages, mapped at
 * the same addresses as here. */
static uint32_t new_task(void *a, unsigned a_pages, void *b, unsigned b_pages)
{
	uint32_t task = sel_alloc();
	uint32_t text = (uint32_t)__text_start & ~(PAGE_SIZE - 1);
	unsigned text_pages = ((uint32_t)__text_end - text + PAGE_SIZE - 1) / PAGE_SIZE;
	if (k_factory_create(SEL_FACTORY, KOBJ_TASK, task, 0) ||
	    k_task_map(task, SEL_TASK, text, text, text_pages, MAP_R | MAP_X) ||
	    share(task, a, a_pages, MAP_R | MAP_W) || share(task, b, b_pages, MAP_R | MAP_W))
		printf("bench: error setting up the second task\n");
	return task;
}

static void bench_switch(const char *name, int other_task)
{
	unsigned pp_pages = (sizeof(struct pingpong) + PAGE_SIZE - 1) / PAGE_SIZE;
	struct pingpong *pp = pages_alloc(pp_pages);
	uint8_t *stacks = pages_alloc(4);
	uint32_t task = other_task ? new_task(pp, pp_pages, stacks + 2 * PAGE_SIZE, 2) : SEL_TASK;
	start_thread(SEL_TASK, stacks + 2 * PAGE_SIZE, pp);
	start_thread(task, stacks + 4 * PAGE_SIZE, pp);
	while (pp->count < 2 * SAMPLES)
		k_sleep_us(1000);

	for (unsigned i = 0; i < SAMPLES; i++)
		samples[i] = stamped(&pp->stamp, 0);
	uint32_t ovh = median(samples, SAMPLES);
	report(name, pp->samples + WARMUP, 2 * SAMPLES - WARMUP, ovh);
}

/*
 * IPC call and reply. The server stamps the counter right after its wait
 * returns and right before its reply-and-wait traps; the client right
 * before and after its call. So: call = client before -> server after,
 * reply = server before -> client after, round trip = client before ->
 * client after, the spans sel4bench measures. The server echoes the words.
 */
struct ipcstamps {
	volatile uint32_t before_reply;
	volatile uint32_t after_receive;
};

static void __attribute__((noreturn)) ipc_server(void *arg)
{
	register struct ipcstamps *st __asm__("r10") = arg;
	__asm__ volatile(
		"mov r0, #0\n\tmov r1, #0\n\tmvn r6, #0\n\tmov r7, %[wait]\n\tsvc #0\n"
		"1:\tmrc p15, 0, r9, c9, c13, 0\n\tstr r9, [r10, #4]\n\t"
		"mov r0, #0\n\tmvn r6, #0\n\tmov r7, %[reply]\n\t"
		"mrc p15, 0, r8, c9, c13, 0\n\tstr r8, [r10]\n\tsvc #0\n\tb 1b"
		:: "r"(st), [wait] "i"(SYS_WAIT), [reply] "i"(SYS_REPLY_WAIT)
		: "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "memory");
	__builtin_unreachable();
}

static void ipc_call_timed(uint32_t gate, uint32_t tag, uint32_t *t0, uint32_t *t1)
{
	register uint32_t r0 __asm__("r0") = gate, r1 __asm__("r1") = tag;
	register uint32_t r6 __asm__("r6") = TIMEOUT_NEVER, r7 __asm__("r7") = SYS_CALL;
	register uint32_t a __asm__("r8"), b __asm__("r9");
	__asm__ volatile("mrc p15, 0, r8, c9, c13, 0\n\tsvc #0\n\tmrc p15, 0, r9, c9, c13, 0"
			 : "+r"(r0), "+r"(r1), "+r"(r6), "=r"(a), "=r"(b) : "r"(r7)
			 : "r2", "r3", "r4", "r5", "memory");
	*t0 = a;
	*t1 = b;
}

static uint32_t call_s[SAMPLES], reply_s[SAMPLES];

static void bench_ipc(const char *where, int other_task)
{
	struct ipcstamps *st = pages_alloc(1);
	uint8_t *stack = pages_alloc(2);
	uint32_t task = other_task ? new_task(st, 1, stack, 2) : SEL_TASK;
	uint32_t th = start_thread_at(task, stack + 2 * PAGE_SIZE, ipc_server, st);
	uint32_t gate = sel_alloc();
	if (k_gate_create(SEL_FACTORY, gate, 1, th))
		printf("bench: error creating the gate\n");
	k_sleep_us(1000);   /* the server reaches its first wait */

	uint32_t ovh_call = empty_overhead();
	for (unsigned i = 0; i < SAMPLES; i++)
		samples[i] = stamped(&st->before_reply, 0);
	uint32_t ovh_reply = median(samples, SAMPLES);

	static const unsigned word_counts[] = { 0, 4 };
	for (unsigned w = 0; w < 2; w++) {
		char name[48];
		for (unsigned i = 0; i < SAMPLES + WARMUP; i++) {
			uint32_t t0, t1;
			ipc_call_timed(gate, MSG_TAG(1, word_counts[w], 0), &t0, &t1);
			if (i < WARMUP)
				continue;
			samples[i - WARMUP] = t1 - t0;
			call_s[i - WARMUP] = st->after_receive - t0;
			reply_s[i - WARMUP] = t1 - st->before_reply;
		}
		fmt_snprintf(name, sizeof(name), "ipc_roundtrip_%uw_%s", word_counts[w], where);
		report(name, samples, SAMPLES, ovh_call);
		fmt_snprintf(name, sizeof(name), "ipc_call_%uw_%s", word_counts[w], where);
		report(name, call_s, SAMPLES, ovh_call);
		fmt_snprintf(name, sizeof(name), "ipc_reply_%uw_%s", word_counts[w], where);
		report(name, reply_s, SAMPLES, ovh_reply);
	}
}

/* A capability goes to the server (granted) and comes back in the reply
 * (granted again), so the same selectors serve every round. */
static void cap_server(void *arg)
{
	(void)arg;
	struct utcb *u = k_utcb();
	struct k_msg m = { 0 };
	u->br[BR_CAP_SEL] = 900;
	u->br[BR_CAP_COUNT] = 1;
	k_wait(&m, TIMEOUT_NEVER);
	for (;;) {
		m.tag = MSG_TAG(0, 0, 1);
		m.mr[0] = ITEM(ITEM_CAP | ITEM_GRANT, RIGHTS_ALL, 0);
		m.mr[1] = 900;
		k_reply_wait(&m, TIMEOUT_NEVER);
	}
}

static void bench_cap_transfer(void)
{
	uint8_t *stack = pages_alloc(2);
	uint32_t th = start_thread_at(SEL_TASK, stack + 2 * PAGE_SIZE, cap_server, NULL);
	uint32_t gate = sel_alloc(), cap = sel_alloc();
	if (k_gate_create(SEL_FACTORY, gate, 1, th) || k_gate_create(SEL_FACTORY, cap, 2, SEL_NULL))
		printf("bench: error creating gates\n");
	struct utcb *u = k_utcb();
	uint32_t ovh = empty_overhead();
	for (unsigned i = 0; i < SAMPLES + WARMUP; i++) {
		u->br[BR_CAP_SEL] = cap;   /* it comes back where it was */
		u->br[BR_CAP_COUNT] = 1;
		register uint32_t r0 __asm__("r0") = gate, r1 __asm__("r1") = MSG_TAG(1, 0, 1);
		register uint32_t r2 __asm__("r2") = ITEM(ITEM_CAP | ITEM_GRANT, RIGHTS_ALL, 0);
		register uint32_t r3 __asm__("r3") = cap;
		register uint32_t r6 __asm__("r6") = TIMEOUT_NEVER, r7 __asm__("r7") = SYS_CALL;
		register uint32_t a __asm__("r8"), b __asm__("r9");
		__asm__ volatile("mrc p15, 0, r8, c9, c13, 0\n\tsvc #0\n\tmrc p15, 0, r9, c9, c13, 0"
				 : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r6), "=r"(a), "=r"(b)
				 : "r"(r7) : "r4", "r5", "memory");
		if (r0 != E_OK)
			printf("bench: cap transfer failed: %s\n", k_error_name(r0));
		if (i >= WARMUP)
			samples[i - WARMUP] = b - a;
	}
	report("ipc_roundtrip_cap_grant_both_ways", samples, SAMPLES, ovh);
}

/* Counter read, one load or store, counter read: the access's cost. */
static inline uint32_t timed_load(volatile uint32_t *p)
{
	uint32_t t0, t1;
	__asm__ volatile("mrc p15, 0, %0, c9, c13, 0\n\tldr %1, [%2]\n\t"
			 "mrc p15, 0, %1, c9, c13, 0"
			 : "=&r"(t0), "=&r"(t1) : "r"(p) : "memory");
	return t1 - t0;
}

static inline uint32_t timed_store(volatile uint32_t *p)
{
	uint32_t t0, t1;
	__asm__ volatile("mrc p15, 0, %0, c9, c13, 0\n\tstr %0, [%2]\n\t"
			 "mrc p15, 0, %1, c9, c13, 0"
			 : "=&r"(t0), "=&r"(t1) : "r"(p) : "memory");
	return t1 - t0;
}

/* Page fault -> pager -> memory item -> retry, in one task. */
static uint32_t pf_page;

static void pf_pager(void *arg)
{
	(void)arg;
	struct k_msg m = { 0 };
	k_wait(&m, TIMEOUT_NEVER);
	for (;;) {
		m.tag = MSG_TAG(0, 0, 1);
		m.mr[0] = ITEM(ITEM_MEM, MAP_R | MAP_W, 1);
		m.mr[1] = pf_page;
		k_reply_wait(&m, TIMEOUT_NEVER);
	}
}

static volatile uint32_t pf_done;

static void pf_toucher(void *arg)
{
	volatile uint32_t *target = arg;
	for (unsigned i = 0; i < SAMPLES + WARMUP; i++) {
		uint32_t dt = timed_load(target);
		if (i >= WARMUP)
			samples[i - WARMUP] = dt;
		k_task_unmap(SEL_TASK, (uint32_t)target, 1, MAP_R, UNMAP_SELF);
	}
	pf_done = 1;
	for (;;)
		k_sleep_us(TIMEOUT_NEVER);
}

static void bench_page_fault(void)
{
	uint8_t *stacks = pages_alloc(4);
	pf_page = (uint32_t)pages_alloc(1);
	uint32_t pager = start_thread_at(SEL_TASK, stacks + 2 * PAGE_SIZE, pf_pager, NULL);
	uint32_t gate = sel_alloc();
	k_gate_create(SEL_FACTORY, gate, 1, pager);
	/* Overhead: the same load, already mapped. */
	volatile uint32_t *mapped = (volatile uint32_t *)pf_page;
	uint32_t ovh_s[64];
	for (unsigned i = 0; i < 64; i++) {
		ovh_s[i] = timed_load(mapped);
	}
	uint32_t ovh = median(ovh_s, 64);
	uint32_t t = start_thread_at(SEL_TASK, stacks + 4 * PAGE_SIZE, pf_toucher, (void *)0x52000000u);
	k_thread_suspend(t);
	k_thread_set_handlers(t, gate, SEL_NULL);
	k_thread_resume(t);
	while (!pf_done)
		k_sleep_us(1000);
	report("page_fault_to_pager_and_back", samples, SAMPLES, ovh);
}

/* The first write to a dirty-tracked page: a permission fault resolved in
 * the kernel (mark dirty, make writable, retry), minus a plain store. With
 * a dirty log (as RTCR runs it) the page is also logged, and drained
 * again; without one the write only marks the log as overflowed. */
static void bench_dirty_first_write(bool logged)
{
	volatile uint32_t *p = pages_alloc(1);
	uint32_t ovh_s[64];
	for (unsigned i = 0; i < 64; i++) {
		ovh_s[i] = timed_store(p);
	}
	uint32_t ovh = median(ovh_s, 64), seen[DIRTY_DRAIN_MAX];
	unsigned n = 0, status;
	if (logged)
		k_dirty_log(SEL_TASK, 16);
	for (unsigned i = 0; i < SAMPLES + WARMUP; i++) {
		k_dirty_track(SEL_TASK, (uint32_t)p, 1);
		uint32_t dt = timed_store(p);
		if (logged)
			k_dirty_drain(SEL_TASK, 0, seen, &n, &status);
		else
			k_dirty_collect(SEL_TASK, (uint32_t)p, 1, seen);
		if (logged ? n != 1 || seen[0] != (uint32_t)p : seen[0] != 1)
			printf("bench: tracked write not seen\n");
		k_dirty_stop(SEL_TASK, (uint32_t)p, 1);
		if (i >= WARMUP)
			samples[i - WARMUP] = dt;
	}
	if (logged)
		k_dirty_log(SEL_TASK, 0);
	report(logged ? "dirty_first_write" : "dirty_first_write_nolog", samples, SAMPLES, ovh);
}

/* Kernel memory one object of each type takes from its factory. */
static void bench_object_sizes(void)
{
	static const struct { unsigned type; const char *name; } types[] = {
		{ KOBJ_TASK, "kmem_task_bytes" }, { KOBJ_THREAD, "kmem_thread_bytes" },
		{ KOBJ_GATE, "kmem_gate_bytes" },
	};
	for (unsigned i = 0; i < 3; i++) {
		uint32_t before[2], after[2], sel = sel_alloc();
		k_invoke(SEL_FACTORY, FACTORY_INFO, NULL, 0, before, 2, 0);
		/* The cnode for sel may be new: create in an already used node. */
		if (k_factory_create(SEL_FACTORY, types[i].type, sel, 0))
			printf("bench: create failed\n");
		k_invoke(SEL_FACTORY, FACTORY_INFO, NULL, 0, after, 2, 0);
		uint32_t bytes = after[1] - before[1];
		printf("bench: %s median %u min %u max %u n 1 overhead 0\n", types[i].name,
		       (unsigned)bytes, (unsigned)bytes, (unsigned)bytes);
	}
}

/* IRQ delivery: a waiting thread stamps the counter as its wait returns. */
static uint32_t irq_sel;
static volatile uint32_t irq_after, irq_entry, irq_seen;
static volatile uint32_t *irq_clear;   /* device interrupt-clear register, if any */

static void irq_receiver(void *arg)
{
	(void)arg;
	for (;;) {
		register uint32_t r0 __asm__("r0") = WAIT_OPEN, r1 __asm__("r1") = 0;
		register uint32_t r6 __asm__("r6") = TIMEOUT_NEVER, r7 __asm__("r7") = SYS_WAIT;
		register uint32_t after __asm__("r8");
		__asm__ volatile("svc #0\n\tmrc p15, 0, r8, c9, c13, 0"
				 : "+r"(r0), "+r"(r1), "+r"(r6), "=r"(after) : "r"(r7)
				 : "r2", "r3", "r4", "r5", "memory");
		uint32_t r[4];
		k_invoke(SEL_SCHED, SCHED_BENCH, NULL, 0, r, 4, 0);
		irq_after = after;
		irq_entry = r[3];   /* read before the acknowledgement lets the next one in */
		irq_seen++;
		if (irq_clear)
			*irq_clear = 1;   /* as a driver does: quiet the device, then acknowledge */
		k_irq_ack(irq_sel);
	}
}

static void bench_irq_delivery(const struct bootinfo *bi)
{
	uint8_t *stack = pages_alloc(2);
	uint32_t ovh = empty_overhead();
	irq_sel = sel_alloc();
	k_irq_create(SEL_FACTORY, irq_sel, IRQ_SOFTWARE);
	uint32_t th = start_thread_at(SEL_TASK, stack + 2 * PAGE_SIZE, irq_receiver, NULL);
	/* The receiver above us, so a delivery switches to it at once (this
	 * is the last benchmark that needs our priority). */
	k_thread_set_priority(th, PRIO_ROOT);
	k_thread_set_priority(SEL_THREAD, PRIO_ROOT - 10);
	k_irq_attach(irq_sel, th, 1);
	k_sleep_us(1000);
	for (unsigned i = 0; i < SAMPLES; i++) {
		uint32_t seen = irq_seen, t0;
		register uint32_t r0 __asm__("r0") = irq_sel, r1 __asm__("r1") = MSG_TAG(IRQ_TRIGGER, 0, 0);
		register uint32_t r6 __asm__("r6") = TIMEOUT_NEVER, r7 __asm__("r7") = SYS_CALL;
		__asm__ volatile("mrc p15, 0, %0, c9, c13, 0\n\tsvc #0"
				 : "=&r"(t0), "+r"(r0), "+r"(r1), "+r"(r6) : "r"(r7)
				 : "r2", "r3", "r4", "r5", "memory");
		if (irq_seen == seen)
			printf("bench: software IRQ not delivered at once\n");
		samples[i] = irq_after - t0;
	}
	report("irq_software_trigger_to_thread", samples, SAMPLES, ovh);

	/* A device interrupt: SP804 boards only (the virt board's PL031 ticks
	 * once a second). */
	const struct bootinfo_device *d = &bi->devices[0];
	if (bi->device_count == 0 || d->name[0] != 's')
		return;
	k_irq_detach(irq_sel);
	uint32_t hw = sel_alloc();
	if (k_irq_create(SEL_FACTORY, hw, d->irq) || k_map_io(SEL_PLATFORM, SEL_TASK, d->phys, 0x49000000u, 1)) {
		printf("bench: no device\n");
		return;
	}
	irq_sel = hw;
	k_irq_attach(hw, th, 2);
	volatile uint32_t *sp804 = (volatile uint32_t *)0x49000000u;
	irq_clear = &sp804[3];    /* Timer1IntClr */
	sp804[0] = 1000;          /* load: 1 ms */
	sp804[3] = 1;             /* clear */
	sp804[2] = 0xe2;          /* enable, periodic, interrupt, 32 bit */
	unsigned n = 0;
	while (n < 200) {
		uint32_t seen = irq_seen;
		while (irq_seen == seen)
			k_sleep_us(100);
		samples[n++] = irq_after - irq_entry;
	}
	sp804[2] = 0;
	report("irq_device_entry_to_thread", samples, n, 0);
}

static void bench_irq(void)
{
	uint32_t r[3], last = 0;
	unsigned n = 0;
	while (n < 200) {
		k_sleep_us(500);   /* wakes in a tick interrupt */
		if (k_invoke(SEL_SCHED, SCHED_BENCH, NULL, 0, r, 3, 0) != E_OK) {
			printf("bench: SCHED_BENCH unavailable\n");
			return;
		}
		if (r[2] != last) {
			samples[n++] = r[1] - r[0];
			last = r[2];
		}
	}
	report("irq_entry_to_handler", samples, n, 0);
}

int main(uint32_t arg)
{
	const struct bootinfo *bi = (const struct bootinfo *)arg;
	pages_init(bi->ram_va, bi->ram_size);
	printf("bench: start on %s\n", bi->board);
	bench_syscalls();
	bench_switch("yield_switch_same_task", 0);
	bench_switch("yield_switch_other_task", 1);
	bench_ipc("same", 0);
	bench_ipc("other", 1);
	bench_cap_transfer();
	bench_page_fault();
	bench_dirty_first_write(true);
	bench_dirty_first_write(false);
	bench_object_sizes();
	bench_irq();
	bench_irq_delivery(bi);
	printf("bench: done\n");
	k_shutdown(SEL_PLATFORM, 0);
	return 0;
}

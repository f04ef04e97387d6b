/* The test root task: runs every registered test and reports. */
#include "ktest.h"
#include "pages.h"
#include "selalloc.h"
#include "string.h"

extern const struct ktest __ktests_start[], __ktests_end[];
extern char __text_start[], __text_end[];

#define STACK_PAGES 2
#define UTCB_AREA 0x7f000000u

static const struct bootinfo *bootinfo;
static bool failed;
static char fail_msg[200];
static unsigned utcb_next;

const struct bootinfo *kt_bootinfo(void)
{
	return bootinfo;
}

void kt_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[160];
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!failed)   /* the first failure is the one worth reading */
		fmt_snprintf(fail_msg, sizeof(fail_msg), "%s (%s:%d)", msg, file, line);
	failed = true;
}

bool kt_failed(void)
{
	return failed;
}

static void thread_start(uint32_t arg);

struct spawn_args {
	kt_thread_fn fn;
	uint32_t arg;
};

static uint32_t spawn_in(uint32_t factory, uint32_t task, kt_thread_fn fn, uint32_t arg,
			 unsigned prio, const char *name, uint8_t *stack);

uint32_t kt_spawn(kt_thread_fn fn, uint32_t arg, unsigned prio, const char *name)
{
	return spawn_in(SEL_FACTORY, SEL_TASK, fn, arg, prio, name, pages_alloc(STACK_PAGES));
}

static int share_with(uint32_t task, void *p, unsigned pages, unsigned rights)
{
	return k_task_map(task, SEL_TASK, (uint32_t)p, (uint32_t)p, pages, rights);
}

uint32_t kt_spawn_task(kt_thread_fn fn, uint32_t arg, unsigned prio, const char *name,
		       void *share, unsigned share_pages, uint32_t *task)
{
	return kt_spawn_task_from(SEL_FACTORY, fn, arg, prio, name, share, share_pages, task);
}

uint32_t kt_spawn_task_from(uint32_t factory, kt_thread_fn fn, uint32_t arg, unsigned prio,
			    const char *name, void *share, unsigned share_pages, uint32_t *task)
{
	uint32_t text = (uint32_t)__text_start & ~(PAGE_SIZE - 1);
	unsigned text_pages = ((uint32_t)__text_end - text + PAGE_SIZE - 1) / PAGE_SIZE;
	uint8_t *stack = pages_alloc(STACK_PAGES);
	int st;
	*task = sel_alloc();
	if (!stack || (st = k_factory_create(factory, KOBJ_TASK, *task, 0)) ||
	    (st = share_with(*task, (void *)text, text_pages, MAP_R | MAP_X)) ||
	    (st = share_with(*task, stack, STACK_PAGES, MAP_R | MAP_W)) ||
	    (share && (st = share_with(*task, share, share_pages, MAP_R | MAP_W)))) {
		kt_fail(__FILE__, __LINE__, "new task for %s failed", name);
		return 0;
	}
	return spawn_in(factory, *task, fn, arg, prio, name, stack);
}

static uint32_t spawn_in(uint32_t factory, uint32_t task, kt_thread_fn fn, uint32_t arg,
			 unsigned prio, const char *name, uint8_t *stack)
{
	uint32_t sel = sel_alloc();
	if (!sel || !stack) {
		kt_fail(__FILE__, __LINE__, "out of test resources");
		return 0;
	}
	/* The start arguments live at the top of the new stack. */
	struct spawn_args *sa = (struct spawn_args *)(stack + STACK_PAGES * PAGE_SIZE) - 1;
	sa->fn = fn;
	sa->arg = arg;
	int st;
	if ((st = k_factory_create(factory, KOBJ_THREAD, sel, 0)) ||
	    (st = k_thread_configure(sel, task, UTCB_AREA + utcb_next++ * PAGE_SIZE, prio)) ||
	    (st = k_thread_set_name(sel, name)) ||
	    (st = k_thread_set_regs(sel, (uint32_t)thread_start, (uint32_t)sa & ~7u, (uint32_t)sa)) ||
	    (st = k_thread_resume(sel))) {
		kt_fail(__FILE__, __LINE__, "spawn %s: %s", name, k_error_name((unsigned)st));
		return 0;
	}
	return sel;
}

static void thread_start(uint32_t arg)
{
	struct spawn_args *sa = (struct spawn_args *)arg;
	sa->fn(sa->arg);
	for (;;)   /* k_sleep_us is inline: this also works in a task of its own */
		k_sleep_us(TIMEOUT_NEVER);
}

unsigned kt_state(uint32_t thread)
{
	struct k_thread_info ti;
	return k_thread_info(thread, &ti) == E_OK ? ti.state : TS_COUNT;
}

bool kt_wait_state(uint32_t thread, unsigned state, unsigned ms)
{
	for (unsigned i = 0; i < ms && kt_state(thread) != state; i++)
		k_sleep_us(1000);
	return kt_state(thread) == state;
}

bool kt_wait_flag(volatile uint32_t *flag, unsigned ms)
{
	for (unsigned i = 0; i < ms && !*flag; i++)
		k_sleep_us(1000);
	return *flag != 0;
}

uint32_t kt_next_round(volatile uint32_t *round, uint32_t seen)
{
	while (*round == seen)
		k_sleep_us(1000);
	return *round;
}

/* Which of our slots were occupied before the test ran. */
static uint32_t slots_before[CSPACE_SLOTS / 32];

static void snapshot_slots(void)
{
	struct k_cap_info ci;
	memset(slots_before, 0, sizeof(slots_before));
	for (uint32_t sel = 0; k_task_cap_info(SEL_TASK, sel, &ci) == E_OK; sel = ci.sel + 1)
		slots_before[ci.sel / 32] |= 1u << (ci.sel % 32);
}

/* Every capability the test left in our space is deleted, so each test
 * starts from the same kernel state and every test also exercises the
 * destruction of what it made (threads blocked anywhere, gates with
 * queues, IRQs attached, tasks with mappings). */
static void cleanup(void)
{
	struct k_cap_info ci;
	for (uint32_t sel = 0; k_task_cap_info(SEL_TASK, sel, &ci) == E_OK; sel = ci.sel + 1) {
		if (slots_before[ci.sel / 32] & (1u << (ci.sel % 32)))
			continue;
		int st = k_task_cap_delete(SEL_TASK, ci.sel);
		if (st != E_OK)
			kt_fail(__FILE__, __LINE__, "cleanup: delete %u: %s", (unsigned)ci.sel,
				k_error_name((unsigned)st));
		sel_free(ci.sel);
	}
}

int main(uint32_t arg)
{
	bootinfo = (const struct bootinfo *)arg;
	pages_init(bootinfo->ram_va, bootinfo->ram_size);
	unsigned total = (unsigned)(__ktests_end - __ktests_start), passed = 0;

	printf("ktest: running %u tests\n", total);
	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++) {
		printf("[RUN ] %s\n", t->name);
		failed = false;
		snapshot_slots();
		t->run();
		cleanup();
		if (failed) {
			printf("[FAIL] %s: %s\n", t->name, fail_msg);
		} else {
			printf("[PASS] %s\n", t->name);
			passed++;
		}
	}
	printf("ktest: %u passed, %u failed\n", passed, total - passed);
	k_shutdown(SEL_PLATFORM, passed == total ? 0 : 1);
	return 0;
}

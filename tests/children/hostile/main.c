/*
 * Test child: every kind of bad request a child can make of its parent, each
 * answered with its error and without effect; then the same sessions used
 * properly, to show nothing was disturbed. Prints one line per failed check
 * and a summary.
 */
#include "session.h"
#include "selalloc.h"
#include "stdio.h"
#include "rpc.h"

static unsigned checks, failures;

static void expect(const char *what, int got, int want)
{
	checks++;
	if (got != want) {
		failures++;
		printf("test-hostile: %s: got %s, want %s\n", what, k_error_name((unsigned)got),
		       k_error_name((unsigned)want));
	}
}

static int raw(uint32_t sel, uint32_t op, const uint32_t *in, unsigned n)
{
	uint32_t out[8];
	return rpc_call(sel, op, in, n, out, 8, NULL, TIMEOUT_NEVER);
}

int main(uint32_t arg)
{
	uint32_t log = sel_alloc(), ram = sel_alloc(), rm = sel_alloc(), cpu = sel_alloc();
	uint32_t timer = sel_alloc(), sig = sel_alloc(), spare = sel_alloc(), ds, va;
	uint32_t big = CSPACE_SLOTS, quota = 4, huge = 1u << 30;
	(void)arg;
	if (session_log_init())
		return 1;

	/* The parent. */
	expect("unknown service", session_open("nosuch", spare, SEL_NULL, NULL, 0, NULL, 0),
	       E_NOT_FOUND);
	expect("parent asked for", session_open("parent", spare, SEL_NULL, NULL, 0, NULL, 0),
	       E_NOT_FOUND);
	expect("selector 0", session_open("log", SEL_NULL, SEL_NULL, NULL, 0, NULL, 0),
	       E_INVALID_ARG);
	expect("selector of the parent", session_open("log", CHILD_SEL_PARENT, SEL_NULL, NULL, 0,
						       NULL, 0), E_INVALID_ARG);
	expect("selector past the space", session_open("log", big, SEL_NULL, NULL, 0, NULL, 0),
	       E_INVALID_ARG);
	expect("timer without signal selector", session_open("timer", timer, SEL_NULL, NULL, 0,
							      NULL, 0), E_INVALID_ARG);
	uint32_t tbad[2] = { 1, 7 };
	expect("timer for a thread that does not exist",
	       session_open("timer", timer, sig, tbad, 2, NULL, 0), E_INVALID_ARG);
	expect("ram over the quota", session_open("ram", ram, SEL_NULL, &huge, 1, NULL, 0),
	       E_NO_MEMORY);
	uint32_t dev[2] = { 99, 0x60000000 };
	expect("io_mem of no device", session_open("io_mem", spare, SEL_NULL, dev, 2, NULL, 0),
	       E_NOT_FOUND);
	uint32_t devbad[2] = { 0, 0x10000 };
	expect("io_mem over the program", session_open("io_mem", spare, SEL_NULL, devbad, 2, NULL,
							 0), E_BAD_ADDRESS);
	expect("parent: unknown op", raw(CHILD_SEL_PARENT, 99, NULL, 0), E_INVALID_OP);
	expect("parent: short request", raw(CHILD_SEL_PARENT, PARENT_SESSION, NULL, 0),
	       E_INVALID_ARG);
	struct device_info dev0;
	expect("device list: the first", parent_device(0, &dev0), E_OK);
	expect("device list: past the last", parent_device(BOOTINFO_DEVICES_MAX, &dev0), E_NOT_FOUND);
	expect("device list: no index", raw(CHILD_SEL_PARENT, PARENT_DEVICE, NULL, 0), E_INVALID_ARG);
	expect("close what is not there", raw(CHILD_SEL_PARENT, PARENT_CLOSE, &spare, 1),
	       E_NOT_FOUND);

	/* Sessions, used wrongly. */
	expect("log", session_open("log", log, SEL_NULL, NULL, 0, NULL, 0), E_OK);
	uint32_t longlog[2] = { 241, 0 };
	expect("log too long", raw(log, LOG_WRITE, longlog, 2), E_INVALID_ARG);
	uint32_t shortlog[1] = { 8 };
	expect("log shorter than it says", raw(log, LOG_WRITE, shortlog, 1), E_INVALID_ARG);
	expect("log: unknown op", raw(log, 9, NULL, 0), E_INVALID_OP);
	expect("ram", session_open("ram", ram, SEL_NULL, &quota, 1, NULL, 0), E_OK);
	expect("rm", session_open("rm", rm, SEL_NULL, NULL, 0, NULL, 0), E_OK);
	expect("slot taken", session_open("rm", rm, SEL_NULL, NULL, 0, NULL, 0), E_SLOT_IN_USE);
	expect("alloc over the quota", ram_alloc(ram, 5, &ds), E_NO_MEMORY);
	expect("alloc nothing", ram_alloc(ram, 0, &ds), E_INVALID_ARG);
	expect("alloc", ram_alloc(ram, 4, &ds), E_OK);
	expect("free what is not there", ram_free(ram, 9), E_NOT_FOUND);
	expect("attach no dataspace", rm_attach(rm, 9, 0, MAP_R, &va), E_NOT_FOUND);
	expect("attach executable", rm_attach(rm, ds, 0, MAP_R | MAP_X, &va), E_INVALID_ARG);
	expect("attach unaligned", rm_attach(rm, ds, 0x20000010, MAP_R, &va), E_BAD_ADDRESS);
	expect("attach over the program", rm_attach(rm, ds, 0x10000, MAP_R, &va), E_BAD_ADDRESS);
	expect("attach past the area", rm_attach(rm, ds, 0x5ffff000, MAP_R, &va), E_BAD_ADDRESS);
	expect("attach", rm_attach(rm, ds, 0, MAP_R | MAP_W, &va), E_OK);
	expect("attach twice", rm_attach(rm, ds, 0, MAP_R, &va), E_BUSY);
	expect("free attached", ram_free(ram, ds), E_BUSY);
	expect("detach nothing", rm_detach(rm, va + PAGE_SIZE), E_NOT_FOUND);
	expect("cpu", session_open("cpu", cpu, SEL_NULL, NULL, 0, NULL, 0), E_OK);
	expect("gate on no thread", cpu_gate_create(cpu, 5, 6, spare), E_INVALID_ARG);
	expect("gate at the parent's selector", cpu_gate_create(cpu, 5, 0, CHILD_SEL_PARENT),
	       E_INVALID_ARG);
	expect("thread: short request", raw(cpu, CPU_THREAD_CREATE, NULL, 0), E_INVALID_ARG);
	/* A name is printed on the console: a terminal escape in it is refused
	 * (the entry and stack do not matter: the thread is never made). */
	uint32_t escape[5] = { 0x10000, 0x20000, 0, 0x5b325b1bu /* ESC [ 2 J */, 0x4a };
	expect("thread with an escape in its name", raw(cpu, CPU_THREAD_CREATE, escape, 5),
	       E_INVALID_ARG);
	uint32_t targs[2] = { 0x55, 0 };
	expect("timer", session_open("timer", timer, sig, targs, 2, NULL, 0), E_OK);
	expect("period too short", timer_periodic(timer, 10), E_INVALID_ARG);
	expect("period zero", timer_periodic(timer, 0), E_INVALID_ARG);
	/* An argument a service does not take would be recorded, and a
	 * restore refuses an image that has one: so is the request. */
	uint32_t extra[3] = { 0x55, 0, 7 }, sig2 = sel_alloc();
	expect("timer with an argument too many", session_open("timer", spare, sig2, extra, 3,
							       NULL, 0), E_INVALID_ARG);
	expect("log with an argument", session_open("log", spare, SEL_NULL, extra, 1, NULL, 0),
	       E_INVALID_ARG);

	/* ... and properly: nothing was disturbed. */
	volatile uint32_t *mem = (volatile uint32_t *)(uintptr_t)va;
	mem[0] = 42;
	mem[PAGE_SIZE / 4] = 43;
	expect("memory works", mem[0] == 42 && mem[PAGE_SIZE / 4] == 43 ? E_OK : E_INVALID_STATE, E_OK);
	expect("sleep works", timer_sleep_us(timer, sig, 0x55, 1000), E_OK);
	expect("detach", rm_detach(rm, va), E_OK);
	expect("free", ram_free(ram, ds), E_OK);
	expect("close", raw(CHILD_SEL_PARENT, PARENT_CLOSE, &rm, 1), E_OK);
	expect("closed is gone", rm_attach(rm, ds, 0, MAP_R, &va), E_EMPTY_SLOT);
	printf("test-hostile: %u checks, %u failed\n", checks, failures);
	return 0;
}

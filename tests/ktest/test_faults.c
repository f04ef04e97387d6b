/* User faults stop the faulting thread, never the kernel. */
#include "ktest.h"

static volatile uint32_t after_fault;

static bool wait_faulted(uint32_t t)
{
	return kt_wait_state(t, TS_FAULTED, 200);
}

static void write_null(uint32_t arg)
{
	(void)arg;
	volatile uintptr_t addr = 0x10;   /* through a variable: GCC knows 0x10 is no object */
	*(volatile uint32_t *)addr = 1;
	after_fault = 1;
}

DEFINE_TEST(fault_data_abort, "a write to an unmapped address stops only that thread")
{
	after_fault = 0;
	uint32_t t = kt_spawn(write_null, 0, 50, "nullwr");
	KT_ASSERT(t);
	KT_ASSERT(wait_faulted(t));
	KT_ASSERT_EQ(after_fault, 0);
	/* A faulted thread can be neither suspended nor run again as it is. */
	KT_ASSERT_ERR(k_thread_suspend(t), E_INVALID_STATE);
}

static void undefined(uint32_t arg)
{
	(void)arg;
	__asm__ volatile(".word 0xe7f000f0");   /* permanently undefined (UDF) */
	after_fault = 1;
}

DEFINE_TEST(fault_undefined, "an undefined instruction stops only that thread")
{
	after_fault = 0;
	uint32_t t = kt_spawn(undefined, 0, 50, "undef");
	KT_ASSERT(t);
	KT_ASSERT(wait_faulted(t));
	KT_ASSERT_EQ(after_fault, 0);
}

/* Each of these must fault. */
static void read_kernel(uint32_t a) { (void)a; after_fault = *(volatile uint32_t *)0xc0100000u; }
static void write_kernel(uint32_t a) { (void)a; *(volatile uint32_t *)0xc0100000u = 0; }
static void jump_kernel(uint32_t a) { (void)a; ((void (*)(void))0xc0100000u)(); }
static void write_code(uint32_t a) { (void)a; *(volatile uint32_t *)(uintptr_t)&write_code = 0; }
static void write_bootinfo(uint32_t a) { (void)a; *(volatile uint32_t *)BOOTINFO_VA = 0; }
static void exec_stack(uint32_t a)
{
	(void)a;
	/* bx lr, in .bss: data pages are never executable. */
	static uint32_t code[2];
	code[0] = 0xe12fff1e;
	((void (*)(void))code)();
}
static void unaligned_ldm(uint32_t a)
{
	(void)a;
	uint32_t buf[4];
	/* LDM needs word alignment whatever SCTLR.A says. */
	__asm__ volatile("ldm %0, {r2, r3}" :: "r"((char *)buf + 1) : "r2", "r3", "memory");
}
static void privileged_insn(uint32_t a)
{
	(void)a;
	__asm__ volatile("mcr p15, 0, %0, c1, c0, 0" :: "r"(0));   /* SCTLR write */
}

static volatile uint32_t alive;
static void still_works(uint32_t a) { alive = a; }

DEFINE_TEST(kernel_survives_faults, "hostile accesses fault the thread and the kernel carries on")
{
	static const struct { kt_thread_fn fn; const char *name; } bad[] = {
		{ read_kernel, "rdkern" }, { write_kernel, "wrkern" }, { jump_kernel, "jmpkern" },
		{ write_code, "wrcode" }, { write_bootinfo, "wrbinfo" }, { exec_stack, "xstack" },
		{ unaligned_ldm, "ldm" }, { privileged_insn, "priv" },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t t = kt_spawn(bad[i].fn, 0, 50, bad[i].name);
		KT_ASSERT(t);
		if (!wait_faulted(t)) {
			kt_fail(__FILE__, __LINE__, "%s did not fault", bad[i].name);
			return;
		}
	}
	/* Everything else still works: threads, time, the listing. */
	alive = 0;
	KT_ASSERT(kt_spawn(still_works, 7, 50, "alive"));
	KT_ASSERT(kt_wait_flag(&alive, 200));
	KT_ASSERT_EQ(alive, 7);
	uint64_t t0 = k_time_us();
	k_sleep_us(2000);
	KT_ASSERT(k_time_us() - t0 >= 2000);
	struct k_thread_info ti;
	unsigned faulted = 0;
	for (uint32_t i = 0; k_sched_thread_info(SEL_SCHED, i, &ti) == E_OK; i++)
		faulted += ti.state == TS_FAULTED;
	KT_ASSERT(faulted >= 8);
}

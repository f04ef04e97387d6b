/* The timeout facility: sleeping and polling. */
#include "ktest.h"

static int raw_wait(uint32_t timeout)
{
	struct k_msg m = { 0 };
	return k_syscall(SYS_WAIT, 0, timeout, &m);
}

DEFINE_TEST(timeout_sleep, "a finite wait ends with a timeout after at least its duration")
{
	static const uint32_t durations[] = { 1, 1500, 50000 };
	for (unsigned i = 0; i < 3; i++) {
		uint64_t t0 = k_time_us();
		KT_ASSERT_ERR(raw_wait(durations[i]), E_TIMEOUT);
		uint64_t dt = k_time_us() - t0;
		KT_ASSERT(dt >= durations[i]);
		KT_ASSERT(dt < durations[i] + 200000);
	}
}

static volatile uint32_t sleeper_done[3], sleep_order[3], sleep_n;

static void sleeper(uint32_t ms)
{
	k_sleep_us(ms * 1000);
	sleep_order[sleep_n++] = ms;
}

DEFINE_TEST(timeout_order, "sleepers wake in deadline order, not arrival order")
{
	sleep_n = 0;
	KT_ASSERT(kt_spawn(sleeper, 30, 50, "s30"));
	KT_ASSERT(kt_spawn(sleeper, 10, 50, "s10"));
	KT_ASSERT(kt_spawn(sleeper, 20, 50, "s20"));
	k_sleep_us(60000);
	KT_ASSERT_EQ(sleep_n, 3);
	KT_ASSERT_EQ(sleep_order[0], 10);
	KT_ASSERT_EQ(sleep_order[1], 20);
	KT_ASSERT_EQ(sleep_order[2], 30);
}

DEFINE_TEST(timeout_poll, "a zero timeout returns at once")
{
	uint64_t t0 = k_time_us();
	for (int i = 0; i < 100; i++)
		KT_ASSERT_ERR(raw_wait(TIMEOUT_POLL), E_TIMEOUT);
	/* 100 polls take far less than one tick each. */
	KT_ASSERT(k_time_us() - t0 < 100 * 1000);
	char c;
	size_t n = 99;
	KT_ASSERT_ERR(k_console_read(SEL_CONSOLE, &c, 1, &n, TIMEOUT_POLL), E_TIMEOUT);
	KT_ASSERT_EQ(n, 0);
}

static volatile uint32_t blocked_result;
static void block_forever(uint32_t a)
{
	(void)a;
	blocked_result = (uint32_t)raw_wait(TIMEOUT_NEVER) + 100;
}

DEFINE_TEST(timeout_infinite, "an infinite wait lasts until it is aborted from outside")
{
	blocked_result = 0;
	uint32_t t = kt_spawn(block_forever, 0, 50, "forever");
	KT_ASSERT(t);
	k_sleep_us(30000);
	KT_ASSERT_EQ(kt_state(t), TS_BLOCKED);
	KT_ASSERT_EQ(blocked_result, 0);
	/* Suspending aborts the wait; once resumed the thread learns it. */
	KT_ASSERT_ERR(k_thread_suspend(t), E_OK);
	KT_ASSERT_ERR(k_thread_resume(t), E_OK);
	KT_ASSERT(kt_wait_flag(&blocked_result, 100));
	KT_ASSERT_EQ(blocked_result, 100 + E_ABORTED);
}

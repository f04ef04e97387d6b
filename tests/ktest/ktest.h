/*
 * In-image kernel tests, in the manner of sel4test: each test is a function
 * registered with DEFINE_TEST, run by the test root task in order, and
 * reported as one [PASS]/[FAIL] line. The image exits through semihosting
 * with 0 when every test passed.
 */
#ifndef KTEST_H
#define KTEST_H

#include <stdint.h>
#include <stdbool.h>
#include "sys.h"
#include "stdio.h"

struct ktest {
	const char *name;
	const char *desc;
	void (*run)(void);
};

#define DEFINE_TEST(name_, desc_)                                              \
	static void name_##_run(void);                                         \
	static const struct ktest name_##_test                                 \
		__attribute__((section("ktests"), used, aligned(4))) = {        \
			#name_, desc_, name_##_run };                          \
	static void name_##_run(void)

void kt_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool kt_failed(void);

#define KT_ASSERT(c) do { if (!(c)) { kt_fail(__FILE__, __LINE__, "%s", #c); return; } } while (0)
#define KT_ASSERT_EQ(a, b) do {                                                \
	uint32_t a_ = (uint32_t)(a), b_ = (uint32_t)(b);                       \
	if (a_ != b_) {                                                        \
		kt_fail(__FILE__, __LINE__, "%s == %s (%u != %u)", #a, #b,    \
			(unsigned)a_, (unsigned)b_);                           \
		return;                                                        \
	} } while (0)
#define KT_ASSERT_ERR(call, err) do {                                          \
	int e_ = (call);                                                       \
	if (e_ != (err)) {                                                     \
		kt_fail(__FILE__, __LINE__, "%s: got '%s', want '%s'", #call,  \
			k_error_name((unsigned)e_), k_error_name((unsigned)(err))); \
		return;                                                        \
	} } while (0)

/* Test threads in the test task. They run fn(arg) on their own stack and
 * then sleep for ever; every capability a test leaves in the root space is deleted when
 * the test ends. */
typedef void (*kt_thread_fn)(uint32_t arg);
uint32_t kt_spawn(kt_thread_fn fn, uint32_t arg, unsigned prio, const char *name);
/* The same, in a new task that has only this program's code, the thread's
 * stack and the pages in `share` (at the same addresses as here) mapped:
 * fn may touch nothing else. *task gets the new task's selector. */
uint32_t kt_spawn_task(kt_thread_fn fn, uint32_t arg, unsigned prio, const char *name,
		       void *share, unsigned share_pages, uint32_t *task);
/* The same, with the task and thread paid for by factory. */
uint32_t kt_spawn_task_from(uint32_t factory, kt_thread_fn fn, uint32_t arg, unsigned prio,
			    const char *name, void *share, unsigned share_pages, uint32_t *task);
unsigned kt_state(uint32_t thread);
/* Sleep in steps until the thread is in state, or ms pass. */
bool kt_wait_state(uint32_t thread, unsigned state, unsigned ms);
/* Sleep in steps until *flag becomes nonzero or ms pass. */
bool kt_wait_flag(volatile uint32_t *flag, unsigned ms);
/* For a worker driven in rounds: sleep in steps until *round is no longer
 * seen, and return it. Touches nothing else, so it runs in a child task. */
uint32_t kt_next_round(volatile uint32_t *round, uint32_t seen);
const struct bootinfo *kt_bootinfo(void);

#define KT_PRIO_RUNNER 100u

#endif

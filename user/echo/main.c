/*
 * Demo child: an entrypoint of its own. Thread 1 serves a gate the child
 * asked its parent for; it takes its time over each answer (a timer sleep),
 * so the caller is mostly blocked in IPC and the server in a timer sleep
 * when a checkpoint comes. Thread 0 calls it and checks every answer.
 */
#include "session.h"
#include "selalloc.h"
#include "stdio.h"
#include "rpc.h"

#define ECHO_LABEL  0xec0u
#define ECHO_OP     1u
#define SLEEP_LABEL 0x7112u
#define ANSWER_DELAY_US 20000u

static uint32_t timer, sig;
static uint64_t server_stack[1024];

static uint32_t answer_to(uint32_t x)
{
	return 3 * x + 1;
}

static int serve(void *ctx, struct rpc_request *rq)
{
	(void)ctx;
	if (rq->op != ECHO_OP || rq->nwords != 1)
		return E_INVALID_OP;
	timer_sleep_us(timer, sig, SLEEP_LABEL, ANSWER_DELAY_US);
	rq->reply[0] = answer_to(rq->words[0]);
	rq->nreply = 1;
	return E_OK;
}

static const struct rpc_object echo_object = { .label = ECHO_LABEL, .handle = serve };
static struct rpc_server server = { .objects = &echo_object, .nobjects = 1 };

static void server_main(uint32_t arg)
{
	(void)arg;
	rpc_server_loop(&server);
}

int main(uint32_t arg)
{
	uint32_t cpu = sel_alloc(), gate = sel_alloc(), thread;
	(void)arg;
	timer = sel_alloc();
	sig = sel_alloc();
	int st = session_log_init();
	if (!st)
		st = session_open("cpu", cpu, SEL_NULL, NULL, 0, NULL, 0);
	if (!st)
		st = cpu_thread_create(cpu, server_main, &server_stack[1024], 0, "echo-srv", &thread);
	uint32_t targs[2] = { SLEEP_LABEL, thread };
	if (!st)
		st = session_open("timer", timer, sig, targs, 2, NULL, 0);
	if (!st)
		st = cpu_gate_create(cpu, ECHO_LABEL, thread, gate);
	if (st) {
		printf("echo: cannot start: %s\n", k_error_name((unsigned)st));
		return 1;
	}
	printf("echo: serving on thread %u, calling from thread 0\n", (unsigned)thread);
	for (uint32_t i = 1;; i++) {
		uint32_t out = 0;
		st = rpc_call(gate, ECHO_OP, &i, 1, &out, 1, NULL, TIMEOUT_NEVER);
		if (st != E_OK || out != answer_to(i)) {
			printf("echo: call %u failed: %s, answer %u\n", (unsigned)i,
			       k_error_name((unsigned)st), (unsigned)out);
			continue;
		}
		if (i % 10 == 0)
			printf("echo: %u answers ok\n", (unsigned)i);
	}
}

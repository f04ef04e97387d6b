/*
 * Child of the checkpoint benchmark (make bench, rtcr/bench.c): a dataspace
 * of the size RTCR asks for, written on request, so that RTCR can take
 * checkpoints of it with a known number of dirty pages and time how much
 * dirty tracking slows a child that writes all the time. Runs only in the
 * benchmark image: it reads the PMU counter, which only the benchmark
 * kernel lets user mode read.
 */
#include "session.h"
#include "selalloc.h"
#include "stdio.h"
#include "rpc.h"
#include "protocol.h"

static uint32_t rm, cpu;
static uint32_t *mem;
static int status = E_OK;
static uint32_t span;

/* What a request asked for that needs RTCR's answers: done after the reply. */
static struct {
	uint32_t op, pages, rounds;
} todo;

static inline uint32_t counter(void)
{
	uint32_t v;
	__asm__ volatile("mrc p15, 0, %0, c9, c13, 0" : "=r"(v));
	return v;
}

static int setup(uint32_t pages)
{
	uint32_t ram = sel_alloc(), ds, va;
	int st = session_open("ram", ram, SEL_NULL, &pages, 1, NULL, 0);
	if (!st)
		st = ram_alloc(ram, pages, &ds);
	if (!st)
		st = rm_attach(rm, ds, 0, MAP_R | MAP_W, &va);
	if (st)
		return st;
	mem = (uint32_t *)(uintptr_t)va;
	/* Every page mapped now (the first touch is a fault to RTCR), and
	 * not all zero, as a working child's pages would be. */
	for (uint32_t p = 0; p < pages; p++)
		mem[p * (PAGE_SIZE / 4)] = p + 1;
	return E_OK;
}

/* Write-heavy work: every word of every page, again and again. */
static void work(uint32_t pages, uint32_t rounds)
{
	uint32_t t0 = counter();
	for (uint32_t r = 0; r < rounds; r++) {
		for (uint32_t w = 0; w < pages * (PAGE_SIZE / 4); w++)
			mem[w] = w + r;
		/* Each round's stores are real: none may be folded into the next. */
		__asm__ volatile("" ::: "memory");
	}
	span = counter() - t0;
}

static int handle(void *ctx, struct rpc_request *rq)
{
	(void)ctx;
	switch (rq->op) {
	case CB_SETUP:
	case CB_WORK:
		if (rq->nwords != 2 || todo.op || (rq->op == CB_WORK && !mem))
			return E_INVALID_ARG;
		todo.op = rq->op;
		todo.pages = rq->words[0];
		todo.rounds = rq->words[1];
		status = E_BUSY;
		return E_OK;
	case CB_DIRTY:
		if (rq->nwords != 2 || !mem)
			return E_INVALID_ARG;
		for (uint32_t p = 0; p < rq->words[0]; p++)
			mem[p * (PAGE_SIZE / 4)] = rq->words[1];
		return E_OK;
	case CB_RESULT:
		rq->reply[0] = (uint32_t)status;
		rq->reply[1] = span;
		rq->reply[2] = (uint32_t)(uintptr_t)mem;
		rq->nreply = 3;
		return E_OK;
	default:
		return E_INVALID_OP;
	}
}

int main(uint32_t arg)
{
	uint32_t gate = sel_alloc();
	(void)arg;
	rm = sel_alloc();
	cpu = sel_alloc();
	int st = session_log_init();
	if (!st)
		st = session_open("rm", rm, SEL_NULL, NULL, 0, NULL, 0);
	if (!st)
		st = session_open("cpu", cpu, SEL_NULL, NULL, 0, NULL, 0);
	if (!st)
		st = cpu_gate_create(cpu, CB_GATE_LABEL, 0, gate);
	if (st) {
		printf("ckptbench: cannot start: %s\n", k_error_name((unsigned)st));
		return 1;
	}
	static const struct rpc_object objects[] = { { CB_GATE_LABEL, handle, NULL } };
	struct rpc_server srv = { .objects = objects, .nobjects = 1 };
	for (;;) {
		if (rpc_server_once(&srv, TIMEOUT_NEVER) != E_OK || !todo.op)
			continue;
		if (todo.op == CB_SETUP) {
			status = setup(todo.pages);
		} else {
			work(todo.pages, todo.rounds);
			status = E_OK;
		}
		todo.op = 0;
	}
}

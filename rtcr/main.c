/*
 * RTCR, the root task. One thread, this one, owns every piece of state:
 * it serves the children's sessions, resolves their page faults, runs the
 * console's commands (a second thread only reads and edits lines and hands
 * each over as a request) and takes checkpoints. Nothing is shared between
 * threads, so nothing needs a lock, and a checkpoint never races a request.
 *
 * The layers (README, "Layout") are tied together here: each registers
 * what it must hear of the ones below (core/loop.h pollers, child
 * observers, endpoint handlers), so no layer calls up into another.
 */
#include "sys.h"
#include "stdio.h"
#include "pages.h"
#include "rpc.h"
#include "core.h"
#include "shell.h"
#include "checkpoint.h"
#include "migration.h"
#include "services.h"

/* A child's fault: resolved (status 0, the access is retried) or reported
 * and the thread stopped. */
static int pager_request(struct rtcr_child *c, struct rpc_request *rq)
{
	if (rq->op == MSG_PAGE_FAULT && rq->nwords == PAGE_FAULT_WORDS) {
		struct rtcr_detail d = { "" };
		rtcr_err e = child_page_fault(c, rq->words[PF_WORD_ADDR], rq->words[PF_WORD_ACCESS],
					      &d);
		if (e == E_OK)
			return E_OK;
		console_fault(c, rtcr_error_text(e, &d), rq->words[PF_WORD_ADDR],
			      rq->words[PF_WORD_PC]);
	} else if (rq->op == MSG_EXCEPTION && rq->nwords == EXCEPTION_WORDS) {
		console_fault(c, "exception", rq->words[EXC_WORD_ADDR], rq->words[EXC_WORD_PC]);
	} else {
		return E_INVALID_OP;
	}
	return MSG_FAULT_STOP;
}

static int request(void *ctx, struct rpc_request *rq)
{
	(void)ctx;
	if (rq->gate_label == LABEL_CONSOLE)
		return shell_request(rq);
	struct rtcr_child *c = child_by_pager(rq->gate_label);
	if (c)
		return pager_request(c, rq);
	return session_dispatch(rq);
}

/* How long the next wait may last: until the next thing a poller has due
 * (a timer, a scheduled checkpoint or migration step, the next copy step
 * of a checkpoint after a tick the children have for themselves). */
static uint32_t wait_timeout(uint64_t now)
{
	uint64_t next = loop_due(now);
	if (!next)
		return TIMEOUT_NEVER;
	if (next <= now)
		return TIMEOUT_POLL;
	return next - now < 0x7fffffffu ? (uint32_t)(next - now) : 0x7fffffffu;
}

static struct rpc_server server = { .fallback = request };

/* Serve what the children started at boot ask for until they are quiet
 * (20 ms without a request), so their first lines come before the prompt. */
static void settle_children(void)
{
	while (rpc_server_once(&server, 20000) == E_OK)
		;
}

static void serve(void)
{
	for (;;) {
		uint64_t now = k_time_us();
		boot_id_stir(now);   /* when requests come makes this boot's identity */
		loop_run(now);
		rpc_server_once(&server, wait_timeout(now));
	}
}

int main(uint32_t arg)
{
	const struct bootinfo *bi = (const struct bootinfo *)(uintptr_t)arg;
	if (bi->magic != BOOTINFO_MAGIC) {
		printf("rtcr: bad boot info\n");
		return 1;
	}
	pages_init(bi->ram_va, bi->ram_size);
	children_init(bi);
	sessions_init();
	/* The loop's order each turn: timers, checkpoints, migrations, then
	 * the drivers learn of everything those queued. */
	services_init();
	ckpt_init();
	migration_init();
	endpoints_init();
	console_init();
	printf("rtcr: root task on %s, %u KiB RAM, %u KiB kernel memory, %u boot modules\n",
	       bi->board, bi->ram_size / 1024, bi->kmem_quota / 1024, bi->module_count);
	children_start_all(console_started);
	settle_children();
#ifdef CONFIG_BENCH
	/* The checkpoint benchmark image (make bench): no console; the driver
	 * (rtcr/bench.c) runs its children through this server and stops the
	 * machine when it is done. */
	void bench_run(struct rpc_server *srv);
	bench_run(&server);
#endif
	if (shell_start() != E_OK) {
		printf("rtcr: cannot start the console\n");
		return 1;
	}
	serve();
	return 0;
}

/*
 * Checkpoints of a child, in two phases.
 *
 * The pause: the child's threads are stopped (a thread blocked in a system
 * call is left to make that call again), their registers and UTCBs read,
 * its capability space and session state recorded, and the pages to save
 * (all of them the first time, afterwards those the kernel's dirty log
 * names) are write-protected and marked copy-pending. Then the child runs
 * again. Nothing in the pause depends on how much memory the child has.
 *
 * The copy: RTCR writes the pages into the image while the child runs. A
 * page the child wants to write before it was copied reaches RTCR as a
 * page fault; RTCR copies it first and lets the write go on. So the image
 * holds every page as it was at the pause.
 */
#ifndef RTCR_CKPT_H
#define RTCR_CKPT_H

#include <stdint.h>
#include <stdbool.h>
#include "child.h"

/* Register with the children (page touched, map changing, gone) and the
 * main loop (periodic checkpoints, the copy in steps). */
void ckpt_init(void);
/* The child is about to be able to change page: copy it first if a
 * checkpoint still needs it. */
void ckpt_page_touch(struct rtcr_child *c, uint32_t page);
/* Finish a checkpoint of c that is still copying (before its memory map
 * changes). */
void ckpt_settle(struct rtcr_child *c);
/* The child goes: no more checkpoints of it (its images stay). */
void ckpt_forget_child(struct rtcr_child *c);

/* For the main loop. */
bool ckpt_busy(void);                 /* a copy is under way */
void ckpt_copy_step(void);            /* copy some more pages */
uint32_t ckpt_step_wait_us(void);     /* how long to let children run between steps */
uint64_t ckpt_next_due(void);         /* next periodic checkpoint, 0: none */
void ckpt_run_due(uint64_t now);

/* Take a checkpoint now; *image_id gets its id. The copy goes on in the
 * background. Returns an enum k_error, with *why saying what failed. */
int ckpt_take(struct rtcr_child *c, uint32_t *image_id, const char **why);
/* The same, with options: full forces a full image; keep_stopped leaves
 * the child's threads stopped after the pause (the copy is done before it
 * returns), and stopped gets which threads the pause stopped (bit n =
 * thread n), for the caller to resume. block_crc (block_max entries): the
 * CRC of each CKPT_CRC_BLOCK bytes of the image goes there too, and the
 * image's crc_blocks says whether it fitted. */
struct ckpt_opts {
	bool full;
	bool keep_stopped;
	uint32_t stopped;
	uint32_t *block_crc;
	uint32_t block_max;
};
int ckpt_take_opts(struct rtcr_child *c, struct ckpt_opts *o, uint32_t *image_id,
		   const char **why);
/* The console's `ckpt <task>`: take one and report when it is complete
 * (the console waits: ckpt_pending_report). */
void ckpt_command(struct rtcr_child *c);
bool ckpt_pending_report(void);       /* true while the console should wait */
/* every_ms 0: stop. Returns the period it had (0: none). */
uint32_t ckpt_schedule(struct rtcr_child *c, uint32_t every_ms);
void ckpt_print_dirty(struct rtcr_child *c);
void ckpt_print_stats(void);

#ifdef CONFIG_BENCH
/* Benchmark builds only (make bench, rtcr/bench.c). The PMU cycle counter,
 * which the benchmark kernel lets user mode read and which counts guest
 * instructions under QEMU -icount shift=0. */
static inline uint32_t bench_counter(void)
{
	uint32_t v;
	__asm__ volatile("mrc p15, 0, %0, c9, c13, 0" : "=r"(v));
	return v;
}
/* The counter where ckpt_take stopped the child's threads and where it let
 * them run again: the pause as the child sees it, without the rest of
 * ckpt_take (starting the image), which the child does not wait for. And
 * how many checkpoints were taken (periodic ones too). */
struct ckpt_bench_stamps {
	uint32_t pause_begin, pause_end;
	uint32_t taken;
};
extern struct ckpt_bench_stamps ckpt_bench;
#endif

#endif

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
#include "core.h"
#include "error.h"

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
 * background. Fails with E_INVALID_STATE (the task is still arriving),
 * E_INVALID_OP (it drives a network link), R_NO_ROOM (no room for its
 * state, its pages or capabilities, or the image) or the kernel's code of
 * a step of the pause; the detail says what failed. */
rtcr_err ckpt_take(struct rtcr_child *c, uint32_t *image_id, struct rtcr_detail *d);
/* The same, with options: full forces a full image; keep_stopped leaves
 * the child's threads stopped after the pause (the copy is done before it
 * returns), and stopped gets which threads the pause stopped (bit n =
 * thread n), for the caller to resume. block_crc (block_max entries): the
 * CRC of each CKPT_CRC_BLOCK bytes of the image goes there too, and the
 * image's crc_blocks says whether it fitted. asked: a person waits for
 * this one (the console's `ckpt <task>`): its event says so, and
 * ckpt_pending_report is true until its copy is done. */
struct ckpt_opts {
	bool full;
	bool keep_stopped;
	uint32_t stopped;
	uint32_t *block_crc;
	uint32_t block_max;
	bool asked;
};
rtcr_err ckpt_take_opts(struct rtcr_child *c, struct ckpt_opts *o, uint32_t *image_id,
			struct rtcr_detail *d);
bool ckpt_pending_report(void);       /* true while an asked-for copy goes on */
/* every_ms 0: stop. Returns the period it had (0: none). */
uint32_t ckpt_schedule(struct rtcr_child *c, uint32_t every_ms);

/* A complete checkpoint, as the console reports it. */
struct ckpt_report {
	uint32_t image_id, task_id;
	char name[CHILD_NAME_MAX];
	bool full;
	uint32_t pages, bytes, pause_us;
};

/* What happens to checkpoints after ckpt_take returned: told to the one
 * listener (ckpt_listen). */
enum ckpt_event_kind {
	CKPT_COMPLETE,   /* an image is complete: report */
	CKPT_LOST,       /* an image's copy failed: report.image_id, .task_id; err, detail */
	CKPT_FAILED,     /* a periodic checkpoint was not taken: report.task_id; err, detail */
};
struct ckpt_event {
	enum ckpt_event_kind kind;
	bool asked;                  /* CKPT_COMPLETE: ckpt_opts.asked */
	struct ckpt_report report;
	rtcr_err err;
	struct rtcr_detail detail;
};
/* fn hears every event from now on (NULL: nobody). */
void ckpt_listen(void (*fn)(const struct ckpt_event *e));

/* The pages of c written since its last checkpoint: whether it has one
 * whose writes are tracked, and its image id (0 if that image failed). */
bool ckpt_dirty_since(const struct rtcr_child *c, uint32_t *image_id);
/* Those pages one by one (the kernel's dirty bits, read without clearing
 * them), from a zeroed cursor: false after the last. */
struct ckpt_dirty_cursor {
	unsigned region;
	uint32_t page;
};
bool ckpt_dirty_next(struct rtcr_child *c, struct ckpt_dirty_cursor *at, uint32_t *va);

/* What the checkpoints so far did (since boot). */
struct ckpt_stats {
	uint32_t taken, full, failed;
	uint32_t last_pause_us, max_pause_us;
	uint32_t last_pages;
	uint64_t pages_copied, pages_early, pages_zero;
};
void ckpt_stats(struct ckpt_stats *out);

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

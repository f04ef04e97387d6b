/*
 * Checkpoint benchmarks (make bench; built only into rtcr-bench.elf, with
 * CONFIG_BENCH). RTCR runs the benchmark child (tests/children/ckptbench)
 * instead of the console and counts instructions with the PMU cycle
 * counter, which under QEMU -icount shift=0 counts guest instructions:
 *
 *   - the pause and the total (pause + every page copied into the image)
 *     of a full checkpoint and of increments with a given number of dirty
 *     pages, for dataspaces of 1, 4 and 16 MiB;
 *   - a restore from a full image and one increment;
 *   - how much longer a child that writes its memory all the time runs
 *     with dirty tracking (and checkpoints) than without.
 *
 * The copy runs to its end right after the pause (ckpt_copy_step until
 * the job is done), not a batch a tick as the console's RTCR does it, so
 * the total is the work, not the time the child was let run meanwhile.
 * Output: "bench:" lines in the format tools/bench.py reads.
 */
#include "checkpoint.h"
#include "core.h"
#include "shell.h"
#include "store.h"
#include "format.h"
#include "pages.h"
#include "stdio.h"
#include "string.h"
#include "../tests/children/ckptbench/protocol.h"

#define REPS         5u       /* samples of each checkpoint figure */
#define RESTORE_REPS 3u
#define POLL_US      2000u    /* how often RTCR looks whether the child is done */
#define FIXED_DIRTY  256u     /* dirty pages of the increment every size has */
#define WORK_PAGES   1024u    /* the write-heavy child: 4 MiB */
#define WORK_ROUNDS  4u       /* it writes all of it this often */
#define BACKGROUND_ROUNDS 64u /* and this often with periodic checkpoints */
#define BACKGROUND_MS 100u    /* their period */

static struct rpc_server *server;
static unsigned failures;

struct bchild {
	struct rtcr_child *c;
	uint32_t gate;            /* the child's gate, in RTCR's space */
	uint32_t pages;
};

static void report(const char *name, uint32_t *s, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && s[j - 1] > s[j]; j--) {
			uint32_t t = s[j];
			s[j] = s[j - 1];
			s[j - 1] = t;
		}
	printf("bench: %s median %u min %u max %u n %u overhead 0\n", name, (unsigned)s[n / 2],
	       (unsigned)s[0], (unsigned)s[n - 1], n);
}

static void report1(const char *name, uint32_t v)
{
	report(name, &v, 1);
}

static void fail(const char *what, int st)
{
	printf("bench: error: %s: %s\n", what, k_error_name((unsigned)st));
	failures++;
}

/* The child waits for its next request (E_OK), still works or waits for
 * RTCR (E_BUSY), or will never ask for anything again (stopped by a
 * fault, or its main returned: E_INVALID_STATE). */
static int child_state(struct rtcr_child *c)
{
	struct k_thread_info ti;
	if (k_thread_info(c->threads[0].sel, &ti) != E_OK)
		return E_INVALID_STATE;
	if (ti.state == TS_READY || ti.state == TS_RUNNING ||
	    (ti.state == TS_BLOCKED && ti.wait != WAIT_RECEIVE && ti.wait != WAIT_TIMEOUT))
		return E_BUSY;
	return ti.state == TS_BLOCKED && ti.wait == WAIT_RECEIVE ? E_OK : E_INVALID_STATE;
}

/* Answer the child, and take the checkpoints that fall due (copying them
 * a batch a tick, as RTCR's main loop does), until it waits again. */
static int serve_until_waiting(struct rtcr_child *c)
{
	int st;
	while ((st = child_state(c)) == E_BUSY) {
		uint64_t now = k_time_us();
		ckpt_run_due(now);
		uint64_t due = ckpt_next_due();
		uint32_t wait = ckpt_busy() ? ckpt_step_wait_us() : POLL_US;
		if (due && due < now + wait)
			wait = due > now ? (uint32_t)(due - now) : TIMEOUT_POLL;
		rpc_server_once(server, wait);
		if (ckpt_busy())
			ckpt_copy_step();
	}
	return st;
}

static int call(struct bchild *b, uint32_t op, uint32_t a0, uint32_t a1, uint32_t *out,
		unsigned nout)
{
	uint32_t in[2] = { a0, a1 };
	return rpc_call(b->gate, op, in, 2, out, nout, NULL, TIMEOUT_NEVER);
}

/* A request the child carries out after its reply: wait for it to finish. */
static int call_async(struct bchild *b, uint32_t op, uint32_t a0, uint32_t a1, uint32_t *span)
{
	uint32_t r[3];
	int st = call(b, op, a0, a1, NULL, 0);
	if (st || (st = serve_until_waiting(b->c)) != E_OK)
		return st;
	if ((st = call(b, CB_RESULT, 0, 0, r, 3)) != E_OK)
		return st;
	if (span)
		*span = r[1];
	return (int)r[0];
}

static bool child_start(struct bchild *b, uint32_t pages)
{
	memset(b, 0, sizeof(*b));
	struct rtcr_detail d = { "" };
	rtcr_err e = children_start("ckptbench", 0, &b->c, &d);
	console_started("ckptbench", e, b->c, &d);
	if (e != E_OK) {
		failures++;
		return false;
	}
	int st = serve_until_waiting(b->c);
	for (unsigned i = 0; i < SESSIONS_MAX && !b->gate; i++) {
		struct session *s = session_at(i);
		if (s && s->child == b->c && s->kind == CKPT_SESSION_GATE)
			b->gate = s->gate_sel;
	}
	if (st == E_OK)
		st = b->gate ? call_async(b, CB_SETUP, pages, 0, NULL) : E_NOT_FOUND;
	if (st) {
		fail("child setup", st);
		child_destroy(b->c);
		return false;
	}
	b->pages = pages;
	return true;
}

/* Every image there is. */
static void drop_images(void)
{
	const struct image *im;
	while ((im = image_next(0)))
		image_drop(image_find(im->id));
}

struct figures {
	uint32_t pause, total, pages, image;
};

/* One checkpoint, its copy finished at once; full or not as expected. */
static bool checkpoint(struct bchild *b, struct figures *f, bool full)
{
	struct rtcr_detail why = { "" };
	uint32_t t0 = bench_counter();
	rtcr_err st = ckpt_take(b->c, &f->image, &why);
	while (st == E_OK && ckpt_busy())
		ckpt_copy_step();
	uint32_t t1 = bench_counter();
	struct image *im = st == E_OK ? image_find(f->image) : NULL;
	if (!im || !im->complete) {
		printf("bench: error: checkpoint: %s\n",
		       st ? rtcr_error_text(st, &why) : "image lost");
		failures++;
		return false;
	}
	f->pause = ckpt_bench.pause_end - ckpt_bench.pause_begin;
	f->total = t1 - t0;
	f->pages = im->npages;
	if (im->full != full) {
		printf("bench: error: checkpoint %u is %s\n", (unsigned)f->image,
		       im->full ? "full" : "incremental");
		failures++;
		return false;
	}
	return true;
}

static bool dirty(struct bchild *b, uint32_t pages, uint32_t stamp)
{
	int st = call(b, CB_DIRTY, pages, stamp, NULL, 0);
	if (st)
		fail("dirtying pages", st);
	return st == E_OK;
}

/* ---- pause and total, by size and dirty pages ---------------------------------- */

#define LEVELS 5u
static const char *const level_names[LEVELS] = { "0pct", "1pct", "10pct", "100pct", "256p" };

static uint32_t level_pages(uint32_t pages, unsigned level)
{
	static const uint32_t pct[] = { 0, 1, 10, 100 };
	return level < 4 ? (pages * pct[level] + 99) / 100 : FIXED_DIRTY;
}

static uint32_t pause_s[LEVELS + 1][REPS], total_s[LEVELS + 1][REPS], pages_s[LEVELS + 1][REPS];

static void report_level(const char *size, const char *level, unsigned i, unsigned n)
{
	char name[48];
	fmt_snprintf(name, sizeof(name), "ckpt_pause_%s_%s", size, level);
	report(name, pause_s[i], n);
	fmt_snprintf(name, sizeof(name), "ckpt_total_%s_%s", size, level);
	report(name, total_s[i], n);
	fmt_snprintf(name, sizeof(name), "ckpt_pages_%s_%s", size, level);
	report(name, pages_s[i], n);
}

/* A full checkpoint (no image to build on), then one increment per level
 * of dirty pages, each building on the one before: a chain of six, short
 * enough that RTCR does not fold it (IMAGE_CHAIN_MAX). */
static void bench_checkpoints(struct bchild *b, const char *size)
{
	unsigned n = 0;
	for (unsigned rep = 0; rep < REPS; rep++, n++) {
		struct figures f;
		drop_images();
		if (!checkpoint(b, &f, true))
			return;
		pause_s[0][rep] = f.pause;
		total_s[0][rep] = f.total;
		pages_s[0][rep] = f.pages;
		for (unsigned l = 0; l < LEVELS; l++) {
			if (!dirty(b, level_pages(b->pages, l), rep * LEVELS + l + 2) ||
			    !checkpoint(b, &f, false))
				return;
			pause_s[l + 1][rep] = f.pause;
			total_s[l + 1][rep] = f.total;
			pages_s[l + 1][rep] = f.pages;
		}
	}
	report_level(size, "full", 0, n);
	for (unsigned l = 0; l < LEVELS; l++)
		report_level(size, level_names[l], l + 1, n);
}

/* ---- restore --------------------------------------------------------------------- */

/* The restored child holds what the original held at the checkpoint (the
 * original has not run since). */
static bool same_memory(struct rtcr_child *a, struct rtcr_child *b)
{
	for (unsigned i = 0; i < CHILD_REGIONS_MAX; i++) {
		struct region *r = &a->regions[i], *q;
		if (r->used && (!(q = child_region_at(b, r->va)) || q->pages != r->pages ||
				memcmp(r->mem, q->mem, (size_t)r->pages * PAGE_SIZE)))
			return false;
	}
	return true;
}

static void bench_restore(struct bchild *b, const char *size)
{
	uint32_t s[RESTORE_REPS];
	unsigned n = 0;
	char name[32];
	for (unsigned rep = 0; rep < RESTORE_REPS; rep++) {
		struct figures f;
		struct rtcr_child *copy = NULL;
		struct rtcr_detail why = { "" };
		drop_images();
		if (!checkpoint(b, &f, true) ||
		    !dirty(b, level_pages(b->pages, 2), 0x5e5e0000u + rep) || !checkpoint(b, &f, false))
			return;
		uint32_t t0 = bench_counter();
		rtcr_err st = restore_image(f.image, &copy, &why);
		uint32_t t1 = bench_counter();
		if (st) {
			printf("bench: error: restore: %s\n", rtcr_error_text(st, &why));
			failures++;
			return;
		}
		if (!same_memory(b->c, copy)) {
			printf("bench: error: the restored child's memory differs\n");
			failures++;
		}
		child_destroy(copy);
		s[n++] = t1 - t0;
	}
	fmt_snprintf(name, sizeof(name), "restore_%s", size);
	report(name, s, n);
}

/* ---- a write-heavy child, tracked or not ----------------------------------------- */

/* rounds rounds of writing every word of the dataspace, in calls of every
 * rounds each; with checkpoints, one after each call (copied at once, its
 * instructions added to *ckpt). Returns the child's instructions. */
static uint32_t work(struct bchild *b, uint32_t rounds, uint32_t every, bool checkpoints,
		     uint32_t *ckpt)
{
	uint32_t sum = 0;
	*ckpt = 0;
	for (uint32_t done = 0; done < rounds; done += every) {
		uint32_t span;
		struct figures f;
		int st = call_async(b, CB_WORK, b->pages, every, &span);
		if (st) {
			fail("work", st);
			return 0;
		}
		sum += span;
		if (checkpoints && checkpoint(b, &f, false))
			*ckpt += f.total;
	}
	return sum;
}

/* The same work untracked (before the child's first checkpoint) and
 * tracked (after it), with an incremental checkpoint after every round or
 * every WORK_ROUNDS rounds; the chains stay shorter than IMAGE_CHAIN_MAX,
 * so no folding adds to a checkpoint's figures. */
static void bench_tracking(void)
{
	static const uint32_t intervals[] = { 1, WORK_ROUNDS };
	struct bchild b;
	struct figures f;
	char name[48];
	uint32_t ckpt, span;
	if (!child_start(&b, WORK_PAGES))
		return;
	/* What the figures below are of, for the report (tools/bench.py). */
	report1("work_pages", WORK_PAGES);
	report1("work_rounds", WORK_ROUNDS);
	report1("work_background_rounds", BACKGROUND_ROUNDS);
	report1("work_background_period_ms", BACKGROUND_MS);
	report1("work_untracked", work(&b, WORK_ROUNDS, WORK_ROUNDS, false, &ckpt));
	report1("work_untracked_long", work(&b, BACKGROUND_ROUNDS, BACKGROUND_ROUNDS, false, &ckpt));
	for (unsigned i = 0; i < sizeof(intervals) / sizeof(intervals[0]); i++) {
		drop_images();
		if (!checkpoint(&b, &f, true))   /* a new chain; tracking on from the first */
			return;
		uint32_t tracked = work(&b, WORK_ROUNDS, intervals[i], true, &ckpt);
		fmt_snprintf(name, sizeof(name), "work_tracked_every%u", (unsigned)intervals[i]);
		report1(name, tracked);
		fmt_snprintf(name, sizeof(name), "work_ckpts_every%u", (unsigned)intervals[i]);
		report1(name, ckpt);
	}
	/* As RTCR runs it: periodic checkpoints, copied a batch a tick while
	 * the child goes on writing (pages it reaches first are copied when
	 * it faults on them). The span covers everything the CPU did. */
	drop_images();
	if (!checkpoint(&b, &f, true))
		return;
	uint32_t before = ckpt_bench.taken;
	ckpt_schedule(b.c, BACKGROUND_MS);
	int st = call_async(&b, CB_WORK, b.pages, BACKGROUND_ROUNDS, &span);
	ckpt_schedule(b.c, 0);
	ckpt_settle(b.c);
	if (st) {
		fail("work", st);
		return;
	}
	report1("work_background", span);
	report1("work_background_ckpts", ckpt_bench.taken - before);
	child_destroy(b.c);
	drop_images();
}

/* What one page costs the image besides its record: the copy, and the
 * image's CRC, which the writer computes over all of it at the end and a
 * restore checks again. */
static void bench_page_costs(void)
{
	static uint8_t from[PAGE_SIZE], to[PAGE_SIZE];
	uint32_t crc[REPS], copy[REPS];
	for (unsigned i = 0; i < REPS; i++) {
		from[i] = (uint8_t)i;
		uint32_t t0 = bench_counter();
		uint32_t sum = ckpt_crc32(0, from, PAGE_SIZE);
		uint32_t t1 = bench_counter();
		__asm__ volatile("" :: "r"(sum));   /* the CRC is computed here, not moved */
		memcpy(to, from, PAGE_SIZE);
		uint32_t t2 = bench_counter();
		crc[i] = t1 - t0;
		copy[i] = t2 - t1;
	}
	report("page_crc32", crc, REPS);
	report("page_memcpy", copy, REPS);
}

void bench_run(struct rpc_server *srv)
{
	static const struct { uint32_t pages; const char *name; } sizes[] = {
		{ 256, "1M" }, { 1024, "4M" }, { 4096, "16M" },
	};
	server = srv;
	printf("bench: checkpoint benchmarks, %u KiB free\n", pages_free_count() * 4);
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct bchild b;
		if (!child_start(&b, sizes[i].pages))
			continue;
		bench_checkpoints(&b, sizes[i].name);
		bench_restore(&b, sizes[i].name);
		child_destroy(b.c);
		drop_images();
	}
	bench_tracking();
	bench_page_costs();
	printf(failures ? "bench: failed (%u errors)\n" : "bench: done\n", failures);
	k_shutdown(SEL_PLATFORM, failures ? 1 : 0);
}

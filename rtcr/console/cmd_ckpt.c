/*
 * The console's checkpoint commands: ckpt, dirty, restore, stats, and the
 * lines about checkpoints that come later (a copy done, an image lost, a
 * periodic checkpoint that could not be taken).
 */
#include "commands.h"
#include "stdio.h"
#include "string.h"
#include "fmt.h"
#include "sys.h"
#include "pages.h"
#include "checkpoint.h"
#include "store.h"
#include "migration.h"

#define CKPT_USAGE "ckpt <task> [every <ms>|stop]"

/* Only the checkpoints a person asked for get their line: periodic ones
 * and a migration's rounds are seen in `images` and `stats`. */
static void ckpt_heard(const struct ckpt_event *e)
{
	const struct ckpt_report *r = &e->report;
	char prefix[48];
	switch (e->kind) {
	case CKPT_COMPLETE:
		if (e->asked)
			printf("checkpoint %u of task %u (%s): %s, %u pages, %u bytes, pause %u us\n",
			       (unsigned)r->image_id, (unsigned)r->task_id, r->name,
			       r->full ? "full" : "incremental", (unsigned)r->pages,
			       (unsigned)r->bytes, (unsigned)r->pause_us);
		break;
	case CKPT_LOST:
		printf("ckpt: image %u of task %u lost: %s\n", (unsigned)r->image_id,
		       (unsigned)r->task_id, rtcr_error_text(e->err, &e->detail));
		break;
	case CKPT_FAILED:
		fmt_snprintf(prefix, sizeof(prefix), "ckpt %u", (unsigned)r->task_id);
		say_error(prefix, e->err, &e->detail);
		break;
	}
}

void cmd_ckpt_init(void)
{
	ckpt_listen(ckpt_heard);
}

/* Its line comes with the event when the copy is done (the reader waits
 * for it: ckpt_pending_report). */
static void ckpt_now(struct rtcr_child *c)
{
	struct ckpt_opts o = { .asked = true };
	struct rtcr_detail d = { "" };
	char prefix[24];
	uint32_t id;
	rtcr_err e = ckpt_take_opts(c, &o, &id, &d);
	if (e) {
		fmt_snprintf(prefix, sizeof(prefix), "ckpt %u", (unsigned)c->id);
		say_error(prefix, e, &d);
	}
}

void cmd_ckpt(int argc, char **argv)
{
	uint32_t ms = 0;
	bool every = argc == 4 && strcmp(argv[2], "every") == 0;
	if ((argc == 3 && strcmp(argv[2], "stop") != 0) ||
	    (argc == 4 && (!every || !parse_u32(argv[3], &ms) || ms == 0))) {
		printf("usage: %s\n", CKPT_USAGE);
		return;
	}
	struct rtcr_child *c = child_arg(argv[1], CKPT_USAGE);
	if (!c)
		return;
	if (argc == 2) {
		ckpt_now(c);
	} else if (every) {
		if (ms > 3600000u) {
			printf("ckpt: period of at most 3600000 ms\n");
			return;
		}
		ckpt_schedule(c, ms);
		printf("checkpointing task %u every %u ms\n", (unsigned)c->id, (unsigned)ms);
	} else if (ckpt_schedule(c, 0)) {
		printf("no more periodic checkpoints of task %u\n", (unsigned)c->id);
	} else {
		printf("task %u has no periodic checkpoints\n", (unsigned)c->id);
	}
}

void cmd_dirty(int argc, char **argv)
{
	(void)argc;
	struct rtcr_child *c = child_arg(argv[1], "dirty <task>");
	struct ckpt_dirty_cursor at = { 0 };
	uint32_t since, va;
	unsigned total = 0;
	if (!c)
		return;
	if (!ckpt_dirty_since(c, &since)) {
		printf("task %u: no checkpoint yet, every page counts as written\n",
		       (unsigned)c->id);
		return;
	}
	printf("pages of task %u written since checkpoint %u:\n", (unsigned)c->id,
	       (unsigned)since);
	while (ckpt_dirty_next(c, &at, &va)) {
		printf("  %08x\n", (unsigned)va);
		total++;
	}
	printf("%u pages\n", total);
}

void cmd_restore(int argc, char **argv)
{
	(void)argc;
	uint32_t id;
	struct rtcr_child *c = NULL;
	struct rtcr_detail d = { "" };
	char prefix[24];
	if (!parse_u32(argv[1], &id)) {
		printf("usage: restore <image>\n");
		return;
	}
	if (!image_find(id)) {
		printf("no image %u\n", (unsigned)id);
		return;
	}
	rtcr_err e = restore_image(id, &c, &d);
	if (e) {
		fmt_snprintf(prefix, sizeof(prefix), "restore %u", (unsigned)id);
		say_error(prefix, e, &d);
		return;
	}
	printf("restored image %u as task %u (%s)\n", (unsigned)id, (unsigned)c->id, c->name);
	shell_settle(c->threads[0].sel);
}

void cmd_stats(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	struct ckpt_stats s;
	uint32_t quota = 0, used = 0;
	ckpt_stats(&s);
	k_factory_info(SEL_FACTORY, &quota, &used);
	printf("checkpoints %u (full %u, failed %u), last pause %u us, longest pause %u us\n",
	       (unsigned)s.taken, (unsigned)s.full, (unsigned)s.failed,
	       (unsigned)s.last_pause_us, (unsigned)s.max_pause_us);
	printf("pages copied %u (all zero %u, copied before the child wrote them %u), "
	       "last checkpoint %u pages\n", (unsigned)s.pages_copied,
	       (unsigned)s.pages_zero, (unsigned)s.pages_early, (unsigned)s.last_pages);
	printf("kernel memory in use %u of %u bytes, user memory free %u KiB\n", (unsigned)used,
	       (unsigned)quota, pages_free_count() * (PAGE_SIZE / 1024));
	print_receiver_stats();
}

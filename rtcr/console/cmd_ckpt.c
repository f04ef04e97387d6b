/*
 * The console's checkpoint commands: ckpt, dirty, restore, stats.
 */
#include "commands.h"
#include "stdio.h"
#include "string.h"
#include "ckpt.h"
#include "restore.h"
#include "migrate.h"

#define CKPT_USAGE "ckpt <task> [every <ms>|stop]"

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
		ckpt_command(c);
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
	if (c)
		ckpt_print_dirty(c);
}

void cmd_restore(int argc, char **argv)
{
	(void)argc;
	uint32_t id;
	if (!parse_u32(argv[1], &id)) {
		printf("usage: restore <image>\n");
		return;
	}
	struct rtcr_child *c = restore_command(id);
	if (c)
		shell_settle(c->threads[0].sel);
}

void cmd_stats(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ckpt_print_stats();
	print_receiver_stats();
}

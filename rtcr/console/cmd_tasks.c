/*
 * The console's task commands: ps, uptime, caps, start, kill, resume, and
 * how a command names a task.
 */
#include "commands.h"
#include "shell.h"
#include "sys.h"
#include "stdio.h"
#include "string.h"
#include "core.h"
#include "migration.h"

static unsigned thread_count(uint32_t task)
{
	struct k_thread_info ti;
	unsigned n = 0;
	for (uint32_t i = 0; k_sched_thread_info(SEL_SCHED, i, &ti) == E_OK; i++)
		n += ti.task == task;
	return n;
}

static void print_task(uint32_t id, const char *name, bool arriving)
{
	printf("%4u %-15s %7u%s\n", (unsigned)id, name, thread_count(id),
	       arriving ? " (arriving: not running yet)" : "");
}

void cmd_ps(int argc, char **argv)
{
	struct k_thread_info ti;
	uint32_t own;
	(void)argc;
	(void)argv;
	printf("%4s %4s %-9s %4s %s\n", "ID", "TASK", "STATE", "PRIO", "NAME");
	for (uint32_t i = 0; k_sched_thread_info(SEL_SCHED, i, &ti) == E_OK; i++) {
		char task[12];
		if (ti.task)
			fmt_snprintf(task, sizeof(task), "%u", (unsigned)ti.task);
		else
			strlcpy(task, "-", sizeof(task));
		printf("%4u %4s %-9s %4u %s\n", (unsigned)ti.id, task, thread_state_name(ti.state),
		       (unsigned)ti.prio, ti.name[0] ? ti.name : "-");
	}
	printf("\nTASK NAME            THREADS\n");
	if (k_task_info(SEL_TASK, &own) == E_OK)
		print_task(own, "rtcr", false);
	for (unsigned i = 0; i < CHILDREN_MAX; i++) {
		struct rtcr_child *c = child_at(i);
		if (c)
			print_task(c->id, c->name, c->arriving);
	}
}

void cmd_uptime(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	uint64_t us = k_time_us();
	printf("up %u.%06u s\n", (unsigned)(us / 1000000u), (unsigned)(us % 1000000u));
}

/* The task named by a command's argument, or false after saying why. */
static bool task_arg(const char *arg, const char *usage, struct rtcr_task *t)
{
	uint32_t id;
	if (!parse_u32(arg, &id)) {
		printf("usage: %s\n", usage);
		return false;
	}
	if (!tasks_find(id, t)) {
		printf("no task %u\n", (unsigned)id);
		return false;
	}
	return true;
}

/* A child named by a command's argument (not RTCR itself). */
struct rtcr_child *child_arg(const char *arg, const char *usage)
{
	struct rtcr_task t;
	if (!task_arg(arg, usage, &t))
		return NULL;
	if (!t.child)
		printf("task %u is rtcr itself\n", (unsigned)t.id);
	return t.child;
}

/*
 * In the manner of Fiasco's JDB: the selector of the first slot of a row
 * (%06x), four slots per row, each cell <object id>-<type>:<rights> or '-'.
 * tools/ckpt-decode prints a checkpoint's capabilities the same way.
 */
#define CAPS_PER_ROW 4

static void cap_cell(const struct k_cap_info *ci, char *cell, size_t size)
{
	fmt_snprintf(cell, size, "%u-%s:%c%c%c", (unsigned)ci->obj_id, kobj_type_name(ci->type),
		     ci->rights & RIGHT_READ ? 'r' : '-', ci->rights & RIGHT_WRITE ? 'w' : '-',
		     ci->rights & RIGHT_GRANT ? 'g' : '-');
}

void cmd_caps(int argc, char **argv)
{
	(void)argc;
	struct rtcr_task t;
	if (!task_arg(argv[1], "caps <task>", &t))
		return;
	printf("capabilities of task %u (%s):\n", (unsigned)t.id, t.name);
	struct k_cap_info ci;
	int st = k_task_cap_info(t.task_sel, 0, &ci);
	while (st == E_OK) {
		uint32_t row = ci.sel - ci.sel % CAPS_PER_ROW;
		printf("%06x", (unsigned)row);
		for (uint32_t s = row; s < row + CAPS_PER_ROW; s++) {
			char cell[32] = "-";
			if (st == E_OK && ci.sel == s) {
				cap_cell(&ci, cell, sizeof(cell));
				st = k_task_cap_info(t.task_sel, s + 1, &ci);
			}
			printf(" %-20s", cell);
		}
		printf("\n");
	}
	if (st != E_NOT_FOUND)
		say_error("error", st, NULL);
}

void console_started(const char *name, rtcr_err e, const struct rtcr_child *c,
		     const struct rtcr_detail *d)
{
	char prefix[64];
	if (e == E_OK) {
		printf("rtcr: started '%s' as task %u\n", name, (unsigned)c->id);
	} else if (e == R_NO_MODULE) {
		printf("%s\n", rtcr_error_text(e, d));   /* it lists the modules there are */
	} else {
		fmt_snprintf(prefix, sizeof(prefix), "rtcr: cannot start '%s'", name);
		say_error(prefix, e, d);
	}
}

void console_fault(const struct rtcr_child *c, const char *what, uint32_t addr, uint32_t pc)
{
	printf("rtcr: task %u (%s): %s at %08x, pc %08x: thread stopped\n", (unsigned)c->id,
	       c->name, what, (unsigned)addr, (unsigned)pc);
}

void cmd_start(int argc, char **argv)
{
	uint32_t arg = 0;
	if (argc == 3 && !parse_u32(argv[2], &arg)) {
		printf("usage: start <module> [arg]\n");
		return;
	}
	struct rtcr_child *c;
	struct rtcr_detail d = { "" };
	rtcr_err e = children_start(argv[1], arg, &c, &d);
	console_started(argv[1], e, c, &d);
	if (e == E_OK)
		shell_settle(c->threads[0].sel);
}

void cmd_kill(int argc, char **argv)
{
	(void)argc;
	struct rtcr_child *c = child_arg(argv[1], "kill <task>");
	if (!c)
		return;
	uint32_t id = c->id;
	char name[CHILD_NAME_MAX];
	strlcpy(name, c->name, sizeof(name));
	if (c->arriving) {
		/* From another board: dropped, and its sender told. */
		struct rtcr_detail d = { "" };
		rtcr_err e = receiver_drop(c, &d);
		if (e != E_OK)
			printf("%s\n", rtcr_error_text(e, &d));
		else
			printf("killed task %u (%s)\n", (unsigned)id, name);
		return;
	}
	child_destroy(c);
	printf("killed task %u (%s)\n", (unsigned)id, name);
}

void cmd_resume(int argc, char **argv)
{
	(void)argc;
	struct rtcr_child *c = child_arg(argv[1], "resume <task>");
	if (!c)
		return;
	if (!c->arriving) {
		printf("task %u is not waiting to run: only a task from another board waits\n",
		       (unsigned)c->id);
		return;
	}
	struct rtcr_detail d = { "" };
	rtcr_err e = receiver_resume(c, &d);
	if (e == E_OK)
		shell_settle(c->threads[0].sel);
	else
		printf("%s\n", rtcr_error_text(e, &d));
}

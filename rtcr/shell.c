#include "shell.h"
#include <stdbool.h>
#include "lineedit.h"
#include "sys.h"
#include "stdio.h"
#include "string.h"
#include "tasks.h"
#include "children.h"

#define MAX_ARGS 8

struct command {
	const char *name;
	const char *usage;
	const char *help;
	int min_args, max_args;     /* not counting the command itself */
	void (*run)(int argc, char **argv);
};

static void cmd_help(int argc, char **argv);
static void cmd_ps(int argc, char **argv);
static void cmd_uptime(int argc, char **argv);
static void cmd_caps(int argc, char **argv);
static void cmd_start(int argc, char **argv);
static void cmd_kill(int argc, char **argv);

static const struct command commands[] = {
	{ "help", "help", "list commands", 0, 0, cmd_help },
	{ "ps", "ps", "list threads: id, task, state, priority, name", 0, 0, cmd_ps },
	{ "uptime", "uptime", "time since boot", 0, 0, cmd_uptime },
	{ "caps", "caps <task>", "capability space of a task (rows with capabilities)", 1, 1, cmd_caps },
	{ "start", "start <module>", "start a boot module as a new child task", 1, 1, cmd_start },
	{ "kill", "kill <task>", "stop a child task and free everything it had", 1, 1, cmd_kill },
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static void cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (unsigned i = 0; i < COMMAND_COUNT; i++)
		printf("  %-16s %s\n", commands[i].usage, commands[i].help);
}

static void cmd_ps(int argc, char **argv)
{
	struct k_thread_info ti;
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
}

static void cmd_uptime(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	uint64_t us = k_time_us();
	printf("up %u.%06u s\n", (unsigned)(us / 1000000u), (unsigned)(us % 1000000u));
}

/* A decimal number that fits in 32 bits, and nothing else. */
static bool parse_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > 0xffffffffu)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* The task named by a command's argument, or NULL after saying why. */
static const struct rtcr_task *task_arg(const char *arg, const char *usage)
{
	uint32_t id;
	if (!parse_u32(arg, &id)) {
		printf("usage: %s\n", usage);
		return NULL;
	}
	const struct rtcr_task *t = tasks_find(id);
	if (!t)
		printf("no task %u\n", (unsigned)id);
	return t;
}

/*
 * In the manner of Fiasco's JDB: the selector of the first slot of a row
 * (%06x), four slots per row, each cell <object id>-<type> or '-'.
 */
#define CAPS_PER_ROW 4

static void cmd_caps(int argc, char **argv)
{
	(void)argc;
	const struct rtcr_task *t = task_arg(argv[1], "caps <task>");
	if (!t)
		return;
	printf("capabilities of task %u (%s):\n", (unsigned)t->id, t->name);
	struct k_cap_info ci;
	uint32_t next = 0;
	int st = k_task_cap_info(t->task_sel, 0, &ci);
	while (st == E_OK) {
		uint32_t row = ci.sel - ci.sel % CAPS_PER_ROW;
		printf("%06x", (unsigned)row);
		for (uint32_t s = row; s < row + CAPS_PER_ROW; s++) {
			char cell[24] = "-";
			if (st == E_OK && ci.sel == s) {
				fmt_snprintf(cell, sizeof(cell), "%u-%s", (unsigned)ci.obj_id,
					     kobj_type_name(ci.type));
				next = s + 1;
				st = k_task_cap_info(t->task_sel, next, &ci);
			}
			printf(" %-16s", cell);
		}
		printf("\n");
	}
	if (st != E_NOT_FOUND)
		printf("error: %s\n", k_error_name((unsigned)st));
}

static void cmd_start(int argc, char **argv)
{
	(void)argc;
	children_start(argv[1]);
}

static void cmd_kill(int argc, char **argv)
{
	(void)argc;
	const struct rtcr_task *t = task_arg(argv[1], "kill <task>");
	if (!t)
		return;
	uint32_t id = t->id;
	if (!t->is_child) {
		printf("task %u is rtcr itself\n", (unsigned)id);
		return;
	}
	char name[sizeof(t->name)];
	strlcpy(name, t->name, sizeof(name));
	int st = tasks_kill(id);
	if (st)
		printf("kill %u: %s\n", (unsigned)id, k_error_name((unsigned)st));
	else
		printf("killed task %u (%s)\n", (unsigned)id, name);
}

static int split(char *line, char **argv)
{
	int argc = 0;
	char *p = line;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			*p++ = 0;
		if (!*p)
			break;
		if (argc == MAX_ARGS)
			return -1;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	return argc;
}

static void execute(char *line)
{
	char *argv[MAX_ARGS];
	int argc = split(line, argv);
	if (argc < 0) {
		printf("error: too many arguments (max %d)\n", MAX_ARGS - 1);
		return;
	}
	if (argc == 0)
		return;
	for (unsigned i = 0; i < COMMAND_COUNT; i++) {
		const struct command *c = &commands[i];
		if (strcmp(argv[0], c->name) != 0)
			continue;
		if (argc - 1 < c->min_args || argc - 1 > c->max_args)
			printf("usage: %s\n", c->usage);
		else
			c->run(argc, argv);
		return;
	}
	printf("unknown command '%s' (try 'help')\n", argv[0]);
}

void shell_run(void)
{
	static struct line_editor le;
	char in[64];
	size_t n;

	le_reset(&le);
	puts("rtcr> ");
	for (;;) {
		if (k_console_read(SEL_CONSOLE, in, sizeof(in), &n, TIMEOUT_NEVER) != E_OK)
			continue;
		for (size_t i = 0; i < n; i++) {
			enum le_result r = le_feed(&le, in[i]);
			if (le.echo_len)
				k_console_write(SEL_CONSOLE, le.echo, le.echo_len);
			if (r == LE_MORE)
				continue;
			if (r == LE_LINE)
				execute(le.buf);
			else if (r == LE_TOO_LONG)
				printf("error: line too long (max %d characters)\n", LINE_MAX_CHARS);
			le_reset(&le);
			puts("rtcr> ");
		}
	}
}

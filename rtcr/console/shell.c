/*
 * The console. A reader thread edits lines (lineedit.c) and hands each one
 * to RTCR's main thread as a request; the command runs there, with every
 * other piece of RTCR's state, and the reply lets the reader prompt again.
 */
#include "shell.h"
#include <stdbool.h>
#include "lineedit.h"
#include "sys.h"
#include "stdio.h"
#include "string.h"
#include "selalloc.h"
#include "child.h"
#include "sessions.h"
#include "ckpt.h"
#include "images.h"
#include "restore.h"
#include "migrate.h"

#define MAX_ARGS 8
#define IMAGES_USAGE "images [dump <id>|load|drop <id> [chain]]"

struct command {
	const char *name;
	const char *usage;
	const char *help;
	int min_args, max_args;     /* not counting the command itself */
	void (*run)(int argc, char **argv);
};

/* Set by a command that started a child: the reader waits for the child's
 * first lines before it prompts. */
static uint32_t settle_thread;

static void cmd_help(int argc, char **argv);
static void cmd_ps(int argc, char **argv);
static void cmd_uptime(int argc, char **argv);
static void cmd_caps(int argc, char **argv);
static void cmd_start(int argc, char **argv);
static void cmd_kill(int argc, char **argv);
static void cmd_ckpt(int argc, char **argv);
static void cmd_dirty(int argc, char **argv);
static void cmd_images(int argc, char **argv);
static void cmd_restore(int argc, char **argv);
static void cmd_stats(int argc, char **argv);
static void cmd_resume(int argc, char **argv);

static const struct command commands[] = {
	{ "help", "help", "list commands", 0, 0, cmd_help },
	{ "ps", "ps", "list threads (id, task, state, priority, name), then tasks", 0, 0, cmd_ps },
	{ "uptime", "uptime", "time since boot", 0, 0, cmd_uptime },
	{ "caps", "caps <task>", "capability space of a task (rows with capabilities)", 1, 1, cmd_caps },
	{ "start", "start <module> [arg]", "start a boot module as a new child task (main gets "
	  "the number arg, or 0)", 1, 2, cmd_start },
	{ "kill", "kill <task>", "stop a child task and free everything it had", 1, 1, cmd_kill },
	{ "resume", "resume <task>", "run a task that came from another board whose go never "
	  "came", 1, 1, cmd_resume },
	{ "ckpt", "ckpt <task> [every <ms>|stop]", "checkpoint a child now, periodically, or no more",
	  1, 3, cmd_ckpt },
	{ "dirty", "dirty <task>", "pages the child wrote since its last checkpoint", 1, 1, cmd_dirty },
	{ "images", IMAGES_USAGE, "stored checkpoint images; one as base64 lines; take one "
	  "in from such lines; drop one (or it and its increments)", 0, 3, cmd_images },
	{ "restore", "restore <image>", "start a child again from a checkpoint image", 1, 1,
	  cmd_restore },
	{ "stats", "stats", "checkpoints taken, last pause, pages copied", 0, 0, cmd_stats },
	{ "migrate", MIGRATE_USAGE, "move a running child to another board", 3, 3, cmd_migrate },
	{ "peers", "peers", "the boards this one migrates to and takes tasks from", 0, 0,
	  cmd_peers },
	{ "peer", PEER_USAGE, "add, change or remove a peer", 2, 3, cmd_peer },
	{ "links", "links", "network links and what went through them", 0, 0, cmd_links },
	{ "ping", "ping <a.b.c.d> [count]", "ICMP echo through the Ethernet link", 1, 2, cmd_ping },
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static void cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (unsigned i = 0; i < COMMAND_COUNT; i++)
		printf("  %-30s %s\n", commands[i].usage, commands[i].help);
}

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

static void cmd_ps(int argc, char **argv)
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

static void cmd_uptime(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	uint64_t us = k_time_us();
	printf("up %u.%06u s\n", (unsigned)(us / 1000000u), (unsigned)(us % 1000000u));
}

/* A decimal number that fits in 32 bits, and nothing else. */
bool parse_u32(const char *s, uint32_t *out)
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

static void cmd_caps(int argc, char **argv)
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
		printf("error: %s\n", k_error_name((unsigned)st));
}

static void cmd_start(int argc, char **argv)
{
	uint32_t arg = 0;
	if (argc == 3 && !parse_u32(argv[2], &arg)) {
		printf("usage: start <module> [arg]\n");
		return;
	}
	struct rtcr_child *c = children_start(argv[1], arg);
	if (c)
		settle_thread = c->threads[0].sel;
}

static void cmd_kill(int argc, char **argv)
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
		if (receiver_drop(c) != E_OK)
			printf("task %u is arriving and cannot be dropped now\n", (unsigned)id);
		else
			printf("killed task %u (%s)\n", (unsigned)id, name);
		return;
	}
	child_destroy(c);
	printf("killed task %u (%s)\n", (unsigned)id, name);
}

#define CKPT_USAGE "ckpt <task> [every <ms>|stop]"

static void cmd_ckpt(int argc, char **argv)
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

static void cmd_dirty(int argc, char **argv)
{
	(void)argc;
	struct rtcr_child *c = child_arg(argv[1], "dirty <task>");
	if (c)
		ckpt_print_dirty(c);
}

static void cmd_images(int argc, char **argv)
{
	uint32_t id;
	const char *op = argc > 1 ? argv[1] : "";
	bool chain = argc == 4 && strcmp(argv[3], "chain") == 0;
	if (argc == 1) {
		images_list();
	} else if (argc == 2 && strcmp(op, "load") == 0) {
		images_load_begin();
	} else if (argc == 3 && strcmp(op, "dump") == 0 && parse_u32(argv[2], &id)) {
		images_dump(id);
	} else if ((argc == 3 || chain) && strcmp(op, "drop") == 0 && parse_u32(argv[2], &id)) {
		images_drop(id, chain);
	} else {
		printf("usage: %s\n", IMAGES_USAGE);
	}
}

static void cmd_restore(int argc, char **argv)
{
	(void)argc;
	uint32_t id;
	if (!parse_u32(argv[1], &id)) {
		printf("usage: restore <image>\n");
		return;
	}
	struct rtcr_child *c = restore_command(id);
	if (c)
		settle_thread = c->threads[0].sel;
}

static void cmd_resume(int argc, char **argv)
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
	if (receiver_resume(c) == E_OK)
		settle_thread = c->threads[0].sel;
}

static void cmd_stats(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ckpt_print_stats();
	receivers_list();
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

/* ---- the main thread's side ------------------------------------------------------ */

enum { SHELL_LINE = 1, SHELL_POLL };

static int shell_poll(struct rpc_request *rq);

int shell_request(struct rpc_request *rq)
{
	if (rq->op == SHELL_POLL)
		return shell_poll(rq);
	char line[LINE_MAX_CHARS + 1];
	if (rq->op != SHELL_LINE || rq->nwords < 1 || rq->words[0] > LINE_MAX_CHARS ||
	    rq->nwords < 1 + (rq->words[0] + 3) / 4)
		return E_INVALID_ARG;
	memcpy(line, &rq->words[1], rq->words[0]);
	line[rq->words[0]] = 0;
	settle_thread = SEL_NULL;
	if (images_loading())
		images_load_line(line);
	else
		execute(line);
	rq->reply[0] = settle_thread;
	rq->reply[1] = images_loading();   /* no prompt between the lines of an image */
	rq->reply[2] = shell_waits();
	rq->nreply = 3;
	return E_OK;
}

/* The console waits for a checkpoint it asked for to be complete, a
 * migration to end, pings to be answered. */
static int shell_poll(struct rpc_request *rq)
{
	rq->reply[0] = shell_waits();
	rq->nreply = 1;
	return E_OK;
}

/* ---- the reader thread ------------------------------------------------------------ */

#define READER_UTCB_VA (ROOT_UTCB_VA - PAGE_SIZE)

static uint32_t console_gate;
static uint64_t reader_stack[1024];

/* A new child prints its first lines through RTCR's main thread; give it
 * up to 100 ms to get them out (until it waits for something other than
 * RTCR), so they do not land after the prompt. */
static void settle(uint32_t thread)
{
	struct k_thread_info ti;
	for (int i = 0; i < 100; i++) {
		if (k_thread_info(thread, &ti) != E_OK)
			return;
		bool busy = ti.state == TS_READY || ti.state == TS_RUNNING ||
			    (ti.state == TS_BLOCKED && (ti.wait == WAIT_CALL || ti.wait == WAIT_REPLY ||
							 ti.wait == WAIT_SEND));
		if (!busy)
			return;
		k_sleep_us(1000);
	}
}

/* Returns whether to prompt. */
static bool run_line(const char *line)
{
	uint32_t in[1 + (LINE_MAX_CHARS + 3) / 4], out[3] = { SEL_NULL, 0, 0 };
	uint32_t len = (uint32_t)strlen(line);
	memset(in, 0, sizeof(in));
	in[0] = len;
	memcpy(&in[1], line, len);
	rpc_call(console_gate, SHELL_LINE, in, 1 + (len + 3) / 4, out, 3, NULL, TIMEOUT_NEVER);
	/* A checkpoint being copied, a migration, a ping: the children run
	 * meanwhile, RTCR reports when it is over. */
	while (out[2]) {
		k_sleep_us(1000);
		if (rpc_call(console_gate, SHELL_POLL, NULL, 0, &out[2], 1, NULL, TIMEOUT_NEVER))
			break;
	}
	if (out[0] != SEL_NULL)
		settle(out[0]);
	return !out[1];
}

static void reader(uint32_t arg)
{
	static struct line_editor le;
	char in[64];
	size_t n;
	(void)arg;

	run_line("");   /* after the lines RTCR's start-up queued */
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
			bool prompt = true;
			if (r == LE_LINE)
				prompt = run_line(le.buf);
			else if (r == LE_TOO_LONG)
				printf("error: line too long (max %d characters)\n", LINE_MAX_CHARS);
			le_reset(&le);
			if (prompt)
				puts("rtcr> ");
		}
	}
}

int shell_start(void)
{
	shell_net_init();
	uint32_t thread = sel_alloc();
	console_gate = sel_alloc();
	int st;
	if ((st = k_gate_create(SEL_FACTORY, console_gate, LABEL_CONSOLE, SEL_THREAD)) != E_OK ||
	    (st = k_factory_create(SEL_FACTORY, KOBJ_THREAD, thread, 0)) != E_OK ||
	    (st = k_thread_configure(thread, SEL_TASK, READER_UTCB_VA, PRIO_ROOT)) != E_OK ||
	    (st = k_thread_set_name(thread, "console")) != E_OK ||
	    (st = k_thread_set_regs(thread, (uint32_t)(uintptr_t)reader,
				    (uint32_t)(uintptr_t)&reader_stack[1024], 0)) != E_OK)
		return st;
	return k_thread_resume(thread);
}

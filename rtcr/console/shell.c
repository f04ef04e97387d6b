/*
 * The console. A reader thread edits lines (lineedit.c) and hands each one
 * to RTCR's main thread as a request; the command runs there, with every
 * other piece of RTCR's state, and the reply lets the reader prompt again.
 */
#include "shell.h"
#include "commands.h"
#include <stdbool.h>
#include "lineedit.h"
#include "sys.h"
#include "stdio.h"
#include "string.h"
#include "selalloc.h"
#include "core.h"
#include "store.h"

#define MAX_ARGS 8

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

void shell_settle(uint32_t thread)
{
	settle_thread = thread;
}

static void cmd_help(int argc, char **argv);

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

/* The words of line into argv, *argc of them; false if there are more
 * than MAX_ARGS. */
static bool split(char *line, char **argv, int *argc)
{
	char *p = line;
	*argc = 0;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			*p++ = 0;
		if (!*p)
			break;
		if (*argc == MAX_ARGS)
			return false;
		argv[(*argc)++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	return true;
}

static void execute(char *line)
{
	char *argv[MAX_ARGS];
	int argc;
	if (!split(line, argv, &argc)) {
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

static rtcr_err shell_poll(struct rpc_request *rq);

rtcr_err shell_request(struct rpc_request *rq)
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
		cmd_images_line(line);
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
static rtcr_err shell_poll(struct rpc_request *rq)
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

void console_init(void)
{
	cmd_net_init();
	cmd_links_init();
	cmd_ckpt_init();
}

rtcr_err shell_start(void)
{
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

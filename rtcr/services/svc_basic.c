/*
 * Services without memory or time: log, cpu (the child's own threads and
 * gates) and io_mem (device registers).
 *
 * Session words (ckpt_session args/state), per kind:
 *   log:    state[0] bytes written
 *   cpu:    -
 *   gate:   args[0] label, args[1] thread number, args[2] cpu session id
 *   io_mem: args[0] device index, args[1] va; state[0] 1 while mapped,
 *           state[1..9] the device's set-up registers (board description)
 */
#include "sessions.h"
#include "selalloc.h"
#include "stdio.h"
#include "string.h"

/* ---- log ------------------------------------------------------------------------ */

static int log_handle(struct session *s, struct rpc_request *rq)
{
	if (rq->op != LOG_WRITE)
		return E_INVALID_OP;
	if (rq->nwords < 1)
		return E_INVALID_ARG;
	uint32_t len = rq->words[0];
	if (len > LOG_WRITE_MAX || rq->nwords < 1 + (len + 3) / 4)
		return E_INVALID_ARG;
	char text[LOG_WRITE_MAX];
	memcpy(text, &rq->words[1], len);
	k_console_write(SEL_CONSOLE, text, len);
	s->state[0] += len;
	return E_OK;
}

const struct service service_log = {
	.name = "log",
	.kind = CKPT_SESSION_LOG,
	.handle = log_handle,
};

/* ---- cpu and the child's own gates ----------------------------------------------- */

static int free_thread_number(struct rtcr_child *c)
{
	for (unsigned n = 1; n < CPU_THREADS_MAX; n++)
		if (!c->threads[n].used)
			return (int)n;
	return -1;
}

static int thread_create(struct session *s, struct rpc_request *rq)
{
	struct rtcr_child *c = s->child;
	if (rq->nwords != 5)
		return E_INVALID_ARG;
	int n = free_thread_number(c);
	if (n < 0)
		return E_NO_MEMORY;
	char name[9];
	for (unsigned i = 0; i < 8; i++)
		name[i] = (char)(rq->words[3 + i / 4] >> (8 * (i % 4)));
	name[8] = 0;
	if (ckpt_name_bad(name, 8, true) >= 0)
		return E_INVALID_ARG;   /* it is printed and stored as an image holds it */
	int st = child_thread_create(c, (unsigned)n, CHILD_PRIO, name);
	if (st)
		return st;
	c->layout_changed = true;   /* a new UTCB in its address space */
	if ((st = child_thread_start(c, (unsigned)n, rq->words[0], rq->words[1], rq->words[2])) != E_OK)
		return st;
	rq->reply[0] = (uint32_t)n;
	rq->nreply = 1;
	return E_OK;
}

/* The gate's object: bound to one of the child's threads, with the
 * child's label. */
int gate_object_make(struct session *g)
{
	struct rtcr_child *c = g->child;
	uint32_t thread = g->args[1];
	if (thread >= CPU_THREADS_MAX || !c->threads[thread].used)
		return E_INVALID_ARG;
	g->gate_sel = sel_alloc();
	int st = k_gate_create(SEL_FACTORY, g->gate_sel, g->args[0], c->threads[thread].sel);
	if (st) {
		sel_free(g->gate_sel);
		g->gate_sel = SEL_NULL;
		return st;
	}
	return k_task_cap_identify(SEL_TASK, g->gate_sel, NULL, NULL, &g->gate_id);
}

static int gate_create(struct session *s, struct rpc_request *rq)
{
	if (rq->nwords != 3)
		return E_INVALID_ARG;
	uint32_t sel = rq->words[2];
	if (!child_sel_ok(sel))
		return E_INVALID_ARG;
	struct session *g = session_count(s->child) < SESSIONS_PER_CHILD ?
			    session_new(s->child, CKPT_SESSION_GATE) : NULL;
	if (!g)
		return E_NO_MEMORY;
	g->args[0] = rq->words[0];
	g->args[1] = rq->words[1];
	g->args[2] = s->id;
	int st = gate_object_make(g);
	if (st == E_OK) {
		g->cap_sel = sel;
		st = k_task_cap_map(s->child->task_sel, g->gate_sel, sel, RIGHTS_ALL);
	}
	if (st)
		session_free(g);
	return st;
}

static int cpu_handle(struct session *s, struct rpc_request *rq)
{
	switch (rq->op) {
	case CPU_THREAD_CREATE:
		return thread_create(s, rq);
	case CPU_GATE_CREATE:
		return gate_create(s, rq);
	default:
		return E_INVALID_OP;
	}
}

const struct service service_cpu = {
	.name = "cpu",
	.kind = CKPT_SESSION_CPU,
	.handle = cpu_handle,
};

const struct service service_gate = {
	.name = NULL,   /* made by a cpu session, not asked for */
	.kind = CKPT_SESSION_GATE,
	.restore = gate_object_make,
};

/* ---- io_mem --------------------------------------------------------------------- */

static const struct bootinfo_device *device(uint32_t index)
{
	const struct bootinfo *bi = children_bootinfo();
	return index < bi->device_count ? &bi->devices[index] : NULL;
}

static int io_mem_map(struct session *s)
{
	int st = rule_io_mem(children_devices(), s->args[0], s->args[1], NULL, 0);
	if (st)
		return st;
	const struct bootinfo_device *d = device(s->args[0]);
	uint32_t va = s->args[1], pages = d->size / PAGE_SIZE;
	if (!child_range_free(s->child, va, pages))
		return E_BAD_ADDRESS;
	if (device_holder(s->args[0], s->child))
		return E_BUSY;   /* a device has one holder: its registers are its driver's */
	st = k_map_io(SEL_PLATFORM, s->child->task_sel, d->phys, va, pages);
	s->state[0] = st == E_OK;   /* mapped: close unmaps it */
	return st;
}

static int io_mem_open(struct session *s, uint32_t *info, unsigned *ninfo)
{
	int st = io_mem_map(s);
	if (st)
		return st;
	const struct bootinfo_device *d = device(s->args[0]);
	info[0] = d->phys;
	info[1] = d->size / PAGE_SIZE;
	memset(&info[2], 0, 12);
	memcpy(&info[2], d->name, strnlen(d->name, sizeof(d->name)));
	*ninfo = 5;
	return E_OK;
}

/* ---- a device's set-up, kept across checkpoint and restore ---------------------- */

/* The registers that hold what a driver set up (the board description's
 * state mask) are read at each checkpoint and written back, in order, when
 * the session is rebuilt: a task restored on another board finds the
 * device as it left it (a periodic timer still running). RTCR reads them
 * through a mapping of its own, made on first use. */
#define DEVICE_STATE_MAX (CKPT_SESSION_STATE - 1)   /* state[0] is the mapped flag */

static volatile uint32_t *device_regs(uint32_t index)
{
	static bool mapped[BOOTINFO_DEVICES_MAX];
	const struct bootinfo_device *d = device(index);
	uint32_t va = ROOT_DEVICE_VA + index * 0x100000u;
	if (!d || index >= BOOTINFO_DEVICES_MAX || d->size < PAGE_SIZE)
		return NULL;
	if (!mapped[index] && k_map_io(SEL_PLATFORM, SEL_TASK, d->phys, va, 1) != E_OK)
		return NULL;
	mapped[index] = true;
	return (volatile uint32_t *)(uintptr_t)va;
}

static void io_mem_save(struct session *s)
{
	const struct bootinfo_device *d = device(s->args[0]);
	volatile uint32_t *regs = d && d->state ? device_regs(s->args[0]) : NULL;
	unsigned k = 1;
	for (unsigned n = 0; regs && n < 32 && k <= DEVICE_STATE_MAX; n++)
		if (d->state >> n & 1)
			s->state[k++] = regs[n];
}

static int io_mem_restore(struct session *s)
{
	int st = io_mem_map(s);
	const struct bootinfo_device *d = device(s->args[0]);
	volatile uint32_t *regs = st == E_OK && d->state ? device_regs(s->args[0]) : NULL;
	unsigned k = 1;
	for (unsigned n = 0; regs && n < 32 && k <= DEVICE_STATE_MAX; n++)
		if (d->state >> n & 1)
			regs[n] = s->state[k++];
	return st;
}

static void io_mem_close(struct session *s)
{
	const struct bootinfo_device *d = device(s->args[0]);
	if (d && s->state[0])
		k_task_unmap(s->child->task_sel, s->args[1], d->size / PAGE_SIZE, MAP_R, UNMAP_SELF);
}

const struct service service_io_mem = {
	.name = "io_mem",
	.kind = CKPT_SESSION_IO_MEM,
	.open = io_mem_open,
	.close = io_mem_close,
	.restore = io_mem_restore,
	.save = io_mem_save,
};

/*
 * The cpu service: the child's own threads, and gates bound to them that
 * other tasks call it through.
 *
 * Session words (ckpt_session args/state), per kind:
 *   cpu:    -
 *   gate:   args[0] label, args[1] thread number, args[2] cpu session id
 */
#include "core.h"
#include "selalloc.h"

/* The lowest thread number the child has not used (0 is its first
 * thread's, always there); false if it has all. */
static bool free_thread_number(const struct rtcr_child *c, unsigned *n)
{
	for (*n = 1; *n < CPU_THREADS_MAX; ++*n)
		if (!c->threads[*n].used)
			return true;
	return false;
}

static rtcr_err thread_create(struct session *s, struct rpc_request *rq)
{
	struct rtcr_child *c = s->child;
	unsigned n;
	if (rq->nwords != 5)
		return E_INVALID_ARG;
	if (!free_thread_number(c, &n))
		return E_NO_MEMORY;
	char name[9];
	for (unsigned i = 0; i < 8; i++)
		name[i] = (char)(rq->words[3 + i / 4] >> (8 * (i % 4)));
	name[8] = 0;
	if (ckpt_name_bad(name, 8, true) >= 0)
		return E_INVALID_ARG;   /* it is printed and stored as an image holds it */
	rtcr_err st = child_thread_create(c, n, CHILD_PRIO, name);
	if (st)
		return st;
	c->layout_changed = true;   /* a new UTCB in its address space */
	if ((st = child_thread_start(c, n, rq->words[0], rq->words[1], rq->words[2])) != E_OK)
		return st;
	rq->reply[0] = n;
	rq->nreply = 1;
	return E_OK;
}

/* The gate's object: bound to one of the child's threads, with the
 * child's label. */
static rtcr_err gate_object_make(struct session *g)
{
	struct rtcr_child *c = g->child;
	uint32_t thread = g->args[1];
	if (thread >= CPU_THREADS_MAX || !c->threads[thread].used)
		return E_INVALID_ARG;
	g->gate_sel = sel_alloc();
	rtcr_err st = k_gate_create(SEL_FACTORY, g->gate_sel, g->args[0], c->threads[thread].sel);
	if (st) {
		sel_free(g->gate_sel);
		g->gate_sel = SEL_NULL;
		return st;
	}
	return k_task_cap_identify(SEL_TASK, g->gate_sel, NULL, NULL, &g->gate_id);
}

static rtcr_err gate_create(struct session *s, struct rpc_request *rq)
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
	rtcr_err st = gate_object_make(g);
	if (st == E_OK) {
		g->cap_sel = sel;
		st = k_task_cap_map(s->child->task_sel, g->gate_sel, sel, RIGHTS_ALL);
	}
	if (st)
		session_free(g);
	return st;
}

static rtcr_err cpu_handle(struct session *s, struct rpc_request *rq)
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

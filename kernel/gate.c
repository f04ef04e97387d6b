#include "gate.h"
#include "thread.h"
#include "factory.h"
#include "invoke.h"
#include "ipc.h"
#include "cspace.h"
#include "task.h"

/* Bind g to server (NULL: unbind), keeping each thread's list of gates. */
static void gate_set_server(struct gate *g, struct thread *server)
{
	if (g->server) {
		if (g->bound_prev)
			g->bound_prev->bound_next = g->bound_next;
		else
			g->server->gates = g->bound_next;
		if (g->bound_next)
			g->bound_next->bound_prev = g->bound_prev;
	}
	g->server = server;
	g->bound_prev = NULL;
	g->bound_next = server ? server->gates : NULL;
	if (g->bound_next)
		g->bound_next->bound_prev = g;
	if (server)
		server->gates = g;
}

void gates_unbind_all(struct thread *t)
{
	while (t->gates)
		gate_set_server(t->gates, NULL);
}

int gate_create(struct factory *f, uint32_t label, struct thread *server, struct kobj **out)
{
	struct gate *g = factory_alloc(f, sizeof(*g));
	if (!g)
		return E_NO_MEMORY;
	kobj_init(&g->obj, KOBJ_GATE, f);
	g->label = label;
	gate_set_server(g, server);
	*out = &g->obj;
	return E_OK;
}

void gate_destroy(struct gate *g)
{
	threads_forget_gate(g);
	gate_set_server(g, NULL);
	factory_free(g->obj.factory, g, sizeof(*g));
}

static int gate_bind(struct invocation *inv, struct gate *g)
{
	INV_NEED(inv, 1);
	struct cap *c;
	int err = cspace_lookup(inv->caller->task, inv_word(inv, 0), KOBJ_THREAD, RIGHT_WRITE, &c);
	if (err)
		return err;
	gate_set_server(g, (struct thread *)c->obj);
	return E_OK;
}

int gate_invoke(struct invocation *inv)
{
	struct gate *g = (struct gate *)inv->obj;

	if (inv->op < GATE_OP_BASE) {
		if (!(inv->rights & RIGHT_WRITE))
			return E_NO_RIGHTS;
		if (MSG_TAG_ITEMS(inv->caller->ctx.r[1]) && !(inv->rights & RIGHT_GRANT))
			return E_NO_RIGHTS;
		return ipc_send(inv->caller, g, inv->is_call, inv->timeout);
	}
	switch (inv->op) {
	case GATE_BIND:
		if (!(inv->rights & RIGHT_WRITE))
			return E_NO_RIGHTS;
		return gate_bind(inv, g);
	case GATE_INFO:
		if (!(inv->rights & RIGHT_READ))
			return E_NO_RIGHTS;
		inv_reply(inv, 0, g->label);
		inv_reply(inv, 1, g->server ? g->server->obj.id : 0);
		return E_OK;
	default:
		return E_INVALID_OP;
	}
}


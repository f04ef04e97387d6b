#include "gate.h"
#include "factory.h"
#include "invoke.h"
#include "ipc.h"
#include "cspace.h"
#include "task.h"

int gate_create(struct factory *f, uint32_t label, struct thread *server, struct kobj **out)
{
	struct gate *g = factory_alloc(f, sizeof(*g));
	if (!g)
		return E_NO_MEMORY;
	kobj_init(&g->obj, KOBJ_GATE, f);
	g->label = label;
	g->server = server;
	*out = &g->obj;
	return E_OK;
}

void gate_destroy(struct gate *g)
{
	factory_free(g->obj.factory, g, sizeof(*g));
}

static int gate_bind(struct invocation *inv, struct gate *g)
{
	INV_NEED(inv, 1);
	struct cap *c;
	int err = cspace_lookup(inv->caller->task, inv_word(inv, 0), KOBJ_THREAD, RIGHT_WRITE, &c);
	if (err)
		return err;
	g->server = (struct thread *)c->obj;
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


/* Capability spaces: delete, revoke through the derivation tree, identify
 * and compare. */
#include "ktest.h"
#include "selalloc.h"

static uint32_t new_gate(uint32_t label)
{
	uint32_t g = sel_alloc();
	return k_gate_create(SEL_FACTORY, g, label, SEL_NULL) == E_OK ? g : 0;
}

/* A copy of sel in our own space, derived from it. */
static uint32_t derive(uint32_t sel, unsigned rights)
{
	uint32_t d = sel_alloc();
	return k_task_cap_map(SEL_TASK, sel, d, rights) == E_OK ? d : 0;
}

static bool empty(uint32_t task, uint32_t sel)
{
	return k_task_cap_identify(task, sel, NULL, NULL, NULL) == E_EMPTY_SLOT;
}

DEFINE_TEST(cap_identify, "identify and compare: type, rights, object, and a distinct error for each bad slot")
{
	uint32_t g = new_gate(7), ro = g ? derive(g, RIGHT_READ) : 0, other = new_gate(7);
	KT_ASSERT(g && ro && other);
	unsigned type, rights;
	uint32_t id, id_ro;
	KT_ASSERT_ERR(k_task_cap_identify(SEL_TASK, g, &type, &rights, &id), E_OK);
	KT_ASSERT_EQ(type, KOBJ_GATE);
	KT_ASSERT_EQ(rights, RIGHTS_ALL);
	KT_ASSERT_ERR(k_task_cap_identify(SEL_TASK, ro, &type, &rights, &id_ro), E_OK);
	KT_ASSERT_EQ(rights, RIGHT_READ);
	KT_ASSERT_EQ(id_ro, id);
	bool same;
	KT_ASSERT_ERR(k_task_cap_compare(SEL_TASK, g, ro, &same), E_OK);
	KT_ASSERT(same);
	KT_ASSERT_ERR(k_task_cap_compare(SEL_TASK, g, other, &same), E_OK);   /* same label, other gate */
	KT_ASSERT(!same);
	KT_ASSERT_ERR(k_task_cap_identify(SEL_TASK, CSPACE_SLOTS, NULL, NULL, NULL), E_INVALID_SELECTOR);
	KT_ASSERT_ERR(k_task_cap_identify(SEL_TASK, 4000, NULL, NULL, NULL), E_EMPTY_SLOT);
	KT_ASSERT_ERR(k_task_cap_compare(SEL_TASK, g, 4000, &same), E_EMPTY_SLOT);
	KT_ASSERT_ERR(k_task_cap_compare(SEL_TASK, 0xffffffffu, g, &same), E_INVALID_SELECTOR);
	KT_ASSERT_ERR(k_task_cap_identify(SEL_CONSOLE, g, NULL, NULL, NULL), E_INVALID_OP);
	uint32_t wo = derive(SEL_TASK, RIGHT_WRITE);
	KT_ASSERT(wo);
	KT_ASSERT_ERR(k_task_cap_identify(wo, g, NULL, NULL, NULL), E_NO_RIGHTS);
}

DEFINE_TEST(cap_delete, "delete empties one slot; what was derived from it stays, and a revoke above still reaches it")
{
	uint32_t a = new_gate(1), b = a ? derive(a, RIGHTS_ALL) : 0, c = b ? derive(b, RIGHT_WRITE) : 0;
	KT_ASSERT(a && b && c);
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, b), E_OK);
	KT_ASSERT(empty(SEL_TASK, b));
	KT_ASSERT(!empty(SEL_TASK, c));
	uint32_t info[2];
	KT_ASSERT_ERR(k_invoke(a, GATE_INFO, NULL, 0, info, 2, 0), E_OK);   /* the gate lives */
	/* c now hangs below a. */
	KT_ASSERT_ERR(k_task_cap_revoke(SEL_TASK, a), E_OK);
	KT_ASSERT(empty(SEL_TASK, c));
	KT_ASSERT(!empty(SEL_TASK, a));
	/* Errors change nothing. */
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, b), E_EMPTY_SLOT);
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, CSPACE_SLOTS + 1), E_INVALID_SELECTOR);
	KT_ASSERT_ERR(k_task_cap_revoke(SEL_TASK, 0xfffffff0u), E_INVALID_SELECTOR);
	uint32_t ro_task = derive(SEL_TASK, RIGHT_READ);
	KT_ASSERT(ro_task);
	KT_ASSERT_ERR(k_task_cap_delete(ro_task, a), E_NO_RIGHTS);
	KT_ASSERT_ERR(k_task_cap_revoke(ro_task, a), E_NO_RIGHTS);
	KT_ASSERT_ERR(k_task_cap_delete(SEL_SCHED, a), E_INVALID_OP);   /* not a task */
	KT_ASSERT(!empty(SEL_TASK, a));
	/* A slot freed by delete takes a new capability. */
	KT_ASSERT_ERR(k_task_cap_map(SEL_TASK, SEL_CONSOLE, b, RIGHT_READ), E_OK);
}

DEFINE_TEST(cap_revoke, "revoke removes every capability derived from a slot, in every task, and nothing else")
{
	uint32_t t1 = sel_alloc(), t2 = sel_alloc();
	KT_ASSERT_ERR(k_factory_create(SEL_FACTORY, KOBJ_TASK, t1, 0), E_OK);
	KT_ASSERT_ERR(k_factory_create(SEL_FACTORY, KOBJ_TASK, t2, 0), E_OK);
	uint32_t a = new_gate(0x33), mine = a ? derive(a, RIGHT_READ) : 0, sibling = new_gate(0x34);
	KT_ASSERT(a && mine && sibling);
	KT_ASSERT_ERR(k_task_cap_map(t1, a, 10, RIGHTS_ALL), E_OK);
	KT_ASSERT_ERR(k_task_cap_map(t2, a, 20, RIGHT_WRITE), E_OK);
	KT_ASSERT_ERR(k_task_cap_map(t2, mine, 21, RIGHT_READ), E_OK);   /* a grandchild */
	KT_ASSERT_ERR(k_task_cap_map(t1, sibling, 11, RIGHTS_ALL), E_OK);
	KT_ASSERT_ERR(k_task_cap_map(t1, SEL_CONSOLE, 12, RIGHT_READ), E_OK);

	KT_ASSERT_ERR(k_task_cap_revoke(SEL_TASK, a), E_OK);
	KT_ASSERT(empty(t1, 10));
	KT_ASSERT(empty(t2, 20));
	KT_ASSERT(empty(t2, 21));
	KT_ASSERT(empty(SEL_TASK, mine));
	/* The revoked slot itself and unrelated capabilities stay. */
	KT_ASSERT(!empty(SEL_TASK, a));
	KT_ASSERT(!empty(t1, 11));
	KT_ASSERT(!empty(t1, 12));
	/* Revoking a leaf is no error and removes nothing. */
	KT_ASSERT_ERR(k_task_cap_revoke(t1, 11), E_OK);
	KT_ASSERT(!empty(t1, 11));
	/* Revoke in another task's space: what the root derived from t1:11. */
	KT_ASSERT_ERR(k_task_cap_map(t2, sibling, 22, RIGHT_READ), E_OK);
	KT_ASSERT_ERR(k_task_cap_revoke(t1, 11), E_OK);   /* 22 came from ours, not t1's */
	KT_ASSERT(!empty(t2, 22));
	KT_ASSERT_ERR(k_task_cap_revoke(SEL_TASK, sibling), E_OK);
	KT_ASSERT(empty(t1, 11));
	KT_ASSERT(empty(t2, 22));
}

DEFINE_TEST(cap_revoke_chain, "a chain of 500 derived capabilities goes in one revoke")
{
	enum { N = 500 };
	static uint32_t chain[N];
	chain[0] = new_gate(9);
	KT_ASSERT(chain[0]);
	for (unsigned i = 1; i < N; i++) {
		chain[i] = derive(chain[i - 1], RIGHTS_ALL);
		KT_ASSERT(chain[i]);
	}
	/* Delete one in the middle: the rest stays linked. */
	KT_ASSERT_ERR(k_task_cap_delete(SEL_TASK, chain[N / 2]), E_OK);
	KT_ASSERT_ERR(k_task_cap_revoke(SEL_TASK, chain[0]), E_OK);
	for (unsigned i = 1; i < N; i++)
		KT_ASSERT(empty(SEL_TASK, chain[i]));
	KT_ASSERT(!empty(SEL_TASK, chain[0]));
}

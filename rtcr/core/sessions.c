/*
 * The session registry and the parent service: how a child's request for a
 * session becomes a session object with a gate, and how requests through
 * that gate reach the service.
 */
#include "sessions.h"
#include "selalloc.h"
#include "string.h"

static struct session sessions[SESSIONS_MAX];
static uint32_t next_id = SESSION_ID_FIRST;

/* The parent service is core's own; the rest register (services_init). */
static const struct service *services[SERVICES_MAX] = { &service_parent };
static unsigned service_count = 1;

void session_service_add(const struct service *svc)
{
	if (service_count < SERVICES_MAX)
		services[service_count++] = svc;
}

const struct service *service_by_kind(uint32_t kind)
{
	for (unsigned i = 0; i < service_count; i++)
		if (services[i]->kind == kind)
			return services[i];
	return NULL;
}

static const struct service *service_by_name(const char *name)
{
	for (unsigned i = 0; i < service_count; i++)
		if (services[i]->name && strcmp(services[i]->name, name) == 0)
			return services[i];
	return NULL;
}

struct session *session_new(struct rtcr_child *c, uint32_t kind)
{
	for (unsigned i = 0; i < SESSIONS_MAX; i++) {
		struct session *s = &sessions[i];
		if (s->used)
			continue;
		memset(s, 0, sizeof(*s));
		s->used = true;
		s->id = next_id++;
		s->kind = kind;
		s->child = c;
		return s;
	}
	return NULL;
}

struct session *session_find(uint32_t id)
{
	for (unsigned i = 0; i < SESSIONS_MAX; i++)
		if (sessions[i].used && sessions[i].id == id)
			return &sessions[i];
	return NULL;
}

struct session *session_at(unsigned index)
{
	return index < SESSIONS_MAX && sessions[index].used ? &sessions[index] : NULL;
}

struct rtcr_child *device_holder(uint32_t index, const struct rtcr_child *besides)
{
	for (unsigned i = 0; i < SESSIONS_MAX; i++) {
		struct session *s = &sessions[i];
		if (s->used && s->child != besides && s->args[0] == index &&
		    (s->kind == CKPT_SESSION_IO_MEM || s->kind == CKPT_SESSION_IRQ))
			return s->child;
	}
	return NULL;
}

static rtcr_err object_id(uint32_t sel, uint32_t *id)
{
	return k_task_cap_identify(SEL_TASK, sel, NULL, NULL, id);
}

rtcr_err session_make_gate(struct session *s, uint32_t cap_sel, unsigned rights)
{
	s->gate_sel = sel_alloc();
	rtcr_err st = k_gate_create(SEL_FACTORY, s->gate_sel, s->id, SEL_THREAD);
	if (st) {
		sel_free(s->gate_sel);
		s->gate_sel = SEL_NULL;
		return st;
	}
	object_id(s->gate_sel, &s->gate_id);
	if (cap_sel == SEL_NULL)
		return E_OK;
	s->cap_sel = cap_sel;
	return k_task_cap_map(s->child->task_sel, s->gate_sel, cap_sel, rights);
}

rtcr_err session_make_irq(struct session *s, uint32_t line, unsigned thread, uint32_t label,
			  uint32_t sig_sel)
{
	struct rtcr_child *c = s->child;
	if (thread >= CPU_THREADS_MAX || !c->threads[thread].used)
		return E_INVALID_ARG;
	s->irq_sel = sel_alloc();
	rtcr_err st = k_irq_create(SEL_FACTORY, s->irq_sel, line);
	if (st) {
		sel_free(s->irq_sel);
		s->irq_sel = SEL_NULL;
		return st;
	}
	object_id(s->irq_sel, &s->irq_id);
	if ((st = k_irq_attach(s->irq_sel, c->threads[thread].sel, label)) != E_OK)
		return st;
	if (sig_sel == SEL_NULL)
		return E_OK;
	s->sig_sel = sig_sel;
	return k_task_cap_map(c->task_sel, s->irq_sel, sig_sel, RIGHT_READ | RIGHT_WRITE);
}

void session_free(struct session *s)
{
	const struct service *svc = service_by_kind(s->kind);
	if (svc && svc->close)
		svc->close(s);
	drop_cap(&s->gate_sel);
	drop_cap(&s->irq_sel);
	s->used = false;
}

void sessions_free_child(struct rtcr_child *c)
{
	for (unsigned i = 0; i < SESSIONS_MAX; i++)
		if (sessions[i].used && sessions[i].child == c)
			session_free(&sessions[i]);
}

rtcr_err session_dispatch(struct rpc_request *rq)
{
	struct session *s = session_find(rq->gate_label);
	const struct service *svc = s ? service_by_kind(s->kind) : NULL;
	if (!svc || s->kind == CKPT_SESSION_GATE)
		return E_NOT_FOUND;
	return svc->handle ? svc->handle(s, rq) : E_INVALID_OP;
}

/* ---- the parent service -------------------------------------------------------- */

static void unpack_name(const uint32_t *w, char *name)
{
	for (unsigned i = 0; i < SERVICE_NAME_MAX; i++)
		name[i] = (char)(w[i / 4] >> (8 * (i % 4)));
	name[SERVICE_NAME_MAX] = 0;
}

bool child_sel_ok(uint32_t sel)
{
	return sel != SEL_NULL && sel != CHILD_SEL_PARENT && sel < CSPACE_SLOTS;
}

unsigned session_count(const struct rtcr_child *c)
{
	unsigned n = 0;
	for (unsigned i = 0; i < SESSIONS_MAX; i++)
		n += sessions[i].used && sessions[i].child == c;
	return n;
}

static rtcr_err open_session(struct session *parent, struct rpc_request *rq)
{
	char name[SERVICE_NAME_MAX + 1];
	if (rq->nwords < 4 || rq->nwords > 4 + SESSION_ARGS_MAX)
		return E_INVALID_ARG;
	unpack_name(rq->words, name);
	const struct service *svc = service_by_name(name);
	if (!svc || svc->kind == CKPT_SESSION_PARENT)
		return E_NOT_FOUND;
	uint32_t sel = rq->words[2], sig = rq->words[3];
	if (svc->kind < CKPT_SESSION_KINDS && rq->nwords - 4 > rules_session_args(svc->kind))
		return E_INVALID_ARG;   /* what it would record is what a restore checks */
	if (session_count(parent->child) >= SESSIONS_PER_CHILD)
		return E_NO_MEMORY;   /* the registry is shared: no child may fill it */
	if (!child_sel_ok(sel) || (svc->signals && (!child_sel_ok(sig) || sig == sel)))
		return E_INVALID_ARG;
	struct session *s = session_new(parent->child, svc->kind);
	if (!s)
		return E_NO_MEMORY;
	for (unsigned i = 4; i < rq->nwords; i++)
		s->args[i - 4] = rq->words[i];
	s->sig_sel = svc->signals ? sig : SEL_NULL;
	unsigned ninfo = 0;
	rtcr_err st = session_make_gate(s, sel, RIGHT_WRITE);
	if (st == E_OK && svc->open)
		st = svc->open(s, &rq->reply[1], &ninfo);
	if (st) {
		session_free(s);
		return st;
	}
	rq->reply[0] = s->id;
	rq->nreply = 1 + ninfo;
	return E_OK;
}

static struct session *session_of_child(struct rtcr_child *c, uint32_t sel)
{
	for (unsigned i = 0; i < SESSIONS_MAX; i++) {
		struct session *s = &sessions[i];
		if (s->used && s->child == c && s->cap_sel == sel && s->kind != CKPT_SESSION_PARENT &&
		    s->kind != CKPT_SESSION_GATE)
			return s;
	}
	return NULL;
}

/* The board's user devices by index: what a driver needs to find its own
 * by name (the registers and interrupt come with io_mem and irq sessions). */
static rtcr_err list_device(struct rpc_request *rq)
{
	const struct bootinfo *bi = children_bootinfo();
	if (rq->nwords != 1)
		return E_INVALID_ARG;
	uint32_t index = rq->words[0];
	if (index >= bi->device_count)
		return E_NOT_FOUND;
	const struct bootinfo_device *d = &bi->devices[index];
	memset(rq->reply, 0, 12);
	memcpy(rq->reply, d->name, strnlen(d->name, sizeof(d->name)));
	rq->reply[3] = d->size / PAGE_SIZE;
	rq->reply[4] = d->irq;
	rq->nreply = 5;
	return E_OK;
}

static rtcr_err parent_handle(struct session *parent, struct rpc_request *rq)
{
	struct session *s;
	switch (rq->op) {
	case PARENT_SESSION:
		return open_session(parent, rq);
	case PARENT_UPGRADE:
		if (rq->nwords != 2)
			return E_INVALID_ARG;
		if (!(s = session_of_child(parent->child, rq->words[0])))
			return E_NOT_FOUND;
		if (s->kind != CKPT_SESSION_RAM)
			return E_INVALID_OP;
		if (rq->words[1] > CHILD_RAM_PAGES - parent->child->ram_pages)
			return E_NO_MEMORY;
		parent->child->ram_pages += rq->words[1];
		s->args[0] += rq->words[1];   /* what it was created with, and upgrades */
		return E_OK;
	case PARENT_DEVICE:
		return list_device(rq);
	case PARENT_CLOSE:
		if (rq->nwords != 1)
			return E_INVALID_ARG;
		if (!(s = session_of_child(parent->child, rq->words[0])))
			return E_NOT_FOUND;
		session_free(s);
		return E_OK;
	default:
		return E_INVALID_OP;
	}
}

/* The parent session records the child's clock: its offset from the
 * board's, in microseconds (two's complement, lo/hi). */
static void parent_save(struct session *s)
{
	uint64_t off = (uint64_t)s->child->clock_offset;
	s->state[0] = (uint32_t)off;
	s->state[1] = (uint32_t)(off >> 32);
}

const struct service service_parent = {
	.name = "parent",
	.kind = CKPT_SESSION_PARENT,
	.handle = parent_handle,
	.save = parent_save,
};

static rtcr_err parent_session_create(struct rtcr_child *c)
{
	struct session *s = session_new(c, CKPT_SESSION_PARENT);
	if (!s)
		return E_NO_MEMORY;
	rtcr_err st = session_make_gate(s, CHILD_SEL_PARENT, RIGHT_WRITE);
	if (st)
		session_free(s);
	else
		c->parent_session = s->id;
	return st;
}

void sessions_init(void)
{
	static struct child_observer o = { .born = parent_session_create,
					   .gone = sessions_free_child };
	child_observe(&o);
}

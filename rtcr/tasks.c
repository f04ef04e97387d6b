#include "tasks.h"
#include "sys.h"
#include "string.h"

static struct rtcr_task tasks[RTCR_TASKS_MAX];
static unsigned count;

static int add(uint32_t task_sel, uint32_t thread_sel, const char *name, struct rtcr_task **out)
{
	uint32_t id;
	int st = k_task_info(task_sel, &id);
	if (st)
		return st;
	if (count == RTCR_TASKS_MAX)
		return E_NO_MEMORY;
	struct rtcr_task *t = &tasks[count++];
	memset(t, 0, sizeof(*t));
	t->id = id;
	t->task_sel = task_sel;
	t->thread_sel = thread_sel;
	strlcpy(t->name, name, sizeof(t->name));
	*out = t;
	return E_OK;
}

int tasks_add_root(const char *name)
{
	struct rtcr_task *t;
	return add(SEL_TASK, SEL_THREAD, name, &t);
}

int tasks_add_child(const struct child *c, const char *name, uint32_t *id)
{
	struct rtcr_task *t;
	int st = add(c->task, c->thread, name, &t);
	if (st == E_OK) {
		t->is_child = true;
		t->child = *c;
		*id = t->id;
	}
	return st;
}

const struct rtcr_task *tasks_find(uint32_t id)
{
	for (unsigned i = 0; i < count; i++)
		if (tasks[i].id == id)
			return &tasks[i];
	return NULL;
}

int tasks_kill(uint32_t id)
{
	for (unsigned i = 0; i < count; i++) {
		if (tasks[i].id != id)
			continue;
		if (!tasks[i].is_child)
			return E_INVALID_ARG;
		child_stop(&tasks[i].child);
		tasks[i] = tasks[--count];
		return E_OK;
	}
	return E_NOT_FOUND;
}

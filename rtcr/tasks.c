#include "tasks.h"
#include "sys.h"
#include "string.h"

static struct rtcr_task tasks[RTCR_TASKS_MAX];
static unsigned count;

int tasks_add(uint32_t task_sel, uint32_t thread_sel, const char *name)
{
	uint32_t id;
	int st = k_task_info(task_sel, &id);
	if (st)
		return st;
	if (count == RTCR_TASKS_MAX)
		return E_NO_MEMORY;
	struct rtcr_task *t = &tasks[count++];
	t->id = id;
	t->task_sel = task_sel;
	t->thread_sel = thread_sel;
	strlcpy(t->name, name, sizeof(t->name));
	return E_OK;
}

const struct rtcr_task *tasks_find(uint32_t id)
{
	for (unsigned i = 0; i < count; i++)
		if (tasks[i].id == id)
			return &tasks[i];
	return NULL;
}

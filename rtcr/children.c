#include "children.h"
#include "stdio.h"
#include "string.h"
#include "loader.h"
#include "tasks.h"

static const struct bootinfo *bootinfo;

void children_init(const struct bootinfo *bi)
{
	bootinfo = bi;
}

/* Give a new child the moment it needs to print its start-up lines, so they
 * do not land in the middle of the console prompt: wait (at most 100 ms)
 * until its thread stops being runnable. */
static void settle(const struct child *c)
{
	struct k_thread_info ti;
	for (int i = 0; i < 100; i++) {
		if (k_thread_info(c->thread, &ti) != E_OK ||
		    (ti.state != TS_READY && ti.state != TS_RUNNING))
			return;
		k_sleep_us(1000);
	}
}

static bool start_module(const struct bootinfo_module *m)
{
	struct child_spec spec = {
		.name = m->name, .image = (const void *)(uintptr_t)m->va, .size = m->size,
		.prio = PRIO_ROOT - 1, .arg = 0,
	};
	struct child c;
	const char *why = "";
	uint32_t id = 0;
	int st = child_start(&spec, &c, &why);
	if (st == 0 && (st = tasks_add_child(&c, m->name, &id)) != 0)
		child_stop(&c);   /* RTCR could not keep track of it */
	if (st < 0) {
		printf("rtcr: cannot start '%s': %s\n", m->name, why);
		return false;
	}
	if (st > 0) {
		printf("rtcr: cannot start '%s': %s\n", m->name, k_error_name((unsigned)st));
		return false;
	}
	printf("rtcr: started '%s' as task %u\n", m->name, (unsigned)id);
	settle(&c);
	return true;
}

/* Module 0 is RTCR itself: not a child. */
bool children_start(const char *name)
{
	for (unsigned i = 1; i < bootinfo->module_count; i++)
		if (strcmp(bootinfo->modules[i].name, name) == 0)
			return start_module(&bootinfo->modules[i]);
	char names[128];
	children_module_names(names, sizeof(names));
	printf("no module '%s' (modules: %s)\n", name, names);
	return false;
}

void children_start_all(void)
{
	for (unsigned i = 1; i < bootinfo->module_count; i++)
		start_module(&bootinfo->modules[i]);
}

void children_module_names(char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = 0;
	for (unsigned i = 1; i < bootinfo->module_count && used + 1 < size; i++) {
		const char *sep = i > 1 ? " " : "";
		used += (size_t)fmt_snprintf(buf + used, size - used, "%s%s", sep,
					     bootinfo->modules[i].name);
	}
}

/*
 * RTCR, the root task. For now it starts every further boot module as a
 * child task and runs the console; checkpoint/restore grows from here.
 */
#include "sys.h"
#include "stdio.h"
#include "pages.h"
#include "loader.h"
#include "shell.h"
#include "tasks.h"

/* Give a new child the moment it needs to print its start-up lines, so they
 * do not land in the middle of the console prompt: wait (at most 100 ms)
 * until its thread stops being runnable. */
static void settle(const struct child *c, const char *name)
{
	struct k_thread_info ti;
	printf("rtcr: started '%s'\n", name);
	for (int i = 0; i < 100; i++) {
		if (k_thread_info(c->thread, &ti) != E_OK ||
		    (ti.state != TS_READY && ti.state != TS_RUNNING))
			return;
		k_sleep_us(1000);
	}
}

static void start_children(const struct bootinfo *bi)
{
	for (unsigned i = 1; i < bi->module_count; i++) {
		const struct bootinfo_module *m = &bi->modules[i];
		struct child_spec spec = {
			.name = m->name, .image = (const void *)(uintptr_t)m->va, .size = m->size,
			.prio = PRIO_ROOT - 1, .arg = 0,
		};
		struct child c;
		const char *why = "";
		int st = child_start(&spec, &c, &why);
		if (st < 0)
			printf("rtcr: cannot start '%s': %s\n", m->name, why);
		else if (st > 0)
			printf("rtcr: cannot start '%s': %s\n", m->name, k_error_name((unsigned)st));
		else {
			tasks_add(c.task, c.thread, m->name);
			settle(&c, m->name);
		}
	}
}

int main(uint32_t arg)
{
	const struct bootinfo *bi = (const struct bootinfo *)(uintptr_t)arg;
	if (bi->magic != BOOTINFO_MAGIC) {
		printf("rtcr: bad boot info\n");
		return 1;
	}
	pages_init(bi->ram_va, bi->ram_size);
	tasks_add(SEL_TASK, SEL_THREAD, "rtcr");
	printf("rtcr: root task on %s, %u KiB RAM, %u KiB kernel memory, %u boot modules\n",
	       bi->board, bi->ram_size / 1024, bi->kmem_quota / 1024, bi->module_count);
	start_children(bi);
	shell_run();
	return 0;
}

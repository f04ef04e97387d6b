/*
 * RTCR, the root task. For now it starts every further boot module as a
 * child task and runs the console; checkpoint/restore grows from here.
 */
#include "sys.h"
#include "stdio.h"
#include "pages.h"
#include "children.h"
#include "shell.h"
#include "tasks.h"

int main(uint32_t arg)
{
	const struct bootinfo *bi = (const struct bootinfo *)(uintptr_t)arg;
	if (bi->magic != BOOTINFO_MAGIC) {
		printf("rtcr: bad boot info\n");
		return 1;
	}
	pages_init(bi->ram_va, bi->ram_size);
	tasks_add_root("rtcr");
	children_init(bi);
	printf("rtcr: root task on %s, %u KiB RAM, %u KiB kernel memory, %u boot modules\n",
	       bi->board, bi->ram_size / 1024, bi->kmem_quota / 1024, bi->module_count);
	children_start_all();
	shell_run();
	return 0;
}

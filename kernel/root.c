/*
 * Start the root task: the first boot module, loaded from its ELF into a
 * fresh task, with every other boot module, the boot-info page and all
 * user memory mapped into it, and the initial capabilities at the selectors
 * of uapi/bootinfo.h. From here on the root task decides everything.
 */
#include "sched.h"
#include "task.h"
#include "factory.h"
#include "console.h"
#include "memlayout.h"
#include "mmu.h"
#include "elf.h"
#include "uapi/bootinfo.h"

struct boot_module {
	const char *name;
	const uint8_t *data;
	uint32_t size;
};
extern const struct boot_module boot_modules[];
extern const uint32_t boot_module_count;

extern struct kobj sched_object, platform_object;

static struct factory root_factory;
static uint32_t upool_next, upool_end;   /* physical: user memory not handed out */

static uint32_t user_page_alloc(void)
{
	if (upool_next >= upool_end)
		panic("root task: out of user memory");
	uint32_t pa = upool_next;
	upool_next += PAGE_SIZE;
	memset((void *)phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

static void map_page(struct task *t, uint32_t va, uint32_t pa, unsigned rights)
{
	int err = vspace_map_page(&t->vs, &root_factory, va, pa, rights);
	if (err)
		panic("root task: cannot map %08x: %s", (unsigned)va, k_error_name((unsigned)err));
}

static void load_segment(struct task *t, const uint8_t *image, const struct elf_segment *s)
{
	unsigned rights = MAP_R | ((s->flags & ELF_PF_W) ? MAP_W : 0) | ((s->flags & ELF_PF_X) ? MAP_X : 0);
	uint32_t file_end = s->vaddr + s->filesz;

	for (uint32_t va = s->vaddr & ~(PAGE_SIZE - 1); va < s->vaddr + s->memsz; va += PAGE_SIZE) {
		uint32_t pa = user_page_alloc();
		uint8_t *page = (uint8_t *)phys_to_virt(pa);
		uint32_t from = va < s->vaddr ? s->vaddr : va;
		uint32_t to = va + PAGE_SIZE < file_end ? va + PAGE_SIZE : file_end;
		if (from < to)
			memcpy(page + (from - va), image + s->offset + (from - s->vaddr), to - from);
		cache_clean_range(page, PAGE_SIZE);
		map_page(t, va, pa, rights);
	}
}

static uint32_t load_elf(struct task *t, const struct boot_module *m)
{
	uint32_t entry;
	struct elf_segment seg;
	int err = elf_check(m->data, m->size, PAGE_SIZE, MODULES_VA, &entry);
	if (err)
		panic("boot module '%s': %s", m->name, elf_strerror(err));
	for (unsigned i = 0; i < elf_load_count(m->data, m->size); i++) {
		elf_load_segment(m->data, m->size, i, &seg);
		load_segment(t, m->data, &seg);
	}
	cache_sync_icache();
	return entry;
}

static void install(struct task *t, uint32_t sel, struct kobj *obj)
{
	if (cspace_insert(t, sel, obj, RIGHTS_ALL, NULL, &root_factory) != E_OK)
		panic("root task: cannot install capability %u", (unsigned)sel);
}

static void fill_bootinfo(struct bootinfo *bi, uint32_t ram_size)
{
	bi->magic = BOOTINFO_MAGIC;
	bi->version = 1;
	strlcpy(bi->board, BOARD_NAME, sizeof(bi->board));
	bi->ram_phys = BOARD_RAM_BASE;
	bi->ram_phys_size = BOARD_RAM_SIZE;
	bi->ram_va = ROOT_RAM_VA;
	bi->ram_size = ram_size;
	bi->kmem_quota = root_factory.quota;
	bi->tick_us = TICK_US;
	uint32_t va = MODULES_VA;
	for (uint32_t i = 0; i < boot_module_count && i < BOOTINFO_MODULES_MAX; i++) {
		const struct boot_module *m = &boot_modules[i];
		strlcpy(bi->modules[i].name, m->name, sizeof(bi->modules[i].name));
		bi->modules[i].va = va;
		bi->modules[i].size = m->size;
		va += ALIGN_UP(m->size, PAGE_SIZE);
		bi->module_count = i + 1;
	}
	static const struct bootinfo_device devices[] = { BOARD_USER_DEVICES };
	for (unsigned i = 0; i < ARRAY_SIZE(devices) && i < BOOTINFO_DEVICES_MAX; i++) {
		bi->devices[i] = devices[i];
		bi->device_count = i + 1;
	}
}

void root_task_start(uint32_t user_base, uint32_t user_end)
{
	struct kobj *obj;
	upool_next = user_base;
	upool_end = user_end;
	if (boot_module_count == 0)
		panic("no boot modules: nothing to run");

	factory_init_root(&root_factory, (uint32_t)kernel_pool_free());
	if (task_create(&root_factory, &obj) != E_OK)
		panic("cannot create the root task");
	struct task *task = (struct task *)obj;
	if (thread_create(&root_factory, &obj) != E_OK)
		panic("cannot create the root thread");
	struct thread *th = (struct thread *)obj;

	uint32_t entry = load_elf(task, &boot_modules[0]);

	/* Boot modules, read-only, where the boot info says. */
	uint32_t va = MODULES_VA;
	for (uint32_t i = 0; i < boot_module_count; i++) {
		uint32_t pa = virt_to_phys(boot_modules[i].data);
		for (uint32_t off = 0; off < boot_modules[i].size; off += PAGE_SIZE)
			map_page(task, va + off, pa + off, MAP_R);
		va += ALIGN_UP(boot_modules[i].size, PAGE_SIZE);
	}

	uint32_t bi_pa = user_page_alloc();
	map_page(task, BOOTINFO_VA, bi_pa, MAP_R);

	/* All remaining user memory goes to the root task, executable too: it
	 * loads children and hands their code pages on. */
	uint32_t ram_size = upool_end - upool_next;
	for (uint32_t off = 0; off < ram_size; off += PAGE_SIZE)
		map_page(task, ROOT_RAM_VA + off, upool_next + off, MAP_R | MAP_W | MAP_X);
	upool_next = upool_end;

	install(task, SEL_TASK, &task->obj);
	install(task, SEL_THREAD, &th->obj);
	install(task, SEL_FACTORY, &root_factory.obj);
	install(task, SEL_SCHED, &sched_object);
	install(task, SEL_CONSOLE, &console_object);
	install(task, SEL_PLATFORM, &platform_object);
	fill_bootinfo((struct bootinfo *)phys_to_virt(bi_pa), ram_size);

	map_page(task, ROOT_UTCB_VA, virt_to_phys(th->utcb), MAP_R | MAP_W | MAP_KERNEL);
	th->task = task;
	th->utcb_va = ROOT_UTCB_VA;
	th->prio = PRIO_ROOT;
	task->threads = 1;
	strlcpy(th->name, boot_modules[0].name, sizeof(th->name));
	th->ctx.pc = entry;
	th->ctx.r[0] = BOOTINFO_VA;
	sched_ready(th);
	kprintf("kernel: root task '%s' loaded, %u boot modules, %u KiB user memory, %u KiB kernel memory\n",
		boot_modules[0].name, (unsigned)boot_module_count, (unsigned)(ram_size / 1024),
		(unsigned)(root_factory.quota / 1024));
}

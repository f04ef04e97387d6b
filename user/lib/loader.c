#include "loader.h"
#include "sys.h"
#include "elf.h"
#include "pages.h"
#include "selalloc.h"
#include "string.h"

static int load_segment(struct child *c, const uint8_t *image, const struct elf_segment *s)
{
	if (c->segs == CHILD_SEGMENTS_MAX)
		return E_NO_MEMORY;
	uint32_t first = s->vaddr & ~(PAGE_SIZE - 1);
	uint32_t count = (s->vaddr + s->memsz - first + PAGE_SIZE - 1) / PAGE_SIZE;
	uint8_t *mem = pages_alloc(count);
	if (!mem)
		return E_NO_MEMORY;
	memcpy(mem + (s->vaddr - first), image + s->offset, s->filesz);
	unsigned rights = MAP_R | ((s->flags & ELF_PF_W) ? MAP_W : 0) | ((s->flags & ELF_PF_X) ? MAP_X : 0);
	int st = k_task_map(c->task, SEL_TASK, (uint32_t)(uintptr_t)mem, first, count, rights);
	if (st) {
		pages_free(mem, count);
		return st;
	}
	c->seg[c->segs].mem = mem;
	c->seg[c->segs].pages = count;
	c->segs++;
	return E_OK;
}

void child_stop(struct child *c)
{
	k_task_cap_revoke(SEL_TASK, c->task);
	k_task_cap_delete(SEL_TASK, c->task);
	k_task_cap_revoke(SEL_TASK, c->thread);
	k_task_cap_delete(SEL_TASK, c->thread);
	sel_free(c->thread);
	sel_free(c->task);
	/* The task is gone, and with it every mapping of these pages. */
	for (unsigned i = 0; i < c->segs; i++)
		pages_free(c->seg[i].mem, c->seg[i].pages);
	c->segs = 0;
}

/* A start that failed half way leaves nothing behind. */
static int give_up(struct child *c, int st)
{
	child_stop(c);
	return st;
}

int child_start(const struct child_spec *spec, struct child *out, const char **why)
{
	uint32_t entry;
	struct elf_segment seg;
	int st = elf_check(spec->image, spec->size, PAGE_SIZE, CHILD_IMAGE_TOP, &entry);
	if (st) {
		*why = elf_strerror(st);
		return -1;
	}
	out->task = sel_alloc();
	out->thread = sel_alloc();
	out->entry = entry;
	out->segs = 0;
	if ((st = k_factory_create(SEL_FACTORY, KOBJ_TASK, out->task, 0)) != 0 ||
	    (st = k_factory_create(SEL_FACTORY, KOBJ_THREAD, out->thread, 0)) != 0)
		return give_up(out, st);
	for (unsigned i = 0; i < elf_load_count(spec->image, spec->size); i++) {
		elf_load_segment(spec->image, spec->size, i, &seg);
		if ((st = load_segment(out, spec->image, &seg)) != 0)
			return give_up(out, st);
	}
	if ((st = k_task_cap_map(out->task, SEL_CONSOLE, SEL_CONSOLE, RIGHT_WRITE)) != 0 ||
	    (st = k_thread_configure(out->thread, out->task, CHILD_UTCB_VA, spec->prio)) != 0 ||
	    (st = k_thread_set_name(out->thread, spec->name)) != 0 ||
	    (st = k_thread_set_regs(out->thread, entry, 0, spec->arg)) != 0 ||
	    (st = k_thread_resume(out->thread)) != 0)
		return give_up(out, st);
	return E_OK;
}

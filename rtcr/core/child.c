#include "child.h"
#include "elf.h"
#include "pages.h"
#include "selalloc.h"
#include "fmt.h"
#include "string.h"

static const struct bootinfo *bootinfo;
static struct rules_devices devices;   /* the boot info's table, as the rules see it */
static struct rtcr_child children[CHILDREN_MAX];
static struct child_observer *observers, **observers_end = &observers;

void child_observe(struct child_observer *o)
{
	o->next = NULL;
	*observers_end = o;
	observers_end = &o->next;
}

static rtcr_err born(struct rtcr_child *c)
{
	rtcr_err st = E_OK;
	for (struct child_observer *o = observers; o && st == E_OK; o = o->next)
		if (o->born)
			st = o->born(c);
	return st;
}

/* The last observer first: from the top layer down. */
static void gone(struct child_observer *o, struct rtcr_child *c)
{
	if (!o)
		return;
	gone(o->next, c);
	if (o->gone)
		o->gone(c);
}

void child_map_changing(struct rtcr_child *c)
{
	for (struct child_observer *o = observers; o; o = o->next)
		if (o->map_changing)
			o->map_changing(c);
}

void children_init(const struct bootinfo *bi)
{
	bootinfo = bi;
	devices = (struct rules_devices){ bi->devices, bi->device_count };
}

struct rtcr_child *child_at(unsigned index)
{
	return index < CHILDREN_MAX && children[index].used ? &children[index] : NULL;
}

struct rtcr_child *child_find(uint32_t id)
{
	for (unsigned i = 0; i < CHILDREN_MAX; i++)
		if (children[i].used && children[i].id == id)
			return &children[i];
	return NULL;
}

struct rtcr_child *child_by_pager(uint32_t label)
{
	if (label < LABEL_PAGER_FIRST || label >= LABEL_PAGER_FIRST + CHILDREN_MAX)
		return NULL;
	return child_at(label - LABEL_PAGER_FIRST);
}

bool tasks_find(uint32_t id, struct rtcr_task *out)
{
	uint32_t own;
	if (k_task_info(SEL_TASK, &own) == E_OK && own == id) {
		*out = (struct rtcr_task){ .id = id, .task_sel = SEL_TASK, .name = "rtcr" };
		return true;
	}
	struct rtcr_child *c = child_find(id);
	if (!c)
		return false;
	*out = (struct rtcr_task){ .id = id, .task_sel = c->task_sel, .name = c->name, .child = c };
	return true;
}

void drop_cap(uint32_t *sel)
{
	if (*sel == SEL_NULL)
		return;
	k_task_cap_revoke(SEL_TASK, *sel);
	k_task_cap_delete(SEL_TASK, *sel);
	sel_free(*sel);
	*sel = SEL_NULL;
}

rtcr_err child_create(const char *name, struct rtcr_child **out)
{
	struct rtcr_child *c = NULL;
	unsigned slot;
	*out = NULL;
	for (slot = 0; slot < CHILDREN_MAX && !c; slot++)
		if (!children[slot].used)
			c = &children[slot];
	if (!c)
		return E_NO_MEMORY;
	slot--;
	memset(c, 0, sizeof(*c));
	c->used = true;
	strlcpy(c->name, name, sizeof(c->name));
	for (unsigned i = 0; i < CHILD_REGIONS_MAX; i++)
		c->regions[i].ds = -1;
	c->task_sel = sel_alloc();
	c->pager_sel = sel_alloc();
	c->pager_label = LABEL_PAGER_FIRST + slot;
	rtcr_err st;
	if ((st = k_factory_create(SEL_FACTORY, KOBJ_TASK, c->task_sel, 0)) != E_OK ||
	    (st = k_task_info(c->task_sel, &c->id)) != E_OK ||
	    (st = k_gate_create(SEL_FACTORY, c->pager_sel, c->pager_label, SEL_THREAD)) != E_OK ||
	    (st = born(c)) != E_OK) {
		child_destroy(c);
		return st;
	}
	*out = c;
	return E_OK;
}

void child_destroy(struct rtcr_child *c)
{
	gone(observers, c);
	for (unsigned i = 0; i < CPU_THREADS_MAX; i++)
		if (c->threads[i].used)
			drop_cap(&c->threads[i].sel);
	drop_cap(&c->task_sel);
	drop_cap(&c->pager_sel);
	/* The task is gone, and with it every mapping of these pages. */
	for (unsigned i = 0; i < CHILD_REGIONS_MAX; i++)
		if (c->regions[i].used && c->regions[i].ds < 0)
			pages_free(c->regions[i].mem, c->regions[i].pages);
	for (unsigned i = 0; i < CHILD_DS_MAX; i++)
		if (c->ds[i].used)
			pages_free(c->ds[i].mem, c->ds[i].pages);
	memset(c, 0, sizeof(*c));
}

rtcr_err child_thread_create(struct rtcr_child *c, unsigned n, uint32_t prio, const char *name)
{
	struct child_thread *t = &c->threads[n];
	if (n >= CPU_THREADS_MAX || t->used)
		return E_INVALID_ARG;
	t->sel = sel_alloc();
	t->utcb_va = CHILD_UTCB_TOP - n * PAGE_SIZE;
	t->prio = prio;
	strlcpy(t->name, name, sizeof(t->name));
	rtcr_err st;
	if ((st = k_factory_create(SEL_FACTORY, KOBJ_THREAD, t->sel, 0)) != E_OK) {
		sel_free(t->sel);
		return st;
	}
	t->used = true;
	if ((st = k_thread_configure(t->sel, c->task_sel, t->utcb_va, prio)) != E_OK ||
	    (st = k_thread_set_name(t->sel, name)) != E_OK ||
	    (st = k_thread_set_handlers(t->sel, c->pager_sel, c->pager_sel)) != E_OK) {
		drop_cap(&t->sel);
		t->used = false;
	}
	return st;
}

rtcr_err child_thread_start(struct rtcr_child *c, unsigned n, uint32_t pc, uint32_t sp,
			    uint32_t arg)
{
	rtcr_err st = k_thread_set_regs(c->threads[n].sel, pc, sp, arg);
	return st ? st : k_thread_resume(c->threads[n].sel);
}

/* ---- memory ------------------------------------------------------------------ */

static bool overlaps(const struct region *r, uint32_t va, uint32_t pages)
{
	return r->used && va < r->va + r->pages * PAGE_SIZE && r->va < va + pages * PAGE_SIZE;
}

bool child_range_free(const struct rtcr_child *c, uint32_t va, uint32_t pages)
{
	for (unsigned i = 0; i < CHILD_REGIONS_MAX; i++)
		if (overlaps(&c->regions[i], va, pages))
			return false;
	return true;
}

rtcr_err child_region_add(struct rtcr_child *c, uint32_t va, uint32_t pages, unsigned rights,
			  bool lazy, int ds, uint8_t *mem, int *index)
{
	unsigned idx = 0;
	while (idx < CHILD_REGIONS_MAX && c->regions[idx].used)
		idx++;
	if (idx == CHILD_REGIONS_MAX || !child_range_free(c, va, pages))
		return E_NO_MEMORY;
	bool own = !mem;
	if (own && !(mem = pages_alloc(pages)))
		return E_NO_MEMORY;
	rtcr_err st = lazy ? E_OK : k_task_map(c->task_sel, SEL_TASK, (uint32_t)(uintptr_t)mem,
					       va, pages, rights);
	if (st != E_OK) {
		if (own)
			pages_free(mem, pages);
		return st;
	}
	c->regions[idx] = (struct region){ .used = true, .lazy = lazy, .rights = (uint8_t)rights,
					   .ds = ds, .va = va, .pages = pages, .mem = mem };
	if (index)
		*index = (int)idx;
	return E_OK;
}

/* Unmaps it from the child; the pages stay (a dataspace's are its own). */
void child_region_remove(struct rtcr_child *c, int index)
{
	struct region *r = &c->regions[index];
	for (uint32_t done = 0; done < r->pages; done += MAP_PAGES_MAX) {
		uint32_t n = r->pages - done < MAP_PAGES_MAX ? r->pages - done : MAP_PAGES_MAX;
		k_task_unmap(c->task_sel, r->va + done * PAGE_SIZE, n, MAP_R, UNMAP_SELF);
	}
	r->used = false;
}

struct region *child_region_at(struct rtcr_child *c, uint32_t va)
{
	for (unsigned i = 0; i < CHILD_REGIONS_MAX; i++)
		if (overlaps(&c->regions[i], va & ~(PAGE_SIZE - 1), 1))
			return &c->regions[i];
	return NULL;
}

uint8_t *child_page_mem(struct rtcr_child *c, uint32_t key)
{
	if (key >= DS_KEY_BASE) {
		uint32_t index = (key - DS_KEY_BASE) / DS_KEY_STRIDE;
		uint32_t page = (key - DS_KEY_BASE) % DS_KEY_STRIDE / PAGE_SIZE;
		struct dataspace *d = index < CHILD_DS_MAX ? &c->ds[index] : NULL;
		return d && d->used && !d->attached_va && page < d->pages ?
		       d->mem + page * PAGE_SIZE : NULL;
	}
	struct region *r = child_region_at(c, key);
	return r ? r->mem + ((key & ~(PAGE_SIZE - 1)) - r->va) : NULL;
}

rtcr_err child_page_fault(struct rtcr_child *c, uint32_t va, unsigned access,
			  struct rtcr_detail *d)
{
	struct region *r = child_region_at(c, va);
	if (!r)
		return rtcr_fail(d, R_BAD_FAULT, "no memory there");
	if ((access & ~(unsigned)r->rights) & (MAP_W | MAP_X))
		return rtcr_fail(d, R_BAD_FAULT, "%s", access & MAP_W ? "write to read-only memory" :
				 "execute of data");
	uint32_t page = va & ~(PAGE_SIZE - 1);
	unsigned state;
	bool mapped = k_task_page_state(c->task_sel, page, &state) == E_OK;
	/* Before the child may change the page, a checkpoint still copying
	 * it takes its copy. */
	for (struct child_observer *o = observers; o; o = o->next)
		if (o->page_touch)
			o->page_touch(c, page);
	if (mapped)
		return E_OK;   /* it was waiting for that copy: retry */
	uint8_t *mem = r->mem + (page - r->va);
	rtcr_err st = k_task_map(c->task_sel, SEL_TASK, (uint32_t)(uintptr_t)mem, page, 1, r->rights);
	if (st != E_OK)
		return rtcr_fail(d, st, "cannot map");
	if (c->dirty_tracked && (r->rights & MAP_W))
		k_dirty_track(c->task_sel, page, 1);
	return E_OK;
}

/* ---- starting from boot modules ---------------------------------------------- */

static rtcr_err load_segments(struct rtcr_child *c, const uint8_t *image, size_t size)
{
	struct elf_segment s;
	rtcr_err st = E_OK;
	for (unsigned i = 0; i < elf_load_count(image, size) && st == E_OK; i++) {
		elf_load_segment(image, size, i, &s);
		uint32_t first = s.vaddr & ~(PAGE_SIZE - 1);
		uint32_t pages = (s.vaddr + s.memsz - first + PAGE_SIZE - 1) / PAGE_SIZE;
		unsigned rights = MAP_R | ((s.flags & ELF_PF_W) ? MAP_W : 0) |
				  ((s.flags & ELF_PF_X) ? MAP_X : 0);
		if ((st = rule_segment(first, pages, rights, NULL)) != E_OK)
			return st;   /* a program with a writable code segment, say */
		uint8_t *mem = pages_alloc(pages);
		if (!mem)
			return E_NO_MEMORY;
		memcpy(mem + (s.vaddr - first), image + s.offset, s.filesz);
		if ((st = child_region_add(c, first, pages, rights, false, -1, mem, NULL)) != E_OK)
			pages_free(mem, pages);
	}
	return st;
}

static rtcr_err start_module(const struct bootinfo_module *m, uint32_t arg,
			     struct rtcr_child **out, struct rtcr_detail *d)
{
	const uint8_t *image = (const uint8_t *)(uintptr_t)m->va;
	uint32_t entry;
	int bad = elf_check(image, m->size, PAGE_SIZE, CHILD_IMAGE_TOP, &entry);
	if (bad)
		return rtcr_fail(d, R_BAD_PROGRAM, "%s", elf_strerror(bad));
	struct rtcr_child *c;
	rtcr_err st = child_create(m->name, &c);
	if (st != E_OK)
		return st;
	if ((st = load_segments(c, image, m->size)) != E_OK ||
	    (st = child_thread_create(c, 0, CHILD_PRIO, m->name)) != E_OK ||
	    (st = child_thread_start(c, 0, entry, 0, arg)) != E_OK) {
		child_destroy(c);
		return st;
	}
	*out = c;
	return E_OK;
}

/* Module 0 is RTCR itself: not a child. */
rtcr_err children_start(const char *name, uint32_t arg, struct rtcr_child **out,
			struct rtcr_detail *d)
{
	*out = NULL;
	rtcr_detail_clear(d);   /* a kernel code has no detail */
	for (unsigned i = 1; i < bootinfo->module_count; i++)
		if (strcmp(bootinfo->modules[i].name, name) == 0)
			return start_module(&bootinfo->modules[i], arg, out, d);
	char names[128];
	children_module_names(names, sizeof(names));
	return rtcr_fail(d, R_NO_MODULE, "no module '%s' (modules: %s)", name, names);
}

/* The boot modules that start at boot, in this order: the board's network
 * driver (net: LAN9118 and lwIP; can: PCI, SJA1000 and ISO-TP), if the
 * image has one, then hello. */
void children_start_all(child_started_fn *report)
{
	static const char *const at_boot[] = { "net", "can", "hello" };
	for (unsigned n = 0; n < sizeof(at_boot) / sizeof(at_boot[0]); n++)
		for (unsigned i = 1; i < bootinfo->module_count; i++) {
			if (strcmp(bootinfo->modules[i].name, at_boot[n]) != 0)
				continue;
			struct rtcr_child *c = NULL;
			struct rtcr_detail d = { "" };
			rtcr_err e = start_module(&bootinfo->modules[i], 0, &c, &d);
			if (report)
				report(bootinfo->modules[i].name, e, c, &d);
		}
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

const struct bootinfo *children_bootinfo(void)
{
	return bootinfo;
}

const struct rules_devices *children_devices(void)
{
	return &devices;
}

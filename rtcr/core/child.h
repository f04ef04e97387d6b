/*
 * A child of RTCR: the task, its threads and every byte of memory it can
 * reach, all created by RTCR. Because nothing in the child came from
 * anywhere else, RTCR can describe the child completely (checkpoint) and
 * build it again from that description (restore).
 */
#ifndef RTCR_CHILD_H
#define RTCR_CHILD_H

#include <stdint.h>
#include <stdbool.h>
#include "sys.h"
#include "session.h"
#include "rules.h"
#include "error.h"

#define CHILD_NAME_MAX    16u

/* Gate labels: RTCR's own below SESSION_ID_FIRST, sessions' from there. */
#define LABEL_CONSOLE     1u
#define LABEL_PAGER_FIRST 0x10u      /* + child slot */
#define SESSION_ID_FIRST  0x100u

/* Memory RTCR backs and the child sees at va: an ELF segment (mapped at
 * start) or an attached dataspace (mapped page by page as it faults). */
struct region {
	bool used;
	bool lazy;
	uint8_t rights;          /* MAP_* */
	int ds;                  /* dataspace index, -1 for an ELF segment */
	uint32_t va, pages;
	uint8_t *mem;            /* the same pages in RTCR */
};

struct dataspace {
	bool used;
	uint32_t pages;
	uint8_t *mem;
	uint32_t ram_session;    /* id of the RAM session that paid for it */
	uint32_t attached_va;    /* 0: not attached */
};

struct child_thread {
	bool used;
	uint32_t sel;            /* in RTCR's space */
	uint32_t utcb_va;
	uint32_t prio;
	char name[8];
};

struct ckpt_child;           /* checkpoint bookkeeping, ckpt.c */

struct rtcr_child {
	bool used;
	uint32_t id;             /* kernel id of its task: the console's name for it */
	char name[CHILD_NAME_MAX];
	uint32_t task_sel;
	uint32_t pager_sel;      /* RTCR's gate its faults arrive through */
	uint32_t pager_label;
	uint32_t parent_session; /* the session behind CHILD_SEL_PARENT */
	struct child_thread threads[CPU_THREADS_MAX];
	struct region regions[CHILD_REGIONS_MAX];
	struct dataspace ds[CHILD_DS_MAX];
	uint32_t ram_pages;      /* quota given to its RAM sessions */
	bool layout_changed;     /* memory map changed since the last checkpoint */
	bool dirty_tracked;      /* its writable pages are dirty tracked (a
	                            checkpoint started it): new mappings too */
	bool arriving;           /* being restored: not complete, not running */
	int64_t clock_offset;    /* the child's clock minus the board's (us) */
	struct ckpt_child *ckpt;
};

/* A task RTCR's console can name: RTCR itself (child NULL) or a child. */
struct rtcr_task {
	uint32_t id;
	uint32_t task_sel;
	const char *name;
	struct rtcr_child *child;
};

/* What the rest of RTCR learns of every child, registered once: a child
 * is born (its task and pager exist; an error undoes it), a page is about
 * to become writable, the memory map is about to change, the child goes.
 * Each hook may be NULL. Observers hear of a birth and of the rest in the
 * order they registered, of a child that goes in the reverse order (the
 * last to register, the highest layer, lets go first). */
struct child_observer {
	rtcr_err (*born)(struct rtcr_child *c);
	void (*page_touch)(struct rtcr_child *c, uint32_t page);
	void (*map_changing)(struct rtcr_child *c);
	void (*gone)(struct rtcr_child *c);
	struct child_observer *next;
};
void child_observe(struct child_observer *o);
/* A service is about to change c's memory map (free, detach). */
void child_map_changing(struct rtcr_child *c);

void children_init(const struct bootinfo *bi);
/* Start the boot module called name, its main() called with arg: *out is
 * the child, or NULL on failure (R_NO_MODULE and R_BAD_PROGRAM with a
 * detail, or a kernel code). */
rtcr_err children_start(const char *name, uint32_t arg, struct rtcr_child **out,
			struct rtcr_detail *d);
/* What became of starting the module called name: c if e is E_OK. */
typedef void child_started_fn(const char *name, rtcr_err e, const struct rtcr_child *c,
			      const struct rtcr_detail *d);
/* Start the children that start at boot (net or can, then hello), telling
 * report (may be NULL) of each. */
void children_start_all(child_started_fn *report);
void children_module_names(char *buf, size_t size);

/* RTCR itself or a child, by task id; false if there is none. */
bool tasks_find(uint32_t id, struct rtcr_task *out);
struct rtcr_child *child_find(uint32_t id);
struct rtcr_child *child_at(unsigned index);   /* NULL if that slot is free */
struct rtcr_child *child_by_pager(uint32_t label);

/* A capability of RTCR's that nothing else may keep alive: revoke what was
 * derived from it (the child's copies), delete it, free the selector. */
void drop_cap(uint32_t *sel);

/* An empty child record with a fresh task and pager gate in *out (NULL on
 * failure: E_NO_MEMORY if every slot is taken, or the kernel's code). */
rtcr_err child_create(const char *name, struct rtcr_child **out);
/* Take everything the child had back: sessions, threads, task, memory. */
void child_destroy(struct rtcr_child *c);

/* Thread n: created, configured at its UTCB, faults to RTCR. Not started. */
rtcr_err child_thread_create(struct rtcr_child *c, unsigned n, uint32_t prio, const char *name);
rtcr_err child_thread_start(struct rtcr_child *c, unsigned n, uint32_t pc, uint32_t sp,
			    uint32_t arg);

/* A region of RTCR pages (mem, or fresh zeroed ones if mem is NULL) the child
 * sees at va; mapped at once unless lazy. Its index goes to *index (may be
 * NULL). E_NO_MEMORY if the table is full, the range taken or no pages are
 * left; else the kernel's code from mapping it. */
rtcr_err child_region_add(struct rtcr_child *c, uint32_t va, uint32_t pages, unsigned rights,
			  bool lazy, int ds, uint8_t *mem, int *index);
void child_region_remove(struct rtcr_child *c, int index);
struct region *child_region_at(struct rtcr_child *c, uint32_t va);
bool child_range_free(const struct rtcr_child *c, uint32_t va, uint32_t pages);

/*
 * Where a checkpoint keeps a page: at its address in the child if it is
 * mapped there (a segment, an attached dataspace); a dataspace that is not
 * attached keeps its pages at DS_KEY_BASE + index * DS_KEY_STRIDE + offset,
 * above user space, where no page of the child can be.
 */
#define DS_KEY_BASE   0x80000000u
#define DS_KEY_STRIDE 0x02000000u   /* 32 MiB, CHILD_RAM_PAGES */
static inline uint32_t ds_key(unsigned index, uint32_t page)
{
	return DS_KEY_BASE + index * DS_KEY_STRIDE + page * PAGE_SIZE;
}
/* RTCR's copy of the page a key names, or NULL. */
uint8_t *child_page_mem(struct rtcr_child *c, uint32_t key);
const struct bootinfo *children_bootinfo(void);
/* The board's devices, as the rules see them. */
const struct rules_devices *children_devices(void);

/* The child's page fault at va (MAP_* access): map it, or say why not.
 * E_OK: the access is retried. R_BAD_FAULT (no memory there, a write to
 * read-only memory, an execute of data) or the kernel's code from mapping,
 * each with what went wrong in the detail. */
rtcr_err child_page_fault(struct rtcr_child *c, uint32_t va, unsigned access,
			  struct rtcr_detail *d);

#endif

/*
 * What the kernel hands the root task: the initial capabilities at fixed
 * selectors, and a read-only boot-info page describing memory and modules.
 */
#ifndef UAPI_BOOTINFO_H
#define UAPI_BOOTINFO_H

enum initial_selector {
	SEL_NULL = 0,
	SEL_TASK = 1,       /* own task */
	SEL_THREAD = 2,     /* own (first) thread */
	SEL_FACTORY = 3,    /* root factory: all kernel memory */
	SEL_SCHED = 4,
	SEL_CONSOLE = 5,
	SEL_PLATFORM = 6,
	SEL_FIRST_FREE = 16
};

#define BOOTINFO_VA     0x7ffff000u  /* boot-info page, read-only */
#define ROOT_UTCB_VA    0x7fffe000u  /* root thread's UTCB */
#define MODULES_VA      0x30000000u  /* boot modules, read-only, page aligned */
#define ROOT_RAM_VA     0x40000000u  /* root's RAM pool, read-write */
#define ROOT_DEVICE_VA  0x70000000u  /* where the root task maps devices for
                                        itself: device n at + n MiB */

#define BOOTINFO_MAGIC  0x4b4f4f42u  /* "BOOK" */
#define BOOTINFO_MODULES_MAX 16u

struct bootinfo_module {
	char name[24];
	unsigned va;        /* where the module is mapped in the root task */
	unsigned size;      /* bytes */
};

#define BOOTINFO_DEVICES_MAX 8u

/* A device a user-level driver may use: map it with PLATFORM_MAP_IO, bind
 * its interrupt to an IRQ object. */
struct bootinfo_device {
	char name[12];
	unsigned phys;      /* registers */
	unsigned size;      /* bytes, whole pages */
	unsigned irq;       /* GIC interrupt number */
	unsigned state;     /* the registers that hold what a driver set up:
	                       bit n = the 32-bit register at offset 4n. A
	                       checkpoint of a task that maps the device keeps
	                       them, and a restore writes them back in order of
	                       n (so it works on another board too) */
};

struct bootinfo {
	unsigned magic;
	unsigned version;
	char board[16];
	unsigned ram_phys, ram_phys_size;   /* the board's RAM (physical) */
	unsigned ram_va;          /* root's RAM pool */
	unsigned ram_size;
	unsigned kmem_quota;      /* quota of the root factory, bytes */
	unsigned tick_us;
	unsigned module_count;
	struct bootinfo_module modules[BOOTINFO_MODULES_MAX];
	unsigned device_count;
	struct bootinfo_device devices[BOOTINFO_DEVICES_MAX];
};

#endif

/*
 * What a child may hold, in one place. The same rules check a live request
 * (a session opened, a timer set, a dataspace attached, a thread created,
 * a program loaded) and every record of an image a restore or a migration
 * builds a task from: a task rebuilt from an image can hold nothing a live
 * task could not have asked for, whoever wrote the image.
 *
 * Plain C over values and image records, without RTCR's state, so the host
 * tests (tests/host/test_rules.c) try every rule. Each check returns E_OK
 * when the value is allowed, else the kernel's code a live request is
 * refused with (E_INVALID_ARG, E_BAD_ADDRESS, ...); the detail (may be
 * NULL) then says what is wrong, for the console.
 */
#ifndef RTCR_RULES_H
#define RTCR_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "uapi/objects.h"
#include "uapi/bootinfo.h"
#include "session_proto.h"
#include "format.h"

#define CHILDREN_MAX       16u
#define CHILD_REGIONS_MAX  16u           /* program segments and attached dataspaces */
#define CHILD_DS_MAX       16u
#define CHILD_RAM_PAGES    8192u         /* RAM quota a child may ask for, 32 MiB */
#define CHILD_IMAGE_TOP    0x10000000u   /* program segments lie below */
#define CHILD_UTCB_TOP     0x7fffe000u   /* UTCB of thread 0; thread n below */
#define CHILD_PRIO         (PRIO_ROOT - 1)
#define SESSIONS_PER_CHILD 24u           /* sessions and gates of its own, each */
#define CHILD_CAPS_MAX     256u          /* capabilities a checkpoint records */
#define IO_MEM_START       0x60000000u   /* where device registers are mapped */
#define IO_MEM_END         0x70000000u
/* A child's clock (microseconds since it first started, on whichever
 * board) stays below this: 285 years, far from where arithmetic on it
 * could overflow. */
#define CHILD_CLOCK_MAX    (1ull << 53)

/* A timer session's mode (its state[0]). */
enum timer_mode { TIMER_OFF, TIMER_MODE_ONESHOT, TIMER_MODE_PERIODIC, TIMER_MODES };

/* The board's devices (the boot info's table): the device index of io_mem
 * and irq sessions is an index into it. */
struct rules_devices {
	const struct bootinfo_device *dev;
	unsigned count;
};

/* A timer in mode with period and its next deadline, now being the child's
 * clock (at the pause, for an image): off has neither; a one-shot is at
 * most 2^32-1 us ahead (what TIMER_ONESHOT can ask); a periodic timer's
 * period is at least TIMER_PERIOD_MIN and its deadline at most a period
 * ahead. A deadline in the past is allowed (RTCR may have been busy when it
 * came): it is due at once, or, for a periodic timer, on its schedule. */
rtcr_err rule_timer(uint32_t mode, uint32_t period, uint64_t deadline, uint64_t now,
		    struct rtcr_detail *d);
/* A signal's kernel state as a checkpoint records it (state[4-5] of timer
 * and irq sessions): raised count, and whether delivered and unacknowledged. */
rtcr_err rule_signal(uint32_t pending, uint32_t masked, struct rtcr_detail *d);
/* A program segment: page aligned, below CHILD_IMAGE_TOP, readable, and
 * never writable and executable at once. */
rtcr_err rule_segment(uint32_t va, uint32_t pages, uint32_t rights, struct rtcr_detail *d);
/* A dataspace of pages attached at va with rights (MAP_R, or MAP_R|MAP_W),
 * in the area the parent picks from. */
rtcr_err rule_attach(uint32_t va, uint32_t pages, uint32_t rights, struct rtcr_detail *d);
rtcr_err rule_attach_rights(uint32_t rights, struct rtcr_detail *d);
/* Device index: registers (io_mem) or an interrupt (irq) to hand out. */
rtcr_err rule_device(const struct rules_devices *devs, uint32_t index, bool regs,
		     struct rtcr_detail *d);
/* The device's registers mapped at va, inside the io_mem area. */
rtcr_err rule_io_mem(const struct rules_devices *devs, uint32_t index, uint32_t va,
		     struct rtcr_detail *d);
/* A thread record: number, UTCB, state, wait, priority. */
rtcr_err rule_thread(const struct ckpt_thread *t, struct rtcr_detail *d);
/* The child's clock offset (its time minus the board's) at board time t. */
rtcr_err rule_clock(int64_t offset, uint64_t t, struct rtcr_detail *d);

/* Arguments a session of kind takes (the rest of its args are 0). */
unsigned rules_session_args(uint32_t kind);

/*
 * A whole image (checked by ckpt_image_check first): every thread,
 * capability and session record by the rules above, and how they fit
 * together: at most SESSIONS_PER_CHILD sessions with one parent, quotas
 * that cover the dataspaces they paid for, threads and sessions that the
 * records name, capabilities of the kinds and rights the live services
 * hand out, memory that does not overlap. Nothing is built before it.
 */
rtcr_err rules_image(const void *img, size_t len, const struct rules_devices *devs,
		     struct rtcr_detail *d);
/* The same for a caller that has checked the image and found its header
 * and sections already (a restore): nothing is read twice. */
rtcr_err rules_records(const struct ckpt_header *h, const struct ckpt_section *threads,
		       const struct ckpt_section *caps, const struct ckpt_section *sessions,
		       const struct rules_devices *devs, struct rtcr_detail *d);

/* The memory an image describes: its segment and dataspace records, in
 * order. An increment never changes the memory map of its base, so a
 * restore keeps its full image's and compares each increment's with it
 * (without walking the full image again: a migration does so in its final
 * round, while the task is stopped). False if img is not a valid image or
 * has more such records than a task may have. */
#define RULES_MEMORY_MAX (CHILD_REGIONS_MAX + CHILD_DS_MAX)
struct rules_memory {
	unsigned n;
	struct ckpt_session rec[RULES_MEMORY_MAX];
};
bool rules_memory_of(const void *img, size_t len, struct rules_memory *out);
/* The same from the SESSIONS section of a checked image. */
bool rules_memory_from(const struct ckpt_section *sessions, struct rules_memory *out);
bool rules_memory_equal(const struct rules_memory *a, const struct rules_memory *b);
/* The two at once: the same memory in both images. */
bool rules_same_memory(const void *a, size_t alen, const void *b, size_t blen);

#endif

/*
 * The Platform object: stopping the machine. Only the root task holds it;
 * user tasks cannot stop the machine unless handed this capability.
 * Under QEMU with -semihosting the exit code reaches the host; otherwise
 * the kernel halts.
 */
#include "invoke.h"
#include "console.h"
#include "task.h"
#include "cspace.h"
#include "vspace.h"
#include "mmu.h"
#include "board.h"

struct kobj platform_object;
bool platform_halting;

#define SEMIHOSTING_SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT  0x20026

static void NORETURN shutdown(uint32_t code)
{
	kprintf("kernel: shutdown, exit code %u\n", (unsigned)code);
	platform_halting = true;   /* without semihosting the svc below traps */
	static uint32_t block[2];
	block[0] = ADP_STOPPED_APPLICATION_EXIT;
	block[1] = code;
	register uint32_t r0 __asm__("r0") = SEMIHOSTING_SYS_EXIT_EXTENDED;
	register uint32_t *r1 __asm__("r1") = block;
	__asm__ volatile("svc 0x123456" : "+r"(r0) : "r"(r1) : "memory");
	kernel_halt();
}

/* Device registers for a user-level driver: not RAM, and none of the pages
 * the kernel drives itself (its UART, GIC and timer). */
static int map_io(struct invocation *inv)
{
	INV_NEED(inv, 4);
	struct cap *c;
	uint32_t pa = inv_word(inv, 1), va = inv_word(inv, 2), pages = inv_word(inv, 3);
	int err = cspace_lookup(inv->caller->task, inv_word(inv, 0), KOBJ_TASK, RIGHT_WRITE, &c);
	if (err)
		return err;
	struct task *t = (struct task *)c->obj;
	if (pages == 0 || pages > 256)
		return E_INVALID_ARG;
	if (!IS_ALIGNED(pa, PAGE_SIZE) || pa > 0xffffffffu - pages * PAGE_SIZE + 1 || !user_range_ok(va, pages))
		return E_BAD_ADDRESS;
	for (uint32_t i = 0; i < pages; i++) {
		uint32_t p = pa + i * PAGE_SIZE, dummy;
		unsigned rights;
		if (p >= BOARD_RAM_BASE && p - BOARD_RAM_BASE < BOARD_RAM_SIZE)
			return E_BAD_ADDRESS;
		if (mmu_is_kernel_device(p))
			return E_BUSY;
		if (vspace_lookup(&t->vs, va + i * PAGE_SIZE, &dummy, &rights) == E_OK)
			return E_ALREADY_MAPPED;
	}
	for (uint32_t i = 0; i < pages; i++) {
		err = vspace_map_page(&t->vs, t->obj.factory, va + i * PAGE_SIZE, pa + i * PAGE_SIZE,
				      MAP_R | MAP_W | MAP_DEVICE);
		if (err) {
			vspace_unmap_range(&t->vs, va, i);
			return err;
		}
	}
	return E_OK;
}

int platform_invoke(struct invocation *inv)
{
	if (!(inv->rights & RIGHT_WRITE))
		return E_NO_RIGHTS;
	switch (inv->op) {
	case PLATFORM_MAP_IO:
		return map_io(inv);
	case PLATFORM_SHUTDOWN:
		INV_NEED(inv, 1);
		shutdown(inv_word(inv, 0));
	default:
		return E_INVALID_OP;
	}
}

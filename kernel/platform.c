/*
 * The Platform object: stopping the machine. Only the root task holds it;
 * user tasks cannot stop the machine unless handed this capability.
 * Under QEMU with -semihosting the exit code reaches the host; otherwise
 * the kernel halts.
 */
#include "invoke.h"
#include "console.h"

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

int platform_invoke(struct invocation *inv)
{
	if (!(inv->rights & RIGHT_WRITE))
		return E_NO_RIGHTS;
	switch (inv->op) {
	case PLATFORM_SHUTDOWN:
		INV_NEED(inv, 1);
		shutdown(inv_word(inv, 0));
	default:
		return E_INVALID_OP;
	}
}

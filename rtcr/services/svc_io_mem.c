/*
 * The io_mem service: a device's registers, mapped in the one task that
 * holds the device (its driver), and kept across checkpoint and restore.
 *
 * Session words (ckpt_session args/state): args[0] device index, args[1]
 * va; state[0] 1 while mapped, state[1..9] the device's set-up registers
 * (board description).
 */
#include "core.h"
#include "string.h"

static const struct bootinfo_device *device(uint32_t index)
{
	const struct bootinfo *bi = children_bootinfo();
	return index < bi->device_count ? &bi->devices[index] : NULL;
}

static rtcr_err io_mem_map(struct session *s)
{
	rtcr_err st = rule_io_mem(children_devices(), s->args[0], s->args[1], NULL);
	if (st)
		return st;
	const struct bootinfo_device *d = device(s->args[0]);
	uint32_t va = s->args[1], pages = d->size / PAGE_SIZE;
	if (!child_range_free(s->child, va, pages))
		return E_BAD_ADDRESS;
	if (device_holder(s->args[0], s->child))
		return E_BUSY;   /* a device has one holder: its registers are its driver's */
	st = k_map_io(SEL_PLATFORM, s->child->task_sel, d->phys, va, pages);
	s->state[0] = st == E_OK;   /* mapped: close unmaps it */
	return st;
}

static rtcr_err io_mem_open(struct session *s, uint32_t *info, unsigned *ninfo)
{
	rtcr_err st = io_mem_map(s);
	if (st)
		return st;
	const struct bootinfo_device *d = device(s->args[0]);
	info[0] = d->phys;
	info[1] = d->size / PAGE_SIZE;
	memset(&info[2], 0, 12);
	memcpy(&info[2], d->name, strnlen(d->name, sizeof(d->name)));
	*ninfo = 5;
	return E_OK;
}

/* ---- a device's set-up, kept across checkpoint and restore ---------------------- */

/* The registers that hold what a driver set up (the board description's
 * state mask) are read at each checkpoint and written back, in order, when
 * the session is rebuilt: a task restored on another board finds the
 * device as it left it (a periodic timer still running). RTCR reads them
 * through a mapping of its own, made on first use. */
#define DEVICE_STATE_MAX (CKPT_SESSION_STATE - 1)   /* state[0] is the mapped flag */

static volatile uint32_t *device_regs(uint32_t index)
{
	static bool mapped[BOOTINFO_DEVICES_MAX];
	const struct bootinfo_device *d = device(index);
	uint32_t va = ROOT_DEVICE_VA + index * 0x100000u;
	if (!d || index >= BOOTINFO_DEVICES_MAX || d->size < PAGE_SIZE)
		return NULL;
	if (!mapped[index] && k_map_io(SEL_PLATFORM, SEL_TASK, d->phys, va, 1) != E_OK)
		return NULL;
	mapped[index] = true;
	return (volatile uint32_t *)(uintptr_t)va;
}

static void io_mem_save(struct session *s)
{
	const struct bootinfo_device *d = device(s->args[0]);
	volatile uint32_t *regs = d && d->state ? device_regs(s->args[0]) : NULL;
	unsigned k = 1;
	for (unsigned n = 0; regs && n < 32 && k <= DEVICE_STATE_MAX; n++)
		if (d->state >> n & 1)
			s->state[k++] = regs[n];
}

static rtcr_err io_mem_restore(struct session *s)
{
	rtcr_err st = io_mem_map(s);
	const struct bootinfo_device *d = device(s->args[0]);
	volatile uint32_t *regs = st == E_OK && d->state ? device_regs(s->args[0]) : NULL;
	unsigned k = 1;
	for (unsigned n = 0; regs && n < 32 && k <= DEVICE_STATE_MAX; n++)
		if (d->state >> n & 1)
			regs[n] = s->state[k++];
	return st;
}

static void io_mem_close(struct session *s)
{
	const struct bootinfo_device *d = device(s->args[0]);
	if (d && s->state[0])
		k_task_unmap(s->child->task_sel, s->args[1], d->size / PAGE_SIZE, MAP_R, UNMAP_SELF);
}

const struct service service_io_mem = {
	.name = "io_mem",
	.kind = CKPT_SESSION_IO_MEM,
	.open = io_mem_open,
	.close = io_mem_close,
	.restore = io_mem_restore,
	.save = io_mem_save,
};

/*
 * The irq service: a device's interrupt line, on an IRQ object attached to
 * one of the child's threads, which it acknowledges itself; only the task
 * that holds the device (its driver) may have it.
 *
 * Session words (ckpt_session args/state): args[0] device index, args[1]
 * signal label, args[2] thread number; state[0] interrupt number,
 * state[4-5] as for the timer (svc_timer.c).
 */
#include "svc.h"

static rtcr_err irq_attach_line(struct session *s, uint32_t sig_sel)
{
	const struct bootinfo *bi = children_bootinfo();
	rtcr_err st = rule_device(children_devices(), s->args[0], false, NULL);
	if (st)
		return st;
	if (device_holder(s->args[0], s->child))
		return E_BUSY;   /* a device has one holder: its interrupt is its driver's */
	s->state[0] = bi->devices[s->args[0]].irq;
	return session_make_irq(s, s->state[0], s->args[2], s->args[1], sig_sel);
}

static rtcr_err irq_open(struct session *s, uint32_t *info, unsigned *ninfo)
{
	rtcr_err st = irq_attach_line(s, s->sig_sel);
	info[0] = s->state[0];
	*ninfo = 1;
	return st;
}

/* The device has kept its own state (a periodic timer kept running); the
 * line is attached again, and a pending interrupt is delivered anew by the
 * device itself. */
static rtcr_err irq_restore(struct session *s)
{
	return irq_attach_line(s, SEL_NULL);
}

const struct service service_irq = {
	.name = "irq",
	.kind = CKPT_SESSION_IRQ,
	.signals = true,
	.open = irq_open,
	.restore = irq_restore,
	.save = signal_save,
};

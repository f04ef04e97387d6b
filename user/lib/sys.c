#include "sys.h"

int k_invoke(uint32_t sel, uint32_t op, const uint32_t *in, unsigned nin,
	     uint32_t *out, unsigned nout, uint32_t timeout)
{
	struct k_msg m = { .tag = MSG_TAG(op, nin, 0) };
	struct utcb *u = k_utcb();
	for (unsigned i = 0; i < nin; i++) {
		if (i < MSG_REG_WORDS)
			m.mr[i] = in[i];
		else
			u->mr[i] = in[i];
	}
	int st = k_syscall(SYS_CALL, sel, timeout, &m);
	for (unsigned i = 0; i < nout && i < MSG_TAG_WORDS(m.tag); i++)
		out[i] = i < MSG_REG_WORDS ? m.mr[i] : u->mr[i];
	return st;
}

#define INVOKE(sel, op, ...) ({ \
	const uint32_t in_[] = { __VA_ARGS__ }; \
	k_invoke((sel), (op), in_, sizeof(in_) / sizeof(in_[0]), NULL, 0, TIMEOUT_NEVER); })

int k_factory_create(uint32_t factory, unsigned type, uint32_t dst_sel, uint32_t arg)
{
	return INVOKE(factory, FACTORY_CREATE, type, dst_sel, arg);
}

int k_task_map(uint32_t task, uint32_t src_task, uint32_t src_va, uint32_t dst_va,
	       uint32_t pages, unsigned rights)
{
	return INVOKE(task, TASK_MAP, src_task, src_va, dst_va, pages, rights);
}

int k_task_unmap(uint32_t task, uint32_t va, uint32_t pages, unsigned rights, unsigned flags)
{
	return INVOKE(task, TASK_UNMAP, va, pages, rights, flags);
}

int k_task_page_info(uint32_t task, uint32_t va, unsigned *rights, unsigned *derived,
		     unsigned *children)
{
	uint32_t r[3] = { 0, 0, 0 };
	int st = k_invoke(task, TASK_PAGE_INFO, &va, 1, r, 3, TIMEOUT_NEVER);
	*rights = r[0];
	*derived = r[1];
	*children = r[2];
	return st;
}

int k_task_page_state(uint32_t task, uint32_t va, unsigned *state)
{
	uint32_t r[4] = { 0 };
	int st = k_invoke(task, TASK_PAGE_INFO, &va, 1, r, 4, TIMEOUT_NEVER);
	*state = r[3];
	return st;
}

int k_task_cap_map(uint32_t task, uint32_t src_sel, uint32_t dst_sel, unsigned rights)
{
	return INVOKE(task, TASK_CAP_MAP, src_sel, dst_sel, rights);
}

int k_factory_info(uint32_t factory, uint32_t *quota, uint32_t *used)
{
	uint32_t r[2] = { 0 };
	int st = k_invoke(factory, FACTORY_INFO, NULL, 0, r, 2, TIMEOUT_NEVER);
	if (quota)
		*quota = r[0];
	if (used)
		*used = r[1];
	return st;
}

int k_task_cap_delete(uint32_t task, uint32_t sel)
{
	return INVOKE(task, TASK_CAP_DELETE, sel);
}

int k_task_cap_revoke(uint32_t task, uint32_t sel)
{
	return INVOKE(task, TASK_CAP_REVOKE, sel);
}

int k_task_cap_identify(uint32_t task, uint32_t sel, unsigned *type, unsigned *rights, uint32_t *id)
{
	uint32_t r[3] = { 0 };
	int st = k_invoke(task, TASK_CAP_IDENTIFY, &sel, 1, r, 3, TIMEOUT_NEVER);
	if (type)
		*type = r[0];
	if (rights)
		*rights = r[1];
	if (id)
		*id = r[2];
	return st;
}

int k_task_cap_compare(uint32_t task, uint32_t a, uint32_t b, bool *same)
{
	uint32_t arg[2] = { a, b }, r = 0;
	int st = k_invoke(task, TASK_CAP_COMPARE, arg, 2, &r, 1, TIMEOUT_NEVER);
	*same = r != 0;
	return st;
}

int k_thread_configure(uint32_t thread, uint32_t task, uint32_t utcb_va, unsigned prio)
{
	return INVOKE(thread, THREAD_CONFIGURE, task, utcb_va, prio);
}

int k_thread_set_regs(uint32_t thread, uint32_t pc, uint32_t sp, uint32_t arg)
{
	return INVOKE(thread, THREAD_SET_REGS, pc, sp, arg);
}

int k_thread_resume(uint32_t thread)
{
	return k_invoke(thread, THREAD_RESUME, NULL, 0, NULL, 0, TIMEOUT_NEVER);
}

int k_thread_suspend(uint32_t thread)
{
	return k_invoke(thread, THREAD_SUSPEND, NULL, 0, NULL, 0, TIMEOUT_NEVER);
}

int k_thread_suspend_restart(uint32_t thread)
{
	return INVOKE(thread, THREAD_SUSPEND, SUSPEND_RESTART);
}

int k_thread_set_priority(uint32_t thread, unsigned prio)
{
	return INVOKE(thread, THREAD_SET_PRIORITY, prio);
}

int k_thread_set_name(uint32_t thread, const char *name)
{
	uint32_t w[2] = { 0, 0 };
	for (unsigned i = 0; i < 8 && name[i]; i++)
		w[i / 4] |= (uint32_t)(uint8_t)name[i] << (8 * (i % 4));
	return k_invoke(thread, THREAD_SET_NAME, w, 2, NULL, 0, TIMEOUT_NEVER);
}

int k_thread_abort_ipc(uint32_t thread)
{
	return k_invoke(thread, THREAD_ABORT_IPC, NULL, 0, NULL, 0, TIMEOUT_NEVER);
}

int k_gate_create(uint32_t factory, uint32_t dst_sel, uint32_t label, uint32_t thread)
{
	return INVOKE(factory, FACTORY_CREATE, KOBJ_GATE, dst_sel, label, thread);
}

int k_gate_bind(uint32_t gate, uint32_t thread)
{
	return INVOKE(gate, GATE_BIND, thread);
}

int k_thread_info(uint32_t thread, struct k_thread_info *info)
{
	uint32_t r[6] = { 0 };
	int st = k_invoke(thread, THREAD_INFO, NULL, 0, r, 6, TIMEOUT_NEVER);
	*info = (struct k_thread_info){ .id = r[0], .task = r[1], .state = r[2], .prio = r[3],
					.wait = r[4], .in_fault = r[5] };
	return st;
}

int k_sched_thread_info(uint32_t sched, uint32_t index, struct k_thread_info *info)
{
	uint32_t r[7] = { 0 };
	int st = k_invoke(sched, SCHED_THREAD_INFO, &index, 1, r, 7, TIMEOUT_NEVER);
	*info = (struct k_thread_info){ .id = r[0], .task = r[1], .state = r[2], .prio = r[3],
					.run_ticks = r[4] };
	for (unsigned i = 0; i < 8; i++)
		info->name[i] = (char)(r[5 + i / 4] >> (8 * (i % 4)));
	info->name[8] = 0;
	return st;
}

uint64_t k_time_us(void)
{
	uint32_t r[2] = { 0, 0 };
	k_invoke(SEL_SCHED, SCHED_TIME, NULL, 0, r, 2, TIMEOUT_NEVER);
	return ((uint64_t)r[1] << 32) | r[0];
}

int k_console_write(uint32_t console, const char *buf, size_t len)
{
	const size_t chunk = (MSG_WORDS_MAX - 1) * 4;
	uint32_t w[MSG_WORDS_MAX];
	while (len) {
		size_t n = len < chunk ? len : chunk;
		for (size_t i = 0; i < (n + 3) / 4; i++)
			w[1 + i] = 0;
		for (size_t i = 0; i < n; i++)
			w[1 + i / 4] |= (uint32_t)(uint8_t)buf[i] << (8 * (i % 4));
		w[0] = n;
		int st = k_invoke(console, CONSOLE_WRITE, w, 1 + (n + 3) / 4, NULL, 0, TIMEOUT_NEVER);
		if (st)
			return st;
		buf += n;
		len -= n;
	}
	return E_OK;
}

int k_console_read(uint32_t console, char *buf, size_t max, size_t *len, uint32_t timeout)
{
	uint32_t w[MSG_WORDS_MAX];
	uint32_t want = max < (MSG_WORDS_MAX - 1) * 4 ? max : (MSG_WORDS_MAX - 1) * 4;
	*len = 0;
	int st = k_invoke(console, CONSOLE_READ, &want, 1, w, MSG_WORDS_MAX, timeout);
	if (st)
		return st;
	size_t n = w[0] <= want ? w[0] : want;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(w[1 + i / 4] >> (8 * (i % 4)));
	*len = n;
	return E_OK;
}

int k_shutdown(uint32_t platform, uint32_t code)
{
	return INVOKE(platform, PLATFORM_SHUTDOWN, code);
}

int k_thread_read_regs(uint32_t thread, uint32_t regs[THREAD_REGS_WORDS])
{
	return k_invoke(thread, THREAD_READ_REGS, NULL, 0, regs, THREAD_REGS_WORDS, TIMEOUT_NEVER);
}

int k_thread_write_regs(uint32_t thread, const uint32_t regs[THREAD_REGS_WORDS])
{
	return k_invoke(thread, THREAD_WRITE_REGS, regs, THREAD_REGS_WORDS, NULL, 0, TIMEOUT_NEVER);
}

int k_thread_utcb_read(uint32_t thread, uint32_t first, uint32_t count, uint32_t *out)
{
	uint32_t in[2] = { first, count };
	return k_invoke(thread, THREAD_UTCB_READ, in, 2, out, count, TIMEOUT_NEVER);
}

int k_thread_utcb_write(uint32_t thread, uint32_t first, uint32_t count, const uint32_t *in)
{
	uint32_t w[MSG_WORDS_MAX] = { first, count };
	if (count > MSG_WORDS_MAX - 2)
		return E_INVALID_ARG;
	for (uint32_t i = 0; i < count; i++)
		w[2 + i] = in[i];
	return k_invoke(thread, THREAD_UTCB_WRITE, w, 2 + count, NULL, 0, TIMEOUT_NEVER);
}

int k_thread_utcb_save(uint32_t thread, uint32_t out[UTCB_WORDS])
{
	int st = k_thread_utcb_read(thread, 0, UTCB_XFER_MAX, out);
	return st ? st : k_thread_utcb_read(thread, UTCB_XFER_MAX, UTCB_WORDS - UTCB_XFER_MAX,
					    out + UTCB_XFER_MAX);
}

int k_thread_utcb_load(uint32_t thread, const uint32_t in[UTCB_WORDS])
{
	int st = k_thread_utcb_write(thread, 0, UTCB_XFER_MAX, in);
	return st ? st : k_thread_utcb_write(thread, UTCB_XFER_MAX, UTCB_WORDS - UTCB_XFER_MAX,
					     in + UTCB_XFER_MAX);
}

int k_task_info(uint32_t task, uint32_t *id)
{
	uint32_t r[2] = { 0, 0 };
	int st = k_invoke(task, TASK_INFO, NULL, 0, r, 2, TIMEOUT_NEVER);
	*id = r[0];
	return st;
}

int k_task_cap_info(uint32_t task, uint32_t from, struct k_cap_info *info)
{
	uint32_t r[5] = { 0 };
	int st = k_invoke(task, TASK_CAP_INFO, &from, 1, r, 5, TIMEOUT_NEVER);
	*info = (struct k_cap_info){ r[0], r[1], r[2], r[3], r[4] };
	return st;
}

int k_thread_set_handlers(uint32_t thread, uint32_t pager, uint32_t exc_handler)
{
	return INVOKE(thread, THREAD_SET_HANDLERS, pager, exc_handler);
}

int k_map_io(uint32_t platform, uint32_t task, uint32_t phys, uint32_t va, uint32_t pages)
{
	return INVOKE(platform, PLATFORM_MAP_IO, task, phys, va, pages);
}

int k_irq_create(uint32_t factory, uint32_t dst_sel, uint32_t line)
{
	return INVOKE(factory, FACTORY_CREATE, KOBJ_IRQ, dst_sel, line);
}

int k_irq_attach(uint32_t irq, uint32_t thread, uint32_t label)
{
	return INVOKE(irq, IRQ_ATTACH, thread, label);
}

int k_irq_ack(uint32_t irq)
{
	return k_invoke(irq, IRQ_ACK, NULL, 0, NULL, 0, TIMEOUT_NEVER);
}

int k_irq_trigger(uint32_t irq)
{
	return k_invoke(irq, IRQ_TRIGGER, NULL, 0, NULL, 0, TIMEOUT_NEVER);
}

int k_irq_detach(uint32_t irq)
{
	return k_invoke(irq, IRQ_DETACH, NULL, 0, NULL, 0, TIMEOUT_NEVER);
}

int k_irq_info(uint32_t irq, struct k_irq_info *info)
{
	uint32_t r[5] = { 0 };
	int st = k_invoke(irq, IRQ_INFO, NULL, 0, r, 5, TIMEOUT_NEVER);
	*info = (struct k_irq_info){ r[0], r[1], r[2], r[3], r[4] };
	return st;
}

int k_dirty_track(uint32_t task, uint32_t va, uint32_t pages)
{
	return INVOKE(task, TASK_DIRTY_TRACK, va, pages);
}

int k_dirty_stop(uint32_t task, uint32_t va, uint32_t pages)
{
	return INVOKE(task, TASK_DIRTY_STOP, va, pages);
}

int k_dirty_collect(uint32_t task, uint32_t va, uint32_t pages, uint32_t *bitmap)
{
	return k_dirty_collect_flags(task, va, pages, 0, bitmap);
}

int k_dirty_track_flags(uint32_t task, uint32_t va, uint32_t pages, unsigned flags)
{
	return INVOKE(task, TASK_DIRTY_TRACK, va, pages, flags);
}

int k_dirty_collect_flags(uint32_t task, uint32_t va, uint32_t pages, unsigned flags,
			  uint32_t *bitmap)
{
	uint32_t in[3] = { va, pages, flags };
	return k_invoke(task, TASK_DIRTY_COLLECT, in, 3, bitmap, (pages + 31) / 32, TIMEOUT_NEVER);
}

int k_dirty_log(uint32_t task, uint32_t capacity)
{
	return INVOKE(task, TASK_DIRTY_LOG, capacity);
}

int k_dirty_drain(uint32_t task, unsigned flags, uint32_t *vas, unsigned *n, unsigned *status)
{
	uint32_t r[2 + DIRTY_DRAIN_MAX] = { 0 }, in = flags;
	int st = k_invoke(task, TASK_DIRTY_DRAIN, &in, 1, r, 2 + DIRTY_DRAIN_MAX, TIMEOUT_NEVER);
	*n = r[0] <= DIRTY_DRAIN_MAX ? r[0] : DIRTY_DRAIN_MAX;
	*status = r[1];
	for (unsigned i = 0; i < *n; i++)
		vas[i] = r[2 + i];
	return st;
}

int k_snapshot_done(uint32_t task, uint32_t va, uint32_t pages)
{
	return INVOKE(task, TASK_SNAPSHOT_DONE, va, pages);
}

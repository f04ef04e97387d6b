/* The child's side of the session protocol (session.h). */
#include "session.h"
#include "rpc.h"
#include "stdio.h"
#include "string.h"
#include "selalloc.h"

static void pack_name(const char *name, uint32_t *w, unsigned words)
{
	memset(w, 0, words * 4);
	for (unsigned i = 0; i < words * 4 && name[i]; i++)
		w[i / 4] |= (uint32_t)(uint8_t)name[i] << (8 * (i % 4));
}

int session_open(const char *service, uint32_t sel, uint32_t sig, const uint32_t *args,
		 unsigned nargs, uint32_t *info, unsigned ninfo)
{
	uint32_t in[4 + SESSION_ARGS_MAX];
	if (nargs > SESSION_ARGS_MAX || strlen(service) > SERVICE_NAME_MAX)
		return E_INVALID_ARG;
	pack_name(service, in, 2);
	in[2] = sel;
	in[3] = sig;
	for (unsigned i = 0; i < nargs; i++)
		in[4 + i] = args[i];
	return rpc_call(CHILD_SEL_PARENT, PARENT_SESSION, in, 4 + nargs, info, ninfo, NULL,
			TIMEOUT_NEVER);
}

int parent_device(uint32_t index, struct device_info *out)
{
	uint32_t w[5] = { 0 };
	int st = rpc_call(CHILD_SEL_PARENT, PARENT_DEVICE, &index, 1, w, 5, NULL, TIMEOUT_NEVER);
	if (st)
		return st;
	memcpy(out->name, w, 12);
	out->name[12] = 0;
	out->pages = w[3];
	out->irq = w[4];
	return E_OK;
}

int parent_device_find(const char *name, uint32_t *index, struct device_info *out)
{
	struct device_info d;
	int st;
	for (uint32_t i = 0; (st = parent_device(i, &d)) == E_OK; i++)
		if (strcmp(d.name, name) == 0) {
			*index = i;
			if (out)
				*out = d;
			return E_OK;
		}
	return st;
}

/* ---- log ------------------------------------------------------------------ */

static uint32_t log_sel;

int log_write(uint32_t log, const char *text, size_t len)
{
	uint32_t in[1 + LOG_WRITE_MAX / 4];
	while (len) {
		size_t n = len < LOG_WRITE_MAX ? len : LOG_WRITE_MAX;
		memset(in, 0, sizeof(in));
		in[0] = (uint32_t)n;
		memcpy(&in[1], text, n);
		int st = rpc_call(log, LOG_WRITE, in, 1 + (unsigned)(n + 3) / 4, NULL, 0, NULL,
				  TIMEOUT_NEVER);
		if (st)
			return st;
		text += n;
		len -= n;
	}
	return E_OK;
}

static void log_out(const char *text, size_t len)
{
	log_write(log_sel, text, len);
}

int session_log_init(void)
{
	uint32_t sel = sel_alloc();
	int st = session_open("log", sel, SEL_NULL, NULL, 0, NULL, 0);
	if (st)
		return st;
	log_sel = sel;
	stdout_fn = log_out;
	return E_OK;
}

/* ---- ram and rm ----------------------------------------------------------- */

static int call1(uint32_t sel, uint32_t op, const uint32_t *in, unsigned nin, uint32_t *out)
{
	return rpc_call(sel, op, in, nin, out, out ? 1 : 0, NULL, TIMEOUT_NEVER);
}

int ram_alloc(uint32_t ram, unsigned pages, uint32_t *ds)
{
	uint32_t in[1] = { pages };
	return call1(ram, RAM_ALLOC, in, 1, ds);
}

int ram_free(uint32_t ram, uint32_t ds)
{
	return call1(ram, RAM_FREE, &ds, 1, NULL);
}

int rm_attach(uint32_t rm, uint32_t ds, uint32_t va, unsigned rights, uint32_t *at)
{
	uint32_t in[3] = { ds, va, rights };
	return call1(rm, RM_ATTACH, in, 3, at);
}

int ram_dataspace(unsigned pages, uint32_t *va)
{
	uint32_t ram = sel_alloc(), rm = sel_alloc(), quota = pages, ds;
	int st = session_open("ram", ram, SEL_NULL, &quota, 1, NULL, 0);
	if (!st)
		st = session_open("rm", rm, SEL_NULL, NULL, 0, NULL, 0);
	if (!st)
		st = ram_alloc(ram, pages, &ds);
	return st ? st : rm_attach(rm, ds, 0, MAP_R | MAP_W, va);
}

int rm_detach(uint32_t rm, uint32_t va)
{
	return call1(rm, RM_DETACH, &va, 1, NULL);
}

/* ---- timer and signals ---------------------------------------------------- */

int timer_now(uint32_t timer, uint64_t *now)
{
	uint32_t out[2];
	unsigned n = 0;
	int st = rpc_call(timer, TIMER_NOW, NULL, 0, out, 2, &n, TIMEOUT_NEVER);
	if (st == E_OK && n != 2)
		st = E_INVALID_ARG;
	if (st == E_OK)
		*now = out[0] | (uint64_t)out[1] << 32;
	return st;
}

int timer_oneshot(uint32_t timer, uint32_t us)
{
	return call1(timer, TIMER_ONESHOT, &us, 1, NULL);
}

int timer_periodic(uint32_t timer, uint32_t period_us)
{
	return call1(timer, TIMER_PERIODIC, &period_us, 1, NULL);
}

int timer_stop(uint32_t timer)
{
	return call1(timer, TIMER_STOP, NULL, 0, NULL);
}

int signal_wait(uint32_t sig, uint32_t label, uint32_t *count)
{
	struct k_msg m;
	for (;;) {
		m = (struct k_msg){ 0 };
		int st = k_wait(&m, TIMEOUT_NEVER);
		if (st != E_OK)
			return st;
		if (MSG_TAG_LABEL(m.tag) == MSG_IRQ && m.label == label)
			break;
	}
	if (count)
		*count = m.mr[0];
	return k_irq_ack(sig);
}

int timer_sleep_us(uint32_t timer, uint32_t sig, uint32_t label, uint32_t us)
{
	int st = timer_oneshot(timer, us);
	return st ? st : signal_wait(sig, label, NULL);
}

/* ---- cpu ------------------------------------------------------------------ */

int cpu_thread_create(uint32_t cpu, void (*entry)(uint32_t), void *stack_top, uint32_t arg,
		      const char *name, uint32_t *number)
{
	uint32_t in[5] = { (uint32_t)(uintptr_t)entry, (uint32_t)(uintptr_t)stack_top, arg };
	pack_name(name, &in[3], 2);
	return call1(cpu, CPU_THREAD_CREATE, in, 5, number);
}

int cpu_gate_create(uint32_t cpu, uint32_t label, uint32_t thread, uint32_t sel)
{
	uint32_t in[3] = { label, thread, sel };
	return call1(cpu, CPU_GATE_CREATE, in, 3, NULL);
}

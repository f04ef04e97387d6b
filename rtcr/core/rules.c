#include "rules.h"
#include <string.h>

rtcr_err rule_timer(uint32_t mode, uint32_t period, uint64_t deadline, uint64_t now,
		    struct rtcr_detail *d)
{
	switch (mode) {
	case TIMER_OFF:
		if (period || deadline)
			return rtcr_fail(d, E_INVALID_ARG, "a timer that is off with a period "
					 "or a deadline");
		return E_OK;
	case TIMER_MODE_ONESHOT:
		if (period)
			return rtcr_fail(d, E_INVALID_ARG, "a one-shot timer with a period");
		if (!deadline || deadline - 1 >= now + 0xffffffffull)
			return rtcr_fail(d, E_INVALID_ARG, "a one-shot timer's deadline more "
					 "than 2^32-1 us ahead");
		return E_OK;
	case TIMER_MODE_PERIODIC:
		if (period < TIMER_PERIOD_MIN)
			return rtcr_fail(d, E_INVALID_ARG, "a timer period of %u us (at least "
					 "%u)", (unsigned)period, TIMER_PERIOD_MIN);
		if (!deadline || deadline - 1 >= now + period)
			return rtcr_fail(d, E_INVALID_ARG, "a periodic timer's deadline more "
					 "than a period ahead");
		return E_OK;
	default:
		return rtcr_fail(d, E_INVALID_ARG, "timer mode %u (0 off, 1 one-shot, "
				 "2 periodic)", (unsigned)mode);
	}
}

rtcr_err rule_signal(uint32_t pending, uint32_t masked, struct rtcr_detail *d)
{
	(void)pending;   /* any count: a restore raises the signal once */
	if (masked > 1)
		return rtcr_fail(d, E_INVALID_ARG, "a signal's delivered flag is %u",
				 (unsigned)masked);
	return E_OK;
}

/* [va, va + pages) lies within [lo, hi), without overflow. */
static bool within(uint32_t va, uint32_t pages, uint32_t lo, uint32_t hi)
{
	return va >= lo && va <= hi && pages <= (hi - va) / PAGE_SIZE;
}

rtcr_err rule_segment(uint32_t va, uint32_t pages, uint32_t rights, struct rtcr_detail *d)
{
	if (va % PAGE_SIZE || pages == 0 || !within(va, pages, PAGE_SIZE, CHILD_IMAGE_TOP))
		return rtcr_fail(d, E_BAD_ADDRESS, "a segment at %08x of %u pages (below "
				 "%08x)", (unsigned)va, (unsigned)pages, CHILD_IMAGE_TOP);
	if (!(rights & MAP_R) || (rights & ~(MAP_R | MAP_W | MAP_X)))
		return rtcr_fail(d, E_INVALID_ARG, "a segment at %08x with rights %x",
				 (unsigned)va, (unsigned)rights);
	if ((rights & MAP_W) && (rights & MAP_X))
		return rtcr_fail(d, E_INVALID_ARG, "a segment at %08x both writable and "
				 "executable", (unsigned)va);
	return E_OK;
}

rtcr_err rule_attach_rights(uint32_t rights, struct rtcr_detail *d)
{
	if (!(rights & MAP_R) || (rights & ~(MAP_R | MAP_W)))
		return rtcr_fail(d, E_INVALID_ARG, "a dataspace attached with rights %x",
				 (unsigned)rights);
	return E_OK;
}

rtcr_err rule_attach(uint32_t va, uint32_t pages, uint32_t rights, struct rtcr_detail *d)
{
	rtcr_err err = rule_attach_rights(rights, d);
	if (err)
		return err;
	if (va % PAGE_SIZE || pages == 0 || !within(va, pages, RM_AREA_START, RM_AREA_END))
		return rtcr_fail(d, E_BAD_ADDRESS, "a dataspace of %u pages attached at "
				 "%08x (%08x-%08x)", (unsigned)pages, (unsigned)va, RM_AREA_START,
				 RM_AREA_END);
	return E_OK;
}

rtcr_err rule_device(const struct rules_devices *devs, uint32_t index, bool regs,
		     struct rtcr_detail *d)
{
	if (index >= devs->count)
		return rtcr_fail(d, E_NOT_FOUND, "no device %u (this board has %u)",
				 (unsigned)index, devs->count);
	const struct bootinfo_device *dev = &devs->dev[index];
	if (regs ? dev->size < PAGE_SIZE : dev->irq == 0)
		return rtcr_fail(d, E_NOT_FOUND, "device %u (%.12s) has no %s", (unsigned)index,
				 dev->name, regs ? "registers" : "interrupt");
	return E_OK;
}

rtcr_err rule_io_mem(const struct rules_devices *devs, uint32_t index, uint32_t va,
		     struct rtcr_detail *d)
{
	rtcr_err err = rule_device(devs, index, true, d);
	if (err)
		return err;
	uint32_t pages = devs->dev[index].size / PAGE_SIZE;
	if (va % PAGE_SIZE || !within(va, pages, IO_MEM_START, IO_MEM_END))
		return rtcr_fail(d, E_BAD_ADDRESS, "device registers at %08x (%08x-%08x)",
				 (unsigned)va, IO_MEM_START, IO_MEM_END);
	return E_OK;
}

rtcr_err rule_thread(const struct ckpt_thread *t, struct rtcr_detail *d)
{
	if (t->index >= CPU_THREADS_MAX || t->utcb_va != CHILD_UTCB_TOP - t->index * PAGE_SIZE)
		return rtcr_fail(d, E_INVALID_ARG, "thread %u with its UTCB at %08x",
				 (unsigned)t->index, (unsigned)t->utcb_va);
	/* What a child's thread can be in at a pause: never the idle
	 * thread, never a state this kernel does not have. */
	if (t->state >= TS_IDLE)
		return rtcr_fail(d, E_INVALID_ARG, "thread %u in state %u",
				 (unsigned)t->index, (unsigned)t->state);
	bool blocked = t->state == TS_BLOCKED;
	if (blocked ? (t->wait_kind == WAIT_NONE || t->wait_kind > WAIT_EVENT) :
		      t->wait_kind != WAIT_NONE)
		return rtcr_fail(d, E_INVALID_ARG, "thread %u (%s) waiting for %u",
				 (unsigned)t->index, thread_state_name(t->state),
				 (unsigned)t->wait_kind);
	if (t->priority == 0 || t->priority > CHILD_PRIO)
		return rtcr_fail(d, E_INVALID_ARG, "thread %u at priority %u (1-%u)",
				 (unsigned)t->index, (unsigned)t->priority, CHILD_PRIO);
	return E_OK;
}

rtcr_err rule_clock(int64_t offset, uint64_t t, struct rtcr_detail *d)
{
	/* The child's time, t + offset, lies in [0, CHILD_CLOCK_MAX]; compared
	 * without forming a sum that could overflow. */
	bool bad = t > CHILD_CLOCK_MAX;
	if (!bad && offset < 0)
		bad = (uint64_t)-(offset + 1) + 1 > t;   /* -offset, even for INT64_MIN */
	else if (!bad)
		bad = (uint64_t)offset > CHILD_CLOCK_MAX - t;
	if (bad)
		return rtcr_fail(d, E_INVALID_ARG, "a clock offset of %lld us at %llu us",
				 (long long)offset, (unsigned long long)t);
	return E_OK;
}

/* ---- a whole image -------------------------------------------------------------- */

/* Words of args and state each kind of session uses; the others are zero,
 * as a live session leaves them. An io_mem session's state holds as many
 * registers as its device names (check_io_mem). */
static const uint8_t args_used[CKPT_SESSION_KINDS] = {
	[CKPT_SESSION_RAM] = 1, [CKPT_SESSION_TIMER] = 2, [CKPT_SESSION_IRQ] = 3,
	[CKPT_SESSION_GATE] = 3, [CKPT_SESSION_IO_MEM] = 2, [CKPT_SESSION_DATASPACE] = 3,
	[CKPT_SESSION_SEGMENT] = 3,
};
static const uint8_t state_used[CKPT_SESSION_KINDS] = {
	[CKPT_SESSION_LOG] = 1, [CKPT_SESSION_RAM] = 1, [CKPT_SESSION_TIMER] = 6,
	[CKPT_SESSION_IRQ] = 6, [CKPT_SESSION_PARENT] = 2, [CKPT_SESSION_IO_MEM] = 1,
	[CKPT_SESSION_DATASPACE] = 2,
};

static const char *const kind_names[CKPT_SESSION_KINDS] = {
	"?", "log", "ram", "rm", "timer", "irq", "gate", "parent", "io_mem", "cpu",
	"dataspace", "segment",
};

unsigned rules_session_args(uint32_t kind)
{
	return kind < CKPT_SESSION_KINDS ? args_used[kind] : 0;
}

static bool memory_kind(uint32_t kind)
{
	return kind == CKPT_SESSION_DATASPACE || kind == CKPT_SESSION_SEGMENT;
}

/* The records a whole-image check looks at, bounded before it loops over
 * pairs of them. */
struct view {
	struct ckpt_header h;
	struct ckpt_section threads, caps, sessions;
	uint32_t thread_mask;      /* bit n: thread n is in the image */
	uint64_t child_now;        /* the child's clock at the pause */
	const struct rules_devices *dev;
	struct rtcr_detail *d;
};

static void session_at(const struct view *v, uint32_t i, struct ckpt_session *s)
{
	ckpt_get_session(&v->sessions, i, s);
}

/* The session (not memory) with id, or false. */
static bool session_with_id(const struct view *v, uint32_t id, struct ckpt_session *out)
{
	for (uint32_t i = 0; i < v->sessions.count; i++) {
		session_at(v, i, out);
		if (!memory_kind(out->kind) && out->id == id)
			return true;
	}
	return false;
}

static rtcr_err check_threads(struct view *v)
{
	if (v->threads.count == 0 || v->threads.count > CPU_THREADS_MAX)
		return rtcr_fail(v->d, E_INVALID_ARG, "%u threads (1-%u)",
				 (unsigned)v->threads.count, CPU_THREADS_MAX);
	for (uint32_t i = 0; i < v->threads.count; i++) {
		struct ckpt_thread t;
		ckpt_get_thread(&v->threads, i, &t);
		rtcr_err err = rule_thread(&t, v->d);
		if (err)
			return err;
		if (v->thread_mask >> t.index & 1)
			return rtcr_fail(v->d, E_INVALID_ARG, "thread %u twice",
					 (unsigned)t.index);
		v->thread_mask |= 1u << t.index;
	}
	if (!(v->thread_mask & 1))
		return rtcr_fail(v->d, E_INVALID_ARG, "no thread 0");
	return E_OK;
}

static rtcr_err thread_named(const struct view *v, uint32_t n, const struct ckpt_session *s)
{
	if (n < CPU_THREADS_MAX && (v->thread_mask >> n & 1))
		return E_OK;
	return rtcr_fail(v->d, E_INVALID_ARG, "%s session %u names thread %u, which the image "
			 "does not have", kind_names[s->kind], (unsigned)s->id, (unsigned)n);
}

/* How many of each kind, every id once, the unused words zero, the parent
 * there once: what every later check may count on. */
static rtcr_err check_session_shape(struct view *v)
{
	unsigned count[CKPT_SESSION_KINDS] = { 0 }, live = 0;
	for (uint32_t i = 0; i < v->sessions.count; i++) {
		struct ckpt_session s, other;
		session_at(v, i, &s);
		if (s.kind == 0 || s.kind >= CKPT_SESSION_KINDS)
			return rtcr_fail(v->d, E_INVALID_ARG, "session %u of unknown kind %u",
					 (unsigned)s.id, (unsigned)s.kind);
		live += !memory_kind(s.kind);
		if (++count[s.kind] > CHILD_DS_MAX + CHILD_REGIONS_MAX || live > SESSIONS_PER_CHILD)
			return rtcr_fail(v->d, E_NO_MEMORY, "more sessions than a task may "
					 "have (%u)", SESSIONS_PER_CHILD);
		unsigned nstate = s.kind == CKPT_SESSION_IO_MEM ? CKPT_SESSION_STATE : state_used[s.kind];
		for (unsigned k = args_used[s.kind]; k < CKPT_SESSION_ARGS; k++)
			if (s.args[k])
				return rtcr_fail(v->d, E_INVALID_ARG, "%s session %u: argument %u "
						 "is %u, not 0", kind_names[s.kind], (unsigned)s.id,
						 k, (unsigned)s.args[k]);
		for (unsigned k = nstate; k < CKPT_SESSION_STATE; k++)
			if (s.state[k])
				return rtcr_fail(v->d, E_INVALID_ARG, "%s session %u: state word "
						 "%u is %u, not 0", kind_names[s.kind], (unsigned)s.id,
						 k, (unsigned)s.state[k]);
		for (uint32_t j = 0; j < i; j++) {
			session_at(v, j, &other);
			if (other.id == s.id && (memory_kind(s.kind) ? other.kind == s.kind :
						 !memory_kind(other.kind)))
				return rtcr_fail(v->d, E_INVALID_ARG, "%s %u twice",
						 kind_names[s.kind], (unsigned)s.id);
		}
	}
	if (count[CKPT_SESSION_PARENT] != 1)
		return rtcr_fail(v->d, E_INVALID_ARG, "%u parent sessions (1)",
				 count[CKPT_SESSION_PARENT]);
	if (count[CKPT_SESSION_DATASPACE] > CHILD_DS_MAX ||
	    count[CKPT_SESSION_SEGMENT] > CHILD_REGIONS_MAX)
		return rtcr_fail(v->d, E_NO_MEMORY, "%u dataspaces and %u segments (at most "
				 "%u and %u)", count[CKPT_SESSION_DATASPACE],
				 count[CKPT_SESSION_SEGMENT], CHILD_DS_MAX, CHILD_REGIONS_MAX);
	return E_OK;
}

/* The pages of the dataspaces a RAM session paid for (not checked yet:
 * summed so that no count of them can wrap). */
static uint64_t ram_used(const struct view *v, uint32_t ram_id)
{
	uint64_t pages = 0;
	for (uint32_t i = 0; i < v->sessions.count; i++) {
		struct ckpt_session s;
		session_at(v, i, &s);
		if (s.kind == CKPT_SESSION_DATASPACE && s.args[2] == ram_id)
			pages += s.args[1];
	}
	return pages;
}

static rtcr_err check_ram(const struct view *v, const struct ckpt_session *s, uint32_t *quota)
{
	if (s->args[0] > CHILD_RAM_PAGES - *quota)
		return rtcr_fail(v->d, E_NO_MEMORY, "RAM quotas of more than %u pages",
				 CHILD_RAM_PAGES);
	*quota += s->args[0];
	uint64_t used = ram_used(v, s->id);
	if (s->state[0] != used || used > s->args[0])
		return rtcr_fail(v->d, E_NO_MEMORY, "ram session %u: %llu pages in dataspaces, "
				 "%u in use, a quota of %u", (unsigned)s->id, (unsigned long long)used,
				 (unsigned)s->state[0], (unsigned)s->args[0]);
	return E_OK;
}

static rtcr_err check_signal_session(const struct view *v, const struct ckpt_session *s)
{
	uint64_t deadline = s->state[2] | (uint64_t)s->state[3] << 32;
	rtcr_err err = s->kind == CKPT_SESSION_TIMER ?
		       rule_timer(s->state[0], s->state[1], deadline, v->child_now, v->d) :
		       rule_device(v->dev, s->args[0], false, v->d);
	if (!err && s->kind == CKPT_SESSION_IRQ && (s->state[1] || deadline))
		err = rtcr_fail(v->d, E_INVALID_ARG, "irq session %u with a timer's state",
				(unsigned)s->id);
	if (!err)
		err = rule_signal(s->state[4], s->state[5], v->d);
	if (!err)
		err = thread_named(v, s->kind == CKPT_SESSION_TIMER ? s->args[1] : s->args[2], s);
	return err;
}

static rtcr_err check_io_mem(const struct view *v, const struct ckpt_session *s)
{
	rtcr_err err = rule_io_mem(v->dev, s->args[0], s->args[1], v->d);
	if (err)
		return err;
	unsigned regs = 0;
	for (uint32_t mask = v->dev->dev[s->args[0]].state; mask; mask &= mask - 1)
		regs++;
	if (s->state[0] > 1)
		return rtcr_fail(v->d, E_INVALID_ARG, "io_mem session %u: mapped flag %u",
				 (unsigned)s->id, (unsigned)s->state[0]);
	for (unsigned k = 1 + regs; k < CKPT_SESSION_STATE; k++)
		if (s->state[k])
			return rtcr_fail(v->d, E_INVALID_ARG, "io_mem session %u: register "
					 "word %u for a device with %u", (unsigned)s->id, k, regs);
	return E_OK;
}

static rtcr_err check_dataspace(const struct view *v, const struct ckpt_session *s)
{
	struct ckpt_session ram;
	uint32_t index = s->args[0], pages = s->args[1], va = s->state[0], rights = s->state[1];
	if (s->id != index || index >= CHILD_DS_MAX || pages == 0 || pages > CHILD_RAM_PAGES)
		return rtcr_fail(v->d, E_INVALID_ARG, "dataspace %u of %u pages",
				 (unsigned)index, (unsigned)pages);
	if (!session_with_id(v, s->args[2], &ram) || ram.kind != CKPT_SESSION_RAM)
		return rtcr_fail(v->d, E_INVALID_ARG, "dataspace %u names no ram session",
				 (unsigned)index);
	if (!va && rights)
		return rtcr_fail(v->d, E_INVALID_ARG, "dataspace %u not attached, with "
				 "rights %x", (unsigned)index, (unsigned)rights);
	return va ? rule_attach(va, pages, rights, v->d) : E_OK;
}

/* One session record by its kind's rules. *quota adds up the RAM quotas. */
static rtcr_err check_session(const struct view *v, const struct ckpt_session *s, uint32_t *quota)
{
	struct ckpt_session cpu;
	switch (s->kind) {
	case CKPT_SESSION_RAM:
		return check_ram(v, s, quota);
	case CKPT_SESSION_TIMER:
	case CKPT_SESSION_IRQ:
		return check_signal_session(v, s);
	case CKPT_SESSION_GATE:
		if (!session_with_id(v, s->args[2], &cpu) || cpu.kind != CKPT_SESSION_CPU)
			return rtcr_fail(v->d, E_INVALID_ARG, "gate %u names no cpu session",
					 (unsigned)s->id);
		return thread_named(v, s->args[1], s);
	case CKPT_SESSION_IO_MEM:
		return check_io_mem(v, s);
	case CKPT_SESSION_DATASPACE:
		return check_dataspace(v, s);
	case CKPT_SESSION_SEGMENT:
		if (s->id >= CHILD_REGIONS_MAX)
			return rtcr_fail(v->d, E_INVALID_ARG, "segment %u", (unsigned)s->id);
		return rule_segment(s->args[0], s->args[1], s->args[2], v->d);
	default:
		return E_OK;   /* log, rm, cpu: nothing but their shape; parent: the clock */
	}
}

/* The parent session's clock offset, by the clock rule; the child's time
 * at the pause then bounds its timers. */
static rtcr_err check_clock(struct view *v)
{
	struct ckpt_session s;
	for (uint32_t i = 0; i < v->sessions.count; i++) {
		session_at(v, i, &s);
		if (s.kind != CKPT_SESSION_PARENT)
			continue;
		int64_t off = (int64_t)(s.state[0] | (uint64_t)s.state[1] << 32);
		rtcr_err err = rule_clock(off, v->h.time_us, v->d);
		if (err)
			return err;
		v->child_now = v->h.time_us + (uint64_t)off;
	}
	return E_OK;
}

/* Memory the task sees: segments, attached dataspaces and device registers
 * never overlap, and the regions fit in a child's table. */
struct range {
	uint32_t va, pages;
};

static bool overlap(const struct range *a, const struct range *b)
{
	return a->va < b->va + b->pages * PAGE_SIZE && b->va < a->va + a->pages * PAGE_SIZE;
}

static rtcr_err check_layout(const struct view *v)
{
	struct range r[CHILD_REGIONS_MAX + SESSIONS_PER_CHILD];
	unsigned n = 0, regions = 0;
	uint32_t segment_pages = 0;
	for (uint32_t i = 0; i < v->sessions.count; i++) {
		struct ckpt_session s;
		session_at(v, i, &s);
		if (s.kind == CKPT_SESSION_SEGMENT)
			r[n++] = (struct range){ s.args[0], s.args[1] }, regions++,
			segment_pages += s.args[1];
		else if (s.kind == CKPT_SESSION_DATASPACE && s.state[0])
			r[n++] = (struct range){ s.state[0], s.args[1] }, regions++;
		else if (s.kind == CKPT_SESSION_IO_MEM)
			r[n++] = (struct range){ s.args[1], v->dev->dev[s.args[0]].size / PAGE_SIZE };
		if (regions > CHILD_REGIONS_MAX || segment_pages > CHILD_RAM_PAGES)
			return rtcr_fail(v->d, E_NO_MEMORY, "more memory regions or program "
					 "pages than a task may have");
	}
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < i; j++)
			if (overlap(&r[i], &r[j]))
				return rtcr_fail(v->d, E_ALREADY_MAPPED, "memory at %08x "
						 "overlaps memory at %08x", (unsigned)r[i].va,
						 (unsigned)r[j].va);
	return E_OK;
}

static rtcr_err check_sessions(struct view *v)
{
	rtcr_err err = check_session_shape(v);
	if (!err)
		err = check_clock(v);
	uint32_t quota = 0;
	for (uint32_t i = 0; i < v->sessions.count && !err; i++) {
		struct ckpt_session s;
		session_at(v, i, &s);
		err = check_session(v, &s, &quota);
	}
	return err ? err : check_layout(v);
}

/* A capability of the kind and with no more rights than the live service
 * hands out: a session's gate to write to, a gate of the child's own with
 * every right, a signal to wait on and acknowledge. */
static rtcr_err check_cap(const struct view *v, const struct ckpt_cap *c, uint8_t *seen)
{
	struct ckpt_session s;
	if (c->sel == SEL_NULL || c->sel >= CSPACE_SLOTS || (seen[c->sel / 8] >> (c->sel % 8) & 1))
		return rtcr_fail(v->d, E_INVALID_ARG, "a capability at selector %x",
				 (unsigned)c->sel);
	if (!session_with_id(v, c->session, &s))
		return rtcr_fail(v->d, E_INVALID_ARG, "the capability at %06x names nothing "
				 "RTCR can rebuild", (unsigned)c->sel);
	uint32_t allowed = c->type == KOBJ_IRQ ? RIGHT_READ | RIGHT_WRITE :
			   s.kind == CKPT_SESSION_GATE ? RIGHTS_ALL : RIGHT_WRITE;
	bool type_ok = c->type == KOBJ_GATE ||
		       (c->type == KOBJ_IRQ && (s.kind == CKPT_SESSION_TIMER || s.kind == CKPT_SESSION_IRQ));
	if (!type_ok || (c->rights & ~allowed))
		return rtcr_fail(v->d, E_NO_RIGHTS, "the capability at %06x: %s with rights "
				 "%x on a %s session", (unsigned)c->sel, kobj_type_name(c->type),
				 (unsigned)c->rights, kind_names[s.kind]);
	if (c->sel == CHILD_SEL_PARENT && (c->type != KOBJ_GATE || s.kind != CKPT_SESSION_PARENT))
		return rtcr_fail(v->d, E_INVALID_ARG, "selector %x is not the parent's gate",
				 CHILD_SEL_PARENT);
	return E_OK;
}

static rtcr_err check_caps(const struct view *v)
{
	uint8_t seen[CSPACE_SLOTS / 8] = { 0 };
	if (v->caps.count > CHILD_CAPS_MAX)
		return rtcr_fail(v->d, E_NO_MEMORY, "%u capabilities (at most %u)",
				 (unsigned)v->caps.count, CHILD_CAPS_MAX);
	for (uint32_t i = 0; i < v->caps.count; i++) {
		struct ckpt_cap c;
		ckpt_get_cap(&v->caps, i, &c);
		rtcr_err err = check_cap(v, &c, seen);
		if (err)
			return err;
		seen[c.sel / 8] |= (uint8_t)(1u << (c.sel % 8));
	}
	if (!(seen[CHILD_SEL_PARENT / 8] >> (CHILD_SEL_PARENT % 8) & 1))
		return rtcr_fail(v->d, E_INVALID_ARG, "no gate to the parent at %x",
				 CHILD_SEL_PARENT);
	return E_OK;
}

rtcr_err rules_records(const struct ckpt_header *h, const struct ckpt_section *threads,
		       const struct ckpt_section *caps, const struct ckpt_section *sessions,
		       const struct rules_devices *devs, struct rtcr_detail *d)
{
	struct view v = { .h = *h, .threads = *threads, .caps = *caps, .sessions = *sessions,
			  .dev = devs, .d = d };
	rtcr_err err = check_threads(&v);
	if (!err)
		err = check_sessions(&v);
	if (!err)
		err = check_caps(&v);
	return err;
}

rtcr_err rules_image(const void *img, size_t len, const struct rules_devices *devs,
		     struct rtcr_detail *d)
{
	struct ckpt_header h;
	struct ckpt_section sec, threads, caps, sessions;
	bool t = false, c = false, s = false;
	/* Its structure again, to read it safely; not its CRC (which was
	 * checked when it was stored, and would cost a pass over every page). */
	if (len < CKPT_HEADER_LEN ||
	    ckpt_image_check_crc(img, len, ckpt_image_stored_crc(img), &h, NULL) != CKPT_OK)
		return rtcr_fail(d, E_INVALID_ARG, "not a valid image");
	for (bool ok = ckpt_section_first(img, len, &sec); ok && !(t && c && s);
	     ok = ckpt_section_next(&sec)) {
		if (sec.type == CKPT_SEC_THREADS)
			threads = sec, t = true;
		else if (sec.type == CKPT_SEC_CAPS)
			caps = sec, c = true;
		else if (sec.type == CKPT_SEC_SESSIONS)
			sessions = sec, s = true;
	}
	if (!t || !c || !s)
		return rtcr_fail(d, E_INVALID_ARG, "no threads, capabilities or sessions");
	return rules_records(&h, &threads, &caps, &sessions, devs, d);
}

static bool sessions_of(const void *img, size_t len, struct ckpt_section *out)
{
	if (len < CKPT_HEADER_LEN ||
	    ckpt_image_check_crc(img, len, ckpt_image_stored_crc(img), NULL, NULL) != CKPT_OK)
		return false;
	for (bool ok = ckpt_section_first(img, len, out); ok; ok = ckpt_section_next(out))
		if (out->type == CKPT_SEC_SESSIONS)
			return true;
	return false;
}

bool rules_memory_of(const void *img, size_t len, struct rules_memory *out)
{
	struct ckpt_section s;
	out->n = 0;
	return sessions_of(img, len, &s) && rules_memory_from(&s, out);
}

bool rules_memory_from(const struct ckpt_section *s, struct rules_memory *out)
{
	out->n = 0;
	for (uint32_t i = 0; i < s->count; i++) {
		struct ckpt_session r;
		ckpt_get_session(s, i, &r);
		if (!memory_kind(r.kind))
			continue;
		if (out->n == RULES_MEMORY_MAX)
			return false;
		out->rec[out->n++] = r;
	}
	return true;
}

bool rules_memory_equal(const struct rules_memory *a, const struct rules_memory *b)
{
	return a->n == b->n && memcmp(a->rec, b->rec, a->n * sizeof(a->rec[0])) == 0;
}

bool rules_same_memory(const void *a, size_t alen, const void *b, size_t blen)
{
	static struct rules_memory ma, mb;
	return rules_memory_of(a, alen, &ma) && rules_memory_of(b, blen, &mb) &&
	       rules_memory_equal(&ma, &mb);
}

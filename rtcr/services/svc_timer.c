/*
 * The timer service: timeouts as software interrupts RTCR triggers, on an
 * IRQ object attached to one of the child's threads, which it
 * acknowledges itself.
 *
 * Session words (ckpt_session args/state): args[0] signal label, args[1]
 * thread number; state[0] mode (0 off, 1 one-shot, 2 periodic), state[1]
 * period, state[2-3] next deadline (lo, hi; microseconds of the child's
 * clock: the board's plus the child's clock offset), state[4] signals
 * raised and not yet delivered, state[5] 1 if the last one is delivered
 * and not yet acknowledged.
 */
#include "svc.h"
#include "core.h"

static uint64_t now_us(void)
{
	return k_time_us();
}

/* The earliest deadline of all timer sessions, worked out again only after
 * one changed or came due: the main loop asks for it on every request it
 * serves. A session that goes away leaves it stale, which costs one early
 * look (timers_run finds nothing due and works it out again). */
static uint64_t earliest;
static bool earliest_known;

/* Deadlines are kept in board time (s->deadline, what timers_run compares)
 * and recorded in the child's time (state[2-3]), which differs by the
 * child's clock offset once it has moved between boards. */
static void set_deadline(struct session *s, uint64_t t)
{
	uint64_t child_t = t ? t + (uint64_t)s->child->clock_offset : 0;
	s->deadline = t;
	earliest_known = false;
	s->state[2] = (uint32_t)child_t;
	s->state[3] = (uint32_t)(child_t >> 32);
}

/* Set the timer as a request asks (us: the one-shot's delay or the
 * period), if the rules allow the state that makes. */
static rtcr_err timer_set(struct session *s, uint32_t mode, uint32_t us, uint64_t now)
{
	uint32_t period = mode == TIMER_MODE_PERIODIC ? us : 0;
	uint64_t at = mode == TIMER_OFF ? 0 : now + us;
	uint64_t child_now = now + (uint64_t)s->child->clock_offset;
	uint64_t child_at = at ? at + (uint64_t)s->child->clock_offset : 0;
	rtcr_err st = rule_timer(mode, period, child_at, child_now, NULL);
	if (st)
		return st;
	s->state[0] = mode;
	s->state[1] = period;
	set_deadline(s, at);
	return E_OK;
}

static rtcr_err timer_open(struct session *s, uint32_t *info, unsigned *ninfo)
{
	(void)info;
	*ninfo = 0;
	return session_make_irq(s, IRQ_SOFTWARE, s->args[1], s->args[0], s->sig_sel);
}

static rtcr_err timer_handle(struct session *s, struct rpc_request *rq)
{
	uint64_t now = now_us();
	switch (rq->op) {
	case TIMER_NOW: {
		uint64_t child_now = now + (uint64_t)s->child->clock_offset;
		rq->reply[0] = (uint32_t)child_now;
		rq->reply[1] = (uint32_t)(child_now >> 32);
		rq->nreply = 2;
		return E_OK;
	}
	case TIMER_ONESHOT:
	case TIMER_PERIODIC:
		if (rq->nwords != 1)
			return E_INVALID_ARG;
		return timer_set(s, rq->op == TIMER_ONESHOT ? TIMER_MODE_ONESHOT : TIMER_MODE_PERIODIC,
				 rq->words[0], now);
	case TIMER_STOP:
		return timer_set(s, TIMER_OFF, 0, now);
	default:
		return E_INVALID_OP;
	}
}

/* What the kernel holds of a signal: raised but not delivered, delivered
 * but not acknowledged. */
void signal_save(struct session *s)
{
	struct k_irq_info ii;
	if (s->irq_sel != SEL_NULL && k_irq_info(s->irq_sel, &ii) == E_OK) {
		s->state[4] = ii.pending;
		s->state[5] = ii.masked;
	}
}

/* A rebuilt timer keeps its period and its phase: the next signal comes at
 * the first time on the original schedule that is still ahead. Signals the
 * schedule passed while the child did not exist are not made up for. */
static rtcr_err timer_restore(struct session *s)
{
	rtcr_err st = session_make_irq(s, IRQ_SOFTWARE, s->args[1], s->args[0], SEL_NULL);
	if (st)
		return st;
	/* On the child's clock, where the rules bound everything: the board's
	 * time only once the deadline is no earlier than now. */
	uint64_t at = s->state[2] | (uint64_t)s->state[3] << 32;
	uint64_t off = (uint64_t)s->child->clock_offset, child_now = now_us() + off;
	if (s->state[0] == TIMER_MODE_PERIODIC)   /* the rules: a period >= TIMER_PERIOD_MIN */
		at = schedule_next(at, s->state[1], child_now);
	else if (at < child_now)
		at = child_now;   /* a one-shot that came due meanwhile: now */
	set_deadline(s, s->state[0] == TIMER_OFF ? 0 : at - off);
	if (s->state[4])
		k_irq_trigger(s->irq_sel);
	return E_OK;
}

const struct service service_timer = {
	.name = "timer",
	.kind = CKPT_SESSION_TIMER,
	.signals = true,
	.open = timer_open,
	.handle = timer_handle,
	.restore = timer_restore,
	.save = signal_save,
};

/* The earliest deadline of any timer session (0: none). */
static uint64_t timers_next_deadline(void)
{
	if (earliest_known)
		return earliest;
	uint64_t next = 0;
	for (unsigned i = 0; i < SESSIONS_MAX; i++) {
		struct session *s = session_at(i);
		if (s && s->kind == CKPT_SESSION_TIMER && s->deadline && (!next || s->deadline < next))
			next = s->deadline;
	}
	earliest = next;
	earliest_known = true;
	return next;
}

/* Signal the timer sessions that are due. */
static void timers_run(uint64_t now)
{
	uint64_t next = timers_next_deadline();
	if (!next || next > now)
		return;
	for (unsigned i = 0; i < SESSIONS_MAX; i++) {
		struct session *s = session_at(i);
		if (!s || s->kind != CKPT_SESSION_TIMER || !s->deadline || s->deadline > now)
			continue;
		/* A stopped child's signal waits in the IRQ object until it runs. */
		k_irq_trigger(s->irq_sel);
		if (s->state[0] == TIMER_MODE_PERIODIC)
			set_deadline(s, schedule_next(s->deadline, s->state[1], now));
		else {
			s->state[0] = TIMER_OFF;
			set_deadline(s, 0);
		}
	}
	earliest_known = false;
}

static uint64_t timers_due(uint64_t now)
{
	(void)now;
	return timers_next_deadline();
}

void timers_init(void)
{
	static struct poller p = { .due = timers_due, .run = timers_run };
	loop_add(&p);
}

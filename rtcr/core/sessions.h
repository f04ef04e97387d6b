/*
 * RTCR's session objects. Every capability a child holds names one of
 * them: a session (served by RTCR through a gate whose label is the
 * session's id), or an object a session made for the child (one of its
 * own gates, a dataspace). Each keeps what it was created with and its
 * current state, so a checkpoint can describe it and a restore can build
 * it again (struct ckpt_session, with the same kinds).
 */
#ifndef RTCR_SESSIONS_H
#define RTCR_SESSIONS_H

#include <stdint.h>
#include <stdbool.h>
#include "rpc.h"
#include "child.h"
#include "format.h"

#define SESSIONS_MAX 128u

struct session {
	bool used;
	uint32_t id;             /* the label of its gate */
	uint32_t kind;           /* enum ckpt_session_kind */
	struct rtcr_child *child;
	uint32_t gate_sel;       /* in RTCR's space; SEL_NULL if it has none */
	uint32_t gate_id;        /* kernel object id of the gate */
	uint32_t cap_sel;        /* where the child holds the gate */
	uint32_t irq_sel;        /* signal/IRQ object in RTCR's space, or SEL_NULL */
	uint32_t irq_id;
	uint32_t sig_sel;        /* where the child holds it */
	uint32_t args[CKPT_SESSION_ARGS];
	uint32_t state[CKPT_SESSION_STATE];
	uint64_t deadline;       /* timer: next signal (0: none) */
};

/* What one service does; every hook but name and kind may be NULL. */
struct service {
	const char *name;        /* as a child asks for it; NULL: not asked for */
	uint32_t kind;
	bool signals;            /* it comes with a signal capability */
	/* args from the request (nargs of them, the rest 0) are in s->args;
	 * check them, take the resource, say what the child should know. */
	rtcr_err (*open)(struct session *s, uint32_t *info, unsigned *ninfo);
	rtcr_err (*handle)(struct session *s, struct rpc_request *rq);
	void (*close)(struct session *s);
	/* Take the resource again for a session rebuilt from args and state. */
	rtcr_err (*restore)(struct session *s);
	/* Bring state up to date before a checkpoint copies it. */
	void (*save)(struct session *s);
};

/* A service sessions can be opened with (by kind, or by name through the
 * parent service). The services' layer adds its own at start
 * (services_init); core knows only the parent service. */
#define SERVICES_MAX 16u
void session_service_add(const struct service *svc);
const struct service *service_by_kind(uint32_t kind);

struct session *session_new(struct rtcr_child *c, uint32_t kind);
struct session *session_find(uint32_t id);
struct session *session_at(unsigned index);
/* Sessions and objects the child has (SESSIONS_PER_CHILD at most). */
unsigned session_count(const struct rtcr_child *c);
/* Give it a gate (label: its id, bound to RTCR's main thread) and install
 * the gate in the child at cap_sel with rights. */
rtcr_err session_make_gate(struct session *s, uint32_t cap_sel, unsigned rights);
/* Give it an IRQ object (line, or IRQ_SOFTWARE) attached to the child's
 * thread n with label, installed in the child at sig_sel. */
rtcr_err session_make_irq(struct session *s, uint32_t line, unsigned thread, uint32_t label,
			  uint32_t sig_sel);
/* The task that holds device index (an io_mem or irq session on it) other
 * than besides, or NULL. A device has one holder at a time: sessions on a
 * device another task holds are refused (E_BUSY), and the device is free
 * again when its holder's sessions close (the holder is killed). */
struct rtcr_child *device_holder(uint32_t index, const struct rtcr_child *besides);
/* Close it: the service's close hook, then its capabilities (revoked and
 * deleted, so the child loses them too). */
void session_free(struct session *s);
void sessions_free_child(struct rtcr_child *c);

/* A selector the child may have a capability installed at (not its
 * parent's, not past its space). */
bool child_sel_ok(uint32_t sel);

/* Requests through any gate whose label is not RTCR's own. */
rtcr_err session_dispatch(struct rpc_request *rq);

/* The first time after now on a schedule that went off at t and then every
 * period: what a periodic timer or periodic checkpoint does next, skipping
 * the times it missed. */
static inline uint64_t schedule_next(uint64_t t, uint64_t period, uint64_t now)
{
	return t > now ? t : t + ((now - t) / period + 1) * period;
}

/* Sessions begin and end with their children: each child is born with its
 * parent session and its sessions close when it goes (child observers). */
void sessions_init(void);

extern const struct service service_parent;

#endif

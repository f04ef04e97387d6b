/*
 * Remote procedure calls over IPC gates, in the manner of L4Re and Genode.
 *
 *   - The gate's label (delivered to the server in r6) names the object on
 *     the server's side: one server thread can serve many objects, one gate
 *     per object.
 *   - The request tag's label is the operation; its words the arguments.
 *   - The reply tag's label is the server's status (enum k_error, E_OK = 0);
 *     its words the results.
 *   - Capabilities travel as capability items after the words; each side
 *     names a window of selectors (UTCB buffer registers) where those it
 *     accepts land.
 *
 * A call's status is therefore either the kernel's (the IPC failed: no
 * receiver within the timeout, the gate is unbound, ...) or the server's:
 * they share enum k_error, so E_TIMEOUT, say, may come from either.
 */
#ifndef USER_RPC_H
#define USER_RPC_H

#include <stdint.h>
#include <stdbool.h>
#include "sys.h"

/* A capability in a message. Sending: sel is in the sender's space, and
 * it is mapped with its rights masked by `rights` (RIGHT_*), or moved if
 * `grant` is set. Received: sel is where it landed, rights and grant as
 * the sender asked. */
struct rpc_cap {
	uint32_t sel;
	unsigned rights;
	bool grant;
};

/* The capabilities of one call. Reply capabilities land at window,
 * window + 1, ... in the caller's space; the window is open only for the
 * duration of the call. */
struct rpc_caps {
	const struct rpc_cap *send;  /* sent with the request */
	unsigned nsend;
	uint32_t window;             /* first selector for reply capabilities */
	unsigned window_slots;       /* how many may come (0: none) */
	unsigned nreceived;          /* out: how many came, at window.. */
};

/*
 * Call operation op on the object behind gate with nin argument words.
 * Returns the IPC status if the call failed, else the server's status
 * (the reply's label). Up to nout reply words are copied to out and
 * *nreturned (may be NULL) gets how many were copied. op must be below
 * GATE_OP_BASE (higher labels are operations on the gate itself); an op
 * that is not, or too many words, give E_INVALID_ARG.
 */
int rpc_call(uint32_t gate, uint32_t op, const uint32_t *in, unsigned nin,
	     uint32_t *out, unsigned nout, unsigned *nreturned, uint32_t timeout);

/* The same, with capabilities (caps may be NULL: none either way). The
 * words and two per capability must fit in MSG_WORDS_MAX. */
int rpc_call_caps(uint32_t gate, uint32_t op, const uint32_t *in, unsigned nin,
		  uint32_t *out, unsigned nout, unsigned *nreturned,
		  struct rpc_caps *caps, uint32_t timeout);

struct rpc_server;

/* One request as a handler sees it, and the reply it builds. The words
 * are copied out of the message registers, so a handler may make calls
 * of its own. */
struct rpc_request {
	struct rpc_server *server;
	uint32_t gate_label;               /* the object it was sent to */
	uint32_t op;
	unsigned nwords;
	uint32_t words[MSG_WORDS_MAX];
	unsigned ncaps;
	struct rpc_cap caps[MSG_ITEMS_MAX]; /* received; sel: where it landed */

	/* Filled in by the handler; both start at zero. */
	unsigned nreply;
	uint32_t reply[MSG_WORDS_MAX];
	unsigned nreply_caps;
	struct rpc_cap reply_caps[MSG_ITEMS_MAX];
};

/* An object served under a gate label. handle() returns the status sent
 * back as the reply label: E_OK, or an enum k_error such as E_INVALID_OP
 * for an operation it does not know. */
struct rpc_object {
	uint32_t label;
	int (*handle)(void *ctx, struct rpc_request *rq);
	void *ctx;
};

/*
 * A server: its objects, and the window where capabilities sent with
 * requests land (cap_window, cap_window + 1, ...; cap_window_slots 0
 * accepts none). The window is the same for every request, so a handler
 * that keeps a received capability moves the window on
 * (rq->server->cap_window) or the next request's capability finds its
 * slot taken (E_SLOT_IN_USE for that caller). Memory items are not part
 * of this layer: the server offers no memory window.
 *
 * A request to a gate label with no object (and no fallback) is answered
 * with E_NOT_FOUND,
 * so a client can tell "no such object" from a handler's E_INVALID_OP.
 * Every request is answered when its handler returns: there are no
 * deferred replies (the kernel remembers only the last caller, and the
 * next wait forgets it).
 */
struct rpc_server {
	const struct rpc_object *objects;
	unsigned nobjects;
	uint32_t cap_window;
	unsigned cap_window_slots;
	/* Optional: requests to labels not in objects go here (a server
	 * whose objects come and go keeps its own table). */
	int (*fallback)(void *ctx, struct rpc_request *rq);
	void *fallback_ctx;
};

/* Wait for requests through every gate bound to the calling thread and
 * answer them, for ever. The server's state (srv, objects, their ctx)
 * must stay valid; the loop itself uses only its stack. */
void rpc_server_loop(struct rpc_server *srv) __attribute__((noreturn));

/* Wait up to timeout for one request and answer it. Returns E_OK once a
 * request was answered, else the status of the wait (E_TIMEOUT, ...). */
int rpc_server_once(struct rpc_server *srv, uint32_t timeout);

#endif

/*
 * Migration of a running child to another board (docs/migration.md).
 *
 * Sending (migrate.c): pre-copy rounds of checkpoint images while the
 * child runs, a final round with the child stopped, then the child is
 * deleted here once the peer has built it, and the peer runs it. Any
 * failure before that point leaves the child running here.
 *
 * Receiving (mig_recv.c): images arrive unasked from known peers, are
 * stored (the console's `images` lists them) and applied to a task that is
 * built as they come, so the final round has little left to do.
 */
#ifndef RTCR_MIGRATE_H
#define RTCR_MIGRATE_H

#include <stdint.h>
#include <stdbool.h>
#include "core.h"
#include "services.h"
#include "peers.h"
#include "format.h"
#include "error.h"

/* Chunks of an image: enough for the largest checkpoint (8192 pages). */
#define MIG_CHUNKS_MAX 36864u
#define MIG_IMAGE_MAX  (36u * 1024u * 1024u)

/* Register with the children (a task that goes ends its migration), the
 * endpoints (datagrams, links that go) and the main loop. */
void migration_init(void);
/* What the endpoints hand over: every datagram, an endpoint gone. */
void migrate_receive(struct endpoint *ep, uint32_t peer, uint16_t port, const uint8_t *data,
		     uint32_t len);
void migrate_link_gone(struct endpoint *ep);

/* The console's `migrate <task> <peer> eth|can|loop`: starts sending c to
 * p over a link of that type. E_OK: it started, and migrate_listen's
 * listener hears how it goes (the console waits: migrate_pending_report).
 * Otherwise nothing started: E_INVALID_STATE (the task is arriving or
 * drives a link), R_ONE_AT_A_TIME, R_NO_LINK (d says which and why). */
rtcr_err migrate_start(struct rtcr_child *c, const struct peer *p, uint32_t link_type,
		       struct rtcr_detail *d);
bool migrate_pending_report(void);
/* The child goes (killed): a migration of it ends here. */
void migrate_forget_child(struct rtcr_child *c);

/* ---- what the sender reports, as it goes ------------------------------------------ */

/* A round the peer has stored. */
struct mig_round_report {
	unsigned round;               /* from 1 */
	bool final;                   /* the task was stopped for it */
	bool full;                    /* a full image, else an increment */
	uint32_t image_id;            /* here */
	uint32_t remote_image;        /* the peer's id of it */
	uint32_t pages, zero_pages;   /* zero pages are named, not sent */
	uint32_t bytes, chunks, resent;
};

/* The peer runs the task: the whole migration. */
struct mig_done_report {
	uint32_t remote_task;         /* the task's id there */
	uint32_t downtime_us;         /* at most: from the final pause to the peer's answer */
	unsigned rounds;
	uint32_t msgs, bytes, resent;
	/* Benchmark kernels on both boards (counted): instructions executed,
	 * idle excluded, here and there (see mig_busy). */
	bool counted;
	uint32_t down_here, down_peer;     /* final pause to go; final offer to the resume */
	uint64_t total_here, total_peer;
};

/* What became of the task when a migration failed. */
enum mig_fate {
	MIG_KEEPS_RUNNING,            /* here, as it was */
	MIG_RESUMED_HERE,             /* stopped for the final round, it runs again here */
	MIG_GONE_HERE,                /* killed here meanwhile */
	MIG_WAITS_THERE,              /* deleted here after the peer built it; not heard
	                                 to run there: it waits there, stopped */
	MIG_DROPPED_THERE,            /* deleted here after the peer built it; the peer
	                                 dropped it */
};

enum mig_send_what {
	MIG_SEND_STARTED,             /* link_type, addr */
	MIG_SEND_ROUND,               /* round */
	MIG_SEND_DELETED,             /* after the final round: deleted here, the peer runs
	                                 it next */
	MIG_SEND_PEER_RAN,            /* the peer's operator ran it before our go: deleted
	                                 here */
	MIG_SEND_DONE,                /* done */
	MIG_SEND_FAILED,              /* err, detail, fate */
};

struct mig_send_event {
	enum mig_send_what what;
	uint32_t mig;                 /* the migration's number */
	uint32_t task_id;             /* here */
	const char *task_name;
	const char *peer_name;
	uint32_t link_type;           /* LINK_ETH, LINK_CAN, LINK_LOOP */
	const char *addr;             /* the peer's address on the link, as text */
	struct mig_round_report round;
	struct mig_done_report done;
	rtcr_err err;                 /* why it failed */
	const struct rtcr_detail *detail;
	enum mig_fate fate;
};

/* The one listener of the sender's events (NULL: nobody hears). */
void migrate_listen(void (*fn)(const struct mig_send_event *e));

/* For the main loop: when migrate_run must run next (0: not needed), and
 * the work that is due (retransmissions, next rounds, acknowledgements). */
uint64_t migrate_next_due(void);
void migrate_run(uint64_t now);

/* Messages for the sender (ACK, DONE, REJECT, RESUMED), from mig_recv.c. */
void migrate_sender_message(struct endpoint *ep, uint32_t peer, const struct mig_msg *m);
/* Receiver side (mig_recv.c). */
void receiver_run(uint64_t now);
uint64_t receiver_next_due(void);
void receiver_link_gone(struct endpoint *ep);
void receiver_forget_child(struct rtcr_child *c);
/* The operator's word on a task arriving from another board, c: run it
 * now (it is built; the sender hears RESUMED and deletes its copy if it
 * still has one), or drop it (the sender hears REJECT and keeps its task
 * if it still has it). The listener hears what happened; E_INVALID_STATE
 * if it cannot be done now (d says why). */
rtcr_err receiver_resume(struct rtcr_child *c, struct rtcr_detail *d);
rtcr_err receiver_drop(struct rtcr_child *c, struct rtcr_detail *d);

/* What the receiver counted since boot (the console's `stats`). */
struct mig_recv_stats {
	uint32_t received;            /* images stored */
	uint32_t resumed;             /* tasks run here */
	uint32_t refused;             /* REJECTs sent */
	uint32_t unknown_sender;      /* messages from boards that are not peers */
	uint32_t malformed;           /* messages dropped */
	int last_bad;                 /* the last malformed one's mig_decode code; 0: none */
};
void receiver_stats(struct mig_recv_stats *out);

/* How a task from another board came to run here. */
enum mig_run_by {
	MIG_RUN_GO,                   /* its sender's go */
	MIG_RUN_OPERATOR,             /* this board's operator (resume) */
	MIG_RUN_LATE_GO,              /* a go that came after it was parked */
};

enum mig_recv_what {
	MIG_RECV_ARRIVING,            /* the first offer: task_name, task_id (there) */
	MIG_RECV_ROUND,               /* a round's image stored and applied: round,
	                                 image_id, full, pages, bytes, built */
	MIG_RECV_RUNS,                /* task_id, task_name run here: by */
	MIG_RECV_PARKED,              /* no go came: task_id, task_name wait here, stopped */
	MIG_RECV_DROPPED,             /* the operator dropped the parked task_id, task_name */
	MIG_RECV_ENDED,               /* what it built here is gone: err, detail */
	MIG_RECV_REFUSED,             /* refused (the sender is told): code, reason */
	MIG_RECV_UNKNOWN_SENDER,      /* refused a msg_type from sender, not a peer */
};

struct mig_recv_event {
	enum mig_recv_what what;
	uint32_t mig;                 /* the sender's migration number */
	const char *sender;           /* "b (10.0.0.2)": a peer's name and address */
	const char *peer_name;
	uint32_t task_id;
	const char *task_name;
	unsigned round;               /* from 1 */
	uint32_t image_id, pages, bytes;
	bool full;                    /* a full image, else an increment */
	bool built;                   /* the final round: the task is built, waits for go */
	enum mig_run_by by;
	rtcr_err err;
	const struct rtcr_detail *detail;
	uint32_t code;                /* MIG_R_* (mig_proto.h) */
	const char *reason;
	uint8_t msg_type;             /* MIG_OFFER... */
	uint32_t refused_count;       /* unknown senders' messages so far */
};

/* The one listener of the receiver's events (NULL: nobody hears). */
void receiver_listen(void (*fn)(const struct mig_recv_event *e));

/* Instructions this board executed since boot, idle time excluded, on a
 * benchmark kernel (make bench); 0 on others. Under QEMU icount they are
 * exact. */
uint64_t mig_busy(void);

/* Send one message through ep (endpoint_send's code; E_INVALID_ARG if it
 * does not encode). payload_crc: the payload's CRC if the caller has it,
 * or NULL. */
rtcr_err mig_send(struct endpoint *ep, uint32_t peer, uint16_t port, const struct mig_msg *m,
		  const void *payload, const uint32_t *payload_crc);
/* The peer's name for a link address, or the address as text. */
void mig_sender_text(const struct endpoint *ep, uint32_t peer, char *buf, unsigned size);

#endif

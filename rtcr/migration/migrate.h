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
#include "child.h"
#include "endpoint.h"
#include "peers.h"
#include "mig_proto.h"

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

/* The console's `migrate <task> <peer> eth|can`: starts it; the console
 * waits (migrate_pending_report) and progress is printed as it goes. */
void migrate_command(struct rtcr_child *c, const struct peer *p, uint32_t link_type);
bool migrate_pending_report(void);
/* The child goes (killed): a migration of it ends here. */
void migrate_forget_child(struct rtcr_child *c);

/* For the main loop: when migrate_run must run next (0: not needed), and
 * the work that is due (retransmissions, next rounds, acknowledgements). */
uint64_t migrate_next_due(void);
void migrate_run(uint64_t now);

/* Messages for the sender (ACK, DONE, REJECT, RESUMED), from mig_recv.c. */
void migrate_sender_message(struct endpoint *ep, uint32_t peer, const struct mig_msg *m);
/* Receiver side (mig_recv.c). */
void receiver_run(uint64_t now);
uint64_t receiver_next_due(void);
void receivers_list(void);
void receiver_link_gone(struct endpoint *ep);
void receiver_forget_child(struct rtcr_child *c);
/* The operator's word on a task arriving from another board, c: run it
 * now (it is built; the sender hears RESUMED and deletes its copy if it
 * still has one), or drop it (the sender hears REJECT and keeps its task
 * if it still has it). Each says what it did; E_OK, or why not. */
int receiver_resume(struct rtcr_child *c);
int receiver_drop(struct rtcr_child *c);

/* Instructions this board executed since boot, idle time excluded, on a
 * benchmark kernel (make bench); 0 on others. Under QEMU icount they are
 * exact. */
uint64_t mig_busy(void);

/* Send one message through ep; false if the ring is full. payload_crc:
 * the payload's CRC if the caller has it, or NULL. */
bool mig_send(struct endpoint *ep, uint32_t peer, uint16_t port, const struct mig_msg *m,
	      const void *payload, const uint32_t *payload_crc);
/* The peer's name for a link address, or the address as text. */
void mig_sender_text(const struct endpoint *ep, uint32_t peer, char *buf, unsigned size);

#endif

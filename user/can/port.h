/*
 * One CAN controller of the can task: an SJA1000 on a Kvaser PCIcan, the
 * ISO-TP endpoint of its node, and the link session that connects it to
 * RTCR (user/lib/link.h).
 */
#ifndef USER_CAN_PORT_H
#define USER_CAN_PORT_H

#include <stdint.h>
#include <stdbool.h>
#include "link.h"
#include "isotp.h"
#include "sja1000.h"

#define CAN_PORTS_MAX 4u

/* How long a frame may sit in the controller's transmit buffer before it
 * is given up (ISO 15765-2's N_As): nobody on the bus acknowledges it. */
#define CAN_N_AS_US 1000000u
/* How soon to try again to put a received message into a full RX ring. */
#define CAN_RETRY_US 10000u

struct can_port {
	unsigned node;                /* = the PCI slot */
	unsigned slot, irq;
	uint32_t sja_port, s5920_port;
	struct sja1000 chip;
	struct isotp_ep *ep;
	uint32_t tx_len;              /* the message being sent */
	bool tx_queued;               /* a frame waits in the chip's transmit buffer */
	bool tx_was_fc;               /* ... and it is a flow control */
	uint64_t tx_since;            /* ... since then */
	uint32_t refused;             /* datagrams isotp_send refused */
	/* The link session (link.h). */
	bool linked;                  /* open and LINK_UP done */
	bool broken;                  /* RTCR's rings made no sense: not used any more */
	bool kick;                    /* LINK_KICK due */
	struct link_client link;
	uint32_t lost_told;           /* failures already reported in LINK_REC_DROPPED */
	uint32_t unlinked_drops;      /* messages received with no link to take them */
	struct link_can_stats local;
	struct link_can_stats *stats;
};

/* Start the controller (registers at regs) with its ISO-TP endpoint. */
bool port_start(struct can_port *p, volatile uint8_t *regs, struct isotp_ep *ep);
/* Open the link session: buffer at va, signals with label on thread 0.
 * Returns the session's status (E_NOT_FOUND: RTCR has no link service). */
int port_link_open(struct can_port *p, uint32_t va, uint32_t label);

/* One round of work at time now; true if a frame moved. */
bool port_receive(struct can_port *p, uint64_t now);
bool port_transmit(struct can_port *p, uint64_t now);
/* Messages to send from the link's TX ring, received ones into its RX
 * ring, counters into the stats block, and the LINK_KICK if due. */
void port_link_work(struct can_port *p);
/* The next time port_transmit has something to do (0: none). */
uint64_t port_deadline(const struct can_port *p, uint64_t now);

#endif

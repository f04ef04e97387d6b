/*
 * SMSC LAN9118 Ethernet controller, driven from user space: the net task
 * (user/net) maps its registers through an io_mem session and gets its
 * interrupt through an irq session. Nothing here runs in the kernel.
 *
 * The controller is used with its FIFOs directly (PIO, no DMA): frames are
 * read from the RX data FIFO and written to the TX data FIFO a 32-bit word
 * at a time. Register layout and behaviour: SMSC's LAN9118 data sheet, and
 * ../shared/qemu-notes.md for what QEMU's model implements (it aborts on a
 * MAC CSR it does not know, so only CR, ADDRH and ADDRL are touched).
 */
#ifndef DRIVERS_LAN9118_H
#define DRIVERS_LAN9118_H

#include <stdint.h>
#include <stdbool.h>

#define LAN9118_REGS_SIZE   0x100u   /* bytes of registers (within one page) */
#define LAN9118_FRAME_MIN   14u      /* an Ethernet header; lwIP checks the rest */
#define LAN9118_FRAME_MAX   1518u    /* 1514 and a VLAN tag, FCS not counted */

/* Interrupt status bits (INT_STS, INT_EN) the driver uses. */
#define LAN9118_INT_RSFL    (1u << 3)    /* RX status FIFO above its level: frames */
#define LAN9118_INT_TDFO    (1u << 10)   /* TX data FIFO overrun */
#define LAN9118_INT_TXE     (1u << 13)   /* transmitter error */
#define LAN9118_INT_RXE     (1u << 14)   /* receiver error */
#define LAN9118_INT_ERRORS  (LAN9118_INT_TDFO | LAN9118_INT_TXE | LAN9118_INT_RXE)

enum lan9118_status {
	LAN9118_OK = 0,
	LAN9118_ABSENT,       /* BYTE_TEST does not read 0x87654321 */
	LAN9118_UNKNOWN_ID,   /* ID_REV is not a LAN9118's */
	LAN9118_TIMEOUT,      /* reset or a MAC CSR access did not complete */
	LAN9118_NO_MAC,       /* no usable station address (zero or multicast) */
	LAN9118_BAD_LENGTH,   /* a frame to send shorter or longer than a frame can be */
	LAN9118_NO_ROOM,      /* the TX data FIFO has no room for the frame now */
};

struct lan9118 {
	volatile uint32_t *regs;
	uint8_t mac[6];
	uint32_t id_rev;
	/* Counters since init. */
	uint32_t rx_frames;      /* handed to the caller */
	uint32_t rx_dropped;     /* bad status, too short or too long: read and thrown away */
	uint32_t tx_frames;
	uint32_t tx_dropped;     /* refused: bad length, no room */
	uint32_t tx_errors;      /* the TX status reported an error */
	uint32_t irq_errors;     /* LAN9118_INT_ERRORS seen */
};

/* Check the controller is there, reset it, read its MAC address and enable
 * the receiver, the transmitter and the RX interrupt. regs: where its
 * registers are mapped. Returns an enum lan9118_status. */
int lan9118_init(struct lan9118 *nic, volatile void *regs);
const char *lan9118_status_name(int status);

/* Read the interrupt status and clear what it held (bits are
 * write-one-to-clear); returns what was set. Clear before draining RX, so
 * a frame that arrives during the drain raises the interrupt again. */
uint32_t lan9118_irq_take(struct lan9118 *nic);

/* Whether a received frame waits in the RX FIFO. */
bool lan9118_rx_pending(const struct lan9118 *nic);

/* Take the oldest received frame: its bytes (FCS not included) are copied
 * to buf, which is word aligned and holds max bytes (at least
 * LAN9118_FRAME_MAX; bytes past the frame's end may be written up to
 * max). Returns the
 * length, 0 if no frame waits, -1 if the frame was bad or did not fit and
 * was dropped (counted in rx_dropped). */
int lan9118_recv(struct lan9118 *nic, uint8_t *buf, unsigned max);

/* Send one frame (LAN9118_FRAME_MIN to 1514 bytes, no FCS: the controller
 * adds it). frame is word aligned and its last word is read whole.
 * Returns an enum lan9118_status. */
int lan9118_send(struct lan9118 *nic, const uint8_t *frame, unsigned len);

/* ---- pure helpers (no register access; tests/host/test_lan9118.c) ---- */

/* The frame's length without FCS from an RX status word, or 0 if the
 * status reports an error or a length no frame of ours has. */
unsigned lan9118_rx_len(uint32_t status);
/* RX data FIFO words the frame of this status occupies (FCS included). */
unsigned lan9118_rx_words(uint32_t status);
/* The TX command words for a one-segment frame of len bytes. */
uint32_t lan9118_tx_cmd_a(unsigned len);
uint32_t lan9118_tx_cmd_b(unsigned len, uint16_t tag);
/* The MAC address from the ADDRL and ADDRH CSR values (byte 0 in ADDRL's
 * low bits, as the controller keeps it). */
void lan9118_mac_from_csr(uint32_t addrl, uint32_t addrh, uint8_t mac[6]);

#endif

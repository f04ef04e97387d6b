/*
 * NXP SJA1000 stand-alone CAN controller, PeliCAN mode, for a user-level
 * driver: 32 byte-wide registers wherever the board puts them (on a Kvaser
 * PCIcan, in an I/O BAR). Register layout from the SJA1000 data sheet.
 *
 * QEMU (7.2) models it as kvaser_pci; its quirks are handled here: the
 * chip comes out of reset in BasicCAN mode, where the mode register is
 * another register, so the clock divider (which selects PeliCAN) is
 * written first; and single-filter mode drops standard frames it should
 * take, so the acceptance filter is used in dual-filter mode.
 */
#ifndef DRIVERS_SJA1000_H
#define DRIVERS_SJA1000_H

#include <stdint.h>
#include <stdbool.h>

/* PeliCAN registers. */
#define SJA_MOD   0    /* mode */
#define SJA_CMR   1    /* command (write only) */
#define SJA_SR    2    /* status */
#define SJA_IR    3    /* interrupt (reading clears all but RI) */
#define SJA_IER   4    /* interrupt enable */
#define SJA_BTR0  6    /* bus timing 0: SJW, baud rate prescaler */
#define SJA_BTR1  7    /* bus timing 1: SAM, TSEG2, TSEG1 */
#define SJA_OCR   8    /* output control */
#define SJA_ALC   11   /* arbitration lost capture */
#define SJA_ECC   12   /* error code capture */
#define SJA_RXERR 14
#define SJA_TXERR 15
#define SJA_FRAME 16   /* operating mode: frame information, then ID and data (TX and RX) */
#define SJA_ACR0  16   /* reset mode: acceptance code 0-3 */
#define SJA_AMR0  20   /* reset mode: acceptance mask 0-3 */
#define SJA_RMC   29   /* frames in the receive FIFO */
#define SJA_CDR   31   /* clock divider */

#define SJA_MOD_RM   0x01   /* reset mode */
#define SJA_MOD_LOM  0x02   /* listen only */
#define SJA_MOD_STM  0x04   /* self test */
#define SJA_MOD_AFM  0x08   /* single acceptance filter (0: dual) */

#define SJA_CMR_TR   0x01   /* transmission request */
#define SJA_CMR_AT   0x02   /* abort transmission */
#define SJA_CMR_RRB  0x04   /* release receive buffer */
#define SJA_CMR_CDO  0x08   /* clear data overrun */

#define SJA_SR_RBS   0x01   /* receive buffer: a frame is there */
#define SJA_SR_DOS   0x02   /* data overrun */
#define SJA_SR_TBS   0x04   /* transmit buffer free */
#define SJA_SR_TCS   0x08   /* last transmission complete */
#define SJA_SR_ES    0x40   /* an error counter passed the warning limit */
#define SJA_SR_BS    0x80   /* bus off */

#define SJA_IR_RI    0x01   /* receive */
#define SJA_IR_TI    0x02   /* transmit buffer free again */
#define SJA_IR_EI    0x04   /* error warning: ES or BS changed */
#define SJA_IR_DOI   0x08   /* data overrun */
#define SJA_IR_WUI   0x10   /* wake-up */
#define SJA_IR_EPI   0x20   /* error passive */
#define SJA_IR_ALI   0x40   /* arbitration lost */
#define SJA_IR_BEI   0x80   /* bus error */

#define SJA_CDR_PELICAN 0x80
#define SJA_CDR_CBP     0x40   /* bypass the input comparator (external transceiver) */
#define SJA_CDR_CLKOFF  0x08   /* no clock output */

#define SJA_FI_EFF  0x80       /* frame information: 29-bit identifier */
#define SJA_FI_RTR  0x40       /* remote frame */

/* Bus timing for 500 kbit/s from the 16 MHz oscillator of a Kvaser PCIcan:
 * the prescaler 0 gives a time quantum of 2 / 16 MHz = 125 ns; a bit is
 * 1 (sync) + 13 (TSEG1) + 2 (TSEG2) = 16 quanta = 2 us, sampled once at
 * 87.5%, SJW 1 quantum. (QEMU does not model bit timing.) */
#define SJA_BTR0_500K 0x00
#define SJA_BTR1_500K 0x1c
/* Output control: normal output mode, TX0 and TX1 push-pull. */
#define SJA_OCR_NORMAL 0xda

struct sja1000_frame {
	uint32_t id;          /* 11 or 29 bits */
	bool ext, rtr;
	uint8_t len;          /* 0..8 */
	uint8_t data[8];
};

/* What the interrupt register said, made into events (sja1000_service). */
enum {
	SJA_EV_RX = 1,        /* frames wait in the FIFO */
	SJA_EV_TX = 2,        /* the transmit buffer is free */
	SJA_EV_BUS_OFF = 4,   /* the controller left the bus (recovery started) */
	SJA_EV_BUS_ON = 8,    /* ... and is back */
	SJA_EV_OVERRUN = 16,  /* frames were lost: the FIFO was full */
};

struct sja1000 {
	volatile uint8_t *regs;
	bool bus_off;
	uint32_t frames_tx, frames_rx;
	uint32_t overruns, bus_errors, bus_offs, arb_lost, err_passive, err_warnings;
	uint32_t tx_aborted;
	uint8_t last_ecc;     /* the last bus error's error code capture */
};

/* Reset the controller and start it: PeliCAN, the given bit timing, every
 * frame accepted, interrupts for receive, transmit, errors, overrun and
 * bus errors. False if the chip does not behave (not there, stuck in or
 * out of reset). */
bool sja1000_init(struct sja1000 *c, volatile uint8_t *regs, uint8_t btr0, uint8_t btr1);
/* Read and clear the interrupt register and deal with errors: clear an
 * overrun, count bus errors, start the recovery from bus-off. */
unsigned sja1000_service(struct sja1000 *c);
/* The transmit buffer can take a frame. */
bool sja1000_tx_ready(const struct sja1000 *c);
/* Queue a frame for transmission; false if the buffer is busy or the
 * frame is malformed. */
bool sja1000_send(struct sja1000 *c, const struct sja1000_frame *f);
/* Give up on the frame in the transmit buffer (nobody acknowledges it). */
void sja1000_abort_tx(struct sja1000 *c);
/* Take the oldest frame out of the receive FIFO; false if it is empty. */
bool sja1000_recv(struct sja1000 *c, struct sja1000_frame *f);

/* Kvaser PCIcan: the AMCC S5920 PCI bridge passes the SJA1000's interrupt
 * to PCI INTA only while bit 13 (add-on interrupt enable) of its INTCSR
 * register (offset 0x38 of its I/O BAR) is set. intcsr: that register. */
#define S5920_INTCSR            0x38
#define S5920_INTCSR_ADDON_IRQ  0x2000u
void kvaser_irq_enable(volatile uint32_t *intcsr, bool on);

#endif

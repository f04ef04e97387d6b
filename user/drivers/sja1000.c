/*
 * SJA1000 in PeliCAN mode (sja1000.h).
 */
#include "sja1000.h"

#define MODE_TRIES 1000u   /* reads of MOD while the chip switches modes */

static uint8_t rd(const struct sja1000 *c, unsigned reg)
{
	return c->regs[reg];
}

static void wr(const struct sja1000 *c, unsigned reg, uint8_t v)
{
	c->regs[reg] = v;
}

/* Write MOD and wait until the reset bit reads back as written: entering
 * and leaving reset mode takes the chip a few clocks (on a bus, leaving it
 * waits for the bus to be idle). */
static bool set_mode(const struct sja1000 *c, uint8_t mod)
{
	for (unsigned i = 0; i < MODE_TRIES; i++) {
		wr(c, SJA_MOD, mod);
		if ((rd(c, SJA_MOD) & SJA_MOD_RM) == (mod & SJA_MOD_RM))
			return true;
	}
	return false;
}

bool sja1000_init(struct sja1000 *c, volatile uint8_t *regs, uint8_t btr0, uint8_t btr1)
{
	*c = (struct sja1000){ .regs = regs };
	/* PeliCAN first: in BasicCAN mode (where QEMU's chip starts) register 0
	 * is the control register and the PeliCAN registers are not there. */
	uint8_t cdr = SJA_CDR_PELICAN | SJA_CDR_CBP | SJA_CDR_CLKOFF;
	wr(c, SJA_CDR, cdr);
	if (rd(c, SJA_CDR) != cdr || !set_mode(c, SJA_MOD_RM))
		return false;
	wr(c, SJA_IER, 0);
	wr(c, SJA_BTR0, btr0);
	wr(c, SJA_BTR1, btr1);
	wr(c, SJA_OCR, SJA_OCR_NORMAL);
	/* Dual filter, every mask bit "don't care": every frame is taken. */
	for (unsigned i = 0; i < 4; i++) {
		wr(c, SJA_ACR0 + i, 0x00);
		wr(c, SJA_AMR0 + i, 0xff);
	}
	wr(c, SJA_IER, SJA_IR_RI | SJA_IR_TI | SJA_IR_EI | SJA_IR_DOI | SJA_IR_EPI | SJA_IR_BEI);
	if (!set_mode(c, 0))
		return false;
	(void)rd(c, SJA_IR);   /* start with nothing pending */
	return true;
}

unsigned sja1000_service(struct sja1000 *c)
{
	uint8_t ir = rd(c, SJA_IR), sr = rd(c, SJA_SR);
	unsigned ev = 0;
	if (sr & SJA_SR_RBS)
		ev |= SJA_EV_RX;
	if (sr & SJA_SR_TBS)
		ev |= SJA_EV_TX;
	if (ir & SJA_IR_DOI || sr & SJA_SR_DOS) {
		/* The FIFO was full and frames were lost; what is in it is
		 * still good. Clear the condition, or it stays. */
		wr(c, SJA_CMR, SJA_CMR_CDO);
		c->overruns++;
		ev |= SJA_EV_OVERRUN;
	}
	if (ir & SJA_IR_BEI) {
		c->last_ecc = rd(c, SJA_ECC);   /* reading re-arms the capture */
		c->bus_errors++;
	}
	if (ir & SJA_IR_ALI)
		(void)rd(c, SJA_ALC);
	if (ir & SJA_IR_EPI)
		c->err_passive++;
	if (ir & SJA_IR_EI) {
		if (sr & SJA_SR_ES)
			c->err_warnings++;
		if (sr & SJA_SR_BS && !c->bus_off) {
			/* Bus-off puts the chip in reset mode. Leaving reset mode
			 * starts the recovery: after 128 x 11 recessive bits the
			 * chip is back with its error counters at zero, and an
			 * error interrupt with BS clear says so. */
			c->bus_off = true;
			c->bus_offs++;
			wr(c, SJA_MOD, 0);
			ev |= SJA_EV_BUS_OFF;
		} else if (!(sr & SJA_SR_BS) && c->bus_off) {
			c->bus_off = false;
			ev |= SJA_EV_BUS_ON;
		}
	}
	return ev;
}

bool sja1000_tx_ready(const struct sja1000 *c)
{
	return !c->bus_off && (rd(c, SJA_SR) & SJA_SR_TBS);
}

bool sja1000_send(struct sja1000 *c, const struct sja1000_frame *f)
{
	if (f->len > 8 || f->id >= (f->ext ? 1u << 29 : 1u << 11) || !sja1000_tx_ready(c))
		return false;
	unsigned at = SJA_FRAME;
	wr(c, at++, (uint8_t)((f->ext ? SJA_FI_EFF : 0) | (f->rtr ? SJA_FI_RTR : 0) | f->len));
	if (f->ext) {
		wr(c, at++, (uint8_t)(f->id >> 21));
		wr(c, at++, (uint8_t)(f->id >> 13));
		wr(c, at++, (uint8_t)(f->id >> 5));
		wr(c, at++, (uint8_t)(f->id << 3));
	} else {
		wr(c, at++, (uint8_t)(f->id >> 3));
		wr(c, at++, (uint8_t)(f->id << 5));
	}
	if (!f->rtr)
		for (unsigned i = 0; i < f->len; i++)
			wr(c, at++, f->data[i]);
	wr(c, SJA_CMR, SJA_CMR_TR);
	c->frames_tx++;
	return true;
}

void sja1000_abort_tx(struct sja1000 *c)
{
	wr(c, SJA_CMR, SJA_CMR_AT);
	c->tx_aborted++;
}

bool sja1000_recv(struct sja1000 *c, struct sja1000_frame *f)
{
	if (!(rd(c, SJA_SR) & SJA_SR_RBS))
		return false;
	uint8_t fi = rd(c, SJA_FRAME);
	unsigned at = SJA_FRAME + 1;
	f->ext = fi & SJA_FI_EFF;
	f->rtr = fi & SJA_FI_RTR;
	f->len = fi & 0x0f;
	if (f->len > 8)      /* a data length code of 9..15 means 8 bytes */
		f->len = 8;
	if (f->ext) {
		f->id = (uint32_t)rd(c, at) << 21 | (uint32_t)rd(c, at + 1) << 13 |
			(uint32_t)rd(c, at + 2) << 5 | rd(c, at + 3) >> 3;
		at += 4;
	} else {
		f->id = (uint32_t)rd(c, at) << 3 | rd(c, at + 1) >> 5;
		at += 2;
	}
	for (unsigned i = 0; i < 8; i++)
		f->data[i] = !f->rtr && i < f->len ? rd(c, at + i) : 0;
	wr(c, SJA_CMR, SJA_CMR_RRB);
	c->frames_rx++;
	return true;
}

void kvaser_irq_enable(volatile uint32_t *intcsr, bool on)
{
	uint32_t v = *intcsr;
	*intcsr = on ? v | S5920_INTCSR_ADDON_IRQ : v & ~S5920_INTCSR_ADDON_IRQ;
}

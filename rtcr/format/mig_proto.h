/*
 * The migration protocol's messages (docs/migration.md): building and
 * checking them. Plain C without RTCR's state, shared with the host tests.
 */
#ifndef RTCR_MIG_PROTO_H
#define RTCR_MIG_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MIG_MAGIC     0x4d52u
#define MIG_VERSION   1u
#define MIG_HDR       24u
#define MIG_OFFER_LEN 48u
#define MIG_RESUMED_LEN 16u
#define MIG_REASON_MAX 100u
#define MIG_FLAG_FINAL 0x1u

enum mig_type {
	MIG_OFFER = 1,
	MIG_DATA,
	MIG_ACK,
	MIG_DONE,
	MIG_REJECT,
	MIG_GO,
	MIG_RESUMED,
	MIG_ABORT,
	MIG_TYPES
};

enum mig_reject {
	MIG_R_UNKNOWN_SENDER = 1,
	MIG_R_BUSY,
	MIG_R_NO_MEMORY,
	MIG_R_BAD_IMAGE,
	MIG_R_RESTORE,
	MIG_R_PROTOCOL,
	MIG_R_DROPPED,       /* the receiver's operator dropped the task */
};

/* Why a datagram is not a message. */
enum mig_bad {
	MIG_OK = 0,
	MIG_BAD_SHORT,       /* shorter than the header */
	MIG_BAD_MAGIC,
	MIG_BAD_VERSION,
	MIG_BAD_TYPE,
	MIG_BAD_LENGTH,      /* length field and datagram disagree */
	MIG_BAD_CRC,
	MIG_BAD_PAYLOAD,     /* wrong payload size for its type */
	MIG_BAD_COUNT
};

struct mig_msg {
	uint8_t type;
	uint32_t mig;
	uint16_t round, flags;
	uint32_t seq;
	uint32_t len;            /* payload bytes */
	const uint8_t *payload;  /* decode: in the datagram */
	uint32_t payload_crc;    /* decode: CRC-32 of the payload alone */
};

struct mig_offer {
	uint32_t image_len, image_crc, chunk;
	uint32_t image_id, base_id, task_id;
	uint32_t pages, zero_pages;
	char name[16];           /* NUL padded */
};

const char *mig_type_name(unsigned type);
const char *mig_bad_name(int bad);
const char *mig_reject_name(uint32_t code);

/* Header and payload into buf (cap bytes), CRC filled in; returns the
 * message's length, 0 if it does not fit. */
size_t mig_encode(uint8_t *buf, size_t cap, const struct mig_msg *m, const void *payload);
/* The same for a sender that knows the payload's CRC already (a chunk of
 * an image whose blocks were checksummed as it was written): the
 * message's CRC is joined from it, the payload is only copied. */
size_t mig_encode_crc(uint8_t *buf, size_t cap, const struct mig_msg *m, const void *payload,
		      uint32_t payload_crc);
/* Checks everything in the header, the CRC and the payload size for the
 * type; m->payload points into buf and m->payload_crc is its CRC (a
 * receiver joins the chunks' into the image's). */
int mig_decode(const uint8_t *buf, size_t len, struct mig_msg *m);

void mig_offer_put(uint8_t out[MIG_OFFER_LEN], const struct mig_offer *o);
void mig_offer_get(const uint8_t in[MIG_OFFER_LEN], struct mig_offer *o);

/* ACK bookkeeping, for a receiver: bit i of have is chunk i, and the
 * first run chunks are known to be there. Returns the chunks present in a
 * row from 0; *mask gets the next 32 after them. */
uint32_t mig_ack_state(const uint8_t *have, uint32_t nchunks, uint32_t run, uint32_t *mask);

#endif

#include "mig_proto.h"
#include "crc32.h"
#include "string.h"

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return get16(p) | (uint32_t)get16(p + 2) << 16;
}

const char *mig_type_name(unsigned type)
{
	static const char *const names[MIG_TYPES] = {
		"?", "OFFER", "DATA", "ACK", "DONE", "REJECT", "GO", "RESUMED", "ABORT",
	};
	return type < MIG_TYPES ? names[type] : "?";
}

const char *mig_bad_name(int bad)
{
	static const char *const names[MIG_BAD_COUNT] = {
		"ok", "too short", "bad magic", "unsupported version", "unknown type",
		"length mismatch", "checksum mismatch", "wrong payload size",
	};
	return bad >= 0 && bad < MIG_BAD_COUNT ? names[bad] : "?";
}

const char *mig_reject_name(uint32_t code)
{
	static const char *const names[] = {
		"?", "unknown sender", "busy", "no memory", "bad image", "restore failed",
		"protocol error", "dropped",
	};
	return code < sizeof(names) / sizeof(names[0]) ? names[code] : "?";
}

/* A message's CRC covers its header (the CRC field read as zero) and its
 * payload: for a chunk, CRC(header) joined with CRC(payload), which the
 * sender and the receiver have anyway. */
static uint32_t msg_crc(const uint8_t *buf, uint32_t plen, uint32_t payload_crc)
{
	static const uint8_t zero[4];
	uint32_t crc = ckpt_crc32(0, buf, 20);
	crc = ckpt_crc32(crc, zero, 4);
	if (plen <= 64)   /* a short one: going on is cheaper than joining */
		return ckpt_crc32(crc, buf + MIG_HDR, plen);
	return crc32_shift(crc, plen) ^ payload_crc;
}

static size_t encode(uint8_t *buf, size_t cap, const struct mig_msg *m, const void *payload,
		     const uint32_t *payload_crc)
{
	size_t len = MIG_HDR + (size_t)m->len;
	if (len > cap)
		return 0;
	put16(buf, MIG_MAGIC);
	buf[2] = MIG_VERSION;
	buf[3] = m->type;
	put32(buf + 4, m->mig);
	put16(buf + 8, m->round);
	put16(buf + 10, m->flags);
	put32(buf + 12, m->seq);
	put32(buf + 16, m->len);
	if (m->len && payload != buf + MIG_HDR)
		memcpy(buf + MIG_HDR, payload, m->len);
	uint32_t pcrc = payload_crc ? *payload_crc : ckpt_crc32(0, buf + MIG_HDR, m->len);
	put32(buf + 20, msg_crc(buf, m->len, pcrc));
	return len;
}

size_t mig_encode(uint8_t *buf, size_t cap, const struct mig_msg *m, const void *payload)
{
	return encode(buf, cap, m, payload, NULL);
}

size_t mig_encode_crc(uint8_t *buf, size_t cap, const struct mig_msg *m, const void *payload,
		      uint32_t payload_crc)
{
	return encode(buf, cap, m, payload, &payload_crc);
}

/* Payload sizes: exact, or (REJECT, DATA) a range. */
static bool payload_ok(unsigned type, uint32_t len)
{
	switch (type) {
	case MIG_OFFER:
		return len == MIG_OFFER_LEN;
	case MIG_DATA:
		return len > 0;
	case MIG_ACK:
	case MIG_DONE:
		return len == 4;
	case MIG_RESUMED:
		return len == MIG_RESUMED_LEN;
	case MIG_REJECT:
		return len >= 4 && len <= 4 + MIG_REASON_MAX;
	default:
		return len == 0;
	}
}

int mig_decode(const uint8_t *buf, size_t len, struct mig_msg *m)
{
	if (len < MIG_HDR)
		return MIG_BAD_SHORT;
	if (get16(buf) != MIG_MAGIC)
		return MIG_BAD_MAGIC;
	if (buf[2] != MIG_VERSION)
		return MIG_BAD_VERSION;
	if (buf[3] == 0 || buf[3] >= MIG_TYPES)
		return MIG_BAD_TYPE;
	uint32_t plen = get32(buf + 16);
	if (plen != len - MIG_HDR)
		return MIG_BAD_LENGTH;
	uint32_t pcrc = ckpt_crc32(0, buf + MIG_HDR, plen);
	if (get32(buf + 20) != msg_crc(buf, plen, pcrc))
		return MIG_BAD_CRC;
	if (!payload_ok(buf[3], plen))
		return MIG_BAD_PAYLOAD;
	m->type = buf[3];
	m->mig = get32(buf + 4);
	m->round = get16(buf + 8);
	m->flags = get16(buf + 10);
	m->seq = get32(buf + 12);
	m->len = plen;
	m->payload = buf + MIG_HDR;
	m->payload_crc = pcrc;
	return MIG_OK;
}

void mig_offer_put(uint8_t out[MIG_OFFER_LEN], const struct mig_offer *o)
{
	const uint32_t w[8] = { o->image_len, o->image_crc, o->chunk, o->image_id,
				o->base_id, o->task_id, o->pages, o->zero_pages };
	for (unsigned i = 0; i < 8; i++)
		put32(out + 4 * i, w[i]);
	memcpy(out + 32, o->name, 16);
}

void mig_offer_get(const uint8_t in[MIG_OFFER_LEN], struct mig_offer *o)
{
	uint32_t w[8];
	for (unsigned i = 0; i < 8; i++)
		w[i] = get32(in + 4 * i);
	*o = (struct mig_offer){ .image_len = w[0], .image_crc = w[1], .chunk = w[2],
				 .image_id = w[3], .base_id = w[4], .task_id = w[5],
				 .pages = w[6], .zero_pages = w[7] };
	memcpy(o->name, in + 32, 16);
}

static bool has(const uint8_t *have, uint32_t i)
{
	return have[i / 8] >> (i % 8) & 1;
}

uint32_t mig_ack_state(const uint8_t *have, uint32_t nchunks, uint32_t run, uint32_t *mask)
{
	while (run < nchunks && has(have, run))
		run++;
	*mask = 0;
	for (uint32_t i = 0; i < 32 && run + 1 + i < nchunks; i++)
		if (has(have, run + 1 + i))
			*mask |= 1u << i;
	return run;
}

/*
 * Checkpoint image codec, format v2. The layout is described field by field
 * in docs/ckpt-image.md; the offsets below must match it.
 */
#include "ckpt_image.h"

/*
 * The firmware's lib/string.h or the host's, whichever the include path
 * finds first: both declare memcpy, memset and memcmp.
 */
#include <string.h>

/* Header field offsets. */
#define H_MAGIC      0
#define H_VERSION    8
#define H_HEADER_LEN 10
#define H_FLAGS      12
#define H_IMAGE_ID   16
#define H_BASE_ID    20
#define H_TASK_ID    24
#define H_NAME       28
#define H_TIME_US    44
#define H_PAUSE_US   52
#define H_SECTIONS   56
#define H_TOTAL_LEN  60
#define H_CRC        64
#define H_ORIGIN     68

/* ---- little-endian fields, byte by byte ------------------------------------ */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

uint32_t ckpt_image_crc_prefix(const void *image, size_t len)
{
	static const uint8_t zero[4];
	const uint8_t *img = image;
	if (len <= H_CRC)
		return ckpt_crc32(0, img, len);
	uint32_t crc = ckpt_crc32(0, img, H_CRC);
	if (len < H_CRC + 4)
		return ckpt_crc32(crc, zero, len - H_CRC);
	crc = ckpt_crc32(crc, zero, 4);
	return ckpt_crc32(crc, img + H_CRC + 4, len - H_CRC - 4);
}

uint32_t ckpt_image_stored_crc(const void *img)
{
	return get32((const uint8_t *)img + H_CRC);
}


/* ---- error messages ------------------------------------------------------------ */

const char *ckpt_strerror(int err)
{
	static const char *const names[CKPT_E_COUNT] = {
		[CKPT_OK] = "ok",
		[CKPT_E_TRUNCATED] = "truncated",
		[CKPT_E_TOO_LONG] = "length mismatch",
		[CKPT_E_MAGIC] = "bad magic",
		[CKPT_E_VERSION] = "unsupported version",
		[CKPT_E_HEADER_LEN] = "bad header length",
		[CKPT_E_HEADER_FLAGS] = "bad header flags",
		[CKPT_E_CRC] = "checksum mismatch",
		[CKPT_E_SECTION_TYPE] = "unknown section type",
		[CKPT_E_SECTION_RESERVED] = "section reserved field not zero",
		[CKPT_E_SECTION_OVERRUN] = "section overruns the image",
		[CKPT_E_RECORD_SIZE] = "record size mismatch",
		[CKPT_E_PAGE] = "bad page record",
		[CKPT_E_SECTION_COUNT] = "section count mismatch",
		[CKPT_E_TRAILING] = "trailing bytes",
		[CKPT_E_NO_SPACE] = "image buffer too small",
		[CKPT_E_WRITER_STATE] = "writer calls out of order",
		[CKPT_E_DUMP_NO_START] = "no dump start line",
		[CKPT_E_DUMP_HEADER] = "malformed dump start line",
		[CKPT_E_DUMP_LINE] = "bad dump data line",
		[CKPT_E_DUMP_NO_END] = "no dump end line",
		[CKPT_E_DUMP_LENGTH] = "dump length mismatch",
		[CKPT_E_DUMP_CRC] = "dump checksum mismatch",
		[CKPT_E_ORIGIN] = "no origin",
		[CKPT_E_NAME] = "bad name",
		[CKPT_E_SECTION_REPEATED] = "section type repeated",
	};
	if (err < 0 || err >= CKPT_E_COUNT)
		return "unknown error";
	return names[err];
}

/*
 * Message templates: %a %b are the detail's numbers in decimal, %A %B the
 * same as 8 hex digits, %o the offset and %l the line number.
 */
static const char *template_for(int err)
{
	switch (err) {
	case CKPT_E_TRUNCATED: return "truncated: %a of %b bytes";
	case CKPT_E_TOO_LONG: return "length mismatch: %a bytes given, the image says %b";
	case CKPT_E_MAGIC: return "bad magic: not an RTCR checkpoint image";
	case CKPT_E_VERSION: return "unsupported version %a (this build reads 2)";
	case CKPT_E_HEADER_LEN: return "bad header length %a (version 2 has 76)";
	case CKPT_E_HEADER_FLAGS: return "bad header flags %A with base image %b";
	case CKPT_E_CRC: return "checksum mismatch: stored %A, computed %B";
	case CKPT_E_SECTION_TYPE: return "unknown section type %a at offset %o";
	case CKPT_E_SECTION_RESERVED: return "section at offset %o: reserved field is %a, not 0";
	case CKPT_E_SECTION_OVERRUN: return "section at offset %o overruns the image: %a bytes, %b left";
	case CKPT_E_RECORD_SIZE: return "record size mismatch at offset %o: %a bytes are not whole %b-byte records";
	case CKPT_E_PAGE: return "bad page record at offset %o: va %A, flags %B";
	case CKPT_E_SECTION_COUNT: return "section count mismatch: header says %a, image holds %b";
	case CKPT_E_TRAILING: return "trailing bytes: %a after the last section";
	case CKPT_E_NO_SPACE: return "image buffer too small: %a bytes, need %b";
	case CKPT_E_WRITER_STATE: return "writer calls out of order";
	case CKPT_E_DUMP_NO_START: return "no 'ckpt-image' line found";
	case CKPT_E_DUMP_HEADER: return "line %l: malformed 'ckpt-image' line";
	case CKPT_E_DUMP_LINE: return "line %l: bad base64 data line";
	case CKPT_E_DUMP_NO_END: return "no 'ckpt-end' line after the data";
	case CKPT_E_DUMP_LENGTH: return "dump length mismatch: %a bytes decoded, header says %b";
	case CKPT_E_DUMP_CRC: return "dump checksum mismatch: header says %A, data has %B";
	case CKPT_E_ORIGIN: return "no origin: the header does not say which boot of which board took it";
	case CKPT_E_NAME: return "bad name at offset %o: byte %a is not printable ASCII";
	case CKPT_E_SECTION_REPEATED: return "section type %a repeated at offset %o";
	default: return ckpt_strerror(err);
	}
}

/* A bounded string being built; always terminated while size > 0. */
struct text {
	char *buf;
	size_t size, pos;
};

static void text_putc(struct text *t, char c)
{
	if (t->pos + 1 < t->size) {
		t->buf[t->pos++] = c;
		t->buf[t->pos] = 0;
	}
}

static void text_puts(struct text *t, const char *s)
{
	while (*s)
		text_putc(t, *s++);
}

static void text_dec(struct text *t, uint32_t v)
{
	char digits[10];
	int n = 0;
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		text_putc(t, digits[--n]);
}

static void text_hex8(struct text *t, uint32_t v)
{
	static const char hex[] = "0123456789abcdef";
	for (int shift = 28; shift >= 0; shift -= 4)
		text_putc(t, hex[(v >> shift) & 0xf]);
}

char *ckpt_describe(const struct ckpt_detail *d, char *buf, size_t size)
{
	struct text t = { buf, size, 0 };
	if (size)
		buf[0] = 0;
	for (const char *p = template_for(d->err); *p; p++) {
		if (*p != '%' || !p[1]) {
			text_putc(&t, *p);
			continue;
		}
		switch (*++p) {
		case 'a': text_dec(&t, d->a); break;
		case 'b': text_dec(&t, d->b); break;
		case 'A': text_hex8(&t, d->a); break;
		case 'B': text_hex8(&t, d->b); break;
		case 'o': text_dec(&t, d->offset); break;
		case 'l': text_dec(&t, d->line); break;
		default: text_putc(&t, *p); break;
		}
	}
	return buf;
}

static int fail(struct ckpt_detail *d, int err, uint32_t a, uint32_t b, size_t offset)
{
	if (d) {
		d->err = err;
		d->a = a;
		d->b = b;
		d->offset = (uint32_t)offset;
		d->line = 0;
	}
	return err;
}

int ckpt_name_bad(const char *name, size_t len, bool may_be_empty)
{
	size_t end = 0;
	while (end < len && name[end])
		end++;
	if (end == 0 && !may_be_empty)
		return 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)name[i];
		if (i < end ? (c < 0x21 || c > 0x7e) : c != 0)
			return (int)i;
	}
	return -1;
}

/* ---- writer -------------------------------------------------------------------- */

static int writer_fail(struct ckpt_writer *w, int err, uint32_t a, uint32_t b)
{
	if (!w->err) {
		w->err = err;
		fail(&w->detail, err, a, b, w->len);
	}
	return w->err;
}

/* Room for n more bytes? Checked before anything is written. */
static bool writer_room(struct ckpt_writer *w, size_t n)
{
	if (w->cap - w->len >= n)
		return true;
	writer_fail(w, CKPT_E_NO_SPACE, (uint32_t)w->cap, (uint32_t)(w->len + n));
	return false;
}

static bool full_or_incremental_ok(uint32_t flags, uint32_t base_id)
{
	if (flags & ~CKPT_FLAGS_KNOWN)
		return false;
	/* An increment names the image it applies to; a full image none. */
	return (flags & CKPT_FLAG_INCREMENTAL) ? base_id != 0 : base_id == 0;
}

int ckpt_writer_init(struct ckpt_writer *w, void *buf, size_t cap,
		     const struct ckpt_header *h)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
	if (!full_or_incremental_ok(h->flags, h->base_id))
		return writer_fail(w, CKPT_E_HEADER_FLAGS, h->flags, h->base_id);
	if (!writer_room(w, CKPT_HEADER_LEN))
		return w->err;
	uint8_t *p = w->buf;
	memset(p, 0, CKPT_HEADER_LEN);
	memcpy(p + H_MAGIC, CKPT_MAGIC, CKPT_MAGIC_LEN);
	put16(p + H_VERSION, CKPT_VERSION);
	put16(p + H_HEADER_LEN, CKPT_HEADER_LEN);
	put32(p + H_FLAGS, h->flags);
	put32(p + H_IMAGE_ID, h->image_id);
	put32(p + H_BASE_ID, h->base_id);
	put32(p + H_TASK_ID, h->task_id);
	/* Copy up to the first NUL so the padding is always zero. */
	for (size_t i = 0; i < CKPT_NAME_LEN && h->name[i]; i++)
		p[H_NAME + i] = (uint8_t)h->name[i];
	put64(p + H_TIME_US, h->time_us);
	put32(p + H_PAUSE_US, h->pause_us);
	put64(p + H_ORIGIN, h->origin);
	w->len = CKPT_HEADER_LEN;
	return CKPT_OK;
}

int ckpt_section_begin(struct ckpt_writer *w, uint32_t type)
{
	if (w->err)
		return w->err;
	if (w->section_type || type < CKPT_SEC_THREADS || type > CKPT_SEC_PAGES ||
	    (w->types_written >> type & 1))
		return writer_fail(w, CKPT_E_WRITER_STATE, type, w->section_type);
	w->types_written |= 1u << type;
	if (!writer_room(w, CKPT_SECTION_HDR))
		return w->err;
	uint8_t *p = w->buf + w->len;
	put16(p, (uint16_t)type);
	put16(p + 2, 0);
	put32(p + 4, 0);   /* payload length, filled in by ckpt_section_end */
	w->section_start = w->len;
	w->section_type = type;
	w->len += CKPT_SECTION_HDR;
	return CKPT_OK;
}

/* Space for one record of the open section, or NULL after an error. */
static uint8_t *writer_record(struct ckpt_writer *w, uint32_t type, size_t size)
{
	if (w->err)
		return NULL;
	if (w->section_type != type) {
		writer_fail(w, CKPT_E_WRITER_STATE, type, w->section_type);
		return NULL;
	}
	if (!writer_room(w, size))
		return NULL;
	uint8_t *p = w->buf + w->len;
	w->len += size;
	/* The buffer may hold anything (it is not zeroed for the writer):
	 * a record's unused bytes are zero. A page record is written whole. */
	if (type != CKPT_SEC_PAGES)
		memset(p, 0, size);
	return p;
}

static uint8_t *put_words(uint8_t *p, const uint32_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++, p += 4)
		put32(p, v[i]);
	return p;
}

int ckpt_put_thread(struct ckpt_writer *w, const struct ckpt_thread *t)
{
	uint8_t *p = writer_record(w, CKPT_SEC_THREADS, CKPT_THREAD_REC);
	if (!p)
		return w->err;
	put32(p, t->index);
	put32(p + 4, t->state);
	put32(p + 8, t->priority);
	memcpy(p + 12, t->name, CKPT_THREAD_NAME);
	p = put_words(p + 12 + CKPT_THREAD_NAME, t->regs, CKPT_THREAD_REGS);
	put32(p, t->wait_kind);
	put32(p + 4, t->utcb_va);
	put_words(p + 8, t->utcb, CKPT_UTCB_WORDS);
	return CKPT_OK;
}

int ckpt_put_cap(struct ckpt_writer *w, const struct ckpt_cap *c)
{
	uint8_t *p = writer_record(w, CKPT_SEC_CAPS, CKPT_CAP_REC);
	if (!p)
		return w->err;
	const uint32_t v[6] = { c->sel, c->type, c->rights, c->label, c->obj_id,
				c->session };
	put_words(p, v, 6);
	return CKPT_OK;
}

int ckpt_put_session(struct ckpt_writer *w, const struct ckpt_session *s)
{
	uint8_t *p = writer_record(w, CKPT_SEC_SESSIONS, CKPT_SESSION_REC);
	if (!p)
		return w->err;
	put32(p, s->id);
	put32(p + 4, s->kind);
	p = put_words(p + 8, s->args, CKPT_SESSION_ARGS);
	put_words(p, s->state, CKPT_SESSION_STATE);
	return CKPT_OK;
}

int ckpt_put_page(struct ckpt_writer *w, uint32_t va, const void *data)
{
	if (!w->err && va % CKPT_PAGE_SIZE)
		return writer_fail(w, CKPT_E_PAGE, va, 0);
	size_t size = CKPT_PAGE_HDR + (data ? CKPT_PAGE_SIZE : 0);
	uint8_t *p = writer_record(w, CKPT_SEC_PAGES, size);
	if (!p)
		return w->err;
	put32(p, va);
	put32(p + 4, data ? 0 : CKPT_PAGE_ZERO);
	if (data)
		memcpy(p + CKPT_PAGE_HDR, data, CKPT_PAGE_SIZE);
	return CKPT_OK;
}

int ckpt_section_end(struct ckpt_writer *w)
{
	if (w->err)
		return w->err;
	if (!w->section_type)
		return writer_fail(w, CKPT_E_WRITER_STATE, 0, 0);
	size_t payload = w->len - w->section_start - CKPT_SECTION_HDR;
	put32(w->buf + w->section_start + 4, (uint32_t)payload);
	w->section_type = 0;
	w->sections++;
	return CKPT_OK;
}

/* Each block's CRC into w->block_crc, and the image's joined from them
 * (the CRC field is zero while this runs). */
static uint32_t block_crcs(struct ckpt_writer *w)
{
	uint32_t whole = 0;
	for (size_t off = 0, i = 0; off < w->len; off += CKPT_CRC_BLOCK, i++) {
		size_t n = w->len - off < CKPT_CRC_BLOCK ? w->len - off : CKPT_CRC_BLOCK;
		uint32_t crc = ckpt_crc32(0, w->buf + off, n);
		w->block_crc[i] = crc;
		whole = i == 0 ? crc : crc32_shift(whole, n) ^ crc;
	}
	return whole;
}

int ckpt_writer_finish(struct ckpt_writer *w, size_t *len)
{
	if (w->err)
		return w->err;
	if (w->section_type)
		return writer_fail(w, CKPT_E_WRITER_STATE, w->section_type, 0);
	put32(w->buf + H_SECTIONS, w->sections);
	put32(w->buf + H_TOTAL_LEN, (uint32_t)w->len);
	put32(w->buf + H_CRC, 0);
	put32(w->buf + H_CRC, ckpt_writer_blocks(w) ? block_crcs(w) : ckpt_crc32(0, w->buf, w->len));
	*len = w->len;
	return CKPT_OK;
}

void ckpt_writer_want_blocks(struct ckpt_writer *w, uint32_t *blocks, size_t max)
{
	w->block_crc = blocks;
	w->block_max = max;
}

bool ckpt_writer_blocks(const struct ckpt_writer *w)
{
	return w->block_crc && (w->len + CKPT_CRC_BLOCK - 1) / CKPT_CRC_BLOCK <= w->block_max;
}

/* ---- reader -------------------------------------------------------------------- */

static uint32_t record_size(uint32_t type)
{
	switch (type) {
	case CKPT_SEC_THREADS: return CKPT_THREAD_REC;
	case CKPT_SEC_CAPS: return CKPT_CAP_REC;
	case CKPT_SEC_SESSIONS: return CKPT_SESSION_REC;
	default: return 0;   /* pages vary; unknown types have none */
	}
}

static bool known_section(uint32_t type)
{
	return type >= CKPT_SEC_THREADS && type <= CKPT_SEC_PAGES;
}

/* Walks a PAGES payload; counts the records into *count. */
static int check_pages(const uint8_t *img, size_t start, uint32_t len,
		       uint32_t *count, struct ckpt_detail *d)
{
	size_t pos = 0;
	*count = 0;
	while (pos < len) {
		size_t left = len - pos;
		if (left < CKPT_PAGE_HDR)
			return fail(d, CKPT_E_RECORD_SIZE, (uint32_t)left, CKPT_PAGE_HDR,
				    start + pos);
		uint32_t va = get32(img + start + pos);
		uint32_t flags = get32(img + start + pos + 4);
		if (va % CKPT_PAGE_SIZE || (flags & ~CKPT_PAGE_FLAGS_KNOWN))
			return fail(d, CKPT_E_PAGE, va, flags, start + pos);
		size_t size = CKPT_PAGE_HDR + ((flags & CKPT_PAGE_ZERO) ? 0 : CKPT_PAGE_SIZE);
		if (left < size)
			return fail(d, CKPT_E_RECORD_SIZE, (uint32_t)left, (uint32_t)size,
				    start + pos);
		pos += size;
		(*count)++;
	}
	return CKPT_OK;
}

/* One section at pos, which is before end; its size into *size. *seen
 * has bit t set for each type met before: every type is there once at
 * most, so "the" threads (caps, sessions, pages) of an image are one
 * section that every reader finds. */
static int check_section(const uint8_t *img, size_t pos, size_t end, size_t *size,
			 uint32_t *seen, struct ckpt_detail *d)
{
	size_t left = end - pos;
	if (left < CKPT_SECTION_HDR)
		return fail(d, CKPT_E_SECTION_OVERRUN, CKPT_SECTION_HDR, (uint32_t)left, pos);
	uint32_t type = get16(img + pos);
	uint32_t reserved = get16(img + pos + 2);
	uint32_t len = get32(img + pos + 4);
	if (!known_section(type))
		return fail(d, CKPT_E_SECTION_TYPE, type, 0, pos);
	if (reserved)
		return fail(d, CKPT_E_SECTION_RESERVED, reserved, 0, pos);
	if (*seen >> type & 1)
		return fail(d, CKPT_E_SECTION_REPEATED, type, 0, pos);
	*seen |= 1u << type;
	left -= CKPT_SECTION_HDR;
	if (len > left)
		return fail(d, CKPT_E_SECTION_OVERRUN, len, (uint32_t)left, pos);
	uint32_t rec = record_size(type);
	if (rec && len % rec)
		return fail(d, CKPT_E_RECORD_SIZE, len, rec, pos);
	for (uint32_t off = 12; type == CKPT_SEC_THREADS && off < len; off += rec) {
		const char *name = (const char *)img + pos + CKPT_SECTION_HDR + off;
		int bad = ckpt_name_bad(name, CKPT_THREAD_NAME, true);
		if (bad >= 0)
			return fail(d, CKPT_E_NAME, (uint8_t)name[bad], 0,
				    pos + CKPT_SECTION_HDR + off);
	}
	uint32_t pages;
	if (type == CKPT_SEC_PAGES) {
		int err = check_pages(img, pos + CKPT_SECTION_HDR, len, &pages, d);
		if (err)
			return err;
	}
	*size = CKPT_SECTION_HDR + len;
	return CKPT_OK;
}

/* Whether a well-formed section (of any type, repeated or not) is at pos. */
static bool section_fits(const uint8_t *img, size_t pos, size_t end, size_t *size)
{
	uint32_t seen = 0;
	return check_section(img, pos, end, size, &seen, NULL) == CKPT_OK;
}

static int check_sections(const uint8_t *img, size_t total, uint32_t stored_count,
			  struct ckpt_detail *d)
{
	size_t pos = CKPT_HEADER_LEN;
	uint32_t found = 0, seen = 0;
	for (; found < stored_count; found++) {
		if (pos == total)
			return fail(d, CKPT_E_SECTION_COUNT, stored_count, found, pos);
		size_t size;
		int err = check_section(img, pos, total, &size, &seen, d);
		if (err)
			return err;
		pos += size;
	}
	if (pos == total)
		return CKPT_OK;
	/* More bytes: an uncounted section, or garbage. */
	size_t size;
	if (section_fits(img, pos, total, &size)) {
		for (; pos < total && section_fits(img, pos, total, &size); pos += size)
			found++;
		return fail(d, CKPT_E_SECTION_COUNT, stored_count, found, pos);
	}
	return fail(d, CKPT_E_TRAILING, (uint32_t)(total - pos), 0, pos);
}

static void read_header(const uint8_t *p, struct ckpt_header *h)
{
	h->version = get16(p + H_VERSION);
	h->flags = get32(p + H_FLAGS);
	h->image_id = get32(p + H_IMAGE_ID);
	h->base_id = get32(p + H_BASE_ID);
	h->task_id = get32(p + H_TASK_ID);
	memcpy(h->name, p + H_NAME, CKPT_NAME_LEN);
	h->time_us = get64(p + H_TIME_US);
	h->pause_us = get32(p + H_PAUSE_US);
	h->section_count = get32(p + H_SECTIONS);
	h->total_len = get32(p + H_TOTAL_LEN);
	h->crc = get32(p + H_CRC);
	h->origin = get64(p + H_ORIGIN);
}

/*
 * The order matters for the reasons given: what identifies the file comes
 * first (magic, version), then its length, then the checksum, which catches
 * any damage to the content, then the structure, which a correct checksum
 * makes a check of the writer rather than of the medium.
 */
static int check(const void *buf, size_t len, const uint32_t *known_crc,
		 struct ckpt_header *out, struct ckpt_detail *d);

int ckpt_image_check(const void *buf, size_t len, struct ckpt_header *out,
		     struct ckpt_detail *d)
{
	return check(buf, len, NULL, out, d);
}

int ckpt_image_check_crc(const void *buf, size_t len, uint32_t crc, struct ckpt_header *out,
			 struct ckpt_detail *d)
{
	return check(buf, len, &crc, out, d);
}

static int check(const void *buf, size_t len, const uint32_t *known_crc,
		 struct ckpt_header *out, struct ckpt_detail *d)
{
	const uint8_t *img = buf;
	struct ckpt_header h;
	if (d)
		memset(d, 0, sizeof(*d));
	if (len < CKPT_HEADER_LEN)
		return fail(d, CKPT_E_TRUNCATED, (uint32_t)len, CKPT_HEADER_LEN, 0);
	if (memcmp(img + H_MAGIC, CKPT_MAGIC, CKPT_MAGIC_LEN) != 0)
		return fail(d, CKPT_E_MAGIC, 0, 0, H_MAGIC);
	read_header(img, &h);
	if (h.version != CKPT_VERSION)
		return fail(d, CKPT_E_VERSION, h.version, 0, H_VERSION);
	uint32_t header_len = get16(img + H_HEADER_LEN);
	if (header_len != CKPT_HEADER_LEN)
		return fail(d, CKPT_E_HEADER_LEN, header_len, 0, H_HEADER_LEN);
	if (len < h.total_len)
		return fail(d, CKPT_E_TRUNCATED, (uint32_t)len, h.total_len, 0);
	if (len > h.total_len)
		return fail(d, CKPT_E_TOO_LONG, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len,
			    h.total_len, H_TOTAL_LEN);
	uint32_t crc = known_crc ? *known_crc : ckpt_image_crc_prefix(img, len);
	if (crc != h.crc)
		return fail(d, CKPT_E_CRC, h.crc, crc, H_CRC);
	if (!full_or_incremental_ok(h.flags, h.base_id))
		return fail(d, CKPT_E_HEADER_FLAGS, h.flags, h.base_id, H_FLAGS);
	if (!h.origin)
		return fail(d, CKPT_E_ORIGIN, 0, 0, H_ORIGIN);
	int bad = ckpt_name_bad(h.name, CKPT_NAME_LEN, false);
	if (bad >= 0)
		return fail(d, CKPT_E_NAME, (uint8_t)h.name[bad], 0, H_NAME);
	int err = check_sections(img, len, h.section_count, d);
	if (err)
		return err;
	if (out)
		*out = h;
	return CKPT_OK;
}

/* Fills in the section at s->offset; false at the end of the image. */
static bool section_at(struct ckpt_section *s)
{
	if (s->offset + CKPT_SECTION_HDR > s->image_len)
		return false;
	const uint8_t *p = s->image + s->offset;
	s->type = get16(p);
	s->payload_len = get32(p + 4);
	s->payload = p + CKPT_SECTION_HDR;
	uint32_t rec = record_size(s->type);
	if (rec) {
		s->count = s->payload_len / rec;
	} else {
		size_t pos = 0;
		struct ckpt_page page;
		s->count = 0;
		while (ckpt_next_page(s, &pos, &page))
			s->count++;
	}
	return true;
}

bool ckpt_section_first(const void *buf, size_t len, struct ckpt_section *s)
{
	memset(s, 0, sizeof(*s));
	s->image = buf;
	s->image_len = len;
	s->offset = CKPT_HEADER_LEN;
	return section_at(s);
}

bool ckpt_section_next(struct ckpt_section *s)
{
	s->offset += CKPT_SECTION_HDR + s->payload_len;
	return section_at(s);
}

static const uint8_t *get_words(const uint8_t *p, uint32_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++, p += 4)
		v[i] = get32(p);
	return p;
}

void ckpt_get_thread(const struct ckpt_section *s, uint32_t i, struct ckpt_thread *out)
{
	const uint8_t *p = s->payload + (size_t)i * CKPT_THREAD_REC;
	out->index = get32(p);
	out->state = get32(p + 4);
	out->priority = get32(p + 8);
	memcpy(out->name, p + 12, CKPT_THREAD_NAME);
	p = get_words(p + 12 + CKPT_THREAD_NAME, out->regs, CKPT_THREAD_REGS);
	out->wait_kind = get32(p);
	out->utcb_va = get32(p + 4);
	get_words(p + 8, out->utcb, CKPT_UTCB_WORDS);
}

void ckpt_get_cap(const struct ckpt_section *s, uint32_t i, struct ckpt_cap *out)
{
	uint32_t v[6];
	get_words(s->payload + (size_t)i * CKPT_CAP_REC, v, 6);
	out->sel = v[0];
	out->type = v[1];
	out->rights = v[2];
	out->label = v[3];
	out->obj_id = v[4];
	out->session = v[5];
}

void ckpt_get_session(const struct ckpt_section *s, uint32_t i, struct ckpt_session *out)
{
	const uint8_t *p = s->payload + (size_t)i * CKPT_SESSION_REC;
	out->id = get32(p);
	out->kind = get32(p + 4);
	p = get_words(p + 8, out->args, CKPT_SESSION_ARGS);
	get_words(p, out->state, CKPT_SESSION_STATE);
}

bool ckpt_next_page(const struct ckpt_section *s, size_t *pos, struct ckpt_page *out)
{
	if (*pos + CKPT_PAGE_HDR > s->payload_len)
		return false;
	const uint8_t *p = s->payload + *pos;
	out->va = get32(p);
	out->flags = get32(p + 4);
	out->data = (out->flags & CKPT_PAGE_ZERO) ? NULL : p + CKPT_PAGE_HDR;
	*pos += CKPT_PAGE_HDR + (out->data ? CKPT_PAGE_SIZE : 0);
	return true;
}

/* ---- base64 -------------------------------------------------------------------- */

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool ckpt_base64_encode(const void *src, size_t n, char *dst, size_t cap)
{
	const uint8_t *p = src;
	size_t need = CKPT_BASE64_LEN(n) + 1;
	if (cap < need)
		return false;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		size_t left = n - i;
		uint32_t v = (uint32_t)p[i] << 16;
		if (left > 1)
			v |= (uint32_t)p[i + 1] << 8;
		if (left > 2)
			v |= p[i + 2];
		dst[o++] = b64_alphabet[(v >> 18) & 63];
		dst[o++] = b64_alphabet[(v >> 12) & 63];
		dst[o++] = left > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
		dst[o++] = left > 2 ? b64_alphabet[v & 63] : '=';
	}
	dst[o] = 0;
	return true;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

bool ckpt_base64_decode(const char *src, size_t n, uint8_t *dst, size_t cap,
			size_t *out_len)
{
	if (n % 4)
		return false;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 4) {
		bool last = i + 4 == n;
		/* '=' may only end the last group: "xx==" or "xxx=". */
		int pad = 0;
		if (last && src[i + 3] == '=')
			pad = src[i + 2] == '=' ? 2 : 1;
		uint32_t v = 0;
		for (int k = 0; k < 4; k++) {
			int x = k >= 4 - pad ? 0 : b64_value(src[i + k]);
			if (x < 0)
				return false;
			v = v << 6 | (uint32_t)x;
		}
		/* Bits that padding leaves over must be zero (canonical form). */
		if ((pad == 1 && (v & 0xff)) || (pad == 2 && (v & 0xffff)))
			return false;
		size_t bytes = 3 - (size_t)pad;
		if (cap - o < bytes)
			return false;
		dst[o++] = (uint8_t)(v >> 16);
		if (bytes > 1)
			dst[o++] = (uint8_t)(v >> 8);
		if (bytes > 2)
			dst[o++] = (uint8_t)v;
	}
	*out_len = o;
	return true;
}

/* ---- console dump text ------------------------------------------------------------ */

void ckpt_dump_emit(const void *img, size_t len, uint32_t id,
		    ckpt_line_fn put_line, void *ctx)
{
	char line[CKPT_DUMP_LINE_MAX];
	struct text t = { line, sizeof(line), 0 };
	line[0] = 0;
	text_puts(&t, "ckpt-image ");
	text_dec(&t, id);
	text_putc(&t, ' ');
	text_dec(&t, (uint32_t)len);
	text_putc(&t, ' ');
	text_hex8(&t, ckpt_crc32(0, img, len));
	put_line(ctx, line);

	const uint8_t *p = img;
	for (size_t i = 0; i < len; i += CKPT_DUMP_BYTES_PER_LINE) {
		size_t n = len - i < CKPT_DUMP_BYTES_PER_LINE ? len - i
							       : CKPT_DUMP_BYTES_PER_LINE;
		ckpt_base64_encode(p + i, n, line, sizeof(line));
		put_line(ctx, line);
	}

	t.pos = 0;
	line[0] = 0;
	text_puts(&t, "ckpt-end ");
	text_dec(&t, id);
	put_line(ctx, line);
}

/* A line of the text: [start, start + len), without CR or LF. */
struct line_cursor {
	const char *text;
	size_t n, pos;
	uint32_t number;
};

static bool next_line(struct line_cursor *c, const char **start, size_t *len)
{
	if (c->pos >= c->n)
		return false;
	const char *s = c->text + c->pos;
	size_t l = 0;
	while (c->pos + l < c->n && s[l] != '\n')
		l++;
	c->pos += l + 1;
	if (l && s[l - 1] == '\r')
		l--;
	c->number++;
	*start = s;
	*len = l;
	return true;
}

static bool starts_with(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && memcmp(s, prefix, n) == 0;
}

/* Reads a number in base 10 or 16 at *s; at least one digit, no overflow. */
static bool parse_number(const char **s, const char *end, unsigned base, uint32_t *v)
{
	uint64_t x = 0;
	const char *p = *s;
	for (; p < end; p++) {
		unsigned digit;
		if (*p >= '0' && *p <= '9')
			digit = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			digit = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			digit = (unsigned)(*p - 'A' + 10);
		else
			break;
		x = x * base + digit;
		if (x > UINT32_MAX)
			return false;
	}
	if (p == *s)
		return false;
	*s = p;
	*v = (uint32_t)x;
	return true;
}

/* "ckpt-image <id> <bytes> <crc hex>" and nothing else. */
static bool parse_start(const char *s, size_t len, uint32_t *id, uint32_t *total,
			uint32_t *crc)
{
	const char *end = s + len;
	s += strlen("ckpt-image ");
	if (!parse_number(&s, end, 10, id) || s == end || *s++ != ' ')
		return false;
	if (!parse_number(&s, end, 10, total) || s == end || *s++ != ' ')
		return false;
	return parse_number(&s, end, 16, crc) && s == end;
}

static bool is_end_line(const char *s, size_t len, uint32_t id)
{
	const char *end = s + len;
	uint32_t v;
	if (!starts_with(s, len, "ckpt-end "))
		return false;
	s += strlen("ckpt-end ");
	return parse_number(&s, end, 10, &v) && s == end && v == id;
}

static int dump_fail(struct ckpt_detail *d, int err, uint32_t a, uint32_t b,
		     uint32_t line)
{
	fail(d, err, a, b, 0);
	if (d)
		d->line = line;
	return err;
}

int ckpt_dump_parse(const char *text, size_t n, uint8_t *out, size_t cap,
		    size_t *out_len, uint32_t *id, struct ckpt_detail *d)
{
	struct line_cursor c = { text, n, 0, 0 };
	const char *s;
	size_t len;
	uint32_t total, crc;
	if (d)
		memset(d, 0, sizeof(*d));

	/* Console noise before the dump is skipped. */
	do {
		if (!next_line(&c, &s, &len))
			return dump_fail(d, CKPT_E_DUMP_NO_START, 0, 0, 0);
	} while (!starts_with(s, len, "ckpt-image "));
	if (!parse_start(s, len, id, &total, &crc))
		return dump_fail(d, CKPT_E_DUMP_HEADER, 0, 0, c.number);
	if (total > cap)
		return dump_fail(d, CKPT_E_NO_SPACE, (uint32_t)cap, total, c.number);

	/* Inside, strict: full lines of 57 bytes, a shorter one only last. */
	size_t got = 0;
	bool short_line_seen = false;
	for (;;) {
		if (!next_line(&c, &s, &len))
			return dump_fail(d, CKPT_E_DUMP_NO_END, 0, 0, c.number);
		if (is_end_line(s, len, *id))
			break;
		size_t bytes;
		if (short_line_seen || len == 0 || len > CKPT_BASE64_LEN(CKPT_DUMP_BYTES_PER_LINE) ||
		    !ckpt_base64_decode(s, len, out + got, cap - got, &bytes))
			return dump_fail(d, CKPT_E_DUMP_LINE, 0, 0, c.number);
		got += bytes;
		short_line_seen = bytes < CKPT_DUMP_BYTES_PER_LINE;
	}
	if (got != total)
		return dump_fail(d, CKPT_E_DUMP_LENGTH, (uint32_t)got, total, c.number);
	uint32_t computed = ckpt_crc32(0, out, got);
	if (computed != crc)
		return dump_fail(d, CKPT_E_DUMP_CRC, crc, computed, c.number);
	*out_len = got;
	return CKPT_OK;
}

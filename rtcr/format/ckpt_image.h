/*
 * Checkpoint image codec, format v2 (docs/ckpt-image.md), shared by RTCR on
 * the board and the host tool tools/ckpt-decode.
 *
 * Plain C without heap or libc beyond memcpy/memset/memcmp: the writer
 * fills a buffer the caller owns, the reader works in place on a const
 * buffer. Every field is little-endian and read or written byte by byte,
 * so the layout never depends on the compiler's struct layout or on the
 * alignment of the buffer.
 *
 * A reader first calls ckpt_image_check(), which validates the whole image
 * (checksum, every section's bounds and record sizes); only then may the
 * section iterators and record getters be used on it. They trust the check
 * and do no validation of their own.
 */
#ifndef RTCR_CKPT_IMAGE_H
#define RTCR_CKPT_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "crc32.h"

#define CKPT_MAGIC        "RTCRIMG2"
#define CKPT_MAGIC_LEN    8u
#define CKPT_VERSION      2u
#define CKPT_HEADER_LEN   76u
#define CKPT_SECTION_HDR  8u
#define CKPT_NAME_LEN     16u     /* task name, NUL padded */
#define CKPT_THREAD_NAME  8u      /* thread name, NUL padded, not terminated */
#define CKPT_THREAD_REGS  17u     /* r0-r12 sp lr pc cpsr (THREAD_REGS_WORDS) */
#define CKPT_UTCB_WORDS   96u     /* the thread's UTCB (UTCB_WORDS) */
#define CKPT_SESSION_ARGS 6u
#define CKPT_SESSION_STATE 10u
#define CKPT_PAGE_SIZE    4096u

/* Header flags. */
#define CKPT_FLAG_INCREMENTAL 0x1u   /* only pages written since base_id */
#define CKPT_FLAGS_KNOWN      0x1u

/* Section types. */
enum ckpt_section_type {
	CKPT_SEC_THREADS = 1,
	CKPT_SEC_CAPS = 2,
	CKPT_SEC_SESSIONS = 3,
	CKPT_SEC_PAGES = 4,
};

/* Fixed record sizes on the wire; a page record is 8 or 8 + 4096 bytes. */
#define CKPT_THREAD_REC  (4u * 3 + CKPT_THREAD_NAME + 4u * CKPT_THREAD_REGS + 4u * 2 + \
			  4u * CKPT_UTCB_WORDS)
#define CKPT_CAP_REC     (4u * 6)
#define CKPT_SESSION_REC (4u * 2 + 4u * CKPT_SESSION_ARGS + 4u * CKPT_SESSION_STATE)
#define CKPT_PAGE_HDR    8u

/* Session kinds: which RTCR object a session record describes. */
enum ckpt_session_kind {
	CKPT_SESSION_LOG = 1,
	CKPT_SESSION_RAM = 2,
	CKPT_SESSION_RM = 3,
	CKPT_SESSION_TIMER = 4,
	CKPT_SESSION_IRQ = 5,
	CKPT_SESSION_GATE = 6,       /* a gate of the child's own */
	CKPT_SESSION_PARENT = 7,     /* the gate to its parent */
	CKPT_SESSION_IO_MEM = 8,
	CKPT_SESSION_CPU = 9,
	CKPT_SESSION_DATASPACE = 10, /* memory of a RAM session */
	CKPT_SESSION_SEGMENT = 11,   /* memory of the program image */
	CKPT_SESSION_KINDS
};

/* Page record flags. */
#define CKPT_PAGE_ZERO  0x1u    /* all zero: no data bytes follow */
#define CKPT_PAGE_FLAGS_KNOWN 0x1u

/* A capability that names no RTCR session (e.g. a kernel object). */
#define CKPT_NO_SESSION 0xffffffffu

struct ckpt_header {
	uint16_t version;        /* reader: as stored; writer: ignored */
	uint32_t flags;          /* CKPT_FLAG_* */
	uint32_t image_id;
	uint32_t base_id;        /* image an increment applies to; 0 when full */
	uint64_t origin;         /* the boot of the board that took it (never 0):
	                            with image_id it names the image everywhere,
	                            and an increment's base is (origin, base_id) */
	uint32_t task_id;
	char name[CKPT_NAME_LEN];
	uint64_t time_us;        /* when the task was paused */
	uint32_t pause_us;       /* how long the task was paused */
	uint32_t section_count;  /* reader only */
	uint32_t total_len;      /* reader only */
	uint32_t crc;            /* reader only */
};

struct ckpt_thread {
	uint32_t index;          /* thread number within the task */
	uint32_t state;          /* enum thread_state */
	uint32_t priority;
	char name[CKPT_THREAD_NAME];
	uint32_t regs[CKPT_THREAD_REGS];
	uint32_t wait_kind;      /* what a blocked thread waited for (its system
	                            call starts again when it resumes) */
	uint32_t utcb_va;
	uint32_t utcb[CKPT_UTCB_WORDS];
};

struct ckpt_cap {
	uint32_t sel;            /* selector in the task's capability space */
	uint32_t type;           /* enum kobj_type */
	uint32_t rights;         /* RIGHT_* */
	uint32_t label;          /* gate label; 0 otherwise */
	uint32_t obj_id;         /* object id on the source board */
	uint32_t session;        /* session id it names, or CKPT_NO_SESSION */
};

struct ckpt_session {
	uint32_t id;
	uint32_t kind;           /* enum ckpt_session_kind */
	uint32_t args[CKPT_SESSION_ARGS];
	uint32_t state[CKPT_SESSION_STATE];
};

struct ckpt_page {
	uint32_t va;             /* page aligned */
	uint32_t flags;          /* CKPT_PAGE_* */
	const uint8_t *data;     /* reader: 4096 bytes in the image; NULL if zero */
};

/* Error codes; ckpt_strerror() names each, ckpt_describe() adds numbers. */
enum ckpt_error {
	CKPT_OK = 0,
	CKPT_E_TRUNCATED,        /* a: bytes present, b: bytes needed */
	CKPT_E_TOO_LONG,         /* a: buffer bytes, b: image total length */
	CKPT_E_MAGIC,
	CKPT_E_VERSION,          /* a: stored version */
	CKPT_E_HEADER_LEN,       /* a: stored header length */
	CKPT_E_HEADER_FLAGS,     /* a: flags, b: base id */
	CKPT_E_CRC,              /* a: stored, b: computed */
	CKPT_E_SECTION_TYPE,     /* a: type, offset: section */
	CKPT_E_SECTION_RESERVED, /* a: reserved field, offset: section */
	CKPT_E_SECTION_OVERRUN,  /* a: payload length, b: bytes left, offset */
	CKPT_E_RECORD_SIZE,      /* a: payload length, b: record size, offset */
	CKPT_E_PAGE,             /* a: va, b: flags, offset: record */
	CKPT_E_SECTION_COUNT,    /* a: stored count, b: sections found */
	CKPT_E_TRAILING,         /* a: bytes after the last section */
	CKPT_E_NO_SPACE,         /* writer: a: capacity, b: bytes needed */
	CKPT_E_WRITER_STATE,     /* writer: call out of order or wrong section */
	CKPT_E_DUMP_NO_START,    /* dump: no "ckpt-image" line */
	CKPT_E_DUMP_HEADER,      /* dump: malformed start line; line */
	CKPT_E_DUMP_LINE,        /* dump: bad base64 line; line */
	CKPT_E_DUMP_NO_END,      /* dump: no matching "ckpt-end" line */
	CKPT_E_DUMP_LENGTH,      /* dump: a: bytes decoded, b: bytes announced */
	CKPT_E_DUMP_CRC,         /* dump: a: announced, b: computed */
	CKPT_E_ORIGIN,           /* the header names no origin (0) */
	CKPT_E_NAME,             /* a: the byte, offset: the name (task or thread) */
	CKPT_E_SECTION_REPEATED, /* a: type, offset: its second section */
	CKPT_E_COUNT
};

/* Where and why something was rejected, as numbers; see enum ckpt_error. */
struct ckpt_detail {
	int err;
	uint32_t a, b;
	uint32_t offset;         /* byte offset in the image */
	uint32_t line;           /* dump text: 1-based line number */
};

const char *ckpt_strerror(int err);

/*
 * The reason as one line, e.g. "checksum mismatch: stored 1a2b3c4d,
 * computed 5e6f7a8b", into buf (always terminated when size > 0).
 * Returns buf.
 */
char *ckpt_describe(const struct ckpt_detail *d, char *buf, size_t size);


/* A task or thread name as an image holds it (and so as RTCR may print
 * it): printable ASCII without spaces (0x21-0x7e) up to the first NUL, NUL
 * after it; len bytes, not necessarily terminated. A task's name is never
 * empty. Returns the offset of the first bad byte, or -1 if it is good. */
int ckpt_name_bad(const char *name, size_t len, bool may_be_empty);

/* ---- writer -------------------------------------------------------------- */

struct ckpt_writer {
	uint8_t *buf;
	size_t cap;
	size_t len;
	size_t section_start;    /* offset of the open section's header */
	uint32_t section_type;   /* 0: no section open */
	uint32_t sections;
	uint32_t types_written;  /* bit t: a section of type t */
	int err;                 /* sticky: the first error ends the image */
	struct ckpt_detail detail;
	uint32_t *block_crc;     /* ckpt_writer_want_blocks */
	size_t block_max;
};

/* Blocks of an image whose CRCs a writer can leave behind (the last block
 * may be shorter): a migration sends chunks that are whole blocks and so
 * never reads the image for their checksums again. */
#define CKPT_CRC_BLOCK 1024u

/*
 * Each returns CKPT_OK or an error; after an error every later call
 * returns it too, so a caller may check only ckpt_writer_finish().
 * Nothing is written past cap: space is checked before each write.
 */
int ckpt_writer_init(struct ckpt_writer *w, void *buf, size_t cap,
		     const struct ckpt_header *h);
int ckpt_section_begin(struct ckpt_writer *w, uint32_t type);
int ckpt_put_thread(struct ckpt_writer *w, const struct ckpt_thread *t);
int ckpt_put_cap(struct ckpt_writer *w, const struct ckpt_cap *c);
int ckpt_put_session(struct ckpt_writer *w, const struct ckpt_session *s);
/* data: 4096 bytes, or NULL for a page of zeros (stored without data). */
int ckpt_put_page(struct ckpt_writer *w, uint32_t va, const void *data);
int ckpt_section_end(struct ckpt_writer *w);
/* Fills in count, length and CRC; *len is the image's size. */
int ckpt_writer_finish(struct ckpt_writer *w, size_t *len);
/* Before finishing: also store the CRC of each CKPT_CRC_BLOCK bytes of the
 * image in blocks[] (block 0's with the CRC field read as zero), if the
 * image has at most max blocks; ckpt_writer_blocks() says whether it did.
 * The image's CRC is then joined from them at no extra cost. */
void ckpt_writer_want_blocks(struct ckpt_writer *w, uint32_t *blocks, size_t max);
bool ckpt_writer_blocks(const struct ckpt_writer *w);

/* ---- reader -------------------------------------------------------------- */

/*
 * Validates everything; on success fills *h (may be NULL). On failure
 * returns the error and, if d is not NULL, fills *d.
 */
int ckpt_image_check(const void *buf, size_t len, struct ckpt_header *h,
		     struct ckpt_detail *d);
/* The same for a caller that has the image's CRC already (the CRC field
 * read as zero), e.g. joined from the CRCs of the pieces it came in:
 * everything is checked but the bytes are not read for the CRC again. */
int ckpt_image_check_crc(const void *buf, size_t len, uint32_t crc, struct ckpt_header *h,
			 struct ckpt_detail *d);
/* The CRC of an image's first len bytes with the CRC field (where it lies
 * within them) read as zero: for the piece that holds the header. */
uint32_t ckpt_image_crc_prefix(const void *img, size_t len);
/* The CRC an image's header holds (its writer's; not checked here). */
uint32_t ckpt_image_stored_crc(const void *img);

struct ckpt_section {
	const uint8_t *image;
	size_t image_len;
	size_t offset;           /* of the section header in the image */
	uint32_t type;
	uint32_t payload_len;
	const uint8_t *payload;
	uint32_t count;          /* records in the section */
};

/* Only on a checked image. Return false when there are no more sections. */
bool ckpt_section_first(const void *buf, size_t len, struct ckpt_section *s);
bool ckpt_section_next(struct ckpt_section *s);

/* Record i of a section of the matching type; i < s->count. */
void ckpt_get_thread(const struct ckpt_section *s, uint32_t i, struct ckpt_thread *out);
void ckpt_get_cap(const struct ckpt_section *s, uint32_t i, struct ckpt_cap *out);
void ckpt_get_session(const struct ckpt_section *s, uint32_t i, struct ckpt_session *out);

/*
 * Page records vary in size, so they are walked: start with *pos = 0;
 * returns false after the last one.
 */
bool ckpt_next_page(const struct ckpt_section *s, size_t *pos, struct ckpt_page *out);

/* ---- base64 (RFC 4648, no line breaks) and the console dump --------------- */

/* Characters for n bytes, without the terminating NUL. */
#define CKPT_BASE64_LEN(n) ((((n) + 2u) / 3u) * 4u)

/* Writes the text and a NUL; false (nothing written) if cap is too small. */
bool ckpt_base64_encode(const void *src, size_t n, char *dst, size_t cap);
/*
 * Strict: length a multiple of 4, padding only at the end, unused bits
 * zero. False on anything else or if the result would exceed cap.
 */
bool ckpt_base64_decode(const char *src, size_t n, uint8_t *dst, size_t cap,
			size_t *out_len);

/* Bytes of image per dump line; 76 base64 characters. */
#define CKPT_DUMP_BYTES_PER_LINE 57u
#define CKPT_DUMP_LINE_MAX 80u   /* longest line, with NUL */

/*
 * Emits an image as dump text, one line at a time (without newline):
 * "ckpt-image <id> <bytes> <crc32 hex>", base64 lines, "ckpt-end <id>".
 */
typedef void (*ckpt_line_fn)(void *ctx, const char *line);
void ckpt_dump_emit(const void *img, size_t len, uint32_t id,
		    ckpt_line_fn put_line, void *ctx);

/*
 * Finds the first dump in text (lines before and after it are ignored;
 * CR LF or LF line ends), decodes it into out and checks its length and
 * CRC. Does not check the image itself: call ckpt_image_check() next.
 */
int ckpt_dump_parse(const char *text, size_t n, uint8_t *out, size_t cap,
		    size_t *out_len, uint32_t *id, struct ckpt_detail *d);

#endif

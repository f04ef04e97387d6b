/*
 * ckpt-decode: prints an RTCR checkpoint image, in the manner of CRIU's crit.
 *
 *   ckpt-decode [--json] FILE
 *
 * FILE is a binary image or a console capture holding an `images dump`
 * (recognised by its "ckpt-image " line). The image is checked completely
 * before anything is printed; a damaged one gives exit status 1 and
 * "ckpt-decode: FILE: <reason>" on stderr. Built for the host from the same
 * rtcr/ckpt_image.c the firmware uses, so both read the format alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt_image.h"
#include "uapi/objects.h"

static const char *prog = "ckpt-decode";

static const char *session_kind_name(uint32_t kind)
{
	static const char *const names[] = {
		"?", "log", "ram", "rm", "timer", "irq", "gate", "parent", "io_mem", "cpu",
		"dataspace", "segment",
	};
	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

static const char *const reg_names[CKPT_THREAD_REGS] = {
	"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11",
	"r12", "sp", "lr", "pc", "cpsr",
};

/* A thread name is up to 8 bytes, not necessarily terminated. */
static void thread_name(const struct ckpt_thread *t, char out[CKPT_THREAD_NAME + 1])
{
	memcpy(out, t->name, CKPT_THREAD_NAME);
	out[CKPT_THREAD_NAME] = 0;
}

static void rights_text(uint32_t rights, char out[4])
{
	out[0] = rights & RIGHT_READ ? 'r' : '-';
	out[1] = rights & RIGHT_WRITE ? 'w' : '-';
	out[2] = rights & RIGHT_GRANT ? 'g' : '-';
	out[3] = 0;
}

/* JSON strings here come from fixed-size names; escape what JSON requires. */
static void json_string(const char *s, size_t max)
{
	putchar('"');
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* ---- text output ------------------------------------------------------------ */

static void text_header(const struct ckpt_header *h)
{
	char name[CKPT_NAME_LEN + 1];
	memcpy(name, h->name, CKPT_NAME_LEN);
	name[CKPT_NAME_LEN] = 0;
	printf("image %u: %s\n", (unsigned)h->image_id,
	       h->flags & CKPT_FLAG_INCREMENTAL ? "incremental" : "full");
	printf("  version  %u\n", (unsigned)h->version);
	printf("  base     %u\n", (unsigned)h->base_id);
	printf("  task     %u (%s)\n", (unsigned)h->task_id, name);
	printf("  time     %llu us\n", (unsigned long long)h->time_us);
	printf("  pause    %u us\n", (unsigned)h->pause_us);
	printf("  length   %u bytes, %u sections\n", (unsigned)h->total_len,
	       (unsigned)h->section_count);
	printf("  crc32    %08x\n", (unsigned)h->crc);
}

static void text_threads(const struct ckpt_section *s)
{
	printf("threads (%u):\n", (unsigned)s->count);
	for (uint32_t i = 0; i < s->count; i++) {
		struct ckpt_thread t;
		char name[CKPT_THREAD_NAME + 1];
		ckpt_get_thread(s, i, &t);
		thread_name(&t, name);
		printf("  thread %u (%s): %s, priority %u, wait %s, utcb %08x\n", (unsigned)t.index,
		       name, thread_state_name(t.state), (unsigned)t.priority,
		       thread_wait_name(t.wait_kind), (unsigned)t.utcb_va);
		for (uint32_t r = 0; r < CKPT_THREAD_REGS; r++)
			printf("%s%-4s %08x%s", r % 4 ? "  " : "    ", reg_names[r],
			       (unsigned)t.regs[r], r % 4 == 3 || r + 1 == CKPT_THREAD_REGS ? "\n" : "");
	}
}

static int by_selector(const void *a, const void *b)
{
	const struct ckpt_cap *x = a, *y = b;
	return x->sel < y->sel ? -1 : x->sel > y->sel;
}

/* Sorted copy of a CAPS section; the caller frees it. */
static struct ckpt_cap *sorted_caps(const struct ckpt_section *s)
{
	struct ckpt_cap *caps = calloc(s->count ? s->count : 1, sizeof(*caps));
	if (!caps) {
		perror(prog);
		exit(1);
	}
	for (uint32_t i = 0; i < s->count; i++)
		ckpt_get_cap(s, i, &caps[i]);
	qsort(caps, s->count, sizeof(*caps), by_selector);
	return caps;
}

/* Exactly the layout of the shell's `caps <task>` (rtcr/shell.c). */
#define CAPS_PER_ROW 4

static void text_caps(const struct ckpt_section *s)
{
	struct ckpt_cap *caps = sorted_caps(s);
	printf("capabilities (%u):\n", (unsigned)s->count);
	uint32_t i = 0;
	while (i < s->count) {
		uint32_t row = caps[i].sel - caps[i].sel % CAPS_PER_ROW;
		printf("%06x", (unsigned)row);
		for (uint32_t sel = row; sel < row + CAPS_PER_ROW; sel++) {
			char cell[40] = "-", rights[4];
			if (i < s->count && caps[i].sel == sel) {
				rights_text(caps[i].rights, rights);
				snprintf(cell, sizeof(cell), "%u-%s:%s", (unsigned)caps[i].obj_id,
					 kobj_type_name(caps[i].type), rights);
				i++;
			}
			printf(" %-20s", cell);
		}
		printf("\n");
	}
	for (i = 0; i < s->count; i++) {
		char rights[4];
		rights_text(caps[i].rights, rights);
		printf("  %06x %-8s %s label %08x object %u", (unsigned)caps[i].sel,
		       kobj_type_name(caps[i].type), rights, (unsigned)caps[i].label,
		       (unsigned)caps[i].obj_id);
		if (caps[i].session != CKPT_NO_SESSION)
			printf(" session %u", (unsigned)caps[i].session);
		printf("\n");
	}
	free(caps);
}

static void text_sessions(const struct ckpt_section *s)
{
	printf("sessions (%u):\n", (unsigned)s->count);
	for (uint32_t i = 0; i < s->count; i++) {
		struct ckpt_session ss;
		ckpt_get_session(s, i, &ss);
		printf("  session %u: %s\n    args ", (unsigned)ss.id, session_kind_name(ss.kind));
		for (uint32_t k = 0; k < CKPT_SESSION_ARGS; k++)
			printf(" %08x", (unsigned)ss.args[k]);
		printf("\n    state");
		for (uint32_t k = 0; k < CKPT_SESSION_STATE; k++)
			printf(" %08x", (unsigned)ss.state[k]);
		printf("\n");
	}
}

static void text_pages(const struct ckpt_section *s)
{
	size_t pos = 0;
	struct ckpt_page p;
	printf("pages (%u):\n", (unsigned)s->count);
	while (ckpt_next_page(s, &pos, &p)) {
		if (p.data)
			printf("  %08x data crc32 %08x\n", (unsigned)p.va,
			       (unsigned)ckpt_crc32(0, p.data, CKPT_PAGE_SIZE));
		else
			printf("  %08x zero\n", (unsigned)p.va);
	}
}

static void print_text(const uint8_t *img, size_t len, const struct ckpt_header *h)
{
	struct ckpt_section s;
	text_header(h);
	for (bool more = ckpt_section_first(img, len, &s); more; more = ckpt_section_next(&s)) {
		switch (s.type) {
		case CKPT_SEC_THREADS: text_threads(&s); break;
		case CKPT_SEC_CAPS: text_caps(&s); break;
		case CKPT_SEC_SESSIONS: text_sessions(&s); break;
		case CKPT_SEC_PAGES: text_pages(&s); break;
		}
	}
}

/* ---- JSON output ------------------------------------------------------------- */

static void json_words(const uint32_t *v, size_t n)
{
	putchar('[');
	for (size_t i = 0; i < n; i++)
		printf("%s%u", i ? ", " : "", (unsigned)v[i]);
	putchar(']');
}

static void json_threads(const struct ckpt_section *s)
{
	printf("\"threads\": [");
	for (uint32_t i = 0; i < s->count; i++) {
		struct ckpt_thread t;
		ckpt_get_thread(s, i, &t);
		printf("%s\n    {\"index\": %u, \"name\": ", i ? "," : "", (unsigned)t.index);
		json_string(t.name, CKPT_THREAD_NAME);
		printf(", \"state\": \"%s\", \"priority\": %u, \"wait\": \"%s\", "
		       "\"utcb_va\": %u, \"regs\": {", thread_state_name(t.state),
		       (unsigned)t.priority, thread_wait_name(t.wait_kind), (unsigned)t.utcb_va);
		for (uint32_t r = 0; r < CKPT_THREAD_REGS; r++)
			printf("%s\"%s\": %u", r ? ", " : "", reg_names[r], (unsigned)t.regs[r]);
		printf("}, \"utcb\": ");
		json_words(t.utcb, CKPT_UTCB_WORDS);
		printf("}");
	}
	printf("]");
}

static void json_caps(const struct ckpt_section *s)
{
	struct ckpt_cap *caps = sorted_caps(s);
	printf("\"caps\": [");
	for (uint32_t i = 0; i < s->count; i++) {
		const struct ckpt_cap *c = &caps[i];
		printf("%s\n    {\"sel\": %u, \"type\": \"%s\", \"rights\": %u, \"label\": %u, "
		       "\"object\": %u, \"session\": ", i ? "," : "", (unsigned)c->sel,
		       kobj_type_name(c->type), (unsigned)c->rights, (unsigned)c->label,
		       (unsigned)c->obj_id);
		if (c->session == CKPT_NO_SESSION)
			printf("null}");
		else
			printf("%u}", (unsigned)c->session);
	}
	printf("]");
	free(caps);
}

static void json_sessions(const struct ckpt_section *s)
{
	printf("\"sessions\": [");
	for (uint32_t i = 0; i < s->count; i++) {
		struct ckpt_session ss;
		ckpt_get_session(s, i, &ss);
		printf("%s\n    {\"id\": %u, \"kind\": \"%s\", \"args\": ", i ? "," : "",
		       (unsigned)ss.id, session_kind_name(ss.kind));
		json_words(ss.args, CKPT_SESSION_ARGS);
		printf(", \"state\": ");
		json_words(ss.state, CKPT_SESSION_STATE);
		printf("}");
	}
	printf("]");
}

static void json_pages(const struct ckpt_section *s)
{
	size_t pos = 0;
	struct ckpt_page p;
	bool first = true;
	printf("\"pages\": [");
	while (ckpt_next_page(s, &pos, &p)) {
		printf("%s\n    {\"va\": %u, \"zero\": %s", first ? "" : ",", (unsigned)p.va,
		       p.data ? "false" : "true");
		if (p.data)
			printf(", \"crc32\": \"%08x\"", (unsigned)ckpt_crc32(0, p.data, CKPT_PAGE_SIZE));
		printf("}");
		first = false;
	}
	printf("]");
}

static void print_json(const uint8_t *img, size_t len, const struct ckpt_header *h)
{
	printf("{\"header\": {\"version\": %u, \"image_id\": %u, \"base_id\": %u, "
	       "\"incremental\": %s, \"task_id\": %u, \"name\": ", (unsigned)h->version,
	       (unsigned)h->image_id, (unsigned)h->base_id,
	       h->flags & CKPT_FLAG_INCREMENTAL ? "true" : "false", (unsigned)h->task_id);
	json_string(h->name, CKPT_NAME_LEN);
	printf(", \"time_us\": %llu, \"pause_us\": %u, \"length\": %u, \"sections\": %u, "
	       "\"crc32\": \"%08x\"}", (unsigned long long)h->time_us, (unsigned)h->pause_us,
	       (unsigned)h->total_len, (unsigned)h->section_count, (unsigned)h->crc);
	struct ckpt_section s;
	for (bool more = ckpt_section_first(img, len, &s); more; more = ckpt_section_next(&s)) {
		printf(",\n  ");
		switch (s.type) {
		case CKPT_SEC_THREADS: json_threads(&s); break;
		case CKPT_SEC_CAPS: json_caps(&s); break;
		case CKPT_SEC_SESSIONS: json_sessions(&s); break;
		case CKPT_SEC_PAGES: json_pages(&s); break;
		}
	}
	printf("}\n");
}

/* ---- input ------------------------------------------------------------------- */

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 65536, n = 0;
	uint8_t *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			uint8_t *bigger = realloc(buf, cap *= 2);
			if (!bigger)
				free(buf);
			buf = bigger;
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

/* A console capture: some line starts with "ckpt-image ". */
static bool is_dump(const uint8_t *buf, size_t len)
{
	static const char start[] = "ckpt-image ";
	size_t n = sizeof(start) - 1;
	for (size_t i = 0; i + n <= len; i++)
		if ((i == 0 || buf[i - 1] == '\n') && memcmp(buf + i, start, n) == 0)
			return true;
	return false;
}

static int reject(const char *path, const struct ckpt_detail *d)
{
	char why[160];
	fprintf(stderr, "%s: %s: %s\n", prog, path, ckpt_describe(d, why, sizeof(why)));
	return 1;
}

int main(int argc, char **argv)
{
	bool json = argc == 3 && strcmp(argv[1], "--json") == 0;
	if (argc != 2 + json || argv[argc - 1][0] == '-') {
		fprintf(stderr, "usage: %s [--json] FILE\n", prog);
		return 2;
	}
	const char *path = argv[argc - 1];

	size_t len;
	uint8_t *file = read_file(path, &len);
	if (!file) {
		fprintf(stderr, "%s: %s: ", prog, path);
		perror(NULL);
		return 1;
	}
	uint8_t *img = file;
	struct ckpt_detail d;
	if (is_dump(file, len)) {
		/* Base64 is longer than what it encodes, so len bytes suffice. */
		img = malloc(len);
		if (!img) {
			perror(prog);
			return 1;
		}
		uint32_t id;
		if (ckpt_dump_parse((const char *)file, len, img, len, &len, &id, &d))
			return reject(path, &d);
	}
	struct ckpt_header h;
	if (ckpt_image_check(img, len, &h, &d))
		return reject(path, &d);
	if (json)
		print_json(img, len, &h);
	else
		print_text(img, len, &h);
	return 0;
}

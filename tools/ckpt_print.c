/*
 * Text and JSON output of tools/ckpt-decode (see ckpt_print.h). The text
 * output is read by people and by tests/host/test_ckpt_decode.sh, the JSON
 * by the QEMU tests: both stay byte for byte as they are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt_print.h"
#include "uapi/objects.h"

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
static void json_string(FILE *out, const char *s, size_t max)
{
	fputc('"', out);
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static int by_selector(const void *a, const void *b)
{
	const struct ckpt_cap *x = a, *y = b;
	return x->sel < y->sel ? -1 : x->sel > y->sel;
}

/* Sorted copy of a CAPS section; the caller frees it. Its size is bounded
 * by the image's, which is already in memory, so running out is not worth
 * a way back: the tool stops. */
static struct ckpt_cap *sorted_caps(const struct ckpt_section *s)
{
	struct ckpt_cap *caps = calloc(s->count ? s->count : 1, sizeof(*caps));
	if (!caps) {
		perror("ckpt-decode");
		exit(1);
	}
	for (uint32_t i = 0; i < s->count; i++)
		ckpt_get_cap(s, i, &caps[i]);
	qsort(caps, s->count, sizeof(*caps), by_selector);
	return caps;
}

/* ---- text output ------------------------------------------------------------ */

static void text_header(FILE *out, const struct ckpt_header *h)
{
	char name[CKPT_NAME_LEN + 1];
	memcpy(name, h->name, CKPT_NAME_LEN);
	name[CKPT_NAME_LEN] = 0;
	fprintf(out, "image %u: %s\n", (unsigned)h->image_id,
		h->flags & CKPT_FLAG_INCREMENTAL ? "incremental" : "full");
	fprintf(out, "  version  %u\n", (unsigned)h->version);
	fprintf(out, "  base     %u\n", (unsigned)h->base_id);
	fprintf(out, "  origin   %016llx\n", (unsigned long long)h->origin);
	fprintf(out, "  task     %u (%s)\n", (unsigned)h->task_id, name);
	fprintf(out, "  time     %llu us\n", (unsigned long long)h->time_us);
	fprintf(out, "  pause    %u us\n", (unsigned)h->pause_us);
	fprintf(out, "  length   %u bytes, %u sections\n", (unsigned)h->total_len,
		(unsigned)h->section_count);
	fprintf(out, "  crc32    %08x\n", (unsigned)h->crc);
}

static void text_threads(FILE *out, const struct ckpt_section *s)
{
	fprintf(out, "threads (%u):\n", (unsigned)s->count);
	for (uint32_t i = 0; i < s->count; i++) {
		struct ckpt_thread t;
		char name[CKPT_THREAD_NAME + 1];
		ckpt_get_thread(s, i, &t);
		thread_name(&t, name);
		fprintf(out, "  thread %u (%s): %s, priority %u, wait %s, utcb %08x\n",
			(unsigned)t.index, name, thread_state_name(t.state), (unsigned)t.priority,
			thread_wait_name(t.wait_kind), (unsigned)t.utcb_va);
		for (uint32_t r = 0; r < CKPT_THREAD_REGS; r++)
			fprintf(out, "%s%-4s %08x%s", r % 4 ? "  " : "    ", reg_names[r],
				(unsigned)t.regs[r],
				r % 4 == 3 || r + 1 == CKPT_THREAD_REGS ? "\n" : "");
	}
}

/* Exactly the layout of the shell's `caps <task>` (rtcr/console/shell.c). */
#define CAPS_PER_ROW 4

/*
 * One row of the table: the cells of selectors row .. row + 3, filled from
 * caps[*next] on while they match. The cells are counted rather than
 * walked by selector: for the top row, 0xfffffffc, row + 4 wraps to 0 and
 * a loop up to it would never end. The cell of caps[*next] itself is in
 * the row, so every row takes at least one capability and the table ends;
 * a duplicate selector only starts its row again.
 */
static void text_caps_row(FILE *out, const struct ckpt_cap *caps, uint32_t count,
			  uint32_t *next)
{
	uint32_t row = caps[*next].sel - caps[*next].sel % CAPS_PER_ROW;
	fprintf(out, "%06x", (unsigned)row);
	for (uint32_t cell = 0; cell < CAPS_PER_ROW; cell++) {
		char text[40] = "-", rights[4];
		const struct ckpt_cap *c = &caps[*next];
		if (*next < count && c->sel == row + cell) {
			rights_text(c->rights, rights);
			snprintf(text, sizeof(text), "%u-%s:%s", (unsigned)c->obj_id,
				 kobj_type_name(c->type), rights);
			(*next)++;
		}
		fprintf(out, " %-20s", text);
	}
	fprintf(out, "\n");
}

static void text_cap_line(FILE *out, const struct ckpt_cap *c)
{
	char rights[4];
	rights_text(c->rights, rights);
	fprintf(out, "  %06x %-8s %s label %08x object %u", (unsigned)c->sel,
		kobj_type_name(c->type), rights, (unsigned)c->label, (unsigned)c->obj_id);
	if (c->session != CKPT_NO_SESSION)
		fprintf(out, " session %u", (unsigned)c->session);
	fprintf(out, "\n");
}

static void text_caps(FILE *out, const struct ckpt_section *s)
{
	struct ckpt_cap *caps = sorted_caps(s);
	fprintf(out, "capabilities (%u):\n", (unsigned)s->count);
	uint32_t next = 0;
	while (next < s->count)
		text_caps_row(out, caps, s->count, &next);
	for (uint32_t i = 0; i < s->count; i++)
		text_cap_line(out, &caps[i]);
	free(caps);
}

static void text_sessions(FILE *out, const struct ckpt_section *s)
{
	fprintf(out, "sessions (%u):\n", (unsigned)s->count);
	for (uint32_t i = 0; i < s->count; i++) {
		struct ckpt_session ss;
		ckpt_get_session(s, i, &ss);
		fprintf(out, "  session %u: %s\n    args ", (unsigned)ss.id,
			session_kind_name(ss.kind));
		for (uint32_t k = 0; k < CKPT_SESSION_ARGS; k++)
			fprintf(out, " %08x", (unsigned)ss.args[k]);
		fprintf(out, "\n    state");
		for (uint32_t k = 0; k < CKPT_SESSION_STATE; k++)
			fprintf(out, " %08x", (unsigned)ss.state[k]);
		fprintf(out, "\n");
	}
}

static void text_pages(FILE *out, const struct ckpt_section *s)
{
	size_t pos = 0;
	struct ckpt_page p;
	fprintf(out, "pages (%u):\n", (unsigned)s->count);
	while (ckpt_next_page(s, &pos, &p)) {
		if (p.data)
			fprintf(out, "  %08x data crc32 %08x\n", (unsigned)p.va,
				(unsigned)ckpt_crc32(0, p.data, CKPT_PAGE_SIZE));
		else
			fprintf(out, "  %08x zero\n", (unsigned)p.va);
	}
}

void ckpt_print_text(FILE *out, const uint8_t *img, size_t len, const struct ckpt_header *h)
{
	struct ckpt_section s;
	text_header(out, h);
	for (bool more = ckpt_section_first(img, len, &s); more; more = ckpt_section_next(&s)) {
		switch (s.type) {
		case CKPT_SEC_THREADS: text_threads(out, &s); break;
		case CKPT_SEC_CAPS: text_caps(out, &s); break;
		case CKPT_SEC_SESSIONS: text_sessions(out, &s); break;
		case CKPT_SEC_PAGES: text_pages(out, &s); break;
		}
	}
}

/* ---- JSON output ------------------------------------------------------------- */

static void json_words(FILE *out, const uint32_t *v, size_t n)
{
	fputc('[', out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%u", i ? ", " : "", (unsigned)v[i]);
	fputc(']', out);
}

static void json_threads(FILE *out, const struct ckpt_section *s)
{
	fprintf(out, "\"threads\": [");
	for (uint32_t i = 0; i < s->count; i++) {
		struct ckpt_thread t;
		ckpt_get_thread(s, i, &t);
		fprintf(out, "%s\n    {\"index\": %u, \"name\": ", i ? "," : "", (unsigned)t.index);
		json_string(out, t.name, CKPT_THREAD_NAME);
		fprintf(out, ", \"state\": \"%s\", \"priority\": %u, \"wait\": \"%s\", "
			"\"utcb_va\": %u, \"regs\": {", thread_state_name(t.state),
			(unsigned)t.priority, thread_wait_name(t.wait_kind), (unsigned)t.utcb_va);
		for (uint32_t r = 0; r < CKPT_THREAD_REGS; r++)
			fprintf(out, "%s\"%s\": %u", r ? ", " : "", reg_names[r], (unsigned)t.regs[r]);
		fprintf(out, "}, \"utcb\": ");
		json_words(out, t.utcb, CKPT_UTCB_WORDS);
		fprintf(out, "}");
	}
	fprintf(out, "]");
}

static void json_caps(FILE *out, const struct ckpt_section *s)
{
	struct ckpt_cap *caps = sorted_caps(s);
	fprintf(out, "\"caps\": [");
	for (uint32_t i = 0; i < s->count; i++) {
		const struct ckpt_cap *c = &caps[i];
		fprintf(out, "%s\n    {\"sel\": %u, \"type\": \"%s\", \"rights\": %u, \"label\": %u, "
			"\"object\": %u, \"session\": ", i ? "," : "", (unsigned)c->sel,
			kobj_type_name(c->type), (unsigned)c->rights, (unsigned)c->label,
			(unsigned)c->obj_id);
		if (c->session == CKPT_NO_SESSION)
			fprintf(out, "null}");
		else
			fprintf(out, "%u}", (unsigned)c->session);
	}
	fprintf(out, "]");
	free(caps);
}

static void json_sessions(FILE *out, const struct ckpt_section *s)
{
	fprintf(out, "\"sessions\": [");
	for (uint32_t i = 0; i < s->count; i++) {
		struct ckpt_session ss;
		ckpt_get_session(s, i, &ss);
		fprintf(out, "%s\n    {\"id\": %u, \"kind\": \"%s\", \"args\": ", i ? "," : "",
			(unsigned)ss.id, session_kind_name(ss.kind));
		json_words(out, ss.args, CKPT_SESSION_ARGS);
		fprintf(out, ", \"state\": ");
		json_words(out, ss.state, CKPT_SESSION_STATE);
		fprintf(out, "}");
	}
	fprintf(out, "]");
}

static void json_pages(FILE *out, const struct ckpt_section *s)
{
	size_t pos = 0;
	struct ckpt_page p;
	bool first = true;
	fprintf(out, "\"pages\": [");
	while (ckpt_next_page(s, &pos, &p)) {
		fprintf(out, "%s\n    {\"va\": %u, \"zero\": %s", first ? "" : ",", (unsigned)p.va,
			p.data ? "false" : "true");
		if (p.data)
			fprintf(out, ", \"crc32\": \"%08x\"",
				(unsigned)ckpt_crc32(0, p.data, CKPT_PAGE_SIZE));
		fprintf(out, "}");
		first = false;
	}
	fprintf(out, "]");
}

static void json_header(FILE *out, const struct ckpt_header *h)
{
	fprintf(out, "{\"header\": {\"version\": %u, \"image_id\": %u, \"base_id\": %u, "
		"\"origin\": \"%016llx\", \"incremental\": %s, \"task_id\": %u, \"name\": ",
		(unsigned)h->version, (unsigned)h->image_id, (unsigned)h->base_id,
		(unsigned long long)h->origin,
		h->flags & CKPT_FLAG_INCREMENTAL ? "true" : "false", (unsigned)h->task_id);
	json_string(out, h->name, CKPT_NAME_LEN);
	fprintf(out, ", \"time_us\": %llu, \"pause_us\": %u, \"length\": %u, \"sections\": %u, "
		"\"crc32\": \"%08x\"}", (unsigned long long)h->time_us, (unsigned)h->pause_us,
		(unsigned)h->total_len, (unsigned)h->section_count, (unsigned)h->crc);
}

void ckpt_print_json(FILE *out, const uint8_t *img, size_t len, const struct ckpt_header *h)
{
	struct ckpt_section s;
	json_header(out, h);
	for (bool more = ckpt_section_first(img, len, &s); more; more = ckpt_section_next(&s)) {
		fprintf(out, ",\n  ");
		switch (s.type) {
		case CKPT_SEC_THREADS: json_threads(out, &s); break;
		case CKPT_SEC_CAPS: json_caps(out, &s); break;
		case CKPT_SEC_SESSIONS: json_sessions(out, &s); break;
		case CKPT_SEC_PAGES: json_pages(out, &s); break;
		}
	}
	fprintf(out, "}\n");
}

/* ---- checked entry ----------------------------------------------------------- */

int ckpt_print(FILE *out, const void *img, size_t len, enum ckpt_print_format format,
	       struct ckpt_detail *d)
{
	struct ckpt_header h;
	int err = ckpt_image_check(img, len, &h, d);
	if (err)
		return err;
	if (format == CKPT_PRINT_JSON)
		ckpt_print_json(out, img, len, &h);
	else
		ckpt_print_text(out, img, len, &h);
	return CKPT_OK;
}

/*
 * Writes a sample checkpoint image for the ckpt-decode test:
 *   ckpt_sample IMAGE DUMP
 * IMAGE gets the binary image, DUMP a console capture of `images dump`
 * with noise lines around it and CR LF line ends, as a terminal logs it.
 */
#include <stdio.h>
#include <string.h>

#include "ckpt_image.h"

static unsigned char image[3 * CKPT_PAGE_SIZE];
static unsigned char page[CKPT_PAGE_SIZE];

static void put_line(void *ctx, const char *line)
{
	fprintf(ctx, "%s\r\n", line);
}

static size_t build(void)
{
	struct ckpt_header h = { .image_id = 7, .origin = 0x5eed0001c0ffee00ull, .task_id = 2,
				 .name = "counter",
				 .time_us = 1500000, .pause_us = 35 };
	struct ckpt_thread t = { .index = 0, .state = 3, .priority = 20, .name = "main",
				 .wait_kind = 1, .utcb_va = 0x7fffe000 };
	for (unsigned r = 0; r < CKPT_THREAD_REGS; r++)
		t.regs[r] = 0x100 + r;
	for (unsigned u = 0; u < CKPT_UTCB_WORDS; u++)
		t.utcb[u] = 0xa000 + u;
	/* Selectors 0-2 and 9: rows 000000 and 000008, as the shell prints them. */
	static const struct ckpt_cap caps[] = {
		{ 9, 4, 3, 0, 31, 4 },            /* irq, listed out of order on purpose */
		{ 0, 1, 7, 0, 12, CKPT_NO_SESSION },
		{ 1, 2, 7, 0, 13, 5 },
		{ 2, 3, 2, 0xbeef, 14, 6 },
	};
	struct ckpt_session log = { .id = 1, .kind = CKPT_SESSION_LOG };
	struct ckpt_session timer = { .id = 2, .kind = CKPT_SESSION_TIMER,
				      .args = { 1000 }, .state = { 1, 2500 } };
	struct ckpt_writer w;
	size_t len = 0;

	for (size_t i = 0; i < sizeof(page); i++)
		page[i] = (unsigned char)i;
	ckpt_writer_init(&w, image, sizeof(image), &h);
	ckpt_section_begin(&w, CKPT_SEC_THREADS);
	ckpt_put_thread(&w, &t);
	ckpt_section_end(&w);
	ckpt_section_begin(&w, CKPT_SEC_CAPS);
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		ckpt_put_cap(&w, &caps[i]);
	ckpt_section_end(&w);
	ckpt_section_begin(&w, CKPT_SEC_SESSIONS);
	ckpt_put_session(&w, &log);
	ckpt_put_session(&w, &timer);
	ckpt_section_end(&w);
	ckpt_section_begin(&w, CKPT_SEC_PAGES);
	ckpt_put_page(&w, 0x20000, page);
	ckpt_put_page(&w, 0x21000, NULL);
	ckpt_section_end(&w);
	return ckpt_writer_finish(&w, &len) == CKPT_OK ? len : 0;
}

int main(int argc, char **argv)
{
	size_t len = build();
	if (argc != 3 || !len)
		return 2;
	FILE *f = fopen(argv[1], "wb");
	if (!f || fwrite(image, 1, len, f) != len || fclose(f))
		return 1;
	f = fopen(argv[2], "wb");
	if (!f)
		return 1;
	fprintf(f, "rtcr> images dump 7\r\n");
	ckpt_dump_emit(image, len, 7, put_line, f);
	fprintf(f, "rtcr> \r\n");
	return fclose(f) ? 1 : 0;
}

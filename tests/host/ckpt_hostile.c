/*
 * Writes hostile but valid checkpoint images for the ckpt-decode test:
 *   ckpt_hostile DIR
 * DIR/sel-fffffffc.img and DIR/sel-ffffffff.img hold one capability in the
 * top row of selectors, where the decoder's text output once looped for
 * ever; DIR/page-dump.img is image 8, one of whose pages holds the console
 * dump of another image (as the memory of a task may), which the decoder
 * once decoded in its place.
 */
#include <stdio.h>
#include <string.h>

#include "ckpt_corpus.h"

static uint8_t image[CORPUS_IMG_MAX];

static int write_file(const char *dir, const char *name, const uint8_t *data, size_t len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}

static int write_selector(const char *dir, const char *name, uint32_t sel)
{
	size_t len = corpus_selectors(image, sizeof(image), &sel, 1);
	return len ? write_file(dir, name, image, len) : 1;
}

/* A page of text, filled line by line. */
struct page_text {
	char text[CKPT_PAGE_SIZE];
	size_t len;
};

static void put_line(void *ctx, const char *line)
{
	struct page_text *p = ctx;
	size_t n = strlen(line);
	if (p->len + n + 1 < sizeof(p->text)) {
		memcpy(p->text + p->len, line, n);
		p->text[p->len + n] = '\n';
		p->len += n + 1;
	}
}

/* Image 8, whose only page holds "\nckpt-image 9 ..." and the rest of a
 * valid dump of image 9. */
static int write_page_dump(const char *dir)
{
	static struct page_text page;
	static uint8_t inner[CORPUS_IMG_MAX];
	uint32_t sel = 0xfffffffcu;
	size_t inner_len = corpus_selectors(inner, sizeof(inner), &sel, 1);
	put_line(&page, "rtcr> images dump 9");
	ckpt_dump_emit(inner, inner_len, 9, put_line, &page);

	struct ckpt_header h = { .image_id = 8, .origin = 0x5eed0001c0ffee00ull, .task_id = 5,
				 .name = "shell" };
	struct ckpt_writer w;
	size_t len;
	ckpt_writer_init(&w, image, sizeof(image), &h);
	ckpt_section_begin(&w, CKPT_SEC_PAGES);
	ckpt_put_page(&w, 0x20000, page.text);
	ckpt_section_end(&w);
	if (ckpt_writer_finish(&w, &len))
		return 1;
	return write_file(dir, "page-dump.img", image, len);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	return write_selector(argv[1], "sel-fffffffc.img", 0xfffffffcu) ||
	       write_selector(argv[1], "sel-ffffffff.img", 0xffffffffu) ||
	       write_page_dump(argv[1]);
}

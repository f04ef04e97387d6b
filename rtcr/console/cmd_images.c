/*
 * The console's image-store command: images [dump|load|drop], and the
 * lines of an image being loaded.
 */
#include "commands.h"
#include "string.h"
#include "stdio.h"
#include "fmt.h"
#include "core.h"
#include "store.h"

/* Where an image came from, as `images` says it. */
static void origin_text(const struct image *im, char *buf, size_t size)
{
	if (im->from[0])
		fmt_snprintf(buf, size, "%s (image %u)", im->from, (unsigned)im->src_id);
	else if (im->origin != boot_id())
		fmt_snprintf(buf, size, "loaded (image %u of boot %08x)", (unsigned)im->src_id,
			     (unsigned)(im->origin >> 32));
	else
		strlcpy(buf, "here", size);
}

static void list_images(void)
{
	printf("%5s %5s %-12s %14s %9s %6s %-11s %5s  %s\n", "IMAGE", "TASK", "NAME", "TIME(s)",
	       "BYTES", "PAGES", "KIND", "BASE", "FROM");
	for (const struct image *im = image_next(0); im; im = image_next(im->id)) {
		char from[48];
		origin_text(im, from, sizeof(from));
		printf("%5u %5u %-12s %7u.%06u %9u %6u %-11s %5u  %s%s\n", (unsigned)im->id,
		       (unsigned)im->task_id, im->name, (unsigned)(im->time_us / 1000000u),
		       (unsigned)(im->time_us % 1000000u), (unsigned)im->len,
		       (unsigned)im->npages, im->full ? "full" : "incremental",
		       (unsigned)im->base_id, from,
		       im->complete ? "" : im->from[0] ? " (arriving)" : " (writing)");
	}
	printf("%u of %u slots used; this boot is %016llx\n", images_used(), IMAGES_MAX,
	       (unsigned long long)boot_id());
}

static void put_line(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
}

/* "no image 7" and "image 7 is still being written" are lines of their
 * own. */
static void dump_image(uint32_t id)
{
	struct rtcr_detail d = { "" };
	rtcr_err e = images_dump(id, put_line, NULL, &d);
	if (e)
		printf("%s\n", rtcr_error_text(e, &d));
}

static void drop_images(uint32_t id, bool chain)
{
	struct rtcr_detail d = { "" };
	unsigned n;
	rtcr_err e = images_drop(id, chain, &n, &d);
	if (e == R_NO_IMAGE)
		printf("%s\n", rtcr_error_text(e, &d));
	else if (e)
		say_error("images drop", e, &d);
	else
		printf("dropped %u image%s\n", n, n == 1 ? "" : "s");
}

static void load_image(void)
{
	struct rtcr_detail d = { "" };
	rtcr_err e = images_load_begin(&d);
	if (e)
		say_error("images load", e, &d);
	else
		printf("paste the lines of 'images dump' (from ckpt-image to ckpt-end); 'abort' "
		       "stops\n");
}

void cmd_images_line(const char *line)
{
	struct images_loaded im;
	struct rtcr_detail d = { "" };
	rtcr_err e = images_load_line(line, &im, &d);
	bool refused = e == R_IMAGE_DAMAGED || e == R_DUPLICATE || e == R_NO_BASE;
	if (e)
		say_error(refused ? "images load: rejected" : "images load", e, &d);
	else if (im.stored)
		printf("loaded image %u as image %u (%s, task %u, %u bytes)\n", (unsigned)im.src_id,
		       (unsigned)im.id, im.full ? "full" : "incremental", (unsigned)im.task_id,
		       (unsigned)im.len);
}

void cmd_images(int argc, char **argv)
{
	uint32_t id;
	const char *op = argc > 1 ? argv[1] : "";
	bool chain = argc == 4 && strcmp(argv[3], "chain") == 0;
	if (argc == 1) {
		list_images();
	} else if (argc == 2 && strcmp(op, "load") == 0) {
		load_image();
	} else if (argc == 3 && strcmp(op, "dump") == 0 && parse_u32(argv[2], &id)) {
		dump_image(id);
	} else if ((argc == 3 || chain) && strcmp(op, "drop") == 0 && parse_u32(argv[2], &id)) {
		drop_images(id, chain);
	} else {
		printf("usage: %s\n", IMAGES_USAGE);
	}
}

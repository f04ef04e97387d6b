/*
 * ckpt-decode: prints an RTCR checkpoint image, in the manner of CRIU's crit.
 *
 *   ckpt-decode [--json] FILE
 *
 * FILE is a binary image or a console capture holding an `images dump`
 * (recognised by its "ckpt-image " line). The image is checked completely
 * before anything is printed; a damaged one gives exit status 1 and
 * "ckpt-decode: FILE: <reason>" on stderr. Built for the host from the same
 * rtcr/format/ckpt_image.c the firmware uses, so both read the format alike; the
 * printing itself is tools/ckpt_print.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt_image.h"
#include "ckpt_print.h"

static const char *prog = "ckpt-decode";

/* ---- input ------------------------------------------------------------------- */

/* The whole file; NULL with errno set if it cannot be read. */
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
	/* A read error (FILE is a directory, say) must not pass for a short
	 * image: the reason would be "truncated" instead of the real one. */
	int err = buf && ferror(f) ? errno : 0;
	fclose(f);
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	*len = n;
	return buf;
}

/*
 * A console capture: some line starts with "ckpt-image ". A binary image
 * (of any version) never is one, whatever its pages hold: a task's memory
 * may well contain the text of a dump, which would then be decoded in the
 * image's place.
 */
static bool is_dump(const uint8_t *buf, size_t len)
{
	static const char start[] = "ckpt-image ";
	size_t n = sizeof(start) - 1;
	size_t magic = CKPT_MAGIC_LEN - 1;   /* "RTCRIMG" without the version */
	if (len >= magic && memcmp(buf, CKPT_MAGIC, magic) == 0)
		return false;
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

/* The image in a file's bytes, decoded from a dump if it is one, printed.
 * Returns the exit status. */
static int decode(const char *path, uint8_t *file, size_t len,
		  enum ckpt_print_format format)
{
	struct ckpt_detail d;
	if (!is_dump(file, len))
		return ckpt_print(stdout, file, len, format, &d) ? reject(path, &d) : 0;
	/* Base64 is longer than what it encodes, so len bytes suffice. */
	uint8_t *img = malloc(len);
	if (!img) {
		perror(prog);
		return 1;
	}
	uint32_t id;
	int err = ckpt_dump_parse((const char *)file, len, img, len, &len, &id, &d);
	if (!err)
		err = ckpt_print(stdout, img, len, format, &d);
	free(img);
	return err ? reject(path, &d) : 0;
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
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return 1;
	}
	int status = decode(path, file, len, json ? CKPT_PRINT_JSON : CKPT_PRINT_TEXT);
	free(file);
	/* A full disk must not look like a decoded image. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: standard output: %s\n", prog, strerror(errno));
		return 1;
	}
	return status;
}

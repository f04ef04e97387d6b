/*
 * The console's image-store command: images [dump|load|drop].
 */
#include "commands.h"
#include "string.h"
#include "stdio.h"
#include "images.h"

void cmd_images(int argc, char **argv)
{
	uint32_t id;
	const char *op = argc > 1 ? argv[1] : "";
	bool chain = argc == 4 && strcmp(argv[3], "chain") == 0;
	if (argc == 1) {
		images_list();
	} else if (argc == 2 && strcmp(op, "load") == 0) {
		images_load_begin();
	} else if (argc == 3 && strcmp(op, "dump") == 0 && parse_u32(argv[2], &id)) {
		images_dump(id);
	} else if ((argc == 3 || chain) && strcmp(op, "drop") == 0 && parse_u32(argv[2], &id)) {
		images_drop(id, chain);
	} else {
		printf("usage: %s\n", IMAGES_USAGE);
	}
}

/*
 * The console's view of the network links: links, and the lines that say
 * a link came up or went down.
 */
#include "commands.h"
#include "endpoint.h"

void cmd_links(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	endpoints_list();
}

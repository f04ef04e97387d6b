/* Starting children from boot modules, at boot and from the console. */
#ifndef RTCR_CHILDREN_H
#define RTCR_CHILDREN_H

#include "sys.h"

void children_init(const struct bootinfo *bi);
/* Start the boot module called name as a child; prints what happened.
 * Returns false if there is no such module or it could not start. */
bool children_start(const char *name);
/* Start every module after RTCR's own. */
void children_start_all(void);
/* The module names, separated by spaces, into buf. */
void children_module_names(char *buf, size_t size);

#endif

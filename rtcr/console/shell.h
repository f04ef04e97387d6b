/* The serial console of RTCR: prompt `rtcr> `, one command per line. */
#ifndef SHELL_H
#define SHELL_H

#include "rpc.h"

/* Register the console's listeners with the layers below: before anything
 * they report can happen (children started at boot, links coming up). */
void console_init(void);
/* Start the thread that reads lines; each comes to RTCR's main thread as
 * a request through a gate labelled LABEL_CONSOLE. */
int shell_start(void);
/* Run the command line in the request; the reply tells the reader to
 * prompt again. */
int shell_request(struct rpc_request *rq);

#endif

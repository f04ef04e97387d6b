/* The serial console of RTCR: prompt `rtcr> `, one command per line. */
#ifndef RTCR_SHELL_H
#define RTCR_SHELL_H

#include "rpc.h"
#include "core.h"
#include "error.h"

/* Register the console's listeners with the layers below: before anything
 * they report can happen (children started at boot, links coming up). */
void console_init(void);
/* Start the thread that reads lines; each comes to RTCR's main thread as
 * a request through a gate labelled LABEL_CONSOLE. */
rtcr_err shell_start(void);
/* Run the command line in the request; the reply tells the reader to
 * prompt again. */
rtcr_err shell_request(struct rpc_request *rq);

/* cmd_tasks.c: the lines that say what became of starting a module (at
 * boot, by `start`, by the benchmark), a child_started_fn. */
void console_started(const char *name, rtcr_err e, const struct rtcr_child *c,
		     const struct rtcr_detail *d);
/* cmd_tasks.c: a child's thread stopped by a fault RTCR did not resolve
 * (what: the reason) at addr, executing at pc. */
void console_fault(const struct rtcr_child *c, const char *what, uint32_t addr, uint32_t pc);

#endif

/* The serial console of RTCR: prompt `rtcr> `, one command per line. */
#ifndef SHELL_H
#define SHELL_H

#include "rpc.h"

/* Start the thread that reads lines; each comes to RTCR's main thread as
 * a request through a gate labelled LABEL_CONSOLE. */
int shell_start(void);
/* Run the command line in the request; the reply tells the reader to
 * prompt again. */
int shell_request(struct rpc_request *rq);

/* For the command files (shell.c, shell_net.c). */
#include <stdbool.h>
#include <stdint.h>
#include "child.h"
bool parse_u32(const char *s, uint32_t *out);
/* A child named by a command's argument (not RTCR itself); NULL after
 * saying why. */
struct rtcr_child *child_arg(const char *arg, const char *usage);
bool shell_waits(void);

#define MIGRATE_USAGE "migrate <task> <peer> eth|can|loop"
#define PEER_USAGE "peer <name> <a.b.c.d|-> [<node>] | peer <name> remove"
void cmd_migrate(int argc, char **argv);
void cmd_peers(int argc, char **argv);
void cmd_peer(int argc, char **argv);
void cmd_links(int argc, char **argv);
void cmd_ping(int argc, char **argv);
/* Echo replies come to `ping` (registered by shell_start). */
void shell_net_init(void);

#endif

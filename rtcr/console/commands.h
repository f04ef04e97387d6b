/*
 * Inside the console: the commands (one file per group: cmd_tasks.c,
 * cmd_ckpt.c, cmd_images.c, cmd_net.c), the table that names them
 * (shell.c) and what they share. Not for other layers (shell.h is the
 * console's public header).
 */
#ifndef RTCR_COMMANDS_H
#define RTCR_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>
#include "core.h"
#include "error.h"

/* args.c: a decimal number that fits in 32 bits, and nothing else. */
bool parse_u32(const char *s, uint32_t *out);

/* args.c: every failure the console reports, the same way: "prefix: " and
 * the detail, or the code's name if there is no detail. */
void say_error(const char *prefix, rtcr_err e, const struct rtcr_detail *d);

/* A child named by a command's argument (not RTCR itself); NULL after
 * saying why. */
struct rtcr_child *child_arg(const char *arg, const char *usage);
/* A command started thread (a child's first): the reader waits for its
 * first lines before it prompts. */
void shell_settle(uint32_t thread);
/* Something a command started is still under way (a checkpoint being
 * copied, a migration, pings): the reader waits before it prompts. */
bool shell_waits(void);
/* cmd_net.c: echo replies come to `ping`, and a migration's events to the
 * lines it prints (registered by console_init). */
void cmd_net_init(void);
/* cmd_net.c: the migration receiver's counters (for `stats`). */
void print_receiver_stats(void);
/* The link lines (a link up, down, broken) come to cmd_links.c. */
void cmd_links_init(void);
/* The lines of checkpoints done, lost or not taken (registered by
 * console_init). */
void cmd_ckpt_init(void);
/* A line typed while `images load` reads an image. */
void cmd_images_line(const char *line);

#define IMAGES_USAGE "images [dump <id>|load|drop <id> [chain]]"
#define MIGRATE_USAGE "migrate <task> <peer> eth|can|loop"
#define PEER_USAGE "peer <name> <a.b.c.d|-> [<node>] | peer <name> remove"

void cmd_ps(int argc, char **argv);
void cmd_uptime(int argc, char **argv);
void cmd_caps(int argc, char **argv);
void cmd_start(int argc, char **argv);
void cmd_kill(int argc, char **argv);
void cmd_resume(int argc, char **argv);
void cmd_ckpt(int argc, char **argv);
void cmd_dirty(int argc, char **argv);
void cmd_restore(int argc, char **argv);
void cmd_stats(int argc, char **argv);
void cmd_images(int argc, char **argv);
void cmd_migrate(int argc, char **argv);
void cmd_peers(int argc, char **argv);
void cmd_peer(int argc, char **argv);
void cmd_links(int argc, char **argv);
void cmd_ping(int argc, char **argv);

#endif

/*
 * The console's network commands: migrate, peers, peer, ping.
 */
#include "commands.h"
#include "migrate.h"
#include "ckpt.h"
#include "stdio.h"
#include "string.h"

#define PING_TIMEOUT_US 3000000u   /* the driver answers within 1 s; this is a backstop */

static struct {
	struct endpoint *ep;
	uint32_t ip;
	unsigned sent, answered, lost;
	uint16_t seq_first;
	uint64_t deadline;
} ping;

static uint16_t ping_seq;

bool shell_waits(void)
{
	if (ping.ep && k_time_us() > ping.deadline) {
		printf("ping: no answer from the network driver\n");
		ping.ep = NULL;
	}
	return ckpt_pending_report() || migrate_pending_report() || ping.ep;
}

void cmd_migrate(int argc, char **argv)
{
	(void)argc;
	uint32_t type = strcmp(argv[3], "eth") == 0 ? LINK_ETH :
			strcmp(argv[3], "can") == 0 ? LINK_CAN :
			strcmp(argv[3], "loop") == 0 ? LINK_LOOP : 0;
	if (!type) {
		printf("usage: %s\n", MIGRATE_USAGE);
		return;
	}
	const struct peer *p = peer_by_name(argv[2]);
	if (!p) {
		printf("migrate: no peer '%s' (see peers)\n", argv[2]);
		return;
	}
	struct rtcr_child *c = child_arg(argv[1], MIGRATE_USAGE);
	if (!c)
		return;
	if (child_holds_link(c) || c->arriving) {
		printf("migrate: task %u %s\n", (unsigned)c->id,
		       c->arriving ? "is still arriving" : "drives a network link: it stays");
		return;
	}
	migrate_command(c, p, type);
}

void cmd_peers(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	peers_list();
}

void cmd_peer(int argc, char **argv)
{
	uint32_t ip = 0, node = 0;
	int st;
	if (argc == 3 && strcmp(argv[2], "remove") == 0) {
		st = peer_remove(argv[1]);
	} else if ((strcmp(argv[2], "-") != 0 && !parse_ipv4(argv[2], &ip)) ||
		   (argc == 4 && !parse_u32(argv[3], &node))) {
		printf("usage: %s\n", PEER_USAGE);
		return;
	} else {
		st = peer_set(argv[1], ip, node);
	}
	if (st == E_OK)
		peers_list();
	else
		printf("peer: %s\n", st == E_BUSY ? "another peer has that address" :
				    st == E_NOT_FOUND ? "no such peer" :
				    st == E_NO_MEMORY ? "too many peers" :
				    "bad name (1-7 characters) or node (1-15)");
}

void cmd_ping(int argc, char **argv)
{
	uint32_t ip, count = 3;
	if (!parse_ipv4(argv[1], &ip) || (argc == 3 && (!parse_u32(argv[2], &count) ||
							count == 0 || count > 100))) {
		printf("usage: ping <a.b.c.d> [count 1-100]\n");
		return;
	}
	struct endpoint *ep = endpoint_of_type(LINK_ETH);
	if (!ep) {
		printf("ping: no Ethernet link here\n");
		return;
	}
	ping.ep = ep;
	ping.ip = ip;
	ping.sent = ping.answered = ping.lost = 0;
	ping.seq_first = (uint16_t)(ping_seq + 1);
	for (uint32_t i = 0; i < count; i++)
		if (endpoint_send(ep, LINK_REC_PING, ip, ++ping_seq, NULL, 0))
			ping.sent++;
	if (!ping.sent) {
		printf("ping: the link is busy\n");
		ping.ep = NULL;
		return;
	}
	ping.deadline = k_time_us() + PING_TIMEOUT_US + ping.sent * 1000000u;
}

static void ping_reply(struct endpoint *ep, uint32_t peer, uint16_t seq, uint32_t rtt_us,
		uint32_t status)
{
	char addr[24];
	if (ep != ping.ep || (uint16_t)(seq - ping.seq_first) >= ping.sent)
		return;   /* an answer to an earlier ping */
	endpoint_addr_text(LINK_ETH, peer, addr, sizeof(addr));
	if (status == 0) {
		printf("reply from %s: seq %u, %u.%03u ms\n", addr, (unsigned)seq,
		       (unsigned)(rtt_us / 1000), (unsigned)(rtt_us % 1000));
		ping.answered++;
	} else {
		printf("no reply from %s: seq %u (%s)\n", addr, (unsigned)seq,
		       status == 1 ? "timed out" : "no route");
		ping.lost++;
	}
	if (ping.answered + ping.lost == ping.sent) {
		printf("%u sent, %u answered\n", ping.sent, ping.answered);
		ping.ep = NULL;
	}
}

void shell_net_init(void)
{
	static struct endpoint_handler h = { .echo_reply = ping_reply };
	endpoints_handle(&h);
}

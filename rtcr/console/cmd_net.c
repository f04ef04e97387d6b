/*
 * The console's network commands: migrate, peers, peer, ping; and the
 * lines a migration prints as it goes, sending or receiving (the events
 * migrate.h reports).
 */
#include "commands.h"
#include "migration.h"
#include "checkpoint.h"
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
	struct rtcr_detail d = { "" };
	rtcr_err e = migrate_start(c, p, type, &d);
	if (e != E_OK)
		say_error("migrate", e, &d);
}

static void peers_list(void)
{
	printf("PEER     IPV4             CAN NODE\n");
	for (unsigned i = 0; i < PEERS_MAX; i++) {
		const struct peer *p = peer_at(i);
		if (!p)
			continue;
		char ip[20] = "-", node[8] = "-";
		if (p->ip)
			endpoint_addr_text(LINK_ETH, p->ip, ip, sizeof(ip));
		if (p->node)
			fmt_snprintf(node, sizeof(node), "%u", (unsigned)p->node);
		printf("%-8s %-16s %-8s%s\n", p->name, ip, node,
		       peer_is_me(p) ? " (this board)" : "");
	}
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
	struct rtcr_detail d = { "" };
	rtcr_err e;
	if (argc == 3 && strcmp(argv[2], "remove") == 0) {
		e = peer_remove(argv[1], &d);
	} else if ((strcmp(argv[2], "-") != 0 && !parse_ipv4(argv[2], &ip)) ||
		   (argc == 4 && !parse_u32(argv[3], &node))) {
		printf("usage: %s\n", PEER_USAGE);
		return;
	} else {
		e = peer_set(argv[1], ip, node, &d);
	}
	if (e == E_OK)
		peers_list();
	else
		say_error("peer", e, &d);
}

/* The receiver's counters, for `stats`. */
void print_receiver_stats(void)
{
	struct mig_recv_stats s;
	receiver_stats(&s);
	printf("migrations received %u images, resumed %u tasks; refused %u (unknown senders %u); "
	       "malformed messages %u%s%s\n", (unsigned)s.received, (unsigned)s.resumed,
	       (unsigned)s.refused, (unsigned)s.unknown_sender, (unsigned)s.malformed,
	       s.last_bad ? ", last: " : "", s.last_bad ? mig_bad_name(s.last_bad) : "");
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
		if (endpoint_send(ep, LINK_REC_PING, ip, ++ping_seq, NULL, 0) == E_OK)
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

/* ---- a migration sent from here, as it goes ---------------------------------------- */

static const char *link_name(uint32_t type)
{
	return type == LINK_ETH ? "Ethernet" : type == LINK_CAN ? "CAN" : "the test loop";
}

static void say_round(const struct mig_send_event *e)
{
	const struct mig_round_report *r = &e->round;
	printf("migrate: round %u%s: %s image %u, %u pages (%u zero, not sent), %u bytes in %u "
	       "chunks, %u sent again; %s has it as image %u\n", r->round,
	       r->final ? " (final)" : "", r->full ? "full" : "incremental",
	       (unsigned)r->image_id, (unsigned)r->pages, (unsigned)r->zero_pages,
	       (unsigned)r->bytes, (unsigned)r->chunks, (unsigned)r->resent, e->peer_name,
	       (unsigned)r->remote_image);
}

/* The lines tools/bench_migrate.py and the tests read: keep them as they are. */
static void say_done(const struct mig_send_event *e)
{
	const struct mig_done_report *r = &e->done;
	printf("migrate: %s runs task %s as task %u; downtime at most %u us (from the "
	       "final pause here to its answer)\n", e->peer_name, e->task_name,
	       (unsigned)r->remote_task, (unsigned)r->downtime_us);
	printf("migrate: done: %u rounds, %u messages, %u bytes, %u sent again\n",
	       r->rounds, (unsigned)r->msgs, (unsigned)r->bytes, (unsigned)r->resent);
	if (!r->counted)
		return;
	printf("migrate: instructions: downtime %u (here %u from the final pause to go, %s %u "
	       "from the final offer to the resume)\n", (unsigned)(r->down_here + r->down_peer),
	       (unsigned)r->down_here, e->peer_name, (unsigned)r->down_peer);
	printf("migrate: instructions: whole migration %llu (here %llu, %s %llu)\n",
	       (unsigned long long)(r->total_here + r->total_peer),
	       (unsigned long long)r->total_here, e->peer_name,
	       (unsigned long long)r->total_peer);
}

static void say_failed(const struct mig_send_event *e)
{
	const char *why = rtcr_error_text(e->err, e->detail);
	switch (e->fate) {
	case MIG_WAITS_THERE:
		printf("migrate: %s; task %u (%s) was deleted here after %s had built it, "
		       "and did not say it runs it: it waits there, stopped\n", why,
		       (unsigned)e->task_id, e->task_name, e->peer_name);
		break;
	case MIG_DROPPED_THERE:
		printf("migrate: %s; task %u (%s) was deleted here after %s had built it: "
		       "it is gone\n", why, (unsigned)e->task_id, e->task_name, e->peer_name);
		break;
	default:
		printf("migrate: %s; task %u (%s) %s here\n", why, (unsigned)e->task_id,
		       e->task_name, e->fate == MIG_GONE_HERE ? "is gone" :
		       e->fate == MIG_RESUMED_HERE ? "resumed and runs" : "keeps running");
		break;
	}
}

static void on_sending(const struct mig_send_event *e)
{
	switch (e->what) {
	case MIG_SEND_STARTED:
		printf("migrate: task %u (%s) to %s (%s) over %s, migration %u\n",
		       (unsigned)e->task_id, e->task_name, e->peer_name, e->addr,
		       link_name(e->link_type), (unsigned)e->mig);
		break;
	case MIG_SEND_ROUND:
		say_round(e);
		break;
	case MIG_SEND_DELETED:
		printf("migrate: task %u (%s) deleted here; %s runs it next\n",
		       (unsigned)e->task_id, e->task_name, e->peer_name);
		break;
	case MIG_SEND_PEER_RAN:
		printf("migrate: %s runs task %s (its operator resumed it there); task %u deleted "
		       "here\n", e->peer_name, e->task_name, (unsigned)e->task_id);
		break;
	case MIG_SEND_DONE:
		say_done(e);
		break;
	case MIG_SEND_FAILED:
		say_failed(e);
		break;
	}
}

/* ---- a migration to here, as it comes ------------------------------------------------ */

static const char *run_by_text(enum mig_run_by by)
{
	return by == MIG_RUN_OPERATOR ? " (resumed by its operator)" :
	       by == MIG_RUN_LATE_GO ? " (its go came late)" : "";
}

/* A sender that is not a peer may send many messages: a line a second. */
static void say_unknown_sender(const struct mig_recv_event *e)
{
	static uint64_t last;
	uint64_t now = k_time_us();
	if (last && now - last <= 1000000u)
		return;
	printf("rtcr: refused %s from unknown sender %s (%u refused so far)\n",
	       mig_type_name(e->msg_type), e->sender, (unsigned)e->refused_count);
	last = now;
}

static void on_receiving(const struct mig_recv_event *e)
{
	unsigned mig = (unsigned)e->mig;
	switch (e->what) {
	case MIG_RECV_ARRIVING:
		printf("rtcr: migration %u from %s: task %.16s (task %u there)\n", mig, e->sender,
		       e->task_name, (unsigned)e->task_id);
		break;
	case MIG_RECV_ROUND:
		printf("rtcr: migration %u from %s: round %u: image %u (%s, %u pages, %u bytes)%s\n",
		       mig, e->sender, e->round, (unsigned)e->image_id,
		       e->full ? "full" : "incremental", (unsigned)e->pages, (unsigned)e->bytes,
		       e->built ? "; task built, waiting for go" : "");
		break;
	case MIG_RECV_RUNS:
		printf("rtcr: migration %u from %s: task %u (%s) runs here%s\n", mig, e->sender,
		       (unsigned)e->task_id, e->task_name, run_by_text(e->by));
		break;
	case MIG_RECV_PARKED:
		printf("rtcr: migration %u from %s: no go came; task %u (%s) waits here, stopped. If "
		       "%s deleted its copy ('deleted here' on its console), 'resume %u' runs it here; "
		       "if it still runs it, 'kill %u'\n", mig, e->sender, (unsigned)e->task_id,
		       e->task_name, e->peer_name, (unsigned)e->task_id, (unsigned)e->task_id);
		break;
	case MIG_RECV_DROPPED:
		printf("rtcr: migration %u from %s: task %u (%s) dropped\n", mig, e->sender,
		       (unsigned)e->task_id, e->task_name);
		break;
	case MIG_RECV_ENDED:
		printf("rtcr: migration %u from %s: %s\n", mig, e->sender,
		       rtcr_error_text(e->err, e->detail));
		break;
	case MIG_RECV_REFUSED:
		printf("rtcr: migration %u from %s: refused (%s): %s\n", mig, e->sender,
		       mig_reject_name(e->code), e->reason);
		break;
	case MIG_RECV_UNKNOWN_SENDER:
		say_unknown_sender(e);
		break;
	}
}

void cmd_net_init(void)
{
	static struct endpoint_handler h = { .echo_reply = ping_reply };
	endpoints_handle(&h);
	migrate_listen(on_sending);
	receiver_listen(on_receiving);
}

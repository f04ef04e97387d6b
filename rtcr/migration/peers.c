#include "peers.h"
#include "endpoint.h"
#include "stdio.h"
#include "string.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static struct peer peers[PEERS_MAX] = {
	{ true, "a", IP(10, 0, 0, 1), 1 },
	{ true, "b", IP(10, 0, 0, 2), 2 },
};

const struct peer *peer_by_name(const char *name)
{
	for (unsigned i = 0; i < PEERS_MAX; i++)
		if (peers[i].used && strcmp(peers[i].name, name) == 0)
			return &peers[i];
	return NULL;
}

const struct peer *peer_by_ip(uint32_t ip)
{
	for (unsigned i = 0; i < PEERS_MAX; i++)
		if (peers[i].used && ip && peers[i].ip == ip)
			return &peers[i];
	return NULL;
}

const struct peer *peer_by_node(uint32_t node)
{
	for (unsigned i = 0; i < PEERS_MAX; i++)
		if (peers[i].used && node && peers[i].node == node)
			return &peers[i];
	return NULL;
}

int peer_set(const char *name, uint32_t ip, uint32_t node)
{
	size_t n = strlen(name);
	if (n == 0 || n >= PEER_NAME_MAX || node > 15)
		return E_INVALID_ARG;
	const struct peer *other_ip = peer_by_ip(ip), *other_node = peer_by_node(node);
	if ((other_ip && strcmp(other_ip->name, name)) ||
	    (other_node && strcmp(other_node->name, name)))
		return E_BUSY;   /* two names for one board would confuse senders */
	struct peer *p = (struct peer *)peer_by_name(name);
	for (unsigned i = 0; i < PEERS_MAX && !p; i++)
		if (!peers[i].used)
			p = &peers[i];
	if (!p)
		return E_NO_MEMORY;
	*p = (struct peer){ .used = true, .ip = ip, .node = node };
	strlcpy(p->name, name, sizeof(p->name));
	return E_OK;
}

int peer_remove(const char *name)
{
	struct peer *p = (struct peer *)peer_by_name(name);
	if (!p)
		return E_NOT_FOUND;
	p->used = false;
	return E_OK;
}

/* Whether one of our own endpoints has this address. */
static bool is_me(const struct peer *p)
{
	for (unsigned i = 0; i < ENDPOINTS_MAX; i++) {
		const struct endpoint *ep = endpoint_at(i);
		if (ep && ep->up && ((ep->type == LINK_ETH && ep->addr == p->ip) ||
				     (ep->type != LINK_ETH && ep->addr == p->node)))
			return true;
	}
	return false;
}

void peers_list(void)
{
	printf("PEER     IPV4             CAN NODE\n");
	for (unsigned i = 0; i < PEERS_MAX; i++) {
		const struct peer *p = &peers[i];
		if (!p->used)
			continue;
		char ip[20] = "-", node[8] = "-";
		if (p->ip)
			endpoint_addr_text(LINK_ETH, p->ip, ip, sizeof(ip));
		if (p->node)
			fmt_snprintf(node, sizeof(node), "%u", (unsigned)p->node);
		printf("%-8s %-16s %-8s%s\n", p->name, ip, node, is_me(p) ? " (this board)" : "");
	}
}

bool parse_ipv4(const char *text, uint32_t *ip)
{
	uint32_t v = 0;
	for (int part = 0; part < 4; part++) {
		unsigned n = 0, digits = 0;
		while (*text >= '0' && *text <= '9' && digits < 4)
			n = n * 10 + (unsigned)(*text++ - '0'), digits++;
		if (!digits || n > 255 || (part < 3 && *text++ != '.'))
			return false;
		v = v << 8 | n;
	}
	if (*text)
		return false;
	*ip = v;
	return true;
}

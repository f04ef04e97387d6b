#include "peers.h"
#include "services.h"
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

rtcr_err peer_set(const char *name, uint32_t ip, uint32_t node, struct rtcr_detail *d)
{
	size_t n = strlen(name);
	if (n == 0 || n >= PEER_NAME_MAX || node > 15)
		return rtcr_fail(d, E_INVALID_ARG, "bad name (1-7 characters) or node (1-15)");
	/* Two names for one board would confuse senders. */
	const struct peer *other_ip = peer_by_ip(ip), *other_node = peer_by_node(node);
	if ((other_ip && strcmp(other_ip->name, name)) ||
	    (other_node && strcmp(other_node->name, name)))
		return rtcr_fail(d, E_BUSY, "another peer has that address");
	struct peer *p = (struct peer *)peer_by_name(name);
	for (unsigned i = 0; i < PEERS_MAX && !p; i++)
		if (!peers[i].used)
			p = &peers[i];
	if (!p)
		return rtcr_fail(d, R_NO_ROOM, "too many peers");
	*p = (struct peer){ .used = true, .ip = ip, .node = node };
	strlcpy(p->name, name, sizeof(p->name));
	return E_OK;
}

rtcr_err peer_remove(const char *name, struct rtcr_detail *d)
{
	struct peer *p = (struct peer *)peer_by_name(name);
	if (!p)
		return rtcr_fail(d, R_NO_PEER, "no such peer");
	p->used = false;
	return E_OK;
}

const struct peer *peer_at(unsigned i)
{
	return i < PEERS_MAX && peers[i].used ? &peers[i] : NULL;
}

bool peer_is_me(const struct peer *p)
{
	for (unsigned i = 0; i < ENDPOINTS_MAX; i++) {
		const struct endpoint *ep = endpoint_at(i);
		if (ep && ep->up && ((ep->type == LINK_ETH && ep->addr == p->ip) ||
				     (ep->type != LINK_ETH && ep->addr == p->node)))
			return true;
	}
	return false;
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

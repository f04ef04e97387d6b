/* IPv4 configuration from the MAC address (netcfg.h). */
#include "netcfg.h"
#include "fmt.h"
#include "string.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

bool netcfg_from_mac(const uint8_t mac[6], struct netcfg *cfg)
{
	static const uint8_t slirp[6] = NETCFG_SLIRP_MAC;
	cfg->netmask = IP(255, 255, 255, 0);
	cfg->prefix = 24;
	if (memcmp(mac, slirp, 6) == 0) {
		cfg->addr = IP(10, 0, 2, 15);
		cfg->gateway = IP(10, 0, 2, 2);
		return true;
	}
	if (mac[5] == 0 || mac[5] == 255)
		return false;
	cfg->addr = IP(10, 0, 0, mac[5]);
	cfg->gateway = 0;
	return true;
}

void netcfg_ip_str(uint32_t addr, char *buf, size_t size)
{
	fmt_snprintf(buf, size, "%u.%u.%u.%u", (unsigned)(addr >> 24), (unsigned)(addr >> 16 & 0xff),
		     (unsigned)(addr >> 8 & 0xff), (unsigned)(addr & 0xff));
}

void netcfg_mac_str(const uint8_t mac[6], char *buf, size_t size)
{
	fmt_snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		     mac[4], mac[5]);
}

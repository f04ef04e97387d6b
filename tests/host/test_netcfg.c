/*
 * user/net/netcfg: the net task's address from the board's MAC. QEMU's
 * default MAC gets slirp's addresses, every other MAC 10.0.0.<last byte>,
 * and a last byte that would be the network or broadcast address none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "netcfg.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static void test_slirp_mac(void **state)
{
	(void)state;
	const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct netcfg cfg;
	assert_true(netcfg_from_mac(mac, &cfg));
	assert_int_equal(cfg.addr, IP(10, 0, 2, 15));
	assert_int_equal(cfg.netmask, IP(255, 255, 255, 0));
	assert_int_equal(cfg.gateway, IP(10, 0, 2, 2));
	assert_int_equal(cfg.prefix, 24);
}

static void test_other_macs_by_last_byte(void **state)
{
	(void)state;
	struct netcfg cfg;
	const uint8_t a[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x01 };
	assert_true(netcfg_from_mac(a, &cfg));
	assert_int_equal(cfg.addr, IP(10, 0, 0, 1));
	assert_int_equal(cfg.netmask, IP(255, 255, 255, 0));
	assert_int_equal(cfg.gateway, 0);
	const uint8_t b[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x02 };
	assert_true(netcfg_from_mac(b, &cfg));
	assert_int_equal(cfg.addr, IP(10, 0, 0, 2));
	/* One byte off QEMU's default is just another MAC. */
	const uint8_t c[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };
	assert_true(netcfg_from_mac(c, &cfg));
	assert_int_equal(cfg.addr, IP(10, 0, 0, 0x57));
	assert_int_equal(cfg.gateway, 0);
	const uint8_t d[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe };
	assert_true(netcfg_from_mac(d, &cfg));
	assert_int_equal(cfg.addr, IP(10, 0, 0, 254));
}

static void test_network_and_broadcast_refused(void **state)
{
	(void)state;
	struct netcfg cfg;
	const uint8_t zero[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x00 };
	const uint8_t ones[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0xff };
	assert_false(netcfg_from_mac(zero, &cfg));
	assert_false(netcfg_from_mac(ones, &cfg));
}

static void test_strings(void **state)
{
	(void)state;
	char buf[32];
	netcfg_ip_str(IP(10, 0, 2, 15), buf, sizeof(buf));
	assert_string_equal(buf, "10.0.2.15");
	netcfg_ip_str(IP(255, 255, 255, 0), buf, sizeof(buf));
	assert_string_equal(buf, "255.255.255.0");
	netcfg_ip_str(0, buf, sizeof(buf));
	assert_string_equal(buf, "0.0.0.0");
	const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xab, 0x0c, 0x01 };
	netcfg_mac_str(mac, buf, sizeof(buf));
	assert_string_equal(buf, "52:54:00:ab:0c:01");
	/* Cut short, still terminated. */
	netcfg_mac_str(mac, buf, 6);
	assert_string_equal(buf, "52:54");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slirp_mac),
		cmocka_unit_test(test_other_macs_by_last_byte),
		cmocka_unit_test(test_network_and_broadcast_refused),
		cmocka_unit_test(test_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

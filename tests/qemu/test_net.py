# The net task (user/net: the LAN9118 driver and lwIP) on the boards that
# have a LAN9118. QEMU joins the board's NIC to a host peer (netpeer.py)
# with its socket netdev; the peer answers ARP, pings the board, sends it
# UDP and frames of every kind of wrong, and the board must answer what
# deserves an answer, drop the rest, and keep running.
#
# The board's MAC decides its address (user/net/netcfg.h): 52:54:00:00:00:01
# is 10.0.0.1/24 without a gateway; QEMU's default 52:54:00:12:34:56 is
# 10.0.2.15/24 with gateway 10.0.2.2 (what user networking expects).

import random
import re
import struct
import zlib

import pytest

import netpeer as npeer
from conftest import REPO_ROOT, Console, image_path, selected_boards
from netpeer import NetPeer, StreamLink

BOARD_MAC = "52:54:00:00:00:01"
BOARD_IP = "10.0.0.1"
PEER_MAC = "52:54:00:00:00:c8"
PEER_IP = "10.0.0.200"
PEER_ALIAS = "10.0.0.201"      # only test_board_asks_arp uses it
PEER_FRESH = "10.0.0.202"      # only test_ping_burst_before_arp uses it
OFF_NET_IP = "192.168.7.5"     # outside the board's subnet
CLOSED_PORT = 7                # nothing listens there on the board
LINK_PORT = 4700               # the net task's port for RTCR (link.h)
QUIET = 0.5                    # seconds to wait for an answer that must not come

LINKS_ROW = re.compile(r"^eth\s+(\S+)\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)"
                       r"\s+(\d+)\s*$", re.M)
PS_ROW = re.compile(r"^\s*(\d+)\s+(\d+|-)\s+(\S+)\s+(\d+)\s+(\S.*?)\s*$")
STATS_MEMORY = re.compile(r"kernel memory in use (\d+) of (\d+) bytes, user memory free (\d+) KiB")


def lan9118_boards(config):
    """The selected boards whose description has a LAN9118."""
    return [b for b in selected_boards(config)
            if '"lan9118"' in (REPO_ROOT / "boot" / "boards" / b / "board.h").read_text()]


def pytest_generate_tests(metafunc):
    if "net_board" in metafunc.fixturenames:
        boards = lan9118_boards(metafunc.config)
        metafunc.parametrize("net_board", boards, ids=boards, scope="module")


class Wire:
    """A booted board (its MAC board_mac; None: QEMU's default) and the peer
    on its Ethernet."""

    def __init__(self, board, timeout, log_name, board_mac, peer_mac, peer_ips):
        self.link = StreamLink()
        self.peer = NetPeer(self.link, peer_mac, peer_ips)
        self.console = None
        try:
            self.console = Console(board, image_path(board, "image.elf"), log_name, timeout,
                                   net=self.link.qemu_nic(board_mac))
            self.link.wait_connected(timeout)
        except BaseException:
            self.close()
            raise

    def close(self):
        if self.console is not None:
            self.console.close()
        self.peer.close()
        self.link.close()


@pytest.fixture(scope="module")
def wire(net_board, qemu_timeout):
    w = Wire(net_board, qemu_timeout, "test_net", BOARD_MAC, PEER_MAC,
             [PEER_IP, PEER_ALIAS, PEER_FRESH])
    yield w
    w.close()


def net_thread(console):
    """The state of the net task's thread, from `ps` (None if it is gone)."""
    for line in console.run_command("ps").splitlines():
        m = PS_ROW.match(line)
        if m and m.group(5) == "net":
            return m.group(3)
    return None


def console_text(console):
    """Everything the board printed so far (the console's log)."""
    console.log.flush()
    return console.log_file.read_text(errors="replace")


def assert_net_alive(w):
    """The console answers, the net task's thread waits as it should,
    neither RTCR nor lwIP reported a fault of it, and it answers a ping."""
    state = net_thread(w.console)
    assert state in ("blocked", "ready", "running"), "net thread is %s" % state
    text = console_text(w.console)
    assert not re.search(r"rtcr: task \d+ \(net\)", text), "RTCR reported a fault of net"
    assert "lwIP assertion" not in text
    payload = bytes(range(64))
    reply = w.peer.ping(BOARD_IP, payload, seq=0x7777)
    assert reply is not None and reply.data == payload, "no echo reply after the test"


def memory_in_use(console):
    m = STATS_MEMORY.search(console.run_command("stats"))
    assert m, "no memory line in stats"
    return int(m.group(1)), int(m.group(3))


def is_arp(frame, op):
    eth = npeer.parse_eth(frame)
    arp = npeer.parse_arp(eth.payload) if eth and eth.type == npeer.ETH_P_ARP else None
    return (eth, arp) if arp and arp.op == op else None


def unreachable_for(w, dport):
    """A matcher for the ICMP port unreachable the board sends for a UDP
    datagram to its port dport."""
    def match(frame):
        ip, icmp = w.peer.icmp_of(frame)
        if not icmp or icmp.type != npeer.ICMP_DEST_UNREACH or icmp.code != 3:
            return None
        # After ICMP's 8-byte header: the datagram's IP header and 8 bytes.
        quoted = npeer.parse_ipv4(icmp.data)
        if quoted and quoted.proto == npeer.IPPROTO_UDP and len(quoted.payload) >= 4 and \
                int.from_bytes(quoted.payload[2:4], "big") == dport:
            return icmp
        return None
    return match


def board_mac():
    return npeer.mac_bytes(BOARD_MAC)


# ---------------------------------------------------------------------------
# Start-up, ARP and ping
# ---------------------------------------------------------------------------

def test_net_task_starts(wire):
    out = wire.console.boot_output
    assert re.search(r"rtcr: started 'net' as task \d+", out), out
    assert "net: lan9118 %s, %s/24\n" % (BOARD_MAC, BOARD_IP) in out, out
    assert net_thread(wire.console) == "blocked"
    assert wire.link.connections == 1


def test_board_answers_arp(wire):
    since = wire.peer.mark()
    assert wire.peer.resolve(BOARD_IP) == board_mac()
    eth, arp = wire.peer.wait_frame(lambda f: is_arp(f, npeer.ARP_REPLY), 1.0, since)
    assert eth.dst == wire.peer.mac and eth.src == board_mac()
    assert arp.sha == board_mac() and arp.spa == npeer.ip_bytes(BOARD_IP)
    assert arp.tha == wire.peer.mac and arp.tpa == npeer.ip_bytes(PEER_IP)
    # Nobody answers for an address that is not the board's.
    assert wire.peer.resolve("10.0.0.77", timeout=QUIET, retries=1) is None


def test_board_asks_arp(wire):
    # An echo request from an address the board has not seen: to answer,
    # the board must ask (broadcast) who has it, and the peer tells it.
    since = wire.peer.mark()
    reply = wire.peer.ping(BOARD_IP, b"who am I", seq=2, src_ip=PEER_ALIAS, dst_mac=BOARD_MAC)
    assert reply is not None and reply.data == b"who am I"
    found = wire.peer.wait_frame(lambda f: is_arp(f, npeer.ARP_REQUEST), 0.1, since)
    assert found, "the board answered without asking ARP"
    eth, arp = found
    assert eth.dst == npeer.BROADCAST_MAC and eth.src == board_mac()
    assert arp.sha == board_mac() and arp.spa == npeer.ip_bytes(BOARD_IP)
    assert arp.tpa == npeer.ip_bytes(PEER_ALIAS)
    assert wire.peer.arp_answered >= 1


@pytest.mark.parametrize("size", [0, 1, 18, 56, 1000, 1471, 1472])
def test_ping_sizes(wire, size):
    rnd = random.Random(size)
    payload = bytes(rnd.randrange(256) for _ in range(size))
    reply = wire.peer.ping(BOARD_IP, payload, ident=0xbeef, seq=size)
    assert reply is not None, "no echo reply for %d bytes" % size
    assert reply.data == payload


def test_ping_many(wire):
    for seq in range(1, 51):
        payload = seq.to_bytes(2, "big") * 10
        reply = wire.peer.ping(BOARD_IP, payload, ident=0x4242, seq=seq)
        assert reply is not None and reply.data == payload, "echo %d" % seq


def test_no_route_off_subnet(wire):
    # 10.0.0.1/24 has no gateway: an echo request from another subnet
    # reaches the board, but it has no way back.
    assert wire.peer.ping(BOARD_IP, b"x", seq=3, src_ip=OFF_NET_IP, dst_mac=BOARD_MAC,
                          timeout=QUIET) is None
    assert wire.peer.ping(BOARD_IP, b"y", seq=4) is not None


# ---------------------------------------------------------------------------
# UDP
# ---------------------------------------------------------------------------

def test_udp_closed_port_unreachable(wire):
    since = wire.peer.mark()
    wire.peer.send_udp(BOARD_IP, CLOSED_PORT, b"anyone?")
    assert wire.peer.wait_frame(unreachable_for(wire, CLOSED_PORT), 2.0, since), \
        "no ICMP port unreachable for a datagram to a closed port"


def test_udp_link_port_is_bound(wire):
    # The net task listens on the link port: no port unreachable comes back
    # (the datagram goes to RTCR, or is counted as dropped without a link).
    since = wire.peer.mark()
    wire.peer.send_udp(BOARD_IP, LINK_PORT, b"for rtcr")
    assert wire.peer.wait_frame(unreachable_for(wire, LINK_PORT), QUIET, since) is None
    assert_net_alive(wire)


# ---------------------------------------------------------------------------
# Frames of every kind of wrong
# ---------------------------------------------------------------------------

def echo_frame(seq, data=b"ping", **ip_options):
    icmp = npeer.icmp_echo(npeer.ICMP_ECHO_REQUEST, 0x5151, seq, data)
    return npeer.ipv4_frame(BOARD_MAC, PEER_MAC, PEER_IP, BOARD_IP, npeer.IPPROTO_ICMP, icmp,
                            **ip_options)


def echo_reply_seq(w, seq):
    def match(frame):
        ip, icmp = w.peer.icmp_of(frame)
        return icmp if icmp and icmp.type == npeer.ICMP_ECHO_REPLY and icmp.seq == seq else None
    return match


def udp_frame(payload=b"data", **options):
    udp_options = {k: options.pop(k) for k in ("length", "csum") if k in options}
    udp = npeer.udp_datagram(PEER_IP, BOARD_IP, 40000, CLOSED_PORT, payload, **udp_options)
    return npeer.ipv4_frame(BOARD_MAC, PEER_MAC, PEER_IP, BOARD_IP, npeer.IPPROTO_UDP, udp,
                            **options)


def bad_icmp_checksum_frame(seq):
    icmp = npeer.icmp_echo(npeer.ICMP_ECHO_REQUEST, 0x5151, seq, b"ping", csum=0x1234)
    return npeer.ipv4_frame(BOARD_MAC, PEER_MAC, PEER_IP, BOARD_IP, npeer.IPPROTO_ICMP, icmp)


# (name, frame, matcher of the answer it must not get, or None).
def malformed_frames(w):
    eth_ip = npeer.eth_frame(BOARD_MAC, PEER_MAC, npeer.ETH_P_IP, b"")
    good_echo = echo_frame(100)
    return [
        ("runt: 10 bytes", good_echo[:10], None),
        ("runt: Ethernet header only", eth_ip, None),
        ("runt: 20 bytes", good_echo[:20], None),
        ("truncated IP header", good_echo[:14 + 12], echo_reply_seq(w, 100)),
        ("truncated IP packet", good_echo[:14 + 24], echo_reply_seq(w, 100)),
        ("IP total length beyond the frame", echo_frame(101, total_len=200),
         echo_reply_seq(w, 101)),
        ("IP total length below the header", echo_frame(102, total_len=10),
         echo_reply_seq(w, 102)),
        ("IP header length 4 words",
         good_echo[:14] + bytes([0x44]) + good_echo[15:], echo_reply_seq(w, 100)),
        ("bad IP header checksum", echo_frame(103, header_checksum=0xdead),
         echo_reply_seq(w, 103)),
        ("IP version 6 in an IPv4 frame",
         good_echo[:14] + bytes([0x65]) + good_echo[15:], echo_reply_seq(w, 100)),
        ("fragment (more fragments set)", echo_frame(104, flags_frag=0x2000),
         echo_reply_seq(w, 104)),
        ("bad ICMP checksum", bad_icmp_checksum_frame(105), echo_reply_seq(w, 105)),
        ("bad UDP checksum", udp_frame(csum=0x0bad), unreachable_for(w, CLOSED_PORT)),
        ("UDP length beyond the packet", udp_frame(length=100), unreachable_for(w, CLOSED_PORT)),
        ("UDP length below its header", udp_frame(length=4), unreachable_for(w, CLOSED_PORT)),
        ("truncated UDP header", udp_frame()[:14 + 20 + 5], unreachable_for(w, CLOSED_PORT)),
        ("ARP with a bad hardware length",
         npeer.eth_frame(npeer.BROADCAST_MAC, PEER_MAC, npeer.ETH_P_ARP,
                         npeer.arp_packet(1, PEER_MAC, PEER_IP, npeer.ZERO_MAC, BOARD_IP)[:4] +
                         bytes([7]) + npeer.arp_packet(1, PEER_MAC, PEER_IP, npeer.ZERO_MAC,
                                                       BOARD_IP)[5:]),
         lambda f: is_arp(f, npeer.ARP_REPLY)),
        ("truncated ARP",
         npeer.eth_frame(npeer.BROADCAST_MAC, PEER_MAC, npeer.ETH_P_ARP,
                         npeer.arp_packet(1, PEER_MAC, PEER_IP, npeer.ZERO_MAC, BOARD_IP)[:20]),
         lambda f: is_arp(f, npeer.ARP_REPLY)),
        ("unknown EtherType", npeer.eth_frame(BOARD_MAC, PEER_MAC, 0x88b5, b"\x00" * 46), None),
        ("IPv6 EtherType", npeer.eth_frame(BOARD_MAC, PEER_MAC, 0x86dd, b"\x60" + b"\x00" * 60),
         None),
        ("frame longer than Ethernet allows (1600 bytes)", good_echo + b"\x00" * (1600 - len(good_echo)),
         echo_reply_seq(w, 100)),
        ("longest frame QEMU passes (2047 bytes)", good_echo + b"\x00" * (2047 - len(good_echo)),
         echo_reply_seq(w, 100)),
    ]


def test_malformed_frames_dropped(wire):
    for name, frame, answer in malformed_frames(wire):
        since = wire.peer.mark()
        wire.peer.send_raw(frame)
        if answer is not None:
            assert wire.peer.wait_frame(answer, QUIET, since) is None, \
                "the board answered a frame with %s" % name
    assert_net_alive(wire)


def test_the_good_ones_are_answered(wire):
    # The frames above are wrong in one thing each: the same frames made
    # right are answered (so their silence was the board's doing).
    since = wire.peer.mark()
    wire.peer.send_raw(echo_frame(100))
    assert wire.peer.wait_frame(echo_reply_seq(wire, 100), 2.0, since)
    since = wire.peer.mark()
    wire.peer.send_raw(udp_frame())
    assert wire.peer.wait_frame(unreachable_for(wire, CLOSED_PORT), 2.0, since)
    # Padded to Ethernet's minimum (60 bytes), as real NICs send it.
    short = echo_frame(106, data=b"")
    since = wire.peer.mark()
    wire.peer.send_raw(short + b"\x00" * (60 - len(short)))
    assert wire.peer.wait_frame(echo_reply_seq(wire, 106), 2.0, since)


def test_random_frames(wire):
    rnd = random.Random(5)
    for _ in range(300):
        length = rnd.randrange(14, 1515)
        body = bytes(rnd.randrange(256) for _ in range(length - 14))
        dst = rnd.choice([BOARD_MAC, "ff:ff:ff:ff:ff:ff"])
        ethertype = rnd.choice([npeer.ETH_P_IP, npeer.ETH_P_ARP, rnd.randrange(0x10000)])
        wire.peer.send_raw(npeer.eth_frame(dst, PEER_MAC, ethertype, body))
    assert_net_alive(wire)


def test_burst_of_500_frames(wire):
    kmem_before, free_before = memory_in_use(wire.console)
    since = wire.peer.mark()
    rnd = random.Random(500)
    sent = []
    for i in range(500):
        if i % 2:
            seq = 1000 + i
            wire.peer.send_raw(echo_frame(seq, data=bytes(rnd.randrange(256) for _ in range(100))))
            sent.append(seq)
        else:
            wire.peer.send_raw(bytes(rnd.randrange(256) for _ in range(rnd.randrange(14, 200))))
    assert_net_alive(wire)
    # Each echo reply that came is right (the board's FIFO may have dropped
    # some of the burst, which QEMU does when it is full) and some came.
    replies = [wire.peer.icmp_of(f)[1] for f in wire.peer.frames_since(since)]
    seqs = [icmp.seq for icmp in replies if icmp and icmp.type == npeer.ICMP_ECHO_REPLY
            and icmp.ident == 0x5151]
    assert seqs, "no echo reply to the burst"
    assert set(seqs) <= set(sent) and len(seqs) == len(set(seqs)), seqs
    # All of lwIP's memory is static: the flood took nothing from RTCR.
    assert memory_in_use(wire.console) == (kmem_before, free_before)


# ---------------------------------------------------------------------------
# The other address plan: QEMU's default MAC, as user networking has it
# ---------------------------------------------------------------------------

SLIRP_MAC = "52:54:00:12:34:56"
SLIRP_BOARD_IP = "10.0.2.15"
SLIRP_GATEWAY = "10.0.2.2"


def test_default_mac_gets_slirp_addresses(net_board, qemu_timeout):
    # No mac= option: QEMU's default MAC. The peer plays slirp's gateway,
    # and a host on another subnet behind it.
    w = Wire(net_board, qemu_timeout, "test_net-default-mac", None, "52:55:0a:00:02:02",
             [SLIRP_GATEWAY, OFF_NET_IP])
    try:
        assert "net: lan9118 %s, %s/24, gateway %s\n" % (SLIRP_MAC, SLIRP_BOARD_IP, SLIRP_GATEWAY) \
            in w.console.boot_output, w.console.boot_output
        assert w.peer.ping(SLIRP_BOARD_IP, b"hello", seq=1) is not None
        # The answer to another subnet goes through the gateway: the board
        # asks ARP for the gateway, not for the sender.
        since = w.peer.mark()
        reply = w.peer.ping(SLIRP_BOARD_IP, b"routed", seq=2, src_ip=OFF_NET_IP,
                            dst_mac=SLIRP_MAC)
        assert reply is not None and reply.data == b"routed"
        asked = [arp.tpa for eth, arp in
                 filter(None, (is_arp(f, npeer.ARP_REQUEST) for f in w.peer.frames_since(since)))]
        assert npeer.ip_bytes(OFF_NET_IP) not in asked, asked
    finally:
        w.close()


def test_user_networking(net_board, qemu_timeout):
    # What `make run` gives the board: QEMU's user networking.
    console = Console(net_board, image_path(net_board, "image.elf"), "test_net-user",
                      qemu_timeout, net=["-nic", "user,model=lan9118"])
    try:
        assert "net: lan9118 %s, %s/24, gateway %s\n" % (SLIRP_MAC, SLIRP_BOARD_IP, SLIRP_GATEWAY) \
            in console.boot_output, console.boot_output
        assert net_thread(console) == "blocked"
    finally:
        console.close()


# ---------------------------------------------------------------------------
# The link to RTCR: LINK_UP, pings RTCR asks for, datagrams both ways, drops
# ---------------------------------------------------------------------------

def link_row(console):
    """RTCR's `links` row of the Ethernet link: address, state, driver
    name and the counters."""
    out = console.run_command("links")
    m = LINKS_ROW.search(out)
    assert m, "no eth link in:\n%s" % out
    return {"addr": m.group(1), "state": m.group(2), "driver": m.group(4),
            "sent": int(m.group(5)), "sent_bytes": int(m.group(6)),
            "received": int(m.group(7)), "received_bytes": int(m.group(8)),
            "dropped": int(m.group(9))}


MIG_OFFER, MIG_REJECT = 1, 5


def mig_message(type_, mig, payload, round_=0):
    """A message of RTCR's migration protocol (docs/migration.md): 24-byte
    little-endian header, CRC-32 over the whole with its own field zero."""
    header = struct.pack("<HBBIHHII", 0x4d52, 1, type_, mig, round_, 0, 0, len(payload))
    crc = zlib.crc32(header + b"\0\0\0\0" + payload)
    return header + struct.pack("<I", crc) + payload


def parse_mig(data):
    """(type, migration, payload) of a well-formed message, else None."""
    if len(data) < 24:
        return None
    magic, version, type_, mig, _, _, _, length, crc = struct.unpack("<HBBIHHIII", data[:24])
    if magic != 0x4d52 or version != 1 or length != len(data) - 24 or \
            zlib.crc32(data[:20] + b"\0\0\0\0" + data[24:]) != crc:
        return None
    return type_, mig, data[24:]


def test_link_up(wire):
    out = wire.console.boot_output
    assert "rtcr: link eth up: %s, datagrams up to 1472 bytes" % BOARD_IP in out, out
    assert "net: no link" not in out
    row = link_row(wire.console)
    assert (row["addr"], row["state"], row["driver"]) == (BOARD_IP, "up", "net"), row


def test_board_pings_peer(wire):
    answered = wire.peer.pings_answered
    out = wire.console.run_command("ping %s 3" % PEER_IP)
    replies = re.findall(r"^reply from %s: seq \d+, \d+\.\d{3} ms$" % re.escape(PEER_IP), out, re.M)
    assert len(replies) == 3 and "3 sent, 3 answered" in out, out
    assert wire.peer.pings_answered - answered == 3


def test_ping_burst_before_arp(wire):
    # Ten echo requests at once to an address the board has not resolved
    # yet: they wait for ARP's answer, and all go out.
    out = wire.console.run_command("ping %s 10" % PEER_FRESH)
    assert "10 sent, 10 answered" in out, out


def test_board_ping_failures(wire):
    # Nobody answers: timed out after the net task's second.
    wire.peer.answer_ping = False
    try:
        out = wire.console.run_command("ping %s 1" % PEER_IP)
    finally:
        wire.peer.answer_ping = True
    assert re.search(r"^no reply from %s: seq \d+ \(timed out\)$" % re.escape(PEER_IP), out,
                     re.M), out
    assert "1 sent, 0 answered" in out, out
    # Nobody has the address (ARP unanswered), or no route to it at all.
    for addr in ("10.0.0.99", OFF_NET_IP):
        out = wire.console.run_command("ping %s 1" % addr)
        assert re.search(r"^no reply from %s: seq \d+ \(no route\)$" % re.escape(addr), out,
                         re.M), out


def test_udp_reaches_rtcr_and_back(wire):
    # A migration offer from a sender RTCR does not know: RTCR gets it
    # through the net task and answers, through the net task, with a refusal.
    before = link_row(wire.console)
    offer = mig_message(MIG_OFFER, 0x1234, bytes(48))
    since = wire.peer.mark()
    wire.peer.send_udp(BOARD_IP, LINK_PORT, offer, sport=LINK_PORT)
    got = wire.peer.recv_udp(LINK_PORT, 2.0, since)
    assert got is not None, "no answer from RTCR"
    src, sport, data = got
    assert (src, sport) == (BOARD_IP, LINK_PORT)
    msg = parse_mig(data)
    assert msg and msg[0] == MIG_REJECT and msg[1] == 0x1234, data
    assert struct.unpack("<I", msg[2][:4])[0] == 1, data        # unknown sender
    after = link_row(wire.console)
    assert after["received"] == before["received"] + 1
    assert after["received_bytes"] == before["received_bytes"] + len(offer)
    assert after["sent"] == before["sent"] + 1
    assert after["sent_bytes"] == before["sent_bytes"] + len(data)


def test_drops_reported_to_rtcr(wire):
    before = link_row(wire.console)["dropped"]
    for seq in range(5):
        wire.peer.send_raw(echo_frame(200 + seq, header_checksum=0xbad0 + seq))
    assert wire.peer.ping(BOARD_IP, b"sync", seq=300) is not None
    assert link_row(wire.console)["dropped"] == before + 5

"""A host on a board's Ethernet, for the tests: standard library only.

QEMU joins a board's NIC to this module with its socket netdev in stream
mode: the board is started with

    -nic socket,connect=127.0.0.1:PORT,model=lan9118,mac=52:54:00:00:00:01

and connects to a TCP port this module listens on; from then on every
Ethernet frame (without FCS) goes either way as a 4-byte big-endian length
followed by the frame's bytes.

Three layers, each usable on its own (a relay between two boards, or a
test that injects frames, needs only the lower ones):

  - frame building and parsing: pure functions over bytes (eth_frame,
    parse_eth, arp_packet, parse_arp, ipv4_packet, parse_ipv4, icmp_echo,
    parse_icmp, udp_datagram, parse_udp, checksum). Builders compute every
    checksum and length unless told otherwise; parsers check them and say
    so (the *_ok fields) rather than refuse, so a test can look at bad
    packets too. A parser returns None for bytes too short to be its kind.
  - StreamLink: the stream framing over one TCP connection from QEMU, with
    a reader thread; frames arrive in a queue. It listens until close(),
    so a QEMU that is started again connects again.
  - NetPeer: a host with a MAC and IPv4 addresses on a StreamLink: answers
    ARP for its addresses, resolves others' MACs, sends echo requests and
    matches the replies, sends and receives UDP, and sends raw frames.

Every wait has a timeout: nothing here blocks for ever.
"""

import collections
import queue
import select
import socket
import struct
import threading
import time

ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
IPPROTO_ICMP = 1
IPPROTO_UDP = 17
ICMP_ECHO_REPLY = 0
ICMP_DEST_UNREACH = 3
ICMP_ECHO_REQUEST = 8
ARP_REQUEST = 1
ARP_REPLY = 2
BROADCAST_MAC = b"\xff" * 6
ZERO_MAC = b"\x00" * 6
ETH_HLEN = 14
FRAME_MAX = 65535          # what the 4-byte length could say; QEMU's NIC takes < 2048


# ---------------------------------------------------------------------------
# Addresses
# ---------------------------------------------------------------------------

def mac_bytes(mac):
    """'52:54:00:00:00:01' (or 6 bytes) -> 6 bytes."""
    if isinstance(mac, (bytes, bytearray)):
        if len(mac) != 6:
            raise ValueError("a MAC address has 6 bytes, not %d" % len(mac))
        return bytes(mac)
    parts = mac.split(":")
    if len(parts) != 6:
        raise ValueError("bad MAC address %r" % mac)
    return bytes(int(p, 16) for p in parts)


def mac_str(mac):
    return ":".join("%02x" % b for b in mac_bytes(mac))


def ip_bytes(ip):
    """'10.0.0.1' (or 4 bytes) -> 4 bytes."""
    if isinstance(ip, (bytes, bytearray)):
        if len(ip) != 4:
            raise ValueError("an IPv4 address has 4 bytes, not %d" % len(ip))
        return bytes(ip)
    return socket.inet_aton(ip)


def ip_str(ip):
    return socket.inet_ntoa(ip_bytes(ip))


def ip_number(ip):
    """'10.0.0.1' -> 10<<24 | 0<<16 | 0<<8 | 1, as the link session writes it."""
    return struct.unpack("!I", ip_bytes(ip))[0]


# ---------------------------------------------------------------------------
# Frames: building and parsing
# ---------------------------------------------------------------------------

def checksum(data):
    """The Internet checksum (RFC 1071) of data: the ones' complement of the
    ones' complement sum of its 16-bit big-endian words. Over data that
    holds its own correct checksum the result is 0."""
    if len(data) % 2:
        data = bytes(data) + b"\x00"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


Eth = collections.namedtuple("Eth", "dst src type payload")


def eth_frame(dst, src, ethertype, payload):
    """An Ethernet II frame (no FCS, no padding: QEMU's NICs take short
    frames as they are)."""
    return mac_bytes(dst) + mac_bytes(src) + struct.pack("!H", ethertype) + bytes(payload)


def parse_eth(frame):
    if len(frame) < ETH_HLEN:
        return None
    return Eth(bytes(frame[0:6]), bytes(frame[6:12]),
               struct.unpack("!H", frame[12:14])[0], bytes(frame[14:]))


Arp = collections.namedtuple("Arp", "op sha spa tha tpa")


def arp_packet(op, sha, spa, tha, tpa):
    """An ARP packet for IPv4 over Ethernet (the payload of an ETH_P_ARP
    frame)."""
    return (struct.pack("!HHBBH", 1, ETH_P_IP, 6, 4, op) + mac_bytes(sha) + ip_bytes(spa) +
            mac_bytes(tha) + ip_bytes(tpa))


def parse_arp(payload):
    """An Arp, or None if it is not IPv4-over-Ethernet ARP."""
    if len(payload) < 28:
        return None
    htype, ptype, hlen, plen, op = struct.unpack("!HHBBH", payload[:8])
    if (htype, ptype, hlen, plen) != (1, ETH_P_IP, 6, 4):
        return None
    return Arp(op, bytes(payload[8:14]), bytes(payload[14:18]), bytes(payload[18:24]),
               bytes(payload[24:28]))


Ip = collections.namedtuple(
    "Ip", "src dst proto ttl ident flags_frag total_len header_len header payload "
          "checksum_ok length_ok")


def ipv4_packet(src, dst, proto, payload, ttl=64, ident=0, flags_frag=0x4000,
                total_len=None, header_checksum=None, tos=0):
    """An IPv4 packet (20-byte header, no options) around payload. The
    header checksum and total length are computed unless given (give them
    to build a bad packet). flags_frag 0x4000 = don't fragment."""
    length = 20 + len(payload) if total_len is None else total_len
    header = struct.pack("!BBHHHBBH4s4s", 0x45, tos, length, ident, flags_frag, ttl, proto, 0,
                         ip_bytes(src), ip_bytes(dst))
    csum = checksum(header) if header_checksum is None else header_checksum
    return header[:10] + struct.pack("!H", csum) + header[12:] + bytes(payload)


def parse_ipv4(data):
    """An Ip: payload is what the total length covers (or what there is, if
    the packet is shorter than it says: then length_ok is False)."""
    if len(data) < 20 or data[0] >> 4 != 4:
        return None
    hlen = (data[0] & 0x0f) * 4
    if hlen < 20 or len(data) < hlen:
        return None
    total, ident, flags_frag, ttl, proto = struct.unpack("!HHHBB", data[2:10])
    length_ok = hlen <= total <= len(data)
    end = total if length_ok else len(data)
    return Ip(bytes(data[12:16]), bytes(data[16:20]), proto, ttl, ident, flags_frag, total,
              hlen, bytes(data[:hlen]), bytes(data[hlen:end]), checksum(data[:hlen]) == 0,
              length_ok)


Icmp = collections.namedtuple("Icmp", "type code ident seq data checksum_ok")


def icmp_echo(type_, ident, seq, data, code=0, csum=None):
    """An ICMP echo request (type 8) or reply (type 0) with data."""
    body = struct.pack("!BBHHH", type_, code, 0, ident, seq) + bytes(data)
    value = checksum(body) if csum is None else csum
    return body[:2] + struct.pack("!H", value) + body[4:]


def parse_icmp(payload):
    """An Icmp; ident and seq are those of an echo message (the rest of
    the header for other types)."""
    if len(payload) < 8:
        return None
    type_, code, _, ident, seq = struct.unpack("!BBHHH", payload[:8])
    return Icmp(type_, code, ident, seq, bytes(payload[8:]), checksum(payload) == 0)


Udp = collections.namedtuple("Udp", "sport dport payload checksum_ok length_ok")


def _udp_pseudo_header(src, dst, length):
    return ip_bytes(src) + ip_bytes(dst) + struct.pack("!BBH", 0, IPPROTO_UDP, length)


def udp_datagram(src, dst, sport, dport, payload, length=None, csum=None):
    """A UDP header and payload, for an IPv4 packet from src to dst. The
    checksum (over the pseudo header) and length are computed unless given;
    a computed checksum of 0 is sent as 0xffff (RFC 768)."""
    real_length = 8 + len(payload)
    header_length = real_length if length is None else length
    body = struct.pack("!HHHH", sport, dport, header_length, 0) + bytes(payload)
    if csum is None:
        csum = checksum(_udp_pseudo_header(src, dst, real_length) + body) or 0xffff
    return body[:6] + struct.pack("!H", csum) + body[8:]


def parse_udp(ip, payload):
    """A Udp from the payload of the Ip packet ip (its addresses are part of
    the checksum). A checksum of 0 means none was sent: checksum_ok."""
    if len(payload) < 8:
        return None
    sport, dport, length, csum = struct.unpack("!HHHH", payload[:8])
    length_ok = 8 <= length <= len(payload)
    data = payload[:length] if length_ok else payload
    csum_ok = csum == 0 or (length_ok and
                            checksum(_udp_pseudo_header(ip.src, ip.dst, length) + data) == 0)
    return Udp(sport, dport, bytes(data[8:]), csum_ok, length_ok)


def ipv4_frame(dst_mac, src_mac, src, dst, proto, payload, **ip_options):
    """Shorthand: an Ethernet frame holding an IPv4 packet."""
    return eth_frame(dst_mac, src_mac, ETH_P_IP,
                     ipv4_packet(src, dst, proto, payload, **ip_options))


# ---------------------------------------------------------------------------
# QEMU's stream framing
# ---------------------------------------------------------------------------

class LinkError(Exception):
    """The link to QEMU is not there (no connection, or it closed)."""


class StreamLink:
    """The listening end of QEMU's `-nic socket,connect=...` (stream mode).

    Listens on 127.0.0.1 (port 0: one the system picks; see .port) until
    close(). A reader thread accepts QEMU's connection, splits the stream
    into frames and puts each in .frames (a queue.Queue of bytes); when
    QEMU goes away it waits for the next connection. send() needs a
    connection.
    """

    def __init__(self, host="127.0.0.1", port=0):
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((host, port))
        self._listener.listen(1)
        self.host, self.port = self._listener.getsockname()
        self.frames = queue.Queue()
        self.connections = 0          # how many times QEMU connected
        self._conn = None
        self._send_lock = threading.Lock()
        self._connected = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="netpeer-link", daemon=True)
        self._thread.start()

    def qemu_nic(self, mac=None, model="lan9118"):
        """The -nic option for QEMU: ['-nic', 'socket,connect=...'] (mac:
        the board's MAC; None: QEMU's default, 52:54:00:12:34:56)."""
        opt = "socket,connect=%s:%d,model=%s" % (self.host, self.port, model)
        return ["-nic", opt + (",mac=" + mac_str(mac) if mac is not None else "")]

    def wait_connected(self, timeout):
        if not self._connected.wait(timeout):
            raise LinkError("QEMU did not connect to %s:%d within %ss"
                            % (self.host, self.port, timeout))

    def send(self, frame):
        """Send one frame (bytes, up to FRAME_MAX)."""
        if len(frame) > FRAME_MAX:
            raise ValueError("frame of %d bytes" % len(frame))
        data = struct.pack("!I", len(frame)) + bytes(frame)
        with self._send_lock:
            conn = self._conn
            if conn is None:
                raise LinkError("no connection from QEMU")
            try:
                conn.sendall(data)
            except OSError as err:
                raise LinkError("sending to QEMU: %s" % err) from None

    def recv(self, timeout):
        """The next frame, or None after timeout seconds."""
        try:
            return self.frames.get(timeout=max(timeout, 0))
        except queue.Empty:
            return None

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)
        self._drop_connection()
        self._listener.close()

    # -- the reader thread --------------------------------------------------

    def _drop_connection(self):
        with self._send_lock:
            conn, self._conn = self._conn, None
        self._connected.clear()
        if conn is not None:
            conn.close()

    def _run(self):
        while not self._stop.is_set():
            readable, _, _ = select.select([self._listener], [], [], 0.2)
            if not readable:
                continue
            conn, _ = self._listener.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._send_lock:
                self._conn = conn
            self.connections += 1
            self._connected.set()
            self._read_frames(conn)
            self._drop_connection()

    def _read_frames(self, conn):
        buf = b""
        while not self._stop.is_set():
            readable, _, _ = select.select([conn], [], [], 0.2)
            if not readable:
                continue
            try:
                data = conn.recv(65536)
            except OSError:
                return
            if not data:
                return
            buf += data
            while len(buf) >= 4:
                (length,) = struct.unpack("!I", buf[:4])
                if len(buf) < 4 + length:
                    break
                self.frames.put(buf[4:4 + length])
                buf = buf[4 + length:]


# ---------------------------------------------------------------------------
# A host on the link
# ---------------------------------------------------------------------------

class NetPeer:
    """A host with a MAC and one or more IPv4 addresses on a StreamLink.

    A thread takes every frame from the link: ARP requests for one of its
    addresses are answered at once, and so are well-formed echo requests
    to one of them (unless answer_ping is False); every frame is also kept
    (see frames_since and wait_frame), so a test can look at all the board
    sent, ARP included.
    """

    def __init__(self, link, mac, ips, answer_ping=True):
        self.link = link
        self.mac = mac_bytes(mac)
        self.ips = [ip_bytes(ip) for ip in ([ips] if isinstance(ips, str) else ips)]
        self.answer_ping = answer_ping
        self.arp_cache = {}            # ip bytes -> mac bytes
        self.arp_answered = 0
        self.pings_answered = 0
        self._frames = []              # every frame received, in order
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="netpeer", daemon=True)
        self._thread.start()

    @property
    def ip(self):
        return self.ips[0]

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)

    # -- receiving ----------------------------------------------------------

    def _run(self):
        while not self._stop.is_set():
            frame = self.link.recv(0.2)
            if frame is None:
                continue
            self._answer_arp(frame)
            if self.answer_ping:
                self._answer_echo(frame)
            with self._cond:
                self._frames.append(frame)
                self._cond.notify_all()

    def _answer_arp(self, frame):
        eth = parse_eth(frame)
        if eth is None or eth.type != ETH_P_ARP:
            return
        arp = parse_arp(eth.payload)
        if arp is None:
            return
        self.arp_cache[arp.spa] = arp.sha
        if arp.op == ARP_REQUEST and arp.tpa in self.ips:
            reply = arp_packet(ARP_REPLY, self.mac, arp.tpa, arp.sha, arp.spa)
            try:
                self.link.send(eth_frame(arp.sha, self.mac, ETH_P_ARP, reply))
                self.arp_answered += 1
            except LinkError:
                pass

    def _answer_echo(self, frame):
        eth = parse_eth(frame)
        if eth is None or eth.type != ETH_P_IP or eth.dst != self.mac:
            return
        ip = parse_ipv4(eth.payload)
        if (ip is None or ip.proto != IPPROTO_ICMP or ip.dst not in self.ips or
                not ip.checksum_ok or not ip.length_ok or ip.flags_frag & 0x3fff):
            return
        icmp = parse_icmp(ip.payload)
        if icmp is None or icmp.type != ICMP_ECHO_REQUEST or not icmp.checksum_ok:
            return
        reply = icmp_echo(ICMP_ECHO_REPLY, icmp.ident, icmp.seq, icmp.data)
        try:
            self.link.send(ipv4_frame(eth.src, self.mac, ip.dst, ip.src, IPPROTO_ICMP, reply))
            self.pings_answered += 1
        except LinkError:
            pass

    def mark(self):
        """A position in the frames received, for frames_since/wait_frame."""
        with self._cond:
            return len(self._frames)

    def frames_since(self, mark):
        with self._cond:
            return list(self._frames[mark:])

    def wait_frame(self, match, timeout, since=None):
        """The first frame received at or after mark `since` (default: now)
        for which match(frame) returns something true; that value is
        returned. None after timeout seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            pos = len(self._frames) if since is None else since
            while True:
                while pos < len(self._frames):
                    found = match(self._frames[pos])
                    pos += 1
                    if found:
                        return found
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)

    # -- sending ------------------------------------------------------------

    def send_raw(self, frame):
        self.link.send(frame)

    def resolve(self, ip, timeout=2.0, src_ip=None, retries=3):
        """The MAC address of ip, asked by ARP (retried); None if nobody
        answered."""
        target = ip_bytes(ip)
        src = ip_bytes(src_ip) if src_ip else self.ip
        for _ in range(retries):
            since = self.mark()
            request = arp_packet(ARP_REQUEST, self.mac, src, ZERO_MAC, target)
            self.link.send(eth_frame(BROADCAST_MAC, self.mac, ETH_P_ARP, request))

            def is_reply(frame):
                eth = parse_eth(frame)
                arp = parse_arp(eth.payload) if eth and eth.type == ETH_P_ARP else None
                if arp and arp.op == ARP_REPLY and arp.spa == target:
                    return arp
                return None
            arp = self.wait_frame(is_reply, timeout / retries, since)
            if arp:
                self.arp_cache[target] = arp.sha
                return arp.sha
        return None

    def _mac_of(self, ip, dst_mac):
        if dst_mac is not None:
            return mac_bytes(dst_mac)
        mac = self.arp_cache.get(ip_bytes(ip)) or self.resolve(ip)
        if mac is None:
            raise LinkError("no ARP answer from %s" % ip_str(ip))
        return mac

    def send_ip(self, dst, proto, payload, dst_mac=None, src_ip=None, **ip_options):
        src = ip_bytes(src_ip) if src_ip else self.ip
        self.link.send(ipv4_frame(self._mac_of(dst, dst_mac), self.mac, src, dst, proto,
                                  payload, **ip_options))

    def ping(self, dst, data=b"", ident=0x1234, seq=1, timeout=2.0, dst_mac=None, src_ip=None):
        """Send one echo request; the matching Icmp reply (same ident, seq,
        from dst, to us) or None after timeout. The reply's IP and ICMP
        checksums are checked: a bad one does not count as a reply."""
        src = ip_bytes(src_ip) if src_ip else self.ip
        since = self.mark()
        self.send_ip(dst, IPPROTO_ICMP, icmp_echo(ICMP_ECHO_REQUEST, ident, seq, data),
                     dst_mac=dst_mac, src_ip=src)

        def is_reply(frame):
            ip, icmp = self.icmp_of(frame)
            if (icmp and ip.src == ip_bytes(dst) and ip.dst == src and
                    icmp.type == ICMP_ECHO_REPLY and icmp.ident == ident and icmp.seq == seq and
                    icmp.checksum_ok):
                return icmp
            return None
        return self.wait_frame(is_reply, timeout, since)

    def icmp_of(self, frame):
        """(Ip, Icmp) if frame is a well-formed ICMP packet to this host's
        MAC, else (None, None)."""
        eth = parse_eth(frame)
        if eth is None or eth.type != ETH_P_IP or eth.dst != self.mac:
            return None, None
        ip = parse_ipv4(eth.payload)
        if ip is None or ip.proto != IPPROTO_ICMP or not ip.checksum_ok or not ip.length_ok:
            return None, None
        icmp = parse_icmp(ip.payload)
        return (ip, icmp) if icmp else (None, None)

    def send_udp(self, dst, dport, payload, sport=40000, dst_mac=None, src_ip=None, **options):
        """A UDP datagram; options: length, csum (UDP header), and the IP
        header's (total_len, header_checksum, ...) to build bad ones."""
        src = ip_bytes(src_ip) if src_ip else self.ip
        udp_options = {k: options.pop(k) for k in ("length", "csum") if k in options}
        body = udp_datagram(src, dst, sport, dport, payload, **udp_options)
        self.send_ip(dst, IPPROTO_UDP, body, dst_mac=dst_mac, src_ip=src, **options)

    def recv_udp(self, dport, timeout, since=None):
        """(source ip, source port, payload) of the next well-formed UDP
        datagram to this host's port dport, or None after timeout."""
        def is_udp(frame):
            eth = parse_eth(frame)
            if eth is None or eth.type != ETH_P_IP or eth.dst != self.mac:
                return None
            ip = parse_ipv4(eth.payload)
            if ip is None or ip.proto != IPPROTO_UDP or not ip.checksum_ok or ip.dst not in self.ips:
                return None
            udp = parse_udp(ip, ip.payload)
            if udp and udp.dport == dport and udp.checksum_ok and udp.length_ok:
                return (ip_str(ip.src), udp.sport, udp.payload)
            return None
        return self.wait_frame(is_udp, timeout, since)

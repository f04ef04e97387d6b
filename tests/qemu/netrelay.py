"""The wire between two boards, in the tests: both boards' LAN9118s connect
to this process (QEMU socket netdev, stream mode, netpeer.StreamLink) and a
relay thread per direction carries every frame across. On the way it can
misbehave on purpose (Faults), and a host of the test's own can sit on the
wire (tap_link: a link object netpeer.NetPeer can use) to talk to either
board.
"""

import queue
import threading

import migproto
import netpeer


class Faults:
    """Every n-th frame lost, every m-th sent twice, and in every k-th UDP
    datagram to the migration port one payload byte flipped with the UDP
    checksum made right again, so that only RTCR's own checks can catch it.
    0 turns a kind off. Counts what it did."""

    def __init__(self, drop_every=0, dup_every=0, corrupt_every=0, port=4700):
        self.drop_every, self.dup_every, self.corrupt_every = drop_every, dup_every, corrupt_every
        self.port = port
        self.seen = self.dropped = self.doubled = self.corrupted = 0
        self._udp_seen = 0

    def apply(self, frame):
        """The frames to deliver instead of frame."""
        self.seen += 1
        if self.drop_every and self.seen % self.drop_every == 0:
            self.dropped += 1
            return []
        out = self._corrupt(frame)
        if self.dup_every and self.seen % self.dup_every == 0:
            self.doubled += 1
            return [out, out]
        return [out]

    def _corrupt(self, frame):
        eth = netpeer.parse_eth(frame)
        ip = netpeer.parse_ipv4(eth.payload) if eth and eth.type == netpeer.ETH_P_IP else None
        udp = netpeer.parse_udp(ip, ip.payload) if ip and ip.proto == netpeer.IPPROTO_UDP else None
        if udp is None or self.port not in (udp.sport, udp.dport) or not udp.payload:
            return frame
        self._udp_seen += 1
        if not self.corrupt_every or self._udp_seen % self.corrupt_every:
            return frame
        payload = bytearray(udp.payload)
        payload[(self._udp_seen * 7) % len(payload)] ^= 0x20
        self.corrupted += 1
        body = netpeer.udp_datagram(ip.src, ip.dst, udp.sport, udp.dport, bytes(payload))
        return netpeer.ipv4_frame(eth.dst, eth.src, ip.src, ip.dst, netpeer.IPPROTO_UDP, body,
                                  ident=ip.ident)


class DropMessages:
    """Every migration message of the given types (migproto's) lost on the
    wire, and nothing else: a GO that never reaches B, say. final_only: of
    the final round only (the one A offers with the final flag), so that
    pre-copy goes through and only B's last DONE is lost. Counts what it
    dropped."""

    def __init__(self, *types, final_only=False, port=4700):
        self.types, self.final_only, self.port = set(types), final_only, port
        self.final_round = None
        self.dropped = 0

    def apply(self, frame):
        eth = netpeer.parse_eth(frame)
        ip = netpeer.parse_ipv4(eth.payload) if eth and eth.type == netpeer.ETH_P_IP else None
        udp = netpeer.parse_udp(ip, ip.payload) if ip and ip.proto == netpeer.IPPROTO_UDP else None
        m = migproto.parse(udp.payload) if udp and self.port in (udp.sport, udp.dport) else None
        if m and m.type == migproto.OFFER and m.flags & migproto.FLAG_FINAL:
            self.final_round = m.round
        if m and m.type in self.types and (not self.final_only or m.round == self.final_round):
            self.dropped += 1
            return []
        return [frame]


class _Tap:
    """What a NetPeer needs of a link: frames from one board, and a way to
    send to that board."""

    def __init__(self, to_board):
        self.frames = queue.Queue()
        self._to_board = to_board

    def recv(self, timeout):
        try:
            return self.frames.get(timeout=max(timeout, 0))
        except queue.Empty:
            return None

    def send(self, frame):
        self._to_board.send(frame)


class Relay:
    """Listens for boards a and b; carries frames between them."""

    def __init__(self):
        self.a = netpeer.StreamLink()
        self.b = netpeer.StreamLink()
        self.faults = None             # a Faults, or None: a perfect wire
        self.cut = False               # True: nothing gets across
        self.taps = {"a": _Tap(self.a), "b": _Tap(self.b)}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._carry, args=(src, dst, tap),
                                          daemon=True, name="relay-" + tap)
                         for src, dst, tap in ((self.a, self.b, "a"), (self.b, self.a, "b"))]
        for t in self._threads:
            t.start()

    def nic(self, board, mac):
        """The -nic option for board 'a' or 'b'."""
        return (self.a if board == "a" else self.b).qemu_nic(mac)

    def tap_link(self, board):
        """A link for a NetPeer that sees what `board` sends and talks to it."""
        return self.taps[board]

    def _carry(self, src, dst, tap):
        while not self._stop.is_set():
            frame = src.recv(0.2)
            if frame is None:
                continue
            self.taps[tap].frames.put(frame)
            with self._lock:
                if self.cut:
                    continue
                out = self.faults.apply(frame) if self.faults else [frame]
            for f in out:
                try:
                    dst.send(f)
                except netpeer.LinkError:
                    pass   # that board is not connected (being restarted)

    def close(self):
        self._stop.set()
        for t in self._threads:
            t.join(timeout=5)
        self.a.close()
        self.b.close()

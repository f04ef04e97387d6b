"""RTCR checkpoint images (format version 2) in Python, for the QEMU tests
that craft hostile input: take an image a board dumped, change fields,
re-seal it with a valid CRC and paste it back with `images load`.

The layout follows docs/ckpt-image.md (and rtcr/ckpt_image.c). parse()
checks what it needs to read an image: magic, version, lengths, CRC and
the sections' structure; not the meaning (flags against base id, origin,
names, page alignment): that is for the board to reject, and a test may
want it wrong. For damage below that, edit the bytes and seal() them.
"""
import base64
import re
import struct
import zlib
from dataclasses import astuple, dataclass, field

MAGIC, VERSION = b"RTCRIMG2", 2
HEADER = struct.Struct("<8sHHIIII16sQIIIIQ")   # 76 bytes; CRC at 64, origin at 68
CRC_OFFSET = 64
SECTION = struct.Struct("<HHI")                # type, reserved, payload length
THREAD = struct.Struct("<III8s17III96I")       # 480 bytes
CAP = struct.Struct("<6I")                     # 24 bytes
SESSION = struct.Struct("<II6I10I")            # 72 bytes
PAGE = struct.Struct("<II")                    # va, flags; then 4096 bytes unless ZERO
PAGE_SIZE = 4096
DUMP_BYTES_PER_LINE = 57                       # 76 base64 characters

FLAG_INCREMENTAL = 0x1
PAGE_ZERO = 0x1
NO_SESSION = 0xFFFFFFFF
THREADS, CAPS, SESSIONS, PAGES = 1, 2, 3, 4                             # section types
LOG, RAM, RM, TIMER, IRQ, GATE, PARENT, IO_MEM, CPU, DATASPACE, SEGMENT = range(1, 12)
INACTIVE, READY, RUNNING, BLOCKED, SUSPENDED, FAULTED, IDLE = range(7)  # thread states
(KOBJ_NONE, KOBJ_TASK, KOBJ_THREAD, KOBJ_GATE, KOBJ_IRQ, KOBJ_FACTORY, KOBJ_SCHED,
 KOBJ_CONSOLE, KOBJ_PLATFORM) = range(9)                                # enum kobj_type
R, W, G = 1, 2, 4                                                       # capability rights
MAP_R, MAP_W, MAP_X = 1, 2, 4                                           # page rights


def crc(data: bytes) -> int:
    """The image CRC: CRC-32 of all the bytes with the CRC field read as zero."""
    return zlib.crc32(bytes(data[:CRC_OFFSET]) + bytes(4) + bytes(data[CRC_OFFSET + 4:]))


def seal(data: bytes) -> bytes:
    """The bytes with the CRC field set to crc(data); nothing else changes."""
    return bytes(data[:CRC_OFFSET]) + struct.pack("<I", crc(data)) + bytes(data[CRC_OFFSET + 4:])


def _fit(value, n, what):
    """A name padded with NULs, or a word list with zeros, to n; longer is an error."""
    if len(value) > n:
        raise ValueError(f"{what}: {len(value)} items, at most {n}")
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).ljust(n, b"\0")
    return list(value) + [0] * (n - len(value))


@dataclass
class Thread:
    index: int = 0
    state: int = INACTIVE
    priority: int = 0
    name: bytes = b""                 # 8 bytes, NUL padded, not necessarily terminated
    regs: list = field(default_factory=lambda: [0] * 17)   # r0-r12 sp lr pc cpsr
    wait_kind: int = 0
    utcb_va: int = 0
    utcb: list = field(default_factory=lambda: [0] * 96)

    def encode(self) -> bytes:
        return THREAD.pack(self.index, self.state, self.priority, _fit(self.name, 8, "name"),
                           *_fit(self.regs, 17, "regs"), self.wait_kind, self.utcb_va,
                           *_fit(self.utcb, 96, "utcb"))


@dataclass
class Cap:
    sel: int
    type: int                         # KOBJ_*
    rights: int = R | W | G
    label: int = 0
    obj_id: int = 0
    session: int = NO_SESSION

    def encode(self) -> bytes:
        return CAP.pack(*astuple(self))


@dataclass
class Session:
    id: int
    kind: int                         # LOG ... SEGMENT
    args: list = field(default_factory=lambda: [0] * 6)
    state: list = field(default_factory=lambda: [0] * 10)

    def encode(self) -> bytes:
        return SESSION.pack(self.id, self.kind, *_fit(self.args, 6, "args"),
                            *_fit(self.state, 10, "state"))


@dataclass
class Page:
    va: int
    flags: int = 0
    data: bytes | None = None         # 4096 bytes; None when flags has PAGE_ZERO

    def encode(self) -> bytes:
        if self.flags & PAGE_ZERO:
            return PAGE.pack(self.va, self.flags)
        if self.data is None or len(self.data) != PAGE_SIZE:
            raise ValueError(f"page {self.va:#x}: data must be {PAGE_SIZE} bytes (or flag ZERO)")
        return PAGE.pack(self.va, self.flags) + bytes(self.data)


_LISTS = {THREADS: "threads", CAPS: "caps", SESSIONS: "sessions", PAGES: "pages"}


@dataclass
class Image:
    flags: int = 0
    image_id: int = 0
    base_id: int = 0
    origin: int = 0                   # the boot of the board that took it (never 0 there)
    task_id: int = 0
    name: bytes = b""                 # 16 bytes, NUL padded
    time_us: int = 0
    pause_us: int = 0
    threads: list = field(default_factory=list)
    caps: list = field(default_factory=list)
    sessions: list = field(default_factory=list)
    pages: list = field(default_factory=list)
    # The section types in image order, as parsed (empty ones included).
    # encode() writes these, then those of non-empty lists not named here.
    sections: list = field(default_factory=lambda: [THREADS, CAPS, SESSIONS, PAGES])

    @property
    def incremental(self) -> bool:
        return bool(self.flags & FLAG_INCREMENTAL)

    def sessions_of(self, kind) -> list:
        return [s for s in self.sessions if s.kind == kind]

    def session(self, kind) -> Session:
        """The one session of this kind (KeyError if there are none or several)."""
        found = self.sessions_of(kind)
        if len(found) != 1:
            raise KeyError(f"{len(found)} sessions of kind {kind}, expected 1")
        return found[0]

    def cap_at(self, sel) -> Cap:
        for c in self.caps:
            if c.sel == sel:
                return c
        raise KeyError(f"no capability at selector {sel}")

    @classmethod
    def parse(cls, data: bytes) -> "Image":
        data = bytes(data)
        if len(data) < HEADER.size:
            raise ValueError(f"truncated: {len(data)} of {HEADER.size} bytes")
        (magic, version, header_len, flags, image_id, base_id, task_id, name, time_us,
         pause_us, count, total, stored, origin) = HEADER.unpack_from(data)
        if magic != MAGIC:
            raise ValueError(f"bad magic {magic!r}")
        if version != VERSION:
            raise ValueError(f"unsupported version {version}")
        if header_len != HEADER.size:
            raise ValueError(f"bad header length {header_len}")
        if total > len(data):
            raise ValueError(f"truncated: {len(data)} of {total} bytes")
        if total < len(data):
            raise ValueError(f"length mismatch: {len(data)} bytes given, the image says {total}")
        if stored != crc(data):
            raise ValueError(f"checksum mismatch: stored {stored:08x}, computed {crc(data):08x}")
        img = cls(flags, image_id, base_id, origin, task_id, name, time_us, pause_us, sections=[])
        pos = HEADER.size
        while pos < total:
            if total - pos < SECTION.size:
                raise ValueError(f"trailing bytes: {total - pos} at offset {pos}")
            kind, reserved, length = SECTION.unpack_from(data, pos)
            payload = data[pos + SECTION.size:pos + SECTION.size + length]
            if kind not in _LISTS:
                raise ValueError(f"unknown section type {kind} at offset {pos}")
            if reserved:
                raise ValueError(f"section at offset {pos}: reserved field is {reserved}")
            if len(payload) != length:
                raise ValueError(f"section at offset {pos} overruns the image: {length} bytes")
            if kind in img.sections:   # writers never repeat one; an Image cannot hold two
                raise ValueError(f"section type {kind} again at offset {pos}")
            img.sections.append(kind)
            getattr(img, _LISTS[kind]).extend(_records(kind, payload, pos))
            pos += SECTION.size + length
        if len(img.sections) != count:
            raise ValueError(f"section count mismatch: header says {count}, "
                             f"image holds {len(img.sections)}")
        return img

    def encode(self) -> bytes:
        """The image with section count, total length and CRC computed."""
        order = self.sections + [t for t in _LISTS
                                 if t not in self.sections and getattr(self, _LISTS[t])]
        body = b""
        for kind in order:
            payload = b"".join(r.encode() for r in getattr(self, _LISTS[kind]))
            body += SECTION.pack(kind, 0, len(payload)) + payload
        header = HEADER.pack(MAGIC, VERSION, HEADER.size, self.flags, self.image_id,
                             self.base_id, self.task_id, _fit(self.name, 16, "task name"),
                             self.time_us, self.pause_us, len(order), HEADER.size + len(body),
                             0, self.origin)
        return seal(header + body)


def _records(kind, payload, offset) -> list:
    """The records of one section's payload."""
    if kind == PAGES:
        pages, pos = [], 0
        while pos < len(payload):
            where = f"page record at offset {offset + SECTION.size + pos}"
            if len(payload) - pos < PAGE.size:
                raise ValueError(f"{where} truncated")
            va, flags = PAGE.unpack_from(payload, pos)
            size = PAGE.size + (0 if flags & PAGE_ZERO else PAGE_SIZE)
            if len(payload) - pos < size:
                raise ValueError(f"{where} truncated")
            data = None if flags & PAGE_ZERO else payload[pos + PAGE.size:pos + size]
            pages.append(Page(va, flags, data))
            pos += size
        return pages
    rec = {THREADS: THREAD, CAPS: CAP, SESSIONS: SESSION}[kind]
    if len(payload) % rec.size:
        raise ValueError(f"section at offset {offset}: {len(payload)} bytes are not "
                         f"whole {rec.size}-byte records")
    found = []
    for v in rec.iter_unpack(payload):
        if kind == THREADS:
            found.append(Thread(*v[:4], list(v[4:21]), v[21], v[22], list(v[23:])))
        elif kind == CAPS:
            found.append(Cap(*v))
        else:
            found.append(Session(v[0], v[1], list(v[2:8]), list(v[8:])))
    return found


def dump_lines(data: bytes, image_id: int) -> list:
    """The lines of `images dump <id>` for these bytes, as the board prints them."""
    data = bytes(data)
    lines = [f"ckpt-image {image_id} {len(data)} {zlib.crc32(data):08x}"]
    lines += [base64.b64encode(data[i:i + DUMP_BYTES_PER_LINE]).decode()
              for i in range(0, len(data), DUMP_BYTES_PER_LINE)]
    return lines + [f"ckpt-end {image_id}"]


_START = re.compile(r"ckpt-image (\d+) (\d+) ([0-9a-fA-F]{8})")
_BASE64 = re.compile(r"([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def image_from_dump(text: str) -> bytes:
    """The image bytes of the first dump in a console capture. Other lines
    around and between its data lines (children's output) are skipped: a
    data line is base64 of 76 characters, except the last, shorter one,
    whose length follows from the start line (of several candidates, the
    one that makes the CRC right). Length and CRC must match the start line.
    A child's line of 76 base64 characters cannot be told from data."""
    lines = [line.strip() for line in text.splitlines()]
    for i, line in enumerate(lines):
        m = _START.fullmatch(line)
        if m:
            break
    else:
        raise ValueError("no 'ckpt-image' line")
    image_id, total, want = int(m[1]), int(m[2]), int(m[3], 16)
    try:
        end = lines.index(f"ckpt-end {image_id}", i + 1)
    except ValueError:
        raise ValueError(f"no 'ckpt-end {image_id}' line") from None
    shaped = [l for l in lines[i + 1:end] if l and _BASE64.fullmatch(l)]
    full = b"".join(base64.b64decode(l) for l in shaped if len(l) == 76)
    rest = total % DUMP_BYTES_PER_LINE
    lasts = [base64.b64decode(l) for l in shaped if rest and len(l) == (rest + 2) // 3 * 4]
    for last in reversed(lasts or [b""]):
        data = full + last
        if zlib.crc32(data) == want:
            break
    if len(data) != total:
        raise ValueError(f"dump length mismatch: {len(data)} bytes decoded, header says {total}")
    if zlib.crc32(data) != want:
        raise ValueError(f"dump checksum mismatch: header says {want:08x}, "
                         f"data has {zlib.crc32(data):08x}")
    return data

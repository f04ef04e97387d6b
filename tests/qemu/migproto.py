"""RTCR's migration messages (docs/migration.md) for the tests: build them
to play a sender, parse what a board answers. Standard library only.
"""

import struct
import zlib

MAGIC = 0x4D52
VERSION = 1
HDR = 24
OFFER, DATA, ACK, DONE, REJECT, GO, RESUMED, ABORT = range(1, 9)
FLAG_FINAL = 1
PORT = 4700
REJECT_CODES = {1: "unknown sender", 2: "busy", 3: "no memory", 4: "bad image",
                5: "restore failed", 6: "protocol error", 7: "dropped"}


def crc32(data):
    return zlib.crc32(data) & 0xFFFFFFFF


def message(type_, mig, round_=0, flags=0, seq=0, payload=b"", length=None, bad_crc=False):
    """One message; length and bad_crc make malformed ones."""
    plen = len(payload) if length is None else length
    head = struct.pack("<HBBIHHII", MAGIC, VERSION, type_, mig, round_, flags, seq, plen)
    crc = crc32(head + b"\0\0\0\0" + payload)
    if bad_crc:
        crc ^= 0x1
    return head + struct.pack("<I", crc) + payload


CRC_FIELD = 64   # where an image's header keeps its CRC (docs/ckpt-image.md)


def own_crc(image):
    """An image's own CRC, the one an OFFER carries: over all its bytes with
    the header's CRC field taken as zero (for any bytes, image or not)."""
    image = bytes(image)
    return crc32(image[:CRC_FIELD] + b"\0" * len(image[CRC_FIELD:CRC_FIELD + 4]) +
                 image[CRC_FIELD + 4:])


def offer(mig, image, chunk, round_=0, final=False, image_id=1, base_id=0, task_id=7,
          pages=0, zero_pages=0, name=b"intruder", image_crc=None):
    payload = struct.pack("<8I", len(image), own_crc(image) if image_crc is None else image_crc,
                          chunk, image_id, base_id, task_id, pages, zero_pages)
    payload += name[:16].ljust(16, b"\0")
    return message(OFFER, mig, round_, FLAG_FINAL if final else 0, 0, payload)


def chunks(mig, image, chunk, round_=0):
    """The DATA messages of an image."""
    return [message(DATA, mig, round_, 0, i, image[off:off + chunk])
            for i, off in enumerate(range(0, len(image), chunk))]


class Msg:
    def __init__(self, type_, mig, round_, flags, seq, payload):
        self.type, self.mig, self.round, self.flags = type_, mig, round_, flags
        self.seq, self.payload = seq, payload

    def word(self):
        return struct.unpack_from("<I", self.payload)[0]

    def reason(self):
        """(code name, text) of a REJECT."""
        code = self.word()
        return REJECT_CODES.get(code, "?"), self.payload[4:].decode("utf-8", "replace")


def parse(data):
    """A Msg, or None if data is not a well-formed message."""
    if len(data) < HDR:
        return None
    magic, version, type_, mig, round_, flags, seq, plen = struct.unpack_from("<HBBIHHII", data)
    (crc,) = struct.unpack_from("<I", data, 20)
    if magic != MAGIC or version != VERSION or plen != len(data) - HDR:
        return None
    if crc32(data[:20] + b"\0\0\0\0" + data[HDR:]) != crc:
        return None
    return Msg(type_, mig, round_, flags, seq, data[HDR:])

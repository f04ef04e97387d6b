"""Host-only tests of ckptimg (crafted checkpoint images): no board is
booted. The images are the sample that tests/host/ckpt_sample.c writes with
the board's own codec, and images built here byte by byte from
docs/ckpt-image.md (format version 2), independently of ckptimg."""
import json
import struct
import subprocess
import zlib

import pytest

import ckptimg as ci
from conftest import BUILD_DIR, REPO_ROOT

SAMPLER = BUILD_DIR / "host" / "ckpt_sample"
DECODER = BUILD_DIR / "host" / "ckpt-decode"
PAGE = bytes(range(256)) * 16


def hand_built(order=(1, 2, 3, 4), flags=0, base_id=0):
    """An image written from the document: a blocked thread, two caps, a log
    and a timer session, a data page and a zero page; sections in `order`
    (a type missing from the image is left out, 0 is an empty CAPS section)."""
    thread = (struct.pack("<III8s", 0, ci.BLOCKED, 20, b"main")
              + struct.pack("<17I", *range(0x100, 0x111))
              + struct.pack("<II", 1, 0x7FFFE000) + struct.pack("<96I", *range(0xA000, 0xA060)))
    payload = {
        1: thread,
        2: struct.pack("<6I", 0, 1, 7, 0, 12, 0xFFFFFFFF)
           + struct.pack("<6I", 2, 3, 2, 0xBEEF, 14, 6),
        3: struct.pack("<8I10I", 1, 1, *[0] * 6, 42, *[0] * 9)
           + struct.pack("<8I10I", 6, 4, 1000, 0, *[0] * 4, 1, 2500, *[0] * 8),
        4: struct.pack("<II", 0x20000, 0) + PAGE + struct.pack("<II", 0x21000, 1),
        0: b"",
    }
    body = b"".join(struct.pack("<HHI", t or 2, 0, len(payload[t])) + payload[t] for t in order)
    header = (b"RTCRIMG2" + struct.pack("<HHIIII", 2, 76, flags, 9, base_id, 3)
              + b"counter".ljust(16, b"\0")
              + struct.pack("<QIIIIQ", 1_500_000, 35, len(order), 76 + len(body), 0,
                            0x5EED0001C0FFEE00))
    image = header + body
    return image[:64] + struct.pack("<I", zlib.crc32(image)) + image[68:]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """(image, console capture) from tests/host/ckpt_sample."""
    if not SAMPLER.exists():
        subprocess.run(["make", "-s", str(SAMPLER.relative_to(REPO_ROOT))], cwd=REPO_ROOT)
    if not SAMPLER.exists():
        pytest.skip(f"{SAMPLER} could not be built")
    d = tmp_path_factory.mktemp("sample")
    subprocess.run([str(SAMPLER), str(d / "img"), str(d / "dump")], check=True)
    image = (d / "img").read_bytes()
    if image[:8] != b"RTCRIMG2":
        pytest.skip(f"ckpt_sample writes {image[:8]!r}, not version 2 "
                    "(the hand-built images cover it)")
    return image, (d / "dump").read_text()


IMAGES = {
    "hand-full": lambda: hand_built(),
    "hand-incremental-odd-order": lambda: hand_built(order=(4, 0, 1), flags=1, base_id=5),
    "hand-no-sections": lambda: hand_built(order=()),
}


@pytest.fixture(params=[*IMAGES, "sample"])
def image(request):
    if request.param == "sample":
        return request.getfixturevalue("sample")[0]
    return IMAGES[request.param]()


def test_round_trip_is_byte_identical(image):
    img = ci.Image.parse(image)
    assert img.encode() == image
    assert ci.Image.parse(img.encode()) == img


def test_fields_of_hand_built_image():
    img = ci.Image.parse(hand_built())
    assert (img.image_id, img.base_id, img.task_id, img.origin) == (9, 0, 3, 0x5EED0001C0FFEE00)
    assert img.name == b"counter".ljust(16, b"\0") and not img.incremental
    assert (img.time_us, img.pause_us) == (1_500_000, 35)
    assert img.sections == [ci.THREADS, ci.CAPS, ci.SESSIONS, ci.PAGES]
    t = img.threads[0]
    assert (t.state, t.priority, t.name, t.wait_kind) == (ci.BLOCKED, 20, b"main\0\0\0\0", 1)
    assert t.regs[15] == 0x10F and t.utcb_va == 0x7FFFE000 and t.utcb[95] == 0xA05F
    assert img.cap_at(2) == ci.Cap(2, ci.KOBJ_GATE, ci.W, 0xBEEF, 14, 6)
    assert img.cap_at(0).session == ci.NO_SESSION and img.cap_at(0).type == ci.KOBJ_TASK
    assert img.session(ci.TIMER).state[:2] == [1, 2500] and img.session(ci.LOG).state[0] == 42
    assert img.sessions_of(ci.SEGMENT) == []
    assert img.pages == [ci.Page(0x20000, 0, PAGE), ci.Page(0x21000, ci.PAGE_ZERO, None)]
    with pytest.raises(KeyError):
        img.cap_at(1)
    odd = ci.Image.parse(hand_built(order=(4, 0, 1), flags=1, base_id=5))
    assert odd.incremental and odd.sections == [ci.PAGES, ci.CAPS, ci.THREADS] and odd.caps == []


def test_changed_field_is_resealed(image):
    img = ci.Image.parse(image)
    img.time_us += 1
    out = img.encode()
    assert len(out) == len(image)
    assert [i for i in range(len(out)) if out[i] != image[i] and not 64 <= i < 68] == [44]
    stored = struct.unpack_from("<I", out, 64)[0]
    assert stored == zlib.crc32(out[:64] + bytes(4) + out[68:]) == ci.crc(out)
    assert ci.Image.parse(out).time_us == img.time_us


def test_header_layout_of_a_new_image():
    img = ci.Image(image_id=4, origin=0x1122334455667788, task_id=2, name=b"t",
                   sessions=[ci.Session(1, ci.RAM, [16])], sections=[])
    out = img.encode()
    assert out[:12] == b"RTCRIMG2" + struct.pack("<HH", 2, 76)
    assert struct.unpack_from("<Q", out, 68)[0] == 0x1122334455667788
    assert struct.unpack_from("<II", out, 56) == (1, len(out)) and len(out) == 76 + 8 + 72
    back = ci.Image.parse(out)
    assert back.sections == [ci.SESSIONS] and back.session(ci.RAM).args == [16, 0, 0, 0, 0, 0]
    with pytest.raises(ValueError):
        ci.Image(name=b"x" * 17).encode()


def test_seal_fixes_only_the_crc():
    data = bytearray(hand_built())
    data[44] ^= 1
    sealed = ci.seal(data)
    assert sealed[:64] == data[:64] and sealed[68:] == data[68:]
    assert ci.Image.parse(sealed).time_us == 1_500_000 ^ 1


def test_dump_lines_match_the_board(sample):
    image, capture = sample
    lines = [l.strip() for l in capture.splitlines()]
    start, end = lines.index(ci.dump_lines(image, 7)[0]), lines.index("ckpt-end 7")
    assert lines[start:end + 1] == ci.dump_lines(image, 7)
    assert ci.image_from_dump(capture) == image


def test_dump_round_trip(image):
    lines = ci.dump_lines(image, 12)
    assert lines[0] == f"ckpt-image 12 {len(image)} {zlib.crc32(image):08x}"
    assert lines[-1] == "ckpt-end 12"
    assert all(len(l) == 76 for l in lines[1:-2]) and 0 < len(lines[-2]) <= 76
    assert ci.image_from_dump("\n".join(lines)) == image


def test_dump_with_foreign_lines(image):
    lines = ci.dump_lines(image, 3)
    last = len(lines[-2])
    noisy = ["rtcr> images dump 3", "counter: 4", *lines[:2]]
    for i, line in enumerate(lines[2:-1]):
        noisy += [line, "counter: %d" % (5 + i), "done"][:1 + i % 3]
    # A line a child printed that has the shape of the last data line, after
    # it (a line of 76 base64 characters could not be told from data).
    noisy += ["QUJD" * (last // 4), "", lines[-1], "rtcr> "]
    text = "\r\n".join(noisy) + "\r\n"
    assert ci.image_from_dump(text) == image


def test_dump_rejects_damage():
    lines = ci.dump_lines(hand_built(), 1)
    bad = list(lines)
    bad[3] = ("B" if bad[3][0] == "A" else "A") + bad[3][1:]
    with pytest.raises(ValueError, match="checksum"):
        ci.image_from_dump("\n".join(bad))
    with pytest.raises(ValueError, match="length"):
        ci.image_from_dump("\n".join(lines[:3] + lines[4:]))
    with pytest.raises(ValueError, match="ckpt-end"):
        ci.image_from_dump("\n".join(lines[:-1]))
    with pytest.raises(ValueError, match="ckpt-image"):
        ci.image_from_dump("\n".join(lines[1:]))


def patch(offset, fmt, value, reseal=True):
    def damage(data):
        data = bytearray(data)
        struct.pack_into(fmt, data, offset, value)
        return ci.seal(data) if reseal else bytes(data)
    return damage


def flip(data):
    data = bytearray(data)
    data[len(data) // 2] ^= 0x40
    return bytes(data)


@pytest.mark.parametrize("damage,reason", [
    (flip, "checksum mismatch"),
    (patch(0, "8s", b"RTCRIMG1"), "bad magic"),
    (patch(8, "<H", 1), "unsupported version 1"),
    (patch(8, "<H", 3), "unsupported version 3"),
    (patch(10, "<H", 68), "bad header length"),
    (lambda d: d[:-4096], "truncated"),
    (lambda d: d[:60], "truncated"),
    (lambda d: d + bytes(8), "length mismatch"),
    (patch(56, "<I", 3), "section count mismatch"),
    (patch(76, "<H", 5), "unknown section type 5"),
    (patch(78, "<H", 1), "reserved"),
    (patch(80, "<I", 479), "not whole 480-byte records"),
    (patch(80, "<I", 1 << 20), "overruns"),
])
def test_parse_rejects(damage, reason):
    with pytest.raises(ValueError, match=reason):
        ci.Image.parse(damage(hand_built()))


def test_parse_rejects_a_truncated_page_record():
    img = ci.Image.parse(hand_built(order=(4,)))
    data = bytearray(img.encode())
    struct.pack_into("<I", data, 76 + 4, 8 + 4096 + 4)        # pages payload: cut mid-record
    data = data[:76 + 8 + 8 + 4096 + 4]
    struct.pack_into("<I", data, 60, len(data))
    with pytest.raises(ValueError, match="page record .* truncated"):
        ci.Image.parse(ci.seal(data))


def decode_json(path):
    res = subprocess.run([str(DECODER), "--json", str(path)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


@pytest.mark.skipif(not DECODER.exists(), reason=f"{DECODER} not built")
@pytest.mark.parametrize("source", ["hand-full", "sample"])
def test_decoder_accepts_a_reencoded_image(source, request, tmp_path):
    image = request.getfixturevalue("sample")[0] if source == "sample" else hand_built()
    img = ci.Image.parse(image)
    img.origin = 0x0123456789ABCDEF
    img.name = b"crafted"
    img.threads[0].regs[15] = 0x12340
    img.cap_at(2).label = 0xCAFE
    img.pages[0].data = bytes(4096)
    (tmp_path / "img").write_bytes(img.encode())
    d = decode_json(tmp_path / "img")
    assert d["header"]["origin"] == "0123456789abcdef" and d["header"]["name"] == "crafted"
    assert d["threads"][0]["regs"]["pc"] == 0x12340
    assert [c["label"] for c in d["caps"] if c["sel"] == 2] == [0xCAFE]
    assert d["pages"][0]["crc32"] == "%08x" % zlib.crc32(bytes(4096))
    # The board's dump parser reads what dump_lines() writes.
    (tmp_path / "dump.txt").write_text("counter: 1\n" + "\n".join(ci.dump_lines(img.encode(), 5)))
    assert decode_json(tmp_path / "dump.txt") == d

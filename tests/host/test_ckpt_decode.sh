#!/bin/sh
# tools/ckpt-decode on a sample image: text and JSON output, the same
# result from a console capture of `images dump`, and rejection of a
# damaged or truncated file with the reason; then on hostile images that
# are valid. Run by `make host-test`:
#   test_ckpt_decode.sh BUILD_DIR
set -eu
B=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$B/ckpt_sample" "$T/img" "$T/dump.txt"
"$B/ckpt-decode" "$T/img" >"$T/out" || fail "decode of a good image"

# The capability table, exactly as the shell's `caps` prints it.
printf '%06x %-20s %-20s %-20s %-20s\n' 0 12-task:rwg 13-thread:rwg 14-gate:-w- - \
	>"$T/row0"
printf '%06x %-20s %-20s %-20s %-20s\n' 8 - 31-irq:rw- - - >"$T/row8"
grep -qxF -f "$T/row0" "$T/out" || fail "caps row 000000"
grep -qxF -f "$T/row8" "$T/out" || fail "caps row 000008"
grep -q '^image 7: full$' "$T/out" || fail "header line"
grep -q '^  task     2 (counter)$' "$T/out" || fail "task line"
grep -q '^  thread 0 (main): blocked, priority 20' "$T/out" || fail "thread line"
grep -q 'pc   0000010f' "$T/out" || fail "registers"
grep -q '^  session 2: timer$' "$T/out" || fail "sessions"
grep -q '^  00021000 zero$' "$T/out" || fail "zero page"
grep -q '^  00020000 data crc32 [0-9a-f]\{8\}$' "$T/out" || fail "data page"

# A console capture decodes to the same.
"$B/ckpt-decode" "$T/dump.txt" >"$T/out2" || fail "decode of a dump"
cmp -s "$T/out" "$T/out2" || fail "dump and binary decode differ"

# JSON: valid, and the same facts.
"$B/ckpt-decode" --json "$T/img" >"$T/json" || fail "json decode"
/usr/bin/python3 - "$T/json" <<'PY' || fail "json content"
import json, sys
d = json.load(open(sys.argv[1]))
h = d["header"]
assert h["image_id"] == 7 and h["incremental"] is False and h["name"] == "counter", h
assert [c["sel"] for c in d["caps"]] == [0, 1, 2, 9], d["caps"]
assert d["caps"][3]["type"] == "irq" and d["caps"][0]["session"] is None
assert d["threads"][0]["regs"]["pc"] == 0x10F
assert [p["zero"] for p in d["pages"]] == [False, True]
assert d["sessions"][1]["kind"] == "timer"
PY

# Damage: one byte flipped in the page data, then a truncated file.
/usr/bin/python3 - "$T/img" "$T/bad" "$T/short" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
open(sys.argv[3], "wb").write(b[:100])
b[len(b) // 2] ^= 0x40
open(sys.argv[2], "wb").write(b)
PY
if "$B/ckpt-decode" "$T/bad" >/dev/null 2>"$T/err"; then fail "damaged image accepted"; fi
grep -q "^ckpt-decode: $T/bad: checksum mismatch: stored [0-9a-f]\{8\}, computed [0-9a-f]\{8\}$" \
	"$T/err" || fail "damage reason: $(cat "$T/err")"
set +e
"$B/ckpt-decode" "$T/short" >/dev/null 2>"$T/err"
st=$?
set -e
[ $st -eq 1 ] || fail "truncated image: exit status $st"
grep -q "^ckpt-decode: $T/short: truncated: 100 of [0-9]* bytes$" "$T/err" \
	|| fail "truncation reason: $(cat "$T/err")"

# A damaged dump line.
sed '3s/^./!/' "$T/dump.txt" >"$T/bad.txt"
if "$B/ckpt-decode" "$T/bad.txt" >/dev/null 2>"$T/err"; then fail "damaged dump accepted"; fi
grep -q "line 3: bad base64 data line" "$T/err" || fail "dump reason: $(cat "$T/err")"

# Hostile but valid images (tests/host/ckpt_hostile.c). A capability in the
# top row of selectors made the text output loop for ever (row + 4 wrapped
# to 0): each must decode both ways, in bounded time and output. A loop
# must fail the test, not hang it or fill the disk: the decoder gets 10 s
# (else status 124, from timeout) and 20000 blocks of output, 10 or 20 MB
# by the shell (else 153, SIGXFSZ).
bounded_decode() {
	( ulimit -f 20000; exec timeout 10 "$B/ckpt-decode" "$@" )
}
"$B/ckpt_hostile" "$T"
for sel in fffffffc ffffffff; do
	for fmt in text --json; do
		opt=; [ $fmt = text ] || opt=$fmt
		set +e
		bounded_decode $opt "$T/sel-$sel.img" >"$T/sel-$sel.$fmt" 2>"$T/err"
		st=$?
		set -e
		[ $st -ne 124 ] || fail "$fmt decode of selector $sel: still running after 10 s"
		[ $st -eq 0 ] || fail "$fmt decode of selector $sel: exit status $st: $(cat "$T/err")"
	done
done
printf '%s %-20s %-20s %-20s %-20s\n' fffffffc 12-task:rwg - - - >"$T/rowc"
printf '%s %-20s %-20s %-20s %-20s\n' fffffffc - - - 12-task:rwg >"$T/rowf"
grep -qxF -f "$T/rowc" "$T/sel-fffffffc.text" || fail "caps row fffffffc"
grep -qxF -f "$T/rowf" "$T/sel-ffffffff.text" || fail "caps row fffffffc, last cell"
/usr/bin/python3 - "$T/sel-fffffffc.--json" "$T/sel-ffffffff.--json" <<'PY' \
	|| fail "json of the top selectors"
import json, sys
for path, sel in zip(sys.argv[1:], (0xFFFFFFFC, 0xFFFFFFFF)):
    caps = json.load(open(path))["caps"]
    assert [c["sel"] for c in caps] == [sel], caps
PY

# A binary image is decoded as itself even when a page holds the text of a
# console dump (of image 9 here), as a task's memory may.
"$B/ckpt-decode" "$T/page-dump.img" >"$T/out" || fail "decode of an image with a dump in a page"
grep -q '^image 8: full$' "$T/out" || fail "image with a dump in a page: $(head -n 1 "$T/out")"

echo "ckpt-decode tests passed"

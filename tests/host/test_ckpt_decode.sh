#!/bin/sh
# tools/ckpt-decode on a sample image: text and JSON output, the same
# result from a console capture of `images dump`, and rejection of a
# damaged or truncated file with the reason. Run by `make host-test`:
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

echo "ckpt-decode tests passed"

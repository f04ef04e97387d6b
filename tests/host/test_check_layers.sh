#!/bin/sh
# tools/check-layers.py: a tree whose layers hold passes; an include of a
# header from a layer above, a cycle of includes in one layer, an include
# of another layer's own header (not its public one) and a printf below
# the console each fail it with the reason. Run by `make check-layers` (part of `make test`).
set -eu
CHECK="${PYTHON:-python3} $(dirname "$0")/../../tools/check-layers.py"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "test_check_layers: $*"; exit 1; }

mkdir -p "$T/ok/format" "$T/ok/core" "$T/ok/console"
printf '#include "fmt.h"\n' >"$T/ok/format/img.h"
printf '#include "img.h"\n' >"$T/ok/format/format.h"
printf '#include "format.h"\n#include "stdio.h"\n' >"$T/ok/core/child.h"
printf '#include "child.h"\n' >"$T/ok/core/core.h"
printf '#include "child.h"\nvoid f(char *b) { fmt_snprintf(b, 4, "printf(x)"); } /* puts() */\n' \
	>"$T/ok/core/child.c"
printf '#include "core.h"\n#include "format.h"\nvoid g(void) { printf("x"); }\n' \
	>"$T/ok/console/shell.c"
printf '#include "shell.h"\n#include "core.h"\n' >"$T/ok/main.c"
: >"$T/ok/console/shell.h"
$CHECK "$T/ok" >"$T/out" || fail "a good tree failed: $(cat "$T/out")"

cp -r "$T/ok" "$T/up"
printf '#include "core.h"\n' >"$T/up/format/img.c"
if $CHECK "$T/up" >"$T/out"; then fail "an include from a layer above passed"; fi
grep -q "format/img.c (format) includes core/core.h of core, a layer above it" "$T/out" ||
	fail "wrong reason: $(cat "$T/out")"

cp -r "$T/ok" "$T/cycle"
printf '#include "child.h"\n' >"$T/cycle/core/rules.h"
printf '#include "rules.h"\n' >>"$T/cycle/core/child.h"
if $CHECK "$T/cycle" >"$T/out"; then fail "a cycle passed"; fi
grep -q "a cycle of includes: core/child -> core/rules -> core/child" "$T/out" ||
	fail "wrong reason: $(cat "$T/out")"

cp -r "$T/ok" "$T/private"
printf '#include "child.h"\n' >>"$T/private/console/shell.c"
if $CHECK "$T/private" >"$T/out"; then fail "an include of a layer's own header passed"; fi
grep -q "console/shell.c includes core/child.h, not core's public header core.h" "$T/out" ||
	fail "wrong reason: $(cat "$T/out")"

cp -r "$T/ok" "$T/prints"
printf 'void h(void) { printf("%%%%u", 1); }\n' >>"$T/prints/core/child.c"
if $CHECK "$T/prints" >"$T/out"; then fail "a printf in core passed"; fi
grep -q "core/child.c (core) calls printf: only the console prints" "$T/out" ||
	fail "wrong reason: $(cat "$T/out")"

cp -r "$T/ok" "$T/stray"
mkdir -p "$T/stray/misc"
: >"$T/stray/misc/x.c"
if $CHECK "$T/stray" >"$T/out"; then fail "a file in no layer passed"; fi
echo "check-layers tests passed"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Run each example of examples/ (built by make into $O/examples/) and check
# what it printed; scan and dump_region also on a PID given to them. TAP.
set -u
cd "$(dirname "$0")/.." || exit 1
O=${O:-build}
ex=$O/examples
n=0
fails=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pvmio-examples.XXXXXX") || exit 1
target=
cleanup() {
	[ -n "$target" ] && kill "$target" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# run "what" pattern cmd...: ok when cmd exits 0 and prints a line matching
# the extended regular expression pattern.
run() {
	local what=$1 pattern=$2 out rc
	shift 2
	n=$((n + 1))
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -Eq -- "$pattern"; then
		echo "ok $n - $what"
		printf '%s\n' "$out" | sed 's/^/# /'
	else
		fails=$((fails + 1))
		echo "not ok $n - $what (exit $rc, want /$pattern/)"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
}
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }

for e in demo read_struct patch_value scan dump_region; do
	[ -x "$ex/$e" ] || { echo "1..0 # SKIP $ex/$e is not built"; exit 0; }
done
# A sanitizer's child carries terabytes of shadow mappings: scan's own
# child is not searched then (a PID from outside still is).
asan=
if readelf -d "$ex/scan" | grep -q 'NEEDED.*lib[at]san' || nm "$ex/scan" 2>/dev/null | grep -q __asan_init; then
	asan=1
fi

run "demo: the child sees its greeting rewritten, a pinned handle refuses it once gone" \
	'^pinned : after the child exited, reads fail: .*No such process$' "$ex/demo"
run "read_struct reads a child's struct whole and by spans" \
	'^two fields by spans: level 42, gold 1099511627776$' "$ex/read_struct"
run "patch_value: the running child sees the value we wrote" \
	'^child [0-9]+ says: lives = 99$' "$ex/patch_value"
if [ -n "$asan" ]; then
	skip "scan: built with a sanitizer, the child's shadow memory is too big to search"
else
	run "scan finds the child's needle, exact and masked" \
		'^found [0-9]+ with ' "$ex/scan"
fi
run "dump_region dumps a child's mapping, every byte checked" \
	'^/tmp/pvmio-dump-.*: 12288 of 12288 bytes' "$ex/dump_region"

# On a PID from outside: a marker in a sleeping process's environment.
mark=PVMIO_EXAMPLE_$$_$RANDOM
env "$mark=1" sleep 60 &
target=$!
for _ in $(seq 500); do	# until the exec is done
	[ "$(readlink "/proc/$target/exe")" = "$(readlink -f "$(command -v sleep)")" ] && break
	sleep 0.01
done
run "scan PID TEXT finds a marker in the target's environment" \
	'^ +0x[0-9a-f]+ +\[stack\]$' "$ex/scan" "$target" "$mark"
stack=$(awk '$6 == "[stack]" { split($1, a, "-"); print a[1], a[2] }' "/proc/$target/maps")
read -r lo hi <<< "$stack"
size=$(( 0x$hi - 0x$lo ))
run "dump_region PID ADDRESS FILE writes the target's whole [stack]" \
	"\\[stack\\] -> $tmp/stack: $size bytes" "$ex/dump_region" "$target" "0x$lo" "$tmp/stack"
n=$((n + 1))
if [ "$(stat -c %s "$tmp/stack" 2>/dev/null)" = "$size" ] && grep -qa "$mark=1" "$tmp/stack"; then
	echo "ok $n - the dump has the stack's size and holds the marker"
else
	fails=$((fails + 1))
	echo "not ok $n - the dump has the stack's size and holds the marker"
fi
run "scan with bad arguments: usage, exit 2" '^usage' sh -c "'$ex/scan' x 2>&1; test \$? -eq 2"
run "dump_region with a bad address: usage, exit 2" '^usage' \
	sh -c "'$ex/dump_region' $target 0xzz $tmp/x 2>&1; test \$? -eq 2"
kill "$target" && wait "$target" 2>/dev/null
run "scan on a gone process: the error names it, exit 1" "pid $target.*No such process" \
	sh -c "'$ex/scan' $target x 2>&1; test \$? -eq 1"
run "dump_region on a gone process: the error names it, exit 1" "$target.*No such process" \
	sh -c "'$ex/dump_region' $target 0x1000 $tmp/x 2>&1; test \$? -eq 1"
target=

echo "1..$n"
[ "$fails" -eq 0 ]

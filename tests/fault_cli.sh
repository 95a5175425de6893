#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The target dies in the middle of the CLI's long work: pvmio dump, search
# and a big read -o FILE of a 256 MiB target ($O/tests/target/bulk, every
# page written), SIGKILLed while they run. Each must end on its own with exit 1
# and one "pvmio: ...: No such process" line, or exit 0 if it finished
# first without a word about the exit: never a signal, never a hang.
# TAP; run from the top of the tree with O=<build dir> (make check does).
set -e

O=${O:-build}
PVMIO=$O/pvmio
TARGET=$O/tests/target/bulk
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pvmio-fault-cli.XXXXXX")
tpid=
cleanup() {
	if [ -n "$tpid" ]; then
		kill -9 "$tpid" 2>/dev/null || true
		wait "$tpid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if [ ! -x "$PVMIO" ] || [ ! -x "$TARGET" ]; then
	echo "1..0 # SKIP $PVMIO or $TARGET not built"
	exit 0
fi

. "$(dirname "$0")/tap.sh"

start_target() {
	"$TARGET" 256 fill >"$tmp/target" &
	tpid=$!
	for _ in $(seq 400); do
		grep -q '^ready' "$tmp/target" && break
		sleep 0.05
	done
	grep -q '^ready' "$tmp/target" || { echo "Bail out! bulk did not start"; exit 1; }
	area=$(awk '$1 == "area" { print $2 }' "$tmp/target")
}

# attempt NAME DELAY CMD...: run CMD on a fresh target, kill the target
# after DELAY seconds; sets $rc, $err and $landed (the kill came first)
attempt() {
	local delay=$1
	shift
	start_target
	rm -rf "$tmp/dump" "$tmp/read.bin"
	set -- "${@//@PID@/$tpid}"
	set -- "${@//@AREA@/$area}"
	timeout -k 5 120 "$PVMIO" "$@" >/dev/null 2>"$tmp/err" </dev/null &
	local cpid=$!
	sleep "$delay"
	kill -9 "$tpid" 2>/dev/null || true
	wait "$tpid" 2>/dev/null || true
	tpid=
	rc=0
	wait "$cpid" || rc=$?
	err=$(cat "$tmp/err")
	landed=$([ "$rc" = 1 ] && echo 1 || echo 0)
}

# case NAME CMD...: a few tries, from a late kill to an early one
case_() {
	local name=$1 delay clean=1 hits=0 tries=0
	shift
	for delay in 0.2 0.1 0.05 0.02; do
		attempt "$delay" "$@"
		tries=$((tries + 1))
		if [ "$rc" = 1 ]; then
			hits=$((hits + 1))
			if ! printf '%s\n' "$err" | grep -Eq '^pvmio: .*No such process$' ||
			   [ "$(printf '%s\n' "$err" | grep -c '^pvmio: ')" != 1 ]; then
				clean=0
				diag "$name: exit 1 with: $err"
			fi
		elif [ "$rc" != 0 ]; then
			clean=0
			diag "$name: exit $rc (124: hung; >128: killed by a signal): $err"
		elif printf '%s\n' "$err" | grep -q 'No such process'; then
			clean=0	# it saw the exit, yet claims success
			diag "$name: exit 0 after: $err"
		fi
		[ "$hits" -ge 2 ] && break
	done
	if [ "$clean" = 1 ]; then
		ok "$name: killing the target gives exit 1 and 'No such process', or exit 0"
	else
		not_ok "$name: killing the target gives exit 1 and 'No such process', or exit 0"
	fi
	if [ "$hits" -gt 0 ]; then
		ok "$name: the kill landed mid-way $hits of $tries times"
	else
		skip "$name: it always finished before the kill"
	fi
}

echo "1..6"
case_ "dump" dump @PID@ -o "$tmp/dump"
case_ "search" search @PID@ -x "de ad be ef 01 02 03 04 05 06 07 08"
case_ "read -o FILE" read @PID@ @AREA@ 256M -o "$tmp/read.bin"
[ "$failed" = 0 ]

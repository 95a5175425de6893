#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The pvmio command against a real target ($O/tests/target/cli_target):
# every subcommand's output and exit status, every bad input of issue 4
# (exit 2 for usage, 1 for runtime errors, one "pvmio: " line on stderr),
# --freeze resuming on error and on signals, and the progress bar, which
# shows under a pseudo-terminal (script -qfc) and never on a pipe.
# TAP; run from the top of the tree with O=<build dir> (make check does).
set -e

O=${O:-build}
PVMIO=$O/pvmio
TARGET=$O/tests/target/cli_target
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pvmio-cli.XXXXXX")
tpid= t2=
cleanup() {
	local p
	for p in $tpid $t2; do
		kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if [ ! -x "$PVMIO" ] || [ ! -x "$TARGET" ]; then
	echo "1..0 # SKIP $PVMIO or $TARGET not built"
	exit 0
fi

. "$(dirname "$0")/tap.sh"

# run CMD...: $out, $err (files $tmp/out, $tmp/err) and $rc
run() {
	rc=0
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# matches REGEX|EMPTY|'' FILE NAME: why FILE does not match, or nothing
matches() {
	if [ "$1" = EMPTY ]; then
		[ ! -s "$2" ] || echo "$3 is not empty"
	elif [ -n "$1" ] && ! grep -Eq -- "$1" "$2"; then
		echo "$3 does not match /$1/"
	fi
}

# check WHAT WANT_RC [OUT_REGEX [ERR_REGEX]]: the last run
check() {
	local what=$1 want=$2 why=
	[ "$rc" = "$want" ] || why="exit status $rc, want $want"
	[ -n "$why" ] || why=$(matches "$3" "$tmp/out" stdout)
	[ -n "$why" ] || why=$(matches "$4" "$tmp/err" stderr)
	if [ -z "$why" ]; then
		ok "$what"
	else
		not_ok "$what"
		diag "$why" "stdout: $(head -c 600 "$tmp/out")" \
			"stderr: $(head -c 600 "$tmp/err")"
	fi
}

# bad WANT_RC ERR_REGEX ARGS...: a failure with one "pvmio: " line and
# nothing on stdout
bad() {
	local want=$1 re=$2
	shift 2
	run "$PVMIO" "$@"
	if [ "$rc" = "$want" ] && [ ! -s "$tmp/out" ] &&
	   [ "$(wc -l <"$tmp/err")" = 1 ] && grep -Eq -- "^pvmio: .*$re" "$tmp/err"; then
		ok "pvmio $* -> exit $want: $err"
	else
		not_ok "pvmio $* -> exit $want, /$re/"
		diag "exit status $rc" "stdout: $out" "stderr: $err"
	fi
}

# The state letter of a process: T while stopped; after SIGCONT it may be R
# or S, so "running" means anything but T.
state() { awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null || echo gone; }
running() { local s; s=$(state "$1"); [ "$s" != T ] && [ "$s" != gone ]; }

# ---- the target ----
# start_target FILE: a target printing into FILE, ready; its PID in $started
start_target() {
	"$TARGET" >"$1" &
	started=$!
	for _ in $(seq 400); do
		grep -qs '^ready' "$1" && break
		sleep 0.05
	done
	grep -q '^ready' "$1" || { echo "Bail out! target did not start"; exit 1; }
}
start_target "$tmp/target"
tpid=$started
addr() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/target"; }
TEXT=$(addr text) U32=$(addr u32) U64=$(addr u64) BUF=$(addr buf)
HOLE=$(addr hole) RO=$(addr ro) NONE=$(addr none) SHORT=$(addr short)
hex() { printf '0x%x' "$1"; }
TPATH=$(readlink -f "$TARGET")
PG=$(getconf PAGESIZE)
NOPID=$(($(cat /proc/sys/kernel/pid_max 2>/dev/null || echo 4194304) + 1))

# ---- help and version ----
run "$PVMIO" --version
check "--version prints the library version" 0 '^pvmio [0-9]+\.[0-9]+\.[0-9]+$'
run "$PVMIO" --help
check "--help: usage" 0 '^Usage: pvmio '
missing=
for c in maps read write search dump demo; do
	grep -q "^  $c " "$tmp/out" || missing="$missing $c"
done
[ -z "$missing" ] && ok "--help lists every command" ||
	not_ok "--help lists every command: no$missing"
for c in maps read write search dump demo; do
	run "$PVMIO" "$c" --help
	check "pvmio $c --help" 0 "^Usage: pvmio $c "
done
run "$PVMIO" help read
check "pvmio help read" 0 '^Usage: pvmio read '

# ---- usage errors: exit 2 ----
bad 2 'missing command'
bad 2 "unknown command 'frob'" frob
bad 2 "unknown option '--frob'" --frob maps "$tpid"
bad 2 "read: unknown option '--frob'" read --frob "$tpid" "$TEXT" 4
bad 2 "maps: unknown option '-z'" maps -z "$tpid"
bad 2 "read: option '-o' needs an argument" read "$tpid" "$TEXT" 4 -o
bad 2 "search: option '--limit' needs an argument" search "$tpid" -s x --limit
bad 2 "read: option '--raw' takes no argument" read --raw=1 "$tpid" "$TEXT" 4
for p in 0 abc 12abc 1K 0x10 " 7" 99999999999; do
	bad 2 "invalid PID '$p': must be a positive integer" maps "$p"
done
bad 2 "missing PID" maps
bad 2 "unexpected argument 'extra'" maps "$tpid" extra
bad 2 "missing ADDR" read "$tpid"
bad 2 "missing LEN" read "$tpid" "$TEXT"
bad 2 "invalid argument '-5': .* cannot be negative" maps -5
bad 2 "invalid argument '-1': .* cannot be negative" read "$tpid" -1 4
for a in zz 0x 1Q 1KB "" 0x1g 1.5K; do
	bad 2 "invalid address '$a': not a number" read "$tpid" "$a" 4
done
bad 2 "invalid length '18446744073709551616': too large" \
	read "$tpid" "$TEXT" 18446744073709551616
bad 2 "invalid length '17179869184G': too large" read "$tpid" "$TEXT" 17179869184G
bad 2 "runs past the end of the address space" read "$tpid" 0xffffffffffffffff 2
bad 2 "missing HEX bytes" write "$tpid" "$BUF"
bad 2 "invalid hex bytes 'zz'" write "$tpid" "$BUF" zz
bad 2 "invalid hex bytes 'de abc'" write "$tpid" "$BUF" "de abc"
bad 2 "invalid hex bytes 'a': want pairs" write "$tpid" "$BUF" de a
bad 2 "invalid hex bytes '': want pairs" write "$tpid" "$BUF" ""
bad 2 "invalid hex bytes '\?\?': wildcards are for search" write "$tpid" "$BUF" "??"
bad 2 "either HEX bytes or -i FILE" write "$tpid" "$BUF" -i /dev/null 00
bad 2 "missing pattern" search "$tpid"
bad 2 "only one of" search "$tpid" -s a --u32 1
bad 2 "only one of" search "$tpid" -s a -s b
bad 2 "only one of" search "$tpid" -x 41 -s a
bad 2 "only one of" search "$tpid" --u64 1 --u64 2
bad 2 "empty pattern" search "$tpid" -s ""
bad 2 "invalid hex pattern 'de ad \?'" search "$tpid" -x "de ad ?"
bad 2 "invalid hex pattern 'de ad be e'" search "$tpid" -x "de ad be e"
bad 2 "invalid hex pattern '0xde'" search "$tpid" -x "0xde"
bad 2 "only wildcards" search "$tpid" -x "?? ??"
bad 2 "invalid --u32 value '4294967296': too large" search "$tpid" --u32 4294967296
bad 2 "invalid --u64 value 'x1'" search "$tpid" --u64 x1
bad 2 "invalid limit '0'" search "$tpid" -s a --limit 0
bad 2 "missing -o DIR" dump "$tpid"
bad 2 "unexpected argument 'x'" demo x

# ---- runtime errors: exit 1 ----
bad 1 "maps of pid $NOPID: No such process" maps "$NOPID"
bad 1 "open pid $NOPID: No such process" read "$NOPID" 0x1000 4
bad 1 "open pid $NOPID: No such process" write "$NOPID" 0x1000 00
bad 1 "pid $NOPID: No such process" search "$NOPID" -s x
bad 1 "open pid $NOPID: No such process" dump "$NOPID" -o "$tmp/none"
bad 1 "read 16 bytes at 0x1000: Bad address \(not mapped\)$" read "$tpid" 0x1000 16
bad 1 "read 4 bytes at $NONE: Bad address \(mapped without read permission\)$" \
	read "$tpid" "$NONE" 4
bad 1 "write stopped at 0x1000 \(0 of 1 bytes written\): Bad address \(not mapped\)" \
	write "$tpid" 0x1000 00
run "$PVMIO" -v read "$tpid" 0x1000 16
check "-v adds the library's message" 1 '' '^pvmio: library: .*0x1000'
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	asnobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
	perm_pid=$tpid
elif [ "$(id -u)" != 0 ]; then
	asnobody=
	perm_pid=1
fi
if [ -n "$perm_pid" ] && $asnobody "$PVMIO" --version >/dev/null 2>&1; then
	for c in "maps $perm_pid" "read $perm_pid 0x1000 4" \
		 "write $perm_pid 0x1000 00" "dump $perm_pid -o $tmp/perm"; do
		run $asnobody "$PVMIO" $c
		check "no permission: pvmio $c -> exit 1" 1 '' \
			'^pvmio: .*Operation not permitted$'
	done
else
	for _ in 1 2 3 4; do skip "no permission: needs setpriv as root"; done
fi

# ---- maps ----
run "$PVMIO" maps "$tpid"
check "maps: a table with the target's binary" 0 "r-xp .* $TPATH\$"
check "maps: the stack, sizes in K, a total" 0 \
	'^[0-9a-f]+-[0-9a-f]+ +rw-p +[0-9.]+[KMG] +[0-9a-f]{8}  \[stack\]$'
check "maps: total line" 0 '^total [0-9]+ regions, [0-9.]+[KMG]$'
run "$PVMIO" maps "$tpid" --json
check "maps --json: objects with start, perms, path" 0 \
	'"start": "0x[0-9a-f]+", "end": "0x[0-9a-f]+", "size": [0-9]+, "perms": "r-xp"'
if command -v python3 >/dev/null; then
	if python3 -c 'import json,sys; r=json.load(sys.stdin); assert any(x["path"]=="[stack]" for x in r)' <"$tmp/out"; then
		ok "maps --json: valid JSON with the stack"
	else
		not_ok "maps --json: valid JSON with the stack"
	fi
else
	skip "maps --json: python3 is not installed"
fi

# ---- read ----
want="cli-target-text-$tpid"
run "$PVMIO" read "$tpid" "$TEXT" ${#want}
printf '%s' "$want" | xxd | cut -d' ' -f2- >"$tmp/xxd"
if [ "$rc" = 0 ] && cut -d' ' -f2- "$tmp/out" | cmp -s - "$tmp/xxd" &&
   grep -q "^${TEXT#0x}: " "$tmp/out"; then
	ok "read: the xxd layout, with the address"
else
	not_ok "read: the xxd layout, with the address"
	diag "$out" "$(cat "$tmp/xxd")"
fi
run "$PVMIO" read "$tpid" "$TEXT" ${#want} --raw
check "read --raw: the bytes" 0 "^$want\$"
run "$PVMIO" read "$tpid" "$TEXT" ${#want} -o "$tmp/raw"
[ "$rc" = 0 ] && [ "$(cat "$tmp/raw")" = "$want" ] && [ -z "$out" ] &&
	ok "read -o FILE: the bytes in FILE" || not_ok "read -o FILE: the bytes in FILE"
run "$PVMIO" read "$tpid" "$(hex $((HOLE - PG)))" 4K --raw
check "read LEN 4K: 4096 bytes" 0 '^A{4096}$'
run "$PVMIO" read "$tpid" "$(hex $((HOLE - PG)))" 0x1KiB --raw
check "read LEN 0x1KiB: 1024 bytes" 0 '^A{1024}$'
run "$PVMIO" read "$tpid" "$(hex $((HOLE - PG)))" 1M --raw
check "read LEN 1M: stops at the hole, exit 1" 1 "^A{$PG}\$" \
	"^pvmio: read stopped at $HOLE \\($PG of 1048576 bytes read\\)"
run "$PVMIO" read "$tpid" "$(hex $((HOLE - 16)))" 32
check "read into a hole: the bytes before it, then exit 1" 1 \
	"^$(printf %x $((HOLE - 16))): 4141 4141 4141 4141 4141 4141 4141 4141  A{16}\$" \
	"^pvmio: read stopped at $HOLE \\(16 of 32 bytes read\\): Bad address \\(not mapped\\)\$"
[ "$(wc -l <"$tmp/out")" = 1 ] && ok "read into a hole: one line of output" ||
	not_ok "read into a hole: one line of output"
run "$PVMIO" read "$tpid" "$TEXT" 0
check "read LEN 0: nothing, exit 0" 0 EMPTY EMPTY

# ---- write ----
run "$PVMIO" write "$tpid" "$BUF" de ad "be ef"
check "write HEX...: reports the bytes" 0 "^wrote 4 bytes at $BUF\$"
run "$PVMIO" read "$tpid" "$BUF" 6
check "write: read back" 0 ': dead beef 2e2e {27}\.{6}$'
printf 'from a file' >"$tmp/in"
run "$PVMIO" write "$tpid" "$BUF" -i "$tmp/in"
check "write -i FILE" 0 "^wrote 11 bytes at $BUF\$"
run "$PVMIO" read "$tpid" "$BUF" 11 --raw
check "write -i FILE: read back" 0 '^from a file$'
run sh -c "printf 'stdin' | '$PVMIO' write $tpid $BUF -i -"
check "write -i -: standard input" 0 "^wrote 5 bytes at $BUF\$"
run "$PVMIO" write "$tpid" "$(hex $((HOLE - 4)))" 0011223344556677
check "write into a hole: short write is exit 1" 1 '' \
	"^pvmio: write stopped at $HOLE \\(4 of 8 bytes written\\): Bad address \\(not mapped\\)\$"
bad 1 "write stopped at $RO \(0 of 1 bytes written\): Bad address \(a read-only mapping; --force writes it\)" \
	write "$tpid" "$RO" 5a
run "$PVMIO" write --force "$tpid" "$RO" 5a5a
check "write --force a read-only page" 0 "^wrote 2 bytes at $RO\$"
run "$PVMIO" read "$tpid" "$RO" 3 --raw
check "write --force: read back" 0 '^ZZR$'

# ---- search ----
run "$PVMIO" search "$tpid" -s "$want"
check "search -s: the address and the binary" 0 \
	"^0x0*${TEXT#0x}  $TPATH\$"
[ "$(wc -l <"$tmp/out")" = 1 ] && ok "search -s: exactly one match" ||
	not_ok "search -s: exactly one match"
u64=$(((0x0123456789abcdef ^ (tpid * 0x100000001))))
run "$PVMIO" search "$tpid" --u64 "$(hex $u64)"
check "search --u64 (hex)" 0 "^0x0*${U64#0x}  $TPATH\$"
run "$PVMIO" search "$tpid" --u32 $(((0x9e3779b9 ^ tpid)))
check "search --u32 (decimal)" 0 "^0x0*${U32#0x}  $TPATH\$"
b=$(printf '%016x' "$u64" | sed 's/../& /g' | awk '{ for (i = 8; i >= 1; i--) printf "%s ", $i }')
set -- $b
run "$PVMIO" search "$tpid" -x "$1 $2 ?? $4 ${5:0:1}? ?${6:1:1} $7$8"
check "search -x with ?? and nibble wildcards" 0 "^0x0*${U64#0x}  $TPATH\$"
run "$PVMIO" search "$tpid" -x "41 41" --limit 3
check "search --limit 3: three matches" 0 '^0x'
[ "$(wc -l <"$tmp/out")" = 3 ] && ok "search --limit: stops at the limit" ||
	not_ok "search --limit: stops at the limit"
run "$PVMIO" search "$tpid" -s "no such text $$ anywhere"
check "search without a match: exit 0, a note" 0 EMPTY '^no match$'
run "$PVMIO" -q search "$tpid" -s "no such text $$ anywhere"
check "-q: no note" 0 EMPTY EMPTY

# ---- dump ----
run "$PVMIO" dump "$tpid" -o "$tmp/d1"
cp "$tmp/err" "$tmp/d1.err"
check "dump: exit 0 and a summary" 0 '' '^dumped [0-9]+ regions .* skipped [0-9]+$'
check "dump: unreadable regions skipped with a note" 0 '' \
	'^pvmio: dump: [0-9a-f]+-[0-9a-f]+ \[anon\]: skipped: not readable$'
"$PVMIO" maps "$tpid" >"$tmp/maps"
[ "$(wc -l <"$tmp/d1/index")" = $(($(wc -l <"$tmp/maps") - 2)) ] &&
	ok "dump: one index line per region" || not_ok "dump: one index line per region"
f= bad_size= short_size= sum=0
while read -r name range _; do
	[ "$name" = - ] && continue
	lo=$((0x${range%-*})) hi=$((0x${range#*-}))
	size=$(stat -c %s "$tmp/d1/$name")
	sum=$((sum + size))
	if [ "$SHORT" != "(nil)" ] && [ "$lo" = $((SHORT)) ]; then
		short_size=$size
	elif [ "$size" != $((hi - lo)) ]; then
		bad_size="$bad_size $name"
	fi
	[ $((TEXT)) -ge $lo ] && [ $((TEXT)) -lt $hi ] && f=$name
done <"$tmp/d1/index"
if [ -n "$f" ] && grep -q "$want" "$tmp/d1/$f"; then
	ok "dump: the text is in its region's file"
else
	not_ok "dump: the text is in its region's file ($f)"
fi
[ -z "$bad_size" ] && ok "dump: every file has its region's size" ||
	not_ok "dump: file sizes:$bad_size"
if [ "$SHORT" = "(nil)" ]; then
	skip "dump: a region cut short: the target has no memfd_create"
elif [ "$short_size" = "$PG" ] && grep -Eq "^pvmio: dump: 0*${SHORT#0x}-[0-9a-f]+ .*: kept the first $PG bytes: Bad address at $(hex $((SHORT + PG)))\$" "$tmp/d1.err"; then
	ok "dump: a region cut short by its file's end keeps $PG bytes, a note"
else
	not_ok "dump: a region cut short by its file's end keeps $PG bytes, a note"
	diag "file size '$short_size'" "$(cat "$tmp/d1.err")"
fi
grep -Eq "^dumped [0-9]+ regions \([0-9.]+ ([KMG]i)?B, $sum bytes\) into " "$tmp/d1.err" &&
	ok "dump: the summary counts the bytes in the files ($sum)" ||
	{ not_ok "dump: the summary counts the bytes in the files ($sum)"
	  diag "$(tail -1 "$tmp/d1.err")"; }
grep -Eq '^- [0-9a-f]+-[0-9a-f]+ ---p ' "$tmp/d1/index" &&
	ok "dump: the PROT_NONE page is '-' in the index" ||
	not_ok "dump: the PROT_NONE page is '-' in the index"
run "$PVMIO" dump "$tpid" -o "$tmp/d2" --freeze
check "dump --freeze: exit 0" 0
running "$tpid" && ok "dump --freeze: target resumed" ||
	not_ok "dump --freeze: target resumed (state $(state "$tpid"))"
run "$PVMIO" dump "$tpid" -o /proc/self/nonexistent/x --freeze
check "dump --freeze into an impossible DIR: exit 1" 1 '' '^pvmio: dump: mkdir'
running "$tpid" && ok "dump --freeze: resumed after the error" ||
	not_ok "dump --freeze: resumed after the error (state $(state "$tpid"))"

# --freeze and a signal: the index is a FIFO, so the dump blocks while
# frozen (or is about to) when the signal comes
for sig in TERM INT HUP; do
	mkdir -p "$tmp/s$sig"
	mkfifo "$tmp/s$sig/index"
	env --default-signal="$sig" "$PVMIO" dump "$tpid" -o "$tmp/s$sig" --freeze \
		2>"$tmp/err" &
	dpid=$!
	for _ in $(seq 1000); do
		[ "$(state "$tpid")" = T ] && break
		sleep 0.02
	done
	st=$(state "$tpid")
	kill -"$sig" "$dpid"
	# If the signal came before the FIFO's open, let the open through:
	# pvmio must then see the signal by itself. (O_RDWR never blocks.)
	exec 3<>"$tmp/s$sig/index"
	rc=0
	wait "$dpid" 2>/dev/null || rc=$?
	exec 3>&-
	if [ "$st" = T ] && running "$tpid" &&
	   [ "$rc" -gt 128 ] && grep -q "interrupted by SIG$sig; pid $tpid resumed" "$tmp/err"; then
		ok "dump --freeze: SIG$sig while frozen resumes the target, exit $rc"
	else
		not_ok "dump --freeze: SIG$sig resumes the target"
		diag "frozen state $st, after $(state "$tpid"), exit $rc" "$(cat "$tmp/err")"
	fi
done

# The target dies mid-dump. DIR/index is a FIFO: the dump waits in its
# open, after pvmio_open and the maps, while the target is killed; once let
# through, its first read meets ESRCH, and it must stop there with one line.
# blocked PID DIR: PID holds DIR open and sleeps, which it does only in the
# open of DIR/index (a freeze naps too, but before DIR is opened).
blocked() {
	local f
	[ "$(state "$1")" = S ] || return 1
	for f in /proc/"$1"/fd/*; do
		[ "$(readlink "$f" 2>/dev/null)" = "$2" ] && return 0
	done
	return 1
}
for fz in "" --freeze; do
	start_target "$tmp/target2"
	t2=$started
	d=$tmp/gone$fz
	mkdir -p "$d"
	mkfifo "$d/index"
	rc=0
	"$PVMIO" dump "$t2" -o "$d" $fz >"$tmp/out" 2>"$tmp/err" </dev/null &
	dpid=$!
	for _ in $(seq 1000); do
		blocked "$dpid" "$(readlink -f "$d")" && break
		sleep 0.02
	done
	kill -9 "$t2"
	wait "$t2" 2>/dev/null || true
	t2=
	exec 3<>"$d/index"	# O_RDWR: lets the dump's open through
	wait "$dpid" || rc=$?
	exec 3>&-
	bins=$(find "$d" -name '*.bin' | wc -l)
	check "dump${fz:+ $fz}: the target dies: exit 1, no summary" 1 EMPTY
	if [ "$rc" = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && [ "$bins" = 0 ] &&
	   grep -Eq "^pvmio: dump: read pid [0-9]+ at 0x[0-9a-f]+: No such process\$" "$tmp/err"; then
		ok "dump${fz:+ $fz}: the target dies: one 'No such process' line, no file"
	else
		not_ok "dump${fz:+ $fz}: the target dies: one 'No such process' line, no file"
		diag "$bins files" "$(cat "$tmp/err")"
	fi
done

# A target that was stopped before (SIGSTOP, a debugger) stays stopped:
# --freeze does not resume what it did not stop, also when interrupted.
kill -STOP "$tpid"
for _ in $(seq 500); do
	[ "$(state "$tpid")" = T ] && break
	sleep 0.02
done
run "$PVMIO" dump "$tpid" -o "$tmp/d6" --freeze
check "dump --freeze of a stopped target: exit 0, a note" 0 '' \
	"^pvmio: dump: pid $tpid was stopped already; it stays stopped\$"
[ "$(state "$tpid")" = T ] && ok "dump --freeze: a stopped target stays stopped" ||
	not_ok "dump --freeze: a stopped target stays stopped (state $(state "$tpid"))"
mkdir -p "$tmp/d7"
mkfifo "$tmp/d7/index"
env --default-signal=TERM "$PVMIO" dump "$tpid" -o "$tmp/d7" --freeze \
	2>"$tmp/err" &
dpid=$!
for _ in $(seq 1000); do
	blocked "$dpid" "$(readlink -f "$tmp/d7")" && break
	sleep 0.02
done
kill -TERM "$dpid"
exec 3<>"$tmp/d7/index"
rc=0
wait "$dpid" 2>/dev/null || rc=$?
exec 3>&-
if [ "$rc" = 143 ] && [ "$(state "$tpid")" = T ] &&
   grep -q "interrupted by SIGTERM; pid $tpid stays stopped" "$tmp/err"; then
	ok "dump --freeze: SIGTERM leaves a stopped target stopped"
else
	not_ok "dump --freeze: SIGTERM leaves a stopped target stopped"
	diag "state $(state "$tpid"), exit $rc" "$(cat "$tmp/err")"
fi
kill -CONT "$tpid"
for _ in $(seq 500); do
	running "$tpid" && break
	sleep 0.02
done

# ---- dump of regions of several 2 MiB chunks ----
# Their file writes run on a thread of their own, behind the reads: the
# files must be what a serial dump writes, wherever the region stops.
# start_big FILE CMD...: another target, ready; its PID in $t2, its area
# in $big_area
start_big() {
	local f=$1
	shift
	"$@" >"$f" &
	t2=$!
	for _ in $(seq 400); do
		grep -qs -e '^ready' -e '^error' "$f" && break
		sleep 0.05
	done
	big_area=$(awk '$1 == "area" { print $2 }' "$f")
	grep -q '^ready' "$f"
}
stop_big() {
	kill -9 "$t2" 2>/dev/null || true
	wait "$t2" 2>/dev/null || true
	t2=
}
# region_file DIR ADDR: in $f the file of the region holding ADDR, in
# $region_lo its start
region_file() {
	local name range lo hi
	f= region_lo=
	while read -r name range _; do
		lo=$((0x${range%-*})) hi=$((0x${range#*-}))
		if [ $(($2)) -ge "$lo" ] && [ $(($2)) -lt "$hi" ]; then
			f=$name region_lo=$lo
			return
		fi
	done <"$1/index"
}
# writer_blocked PID: a thread of PID sleeps in write(2)
writer_blocked() {
	local t
	for t in /proc/"$1"/task/*; do
		[ "$(awk '{ print $3 }' "$t/stat" 2>/dev/null)" = S ] &&
			[ "$(cut -d' ' -f1 "$t/syscall" 2>/dev/null)" = 1 ] &&
			return 0
	done
	return 1
}
MIB=1048576
if start_big "$tmp/bulk" "$O/tests/target/bulk" 40 fill; then
	run "$PVMIO" dump "$t2" -o "$tmp/b1"
	check "dump of a 40 MiB region: exit 0" 0
	region_file "$tmp/b1" "$big_area"
	"$PVMIO" read "$t2" "$big_area" 40M -o "$tmp/b1.raw" 2>/dev/null || true
	if [ -n "$f" ] && cmp -s -i $((big_area - region_lo)):0 -n $((40 * MIB)) \
		"$tmp/b1/$f" "$tmp/b1.raw"; then
		ok "dump: the 40 MiB region's file has the bytes pvmio read gets"
	else
		not_ok "dump: the 40 MiB region's file has the bytes pvmio read gets"
		diag "file '$f'" "$(ls -l "$tmp/b1" | head -5)"
	fi
	# EFBIG past 20 MiB: the writer fails in the middle of the region
	mkdir -p "$tmp/b2"
	run bash -c 'trap "" XFSZ; ulimit -f 20480 && exec "$0" dump "$1" -o "$2"' \
		"$PVMIO" "$t2" "$tmp/b2"
	size=$(stat -c %s "$tmp/b2/$f" 2>/dev/null || echo none)
	if [ "$rc" = 1 ] && [ "$size" = $((20 * MIB)) ] && ! grep -q '^dumped' "$tmp/err" &&
	   [ "$(tail -1 "$tmp/err")" = "pvmio: dump: write $tmp/b2/$f: File too large" ]; then
		ok "dump: a write failing mid-region (EFBIG): exit 1, the error, 20 MiB kept"
	else
		not_ok "dump: a write failing mid-region (EFBIG): exit 1, the error, 20 MiB kept"
		diag "exit $rc, size $size" "$(tail -3 "$tmp/err")"
	fi
	# The region's file is a FIFO that nobody reads: the writer blocks in
	# write(2); SIGTERM must still end the dump and resume the target.
	mkdir -p "$tmp/b3"
	mkfifo "$tmp/b3/$f"
	exec 4<>"$tmp/b3/$f"
	env --default-signal=TERM "$PVMIO" dump "$t2" -o "$tmp/b3" --freeze \
		2>"$tmp/err" &
	dpid=$!
	(sleep 60; kill -9 "$dpid") 2>/dev/null &
	wdog=$!
	for _ in $(seq 1000); do
		writer_blocked "$dpid" && break
		sleep 0.02
	done
	st=$(state "$t2")
	kill -TERM "$dpid"
	rc=0
	wait "$dpid" 2>/dev/null || rc=$?
	kill "$wdog" 2>/dev/null || true
	wait "$wdog" 2>/dev/null || true
	exec 4>&-
	if [ "$st" = T ] && running "$t2" && [ "$rc" = 143 ] &&
	   grep -q "interrupted by SIGTERM; pid $t2 resumed" "$tmp/err"; then
		ok "dump --freeze: SIGTERM while a write blocks resumes the target, exit 143"
	else
		not_ok "dump --freeze: SIGTERM while a write blocks resumes the target"
		diag "frozen state $st, after $(state "$t2"), exit $rc" "$(cat "$tmp/err")"
	fi
	stop_big
else
	for _ in 1 2 3 4; do skip "the bulk target did not start"; done
	stop_big
fi
# A 40 MiB region whose file ends 4 KiB past 20 MiB: it stops in its
# second chunk, after the first was written behind.
kept=$((20 * MIB + PG))
if start_big "$tmp/short" "$O/tests/target/dump_short" 40960 $((kept / 1024)); then
	run "$PVMIO" dump "$t2" -o "$tmp/b4"
	region_file "$tmp/b4" "$big_area"
	check "dump of a region cut short after 20 MiB: exit 0, a note" 0 '' \
		"^pvmio: dump: 0*${big_area#0x}-[0-9a-f]+ .*: kept the first $kept bytes: Bad address at $(hex $((big_area + kept)))\$"
	"$PVMIO" read "$t2" "$big_area" "$kept" -o "$tmp/b4.raw" 2>/dev/null || true
	if [ -n "$f" ] && [ "$(stat -c %s "$tmp/b4/$f")" = "$kept" ] &&
	   cmp -s "$tmp/b4/$f" "$tmp/b4.raw"; then
		ok "dump: the region cut short keeps exactly its $kept readable bytes"
	else
		not_ok "dump: the region cut short keeps exactly its $kept readable bytes"
		diag "file '$f'" "$(ls -l "$tmp/b4" | head -5)"
	fi
else
	for _ in 1 2; do skip "dump_short: $(cat "$tmp/short")"; done
fi
stop_big

# ---- progress bar: on a terminal only ----
run "$PVMIO" dump "$tpid" -o "$tmp/d3"
if grep -q '%' "$tmp/err" || grep -q $'\r' "$tmp/err"; then
	not_ok "no progress bar on a pipe"
else
	ok "no progress bar on a pipe"
fi
run "$PVMIO" search "$tpid" -s "$want"
check "search: no status line on a pipe" 0 "^0x" EMPTY
# search has no bar: pvmio_search() reports no progress. Its status line
# says what there is to scan, the time and the matches so far; it is
# erased for each match line and drawn again with the new count.
tick=$'\rsearch \\[[-|/\\]\\] [0-9.]+ ([KMG]i)?B in [0-9]+ regions?  [0-9]+\\.[0-9] s  '
if command -v script >/dev/null; then
	script -qfc "$PVMIO dump $tpid -o $tmp/d4" /dev/null >"$tmp/tty" </dev/null
	grep -Eq $'\rdump \\[#{20}\\] 100%  [0-9.]+ ([KMG]i)?B / [0-9.]+ ([KMG]i)?B  ([0-9.]+ ([KMGT]i)?B|-)/s' "$tmp/tty" &&
		ok "dump on a terminal: a bar with bytes and rate" ||
		{ not_ok "dump on a terminal: a bar"; diag "$(cat -v "$tmp/tty" | head -5)"; }
	script -qfc "$PVMIO search $tpid -s $want" /dev/null >"$tmp/tty" </dev/null
	grep -Eq "${tick}0 matches" "$tmp/tty" && grep -Eq "${tick}1 match"$'\e' "$tmp/tty" &&
	grep -q "0x0*${TEXT#0x}  $TPATH" "$tmp/tty" &&
		ok "search on a terminal: a status line, its count, the match" ||
		{ not_ok "search on a terminal"; diag "$(cat -v "$tmp/tty" | head -5)"; }
	script -qfc "$PVMIO -q search $tpid -s $want" /dev/null >"$tmp/tty" </dev/null
	! grep -q 'regions' "$tmp/tty" && grep -q "0x0*${TEXT#0x}  $TPATH" "$tmp/tty" &&
		ok "-q: no search status line on a terminal" ||
		not_ok "-q: no search status line on a terminal"
	script -qfc "$PVMIO -q dump $tpid -o $tmp/d5" /dev/null >"$tmp/tty" </dev/null
	! grep -q '%' "$tmp/tty" && ok "-q: no bar on a terminal" ||
		not_ok "-q: no bar on a terminal"
else
	for _ in 1 2 3 4; do skip "script(1) is not installed"; done
fi

# ---- demo ----
run "$PVMIO" demo
check "demo: exit 0, the target reacts to the write" 0 \
	'my greeting is now "HELLO-from-pid-[0-9]+"'
check "demo: the counter jumped" 0 'my counter jumped to 1000000$'
# A sanitizer's shadow memory in the forked target is terabytes to search:
# such a build skips the search step and says so; any other finds the text.
if grep -aq -e __asan_init -e __tsan_init -e __msan_init "$PVMIO"; then
	check "demo in a sanitizer build: the search is skipped, a note" 0 \
		'^\(skipped: this pvmio is built with [A-Za-z]+Sanitizer'
else
	check "demo: the search finds the greeting in the binary" 0 \
		"^0x[0-9a-f]+  $(readlink -f "$PVMIO")\$"
fi

echo "1..$n"
[ "$failed" = 0 ]

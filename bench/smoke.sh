#!/bin/sh
# TAP: every row of pvmio-bench runs once on tiny sizes and checks the bytes
# it moved; the JSON output parses. No timing is judged here.
set -u
bench="${O:-build}/pvmio-bench"
out="${TMPDIR:-/tmp}/pvmio-bench-smoke.$$"
trap 'rm -f "$out" "$out.err"' EXIT

echo 1..3
if "$bench" --smoke >"$out" 2>"$out.err"; then
	echo "ok 1 - every row runs and moves the right bytes"
else
	echo "not ok 1 - pvmio-bench --smoke failed"
	sed 's/^/# /' "$out.err"
fi
if "$bench" --smoke --json >"$out" 2>"$out.err" &&
   perl -MJSON::PP -e 'local $/; decode_json(<STDIN>)' <"$out" 2>>"$out.err"; then
	echo "ok 2 - --json prints valid JSON"
else
	echo "not ok 2 - --json output does not parse"
	sed 's/^/# /' "$out.err"
fi
if "$bench" --size 1x >/dev/null 2>"$out.err" ||
   ! grep -q -- "--size" "$out.err"; then
	echo "not ok 3 - a bad --size is refused with a message"
else
	echo "ok 3 - a bad --size is refused with a message"
fi

#!/bin/sh
# SPDX-License-Identifier: MIT
# Every manual page renders with groff -ww (all warnings) and says nothing:
# no warning, no error; .so aliases must resolve to a page that renders.
# TAP output; run from the top of the tree (make check does).
set -e

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pvmio-man.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

if ! command -v groff >/dev/null 2>&1; then
	echo "1..0 # SKIP groff is not installed"
	exit 0
fi

pages=$(ls man/man*/*.[0-9] 2>/dev/null || true)
if [ -z "$pages" ]; then
	echo "1..0 # SKIP no manual pages under man/"
	exit 0
fi

n=0
fail=0
echo "1..$(echo "$pages" | wc -l)"
for page in $pages; do
	n=$((n + 1))
	# -I man: ".so man3/pvmio.3" resolves as man(1) resolves it
	if groff -ww -man -z -I man "$page" >"$tmp/out" 2>&1 &&
	   [ ! -s "$tmp/out" ]; then
		echo "ok $n - $page renders without warnings"
	else
		echo "not ok $n - $page renders without warnings"
		sed 's/^/#   /' "$tmp/out"
		fail=1
	fi
done
exit $fail

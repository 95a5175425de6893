# SPDX-License-Identifier: MIT
# TAP helpers for the shell tests (sourced): ok, not_ok, skip and diag
# count the results in $n and the failures in $failed.
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; failed=$((failed + 1)); }
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }
# diag LINE...: each line as a TAP comment
diag() { printf '%s\n' "$@" | sed 's/^/#   /'; }

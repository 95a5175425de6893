#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# make debcheck: install the .debs of `make deb` with dpkg, use them as a
# user would (pkg-config, the consumers, the CLI, the Python binding through
# the loader's search), then purge them. Changes the system: for CI or a
# throwaway machine; refuses to run where pvmio packages are installed.
# TAP. Environment: DEB_OUT (where the .debs are), VERSION, CC, CXX.
set -u
cd "$(dirname "$0")/../.." || exit 1
DEB_OUT=${DEB_OUT:?} VERSION=${VERSION:?}
CC=${CC:-cc} CXX=${CXX:-c++}
pkgs=(libpvmio0 libpvmio-dev pvmio)

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP dpkg -i needs root"
	exit 0
fi
for p in "${pkgs[@]}"; do
	if dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q installed; then
		echo "1..0 # SKIP $p is installed on this system already: not touching it"
		exit 0
	fi
done
debs=()
for p in "${pkgs[@]}"; do
	f=$(ls "$DEB_OUT/${p}_${VERSION}"_*.deb 2>/dev/null)
	[ -n "$f" ] && debs+=("$f")
done
if [ ${#debs[@]} -eq 0 ]; then
	echo "1..1"
	echo "not ok 1 - no .deb of version $VERSION in $DEB_OUT: run make deb"
	exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pvmio-debcheck.XXXXXX") || exit 1
trap 'dpkg -P "${pkgs[@]}" >/dev/null 2>&1; rm -rf "$tmp"' EXIT

n=0
fails=0
check() {
	local what=$1 out
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n - $what"
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
	else
		fails=$((fails + 1))
		echo "not ok $n - $what"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
}

check "dpkg -i ${debs[*]##*/}" dpkg -i "${debs[@]}"
check "pkg-config --modversion pvmio is $VERSION" \
	sh -c "test \"\$(pkg-config --modversion pvmio)\" = $VERSION"
# The autopkgtest: C and C++ consumers (shared, static) built through
# pkg-config, and the Python binding finding the library by itself.
check "debian/tests/consumers (the autopkgtest) on the installed packages" \
	env CC="$CC" CXX="$CXX" debian/tests/consumers
# dpkg -L, not man -w: minimal images exclude /usr/share/man from installs.
check "libpvmio-dev ships pvmio_read(3)" sh -c "dpkg -L libpvmio-dev | grep -q '/man3/pvmio_read\.3'"
if ls "$DEB_OUT"/pvmio_"$VERSION"_*.deb >/dev/null 2>&1; then
	check "pvmio --version from the installed package" \
		sh -c "/usr/bin/pvmio --version | grep -F $VERSION"
	check "pvmio ships pvmio(1)" sh -c "dpkg -L pvmio | grep -q '/man1/pvmio\.1'"
fi
check "dpkg -P removes them" dpkg -P "${pkgs[@]}"
check "nothing of them is left" sh -c "! test -e /usr/include/pvmio.h"

echo "1..$n"
[ "$fails" -eq 0 ]

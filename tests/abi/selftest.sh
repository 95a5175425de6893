#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# tests/abi/abicheck.sh must fail on each ABI fault: a small fake libpvmio
# is built correct once, then with one fault at a time. TAP.
set -u
cd "$(dirname "$0")/../.." || exit 1
CC=${CC:-cc}
check=$PWD/tests/abi/abicheck.sh
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pvmio-abiself.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

cat > good.h <<'H'
#define PVMIO_VERSION_MAJOR 1
#define PVMIO_VERSION_MINOR 2
#define PVMIO_VERSION_PATCH 3
#define PVMIO_API __attribute__((visibility("default")))
PVMIO_API int pvmio_a(void);
/* PVMIO_API int pvmio_commented(void); */
PVMIO_API const char *
pvmio_version_string(void);
H
cat > good.map <<'M'
PVMIO_1.2 {
	global:
		pvmio_a;
		pvmio_version_string;
	local: *;
};
M
printf 'Name: pvmio\nVersion: 1.2.3\n' > good.pc
mkdir -p deb && printf 'pvmio (1.2.3) unstable; urgency=medium\n' > deb/changelog
cat > lib.c <<'C'
#define API __attribute__((visibility("default")))
API int pvmio_a(void) { return 1; }
API const char *pvmio_version_string(void) { return VERSION; }
#ifdef EXTRA
API int EXTRA(void) { return 2; }
#endif
C

# lib DIR SONAME VERSION [cc args...]: DIR/libpvmio.so -> SONAME -> real file.
lib() {
	local dir=$1 soname=$2 version=$3
	shift 3
	mkdir -p "$dir"
	$CC -shared -fPIC -fvisibility=hidden -DVERSION="\"$version\"" -Wl,-soname,"$soname" \
		-o "$dir/libpvmio.so.$version" lib.c "$@" &&
		ln -sf "libpvmio.so.$version" "$dir/$soname" &&
		ln -sf "$soname" "$dir/libpvmio.so"
}
n=0
fails=0
# expect "what" exit "failing check" [VAR=value...]: run the checker.
expect() {
	local what=$1 want=$2 pattern=$3 out rc
	shift 3
	out=$(env SO=good/libpvmio.so MAP=good.map HEADER=good.h PC=good.pc DEBIAN=deb \
		CC="$CC" "$@" bash "$check" 2>&1)
	rc=$?
	n=$((n + 1))
	if { [ "$want" = pass ] && [ $rc -eq 0 ]; } ||
	   { [ "$want" = fail ] && [ $rc -ne 0 ] && printf '%s\n' "$out" | grep -q "^not ok.*$pattern"; }; then
		echo "ok $n - $what"
	else
		fails=$((fails + 1))
		echo "not ok $n - $what (exit $rc)"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
}

lib good libpvmio.so.1 1.2.3 -Wl,--version-script=good.map || { echo "1..0 # SKIP $CC cannot build a shared library"; exit 0; }
expect "a correct library passes" pass ""

sed 's/pvmio_a;/pvmio_a; helper;/' good.map > helper.map
lib helper libpvmio.so.1 1.2.3 -DEXTRA=helper -Wl,--version-script=helper.map
expect "an export that is not pvmio_* fails" fail "is pvmio_" SO=helper/libpvmio.so MAP=helper.map

lib nover libpvmio.so.1 1.2.3
expect "exports without a version node fail" fail "carries a version node" SO=nover/libpvmio.so

sed 's/pvmio_a;/pvmio_a; pvmio_missing;/' good.map > missing.map
lib missing libpvmio.so.1 1.2.3 -Wl,--version-script=missing.map
expect "a map symbol the .so lacks fails" fail "map -> .so" SO=missing/libpvmio.so MAP=missing.map

sed 's/pvmio_a;/pvmio_a; pvmio_extra;/' good.map > extra.map
lib extra libpvmio.so.1 1.2.3 -DEXTRA=pvmio_extra -Wl,--version-script=extra.map
expect "an export the map lacks fails" fail ".so -> map" SO=extra/libpvmio.so

sed 's/PVMIO_1.2/PVMIO_1.1/' good.map > node.map
lib node libpvmio.so.1 1.2.3 -Wl,--version-script=node.map
expect "an export under another node fails" fail "node is the map node" SO=node/libpvmio.so

sed 's/^PVMIO_API int pvmio_a/PVMIO_API int pvmio_a(void);\nPVMIO_API int pvmio_undeclared/' good.h > more.h
expect "a header function the map lacks fails" fail "functions are in the map" HEADER=more.h
grep -v pvmio_a good.h > less.h
expect "a map symbol the header lacks fails" fail "declared PVMIO_API" HEADER=less.h

sed 's/Version: .*/Version: 1.2.4/' good.pc > bad.pc
expect "a .pc with another version fails" fail "has Version" PC=bad.pc
lib soname libpvmio.so.2 1.2.3 -Wl,--version-script=good.map
expect "a soname off the major version fails" fail "soname is" SO=soname/libpvmio.so
lib runtime libpvmio.so.1 1.2.3 -UVERSION -DVERSION='"9.9.9"' -Wl,--version-script=good.map
expect "a library that reports another version fails" fail "pvmio_version_string() is" \
	SO=runtime/libpvmio.so
sed 's/MINOR 2/MINOR 3/' good.h > minor.h
expect "a header version without its map node fails" fail "has the node" HEADER=minor.h
mkdir -p deb2 && printf 'pvmio (1.2.2-1) unstable; urgency=medium\n' > deb2/changelog
expect "a debian/changelog of another version fails" fail "changelog is version" DEBIAN=deb2
printf 'libpvmio.so.1 libpvmio1 #MINVER#\n pvmio_a@PVMIO_1.2 1.2.3\n' > deb/libpvmio1.symbols
expect "a symbols file missing a symbol fails" fail "symbols lists" 

echo "1..$n"
[ "$fails" -eq 0 ]

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# make installcheck: stage `make install DESTDIR=... PREFIX=/usr`, then build
# and run the consumers against the staged tree only, through pkg-config,
# as C and C++, linked shared and static, and the Python binding on the
# staged .so; last, `make uninstall` must leave nothing behind. Prints TAP.
#
# Environment: O (the build tree), MAKE, CC, CXX, PYTHON.
set -u
cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
MAKE=${MAKE:-make}
CC=${CC:-cc}
CXX=${CXX:-c++}
PYTHON=${PYTHON:-python3}
here=tests/install

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
# check "what" cmd...: one TAP line; the command's output becomes diagnostics.
check() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$what"
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
	else
		notok "$what"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
	return 0
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pvmio-installcheck.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/stage
version=$(sed -n 's/^#define PVMIO_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*/\2/p' \
	include/pvmio.h | paste -sd.)
major=${version%%.*}

if ! out=$($MAKE --no-print-directory O="$O" install DESTDIR="$stage" PREFIX=/usr 2>&1); then
	echo "1..1"
	echo "not ok 1 - make install DESTDIR=... PREFIX=/usr"
	printf '%s\n' "$out" | tail -20 | sed 's/^/#   /'
	exit 1
fi
ok "make install DESTDIR=\$stage PREFIX=/usr (version $version)"

lib=$stage/usr/lib
files_present() {
	local f
	for f in usr/include/pvmio.h usr/lib/libpvmio.a "usr/lib/libpvmio.so.$version" \
		usr/lib/pkgconfig/pvmio.pc; do
		[ -f "$stage/$f" ] || { echo "missing /$f"; return 1; }
	done
	if [ "$(readlink "$lib/libpvmio.so")" != "libpvmio.so.$major" ] ||
		[ "$(readlink "$lib/libpvmio.so.$major")" != "libpvmio.so.$version" ]; then
		echo "bad symlinks: $(ls -l "$lib"/libpvmio.so*)"
		return 1
	fi
	if ls tools/*.c >/dev/null 2>&1; then
		[ -x "$stage/usr/bin/pvmio" ] || { echo "missing /usr/bin/pvmio"; return 1; }
	fi
	for f in man/man*/*.[137]; do
		[ -e "$f" ] || continue
		[ -e "$stage/usr/share/$f" ] || { echo "missing /usr/share/$f"; return 1; }
	done
}
check "header, .a, .so with soname links, .pc, man pages, CLI staged" files_present

# Only the staged tree: PKG_CONFIG_LIBDIR replaces the system search path.
export PKG_CONFIG_SYSROOT_DIR=$stage PKG_CONFIG_LIBDIR=$lib/pkgconfig
unset PKG_CONFIG_PATH
pcversion=$(pkg-config --modversion pvmio 2>&1)
check "pkg-config --modversion pvmio = $version" test "$pcversion" = "$version"
cflags=$(pkg-config --cflags pvmio)
libs=$(pkg-config --libs pvmio)
slibs=$(pkg-config --static --libs pvmio)
in_stage() {
	case " $cflags " in *" -I$stage/usr/include "*) ;; *) echo "cflags: $cflags"; return 1;; esac
	case " $libs " in *" -L$lib "*) ;; *) echo "libs: $libs"; return 1;; esac
}
check "pkg-config points into the stage: $cflags $libs" in_stage

# run what binary: the consumer reads a child's memory and checks the bytes.
run() {
	local bin=$1 shared=$2 needed
	needed=$(readelf -d "$bin" 2>/dev/null | sed -n 's/.*NEEDED.*\[\(libpvmio[^]]*\)\].*/\1/p')
	if [ "$shared" = shared ] && [ "$needed" != "libpvmio.so.$major" ]; then
		echo "$bin needs '$needed', not libpvmio.so.$major"
		return 1
	fi
	if [ "$shared" = static ] && [ -n "$needed" ]; then
		echo "$bin is static but needs $needed"
		return 1
	fi
	if [ "$shared" = shared ]; then
		LD_LIBRARY_PATH=$lib "$bin" "$pcversion"
	else
		"$bin" "$pcversion"
	fi
}
build_run() {
	local what=$1 bin=$tmp/$2 shared=$3
	shift 3
	"$@" -o "$bin" && run "$bin" "$shared"
}
cwarn="-Wall -Wextra -Werror"
xwarn="-Wall -Wextra -pedantic -Werror"
# shellcheck disable=SC2086 # flags are word lists
{
check "C, shared: $CC $cwarn consumer.c \$(pkg-config --cflags --libs pvmio)" \
	build_run c c-shared shared $CC $cwarn $cflags $here/consumer.c $libs
check "C, static: $CC -static consumer.c \$(pkg-config --static --cflags --libs pvmio)" \
	build_run c c-static static $CC -static $cwarn $cflags $here/consumer.c $slibs
check "C++, shared: $CXX $xwarn consumer.cc \$(pkg-config --cflags --libs pvmio)" \
	build_run cc cc-shared shared $CXX $xwarn $cflags $here/consumer.cc $libs
check "C++, static libpvmio.a: $CXX -static-libgcc -static-libstdc++ -Wl,-Bstatic \$(pkg-config --static --libs pvmio)" \
	build_run cc cc-static static $CXX $xwarn -static-libgcc -static-libstdc++ $cflags \
	$here/consumer.cc -Wl,-Bstatic $slibs -Wl,-Bdynamic
check "C++98, -pedantic: <pvmio.h> compiles" \
	sh -c "printf '#include <pvmio.h>\nint main() { return 0; }\n' |
		$CXX -std=c++98 $xwarn $cflags -x c++ -c - -o $tmp/cxx98.o"
check "C99, -pedantic: <pvmio.h> compiles" \
	sh -c "printf '#include <pvmio.h>\nint main(void) { return 0; }\n' |
		$CC -std=c99 $xwarn $cflags -x c -c - -o $tmp/c99.o"
}

if command -v "$PYTHON" >/dev/null 2>&1; then
	check "Python: PVMIO_LIBRARY=\$stage/.../libpvmio.so.$major $PYTHON consumer.py" \
		env PVMIO_LIBRARY="$lib/libpvmio.so.$major" PYTHONPATH=python \
		"$PYTHON" $here/consumer.py "$version" "$lib/libpvmio.so.$major"
else
	n=$((n + 1))
	echo "ok $n # SKIP $PYTHON not found: the Python binding is not tried"
fi

if [ -x "$stage/usr/bin/pvmio" ]; then
	check "CLI: pvmio --version names $version" \
		sh -c "LD_LIBRARY_PATH=$lib $stage/usr/bin/pvmio --version | grep -F $version"
fi

left() {
	$MAKE --no-print-directory O="$O" uninstall DESTDIR="$stage" PREFIX=/usr >/dev/null ||
		return 1
	if [ -n "$(find "$stage" ! -type d)" ]; then
		find "$stage" ! -type d
		return 1
	fi
}
check "make uninstall leaves no file behind" left

echo "1..$n"
[ "$fails" -eq 0 ]

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# ABI hygiene of libpvmio, as TAP. The exported symbols of the .so, the
# version script and the header's PVMIO_API functions must be the same set;
# every export is pvmio_* and carries the map node that lists it; the
# version comes from the header alone and the soname, the file name, the
# .pc, the map node, pvmio_version_string() and debian/ follow it.
#
# Environment: SO (the built libpvmio.so), MAP, HEADER, PC, DEBIAN (a
# debian/ directory, or empty to skip its checks), CC.
set -u
SO=${SO:?} MAP=${MAP:-src/libpvmio.map} HEADER=${HEADER:-include/pvmio.h}
PC=${PC:?} DEBIAN=${DEBIAN-debian} CC=${CC:-cc}

n=0
fails=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pvmio-abicheck.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
# result "what" "problems": ok when problems is empty, else each is a line.
result() {
	local problems
	problems=$(printf '%s\n' "$2" | sed '/^[[:space:]]*$/d')
	n=$((n + 1))
	if [ -z "$problems" ]; then
		echo "ok $n - $1"
	else
		fails=$((fails + 1))
		echo "not ok $n - $1"
		printf '%s\n' "$problems" | sed 's/^/#   /'
	fi
}
# Lines of $1 that are not in $2 (both sorted word lists).
only_in() { comm -23 <(printf '%s\n' "$1" | sed '/^$/d') <(printf '%s\n' "$2" | sed '/^$/d'); }

for f in "$SO" "$MAP" "$HEADER" "$PC"; do
	[ -e "$f" ] || { echo "1..0 # SKIP $f does not exist"; exit 0; }
done

# "name node" per map global; comments (/* */ and #) removed.
map_pairs=$(sed -e 's|/\*.*\*/||g' -e 's|#.*||' "$MAP" | awk '
	/^[ \t]*[A-Za-z_][A-Za-z0-9_.]*[ \t]*\{/ { node = $1; sub(/\{.*/, "", node); scope = "" }
	/global:/ { scope = "global"; sub(/.*global:/, "") }
	/local:/ { scope = "local" }
	/^[ \t]*\}/ { node = "" }
	scope == "global" && node != "" {
		gsub(/[ \t]/, ""); m = split($0, a, ";")
		for (i = 1; i <= m; i++) if (a[i] != "") print a[i], node
	}')
map_syms=$(printf '%s\n' "$map_pairs" | awk 'NF { print $1 }' | sort -u)
map_nodes=$(sed -e 's|/\*.*\*/||g' "$MAP" | sed -n 's/^[ \t]*\([A-Za-z_][A-Za-z0-9_.]*\)[ \t]*{.*/\1/p')

# Exports: "name@@NODE" (default version), "name@NODE" (older), or bare.
exports=$(nm -D --defined-only "$SO" | awk '$2 != "A" { print $3 }' | sort)
names=$(printf '%s\n' "$exports" | sed 's/@.*//' | sort -u)
nodes_defined=$(nm -D --defined-only "$SO" | awk '$2 == "A" { print $3 }')

result "every export of $(basename "$SO") is pvmio_*" \
	"$(printf '%s\n' "$names" | grep -v '^pvmio_' | sed 's/^/not pvmio_*: /')"
result "every export carries a version node" \
	"$(printf '%s\n' "$exports" | grep -v '@' | sed 's/^/no version: /')"
bad_node=$(printf '%s\n' "$exports" | grep '@' | while IFS= read -r e; do
	sym=${e%%@*} node=${e##*@}
	printf '%s\n' "$map_pairs" | grep -qx "$sym $node" ||
		echo "$sym has node $node, the map lists it under: $(printf '%s\n' "$map_pairs" |
			awk -v s="$sym" '$1 == s { print $2 }')"
done)
result "each export's node is the map node that lists it" "$bad_node"
result "every symbol of the map is exported (map -> .so)" \
	"$(only_in "$map_syms" "$names" | sed 's/^/in the map, not exported: /')"
result "every export is in the map (.so -> map)" \
	"$(only_in "$names" "$map_syms" | sed 's/^/exported, not in the map: /')"
result "the map's first node ends in local: *;" \
	"$(sed -e 's|/\*.*\*/||g' "$MAP" | awk '/\}/ { exit } /local:[ \t]*\*[ \t]*;/ { f = 1 } END { if (!f) print "no local: *; in the first node" }')"

# PVMIO_API declarations, joined across lines, comments and directives removed.
api=$(perl -0777 -ne 's{/\*.*?\*/}{}gs; s{//[^\n]*}{}g; s{^[ \t]*#(?:[^\n]*\\\n)*[^\n]*}{}mg;
	while (/PVMIO_API\b([^;{]*?)\b(\w+)\s*\(/g) { print "$2\n" }' "$HEADER" | sort -u)
result "the header's PVMIO_API functions are in the map" \
	"$(only_in "$api" "$map_syms" | sed 's/^/declared, not in the map: /')"
result "the map's symbols are declared PVMIO_API in the header" \
	"$(only_in "$map_syms" "$api" | sed 's/^/in the map, not declared: /')"

# The version: one source, include/pvmio.h.
ver_part() { sed -n "s/^#define PVMIO_VERSION_$1 \\([0-9][0-9]*\\).*/\\1/p" "$HEADER"; }
major=$(ver_part MAJOR) minor=$(ver_part MINOR) patch=$(ver_part PATCH)
version=$major.$minor.$patch
result "the header defines PVMIO_VERSION_MAJOR/MINOR/PATCH: $version" \
	"$([ -n "$major" ] && [ -n "$minor" ] && [ -n "$patch" ] || echo "incomplete: '$version'")"
soname=$(readelf -d "$SO" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
result "soname is libpvmio.so.$major" \
	"$([ "$soname" = "libpvmio.so.$major" ] || echo "soname: '$soname'")"
real=$(basename "$(readlink -f "$SO")")
result "the library file is libpvmio.so.$version" \
	"$([ "$real" = "libpvmio.so.$version" ] || echo "file: $real")"
pcver=$(sed -n 's/^Version:[ \t]*//p' "$PC")
result "$(basename "$PC") has Version: $version" \
	"$([ "$pcver" = "$version" ] || echo "Version: '$pcver'")"
result "the map has the node PVMIO_$major.$minor and the .so defines it" \
	"$(printf '%s\n' "$map_nodes" | grep -qx "PVMIO_$major.$minor" || echo "no node PVMIO_$major.$minor in the map")
$(printf '%s\n' "$nodes_defined" | grep -qx "PVMIO_$major.$minor" || echo "the .so defines no PVMIO_$major.$minor")"
printf '#include <stdio.h>\nconst char *pvmio_version_string(void);\nint main(void) { puts(pvmio_version_string()); return 0; }\n' > "$tmp/v.c"
if $CC -o "$tmp/v" "$tmp/v.c" "$(readlink -f "$SO")" 2>"$tmp/err"; then
	runtime=$(LD_LIBRARY_PATH=$(dirname "$(readlink -f "$SO")") "$tmp/v" 2>&1)
	result "pvmio_version_string() is $version" \
		"$([ "$runtime" = "$version" ] || echo "it says '$runtime'")"
else
	result "pvmio_version_string() is $version" "$(cat "$tmp/err")"
fi

if [ -n "$DEBIAN" ] && [ -f "$DEBIAN/changelog" ]; then
	debver=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$DEBIAN/changelog")
	upstream=${debver#*:}
	upstream=${upstream%-*}
	result "$DEBIAN/changelog is version $version" \
		"$([ "$upstream" = "$version" ] || echo "changelog: $debver")"
	symfile=$(ls "$DEBIAN"/libpvmio"$major".symbols 2>/dev/null)
	if [ -n "$symfile" ]; then
		debsyms=$(sed -n 's/^ \([a-z_0-9]*\)@.*/\1/p' "$symfile" | sort -u)
		result "$symfile lists exactly the map's symbols" \
			"$(only_in "$map_syms" "$debsyms" | sed 's/^/missing: /')
$(only_in "$debsyms" "$map_syms" | sed 's/^/not in the map: /')"
	fi
fi

echo "1..$n"
[ "$fails" -eq 0 ]

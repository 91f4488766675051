#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr: set by bats' run --separate-stderr
# kobjc --kbuild=SRCTREE: kbuild's own text (scripts/Makefile.build,
# Makefile.lib, Kbuild.include of Debian's Linux 6.1) chooses the recipe;
# an edited definition of the per-object rule stops with one line naming
# it and where, whatever the tree's version.
bats_require_minimum_version 1.5.0
load helper

setup() {
	common_setup
	local tarball=/usr/src/linux-source-6.1.tar.xz version dir tmp
	version=$(dpkg-query -W -f='${Version}' linux-source-6.1)
	dir=$CACHE/kbuild-text-$version
	if [ ! -f "$dir/scripts/Kbuild.include" ]; then
		tmp=$(mktemp -d "$CACHE/.x.XXXXXX")
		tar -xJf "$tarball" -C "$tmp" \
			linux-source-6.1/scripts/Makefile.build \
			linux-source-6.1/scripts/Makefile.lib \
			linux-source-6.1/scripts/Kbuild.include
		mkdir -p "$dir"
		mv "$tmp/linux-source-6.1/scripts" "$dir/"
		rm -rf "$tmp"
	fi
	TREE=$WORK/tree
	mkdir -p "$TREE"
	cp -r "$dir/scripts" "$TREE/"
}

teardown() { common_teardown; }

@test "kbuild text: Linux 6.1's own kbuild text is recipe kbuild-6.1" {
	run --separate-stderr "$KOBJC" --kbuild="$TREE"
	assert_success
	assert_output kbuild-6.1
}

@test "kbuild text: whitespace and the version do not matter; the text does" {
	sed -i 's/^define rule_cc_o_c$/define  rule_cc_o_c  /; s/(call cmd,checksrc)$/(call cmd,checksrc)   /' "$TREE/scripts/Makefile.build"
	run -1 cmp -s "$TREE/scripts/Makefile.build" "$CACHE"/kbuild-text-*/scripts/Makefile.build
	run -0 "$KOBJC" --kbuild="$TREE"
	assert_output kbuild-6.1
}

@test "kbuild text: an extra step in rule_cc_o_c stops with one line naming the definition and where" {
	local line
	line=$(grep -n '^define rule_cc_o_c' "$TREE/scripts/Makefile.build" | cut -d: -f1)
	sed -i '/^define rule_cc_o_c/a\	$(call cmd,my_extra_check)' "$TREE/scripts/Makefile.build"
	run --separate-stderr "$KOBJC" --kbuild="$TREE"
	assert_failure 1
	assert_output ''
	assert_equal "$stderr" "kobjc: $TREE/scripts/Makefile.build:$line: rule_cc_o_c differs from recipe kbuild-6.1's; no recipe has this tree's per-object rule"
}

@test "kbuild text: a definition gone (genksyms), and a tree without kbuild, each stop with one line" {
	sed -i '/^genksyms = /,/^$/d' "$TREE/scripts/Makefile.build"
	run --separate-stderr "$KOBJC" --kbuild="$TREE"
	assert_failure 1
	[[ $stderr == "kobjc: $TREE/scripts/Makefile.build: genksyms is not defined, as it is for recipe kbuild-6.1; no recipe"* ]] ||
		fail "$stderr"
	run --separate-stderr "$KOBJC" --kbuild="$WORK/nothing"
	[ "$status" -ne 0 ] && [ "$(wc -l <<<"$stderr")" -eq 1 ] || fail "$status: $stderr"
	[[ $stderr == *"$WORK/nothing/scripts/"* ]] || fail "$stderr"
}

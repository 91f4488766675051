#!/usr/bin/env bats
# The recipe itself: compile with the real gcc, objtool, the native
# local-export check (against kbuild's own scripts/check-local-export) and
# the modversions pass `cc -E -D__GENKSYMS__ | genksyms`.
load helper

setup_file() {
	# installs linux-source-6.1 if missing, then extracts
	# scripts/check-local-export once (cached across runs)
	"$TOP/tests/kernel-tools" >/dev/null
	check_local_export_script >/dev/null
}

setup() {
	common_setup
	use_fakes
	cat >loc.c <<-'EOF'
		#define EXPORT_SYMBOL(sym) static const void *__ksymtab_##sym __attribute__((used)) = &sym
		static int hidden(int x) { return x + 1; }
		EXPORT_SYMBOL(hidden);
	EOF
}

teardown() { common_teardown; }

# the object files' .tmp_ names are random: match them with this
TMPO='\.tmp_answer\.o\.[A-Za-z0-9]{6}\.o'

# --- compile

@test "compile: the object is what the real gcc makes from the same flags" {
	run --separate-stderr "$KOBJC" answer.o answer.c gcc -O2 -fno-common
	assert_success
	assert_output ''
	[ -z "$stderr" ] || fail "stderr: $stderr"
	assert_equal "$(fake_log compile | wc -l)" 1
	fake_log compile | grep -Eq "^-O2 -fno-common -c -o $TMPO answer\.c$" ||
		fail "compile argv: $(fake_log compile)"
	"$REAL_GCC" -O2 -fno-common -c -o ref.o answer.c
	cmp answer.o ref.o
	nm answer.o | grep -q ' T ask_twice$'
	assert_no_temps
}

@test "compile: an object without __ksymtab_ symbols builds, nothing else runs" {
	run --separate-stderr "$KOBJC" plain.o plain.c gcc -O2
	assert_success
	assert_output ''
	nm plain.o | grep -q ' T plain_helper$'
	if nm plain.o | grep -q __ksymtab_; then
		fail "plain.o has __ksymtab_ symbols"
	fi
	assert_equal "$(fake_log objtool)$(fake_log cpp)$(fake_log genksyms)" ''
	assert_no_temps
}

@test "local-export check: a static exported symbol fails with kbuild's message" {
	stale_object loc.o
	run --separate-stderr "$KOBJC" loc.o loc.c gcc -O2
	assert_failure 1
	assert_output ''
	grep -qxF 'loc.o: error: local symbol hidden was exported' <<<"$stderr" ||
		fail "stderr: $stderr"
	assert_absent loc.o
	assert_no_temps
}

@test "local-export check: the same object without the local export passes" {
	sed -i 's/static int hidden/int hidden/' loc.c
	run --separate-stderr "$KOBJC" loc.o loc.c gcc -O2
	assert_success
	[ -z "$stderr" ] || fail "stderr: $stderr"
	nm loc.o | grep -q ' T hidden$'
}

# Run Linux's scripts/check-local-export (nm + awk) and kobjc's native check
# on the same object PREBUILT, named NAME.o. Prints "ok" or "bad" when they
# agree on the exit status and on every "error: local symbol" line, else
# what differs.
agree() {
	local prebuilt=$1 name=$2 script ref got rs rk
	script=$(check_local_export_script)
	rm -rf chk && mkdir chk
	cp "$prebuilt" "chk/$name.o"
	rs=0
	(cd chk && NM=nm AWK=awk sh "$script" "$name.o") >/dev/null 2>chk.script || rs=$?
	ref=$(grep 'error: local symbol' chk.script | LC_ALL=C sort)
	rm "chk/$name.o"
	: >"chk/$name.c"
	rk=0
	(cd chk && FAKE_FAULT=compile:copy FAKE_PREBUILT=$PWD/../$prebuilt \
		"$KOBJC" "$name.o" "$name.c" gcc) >/dev/null 2>chk.kobjc || rk=$?
	got=$(grep 'error: local symbol' chk.kobjc | LC_ALL=C sort)
	if [ "$rs" != "$rk" ] || [ "$ref" != "$got" ]; then
		printf '%s: check-local-export exits %s:\n%s\nkobjc exits %s:\n%s\n' \
			"$prebuilt" "$rs" "$(cat chk.script)" "$rk" "$(cat chk.kobjc)"
	elif [ "$rk" = 0 ] && [ -f "chk/$name.o" ]; then
		echo ok
	elif [ "$rk" = 1 ] && [ ! -e "chk/$name.o" ]; then
		echo bad
	else
		echo "$prebuilt: kobjc exits $rk, $(ls chk)"
	fi
}

@test "local-export check agrees with kbuild's check-local-export on gcc objects, 64- and 32-bit" {
	cat >mixed.c <<-'EOF'
		#define EXPORT_SYMBOL(sym) static const void *__ksymtab_##sym __attribute__((used)) = &sym
		extern int ext_var;
		int global_fn(int x) { return x; }
		static int local_fn(int x) { return x * 3; }
		__attribute__((weak)) int weak_fn(int x) { return x - 1; }
		static int local_var = 5;
		int global_var = 6;
		EXPORT_SYMBOL(global_fn);
		EXPORT_SYMBOL(local_fn);
		EXPORT_SYMBOL(weak_fn);
		EXPORT_SYMBOL(ext_var);
		EXPORT_SYMBOL(local_var);
		EXPORT_SYMBOL(global_var);
	EOF
	cat >ifunc.c <<-'EOF'
		#define EXPORT_SYMBOL(sym) static const void *__ksymtab_##sym __attribute__((used)) = &sym
		static int impl(void) { return 1; }
		static void *resolve(void) { return (void *)impl; }
		int picked(void) __attribute__((ifunc("resolve")));
		EXPORT_SYMBOL(picked);
	EOF
	local bits f m32=yes
	echo 'int x;' >probe.c
	"$REAL_GCC" -m32 -c -o probe.o probe.c 2>/dev/null || m32=
	for bits in 64 ${m32:+32}; do
		mkdir -p "fx$bits"
		for f in answer plain loc mixed ifunc; do
			"$REAL_GCC" -m$bits -O2 -c -o "fx$bits/$f.o" "$f.c"
		done
		assert_equal "$(agree "fx$bits/answer.o" answer)" ok
		assert_equal "$(agree "fx$bits/plain.o" plain)" ok
		assert_equal "$(agree "fx$bits/loc.o" loc)" bad
		assert_equal "$(agree "fx$bits/mixed.o" mixed)" bad
		assert_equal "$(agree "fx$bits/ifunc.o" ifunc)" bad
	done
	# the mixed object names exactly its two static exports
	FAKE_FAULT=compile:copy FAKE_PREBUILT=$PWD/fx64/mixed.o \
		run --separate-stderr "$KOBJC" mixed.o mixed.c gcc
	assert_failure 1
	assert_equal "$(grep 'error: local' <<<"$stderr" | LC_ALL=C sort)" \
		"mixed.o: error: local symbol local_fn was exported
mixed.o: error: local symbol local_var was exported"
	[ -n "$m32" ] || skip "gcc -m32 does not work here: only 64-bit checked"
}

@test "local-export check agrees with check-local-export on big- and little-endian ELF32/ELF64" {
	command -v python3 >/dev/null || skip "python3 (for tests/fakes/mkelf.py) is not installed"
	local bits order kind
	for bits in 32 64; do
		for order in lsb msb; do
			for kind in good bad; do
				python3 "$TOP/tests/fakes/mkelf.py" "c$bits$order$kind.o" \
					$bits $order $kind
				# EI_CLASS and EI_DATA say that class and byte order
				assert_equal "$(od -An -tu1 -j4 -N2 "c$bits$order$kind.o" | tr -s ' ')" \
					" $((bits / 32)) $([ $order = lsb ] && echo 1 || echo 2)"
				# and nm reads it
				nm "c$bits$order$kind.o" | grep -q ' T shown$'
			done
			assert_equal "$(agree "c${bits}${order}good.o" crafted)" ok
			assert_equal "$(agree "c${bits}${order}bad.o" crafted)" bad
		done
	done
}

# --- objtool

@test "objtool: runs the real objtool with the --objtool-arg words in order, on the object" {
	run "$KOBJC" --objtool="$FAKEBIN/objtool" --objtool-arg=--orc \
		--objtool-arg=--uaccess --objtool-arg=--static-call \
		answer.o answer.c gcc -O2 -fno-asynchronous-unwind-tables
	assert_success
	assert_equal "$(fake_log objtool | wc -l)" 1
	fake_log objtool | grep -Eq "^--orc --uaccess --static-call $TMPO$" ||
		fail "objtool argv: $(fake_log objtool)"
	# it ran on the object the compile wrote
	assert_equal "$(fake_log objtool | awk '{print $NF}')" \
		"$(fake_log compile | awk '{print $(NF-1)}')"
	readelf -SW answer.o | grep -q '\.orc_unwind ' || fail "no .orc_unwind"
	# and the result is the real objtool's on the real gcc's object
	"$REAL_GCC" -O2 -fno-asynchronous-unwind-tables -c -o ref.o answer.c
	"$TOOLS/objtool" --orc --uaccess --static-call ref.o
	cmp answer.o ref.o
}

@test "objtool: the argument order is kept (--dry-run before --orc writes nothing)" {
	run "$KOBJC" --objtool="$FAKEBIN/objtool" --objtool-arg=--dry-run \
		--objtool-arg=--orc answer.o answer.c gcc -O2 -fno-asynchronous-unwind-tables
	assert_success
	fake_log objtool | grep -Eq "^--dry-run --orc $TMPO$" ||
		fail "objtool argv: $(fake_log objtool)"
	! readelf -SW answer.o | grep -q '\.orc_unwind' || fail ".orc_unwind written"
}

@test "objtool: skipped without --objtool" {
	run "$KOBJC" answer.o answer.c gcc -O2 -fno-asynchronous-unwind-tables
	assert_success
	assert_equal "$(fake_log objtool)" ''
	! readelf -SW answer.o | grep -q '\.orc_unwind' || fail ".orc_unwind without objtool"
}

# --- symbol versions

FLAGS=(-O2 -fno-asynchronous-unwind-tables '-Wp,-MMD,.answer.o.d'
	'-DKBUILD_MODNAME="demo"' -DKBUILD_BASENAME='"answer"')

# what kbuild's gen_symversions_c prints, run by hand
by_hand() {
	"$REAL_GCC" -E -D__GENKSYMS__ -O2 -fno-asynchronous-unwind-tables \
		'-DKBUILD_MODNAME="demo"' -DKBUILD_BASENAME='"answer"' answer.c |
		"$TOOLS/genksyms" -r /dev/null
}

@test "symbol versions: #SYMVER lines on stdout equal cc -E -D__GENKSYMS__ | genksyms by hand" {
	run --separate-stderr "$KOBJC" "${FAKE_TOOL_OPTS[@]}" answer.o answer.c gcc "${FLAGS[@]}"
	assert_success
	[ -z "$stderr" ] || fail "stderr: $stderr"
	local expected
	expected=$(by_hand)
	assert_equal "$(grep -c '^#SYMVER ' <<<"$expected")" 2
	assert_output "$expected"
	assert_line --regexp '^#SYMVER answer 0x[0-9a-f]{8}$'
	assert_line --regexp '^#SYMVER ask_twice 0x[0-9a-f]{8}$'
	# the cpp pass got the flags minus the dependency-file option
	assert_equal "$(fake_log cpp)" "$(quoted -E -D__GENKSYMS__ -O2 \
		-fno-asynchronous-unwind-tables '-DKBUILD_MODNAME="demo"' \
		-DKBUILD_BASENAME='"answer"' answer.c)"
	assert_equal "$(fake_log genksyms)" "-r /dev/null"
}

@test "symbol versions: --symvers=FILE gets the lines, stdout stays empty" {
	run --separate-stderr "$KOBJC" "${FAKE_TOOL_OPTS[@]}" --symvers=.answer.o.symvers \
		answer.o answer.c gcc "${FLAGS[@]}"
	assert_success
	assert_output ''
	[ -z "$stderr" ] || fail "stderr: $stderr"
	assert_equal "$(cat .answer.o.symvers)" "$(by_hand)"
	# whole lines, each ending in a newline
	assert_equal "$(tail -c1 .answer.o.symvers | od -An -c | tr -d ' ')" '\n'
	assert_no_temps
}

@test "symbol versions: --symvers=FILE is written empty for an object that exports nothing" {
	stale_symvers .plain.o.symvers
	run --separate-stderr "$KOBJC" "${FAKE_TOOL_OPTS[@]}" --symvers=.plain.o.symvers \
		plain.o plain.c gcc -O2
	assert_success
	assert_output ''
	[ -f .plain.o.symvers ] || fail "no --symvers file"
	[ ! -s .plain.o.symvers ] || fail "not empty: $(cat .plain.o.symvers)"
	# no cpp pass, no genksyms for it
	assert_equal "$(fake_log cpp)$(fake_log genksyms)" ''
	assert_equal "$(fake_log objtool | wc -l)" 1
}

@test "symbol versions: skipped without __ksymtab, even with --genksyms: nothing on stdout" {
	run --separate-stderr "$KOBJC" --genksyms="$FAKEBIN/genksyms" plain.o plain.c gcc -O2
	assert_success
	assert_output ''
	[ -z "$stderr" ] || fail "stderr: $stderr"
	assert_equal "$(fake_log cpp)$(fake_log genksyms)" ''
}

@test "symbol versions: skipped without --genksyms, even for an exporting object" {
	run --separate-stderr "$KOBJC" answer.o answer.c gcc -O2
	assert_success
	assert_output ''
	assert_equal "$(fake_log cpp)$(fake_log genksyms)" ''
}

@test "symbol versions: the cpp pass leaves the compile's dependency file alone" {
	# a header only the compile reads: a cpp pass given -Wp,-MMD,F would
	# rewrite F without it
	{ printf '#ifndef __GENKSYMS__\n#include "compiled-only.h"\n#endif\n'; cat answer.c; } >dep.c
	: >compiled-only.h
	"$REAL_GCC" -E -D__GENKSYMS__ -Wp,-MMD,probe.d dep.c >/dev/null
	if grep -q compiled-only.h probe.d; then
		fail "the -D__GENKSYMS__ pass read compiled-only.h: $(cat probe.d)"
	fi
	run "$KOBJC" "${FAKE_TOOL_OPTS[@]}" dep.o dep.c gcc -O2 -Wp,-MMD,.dep.o.d
	assert_success
	assert_line --regexp '^#SYMVER answer 0x'
	# .dep.o.d is exactly what the compile alone writes
	"$REAL_GCC" -O2 -Wp,-MMD,ref.d -c -o ref.o dep.c
	cmp .dep.o.d ref.d
	grep -q '^dep.o: dep.c compiled-only.h export.h' .dep.o.d
	assert_equal "$(fake_log cpp)" "-E -D__GENKSYMS__ -O2 dep.c"
	assert_equal "$(fake_log compile | grep -cF -- "$(quoted -Wp,-MMD,.dep.o.d -c -o)")" 1
}

@test "symbol versions: the cpp pass gets none of -MD -MF F -MT T -MP -MMD -MQ Q" {
	run "$KOBJC" "${FAKE_TOOL_OPTS[@]}" answer.o answer.c gcc -O2 \
		-MD -MF .answer.o.d -MT answer.o -MP -MQ other.o -DAFTER=1
	assert_success
	assert_line --regexp '^#SYMVER ask_twice 0x'
	fake_log compile | grep -q -- '^-O2 -MD -MF .answer.o.d -MT answer.o -MP -MQ other.o -DAFTER=1 -c -o '
	assert_equal "$(fake_log cpp)" "-E -D__GENKSYMS__ -O2 -DAFTER=1 answer.c"
	grep -q '^answer.o other.o: answer.c .*export.h' .answer.o.d
}

@test "compile: -MMD without -MF writes the .d that gcc -c -o foo.o would, no .tmp_ file" {
	mkdir ref
	cp answer.c export.h ref/
	(cd ref && "$REAL_GCC" -O2 -MMD -c -o answer.o answer.c)
	run --separate-stderr "$KOBJC" answer.o answer.c gcc -O2 -MMD
	assert_success
	assert_no_temps
	[ -f answer.d ] || fail "no answer.d: $(ls -A)"
	cmp answer.d ref/answer.d
}

@test "symbol versions: an object that only mentions __ksymtab (like kernel/module/kallsyms.o) gets genksyms and no #SYMVER lines" {
	cat >walk.c <<-'EOF2'
		extern const char __start___ksymtab[], __stop___ksymtab[];
		long ksymtab_size(void) { return __stop___ksymtab - __start___ksymtab; }
	EOF2
	run --separate-stderr "$KOBJC" "${REAL_TOOL_OPTS[@]}" --symvers=walk.sv walk.o walk.c gcc -O2
	assert_success
	[ -f walk.o ] && [ -f walk.sv ] && [ ! -s walk.sv ]
	nm walk.o | grep -q 'U __start___ksymtab'
	# genksyms did run: V=1 shows the pipe
	run --separate-stderr env KBUILD_VERBOSE=1 "$KOBJC" "${REAL_TOOL_OPTS[@]}" --symvers=walk.sv walk.o walk.c gcc -O2
	assert_success
	[[ $stderr == *"-D__GENKSYMS__"*"genksyms -r /dev/null"* ]] || fail "genksyms did not run: $stderr"
	assert_no_temps
}

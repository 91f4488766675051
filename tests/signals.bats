#!/usr/bin/env bats
# Interrupts: SIGINT, SIGTERM, SIGHUP (and SIGQUIT) sent to kobjc while each
# step runs stop the step, leave nothing behind, and kobjc dies of the same
# signal, so that make sees it. And a make -j2 interrupted half-way rebuilds
# to the same objects as a clean build.
load helper

setup() { stale_setup; }

teardown() { common_teardown; }

# interrupt STEP SIG: block STEP, send SIG to kobjc once STEP runs.
interrupt() {
	local step=$1 sig=$2 pid child st=0 n
	n=$(kill -l "$sig")
	FAKE_FAULT=$step:block KOBJC_TEST_TAG=$TEST_TAG "$KOBJC" \
		--objtool="$FAKEBIN/objtool" --objtool-arg=--orc \
		--genksyms="$FAKEBIN/genksyms" --genksyms-arg=-r --genksyms-arg=/dev/null \
		--symvers=foo.symvers foo.o foo.c gcc -O2 -fno-asynchronous-unwind-tables \
		>out 2>err &
	pid=$!
	wait_for_file "$FAKE_LOG/$step.started"
	child=$(cat "$FAKE_LOG/$step.started")
	kill -0 "$child"
	kill -"$sig" "$pid"
	wait "$pid" || st=$?
	assert_equal "$st" $((128 + n))
	# the step was stopped, and nothing else kobjc started runs on
	pid_gone "$child" || fail "the $step (pid $child) still runs"
	assert_equal "$(tagged_procs)" ''
	assert_absent foo.o foo.symvers
	assert_no_temps
	assert_equal "$(cat out)" ''
	assert_equal "$(ls -A)" "answer.c
err
export.h
foo.c
out
plain.c"
}

@test "SIGINT during the compile" { interrupt compile INT; }
@test "SIGTERM during the compile" { interrupt compile TERM; }
@test "SIGHUP during the compile" { interrupt compile HUP; }
@test "SIGQUIT during the compile" { interrupt compile QUIT; }
@test "SIGINT during objtool" { interrupt objtool INT; }
@test "SIGTERM during objtool" { interrupt objtool TERM; }
@test "SIGHUP during objtool" { interrupt objtool HUP; }
@test "SIGINT during the cpp pass" { interrupt cpp INT; }
@test "SIGTERM during the cpp pass" { interrupt cpp TERM; }
@test "SIGHUP during the cpp pass" { interrupt cpp HUP; }
@test "SIGINT during genksyms" { interrupt genksyms INT; }
@test "SIGTERM during genksyms" { interrupt genksyms TERM; }
@test "SIGHUP during genksyms" { interrupt genksyms HUP; }

make_tree() {
	local dir=$1 x
	mkdir -p "$dir"
	cp export.h "$dir/"
	for x in a b c d; do
		sed "s/answer/answer_$x/g; s/ask_twice/ask_twice_$x/g" answer.c >"$dir/$x.c"
	done
	printf '%s\n' 'OBJS = a.o b.o c.o d.o' 'all: $(OBJS)' '%.o: %.c' \
		"	$KOBJC --objtool=$FAKEBIN/objtool --objtool-arg=--orc --genksyms=$FAKEBIN/genksyms --genksyms-arg=-r --genksyms-arg=/dev/null --symvers=.\$@.symvers \$@ \$< gcc -O2 -fno-asynchronous-unwind-tables -Wp,-MMD,.\$@.d" \
		>"$dir/Makefile"
}

@test "make -j2 interrupted by SIGINT to its process group, then make again: a clean build's objects" {
	make_tree clean
	make -s -C clean -j2
	make_tree tree
	cd tree
	# b.o's compile blocks; the others build around it
	FAKE_FAULT=compile:block FAKE_ONLY=b.c KOBJC_TEST_TAG=$TEST_TAG \
		setsid env --default-signal=INT make -s -j2 >../make.out 2>&1 &
	local pid=$! st=0 pgid x
	wait_for_file "$FAKE_LOG/compile.started"
	pgid=$(cut -d' ' -f5 "/proc/$pid/stat")
	[ "$pgid" = "$pid" ] || fail "make is not its group's leader: $pgid"
	kill -INT -- "-$pgid"
	wait "$pid" || st=$?
	[ "$st" -ne 0 ] || fail "make was not interrupted"
	# make exits when its shells die; kobjc, their child, may still be
	# reaping its step: nothing may be left once it is done
	wait_tagged_gone
	assert_no_temps .
	assert_absent b.o .b.o.symvers
	# what is there is whole
	for x in a c d; do
		if [ -e $x.o ]; then
			cmp $x.o ../clean/$x.o
			cmp .$x.o.symvers ../clean/.$x.o.symvers
		fi
	done
	make -s -j2
	for x in a b c d; do
		cmp $x.o ../clean/$x.o
		cmp .$x.o.symvers ../clean/.$x.o.symvers
	done
	grep -q '^#SYMVER answer_b 0x' .b.o.symvers
	assert_no_temps .
	cd ..
}

# kobjc: see README.md. `make` builds ./kobjc, `make check` runs the tests.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
CFLAGS ?= -O2 -g
# Always on, whatever CFLAGS the user gives.
KOBJC_CFLAGS = -std=c11 -Wall -Wextra -Werror
KOBJC_LDFLAGS = -static

all: kobjc

kobjc: kobjc.c kobjc.h
	$(CC) $(KOBJC_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(KOBJC_LDFLAGS) $(LDFLAGS) -o $@ kobjc.c

# kobjc with the 2009 two-step recipe (cc -S, then assemble) as its table.
kobjc-2009: kobjc.c kobjc.h
	$(CC) $(KOBJC_CFLAGS) $(CPPFLAGS) $(CFLAGS) -DKOBJC_RECIPE_2009 $(KOBJC_LDFLAGS) $(LDFLAGS) -o $@ kobjc.c

# The README's main job: the recipe on sample objects, explained.
demo: kobjc
	tests/demo/run

check: kobjc
	tests/need-packages bats bats-assert bats-support gcc ccache distcc python3
	bats tests

install: kobjc
	mkdir -p $(DESTDIR)$(BINDIR)
	cp kobjc $(DESTDIR)$(BINDIR)/kobjc
	chmod 755 $(DESTDIR)$(BINDIR)/kobjc

clean:
	rm -f kobjc kobjc-2009 tests/demo/*.o tests/demo/.*.d

.PHONY: all demo check install clean

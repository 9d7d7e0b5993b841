# SPDX-License-Identifier: GPL-2.0
#
# make            install build dependencies, build beaver.ko and user space
# make check      everything CI runs; ends with one "N passed, N failed" line
# make check-full make check, the long soak (1,000 snapshots in scenario 16)
#                 and make mutants
# make demo       a VM with gateways, members and traffic: snapshots, shown
# make vm-test    the VM bench scenarios only
# make kunit      the KUnit suites on User Mode Linux
# make unit       the user-space unit tests (cmocka, sanitizers)
# make oracle-selftest  the consistency oracle on documents of known verdict
# make fuzz       libFuzzer on every outside-input parser (FUZZ_SECONDS)
# make lint       cppcheck and clang-tidy on user space
# make examples   examples/bank, built against libbeaver-app as make install
#                 puts it (a scratch DESTDIR), through pkg-config only
# make ynl-check  netlink/beaver.yaml (the YNL spec) against the uapi header
#                 and the module's policies, and the check's self-test
# make mutants    deliberately broken builds the VM scenarios must catch
# make bench      the data path with and without Beaver, side by side in one
#                 VM (docs/performance.md): table, JSON and plots
# make deb       the Debian packages beaver and beaver-dkms (debian/) in
#                 build/deb/, built from a copy of the tree
# make deb-check  make deb, then lintian and a dkms build of the packaged
#                 source in scratch trees (part of make check)
# make bench-smoke  its short variant (ratios only, under -icount); fails if
#                 snapshots cost GRO or TCP throughput with snapshots running
#                 drops below 0.9 of the module-absent one (the option
#                 encoding, its control, must fail both)
# make profile    where the module's instructions go on a round trip, by
#                 role and by function (bench/profile/run.sh; PROFILE_FUNCS
#                 adds functions shown block by block, with source lines)
#
# KDIR selects the kernel to build against. The running kernel on the build
# machines cannot load modules, so the default is Debian's installed headers,
# never `uname -r`.

KVER ?= $(shell ls -1 /lib/modules 2>/dev/null | grep -- '-amd64$$' | sort -V | tail -n1)
KDIR ?= /lib/modules/$(KVER)/build
BUILD ?= $(CURDIR)/build
export KVER KDIR BUILD

CC ?= cc
USER_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	       -Ikmod/uapi -Inetfilter -Ilib $(EXTRA_USER_CFLAGS)
SAN_CFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	      -fno-sanitize-recover=all
export USER_CFLAGS SAN_CFLAGS

.PHONY: all deps module user unit kunit vm-test checkpatch sparse check \
	check-full demo clean fuzz fuzz-smoke lint install oracle-selftest \
	mutants bench bench-smoke ynl-check deb deb-check examples profile

all: deps module user

deps:
	@scripts/install-deps.sh

module: deps
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

user: deps
	$(MAKE) -f tests/tools/Makefile
	$(MAKE) -f beaverd/Makefile
	$(MAKE) -f beaverctl/Makefile
	$(MAKE) -f libbeaver-app/Makefile

unit: deps
	$(MAKE) -f libbeaver-app/Makefile
	$(MAKE) -f tests/unit/Makefile run

kunit: deps
	scripts/kunit.sh

# the oracle of the VM bench (docs/oracle.md), built with the sanitizers,
# against hand-made exports whose verdicts are known
oracle-selftest: deps
	$(MAKE) -f tests/tools/Makefile BUILD=$(BUILD)/san SAN=1 $(BUILD)/san/bvoracle
	tests/tools/oracle-selftest.sh $(BUILD)/san/bvoracle

vm-test: module user examples
	tests/vm/run.sh

# tests/mutants/*.patch, one at a time (scripts/mutants.sh): each must
# make its VM scenario fail
mutants: module user
	scripts/mutants.sh

# docs/performance.md; bench/run.sh
bench: module user
	bench/run.sh

bench-smoke: module user
	bench/run.sh --smoke

# docs/performance.md, "Where the instructions go"
profile: module user
	bench/profile/run.sh $(PROFILE_FUNCS)

checkpatch: deps
	scripts/checkpatch.sh

# netlink/beaver.yaml against kmod/uapi/beaver.h and kmod/netlink.c's
# policies (docs/netlink.md); then mutants of the spec and of the sources
# that the check must catch
ynl-check: deps
	scripts/ynl-check.py
	scripts/ynl-check.py --selftest

# libFuzzer over every parser of outside input: `make fuzz` runs each for
# FUZZ_SECONDS (default 60), `make fuzz-smoke` each over its committed
# corpus plus a few seconds (part of make check)
fuzz: deps
	$(MAKE) -f tests/fuzz/Makefile fuzz

fuzz-smoke: deps
	$(MAKE) -f tests/fuzz/Makefile fuzz-smoke

# cppcheck and clang-tidy (.clang-tidy) on user space
lint: deps
	scripts/lint-user.sh

sparse: deps
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 CF="-D__CHECK_ENDIAN__" modules

check: deps
	scripts/check.sh

check-full: deps
	CHECK_FULL=1 scripts/check.sh

demo: module user examples
	tests/vm/run.sh --demo

# Installs user space, units, man pages and completion under DESTDIR, and
# the module's source where DKMS expects it (then: dkms install
# beaver/$(VERSION)). Packaging builds on this.
VERSION := 0.1.0
PREFIX ?= /usr
LIBDIR ?= $(PREFIX)/lib/$(shell $(CC) -print-multiarch 2>/dev/null)
export PREFIX LIBDIR
DKMS_SRC := $(DESTDIR)/usr/src/beaver-$(VERSION)
install: user
	install -D -m 0755 $(BUILD)/beaverd $(DESTDIR)$(PREFIX)/sbin/beaverd
	install -D -m 0755 $(BUILD)/beaverctl $(DESTDIR)$(PREFIX)/sbin/beaverctl
	install -D -m 0644 systemd/beaverd.service \
		$(DESTDIR)/lib/systemd/system/beaverd.service
	install -D -m 0644 systemd/beaver.sysusers \
		$(DESTDIR)/usr/lib/sysusers.d/beaver.conf
	install -D -m 0644 man/beaverd.8 $(DESTDIR)$(PREFIX)/share/man/man8/beaverd.8
	install -D -m 0644 man/beaverd.conf.5 \
		$(DESTDIR)$(PREFIX)/share/man/man5/beaverd.conf.5
	install -D -m 0644 man/beaverctl.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/beaverctl.8
	install -D -m 0644 beaverctl/completion.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/beaverctl
	install -D -m 0644 $(BUILD)/libbeaver-app.so.0 \
		$(DESTDIR)$(LIBDIR)/libbeaver-app.so.0
	ln -sf libbeaver-app.so.0 $(DESTDIR)$(LIBDIR)/libbeaver-app.so
	install -D -m 0644 $(BUILD)/libbeaver-app.pc \
		$(DESTDIR)$(LIBDIR)/pkgconfig/libbeaver-app.pc
	install -D -m 0644 libbeaver-app/beaver-app.h \
		$(DESTDIR)$(PREFIX)/include/beaver-app.h
	install -D -m 0644 man/libbeaver-app.3 \
		$(DESTDIR)$(PREFIX)/share/man/man3/libbeaver-app.3
	install -D -m 0644 libbeaver-app/python/beaver_app.py \
		$(DESTDIR)$(PREFIX)/lib/python3/dist-packages/beaver_app.py
	install -d $(DKMS_SRC)
	install -m 0644 Kbuild dkms.conf $(DKMS_SRC)/
	for f in kmod/*.[ch] kmod/uapi/*.h netfilter/*.[ch]; do \
		install -D -m 0644 $$f $(DKMS_SRC)/$$f; done

# examples/bank, built the way a user builds it: against libbeaver-app as
# `make install` lays it out (here a scratch DESTDIR), found by pkg-config
# alone, no path into this tree. The programs land in $(BUILD), so the VM
# image carries them (scenario 43, make demo); the rpath finds the library
# in the scratch tree, where the image copies it to (by its path). Then
# bank-check's self-test: a real snapshot, and copies broken one way each.
EXAMPLES_ROOT := $(BUILD)/examples-root
examples: user
	rm -rf $(EXAMPLES_ROOT)
	$(MAKE) install DESTDIR=$(EXAMPLES_ROOT)
	PKG_CONFIG_PATH=$(EXAMPLES_ROOT)$(LIBDIR)/pkgconfig \
	PKG_CONFIG_SYSROOT_DIR=$(EXAMPLES_ROOT) \
		$(MAKE) -C examples/bank OUT=$(BUILD) \
		LDFLAGS=-Wl,-rpath,$(EXAMPLES_ROOT)$(LIBDIR)
	examples/bank/tests/selftest.sh $(BUILD)/bank-check

# dpkg-buildpackage in a copy of the files git knows (tracked, and new
# ones not ignored) under $(DEB_DIR)/src: the package build's own files
# (debian/tmp, debian/build, debian/files) never land in this tree. The
# .deb, .changes and .buildinfo files end in $(DEB_DIR).
DEB_DIR := $(BUILD)/deb
DEB_SRC := $(DEB_DIR)/src/beaver-$(VERSION)
deb: deps
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_SRC)
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard | \
			tar --null -T - --ignore-failed-read -cf - | \
			tar -xf - -C $(DEB_SRC); \
	else \
		tar --exclude=./build -cf - . | tar -xf - -C $(DEB_SRC); \
	fi
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b
	mv $(DEB_DIR)/src/*.deb $(DEB_DIR)/src/*.changes \
		$(DEB_DIR)/src/*.buildinfo $(DEB_DIR)/
	@ls -l $(DEB_DIR)/*.deb

# make deb, then lintian, the packages' contents, the packaged beaverctl,
# and dkms add/build of the packaged source against $(KVER)'s headers in
# scratch trees (scripts/deb-check.sh; the `deb` step of make check)
deb-check: deb
	scripts/deb-check.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)

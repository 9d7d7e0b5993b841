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
# make ynl-check  netlink/beaver.yaml (the YNL spec) against the uapi header
#                 and the module's policies, and the check's self-test
# make mutants    deliberately broken builds the VM scenarios must catch
# make bench      the data path with and without Beaver, side by side in one
#                 VM (docs/performance.md): table, JSON and plots
# make bench-smoke  its short variant (ratios only); fails if TCP throughput
#                 with snapshots running is below 0.9 of the module-absent one
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
	       -Ikmod/uapi -Inetfilter -Ilib
SAN_CFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	      -fno-sanitize-recover=all
export USER_CFLAGS SAN_CFLAGS

.PHONY: all deps module user unit kunit vm-test checkpatch sparse check \
	check-full demo clean fuzz fuzz-smoke lint install oracle-selftest \
	mutants bench bench-smoke ynl-check

all: deps module user

deps:
	@scripts/install-deps.sh

module: deps
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

user: deps
	$(MAKE) -f tests/tools/Makefile
	$(MAKE) -f beaverd/Makefile
	$(MAKE) -f beaverctl/Makefile

unit: deps
	$(MAKE) -f tests/unit/Makefile run

kunit: deps
	scripts/kunit.sh

# the oracle of the VM bench (docs/oracle.md), built with the sanitizers,
# against hand-made exports whose verdicts are known
oracle-selftest: deps
	$(MAKE) -f tests/tools/Makefile BUILD=$(BUILD)/san SAN=1 $(BUILD)/san/bvoracle
	tests/tools/oracle-selftest.sh $(BUILD)/san/bvoracle

vm-test: module user
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

demo: module user
	tests/vm/run.sh --demo

# Installs user space, units, man pages and completion under DESTDIR, and
# the module's source where DKMS expects it (then: dkms install
# beaver/$(VERSION)). Packaging builds on this.
VERSION := 0.1.0
PREFIX ?= /usr
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
	install -d $(DKMS_SRC)
	install -m 0644 Kbuild dkms.conf $(DKMS_SRC)/
	for f in kmod/*.[ch] kmod/uapi/*.h netfilter/*.[ch]; do \
		install -D -m 0644 $$f $(DKMS_SRC)/$$f; done

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)

# zsx user entry points. The kernel build itself is driven by ./Kbuild.
#
# Building and installing on your own machine (needs only the kernel headers,
# make, gcc and g++; installs no package):
#   make [KDIR=<headers>]    zsx.ko and zsxram.ko for KDIR (default: the running
#                            kernel, /lib/modules/$(uname -r)/build)
#   make install             install them under /lib/modules/<ver>/updates and run depmod
#                            (INSTALL_MOD_PATH=<root> stages them elsewhere)
#   make tests               the test modules too (zsx_testctl, zsx_bench, zsx_stress, KUnit)
#   make dkms-install        register with DKMS so every new kernel gets zsx built
#
# Test and VM targets (install the Debian packages they need, build test kernels):
#   make demo         boot an x86_64 VM and show zsx at work
#   make check        every test CI runs (ARCH=x86_64|arm64 for one arch, KERNEL=6.1|6.12|7.3
#                     for one kernel line's VM steps)
#   make host-test    hosted GoogleTest builds of the C++ core only
#   make bench        side-by-side benchmarks in one VM boot (ARCH=x86_64|arm64, QUICK=1,
#                     KERNEL=6.1|6.12|7.3: the perf kernel's line, default 7.3);
#                     arm64 adds an -icount boot: exact instructions per operation (ICOUNT=0|only)
#   make trace        perf in a VM: per-path zs_free latency, zsx beside the kernel's zsmalloc (ARCH=...)
#   make stress       long sanitizer/fault-injection runs (STRESS_SECS per phase, KERNELS=arch:variant...)
#   make kernel       build the test kernel for ARCH/VARIANT/KERNEL (default: this machine's arch,
#                     debug, 6.1)
#   make test-modules all modules for that test kernel, with the link lint
SHELL := /bin/bash
VARIANT ?= debug
HOST_ARCH := $(shell uname -m | sed -e 's/aarch64/arm64/')
BUILD_ARCH := $(or $(ARCH),$(HOST_ARCH))
KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
# a cross build names ARCH (and CROSS_COMPILE); a native one lets the kernel's Makefile decide
kmake = $(MAKE) -C $(KDIR) M=$(CURDIR) $(if $(ARCH),ARCH=$(subst x86_64,x86,$(ARCH))) \
	$(if $(CROSS_COMPILE),CROSS_COMPILE=$(CROSS_COMPILE))

.PHONY: all modules tests install uninstall dkms-install dkms-uninstall prereq \
	check demo host-test kernel test-modules deps bench trace stress clean

all: modules

prereq:
	@test -f $(KDIR)/Makefile || { echo "zsx: no kernel build tree at $(KDIR): install linux-headers-$(KVER) or pass KDIR=<tree>" >&2; exit 1; }
	@command -v $(CROSS_COMPILE)g++ >/dev/null || { echo "zsx: $(CROSS_COMPILE)g++ not found: the core is C++ (apt-get install g++)" >&2; exit 1; }

modules: prereq
	$(kmake) modules

tests: prereq
	$(kmake) ZSX_TESTS=1 modules

install: modules
	@# signed with the tree's own key where it has one; distribution headers do not
	@# ship their key (Secure Boot: use dkms-install, which signs with the machine's MOK)
	$(kmake) INSTALL_MOD_DIR=updates $(if $(INSTALL_MOD_PATH),INSTALL_MOD_PATH=$(INSTALL_MOD_PATH)) \
		$(if $(wildcard $(KDIR)/certs/signing_key.pem),,CONFIG_MODULE_SIG_ALL=) modules_install
	@# the release the modules were built for (Debian's headers trees report only the upstream version)
	depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) -a $$(/sbin/modinfo -F vermagic zsx.ko | cut -d' ' -f1)

# DKMS keeps the sources in /usr/src/zsx-<version> and rebuilds zsx.ko and
# zsxram.ko for every kernel installed later (dkms.conf).
dkms-install:
	rm -rf /usr/src/zsx-$(DKMS_VERSION) && mkdir -p /usr/src/zsx-$(DKMS_VERSION)
	cp -a Kbuild dkms.conf COPYING README.md src /usr/src/zsx-$(DKMS_VERSION)/
	rm -rf /usr/src/zsx-$(DKMS_VERSION)/src/generated
	dkms add -m zsx -v $(DKMS_VERSION)
	dkms install -m zsx -v $(DKMS_VERSION) -k $(KVER)

dkms-uninstall:
	dkms remove -m zsx -v $(DKMS_VERSION) --all
	rm -rf /usr/src/zsx-$(DKMS_VERSION)

deps:
	@bash scripts/deps.sh

test-modules: deps
	@k=$$(bash scripts/kernel.sh $(BUILD_ARCH) $(VARIANT) $(or $(KERNEL),6.1)) && \
	  d=$$(bash scripts/modules.sh $(BUILD_ARCH) $$k $(or $(KERNEL),6.1)-$(BUILD_ARCH)-$(VARIANT)) && \
	  bash scripts/lint.sh $(BUILD_ARCH) $$k $$d && ls -l $$d/*.ko

kernel: deps
	@bash scripts/kernel.sh $(BUILD_ARCH) $(VARIANT) $(or $(KERNEL),6.1)

check:
	@ARCH="$(ARCH)" KERNEL="$(KERNEL)" ONLY="$(ONLY)" bash scripts/check.sh

demo:
	@bash scripts/demo.sh

host-test:
	@bash scripts/host-test.sh

bench:
	@ICOUNT="$(ICOUNT)" KERNEL="$(KERNEL)" bash scripts/bench.sh $(BUILD_ARCH) $(if $(QUICK),quick,full)

stress:
	@bash scripts/stress.sh $(or $(STRESS_SECS),300) "$(or $(KERNELS),x86_64:debug arm64:debug x86_64:kcsan)"

trace:
	@bash scripts/trace.sh $(BUILD_ARCH)

clean:
	-$(kmake) clean 2>/dev/null
	rm -rf build src/generated

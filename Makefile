# zsx user entry points (make help lists them). The kernel build itself is
# driven by ./Kbuild.
SHELL := /bin/bash
VARIANT ?= debug
HOST_ARCH := $(shell uname -m | sed -e 's/aarch64/arm64/')
BUILD_ARCH := $(or $(ARCH),$(HOST_ARCH))
KVER ?= $(shell uname -r)
# values checked up front (a kernel cross build names ARCH=arm64; x86_64 is x86)
ifneq ($(filter-out x86_64 arm64,$(ARCH)),)
$(error zsx: ARCH=$(ARCH): use x86_64 or arm64 (make help))
endif
ifneq ($(filter-out 6.1 6.12 7.3,$(KERNEL)),)
$(error zsx: KERNEL=$(KERNEL): use 6.1, 6.12 or 7.3 (make help))
endif
ifneq ($(filter-out debug perf kcsan debug+64k debug+16k,$(VARIANT)),)
$(error zsx: VARIANT=$(VARIANT): use debug, perf, kcsan, debug+64k or debug+16k (make help))
endif
KDIR ?= /lib/modules/$(KVER)/build
# a cross build names ARCH (and CROSS_COMPILE); a native one lets the kernel's Makefile decide.
# No BTF for zsx's modules: pahole (1.24 in Debian 12) cannot encode the C++
# objects' debug information, and headers that ship vmlinux (Debian's 6.12)
# would have it try (dkms.conf.in builds the same way).
kmake = $(MAKE) -C $(KDIR) M=$(CURDIR) $(if $(ARCH),ARCH=$(subst x86_64,x86,$(ARCH))) \
	$(if $(CROSS_COMPILE),CROSS_COMPILE=$(CROSS_COMPILE)) CONFIG_DEBUG_INFO_BTF_MODULES=

.PHONY: all modules tests install uninstall dkms-install dkms-uninstall deb prereq help \
	check demo host-test kernel test-modules deps bench trace stress clean

all: modules

help:
	@echo 'zsx: a zsmalloc-compatible allocator as a kernel module (README.md).'
	@echo
	@echo 'On your machine (kernel headers, make, gcc, g++; installs no package itself):'
	@echo '  make                  build zsx.ko and zsxram.ko for KVER (default: the running kernel)'
	@echo '  make install          install them in /lib/modules/KVER/updates, run depmod'
	@echo '  make uninstall        remove what make install installed for KVER'
	@echo '  make dkms-install     sources to /usr/src/zsx-<version>, DKMS builds for KVER and,'
	@echo '                        through zsx'"'"'s kernel hook, for every later kernel in range'
	@echo '  make dkms-uninstall   undo dkms-install'
	@echo '  make deb              build/zsx-dkms_<version>_all.deb (needs debhelper, dh-dkms)'
	@echo '  make tests            the test modules too (never installed)'
	@echo '  make clean'
	@echo
	@echo 'Tests, VMs and benchmarks (root; install the Debian packages they need with apt-get,'
	@echo 'build test kernels into ~/.cache/zsx; make deps says what it installs):'
	@echo '  make demo             boot an x86_64 VM and show zsx at work'
	@echo '  make check            every test CI runs (ARCH=, KERNEL=, ONLY=vm|<scenario>)'
	@echo '  make host-test        the C++ core'"'"'s hosted tests only'
	@echo '  make bench            benchmarks in one VM boot (ARCH=, KERNEL=, QUICK=1, ICOUNT=0|only)'
	@echo '  make trace            perf in a VM: zs_free time per path (ARCH=)'
	@echo '  make stress           long sanitizer and fault-injection runs (STRESS_SECS=, KERNELS=)'
	@echo '  make kernel           build one test kernel (ARCH=, VARIANT=, KERNEL=)'
	@echo '  make test-modules     every module for that test kernel, with the link lint'
	@echo '  make deps             install the packages the test targets need'
	@echo
	@echo 'Variables:'
	@echo '  KVER=<release>        kernel to build or install for (default: uname -r; set it'
	@echo '                        in a chroot or for a kernel you do not run)'
	@echo '  KDIR=<tree>           kernel build tree (default: /lib/modules/KVER/build)'
	@echo '  ARCH=x86_64|arm64     arch of the VMs, or a cross build (with CROSS_COMPILE=)'
	@echo '  KERNEL=6.1|6.12|7.3   kernel line of the VM steps (check), of the perf kernel (bench)'
	@echo '  VARIANT=debug|perf|kcsan|debug+64k|debug+16k   test kernel configuration'
	@echo '  INSTALL_MOD_PATH=<root>   install into a staging root'

prereq:
	@test -f $(KDIR)/Makefile || { echo "zsx: no kernel build tree at $(KDIR): install linux-headers-$(KVER) or pass KDIR=<tree>" >&2; exit 1; }
	@command -v $(CROSS_COMPILE)g++ >/dev/null || { echo "zsx: $(CROSS_COMPILE)g++ not found: the core is C++ (apt-get install g++)" >&2; exit 1; }

modules: prereq
	$(kmake) modules

tests: prereq
	$(kmake) ZSX_TESTS=1 modules

install: modules
	@# signed with the tree's own key where it has one; distribution headers do not
	@# ship their key (Secure Boot: use the package or dkms-install, which sign with
	@# the machine's MOK)
	$(kmake) INSTALL_MOD_DIR=updates $(if $(INSTALL_MOD_PATH),INSTALL_MOD_PATH=$(INSTALL_MOD_PATH)) \
		$(if $(wildcard $(KDIR)/certs/signing_key.pem),,CONFIG_MODULE_SIG_ALL=) modules_install
	@# the release the modules were built for (Debian's headers trees report only the upstream version)
	depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) -a $$(/sbin/modinfo -F vermagic zsx.ko | cut -d' ' -f1)

# the modules `make install` put in /lib/modules/$(KVER)/updates (built with
# KDIR=: pass the KVER they were built for)
uninstall:
	@# compressed (.ko.xz, .ko.zst) where the kernel compresses its modules
	rm -f $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/updates/zsx.ko* $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/updates/zsxram.ko*
	@if [ -d $(INSTALL_MOD_PATH)/lib/modules/$(KVER) ]; then \
		echo "depmod $(KVER)"; depmod $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) -a $(KVER); fi

# DKMS keeps the sources in /usr/src/zsx-<version> and builds zsx.ko and
# zsxram.ko for KVER; zsx's kernel hook builds them for every kernel installed
# later within the supported range (dkms.conf.in). Run again, it replaces what
# it installed; the package zsx-dkms does the same and excludes these two.
ZSX_HOOKS := /etc/kernel/postinst.d/dkms-zsx /etc/kernel/header_postinst.d/dkms-zsx
not-packaged = @if dpkg-query -W -f='$${Status}' zsx-dkms 2>/dev/null | grep -q ' installed'; then \
	echo "zsx: the zsx-dkms package is installed: remove it first (apt remove zsx-dkms)" >&2; exit 1; fi

dkms-install:
	$(not-packaged)
	@command -v dkms >/dev/null || { echo "zsx: dkms is not installed (apt-get install dkms)" >&2; exit 1; }
	rm -rf build/dkms && ver=$$(bash scripts/dkms-tree.sh build/dkms) && \
	if [ -n "$$(dkms status -m zsx -v $$ver)" ]; then dkms remove -m zsx -v $$ver --all; fi && \
	rm -rf /usr/src/zsx-$$ver && cp -a build/dkms/zsx-$$ver /usr/src/ && \
	dkms add -m zsx -v $$ver && dkms install -m zsx -v $$ver -k $(KVER) && \
	for h in $(ZSX_HOOKS); do install -D -m755 build/dkms/dkms-zsx $$h; done

dkms-uninstall:
	$(not-packaged)
	@for v in $$(ls /var/lib/dkms/zsx 2>/dev/null | grep -v '^kernel-'); do \
		echo "dkms remove zsx/$$v --all"; dkms remove -m zsx -v $$v --all || exit 1; \
		rm -rf /usr/src/zsx-$$v; done
	rm -f $(ZSX_HOOKS)

# the Debian package zsx-dkms_<version>_all.deb (dh-dkms), in build/
deb:
	@for p in debhelper dh-dkms dpkg-dev; do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q ' installed' || \
		{ echo "zsx: make deb needs debhelper, dh-dkms and dpkg-dev (apt-get install debhelper dh-dkms dpkg-dev)" >&2; exit 1; }; done
	rm -rf build/deb && mkdir -p build/deb/src && ver=$$(bash scripts/dkms-tree.sh build/deb/src) && \
	cp -a debian build/deb/src/ && mkdir build/deb/src/examples && cp -a contrib/examples/. build/deb/src/examples/ && \
	cp README.md build/deb/src/ && \
	printf 'zsx (%s) unstable; urgency=medium\n\n  * zsx %s.\n\n -- zsx developers <zsx@localhost>  %s\n' \
		"$$ver" "$$ver" "$$(date -R -d @$$(git log -1 --format=%ct 2>/dev/null || date +%s))" > build/deb/src/debian/changelog && \
	echo README.md > build/deb/src/debian/zsx-dkms.docs && \
	(cd build/deb/src && dpkg-buildpackage -b -us -uc >../build.log 2>&1) || { cat build/deb/build.log >&2; exit 1; } && \
	cp build/deb/zsx-dkms_$${ver}_all.deb build/ && echo "build/zsx-dkms_$${ver}_all.deb"

# every package make check needs (make help: what each target installs)
deps:
	@bash scripts/deps.sh
kernel-deps = @bash scripts/deps.sh build source $(if $(filter arm64,$(BUILD_ARCH)),arm64)

test-modules:
	$(kernel-deps)
	@k=$$(bash scripts/kernel.sh $(BUILD_ARCH) $(VARIANT) $(or $(KERNEL),6.1)) && \
	  d=$$(bash scripts/modules.sh $(BUILD_ARCH) $$k $(or $(KERNEL),6.1)-$(BUILD_ARCH)-$(VARIANT)) && \
	  bash scripts/lint.sh $(BUILD_ARCH) $$k $$d && ls -l $$d/*.ko

kernel:
	$(kernel-deps)
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

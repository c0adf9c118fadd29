# zsx user entry points. The kernel build itself is driven by ./Kbuild.
#   make              modules for the default test kernel (ARCH=x86_64 VARIANT=debug), or KDIR=<tree>
#   make demo         boot an x86_64 VM and show zsx at work
#   make check        every test CI runs (ARCH=x86_64|arm64 for one arch)
#   make host-test    hosted GoogleTest builds of the C++ core only
#   make bench        side-by-side benchmarks in one VM boot (ARCH=x86_64|arm64, QUICK=1);
#                     arm64 adds an -icount boot: exact instructions per operation (ICOUNT=0|only)
#   make trace        perf in a VM: per-path zs_free latency, zsx beside the kernel's zsmalloc (ARCH=...)
#   make stress       long sanitizer/fault-injection runs (STRESS_SECS per phase, KERNELS=arch:variant...)
#   make kernel       build/fetch the test kernel for ARCH/VARIANT
SHELL := /bin/bash
VARIANT ?= debug
BUILD_ARCH := $(or $(ARCH),x86_64)

.PHONY: all modules check demo host-test kernel deps bench trace stress clean

all: modules

deps:
	@bash scripts/deps.sh

modules: deps
ifeq ($(KDIR),)
	@k=$$(bash scripts/kernel.sh $(BUILD_ARCH) $(VARIANT)) && \
	  d=$$(bash scripts/modules.sh $(BUILD_ARCH) $$k $(BUILD_ARCH)-$(VARIANT)) && \
	  bash scripts/lint.sh $(BUILD_ARCH) $$k $$d && ls -l $$d/*.ko
else
	@d=$$(bash scripts/modules.sh $(BUILD_ARCH) $(KDIR) custom-$$(echo $(KDIR) | sha1sum | cut -c1-8)) && \
	  bash scripts/lint.sh $(BUILD_ARCH) $(KDIR) $$d && ls -l $$d/*.ko
endif

kernel: deps
	@bash scripts/kernel.sh $(BUILD_ARCH) $(VARIANT)

check:
	@ARCH="$(ARCH)" bash scripts/check.sh

demo:
	@bash scripts/demo.sh

host-test:
	@bash scripts/host-test.sh

bench:
	@ICOUNT="$(ICOUNT)" bash scripts/bench.sh $(BUILD_ARCH) $(if $(QUICK),quick,full)

stress:
	@bash scripts/stress.sh $(or $(STRESS_SECS),300) "$(or $(KERNELS),x86_64:debug arm64:debug x86_64:kcsan)"

trace:
	@bash scripts/trace.sh $(BUILD_ARCH)

clean:
	rm -rf build

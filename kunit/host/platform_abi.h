// SPDX-License-Identifier: GPL-2.0
// The hosted platform's C names that the tests use directly, as they would use
// the kernel platform's (src/kernel/platform_abi.h). Everything else of the
// hosted platform is HostedPlatform (host_platform_face.hpp).
#pragma once

struct zsx_plat_page;

extern "C" {
// nonzero: the trace hooks count (HostedPlatform::tracing)
extern int zsx_plat_trace_active;
// HostedPlatform::flush_deferred_releases
void zsx_plat_flush_deferred_releases(void);
// the PFN of a hosted page, whichever memory model the core is built with
unsigned long zsx_plat_page_to_pfn(struct zsx_plat_page *p);
}

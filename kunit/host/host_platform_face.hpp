// SPDX-License-Identifier: GPL-2.0
// HostedPlatform: the hosted test shim's face of the platform interface
// (src/core/platform_concept.hpp). Included by the core's platform.hpp under
// ZSX_HOSTED; freestanding like the core (no library header). AbiPlatform's
// forwarders reach the C functions host_platform.cpp defines, its memory model
// runs on the host's "vmemmap" (ZSX_HOSTED_INLINE_MM=1) or calls into it (=0);
// only the handles differ: counted one-word allocations.
#pragma once

#include "platform_abi_face.hpp"

namespace host {
// handles: one word each, counted in host::handles_live (host_platform.cpp)
unsigned long *handle_alloc(unsigned gfp);
void handle_free(unsigned long *h);
} // namespace host

namespace zsx {

struct HostedPlatform : AbiPlatform {
	static unsigned long *handle_alloc(unsigned gfp) { return host::handle_alloc(gfp); }
	static void handle_free(unsigned long *h) { host::handle_free(h); }
};

} // namespace zsx

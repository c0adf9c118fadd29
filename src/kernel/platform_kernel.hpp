// SPDX-License-Identifier: GPL-2.0
// KernelPlatform: the kernel shim's face of the platform interface
// (src/core/platform_concept.hpp), included by the core's platform.hpp. What
// it does differently from the plain forwarders of AbiPlatform, inline:
// spin_lock/spin_unlock as the kernel's own _raw_spin_lock/_raw_spin_unlock
// calls where zsx_kconst.h says that is what they are, and handles straight
// from the handle kmem_cache. C++ only: no kernel header is included (the core
// sees none).
#pragma once

#include "platform_abi_face.hpp"
#include "zsx_features.h"

namespace zsx {

// spin_lock()/spin_unlock() are these calls on the target kernel (spinlock_t
// starts with its raw lock: platform.c asserts it)
#if ZSX_K_RAW_SPIN_LOCK_CALL
extern "C" void _raw_spin_lock(zsx_plat_spinlock *lock);
#endif
#if ZSX_K_RAW_SPIN_UNLOCK_CALL
extern "C" void _raw_spin_unlock(zsx_plat_spinlock *lock);
#endif
// kmem_cache_alloc() is a macro around kmem_cache_alloc_noprof() from 6.10 on
// (zsx_features.h); the handle cache's objects are not tagged for memory
// allocation profiling, as a call through the macro would be
#ifdef ZSX_HAVE_KMEM_CACHE_ALLOC_NOPROF
extern "C" void *kmem_cache_alloc_noprof(void *cache, unsigned gfp);
#define ZSX_KMEM_CACHE_ALLOC kmem_cache_alloc_noprof
#else
extern "C" void *kmem_cache_alloc(void *cache, unsigned gfp);
#define ZSX_KMEM_CACHE_ALLOC kmem_cache_alloc
#endif
extern "C" void kmem_cache_free(void *cache, void *obj);

struct KernelPlatform : AbiPlatform {
#if ZSX_K_RAW_SPIN_LOCK_CALL
	static void lock(zsx_plat_spinlock *l) { _raw_spin_lock(l); }
#endif
#if ZSX_K_RAW_SPIN_UNLOCK_CALL
	static void unlock(zsx_plat_spinlock *l) { _raw_spin_unlock(l); }
#endif
	// the handle cache's objects, as zsx_meta_gfp() would (the zone bits stripped)
	static unsigned long *handle_alloc(unsigned gfp)
	{
		return static_cast<unsigned long *>(
			ZSX_KMEM_CACHE_ALLOC(zsx_plat_handle_cache, gfp & ~unsigned(ZSX_K_GFP_ZONE_BITS)));
	}
	static void handle_free(unsigned long *h) { kmem_cache_free(zsx_plat_handle_cache, h); }
};

} // namespace zsx

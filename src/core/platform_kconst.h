/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a platform takes from its zsx_kconst.h (the kernel's is generated from
 * its headers by src/kernel/kconst.c, as asm-offsets.h is; the hosted tests'
 * is kunit/host/zsx_kconst.h): the constants of the platform interface
 * (platform_concept.hpp) and, with ZSX_K_INLINE_MM, the memory model as
 * arithmetic on bases the platform computes once at load, so pfn -> page ->
 * owner -> address need no call. KconstPlatform, C++, is the base of both
 * platforms; the bases are plain C (the kernel's platform.c sets them).
 */
#ifndef ZSX_PLATFORM_KCONST_H
#define ZSX_PLATFORM_KCONST_H

#include "zsx_kconst.h"

/*
 * The memory model: page of pfn = page_array + pfn * sizeof(struct page);
 * address of pfn = direct_map + (pfn << PAGE_SHIFT); pfns at or above
 * pfn_limit are not memory (raised on memory hotplug).
 */
struct zsx_plat_mm {
	unsigned long page_array; /* vmemmap */
	unsigned long direct_map;
	unsigned long pfn_limit;
};

#ifdef __cplusplus
extern "C" {
#endif
extern struct zsx_plat_mm zsx_plat_mm;
#ifdef __cplusplus
}

#include "atomic.hpp"
#include "platform_concept.hpp"

namespace zsx {

struct KconstPlatform {
	// ---- constants ----
	static constexpr bool kInlineMm = ZSX_K_INLINE_MM != 0;
	static constexpr usize kCacheLine = ZSX_K_CACHELINE;
	static constexpr unsigned kGfpKernel = ZSX_K_GFP_KERNEL;
	static constexpr unsigned kGfpAtomic = ZSX_K_GFP_ATOMIC;
	static constexpr usize kSpinLockSize = ZSX_K_SPINLOCK_SIZE;
	static constexpr usize kSpinLockAlign = ZSX_K_SPINLOCK_ALIGN;
	static constexpr usize kRwLockSize = ZSX_K_RWLOCK_SIZE;
	static constexpr usize kRwLockAlign = ZSX_K_RWLOCK_ALIGN;

#if ZSX_K_INLINE_MM
	// ---- pages: the memory model inline (a platform without it defines these itself) ----
	// nullptr above the highest PFN of any online node (one compare); a PFN in
	// a hole below it is not caught (its vmemmap may be unbacked): debug pools
	// use pfn_to_page_checked (pfn_valid())
	static zsx_plat_page *pfn_to_page(unsigned long pfn)
	{
		if (zsx_unlikely(pfn >= load_relaxed(&zsx_plat_mm.pfn_limit)))
			return nullptr;
		return reinterpret_cast<zsx_plat_page *>(zsx_plat_mm.page_array + pfn * ZSX_K_PAGE_SIZEOF);
	}
	static unsigned long page_to_pfn(zsx_plat_page *p)
	{
		return (reinterpret_cast<uptr>(p) - zsx_plat_mm.page_array) / ZSX_K_PAGE_SIZEOF;
	}
	// page->private: the zspage a zsx page belongs to (single-copy atomic read)
	static void *page_owner(zsx_plat_page *p)
	{
		return load_relaxed(
			reinterpret_cast<void *const *>(reinterpret_cast<const u8 *>(p) + ZSX_K_PAGE_PRIVATE));
	}
	// page->index: the owner's tag
	static unsigned long page_tag(zsx_plat_page *p)
	{
		return load_relaxed(
			reinterpret_cast<const ulong *>(reinterpret_cast<const u8 *>(p) + ZSX_K_PAGE_INDEX));
	}
	static u8 *kmap(zsx_plat_page *p)
	{
		return reinterpret_cast<u8 *>(zsx_plat_mm.direct_map + (page_to_pfn(p) << ZSX_PAGE_SHIFT));
	}
	static void kunmap(void *) {}
#endif
};

} // namespace zsx
#endif /* __cplusplus */

#endif

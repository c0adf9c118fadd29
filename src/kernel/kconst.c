// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel constants for the C++ core, generated at build time the way the
 * kernel generates asm-offsets.h: this file is compiled to assembly against
 * the target kernel's headers and Kbuild turns each DEFINE() into a #define
 * of src/generated/zsx_kconst.h. The core includes that header (never a
 * kernel header) to do pfn -> page -> owner -> address inline and to embed
 * locks of the kernel's real size.
 */
#include <linux/kbuild.h>
#include <linux/cache.h>
#include <linux/gfp.h>
#include <linux/mm_types.h>
#include <linux/spinlock.h>
#include <linux/stddef.h>
#include "zsx_compat.h"

/*
 * The inline memory model: pfn_to_page() is vmemmap + pfn and page_address()
 * is a constant offset from the physical address. Otherwise (classic
 * SPARSEMEM, HIGHMEM, 32-bit, tagged KASAN pointers, kmap debugging) the core
 * keeps the out-of-line platform calls.
 */
#if defined(CONFIG_SPARSEMEM_VMEMMAP) && !defined(CONFIG_HIGHMEM) && defined(CONFIG_64BIT) && \
	!defined(CONFIG_KASAN_SW_TAGS) && !defined(CONFIG_KASAN_HW_TAGS) &&                   \
	!defined(CONFIG_DEBUG_KMAP_LOCAL_FORCE_MAP)
#define ZSX_INLINE_MM 1
#else
#define ZSX_INLINE_MM 0
#endif

/*
 * spin_lock()/spin_unlock() are calls to _raw_spin_lock()/_raw_spin_unlock()
 * unless the kernel inlines them (then the core calls the shim); those
 * functions exist only where kernel/locking/spinlock.c is built (SMP or
 * spinlock debugging; on UP they are macros). spinlock_t starts with its
 * raw_spinlock_t on every !PREEMPT_RT kernel.
 */
#if (defined(CONFIG_SMP) || defined(CONFIG_DEBUG_SPINLOCK)) && !defined(CONFIG_PREEMPT_RT)
#define ZSX_SPINLOCK_C 1
#else
#define ZSX_SPINLOCK_C 0
#endif
#if ZSX_SPINLOCK_C && !defined(CONFIG_INLINE_SPIN_LOCK)
#define ZSX_RAW_SPIN_LOCK_CALL 1
#else
#define ZSX_RAW_SPIN_LOCK_CALL 0
#endif
#if ZSX_SPINLOCK_C && defined(CONFIG_UNINLINE_SPIN_UNLOCK)
#define ZSX_RAW_SPIN_UNLOCK_CALL 1
#else
#define ZSX_RAW_SPIN_UNLOCK_CALL 0
#endif
#if ZSX_SPINLOCK_C && !defined(CONFIG_INLINE_SPIN_LOCK_BH)
#define ZSX_RAW_SPIN_LOCK_BH_CALL 1
#else
#define ZSX_RAW_SPIN_LOCK_BH_CALL 0
#endif
#if ZSX_SPINLOCK_C && !defined(CONFIG_INLINE_SPIN_UNLOCK_BH)
#define ZSX_RAW_SPIN_UNLOCK_BH_CALL 1
#else
#define ZSX_RAW_SPIN_UNLOCK_BH_CALL 0
#endif

/* the symbols Kbuild turns into zsx_kconst.h (filechk offsets); never called */
static void __used zsx_kconst_generate(void)
{
	DEFINE(ZSX_K_PAGE_SIZEOF, sizeof(struct page));
	DEFINE(ZSX_K_PAGE_PRIVATE, offsetof(struct page, private));
	DEFINE(ZSX_K_PAGE_INDEX, offsetof(struct page, ZSX_PAGE_TAG_FIELD));
	DEFINE(ZSX_K_SPINLOCK_SIZE, sizeof(spinlock_t));
	DEFINE(ZSX_K_SPINLOCK_ALIGN, __alignof__(spinlock_t));
	DEFINE(ZSX_K_RWLOCK_SIZE, sizeof(rwlock_t));
	DEFINE(ZSX_K_RWLOCK_ALIGN, __alignof__(rwlock_t));
	DEFINE(ZSX_K_CACHELINE, SMP_CACHE_BYTES);
	DEFINE(ZSX_K_INLINE_MM, ZSX_INLINE_MM);
	DEFINE(ZSX_K_RAW_SPIN_LOCK_CALL, ZSX_RAW_SPIN_LOCK_CALL);
	DEFINE(ZSX_K_RAW_SPIN_UNLOCK_CALL, ZSX_RAW_SPIN_UNLOCK_CALL);
	DEFINE(ZSX_K_RAW_SPIN_LOCK_BH_CALL, ZSX_RAW_SPIN_LOCK_BH_CALL);
	DEFINE(ZSX_K_RAW_SPIN_UNLOCK_BH_CALL, ZSX_RAW_SPIN_UNLOCK_BH_CALL);
	DEFINE(ZSX_K_GFP_KERNEL, (__force unsigned int)GFP_KERNEL);
	DEFINE(ZSX_K_GFP_ATOMIC, (__force unsigned int)(GFP_ATOMIC | __GFP_NOWARN));
	DEFINE(ZSX_K_GFP_ZONE_BITS,
	       (__force unsigned int)(__GFP_HIGHMEM | __GFP_MOVABLE | __GFP_DMA | __GFP_DMA32));
}

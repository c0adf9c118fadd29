// SPDX-License-Identifier: GPL-2.0
// C++ face of the platform interface: embedded locks with RAII guards, and the
// hot primitives inline.
//
// zsx_kconst.h holds the target's constants: generated from the kernel's
// headers at build time (src/kernel/kconst.c, like asm-offsets.h), or the
// hosted test platform's model of them (kunit/host/zsx_kconst.h). With
// ZSX_K_INLINE_MM the memory model is arithmetic on bases the shim computes
// once at load (struct zsx_plat_mm): pfn -> page -> owner -> address need no
// call. Otherwise (classic SPARSEMEM, HIGHMEM, 32-bit) the out-of-line calls
// of platform_abi.h remain. Both variants are built and tested.
#pragma once

#include "atomic.hpp"
#include "platform_abi.h"
#include "types.hpp"
#include "zsx_kconst.h"

namespace zsx {

using Page = zsx_plat_page;

inline constexpr usize kCacheLine = ZSX_K_CACHELINE;
inline constexpr unsigned kGfpKernel = ZSX_K_GFP_KERNEL;
inline constexpr unsigned kGfpAtomic = ZSX_K_GFP_ATOMIC; // GFP_ATOMIC | __GFP_NOWARN
inline constexpr bool kInlineMm = ZSX_K_INLINE_MM != 0;

// ---- locks, embedded where they protect ------------------------------------

struct alignas(ZSX_K_SPINLOCK_ALIGN) SpinLock {
	unsigned char storage[ZSX_K_SPINLOCK_SIZE];
	zsx_plat_spinlock *raw() { return reinterpret_cast<zsx_plat_spinlock *>(storage); }
	void init() { zsx_plat_lock_init(raw()); }
	void destroy() { zsx_plat_lock_destroy(raw()); }
	bool contended() { return zsx_plat_lock_contended(raw()) != 0; }
};

struct alignas(ZSX_K_RWLOCK_ALIGN) RwLock {
	unsigned char storage[ZSX_K_RWLOCK_SIZE];
	zsx_plat_rwlock *raw() { return reinterpret_cast<zsx_plat_rwlock *>(storage); }
	void init() { zsx_plat_rwlock_init(raw()); }
	void destroy() { zsx_plat_rwlock_destroy(raw()); }
};

#if !defined(ZSX_HOSTED) && ZSX_K_RAW_SPIN_LOCK_CALL
// spin_lock() is this call on the target kernel (spinlock_t starts with its raw lock)
extern "C" void _raw_spin_lock(zsx_plat_spinlock *lock);
inline void spin_lock(SpinLock &l) { _raw_spin_lock(l.raw()); }
#else
inline void spin_lock(SpinLock &l) { zsx_plat_lock(l.raw()); }
#endif
#if !defined(ZSX_HOSTED) && ZSX_K_RAW_SPIN_UNLOCK_CALL
extern "C" void _raw_spin_unlock(zsx_plat_spinlock *lock);
inline void spin_unlock(SpinLock &l) { _raw_spin_unlock(l.raw()); }
#else
inline void spin_unlock(SpinLock &l) { zsx_plat_unlock(l.raw()); }
#endif

class SpinGuard {
public:
	explicit SpinGuard(SpinLock &l) : l_(l) { spin_lock(l_); }
	~SpinGuard() { spin_unlock(l_); }
	SpinGuard(const SpinGuard &) = delete;
	SpinGuard &operator=(const SpinGuard &) = delete;

private:
	SpinLock &l_;
};

// A spinlock taken only if it is free right now (waits for nothing), and then
// released when this goes; false if it was busy.
class SpinTryGuard {
public:
	explicit SpinTryGuard(SpinLock &l) : l_(zsx_plat_trylock(l.raw()) ? &l : nullptr) {}
	~SpinTryGuard()
	{
		if (l_)
			spin_unlock(*l_);
	}
	explicit operator bool() const { return l_ != nullptr; }
	SpinTryGuard(const SpinTryGuard &) = delete;
	SpinTryGuard &operator=(const SpinTryGuard &) = delete;

private:
	SpinLock *l_;
};

// unlock(): an early release, for handing the pool lock over to a class lock
// taken under it (the base free path)
class ReadGuard {
public:
	explicit ReadGuard(RwLock &l) : l_(&l) { zsx_plat_read_lock(l_->raw()); }
	~ReadGuard()
	{
		if (l_)
			zsx_plat_read_unlock(l_->raw());
	}
	void unlock()
	{
		zsx_plat_read_unlock(l_->raw());
		l_ = nullptr;
	}
	ReadGuard(const ReadGuard &) = delete;
	ReadGuard &operator=(const ReadGuard &) = delete;

private:
	RwLock *l_;
};

class WriteGuard {
public:
	explicit WriteGuard(RwLock &l) : l_(l) { zsx_plat_write_lock(l_.raw()); }
	~WriteGuard() { zsx_plat_write_unlock(l_.raw()); }
	WriteGuard(const WriteGuard &) = delete;
	WriteGuard &operator=(const WriteGuard &) = delete;

private:
	RwLock &l_;
};

// ---- pages ------------------------------------------------------------------

namespace plat {

inline constexpr unsigned kPageShift = ZSX_PAGE_SHIFT;

// The page of a PFN; nullptr when the PFN is not memory. Inline: above the
// highest PFN of any online node (one compare); a PFN in a hole below it is
// not caught here (its vmemmap may be unbacked): debug pools add pfn_valid(),
// which the out-of-line variant always does.
inline Page *pfn_to_page(ulong pfn)
{
	if constexpr (kInlineMm) {
		if (zsx_unlikely(pfn >= load_relaxed(&zsx_plat_mm.pfn_limit)))
			return nullptr;
		return reinterpret_cast<Page *>(zsx_plat_mm.page_array + pfn * ZSX_K_PAGE_SIZEOF);
	} else {
		return zsx_plat_pfn_to_page(pfn);
	}
}

inline ulong page_to_pfn(Page *p)
{
	if constexpr (kInlineMm)
		return (reinterpret_cast<uptr>(p) - zsx_plat_mm.page_array) / ZSX_K_PAGE_SIZEOF;
	else
		return zsx_plat_page_to_pfn(p);
}

// page->private: the zspage a zsx page belongs to (single-copy atomic read)
inline void *page_owner(Page *p)
{
	if constexpr (kInlineMm)
		return load_relaxed(
			reinterpret_cast<void *const *>(reinterpret_cast<const u8 *>(p) + ZSX_K_PAGE_PRIVATE));
	else
		return zsx_plat_page_owner(p);
}

// page->index: the owner's tag (see zsx_plat_page_set_owner)
inline ulong page_tag(Page *p)
{
	if constexpr (kInlineMm)
		return load_relaxed(
			reinterpret_cast<const ulong *>(reinterpret_cast<const u8 *>(p) + ZSX_K_PAGE_INDEX));
	else
		return zsx_plat_page_tag(p);
}

inline u8 *kmap(Page *p)
{
	if constexpr (kInlineMm)
		return reinterpret_cast<u8 *>(zsx_plat_mm.direct_map + (page_to_pfn(p) << kPageShift));
	else
		return static_cast<u8 *>(zsx_plat_kmap(p));
}

inline void kunmap(void *addr)
{
	if constexpr (!kInlineMm)
		zsx_plat_kunmap(addr);
	else
		(void)addr;
}

// ---- handles ----------------------------------------------------------------

#if !defined(ZSX_HOSTED)
extern "C" void *kmem_cache_alloc(void *cache, unsigned gfp);
extern "C" void kmem_cache_free(void *cache, void *obj);
inline unsigned long *handle_alloc(unsigned gfp)
{
	return static_cast<unsigned long *>(
		kmem_cache_alloc(zsx_plat_handle_cache, gfp & ~unsigned(ZSX_K_GFP_ZONE_BITS)));
}
inline void handle_free(unsigned long *h) { kmem_cache_free(zsx_plat_handle_cache, h); }
#else
inline unsigned long *handle_alloc(unsigned gfp) { return zsx_plat_handle_alloc(gfp); }
inline void handle_free(unsigned long *h) { zsx_plat_handle_free(h); }
#endif

} // namespace plat

// A kmap_local mapping that unmaps itself (pure arithmetic with the inline model).
class PageMap {
public:
	explicit PageMap(Page *p) : addr_(plat::kmap(p)) {}
	~PageMap() { plat::kunmap(addr_); }
	u8 *addr() const { return addr_; }
	PageMap(const PageMap &) = delete;
	PageMap &operator=(const PageMap &) = delete;

private:
	u8 *addr_;
};

// This CPU's PAGE_SIZE buffer, preemption off while it is held.
class CpuBufferGuard {
public:
	CpuBufferGuard() : area_(zsx_plat_cpu_buffer_get()) {}
	~CpuBufferGuard() { zsx_plat_cpu_buffer_put(); }
	void *area() const { return area_; }
	CpuBufferGuard(const CpuBufferGuard &) = delete;
	CpuBufferGuard &operator=(const CpuBufferGuard &) = delete;

private:
	void *area_;
};

// one relaxed load: is any zsx tracepoint enabled?
inline bool tracing() { return __builtin_expect(__atomic_load_n(&zsx_plat_trace_active, __ATOMIC_RELAXED) != 0, 0); }

inline void copy_bytes(void *dst, const void *src, usize n) { __builtin_memcpy(dst, src, n); }

} // namespace zsx

// SPDX-License-Identifier: GPL-2.0
// The core's side of the platform: Plat, the platform implementation checked
// against the platform interface (platform_concept.hpp), and on top of it the
// embedded locks with RAII guards, page mappings and the bounce buffer guard.
#pragma once

#include "platform_concept.hpp"
#include "types.hpp"
#if defined(ZSX_HOSTED)
#include "host_platform_face.hpp"
#else
#include "platform_kernel.hpp"
#endif

namespace zsx {

// The core calls the platform only through Plat.
#if defined(ZSX_HOSTED)
using Plat = HostedPlatform;
#else
using Plat = KernelPlatform;
#endif
static_assert(PlatformInterface<Plat>, "the platform lacks a primitive of platform_concept.hpp, or mistypes it");

using Page = zsx_plat_page;

inline constexpr usize kCacheLine = Plat::kCacheLine;
inline constexpr unsigned kGfpKernel = Plat::kGfpKernel;
inline constexpr unsigned kGfpAtomic = Plat::kGfpAtomic; // GFP_ATOMIC | __GFP_NOWARN

// ---- locks, embedded where they protect ------------------------------------

struct alignas(Plat::kSpinLockAlign) SpinLock {
	unsigned char storage[Plat::kSpinLockSize];
	zsx_plat_spinlock *raw() { return reinterpret_cast<zsx_plat_spinlock *>(storage); }
	void init() { Plat::lock_init(raw()); }
	void destroy() { Plat::lock_destroy(raw()); }
	bool contended() { return Plat::lock_contended(raw()) != 0; }
};

struct alignas(Plat::kRwLockAlign) RwLock {
	unsigned char storage[Plat::kRwLockSize];
	zsx_plat_rwlock *raw() { return reinterpret_cast<zsx_plat_rwlock *>(storage); }
	void init() { Plat::rwlock_init(raw()); }
	void destroy() { Plat::rwlock_destroy(raw()); }
};

class SpinGuard {
public:
	// Plat::lock is a plain _raw_spin_lock call where the kernel's spin_lock is
	explicit SpinGuard(SpinLock &l) : l_(l) { Plat::lock(l_.raw()); }
	~SpinGuard() { Plat::unlock(l_.raw()); }
	SpinGuard(const SpinGuard &) = delete;
	SpinGuard &operator=(const SpinGuard &) = delete;

private:
	SpinLock &l_;
};

// A spinlock held with softirqs off on this CPU (a drainer's bounded hold:
// softirqs an interrupt raises inside it run after it, not in it)
class SpinGuardBh {
public:
	explicit SpinGuardBh(SpinLock &l) : l_(l) { Plat::lock_bh(l_.raw()); }
	~SpinGuardBh() { Plat::unlock_bh(l_.raw()); }
	SpinGuardBh(const SpinGuardBh &) = delete;
	SpinGuardBh &operator=(const SpinGuardBh &) = delete;

private:
	SpinLock &l_;
};

// A spinlock taken only if it is free right now (waits for nothing), and then
// released when this goes; false if it was busy.
class SpinTryGuard {
public:
	explicit SpinTryGuard(SpinLock &l) : l_(Plat::trylock(l.raw()) ? &l : nullptr) {}
	~SpinTryGuard()
	{
		if (l_)
			Plat::unlock(l_->raw());
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
	explicit ReadGuard(RwLock &l) : l_(&l) { Plat::read_lock(l_->raw()); }
	~ReadGuard()
	{
		if (l_)
			Plat::read_unlock(l_->raw());
	}
	void unlock()
	{
		Plat::read_unlock(l_->raw());
		l_ = nullptr;
	}
	ReadGuard(const ReadGuard &) = delete;
	ReadGuard &operator=(const ReadGuard &) = delete;

private:
	RwLock *l_;
};

class WriteGuard {
public:
	explicit WriteGuard(RwLock &l) : l_(l) { Plat::write_lock(l_.raw()); }
	~WriteGuard() { Plat::write_unlock(l_.raw()); }
	WriteGuard(const WriteGuard &) = delete;
	WriteGuard &operator=(const WriteGuard &) = delete;

private:
	RwLock &l_;
};

// A kmap_local mapping that unmaps itself (pure arithmetic with the inline model).
class PageMap {
public:
	explicit PageMap(Page *p) : addr_(Plat::kmap(p)) {}
	~PageMap() { Plat::kunmap(addr_); }
	u8 *addr() const { return addr_; }
	PageMap(const PageMap &) = delete;
	PageMap &operator=(const PageMap &) = delete;

private:
	u8 *addr_;
};

// This CPU's PAGE_SIZE buffer, preemption off while it is held.
class CpuBufferGuard {
public:
	CpuBufferGuard() : area_(Plat::cpu_buffer_get()) {}
	~CpuBufferGuard() { Plat::cpu_buffer_put(); }
	void *area() const { return area_; }
	CpuBufferGuard(const CpuBufferGuard &) = delete;
	CpuBufferGuard &operator=(const CpuBufferGuard &) = delete;

private:
	void *area_;
};

inline void copy_bytes(void *dst, const void *src, usize n) { __builtin_memcpy(dst, src, n); }

} // namespace zsx

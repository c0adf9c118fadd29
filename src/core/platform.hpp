// SPDX-License-Identifier: GPL-2.0
// C++ face of the platform interface: typed wrappers and RAII lock guards, so
// no core path can forget an unlock.
#pragma once

#include "platform_abi.h"
#include "types.hpp"

namespace zsx {

using Page = zsx_plat_page;

class SpinGuard {
public:
	explicit SpinGuard(zsx_plat_spinlock *l) : l_(l) { zsx_plat_lock(l_); }
	~SpinGuard() { if (l_) zsx_plat_unlock(l_); }
	void unlock() { zsx_plat_unlock(l_); l_ = nullptr; }
	SpinGuard(const SpinGuard &) = delete;
	SpinGuard &operator=(const SpinGuard &) = delete;
private:
	zsx_plat_spinlock *l_;
};

class ReadGuard {
public:
	explicit ReadGuard(zsx_plat_rwlock *l) : l_(l) { zsx_plat_read_lock(l_); }
	~ReadGuard() { if (l_) zsx_plat_read_unlock(l_); }
	void unlock() { zsx_plat_read_unlock(l_); l_ = nullptr; }
	ReadGuard(const ReadGuard &) = delete;
	ReadGuard &operator=(const ReadGuard &) = delete;
private:
	zsx_plat_rwlock *l_;
};

class WriteGuard {
public:
	explicit WriteGuard(zsx_plat_rwlock *l) : l_(l) { zsx_plat_write_lock(l_); }
	~WriteGuard() { zsx_plat_write_unlock(l_); }
	WriteGuard(const WriteGuard &) = delete;
	WriteGuard &operator=(const WriteGuard &) = delete;
private:
	zsx_plat_rwlock *l_;
};

// A kmap_local mapping that unmaps itself.
class PageMap {
public:
	explicit PageMap(Page *p) : addr_(static_cast<u8 *>(zsx_plat_kmap(p))) {}
	~PageMap() { zsx_plat_kunmap(addr_); }
	u8 *addr() const { return addr_; }
	PageMap(const PageMap &) = delete;
	PageMap &operator=(const PageMap &) = delete;
private:
	u8 *addr_;
};

// one relaxed load: is any zsx tracepoint enabled?
inline bool tracing() { return __builtin_expect(__atomic_load_n(&zsx_plat_trace_active, __ATOMIC_RELAXED) != 0, 0); }

inline void copy_bytes(void *dst, const void *src, usize n) { __builtin_memcpy(dst, src, n); }

} // namespace zsx

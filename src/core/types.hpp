// SPDX-License-Identifier: GPL-2.0
// Freestanding basics for the zsx core: fixed-width integers and a few helpers.
// The core includes no kernel header and no libstdc++ header; this file is its "std".
#pragma once

#include "config.h"

namespace zsx {

using u8 = __UINT8_TYPE__;
using u16 = __UINT16_TYPE__;
using u32 = __UINT32_TYPE__;
using u64 = __UINT64_TYPE__;
using i32 = __INT32_TYPE__;
using i64 = __INT64_TYPE__;
using usize = __SIZE_TYPE__;
using uptr = __UINTPTR_TYPE__;
using ulong = unsigned long;

static_assert(sizeof(ulong) * 8 == ZSX_LONG_BITS, "ZSX_LONG_BITS must match unsigned long");

#define zsx_likely(x) __builtin_expect(!!(x), 1)
#define zsx_unlikely(x) __builtin_expect(!!(x), 0)
// fast-path helpers that must not cost a call (used only in their own file)
#define zsx_always_inline inline __attribute__((always_inline))

// Bits needed to hold every value in [0, v]. constexpr, no libgcc helper.
constexpr unsigned bit_width(u64 v)
{
	unsigned n = 0;
	while (v) {
		++n;
		v >>= 1;
	}
	return n;
}

constexpr u64 low_mask(unsigned bits) { return bits >= 64 ? ~u64(0) : (u64(1) << bits) - 1; }

template <class T> constexpr T min_of(T a, T b) { return a < b ? a : b; }
template <class T> constexpr T max_of(T a, T b) { return a > b ? a : b; }

// Error codes are the kernel's negative errno values, spelled here without its headers.
enum Err : int {
	kOk = 0,
	kEAGAIN = -11,
	kENOMEM = -12,
	kEBUSY = -16,
	kEEXIST = -17,
	kEINVAL = -22,
	kENOSPC = -28,
	kEOPNOTSUPP = -95,
};

} // namespace zsx

// SPDX-License-Identifier: GPL-2.0
// The obj value: where an object lives, packed in one unsigned long.
//
//   wide layout (64-bit, class field fits):
//     | PFN (pfn_bits) | class index (class_bits) | object index (index_bits) |
//   narrow layout (32-bit, or ZSX_NARROW_OBJ=1):
//     | PFN (pfn_bits) | object index (index_bits) |
//
// A handle is a word in a kmem_cache (the kernel's handle cache) that holds the
// obj value; migration rewrites only the PFN field, under the class lock. The
// class field lets zsx_free() find its class lock without the pool lock.
#pragma once

#include "geometry.hpp"

namespace zsx {

template <unsigned LongBits, unsigned PhysBits, unsigned PageShift, bool Narrow> struct BasicObjLayout {
	static constexpr unsigned long_bits = LongBits;
	static constexpr unsigned pfn_bits = PhysBits - PageShift;
	// budgets computed from this layout's own page size, so the 16K/64K asserts below are real
	static constexpr u64 page_bytes = u64(1) << PageShift;
	static constexpr u64 classes =
		(page_bytes - Geometry::min_alloc_size + (page_bytes >> 8) - 1) / (page_bytes >> 8) + 1;
	static constexpr unsigned index_bits_needed =
		bit_width((u64(Geometry::max_chain) << PageShift) / Geometry::min_alloc_size - 1);
	static constexpr unsigned class_bits_needed = bit_width(classes - 1);
	static constexpr bool class_fits = pfn_bits + class_bits_needed + index_bits_needed <= long_bits;
	static constexpr bool has_class = class_fits && !Narrow;
	static constexpr unsigned class_bits = has_class ? class_bits_needed : 0;
	static constexpr unsigned index_bits = long_bits - pfn_bits - class_bits;
	static constexpr unsigned class_shift = index_bits;
	static constexpr unsigned pfn_shift = index_bits + class_bits;

	static_assert(PhysBits > PageShift && pfn_bits < long_bits, "PFN budget");
	static_assert(index_bits >= index_bits_needed, "object index must fit: lower ZSX_MAX_CHAIN_SIZE");
	static_assert(pfn_bits + class_bits + index_bits == long_bits, "every bit of obj is accounted for");
	static_assert(!has_class || class_bits >= class_bits_needed, "class index budget");

	static constexpr u64 max_pfn = low_mask(pfn_bits);
	static constexpr u64 max_index = low_mask(index_bits);
	static constexpr u64 max_class = has_class ? low_mask(class_bits) : 0;

	struct Location {
		u64 pfn;
		unsigned class_idx; // meaningful only when has_class
		unsigned obj_idx;
	};

	static constexpr u64 encode(u64 pfn, unsigned class_idx, unsigned obj_idx)
	{
		u64 v = (pfn << pfn_shift) | (u64(obj_idx) & max_index);
		if constexpr (has_class)
			v |= (u64(class_idx) & max_class) << class_shift;
		return v;
	}
	static constexpr u64 pfn_of(u64 obj) { return (obj >> pfn_shift) & max_pfn; }
	static constexpr unsigned index_of(u64 obj) { return unsigned(obj & max_index); }
	static constexpr unsigned class_of(u64 obj)
	{
		if constexpr (has_class)
			return unsigned((obj >> class_shift) & max_class);
		return 0;
	}
	static constexpr Location decode(u64 obj) { return {pfn_of(obj), class_of(obj), index_of(obj)}; }
	// Same object, new page frame (migration): class and index bits are kept.
	static constexpr u64 with_pfn(u64 obj, u64 pfn) { return (obj & low_mask(pfn_shift)) | (pfn << pfn_shift); }
};

using ObjLayout = BasicObjLayout<ZSX_LONG_BITS, ZSX_PHYS_BITS, ZSX_PAGE_SHIFT, ZSX_NARROW_OBJ != 0>;

// The class field must fit on every 64-bit configuration we ship (4K, 16K, 64K pages).
static_assert(BasicObjLayout<64, 52, 12, false>::has_class, "x86_64/arm64 4K: class field must fit");
static_assert(BasicObjLayout<64, 48, 14, false>::has_class, "arm64 16K: class field must fit");
static_assert(BasicObjLayout<64, 52, 16, false>::has_class, "arm64 64K: class field must fit");
static_assert(ZSX_LONG_BITS != 64 || ZSX_NARROW_OBJ || ObjLayout::has_class,
	      "64-bit builds carry the class field unless ZSX_NARROW_OBJ is set");
// ...and must not on 32-bit, which is why the base free path exists.
static_assert(!BasicObjLayout<32, 32, 12, false>::class_fits, "32-bit has no room for a class field");

} // namespace zsx

// SPDX-License-Identifier: GPL-2.0
// Size-class geometry of a zsx pool, all of it constexpr.
//
// The rules are mainline zsmalloc's (behaviour, not code):
//  - objects are 8-byte aligned, the smallest class is 32 bytes, classes are
//    PAGE_SIZE >> 8 bytes apart up to PAGE_SIZE;
//  - each class picks the zspage chain length (1..chain pages) that wastes the
//    least tail space; ties go to the shorter chain;
//  - neighbouring classes with the same pages-per-zspage and objects-per-zspage
//    are merged into the larger one (a request is served by the merged class);
//  - a class whose zspage is one page holding one object is "huge": objects of
//    at least huge_class_size bytes are stored that way (incompressible pages).
#pragma once

#include "types.hpp"

namespace zsx {

struct Geometry {
	static constexpr unsigned page_shift = ZSX_PAGE_SHIFT;
	static constexpr usize page_size = usize(1) << page_shift;
	static constexpr unsigned class_delta_shift = 8; // PAGE_SIZE >> 8 between classes
	static constexpr usize class_delta = page_size >> class_delta_shift;
	static constexpr usize min_alloc_size = 32;
	static constexpr usize max_alloc_size = page_size;
	static constexpr usize obj_align = 8;
	static constexpr unsigned min_chain = 4;
	static constexpr unsigned max_chain = ZSX_MAX_CHAIN_SIZE;
	static constexpr unsigned default_chain = ZSX_CHAIN_SIZE;
	static constexpr unsigned nr_classes =
		unsigned((max_alloc_size - min_alloc_size + class_delta - 1) / class_delta) + 1;
	static constexpr usize max_objs_per_zspage = max_chain * page_size / min_alloc_size;

	static_assert(page_shift >= 12 && page_shift <= 16, "zsx supports 4K..64K pages");
	static_assert(class_delta >= obj_align && class_delta % obj_align == 0, "class sizes must stay 8-byte aligned");
	static_assert(default_chain >= min_chain && default_chain <= max_chain, "ZSX_CHAIN_SIZE must be within 4..16");
	static_assert(nr_classes <= 257, "class index must fit the 8+1 bit budget below");

	// Size of class slot i before merging (the last slot is PAGE_SIZE).
	static constexpr usize slot_size(unsigned i)
	{
		usize s = min_alloc_size + usize(i) * class_delta;
		return s > max_alloc_size ? max_alloc_size : s;
	}

	// Slot serving a request of `size` bytes (1..PAGE_SIZE).
	static constexpr unsigned slot_of_size(usize size)
	{
		if (size <= min_alloc_size)
			return 0;
		return unsigned((size - min_alloc_size + class_delta - 1) >> (page_shift - class_delta_shift));
	}

	// Least-waste chain length for objects of `size` with chains up to `chain` pages.
	static constexpr unsigned best_pages_per_zspage(usize size, unsigned chain)
	{
		unsigned best = 1;
		usize best_used = 0;
		for (unsigned pages = 1; pages <= chain; ++pages) {
			usize span = pages * page_size;
			usize used_pct = (span - span % size) * 100 / span;
			if (used_pct > best_used) {
				best_used = used_pct;
				best = pages;
			}
		}
		return best;
	}
};

struct ClassInfo {
	u32 size;  // object size of the (merged) class serving this slot
	u32 objs;  // objects per zspage
	u8 pages;  // pages per zspage
	u16 index; // canonical class index (the merged class's slot)
	bool huge; // one page, one object
};

// The class table of one chain length, computed at compile time.
struct ClassTable {
	ClassInfo slot[Geometry::nr_classes] = {};
	unsigned chain = 0;
	unsigned nr_distinct = 0;
	usize huge_class_size = 0; // smallest class size stored as huge
	// what zs_huge_class_size() answers for this geometry: the largest slot
	// size with more than one page and more than one object, less the handle
	// bytes but one (zsmalloc's definition, which zram compares lengths with)
	usize zs_huge_class_size = 0;

	constexpr const ClassInfo &for_size(usize size) const { return slot[Geometry::slot_of_size(size)]; }
};

constexpr ClassTable make_class_table(unsigned chain)
{
	ClassTable t;
	t.chain = chain;
	int prev = -1; // last canonical class, walking from the largest size down
	for (int i = int(Geometry::nr_classes) - 1; i >= 0; --i) {
		usize size = Geometry::slot_size(unsigned(i));
		unsigned pages = Geometry::best_pages_per_zspage(size, chain);
		usize objs = pages * Geometry::page_size / size;
		bool huge = pages == 1 && objs == 1;
		if (huge)
			t.huge_class_size = size;
		if (pages != 1 && objs != 1 && !t.zs_huge_class_size)
			t.zs_huge_class_size = size - (sizeof(unsigned long) - 1);
		if (prev >= 0 && t.slot[prev].pages == pages && t.slot[prev].objs == objs) {
			t.slot[i] = t.slot[prev]; // merged: served by the larger class
			continue;
		}
		t.slot[i] = ClassInfo{u32(size), u32(objs), u8(pages), u16(i), huge};
		prev = i;
		++t.nr_distinct;
	}
	return t;
}

// One table per supported chain length; a pool points at one of them.
struct ClassTables {
	ClassTable by_chain[Geometry::max_chain + 1] = {};
	constexpr ClassTables()
	{
		for (unsigned c = Geometry::min_chain; c <= Geometry::max_chain; ++c)
			by_chain[c] = make_class_table(c);
	}
	constexpr const ClassTable *get(unsigned chain) const
	{
		return chain >= Geometry::min_chain && chain <= Geometry::max_chain ? &by_chain[chain] : nullptr;
	}
};

inline constexpr ClassTables kClassTables{};

// Compile-time sanity of the default table.
static_assert(kClassTables.get(ZSX_CHAIN_SIZE)->slot[0].size == Geometry::min_alloc_size);
static_assert(kClassTables.get(ZSX_CHAIN_SIZE)->slot[Geometry::nr_classes - 1].size == Geometry::page_size);
static_assert(kClassTables.get(ZSX_CHAIN_SIZE)->slot[Geometry::nr_classes - 1].huge);
static_assert(kClassTables.get(ZSX_CHAIN_SIZE)->huge_class_size > Geometry::page_size / 2);

} // namespace zsx

// SPDX-License-Identifier: GPL-2.0
// extern "C" entry points of the core's geometry and obj layout (see core.h).
#include "core.h"
#include "obj_layout.hpp"
#include "platform.hpp"

using namespace zsx;

static_assert(ObjLayout::classes == Geometry::nr_classes, "layout and geometry agree on the class count");

extern "C" void zsx_core_layout(struct zsx_layout_info *out)
{
	out->long_bits = ObjLayout::long_bits;
	out->pfn_bits = ObjLayout::pfn_bits;
	out->class_bits = ObjLayout::class_bits;
	out->index_bits = ObjLayout::index_bits;
	out->has_class = ObjLayout::has_class;
	out->max_pfn = ObjLayout::max_pfn;
	out->max_index = ObjLayout::max_index;
	out->nr_classes = Geometry::nr_classes;
	out->page_shift = Geometry::page_shift;
	out->default_chain = Geometry::default_chain;
	out->min_chain = Geometry::min_chain;
	out->max_chain = Geometry::max_chain;
}

extern "C" int zsx_core_class_info(unsigned int chain, unsigned int slot, struct zsx_class_info *out)
{
	const ClassTable *t = kClassTables.get(chain);
	if (!t || slot >= Geometry::nr_classes)
		return kEINVAL;
	const ClassInfo &c = t->slot[slot];
	out->size = c.size;
	out->objs = c.objs;
	out->pages = c.pages;
	out->index = c.index;
	out->huge = c.huge;
	return 0;
}

extern "C" int zsx_core_slot_of_size(unsigned long size)
{
	if (size == 0 || size > Geometry::max_alloc_size)
		return kEINVAL;
	return int(Geometry::slot_of_size(size));
}

extern "C" unsigned long zsx_core_huge_class_size(unsigned int chain)
{
	const ClassTable *t = kClassTables.get(chain);
	return t ? t->huge_class_size : 0;
}

extern "C" unsigned int zsx_core_nr_distinct_classes(unsigned int chain)
{
	const ClassTable *t = kClassTables.get(chain);
	return t ? t->nr_distinct : 0;
}

extern "C" unsigned long zsx_core_obj_encode(unsigned long pfn, unsigned int class_idx, unsigned int obj_idx)
{
	return ObjLayout::encode(pfn, class_idx, obj_idx);
}

extern "C" void zsx_core_obj_decode(unsigned long obj, unsigned long *pfn, unsigned int *class_idx,
				    unsigned int *obj_idx)
{
	auto loc = ObjLayout::decode(obj);
	*pfn = loc.pfn;
	*class_idx = loc.class_idx;
	*obj_idx = loc.obj_idx;
}

extern "C" unsigned long zsx_core_obj_with_pfn(unsigned long obj, unsigned long pfn)
{
	return ObjLayout::with_pfn(obj, pfn);
}

extern "C" int zsx_core_mm_model(struct zsx_plat_page *page, unsigned long *pfn, void **addr,
				 struct zsx_plat_page **page_of_pfn)
{
	*pfn = Plat::page_to_pfn(page);
	*page_of_pfn = Plat::pfn_to_page(*pfn);
	u8 *a = Plat::kmap(page);
	*addr = a;
	Plat::kunmap(a);
	return Plat::kInlineMm;
}

extern "C" struct zsx_plat_page *zsx_core_mm_pfn_to_page(unsigned long pfn) { return Plat::pfn_to_page(pfn); }

#ifdef ZSX_INJECT
// Harness self-test only (scripts/selftest.sh): proves KASAN instruments C++ objects.
extern "C" void zsx_core_selftest_oob_write(char *buf, unsigned long len)
{
	volatile unsigned long i = len;
	buf[i] = 1;
}
#endif

// SPDX-License-Identifier: GPL-2.0
// Hosted tests: class geometry and obj layout, at this build's page size.
#include <gtest/gtest.h>

#include "core.h"
#include "obj_layout.hpp"
#include "pool.hpp"

using namespace zsx;

class GeometryByChain : public ::testing::TestWithParam<unsigned> {};

TEST_P(GeometryByChain, ClassesCoverEverySizeTightly)
{
	const ClassTable *t = kClassTables.get(GetParam());
	ASSERT_NE(t, nullptr);
	for (usize size = 1; size <= Geometry::page_size; ++size) {
		const ClassInfo &c = t->for_size(size);
		ASSERT_GE(c.size, size) << "size " << size;
		ASSERT_EQ(c.size % 8, 0u);
		ASSERT_EQ(c.objs, c.pages * Geometry::page_size / c.size);
		const ClassInfo &canon = t->slot[c.index];
		ASSERT_EQ(canon.index, c.index) << "canonical class merged again";
		ASSERT_EQ(canon.size, c.size);
	}
	EXPECT_TRUE(t->slot[Geometry::nr_classes - 1].huge);
	EXPECT_TRUE(t->for_size(t->huge_class_size).huge);
	EXPECT_FALSE(t->for_size(t->huge_class_size - Geometry::class_delta).huge);
	EXPECT_LT(t->nr_distinct, Geometry::nr_classes);
}

INSTANTIATE_TEST_SUITE_P(AllChains, GeometryByChain, ::testing::Range(4u, 17u));

TEST(Geometry, MainlineShapeAt4K)
{
	if (Geometry::page_shift != 12)
		GTEST_SKIP() << "4K-specific expectations";
	// 255 slots 16 bytes apart from 32 to 4096
	EXPECT_EQ(Geometry::nr_classes, 255u);
	EXPECT_EQ(Geometry::slot_size(1), 48u);
	const ClassTable *t = kClassTables.get(8);
	EXPECT_EQ(t->slot[0].pages, 1u); // 32-byte objects tile one page exactly
	EXPECT_EQ(t->slot[0].objs, 128u);
}

TEST(ObjLayout, RoundTripsAtTheLimits)
{
	const u64 pfns[] = {0, 1, ObjLayout::max_pfn, ObjLayout::max_pfn >> 1};
	const unsigned idxs[] = {0, 1, unsigned(ObjLayout::max_index)};
	const unsigned classes[] = {0, 1, Geometry::nr_classes - 1};
	for (u64 pfn : pfns)
		for (unsigned idx : idxs)
			for (unsigned cls : classes) {
				unsigned want_cls = ObjLayout::has_class ? cls : 0;
				u64 obj = ObjLayout::encode(pfn, cls, idx);
				auto loc = ObjLayout::decode(obj);
				ASSERT_EQ(loc.pfn, pfn);
				ASSERT_EQ(loc.obj_idx, idx);
				ASSERT_EQ(loc.class_idx, want_cls);
				auto moved = ObjLayout::decode(ObjLayout::with_pfn(obj, ObjLayout::max_pfn - pfn));
				ASSERT_EQ(moved.pfn, ObjLayout::max_pfn - pfn);
				ASSERT_EQ(moved.obj_idx, idx);
				ASSERT_EQ(moved.class_idx, want_cls);
			}
}

TEST(ObjLayout, LayoutMatchesBuild)
{
	EXPECT_EQ(ObjLayout::has_class, ZSX_NARROW_OBJ == 0);
	struct zsx_layout_info l;
	zsx_core_layout(&l);
	EXPECT_EQ(l.pfn_bits + l.class_bits + l.index_bits, 64u);
	EXPECT_EQ(zsx_core_slot_of_size(0), -22);
	EXPECT_EQ(zsx_core_slot_of_size(Geometry::page_size + 1), -22);
}

// The fullness groups the fast paths find with compares (per-class thresholds)
// are exactly mainline's in-use ratio deciles, for every class of every chain
// length and every number of objects in use.
TEST(FullnessGroups, ThresholdsEqualTheRatioDefinition)
{
	for (unsigned chain = Geometry::min_chain; chain <= Geometry::max_chain; ++chain) {
		const ClassTable *t = kClassTables.get(chain);
		for (unsigned s = 0; s < Geometry::nr_classes; ++s) {
			const u32 objs = t->slot[s].objs;
			u16 group_min[kGroupFull] = {};
			for (unsigned g = 1; g < kGroupFull; ++g)
				group_min[g] = group_min_of(g, objs);
			for (u32 inuse = 0; inuse <= objs; ++inuse)
				ASSERT_EQ(group_by_thresholds(group_min, inuse, objs), group_by_ratio(inuse, objs))
					<< "chain " << chain << " slot " << s << " objs " << objs << " inuse " << inuse;
		}
	}
}

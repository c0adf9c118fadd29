// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: zsx size-class geometry and obj layout (the C++ core's constexpr tables,
 * checked from the kernel side against independent arithmetic).
 */
#include <kunit/test.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include "core.h"
#include "zsx_kunit.h"

/* ---- zsx_geometry: the class table of every supported chain length ---------- */

static const unsigned int chains[] = { 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static void chain_desc(const unsigned int *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "chain=%u", *c);
}

KUNIT_ARRAY_PARAM(chain, chains, chain_desc);

static void geometry_class_table_is_consistent(struct kunit *test)
{
	unsigned int chain = *(const unsigned int *)test->param_value;
	struct zsx_layout_info l;
	struct zsx_class_info c, canon;
	unsigned int slot, distinct = 0;

	zsx_core_layout(&l);
	for (slot = 0; slot < l.nr_classes; slot++) {
		unsigned int slot_size =
			min_t(unsigned int, 32 + slot * (PAGE_SIZE >> 8), PAGE_SIZE);

		KUNIT_ASSERT_EQ(test, zsx_core_class_info(chain, slot, &c), 0);
		KUNIT_EXPECT_EQ_MSG(test, c.size % 8, 0u, "slot %u: size %u not 8-byte aligned",
				    slot, c.size);
		KUNIT_EXPECT_GE_MSG(test, c.size, slot_size, "slot %u served by a smaller class",
				    slot);
		KUNIT_EXPECT_LE_MSG(test, c.pages, chain, "slot %u: chain longer than %u", slot,
				    chain);
		KUNIT_EXPECT_GE_MSG(test, c.pages, 1u, "slot %u: empty zspage", slot);
		KUNIT_EXPECT_EQ_MSG(test, c.objs, (unsigned int)(c.pages * PAGE_SIZE / c.size),
				    "slot %u: objs per zspage is not pages*PAGE_SIZE/size", slot);
		KUNIT_EXPECT_EQ_MSG(test, c.huge, c.pages == 1 && c.objs == 1,
				    "slot %u: huge flag disagrees with 1 page / 1 object", slot);
		KUNIT_EXPECT_GE_MSG(test, c.index, slot, "slot %u merged into a smaller slot",
				    slot);
		/* a merged slot has its canonical class's exact shape */
		KUNIT_ASSERT_EQ(test, zsx_core_class_info(chain, c.index, &canon), 0);
		KUNIT_EXPECT_EQ_MSG(test, canon.index, c.index,
				    "slot %u: canonical class is itself merged", slot);
		KUNIT_EXPECT_EQ(test, canon.pages, c.pages);
		KUNIT_EXPECT_EQ(test, canon.objs, c.objs);
		if (c.index == slot)
			distinct++;
	}
	KUNIT_EXPECT_EQ(test, distinct, zsx_core_nr_distinct_classes(chain));
	KUNIT_EXPECT_LT_MSG(test, distinct, l.nr_classes, "chain %u merged no class at all", chain);
#ifdef ZSX_INJECT
	if (zsx_selftest_inject_kunit_fail())
		KUNIT_EXPECT_EQ_MSG(test, distinct, 0u,
				    "deliberately broken expectation (harness self-test)");
#endif
}

static void geometry_least_waste(struct kunit *test)
{
	unsigned int chain = *(const unsigned int *)test->param_value;
	struct zsx_layout_info l;
	struct zsx_class_info c;
	unsigned int slot, pages;

	zsx_core_layout(&l);
	for (slot = 0; slot < l.nr_classes; slot++) {
		KUNIT_ASSERT_EQ(test, zsx_core_class_info(chain, slot, &c), 0);
		if (c.index != slot)
			continue;
		/* no other chain length wastes a smaller share of its zspage */
		for (pages = 1; pages <= chain; pages++) {
			unsigned long span = pages * PAGE_SIZE, cspan = c.pages * PAGE_SIZE;
			unsigned long used = (span - span % c.size) * 100 / span;
			unsigned long cused = (cspan - cspan % c.size) * 100 / cspan;

			KUNIT_EXPECT_LE_MSG(test, used, cused,
					    "size %u: %u pages beat the chosen %u", c.size, pages,
					    c.pages);
		}
	}
}

static void geometry_size_lookup(struct kunit *test)
{
	unsigned int chain = *(const unsigned int *)test->param_value;
	struct zsx_class_info c, below;
	unsigned long size;

	for (size = 1; size <= PAGE_SIZE; size++) {
		int slot = zsx_core_slot_of_size(size);

		KUNIT_ASSERT_GE(test, slot, 0);
		KUNIT_ASSERT_EQ(test, zsx_core_class_info(chain, slot, &c), 0);
		KUNIT_ASSERT_GE_MSG(test, (unsigned long)c.size, size,
				    "size %lu given a smaller class", size);
		if (slot > 0) {
			/* tight: the slot below is too small for this size */
			KUNIT_ASSERT_EQ(test, zsx_core_class_info(chain, slot - 1, &below), 0);
			KUNIT_ASSERT_LT_MSG(test, 32 + (slot - 1) * (PAGE_SIZE >> 8), size,
					    "size %lu could have used slot %d", size, slot - 1);
		}
	}
	KUNIT_EXPECT_EQ(test, zsx_core_huge_class_size(chain) > PAGE_SIZE / 2, true);
	KUNIT_ASSERT_EQ(test,
			zsx_core_class_info(chain,
					    zsx_core_slot_of_size(zsx_core_huge_class_size(chain)),
					    &c),
			0);
	KUNIT_EXPECT_TRUE_MSG(test, c.huge, "huge_class_size %lu is not served by a huge class",
			      zsx_core_huge_class_size(chain));
}

static void geometry_bad_input(struct kunit *test)
{
	struct zsx_class_info c;
	struct zsx_layout_info l;

	zsx_core_layout(&l);
	KUNIT_EXPECT_EQ(test, zsx_core_slot_of_size(0), -EINVAL);
	KUNIT_EXPECT_EQ(test, zsx_core_slot_of_size(PAGE_SIZE + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, zsx_core_class_info(3, 0, &c), -EINVAL);
	KUNIT_EXPECT_EQ(test, zsx_core_class_info(17, 0, &c), -EINVAL);
	KUNIT_EXPECT_EQ(test, zsx_core_class_info(8, l.nr_classes, &c), -EINVAL);
	KUNIT_EXPECT_EQ(test, zsx_core_huge_class_size(2), 0ul);
}

static struct kunit_case zsx_geometry_cases[] = {
	KUNIT_CASE_PARAM(geometry_class_table_is_consistent, chain_gen_params),
	KUNIT_CASE_PARAM(geometry_least_waste, chain_gen_params),
	KUNIT_CASE_PARAM(geometry_size_lookup, chain_gen_params),
	KUNIT_CASE(geometry_bad_input),
	{}
};

static struct kunit_suite zsx_geometry_suite = {
	.name = "zsx_geometry",
	.test_cases = zsx_geometry_cases,
};

/* ---- zsx_obj_layout: packing location into one unsigned long ---------------- */

struct obj_case {
	const char *name;
	unsigned long pfn; /* ~0ul: the largest PFN */
	unsigned int cls; /* ~0u: the largest class */
	unsigned int idx; /* ~0u: the largest index */
};

static const struct obj_case obj_cases[] = {
	{ "zero", 0, 0, 0 },	    { "max_pfn", ~0ul, 0, 0 },	   { "max_index", 0, 0, ~0u },
	{ "max_class", 0, ~0u, 0 }, { "all_max", ~0ul, ~0u, ~0u }, { "mixed", 0x12345, 77, 1000 },
};

static void obj_case_desc(const struct obj_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(obj, obj_cases, obj_case_desc);

static void obj_layout_round_trip(struct kunit *test)
{
	const struct obj_case *oc = test->param_value;
	struct zsx_layout_info l;
	unsigned long pfn, obj, dpfn, npfn;
	unsigned int cls, idx, dcls, didx;

	zsx_core_layout(&l);
	pfn = oc->pfn == ~0ul ? l.max_pfn : oc->pfn;
	cls = oc->cls == ~0u ? l.nr_classes - 1 : oc->cls;
	idx = oc->idx == ~0u ? (unsigned int)l.max_index : oc->idx;
	if (!l.has_class)
		cls = 0;

	obj = zsx_core_obj_encode(pfn, cls, idx);
	zsx_core_obj_decode(obj, &dpfn, &dcls, &didx);
	KUNIT_EXPECT_EQ_MSG(test, dpfn, pfn, "pfn lost in obj %#lx", obj);
	KUNIT_EXPECT_EQ_MSG(test, dcls, cls, "class lost in obj %#lx", obj);
	KUNIT_EXPECT_EQ_MSG(test, didx, idx, "index lost in obj %#lx", obj);

	/* migration rewrites the PFN only */
	npfn = l.max_pfn - pfn;
	zsx_core_obj_decode(zsx_core_obj_with_pfn(obj, npfn), &dpfn, &dcls, &didx);
	KUNIT_EXPECT_EQ(test, dpfn, npfn);
	KUNIT_EXPECT_EQ_MSG(test, dcls, cls, "pfn rewrite clobbered the class");
	KUNIT_EXPECT_EQ_MSG(test, didx, idx, "pfn rewrite clobbered the index");
}

static void obj_layout_bit_budget(struct kunit *test)
{
	struct zsx_layout_info l;
	struct zsx_class_info c;
	unsigned int slot, max_objs = 0;

	zsx_core_layout(&l);
	KUNIT_EXPECT_EQ(test, l.long_bits, (unsigned int)BITS_PER_LONG);
	KUNIT_EXPECT_EQ(test, l.pfn_bits + l.class_bits + l.index_bits, l.long_bits);
	KUNIT_EXPECT_EQ(test, l.page_shift, (unsigned int)PAGE_SHIFT);
	for (slot = 0; slot < l.nr_classes; slot++) {
		KUNIT_ASSERT_EQ(test, zsx_core_class_info(l.max_chain, slot, &c), 0);
		max_objs = max(max_objs, c.objs);
	}
	KUNIT_EXPECT_LE_MSG(test, (unsigned long)max_objs - 1, l.max_index,
			    "object index field too narrow for %u objects", max_objs);
	if (l.has_class)
		KUNIT_EXPECT_GE_MSG(test, 1ul << l.class_bits, (unsigned long)l.nr_classes,
				    "class field too narrow");
#if BITS_PER_LONG == 64 && !ZSX_NARROW_OBJ
	KUNIT_EXPECT_TRUE_MSG(test, l.has_class, "64-bit build without a class field in obj");
#else
	KUNIT_EXPECT_FALSE_MSG(test, l.has_class, "narrow build carries a class field");
#endif
}

static struct kunit_case zsx_obj_layout_cases[] = { KUNIT_CASE_PARAM(obj_layout_round_trip,
								     obj_gen_params),
						    KUNIT_CASE(obj_layout_bit_budget),
						    {} };

static struct kunit_suite zsx_obj_layout_suite = {
	.name = "zsx_obj_layout",
	.test_cases = zsx_obj_layout_cases,
};

/* ---- zsx_memory_model: the core's inline pfn/page/address arithmetic ---------- */

struct mm_case {
	const char *name;
	gfp_t gfp;
};

static const struct mm_case mm_cases[] = {
	{ "GFP_KERNEL", GFP_KERNEL },
	{ "GFP_HIGHUSER_MOVABLE", GFP_HIGHUSER_MOVABLE },
	{ "GFP_NOIO|__GFP_HIGHMEM|__GFP_MOVABLE (zsxram's)",
	  GFP_NOIO | __GFP_HIGHMEM | __GFP_MOVABLE },
#ifdef CONFIG_ZONE_DMA32
	{ "GFP_DMA32", GFP_KERNEL | GFP_DMA32 },
#endif
};

static void mm_case_desc(const struct mm_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(mm_case, mm_cases, mm_case_desc);

#define MM_PAGES 256

/*
 * every page the kernel hands out: the core's pfn, page-of-pfn and address
 * are the kernel's own page_to_pfn(), pfn_to_page() and page_address()
 */
static void memory_model_matches_the_kernel(struct kunit *test)
{
	const struct mm_case *c = test->param_value;
	struct page **pages = kunit_kcalloc(test, MM_PAGES, sizeof(*pages), GFP_KERNEL);
	unsigned int i, inline_mm = 0;

	KUNIT_ASSERT_NOT_NULL(test, pages);
	for (i = 0; i < MM_PAGES; i++) {
		struct zsx_plat_page *back;
		unsigned long pfn;
		void *addr, *kaddr;

		pages[i] = alloc_page(c->gfp);
		if (!pages[i])
			break;
		inline_mm = zsx_core_mm_model((struct zsx_plat_page *)pages[i], &pfn, &addr, &back);
		KUNIT_EXPECT_EQ_MSG(test, pfn, page_to_pfn(pages[i]), "page %u: core pfn differs",
				    i);
		KUNIT_EXPECT_PTR_EQ_MSG(test, (struct page *)back, pages[i],
					"page %u: core page of pfn %#lx differs", i, pfn);
		kaddr = kmap_local_page(pages[i]);
		KUNIT_EXPECT_PTR_EQ_MSG(test, addr, kaddr,
					"page %u (pfn %#lx): core address differs", i, pfn);
		kunmap_local(kaddr);
	}
	KUNIT_EXPECT_EQ_MSG(test, i, MM_PAGES, "could allocate only %u pages", i);
	while (i--)
		__free_page(pages[i]);
	kunit_info(test, "memory model: %s",
		   inline_mm ? "inline (vmemmap + direct map)" : "out-of-line calls");
}

/* a PFN beyond all memory is refused, not turned into a page pointer */
#ifndef PAGES_PER_SECTION
#define PAGES_PER_SECTION 1UL
#endif
static void memory_model_refuses_pfns_beyond_memory(struct kunit *test)
{
	unsigned long top = 0, slab_pfn;
	int nid;

	for_each_online_node(nid)
		top = max(top, node_end_pfn(nid));
	/*
	 * the first section after all memory: no struct page there in either
	 * model (the out-of-line pfn_valid() accepts the rest of the last,
	 * present section, whose struct pages exist)
	 */
	KUNIT_EXPECT_NULL_MSG(test, zsx_core_mm_pfn_to_page(ALIGN(top + 1, PAGES_PER_SECTION)),
			      "pfn %#lx is beyond memory", ALIGN(top + 1, PAGES_PER_SECTION));
	KUNIT_EXPECT_NULL_MSG(test, zsx_core_mm_pfn_to_page(~0ul >> PAGE_SHIFT),
			      "the largest pfn is not memory");
	slab_pfn = page_to_pfn(virt_to_page(kunit_kmalloc(test, 64, GFP_KERNEL)));
	KUNIT_EXPECT_NOT_NULL_MSG(test, zsx_core_mm_pfn_to_page(slab_pfn),
				  "a slab page's pfn is memory");
}

static struct kunit_case zsx_memory_model_cases[] = {
	KUNIT_CASE_PARAM(memory_model_matches_the_kernel, mm_case_gen_params),
	KUNIT_CASE(memory_model_refuses_pfns_beyond_memory),
	{}
};

static struct kunit_suite zsx_memory_model_suite = {
	.name = "zsx_memory_model",
	.test_cases = zsx_memory_model_cases,
};

kunit_test_suites(&zsx_geometry_suite, &zsx_obj_layout_suite, &zsx_memory_model_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zsx KUnit suites");

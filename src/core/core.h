/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C face of the zsx C++ core: what the C shim (and the KUnit suites, through
 * the shim's exports) may call. Plain C, no kernel header, no C++.
 */
#ifndef ZSX_CORE_H
#define ZSX_CORE_H

#include "config.h"

#ifdef __cplusplus
extern "C" {
#endif

struct zsx_class_info {
	unsigned int size;     /* object size of the class serving this slot */
	unsigned int objs;     /* objects per zspage */
	unsigned int pages;    /* pages per zspage */
	unsigned int index;    /* canonical (merged) class index */
	int huge;
};

struct zsx_layout_info {
	unsigned int long_bits, pfn_bits, class_bits, index_bits;
	int has_class;
	unsigned long max_pfn, max_index;
	unsigned int nr_classes, page_shift, default_chain, min_chain, max_chain;
};

void zsx_core_layout(struct zsx_layout_info *out);
/* 0 on success, -EINVAL (-22) for a chain outside 4..16 or a slot out of range */
int zsx_core_class_info(unsigned int chain, unsigned int slot, struct zsx_class_info *out);
/* slot serving a request of size bytes, or -EINVAL for 0 or > PAGE_SIZE */
int zsx_core_slot_of_size(unsigned long size);
unsigned long zsx_core_huge_class_size(unsigned int chain);
unsigned int zsx_core_nr_distinct_classes(unsigned int chain);
unsigned long zsx_core_obj_encode(unsigned long pfn, unsigned int class_idx, unsigned int obj_idx);
void zsx_core_obj_decode(unsigned long obj, unsigned long *pfn, unsigned int *class_idx, unsigned int *obj_idx);
unsigned long zsx_core_obj_with_pfn(unsigned long obj, unsigned long pfn);

#ifdef __cplusplus
}
#endif

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * The test build of zsx.ko (ZSX_TESTS=1) only: the internals zsx's test
 * modules use (kunit/zsx_test.h), exported here and nowhere else, so the
 * product module (`make`, DKMS) exports the zsmalloc-like API alone.
 */
#include <linux/export.h>
#include "zsx.h"
#include "core.h"
#include "zsx_internal.h"

/* geometry and obj-layout introspection, for the KUnit suites and debugfs */
EXPORT_SYMBOL_GPL(zsx_core_layout);
EXPORT_SYMBOL_GPL(zsx_core_class_info);
EXPORT_SYMBOL_GPL(zsx_core_slot_of_size);
EXPORT_SYMBOL_GPL(zsx_core_huge_class_size);
EXPORT_SYMBOL_GPL(zsx_core_nr_distinct_classes);
EXPORT_SYMBOL_GPL(zsx_core_obj_encode);
EXPORT_SYMBOL_GPL(zsx_core_mm_model);
EXPORT_SYMBOL_GPL(zsx_core_mm_pfn_to_page);
EXPORT_SYMBOL_GPL(zsx_core_obj_decode);
EXPORT_SYMBOL_GPL(zsx_core_obj_with_pfn);
/* pool introspection, for the KUnit suites and benchmarks */
EXPORT_SYMBOL_GPL(zsx_core_has_classidx);
EXPORT_SYMBOL_GPL(zsx_core_objects_in_use);
EXPORT_SYMBOL_GPL(zsx_core_compactable_pages);
EXPORT_SYMBOL_GPL(zsx_core_pool_class_stats);
EXPORT_SYMBOL_GPL(zsx_core_pool_chain);
EXPORT_SYMBOL_GPL(zsx_core_handle_location);
EXPORT_SYMBOL_GPL(zsx_core_deferred_stats);
EXPORT_SYMBOL_GPL(zsx_core_deferred_cpu_pending);
EXPORT_SYMBOL_GPL(zsx_core_deferred_set_paused);
EXPORT_SYMBOL_GPL(zsx_core_deferred_set_hold_max);
/* the shim's test surface */
EXPORT_SYMBOL_GPL(zsx_pool_core);
EXPORT_SYMBOL_GPL(zsx_pool_policy);
EXPORT_SYMBOL_GPL(zsx_free_policy_name);
EXPORT_SYMBOL_GPL(zsx_test_migrate_handle);
EXPORT_SYMBOL_GPL(zsx_misuse_count);
EXPORT_SYMBOL_GPL(zsx_test_pages_held);
EXPORT_SYMBOL_GPL(zsx_core_pool_stats);
EXPORT_SYMBOL_GPL(zsx_core_handle_page);

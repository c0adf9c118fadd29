// SPDX-License-Identifier: GPL-2.0
/*
 * zsx: module init/exit and the exported face of the C++ core.
 */
#define pr_fmt(fmt) "zsx: " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/utsname.h>
#include "core.h"
#include "zsx_compat.h"
#include "zsx_internal.h"

#ifdef ZSX_INJECT
/*
 * Harness self-test builds only (ZSX_INJECT=1, scripts/selftest.sh): one
 * deliberate fault, chosen at load, that the VM harness must report.
 *   inject=warn   WARN_ON(1) in module init
 *   inject=oob    a heap out-of-bounds write done by C++ code (KASAN)
 *   inject=kunit  a broken expectation in the zsx_geometry suite
 */
static char *inject = "";
module_param(inject, charp, 0444);
MODULE_PARM_DESC(inject, "harness self-test fault: warn, oob or kunit");

bool zsx_selftest_inject_kunit_fail(void)
{
	return !strcmp(inject, "kunit");
}
EXPORT_SYMBOL_GPL(zsx_selftest_inject_kunit_fail);

static void zsx_selftest_inject(void)
{
	char *buf;

	if (!strcmp(inject, "warn"))
		WARN_ON(1);
	if (strcmp(inject, "oob"))
		return;
	buf = kmalloc(24, GFP_KERNEL);
	if (buf)
		zsx_core_selftest_oob_write(buf, 24);
	kfree(buf);
}
#else
static void zsx_selftest_inject(void)
{
}
#endif

static int __init zsx_init(void)
{
	struct zsx_layout_info l;
	int err;

	err = zsx_platform_init();
	if (err)
		return err;
	err = zsx_api_init();
	if (err) {
		zsx_platform_exit();
		return err;
	}
	zsx_zpool_init();
	zsx_core_layout(&l);
	pr_info("C++ core loaded: %u size classes (%u distinct at chain %u), huge from %lu bytes\n",
		l.nr_classes, zsx_core_nr_distinct_classes(l.default_chain), l.default_chain,
		zsx_core_huge_class_size(l.default_chain));
	pr_info("obj layout: pfn %u | class %u | index %u bits (%s)\n", l.pfn_bits, l.class_bits,
		l.index_bits, l.has_class ? "class index in obj" : "narrow: no class field");
	/* what this kernel lets zsx offer (zsx_compat.h): the VM's migration, zswap */
	pr_info("kernel %s: pages %s, zpool driver %s\n", init_utsname()->release,
		ZSX_PAGES_MOVABLE ? "movable" : "not movable (zsx compacts its own zspages only)",
		zsx_zpool_registered() ? "registered" : "not built (no zpool in this kernel)");
	zsx_selftest_inject();
	return 0;
}

static void __exit zsx_exit(void)
{
	zsx_zpool_exit();
	zsx_api_exit();
	zsx_platform_exit();
	pr_info("unloaded\n");
}

module_init(zsx_init);
module_exit(zsx_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zsx: zsmalloc-compatible compressed-memory allocator (C++ core)");

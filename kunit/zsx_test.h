/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What zsx's test modules (KUnit suites, zsx_testctl, zsx_bench, zsx_stress)
 * reach beyond the public API (zsx.h). These symbols are exported only by the
 * test build of zsx.ko (ZSX_TESTS=1: `make tests` and every VM target, see
 * src/kernel/zsx_test_exports.c); the product build (`make`, DKMS) exports the
 * zsmalloc-like API alone.
 */
#ifndef ZSX_TEST_H
#define ZSX_TEST_H

#include "zsx.h"
#include "core.h"
#include "zsx_compat.h" /* kernel-version helpers (timers, zsmalloc API) */

/* the core pool behind a zsx_pool, and the free policy it runs */
struct zsx_core_pool *zsx_pool_core(struct zsx_pool *pool);
int zsx_pool_policy(struct zsx_pool *pool);
const char *zsx_free_policy_name(int policy);
/*
 * migrate the page holding the start of this object, as the VM would;
 * -EOPNOTSUPP where zsx's pages are not movable (!ZSX_PAGES_MOVABLE)
 */
int zsx_test_migrate_handle(struct zsx_core_pool *pool, unsigned long handle);
/* reports of an enum zsx_misuse kind since load */
unsigned long zsx_misuse_count(int kind);
/* data-page references every zsx pool holds now (allocated or adopted, not yet put) */
long zsx_test_pages_held(void);
#ifdef ZSX_INJECT
/* harness self-test builds: zsx.ko was loaded with inject=kunit (zsx_main.c) */
bool zsx_selftest_inject_kunit_fail(void);
#endif

#endif

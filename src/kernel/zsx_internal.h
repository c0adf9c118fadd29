/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZSX_INTERNAL_H
#define ZSX_INTERNAL_H

int zsx_platform_init(void);
void zsx_platform_exit(void);
int zsx_api_init(void);
void zsx_api_exit(void);
void zsx_zpool_init(void);
void zsx_zpool_exit(void);
bool zsx_zpool_registered(void); /* false where the kernel has no zpool */
/* a pool's name from the owner pointer the core passes to trace hooks */
const char *zsx_pool_name_of(void *owner);
const char *zsx_free_policy_name(int policy);
/* tests: reports of an enum zsx_misuse kind since load */
unsigned long zsx_misuse_count(int kind);
long zsx_test_pages_held(void); /* test builds */
#ifdef ZSX_INJECT
/* harness self-test builds (zsx_main.c, core_api.cpp) */
bool zsx_selftest_inject_kunit_fail(void);
void zsx_core_selftest_oob_write(char *buf, unsigned long len);
#endif
#ifdef ZSX_TEST_BUILD
/* the test build's hooks (kunit/zsx_test.h) */
struct zsx_core_pool;
struct zsx_pool;
int zsx_test_migrate_handle(struct zsx_core_pool *pool, unsigned long handle);
struct zsx_core_pool *zsx_pool_core(struct zsx_pool *pool);
int zsx_pool_policy(struct zsx_pool *pool);
#endif

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit fixtures shared by the zsx suites: a pool the test case owns. It is a
 * KUnit resource, so it is destroyed when the case ends however it ends (a
 * failed KUNIT_ASSERT returns from the case early); kunit_pool_destroy()
 * destroys it earlier, for checks that need it gone.
 */
#ifndef ZSX_KUNIT_H
#define ZSX_KUNIT_H

#include <kunit/resource.h>
#include <kunit/test.h>
#include "zsx_test.h"

static inline int zsx_kunit_pool_init(struct kunit_resource *res, void *pool)
{
	res->data = pool;
	return 0;
}

static inline void zsx_kunit_pool_free(struct kunit_resource *res)
{
	zsx_destroy_pool(res->data);
}

static inline bool zsx_kunit_pool_match(struct kunit *test, struct kunit_resource *res,
					void *pool)
{
	return res->free == zsx_kunit_pool_free && res->data == pool;
}

/* NULL when zsx_create_pool_opts() refuses (opts NULL: the module defaults) */
static inline struct zsx_pool *kunit_pool(struct kunit *test, const char *name,
					  const struct zsx_pool_opts *opts)
{
	struct zsx_pool *pool = opts ? zsx_create_pool_opts(name, opts) : zsx_create_pool(name);

	if (pool && !kunit_alloc_resource(test, zsx_kunit_pool_init, zsx_kunit_pool_free,
					  GFP_KERNEL, pool)) {
		zsx_destroy_pool(pool);
		KUNIT_FAIL(test, "no memory to track pool %s", name);
		return NULL;
	}
	return pool;
}

static inline void kunit_pool_destroy(struct kunit *test, struct zsx_pool *pool)
{
	int err;

	if (!pool)
		return;
	err = kunit_destroy_resource(test, zsx_kunit_pool_match, pool);
	KUNIT_EXPECT_EQ_MSG(test, err, 0, "not a pool this case owns");
}

#endif

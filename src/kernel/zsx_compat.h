/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, each behind one named helper. Which side of a
 * helper is built is decided by the kernel's own headers: the feature probes
 * (src/kernel/probes/<feature>.c, run by Kbuild) define ZSX_HAVE_<FEATURE> in
 * the generated zsx_features.h. The shim, zsxram and the test modules use
 * these helpers; the C++ core never sees a kernel version.
 *
 * Lines built and tested: 6.1, 6.12 and 7.3 (and what lies between, where a
 * probe decides alike).
 */
#ifndef ZSX_COMPAT_H
#define ZSX_COMPAT_H

#include <linux/hrtimer.h>
#include <linux/shrinker.h>
#include <linux/timer.h>
#include "zsx_features.h"

/* ---- timers ------------------------------------------------------------- */

#ifdef ZSX_HAVE_TIMER_DELETE
#define zsx_timer_owner(var, timer, field) timer_container_of(var, timer, field)
#define zsx_timer_delete_sync(timer) timer_delete_sync(timer)
#else
#define zsx_timer_owner(var, timer, field) from_timer(var, timer, field)
#define zsx_timer_delete_sync(timer) del_timer_sync(timer)
#endif

#ifdef ZSX_HAVE_TIMER_DESTROY_ON_STACK
#define zsx_timer_destroy_on_stack(timer) timer_destroy_on_stack(timer)
#else
#define zsx_timer_destroy_on_stack(timer) destroy_timer_on_stack(timer)
#endif

typedef enum hrtimer_restart (*zsx_hrtimer_fn)(struct hrtimer *);

static inline void zsx_hrtimer_setup(struct hrtimer *t, zsx_hrtimer_fn fn, clockid_t clock,
				     enum hrtimer_mode mode)
{
#ifdef ZSX_HAVE_HRTIMER_SETUP
	hrtimer_setup(t, fn, clock, mode);
#else
	hrtimer_init(t, clock, mode);
	t->function = fn;
#endif
}

/* ---- KUnit: a parameter generator's arguments (the test first, 6.18+) ------- */

#ifdef ZSX_HAVE_KUNIT_GEN_TEST
#define ZSX_KUNIT_GEN_ARGS struct kunit *test, const void *prev, char *desc
#else
#define ZSX_KUNIT_GEN_ARGS const void *prev, char *desc
#endif

/* ---- shrinkers: allocated by the kernel (6.7+) or embedded ------------------ */

struct zsx_shrinker {
#ifdef ZSX_HAVE_SHRINKER_ALLOC
	struct shrinker *shrinker;
#else
	struct shrinker shrinker;
	bool registered;
#endif
	void *owner;
};

/* the owner given to zsx_shrinker_start(), from a count or scan callback */
static inline void *zsx_shrinker_owner(struct shrinker *s)
{
#ifdef ZSX_HAVE_SHRINKER_ALLOC
	return s->private_data;
#else
	return container_of(s, struct zsx_shrinker, shrinker)->owner;
#endif
}

/* registers a shrinker named "zsx-<name>"; -ENOMEM if there is none */
typedef unsigned long (*zsx_shrinker_fn)(struct shrinker *, struct shrink_control *);

static inline int zsx_shrinker_start(struct zsx_shrinker *zs, void *owner, const char *name,
				     zsx_shrinker_fn count, zsx_shrinker_fn scan)
{
	zs->owner = owner;
#ifdef ZSX_HAVE_SHRINKER_ALLOC
	zs->shrinker = shrinker_alloc(0, "zsx-%s", name);
	if (!zs->shrinker)
		return -ENOMEM;
	zs->shrinker->count_objects = count;
	zs->shrinker->scan_objects = scan;
	zs->shrinker->seeks = DEFAULT_SEEKS;
	zs->shrinker->private_data = owner;
	shrinker_register(zs->shrinker);
	return 0;
#else
	zs->shrinker.count_objects = count;
	zs->shrinker.scan_objects = scan;
	zs->shrinker.batch = 0;
	zs->shrinker.seeks = DEFAULT_SEEKS;
	if (register_shrinker(&zs->shrinker, "zsx-%s", name))
		return -ENOMEM;
	zs->registered = true;
	return 0;
#endif
}

/* safe on a shrinker that never started */
static inline void zsx_shrinker_stop(struct zsx_shrinker *zs)
{
#ifdef ZSX_HAVE_SHRINKER_ALLOC
	shrinker_free(zs->shrinker); /* NULL: nothing */
	zs->shrinker = NULL;
#else
	if (zs->registered)
		unregister_shrinker(&zs->shrinker);
	zs->registered = false;
#endif
}

/* ---- device classes: attributes get const class arguments (6.4+) ----------- */

#ifdef ZSX_HAVE_CLASS_CONST
#define ZSX_CLASS_CONST const
#else
#define ZSX_CLASS_CONST
#endif

/* ---- trace events -------------------------------------------------------- */

#ifdef ZSX_HAVE_ASSIGN_STR_ONE_ARG
#define zsx_assign_str(field, src) __assign_str(field)
#else
#define zsx_assign_str(field, src) __assign_str(field, src)
#endif

/*
 * ---- the word of struct page that holds a zsx page's tag ---------------------
 * The page-cache index, which a zsx page (never in a page cache) does not use.
 */
#ifdef ZSX_HAVE_PAGE_INDEX
#define ZSX_PAGE_TAG_FIELD index
#else
#define ZSX_PAGE_TAG_FIELD __folio_index
#endif

/*
 * ---- page migration ---------------------------------------------------------
 * ZSX_PAGES_MOVABLE: zsx's pages are movable (the kernel's compaction and
 * alloc_contig_range() migrate them through zsx's movable_operations). 7.x
 * keys movable_operations by page type with no type a module can claim:
 * there zsx's pages are allocated unmovable (never in a movable or CMA
 * pageblock) and zsx compacts its own zspages only.
 */
#ifdef ZSX_HAVE_PAGE_MOVABLE_OPS
#define ZSX_PAGES_MOVABLE 1
#else
#define ZSX_PAGES_MOVABLE 0
#endif

/* a CMA-style allocation of [start, end) (the migratetype became flags in 6.16) */
#if IS_ENABLED(CONFIG_CONTIG_ALLOC)
#include <linux/gfp.h>
static inline int zsx_alloc_contig_range(unsigned long start, unsigned long end, gfp_t gfp)
{
#ifdef ZSX_HAVE_ALLOC_CONTIG_FLAGS
	return alloc_contig_range(start, end, ACR_FLAGS_NONE, gfp);
#else
	return alloc_contig_range(start, end, MIGRATE_MOVABLE, gfp);
#endif
}
#else
static inline int zsx_alloc_contig_range(unsigned long start, unsigned long end, gfp_t gfp)
{
	return -EOPNOTSUPP;
}
#endif

/* ---- the kernel's zsmalloc (zsxram's other backend, the tests' baseline) ----- */

/* the kernel zsmalloc's longest zspage chain: a Kconfig choice from 6.3, 4 pages before */
#ifdef CONFIG_ZSMALLOC_CHAIN_SIZE
#define ZSX_KERNEL_ZSMALLOC_CHAIN CONFIG_ZSMALLOC_CHAIN_SIZE
#else
#define ZSX_KERNEL_ZSMALLOC_CHAIN 4
#endif

#ifdef ZSX_HAVE_ZS_MALLOC_NID
#define zsx_zs_malloc(pool, size, gfp) zs_malloc(pool, size, gfp, NUMA_NO_NODE)
#else
#define zsx_zs_malloc(pool, size, gfp) zs_malloc(pool, size, gfp)
#endif

/*
 * ---- a compressor: the crypto API, used synchronously (zsxram, zsx_bench) ----
 * crypto_comp where the kernel has it; 7.x keeps acomp alone, used here with
 * algorithms that are not asynchronous (CRYPTO_ALG_ASYNC masked out), on
 * virtual addresses, so a call completes before it returns and never sleeps.
 */
struct zsx_tfm {
#ifdef ZSX_HAVE_CRYPTO_COMP
	struct crypto_comp *comp;
#else
	struct crypto_acomp *acomp;
	struct acomp_req *req;
#endif
};

#ifdef ZSX_HAVE_CRYPTO_COMP
#include <linux/crypto.h>
static inline bool zsx_tfm_exists(const char *name)
{
	return crypto_has_comp(name, 0, 0);
}

static inline int zsx_tfm_alloc(struct zsx_tfm *t, const char *name)
{
	t->comp = crypto_alloc_comp(name, 0, 0);
	return PTR_ERR_OR_ZERO(t->comp);
}

static inline void zsx_tfm_free(struct zsx_tfm *t)
{
	if (!IS_ERR_OR_NULL(t->comp))
		crypto_free_comp(t->comp);
	t->comp = NULL;
}

static inline int zsx_tfm_compress(struct zsx_tfm *t, const void *src, unsigned int slen,
				   void *dst, unsigned int *dlen)
{
	return crypto_comp_compress(t->comp, src, slen, dst, dlen);
}

static inline int zsx_tfm_decompress(struct zsx_tfm *t, const void *src, unsigned int slen,
				     void *dst, unsigned int *dlen)
{
	return crypto_comp_decompress(t->comp, src, slen, dst, dlen);
}
#elif defined(ZSX_HAVE_ACOMP_NONDMA)
#include <crypto/acompress.h>
static inline bool zsx_tfm_exists(const char *name)
{
	return crypto_has_acomp(name, 0, CRYPTO_ALG_ASYNC);
}

static inline int zsx_tfm_alloc(struct zsx_tfm *t, const char *name)
{
	t->acomp = crypto_alloc_acomp(name, 0, CRYPTO_ALG_ASYNC);
	if (IS_ERR(t->acomp))
		return PTR_ERR(t->acomp);
	t->req = acomp_request_alloc(t->acomp, GFP_KERNEL);
	if (!t->req)
		return -ENOMEM;
	acomp_request_set_callback(t->req, 0, NULL, NULL);
	return 0;
}

static inline void zsx_tfm_free(struct zsx_tfm *t)
{
	if (t->req)
		acomp_request_free(t->req);
	if (!IS_ERR_OR_NULL(t->acomp))
		crypto_free_acomp(t->acomp);
	t->req = NULL;
	t->acomp = NULL;
}

static inline int zsx_tfm_run(struct zsx_tfm *t, bool compress, const void *src, unsigned int slen,
			      void *dst, unsigned int *dlen)
{
	int ret;

	acomp_request_set_src_nondma(t->req, src, slen);
	acomp_request_set_dst_nondma(t->req, dst, *dlen);
	ret = compress ? crypto_acomp_compress(t->req) : crypto_acomp_decompress(t->req);
	*dlen = t->req->dlen;
	return ret;
}

static inline int zsx_tfm_compress(struct zsx_tfm *t, const void *src, unsigned int slen,
				   void *dst, unsigned int *dlen)
{
	return zsx_tfm_run(t, true, src, slen, dst, dlen);
}

static inline int zsx_tfm_decompress(struct zsx_tfm *t, const void *src, unsigned int slen,
				     void *dst, unsigned int *dlen)
{
	return zsx_tfm_run(t, false, src, slen, dst, dlen);
}
#else
#error "zsx: this kernel has neither crypto_comp nor acomp on virtual addresses"
#endif

#endif /* ZSX_COMPAT_H */

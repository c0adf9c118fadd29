// SPDX-License-Identifier: GPL-2.0
/*
 * zsxram: a test zram backend. /dev/zsxramN stores each page compressed (kernel
 * crypto API) in a pluggable pool: zsx, or the running kernel's own zsmalloc.
 * Speaks zram's 6.1 sysfs ABI (disksize, initstate, reset, comp_algorithm,
 * mem_limit, mem_used_max, compact, mm_stat, io_stat, debug_stat) plus
 * `allocator`. Usable as swap: swap_slot_free_notify frees a slot through
 * zsx_free_deferred (zs_free with zsmalloc). Same-filled pages take no memory.
 */
#define pr_fmt(fmt) "zsxram: " fmt

#include <linux/bio.h>
#include <linux/bit_spinlock.h>
#include <linux/blkdev.h>
#include <linux/crypto.h>
#include <linux/highmem.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/vmalloc.h>
#include <linux/zsmalloc.h>
#include "zsx.h"

#define SECTORS_PER_PAGE_SHIFT (PAGE_SHIFT - SECTOR_SHIFT)
#define SECTORS_PER_PAGE BIT(SECTORS_PER_PAGE_SHIFT)
#define ZSXRAM_LOGICAL_BLOCK_SIZE 4096
#define SLOTS_PER_CHUNK 512

static unsigned int num_devices = 1;
module_param(num_devices, uint, 0444);
MODULE_PARM_DESC(num_devices, "number of zsxram devices created at load");

/* ---- the pool behind a device: zsx or the kernel's zsmalloc --------------- */

struct zsxram_pool_ops {
	void (*destroy)(void *pool);
	unsigned long (*malloc)(void *pool, size_t size, gfp_t gfp);
	void (*free)(void *pool, unsigned long handle);
	void (*free_notify)(void *pool, unsigned long handle); /* atomic context */
	void (*flush)(void *pool); /* frees waiting in the pool freed now (NULL: none wait) */
	void *(*map)(void *pool, unsigned long handle, bool write);
	void (*unmap)(void *pool, unsigned long handle);
	unsigned long (*total_pages)(void *pool);
	void (*compact)(void *pool);
	unsigned long (*pages_compacted)(void *pool);
	size_t (*huge_class_size)(void *pool);
};

static unsigned long zsx_ops_malloc(void *p, size_t size, gfp_t gfp)
{
	return zsx_malloc(p, size, gfp, NUMA_NO_NODE);
}

static void zsx_ops_free(void *p, unsigned long h)
{
	zsx_free(p, h);
}

static void zsx_ops_free_notify(void *p, unsigned long h)
{
	zsx_free_deferred(p, h);
}

static void *zsx_ops_map(void *p, unsigned long h, bool w)
{
	return zsx_map_object(p, h, w ? ZSX_MM_WO : ZSX_MM_RO);
}

static void zsx_ops_unmap(void *p, unsigned long h)
{
	zsx_unmap_object(p, h);
}

static unsigned long zsx_ops_total(void *p)
{
	return zsx_get_total_pages(p);
}

static void zsx_ops_compact(void *p)
{
	zsx_compact(p);
}

static size_t zsx_ops_huge(void *p)
{
	return zsx_huge_class_size(p);
}

static void zsx_ops_destroy(void *p)
{
	zsx_destroy_pool(p);
}

static void zsx_ops_flush(void *p)
{
	zsx_free_deferred_flush(p);
}

static unsigned long zsx_ops_compacted(void *p)
{
	struct zsx_pool_stats st;

	zsx_pool_stats(p, &st);
	return st.pages_compacted;
}

static const struct zsxram_pool_ops zsx_pool_ops = {
	.destroy = zsx_ops_destroy,
	.malloc = zsx_ops_malloc,
	.free = zsx_ops_free,
	.free_notify = zsx_ops_free_notify,
	.flush = zsx_ops_flush,
	.map = zsx_ops_map,
	.unmap = zsx_ops_unmap,
	.total_pages = zsx_ops_total,
	.compact = zsx_ops_compact,
	.pages_compacted = zsx_ops_compacted,
	.huge_class_size = zsx_ops_huge,
};

static unsigned long zs_ops_malloc(void *p, size_t size, gfp_t gfp)
{
	return zs_malloc(p, size, gfp);
}

static void zs_ops_free(void *p, unsigned long h)
{
	zs_free(p, h);
}

static void *zs_ops_map(void *p, unsigned long h, bool w)
{
	return zs_map_object(p, h, w ? ZS_MM_WO : ZS_MM_RO);
}

static void zs_ops_unmap(void *p, unsigned long h)
{
	zs_unmap_object(p, h);
}

static unsigned long zs_ops_total(void *p)
{
	return zs_get_total_pages(p);
}

static void zs_ops_compact(void *p)
{
	zs_compact(p);
}

static size_t zs_ops_huge(void *p)
{
	return zs_huge_class_size(p);
}

static void zs_ops_destroy(void *p)
{
	zs_destroy_pool(p);
}

static unsigned long zs_ops_compacted(void *p)
{
	struct zs_pool_stats st = {};

	zs_pool_stats(p, &st);
	return atomic_long_read(&st.pages_compacted);
}

static const struct zsxram_pool_ops zs_pool_ops = {
	.destroy = zs_ops_destroy,
	.malloc = zs_ops_malloc,
	.free = zs_ops_free,
	.free_notify = zs_ops_free,
	.map = zs_ops_map,
	.unmap = zs_ops_unmap,
	.total_pages = zs_ops_total,
	.compact = zs_ops_compact,
	.pages_compacted = zs_ops_compacted,
	.huge_class_size = zs_ops_huge,
};

/* ---- device --------------------------------------------------------------- */

enum slot_flags {
	SLOT_LOCK = 0, /* bit spinlock */
	SLOT_SAME, /* handle holds the fill word */
	SLOT_HUGE, /* stored uncompressed */
};

struct zsxram_slot {
	unsigned long handle;
	unsigned int size;
	unsigned long flags;
};

/*
 * The data path's counters, per CPU: a slot free or a write changes only this
 * CPU's line (this_cpu_add, no atomic RMW on a shared line); readers sum them.
 * They live with the CPU's stream, so a reset (which frees the streams)
 * clears them.
 */
struct zsxram_counters {
	s64 compr_data_size, pages_stored, same_pages, huge_pages, huge_pages_since;
	s64 num_reads, num_writes, failed_reads, failed_writes, invalid_io;
	s64 notify_free, miss_free, writestall;
};

struct zsxram_stream {
	struct crypto_comp *tfm;
	u8 *buffer; /* 2 pages: compressors may overrun a page on bad input */
	struct zsxram_counters ctr;
};

#define ctr_add(z, field, v) this_cpu_add((z)->streams->ctr.field, (v))
#define ctr_sum(z, field) zsxram_ctr_sum(z, offsetof(struct zsxram_counters, field))

struct zsxram_stats {
	atomic_long_t max_used_pages;
};

struct zsxram {
	struct gendisk *disk;
	int id;
	struct rw_semaphore init_lock;
	u64 disksize;
	unsigned long nr_pages;
	struct zsxram_slot **chunks; /* sparse: a chunk of slots is allocated on first write */
	spinlock_t chunk_lock;
	const struct zsxram_pool_ops *ops;
	void *pool;
	char allocator[48];
	char compressor[CRYPTO_MAX_ALG_NAME];
	struct zsxram_stream __percpu *streams;
	unsigned long limit_pages;
	struct zsxram_stats stats;
};

static DEFINE_IDR(zsxram_idr);
static DEFINE_MUTEX(zsxram_index_mutex);
static int zsxram_major;
static const struct block_device_operations zsxram_fops;
static const char *const zsxram_compressors[] = { "lzo-rle", "lzo", "lz4", "lz4hc", "842", "zstd" };

static inline bool init_done(struct zsxram *z)
{
	return z->disksize;
}

/* a counter summed over the CPUs (init_lock held for read or write; 0 before init) */
static s64 zsxram_ctr_sum(struct zsxram *z, size_t off)
{
	s64 sum = 0;
	int cpu;

	if (!z->streams)
		return 0;
	for_each_possible_cpu(cpu)
		sum += *(s64 *)((char *)&per_cpu_ptr(z->streams, cpu)->ctr + off);
	return sum;
}

/* the peak of the pool's pages: raised with compare-and-exchange, never lowered by a race */
static void update_max_used(struct zsxram *z, unsigned long used)
{
	long cur = atomic_long_read(&z->stats.max_used_pages);

	while (used > cur && !atomic_long_try_cmpxchg(&z->stats.max_used_pages, &cur, used))
		;
}

static struct zsxram_slot *slot_get(struct zsxram *z, unsigned long index, bool create)
{
	unsigned long c = index / SLOTS_PER_CHUNK;
	/* acquire: pairs with the release that publishes a zeroed chunk below */
	struct zsxram_slot *chunk = smp_load_acquire(&z->chunks[c]);

	if (!chunk && create) {
		/* I/O path: a failure is this write's -ENOMEM (counted), not a warning */
		struct zsxram_slot *fresh =
			kvcalloc(SLOTS_PER_CHUNK, sizeof(*fresh), GFP_NOIO | __GFP_NOWARN);

		if (!fresh)
			return NULL;
		spin_lock(&z->chunk_lock);
		chunk = z->chunks[c];
		if (!chunk) { /* release: pairs with smp_load_acquire above */
			smp_store_release(&z->chunks[c], fresh);
			chunk = fresh;
			fresh = NULL;
		}
		spin_unlock(&z->chunk_lock);
		kvfree(fresh);
	}
	if (!chunk)
		return NULL;
	return &chunk[index % SLOTS_PER_CHUNK];
}

static void slot_lock(struct zsxram_slot *s) __acquires(s)
{
	bit_spin_lock(SLOT_LOCK, &s->flags);
}

static void slot_unlock(struct zsxram_slot *s) __releases(s)
{
	bit_spin_unlock(SLOT_LOCK, &s->flags);
}

/* slot locked: free its contents; notify: the swap-release path (atomic) */
static void slot_free(struct zsxram *z, struct zsxram_slot *s, bool notify)
{
	if (test_bit(SLOT_SAME, &s->flags)) {
		clear_bit(SLOT_SAME, &s->flags);
		ctr_add(z, same_pages, -1);
		ctr_add(z, pages_stored, -1);
	} else if (s->handle) {
		/* swap release, once per slot: a direct call for zsx (no retpoline) */
		if (notify && likely(z->ops == &zsx_pool_ops))
			zsx_free_deferred(z->pool, s->handle);
		else if (notify)
			z->ops->free_notify(z->pool, s->handle);
		else
			z->ops->free(z->pool, s->handle);
		if (test_and_clear_bit(SLOT_HUGE, &s->flags))
			ctr_add(z, huge_pages, -1);
		ctr_add(z, compr_data_size, -(s64)s->size);
		ctr_add(z, pages_stored, -1);
	}
	s->handle = 0;
	s->size = 0;
}

static bool page_same_filled(const void *ptr, unsigned long *word)
{
	const unsigned long *p = ptr;
	unsigned int i, n = PAGE_SIZE / sizeof(*p);

	for (i = 1; i < n; i++)
		if (p[i] != p[0])
			return false;
	*word = p[0];
	return true;
}

static int read_page(struct zsxram *z, unsigned long index, struct page *page)
{
	struct zsxram_slot *s = slot_get(z, index, false);
	void *dst = kmap_local_page(page);
	int ret = 0;

	if (!s) {
		memset(dst, 0, PAGE_SIZE); /* never written */
		kunmap_local(dst);
		return 0;
	}
	slot_lock(s);
	if (test_bit(SLOT_SAME, &s->flags)) {
		memset_l(dst, s->handle, PAGE_SIZE / sizeof(unsigned long));
	} else if (!s->handle) {
		memset(dst, 0, PAGE_SIZE);
	} else {
		void *src = z->ops->map(z->pool, s->handle, false);

		if (s->size == PAGE_SIZE) {
			memcpy(dst, src, PAGE_SIZE);
		} else {
			struct zsxram_stream *st = get_cpu_ptr(z->streams);
			unsigned int dlen = PAGE_SIZE;

			ret = crypto_comp_decompress(st->tfm, src, s->size, dst, &dlen);
			put_cpu_ptr(z->streams);
			if (!ret && dlen != PAGE_SIZE)
				ret = -EIO;
		}
		z->ops->unmap(z->pool, s->handle);
	}
	slot_unlock(s);
	kunmap_local(dst);
	if (ret)
		pr_err_ratelimited("decompression failed at page %lu: %d\n", index, ret);
	return ret;
}

/* a page of one repeated word is kept in its slot: no compression, no pool */
static bool write_same_filled(struct zsxram *z, struct zsxram_slot *s, struct page *page)
{
	void *src = kmap_local_page(page);
	unsigned long word;
	bool same = page_same_filled(src, &word);

	kunmap_local(src);
	if (!same)
		return false;
	slot_lock(s);
	slot_free(z, s, false);
	s->handle = word;
	set_bit(SLOT_SAME, &s->flags);
	slot_unlock(s);
	ctr_add(z, same_pages, 1);
	ctr_add(z, pages_stored, 1);
	return true;
}

/* a write in progress, kept across its retries */
struct zsxram_write {
	unsigned long index;
	unsigned long limit; /* mem_limit in pages, read once (0: none) */
	unsigned long handle; /* 0 until the pool gave one */
	unsigned long used; /* the pool's pages with this object in */
	unsigned int len; /* bytes stored: compressed, or PAGE_SIZE */
	bool huge; /* stored as is: compressing did not pay */
	bool flushed; /* the pool's parked frees were flushed once already */
};

/* what write_on_stream() needs done off the stream before it can go on */
enum {
	WRITE_STORED = 0,
	WRITE_RETRY, /* done: run write_on_stream() again */
	WRITE_NEED_HANDLE, /* no handle without direct reclaim */
	WRITE_NEED_ROOM, /* over mem_limit: parked frees may make room */
};

/*
 * The part of a write that runs on this CPU's stream, preemption off and the
 * page mapped: compress, get a handle (no direct reclaim), check mem_limit,
 * copy. Anything that may sleep is handed back as WRITE_NEED_*; a retry
 * compresses the same input to the same length, so a handle stays right.
 */
static int write_on_stream(struct zsxram *z, struct zsxram_stream *st, const void *src,
			   struct zsxram_write *w)
{
	unsigned int len = 2 * PAGE_SIZE;
	void *dst;
	int ret;

	ret = crypto_comp_compress(st->tfm, src, PAGE_SIZE, st->buffer, &len);
	if (ret) {
		pr_err_ratelimited("compression failed at page %lu: %d\n", w->index, ret);
		return ret;
	}
	w->huge = len >= z->ops->huge_class_size(z->pool);
	w->len = w->huge ? PAGE_SIZE : len;
	if (!w->handle) {
		w->handle = z->ops->malloc(z->pool, w->len,
					   __GFP_KSWAPD_RECLAIM | __GFP_NOWARN | __GFP_HIGHMEM |
						   __GFP_MOVABLE);
		if (IS_ERR_VALUE(w->handle)) {
			w->handle = 0;
			return WRITE_NEED_HANDLE;
		}
	}
	w->used = z->ops->total_pages(z->pool);
	if (w->limit && w->used > w->limit)
		return w->flushed || !z->ops->flush ? -ENOMEM : WRITE_NEED_ROOM;
	dst = z->ops->map(z->pool, w->handle, true);
	memcpy(dst, w->huge ? src : st->buffer, w->len);
	z->ops->unmap(z->pool, w->handle);
	return WRITE_STORED;
}

/* off the stream, may sleep: do what write_on_stream() asked for */
static int write_make_way(struct zsxram *z, struct zsxram_write *w, int need)
{
	if (need == WRITE_NEED_ROOM) {
		/* parked frees count against the limit: free them, then look again (once) */
		z->ops->flush(z->pool);
		w->flushed = true;
		return WRITE_RETRY;
	}
	ctr_add(z, writestall, 1);
	w->handle = z->ops->malloc(z->pool, w->len, GFP_NOIO | __GFP_HIGHMEM | __GFP_MOVABLE);
	if (!IS_ERR_VALUE(w->handle))
		return WRITE_RETRY;
	w->handle = 0;
	return -ENOMEM;
}

static int write_page(struct zsxram *z, unsigned long index, struct page *page)
{
	struct zsxram_slot *s = slot_get(z, index, true);
	struct zsxram_write w = { .index = index, .limit = READ_ONCE(z->limit_pages) };
	struct zsxram_stream *st;
	void *src;
	int ret;

	if (!s)
		return -ENOMEM;
	if (write_same_filled(z, s, page))
		return 0;
	do {
		st = get_cpu_ptr(z->streams);
		src = kmap_local_page(page);
		ret = write_on_stream(z, st, src, &w);
		kunmap_local(src);
		put_cpu_ptr(z->streams);
		if (ret > WRITE_RETRY)
			ret = write_make_way(z, &w, ret);
	} while (ret == WRITE_RETRY);
	if (ret) {
		if (w.handle)
			z->ops->free(z->pool, w.handle);
		return ret;
	}

	slot_lock(s);
	slot_free(z, s, false);
	s->handle = w.handle;
	s->size = w.len;
	if (w.huge) {
		set_bit(SLOT_HUGE, &s->flags);
		ctr_add(z, huge_pages, 1);
		ctr_add(z, huge_pages_since, 1);
	}
	slot_unlock(s);
	ctr_add(z, compr_data_size, w.len);
	ctr_add(z, pages_stored, 1);
	update_max_used(z, w.used);
	return 0;
}

/* one bio segment: whole pages directly, partial ones through a bounce page */
static int do_bvec(struct zsxram *z, struct bio_vec *bv, unsigned long index, unsigned int offset,
		   bool write)
{
	struct page *page;
	int ret;

	if (bv->bv_len == PAGE_SIZE && !offset && !bv->bv_offset)
		return write ? write_page(z, index, bv->bv_page) : read_page(z, index, bv->bv_page);
	page = alloc_page(GFP_NOIO);
	if (!page)
		return -ENOMEM;
	ret = read_page(z, index, page);
	if (!ret) {
		if (write) {
			memcpy_from_bvec(page_address(page) + offset, bv);
			ret = write_page(z, index, page);
		} else {
			memcpy_to_bvec(bv, page_address(page) + offset);
		}
	}
	__free_page(page);
	return ret;
}

static void discard(struct zsxram *z, struct bio *bio)
{
	sector_t sector = bio->bi_iter.bi_sector;
	unsigned int size = bio->bi_iter.bi_size;
	unsigned long index = sector >> SECTORS_PER_PAGE_SHIFT;
	unsigned int offset = (sector & (SECTORS_PER_PAGE - 1)) << SECTOR_SHIFT;

	/* only whole pages are freed; partial ones keep their data */
	if (offset) {
		if (size <= PAGE_SIZE - offset)
			return;
		size -= PAGE_SIZE - offset;
		index++;
	}
	while (size >= PAGE_SIZE) {
		struct zsxram_slot *s = slot_get(z, index, false);

		if (s) {
			slot_lock(s);
			slot_free(z, s, false);
			slot_unlock(s);
		}
		index++;
		size -= PAGE_SIZE;
	}
}

static void zsxram_submit_bio(struct bio *bio)
{
	struct zsxram *z = bio->bi_bdev->bd_disk->private_data;
	sector_t end = bio_end_sector(bio);
	struct bvec_iter iter;
	struct bio_vec bv;
	bool write = op_is_write(bio_op(bio));

	if (unlikely(end > get_capacity(z->disk) || !init_done(z))) {
		if (init_done(z)) /* the counters are the initialised device's */
			ctr_add(z, invalid_io, 1);
		bio_io_error(bio);
		return;
	}
	switch (bio_op(bio)) {
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		discard(z, bio);
		bio_endio(bio);
		return;
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		break;
	default:
		bio_io_error(bio);
		return;
	}
	bio_for_each_segment(bv, bio, iter) {
		unsigned long index = iter.bi_sector >> SECTORS_PER_PAGE_SHIFT;
		unsigned int offset = (iter.bi_sector & (SECTORS_PER_PAGE - 1)) << SECTOR_SHIFT;
		unsigned int left = bv.bv_len;

		do {
			struct bio_vec part = bv;

			part.bv_len = min_t(unsigned int, PAGE_SIZE - offset, left);
			if (do_bvec(z, &part, index, offset, write)) {
				if (write)
					ctr_add(z, failed_writes, 1);
				else
					ctr_add(z, failed_reads, 1);
				bio->bi_status = BLK_STS_IOERR;
				break;
			}
			bv.bv_offset += part.bv_len;
			left -= part.bv_len;
			index++;
			offset = 0;
		} while (left);
		if (bio->bi_status)
			break;
	}
	if (write)
		ctr_add(z, num_writes, 1);
	else
		ctr_add(z, num_reads, 1);
	bio_endio(bio);
}

static void zsxram_slot_free_notify(struct block_device *bdev, unsigned long index)
{
	struct zsxram *z = bdev->bd_disk->private_data;
	struct zsxram_slot *s = slot_get(z, index, false);

	ctr_add(z, notify_free, 1);
	if (!s)
		return;
	if (!bit_spin_trylock(SLOT_LOCK, &s->flags)) {
		ctr_add(z, miss_free, 1);
		return;
	}
	slot_free(z, s, true);
	slot_unlock(s);
}

static const struct block_device_operations zsxram_fops = {
	.owner = THIS_MODULE,
	.submit_bio = zsxram_submit_bio,
	.swap_slot_free_notify = zsxram_slot_free_notify,
};

/* ---- init / reset ----------------------------------------------------------- */

static void free_streams(struct zsxram *z)
{
	int cpu;

	if (!z->streams)
		return;
	for_each_possible_cpu(cpu) {
		struct zsxram_stream *st = per_cpu_ptr(z->streams, cpu);

		if (!IS_ERR_OR_NULL(st->tfm))
			crypto_free_comp(st->tfm);
		kfree(st->buffer);
	}
	free_percpu(z->streams);
	z->streams = NULL;
}

static int alloc_streams(struct zsxram *z)
{
	int cpu;

	z->streams = alloc_percpu(struct zsxram_stream);
	if (!z->streams)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct zsxram_stream *st = per_cpu_ptr(z->streams, cpu);

		st->tfm = crypto_alloc_comp(z->compressor, 0, 0);
		st->buffer = kmalloc(2 * PAGE_SIZE, GFP_KERNEL);
		if (IS_ERR(st->tfm) || !st->buffer) {
			free_streams(z);
			return -ENOMEM;
		}
	}
	return 0;
}

/* "zsmalloc", "zsx" or "zsx:<free policy>[:deferred|:nodeferred]" */
static void *create_pool(struct zsxram *z, const struct zsxram_pool_ops **ops)
{
	char name[32], buf[48], *p = buf, *tok;
	struct zsx_pool_opts opts = { .free_policy = ZSX_FREE_DEFAULT,
				      .deferred = ZSX_DEFERRED_DEFAULT };

	snprintf(name, sizeof(name), "zsxram%d", z->id);
	if (!strcmp(z->allocator, "zsmalloc")) {
		*ops = &zs_pool_ops;
		return zs_create_pool(name);
	}
	strscpy(buf, z->allocator, sizeof(buf));
	tok = strsep(&p, ":");
	while ((tok = strsep(&p, ":"))) {
		if (!strcmp(tok, "base"))
			opts.free_policy = ZSX_FREE_BASE;
		else if (!strcmp(tok, "classidx"))
			opts.free_policy = ZSX_FREE_CLASSIDX;
		else if (!strcmp(tok, "classidx_unlocked_free"))
			opts.free_policy = ZSX_FREE_CLASSIDX_UNLOCKED;
		else if (!strcmp(tok, "deferred"))
			opts.deferred = ZSX_DEFERRED_PERCPU;
		else if (!strcmp(tok, "nodeferred"))
			opts.deferred = ZSX_DEFERRED_OFF;
	}
	*ops = &zsx_pool_ops;
	return zsx_create_pool_opts(name, &opts);
}

static bool allocator_valid(const char *a)
{
	static const char *const words[] = { "base", "classidx", "classidx_unlocked_free",
					     "deferred", "nodeferred" };
	char buf[48], *p = buf, *tok;
	int i;

	if (!strcmp(a, "zsmalloc") || !strcmp(a, "zsx"))
		return true;
	if (strncmp(a, "zsx:", 4) || strscpy(buf, a + 4, sizeof(buf)) < 0)
		return false;
	while ((tok = strsep(&p, ":"))) {
		for (i = 0; i < ARRAY_SIZE(words); i++)
			if (!strcmp(tok, words[i]))
				break;
		if (i == ARRAY_SIZE(words))
			return false;
	}
	return true;
}

static void reset_locked(struct zsxram *z)
{
	unsigned long c, i, nr_chunks = DIV_ROUND_UP(z->nr_pages, SLOTS_PER_CHUNK);

	if (!init_done(z))
		return;
	set_capacity_and_notify(z->disk, 0);
	for (c = 0; c < nr_chunks; c++) {
		if (!z->chunks[c])
			continue;
		for (i = 0; i < SLOTS_PER_CHUNK; i++) {
			slot_lock(&z->chunks[c][i]);
			slot_free(z, &z->chunks[c][i], false);
			slot_unlock(&z->chunks[c][i]);
		}
		kvfree(z->chunks[c]);
	}
	kvfree(z->chunks);
	z->chunks = NULL;
	z->ops->destroy(z->pool); /* flushes deferred frees first */
	z->pool = NULL;
	free_streams(z);
	z->disksize = 0;
	z->nr_pages = 0;
	memset(&z->stats, 0, sizeof(z->stats));
}

/* ---- sysfs: zram's 6.1 ABI ----------------------------------------------------- */

static struct zsxram *dev_to_zsxram(struct device *dev)
{
	return dev_to_disk(dev)->private_data;
}

static ssize_t disksize_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", dev_to_zsxram(dev)->disksize);
}

static ssize_t disksize_store(struct device *dev, struct device_attribute *attr, const char *buf,
			      size_t len)
{
	struct zsxram *z = dev_to_zsxram(dev);
	const struct zsxram_pool_ops *ops;
	char *end;
	u64 size = memparse(buf, &end);
	int err;

	if (end == buf || (*end && *end != '\n') || !size || size > (1ULL << 50))
		return -EINVAL; /* garbage, zero, or beyond what a slot index can name */
	size = PAGE_ALIGN(size);
	down_write(&z->init_lock);
	err = -EBUSY;
	if (init_done(z))
		goto out;
	err = -ENOMEM;
	z->nr_pages = size >> PAGE_SHIFT;
	z->chunks = kvcalloc(DIV_ROUND_UP(z->nr_pages, SLOTS_PER_CHUNK), sizeof(*z->chunks),
			     GFP_KERNEL);
	if (!z->chunks)
		goto out;
	if (alloc_streams(z))
		goto out_chunks;
	z->pool = create_pool(z, &ops);
	if (!z->pool)
		goto out_streams;
	z->ops = ops;
	z->disksize = size;
	set_capacity_and_notify(z->disk, size >> SECTOR_SHIFT);
	up_write(&z->init_lock);
	return len;
out_streams:
	free_streams(z);
out_chunks:
	kvfree(z->chunks);
	z->chunks = NULL;
out:
	z->nr_pages = 0;
	up_write(&z->init_lock);
	return err;
}

static DEVICE_ATTR_RW(disksize);

static ssize_t initstate_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct zsxram *z = dev_to_zsxram(dev);
	bool v;

	down_read(&z->init_lock);
	v = init_done(z);
	up_read(&z->init_lock);
	return sysfs_emit(buf, "%u\n", v);
}

static DEVICE_ATTR_RO(initstate);

static ssize_t reset_store(struct device *dev, struct device_attribute *attr, const char *buf,
			   size_t len)
{
	struct zsxram *z = dev_to_zsxram(dev);
	struct gendisk *disk = z->disk;
	unsigned short v;
	int ret = kstrtou16(buf, 10, &v);

	if (ret)
		return ret;
	if (!v)
		return -EINVAL;
	mutex_lock(&disk->open_mutex);
	if (disk_openers(disk)) {
		mutex_unlock(&disk->open_mutex);
		return -EBUSY; /* swapon'd or mounted */
	}
	down_write(&z->init_lock);
	reset_locked(z);
	up_write(&z->init_lock);
	mutex_unlock(&disk->open_mutex);
	return len;
}

static DEVICE_ATTR_WO(reset);

static ssize_t comp_algorithm_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct zsxram *z = dev_to_zsxram(dev);
	ssize_t n = 0;
	int i;

	down_read(&z->init_lock);
	for (i = 0; i < ARRAY_SIZE(zsxram_compressors); i++) {
		if (!crypto_has_comp(zsxram_compressors[i], 0, 0))
			continue;
		if (!strcmp(z->compressor, zsxram_compressors[i]))
			n += sysfs_emit_at(buf, n, "[%s] ", zsxram_compressors[i]);
		else
			n += sysfs_emit_at(buf, n, "%s ", zsxram_compressors[i]);
	}
	up_read(&z->init_lock);
	n += sysfs_emit_at(buf, n, "\n");
	return n;
}

static ssize_t comp_algorithm_store(struct device *dev, struct device_attribute *attr,
				    const char *buf, size_t len)
{
	struct zsxram *z = dev_to_zsxram(dev);
	char name[CRYPTO_MAX_ALG_NAME];
	int i;

	strscpy(name, buf, sizeof(name));
	strim(name);
	for (i = 0; i < ARRAY_SIZE(zsxram_compressors); i++)
		if (!strcmp(name, zsxram_compressors[i]))
			break;
	if (i == ARRAY_SIZE(zsxram_compressors) || !crypto_has_comp(name, 0, 0))
		return -EINVAL;
	down_write(&z->init_lock);
	if (init_done(z)) {
		up_write(&z->init_lock);
		return -EBUSY;
	}
	strscpy(z->compressor, name, sizeof(z->compressor));
	up_write(&z->init_lock);
	return len;
}

static DEVICE_ATTR_RW(comp_algorithm);

static ssize_t allocator_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", dev_to_zsxram(dev)->allocator);
}

static ssize_t allocator_store(struct device *dev, struct device_attribute *attr, const char *buf,
			       size_t len)
{
	struct zsxram *z = dev_to_zsxram(dev);
	char name[48];

	if (strscpy(name, buf, sizeof(name)) < 0)
		return -EINVAL;
	strim(name);
	if (!allocator_valid(name))
		return -EINVAL;
	down_write(&z->init_lock);
	if (init_done(z)) {
		up_write(&z->init_lock);
		return -EBUSY;
	}
	strscpy(z->allocator, name, sizeof(z->allocator));
	up_write(&z->init_lock);
	return len;
}

static DEVICE_ATTR_RW(allocator);

static ssize_t mem_limit_store(struct device *dev, struct device_attribute *attr, const char *buf,
			       size_t len)
{
	struct zsxram *z = dev_to_zsxram(dev);
	char *end;
	u64 limit = memparse(buf, &end);

	if (end == buf || (*end && *end != '\n'))
		return -EINVAL;
	down_write(&z->init_lock);
	z->limit_pages = PAGE_ALIGN(limit) >> PAGE_SHIFT;
	up_write(&z->init_lock);
	return len;
}

static DEVICE_ATTR_WO(mem_limit);

static ssize_t mem_used_max_store(struct device *dev, struct device_attribute *attr,
				  const char *buf, size_t len)
{
	struct zsxram *z = dev_to_zsxram(dev);
	unsigned long v;
	int err = kstrtoul(buf, 10, &v);

	if (err || v != 0)
		return -EINVAL;
	down_read(&z->init_lock);
	if (init_done(z))
		atomic_long_set(&z->stats.max_used_pages, z->ops->total_pages(z->pool));
	up_read(&z->init_lock);
	return len;
}

static DEVICE_ATTR_WO(mem_used_max);

static ssize_t compact_store(struct device *dev, struct device_attribute *attr, const char *buf,
			     size_t len)
{
	struct zsxram *z = dev_to_zsxram(dev);

	down_read(&z->init_lock);
	if (!init_done(z)) {
		up_read(&z->init_lock);
		return -EINVAL;
	}
	z->ops->compact(z->pool);
	up_read(&z->init_lock);
	return len;
}

static DEVICE_ATTR_WO(compact);

static ssize_t mm_stat_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct zsxram *z = dev_to_zsxram(dev);
	unsigned long used = 0, compacted = 0;
	ssize_t n;

	down_read(&z->init_lock);
	if (init_done(z)) {
		used = z->ops->total_pages(z->pool);
		compacted = z->ops->pages_compacted(z->pool);
	}
	n = sysfs_emit(buf, "%8llu %8llu %8llu %8lu %8ld %8llu %8lu %8llu %8llu\n",
		       (u64)ctr_sum(z, pages_stored) << PAGE_SHIFT,
		       (u64)ctr_sum(z, compr_data_size), (u64)used << PAGE_SHIFT,
		       z->limit_pages << PAGE_SHIFT,
		       atomic_long_read(&z->stats.max_used_pages) << PAGE_SHIFT,
		       (u64)ctr_sum(z, same_pages), compacted, (u64)ctr_sum(z, huge_pages),
		       (u64)ctr_sum(z, huge_pages_since));
	up_read(&z->init_lock);
	return n;
}

static DEVICE_ATTR_RO(mm_stat);

static ssize_t io_stat_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct zsxram *z = dev_to_zsxram(dev);

	return sysfs_emit(buf, "%8llu %8llu %8llu %8llu\n", (u64)ctr_sum(z, failed_reads),
			  (u64)ctr_sum(z, failed_writes), (u64)ctr_sum(z, invalid_io),
			  (u64)ctr_sum(z, notify_free));
}

static DEVICE_ATTR_RO(io_stat);

static ssize_t debug_stat_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct zsxram *z = dev_to_zsxram(dev);

	return sysfs_emit(buf, "version: %d\n%8llu %8llu\n", 1, (u64)ctr_sum(z, writestall),
			  (u64)ctr_sum(z, miss_free));
}

static DEVICE_ATTR_RO(debug_stat);

static struct attribute *zsxram_attrs[] = {
	&dev_attr_disksize.attr,       &dev_attr_initstate.attr,  &dev_attr_reset.attr,
	&dev_attr_comp_algorithm.attr, &dev_attr_allocator.attr,  &dev_attr_mem_limit.attr,
	&dev_attr_mem_used_max.attr,   &dev_attr_compact.attr,	  &dev_attr_mm_stat.attr,
	&dev_attr_io_stat.attr,	       &dev_attr_debug_stat.attr, NULL,
};

ATTRIBUTE_GROUPS(zsxram);

/* ---- devices ------------------------------------------------------------------ */

static int zsxram_add(void)
{
	struct zsxram *z = kzalloc(sizeof(*z), GFP_KERNEL);
	int ret;

	if (!z)
		return -ENOMEM;
	ret = idr_alloc(&zsxram_idr, z, 0, 0, GFP_KERNEL);
	if (ret < 0)
		goto out_free;
	z->id = ret;
	init_rwsem(&z->init_lock);
	spin_lock_init(&z->chunk_lock);
	strscpy(z->compressor, "lzo-rle", sizeof(z->compressor));
	strscpy(z->allocator, "zsx", sizeof(z->allocator));
	z->disk = blk_alloc_disk(NUMA_NO_NODE);
	if (!z->disk) {
		ret = -ENOMEM;
		goto out_idr;
	}
	z->disk->major = zsxram_major;
	z->disk->first_minor = z->id;
	z->disk->minors = 1;
	z->disk->flags |= GENHD_FL_NO_PART;
	z->disk->fops = &zsxram_fops;
	z->disk->private_data = z;
	snprintf(z->disk->disk_name, 16, "zsxram%d", z->id);
	set_capacity(z->disk, 0);
	blk_queue_flag_set(QUEUE_FLAG_NONROT, z->disk->queue);
	blk_queue_flag_set(QUEUE_FLAG_STABLE_WRITES, z->disk->queue);
	blk_queue_physical_block_size(z->disk->queue, PAGE_SIZE);
	blk_queue_logical_block_size(z->disk->queue, ZSXRAM_LOGICAL_BLOCK_SIZE);
	blk_queue_io_min(z->disk->queue, PAGE_SIZE);
	blk_queue_io_opt(z->disk->queue, PAGE_SIZE);
	z->disk->queue->limits.discard_granularity = PAGE_SIZE;
	blk_queue_max_discard_sectors(z->disk->queue, UINT_MAX);
	blk_queue_max_write_zeroes_sectors(z->disk->queue, UINT_MAX);
	ret = device_add_disk(NULL, z->disk, zsxram_groups);
	if (ret)
		goto out_disk;
	pr_info("added device %s\n", z->disk->disk_name);
	return z->id;
out_disk:
	put_disk(z->disk);
out_idr:
	idr_remove(&zsxram_idr, z->id);
out_free:
	kfree(z);
	return ret;
}

static int zsxram_remove(struct zsxram *z)
{
	struct gendisk *disk = z->disk;

	mutex_lock(&disk->open_mutex);
	if (disk_openers(disk)) {
		mutex_unlock(&disk->open_mutex);
		return -EBUSY;
	}
	mutex_unlock(&disk->open_mutex);
	del_gendisk(disk);
	down_write(&z->init_lock);
	reset_locked(z);
	up_write(&z->init_lock);
	put_disk(disk);
	pr_info("removed device zsxram%d\n", z->id);
	kfree(z);
	return 0;
}

static ssize_t hot_add_show(struct class *class, struct class_attribute *attr, char *buf)
{
	int ret;

	mutex_lock(&zsxram_index_mutex);
	ret = zsxram_add();
	mutex_unlock(&zsxram_index_mutex);
	return ret < 0 ? ret : sysfs_emit(buf, "%d\n", ret);
}

static struct class_attribute class_attr_hot_add = __ATTR(hot_add, 0400, hot_add_show, NULL);

static ssize_t hot_remove_store(struct class *class, struct class_attribute *attr, const char *buf,
				size_t count)
{
	struct zsxram *z;
	int ret, id;

	ret = kstrtoint(buf, 10, &id);
	if (ret)
		return ret;
	if (id < 0)
		return -EINVAL;
	mutex_lock(&zsxram_index_mutex);
	z = idr_find(&zsxram_idr, id);
	if (z) {
		ret = zsxram_remove(z);
		if (!ret)
			idr_remove(&zsxram_idr, id);
	} else {
		ret = -ENODEV;
	}
	mutex_unlock(&zsxram_index_mutex);
	return ret ? ret : count;
}

static CLASS_ATTR_WO(hot_remove);

static struct attribute *zsxram_control_attrs[] = {
	&class_attr_hot_add.attr,
	&class_attr_hot_remove.attr,
	NULL,
};

ATTRIBUTE_GROUPS(zsxram_control);

static struct class zsxram_control_class = {
	.name = "zsxram-control",
	.owner = THIS_MODULE,
	.class_groups = zsxram_control_groups,
};

static int zsxram_remove_cb(int id, void *ptr, void *data)
{
	WARN_ON_ONCE(zsxram_remove(ptr));
	return 0;
}

static void zsxram_destroy_all(void)
{
	idr_for_each(&zsxram_idr, zsxram_remove_cb, NULL);
	idr_destroy(&zsxram_idr);
}

static int __init zsxram_init(void)
{
	int ret;
	unsigned int i;

	ret = class_register(&zsxram_control_class);
	if (ret)
		return ret;
	zsxram_major = register_blkdev(0, "zsxram");
	if (zsxram_major <= 0) {
		class_unregister(&zsxram_control_class);
		return -EBUSY;
	}
	for (i = 0; i < num_devices; i++) {
		mutex_lock(&zsxram_index_mutex);
		ret = zsxram_add();
		mutex_unlock(&zsxram_index_mutex);
		if (ret < 0)
			goto out;
	}
	return 0;
out:
	zsxram_destroy_all();
	unregister_blkdev(zsxram_major, "zsxram");
	class_unregister(&zsxram_control_class);
	return ret;
}

static void __exit zsxram_exit(void)
{
	class_unregister(&zsxram_control_class);
	zsxram_destroy_all();
	unregister_blkdev(zsxram_major, "zsxram");
}

module_init(zsxram_init);
module_exit(zsxram_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zsxram: a zram-like test block device over zsx or the kernel's zsmalloc");

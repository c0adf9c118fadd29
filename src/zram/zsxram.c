// SPDX-License-Identifier: GPL-2.0
/*
 * zsxram: a test zram backend. /dev/zsxramN stores each page compressed (kernel
 * crypto API) in a pluggable pool: zsx, or the running kernel's own zsmalloc.
 * Speaks zram's 6.1 sysfs ABI (disksize, initstate, reset, comp_algorithm,
 * mem_limit, mem_used_max, compact, mm_stat, io_stat, debug_stat) plus
 * `allocator`. Usable as swap: swap_slot_free_notify frees a slot through
 * zsx_free_deferred (zs_free with zsmalloc). Same-filled pages take no memory.
 *
 * Layout: the pool operations, the data path (slots, read, write, bio), then
 * a device's lifecycle (one state machine, below), the per-device attributes
 * (one table, each row its parser, precondition and handler) and the control
 * class (hot_add, hot_remove) that creates and destroys devices.
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
#include "zsx_compat.h"

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
	/*
	 * the object's bytes, in place or copied to @local (2 * PAGE_SIZE);
	 * preemption off until read_end
	 */
	const void *(*read_begin)(void *pool, unsigned long handle, size_t len, void *local);
	void (*read_end)(void *pool, unsigned long handle, size_t len, const void *mem);
	void (*write)(void *pool, unsigned long handle, const void *src, size_t len);
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

static const void *zsx_ops_read_begin(void *p, unsigned long h, size_t len, void *local)
{
	return zsx_obj_read_begin(p, h, len, local);
}

static void zsx_ops_read_end(void *p, unsigned long h, size_t len, const void *mem)
{
	zsx_obj_read_end(p, h, (void *)mem);
}

static void zsx_ops_write(void *p, unsigned long h, const void *src, size_t len)
{
	zsx_obj_write(p, h, (void *)src, len);
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
	.read_begin = zsx_ops_read_begin,
	.read_end = zsx_ops_read_end,
	.write = zsx_ops_write,
	.total_pages = zsx_ops_total,
	.compact = zsx_ops_compact,
	.pages_compacted = zsx_ops_compacted,
	.huge_class_size = zsx_ops_huge,
};

static unsigned long zs_ops_malloc(void *p, size_t size, gfp_t gfp)
{
	return zsx_zs_malloc(p, size, gfp);
}

static void zs_ops_free(void *p, unsigned long h)
{
	zs_free(p, h);
}

/* zsmalloc maps objects (up to 6.17), or reads and writes them (6.18+) */
#ifdef ZSX_HAVE_ZS_MAP_OBJECT
static const void *zs_ops_read_begin(void *p, unsigned long h, size_t len, void *local)
{
	return zs_map_object(p, h, ZS_MM_RO);
}

static void zs_ops_read_end(void *p, unsigned long h, size_t len, const void *mem)
{
	zs_unmap_object(p, h);
}

static void zs_ops_write(void *p, unsigned long h, const void *src, size_t len)
{
	memcpy(zs_map_object(p, h, ZS_MM_WO), src, len);
	zs_unmap_object(p, h);
}
#else
static const void *zs_ops_read_begin(void *p, unsigned long h, size_t len, void *local)
{
	return zs_obj_read_begin(p, h, len, local);
}

static void zs_ops_read_end(void *p, unsigned long h, size_t len, const void *mem)
{
	zs_obj_read_end(p, h, len, (void *)mem);
}

static void zs_ops_write(void *p, unsigned long h, const void *src, size_t len)
{
	zs_obj_write(p, h, (void *)src, len);
}
#endif

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
	.read_begin = zs_ops_read_begin,
	.read_end = zs_ops_read_end,
	.write = zs_ops_write,
	.total_pages = zs_ops_total,
	.compact = zs_ops_compact,
	.pages_compacted = zs_ops_compacted,
	.huge_class_size = zs_ops_huge,
};

/* ---- a device --------------------------------------------------------------- */

/* what a slot holds; written and read with the slot locked */
enum slot_kind {
	SLOT_STORED = 0, /* a compressed object (or nothing: handle 0) */
	SLOT_SAME, /* handle holds the fill word */
	SLOT_HUGE, /* stored uncompressed */
};

#define SLOT_LOCK 0 /* the bit spinlock: the only bit of zsxram_slot.lock */

struct zsxram_slot {
	unsigned long handle;
	u32 size : 24; /* bytes stored, at most PAGE_SIZE */
	u32 kind : 8; /* enum slot_kind */
	/*
	 * the contents' version, one more on each change (slot_free()): a
	 * partial write stores its read-modify-write only if no other change
	 * came in between (see do_bvec())
	 */
	u32 gen;
	/*
	 * nothing but the lock bit: a lock holder's stores to the other fields
	 * are plain, and the unlock is a release store (__bit_spin_unlock)
	 */
	unsigned long lock;
};

static_assert(PAGE_SIZE < (1UL << 24), "zsxram_slot.size holds at most PAGE_SIZE");
/* the version sits in what was padding: a slot stays three words on 64-bit */
static_assert(BITS_PER_LONG == 32 || sizeof(struct zsxram_slot) == 3 * sizeof(long),
	      "zsxram_slot grew");

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
	struct zsx_tfm tfm;
	u8 *buffer; /* 2 pages: compressors may overrun a page on bad input */
	struct zsxram_counters ctr;
};

#define ctr_add(z, field, v) this_cpu_add((z)->streams->ctr.field, (v))
#define ctr_sum(z, field) zsxram_ctr_sum(z, offsetof(struct zsxram_counters, field))

/*
 * A device's lifecycle. Every change of state is made with z->lock held for
 * write; the change to GOING also with the disk's open_mutex held, which is
 * what zsxram_open() reads it under.
 *
 *                disksize            reset (disk closed)
 *      EMPTY -------------> READY -------------------> EMPTY
 *        |                    |
 *        +--------------------+-- hot_remove, rmmod (disk closed) --> GOING --> freed
 *
 * EMPTY  capacity 0; the settings (allocator, compressor, mem_limit) can change
 * READY  the store exists (slot table, streams, pool) and I/O is served
 * GOING  claimed for teardown: opens fail (-ENXIO), disksize too (-EBUSY)
 */
enum zsxram_state {
	ZSXRAM_EMPTY,
	ZSXRAM_READY,
	ZSXRAM_GOING,
};

/* how far zsxram_setup() got: zsxram_teardown() undoes that much, no more */
enum zsxram_built {
	ZSXRAM_BUILT_NOTHING,
	ZSXRAM_BUILT_ID, /* a number reserved in zsxram_idr */
	ZSXRAM_BUILT_DISK, /* a gendisk allocated */
	ZSXRAM_BUILT_LIVE, /* the disk added, the device findable by its number */
};

struct zsxram {
	/* identity: set up once by zsxram_setup() */
	int id;
	char name[DISK_NAME_LEN];
	struct gendisk *disk;
	enum zsxram_built built;

	/* lifecycle: the state and the settings, under lock */
	struct rw_semaphore lock;
	enum zsxram_state state;
	char allocator[48];
	char compressor[CRYPTO_MAX_ALG_NAME];
	unsigned long limit_pages; /* mem_limit; read without the lock by writes */

	/* the store: built by zsxram_dev_init(), there while READY */
	u64 disksize;
	unsigned long nr_pages;
	struct zsxram_slot **chunks; /* sparse: a chunk of slots is allocated on first write */
	spinlock_t chunk_lock;
	const struct zsxram_pool_ops *ops;
	void *pool;
	struct zsxram_stream __percpu *streams;
	atomic_long_t max_used_pages;
};

static DEFINE_IDR(zsxram_idr);
static DEFINE_MUTEX(zsxram_index_mutex); /* zsxram_idr, and creating or destroying a device */
static int zsxram_major;
static const struct block_device_operations zsxram_fops;
static const char *const zsxram_compressors[] = { "lzo-rle", "lzo", "lz4", "lz4hc", "842", "zstd" };

/* the I/O path's test, without the lock */
static bool zsxram_ready(struct zsxram *z)
{
	/* acquire: pairs with the release in zsxram_dev_init(), the store comes with READY */
	return smp_load_acquire(&z->state) == ZSXRAM_READY;
}

/* a counter summed over the CPUs (z->lock held for read or write; 0 with no store) */
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
	long cur = atomic_long_read(&z->max_used_pages);

	while (used > cur && !atomic_long_try_cmpxchg(&z->max_used_pages, &cur, used))
		;
}

/* the slot of index if its chunk exists: the swap-release path's lookup, inline */
static __always_inline struct zsxram_slot *slot_find(struct zsxram *z, unsigned long index)
{
	/* acquire: pairs with the release that publishes a zeroed chunk in slot_get() */
	struct zsxram_slot *chunk = smp_load_acquire(&z->chunks[index / SLOTS_PER_CHUNK]);

	return chunk ? &chunk[index % SLOTS_PER_CHUNK] : NULL;
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
	bit_spin_lock(SLOT_LOCK, &s->lock);
}

static void slot_unlock(struct zsxram_slot *s) __releases(s)
{
	/* the word holds no other bit: a release store unlocks it */
	__bit_spin_unlock(SLOT_LOCK, &s->lock);
}

/* slot locked: free its contents; notify: the swap-release path (atomic) */
static void slot_free(struct zsxram *z, struct zsxram_slot *s, bool notify)
{
	/* loaded once: each this_cpu_add() is a compiler barrier */
	struct zsxram_counters __percpu *ctr = &z->streams->ctr;

	if (s->kind == SLOT_SAME) {
		this_cpu_add(ctr->same_pages, -1);
		this_cpu_add(ctr->pages_stored, -1);
	} else if (s->handle) {
		/* swap release, once per slot: a direct call for zsx (no retpoline) */
		if (notify && likely(z->ops == &zsx_pool_ops))
			zsx_free_deferred(z->pool, s->handle);
		else if (notify)
			z->ops->free_notify(z->pool, s->handle);
		else
			z->ops->free(z->pool, s->handle);
		if (s->kind == SLOT_HUGE)
			this_cpu_add(ctr->huge_pages, -1);
		this_cpu_add(ctr->compr_data_size, -(s64)s->size);
		this_cpu_add(ctr->pages_stored, -1);
	}
	s->handle = 0;
	s->size = 0;
	s->kind = SLOT_STORED;
	s->gen++;
}

/* slot locked: no change since a partial write read the page at @gen (NULL: a whole page) */
static bool slot_unchanged(const struct zsxram_slot *s, const u32 *gen)
{
	return !gen || s->gen == *gen;
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

/* @gen: NULL, or where the contents' version read goes (a partial write) */
static int read_page(struct zsxram *z, unsigned long index, struct page *page, u32 *gen)
{
	struct zsxram_slot *s = slot_get(z, index, false);
	void *dst = kmap_local_page(page);
	int ret = 0;

	if (!s) {
		memset(dst, 0, PAGE_SIZE); /* never written */
		kunmap_local(dst);
		if (gen)
			*gen = 0; /* a slot's version before its first change */
		return 0;
	}
	slot_lock(s);
	if (gen)
		*gen = s->gen;
	if (s->kind == SLOT_SAME) {
		memset_l(dst, s->handle, PAGE_SIZE / sizeof(unsigned long));
	} else if (!s->handle) {
		memset(dst, 0, PAGE_SIZE);
	} else {
		/* the stream's buffer takes a copy of an object that spans pages */
		struct zsxram_stream *st = get_cpu_ptr(z->streams);
		const void *src = z->ops->read_begin(z->pool, s->handle, s->size, st->buffer);

		if (s->size == PAGE_SIZE) {
			memcpy(dst, src, PAGE_SIZE);
		} else {
			unsigned int dlen = PAGE_SIZE;

			ret = zsx_tfm_decompress(&st->tfm, src, s->size, dst, &dlen);
			if (!ret && dlen != PAGE_SIZE)
				ret = -EIO;
		}
		z->ops->read_end(z->pool, s->handle, s->size, src);
		put_cpu_ptr(z->streams);
	}
	slot_unlock(s);
	kunmap_local(dst);
	if (ret)
		pr_err_ratelimited("decompression failed at page %lu: %d\n", index, ret);
	return ret;
}

/* what storing a page came to, besides 0 (stored) and a -errno */
enum {
	STORE_CHANGED = 1, /* a partial write's page changed since its read: nothing stored */
	STORE_NOT_SAME, /* write_same_filled(): not one repeated word, nothing done */
};

/*
 * A page of one repeated word is kept in its slot: no compression, no pool.
 * Returns 0 once stored, STORE_CHANGED as write_page() does, or
 * STORE_NOT_SAME.
 */
static int write_same_filled(struct zsxram *z, struct zsxram_slot *s, struct page *page,
			     const u32 *gen)
{
	void *src = kmap_local_page(page);
	unsigned long word;
	bool same = page_same_filled(src, &word);

	kunmap_local(src);
	if (!same)
		return STORE_NOT_SAME;
	slot_lock(s);
	if (!slot_unchanged(s, gen)) {
		slot_unlock(s);
		return STORE_CHANGED;
	}
	slot_free(z, s, false);
	s->handle = word;
	s->kind = SLOT_SAME;
	slot_unlock(s);
	ctr_add(z, same_pages, 1);
	ctr_add(z, pages_stored, 1);
	return 0;
}

/* a write in progress, kept across its retries */
struct zsxram_write {
	unsigned long index;
	unsigned long limit; /* mem_limit in pages (0: none); read again after a flush */
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
	int ret;

	ret = zsx_tfm_compress(&st->tfm, src, PAGE_SIZE, st->buffer, &len);
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
	z->ops->write(z->pool, w->handle, w->huge ? src : st->buffer, w->len);
	return WRITE_STORED;
}

/* off the stream, may sleep: do what write_on_stream() asked for */
static int write_make_way(struct zsxram *z, struct zsxram_write *w, int need)
{
	if (need == WRITE_NEED_ROOM) {
		/* parked frees count against the limit: free them, then look again (once) */
		z->ops->flush(z->pool);
		w->flushed = true;
		/* and against the limit as it is now: one written during the flush counts */
		w->limit = READ_ONCE(z->limit_pages);
		return WRITE_RETRY;
	}
	ctr_add(z, writestall, 1);
	w->handle = z->ops->malloc(z->pool, w->len, GFP_NOIO | __GFP_HIGHMEM | __GFP_MOVABLE);
	if (!IS_ERR_VALUE(w->handle))
		return WRITE_RETRY;
	w->handle = 0;
	return -ENOMEM;
}

/*
 * Store @page as the contents of page @index: 0 or a -errno. @gen: NULL for
 * a whole page, or the version a partial write read the page at:
 * STORE_CHANGED, nothing stored, if the contents changed since.
 */
static int write_page(struct zsxram *z, unsigned long index, struct page *page, const u32 *gen)
{
	struct zsxram_slot *s = slot_get(z, index, true);
	struct zsxram_write w = { .index = index, .limit = READ_ONCE(z->limit_pages) };
	struct zsxram_stream *st;
	void *src;
	int ret;

	if (!s)
		return -ENOMEM;
	ret = write_same_filled(z, s, page, gen);
	if (ret != STORE_NOT_SAME)
		return ret;
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
	if (!slot_unchanged(s, gen)) {
		slot_unlock(s);
		z->ops->free(z->pool, w.handle);
		return STORE_CHANGED;
	}
	slot_free(z, s, false);
	s->handle = w.handle;
	s->size = w.len;
	if (w.huge) {
		s->kind = SLOT_HUGE;
		ctr_add(z, huge_pages, 1);
		ctr_add(z, huge_pages_since, 1);
	}
	slot_unlock(s);
	ctr_add(z, compr_data_size, w.len);
	ctr_add(z, pages_stored, 1);
	update_max_used(z, w.used);
	return 0;
}

/*
 * One bio segment: whole pages directly, partial ones through a bounce page.
 * A partial write is a read-modify-write of the whole page, and writes of
 * other blocks of that page may run at the same time (with pages larger
 * than the 4K block, ext2's inode table blocks, say): it stores only if the
 * page did not change since its read, and otherwise reads and merges again,
 * so it never puts back what a concurrent write replaced. Each retry follows
 * a write that was stored, and may reschedule first.
 */
static int do_bvec(struct zsxram *z, struct bio_vec *bv, unsigned long index, unsigned int offset,
		   bool write)
{
	struct page *page;
	u32 gen;
	int ret;

	if (bv->bv_len == PAGE_SIZE && !offset && !bv->bv_offset)
		return write ? write_page(z, index, bv->bv_page, NULL) :
			       read_page(z, index, bv->bv_page, NULL);
	page = alloc_page(GFP_NOIO);
	if (!page)
		return -ENOMEM;
	for (;;) {
		ret = read_page(z, index, page, write ? &gen : NULL);
		if (ret)
			break;
		if (!write) {
			memcpy_to_bvec(bv, page_address(page) + offset);
			break;
		}
		memcpy_from_bvec(page_address(page) + offset, bv);
		ret = write_page(z, index, page, &gen);
		if (ret != STORE_CHANGED)
			break;
		cond_resched();
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
	sector_t capacity = get_capacity(z->disk);
	struct bvec_iter iter;
	struct bio_vec bv;
	bool write = op_is_write(bio_op(bio));

	/*
	 * The capacity, then the state: pairs with the smp_wmb() between
	 * READY and the capacity in zsxram_dev_init(). A bio within a capacity
	 * seen here finds the store that capacity was set for.
	 */
	smp_rmb();
	if (unlikely(bio_end_sector(bio) > capacity || !zsxram_ready(z))) {
		if (zsxram_ready(z)) /* the counters are the initialised device's */
			ctr_add(z, invalid_io, 1);
		bio_io_error(bio);
		return;
	}
	switch (bio_op(bio)) {
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES: /* only where a block is a page: see zsxram_describe_disk() */
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
	struct zsxram_slot *s = slot_find(z, index);

	ctr_add(z, notify_free, 1);
	if (!s)
		return;
	if (!bit_spin_trylock(SLOT_LOCK, &s->lock)) {
		ctr_add(z, miss_free, 1);
		return;
	}
	slot_free(z, s, true);
	slot_unlock(s);
}

/* ---- the store: slots, streams, pool -------------------------------------------- */

static void free_streams(struct zsxram *z)
{
	int cpu;

	if (!z->streams)
		return;
	for_each_possible_cpu(cpu) {
		struct zsxram_stream *st = per_cpu_ptr(z->streams, cpu);

		zsx_tfm_free(&st->tfm);
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

		st->buffer = kmalloc(2 * PAGE_SIZE, GFP_KERNEL);
		if (zsx_tfm_alloc(&st->tfm, z->compressor) || !st->buffer) {
			free_streams(z);
			return -ENOMEM;
		}
	}
	return 0;
}

/* "zsmalloc", "zsx" or "zsx:<free policy>[:deferred|:nodeferred|:release]" */
static void *create_pool(struct zsxram *z, const struct zsxram_pool_ops **ops)
{
	char buf[48], *p = buf, *tok;
	struct zsx_pool_opts opts = { .free_policy = ZSX_FREE_DEFAULT,
				      .deferred = ZSX_DEFERRED_DEFAULT };

	if (!strcmp(z->allocator, "zsmalloc")) {
		*ops = &zs_pool_ops;
		return zs_create_pool(z->name);
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
		else if (!strcmp(tok, "release"))
			opts.deferred = ZSX_DEFERRED_RELEASE;
	}
	*ops = &zsx_pool_ops;
	return zsx_create_pool_opts(z->name, &opts);
}

static bool allocator_valid(const char *a)
{
	static const char *const words[] = { "base", "classidx", "classidx_unlocked_free",
					     "deferred", "nodeferred", "release" };
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

/* ---- a device's lifecycle ------------------------------------------------------ */

/* free the store, or what a failed zsxram_dev_init() built of it (lock held for write, no I/O) */
static void zsxram_drop_store(struct zsxram *z)
{
	unsigned long c, i;

	for (c = 0; z->chunks && c < DIV_ROUND_UP(z->nr_pages, SLOTS_PER_CHUNK); c++) {
		for (i = 0; z->chunks[c] && i < SLOTS_PER_CHUNK; i++) {
			slot_lock(&z->chunks[c][i]);
			slot_free(z, &z->chunks[c][i], false);
			slot_unlock(&z->chunks[c][i]);
		}
		kvfree(z->chunks[c]);
	}
	kvfree(z->chunks);
	z->chunks = NULL;
	if (z->pool)
		z->ops->destroy(z->pool); /* flushes deferred frees first */
	z->pool = NULL;
	free_streams(z); /* the counters with them */
	z->disksize = 0;
	z->nr_pages = 0;
	atomic_long_set(&z->max_used_pages, 0);
}

/* EMPTY -> READY: build the store for @disksize bytes (lock held for write) */
static int zsxram_dev_init(struct zsxram *z, u64 disksize)
{
	z->nr_pages = PAGE_ALIGN(disksize) >> PAGE_SHIFT;
	z->chunks = kvcalloc(DIV_ROUND_UP(z->nr_pages, SLOTS_PER_CHUNK), sizeof(*z->chunks),
			     GFP_KERNEL);
	if (z->chunks && !alloc_streams(z))
		z->pool = create_pool(z, &z->ops);
	if (!z->pool) {
		zsxram_drop_store(z);
		return -ENOMEM;
	}
	z->disksize = PAGE_ALIGN(disksize);
	/* release: pairs with zsxram_ready(), the I/O path that sees READY sees the store */
	smp_store_release(&z->state, ZSXRAM_READY);
	/*
	 * The release orders the store before READY, not READY before the
	 * capacity stored next: pairs with the smp_rmb() in zsxram_submit_bio(),
	 * which reads the capacity first. One that sees this capacity sees this
	 * READY (not an earlier one's), and with it the store the capacity fits.
	 */
	smp_wmb();
	set_capacity_and_notify(z->disk, z->disksize >> SECTOR_SHIFT);
	return 0;
}

/* READY -> EMPTY (lock held for write, disk closed); nothing to do in another state */
static void zsxram_dev_reset(struct zsxram *z)
{
	if (z->state != ZSXRAM_READY)
		return;
	WRITE_ONCE(z->state, ZSXRAM_EMPTY);
	set_capacity_and_notify(z->disk, 0);
	zsxram_drop_store(z);
}

/* called with the disk's open_mutex held: a claimed device stays claimed */
static int zsxram_open_disk(struct gendisk *disk)
{
	struct zsxram *z = disk->private_data;

	return READ_ONCE(z->state) == ZSXRAM_GOING ? -ENXIO : 0;
}

#ifdef ZSX_HAVE_BDEV_OPEN_GENDISK
static int zsxram_open(struct gendisk *disk, blk_mode_t mode)
{
	return zsxram_open_disk(disk);
}
#else
static int zsxram_open(struct block_device *bdev, fmode_t mode)
{
	return zsxram_open_disk(bdev->bd_disk);
}
#endif

static const struct block_device_operations zsxram_fops = {
	.owner = THIS_MODULE,
	.open = zsxram_open,
	.submit_bio = zsxram_submit_bio,
	.swap_slot_free_notify = zsxram_slot_free_notify,
};

/*
 * Take a device for teardown: GOING is set under the open_mutex, so no open
 * slips in between the check and del_gendisk(). -EBUSY if it is open
 * (swapon'd, mounted, held by a process), unless @force: then it is taken
 * open or not (a load that failed, see zsxram_dev_destroy_all()).
 */
static int zsxram_claim(struct zsxram *z, bool force)
{
	struct gendisk *disk = z->disk;
	bool open;

	mutex_lock(&disk->open_mutex);
	open = disk_openers(disk);
	if (!open || force) {
		down_write(&z->lock);
		WRITE_ONCE(z->state, ZSXRAM_GOING);
		up_write(&z->lock);
	}
	mutex_unlock(&disk->open_mutex);
	return open && !force ? -EBUSY : 0;
}

/* ---- per-device attributes: zram's 6.1 ABI, one table ------------------------ */

/* what a store accepts (errors are -EINVAL unless said) */
enum zsxram_arg {
	ZSXRAM_ARG_NONE, /* the text is ignored */
	ZSXRAM_ARG_SIZE, /* bytes, memparse suffixes (K, M, G, ...), within [min, max] */
	ZSXRAM_ARG_TRIGGER, /* a positive number: kstrtou16's errors, 0 is -EINVAL */
	ZSXRAM_ARG_ZERO, /* 0 and nothing else */
	ZSXRAM_ARG_WORD, /* a word, trailing blanks dropped, shorter than max bytes */
};

/* when a store is allowed, and the errno otherwise */
enum zsxram_when {
	ZSXRAM_ANY_TIME,
	ZSXRAM_BEFORE_INIT, /* EMPTY only: -EBUSY once initialised (or going) */
	ZSXRAM_AFTER_INIT, /* READY only: -EINVAL */
	ZSXRAM_WHEN_CLOSED, /* nobody has the disk open: -EBUSY; open_mutex held throughout */
};

union zsxram_val {
	u64 num;
	char word[CRYPTO_MAX_ALG_NAME];
};

struct zsxram_attr {
	struct device_attribute dev_attr;
	ssize_t (*show)(struct zsxram *z, char *buf); /* z->lock held for read */
	enum zsxram_arg arg;
	u64 min, max;
	int (*check)(const union zsxram_val *v); /* before any lock: is the value one we take? */
	enum zsxram_when when;
	bool shared; /* store under z->lock for read (else for write) */
	int (*store)(struct zsxram *z, const union zsxram_val *v);
};

static int zsxram_parse(const struct zsxram_attr *a, const char *buf, union zsxram_val *v)
{
	char *end;
	u16 n;
	int err;

	switch (a->arg) {
	case ZSXRAM_ARG_NONE:
		return 0;
	case ZSXRAM_ARG_SIZE:
		v->num = memparse(buf, &end);
		if (end == buf || (*end && *end != '\n'))
			return -EINVAL;
		return v->num < a->min || v->num > a->max ? -EINVAL : 0;
	case ZSXRAM_ARG_TRIGGER:
		err = kstrtou16(buf, 10, &n);
		if (err)
			return err;
		v->num = n;
		return n ? 0 : -EINVAL;
	case ZSXRAM_ARG_ZERO:
		return kstrtoull(buf, 10, &v->num) || v->num ? -EINVAL : 0;
	case ZSXRAM_ARG_WORD:
		if (strscpy(v->word, buf, min_t(u64, a->max, sizeof(v->word))) < 0)
			return -EINVAL;
		strim(v->word); /* in place: only the trailing blanks go */
		return 0;
	}
	return -EINVAL;
}

/* ---- the attributes' own parts ---- */

static ssize_t disksize_show(struct zsxram *z, char *buf)
{
	return sysfs_emit(buf, "%llu\n", z->disksize);
}

static int disksize_store(struct zsxram *z, const union zsxram_val *v)
{
	return zsxram_dev_init(z, v->num);
}

static ssize_t initstate_show(struct zsxram *z, char *buf)
{
	return sysfs_emit(buf, "%u\n", z->state == ZSXRAM_READY);
}

static int reset_store(struct zsxram *z, const union zsxram_val *v)
{
	zsxram_dev_reset(z);
	return 0;
}

/* the compressors we offer that this kernel has, the device's in brackets */
static ssize_t comp_algorithm_show(struct zsxram *z, char *buf)
{
	ssize_t n = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(zsxram_compressors); i++) {
		const char *c = zsxram_compressors[i];

		if (zsx_tfm_exists(c))
			n += sysfs_emit_at(buf, n, strcmp(z->compressor, c) ? "%s " : "[%s] ", c);
	}
	return n + sysfs_emit_at(buf, n, "\n");
}

static int comp_algorithm_check(const union zsxram_val *v)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(zsxram_compressors); i++)
		if (!strcmp(v->word, zsxram_compressors[i]))
			return zsx_tfm_exists(v->word) ? 0 : -EINVAL;
	return -EINVAL;
}

static int comp_algorithm_store(struct zsxram *z, const union zsxram_val *v)
{
	strscpy(z->compressor, v->word, sizeof(z->compressor));
	return 0;
}

static ssize_t allocator_show(struct zsxram *z, char *buf)
{
	return sysfs_emit(buf, "%s\n", z->allocator);
}

static int allocator_check(const union zsxram_val *v)
{
	return allocator_valid(v->word) ? 0 : -EINVAL;
}

static int allocator_store(struct zsxram *z, const union zsxram_val *v)
{
	strscpy(z->allocator, v->word, sizeof(z->allocator));
	return 0;
}

static int mem_limit_store(struct zsxram *z, const union zsxram_val *v)
{
	WRITE_ONCE(z->limit_pages, PAGE_ALIGN(v->num) >> PAGE_SHIFT);
	return 0;
}

/* the peak restarts from what the pool holds now (nothing to do with no pool) */
static int mem_used_max_store(struct zsxram *z, const union zsxram_val *v)
{
	if (z->state == ZSXRAM_READY)
		atomic_long_set(&z->max_used_pages, z->ops->total_pages(z->pool));
	return 0;
}

static int compact_store(struct zsxram *z, const union zsxram_val *v)
{
	z->ops->compact(z->pool);
	return 0;
}

static ssize_t mm_stat_show(struct zsxram *z, char *buf)
{
	bool ready = z->state == ZSXRAM_READY;
	unsigned long used = ready ? z->ops->total_pages(z->pool) : 0;
	unsigned long compacted = ready ? z->ops->pages_compacted(z->pool) : 0;

	return sysfs_emit(buf, "%8llu %8llu %8llu %8lu %8ld %8llu %8lu %8llu %8llu\n",
			  (u64)ctr_sum(z, pages_stored) << PAGE_SHIFT,
			  (u64)ctr_sum(z, compr_data_size), (u64)used << PAGE_SHIFT,
			  z->limit_pages << PAGE_SHIFT,
			  atomic_long_read(&z->max_used_pages) << PAGE_SHIFT,
			  (u64)ctr_sum(z, same_pages), compacted, (u64)ctr_sum(z, huge_pages),
			  (u64)ctr_sum(z, huge_pages_since));
}

static ssize_t io_stat_show(struct zsxram *z, char *buf)
{
	return sysfs_emit(buf, "%8llu %8llu %8llu %8llu\n", (u64)ctr_sum(z, failed_reads),
			  (u64)ctr_sum(z, failed_writes), (u64)ctr_sum(z, invalid_io),
			  (u64)ctr_sum(z, notify_free));
}

static ssize_t debug_stat_show(struct zsxram *z, char *buf)
{
	return sysfs_emit(buf, "version: %d\n%8llu %8llu\n", 1, (u64)ctr_sum(z, writestall),
			  (u64)ctr_sum(z, miss_free));
}

/* ---- the dispatch: every attribute's show and store go through these two ---- */

static struct zsxram *dev_to_zsxram(struct device *dev)
{
	return dev_to_disk(dev)->private_data;
}

static const struct zsxram_attr *to_zsxram_attr(struct device_attribute *da)
{
	return container_of(da, struct zsxram_attr, dev_attr);
}

static ssize_t zsxram_attr_show(struct device *dev, struct device_attribute *da, char *buf)
{
	struct zsxram *z = dev_to_zsxram(dev);
	ssize_t n;

	down_read(&z->lock);
	n = to_zsxram_attr(da)->show(z, buf);
	up_read(&z->lock);
	return n;
}

static void zsxram_attr_leave(struct zsxram *z, const struct zsxram_attr *a)
{
	if (a->shared)
		up_read(&z->lock);
	else
		up_write(&z->lock);
	if (a->when == ZSXRAM_WHEN_CLOSED)
		mutex_unlock(&z->disk->open_mutex);
}

/* take what a store of @a runs under and test its precondition; holds nothing on error */
static int zsxram_attr_enter(struct zsxram *z, const struct zsxram_attr *a)
{
	int err = 0;

	if (a->when == ZSXRAM_WHEN_CLOSED) {
		mutex_lock(&z->disk->open_mutex);
		if (disk_openers(z->disk)) {
			mutex_unlock(&z->disk->open_mutex);
			return -EBUSY; /* swapon'd or mounted */
		}
	}
	if (a->shared)
		down_read(&z->lock);
	else
		down_write(&z->lock);
	if (a->when == ZSXRAM_BEFORE_INIT && z->state != ZSXRAM_EMPTY)
		err = -EBUSY;
	else if (a->when == ZSXRAM_AFTER_INIT && z->state != ZSXRAM_READY)
		err = -EINVAL;
	if (err)
		zsxram_attr_leave(z, a);
	return err;
}

/* parse, check the value, lock and test the state, run: the errno of the first that fails */
static ssize_t zsxram_attr_store(struct device *dev, struct device_attribute *da,
				 const char *buf, size_t len)
{
	const struct zsxram_attr *a = to_zsxram_attr(da);
	struct zsxram *z = dev_to_zsxram(dev);
	union zsxram_val v;
	int err;

	err = zsxram_parse(a, buf, &v);
	if (!err && a->check)
		err = a->check(&v);
	if (!err)
		err = zsxram_attr_enter(z, a);
	if (err)
		return err;
	err = a->store(z, &v);
	zsxram_attr_leave(z, a);
	return err ?: len;
}

/* ---- the table ---- */

/* the mode says which of show and store there are */
#define ZSXRAM_RO(_name, ...) \
	{ .dev_attr = __ATTR(_name, 0444, zsxram_attr_show, NULL), __VA_ARGS__ }
#define ZSXRAM_WO(_name, ...) \
	{ .dev_attr = __ATTR(_name, 0200, NULL, zsxram_attr_store), __VA_ARGS__ }
#define ZSXRAM_RW(_name, ...) \
	{ .dev_attr = __ATTR(_name, 0644, zsxram_attr_show, zsxram_attr_store), __VA_ARGS__ }

static struct zsxram_attr zsxram_table[] = {
	ZSXRAM_RW(disksize, .show = disksize_show, .store = disksize_store,
		  .arg = ZSXRAM_ARG_SIZE, .min = 1, .max = 1ULL << 50, /* a slot index names it */
		  .when = ZSXRAM_BEFORE_INIT),
	ZSXRAM_RO(initstate, .show = initstate_show),
	ZSXRAM_WO(reset, .store = reset_store, .arg = ZSXRAM_ARG_TRIGGER,
		  .when = ZSXRAM_WHEN_CLOSED),
	ZSXRAM_RW(comp_algorithm, .show = comp_algorithm_show, .store = comp_algorithm_store,
		  .arg = ZSXRAM_ARG_WORD, .max = CRYPTO_MAX_ALG_NAME, .check = comp_algorithm_check,
		  .when = ZSXRAM_BEFORE_INIT),
	ZSXRAM_RW(allocator, .show = allocator_show, .store = allocator_store,
		  .arg = ZSXRAM_ARG_WORD, .max = sizeof_field(struct zsxram, allocator),
		  .check = allocator_check, .when = ZSXRAM_BEFORE_INIT),
	ZSXRAM_WO(mem_limit, .store = mem_limit_store, .arg = ZSXRAM_ARG_SIZE, .max = U64_MAX),
	ZSXRAM_WO(mem_used_max, .store = mem_used_max_store, .arg = ZSXRAM_ARG_ZERO,
		  .shared = true),
	ZSXRAM_WO(compact, .store = compact_store, .when = ZSXRAM_AFTER_INIT, .shared = true),
	ZSXRAM_RO(mm_stat, .show = mm_stat_show),
	ZSXRAM_RO(io_stat, .show = io_stat_show),
	ZSXRAM_RO(debug_stat, .show = debug_stat_show),
};

/* filled from the table at load */
static struct attribute *zsxram_attrs[ARRAY_SIZE(zsxram_table) + 1];
static const struct attribute_group zsxram_group = { .attrs = zsxram_attrs };
static const struct attribute_group *zsxram_groups[] = { &zsxram_group, NULL };

/* ---- creating and destroying devices ------------------------------------------- */

/*
 * The queue every zsxram disk has: pages in and out, so never rotational and
 * the data stable while it is compressed; 4K blocks, page-sized I/O; discards
 * free whole pages. A write-zeroes is served as a discard, which frees whole
 * pages and leaves a partial one as it was: right only where every block is
 * a page. With larger pages (arm64 16K, 64K) a 4K write-zeroes inside a page
 * would keep its old data. Not advertised there, the block layer writes zero
 * pages instead (blkdev_issue_zeroout()), which is right.
 *
 * The limits go to blk_alloc_disk() (6.9+), the features with them (6.11+);
 * older kernels set both on the queue. Returns the disk or an ERR_PTR.
 */
#if PAGE_SHIFT == 12 /* PAGE_SIZE == ZSXRAM_LOGICAL_BLOCK_SIZE */
#define ZSXRAM_WRITE_ZEROES_SECTORS UINT_MAX
#else
#define ZSXRAM_WRITE_ZEROES_SECTORS 0
#endif
#ifdef ZSX_HAVE_BLK_ALLOC_DISK_LIMITS
static struct gendisk *zsxram_alloc_disk(void)
{
	struct queue_limits lim = {
		.logical_block_size = ZSXRAM_LOGICAL_BLOCK_SIZE,
		.physical_block_size = PAGE_SIZE,
		.io_min = PAGE_SIZE,
		.io_opt = PAGE_SIZE,
		.discard_granularity = PAGE_SIZE,
		.max_hw_discard_sectors = UINT_MAX,
		.max_write_zeroes_sectors = ZSXRAM_WRITE_ZEROES_SECTORS,
#ifdef ZSX_HAVE_BLK_FEATURES
		/*
		 * not BLK_FEAT_ROTATIONAL; synchronous as zram is: every bio
		 * completes before submit_bio() returns, so swap reads it without
		 * the swap cache and readahead, and a swapped-out page leaves no
		 * swap-cache folio for munmap to free with its slot
		 */
		.features = BLK_FEAT_STABLE_WRITES | BLK_FEAT_SYNCHRONOUS,
#endif
	};
	struct gendisk *disk = blk_alloc_disk(&lim, NUMA_NO_NODE);

#ifndef ZSX_HAVE_BLK_FEATURES
	if (!IS_ERR(disk)) {
		blk_queue_flag_set(QUEUE_FLAG_NONROT, disk->queue);
		blk_queue_flag_set(QUEUE_FLAG_STABLE_WRITES, disk->queue);
	}
#endif
	return disk;
}
#else
static struct gendisk *zsxram_alloc_disk(void)
{
	struct gendisk *disk = blk_alloc_disk(NUMA_NO_NODE);
	struct request_queue *q;

	if (!disk)
		return ERR_PTR(-ENOMEM);
	q = disk->queue;
	blk_queue_flag_set(QUEUE_FLAG_NONROT, q);
	blk_queue_flag_set(QUEUE_FLAG_STABLE_WRITES, q);
	blk_queue_logical_block_size(q, ZSXRAM_LOGICAL_BLOCK_SIZE);
	blk_queue_physical_block_size(q, PAGE_SIZE);
	blk_queue_io_min(q, PAGE_SIZE);
	blk_queue_io_opt(q, PAGE_SIZE);
	q->limits.discard_granularity = PAGE_SIZE;
	blk_queue_max_discard_sectors(q, UINT_MAX);
	blk_queue_max_write_zeroes_sectors(q, ZSXRAM_WRITE_ZEROES_SECTORS);
	return disk;
}
#endif

/* what the block layer is told about every zsxram disk, besides its queue */
static void zsxram_describe_disk(struct zsxram *z, struct gendisk *disk)
{
	strscpy(disk->disk_name, z->name, sizeof(disk->disk_name));
	disk->major = zsxram_major;
	disk->first_minor = z->id;
	disk->minors = 1;
	disk->flags |= GENHD_FL_NO_PART;
	disk->fops = &zsxram_fops;
	disk->private_data = z;
}

/*
 * Build a device (zsxram_index_mutex held): first what it is (its number,
 * name and default settings), then the disk that shows it. z->built records
 * each step that took something, for zsxram_teardown(). The number is
 * reserved empty and filled only once the disk is live, so hot_remove never
 * finds a half-built device.
 */
static int zsxram_setup(struct zsxram *z)
{
	struct gendisk *disk;
	int id, err;

	id = idr_alloc(&zsxram_idr, NULL, 0, 0, GFP_KERNEL);
	if (id < 0)
		return id;
	z->id = id;
	z->built = ZSXRAM_BUILT_ID;
	snprintf(z->name, sizeof(z->name), "zsxram%d", id);
	init_rwsem(&z->lock);
	spin_lock_init(&z->chunk_lock);
	z->state = ZSXRAM_EMPTY;
	strscpy(z->compressor, zsxram_compressors[0], sizeof(z->compressor));
	strscpy(z->allocator, "zsx", sizeof(z->allocator));

	disk = zsxram_alloc_disk(); /* capacity 0 until disksize */
	if (IS_ERR(disk))
		return PTR_ERR(disk);
	z->disk = disk;
	z->built = ZSXRAM_BUILT_DISK;
	zsxram_describe_disk(z, disk);
	err = device_add_disk(NULL, disk, zsxram_groups);
	if (err)
		return err;
	z->built = ZSXRAM_BUILT_LIVE;
	idr_replace(&zsxram_idr, z, id);
	return 0;
}

/*
 * Undo zsxram_setup() as far as it got (zsxram_index_mutex held): the undo of
 * a failed hot_add, and the end of a claimed device. Freeing the store comes
 * after del_gendisk() (or a failed device_add_disk()), which waits for the
 * attribute handlers still running.
 */
static void zsxram_teardown(struct zsxram *z)
{
	if (z->built >= ZSXRAM_BUILT_LIVE)
		del_gendisk(z->disk);
	if (z->built >= ZSXRAM_BUILT_DISK) {
		/*
		 * Also when device_add_disk() failed: the attributes were there
		 * for a moment, and a disksize written then built a store.
		 * Dropping an empty store does nothing.
		 */
		down_write(&z->lock);
		zsxram_drop_store(z);
		up_write(&z->lock);
		put_disk(z->disk);
	}
	if (z->built >= ZSXRAM_BUILT_ID)
		idr_remove(&zsxram_idr, z->id);
	kfree(z);
}

/* a new device: its number, or an errno */
static int zsxram_dev_create(void)
{
	struct zsxram *z = kzalloc(sizeof(*z), GFP_KERNEL);
	int ret;

	if (!z)
		return -ENOMEM;
	mutex_lock(&zsxram_index_mutex);
	ret = zsxram_setup(z);
	if (ret)
		zsxram_teardown(z);
	else
		ret = z->id;
	mutex_unlock(&zsxram_index_mutex);
	if (ret >= 0)
		pr_info("added device zsxram%d\n", ret);
	return ret;
}

/* a closed device goes, an open one stays (-EBUSY) unless @force; zsxram_index_mutex held */
static int zsxram_dev_destroy(struct zsxram *z, bool force)
{
	int err = zsxram_claim(z, force);

	if (err)
		return err;
	pr_info("removed device %s\n", z->name);
	zsxram_teardown(z);
	return 0;
}

/* the device numbered @id: -ENODEV if there is none */
static int zsxram_dev_destroy_id(int id)
{
	struct zsxram *z;
	int err = -ENODEV;

	mutex_lock(&zsxram_index_mutex);
	z = idr_find(&zsxram_idr, id);
	if (z)
		err = zsxram_dev_destroy(z, false);
	mutex_unlock(&zsxram_index_mutex);
	return err;
}

/*
 * Module exit, or a load that failed (the control class not registered or no
 * longer: nothing adds a device meanwhile): every device goes. At exit none
 * is open, each open pins the module. A load that fails after adding disks
 * may find one open, a prober (blkid) opens a new disk: it goes all the
 * same, rather than outlive the module that serves it. del_gendisk() fails
 * its I/O and any new open; the opener's own reference keeps the gendisk
 * until its close. (That close still puts the module reference its open
 * took: the loader frees a module whose init failed all the same.)
 */
static void zsxram_dev_destroy_all(void)
{
	struct zsxram *z;
	int id;

	mutex_lock(&zsxram_index_mutex);
	for (id = 0; (z = idr_get_next(&zsxram_idr, &id)); id++)
		zsxram_dev_destroy(z, true);
	mutex_unlock(&zsxram_index_mutex);
	idr_destroy(&zsxram_idr);
}

/* ---- the control class: /sys/class/zsxram-control ----------------------------- */

static ssize_t hot_add_show(ZSX_CLASS_CONST struct class *class,
			    ZSX_CLASS_CONST struct class_attribute *attr, char *buf)
{
	int id = zsxram_dev_create();

	return id < 0 ? id : sysfs_emit(buf, "%d\n", id);
}

static struct class_attribute class_attr_hot_add = __ATTR(hot_add, 0400, hot_add_show, NULL);

static ssize_t hot_remove_store(ZSX_CLASS_CONST struct class *class,
				ZSX_CLASS_CONST struct class_attribute *attr, const char *buf,
				size_t count)
{
	int id, err = kstrtoint(buf, 10, &id);

	if (!err)
		err = id < 0 ? -EINVAL : zsxram_dev_destroy_id(id);
	return err ?: count;
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
#ifndef ZSX_HAVE_CLASS_CONST
	.owner = THIS_MODULE, /* gone in 6.4 */
#endif
	.class_groups = zsxram_control_groups,
};

/* ---- module ------------------------------------------------------------------- */

/*
 * The major first: a disk is made with it. Then the devices asked for, and
 * the control class last: a hot_add before the major was there made a disk
 * with major 0 (WARN in device_add_disk()), and one while the load could
 * still fail made a device the failure had to take down with the rest.
 * Undone in reverse, by a failed load and by exit alike.
 */
static int __init zsxram_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(zsxram_table); i++)
		zsxram_attrs[i] = &zsxram_table[i].dev_attr.attr;
	zsxram_major = register_blkdev(0, "zsxram");
	if (zsxram_major <= 0)
		return zsxram_major ?: -EBUSY;
	for (i = 0; i < num_devices; i++) {
		ret = zsxram_dev_create();
		if (ret < 0)
			goto out_devices;
	}
	ret = class_register(&zsxram_control_class);
	if (ret)
		goto out_devices;
	return 0;

out_devices:
	zsxram_dev_destroy_all();
	unregister_blkdev(zsxram_major, "zsxram");
	return ret;
}

static void __exit zsxram_exit(void)
{
	class_unregister(&zsxram_control_class); /* no hot_add or hot_remove from here on */
	zsxram_dev_destroy_all();
	unregister_blkdev(zsxram_major, "zsxram");
}

module_init(zsxram_init);
module_exit(zsxram_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zsxram: a zram-like test block device over zsx or the kernel's zsmalloc");

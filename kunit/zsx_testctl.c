// SPDX-License-Identifier: GPL-2.0
/*
 * Test control for VM scenarios (debugfs /sys/kernel/debug/zsx_test/):
 *   echo N > fill     store N more checksummed objects in pool "zsx-test"
 *                     (created on first use; movable pages, a compressed-page
 *                     size mix)
 *   cat verify        "objects N mismatches M pages P migrated G compacted C"
 *   echo 1 > compact  zsx_compact() on the pool
 *   echo N > migrate  migrate the pages of the first N objects as the VM would
 *   echo N > defer    zsx_free_deferred() the last N objects on this CPU (left parked)
 *   echo 1 > free     free everything and destroy the pool
 * Lets a scenario run the kernel's own compaction (compact_memory) against
 * live zsx objects.
 */
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include "core.h"
#include "zsx_test.h"

static const struct zsx_pool_opts testctl_opts = {
	.free_policy = ZSX_FREE_DEFAULT,
	.deferred = ZSX_DEFERRED_DEFAULT,
	.deferred_per_cpu = 4096,
};

static struct dentry *testctl_dir;
static DEFINE_MUTEX(testctl_lock);
static struct zsx_pool *testctl_pool;
static unsigned long *testctl_handles;
static unsigned long testctl_n;

static size_t testctl_size(unsigned long i)
{
	unsigned long r = (i + 7) * 2654435761ul;

	/* 64 bytes to a page, at most 16 KiB (64K pages: 20000 objects stay in RAM) */
	return 64 + (r >> 8) % (min(PAGE_SIZE, 16384ul) - 64);
}

static void testctl_pattern(u8 *buf, size_t len, unsigned long seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (u8)((seed * 2654435761u + i * 40503u) >> 7);
}

static void testctl_free_all(void)
{
	unsigned long i;

	for (i = 0; i < testctl_n; i++)
		zsx_free(testctl_pool, testctl_handles[i]);
	vfree(testctl_handles);
	zsx_destroy_pool(testctl_pool);
	testctl_pool = NULL;
	testctl_handles = NULL;
	testctl_n = 0;
}

static ssize_t fill_write(struct file *f, const char __user *ubuf, size_t len, loff_t *pos)
{
	unsigned long n, i, want;
	unsigned long *handles = NULL;
	u8 *buf;
	int err = kstrtoul_from_user(ubuf, len, 0, &n);

	if (err)
		return err;
	if (!n || n > (1ul << 22))
		return -EINVAL;
	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	mutex_lock(&testctl_lock);
	err = -EINVAL;
	want = testctl_n + n;
	if (want > (1ul << 22))
		goto out;
	err = -ENOMEM;
	/* the module's policies, with rings that hold what the scenarios park
	 * (the default budget scales with the page size: 128 per CPU at 64K)
	 */
	if (!testctl_pool)
		testctl_pool = zsx_create_pool_opts("zsx-test", &testctl_opts);
	if (!testctl_pool)
		goto out;
	handles = vcalloc(want, sizeof(unsigned long));
	if (!handles)
		goto out;
	if (testctl_n)
		memcpy(handles, testctl_handles, testctl_n * sizeof(unsigned long));
	swap(handles, testctl_handles);
	for (i = testctl_n; i < want; i++) {
		unsigned long h =
			zsx_malloc(testctl_pool, testctl_size(i),
				   GFP_KERNEL | __GFP_HIGHMEM | __GFP_MOVABLE | __GFP_NOWARN,
				   NUMA_NO_NODE);

		if (IS_ERR_VALUE(h))
			break;
		testctl_pattern(buf, testctl_size(i), i);
		zsx_obj_write(testctl_pool, h, buf, testctl_size(i));
		testctl_handles[testctl_n++] = h;
		cond_resched();
	}
	err = testctl_n == want ? 0 : -ENOMEM;
out:
	if (!testctl_n && testctl_pool) {
		vfree(testctl_handles);
		testctl_handles = NULL;
		zsx_destroy_pool(testctl_pool);
		testctl_pool = NULL;
	}
	mutex_unlock(&testctl_lock);
	vfree(handles);
	kfree(buf);
	return err ? err : len;
}

static ssize_t verify_read(struct file *f, char __user *ubuf, size_t len, loff_t *pos)
{
	unsigned long i, bad = 0, pages = 0;
	struct zsx_pool_stats st = {};
	char out[160];
	u8 *want, *local;
	int n;

	want = kmalloc(2 * PAGE_SIZE, GFP_KERNEL);
	if (!want)
		return -ENOMEM;
	local = want + PAGE_SIZE;
	mutex_lock(&testctl_lock);
	for (i = 0; testctl_pool && i < testctl_n; i++) {
		size_t sz = testctl_size(i);
		void *mem = zsx_obj_read_begin(testctl_pool, testctl_handles[i], sz, local);

		testctl_pattern(want, sz, i);
		if (memcmp(mem, want, sz))
			bad++;
		zsx_obj_read_end(testctl_pool, testctl_handles[i], mem);
		cond_resched();
	}
	if (testctl_pool) {
		zsx_pool_stats(testctl_pool, &st);
		pages = zsx_get_total_pages(testctl_pool);
	}
	n = scnprintf(out, sizeof(out),
		      "objects %lu mismatches %lu pages %lu migrated %lu compacted %lu\n",
		      testctl_n, bad, pages, st.pages_migrated, st.pages_compacted);
	mutex_unlock(&testctl_lock);
	kfree(want);
	return simple_read_from_buffer(ubuf, len, pos, out, n);
}

static ssize_t free_write(struct file *f, const char __user *ubuf, size_t len, loff_t *pos)
{
	mutex_lock(&testctl_lock);
	if (testctl_pool)
		testctl_free_all();
	mutex_unlock(&testctl_lock);
	return len;
}

/*
 * "N" written to a knob that acts on N of the stored objects: 0 with testctl_lock
 * held and N in *n, or an error (no pool, N larger than what is stored)
 */
static int testctl_lock_count(const char __user *ubuf, size_t len, unsigned long *n)
{
	int err = kstrtoul_from_user(ubuf, len, 0, n);

	if (err)
		return err;
	mutex_lock(&testctl_lock);
	if (!testctl_pool || *n > testctl_n) {
		mutex_unlock(&testctl_lock);
		return -EINVAL;
	}
	return 0;
}

/*
 * echo N > defer: zsx_free_deferred the last N objects on the writer's CPU;
 * the drainers are paused meanwhile, so the batch kicks pass and the handles
 * stay parked until a flush, the low-water timer or the CPU's death
 */
static ssize_t defer_write(struct file *f, const char __user *ubuf, size_t len, loff_t *pos)
{
	unsigned long n;
	int err = testctl_lock_count(ubuf, len, &n);

	if (err)
		return err;
	zsx_core_deferred_set_paused(zsx_pool_core(testctl_pool), 1);
	while (n--)
		zsx_free_deferred(testctl_pool, testctl_handles[--testctl_n]);
	zsx_core_deferred_set_paused(zsx_pool_core(testctl_pool), 0);
	mutex_unlock(&testctl_lock);
	return len;
}

static ssize_t compact_write(struct file *f, const char __user *ubuf, size_t len, loff_t *pos)
{
	mutex_lock(&testctl_lock);
	if (testctl_pool)
		zsx_compact(testctl_pool);
	mutex_unlock(&testctl_lock);
	return len;
}

/* echo N > migrate: move the page holding each of the first N objects (test hook) */
static ssize_t migrate_write(struct file *f, const char __user *ubuf, size_t len, loff_t *pos)
{
	unsigned long n, i;
	int err = testctl_lock_count(ubuf, len, &n);

	if (err)
		return err;
	for (i = 0; i < n; i++) {
		err = zsx_test_migrate_handle(zsx_pool_core(testctl_pool), testctl_handles[i]);
		if (err && err != -EAGAIN && err != -EBUSY) /* busy: not moved this time */
			break;
		err = 0;
	}
	mutex_unlock(&testctl_lock);
	return err ?: len;
}

static const struct file_operations fill_fops = { .owner = THIS_MODULE, .write = fill_write };
static const struct file_operations verify_fops = { .owner = THIS_MODULE, .read = verify_read };
static const struct file_operations free_fops = { .owner = THIS_MODULE, .write = free_write };
static const struct file_operations defer_fops = { .owner = THIS_MODULE, .write = defer_write };
static const struct file_operations compact_fops = { .owner = THIS_MODULE, .write = compact_write };
static const struct file_operations migrate_fops = { .owner = THIS_MODULE, .write = migrate_write };

static int __init zsx_testctl_init(void)
{
	testctl_dir = debugfs_create_dir("zsx_test", NULL);
	debugfs_create_file("fill", 0200, testctl_dir, NULL, &fill_fops);
	debugfs_create_file("verify", 0400, testctl_dir, NULL, &verify_fops);
	debugfs_create_file("free", 0200, testctl_dir, NULL, &free_fops);
	debugfs_create_file("compact", 0200, testctl_dir, NULL, &compact_fops);
	debugfs_create_file("defer", 0200, testctl_dir, NULL, &defer_fops);
	debugfs_create_file("migrate", 0200, testctl_dir, NULL, &migrate_fops);
	return 0;
}

static void __exit zsx_testctl_exit(void)
{
	debugfs_remove_recursive(testctl_dir);
	mutex_lock(&testctl_lock);
	if (testctl_pool)
		testctl_free_all();
	mutex_unlock(&testctl_lock);
}

module_init(zsx_testctl_init);
module_exit(zsx_testctl_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zsx test control (debugfs) for VM scenarios");

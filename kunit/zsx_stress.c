// SPDX-License-Identifier: GPL-2.0
/*
 * zsx_stress: concurrent random use of zsx pools with verified payloads.
 *
 * debugfs /sys/kernel/debug/zsx_stress/:
 *   run     (write) "SECONDS FAULTS": one worker kthread per online CPU (not
 *           pinned, so CPU hotplug can move them) plus a compactor kthread run
 *           for SECONDS against three pools (free policies base, classidx,
 *           classidx_unlocked_free; two of them with per-CPU deferred
 *           freeing, the classidx one with debug handle checks). Workers
 *           zsx_malloc random sizes (1..PAGE_SIZE: every class, huge
 *           included), write a checksummed payload through
 *           map/unmap or obj_write, verify it through map or obj_read_begin,
 *           free through zsx_free or zsx_free_deferred. FAULTS=1 marks the
 *           workers make_it_fail, so failslab/fail_page_alloc (task-filter)
 *           hit exactly them. The write returns when the run is over, every
 *           object freed, the deferred buffers flushed and the pools destroyed.
 *   status  (read) key=value: ops, mallocs, malloc_failures (-ENOMEM),
 *           bad_errors (any other error), frees, deferred_frees, verified,
 *           mismatches, compactions, pages_compacted, pages_left (pages still
 *           in the pools after everything was freed, flushed and compacted)
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include "zsx_test.h"

#define STRESS_POOLS 3
#define STRESS_SLOTS 512

struct stress_obj {
	unsigned long handle;
	u32 size, seed;
	u8 pool;
};

struct stress_counters {
	atomic_long_t ops, mallocs, malloc_failures, bad_errors, frees, deferred_frees, verified,
		mismatches, compactions, pages_compacted;
};

struct stress_run {
	struct zsx_pool *pools[STRESS_POOLS];
	unsigned long deadline;
	bool faults;
	atomic_t workers_left;
	struct completion done;
};

static DEFINE_MUTEX(stress_lock);
static struct dentry *stress_dir;
static struct stress_counters cnt;
static unsigned long stress_pages_left;
static unsigned int stress_workers;

static u32 xorshift(u32 *s)
{
	u32 x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static void payload(u8 *buf, u32 size, u32 seed)
{
	u32 i, s = seed | 1;

	/* mostly compressible-looking bytes with a per-object seed */
	for (i = 0; i < size; i++)
		buf[i] = (i & 3) ? (u8)(seed >> (8 * (i & 3))) : (u8)xorshift(&s);
}

static void stress_set_fault(bool on)
{
#ifdef CONFIG_FAULT_INJECTION
	current->make_it_fail = on;
#endif
}

static void obj_write(struct stress_run *r, struct stress_obj *o, u8 *buf, u32 rnd)
{
	struct zsx_pool *pool = r->pools[o->pool];

	payload(buf, o->size, o->seed);
	if (rnd & 1) {
		void *dst = zsx_map_object(pool, o->handle, ZSX_MM_WO);

		memcpy(dst, buf, o->size);
		zsx_unmap_object(pool, o->handle);
	} else {
		zsx_obj_write(pool, o->handle, buf, o->size);
	}
}

static bool obj_verify(struct stress_run *r, struct stress_obj *o, u8 *want, u8 *copy, u32 rnd)
{
	struct zsx_pool *pool = r->pools[o->pool];
	bool ok;

	payload(want, o->size, o->seed);
	if (rnd & 2) {
		void *src = zsx_map_object(pool, o->handle, ZSX_MM_RO);

		ok = !memcmp(src, want, o->size);
		zsx_unmap_object(pool, o->handle);
	} else {
		void *src = zsx_obj_read_begin(pool, o->handle, o->size, copy);

		ok = !memcmp(src, want, o->size);
		zsx_obj_read_end(pool, o->handle, src);
	}
	atomic_long_inc(&cnt.verified);
	if (!ok && atomic_long_inc_return(&cnt.mismatches) < 5)
		pr_err("zsx_stress: payload mismatch: pool %u size %u seed %u\n", o->pool, o->size,
		       o->seed);
	return ok;
}

static void obj_free(struct stress_run *r, struct stress_obj *o, u32 rnd)
{
	if (rnd & 4) {
		zsx_free_deferred(r->pools[o->pool], o->handle);
		atomic_long_inc(&cnt.deferred_frees);
	} else {
		zsx_free(r->pools[o->pool], o->handle);
	}
	atomic_long_inc(&cnt.frees);
	o->handle = 0;
}

static int stress_worker(void *arg)
{
	struct stress_run *r = arg;
	struct stress_obj *objs = vzalloc(array_size(STRESS_SLOTS, sizeof(*objs)));
	u8 *buf = kmalloc(PAGE_SIZE, GFP_KERNEL), *copy = kmalloc(PAGE_SIZE, GFP_KERNEL);
	u32 seed = get_random_u32() | 1;
	unsigned long n = 0;
	unsigned int i;

	if (!objs || !buf || !copy) {
		atomic_long_inc(&cnt.bad_errors);
		goto out;
	}
	stress_set_fault(r->faults);
	while (time_before(jiffies, r->deadline)) {
		u32 rnd = xorshift(&seed);
		struct stress_obj *o = &objs[rnd % STRESS_SLOTS];

		rnd = xorshift(&seed);
		if (!o->handle) {
			unsigned long h;

			o->pool = rnd % STRESS_POOLS;
			o->size = (rnd >> 8) % 16 ? 1 + (rnd >> 12) % PAGE_SIZE : PAGE_SIZE;
			o->seed = xorshift(&seed);
			h = zsx_malloc(r->pools[o->pool], o->size,
				       GFP_NOIO | __GFP_NOWARN | __GFP_HIGHMEM | __GFP_MOVABLE,
				       NUMA_NO_NODE);
			if (IS_ERR_VALUE(h) || !h) {
				if (h == (unsigned long)ERR_PTR(-ENOMEM))
					atomic_long_inc(&cnt.malloc_failures);
				else
					atomic_long_inc(&cnt.bad_errors);
			} else {
				o->handle = h;
				atomic_long_inc(&cnt.mallocs);
				obj_write(r, o, buf, rnd >> 3);
			}
		} else {
			obj_verify(r, o, buf, copy, rnd);
			if (rnd & 8)
				obj_free(r, o, rnd);
		}
		atomic_long_inc(&cnt.ops);
		if (!(++n & 15))
			cond_resched();
	}
	stress_set_fault(false);
	for (i = 0; i < STRESS_SLOTS; i++) {
		if (!objs[i].handle)
			continue;
		obj_verify(r, &objs[i], buf, copy, i);
		obj_free(r, &objs[i], i);
	}
out:
	kfree(buf);
	kfree(copy);
	vfree(objs);
	if (atomic_dec_and_test(&r->workers_left))
		complete(&r->done);
	return 0;
}

static int stress_compactor(void *arg)
{
	struct stress_run *r = arg;
	unsigned int i;

	while (!kthread_should_stop()) {
		for (i = 0; i < STRESS_POOLS; i++)
			atomic_long_add(zsx_compact(r->pools[i]), &cnt.pages_compacted);
		atomic_long_inc(&cnt.compactions);
		msleep(20);
	}
	return 0;
}

static int stress_run(unsigned int secs, bool faults)
{
	static const struct zsx_pool_opts opts[STRESS_POOLS] = {
		{ .free_policy = ZSX_FREE_BASE,
		  .deferred = ZSX_DEFERRED_PERCPU,
		  .deferred_per_cpu = 64 },
		{ .free_policy = ZSX_FREE_CLASSIDX, .deferred = ZSX_DEFERRED_OFF, .debug = 1 },
		{ .free_policy = ZSX_FREE_CLASSIDX_UNLOCKED, .deferred = ZSX_DEFERRED_PERCPU },
	};
	static const char *const names[STRESS_POOLS] = { "stress-base", "stress-classidx",
							 "stress-unlocked" };
	struct task_struct *compactor;
	struct stress_run *r;
	unsigned int i, started = 0;
	int err = 0;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	memset(&cnt, 0, sizeof(cnt));
	init_completion(&r->done);
	for (i = 0; i < STRESS_POOLS; i++) {
		r->pools[i] = zsx_create_pool_opts(names[i], &opts[i]);
		if (!r->pools[i]) {
			err = -ENOMEM;
			goto out;
		}
	}
	r->faults = faults;
	r->deadline = jiffies + secs * HZ;
	stress_workers = num_online_cpus();
	atomic_set(&r->workers_left, stress_workers);
	for (i = 0; i < stress_workers; i++) {
		struct task_struct *t = kthread_run(stress_worker, r, "zsx_stress/%u", i);

		if (IS_ERR(t)) {
			err = PTR_ERR(t);
			/* the workers that did start finish by the deadline */
			if (atomic_sub_and_test(stress_workers - started, &r->workers_left))
				complete(&r->done);
			break;
		}
		started++;
	}
	compactor = kthread_run(stress_compactor, r, "zsx_stress_compact");
	if (started)
		wait_for_completion(&r->done);
	if (!IS_ERR(compactor))
		kthread_stop(compactor);
	stress_pages_left = 0;
	for (i = 0; i < STRESS_POOLS; i++) {
		zsx_free_deferred_flush(r->pools[i]);
		zsx_compact(r->pools[i]);
		stress_pages_left += zsx_get_total_pages(r->pools[i]);
	}
out:
	for (i = 0; i < STRESS_POOLS; i++)
		if (r->pools[i])
			zsx_destroy_pool(r->pools[i]);
	kfree(r);
	return err;
}

static ssize_t run_write(struct file *f, const char __user *ubuf, size_t len, loff_t *pos)
{
	unsigned int secs, faults;
	char buf[32];
	int err;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	if (sscanf(buf, "%u %u", &secs, &faults) != 2 || !secs || secs > 24 * 3600 || faults > 1)
		return -EINVAL;
	if (!mutex_trylock(&stress_lock))
		return -EBUSY;
	err = stress_run(secs, faults);
	mutex_unlock(&stress_lock);
	return err ?: len;
}

static ssize_t status_read(struct file *f, char __user *ubuf, size_t len, loff_t *pos)
{
	char buf[512];
	int n;

	n = scnprintf(buf, sizeof(buf),
		      "workers=%u ops=%ld mallocs=%ld malloc_failures=%ld bad_errors=%ld frees=%ld deferred_frees=%ld verified=%ld mismatches=%ld compactions=%ld pages_compacted=%ld pages_left=%lu\n",
		      stress_workers, atomic_long_read(&cnt.ops), atomic_long_read(&cnt.mallocs),
		      atomic_long_read(&cnt.malloc_failures), atomic_long_read(&cnt.bad_errors),
		      atomic_long_read(&cnt.frees), atomic_long_read(&cnt.deferred_frees),
		      atomic_long_read(&cnt.verified), atomic_long_read(&cnt.mismatches),
		      atomic_long_read(&cnt.compactions), atomic_long_read(&cnt.pages_compacted),
		      stress_pages_left);
	return simple_read_from_buffer(ubuf, len, pos, buf, n);
}

static const struct file_operations run_fops = { .owner = THIS_MODULE, .write = run_write };
static const struct file_operations status_fops = { .owner = THIS_MODULE, .read = status_read };

static int __init zsx_stress_init(void)
{
	stress_dir = debugfs_create_dir("zsx_stress", NULL);
	debugfs_create_file("run", 0200, stress_dir, NULL, &run_fops);
	debugfs_create_file("status", 0444, stress_dir, NULL, &status_fops);
	return 0;
}

static void __exit zsx_stress_exit(void)
{
	debugfs_remove_recursive(stress_dir);
}

module_init(zsx_stress_init);
module_exit(zsx_stress_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zsx stress: concurrent verified random use of pools, fault injection");

// SPDX-License-Identifier: GPL-2.0
// HostedPlatform (host_platform_face.hpp): the hosted tests' implementation of
// the platform interface (src/core/platform_concept.hpp). pthread locks, a
// "vmemmap" of page structs over one reserved arena of page memory (so the
// core's inline memory model works here too), thread-local bounce buffers.
// Freed pages are poisoned for ASan.
#include "host_platform.hpp"

#include <pthread.h>
#include <sys/mman.h>
#include <cstddef>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define HOST_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define HOST_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define HOST_POISON(p, n) ((void)(p), (void)(n))
#define HOST_UNPOISON(p, n) ((void)(p), (void)(n))
#endif
#include <atomic>
#include <condition_variable>
#include <functional>
#include <thread>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "core.h"
#include "defer_ring.h"
#include "host_platform_face.hpp"
#include "platform_abi.h"
#include "zsx_kconst.h"

using zsx::HostedPlatform;

struct zsx_plat_spinlock {
	pthread_mutex_t m;
};
struct zsx_plat_rwlock {
	pthread_rwlock_t l;
};
// Like struct page: one per PFN in one array (the "vmemmap"), never freed,
// with a page lock and a reference count, so the tests can play the VM's
// part in migration. owner/index are page->private/page->index.
struct alignas(ZSX_K_PAGE_SIZEOF) zsx_plat_page {
	void *owner;
	unsigned long index;
	void *mem;
	unsigned long unused; // keeps the layout: pfn is the index in g_pages
	std::mutex lock;
	std::atomic<int> ref{0};
};
static_assert(sizeof(zsx_plat_page) == ZSX_K_PAGE_SIZEOF, "hosted zsx_kconst.h: page struct size");
static_assert(offsetof(zsx_plat_page, owner) == ZSX_K_PAGE_PRIVATE, "hosted zsx_kconst.h: private offset");
static_assert(offsetof(zsx_plat_page, index) == ZSX_K_PAGE_INDEX, "hosted zsx_kconst.h: index offset");
static_assert(sizeof(zsx_plat_spinlock) == ZSX_K_SPINLOCK_SIZE && alignof(zsx_plat_spinlock) == ZSX_K_SPINLOCK_ALIGN,
	      "hosted zsx_kconst.h: spinlock storage");
static_assert(sizeof(zsx_plat_rwlock) == ZSX_K_RWLOCK_SIZE && alignof(zsx_plat_rwlock) == ZSX_K_RWLOCK_ALIGN,
	      "hosted zsx_kconst.h: rwlock storage");

namespace host {
std::mutex cpu_locks[kCpus];
std::atomic<int> next_cpu{0};
thread_local int t_cpu = -1;
int this_cpu()
{
	if (t_cpu < 0)
		t_cpu = next_cpu++ % kCpus;
	return t_cpu;
}
void pin_to_cpu(int cpu) { t_cpu = cpu; }
std::mutex &cpu_lock(int cpu) { return cpu_locks[cpu]; }
std::atomic<bool> cpu_up[kCpus] = {true, true, true, true};
std::atomic<long> large_zallocs{0};
std::atomic<bool> zalloc_large_fail{false};
std::atomic<unsigned long> largest_zalloc{0};
thread_local long t_lock_calls;
std::atomic<long long> local_clock_skew_ns{0};
std::atomic<bool> migrate_on_resched{false};
thread_local bool t_in_irq;
thread_local bool t_in_hardirq;
thread_local bool t_irqs_disabled;
std::atomic<long> warnings{0};
std::atomic<long> forbidden_lock_waits{0};
std::atomic<long> irq_allocations{0};
std::atomic<long> warnings_by_kind[ZSX_MISUSE_NR];
std::atomic<long> drainer_locks{0};
thread_local bool t_drainer;
std::atomic<long> page_alloc_budget{-1}; // <0: unlimited
std::atomic<long> pages_live{0};
std::atomic<long> handles_live{0};
std::atomic<long> cond_resched_calls{0};
std::atomic<long> release_busy_every{0};
std::atomic<long> work_delay_scale{0};
std::atomic<bool> work_gate_closed{false};
} // namespace host

struct zsx_plat_mm zsx_plat_mm;

namespace {
constexpr unsigned long kPageSize = 1ul << ZSX_PAGE_SHIFT;
constexpr unsigned long kMaxPages = 1ul << 18;
std::mutex g_pfn_mutex;
// pfn 0 is never handed out; page structs live forever, like struct page
zsx_plat_page g_pages[kMaxPages];
unsigned char *g_arena; // kMaxPages pages of address space, reserved at first use
unsigned long g_next_pfn = 1;
std::vector<unsigned long> g_free_pfns;
alignas(64) thread_local unsigned char t_cpu_area[(1ul << ZSX_PAGE_SHIFT) + 64];
thread_local int t_cpu_area_depth;
thread_local int t_locks_held; // zsx spinlocks and rwlocks this thread holds
std::mutex g_defer_mutex;
std::vector<void *> g_deferred;
std::atomic<long> g_release_count{0};
} // namespace

// The VM's side of migrating one page (mm/migrate.c, simplified): pin and lock
// the page, isolate, allocate and lock a new page, migrate, drop references.
void host_page_put(zsx_plat_page *p);
namespace host {
bool host_migrate_pfn(unsigned long pfn)
{
	zsx_plat_page *page = HostedPlatform::pfn_to_page_checked(pfn);
	if (!page)
		return false;
	std::unique_lock<std::mutex> pl(page->lock);
	int r = page->ref.load();
	do {
		if (r == 0)
			return false; // freed under us
	} while (!page->ref.compare_exchange_weak(r, r + 1));
	bool ok = false;
	if (zsx_core_page_isolate(page)) {
		// the new page is exclusively ours (the VM locks it too, uncontended)
		zsx_plat_page *newpage = HostedPlatform::page_alloc(0, -1);
		ok = zsx_core_page_migrate(newpage, page) == 0;
		if (!ok)
			zsx_core_page_putback(page);
		host_page_put(newpage); // the VM's reference; zsx took its own on success
	}
	pl.unlock();
	host_page_put(page); // the isolation reference
	return ok;
}
} // namespace host

// ---- locks ----

void HostedPlatform::lock_init(zsx_plat_spinlock *l) { pthread_mutex_init(&l->m, nullptr); }
void HostedPlatform::lock_destroy(zsx_plat_spinlock *l) { pthread_mutex_destroy(&l->m); }
// a lock waited for where none may be (IRQ context, or a task that disabled IRQs)
static void note_wait()
{
	host::t_lock_calls++;
	if (host::t_in_irq || host::t_irqs_disabled)
		host::forbidden_lock_waits++;
	if (host::t_drainer)
		host::drainer_locks++;
}
void HostedPlatform::lock(zsx_plat_spinlock *l)
{
	note_wait();
	pthread_mutex_lock(&l->m);
	t_locks_held++;
}
void HostedPlatform::unlock(zsx_plat_spinlock *l)
{
	t_locks_held--;
	pthread_mutex_unlock(&l->m);
}
// softirqs do not exist here: the _bh forms are the plain lock
void HostedPlatform::lock_bh(zsx_plat_spinlock *l) { lock(l); }
void HostedPlatform::unlock_bh(zsx_plat_spinlock *l) { unlock(l); }
int HostedPlatform::lock_contended(zsx_plat_spinlock *) { return 0; }
int HostedPlatform::trylock(zsx_plat_spinlock *l)
{
	host::t_lock_calls++;
	if (pthread_mutex_trylock(&l->m) != 0)
		return 0;
	t_locks_held++;
	return 1;
}

void HostedPlatform::rwlock_init(zsx_plat_rwlock *l) { pthread_rwlock_init(&l->l, nullptr); }
void HostedPlatform::rwlock_destroy(zsx_plat_rwlock *l) { pthread_rwlock_destroy(&l->l); }
void HostedPlatform::read_lock(zsx_plat_rwlock *l)
{
	note_wait();
	pthread_rwlock_rdlock(&l->l);
	t_locks_held++;
}
void HostedPlatform::read_unlock(zsx_plat_rwlock *l)
{
	t_locks_held--;
	pthread_rwlock_unlock(&l->l);
}
void HostedPlatform::write_lock(zsx_plat_rwlock *l)
{
	note_wait();
	pthread_rwlock_wrlock(&l->l);
	t_locks_held++;
}
void HostedPlatform::write_unlock(zsx_plat_rwlock *l)
{
	t_locks_held--;
	pthread_rwlock_unlock(&l->l);
}

// ---- memory ----

void *HostedPlatform::zalloc(unsigned long size, unsigned)
{
	// a hard interrupt allocates nothing: the kernel's slab takes locks that
	// PREEMPT_RT makes sleeping (7.x lockdep: "Invalid wait context")
	if (host::t_in_hardirq)
		host::irq_allocations++;
	unsigned long seen = host::largest_zalloc.load();
	while (size > seen && !host::largest_zalloc.compare_exchange_weak(seen, size)) {
	}
	return calloc(1, size);
}
void HostedPlatform::free(void *p) { ::free(p); }

// a handle is one word, as the kernel's cache gives (a debug pool's: two),
// counted: ASan catches any access past it
static unsigned long *handle_new(unsigned long words)
{
	host::handles_live++;
	return static_cast<unsigned long *>(calloc(words, sizeof(unsigned long)));
}
static void handle_delete(unsigned long *h)
{
	host::handles_live--;
	::free(h);
}
unsigned long *HostedPlatform::handle_alloc(unsigned) { return handle_new(1); }
void HostedPlatform::handle_free(unsigned long *h) { handle_delete(h); }
void HostedPlatform::handle_free_bulk(void **h, unsigned n)
{
	for (unsigned i = 0; i < n; ++i)
		handle_delete(static_cast<unsigned long *>(h[i]));
}
unsigned long *HostedPlatform::handle_alloc_debug(unsigned) { return handle_new(2); }
void HostedPlatform::handle_free_debug(unsigned long *h) { handle_delete(h); }

// like the kernel's per-chain-length caches: freeing to another cache than the
// one allocated from is a bug the kernel reports (KASAN invalid-free): abort
void *HostedPlatform::zspage_alloc(unsigned nr_pages, unsigned)
{
	auto *p = static_cast<unsigned long *>(calloc(1, 16 + zsx_core_zspage_bytes(nr_pages)));
	p[0] = nr_pages;
	return p + 2;
}
void HostedPlatform::zspage_free(void *zspage, unsigned nr_pages)
{
	auto *p = static_cast<unsigned long *>(zspage) - 2;
	if (p[0] != nr_pages) {
		fprintf(stderr, "zsx-host: zspage of the %lu-page cache freed to the %u-page cache\n", p[0], nr_pages);
		abort();
	}
	::free(p);
}

void *HostedPlatform::zalloc_large(unsigned long size, int)
{
	if (host::zalloc_large_fail.load())
		return nullptr;
	host::large_zallocs++;
	return calloc(1, size);
}
void HostedPlatform::free_large(void *p)
{
	if (p)
		host::large_zallocs--;
	::free(p);
}

// ---- pages ----

zsx_plat_page *HostedPlatform::page_alloc(unsigned, int)
{
	long budget = host::page_alloc_budget.load();
	while (budget >= 0) {
		if (budget == 0)
			return nullptr;
		if (host::page_alloc_budget.compare_exchange_weak(budget, budget - 1))
			break;
	}
	zsx_plat_page *p;
	{
		std::lock_guard<std::mutex> g(g_pfn_mutex);
		if (!g_arena) {
			void *a = mmap(nullptr, kMaxPages * kPageSize, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
			if (a == MAP_FAILED)
				abort();
			g_arena = static_cast<unsigned char *>(a);
			HOST_POISON(g_arena, kMaxPages * kPageSize);
			zsx_plat_mm.page_array = reinterpret_cast<unsigned long>(g_pages);
			zsx_plat_mm.direct_map = reinterpret_cast<unsigned long>(g_arena);
		}
		unsigned long pfn;
		if (!g_free_pfns.empty()) {
			pfn = g_free_pfns.back();
			g_free_pfns.pop_back();
		} else if (g_next_pfn < kMaxPages) {
			pfn = g_next_pfn++;
			__atomic_store_n(&zsx_plat_mm.pfn_limit, g_next_pfn, __ATOMIC_RELAXED);
		} else {
			return nullptr; // the arena is full
		}
		p = &g_pages[pfn];
		p->mem = g_arena + pfn * kPageSize;
		HOST_UNPOISON(p->mem, kPageSize);
		memset(p->mem, 0x5a, kPageSize);
		__atomic_store_n(&p->owner, nullptr, __ATOMIC_RELAXED);
		__atomic_store_n(&p->index, 0ul, __ATOMIC_RELAXED);
		p->ref = 1;
	}
	host::pages_live++;
	return p;
}

void host_page_put(zsx_plat_page *p)
{
	if (--p->ref != 0)
		return;
	{
		std::lock_guard<std::mutex> g(g_pfn_mutex);
		HOST_POISON(p->mem, kPageSize); // a use after free of a zsx page is an ASan report
		p->mem = nullptr;
		g_free_pfns.push_back(zsx_plat_page_to_pfn(p));
	}
	host::pages_live--;
}

unsigned long zsx_plat_page_to_pfn(zsx_plat_page *p) { return (unsigned long)(p - g_pages); }
zsx_plat_page *HostedPlatform::pfn_to_page_checked(unsigned long pfn)
{
	// pfn_valid(): a page struct exists for every PFN below the high-water mark
	return pfn > 0 && pfn < __atomic_load_n(&zsx_plat_mm.pfn_limit, __ATOMIC_RELAXED) ? &g_pages[pfn] : nullptr;
}
#if !ZSX_K_INLINE_MM
// the memory model out of line, as on classic SPARSEMEM and HIGHMEM kernels
zsx_plat_page *HostedPlatform::pfn_to_page(unsigned long pfn) { return pfn_to_page_checked(pfn); }
unsigned long HostedPlatform::page_to_pfn(zsx_plat_page *p) { return zsx_plat_page_to_pfn(p); }
void *HostedPlatform::page_owner(zsx_plat_page *p)
{
	return p ? __atomic_load_n(&p->owner, __ATOMIC_RELAXED) : nullptr;
}
unsigned long HostedPlatform::page_tag(zsx_plat_page *p) { return __atomic_load_n(&p->index, __ATOMIC_RELAXED); }
zsx::u8 *HostedPlatform::kmap(zsx_plat_page *p) { return g_arena + zsx_plat_page_to_pfn(p) * kPageSize; }
void HostedPlatform::kunmap(void *) {}
#endif
void HostedPlatform::page_make_movable(zsx_plat_page *, unsigned) {}
int HostedPlatform::page_release_try(zsx_plat_page *p)
{
	long every = host::release_busy_every.load();
	if (every > 0 && ++g_release_count % every == 0)
		return 0; // pretend the VM holds the page lock
	if (!p->lock.try_lock())
		return 0;
	p->lock.unlock();
	host_page_put(p);
	return 1;
}
unsigned HostedPlatform::pages_release(zsx_plat_page **pages, unsigned n)
{
	unsigned busy = 0;
	for (unsigned i = 0; i < n; ++i) {
		page_set_owner(pages[i], nullptr, 0);
		if (!page_release_try(pages[i]))
			busy |= 1u << i;
	}
	return busy;
}
void HostedPlatform::page_adopt_migrated(zsx_plat_page *p) { p->ref++; }
void HostedPlatform::page_drop_migrated(zsx_plat_page *p) { host_page_put(p); }
void HostedPlatform::page_set_owner(zsx_plat_page *p, void *zspage, unsigned long tag)
{
	__atomic_store_n(&p->index, tag, __ATOMIC_RELAXED);
	__atomic_store_n(&p->owner, zspage, __ATOMIC_RELAXED);
}

void HostedPlatform::defer_zspage_release(void *obj)
{
	std::lock_guard<std::mutex> g(g_defer_mutex);
	g_deferred.push_back(obj);
}
void HostedPlatform::flush_deferred_releases()
{
	// as the kernel's worker: a zspage with a page still "locked" is tried again
	for (;;) {
		std::vector<void *> q;
		{
			std::lock_guard<std::mutex> g(g_defer_mutex);
			q.swap(g_deferred);
		}
		if (q.empty())
			return;
		bool busy = false;
		for (void *zs : q)
			if (!zsx_core_zspage_release_slow(zs)) {
				defer_zspage_release(zs);
				busy = true;
			}
		if (busy) // the kernel's waits a jiffy for a page the VM holds locked
			std::this_thread::sleep_for(std::chrono::milliseconds(1));
	}
}
void zsx_plat_flush_deferred_releases(void) { HostedPlatform::flush_deferred_releases(); }

// ---- per-CPU: host "CPUs" are slots; a thread sticks to one. "Preemption
// off" is that slot's mutex: a task's ring section excludes the other tasks of
// its CPU and the ring's pinned timer. A thread playing an interrupt handler
// (t_in_irq) takes no mutex: it runs in the middle of whatever its CPU does.

void *HostedPlatform::cpu_buffer_get()
{
	t_cpu_area_depth++;
	return t_cpu_area;
}
// the kernel's DEBUG_PREEMPT check: only between a get and its put
void *HostedPlatform::cpu_buffer_held()
{
	if (t_cpu_area_depth <= 0) {
		fprintf(stderr, "zsx-host: per-CPU buffer used without a get\n");
		abort();
	}
	return t_cpu_area;
}
void HostedPlatform::cpu_buffer_put() { t_cpu_area_depth--; }
int host::cpu_area_depth() { return t_cpu_area_depth; }

void *HostedPlatform::percpu_zalloc(unsigned long size)
{
	unsigned long stride = (size + 63) & ~63ul;
	auto *base = static_cast<unsigned long *>(aligned_alloc(64, 64 + stride * host::kCpus));
	memset(base, 0, 64 + stride * host::kCpus);
	base[0] = stride;
	return base;
}
void HostedPlatform::percpu_free(void *pcp) { ::free(pcp); }
void *HostedPlatform::percpu_ptr(void *pcp, int cpu)
{
	auto *base = static_cast<unsigned char *>(pcp);
	return base + 64 + *static_cast<unsigned long *>(pcp) * cpu;
}
int HostedPlatform::nr_cpu_ids() { return host::kCpus; }
int HostedPlatform::cpu_possible(int cpu) { return cpu >= 0 && cpu < host::kCpus; }
int HostedPlatform::cpu_online(int cpu) { return cpu_possible(cpu) && host::cpu_up[cpu].load(); }

// ---- context ----

int HostedPlatform::may_lock() { return !host::t_in_irq && !host::t_irqs_disabled; }
int HostedPlatform::in_task() { return !host::t_in_irq; }
int HostedPlatform::may_alloc_atomic() { return !host::t_in_hardirq; }
int HostedPlatform::need_resched() { return 0; }
// the kernel's might_sleep(): never with a lock held or preemption off
void HostedPlatform::cond_resched()
{
	if (t_locks_held || t_cpu_area_depth) {
		fprintf(stderr, "zsx-host: cond_resched with %d locks held, cpu buffer depth %d\n", t_locks_held,
			t_cpu_area_depth);
		abort();
	}
	host::cond_resched_calls++;
	// the scheduler may move a preemptible task to another CPU here
	if (host::migrate_on_resched.load() && !host::t_in_irq)
		host::pin_to_cpu((host::this_cpu() + 1) % host::kCpus);
}

// ---- work items: one thread each, kicked now or after a delay ----------------
namespace {
struct HostWork {
	std::function<void()> fn;
	std::mutex m;
	std::condition_variable cv;
	bool kicked = false, running = false, stop = false;
	std::chrono::steady_clock::time_point due;
	std::thread thread;

	explicit HostWork(std::function<void()> f) : fn(std::move(f))
	{
		thread = std::thread([this] {
			std::unique_lock<std::mutex> l(m);
			for (;;) {
				cv.wait(l, [this] { return kicked || stop; });
				while (!stop && std::chrono::steady_clock::now() < due)
					cv.wait_until(l, due);
				if (stop)
					return;
				while (host::work_gate_closed.load() && !stop) {
					l.unlock();
					std::this_thread::sleep_for(std::chrono::milliseconds(1));
					l.lock();
				}
				kicked = false;
				running = true;
				l.unlock();
				fn();
				l.lock();
				running = false;
				cv.notify_all();
			}
		});
	}
	~HostWork()
	{
		{
			std::lock_guard<std::mutex> g(m);
			stop = true;
			cv.notify_all();
		}
		thread.join();
	}
	// delay 0: now (mod_delayed_work); otherwise only if not already queued (a timer)
	void kick(unsigned delay_ms)
	{
		std::lock_guard<std::mutex> g(m);
		auto when = std::chrono::steady_clock::now() +
			std::chrono::milliseconds(delay_ms * host::work_delay_scale.load());
		if (!kicked || when < due)
			due = when;
		kicked = true;
		cv.notify_all();
	}
	void flush()
	{
		std::unique_lock<std::mutex> l(m);
		cv.wait(l, [this] { return !kicked && !running; });
	}
};
} // namespace

struct zsx_plat_work {
	HostWork work;
	explicit zsx_plat_work(std::function<void()> f) : work(std::move(f)) {}
};

zsx_plat_work *HostedPlatform::work_new(void (*fn)(void *), void *arg)
{
	return new zsx_plat_work([=] { fn(arg); });
}
void HostedPlatform::work_queue(zsx_plat_work *w) { w->work.kick(0); }
void HostedPlatform::work_flush(zsx_plat_work *w) { w->work.flush(); }
void HostedPlatform::work_delete(zsx_plat_work *w) { delete w; }

// ---- deferred rings ----

struct zsx_plat_defer_cpu {
	struct zsx_defer_ring *ring;
	std::atomic<unsigned> delay_ms;
	std::mutex take_lock;
	HostWork drainer;
	HostWork timer; // "pinned": runs as the ring's CPU (its mutex held)
	zsx_plat_defer_cpu(struct zsx_defer_ring *r, void (*drain)(void *, int), void *arg, unsigned ms)
		: ring(r), delay_ms(ms), drainer([=] {
			  host::t_drainer = true;
			  drain(arg, r->cpu);
		  }),
		  timer([this] {
			  std::lock_guard<std::mutex> on_cpu(host::cpu_lock(ring->cpu));
			  __atomic_store_n(&ring->timer_armed, 0, __ATOMIC_RELAXED);
			  drainer.kick(0);
		  })
	{}
};

// on the ring's CPU, preemption off: timer_armed = 1 and the timer set
static void defer_arm(struct zsx_defer_ring *ring)
{
	__atomic_store_n(&ring->timer_armed, 1, __ATOMIC_RELAXED);
	ring->plat->timer.kick(ring->plat->delay_ms.load());
}

// the ring park's primitives on the host (platform_concept.hpp, deferred rings)
#define ZSX_RING_ENTER()                                                                                               \
	do {                                                                                                           \
		if (!host::t_in_irq)                                                                                   \
			host::cpu_lock(host::this_cpu()).lock();                                                       \
	} while (0)
#define ZSX_RING_EXIT()                                                                                                \
	do {                                                                                                           \
		if (!host::t_in_irq)                                                                                   \
			host::cpu_lock(host::this_cpu()).unlock();                                                     \
	} while (0)
#define ZSX_RING_THIS(rings) static_cast<struct zsx_defer_ring *>(HostedPlatform::percpu_ptr(rings, host::this_cpu()))
#define ZSX_RING_RESERVE(rings) __atomic_fetch_add(&ZSX_RING_THIS(rings)->head, 1ul, __ATOMIC_RELAXED)
#define ZSX_RING_LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define ZSX_RING_LOAD_ACQ(p) __atomic_load_n(p, __ATOMIC_ACQUIRE)
#define ZSX_RING_STORE_REL(p, v) __atomic_store_n(p, v, __ATOMIC_RELEASE)
#define ZSX_RING_ARM(ring) defer_arm(ring)
#define ZSX_RING_KICK(ring) HostedPlatform::defer_kick(ring)
#include "defer_ring.h"

zsx_plat_defer_cpu *HostedPlatform::defer_cpu_new(zsx_defer_ring *ring, void (*drain)(void *, int), void *arg,
						  unsigned delay_ms)
{
	return new zsx_plat_defer_cpu(ring, drain, arg, delay_ms);
}
void HostedPlatform::defer_cpu_delete(zsx_plat_defer_cpu *d) { delete d; }
void HostedPlatform::defer_set_delay(zsx_plat_defer_cpu *d, unsigned delay_ms) { d->delay_ms = delay_ms; }
void HostedPlatform::defer_kick(zsx_defer_ring *ring) { ring->plat->drainer.kick(0); }
void HostedPlatform::defer_cpu_dead(zsx_defer_ring *ring)
{
	__atomic_store_n(&ring->timer_armed, 0, __ATOMIC_RELAXED);
	ring->plat->drainer.kick(0);
}
void HostedPlatform::defer_wait(zsx_plat_defer_cpu *d) { d->drainer.flush(); }
void HostedPlatform::defer_flush(zsx_plat_defer_cpu *d)
{
	d->drainer.kick(0);
	d->drainer.flush();
}
int HostedPlatform::defer_park(zsx_defer_ring *rings, unsigned long handle, int atomic_caller)
{
	return zsx_defer_park(rings, handle, atomic_caller);
}
zsx_defer_ring *HostedPlatform::defer_this_ring(zsx_defer_ring *rings) { return ZSX_RING_THIS(rings); }
// a spinlock like the class locks: cond_resched under it aborts the test
void HostedPlatform::defer_take_lock(zsx_defer_ring *ring)
{
	ring->plat->take_lock.lock();
	t_locks_held++;
}
void HostedPlatform::defer_take_unlock(zsx_defer_ring *ring)
{
	t_locks_held--;
	ring->plat->take_lock.unlock();
}

// ---- tracing: count what the events would record ----
int zsx_plat_trace_active;
namespace host {
std::atomic<unsigned long> trace_free_by_path[8], trace_mallocs, trace_zspages_locked, trace_zspages_unlocked,
	trace_drained, trace_drains, trace_compact_pages, trace_migrated_objects;
void trace_reset()
{
	for (auto &c : trace_free_by_path)
		c = 0;
	trace_mallocs = trace_zspages_locked = trace_zspages_unlocked = trace_drained = trace_drains = 0;
	trace_compact_pages = trace_migrated_objects = 0;
}
} // namespace host
bool HostedPlatform::tracing() { return __atomic_load_n(&zsx_plat_trace_active, __ATOMIC_RELAXED) != 0; }
void HostedPlatform::trace_malloc(void *, unsigned long, int, unsigned long) { host::trace_mallocs++; }
void HostedPlatform::trace_free(void *, unsigned long, int, int path) { host::trace_free_by_path[path & 7]++; }
void HostedPlatform::trace_zspage_free(void *, int, unsigned, int under_lock)
{
	(under_lock ? host::trace_zspages_locked : host::trace_zspages_unlocked)++;
}
void HostedPlatform::trace_deferred_drain(void *, int, unsigned long handles, unsigned long, unsigned long,
					  unsigned long)
{
	host::trace_drained += handles;
	host::trace_drains++;
}
void HostedPlatform::trace_compact(void *, unsigned long, unsigned long pages) { host::trace_compact_pages += pages; }
void HostedPlatform::trace_migrate(void *, unsigned long, unsigned long, unsigned objects)
{
	host::trace_migrated_objects += objects;
}

// ---- diagnostics, time ----

void HostedPlatform::warn(void *, int kind, unsigned long handle, unsigned long detail)
{
	host::warnings++;
	if (kind >= 0 && kind < ZSX_MISUSE_NR)
		host::warnings_by_kind[kind]++;
	fprintf(stderr, "zsx-host WARN: kind %d (handle %#lx, %#lx)\n", kind, handle, detail);
}
void HostedPlatform::report(const char *what, unsigned long a, unsigned long b)
{
	fprintf(stderr, "zsx-host: %s (%lu, %lu)\n", what, a, b);
}
unsigned long long HostedPlatform::clock_ns()
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}
// local_clock(): each CPU's own, CPU k's off by k * local_clock_skew_ns
unsigned long long HostedPlatform::now_ns()
{
	return clock_ns() + (unsigned long long)(host::this_cpu() * host::local_clock_skew_ns.load());
}
